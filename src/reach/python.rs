//! pytest's collection rules, read from its configuration. A linked test can stay in the
//! tree, marker and all, while a one-line config change takes it out of every run:
//! `testpaths` that no longer reach its directory, `python_files` its file name no longer
//! matches, `norecursedirs` over its directory, `python_classes`/`python_functions` its
//! names no longer match. pytest is assumed to run from the directory of its config file
//! (its rootdir) without arguments, as CI usually runs it.
//!
//! The config is found as pytest finds it, searching from the test file's directory up
//! to the root: in each directory the first of `pytest.toml`, `.pytest.toml`,
//! `pytest.ini`, `.pytest.ini` (these count even when empty), `pyproject.toml` with a
//! `[tool.pytest.ini_options]` or `[tool.pytest]` table, `tox.ini` with `[pytest]`, and
//! `setup.cfg` with `[tool:pytest]`. Files are read only inside the root, never through
//! a symbolic link: the root is an untrusted checkout.
//!
//! Without any config, pytest's defaults apply; only `norecursedirs` can then leave a
//! test out (`build/`, `venv/`, `.hidden/`). `python_files` is checked only when a config
//! sets it: the scanner already keeps to `test*.py` and `*_test.py`. `--ignore`,
//! `--ignore-glob` and `--deselect` in `addopts` leave paths and node ids out.
//!
//! The `conftest.py` files from the rootdir down to each directory pytest enters are read
//! (never run) for `collect_ignore` and `collect_ignore_glob`; the nearest that sets a
//! name is the one pytest uses. And a test file that touches the tool's own mark
//! (`@pytest.mark.incident`) at import fails to collect when the config makes an unknown
//! mark an error and nothing registers it (`marks`).

mod ini;
pub mod init;
mod marks;
mod pattern;
mod select;

use super::{TestVerdict, Verdict};
use crate::finding::Location;
use crate::scan::python::TestMarks;
use crate::scan::python::conftest::{self, Conftest};
use crate::scan::{Skip, TestCase, Truth};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// In the order pytest tries them within one directory.
const CONFIG_FILES: &[&str] =
    &["pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg"];

const DEFAULT_NORECURSEDIRS: &[&str] =
    &["*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}"];

/// Config files are small; anything larger is not one worth reading.
const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// One list setting, and the line that sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Setting {
    values: Vec<String>,
    loc: Location,
}

/// The pytest configuration that governs a directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Config {
    /// Its directory relative to the root (`""` for the root): pytest's rootdir.
    dir: String,
    /// The file, relative to the root; `None` when no file configures pytest.
    file: Option<String>,
    testpaths: Option<Setting>,
    python_files: Option<Setting>,
    python_classes: Option<Setting>,
    python_functions: Option<Setting>,
    norecursedirs: Option<Setting>,
    /// What decides whether an unknown mark fails collection (see `marks`).
    filterwarnings: Option<Setting>,
    markers: Option<Setting>,
    addopts: Option<Setting>,
    strict_markers: Option<Setting>,
    strict: Option<Setting>,
    /// Where settings go in the file, for a message: `[tool.pytest.ini_options]`.
    section: String,
    /// Why the file cannot be read, when it cannot (TOML nested past what is read, or
    /// not TOML this parser reads): what pytest makes of it is not known.
    unreadable: Option<String>,
}

impl Config {
    /// `name = ["a", "b"]` and where it is set, for a message.
    fn describe(&self, name: &str, setting: Option<&Setting>, defaults: &[&str]) -> String {
        let values: Vec<String> = match setting {
            Some(s) => s.values.iter().map(|v| format!("{v:?}")).collect(),
            None => defaults.iter().map(|v| format!("{v:?}")).collect(),
        };
        let whence = match (setting, &self.file) {
            (Some(_), Some(file)) => file.clone(),
            _ => "pytest's default".to_owned(),
        };
        format!("`{name} = [{}]` ({whence})", values.join(", "))
    }
}

/// Verdicts for the linked Python tests.
/// `words` are the marker words, whose `pytest.mark.WORD` pytest may not know.
pub fn judge(root: &Path, tests: &[&TestCase], words: &[String]) -> Vec<TestVerdict> {
    let mut configs: HashMap<String, Rc<Config>> = HashMap::new();
    let mut unittest: HashMap<String, Vec<String>> = HashMap::new();
    let mut conftests: Conftests = HashMap::new();
    let mut uses: HashMap<String, Vec<conftest::MarkUse>> = HashMap::new();
    let mut marks_of: HashMap<String, Vec<(String, TestMarks)>> = HashMap::new();
    let marker_words = crate::scan::markers::MarkerWords::new(words);
    tests
        .iter()
        .filter_map(|t| {
            let path = t.loc.path.as_str();
            let config = config_for(root, parent(path), &mut configs);
            if let (Some(why), Some(file)) = (&config.unreadable, &config.file) {
                let loc = Location { path: file.clone(), line: 1, column: 1, len: 1 };
                let what = format!(
                    "pytest's config {file} cannot be read by incident-guard: {why}; whether pytest collects the test is not known"
                );
                return Some(TestVerdict { test: t.id.clone(), verdict: Verdict::Conditional(Skip::new(loc, what)) });
            }
            let verdict = not_collected(root, &config, t, &mut unittest, &mut conftests);
            if let Some(v @ Verdict::NotRun { .. }) = verdict {
                return Some(TestVerdict { test: t.id.clone(), verdict: v });
            }
            let uses = uses.entry(path.to_owned()).or_insert_with(|| {
                read_inside(root, path)
                    .map(|b| conftest::mark_uses(&crate::scan::pep263::decode(&b).text, words))
                    .unwrap_or_default()
            });
            let marks = if uses.is_empty() { None } else { marks::verdict(root, &config, path, uses, &mut conftests) };
            if let Some(v @ Verdict::Uncollectable { .. }) = marks {
                return Some(TestVerdict { test: t.id.clone(), verdict: v });
            }
            let selected = selected(root, &config, t, &mut marks_of, &marker_words);
            let verdict = match (selected, verdict, marks) {
                (Some(v @ Verdict::NotRun { .. }), _, _) => v,
                (_, Some(v), _) | (_, None, Some(v)) => v,
                (v, None, None) => v?,
            };
            Some(TestVerdict { test: t.id.clone(), verdict })
        })
        .collect()
}

