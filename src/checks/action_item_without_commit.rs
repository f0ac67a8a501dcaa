//! A closed action item needs a commit behind it — one whose message names
//! `INCIDENT#ITEM`, or one listed in its `commits`. A listed commit that does not resolve
//! is its own finding.

use super::Context;
use crate::finding::{Finding, code};
use crate::git::{EntryError, LogState, item_ref};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::ActionItemWithoutCommit
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let Some(history) = cx.model.history() else { return };
        for e in &history.commit_entries {
            let why = match &e.resolved {
                Ok(_) => continue,
                // Beyond a shallow boundary it may exist: history-unavailable says so.
                Err(EntryError::NotFound) if history.shallow => continue,
                Err(EntryError::NotFound) => "no such commit in this repository",
                Err(EntryError::Ambiguous) => "the prefix is ambiguous; give more digits",
                Err(EntryError::NotACommit) => "it names an object that is not a commit",
            };
            out.push(
                Finding::new(
                    Rule::ActionItemWithoutCommit,
                    format!(
                        "commit {} listed for {} does not resolve: {why}",
                        code(&e.entry),
                        item_ref(&e.incident, &e.item)
                    ),
                )
                .at(&e.loc)
                .incident(&e.incident)
                .subject(&format!("commit {} of action item {}", e.entry, e.item)),
            );
        }
        if history.log != LogState::Complete {
            return; // the evidence may exist beyond what was seen: history-unavailable reports it
        }
        for (pm, item) in cx.model.closed_items_without_evidence() {
            let r = item_ref(&pm.id, &item.id);
            out.push(
                Finding::new(Rule::ActionItemWithoutCommit, format!("action item {r} ({}) is closed, but no commit implements it", item.title))
                    // At its `status = "closed"`: the line a reviewer sees the item
                    // closed on.
                    .at(item.status_loc.as_ref().unwrap_or(&item.loc))
                    .subject(&format!("action item {}", item.id))
                    .incident(&pm.id)
                    .help(format!(
                        "mention `{r}` in the message of the commit that implements it (e.g. a trailer `Postmortem-Action: {r}`), or list the commit in its `commits`"
                    )),
            );
        }
    }
}
