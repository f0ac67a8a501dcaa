//! `--format json`: the report as one JSON document, for machines.
//!
//! serde_json escapes the C0 controls in strings, and leaves every other character raw.
//! The document's strings come from the repository, so the characters a reader cannot see
//! or that reorder what they see (DEL and the C1 controls, NEL, U+2028/U+2029, bidi
//! controls, zero-width and tag characters: `terminal::is_hidden`) are written as `\uXXXX`
//! escapes too. Values are unchanged for any JSON parser, so identities still match; only
//! the bytes a log viewer or a terminal shows are inert.

use crate::report::Report;
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_value(report, out)
}

/// Any serialisable value as pretty JSON, for `list`, `show`, `verify` and SARIF.
pub fn write_value(value: &impl serde::Serialize, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    out.write_all(escape_hidden(&text).as_bytes())?;
    writeln!(out)
}

/// `json` (serde_json's output) with every hidden character written as a `\u` escape
/// (surrogate pairs above U+FFFF). Such a character can only stand inside a string, where
/// the escape means the same character.
pub fn escape_hidden(json: &str) -> std::borrow::Cow<'_, str> {
    // The C0 controls are serde_json's to escape, and its own line breaks are structure.
    let hidden = |c: char| crate::terminal::is_hidden(c) && u32::from(c) >= 0x20;
    if !json.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if hidden(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04X}"));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_escaped_and_parse_back_to_themselves() {
        let value =
            serde_json::json!({"title": "a\u{200b}b\u{202e}c\u{85}d\u{2028}e\u{e0041}f\u{7f}g", "plain": "é ✓"});
        let mut out = Vec::new();
        write_value(&value, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.chars().any(|c| crate::terminal::is_hidden(c) && c != '\n'), "{text:?}");
        assert!(text.contains("\\u200B") && text.contains("\\uDB40\\uDC41") && text.contains("é ✓"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
