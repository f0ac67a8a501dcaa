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
