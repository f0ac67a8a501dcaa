//! New, unchanged, fixed: `check` analyses the base revision too and tells the findings a
//! change brings in from those already there, and `--fail-on new` fails only on the new
//! ones. Real git repositories in temporary directories, the real binary.

mod common;
use common::*;
use serde_json::Value;

const LINKED: &str = "// incident: INC-1\n#[test]\nfn pool_reconnects() {\n    assert_eq!(1 + 1, 2);\n}\n";

/// `main` with old debt: INC-1 guarded by a test, INC-2 without a test, INC-3 with a
/// closed action item that no commit implements; then a `feature` branch.
fn repo_with_debt() -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file("Cargo.toml", "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    t.file("src/lib.rs", "pub fn f() {}\n");
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.file("postmortems/inc-2.md", postmortem("INC-2", ""));
    t.file(
        "postmortems/inc-3.md",
        postmortem(
            "INC-3",
            "test_waiver = \"a vendor outage, nothing of ours to test\"\n[[action_items]]\nid = \"A1\"\ntitle = \"Add the retry\"\nowner = \"@team\"\nstatus = \"closed\"\n",
        ),
    );
    t.file("tests/pool.rs", LINKED);
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t
}

/// (rule, baseline) of every finding at error or warning level.
fn states(doc: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] != "note")
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["baseline"].as_str().unwrap_or("?").to_owned()))
        .collect();
    v.sort();
    v
}

fn pair(rule: &str, state: &str) -> (String, String) {
    (rule.to_owned(), state.to_owned())
}

fn human(t: &Tree, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["check", "--today", "2025-01-01"];
    args.extend_from_slice(extra);
    let out = t.run(&args);
    (out.status.code().unwrap_or(-1), stdout(&out))
}

// incident: IG-2026-017
#[test]
fn a_deletion_over_old_debt_is_new_and_the_debt_unchanged() {
    let t = repo_with_debt();
    t.remove("tests/pool.rs");
    t.commit("drop the pool test");
    let (code, doc) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 1, "the removal is new: {doc:#}");
    assert_eq!(
        states(&doc),
        [
            pair("action-item-without-commit", "unchanged"),
            pair("linked-test-removed", "new"),
            pair("missing-regression-test", "unchanged"),
        ],
        "{doc:#}"
    );
    assert_eq!(doc["summary"]["errors"], 3);
    assert_eq!(doc["summary"]["new_errors"], 1);
    assert_eq!(doc["fail_on"], "new");
    let (code, _) = t.check(&["--fail-on", "all"]);
    assert_eq!(code, 1);
    // Human output says which is which, and counts them.
    let (code, out) = human(&t, &["--fail-on", "new"]);
    assert_eq!(code, 1);
    assert_eq!(out.matches("already on the base revision").count(), 2, "{out}");
    assert!(out.contains("3 error(s) (1 new)"), "{out}");
}

// incident: IG-2026-017
#[test]
fn an_unrelated_change_over_old_debt_passes_with_new_and_fails_with_all() {
    let t = repo_with_debt();
    t.file("src/lib.rs", "pub fn f() {}\npub fn g() {}\n");
    t.commit("unrelated");
    let (code, doc) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["new_errors"], 0);
    assert_eq!(doc["summary"]["errors"], 2, "the debt is still reported");
    let (code, _) = t.check(&[]);
    assert_eq!(code, 1, "the default is all");
    let (code, _) = t.check(&["--fail-on", "all"]);
    assert_eq!(code, 1);
    // The config's `fail_on` does the same, once the base has it.
    let t = repo_with_debt();
    t.git(&["checkout", "-q", "main"]);
    t.file("incident-guard.toml", format!("fail_on = \"new\"\n{LINTS_OFF}"));
    t.commit("only new errors fail");
    t.git(&["checkout", "-q", "-b", "pr"]);
    t.file("src/lib.rs", "pub fn f() {}\npub fn g() {}\n");
    t.commit("unrelated");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["fail_on"], "new");
}

