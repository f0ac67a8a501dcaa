//! `init`'s part for pytest: registers the tool's mark in the pytest config at the root
//! of the repository, so that `@pytest.mark.incident("ID")` is a known mark (no
//! `PytestUnknownMarkWarning`, and no collection error under `filterwarnings = error` or
//! `--strict-markers`). The file is edited in place, one line added, its formatting kept;
//! where that cannot be done safely, `init` says what to add and where.

use super::{Config, config_in, ini, marker_name_registered, read_inside};
use std::path::Path;

/// What `init` did about the mark.
#[derive(Debug, PartialEq, Eq)]
pub enum Registration {
    /// No pytest config at the root: nothing to do.
    NoConfig,
    /// Already registered there.
    Already { file: String },
    /// Added: the file and where.
    Added { file: String, section: String },
    /// Not edited: what to add by hand.
    Manual { file: String, what: String },
}

/// The `markers` line `init` registers for `word`.
pub fn marker_line(word: &str) -> String {
    format!("{word}: links the test to its postmortem (incident-guard)")
}

/// Registers `word` as a pytest mark in the root's pytest config, if it has one.
pub fn register_mark(root: &Path, word: &str) -> Registration {
    let Some(config) = config_in(root, "") else { return Registration::NoConfig };
    let Some(file) = config.file.clone() else { return Registration::NoConfig };
    if marker_name_registered(&config, word) {
        return Registration::Already { file };
    }
    let manual =
        |file: &str| Registration::Manual { file: file.to_owned(), what: super::marks::how_to_register(&config, word) };
    let Some(text) = read_inside(root, &file).and_then(|b| String::from_utf8(b).ok()) else { return manual(&file) };
    let edited = if file.ends_with(".toml") { edit_toml(&text, &config, word) } else { edit_ini(&text, &config, word) };
    let Some(edited) = edited else { return manual(&file) };
    // Written only if pytest's reading of the new file registers the mark.
    let path = root.join(&file);
    if std::fs::write(&path, &edited).is_err() {
        return manual(&file);
    }
    match config_in(root, "") {
        Some(c) if c.file.as_deref() == Some(file.as_str()) && marker_name_registered(&c, word) => {
            Registration::Added { file, section: config.section.clone() }
        }
        _ => {
            let _ = std::fs::write(&path, &text);
            manual(&file)
        }
    }
}

/// Byte offsets of the starts of lines.
fn line_start(text: &str, line: usize) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)
}

/// The line (1-based) of a section header `header` (`[tool.pytest.ini_options]`).
fn header_line(text: &str, header: &str) -> Option<usize> {
    text.lines().position(|l| l.split('#').next().unwrap_or("").trim() == header).map(|i| i + 1)
}

/// Inserts `insert` at the start of line `line + 1`, i.e. after line `line`.
fn insert_after_line(text: &str, line: usize, insert: &str) -> Option<String> {
    let mut out = text.to_owned();
    let at = match line_start(text, line + 1) {
        Some(at) => at,
        None => {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.len()
        }
    };
    out.insert_str(at, insert);
    Some(out)
}

fn edit_toml(text: &str, config: &Config, word: &str) -> Option<String> {
    let quoted = format!("\"{}\"", marker_line(word));
    match &config.markers {
        // An array: the new line goes first in it.
        Some(setting) => {
            let start = line_start(text, setting.loc.line)?;
            let rest = &text[start..];
            let eq = rest.find('=')?;
            let after_eq = &rest[eq + 1..];
            let open = after_eq.len() - after_eq.trim_start().len();
            if !after_eq[open..].starts_with('[') {
                return None; // a string: edited by hand
            }
            let bracket = start + eq + 1 + open + 1;
            let multiline = text[bracket..].trim_start_matches([' ', '\t']).starts_with(['\n', '\r']);
            let insert = if multiline { format!("\n    {quoted},") } else { format!("{quoted}, ") };
            let mut out = text.to_owned();
            out.insert_str(bracket, &insert);
            Some(out)
        }
        None => {
            let line = header_line(text, &config.section)?;
            insert_after_line(text, line, &format!("markers = [{quoted}]\n"))
        }
    }
}

