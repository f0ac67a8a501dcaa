//! `incident-guard check` on fixture trees: every rule, every marker form, every bad
//! input, asserted by exact rule, path and line.

mod common;
use common::*;

#[test]
fn every_rust_marker_form_links_the_right_test_identity() {
    let t = Tree::new();
    for id in ["INC-1", "INC-2", "INC-3", "INC-4", "INC-5", "INC-6", "INC-7"] {
        t.file(&format!("postmortems/{id}.md"), postmortem(id, ""));
    }
    // The crate root declares the module, or cargo would never compile it.
    t.file("src/lib.rs", "mod db;\n").file("src/db/mod.rs", "mod pool;\n");
    t.file(
        "src/db/pool.rs",
        r#"pub fn helper() {}

#[cfg(test)]
mod tests {
    /// Reconnects after failover.
    /// incident: INC-1
    #[test]
    fn doc_comment() {}

    // incident: INC-2, INC-3
    #[tokio::test]
    async fn plain_comment_two_ids() {}

    #[test]
    // incident: INC-4
    #[should_panic]
    fn between_attributes() {}

    mod nested {
        //! incident: INC-5
        #[sqlx::test]
        async fn in_nested_module() {}

        #[rstest]
        fn rstest_case() {}
    }

    // incident: INC-6
    #[test_case(1 ; "one")]
    fn test_case_form(x: u8) {}

    // incident: INC-6
    #[quickcheck]
    fn quickcheck_form(x: u8) -> bool { true }

    proptest! {
        // incident: INC-7
        #[test]
        fn proptest_form(x in 0..10u8) { prop_assert!(x < 10); }
    }
}
"#,
    );
    t.file(
        "tests/deploy.rs",
        "//! incident: INC-7\n\n#[test]\nfn deploy_waits() {}\n\n#[test]\nfn deploy_rolls_back() {}\n",
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(findings(&doc), vec![], "{doc:#}");
    assert_eq!(code, 0);
    assert_eq!(tests_of(&doc, "INC-1"), ["src/db/pool.rs::tests::doc_comment"]);
    assert_eq!(tests_of(&doc, "INC-2"), ["src/db/pool.rs::tests::plain_comment_two_ids"]);
    assert_eq!(tests_of(&doc, "INC-3"), ["src/db/pool.rs::tests::plain_comment_two_ids"]);
    assert_eq!(tests_of(&doc, "INC-4"), ["src/db/pool.rs::tests::between_attributes"]);
    assert_eq!(
        tests_of(&doc, "INC-5"),
        ["src/db/pool.rs::tests::nested::in_nested_module", "src/db/pool.rs::tests::nested::rstest_case"]
    );
    assert_eq!(
        tests_of(&doc, "INC-6"),
        ["src/db/pool.rs::tests::test_case_form", "src/db/pool.rs::tests::quickcheck_form"]
    );
    assert_eq!(
        tests_of(&doc, "INC-7"),
        ["src/db/pool.rs::tests::proptest_form", "tests/deploy.rs::deploy_waits", "tests/deploy.rs::deploy_rolls_back"]
    );
    assert_eq!(doc["summary"]["linked_tests"], 10);
    let linked = &doc["incidents"][0]["linked_tests"][0];
    assert_eq!((linked["path"].as_str(), linked["line"].as_u64()), (Some("src/db/pool.rs"), Some(8)));
}

#[test]
fn missing_regression_test_respects_draft_waiver_and_severity() {
    let t = Tree::new();
    t.file("postmortems/2024/a.md", postmortem("INC-A", "severity = \"SEV1\"\n"))
        .file("postmortems/2024/b.md", postmortem("INC-B", "status = \"draft\"\n"))
        .file(
            "postmortems/2024/c.md",
            postmortem("INC-C", "test_waiver = \"The fault was in vendor firmware we cannot run in CI.\"\n"),
        )
        .file("postmortems/2024/d.toml", "id = \"INC-D\"\ntitle = \"t\"\ndate = 2024-01-01\nseverity = \"SEV3\"\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&doc),
        [
            finding("missing-regression-test", "postmortems/2024/a.md", 2),
            finding("missing-regression-test", "postmortems/2024/d.toml", 1)
        ]
    );
    assert_eq!(of_rule(&doc, "missing-regression-test")[0]["incident"], "INC-A");
    assert_eq!(of_rule(&doc, "missing-regression-test")[0]["column"], 6);

    t.file("incident-guard.toml", format!("require_tests_for = [\"SEV1\", \"SEV2\"]\n{LINTS_OFF}"));
    let (_, doc) = t.check(&[]);
    assert_eq!(findings(&doc), [finding("missing-regression-test", "postmortems/2024/a.md", 2)]);
}

#[test]
fn ignored_linked_test_is_an_error_at_the_attribute() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file("src/lib.rs", "// incident: INC-1\n#[test]\n#[ignore = \"flaky\"]\nfn guarded() {}\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc), [finding("linked-test-ignored", "src/lib.rs", 3)]);
    let f = of_rule(&doc, "linked-test-ignored")[0];
    assert_eq!(f["test"], "src/lib.rs::guarded");
    assert_eq!(f["incident"], "INC-1");
}

#[test]
fn unknown_incident_suggests_the_nearest_id() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-2024-017", ""));
    t.file(
        "tests/a.rs",
        "// incident: INC-2024-017\n#[test]\nfn ok() {}\n\n// incident: INC-2024-071\n#[test]\nfn typo() {}\n",
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc), [finding("unknown-incident", "tests/a.rs", 5)]);
    let f = of_rule(&doc, "unknown-incident")[0];
    assert_eq!(f["column"], 14);
    assert!(f["help"].as_str().unwrap().contains("did you mean `INC-2024-017`?"), "{f}");
    assert_eq!(f["test"], "tests/a.rs::typo");
}

