//! Kotest specs: a Kotlin class extending one of Kotest's spec styles holds its tests as
//! calls in the lambda it hands its superclass (`class CartSpec : StringSpec({ … })`) or
//! in its `init { … }` blocks (`class CartSpec : FunSpec() { init { … } }`):
//!
//! - `"adds items" { … }` (StringSpec, and the leaves of FreeSpec and WordSpec);
//! - `test("…") { … }` (FunSpec), `it("…")` (DescribeSpec), `should("…")` (ShouldSpec),
//!   `expect("…")` (ExpectSpec), `scenario("…")` (FeatureSpec), `then("…")` (BehaviorSpec);
//! - inside containers: `context("…") { … }`, `describe`, `given`, `when`, `and`,
//!   `feature`, and FreeSpec's `"…" - { … }`, WordSpec's `"…" should { … }`.
//!
//! A test's name is the titles from its outermost container down, joined by ` -- ` (as
//! Kotest writes a test's path): `CartSpec::totals -- rounds half up`. Disabled: an
//! `x`-prefixed call (`xtest`, `xit`, `xdescribe`, …, inherited by what is inside), a
//! title starting with `!` (Kotest's "bang"), `.config(enabled = false)`. Conditional:
//! `.config(enabled = …)` with anything but a literal, `enabledIf`, `enabledOrReasonIf`,
//! and tests inside an `if`, `else` or `when`. A title with `${…}` is kept as written.

use super::{Marks, Parser};
use crate::finding::Location;
use crate::scan::clike::TokKind;
use crate::scan::{Item, ItemKind, Skip};

/// Kotest's spec styles whose tests are calls. (AnnotationSpec's are `@Test` funs.)
pub(crate) const STYLES: &[&str] = &[
    "StringSpec",
    "FunSpec",
    "DescribeSpec",
    "ShouldSpec",
    "FreeSpec",
    "WordSpec",
    "BehaviorSpec",
    "FeatureSpec",
    "ExpectSpec",
];
const LEAVES: &[&str] = &["test", "it", "should", "expect", "scenario", "then", "Then"];
const CONTAINERS: &[&str] =
    &["context", "describe", "given", "Given", "when", "When", "and", "And", "feature", "Feature", "Context"];
/// Data-driven tests (`kotest-framework-datatest`): one test per datum at run time, one
/// identity per call here, named by its call as written (`withData(1, 2)`).
const DATA: &[&str] = &[
    "withData",
    "withTests",
    "withContexts",
    "withDescribes",
    "withIts",
    "withShoulds",
    "withExpects",
    "withFeatures",
    "withScenarios",
    "withGivens",
    "withWhens",
    "withThens",
    "withAnds",
];
/// WordSpec's infix containers: `"a cart" should { … }`.
const INFIX: &[&str] = &["should", "Should", "when", "When", "-"];

/// The spec class a body belongs to.
pub(super) struct Spec<'s> {
    pub scope: &'s [String],
    pub marks: &'s Marks,
    pub top_abstract: bool,
}

#[derive(Clone, Default)]
struct State {
    titles: Vec<String>,
    disabled: Option<Location>,
    conditional: Option<Location>,
}

/// Reads the spec body between tokens `from` and `to`; whether it holds any test.
pub(super) fn read(p: &mut Parser<'_, '_>, from: usize, to: usize, spec: &Spec<'_>) -> bool {
    let before = p.items.len();
    walk(p, from, to, &State::default(), spec, 0);
    p.items[before..].iter().any(|i| matches!(i.kind, ItemKind::Test { .. }))
}

/// Nested containers deeper than this are not read.
const MAX_DEPTH: usize = 100;

