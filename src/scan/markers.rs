//! The marker itself: `incident: ID[, ID…]` at the start of a comment's text, the same
//! in every language. Only the text after the comment sigil is given here; the language
//! scanner decides what a comment is.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};

/// The configured marker words, with a fast case-insensitive byte search used to skip
/// files that cannot contain a marker before anything parses them.
#[derive(Clone, Debug)]
pub struct MarkerWords {
    words: Vec<String>,
    prefilter: AhoCorasick,
    /// The incident IDs the postmortems define: a word after a marker that is one of
    /// them is an ID even without a digit, and a comment near a test that names one
    /// without a valid marker is a near miss.
    known: std::collections::HashSet<String>,
    /// Finds known IDs in comments (and lets files that mention one be read).
    ids: Option<AhoCorasick>,
    /// The config's own Rust test attributes (`[scan.rust] test_attributes`), which the
    /// scanners are given with the words.
    rust_test_attributes: Vec<String>,
}

/// A marker found in one comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// Valid IDs, each with its character offset in the comment text.
    pub ids: Vec<(String, usize)>,
    /// Tokens that are not IDs, with their offsets; or an empty token at the end of the
    /// marker when it names no ID at all.
    pub bad: Vec<(String, usize)>,
    /// Words after the IDs that are not IDs and follow no delimiter (` -- `, ` — `, `;`,
    /// `(`): prose where IDs belong, with its offset.
    pub prose: Option<(String, usize)>,
    /// Character offset of the marker word.
    pub offset: usize,
    /// Length in characters of the whole marker.
    pub len: usize,
}

/// The most known IDs searched for with an automaton (see `with_known_ids`).
const MAX_AUTOMATON_IDS: usize = 1000;

/// A case-insensitive automaton that finds any of `patterns`. Left to choose, the
/// builder makes a DFA for few patterns, and a DFA takes time quadratic in a periodic
/// pattern's length to build: a config naming one long marker word (`INC-1INC-1INC-1…`, a
/// few thousand characters) stalled every run for seconds. A contiguous NFA builds in
/// linear time and searches nearly as fast.
fn prefilter(patterns: &[String]) -> Result<AhoCorasick, aho_corasick::BuildError> {
    AhoCorasickBuilder::new().ascii_case_insensitive(true).kind(Some(AhoCorasickKind::ContiguousNFA)).build(patterns)
}

impl MarkerWords {
    pub fn new(words: &[String]) -> MarkerWords {
        // `word:` for comments; `mark.word` for pytest's `@pytest.mark.incident("ID")`.
        let patterns: Vec<String> = words.iter().flat_map(|w| [format!("{w}:"), format!("mark.{w}")]).collect();
        let prefilter = prefilter(&patterns).expect("marker words are plain text");
        MarkerWords {
            words: words.iter().map(|w| w.to_lowercase()).collect(),
            prefilter,
            known: Default::default(),
            ids: None,
            rust_test_attributes: Vec::new(),
        }
    }

    /// The same words, with the Rust test attributes the config names.
    pub fn with_rust_test_attributes(mut self, attributes: Vec<String>) -> MarkerWords {
        self.rust_test_attributes = attributes;
        self
    }

    /// The Rust test attributes the config names (`[scan.rust] test_attributes`).
    pub fn rust_test_attributes(&self) -> &[String] {
        &self.rust_test_attributes
    }

