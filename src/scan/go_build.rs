//! Go build constraints: whether the go tool builds a file at all. A `//go:build ignore`
//! line above the package clause turns every test in the file off while the file still
//! reads as a test file, and `pool_windows_test.go` is built only on Windows; a linked
//! test behind either guards nothing (or only somewhere). The header is read the way
//! `go/build` reads it (`parseFileHeader`): `//go:build` lines among the leading comments,
//! and, only when there is none, the legacy `// +build` lines that stand before the last
//! blank line of that block.
//!
//! Only the `ignore` tag is known: by convention no build sets it, so an expression that
//! is false whenever `ignore` is false never builds. Every other tag (GOOS, GOARCH, cgo,
//! `-tags` the CI may pass) is left undecided, and the constraint is named for the reader.

use super::{Skip, Truth};
use crate::finding::Location;

/// The operating systems `go/build` knows (`syslist.go`): a file name ending in
/// `_GOOS` (before `_test`) builds only there.
const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];

/// The architectures `go/build` knows (`syslist.go`).
const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

/// What a file's build constraints say about building it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileConstraint {
    /// The go tool never builds the file.
    pub never: Option<Skip>,
    /// It builds the file only under a condition: the constraint, quoted.
    pub only: Option<Skip>,
    /// A `_GOOS`/`_GOARCH` file-name constraint, in words (its place is each test).
    pub file_name: Option<String>,
}

/// Reads the build constraints of the Go file at `path` with text `text`.
pub fn constraints(path: &str, text: &str) -> FileConstraint {
    let mut out = FileConstraint { file_name: file_name_constraint(path), ..FileConstraint::default() };
    let (go_build, plus_build) = header(text);
    let at = |line: usize, text: &str| Location { path: path.to_owned(), line, column: 1, len: text.chars().count() };
    if let Some((line, constraint)) = go_build {
        let expr = constraint["//go:build".len()..].trim();
        match eval(expr) {
            Truth::Yes => {}
            Truth::No => {
                out.never =
                    Some(Skip::new(at(line, constraint), format!("`{constraint}`: the go tool never builds this file")))
            }
            Truth::Unknown => out.only = Some(Skip::new(at(line, constraint), format!("`{constraint}`"))),
        }
        return out;
    }
    // Legacy lines: each is an OR of space-separated options, each option an AND of
    // comma-separated tags; the lines are ANDed.
    for (line, constraint) in plus_build {
        let options = constraint.trim_start_matches('/').trim()["+build".len()..].split_whitespace();
        let holds = Truth::any(options.map(|option| {
            option.split(',').fold(Truth::Yes, |acc, term| {
                let (negated, tag) = match term.strip_prefix('!') {
                    Some(tag) => (true, tag),
                    None => (false, term),
                };
                let value = tag_value(tag);
                acc.and(if negated { !value } else { value })
            })
        }));
        match holds {
            Truth::Yes => {}
            Truth::No => {
                out.never.get_or_insert_with(|| {
                    Skip::new(at(line, constraint), format!("`{constraint}`: the go tool never builds this file"))
                });
            }
            Truth::Unknown => {
                out.only.get_or_insert_with(|| Skip::new(at(line, constraint), format!("`{constraint}`")));
            }
        }
    }
    if out.never.is_some() {
        out.only = None;
    }
    out
}

/// Whether a build sets `tag`: never for `ignore`, undecided for anything else.
fn tag_value(tag: &str) -> Truth {
    if tag == "ignore" { Truth::No } else { Truth::Unknown }
}

/// A line of the file: its number and its trimmed text.
type Line<'a> = (usize, &'a str);