/// Whether the `markers` setting of `config` registers the mark `word`.
fn marker_name_registered(config: &Config, word: &str) -> bool {
    config.markers.iter().flat_map(|s| s.values.iter()).any(|l| conftest::marker_name(l) == word)
}

/// Whether the `-m` (or `-k`) expression in `addopts` selects the test: `NotRun` when its
/// marks make it false, `Conditional` when that cannot be told.
fn selected(
    root: &Path,
    config: &Config,
    test: &TestCase,
    cache: &mut HashMap<String, Vec<(String, TestMarks)>>,
    words: &crate::scan::markers::MarkerWords,
) -> Option<Verdict> {
    let opts = marks::opts(config.addopts.as_ref());
    let setting = config.addopts.as_ref()?;
    let whence = config.file.as_deref().unwrap_or("");
    if let Some(expr) = &opts.mark_expr {
        let path = test.loc.path.as_str();
        let all = cache.entry(path.to_owned()).or_insert_with(|| {
            read_inside(root, path)
                .map(|b| crate::scan::python::test_marks(path, &crate::scan::pep263::decode(&b).text, words))
                .unwrap_or_default()
        });
        let marks = all.iter().find(|(id, _)| *id == test.id).map(|(_, m)| m.clone()).unwrap_or_default();
        let has = |name: &str| {
            if marks.names.iter().any(|n| n == name) {
                Truth::Yes
            } else if marks.maybe.iter().any(|n| n == name) {
                Truth::Unknown
            } else {
                Truth::No
            }
        };
        let shown: Vec<String> = marks.names.iter().map(|n| format!("`{n}`")).collect();
        let its =
            if shown.is_empty() { "it has no marks".to_owned() } else { format!("its marks: {}", shown.join(", ")) };
        match select::selects(expr, &has) {
            Truth::Yes => {}
            Truth::No => {
                let why = format!("`-m {expr:?}` in `addopts` ({whence}) deselects it ({its})");
                return Some(not_run(why, setting.loc.clone()));
            }
            Truth::Unknown => {
                let what = format!(
                    "`-m {expr:?}` in `addopts` ({whence}), which selects tests by marks the source does not settle ({its})"
                );
                return Some(Verdict::Conditional(Skip::new(setting.loc.clone(), what)));
            }
        }
    }
    let expr = opts.keyword_expr.as_ref()?;
    let what = format!("`-k {expr:?}` in `addopts` ({whence}), which selects tests by name and keyword");
    Some(Verdict::Conditional(Skip::new(setting.loc.clone(), what)))
}

fn not_run(why: String, loc: Location) -> Verdict {
    Verdict::NotRun { why, loc }
}

/// The `conftest.py` read in each directory (`None` where there is none).
type Conftests = HashMap<String, Option<Rc<Conftest>>>;

fn conftest_in(root: &Path, dir: &str, cache: &mut Conftests) -> Option<Rc<Conftest>> {
    cache
        .entry(dir.to_owned())
        .or_insert_with(|| {
            let bytes = read_inside(root, &join(dir, "conftest.py"))?;
            Some(Rc::new(conftest::read(&crate::scan::pep263::decode(&bytes).text)))
        })
        .clone()
}

/// The directories whose `conftest.py` pytest loads for what is in `dir`: from the
/// rootdir (`base`, where pytest stops looking for conftests) down to `dir`.
fn conftest_dirs(base: &str, dir: &str) -> Vec<String> {
    let below = if base.is_empty() { dir } else { dir.strip_prefix(base).map_or("", |r| r.trim_start_matches('/')) };
    let mut dirs = vec![base.to_owned()];
    let mut current = base.to_owned();
    for part in below.split('/').filter(|p| !p.is_empty()) {
        current = join(&current, part);
        dirs.push(current.clone());
    }
    dirs
}

/// Whether the `collect_ignore` (or, with `glob`, `collect_ignore_glob`) of the
/// conftests that govern `path` (a directory or file pytest meets while collecting)
/// leaves it out: surely, maybe (under an `if`, or a value the source cannot read), or not.
fn conftest_ignores(
    root: &Path,
    base: &str,
    path: &str,
    is_dir: bool,
    glob: bool,
    cache: &mut Conftests,
) -> Option<Verdict> {
    let mut maybe: Option<Verdict> = None;
    // The nearest conftest that sets the name is the one pytest reads.
    let mut shadowed = false;
    for dir in conftest_dirs(base, parent(path)).iter().rev() {
        let Some(c) = conftest_in(root, dir, cache) else { continue };
        let list = if glob { &c.collect_ignore_glob } else { &c.collect_ignore };
        if !list.defined {
            continue;
        }
        let file = join(dir, "conftest.py");
        let name = if glob { "collect_ignore_glob" } else { "collect_ignore" };
        let loc = |e: &conftest::Entry| Location { path: file.clone(), line: e.line, column: e.column, len: e.len };
        let shown = if is_dir { format!("{path}/") } else { path.to_owned() };
        for e in &list.entries {
            let full = normalize(&join(dir, &e.value));
            let hit = match &full {
                Some(full) if glob => pattern::fnmatch(full, path),
                Some(full) => full == path,
                None => false,
            };
            if !hit {
                continue;
            }
            let how = if glob {
                format!("matches `{}` in `{name}` of {file}", e.value)
            } else {
                format!("is in `{name}` of {file}")
            };
            if e.certain && list.always && !shadowed {
                return Some(not_run(format!("{shown} {how} ({}), so pytest never collects it", e.statement), loc(e)));
            }
            maybe.get_or_insert_with(|| {
                Verdict::Conditional(Skip::new(
                    loc(e),
                    if glob {
                        format!(
                            "{} in {file}, under a condition: where it holds, {shown} matches `{}` and pytest never collects it",
                            e.statement, e.value
                        )
                    } else {
                        format!(
                            "{} in {file}, under a condition: where it holds, pytest never collects {shown}",
                            e.statement
                        )
                    },
                ))
            });
        }
        if let Some(u) = &list.unknown {
            maybe.get_or_insert_with(|| {
                Verdict::Conditional(Skip::new(
                    loc(u),
                    format!("{} in {file}, whose values the source cannot tell: if they name {shown}, pytest never collects it", u.statement),
                ))
            });
        }
        if list.always {
            break;
        }
        shadowed = true;
    }
    maybe
}

