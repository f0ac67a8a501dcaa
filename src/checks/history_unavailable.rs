//! Missing history is never a pass. A base that does not resolve or is not in
//! the clone, and a shallow clone hiding the commits behind closed action items, are
//! errors that say exactly how to fetch what is missing.

use super::Context;
use crate::finding::{Finding, code};
use crate::git::{BaseState, EntryError, LogState, UNSHALLOW_FIX, item_ref};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::HistoryUnavailable
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        if let crate::git::Git::Unreadable(why) = &cx.model.git {
            for rule in [Rule::LinkedTestRemoved, Rule::ActionItemWithoutCommit] {
                out.push(Finding::new(Rule::HistoryUnavailable, format!("{rule} cannot run: {why}")).help(
                    "repair the repository (`git fsck`), or pass --no-git to skip the history checks deliberately",
                ));
            }
        }
        let Some(h) = cx.model.history() else { return };
        if let BaseState::Unavailable { message, fix } = &h.base {
            out.push(
                Finding::new(Rule::HistoryUnavailable, format!("{} cannot run: {message}", Rule::LinkedTestRemoved))
                    .help(fix.clone()),
            );
        }
        let (why, fix) = match &h.log {
            LogState::Complete => return,
            LogState::Shallow => (
                "the clone is shallow, so the commit that implements it may not be here".to_owned(),
                UNSHALLOW_FIX.to_owned(),
            ),
            LogState::Failed(e) => {
                (format!("the history could not be read ({e})"), "check the repository with `git fsck`".to_owned())
            }
        };
        for (pm, item) in cx.model.closed_items_without_evidence() {
            out.push(
                Finding::new(
                    Rule::HistoryUnavailable,
                    format!(
                        "cannot tell whether closed action item {} has a commit: {why}",
                        item_ref(&pm.id, &item.id)
                    ),
                )
                .at(&item.loc)
                .incident(&pm.id)
                .help(fix.clone()),
            );
        }
        for e in h.commit_entries.iter().filter(|e| h.shallow && e.resolved == Err(EntryError::NotFound)) {
            out.push(
                Finding::new(
                    Rule::HistoryUnavailable,
                    format!(
                        "commit {} listed for {} is not in this shallow clone",
                        code(&e.entry),
                        item_ref(&e.incident, &e.item)
                    ),
                )
                .at(&e.loc)
                .incident(&e.incident)
                .help(UNSHALLOW_FIX),
            );
        }
    }
}
