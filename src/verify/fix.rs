//! Which commit is an incident's fix, for running its tests without and with it. In
//! order: the postmortem's `fix_commits` (resolved as for the incident's code, see
//! `incident_code`); else the commits that are evidence for its closed `prevent` action
//! items (the change that prevents a recurrence is the fix); else, for each test, a commit
//! looked up in the history (see `lookup`). Evidence that is listed but does not resolve
//! (a shallow clone, a wrong SHA) makes the incident `unverifiable` there and then, where
//! `check` reports `history-unavailable`: never a fallback to a guess, which would verify
//! the test against a commit that is not the fix. Each choice says which it is and why,
//! and an incident with none says how to name its fix. Pure: the history and the lookups
//! are handed in.

use crate::git::{EntryError, History};
use crate::postmortem::{ItemStatus, Postmortem};
use crate::proof::short;

/// Where a fix commit was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    FixCommits,
    PreventItems,
    MarkerCommit,
    /// The commit that introduced the test's text, with code changes beside it.
    TestCommit,
}

/// The fix commits chosen for a test, oldest first, and why them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Choice {
    /// Full SHAs, oldest first: the test runs without the fix at the first one's parent,
    /// and with it at the last one.
    pub commits: Vec<String>,
    pub source: Source,
    /// In words: "fix_commits in the postmortem", "evidence for the closed prevent action
    /// item INC-1#A1", "the commit that added the marker".
    pub reason: String,
}

/// Why no fix commit was found, and how to name one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unverifiable {
    pub why: String,
    pub help: String,
}

/// How to make an incident verifiable, in the words of every place that says so.
pub fn naming_help(incident: &str) -> String {
    format!(
        "name the fix in the postmortem with `fix_commits = [\"<sha>\"]`, or close a `kind = \"prevent\"` action item with the fix's commit as its evidence (`{incident}#A1` in its message, or the item's `commits`)"
    )
}

/// The incident-level choice: `fix_commits`, else the closed prevent items' evidence.
/// `None` when neither names a commit (then each test's marker commit is looked for);
/// an error when `fix_commits` is written but none of it resolves. `time` gives a
/// commit's time, for ordering.
pub fn for_incident(
    pm: &Postmortem,
    history: &History,
    evidence: &dyn Fn(&str, &str) -> Vec<String>,
    time: &dyn Fn(&str) -> i64,
) -> Result<Option<Choice>, Unverifiable> {
    if !pm.fix_commits.is_empty() {
        let entries: Vec<_> = history.fix_entries_of(&pm.id).collect();
        if let Some(bad) = entries.iter().find(|e| e.resolved.is_err()) {
            return Err(unresolved(history, &format!("fix commit `{}` of {}", bad.entry, pm.id), &bad.resolved));
        }
        let commits: Vec<String> = entries.iter().filter_map(|e| e.resolved.clone().ok()).collect();
        if commits.is_empty() {
            return Err(Unverifiable {
                why: format!("`fix_commits` of {} lists no commit that could be read", pm.id),
                help: naming_help(&pm.id),
            });
        }
        return Ok(Some(Choice {
            commits: ordered(commits, time),
            source: Source::FixCommits,
            reason: "`fix_commits` in the postmortem".to_owned(),
        }));
    }
    for item in
        pm.action_items.iter().filter(|a| a.status == ItemStatus::Closed && a.kind.as_deref() == Some("prevent"))
    {
        let what = crate::git::item_ref(&pm.id, &item.id);
        if let Some(bad) = history.entries_of(&pm.id, &item.id).find(|e| e.resolved.is_err()) {
            return Err(unresolved(history, &format!("commit `{}` listed for {what}", bad.entry), &bad.resolved));
        }
        if history.shallow && evidence(&pm.id, &item.id).is_empty() {
            return Err(Unverifiable {
                why: format!(
                    "the clone is shallow, so the commit of the closed prevent action item {what} (its fix) may not be here"
                ),
                help: crate::git::UNSHALLOW_FIX.to_owned(),
            });
        }
    }
    let mut commits = Vec::new();
    let mut items = Vec::new();
    for item in
        pm.action_items.iter().filter(|a| a.status == ItemStatus::Closed && a.kind.as_deref() == Some("prevent"))
    {
        let found = evidence(&pm.id, &item.id);
        if !found.is_empty() {
            items.push(format!("{}#{}", pm.id, item.id));
            commits.extend(found);
        }
    }
    if commits.is_empty() {
        return Ok(None);
    }
    let reason = if items.len() == 1 {
        format!("the evidence for the closed prevent action item {}", items[0])
    } else {
        format!("the evidence for the closed prevent action items {}", items.join(", "))
    };
    Ok(Some(Choice { commits: ordered(commits, time), source: Source::PreventItems, reason }))
}

/// Why listed evidence (`what`) that does not resolve leaves the incident unverifiable.
fn unresolved(history: &History, what: &str, error: &Result<String, EntryError>) -> Unverifiable {
    let (why, help) = match error {
        Err(EntryError::NotFound) if history.shallow => {
            (format!("{what} is not in this shallow clone"), crate::git::UNSHALLOW_FIX.to_owned())
        }
        Err(EntryError::Ambiguous) => (format!("{what} is ambiguous"), "give more of its hex digits".to_owned()),
        Err(EntryError::NotACommit) => (
            format!("{what} is not a commit"),
            "name a commit: its SHA, a unique prefix of at least 4 hex digits, or a tag".to_owned(),
        ),
        _ => (
            format!("{what} does not resolve to a commit of this clone"),
            format!(
                "correct the entry (a SHA, a unique prefix of at least 4 hex digits, or a tag); if it lives elsewhere, fetch it; in a shallow clone, {}",
                crate::git::UNSHALLOW_FIX
            ),
        ),
    };
    Unverifiable { why: format!("{why}: the test is not verified against a guess"), help }
}

/// Unique, oldest first (by commit time, then SHA).
fn ordered(mut commits: Vec<String>, time: &dyn Fn(&str) -> i64) -> Vec<String> {
    commits.sort();
    commits.dedup();
    commits.sort_by_cached_key(|c| (time(c), c.clone()));
    commits
}

impl Choice {
    /// The commit the test runs with: the last fix commit.
    pub fn last(&self) -> &str {
        self.commits.last().map_or("", String::as_str)
    }

    /// The commit whose parent the test runs without the fix at.
    pub fn first(&self) -> &str {
        self.commits.first().map_or("", String::as_str)
    }

    /// "a1b2c3d (`fix_commits` in the postmortem)", for reports.
    pub fn describe(&self) -> String {
        let shas: Vec<&str> = self.commits.iter().map(|c| short(c)).collect();
        format!("{} ({})", shas.join(", "), self.reason)
    }
}
