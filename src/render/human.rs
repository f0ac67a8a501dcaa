//! `--format human`: rustc-style diagnostics with the source line and a caret, errors
//! first, then one summary line; and the `list` and `show` views.
//!
//! Every piece of repository text goes through `terminal_line` before it is printed: a
//! title or test name is data, and a terminal would otherwise obey the escape sequences
//! in it (rewrite the screen, hide text, plant a hyperlink that says one thing and opens
//! another). Our own colours are added afterwards by the styled renderer, so they work.

use crate::finding::Finding;
use crate::report::{FileSourceView, IncidentView, Report};
use crate::rules::Level;
use annotate_snippets::{Level as ALevel, Renderer, Snippet};
use std::io::{self, Write};

use super::Style;
use crate::terminal::snippet_line;
pub use crate::terminal::{snippet_text, terminal_line, terminal_text};

fn renderer(style: &Style) -> Renderer {
    if style.color { Renderer::styled() } else { Renderer::plain() }
}

fn level(l: Level) -> ALevel {
    match l {
        Level::Error => ALevel::Error,
        Level::Warning => ALevel::Warning,
        Level::Note => ALevel::Note,
    }
}

/// One finding as a rustc-style diagnostic.
/// `only_new`: errors already on the base fail nothing (`fail_on = "new"`), and an
/// unchanged finding says so.
fn diagnostic(f: &Finding, style: &Style, only_new: bool) -> String {
    let code = f.rule.code();
    let title = terminal_line(&f.message);
    let mut message = level(f.level).title(&title).id(code);
    let origin: String;
    let source: String;
    if let (Some(path), Some(line), Some(src)) = (&f.path, f.line, &f.source_line) {
        origin = terminal_line(&style.path(path)).into_owned();
        let range;
        (source, range) = snippet_line(src, f.column.unwrap_or(1).saturating_sub(f.source_shift), f.len);
        message = message
            .snippet(Snippet::source(&source).line_start(line).origin(&origin).annotation(level(f.level).span(range)));
    } else if let Some(path) = &f.path {
        let path = style.path(path);
        origin = match f.line {
            Some(line) => format!("{}:{line}", terminal_line(&path)),
            None => terminal_line(&path).into_owned(),
        };
        message = message.footer(ALevel::Note.title(&origin));
    }
    let help = f.help.as_deref().map(terminal_line);
    if let Some(help) = &help {
        message = message.footer(ALevel::Help.title(help));
    }
    if only_new && f.baseline == Some(crate::finding::Baseline::Unchanged) {
        message = message.footer(ALevel::Note.title("already on the base revision: not brought in by this change"));
    }
    renderer(style).render(message).to_string()
}

pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    if let Some(base) = &report.base {
        writeln!(out, "base: {}\n", terminal_line(&base.reason))?;
    } else if let Some(why) = &report.no_base {
        writeln!(out, "base: none: {}\n", terminal_line(why))?;
    }
    let only_new = report.fail_on == crate::config::FailOn::New;
    for f in &report.findings {
        writeln!(out, "{}\n", diagnostic(f, style, only_new))?;
    }
    if let Some(r) = &report.test_results {
        writeln!(out, "{}\n", results_line(r))?;
    }
    let verdict = if report.failed_check() { "failed" } else { "ok" };
    writeln!(out, "incident-guard: {verdict}: {}", counts(report))
}

/// The summary's counts: errors, warnings and notes; with a base, how many of them the
/// change brought in and how many of the base's it fixed; incidents and linked tests.
pub fn counts(report: &Report) -> String {
    let s = &report.summary;
    let compared = report.base.is_some() && report.findings.iter().all(|f| f.baseline.is_some());
    if !compared {
        return format!(
            "{} error(s), {} warning(s), {} note(s); {} incident(s), {} linked test(s)",
            s.errors, s.warnings, s.notes, s.incidents, s.linked_tests
        );
    }
    let binding = match report.fail_on {
        crate::config::FailOn::New => "; only new errors fail",
        crate::config::FailOn::All => "",
    };
    format!(
        "{} error(s) ({} new), {} warning(s) ({} new), {} note(s), {} fixed{binding}; {} incident(s), {} linked test(s)",
        s.errors, s.new_errors, s.warnings, s.new_warnings, s.notes, s.fixed, s.incidents, s.linked_tests
    )
}

