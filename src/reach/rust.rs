//! Which files cargo compiles, and into which targets. A linked test counts only where
//! `cargo test` builds and runs it: in a target whose tests run (`src/lib.rs`,
//! `src/main.rs`, `src/bin/*`, `tests/*.rs`, the `[[test]]`/`[[bin]]`/… paths of
//! Cargo.toml), or in a file that such a target reaches through `mod` declarations
//! (following `#[path]`, inline modules, `include!`, and `mod NAME;` visible inside item
//! macros such as `cfg_if!`). `git mv tests/a.rs tests/off/a.rs` moves a test out of the
//! build: nothing declares `tests/off/a.rs`, so cargo never compiles it.
//!
//! Where no Cargo.toml stands above a file, cargo's default layout at the checked
//! directory is assumed, so that a repository without a manifest is held to the same
//! rules as one with it; the message says so.

use super::rust_features::{self, Features};
use super::{TestVerdict, Verdict};
use crate::scan::rust::{ModDecl, ModFile, module_decls};
use crate::scan::rust_cfg::{self, Cond};
use crate::scan::{Skip, TestCase};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Lib,
    Bin,
    Test,
    Example,
    Bench,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Lib => "lib",
            Kind::Bin => "bin",
            Kind::Test => "test",
            Kind::Example => "example",
            Kind::Bench => "bench",
        }
    }
}

/// A compilation target of a package.
#[derive(Clone, Debug)]
struct Target {
    kind: Kind,
    name: String,
    root: PathBuf,
    /// Whether `cargo test` runs its tests (`test = …`, with cargo's defaults).
    test: bool,
    harness: bool,
    required_features: Vec<String>,
    /// Whether `cargo test` runs its doc tests (`doctest = …`; a library's by default).
    doctest: bool,
    /// Where the manifest declares it: the table's header (`[lib]`, `[[test]]`) and which
    /// of the tables with that header it is; `None` for a target cargo discovered.
    entry: Option<(&'static str, usize)>,
}

/// A package: its manifest's directory and targets, or why the manifest cannot be read.
struct Package {
    manifest: PathBuf,
    /// `[package] name`, or the directory's name when there is no manifest.
    name: String,
    implicit: bool,
    targets: Result<Vec<Target>, String>,
    /// What its manifest says about features and cfgs (`None` without a manifest).
    features: Option<Features>,
}

/// How a file is reached from one target.
#[derive(Clone, Debug)]
struct Route {
    target: usize,
    /// Where `mod NAME;` in this file looks for NAME.
    module_dir: PathBuf,
    conds: Vec<Cond>,
    /// The file's module path inside its target (`["db", "pool"]` for `src/db/pool.rs`
    /// of the library), as libtest names its tests.
    modules: Vec<String>,
}

impl Route {
    /// Lower is better: reached for certain, then under a condition, then never.
    fn rank(&self) -> u8 {
        match rust_cfg::resolve(&self.conds) {
            (None, None) => 0,
            (None, Some(_)) => 1,
            _ => 2,
        }
    }
}

/// The crates of a tree, read once for completing its scans (`complete`) and judging
/// its linked tests (`judge`): a workspace's module trees are walked once for both.
pub struct Crates<'a> {
    reach: Reach<'a>,
}

impl<'a> Crates<'a> {
    /// With the walk's `leaves` (files the scan saw declare no module) and `walked`
    /// (every Rust file it found).
    pub fn new(root: &'a Path, leaves: &'a HashSet<String>, walked: &'a HashSet<String>) -> Crates<'a> {
        let mut reach = Reach::new(root);
        reach.leaves = leaves;
        reach.walked = walked;
        Crates { reach }
    }

    /// See `complete`.
    pub fn complete(&mut self, files: &mut [crate::scan::FileScan]) {
        if files.iter().any(|f| !f.macro_calls.is_empty()) {
            self.reach.macro_tests(files);
        }
        if files.iter().any(|f| f.tests.iter().any(is_doc_test)) {
            self.reach.doc_tests(files);
        }
    }

    /// The files other than `.rs` that the module trees read so far reach, through
    /// `include!` or `#[path]` (`include!("mods.md")`), root-relative: an edit of one can
    /// change what cargo builds, whatever its name says.
    pub fn followed(&self) -> Vec<String> {
        self.reach.files.keys().filter(|f| f.extension().is_none_or(|e| e != "rs")).map(|f| self.reach.rel(f)).collect()
    }

    /// Verdicts for the linked Rust tests.
    pub fn judge(&mut self, tests: &[&TestCase]) -> Vec<TestVerdict> {
        let mut out = Vec::new();
        for test in tests {
            let file = crate::paths::normalize(&self.reach.root.join(&test.loc.path));
            // The test's own conditions, which the package may decide.
            let own = test.conditional_skip.as_ref().map_or(&[][..], |s| s.cfg.as_slice());
            if let Some(verdict) = self.reach.verdict(&file, test, own) {
                out.push(TestVerdict { test: test.id.clone(), verdict: verdict.with_loc(&test.loc) });
            }
        }
        out
    }
}

/// What the scan of the files of a tree leaves for the crate to tell, told: the tests
/// macros of other files write (`macro_tests`), and the names of doc tests (`doc_tests`).
/// For scans of the work tree, `Crates::complete` does it with the walk's knowledge.
pub fn complete(root: &Path, files: &mut [crate::scan::FileScan]) {
    static NONE: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    let none = NONE.get_or_init(HashSet::new);
    Crates::new(root, none, none).complete(files);
}

impl Reach<'_> {
    /// Turns the macro calls that markers stand on (`FileScan::macro_calls`) into the tests
    /// their macros write, where a `macro_rules!` of the crate writes one: ripgrep's
    /// `rgtest!(r16, |dir, cmd| …)` in `tests/regression.rs`, with `rgtest!` defined in
    /// `tests/macros.rs` (`#[macro_use] mod macros;` of `tests/tests.rs`). The macros are read
    /// from the files of the target that compiles the call's file, or, when none does (a
    /// file only the base revision has), from the Rust files beside it in the work tree.
    /// The markers on a call that writes a test link it instead of standing stray.
    fn macro_tests(&mut self, files: &mut [crate::scan::FileScan]) {
        let root = self.root;
        let reach = self;
        let mut macros_of: HashMap<Vec<PathBuf>, Rc<Vec<crate::scan::rust::TestMacro>>> = HashMap::new();
        for scan in files.iter_mut().filter(|f| !f.macro_calls.is_empty()) {
            let file = crate::paths::normalize(&root.join(&scan.path));
            let crate_files = reach.target_files(&file);
            let macros = match macros_of.get(&crate_files) {
                Some(m) => Rc::clone(m),
                None => {
                    let read = Rc::new(reach.read_test_macros(&crate_files));
                    macros_of.insert(crate_files, Rc::clone(&read));
                    read
                }
            };
            let mut gone: HashSet<usize> = HashSet::new();
            let mut by_id: HashMap<String, usize> =
                scan.tests.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
            for call in std::mem::take(&mut scan.macro_calls) {
                let Some(m) = macros.iter().find(|m| m.name == call.name) else { continue };
                let Some((name, loc)) = m.position(call.args.len()).and_then(|p| call.args.get(p).cloned().flatten())
                else {
                    continue;
                };
                let mut links: Vec<crate::scan::Link> = call.links.clone();
                for &i in &call.strays {
                    if let Some(stray) = scan.stray.get(i) {
                        links.extend(stray.ids.iter().cloned());
                        gone.insert(i);
                    }
                }
                let id = crate::scan::identity(&scan.path, &call.scope, &name);
                match by_id.get(&id) {
                    Some(&i) => crate::scan::add_links(&mut scan.tests[i].links, links),
                    None => {
                        by_id.insert(id.clone(), scan.tests.len());
                        scan.tests.push(TestCase {
                            id,
                            name,
                            loc,
                            ignored: call.ignored.clone(),
                            conditional_skip: if call.ignored.is_some() { None } else { call.conditional_skip.clone() },
                            links,
                            body: Default::default(),
                            approximate: false,
                        })
                    }
                }
            }
            let mut i = 0;
            scan.stray.retain(|_| {
                i += 1;
                !gone.contains(&(i - 1))
            });
        }
    }
}