#[test]
fn a_change_that_adds_the_missing_test_lists_it_as_fixed() {
    let t = repo_with_debt();
    t.file("tests/two.rs", "// incident: INC-2\n#[test]\nfn two() {}\n");
    t.commit("test for INC-2");
    let (code, doc) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 0, "{doc:#}");
    let fixed = doc["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1, "{doc:#}");
    assert_eq!(fixed[0]["rule"], "missing-regression-test");
    assert_eq!(fixed[0]["incident"], "INC-2");
    assert!(fixed[0].get("baseline").is_none());
    assert_eq!(doc["summary"]["fixed"], 1);
}

#[test]
fn an_edit_above_an_old_finding_keeps_its_fingerprint() {
    let t = repo_with_debt();
    let (_, before) = t.check(&["--base", "HEAD"]);
    let fingerprint = |doc: &Value, rule: &str| of_rule(doc, rule)[0]["fingerprint"].as_str().unwrap().to_owned();
    // Lines above the item and above the postmortem's ID move every line number.
    let text = std::fs::read_to_string(t.path().join("postmortems/inc-3.md")).unwrap();
    t.file("postmortems/inc-3.md", text.replacen("+++\n", "+++\n# a comment\n# and another\n", 1));
    t.commit("comments");
    let (code, after) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 0, "{after:#}");
    let moved = of_rule(&after, "action-item-without-commit")[0];
    assert_ne!(moved["line"], of_rule(&before, "action-item-without-commit")[0]["line"]);
    assert_eq!(moved["baseline"], "unchanged");
    assert_eq!(fingerprint(&after, "action-item-without-commit"), fingerprint(&before, "action-item-without-commit"));
    assert_eq!(fingerprint(&after, "missing-regression-test"), fingerprint(&before, "missing-regression-test"));
}

#[test]
fn a_change_to_fail_on_new_is_config_weakened_and_the_base_binds() {
    let t = repo_with_debt();
    t.file("incident-guard.toml", format!("fail_on = \"new\"\n{LINTS_OFF}"));
    t.commit("let old errors pass");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["fail_on"], "all", "the base's setting binds");
    let weakened = of_rule(&doc, "config-weakened");
    assert_eq!(weakened.len(), 1, "{doc:#}");
    assert!(weakened[0]["message"].as_str().unwrap().contains("`fail_on` goes from \"all\" to \"new\""));
    assert_eq!(weakened[0]["baseline"], "new");
    // With a reason of its own the change's setting applies, and says so in a note.
    t.file(
        "incident-guard.toml",
        format!(
            "fail_on = \"new\"\nguard_change_reason = \"the old debt is tracked in the adoption plan\"\n{LINTS_OFF}"
        ),
    );
    t.commit("with a reason");
    let (code, doc) = t.check(&[]);
    assert_eq!((code, doc["fail_on"].as_str()), (0, Some("new")), "{doc:#}");
    assert_eq!(of_rule(&doc, "guard-change-accepted").len(), 1);
}

// incident: IG-2026-017
#[test]
fn removing_an_incidents_last_test_is_one_error() {
    let t = repo_with_debt();
    t.file("tests/pool.rs", "#[test]\nfn pool_reconnects() {\n    assert_eq!(1 + 1, 2);\n}\n");
    t.commit("unlink");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    let about_inc_1: Vec<&Value> =
        doc["findings"].as_array().unwrap().iter().filter(|f| f["incident"] == "INC-1").collect();
    assert_eq!(about_inc_1.len(), 1, "{doc:#}");
    assert_eq!(about_inc_1[0]["rule"], "linked-test-removed");
    assert!(about_inc_1[0]["message"].as_str().unwrap().ends_with("incident INC-1 is left without a regression test"));
    // With another test still linked, the removal is all there is to say.
    let t = repo_with_debt();
    t.file("tests/more.rs", "// incident: INC-1\n#[test]\nfn more() {}\n");
    t.commit("a second test");
    t.git(&["branch", "-f", "main", "HEAD"]);
    t.remove("tests/pool.rs");
    t.commit("drop one");
    let (_, doc) = t.check(&[]);
    let removed = of_rule(&doc, "linked-test-removed");
    assert_eq!(removed.len(), 1);
    assert!(!removed[0]["message"].as_str().unwrap().contains("left without"), "{doc:#}");
}

// incident: IG-2026-017
#[test]
fn an_item_overdue_and_past_its_sla_is_one_finding() {
    let t = Tree::new();
    t.file("incident-guard.toml", "[rules]\noverdue-action-item = \"error\"\n");
    t.file(
        "postmortems/a.md",
        postmortem(
            "INC-1",
            "severity = \"SEV1\"\ntest_waiver = \"a vendor outage, nothing of ours to test\"\n[[action_items]]\nid = \"A1\"\ntitle = \"Alert on pool exhaustion\"\nowner = \"@team\"\nkind = \"detect\"\nstatus = \"open\"\ndue = 2024-04-01\n",
        ),
    );
    let (code, doc) = t.check(&[]);
    let about_a1: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "overdue-action-item" || f["rule"] == "action-item-past-sla")
        .collect();
    assert_eq!(about_a1.len(), 1, "{doc:#}");
    assert_eq!(about_a1[0]["rule"], "action-item-past-sla");
    assert_eq!(about_a1[0]["level"], "error", "the higher of the two levels: overdue was raised to error");
    assert_eq!(code, 1);
    assert!(about_a1[0]["message"].as_str().unwrap().ends_with(", and past its due date 2024-04-01"), "{doc:#}");
}

