//! `#[cfg(…)]` and `#[cfg_attr(…, ignore)]` decide whether a Rust test is compiled and
//! run at all, and a hostile change can hide a test behind one (`#[cfg(any())]` never
//! holds, nor does `all(unix, not(unix))`). A predicate is read into an expression over
//! its atoms (`unix`, `target_os = "linux"`, `feature = "x"`, `loom`), and decided by
//! trying every assignment of its atoms that a real build can have: `target_os` takes one
//! value, `unix` and `windows` exclude each other, `target_os = "linux"` implies `unix`,
//! `test` holds (tests are built with `cfg(test)`), and an ordinary build is not Miri's.
//! What the source alone cannot decide is a condition; the crate's manifest and its CI
//! may decide it later (`reach::rust_features`, `reach::ci`).

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

/// One cfg atom: `unix` (`key` only) or `target_os = "linux"` (`key` and `value`). A
/// predicate this module does not read (`version("1.80")`) is an atom of its own text,
/// which nothing fixes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom {
    pub key: String,
    pub value: Option<String>,
}

impl Atom {
    pub fn name(key: &str) -> Atom {
        Atom { key: key.to_owned(), value: None }
    }

    pub fn pair(key: &str, value: &str) -> Atom {
        Atom { key: key.to_owned(), value: Some(value.to_owned()) }
    }

    /// As written in a cfg: `unix`, `feature = "x"`.
    pub fn show(&self) -> String {
        match &self.value {
            Some(v) => format!("{} = \"{v}\"", self.key),
            None => self.key.clone(),
        }
    }

    /// `unix` is `target_family = "unix"`, `windows` is `target_family = "windows"`.
    fn normal(&self) -> Atom {
        match (self.key.as_str(), &self.value) {
            ("unix" | "windows", None) => Atom::pair("target_family", &self.key),
            _ => self.clone(),
        }
    }
}

/// A cfg predicate.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Expr {
    All(Vec<Expr>),
    Any(Vec<Expr>),
    Not(Box<Expr>),
    Atom(Atom),
}

impl Expr {
    /// The predicate `meta` states (the inside of `cfg(…)`).
    pub fn from_meta(meta: &Meta) -> Expr {
        let opaque = || {
            use quote::ToTokens;
            Expr::Atom(Atom::name(&meta.to_token_stream().to_string()))
        };
        match meta {
            Meta::Path(p) => match p.get_ident() {
                Some(i) => Expr::Atom(Atom::name(&i.to_string())),
                None => opaque(),
            },
            Meta::NameValue(nv) => match (nv.path.get_ident(), &nv.value) {
                (Some(key), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })) => {
                    Expr::Atom(Atom::pair(&key.to_string(), &s.value()))
                }
                _ => opaque(),
            },
            Meta::List(list) => {
                let Ok(args) = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) else {
                    return opaque();
                };
                let name = list.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
                let args: Vec<Expr> = args.iter().map(Expr::from_meta).collect();
                match name.as_str() {
                    "all" => Expr::All(args),
                    "any" => Expr::Any(args),
                    "not" if args.len() == 1 => {
                        Expr::Not(Box::new(args.into_iter().next().unwrap_or(Expr::All(vec![]))))
                    }
                    _ => opaque(),
                }
            }
        }
    }

    pub fn parse(pred: &str) -> Option<Expr> {
        syn::parse_str::<Meta>(pred).ok().map(|m| Expr::from_meta(&m))
    }

    pub fn negate(e: Expr) -> Expr {
        Expr::Not(Box::new(e))
    }

    /// The atoms in it, each once, in order.
    pub fn atoms(&self) -> Vec<Atom> {
        let mut out: Vec<Atom> = Vec::new();
        let mut work = vec![self];
        while let Some(e) = work.pop() {
            match e {
                Expr::All(v) | Expr::Any(v) => work.extend(v.iter().rev()),
                Expr::Not(e) => work.push(e),
                Expr::Atom(a) => {
                    if !out.contains(a) {
                        out.push(a.clone());
                    }
                }
            }
        }
        out
    }

    fn eval(&self, value: &dyn Fn(&Atom) -> bool) -> bool {
        match self {
            Expr::All(v) => v.iter().all(|e| e.eval(value)),
            Expr::Any(v) => v.iter().any(|e| e.eval(value)),
            Expr::Not(e) => !e.eval(value),
            Expr::Atom(a) => value(a),
        }
    }

    /// The three-valued reading of the structure alone (`any()`, `all()`, `not`, the
    /// fixed atoms): sound, and what is left when there are too many atoms to try.
    fn structural(&self, fixed: &dyn Fn(&Atom) -> Option<bool>) -> Truth {
        let of = |b: bool| if b { Truth::Always } else { Truth::Never };
        match self {
            Expr::Atom(a) => fixed(a).map_or(Truth::Depends, of),
            Expr::Not(e) => match e.structural(fixed) {
                Truth::Always => Truth::Never,
                Truth::Never => Truth::Always,
                Truth::Depends => Truth::Depends,
            },
            Expr::All(v) => {
                let t: Vec<Truth> = v.iter().map(|e| e.structural(fixed)).collect();
                if t.contains(&Truth::Never) {
                    Truth::Never
                } else if t.iter().all(|t| *t == Truth::Always) {
                    Truth::Always
                } else {
                    Truth::Depends
                }
            }
            Expr::Any(v) => {
                let t: Vec<Truth> = v.iter().map(|e| e.structural(fixed)).collect();
                if t.contains(&Truth::Always) {
                    Truth::Always
                } else if t.iter().all(|t| *t == Truth::Never) {
                    Truth::Never
                } else {
                    Truth::Depends
                }
            }
        }
    }
}

