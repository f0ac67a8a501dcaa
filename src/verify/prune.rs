//! `incident-guard verify --prune`: drops the entries of `verified.lock` whose link no
//! longer exists (its incident has no postmortem, its test is gone, or the test no longer
//! names the incident), so that the lock file keeps only proofs `check` can still use.
//! A second entry of the same link, which `check` never reads, goes too. A proof of a
//! test that was only edited is kept: it is stale, and `check` says so. Where
//! the scanner could not read the test's file (too large, does not parse, unreadable), the
//! entry is kept too: whether its test exists is not known.
//!
//! The lock file is rewritten as `verify --record` writes it (see `proof::write_replacing`:
//! a new file renamed over the old one, never written through a link), and only when an
//! entry is dropped; `--dry-run` writes nothing.

use crate::model::Model;
use crate::proof::{self, Lock};
use anyhow::{Context as _, Result};
use serde::Serialize;

pub const JSON_VERSION: u32 = 1;

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub analysis: crate::Options,
    /// Say what would be dropped, and write nothing.
    pub dry_run: bool,
}

/// One entry of the lock file that is dropped, or kept for want of knowing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub incident: String,
    pub test: String,
    /// The proof's outcome, as the lock file has it.
    pub outcome: &'static str,
    /// Why, in a few words.
    pub reason: String,
}

/// What `verify --prune` did.
#[derive(Debug, Serialize)]
pub struct Report {
    pub version: u32,
    /// The lock file, relative to the repository root.
    pub lock: String,
    /// Whether there is a lock file at all.
    pub exists: bool,
    /// The entries dropped (with `--dry-run`: that would be).
    pub dropped: Vec<Entry>,
    /// Entries kept although their link was not found, because their test's file could
    /// not be read.
    pub undecided: Vec<Entry>,
    /// How many entries are left.
    pub kept: usize,
    pub dry_run: bool,
    /// Whether the lock file was rewritten.
    pub written: bool,
}

/// Runs `verify --prune`.
pub fn run(opts: &Options) -> Result<Report> {
    let analysis = crate::analyze(&opts.analysis)?;
    let model = &analysis.model;
    let rel = format!("{}/{}", analysis.config.postmortems.trim_end_matches('/'), proof::FILE_NAME);
    let path = model.root.join(&rel);
    let exists = std::fs::symlink_metadata(&path).is_ok();
    // The analysis has read it already; read again here so that what is rewritten is
    // what is on disk now, with the same checks (a regular file, the right version).
    let lock = Lock::read(&path, &rel)?;
    let (keep, dropped, undecided) = sort_out(&lock, model);
    let mut report = Report {
        version: JSON_VERSION,
        lock: rel.clone(),
        exists,
        kept: keep.proofs.len(),
        dropped,
        undecided,
        dry_run: opts.dry_run,
        written: false,
    };
    if !report.dropped.is_empty() && !opts.dry_run {
        let dir = path.parent().context("the lock file has no directory")?;
        proof::write_replacing(dir, proof::FILE_NAME, keep.render().as_bytes())
            .with_context(|| format!("cannot write {rel}"))?;
        report.written = true;
    }
    Ok(report)
}

/// The lock without the entries whose link is gone; those entries; and the entries kept
/// because their test's file could not be read.
fn sort_out(lock: &Lock, model: &Model) -> (Lock, Vec<Entry>, Vec<Entry>) {
    let mut keep = Lock::default();
    let mut dropped = Vec::new();
    let mut undecided = Vec::new();
    for p in &lock.proofs {
        let entry = |reason: String| Entry {
            incident: p.incident.clone(),
            test: p.test.clone(),
            outcome: p.outcome.as_str(),
            reason,
        };
        // `check` reads the first entry of a link; another (left by a merge that took
        // both sides) is never read.
        if keep.find(&p.incident, &p.test).is_some() {
            dropped.push(entry("a second entry for this link (`check` reads only the first)".to_owned()));
            continue;
        }
        match gone(model, &p.incident, &p.test) {
            Gone::No => keep.proofs.push(p.clone()),
            Gone::Unknown(why) => {
                undecided.push(entry(why));
                keep.proofs.push(p.clone());
            }
            Gone::Yes(why) => dropped.push(entry(why)),
        }
    }
    (keep, dropped, undecided)
}

enum Gone {
    No,
    Yes(String),
    /// The test's file was not read, so it is not known.
    Unknown(String),
}

/// Whether the link (`incident`, `test`) is gone from the repository as `check` sees it.
fn gone(model: &Model, incident: &str, test: &str) -> Gone {
    if model.incident(incident).is_none() {
        return Gone::Yes(format!("no postmortem has the incident ID {incident} any more"));
    }
    if model.tests_for(incident).iter().any(|t| t.id == test) {
        return Gone::No;
    }
    let file = test_file(test);
    let code = crate::finding::code(file);
    // A file the scanner could not read whole: its tests are not known.
    let unread = model.sources.unreadable.iter().chain(&model.sources.skipped).any(|u| u.loc.path == file)
        || model.sources.files.iter().any(|f| f.path == file && f.unparsable.is_some());
    if unread {
        return Gone::Unknown(format!("{code} could not be read whole, so whether the test is there is not known"));
    }
    if !model.root.join(file).exists() {
        return Gone::Yes(format!("{code} no longer exists"));
    }
    let elsewhere = model.linked_tests().any(|t| t.id == test)
        || model.sources.files.iter().filter(|f| f.path == file).flat_map(|f| &f.tests).any(|t| t.id == test);
    if elsewhere {
        Gone::Yes(format!("the test no longer names {incident}"))
    } else {
        Gone::Yes(format!("{code} has no test with this identity linked to {incident}"))
    }
}

/// The file part of a test's identity (`PATH::MODULES::NAME`).
fn test_file(test: &str) -> &str {
    test.split_once("::").map_or(test, |(file, _)| file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_of_a_test_is_its_identity_up_to_the_first_separator() {
        assert_eq!(test_file("tests/a.rs::m::t"), "tests/a.rs");
        assert_eq!(test_file("test_x.py::TestA::test_b"), "test_x.py");
        assert_eq!(test_file("no-separator"), "no-separator");
    }
}
