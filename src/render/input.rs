//! `incident-guard render`: the JSON documents of `check --format json` and `verify
//! --format json` read back, validated strictly, into the values the renderers take. The
//! documents may come from untrusted code (a fork's pull-request run), so nothing is
//! trusted: the file is size-capped and must be a regular file; every field the renderers
//! need must be there with its JSON type; rule codes, levels, outcomes and every other word
//! the reports print as our own text must be one the tool writes; and the verdict (the
//! summary's counts) is recomputed from the findings, never read. Unknown fields are
//! ignored, so that a newer writer's additions do not break an older reader.
//!
//! The mirror types below are this module's own: the report types only serialise, and
//! their `&'static str` fields are filled here from the tables the tool writes them from.

use crate::date::Date;
use crate::finding::Finding;
use crate::report::{self, Report};
use crate::rules::{Level, Rule};
use anyhow::{Context as _, Result, bail};
use serde::Deserialize;
use std::path::Path;

/// The largest document `render` reads.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Reads `path` whole, refusing anything but a regular file of at most `MAX_BYTES`
/// (never opened through a link at its name, never blocking on a FIFO).
pub fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    crate::paths::read_regular_up_to(path, MAX_BYTES).map_err(|e| match e.kind() {
        std::io::ErrorKind::Other => anyhow::anyhow!("{e} (a report is a regular file of at most 16 MiB)"),
        _ => anyhow::Error::new(e).context("cannot read it"),
    })
}

#[derive(Deserialize)]
struct Versioned {
    version: u32,
}

/// Parses a document, its `version` first so that a document of another version is
/// named as such rather than by the first field it lacks.
fn parse<'de, T: Deserialize<'de>>(bytes: &'de [u8], expected: u32) -> Result<T> {
    let v: Versioned = serde_json::from_slice(bytes).context("not a valid incident-guard JSON report")?;
    if v.version != expected {
        bail!("`version` is {}; this incident-guard reads version {expected}", v.version);
    }
    serde_json::from_slice(bytes).context("not a valid incident-guard JSON report")
}

/// One of the words of `table`, as the `&'static str` the table holds.
fn word(table: &[&'static str], value: &str, what: &str) -> Result<&'static str> {
    table.iter().copied().find(|w| *w == value).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown {what} `{}` (expected one of {})",
            value.escape_debug(),
            table.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
        )
    })
}

fn level(value: &str) -> Result<Level> {
    Ok(match value {
        "error" => Level::Error,
        "warning" => Level::Warning,
        "note" => Level::Note,
        other => bail!("unknown level `{}` (expected `error`, `warning` or `note`)", other.escape_debug()),
    })
}

fn date(value: &Option<String>, what: &str) -> Result<Option<Date>> {
    value
        .as_deref()
        .map(|d| {
            Date::parse(d).ok_or_else(|| anyhow::anyhow!("{what} `{}` is not a YYYY-MM-DD date", d.escape_debug()))
        })
        .transpose()
}

const INCIDENT_STATUSES: &[&str] = &["draft", "review", "published", "closed"];
const ITEM_STATUSES: &[&str] = &["open", "in-progress", "closed", "wontfix"];
const RUN_STATUSES: &[&str] = &["passed", "failed", "skipped", "not-run"];
const LANGUAGES: &[&str] = &["rust", "python", "go", "javascript", "java"];

#[derive(Deserialize)]
struct FindingIn {
    rule: String,
    level: String,
    incident: Option<String>,
    test: Option<String>,
    message: String,
    path: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<String>,
    #[serde(default)]
    fingerprint: String,
    baseline: Option<String>,
}

const BASELINES: &[&str] = &["new", "unchanged"];

