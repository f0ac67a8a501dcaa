//! The report: findings plus the picture of every incident, built once from the model
//! and the checks' findings. Every output format renders this one value (JSON serialises
//! it as is), so the formats cannot disagree.

use crate::date::Date;
use crate::finding::Finding;
use crate::incident_code::Source;
use crate::model::Model;
use crate::rules::{Level, Rule};
use serde::Serialize;

pub const JSON_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Report {
    pub version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<BaseInfo>,
    pub findings: Vec<Finding>,
    /// The base revision's findings that are gone at HEAD: what the change fixed.
    pub fixed: Vec<Finding>,
    pub incidents: Vec<IncidentView>,
    pub summary: Summary,
    /// Which errors fail the run: all of them, or those the change brought in.
    pub fail_on: crate::config::FailOn,
    /// The test results the run was given, when it was given some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_results: Option<TestResultsView>,
    /// Where a finding about the repository as a whole (no path: history not read, say)
    /// points in formats that require a file for every result, as SARIF for GitHub code
    /// scanning does: the config file, else the postmortems directory's README, else
    /// `.`. Repository-relative; not part of the JSON report.
    #[serde(skip)]
    pub fallback_path: String,
    /// The directory every path in the report is relative to: the git work tree around
    /// the checked directory (the checked directory itself outside git), so that GitHub
    /// can place annotations and links when the config sits in a subdirectory. Test
    /// identities stay relative to the checked directory, as `retired_tests` names them.
    #[serde(skip)]
    pub repo_root: std::path::PathBuf,
    /// Why there is no base, when git was read and none could be used: the human output
    /// says so on the line where it would name the base.
    #[serde(skip)]
    pub no_base: Option<String>,
    /// The incidents whose code this change touches, from the `touches-incident-code`
    /// findings, for the pull-request comment's section. Not part of the JSON report: the
    /// findings say the same.
    #[serde(skip)]
    pub touched: Vec<TouchedIncident>,
    /// The links the change adds or edits, with what the lock file of proofs says about
    /// each: the pull-request comment's section on proofs. Not part of the JSON report:
    /// each incident's `linked_tests` carry their proofs.
    #[serde(skip)]
    pub proofs: Vec<ProofRow>,
}

/// A link the change adds or edits, and its proof (`verify --record`).
#[derive(Debug, Clone)]
pub struct ProofRow {
    pub incident: String,
    pub test: String,
    /// "caught: fails without a1b2c3d, passes with it", "none", "stale (…)".
    pub proof: String,
}

/// What the lock file of proofs says about a linked test.
#[derive(Debug, Clone, Serialize)]
pub struct ProofView {
    pub outcome: crate::proof::Outcome,
    /// The commit the test passed with, and the one it ran at without the fix.
    pub fix: String,
    pub without: String,
    /// Whether the proof is of the test's current text.
    pub current: bool,
    /// In words: "caught: fails without a1b2c3d, passes with it".
    pub text: String,
}

/// The proof of the link (`incident`, `test`), if the lock file has one.
pub fn proof_view(model: &Model, incident: &str, test: &crate::scan::TestCase) -> Option<ProofView> {
    use crate::proof::Standing;
    let (p, current) = match model.proofs.standing(incident, &test.id, test.body.as_str()) {
        Standing::Current(p) => (p, true),
        Standing::Stale(p) => (p, false),
        Standing::None => return None,
    };
    Some(ProofView {
        outcome: p.outcome,
        fix: p.fix.clone(),
        without: p.without.clone(),
        current,
        text: if current { p.describe() } else { format!("stale, the test changed since: {}", p.describe()) },
    })
}

/// The links the change adds or edits, each with its proof in words.
pub fn proofs(model: &Model) -> Vec<ProofRow> {
    model
        .changed_links()
        .into_iter()
        .map(|(incident, test)| ProofRow {
            proof: proof_view(model, &incident, test).map_or_else(|| "none".to_owned(), |p| p.text),
            test: test.id.clone(),
            incident,
        })
        .collect()
}

/// An incident whose code the change touches, as one row of the pull-request comment.
#[derive(Debug, Clone)]
pub struct TouchedIncident {
    pub id: String,
    pub title: String,
    pub severity: Option<String>,
    /// The postmortem file.
    pub path: String,
    /// The files of the change that belong to it, by path.
    pub files: Vec<String>,
    /// Identities of the regression tests linked to it.
    pub tests: Vec<String>,
    /// Whether those tests ran in this pipeline: `None` unless the run was given test
    /// results; renderers show the column only when some incident has it.
    pub tests_ran: Option<TestsRan>,
}

