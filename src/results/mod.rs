//! Test results: what the test run before this check, in the same pipeline, says about
//! each linked test. A linked test that stands in the source but never runs guards
//! nothing, and the source alone cannot always tell: a `#[cfg(windows)]`, a feature
//! flag, a workspace member CI never tests, a pytest `-k`, a Go build tag, a
//! `pytest.skip()` halfway through the body. The runner's own report can.
//!
//! Result files are read as streams (see `junit`, `libtest`, `gotest`), and nothing of
//! them is kept but what concerns a linked test: each case is matched, as it is read,
//! against the places where the linked tests show up in a run (`expect`), so a report of
//! any size is read in bounded memory. Results of several files (shards, a matrix)
//! combine: a test counts as passing when any file has it passing, unless the config's
//! `results_conflict = "fail"` makes any failing result win. A file that holds no test
//! case at all covers nothing, and says so (`Runs::empty`).
//!
//! Result files are opened as the source walk opens files (`files::open`): a link found
//! in the work tree never leads out of it, nothing but a regular file is opened, and no
//! read goes past `files::MAX_FILE`.

pub mod expect;
pub mod files;
pub mod gotest;
pub mod junit;
pub mod libtest;

use anyhow::{Context as _, Result, bail};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// A language, by the name the config's `languages` takes.
pub type Language = &'static str;

/// At most this much of a failure or skip text is kept for a message: its first lines
/// are what the message quotes.
pub const MAX_TEXT: usize = 4096;

/// What a result file says of one test case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// Failed or errored, with the start of the failure text.
    Failed(String),
    /// Skipped at run time, with the start of the reason.
    Skipped(String),
}

/// The Rust test binary a case ran in, when the result file says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary<'a> {
    /// cargo-nextest's binary ID: `payments`, `payments::retry`, `payments::bin/cli`.
    Nextest(&'a str),
    /// A binary cargo announced with a `Running` line: its file stem without the hash
    /// (`retry` for `target/debug/deps/retry-0a1b…`), and the target's source path as
    /// cargo printed it (`tests/retry.rs`).
    Cargo { stem: &'a str, src: &'a str },
}

/// One test case as a result file reports it, before it is matched to a test.
#[derive(Clone, Debug)]
pub struct Case<'a> {
    /// The language of the test, when the file tells (see each reader).
    pub language: Option<Language>,
    /// JUnit's `classname`; Go's package import path.
    pub classname: &'a str,
    /// The innermost JUnit `testsuite`'s name, if any.
    pub suite: &'a str,
    /// The names of all the open `testsuite`s, outermost first, joined by ` > ` (nested
    /// suites are `describe` blocks for `node --test`).
    pub suites: &'a str,
    /// The test's name as the runner reports it: `db::pool::tests::reconnects`,
    /// `test_total[a-1]`, `TestReconnect/primary`, `cart > applies the discount once`.
    pub name: &'a str,
    /// The test's file, when the report names it (JUnit's `file` attribute).
    pub file: Option<&'a str>,
    /// For Rust, the test binary, when the file says.
    pub binary: Option<Binary<'a>>,
    pub outcome: Outcome,
}

/// Why a result file could not be read: where, and what.
#[derive(Debug)]
pub struct ParseError {
    /// 1-based line in the file, when the reader counts lines.
    pub line: usize,
    /// Else the byte offset in what the reader was given.
    pub offset: Option<u64>,
    pub message: String,
}

/// Keeps the first lines of a text, up to `MAX_TEXT` bytes, cut at a character boundary.
pub fn bounded(text: &str) -> String {
    if text.len() <= MAX_TEXT {
        return text.to_owned();
    }
    let mut end = MAX_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The first few non-empty lines of a failure or skip text, for a message.
pub fn first_lines(text: &str, lines: usize) -> String {
    let kept: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(lines)
        .map(|l| {
            if l.chars().count() > 200 {
                format!("{}…", l.chars().take(200).collect::<String>())
            } else {
                l.to_owned()
            }
        })
        .collect();
    kept.join(" ⏎ ")
}

/// A linked test's fate in the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Passed in at least one result file.
    Passed,
    /// Failed (or errored) and passed nowhere: the start of the failure text and the
    /// result file it is from.
    Failed { text: String, file: String },
    /// Reported skipped and passed or failed nowhere: the reason and its result file.
    Skipped { text: String, file: String },
    /// Results were given for its language (and, for Rust, its crate), and it is in none.
    NotRun,
}

