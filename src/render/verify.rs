//! The report of `incident-guard verify`: for people (each link with its outcome, the fix
//! it was verified against and why that commit, and both runs with their command, exit
//! status and last lines), as JSON, and as a Markdown section for the pull-request
//! comment. Decides nothing: `verify` did.

use super::markdown::{cell, code_block, code_span, escape};
use crate::verify::Report;
use std::io::{self, Write};

use super::human::terminal_line as t;

/// `--format human`. Every line that, trimmed, would start a workflow command (an
/// incident or test name from a rendered report may be `::add-mask::…`) is set behind
/// the gutter the runs' output lines have, so that nothing here is obeyed by the runner
/// when a step prints it.
pub fn human(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut text = Vec::new();
    human_text(report, &mut text)?;
    for line in String::from_utf8_lossy(&text).split_inclusive('\n') {
        if crate::terminal::is_command_line(line) {
            out.write_all(GUTTER.as_bytes())?;
        }
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// What every line of a run's output is printed behind, in the human and the Markdown
/// report: visible, and not whitespace, so that no line a test printed, trimmed, starts
/// with `::` or `##[` and becomes a workflow command when a step shows the report.
const GUTTER: &str = "│ ";

fn human_text(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut incident = "";
    for r in &report.results {
        if r.incident != incident {
            incident = &r.incident;
            writeln!(out, "{}", t(&r.incident))?;
            if let Some(fix) = &r.fix {
                let without =
                    r.without_commit.as_deref().map(|w| format!("; without it: {}", short(w))).unwrap_or_default();
                writeln!(out, "  fix: {}{without}", t(&fix.describe()))?;
            }
        }
        writeln!(out, "  {}: {} ({})", t(&r.test), r.outcome, t(&r.message))?;
        if let Some(help) = &r.help {
            writeln!(out, "    help: {}", t(help))?;
        }
        for run in &r.runs {
            let status = match (run.exit_status, run.timed_out) {
                (_, true) => "stopped at the timeout".to_owned(),
                (Some(code), _) => format!("exit status {code}"),
                (None, _) => "ended by a signal".to_owned(),
            };
            let side = if run.side == "with-fix" { "with the fix" } else { "without the fix" };
            writeln!(
                out,
                "    {side} ({}): `{}` in {} -> {status}, {} ({:.1} s)",
                short(&run.commit),
                t(&run.command.join(" ")),
                t(&run.dir),
                run.verdict,
                run.seconds
            )?;
            for line in &run.tail {
                writeln!(out, "      {GUTTER}{}", t(line))?;
            }
        }
    }
    if let Some(note) = &report.note {
        writeln!(out, "verify: nothing to verify: {note}")?;
        return Ok(());
    }
    writeln!(out, "\nverify: {}", summary(report))?;
    if let Some(why) = &report.bound_config {
        writeln!(out, "note: {}", t(why))?;
    }
    if let Some(lock) = &report.recorded {
        writeln!(out, "recorded in {}", t(lock))?;
    }
    Ok(())
}

fn short(sha: &str) -> &str {
    crate::proof::short(sha)
}

/// "1 caught, 1 does-not-catch".
fn summary(report: &Report) -> String {
    let mut parts: Vec<String> = report.summary.iter().map(|(o, n)| format!("{n} {o}")).collect();
    if parts.is_empty() {
        parts.push("nothing verified".to_owned());
    }
    parts.join(", ")
}

/// `--format json`.
pub fn json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    super::json::write_value(report, out)
}

/// `--format markdown`: a section to append to the pull-request comment.
pub fn markdown(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut md = String::from("#### Regression tests verified\n\n");
    if let Some(note) = &report.note {
        md.push_str(&format!("Nothing to verify: {}.\n", escape(note)));
        return out.write_all(md.as_bytes());
    }
    md.push_str(&format!(
        "Each test ran where its incident's fix is not, where it must fail, and where the fix is, where it must pass: {}.\n\n",
        escape(&summary(report))
    ));
    if let Some(why) = &report.bound_config {
        md.push_str(&format!("Note: {}.\n\n", escape(why)));
    }
    md.push_str("| Incident | Test | Outcome | Fix |\n|---|---|---|---|\n");
    for r in &report.results {
        let fix = r.fix.as_ref().map_or_else(|| "–".to_owned(), |f| cell(&f.describe()));
        md.push_str(&format!(
            "| {} | {} | **{}**: {} | {fix} |\n",
            escape(&r.incident),
            code_span(&r.test),
            r.outcome,
            cell(&r.message)
        ));
    }
    md.push('\n');
    md.push_str(&proofs_section(report));
    for r in report.results.iter().filter(|r| !r.runs.is_empty()) {
        md.push_str(&format!("<details><summary>{} {}</summary>\n\n", code_span(&r.test), r.outcome));
        for run in &r.runs {
            let status =
                run.exit_status.map_or_else(|| "no exit status (stopped)".to_owned(), |c| format!("exit status {c}"));
            md.push_str(&format!(
                "{} at {}: {} in {}, {status}, {}\n\n",
                if run.side == "with-fix" { "With the fix" } else { "Without the fix" },
                short(&run.commit),
                code_span(&run.command.join(" ")),
                code_span(&run.dir),
                run.verdict
            ));
            // Each line behind the gutter, its escapes and hidden characters shown as the
            // terminal shows them (`\u{1b}`), before the code block's own neutralisation.
            let tail: Vec<String> = run.tail.iter().map(|l| format!("{GUTTER}{}", t(l))).collect();
            md.push_str(&code_block(&tail.join("\n")));
            md.push('\n');
        }
        md.push_str("</details>\n\n");
    }
    out.write_all(md.as_bytes())
}

/// `--format github` (from `render --verify`): one annotation per finding
/// (`linked-test-does-not-catch`, at the level the config gave it) and one error per
/// test that fails with its fix, each at the test's file and line and escaped as every
/// annotation is; then one plain line counting the outcomes.
pub fn github(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    use super::github::{annotation, escape_data, escape_property};
    for f in &report.findings {
        writeln!(out, "{}", annotation(f))?;
    }
    for r in report.results.iter().filter(|r| r.kind == Some(crate::proof::Outcome::FailsWithFix)) {
        writeln!(
            out,
            "::error file={},line={},title={}::{}",
            escape_property(&r.path),
            r.line,
            escape_property(r.outcome),
            escape_data(&format!("{} ({}) does not pass with its fix: {}", r.test, r.incident, r.message))
        )?;
    }
    writeln!(out, "incident-guard verify: {}", summary(report))
}

/// `verify --prune`, for people: one line per entry dropped (or kept for want of knowing),
/// then what became of the lock file.
pub fn prune_human(report: &crate::verify::prune::Report, out: &mut dyn Write) -> io::Result<()> {
    let mut text = Vec::new();
    prune_text(report, &mut text)?;
    for line in String::from_utf8_lossy(&text).split_inclusive('\n') {
        if crate::terminal::is_command_line(line) {
            out.write_all(GUTTER.as_bytes())?;
        }
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

fn prune_text(report: &crate::verify::prune::Report, out: &mut dyn Write) -> io::Result<()> {
    let lock = t(&report.lock);
    if !report.exists {
        return writeln!(out, "verify --prune: there is no {lock}: nothing to prune");
    }
    let verb = if report.dry_run { "would drop" } else { "dropped" };
    for e in &report.dropped {
        writeln!(out, "{verb} {} {} ({}): {}", t(&e.incident), t(&e.test), e.outcome, t(&e.reason))?;
    }
    for e in &report.undecided {
        writeln!(out, "kept {} {} ({}): {}", t(&e.incident), t(&e.test), e.outcome, t(&e.reason))?;
    }
    let n = report.dropped.len();
    let entries = |n: usize| if n == 1 { "1 entry".to_owned() } else { format!("{n} entries") };
    match (n, report.dry_run) {
        (0, _) => writeln!(out, "verify --prune: every entry of {lock} is a link that exists ({} kept)", report.kept),
        (_, true) => writeln!(
            out,
            "verify --prune: would drop {} of {lock}, keep {} (dry run: nothing written)",
            entries(n),
            report.kept
        ),
        (_, false) => writeln!(out, "verify --prune: dropped {} from {lock}, kept {}", entries(n), report.kept),
    }
}

/// `verify --prune --format json`.
pub fn prune_json(report: &crate::verify::prune::Report, out: &mut dyn Write) -> io::Result<()> {
    super::json::write_value(report, out)
}

/// The proofs `verify --record` would write for this report: one per link whose test ran
/// both ways (see `proof::Outcome::recordable`), as the lock file has them.
pub fn proofs(report: &Report) -> Vec<crate::proof::Proof> {
    let mut out = Vec::new();
    for r in &report.results {
        let (Some(kind), Some(blob), Some(with), Some(without)) =
            (r.kind, &r.test_blob, &r.with_commit, &r.without_commit)
        else {
            continue;
        };
        if kind.recordable() {
            out.push(crate::proof::Proof {
                incident: r.incident.clone(),
                test: r.test.clone(),
                test_blob: blob.clone(),
                fix: with.clone(),
                without: without.clone(),
                outcome: kind,
                tool: crate::proof::tool(),
            });
        }
    }
    out
}

/// `render --proofs FILE`: the proofs as a lock file of their own (what `verify --record`
/// would write into an empty `verified.lock`), or `None` when there is none.
pub fn proofs_lock(report: &Report) -> Option<String> {
    let proofs = proofs(report);
    (!proofs.is_empty()).then(|| crate::proof::Lock { proofs }.render())
}

/// The `[[proof]]` entries of a lock file's text: the lines to add to `verified.lock`.
fn entries(lock: &str) -> &str {
    lock.find("[[proof]]").map_or("", |at| &lock[at..])
}

/// The Markdown that shows the lines to commit, when the report has proofs that were not
/// recorded (the Action's verify records none: the lock file is the developers').
fn proofs_section(report: &Report) -> String {
    if report.recorded.is_some() {
        return String::new();
    }
    let n = proofs(report).len();
    let Some(lock) = proofs_lock(report) else { return String::new() };
    let mut md = format!(
        "**Proofs to keep.** Nothing was recorded. To keep {}, add these lines to `verified.lock` in the postmortems directory, each in place of an entry with the same `incident` and `test` if there is one (the file is sorted by incident and test), or run `incident-guard verify --record` with the same tests on the branch. Where the Action ran `verify`, the job's proofs artifact holds them as a file.\n\n",
        if n == 1 { "this proof" } else { "these proofs" }
    );
    md.push_str(&code_block(entries(&lock).trim_end()));
    md.push('\n');
    md
}
