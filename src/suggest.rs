//! "Did you mean …?" for unknown keys and unknown incident IDs.

/// The candidate closest to `word` by edit distance, when it is close enough to be a
/// plausible typo rather than a different word.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    // A word this long is no typo of anything, and the edit distance costs the product
    // of the lengths: a 60 KB ID near a 60 KB ID took seconds.
    if len > MAX_LEN {
        return None;
    }
    let limit = (len / 3).max(2);
    let word = word.to_lowercase();
    candidates
        .into_iter()
        // Lengths that differ by more than the limit put a candidate out of reach without
        // the edit distance, whose cost is the product of the lengths (a key thousands of
        // characters long took 20 ms per candidate).
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (strsim::damerau_levenshtein(&word, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// The longest word a suggestion is looked for: IDs and keys are tens of characters.
pub const MAX_LEN: usize = 128;

/// `; did you mean `x`?` or nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_words_only() {
        let keys = ["action_items", "title", "tags"];
        assert_eq!(closest("actoin_items", keys), Some("action_items"));
        assert_eq!(closest("titel", keys), Some("title"));
        assert_eq!(closest("completely_different", keys), None);
        assert_eq!(closest("INC-2024-71", ["INC-2024-017", "INC-2023-999"]), Some("INC-2024-017"));
    }

    #[test]
    fn a_key_thousands_of_characters_long_was_compared_in_full() {
        // Found by the fuzzer: a 30,000-character unknown key in a postmortem took the
        // full edit distance to every known key. Too long to be a typo, it is compared
        // with none.
        assert_eq!(closest(&"actoin_items".repeat(2_500), ["action_items", "title"]), None);
        assert_eq!(closest("action_itemss", ["action_items", "title"]), Some("action_items"));
    }

    // incident: IG-2026-011
    #[test]
    fn an_id_of_60_kb_near_a_known_one_took_seconds_to_compare() {
        let known = "INC-".to_owned() + &"7".repeat(60_000);
        let near = known.replace("77", "78");
        // One edit away, yet no suggestion: the comparison (7 s each) is not made at all.
        assert_eq!(closest(&near, [known.as_str(), "INC-1"]), None);
        assert_eq!(closest(&"7".repeat(MAX_LEN), [&*"7".repeat(MAX_LEN - 1)]), Some(&*"7".repeat(MAX_LEN - 1)));
    }
}
