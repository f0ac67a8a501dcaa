//! `--format markdown`: the pull-request comment (and the job summary). The hidden marker
//! by which the Action finds its own comment, the verdict for the change, the findings it
//! brought in by incident, the past incidents whose code it touches, what it fixed, and,
//! folded, the findings already on the base and the table of incidents (see `document`).
//! Every piece of repository text is made inert, so it
//! cannot break the table, open HTML, close or forge the marker, ping anyone or reorder
//! what the reader sees; our own code spans (`` `…` `` in messages and help) stay code.

use super::{Style, is_bidi_control, uri_path};
use crate::finding::{Baseline, Finding};
use crate::report::{Report, TouchedIncident};
use crate::rules::{Level, Rule};
use std::io::{self, Write};

/// The hidden marker that identifies our comment. It must appear exactly once.
pub const MARKER: &str = "<!-- incident-guard -->";
/// GitHub rejects comments over 65,536 characters; stay below with room to spare.
pub const COMMENT_LIMIT: usize = 65_000;
/// GitHub truncates a job summary at 1 MiB.
pub const SUMMARY_LIMIT: usize = 1_000_000;

/// Where a piece of inline Markdown goes. GFM splits a table row at every unescaped `|`
/// before it parses anything else, code spans included; elsewhere a `|` is just text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Cell,
    Line,
}

/// Repository text as inline Markdown for a table cell (or anywhere on one line), with
/// no code spans: see `push_text`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_text(&mut out, text, Place::Cell);
    out
}

/// What no character from the repository may stay in any place: a line break would end
/// the table row or list item (and a new line may start a block: an HTML comment, a
/// heading), other controls and U+2028/U+2029 mean nothing in a comment, so all become a
/// space. Bidirectional controls exist only to make text display differently from what
/// it is, and invisible characters (zero-width, tag characters: `terminal::is_invisible`)
/// exist only to hide something; they become U+FFFD, visibly, so the reader sees that
/// something was there.
fn neutral(c: char) -> Option<char> {
    if is_bidi_control(c) || crate::terminal::is_invisible(c) {
        Some('\u{FFFD}')
    } else if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
        Some(' ')
    } else {
        None
    }
}

/// Text outside code spans. Only what can change structure in the middle of a line is
/// escaped (the text never starts a line, so `#`, `-`, `+`, `>` and digits are inert):
/// backslash, backtick, `*`, `~` (strikethrough), `[`/`]` (links and images), `$` (GitHub
/// renders `$…$` as math), `_` unless between two letters or digits (where CommonMark
/// cannot open or close emphasis with it), `|` in table cells. `<` and `>` become
/// entities rather than `\<`: then the raw text can never hold `<!--` or `-->`, so it can
/// neither open an HTML comment nor contain a copy of the marker that the Action searches
/// the raw comment for. `&` becomes `&amp;` where it could start an entity.
///
/// `@` is followed by a zero-width space. GitHub turns `@alice` and `@org/team` into
/// mentions that notify them, and a title in a pull request must not ping anyone. A
/// backslash does not stop it (GitHub finds mentions in the rendered text, after escapes
/// are resolved) and a code span would change how the title reads; after U+200B the text
/// looks the same and is no mention.
fn push_text(out: &mut String, text: &str, place: Place) {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let word = |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(|c| c.is_alphanumeric());
        match c {
            c if neutral(c).is_some() => out.extend(neutral(c)),
            '_' if word(i.checked_sub(1)) && word(Some(i + 1)) => out.push('_'),
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '|' if place == Place::Cell => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' if chars.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#') => out.push_str("&amp;"),
            '@' => out.push_str("@\u{200B}"),
            c => out.push(c),
        }
    }
}

/// `code` as a code span, shown literally. The fence is one backtick longer than the
/// longest run inside, so nothing inside can close it; a space pads each side when the
/// content starts or ends with a backtick, or starts and ends with a space (CommonMark
/// strips one such pair). Inside code no escape works, so: `<!` gets a zero-width space
/// between (no raw copy of the marker), and in a table cell `|` becomes `\|` (GFM's row
/// splitter honours that even in code, and drops the backslash), with a zero-width space
/// after a backslash of the content that comes right before it, so the two are not read
/// together and shown wrong. Mentions are never linked inside code.
fn push_code(out: &mut String, code: &str, place: Place) {
    let mut body = String::with_capacity(code.len() + 2);
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if neutral(c).is_some() => body.extend(neutral(c)),
            '<' if chars.peek() == Some(&'!') => body.push_str("<\u{200B}"),
            '\\' if place == Place::Cell && chars.peek() == Some(&'|') => body.push_str("\\\u{200B}"),
            '|' if place == Place::Cell => body.push_str("\\|"),
            c => body.push(c),
        }
    }
    if body.is_empty() {
        return;
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = body.starts_with('`')
        || body.ends_with('`')
        || (body.starts_with(' ') && body.ends_with(' ') && body.chars().any(|c| c != ' '));
    let pad = if pad { " " } else { "" };
    out.push_str(&format!("{fence}{pad}{body}{pad}{fence}"));
}

