//! Accuracy against the real test runners. These tests run **only when asked**, because
//! they need a runner that a fresh machine (and `cargo test` offline) does not have:
//!
//! ```sh
//! ACCURACY_PYTEST=/path/to/venv/bin/pytest cargo test --test accuracy -- --nocapture
//! ACCURACY_NODE=node cargo test --test accuracy -- --nocapture
//! ```
//!
//! `scripts/accuracy/run.sh` sets both up (pytest from PyPI in a virtualenv under /tmp,
//! Node's built-in runner). Without the variables each test returns at once.
//!
//! Each test copies a small realistic project from `scripts/accuracy/` to a temporary
//! directory, asks the runner for its tests (`pytest --collect-only -q`; `node --test`
//! with the TAP reporter), asks the scanners for theirs (every test, marker or not), and
//! compares the identities: parametrized cases (`test_x[1-2]`) are one test, as they are
//! for incident-guard. What the runner finds and the scanner does not fails the test;
//! what only the scanner finds must be exactly the known, documented differences.

use incident_guard::scan::{language_for, markers::MarkerWords};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(root, &path, out);
        } else {
            out.push(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
    out.sort();
}

/// Every test identity the scanners find under `root`, markers or not.
fn scanned(root: &Path) -> BTreeSet<String> {
    let words = MarkerWords::new(&["incident".to_owned()]);
    let mut paths = Vec::new();
    files(root, root, &mut paths);
    let mut ids = BTreeSet::new();
    for rel in paths {
        let Some(lang) = language_for(&rel) else { continue };
        let text = std::fs::read_to_string(root.join(&rel)).unwrap();
        ids.extend(lang.scan(&rel, &text, &words).tests.into_iter().map(|t| t.id));
    }
    ids
}

fn compare(runner: &str, found: &BTreeSet<String>, scanned: &BTreeSet<String>, known_extra: &[&str]) {
    let matched = found.intersection(scanned).count();
    let missed: Vec<&String> = found.difference(scanned).collect();
    let extra: Vec<&str> = scanned.difference(found).map(String::as_str).collect();
    println!(
        "{runner}: {} tests, scanner {} tests, {matched} matched, {} missed by the scanner, {} found only by the scanner {extra:?}",
        found.len(),
        scanned.len(),
        missed.len(),
        extra.len()
    );
    assert!(missed.is_empty(), "the scanner missed {missed:#?}");
    assert_eq!(extra, known_extra, "found only by the scanner");
}

#[test]
fn python_scanner_matches_pytest_collect_only() {
    let Ok(pytest) = std::env::var("ACCURACY_PYTEST") else {
        eprintln!("skipped: set ACCURACY_PYTEST to a pytest executable to run this comparison");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/accuracy/python"), dir.path());
    let out = Command::new(pytest)
        .args(["--collect-only", "-q", "-p", "no:cacheprovider"])
        .current_dir(dir.path())
        .output()
        .expect("run pytest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "pytest failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    let collected: Vec<&str> =
        stdout.lines().take_while(|l| !l.trim().is_empty()).filter(|l| l.contains("::")).collect();
    let found: BTreeSet<String> =
        collected.iter().map(|id| id.split_once('[').map_or(*id, |(base, _)| base).to_owned()).collect();
    println!(
        "pytest --collect-only: {} items ({} tests once parametrized cases are merged)",
        collected.len(),
        found.len()
    );
    // The else branch of `if sys.version_info >= (3, 8):` defines a test only on old
    // Pythons: read statically, both branches' tests exist.
    compare("pytest", &found, &scanned(dir.path()), &["tests/test_cart.py::test_never_defined_on_modern_python"]);
}

/// The leaf tests in Node's TAP output: subtests whose ancestors are all suites.
fn tap_tests(tap: &str, file: &str) -> BTreeSet<String> {
    struct Entry {
        level: usize,
        name: String,
        suite: bool,
    }
    let mut entries: Vec<Entry> = Vec::new();
    let mut last_ok_level = 0;
    for line in tap.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        if let Some(name) = trimmed.strip_prefix("# Subtest: ") {
            entries.push(Entry { level: indent / 4, name: name.to_owned(), suite: false });
        } else if trimmed.starts_with("ok ") || trimmed.starts_with("not ok ") {
            last_ok_level = indent / 4;
        } else if trimmed == "type: 'suite'"
            && let Some(e) = entries.iter_mut().rev().find(|e| e.level == last_ok_level)
        {
            e.suite = true;
        }
    }
    let mut out = BTreeSet::new();
    let mut stack: Vec<(String, bool)> = Vec::new();
    for e in &entries {
        stack.truncate(e.level);
        if !e.suite && stack.iter().all(|(_, suite)| *suite) {
            let path: Vec<&str> =
                stack.iter().map(|(n, _)| n.as_str()).chain(std::iter::once(e.name.as_str())).collect();
            out.insert(format!("{file}::{}", path.join(" > ")));
        }
        stack.push((e.name.clone(), e.suite));
    }
    out
}

#[test]
fn javascript_scanner_matches_node_test_runner() {
    let Ok(node) = std::env::var("ACCURACY_NODE") else {
        eprintln!("skipped: set ACCURACY_NODE to a node executable (20 or later) to run this comparison");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/accuracy/javascript"), dir.path());
    let mut paths = Vec::new();
    files(dir.path(), &dir.path().join("test"), &mut paths);
    let mut found = BTreeSet::new();
    for file in &paths {
        let out = Command::new(&node)
            .args(["--test", "--test-reporter=tap", file])
            .current_dir(dir.path())
            .output()
            .expect("run node --test");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "node --test {file} failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        found.extend(tap_tests(&stdout, file));
    }
    // Node does not report the tests inside a skipped `describe`; they exist all the same.
    compare(
        "node --test",
        &found,
        &scanned(dir.path()),
        &["test/cart.test.js::skipped block > inside a skipped block"],
    );
}

#[test]
fn go_scanner_matches_go_test_list() {
    let Ok(go) = std::env::var("ACCURACY_GO") else {
        eprintln!("skipped: set ACCURACY_GO to a go executable to run this comparison");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/accuracy/go"), dir.path());
    let out = Command::new(go)
        .args(["test", "-list", "."])
        .current_dir(dir.path())
        .env("GOFLAGS", "-mod=mod")
        .env("GOCACHE", dir.path().join(".gocache"))
        .env("GOPATH", dir.path().join(".gopath"))
        .output()
        .expect("run go test -list");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "go test -list failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    // `-list` names tests, benchmarks, fuzz targets and examples of the one package.
    let found: BTreeSet<String> = stdout.lines().filter(|l| l.starts_with("Test")).map(str::to_owned).collect();
    let names: BTreeSet<String> =
        scanned(dir.path()).iter().filter_map(|id| id.rsplit_once("::").map(|(_, name)| name.to_owned())).collect();
    compare("go test -list", &found, &names, &[]);
}

/// Go's own packages as a larger corpus: `ACCURACY_GO_PACKAGES` lists package
/// directories (e.g. `/usr/lib/go-1.19/src/strings:/usr/lib/go-1.19/src/encoding/json`).
/// What `go test -list` finds the scanner must find; tests only the scanner finds are
/// reported, not failed: files excluded by build constraints on this platform still hold
/// tests when read statically.
#[test]
fn go_scanner_matches_go_test_list_on_real_packages() {
    let (Ok(go), Ok(dirs)) = (std::env::var("ACCURACY_GO"), std::env::var("ACCURACY_GO_PACKAGES")) else {
        eprintln!("skipped: set ACCURACY_GO and ACCURACY_GO_PACKAGES to run this comparison");
        return;
    };
    let (mut total, mut matched, mut extra) = (0, 0, 0);
    for dir in dirs.split(':').filter(|d| !d.is_empty()) {
        let out = Command::new(&go).args(["test", "-list", "."]).current_dir(dir).output().expect("run go test -list");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "go test -list in {dir} failed: {}", String::from_utf8_lossy(&out.stderr));
        let found: BTreeSet<String> = stdout.lines().filter(|l| l.starts_with("Test")).map(str::to_owned).collect();
        let words = MarkerWords::new(&["incident".to_owned()]);
        let mut names = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.file_name().unwrap().to_string_lossy().into_owned();
            if let (Some(lang), Ok(text)) = (language_for(&rel), std::fs::read_to_string(&path)) {
                names.extend(lang.scan(&rel, &text, &words).tests.into_iter().map(|t| t.name));
            }
        }
        let missed: Vec<&String> = found.difference(&names).collect();
        let only: Vec<&String> = names.difference(&found).collect();
        println!(
            "{dir}: go test -list {} tests, scanner {}, missed {missed:?}, only the scanner {only:?}",
            found.len(),
            names.len()
        );
        assert!(missed.is_empty(), "{dir}: the scanner missed {missed:?}");
        total += found.len();
        matched += found.intersection(&names).count();
        extra += only.len();
    }
    println!("go packages: {total} tests listed, {matched} found by the scanner, {extra} found only by the scanner");
}

/// Real Python test files as a larger corpus: `ACCURACY_PYTHON_DIR` is a directory and
/// `ACCURACY_PYTHON_FILES` the test files in it to collect (`:`-separated), e.g. from
/// CPython's own `Lib/test`. A measurement, reported and not failed: such suites lean on
/// the two documented gaps, tests a class inherits (from a mixin or another test class)
/// and test methods generated at run time, and the figures say how much.
#[test]
fn python_scanner_matches_pytest_on_real_files() {
    let (Ok(pytest), Ok(dir), Ok(files)) = (
        std::env::var("ACCURACY_PYTEST"),
        std::env::var("ACCURACY_PYTHON_DIR"),
        std::env::var("ACCURACY_PYTHON_FILES"),
    ) else {
        eprintln!("skipped: set ACCURACY_PYTEST, ACCURACY_PYTHON_DIR and ACCURACY_PYTHON_FILES to run this comparison");
        return;
    };
    let words = MarkerWords::new(&["incident".to_owned()]);
    let (mut total, mut matched, mut inherited, mut generated, mut extra) = (0, 0, 0, 0, 0);
    for file in files.split(':').filter(|f| !f.is_empty()) {
        let out = Command::new(&pytest)
            .args(["--collect-only", "-q", "-p", "no:cacheprovider", "--rootdir", &dir, file])
            .current_dir(&dir)
            .output()
            .expect("run pytest");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let found: BTreeSet<String> = stdout
            .lines()
            .take_while(|l| !l.trim().is_empty())
            .filter(|l| l.contains("::"))
            .map(|id| id.split_once('[').map_or(id, |(base, _)| base).to_owned())
            .collect();
        let text = std::fs::read_to_string(Path::new(&dir).join(file)).unwrap();
        let scan = language_for(file).unwrap().scan(file, &text, &words);
        let names: BTreeSet<String> = scan.tests.into_iter().map(|t| t.id).collect();
        // A missed method defined somewhere in the file was inherited; one defined nowhere
        // was generated at run time.
        let defined = |id: &str| text.contains(&format!("def {}(", id.rsplit("::").next().unwrap_or(id)));
        let missed: Vec<&String> = found.difference(&names).collect();
        let (inh, gen_): (Vec<&String>, Vec<&String>) = missed.into_iter().partition(|id| defined(id));
        let only: Vec<&String> = names.difference(&found).collect();
        let m = found.intersection(&names).count();
        println!(
            "{file}: pytest {} tests, scanner {}, matched {m}, inherited {}, generated {}, only the scanner {only:?}",
            found.len(),
            names.len(),
            inh.len(),
            gen_.len()
        );
        total += found.len();
        matched += m;
        inherited += inh.len();
        generated += gen_.len();
        extra += only.len();
    }
    println!(
        "python files: pytest {total} tests; the scanner found {matched}; not listed: {inherited} inherited, {generated} generated at run time; {extra} found only by the scanner"
    );
}
