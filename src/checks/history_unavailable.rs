//! Missing history is never a pass. A base that does not resolve or is not in
//! the clone, and a shallow clone hiding the commits behind closed action items or an
//! incident's fix commits, are errors that say exactly how to fetch what is missing.

use super::Context;
use crate::finding::{Finding, code};
use crate::git::{BaseState, EntryError, FixFiles, History, LogState, UNSHALLOW_FIX, item_ref};
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
        fix_commits(cx, h, out);
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
                .subject(&format!("action item {}", item.id))
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

/// Fix commits whose files cannot be read: a `fix_commits` entry a shallow clone does not
/// have, and a fix commit whose parent (or tree) is not here. Without them, changes to
/// the incident's code would go without a reminder.
fn fix_commits(cx: &Context, h: &History, out: &mut Vec<Finding>) {
    for e in h.fix_entries.iter().filter(|e| h.shallow && e.resolved == Err(EntryError::NotFound)) {
        out.push(
            Finding::new(
                Rule::HistoryUnavailable,
                format!("fix commit {} of {} is not in this shallow clone", code(&e.entry), e.incident),
            )
            .at(&e.loc)
            .incident(&e.incident)
            .help(UNSHALLOW_FIX),
        );
    }
    for pm in cx.model.incidents() {
        for sha in crate::incident_code::fix_commits(pm, h) {
            let Some(FixFiles::Unavailable(why)) = h.fixes.get(&sha) else { continue };
            let entry = h.fix_entries_of(&pm.id).find(|e| e.resolved.as_ref() == Ok(&sha));
            let fix = if h.shallow { UNSHALLOW_FIX } else { "check the repository with `git fsck`" };
            out.push(
                Finding::new(
                    Rule::HistoryUnavailable,
                    format!(
                        "cannot tell which files fix commit {} of {} changed: {why}",
                        code(crate::git::short_sha(&sha)),
                        pm.id
                    ),
                )
                .at(entry.map_or(&pm.loc, |e| &e.loc))
                .incident(&pm.id)
                .help(fix),
            );
        }
    }
}
