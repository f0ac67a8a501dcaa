//! Every incident held to the rule keeps at least one linked test.

use super::Context;
use crate::finding::{Finding, code};
use crate::postmortem::{Postmortem, Status};
use crate::rules::Rule;

pub struct Check;

/// Whether the rule applies to this postmortem at all.
pub fn is_held(pm: &Postmortem, require_tests_for: Option<&[String]>) -> bool {
    pm.status != Status::Draft
        && pm.test_waiver.is_none()
        && require_tests_for
            .is_none_or(|sevs| pm.severity.as_ref().is_some_and(|s| sevs.iter().any(|x| x.eq_ignore_ascii_case(s))))
}

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::MissingRegressionTest
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for pm in cx.model.incidents() {
            if !is_held(pm, cx.config.held_severities().as_deref()) || !cx.model.tests_for(&pm.id).is_empty() {
                continue;
            }
            let marker = cx.config.markers.first().map_or("incident", String::as_str);
            out.push(
                Finding::new(Rule::MissingRegressionTest, format!("incident {} ({}) has no regression test", pm.id, pm.title))
                    .at(&pm.loc)
                    .incident(&pm.id)
                    .subject("no regression test")
                    .help(format!(
                        "write a test that would have caught it and put {} above it, or set `test_waiver` saying why no test is possible",
                        code(&format!("// {marker}: {}", pm.id))
                    )),
            );
        }
    }
}
