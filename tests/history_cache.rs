//! `check --cache DIR`: what the history walk read is remembered, and a later run reads
//! only the commits above the remembered HEAD. Whatever the cache says, a run never ends
//! with less than the history shows: a cache that does not fit is ignored, and one that
//! claims evidence a commit does not give is not trusted at all.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const CACHE_FILE: &str = "incident-guard-history.json";

fn item(id: &str) -> String {
    format!(
        "\n[[action_items]]\nid = \"{id}\"\ntitle = \"Add a retry to the {id} path\"\nowner = \"@o\"\nstatus = \"closed\"\n"
    )
}

/// A repository whose INC-1 has closed items A1 (named by a commit) and A2 (by none).
fn repo() -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file("incident-guard.toml", LINTS_OFF);
    t.file("postmortems/inc-1.md", postmortem("INC-1", &(item("A1") + &item("A2"))));
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() {}\n");
    t.commit("postmortem and test");
    t.file("src/retry.rs", "pub fn retry() {}\n");
    t.commit("Add a retry (INC-1#A1)");
    t
}

fn without_commit(doc: &Value) -> Vec<String> {
    let mut items: Vec<String> = of_rule(doc, "action-item-without-commit")
        .iter()
        .map(|f| f["message"].as_str().unwrap().split_whitespace().nth(2).unwrap().to_owned())
        .collect();
    items.sort();
    items
}

fn evidence(doc: &Value, item: &str) -> Vec<String> {
    let items = doc["incidents"][0]["action_items"].as_array().unwrap();
    let found = items.iter().find(|i| i["id"] == item).unwrap();
    found["commits"].as_array().map(|c| c.iter().map(|s| s.as_str().unwrap().to_owned()).collect()).unwrap_or_default()
}

/// Inside the tree, for the tree's cleanup, and left out of git so that no commit takes it.
fn cache_dir(t: &Tree) -> PathBuf {
    let exclude = t.path().join(".git/info/exclude");
    let listed = std::fs::read_to_string(&exclude).unwrap_or_default();
    if !listed.lines().any(|l| l == "/.cache-dir/") {
        std::fs::create_dir_all(exclude.parent().unwrap()).unwrap();
        std::fs::write(&exclude, format!("{listed}\n/.cache-dir/\n")).unwrap();
    }
    t.path().join(".cache-dir")
}

fn cached(t: &Tree) -> (i32, Value) {
    let dir = cache_dir(t);
    t.check(&["--base", "HEAD", "--cache", dir.to_str().unwrap()])
}

fn read_cache(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(CACHE_FILE)).unwrap()).unwrap()
}

fn write_cache(dir: &Path, doc: &Value) {
    std::fs::write(dir.join(CACHE_FILE), doc.to_string()).unwrap();
}

#[test]
fn a_cached_run_finds_what_a_full_walk_finds_and_remembers_its_head() {
    let t = repo();
    let (code, plain) = t.check(&["--base", "HEAD"]);
    let (cached_code, first) = cached(&t);
    assert_eq!((code, cached_code), (1, 1));
    assert_eq!(without_commit(&plain), ["INC-1#A2"]);
    assert_eq!(without_commit(&first), without_commit(&plain));
    let a1 = evidence(&plain, "A1");
    assert_eq!(a1.len(), 1);
    assert_eq!(evidence(&first, "A1"), a1);
    let cache = read_cache(&cache_dir(&t));
    let head = t.git(&["rev-parse", "HEAD"]).trim().to_owned();
    assert_eq!(cache["entries"][0]["tip"], head.as_str());
    assert_eq!(cache["entries"][0]["evidence"][0][1], a1[0].as_str());

    // New commits on top: the next run reads them and keeps what it remembered.
    t.file("src/alert.rs", "pub fn alert() {}\n");
    let a2 = t.commit("Alert on retries (INC-1#A2)");
    let (code, second) = cached(&t);
    assert_eq!(code, 0, "{}", second["findings"]);
    assert_eq!(evidence(&second, "A1"), a1);
    assert_eq!(evidence(&second, "A2"), [a2.as_str()]);
    assert_eq!(read_cache(&cache_dir(&t))["entries"][0]["tip"], a2.as_str());
    assert_eq!(read_cache(&cache_dir(&t))["entries"][1]["tip"], head.as_str(), "the older entry is kept");
}

#[test]
fn the_remembered_range_is_not_read_again() {
    // A cache that (truthfully or not) remembers no evidence below its HEAD is believed
    // for that range: the run does not read those commits again. What it can lose by a
    // lie is a pass, never a finding: the item is then reported without a commit.
    let t = repo();
    cached(&t);
    let mut cache = read_cache(&cache_dir(&t));
    cache["entries"][0]["evidence"] = serde_json::json!([]);
    write_cache(&cache_dir(&t), &cache);
    t.file("src/other.rs", "pub fn other() {}\n");
    t.commit("Unrelated change");
    let (code, doc) = cached(&t);
    assert_eq!(code, 1);
    assert_eq!(without_commit(&doc), ["INC-1#A1", "INC-1#A2"]);
}

