//! History checks against real git repositories built in temporary directories:
//! removed, moved and retired links; evidence for closed action items; base resolution;
//! and missing history, which must never pass.

mod common;
use common::*;

const TEST_A: &str = "// incident: INC-1\n#[test]\nfn pool_reconnects_after_failover() {\n    let pool = Pool::new(2);\n    pool.failover();\n    assert!(pool.get().is_ok());\n    assert_eq!(pool.size(), 2);\n}\n";

/// A repository on `main` with INC-1 and one linked test, then a `feature` branch.
fn repo_with_linked_test() -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.file("src/pool.rs", format!("pub struct Pool;\n\n#[cfg(test)]\nmod tests {{\n{}}}\n", indent(TEST_A)));
    t.file("src/other.rs", "#[test]\nfn unrelated() {}\n");
    t.file("src/lib.rs", "mod other;\nmod pool;\n");
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t
}

fn indent(s: &str) -> String {
    s.lines().map(|l| if l.is_empty() { "\n".to_owned() } else { format!("    {l}\n") }).collect()
}

fn messages(doc: &serde_json::Value, rule: &str) -> Vec<String> {
    of_rule(doc, rule).iter().map(|f| f["message"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn unchanged_repository_passes_and_records_merge_base() {
    let t = repo_with_linked_test();
    let (code, doc) = t.check(&[]);
    assert_eq!((code, findings_past_head_base(&doc)), (0, vec![]), "{doc:#}");
    assert_eq!(doc["base"]["source"], "merge-base");
    assert_eq!(doc["base"]["rev"], "main");
    assert_eq!(doc["base"]["commit"].as_str().unwrap(), t.git(&["rev-parse", "main"]).trim());
}

#[test]
fn deleted_test_is_an_error_where_it_was_naming_the_postmortem() {
    let t = repo_with_linked_test();
    t.file("src/pool.rs", "pub struct Pool;\n");
    t.commit("drop the test");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    // The incident now has no test at all: one cause, one finding, which says so. It
    // stands in the file the test was deleted from (the file is one line now: its last
    // line), and names the postmortem as the related place.
    assert_eq!(findings(&doc), [finding("linked-test-removed", "src/pool.rs", 1)]);
    assert_eq!(of_rule(&doc, "linked-test-removed")[0]["related"]["path"], "postmortems/inc-1.md");
    let f = of_rule(&doc, "linked-test-removed")[0];
    assert_eq!(f["test"], "src/pool.rs::tests::pool_reconnects_after_failover");
    assert!(f["message"].as_str().unwrap().contains("was deleted"), "{f}");
    assert!(f["message"].as_str().unwrap().ends_with("incident INC-1 is left without a regression test"), "{f}");
}

#[test]
fn uncommitted_deletion_counts() {
    let t = repo_with_linked_test();
    t.file("src/pool.rs", "pub struct Pool;\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(messages(&doc, "linked-test-removed").len(), 1);
}

#[test]
fn removed_marker_points_at_the_test_that_still_exists() {
    let t = repo_with_linked_test();
    t.file(
        "src/pool.rs",
        format!(
            "pub struct Pool;\n\n#[cfg(test)]\nmod tests {{\n{}}}\n",
            indent(&TEST_A.replace("// incident: INC-1\n", ""))
        ),
    );
    t.commit("unlink");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc)[0], finding("linked-test-removed", "src/pool.rs", 6));
    assert!(messages(&doc, "linked-test-removed")[0].contains("no longer carries the `incident: INC-1` marker"));
}

#[test]
fn deleted_file_is_named() {
    let t = repo_with_linked_test();
    t.remove("src/pool.rs");
    t.commit("remove pool");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert!(messages(&doc, "linked-test-removed")[0].starts_with("file src/pool.rs was deleted"), "{doc:#}");
}

#[test]
fn rename_within_a_file_is_a_note() {
    let t = repo_with_linked_test();
    let renamed = TEST_A.replace("pool_reconnects_after_failover", "pool_recovers_after_failover");
    t.file("src/pool.rs", format!("pub struct Pool;\n\n#[cfg(test)]\nmod tests {{\n{}}}\n", indent(&renamed)));
    t.commit("rename");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(findings(&doc), [finding("linked-test-moved", "src/pool.rs", 7)]);
    let m = &messages(&doc, "linked-test-moved")[0];
    assert!(m.contains("was renamed to `src/pool.rs::tests::pool_recovers_after_failover`"), "{m}");
    assert_eq!(of_rule(&doc, "linked-test-moved")[0]["level"], "note");
}

#[test]
fn move_to_another_file_is_a_note() {
    let t = repo_with_linked_test();
    t.file("src/pool.rs", "pub struct Pool;\n");
    t.file("tests/failover.rs", TEST_A);
    t.commit("move to integration tests");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(findings(&doc), [finding("linked-test-moved", "tests/failover.rs", 3)]);
    assert!(
        messages(&doc, "linked-test-moved")[0]
            .contains("was moved to `tests/failover.rs::pool_reconnects_after_failover`")
    );
}

#[test]
fn rewritten_test_is_not_a_move() {
    let t = repo_with_linked_test();
    t.file("src/pool.rs", "pub struct Pool;\n");
    t.file("tests/other.rs", "// incident: INC-1\n#[test]\nfn something_else_entirely() { assert_eq!(1 + 1, 2); }\n");
    t.commit("replace");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(messages(&doc, "linked-test-removed").len(), 1);
}

#[test]
fn retired_test_is_accepted_and_stale_retirements_warn() {
    let t = repo_with_linked_test();
    t.file("src/pool.rs", "pub struct Pool;\n");
    t.file(
        "postmortems/inc-1.md",
        postmortem(
            "INC-1",
            "test_waiver = \"Superseded by the chaos suite, which cannot run in CI.\"\nretired_tests = [\n  { test = \"src/pool.rs::tests::pool_reconnects_after_failover\", reason = \"pool replaced by the driver's own\" },\n  { test = \"src/other.rs::never_linked\", reason = \"typo\" },\n]\n",
        ),
    );
    t.commit("retire");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(findings(&doc), [finding("stale-retirement", "postmortems/inc-1.md", 8)]);
    assert!(messages(&doc, "stale-retirement")[0].contains("was not linked to INC-1 at the base revision"));

    // Retiring a test that is still linked is stale too.
    t.file(
        "postmortems/inc-1.md",
        postmortem(
            "INC-1",
            "retired_tests = [{ test = \"src/pool.rs::tests::pool_reconnects_after_failover\", reason = \"x\" }]\n",
        ),
    );
    t.file("src/pool.rs", format!("pub struct Pool;\n\n#[cfg(test)]\nmod tests {{\n{}}}\n", indent(TEST_A)));
    let (_, doc) = t.check(&[]);
    assert!(messages(&doc, "stale-retirement")[0].contains("still exists and is still linked"), "{doc:#}");
}

#[test]
fn ignore_added_in_this_change_says_so() {
    let t = repo_with_linked_test();
    t.file(
        "src/pool.rs",
        format!(
            "pub struct Pool;\n\n#[cfg(test)]\nmod tests {{\n{}}}\n",
            indent(&TEST_A.replace("#[test]\n", "#[test]\n#[ignore]\n"))
        ),
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(findings_past_head_base(&doc), [finding("linked-test-ignored", "src/pool.rs", 7)]);
    assert!(messages(&doc, "linked-test-ignored")[0].contains("added in this change"));
}

#[test]
fn unparsable_head_file_never_counts_as_removed() {
    let t = repo_with_linked_test();
    t.file(
        "src/pool.rs",
        format!("pub struct Pool;\n\n#[cfg(test)]\nmod tests {{\n{}}}\nfn broken( {{\n", indent(TEST_A)),
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    let rules: Vec<String> = findings_past_head_base(&doc).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["unparsable-source"]);
}

/// A repository whose INC-1 has closed action items A1 and A2 and open A10.
fn repo_with_items(items: &str) -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file(
        "postmortems/inc-1.md",
        postmortem("INC-1", &format!("test_waiver = \"Vendor outage; nothing of ours to test.\"\n{items}")),
    );
    t
}

fn item(id: &str, extra: &str) -> String {
    format!("[[action_items]]\nid = \"{id}\"\ntitle = \"Item {id}\"\nowner = \"@team\"\nstatus = \"closed\"\n{extra}")
}

#[test]
fn commit_messages_match_whole_tokens_only() {
    let t = repo_with_items(&(item("A1", "") + &item("A2", "") + &item("A3", "")));
    t.commit("postmortem");
    t.commit("Follow-up for INC-1#A10 and XINC-1#A1 and OLD-INC-1#A1");
    t.commit("Retry with backoff (INC-1#A2).");
    t.commit("Add alert\n\nPostmortem-Action: INC-1#A3");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings_past_head_base(&doc),
        [finding("action-item-without-commit", "postmortems/inc-1.md", 10)],
        "{doc:#}"
    );
    assert!(messages(&doc, "action-item-without-commit")[0].contains("INC-1#A1"));
    let items = &doc["incidents"][0]["action_items"];
    assert_eq!(items[1]["commits"][0].as_str().unwrap(), t.git(&["rev-parse", "HEAD~1"]).trim());
    assert_eq!(items[2]["commits"][0].as_str().unwrap(), t.git(&["rev-parse", "HEAD"]).trim());
    assert_eq!(items[0]["commits"].as_array().unwrap().len(), 0);
}

#[test]
fn commits_entries_resolve_by_prefix_or_are_reported() {
    let t = repo_with_items("");
    let sha = t.commit("the fix");
    t.file(
        "postmortems/inc-1.md",
        postmortem(
            "INC-1",
            &format!(
                "test_waiver = \"Vendor outage; nothing of ours to test.\"\n{}{}",
                item("A1", &format!("commits = [\"{}\"]\n", &sha[..8])),
                item("A2", "commits = [\"deadbeef\"]\n")
            ),
        ),
    );
    t.commit("postmortem");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings_past_head_base(&doc),
        [
            finding("action-item-without-commit", "postmortems/inc-1.md", 16),
            finding("action-item-without-commit", "postmortems/inc-1.md", 17)
        ],
        "{doc:#}"
    );
    let m = messages(&doc, "action-item-without-commit");
    assert!(m[0].contains("action item INC-1#A2"), "{m:?}");
    assert!(m[1].contains("`deadbeef` listed for INC-1#A2 does not resolve"), "{m:?}");
    assert_eq!(doc["incidents"][0]["action_items"][0]["commits"][0].as_str().unwrap(), sha);
}

