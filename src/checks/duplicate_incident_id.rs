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
        let mut first_with: std::collections::HashMap<&str, &crate::postmortem::Postmortem> =
            std::collections::HashMap::new();
        for pm in pms {
            if let Some(first) = first_with.get(pm.id.as_str()).copied().or_else(|| {
                first_with.insert(&pm.id, pm);
                None
            }) {
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