    /// The same words, knowing the incident IDs the postmortems define.
    pub fn with_known_ids<'a>(mut self, ids: impl IntoIterator<Item = &'a str>) -> MarkerWords {
        self.known = ids.into_iter().map(str::to_owned).collect();
        let mut sorted: Vec<&String> = self.known.iter().collect();
        sorted.sort();
        // Leftmost-longest, so that `INC-12` is not read as `INC-1` followed by a `2`.
        // An automaton passes over a file fastest, but building one rearranges its states
        // in time that grows faster than the IDs: 40,000 took seconds. Past a thousand IDs
        // the words of a file are looked up among them instead (`known_tokens`).
        self.ids = if self.known.is_empty() || self.known.len() > MAX_AUTOMATON_IDS {
            None
        } else {
            AhoCorasickBuilder::new().match_kind(aho_corasick::MatchKind::LeftmostLongest).build(&sorted).ok()
        };
        self
    }

    /// The known incident IDs that `text` names as whole tokens.
    pub fn known_ids_in(&self, text: &str) -> Vec<String> {
        let bytes = text.as_bytes();
        let mut found: Vec<String> = match &self.ids {
            Some(ids) => ids
                .find_iter(text)
                .filter(|m| crate::postmortem::whole_token(bytes, m.start(), m.end()))
                .map(|m| text[m.range()].to_owned())
                .collect(),
            None => self.known_tokens(bytes).map(str::to_owned).collect(),
        };
        found.dedup();
        found
    }

    /// The known IDs among the whole tokens of `bytes`, without an automaton: each run of
    /// ID characters, or its longest part that ends before a `.` in it (a full stop), that
    /// is a known ID. The same as the automaton finds: an ID is a whole token.
    fn known_tokens<'t>(&'t self, bytes: &'t [u8]) -> impl Iterator<Item = &'t str> + 't {
        let id = |b: u8| crate::postmortem::is_id_char(char::from(b));
        let mut at = 0;
        std::iter::from_fn(move || {
            while at < bytes.len() {
                let start = at + bytes[at..].iter().position(|&b| id(b))?;
                let end = bytes[start..].iter().position(|&b| !id(b)).map_or(bytes.len(), |p| start + p);
                at = end;
                let run = std::str::from_utf8(&bytes[start..end]).ok()?;
                let ends = std::iter::once(run.len()).chain(run.rmatch_indices('.').map(|(i, _)| i));
                if let Some(found) = ends.map(|e| &run[..e]).find(|t| self.known.contains(*t)) {
                    return Some(found);
                }
            }
            None
        })
    }

    /// The marker words, lower-cased.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether `bytes` may hold a marker; `false` means it certainly does not.
    pub fn may_contain(&self, bytes: &[u8]) -> bool {
        self.prefilter.is_match(bytes)
            || match &self.ids {
                Some(ids) => ids.is_match(bytes),
                None => !self.known.is_empty() && self.known_tokens(bytes).next().is_some(),
            }
    }

    /// Whether a token after a marker is meant as an ID: a known one, or one with a digit
    /// in it (`INC-2024-017`). A plain word is prose.
    fn id_like(&self, token: &str) -> bool {
        self.known.contains(token) || token.bytes().any(|b| b.is_ascii_digit())
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
        // Prose may follow the IDs after a clear delimiter.
        let rest = [" -- ", " — ", ";", "("].iter().filter_map(|d| rest.find(d)).min().map_or(rest, |cut| &rest[..cut]);
        let mut marker =
            Marker { ids: Vec::new(), bad: Vec::new(), prose: None, offset, len: trimmed.trim_end().chars().count() };
        let mut token = String::new();
        let mut token_start = 0;
        let first = offset + word.chars().count() + 1;
        for (pos, c) in (first..).zip(rest.chars().chain(std::iter::once(' '))) {
            if marker.prose.is_some() {
                break;
            }
            if c == ',' || c.is_whitespace() {
                if !token.is_empty() {
                    let t = std::mem::take(&mut token);
                    let word = crate::postmortem::is_valid_id(&t);
                    if word && self.id_like(&t) {
                        marker.ids.push((t, token_start));
                    } else if word {
                        // A plain word: prose from here to the end, one mistake.
                        let from = rest.char_indices().nth(token_start - first).map_or(rest.len(), |(i, _)| i);
                        marker.prose = Some((rest[from..].trim_end().to_owned(), token_start));
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
        if marker.ids.is_empty() && marker.bad.is_empty() && marker.prose.is_none() {
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

    // incident: IG-2026-008
    #[test]
    fn long_periodic_marker_word_stalled_building_the_prefilter() {
        let word = "inc-2024-001".repeat(1000);
        let words = MarkerWords::new(std::slice::from_ref(&word));
        // The kind is what keeps the build linear (a DFA's is quadratic here).
        assert_eq!(words.prefilter.kind(), AhoCorasickKind::ContiguousNFA);
        assert!(words.may_contain(format!("// {}: A-1", word.to_uppercase()).as_bytes()));
        assert!(!words.may_contain(word.as_bytes()));
    }

    #[test]
    fn prose_after_a_marker_is_one_mistake_and_delimited_prose_is_fine() {
        let words = words().with_known_ids(["INC-2026-001", "OUTAGE"]);
        let m = words.parse(" Incident: INC-2026-001 regression for the overflow").unwrap();
        assert_eq!(m.ids, [("INC-2026-001".to_owned(), 11)]);
        assert_eq!(m.prose, Some(("regression for the overflow".to_owned(), 24)));
        assert!(m.bad.is_empty());
        for ok in [
            " incident: INC-2026-001 -- regression",
            " incident: INC-2026-001; why",
            " incident: INC-2026-001 (overflow)",
            " incident: INC-2026-001 — why",
        ] {
            let m = words.parse(ok).unwrap();
            assert_eq!((m.ids.len(), &m.prose, m.bad.len()), (1, &None, 0), "{ok}");
        }
        // A known ID without a digit is an ID; a `- ` is not an ID either.
        assert_eq!(words.parse(" incident: OUTAGE").unwrap().ids.len(), 1);
        let dash = words.parse(" incident: - INC-2026-001").unwrap();
        assert_eq!(dash.bad, [("-".to_owned(), 11)]);
    }

    #[test]
    fn known_ids_are_found_as_whole_tokens() {
        let words = words().with_known_ids(["INC-1", "INC-12"]);
        assert_eq!(words.known_ids_in(" INC-1 regression; see INC-12, XINC-1"), ["INC-1", "INC-12"]);
        assert!(words.may_contain(b"// Incident INC-12"));
        // Without the automaton (many IDs), the same IDs are found.
        let many: Vec<String> = (0..2 * MAX_AUTOMATON_IDS).map(|i| format!("INC-{i}")).chain(["A.B".into()]).collect();
        let words = super::MarkerWords::new(&["incident".to_owned()]).with_known_ids(many.iter().map(String::as_str));
        assert!(words.ids.is_none());
        assert_eq!(
            words.known_ids_in(" INC-1 regression; see INC-12, XINC-1, INC-7. A.B.c A.B"),
            ["INC-1", "INC-12", "INC-7", "A.B"]
        );
        assert!(words.may_contain(b"// Incident INC-12") && !words.may_contain(b"XINC-12 INC-99999"));
    }

    #[test]
    fn prefilter_is_case_insensitive() {
        assert!(words().may_contain(b"x // INCIDENT: y"));
        assert!(!words().may_contain(b"incident without colon"));
    }
}
