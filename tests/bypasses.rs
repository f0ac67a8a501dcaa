//! Ways a pull request could remove or disable a linked test and still pass, each pinned
//! by a regression test in a real git repository, through the real binary. Every test
//! here is linked to the project's own postmortem of the bypass it closes.

mod common;
use common::*;

const A: &str = "// incident: INC-1\n#[test]\nfn a() { assert!(true); }\n";
const B: &str = "// incident: INC-1\n#[test]\nfn b() { assert!(true); }\n";

/// INC-1 linked from `tests/a.rs` and `tests/b.rs`, committed on `main`; now on branch `pr`.
fn base() -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("tests/a.rs", A).file("tests/b.rs", B);
    t.commit("base");
    t.git(&["checkout", "-q", "-b", "pr"]);
    t
}

// incident: IG-2026-001
#[test]
fn unparsable_file_does_not_hide_a_deleted_test() {
    let t = base();
    // The test is gone; its marker now stands on a helper, which does not parse.
    t.file("tests/a.rs", "// incident: INC-1\nfn a() { let = ; }\nfn other() {}\n");
    t.commit("x");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(errors(&doc), [err("linked-test-removed", "tests/a.rs::a")], "{doc:#}");
    let removed = of_rule(&doc, "linked-test-removed")[0];
    assert!(removed["message"].as_str().unwrap().contains("does not parse"), "{removed}");
    // The helper under the marker is not counted as a linked test.
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/b.rs::b"]);
    assert_eq!(of_rule(&doc, "marker-on-non-test").len(), 1);
}

// incident: IG-2026-001
#[test]
fn unparsable_file_that_keeps_the_test_keeps_the_link() {
    let t = base();
    // The linked test itself does not parse: read as text, it is still there.
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() { let = ; }\n");
    t.commit("x");
    let (code, doc) = t.check(&[]);
    assert_eq!((code, errors(&doc)), (0, vec![]), "{doc:#}");
    assert_eq!(of_rule(&doc, "unparsable-source").len(), 1);
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/a.rs::a", "tests/b.rs::b"]);
}

// incident: IG-2026-001
#[test]
fn deep_nesting_rustc_accepts_does_not_hide_a_deleted_test() {
    let t = base();
    // Valid Rust nested 300 brackets deep: it used to be refused, then read as text.
    let deep = format!("fn h() -> i32 {{ {}1{} }}\n", "(".repeat(300), ")".repeat(300));
    t.file("tests/a.rs", format!("// incident: INC-1\nfn a() {{}}\n#[allow(unused_parens)]\n{deep}"));
    t.commit("x");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(errors(&doc), [err("linked-test-removed", "tests/a.rs::a")], "{doc:#}");
    assert!(of_rule(&doc, "unparsable-source").is_empty(), "{doc:#}");
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/b.rs::b"]);
}

/// Rewrites `tests/a.rs` with `attrs` on its test, commits, and checks.
fn with_attrs_on_a(attrs: &str) -> (i32, serde_json::Value) {
    let t = base();
    t.file("tests/a.rs", A.replace("#[test]\n", &format!("{attrs}#[test]\n")));
    t.commit("x");
    t.check(&[])
}

// incident: IG-2026-002
#[test]
fn cfg_that_never_holds_compiles_a_linked_test_out() {
    for attrs in ["#[cfg(any())]\n", "#[cfg(not(test))]\n", "#[cfg_attr(all(), ignore)]\n"] {
        let (code, doc) = with_attrs_on_a(attrs);
        assert_eq!(code, 1, "{attrs}: {doc:#}");
        assert_eq!(errors(&doc), [err("linked-test-ignored", "tests/a.rs::a")], "{attrs}: {doc:#}");
        let f = of_rule(&doc, "linked-test-ignored")[0];
        assert_eq!((f["path"].as_str(), f["line"].as_u64()), (Some("tests/a.rs"), Some(2)), "{f}");
        assert!(f["message"].as_str().unwrap().contains(attrs.trim()), "{f}");
    }
}

// incident: IG-2026-002
#[test]
fn cfg_on_the_module_or_file_compiles_a_linked_test_out() {
    let t = base();
    t.file("tests/a.rs", format!("#[cfg(any())]\nmod off {{\n{A}}}\n"));
    t.file("tests/b.rs", format!("#![cfg(any())]\n{B}"));
    t.commit("x");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let mut got = errors(&doc);
    got.sort();
    assert_eq!(got, [err("linked-test-ignored", "tests/a.rs::off::a"), err("linked-test-ignored", "tests/b.rs::b")]);
}