#[test]
fn a_base_that_does_not_parse_makes_every_finding_new() {
    let t = repo_with_debt();
    t.git(&["checkout", "-q", "main"]);
    t.file("incident-guard.toml", "fail_on = \n");
    t.commit("a broken config");
    t.git(&["checkout", "-q", "-b", "pr"]);
    t.file("incident-guard.toml", format!("fail_on = \"new\"\n{LINTS_OFF}"));
    t.file("src/lib.rs", "pub fn f() {}\npub fn g() {}\n");
    t.commit("fix the config");
    let (code, doc) = t.check(&[]);
    // The base's config counts as the defaults (fail on all) and its findings are unknown.
    assert_eq!(code, 1, "{doc:#}");
    let notes = of_rule(&doc, "history-skipped");
    assert!(notes.iter().any(|n| n["message"].as_str().unwrap().contains("could not be worked out")), "{doc:#}");
    assert!(states(&doc).iter().all(|(_, s)| s == "new"), "{doc:#}");
    // A base postmortem that cannot be read does the same.
    let t = repo_with_debt();
    t.git(&["checkout", "-q", "main"]);
    t.file("postmortems/inc-4.md", "no front matter at all\n");
    t.commit("a broken postmortem");
    t.git(&["checkout", "-q", "-b", "pr"]);
    t.file("postmortems/inc-4.md", postmortem("INC-4", "test_waiver = \"a vendor outage, nothing of ours to test\"\n"));
    t.commit("repair it");
    let (code, doc) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(states(&doc).iter().all(|(_, s)| s == "new"), "{doc:#}");
    assert!(of_rule(&doc, "history-skipped").iter().any(|n| n["message"].as_str().unwrap().contains("inc-4.md")));
}

