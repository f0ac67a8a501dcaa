//! A postmortem that says where the incident's code is must point at something: a
//! `paths` pattern that matches no file, or a fix commit that does not resolve, silently
//! keeps `touches-incident-code` from ever speaking about that code.

use super::Context;
use crate::finding::{Finding, code};
use crate::git::EntryError;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::IncidentCodeNotFound
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for u in &cx.model.code.unmatched {
            out.push(
                Finding::new(
                    Rule::IncidentCodeNotFound,
                    format!("{} in `paths` of {} matches no file at HEAD", code(&u.pattern), u.incident),
                )
                .at(&u.loc)
                .incident(&u.incident)
                .help("correct the pattern (a path or glob relative to the repository root), or remove it if the code is gone"),
            );
        }
        let Some(history) = cx.model.history() else { return };
        for e in &history.fix_entries {
            let why = match &e.resolved {
                Ok(_) => continue,
                // Beyond a shallow boundary it may exist: history-unavailable says so.
                Err(EntryError::NotFound) if history.shallow => continue,
                Err(EntryError::NotFound) => "no such commit or ref in this repository",
                Err(EntryError::Ambiguous) => "the prefix is ambiguous; give more digits",
                Err(EntryError::NotACommit) => "it names an object that is not a commit",
            };
            out.push(
                Finding::new(
                    Rule::IncidentCodeNotFound,
                    format!("fix commit {} of {} does not resolve: {why}", code(&e.entry), e.incident),
                )
                .at(&e.loc)
                .incident(&e.incident)
                .help("give the fixing commit's SHA (or a unique prefix of at least 4 hex digits, or a tag), or remove the entry"),
            );
        }
    }
}