fn walk(p: &mut Parser<'_, '_>, from: usize, to: usize, state: &State, spec: &Spec<'_>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let lexed = p.lexed;
    let toks = &lexed.tokens;
    let to = to.min(toks.len());
    let mut k = from;
    while k < to {
        let t = &toks[k];
        let after_dot = k > 0 && toks[k - 1].is_punct('.');
        // `test("title")`, `xit("title")`, … followed by `.config(…)` and a lambda.
        if t.kind == TokKind::Ident && !after_dot && p.is_group(k + 1, '(') {
            let word = t.text.strip_prefix('x').filter(|w| LEAVES.contains(w) || CONTAINERS.contains(w));
            let x = word.is_some();
            let word = word.unwrap_or(t.text);
            let leaf = LEAVES.contains(&word);
            if (leaf || CONTAINERS.contains(&word)) && toks.get(k + 2).is_some_and(|l| l.kind == TokKind::Lit) {
                let close = lexed.close_of(k + 1);
                let title_i = k + 2;
                if let Some(next) = entry(
                    p,
                    k,
                    title_i,
                    close + 1,
                    leaf,
                    x.then(|| p.loc(k, t.text.chars().count())),
                    state,
                    spec,
                    depth,
                ) {
                    k = next;
                    continue;
                }
            }
            if DATA.contains(&t.text) {
                let close = lexed.close_of(k + 1);
                if let Some(next) = entry(p, k, k, close + 1, true, None, state, spec, depth) {
                    k = next;
                    continue;
                }
            }
        }
        // `"title" { … }`, `"title".config(…) { … }`, `"title" - { … }`, `"title" should { … }`.
        if t.kind == TokKind::Lit && statement_start(p, k, from) {
            let next = toks.get(k + 1);
            let infix =
                next.is_some_and(|n| INFIX.contains(&n.text) && n.kind != TokKind::Lit) && p.is_group(k + 2, '{');
            if infix {
                if let Some(n) = entry(p, k, k, k + 2, false, None, state, spec, depth) {
                    k = n;
                    continue;
                }
            } else if let Some(n) = entry(p, k, k, k + 1, true, None, state, spec, depth) {
                k = n;
                continue;
            }
        }
        if t.is_punct('{') {
            // Another block: a loop's body (its tests are one call site each), or a
            // branch, whose tests run only when its condition holds.
            let close = lexed.close_of(k);
            let mut inner = state.clone();
            if let Some(cond) = branch(p, k) {
                inner.conditional.get_or_insert(cond);
            }
            walk(p, k + 1, close, &inner, spec, depth + 1);
            k = close + 1;
            continue;
        }
        if t.is_punct('(') || t.is_punct('[') {
            k = lexed.close_of(k) + 1;
            continue;
        }
        k += 1;
    }
}

/// Whether the literal at `k` starts a statement of the spec body.
fn statement_start(p: &Parser<'_, '_>, k: usize, from: usize) -> bool {
    let toks = &p.lexed.tokens;
    k == from || toks[k - 1].end_line < toks[k].line || toks[k - 1].is_punct(';') || toks[k - 1].is_punct('{')
}

/// The `if`, `else` or `when` whose block opens at `open`, if it is one.
fn branch(p: &Parser<'_, '_>, open: usize) -> Option<Location> {
    let toks = &p.lexed.tokens;
    let prev = open.checked_sub(1)?;
    if toks[prev].is("else") {
        return Some(p.loc(prev, 4));
    }
    if toks[prev].is_punct(')') {
        let o = (0..prev).rev().find(|&i| toks[i].is_punct('(') && p.lexed.close_of(i) == prev)?;
        let kw = toks.get(o.checked_sub(1)?)?;
        if kw.is("if") || kw.is("when") {
            return Some(p.loc(o - 1, prev + 1 - (o - 1)).with_len_of(p, o - 1, prev));
        }
    }
    // `when { … }` without a subject, and `->` branches inside it.
    if toks[prev].is("when") {
        return Some(p.loc(prev, 4));
    }
    None
}

trait LenOf {
    fn with_len_of(self, p: &Parser<'_, '_>, from: usize, to: usize) -> Location;
}

impl LenOf for Location {
    /// The length from token `from` to the end of token `to` when both are on one line.
    fn with_len_of(mut self, p: &Parser<'_, '_>, from: usize, to: usize) -> Location {
        let toks = &p.lexed.tokens;
        self.len = if toks[from].line == toks[to].end_line {
            p.lexed.src[toks[from].start..toks[to].start + toks[to].text.len()].chars().count()
        } else {
            toks[from].text.chars().count()
        };
        self
    }
}

