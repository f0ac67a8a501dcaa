//! `incident-guard verify`: proof, not presence. For each linked test of the selected
//! incidents, run it where the bug still exists, where it must fail, and where the fix
//! is, where it must pass. "Where the bug still exists" is a temporary worktree at the
//! parent of the incident's first fix commit (see `fix`), with the test's file brought
//! from the fix, and the test helpers the fix added (see `bring`); "where the fix is" is a
//! worktree at the last fix commit, or at HEAD with `--at-head`. The user's work tree,
//! index, stash and branches are never touched (see `worktree`).
//!
//! The runs are the slow part (a cold cargo build), so tests run on `--jobs` workers, each
//! with its own worktree directory that it reuses for both runs of every test it takes,
//! and every cargo run shares one target directory: dependencies build once, and the
//! second run of a test only rebuilds what differs.

pub mod command;
pub mod fix;
pub mod lookup;
pub mod process;
pub mod provenance;
pub mod prune;
mod scratch;
pub mod setup;
mod splice;
pub mod worktree;

use crate::checks::linked_test_does_not_catch;
use crate::finding::Finding;
use crate::model::Model;
use crate::proof::{self, Lock, Outcome};
use crate::scan::TestCase;
use anyhow::{Context as _, Result, bail};
use command::Verdict;
use git2::{Oid, Repository};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const JSON_VERSION: u32 = 1;
/// Seconds one run of one test may take, unless `--timeout` or `[verify] timeout` says.
pub const DEFAULT_TIMEOUT: u64 = 600;

/// What the command line asks of `verify`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub analysis: crate::Options,
    /// Incident IDs; all incidents when empty.
    pub ids: Vec<String>,
    /// Only the test with this identity.
    pub test: Option<String>,
    /// Only the links the change adds or changes (base versus the work tree).
    pub changed: bool,
    pub jobs: usize,
    /// Seconds per run.
    pub timeout: Option<u64>,
    /// Run "with the fix" at HEAD instead of at the fix commit.
    pub at_head: bool,
    /// Write the outcomes to the lock file.
    pub record: bool,
    /// Seconds for the whole verification: tests not started by then are left unverified.
    pub budget: Option<u64>,
}

/// One run of a test, as reports show it.
#[derive(Clone, Debug, Serialize)]
pub struct RunView {
    /// `without-fix` or `with-fix`.
    pub side: &'static str,
    /// The commit checked out (full SHA).
    pub commit: String,
    pub command: Vec<String>,
    /// Where it ran, relative to the checked directory.
    pub dir: String,
    /// Its exit status; absent when it did not exit by itself (timeout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<i32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub timed_out: bool,
    pub seconds: f64,
    /// `passed`, `failed`, `did-not-build`, `ran-no-test` or `timed-out`.
    pub verdict: &'static str,
    /// The last lines of its output.
    pub tail: Vec<String>,
}

/// One link verified (or not).
#[derive(Clone, Debug, Serialize)]
pub struct Verified {
    pub incident: String,
    pub test: String,
    pub path: String,
    pub line: usize,
    /// An outcome (`proof::Outcome`), or `skipped` when the time budget ran out first.
    pub outcome: &'static str,
    /// Why, in one sentence.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The fix commits used and why them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<fix::Choice>,
    /// The commit the test ran at with the fix, and without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub without_commit: Option<String>,
    /// Which text of the test ran: `fix-commit` (its file as at the fix, where the test's
    /// text is the same as now), `as-written-in-fix` (its file as at the fix, where the
    /// test's text differs from now's), `transplanted` (today's text of the test alone,
    /// with what it needs, in its file as at the fix), or `work-tree` (today's file whole:
    /// `--at-head`, or a language that cannot be transplanted).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub test_source: &'static str,
    /// The blob id of the test's text that ran (see `proof::test_blob`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_blob: Option<String>,
    pub runs: Vec<RunView>,
    /// The runs of the test as written in the fix, when that text did not build and
    /// today's was transplanted and run after them (`runs`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub earlier_runs: Vec<RunView>,
    #[serde(skip)]
    pub kind: Option<Outcome>,
}

/// Everything `verify` found.
#[derive(Debug, Serialize)]
pub struct Report {
    pub version: u32,
    pub results: Vec<Verified>,
    /// Outcome → how many links had it.
    pub summary: std::collections::BTreeMap<&'static str, usize>,
    /// The lock file written, with `--record`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<String>,
    /// Why nothing was selected, when nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why the commands that ran are not the ones this change's config names: the base's
    /// `[verify]` binds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_config: Option<String>,
    /// `linked-test-does-not-catch` for each link that passed without its fix, at the
    /// config's level (none when the rule is off).
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether the run should fail: a test that does not catch its incident (at error
    /// level), or one that fails with its fix.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.level == crate::rules::Level::Error)
            || self.results.iter().any(|r| r.kind == Some(Outcome::FailsWithFix))
    }
}

/// A link to verify, and its fix (or why there is none).
struct Job {
    incident: String,
    test: TestCase,
    fix: Result<fix::Choice, fix::Unverifiable>,
}

/// The repository as `verify` reads it: its work tree, the checked directory's path
/// inside it, and where the worker directories and the shared cargo target live.
struct Repo {
    /// The checked directory.
    root: PathBuf,
    workdir: PathBuf,
    /// The checked directory relative to the work tree (`""` at its root).
    prefix: String,
    git_dir: PathBuf,
    scratch: PathBuf,
    head: String,
}

