//! The items of a Rust file, found by a lexer in one pass without building a syntax tree:
//! each item's attributes, name, extent and body, and the items inside inline modules,
//! impl blocks and macro invocations. `syn` builds a tree of every token, expression and
//! statement of a file, which costs about a hundred times the file's bytes in memory and
//! most of a check's time on a large crate; finding which fns are tests and which files
//! `mod` declares needs only this skeleton. `syn` is still given what needs its judgement:
//! attributes that state conditions (`#[cfg(…)]`), and the items that carry a marker,
//! which it checks parse (see `rust.rs`).
//!
//! The skeleton is lenient where the compiler is strict (it does not check what stands
//! inside an item), and strict where the extents depend on it: a delimiter that is not
//! closed, or closed by the wrong one, an unterminated string or block comment is an
//! error, as it is for `syn`.

use std::ops::Range;

/// Why a file has no skeleton: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub at: usize,
    pub message: String,
}

/// An outer attribute (`#[…]`) or an inner one (`#![…]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr {
    /// From the `#` to the closing `]`.
    pub span: Range<usize>,
    /// Its path as written without spaces (`test`, `tokio::test`, `cfg_attr`), empty when
    /// it does not start with one.
    pub path: String,
    /// Exactly `#[cfg(test)]`, which always holds in a test build: by far the most common
    /// condition, decided here without `syn`.
    pub cfg_test: bool,
    /// How deeply its brackets nest.
    pub depth: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// From its first outer attribute or doc comment (or its first token) to its last
    /// token.
    pub span: Range<usize>,
    /// Its outer attributes, in order; doc comments are not among them.
    pub attrs: Vec<Attr>,
    /// The end of its last outer attribute or doc comment, if it has any.
    pub attrs_end: Option<usize>,
    /// Where the item itself starts: its visibility, qualifiers or keyword.
    pub head: usize,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A fn: its name, and its body's braces (none for a declaration).
    Fn { name: Range<usize>, body: Option<Range<usize>> },
    /// `mod NAME;` or `mod NAME { … }`.
    Mod { name: Range<usize>, body: Option<Body> },
    /// An impl block and the items of its body.
    Impl { body: Body },
    /// A macro invocation at item level (`name! { … }`, `name!(…);`, `macro_rules! m { … }`):
    /// the last segment of its path, and its delimited tokens.
    Macro { name: Range<usize>, tokens: Range<usize> },
    /// A `use` declaration.
    Use,
    /// Any other item, described as `syn`'s items are in messages ("struct Cart").
    Other { what: String },
}

/// The inside of a module or impl block: its braces, inner attributes and items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub braces: Range<usize>,
    pub inner_attrs: Vec<Attr>,
    pub items: Vec<Item>,
}

/// A file's inner attributes and items.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skeleton {
    pub inner_attrs: Vec<Attr>,
    pub items: Vec<Item>,
}

/// How deeply modules and impl blocks may nest in the skeleton: the parser recurses on
/// them, and a crafted file could nest thousands.
pub const MAX_MODULE_DEPTH: usize = 32;

/// The skeleton of `src`.
pub fn parse(src: &str) -> Result<Skeleton, Error> {
    let mut p = Parser { lex: Lexer::new(src), ahead: Vec::new(), src };
    let (inner_attrs, items, _) = p.items(None, 0)?;
    Ok(Skeleton { inner_attrs, items })
}

/// A token of a macro's tokens, groups whole, as `proc_macro2` gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tree {
    Ident(Range<usize>),
    Punct(u8, usize),
    /// Its delimiter (`(`, `[` or `{`), its extent with the delimiters, and how deeply its
    /// brackets nest.
    Group(u8, Range<usize>, usize),
    /// A doc comment (`///`, `//!`, `/** */`, `/*! */`), which is an attribute.
    Doc {
        span: Range<usize>,
        inner: bool,
    },
    /// A literal or a lifetime.
    Other(Range<usize>),
}

impl Tree {
    pub fn span(&self) -> Range<usize> {
        match self {
            Tree::Ident(r) | Tree::Group(_, r, _) | Tree::Other(r) | Tree::Doc { span: r, .. } => r.clone(),
            Tree::Punct(_, at) => *at..at + 1,
        }
    }
}