impl FindingIn {
    fn into_finding(self) -> Result<Finding> {
        let Some(rule) = Rule::from_code(&self.rule) else {
            bail!("unknown rule `{}`", self.rule.escape_debug());
        };
        let mut f = Finding::new(rule, self.message);
        f.level = level(&self.level)?;
        f.incident = self.incident;
        f.test = self.test;
        f.path = self.path;
        f.line = self.line;
        f.column = self.column;
        f.help = self.help;
        if !self.fingerprint.is_empty() && !self.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("`fingerprint` is not hexadecimal");
        }
        f.fingerprint = self.fingerprint;
        f.baseline = match self.baseline {
            None => None,
            Some(b) => Some(match word(BASELINES, &b, "baseline state")? {
                "unchanged" => crate::finding::Baseline::Unchanged,
                _ => crate::finding::Baseline::New,
            }),
        };
        Ok(f)
    }
}

fn findings(list: Vec<FindingIn>) -> Result<Vec<Finding>> {
    findings_of(list, "finding")
}

fn findings_of(list: Vec<FindingIn>, what: &str) -> Result<Vec<Finding>> {
    list.into_iter().enumerate().map(|(i, f)| f.into_finding().with_context(|| format!("{what} {}", i + 1))).collect()
}

#[derive(Deserialize)]
struct BaseIn {
    rev: String,
    source: String,
    commit: Option<String>,
    reason: String,
    #[serde(default)]
    is_head: bool,
}

#[derive(Deserialize)]
struct SummaryIn {
    incidents: usize,
    linked_tests: usize,
    // Read for their type only: the counts are recomputed from the findings.
    #[allow(dead_code)]
    errors: usize,
    #[allow(dead_code)]
    warnings: usize,
    #[allow(dead_code)]
    notes: usize,
}

#[derive(Deserialize)]
struct ProofIn {
    outcome: crate::proof::Outcome,
    fix: String,
    without: String,
    current: bool,
    text: String,
}

#[derive(Deserialize)]
struct LinkedTestIn {
    test: String,
    path: String,
    line: usize,
    ignored: bool,
    run: Option<String>,
    proof: Option<ProofIn>,
}