#[test]
fn shallow_clone_is_history_unavailable_never_a_pass() {
    let origin = repo_with_items(&item("A1", ""));
    origin.file("src/lib.rs", "// incident: INC-1\n#[test]\nfn t() {}\n");
    origin.commit("Implement INC-1#A1");
    origin.commit("later work");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git_in(clone.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let dir = clone.path().join("c");
    let out = origin.run_in(&dir, &["check", "--format", "json", "--base", "HEAD"], &[]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let f = of_rule(&doc, "history-unavailable");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(f[0]["path"], "postmortems/inc-1.md");
    assert!(f[0]["help"].as_str().unwrap().contains("fetch-depth: 0"));
    assert!(f[0]["help"].as_str().unwrap().contains("git fetch --unshallow"));
    assert!(of_rule(&doc, "action-item-without-commit").is_empty());
}

#[test]
fn event_payload_base_is_used_and_a_missing_one_is_unavailable() {
    let t = repo_with_linked_test();
    let base = t.git(&["rev-parse", "main"]).trim().to_owned();
    t.file("src/pool.rs", "pub struct Pool;\n");
    t.commit("drop");
    t.git(&["branch", "-q", "-D", "main"]); // only the payload can name the base now
    let event = t.path().join("event.json");
    std::fs::write(&event, format!("{{\"pull_request\": {{\"base\": {{\"sha\": \"{base}\"}}}}}}")).unwrap();
    let ev = event.to_str().unwrap();
    let out = t.run_in(t.path(), &["check", "--format", "json"], &[("GITHUB_EVENT_PATH", ev)]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["base"]["source"], "github-event");
    assert_eq!(doc["base"]["rev"], base.as_str());
    assert_eq!(messages(&doc, "linked-test-removed").len(), 1);

    let absent = "0123456789abcdef0123456789abcdef01234567";
    std::fs::write(&event, format!("{{\"pull_request\": {{\"base\": {{\"sha\": \"{absent}\"}}}}}}")).unwrap();
    let out = t.run_in(t.path(), &["check", "--format", "json"], &[("GITHUB_EVENT_PATH", ev)]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = of_rule(&doc, "history-unavailable");
    assert_eq!(f.len(), 1);
    assert!(
        f[0]["help"].as_str().unwrap().contains(&format!("git fetch --no-tags --depth=1 origin {absent}")),
        "{f:?}"
    );
}

#[test]
fn base_flag_wins_and_an_unresolvable_one_is_unavailable_not_a_usage_error() {
    let t = repo_with_linked_test();
    let first = t.git(&["rev-parse", "HEAD"]).trim().to_owned();
    t.file("src/pool.rs", "pub struct Pool;\n");
    t.commit("drop");
    t.git(&["checkout", "-q", "main"]);
    t.git(&["merge", "-q", "feature"]);
    // On main, the merge base with main is HEAD: nothing removed...
    let (code, _) = t.check(&[]);
    assert_eq!(code, 1, "the incident has no test at all now");
    // ...but compared with the first commit, the removal shows.
    let (_, doc) = t.check(&["--base", &first[..10]]);
    assert_eq!(doc["base"]["source"], "flag");
    assert_eq!(messages(&doc, "linked-test-removed").len(), 1);
    let (code, doc) = t.check(&["--base", "no-such-branch"]);
    assert_eq!(code, 1);
    let f = of_rule(&doc, "history-unavailable");
    assert!(f[0]["message"].as_str().unwrap().contains("`no-such-branch`"), "{f:?}");
}

#[test]
fn detached_head_works() {
    let t = repo_with_linked_test();
    t.file("src/pool.rs", "pub struct Pool;\n");
    t.commit("drop");
    t.git(&["checkout", "-q", "--detach", "HEAD"]);
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(doc["base"]["rev"], "main");
    assert_eq!(messages(&doc, "linked-test-removed").len(), 1);
}

#[test]
fn no_base_branch_is_a_skipped_note() {
    let t = Tree::new();
    t.init_git();
    t.git(&["checkout", "-q", "-b", "trunk"]);
    t.file("postmortems/a.md", postmortem("INC-1", "test_waiver = \"Vendor outage; nothing of ours to test.\"\n"));
    t.commit("init");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0);
    assert_eq!(findings(&doc), [finding("history-skipped", "", 0)]);
    assert!(messages(&doc, "history-skipped")[0].starts_with("linked-test-removed did not run: no base revision"));
    let (_, doc) = t.check(&["--base", "trunk"]);
    assert_eq!(findings_past_head_base(&doc), []);
}

#[test]
fn outside_git_checks_are_skipped_with_notes_or_silently() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", "test_waiver = \"Vendor outage; nothing of ours to test.\"\n"));
    let out = t.run(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        messages(&doc, "history-skipped"),
        [
            "action-item-without-commit did not run: not a git repository",
            "linked-test-removed did not run: not a git repository",
        ]
    );
    let (_, doc) = t.check(&["--no-git"]);
    assert_eq!(findings(&doc), []);
}

