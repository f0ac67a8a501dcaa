//! Repository text on a terminal. A title, a test name, a path or a config value is
//! data, and a terminal would otherwise obey the escape sequences in it (rewrite the
//! screen, hide text, plant a hyperlink that says one thing and opens another). Used by
//! the human renderer and by the config's located errors, so it sits below both.

use crate::finding::Location;
use annotate_snippets::{Level as ALevel, Renderer, Snippet};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;

/// Bidirectional formatting characters (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM,
/// RLM, ALM): invisible, they reorder how the text around them is displayed ("Trojan
/// Source", CVE-2021-42574), so a title could read differently from what it says.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that display as nothing: the zero-width space, non-joiner and joiner, the
/// word joiner, the byte-order mark (zero-width no-break space), and the tag characters
/// U+E0000–U+E007F, invisible letters that carry hidden text past a reader ("ASCII
/// smuggling") and can split `::` from the word after it.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{E0000}'..='\u{E007F}')
}

/// What no output may carry raw from the repository or from a test's output: control
/// characters (C0, DEL, C1, NEL among them), bidirectional formatting characters,
/// invisible characters and U+2028/U+2029. The one predicate every format's escaping
/// shares, so that the formats agree on what is hidden.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c) || is_line_separator(c)
}

/// `text` with every hidden character (`is_hidden`) but `\n`, `\r` and `\t` shown as
/// `\u{…}`, for formats whose own escaping deals with line breaks (annotations, SARIF).
pub fn visible(text: &str) -> Cow<'_, str> {
    let shown = |c: char| is_hidden(c) && !matches!(c, '\n' | '\r' | '\t');
    if !text.chars().any(shown) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if shown(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a line would be read as a workflow command by the GitHub runner: after
/// leading whitespace, `::` or the legacy `##[`.
pub fn is_command_line(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("::") || line.starts_with("##[")
}

/// Repository text as one line that is safe to print on a terminal: line breaks become
/// spaces (the layout is ours), a tab four spaces (as the snippet renderer lays tabs
/// out), U+2028 and U+2029 a space, and every other control character (C0, DEL, C1),
/// bidirectional formatting character or invisible character (`is_invisible`) is shown
/// as `\u{1b}`. Shown rather than dropped: a reader should see that the title holds an
/// escape sequence, not a silently different title.
pub fn terminal_line(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

/// `terminal_line` for text whose line breaks are our own layout (an error message that
/// holds a rendered snippet): `\n` stays, everything else is treated the same.
pub fn terminal_text(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

fn clean(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_hidden(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\r' if !keep_newlines => out.push(' '),
            c if is_line_separator(c) => out.push(' '),
            '\t' => out.push_str("    "),
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// U+2028 and U+2029 end a line in some viewers and not in others.
fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// The byte range of `len` characters starting at 1-based character `column` of `line`.
pub fn char_range(line: &str, column: usize, len: usize) -> std::ops::Range<usize> {
    let mut idx = line.char_indices().map(|(i, _)| i).chain(std::iter::once(line.len()));
    let start = idx.nth(column.saturating_sub(1)).unwrap_or(line.len());
    let end = line[start..]
        .char_indices()
        .map(|(i, _)| start + i)
        .chain(std::iter::once(line.len()))
        .nth(len)
        .unwrap_or(line.len());
    start..end.max(start)
}

/// A source line made safe to print, with the byte range of the `len` characters from
/// 1-based `column` in it. Cleaning can lengthen what comes before the caret (a tab, an
/// escape shown as `\u{1b}`), so the line is cleaned in three pieces and the range
/// measured on the result.
pub fn snippet_line(line: &str, column: usize, len: usize) -> (String, Range<usize>) {
    let r = char_range(line, column, len);
    let (before, span, after) =
        (terminal_line(&line[..r.start]), terminal_line(&line[r.clone()]), terminal_line(&line[r.end..]));
    let source = format!("{before}{span}{after}");
    let mut range = before.len()..before.len() + span.len();
    // annotate-snippets 0.11 subtracts a line's indentation from where the caret ends
    // when it trims a line too long for the terminal: a caret that ends inside the
    // indentation overflows (a panic in debug builds). Such a caret is stretched to the
    // first character after the indentation, which it then points at as well.
    let indent = source.len() - source.trim_start().len();
    if range.end < indent {
        range.end = source[indent..].chars().next().map_or(source.len(), |c| indent + c.len_utf8());
    }
    (source, range)
}

/// A located message for errors outside findings (config problems).
pub fn snippet_text(loc: &Location, source_line: &str, message: &str) -> String {
    let (source, range) = snippet_line(source_line, loc.column, loc.len);
    let (message, origin) = (terminal_line(message), terminal_line(&loc.path));
    let msg = ALevel::Error
        .title(&message)
        .snippet(Snippet::source(&source).line_start(loc.line).origin(&origin).annotation(ALevel::Error.span(range)));
    Renderer::plain().render(msg).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_invisible_and_tag_characters_are_shown_in_every_helper() {
        let text = "a\u{200b}b\u{200c}\u{200d}\u{2060}\u{feff}\u{e0041}\u{85}\u{1b}\n\t";
        assert_eq!(terminal_line(text), "a\\u{200b}b\\u{200c}\\u{200d}\\u{2060}\\u{feff}\\u{e0041}\\u{85}\\u{1b}     ");
        assert_eq!(visible(text), "a\\u{200b}b\\u{200c}\\u{200d}\\u{2060}\\u{feff}\\u{e0041}\\u{85}\\u{1b}\n\t");
        assert_eq!(visible("plain – ünïcode"), "plain – ünïcode");
        assert!(is_command_line("  ::error::x") && is_command_line("##[group]") && !is_command_line("| ::x"));
    }

    #[test]
    fn caret_inside_the_indentation_of_a_long_line_panicked_the_renderer() {
        // Found by the fuzzer: a config line of 17 carriage returns (shown as spaces)
        // and long text, with the TOML error at its start.
        let line = format!("{}{}", " ".repeat(30), "x".repeat(200));
        let loc = Location { path: "incident-guard.toml".into(), line: 1, column: 5, len: 1 };
        let shown = snippet_text(&loc, &line, "invalid TOML");
        assert!(shown.contains("incident-guard.toml:1:5"), "{shown}");
        let (_, range) = snippet_line(&line, 5, 1);
        assert_eq!(range, 4..31);
        // Outside the indentation the caret is left alone.
        assert_eq!(snippet_line(&line, 40, 2).1, 39..41);
    }
}
