//! libtest's JSON event stream: `cargo test -- -Z unstable-options --format json`, on a
//! nightly toolchain or with `RUSTC_BOOTSTRAP=1`. Each event names a test by its path in
//! its test binary (`db::pool::tests::reconnects`) and nothing else; which binary it ran
//! in is said only by the `Running` lines cargo prints on standard error before each
//! binary. When those lines are in the same file (`2>&1`), each event is attributed to
//! its binary, and so to its crate; without them, an event may come from any crate.

use super::{Binary, Case, Outcome, bounded};

/// Reading state: the binary cargo announced last, if any.
#[derive(Default)]
pub struct Stream {
    /// `(stem, src)` of the binary the events now come from.
    current: Option<(String, String)>,
}

/// `(stem, src)` from a cargo `Running` line:
/// `Running unittests src/lib.rs (target/debug/deps/payments-0a1b2c3d4e5f6a7b)` →
/// `("payments", "src/lib.rs")`.
pub fn running_line(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix("Running ")?;
    let rest = rest.strip_prefix("unittests ").unwrap_or(rest);
    let (src, binary) = rest.rsplit_once(" (")?;
    let binary = binary.strip_suffix(')')?;
    let file = binary.rsplit(['/', '\\']).next()?;
    let file = file.strip_suffix(".exe").unwrap_or(file);
    // `name-HASH`: the hash is hexadecimal; the name may hold `-` itself only as `_`.
    let stem = match file.rsplit_once('-') {
        Some((stem, hash)) if !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit()) => stem,
        _ => file,
    };
    Some((stem.to_owned(), src.trim().replace('\\', "/")))
}

impl Stream {
    /// A line that is not an event: cargo's `Running` and `Doc-tests` lines move the
    /// stream to another binary; anything else is ignored.
    pub fn text_line(&mut self, line: &str) {
        if let Some(running) = running_line(line) {
            self.current = Some(running);
        } else if line.trim().starts_with("Doc-tests ") {
            // Doc tests never hold a linked test; their names are `src/lib.rs - f (line 3)`.
            self.current = Some(("doc-tests".to_owned(), String::new()));
        }
    }

    pub fn event(&mut self, event: &serde_json::Value, sink: &mut dyn FnMut(Case)) -> Result<(), String> {
        let field = |k: &str| event.get(k).and_then(|v| v.as_str());
        if field("type") != Some("test") {
            return Ok(()); // suite and bench events
        }
        let Some(name) = field("name") else {
            return Err("a libtest `test` event without a `name`".into());
        };
        let text = || bounded(field("stdout").or_else(|| field("message")).unwrap_or(""));
        let outcome = match field("event") {
            Some("ok") => Outcome::Passed,
            Some("failed") => Outcome::Failed(text()),
            Some("ignored") => Outcome::Skipped(bounded(field("message").unwrap_or(""))),
            // `started`, and `timeout` (a warning that a test runs long), end nothing.
            _ => return Ok(()),
        };
        let binary = self.current.as_ref().map(|(stem, src)| Binary::Cargo { stem, src });
        sink(Case { language: Some("rust"), classname: "", suite: "", suites: "", name, file: None, binary, outcome });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_lines_name_the_binary_and_its_source() {
        assert_eq!(
            running_line("     Running unittests src/lib.rs (target/debug/deps/payments-0a1b2c3d4e5f6a7b)"),
            Some(("payments".into(), "src/lib.rs".into()))
        );
        assert_eq!(
            running_line("Running tests/payment_retry.rs (target/debug/deps/payment_retry-3c4d)"),
            Some(("payment_retry".into(), "tests/payment_retry.rs".into()))
        );
        assert_eq!(
            running_line(r"Running unittests src\main.rs (target\debug\deps\cli-0f.exe)"),
            Some(("cli".into(), "src/main.rs".into()))
        );
        assert_eq!(running_line("running 3 tests"), None);
    }
}