impl Repo {
    fn git_path(&self, rel: &str) -> String {
        if self.prefix.is_empty() { rel.to_owned() } else { format!("{}/{rel}", self.prefix) }
    }

    fn open(&self) -> Result<Repository, String> {
        Repository::open(&self.git_dir).map_err(|e| e.message().to_owned())
    }
}

/// Runs `verify`.
pub fn run(opts: &Options) -> Result<Report> {
    // First: Ctrl-C at any point says what it stopped, and leaves nothing behind (the
    // scratch directory, the worktrees, the processes).
    worktree::handle_interruptions();
    let analysis = crate::analyze(&opts.analysis)?;
    let model = &analysis.model;
    let config = &analysis.config;
    let Some(history) = model.history() else {
        bail!(
            "`verify` needs the repository's git history: {}",
            match &model.git {
                crate::git::Git::NotARepo(why) | crate::git::Git::Unreadable(why) => why.clone(),
                _ => "git is turned off".to_owned(),
            }
        );
    };
    let git = Repository::discover(&model.root).context("cannot open the git repository")?;
    let workdir = git.workdir().context("the repository has no work tree")?.canonicalize()?;
    let prefix = crate::paths::relative(&workdir, &model.root);
    let prefix = if prefix == "." { String::new() } else { prefix };
    let head = git
        .head()
        .and_then(|h| h.peel_to_commit())
        .map(|c| c.id().to_string())
        .context("the repository has no commit yet: there is no fix to verify against")?;
    // Before any test starts: a process a test detaches is then re-parented to us.
    process::become_subreaper();
    let scratch = scratch::Scratch::create().map_err(anyhow::Error::msg)?;
    let repo = Repo {
        root: model.root.clone(),
        workdir,
        prefix,
        git_dir: git.path().to_path_buf(),
        scratch: scratch.path().to_path_buf(),
        head,
    };

    let jobs = select(opts, model, config, history, &repo, &git)?;
    let mut report = Report {
        version: JSON_VERSION,
        results: Vec::new(),
        summary: Default::default(),
        recorded: None,
        note: None,
        bound_config: None,
        findings: Vec::new(),
    };
    if jobs.is_empty() {
        report.note = Some(if opts.changed {
            match model.changes.is_some() {
                true => "the change adds or edits no linked test".to_owned(),
                false => "no base revision to compare with, so no link counts as changed".to_owned(),
            }
        } else {
            "no linked test matches".to_owned()
        });
        return Ok(report);
    }

    // The base's `[verify]` binds like every guard setting: a pull request must not choose
    // how its own proof is run.
    let verify = config.binding_verify();
    if verify != &config.verify {
        report.bound_config = Some(
            "the tests ran with the base revision's `[verify]`: this change edits it without a `guard_change_reason`"
                .to_owned(),
        );
    }
    let timeout = Duration::from_secs(opts.timeout.or(verify.timeout).unwrap_or(DEFAULT_TIMEOUT));
    let cx = Cx { opts, config, verify, repo: &repo, timeout, start: Instant::now() };
    report.results = execute(&cx, jobs);
    // Whatever is still running now was started by a test: stopped, and said.
    let left = process::sweep();
    if !left.is_empty() {
        bail!(
            "processes started by the tests could not be stopped (pid {}); the outcomes are not trusted",
            left.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
        );
    }
    // The worktrees, the logs and the shared cargo target go with the scratch directory.
    drop(scratch);
    for r in &report.results {
        *report.summary.entry(r.outcome).or_default() += 1;
    }
    if let Some(level) = config.level(crate::rules::Rule::LinkedTestDoesNotCatch) {
        for r in report.results.iter().filter(|r| r.kind == Some(Outcome::DoesNotCatch)) {
            let loc = crate::finding::Location { path: r.path.clone(), line: r.line, column: 1, len: 1 };
            let mut f =
                linked_test_does_not_catch::finding(&r.incident, &r.test, r.with_commit.as_deref().unwrap_or(""));
            f = f.at(&loc);
            f.level = level;
            report.findings.push(f);
        }
    }
    if opts.record {
        let rel = format!("{}/{}", config.postmortems.trim_end_matches('/'), proof::FILE_NAME);
        let path = model.root.join(&rel);
        let mut lock = Lock::read(&path, &rel)?;
        let lock_dir = path.parent().context("the lock file has no directory")?.to_path_buf();
        for r in &report.results {
            let (Some(kind), Some(blob), Some(with), Some(without)) =
                (r.kind, &r.test_blob, &r.with_commit, &r.without_commit)
            else {
                continue;
            };
            if !kind.recordable() {
                continue;
            }
            lock.record(proof::Proof {
                incident: r.incident.clone(),
                test: r.test.clone(),
                test_blob: blob.clone(),
                fix: with.clone(),
                without: without.clone(),
                outcome: kind,
                tool: proof::tool(),
            });
        }
        proof::write_replacing(&lock_dir, proof::FILE_NAME, lock.render().as_bytes())
            .with_context(|| format!("cannot write {rel}"))?;
        report.recorded = Some(rel);
    }
    Ok(report)
}