/// Whether a test is a doc test (its name is rustdoc's: `src/lib.rs - add_one (line 12)`).
/// A `mod NAME;` declaration the change removed: where it stood at the base (the
/// declaring file and its line), and the files it brought into the build (`file`, or
/// every file under `dir/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedMod {
    pub path: String,
    pub line: usize,
    pub name: String,
    pub file: String,
    pub dir: String,
}

impl RemovedMod {
    /// Whether the removed declaration is what brought `path` into the build.
    pub fn declared(&self, path: &str) -> bool {
        path == self.file || path.starts_with(&format!("{}/", self.dir))
    }
}

/// The `mod NAME;` declarations (out-of-line modules, any attributes and visibility)
/// of a Rust file's text, with their 1-based lines. Read line by line: enough to say
/// where a declaration a change removed stood, which is all it is used for.
fn mod_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line.trim_start();
        while rest.starts_with("#[") {
            match rest.find(']') {
                Some(end) => rest = rest[end + 1..].trim_start(),
                None => break,
            }
        }
        if let Some(after) = rest.strip_prefix("pub") {
            rest = after.trim_start();
            if rest.starts_with('(') {
                rest = rest.find(')').map_or("", |end| rest[end + 1..].trim_start());
            }
        }
        let Some(after) = rest.strip_prefix("mod") else { continue };
        if !after.starts_with(char::is_whitespace) {
            continue;
        }
        let after = after.trim_start();
        let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if !name.is_empty() && after[name.len()..].trim_start().starts_with(';') {
            out.push((i + 1, name));
        }
    }
    out
}

/// The `mod NAME;` declarations of `path` at the base (`base`) that HEAD (`head`; `None`:
/// the file is gone) no longer has, each with the files it declared: beside a crate root
/// (`lib.rs`, `main.rs`, `mod.rs`, a file of `tests/`, `benches/`, `examples/` or
/// `src/bin/`) `DIR/NAME.rs` or `DIR/NAME/`; beside any other file `DIR/STEM/NAME.rs`.
pub fn removed_mods(path: &str, base: &str, head: Option<&str>) -> Vec<RemovedMod> {
    let kept: std::collections::HashSet<String> =
        head.map(|h| mod_lines(h).into_iter().map(|(_, n)| n).collect()).unwrap_or_default();
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let parent = dir.rsplit('/').next().unwrap_or("");
    let root_like =
        matches!(name, "lib.rs" | "main.rs" | "mod.rs") || matches!(parent, "tests" | "benches" | "examples" | "bin");
    let base_dir = if root_like {
        dir.to_owned()
    } else {
        let stem = name.strip_suffix(".rs").unwrap_or(name);
        if dir.is_empty() { stem.to_owned() } else { format!("{dir}/{stem}") }
    };
    let join = |a: &str, b: &str| if a.is_empty() { b.to_owned() } else { format!("{a}/{b}") };
    mod_lines(base)
        .into_iter()
        .filter(|(_, n)| !kept.contains(n))
        .map(|(line, n)| RemovedMod {
            path: path.to_owned(),
            line,
            file: join(&base_dir, &format!("{n}.rs")),
            dir: join(&base_dir, &n),
            name: n,
        })
        .collect()
}

/// The first line of `head` that is not the base's (1-based), for pointing at a change
/// to a manifest: the line the diff shows first. `None` when the two are the same.
pub fn first_changed_line(base: &str, head: &str) -> Option<usize> {
    let (b, h): (Vec<&str>, Vec<&str>) = (base.lines().collect(), head.lines().collect());
    let same = b.iter().zip(&h).take_while(|(x, y)| x == y).count();
    if same == b.len() && same == h.len() {
        return None;
    }
    Some((same + 1).min(h.len().max(1)))
}

pub fn is_doc_test(test: &TestCase) -> bool {
    test.name.ends_with(')') && test.name.contains(" (line ") && test.name.contains(" - ")
}

impl Reach<'_> {
    /// Completes the names of the doc tests the scan found as `cargo test --doc` lists them:
    /// the file's path from its package's directory, and its module path in the library
    /// (`src/inner.rs - inner::f (line 9)`). Their identities are the same with the file's
    /// path from the checked directory. A file no library reaches keeps the scan's names
    /// (its doc tests are not run: `judge` says so).
    fn doc_tests(&mut self, files: &mut [crate::scan::FileScan]) {
        let root = self.root;
        let reach = self;
        for scan in files.iter_mut().filter(|f| f.tests.iter().any(is_doc_test)) {
            let file = crate::paths::normalize(&root.join(&scan.path));
            let mut place: Option<(String, Vec<String>)> = None;
            for dir in reach.packages_for(&file) {
                let (package, routes) = &reach.packages[&dir];
                let (Ok(targets), Some(route)) = (&package.targets, routes.get(&file)) else { continue };
                if targets[route.target].kind == Kind::Lib {
                    place = Some((crate::paths::relative(&dir, &file), route.modules.clone()));
                    break;
                }
            }
            let Some((in_package, modules)) = place else { continue };
            let prefix = format!("{} - ", scan.path);
            for t in scan.tests.iter_mut().filter(|t| is_doc_test(t)) {
                let Some(rest) = t.name.strip_prefix(&prefix) else { continue };
                let Some(open) = rest.rfind(" (line ").or_else(|| rest.starts_with("(line ").then_some(0)) else {
                    continue;
                };
                let (item, line) = (rest[..open].trim(), rest[open..].trim());
                let path: Vec<&str> =
                    modules.iter().map(String::as_str).chain((!item.is_empty()).then_some(item)).collect();
                let path = path.join("::");
                let sep = if path.is_empty() { String::new() } else { format!("{path} ") };
                let (name, id) = (format!("{in_package} - {sep}{line}"), format!("{} - {sep}{line}", scan.path));
                t.name = name;
                t.id = id;
            }
        }
    }
}

