//! What a package's manifest decides about the cfg conditions on its tests. `feature =
//! "x"` never holds when the package declares no feature `x` (nor an optional dependency
//! that is one): cargo refuses `--features x`, so no build enables it. It holds in a plain
//! `cargo test` when `default` enables it. A custom cfg (`loom`, `tokio_unstable`) holds
//! only where a build sets it: `RUSTFLAGS=--cfg loom`, the build script
//! (`cargo::rustc-cfg=…`) or `.cargo/config.toml`; the names the package declares
//! (`[lints.rust] unexpected_cfgs = { check-cfg = […] }`, `cargo::rustc-check-cfg`) are
//! only said in the message.

use crate::scan::rust_cfg::{self, Atom, World};
use std::collections::BTreeSet;
use std::path::Path;

/// The names rustc or cargo set themselves, or that are well known; anything else is a
/// custom cfg.
const BUILTIN: &[&str] = &[
    "test",
    "debug_assertions",
    "unix",
    "windows",
    "miri",
    "doc",
    "doctest",
    "proc_macro",
    "panic",
    "feature",
    "overflow_checks",
    "ub_checks",
    "relocation_model",
    "sanitize",
    "sanitizer_cfi_generalize_pointers",
    "sanitizer_cfi_normalize_integers",
    "fmt_debug",
    "contract_checks",
    "emscripten_wasm_eh",
    "clippy",
    "rustfmt",
    "rust_analyzer",
];

