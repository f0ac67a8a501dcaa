//! Reading TOML while keeping spans, so that every config and postmortem error can name
//! its file, line and column, and so that all of a file's errors are reported at once
//! rather than the first one only (as cargo-deny does).

use crate::suggest;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

pub use toml::value::Datetime;

/// A value with its byte span in the whole file (not in the TOML fragment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// A problem found while reading a TOML document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

/// Collects problems, translating spans inside the TOML text into file offsets.
pub struct Problems {
    base: usize,
    pub list: Vec<Problem>,
}

impl Problems {
    pub fn new(base: usize) -> Problems {
        Problems { base, list: Vec::new() }
    }

    pub fn span(&self, r: &Range<usize>) -> Range<usize> {
        r.start + self.base..r.end + self.base
    }

    pub fn push(&mut self, span: &Range<usize>, message: impl Into<String>) {
        let span = self.span(span);
        self.list.push(Problem { span, message: message.into(), help: None });
    }

    pub fn push_help(&mut self, span: &Range<usize>, message: impl Into<String>, help: String) {
        let span = self.span(span);
        let help = (!help.is_empty()).then_some(help);
        self.list.push(Problem { span, message: message.into(), help });
    }
}

/// Parses `text` (which starts at byte `base` of its file) into a spanned table. A syntax
/// error becomes a problem at its position.
pub fn parse<'i>(text: &'i str, problems: &mut Problems) -> Option<(DeTable<'i>, Range<usize>)> {
    if let Some(at) = too_deep(text) {
        problems.push(&(at..at + 1), too_deep_message());
        return None;
    }
    match DeTable::parse(text) {
        Ok(spanned) => {
            let span = spanned.span();
            Some((spanned.into_inner(), span))
        }
        Err(err) => {
            let span = err.span().unwrap_or(0..0);
            problems.push(&span, format!("invalid TOML: {}", err.message().trim_end()));
            None
        }
    }
}

/// How deep arrays and inline tables may nest. The TOML parser descends once per level
/// on the thread's stack, with no limit of its own: a few thousand `[` in a postmortem,
/// a config or a `Cargo.toml` of the repository overflowed it and aborted the process.
/// Real files nest two or three levels.
pub const MAX_NESTING: usize = 64;

/// The message for a document that nests deeper than [`MAX_NESTING`].
pub fn too_deep_message() -> String {
    format!("invalid TOML: arrays and inline tables nest deeper than {MAX_NESTING} levels")
}

/// Where `text` first nests arrays or inline tables deeper than [`MAX_NESTING`], if it
/// does. It splits the text into tokens exactly as the TOML parser's lexer does (strings,
/// comments, and "atoms" that run to the next delimiter, quotes included), so brackets
/// count only where the parser would descend, on valid and broken text alike.
pub fn too_deep(text: &str) -> Option<usize> {
    // The lexer's delimiters: an atom runs up to the next of these.
    const TOKEN_START: &[u8] = b".=,[]{} \t#\r\n";
    let b = text.as_bytes();
    let find = |from: usize, pred: &dyn Fn(u8) -> bool| b[from..].iter().position(|&c| pred(c)).map(|p| from + p);
    // After a multi-line string's closing delimiter, up to two more quotes belong to it.
    let closing = |mut i: usize, q: u8| {
        for _ in 0..2 {
            if b.get(i) == Some(&q) {
                i += 1;
            }
        }
        i
    };
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        i = match b[i] {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
                i + 1
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i + 1
            }
            b'#' => find(i, &|c| c == b'\r' || c == b'\n').unwrap_or(b.len()),
            q @ (b'\'' | b'"') if b[i..].starts_with(&[q, q, q]) => {
                let mut j = i + 3;
                loop {
                    let Some(at) = find(j, &|c| c == q || (q == b'"' && c == b'\\')) else { break b.len() };
                    if b[at] == b'\\' {
                        j = at + 1 + usize::from(matches!(b.get(at + 1), Some(b'\\' | b'"')));
                    } else if b[at..].starts_with(&[q, q, q]) {
                        break closing(at + 3, q);
                    } else {
                        j = at + 1;
                    }
                }
            }
            b'\'' => match find(i + 1, &|c| c == b'\'' || c == b'\n') {
                Some(at) if b[at] == b'\'' => at + 1,
                Some(at) => at,
                None => b.len(),
            },
            b'"' => {
                let mut j = i + 1;
                loop {
                    match find(j, &|c| c == b'"' || c == b'\\' || c == b'\n') {
                        Some(at) if b[at] == b'"' => break at + 1,
                        Some(at) if b[at] == b'\\' => {
                            j = at + 1 + usize::from(matches!(b.get(at + 1), Some(b'\\' | b'"')));
                        }
                        Some(at) => break at,
                        None => break b.len(),
                    }
                }
            }
            b'.' | b'=' | b',' | b' ' | b'\t' | b'\r' | b'\n' => i + 1,
            _ => find(i, &|c| TOKEN_START.contains(&c)).unwrap_or(b.len()),
        };
    }
    None
}

