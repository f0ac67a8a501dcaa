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

/// The byte ranges, in order, of the top-level items of `text` under `#[cfg(test)]` (or
/// any `cfg` naming `test`), their attributes included. `None` when it does not parse.
pub fn cfg_test_items(text: &str) -> Option<Vec<std::ops::Range<usize>>> {
    let file = syn::parse_file(text).ok()?;
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let offset = |lc: LineColumn| -> Option<usize> {
        let line_start = *starts.get(lc.line.checked_sub(1)?)?;
        let line = &text[line_start..];
        Some(line_start + line.char_indices().nth(lc.column).map_or(line.len(), |(i, _)| i))
    };
    let mut out = Vec::new();
    for item in &file.items {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Struct(s) => &s.attrs,
            _ => continue,
        };
        let is_test = attrs.iter().any(|a| {
            a.path().is_ident("cfg")
                && matches!(&a.meta, syn::Meta::List(l) if l.tokens.to_string().split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == "test"))
        });
        if !is_test {
            continue;
        }
        let start = attrs
            .iter()
            .map(|a| a.span().start())
            .chain([item.span().start()])
            .min_by_key(|lc| (lc.line, lc.column))?;
        out.push(offset(start)?..offset(item.span().end())?);
    }
    Some(out)
}

/// Today's text of a test brought alone to where the fix was, with what it needs. In
/// Python, a file of the test's top-level item (its function, or its class) and the
/// top-level imports, functions, classes and assignments of today's file whose names it
/// uses (and those their own code uses), nothing else: the file as the fix left it may
/// not even import any more. In Rust, the item replacing its namesake in the file as at
/// the fix (`base`, empty when the file did not exist there) or appended to it, with
/// today's top-level `use` lines it lacks. `None` for other languages, or when the item
/// is not found.
pub fn transplant(language: &str, base: &str, today: &str, item: &str, line: usize) -> Option<String> {
    match language {
        "python" => python(today, line),
        "rust" => {
            let mut out = rust(base, today, item)?;
            let missing: Vec<&str> =
                today.lines().filter(|l| l.starts_with("use ") && !base.lines().any(|b| b == *l)).collect();
            if !missing.is_empty() {
                out = format!("{}\n{out}", missing.join("\n"));
            }
            Some(out)
        }
        _ => None,
    }
}

/// A Python file's top-level statements: (first line index, end line index exclusive,
/// the name it binds, if any), decorators and comments directly above a `def` or `class`
/// belonging to it.
fn python_blocks(lines: &[&str]) -> Vec<(usize, usize, Vec<String>)> {
    let top = |l: &str| !l.is_empty() && !l.starts_with(char::is_whitespace) && !l.starts_with('#');
    let mut starts: Vec<usize> = Vec::new();
    let mut depth: i32 = 0;
    // Inside a run of decorators: the `def` or `class` they decorate is the same block.
    let mut decorating = false;
    for (i, l) in lines.iter().enumerate() {
        if depth == 0 && top(l) && !l.starts_with([')', ']', '}']) {
            let head = l.starts_with("def ") || l.starts_with("async def ") || l.starts_with("class ");
            if !decorating {
                starts.push(i);
            }
            if l.starts_with('@') {
                decorating = true;
            } else if head || !decorating {
                decorating = false;
            }
        }
        for c in l.chars() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                '#' => break,
                _ => {}
            }
        }
        depth = depth.max(0);
    }
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let mut e = starts.get(k + 1).copied().unwrap_or(lines.len());
        // Comments and blank lines just above the next block belong to it.
        while e > s + 1 && (lines[e - 1].trim().is_empty() || lines[e - 1].starts_with('#')) {
            e -= 1;
        }
        let head = lines[s..e].iter().find(|l| !l.starts_with('@')).copied().unwrap_or("");
        let names = python_binds(&lines[s..e].join("\n"), head);
        out.push((s, e, names));
    }
    out
}