/// Code in a table cell longer than this many characters may wrap (see
/// `push_wrapping_code`), so that a long test identity does not widen the table.
const WRAP_AFTER: usize = 40;

/// `code` as an HTML `<code>` element, with a `<wbr>` after each `::`, `/` and `.`, where
/// a browser may break the line: a Markdown code span never breaks, and one long test
/// identity made the whole table wider than the comment. Everything is written as an
/// entity that could mean anything else: `&`, `<`, `>` (so no tag and no copy of the
/// marker), `|` (`&#124;`: GFM splits a row at a raw `|` before it reads any HTML), `` ` ``
/// and `\`; controls and hidden characters as in code spans; `@` with a zero-width
/// space, since GitHub links mentions in HTML it did not render as code itself.
fn push_wrapping_code(out: &mut String, code: &str) {
    out.push_str("<code>");
    let chars: Vec<char> = code.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            c if neutral(c).is_some() => out.extend(neutral(c)),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            '\\' => out.push_str("&#92;"),
            '*' => out.push_str("&#42;"),
            '_' => out.push_str("&#95;"),
            '~' => out.push_str("&#126;"),
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            '$' => out.push_str("&#36;"),
            '@' => out.push_str("@\u{200B}"),
            c => out.push(c),
        }
        let next = chars.get(i + 1);
        let breaks = (c == ':' && i > 0 && chars[i - 1] == ':') || c == '/' || (c == '.' && next.is_some());
        if breaks && next.is_some() {
            out.push_str("<wbr>");
        }
    }
    out.push_str("</code>");
}

/// A test identity or path in a table cell: a code span, or when it is long, code that
/// may wrap (`push_wrapping_code`).
fn push_identity(out: &mut String, code: &str) {
    if code.chars().count() > WRAP_AFTER {
        push_wrapping_code(out, code);
    } else {
        push_code(out, code, Place::Cell);
    }
}

/// Our message text (with its code spans) for a table cell.
pub fn cell(text: &str) -> String {
    inline(text, Place::Cell)
}

/// Repository text as a code span, safe in a table cell too.
pub fn code_span(text: &str) -> String {
    let mut out = String::new();
    push_code(&mut out, text, Place::Cell);
    out
}

/// Repository text (a test's output) as a fenced code block: the fence is longer than
/// any run of backticks inside, controls and bidirectional marks are neutralised as in
/// code spans, and `<!` is split so that no copy of the comment's marker can appear.
pub fn code_block(text: &str) -> String {
    let mut body = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => body.push('\n'),
            c if neutral(c).is_some() => body.extend(neutral(c)),
            '<' if chars.peek() == Some(&'!') => body.push_str("<\u{200B}"),
            c => body.push(c),
        }
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}text\n{body}\n{fence}\n")
}

/// The length of the run of backticks at the start of `s`.
fn backtick_run(s: &str) -> usize {
    s.len() - s.trim_start_matches('`').len()
}

/// Our message or help text as inline Markdown: `` `…` `` are code spans, the rest is
/// text. Spans are found by CommonMark's rule, a run of n backticks closes at the next
/// run of exactly n, and the checks write repository text inside code with
/// `finding::code`, whose fence is longer than any run in it; so a test name holding a
/// backtick cannot end its span early. A run that closes nothing is text.
fn inline(text: &str, place: Place) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let n = backtick_run(&rest[open..]);
        let after = &rest[open + n..];
        let mut close = None;
        let mut i = 0;
        while let Some(j) = after[i..].find('`') {
            let run = backtick_run(&after[i + j..]);
            if run == n {
                close = Some(i + j);
                break;
            }
            i += j + run;
        }
        match close {
            Some(close) => {
                push_text(&mut out, &rest[..open], place);
                let mut code = &after[..close];
                if code.len() >= 2 && code.starts_with(' ') && code.ends_with(' ') && code.bytes().any(|b| b != b' ') {
                    code = &code[1..code.len() - 1];
                }
                push_code(&mut out, code, place);
                rest = &after[close + n..];
            }
            None => {
                push_text(&mut out, &rest[..open + n], place);
                rest = after;
            }
        }
    }
    push_text(&mut out, rest, place);
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
            format!("[{label}]({base}/{}{anchor})", uri_path(path))
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