/// Where cargo builds a test's file, for running that one test (`verify`): the package
/// (its name and manifest directory), the target (`--lib`, `--test NAME`, …) and the
/// file's module path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CargoPlace {
    pub package: String,
    /// The directory of the package's Cargo.toml (the checked directory when none stands
    /// above the file).
    pub manifest_dir: PathBuf,
    /// The cargo options that select the target: `["--lib"]`, `["--test", "retry"]`, ….
    pub target_flags: Vec<String>,
    /// The file's modules inside the target, outermost first.
    pub modules: Vec<String>,
}

/// Where cargo builds `file` (relative to `root`), from the same module mapping that
/// decides whether a linked test is compiled at all: the best route of the first package
/// whose targets reach the file and run its tests. Why not, when none does.
pub fn place(root: &Path, file: &str) -> Result<CargoPlace, String> {
    let mut reach = Reach::new(root);
    let path = crate::paths::normalize(&root.join(file));
    for dir in reach.packages_for(&path) {
        let (package, routes) = &reach.packages[&dir];
        let (Ok(targets), Some(route)) = (&package.targets, routes.get(&path)) else { continue };
        let target = &targets[route.target];
        if !target.test || !target.harness {
            continue;
        }
        let name = toml_name(&package.manifest, &reach.boundary).unwrap_or_else(|| "package".to_owned());
        let target_flags = match target.kind {
            Kind::Lib => vec!["--lib".to_owned()],
            kind => vec![format!("--{}", kind.name()), target.name.clone()],
        };
        return Ok(CargoPlace {
            package: name,
            manifest_dir: dir.clone(),
            target_flags,
            modules: route.modules.clone(),
        });
    }
    Err(format!("no cargo target that runs tests compiles {file}"))
}

/// The `[package] name` of a manifest.
fn toml_name(manifest: &Path, boundary: &Path) -> Option<String> {
    let bytes = crate::paths::read_inside(boundary, manifest)?;
    let table = crate::toml_doc::parse_table(&crate::scan::lossy(&bytes)).ok()?;
    Some(table.get("package")?.get("name")?.as_str()?.to_owned())
}

/// A verdict before it knows where to point.
enum Found {
    NotRun(String),
    Never(Skip),
    Conditional(Skip),
    /// The test's own conditions hold wherever it is built.
    Runs,
}

impl Found {
    fn with_loc(self, loc: &crate::finding::Location) -> Verdict {
        match self {
            Found::NotRun(why) => Verdict::NotRun { why, loc: loc.clone() },
            Found::Never(s) => Verdict::Never(s),
            Found::Conditional(s) => Verdict::Conditional(s),
            Found::Runs => Verdict::Runs,
        }
    }
}

struct Reach<'a> {
    root: &'a Path,
    /// Root-relative paths of files the scan read and saw declare no module: not read
    /// again (a monorepo's crates are mostly such files).
    leaves: &'a HashSet<String>,
    /// Root-relative paths of the Rust files the walk found: known to be there without
    /// asking the file system again.
    walked: &'a HashSet<String>,
    boundary: PathBuf,
    /// The cfg that each item macro of a package puts on its items (`cfg_loom!`: `loom`),
    /// by manifest directory and name; `None` for a macro that is no such wrapper.
    cfg_macros: HashMap<(PathBuf, String), Option<String>>,
    /// The repository's CI workflows, read when a condition first needs them.
    ci: Option<Option<super::ci::Ci>>,
    /// Packages by manifest directory, each with the files its targets reach.
    packages: BTreeMap<PathBuf, (Package, HashMap<PathBuf, Route>)>,
    /// Parsed module files.
    files: HashMap<PathBuf, Rc<Result<ModFile, String>>>,
    /// Whether each directory looked at holds a Cargo.toml with a `[package]`.
    manifests: HashMap<PathBuf, bool>,
    /// The manifests read to answer that, parsed, until their packages are loaded: a
    /// workspace's root manifest can be thousands of lines, and was parsed twice.
    tables: HashMap<PathBuf, Result<toml::Table, String>>,
}

