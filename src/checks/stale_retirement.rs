//! A `retired_tests` entry only means something for a link that existed at base and is
//! gone: otherwise it hides nothing, or would hide a future removal by accident.

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::StaleRetirement
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let Some(changes) = &cx.model.changes else { return };
        for s in &changes.stale {
            let message = if s.still_linked {
                format!("retired test {} still exists and is still linked to {}", code(&s.test), s.incident)
            } else {
                format!("retired test {} was not linked to {} at the base revision", code(&s.test), s.incident)
            };
            out.push(
                Finding::new(Rule::StaleRetirement, message).at(&s.loc).incident(&s.incident).test(&s.test).help(
                    "remove the entry once the change that retired the test has landed, or fix the test identity",
                ),
            );
        }
    }
}
