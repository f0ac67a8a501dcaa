//! The base revision's findings: what was already wrong before the change, so that the
//! report can tell the findings a change brings in (`new`) from those it finds there
//! (`unchanged`) and those it makes go away (`fixed`).
//!
//! The base is analysed from the object database, never checked out, with the base's
//! config and postmortems. Its sources are the head's scans of every file the change did
//! not touch and the base's own scans of those it did (which the history comparison read
//! already), so the cost is that of the changed files, not of a second run. Where the
//! change may alter how a runner builds or collects tests (it touches anything but the
//! postmortems), the runner's verdicts of the head are not carried over: the base's
//! tests are then judged by their source alone, and a finding the runner's reading gives
//! at HEAD counts as new. That errs toward `new`, never toward a quiet pass.

use crate::checks;
use crate::config::Config;
use crate::finding::{Baseline, Finding};
use crate::git::{BaseState, Git};
use crate::model::Model;
use crate::postmortem::{self, Loaded};
use crate::rules::Rule;
use crate::scan::Scanned;
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

/// What the base analysis found.
#[derive(Debug, Default)]
pub enum BaseFindings {
    /// No base was compared: every finding is new.
    #[default]
    NoBase,
    /// The base could not be analysed, for the reason given: every finding is new.
    Unreadable(String),
    /// The base revision's findings, each with its fingerprint.
    Found(Vec<Finding>),
}

/// Rules whose findings exist only through the comparison with the base, or through
/// this run's own inputs (its clone, its test results): new by nature, never matched
/// with a finding of the base.
pub fn new_by_nature(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::LinkedTestRemoved
            | Rule::LinkedTestMoved
            | Rule::ConfigWeakened
            | Rule::GuardChangeAccepted
            | Rule::StaleRetirement
            | Rule::HistorySkipped
            | Rule::HistoryUnavailable
            | Rule::TouchesIncidentCode
            | Rule::LinkedTestNotRun
            | Rule::LinkedTestFailed
            | Rule::LinkedTestSkippedAtRuntime
    )
}

/// Analyses the base revision `model`'s history found, with the base's config
/// (`config.base`; `base_problem` says why it could not be read, if it could not).
/// Borrows the head's history for the time of the base's checks (action items need its
/// evidence) and gives it back.
pub fn analyze(root: &Path, config: &Config, base_problem: Option<&str>, model: &mut Model) -> BaseFindings {
    let Some(history) = model.history() else { return BaseFindings::NoBase };
    let BaseState::Found { info, base_files, changed } = &history.base else { return BaseFindings::NoBase };
    if let Some(why) = base_problem {
        return BaseFindings::Unreadable(why.to_owned());
    }
    let Some(commit) = info.commit.clone() else {
        return BaseFindings::Unreadable("the base revision names no commit".to_owned());
    };
    let base_config = config.base.as_deref().cloned().unwrap_or_default();
    let changed: BTreeSet<String> = changed.clone();
    // The head's reading of a postmortem the change did not touch is the base's, when
    // both read postmortems alike (the same `id_pattern`).
    let same_reading =
        base_config.id_pattern.as_ref().map(|r| r.as_str()) == config.id_pattern.as_ref().map(|r| r.as_str());
    let reuse = same_reading.then_some(Head { model, changed: &changed });
    let loaded = match base_postmortems(root, &commit, &base_config, reuse) {
        Ok(loaded) => loaded,
        Err(why) => return BaseFindings::Unreadable(why),
    };
    let mut files: Vec<crate::scan::FileScan> =
        model.sources.files.iter().filter(|f| !changed.contains(&f.path)).cloned().collect();
    let dirs = [&config.postmortems, &base_config.postmortems].map(|d| format!("{}/", d.trim_end_matches('/')));
    // Only postmortems (and the proofs beside them) changed: the runners build what they
    // built, and their verdicts of the head hold at the base. A postmortem is a `.md` or
    // `.toml` file of the postmortems directory that no runner reads: not a manifest or
    // pytest config by its name, and none that cargo's module trees reach through
    // `include!("x.md")` or `#[path]` (an edit of such a file can stop a test compiling).
    let lock = format!("{}{}", dirs[1], crate::proof::FILE_NAME);
    let runner_names = ["Cargo.toml", "pyproject.toml", "pytest.toml"];
    let only_postmortems = |p: &str| {
        let name = p.rsplit('/').next().unwrap_or(p);
        dirs.iter().any(|d| p.starts_with(d.as_str()))
            && (p == lock || (postmortem::is_candidate(name) && !runner_names.contains(&name)))
            && !model.sources.rust_followed.contains(p)
    };
    let runners_unchanged = changed.iter().all(|p| only_postmortems(p));
    let not_run = if runners_unchanged {
        let kept: HashSet<&str> = files.iter().flat_map(|f| f.tests.iter().map(|t| t.id.as_str())).collect();
        model.not_run.iter().filter(|v| kept.contains(v.test.as_str())).cloned().collect()
    } else {
        for skips in &model.source_skips {
            if let Some(t) = files.iter_mut().flat_map(|f| f.tests.iter_mut()).find(|t| t.id == skips.test) {
                t.ignored = skips.ignored.clone();
                t.conditional_skip = skips.conditional_skip.clone();
            }
        }
        Vec::new()
    };
    files.extend(base_files.iter().cloned());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let outside = |u: &&crate::scan::Unparsable| !changed.contains(&u.loc.path);
    let sources = Scanned {
        files,
        unreadable: model.sources.unreadable.iter().filter(outside).cloned().collect(),
        skipped: model.sources.skipped.iter().filter(outside).cloned().collect(),
        files_seen: model.sources.files_seen,
        ..Scanned::default()
    };
    let proofs = if changed.contains(&lock) { crate::proof::Lock::default() } else { model.proofs.clone() };
    let git = std::mem::replace(&mut model.git, Git::Disabled);
    let mut base = Model::new(model.root.clone(), loaded, sources, model.today, git, Vec::new(), not_run);
    base.changes = None;
    base.proofs = proofs;
    let mut found = checks::run_all(&checks::Context { model: &base, config: &base_config });
    model.git = std::mem::replace(&mut base.git, Git::Disabled);
    found.retain(|f| !new_by_nature(f.rule));
    for f in &mut found {
        f.fingerprint = f.fingerprint();
    }
    BaseFindings::Found(found)
}

