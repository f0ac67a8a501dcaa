//! A Rust lexer that knows only what it must to find comments: strings (plain, byte,
//! C, raw with any number of `#`), char literals versus lifetimes, and nested block
//! comments. `syn` drops plain `//` comments, and a regular expression over the text
//! would take `"// incident: X"` inside a string for a marker; this does neither.
//! It also counts tokens and estimates how deep a recursive-descent parser will recurse,
//! so that the parser can be given a stack deep enough for the file (see `rust.rs`).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentKind {
    /// `//` or `/* */`
    Plain,
    /// `///` or `/** */`: documents the item that follows.
    OuterDoc,
    /// `//!` or `/*! */`: documents the enclosing module or file.
    InnerDoc,
}

/// One line of a comment (block comments give one entry per line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment<'a> {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters) where `text` starts.
    pub col: usize,
    pub text: &'a str,
    pub kind: CommentKind,
    /// Nothing but whitespace stands before the comment on its line.
    pub own_line: bool,
}

#[derive(Debug, Default)]
pub struct Lexed<'a> {
    pub comments: Vec<Comment<'a>>,
    /// An upper bound on the number of tokens (identifiers, literals and punctuation
    /// bytes; comments and whitespace are not tokens). Every level of a parser's
    /// recursion consumes at least one token, so this bounds its depth.
    pub tokens: usize,
    /// A closer estimate of the parser's recursion depth: the tokens that can still be
    /// on its stack at any point. Brackets, `<` and `|` open a level, `,` and `;` end
    /// what the innermost level was parsing (lists and statements are parsed in loops).
    pub nesting: usize,
}

/// The running nesting estimate of `Lexed::nesting`.
#[derive(Default)]
struct Nesting {
    /// Open levels: the byte that opened each, and the tokens counted in it so far.
    levels: Vec<(u8, usize)>,
    outer: usize,
    sum: usize,
    max: usize,
    count: usize,
}

impl Nesting {
    fn token(&mut self) {
        match self.levels.last_mut() {
            Some((_, n)) => *n += 1,
            None => self.outer += 1,
        }
        self.sum += 1;
        self.count += 1;
        self.max = self.max.max(self.sum + self.levels.len());
    }

    fn open(&mut self, by: u8) {
        self.token();
        self.levels.push((by, 0));
    }

    fn pop(&mut self) {
        if let Some((_, n)) = self.levels.pop() {
            self.sum -= n;
        }
    }

    /// `)`, `]` or `}`: closes the levels opened since the matching bracket. A block
    /// among items or statements (a `fn` body, a `mod`, an `impl`) ends what its level
    /// was parsing, as `;` does.
    fn close(&mut self, by: u8) {
        while matches!(self.levels.last(), Some((b'<' | b'|', _))) {
            self.pop();
        }
        self.pop();
        if by == b'}' && matches!(self.levels.last(), None | Some((b'{', _))) {
            self.separator();
        }
    }

    fn angle_close(&mut self) {
        self.token();
        if matches!(self.levels.last(), Some((b'<', _))) {
            self.pop();
        }
    }

    /// `,` or `;`: what the innermost level was parsing is done.
    fn separator(&mut self) {
        let n = match self.levels.last_mut() {
            Some((_, n)) => n,
            None => &mut self.outer,
        };
        self.sum -= *n;
        *n = 0;
    }
}

struct Cursor<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    /// Comment columns: a file may be one long line.
    columns: super::columns::Columns<'a>,
}

impl<'a> Cursor<'a> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    /// Advances one byte, keeping line bookkeeping.
    fn bump(&mut self) {
        if self.peek(0) == b'\n' {
            self.line += 1;
        }
        self.pos += 1;
    }

    fn only_whitespace_before(&self, pos: usize) -> bool {
        self.columns.only_whitespace_before(pos)
    }

    /// Skips a quoted literal whose opening quote is at `pos`, honouring `\` escapes.
    fn skip_quoted(&mut self, quote: u8) {
        self.bump();
        while self.pos < self.bytes.len() {
            match self.peek(0) {
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                b if b == quote => {
                    self.bump();
                    return;
                }
                _ => self.bump(),
            }
        }
    }

    /// Skips `#…#"…"#…#` starting at the first `#` or `"`.
    fn skip_raw(&mut self) {
        let mut hashes = 0;
        while self.peek(0) == b'#' {
            hashes += 1;
            self.bump();
        }
        if self.peek(0) != b'"' {
            return; // a raw identifier such as `r#type`
        }
        self.bump();
        while self.pos < self.bytes.len() {
            if self.peek(0) == b'"' && (1..=hashes).all(|i| self.peek(i) == b'#') {
                for _ in 0..=hashes {
                    self.bump();
                }
                return;
            }
            self.bump();
        }
    }
}