#[test]
fn marker_with_no_id_or_illegal_characters_is_reported() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file("src/lib.rs", "// incident:\n#[test]\nfn none() {}\n\n// incident: INC#1, INC-1\n#[test]\nfn bad() {}\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&doc),
        [finding("invalid-marker", "src/lib.rs", 1), finding("invalid-marker", "src/lib.rs", 5)]
    );
    assert!(of_rule(&doc, "invalid-marker")[0]["message"].as_str().unwrap().contains("names no incident ID"));
    assert!(of_rule(&doc, "invalid-marker")[1]["message"].as_str().unwrap().contains("`INC#1`"));
    assert_eq!(tests_of(&doc, "INC-1"), ["src/lib.rs::bad"]);
}

#[test]
fn invalid_postmortems_are_reported_with_line_and_column() {
    let t = Tree::new();
    t.file(
        "postmortems/typo.md",
        "+++\nid = \"INC-1\"\ntitle = \"t\"\ndate = 2024-01-01\ntest_waiver = \"later\"\n\n[[actoin_items]]\nid = \"A1\"\n+++\n",
    )
    .file(
        "postmortems/items.md",
        "+++\nid = \"INC-2\"\ntitle = \"t\"\ndate = 2024-01-01\ntest_waiver = \"No test possible: the outage was a cloud-region failure.\"\n[[action_items]]\nid = \"A1\"\ntitle = \"x\"\nowner = \"o\"\nstatus = \"wontfix\"\n[[action_items]]\nid = \"A1\"\ntitle = \"y\"\nowner = \"o\"\n+++\n",
    )
    .file("postmortems/bad-toml.md", "+++\nid = \"INC-3\"\ntitle = \n+++\n")
    .file("postmortems/no-front-matter.md", "# Just notes\n")
    .file("postmortems/latin1.md", b"+++\nid = \"INC-4\"\ntitle = \"caf\xe9\"\n+++\n".as_slice())
    .file("postmortems/_template.md", "not a postmortem")
    .file("postmortems/README.md", "not a postmortem either")
    .file("postmortems/.hidden.md", "nor this");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    let mut got: Vec<_> = of_rule(&doc, "invalid-postmortem")
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("postmortems/bad-toml.md".to_owned(), 3, 9),
            ("postmortems/items.md".to_owned(), 6, 1),
            ("postmortems/items.md".to_owned(), 12, 6),
            ("postmortems/latin1.md".to_owned(), 3, 1),
            ("postmortems/no-front-matter.md".to_owned(), 1, 1),
            ("postmortems/typo.md".to_owned(), 5, 15),
            ("postmortems/typo.md".to_owned(), 7, 3),
        ]
    );
    let messages: String =
        of_rule(&doc, "invalid-postmortem").iter().map(|f| format!("{} {}\n", f["message"], f["help"])).collect();
    assert!(messages.contains("did you mean `action_items`?"), "{messages}");
    assert!(messages.contains("`wontfix` but gives no `reason`"), "{messages}");
    assert!(messages.contains("duplicate action item ID `A1`"), "{messages}");
    assert!(messages.contains("at least 20 characters"), "{messages}");
    assert!(messages.contains("not valid UTF-8"), "{messages}");
    // INC-1 is still an incident (its id was readable), so it is also missing a test.
    assert_eq!(of_rule(&doc, "missing-regression-test").len(), 1);
}