/// The names a top-level statement binds: `def f`, `class C`, `x = …`, `import a.b as c`,
/// `from a import b, c as d`.
fn python_binds(block: &str, head: &str) -> Vec<String> {
    let ident = |s: &str| s.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("").to_owned();
    if let Some(rest) = head.strip_prefix("def ").or_else(|| head.strip_prefix("async def ")) {
        return vec![ident(rest.trim_start())];
    }
    if let Some(rest) = head.strip_prefix("class ") {
        return vec![ident(rest.trim_start())];
    }
    if let Some(rest) = head.strip_prefix("import ") {
        return rest
            .split(',')
            .map(|p| {
                let p = p.trim();
                match p.split_once(" as ") {
                    Some((_, alias)) => ident(alias.trim()),
                    None => ident(p),
                }
            })
            .filter(|n| !n.is_empty())
            .collect();
    }
    if head.starts_with("from ") {
        let Some((_, names)) = block.split_once(" import ") else { return Vec::new() };
        return names
            .replace(['(', ')', '\n', '\\'], " ")
            .split(',')
            .map(|p| {
                let p = p.split('#').next().unwrap_or("").trim();
                match p.split_once(" as ") {
                    Some((_, alias)) => ident(alias.trim()),
                    None => ident(p),
                }
            })
            .filter(|n| !n.is_empty() && n != "*")
            .collect();
    }
    if let Some((target, _)) = head.split_once('=')
        && !target.contains(['(', '[', '.'])
        && !head.starts_with("if ")
    {
        return target
            .split(',')
            .map(|t| ident(t.trim().trim_end_matches(':').split(':').next().unwrap_or("")))
            .filter(|n| !n.is_empty())
            .collect();
    }
    Vec::new()
}

fn python_names_used(text: &str) -> std::collections::HashSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

fn python(today: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = today.lines().collect();
    let blocks = python_blocks(&lines);
    let idx = line.checked_sub(1)?;
    let test = blocks.iter().position(|(s, e, _)| *s <= idx && idx < *e)?;
    let text_of = |k: usize| lines[blocks[k].0..blocks[k].1].join("\n");
    // What the test needs, found in rounds: the helpers' own needs too.
    let mut keep = vec![test];
    let mut used = python_names_used(&text_of(test));
    for _ in 0..8 {
        let mut grew = false;
        for (k, (_, _, names)) in blocks.iter().enumerate() {
            if keep.contains(&k) || !names.iter().any(|n| used.contains(n)) {
                continue;
            }
            keep.push(k);
            used.extend(python_names_used(&text_of(k)));
            grew = true;
        }
        if !grew {
            break;
        }
    }
    // `from __future__` imports change how the rest is read, and must come first.
    keep.extend((0..blocks.len()).filter(|&k| text_of(k).starts_with("from __future__")));
    keep.sort_unstable();
    keep.dedup();
    let mut text = keep.iter().map(|&k| text_of(k)).collect::<Vec<_>>().join("\n\n");
    text.push('\n');
    Some(text)
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

    #[test]
    fn a_python_test_is_transplanted_with_the_imports_and_helpers_it_uses_and_nothing_else() {
        let today = "from __future__ import annotations\nimport os\nfrom shop.backoff import backoff\nfrom shop.retry import (\n    retries,\n    limit,\n)\n\nLIMIT = 3\n\n\ndef helper():\n    return LIMIT\n\n\n@pytest.mark.incident(\"INC-1\")\ndef test_capped():\n    assert retries(10) == helper()\n\n\ndef test_other():\n    assert backoff() == 2\n";
        let line = today.lines().position(|l| l.starts_with("def test_capped")).unwrap() + 1;
        let out = transplant("python", "", today, "test_capped", line).unwrap();
        assert_eq!(
            out,
            "from __future__ import annotations\n\nfrom shop.retry import (\n    retries,\n    limit,\n)\n\nLIMIT = 3\n\ndef helper():\n    return LIMIT\n\n@pytest.mark.incident(\"INC-1\")\ndef test_capped():\n    assert retries(10) == helper()\n"
        );
    }
}