impl Status {
    /// The word reports use: `passed`, `failed`, `skipped`, `not-run`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed { .. } => "failed",
            Status::Skipped { .. } => "skipped",
            Status::NotRun => "not-run",
        }
    }
}

/// One linked test against the results.
#[derive(Clone, Debug)]
pub struct TestRun {
    pub language: Language,
    pub status: Status,
    /// Where it was looked for, in words for a message: "`retry` in the test binary
    /// `payments::payment_retry`".
    pub looked_for: String,
}

/// Everything the results say about the linked tests.
#[derive(Clone, Debug, Default)]
pub struct Runs {
    /// The result files read, as named to the user.
    pub files: Vec<String>,
    /// Languages the files hold results for.
    pub languages: BTreeSet<Language>,
    /// By test identity: the linked tests whose language (and crate) the results cover.
    pub tests: BTreeMap<String, TestRun>,
    /// The result files that hold no test case at all (a collect-only run such as
    /// pytest's `--co`, a filter that matched nothing): they cover nothing, and a linked
    /// test is not to be taken as run because of them.
    pub empty: Vec<EmptyFile>,
}

/// A result file with no test case in it.
#[derive(Clone, Debug)]
pub struct EmptyFile {
    /// The file, as named to the user.
    pub file: String,
    /// The languages a file of its kind holds results for: every language for JUnit XML,
    /// Go for `go test -json`, Rust for libtest JSON. Only linked tests in these make it
    /// a finding: a Go report that ran no test says nothing of a Python test.
    pub covers: &'static [Language],
}

/// The languages each kind of result file holds results for: JUnit XML, every language;
/// `go test -json`, Go; libtest JSON, Rust; a stream of both, Go and Rust.
const JUNIT_COVERS: &[Language] = crate::config::LANGUAGE_NAMES;
/// See `JUNIT_COVERS`.
const GO_COVERS: &[Language] = &["go"];
/// See `JUNIT_COVERS`.
const LIBTEST_COVERS: &[Language] = &["rust"];
/// See `JUNIT_COVERS`.
const GO_AND_LIBTEST_COVER: &[Language] = &["go", "rust"];

/// Which parts of the code base the results cover.
#[derive(Debug, Default)]
pub struct Coverage {
    pub languages: BTreeSet<Language>,
    /// Packages named by nextest binary IDs.
    pub nextest_packages: BTreeSet<String>,
    /// Binaries cargo announced: `(stem, src)`.
    pub cargo_binaries: BTreeSet<(String, String)>,
    /// Rust results whose binary is unknown (libtest JSON without cargo's `Running`
    /// lines): they may come from any crate, so they cover every crate.
    pub unattributed_rust: bool,
}

/// A result file to read, with the name messages give it.
#[derive(Clone, Debug)]
pub struct ResultFile {
    pub path: PathBuf,
    pub display: String,
}

/// What one file says of one linked test, its cases folded: a parametrized test whose
/// cases all pass passed; one failing case fails it.
#[derive(Clone, Debug, Default)]
struct Fold {
    passed: bool,
    failed: Option<String>,
    skipped: Option<String>,
}

