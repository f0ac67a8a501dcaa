//! What a new user meets in the first ten minutes: a fresh repository, the template
//! `new` writes, a monorepo, a first marker. Each test pins a defect users filed, and is
//! linked to the project's postmortem of them.

mod common;
use common::*;

// incident: IG-2026-010
#[test]
fn keys_appended_after_extra_are_named_not_ignored() {
    let t = Tree::new();
    t.file(
        "postmortems/a.md",
        "+++\nid = \"INC-1\"\ntitle = \"t\"\ndate = 2026-01-01\n[extra]\nteam = \"x\"\ntest_waiver = \"The vendor's firmware failed; nothing of ours to test.\"\n+++\n",
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let f = of_rule(&doc, "invalid-postmortem");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!((f[0]["path"].as_str(), f[0]["line"].as_u64()), (Some("postmortems/a.md"), Some(7)));
    assert!(f[0]["message"].as_str().unwrap().contains("`test_waiver` is a key of the postmortem"), "{}", f[0]);
    assert!(f[0]["help"].as_str().unwrap().contains("move it above `[extra]`"), "{}", f[0]);
}

// incident: IG-2026-010
#[test]
fn a_broken_postmortem_does_not_make_its_markers_unknown() {
    let t = Tree::new();
    // A key given twice: the template's and the user's.
    t.file(
        "postmortems/a.md",
        "+++\nid = \"INC-1\"\ntitle = \"t\"\ndate = 2026-01-01\nretired_tests = []\nretired_tests = [{ test = \"x\", reason = \"y\" }]\n+++\n",
    );
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() {}\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    // The only error is the real one, at its line.
    assert_eq!(findings(&doc), [finding("invalid-postmortem", "postmortems/a.md", 6)], "{doc:#}");
}

// incident: IG-2026-010
#[test]
fn a_quoted_due_date_is_one_finding_not_two() {
    let t = Tree::new();
    t.file("incident-guard.toml", "");
    t.file(
        "postmortems/a.md",
        "+++\nid = \"INC-1\"\ntitle = \"t\"\ndate = 2026-01-01\ntest_waiver = \"The vendor's firmware failed; nothing of ours to test.\"\n[[action_items]]\nid = \"A1\"\ntitle = \"Alert when the pool is exhausted for 5 minutes\"\nowner = \"@ops\"\nkind = \"detect\"\ndue = \"2026-02-01\"\n+++\n## Summary\n## Impact\n## Timeline\n## Contributing factors\n## Action items\n",
    );
    let (_, doc) = t.check(&["--today", "2026-01-05"]);
    let rules: Vec<String> = findings(&doc).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["invalid-postmortem"], "{doc:#}");
}