/// The `//go:build` line of the header and the `// +build` lines that count, with their
/// line numbers (trimmed).
fn header(text: &str) -> (Option<Line<'_>>, Vec<Line<'_>>) {
    let mut go_build = None;
    let mut plus_build = Vec::new();
    // The most recent blank line before the first line that is not a `//` comment:
    // `// +build` lines count only above it (below, they would be package doc).
    let mut last_blank = 0;
    let mut ended = false;
    let mut in_block = false;
    'lines: for (n, raw) in text.lines().enumerate() {
        let n = n + 1;
        let line = raw.trim();
        if line.is_empty() && !ended {
            last_blank = n;
            continue;
        }
        if !line.starts_with("//") {
            ended = true;
        }
        if !in_block && is_go_build(line) {
            // Go refuses a second one; the first is the one a reader looks at.
            go_build.get_or_insert((n, line));
        }
        if !in_block
            && let Some(rest) = line.strip_prefix("//")
            && rest.split_whitespace().next() == Some("+build")
        {
            plus_build.push((n, line));
        }
        let mut rest = line;
        loop {
            if in_block {
                match rest.find("*/") {
                    Some(i) => {
                        in_block = false;
                        rest = rest[i + 2..].trim();
                    }
                    None => continue 'lines,
                }
            }
            if rest.is_empty() || rest.starts_with("//") {
                continue 'lines;
            }
            if let Some(after) = rest.strip_prefix("/*") {
                in_block = true;
                rest = after.trim();
                continue;
            }
            break 'lines;
        }
    }
    plus_build.retain(|(n, _)| *n < last_blank);
    (go_build, plus_build)
}

fn is_go_build(line: &str) -> bool {
    line.strip_prefix("//go:build").is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// Evaluates a `//go:build` expression (`||`, `&&`, `!`, parentheses, tags). A malformed
/// expression is undecided: the go tool rejects the file, which CI notices by itself.
fn eval(expr: &str) -> Truth {
    let mut tokens = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' => i += 1,
            b'(' | b')' | b'!' => {
                tokens.push(&expr[i..i + 1]);
                i += 1;
            }
            b'&' | b'|' if b.get(i + 1) == Some(&b[i]) => {
                tokens.push(&expr[i..i + 2]);
                i += 2;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                    i += 1;
                }
                tokens.push(&expr[start..i]);
            }
            _ => return Truth::Unknown,
        }
    }
    let mut parser = Parser { tokens, pos: 0, depth: 0 };
    match parser.or() {
        Some(t) if parser.pos == parser.tokens.len() => t,
        _ => Truth::Unknown,
    }
}

struct Parser<'a> {
    tokens: Vec<&'a str>,
    pos: usize,
    /// Parentheses and `!` nest by recursion: bounded, so no line can overflow the stack.
    depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.pos).copied()
    }

    fn or(&mut self) -> Option<Truth> {
        let mut t = self.and()?;
        while self.peek() == Some("||") {
            self.pos += 1;
            t = t.or(self.and()?);
        }
        Some(t)
    }

    fn and(&mut self) -> Option<Truth> {
        let mut t = self.not()?;
        while self.peek() == Some("&&") {
            self.pos += 1;
            t = t.and(self.not()?);
        }
        Some(t)
    }

    fn not(&mut self) -> Option<Truth> {
        self.depth += 1;
        if self.depth > 100 {
            return None;
        }
        let t = match self.peek()? {
            "!" => {
                self.pos += 1;
                !self.not()?
            }
            "(" => {
                self.pos += 1;
                let t = self.or()?;
                (self.peek()? == ")").then_some(())?;
                self.pos += 1;
                t
            }
            "&&" | "||" | ")" => return None,
            tag => {
                self.pos += 1;
                tag_value(tag)
            }
        };
        self.depth -= 1;
        Some(t)
    }
}