/// Parses a whole TOML document from the repository (a `Cargo.toml`, a `pyproject.toml`)
/// into a table, refusing one that nests too deep for the parser's stack.
pub fn parse_table(text: &str) -> Result<toml::Table, String> {
    if too_deep(text).is_some() {
        return Err(too_deep_message());
    }
    text.parse::<toml::Table>().map_err(|e| e.message().trim_end().to_owned())
}

/// One table being read: looks keys up, checks types, and remembers the table's span for
/// "missing key" problems.
pub struct Table<'t, 'i> {
    pub table: &'t DeTable<'i>,
    pub span: Range<usize>,
    /// What the table is, for messages: "postmortem", "action item A1".
    pub what: String,
}

impl<'t, 'i> Table<'t, 'i> {
    pub fn new(table: &'t DeTable<'i>, span: Range<usize>, what: impl Into<String>) -> Self {
        Table { table, span, what: what.into() }
    }

    /// Reports every key not in `known`, naming the closest known key.
    pub fn reject_unknown(&self, known: &[&str], p: &mut Problems) {
        for key in self.table.keys() {
            let name = key.get_ref().as_ref();
            if !known.contains(&name) {
                let help = suggest::did_you_mean(name, known.iter().copied());
                p.push_help(&key.span(), format!("unknown key {} in {}", crate::finding::code(name), self.what), help);
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&'t toml::Spanned<DeValue<'i>>> {
        self.table.get(key)
    }

    fn missing(&self, key: &str, p: &mut Problems) {
        p.push(&self.span, format!("{} is missing the required key `{key}`", self.what));
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &toml::Spanned<DeValue>, p: &mut Problems) {
        p.push(
            &found.span(),
            format!("`{key}` in {} must be {expected}, found {}", self.what, found.get_ref().type_str()),
        );
    }

    pub fn string(&self, key: &str, required: bool, p: &mut Problems) -> Option<Sp<String>> {
        match self.get(key) {
            None => {
                if required {
                    self.missing(key, p);
                }
                None
            }
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Some(Sp { value: s.to_string(), span: p.span(&v.span()) }),
                _ => {
                    self.wrong_type(key, "a string", v, p);
                    None
                }
            },
        }
    }

    /// A bare TOML date (`2024-03-05`), or a datetime whose date part is taken when
    /// `allow_time` (then the full datetime is returned beside it).
    pub fn date_or_datetime(
        &self,
        key: &str,
        required: bool,
        allow_time: bool,
        p: &mut Problems,
    ) -> Option<(Sp<crate::date::Date>, Option<Datetime>)> {
        if allow_time
            && let Some(v) = self.get(key)
            && let DeValue::Datetime(dt @ Datetime { date: Some(d), time: Some(_), .. }) = v.get_ref()
        {
            let span = p.span(&v.span());
            return crate::date::Date::new(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .map(|value| (Sp { value, span }, Some(*dt)));
        }
        self.date(key, required, p).map(|d| (d, None))
    }

    /// A bare TOML date (`2024-03-05`).
    pub fn date(&self, key: &str, required: bool, p: &mut Problems) -> Option<Sp<crate::date::Date>> {
        let v = match self.get(key) {
            None => {
                if required {
                    self.missing(key, p);
                }
                return None;
            }
            Some(v) => v,
        };
        let span = p.span(&v.span());
        match v.get_ref() {
            DeValue::Datetime(Datetime { date: Some(d), time: None, offset: None }) => {
                crate::date::Date::new(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .map(|value| Sp { value, span })
            }
            DeValue::String(s) if crate::date::Date::parse(s).is_some() => {
                p.push(
                    &v.span(),
                    format!(
                        "`{key}` in {} must be a TOML date, not a string: write `{key} = {s}` without quotes",
                        self.what
                    ),
                );
                None
            }
            _ => {
                self.wrong_type(key, "a TOML date like `2024-03-05`", v, p);
                None
            }
        }
    }

    /// A TOML datetime (offset or local) such as `2024-03-05T09:12:00Z`.
    pub fn datetime(&self, key: &str, p: &mut Problems) -> Option<Sp<Datetime>> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Datetime(d) if d.date.is_some() && d.time.is_some() => {
                Some(Sp { value: *d, span: p.span(&v.span()) })
            }
            _ => {
                self.wrong_type(key, "a TOML datetime like `2024-03-05T09:12:00Z`", v, p);
                None
            }
        }
    }

    pub fn string_array(&self, key: &str, p: &mut Problems) -> Vec<Sp<String>> {
        let Some(v) = self.get(key) else { return Vec::new() };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(key, "an array of strings", v, p);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Sp { value: s.to_string(), span: p.span(&item.span()) }),
                _ => self.wrong_type(key, "an array of strings", item, p),
            }
        }
        out
    }

    /// An array of tables (`[[key]]` or an inline array of inline tables).
    pub fn tables(&self, key: &str, p: &mut Problems) -> Vec<(&'t DeTable<'i>, Range<usize>)> {
        let Some(v) = self.get(key) else { return Vec::new() };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(key, "an array of tables", v, p);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => out.push((t, item.span())),
                _ => self.wrong_type(key, "an array of tables", item, p),
            }
        }
        out
    }

    pub fn table(&self, key: &str, p: &mut Problems) -> Option<(&'t DeTable<'i>, Range<usize>)> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some((t, v.span())),
            _ => {
                self.wrong_type(key, "a table", v, p);
                None
            }
        }
    }

    /// A string that must be one of `allowed`; unknown values name the closest one.
    pub fn one_of(&self, key: &str, allowed: &[&str], p: &mut Problems) -> Option<Sp<String>> {
        let s = self.string(key, false, p)?;
        if allowed.contains(&s.value.as_str()) {
            return Some(s);
        }
        let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
        let help = suggest::did_you_mean(&s.value, allowed.iter().copied());
        p.list.push(Problem {
            span: s.span.clone(),
            message: format!(
                "`{key}` in {} must be one of {list}, found {}",
                self.what,
                crate::finding::code(&s.value)
            ),
            help: (!help.is_empty()).then_some(help),
        });
        None
    }
}