impl<'a> Reach<'a> {
    fn new(root: &'a Path) -> Reach<'a> {
        static NONE: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
        Reach {
            root,
            leaves: NONE.get_or_init(HashSet::new),
            walked: NONE.get_or_init(HashSet::new),
            boundary: crate::paths::boundary(root),
            cfg_macros: HashMap::new(),
            ci: None,
            packages: BTreeMap::new(),
            files: HashMap::new(),
            manifests: HashMap::new(),
            tables: HashMap::new(),
        }
    }

    fn rel(&self, path: &Path) -> String {
        crate::paths::relative(self.root, path)
    }

    /// The manifests that may compile `file`: every Cargo.toml with a `[package]` in the
    /// directories above it, inside the repository; else an implicit one at the root.
    fn packages_for(&mut self, file: &Path) -> Vec<PathBuf> {
        let mut dirs = Vec::new();
        for dir in file.ancestors().skip(1) {
            if !dir.starts_with(&self.boundary) {
                break;
            }
            // Read once per directory, however many tests stand below it: a workspace's
            // root manifest can be thousands of lines.
            let is_package = match self.manifests.get(dir) {
                Some(&known) => known,
                None => {
                    let parsed = crate::paths::read_inside(&self.boundary, &dir.join("Cargo.toml"))
                        .map(|bytes| crate::toml_doc::parse_table(&crate::scan::lossy(&bytes)));
                    // A manifest that does not parse is a package's, to be reported.
                    let known = parsed.as_ref().is_some_and(|t| t.as_ref().map_or(true, |t| t.contains_key("package")));
                    self.manifests.insert(dir.to_path_buf(), known);
                    if let (true, Some(table)) = (known, parsed) {
                        self.tables.insert(dir.to_path_buf(), table);
                    }
                    known
                }
            };
            if is_package {
                dirs.push(dir.to_path_buf());
            }
        }
        let implicit = dirs.is_empty();
        if implicit {
            dirs.push(self.root.to_path_buf());
        }
        for dir in &dirs {
            if !self.packages.contains_key(dir) {
                let table = self.tables.remove(dir);
                let package = load_package(&self.boundary, dir, implicit, table);
                let routes = self.walk(&package);
                self.packages.insert(dir.clone(), (package, routes));
            }
        }
        dirs
    }

    /// Reads the module files among `files` not read yet, side by side: a large crate's
    /// module tree is hundreds of files, each of which must be read and skimmed.
    fn read_ahead<'p>(&mut self, files: impl Iterator<Item = &'p PathBuf>) {
        let mut todo: Vec<PathBuf> = files.filter(|f| !self.files.contains_key(*f)).cloned().collect();
        todo.sort();
        todo.dedup();
        let (leaves, todo): (Vec<PathBuf>, Vec<PathBuf>) =
            todo.into_iter().partition(|f| self.leaves.contains(&self.rel(f)));
        self.files.extend(leaves.into_iter().map(|f| (f, Rc::new(Ok(ModFile::default())))));
        let (boundary, root) = (&self.boundary, self.root);
        let read = |file: &PathBuf| match crate::paths::read_inside(boundary, file) {
            Some(bytes) => module_decls(&crate::paths::relative(root, file), &crate::scan::lossy(&bytes)),
            None => Err("cannot be read".to_owned()),
        };
        // Side by side only when there is enough to share: a module of nine files is read
        // faster than a thread starts.
        let half = todo.len() / 2;
        if half < 16 {
            let parsed: Vec<_> = todo.iter().map(read).collect();
            self.files.extend(todo.into_iter().zip(parsed.into_iter().map(Rc::new)));
            return;
        }
        let parsed: Vec<Result<ModFile, String>> = std::thread::scope(|s| {
            let other = s.spawn(|| todo[half..].iter().map(read).collect::<Vec<_>>());
            let mut mine: Vec<_> = todo[..half].iter().map(read).collect();
            mine.extend(other.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            mine
        });
        self.files.extend(todo.into_iter().zip(parsed.into_iter().map(Rc::new)));
    }

    fn module_file(&mut self, file: &Path) -> Rc<Result<ModFile, String>> {
        if !self.files.contains_key(file) {
            let parsed = match crate::paths::read_inside(&self.boundary, file) {
                Some(bytes) => module_decls(&self.rel(file), &crate::scan::lossy(&bytes)),
                None => Err("cannot be read".to_owned()),
            };
            self.files.insert(file.to_path_buf(), Rc::new(parsed));
        }
        Rc::clone(&self.files[file])
    }

    /// Every file the package's targets reach, with the best route to each.
    fn walk(&mut self, package: &Package) -> HashMap<PathBuf, Route> {
        let mut best: HashMap<PathBuf, Route> = HashMap::new();
        let Ok(targets) = &package.targets else { return best };
        let mut work: Vec<(PathBuf, Route)> = targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.root.is_file())
            .map(|(i, t)| {
                let dir = t.root.parent().unwrap_or(Path::new("")).to_path_buf();
                (t.root.clone(), Route { target: i, module_dir: dir, conds: Vec::new(), modules: Vec::new() })
            })
            .collect();
        // Targets whose tests run first, so that they own the routes they share.
        work.sort_by_key(|(_, r)| std::cmp::Reverse(targets[r.target].test));
        // `work[..ahead]` are read (or known to declare nothing): a read-ahead looks only
        // above them, else each of 5,000 files with a `mod tests` would look through
        // everything waiting again.
        let mut ahead = 0;
        while let Some((next, _)) = work.last() {
            // The next file is not read yet: read it with every other waiting one.
            if !self.files.contains_key(next) {
                if self.leaves.contains(&self.rel(next)) {
                    self.files.insert(next.clone(), Rc::new(Ok(ModFile::default())));
                } else {
                    self.read_ahead(work[ahead..].iter().map(|(f, _)| f));
                    ahead = work.len();
                }
            }
            let Some((file, route)) = work.pop() else { break };
            ahead = ahead.min(work.len());
            if let Some(old) = best.get(&file)
                && (targets[old.target].test, std::cmp::Reverse(old.rank()))
                    >= (targets[route.target].test, std::cmp::Reverse(route.rank()))
            {
                continue;
            }
            best.insert(file.clone(), route.clone());
            let module = self.module_file(&file);
            let Ok(decls) = module.as_ref() else { continue };
            let mut conds = route.conds.clone();
            conds.extend(decls.conds.iter().cloned());
            let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
            for include in &decls.includes {
                let path = crate::paths::normalize(&dir.join(include));
                work.push((path, Route { conds: conds.clone(), ..route.clone() }));
            }
            // Each child with the conditions of each declaration of it: a module declared
            // twice (`cfg_rt! { pub mod runtime; }` and `cfg_not_rt! { pub(crate) mod
            // runtime; }`) is there when either holds.
            // (file, the directory its `mod NAME;` look in, module path, each declaration's conditions)
            type Child = (PathBuf, PathBuf, Vec<String>, Vec<Vec<Cond>>);
            let mut children: Vec<Child> = Vec::new();
            for decl in &decls.decls {
                let mut inline_dir = route.module_dir.clone();
                for (name, path) in &decl.inline {
                    inline_dir.push(path.as_deref().unwrap_or(name));
                }
                let Some((child, module_dir)) = module_candidates(decl, &dir, &inline_dir)
                    .into_iter()
                    .find(|(c, _)| self.walked.contains(&self.rel(c)) || c.is_file())
                else {
                    continue;
                };
                let mut own = decl.conds.clone();
                own.extend(self.macro_conds(package, &decl.macros));
                match children.iter_mut().find(|c| c.0 == child) {
                    Some(c) => c.3.push(own),
                    None => {
                        let mut modules = route.modules.clone();
                        modules.extend(decl.inline.iter().map(|(name, _)| name.clone()));
                        modules.push(decl.name.clone());
                        children.push((child, module_dir, modules, vec![own]));
                    }
                }
            }
            for (child, module_dir, modules, alternatives) in children {
                let mut child_conds = conds.clone();
                child_conds.extend(rust_cfg::either(alternatives));
                work.push((child, Route { target: route.target, module_dir, conds: child_conds, modules }));
            }
        }
        best
    }

