//! pytest's `-m` expressions (`-m 'not stress'`, `-m "slow and not db"`): which tests a
//! run selects by their marks. The grammar is pytest's:
//! `expr := and ('or' and)*`, `and := not ('and' not)*`,
//! `not := 'not' not | '(' expr ')' | ident`; an identifier is true when the test has a
//! mark of that name. A mark with arguments (`-m "device(serial='123')"`) or an
//! expression that does not parse is undecided.

use crate::scan::Truth;

#[derive(Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

fn tokens(expr: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    // pytest's identifier characters.
    let ident = |c: char| c.is_alphanumeric() || matches!(c, '_' | ':' | '+' | '-' | '.' | '[' | ']' | '\\' | '/');
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::Open);
            i += 1;
        } else if c == ')' {
            out.push(Tok::Close);
            i += 1;
        } else if ident(c) {
            let start = i;
            while i < chars.len() && ident(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push(match word.as_str() {
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                _ => Tok::Ident(word),
            });
        } else {
            return None; // `=`, quotes, `,`: keyword arguments, not read here
        }
    }
    Some(out)
}

struct Parser<'a> {
    toks: &'a [Tok],
    at: usize,
    has: &'a dyn Fn(&str) -> Truth,
}

impl Parser<'_> {
    // The nesting is bounded by the length of an `addopts` value (a config line).
    fn expr(&mut self, depth: usize) -> Option<Truth> {
        let mut value = self.and(depth)?;
        while self.toks.get(self.at) == Some(&Tok::Or) {
            self.at += 1;
            value = value.or(self.and(depth)?);
        }
        Some(value)
    }

    fn and(&mut self, depth: usize) -> Option<Truth> {
        let mut value = self.not(depth)?;
        while self.toks.get(self.at) == Some(&Tok::And) {
            self.at += 1;
            value = value.and(self.not(depth)?);
        }
        Some(value)
    }

    fn not(&mut self, depth: usize) -> Option<Truth> {
        if depth > 100 {
            return None;
        }
        match self.toks.get(self.at)? {
            Tok::Not => {
                self.at += 1;
                Some(!self.not(depth + 1)?)
            }
            Tok::Open => {
                self.at += 1;
                let v = self.expr(depth + 1)?;
                (self.toks.get(self.at) == Some(&Tok::Close)).then(|| self.at += 1)?;
                Some(v)
            }
            Tok::Ident(name) => {
                self.at += 1;
                Some((self.has)(name))
            }
            _ => None,
        }
    }
}

/// Whether `-m expr` selects a test whose marks `has` reports; `Unknown` when the
/// expression cannot be read here.
pub fn selects(expr: &str, has: &dyn Fn(&str) -> Truth) -> Truth {
    let Some(toks) = tokens(expr) else { return Truth::Unknown };
    if toks.is_empty() {
        return Truth::Yes; // an empty expression selects everything
    }
    let mut p = Parser { toks: &toks, at: 0, has };
    match p.expr(0) {
        Some(v) if p.at == toks.len() => v,
        _ => Truth::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(marks: &'static [&'static str], maybe: &'static [&'static str]) -> impl Fn(&str) -> Truth {
        move |name: &str| {
            if marks.contains(&name) {
                Truth::Yes
            } else if maybe.contains(&name) {
                Truth::Unknown
            } else {
                Truth::No
            }
        }
    }

    #[test]
    fn mark_expressions_like_pytest() {
        let stress = with(&["stress"], &[]);
        let none = with(&[], &[]);
        assert_eq!(selects("not stress", &stress), Truth::No);
        assert_eq!(selects("not stress", &none), Truth::Yes);
        assert_eq!(selects("slow or (db and not stress)", &with(&["db"], &[])), Truth::Yes);
        assert_eq!(selects("slow and not db", &with(&["slow", "db"], &[])), Truth::No);
        assert_eq!(selects("not not stress", &stress), Truth::Yes);
        assert_eq!(selects("not stress", &with(&[], &["stress"])), Truth::Unknown);
        assert_eq!(selects("", &none), Truth::Yes);
        assert_eq!(selects("device(serial='1')", &none), Truth::Unknown);
        assert_eq!(selects("(slow", &none), Truth::Unknown);
        assert_eq!(selects("slow slow", &none), Truth::Unknown);
        assert_eq!(selects(&"not ".repeat(10_000), &none), Truth::Unknown);
        assert_eq!(selects(&format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000)), &none), Truth::Unknown);
    }
}