#[test]
fn without_a_base_every_finding_is_new() {
    let t = repo_with_debt();
    let (code, doc) = t.check(&["--no-git", "--fail-on", "new"]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(states(&doc).iter().all(|(_, s)| s == "new"), "{doc:#}");
    assert_eq!(doc["summary"]["new_errors"], doc["summary"]["errors"]);
}

#[test]
fn a_change_that_stops_a_test_compiling_is_new_though_its_file_did_not_change() {
    // The test's file is the same at both revisions; the change is to what declares it.
    let t = Tree::new();
    t.init_git();
    t.file("Cargo.toml", "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    t.file("src/lib.rs", "mod pool;\n");
    t.file("src/pool.rs", format!("#[cfg(test)]\nmod tests {{\n{LINKED}}}\n"));
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("src/lib.rs", "\n");
    t.commit("drop the module");
    let (code, doc) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 1, "{doc:#}");
    let not_compiled = of_rule(&doc, "linked-test-not-compiled");
    assert_eq!(not_compiled.len(), 1, "{doc:#}");
    assert_eq!(not_compiled[0]["baseline"], "new");
    // It stands where the diff removed the `mod` line, and says so.
    assert_eq!((not_compiled[0]["path"].as_str(), not_compiled[0]["line"].as_u64()), (Some("src/lib.rs"), Some(1)));
    let message = not_compiled[0]["message"].as_str().unwrap();
    assert!(message.ends_with("this change removed `mod pool;` from src/lib.rs, line 1 at the base"), "{message}");
    assert_eq!(not_compiled[0]["related"]["path"], "postmortems/inc-1.md");
    let out = t.run(&["check", "--format", "github", "--today", "2025-01-01"]);
    assert!(
        stdout(&out).contains("::error file=src/lib.rs,line=1,col=1,title=linked-test-not-compiled::"),
        "{}",
        stdout(&out)
    );
    // In a deeper file, the declaration's own line.
    let t = Tree::new();
    t.init_git();
    t.file("Cargo.toml", "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    t.file("src/lib.rs", "mod db;\n");
    t.file("src/db/mod.rs", "pub fn connect() {}\n\nmod helpers;\nmod pool;\n\npub fn close() {}\n");
    t.file("src/db/helpers.rs", "\n");
    t.file("src/db/pool.rs", format!("#[cfg(test)]\nmod tests {{\n{LINKED}}}\n"));
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("src/db/mod.rs", "pub fn connect() {}\n\nmod helpers;\n\npub fn close() {}\n");
    t.commit("drop the pool module");
    let (_, doc) = t.check(&[]);
    let not_compiled = of_rule(&doc, "linked-test-not-compiled");
    assert_eq!(
        (not_compiled[0]["path"].as_str(), not_compiled[0]["line"].as_u64()),
        (Some("src/db/mod.rs"), Some(4)),
        "{doc:#}"
    );
}

#[test]
fn an_unknown_fail_on_is_a_usage_error() {
    let t = repo_with_debt();
    let out = t.run(&["check", "--fail-on", "some"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("all") && err.contains("new"), "{err}");
    t.file("incident-guard.toml", "fail_on = \"some\"\n");
    let out = t.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`fail_on` must be set to \"all\" or \"new\", not `some`"), "{}", stderr(&out));
}

#[test]
fn fingerprints_are_the_same_on_every_machine() {
    let t = repo_with_debt();
    let (_, here) = t.check(&[]);
    let elsewhere = tempfile::tempdir().unwrap();
    let clone = elsewhere.path().join("somewhere").join("else");
    git_in(elsewhere.path(), &["clone", "-q", t.path().to_str().unwrap(), clone.to_str().unwrap()]);
    git_in(&clone, &["checkout", "-q", "feature"]);
    let out = std::process::Command::new(BIN)
        .args(["check", "--format", "json", "--today", "2025-01-01", "--base", "origin/main"])
        .current_dir(&clone)
        .env_remove("GITHUB_EVENT_PATH")
        .output()
        .unwrap();
    let there: Value = serde_json::from_slice(&out.stdout).unwrap();
    let prints = |doc: &Value| -> Vec<String> {
        let mut v: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] != "history-skipped")
            .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert!(!prints(&here).is_empty());
    assert_eq!(prints(&here), prints(&there));
    assert!(prints(&here).iter().all(|p| p.len() == 16 && p.bytes().all(|b| b.is_ascii_hexdigit())));
}

