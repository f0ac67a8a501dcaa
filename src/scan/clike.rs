//! A lexer shared by the languages with C-like lexical syntax: Go, JavaScript/TypeScript,
//! Java and Kotlin. It knows what it must to find comments and top-level tokens exactly:
//! `//` and `/* */` comments (nested in Kotlin), strings with escapes, char literals,
//! Go raw strings, JavaScript template literals and Kotlin string templates with `${…}`
//! holding code (strings, templates and comments inside included), Java text blocks and
//! Kotlin raw strings, JavaScript regular-expression literals and JSX elements. A
//! literal is one token, however much code its `${…}` holds, so `"// incident: X"`
//! or `` `${"/*"}` `` never starts a comment.
//!
//! Nesting (templates inside templates, JSX inside JSX) is kept on an explicit stack,
//! never by recursion, so no input can overflow the stack; every loop advances, so no
//! input can hang it; an unterminated literal ends the file, an unterminated plain
//! string ends its line.
//!
//! Why not tree-sitter: measured on this project's 2-core machine, tree-sitter 0.25 with
//! the Go, JavaScript, TypeScript/TSX, Java, Kotlin (`-ng`) and Python grammars builds
//! quickly (a scratch crate: 18.6 s for a clean `cargo build -j1`, of which ~7 s for
//! tree-sitter and the grammars; 38 s in release, the rest being `regex` and `serde`,
//! which this project already builds), but the grammars' parse tables add 8.0 MB to a
//! release binary (0.4 MB → 8.5 MB for a program that only loads them), six crates on
//! their own release cadence (the Java grammar is on 0.23, Kotlin exists only as a
//! fork), and finding tests needs only comments, literals, brackets and a few keywords,
//! which this lexer gets exactly. Accuracy against the real runners is measured by
//! `tests/accuracy.rs` on the projects in `scripts/accuracy/` (figures in each
//! language's module). Per grammar, in a `-j1` debug build: Python 0.4 s, Go 0.3 s,
//! JavaScript 0.4 s, TypeScript+TSX 1.5 s, Java 0.3 s, Kotlin 2.4 s; tree-sitter 1.4 s.

use super::columns::Columns;
use super::rust_lex::{Comment, CommentKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokKind {
    Ident,
    /// A string, char, template or regular-expression literal, or a whole JSX element.
    Lit,
    Num,
    Punct,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: TokKind,
    /// The source text (for a Kotlin backticked name: without the backticks).
    pub text: &'a str,
    /// Byte offset of `text` in the source.
    pub start: usize,
    pub line: usize,
    /// The line the token ends on (literals can span lines).
    pub end_line: usize,
    /// A template literal with `${…}`: it has no static value.
    pub interpolated: bool,
}

impl Token<'_> {
    pub fn is(&self, text: &str) -> bool {
        self.text == text && self.kind != TokKind::Lit
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokKind::Punct && self.text.len() == c.len_utf8() && self.text.starts_with(c)
    }
}

/// What differs between the languages.
#[derive(Clone, Copy, Debug, Default)]
pub struct Dialect {
    pub backtick: Backtick,
    /// `'…'` is a string (JavaScript) rather than a char literal; lexed alike.
    pub single_quote_strings: bool,
    /// `"""…"""`: Java text blocks (with escapes), Kotlin raw strings (without).
    pub triple_quotes: bool,
    /// Kotlin: `"…"` and `"""…"""` hold `${…}` code.
    pub dollar_templates: bool,
    /// Kotlin: `/* /* */ */` nests.
    pub nested_comments: bool,
    /// JavaScript: `/…/flags` where an expression may start.
    pub regex: bool,
    /// JavaScript (not `.ts`): `<tag …>…</tag>` where an expression may start.
    pub jsx: bool,
}

