//! The model every check reads: incidents from postmortems, tests and their links from
//! the sources, and (when git is used) what history says. Built once, read-only after.

use crate::date::Date;
use crate::git::{BaseState, Git};
use crate::history::LinkChanges;
use crate::incident_code::{IncidentCode, IncidentFile};
use crate::postmortem::{self, Postmortem};
use crate::scan::{FileScan, Scanned, TestCase};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

#[derive(Debug)]
pub struct Model {
    /// The repository root every path is relative to.
    pub root: PathBuf,
    /// Every postmortem with a readable ID, in path order (duplicates included).
    pub postmortems: Vec<Postmortem>,
    pub postmortem_problems: Vec<postmortem::Problem>,
    pub sources: Scanned,
    pub today: Date,
    /// Texts of the files findings may point into, for showing the source line.
    pub texts: HashMap<String, String>,
    /// What git says, when it was asked.
    pub git: Git,
    /// HEAD scans of changed files that hold no marker (to tell "marker removed" from
    /// "test deleted").
    pub rescans: Vec<FileScan>,
    /// Files that hold linked tests and that a change accepting a weaker guard no longer
    /// scans (see `Config::accepts_weakening`).
    pub given_up: Vec<String>,
    /// Linked tests that their test runner never builds or collects.
    pub not_run: Vec<crate::reach::TestVerdict>,
    /// The skips of the tests the runners' verdicts changed, as their source gave them.
    pub source_skips: Vec<crate::reach::SourceSkips>,
    /// The `mod NAME;` declarations the change removed (Rust), for pointing a test that
    /// stopped compiling at the line of the diff that did it.
    pub removed_mods: Vec<crate::reach::rust::RemovedMod>,
    /// The `Cargo.toml` files the change edited, each with the first line of HEAD's text
    /// that differs from the base's.
    pub changed_manifests: Vec<(String, usize)>,
    /// Base-versus-HEAD link changes, when a base revision was found.
    pub changes: Option<LinkChanges>,
    /// Which code belongs to which incident (see `incident_code`).
    pub code: IncidentCode,
    /// What the test results given to this run say of the linked tests, when some were.
    pub runs: Option<crate::results::Runs>,
    /// The proofs `verify --record` left beside the postmortems (see `proof`).
    pub proofs: crate::proof::Lock,
    /// Incident ID → tests at HEAD linked to it.
    links: BTreeMap<String, Vec<(usize, usize)>>,
    /// Incident ID → the first postmortem with it (an index into `postmortems`): looked up
    /// for every link, which a search of 40,000 postmortems made quadratic.
    by_id: HashMap<String, usize>,
}

impl Model {
    pub fn new(
        root: PathBuf,
        loaded: postmortem::Loaded,
        sources: Scanned,
        today: Date,
        git: Git,
        rescans: Vec<FileScan>,
        not_run: Vec<crate::reach::TestVerdict>,
    ) -> Model {
        let mut texts: HashMap<String, String> = loaded.texts.into_iter().collect();
        // Moved, not copied: a source file's text may be megabytes.
        let mut sources = sources;
        texts.extend(std::mem::take(&mut sources.texts));
        let mut links: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
        for (f, file) in sources.files.iter().enumerate() {
            for (t, test) in file.tests.iter().enumerate() {
                for link in &test.links {
                    // A test links an incident once (`add_links`): no search needed.
                    let entry = links.entry(link.incident.clone()).or_default();
                    if entry.last() != Some(&(f, t)) {
                        entry.push((f, t));
                    }
                }
            }
        }
        let changes = match &git {
            Git::Repo(h) => match &h.base {
                BaseState::Found { base_files, changed, .. } => {
                    let head: Vec<&FileScan> = sources.files.iter().chain(rescans.iter()).collect();
                    let exists = |p: &str| root.join(p).exists();
                    Some(crate::history::compare(&loaded.postmortems, &head, base_files, changed, &exists))
                }
                _ => None,
            },
            _ => None,
        };
        let mut by_id = HashMap::new();
        for (i, pm) in loaded.postmortems.iter().enumerate() {
            by_id.entry(pm.id.clone()).or_insert(i);
        }
        Model {
            root,
            postmortems: loaded.postmortems,
            postmortem_problems: loaded.problems,
            sources,
            today,
            texts,
            git,
            rescans,
            not_run,
            source_skips: Vec::new(),
            removed_mods: Vec::new(),
            changed_manifests: Vec::new(),
            given_up: Vec::new(),
            changes,
            code: IncidentCode::default(),
            runs: None,
            proofs: crate::proof::Lock::default(),
            links,
            by_id,
        }
    }