/// Maps byte offsets to 1-based line and column (columns count characters).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The location of a span: path, line, column and the number of characters it covers
    /// on its first line.
    pub fn location(&self, path: &str, span: &Range<usize>) -> crate::finding::Location {
        let (line, column) = self.line_col(span.start);
        let end = span.end.clamp(span.start, self.text.len());
        let first_line = self.text.get(span.start..end).unwrap_or("").lines().next().unwrap_or("");
        crate::finding::Location { path: path.to_owned(), line, column, len: first_line.chars().count().max(1) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_arrays_and_inline_tables_outside_strings_and_comments() {
        let at = |n: usize| format!("x = {}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(too_deep(&at(MAX_NESTING)), None);
        assert_eq!(too_deep(&at(MAX_NESTING + 1)), Some(4 + MAX_NESTING));
        assert_eq!(too_deep(&format!("x = {}", "{ a = ".repeat(MAX_NESTING + 1))), Some(4 + 6 * MAX_NESTING));
        let brackets = "[".repeat(200);
        for quiet in [
            format!("x = \"{brackets}\""),
            format!("x = \"\\\"{brackets}\""),
            format!("x = '{brackets}'"),
            format!("x = \"\"\"\n{brackets}\"\"\""),
            format!("x = '''\n{brackets}\n'''"),
            format!("# {brackets}\nx = 1"),
            format!("\"{brackets}\" = 1"),
            // A multi-line string closed by five quotes: two belong to the text.
            format!("x = \"\"\"a\"\"\"\"\"\ny = \"{brackets}\""),
            format!("{}[b.c]\n", "[[a]]\n".repeat(100)),
        ] {
            assert_eq!(too_deep(&quiet), None, "{quiet}");
            assert!(parse_table(&quiet).is_ok(), "{quiet}");
        }
        // Where the parser's lexer ends a comment at a bare CR, or reads a quote inside
        // an atom as part of it, the brackets after it count.
        let deep = "[".repeat(MAX_NESTING + 1);
        for loud in [format!("# c\r{deep}"), format!("x = a\"{deep}"), format!("x = \"a\\\n{deep}")] {
            assert!(too_deep(&loud).is_some(), "{loud:?}");
        }
        assert_eq!(parse_table(&at(10_000)), Err(too_deep_message()));
        assert!(parse_table(&at(3)).is_ok());
    }
}