/// The heading and the sentence under it: the verdict for this change, and what to do.
fn verdict(report: &Report) -> (String, String) {
    let s = &report.summary;
    let compared = report.base.is_some();
    let new_of = |f: &&Finding| f.baseline != Some(Baseline::Unchanged);
    let mut removed: Vec<&str> = Vec::new();
    for id in report
        .findings
        .iter()
        .filter(new_of)
        .filter(|f| f.rule == Rule::LinkedTestRemoved && f.level == Level::Error)
        .filter_map(|f| f.incident.as_deref())
    {
        // Each incident once, in report order (two of its tests removed are not adjacent
        // when findings sort by path).
        if !removed.contains(&id) {
            removed.push(id);
        }
    }
    let old_errors = s.errors - s.new_errors;
    let old = if compared && s.errors + s.warnings > s.new_errors + s.new_warnings {
        let n = s.errors + s.warnings - s.new_errors - s.new_warnings;
        format!(
            " {} already on the base {} listed below, folded.",
            plural(n, "finding"),
            if n == 1 { "is" } else { "are" }
        )
    } else {
        String::new()
    };
    if report.failed_check() {
        let heading = if !removed.is_empty() {
            let ids: Vec<String> = removed.iter().take(3).map(|id| escape(id)).collect();
            let more = if removed.len() > 3 { format!(" and {} more", removed.len() - 3) } else { String::new() };
            format!("### ❌ This change removes the regression test of {}{more}", ids.join(", "))
        } else if compared && s.new_errors > 0 {
            format!("### ❌ This change brings in {}", plural(s.new_errors, "error"))
        } else if compared {
            format!("### ❌ {} already on the base fail this run", plural(old_errors, "error"))
        } else {
            format!("### ❌ incident-guard: {}, {}", plural(s.errors, "error"), plural(s.warnings, "warning"))
        };
        let todo = if !removed.is_empty() {
            "Restore the test, or, if it is deliberately gone, retire it in the postmortem's `retired_tests` with a reason."
                .to_owned()
        } else if compared && s.new_errors > 0 {
            "Fix the new findings below before merging.".to_owned()
        } else if compared {
            "Nothing here is new, but this run fails on every error (`fail_on = \"all\"`): fix them, or fail pull requests only on what they bring in with `fail_on = \"new\"`.".to_owned()
        } else {
            "There is no base revision to compare with, so every finding counts as this change's: fix the errors below."
                .to_owned()
        };
        return (heading, format!("{todo}{old}"));
    }
    let fixed =
        if s.fixed > 0 { format!(" It fixes {} of the base.", plural(s.fixed, "finding")) } else { String::new() };
    if compared && s.new_errors == 0 && s.new_warnings == 0 {
        return (
            "### ✅ Nothing new: this change keeps every incident's guard".to_owned(),
            format!("Nothing to do.{fixed}{old}"),
        );
    }
    if compared {
        return (
            format!("### ✅ No new errors: this change brings in {}", plural(s.new_warnings, "warning")),
            format!("Look at the warnings below before merging.{old}"),
        );
    }
    if s.errors > 0 {
        // Fails nothing only when the errors are already there, which needs a base: not
        // reached, but said plainly if it ever is.
        return (format!("### ⚠️ incident-guard: {}", plural(s.errors, "error")), String::new());
    }
    if s.warnings > 0 {
        return (format!("### ✅ incident-guard: no errors, {}", plural(s.warnings, "warning")), String::new());
    }
    ("### ✅ incident-guard: no findings".to_owned(), String::new())
}

/// One finding as a list item: icon, (the rule,) place, message and, in italics, the fix.
fn item(f: &Finding, style: &Style, with_rule: bool) -> String {
    let loc = location(f, style).map(|l| format!("{l} — ")).unwrap_or_default();
    let rule = if with_rule { format!("`{}` ", f.rule.code()) } else { String::new() };
    let mut line = format!("- {} {rule}{loc}{}", icon(f.level), inline(&f.message, Place::Line));
    if let Some(help) = f.help.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        line.push_str(&format!("<br>*{}*", inline(help, Place::Line)));
    }
    line
}