#[test]
fn with_fail_on_new_the_old_findings_are_no_error_annotations() {
    let t = repo_with_debt();
    t.remove("tests/pool.rs");
    t.commit("drop the pool test");
    let out = t.run(&["check", "--format", "github", "--today", "2025-01-01", "--fail-on", "new"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 1, "{text}");
    assert!(errors[0].contains("title=linked-test-removed"), "{text}");
    assert!(text.contains("2 finding(s) already on the base revision are not annotated"), "{text}");
    // With `all`, every error is annotated.
    let out = t.run(&["check", "--format", "github", "--today", "2025-01-01"]);
    assert_eq!(stdout(&out).lines().filter(|l| l.starts_with("::error ")).count(), 3);
}

#[test]
fn a_test_removed_from_a_file_that_remains_is_annotated_where_it_was() {
    let t = repo_with_debt();
    let padding = "#[test]\nfn first() {}\n\n#[test]\nfn second() {}\n\n";
    t.file("tests/pool.rs", format!("{padding}{LINKED}\n#[test]\nfn after() {{}}\n"));
    t.commit("more tests");
    t.git(&["branch", "-f", "main", "HEAD"]);
    t.file("tests/pool.rs", format!("{padding}\n#[test]\nfn after() {{}}\n"));
    t.commit("drop the linked one");
    let out = t.run(&["check", "--format", "github", "--today", "2025-01-01"]);
    let text = stdout(&out);
    let removed: Vec<&str> = text.lines().filter(|l| l.contains("title=linked-test-removed")).collect();
    assert_eq!(removed.len(), 1, "{text}");
    // The test's name stood on line 9 of the base's file: the annotation is there, in the diff.
    assert!(removed[0].starts_with("::error file=tests/pool.rs,line=9,"), "{text}");
    let (_, doc) = t.check(&[]);
    let f = of_rule(&doc, "linked-test-removed")[0];
    assert_eq!(f["related"]["path"], "postmortems/inc-1.md", "{f}");
    assert_eq!(f["related"]["line"], 2);
}

fn markdown(t: &Tree, extra: &[&str]) -> String {
    let mut args = vec!["check", "--format", "markdown", "--today", "2025-01-01"];
    args.extend_from_slice(extra);
    stdout(&t.run(&args))
}

// incident: IG-2026-017
#[test]
fn the_comment_leads_with_the_change_and_folds_the_old_debt() {
    let t = repo_with_debt();
    t.remove("tests/pool.rs");
    t.commit("drop the pool test");
    let md = markdown(&t, &["--fail-on", "new"]);
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines[0], "<!-- incident-guard -->");
    assert_eq!(lines[1], "### ❌ This change removes the regression test of INC-1", "{md}");
    assert!(lines[3].starts_with("Restore the test"), "one sentence on what to do: {md}");
    assert!(lines.last().unwrap().starts_with("<sub>incident-guard"), "the footer last: {md}");
    let html = gfm_html(&md);
    let (before, folded) = html.split_once("<details>").expect("the old debt is folded");
    assert!(before.contains("linked-test-removed") && before.contains("INC-1: Incident INC-1"), "{html}");
    assert!(!before.contains("missing-regression-test"), "old debt is not in the open: {html}");
    assert!(folded.contains("missing-regression-test") && folded.contains("action-item-without-commit"), "{html}");
    assert!(folded.contains("2 findings already on the base (2 errors)"), "{html}");
    // The table of every incident is folded too.
    let table = html.find("<table>").unwrap();
    assert!(html[..table].matches("<details>").count() > html[..table].matches("</details>").count(), "{html}");

    let t = repo_with_debt();
    t.file("src/lib.rs", "pub fn f() {}\npub fn g() {}\n");
    t.commit("unrelated");
    let md = markdown(&t, &["--fail-on", "new"]);
    assert_eq!(md.lines().nth(1), Some("### ✅ Nothing new: this change keeps every incident's guard"), "{md}");
    assert!(!gfm_html(&md).split("<details>").next().unwrap().contains("<li>"), "nothing listed in the open: {md}");

    let t = repo_with_debt();
    t.file("tests/two.rs", "// incident: INC-2\n#[test]\nfn two() {}\n");
    t.commit("test for INC-2");
    let md = markdown(&t, &["--fail-on", "new"]);
    let html = gfm_html(&md);
    let open = html.split("<details>").next().unwrap();
    assert!(open.contains("Fixed by this change (1)") && open.contains("incident INC-2"), "{html}");
}

#[test]
fn ten_thousand_findings_stay_under_the_comment_limit_in_order() {
    let t = Tree::new();
    t.init_git();
    let hostile = "</details><script>x</script> <!-- incident-guard --> @team | [a](javascript:x)";
    for i in 0..10_000 {
        let title = if i % 1000 == 0 { hostile.to_owned() } else { format!("Outage number {i}") };
        t.file(
            &format!("postmortems/p{i:05}.md"),
            postmortem(&format!("INC-{i:05}"), "").replace("Incident INC", &title),
        );
    }
    t.commit("ten thousand incidents, no tests");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("postmortems/p00000.md", postmortem("INC-00000", "title = \"x\"\n"));
    t.file("src/lib.rs", "pub fn f() {}\n");
    t.commit("a new broken postmortem and some code");
    for extra in [&["--fail-on", "new"][..], &["--no-git"][..]] {
        let md = markdown(&t, extra);
        assert!(md.chars().count() < 65_536, "{} characters", md.chars().count());
        assert_eq!(md.matches("<!-- incident-guard -->").count(), 1, "only our marker");
        assert!(md.contains("**Report truncated**"), "a visible note");
        let html = gfm_html(&md);
        assert!(!html.contains("<script"), "hostile titles stay text");
        assert_eq!(html.matches("<details>").count(), html.matches("</details>").count(), "every fold closed");
        assert!(md.trim_end().ends_with("</sub>"), "the footer last");
    }
}

#[test]
fn an_item_that_expired_before_the_change_does_not_fail_an_unrelated_pull_request() {
    let t = Tree::new();
    t.init_git();
    t.file("incident-guard.toml", format!("{LINTS_OFF}overdue-action-item = \"error\"\n"));
    t.file(
        "postmortems/a.md",
        postmortem(
            "INC-1",
            "test_waiver = \"a vendor outage, nothing of ours to test\"\n[[action_items]]\nid = \"A1\"\ntitle = \"Alert on pool exhaustion\"\nowner = \"@team\"\nstatus = \"open\"\ndue = 2024-04-01\n",
        ),
    );
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("src/lib.rs", "pub fn f() {}\n");
    t.commit("unrelated");
    let (code, doc) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 0, "{doc:#}");
    let overdue = of_rule(&doc, "overdue-action-item");
    assert_eq!((overdue.len(), overdue[0]["baseline"].as_str()), (1, Some("unchanged")), "{doc:#}");
    let md = markdown(&t, &["--fail-on", "new"]);
    let (open, folded) = md.split_once("<details>").unwrap();
    assert!(!open.contains("overdue-action-item") && folded.contains("overdue-action-item"), "{md}");
    // A push to the default branch (fail on all) still fails on it.
    let (code, _) = t.check(&["--fail-on", "all"]);
    assert_eq!(code, 1);
}