/// The directory part of a root-relative path (`""` at the root).
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") }
}

/// The config governing `dir`, from the cache or by searching upward.
fn config_for(root: &Path, dir: &str, cache: &mut HashMap<String, Rc<Config>>) -> Rc<Config> {
    let mut visited = Vec::new();
    let mut current = Some(dir);
    let found = loop {
        let Some(d) = current else { break Rc::new(Config::default()) };
        if let Some(c) = cache.get(d) {
            break c.clone();
        }
        visited.push(d.to_owned());
        if let Some(c) = config_in(root, d) {
            break Rc::new(c);
        }
        current = if d.is_empty() { None } else { Some(parent(d)) };
    };
    for d in visited {
        cache.insert(d, found.clone());
    }
    found
}

/// The pytest config file in `dir`, if one is there.
fn config_in(root: &Path, dir: &str) -> Option<Config> {
    CONFIG_FILES.iter().find_map(|name| {
        let file = join(dir, name);
        let bytes = read_inside(root, &file)?;
        let text = crate::scan::lossy(&bytes);
        let mut config = Config { dir: dir.to_owned(), file: Some(file.clone()), ..Config::default() };
        let found = if name.ends_with(".ini") || name.ends_with(".cfg") {
            let section = match *name {
                "setup.cfg" => "tool:pytest",
                _ => "pytest",
            };
            let sections = ini::parse(&text);
            let entries = sections.iter().find(|s| s.name == section).map(|s| s.entries.as_slice());
            for e in entries.unwrap_or_default() {
                let loc = Location { path: file.clone(), line: e.line, column: 1, len: e.key.chars().count() };
                config.set(&e.key, Setting { values: split_value(&e.key, &e.value), loc });
            }
            config.section = format!("[{section}]");
            // `pytest.ini` counts even without a `[pytest]` section.
            entries.is_some() || name.starts_with("pytest") || name.starts_with(".pytest")
        } else {
            read_toml(&text, name, &file, &mut config)
        };
        found.then_some(config)
    })
}

impl Config {
    fn set(&mut self, key: &str, setting: Setting) {
        let slot = match key {
            "testpaths" => &mut self.testpaths,
            "python_files" => &mut self.python_files,
            "python_classes" => &mut self.python_classes,
            "python_functions" => &mut self.python_functions,
            "norecursedirs" => &mut self.norecursedirs,
            "filterwarnings" => &mut self.filterwarnings,
            "markers" => &mut self.markers,
            "addopts" => &mut self.addopts,
            "strict_markers" => &mut self.strict_markers,
            "strict" => &mut self.strict,
            _ => return,
        };
        *slot = Some(setting);
    }
}

/// A setting's text as pytest splits it: by lines for `linelist` settings
/// (`filterwarnings`, `markers`), like a shell command line for the others.
fn split_value(key: &str, value: &str) -> Vec<String> {
    match key {
        "filterwarnings" | "markers" => {
            value.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
        }
        _ => ini::split_args(value),
    }
}

/// Reads the pytest table of a TOML config; returns whether the file configures pytest.
fn read_toml(text: &str, name: &str, file: &str, config: &mut Config) -> bool {
    use toml::de::{DeTable, DeValue};
    // A file that cannot be read may configure pytest or not: it is the config, and
    // every test under it is judged "cannot tell" (see `judge`), never "configures
    // nothing".
    if crate::toml_doc::too_deep(text).is_some() {
        config.unreadable = Some("its TOML is nested deeper than incident-guard reads".to_owned());
        return true;
    }
    let doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or("").trim().to_owned();
            config.unreadable = Some(format!("it does not parse as TOML ({first})"));
            return true;
        }
    };
    let doc = doc.into_inner();
    fn table_at<'i>(t: &DeTable<'i>, key: &str) -> Option<DeTable<'i>> {
        match t.get(key).map(|v| v.get_ref()) {
            Some(DeValue::Table(inner)) => Some(inner.clone()),
            _ => None,
        }
    }
    let table = if name == "pyproject.toml" {
        let Some(pytest) = table_at(&doc, "tool").and_then(|tool| table_at(&tool, "pytest")) else { return false };
        match table_at(&pytest, "ini_options") {
            Some(ini_options) => {
                config.section = "[tool.pytest.ini_options]".to_owned();
                ini_options
            }
            None => {
                config.section = "[tool.pytest]".to_owned();
                pytest
            }
        }
    } else {
        config.section = "[pytest]".to_owned();
        match table_at(&doc, "pytest") {
            Some(t) => t,
            // `pytest.toml` counts even when empty.
            None => return true,
        }
    };
    for (key, value) in table.iter() {
        let values = match value.get_ref() {
            DeValue::String(s) => split_value(key.get_ref(), s),
            DeValue::Boolean(b) => vec![b.to_string()],
            DeValue::Array(items) => items
                .iter()
                .filter_map(|i| match i.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect(),
            _ => continue,
        };
        let span = key.span();
        let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
        let column = text[..span.start.min(text.len())].rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
        let loc = Location { path: file.to_owned(), line, column, len: key.get_ref().chars().count() };
        config.set(key.get_ref(), Setting { values, loc });
    }
    true
}

/// The bytes of the regular file at `rel` under `root`, if it is one. Refuses paths that
/// leave the root and any symbolic link on the way: a hostile checkout could point one
/// anywhere.
fn read_inside(root: &Path, rel: &str) -> Option<Vec<u8>> {
    let mut path = PathBuf::from(root);
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() || *part == "." || *part == ".." || Path::new(part).is_absolute() {
            return None;
        }
        path.push(part);
        let meta = std::fs::symlink_metadata(&path).ok()?;
        let last = i + 1 == parts.len();
        if meta.file_type().is_symlink() || (last && (!meta.is_file() || meta.len() > MAX_CONFIG_BYTES)) {
            return None;
        }
    }
    std::fs::read(&path).ok()
}

