//! Institutional memory where the reviewer looks: a change to a file that belongs to an
//! incident (see `incident_code`) is met with the incident, why the file belongs to it,
//! and the tests that guard it, so that whoever changes the code next learns what it
//! did once before merging. One note per incident and file.

use super::Context;
use crate::finding::{Finding, code, prose};
use crate::git::BaseState;
use crate::incident_code::Source;
use crate::postmortem::{Postmortem, Status};
use crate::rules::Rule;

pub struct Check;

/// How many fix commits and tests a note names before it counts the rest.
const NAMED: usize = 3;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::TouchesIncidentCode
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let Some(h) = cx.model.history() else { return };
        // The change is what differs from the base: committed since, or not yet.
        let BaseState::Found { changed, .. } = &h.base else { return };
        for path in changed {
            for (i, sources) in cx.model.code.owners(path) {
                let pm = &cx.model.postmortems[i];
                // A draft's account of its code is still being written.
                if pm.status == Status::Draft {
                    continue;
                }
                let tests: Vec<String> = cx.model.tests_for(&pm.id).iter().map(|t| code(&t.id)).collect();
                let guarded = if tests.is_empty() {
                    "; no regression test is linked to it yet".to_owned()
                } else {
                    format!("; the regression tests that guard it: {}", listed(&tests, NAMED))
                };
                out.push(
                    Finding::new(
                        Rule::TouchesIncidentCode,
                        format!("this change touches code of incident {}{}: {}", pm.id, about(pm), why(path, &sources)),
                    )
                    .in_file(path)
                    .incident(&pm.id)
                    .help(format!("before merging, read what {} found{guarded}", prose(&pm.path))),
                );
            }
        }
    }
}

/// ` (title; SEV1, 2026-03-14)`: what a reviewer needs to place the incident.
fn about(pm: &Postmortem) -> String {
    let facts: Vec<String> = pm.severity.iter().map(|s| prose(s)).chain(pm.date.map(|d| d.to_string())).collect();
    match (pm.title.is_empty(), facts.is_empty()) {
        (true, true) => String::new(),
        (true, false) => format!(" ({})", facts.join(", ")),
        (false, true) => format!(" ({})", prose(&pm.title)),
        (false, false) => format!(" ({}; {})", prose(&pm.title), facts.join(", ")),
    }
}

/// Why `path` belongs to the incident, in words.
fn why(path: &str, sources: &[Source]) -> String {
    let patterns: Vec<String> = sources
        .iter()
        .filter_map(|s| match s {
            Source::Listed(p) => Some(code(p)),
            Source::Fixed { .. } => None,
        })
        .collect();
    let commits: Vec<String> = sources
        .iter()
        .filter_map(|s| match s {
            Source::Fixed { commit, was } => Some(match was {
                Some(was) => format!("{} (as {})", code(crate::git::short_sha(commit)), prose(was)),
                None => code(crate::git::short_sha(commit)),
            }),
            Source::Listed(_) => None,
        })
        .collect();
    let listed_in =
        (!patterns.is_empty()).then(|| format!("is listed in its postmortem's `paths` ({})", listed(&patterns, NAMED)));
    let fixed_by = match commits.len() {
        0 => None,
        1 => Some(format!("was changed by its fix commit {}", commits[0])),
        _ => Some(format!("was changed by its fix commits {}", listed(&commits, NAMED))),
    };
    let parts: Vec<String> = listed_in.into_iter().chain(fixed_by).collect();
    format!("{} {}", prose(path), parts.join(" and "))
}

/// `a`, `a and b`, `a, b and c`, `a, b, c and 2 more`.
fn listed(items: &[String], named: usize) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n if n <= named => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
        n => format!("{} and {} more", items[..named].join(", "), n - named),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_prose() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(listed(&items[..1], 3), "a");
        assert_eq!(listed(&items[..2], 3), "a and b");
        assert_eq!(listed(&items[..3], 3), "a, b and c");
        assert_eq!(listed(&items, 3), "a, b, c and 2 more");
    }

    #[test]
    fn why_names_the_pattern_and_each_fix_commit_with_its_old_path() {
        let sha = "3f9c2a7e1b2c4d5e6f708192a3b4c5d6e7f80912".to_owned();
        let sources = [
            Source::Listed("src/db/**".into()),
            Source::Fixed { commit: sha.clone(), was: Some("src/pool.rs".into()) },
        ];
        assert_eq!(
            why("src/db/pool.rs", &sources),
            "src/db/pool.rs is listed in its postmortem's `paths` (`src/db/**`) and was changed by its fix commit `3f9c2a7e1b2c` (as src/pool.rs)"
        );
        assert_eq!(
            why("a.rs", &[Source::Fixed { commit: sha.clone(), was: None }, Source::Fixed { commit: sha, was: None }]),
            "a.rs was changed by its fix commits `3f9c2a7e1b2c` and `3f9c2a7e1b2c`"
        );
    }
}
