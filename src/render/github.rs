//! `--format github`: workflow commands that GitHub turns into annotations. Everything
//! taken from the repository is escaped exactly as the runner requires, so no test name
//! or title can end an annotation early or inject a workflow command of its own. GitHub
//! shows at most 10 annotations of each level per step, so the most important come
//! first and a final notice counts what was left out.

use crate::finding::Finding;
use crate::report::Report;
use crate::rules::Level;
use std::io::{self, Write};

/// GitHub shows at most this many annotations of each level for a step.
pub const MAX_PER_LEVEL: usize = 10;

/// Escapes a command's message (data): the runner's escapes for `%`, CR and LF, and every
/// other hidden character (controls, bidirectional and invisible characters) shown as
/// `\u{…}` (`terminal::visible`), so that an annotation carries none of them raw.
pub fn escape_data(s: &str) -> String {
    crate::terminal::visible(s).replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`): data escaping plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "notice",
    }
}

/// One finding as a workflow command, every piece of it escaped.
pub fn annotation(f: &Finding) -> String {
    let mut props = Vec::new();
    if let Some(path) = &f.path {
        props.push(format!("file={}", escape_property(path)));
        if let Some(line) = f.line {
            props.push(format!("line={line}"));
        }
        if let Some(col) = f.column {
            props.push(format!("col={col}"));
        }
    }
    props.push(format!("title={}", escape_property(f.rule.code())));
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{} {}::{}", command(f.level), props.join(","), escape_data(&message))
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // With `fail_on = "new"`, the findings already on the base fail nothing and are no
    // annotations on the diff: the job summary lists them.
    let old = |f: &&crate::finding::Finding| {
        report.fail_on == crate::config::FailOn::New && f.baseline == Some(crate::finding::Baseline::Unchanged)
    };
    let shown: Vec<&crate::finding::Finding> = report.findings.iter().filter(|f| !old(f)).collect();
    let unannotated = report.findings.len() - shown.len();
    let count = |l: Level| shown.iter().filter(|f| f.level == l).count();
    let (errors, warnings, notes) = (count(Level::Error), count(Level::Warning), count(Level::Note));
    let over = errors.saturating_sub(MAX_PER_LEVEL) + warnings.saturating_sub(MAX_PER_LEVEL);
    // The closing notice is itself a notice: leave room for it when one is needed.
    let notes_shown =
        if over > 0 || notes > MAX_PER_LEVEL || unannotated > 0 { MAX_PER_LEVEL - 1 } else { MAX_PER_LEVEL };
    let mut omitted = 0;
    for level in [Level::Error, Level::Warning, Level::Note] {
        let cap = if level == Level::Note { notes_shown } else { MAX_PER_LEVEL };
        // Findings are already sorted most important first.
        for (i, f) in shown.iter().filter(|f| f.level == level).enumerate() {
            if i < cap {
                writeln!(out, "{}", annotation(f))?;
            } else {
                omitted += 1;
            }
        }
    }
    // One closing notice, however many reasons there are.
    let mut why = Vec::new();
    if omitted > 0 {
        why.push(format!(
            "{omitted} more finding(s) not shown as annotations (GitHub shows at most {MAX_PER_LEVEL} per level)"
        ));
    }
    if unannotated > 0 {
        why.push(format!(
            "{unannotated} finding(s) already on the base revision are not annotated (only new errors fail this run)"
        ));
    }
    if !why.is_empty() {
        let text = format!("{}; the job summary lists all {}", why.join("; "), report.findings.len());
        writeln!(out, "::notice title=incident-guard::{}", escape_data(&text))?;
    }
    writeln!(out, "incident-guard: {}", super::human::counts(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("100%\r\n::x"), "100%25%0D%0A::x");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("x\u{1b}]0;t\u{7}\u{200b}\u{e0041}"), "x\\u{1b}]0;t\\u{7}\\u{200b}\\u{e0041}");
    }
}
