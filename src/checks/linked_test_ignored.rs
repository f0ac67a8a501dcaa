//! A linked test that never runs guards nothing: `#[ignore]`, the language's skip, or a
//! condition that can never hold (`#[cfg(any())]`, `skipif(True)`) on it is an error.

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
            let Some(skip) = &test.ignored else { continue };
            let new = cx.model.changes.as_ref().is_some_and(|c| c.ignored_since_base.contains(&test.id));
            let since = if new { " (added in this change)" } else { "" };
            for link in &test.links {
                out.push(
                    Finding::new(
                        Rule::LinkedTestIgnored,
                        format!("test {}, linked to {}, never runs: {}{since}", code(&test.id), link.incident, skip.what),
                    )
                    .at(&skip.loc)
                    .incident(&link.incident)
                    .test(&test.id)
                    .help(format!(
                        "a disabled regression test no longer guards against the incident: make it run again, or retire it with {} in the postmortem",
                        code(&format!("retired_tests = [{{ test = \"{}\", reason = \"…\" }}]", test.id))
                    )),
                );
            }
        }
    }
}
