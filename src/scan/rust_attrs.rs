//! Which attributes make a Rust fn a test: all the knowledge of it in one place, for the
//! scanner (`rust.rs`), the cfg reader (`rust_cfg.rs`, for `#[cfg_attr(p, test)]`) and
//! the reader of what a `harness = false` target runs (`reach/rust.rs`).
//!
//! Built in: an attribute whose last path segment is `test` (`#[test]`, `#[tokio::test]`,
//! `#[sqlx::test]`, `#[test_log::test]`, `#[googletest::test]`, `#[async_std::test]`, …)
//! or one of `TEST_ATTRS` (`#[rstest]`, `#[test_case(…)]`, `#[cargo_test]`, …). A
//! repository's own test macros are named in the config (`[scan.rust] test_attributes`).

/// Last path segments, besides `test`, of attributes that make a fn a test: rstest,
/// test-case (`test_case`, `test_matrix`), proptest's and test-strategy's `proptest`,
/// quickcheck, cargo's own test suite (`cargo_test`), wasm-bindgen-test, googletest's
/// `gtest`.
const TEST_ATTRS: &[&str] =
    &["rstest", "test_case", "test_matrix", "proptest", "quickcheck", "cargo_test", "wasm_bindgen_test", "gtest"];

/// Whether an attribute path, as written without spaces (`test`, `tokio::test`,
/// `::rstest::rstest`), makes its fn a test by itself.
pub fn is_test_path(path: &str) -> bool {
    let path = path.trim_start_matches(':');
    names_test_attr(path.rsplit("::").next().unwrap_or(path))
}

/// Whether the last segment of an attribute's path is one that makes its fn a test.
pub fn names_test_attr(last: &str) -> bool {
    last == "test" || TEST_ATTRS.contains(&last)
}

/// The same, for a path `syn` parsed (`#[cfg_attr(p, tokio::test)]`).
pub fn is_test_attr(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|seg| names_test_attr(&seg.ident.to_string()))
}

/// Whether `path` (as written) is one of the configured test attributes `configured`
/// (`my_crate::my_test`): the same path, or one ends the other segment by segment
/// (`#[my_test]` after `use my_crate::my_test;`, or `my_test` configured and
/// `#[my_crate::my_test]` written).
pub fn is_configured(path: &str, configured: &[String]) -> bool {
    let written: Vec<&str> = path.trim_start_matches(':').split("::").collect();
    configured.iter().any(|c| {
        let c: Vec<&str> = c.trim_start_matches(':').split("::").collect();
        let n = c.len().min(written.len());
        n > 0 && c[c.len() - n..] == written[written.len() - n..]
    })
}

/// Whether a `use` declaration's text may rename a test attribute: only such a `use` is
/// parsed to find the new name.
pub fn may_rename_test_attr(text: &str) -> bool {
    text.contains(" as ") && (text.contains("test") || TEST_ATTRS.iter().any(|a| text.contains(a)))
}

pub use crate::config::configured_test_attribute_problem as configured_problem;

/// What a test attribute's own arguments make of running the test, when the macro decides
/// at build time whether to ignore it or run it at all: `#[cargo_test(nightly, …)]`
/// (ignored off nightly, without a command, without an environment variable), and
/// `#[wasm_bindgen_test]` (run by wasm-bindgen's runner on wasm targets; on others only
/// with `unsupported = test`). `path` is the attribute's path as written, `text` its
/// whole source (`#[…]`). The words that follow the quoted attribute in a message.
pub fn condition(path: &str, text: &str) -> Option<&'static str> {
    let last = path.rsplit("::").next().unwrap_or(path);
    let args = text.find('(').map_or("", |i| &text[i + 1..]).trim_end_matches([']', ' ']).trim_end_matches(')');
    match last {
        "cargo_test" => {
            // `reason = "…"` alone states no rule.
            let rules = split_top(args).into_iter().filter(|r| !r.is_empty() && !r.starts_with("reason")).count();
            (rules > 0).then_some(
                "(cargo's test macro ignores the test where its rules do not hold: a nightly toolchain, an installed command, an environment variable, the host)",
            )
        }
        "wasm_bindgen_test" if !args.contains("unsupported") => Some(
            "(wasm-bindgen's test runner runs it on wasm targets; a native `cargo test` runs it only with `unsupported = test`)",
        ),
        _ => None,
    }
}