/// The links to verify, each with its fix.
fn select(
    opts: &Options,
    model: &Model,
    config: &crate::config::Config,
    history: &crate::git::History,
    repo: &Repo,
    git: &Repository,
) -> Result<Vec<Job>> {
    for id in &opts.ids {
        if model.incident(id).is_none() {
            let near = crate::suggest::did_you_mean(id, model.incident_ids());
            bail!(
                "no postmortem has the incident ID `{id}`{}",
                if near.is_empty() { String::new() } else { format!("; {near}") }
            );
        }
    }
    let changed: Option<Vec<(String, String)>> =
        opts.changed.then(|| model.changed_links().into_iter().map(|(i, t)| (i, t.id.clone())).collect());
    let time = |sha: &str| Oid::from_str(sha).and_then(|o| git.find_commit(o)).map_or(0, |c| c.time().seconds());
    let evidence = |incident: &str, item: &str| model.evidence(incident, item);
    let words = config.marker_words();
    let place =
        lookup::Place { workdir: &repo.workdir, prefix: &repo.prefix, postmortems: &config.postmortems, words: &words };
    let mut jobs = Vec::new();
    let mut test_seen = false;
    for pm in model.incidents() {
        if !opts.ids.is_empty() && !opts.ids.contains(&pm.id) {
            continue;
        }
        let tests: Vec<&TestCase> = model
            .tests_for(&pm.id)
            .into_iter()
            .filter(|t| opts.test.as_ref().is_none_or(|want| &t.id == want))
            .inspect(|_| test_seen = true)
            .filter(|t| changed.as_ref().is_none_or(|c| c.iter().any(|(i, id)| i == &pm.id && id == &t.id)))
            .collect();
        if tests.is_empty() {
            continue;
        }
        let incident_fix = fix::for_incident(pm, history, &evidence, &time);
        for test in tests {
            let choice = match &incident_fix {
                Ok(Some(c)) => Ok(c.clone()),
                Err(u) => Err(u.clone()),
                Ok(None) => lookup::for_test(pm, test, &place, git),
            };
            jobs.push(Job { incident: pm.id.clone(), test: test.clone(), fix: choice });
        }
    }
    if let Some(want) = &opts.test
        && !test_seen
    {
        let all: Vec<&str> = model.linked_tests().map(|t| t.id.as_str()).collect();
        let near = crate::suggest::did_you_mean(want, all.iter().copied());
        bail!(
            "no test linked to {} has the identity `{want}`{}; `incident-guard show ID` lists an incident's tests",
            if opts.ids.is_empty() { "any incident".to_owned() } else { opts.ids.join(", ") },
            if near.is_empty() { String::new() } else { format!("; {near}") }
        );
    }
    Ok(jobs)
}

struct Cx<'a> {
    opts: &'a Options,
    config: &'a crate::config::Config,
    /// The `[verify]` that binds (see `Config::binding_verify`).
    verify: &'a crate::config::VerifyConfig,
    repo: &'a Repo,
    timeout: Duration,
    start: Instant,
}

/// Runs the jobs on `--jobs` workers, each with its own worktree directory.
fn execute(cx: &Cx, jobs: Vec<Job>) -> Vec<Verified> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = cx.opts.jobs.clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, Verified)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|slot| {
                let (jobs, next) = (&jobs, &next);
                s.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        out.push((i, verify_one(cx, job, slot)));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, v)| v).collect()
}

/// A result that says why the test was not run.
fn not_run(job: &Job, outcome: Option<Outcome>, message: String, help: Option<String>) -> Verified {
    Verified {
        incident: job.incident.clone(),
        test: job.test.id.clone(),
        path: job.test.loc.path.clone(),
        line: job.test.loc.line,
        outcome: outcome.map_or("skipped", Outcome::as_str),
        message,
        help,
        fix: job.fix.as_ref().ok().cloned(),
        with_commit: None,
        without_commit: None,
        test_source: "",
        test_blob: None,
        runs: Vec::new(),
        earlier_runs: Vec::new(),
        kind: outcome,
    }
}

/// Which text of the test runs (see `Verified::test_source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TestSource {
    FixCommit,
    AsWrittenInFix,
    Transplanted,
    WorkTree,
}

impl TestSource {
    fn as_str(self) -> &'static str {
        match self {
            TestSource::FixCommit => "fix-commit",
            TestSource::AsWrittenInFix => "as-written-in-fix",
            TestSource::Transplanted => "transplanted",
            TestSource::WorkTree => "work-tree",
        }
    }

    /// The sentence a report adds: which text ran.
    fn sentence(self, with_rev: &str) -> String {
        let fix = proof::short(with_rev);
        match self {
            TestSource::FixCommit => format!("ran the test as written in fix {fix}, the same text as today"),
            TestSource::AsWrittenInFix => {
                format!("ran the test as written in fix {fix}, whose text differs from today's")
            }
            TestSource::Transplanted => {
                format!("ran today's text of the test, transplanted alone into its file as at fix {fix}")
            }
            TestSource::WorkTree => "ran the test's file as it is in the work tree".to_owned(),
        }
    }
}

/// The test's file as it runs: its text, where it came from, and the blob id of the test's
/// own text in it.
struct Plan {
    source: TestSource,
    text: String,
    blob: String,
}

/// Why a run gave no verdict about the test, and the run, when there was one.
struct Stop {
    why: String,
    help: Option<String>,
    run: Option<Box<RunView>>,
}

impl Stop {
    fn new(why: String, help: Option<String>) -> Stop {
        Stop { why, help, run: None }
    }
}

/// One side's run: its command, what it did and how it reads.
struct Side {
    prepared: command::Prepared,
    ran: process::Ran,
    verdict: Verdict,
}

/// Whether two texts of a test are the same but for marker lines and blank lines.
fn same_text(a: &str, b: &str, words: &[String]) -> bool {
    let keep = |t: &str| -> Vec<String> {
        t.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .filter(|l| {
                let lower = l.to_ascii_lowercase();
                !words.iter().any(|w| lower.contains(&w.to_ascii_lowercase()))
            })
            .map(str::to_owned)
            .collect()
    };
    keep(a) == keep(b)
}