/// How many of an incident's linked tests ran (and passed or failed) in this pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestsRan {
    pub ran: usize,
    pub linked: usize,
}

impl Report {
    /// Makes every path relative to the work tree instead of the checked directory,
    /// which lies `prefix` below it.
    pub fn rebase_paths(&mut self, prefix: &str) {
        if prefix.is_empty() || prefix == "." {
            return;
        }
        let rebase = |p: &mut String| *p = format!("{prefix}/{p}");
        for f in self.findings.iter_mut().chain(self.fixed.iter_mut()) {
            if let Some(p) = &mut f.path {
                rebase(p);
            }
            if let Some(r) = &mut f.related {
                rebase(&mut r.path);
            }
        }
        for i in &mut self.incidents {
            rebase(&mut i.path);
            for t in &mut i.linked_tests {
                rebase(&mut t.path);
            }
            for f in &mut i.files {
                rebase(&mut f.path);
                for s in &mut f.sources {
                    if let FileSourceView::FixCommit { path: Some(p), .. } = s {
                        rebase(p);
                    }
                }
            }
        }
        for t in &mut self.touched {
            rebase(&mut t.path);
            t.files.iter_mut().for_each(rebase);
        }
        if self.fallback_path == "." {
            self.fallback_path = prefix.to_owned();
        } else {
            rebase(&mut self.fallback_path);
        }
    }
}

pub use crate::git::BaseInfo;

#[derive(Debug, Serialize)]
pub struct IncidentView {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    pub path: String,
    pub line: usize,
    /// Identities of the linked tests at HEAD.
    pub tests: Vec<String>,
    pub linked_tests: Vec<LinkedTestView>,
    pub action_items: Vec<ActionItemView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_waiver: Option<String>,
    /// The files that belong to the incident, and why (see `incident_code`).
    pub files: Vec<IncidentFileView>,
}

#[derive(Debug, Serialize)]
pub struct IncidentFileView {
    pub path: String,
    /// Present, and true, only when HEAD has no such file: a fix commit changed it and it
    /// was deleted since.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gone: bool,
    pub sources: Vec<FileSourceView>,
}

/// Why a file belongs to an incident.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FileSourceView {
    /// The postmortem's `paths` lists it: the pattern, as written.
    Paths { pattern: String },
    /// A fix commit changed it: the commit's full SHA, and the path it had in that commit
    /// when it has been renamed since.
    FixCommit {
        commit: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
}

#[derive(Debug, Serialize)]
pub struct LinkedTestView {
    pub test: String,
    pub path: String,
    pub line: usize,
    pub ignored: bool,
    /// What the test results say of it (`passed`, `failed`, `skipped`, `not-run`), when
    /// results were given for its language (and, for Rust, its crate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<&'static str>,
    /// What `verify --record` found for it, when the lock file has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof: Option<ProofView>,
}

/// The test results a run was given, and what they say of the linked tests.
#[derive(Debug, Serialize)]
pub struct TestResultsView {
    /// The result files read, as named to the user.
    pub files: Vec<String>,
    /// The languages they hold results for.
    pub languages: Vec<&'static str>,
    /// Linked tests by what the results say of them (each test once).
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_run: usize,
}

/// The results view of a model that was given test results.
pub fn test_results(model: &Model) -> Option<TestResultsView> {
    let runs = model.runs.as_ref()?;
    let count = |word: &str| runs.tests.values().filter(|r| r.status.as_str() == word).count();
    Some(TestResultsView {
        files: runs.files.clone(),
        languages: runs.languages.iter().copied().collect(),
        passed: count("passed"),
        failed: count("failed"),
        skipped: count("skipped"),
        not_run: count("not-run"),
    })
}

#[derive(Debug, Serialize)]
pub struct ActionItemView {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Full SHAs of the commits found as evidence.
    pub commits: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub incidents: usize,
    pub linked_tests: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Errors and warnings the change brought in (all of them without a base).
    pub new_errors: usize,
    pub new_warnings: usize,
    /// Findings of the base that are gone at HEAD.
    pub fixed: usize,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }

    /// Whether the run fails: an error at all, or with `fail_on = "new"` an error the
    /// change brought in.
    pub fn failed_check(&self) -> bool {
        match self.fail_on {
            crate::config::FailOn::All => self.has_errors(),
            crate::config::FailOn::New => self.summary.new_errors > 0,
        }
    }
}