/// Whether a cfg name is one the package or its builds define (not rustc's own).
pub fn is_custom(atom: &Atom) -> bool {
    let key = atom.key.as_str();
    atom.value.is_none()
        && !BUILTIN.contains(&key)
        && !key.starts_with("target_")
        && key.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// What the manifest of one package says about features and cfgs.
#[derive(Clone, Debug, Default)]
pub struct Features {
    pub package: String,
    /// `[features]` keys and optional dependencies no `dep:` hides.
    pub declared: BTreeSet<String>,
    /// What `default` enables, followed through the features it names.
    pub default: BTreeSet<String>,
    /// Each feature and the features of this package it enables.
    pub graph: std::collections::BTreeMap<String, Vec<String>>,
    /// The directory of the virtual workspace manifest above the package, if any: a
    /// `cargo test` there tests the package too.
    pub virtual_root: Option<std::path::PathBuf>,
    /// The custom cfg names of check-cfg (Cargo.toml's lints, the build script's).
    pub check_cfg: BTreeSet<String>,
    /// Custom cfgs the build script or `.cargo/config.toml` may set.
    pub set_by_build: BTreeSet<String>,
    /// The build script sets cfgs whose names cannot be read (`format!`): any custom
    /// cfg may be set.
    pub build_sets_unknown: bool,
    /// Where that is said, for messages: `build.rs`.
    pub build_script: Option<String>,
}

impl Features {
    /// Reads the package of the manifest `table` in `dir`. `boundary` is the repository,
    /// for the workspace's manifest (inherited lints) and `.cargo/config.toml`.
    pub fn read(boundary: &Path, dir: &Path, table: &toml::Table) -> Features {
        let mut f = Features {
            package: table
                .get("package")
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
                .unwrap_or("package")
                .to_owned(),
            ..Features::default()
        };
        let features = table.get("features").and_then(|v| v.as_table());
        let mut hidden: BTreeSet<String> = BTreeSet::new();
        for (name, list) in features.into_iter().flatten() {
            f.declared.insert(name.clone());
            let mut enables = Vec::new();
            for item in list.as_array().into_iter().flatten().filter_map(|v| v.as_str()) {
                if let Some(dep) = item.strip_prefix("dep:") {
                    hidden.insert(dep.to_owned());
                } else if !item.contains('/') {
                    enables.push(item.to_owned());
                }
            }
            f.graph.insert(name.clone(), enables);
        }
        // Optional dependencies are features of their own name, unless `dep:` names them.
        let mut deps: Vec<&toml::Table> = Vec::new();
        for key in ["dependencies", "build-dependencies"] {
            deps.extend(table.get(key).and_then(|v| v.as_table()));
        }
        for (_, t) in table.get("target").and_then(|v| v.as_table()).into_iter().flatten() {
            deps.extend(t.get("dependencies").and_then(|v| v.as_table()));
        }
        for (name, spec) in deps.into_iter().flatten() {
            if spec.get("optional").and_then(|v| v.as_bool()) == Some(true) && !hidden.contains(name) {
                f.declared.insert(name.clone());
            }
        }
        let mut work: Vec<String> = vec!["default".to_owned()];
        while let Some(name) = work.pop() {
            let list = features.and_then(|t| t.get(&name)).and_then(|v| v.as_array());
            for item in list.into_iter().flatten().filter_map(|v| v.as_str()) {
                // `dep/feature` and `dep:dep` enable no feature of this package's own
                // (`dep?/feature` neither); a bare name does.
                if item.contains('/') || item.starts_with("dep:") {
                    continue;
                }
                if f.default.insert(item.to_owned()) {
                    work.push(item.to_owned());
                }
            }
        }
        // check-cfg: the package's lints, or the workspace's when it inherits them.
        let lints = table.get("lints");
        let inherits = lints.and_then(|l| l.get("workspace")).and_then(|v| v.as_bool()) == Some(true);
        let workspace = workspace_manifest(boundary, dir);
        f.virtual_root = workspace.as_ref().filter(|(_, t)| !t.contains_key("package")).map(|(d, _)| d.clone());
        let workspace = if inherits { workspace.map(|(_, t)| t) } else { None };
        let lints = if inherits { workspace.as_ref().and_then(|w| w.get("workspace")?.get("lints")) } else { lints };
        let checks = lints
            .and_then(|l| l.get("rust"))
            .and_then(|r| r.get("unexpected_cfgs"))
            .and_then(|u| u.get("check-cfg"))
            .and_then(|c| c.as_array());
        for spec in checks.into_iter().flatten().filter_map(|v| v.as_str()) {
            f.check_cfg.extend(check_cfg_names(spec));
        }
        // The build script.
        let build = match table.get("package").and_then(|p| p.get("build")) {
            Some(toml::Value::String(p)) => Some(p.clone()),
            Some(toml::Value::Boolean(false)) => None,
            _ => Some("build.rs".to_owned()),
        };
        if let Some(rel) = build
            && let Some(bytes) = crate::paths::read_inside(boundary, &dir.join(&rel))
        {
            let text = crate::scan::lossy(&bytes);
            f.build_script = Some(rel);
            f.read_build_script(&text);
        }
        f.read_cargo_config(boundary, dir);
        f
    }

    /// `cargo::rustc-cfg=NAME` (or `cargo:`) and `cargo::rustc-check-cfg=cfg(NAME, …)` in
    /// a build script's text. A cfg line whose name is not a literal (`{}`) may set any.
    fn read_build_script(&mut self, text: &str) {
        for (at, _) in text.match_indices("rustc-cfg=") {
            let name: String =
                text[at + "rustc-cfg=".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if name.is_empty() {
                self.build_sets_unknown = true;
            } else {
                self.set_by_build.insert(name);
            }
        }
        for (at, _) in text.match_indices("rustc-check-cfg=") {
            let rest = &text[at + "rustc-check-cfg=".len()..];
            let end = rest.find(['"', '\n']).unwrap_or(rest.len());
            self.check_cfg.extend(check_cfg_names(&rest[..end]));
        }
    }

    /// `--cfg NAME` in the rustflags of `.cargo/config.toml` (or `.cargo/config`) in the
    /// package's directory and those above it: every build there sets it.
    fn read_cargo_config(&mut self, boundary: &Path, dir: &Path) {
        for d in dir.ancestors().take_while(|d| d.starts_with(boundary)) {
            for name in [".cargo/config.toml", ".cargo/config"] {
                let Some(bytes) = crate::paths::read_inside(boundary, &d.join(name)) else { continue };
                let Ok(table) = crate::scan::lossy(&bytes).parse::<toml::Table>() else {
                    self.build_sets_unknown = true;
                    continue;
                };
                let mut flags: Vec<&toml::Value> = Vec::new();
                flags.extend(table.get("build").and_then(|b| b.get("rustflags")));
                for (_, t) in table.get("target").and_then(|v| v.as_table()).into_iter().flatten() {
                    flags.extend(t.get("rustflags"));
                }
                for v in flags {
                    let words: Vec<String> = match v {
                        toml::Value::String(s) => s.split_whitespace().map(str::to_owned).collect(),
                        toml::Value::Array(a) => a.iter().filter_map(|w| w.as_str()).map(str::to_owned).collect(),
                        _ => Vec::new(),
                    };
                    self.set_by_build
                        .extend(cfg_flags(&words).into_iter().filter_map(|a| a.value.is_none().then_some(a.key)));
                }
            }
        }
    }

    /// Whether a build (not a `RUSTFLAGS` of its own) may set this custom cfg.
    pub fn build_may_set(&self, atom: &Atom) -> bool {
        self.build_sets_unknown || self.set_by_build.contains(&atom.key)
    }
}

/// The `--cfg` values of a list of compiler flags: `--cfg loom`, `--cfg=loom`,
/// `--cfg feature="x"`.
pub fn cfg_flags(words: &[String]) -> Vec<Atom> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let value = if words[i] == "--cfg" {
            i += 1;
            words.get(i).map(String::as_str)
        } else {
            words[i].strip_prefix("--cfg=")
        };
        i += 1;
        let Some(v) = value else { continue };
        let v = v.trim_matches('\'');
        match v.split_once('=') {
            Some((k, val)) => out.push(Atom::pair(k.trim(), val.trim().trim_matches('"'))),
            None => out.push(Atom::name(v)),
        }
    }
    out
}

