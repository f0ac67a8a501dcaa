//! "Did you mean …?" for unknown keys and unknown incident IDs.

/// The candidate closest to `word` by edit distance, when it is close enough to be a
/// plausible typo rather than a different word.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

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
}