#[derive(Deserialize)]
struct ActionItemIn {
    id: String,
    title: String,
    owner: String,
    status: String,
    due: Option<String>,
    kind: Option<String>,
    commits: Vec<String>,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum FileSourceIn {
    Paths { pattern: String },
    FixCommit { commit: String, path: Option<String> },
}

#[derive(Deserialize)]
struct IncidentFileIn {
    path: String,
    #[serde(default)]
    gone: bool,
    sources: Vec<FileSourceIn>,
}

#[derive(Deserialize)]
struct IncidentIn {
    id: String,
    title: String,
    status: String,
    severity: Option<String>,
    date: Option<String>,
    path: String,
    line: usize,
    tests: Vec<String>,
    linked_tests: Vec<LinkedTestIn>,
    action_items: Vec<ActionItemIn>,
    test_waiver: Option<String>,
    files: Vec<IncidentFileIn>,
}

#[derive(Deserialize)]
struct TestResultsIn {
    files: Vec<String>,
    languages: Vec<String>,
    passed: usize,
    failed: usize,
    skipped: usize,
    not_run: usize,
}

#[derive(Deserialize)]
struct CheckIn {
    version: u32,
    base: Option<BaseIn>,
    findings: Vec<FindingIn>,
    #[serde(default)]
    fixed: Vec<FindingIn>,
    incidents: Vec<IncidentIn>,
    summary: SummaryIn,
    test_results: Option<TestResultsIn>,
    fail_on: Option<String>,
}

impl IncidentIn {
    fn into_view(self) -> Result<report::IncidentView> {
        let linked_tests = self
            .linked_tests
            .into_iter()
            .enumerate()
            .map(|(i, t)| -> Result<report::LinkedTestView> {
                anyhow::Ok(report::LinkedTestView {
                    test: t.test,
                    path: t.path,
                    line: t.line,
                    ignored: t.ignored,
                    run: t.run.as_deref().map(|r| word(RUN_STATUSES, r, "run status")).transpose()?,
                    proof: t.proof.map(|p| report::ProofView {
                        outcome: p.outcome,
                        fix: p.fix,
                        without: p.without,
                        current: p.current,
                        text: p.text,
                    }),
                })
                .with_context(|| format!("linked test {}", i + 1))
            })
            .collect::<Result<_>>()?;
        let action_items = self
            .action_items
            .into_iter()
            .enumerate()
            .map(|(i, a)| -> Result<report::ActionItemView> {
                anyhow::Ok(report::ActionItemView {
                    status: word(ITEM_STATUSES, &a.status, "action item status")?,
                    due: date(&a.due, "`due`")?,
                    id: a.id,
                    title: a.title,
                    owner: a.owner,
                    kind: a.kind,
                    commits: a.commits,
                })
                .with_context(|| format!("action item {}", i + 1))
            })
            .collect::<Result<_>>()?;
        Ok(report::IncidentView {
            status: word(INCIDENT_STATUSES, &self.status, "incident status")?,
            date: date(&self.date, "`date`")?,
            id: self.id,
            title: self.title,
            severity: self.severity,
            path: self.path,
            line: self.line,
            tests: self.tests,
            linked_tests,
            action_items,
            test_waiver: self.test_waiver,
            files: self
                .files
                .into_iter()
                .map(|f| report::IncidentFileView {
                    path: f.path,
                    gone: f.gone,
                    sources: f
                        .sources
                        .into_iter()
                        .map(|s| match s {
                            FileSourceIn::Paths { pattern } => report::FileSourceView::Paths { pattern },
                            FileSourceIn::FixCommit { commit, path } => {
                                report::FileSourceView::FixCommit { commit, path }
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
    }
}

/// The incidents the `touches-incident-code` findings name, as `report::touched` finds
/// them from the model, here from the document: the findings and the incidents carry
/// everything it needs.
fn touched(
    incidents: &[report::IncidentView],
    findings: &[Finding],
    with_results: bool,
) -> Vec<report::TouchedIncident> {
    incidents
        .iter()
        .filter_map(|i| {
            let mut files: Vec<String> = findings
                .iter()
                .filter(|f| f.rule == Rule::TouchesIncidentCode && f.incident.as_deref() == Some(i.id.as_str()))
                .filter_map(|f| f.path.clone())
                .collect();
            if files.is_empty() {
                return None;
            }
            files.sort();
            files.dedup();
            let tests_ran = with_results.then(|| report::TestsRan {
                ran: i.linked_tests.iter().filter(|t| matches!(t.run, Some("passed" | "failed"))).count(),
                linked: i.tests.len(),
            });
            Some(report::TouchedIncident {
                id: i.id.clone(),
                title: i.title.clone(),
                severity: i.severity.clone(),
                path: i.path.clone(),
                files,
                tests: i.tests.clone(),
                tests_ran,
            })
        })
        .collect()
}

/// A `check --format json` document as the `Report` the renderers take. What the JSON
/// does not carry is empty (the proofs of the change's links, source lines), except the
/// past incidents the change touches, which its findings name; the summary's counts of
/// findings are recomputed from the findings' levels.
pub fn check_report(bytes: &[u8]) -> Result<Report> {
    let doc: CheckIn = parse(bytes, report::JSON_VERSION)?;
    let findings = findings(doc.findings)?;
    let fixed = findings_of(doc.fixed, "fixed finding")?;
    let fail_on = match doc.fail_on.as_deref().map(|f| word(&["all", "new"], f, "`fail_on`")).transpose()? {
        Some("new") => crate::config::FailOn::New,
        _ => crate::config::FailOn::All,
    };
    let incidents = doc
        .incidents
        .into_iter()
        .enumerate()
        .map(|(n, i)| {
            let id = i.id.clone();
            i.into_view().with_context(|| format!("incident {} (`{}`)", n + 1, id.escape_debug()))
        })
        .collect::<Result<Vec<_>>>()?;
    let test_results = doc
        .test_results
        .map(|r| -> Result<report::TestResultsView> {
            Ok(report::TestResultsView {
                languages: r
                    .languages
                    .iter()
                    .map(|l| word(LANGUAGES, l, "language"))
                    .collect::<Result<_>>()
                    .context("`test_results`")?,
                files: r.files,
                passed: r.passed,
                failed: r.failed,
                skipped: r.skipped,
                not_run: r.not_run,
            })
        })
        .transpose()?;
    let count = |l: Level| findings.iter().filter(|f| f.level == l).count();
    let summary = report::Summary {
        incidents: doc.summary.incidents,
        linked_tests: doc.summary.linked_tests,
        errors: count(Level::Error),
        warnings: count(Level::Warning),
        notes: count(Level::Note),
        new_errors: report::count_new(&findings, Level::Error),
        new_warnings: report::count_new(&findings, Level::Warning),
        fixed: fixed.len(),
    };
    let touched = touched(&incidents, &findings, test_results.is_some());
    Ok(Report {
        version: doc.version,
        base: doc.base.map(|b| report::BaseInfo {
            rev: b.rev,
            source: b.source,
            commit: b.commit,
            reason: b.reason,
            is_head: b.is_head,
        }),
        findings,
        incidents,
        summary,
        test_results,
        fallback_path: ".".to_owned(),
        repo_root: Default::default(),
        no_base: None,
        touched,
        proofs: Vec::new(),
        fixed,
        fail_on,
    })
}

// The `verify --format json` document.

const SIDES: &[&str] = &["without-fix", "with-fix"];
const VERDICTS: &[&str] = &["passed", "failed", "did-not-build", "ran-no-test", "timed-out"];
const TEST_SOURCES: &[&str] = &["", "fix-commit", "as-written-in-fix", "transplanted", "work-tree"];
/// `skipped`: the time budget ran out before the test started.
const SKIPPED: &str = "skipped";

#[derive(Deserialize)]
struct RunIn {
    side: String,
    commit: String,
    command: Vec<String>,
    dir: String,
    exit_status: Option<i32>,
    #[serde(default)]
    timed_out: bool,
    seconds: f64,
    verdict: String,
    tail: Vec<String>,
}

#[derive(Deserialize)]
struct ChoiceIn {
    commits: Vec<String>,
    source: String,
    reason: String,
}

#[derive(Deserialize)]
struct VerifiedIn {
    incident: String,
    test: String,
    path: String,
    line: usize,
    outcome: String,
    message: String,
    help: Option<String>,
    fix: Option<ChoiceIn>,
    with_commit: Option<String>,
    without_commit: Option<String>,
    #[serde(default)]
    test_source: String,
    test_blob: Option<String>,
    runs: Vec<RunIn>,
    #[serde(default)]
    earlier_runs: Vec<RunIn>,
}

#[derive(Deserialize)]
struct VerifyIn {
    version: u32,
    results: Vec<VerifiedIn>,
    // Read for its type only: recomputed from the results.
    #[allow(dead_code)]
    #[serde(default)]
    summary: std::collections::BTreeMap<String, usize>,
    recorded: Option<String>,
    note: Option<String>,
    #[serde(default)]
    bound_config: Option<String>,
    findings: Vec<FindingIn>,
}

fn outcome(value: &str) -> Result<(&'static str, Option<crate::proof::Outcome>)> {
    if value == SKIPPED {
        return Ok((SKIPPED, None));
    }
    match crate::proof::Outcome::ALL.iter().find(|o| o.as_str() == value) {
        Some(o) => Ok((o.as_str(), Some(*o))),
        None => bail!(
            "unknown outcome `{}` (expected one of {}, `{SKIPPED}`)",
            value.escape_debug(),
            crate::proof::Outcome::ALL.iter().map(|o| format!("`{}`", o.as_str())).collect::<Vec<_>>().join(", ")
        ),
    }
}

impl VerifiedIn {
    fn into_verified(self) -> Result<crate::verify::Verified> {
        use crate::verify::fix::{Choice, Source};
        let (outcome, kind) = outcome(&self.outcome)?;
        let fix = self
            .fix
            .map(|c| -> Result<Choice> {
                let source = match c.source.as_str() {
                    "fix-commits" => Source::FixCommits,
                    "prevent-items" => Source::PreventItems,
                    "marker-commit" => Source::MarkerCommit,
                    "test-commit" => Source::TestCommit,
                    other => bail!("unknown fix source `{}`", other.escape_debug()),
                };
                Ok(Choice { commits: c.commits, source, reason: c.reason })
            })
            .transpose()?;
        let read_runs = |runs: Vec<RunIn>| {
            runs.into_iter()
                .enumerate()
                .map(|(i, r)| -> Result<crate::verify::RunView> {
                    anyhow::Ok(crate::verify::RunView {
                        side: word(SIDES, &r.side, "run side")?,
                        verdict: word(VERDICTS, &r.verdict, "run verdict")?,
                        commit: r.commit,
                        command: r.command,
                        dir: r.dir,
                        exit_status: r.exit_status,
                        timed_out: r.timed_out,
                        seconds: r.seconds,
                        tail: r.tail,
                    })
                    .with_context(|| format!("run {}", i + 1))
                })
                .collect::<Result<Vec<_>>>()
        };
        let runs = read_runs(self.runs)?;
        let earlier_runs = read_runs(self.earlier_runs)?;
        Ok(crate::verify::Verified {
            incident: self.incident,
            test: self.test,
            path: self.path,
            line: self.line,
            outcome,
            message: self.message,
            help: self.help,
            fix,
            with_commit: self.with_commit,
            without_commit: self.without_commit,
            test_source: word(TEST_SOURCES, &self.test_source, "test source")?,
            test_blob: self.test_blob,
            runs,
            earlier_runs,
            kind,
        })
    }
}

/// A `verify --format json` document as the `verify::Report` its renderers take, its
/// summary recomputed from the results.
pub fn verify_report(bytes: &[u8]) -> Result<crate::verify::Report> {
    let doc: VerifyIn = parse(bytes, crate::verify::JSON_VERSION)?;
    let results = doc
        .results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.into_verified().with_context(|| format!("result {}", i + 1)))
        .collect::<Result<Vec<_>>>()?;
    let mut summary = std::collections::BTreeMap::new();
    for r in &results {
        *summary.entry(r.outcome).or_default() += 1;
    }
    Ok(crate::verify::Report {
        version: doc.version,
        results,
        summary,
        recorded: doc.recorded,
        note: doc.note,
        bound_config: doc.bound_config,
        findings: findings(doc.findings)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_input_rejects_unknown_words_and_wrong_types() {
        let ok = r#"{"version":1,"findings":[],"incidents":[],"summary":{"incidents":0,"linked_tests":0,"errors":0,"warnings":0,"notes":0},"extra":true}"#;
        assert!(check_report(ok.as_bytes()).is_ok());
        let bad = ok.replace(r#""findings":[]"#, r#""findings":[{"rule":"nope","level":"error","message":"m"}]"#);
        assert!(format!("{:#}", check_report(bad.as_bytes()).unwrap_err()).contains("unknown rule `nope`"));
        let bad = ok.replace(r#""version":1"#, r#""version":2"#);
        assert!(format!("{:#}", check_report(bad.as_bytes()).unwrap_err()).contains("`version` is 2"));
        let v = r#"{"version":1,"results":[{"incident":"I","test":"t","path":"p","line":1,"outcome":"sideways","message":"m","runs":[]}],"findings":[]}"#;
        assert!(format!("{:#}", verify_report(v.as_bytes()).unwrap_err()).contains("unknown outcome `sideways`"));
        let v = v.replace("sideways", "skipped");
        let r = verify_report(v.as_bytes()).unwrap();
        assert_eq!((r.results[0].outcome, r.results[0].kind, r.summary.get("skipped")), ("skipped", None, Some(&1)));
    }
}
