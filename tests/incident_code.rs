//! The code behind incidents, in real git repositories: which files belong to an incident
//! (its postmortem's `paths`, the files its fix commits changed, followed through
//! renames), the `touches-incident-code` reminder on a change to them, the warnings for
//! `paths` and `fix_commits` that point nowhere, and how `show`, `stats` and the
//! pull-request comment present them.

mod common;
use common::*;
use serde_json::{Value, json};

const FIXED_POOL: &str = "pub struct Pool;\nimpl Pool {\n    pub fn reconnect(&self) {}\n}\n";
const POOL_TEST: &str = "// incident: INC-1\n#[test]\nfn pool_reconnects_after_failover() {}\n";

/// A repository on `main` whose commit "Reconnect after a failover" (the fix, returned)
/// changed `src/pool.rs` and its test `tests/pool.rs`; INC-1's postmortem, with `code`
/// (`{fix}` stands for the fix's SHA), comes after it. Then a `feature` branch.
fn repo_with_a_fix(code: &str, fix_message: &str) -> (Tree, String) {
    let t = Tree::new();
    t.init_git();
    t.file("src/lib.rs", "pub mod pool;\n");
    t.file("src/pool.rs", "pub struct Pool;\n");
    t.file("tests/pool.rs", "#[test]\nfn smoke() {}\n");
    t.file("README.md", "# pool\n");
    t.commit("initial");
    t.file("src/pool.rs", FIXED_POOL);
    t.file("tests/pool.rs", POOL_TEST);
    let fix = t.commit(fix_message);
    let code = code.replace("{fix}", &fix[..10]);
    t.file("postmortems/inc-1.md", postmortem("INC-1", &format!("severity = \"SEV1\"\n{code}")));
    t.commit("postmortem");
    t.git(&["checkout", "-q", "-b", "feature"]);
    (t, fix)
}

fn fix_commits() -> (Tree, String) {
    repo_with_a_fix("fix_commits = [\"{fix}\"]\n", "Reconnect after a failover")
}

