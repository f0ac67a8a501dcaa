//! What users see, pinned: the bundled example rendered in every format, so that any
//! change to the output is a reviewed change (`cargo insta review`).

mod common;
use common::*;
use std::process::Command;

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs on a copy of the example standing alone (outside this repository, not a git
/// repository), from its own directory: what a user of the example sees, whatever the
/// checkout these tests run in.
fn run_example(args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("examples/checkout-service"), dir.path());
    let out = Command::new(BIN)
        .args(args)
        .args(["--today", "2026-11-21", "--color", "never", "--no-git"])
        .current_dir(dir.path())
        .env_remove("GITHUB_EVENT_PATH")
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn example_check_human() {
    let (code, out) = run_example(&["check"]);
    assert_eq!(code, 1, "the example has one deliberate gap");
    insta::assert_snapshot!(out);
}

#[test]
fn example_check_json() {
    let (code, out) = run_example(&["check", "--format", "json"]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        findings(&doc),
        [finding("missing-regression-test", "postmortems/2026/INC-2026-004-pool-exhaustion-after-failover.md", 2)]
    );
    insta::assert_snapshot!(out);
}

#[test]
fn example_list_human_and_json() {
    let (code, human) = run_example(&["list"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("list_human", human);
    let (_, json) = run_example(&["list", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["incidents"].as_array().unwrap().len(), 4);
    assert_eq!(tests_of(&doc, "INC-2026-002").len(), 2);
}

#[test]
fn example_show_one_incident() {
    let (code, out) = run_example(&["show", "INC-2026-004"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("show_human", out);
    let (_, json) = run_example(&["show", "INC-2026-001", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["incident"]["id"], "INC-2026-001");
    assert_eq!(doc["incident"]["action_items"].as_array().unwrap().len(), 4);
}

#[test]
fn show_unknown_id_suggests_and_exits_2() {
    let example = repo_root().join("examples/checkout-service");
    let out = Command::new(BIN).args(["show", "INC-2026-04"]).arg(&example).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `INC-2026-004`?"), "{}", stderr(&out));
}

#[test]
fn example_check_markdown_and_sarif() {
    let (code, md) = run_example(&["check", "--format", "markdown"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("check_markdown", md);
    let (_, sarif) = run_example(&["check", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 1);
    insta::assert_snapshot!("check_sarif", sarif);
}

#[test]
fn example_stats_markdown() {
    let (code, md) = run_example(&["stats", "--format", "markdown"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("stats_markdown", md);
}
