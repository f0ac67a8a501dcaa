//! What the JavaScript scanner can decide about a condition from the source alone: the
//! argument of Vitest's `.skipIf(…)` / `.runIf(…)`, the test of an `if` around a test,
//! the condition of a ternary callee (`(cond ? describe.skip : describe)(…)`). Only
//! literals decide (`true`, `false`, `0`, `''`, `null`, `undefined`, `!…`, `&&`, `||`,
//! parentheses); anything that reads the environment (`process.platform`, a variable)
//! is a condition the reader must check. Also where a statement ends, for the extent of
//! an `if` without braces.

use super::Truth;
use super::clike::{Lexed, TokKind};

/// Whether the tokens `from..to` are a condition that always holds, never holds, or may.
pub fn truth(lexed: &Lexed, from: usize, to: usize) -> Truth {
    truth_at(lexed, from, to, 0)
}

/// Conditions nested deeper than this (`((((…))))`, `!!!!…` in a crafted file) are not
/// decided: each level is a frame of the stack.
const MAX_DEPTH: usize = 64;

fn truth_at(lexed: &Lexed, from: usize, to: usize, depth: usize) -> Truth {
    if depth > MAX_DEPTH {
        return Truth::Unknown;
    }
    let toks = &lexed.tokens;
    let (mut from, mut to) = (from, to.min(toks.len()));
    // Strip parentheses around the whole.
    while from < to && toks[from].is_punct('(') && lexed.close_of(from) == to - 1 {
        from += 1;
        to -= 1;
    }
    if from >= to {
        return Truth::Unknown;
    }
    // `a || b` binds looser than `a && b`; split at the top level only.
    for op in ['|', '&'] {
        let mut parts = Vec::new();
        let mut start = from;
        let mut k = from;
        while k < to {
            let t = &toks[k];
            if t.kind == TokKind::Punct && matches!(t.text, "(" | "[" | "{") {
                k = lexed.close_of(k).max(k) + 1;
                continue;
            }
            if t.is_punct(op) && toks.get(k + 1).is_some_and(|n| n.is_punct(op)) && k + 1 < to {
                parts.push((start, k));
                start = k + 2;
                k += 2;
                continue;
            }
            // `??`, `?:` and friends: nothing this reader decides.
            if t.is_punct('?') {
                return Truth::Unknown;
            }
            k += 1;
        }
        if !parts.is_empty() {
            parts.push((start, to));
            let values = parts.into_iter().map(|(a, b)| truth_at(lexed, a, b, depth + 1));
            return if op == '|' { values.fold(Truth::No, Truth::or) } else { values.fold(Truth::Yes, Truth::and) };
        }
    }
    let first = &toks[from];
    if first.is_punct('!') {
        return !truth_at(lexed, from + 1, to, depth + 1);
    }
    if to - from == 2 && first.is("void") && toks[from + 1].kind == TokKind::Num {
        return Truth::No;
    }
    if to - from != 1 {
        return Truth::Unknown;
    }
    match first.kind {
        TokKind::Ident => match first.text {
            "true" => Truth::Yes,
            "false" | "null" | "undefined" | "NaN" => Truth::No,
            _ => Truth::Unknown,
        },
        TokKind::Num => {
            let text = first.text.replace('_', "");
            let zero = text.trim_end_matches('n').trim_start_matches("0x").trim_start_matches("0X");
            match text.parse::<f64>() {
                Ok(v) => {
                    if v == 0.0 {
                        Truth::No
                    } else {
                        Truth::Yes
                    }
                }
                Err(_) if !zero.is_empty() && zero.chars().all(|c| c == '0' || c == '.') => Truth::No,
                Err(_) if zero.chars().all(|c| c.is_ascii_hexdigit()) => Truth::Yes,
                Err(_) => Truth::Unknown,
            }
        }
        TokKind::Lit => match lexed.string_value(from) {
            Some(s) => {
                if s.is_empty() {
                    Truth::No
                } else {
                    Truth::Yes
                }
            }
            None => Truth::Unknown,
        },
        TokKind::Punct => Truth::Unknown,
    }
}

/// The last token of the statement that starts at `k` (for the body of an `if` without
/// braces): a `{…}` block, an `if` with its `else`, or tokens up to a `;` or to a line
/// break after which the statement cannot go on (JavaScript's automatic semicolons).
pub fn statement_end(lexed: &Lexed, k: usize) -> usize {
    statement_end_at(lexed, k, 0)
}