/// The names in a check-cfg spec: `cfg(loom)`, `cfg(a, b)`, `cfg(foo, values("x"))`.
fn check_cfg_names(spec: &str) -> Vec<String> {
    let Some(inner) = spec.trim().strip_prefix("cfg(") else { return Vec::new() };
    let inner = inner.split("values(").next().unwrap_or("");
    inner
        .split([',', ')'])
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .map(str::to_owned)
        .collect()
}

/// The manifest with a `[workspace]` in `dir` or a directory above it, and its directory.
fn workspace_manifest(boundary: &Path, dir: &Path) -> Option<(std::path::PathBuf, toml::Table)> {
    for d in dir.ancestors().take_while(|d| d.starts_with(boundary)) {
        let Some(bytes) = crate::paths::read_inside(boundary, &d.join("Cargo.toml")) else { continue };
        let Ok(t) = crate::scan::lossy(&bytes).parse::<toml::Table>() else { continue };
        if t.contains_key("workspace") {
            return Some((d.to_path_buf(), t));
        }
    }
    None
}

impl World for Features {
    fn any(&self, atom: &Atom) -> Option<bool> {
        if let Some(v) = rust_cfg::source_fact(atom, false) {
            return Some(v);
        }
        match (atom.key.as_str(), &atom.value) {
            ("feature", Some(x)) if !self.declared.contains(x) => Some(false),
            _ => None,
        }
    }

    fn ordinary(&self, atom: &Atom) -> Option<bool> {
        if let Some(v) = rust_cfg::source_fact(atom, true) {
            return Some(v);
        }
        match (atom.key.as_str(), &atom.value) {
            ("feature", Some(x)) if self.default.contains(x) => Some(true),
            // A plain build sets no custom cfg but what its build script may.
            _ if is_custom(atom) && !self.build_may_set(atom) => Some(false),
            _ => None,
        }
    }

