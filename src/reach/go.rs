//! What the go tool never builds: `./...` and package paths skip directories named
//! `testdata` or starting with `_` or `.`, and files whose names start with `_` or `.`.
//! Moving a linked test to `pool/testdata/pool_test.go` or renaming it to
//! `_pool_test.go` keeps it in the tree, its marker intact, and takes it out of every
//! `go test` run.

use super::{TestVerdict, Verdict};
use crate::scan::TestCase;
use std::path::Path;

/// Verdicts for the linked Go tests.
pub fn judge(_root: &Path, tests: &[&TestCase]) -> Vec<TestVerdict> {
    tests
        .iter()
        .filter_map(|t| {
            let why = ignored(&t.loc.path)?;
            Some(TestVerdict { test: t.id.clone(), verdict: Verdict::NotRun { why, loc: t.loc.clone() } })
        })
        .collect()
}

/// Why the go tool ignores the file at `path` (relative to the root), if it does.
fn ignored(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    let (file, dirs) = parts.split_last()?;
    let ignored_dir = |d: &&str| *d == "testdata" || d.starts_with('_') || d.starts_with('.');
    if let Some(i) = dirs.iter().position(ignored_dir) {
        let dir = dirs[..=i].join("/");
        return Some(format!(
            "it is under `{dir}/`, and the go tool ignores directories named testdata or starting with `_` or `.`"
        ));
    }
    (file.starts_with('_') || file.starts_with('.'))
        .then(|| format!("the go tool ignores files whose names start with `_` or `.`, such as `{file}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_under_testdata_underscore_or_dot_directories_were_counted() {
        assert_eq!(
            ignored("pool/testdata/pool_test.go").as_deref(),
            Some(
                "it is under `pool/testdata/`, and the go tool ignores directories named testdata or starting with `_` or `.`"
            )
        );
        assert!(ignored("_old/pool_test.go").unwrap().contains("`_old/`"));
        assert!(ignored("a/.hidden/b/x_test.go").unwrap().contains("`a/.hidden/`"));
        assert_eq!(
            ignored("pool/_pool_test.go").as_deref(),
            Some("the go tool ignores files whose names start with `_` or `.`, such as `_pool_test.go`")
        );
        for built in ["pool/pool_test.go", "pool_test.go", "testdatax/a_test.go", "a_b/x_test.go", "x.y/z_test.go"] {
            assert_eq!(ignored(built), None, "{built}");
        }
    }
}