/// The findings of one kind as lines, grouped by rule in report order (errors first),
/// each rule with its count. List items are rows, which may be left out to fit.
fn by_rule(listed: &[&Finding], style: &Style) -> Vec<(String, bool)> {
    let mut lines = Vec::new();
    let mut seen = Vec::new();
    for rule in listed.iter().map(|f| f.rule) {
        if seen.contains(&rule) {
            continue;
        }
        seen.push(rule);
        let of_rule: Vec<&Finding> = listed.iter().copied().filter(|f| f.rule == rule).collect();
        // Every line a row: cut from the end, a group goes with its heading.
        lines.push((format!("**`{}`** ({})", rule.code(), of_rule.len()), true));
        lines.push((String::new(), true));
        lines.extend(of_rule.into_iter().map(|f| (item(f, style, false), true)));
        lines.push((String::new(), true));
    }
    lines
}

/// The findings this change brought in, grouped by incident in report order (the most
/// severe first), each incident's title linked to its postmortem; findings about no
/// incident last.
fn by_incident(report: &Report, listed: &[&Finding], style: &Style) -> Vec<(String, bool)> {
    let mut lines = Vec::new();
    let mut order: Vec<Option<&str>> = Vec::new();
    for f in listed {
        if !order.contains(&f.incident.as_deref()) {
            order.push(f.incident.as_deref());
        }
    }
    order.sort_by_key(|id| id.is_none()); // stable: incidents in report order, then the rest
    for id in order {
        let heading = match id {
            Some(id) => {
                let incident = report.incidents.iter().find(|i| i.id == id);
                let name = match (incident, &style.link_base) {
                    (Some(i), Some(base)) => format!("[{}]({base}/{})", escape(id), uri_path(&i.path)),
                    _ => escape(id),
                };
                match incident.filter(|i| !i.title.is_empty()) {
                    Some(i) => format!("**{name}: {}**", escape(&i.title)),
                    None => format!("**{name}**"),
                }
            }
            None => "**Other findings**".to_owned(),
        };
        // Every line a row: cut from the end, a group goes with its heading.
        lines.push((heading, true));
        lines.push((String::new(), true));
        lines.extend(listed.iter().filter(|f| f.incident.as_deref() == id).map(|f| (item(f, style, true), true)));
        lines.push((String::new(), true));
    }
    lines
}

