//! Rust cfg conditions on linked tests, decided over the whole predicate, against the
//! package's manifest (features, check-cfg), cfg-wrapping macros and the repository's CI
//! workflows, through the real binary on crates in temporary directories.

mod common;
use common::*;

/// A package `p` (its `[package]` plus `manifest`) with `tests/a.rs` holding `test`, the
/// workflows given, checked without git.
fn crate_with(manifest: &str, test: &str, workflows: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("Cargo.toml", format!("[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{manifest}"));
    t.file("tests/a.rs", test);
    for (name, text) in workflows {
        t.file(&format!(".github/workflows/{name}"), text);
    }
    t.check(&[])
}

fn linked(attrs: &str) -> String {
    format!("// incident: INC-1\n{attrs}#[test]\nfn a() {{}}\n")
}

/// `(rule, message)` of the findings about the linked test.
fn about_a(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["test"] == "tests/a.rs::a")
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["message"].as_str().unwrap().to_owned()))
        .collect()
}

// incident: IG-2026-013
#[test]
fn impossible_conditions_are_errors_not_conditions() {
    for attrs in [
        "#[cfg(all(unix, not(unix)))]\n",
        "#[cfg(all(target_os = \"linux\", target_os = \"windows\"))]\n",
        "#[cfg(all(unix, windows))]\n",
        "#[cfg(unix)]\n#[cfg(windows)]\n",
        "#[cfg(target_os = \"macos\")]\n#[cfg_attr(unix, ignore)]\n",
    ] {
        let (code, doc) = crate_with("", &linked(attrs), &[]);
        assert_eq!(code, 1, "{attrs}: {doc:#}");
        assert_eq!(errors(&doc), [err("linked-test-ignored", "tests/a.rs::a")], "{attrs}: {doc:#}");
        assert!(of_rule(&doc, "linked-test-skipped-conditionally").is_empty(), "{attrs}: {doc:#}");
        let f = of_rule(&doc, "linked-test-ignored")[0];
        let line = f["line"].as_u64().unwrap();
        assert!((2..=3).contains(&line), "{attrs}: points at the condition: {f}");
    }
    // Inside a module whose condition excludes the test's.
    let (code, doc) = crate_with(
        "",
        "#[cfg(windows)]\nmod w {\n    // incident: INC-1\n    #[cfg(unix)]\n    #[test]\n    fn a() {}\n}\n",
        &[],
    );
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "tests/a.rs::w::a")]), "{doc:#}");
}

// incident: IG-2026-013
#[test]
fn conditions_true_in_every_ordinary_run_are_no_finding() {
    for attrs in ["#[cfg(not(miri))]\n", "#[cfg_attr(miri, ignore)]\n", "#[cfg(any(unix, not(unix)))]\n"] {
        let (code, doc) = crate_with("", &linked(attrs), &[]);
        assert_eq!((code, about_a(&doc)), (0, vec![]), "{attrs}: {doc:#}");
    }
    // Under Miri only: a condition.
    let (_, doc) = crate_with("", &linked("#[cfg(miri)]\n"), &[]);
    assert_eq!(about_a(&doc).len(), 1, "{doc:#}");
    assert_eq!(about_a(&doc)[0].0, "linked-test-skipped-conditionally");
}

// incident: IG-2026-013
#[test]
fn features_are_decided_by_the_manifest() {
    let manifest = "[features]\ndefault = [\"std\"]\nstd = [\"alloc\"]\nalloc = []\nfull = []\n\
[dependencies]\nregex = { version = \"1\", optional = true }\n";
    // Not declared (nor an optional dependency): no build enables it.
    let (code, doc) = crate_with(manifest, &linked("#[cfg(feature = \"sync\")]\n"), &[]);
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "tests/a.rs::a")]), "{doc:#}");
    let message = of_rule(&doc, "linked-test-ignored")[0]["message"].as_str().unwrap();
    assert!(message.contains("package `p` declares no feature `sync`"), "{message}");
    // The same in a file-wide `#![cfg]`.
    let (code, doc) =
        crate_with(manifest, "#![cfg(feature = \"sync\")]\n// incident: INC-1\n#[test]\nfn a() {}\n", &[]);
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "tests/a.rs::a")]), "{doc:#}");
    // Default, directly or through another default feature: plain `cargo test` runs it.
    for attrs in ["#[cfg(feature = \"std\")]\n", "#![cfg(feature = \"alloc\")]\n"] {
        let text = if attrs.starts_with("#!") { format!("{attrs}{}", linked("")) } else { linked(attrs) };
        let (code, doc) = crate_with(manifest, &text, &[]);
        assert_eq!((code, about_a(&doc)), (0, vec![]), "{attrs}: {doc:#}");
    }
    // Declared but not default, or an optional dependency: a condition, which says so.
    for (attrs, says) in [
        ("#[cfg(feature = \"full\")]\n", "`full` is not a default feature of package `p`"),
        ("#[cfg(feature = \"regex\")]\n", "`regex` is not a default feature"),
    ] {
        let (code, doc) = crate_with(manifest, &linked(attrs), &[]);
        let found = about_a(&doc);
        assert_eq!((code, found.len()), (0, 1), "{attrs}: {doc:#}");
        assert_eq!(found[0].0, "linked-test-skipped-conditionally");
        assert!(found[0].1.contains(says), "{}", found[0].1);
    }
}

// incident: IG-2026-013
#[test]
fn custom_cfgs_are_conditions_that_say_who_sets_them() {
    let manifest = "[lints.rust]\nunexpected_cfgs = { level = \"warn\", check-cfg = ['cfg(loom)'] }\n";
    let (code, doc) = crate_with(manifest, &linked("#[cfg(loom)]\n"), &[]);
    let found = about_a(&doc);
    assert_eq!((code, found.len()), (0, 1), "{doc:#}");
    assert!(
        found[0].1.contains("`loom` is a custom cfg, declared in check-cfg, set only by `RUSTFLAGS=--cfg loom`"),
        "{}",
        found[0].1
    );
    // No ordinary build sets it: `not(loom)` always holds.
    let (code, doc) = crate_with(manifest, &linked("#[cfg(not(loom))]\n"), &[]);
    assert_eq!((code, about_a(&doc)), (0, vec![]), "{doc:#}");
}