/// Whether something (not a symbolic link) is at `rel` under `root`.
fn exists_inside(root: &Path, rel: &str) -> bool {
    let mut path = PathBuf::from(root);
    rel.split('/').all(|part| {
        if part.is_empty() || part == "." || part == ".." {
            return false;
        }
        path.push(part);
        std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_symlink())
    })
}

/// `a/./b/../c` → `a/c`; `None` when it climbs out of the root.
fn normalize(path: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p),
        }
    }
    Some(out.join("/"))
}

/// Why pytest, run with `config`, never collects `test`, and where to point.
fn not_collected(
    root: &Path,
    config: &Config,
    test: &TestCase,
    unittest: &mut HashMap<String, Vec<String>>,
    conftests: &mut Conftests,
) -> Option<Verdict> {
    let path = test.loc.path.as_str();
    let rel = if config.dir.is_empty() { path } else { path.strip_prefix(&format!("{}/", config.dir))? };
    let shown_dir = match parent(path) {
        "" => path.to_owned(),
        d => format!("{d}/"),
    };
    let at = |s: &Setting| s.loc.clone();

    // testpaths: where recursion starts. A file named there is collected whatever
    // `python_files` says.
    let mut start = String::new();
    let mut named = false;
    if let Some(tp) = config.testpaths.as_ref().filter(|s| !s.values.is_empty()) {
        match testpaths_start(root, config, &tp.values, rel) {
            Start::Under(dir, file) => {
                start = dir;
                named = file;
            }
            // Nothing matches any entry: pytest warns and collects from the rootdir.
            Start::NothingMatches => {}
            Start::Outside => {
                let why = format!("{shown_dir} is not under {}", config.describe("testpaths", Some(tp), &[]));
                return Some(not_run(why, at(tp)));
            }
        }
    }
    if named {
        return None;
    }

    // norecursedirs: every directory entered below the start.
    let norecurse: Vec<&str> = match &config.norecursedirs {
        Some(s) => s.values.iter().map(String::as_str).collect(),
        None => DEFAULT_NORECURSEDIRS.to_vec(),
    };
    let dirs: Vec<&str> = parent(rel).split('/').filter(|d| !d.is_empty()).collect();
    let skip = start.split('/').filter(|d| !d.is_empty()).count();
    for depth in skip..dirs.len() {
        let dir = dirs[..=depth].join("/");
        if let Some(p) = norecurse.iter().find(|p| pattern::fnmatch_path(p, &dir)) {
            let shown = join(&config.dir, &dir);
            let why = format!(
                "{shown}/ matches `{p}` in {}, so pytest never enters it",
                config.describe("norecursedirs", config.norecursedirs.as_ref(), DEFAULT_NORECURSEDIRS)
            );
            return Some(not_run(why, config.norecursedirs.as_ref().map_or_else(|| test.loc.clone(), at)));
        }
    }

    // collect_ignore and collect_ignore_glob of the conftests: every directory entered
    // below the start, then the file.
    let mut maybe = None;
    let addopts = marks::opts(config.addopts.as_ref());
    let opt = |flag: &str, value: &str| {
        let whence = config.file.as_deref().unwrap_or("");
        format!("`{flag}={value}` in `addopts` ({whence})")
    };
    let addopts_at = || config.addopts.as_ref().map_or_else(|| test.loc.clone(), at);
    let levels = (skip..dirs.len()).map(|depth| (join(&config.dir, &dirs[..=depth].join("/")), true));
    for (level, is_dir) in levels.chain(std::iter::once((path.to_owned(), false))) {
        let shown = if is_dir { format!("{level}/") } else { level.clone() };
        // `--ignore` and `--ignore-glob` are relative to the directory pytest runs in.
        if let Some(p) =
            addopts.ignore.iter().find(|p| normalize(&join(&config.dir, p)).as_deref() == Some(level.as_str()))
        {
            let why = format!("{} leaves out {shown}, so pytest never collects it", opt("--ignore", p));
            return Some(not_run(why, addopts_at()));
        }
        if let Some(g) = addopts
            .ignore_glob
            .iter()
            .find(|g| normalize(&join(&config.dir, g)).is_some_and(|full| pattern::fnmatch(&full, &level)))
        {
            let why = format!("{shown} matches {}, so pytest never collects it", opt("--ignore-glob", g));
            return Some(not_run(why, addopts_at()));
        }
        for glob in [false, true] {
            match conftest_ignores(root, &config.dir, &level, is_dir, glob, conftests) {
                Some(v @ Verdict::NotRun { .. }) => return Some(v),
                Some(v) => {
                    maybe.get_or_insert(v);
                }
                None => {}
            }
        }
    }

    // `--deselect`: node ids (relative to the rootdir) that a test's id starts with.
    let node = test.id.strip_prefix(path).map(|scope| format!("{rel}{scope}"));
    if let Some(node) = &node
        && let Some(d) = addopts.deselect.iter().find(|d| node.starts_with(d.as_str()))
    {
        let why = format!("{} deselects it", opt("--deselect", d));
        return Some(not_run(why, addopts_at()));
    }

    if let Some(pf) = &config.python_files
        && !pf.values.iter().any(|p| pattern::fnmatch_path(p, rel))
    {
        let base = rel.rsplit('/').next().unwrap_or(rel);
        let why = format!("`{base}` matches no pattern of {}", config.describe("python_files", Some(pf), &[]));
        return Some(not_run(why, at(pf)));
    }

    // Class and function names; unittest.TestCase classes are collected by unittest's
    // own rules, which these settings do not touch.
    let Some(scope) = test.id.strip_prefix(path).and_then(|s| s.strip_prefix("::")) else { return maybe };
    let scope: Vec<&str> = scope.split("::").collect();
    let Some((function, classes)) = scope.split_last() else { return maybe };
    let is_unittest = |unittest: &mut HashMap<String, Vec<String>>| {
        let names = unittest.entry(path.to_owned()).or_insert_with(|| {
            read_inside(root, path)
                .map(|b| crate::scan::python::unittest_classes(&crate::scan::pep263::decode(&b).text))
                .unwrap_or_default()
        });
        classes.iter().any(|c| names.iter().any(|n| n == c))
    };
    if let Some(pc) = &config.python_classes
        && let Some(class) = classes.iter().find(|c| !pc.values.iter().any(|o| pattern::prefix_or_glob(o, c)))
        && !is_unittest(unittest)
    {
        let why = format!(
            "class `{class}` matches no prefix or pattern of {}",
            config.describe("python_classes", Some(pc), &[])
        );
        return Some(not_run(why, at(pc)));
    }
    if let Some(pf) = &config.python_functions
        && !pf.values.iter().any(|o| pattern::prefix_or_glob(o, function))
        && !is_unittest(unittest)
    {
        let why = format!(
            "`{function}` matches no prefix or pattern of {}",
            config.describe("python_functions", Some(pf), &[])
        );
        return Some(not_run(why, at(pf)));
    }
    maybe
}