    /// Where the manifest declares `target`: the line of `key` in its table (`harness`,
    /// `required-features`), else the table's header; line 1 for a target cargo found.
    fn entry_loc(&self, manifest: &Path, target: &Target, key: &str) -> crate::finding::Location {
        let path = self.rel(manifest);
        let text = crate::paths::read_inside(&self.boundary, manifest).map(|b| crate::scan::lossy(&b).into_owned());
        let (line, len) = target
            .entry
            .zip(text)
            .and_then(|((header, nth), text)| entry_line(&text, header, nth, key))
            .unwrap_or((1, 1));
        crate::finding::Location { path, line, column: 1, len }
    }

    /// The files of the target that compiles `file` (its best route's), sorted; when no
    /// target does, the Rust files in its directory.
    fn target_files(&mut self, file: &Path) -> Vec<PathBuf> {
        for dir in self.packages_for(file) {
            let (_, routes) = &self.packages[&dir];
            if let Some(route) = routes.get(file) {
                let mut files: Vec<PathBuf> =
                    routes.iter().filter(|(_, r)| r.target == route.target).map(|(f, _)| f.clone()).collect();
                files.sort();
                return files;
            }
        }
        let dir = file.parent().unwrap_or(Path::new(""));
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        files
    }

    /// The macros of `files` that write tests, each file's knowing the others' (a macro
    /// may call one defined in another file).
    fn read_test_macros(&self, files: &[PathBuf]) -> Vec<crate::scan::rust::TestMacro> {
        let texts: Vec<String> = files
            .iter()
            .filter_map(|f| crate::paths::read_inside(&self.boundary, f))
            .map(|b| crate::scan::lossy(&b).into_owned())
            .filter(|t| t.contains("macro_rules"))
            .collect();
        let mut known: Vec<crate::scan::rust::TestMacro> = Vec::new();
        // Twice, so that a macro calling one of a later file is resolved.
        for _ in 0..2 {
            for text in &texts {
                for m in crate::scan::rust::test_macros(text, &known) {
                    match known.iter_mut().find(|k| k.name == m.name) {
                        Some(k) if k.arms.len() < m.arms.len() => *k = m,
                        Some(_) => {}
                        None => known.push(m),
                    }
                }
            }
        }
        known
    }

    /// The conditions that item macros (`cfg_loom! { mod m; }`) put on a declaration:
    /// those of the package's `macro_rules!` that wrap their items in one cfg. The
    /// package's files (those the walk found under its directory) are searched once per
    /// macro name, and only for the macros that declare modules.
    fn macro_conds(&mut self, package: &Package, calls: &[(String, crate::finding::Location)]) -> Vec<Cond> {
        let mut out = Vec::new();
        let dir = package.manifest.parent().unwrap_or(Path::new("")).to_path_buf();
        for (name, loc) in calls {
            let key = (dir.clone(), name.clone());
            if !self.cfg_macros.contains_key(&key) {
                let prefix = self.rel(&dir);
                let mut files: Vec<&String> = self
                    .walked
                    .iter()
                    .filter(|f| prefix.is_empty() || prefix == "." || f.starts_with(&format!("{prefix}/")))
                    .collect();
                files.sort();
                let mut found: Vec<Option<String>> = Vec::new();
                for f in files {
                    let Some(bytes) = crate::paths::read_inside(&self.boundary, &self.root.join(f)) else { continue };
                    if memchr::memmem::find(&bytes, b"macro_rules!").is_none() {
                        continue;
                    }
                    found.extend(rust_cfg::find_wrapping_macros(&crate::scan::lossy(&bytes), name));
                }
                // Defined once, or the same way each time (cfg-gated twins): that cfg.
                let one = match found.split_first() {
                    Some((first, rest)) if rest.iter().all(|f| f == first) => first.clone(),
                    _ => None,
                };
                self.cfg_macros.insert(key.clone(), one);
            }
            let Some(pred) = self.cfg_macros[&key].clone() else { continue };
            let Some(expr) = rust_cfg::Expr::parse(&pred) else { continue };
            let runs = rust_cfg::decide(&expr, &rust_cfg::SourceOnly);
            let what = format!("`{name}!` (which puts `#[cfg({pred})]` on its items)");
            let what = if runs == rust_cfg::Truth::Never {
                format!("{what}, which never holds, so it is compiled out")
            } else {
                what
            };
            out.push(Cond { runs, skip: Skip::new(loc.clone(), what), expr: Some(expr) });
        }
        out
    }