// incident: IG-2026-010
#[test]
fn new_with_a_past_date_is_not_overdue_on_day_one() {
    let t = Tree::new();
    t.file("incident-guard.toml", "");
    let out = t.run(&["new", "--title", "Old outage", "--date", "2020-01-01"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = "postmortems/2020/INC-2020-001-old-outage.md";
    let text = std::fs::read_to_string(t.path().join(path)).unwrap();
    let text = text.replace("status = \"draft\"", "status = \"published\"");
    t.file(path, text);
    let out = t.run(&["check", "--no-git", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(of_rule(&doc, "overdue-action-item").is_empty(), "{doc:#}");
}

// incident: IG-2026-010
#[test]
fn explain_wraps_and_suggests_rules_sharing_a_word() {
    let t = Tree::new();
    let out = t.run(&["explain", "linked-test-removed"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.lines().all(|l| l.chars().count() <= 88), "{text}");
    assert!(text.lines().count() > 6, "{text}");
    let out = t.run(&["explain", "missing-test"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `missing-regression-test`?"), "{}", stderr(&out));
}

// incident: IG-2026-010
#[test]
fn stats_say_plainly_when_nothing_has_closed_yet() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    let out = t.run(&["stats", "--no-git"]);
    let text = stdout(&out);
    assert!(text.contains("days to close:    no closed action item has a closing commit yet"), "{text}");
    assert!(!text.contains("n/a") || !text.contains("over 0 item(s)"), "{text}");
}

/// The arguments of the README's first command (`cargo run --release -- ARGS`).
fn readme_first_command() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let line = readme.lines().find(|l| l.starts_with("cargo run")).expect("a first command");
    let args = line.split(" -- ").nth(1).unwrap().split('#').next().unwrap();
    args.split_whitespace().map(str::to_owned).collect()
}

// incident: IG-2026-010
#[test]
fn the_readme_first_command_prints_the_same_on_any_date() {
    let run = |today: &str| {
        let mut args = readme_first_command();
        args.extend(["--format", "json", "--today", today].map(str::to_owned));
        let out = std::process::Command::new(BIN)
            .args(&args)
            .current_dir(repo_root())
            .env_remove("GITHUB_EVENT_PATH")
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let found: Vec<(String, String)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["level"] != "note")
            .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["incident"].as_str().unwrap_or("").to_owned()))
            .collect();
        (out.status.code(), found)
    };
    let expected = (Some(1), vec![("missing-regression-test".to_owned(), "INC-2026-004".to_owned())]);
    assert_eq!(run("2026-12-01"), expected);
    assert_eq!(run("2099-01-01"), expected);
}

/// Paths named in `--format github` annotations.
fn annotation_paths(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.split("file=").nth(1))
        .map(|rest| rest.split([',', ':']).next().unwrap().to_owned())
        .collect()
}

// incident: IG-2026-010
#[test]
fn monorepo_paths_are_relative_to_the_git_root_in_machine_formats_and_to_the_cwd_for_people() {
    let t = Tree::new();
    t.init_git();
    std::fs::remove_dir(t.path().join("postmortems")).unwrap();
    t.remove("incident-guard.toml");
    let api = "services/api";
    t.file(&format!("{api}/incident-guard.toml"), LINTS_OFF);
    t.file(&format!("{api}/postmortems/a.md"), postmortem("INC-1", ""));
    t.file(&format!("{api}/postmortems/b.md"), postmortem("INC-2", ""));
    t.file(&format!("{api}/tests/a.rs"), "// incident: INC-1\n#[test]\n#[ignore]\nfn a() {}\n");
    t.commit("monorepo");
    let sub = t.path().join(api);
    for (cwd, target) in [(t.path().to_path_buf(), api), (sub.clone(), ".")] {
        let run = |format: &str| stdout(&t.run_in(&cwd, &["check", target, "--format", format], &[]));
        // GitHub annotations: relative to the git root.
        let github = run("github");
        let paths = annotation_paths(&github);
        assert_eq!(paths.len(), 2, "{github}");
        for p in &paths {
            assert!(p.starts_with("services/api/") && t.path().join(p).is_file(), "{p}: {github}");
        }
        // SARIF: every result's URI exists under the git root.
        let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
        for r in sarif["runs"][0]["results"].as_array().unwrap() {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            assert!(t.path().join(uri).exists(), "{uri}");
        }
        // JSON: findings and incidents, relative to the git root; test identities stay
        // relative to the checked directory, as `retired_tests` names them.
        let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
        for f in json["findings"].as_array().unwrap() {
            if let Some(p) = f["path"].as_str() {
                assert!(t.path().join(p).is_file(), "{p}");
            }
        }
        assert_eq!(tests_of(&json, "INC-1"), ["tests/a.rs::a"]);
        // Markdown links, with a blob base as in GitHub Actions.
        let md = stdout(&t.run_in(
            &cwd,
            &["check", target, "--format", "markdown"],
            &[("GITHUB_REPOSITORY", "acme/shop"), ("GITHUB_SHA", "abc")],
        ));
        let prefix = "https://github.com/acme/shop/blob/abc/";
        let links: Vec<&str> = md.match_indices(prefix).map(|(i, _)| &md[i + prefix.len()..]).collect();
        assert!(!links.is_empty(), "{md}");
        for l in links {
            let path = l.split(['#', ')']).next().unwrap();
            assert!(t.path().join(path).is_file(), "{path}: {md}");
        }
        // People: relative to where they stand.
        let human = run("human");
        let shown: Vec<&str> = human.lines().filter_map(|l| l.trim_start().strip_prefix("--> ")).collect();
        assert!(!shown.is_empty(), "{human}");
        for s in shown {
            let path = s.rsplitn(3, ':').last().unwrap();
            assert!(cwd.join(path).is_file(), "{path} from {}: {human}", cwd.display());
        }
    }
}

// incident: IG-2026-010
#[test]
fn the_base_line_says_which_revision_and_how_in_one_line() {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/a.md", postmortem("INC-1", "test_waiver = \"Vendor outage; nothing of ours to test.\"\n"));
    let head = t.commit("init");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.commit("work");
    let first = |args: &[&str]| stdout(&t.run(args)).lines().next().unwrap_or("").to_owned();
    let line = first(&["check"]);
    assert_eq!(line, format!("base: {}, the merge base of HEAD and main", &head[..12]));
    let line = first(&["check", "--base", "nope"]);
    assert!(line.starts_with("base: none: the base revision `nope` given by --base does not resolve"), "{line}");
}