#[test]
fn project_in_a_subdirectory_of_the_repository() {
    let t = Tree::new();
    t.init_git();
    t.file("service/incident-guard.toml", "");
    t.file("service/postmortems/a.md", postmortem("INC-1", ""));
    t.file("service/src/lib.rs", TEST_A);
    t.file("other/lib.rs", "// incident: NOT-OURS\n#[test]\nfn t() {}\n");
    t.commit("init");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.remove("service/src/lib.rs");
    let out = t.run_in(&t.path().join("service"), &["check", "--format", "json"], &[]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = of_rule(&doc, "linked-test-removed");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(f[0]["test"], "src/lib.rs::pool_reconnects_after_failover");
}

#[test]
fn partial_clone_missing_base_blob_is_unavailable() {
    let origin = Tree::new();
    origin.init_git();
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    origin.git(&["config", "uploadpack.allowAnySHA1InWant", "true"]);
    origin.file("postmortems/a.md", postmortem("INC-1", ""));
    origin.file("src/a.rs", "// incident: INC-1\n#[test]\nfn t() {}\n");
    origin.commit("one");
    origin.remove("src/a.rs");
    origin.file("src/b.rs", "// incident: INC-1\n#[test]\nfn rewritten_entirely() { let x = 1; }\n");
    origin.commit("two");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git_in(clone.path(), &["clone", "-q", "--filter=blob:none", &url, "c"]);
    let out = origin.run_in(&clone.path().join("c"), &["check", "--format", "json", "--base", "HEAD~1"], &[]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let f = of_rule(&doc, "history-unavailable");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert!(f[0]["message"].as_str().unwrap().contains("`src/a.rs` at base"), "{f:?}");
    assert!(f[0]["help"].as_str().unwrap().contains("without `--filter`"));
}

#[test]
fn unreadable_repository_is_unavailable_not_skipped() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", "test_waiver = \"Vendor outage; nothing of ours to test.\"\n"));
    t.file(".git/HEAD", "garbage");
    std::fs::create_dir_all(t.path().join(".git/objects")).unwrap();
    std::fs::create_dir_all(t.path().join(".git/refs")).unwrap();
    t.file(".git/config", "[core]\n\trepositoryformatversion = 99\n");
    let out = t.run(&["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(of_rule(&doc, "history-unavailable").len(), 2);
}

#[test]
fn evidence_is_found_on_merged_branches_and_base_at_head_is_explained() {
    let t = repo_with_items(&(item("A1", "") + &item("A2", "")));
    t.commit("postmortem");
    t.git(&["checkout", "-q", "-b", "side"]);
    t.commit("Side work for INC-1#A1");
    t.git(&["checkout", "-q", "main"]);
    t.commit("Main work for INC-1#A2");
    t.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    let (code, doc) = t.check(&[]);
    assert_eq!((code, findings_past_head_base(&doc)), (0, vec![]), "{doc:#}");
    let items = &doc["incidents"][0]["action_items"];
    assert_eq!(items[0]["commits"][0].as_str().unwrap(), t.git(&["rev-parse", "side"]).trim());
    assert_eq!(items[1]["commits"][0].as_str().unwrap(), t.git(&["rev-parse", "HEAD^1"]).trim());
    assert!(doc["base"]["reason"].as_str().unwrap().ends_with("the merge base of HEAD and main, which is HEAD itself"));
    // And a finding says so: a comparison of HEAD with itself is never a silent pass.
    let note = &messages(&doc, "history-skipped")[0];
    assert!(note.starts_with("linked-test-removed compared HEAD with itself"), "{note}");
}
