//! incident-guard: every incident leaves a regression test behind, and the pipeline
//! keeps it there.
//!
//! The pipeline flows one way: config → postmortems → sources → model → checks →
//! findings → report → renderers. `main.rs` only parses arguments and prints.

pub mod authoring;
pub mod baseline;
pub mod checks;
pub mod cli;
pub mod config;
pub mod date;
pub mod finding;
pub mod git;
pub mod history;
pub mod incident_code;
pub mod model;
pub mod paths;
pub mod postmortem;
pub mod proof;
pub mod reach;
pub mod render;
pub mod report;
pub mod results;
pub mod rules;
pub mod scan;
pub mod stats;
pub mod suggest;
pub mod terminal;
pub mod toml_doc;
pub mod verify;
pub mod walk;

use anyhow::{Context as _, Result, bail};
use config::Config;
use model::Model;
use report::Report;
use std::path::{Path, PathBuf};

/// Exit statuses, as documented in the README.
pub mod exit {
    /// No finding at error level.
    pub const OK: u8 = 0;
    /// At least one finding at error level.
    pub const FINDINGS: u8 = 1;
    /// The tool could not run: bad arguments, unreadable config, missing directory.
    pub const ERROR: u8 = 2;
}

/// What a run needs to know beyond the config file.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Where to start looking for the repository root.
    pub path: PathBuf,
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// `--today`: the date "overdue" is measured against; the system clock otherwise.
    pub today: Option<date::Date>,
    /// `--no-git`, `--base` and the GitHub event payload.
    pub git: git::GitOptions,
    /// `--test-results`: paths or globs of result files, relative to the current
    /// directory (the config's `test_results` are relative to the root).
    pub test_results: Vec<String>,
    /// `--no-test-results`: read none, not even the config's.
    pub no_test_results: bool,
    /// Analyse the base revision too, to tell new findings from those already there
    /// (`check`; `list` and the others need no base findings).
    pub compare_base: bool,
    /// `--fail-on`: which errors fail the run, overriding the config's `fail_on`.
    pub fail_on: Option<config::FailOn>,
}

/// A loaded repository: its config and model, ready to be checked or listed.
pub struct Analysis {
    pub config: Config,
    pub model: Model,
    /// The base revision's findings, when `compare_base` asked for them.
    pub base: baseline::BaseFindings,
    /// Which errors fail the run: `--fail-on`, else the config's (bound by the base's).
    pub fail_on: config::FailOn,
}

/// The repository root for `path`: the nearest directory (up to the git root) holding
/// `incident-guard.toml`, else the git root, else `path` itself.
pub fn find_root(path: &Path) -> Result<PathBuf> {
    let start = path.canonicalize().with_context(|| format!("cannot open {}", path.display()))?;
    if !start.is_dir() {
        bail!("{} is not a directory", path.display());
    }
    let mut git_root = None;
    for dir in start.ancestors() {
        if dir.join(config::FILE_NAME).is_file() {
            return Ok(dir.to_path_buf());
        }
        if dir.join(".git").exists() {
            git_root = Some(dir.to_path_buf());
            break;
        }
    }
    Ok(git_root.unwrap_or(start))
}

/// The config for `root`: `--config FILE`, else `incident-guard.toml` at the root, else
/// the defaults.
pub fn load_config(root: &Path, explicit: &Option<PathBuf>) -> Result<Config> {
    Ok(match explicit {
        Some(file) => Config::load(file, &file.display().to_string())?,
        None => {
            let file = root.join(config::FILE_NAME);
            if file.is_file() { Config::load(&file, config::FILE_NAME)? } else { Config::default() }
        }
    })
}

