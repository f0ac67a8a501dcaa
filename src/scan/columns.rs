//! Columns (in characters) of byte offsets, at a bounded cost however long the line.
//! Counting characters from the start of the line for every token made a minified file,
//! which is one long line, quadratic to scan: 16,000 tests on a 416 KB line took
//! seconds. Character counts are kept at every `CHUNK` bytes instead, so a column costs a
//! binary search and at most `CHUNK` bytes of counting.

const CHUNK: usize = 256;

#[derive(Clone, Debug, Default)]
pub struct Columns<'a> {
    bytes: &'a [u8],
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// Characters in `bytes[..k * CHUNK]`, for each `k`.
    chars_at_chunk: Vec<usize>,
    /// For each line, the offset of its first byte that is not ASCII white space (the
    /// line's end when there is none).
    first_code: Vec<usize>,
}

/// Whether a byte starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: u8) -> bool {
    (b as i8) >= -0x40
}

impl<'a> Columns<'a> {
    pub fn new(src: &'a str) -> Columns<'a> {
        let bytes = src.as_bytes();
        let mut line_starts = vec![0];
        let mut first_code = Vec::new();
        let mut code: Option<usize> = None;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                first_code.push(code.unwrap_or(i));
                code = None;
                line_starts.push(i + 1);
            } else if code.is_none() && !b.is_ascii_whitespace() {
                code = Some(i);
            }
        }
        first_code.push(code.unwrap_or(bytes.len()));
        let mut chars_at_chunk = Vec::with_capacity(bytes.len() / CHUNK + 1);
        let mut total = 0;
        for chunk in bytes.chunks(CHUNK) {
            chars_at_chunk.push(total);
            total += chunk.iter().filter(|&&b| starts_char(b)).count();
        }
        chars_at_chunk.push(total);
        Columns { bytes, line_starts, chars_at_chunk, first_code }
    }

    /// Characters in `src[..byte]`.
    fn chars_before(&self, byte: usize) -> usize {
        let byte = byte.min(self.bytes.len());
        let k = byte / CHUNK;
        self.chars_at_chunk[k] + self.bytes[k * CHUNK..byte].iter().filter(|&&b| starts_char(b)).count()
    }

    /// The 0-based line that holds `byte`.
    fn line_index(&self, byte: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= byte).saturating_sub(1)
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, byte: usize) -> usize {
        self.line_index(byte) + 1
    }

    /// The 1-based column, in characters, of a byte offset.
    pub fn col(&self, byte: usize) -> usize {
        let byte = byte.min(self.bytes.len());
        let start = self.line_starts[self.line_index(byte)];
        self.chars_before(byte) - self.chars_before(start) + 1
    }

    /// Whether only ASCII white space stands between the start of its line and `byte`.
    pub fn only_whitespace_before(&self, byte: usize) -> bool {
        self.first_code[self.line_index(byte)] >= byte
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_match_counting_from_the_line_start() {
        let long = "é".repeat(300) + "x" + &" ".repeat(CHUNK * 3) + "ü";
        let texts = ["", "a", "ab\ncd", "\n\n", "  é\n\tx y\r\n", long.as_str()];
        for text in texts {
            let c = Columns::new(text);
            for byte in (0..=text.len()).filter(|&b| text.is_char_boundary(b)) {
                let line_start = text[..byte].rfind('\n').map_or(0, |n| n + 1);
                let before = &text[line_start..byte];
                assert_eq!(c.col(byte), before.chars().count() + 1, "{text:?} at {byte}");
                let blank = before.bytes().all(|b| b.is_ascii_whitespace());
                assert_eq!(c.only_whitespace_before(byte), blank, "{text:?} at {byte}");
            }
        }
    }
}
