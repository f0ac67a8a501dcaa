//! Blaming language in a postmortem's narrative stops the analysis at a person. The
//! phrase list is maintained here; `incident-guard explain blame-language` says why.

use super::Context;
use crate::finding::{Finding, Location};
use crate::rules::Rule;

pub struct Check;

/// Phrases that assign blame, matched case-insensitively as whole words.
const PHRASES: &[&str] = &[
    "human error",
    "engineer error",
    "operator error",
    "developer error",
    "should have known",
    "should have caught",
    "should have noticed",
    "careless",
    "carelessness",
    "carelessly",
    "negligence",
    "negligent",
    "fault of",
    "at fault",
    "to blame",
    "was blamed",
    "sloppy",
    "incompetent",
    "incompetence",
    "lazy",
    "stupid",
    "dumb mistake",
];

/// Every blaming phrase in `text` (whose first line is `first_line` of `path`).
pub fn find(path: &str, text: &str, first_line: usize) -> Vec<(Location, &'static str)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        for phrase in PHRASES {
            let mut from = 0;
            while let Some(at) = lower[from..].find(phrase) {
                let start = from + at;
                let end = start + phrase.len();
                let before = lower[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
                let after = lower[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
                if before && after {
                    let column = lower[..start].chars().count() + 1;
                    out.push((
                        Location { path: path.to_owned(), line: first_line + n, column, len: phrase.chars().count() },
                        *phrase,
                    ));
                }
                from = end;
            }
        }
    }
    out.sort_by_key(|(loc, _)| (loc.line, loc.column));
    out
}

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::BlameLanguage
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for pm in cx.model.incidents().filter(|p| super::is_held_to_lints(p)) {
            for (loc, phrase) in find(&pm.path, &pm.body, pm.body_line) {
                out.push(
                    Finding::new(Rule::BlameLanguage, format!("\"{phrase}\" blames a person instead of asking why the system allowed it"))
                        .at(&loc)
                        .incident(&pm.id)
                        .help("describe what happened and why it made sense at the time, then which defence should have caught it"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn finds_whole_phrases_with_positions() {
        let found = find(
            "p.md",
            "## Summary\nRoot cause: Human error during deploy.\nA blameless review; not careless-ly\n",
            10,
        );
        let got: Vec<(usize, usize, &str)> = found.iter().map(|(l, p)| (l.line, l.column, *p)).collect();
        assert_eq!(got, [(11, 13, "human error"), (12, 25, "careless")]);
        assert!(find("p.md", "blameless, carefully, faultless", 1).is_empty());
    }
}