#[test]
fn a_cache_claiming_evidence_a_commit_does_not_give_is_not_trusted() {
    let t = repo();
    cached(&t);
    let mut cache = read_cache(&cache_dir(&t));
    let first = t.git(&["rev-list", "--max-parents=0", "HEAD"]).trim().to_owned();
    // The first commit exists, but its message names no item.
    cache["entries"][0]["evidence"] = serde_json::json!([["INC-1#A2", first, 0]]);
    write_cache(&cache_dir(&t), &cache);
    let (code, doc) = cached(&t);
    assert_eq!(code, 1);
    assert_eq!(without_commit(&doc), ["INC-1#A2"]);
    assert!(evidence(&doc, "A2").is_empty());

    // A commit that is not in the repository at all.
    let mut cache = read_cache(&cache_dir(&t));
    cache["entries"][0]["evidence"] = serde_json::json!([["INC-1#A2", "0123456789012345678901234567890123456789", 0]]);
    write_cache(&cache_dir(&t), &cache);
    let (code, doc) = cached(&t);
    assert_eq!(code, 1);
    assert_eq!(without_commit(&doc), ["INC-1#A2"]);
}

#[test]
fn rewritten_history_new_items_and_broken_files_make_the_run_read_everything() {
    // Rewritten: the remembered HEAD is not below the new one (amended away).
    let t = repo();
    cached(&t);
    let mut cache = read_cache(&cache_dir(&t));
    cache["entries"][0]["evidence"] = serde_json::json!([]);
    write_cache(&cache_dir(&t), &cache);
    t.git(&["commit", "-q", "--amend", "-m", "Add a retry, again (INC-1#A1)"]);
    let (code, doc) = cached(&t);
    assert_eq!(without_commit(&doc), ["INC-1#A2"], "{code}");

    // A new action item the cache never looked for: an old commit may name it.
    let t = repo();
    t.file("src/alert.rs", "pub fn alert() {}\n");
    t.commit("Alert on retries (INC-1#A3)");
    t.file("src/more.rs", "pub fn more() {}\n");
    t.commit("More");
    cached(&t);
    t.file("postmortems/inc-1.md", postmortem("INC-1", &(item("A1") + &item("A2") + &item("A3"))));
    t.commit("A3 was done too");
    let (_, doc) = cached(&t);
    assert_eq!(without_commit(&doc), ["INC-1#A2"]);
    assert_eq!(evidence(&doc, "A3").len(), 1);

    // Not JSON, another version, a directory where the file goes: ignored, then replaced.
    for broken in ["not json", "{\"version\": 99, \"entries\": []}"] {
        let t = repo();
        std::fs::create_dir_all(cache_dir(&t)).unwrap();
        std::fs::write(cache_dir(&t).join(CACHE_FILE), broken).unwrap();
        let (code, doc) = cached(&t);
        assert_eq!((code, without_commit(&doc)), (1, vec!["INC-1#A2".to_owned()]));
        assert_eq!(read_cache(&cache_dir(&t))["version"], 1);
    }
    let t = repo();
    std::fs::create_dir_all(cache_dir(&t).join(CACHE_FILE)).unwrap();
    let (code, doc) = cached(&t);
    assert_eq!((code, without_commit(&doc)), (1, vec!["INC-1#A2".to_owned()]));
}

#[test]
fn commits_from_before_an_incident_are_not_read_but_a_clock_a_little_wrong_is_allowed_for() {
    // The postmortem's date is 2024-03-05 (see `postmortem`): a commit a week earlier (a
    // wrong clock) still counts; one from two years before cannot name its items.
    let t = Tree::new();
    t.init_git();
    t.file("incident-guard.toml", LINTS_OFF);
    t.file("src/a.rs", "pub fn a() {}\n");
    t.commit_at("Old work (INC-1#A2)", "2022-01-01T00:00:00Z");
    t.file("src/b.rs", "pub fn b() {}\n");
    t.commit_at("Early fix (INC-1#A1)", "2024-02-27T00:00:00Z");
    t.file("postmortems/inc-1.md", postmortem("INC-1", &(item("A1") + &item("A2"))));
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() {}\n");
    t.commit_at("Postmortem", "2024-03-10T00:00:00Z");
    for (code, doc) in [t.check(&["--base", "HEAD"]), cached(&t)] {
        assert_eq!(code, 1);
        assert_eq!(without_commit(&doc), ["INC-1#A2"]);
        assert_eq!(evidence(&doc, "A1").len(), 1);
    }
}

