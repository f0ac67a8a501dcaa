//! A marker naming an ID no postmortem has links nothing: usually a typo, or a
//! postmortem that was never merged.

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;
use crate::scan::Link;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::UnknownIncident
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let model = cx.model;
        // One finding per ID in a marker, however many tests the marker links (a file's
        // `//!` marker links them all).
        let mut seen = std::collections::HashSet::new();
        // Suggestions compare an unknown ID with every known one: past this many
        // comparisons in a run (100,000 unknown IDs against 40,000 postmortems would be
        // 4 × 10⁹), the rest are reported without one.
        let mut budget: usize = 20_000_000;
        let known = model.postmortems.len().max(1);
        let mut report = |link: &Link, test: Option<&str>, out: &mut Vec<Finding>| {
            if !seen.insert((link.loc.clone(), link.incident.clone())) {
                return;
            }
            // A postmortem with this ID exists but is broken: its own error is the one
            // to fix, at its line.
            let broken = model.postmortem_problems.iter().any(|p| p.incident.as_deref() == Some(&link.incident));
            if model.incident(&link.incident).is_some() || broken {
                return;
            }
            let mut f = Finding::new(
                Rule::UnknownIncident,
                format!("marker names {}, which no postmortem has", code(&link.incident)),
            )
            .at(&link.loc)
            .incident(&link.incident);
            let near = if budget >= known {
                budget -= known;
                crate::suggest::closest(&link.incident, model.incident_ids())
            } else {
                None
            };
            f = match near {
                Some(near) => f.help(format!("did you mean {}?", code(near))),
                None => f.help(format!(
                    "add a postmortem with {} under {}",
                    code(&format!("id = \"{}\"", link.incident)),
                    code(&format!("{}/", cx.config.postmortems))
                )),
            };
            if let Some(t) = test {
                f = f.test(t);
            }
            out.push(f);
        };
        for file in &model.sources.files {
            for test in &file.tests {
                for link in &test.links {
                    report(link, Some(&test.id), out);
                }
            }
            for stray in &file.stray {
                for link in &stray.ids {
                    report(link, None, out);
                }
            }
        }
    }
}
