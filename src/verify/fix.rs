//! Which commit is an incident's fix, for running its tests without and with it. In
//! order: the postmortem's `fix_commits` (resolved as for the incident's code, see
//! `incident_code`); else the commits that are evidence for its closed `prevent` action
//! items (the change that prevents a recurrence is the fix); else, for each test, the
//! commit that added the incident's ID to the test's file, since a regression test
//! usually lands with its fix. Each choice says which it is and why, and an incident with
//! none says how to name its fix. Pure: the history and the lookups are handed in.

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
        let entries: Vec<_> = history.fix_entries.iter().filter(|e| e.incident == pm.id).collect();
        let commits: Vec<String> = entries.iter().filter_map(|e| e.resolved.clone().ok()).collect();
        if commits.is_empty() {
            let first = entries.first();
            let why = match first.map(|e| &e.resolved) {
                Some(Err(EntryError::Ambiguous)) => "is ambiguous",
                Some(Err(EntryError::NotACommit)) => "is not a commit",
                _ => "does not resolve to a commit of this clone",
            };
            return Err(Unverifiable {
                why: format!(
                    "`fix_commits` of {}: {} {why}",
                    pm.id,
                    first.map_or_else(String::new, |e| format!("`{}`", e.entry))
                ),
                help: format!(
                    "correct the entry (a SHA, a unique prefix of at least 4 hex digits, or a tag); in a shallow clone, {}",
                    crate::git::UNSHALLOW_FIX
                ),
            });
        }
        return Ok(Some(Choice {
            commits: ordered(commits, time),
            source: Source::FixCommits,
            reason: "`fix_commits` in the postmortem".to_owned(),
        }));
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

/// The last resort for one test: the commit that added the incident's ID to its file.
pub fn marker_commit(pm_id: &str, file: &str, commit: Option<String>) -> Result<Choice, Unverifiable> {
    let file = crate::finding::code(file);
    match commit {
        Some(sha) => Ok(Choice {
            reason: format!(
                "the commit that added the marker naming {pm_id} to {file} (no `fix_commits`, no closed prevent item with a commit): the test usually lands with its fix"
            ),
            commits: vec![sha],
            source: Source::MarkerCommit,
        }),
        None => Err(Unverifiable {
            why: format!(
                "{pm_id} names no fix commit, and no commit added its marker to {file} (is the test committed?)"
            ),
            help: naming_help(pm_id),
        }),
    }
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
