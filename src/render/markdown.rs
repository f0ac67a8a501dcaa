//! `--format markdown`: the pull-request comment (and the job summary). A verdict line,
//! a table of incidents, the findings grouped by rule, and the hidden marker by which
//! the Action finds its own comment. Every piece of repository text is escaped so it
//! cannot break the table, open HTML, close the comment or forge the marker.

use super::Style;
use crate::finding::Finding;
use crate::report::Report;
use crate::rules::{Level, Rule};
use std::io::{self, Write};

/// The hidden marker that identifies our comment. It must appear exactly once.
pub const MARKER: &str = "<!-- incident-guard -->";
/// GitHub rejects comments over 65,536 characters; stay below with room to spare.
pub const COMMENT_LIMIT: usize = 65_000;
/// GitHub truncates a job summary at 1 MiB.
pub const SUMMARY_LIMIT: usize = 1_000_000;

/// Escapes text from the repository for Markdown: every character that could start
/// formatting, a link, HTML or an entity is backslash-escaped, and line breaks become
/// spaces (a table cell is one line).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '(' | ')' | '#' | '+' | '!' | '|' | '~'
            | '&' | '"' | '-' | '=' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a repository path for use inside a link target.
fn url_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(f: &Finding, style: &Style) -> Option<String> {
    let path = f.path.as_ref()?;
    let label = match f.line {
        Some(line) => format!("{}:{line}", escape(path)),
        None => escape(path),
    };
    Some(match &style.link_base {
        Some(base) => {
            let anchor = f.line.map(|l| format!("#L{l}")).unwrap_or_default();
            format!("[{label}]({base}/{}{anchor})", url_path(path))
        }
        None => label,
    })
}

fn icon(level: Level) -> &'static str {
    match level {
        Level::Error => "❌",
        Level::Warning => "⚠️",
        Level::Note => "ℹ️",
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// The whole report, cut below `limit` bytes with a visible note when it does not fit.
pub fn document(report: &Report, style: &Style, limit: usize) -> String {
    let s = &report.summary;
    let mut head = vec![MARKER.to_owned()];
    let verdict = if s.errors > 0 {
        format!("### ❌ incident-guard: {}, {}", plural(s.errors, "error"), plural(s.warnings, "warning"))
    } else if s.warnings > 0 {
        format!("### ✅ incident-guard: no errors, {}", plural(s.warnings, "warning"))
    } else {
        "### ✅ incident-guard: no findings".to_owned()
    };
    head.push(verdict);
    head.push(String::new());
    let mut context = format!("{} · {}", plural(s.incidents, "incident"), plural(s.linked_tests, "linked test"));
    if let Some(base) = &report.base {
        context.push_str(&format!(" · compared with {}", escape(&base.reason)));
    }
    head.push(context);
    head.push(String::new());

    let mut table = Vec::new();
    if !report.incidents.is_empty() {
        table.push("| Incident | Title | Severity | Linked tests | Action items done |".to_owned());
        table.push("|---|---|---|---:|---:|".to_owned());
        for i in &report.incidents {
            let done = i.action_items.iter().filter(|a| matches!(a.status, "closed" | "wontfix")).count();
            let tests = if i.tests.is_empty() && i.test_waiver.is_none() && i.status != "draft" {
                "**0**".to_owned()
            } else if i.tests.is_empty() && i.test_waiver.is_some() {
                "waived".to_owned()
            } else {
                i.tests.len().to_string()
            };
            table.push(format!(
                "| {} | {} | {} | {tests} | {done}/{} |",
                escape(&i.id),
                escape(&i.title),
                i.severity.as_deref().map_or_else(|| "–".to_owned(), escape),
                i.action_items.len()
            ));
        }
        table.push(String::new());
    }

    // Findings, grouped by rule in registry order (errors first within the report order).
    let mut findings = Vec::new();
    if !report.findings.is_empty() {
        findings.push("#### Findings".to_owned());
        findings.push(String::new());
        let mut rules: Vec<Rule> = report.findings.iter().map(|f| f.rule).collect();
        rules.dedup();
        let mut seen = Vec::new();
        for rule in rules {
            if seen.contains(&rule) {
                continue;
            }
            seen.push(rule);
            let of_rule: Vec<&Finding> = report.findings.iter().filter(|f| f.rule == rule).collect();
            findings.push(format!("**`{}`** ({})", rule.code(), of_rule.len()));
            findings.push(String::new());
            for f in of_rule {
                let loc = location(f, style).map(|l| format!("{l} — ")).unwrap_or_default();
                let mut line = format!("- {} {loc}{}", icon(f.level), escape(&f.message));
                if let Some(help) = &f.help {
                    line.push_str(&format!("<br>*{}*", escape(help)));
                }
                findings.push(line);
            }
            findings.push(String::new());
        }
    }

    let footer = "<sub>incident\\-guard: every incident leaves a regression test behind\\.</sub>".to_owned();
    assemble(head, table, findings, footer, limit)
}

/// Joins the parts, cutting the table and then the findings so the result fits in
/// `limit` bytes, with a note saying what was left out.
fn assemble(head: Vec<String>, table: Vec<String>, findings: Vec<String>, footer: String, limit: usize) -> String {
    let size = |v: &[String]| v.iter().map(|l| l.len() + 1).sum::<usize>();
    let total = size(&head) + size(&table) + size(&findings) + footer.len() + 1;
    let mut out = head;
    if total <= limit {
        out.extend(table);
        out.extend(findings);
        out.push(footer);
        return out.join("\n") + "\n";
    }
    const NOTE_ROOM: usize = 400;
    let mut budget = limit.saturating_sub(size(&out) + footer.len() + NOTE_ROOM);
    // The table gets at most a third of what is left; the findings the rest.
    let mut table_budget = budget / 3;
    let mut omitted_rows = 0;
    let table_rows = table.len().saturating_sub(3);
    for (i, line) in table.into_iter().enumerate() {
        let is_row = i >= 2 && !line.is_empty();
        if line.len() + 1 > table_budget && is_row {
            omitted_rows += 1;
            continue;
        }
        table_budget = table_budget.saturating_sub(line.len() + 1);
        budget = budget.saturating_sub(line.len() + 1);
        out.push(line);
    }
    let _ = table_rows;
    let mut omitted_findings = 0;
    for line in findings {
        if line.len() + 1 > budget {
            if line.starts_with("- ") {
                omitted_findings += 1;
            }
            budget = 0;
            continue;
        }
        budget -= line.len() + 1;
        out.push(line);
    }
    out.push(format!(
        "> **Report truncated** to fit GitHub's size limit: {omitted_findings} more finding(s) and {omitted_rows} more incident row(s) not shown. The job summary or `incident-guard check` has them all."
    ));
    out.push(String::new());
    out.push(footer);
    out.join("\n") + "\n"
}

pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(document(report, style, COMMENT_LIMIT).as_bytes())
}