/// Each scanner's dialect, defined once here for the scanners and this module's tests.
impl Dialect {
    const PLAIN: Dialect = Dialect {
        backtick: Backtick::None,
        single_quote_strings: false,
        triple_quotes: false,
        dollar_templates: false,
        nested_comments: false,
        regex: false,
        jsx: false,
    };
    pub const GO: Dialect = Dialect { backtick: Backtick::Raw, ..Self::PLAIN };
    pub const JAVASCRIPT: Dialect =
        Dialect { backtick: Backtick::Template, single_quote_strings: true, regex: true, jsx: true, ..Self::PLAIN };
    /// TypeScript has no JSX outside `.tsx`, and `<T>` would be misread as a tag.
    pub const TYPESCRIPT: Dialect = Dialect { jsx: false, ..Self::JAVASCRIPT };
    pub const JAVA: Dialect = Dialect { triple_quotes: true, ..Self::PLAIN };
    pub const KOTLIN: Dialect = Dialect {
        backtick: Backtick::Ident,
        triple_quotes: true,
        dollar_templates: true,
        nested_comments: true,
        ..Self::PLAIN
    };
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backtick {
    #[default]
    None,
    /// Go: a raw string, no escapes.
    Raw,
    /// JavaScript: a template literal with `${…}`.
    Template,
    /// Kotlin: a quoted identifier.
    Ident,
}

#[derive(Debug, Default)]
pub struct Lexed<'a> {
    pub src: &'a str,
    pub tokens: Vec<Token<'a>>,
    pub comments: Vec<Comment<'a>>,
    /// For each token, the index of its matching bracket (for an opening bracket: its
    /// closer, or the last token when unclosed), else its own index.
    pub pair: Vec<usize>,
    columns: Columns<'a>,
}

impl<'a> Lexed<'a> {
    /// 1-based column, in characters, of a byte offset.
    pub fn col(&self, byte: usize) -> usize {
        self.columns.col(byte)
    }

    /// The static value of a string literal token (escapes decoded): `None` for
    /// templates with `${…}`, regular expressions and JSX.
    pub fn string_value(&self, i: usize) -> Option<String> {
        let t = self.tokens.get(i)?;
        if t.kind != TokKind::Lit || t.interpolated {
            return None;
        }
        let text = t.text;
        let (open, close) = if text.starts_with("\"\"\"") && text.len() >= 6 && text.ends_with("\"\"\"") {
            (3, 3)
        } else if text.len() >= 2 && matches!(text.as_bytes()[0], b'"' | b'\'' | b'`') && text.ends_with(&text[..1]) {
            (1, 1)
        } else {
            return None;
        };
        let inner = &text[open..text.len() - close];
        let mut out = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let e = chars.next()?;
            let hex = |chars: &mut std::iter::Peekable<std::str::Chars>, n: usize| -> Option<char> {
                let digits: String = (0..n).map_while(|_| chars.next_if(char::is_ascii_hexdigit)).collect();
                u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32)
            };
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '0' => out.push('\0'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'v' => out.push('\u{b}'),
                '\n' => {} // a line continuation
                'x' => out.push(hex(&mut chars, 2)?),
                'u' if chars.next_if_eq(&'{').is_some() => {
                    out.push(hex(&mut chars, 6)?);
                    chars.next_if_eq(&'}')?;
                }
                'u' => out.push(hex(&mut chars, 4)?),
                other => out.push(other),
            }
        }
        Some(out)
    }

    /// The matching bracket of token `i`.
    pub fn close_of(&self, i: usize) -> usize {
        self.pair.get(i).copied().unwrap_or(i)
    }

    /// The bytes from the start of token `from` to the end of token `to`.
    pub fn span(&self, from: usize, to: usize) -> std::ops::Range<usize> {
        let start = self.tokens.get(from).map_or(self.src.len(), |t| t.start);
        let end = self.tokens.get(to).map_or(self.src.len(), |t| t.start + t.text.len());
        start..end.max(start)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    /// Code inside `${…}` or a JSX `{…}`, with its own brace depth.
    Code(u32),
    /// A template literal: its closing quote, whether `"""`, whether escapes are raw.
    Tmpl { quote: u8, triple: bool, raw: bool },
    /// Inside `<…>` or `</…>`.
    JsxTag { closing: bool },
    /// The children of a JSX element.
    JsxText,
}