fn edit_ini(text: &str, config: &Config, word: &str) -> Option<String> {
    let line = format!("    {}\n", marker_line(word));
    match &config.markers {
        Some(setting) => {
            // After the last continuation line of the setting.
            let lines: Vec<&str> = text.lines().collect();
            let mut last = setting.loc.line;
            while last < lines.len() {
                let next = lines[last];
                let continues = next.starts_with([' ', '\t']) && !next.trim().is_empty();
                if !continues {
                    break;
                }
                last += 1;
            }
            insert_after_line(text, last, &line)
        }
        None => match header_line(text, &config.section) {
            Some(header) => insert_after_line(text, header, &format!("markers =\n{line}")),
            // `pytest.ini` without a section: the section is added.
            None if ini::parse(text).iter().all(|s| s.name != "pytest") && config.section == "[pytest]" => {
                let mut out = text.to_owned();
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&format!("[pytest]\nmarkers =\n{line}"));
                Some(out)
            }
            None => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, text: &str) -> (Registration, String) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), text).unwrap();
        let r = register_mark(dir.path(), "incident");
        (r, std::fs::read_to_string(dir.path().join(name)).unwrap())
    }

    const LINE: &str = "incident: links the test to its postmortem (incident-guard)";

    #[test]
    fn init_registers_the_mark_in_each_kind_of_config() {
        let (r, text) = run(
            "pytest.ini",
            "[pytest]\naddopts = -ra\nmarkers =\n    slow: slow\n    db: needs a db\ntestpaths = tests\n",
        );
        assert_eq!(r, Registration::Added { file: "pytest.ini".to_owned(), section: "[pytest]".to_owned() });
        assert_eq!(
            text,
            format!(
                "[pytest]\naddopts = -ra\nmarkers =\n    slow: slow\n    db: needs a db\n    {LINE}\ntestpaths = tests\n"
            )
        );
        let (_, text) = run("setup.cfg", "[metadata]\nname = x\n\n[tool:pytest]\nfilterwarnings = error\n");
        assert_eq!(
            text,
            format!("[metadata]\nname = x\n\n[tool:pytest]\nmarkers =\n    {LINE}\nfilterwarnings = error\n")
        );
        let (_, text) = run("pytest.ini", "");
        assert_eq!(text, format!("[pytest]\nmarkers =\n    {LINE}\n"));
        let (_, text) = run("pyproject.toml", "[tool.pytest.ini_options]\nmarkers = [\"slow: x\"]\n");
        assert_eq!(text, format!("[tool.pytest.ini_options]\nmarkers = [\"{LINE}\", \"slow: x\"]\n"));
        let (r, text) = run("pytest.toml", "[pytest]\nstrict = true\n");
        assert_eq!(r, Registration::Added { file: "pytest.toml".to_owned(), section: "[pytest]".to_owned() });
        assert_eq!(text, format!("[pytest]\nmarkers = [\"{LINE}\"]\nstrict = true\n"));
        // Twice: the second time it is there.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tox.ini"), "[tox]\n[pytest]\n").unwrap();
        assert!(matches!(register_mark(dir.path(), "incident"), Registration::Added { .. }));
        assert_eq!(register_mark(dir.path(), "incident"), Registration::Already { file: "tox.ini".to_owned() });
    }

    #[test]
    fn init_says_what_to_add_where_it_cannot_edit() {
        // `markers` as one TOML string: not edited.
        let (r, text) = run("pyproject.toml", "[tool.pytest.ini_options]\nmarkers = \"slow: x\"\n");
        assert!(
            matches!(&r, Registration::Manual { file, what } if file == "pyproject.toml" && what.contains("under `[tool.pytest.ini_options]` in pyproject.toml")),
            "{r:?}"
        );
        assert_eq!(text, "[tool.pytest.ini_options]\nmarkers = \"slow: x\"\n");
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(register_mark(dir.path(), "incident"), Registration::NoConfig);
    }
}