    /// `own`: the test's own conditions the source left open.
    fn verdict(&mut self, file: &Path, test: &TestCase, own: &[Cond]) -> Option<Found> {
        let dirs = self.packages_for(file);
        // The best answer any package gives.
        let mut answers: Vec<(u8, Found)> = Vec::new();
        for dir in dirs {
            if self.ci.is_none() {
                self.ci = Some(super::ci::Ci::read(&self.boundary));
            }
            let rel_dir = PathBuf::from(crate::paths::relative(&self.boundary, &dir));
            let rel_root = self.packages[&dir]
                .0
                .features
                .as_ref()
                .and_then(|f| f.virtual_root.as_ref())
                .map(|r| PathBuf::from(crate::paths::relative(&self.boundary, r)));
            let (package, routes) = &self.packages[&dir];
            let manifest = self.rel(&package.manifest);
            let targets = match &package.targets {
                Ok(t) => t,
                Err(e) => {
                    answers.push((3, Found::NotRun(format!("its package's manifest {manifest} cannot be read: {e}"))));
                    continue;
                }
            };
            let Some(route) = routes.get(file) else {
                let assumed = if package.implicit {
                    " (no Cargo.toml stands above it: cargo's default layout at the checked directory was assumed)"
                        .to_owned()
                } else {
                    format!(" (package {manifest})")
                };
                answers.push((
                    4,
                    Found::NotRun(format!(
                        "no cargo target compiles {}: no `mod` declaration reaches it from a crate root (`src/lib.rs`, `src/main.rs`, `src/bin/*`, `tests/*.rs`, or a target path in Cargo.toml){assumed}",
                        self.rel(file)
                    )),
                ));
                continue;
            };
            let target = &targets[route.target];
            let what = format!("{} target `{}`", target.kind.name(), target.name);
            if is_doc_test(test) {
                // rustdoc tests the library's docs only.
                if target.kind != Kind::Lib {
                    answers.push((
                        3,
                        Found::NotRun(format!(
                            "it is a doc test in a file compiled into the {what}: `cargo test` runs the doc tests of a library only"
                        )),
                    ));
                    continue;
                }
                if !target.doctest {
                    answers.push((
                        3,
                        Found::NotRun(format!(
                            "it is a doc test of the library, which sets `doctest = false` in {manifest}"
                        )),
                    ));
                    continue;
                }
            }
            if !target.test {
                let why = match target.kind {
                    Kind::Example | Kind::Bench => format!(
                        "it is compiled only into the {what}, and `cargo test` does not run the tests of {}s unless they set `test = true` in Cargo.toml",
                        target.kind.name()
                    ),
                    _ => format!("it is compiled only into the {what}, which sets `test = false` in {manifest}"),
                };
                answers.push((3, Found::NotRun(why)));
                continue;
            }
            if !target.harness {
                // A custom harness may run it (deno registers its tests with an imported
                // `#[test]`, and its `main` runs them): only its `main` can tell.
                let text = crate::paths::read_inside(&self.boundary, file).map(|b| crate::scan::lossy(&b).into_owned());
                let custom = match &text {
                    Some(text) => crate::scan::rust_attrs::custom_harness_attr(text, test.loc.line),
                    None => Some("its file cannot be read".to_owned()),
                };
                match custom {
                    Some(why) => {
                        let loc = self.entry_loc(&package.manifest, target, "harness");
                        answers.push((
                            1,
                            Found::Conditional(Skip::new(
                                loc,
                                format!(
                                    "the {what} sets `harness = false` in {manifest}, and {why}: the target's own `main` (a custom harness) decides whether it runs"
                                ),
                            )),
                        ));
                    }
                    // Ignored besides: that is its error, not this.
                    None if test.ignored.is_some() => {}
                    None => answers.push((
                        3,
                        Found::NotRun(format!(
                            "it is compiled into the {what}, which sets `harness = false` in {manifest}: its own `main` runs instead of the test harness, and a build without the harness drops the built-in `#[test]` fns"
                        )),
                    )),
                }
                continue;
            }
            let mut conds = own.to_vec();
            conds.extend(route.conds.iter().cloned());
            if !target.required_features.is_empty() {
                let loc = self.entry_loc(&package.manifest, target, "required-features");
                let features = target.required_features.join(", ");
                conds.push(Cond {
                    runs: rust_cfg::Truth::Depends,
                    skip: Skip::new(
                        loc,
                        format!(
                            "the {what} builds only with the features `{features}` (`required-features` in {manifest})"
                        ),
                    ),
                    expr: Some(rust_cfg::Expr::All(
                        target
                            .required_features
                            .iter()
                            .map(|f| rust_cfg::Expr::Atom(rust_cfg::Atom::pair("feature", f)))
                            .collect(),
                    )),
                });
            }
            let ci = self.ci.as_ref().and_then(Option::as_ref).map(|ci| (ci, rel_dir.as_path(), rel_root.as_deref()));
            match rust_features::resolve(&conds, package.features.as_ref(), ci) {
                rust_cfg::Resolved::Never(never) => answers.push((2, Found::Never(never))),
                rust_cfg::Resolved::Depends(depends) => answers.push((1, Found::Conditional(depends))),
                rust_cfg::Resolved::Runs if own.is_empty() => return None,
                rust_cfg::Resolved::Runs => return Some(Found::Runs),
            }
        }
        answers.into_iter().min_by_key(|(rank, _)| *rank).map(|(_, f)| f)
    }
}

/// Where a file's tests run: one test binary that compiles it with the test harness,
/// and the module path of the file in it. `src/db/pool.rs` in the library of `payments`
/// is `db::pool` in the binary `payments`; `tests/retry.rs` is the root of the binary
/// `payments::retry` (cargo-nextest's binary IDs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The package's name.
    pub package: String,
    /// cargo-nextest's ID of the binary: `payments` for the library, `payments::retry`
    /// for `tests/retry.rs`, `payments::bin/cli` for a binary target.
    pub binary_id: String,
    /// The binary's file name before cargo's hash: the target's name, `-` made `_`.
    pub stem: String,
    /// The target's root file, relative to the checked directory.
    pub root: String,
    /// The modules from the target's root to the file: `["db", "pool"]`.
    pub modules: Vec<String>,
}

/// A package's test binaries, for telling which crate a result came from: `(stem, root)`
/// of each target whose tests run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageTargets {
    pub package: String,
    pub targets: Vec<(String, String)>,
}

/// The placements of each of `files` (relative to `root`), and every package they are in.
/// A file no test binary compiles has none (`linked-test-not-compiled` says so).
pub fn placements(root: &Path, files: &[&str]) -> (HashMap<String, Vec<Placement>>, Vec<PackageTargets>) {
    let mut reach = Reach::new(root);
    let mut out: HashMap<String, Vec<Placement>> = HashMap::new();
    let mut packages: Vec<PackageTargets> = Vec::new();
    let mut modules_of: HashMap<PathBuf, ModulePaths> = HashMap::new();
    for rel in files {
        let file = crate::paths::normalize(&root.join(rel));
        for dir in reach.packages_for(&file) {
            if !modules_of.contains_key(&dir) {
                let walked = reach.module_paths(&dir);
                modules_of.insert(dir.clone(), walked);
            }
            let (package, _) = &reach.packages[&dir];
            let Ok(targets) = &package.targets else { continue };
            if !packages.iter().any(|p| p.package == package.name) {
                let runs = targets.iter().filter(|t| t.test && t.harness);
                let targets = runs.map(|t| (t.name.replace('-', "_"), reach.rel(&t.root))).collect();
                packages.push(PackageTargets { package: package.name.clone(), targets });
            }
            for (target, modules) in modules_of[&dir].get(&file).into_iter().flatten() {
                let t = &targets[*target];
                let binary_id = match t.kind {
                    Kind::Lib => package.name.clone(),
                    Kind::Test => format!("{}::{}", package.name, t.name),
                    other => format!("{}::{}/{}", package.name, other.name(), t.name),
                };
                let placement = Placement {
                    package: package.name.clone(),
                    binary_id,
                    stem: t.name.replace('-', "_"),
                    root: reach.rel(&t.root),
                    modules: modules.clone(),
                };
                let list = out.entry((*rel).to_owned()).or_default();
                if !list.contains(&placement) {
                    list.push(placement);
                }
            }
        }
    }
    (out, packages)
}

/// For each file a package's test-harness targets compile: each target (by index) and
/// the module path to the file in it.
type ModulePaths = HashMap<PathBuf, Vec<(usize, Vec<String>)>>;

