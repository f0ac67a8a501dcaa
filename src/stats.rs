//! `incident-guard stats`: whether the team is learning. Counts by severity and status,
//! regression-test coverage, action items (open, overdue, days to close when history is
//! available), time to detect and to recover per severity, and the classes of problem
//! (tags) and the code (hotspots) that keep coming back. Pure computation over the model.

use crate::checks::missing_regression_test::is_held;
use crate::config::Config;
use crate::date::datetime_seconds;
use crate::model::Model;
use crate::postmortem::{ItemStatus, Status};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct Stats {
    pub version: u32,
    pub incidents: usize,
    pub by_severity: BTreeMap<String, usize>,
    pub by_status: BTreeMap<String, usize>,
    pub coverage: Coverage,
    pub action_items: ActionItems,
    /// Minutes from the incident's start (`date` with a time) to `detected_at`.
    pub time_to_detect: BTreeMap<String, Durations>,
    /// Minutes from `detected_at` to `resolved_at`.
    pub time_to_resolve: BTreeMap<String, Durations>,
    /// Tags that appear in at least two incidents.
    pub repeated_classes: Vec<RepeatedClass>,
    /// Files that belong to at least two incidents (see `incident_code`), most incidents
    /// first.
    pub hotspots: Vec<Hotspot>,
    pub months: Vec<Month>,
}

