//! A Rust test often stands in the file it tests (`mod tests` at the bottom of
//! `src/pool.rs`), and the fix changed that file too: bringing the whole file from the
//! fix commit would bring the fix with it, and the test would pass "without" the fix.
//! So for a test in a file of code, only the test's part of the file is brought: the
//! outermost inline module around it (usually `mod tests`), or the test function itself
//! when it stands at the file's top level. It replaces its namesake in the file as it was
//! without the fix, or is appended to it.

use proc_macro2::LineColumn;
use syn::spanned::Spanned as _;

/// `without` (the file before the fix) with the item named `item` (a module or function
/// at the top level) taken from `with` (the file at the fix). `None` when `with` has no
/// such item or either text does not parse.
pub fn rust(without: &str, with: &str, item: &str) -> Option<String> {
    let from = item_range(with, item)?;
    let piece = &with[from];
    let lexed = crate::scan::rust_lex::lex(without);
    let target = if without.is_empty() {
        None
    } else {
        crate::scan::rust::on_parser_stack(&lexed, || item_range(without, item)).ok()?
    };
    Some(match target {
        Some(range) => format!("{}{piece}{}", &without[..range.start], &without[range.end..]),
        None => {
            let sep = if without.is_empty() || without.ends_with('\n') { "" } else { "\n" };
            format!("{without}{sep}\n{piece}\n")
        }
    })
}

/// The bytes of the top-level module or function named `name`, its attributes and doc
/// comments included.
fn item_range(text: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let file = syn::parse_file(text).ok()?;
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let offset = |lc: LineColumn| -> Option<usize> {
        let line_start = *starts.get(lc.line.checked_sub(1)?)?;
        let line = &text[line_start..];
        Some(line_start + line.char_indices().nth(lc.column).map_or(line.len(), |(i, _)| i))
    };
    for item in &file.items {
        let (ident, attrs) = match item {
            syn::Item::Mod(m) => (&m.ident, &m.attrs),
            syn::Item::Fn(f) => (&f.sig.ident, &f.attrs),
            _ => continue,
        };
        if ident != name {
            continue;
        }
        let start = attrs
            .iter()
            .map(|a| a.span().start())
            .chain([item.span().start()])
            .min_by_key(|lc| (lc.line, lc.column))?;
        return Some(offset(start)?..offset(item.span().end())?);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_module_replaces_its_namesake_and_leaves_the_code_as_it_was() {
        let without = "pub fn retry() -> u32 { 1 }\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn old() {}\n}\n";
        let with = "pub fn retry() -> u32 { 2 }\n\n/// Tests.\n#[cfg(test)]\nmod tests {\n    // incident: INC-1\n    #[test]\n    fn once() { assert_eq!(super::retry(), 2); }\n}\n";
        let spliced = rust(without, with, "tests").unwrap();
        assert_eq!(
            spliced,
            "pub fn retry() -> u32 { 1 }\n\n/// Tests.\n#[cfg(test)]\nmod tests {\n    // incident: INC-1\n    #[test]\n    fn once() { assert_eq!(super::retry(), 2); }\n}\n"
        );
        // No test module without the fix: appended.
        let spliced = rust("pub fn retry() -> u32 { 1 }", with, "tests").unwrap();
        assert!(
            spliced.starts_with("pub fn retry() -> u32 { 1 }\n\n/// Tests.\n#[cfg(test)]\nmod tests {"),
            "{spliced}"
        );
        assert_eq!(rust(without, with, "nothing"), None);
    }
}
