//! Python source encodings (PEP 263). A Python file may say on its first or second line
//! what it is written in (`# -*- coding: latin-1 -*-`, `# vim: set fileencoding=cp1252 :`),
//! and Python decodes it accordingly. Read as UTF-8, such a file would be "unparsable",
//! and an unparsable file is exempt from the removal comparison: a hurried change that
//! re-saves a test file as Latin-1 while deleting a linked test would pass. So the file
//! is decoded the way Python decodes it, following `tokenize.detect_encoding`: a UTF-8
//! byte order mark means UTF-8, the cookie is looked for on line 1, and on line 2 only
//! when line 1 is blank or a comment.
//!
//! Python's codec names are mapped onto the WHATWG labels `encoding_rs` knows. Latin-1
//! is decoded as windows-1252, which differs only in 0x80–0x9F: markers and the syntax
//! that matters here are ASCII, so that never changes what is found.

use super::Decoded;
use encoding_rs::{DecoderResult, Encoding};

/// Decodes a Python file's bytes as Python would.
pub fn decode(bytes: &[u8]) -> Decoded {
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let Some((name, line)) = cookie(body) else {
        return super::decode_utf8(body);
    };
    let unparsable = |message: String| {
        let lossy = super::decode_utf8(body);
        Decoded { text: lossy.text, error: Some((line, message)) }
    };
    let Some(encoding) = lookup(&name) else {
        return unparsable(format!("unknown source encoding `{name}` declared on line {line}"));
    };
    if encoding == encoding_rs::UTF_8 {
        return super::decode_utf8(body);
    }
    if bom {
        // Python refuses a file that has both: "encoding problem: latin-1 with BOM".
        return unparsable(format!(
            "starts with a UTF-8 byte order mark but declares the source encoding `{name}` on line {line}"
        ));
    }
    if matches!(name.to_ascii_lowercase().replace('_', "-").as_str(), "ascii" | "us-ascii" | "646") {
        return match body.iter().position(|b| !b.is_ascii()) {
            None => super::decode_utf8(body),
            Some(at) => Decoded {
                text: super::decode_utf8(body).text,
                error: Some((
                    line_of(body, at),
                    format!("not valid `{name}` (byte 0x{:02X} at offset {at})", body[at]),
                )),
            },
        };
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length_without_replacement(body.len()).unwrap_or(body.len() * 3 + 16);
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut text, true);
    match result {
        DecoderResult::InputEmpty => Decoded { text, error: None },
        DecoderResult::Malformed(bad, _) => {
            let at = read.saturating_sub(usize::from(bad));
            let (lossy, _) = encoding.decode_without_bom_handling(body);
            Decoded {
                text: lossy.into_owned(),
                error: Some((
                    line_of(body, at),
                    format!("not valid {} as declared on line {line} (offset {at})", encoding.name()),
                )),
            }
        }
        DecoderResult::OutputFull => {
            // The buffer was sized for the whole input; fall back to the allocating decoder.
            let (lossy, had_errors) = encoding.decode_without_bom_handling(body);
            let error = had_errors.then(|| (line, format!("not valid {} as declared on line {line}", encoding.name())));
            Decoded { text: lossy.into_owned(), error }
        }
    }
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The encoding a coding cookie names, and its line: line 1, or line 2 when line 1 is
/// blank or a comment.
fn cookie(bytes: &[u8]) -> Option<(String, usize)> {
    let mut lines = bytes.split(|&b| b == b'\n');
    let first = lines.next()?;
    if let Some(name) = cookie_in(first) {
        return Some((name, 1));
    }
    let rest = first.iter().skip_while(|&&b| matches!(b, b' ' | b'\t' | b'\x0c')).copied().next();
    if !matches!(rest, None | Some(b'#' | b'\r')) {
        return None;
    }
    cookie_in(lines.next()?).map(|name| (name, 2))
}

/// `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)` (ASCII), as `tokenize` matches it.
fn cookie_in(line: &[u8]) -> Option<String> {
    let start = line.iter().position(|&b| !matches!(b, b' ' | b'\t' | b'\x0c'))?;
    if line[start] != b'#' {
        return None;
    }
    let comment = &line[start + 1..];
    (0..comment.len()).find_map(|i| {
        let after = comment[i..].strip_prefix(b"coding")?;
        let (&sep, after) = after.split_first()?;
        if sep != b':' && sep != b'=' {
            return None;
        }
        let name: Vec<u8> = after
            .iter()
            .skip_while(|&&b| b == b' ' || b == b'\t')
            .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            .copied()
            .collect();
        (!name.is_empty()).then(|| String::from_utf8_lossy(&name).into_owned())
    })
}

/// The decoder for a Python codec name, or `None` when Python source cannot be in it
/// (or it is unknown). Python's own normalisation first (case, `_` for `-`, its aliases
/// for UTF-8 and Latin-1), then the WHATWG labels, then the Python aliases those lack.
fn lookup(name: &str) -> Option<&'static Encoding> {
    let lower = name.to_ascii_lowercase();
    let dashed = lower.replace('_', "-");
    let is = |base: &str| dashed == base || dashed.starts_with(&format!("{base}-"));
    if is("utf-8") || dashed == "utf8" || dashed == "u8" || dashed == "utf" || dashed == "cp65001" {
        return Some(encoding_rs::UTF_8);
    }
    let python_alias = match dashed.as_str() {
        _ if is("latin-1") || is("iso-8859-1") || is("iso-latin-1") => "windows-1252",
        "8859" | "iso8859" | "latin" => "windows-1252",
        "ascii" | "us-ascii" | "646" => "windows-1252", // checked byte by byte by the caller
        "latin9" | "latin-9" => "iso-8859-15",
        "cp932" | "ms-kanji" | "mskanji" | "s-jis" | "shiftjis" => "shift_jis",
        "eucjp" | "ujis" | "u-jis" => "euc-jp",
        "cp936" | "ms936" | "936" => "gbk",
        "cp950" | "ms950" | "big5-tw" => "big5",
        "euckr" | "cp949" | "ms949" | "uhc" | "ks-c-5601-1987" | "ks-c-5601" | "ksc5601" => "euc-kr",
        "mac-roman" | "macroman" | "mac-latin2" => "macintosh",
        "mac-cyrillic" | "maccyrillic" => "x-mac-cyrillic",
        "koi8r" => "koi8-r",
        "koi8u" => "koi8-u",
        other => other,
    };
    let encoding = Encoding::for_label(lower.as_bytes()).or_else(|| Encoding::for_label(python_alias.as_bytes()))?;
    // UTF-16 and the ISO-2022 family cannot hold Python source (its cookie must be ASCII
    // in an ASCII-compatible file); the WHATWG "replacement" encoding only says "refuse".
    let refused = [
        encoding_rs::UTF_16LE,
        encoding_rs::UTF_16BE,
        encoding_rs::REPLACEMENT,
        encoding_rs::X_USER_DEFINED,
        encoding_rs::ISO_2022_JP,
    ];
    (!refused.contains(&encoding)).then_some(encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> (String, Option<(usize, String)>) {
        let d = decode(bytes);
        (d.text, d.error)
    }

    #[test]
    fn latin1_cookie_on_line_one_decodes_the_file() {
        let (text, error) = decoded(b"# -*- coding: latin-1 -*-\n# caf\xe9\n# incident: INC-1\n");
        assert_eq!(text, "# -*- coding: latin-1 -*-\n# caf\u{e9}\n# incident: INC-1\n");
        assert_eq!(error, None);
    }

    #[test]
    fn every_pep263_form_on_line_one_or_two() {
        let cases: &[&[u8]] = &[
            b"# coding=latin1\nx = '\xe9'\n",
            b"#!/usr/bin/env python\n# -*- coding: iso-8859-1 -*-\nx = '\xe9'\n",
            b"# vim: set fileencoding=cp1252 :\nx = '\xe9'\n",
            b"\n# This Python file uses the following encoding: ISO_8859_1\nx = '\xe9'\n",
            b"  \t# coding: L1\r\nx = '\xe9'\r\n",
            b"# coding: Latin_1\nx = '\xe9'\n",
        ];
        for bytes in cases {
            let (text, error) = decoded(bytes);
            assert_eq!(error, None, "{}", String::from_utf8_lossy(bytes));
            assert!(text.contains("x = '\u{e9}'"), "{text:?}");
        }
    }

    #[test]
    fn cookie_on_line_two_counts_only_after_a_comment_or_blank_line() {
        let (_, error) = decoded(b"import os\n# coding: latin-1\nx = '\xe9'\n");
        assert_eq!(error.map(|e| e.0), Some(3), "line 1 is code: the file is UTF-8, and invalid");
        assert_eq!(cookie(b"x = 1\n# coding: latin-1\n"), None);
        assert_eq!(cookie(b"#!python\n# coding: latin-1\n"), Some(("latin-1".to_owned(), 2)));
        assert_eq!(cookie(b"\n\n# coding: latin-1\n"), None, "line 3 is too late");
        assert_eq!(cookie(b"# encoding coding: \n"), None);
        assert_eq!(cookie(b"# xcoding:= nothing coding=utf8\n"), Some(("utf8".to_owned(), 1)));
    }

    #[test]
    fn other_codecs_and_their_python_names() {
        let (text, error) = decoded(b"# coding: koi8_r\n# \xf0\xd2\xc9\xd7\xc5\xd4\n");
        assert_eq!((text.lines().nth(1), error), (Some("# \u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}"), None));
        let (text, error) = decoded(b"# coding: shift_jis\n# \x82\xa0\n");
        assert_eq!((text.lines().nth(1), error), (Some("# \u{3042}"), None));
        let (text, error) = decoded(b"# coding: cp932\n# \x82\xa0\n");
        assert_eq!((text.lines().nth(1), error), (Some("# \u{3042}"), None));
        let (text, error) = decoded(b"# coding: euc_jp\n# \xa4\xa2\n");
        assert_eq!((text.lines().nth(1), error), (Some("# \u{3042}"), None));
        for name in ["utf-8", "UTF8", "utf_8", "utf-8-sig", "gbk", "big5", "iso-8859-15", "cp1251", "euc-kr"] {
            assert!(lookup(name).is_some(), "{name}");
        }
        for name in ["utf-16", "utf-32", "rot13", "klingon", "replacement"] {
            assert!(lookup(name).is_none(), "{name}");
        }
    }

    #[test]
    fn unknown_or_undecodable_declared_encoding_is_unparsable() {
        let (text, error) = decoded(b"# coding: klingon\n# incident: INC-1\n# \xe9\n");
        assert_eq!(error, Some((1, "unknown source encoding `klingon` declared on line 1".to_owned())));
        assert!(text.contains("# incident: INC-1"), "markers still read from the lossy text");
        let (text, error) = decoded(b"# coding: shift_jis\n# incident: INC-1\n# \x82\n");
        assert_eq!(error.map(|e| e.0), Some(3));
        assert!(text.contains("# incident: INC-1"));
        let (_, error) = decoded(b"# coding: ascii\nx = 1\ny = '\xe9'\n");
        assert_eq!(error.map(|e| e.0), Some(3));
    }

    #[test]
    fn a_utf8_bom_is_dropped_and_means_utf8() {
        let (text, error) = decoded(b"\xEF\xBB\xBFdef test_a():\n    pass\n");
        assert_eq!((text.as_str(), error), ("def test_a():\n    pass\n", None));
        let (text, error) = decoded(b"\xEF\xBB\xBF# -*- coding: utf-8 -*-\nx = '\xc3\xa9'\n");
        assert_eq!((text.as_str(), error), ("# -*- coding: utf-8 -*-\nx = '\u{e9}'\n", None));
        let (_, error) = decoded(b"\xEF\xBB\xBF# coding: latin-1\nx = 1\n");
        assert_eq!(error.map(|e| e.0), Some(1), "Python refuses a BOM with another encoding");
    }

    #[test]
    fn no_cookie_is_utf8_as_before() {
        let (text, error) = decoded(b"x = '\xc3\xa9'\n");
        assert_eq!((text.as_str(), error), ("x = '\u{e9}'\n", None));
        let (_, error) = decoded(b"x = 1\ny = '\xe9'\n");
        assert_eq!(error, Some((2, "not valid UTF-8 (invalid byte at offset 11)".to_owned())));
    }
}