// incident: IG-2026-010
#[test]
fn prose_after_a_marker_is_one_finding_with_a_useful_help() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-2026-001", ""));
    t.file(
        "tests/a.rs",
        "// Incident: INC-2026-001 regression for the overflow\n#[test]\nfn a() {}\n\n// incident: INC-2026-001 -- regression for the overflow\n#[test]\nfn b() {}\n\n// incident: INC-2O26-001\n#[test]\nfn c() {}\n",
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let mut got = findings(&doc);
    got.sort();
    assert_eq!(
        got,
        [finding("invalid-marker", "tests/a.rs", 1), finding("unknown-incident", "tests/a.rs", 9)],
        "{doc:#}"
    );
    let prose = &of_rule(&doc, "invalid-marker")[0];
    assert!(prose["message"].as_str().unwrap().contains("`regression for the overflow`"), "{prose}");
    assert!(prose["help"].as_str().unwrap().contains("` -- `"), "{prose}");
    // The ID before the prose still links, and the typo keeps its suggestion.
    assert_eq!(tests_of(&doc, "INC-2026-001"), ["tests/a.rs::a", "tests/a.rs::b"]);
    assert!(of_rule(&doc, "unknown-incident")[0]["help"].as_str().unwrap().contains("INC-2026-001"));
}

// incident: IG-2026-010
#[test]
fn near_miss_markers_are_named_where_they_stand() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file(
        "tests/a.rs",
        "// incidents: INC-1\n#[test]\nfn a() {}\n\n// Incident INC-1\n#[test]\nfn b() {}\n\n#[test]\n// incident = INC-1\nfn c() {}\n",
    );
    t.file("tests/test_p.py", "# INC-1 regression\ndef test_p():\n    pass\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let mut got = findings(&doc);
    got.sort();
    assert_eq!(
        got,
        [
            finding("missing-regression-test", "postmortems/a.md", 2),
            finding("near-miss-marker", "tests/a.rs", 1),
            finding("near-miss-marker", "tests/a.rs", 5),
            finding("near-miss-marker", "tests/a.rs", 10),
            finding("near-miss-marker", "tests/test_p.py", 1),
        ],
        "{doc:#}"
    );
    let helps: Vec<&str> = of_rule(&doc, "near-miss-marker").iter().map(|f| f["help"].as_str().unwrap()).collect();
    assert!(helps.contains(&"did you mean `// incident: INC-1`?"), "{helps:?}");
    assert!(helps.contains(&"did you mean `# incident: INC-1`?"), "{helps:?}");
}

// incident: IG-2026-010
#[test]
fn rust_test_attribute_forms_measured_against_cargo_are_tests() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file(
        "tests/forms.rs",
        "use tokio::test as maybe_tokio_test;\n\
         // incident: INC-1\n#[maybe_tokio_test]\nasync fn aliased() {}\n\
         // incident: INC-1\n#[template]\n#[rstest]\nfn tpl() {}\n\
         // incident: INC-1\n#[apply(tpl)]\nfn applied() {}\n\
         // incident: INC-1\n#[cfg(unix)]\n#[test]\nfn e() {}\n#[cfg(not(unix))]\n#[test]\nfn e() {}\n\
         // incident: INC-1\n#[rustversion::attr(not(nightly), ignore)]\n#[test]\nfn nightly() {}\n",
    );
    let (_, doc) = t.check(&[]);
    assert_eq!(
        tests_of(&doc, "INC-1"),
        ["tests/forms.rs::aliased", "tests/forms.rs::applied", "tests/forms.rs::e", "tests/forms.rs::nightly"],
        "{doc:#}"
    );
    // The template is not a test; the cfg alternatives are one test with no condition;
    // the conditional ignore is named.
    let mut got = findings(&doc);
    got.sort();
    assert_eq!(
        got,
        [
            finding("linked-test-skipped-conditionally", "tests/forms.rs", 20),
            finding("marker-on-non-test", "tests/forms.rs", 5),
        ],
        "{doc:#}"
    );
}

// incident: IG-2026-010
#[test]
fn linked_test_ignored_names_the_full_identity_that_retired_tests_needs() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file("tests/a.rs", "mod inner {\n    // incident: INC-1\n    #[test]\n    #[ignore]\n    fn a() {}\n}\n");
    let (_, doc) = t.check(&[]);
    let f = &of_rule(&doc, "linked-test-ignored")[0];
    assert!(f["message"].as_str().unwrap().starts_with("test `tests/a.rs::inner::a`"), "{f}");
    assert!(f["help"].as_str().unwrap().contains("test = \"tests/a.rs::inner::a\""), "{f}");
}
