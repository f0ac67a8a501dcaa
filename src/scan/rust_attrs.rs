//! Which attributes make a Rust fn a test: all the knowledge of it in one place, for the
//! scanner (`rust.rs`), the cfg reader (`rust_cfg.rs`, for `#[cfg_attr(p, test)]`) and
//! the reader of what a `harness = false` target runs (`reach/rust.rs`).

/// Attributes that make a fn a test besides those whose last segment is `test`.
const TEST_ATTRS: &[&str] = &["rstest", "test_case", "proptest", "quickcheck"];

/// Whether an attribute path, as written without spaces (`test`, `tokio::test`,
/// `::rstest::rstest`), makes its fn a test.
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

/// Whether a `use` declaration's text may rename a test attribute: only such a `use` is
/// parsed to find the new name.
pub fn may_rename_test_attr(text: &str) -> bool {
    text.contains(" as ") && (text.contains("test") || TEST_ATTRS.iter().any(|a| text.contains(a)))
}