/// One test or container whose call starts at `start`, titled by the literal at
/// `title_i`, with `.config(…)` and its lambda from `after`. Returns the token after it,
/// or `None` when no lambda follows (not a test).
#[allow(clippy::too_many_arguments)]
fn entry(
    p: &mut Parser<'_, '_>,
    start: usize,
    title_i: usize,
    after: usize,
    leaf: bool,
    x: Option<Location>,
    state: &State,
    spec: &Spec<'_>,
    depth: usize,
) -> Option<usize> {
    let lexed = p.lexed;
    let toks = &lexed.tokens;
    let mut q = after;
    let mut config: Option<(usize, usize)> = None;
    if toks.get(q).is_some_and(|d| d.is_punct('.'))
        && toks.get(q + 1).is_some_and(|c| c.is("config"))
        && p.is_group(q + 2, '(')
    {
        config = Some((q + 2, lexed.close_of(q + 2)));
        q = lexed.close_of(q + 2) + 1;
    }
    if toks.get(q).is_some_and(|i| INFIX.contains(&i.text) && i.kind != TokKind::Lit) && !leaf {
        q += 1;
    }
    if !p.is_group(q, '{') {
        return None;
    }
    let close = lexed.close_of(q);
    let title_tok = &toks[title_i];
    let raw = title_tok.text;
    let title = if title_tok.kind != TokKind::Lit {
        // A data-driven call: its source text up to the lambda.
        let span = lexed.span(start, after.saturating_sub(1));
        lexed.src[span].split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        lexed.string_value(title_i).unwrap_or_else(|| {
            let quotes = if raw.starts_with("\"\"\"") { 3 } else { 1 };
            raw.get(quotes..raw.len().saturating_sub(quotes)).unwrap_or(raw).to_owned()
        })
    };
    let mut inner = state.clone();
    if let Some(x) = x {
        inner.disabled.get_or_insert(x);
    }
    if title_tok.kind == TokKind::Lit && title.starts_with('!') {
        inner.disabled.get_or_insert(p.loc(title_i, raw.chars().count()));
    }
    if let Some((open, cclose)) = config {
        config_marks(p, open, cclose, &mut inner);
    }
    inner.titles.push(title.clone());
    let last = close.min(toks.len() - 1);
    if leaf {
        let mut marks = spec.marks.clone();
        let name = inner.titles.join(" -- ");
        let skip = |l: Option<&Location>| l.map(|l| Skip::quoted(lexed.src, l.clone()));
        let disabled = inner.disabled.as_ref().or(marks.disabled.as_ref());
        let conditional = inner.conditional.as_ref().or(marks.conditional.as_ref());
        let kind = ItemKind::Test {
            name: name.clone(),
            loc: p.loc(title_i, raw.chars().count()),
            ignored: skip(disabled),
            conditional_skip: if disabled.is_some() { None } else { skip(conditional) },
            direct_links: marks.links.clone(),
            span: Some(lexed.span(start, last)),
        };
        marks.disabled = disabled.cloned();
        p.facts.push((p.items.len(), marks, spec.top_abstract));
        p.items.push(Item {
            kind,
            start_line: toks[start].line,
            decl_line: toks[start].line,
            end_line: toks[last].end_line,
            scope: spec.scope.to_vec(),
            what: format!("test {name:?}"),
        });
    } else {
        let mut scope = spec.scope.to_vec();
        scope.extend(inner.titles.iter().cloned());
        let word = if title_i == start { "container" } else { toks[start].text };
        p.items.push(Item {
            kind: ItemKind::Group,
            start_line: toks[start].line,
            decl_line: toks[start].line,
            end_line: toks[last].end_line,
            scope,
            what: format!("{word} {title:?}"),
        });
        walk(p, q + 1, close, &inner, spec, depth + 1);
    }
    Some(close + 1)
}

/// `.config(enabled = false)` disables; `enabled = <not a literal>`, `enabledIf = …`,
/// `enabledOrReasonIf = …` make the test conditional.
fn config_marks(p: &Parser<'_, '_>, open: usize, close: usize, state: &mut State) {
    let toks = &p.lexed.tokens;
    let mut k = open + 1;
    while k < close {
        let t = &toks[k];
        if t.kind == TokKind::Ident && toks.get(k + 1).is_some_and(|e| e.is_punct('=')) {
            // The argument: up to the next `,` at this level.
            let mut end = k + 2;
            while end < close && !toks[end].is_punct(',') {
                end = if toks[end].kind == TokKind::Punct && matches!(toks[end].text, "(" | "[" | "{") {
                    p.lexed.close_of(end) + 1
                } else {
                    end + 1
                };
            }
            let last = end.saturating_sub(1).max(k);
            let at = p.loc(k, 1).with_len_of(p, k, last);
            match t.text {
                "enabled" if end == k + 3 && toks[k + 2].is("false") => {
                    state.disabled.get_or_insert(at);
                }
                "enabled" if end == k + 3 && toks[k + 2].is("true") => {}
                "enabled" | "enabledIf" | "enabledOrReasonIf" => {
                    state.conditional.get_or_insert(at);
                }
                _ => {}
            }
            k = end + 1;
            continue;
        }
        k += 1;
    }
}