    /// The base revision's scans of the files that changed, when a base was found.
    pub fn base_files(&self) -> impl Iterator<Item = &FileScan> {
        let files = match &self.git {
            Git::Repo(h) => match &h.base {
                BaseState::Found { base_files, .. } => base_files.as_slice(),
                _ => &[],
            },
            _ => &[],
        };
        files.iter()
    }

    /// The postmortem that owns `id` (the first one, if several claim it).
    pub fn incident(&self, id: &str) -> Option<&Postmortem> {
        self.by_id.get(id).map(|&i| &self.postmortems[i])
    }

    /// The files that belong to incident `id`, by path, and why (see `incident_code`).
    pub fn files_of(&self, id: &str) -> &[IncidentFile] {
        self.code.files_of(id)
    }

    /// Each incident once: the first postmortem with each ID.
    pub fn incidents(&self) -> impl Iterator<Item = &Postmortem> {
        self.postmortems.iter().enumerate().filter(|(i, p)| self.by_id.get(&p.id) == Some(i)).map(|(_, p)| p)
    }

    /// The tests at HEAD linked to `id`.
    pub fn tests_for(&self, id: &str) -> Vec<&TestCase> {
        self.links.get(id).map_or_else(Vec::new, |v| v.iter().map(|&(f, t)| &self.sources.files[f].tests[t]).collect())
    }

    /// Every test at HEAD that carries at least one link.
    pub fn linked_tests(&self) -> impl Iterator<Item = &TestCase> {
        self.sources.files.iter().flat_map(|f| f.tests.iter()).filter(|t| !t.links.is_empty())
    }

    /// The git history, when this is a repository and git was not turned off.
    pub fn history(&self) -> Option<&crate::git::History> {
        match &self.git {
            Git::Repo(h) => Some(h),
            _ => None,
        }
    }

    /// Full SHAs of the commits that are evidence for `incident#item`: resolvable
    /// `commits` entries first, then commits whose message mentions it.
    pub fn evidence(&self, incident: &str, item: &str) -> Vec<String> {
        let Some(h) = self.history() else { return Vec::new() };
        let mut shas: Vec<String> = h.entries_of(incident, item).filter_map(|e| e.resolved.clone().ok()).collect();
        if let Some(found) = h.evidence.get(&crate::git::item_ref(incident, item)) {
            shas.extend(found.iter().map(|e| e.sha.clone()));
        }
        let mut seen = std::collections::HashSet::new();
        shas.retain(|s| seen.insert(s.clone()));
        shas
    }

    /// Closed action items for which no commit was found (no resolvable `commits` entry,
    /// no commit message naming them).
    pub fn closed_items_without_evidence(&self) -> impl Iterator<Item = (&Postmortem, &crate::postmortem::ActionItem)> {
        self.incidents().flat_map(move |pm| {
            pm.action_items
                .iter()
                .filter(move |a| {
                    a.status == crate::postmortem::ItemStatus::Closed && self.evidence(&pm.id, &a.id).is_empty()
                })
                .map(move |a| (pm, a))
        })
    }

    /// The links (incident, test at HEAD) that the change adds or changes: the test is in
    /// a file that differs from the base, and at the base it was not linked to that
    /// incident, or its text was different. Empty when no base revision was found.
    pub fn changed_links(&self) -> Vec<(String, &TestCase)> {
        let changed = match &self.git {
            Git::Repo(h) => match &h.base {
                BaseState::Found { changed, .. } => changed,
                _ => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        let mut out = Vec::new();
        for (incident, at) in &self.links {
            for &(f, t) in at {
                let file = &self.sources.files[f];
                if !changed.contains(&file.path) {
                    continue;
                }
                let test = &file.tests[t];
                let same_at_base =
                    self.base_files().filter(|b| b.path == file.path).flat_map(|b| &b.tests).any(|b| {
                        b.id == test.id && b.body == test.body && b.links.iter().any(|l| &l.incident == incident)
                    });
                if !same_at_base {
                    out.push((incident.clone(), test));
                }
            }
        }
        out
    }

    /// IDs any postmortem claims, for suggestions.
    pub fn incident_ids(&self) -> impl Iterator<Item = &str> {
        self.postmortems.iter().map(|p| p.id.as_str())
    }
}
