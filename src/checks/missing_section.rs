//! A postmortem without its core sections cannot be understood by someone who was not
//! there. Required headings are configurable (`required_sections`).

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;

pub struct Check;

/// The headings of a Markdown text (any level), outside fenced code blocks.
pub fn headings(text: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let hashes = t.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
            out.push(t[hashes..].trim().trim_end_matches('#').trim().to_lowercase());
        }
    }
    out
}

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::MissingSection
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for pm in cx.model.incidents().filter(|p| super::is_held_to_lints(p)) {
            if pm.path.to_ascii_lowercase().ends_with(".toml") {
                continue; // a plain TOML postmortem has no narrative
            }
            let present = headings(&pm.body);
            let missing: Vec<&str> = cx
                .config
                .required_sections
                .iter()
                .filter(|s| !present.iter().any(|h| h == &s.to_lowercase()))
                .map(String::as_str)
                .collect();
            if missing.is_empty() {
                continue;
            }
            let list = missing.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ");
            out.push(
                Finding::new(Rule::MissingSection, format!("postmortem {} has no {list} section", pm.id))
                    .at(&pm.loc)
                    .incident(&pm.id)
                    .help(format!("add a heading for each, e.g. {}", code(&format!("## {}", missing[0])))),
            );
        }
    }
}