/// What the last significant code token was, to tell `/` and `<` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prev {
    /// Nothing yet, an operator, an opening bracket or a keyword: an expression may start.
    Start,
    /// An identifier, literal or closing bracket: an operator follows.
    Value,
}

const EXPR_KEYWORDS: &[&str] = &[
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

struct Lexer<'a, 'b> {
    src: &'a str,
    b: &'a [u8],
    d: &'b Dialect,
    pos: usize,
    line: usize,
    stack: Vec<Frame>,
    prev: Prev,
    out: Lexed<'a>,
    /// Start of the composite literal being read while `stack` is not empty.
    lit: (usize, usize, bool),
}

impl<'a> Lexer<'a, '_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.b.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn bump(&mut self) {
        if self.peek(0) == b'\n' {
            self.line += 1;
        }
        self.pos += 1;
    }

    fn bump_n(&mut self, n: usize) {
        for _ in 0..n {
            if self.pos >= self.b.len() {
                return;
            }
            self.bump();
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn push_token(&mut self, kind: TokKind, start: usize, line: usize) {
        let text = &self.src[start..self.pos];
        self.out.tokens.push(Token { kind, text, start, line, end_line: self.line, interpolated: false });
    }

    fn only_whitespace_before(&self, pos: usize) -> bool {
        self.out.columns.only_whitespace_before(pos)
    }

    /// A quoted literal with escapes that ends at its quote or, unterminated, at the end of
    /// its line (`multiline`: at the end of the file).
    fn skip_quoted(&mut self, quote: u8, escapes: bool, multiline: bool) {
        self.bump();
        while !self.at_end() {
            match self.peek(0) {
                b'\\' if escapes => self.bump_n(2),
                b'\n' if !multiline => return,
                b if b == quote => {
                    self.bump();
                    return;
                }
                _ => self.bump(),
            }
        }
    }

    /// A Java text block: `"""` … `"""`, with escapes.
    fn skip_text_block(&mut self) {
        self.bump_n(3);
        while !self.at_end() {
            if self.peek(0) == b'\\' {
                self.bump_n(2);
            } else if self.b[self.pos..].starts_with(b"\"\"\"") {
                self.bump_n(3);
                return;
            } else {
                self.bump();
            }
        }
    }

    fn line_comment(&mut self) {
        let start = self.pos;
        let own_line = self.only_whitespace_before(start);
        while !self.at_end() && self.peek(0) != b'\n' {
            self.pos += 1;
        }
        let col = self.out.columns.col(start + 2);
        let text = self.src[start + 2..self.pos].strip_suffix('\r').unwrap_or(&self.src[start + 2..self.pos]);
        self.out.comments.push(Comment { line: self.line, col, text, kind: CommentKind::Plain, own_line });
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        let own_line = self.only_whitespace_before(start);
        let line = self.line;
        self.bump_n(2);
        let mut depth = 1;
        let mut end = self.b.len();
        while !self.at_end() {
            if self.d.nested_comments && self.peek(0) == b'/' && self.peek(1) == b'*' {
                depth += 1;
                self.bump_n(2);
            } else if self.peek(0) == b'*' && self.peek(1) == b'/' {
                depth -= 1;
                if depth == 0 {
                    end = self.pos;
                    self.bump_n(2);
                    break;
                }
                self.bump_n(2);
            } else {
                self.bump();
            }
        }
        // `/** … */` (JSDoc, KDoc, Javadoc) is read like `/* … */`.
        let text_start = if self.b.get(start + 2) == Some(&b'*') && start + 3 <= end { start + 3 } else { start + 2 };
        let col = self.out.columns.col(text_start.min(end));
        push_block_lines(&mut self.out.comments, self.src, col, text_start.min(end), end, line, own_line);
    }

    /// `/re/flags` at `pos`; `false` (nothing consumed) when it is not one: a regular
    /// expression never spans lines.
    fn try_regex(&mut self) -> bool {
        let mut i = self.pos + 1;
        let mut class = false;
        loop {
            match self.b.get(i) {
                None | Some(b'\n') => return false,
                // A line break cannot stand in one, not even escaped: stepping over it
                // here left every line below counted one short.
                Some(b'\\') if self.b.get(i + 1) == Some(&b'\n') => return false,
                Some(b'\\') => i += 2,
                Some(b'[') => {
                    class = true;
                    i += 1;
                }
                Some(b']') => {
                    class = false;
                    i += 1;
                }
                Some(b'/') if !class => break,
                _ => i += 1,
            }
        }
        if i == self.pos + 1 {
            return false; // `//` is a comment, handled before
        }
        i += 1;
        while self.b.get(i).is_some_and(|b| b.is_ascii_alphabetic()) {
            i += 1;
        }
        self.pos = i.min(self.b.len());
        true
    }

    /// Whether `<` at `pos` opens a JSX element rather than a TSX generic (`<T,>`, `<T extends U>`).
    fn jsx_starts(&self) -> bool {
        let next = self.peek(1);
        if next == b'>' {
            return true; // a fragment
        }
        if !(next.is_ascii_alphabetic() || next == b'_' || next == b'$') {
            return false;
        }
        let rest = &self.b[self.pos + 1..];
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.' | b'-' | b':'))
            .count();
        let after = &rest[name_len..];
        let after = &after[after.iter().take_while(|b| **b == b' ' || **b == b'\t').count()..];
        !(after.starts_with(b",") || after.starts_with(b"extends ") || after.starts_with(b"="))
            || after.starts_with(b"=\"")
            || after.starts_with(b"={")
            || after.starts_with(b"='")
    }

    fn enter(&mut self, frame: Frame) {
        if self.stack.is_empty() {
            self.lit = (self.pos, self.line, false);
        }
        self.stack.push(frame);
    }

    /// Pops a frame; when the composite literal is complete, emits it as one token.
    fn leave(&mut self) {
        self.stack.pop();
        if self.stack.is_empty() {
            let (start, line, interpolated) = self.lit;
            self.push_token(TokKind::Lit, start, line);
            if let Some(t) = self.out.tokens.last_mut() {
                t.interpolated = interpolated;
            }
            self.prev = Prev::Value;
        }
    }

    /// One step of code: at the top level (`frame` is `None`) tokens are emitted.
    fn code_step(&mut self, depth: Option<u32>) {
        let c = self.peek(0);
        let top = depth.is_none();
        let start = self.pos;
        let line = self.line;
        match c {
            b'/' if self.peek(1) == b'/' => self.line_comment(),
            b'/' if self.peek(1) == b'*' => self.block_comment(),
            b'/' if self.d.regex && self.prev == Prev::Start && self.try_regex() => {
                if top {
                    self.push_token(TokKind::Lit, start, line);
                }
                self.prev = Prev::Value;
            }
            b'<' if self.d.jsx && self.prev == Prev::Start && self.jsx_starts() => {
                self.enter(Frame::JsxTag { closing: false });
                self.bump();
            }
            b'"' if self.d.triple_quotes && self.b[self.pos..].starts_with(b"\"\"\"") => {
                if self.d.dollar_templates {
                    self.enter(Frame::Tmpl { quote: b'"', triple: true, raw: true });
                    self.bump_n(3);
                } else {
                    self.skip_text_block();
                    if top {
                        self.push_token(TokKind::Lit, start, line);
                    }
                    self.prev = Prev::Value;
                }
            }
            b'"' if self.d.dollar_templates => {
                self.enter(Frame::Tmpl { quote: b'"', triple: false, raw: false });
                self.bump();
            }
            b'"' | b'\'' => {
                self.skip_quoted(c, true, false);
                if top {
                    self.push_token(TokKind::Lit, start, line);
                }
                self.prev = Prev::Value;
            }
            b'`' => match self.d.backtick {
                Backtick::Template => {
                    self.enter(Frame::Tmpl { quote: b'`', triple: false, raw: false });
                    self.bump();
                }
                Backtick::Raw => {
                    self.skip_quoted(b'`', false, true);
                    if top {
                        self.push_token(TokKind::Lit, start, line);
                    }
                    self.prev = Prev::Value;
                }
                Backtick::Ident => {
                    self.skip_quoted(b'`', false, false);
                    if top {
                        let end =
                            if self.b[self.pos - 1] == b'`' && self.pos > start + 1 { self.pos - 1 } else { self.pos };
                        let text = &self.src[start + 1..end.max(start + 1)];
                        self.out.tokens.push(Token {
                            kind: TokKind::Ident,
                            text,
                            start: start + 1,
                            line,
                            end_line: self.line,
                            interpolated: false,
                        });
                    }
                    self.prev = Prev::Value;
                }
                Backtick::None => {
                    self.bump();
                    if top {
                        self.push_token(TokKind::Punct, start, line);
                    }
                    self.prev = Prev::Start;
                }
            },
            b'{' if !top => {
                if let Some(Frame::Code(d)) = self.stack.last_mut() {
                    *d += 1;
                }
                self.bump();
                self.prev = Prev::Start;
            }
            b'}' if !top => {
                match self.stack.last_mut() {
                    Some(Frame::Code(0)) => {
                        self.bump();
                        self.leave();
                        return;
                    }
                    Some(Frame::Code(d)) => *d -= 1,
                    _ => {}
                }
                self.bump();
                self.prev = Prev::Value;
            }
            c if c.is_ascii_whitespace() => self.bump(),
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 => {
                while self.peek(0).is_ascii_alphanumeric()
                    || matches!(self.peek(0), b'_' | b'$')
                    || self.peek(0) >= 0x80
                {
                    self.pos += 1;
                }
                let word = &self.src[start..self.pos];
                self.prev = if EXPR_KEYWORDS.contains(&word) { Prev::Start } else { Prev::Value };
                if top {
                    self.push_token(TokKind::Ident, start, line);
                }
            }
            c if c.is_ascii_digit() => {
                while self.peek(0).is_ascii_alphanumeric() || matches!(self.peek(0), b'_' | b'.') {
                    self.pos += 1;
                }
                self.prev = Prev::Value;
                if top {
                    self.push_token(TokKind::Num, start, line);
                }
            }
            _ => {
                self.bump();
                self.prev = if matches!(c, b')' | b']') { Prev::Value } else { Prev::Start };
                if top {
                    self.push_token(TokKind::Punct, start, line);
                }
            }
        }
    }

    fn run(mut self) -> Lexed<'a> {
        while !self.at_end() {
            let before = self.pos;
            match self.stack.last().copied() {
                None => self.code_step(None),
                Some(Frame::Code(d)) => self.code_step(Some(d)),
                Some(Frame::Tmpl { quote, triple, raw }) => match self.peek(0) {
                    b'\\' if !raw => self.bump_n(2),
                    b'$' if self.peek(1) == b'{' => {
                        self.lit.2 = true;
                        self.bump_n(2);
                        self.stack.push(Frame::Code(0));
                        self.prev = Prev::Start;
                    }
                    b'\n' if !triple && quote == b'"' => self.leave(), // unterminated
                    b if b == quote && (!triple || self.b[self.pos..].starts_with(b"\"\"\"")) => {
                        if triple {
                            self.bump_n(2);
                            while self.peek(1) == b'"' {
                                self.bump(); // `""""`: the last three quotes close it
                            }
                        }
                        self.bump();
                        self.leave();
                    }
                    _ => self.bump(),
                },
                Some(Frame::JsxTag { closing }) => match self.peek(0) {
                    q @ (b'"' | b'\'') => self.skip_quoted(q, false, true),
                    b'{' => {
                        self.bump();
                        self.stack.push(Frame::Code(0));
                        self.prev = Prev::Start;
                    }
                    b'/' if self.peek(1) == b'>' => {
                        self.bump_n(2);
                        self.leave();
                    }
                    b'>' => {
                        self.bump();
                        if closing {
                            self.stack.pop();
                            self.leave(); // the children of the element it closes
                        } else {
                            self.stack.pop();
                            self.stack.push(Frame::JsxText);
                        }
                    }
                    _ => self.bump(),
                },
                Some(Frame::JsxText) => match self.peek(0) {
                    b'<' if self.peek(1) == b'/' => {
                        self.bump_n(2);
                        self.stack.push(Frame::JsxTag { closing: true });
                    }
                    b'<' => {
                        self.bump();
                        self.stack.push(Frame::JsxTag { closing: false });
                    }
                    b'{' => {
                        self.bump();
                        self.stack.push(Frame::Code(0));
                        self.prev = Prev::Start;
                    }
                    _ => self.bump(),
                },
            }
            if self.pos == before {
                self.bump(); // never stall
            }
        }
        if !self.stack.is_empty() {
            self.stack.clear();
            let (start, line, interpolated) = self.lit;
            self.push_token(TokKind::Lit, start, line);
            if let Some(t) = self.out.tokens.last_mut() {
                t.interpolated = interpolated;
            }
        }
        self.out.pair = pairs(&self.out.tokens);
        self.out
    }
}

