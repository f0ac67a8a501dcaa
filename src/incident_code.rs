//! Which code belongs to an incident, so that whoever changes it next meets what the
//! incident taught. Two sources: the files the postmortem lists in `paths` (globs,
//! expanded over the files at HEAD), and the files the incident's fix commits changed,
//! followed to HEAD through renames (`git` reads them), less what is not code: tests
//! (`scan::is_test_file`), the postmortems themselves, and prose. Pure computation.

use crate::finding::Location;
use crate::git::{FixFiles, History, item_ref};
use crate::postmortem::{ItemStatus, Postmortem};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Why a file belongs to an incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The postmortem lists it in `paths`: the pattern that matches it, as written.
    Listed(String),
    /// A fix commit changed it: the commit's full SHA, and the path the commit gave the
    /// file when that is not its path at HEAD (it was renamed since).
    Fixed { commit: String, was: Option<String> },
}

/// A file that belongs to an incident, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentFile {
    /// Relative to the checked directory, as every model path.
    pub path: String,
    pub sources: Vec<Source>,
    /// HEAD has no such file: a fix changed it, and it was deleted since.
    pub gone: bool,
}

/// A `paths` pattern that matches no file at HEAD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmatched {
    pub incident: String,
    pub pattern: String,
    pub loc: Location,
}

/// The code of every incident, indexed both ways: an incident's files, and a path's
/// incidents. Incidents are named by their index in the model's postmortems (the first
/// postmortem with each ID).
#[derive(Debug, Default)]
pub struct IncidentCode {
    /// Incident ID → its files, by path.
    files: HashMap<String, Vec<IncidentFile>>,
    /// Path at HEAD → the incidents whose fix commits changed it.
    fixed: HashMap<String, Vec<(usize, Source)>>,
    /// Every incident's `paths`, in one set: one match per path, however many incidents.
    globs: GlobSet,
    /// Glob index → (incident, pattern).
    patterns: Vec<(usize, String)>,
    pub unmatched: Vec<Unmatched>,
}

/// Files a fix commit changes that are not the code the incident was in. Tests guard
/// the code rather than being it; the postmortems directory holds the incident's own
/// write-up; prose (a changelog, the docs) changes with nearly every fix, so it would
/// make every later edit of the changelog "touch" every incident; and so would the
/// dependency manifests and lock files every dependency bump changes.
fn is_code(path: &str, postmortems_dir: &str) -> bool {
    const PROSE: &[&str] = &[".md", ".markdown", ".rst", ".adoc", ".txt"];
    let dir = postmortems_dir.trim_end_matches('/');
    // Postmortems at the root (`postmortems = "."`) are Markdown or TOML files; the prose
    // rule covers the former, and a root full of code is not all postmortems.
    let in_postmortems = !dir.is_empty() && dir != "." && path.starts_with(&format!("{dir}/"));
    let lower = path.to_ascii_lowercase();
    !crate::scan::is_test_file(path)
        && !in_postmortems
        && !PROSE.iter().any(|e| lower.ends_with(e))
        && !crate::paths::is_dependency_manifest(path)
}

