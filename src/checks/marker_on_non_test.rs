//! A marker that stands on something other than a test links nothing.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::MarkerOnNonTest
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for file in &cx.model.sources.files {
            for stray in &file.stray {
                let message = if stray.target.is_empty() {
                    "marker is not attached to a test".to_owned()
                } else {
                    format!("marker is on {}, which is not a test", stray.target)
                };
                let help = crate::scan::language_for(&stray.loc.path)
                    .map_or("put the marker on the comment lines directly above a test (no blank line between)", |l| {
                        l.marker_help()
                    });
                let mut f = Finding::new(Rule::MarkerOnNonTest, message).at(&stray.loc).help(help);
                if let [only] = stray.ids.as_slice() {
                    f = f.incident(&only.incident);
                }
                out.push(f);
            }
        }
    }
}