/// Sets every finding's fingerprint and baseline state, keeps one finding per
/// fingerprint (the first: findings come sorted, most severe first), and returns the
/// base's findings that are gone (`fixed`), and the note to add when the base could not
/// be analysed.
pub fn classify(findings: &mut Vec<Finding>, base: &BaseFindings) -> (Vec<Finding>, Option<String>) {
    let mut seen = HashSet::new();
    findings.retain_mut(|f| {
        f.fingerprint = f.fingerprint();
        seen.insert(f.fingerprint.clone())
    });
    let BaseFindings::Found(base) = base else {
        for f in findings.iter_mut() {
            f.baseline = Some(Baseline::New);
        }
        return match base {
            BaseFindings::Unreadable(why) => (Vec::new(), Some(why.clone())),
            _ => (Vec::new(), None),
        };
    };
    let before: HashSet<&str> = base.iter().map(|f| f.fingerprint.as_str()).collect();
    for f in findings.iter_mut() {
        let unchanged = !new_by_nature(f.rule) && before.contains(f.fingerprint.as_str());
        f.baseline = Some(if unchanged { Baseline::Unchanged } else { Baseline::New });
    }
    let mut gone = HashSet::new();
    let fixed = base
        .iter()
        .filter(|f| !seen.contains(&f.fingerprint) && gone.insert(f.fingerprint.clone()))
        .cloned()
        .map(|mut f| {
            f.baseline = None;
            f
        })
        .collect();
    (fixed, None)
}

/// The head's postmortems, for the files the change did not touch.
struct Head<'a> {
    model: &'a Model,
    changed: &'a BTreeSet<String>,
}

/// The base's postmortems, read from its tree: every candidate file under the base
/// config's postmortems directory, taken from the head's reading where the change did not
/// touch it (`head`) and parsed from the base's blob where it did. A file that holds no
/// readable postmortem makes the whole base unreadable (its incidents cannot be matched).
fn base_postmortems(root: &Path, commit: &str, config: &Config, head: Option<Head>) -> Result<Loaded, String> {
    let base = crate::git::BaseTree::open(root, commit)?;
    let dir = config.postmortems.trim_end_matches('/');
    let files = base.files_under(dir, &postmortem::is_candidate)?;
    let mut loaded = Loaded::default();
    // Head postmortems and problems by file, for those the change did not touch.
    let mut by_file: std::collections::HashMap<&str, (Vec<&postmortem::Postmortem>, Vec<&postmortem::Problem>)> =
        std::collections::HashMap::new();
    if let Some(head) = &head {
        for pm in &head.model.postmortems {
            by_file.entry(pm.path.as_str()).or_default().0.push(pm);
        }
        for problem in &head.model.postmortem_problems {
            by_file.entry(problem.loc.path.as_str()).or_default().1.push(problem);
        }
    }
    for rel in files {
        if let Some(head) = &head
            && !head.changed.contains(&rel)
            && let Some((pms, problems)) = by_file.get(rel.as_str())
            && !pms.is_empty()
        {
            loaded.postmortems.extend(pms.iter().map(|p| (*p).clone()));
            loaded.problems.extend(problems.iter().map(|p| (*p).clone()));
            continue;
        }
        let bytes = base.read(&rel)?.ok_or_else(|| format!("{} is missing at the base", crate::finding::code(&rel)))?;
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Err(format!("the base's postmortem {} is not valid UTF-8", crate::finding::code(&rel)));
        };
        let (pm, problems) = postmortem::parse(&rel, text, config.id_pattern.as_ref());
        if pm.is_none() {
            let why = problems.first().map_or_else(String::new, |p| format!(": {}", p.message));
            return Err(format!("the base's postmortem {} cannot be read{why}", crate::finding::code(&rel)));
        }
        loaded.postmortems.extend(pm);
        loaded.problems.extend(problems);
    }
    Ok(loaded)
}