/// The whole report, cut below `limit` bytes with a visible note when it does not fit.
/// In this order: the marker; the verdict for this change and what to do; what the
/// change brought in, by incident; the past incidents it touches and the proofs of the
/// links it adds; what it fixed; then, folded, the findings already on the base and the
/// table of every incident; the footer last.
pub fn document(report: &Report, style: &Style, limit: usize) -> String {
    let s = &report.summary;
    let mut head = vec![MARKER.to_owned()];
    let (heading, todo) = verdict(report);
    head.push(heading);
    head.push(String::new());
    if !todo.is_empty() {
        head.push(todo);
        head.push(String::new());
    }
    let mut context = format!("{} · {}", plural(s.incidents, "incident"), plural(s.linked_tests, "linked test"));
    if let Some(base) = &report.base {
        context.push_str(&format!(" · compared with {}", escape(&base.reason)));
    }
    if let Some(r) = &report.test_results {
        context.push_str(&format!(" · test results: {}", plural(r.files.len(), "file")));
    }
    head.push(context);
    head.push(String::new());

    // The reminders are the section on past incidents, not findings to list again.
    let listed: Vec<&Finding> = report.findings.iter().filter(|f| f.rule != Rule::TouchesIncidentCode).collect();
    let (old, new): (Vec<&Finding>, Vec<&Finding>) =
        listed.into_iter().partition(|f| report.base.is_some() && f.baseline == Some(Baseline::Unchanged));
    let mut findings = Vec::new();
    if !new.is_empty() {
        let title = if report.base.is_some() { "#### New in this change" } else { "#### Findings" };
        findings.push((title.to_owned(), false));
        findings.push((String::new(), false));
        findings.extend(by_incident(report, &new, style));
    }

    let mut section = past_incidents(&report.touched, style);
    section.extend(proofs(&report.proofs));

    let mut fixed = Vec::new();
    if !report.fixed.is_empty() {
        fixed.push((format!("#### ✅ Fixed by this change ({})", report.fixed.len()), false));
        fixed.push((String::new(), false));
        for f in &report.fixed {
            let loc = location(f, style).map(|l| format!("{l} — ")).unwrap_or_default();
            fixed.push((format!("- ✅ {loc}{} (`{}`)", inline(&f.message, Place::Line), f.rule.code()), true));
        }
        fixed.push((String::new(), false));
    }

    let mut folded = Vec::new();
    if !old.is_empty() {
        let errors = old.iter().filter(|f| f.level == Level::Error).count();
        folded.push((
            format!(
                "<details><summary>{} already on the base ({}): not brought in by this change</summary>",
                plural(old.len(), "finding"),
                plural(errors, "error")
            ),
            false,
        ));
        folded.push((String::new(), false));
        folded.extend(by_rule(&old, style));
        folded.push(("</details>".to_owned(), false));
        folded.push((String::new(), false));
    }

    let mut table = Vec::new();
    if !report.incidents.is_empty() {
        table.push((format!("<details><summary>All {}</summary>", plural(report.incidents.len(), "incident")), false));
        table.push((String::new(), false));
        let with_run = report.test_results.is_some();
        if with_run {
            table.push((
                "| Incident | Title | Severity | Linked tests | In this run | Action items done |".to_owned(),
                false,
            ));
            table.push(("|---|---|---|---:|---|---:|".to_owned(), false));
        } else {
            table.push(("| Incident | Title | Severity | Linked tests | Action items done |".to_owned(), false));
            table.push(("|---|---|---|---:|---:|".to_owned(), false));
        }
        for i in &report.incidents {
            let done = i.action_items.iter().filter(|a| matches!(a.status, "closed" | "wontfix")).count();
            let tests = if i.tests.is_empty() && i.test_waiver.is_none() && i.status != "draft" {
                "**0**".to_owned()
            } else if i.tests.is_empty() && i.test_waiver.is_some() {
                "waived".to_owned()
            } else {
                i.tests.len().to_string()
            };
            let run = if with_run { format!(" {} |", run_cell(&i.linked_tests)) } else { String::new() };
            let row = format!(
                "| {} | {} | {} | {tests} |{run} {done}/{} |",
                escape(&i.id),
                escape(&i.title),
                i.severity.as_deref().map_or_else(|| "–".to_owned(), escape),
                i.action_items.len()
            );
            table.push((row, true));
        }
        table.push((String::new(), false));
        // Each linked test's fate, when results were given.
        let tests: Vec<(&str, &crate::report::LinkedTestView)> =
            report.incidents.iter().flat_map(|i| i.linked_tests.iter().map(move |t| (i.id.as_str(), t))).collect();
        if with_run && !tests.is_empty() {
            table.push(("| Linked test | Incident | In this run |".to_owned(), false));
            table.push(("|---|---|---|".to_owned(), false));
            for (id, t) in tests {
                let mut cell = String::new();
                push_identity(&mut cell, &t.test);
                table.push((format!("| {cell} | {} | {} |", escape(id), run_label(t.run)), true));
            }
            table.push((String::new(), false));
        }
        table.push(("</details>".to_owned(), false));
        table.push((String::new(), false));
    }

    let footer = "<sub>incident-guard: every incident leaves a regression test behind.</sub>".to_owned();
    // Cut first what the reader needs least: the table, then the old findings, what was
    // fixed, the past incidents and proofs, and the new findings last.
    let parts = vec![
        Part { lines: findings, what: "finding(s)", keep: 4, gone: Vec::new() },
        Part { lines: section, what: "past incident(s)", keep: 3, gone: Vec::new() },
        Part { lines: fixed, what: "fixed finding(s)", keep: 2, gone: Vec::new() },
        Part { lines: folded, what: "finding(s) already on the base", keep: 1, gone: Vec::new() },
        Part { lines: table, what: "incident row(s)", keep: 0, gone: Vec::new() },
    ];
    assemble(head, parts, footer, limit)
}

/// A part of the comment: its lines (`true`: a row, which may be left out to fit), what
/// its rows are, for the note on what was left out, and how much it is worth keeping
/// (the lowest is cut first).
struct Part {
    lines: Vec<(String, bool)>,
    what: &'static str,
    keep: u8,
    /// The indices of the lines left out.
    gone: Vec<usize>,
}

/// Past incidents with more rows than this are folded into a `<details>` block, so that
/// the verdict and the findings stay in view.
const OPEN_ROWS: usize = 5;
/// How many files and tests a row names before it counts the rest.
const NAMED_FILES: usize = 5;
const NAMED_TESTS: usize = 3;