/// Reads the config, the postmortems and the sources.
pub fn analyze(opts: &Options) -> Result<Analysis> {
    let root = find_root(&opts.path)?;
    let mut config = load_config(&root, &opts.config)?;
    let open = git::open(&root, &opts.git, &config);
    // The base's config binds this run too: a change cannot weaken the guard by
    // editing the config it is checked with (see `Config::base`).
    let mut base_problem = None;
    if let git::Open::Repo(opened) = &open
        && let Some((base, problem)) = opened.base_config(&root, config.file.as_deref())
    {
        config.base = Some(Box::new(base));
        base_problem = problem;
    }
    // Tracked files are read whatever the ignore files say; without git, the walk alone.
    let tracked = if opts.git.disabled { walk::Tracked::default() } else { walk::Tracked::read(&root) };
    let loaded = postmortem::load_dir(&root, &config.postmortems, config.id_pattern.as_ref(), &tracked)?;
    let words = scan::markers::MarkerWords::new(&config.marker_words())
        .with_rust_test_attributes(config.rust_test_attributes())
        .with_known_ids(loaded.postmortems.iter().map(|p| p.id.as_str()));
    // The work tree and git history are read side by side: on two cores that halves a
    // check of a large repository.
    // Which files cargo, pytest and go build is worked out beside the history too.
    let walks_history = matches!(open, git::Open::Repo(_));
    let (scanned, git) = std::thread::scope(|s| {
        let sources = s.spawn(|| {
            if walks_history {
                yield_to_history();
            }
            let mut sources = scan::scan_tree(&root, &config, &words, &tracked);
            let verdicts = reach::judge(&root, &mut sources, words.words());
            let (not_run, source_skips) = reach::apply(&mut sources, verdicts);
            (sources, not_run, source_skips)
        });
        let git = git::gather(open, &config, &words, &loaded.postmortems);
        (sources.join(), git)
    });
    let (sources, not_run, source_skips) = scanned.map_err(|_| anyhow::anyhow!("scanning the work tree panicked"))?;
    // Files git does not track are new at HEAD: changed since any base. The git side
    // compared tracked files only; the walk is what saw the others.
    let mut git = git;
    if let git::Git::Repo(history) = &mut git
        && let git::BaseState::Found { changed, base_files, .. } = &mut history.base
    {
        changed.extend(sources.untracked.iter().cloned());
        // The base's macro calls, resolved with the work tree's macros.
        reach::rust::complete(&root, base_files);
    }
    let result_files = results::expand(&result_patterns(opts, &root, &config)?)?;
    let runs = if result_files.is_empty() {
        None
    } else {
        Some(results::gather(&root, &sources, &result_files, config.conflict())?)
    };
    let today = opts.today.unwrap_or_else(date::Date::today_utc);
    let (mut rescans, rescan_texts) = rescan_changed(&root, &config, &git, &sources);
    reach::rust::complete(&root, &mut rescans);
    let given_up = given_up(&root, &config, &tracked, &words);
    let lock = format!("{}/{}", config.postmortems.trim_end_matches('/'), proof::FILE_NAME);
    let proofs = proof::Lock::read(&root.join(&lock), &lock)?;
    let mut model = Model::new(root, loaded, sources, today, git, rescans, not_run);
    model.texts.extend(rescan_texts);
    model.given_up = given_up;
    model.runs = runs;
    model.proofs = proofs;
    model.source_skips = source_skips;
    (model.removed_mods, model.changed_manifests) = build_changes(&model);
    let head_files = head_files(&model, &tracked);
    model.code =
        incident_code::IncidentCode::build(&model.postmortems, model.history(), &head_files, &config.postmortems);
    let base = if opts.compare_base {
        baseline::analyze(&model.root.clone(), &config, base_problem.as_deref(), &mut model)
    } else {
        baseline::BaseFindings::NoBase
    };
    let fail_on = opts.fail_on.unwrap_or_else(|| config.fail_on());
    Ok(Analysis { config, model, base, fail_on })
}