/// The tokens inside a group (`group` is its extent, delimiters included), groups whole.
pub fn trees(src: &str, group: Range<usize>) -> Result<Vec<Tree>, Error> {
    let inner = group.start + 1..group.end.saturating_sub(1).max(group.start + 1);
    let mut p = Parser { lex: Lexer::at(src, inner.start, inner.end), ahead: Vec::new(), src };
    let mut out = Vec::new();
    loop {
        let t = p.peek(0)?;
        out.push(match t.tok {
            Tok::Eof => return Ok(out),
            Tok::Open(b) => {
                let (span, depth) = p.group()?;
                Tree::Group(b, span, depth)
            }
            Tok::Close(_) => return Err(Error { at: t.start, message: "unexpected closing delimiter".into() }),
            Tok::Ident => {
                p.take()?;
                Tree::Ident(t.start..t.end)
            }
            Tok::Punct(b) => {
                p.take()?;
                Tree::Punct(b, t.start)
            }
            Tok::OuterDoc | Tok::InnerDoc => {
                p.take()?;
                Tree::Doc { span: t.start..t.end, inner: t.tok == Tok::InnerDoc }
            }
            _ => {
                p.take()?;
                Tree::Other(t.start..t.end)
            }
        });
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Ident,
    Lifetime,
    Literal,
    Punct(u8),
    Open(u8),
    Close(u8),
    /// `///` or `/** */`: an outer doc attribute.
    OuterDoc,
    /// `//!` or `/*! */`.
    InnerDoc,
    Eof,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    end: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Lexer<'a> {
        let mut lex = Lexer::at(src, 0, src.len());
        // A shebang line is not a token, but `#![attr]` is an attribute.
        if src.starts_with("#!") && !src[2..].trim_start().starts_with('[') {
            lex.pos = src.find('\n').unwrap_or(src.len());
        }
        lex
    }

    fn at(src: &'a str, start: usize, end: usize) -> Lexer<'a> {
        Lexer { src, bytes: src.as_bytes(), pos: start, end }
    }

    fn peek(&self, ahead: usize) -> u8 {
        if self.pos + ahead < self.end { self.bytes[self.pos + ahead] } else { 0 }
    }

    fn error<T>(&self, at: usize, message: &str) -> Result<T, Error> {
        Err(Error { at, message: message.to_owned() })
    }

    /// Skips a quoted literal whose opening quote is at `pos`.
    /// Steps over a block comment whose `/*` is next (they nest), or says where an
    /// unterminated one starts.
    fn block_comment(&mut self, start: usize) -> Result<(), Error> {
        self.pos += 2;
        let mut nesting = 1;
        while nesting > 0 {
            if self.pos >= self.end {
                return self.error(start, "unterminated block comment");
            }
            if self.peek(0) == b'/' && self.peek(1) == b'*' {
                nesting += 1;
                self.pos += 2;
            } else if self.peek(0) == b'*' && self.peek(1) == b'/' {
                nesting -= 1;
                self.pos += 2;
            } else {
                self.pos += 1;
            }
        }
        Ok(())
    }

    fn quoted(&mut self, quote: u8, start: usize) -> Result<(), Error> {
        self.pos += 1;
        while self.pos < self.end {
            match memchr::memchr2(quote, b'\\', &self.bytes[self.pos..self.end]) {
                Some(i) if self.bytes[self.pos + i] == quote => {
                    self.pos += i + 1;
                    return Ok(());
                }
                Some(i) => self.pos += i + 2,
                None => self.pos = self.end,
            }
        }
        self.error(start, if quote == b'"' { "unterminated string" } else { "unterminated character literal" })
    }

    /// Skips `#…#"…"#…#` from the first `#` or `"`; `false` when it is a raw identifier.
    fn raw(&mut self, start: usize) -> Result<bool, Error> {
        let mut hashes = 0;
        while self.peek(hashes) == b'#' {
            hashes += 1;
        }
        if self.peek(hashes) != b'"' {
            return Ok(false);
        }
        self.pos += hashes + 1;
        while self.pos < self.end {
            if self.bytes[self.pos] == b'"' && (1..=hashes).all(|i| self.peek(i) == b'#') {
                self.pos += hashes + 1;
                return Ok(true);
            }
            self.pos += 1;
        }
        self.error(start, "unterminated raw string")
    }

    fn next(&mut self) -> Result<Token, Error> {
        loop {
            while self.pos < self.end && self.bytes[self.pos].is_ascii_whitespace() {
                self.pos += 1;
            }
            let start = self.pos;
            if start >= self.end {
                return Ok(Token { tok: Tok::Eof, start: self.end, end: self.end });
            }
            let b = self.bytes[start];
            let tok = match b {
                b'/' if self.peek(1) == b'/' => {
                    let doc = match (self.peek(2), self.peek(3)) {
                        (b'/', b'/') => None,
                        (b'/', _) => Some(Tok::OuterDoc),
                        (b'!', _) => Some(Tok::InnerDoc),
                        _ => None,
                    };
                    self.pos = memchr_newline(&self.bytes[..self.end], start);
                    match doc {
                        Some(tok) => tok,
                        None => continue,
                    }
                }
                b'/' if self.peek(1) == b'*' => {
                    let doc = match (self.peek(2), self.peek(3)) {
                        (b'*', b'*') | (b'*', b'/') => None,
                        (b'*', _) => Some(Tok::OuterDoc),
                        (b'!', _) => Some(Tok::InnerDoc),
                        _ => None,
                    };
                    self.block_comment(start)?;
                    match doc {
                        Some(tok) => tok,
                        None => continue,
                    }
                }
                b'"' => {
                    self.quoted(b'"', start)?;
                    Tok::Literal
                }
                b'\'' => {
                    if self.peek(1) == b'\\' {
                        self.quoted(b'\'', start)?;
                        Tok::Literal
                    } else {
                        let len = self.src[start + 1..self.end].chars().next().map_or(1, char::len_utf8);
                        if self.peek(1 + len) == b'\'' {
                            self.pos += len + 2;
                            Tok::Literal
                        } else {
                            self.pos += 1;
                            while self.pos < self.end && is_ident_continue(self.bytes[self.pos]) {
                                self.pos += 1;
                            }
                            Tok::Lifetime
                        }
                    }
                }
                b'(' | b'[' | b'{' => {
                    self.pos += 1;
                    Tok::Open(b)
                }
                b')' | b']' | b'}' => {
                    self.pos += 1;
                    Tok::Close(b)
                }
                b if b.is_ascii_digit() => {
                    while self.pos < self.end && is_ident_continue(self.bytes[self.pos]) {
                        self.pos += 1;
                    }
                    Tok::Literal
                }
                b if is_ident_start(b) => {
                    while self.pos < self.end && is_ident_continue(self.bytes[self.pos]) {
                        self.pos += 1;
                    }
                    match (&self.src[start..self.pos], self.peek(0)) {
                        ("r" | "br" | "cr", b'"' | b'#') => {
                            if self.raw(start)? {
                                Tok::Literal
                            } else {
                                // `r#ident`: a raw identifier.
                                self.pos += 1;
                                while self.pos < self.end && is_ident_continue(self.bytes[self.pos]) {
                                    self.pos += 1;
                                }
                                Tok::Ident
                            }
                        }
                        ("b" | "c", b'"') => {
                            self.quoted(b'"', start)?;
                            Tok::Literal
                        }
                        ("b", b'\'') => {
                            self.quoted(b'\'', start)?;
                            Tok::Literal
                        }
                        _ => Tok::Ident,
                    }
                }
                _ => {
                    self.pos += 1;
                    Tok::Punct(b)
                }
            };
            return Ok(Token { tok, start, end: self.pos });
        }
    }
}

/// The bytes at which skipping a group must look closer: delimiters, quotes, a `/` that
/// may start a comment, and the letters that may start a raw or byte string.
static STOPS: [bool; 256] = {
    let mut t = [false; 256];
    let stops = b"()[]{}\"'/rbc";
    let mut i = 0;
    while i < stops.len() {
        t[stops[i] as usize] = true;
        i += 1;
    }
    t
};

impl Lexer<'_> {
    /// Skips the rest of a group whose opening delimiter (`first`, at `open`) was just
    /// taken, without making tokens: most of a file is fn bodies, which the skeleton only
    /// steps over. Returns the group's end and how deeply its brackets nest.
    fn skip_group(&mut self, first: u8, open: usize) -> Result<(usize, usize), Error> {
        let mut stack = vec![first];
        let mut depth = 1;
        let bytes = self.bytes;
        while self.pos < self.end {
            while self.pos < self.end && !STOPS[bytes[self.pos] as usize] {
                self.pos += 1;
            }
            if self.pos >= self.end {
                break;
            }
            let at = self.pos;
            match bytes[at] {
                b @ (b'(' | b'[' | b'{') => {
                    stack.push(b);
                    depth = depth.max(stack.len());
                    self.pos += 1;
                }
                b @ (b')' | b']' | b'}') => {
                    if stack.last().map(|&o| closer(o)) != Some(b) {
                        return self.error(at, "mismatched closing delimiter");
                    }
                    stack.pop();
                    self.pos += 1;
                    if stack.is_empty() {
                        return Ok((self.pos, depth));
                    }
                }
                b'"' => self.quoted(b'"', at)?,
                b'\'' => {
                    if self.peek(1) == b'\\' {
                        self.quoted(b'\'', at)?;
                    } else {
                        let len = self.src[at + 1..self.end].chars().next().map_or(1, char::len_utf8);
                        self.pos += if self.peek(1 + len) == b'\'' { len + 2 } else { 1 };
                    }
                }
                b'/' if self.peek(1) == b'/' => self.pos = memchr_newline(&bytes[..self.end], at),
                b'/' if self.peek(1) == b'*' => self.block_comment(at)?,
                b'r' | b'b' | b'c' if at == 0 || !is_ident_continue(bytes[at - 1]) => {
                    // The start of an identifier: a prefix of a raw or byte string, or a
                    // word to step over whole (so that its last letter is not taken for
                    // a prefix).
                    while self.pos < self.end && is_ident_continue(bytes[self.pos]) {
                        self.pos += 1;
                    }
                    match (&self.src[at..self.pos], self.peek(0)) {
                        // A raw string, or else `r#ident`, whose `#` is stepped over.
                        ("r" | "br" | "cr", b'"' | b'#') => self.pos += usize::from(!self.raw(at)?),
                        ("b" | "c", b'"') => self.quoted(b'"', at)?,
                        ("b", b'\'') => self.quoted(b'\'', at)?,
                        _ => {}
                    }
                }
                _ => self.pos += 1,
            }
        }
        self.error(open, "this delimiter is never closed")
    }
}

