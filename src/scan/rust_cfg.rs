//! `#[cfg(…)]` and `#[cfg_attr(…, ignore)]` decide whether a Rust test is compiled and
//! run at all, and a hostile change can hide a test behind one (`#[cfg(any())]` never
//! holds). What the source alone can decide is decided here: `any()`, `all()`, `not`,
//! and `test` (true: tests are built with `cfg(test)`). Everything else (`unix`,
//! `feature = "x"`, `miri`, …) depends on how CI builds, and is reported as a condition.

use super::Skip;
use crate::finding::Location;
use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Meta, Token};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    Always,
    Never,
    Depends,
}

/// The value of a cfg predicate, as far as the source decides it.
pub fn truth(meta: &Meta) -> Truth {
    match meta {
        Meta::Path(p) if p.is_ident("test") => Truth::Always,
        Meta::List(list) => {
            let Ok(args) = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) else {
                return Truth::Depends;
            };
            let values: Vec<Truth> = args.iter().map(truth).collect();
            let name = list.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            match name.as_str() {
                "any" if values.contains(&Truth::Always) => Truth::Always,
                "any" if values.iter().all(|v| *v == Truth::Never) => Truth::Never,
                "all" if values.contains(&Truth::Never) => Truth::Never,
                "all" if values.iter().all(|v| *v == Truth::Always) => Truth::Always,
                "not" if values.len() == 1 => match values[0] {
                    Truth::Always => Truth::Never,
                    Truth::Never => Truth::Always,
                    Truth::Depends => Truth::Depends,
                },
                _ => Truth::Depends,
            }
        }
        _ => Truth::Depends,
    }
}

/// A condition on whether a test runs: whether it does, and the attribute that says so.
#[derive(Clone, Debug)]
pub struct Cond {
    pub runs: Truth,
    pub skip: Skip,
}

/// Where a piece of a file that `syn` parsed on its own stands in the file: `syn` numbers
/// the piece's lines from 1 and its columns from 0. The file's own lines are `lines + 1…`,
/// and columns on the piece's first line are `column` further right.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shift {
    pub lines: usize,
    pub column: usize,
}

impl Shift {
    /// The 1-based line and 0-based column, in the file, of a place in the piece.
    pub fn at(self, lc: proc_macro2::LineColumn) -> (usize, usize) {
        (lc.line + self.lines, if lc.line == 1 { lc.column + self.column } else { lc.column })
    }
}

/// The source text of an attribute when it stands on one line, else empty. `lines` are
/// the file's (`str::lines`), collected once per file: finding the line again for each
/// attribute took time quadratic in a file of many.
fn source(lines: &[&str], span: Span, shift: Shift) -> String {
    let ((line, start), (end_line, end)) = (shift.at(span.start()), shift.at(span.end()));
    if line != end_line {
        return String::new();
    }
    let text = lines.get(line.wrapping_sub(1)).copied().unwrap_or("");
    text.chars().skip(start).take(end.saturating_sub(start)).take(120).collect()
}

/// The conditions that `attrs` put on running the item they stand on: `#[cfg(p)]` (runs
/// when `p`), `#[cfg_attr(p, ignore)]` (runs unless `p`), `#[cfg_attr(p, test)]` (a
/// test only when `p`), and `#[rustversion::attr(p, ignore)]`. `on` names the item for
/// conditions inherited from a module (`mod tests`), empty for the test itself. `lines`
/// are the file's lines, for quoting the attributes; each attribute comes with where it
/// stands in them.
pub fn conditions<'a>(
    path: &str,
    lines: &[&str],
    attrs: impl IntoIterator<Item = (&'a syn::Attribute, Shift)>,
    on: &str,
) -> Vec<Cond> {
    let mut out = Vec::new();
    for (attr, shift) in attrs {
        let name = attr.path().segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::");
        // Before anything else, since most attributes are none of these: every `///` and
        // `//!` line is a `doc` attribute, and quoting each took time quadratic in a file
        // of doc comments.
        if !matches!(name.as_str(), "cfg" | "cfg_attr" | "rustversion::attr") {
            continue;
        }
        let quoted = {
            let s = source(lines, attr.span(), shift);
            let s = match (&attr.meta, s.is_empty()) {
                (Meta::List(list), true) => format!("#[{name}({})]", list.tokens),
                (_, true) => format!("#[{name}]"),
                _ => s,
            };
            let s = crate::finding::code(&s);
            if on.is_empty() { s } else { format!("{s} on {}", crate::finding::code(on)) }
        };
        let (line, column) = shift.at(attr.span().start());
        let loc = Location {
            path: path.to_owned(),
            line,
            column: column + 1,
            len: quoted.chars().count().saturating_sub(2).max(1),
        };
        let (runs, never) = match name.as_str() {
            "cfg" => match attr.parse_args::<Meta>() {
                Ok(pred) => (truth(&pred), "which never holds, so it is compiled out"),
                Err(_) => (Truth::Depends, ""),
            },
            "cfg_attr" | "rustversion::attr" => {
                let Ok(args) = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) else {
                    continue;
                };
                let mut args = args.into_iter();
                let Some(pred) = args.next() else { continue };
                let applied: Vec<Meta> = args.collect();
                let pred = if name == "cfg_attr" { truth(&pred) } else { Truth::Depends };
                if applied.iter().any(|m| m.path().is_ident("ignore")) {
                    // Ignored when the predicate holds.
                    let runs = match pred {
                        Truth::Always => Truth::Never,
                        Truth::Never => continue,
                        Truth::Depends => Truth::Depends,
                    };
                    (runs, "whose condition always holds, so it is always ignored")
                } else if applied.iter().any(|m| super::rust_attrs::is_test_attr(m.path())) {
                    // A test only when the predicate holds.
                    (pred, "whose condition never holds, so it is never a test")
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        if runs == Truth::Always {
            continue;
        }
        let what = if runs == Truth::Never { format!("{quoted}, {never}") } else { quoted };
        out.push(Cond { runs, skip: Skip::new(loc, what) });
    }
    out
}

/// What a list of conditions means for a test: the first that never lets it run makes it
/// ignored; otherwise the ones that depend on the build make it conditional.
pub fn resolve(conds: &[Cond]) -> (Option<Skip>, Option<Skip>) {
    if let Some(never) = conds.iter().find(|c| c.runs == Truth::Never) {
        return (Some(never.skip.clone()), None);
    }
    let depends: Vec<&Cond> = conds.iter().filter(|c| c.runs == Truth::Depends).collect();
    let Some(first) = depends.first() else { return (None, None) };
    let what = depends.iter().map(|c| c.skip.what.as_str()).collect::<Vec<_>>().join(" and ");
    (None, Some(Skip::new(first.skip.loc.clone(), what)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(pred: &str) -> Truth {
        truth(&syn::parse_str::<Meta>(pred).unwrap())
    }

    #[test]
    fn decides_what_the_source_decides() {
        assert_eq!(t("any()"), Truth::Never);
        assert_eq!(t("all()"), Truth::Always);
        assert_eq!(t("not(any())"), Truth::Always);
        assert_eq!(t("not(all())"), Truth::Never);
        assert_eq!(t("test"), Truth::Always);
        assert_eq!(t("not(test)"), Truth::Never);
        assert_eq!(t("all(test, any())"), Truth::Never);
        assert_eq!(t("any(unix, all())"), Truth::Always);
        assert_eq!(t("windows"), Truth::Depends);
        assert_eq!(t("feature = \"x\""), Truth::Depends);
        assert_eq!(t("all(test, unix)"), Truth::Depends);
        assert_eq!(t("any(any(), windows)"), Truth::Depends);
    }
}