/// `_GOOS`, `_GOARCH` or `_GOOS_GOARCH` at the end of a Go file's name (before `_test`),
/// which builds the file only there, as `go/build` (`goodOSArchFile`) reads it: the part
/// before the first `_` never counts, so `windows_test.go` builds everywhere.
fn file_name_constraint(path: &str) -> Option<String> {
    let base = path.rsplit('/').next().unwrap_or(path);
    let name = base.split('.').next().unwrap_or(base);
    let rest = &name[name.find('_')?..];
    let mut parts: Vec<&str> = rest.split('_').collect();
    if parts.last() == Some(&"test") {
        parts.pop();
    }
    let n = parts.len();
    if n >= 2 && KNOWN_OS.contains(&parts[n - 2]) && KNOWN_ARCH.contains(&parts[n - 1]) {
        let (os, arch) = (parts[n - 2], parts[n - 1]);
        return Some(format!(
            "`_{os}_{arch}` in the file name: the go tool builds it only for GOOS={os} and GOARCH={arch}"
        ));
    }
    let last = *parts.last()?;
    if KNOWN_OS.contains(&last) {
        return Some(format!("`_{last}` in the file name: the go tool builds it only for GOOS={last}"));
    }
    if KNOWN_ARCH.contains(&last) {
        return Some(format!("`_{last}` in the file name: the go tool builds it only for GOARCH={last}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    type Said = Option<(String, usize)>;

    fn read(text: &str) -> (Said, Said) {
        let c = constraints("p/p_test.go", text);
        (c.never.map(|s| (s.what, s.loc.line)), c.only.map(|s| (s.what, s.loc.line)))
    }

    #[test]
    fn go_build_ignore_was_not_seen() {
        let never = |line: &str, n: usize| (Some((format!("`{line}`: the go tool never builds this file"), n)), None);
        assert_eq!(read("//go:build ignore\n\npackage p\n"), never("//go:build ignore", 1));
        assert_eq!(
            read("// Copyright\n\n//go:build ignore && linux\n\npackage p\n"),
            never("//go:build ignore && linux", 3)
        );
        assert_eq!(read("// +build ignore\n\npackage p\n"), never("// +build ignore", 1));
        assert_eq!(read("//+build linux,ignore\n\npackage p\n"), never("//+build linux,ignore", 1));
        assert_eq!(read("/* licence */\n//go:build ignore\npackage p\n"), never("//go:build ignore", 2));
    }

    #[test]
    fn other_constraints_are_conditions() {
        let only = |line: &str, n: usize| (None, Some((format!("`{line}`"), n)));
        assert_eq!(read("//go:build linux && amd64\n\npackage p\n"), only("//go:build linux && amd64", 1));
        assert_eq!(
            read("//go:build ignore || integration\n\npackage p\n"),
            only("//go:build ignore || integration", 1)
        );
        assert_eq!(read("// +build linux darwin\n\npackage p\n"), only("// +build linux darwin", 1));
        assert_eq!(read("//go:build (linux\n\npackage p\n"), only("//go:build (linux", 1));
        // Always builds, or no constraint at all.
        assert_eq!(read("//go:build !ignore\n\npackage p\n"), (None, None));
        assert_eq!(read("// +build !ignore\n\npackage p\n"), (None, None));
        assert_eq!(read("package p\n\n//go:build ignore\n"), (None, None), "after the package clause");
        assert_eq!(read("/*\n//go:build ignore\n*/\npackage p\n"), (None, None), "inside a block comment");
        assert_eq!(read("// +build ignore\npackage p\n"), (None, None), "a +build line needs a blank line after it");
        assert_eq!(read("//go:buildignore\n\npackage p\n"), (None, None));
        // With a `//go:build` line, `// +build` lines are not read.
        assert_eq!(read("//go:build linux\n// +build ignore\n\npackage p\n"), only("//go:build linux", 1));
        let deep = format!("//go:build {}ignore{}\n\npackage p\n", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(read(&deep).0, None);
    }

    #[test]
    fn file_names_with_goos_or_goarch_were_not_conditions() {
        let name = |p: &str| file_name_constraint(p);
        assert_eq!(
            name("pool/pool_windows_test.go").as_deref(),
            Some("`_windows` in the file name: the go tool builds it only for GOOS=windows")
        );
        assert_eq!(
            name("x_linux_amd64_test.go").as_deref(),
            Some("`_linux_amd64` in the file name: the go tool builds it only for GOOS=linux and GOARCH=amd64")
        );
        assert_eq!(
            name("a/b_arm64_test.go").as_deref(),
            Some("`_arm64` in the file name: the go tool builds it only for GOARCH=arm64")
        );
        for none in ["linux_test.go", "windows_test.go", "pool_test.go", "pool_winders_test.go", "x_linux_foo_test.go"]
        {
            assert_eq!(name(none), None, "{none}");
        }
    }
}
