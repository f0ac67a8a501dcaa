//! A finding is data, not text: rule, level, message and location. Checks produce them,
//! renderers turn them into human or machine output; nothing in between formats them.

use crate::rules::{Level, Rule};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What to do about it, when there is something better to say than the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// What the finding is about, identified without line numbers, for findings whose
    /// subject is neither a test nor a file alone: `action item A1`. Part of the
    /// fingerprint; not shown.
    #[serde(skip)]
    pub subject: Option<String>,
    /// The stable identity of the finding across revisions (see `Finding::fingerprint`),
    /// filled in by the pipeline.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
    /// Whether this change brought the finding in, or the base had it already: filled
    /// in by the pipeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// The postmortem of the finding's incident, when the finding points elsewhere: the
    /// place a reader goes to learn what the test guards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Location>,
    /// The line is the base revision's (where a removed test was): the file's line at
    /// HEAD is other text, which a snippet would show as if it were the finding's.
    #[serde(skip)]
    pub line_at_base: bool,
    /// How many characters of the line the finding is about (for carets).
    #[serde(skip)]
    pub len: usize,
    /// The text of `line`, filled in by the pipeline so renderers never read files: the
    /// whole line, or an excerpt around `column` when the line is long (see `excerpt`).
    #[serde(skip)]
    pub source_line: Option<String>,
    /// How many characters `source_line` lacks before `column`: the excerpt's column of
    /// the finding is `column - source_shift`.
    #[serde(skip)]
    pub source_shift: usize,
}

/// The longest source line a finding keeps whole, and the length of the excerpt kept
/// from a longer one, in characters. A minified file is one line: each finding on it
/// used to carry the whole line, and 20,000 findings on a 60 KB line took 1.2 GB.
pub const MAX_SOURCE_CHARS: usize = 300;
/// Characters an excerpt keeps before the finding's column.
const EXCERPT_BEFORE: usize = 100;

/// `line`, or when it is longer than `MAX_SOURCE_CHARS` an excerpt of that many
/// characters around 1-based `column`, with `…` where it was cut; and the number of
/// characters to take off `column` to find the same place in the excerpt.
pub fn excerpt(line: &str, column: usize) -> (String, usize) {
    excerpt_with(line, column, &|n| line.char_indices().nth(n).map_or(line.len(), |(i, _)| i))
}

/// `excerpt`, given `byte_of(n)`: the byte offset of the line's `n`th character (its
/// length past the end). Counting characters from the start of a long line for each
/// finding on it took time quadratic in the line: 100,000 findings on one marker line.
pub fn excerpt_with(line: &str, column: usize, byte_of: &dyn Fn(usize) -> usize) -> (String, usize) {
    if line.len() <= MAX_SOURCE_CHARS {
        return (line.to_owned(), 0);
    }
    let skip = column.saturating_sub(1).saturating_sub(EXCERPT_BEFORE);
    let start = byte_of(skip).min(line.len());
    let end = byte_of(skip + MAX_SOURCE_CHARS).clamp(start, line.len());
    if start == 0 && end == line.len() {
        return (line.to_owned(), 0);
    }
    let mut out = String::with_capacity(end - start + 6);
    // The leading `…` stands in one column for the `skip` characters it replaces.
    let shift = if start > 0 {
        out.push('…');
        skip - 1
    } else {
        0
    };
    out.push_str(&line[start..end]);
    if end < line.len() {
        out.push('…');
    }
    (out, shift)
}

/// Whether a change brought a finding in (`new`), or the base revision had it already
/// (`unchanged`). Without a base, every finding is new.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Baseline {
    New,
    Unchanged,
}

impl Baseline {
    pub fn as_str(self) -> &'static str {
        match self {
            Baseline::New => "new",
            Baseline::Unchanged => "unchanged",
        }
    }
}

/// `text` with each number standing alone replaced by `#`: counts of days, line numbers
/// and sizes in a message change without the finding changing. Digits that are part of
/// a word or an ID (`INC-2024-017`, `v2`, `A1`) stay.
fn digits_folded(text: &str) -> String {
    let id_char = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '#');
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && id_char(chars[i - 1])) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        // `12.` ending a sentence is a number; `1.5` or `12a` is not one alone.
        let next_is_word = chars.get(i).is_some_and(|&c| {
            c.is_alphanumeric()
                || c == '_'
                || ((c == '.' || c == '-') && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()))
        });
        if next_is_word {
            out.extend(&chars[start..i]);
        } else {
            out.push('#');
        }
    }
    out
}

