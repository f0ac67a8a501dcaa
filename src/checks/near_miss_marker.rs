//! A comment on a test that names a known incident without being a marker
//! (`// incidents: INC-1`, `# INC-1 regression`) was meant to link it, and links
//! nothing: say so where it stands, not only as a missing test far away.

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::NearMissMarker
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let word = cx.config.markers.first().map_or("incident", String::as_str);
        for file in &cx.model.sources.files {
            for miss in &file.near_misses {
                // Already linked to that incident by a real marker: the comment is prose.
                let linked =
                    file.tests.iter().any(|t| t.id == miss.test && t.links.iter().any(|l| l.incident == miss.incident));
                if linked {
                    continue;
                }
                let sigil = crate::scan::comment_sigil(&miss.loc.path);
                out.push(
                    Finding::new(
                        Rule::NearMissMarker,
                        format!(
                            "this comment names {} on test {} but is not a marker, so it links nothing",
                            code(&miss.incident),
                            code(&miss.test)
                        ),
                    )
                    .at(&miss.loc)
                    .incident(&miss.incident)
                    .test(&miss.test)
                    .help(format!("did you mean {}?", code(&format!("{sigil} {word}: {}", miss.incident)))),
                );
            }
        }
    }
}