enum Start {
    /// Under this testpaths entry (a directory relative to the rootdir; whether the entry
    /// is the file itself).
    Under(String, bool),
    NothingMatches,
    Outside,
}

/// Where, among the `testpaths` entries, pytest starts the walk that reaches `rel` (a
/// path relative to the rootdir).
fn testpaths_start(root: &Path, config: &Config, entries: &[String], rel: &str) -> Start {
    let parts: Vec<&str> = rel.split('/').collect();
    let mut anything = false;
    for entry in entries {
        // An entry outside the rootdir cannot hold the file; assume it exists.
        let Some(inside) = normalize(entry).filter(|_| !entry.starts_with('/')) else {
            anything = true;
            continue;
        };
        let pat: Vec<&str> = inside.split('/').filter(|p| !p.is_empty()).collect();
        if !pattern::has_glob(&inside) {
            if pat.len() <= parts.len() && pat.iter().zip(&parts).all(|(a, b)| a == b) {
                return Start::Under(pat.join("/"), pat.len() == parts.len());
            }
            anything |= exists_inside(root, &join(&config.dir, &inside));
            continue;
        }
        for n in 1..=parts.len() {
            if pattern::glob_components(&pat, &parts[..n]) {
                return Start::Under(parts[..n].join("/"), n == parts.len());
            }
        }
        anything |= glob_matches_something(root, &config.dir, &pat);
    }
    if anything { Start::Outside } else { Start::NothingMatches }
}