/// In a target built without the test harness (`harness = false`), why the attribute
/// that makes the fn named at `line` of `text` a test may be one a custom harness reads
/// rather than the built-in `#[test]` (which such a build drops): it is not a known test
/// attribute (the config's own, a renamed one), or `test` is imported (deno's
/// `use test_util::test;`, which registers the fn for the target's `main`), or a glob
/// import may bring one in. `None` when it is the built-in one for certain. Where the
/// file cannot be read, or the fn is not found (a macro wrote it), it may be either.
pub fn custom_harness_attr(text: &str, line: usize) -> Option<String> {
    use super::rust_items::{self, Kind};
    let Ok(skeleton) = rust_items::parse(text) else {
        return Some("its file cannot be read to tell which `test` attribute it has".to_owned());
    };
    let line_of = |at: usize| text[..at.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1;
    // The fn, and the `use` declarations of the file (those of inline modules too).
    let mut found: Option<&rust_items::Item> = None;
    let mut uses: Vec<&rust_items::Item> = Vec::new();
    let mut work: Vec<&[rust_items::Item]> = vec![&skeleton.items];
    while let Some(items) = work.pop() {
        for item in items {
            match &item.kind {
                Kind::Fn { name, .. } if line_of(name.start) == line => found = Some(item),
                Kind::Mod { body: Some(body), .. } => work.push(&body.items),
                Kind::Use => uses.push(item),
                _ => {}
            }
        }
    }
    let Some(item) = found else {
        return Some("the fn is not written where it can be read (a macro may write it)".to_owned());
    };
    if !item.attrs.iter().any(|a| is_test_path(&a.path)) {
        let own =
            item.attrs.iter().find(|a| !matches!(a.path.as_str(), "ignore" | "should_panic" | "cfg" | "cfg_attr"));
        return Some(match own {
            Some(a) => format!("its attribute `#[{}]` is not the built-in `#[test]`", a.path),
            None => "its test attribute is not the built-in `#[test]`".to_owned(),
        });
    }
    if !item.attrs.iter().any(|a| a.path.trim_start_matches(':') == "test") {
        return None;
    }
    let word = |t: &str, at: usize, len: usize| {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        !t[..at].chars().next_back().is_some_and(ident) && !t[at + len..].chars().next().is_some_and(ident)
    };
    for u in uses {
        let t = &text[u.span.clone()];
        let quoted: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
        let quoted: String = quoted.chars().take(80).collect();
        if t.match_indices("test").any(|(at, _)| word(t, at, 4) && !t[at + 4..].trim_start().starts_with("::")) {
            return Some(format!("`test` is imported (`{quoted}`, line {})", line_of(u.span.start)));
        }
        if t.contains('*') {
            return Some(format!(
                "a glob import (`{quoted}`, line {}) may bring in a `test` attribute",
                line_of(u.span.start)
            ));
        }
    }
    None
}

/// `a, b = "x, y", c(d, e)` split at its top-level commas, each trimmed.
fn split_top(args: &str) -> Vec<&str> {
    let (mut out, mut depth, mut quoted, mut start) = (Vec::new(), 0usize, false, 0);
    let mut escaped = false;
    for (i, c) in args.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                out.push(args[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(args[start..].trim());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_attributes_of_the_usual_frameworks() {
        for path in [
            "test",
            "tokio::test",
            "::tokio::test",
            "sqlx::test",
            "test_log::test",
            "googletest::test",
            "gtest",
            "googletest::gtest",
            "cargo_test",
            "wasm_bindgen_test",
            "wasm_bindgen_test::wasm_bindgen_test",
            "rstest",
            "test_case",
            "test_matrix",
            "test_strategy::proptest",
            "quickcheck",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in ["tests", "testing::helper", "inline", "cfg", "bench", "tokio::main", "serial"] {
            assert!(!is_test_path(path), "{path}");
        }
    }

    #[test]
    fn configured_attributes_match_as_imported_or_in_full() {
        let c = vec!["my_crate::my_test".to_owned(), "::other::check".to_owned()];
        assert!(is_configured("my_crate::my_test", &c));
        assert!(is_configured("my_test", &c));
        assert!(is_configured("::my_crate::my_test", &c));
        assert!(is_configured("other::check", &c));
        assert!(!is_configured("their_crate::my_test", &c));
        assert!(!is_configured("my_crate", &c));
        assert!(!is_configured("test", &c));
        let bare = vec!["my_test".to_owned()];
        assert!(is_configured("my_crate::my_test", &bare));
        for ok in ["my_test", "my_crate::my_test", "::a::b", "r#try"] {
            assert_eq!(configured_problem(ok), None, "{ok}");
        }
        for bad in ["", "#[my_test]", "my_test(x)", "a::", "a b", "cfg", "inline", "1x"] {
            assert!(configured_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn a_custom_harness_reads_an_imported_test_attribute() {
        let deno = "use test_util as util;\nuse test_util::test;\n\n#[test]\nfn fmt_test() {}\n";
        assert_eq!(
            custom_harness_attr(deno, 5).as_deref(),
            Some("`test` is imported (`use test_util::test;`, line 2)")
        );
        let grouped = "use test_util::{self, test as t2, TestContext};\n#[test]\nfn a() {}\n";
        assert!(custom_harness_attr(grouped, 3).is_some_and(|w| w.contains("imported")));
        let glob = "mod inner {\n    use helpers::*;\n    #[test]\n    fn a() {}\n}\n";
        assert!(custom_harness_attr(glob, 4).is_some_and(|w| w.contains("glob")));
        let own = "#[my_test]\nfn a() {}\n";
        assert!(custom_harness_attr(own, 2).is_some_and(|w| w.contains("`#[my_test]`")));
        // The built-in one: a harness-less build drops it.
        let builtin = "use test_util::testing::Ctx;\nuse std::io;\n#[test]\n#[ignore]\nfn a() {}\n";
        assert_eq!(custom_harness_attr(builtin, 5), None);
        assert_eq!(custom_harness_attr("#[tokio::test]\nasync fn a() {}\n", 2), None);
        assert!(custom_harness_attr("#[test]\nfn a() { let = ; \n", 2).is_some());
    }

    #[test]
    fn cargo_test_rules_and_wasm_targets_are_conditions() {
        assert_eq!(condition("cargo_test", "#[cargo_test]"), None);
        assert_eq!(condition("cargo_test", "#[cargo_test(reason = \"a, b\")]"), None);
        for rules in [
            "#[cargo_test(nightly, reason = \"-Zfoo is unstable\")]",
            "#[cargo_test(requires = \"git\")]",
            "#[cargo_test(ignore_windows = \"no symlinks\")]",
            "#[cargo_test(>=1.64, reason = \"x\")]",
            "#[cargo_test(container_test)]",
        ] {
            assert!(condition("cargo_test", rules).is_some(), "{rules}");
        }
        assert!(condition("wasm_bindgen_test", "#[wasm_bindgen_test]").is_some());
        assert_eq!(condition("wasm_bindgen_test", "#[wasm_bindgen_test(unsupported = test)]"), None);
        assert_eq!(condition("tokio::test", "#[tokio::test(flavor = \"multi_thread\")]"), None);
    }
}