/// An incident's fix commits (full SHAs): its `fix_commits` that resolve, or, when it
/// lists none, the commits behind its closed action items (listed in `commits`, or
/// naming the item in their message).
pub fn fix_commits(pm: &Postmortem, h: &History) -> Vec<String> {
    let mut out: Vec<String> = if pm.fix_commits.is_empty() {
        let mut shas = Vec::new();
        for item in pm.action_items.iter().filter(|a| a.status == ItemStatus::Closed) {
            shas.extend(h.entries_of(&pm.id, &item.id).filter_map(|e| e.resolved.clone().ok()));
            if let Some(found) = h.evidence.get(&item_ref(&pm.id, &item.id)) {
                shas.extend(found.iter().map(|e| e.sha.clone()));
            }
        }
        shas
    } else {
        h.fix_entries_of(&pm.id).filter_map(|e| e.resolved.clone().ok()).collect()
    };
    let mut seen = HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

impl IncidentCode {
    /// `postmortems` as the model holds them; `head_files`, the files at HEAD relative to
    /// the checked directory (needed only when some postmortem has `paths`).
    pub fn build(
        postmortems: &[Postmortem],
        history: Option<&History>,
        head_files: &[String],
        postmortems_dir: &str,
    ) -> IncidentCode {
        let mut seen = HashSet::new();
        let incidents: Vec<usize> = (0..postmortems.len()).filter(|&i| seen.insert(&postmortems[i].id)).collect();
        let mut by_incident: HashMap<usize, BTreeMap<String, IncidentFile>> = HashMap::new();
        let mut add = |i: usize, path: &str, source: Source, gone: bool| {
            let file = by_incident.entry(i).or_default().entry(path.to_owned()).or_insert_with(|| IncidentFile {
                path: path.to_owned(),
                sources: Vec::new(),
                gone,
            });
            file.gone &= gone;
            if !file.sources.contains(&source) {
                file.sources.push(source);
            }
        };

        let mut builder = GlobSetBuilder::new();
        let mut patterns = Vec::new();
        let mut locs = Vec::new();
        for &i in &incidents {
            for (pattern, loc) in &postmortems[i].paths {
                // Already checked by the parser; a pattern that fails here matches nothing.
                if let Ok(glob) = Glob::new(pattern) {
                    builder.add(glob);
                    patterns.push((i, pattern.clone()));
                    locs.push(loc.clone());
                }
            }
        }
        let globs = builder.build().unwrap_or_else(|_| GlobSet::empty());
        let mut matched = vec![false; patterns.len()];
        if !patterns.is_empty() {
            let mut hits = Vec::new();
            for file in head_files {
                globs.matches_into(file.as_str(), &mut hits);
                for &g in &hits {
                    matched[g] = true;
                    let (i, pattern) = &patterns[g];
                    add(*i, file, Source::Listed(pattern.clone()), false);
                }
            }
        }

        let mut fixed: HashMap<String, Vec<(usize, Source)>> = HashMap::new();
        if let Some(h) = history {
            for &i in &incidents {
                for commit in fix_commits(&postmortems[i], h) {
                    let Some(FixFiles::Changed(files)) = h.fixes.get(&commit) else { continue };
                    for f in files.iter().filter(|f| is_code(&f.at_fix, postmortems_dir)) {
                        let was = (f.at_fix != f.at_head).then(|| f.at_fix.clone());
                        let source = Source::Fixed { commit: commit.clone(), was };
                        add(i, &f.at_head, source.clone(), f.gone);
                        let owners = fixed.entry(f.at_head.clone()).or_default();
                        if !owners.contains(&(i, source.clone())) {
                            owners.push((i, source));
                        }
                    }
                }
            }
        }

        let unmatched = matched
            .iter()
            .enumerate()
            .filter(|(_, m)| !**m)
            .map(|(g, _)| Unmatched {
                incident: postmortems[patterns[g].0].id.clone(),
                pattern: patterns[g].1.clone(),
                loc: locs[g].clone(),
            })
            .collect();
        let files = by_incident
            .into_iter()
            .map(|(i, files)| (postmortems[i].id.clone(), files.into_values().collect()))
            .collect();
        IncidentCode { files, fixed, globs, patterns, unmatched }
    }

    /// The files of incident `id`, by path.
    pub fn files_of(&self, id: &str) -> &[IncidentFile] {
        self.files.get(id).map_or(&[], Vec::as_slice)
    }

    /// The incidents `path` belongs to (by postmortem index, in order), with why. The path
    /// need not be at HEAD: a change may add it, or have deleted it.
    pub fn owners(&self, path: &str) -> Vec<(usize, Vec<Source>)> {
        let mut out: BTreeMap<usize, Vec<Source>> = BTreeMap::new();
        if !self.patterns.is_empty() {
            for g in self.globs.matches(path) {
                let (i, pattern) = &self.patterns[g];
                let sources = out.entry(*i).or_default();
                let source = Source::Listed(pattern.clone());
                // A pattern written twice in `paths` is one reason.
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
        }
        for (i, source) in self.fixed.get(path).into_iter().flatten() {
            out.entry(*i).or_default().push(source.clone());
        }
        out.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_postmortems_and_prose_are_not_code() {
        for code in [
            "src/pool.rs",
            "src/db/pool.py",
            "cmd/main.go",
            "src/cart.js",
            "deploy/app.yaml",
            "src/cargo.rs",
            "src/package.js",
            "gradle/wrapper/gradle-wrapper.properties",
            "settings.gradle",
            "requirements.py",
        ] {
            assert!(is_code(code, "postmortems"), "{code}");
        }
        for not in [
            "tests/pool.rs",
            "src/pool/tests.rs",
            "tests/fixtures/a.json",
            "test_pool.py",
            "pkg/pool_test.go",
            "pkg/testdata/in.txt",
            "src/cart.test.ts",
            "src/__tests__/cart.js",
            "src/test/java/shop/CartTest.java",
            "app/src/main/java/shop/CartTest.java",
            "postmortems/2026/INC-1.md",
            "CHANGELOG.md",
            "docs/pool.rst",
            "Cargo.toml",
            "Cargo.lock",
            "crates/core/Cargo.toml",
            "web/package.json",
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "pyproject.toml",
            "poetry.lock",
            "uv.lock",
            "Pipfile",
            "Pipfile.lock",
            "requirements.txt",
            "requirements-dev.txt",
            "go.mod",
            "svc/go.sum",
            "pom.xml",
            "build.gradle",
            "app/build.gradle.kts",
            "gradle.lockfile",
        ] {
            assert!(!is_code(not, "postmortems"), "{not}");
        }
        assert!(is_code("docs/pool.rs", "docs/postmortems"));
        assert!(!is_code("docs/postmortems/a.toml", "docs/postmortems/"));
    }
}
