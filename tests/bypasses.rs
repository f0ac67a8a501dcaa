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

/// `(rule, level, test)` of every finding at error level.
fn errors(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "error")
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["test"].as_str().unwrap_or("").to_owned()))
        .collect()
}

fn err(rule: &str, test: &str) -> (String, String) {
    (rule.to_owned(), test.to_owned())
}

// incident: IG-2026-001
#[test]
fn unparsable_file_does_not_hide_a_deleted_test() {
    let t = base();
    // The test is gone; its marker now stands on a helper, and the file does not parse.
    t.file("tests/a.rs", "// incident: INC-1\nfn a() {}\nfn broken() { let = ; }\n");
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
    t.file("tests/a.rs", format!("{A}fn broken() {{ let = ; }}\n"));
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