/// What the change did to how cargo builds the tests, when a linked Rust test stopped
/// compiling (else nothing is read): the `mod NAME;` declarations it removed from the
/// Rust files it changed, and the `Cargo.toml` files it edited with their first changed
/// line. Base texts from git's objects, HEAD texts from the work tree.
type BuildChanges = (Vec<reach::rust::RemovedMod>, Vec<(String, usize)>);
fn build_changes(model: &Model) -> BuildChanges {
    let Some(git::BaseState::Found { info, changed, .. }) = model.history().map(|h| &h.base) else {
        return Default::default();
    };
    let Some(commit) = &info.commit else { return Default::default() };
    let stopped =
        model.not_run.iter().any(|v| v.test.contains(".rs::") && matches!(v.verdict, reach::Verdict::NotRun { .. }));
    if !stopped {
        return Default::default();
    }
    let is_manifest = |p: &str| p == "Cargo.toml" || p.ends_with("/Cargo.toml");
    let read: Vec<&str> = changed.iter().map(String::as_str).filter(|p| p.ends_with(".rs") || is_manifest(p)).collect();
    let boundary = paths::boundary(&model.root);
    let (mut mods, mut manifests) = (Vec::new(), Vec::new());
    for (path, base) in git::base_texts(&model.root, commit, &read) {
        let head = paths::read_inside(&boundary, &model.root.join(&path)).and_then(|b| String::from_utf8(b).ok());
        if is_manifest(&path) {
            if let Some(line) = head.as_deref().and_then(|h| reach::rust::first_changed_line(&base, h)) {
                manifests.push((path, line));
            }
        } else {
            mods.extend(reach::rust::removed_mods(&path, &base, head.as_deref()));
        }
    }
    (mods, manifests)
}

/// Lowers the scheduling priority of the calling thread, and so of the threads it starts
/// (the work-tree scan's), by 10 nice levels. The history walk and the fix commits' diffs
/// after it are one chain of work on one thread, the longest of a check on a long history;
/// the scan is many short pieces that can wait. On two cores, sharing them equally with the
/// scan's threads held the walk back: the monorepo benchmark's cold check took 6 % longer.
/// Nothing runs any less, and a scan with no walk beside it keeps its priority. Linux only.
fn yield_to_history() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on this thread's own ID; a failure leaves the priority as it was.
    unsafe {
        let me = libc::gettid() as libc::id_t;
        let now = libc::getpriority(libc::PRIO_PROCESS, me);
        let _ = libc::setpriority(libc::PRIO_PROCESS, me, (now + 10).min(19));
    }
}

/// The files at HEAD, for expanding the postmortems' `paths`: git's index, or without git
/// every file of the tree (what the work-tree walk reads is only source files). Nothing
/// when no postmortem has `paths`.
fn head_files(model: &Model, tracked: &walk::Tracked) -> Vec<String> {
    if model.postmortems.iter().all(|p| p.paths.is_empty()) {
        return Vec::new();
    }
    let files: Vec<String> = tracked.files().collect();
    if !files.is_empty() {
        return files;
    }
    let filter =
        walk::Filter { enter: |name| name != ".git" && name != "target", wanted: &|_| true, report_dir: &|_| false };
    walk::walk(&model.root, &model.root, tracked, &filter).files.into_iter().map(|f| f.rel).collect()
}

