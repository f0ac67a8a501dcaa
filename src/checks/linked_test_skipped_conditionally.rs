//! A linked test behind a conditional skip still guards where it runs: note it, so a
//! reviewer can check it runs in the job that matters.

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestSkippedConditionally
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for test in cx.model.linked_tests() {
            let Some(at) = &test.conditional_skip else { continue };
            for link in &test.links {
                out.push(
                    Finding::new(
                        Rule::LinkedTestSkippedConditionally,
                        format!("test {}, linked to {}, is skipped under a condition", code(&test.name), link.incident),
                    )
                    .at(at)
                    .incident(&link.incident)
                    .test(&test.id),
                );
            }
        }
    }
}