#[derive(Debug, Serialize)]
pub struct Coverage {
    /// Incidents held to missing-regression-test.
    pub held: usize,
    /// Of those, the ones with at least one linked test.
    pub covered: usize,
    pub ratio: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct ActionItems {
    pub total: usize,
    pub by_status: BTreeMap<String, usize>,
    pub overdue: usize,
    /// Closed items whose closing commit was found (history available).
    pub closed_with_commit: usize,
    /// Median of (newest evidence commit − incident date) over those, in days.
    pub median_days_to_close: Option<f64>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Durations {
    pub count: usize,
    pub median_minutes: f64,
    pub p90_minutes: f64,
}

#[derive(Debug, Serialize)]
pub struct RepeatedClass {
    pub tag: String,
    pub incidents: Vec<String>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Hotspot {
    /// Relative to the repository root.
    pub path: String,
    /// The incidents it belongs to, in the order of their postmortems.
    pub incidents: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Month {
    pub month: String,
    pub incidents: usize,
    pub held: usize,
    pub covered: usize,
}

/// The median of a non-empty list (mean of the two middle values when even).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

/// The 90th percentile by the nearest-rank method.
pub fn p90(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = (0.9 * values.len() as f64).ceil() as usize;
    Some(values[rank.max(1) - 1])
}

fn durations(mut values: Vec<f64>) -> Option<Durations> {
    let count = values.len();
    Some(Durations { count, median_minutes: median(&mut values)?, p90_minutes: p90(&mut values)? })
}

fn severity_key(s: Option<&String>) -> String {
    s.cloned().unwrap_or_else(|| "unspecified".to_owned())
}

pub fn compute(model: &Model, config: &Config) -> Stats {
    let incidents: Vec<_> = model.incidents().collect();
    let mut by_severity = BTreeMap::new();
    let mut by_status = BTreeMap::new();
    let mut months: BTreeMap<String, Month> = BTreeMap::new();
    let (mut held, mut covered) = (0, 0);
    let mut detect: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut resolve: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut items = ActionItems {
        total: 0,
        by_status: BTreeMap::new(),
        overdue: 0,
        closed_with_commit: 0,
        median_days_to_close: None,
    };
    let mut days_to_close = Vec::new();
    let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();

    for pm in &incidents {
        *by_severity.entry(severity_key(pm.severity.as_ref())).or_insert(0) += 1;
        *by_status.entry(pm.status.as_str().to_owned()).or_insert(0) += 1;
        let is_held = is_held(pm, config.held_severities().as_deref());
        let is_covered = is_held && !model.tests_for(&pm.id).is_empty();
        held += usize::from(is_held);
        covered += usize::from(is_covered);
        if let Some(date) = pm.date {
            let key = format!("{:04}-{:02}", date.year, date.month);
            let m = months.entry(key.clone()).or_insert(Month { month: key, incidents: 0, held: 0, covered: 0 });
            m.incidents += 1;
            m.held += usize::from(is_held);
            m.covered += usize::from(is_covered);
        }
        // A date without a time gives no start worth measuring from.
        let start = pm.started_at.as_ref().and_then(datetime_seconds);
        let detected = pm.detected_at.as_ref().and_then(datetime_seconds);
        let resolved = pm.resolved_at.as_ref().and_then(datetime_seconds);
        let sev = severity_key(pm.severity.as_ref());
        if let (Some(s), Some(d)) = (start, detected)
            && d >= s
        {
            detect.entry(sev.clone()).or_default().push((d - s) as f64 / 60.0);
        }
        if let (Some(d), Some(r)) = (detected, resolved)
            && r >= d
        {
            resolve.entry(sev).or_default().push((r - d) as f64 / 60.0);
        }
        for item in &pm.action_items {
            items.total += 1;
            *items.by_status.entry(item.status.as_str().to_owned()).or_insert(0) += 1;
            let open = matches!(item.status, ItemStatus::Open | ItemStatus::InProgress);
            if open && item.due.is_some_and(|d| d < model.today) {
                items.overdue += 1;
            }
            if item.status == ItemStatus::Closed {
                let newest = model
                    .history()
                    .and_then(|h| h.evidence.get(&crate::git::item_ref(&pm.id, &item.id)))
                    .and_then(|ev| ev.iter().map(|e| e.time).max());
                if let (Some(t), Some(date)) = (newest, pm.date) {
                    items.closed_with_commit += 1;
                    days_to_close.push((t - date.days() * 86_400) as f64 / 86_400.0);
                }
            }
        }
        for tag in &pm.tags {
            tags.entry(tag.clone()).or_default().push(pm.id.clone());
        }
    }
    items.median_days_to_close = median(&mut days_to_close);
    let hotspots = hotspots(model);
    Stats {
        version: crate::report::JSON_VERSION,
        incidents: incidents.len(),
        by_severity,
        by_status,
        coverage: Coverage { held, covered, ratio: (held > 0).then(|| covered as f64 / held as f64) },
        action_items: items,
        time_to_detect: detect.into_iter().filter_map(|(k, v)| durations(v).map(|d| (k, d))).collect(),
        time_to_resolve: resolve.into_iter().filter_map(|(k, v)| durations(v).map(|d| (k, d))).collect(),
        repeated_classes: tags
            .into_iter()
            .filter(|(_, ids)| ids.len() >= 2)
            .map(|(tag, incidents)| RepeatedClass { tag, incidents })
            .collect(),
        hotspots,
        months: months.into_values().collect(),
    }
}

/// The files at HEAD that belong to two or more incidents: where incidents keep
/// happening. Drafts do not count until they are published, as for the reminder.
pub fn hotspots(model: &Model) -> Vec<Hotspot> {
    let mut by_file: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for pm in model.incidents().filter(|p| p.status != Status::Draft) {
        for f in model.files_of(&pm.id).iter().filter(|f| !f.gone) {
            by_file.entry(f.path.as_str()).or_default().push(pm.id.clone());
        }
    }
    let mut out: Vec<Hotspot> = by_file
        .into_iter()
        .filter(|(_, ids)| ids.len() >= 2)
        .map(|(path, incidents)| Hotspot { path: path.to_owned(), incidents })
        .collect();
    // Most incidents first; the map ordered ties by path, and a stable sort keeps that.
    out.sort_by_key(|h| std::cmp::Reverse(h.incidents.len()));
    out
}

/// `95` → `1h 35m`, `3000` → `2d 2h`.
pub fn human_minutes(m: f64) -> String {
    let m = m.round() as i64;
    match m {
        m if m < 60 => format!("{m}m"),
        m if m < 24 * 60 => format!("{}h {:02}m", m / 60, m % 60),
        m => format!("{}d {}h", m / (24 * 60), (m % (24 * 60)) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(p90(&mut (1..=10).map(f64::from).collect::<Vec<_>>()), Some(9.0));
        assert_eq!(p90(&mut [5.0]), Some(5.0));
        assert_eq!(median(&mut []), None);
        assert_eq!(human_minutes(95.0), "1h 35m");
        assert_eq!(human_minutes(3000.0), "2d 2h");
    }
}