#[test]
fn duplicate_incident_ids_point_at_the_second_file() {
    let t = Tree::new();
    t.file(
        "postmortems/2023/a.md",
        postmortem("INC-1", "test_waiver = \"Not reproducible outside production hardware.\"\n"),
    )
    .file("postmortems/2024/b.md", postmortem("INC-1", ""));
    let (_, doc) = t.check(&[]);
    assert_eq!(findings(&doc), [finding("duplicate-incident-id", "postmortems/2024/b.md", 2)]);
    assert!(of_rule(&doc, "duplicate-incident-id")[0]["message"].as_str().unwrap().contains("postmortems/2023/a.md"));
}

#[test]
fn unparsable_source_keeps_its_incident_covered() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file("src/lib.rs", "mod broken;\n");
    t.file("src/broken.rs", "// incident: INC-1\n#[test]\nfn still_linked() {\n    let x = ;\n}\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(findings(&doc), [finding("unparsable-source", "src/broken.rs", 4)], "{doc:#}");
    assert_eq!(code, 0, "unparsable-source is a warning");
    assert_eq!(tests_of(&doc, "INC-1"), ["src/broken.rs::still_linked"]);
}

#[test]
fn markers_on_things_that_are_not_tests_are_warnings() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file(
        "src/lib.rs",
        "// incident: INC-1\npub struct Cart;\n\n/// incident: INC-1\npub fn helper() {}\n\n// incident: INC-1\n#[test]\nfn real() {}\n",
    );
    t.file("src/empty.rs", "//! incident: INC-1\npub fn nothing() {}\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0);
    assert_eq!(
        findings(&doc),
        [
            finding("marker-on-non-test", "src/empty.rs", 1),
            finding("marker-on-non-test", "src/lib.rs", 1),
            finding("marker-on-non-test", "src/lib.rs", 4),
        ]
    );
    let messages: Vec<&str> =
        of_rule(&doc, "marker-on-non-test").iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(messages[1].contains("struct Cart") && messages[2].contains("fn helper"), "{messages:?}");
}

#[test]
fn overdue_action_items_use_today_flag() {
    let t = Tree::new();
    t.file(
        "postmortems/a.md",
        postmortem(
            "INC-1",
            "test_waiver = \"Third-party outage with no code change of ours.\"\n[[action_items]]\nid = \"A1\"\ntitle = \"Add timeout\"\nowner = \"@team\"\ndue = 2024-12-31\n[[action_items]]\nid = \"A2\"\ntitle = \"Alert\"\nowner = \"@team\"\ndue = 2025-01-01\nstatus = \"in-progress\"\n[[action_items]]\nid = \"A3\"\ntitle = \"Done\"\nowner = \"@team\"\ndue = 2020-01-01\nstatus = \"wontfix\"\nreason = \"Replaced by A1\"\n",
        ),
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0);
    assert_eq!(findings(&doc), [finding("overdue-action-item", "postmortems/a.md", 7)]);
    let (_, doc) = t.check(&["--today", "2025-01-02"]);
    assert_eq!(of_rule(&doc, "overdue-action-item").len(), 2);
}

#[test]
fn rule_levels_come_from_the_config() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file("incident-guard.toml", format!("{LINTS_OFF}missing-regression-test = \"warning\"\n"));
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0);
    assert_eq!(of_rule(&doc, "missing-regression-test")[0]["level"], "warning");
    t.file("incident-guard.toml", format!("{LINTS_OFF}missing-regression-test = \"off\"\n"));
    let (_, doc) = t.check(&[]);
    assert_eq!(findings(&doc), []);
}

