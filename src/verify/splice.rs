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

/// Today's text of a test brought alone into its file as it was at the fix (`base`, empty
/// when the file did not exist there): the test's top-level item (its function, or the
/// class or module around it) replacing its namesake or appended, with what it needs that
/// `base` lacks: in Python, the top-level imports, functions, classes and assignments of
/// today's file whose names it uses (and those their own code uses); in Rust, today's
/// top-level `use` lines. `None` for other languages, or when the item is not found.
pub fn transplant(language: &str, base: &str, today: &str, item: &str, line: usize) -> Option<String> {
    match language {
        "python" => python(base, today, line),
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

fn python(base: &str, today: &str, line: usize) -> Option<String> {
    let t_lines: Vec<&str> = today.lines().collect();
    let b_lines: Vec<&str> = base.lines().collect();
    let t_blocks = python_blocks(&t_lines);
    let b_blocks = python_blocks(&b_lines);
    let idx = line.checked_sub(1)?;
    let (ts, te, t_names) = t_blocks.iter().find(|(s, e, _)| *s <= idx && idx < *e)?.clone();
    let test_text = t_lines[ts..te].join("\n");
    let defined_in_base: std::collections::HashSet<String> =
        b_blocks.iter().flat_map(|b| b.2.iter().cloned()).collect();
    // What the test needs, found in rounds: the helpers' own needs too.
    let mut needed: Vec<usize> = Vec::new();
    let mut used = python_names_used(&test_text);
    for _ in 0..4 {
        let mut grew = false;
        for (k, (s, e, names)) in t_blocks.iter().enumerate() {
            if *s == ts || needed.contains(&k) || names.is_empty() {
                continue;
            }
            let block = t_lines[*s..*e].join("\n");
            let in_base = b_lines.windows(e - s).any(|w| w.join("\n") == block);
            if in_base || !names.iter().any(|n| used.contains(n) && !defined_in_base.contains(n)) {
                continue;
            }
            needed.push(k);
            used.extend(python_names_used(&block));
            grew = true;
        }
        if !grew {
            break;
        }
    }
    needed.sort_unstable();
    let (imports, helpers): (Vec<usize>, Vec<usize>) =
        needed.into_iter().partition(|&k| is_import(&t_lines[t_blocks[k].0..t_blocks[k].1].join("\n")));
    let text_of = |k: usize| t_lines[t_blocks[k].0..t_blocks[k].1].join("\n");
    let mut out: Vec<String> = Vec::new();
    // Base up to its last top-level import, today's missing imports, the rest of base.
    let last_import = b_blocks.iter().filter(|(s, e, _)| is_import(&b_lines[*s..*e].join("\n"))).map(|b| b.1).max();
    let split = last_import.unwrap_or_else(|| {
        // After a module docstring and `from __future__`: at the first code line.
        b_blocks.first().map_or(b_lines.len(), |b| if b_lines[b.0].starts_with(['"', '\'']) { b.1 } else { b.0 })
    });
    out.extend(b_lines[..split].iter().map(|l| (*l).to_owned()));
    out.extend(imports.iter().map(|&k| text_of(k)));
    // The test's namesake in base is replaced; helpers go before it.
    let rest: Vec<&str> = b_lines[split..].to_vec();
    let namesake = b_blocks.iter().find(|(s, _, n)| *s >= split && !n.is_empty() && *n == t_names);
    match namesake {
        Some((s, e, _)) => {
            out.extend(b_lines[split..*s].iter().map(|l| (*l).to_owned()));
            out.extend(helpers.iter().map(|&k| format!("\n{}\n", text_of(k))));
            out.push(test_text);
            out.extend(b_lines[*e..].iter().map(|l| (*l).to_owned()));
        }
        None => {
            out.extend(rest.iter().map(|l| (*l).to_owned()));
            out.extend(helpers.iter().map(|&k| format!("\n{}\n", text_of(k))));
            out.push(format!("\n\n{test_text}"));
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    Some(text)
}

fn is_import(block: &str) -> bool {
    block.starts_with("import ") || block.starts_with("from ")
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