impl Reach<'_> {
    /// For every file the package's test-harness targets compile: each target and the
    /// module path to the file in it. Unlike `walk`, which keeps one best route to each
    /// file, this keeps every target a file is in: a `tests/common/mod.rs` runs in each
    /// integration test that declares it.
    fn module_paths(&mut self, dir: &Path) -> ModulePaths {
        let mut out: ModulePaths = HashMap::new();
        let targets = match &self.packages[dir].0.targets {
            Ok(t) => t.clone(),
            Err(_) => return out,
        };
        for (i, target) in targets.iter().enumerate() {
            if !(target.test && target.harness && target.root.is_file()) {
                continue;
            }
            let root_dir = target.root.parent().unwrap_or(Path::new("")).to_path_buf();
            // (file, the directory its `mod NAME;` look in, its module path)
            let mut work = vec![(target.root.clone(), root_dir, Vec::<String>::new())];
            let mut seen: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
            while let Some((file, module_dir, modules)) = work.pop() {
                if !seen.insert(file.clone()) {
                    continue;
                }
                out.entry(file.clone()).or_default().push((i, modules.clone()));
                let module = self.module_file(&file);
                let Ok(decls) = module.as_ref() else { continue };
                let here = file.parent().unwrap_or(Path::new("")).to_path_buf();
                for include in &decls.includes {
                    // `include!` pastes the file into this module.
                    work.push((crate::paths::normalize(&here.join(include)), module_dir.clone(), modules.clone()));
                }
                for decl in &decls.decls {
                    let mut inline_dir = module_dir.clone();
                    let mut child_modules = modules.clone();
                    for (name, path) in &decl.inline {
                        inline_dir.push(path.as_deref().unwrap_or(name));
                        child_modules.push(name.clone());
                    }
                    child_modules.push(decl.name.clone());
                    let candidates = module_candidates(decl, &here, &inline_dir);
                    if let Some((child, child_dir)) = candidates.into_iter().find(|(c, _)| c.is_file()) {
                        work.push((child, child_dir, child_modules));
                    }
                }
            }
        }
        out
    }
}

/// The files `mod NAME;` may load, in the order rustc tries them, each with the directory
/// its own `mod` declarations look in. `dir` is the declaring file's directory,
/// `inline_dir` where the inline modules around the declaration put it. `#[path]` outside
/// inline modules is relative to the file's own directory; a module loaded by path owns
/// its directory like `mod.rs`.
fn module_candidates(decl: &ModDecl, dir: &Path, inline_dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    match &decl.path_attr {
        Some(p) => {
            let base = if decl.inline.is_empty() { dir } else { inline_dir };
            let child = crate::paths::normalize(&base.join(p));
            let child_dir = child.parent().unwrap_or(Path::new("")).to_path_buf();
            vec![(child, child_dir)]
        }
        None => vec![
            (inline_dir.join(format!("{}.rs", decl.name)), inline_dir.join(&decl.name)),
            (inline_dir.join(&decl.name).join("mod.rs"), inline_dir.join(&decl.name)),
        ],
    }
}

/// Reads a package's targets from its manifest, with cargo's auto-discovery.
/// `table`: the manifest, parsed already.
fn load_package(boundary: &Path, dir: &Path, implicit: bool, table: Option<Result<toml::Table, String>>) -> Package {
    let manifest = dir.join("Cargo.toml");
    let table = if implicit {
        Ok(toml::Table::new())
    } else if let Some(table) = table {
        table
    } else {
        match crate::paths::read_inside(boundary, &manifest) {
            Some(bytes) => crate::toml_doc::parse_table(&crate::scan::lossy(&bytes)),
            None => Err("it cannot be read".to_owned()),
        }
    };
    let name =
        table.as_ref().ok().and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_owned)).unwrap_or_else(
            || dir.file_name().map_or_else(|| "package".to_owned(), |n| n.to_string_lossy().into_owned()),
        );
    let features = table.as_ref().ok().filter(|_| !implicit).map(|t| Features::read(boundary, dir, t));
    let targets = table.map(|t| targets(dir, &t));
    Package { manifest, name, implicit, targets, features }
}

/// The line of `key` in the `nth` table headed `header` (`[[test]]`) of a manifest's
/// text, with the length of what stands there; the header's line when the table does not
/// set `key` on a line of its own.
fn entry_line(text: &str, header: &str, nth: usize, key: &str) -> Option<(usize, usize)> {
    let mut seen = 0;
    let mut at: Option<(usize, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            if at.is_some() {
                break;
            }
            let head = trimmed.split('#').next().unwrap_or("").replace(' ', "");
            if head == header {
                if seen == nth {
                    at = Some((i + 1, header.len()));
                }
                seen += 1;
            }
            continue;
        }
        if at.is_some() {
            let k = trimmed.split('=').next().unwrap_or("").trim().trim_matches('"');
            if k == key && trimmed.contains('=') {
                return Some((i + 1, trimmed.chars().count()));
            }
        }
    }
    at
}