#[test]
fn config_errors_exit_2_naming_file_line_and_suggestion() {
    let t = Tree::new();
    t.file(
        "incident-guard.toml",
        "postmortems = \"postmortems\"\nexlude = [\"x\"]\n[rules]\nmissing-regression-tests = \"error\"\n",
    );
    let out = t.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("incident-guard.toml:2:1"), "{err}");
    assert!(err.contains("did you mean `exclude`?"), "{err}");
    assert!(err.contains("incident-guard.toml:4:1"), "{err}");
    assert!(err.contains("did you mean `missing-regression-test`?"), "{err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn config_selects_postmortems_dir_markers_pattern_and_globs() {
    let t = Tree::new();
    t.file(
        "incident-guard.toml",
        format!("postmortems = \"docs/incidents\"\nmarkers = [\"incident\", \"postmortem\"]\nid_pattern = \"^INC-[0-9]{{4}}$\"\nexclude = [\"tests/fixtures/**\"]\ninclude = [\"src/**\", \"tests/**\"]\n{LINTS_OFF}"),
    )
    .file("docs/incidents/a.md", postmortem("INC-0001", ""))
    .file("docs/incidents/b.md", postmortem("INC-2", "test_waiver = \"Only reproducible on the vendor's hardware.\"\n"))
    .file("src/lib.rs", "mod a;\n")
    .file("src/a.rs", "// Postmortem: INC-0001\n#[test]\nfn linked_by_other_word() {}\n")
    .file("tests/fixtures/x.rs", "// incident: NOPE\n#[test]\nfn excluded() {}\n")
    .file("other/y.rs", "// incident: NOPE\n#[test]\nfn not_included() {}\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(findings(&doc), [finding("invalid-postmortem", "docs/incidents/b.md", 2)], "{doc:#}");
    assert_eq!(code, 1);
    assert_eq!(tests_of(&doc, "INC-0001"), ["src/a.rs::linked_by_other_word"]);
}

#[test]
fn gitignored_files_and_target_are_not_scanned() {
    let t = Tree::new();
    t.file(
        "postmortems/a.md",
        postmortem("INC-1", "test_waiver = \"Not testable: a certificate expired at the CDN.\"\n"),
    )
    .file(".gitignore", "generated/\n")
    .file("generated/g.rs", "// incident: NOPE\n#[test]\nfn g() {}\n")
    .file("target/debug/t.rs", "// incident: NOPE\n#[test]\nfn t() {}\n")
    .file("crates/x/target/t.rs", "// incident: NOPE\n#[test]\nfn t() {}\n");
    let (code, doc) = t.check(&[]);
    assert_eq!((code, findings(&doc)), (0, vec![]));
}

#[test]
fn hostile_and_odd_inputs_never_panic() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    // Not UTF-8, with a marker: reported, and its marker still links the test.
    t.file("src/lib.rs", "mod latin1;\nmod big;\nmod big_marked;\nmod deep;\nmod deeper;\n");
    t.file("src/latin1.rs", b"// incident: INC-1\n#[test]\nfn caf\xe9() {}\n".as_slice());
    // 5 MB without a marker is skipped by the byte search; 5 MB with one is parsed.
    let big: String = (0..170_000).map(|i| format!("pub fn f{i}() -> u32 {{ {i} }}\n")).collect();
    assert!(big.len() > 5_000_000);
    t.file("src/big.rs", &big);
    t.file("src/big_marked.rs", format!("{big}// incident: INC-1\n#[test]\nfn at_the_end() {{}}\n"));
    // Deep nesting that rustc accepts parses (on a thread with a stack sized for it);
    // nesting past that budget is refused, not a stack overflow, and read as text.
    t.file(
        "src/deep.rs",
        format!("// incident: INC-1\n#[test]\nfn deep() {{ {}0{} }}\n", "[".repeat(50_000), "]".repeat(50_000)),
    );
    t.file(
        "src/deeper.rs",
        format!("// incident: INC-1\n#[test]\nfn deeper() {{ {}0{} }}\n", "[".repeat(200_000), "]".repeat(200_000)),
    );
    // A symlink loop and a dangling link: reported, not followed forever.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(t.path().join("src"), t.path().join("src/loop")).unwrap();
        std::os::unix::fs::symlink(t.path().join("nowhere.rs"), t.path().join("src/dangling.rs")).unwrap();
    }
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    let mut got = findings(&doc);
    got.sort();
    let mut expected =
        vec![finding("unparsable-source", "src/deeper.rs", 1), finding("unparsable-source", "src/latin1.rs", 3)];
    #[cfg(unix)]
    expected.extend([finding("unparsable-source", "src/dangling.rs", 0), finding("unparsable-source", "src/loop", 0)]);
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(
        tests_of(&doc, "INC-1"),
        ["src/big_marked.rs::at_the_end", "src/deep.rs::deep", "src/deeper.rs::deeper", "src/latin1.rs::caf"]
    );
}