    fn reason(&self, atom: &Atom) -> Option<String> {
        match (atom.key.as_str(), &atom.value) {
            ("feature", Some(x)) if !self.declared.contains(x) => Some(format!(
                "package `{}` declares no feature `{x}` in its Cargo.toml, nor an optional dependency of that name",
                self.package
            )),
            _ => None,
        }
    }
}

impl Features {
    /// What a condition the manifest leaves open depends on, for the message: the
    /// features that are not default, the custom cfgs and who may set them.
    pub fn notes(&self, expr: &rust_cfg::Expr) -> Vec<String> {
        let mut out = Vec::new();
        for a in expr.atoms() {
            match (a.key.as_str(), &a.value) {
                ("feature", Some(x)) => {
                    out.push(format!("`{x}` is not a default feature of package `{}`", self.package))
                }
                _ if is_custom(&a) => {
                    let declared = if self.check_cfg.contains(&a.key) { ", declared in check-cfg" } else { "" };
                    let by = match (&self.build_script, self.build_may_set(&a)) {
                        (Some(b), true) => format!("set by {b} in some builds, or by `RUSTFLAGS=--cfg {}`", a.key),
                        _ => format!("set only by `RUSTFLAGS=--cfg {}`", a.key),
                    };
                    out.push(format!("`{}` is a custom cfg{declared}, {by}", a.key));
                }
                _ => {}
            }
        }
        out.dedup();
        out
    }
}