/// Reads every file and matches its cases against the linked tests' expectations. Files
/// are opened only as `files::open` allows (`boundary` is the work tree); `conflict` says
/// which result wins when files disagree about a test.
pub fn read(
    files: &[ResultFile],
    expected: &[(String, expect::Expected)],
    boundary: &Path,
    conflict: crate::config::ResultsConflict,
) -> Result<Runs> {
    let index = expect::Index::new(expected);
    let mut coverage = Coverage::default();
    // Per test: the file whose cases decided each status, and the fold of each file.
    let mut folds: Vec<Vec<(usize, Fold)>> = vec![Vec::new(); expected.len()];
    let mut empty = Vec::new();
    for (f, file) in files.iter().enumerate() {
        let mut cases = 0u64;
        let mut sink = |case: Case| {
            cases += 1;
            record_coverage(&case, &mut coverage);
            for t in index.candidates(&case) {
                if !expected[t].1.matches(&case) {
                    continue;
                }
                let per_file = &mut folds[t];
                if per_file.last().is_none_or(|(g, _)| *g != f) {
                    per_file.push((f, Fold::default()));
                }
                let fold = &mut per_file.last_mut().expect("pushed").1;
                match &case.outcome {
                    Outcome::Passed => fold.passed = true,
                    Outcome::Failed(text) => {
                        fold.failed.get_or_insert_with(|| text.clone());
                    }
                    Outcome::Skipped(text) => {
                        fold.skipped.get_or_insert_with(|| text.clone());
                    }
                }
            }
        };
        let covers = read_file(&file.path, boundary, &mut sink)
            .with_context(|| format!("cannot read the test results {}", file.display))?;
        if cases == 0 {
            empty.push(EmptyFile { file: file.display.clone(), covers });
        }
    }
    let mut runs = Runs { files: files.iter().map(|f| f.display.clone()).collect(), empty, ..Runs::default() };
    for ((id, exp), per_file) in expected.iter().zip(folds) {
        if !exp.covered(&coverage) {
            continue;
        }
        let mut status = Status::NotRun;
        for (f, fold) in per_file {
            let file = files[f].display.clone();
            let this = if let Some(text) = fold.failed {
                Status::Failed { text, file }
            } else if fold.passed {
                Status::Passed
            } else if let Some(text) = fold.skipped {
                Status::Skipped { text, file }
            } else {
                continue;
            };
            // Passed anywhere beats failed somewhere, which beats skipped; with
            // `results_conflict = "fail"`, failed anywhere beats passed somewhere: one
            // forged passing file cannot outweigh the real failing one.
            let fail_wins = conflict == crate::config::ResultsConflict::Fail;
            let rank = |s: &Status| match s {
                Status::Passed if fail_wins => 2,
                Status::Failed { .. } if fail_wins => 3,
                Status::Passed => 3,
                Status::Failed { .. } => 2,
                Status::Skipped { .. } => 1,
                Status::NotRun => 0,
            };
            if rank(&this) > rank(&status) {
                status = this;
            }
        }
        runs.tests.insert(id.clone(), TestRun { language: exp.language(), status, looked_for: exp.looked_for() });
    }
    runs.languages = coverage.languages;
    Ok(runs)
}

fn record_coverage(case: &Case, coverage: &mut Coverage) {
    let Some(language) = case.language else { return };
    coverage.languages.insert(language);
    if language != "rust" {
        return;
    }
    match case.binary {
        Some(Binary::Nextest(id)) => {
            let package = id.split("::").next().unwrap_or(id);
            if !coverage.nextest_packages.contains(package) {
                coverage.nextest_packages.insert(package.to_owned());
            }
        }
        Some(Binary::Cargo { stem, src }) => {
            let key = (stem.to_owned(), src.to_owned());
            if !coverage.cargo_binaries.contains(&key) {
                coverage.cargo_binaries.insert(key);
            }
        }
        None => coverage.unattributed_rust = true,
    }
}

/// Reads one result file, whatever its format: JUnit XML when it starts with `<`, else a
/// stream of JSON lines (`go test -json`, libtest's `--format json`). Opened by
/// `files::open` (inside `boundary`, regular files only) and read through
/// `files::Capped`, so no file is read past `files::MAX_FILE`. Returns the languages a
/// file of its kind holds results for (see `EmptyFile::covers`).
pub fn read_file(path: &Path, boundary: &Path, sink: &mut dyn FnMut(Case)) -> Result<&'static [Language]> {
    let file = files::open(path, boundary)?;
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, files::Capped::new(file, files::MAX_FILE));
    let mut skipped = 0u64;
    let first = loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            bail!("it is empty: the test run that should have written it did not finish, or wrote elsewhere");
        }
        // A byte-order mark and leading blank space say nothing about the format.
        let skip = if buf.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            buf.iter().take_while(|b| b.is_ascii_whitespace()).count()
        };
        if skip == 0 {
            break buf[0];
        }
        reader.consume(skip);
        skipped += skip as u64;
    };
    let parsed =
        if first == b'<' { junit::read(reader, sink).map(|()| JUNIT_COVERS) } else { json_lines(reader, sink) };
    parsed.map_err(|e| {
        let line = match e.offset {
            Some(offset) => line_at(path, boundary, skipped + offset),
            None => e.line,
        };
        anyhow::anyhow!("line {line}: {}", e.message)
    })
}

/// The 1-based line of byte `offset` in the file, read again for it: a parse error is
/// rare, and counting lines while parsing would cost every read.
fn line_at(path: &Path, boundary: &Path, offset: u64) -> usize {
    use std::io::Read as _;
    let Ok(file) = files::open(path, boundary) else { return 1 };
    let mut reader = std::io::BufReader::new(file.take(offset));
    let mut lines = 1;
    loop {
        let Ok(buf) = reader.fill_buf() else { return lines };
        if buf.is_empty() {
            return lines;
        }
        lines += buf.iter().filter(|&&b| b == b'\n').count();
        let n = buf.len();
        reader.consume(n);
    }
}