#[test]
fn empty_and_missing_postmortems_directories() {
    let t = Tree::new();
    let (code, doc) = t.check(&[]);
    assert_eq!((code, doc["summary"]["incidents"].as_u64()), (0, Some(0)));

    std::fs::remove_dir(t.path().join("postmortems")).unwrap();
    let out = t.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the postmortems directory `postmortems` does not exist"), "{}", stderr(&out));
}

#[test]
fn output_file_and_exit_codes() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    let out = t.run(&["check", "--format", "json", "--output", "report.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(t.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["summary"]["errors"], 1);

    assert_eq!(t.run(&["check", "--format", "yaml"]).status.code(), Some(2));
    assert_eq!(t.run(&["check", "--today", "tomorrow"]).status.code(), Some(2));
    assert_eq!(t.run(&["check", "no/such/dir"]).status.code(), Some(2));
    assert_eq!(t.run(&["--help"]).status.code(), Some(0));
}

#[test]
fn color_is_opt_in_off_a_terminal() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    let plain = stdout(&t.run(&["check"]));
    assert!(!plain.contains('\u{1b}') && plain.contains("error[missing-regression-test]"), "{plain}");
    let colored = stdout(&t.run(&["check", "--color", "always"]));
    assert!(colored.contains('\u{1b}'), "{colored}");
}

#[test]
fn root_is_found_from_a_subdirectory() {
    let t = Tree::new();
    t.file("incident-guard.toml", "")
        .file("postmortems/a.md", postmortem("INC-1", ""))
        .file("crates/core/src/lib.rs", "// incident: INC-1\n#[test]\nfn t() {}\n");
    let out = t.run_in(&t.path().join("crates/core"), &["check", "--format", "json"], &[]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tests_of(&doc, "INC-1"), ["crates/core/src/lib.rs::t"]);
}

#[test]
fn readme_documents_every_rule() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    for rule in incident_guard::rules::Rule::ALL {
        assert!(readme.contains(&format!("| `{}` |", rule.code())), "README's rule table lacks {}", rule.code());
    }
}