/// The section "Past incidents in this change": one row per incident whose code the
/// change touches, with the files, the tests that guard it and, when the run was given
/// test results, whether they ran. Lines marked `true` are rows, which may be left out
/// to fit the comment.
fn past_incidents(touched: &[TouchedIncident], style: &Style) -> Vec<(String, bool)> {
    if touched.is_empty() {
        return Vec::new();
    }
    let ran_column = touched.iter().any(|t| t.tests_ran.is_some());
    let mut lines = vec![("#### Past incidents in this change".to_owned(), false), (String::new(), false)];
    let n = touched.len();
    let lead = format!(
        "This change touches code that was part of {}: read what {} found before merging.",
        plural(n, "past incident"),
        if n == 1 { "its postmortem" } else { "their postmortems" }
    );
    let collapsed = n > OPEN_ROWS;
    if collapsed {
        lines.push((format!("<details><summary>{lead}</summary>"), false));
    } else {
        lines.push((lead, false));
    }
    lines.push((String::new(), false));
    let ran_head = if ran_column { " Ran in this pipeline |" } else { "" };
    let ran_rule = if ran_column { "---:|" } else { "" };
    lines.push((format!("| Incident | Severity | Files touched | Guarded by |{ran_head}"), false));
    lines.push((format!("|---|---|---|---|{ran_rule}"), false));
    for t in touched {
        let id = match &style.link_base {
            Some(base) => format!("[{}]({base}/{})", escape(&t.id), uri_path(&t.path)),
            None => escape(&t.id),
        };
        let incident = if t.title.is_empty() { id } else { format!("{id}: {}", escape(&t.title)) };
        let severity = t.severity.as_deref().map_or_else(|| "–".to_owned(), escape);
        let tests = if t.tests.is_empty() { "**none**".to_owned() } else { code_list(&t.tests, NAMED_TESTS) };
        let ran = match (ran_column, t.tests_ran) {
            (false, _) => String::new(),
            (true, Some(r)) => format!(" {}/{} |", r.ran, r.linked),
            (true, None) => " – |".to_owned(),
        };
        let row = format!("| {incident} | {severity} | {} | {tests} |{ran}", code_list(&t.files, NAMED_FILES));
        lines.push((row, true));
    }
    lines.push((String::new(), false));
    if collapsed {
        lines.push(("</details>".to_owned(), false));
        lines.push((String::new(), false));
    }
    lines
}

/// A linked test's fate in the run, with an icon; a dash when the results do not cover it.
fn run_label(run: Option<&str>) -> &'static str {
    match run {
        Some("passed") => "✅ passed",
        Some("failed") => "❌ failed",
        Some("skipped") => "⏭️ skipped",
        Some(_) => "⛔ not run",
        None => "– no results for it",
    }
}

/// An incident's linked tests by fate: `2 ✅ · 1 ❌`.
fn run_cell(tests: &[crate::report::LinkedTestView]) -> String {
    let mut parts = Vec::new();
    for word in ["passed", "failed", "skipped", "not-run"] {
        let n = tests.iter().filter(|t| t.run == Some(word)).count();
        if n > 0 {
            parts.push(format!("{n} {}", run_label(Some(word))));
        }
    }
    if parts.is_empty() { "–".to_owned() } else { parts.join(", ") }
}

/// The section on the links the change adds or edits: what the lock file of proofs
/// (`verify --record`) says about each. Rows may be left out to fit the comment.
fn proofs(rows: &[crate::report::ProofRow]) -> Vec<(String, bool)> {
    if rows.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![
        ("#### Proof for the regression tests in this change".to_owned(), false),
        (String::new(), false),
        ("Whether each test this change links or edits was shown to fail without its incident's fix and pass with it (`incident-guard verify --record`).".to_owned(), false),
        (String::new(), false),
        ("| Incident | Test | Proof |".to_owned(), false),
        ("|---|---|---|".to_owned(), false),
    ];
    for r in rows {
        let mut test = String::new();
        push_identity(&mut test, &r.test);
        lines.push((format!("| {} | {test} | {} |", escape(&r.incident), escape(&r.proof)), true));
    }
    lines.push((String::new(), false));
    lines
}

/// Repository strings as code spans in a table cell, one a line, the ones past `named`
/// counted.
fn code_list(items: &[String], named: usize) -> String {
    let mut cell = String::new();
    for (i, item) in items.iter().take(named).enumerate() {
        if i > 0 {
            cell.push_str("<br>");
        }
        push_identity(&mut cell, item);
    }
    if items.len() > named {
        cell.push_str(&format!("<br>and {} more", items.len() - named));
    }
    cell
}

