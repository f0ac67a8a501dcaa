//! An ID of punctuation alone (`-`, `..`, `_`): the postmortem loader accepted it, while
//! the marker parsers of Rust and the C-like languages read the same token as "not an
//! ID" and Python's linked it. No marker could link such an incident in one language and
//! any could in another; the fuzzer found the disagreement. An ID now needs a letter or
//! a digit, everywhere.

mod common;
use common::*;

// incident: IG-2026-016
#[test]
fn an_incident_id_of_punctuation_alone_is_refused_with_its_line() {
    let t = Tree::new();
    t.file("postmortems/a.md", "+++\nid = \"-\"\ntitle = \"T\"\ndate = 2024-03-05\n+++\n");
    t.file("postmortems/b.md", "+++\nid = \"..\"\ntitle = \"T\"\ndate = 2024-03-05\n+++\n");
    let out = t.run(&["check", "--no-git", "--format", "json", "--today", "2025-01-01"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert_eq!(text.matches("with at least one letter or digit").count(), 2, "{text}");
    assert!(text.contains("postmortems/a.md") && text.contains("postmortems/b.md"), "{text}");
}

// incident: IG-2026-016
#[test]
fn a_marker_naming_punctuation_is_invalid_in_every_language() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file("tests/a.rs", "// incident: INC-1, -\n#[test]\nfn a() {}\n");
    t.file("tests/test_a.py", "import pytest\n\n@pytest.mark.incident(\"INC-1\", \"-\")\ndef test_a():\n    pass\n");
    t.file("a_test.go", "package a\n\n// incident: INC-1, _\nfunc TestA(t *testing.T) {}\n");
    let out = t.run(&["check", "--no-git", "--format", "json", "--today", "2025-01-01"]);
    let text = stdout(&out);
    let report: serde_json::Value = serde_json::from_str(&text).expect(&text);
    let findings = report["findings"].as_array().expect("findings");
    let files_with = |rule: &str| -> Vec<String> {
        let mut v: Vec<String> = findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f["path"].as_str().unwrap_or("?").to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(files_with("invalid-marker"), ["a_test.go", "tests/a.rs", "tests/test_a.py"], "{text}");
    assert!(files_with("unknown-incident").is_empty(), "{text}");
    // The valid ID on each line still links.
    assert!(files_with("missing-regression-test").is_empty(), "{text}");
}
