//! `init`, `new`, the quality lints, `explain` and `stats`.

mod common;
use common::*;

fn read(t: &Tree, rel: &str) -> String {
    std::fs::read_to_string(t.path().join(rel)).unwrap()
}

#[test]
fn init_on_an_empty_repository_then_check_passes() {
    let t = Tree::new();
    std::fs::remove_dir(t.path().join("postmortems")).unwrap();
    t.remove("incident-guard.toml");
    t.init_git();
    let out = t.run(&["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for f in [
        "incident-guard.toml",
        "postmortems/_template.md",
        "postmortems/README.md",
        ".github/workflows/incident-guard.yml",
    ] {
        assert!(t.path().join(f).is_file(), "{f}");
        assert!(stdout(&out).contains(&format!("wrote       {f}")), "{}", stdout(&out));
    }
    let out = t.run(&["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((out.status.code(), findings(&doc)), (Some(0), vec![]), "{doc:#}");
    // The config it wrote is the documented one, with every key.
    let config = read(&t, "incident-guard.toml");
    for key in [
        "postmortems",
        "include",
        "exclude",
        "markers",
        "id_pattern",
        "id_prefix",
        "require_tests_for",
        "base_branch",
        "languages",
        "required_sections",
        "[sla_days]",
        "[rules]",
    ] {
        assert!(config.contains(key), "{key}");
    }
}

#[test]
fn init_twice_leaves_files_alone_unless_forced() {
    let t = Tree::new();
    t.remove("incident-guard.toml");
    t.run(&["init"]);
    t.file("postmortems/README.md", "ours");
    let out = t.run(&["init"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("left alone  postmortems/README.md"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("wrote"));
    assert_eq!(read(&t, "postmortems/README.md"), "ours");
    t.run(&["init", "--force"]);
    assert_ne!(read(&t, "postmortems/README.md"), "ours");
}

#[test]
fn new_numbers_per_year_after_the_highest_id_and_slugs_the_title() {
    let t = Tree::new();
    t.file("postmortems/2026/a.md", postmortem("INC-2026-001", "status = \"draft\"\n"));
    t.file("postmortems/2026/c.md", postmortem("INC-2026-003", "status = \"draft\"\n"));
    let out =
        t.run(&["new", "--title", "Café checkout: 50% of orders lost!", "--severity", "SEV2", "--date", "2026-11-20"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = "postmortems/2026/INC-2026-004-cafe-checkout-50-of-orders-lost.md";
    assert!(stdout(&out).contains(&format!("created {path}")), "{}", stdout(&out));
    assert!(stdout(&out).contains("    // incident: INC-2026-004"), "prints the marker line");
    let text = read(&t, path);
    assert!(text.contains("title = \"Café checkout: 50% of orders lost!\"") && text.contains("severity = \"SEV2\""));
    let out = t.run(&["new", "--title", "Next year", "--date", "2027-01-02"]);
    assert!(stdout(&out).contains("created postmortems/2027/INC-2027-001-next-year.md"), "{}", stdout(&out));
    assert_eq!(t.run(&["new", "--title", "two\nlines"]).status.code(), Some(2));
}

#[test]
fn new_uses_the_configured_prefix_and_pattern_and_the_team_template() {
    let t = Tree::new();
    t.file(
        "incident-guard.toml",
        format!("id_prefix = \"OPS\"\nid_pattern = \"^OPS-[0-9]{{4}}-[0-9]{{3}}$\"\n{LINTS_OFF}"),
    );
    t.file(
        "postmortems/_template.md",
        "+++\nid = \"{{id}}\"\ntitle = \"{{title}}\"\ndate = {{date}}\nstatus = \"draft\"\n+++\nOur own template.\n",
    );
    let out = t.run(&["new", "--title", "Disk full", "--date", "2026-05-01"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        read(&t, "postmortems/2026/OPS-2026-001-disk-full.md"),
        "+++\nid = \"OPS-2026-001\"\ntitle = \"Disk full\"\ndate = 2026-05-01\nstatus = \"draft\"\n+++\nOur own template.\n"
    );
    t.file("incident-guard.toml", format!("id_pattern = \"^X-[0-9]+$\"\n{LINTS_OFF}"));
    let out = t.run(&["new", "--title", "Mismatch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not match id_pattern"), "{}", stderr(&out));
}

#[test]
fn a_new_postmortem_round_trips_with_exactly_the_expected_findings() {
    let t = Tree::new();
    t.remove("incident-guard.toml"); // every lint on
    t.run(&["new", "--title", "Pool exhausted", "--severity", "SEV1", "--date", "2026-03-01"]);
    let path = "postmortems/2026/INC-2026-001-pool-exhausted.md";
    let (code, doc) = t.check(&["--today", "2026-03-01"]);
    assert_eq!((code, findings(&doc)), (0, vec![]), "a draft is not held to the rules yet: {doc:#}");
    t.file(path, read(&t, path).replace("status = \"draft\"", "status = \"published\""));
    let (code, doc) = t.check(&["--today", "2026-03-01"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&doc),
        [finding("missing-regression-test", path, 2), finding("action-item-missing-owner", path, 19)],
        "{doc:#}"
    );
}

const LINTED: &str = "+++
id = \"INC-1\"
title = \"Bad one\"
date = 2026-01-01
severity = \"SEV1\"
test_waiver = \"Vendor outage; nothing of ours could be tested.\"
[[action_items]]
id = \"A1\"
title = \"Be more careful\"
owner = \"TBD\"
kind = \"process\"
[[action_items]]
id = \"A2\"
title = \"Improve monitoring\"
owner = \"@sre\"
due = 2026-06-01
kind = \"mitigate\"
+++
## Summary
The outage was caused by human error.
## Impact
Everyone.
";

const GOOD: &str = "+++
id = \"INC-2\"
title = \"Good one\"
date = 2026-02-20
severity = \"SEV1\"
test_waiver = \"Vendor outage; nothing of ours could be tested.\"
[[action_items]]
id = \"A1\"
title = \"Alert when pool acquire latency p99 exceeds 500 ms for 5 minutes\"
owner = \"@sre\"
due = 2026-03-01
kind = \"detect\"
+++
## Summary
A blameless account.
## Impact
Some.
## Timeline
| t | e |
## Contributing factors
Many.
## Action items
See above.
";

#[test]
fn each_quality_lint_fires_on_the_bad_postmortem_only() {
    let t = Tree::new();
    t.file("incident-guard.toml", "");
    t.file("postmortems/bad.md", LINTED).file("postmortems/good.md", GOOD);
    t.file(
        "postmortems/draft.md",
        LINTED.replace("INC-1", "INC-3").replace("severity = \"SEV1\"\n", "severity = \"SEV1\"\nstatus = \"draft\"\n"),
    );
    let (code, doc) = t.check(&["--today", "2026-03-01"]);
    assert_eq!(code, 0, "lints are warnings: {doc:#}");
    let mut got: Vec<(String, String, u64)> = findings(&doc);
    got.sort();
    let mut want = vec![
        finding("action-item-missing-owner", "postmortems/bad.md", 8),
        finding("action-item-missing-due", "postmortems/bad.md", 8),
        finding("vague-action-item", "postmortems/bad.md", 8),
        finding("vague-action-item", "postmortems/bad.md", 13),
        finding("blame-language", "postmortems/bad.md", 20),
        finding("missing-section", "postmortems/bad.md", 2),
        finding("no-prevent-action", "postmortems/bad.md", 2),
        finding("action-item-past-sla", "postmortems/bad.md", 8),
        finding("action-item-past-sla", "postmortems/bad.md", 13),
    ];
    want.sort();
    assert_eq!(got, want, "{doc:#}");
    let missing = &of_rule(&doc, "missing-section")[0]["message"];
    assert_eq!(missing, "postmortem INC-1 has no \"Timeline\", \"Contributing factors\", \"Action items\" section");
    assert_eq!(of_rule(&doc, "blame-language")[0]["column"], 26);
    assert!(
        of_rule(&doc, "action-item-past-sla")[0]["message"]
            .as_str()
            .unwrap()
            .contains("59 days after the incident (deadline: 15 days)")
    );
}

#[test]
fn lint_configuration_sections_and_deadlines() {
    let t = Tree::new();
    t.file("incident-guard.toml", "required_sections = [\"Summary\"]\n[sla_days]\nSEV1 = 90\n");
    t.file("postmortems/bad.md", LINTED);
    let (_, doc) = t.check(&["--today", "2026-03-01"]);
    assert!(of_rule(&doc, "missing-section").is_empty() && of_rule(&doc, "action-item-past-sla").is_empty(), "{doc:#}");
}

#[test]
fn explain_every_rule() {
    let t = Tree::new();
    for rule in incident_guard::rules::Rule::ALL {
        let out = t.run(&["explain", rule.code()]);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        let level = if rule.opt_in() { "off".to_owned() } else { rule.default_level().to_string() };
        assert!(text.starts_with(&format!("{} (default level: {level}", rule.code())), "{text}");
        // Wrapped for the terminal: the same words, lines joined.
        assert!(text.replace('\n', " ").contains(rule.explain()), "{text}");
    }
    let listing = stdout(&t.run(&["explain"]));
    assert_eq!(listing.lines().count(), incident_guard::rules::Rule::ALL.len());
    let out = t.run(&["explain", "vague-action-items"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `vague-action-item`?"));
}

#[test]
fn stats_match_figures_computed_by_hand() {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/a.md", "+++\nid = \"INC-A\"\ntitle = \"A\"\ndate = 2026-01-10T00:00:00Z\nseverity = \"SEV1\"\ntags = [\"db\", \"retry\"]\ndetected_at = 2026-01-10T01:00:00Z\nresolved_at = 2026-01-10T02:30:00Z\n[[action_items]]\nid = \"A1\"\ntitle = \"x\"\nowner = \"o\"\nstatus = \"closed\"\n[[action_items]]\nid = \"A2\"\ntitle = \"y\"\nowner = \"o\"\ndue = 2026-01-01\n+++\n");
    t.file("postmortems/b.md", "+++\nid = \"INC-B\"\ntitle = \"B\"\ndate = 2026-01-20T00:00:00Z\nseverity = \"SEV1\"\ntags = [\"retry\"]\ndetected_at = 2026-01-20T03:00:00Z\nresolved_at = 2026-01-20T04:00:00Z\n[[action_items]]\nid = \"A1\"\ntitle = \"x\"\nowner = \"o\"\nstatus = \"closed\"\n+++\n");
    t.file("postmortems/c.md", "+++\nid = \"INC-C\"\ntitle = \"C\"\ndate = 2026-02-05\nseverity = \"SEV2\"\nstatus = \"draft\"\ntags = [\"db\"]\n+++\n");
    t.file("postmortems/d.md", "+++\nid = \"INC-D\"\ntitle = \"D\"\ndate = 2026-02-07\nseverity = \"SEV2\"\nstatus = \"closed\"\ntest_waiver = \"Vendor outage; nothing of ours could be tested.\"\ndetected_at = 2026-02-07T00:30:00+01:00\nresolved_at = 2026-02-07T00:45:00+01:00\n+++\n");
    t.file("src/lib.rs", "// incident: INC-A\n#[test]\nfn a() {}\n");
    t.commit_at("postmortems", "2026-01-11T00:00:00Z");
    t.commit_at("Fix (INC-A#A1)", "2026-01-15T12:00:00Z");
    t.commit_at("Fix INC-B#A1", "2026-01-30T00:00:00Z");
    let out = t.run(&["stats", "--format", "json", "--today", "2026-03-01"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["incidents"], 4);
    assert_eq!(s["by_severity"], serde_json::json!({"SEV1": 2, "SEV2": 2}));
    assert_eq!(s["by_status"], serde_json::json!({"closed": 1, "draft": 1, "published": 2}));
    // Held: A and B (C is a draft, D is waived); covered: A.
    assert_eq!(s["coverage"], serde_json::json!({"held": 2, "covered": 1, "ratio": 0.5}));
    assert_eq!(s["action_items"]["total"], 3);
    assert_eq!(s["action_items"]["by_status"], serde_json::json!({"closed": 2, "open": 1}));
    assert_eq!(s["action_items"]["overdue"], 1);
    assert_eq!(s["action_items"]["closed_with_commit"], 2);
    // A1 of A: 2026-01-15T12:00 − 2026-01-10 = 5.5 days; A1 of B: 10 days.
    assert_eq!(s["action_items"]["median_days_to_close"], 7.75);
    // Detect: SEV1 60 and 180 minutes; SEV2 (D gives a date without a time): not counted.
    assert_eq!(
        s["time_to_detect"]["SEV1"],
        serde_json::json!({"count": 2, "median_minutes": 120.0, "p90_minutes": 180.0})
    );
    assert!(s["time_to_detect"].get("SEV2").is_none(), "{s:#}");
    assert_eq!(
        s["time_to_resolve"]["SEV1"],
        serde_json::json!({"count": 2, "median_minutes": 75.0, "p90_minutes": 90.0})
    );
    assert_eq!(
        s["time_to_resolve"]["SEV2"],
        serde_json::json!({"count": 1, "median_minutes": 15.0, "p90_minutes": 15.0})
    );
    assert_eq!(
        s["repeated_classes"],
        serde_json::json!([{"tag": "db", "incidents": ["INC-A", "INC-C"]}, {"tag": "retry", "incidents": ["INC-A", "INC-B"]}])
    );
    assert_eq!(
        s["months"],
        serde_json::json!([
            {"month": "2026-01", "incidents": 2, "held": 2, "covered": 1},
            {"month": "2026-02", "incidents": 2, "held": 0, "covered": 0}
        ])
    );
    let human = stdout(&t.run(&["stats", "--today", "2026-03-01"]));
    assert!(human.contains("test coverage:    1 of 2 incidents held to the rule have a linked test (50%)"), "{human}");
    assert!(human.contains("SEV1: median 2h 00m, p90 3h 00m (2 incident(s))"), "{human}");
    let md = stdout(&t.run(&["stats", "--format", "markdown", "--today", "2026-03-01"]));
    assert!(
        md.contains("| Regression\\-test coverage | 1/2 (50%) |")
            || md.contains("| Regression-test coverage | 1/2 (50%) |"),
        "{md}"
    );
    assert!(md.contains("2026-01  2   ██               1/2 ▓"), "{md}");
    assert_eq!(t.run(&["stats", "--format", "sarif"]).status.code(), Some(2));
}