/// Verifies one link on worker `slot`.
fn verify_one(cx: &Cx, job: &Job, slot: usize) -> Verified {
    if let Some(budget) = cx.opts.budget
        && cx.start.elapsed() >= Duration::from_secs(budget)
    {
        return not_run(job, None, format!("not verified: the time budget of {budget} s was spent"), None);
    }
    let choice = match &job.fix {
        Ok(c) => c.clone(),
        Err(u) => return not_run(job, Some(Outcome::Unverifiable), u.why.clone(), Some(u.help.clone())),
    };
    let repo = match cx.repo.open() {
        Ok(r) => r,
        Err(e) => return not_run(job, Some(Outcome::NotRunnable), format!("cannot open the repository: {e}"), None),
    };
    let with_rev = if cx.opts.at_head { cx.repo.head.clone() } else { choice.last().to_owned() };
    let without_rev = match parent(&repo, choice.first()) {
        Ok(p) => p,
        Err(why) => {
            let help = fix::naming_help(&job.incident);
            let mut v = not_run(job, Some(Outcome::Unverifiable), why, Some(help));
            v.fix = Some(choice);
            return v;
        }
    };
    let mut v = not_run(job, Some(Outcome::NotRunnable), String::new(), None);
    v.with_commit = Some(with_rev.clone());
    v.without_commit = Some(without_rev.clone());
    v.fix = Some(choice.clone());
    let file = &job.test.loc.path;
    let language = crate::scan::language_for(file).map_or("unknown", |l| l.name());
    let words = cx.config.marker_words();
    let at_rev = blob_text(&repo, &with_rev, &cx.repo.git_path(file));
    let today = crate::paths::read_inside(&crate::paths::boundary(&cx.repo.root), &cx.repo.root.join(file))
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let Some(today) = today else {
        v.message = format!("cannot read {}", crate::finding::code(file));
        return v;
    };
    let today_blob = proof::test_blob(job.test.body.as_str());
    // The test as the fix wrote it: its text at the commit it runs with, found whether it
    // was linked there or not (a test linked after its fix had no marker yet).
    let at_fix = if cx.opts.at_head {
        None
    } else {
        at_rev.as_deref().and_then(|text| {
            crate::scan::scan_every_body(file, text.as_bytes())
                .and_then(|scan| scan.tests.into_iter().find(|t| t.id == job.test.id))
        })
    };
    let transplant = |base: &str| -> Option<Plan> {
        let scope: Vec<&str> =
            job.test.id.strip_prefix(file.as_str()).unwrap_or("").split("::").filter(|s| !s.is_empty()).collect();
        let item = scope.first().copied().unwrap_or(job.test.name.as_str());
        splice::transplant(language, base, &today, item, job.test.loc.line).map(|text| Plan {
            source: TestSource::Transplanted,
            text,
            blob: today_blob.clone(),
        })
    };
    let work_tree = || Plan { source: TestSource::WorkTree, text: today.clone(), blob: today_blob.clone() };
    let plan = match (&at_fix, &at_rev) {
        _ if cx.opts.at_head => work_tree(),
        (Some(t), Some(text)) if same_text(t.body.as_str(), job.test.body.as_str(), &words) => {
            Plan { source: TestSource::FixCommit, text: text.clone(), blob: today_blob.clone() }
        }
        // A proof is of today's text (`--record`), and a change that edits a test asks about
        // its new text (`--changed`): then today's text runs, transplanted.
        (Some(_), Some(text)) if cx.opts.record || cx.opts.changed => transplant(text).unwrap_or_else(work_tree),
        (Some(t), Some(text)) => {
            Plan { source: TestSource::AsWrittenInFix, text: text.clone(), blob: proof::test_blob(t.body.as_str()) }
        }
        _ => transplant(at_rev.as_deref().unwrap_or("")).unwrap_or_else(work_tree),
    };
    let manifests = dependency_manifests(&repo, cx.repo, &choice);
    let first = attempt(cx, &repo, job, &choice, &plan, &with_rev, &without_rev, slot, language);
    // The fix's own text that does not build: today's, alone, may.
    let built = |r: &Result<(Side, Side), Stop>| {
        r.as_ref().is_ok_and(|(w, wo)| w.verdict != Verdict::DidNotBuild && wo.verdict != Verdict::DidNotBuild)
    };
    let (plan, result, earlier) = if plan.source == TestSource::AsWrittenInFix && !built(&first) {
        match transplant(at_rev.as_deref().unwrap_or("")) {
            Some(second_plan) => {
                let second = attempt(cx, &repo, job, &choice, &second_plan, &with_rev, &without_rev, slot, language);
                let first_said = describe_attempt(&first);
                let earlier: Vec<RunView> = match &first {
                    Ok((w, wo)) => vec![
                        view("without-fix", &without_rev, &wo.prepared, &wo.ran, wo.verdict),
                        view("with-fix", &with_rev, &w.prepared, &w.ran, w.verdict),
                    ],
                    Err(stop) => stop.run.iter().map(|r| (**r).clone()).collect(),
                };
                if built(&second) || !built(&first) && first.is_err() {
                    (second_plan, second, Some((first_said, earlier)))
                } else {
                    (plan, first, Some((describe_attempt(&second), earlier)))
                }
            }
            None => (plan, first, None),
        }
    } else {
        (plan, first, None)
    };
    v.test_source = plan.source.as_str();
    v.test_blob = Some(plan.blob.clone());
    let said_source = plan.source.sentence(&with_rev);
    let also = match &earlier {
        Some((said, _)) if plan.source == TestSource::Transplanted => {
            format!("; as written in fix {} it {said}", proof::short(&with_rev))
        }
        Some((said, _)) => format!("; today's text transplanted alone {said}"),
        None => String::new(),
    };
    if let Some((_, runs)) = earlier {
        v.earlier_runs = runs;
    }
    let manifest_note = (!manifests.is_empty()).then(|| {
        let list = manifests.iter().map(|m| crate::finding::code(m)).collect::<Vec<_>>().join(", ");
        let setup = if cx.verify.setup.is_empty() {
            " give `[verify] setup` the command that installs it in each worktree (e.g. `setup = [\"pip install -r requirements.txt\"]`),"
        } else {
            ""
        };
        format!(
            "the fix changed {list}: the environment must have the dependencies of both sides;{setup} see docs/config.md"
        )
    });
    match result {
        Err(stop) => {
            v.message = format!("{} ({said_source}{also})", stop.why);
            v.help = match (stop.help, &manifest_note) {
                (Some(h), Some(n)) => Some(format!("{h}; {n}")),
                (h, n) => h.or_else(|| n.clone()),
            };
            v.runs = stop.run.into_iter().map(|r| *r).collect();
        }
        Ok((with, without)) => {
            v.runs.push(view("without-fix", &without_rev, &without.prepared, &without.ran, without.verdict));
            v.runs.push(view("with-fix", &with_rev, &with.prepared, &with.ran, with.verdict));
            let (outcome, message, help) = decide(without.verdict, with.verdict, &choice, &with_rev, cx.timeout);
            v.kind = Some(outcome);
            v.outcome = outcome.as_str();
            v.message = format!("{message} ({said_source}{also})");
            v.help = match (help, &manifest_note) {
                (h, Some(n)) if outcome != Outcome::Caught => Some(match h {
                    Some(h) => format!("{h}; {n}"),
                    None => n.clone(),
                }),
                (h, _) => h,
            };
        }
    }
    v
}