/// What the test results say, in one line: the files read and the linked tests by fate.
pub fn results_line(r: &crate::report::TestResultsView) -> String {
    let files = match r.files.len() {
        1 => terminal_line(&r.files[0]).into_owned(),
        n if n <= 3 => r.files.iter().map(|f| terminal_line(f).into_owned()).collect::<Vec<_>>().join(", "),
        n => format!("{n} files"),
    };
    let languages = if r.languages.is_empty() { "no test cases".to_owned() } else { r.languages.join(", ") };
    format!(
        "test results: {files} ({languages}); linked tests: {} passed, {} failed, {} skipped, {} not run",
        r.passed, r.failed, r.skipped, r.not_run
    )
}

/// A linked test's fate in the run, for `list` and `show`.
fn run_word(run: &str) -> &'static str {
    match run {
        "passed" => "passed",
        "failed" => "failed",
        "skipped" => "skipped at run time",
        _ => "not run",
    }
}

/// `list`'s RUN cell: the incident's linked tests by fate, `-` when the results cover none.
fn run_cell(i: &IncidentView) -> String {
    let mut parts = Vec::new();
    for word in ["passed", "failed", "skipped", "not-run"] {
        let n = i.linked_tests.iter().filter(|t| t.run == Some(word)).count();
        if n > 0 {
            parts.push(format!("{n} {}", run_word(word)));
        }
    }
    if parts.is_empty() { "-".to_owned() } else { parts.join(", ") }
}

/// `list`: one line per incident.
pub fn list(incidents: &[IncidentView], with_results: bool, out: &mut dyn Write) -> io::Result<()> {
    if incidents.is_empty() {
        return writeln!(out, "no incidents");
    }
    // The RUN column only when test results were given.
    let with_run = incidents.iter().flat_map(|i| &i.linked_tests).any(|t| t.run.is_some()) || with_results;
    let rows: Vec<Vec<String>> = incidents
        .iter()
        .map(|i| {
            let done = i.action_items.iter().filter(|a| matches!(a.status, "closed" | "wontfix")).count();
            let mut row = vec![
                terminal_line(&i.id).into_owned(),
                i.status.to_owned(),
                i.severity.as_deref().map_or_else(|| "-".into(), |s| terminal_line(s).into_owned()),
                i.tests.len().to_string(),
            ];
            if with_run {
                row.push(run_cell(i));
            }
            row.push(format!("{done}/{}", i.action_items.len()));
            row.push(terminal_line(&i.title).into_owned());
            row
        })
        .collect();
    let mut header = vec!["ID", "STATUS", "SEVERITY", "TESTS"];
    if with_run {
        header.push("RUN");
    }
    header.extend(["ITEMS", "TITLE"]);
    let last = header.len() - 1;
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).chain([header[c].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[&str]| {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            if c == last {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            }
        }
        s
    };
    writeln!(out, "{}", line(&header))?;
    for r in &rows {
        writeln!(out, "{}", line(&r.iter().map(String::as_str).collect::<Vec<_>>()))?;
    }
    Ok(())
}

