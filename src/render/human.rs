//! `--format human`: rustc-style diagnostics with the source line and a caret, errors
//! first, then one summary line.

use crate::finding::{Finding, Location};
use crate::report::{IncidentView, Report};
use crate::rules::Level;
use annotate_snippets::{Level as ALevel, Renderer, Snippet};
use std::io::{self, Write};

use super::Style;

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

/// The byte range of `len` characters starting at 1-based character `column` of `line`.
fn char_range(line: &str, column: usize, len: usize) -> std::ops::Range<usize> {
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

/// One finding as a rustc-style diagnostic.
fn diagnostic(f: &Finding, style: &Style) -> String {
    let code = f.rule.code();
    let mut message = level(f.level).title(&f.message).id(code);
    let origin;
    if let (Some(path), Some(line), Some(src)) = (&f.path, f.line, &f.source_line) {
        origin = path.clone();
        let range = char_range(src, f.column.unwrap_or(1), f.len);
        message = message
            .snippet(Snippet::source(src).line_start(line).origin(&origin).annotation(level(f.level).span(range)));
    } else if let Some(path) = &f.path {
        origin = match f.line {
            Some(line) => format!("{path}:{line}"),
            None => path.clone(),
        };
        message = message.footer(ALevel::Note.title(&origin));
    }
    if let Some(help) = &f.help {
        message = message.footer(ALevel::Help.title(help));
    }
    renderer(style).render(message).to_string()
}

/// A located message for errors outside findings (config problems).
pub fn snippet_text(loc: &Location, source_line: &str, message: &str) -> String {
    let range = char_range(source_line, loc.column, loc.len);
    let msg = ALevel::Error.title(message).snippet(
        Snippet::source(source_line).line_start(loc.line).origin(&loc.path).annotation(ALevel::Error.span(range)),
    );
    Renderer::plain().render(msg).to_string()
}

pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    if let Some(base) = &report.base {
        writeln!(out, "base: {} ({})\n", base.rev, base.reason)?;
    }
    for f in &report.findings {
        writeln!(out, "{}\n", diagnostic(f, style))?;
    }
    let s = &report.summary;
    let verdict = if s.errors > 0 { "failed" } else { "ok" };
    writeln!(
        out,
        "incident-guard: {verdict}: {} error(s), {} warning(s), {} note(s); {} incident(s), {} linked test(s)",
        s.errors, s.warnings, s.notes, s.incidents, s.linked_tests
    )
}

/// `list`: one line per incident.
pub fn list(incidents: &[IncidentView], out: &mut dyn Write) -> io::Result<()> {
    if incidents.is_empty() {
        return writeln!(out, "no incidents");
    }
    let rows: Vec<[String; 6]> = incidents
        .iter()
        .map(|i| {
            let done = i.action_items.iter().filter(|a| matches!(a.status, "closed" | "wontfix")).count();
            [
                i.id.clone(),
                i.status.to_owned(),
                i.severity.clone().unwrap_or_else(|| "-".into()),
                i.tests.len().to_string(),
                format!("{done}/{}", i.action_items.len()),
                one_line(&i.title),
            ]
        })
        .collect();
    let header = ["ID", "STATUS", "SEVERITY", "TESTS", "ITEMS", "TITLE"];
    let widths: Vec<usize> =
        (0..6).map(|c| rows.iter().map(|r| r[c].chars().count()).chain([header[c].len()]).max().unwrap_or(0)).collect();
    let line = |cells: &[&str]| {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            if c == 5 {
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

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// `show`: one incident in full, with the findings about it.
pub fn show(incident: &IncidentView, findings: &[&Finding], style: &Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}: {}", incident.id, one_line(&incident.title))?;
    writeln!(out, "  file:     {}:{}", incident.path, incident.line)?;
    writeln!(out, "  status:   {}", incident.status)?;
    if let Some(sev) = &incident.severity {
        writeln!(out, "  severity: {sev}")?;
    }
    if let Some(date) = &incident.date {
        writeln!(out, "  date:     {date}")?;
    }
    if let Some(w) = &incident.test_waiver {
        writeln!(out, "  waiver:   {}", one_line(w))?;
    }
    writeln!(out, "\ntests ({}):", incident.linked_tests.len())?;
    if incident.linked_tests.is_empty() {
        writeln!(out, "  none")?;
    }
    for t in &incident.linked_tests {
        let ignored = if t.ignored { "  [ignored]" } else { "" };
        writeln!(out, "  {}  ({}:{}){ignored}", t.test, t.path, t.line)?;
    }
    writeln!(out, "\naction items ({}):", incident.action_items.len())?;
    if incident.action_items.is_empty() {
        writeln!(out, "  none")?;
    }
    for a in &incident.action_items {
        let due = a.due.map(|d| format!(", due {d}")).unwrap_or_default();
        writeln!(out, "  {}#{}  [{}] {}  ({}{due})", incident.id, a.id, a.status, one_line(&a.title), a.owner)?;
        for c in &a.commits {
            writeln!(out, "      commit {c}")?;
        }
    }
    writeln!(out, "\nfindings ({}):", findings.len())?;
    if findings.is_empty() {
        writeln!(out, "  none")?;
    }
    for f in findings {
        writeln!(out, "{}\n", diagnostic(f, style))?;
    }
    Ok(())
}