/// Joins the parts in their order, leaving out rows, from the end of the part least
/// worth keeping first, until the result fits in `limit` bytes, with a note saying what
/// was left out. Lines that are not rows (headings, a table's head, the `<details>`
/// tags) always stay, so the structure holds.
fn assemble(head: Vec<String>, mut parts: Vec<Part>, footer: String, limit: usize) -> String {
    const NOTE_ROOM: usize = 400;
    let size = |l: &str| l.len() + 1;
    let mut total: usize = head.iter().map(|l| size(l)).sum::<usize>()
        + parts.iter().flat_map(|p| p.lines.iter()).map(|(l, _)| size(l)).sum::<usize>()
        + size(&footer);
    let mut omitted: Vec<(&'static str, usize)> = Vec::new();
    if total > limit {
        total += NOTE_ROOM;
        let mut by_keep: Vec<usize> = (0..parts.len()).collect();
        by_keep.sort_by_key(|&i| parts[i].keep);
        for i in by_keep {
            let part = &mut parts[i];
            let mut dropped = 0;
            let mut j = part.lines.len();
            while total > limit && j > 0 {
                j -= 1;
                if part.lines[j].1 {
                    total -= size(&part.lines[j].0);
                    // Counted: the list items and table rows; headings and blank lines
                    // go with them.
                    let (line, _) = std::mem::take(&mut part.lines[j]);
                    if line.starts_with("- ") || line.starts_with("| ") {
                        dropped += 1;
                    }
                    part.gone.push(j);
                }
            }
            if dropped > 0 {
                omitted.push((part.what, dropped));
            }
            if total <= limit {
                break;
            }
        }
    }
    let mut out = head;
    for part in parts {
        let gone: std::collections::HashSet<usize> = part.gone.into_iter().collect();
        out.extend(part.lines.into_iter().enumerate().filter(|(i, _)| !gone.contains(i)).map(|(_, (l, _))| l));
    }
    if !omitted.is_empty() {
        let what: Vec<String> = omitted.iter().map(|(what, n)| format!("{n} more {what}")).collect();
        out.push(format!(
            "> **Report truncated** to fit GitHub's size limit: {} not shown. The job summary or `incident-guard check` has them all.",
            what.join(", ")
        ));
        out.push(String::new());
    }
    out.push(footer);
    out.join("\n") + "\n"
}

pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(document(report, style, COMMENT_LIMIT).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gfm(markdown: &str) -> String {
        let mut options = comrak::Options::default();
        options.extension.table = true;
        options.extension.strikethrough = true;
        options.render.r#unsafe = true;
        comrak::markdown_to_html(markdown, &options)
    }

    #[test]
    fn text_escapes_only_what_changes_structure() {
        assert_eq!(escape("INC-7 (checkout.rs): 3 + 4 = 7 # ok!"), "INC-7 (checkout.rs): 3 + 4 = 7 # ok!");
        assert_eq!(
            escape("snake_case _x_ *y* ~z~ [l](u) $m$ a|b \\ `c`"),
            r"snake_case \_x\_ \*y\* \~z\~ \[l\](u) \$m\$ a\|b \\ \`c\`"
        );
        assert_eq!(escape("<!-- x --> R&D &amp; A & B"), "&lt;!-- x --&gt; R&amp;D &amp;amp; A & B");
        assert_eq!(escape("@alice"), "@\u{200b}alice");
        assert_eq!(escape("a\nb\u{2028}c\u{202e}d\u{1b}e"), "a b c\u{fffd}d e");
        assert_eq!(escape("z\u{200b}w\u{feff}t\u{e0041}\u{85}"), "z\u{fffd}w\u{fffd}t\u{fffd} ");
    }

    #[test]
    fn message_code_spans_stay_code_and_nothing_inside_closes_them() {
        assert_eq!(inline("put `// incident: INC-1` above", Place::Line), "put `// incident: INC-1` above");
        assert_eq!(inline("test ``a`b``, ok", Place::Line), "test ``a`b``, ok");
        assert_eq!(inline("test ``` `x`` ```", Place::Line), "test ``` `x`` ```");
        assert_eq!(inline("a lone ` tick", Place::Line), r"a lone \` tick");
        assert_eq!(inline("`<!-- incident-guard -->`", Place::Line), "`<\u{200b}!-- incident-guard -->`");
        let html = gfm(&format!("- {}", inline("x `a <b> @c` y", Place::Line)));
        assert!(html.contains("<code>a &lt;b&gt; @c</code>"), "{html}");
    }

    fn with_past_incidents(touched: Vec<TouchedIncident>) -> Report {
        Report {
            version: 1,
            base: None,
            findings: Vec::new(),
            incidents: Vec::new(),
            summary: Default::default(),
            fallback_path: ".".into(),
            repo_root: Default::default(),
            no_base: None,
            touched,
            test_results: None,
            proofs: Vec::new(),
            fixed: Vec::new(),
            fail_on: Default::default(),
        }
    }

    fn past(i: usize, title: &str, tests_ran: Option<crate::report::TestsRan>) -> TouchedIncident {
        TouchedIncident {
            id: format!("INC-{i}"),
            title: title.to_owned(),
            severity: Some("SEV1".into()),
            path: format!("postmortems/{i}.md"),
            files: (0..7).map(|f| format!("src/m{f}.rs")).collect(),
            tests: vec!["tests/a.rs::a".into()],
            tests_ran,
        }
    }

    #[test]
    fn whether_the_tests_ran_is_a_column_only_when_test_results_were_given() {
        let md = document(&with_past_incidents(vec![past(1, "Pool", None)]), &Style::default(), COMMENT_LIMIT);
        assert!(md.contains("| Incident | Severity | Files touched | Guarded by |\n|---|---|---|---|\n"), "{md}");
        assert!(
            md.contains("| INC-1: Pool | SEV1 | `src/m0.rs`<br>`src/m1.rs`<br>`src/m2.rs`<br>`src/m3.rs`<br>`src/m4.rs`<br>and 2 more | `tests/a.rs::a` |\n"),
            "{md}"
        );
        let ran = Some(crate::report::TestsRan { ran: 1, linked: 1 });
        let report = with_past_incidents(vec![past(1, "Pool", ran), past(2, "Cache", None)]);
        let html = gfm(&document(&report, &Style::default(), COMMENT_LIMIT));
        assert_eq!(html.matches("</th>").count(), 5, "{html}");
        assert!(html.contains("<td align=\"right\">1/1</td>") && html.contains("<td align=\"right\">–</td>"), "{html}");
    }

    #[test]
    fn many_past_incidents_are_cut_to_fit_and_the_fold_stays_whole() {
        let title = "t".repeat(300);
        let report = with_past_incidents((0..2000).map(|i| past(i, &title, None)).collect());
        let md = document(&report, &Style::default(), COMMENT_LIMIT);
        assert!(md.len() < COMMENT_LIMIT, "{} bytes", md.len());
        assert!(md.contains("more past incident(s)"), "a visible note says so");
        let html = gfm(&md);
        assert_eq!((html.matches("<details>").count(), html.matches("</details>").count()), (1, 1));
        let folded = html.split("<details>").nth(1).unwrap().split("</details>").next().unwrap();
        assert_eq!(folded.matches("<table>").count(), 1, "{html}");
        assert!(folded.matches("<tr>").count() > 20, "as many rows as fit: {html}");
    }

    #[test]
    fn long_code_in_a_table_cell_wraps_and_stays_inert() {
        let long = "tests/integration/payments/retry.rs::retries_reuse_the_idempotency_key";
        let mut cell = String::new();
        push_identity(&mut cell, long);
        assert!(cell.starts_with("<code>tests/<wbr>integration/<wbr>") && cell.contains("::<wbr>retries"), "{cell}");
        let html = gfm(&format!("| x | y |\n|---|---|\n| {cell} | z |\n"));
        assert!(html.contains("<td><code>tests/<wbr>integration/"), "{html}");
        assert!(html.contains("retries_reuse_the_idempotency_key</code></td>"), "{html}");
        // Hostile text in a long identity: no tag, no marker, no row split, no mention.
        let hostile = "tests/a.rs::<!-- incident-guard --> | </td><script>x</script> @alice `x` *y*";
        let mut cell = String::new();
        push_identity(&mut cell, hostile);
        let html = gfm(&format!("| x | y |\n|---|---|\n| {cell} | z |\n"));
        assert_eq!(html.matches("<td>").count(), 2, "{html}");
        assert!(!html.contains("<script") && !html.contains("<!--"), "{html}");
        assert!(html.contains("@\u{200b}alice"), "{html}");
    }

    #[test]
    fn code_in_a_table_cell_cannot_split_the_row() {
        let mut cell = String::new();
        push_code(&mut cell, r"a|b\|c`d", Place::Cell);
        let html = gfm(&format!("| x | y |\n|---|---|\n| {cell} | z |\n"));
        assert_eq!(html.matches("<td>").count(), 2, "{html}");
        assert!(html.contains("<td><code>a|b\\\u{200b}|c`d</code></td>\n<td>z</td>"), "{html}");
    }
}