fn messages(doc: &Value, rule: &str) -> Vec<String> {
    of_rule(doc, rule).iter().map(|f| f["message"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_change_to_code_a_fix_commit_changed_names_the_incident_the_commit_and_the_test() {
    let (t, fix) = fix_commits();
    t.file("src/pool.rs", format!("{FIXED_POOL}// a later change\n"));
    t.commit("change the pool");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "a reminder, not a failure: {doc:#}");
    assert_eq!(findings(&doc), [finding("touches-incident-code", "src/pool.rs", 0)], "{doc:#}");
    let f = of_rule(&doc, "touches-incident-code")[0];
    assert_eq!((f["level"].as_str(), f["incident"].as_str()), (Some("note"), Some("INC-1")));
    assert_eq!(
        f["message"].as_str().unwrap(),
        format!(
            "this change touches code of incident INC-1 (Incident INC-1; SEV1, 2024-03-05): src/pool.rs was changed by its fix commit `{}`",
            &fix[..12]
        )
    );
    assert_eq!(
        f["help"].as_str().unwrap(),
        "before merging, read what postmortems/inc-1.md found; the regression tests that guard it: `tests/pool.rs::pool_reconnects_after_failover`"
    );
}

#[test]
fn uncommitted_changes_count_as_part_of_the_change() {
    let (t, _) = fix_commits();
    t.file("src/pool.rs", format!("{FIXED_POOL}// not committed yet\n"));
    let (_, doc) = t.check(&[]);
    assert_eq!(findings_past_head_base(&doc), [finding("touches-incident-code", "src/pool.rs", 0)], "{doc:#}");
}

#[test]
fn a_change_to_the_fixs_test_or_to_other_files_is_no_reminder() {
    let (t, _) = fix_commits();
    t.file("tests/pool.rs", format!("{POOL_TEST}\n#[test]\nfn another() {{}}\n"));
    t.file("README.md", "# pool\n\nMore words.\n");
    t.commit("tests and docs");
    let (code, doc) = t.check(&[]);
    assert_eq!((code, findings(&doc)), (0, vec![]), "{doc:#}");
    let files = &doc["incidents"][0]["files"];
    assert_eq!(files.as_array().unwrap().len(), 1, "only src/pool.rs belongs to INC-1: {files:#}");
}

#[test]
fn a_file_renamed_after_the_fix_is_followed_to_its_new_path() {
    let (t, fix) = fix_commits();
    std::fs::create_dir_all(t.path().join("src/db")).unwrap();
    t.git(&["mv", "src/pool.rs", "src/db/pool.rs"]);
    t.file("src/lib.rs", "#[path = \"db/pool.rs\"]\npub mod pool;\n");
    t.commit("move the pool");
    t.file("src/db/pool.rs", format!("{FIXED_POOL}// tuned\n"));
    t.commit("tune the pool");
    for base in ["HEAD~1", "main"] {
        let (_, doc) = t.check(&["--base", base]);
        assert_eq!(findings(&doc), [finding("touches-incident-code", "src/db/pool.rs", 0)], "--base {base}: {doc:#}");
        assert!(
            messages(&doc, "touches-incident-code")[0]
                .ends_with(&format!("src/db/pool.rs was changed by its fix commit `{}` (as src/pool.rs)", &fix[..12])),
            "{doc:#}"
        );
    }
}

#[test]
fn without_fix_commits_the_commits_behind_closed_action_items_are_the_fix() {
    let item = "[[action_items]]\nid = \"A1\"\ntitle = \"Reconnect after a failover\"\nowner = \"@platform\"\nstatus = \"closed\"\n";
    let (t, fix) = repo_with_a_fix(item, "Reconnect after a failover (INC-1#A1)");
    t.file("src/pool.rs", format!("{FIXED_POOL}// later\n"));
    t.commit("change the pool");
    let (code, doc) = t.check(&[]);
    assert_eq!((code, findings(&doc)), (0, vec![finding("touches-incident-code", "src/pool.rs", 0)]), "{doc:#}");
    assert!(messages(&doc, "touches-incident-code")[0].contains(&format!("fix commit `{}`", &fix[..12])));
}

#[test]
fn paths_globs_belong_to_the_incident_and_a_glob_matching_nothing_is_a_warning() {
    let (t, _) = repo_with_a_fix("paths = [\"src/payment/**\", \"src/nope/*.rs\"]\n", "unrelated");
    t.git(&["checkout", "-q", "main"]);
    t.file("src/payment/api.rs", "pub fn pay() {}\n");
    t.commit("payments");
    t.git(&["checkout", "-q", "feature"]);
    t.git(&["merge", "-q", "main"]);
    t.file("src/payment/api.rs", "pub fn pay() { /* faster */ }\n");
    t.file("src/payment/refund.rs", "pub fn refund() {}\n"); // new, untracked
    let (code, doc) = t.check(&["--base", "HEAD"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        findings_past_head_base(&doc),
        [
            finding("incident-code-not-found", "postmortems/inc-1.md", 6),
            finding("touches-incident-code", "src/payment/api.rs", 0),
            finding("touches-incident-code", "src/payment/refund.rs", 0),
        ],
        "{doc:#}"
    );
    let warning = of_rule(&doc, "incident-code-not-found")[0];
    assert_eq!(warning["message"], "`src/nope/*.rs` in `paths` of INC-1 matches no file at HEAD");
    assert_eq!(warning["column"], 28);
    assert!(
        messages(&doc, "touches-incident-code")[0]
            .ends_with("src/payment/api.rs is listed in its postmortem's `paths` (`src/payment/**`)"),
        "{doc:#}"
    );
}

#[test]
fn a_file_both_listed_and_fixed_is_one_note_giving_both_reasons() {
    let (t, fix) = repo_with_a_fix("paths = [\"src/*.rs\"]\nfix_commits = [\"{fix}\"]\n", "the fix");
    t.file("src/pool.rs", "pub struct Pool;\n");
    let (_, doc) = t.check(&[]);
    let m = messages(&doc, "touches-incident-code");
    assert_eq!(m.len(), 1, "{doc:#}");
    assert!(
        m[0].ends_with(&format!(
            "src/pool.rs is listed in its postmortem's `paths` (`src/*.rs`) and was changed by its fix commit `{}`",
            &fix[..12]
        )),
        "{m:?}"
    );
}

#[test]
fn drafts_are_skipped_and_closed_incidents_reminded_one_note_per_incident_and_file() {
    let t = Tree::new();
    t.init_git();
    t.file("src/a.rs", "pub fn a() {}\n");
    t.file("src/b.rs", "pub fn b() {}\n");
    let waiver = "test_waiver = \"A vendor outage: nothing of ours could have caught it.\"\n";
    t.file("postmortems/1.md", postmortem("INC-1", &format!("status = \"draft\"\npaths = [\"src/a.rs\"]\n{waiver}")));
    t.file("postmortems/2.md", postmortem("INC-2", &format!("status = \"closed\"\npaths = [\"src/*.rs\"]\n{waiver}")));
    t.file("postmortems/3.md", postmortem("INC-3", &format!("status = \"review\"\npaths = [\"src/a.rs\"]\n{waiver}")));
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("src/a.rs", "pub fn a() { /* changed */ }\n");
    t.file("src/b.rs", "pub fn b() { /* changed */ }\n");
    t.commit("change both");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0);
    let notes: Vec<(String, String)> = of_rule(&doc, "touches-incident-code")
        .iter()
        .map(|f| (f["incident"].as_str().unwrap().to_owned(), f["path"].as_str().unwrap().to_owned()))
        .collect();
    let want = [("INC-2", "src/a.rs"), ("INC-3", "src/a.rs"), ("INC-2", "src/b.rs")];
    assert_eq!(notes, want.map(|(i, p)| (i.to_owned(), p.to_owned())), "{doc:#}");
    let help = of_rule(&doc, "touches-incident-code")[0]["help"].as_str().unwrap().to_owned();
    assert!(help.ends_with("; no regression test is linked to it yet"), "{help}");
}

#[test]
fn the_rule_set_to_off_reminds_of_nothing() {
    let (t, _) = fix_commits();
    t.git(&["checkout", "-q", "main"]);
    t.file("incident-guard.toml", format!("{LINTS_OFF}touches-incident-code = \"off\"\n"));
    t.commit("no reminders");
    t.git(&["checkout", "-q", "feature"]);
    t.git(&["merge", "-q", "main"]);
    t.file("src/pool.rs", format!("{FIXED_POOL}// change\n"));
    t.commit("change the pool");
    let (code, doc) = t.check(&[]);
    assert_eq!((code, findings(&doc)), (0, vec![]), "{doc:#}");
    let md = stdout(&t.run(&["check", "--format", "markdown"]));
    assert!(!md.contains("Past incidents"), "{md}");
    // The incident still knows its code.
    assert_eq!(doc["incidents"][0]["files"][0]["path"], "src/pool.rs");
}

#[test]
fn a_fix_commit_that_does_not_resolve_is_a_warning_at_its_entry() {
    let (t, _) = repo_with_a_fix("fix_commits = [\"{fix}\", \"deadbeef\", \"no-such-tag\"]\n", "the fix");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        findings_past_head_base(&doc),
        [
            finding("incident-code-not-found", "postmortems/inc-1.md", 6),
            finding("incident-code-not-found", "postmortems/inc-1.md", 6)
        ],
        "{doc:#}"
    );
    assert_eq!(
        messages(&doc, "incident-code-not-found"),
        [
            "fix commit `deadbeef` of INC-1 does not resolve: no such commit or ref in this repository",
            "fix commit `no-such-tag` of INC-1 does not resolve: no such commit or ref in this repository",
        ]
    );
    // A tag names a fix commit as well as its SHA does.
    t.git(&["tag", "pool-fix", "main~1"]);
    t.file("postmortems/inc-1.md", postmortem("INC-1", "fix_commits = [\"pool-fix\"]\n"));
    t.file("src/pool.rs", "pub struct Pool;\n");
    let (_, doc) = t.check(&[]);
    assert_eq!(findings_past_head_base(&doc), [finding("touches-incident-code", "src/pool.rs", 0)], "{doc:#}");
}

#[test]
fn a_malformed_entry_is_an_invalid_postmortem() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", "paths = [\"src/[oops\", \"\"]\nfix_commits = [\"main~2\"]\n"));
    let (_, doc) = t.check(&[]);
    let m = messages(&doc, "invalid-postmortem");
    assert_eq!(m.len(), 3, "{doc:#}");
    assert!(m[0].starts_with("`src/[oops` in `paths` is not a glob"), "{m:?}");
    assert_eq!(m[1], "an entry of `paths` is empty");
    assert_eq!(m[2], "`main~2` in `fix_commits` is not a commit SHA, a prefix of one or a ref");
}