/// How many free atoms are tried, all assignments of them: 2¹⁶ evaluations at most.
const MAX_ATOMS: usize = 16;

/// Keys that take one value in a build.
const SINGLE_VALUED: &[&str] = &[
    "target_os",
    "target_arch",
    "target_env",
    "target_pointer_width",
    "target_endian",
    "target_vendor",
    "panic",
    "target_abi",
];

/// The `target_os` values of unix targets (`target_family = "unix"`).
const UNIX_OS: &[&str] = &[
    "linux",
    "macos",
    "ios",
    "tvos",
    "watchos",
    "visionos",
    "android",
    "freebsd",
    "netbsd",
    "openbsd",
    "dragonfly",
    "solaris",
    "illumos",
    "haiku",
    "fuchsia",
    "redox",
    "aix",
    "hurd",
    "nto",
    "espidf",
    "horizon",
    "vita",
    "emscripten",
    "l4re",
    "nuttx",
    "cygwin",
];

/// Whether an assignment of normalised atoms is one some real build has.
fn consistent(atoms: &[Atom], value: &[bool]) -> bool {
    let is = |key: &str, v: &str| {
        atoms.iter().zip(value).find(|(a, _)| a.key == key && a.value.as_deref() == Some(v)).map(|(_, b)| *b)
    };
    for key in SINGLE_VALUED {
        if atoms.iter().zip(value).filter(|(a, b)| **b && a.key == *key && a.value.is_some()).count() > 1 {
            return false;
        }
    }
    if is("target_endian", "little") == Some(false) && is("target_endian", "big") == Some(false) {
        return false;
    }
    // `windows` excludes every other family; `unix` and `wasm` go together (emscripten).
    if is("target_family", "windows") == Some(true)
        && atoms.iter().zip(value).any(|(a, b)| *b && a.key == "target_family" && a.value.as_deref() != Some("windows"))
    {
        return false;
    }
    for (a, b) in atoms.iter().zip(value) {
        if !*b {
            continue;
        }
        let family = match (a.key.as_str(), a.value.as_deref()) {
            ("target_os", Some(os)) if UNIX_OS.contains(&os) => "unix",
            ("target_os", Some("windows")) | ("target_env", Some("msvc")) => "windows",
            ("target_vendor", Some("apple")) => "unix",
            _ => continue,
        };
        let other = if family == "unix" { "windows" } else { "unix" };
        if is("target_family", family) == Some(false) || is("target_family", other) == Some(true) {
            return false;
        }
    }
    true
}