// incident: IG-2026-002
#[test]
fn cfg_the_source_cannot_decide_is_a_warning_naming_the_condition() {
    let (code, doc) = with_attrs_on_a("#[cfg(windows)]\n");
    assert_eq!((code, errors(&doc)), (0, vec![]), "{doc:#}");
    let f = of_rule(&doc, "linked-test-skipped-conditionally");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(f[0]["level"], "warning");
    assert!(f[0]["message"].as_str().unwrap().ends_with("runs only under a condition: `#[cfg(windows)]`"), "{}", f[0]);
}

// incident: IG-2026-003
#[test]
fn test_moved_out_of_the_build_is_not_a_harmless_move() {
    let t = base();
    std::fs::create_dir(t.path().join("tests/off")).unwrap();
    t.git(&["mv", "tests/a.rs", "tests/off/a.rs"]);
    t.commit("move");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(errors(&doc), [err("linked-test-not-compiled", "tests/off/a.rs::a")], "{doc:#}");
    let f = of_rule(&doc, "linked-test-not-compiled")[0];
    assert_eq!((f["path"].as_str(), f["line"].as_u64()), (Some("tests/off/a.rs"), Some(3)));
    assert!(f["message"].as_str().unwrap().contains("no cargo target compiles tests/off/a.rs"), "{f}");
    // Moving it back into the build (declared as a module of a test target) is fine.
    t.file("tests/main.rs", "#[path = \"off/a.rs\"]\nmod a;\n");
    t.commit("declare it");
    let (code, doc) = t.check(&[]);
    assert_eq!((code, errors(&doc)), (0, vec![]), "{doc:#}");
}

/// A package whose manifest is `manifest`, with INC-1's test at `file` (declared by
/// `lib`, the crate root's text, when given).
fn package(manifest: &str, lib: Option<&str>, file: &str) -> (i32, serde_json::Value) {
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("Cargo.toml", format!("[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{manifest}"));
    if let Some(lib) = lib {
        t.file("src/lib.rs", lib);
    }
    t.file(file, A);
    t.check(&[])
}

// incident: IG-2026-003
#[test]
fn cargo_targets_decide_what_is_compiled_and_run() {
    // Declared through an inline module, a `#[path]`, a `mod.rs`, and inside `cfg_if!`.
    for (lib, file) in [
        ("mod db { pub mod pool; }\n", "src/db/pool.rs"),
        ("#[path = \"../extra/t.rs\"]\nmod t;\n", "extra/t.rs"),
        ("mod db;\n", "src/db/mod.rs"),
        ("cfg_if::cfg_if! { if #[cfg(test)] { mod pool; } }\n", "src/pool.rs"),
        ("#[cfg(test)]\nmod pool;\n", "src/pool.rs"),
    ] {
        let (code, doc) = package("", Some(lib), file);
        assert_eq!((code, errors(&doc)), (0, vec![]), "{lib}: {doc:#}");
    }
    // A `[[test]]` target with its own path.
    let (code, doc) = package("[[test]]\nname = \"x\"\npath = \"checks/x.rs\"\n", None, "checks/x.rs");
    assert_eq!((code, errors(&doc)), (0, vec![]), "{doc:#}");
    // Not declared, or in targets whose tests `cargo test` does not run.
    for (manifest, lib, file, says) in [
        ("", Some("mod other;\n"), "src/pool.rs", "no cargo target compiles src/pool.rs"),
        ("[lib]\ntest = false\n", Some("mod pool;\n"), "src/pool.rs", "sets `test = false`"),
        ("", None, "examples/demo.rs", "does not run the tests of examples"),
        ("[[test]]\nname = \"a\"\nharness = false\n", None, "tests/a.rs", "`harness = false`"),
        ("[package.metadata]\n[lib]\n", Some("mod pool;\n"), "src/elsewhere.rs", "package Cargo.toml"),
    ] {
        let (code, doc) = package(manifest, lib, file);
        assert_eq!(code, 1, "{manifest}: {doc:#}");
        let test = format!("{file}::a");
        assert_eq!(errors(&doc), [err("linked-test-not-compiled", &test)], "{manifest}: {doc:#}");
        let message = of_rule(&doc, "linked-test-not-compiled")[0]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(says), "{manifest}: {message}");
    }
    // A condition on the way is the test's own condition.
    let (code, doc) = package("", Some("#[cfg(any())]\nmod pool;\n"), "src/pool.rs");
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "src/pool.rs::a")]), "{doc:#}");
    let (code, doc) =
        package("[features]\nslow = []\n[[test]]\nname = \"a\"\nrequired-features = [\"slow\"]\n", None, "tests/a.rs");
    assert_eq!((code, errors(&doc)), (0, vec![]), "{doc:#}");
    let f = of_rule(&doc, "linked-test-skipped-conditionally");
    assert!(f[0]["message"].as_str().unwrap().contains("only with the features `slow`"), "{doc:#}");
}