fn statement_end_at(lexed: &Lexed, k: usize, depth: usize) -> usize {
    let toks = &lexed.tokens;
    let last = toks.len().saturating_sub(1);
    let Some(first) = toks.get(k) else { return last };
    if first.is_punct('{') {
        return lexed.close_of(k);
    }
    // A chain of `else if` (each a level of recursion) deeper than `MAX_DEPTH` is read
    // as a plain statement.
    if first.is("if") && toks.get(k + 1).is_some_and(|p| p.is_punct('(')) && depth <= MAX_DEPTH {
        let body_end = statement_end_at(lexed, lexed.close_of(k + 1) + 1, depth + 1);
        return match toks.get(body_end + 1) {
            Some(e) if e.is("else") => statement_end_at(lexed, body_end + 2, depth + 1),
            _ => body_end,
        };
    }
    let mut m = k;
    // Bounded: a statement is followed to its end, and every step moves forward.
    while m < toks.len() {
        let t = &toks[m];
        if t.is_punct(';') {
            return m;
        }
        if t.kind == TokKind::Punct && matches!(t.text, ")" | "]" | "}") && lexed.close_of(m) < k {
            // The closer of a block around the statement: it ended just before.
            return m.saturating_sub(1).max(k);
        }
        if t.kind == TokKind::Punct && matches!(t.text, "(" | "[" | "{") {
            m = lexed.close_of(m).max(m);
        }
        let end = &toks[m];
        let Some(next) = toks.get(m + 1) else { return m };
        let ends_value = matches!(end.kind, TokKind::Ident | TokKind::Lit | TokKind::Num)
            || (end.kind == TokKind::Punct && matches!(end.text, ")" | "]" | "}"));
        let continues = next.kind == TokKind::Punct
            && matches!(
                next.text,
                "." | "(" | "[" | "?" | ":" | "+" | "-" | "*" | "/" | "%" | "&" | "|" | "=" | "<" | ">" | ","
            );
        if next.line > end.end_line && ends_value && !continues {
            return m;
        }
        m += 1;
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::clike::{self, Dialect};

    fn t(src: &str) -> Truth {
        let lexed = clike::lex(src, &Dialect::JAVASCRIPT);
        truth(&lexed, 0, lexed.tokens.len())
    }

    #[test]
    fn literals_decide_and_the_environment_does_not() {
        for yes in ["true", "1", "'x'", "!false", "!0", "(true)", "true || x", "x || true", "true && !null", "0x10"] {
            assert_eq!(t(yes), Truth::Yes, "{yes}");
        }
        for no in ["false", "0", "''", "null", "undefined", "!true", "!1", "false && x", "void 0", "(false || 0)"] {
            assert_eq!(t(no), Truth::No, "{no}");
        }
        for unknown in [
            "process.platform === 'win32'",
            "isWindows",
            "x && true",
            "!process.env.CI",
            "a ? true : false",
            "x ?? true",
            "`${a}`",
            "",
            "f()",
        ] {
            assert_eq!(t(unknown), Truth::Unknown, "{unknown}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let deep = format!("{}true{}", "(!".repeat(100_000), ")".repeat(100_000));
        assert_eq!(t(&deep), Truth::Unknown);
        assert_eq!(t(&"!".repeat(200_000)), Truth::Unknown);
        let chain = format!("if (a) x()\n{}", "else if (b) y()\n".repeat(100_000));
        let lexed = clike::lex(&chain, &Dialect::JAVASCRIPT);
        let _ = statement_end(&lexed, 0);
        let src =
            format!("// incident: A-1\nit.skipIf({}1{})('t', () => {{}});\n", "(".repeat(50_000), ")".repeat(50_000));
        let words = crate::scan::markers::MarkerWords::new(&["incident".to_owned()]);
        let _ = crate::scan::Language::scan(&crate::scan::javascript::JavaScript, "a.test.js", &src, &words);
    }

    #[test]
    fn statements_end_at_semicolons_blocks_and_line_breaks() {
        let src = "if (a) it('x', () => {\n})\nit('y', () => {});\n";
        let lexed = clike::lex(src, &Dialect::JAVASCRIPT);
        let body = lexed.close_of(1) + 1;
        let end = statement_end(&lexed, body);
        assert_eq!(lexed.tokens[end].line, 2);
        assert!(lexed.tokens[end].is_punct(')'));
        let src = "{ if (a) x()\n  .y(); z() }";
        let lexed = clike::lex(src, &Dialect::JAVASCRIPT);
        let end = statement_end(&lexed, lexed.close_of(2) + 1);
        assert!(lexed.tokens[end].is_punct(';'));
        let src = "{ if (a) b = 1 }";
        let lexed = clike::lex(src, &Dialect::JAVASCRIPT);
        let end = statement_end(&lexed, lexed.close_of(2) + 1);
        assert!(lexed.tokens[end].is("1") || lexed.tokens[end].text == "1");
    }
}