/// The longest line of a JSON-lines result file read whole; a longer one is an error
/// rather than a read of unbounded size.
pub const MAX_LINE: usize = 64 * 1024 * 1024;

/// A JSON-lines stream: each line that starts with `{` is an event of `go test -json` or
/// of libtest; other lines are cargo's and the go tool's own (`Running tests/a.rs (…)`,
/// `FAIL pkg [build failed]`), of which cargo's `Running` lines say which binary the
/// events after them come from.
fn json_lines(mut reader: impl BufRead, sink: &mut dyn FnMut(Case)) -> Result<&'static [Language], ParseError> {
    let mut line = Vec::new();
    let mut number = 0;
    let mut go = gotest::Stream::default();
    let mut rust = libtest::Stream::default();
    let (mut go_events, mut rust_events) = (0usize, 0usize);
    loop {
        line.clear();
        number += 1;
        let too_long = read_line(&mut reader, &mut line, MAX_LINE).map_err(|e| ParseError {
            line: number,
            offset: None,
            message: format!("cannot read: {e}"),
        })?;
        if line.is_empty() {
            break;
        }
        if too_long {
            return Err(ParseError {
                line: number,
                offset: None,
                message: format!("the line is longer than {} MiB", MAX_LINE / (1024 * 1024)),
            });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if !text.starts_with('{') {
            rust.text_line(text);
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ParseError {
            line: number,
            offset: None,
            message: format!("not a JSON event ({e})"),
        })?;
        if value.get("Action").is_some() {
            go.event(&value, sink).map_err(|message| ParseError { line: number, offset: None, message })?;
            go_events += 1;
        } else if value.get("type").is_some() {
            rust.event(&value, sink).map_err(|message| ParseError { line: number, offset: None, message })?;
            rust_events += 1;
        } else {
            return Err(ParseError {
                line: number,
                offset: None,
                message: "a JSON object that is neither a `go test -json` event (no `Action`) nor a libtest event (no `type`)".into(),
            });
        }
    }
    go.finish(sink);
    if go_events + rust_events == 0 {
        return Err(ParseError {
            line: 1,
            offset: None,
            message:
                "no test results in it: it is not JUnit XML, and no line is a `go test -json` or libtest JSON event"
                    .into(),
        });
    }
    Ok(match (go_events, rust_events) {
        (_, 0) => GO_COVERS,
        (0, _) => LIBTEST_COVERS,
        _ => GO_AND_LIBTEST_COVER,
    })
}

/// Reads one line (without its `\n`) into `out`, keeping at most `max` bytes of it;
/// returns whether it was longer.
fn read_line(reader: &mut impl BufRead, out: &mut Vec<u8>, max: usize) -> std::io::Result<bool> {
    let mut too_long = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(too_long);
        }
        let (chunk, done) = match memchr(b'\n', buf) {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        let room = max.saturating_sub(out.len());
        if chunk.len() > room {
            too_long = true;
        }
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            // A line that was only `\n` reads as empty: keep one byte so that the caller
            // tells it from the end of the file.
            if out.is_empty() {
                out.push(b' ');
            }
            return Ok(too_long);
        }
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

/// Result files for the patterns: every pattern must match at least one file.
pub use files::expand;

/// The expectations of the linked tests at HEAD, then the results read against them.
pub fn gather(
    root: &Path,
    sources: &crate::scan::Scanned,
    files: &[ResultFile],
    conflict: crate::config::ResultsConflict,
) -> Result<Runs> {
    let texts: HashMap<&str, &str> = sources.texts.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let expected = expect::expectations(root, sources, &texts);
    read(files, &expected, &crate::paths::boundary(root), conflict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_file_says_which_languages_it_covers() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let kinds = [
            ("junit.xml", "<testsuites><testsuite name=\"pytest\" tests=\"0\"/></testsuites>\n", JUNIT_COVERS),
            (
                "go.json",
                "{\"Action\":\"start\",\"Package\":\"p\"}\n{\"Action\":\"skip\",\"Package\":\"p\"}\n",
                GO_COVERS,
            ),
            ("libtest.json", "{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 0 }\n", LIBTEST_COVERS),
            (
                "both.json",
                "{\"Action\":\"start\",\"Package\":\"p\"}\n{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 0 }\n",
                GO_AND_LIBTEST_COVER,
            ),
        ];
        for (name, text, covers) in kinds {
            std::fs::write(root.join(name), text).unwrap();
            let mut cases = 0;
            let got = read_file(&root.join(name), &root, &mut |_| cases += 1).unwrap();
            assert_eq!((got, cases), (covers, 0), "{name}");
        }
    }
}