/// Runs `check` with a GitHub event payload.
fn check_with_event(t: &Tree, event: serde_json::Value) -> (i32, serde_json::Value) {
    let path = t.path().join(".git/event.json");
    std::fs::write(&path, event.to_string()).unwrap();
    let out = t.run_in(
        t.path(),
        &["check", "--format", "json", "--today", "2025-01-01"],
        &[("GITHUB_EVENT_PATH", path.to_str().unwrap())],
    );
    (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap())
}

/// `main` with both tests, then a commit on `main` itself that deletes `tests/a.rs`:
/// what a push event checks.
fn pushed_deletion() -> (Tree, String) {
    let t = base();
    t.git(&["checkout", "-q", "main"]);
    let before = t.git(&["rev-parse", "HEAD"]).trim().to_owned();
    t.remove("tests/a.rs");
    t.commit("delete a linked test on main");
    (t, before)
}

// incident: IG-2026-006
#[test]
fn push_event_compares_with_the_commit_before_the_push() {
    let (t, before) = pushed_deletion();
    let (code, doc) =
        check_with_event(&t, serde_json::json!({ "ref": "refs/heads/main", "before": before, "after": "x" }));
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(errors(&doc), [err("linked-test-removed", "tests/a.rs::a")], "{doc:#}");
    assert_eq!(doc["base"]["commit"], before);
    assert!(doc["base"]["reason"].as_str().unwrap().contains("`before` in the event payload"), "{doc:#}");
}

// incident: IG-2026-006
#[test]
fn force_push_compares_from_where_the_histories_part() {
    let (t, _) = pushed_deletion();
    // The pushed-over commit: a sibling of HEAD that also had the test.
    let fork_point = t.git(&["rev-parse", "HEAD~1"]).trim().to_owned();
    t.git(&["checkout", "-q", "-b", "old", &fork_point]);
    t.file("notes.txt", "old work\n");
    let before = t.commit("work that the force-push dropped");
    t.git(&["checkout", "-q", "main"]);
    let (code, doc) =
        check_with_event(&t, serde_json::json!({ "ref": "refs/heads/main", "before": before, "forced": true }));
    assert_eq!(code, 1, "{doc:#}");
    assert!(errors(&doc).contains(&err("linked-test-removed", "tests/a.rs::a")), "{doc:#}");
    assert_eq!(doc["base"]["commit"], fork_point, "{doc:#}");
}

// incident: IG-2026-006
#[test]
fn new_branch_push_falls_back_to_the_default_branch() {
    let t = base();
    t.remove("tests/a.rs");
    t.commit("delete on a new branch");
    let zeros = "0".repeat(40);
    let (code, doc) =
        check_with_event(&t, serde_json::json!({ "ref": "refs/heads/pr", "before": zeros, "created": true }));
    assert_eq!(code, 1, "{doc:#}");
    assert!(errors(&doc).contains(&err("linked-test-removed", "tests/a.rs::a")), "{doc:#}");
    assert_eq!(doc["base"]["source"], "merge-base");
}

// incident: IG-2026-006
#[test]
fn merge_group_compares_with_the_queue_base() {
    let t = base();
    let base_sha = t.git(&["rev-parse", "main"]).trim().to_owned();
    t.remove("tests/a.rs");
    t.commit("delete in the merge queue");
    let (code, doc) =
        check_with_event(&t, serde_json::json!({ "merge_group": { "base_sha": base_sha, "head_sha": "x" } }));
    assert_eq!(code, 1, "{doc:#}");
    assert!(errors(&doc).contains(&err("linked-test-removed", "tests/a.rs::a")), "{doc:#}");
    assert_eq!(doc["base"]["commit"], base_sha);
}