/// The offset of the next `\n` at or after `from`, or the end.
fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i)
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

/// Generic arguments open around a token (`Tr<{ 1 }>`): a brace inside them is a const
/// argument, not an item's body. `->` closes nothing.
#[derive(Default)]
struct Angles {
    depth: usize,
    /// The end of the last `-`, to tell `->` from `>`.
    minus_end: Option<usize>,
}

impl Angles {
    fn see(&mut self, t: Token) {
        match t.tok {
            Tok::Punct(b'<') => self.depth += 1,
            Tok::Punct(b'>') if self.minus_end != Some(t.start) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        self.minus_end = (t.tok == Tok::Punct(b'-')).then_some(t.end);
    }
}

struct Parser<'a> {
    lex: Lexer<'a>,
    /// Tokens looked at but not taken, next first at the end.
    ahead: Vec<Token>,
    src: &'a str,
}

impl<'a> Parser<'a> {
    fn peek(&mut self, n: usize) -> Result<Token, Error> {
        while self.ahead.len() <= n {
            let t = self.lex.next()?;
            self.ahead.insert(0, t);
        }
        Ok(self.ahead[self.ahead.len() - 1 - n])
    }

    fn take(&mut self) -> Result<Token, Error> {
        match self.ahead.pop() {
            Some(t) => Ok(t),
            None => self.lex.next(),
        }
    }