/// Whether `expr` can hold and whether it can fail, over the builds in which `fixed`
/// holds (an atom it fixes has that value; the others take every value a real build
/// allows). `None` when there are too many free atoms to try.
pub fn possible(expr: &Expr, fixed: &dyn Fn(&Atom) -> Option<bool>) -> Option<(bool, bool)> {
    let atoms = expr.atoms();
    let normal: Vec<Atom> = atoms.iter().map(Atom::normal).collect();
    let mut distinct: Vec<Atom> = normal.clone();
    distinct.sort();
    distinct.dedup();
    let fixed_of: Vec<Option<bool>> = distinct.iter().map(fixed).collect();
    let free: Vec<usize> = (0..distinct.len()).filter(|&i| fixed_of[i].is_none()).collect();
    if free.len() > MAX_ATOMS {
        return None;
    }
    let (mut holds, mut fails) = (false, false);
    let mut value: Vec<bool> = fixed_of.iter().map(|v| v.unwrap_or(false)).collect();
    for bits in 0u32..(1u32 << free.len()) {
        for (n, &i) in free.iter().enumerate() {
            value[i] = bits & (1 << n) != 0;
        }
        if !consistent(&distinct, &value) {
            continue;
        }
        let at = |a: &Atom| {
            let n = a.normal();
            distinct.iter().position(|d| *d == n).is_some_and(|i| value[i])
        };
        if expr.eval(&at) {
            holds = true;
        } else {
            fails = true;
        }
        if holds && fails {
            break;
        }
    }
    Some((holds, fails))
}

/// What a world of builds fixes: in every build considered (`any`), and in every
/// ordinary one, a plain `cargo test` (`ordinary`). `reason` says why an atom is fixed,
/// for messages ("the package declares no feature `x`").
pub trait World {
    fn any(&self, atom: &Atom) -> Option<bool>;
    fn ordinary(&self, atom: &Atom) -> Option<bool>;
    fn reason(&self, _atom: &Atom) -> Option<String> {
        None
    }
}

/// What the source alone decides: tests are built with `cfg(test)`; an ordinary build
/// is not Miri's and not rustdoc's.
pub struct SourceOnly;

impl World for SourceOnly {
    fn any(&self, atom: &Atom) -> Option<bool> {
        source_fact(atom, false)
    }
    fn ordinary(&self, atom: &Atom) -> Option<bool> {
        source_fact(atom, true)
    }
}

/// The facts of every test build; `ordinary` adds those of a plain `cargo test`.
pub fn source_fact(atom: &Atom, ordinary: bool) -> Option<bool> {
    match (atom.key.as_str(), &atom.value) {
        ("test", None) => Some(true),
        ("miri" | "doc" | "doctest", None) if ordinary => Some(false),
        _ => None,
    }
}

/// Whether `expr` always holds, never does, or depends on the build, in `world`.
pub fn decide(expr: &Expr, world: &dyn World) -> Truth {
    let any = |a: &Atom| world.any(a);
    let ordinary = |a: &Atom| world.ordinary(a).or_else(|| world.any(a));
    match (possible(expr, &any), possible(expr, &ordinary)) {
        (Some((false, _)), _) => Truth::Never,
        (_, Some((true, false))) => Truth::Always,
        (Some(_), Some(_)) => Truth::Depends,
        _ => match expr.structural(&any) {
            Truth::Never => Truth::Never,
            _ if expr.structural(&ordinary) == Truth::Always => Truth::Always,
            _ => Truth::Depends,
        },
    }
}

/// The value of a cfg predicate, as far as the source decides it.
pub fn truth(meta: &Meta) -> Truth {
    decide(&Expr::from_meta(meta), &SourceOnly)
}

/// A condition on whether a test runs: whether it does, and the attribute that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cond {
    pub runs: Truth,
    pub skip: Skip,
    /// The predicate under which it runs (`p` for `#[cfg(p)]`, `not(p)` for
    /// `#[cfg_attr(p, ignore)]`), when it is a cfg predicate that could be read: the
    /// manifest and CI may decide it later.
    pub expr: Option<Expr>,
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
/// stands in them. A condition that holds in every ordinary build (`cfg(not(miri))`,
/// `cfg_attr(miri, ignore)`) is none.
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
        let (expr, never) = match name.as_str() {
            "cfg" => match attr.parse_args::<Meta>() {
                Ok(pred) => (Some(Expr::from_meta(&pred)), "which never holds, so it is compiled out"),
                Err(_) => (None, ""),
            },
            "cfg_attr" | "rustversion::attr" => {
                let Ok(args) = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) else {
                    continue;
                };
                let mut args = args.into_iter();
                let Some(pred) = args.next() else { continue };
                let applied: Vec<Meta> = args.collect();
                // rustversion's predicates are about the compiler, not cfg.
                let pred = (name == "cfg_attr").then(|| Expr::from_meta(&pred));
                if applied.iter().any(|m| m.path().is_ident("ignore")) {
                    // Ignored when the predicate holds.
                    (pred.map(Expr::negate), "whose condition always holds, so it is always ignored")
                } else if applied.iter().any(|m| super::rust_attrs::is_test_attr(m.path())) {
                    // A test only when the predicate holds.
                    (pred, "whose condition never holds, so it is never a test")
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        let runs = expr.as_ref().map_or(Truth::Depends, |e| decide(e, &SourceOnly));
        if runs == Truth::Always {
            continue;
        }
        let what = if runs == Truth::Never { format!("{quoted}, {never}") } else { quoted };
        out.push(Cond { runs, skip: Skip::new(loc, what), expr });
    }
    out
}

