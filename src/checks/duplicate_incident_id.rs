//! Two postmortems with one ID make every link to it ambiguous.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::DuplicateIncidentId
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let pms = &cx.model.postmortems;
        for (i, pm) in pms.iter().enumerate() {
            if let Some(first) = pms[..i].iter().find(|p| p.id == pm.id) {
                out.push(
                    Finding::new(
                        Rule::DuplicateIncidentId,
                        format!("incident ID {} is already used by {}", pm.id, first.path),
                    )
                    .at(&pm.loc)
                    .incident(&pm.id)
                    .help("give this postmortem the next free ID"),
                );
            }
        }
    }
}