/// The result-file patterns of this run: `--test-results` (relative to the current
/// directory) and the config's `test_results` (relative to the root), unless
/// `--no-test-results`.
fn result_patterns(opts: &Options, root: &Path, config: &Config) -> Result<Vec<results::files::Pattern>> {
    if opts.no_test_results {
        return Ok(Vec::new());
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let file = config.file.as_deref().map_or_else(|| config::FILE_NAME.to_owned(), |f| paths::relative(root, f));
    let cli = opts.test_results.iter().map(|p| results::files::Pattern {
        text: p.clone(),
        base: cwd.clone(),
        given_in: "--test-results".to_owned(),
    });
    let configured = config.test_results.iter().map(|p| results::files::Pattern {
        text: p.clone(),
        base: root.to_path_buf(),
        given_in: format!("`test_results` in {file}:"),
    });
    Ok(cli.chain(configured).collect())
}

/// When a change accepts a weaker guard (`guard_change_reason`), its own settings apply,
/// so the files it stops scanning are not scanned: these are the tracked ones among them
/// that hold linked tests, so that the accepted weakening is still listed.
fn given_up(root: &Path, config: &Config, tracked: &walk::Tracked, words: &scan::markers::MarkerWords) -> Vec<String> {
    let Some(base) = config.base.as_deref().filter(|_| config.accepts_weakening()) else { return Vec::new() };
    let boundary = paths::boundary(root);
    tracked
        .files()
        .filter(|rel| {
            scan::language_for(rel).is_some_and(|l| base.own_wants(rel, l.name()) && !config.own_wants(rel, l.name()))
        })
        .filter(|rel| {
            let Some(bytes) = paths::read_inside(&boundary, &root.join(rel)) else { return false };
            scan::scan_bytes(rel, &bytes, words).is_some_and(|(s, _)| s.tests.iter().any(|t| !t.links.is_empty()))
        })
        .collect()
}

/// HEAD scans of the files that had linked tests at base but hold no marker now: the
/// byte search skipped them, and only parsing tells a removed marker from a removed test.
/// With their texts, for the findings that point where a removed test was.
type Rescans = (Vec<scan::FileScan>, Vec<(String, String)>);
fn rescan_changed(root: &Path, config: &Config, git: &git::Git, sources: &scan::Scanned) -> Rescans {
    let git::Git::Repo(history) = git else {
        return Default::default();
    };
    let git::BaseState::Found { base_files, .. } = &history.base else {
        return Default::default();
    };
    let words = scan::markers::MarkerWords::new(&config.marker_words())
        .with_rust_test_attributes(config.rust_test_attributes());
    let boundary = paths::boundary(root);
    base_files
        .iter()
        .filter(|f| f.tests.iter().any(|t| !t.links.is_empty()))
        .filter(|f| !sources.files.iter().any(|s| s.path == f.path))
        .filter_map(|f| {
            let bytes = paths::read_inside(&boundary, &root.join(&f.path))?;
            let lang = scan::language_for(&f.path)?;
            let text = lang.decode(&bytes).text;
            let scan = lang.scan(&f.path, &text, &words);
            Some((scan, (f.path.clone(), text)))
        })
        .unzip()
}

/// Runs every check and builds the report.
pub fn check(analysis: &Analysis) -> Report {
    let cx = checks::Context { model: &analysis.model, config: &analysis.config };
    let mut findings = checks::run_all(&cx);
    // A finding about an incident that points elsewhere (a test, a config line) names
    // the postmortem too: where a reader learns what the test guards.
    for f in &mut findings {
        if let Some(pm) = f.incident.as_deref().and_then(|id| analysis.model.incident(id))
            && f.path.as_deref() != Some(pm.loc.path.as_str())
        {
            f.related = Some(pm.loc.clone());
        }
    }
    let (fixed, base_note) = baseline::classify(&mut findings, &analysis.base);
    if let Some(why) = base_note {
        let mut note = finding::Finding::new(
            rules::Rule::HistorySkipped,
            format!("the base revision's findings could not be worked out: {why}; every finding counts as new"),
        )
        .help("fix the base's config or postmortem, or compare with another base (`--base REV`)");
        note.fingerprint = note.fingerprint();
        note.baseline = Some(finding::Baseline::New);
        findings.push(note);
    }
    // Line starts per file, found once: many findings may point into one large file; and
    // for a long line that is not ASCII, where each character starts, found once too.
    let mut line_starts: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
    let mut char_starts: std::collections::HashMap<(String, usize), Option<Vec<usize>>> =
        std::collections::HashMap::new();
    for f in &mut findings {
        let (Some(path), Some(line)) = (&f.path, f.line) else { continue };
        let Some(text) = analysis.model.texts.get(path) else { continue };
        let at_base = f.line_at_base;
        let starts = line_starts
            .entry(path.clone())
            .or_insert_with(|| std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect());
        // A line past the end (where a removed test was, in a file that is shorter now):
        // the file's last line, so that an annotation still lands in the file.
        let last = starts.iter().rposition(|&s| s < text.len()).map_or(1, |i| i + 1);
        let line = if line > last {
            f.line = Some(last);
            f.column = Some(1);
            f.len = 1;
            last
        } else {
            line
        };
        if at_base {
            continue; // no snippet: the line at HEAD holds other text
        }
        let Some(&start) = starts.get(line.wrapping_sub(1)).filter(|&&s| s < text.len()) else { continue };
        let end = starts.get(line).map_or(text.len(), |&next| next - 1);
        let src = text[start..end].strip_suffix('\r').unwrap_or(&text[start..end]);
        let (excerpt, shift) = if src.len() <= finding::MAX_SOURCE_CHARS {
            (src.to_owned(), 0)
        } else {
            let starts = char_starts
                .entry((path.clone(), line))
                .or_insert_with(|| (!src.is_ascii()).then(|| src.char_indices().map(|(i, _)| i).collect()));
            let starts: &Option<Vec<usize>> = starts;
            let byte_of = |n: usize| match starts {
                Some(s) => s.get(n).copied().unwrap_or(src.len()),
                None => n.min(src.len()),
            };
            finding::excerpt_with(src, f.column.unwrap_or(1), &byte_of)
        };
        f.source_line = Some(excerpt);
        f.source_shift = shift;
    }
    let model = &analysis.model;
    let incidents = report::incidents(model, &|incident, item| model.evidence(incident, item));
    let mut summary = report::summarize(model, &findings);
    summary.fixed = fixed.len();
    let base = model.history().and_then(|h| match &h.base {
        git::BaseState::Found { info, .. } => Some(info.clone()),
        _ => None,
    });
    let fallback_path = fallback_path(&model.root, &analysis.config);
    let repo_root = paths::boundary(&model.root);
    let no_base = model.history().and_then(|h| match &h.base {
        git::BaseState::Found { .. } => None,
        git::BaseState::NotFound(why) => Some(why.clone()),
        git::BaseState::NoCommits => Some("the repository has no commit yet".to_owned()),
        git::BaseState::Unavailable { message, .. } => Some(message.clone()),
    });
    let touched = report::touched(model, &findings);
    let test_results = report::test_results(model);
    let proofs = report::proofs(model);
    let mut report = Report {
        version: report::JSON_VERSION,
        base,
        findings,
        incidents,
        summary,
        fallback_path,
        repo_root,
        no_base,
        touched,
        test_results,
        proofs,
        fixed,
        fail_on: analysis.fail_on,
    };
    report.rebase_paths(&paths::relative(&report.repo_root, &model.root));
    report
}

/// `Report::fallback_path`: the config file when it lies inside the repository, else the
/// postmortems directory's README when there is one, else the root itself.
fn fallback_path(root: &Path, config: &Config) -> String {
    let inside = |p: &Path| p.canonicalize().ok().filter(|p| p.starts_with(root) && p.is_file());
    if let Some(file) = config.file.as_deref().and_then(inside) {
        return paths::relative(root, &file);
    }
    let readme = root.join(&config.postmortems).join("README.md");
    match inside(&readme) {
        Some(readme) => paths::relative(root, &readme),
        None => ".".to_owned(),
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn the_scan_thread_and_those_it_starts_yield_to_the_history_walk() {
        let nice = || {
            // SAFETY: getpriority on this thread's own ID.
            unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
        };
        let (before, after, child) = std::thread::spawn(move || {
            let before = nice();
            super::yield_to_history();
            (before, nice(), std::thread::spawn(nice).join().unwrap())
        })
        .join()
        .unwrap();
        assert_eq!((after, child), ((before + 10).min(19), (before + 10).min(19)));
        assert_ne!(nice(), after, "only the scan's threads yield, not the one that started them");
    }
}