/// Matching brackets: unclosed openers pair with the last token (or, when a closer of
/// an outer bracket comes first, with the token before it); stray closers with themselves.
fn pairs(tokens: &[Token]) -> Vec<usize> {
    let mut pair: Vec<usize> = (0..tokens.len()).collect();
    let mut stack: Vec<(usize, u8)> = Vec::new();
    // Where in `stack` the openers of each kind stand, innermost last: a closer finds
    // its opener at once. Searching the stack for it took time quadratic in a file of
    // unmatched brackets (`[[[…)))…`).
    let mut of_kind: [Vec<usize>; 3] = Default::default();
    let kind = |b: u8| match b {
        b'(' => 0,
        b'[' => 1,
        _ => 2,
    };
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != TokKind::Punct {
            continue;
        }
        let open = match t.text.as_bytes() {
            [o @ (b'(' | b'[' | b'{')] => {
                of_kind[kind(*o)].push(stack.len());
                stack.push((i, *o));
                continue;
            }
            b")" => b'(',
            b"]" => b'[',
            b"}" => b'{',
            _ => continue,
        };
        if let Some(k) = of_kind[kind(open)].pop() {
            let opener = stack[k].0;
            for (j, o) in stack.drain(k..).skip(1) {
                of_kind[kind(o)].pop();
                pair[j] = i - 1;
            }
            pair[opener] = i;
            pair[i] = opener;
        }
    }
    let last = tokens.len().saturating_sub(1);
    for (j, _) in stack {
        pair[j] = last;
    }
    pair
}