/// The incidents as reports show them. `evidence(incident, item)` gives the commits
/// found for an action item.
pub fn incidents(model: &Model, evidence: &dyn Fn(&str, &str) -> Vec<String>) -> Vec<IncidentView> {
    model
        .incidents()
        .map(|pm| {
            let tests = model.tests_for(&pm.id);
            IncidentView {
                id: pm.id.clone(),
                title: pm.title.clone(),
                status: pm.status.as_str(),
                severity: pm.severity.clone(),
                date: pm.date,
                path: pm.path.clone(),
                line: pm.loc.line,
                tests: tests.iter().map(|t| t.id.clone()).collect(),
                linked_tests: tests
                    .iter()
                    .map(|t| LinkedTestView {
                        test: t.id.clone(),
                        path: t.loc.path.clone(),
                        line: t.loc.line,
                        ignored: t.ignored.is_some(),
                        run: model.runs.as_ref().and_then(|r| r.tests.get(&t.id)).map(|r| r.status.as_str()),
                        proof: proof_view(model, &pm.id, t),
                    })
                    .collect(),
                action_items: pm
                    .action_items
                    .iter()
                    .map(|a| ActionItemView {
                        id: a.id.clone(),
                        title: a.title.clone(),
                        owner: a.owner.clone(),
                        status: a.status.as_str(),
                        due: a.due,
                        kind: a.kind.clone(),
                        commits: evidence(&pm.id, &a.id),
                    })
                    .collect(),
                test_waiver: pm.test_waiver.clone(),
                files: model
                    .files_of(&pm.id)
                    .iter()
                    .map(|f| IncidentFileView {
                        path: f.path.clone(),
                        gone: f.gone,
                        sources: f
                            .sources
                            .iter()
                            .map(|s| match s {
                                Source::Listed(pattern) => FileSourceView::Paths { pattern: pattern.clone() },
                                Source::Fixed { commit, was } => {
                                    FileSourceView::FixCommit { commit: commit.clone(), path: was.clone() }
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The incidents the `touches-incident-code` findings name, in the order of the
/// incidents, each with the files of the change that belong to it: the rows of the
/// pull-request comment's section. From the findings, so that a rule turned off shows
/// nothing.
pub fn touched(model: &Model, findings: &[Finding]) -> Vec<TouchedIncident> {
    let mut files: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
    for f in findings.iter().filter(|f| f.rule == Rule::TouchesIncidentCode) {
        if let (Some(id), Some(path)) = (&f.incident, &f.path) {
            files.entry(id.as_str()).or_default().push(path.clone());
        }
    }
    model
        .incidents()
        .filter_map(|pm| {
            let mut paths = files.remove(pm.id.as_str())?;
            paths.sort();
            paths.dedup();
            let tests: Vec<String> = model.tests_for(&pm.id).iter().map(|t| t.id.clone()).collect();
            // Ran: reported as passed or failed by the results given to this run.
            let tests_ran = model.runs.as_ref().map(|runs| TestsRan {
                ran: tests
                    .iter()
                    .filter(|t| {
                        runs.tests.get(*t).is_some_and(|r| {
                            matches!(r.status, crate::results::Status::Passed | crate::results::Status::Failed { .. })
                        })
                    })
                    .count(),
                linked: tests.len(),
            });
            Some(TouchedIncident {
                id: pm.id.clone(),
                title: pm.title.clone(),
                severity: pm.severity.clone(),
                path: pm.path.clone(),
                files: paths,
                tests,
                tests_ran,
            })
        })
        .collect()
}

pub fn summarize(model: &Model, findings: &[Finding]) -> Summary {
    let count = |l: Level| findings.iter().filter(|f| f.level == l).count();
    let mut tests: Vec<&str> = model.linked_tests().map(|t| t.id.as_str()).collect();
    tests.sort_unstable();
    tests.dedup();
    Summary {
        incidents: model.incidents().count(),
        linked_tests: tests.len(),
        errors: count(Level::Error),
        warnings: count(Level::Warning),
        notes: count(Level::Note),
        new_errors: count_new(findings, Level::Error),
        new_warnings: count_new(findings, Level::Warning),
        fixed: 0,
    }
}

/// How many findings at `level` are new (a finding with no baseline state counts as new).
pub fn count_new(findings: &[Finding], level: Level) -> usize {
    findings.iter().filter(|f| f.level == level && f.baseline != Some(crate::finding::Baseline::Unchanged)).count()
}
