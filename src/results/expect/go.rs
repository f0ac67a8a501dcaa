//! Go: `go test -json`, gotestsum and go-junit-report name a test by its package's
//! import path and its name; subtests (`TestReconnect/primary`) fold into their test.
//! The import path of a test file's directory is its module's path (`module` in the
//! nearest `go.mod` above it) joined with the directory's path below the module.
//! gotestsum's `--junitfile-testcase-classname=relative` or `short` forms match as well.

use super::Case;
use crate::scan::TestCase;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Expect {
    pub name: String,
    /// The package's import path, when a `go.mod` gives it.
    import: Option<String>,
    /// The test file's directory, relative to the checked directory.
    dir: String,
}

/// `go.mod` files already read, by directory.
pub struct Modules<'a> {
    root: &'a Path,
    boundary: PathBuf,
    read: HashMap<PathBuf, Option<String>>,
}

impl<'a> Modules<'a> {
    pub fn new(root: &'a Path) -> Modules<'a> {
        Modules { root, boundary: crate::paths::boundary(root), read: HashMap::new() }
    }

    /// The import path of the package in `dir` (relative to the root).
    fn import_path(&mut self, dir: &str) -> Option<String> {
        let abs = crate::paths::normalize(&self.root.join(dir));
        for d in abs.ancestors() {
            if !d.starts_with(&self.boundary) {
                break;
            }
            let module = self.read.entry(d.to_path_buf()).or_insert_with(|| {
                let text = crate::paths::read_inside(&self.boundary, &d.join("go.mod"))?;
                let text = String::from_utf8_lossy(&text);
                text.lines().find_map(|l| {
                    let m = l.trim().strip_prefix("module")?;
                    m.starts_with(char::is_whitespace).then(|| m.trim().trim_matches('"').to_owned())
                })
            });
            if let Some(module) = module {
                let below = abs.strip_prefix(d).ok()?;
                let below = crate::paths::relative(Path::new(""), below);
                return Some(if below == "." || below.is_empty() {
                    module.clone()
                } else {
                    format!("{module}/{below}")
                });
            }
        }
        None
    }
}

impl Expect {
    pub fn new(test: &TestCase, modules: &mut Modules) -> Expect {
        let dir = test.loc.path.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        Expect { name: test.name.clone(), import: modules.import_path(&dir), dir }
    }

    pub fn matches(&self, case: &Case) -> bool {
        let base = case.name.split('/').next().unwrap_or(case.name);
        if base != self.name {
            return false;
        }
        let package = if case.classname.is_empty() { case.suite } else { case.classname };
        let tail = |full: &str| full == package || full.ends_with(&format!("/{package}"));
        match &self.import {
            Some(import) => !package.is_empty() && tail(import),
            None => self.dir.is_empty() || tail(&self.dir),
        }
    }

    pub fn looked_for(&self) -> String {
        match &self.import {
            Some(import) => format!("`{}` in package `{import}`", self.name),
            None => format!("`{}` in the package of `{}/` (no go.mod above it)", self.name, self.dir),
        }
    }
}