/// What an attempt that was set aside showed, for the sentence about it.
fn describe_attempt(r: &Result<(Side, Side), Stop>) -> String {
    let word = |v: Verdict| match v {
        Verdict::Passed => "passed",
        Verdict::Failed => "failed",
        Verdict::DidNotBuild => "did not build",
        Verdict::RanNoTest => "ran no test",
        Verdict::TimedOut => "timed out",
    };
    match r {
        Ok((with, without)) => format!("{} without the fix and {} with it", word(without.verdict), word(with.verdict)),
        Err(stop) => format!("could not be run: {}", stop.why),
    }
}

/// The files the fix commits changed (only those they added, with `added_only`) that
/// `keep` accepts, relative to the checked directory, each once.
fn fix_files(
    repo: &Repository,
    r: &Repo,
    choice: &fix::Choice,
    added_only: bool,
    keep: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for sha in &choice.commits {
        let Ok(commit) = Oid::from_str(sha).and_then(|o| repo.find_commit(o)) else { continue };
        let (Ok(tree), Ok(parent)) = (commit.tree(), commit.parent(0).and_then(|p| p.tree())) else { continue };
        let Ok(diff) = repo.diff_tree_to_tree(Some(&parent), Some(&tree), None) else { continue };
        for d in diff.deltas().filter(|d| !added_only || d.status() == git2::Delta::Added) {
            let Some(p) = d.new_file().path().or_else(|| d.old_file().path()) else { continue };
            let p = p.to_string_lossy().replace('\\', "/");
            let rel = if r.prefix.is_empty() {
                Some(p.clone())
            } else {
                p.strip_prefix(&format!("{}/", r.prefix)).map(str::to_owned)
            };
            if let Some(rel) = rel
                && keep(&rel)
                && !out.contains(&rel)
            {
                out.push(rel);
            }
        }
    }
    out
}

/// The dependency manifests (see `setup::is_dependency_manifest`) the fix commits changed.
fn dependency_manifests(repo: &Repository, r: &Repo, choice: &fix::Choice) -> Vec<String> {
    fix_files(repo, r, choice, false, setup::is_dependency_manifest)
}

/// Runs the test of `plan` with the fix and then without it: the two sides, or why there
/// is no verdict about the test.
#[allow(clippy::too_many_arguments)]
fn attempt(
    cx: &Cx,
    repo: &Repository,
    job: &Job,
    choice: &fix::Choice,
    plan: &Plan,
    with_rev: &str,
    without_rev: &str,
    slot: usize,
    language: &str,
) -> Result<(Side, Side), Stop> {
    let at_with = blob_text(repo, with_rev, &cx.repo.git_path(&job.test.loc.path));
    let bring_with = at_with.as_deref() != Some(plan.text.as_str());
    let with = run_side(cx, repo, job, choice, plan, with_rev, "with-fix", bring_with, None, slot, language)?;
    let without = run_side(
        cx,
        repo,
        job,
        choice,
        plan,
        without_rev,
        "without-fix",
        true,
        Some((with_rev, &with.prepared)),
        slot,
        language,
    )?;
    // The same failure on both sides before any test ran is the environment's.
    if with.verdict == Verdict::DidNotBuild && without.verdict == Verdict::DidNotBuild {
        let (a, b) = (setup::first_error_line(&with.ran.output), setup::first_error_line(&without.ran.output));
        // Unless the error is in the test's own file: then it is the test that does not build.
        let in_test = |out: &str| out.contains(job.test.loc.path.as_str());
        if let (Some(a), Some(b)) = (a, b)
            && a == b
            && !in_test(&with.ran.output)
        {
            return Err(Stop {
                why: format!(
                    "both sides fail the same way before the test runs, with the fix and without it: `{a}`; that is the environment's, not the test's"
                ),
                help: Some("make the project build in this environment (see the output below), or give `[verify] setup` what it needs".to_owned()),
                run: Some(Box::new(view("with-fix", with_rev, &with.prepared, &with.ran, with.verdict))),
            });
        }
    }
    Ok((with, without))
}