/// Splits a block comment's text into lines, dropping the decorative ` * ` of
/// continuation lines.
/// `first_col` is the column of `start`.
fn push_block_lines<'a>(
    out: &mut Vec<Comment<'a>>,
    src: &'a str,
    first_col: usize,
    start: usize,
    end: usize,
    line: usize,
    own_line: bool,
) {
    let mut offset = start;
    for (i, piece) in src[start..end].split('\n').enumerate() {
        let piece_start = offset;
        offset += piece.len() + 1;
        let piece = piece.strip_suffix('\r').unwrap_or(piece);
        let (text, col) = if i == 0 {
            (piece, first_col)
        } else {
            let trimmed = piece.trim_start();
            let trimmed = trimmed.strip_prefix('*').filter(|t| !t.starts_with('/')).unwrap_or(trimmed);
            let skipped = piece.len() - trimmed.len();
            (trimmed, src[piece_start..piece_start + skipped].chars().count() + 1)
        };
        out.push(Comment { line: line + i, col, text, kind: CommentKind::Plain, own_line: own_line || i > 0 });
    }
}

pub fn lex<'a>(src: &'a str, dialect: &Dialect) -> Lexed<'a> {
    let lexer = Lexer {
        src,
        b: src.as_bytes(),
        d: dialect,
        pos: 0,
        line: 1,
        stack: Vec::new(),
        prev: Prev::Start,
        out: Lexed { src, columns: Columns::new(src), ..Lexed::default() },
        lit: (0, 1, false),
    };
    lexer.run()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(src: &str, d: &Dialect) -> Vec<(usize, usize, String, bool)> {
        lex(src, d).comments.iter().map(|c| (c.line, c.col, c.text.to_owned(), c.own_line)).collect()
    }

    fn texts<'a>(l: &'a Lexed) -> Vec<&'a str> {
        l.tokens.iter().map(|t| t.text).collect()
    }

    #[test]
    fn comments_with_lines_columns_and_own_line() {
        let src = "// a\nx(1) // b\n  /* c\n   * d */ y\n/** e */\n";
        assert_eq!(
            comments(src, &Dialect::JAVASCRIPT),
            [
                (1, 3, " a".into(), true),
                (2, 8, " b".into(), false),
                (3, 5, " c".into(), true),
                (4, 5, " d ".into(), true),
                (5, 4, " e ".into(), true),
            ]
        );
    }

    #[test]
    fn an_escaped_line_break_in_a_regex_shifted_every_line_below() {
        // Found by the fuzzer: `/a\` then a line break was read as a regular expression
        // running on to the next line, and the lines below were numbered one short.
        let src = "x = /a\\\n/;\n// incident: J-1\n";
        assert_eq!(comments(src, &Dialect::JAVASCRIPT), [(3, 3, " incident: J-1".into(), true)]);
        assert_eq!(lex(src, &Dialect::JAVASCRIPT).tokens.last().map(|t| t.line), Some(2));
    }

    // incident: IG-2026-008
    #[test]
    fn unmatched_brackets_took_time_quadratic_in_their_number() {
        // Found by the fuzzer: each `)` searched the whole stack of unclosed `[` for its
        // opener: 4 × 10⁸ steps for these 40,000 brackets.
        let src = format!("{}{}(x)", "[".repeat(20_000), ")".repeat(20_000));
        let l = lex(&src, &Dialect::GO);
        let n = l.tokens.len();
        assert_eq!((l.pair[40_000], l.pair[40_002]), (40_002, 40_000));
        assert_eq!((l.pair[0], l.pair[20_000]), (n - 1, 20_000), "unclosed to the end; stray closers alone");
        let nested = lex("{ ( [ } ]", &Dialect::GO);
        assert_eq!(nested.pair, [3, 2, 2, 0, 4], "a closer closes what opened inside its opener");
    }

    #[test]
    fn literals_hide_comment_lookalikes() {
        let src = "a = \"// incident: A\"; b = '/* x'; c = `// ${d(\"}\") + `/*${e}*/`} //`;\n// real\n";
        let l = lex(src, &Dialect::JAVASCRIPT);
        assert_eq!(l.comments.len(), 1);
        assert_eq!(l.comments[0].text, " real");
        assert!(l.tokens.iter().any(|t| t.kind == TokKind::Lit && t.interpolated));
        let go = lex("s := `\n// incident: X\n`\nr := '\"' // c\n", &Dialect::GO);
        assert_eq!(go.comments.iter().map(|c| (c.line, c.text)).collect::<Vec<_>>(), [(4, " c")]);
    }

    #[test]
    fn kotlin_templates_raw_strings_nested_comments_and_backtick_names() {
        let src = "val s = \"${m[\"//\"]}\" /* a /* b */ c */\nval r = \"\"\"\n// no\n\"\"\"\"\nfun `adds two`() {}\n";
        let l = lex(src, &Dialect::KOTLIN);
        assert_eq!(comments(src, &Dialect::KOTLIN), [(1, 24, " a /* b */ c ".into(), false)]);
        assert!(texts(&l).contains(&"adds two"));
        assert_eq!(l.string_value(3), None);
        assert_eq!(l.tokens.iter().filter(|t| t.kind == TokKind::Lit).count(), 2);
    }

    #[test]
    fn regex_and_division() {
        let src = "x = a / b; r = /\\/\\/[/]\"/g; y = (c) / 2 // d\nif (/'/.test(s)) {}\n";
        let l = lex(src, &Dialect::JAVASCRIPT);
        assert_eq!(comments(src, &Dialect::JAVASCRIPT), [(1, 43, " d".into(), false)]);
        assert!(texts(&l).contains(&"/\\/\\/[/]\"/g"));
        assert!(texts(&l).contains(&"/'/"));
    }

    #[test]
    fn jsx_text_is_not_code() {
        let src = "render(<p className=\"a\">Don't {x && <b>it's</b>} {/* c */}</p>);\n// after\nconst f = <T,>(x: T) => x; // generic\n";
        let l = lex(src, &Dialect::JAVASCRIPT);
        let found: Vec<(usize, String)> = l.comments.iter().map(|c| (c.line, c.text.to_owned())).collect();
        assert_eq!(found, [(1, " c ".to_owned()), (2, " after".to_owned()), (3, " generic".to_owned())]);
        assert_eq!(l.tokens[2].text, "<p className=\"a\">Don't {x && <b>it's</b>} {/* c */}</p>");
    }

    #[test]
    fn string_values_and_brackets() {
        let l = lex("f('a\\'b', \"c\", `d`, `e${1}`, \"\\n\") { g[0] }", &Dialect::JAVASCRIPT);
        let values: Vec<Option<String>> = [2, 4, 6, 8, 10].iter().map(|&i| l.string_value(i)).collect();
        assert_eq!(values, [Some("a'b".into()), Some("c".into()), Some("d".into()), None, Some("\n".into())]);
        let escapes = lex(r#"f("\/\x41\u0042\u{43}\q")"#, &Dialect::JAVASCRIPT);
        assert_eq!(escapes.string_value(2).as_deref(), Some("/ABCq"));
        assert_eq!(l.close_of(1), 11);
        assert_eq!(l.close_of(12), l.tokens.len() - 1);
        assert_eq!(l.col(l.tokens[4].start), 11);
    }

    #[test]
    fn garbage_never_panics_or_hangs() {
        let samples = [
            "\"",
            "'",
            "`",
            "`${",
            "`${`${",
            "/*",
            "/* /*",
            "<",
            "<a",
            "<a>",
            "</",
            "<>{",
            "\"\"\"",
            "\"\"\"\"",
            "/[",
            "x = /",
            "é\"",
            "${}}}",
            ")]}",
            "((([[[{{{",
            "<a b='",
            "`\\",
            "\"\\",
            "'\\",
        ];
        for d in [Dialect::JAVASCRIPT, Dialect::TYPESCRIPT, Dialect::JAVA, Dialect::KOTLIN, Dialect::GO] {
            for s in samples {
                let _ = lex(s, &d);
                for cut in 0..s.len() {
                    if s.is_char_boundary(cut) {
                        let _ = lex(&s[..cut], &d);
                    }
                }
            }
            let deep = "`${".repeat(20_000) + &"<a>{".repeat(20_000);
            let _ = lex(&deep, &d);
        }
    }
}