#[test]
fn what_fix_commits_changed_is_remembered_and_a_broken_record_is_ignored() {
    // INC-1#A1's commit changed src/retry.rs: a change to it since the base is a
    // `touches-incident-code` note, whether the fix's diff is read or remembered.
    let t = repo();
    let base = t.git(&["rev-parse", "HEAD"]).trim().to_owned();
    t.file("src/retry.rs", "pub fn retry() { /* changed */ }\n");
    t.commit("Change the retry");
    let touched = |doc: &Value| -> Vec<String> {
        of_rule(doc, "touches-incident-code").iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect()
    };
    let dir = cache_dir(&t);
    let run = || t.check(&["--base", &base, "--cache", dir.to_str().unwrap()]);
    let (_, plain) = t.check(&["--base", &base]);
    assert_eq!(touched(&plain), ["src/retry.rs"], "{}", plain["findings"]);
    let (_, first) = run();
    let fixes: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("incident-guard-fixes.json")).unwrap()).unwrap();
    let a1 = evidence(&plain, "A1");
    assert_eq!(fixes["commits"][&a1[0]][0][0], "src/retry.rs", "{fixes}");
    let (_, second) = run();
    assert_eq!(touched(&first), touched(&plain));
    assert_eq!(touched(&second), touched(&plain));
    for broken in ["{", "{\"version\": 1, \"commits\": {\"x\": [[\"a\", \"not a blob id\"]]}}"] {
        std::fs::write(dir.join("incident-guard-fixes.json"), broken).unwrap();
        let (_, doc) = run();
        assert_eq!(touched(&doc), touched(&plain), "{broken}");
    }
}

#[test]
fn a_commit_whose_clock_was_years_behind_does_not_hide_the_history_behind_it() {
    // The walk stops at commits older than the cutoff, but goes through a few of them
    // first, as `git log --since` does: a commit dated 1990 between the fix and HEAD.
    let t = Tree::new();
    t.init_git();
    t.file("incident-guard.toml", LINTS_OFF);
    t.file("postmortems/inc-1.md", postmortem("INC-1", &item("A1")));
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() {}\n");
    t.commit_at("Postmortem", "2024-03-10T00:00:00Z");
    t.file("src/b.rs", "pub fn b() {}\n");
    let fix = t.commit_at("Fix (INC-1#A1)", "2024-04-01T00:00:00Z");
    t.file("src/c.rs", "pub fn c() {}\n");
    t.commit_at("Imported with a broken clock", "1990-01-01T00:00:00Z");
    t.file("src/d.rs", "pub fn d() {}\n");
    t.commit_at("Later work", "2024-05-01T00:00:00Z");
    for (code, doc) in [t.check(&["--base", "HEAD"]), cached(&t)] {
        assert_eq!(code, 0, "{}", doc["findings"]);
        assert_eq!(evidence(&doc, "A1"), [fix.as_str()]);
    }
}

#[test]
fn a_shallow_clone_neither_trusts_nor_writes_the_cache() {
    // The full history's cache says A1's commit is below HEAD; the shallow clone cannot
    // see it, so its run stays `history-unavailable`, whatever the cache remembers.
    let t = repo();
    t.commit("Later work");
    cached(&t);
    let remembered = std::fs::read(cache_dir(&t).join(CACHE_FILE)).unwrap();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", t.path().display());
    git_in(clone.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let dir = clone.path().join("c");
    let cache = clone.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join(CACHE_FILE), &remembered).unwrap();
    let out = t.run_in(
        &dir,
        &["check", "--format", "json", "--today", "2025-01-01", "--base", "HEAD", "--cache", cache.to_str().unwrap()],
        &[],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    // One for each closed item: A1 (named below HEAD) and A2 (named by no commit).
    assert_eq!(of_rule(&doc, "history-unavailable").len(), 2, "{}", doc["findings"]);
    assert!(evidence(&doc, "A1").is_empty(), "the remembered commit was taken: {}", doc["incidents"]);
    assert_eq!(std::fs::read(cache.join(CACHE_FILE)).unwrap(), remembered, "the shallow run wrote the cache");
    assert!(!cache.join("incident-guard-fixes.json").exists());
}

#[test]
fn the_newest_remembered_run_below_head_is_used_not_just_the_newest() {
    // The base branch moved on since this branch left it: the newest entry is another
    // branch's, an older one is this branch's past. The older one is used (shown by
    // emptying its evidence, which is then believed), instead of a walk of everything.
    let t = repo();
    cached(&t);
    let here = t.git(&["rev-parse", "HEAD"]).trim().to_owned();
    t.git(&["checkout", "-q", "-b", "other"]);
    t.file("src/other.rs", "pub fn other() {}\n");
    let other = t.commit("Work on another branch");
    cached(&t);
    t.git(&["checkout", "-q", "main"]);
    t.file("src/more.rs", "pub fn more() {}\n");
    t.commit("More work here");
    let mut cache = read_cache(&cache_dir(&t));
    assert_eq!(cache["entries"][0]["tip"], other.as_str());
    assert_eq!(cache["entries"][1]["tip"], here.as_str());
    cache["entries"][1]["evidence"] = serde_json::json!([]);
    write_cache(&cache_dir(&t), &cache);
    let (_, doc) = cached(&t);
    assert_eq!(without_commit(&doc), ["INC-1#A1", "INC-1#A2"]);
}
