//! A marker that names no ID, or a token that cannot be an ID (`INC#1`), was meant to
//! link a test and does not: saying nothing would leave the incident unguarded. One
//! finding per marker line, however many bad tokens it holds: a line of prose after a
//! marker is one mistake, not one per word (and 20,000 tokens made 20,000 findings).

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;
use crate::scan::BadMarker;
use std::collections::BTreeMap;

/// Bad tokens named in a finding; the rest are counted.
const SHOWN: usize = 3;
/// Characters of a bad token quoted in a message; a longer one is cut with `…`.
const TOKEN_CHARS: usize = 40;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::InvalidMarker
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for file in &cx.model.sources.files {
            let mut by_line: BTreeMap<usize, Vec<&BadMarker>> = BTreeMap::new();
            for bad in &file.bad_markers {
                by_line.entry(bad.loc.line).or_default().push(bad);
            }
            for mut bad in by_line.into_values() {
                bad.sort_by_key(|b| b.loc.column);
                out.push(finding(&bad).at(&bad[0].loc));
            }
        }
    }
}

/// The finding for the bad tokens of one marker line (`bad` is not empty).
fn finding(bad: &[&BadMarker]) -> Finding {
    let help = "a marker takes incident IDs (letters, digits, `.`, `_` and `-`) separated by commas or spaces; put prose on another line";
    if let Some(prose) = bad.iter().find(|b| b.prose) {
        return Finding::new(
            Rule::InvalidMarker,
            format!("the marker is followed by prose where incident IDs belong: {}", quote(&prose.token)),
        )
        .help("a marker takes only incident IDs, separated by commas or spaces; put prose after ` -- ` (`// incident: INC-1 -- why`) or on another line");
    }
    match bad {
        [one] if one.token.is_empty() => Finding::new(Rule::InvalidMarker, "marker names no incident ID")
            .help("write the ID after the marker, e.g. `// incident: INC-2024-017`"),
        [one] => Finding::new(Rule::InvalidMarker, format!("{} is not an incident ID", quote(&one.token))).help(help),
        many => {
            let shown: Vec<String> =
                many.iter().filter(|b| !b.token.is_empty()).take(SHOWN).map(|b| quote(&b.token)).collect();
            let more = many.len().saturating_sub(shown.len());
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            Finding::new(
                Rule::InvalidMarker,
                format!("{} tokens of this marker are not incident IDs: {}{more}", many.len(), shown.join(", ")),
            )
            .help(help)
        }
    }
}

fn quote(token: &str) -> String {
    match token.char_indices().nth(TOKEN_CHARS) {
        Some((cut, _)) => code(&format!("{}…", &token[..cut])),
        None => code(token),
    }
}
