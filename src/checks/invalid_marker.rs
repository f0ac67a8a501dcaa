//! A marker that names no ID, or a token that cannot be an ID (`INC#1`), was meant to
//! link a test and does not: saying nothing would leave the incident unguarded.

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::InvalidMarker
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for file in &cx.model.sources.files {
            for bad in &file.bad_markers {
                let f = if bad.token.is_empty() {
                    Finding::new(Rule::InvalidMarker, "marker names no incident ID")
                        .help("write the ID after the marker, e.g. `// incident: INC-2024-017`")
                } else {
                    Finding::new(Rule::InvalidMarker, format!("{} is not an incident ID", code(&bad.token))).help(
                        "IDs contain only letters, digits, `.`, `_` and `-`; separate several with commas or spaces, and keep prose on another line",
                    )
                };
                out.push(f.at(&bad.loc));
            }
        }
    }
}