/// What the conditions on a test (its own, the modules' and the target's) decide in its
/// package: what the source decides, then the manifest, then the repository's CI (`ci`,
/// with the package's directory and its virtual workspace's, relative to the repository). A condition left open names
/// what it depends on, and why CI does not decide it.
pub fn resolve(
    conds: &[rust_cfg::Cond],
    features: Option<&Features>,
    ci: Option<(&super::ci::Ci, &Path, Option<&Path>)>,
) -> rust_cfg::Resolved {
    let Some(f) = features else { return rust_cfg::resolve_in(conds, &rust_cfg::SourceOnly) };
    let rust_cfg::Resolved::Depends(mut skip) = rust_cfg::resolve_in(conds, f) else {
        return rust_cfg::resolve_in(conds, f);
    };
    let mut notes: Vec<String> = Vec::new();
    for c in &skip.cfg {
        for n in c.expr.as_ref().map(|e| f.notes(e)).unwrap_or_default() {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
    }
    let exprs: Option<Vec<rust_cfg::Expr>> = skip.cfg.iter().map(|c| c.expr.clone()).collect();
    match (ci, exprs) {
        (Some((ci, dir, root)), Some(exprs)) => {
            let all = rust_cfg::Expr::All(exprs);
            match ci.answer(&all, f, dir, root) {
                super::ci::Answer::Runs(_) => return rust_cfg::Resolved::Runs,
                super::ci::Answer::Never(jobs) => {
                    let shown: Vec<String> = jobs.iter().take(6).map(|j| format!("`{j}`")).collect();
                    let more = if jobs.len() > 6 { format!(" and {} more", jobs.len() - 6) } else { String::new() };
                    let by = format!(
                        "no CI job meets it: {}{more} test package `{}` otherwise",
                        shown.join(", "),
                        f.package
                    );
                    let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
                    let loc = skip.loc.clone();
                    return rust_cfg::Resolved::Never(crate::scan::Skip::new(
                        loc,
                        format!("{}{notes}, and {by}", skip.what),
                    ));
                }
                super::ci::Answer::Unknown(why) => {
                    let more = if why.len() > 1 { format!(" (and {} more)", why.len() - 1) } else { String::new() };
                    notes.push(format!("CI does not decide it: {}{more}", why[0]));
                }
            }
        }
        (Some(_), None) => notes.push("CI does not decide it: a condition is not a cfg that can be read".into()),
        (None, _) => {}
    }
    if !notes.is_empty() {
        skip.what = format!("{} ({})", skip.what, notes.join("; "));
    }
    rust_cfg::Resolved::Depends(skip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::rust_cfg::{Expr, Truth, decide};

    fn features(manifest: &str, build: Option<&str>) -> Features {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        if let Some(b) = build {
            std::fs::write(dir.path().join("build.rs"), b).unwrap();
        }
        Features::read(dir.path(), dir.path(), &manifest.parse().unwrap())
    }

    fn d(f: &Features, pred: &str) -> Truth {
        decide(&Expr::parse(pred).unwrap(), f)
    }

    // incident: IG-2026-013
    #[test]
    fn undeclared_features_never_hold_and_default_ones_always_do() {
        let f = features(
            "[package]\nname = \"p\"\n[features]\ndefault = [\"std\", \"serde/std\"]\nstd = [\"alloc\"]\nalloc = []\nextra = [\"dep:hidden\"]\nfull = []\n\
[dependencies]\nhidden = { version = \"1\", optional = true }\nregex = { version = \"1\", optional = true }\nserde = \"1\"\n",
            None,
        );
        assert_eq!(d(&f, "feature = \"nope\""), Truth::Never);
        assert_eq!(d(&f, "feature = \"hidden\""), Truth::Never, "dep: hides the implicit feature");
        assert_eq!(d(&f, "feature = \"serde\""), Truth::Never, "not optional");
        assert_eq!(d(&f, "feature = \"regex\""), Truth::Depends, "an optional dependency is a feature");
        assert_eq!(d(&f, "feature = \"full\""), Truth::Depends);
        assert_eq!(d(&f, "feature = \"std\""), Truth::Always);
        assert_eq!(d(&f, "feature = \"alloc\""), Truth::Always, "enabled through std");
        assert_eq!(d(&f, "all(feature = \"std\", not(feature = \"nope\"))"), Truth::Always);
        assert!(f.reason(&Atom::pair("feature", "nope")).unwrap().contains("declares no feature `nope`"));
    }

    #[test]
    fn custom_cfgs_hold_only_where_a_build_sets_them() {
        let f = features(
            "[package]\nname = \"p\"\n[lints.rust]\nunexpected_cfgs = { level = \"warn\", check-cfg = ['cfg(loom)', 'cfg(tokio_unstable, values(\"x\"))'] }\n",
            Some(
                "fn main() { println!(\"cargo::rustc-check-cfg=cfg(has_atomics)\"); println!(\"cargo:rustc-cfg=has_atomics\"); }\n",
            ),
        );
        assert_eq!(f.check_cfg.iter().cloned().collect::<Vec<_>>(), ["has_atomics", "loom", "tokio_unstable"]);
        assert_eq!(d(&f, "loom"), Truth::Depends);
        assert_eq!(d(&f, "not(loom)"), Truth::Always, "no ordinary build sets loom");
        assert_eq!(d(&f, "not(has_atomics)"), Truth::Depends, "the build script may set it");
        let notes = f.notes(&Expr::parse("all(loom, feature = \"x\")").unwrap());
        assert_eq!(
            notes,
            [
                "`loom` is a custom cfg, declared in check-cfg, set only by `RUSTFLAGS=--cfg loom`",
                "`x` is not a default feature of package `p`"
            ]
        );
        let dynamic = features("[package]\nname = \"p\"\n", Some("println!(\"cargo:rustc-cfg={}\", name);"));
        assert_eq!(d(&dynamic, "not(loom)"), Truth::Depends);
    }

    #[test]
    fn cfg_flags_are_read_in_their_spellings() {
        let w: Vec<String> = ["-Dwarnings", "--cfg", "loom", "--cfg=tokio_unstable", "--cfg", "feature=\"x\""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(cfg_flags(&w), [Atom::name("loom"), Atom::name("tokio_unstable"), Atom::pair("feature", "x")]);
    }
}
