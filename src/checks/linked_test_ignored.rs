//! A linked test that is disabled guards nothing: `#[ignore]` on it is an error.

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestIgnored
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for test in cx.model.linked_tests() {
            let Some(at) = &test.ignored else { continue };
            let new = cx.model.changes.as_ref().is_some_and(|c| c.ignored_since_base.contains(&test.id));
            let skip = crate::scan::language_for(&test.loc.path).map_or("`#[ignore]`", |l| l.skip_form());
            let since = if new { format!(" (the {skip} was added in this change)") } else { String::new() };
            for link in &test.links {
                out.push(
                    Finding::new(Rule::LinkedTestIgnored, format!("test {}, linked to {}, is ignored{since}", code(&test.name), link.incident))
                        .at(at)
                        .incident(&link.incident)
                        .test(&test.id)
                        .help(format!("a disabled regression test no longer guards against the incident: fix it and remove {skip}, or retire it in the postmortem's `retired_tests` with a reason")),
                );
            }
        }
    }
}