/// One side: its worktree at `rev`, the test's file from `plan` (and, without the fix,
/// the helpers the fix added), `[verify] setup`, the check that the code under test is
/// the worktree's, then the test. `with` is the other side's commit and command, for the
/// side without the fix.
#[allow(clippy::too_many_arguments)]
fn run_side(
    cx: &Cx,
    repo: &Repository,
    job: &Job,
    choice: &fix::Choice,
    plan: &Plan,
    rev: &str,
    side: &'static str,
    bring_file: bool,
    with: Option<(&str, &command::Prepared)>,
    slot: usize,
    language: &str,
) -> Result<Side, Stop> {
    let words = if side == "with-fix" { "with the fix" } else { "without the fix" };
    let slot_dir = cx.repo.scratch.join(format!("w{slot}"));
    let log = cx.repo.scratch.join(format!("w{slot}.log"));
    let tree = worktree::Worktree::add(&cx.repo.workdir, &slot_dir, rev).map_err(|e| Stop::new(e, None))?;
    let root = tree.path().join(&cx.repo.prefix);
    if bring_file {
        bring(repo, cx.repo, choice, &plan.text, rev, with.map(|w| w.0), &root, &job.test)
            .map_err(|e| Stop::new(e, None))?;
    }
    let mut prepared = match with {
        Some((_, p)) => {
            command::Prepared { argv: p.argv.clone(), dir: root.join(&p.dir_rel), dir_rel: p.dir_rel.clone() }
        }
        None => {
            let p = command::prepare(cx.verify, &root, &job.test).map_err(|n| Stop::new(n.why, Some(n.help)))?;
            provenance::maven_reactor(&p, &root).unwrap_or(p)
        }
    };
    // `--locked` asks cargo to use the revision's lock file: only where it has one.
    if language == "rust" && !cx.verify.commands.contains_key("rust") {
        let has_lock =
            prepared.dir.ancestors().take_while(|d| d.starts_with(tree.path())).any(|d| d.join("Cargo.lock").is_file());
        if !has_lock {
            prepared.argv.retain(|w| w != "--locked");
        } else if with.is_some() && !prepared.argv.iter().any(|w| w == "--locked") {
            prepared.argv.insert(2.min(prepared.argv.len()), "--locked".to_owned());
        }
    }
    let mut env: Vec<(String, String)> = Vec::new();
    // One target directory for every cargo run of a worker: the dependencies build once,
    // and the run without the fix rebuilds only what differs from the run with it. Not
    // one for all workers: cargo names a package's test binary the same in every checkout
    // of it, so one worker would run the binary another just built of another commit.
    let own = std::env::var_os("CARGO_TARGET_DIR");
    match (own, cx.opts.jobs > 1) {
        (None, false) => {
            env.push(("CARGO_TARGET_DIR".into(), cx.repo.scratch.join("target").to_string_lossy().into_owned()));
        }
        (None, true) => env.push((
            "CARGO_TARGET_DIR".into(),
            cx.repo.scratch.join(format!("target-w{slot}")).to_string_lossy().into_owned(),
        )),
        (Some(dir), true) => env.push((
            "CARGO_TARGET_DIR".into(),
            PathBuf::from(dir).join(format!("incident-guard-w{slot}")).to_string_lossy().into_owned(),
        )),
        (Some(_), false) => {}
    }
    // Plain output, and no backtrace filling the last lines a report keeps.
    env.push(("CARGO_TERM_COLOR".into(), "never".into()));
    env.push(("RUST_BACKTRACE".into(), "0".into()));
    let inherited = std::env::var("PYTHONPATH").ok();
    env.extend(provenance::env(language, &root, &job.test.loc.path, inherited.as_deref()));
    let pass = &cx.verify.env;
    for line in &cx.verify.setup {
        let argv = setup::words(line);
        let ran = process::run(&argv, &root, pass, &env, cx.timeout, &log)
            .map_err(|e| Stop::new(format!("`{line}` of `[verify] setup` cannot run {words}: {e}"), None))?;
        if ran.timed_out || ran.status != Some(0) {
            let status = match ran.status {
                Some(c) => format!("exit status {c}"),
                None => "stopped".to_owned(),
            };
            let why = setup::first_error_line(&ran.output).or_else(|| ran.tail().last().cloned()).unwrap_or_default();
            return Err(Stop::new(
                format!("`{line}` of `[verify] setup` failed {words} ({status}): {why}"),
                Some(
                    "the setup must succeed in a checkout of each side; see `[verify] setup` in docs/config.md".into(),
                ),
            ));
        }
    }
    // The code under test must be the worktree's.
    if language == "javascript" {
        provenance::check_node(&prepared.dir, tree.path()).map_err(|n| Stop::new(n.why, Some(n.help)))?;
    }
    let test_text = std::fs::read_to_string(root.join(&job.test.loc.path)).unwrap_or_default();
    if let Some(probe) = provenance::probe(language, &prepared, &root, &job.test.loc.path, &test_text)
        && let Ok(ran) = process::run(&probe.argv, &prepared.dir, pass, &env, cx.timeout, &log)
    {
        provenance::judge(&probe, &ran.output, tree.path())
            .map_err(|n| Stop::new(format!("{} ({words})", n.why), Some(n.help)))?;
    }
    let ran =
        process::run(&prepared.argv, &prepared.dir, pass, &env, cx.timeout, &log).map_err(|e| Stop::new(e, None))?;
    let verdict = command::verdict(language, ran.status, ran.timed_out, &ran.output);
    if matches!(verdict, Verdict::Failed | Verdict::DidNotBuild) {
        let package = (language == "rust")
            .then(|| crate::reach::rust::place(&root, &job.test.loc.path).ok().map(|p| p.package))
            .flatten();
        let local = |name: &str| provenance::is_local_module(&root, &job.test.loc.path, name);
        if let Some(line) = setup::pre_test_failure(language, &ran.output, &local, package.as_deref()) {
            return Err(Stop {
                why: format!("{words}, the run failed before the test ran: `{line}`"),
                help: Some(
                    "the environment lacks something the project needs (a runner, a dependency, a lock file); install it, or give `[verify] setup` the command that does, in each worktree".into(),
                ),
                run: Some(Box::new(view(side, rev, &prepared, &ran, verdict))),
            });
        }
    }
    drop(tree);
    Ok(Side { prepared, ran, verdict })
}