#[test]
fn a_fix_commit_missing_from_a_shallow_clone_is_history_unavailable() {
    let (origin, fix) = fix_commits();
    origin.git(&["checkout", "-q", "main"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git_in(clone.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let out = origin.run_in(&clone.path().join("c"), &["check", "--format", "json", "--base", "HEAD"], &[]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    let f = of_rule(&doc, "history-unavailable");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!((f[0]["path"].as_str(), f[0]["line"].as_u64()), (Some("postmortems/inc-1.md"), Some(6)));
    assert_eq!(f[0]["message"], format!("fix commit `{}` of INC-1 is not in this shallow clone", &fix[..10]));
    assert!(of_rule(&doc, "incident-code-not-found").is_empty(), "{doc:#}");
}

#[test]
fn show_lists_the_files_and_where_each_came_from() {
    let (t, fix) = repo_with_a_fix("paths = [\"src/lib.rs\"]\nfix_commits = [\"{fix}\"]\n", "the fix");
    std::fs::create_dir_all(t.path().join("src/db")).unwrap();
    t.git(&["mv", "src/pool.rs", "src/db/pool.rs"]);
    t.commit("move the pool");
    let out = t.run(&["show", "INC-1"]);
    let human = stdout(&out);
    let files = human.split("\nfiles (2):\n").nth(1).unwrap_or_else(|| panic!("{human}"));
    let files: Vec<&str> = files.lines().take(2).collect();
    assert_eq!(
        files,
        [
            format!("  src/db/pool.rs  (changed by fix commit {}, as src/pool.rs)", &fix[..12]),
            "  src/lib.rs  (listed in paths: src/lib.rs)".to_owned(),
        ],
        "{human}"
    );
    let doc: Value = serde_json::from_str(&stdout(&t.run(&["show", "INC-1", "--format", "json"]))).unwrap();
    assert_eq!(
        doc["incident"]["files"],
        json!([
            { "path": "src/db/pool.rs", "sources": [{ "kind": "fix-commit", "commit": fix, "path": "src/pool.rs" }] },
            { "path": "src/lib.rs", "sources": [{ "kind": "paths", "pattern": "src/lib.rs" }] },
        ])
    );
}

#[test]
fn in_a_monorepo_paths_are_relative_to_the_git_root_in_machine_formats() {
    let t = Tree::new();
    t.init_git();
    std::fs::remove_dir(t.path().join("postmortems")).unwrap();
    t.remove("incident-guard.toml");
    let api = "services/api";
    t.file(&format!("{api}/incident-guard.toml"), LINTS_OFF);
    t.file(&format!("{api}/src/pool.rs"), "pub struct Pool;\n");
    t.file("services/web/src/pool.rs", "pub struct Pool;\n");
    t.commit("initial");
    t.file(&format!("{api}/src/pool.rs"), FIXED_POOL);
    t.file("services/web/src/pool.rs", FIXED_POOL);
    let fix = t.commit("fix both pools");
    t.file(
        &format!("{api}/postmortems/a.md"),
        postmortem(
            "INC-1",
            &format!("fix_commits = [\"{fix}\"]\ntest_waiver = \"A vendor outage: nothing of ours to test.\"\n"),
        ),
    );
    t.commit("postmortem");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file(&format!("{api}/src/pool.rs"), "pub struct Pool;\n");
    t.file("services/web/src/pool.rs", "pub struct Pool;\n");
    t.commit("change");
    let out = t.run_in(&t.path().join(api), &["check", "--format", "json"], &[]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The other service's file is not this project's code.
    assert_eq!(findings(&doc), [finding("touches-incident-code", "services/api/src/pool.rs", 0)], "{doc:#}");
    assert_eq!(
        doc["incidents"][0]["files"],
        json!([{ "path": "services/api/src/pool.rs", "sources": [{ "kind": "fix-commit", "commit": fix }] }])
    );
}

#[test]
fn stats_counts_the_files_of_two_or_more_incidents_as_hotspots() {
    let t = Tree::new();
    t.init_git();
    for f in ["src/pool.rs", "src/cache.rs", "src/db/conn.rs", "src/db/query.rs"] {
        t.file(f, "// code\n");
    }
    t.commit("initial");
    t.file("src/pool.rs", "// fixed\n");
    t.file("src/cache.rs", "// fixed\n");
    t.file("tests/cache.rs", "#[test]\nfn t() {}\n");
    let fix = t.commit("fix the pool and the cache");
    let waiver = "test_waiver = \"A vendor outage: nothing of ours to test.\"\n";
    let pm = |id: &str, code: &str| postmortem(id, &format!("{code}{waiver}"));
    t.file("postmortems/1.md", pm("INC-1", "paths = [\"src/pool.rs\", \"src/db/**\"]\n"));
    t.file("postmortems/2.md", pm("INC-2", &format!("fix_commits = [\"{fix}\"]\n")));
    t.file("postmortems/3.md", pm("INC-3", "paths = [\"src/cache.rs\", \"src/db/conn.rs\"]\n"));
    t.file("postmortems/4.md", pm("INC-4", "status = \"draft\"\npaths = [\"src/*\"]\n"));
    t.file("postmortems/5.md", pm("INC-5", "paths = [\"src/pool.rs\"]\n"));
    t.commit("postmortems");
    // By hand: src/pool.rs is INC-1's, INC-2's (its fix) and INC-5's; src/cache.rs INC-2's
    // and INC-3's; src/db/conn.rs INC-1's and INC-3's; src/db/query.rs only INC-1's;
    // tests/cache.rs is a test, and the draft INC-4 does not count.
    let out = t.run(&["stats", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["hotspots"],
        json!([
            { "path": "src/pool.rs", "incidents": ["INC-1", "INC-2", "INC-5"] },
            { "path": "src/cache.rs", "incidents": ["INC-2", "INC-3"] },
            { "path": "src/db/conn.rs", "incidents": ["INC-1", "INC-3"] },
        ])
    );
    let human = stdout(&t.run(&["stats"]));
    let lines: Vec<&str> = human.lines().skip_while(|l| !l.starts_with("code hotspots:")).collect();
    assert_eq!(
        lines,
        [
            "code hotspots:    src/pool.rs (3 incidents: INC-1, INC-2, INC-5)",
            "                  src/cache.rs (2 incidents: INC-2, INC-3)",
            "                  src/db/conn.rs (2 incidents: INC-1, INC-3)",
        ],
        "{human}"
    );
    let md = stdout(&t.run(&["stats", "--format", "markdown"]));
    assert!(
        md.contains("#### Code hotspots\n\n| File | Incidents |\n|---|---|\n| src/pool.rs | 3 (INC-1, INC-2, INC-5) |\n| src/cache.rs | 2 (INC-2, INC-3) |\n| src/db/conn.rs | 2 (INC-1, INC-3) |\n"),
        "{md}"
    );
}

#[test]
fn the_pr_comment_lists_past_incidents_in_a_table_that_hostile_text_cannot_break() {
    let t = Tree::new();
    t.init_git();
    let path = "src/a|b`c<!--d @alice.rs";
    t.file(path, "pub fn a() {}\n");
    t.file(
        "postmortems/a.md",
        postmortem("INC-1", "paths = [\"src/a*\"]\nseverity = \"SEV|1\"\n")
            .replace("Incident INC-1", "<!-- incident-guard --> | </table><script>x</script> @alice [l](javascript:x)"),
    );
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn guards_a() {}\n");
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file(path, "pub fn a() { /* changed */ }\n");
    t.commit("change");
    let env = [("GITHUB_REPOSITORY", "acme/shop"), ("GITHUB_SHA", "abc123")];
    let md = stdout(&t.run_in(t.path(), &["check", "--format", "markdown"], &env));
    assert_eq!(md.matches("<!-- incident-guard -->").count(), 1, "{md}");
    // One past incident is not folded away (only the table of every incident is).
    let open = md.split("<details>").next().unwrap();
    assert!(open.contains("\n#### Past incidents in this change\n"), "{md}");
    assert_eq!(md.matches("<details>").count(), 1, "{md}");
    assert!(!md.contains("**`touches-incident-code`**"), "the notes are the section, not listed again: {md}");
    let html = gfm_html(&md);
    assert_eq!(html.matches("<table>").count(), 2, "the section and the incidents:\n{html}");
    let section = html.split("<table>").nth(1).unwrap();
    assert_eq!(section.matches("<tr>").count(), 2, "header and one row:\n{html}");
    assert_eq!(section.matches("<td").count(), 4, "four cells a row:\n{html}");
    assert_eq!(html.matches("<!--").count(), 1, "only our marker:\n{html}");
    assert!(!html.contains("<script") && !html.contains("href=\"javascript"), "{html}");
    assert!(section.contains("@\u{200b}alice [l](javascript:x)"), "no mention, no link: {html}");
    assert!(
        section.contains("<a href=\"https://github.com/acme/shop/blob/abc123/postmortems/a.md\">INC-1</a>: &lt;!-- incident-guard --&gt; | &lt;/table&gt;"),
        "linked to the postmortem, the title shown as text:\n{html}"
    );
    assert!(section.contains("<td>SEV|1</td>"), "{html}");
    assert!(section.contains("<code>src/a|b`c&lt;\u{200b}!--d @alice.rs</code>"), "{html}");
}

#[test]
fn the_pr_comment_folds_many_past_incidents_away() {
    let t = Tree::new();
    t.init_git();
    t.file("src/a.rs", "pub fn a() {}\n");
    let waiver = "test_waiver = \"A vendor outage: nothing of ours to test.\"\n";
    for i in 1..=6 {
        t.file(
            &format!("postmortems/{i}.md"),
            postmortem(&format!("INC-{i}"), &format!("paths = [\"src/a.rs\"]\n{waiver}")),
        );
    }
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("src/a.rs", "pub fn a() { /* changed */ }\n");
    t.commit("change");
    let md = stdout(&t.run(&["check", "--format", "markdown"]));
    assert!(
        md.contains("\n<details><summary>This change touches code that was part of 6 past incidents: read what their postmortems found before merging.</summary>\n\n| Incident |"),
        "{md}"
    );
    let html = gfm_html(&md);
    let folded = html.split("<details>").nth(1).unwrap().split("</details>").next().unwrap();
    assert_eq!(folded.matches("<table>").count(), 1, "the table renders inside the fold:\n{html}");
    assert_eq!(folded.matches("<tr>").count(), 7, "header and six rows:\n{html}");
}

#[test]
fn a_file_deleted_since_the_fix_is_gone_and_bringing_it_back_is_seen() {
    let (t, fix) = fix_commits();
    t.remove("src/pool.rs");
    t.file("src/lib.rs", "\n");
    t.commit("drop the pool");
    let human = stdout(&t.run(&["show", "INC-1"]));
    assert!(
        human.contains(&format!("\n  src/pool.rs  [not at HEAD]  (changed by fix commit {})\n", &fix[..12])),
        "{human}"
    );
    let (_, doc) = t.check(&["--base", "HEAD"]);
    assert_eq!(doc["incidents"][0]["files"][0]["gone"], true);
    t.file("src/pool.rs", "pub struct Pool;\n");
    let (_, doc) = t.check(&["--base", "HEAD"]);
    assert_eq!(findings_past_head_base(&doc), [finding("touches-incident-code", "src/pool.rs", 0)], "{doc:#}");
    let out = t.run(&["stats", "--format", "json"]);
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["hotspots"], json!([]));
}

#[test]
fn a_fix_commit_at_a_shallow_clones_boundary_is_history_unavailable() {
    let (origin, fix) = fix_commits();
    origin.git(&["checkout", "-q", "main"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    // The fix commit is here, its parent is not: what it changed cannot be read.
    git_in(clone.path(), &["clone", "-q", "--depth", "2", &url, "c"]);
    let out = origin.run_in(&clone.path().join("c"), &["check", "--format", "json", "--base", "HEAD"], &[]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    let f = of_rule(&doc, "history-unavailable");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!((f[0]["path"].as_str(), f[0]["line"].as_u64()), (Some("postmortems/inc-1.md"), Some(6)));
    assert_eq!(
        f[0]["message"],
        format!(
            "cannot tell which files fix commit `{0}` of INC-1 changed: the parent of commit {0} is not in this clone (a shallow clone?)",
            &fix[..12]
        )
    );
    assert!(f[0]["help"].as_str().unwrap().contains("git fetch --unshallow"));
}

#[test]
fn a_file_renamed_to_another_name_is_followed_by_its_content() {
    let (t, fix) = fix_commits();
    t.git(&["mv", "src/pool.rs", "src/connections.rs"]);
    t.file("src/connections.rs", format!("{FIXED_POOL}// and now it is called connections\n"));
    t.file("src/other.rs", "pub struct Unrelated;\n");
    t.commit("rename the pool");
    let (_, doc) = t.check(&[]);
    assert_eq!(
        doc["incidents"][0]["files"],
        json!([{ "path": "src/connections.rs", "sources": [{ "kind": "fix-commit", "commit": fix, "path": "src/pool.rs" }] }]),
        "{doc:#}"
    );
}

#[test]
fn with_test_results_the_comment_says_whether_the_guarding_tests_ran() {
    let (t, _) = fix_commits();
    t.file("src/pool.rs", format!("{FIXED_POOL}// a later change\n"));
    t.commit("change the pool");
    // libtest's JSON event stream (without cargo's `Running` lines it covers every crate).
    t.file(
        "target/results.json",
        "{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 1 }\n{ \"type\": \"test\", \"event\": \"started\", \"name\": \"pool_reconnects_after_failover\" }\n{ \"type\": \"test\", \"name\": \"pool_reconnects_after_failover\", \"event\": \"ok\" }\n{ \"type\": \"suite\", \"event\": \"ok\", \"passed\": 1, \"failed\": 0, \"ignored\": 0, \"measured\": 0, \"filtered_out\": 0, \"exec_time\": 0.01 }\n",
    );
    let out = t.run(&["check", "--format", "markdown", "--test-results", "target/results.json"]);
    let md = stdout(&out);
    assert!(md.contains("| Incident | Severity | Files touched | Guarded by | Ran in this pipeline |"), "{md}");
    assert!(md.contains(" | 1/1 |"), "{md}");
    // Without results, no such column.
    let md = stdout(&t.run(&["check", "--format", "markdown"]));
    assert!(!md.contains("Ran in this pipeline"), "{md}");
}

/// The dependency manifests and lock files of each ecosystem, as a fix that also bumps
/// dependencies changes them.
const MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "web/package.json",
    "web/package-lock.json",
    "web/yarn.lock",
    "web/pnpm-lock.yaml",
    "web/npm-shrinkwrap.json",
    "py/pyproject.toml",
    "py/poetry.lock",
    "py/uv.lock",
    "py/Pipfile",
    "py/Pipfile.lock",
    "py/requirements-dev.txt",
    "go/go.mod",
    "go/go.sum",
    "jvm/pom.xml",
    "jvm/build.gradle.kts",
    "jvm/gradle.lockfile",
];

/// `repo_with_a_fix`, whose fix commit also writes every file of `MANIFESTS`; then the
/// `feature` branch bumps them all in one commit.
fn a_fix_that_bumped_dependencies(code: &str) -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file("src/lib.rs", "pub mod pool;\n");
    t.file("src/pool.rs", "pub struct Pool;\n");
    t.file("tests/pool.rs", "#[test]\nfn smoke() {}\n");
    t.commit("initial");
    t.file("src/pool.rs", FIXED_POOL);
    t.file("tests/pool.rs", POOL_TEST);
    for m in MANIFESTS {
        t.file(m, "# version 1\n");
    }
    let fix = t.commit("Reconnect after a failover, and bump the driver");
    let code = code.replace("{fix}", &fix[..10]);
    t.file("postmortems/inc-1.md", postmortem("INC-1", &format!("severity = \"SEV1\"\n{code}")));
    t.commit("postmortem");
    t.git(&["checkout", "-q", "-b", "feature"]);
    for m in MANIFESTS {
        t.file(m, "# version 2\n");
    }
    t.commit("bump every dependency");
    t
}

// incident: IG-2026-013
#[test]
fn dependency_manifests_and_lock_files_a_fix_changed_are_not_the_incidents_code() {
    let t = a_fix_that_bumped_dependencies("fix_commits = [\"{fix}\"]\n");
    let (code, doc) = t.check(&[]);
    assert_eq!((code, findings(&doc)), (0, vec![]), "a dependency bump touches no incident: {doc:#}");
    let files: Vec<&str> =
        doc["incidents"][0]["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(files, ["src/pool.rs"], "{doc:#}");
    // The code the fix changed still is the incident's.
    t.file("src/pool.rs", format!("{FIXED_POOL}// later\n"));
    t.commit("change the pool");
    let (_, doc) = t.check(&["--base", "HEAD~1"]);
    assert_eq!(findings(&doc), [finding("touches-incident-code", "src/pool.rs", 0)], "{doc:#}");
}

// incident: IG-2026-013
#[test]
fn a_lock_file_the_postmortem_lists_in_paths_is_the_incidents_code() {
    let t = a_fix_that_bumped_dependencies("paths = [\"Cargo.lock\"]\nfix_commits = [\"{fix}\"]\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(findings(&doc), [finding("touches-incident-code", "Cargo.lock", 0)], "only the listed one: {doc:#}");
    assert!(
        messages(&doc, "touches-incident-code")[0]
            .ends_with("Cargo.lock is listed in its postmortem's `paths` (`Cargo.lock`)"),
        "{doc:#}"
    );
}