/// What a list of conditions decides in a world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Every condition holds in every ordinary build: it runs.
    Runs,
    /// They never hold together: it never runs.
    Never(Skip),
    /// It runs only under these conditions.
    Depends(Skip),
}

/// What a list of conditions means for a test: the first that never lets it run makes it
/// ignored, and so do conditions that never hold together (`#[cfg(unix)] mod m` around
/// `#[cfg(windows)] fn t`); otherwise the ones that depend on the build make it
/// conditional. The `Depends` skip carries the conditions (`Skip::cfg`), for the
/// manifest and CI to decide.
pub fn resolve_in(conds: &[Cond], world: &dyn World) -> Resolved {
    let truth = |c: &Cond| c.expr.as_ref().map_or(c.runs, |e| decide(e, world));
    let truths: Vec<Truth> = conds.iter().map(truth).collect();
    if let Some(i) = truths.iter().position(|t| *t == Truth::Never) {
        let c = &conds[i];
        let mut skip = c.skip.clone();
        if c.runs != Truth::Never {
            // Decided by the world, not the source: say why.
            let reasons = reasons(c.expr.iter(), world);
            skip.what = format!("{}, which never holds{reasons}", skip.what);
        }
        return Resolved::Never(skip);
    }
    let depends: Vec<&Cond> =
        conds.iter().zip(&truths).filter(|(_, t)| **t == Truth::Depends).map(|(c, _)| c).collect();
    let Some(first) = depends.first() else { return Resolved::Runs };
    let what = depends.iter().map(|c| c.skip.what.as_str()).collect::<Vec<_>>().join(" and ");
    if depends.len() > 1 && depends.iter().all(|c| c.expr.is_some()) {
        let all = Expr::All(depends.iter().filter_map(|c| c.expr.clone()).collect());
        if decide(&all, world) == Truth::Never {
            let last = depends.last().unwrap_or(first);
            let reasons = reasons(depends.iter().filter_map(|c| c.expr.as_ref()), world);
            return Resolved::Never(Skip::new(
                last.skip.loc.clone(),
                format!("{what}, which never hold together{reasons}"),
            ));
        }
    }
    let mut skip = Skip::new(first.skip.loc.clone(), what);
    skip.cfg = depends.into_iter().cloned().collect();
    Resolved::Depends(skip)
}

/// The conditions under which something is there when any of `alternatives` (each a
/// list of conditions that must all hold) lets it be: none when one alternative has none;
/// the alternative itself when there is one; else one condition, their `any`, when each
/// is a readable cfg (else the first alternative, as before).
pub fn either(mut alternatives: Vec<Vec<Cond>>) -> Vec<Cond> {
    if alternatives.len() <= 1 || alternatives.iter().any(Vec::is_empty) {
        return if alternatives.iter().any(Vec::is_empty) {
            Vec::new()
        } else {
            alternatives.pop().unwrap_or_default()
        };
    }
    let exprs: Option<Vec<Expr>> = alternatives
        .iter()
        .map(|alt| alt.iter().map(|c| c.expr.clone()).collect::<Option<Vec<_>>>().map(Expr::All))
        .collect();
    let Some(exprs) = exprs else { return alternatives.swap_remove(0) };
    let expr = Expr::Any(exprs);
    let runs = decide(&expr, &SourceOnly);
    if runs == Truth::Always {
        return Vec::new();
    }
    let what: Vec<String> = alternatives
        .iter()
        .map(|alt| alt.iter().map(|c| c.skip.what.as_str()).collect::<Vec<_>>().join(" and "))
        .collect();
    let loc = alternatives[0][0].skip.loc.clone();
    vec![Cond { runs, skip: Skip::new(loc, format!("either {}", what.join(" or "))), expr: Some(expr) }]
}