fn targets(dir: &Path, manifest: &toml::Table) -> Vec<Target> {
    let package = manifest.get("package").and_then(|p| p.as_table());
    let package_name = package.and_then(|p| p.get("name")).and_then(|n| n.as_str()).unwrap_or("package");
    let auto = |key: &str| package.and_then(|p| p.get(key)).and_then(|v| v.as_bool()).unwrap_or(true);
    let mut out: Vec<Target> = Vec::new();
    let explicit =
        |t: &toml::Table, kind: Kind, default_path: Option<PathBuf>, entry: (&'static str, usize)| -> Option<Target> {
            let name = t.get("name").and_then(|n| n.as_str()).unwrap_or(package_name).to_owned();
            let root = match t.get("path").and_then(|p| p.as_str()) {
                Some(p) => crate::paths::normalize(&dir.join(p)),
                None => default_path.or_else(|| {
                    let sub = match kind {
                        Kind::Bin => "src/bin",
                        Kind::Test => "tests",
                        Kind::Example => "examples",
                        Kind::Bench => "benches",
                        Kind::Lib => "src",
                    };
                    let single = dir.join(sub).join(format!("{name}.rs"));
                    let multi = dir.join(sub).join(&name).join("main.rs");
                    Some(if !single.is_file() && multi.is_file() { multi } else { single })
                })?,
            };
            let default_test = matches!(kind, Kind::Lib | Kind::Bin | Kind::Test);
            Some(Target {
                kind,
                name,
                root,
                test: t.get("test").and_then(|v| v.as_bool()).unwrap_or(default_test),
                harness: t.get("harness").and_then(|v| v.as_bool()).unwrap_or(true),
                required_features: t
                    .get("required-features")
                    .and_then(|v| v.as_array())
                    .map(|a| a.iter().filter_map(|f| f.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
                entry: Some(entry),
                doctest: kind == Kind::Lib && t.get("doctest").and_then(|v| v.as_bool()).unwrap_or(true),
            })
        };
    // The library.
    let lib_table = manifest.get("lib").and_then(|l| l.as_table()).cloned().unwrap_or_default();
    let lib_default = dir.join("src/lib.rs");
    if manifest.contains_key("lib") || lib_default.is_file() {
        out.extend(explicit(&lib_table, Kind::Lib, Some(lib_default), ("[lib]", 0)));
    }
    // Explicit targets.
    for (key, kind, header) in [
        ("bin", Kind::Bin, "[[bin]]"),
        ("test", Kind::Test, "[[test]]"),
        ("example", Kind::Example, "[[example]]"),
        ("bench", Kind::Bench, "[[bench]]"),
    ] {
        let tables = manifest.get(key).and_then(|v| v.as_array()).into_iter().flatten().filter_map(|v| v.as_table());
        for (i, t) in tables.enumerate() {
            let default = (kind == Kind::Bin && t.get("name").and_then(|n| n.as_str()) == Some(package_name))
                .then(|| dir.join("src/main.rs"))
                .filter(|p| p.is_file());
            out.extend(explicit(t, kind, default, (header, i)));
        }
    }
    // Auto-discovered targets, unless turned off or already declared.
    for (flag, kind, sub) in [
        ("autobins", Kind::Bin, "src/bin"),
        ("autotests", Kind::Test, "tests"),
        ("autoexamples", Kind::Example, "examples"),
        ("autobenches", Kind::Bench, "benches"),
    ] {
        if !auto(flag) {
            continue;
        }
        let mut found: Vec<(String, PathBuf)> = Vec::new();
        if kind == Kind::Bin && dir.join("src/main.rs").is_file() {
            found.push((package_name.to_owned(), dir.join("src/main.rs")));
        }
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            entries.sort();
            for p in entries {
                let name = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                if p.extension().is_some_and(|e| e == "rs") && p.is_file() {
                    found.push((name, p));
                } else if p.join("main.rs").is_file() {
                    found.push((name, p.join("main.rs")));
                }
            }
        }
        for (name, root) in found {
            if out.iter().any(|t| t.root == root || (t.kind == kind && t.name == name)) {
                continue;
            }
            out.push(Target {
                kind,
                name,
                root,
                test: matches!(kind, Kind::Bin | Kind::Test),
                harness: true,
                required_features: Vec::new(),
                entry: None,
                doctest: false,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each file's test binaries and module path, as libtest and nextest name them.
    #[test]
    fn placements_give_the_binary_and_the_module_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let file = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        file(
            "Cargo.toml",
            "[package]\nname = \"pay-ments\"\nversion = \"0.1.0\"\n\n[[test]]\nname = \"slow\"\npath = \"checks/slow_main.rs\"\n\n[[bin]]\nname = \"cli\"\npath = \"src/cli.rs\"\n",
        );
        file("src/lib.rs", "mod db;\nmod outer { #[path = \"elsewhere/inner.rs\"] mod inner; }\n");
        file("src/db/mod.rs", "mod pool;\n");
        file("src/db/pool.rs", "");
        file("src/outer/elsewhere/inner.rs", "");
        file("src/cli.rs", "fn main() {}\n");
        file("tests/retry.rs", "mod common;\n");
        file("tests/common/mod.rs", "");
        file("tests/other.rs", "mod common;\n");
        file("checks/slow_main.rs", "");
        let files = [
            "src/db/pool.rs",
            "src/db/mod.rs",
            "src/outer/elsewhere/inner.rs",
            "tests/retry.rs",
            "tests/common/mod.rs",
            "checks/slow_main.rs",
            "src/cli.rs",
            "tests/off/lost.rs",
        ];
        let (placements, packages) = placements(root, &files);
        let of = |rel: &str| -> Vec<(String, String, String)> {
            let mut v: Vec<(String, String, String)> = placements
                .get(rel)
                .into_iter()
                .flatten()
                .map(|p| (p.binary_id.clone(), p.stem.clone(), p.modules.join("::")))
                .collect();
            v.sort();
            v
        };
        let one = |id: &str, stem: &str, path: &str| vec![(id.to_owned(), stem.to_owned(), path.to_owned())];
        assert_eq!(of("src/db/pool.rs"), one("pay-ments", "pay_ments", "db::pool"));
        assert_eq!(of("src/db/mod.rs"), one("pay-ments", "pay_ments", "db"));
        assert_eq!(of("src/outer/elsewhere/inner.rs"), one("pay-ments", "pay_ments", "outer::inner"));
        assert_eq!(of("tests/retry.rs"), one("pay-ments::retry", "retry", ""));
        assert_eq!(
            of("tests/common/mod.rs"),
            [
                ("pay-ments::other".to_owned(), "other".to_owned(), "common".to_owned()),
                ("pay-ments::retry".to_owned(), "retry".to_owned(), "common".to_owned())
            ]
        );
        assert_eq!(of("checks/slow_main.rs"), one("pay-ments::slow", "slow", ""));
        assert_eq!(of("src/cli.rs"), one("pay-ments::bin/cli", "cli", ""));
        assert!(of("tests/off/lost.rs").is_empty(), "no target compiles it");
        assert_eq!(packages.len(), 1);
        assert!(packages[0].targets.contains(&("slow".to_owned(), "checks/slow_main.rs".to_owned())));
    }

    #[test]
    fn removed_mod_declarations_name_the_files_they_declared() {
        let base = "mod a;\n#[cfg(test)]\npub(crate) mod pool;\nmod inline { }\n// mod commented;\nmod kept;\n";
        let head = "mod a;\nmod kept;\n";
        let gone = super::removed_mods("src/lib.rs", base, Some(head));
        assert_eq!(gone.len(), 1, "{gone:?}");
        assert_eq!((gone[0].line, gone[0].name.as_str()), (3, "pool"));
        assert!(
            gone[0].declared("src/pool.rs") && gone[0].declared("src/pool/mod.rs") && !gone[0].declared("src/a.rs")
        );
        let nested = super::removed_mods("src/db/conn.rs", "mod retry;\n", None);
        assert!(nested[0].declared("src/db/conn/retry.rs"), "{nested:?}");
        assert_eq!(super::first_changed_line("a\nb\nc\n", "a\nB\nc\n"), Some(2));
        assert_eq!(super::first_changed_line("a\nb\n", "a\nb\n"), None);
        assert_eq!(super::first_changed_line("a\nb\nc\n", "a\n"), Some(1), "lines removed at the end: the last line");
        let root = super::removed_mods("tests/suite.rs", "mod helpers;\n", Some(""));
        assert!(root[0].declared("tests/helpers.rs") && root[0].declared("tests/helpers/mod.rs"), "{root:?}");
    }
}