/// A place in a file: repository-relative path, 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub len: usize,
}

/// `text` as a code span in a message or help: `` `text` ``, or, when `text` holds
/// backticks (a JavaScript test title may), a fence one backtick longer than its longest
/// run, padded with spaces when it starts or ends with one. That is CommonMark's rule, so
/// the Markdown renderer reads the span exactly as written here and repository text
/// cannot end it early; plain-text formats show it as is.
pub fn code(text: &str) -> String {
    if text.is_empty() {
        return "` `".to_owned(); // "``" would be a run of two backticks, not a span
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && text.chars().any(|c| c != ' '));
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Repository text set in the prose of a message or help that also holds code spans:
/// as is, unless it holds a backtick, which could pair with a backtick of the sentence's
/// own spans and turn code into prose and prose into code; then it is shown as a code
/// span itself (see `code`).
pub fn prose(text: &str) -> String {
    if text.contains('`') { code(text) } else { text.to_owned() }
}

impl Finding {
    pub fn new(rule: Rule, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            level: rule.default_level(),
            incident: None,
            test: None,
            message: message.into(),
            path: None,
            line: None,
            column: None,
            help: None,
            subject: None,
            fingerprint: String::new(),
            baseline: None,
            related: None,
            line_at_base: false,
            len: 1,
            source_line: None,
            source_shift: 0,
        }
    }

    pub fn at(mut self, loc: &Location) -> Finding {
        self.path = Some(loc.path.clone());
        self.line = Some(loc.line);
        self.column = Some(loc.column);
        self.len = loc.len.max(1);
        self
    }

    pub fn in_file(mut self, path: &str) -> Finding {
        self.path = Some(path.to_owned());
        self
    }

    pub fn subject(mut self, subject: &str) -> Finding {
        self.subject = Some(subject.to_owned());
        self
    }

    /// The finding's fingerprint: a hash of its rule, its incident and its subject (the
    /// test's identity; else the `subject` a check gave, such as an action item; else
    /// the file and the message with every run of digits read as one), as 16 hex digits.
    /// No line or column goes in, so an edit above a finding keeps its fingerprint; no
    /// absolute path or anything of the machine, so every machine computes the same.
    pub fn fingerprint(&self) -> String {
        let subject = match (&self.test, &self.subject) {
            (Some(test), _) => format!("test {test}"),
            (None, Some(subject)) => subject.clone(),
            (None, None) => format!("{}\0{}", self.path.as_deref().unwrap_or(""), digits_folded(&self.message)),
        };
        let key = format!("{}\0{}\0{subject}", self.rule.code(), self.incident.as_deref().unwrap_or(""));
        // FNV-1a, 64 bits: stable across versions of Rust and machines, unlike `Hash`.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }

    pub fn incident(mut self, id: &str) -> Finding {
        self.incident = Some(id.to_owned());
        self
    }

    pub fn test(mut self, id: &str) -> Finding {
        self.test = Some(id.to_owned());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::{code, prose};

    #[test]
    fn code_spans_cannot_be_closed_by_their_content() {
        assert_eq!(code("t"), "`t`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x``"), "``` `x`` ```");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code(""), "` `");
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        use super::{MAX_SOURCE_CHARS, excerpt};
        assert_eq!(excerpt("short", 3), ("short".to_owned(), 0));
        let line = format!("{}// incident: X#{}", "é".repeat(1000), "y".repeat(1000));
        let column = 1001 + 13;
        let (cut, shift) = excerpt(&line, column);
        assert_eq!(cut.chars().count(), MAX_SOURCE_CHARS + 2);
        assert!(cut.starts_with('…') && cut.ends_with('…'));
        let at: String = cut.chars().skip(column - shift - 1).take(2).collect();
        assert_eq!(at, "X#");
        // Near the start nothing is cut before.
        let (cut, shift) = excerpt(&line, 5);
        assert_eq!((shift, cut.starts_with('é'), cut.ends_with('…')), (0, true, true));
    }

    #[test]
    fn prose_with_a_backtick_becomes_code() {
        assert_eq!(prose("Checkout down"), "Checkout down");
        assert_eq!(prose("a ` b"), "``a ` b``");
    }
}