/// The world's reasons for the atoms of `exprs`, as a clause: " (the package declares no
/// feature `x`)".
fn reasons<'a>(exprs: impl Iterator<Item = &'a Expr>, world: &dyn World) -> String {
    let mut out: Vec<String> = Vec::new();
    for e in exprs {
        for a in e.atoms() {
            if let Some(r) = world.reason(&a.normal())
                && !out.contains(&r)
            {
                out.push(r);
            }
        }
    }
    if out.is_empty() { String::new() } else { format!(" ({})", out.join("; ")) }
}

/// `resolve_in` with what the source alone decides: the conditions that never let the
/// test run, or else those it runs under.
pub fn resolve(conds: &[Cond]) -> (Option<Skip>, Option<Skip>) {
    match resolve_in(conds, &SourceOnly) {
        Resolved::Runs => (None, None),
        Resolved::Never(s) => (Some(s), None),
        Resolved::Depends(s) => (None, Some(s)),
    }
}

/// A `macro_rules!` that wraps the items given to it in one cfg, as tokio's
/// `cfg_loom! { mod loom_blocking; }` does (`($($item:item)*) => { $( #[cfg(loom)] $item )* }`):
/// its name and the cfg's predicate, as written. `text` is the whole `macro_rules!` item.
/// Only a macro that takes items and whose every `#[cfg(…)]` is the same one is such a
/// macro; its items hold only where the predicate does.
pub fn wrapping_macro(text: &str) -> Option<(String, String)> {
    let rest = text.split_once("macro_rules")?.1.trim_start().strip_prefix('!')?.trim_start();
    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    let body = &rest[name.len()..];
    if name.is_empty() || !body.contains(":item") {
        return None;
    }
    let mut preds: Vec<String> = Vec::new();
    let mut at = 0;
    while let Some(found) = body[at..].find("#[cfg(") {
        let start = at + found + "#[cfg(".len();
        // The predicate: up to the parenthesis that closes `cfg(`.
        let mut depth = 1usize;
        let end = body[start..].char_indices().find_map(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(start + i)
        })?;
        let pred: String = body[start..end].chars().filter(|c| !c.is_whitespace()).collect();
        if pred.contains('$') {
            return None;
        }
        preds.push(pred);
        at = end;
    }
    let first = preds.first()?.clone();
    preds.iter().all(|p| *p == first).then(|| (name, pretty(&first)))
}