    fn text(&self, t: Token) -> &'a str {
        &self.src[t.start..t.end]
    }

    fn is_ident(&mut self, n: usize, word: &str) -> Result<bool, Error> {
        let t = self.peek(n)?;
        Ok(t.tok == Tok::Ident && self.text(t) == word)
    }

    /// Takes a delimited group whose opening token is next; returns its extent and how
    /// deeply it nests. Doc comments inside are tokens like any other.
    fn group(&mut self) -> Result<(Range<usize>, usize), Error> {
        let open = self.take()?;
        let Tok::Open(first) = open.tok else {
            return Err(Error { at: open.start, message: "expected a group".into() });
        };
        if self.ahead.is_empty() {
            let (end, depth) = self.lex.skip_group(first, open.start)?;
            return Ok((open.start..end, depth));
        }
        let mut stack = vec![first];
        let mut depth = 1;
        while let Some(&top) = stack.last() {
            let t = self.take()?;
            match t.tok {
                Tok::Open(b) => {
                    stack.push(b);
                    depth = depth.max(stack.len());
                }
                Tok::Close(b) if b == closer(top) => {
                    stack.pop();
                    if stack.is_empty() {
                        return Ok((open.start..t.end, depth));
                    }
                }
                Tok::Close(_) => return Err(Error { at: t.start, message: "mismatched closing delimiter".into() }),
                Tok::Eof => return Err(Error { at: open.start, message: "this delimiter is never closed".into() }),
                _ => {}
            }
        }
        unreachable!("the loop returns when the stack empties")
    }

    /// An attribute whose `#` is next; `inner` when it is `#![…]`.
    fn attr(&mut self, inner: bool) -> Result<Attr, Error> {
        let hash = self.take()?;
        if inner {
            self.take()?; // `!`
        }
        // The path: identifiers and `::` right after the `[`.
        let mut path = String::new();
        let mut n = 1;
        loop {
            let t = self.peek(n)?;
            match t.tok {
                Tok::Ident => path.push_str(self.text(t)),
                Tok::Punct(b':') => path.push(':'),
                _ => break,
            }
            n += 1;
        }
        let cfg_test = path == "cfg" && {
            let toks = [self.peek(n)?, self.peek(n + 1)?, self.peek(n + 2)?, self.peek(n + 3)?];
            toks[0].tok == Tok::Open(b'(')
                && toks[1].tok == Tok::Ident
                && self.text(toks[1]) == "test"
                && toks[2].tok == Tok::Close(b')')
                && toks[3].tok == Tok::Close(b']')
        };
        let (group, depth) = self.group()?;
        Ok(Attr { span: hash.start..group.end, path, cfg_test, depth })
    }

    /// Items until the closing brace (taken) or, at the top, the end of the text. Returns
    /// the inner attributes, the items, and the end of the closing brace (or the text).
    fn items(&mut self, close: Option<usize>, depth: usize) -> Result<(Vec<Attr>, Vec<Item>, usize), Error> {
        if depth > MAX_MODULE_DEPTH {
            let at = self.peek(0)?.start;
            return Err(Error {
                at,
                message: format!("modules nest too deeply to read (more than {MAX_MODULE_DEPTH} levels)"),
            });
        }
        let mut inner = Vec::new();
        let mut items = Vec::new();
        loop {
            let mut attrs = Vec::new();
            let mut first: Option<usize> = None;
            let mut attrs_end = None;
            loop {
                let t = self.peek(0)?;
                match t.tok {
                    Tok::InnerDoc => {
                        self.take()?;
                    }
                    Tok::OuterDoc => {
                        first.get_or_insert(t.start);
                        attrs_end = Some(t.end);
                        self.take()?;
                    }
                    Tok::Punct(b'#') => {
                        let (a, b) = (self.peek(1)?, self.peek(2)?);
                        if a.tok == Tok::Punct(b'!') && b.tok == Tok::Open(b'[') {
                            inner.push(self.attr(true)?);
                        } else if a.tok == Tok::Open(b'[') {
                            first.get_or_insert(t.start);
                            let attr = self.attr(false)?;
                            attrs_end = Some(attr.span.end);
                            attrs.push(attr);
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            let t = self.peek(0)?;
            match t.tok {
                Tok::Eof if close.is_none() => return Ok((inner, items, t.end)),
                Tok::Eof => {
                    return Err(Error { at: close.unwrap_or(0), message: "this delimiter is never closed".into() });
                }
                Tok::Close(b'}') if close.is_some() => {
                    self.take()?;
                    return Ok((inner, items, t.end));
                }
                Tok::Close(_) => return Err(Error { at: t.start, message: "unexpected closing delimiter".into() }),
                Tok::Punct(b';') if attrs.is_empty() && first.is_none() => {
                    self.take()?;
                }
                _ => {
                    let (span_end, kind) = self.item(depth)?;
                    items.push(Item {
                        span: first.unwrap_or(t.start)..span_end,
                        attrs,
                        attrs_end,
                        head: t.start,
                        kind,
                    });
                }
            }
        }
    }

    /// Tokens up to and including the first `;` outside groups, or up to the first
    /// `{ … }` group (taken) when `brace_ends`. Returns the end, and the braces' extent
    /// when a group ended it.
    fn rest(&mut self, brace_ends: bool) -> Result<(usize, Option<Range<usize>>), Error> {
        let mut angles = Angles::default();
        loop {
            let t = self.peek(0)?;
            angles.see(t);
            match t.tok {
                Tok::Punct(b';') => {
                    self.take()?;
                    return Ok((t.end, None));
                }
                Tok::Open(b'{') if brace_ends && angles.depth == 0 => {
                    let (g, _) = self.group()?;
                    return Ok((g.end, Some(g)));
                }
                Tok::Open(_) => {
                    self.group()?;
                }
                Tok::Close(_) | Tok::Eof => {
                    // An item cut short (`fn f()` at the end of a module): it ends here;
                    // the caller reports the closer if it is wrong.
                    return Ok((t.start, None));
                }
                _ => {
                    self.take()?;
                }
            }
        }
    }

    /// The identifier next, if it is one.
    fn name(&mut self) -> Result<Option<Range<usize>>, Error> {
        let t = self.peek(0)?;
        if t.tok == Tok::Ident {
            self.take()?;
            return Ok(Some(t.start..t.end));
        }
        Ok(None)
    }

    fn item(&mut self, depth: usize) -> Result<(usize, Kind), Error> {
        // Visibility: `pub`, `pub(crate)`, `pub(in path)`.
        if self.is_ident(0, "pub")? {
            self.take()?;
            if self.peek(0)?.tok == Tok::Open(b'(') {
                self.group()?;
            }
        }
        // Qualifiers, and `extern "C"` before `fn` or a block.
        loop {
            let t = self.peek(0)?;
            if t.tok != Tok::Ident {
                break;
            }
            match self.text(t) {
                "default" | "async" | "unsafe" | "safe" | "auto" => {
                    // `default`/`auto`/`safe` are keywords only before another keyword.
                    let next = self.peek(1)?;
                    if next.tok != Tok::Ident {
                        break;
                    }
                    self.take()?;
                }
                "const"
                    if self.peek(1)?.tok == Tok::Ident && {
                        let n = self.peek(1)?;
                        matches!(self.text(n), "fn" | "unsafe" | "async" | "extern" | "safe")
                    } =>
                {
                    self.take()?;
                }
                "extern" => {
                    let next = self.peek(1)?;
                    if next.tok == Tok::Ident && self.text(next) == "crate" {
                        self.take()?;
                        self.take()?;
                        let name = self.name()?.map(|n| self.src[n].to_owned()).unwrap_or_default();
                        let (end, _) = self.rest(false)?;
                        return Ok((end, Kind::Other { what: format!("extern crate {name}") }));
                    }
                    self.take()?;
                    if self.peek(0)?.tok == Tok::Literal {
                        self.take()?;
                    }
                    if self.peek(0)?.tok == Tok::Open(b'{') {
                        let (g, _) = self.group()?;
                        return Ok((g.end, Kind::Other { what: "an extern block".into() }));
                    }
                }
                _ => break,
            }
        }
        let t = self.peek(0)?;
        if t.tok != Tok::Ident {
            // Not an item the skeleton knows: up to its end.
            let (end, _) = self.rest(true)?;
            return Ok((end.max(t.end), Kind::Other { what: "an item".into() }));
        }
        let keyword = self.text(t).to_owned();
        match keyword.as_str() {
            "fn" => {
                self.take()?;
                let name = self.name()?.unwrap_or(t.end..t.end);
                let (end, body) = self.rest(true)?;
                Ok((end, Kind::Fn { name, body }))
            }
            "mod" if self.peek(1)?.tok == Tok::Ident => {
                self.take()?;
                let name = self.name()?.unwrap_or(t.end..t.end);
                if self.peek(0)?.tok == Tok::Open(b'{') {
                    let open = self.take()?;
                    let (inner_attrs, items, end) = self.items(Some(open.start), depth + 1)?;
                    Ok((end, Kind::Mod { name, body: Some(Body { braces: open.start..end, inner_attrs, items }) }))
                } else {
                    let (end, _) = self.rest(false)?;
                    Ok((end, Kind::Mod { name, body: None }))
                }
            }
            "impl" => {
                self.take()?;
                // Up to the body's brace, outside any group and generic arguments.
                let mut angles = Angles::default();
                loop {
                    let n = self.peek(0)?;
                    angles.see(n);
                    match n.tok {
                        Tok::Open(b'{') if angles.depth == 0 => break,
                        Tok::Open(_) => {
                            self.group()?;
                        }
                        Tok::Punct(b';') | Tok::Close(_) | Tok::Eof => {
                            let (end, _) = self.rest(false)?;
                            return Ok((end, Kind::Other { what: "an impl block".into() }));
                        }
                        _ => {
                            self.take()?;
                        }
                    }
                }
                let open = self.take()?;
                let (inner_attrs, items, end) = self.items(Some(open.start), depth + 1)?;
                Ok((end, Kind::Impl { body: Body { braces: open.start..end, inner_attrs, items } }))
            }
            "macro_rules" if self.peek(1)?.tok == Tok::Punct(b'!') => {
                self.take()?;
                self.take()?;
                self.name()?;
                self.macro_tokens(t)
            }
            "struct" | "enum" | "union" | "trait" | "type" | "const" | "static" | "use" | "macro"
                if keyword != "union" || self.peek(1)?.tok == Tok::Ident =>
            {
                self.take()?;
                if keyword == "static" && self.is_ident(0, "mut")? {
                    self.take()?;
                }
                let name = self.name()?.map(|n| self.src[n].to_owned());
                if keyword == "use" {
                    let (end, _) = self.rest(false)?;
                    return Ok((end, Kind::Use));
                }
                let (brace_ends, what) = match keyword.as_str() {
                    "const" | "static" | "type" => (false, format!("{keyword} {}", name.unwrap_or_default())),
                    _ => (true, format!("{keyword} {}", name.unwrap_or_default())),
                };
                let mut what = what;
                if keyword == "trait" && self.trait_alias()? {
                    what = what.replacen("trait", "trait alias", 1);
                    let (end, _) = self.rest(false)?;
                    return Ok((end, Kind::Other { what }));
                }
                let (end, _) = self.rest(brace_ends)?;
                Ok((end, Kind::Other { what }))
            }
            _ => {
                // A macro invocation: a path, `!`, and a group.
                let mut n = 0;
                loop {
                    let a = self.peek(n)?;
                    let b = self.peek(n + 1)?;
                    if a.tok != Tok::Ident {
                        break;
                    }
                    if b.tok == Tok::Punct(b'!') {
                        let last = a;
                        for _ in 0..n + 2 {
                            self.take()?;
                        }
                        // `name! ident { … }` (as `macro_rules!` takes a name).
                        if self.peek(0)?.tok == Tok::Ident {
                            self.take()?;
                        }
                        return self.macro_tokens(last);
                    }
                    let (c, d) = (b, self.peek(n + 2)?);
                    if c.tok == Tok::Punct(b':') && d.tok == Tok::Punct(b':') {
                        n += 3;
                        continue;
                    }
                    break;
                }
                let (end, _) = self.rest(true)?;
                Ok((end.max(t.end), Kind::Other { what: "an item".into() }))
            }
        }
    }

    /// `trait A = B;` rather than `trait A { … }`: a `=` right after the name and its
    /// generic parameters (a `=` in a bound, `Future<Output = T>`, is not one).
    fn trait_alias(&mut self) -> Result<bool, Error> {
        let mut n = 0;
        if self.peek(0)?.tok == Tok::Punct(b'<') {
            let mut angles = Angles::default();
            loop {
                let t = self.peek(n)?;
                angles.see(t);
                n += 1;
                if angles.depth == 0 {
                    break;
                }
                if matches!(t.tok, Tok::Eof | Tok::Punct(b';') | Tok::Open(b'{')) || n > 256 {
                    return Ok(false);
                }
            }
        }
        Ok(self.peek(n)?.tok == Tok::Punct(b'='))
    }

    /// A macro's group next (and the `;` after a parenthesised or bracketed one).
    fn macro_tokens(&mut self, name: Token) -> Result<(usize, Kind), Error> {
        if !matches!(self.peek(0)?.tok, Tok::Open(_)) {
            let (end, _) = self.rest(true)?;
            return Ok((end, Kind::Other { what: "a macro invocation".into() }));
        }
        let (tokens, _) = self.group()?;
        let mut end = tokens.end;
        if self.src.as_bytes()[tokens.start] != b'{' && self.peek(0)?.tok == Tok::Punct(b';') {
            end = self.take()?.end;
        }
        Ok((end, Kind::Macro { name: name.start..name.end, tokens }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<String> {
        fn walk(src: &str, items: &[Item], out: &mut Vec<String>) {
            for it in items {
                let text = |r: &Range<usize>| src[r.clone()].to_owned();
                match &it.kind {
                    Kind::Fn { name, body } => out.push(format!("fn {} body={}", text(name), body.is_some())),
                    Kind::Mod { name, body } => {
                        out.push(format!("mod {}", text(name)));
                        if let Some(b) = body {
                            walk(src, &b.items, out);
                            out.push("end".into());
                        }
                    }
                    Kind::Impl { body } => {
                        out.push("impl".into());
                        walk(src, &body.items, out);
                        out.push("end".into());
                    }
                    Kind::Macro { name, .. } => out.push(format!("macro {}", text(name))),
                    Kind::Use => out.push("use".into()),
                    Kind::Other { what } => out.push(what.clone()),
                }
            }
        }
        let mut out = Vec::new();
        walk(src, &parse(src).unwrap().items, &mut out);
        out
    }

    #[test]
    fn finds_items_and_their_extents() {
        let src = "//! inner doc\n#![cfg(test)]\nuse a::{b, c};\n/// doc\n#[test]\n#[cfg_attr(x, ignore)]\npub(crate) async fn t() -> u8 { let s = \"}\"; '}'; 1 }\nmod m;\n#[cfg(test)]\nmod tests {\n    #![allow(x)]\n    impl<T: Tr<{ 1 }>> X for Y<T> where T: Z {\n        fn method(&self) {}\n        const C: u8 = 1;\n    }\n    const F: fn() = || {};\n    struct S(u8);\n    struct R { a: u8 }\n    macro_rules! m { () => {} }\n    cfg_if::cfg_if! { if #[cfg(unix)] { mod unix; } }\n    m!(x);\n    extern crate alloc;\n    extern \"C\" { fn f(); }\n    unsafe extern \"C\" fn g() {}\n    trait T = U;\n    static mut X: u8 = 0;\n}\n";
        let s = parse(src).unwrap();
        assert_eq!(s.inner_attrs.len(), 1);
        assert!(s.inner_attrs[0].cfg_test);
        assert_eq!(
            kinds(src),
            [
                "use",
                "fn t body=true",
                "mod m",
                "mod tests",
                "impl",
                "fn method body=true",
                "const C",
                "end",
                "const F",
                "struct S",
                "struct R",
                "macro macro_rules",
                "macro cfg_if",
                "macro m",
                "extern crate alloc",
                "an extern block",
                "fn g body=true",
                "trait alias T",
                "static X",
                "end",
            ]
        );
        let t = &s.items[1];
        assert_eq!(
            &src[t.span.clone()],
            "/// doc\n#[test]\n#[cfg_attr(x, ignore)]\npub(crate) async fn t() -> u8 { let s = \"}\"; '}'; 1 }"
        );
        let paths: Vec<&str> = t.attrs.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(paths, ["test", "cfg_attr"]);
        let Kind::Mod { body: Some(body), .. } = &s.items[3].kind else { panic!() };
        assert_eq!(&src[body.braces.clone()][..1], "{");
        assert!(src[body.braces.clone()].ends_with('}'));
        assert_eq!(body.inner_attrs[0].path, "allow");
    }

    #[test]
    fn unbalanced_files_have_no_skeleton() {
        for bad in ["fn f() {", "fn f() { ) }", "mod m { fn f() {} ", "const S: &str = \"open;", "/* open", "}"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = "mod m { ".repeat(MAX_MODULE_DEPTH + 2) + &"}".repeat(MAX_MODULE_DEPTH + 2);
        assert!(parse(&deep).unwrap_err().message.contains("nest too deeply"));
        // Deep nesting inside a fn is only counted, never recursed on.
        let body = format!("fn f() {{ {}1{} }}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(kinds(&body), ["fn f body=true"]);
    }
}