#[test]
fn a_test_a_manifest_change_leaves_out_is_reported_at_the_changed_line() {
    let t = Tree::new();
    t.init_git();
    let manifest = "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    t.file("Cargo.toml", manifest);
    t.file("src/lib.rs", "pub fn f() {}\n");
    t.file("tests/pool.rs", LINKED);
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("Cargo.toml", manifest.replace("edition = \"2021\"\n", "edition = \"2021\"\nautotests = false\n"));
    t.commit("no automatic test targets");
    let (code, doc) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 1, "{doc:#}");
    let f = of_rule(&doc, "linked-test-not-compiled");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!((f[0]["path"].as_str(), f[0]["line"].as_u64()), (Some("Cargo.toml"), Some(5)), "{doc:#}");
    assert!(f[0]["message"].as_str().unwrap().ends_with("this change edited Cargo.toml (first at line 5)"), "{doc:#}");
    // A test whose own file the change moved is reported at the test.
    let t2 = Tree::new();
    t2.init_git();
    t2.file("Cargo.toml", manifest);
    t2.file("src/lib.rs", "pub fn f() {}\n");
    t2.file("tests/pool.rs", LINKED);
    t2.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t2.commit("initial");
    t2.git(&["checkout", "-q", "-b", "feature"]);
    t2.remove("tests/pool.rs");
    t2.file("tests/off/pool.rs", LINKED);
    t2.file("Cargo.toml", manifest.replace("0.1.0", "0.1.1"));
    t2.commit("move the test, bump the version");
    let (_, doc) = t2.check(&[]);
    let f = of_rule(&doc, "linked-test-not-compiled");
    assert_eq!(f[0]["path"], "tests/off/pool.rs", "{doc:#}");
}

#[test]
fn a_markdown_file_cargo_includes_is_no_prose_that_keeps_the_base_verdicts() {
    // `include!("mods.md")` declares the module that builds the linked test: emptying the
    // Markdown file stops it compiling, and that is this change's doing.
    let t = Tree::new();
    t.init_git();
    t.file("Cargo.toml", "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    t.file("src/lib.rs", "include!(\"mods.md\");\n");
    t.file("src/mods.md", "mod pool;\n");
    t.file("src/pool.rs", format!("#[cfg(test)]\nmod tests {{\n{LINKED}}}\n"));
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.commit("initial");
    let (code, _) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 0, "the test compiles at the base");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("src/mods.md", "\n");
    t.commit("tidy the docs");
    let (code, doc) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(of_rule(&doc, "linked-test-not-compiled")[0]["baseline"], "new", "{doc:#}");
}

#[test]
fn a_file_of_the_postmortems_directory_cargo_includes_is_no_postmortem() {
    // Only postmortems changed would keep the head's verdicts at the base; a file of the
    // postmortems directory that cargo reaches is not one.
    let t = Tree::new();
    t.init_git();
    t.file("Cargo.toml", "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    t.file("src/lib.rs", "include!(\"../postmortems/README.md\");\n");
    t.file("postmortems/README.md", "mod pool;\n");
    t.file("src/pool.rs", format!("#[cfg(test)]\nmod tests {{\n{LINKED}}}\n"));
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("postmortems/README.md", "\n");
    t.commit("tidy the postmortems' readme");
    let (code, doc) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(of_rule(&doc, "linked-test-not-compiled")[0]["baseline"], "new", "{doc:#}");
    // A change to a postmortem alone keeps the verdicts: an error the base had stays old.
    t.file("postmortems/inc-1.md", postmortem("INC-1", "severity = \"SEV3\"\n"));
    t.commit("severity");
    t.git(&["branch", "-f", "main", "HEAD~1"]);
    let (code, doc) = t.check(&["--fail-on", "new"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(of_rule(&doc, "linked-test-not-compiled")[0]["baseline"], "unchanged", "{doc:#}");
}