/// For each `macro_rules! name` in a file's text: the cfg it wraps its items in, or
/// `None` when it is no such macro.
pub fn find_wrapping_macros(text: &str, name: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("macro_rules!") {
        let rest = text[at + "macro_rules!".len()..].trim_start();
        let Some(after) = rest.strip_prefix(name) else { continue };
        if after.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        // The macro's group: from its first bracket to the one that closes it.
        let Some(open) = after.find(['{', '(', '[']) else { continue };
        let mut depth = 0usize;
        let close = after[open..].char_indices().find_map(|(i, c)| {
            match c {
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            (depth == 0).then_some(open + i + 1)
        });
        let Some(close) = close else { continue };
        let item = format!("macro_rules! {name} {}", &after[open..close]);
        out.push(wrapping_macro(&item).map(|(_, pred)| pred));
    }
    out
}

/// A predicate read back with `syn`'s spacing removed where it reads better:
/// `not(loom)`, `feature = "rt"`.
fn pretty(pred: &str) -> String {
    pred.replace('=', " = ").replace(',', ", ")
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

    // incident: IG-2026-013
    #[test]
    fn impossible_conditions_were_conditional() {
        for never in [
            "all(unix, not(unix))",
            "all(target_os = \"linux\", target_os = \"windows\")",
            "all(unix, windows)",
            "all(target_os = \"linux\", windows)",
            "all(target_os = \"windows\", not(windows))",
            "all(target_os = \"macos\", target_family = \"windows\")",
            "all(target_pointer_width = \"32\", target_pointer_width = \"64\")",
            "all(target_endian = \"big\", target_endian = \"little\")",
            "all(not(target_endian = \"big\"), not(target_endian = \"little\"))",
            "all(panic = \"abort\", panic = \"unwind\")",
            "all(target_env = \"msvc\", unix)",
            "any(all(unix, windows), all(feature = \"a\", not(feature = \"a\")))",
        ] {
            assert_eq!(t(never), Truth::Never, "{never}");
        }
        for depends in [
            "all(unix, target_os = \"linux\")",
            "any(target_os = \"linux\", target_os = \"windows\")",
            "all(unix, target_family = \"wasm\")",
            "not(all(unix, feature = \"x\"))",
            "miri",
            "loom",
        ] {
            assert_eq!(t(depends), Truth::Depends, "{depends}");
        }
        // True in every ordinary build.
        for always in ["not(miri)", "any(unix, not(unix))", "not(all(unix, windows))", "not(doc)"] {
            assert_eq!(t(always), Truth::Always, "{always}");
        }
    }

    #[test]
    fn too_many_atoms_fall_back_to_the_structure() {
        let many: Vec<String> = (0..20).map(|i| format!("feature = \"f{i}\"")).collect();
        assert_eq!(t(&format!("any({})", many.join(", "))), Truth::Depends);
        assert_eq!(t(&format!("all(any(), {})", many.join(", "))), Truth::Never);
        assert_eq!(t(&format!("any(all(), {})", many.join(", "))), Truth::Always);
    }

    fn conds(src: &str) -> Vec<Cond> {
        let file = syn::parse_file(src).unwrap();
        let lines: Vec<&str> = src.lines().collect();
        let syn::Item::Fn(f) = &file.items[0] else { panic!() };
        conditions("src/lib.rs", &lines, f.attrs.iter().map(|a| (a, Shift::default())), "")
    }

    #[test]
    fn conditions_true_in_every_ordinary_build_are_none() {
        assert!(conds("#[cfg(not(miri))]\n#[cfg_attr(miri, ignore)]\n#[test]\nfn t() {}\n").is_empty());
        let c = conds("#[cfg_attr(unix, ignore)]\n#[test]\nfn t() {}\n");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].expr, Expr::parse("not(unix)"));
    }

    #[test]
    fn conditions_that_never_hold_together() {
        let c = conds("#[cfg(unix)]\n#[cfg(windows)]\n#[test]\nfn t() {}\n");
        let (never, depends) = resolve(&c);
        assert!(depends.is_none());
        let never = never.unwrap();
        assert_eq!(never.loc.line, 2);
        assert!(never.what.contains("which never hold together"), "{}", never.what);
        let c = conds("#[cfg(unix)]\n#[cfg_attr(unix, ignore)]\n#[test]\nfn t() {}\n");
        assert!(resolve(&c).0.is_some());
        let c = conds("#[cfg(unix)]\n#[cfg_attr(windows, ignore)]\n#[test]\nfn t() {}\n");
        let (never, depends) = resolve(&c);
        assert!(never.is_none());
        let depends = depends.unwrap();
        assert_eq!(depends.cfg.len(), 2);
        assert_eq!(depends.what, "`#[cfg(unix)]` and `#[cfg_attr(windows, ignore)]`");
    }

    #[test]
    fn macros_that_wrap_items_in_a_cfg() {
        // tokio/src/macros/cfg.rs
        let loom = "macro_rules! cfg_loom {\n    ($($item:item)*) => {\n        $( #[cfg(loom)] $item )*\n    }\n}";
        assert_eq!(wrapping_macro(loom), Some(("cfg_loom".into(), "loom".into())));
        let rt = "macro_rules! cfg_rt {\n    ($($item:item)*) => {\n        $(\n            #[cfg(feature = \"rt\")]\n            #[cfg_attr(docsrs, doc(cfg(feature = \"rt\")))]\n            $item\n        )*\n    }\n}";
        assert_eq!(wrapping_macro(rt), Some(("cfg_rt".into(), "feature = \"rt\"".into())));
        // Two different cfgs, a cfg from the caller, or no items: not such a macro.
        let two = "macro_rules! m { ($($i:item)*) => { $( #[cfg(unix)] $i )* }; (x $($i:item)*) => { $( #[cfg(windows)] $i )* } }";
        assert_eq!(wrapping_macro(two), None);
        assert_eq!(wrapping_macro("macro_rules! m { ($p:meta, $($i:item)*) => { $( #[cfg($p)] $i )* } }"), None);
        assert_eq!(wrapping_macro("macro_rules! m { ($e:expr) => { #[cfg(unix)] { $e } } }"), None);
    }
}