/// Whether a `testpaths` glob matches anything on disk (a bounded walk, never through
/// symbolic links). Past the bound it answers yes: the entry is taken to exist.
fn glob_matches_something(root: &Path, base: &str, pat: &[&str]) -> bool {
    let mut budget = 20_000usize;
    // (directory relative to the root, pattern components left)
    let mut stack: Vec<(String, Vec<&str>)> = vec![(base.to_owned(), pat.to_vec())];
    while let Some((dir, rest)) = stack.pop() {
        let Some((first, more)) = rest.split_first() else { return true };
        let mut full = PathBuf::from(root);
        if !dir.is_empty() {
            full.push(&dir);
        }
        let Ok(entries) = std::fs::read_dir(&full) else { continue };
        if *first == "**" {
            stack.push((dir.clone(), more.to_vec()));
        }
        for e in entries.flatten() {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_symlink() {
                continue;
            }
            let child = join(&dir, &name);
            let hidden = name.starts_with('.') && !first.starts_with('.');
            if *first == "**" {
                if kind.is_dir() && !hidden {
                    stack.push((child, rest.to_vec()));
                }
            } else if !hidden && pattern::fnmatch(first, &name) {
                if more.is_empty() {
                    return true;
                }
                if kind.is_dir() {
                    stack.push((child, more.to_vec()));
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn test(id: &str, line: usize) -> TestCase {
        let path = id.split("::").next().unwrap();
        TestCase {
            id: id.to_owned(),
            name: id.rsplit("::").next().unwrap().to_owned(),
            loc: Location { path: path.to_owned(), line, column: 5, len: 4 },
            ignored: None,
            conditional_skip: None,
            links: Vec::new(),
            body: Default::default(),
            approximate: false,
        }
    }

    /// `(test, why, "path:line")` of every verdict.
    fn verdicts(root: &Path, ids: &[&str]) -> Vec<(String, String, String)> {
        let tests: Vec<TestCase> = ids.iter().map(|id| test(id, 3)).collect();
        let refs: Vec<&TestCase> = tests.iter().collect();
        judge(root, &refs, &["incident".to_owned()])
            .into_iter()
            .map(|v| match v.verdict {
                Verdict::NotRun { why, loc } => (v.test, why, format!("{}:{}", loc.path, loc.line)),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn v(test: &str, why: &str, at: &str) -> (String, String, String) {
        (test.to_owned(), why.to_owned(), at.to_owned())
    }

    #[test]
    fn tests_outside_testpaths_were_counted() {
        let root = tree(&[
            ("pytest.ini", "[pytest]\naddopts = -q\ntestpaths =\n    tests/unit\n"),
            ("tests/unit/test_a.py", ""),
            ("tests/legacy/test_b.py", ""),
        ]);
        assert_eq!(
            verdicts(root.path(), &["tests/unit/test_a.py::test_a", "tests/legacy/test_b.py::test_b"]),
            [v(
                "tests/legacy/test_b.py::test_b",
                "tests/legacy/ is not under `testpaths = [\"tests/unit\"]` (pytest.ini)",
                "pytest.ini:3"
            )]
        );
        // An entry that matches nothing makes pytest collect from the rootdir.
        let root = tree(&[("pytest.ini", "[pytest]\ntestpaths = nowhere\n"), ("tests/test_b.py", "")]);
        assert_eq!(verdicts(root.path(), &["tests/test_b.py::test_b"]), []);
    }

    #[test]
    fn testpaths_globs_and_files_and_subproject_configs() {
        let root = tree(&[
            (
                "pyproject.toml",
                "[project]\nname = \"x\"\n\n[tool.pytest.ini_options]\ntestpaths = [\"pkg*/tests\", \"tests/test_one.py\"]\npython_files = [\"check_*.py\"]\n",
            ),
            ("pkg_a/tests/check_a.py", ""),
            ("tests/test_one.py", ""),
            ("tests/test_two.py", ""),
            ("sub/tox.ini", "[tox]\nenvlist = py3\n[pytest]\npython_functions = should_\n"),
            ("sub/tests/test_s.py", ""),
        ]);
        assert_eq!(
            verdicts(
                root.path(),
                &[
                    "pkg_a/tests/check_a.py::test_a",
                    "tests/test_one.py::test_one",
                    "tests/test_two.py::test_two",
                    "sub/tests/test_s.py::test_s",
                    "sub/tests/test_s.py::should_s",
                ]
            ),
            [
                v(
                    "tests/test_two.py::test_two",
                    "tests/ is not under `testpaths = [\"pkg*/tests\", \"tests/test_one.py\"]` (pyproject.toml)",
                    "pyproject.toml:5"
                ),
                v(
                    "sub/tests/test_s.py::test_s",
                    "`test_s` matches no prefix or pattern of `python_functions = [\"should_\"]` (sub/tox.ini)",
                    "sub/tox.ini:4"
                ),
            ]
        );
    }

    #[test]
    fn python_files_and_class_names_and_norecursedirs_were_counted() {
        let root = tree(&[
            (
                "setup.cfg",
                "[metadata]\nname = x\n\n[tool:pytest]\npython_files = test_*.py\npython_classes = Suite *Checks\nnorecursedirs = legacy .*\n",
            ),
            ("tests/tests_x.py", ""),
            ("tests/test_y.py", "import unittest\nclass TestOld(unittest.TestCase):\n    def test_o(self): pass\n"),
            ("tests/legacy/test_z.py", ""),
        ]);
        assert_eq!(
            verdicts(
                root.path(),
                &[
                    "tests/tests_x.py::test_x",
                    "tests/test_y.py::TestPool::test_p",
                    "tests/test_y.py::PoolSuite::test_q",
                    "tests/test_y.py::PoolChecks::test_r",
                    "tests/test_y.py::TestOld::test_o",
                    "tests/legacy/test_z.py::test_z",
                ]
            ),
            [
                v(
                    "tests/tests_x.py::test_x",
                    "`tests_x.py` matches no pattern of `python_files = [\"test_*.py\"]` (setup.cfg)",
                    "setup.cfg:5"
                ),
                v(
                    "tests/test_y.py::TestPool::test_p",
                    "class `TestPool` matches no prefix or pattern of `python_classes = [\"Suite\", \"*Checks\"]` (setup.cfg)",
                    "setup.cfg:6"
                ),
                v(
                    "tests/test_y.py::PoolSuite::test_q",
                    "class `PoolSuite` matches no prefix or pattern of `python_classes = [\"Suite\", \"*Checks\"]` (setup.cfg)",
                    "setup.cfg:6"
                ),
                v(
                    "tests/legacy/test_z.py::test_z",
                    "tests/legacy/ matches `legacy` in `norecursedirs = [\"legacy\", \".*\"]` (setup.cfg), so pytest never enters it",
                    "setup.cfg:7"
                ),
            ]
        );
    }

    #[test]
    fn default_norecursedirs_apply_without_a_config() {
        let root = tree(&[("build/tests/test_a.py", ""), ("tests/test_b.py", ""), (".ci/test_c.py", "")]);
        assert_eq!(
            verdicts(
                root.path(),
                &["build/tests/test_a.py::test_a", "tests/test_b.py::test_b", ".ci/test_c.py::test_c"]
            ),
            [
                v(
                    "build/tests/test_a.py::test_a",
                    "build/ matches `build` in `norecursedirs = [\"*.egg\", \".*\", \"_darcs\", \"build\", \"CVS\", \"dist\", \"node_modules\", \"venv\", \"{arch}\"]` (pytest's default), so pytest never enters it",
                    "build/tests/test_a.py:3"
                ),
                v(
                    ".ci/test_c.py::test_c",
                    ".ci/ matches `.*` in `norecursedirs = [\"*.egg\", \".*\", \"_darcs\", \"build\", \"CVS\", \"dist\", \"node_modules\", \"venv\", \"{arch}\"]` (pytest's default), so pytest never enters it",
                    ".ci/test_c.py:3"
                ),
            ]
        );
        // A testpaths entry inside such a directory is entered all the same.
        let root = tree(&[("pytest.ini", "[pytest]\ntestpaths = build/tests\n"), ("build/tests/test_a.py", "")]);
        assert_eq!(verdicts(root.path(), &["build/tests/test_a.py::test_a"]), []);
    }

    #[test]
    fn config_precedence_in_one_directory_and_upward() {
        // pytest.ini wins even without a section; an unrelated tox.ini and a pyproject
        // without a pytest table are passed over.
        let root = tree(&[
            ("pytest.ini", "# empty\n"),
            ("tox.ini", "[pytest]\ntestpaths = elsewhere\n"),
            ("tests/test_a.py", ""),
        ]);
        assert_eq!(verdicts(root.path(), &["tests/test_a.py::test_a"]), []);
        let root = tree(&[
            ("pytest.toml", "[pytest]\ntestpaths = [\"unit\"]\n"),
            ("pytest.ini", "[pytest]\n"),
            ("tests/pyproject.toml", "[tool.black]\nline-length = 100\n"),
            ("tests/test_a.py", ""),
            ("unit/test_u.py", ""),
        ]);
        assert_eq!(
            verdicts(root.path(), &["tests/test_a.py::test_a"]),
            [v(
                "tests/test_a.py::test_a",
                "tests/ is not under `testpaths = [\"unit\"]` (pytest.toml)",
                "pytest.toml:2"
            )]
        );
        let root = tree(&[("pyproject.toml", "[tool.pytest]\npython_functions = [\"it_\"]\n"), ("test_a.py", "")]);
        assert_eq!(
            verdicts(root.path(), &["test_a.py::test_a"]),
            [v(
                "test_a.py::test_a",
                "`test_a` matches no prefix or pattern of `python_functions = [\"it_\"]` (pyproject.toml)",
                "pyproject.toml:2"
            )]
        );
    }

    #[test]
    fn a_config_that_cannot_be_read_is_cannot_tell_never_configures_nothing() {
        // Nested past what is read (pytest's TOML reader has no such limit), then not TOML.
        let deep =
            format!("[tool.pytest.ini_options]\ntestpaths = [\"unit\"]\nx = {}1{}\n", "[".repeat(70), "]".repeat(70));
        for (text, why) in
            [(deep.as_str(), "nested deeper"), ("[tool.pytest.ini_options\ntestpaths = [\"unit\"]\n", "does not parse")]
        {
            let root = tree(&[("pyproject.toml", text), ("tests/test_a.py", "")]);
            let got = all_verdicts(root.path(), &["tests/test_a.py::test_a"]);
            assert_eq!(got.len(), 1, "{got:?}");
            assert_eq!((got[0].1, got[0].3.as_str()), ("conditional", "pyproject.toml:1"), "{got:?}");
            assert!(got[0].2.contains(why) && got[0].2.contains("not known"), "{got:?}");
        }
    }

    /// Every verdict, `NotRun` and `Conditional` alike: `(test, kind, text, "path:line")`.
    fn all_verdicts(root: &Path, ids: &[&str]) -> Vec<(String, &'static str, String, String)> {
        let tests: Vec<TestCase> = ids.iter().map(|id| test(id, 3)).collect();
        let refs: Vec<&TestCase> = tests.iter().collect();
        judge(root, &refs, &["incident".to_owned()])
            .into_iter()
            .map(|v| match v.verdict {
                Verdict::NotRun { why, loc } => (v.test, "not-run", why, format!("{}:{}", loc.path, loc.line)),
                Verdict::Conditional(s) => (v.test, "conditional", s.what, format!("{}:{}", s.loc.path, s.loc.line)),
                Verdict::Never(s) => (v.test, "never", s.what, format!("{}:{}", s.loc.path, s.loc.line)),
                Verdict::Uncollectable { why, loc, .. } => {
                    (v.test, "uncollectable", why, format!("{}:{}", loc.path, loc.line))
                }
                Verdict::Runs => (v.test, "runs", String::new(), String::new()),
            })
            .collect()
    }

    // incident: IG-2026-013
    #[test]
    fn collect_ignore_in_conftests_was_not_read() {
        let root = tree(&[
            ("pyproject.toml", "[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n"),
            ("conftest.py", "collect_ignore = [\"tests/test_root_ignored.py\", \"tests/legacy\"]\n"),
            (
                "tests/conftest.py",
                "import sys\ncollect_ignore_glob = [\"*_old.py\"]\nif sys.version_info < (3, 12):\n    collect_ignore_glob.append(\"test_new*.py\")\n",
            ),
            (
                "tests/sub/conftest.py",
                "collect_ignore = [\"../test_ok.py\", \"test_here.py\"]\ncollect_ignore_glob = []\n",
            ),
            ("tests/test_root_ignored.py", ""),
            ("tests/legacy/test_l.py", ""),
            ("tests/test_x_old.py", ""),
            ("tests/test_new_api.py", ""),
            ("tests/test_ok.py", ""),
            ("tests/sub/test_here.py", ""),
            ("tests/sub/test_y_old.py", ""),
        ]);
        assert_eq!(
            all_verdicts(
                root.path(),
                &[
                    "tests/test_root_ignored.py::test_a",
                    "tests/legacy/test_l.py::test_l",
                    "tests/test_x_old.py::test_x",
                    "tests/test_new_api.py::test_n",
                    "tests/test_ok.py::test_ok",
                    "tests/sub/test_here.py::test_h",
                    "tests/sub/test_y_old.py::test_y",
                ]
            ),
            [
                (
                    "tests/test_root_ignored.py::test_a".to_owned(),
                    "not-run",
                    "tests/test_root_ignored.py is in `collect_ignore` of conftest.py (`collect_ignore = [\"tests/test_root_ignored.py\", \"tests/legacy\"]`), so pytest never collects it".to_owned(),
                    "conftest.py:1".to_owned()
                ),
                (
                    "tests/legacy/test_l.py::test_l".to_owned(),
                    "not-run",
                    "tests/legacy/ is in `collect_ignore` of conftest.py (`collect_ignore = [\"tests/test_root_ignored.py\", \"tests/legacy\"]`), so pytest never collects it".to_owned(),
                    "conftest.py:1".to_owned()
                ),
                (
                    "tests/test_x_old.py::test_x".to_owned(),
                    "not-run",
                    "tests/test_x_old.py matches `*_old.py` in `collect_ignore_glob` of tests/conftest.py (`collect_ignore_glob = [\"*_old.py\"]`), so pytest never collects it".to_owned(),
                    "tests/conftest.py:2".to_owned()
                ),
                (
                    "tests/test_new_api.py::test_n".to_owned(),
                    "conditional",
                    "`collect_ignore_glob.append(\"test_new*.py\")` in tests/conftest.py, under a condition: where it holds, tests/test_new_api.py matches `test_new*.py` and pytest never collects it".to_owned(),
                    "tests/conftest.py:4".to_owned()
                ),
                // `../test_ok.py` in tests/sub/conftest.py governs only what is in tests/sub.
                (
                    "tests/sub/test_here.py::test_h".to_owned(),
                    "not-run",
                    "tests/sub/test_here.py is in `collect_ignore` of tests/sub/conftest.py (`collect_ignore = [\"../test_ok.py\", \"test_here.py\"]`), so pytest never collects it".to_owned(),
                    "tests/sub/conftest.py:1".to_owned()
                ),
                // The nearest conftest that sets `collect_ignore_glob` (to nothing) wins.
            ]
        );
    }

    const MARKED: &str = "import pytest\n\n@pytest.mark.incident(\"INC-1\")\ndef test_a():\n    pass\n";

    /// `(kind, text, "path:line")` of the one verdict on `tests/test_x.py::test_a`.
    fn mark_verdict(files: &[(&str, &str)]) -> Option<(&'static str, String, String)> {
        let mut files = files.to_vec();
        files.push(("tests/test_x.py", MARKED));
        let root = tree(&files);
        let tests = [test("tests/test_x.py::test_a", 4)];
        let refs: Vec<&TestCase> = tests.iter().collect();
        let v = judge(root.path(), &refs, &["incident".to_owned()]).pop()?;
        Some(match v.verdict {
            Verdict::Uncollectable { why, loc, help } => {
                assert!(help.starts_with("register the mark"), "{help}");
                ("uncollectable", why, format!("{}:{}", loc.path, loc.line))
            }
            Verdict::Conditional(s) => ("conditional", s.what, format!("{}:{}", s.loc.path, s.loc.line)),
            other => panic!("{other:?}"),
        })
    }

    // incident: IG-2026-013
    #[test]
    fn an_unregistered_incident_mark_under_strict_settings_was_linked() {
        let flask = mark_verdict(&[(
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\nfilterwarnings = [\n    \"error\",\n]\n",
        )]);
        assert_eq!(
            flask,
            Some((
                "uncollectable",
                "`mark.incident` (tests/test_x.py:3) is not a registered mark, and `filterwarnings = [\"error\"]` (pyproject.toml) makes pytest's warning about an unknown mark an error: importing the module fails, so pytest collects none of its tests".to_owned(),
                "pyproject.toml:6".to_owned()
            ))
        );
        let strict =
            mark_verdict(&[("pytest.ini", "[pytest]\nmarkers =\n    slow: slow tests\nstrict_markers = true\n")]);
        assert_eq!(
            strict.map(|(k, w, at)| (
                k,
                w.contains("`strict_markers = true` (pytest.ini) makes an unknown mark an error"),
                at
            )),
            Some(("uncollectable", true, "pytest.ini:4".to_owned()))
        );
        let addopts = mark_verdict(&[("setup.cfg", "[tool:pytest]\naddopts = -ra --strict-markers\n")]);
        assert_eq!(addopts.map(|(k, _, at)| (k, at)), Some(("uncollectable", "setup.cfg:2".to_owned())));
        let w_error = mark_verdict(&[("tox.ini", "[pytest]\naddopts = -W error\n")]);
        assert_eq!(w_error.map(|(k, _, at)| (k, at)), Some(("uncollectable", "tox.ini:2".to_owned())));
        let strict_all = mark_verdict(&[("pytest.toml", "[pytest]\nstrict = true\n")]);
        assert_eq!(strict_all.map(|(k, _, at)| (k, at)), Some(("uncollectable", "pytest.toml:2".to_owned())));
    }

    #[test]
    fn a_registered_or_harmless_incident_mark_collects() {
        let error = "[tool.pytest.ini_options]\nfilterwarnings = [\"error\"]\n";
        // Registered in `markers`, by a conftest on the way, or warned about only.
        for files in [
            vec![(
                "pyproject.toml",
                "[tool.pytest.ini_options]\nfilterwarnings = [\"error\"]\nmarkers = [\"incident(id): a postmortem\"]\n",
            )],
            vec![
                ("pyproject.toml", error),
                (
                    "tests/conftest.py",
                    "def pytest_configure(config):\n    config.addinivalue_line(\"markers\", \"incident: x\")\n",
                ),
            ],
            vec![(
                "pyproject.toml",
                "[tool.pytest.ini_options]\nfilterwarnings = [\"error\", \"ignore::pytest.PytestUnknownMarkWarning\"]\n",
            )],
            vec![("pyproject.toml", "[tool.pytest.ini_options]\nfilterwarnings = [\"error::DeprecationWarning\"]\n")],
            vec![("pytest.ini", "[pytest]\nfilterwarnings = error\naddopts = -p no:warnings\n")],
            vec![("pytest.ini", "[pytest]\nstrict = true\nstrict_markers = false\n")],
            vec![],
        ] {
            assert_eq!(mark_verdict(&files), None, "{files:?}");
        }
        // A conftest elsewhere registers nothing for this file.
        assert!(
            mark_verdict(&[
                ("pyproject.toml", error),
                (
                    "other/conftest.py",
                    "def pytest_configure(config):\n    config.addinivalue_line(\"markers\", \"incident: x\")\n"
                )
            ])
            .is_some()
        );
    }

    #[test]
    fn plugins_and_module_filters_leave_an_unknown_mark_undecided() {
        let plugin = mark_verdict(&[
            ("pyproject.toml", "[tool.pytest.ini_options]\nfilterwarnings = [\"error\"]\n"),
            ("conftest.py", "pytest_plugins = [\"myplugin\"]\n"),
        ]);
        assert_eq!(
            plugin,
            Some((
                "conditional",
                "`mark.incident` (tests/test_x.py:3) is not registered in the pytest config, and `filterwarnings = [\"error\"]` (pyproject.toml) makes pytest's warning about an unknown mark an error: unless the `pytest_plugins` of conftest.py:1 registers it, importing the module fails and pytest collects none of its tests".to_owned(),
                "pyproject.toml:2".to_owned()
            ))
        );
        let module = mark_verdict(&[("pytest.ini", "[pytest]\nfilterwarnings =\n    error:::tests\\..*\n")]);
        assert_eq!(module.map(|(k, _, at)| (k, at)), Some(("conditional", "pytest.ini:2".to_owned())));
    }

    #[test]
    fn config_files_behind_symlinks_or_outside_the_root_are_not_read() {
        let outside = tree(&[("pytest.ini", "[pytest]\ntestpaths = nowhere-else\n"), ("nowhere-else/x", "")]);
        let root = tree(&[("tests/test_a.py", "")]);
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("pytest.ini"), root.path().join("pytest.ini")).unwrap();
        assert_eq!(verdicts(root.path(), &["tests/test_a.py::test_a"]), []);
        assert_eq!(read_inside(root.path(), "../x"), None);
        assert_eq!(read_inside(root.path(), "/etc/passwd"), None);
        assert_eq!(normalize("a/../../b"), None);
        assert_eq!(normalize("./a/./b/../c").as_deref(), Some("a/c"));
    }
}
