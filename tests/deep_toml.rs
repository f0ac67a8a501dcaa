//! TOML from the repository that nests arrays or inline tables thousands of levels deep:
//! the parser has no depth limit of its own, and such a file aborted the whole process
//! with a stack overflow. Each place that reads repository TOML now refuses it with a
//! finding or an error that names the file.

mod common;
use common::*;

/// A value nested `n` levels deep: `[[[…]]]`.
fn nested(n: usize) -> String {
    format!("{}{}", "[".repeat(n), "]".repeat(n))
}

fn assert_no_crash(out: &std::process::Output) {
    let err = stderr(out);
    assert!(out.status.code().is_some(), "killed by a signal: {err}");
    assert!(!err.contains("overflow"), "{err}");
}

// incident: IG-2026-015
#[test]
fn a_deeply_nested_postmortem_is_one_finding_not_a_crash() {
    let t = Tree::new();
    t.file(
        "postmortems/a.md",
        format!("+++\nid = \"INC-1\"\ntitle = \"T\"\ndate = 2024-03-05\nx = {}\n+++\n", nested(20_000)),
    );
    t.file("postmortems/b.toml", format!("x = {{ a = {} }}\n", "{ a = ".repeat(20_000)));
    let out = t.run(&["check", "--no-git", "--format", "json", "--today", "2025-01-01"]);
    assert_no_crash(&out);
    let text = stdout(&out);
    assert_eq!(text.matches("nest deeper than 64 levels").count(), 2, "{text}");
    assert!(text.contains("postmortems/a.md") && text.contains("postmortems/b.toml"), "{text}");
}

// incident: IG-2026-015
#[test]
fn a_deeply_nested_config_is_an_error_naming_it() {
    let t = Tree::new();
    t.file("incident-guard.toml", format!("include = {}\n", nested(20_000)));
    let out = t.run(&["check", "--no-git"]);
    assert_no_crash(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("nest deeper than 64 levels"), "{}", stderr(&out));
}

// incident: IG-2026-015
#[test]
fn deeply_nested_manifests_and_proofs_do_not_crash_check_or_verify() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file("Cargo.toml", format!("[package]\nname = \"a\"\nversion = \"0.1.0\"\nx = {}\n", nested(20_000)));
    t.file("pyproject.toml", format!("[tool.pytest.ini_options]\nx = {}\n", nested(20_000)));
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() {}\n");
    t.file("tests/test_a.py", "import pytest\n\n@pytest.mark.incident(\"INC-1\")\ndef test_a():\n    pass\n");
    let out = t.run(&["check", "--no-git", "--format", "json", "--today", "2025-01-01"]);
    assert_no_crash(&out);
    assert!(stdout(&out).starts_with('{'), "{}", stderr(&out));
    t.file("postmortems/verified.lock", format!("version = 1\nproof = {}\n", nested(20_000)));
    let out = t.run(&["check", "--no-git"]);
    assert_no_crash(&out);
    let lock_error = "postmortems/verified.lock is not a lock file of proofs: invalid TOML: arrays and inline tables nest deeper than 64 levels";
    assert!(stderr(&out).contains(lock_error), "{}", stderr(&out));
    t.init_git();
    t.commit("all");
    let out = t.run(&["verify", "INC-1", "--record"]);
    assert_no_crash(&out);
    assert!(stderr(&out).contains(lock_error), "{}", stderr(&out));
}
