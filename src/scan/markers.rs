//! The marker itself: `incident: ID[, ID…]` at the start of a comment's text, the same
//! in every language. Only the text after the comment sigil is given here; the language
//! scanner decides what a comment is.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};

/// The configured marker words, with a fast case-insensitive byte search used to skip
/// files that cannot contain a marker before anything parses them.
#[derive(Clone, Debug)]
pub struct MarkerWords {
    words: Vec<String>,
    prefilter: AhoCorasick,
}

/// A marker found in one comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// Valid IDs, each with its character offset in the comment text.
    pub ids: Vec<(String, usize)>,
    /// Tokens that are not IDs, with their offsets; or an empty token at the end of the
    /// marker when it names no ID at all.
    pub bad: Vec<(String, usize)>,
    /// Character offset of the marker word.
    pub offset: usize,
    /// Length in characters of the whole marker.
    pub len: usize,
}

impl MarkerWords {
    pub fn new(words: &[String]) -> MarkerWords {
        // `word:` for comments; `mark.word` for pytest's `@pytest.mark.incident("ID")`.
        let patterns: Vec<String> = words.iter().flat_map(|w| [format!("{w}:"), format!("mark.{w}")]).collect();
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&patterns)
            .expect("marker words are plain text");
        MarkerWords { words: words.iter().map(|w| w.to_lowercase()).collect(), prefilter }
    }

    /// The marker words, lower-cased.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether `bytes` may hold a marker; `false` means it certainly does not.
    pub fn may_contain(&self, bytes: &[u8]) -> bool {
        self.prefilter.is_match(bytes)
    }

    /// Reads a marker from a comment's text (after `//`, `#`, …), if the text starts with one.
    pub fn parse(&self, comment: &str) -> Option<Marker> {
        let trimmed = comment.trim_start();
        let offset = comment[..comment.len() - trimmed.len()].chars().count();
        let word = self.words.iter().find(|w| {
            trimmed.len() > w.len()
                && trimmed.is_char_boundary(w.len())
                && trimmed[..w.len()].eq_ignore_ascii_case(w)
                && trimmed[w.len()..].starts_with(':')
        })?;
        let rest_start = word.len() + 1;
        let rest = &trimmed[rest_start..];
        let mut marker = Marker { ids: Vec::new(), bad: Vec::new(), offset, len: trimmed.trim_end().chars().count() };
        let mut token = String::new();
        let mut token_start = 0;
        let first = offset + word.chars().count() + 1;
        for (pos, c) in (first..).zip(rest.chars().chain(std::iter::once(' '))) {
            if c == ',' || c.is_whitespace() {
                if !token.is_empty() {
                    let t = std::mem::take(&mut token);
                    if crate::postmortem::is_valid_id(&t) {
                        marker.ids.push((t, token_start));
                    } else {
                        marker.bad.push((t, token_start));
                    }
                }
            } else {
                if token.is_empty() {
                    token_start = pos;
                }
                token.push(c);
            }
        }
        if marker.ids.is_empty() && marker.bad.is_empty() {
            marker.bad.push((String::new(), offset + word.chars().count()));
        }
        Some(marker)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> MarkerWords {
        MarkerWords::new(&["incident".to_owned(), "postmortem".to_owned()])
    }

    #[test]
    fn parses_ids_with_offsets() {
        let m = words().parse(" incident: INC-1, INC-2 INC-3").unwrap();
        let ids: Vec<_> = m.ids.iter().map(|(id, off)| (id.as_str(), *off)).collect();
        assert_eq!(ids, [("INC-1", 11), ("INC-2", 18), ("INC-3", 24)]);
        assert!(m.bad.is_empty());
        assert_eq!(words().parse("Incident:INC-9").unwrap().ids[0].0, "INC-9");
        assert_eq!(words().parse(" POSTMORTEM: X.1_a").unwrap().ids[0].0, "X.1_a");
    }

    #[test]
    fn rejects_non_markers_and_reports_bad_tokens() {
        assert!(words().parse(" see the incident: INC-1").is_none());
        assert!(words().parse(" incidents: INC-1").is_none());
        assert!(words().parse(" incident INC-1").is_none());
        let empty = words().parse(" incident:   ").unwrap();
        assert_eq!(empty.bad, [(String::new(), 9)]);
        let bad = words().parse(" incident: INC#1, INC-2").unwrap();
        assert_eq!(bad.bad, [("INC#1".to_owned(), 11)]);
        assert_eq!(bad.ids[0].0, "INC-2");
    }

    #[test]
    fn prefilter_is_case_insensitive() {
        assert!(words().may_contain(b"x // INCIDENT: y"));
        assert!(!words().may_contain(b"incident without colon"));
    }
}
