//! Rendering `stats` for people (a terminal summary), for machines (JSON) and for a PR
//! or wiki (Markdown, with a small text chart per month).

use crate::stats::{Durations, Stats, human_minutes};
use std::collections::BTreeMap;
use std::io::{self, Write};

fn percent(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "n/a".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

fn counts(map: &BTreeMap<String, usize>) -> String {
    if map.is_empty() {
        return "none".to_owned();
    }
    map.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
}

fn times(map: &BTreeMap<String, Durations>) -> Vec<String> {
    map.iter()
        .map(|(sev, d)| {
            format!(
                "{sev}: median {}, p90 {} ({} incident(s))",
                human_minutes(d.median_minutes),
                human_minutes(d.p90_minutes),
                d.count
            )
        })
        .collect()
}

pub fn human(s: &Stats, out: &mut dyn Write) -> io::Result<()> {
    // Severities, statuses, tags and IDs are repository text.
    use super::human::terminal_line as t;
    writeln!(out, "incidents:        {} ({})", s.incidents, t(&counts(&s.by_severity)))?;
    writeln!(out, "by status:        {}", t(&counts(&s.by_status)))?;
    writeln!(
        out,
        "test coverage:    {} of {} incidents held to the rule have a linked test ({})",
        s.coverage.covered,
        s.coverage.held,
        percent(s.coverage.ratio)
    )?;
    let a = &s.action_items;
    writeln!(out, "action items:     {} ({}), {} overdue", a.total, t(&counts(&a.by_status)), a.overdue)?;
    match a.median_days_to_close {
        Some(d) => writeln!(
            out,
            "days to close:    median {d:.1} days over {} item(s) with a closing commit",
            a.closed_with_commit
        )?,
        None => writeln!(out, "days to close:    no closed action item has a closing commit yet")?,
    }
    for (label, map) in [("time to detect:  ", &s.time_to_detect), ("time to recover: ", &s.time_to_resolve)] {
        let lines = times(map);
        if lines.is_empty() {
            writeln!(out, "{label} n/a (no detected_at/resolved_at)")?;
        }
        for (i, l) in lines.iter().enumerate() {
            writeln!(out, "{} {}", if i == 0 { label } else { "                 " }, t(l))?;
        }
    }
    if s.repeated_classes.is_empty() {
        writeln!(out, "repeated classes: none")?;
    }
    for (i, c) in s.repeated_classes.iter().enumerate() {
        let label = if i == 0 { "repeated classes:" } else { "                 " };
        writeln!(out, "{label} {} ({})", t(&c.tag), t(&c.incidents.join(", ")))?;
    }
    if s.hotspots.is_empty() {
        writeln!(out, "code hotspots:    none (no file belongs to two incidents)")?;
    }
    for (i, h) in s.hotspots.iter().enumerate() {
        let label = if i == 0 { "code hotspots:   " } else { "                 " };
        writeln!(out, "{label} {} ({} incidents: {})", t(&h.path), h.incidents.len(), t(&h.incidents.join(", ")))?;
    }
    Ok(())
}

pub fn json(s: &Stats, out: &mut dyn Write) -> io::Result<()> {
    super::json::write_value(s, out)
}

pub fn markdown(s: &Stats, out: &mut dyn Write) -> io::Result<()> {
    use super::markdown::escape;
    writeln!(out, "### incident-guard stats\n")?;
    writeln!(out, "| | |\n|---|---|")?;
    writeln!(out, "| Incidents | {} ({}) |", s.incidents, escape(&counts(&s.by_severity)))?;
    writeln!(out, "| By status | {} |", escape(&counts(&s.by_status)))?;
    writeln!(
        out,
        "| Regression-test coverage | {}/{} ({}) |",
        s.coverage.covered,
        s.coverage.held,
        percent(s.coverage.ratio)
    )?;
    let a = &s.action_items;
    writeln!(out, "| Action items | {} ({}); {} overdue |", a.total, escape(&counts(&a.by_status)), a.overdue)?;
    let close = a.median_days_to_close.map_or_else(|| "n/a".to_owned(), |d| format!("{d:.1} days"));
    writeln!(out, "| Median days to close | {close} |")?;
    for (label, map) in [("Time to detect", &s.time_to_detect), ("Time to recover", &s.time_to_resolve)] {
        let text = times(map);
        writeln!(out, "| {label} | {} |", if text.is_empty() { "n/a".to_owned() } else { escape(&text.join("; ")) })?;
    }
    let repeated =
        s.repeated_classes.iter().map(|c| format!("{} ({})", c.tag, c.incidents.join(", "))).collect::<Vec<_>>();
    writeln!(
        out,
        "| Repeated classes | {} |",
        if repeated.is_empty() { "none".to_owned() } else { escape(&repeated.join("; ")) }
    )?;
    writeln!(out, "\n#### Code hotspots\n")?;
    if s.hotspots.is_empty() {
        writeln!(out, "No file belongs to two or more incidents.")?;
    } else {
        writeln!(out, "| File | Incidents |\n|---|---|")?;
        for h in &s.hotspots {
            writeln!(out, "| {} | {} ({}) |", escape(&h.path), h.incidents.len(), escape(&h.incidents.join(", ")))?;
        }
    }
    writeln!(out, "\n#### Per month\n")?;
    writeln!(out, "```text")?;
    writeln!(out, "month    incidents            covered/held")?;
    for m in &s.months {
        let bar = "█".repeat(m.incidents.min(20));
        let cov = if m.held == 0 {
            "-".to_owned()
        } else {
            format!("{}/{} {}", m.covered, m.held, "▓".repeat(m.covered.min(20)))
        };
        writeln!(out, "{}  {:<3} {:<16} {cov}", m.month, m.incidents, bar)?;
    }
    writeln!(out, "```")
}