fn view(side: &'static str, commit: &str, p: &command::Prepared, ran: &process::Ran, verdict: Verdict) -> RunView {
    RunView {
        side,
        commit: commit.to_owned(),
        command: p.argv.clone(),
        dir: p.dir_rel.clone(),
        exit_status: ran.status,
        timed_out: ran.timed_out,
        seconds: (ran.elapsed.as_secs_f64() * 10.0).round() / 10.0,
        verdict: match verdict {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::DidNotBuild => "did-not-build",
            Verdict::RanNoTest => "ran-no-test",
            Verdict::TimedOut => "timed-out",
        },
        tail: ran.tail(),
    }
}

/// The outcome of a link from its two runs, with the sentence that says it and, where
/// there is something to do, the help.
fn decide(
    without: Verdict,
    with: Verdict,
    choice: &fix::Choice,
    with_rev: &str,
    timeout: Duration,
) -> (Outcome, String, Option<String>) {
    let fix = proof::short(with_rev);
    let secs = timeout.as_secs();
    match (without, with) {
        (_, Verdict::TimedOut) => (
            Outcome::Timeout,
            format!("with the fix {fix}, the test ran longer than {secs} s"),
            Some(
                "a test that hangs guards nothing; raise `--timeout` (or `[verify] timeout`) if it is only slow".into(),
            ),
        ),
        (_, Verdict::RanNoTest) | (Verdict::RanNoTest, _) => (
            Outcome::NotRunnable,
            format!(
                "the command ran no test {} the fix: it does not select this test",
                if with == Verdict::RanNoTest { "with" } else { "without" }
            ),
            Some("check the command in `[verify]` for the test's language against the output below".into()),
        ),
        (_, Verdict::Failed | Verdict::DidNotBuild) => (
            Outcome::FailsWithFix,
            format!("the test does not pass with the fix {fix}: it is broken, or flaky"),
            Some("a regression test must pass where the fix is; see the output below".into()),
        ),
        (Verdict::TimedOut, Verdict::Passed) => (
            Outcome::Timeout,
            format!("without the fix, the test ran longer than {secs} s (it passes with {fix})"),
            Some("if the incident was a hang, give the test its own deadline so that it fails instead".into()),
        ),
        (Verdict::Passed, Verdict::Passed) => {
            let why = if choice.source == fix::Source::MarkerCommit {
                " (the fix was taken to be the commit that added the test's marker; if the test landed after the fix, name the fix in `fix_commits`)"
            } else {
                ""
            };
            (
                Outcome::DoesNotCatch,
                format!("the test passes without the fix {fix}: it would not have caught the incident{why}"),
                None,
            )
        }
        (Verdict::DidNotBuild, Verdict::Passed) => (
            Outcome::DoesNotBuildWithoutFix,
            format!(
                "the test does not build without the fix {fix}, and passes with it: weaker evidence, since it may only use an API the fix added"
            ),
            Some(
                "to prove more, make the test build without the fix (call what existed before it) and fail there"
                    .into(),
            ),
        ),
        (Verdict::Failed, Verdict::Passed) => {
            (Outcome::Caught, format!("the test fails without the fix {fix}, and passes with it"), None)
        }
    }
}

/// The first parent of `sha`, or why there is none here.
fn parent(repo: &Repository, sha: &str) -> Result<String, String> {
    let commit = Oid::from_str(sha)
        .and_then(|o| repo.find_commit(o))
        .map_err(|_| format!("the fix commit {} is not in this clone", proof::short(sha)))?;
    match commit.parent_id(0) {
        Ok(p) if repo.find_commit(p).is_ok() => Ok(p.to_string()),
        Ok(_) => Err(format!(
            "the parent of the fix commit {} is not in this clone: {}",
            proof::short(sha),
            crate::git::UNSHALLOW_FIX
        )),
        Err(_) if repo.is_shallow() => Err(format!(
            "the fix commit {} is at the boundary of this shallow clone: {}",
            proof::short(sha),
            crate::git::UNSHALLOW_FIX
        )),
        Err(_) => Err(format!(
            "the fix commit {} is the repository's first commit: there is no code without it",
            proof::short(sha)
        )),
    }
}

