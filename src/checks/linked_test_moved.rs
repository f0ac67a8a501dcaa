//! A linked test renamed or moved keeps guarding its incident: say so, quietly.

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestMoved
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let Some(changes) = &cx.model.changes else { return };
        for m in &changes.moved {
            let same_file = m.from.rsplit_once("::").map(|(p, _)| p.split("::").next())
                == m.to.rsplit_once("::").map(|(p, _)| p.split("::").next());
            let how = if same_file { "renamed" } else { "moved" };
            out.push(
                Finding::new(
                    Rule::LinkedTestMoved,
                    format!(
                        "test {}, linked to {}, was {how} to {} ({:.0}% similar)",
                        code(&m.from),
                        m.incident,
                        code(&m.to),
                        m.similarity * 100.0
                    ),
                )
                .at(&m.to_loc)
                .incident(&m.incident)
                .test(&m.to),
            );
        }
    }
}
