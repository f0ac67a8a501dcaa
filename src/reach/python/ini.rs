//! The INI dialect pytest reads (`pytest.ini`, `tox.ini`, `setup.cfg`, through the
//! `iniconfig` package): `[section]` headers, `key = value` or `key: value`, indented
//! continuation lines that extend the value above, and whole-line `#`/`;` comments, which
//! (like blank lines) neither end a value nor belong to it.

/// One `key = value` of a section, with the line of its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    /// Continuation lines joined with `\n`, as `iniconfig` joins them.
    pub value: String,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub entries: Vec<Entry>,
}

/// Reads every section. A line `iniconfig` would refuse (no `=` or `:`) is skipped: pytest
/// then stops with a usage error, which CI shows by itself.
pub fn parse(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    // Whether the last line read was a `key = value` (or its continuation).
    let mut in_value = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if line.starts_with('[') {
            let header = line.split(['#', ';']).next().unwrap_or("").trim_end();
            if let Some(name) = header.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
                sections.push(Section { name: name.to_owned(), entries: Vec::new() });
            }
            in_value = false;
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            if in_value && let Some(entry) = sections.last_mut().and_then(|s| s.entries.last_mut()) {
                if !entry.value.is_empty() {
                    entry.value.push('\n');
                }
                entry.value.push_str(trimmed);
            }
            continue;
        }
        // `key = value`, unless the key would hold a `:` (then `key: value`).
        let split = match line.split_once('=') {
            Some((k, v)) if !k.contains(':') => Some((k, v)),
            _ => line.split_once(':'),
        };
        let (Some((key, value)), Some(section)) = (split, sections.last_mut()) else {
            in_value = false;
            continue;
        };
        section.entries.push(Entry { key: key.trim().to_owned(), value: value.trim().to_owned(), line: n + 1 });
        in_value = true;
    }
    sections
}

/// Splits a value into arguments as pytest does for its list settings (`shlex.split`):
/// whitespace separates, quotes group, a backslash escapes outside single quotes.
pub fn split_args(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut started = false;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            '\'' => {
                started = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    current.push(c);
                }
            }
            '"' => {
                started = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(e @ ('\\' | '"' | '$' | '`')) => current.push(e),
                            Some('\n') => {}
                            Some(e) => {
                                current.push('\\');
                                current.push(e);
                            }
                            None => current.push('\\'),
                        },
                        c => current.push(c),
                    }
                }
            }
            '\\' => {
                started = true;
                if let Some(e) = chars.next()
                    && e != '\n'
                {
                    current.push(e);
                }
            }
            c => {
                started = true;
                current.push(c);
            }
        }
    }
    if started {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_keys_continuations_and_comments() {
        let text = "# leading comment\n[pytest]\ntestpaths =\n    tests/unit\n    # a comment inside\n\n    tests/integration\npython_files: check_*.py  test_*.py\n; another comment\nnorecursedirs = build\n[other]\nkey=a=b\nurl: http://x\n  \n[tool:pytest]  # trailing\nx = 1\n";
        let sections = parse(text);
        let names: Vec<&str> = sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["pytest", "other", "tool:pytest"]);
        let entry = |key: &str, value: &str, line: usize| Entry { key: key.to_owned(), value: value.to_owned(), line };
        assert_eq!(
            sections[0].entries,
            [
                entry("testpaths", "tests/unit\ntests/integration", 3),
                entry("python_files", "check_*.py  test_*.py", 8),
                entry("norecursedirs", "build", 10),
            ]
        );
        assert_eq!(sections[1].entries, [entry("key", "a=b", 12), entry("url", "http://x", 13)]);
        assert_eq!(sections[2].entries, [entry("x", "1", 16)]);
    }

    #[test]
    fn values_split_like_shlex() {
        assert_eq!(split_args("tests/unit\ntests/integration"), ["tests/unit", "tests/integration"]);
        assert_eq!(split_args("  a 'b c' \"d \\\"e\\\"\" f\\ g ''"), ["a", "b c", "d \"e\"", "f g", ""]);
        assert_eq!(split_args(""), Vec::<String>::new());
    }
}