/// The text of the file at `path` (git path) in commit `sha`.
fn blob_text(repo: &Repository, sha: &str, path: &str) -> Option<String> {
    let tree = Oid::from_str(sha).and_then(|o| repo.find_commit(o)).and_then(|c| c.tree()).ok()?;
    let blob = repo.find_blob(tree.get_path(Path::new(path)).ok()?.id()).ok()?;
    Some(String::from_utf8_lossy(blob.content()).into_owned())
}

/// Makes the worktree at `root` (the checked directory of a checkout of `tree_rev`) ready
/// to run the test: its file (`source`, the text that runs), and, from `helpers_from`, the
/// test helpers the fix added. The rule: (1) the test's file comes whole from `with_rev` when it is a file of
/// tests (by the same conventions as the incident's code: a `tests/` directory,
/// `test_*.py`, `*_test.go`, `*.test.ts`, …); a Rust test inside a file of code brings only
/// its outermost module (see `splice`), since the rest of that file may be the fix. (2)
/// Every file that a fix commit added (not changed), that is a file of tests by the same
/// conventions or a `conftest.py`, and that holds no test itself, comes from the fix
/// too: the helpers and fixtures the new test needs (`tests/common/mod.rs`,
/// `helpers_test.go`, `testdata/…`), which did not exist before the fix. A helper the fix
/// only changed keeps its old version: the change may be part of the fix.
#[allow(clippy::too_many_arguments)]
fn bring(
    repo: &Repository,
    r: &Repo,
    choice: &fix::Choice,
    source: &str,
    tree_rev: &str,
    helpers_from: Option<&str>,
    root: &Path,
    test: &TestCase,
) -> Result<(), String> {
    let file = &test.loc.path;
    let is_rust = crate::scan::language_for(file).is_some_and(|l| l.name() == "rust");
    let text = if is_rust && !crate::scan::is_test_file(file) {
        let before = blob_text(repo, tree_rev, &r.git_path(file)).unwrap_or_default();
        let scope: Vec<&str> =
            test.id.strip_prefix(file.as_str()).unwrap_or("").split("::").filter(|s| !s.is_empty()).collect();
        let item = scope.first().copied().unwrap_or(test.name.as_str());
        splice::rust(&before, source, item)
            .ok_or_else(|| format!("cannot take the test's module `{item}` out of {file} to run it without the fix"))?
    } else {
        source.to_owned()
    };
    write(root, file, text.as_bytes())?;
    let Some(with_rev) = helpers_from else { return Ok(()) };
    let words = crate::scan::markers::MarkerWords::new(&["incident".to_owned()]);
    for helper in added_helpers(repo, r, choice).into_iter().filter(|h| h != file) {
        let Some(bytes) = blob_bytes(repo, with_rev, &r.git_path(&helper)) else { continue };
        // A file of other tests is not a helper: it may use what the fix added, and in Go
        // it would be compiled with the test's package.
        let holds_tests = crate::scan::language_for(&helper)
            .is_some_and(|l| !l.scan(&helper, &l.decode(&bytes).text, &words).tests.is_empty());
        if !holds_tests {
            write(root, &helper, &bytes)?;
        }
    }
    Ok(())
}

fn blob_bytes(repo: &Repository, sha: &str, path: &str) -> Option<Vec<u8>> {
    let tree = Oid::from_str(sha).and_then(|o| repo.find_commit(o)).and_then(|c| c.tree()).ok()?;
    let blob = repo.find_blob(tree.get_path(Path::new(path)).ok()?.id()).ok()?;
    Some(blob.content().to_vec())
}

fn write(root: &Path, rel: &str, bytes: &[u8]) -> Result<(), String> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The files of tests (and `conftest.py` files) that the fix commits added.
fn added_helpers(repo: &Repository, r: &Repo, choice: &fix::Choice) -> Vec<String> {
    fix_files(repo, r, choice, true, |rel| {
        crate::scan::is_test_file(rel) || rel.rsplit('/').next() == Some("conftest.py")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_from_the_two_runs() {
        let choice =
            fix::Choice { commits: vec!["a".repeat(40)], source: fix::Source::FixCommits, reason: String::new() };
        let t = Duration::from_secs(5);
        let at = |without, with| decide(without, with, &choice, &"a".repeat(40), t).0;
        assert_eq!(at(Verdict::Failed, Verdict::Passed), Outcome::Caught);
        assert_eq!(at(Verdict::Passed, Verdict::Passed), Outcome::DoesNotCatch);
        assert_eq!(at(Verdict::DidNotBuild, Verdict::Passed), Outcome::DoesNotBuildWithoutFix);
        assert_eq!(at(Verdict::Failed, Verdict::Failed), Outcome::FailsWithFix);
        assert_eq!(at(Verdict::Failed, Verdict::DidNotBuild), Outcome::FailsWithFix);
        assert_eq!(at(Verdict::TimedOut, Verdict::Passed), Outcome::Timeout);
        assert_eq!(at(Verdict::Failed, Verdict::TimedOut), Outcome::Timeout);
        assert_eq!(at(Verdict::RanNoTest, Verdict::Passed), Outcome::NotRunnable);
        assert_eq!(at(Verdict::Failed, Verdict::RanNoTest), Outcome::NotRunnable);
    }
}