/// `show`: one incident in full, with the findings about it.
pub fn show(incident: &IncidentView, findings: &[&Finding], style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let t = terminal_line;
    writeln!(out, "{}: {}", t(&incident.id), t(&incident.title))?;
    writeln!(out, "  file:     {}:{}", t(&style.path(&incident.path)), incident.line)?;
    writeln!(out, "  status:   {}", incident.status)?;
    if let Some(sev) = &incident.severity {
        writeln!(out, "  severity: {}", t(sev))?;
    }
    if let Some(date) = &incident.date {
        writeln!(out, "  date:     {date}")?;
    }
    if let Some(w) = &incident.test_waiver {
        writeln!(out, "  waiver:   {}", t(w))?;
    }
    writeln!(out, "\ntests ({}):", incident.linked_tests.len())?;
    if incident.linked_tests.is_empty() {
        writeln!(out, "  none")?;
    }
    for lt in &incident.linked_tests {
        let ignored = if lt.ignored { "  [ignored]" } else { "" };
        let run = lt.run.map(|r| format!("  [{} in this run]", run_word(r))).unwrap_or_default();
        let proof = lt.proof.as_ref().map(|p| format!("  [{}]", p.text)).unwrap_or_default();
        writeln!(out, "  {}  ({}:{}){ignored}{run}{proof}", t(&lt.test), t(&style.path(&lt.path)), lt.line)?;
    }
    writeln!(out, "\nfiles ({}):", incident.files.len())?;
    if incident.files.is_empty() {
        writeln!(out, "  none (no `paths`, and no fix commit found)")?;
    }
    for f in &incident.files {
        let why: Vec<String> = f
            .sources
            .iter()
            .map(|s| match s {
                FileSourceView::Paths { pattern } => format!("listed in paths: {}", t(pattern)),
                FileSourceView::FixCommit { commit, path } => {
                    let was = path.as_ref().map(|p| format!(", as {}", t(&style.path(p)))).unwrap_or_default();
                    format!("changed by fix commit {}{was}", crate::git::short_sha(commit))
                }
            })
            .collect();
        let gone = if f.gone { "  [not at HEAD]" } else { "" };
        writeln!(out, "  {}{gone}  ({})", t(&style.path(&f.path)), why.join("; "))?;
    }
    writeln!(out, "\naction items ({}):", incident.action_items.len())?;
    if incident.action_items.is_empty() {
        writeln!(out, "  none")?;
    }
    for a in &incident.action_items {
        let due = a.due.map(|d| format!(", due {d}")).unwrap_or_default();
        writeln!(out, "  {}#{}  [{}] {}  ({}{due})", t(&incident.id), t(&a.id), a.status, t(&a.title), t(&a.owner))?;
        for c in &a.commits {
            writeln!(out, "      commit {}", t(c))?;
        }
    }
    writeln!(out, "\nfindings ({}):", findings.len())?;
    if findings.is_empty() {
        writeln!(out, "  none")?;
    }
    for f in findings {
        writeln!(out, "{}\n", diagnostic(f, style, false))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_line_shows_controls_and_bidi_and_keeps_the_rest() {
        assert_eq!(terminal_line("plain – ünïcode ✓"), "plain – ünïcode ✓");
        assert_eq!(
            terminal_line("\u{1b}]8;;http://evil\u{7}x\u{1b}]8;;\u{7}\u{1b}[2J\u{8}\u{7f}\u{9b}"),
            "\\u{1b}]8;;http://evil\\u{7}x\\u{1b}]8;;\\u{7}\\u{1b}[2J\\u{8}\\u{7f}\\u{9b}"
        );
        assert_eq!(terminal_line("a\u{202e}b\u{2066}c\u{200f}d\u{61c}e"), "a\\u{202e}b\\u{2066}c\\u{200f}d\\u{61c}e");
        assert_eq!(terminal_line("one\ntwo\r\u{2028}\tx"), "one two      x");
        assert_eq!(terminal_text("ours\nre\rpo"), "ours\nre\\u{d}po");
    }

    #[test]
    fn the_caret_stays_under_its_text_when_cleaning_lengthens_the_line() {
        let (line, range) = snippet_line("\t\u{1b}[2J// incident: X", 9, 8);
        assert_eq!(&line[range], "incident");
        assert!(!line.contains('\u{1b}') && !line.contains('\t'), "{line:?}");
    }
}