// incident: IG-2026-006
#[test]
fn comparing_head_with_itself_says_so() {
    let t = base();
    t.git(&["checkout", "-q", "main"]);
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    let notes = of_rule(&doc, "history-skipped");
    assert_eq!(notes.len(), 1, "{doc:#}");
    assert!(notes[0]["message"].as_str().unwrap().starts_with("linked-test-removed compared HEAD with itself"));
    assert_eq!(doc["base"]["is_head"], true);
}

// incident: IG-2026-006
#[test]
fn separate_git_dir_work_tree_is_found() {
    let t = Tree::new();
    let git_dir = tempfile::tempdir().unwrap();
    let git_dir = git_dir.path().join("repo.git");
    t.git(&["init", "-q", "-b", "main", "--separate-git-dir", git_dir.to_str().unwrap()]);
    t.git(&["config", "user.name", "Test"]);
    t.git(&["config", "user.email", "test@example.com"]);
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("tests/a.rs", A).file("tests/b.rs", B);
    t.commit("base");
    t.remove("tests/a.rs");
    t.commit("delete");
    let (code, doc) = t.check(&["--base", "HEAD~1"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(errors(&doc), [err("linked-test-removed", "tests/a.rs::a")], "{doc:#}");
}

/// `base()` with the config file on the branch given top-level keys `top` and extra
/// `[rules]` lines `rules`, then `change` applied and committed.
fn with_config(top: &str, rules: &str, change: impl Fn(&Tree)) -> (i32, serde_json::Value) {
    let t = base();
    t.file("incident-guard.toml", format!("{top}{LINTS_OFF}{rules}"));
    change(&t);
    t.commit("x");
    t.check(&[])
}

fn delete_a(t: &Tree) {
    t.remove("tests/a.rs");
}

// incident: IG-2026-004
#[test]
fn config_cannot_turn_off_the_rule_it_is_checked_with() {
    for setting in ["linked-test-removed = \"off\"\n", "linked-test-removed = \"note\"\n"] {
        let (code, doc) = with_config("", setting, delete_a);
        assert_eq!(code, 1, "{setting}: {doc:#}");
        let mut got = errors(&doc);
        got.sort();
        assert_eq!(
            got,
            [err("config-weakened", ""), err("linked-test-removed", "tests/a.rs::a")],
            "{setting}: {doc:#}"
        );
        let f = of_rule(&doc, "config-weakened")[0];
        assert_eq!(f["path"], "incident-guard.toml");
        assert!(f["message"].as_str().unwrap().contains("rule `linked-test-removed` is lowered from error to"), "{f}");
    }
    // Nor can it lower config-weakened itself.
    let (code, doc) = with_config("", "linked-test-removed = \"off\"\nconfig-weakened = \"off\"\n", delete_a);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(of_rule(&doc, "config-weakened").len(), 2, "{doc:#}");
}

// incident: IG-2026-004
#[test]
fn config_cannot_stop_scanning_a_file_with_linked_tests() {
    for top in [
        "exclude = [\"tests/a.rs\"]\n",
        "include = [\"src/**\"]\n",
        "languages = [\"python\"]\n",
        "markers = [\"regression\"]\n",
    ] {
        let (code, doc) = with_config(top, "", delete_a);
        assert_eq!(code, 1, "{top}: {doc:#}");
        // The deletion is still seen, with the base's settings, and the config change is named.
        let got = errors(&doc);
        assert!(got.contains(&err("linked-test-removed", "tests/a.rs::a")), "{top}: {doc:#}");
        assert!(got.iter().any(|e| e.0 == "config-weakened"), "{top}: {doc:#}");
    }
    // Excluding a file without deleting its test: the test still counts, and the
    // change to the config is the error.
    let (code, doc) = with_config("exclude = [\"tests/a.rs\"]\n", "", |_| {});
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(errors(&doc), [err("config-weakened", "")], "{doc:#}");
    let f = of_rule(&doc, "config-weakened")[0];
    assert!(f["message"].as_str().unwrap().contains("`tests/a.rs` holds linked tests"), "{f}");
    assert_eq!((f["path"].as_str(), f["line"].as_u64()), (Some("incident-guard.toml"), Some(1)));
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/a.rs::a", "tests/b.rs::b"]);
}

// incident: IG-2026-004
#[test]
fn deliberate_config_change_is_accepted_with_a_reason_and_shown() {
    let reason = "tests/a.rs goes with the legacy client, removed in PAY-812.";
    let top = format!("guard_change_reason = \"{reason}\"\n");
    let (code, doc) = with_config(&top, "linked-test-removed = \"off\"\n", delete_a);
    assert_eq!((code, errors(&doc)), (0, vec![]), "{doc:#}");
    let notes = of_rule(&doc, "guard-change-accepted");
    assert_eq!(notes.len(), 1, "{doc:#}");
    assert!(notes[0]["message"].as_str().unwrap().ends_with(&format!("accepted because: {reason}")), "{doc:#}");
    // An accepted exclusion of a file that still holds linked tests is listed too.
    let excluded = format!("{top}exclude = [\"tests/a.rs\"]\n");
    let (code, doc) = with_config(&excluded, "", |_| {});
    assert_eq!((code, errors(&doc)), (0, vec![]), "{doc:#}");
    let notes = of_rule(&doc, "guard-change-accepted");
    assert_eq!(notes.len(), 1, "{doc:#}");
    assert!(notes[0]["message"].as_str().unwrap().contains("`tests/a.rs` holds linked tests"), "{doc:#}");
    // Once merged, the same reason excuses nothing new.
    let t = base();
    t.file("incident-guard.toml", format!("{top}{LINTS_OFF}"));
    t.commit("reason lands");
    t.git(&["checkout", "-q", "main"]);
    t.git(&["merge", "-q", "--ff-only", "pr"]);
    t.git(&["checkout", "-q", "-b", "next"]);
    t.file("incident-guard.toml", format!("{top}{LINTS_OFF}linked-test-removed = \"off\"\n"));
    t.remove("tests/a.rs");
    t.commit("weaken again");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(errors(&doc).contains(&err("config-weakened", "")), "{doc:#}");
}

const PY: &str = "# incident: INC-1\ndef test_s():\n    assert True\n";

/// A superproject on `main` whose only link to INC-1 lives in the submodule at
/// `vendor/s`; then on branch `pr`. Returns the superproject and the submodule's origin.
fn with_submodule() -> (Tree, Tree) {
    let origin = Tree::new();
    origin.init_git();
    std::fs::remove_dir(origin.path().join("postmortems")).unwrap();
    origin.remove("incident-guard.toml");
    origin.file("tests/test_s.py", PY);
    origin.commit("submodule");
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.git(&["-c", "protocol.file.allow=always", "submodule", "add", "-q", origin.path().to_str().unwrap(), "vendor/s"]);
    t.commit("base with a submodule");
    t.git(&["checkout", "-q", "-b", "pr"]);
    (t, origin)
}

// incident: IG-2026-005
#[test]
fn submodule_bump_that_deletes_a_linked_test_is_a_removal() {
    let (t, _origin) = with_submodule();
    let (code, doc) = t.check(&[]);
    assert_eq!(tests_of(&doc, "INC-1"), ["vendor/s/tests/test_s.py::test_s"], "{doc:#}");
    assert_eq!(code, 0, "{doc:#}");
    // Delete the test inside the submodule and bump the gitlink.
    let sub = t.path().join("vendor/s");
    git_in(&sub, &["config", "user.name", "Test"]);
    git_in(&sub, &["config", "user.email", "test@example.com"]);
    git_in(&sub, &["rm", "-q", "tests/test_s.py"]);
    git_in(&sub, &["commit", "-q", "-m", "drop the test"]);
    t.commit("bump the submodule");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let mut got = errors(&doc);
    got.sort();
    assert_eq!(
        got,
        // One cause, one finding: the removal says the incident is left without a test.
        [err("linked-test-removed", "vendor/s/tests/test_s.py::test_s")],
        "{doc:#}"
    );
}

// incident: IG-2026-005
#[test]
fn submodule_whose_history_is_missing_is_unavailable_naming_it() {
    let (t, _origin) = with_submodule();
    // The submodule's repository goes away (a checkout without submodules), and the
    // gitlink moves to a commit nobody has.
    std::fs::remove_dir_all(t.path().join("vendor/s")).unwrap();
    std::fs::create_dir(t.path().join("vendor/s")).unwrap();
    let _ = std::fs::remove_dir_all(t.path().join(".git/modules"));
    t.git(&["update-index", "--cacheinfo", &format!("160000,{},vendor/s", "1".repeat(40))]);
    t.git(&["commit", "-q", "-m", "bump to an unknown commit"]);
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let f = of_rule(&doc, "history-unavailable");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert!(f[0]["message"].as_str().unwrap().contains("submodule `vendor/s`"), "{}", f[0]);
}