/// Splits a comment's text into lines, pushing one entry per line.
/// `at` is the line and column of `start`.
fn push_lines<'a>(
    out: &mut Vec<Comment<'a>>,
    cur: &Cursor<'a>,
    start: usize,
    end: usize,
    (line, first_col): (usize, usize),
    kind: CommentKind,
    own_line: bool,
) {
    let text = &cur.src[start..end];
    let mut offset = start;
    for (i, piece) in text.split('\n').enumerate() {
        let piece_start = offset;
        offset += piece.len() + 1;
        let piece = piece.strip_suffix('\r').unwrap_or(piece);
        let (text, col) = if i == 0 {
            (piece, first_col)
        } else {
            // Continuation lines of a block comment: drop the decorative ` * `.
            let trimmed = piece.trim_start();
            let trimmed = trimmed.strip_prefix('*').filter(|t| !t.starts_with('/')).unwrap_or(trimmed);
            let skipped = piece.len() - trimmed.len();
            (trimmed, cur.src[piece_start..piece_start + skipped].chars().count() + 1)
        };
        out.push(Comment { line: line + i, col, text, kind, own_line: own_line || i > 0 });
    }
}

pub fn lex(src: &str) -> Lexed<'_> {
    let mut cur = Cursor { src, bytes: src.as_bytes(), pos: 0, line: 1, columns: super::columns::Columns::new(src) };
    let mut out = Lexed::default();
    let mut nest = Nesting::default();
    // A shebang line is not a comment, but `#!` starting `#![attr]` is not a shebang.
    if src.starts_with("#!") && !src[2..].trim_start().starts_with('[') {
        while cur.pos < cur.bytes.len() && cur.peek(0) != b'\n' {
            cur.bump();
        }
    }
    while cur.pos < cur.bytes.len() {
        let b = cur.peek(0);
        match b {
            b'/' if cur.peek(1) == b'/' => {
                let start = cur.pos;
                let own_line = cur.only_whitespace_before(start);
                let kind = match (cur.peek(2), cur.peek(3)) {
                    (b'/', b'/') => CommentKind::Plain,
                    (b'/', _) => CommentKind::OuterDoc,
                    (b'!', _) => CommentKind::InnerDoc,
                    _ => CommentKind::Plain,
                };
                let sigil = if kind == CommentKind::Plain { 2 } else { 3 };
                while cur.pos < cur.bytes.len() && cur.peek(0) != b'\n' {
                    cur.pos += 1;
                }
                let line = cur.line;
                let col = cur.columns.col(start + sigil);
                push_lines(&mut out.comments, &cur, start + sigil, cur.pos, (line, col), kind, own_line);
            }
            b'/' if cur.peek(1) == b'*' => {
                let start = cur.pos;
                let own_line = cur.only_whitespace_before(start);
                let line = cur.line;
                let kind = match (cur.peek(2), cur.peek(3)) {
                    (b'*', b'*') | (b'*', b'/') => CommentKind::Plain,
                    (b'*', _) => CommentKind::OuterDoc,
                    (b'!', _) => CommentKind::InnerDoc,
                    _ => CommentKind::Plain,
                };
                let sigil = if kind == CommentKind::Plain { 2 } else { 3 };
                cur.bump();
                cur.bump();
                let mut nesting = 1;
                let mut end = cur.bytes.len();
                while cur.pos < cur.bytes.len() {
                    if cur.peek(0) == b'/' && cur.peek(1) == b'*' {
                        nesting += 1;
                        cur.bump();
                        cur.bump();
                    } else if cur.peek(0) == b'*' && cur.peek(1) == b'/' {
                        nesting -= 1;
                        if nesting == 0 {
                            end = cur.pos;
                            cur.bump();
                            cur.bump();
                            break;
                        }
                        cur.bump();
                        cur.bump();
                    } else {
                        cur.bump();
                    }
                }
                let text_start = (start + sigil).min(end);
                let col = cur.columns.col(text_start);
                push_lines(&mut out.comments, &cur, text_start, end, (line, col), kind, own_line);
            }
            b'"' => {
                nest.token();
                cur.skip_quoted(b'"')
            }
            b'\'' => {
                nest.token();
                // 'a' and '\n' are chars; 'a (no closing quote) is a lifetime or label.
                if cur.peek(1) == b'\\' {
                    cur.skip_quoted(b'\'');
                } else {
                    let next_char_len = src[cur.pos + 1..].chars().next().map_or(1, char::len_utf8);
                    if cur.peek(1 + next_char_len) == b'\'' {
                        for _ in 0..next_char_len + 2 {
                            cur.bump();
                        }
                    } else {
                        cur.bump();
                    }
                }
            }
            b'(' | b'[' | b'{' | b'<' | b'|' => {
                nest.open(b);
                cur.bump();
            }
            b')' | b']' | b'}' => {
                nest.close(b);
                cur.bump();
            }
            b'>' => {
                nest.angle_close();
                cur.bump();
            }
            b',' | b';' => {
                nest.separator();
                cur.bump();
            }
            b if b.is_ascii_whitespace() => cur.bump(),
            b if b.is_ascii_digit() => {
                nest.token();
                while cur.peek(0).is_ascii_alphanumeric() || cur.peek(0) == b'_' {
                    cur.bump();
                }
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                nest.token();
                let start = cur.pos;
                while cur.peek(0).is_ascii_alphanumeric() || cur.peek(0) == b'_' {
                    cur.bump();
                }
                let ident = &src[start..cur.pos];
                match (ident, cur.peek(0)) {
                    ("r" | "br" | "cr", b'"' | b'#') => cur.skip_raw(),
                    ("b" | "c", b'"') => cur.skip_quoted(b'"'),
                    ("b", b'\'') => cur.skip_quoted(b'\''),
                    _ => {}
                }
            }
            _ => {
                nest.token();
                cur.bump();
            }
        }
    }
    out.tokens = nest.count;
    out.nesting = nest.max;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(src: &str) -> Vec<(usize, usize, &str, CommentKind, bool)> {
        lex(src).comments.into_iter().map(|c| (c.line, c.col, c.text, c.kind, c.own_line)).collect()
    }

    #[test]
    fn finds_each_comment_kind() {
        let src = "//! inner\n/// outer\n// plain\nfn f() {} // trailing\n//// not doc\n/** block\n * doc */\n";
        assert_eq!(
            comments(src),
            vec![
                (1, 4, " inner", CommentKind::InnerDoc, true),
                (2, 4, " outer", CommentKind::OuterDoc, true),
                (3, 3, " plain", CommentKind::Plain, true),
                (4, 13, " trailing", CommentKind::Plain, false),
                (5, 3, "// not doc", CommentKind::Plain, true),
                (6, 4, " block", CommentKind::OuterDoc, true),
                (7, 3, " doc ", CommentKind::OuterDoc, true),
            ]
        );
    }

    #[test]
    fn ignores_comment_lookalikes_in_literals() {
        let src = "let a = \"// incident: X\";\nlet b = r#\"\n// incident: Y \"# ;\nlet c = '\"'; // real\nlet d: &'static str = b\"//x\";\nlet e = '\\'';\n/* outer /* nested */ still */ // after\n";
        let found: Vec<(usize, &str)> = lex(src).comments.iter().map(|c| (c.line, c.text)).collect();
        assert_eq!(found, vec![(4, " real"), (7, " outer /* nested */ still "), (7, " after")]);
    }

    #[test]
    fn measures_nesting_and_survives_garbage() {
        let l = lex("fn f() { g([1]) }");
        // Closers end levels and are not counted: `fn f ( { g ( [ 1`.
        assert_eq!(l.tokens, 8);
        // At `1`: those 8 tokens, plus the 3 levels still open (`{`, `(`, `[`).
        assert_eq!(l.nesting, 11);
        let deep = "(".repeat(100_000);
        assert_eq!(lex(&deep).tokens, 100_000);
        assert!(lex(&deep).nesting >= 100_000);
        // Items, statements and list items are parsed in loops: they do not add up.
        let flat = "fn f() {".to_owned() + &"let x = [1, 2, 3];".repeat(10_000) + "}";
        assert!(lex(&flat).nesting < 20, "{}", lex(&flat).nesting);
        let items = "pub fn f() -> u32 { 1 }\n".repeat(10_000) + "mod m { fn g() { if a { b } else { c } } }";
        assert!(lex(&items).nesting < 20, "{}", lex(&items).nesting);
        // Chains that recurse without brackets do add up.
        assert!(lex(&"!".repeat(5_000)).nesting >= 5_000);
        assert!(lex(&("type T = ".to_owned() + &"Vec<".repeat(5_000))).nesting >= 5_000);
        for junk in ["\"unterminated", "r###\"open", "/* open", "'", "b'", "é'x", "r#"] {
            let _ = lex(junk);
        }
    }
}
