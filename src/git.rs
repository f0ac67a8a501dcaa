//! Everything the checks need from git, gathered once and handed to the model: which
//! base revision to compare with and why, the linked tests at that base (read from the
//! object database, never checked out), the commits that mention action items (one
//! walk of the history for all of them), and the files each fix commit changed, followed
//! to HEAD (one diff per commit, no walk). Missing history is recorded as such, never
//! mistaken for "nothing found".

use crate::config::Config;
use crate::finding::Location;
use crate::postmortem::Postmortem;
use crate::scan::{self, FileScan, markers::MarkerWords};
use git2::{ErrorCode, Oid, Repository};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

mod cache_file;
mod fixes;
mod index_tree;
pub mod log;
mod worktree;
pub use fixes::{FixFiles, FixedFile};

/// The fix for a clone with too little history, in the words of each place it happens.
pub const UNSHALLOW_FIX: &str =
    "fetch the full history: `fetch-depth: 0` in actions/checkout, or `git fetch --unshallow` locally";

/// Which base revision the history checks compared against, and why that one. Owned
/// here, where it is found; the report carries it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BaseInfo {
    pub rev: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// One line for people: which commit, found how ("0a1b2c3d4e5f, the merge base of
    /// HEAD and origin/main").
    pub reason: String,
    /// The base is HEAD itself: only uncommitted changes can have removed a link.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_head: bool,
}

/// What the command line says about git.
#[derive(Clone, Debug, Default)]
pub struct GitOptions {
    /// `--no-git`: skip the git checks, silently.
    pub disabled: bool,
    /// `--base REV`.
    pub base: Option<String>,
    /// The GitHub Actions event payload (`GITHUB_EVENT_PATH`), if any.
    pub event_path: Option<PathBuf>,
    /// `--cache DIR`: where the history walk remembers what it read (see `log`).
    pub cache: Option<PathBuf>,
}

#[derive(Debug)]
pub enum Git {
    /// `--no-git`.
    Disabled,
    /// Not inside a git repository, or a bare one: the reason.
    NotARepo(String),
    /// There is a repository, but it cannot be read: the reason. Never a pass.
    Unreadable(String),
    Repo(Box<History>),
}

#[derive(Debug)]
pub struct History {
    pub shallow: bool,
    pub base: BaseState,
    /// Whether the history walk for action-item evidence saw everything.
    pub log: LogState,
    /// `INCIDENT#ITEM` → commits whose message mentions it, newest first.
    pub evidence: HashMap<String, Vec<Evidence>>,
    /// Every `commits = [...]` entry of every action item, resolved or not.
    pub commit_entries: Vec<CommitEntry>,
    /// Every `fix_commits = [...]` entry of every postmortem, resolved or not.
    pub fix_entries: Vec<FixEntry>,
    /// What each commit that may be a fix changed (full SHA → files): every resolved
    /// `fix_commits` entry, and every evidence commit of a closed action item.
    pub fixes: HashMap<String, FixFiles>,
    /// `commit_entries` by `INCIDENT#ITEM`, and `fix_entries` by incident (indices): found
    /// once, rather than by a search of every entry for each item, which took time
    /// quadratic in a history of 20,000 closed items.
    entries_by_item: HashMap<String, Vec<usize>>,
    fixes_by_incident: HashMap<String, Vec<usize>>,
}

impl History {
    pub fn new(
        shallow: bool,
        base: BaseState,
        log: LogState,
        evidence: HashMap<String, Vec<Evidence>>,
        commit_entries: Vec<CommitEntry>,
        fix_entries: Vec<FixEntry>,
        fixes: HashMap<String, FixFiles>,
    ) -> History {
        let mut entries_by_item: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in commit_entries.iter().enumerate() {
            entries_by_item.entry(item_ref(&e.incident, &e.item)).or_default().push(i);
        }
        let mut fixes_by_incident: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in fix_entries.iter().enumerate() {
            fixes_by_incident.entry(e.incident.clone()).or_default().push(i);
        }
        History { shallow, base, log, evidence, commit_entries, fix_entries, fixes, entries_by_item, fixes_by_incident }
    }

    /// The `commits` entries of one action item.
    pub fn entries_of(&self, incident: &str, item: &str) -> impl Iterator<Item = &CommitEntry> {
        let found = self.entries_by_item.get(&item_ref(incident, item));
        found.into_iter().flatten().map(|&i| &self.commit_entries[i])
    }

    /// The `fix_commits` entries of one incident.
    pub fn fix_entries_of(&self, incident: &str) -> impl Iterator<Item = &FixEntry> {
        self.fixes_by_incident.get(incident).into_iter().flatten().map(|&i| &self.fix_entries[i])
    }
}

#[derive(Debug)]
pub enum BaseState {
    Found {
        info: BaseInfo,
        /// Scans, at the base, of the files that differ between base and the work tree.
        base_files: Vec<FileScan>,
        /// Project-relative paths that differ between base and the work tree.
        changed: BTreeSet<String>,
    },
    /// No base could be determined: why.
    NotFound(String),
    /// The repository has no commit yet: there is nothing a link could have been removed from.
    NoCommits,
    /// A base was named or found, but its history is not here: what and how to fix it.
    Unavailable { message: String, fix: String },
}

#[derive(Debug, PartialEq, Eq)]
pub enum LogState {
    Complete,
    /// The clone is shallow: commits beyond its boundary were not seen.
    Shallow,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub sha: String,
    /// Commit time, seconds since the epoch.
    pub time: i64,
}

#[derive(Clone, Debug)]
pub struct CommitEntry {
    pub incident: String,
    pub item: String,
    pub entry: String,
    pub loc: Location,
    /// The full SHA, or why the entry does not resolve.
    pub resolved: Result<String, EntryError>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryError {
    NotFound,
    Ambiguous,
    NotACommit,
}

/// The canonical reference to an action item.
pub fn item_ref(incident: &str, item: &str) -> String {
    format!("{incident}#{item}")
}

#[derive(Clone, Debug)]
pub struct FixEntry {
    pub incident: String,
    pub entry: String,
    pub loc: Location,
    /// The full SHA, or why the entry does not resolve.
    pub resolved: Result<String, EntryError>,
}

/// A repository opened and its base revision found, before anything is scanned: the
/// base's config must be known first, since it decides what is scanned on both sides.
pub struct Opened {
    repo: Repository,
    prefix: String,
    workdir: PathBuf,
    shallow: bool,
    base: Result<(BaseInfo, Oid), BaseError>,
    cache: Option<PathBuf>,
}

/// Git as far as it can be opened.
pub enum Open {
    Disabled,
    NotARepo(String),
    Unreadable(String),
    Repo(Box<Opened>),
}

/// Opens the repository around `root` and finds the base revision.
pub fn open(root: &Path, opts: &GitOptions, config: &Config) -> Open {
    if opts.disabled {
        return Open::Disabled;
    }
    // Every object comes from the local repository, which git wrote and verified; hashing
    // each one again on read costs a tenth of a check on a large history.
    git2::opts::strict_hash_verification(false);
    // Each object is read about once (every commit down to the cutoff, each fix commit's
    // trees): libgit2's object cache only grew, to 250 MB on a history of a million
    // commits, and made the run slower.
    git2::opts::enable_caching(false);
    // libgit2 maps pack files in windows of up to 1 GiB, 8 GiB in all: on a large history
    // each mapped page counts in the run's memory. Windows of 16 MiB, 64 MiB in all, keep
    // a check of deno's history under 64 MB; smaller ones (4 and 16 MiB) were remapped so
    // often on a million-commit history that it took 15 % longer.
    // SAFETY: set before any repository is opened, as libgit2 asks of global options.
    unsafe {
        let _ = git2::opts::set_mwindow_size(16 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(64 << 20);
    }
    let repo = match Repository::discover(root) {
        Ok(r) => r,
        Err(e) if e.code() == ErrorCode::NotFound => return Open::NotARepo("not a git repository".into()),
        Err(e) => return Open::Unreadable(format!("cannot open the git repository: {}", e.message())),
    };
    // The work tree is the directory whose `.git` entry led to the repository. libgit2
    // guesses it from the git directory when `.git` is a file (`git init
    // --separate-git-dir`, submodules): for `/x/repo.git` it says `/x`, and every path
    // would then be compared under the wrong prefix, finding nothing.
    if let Some(dir) = root.ancestors().find(|d| d.join(".git").exists())
        && repo.workdir().and_then(|w| w.canonicalize().ok()).as_deref() != Some(dir)
        && let Err(e) = repo.set_workdir(dir, false)
    {
        return Open::Unreadable(format!("cannot use {} as the work tree: {}", dir.display(), e.message()));
    }
    let Some(workdir) = repo.workdir().and_then(|w| w.canonicalize().ok()) else {
        return Open::NotARepo("the git repository is bare (no work tree)".into());
    };
    let Ok(prefix) = root.strip_prefix(&workdir).map(|p| crate::paths::relative(Path::new(""), p)) else {
        return Open::Unreadable(format!(
            "the checked directory {} is outside the repository's work tree {}",
            root.display(),
            workdir.display()
        ));
    };
    let prefix = if prefix == "." { String::new() } else { prefix };
    let shallow = repo.is_shallow();
    let base = find_base(&repo, opts, config, shallow);
    Open::Repo(Box::new(Opened { repo, prefix, workdir, shallow, base, cache: opts.cache.clone() }))
}

impl Opened {
    /// The config at the base revision, when one was found: the file at the same path as
    /// `config_file` (or `incident-guard.toml` in the checked directory) in the base's
    /// tree, else the defaults the base ran with. A base config that does not parse
    /// counts as the defaults, the strictest reading; the second value then says why it
    /// could not be read, for the base analysis (see `baseline`), which cannot trust it.
    pub fn base_config(&self, root: &Path, config_file: Option<&Path>) -> Option<(Config, Option<String>)> {
        let (_, oid) = self.base.as_ref().ok()?;
        let file = config_file.map_or_else(|| root.join(crate::config::FILE_NAME), Path::to_path_buf);
        let file = file.canonicalize().unwrap_or(file);
        let rel = file.strip_prefix(&self.workdir).ok();
        let text = rel.and_then(|rel| {
            let tree = self.repo.find_commit(*oid).ok()?.tree().ok()?;
            let entry = tree.get_path(rel).ok()?;
            let blob = self.repo.find_blob(entry.id()).ok()?;
            Some(String::from_utf8_lossy(blob.content()).into_owned())
        });
        let Some(text) = text else { return Some((Config::default(), None)) };
        Some(match Config::parse(&text) {
            Ok(config) => (config, None),
            Err(problems) => {
                let name = rel.map_or_else(|| crate::config::FILE_NAME.to_owned(), |r| r.display().to_string());
                let first = problems.first().map_or_else(String::new, |p| format!(": {}", p.message));
                (Config::default(), Some(format!("the base's {} does not parse{first}", crate::finding::code(&name))))
            }
        })
    }
}

/// Gathers everything the history checks need from an opened repository.
pub fn gather(open: Open, config: &Config, words: &MarkerWords, postmortems: &[Postmortem]) -> Git {
    let opened = match open {
        Open::Disabled => return Git::Disabled,
        Open::NotARepo(why) => return Git::NotARepo(why),
        Open::Unreadable(why) => return Git::Unreadable(why),
        Open::Repo(opened) => *opened,
    };
    let Opened { repo, prefix, shallow, base, cache, .. } = opened;
    let git_dir = repo.path().to_path_buf();
    // The history walk and the base scan are independent: run them side by side, each
    // with its own repository handle (a handle is not shareable across threads). The fix
    // commits' diffs need the walk's evidence, so they follow it on its thread.
    let commit_entries = resolve_entries(&repo, postmortems);
    let fix_entries = resolve_fix_entries(&repo, postmortems);
    let failed = |why: String| (HashMap::new(), LogState::Failed(why), HashMap::new());
    let (base, (evidence, log, fixes)) = std::thread::scope(|s| {
        let walk = s.spawn(|| match Repository::open(&git_dir) {
            Ok(repo) => {
                let (evidence, log, trees) = log::walk(&repo, postmortems, shallow, cache.as_deref());
                let candidates = fix_candidates(postmortems, &evidence, &commit_entries, &fix_entries);
                let times: HashMap<&str, i64> = evidence.values().flatten().map(|e| (e.sha.as_str(), e.time)).collect();
                let fixes =
                    fixes::read(&git_dir, &prefix, &candidates, &times, &trees, cache.as_deref().filter(|_| !shallow));
                (evidence, log, fixes)
            }
            Err(e) => failed(e.message().to_owned()),
        });
        let base = base.and_then(|(info, oid)| {
            scan_base(&repo, &prefix, oid, config, words).map(|(base_files, changed)| (info, base_files, changed))
        });
        let walked = walk.join().unwrap_or_else(|_| failed("the history walk panicked".into()));
        (base, walked)
    });
    let base = match base {
        Ok((info, base_files, changed)) => BaseState::Found { info, base_files, changed },
        Err(BaseError::NotFound(why)) => BaseState::NotFound(why),
        Err(BaseError::NoCommits) => BaseState::NoCommits,
        Err(BaseError::Unavailable { message, fix }) => BaseState::Unavailable { message, fix },
    };
    Git::Repo(Box::new(History::new(shallow, base, log, evidence, commit_entries, fix_entries, fixes)))
}

/// Why no base scan could be made (kept small; `BaseState` carries the scans).
enum BaseError {
    NotFound(String),
    NoCommits,
    Unavailable { message: String, fix: String },
}

fn unavailable(message: String, fix: impl Into<String>) -> BaseError {
    BaseError::Unavailable { message, fix: fix.into() }
}

fn short(oid: Oid) -> String {
    short_sha(&oid.to_string()).to_owned()
}

/// A base commit's files as the checked directory sees them, read from git's objects,
/// never checked out: for the base analysis (`baseline`) and for what a change did to how
/// cargo builds (`lib::build_changes`).
pub struct BaseTree {
    repo: Repository,
    /// The checked directory's path inside the repository (`""` at its root).
    prefix: PathBuf,
    tree: Oid,
}

impl BaseTree {
    /// The tree of `commit` in the repository around `root`, or why it cannot be read.
    pub fn open(root: &Path, commit: &str) -> Result<BaseTree, String> {
        let repo = Repository::discover(root).map_err(|e| format!("cannot open the repository: {}", e.message()))?;
        let workdir = repo.workdir().and_then(|w| w.canonicalize().ok()).ok_or("the repository has no work tree")?;
        let root = root.canonicalize().map_err(|e| format!("cannot open {}: {e}", root.display()))?;
        let prefix = root.strip_prefix(&workdir).map_err(|_| "the checked directory is outside the work tree")?;
        let prefix = prefix.to_path_buf();
        let oid = Oid::from_str(commit).map_err(|e| e.message().to_owned())?;
        let tree = repo
            .find_commit(oid)
            .and_then(|c| c.tree())
            .map_err(|_| format!("the tree of base commit {} is missing", short_sha(commit)))?
            .id();
        Ok(BaseTree { repo, prefix, tree })
    }

    /// The bytes of the file at `rel` (relative to the checked directory): `Ok(None)` when
    /// the base has no such file, an error when its object is missing (a partial clone).
    pub fn read(&self, rel: &str) -> Result<Option<Vec<u8>>, String> {
        let missing = || format!("{} is missing at the base", crate::finding::code(rel));
        let tree = self.repo.find_tree(self.tree).map_err(|_| missing())?;
        let Ok(entry) = tree.get_path(&self.prefix.join(rel)) else { return Ok(None) };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self.repo.find_blob(entry.id()).map_err(|_| missing())?;
        Ok(Some(blob.content().to_vec()))
    }

    /// The files under the directory `rel_dir` whose names `wanted` accepts, as paths
    /// relative to the checked directory, skipping directories and files whose names start
    /// with `.`; none when the base has no such directory.
    pub fn files_under(&self, rel_dir: &str, wanted: &dyn Fn(&str) -> bool) -> Result<Vec<String>, String> {
        let cannot = |e: git2::Error| format!("cannot read the base's {rel_dir}/: {}", e.message());
        let tree = self.repo.find_tree(self.tree).map_err(cannot)?;
        let sub = match tree.get_path(&self.prefix.join(rel_dir)) {
            Ok(entry) if entry.kind() == Some(git2::ObjectType::Tree) => {
                self.repo.find_tree(entry.id()).map_err(cannot)?
            }
            _ => return Ok(Vec::new()),
        };
        let mut files = Vec::new();
        sub.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
            let name = entry.name().unwrap_or("");
            if name.starts_with('.') {
                return git2::TreeWalkResult::Skip;
            }
            if entry.kind() == Some(git2::ObjectType::Blob) && wanted(name) {
                files.push(format!("{rel_dir}/{parent}{name}"));
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(cannot)?;
        Ok(files)
    }
}

/// The texts at base commit `commit` of the files `paths` (relative to the checked
/// directory `root`) that exist there and are UTF-8; nothing for the others, or when the
/// repository or commit cannot be read.
pub fn base_texts(root: &Path, commit: &str, paths: &[&str]) -> Vec<(String, String)> {
    let Ok(base) = BaseTree::open(root, commit) else { return Vec::new() };
    paths.iter().filter_map(|p| Some(((*p).to_owned(), String::from_utf8(base.read(p).ok()??).ok()?))).collect()
}

/// The first 12 characters of a commit's SHA, as findings and messages show it.
pub fn short_sha(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// The order docs/history.md documents: `--base`, the pull request's base from the event
/// payload, the merge base with the default branch.
fn find_base(
    repo: &Repository,
    opts: &GitOptions,
    config: &Config,
    shallow: bool,
) -> Result<(BaseInfo, Oid), BaseError> {
    let head = match repo.head().and_then(|h| h.peel_to_commit()) {
        Ok(c) => Some(c.id()),
        Err(_) => None,
    };
    if let Some(rev) = &opts.base {
        return match repo.revparse_single(rev).and_then(|o| o.peel_to_commit()) {
            Ok(c) => Ok((
                BaseInfo {
                    rev: rev.clone(),
                    source: "flag".into(),
                    commit: Some(c.id().to_string()),
                    reason: format!("{}, given by --base {rev}", short(c.id())),
                    is_head: head == Some(c.id()),
                },
                c.id(),
            )),
            Err(e) => Err(unavailable(
                format!("the base revision `{rev}` given by --base does not resolve to a commit: {}", e.message()),
                if shallow {
                    format!("{UNSHALLOW_FIX}; or fetch it: `git fetch --no-tags --depth=1 origin {rev}`")
                } else {
                    format!("check the revision, or fetch it: `git fetch --no-tags --depth=1 origin {rev}`")
                },
            )),
        };
    }
    if let Some(event) = &opts.event_path {
        match event_base(event)? {
            None | Some(EventBase::NewBranch) => {} // the default branch decides, below
            Some(EventBase::PullRequest(sha)) => {
                let (info, oid) = event_commit(repo, &sha, "the pull request's base commit", "pull_request.base.sha")?;
                return Ok((BaseInfo { is_head: head == Some(oid), ..info }, oid));
            }
            Some(EventBase::MergeGroup(sha)) => {
                let (info, oid) = event_commit(repo, &sha, "the merge queue's base commit", "merge_group.base_sha")?;
                return Ok((BaseInfo { is_head: head == Some(oid), ..info }, oid));
            }
            Some(EventBase::Push(before)) => {
                let (info, before_oid) = event_commit(repo, &before, "the commit before the push", "before")?;
                let Some(head) = head else { return Err(BaseError::NoCommits) };
                // A force-push replaces history: `before` is not an ancestor of HEAD, and
                // what was dropped is compared from where the two histories part.
                if before_oid != head && !repo.graph_descendant_of(head, before_oid).unwrap_or(false) {
                    return match repo.merge_base(head, before_oid) {
                        Ok(mb) => Ok((
                            BaseInfo {
                                reason: format!(
                                    "{}, the merge base of HEAD and {}, the commit before the force-push (`before` in the event payload)",
                                    short(mb),
                                    short(before_oid)
                                ),
                                commit: Some(mb.to_string()),
                                is_head: mb == head,
                                ..info
                            },
                            mb,
                        )),
                        Err(_) => Err(unavailable(
                            format!(
                                "the force-pushed history shares no commit with the commit before the push {}",
                                short(before_oid)
                            ),
                            format!("{UNSHALLOW_FIX}; or pass the base explicitly with --base"),
                        )),
                    };
                }
                return Ok((BaseInfo { is_head: before_oid == head, ..info }, before_oid));
            }
        }
    }
    let Some(head) = head else {
        return Err(BaseError::NoCommits);
    };
    let mut candidates = Vec::new();
    if let Some(b) = &config.base_branch {
        candidates.push(format!("origin/{b}"));
        candidates.push(b.clone());
    }
    candidates.extend(["origin/HEAD", "origin/main", "origin/master", "main", "master"].map(String::from));
    for name in &candidates {
        let Ok(target) = repo.revparse_single(name).and_then(|o| o.peel_to_commit()) else {
            continue;
        };
        return match repo.merge_base(head, target.id()) {
            Ok(mb) => {
                // On the default branch itself the merge base is HEAD: only uncommitted
                // changes can remove a link. Say so rather than look like a full comparison.
                let note = if mb == head { ", which is HEAD itself" } else { "" };
                Ok((
                    BaseInfo {
                        rev: name.clone(),
                        source: "merge-base".into(),
                        commit: Some(mb.to_string()),
                        reason: format!("{}, the merge base of HEAD and {name}{note}", short(mb)),
                        is_head: mb == head,
                    },
                    mb,
                ))
            }
            Err(e) if shallow || e.code() == ErrorCode::NotFound => Err(unavailable(
                format!("HEAD and {name} have no merge base in this clone"),
                if shallow {
                    UNSHALLOW_FIX.to_owned()
                } else {
                    format!("pass the base explicitly with --base (the histories of HEAD and {name} are unrelated)")
                },
            )),
            Err(e) => Err(unavailable(
                format!("cannot compute the merge base of HEAD and {name}: {}", e.message()),
                UNSHALLOW_FIX,
            )),
        };
    }
    Err(BaseError::NotFound(format!(
        "no base revision: not a pull request, no --base, and none of {} exists",
        candidates.join(", ")
    )))
}

/// What the GitHub event payload says to compare with.
enum EventBase {
    /// `pull_request.base.sha`.
    PullRequest(String),
    /// `merge_group.base_sha`.
    MergeGroup(String),
    /// A push's `before`.
    Push(String),
    /// A push that created the branch (`before` is all zeros): nothing was there before.
    NewBranch,
}

/// The commit an event payload names, as a base.
fn event_commit(repo: &Repository, sha: &str, what: &str, field: &str) -> Result<(BaseInfo, Oid), BaseError> {
    match Oid::from_str(sha).ok().and_then(|oid| repo.find_commit(oid).ok()) {
        Some(c) => Ok((
            BaseInfo {
                rev: sha.to_owned(),
                source: "github-event".into(),
                commit: Some(c.id().to_string()),
                reason: format!("{}, {what} (`{field}` in the event payload)", short(c.id())),
                is_head: false,
            },
            c.id(),
        )),
        None => Err(unavailable(
            format!("{what} {sha} (`{field}` in the event payload) is not in this clone"),
            format!("fetch it: `git fetch --no-tags --depth=1 origin {sha}` (or `fetch-depth: 0` in actions/checkout)"),
        )),
    }
}

/// The base an event payload names: a pull request's base, a merge group's base, or a
/// push's `before`. `None` for any other event.
fn event_base(path: &Path) -> Result<Option<EventBase>, BaseError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        unavailable(
            format!("cannot read the GitHub event payload {}: {e}", path.display()),
            "pass the base with --base",
        )
    })?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        unavailable(
            format!("the GitHub event payload {} is not JSON: {e}", path.display()),
            "pass the base with --base",
        )
    })?;
    let field = |pointer: &str, what: &str| -> Result<String, BaseError> {
        match doc.pointer(pointer).and_then(|s| s.as_str()) {
            Some(sha) if !sha.is_empty() => Ok(sha.to_owned()),
            _ => Err(unavailable(
                format!("the GitHub event payload {} has {what} without `{pointer}`", path.display()),
                "pass the base with --base",
            )),
        }
    };
    if doc.get("pull_request").is_some() {
        return field("/pull_request/base/sha", "a pull_request").map(|s| Some(EventBase::PullRequest(s)));
    }
    if doc.get("merge_group").is_some() {
        return field("/merge_group/base_sha", "a merge_group").map(|s| Some(EventBase::MergeGroup(s)));
    }
    if doc.get("before").is_some() && doc.get("ref").is_some() {
        let before = field("/before", "a push")?;
        return Ok(Some(if before.bytes().all(|b| b == b'0') {
            EventBase::NewBranch
        } else {
            EventBase::Push(before)
        }));
    }
    Ok(None)
}

/// Scans, at the base commit, the files that differ between it and the work tree. Files
/// that do not differ have the same links at base as at HEAD, so only these are read.
fn scan_base(
    repo: &Repository,
    prefix: &str,
    base: Oid,
    config: &Config,
    words: &MarkerWords,
) -> Result<(Vec<FileScan>, BTreeSet<String>), BaseError> {
    let missing = |what: String| {
        unavailable(
            format!("{what} is missing from the object database (a shallow or partial clone?)"),
            format!("{UNSHALLOW_FIX}; for a partial clone, fetch without `--filter`"),
        )
    };
    let tree = repo
        .find_commit(base)
        .and_then(|c| c.tree())
        .map_err(|_| missing(format!("the tree of base commit {}", short(base))))?;
    let mut changed = BTreeSet::new();
    let mut wanted = Vec::new();
    let rel_of = |git_path: &str| -> Option<String> {
        match git_path.strip_prefix(&format!("{prefix}/")) {
            Some(r) if !prefix.is_empty() => Some(r.to_owned()),
            _ if prefix.is_empty() => Some(git_path.to_owned()),
            _ => None,
        }
    };
    let mut opts = git2::DiffOptions::new();
    opts.ignore_submodules(true).skip_binary_check(true);
    if !prefix.is_empty() {
        opts.pathspec(format!("{prefix}/"));
    }
    // The base against the index, a subtree at a time (see `index_tree`); the index
    // against the work tree by its stat data (see `worktree::modified`), which is what
    // git itself does and a tenth of what libgit2's work-tree diff costs. Where that
    // cannot be decided from the stat data and raw bytes (content filters), libgit2
    // compares the base with the work tree.
    let index = repo.index().ok();
    let modified = index.as_ref().and_then(|index| worktree::modified(repo, index, prefix));
    let cannot = |e: git2::Error| {
        unavailable(format!("cannot compare the base commit with the work tree: {}", e.message()), UNSHALLOW_FIX)
    };
    // libgit2's tree-to-index diff where the index cannot be read as trees.
    let changes = match (&index, &modified) {
        (Some(index), Some(_)) => match index_tree::changes(repo, index, &tree, prefix) {
            Some(changes) => changes,
            None => deltas(&repo.diff_tree_to_index(Some(&tree), Some(index), Some(&mut opts)).map_err(cannot)?),
        },
        _ => {
            opts.include_untracked(true).recurse_untracked_dirs(true);
            deltas(&repo.diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts)).map_err(cannot)?)
        }
    };
    let mut seen_old: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (git_path, old) in changes {
        let Some(rel) = rel_of(&git_path) else { continue };
        changed.insert(rel.clone());
        if let Some(old) = old
            && scan::wanted(config, &rel)
        {
            wanted.push((rel, git_path.clone(), old));
        }
        seen_old.insert(git_path);
    }
    // Files changed in the work tree only: their base version is the base tree's.
    for git_path in modified.unwrap_or_default() {
        let Some(rel) = rel_of(&git_path) else { continue };
        changed.insert(rel.clone());
        if seen_old.contains(&git_path) || !scan::wanted(config, &rel) {
            continue;
        }
        if let Ok(entry) = tree.get_path(Path::new(&git_path))
            && entry.kind() == Some(git2::ObjectType::Blob)
        {
            wanted.push((rel, git_path, entry.id()));
        }
    }
    let mut files = read_base_blobs(repo.path(), &wanted, words)
        .map_err(|(path, oid)| missing(format!("{} at base ({})", crate::finding::code(&path), short(oid))))?;
    // The work-tree walk enters submodules, so the base must too: a submodule bump that
    // deletes a linked test is a removal like any other.
    if tree.get_name(".gitmodules").is_some() {
        for (path, commit) in gitlinks(&tree, prefix) {
            let sub = scan_submodule(repo, &path, commit, prefix, config, words, 0)?;
            files.extend(sub.0);
            changed.extend(sub.1);
        }
    }
    Ok((files, changed))
}

/// A libgit2 diff's files as `index_tree` lists them: each path, with its blob on the old
/// side where it has one.
pub(crate) fn deltas(diff: &git2::Diff) -> Vec<index_tree::Change> {
    let git_path = |p: &Path| p.to_string_lossy().replace('\\', "/");
    let mut out = Vec::new();
    for delta in diff.deltas() {
        let (old, new) = (delta.old_file(), delta.new_file());
        let Some(old_path) = old.path().map(git_path) else { continue };
        if let Some(new_path) = new.path().map(git_path)
            && new_path != old_path
        {
            out.push((new_path, None));
        }
        out.push((old_path, old.exists().then(|| old.id())));
    }
    out
}

/// The submodules (gitlink entries) of `tree` under `prefix`: path and commit.
fn gitlinks(tree: &git2::Tree, prefix: &str) -> Vec<(String, Oid)> {
    let mut out = Vec::new();
    let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Commit) {
            let path = format!("{dir}{}", entry.name().unwrap_or(""));
            if prefix.is_empty() || path.starts_with(&format!("{prefix}/")) {
                out.push((path, entry.id()));
            }
        }
        git2::TreeWalkResult::Ok
    });
    out
}

/// How deep submodules inside submodules are followed.
const MAX_SUBMODULE_DEPTH: usize = 4;

/// Scans, at the base, the files of the submodule at `path` (repository-relative) whose
/// base commit is `commit`, compared with the submodule's work tree: the same comparison
/// as for the repository itself, read from the submodule's own object database. A
/// submodule whose objects are not here is `history-unavailable`, naming it, unless it is
/// checked out neither here nor at the base's commit (then neither side shows its files).
fn scan_submodule(
    repo: &Repository,
    path: &str,
    commit: Oid,
    prefix: &str,
    config: &Config,
    words: &MarkerWords,
    depth: usize,
) -> Result<(Vec<FileScan>, BTreeSet<String>), BaseError> {
    let rel_of = |p: &str| -> String {
        let full = format!("{path}/{p}");
        match full.strip_prefix(&format!("{prefix}/")) {
            Some(r) if !prefix.is_empty() => r.to_owned(),
            _ => full,
        }
    };
    let fix = "check out submodules with their history: `submodules: recursive` and `fetch-depth: 0` in actions/checkout, or `git submodule update --init --recursive`";
    let checkout = repo.workdir().map(|w| w.join(path));
    let sub = checkout
        .as_ref()
        .filter(|dir| dir.join(".git").exists())
        .and_then(|dir| Repository::open(dir).ok())
        .or_else(|| Repository::open(repo.path().join("modules").join(path)).ok());
    let head_commit = repo.index().ok().and_then(|i| i.get_path(Path::new(path), 0)).map(|e| e.id);
    let Some(sub) = sub else {
        if head_commit == Some(commit) {
            return Ok((Vec::new(), BTreeSet::new())); // not checked out, and not changed
        }
        return Err(unavailable(
            format!(
                "submodule {} changed since the base, and its repository is not here to compare",
                crate::finding::code(path)
            ),
            fix,
        ));
    };
    let tree = sub.find_commit(commit).and_then(|c| c.tree()).map_err(|_| {
        unavailable(
            format!(
                "the base's commit {} of submodule {} is not in its clone",
                short(commit),
                crate::finding::code(path)
            ),
            fix,
        )
    })?;
    let diff = if sub.workdir().is_some() && checkout.as_ref().is_some_and(|d| d.join(".git").exists()) {
        let mut opts = git2::DiffOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(true).ignore_submodules(true).skip_binary_check(true);
        sub.diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))
    } else {
        // Not checked out at HEAD: every file it had at the base is gone.
        sub.diff_tree_to_tree(Some(&tree), None, None)
    }
    .map_err(|e| unavailable(format!("cannot compare submodule {path}: {}", e.message()), fix))?;
    let mut changed = BTreeSet::new();
    let mut wanted = Vec::new();
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            if let Some(p) = file.path() {
                changed.insert(rel_of(&p.to_string_lossy().replace('\\', "/")));
            }
        }
        let old = delta.old_file();
        let Some(old_path) = old.path() else { continue };
        let git_path = old_path.to_string_lossy().replace('\\', "/");
        let rel = rel_of(&git_path);
        if old.exists() && scan::wanted(config, &rel) {
            wanted.push((rel, git_path, old.id()));
        }
    }
    let mut files = read_base_blobs(sub.path(), &wanted, words).map_err(|(p, oid)| {
        unavailable(
            format!(
                "{} of submodule {} at base ({}) is not in its clone",
                crate::finding::code(&p),
                crate::finding::code(path),
                short(oid)
            ),
            fix,
        )
    })?;
    if depth < MAX_SUBMODULE_DEPTH && tree.get_name(".gitmodules").is_some() {
        for (inner, inner_commit) in gitlinks(&tree, "") {
            let (f, c) = scan_submodule(&sub, &inner, inner_commit, "", config, words, depth + 1)?;
            let lift = |p: String| format!("{}{p}", rel_of(""));
            files.extend(f.into_iter().map(|mut scan| {
                scan.path = lift(std::mem::take(&mut scan.path));
                scan
            }));
            changed.extend(c.into_iter().map(lift));
        }
    }
    Ok((files, changed))
}

/// One base blob's scan (`None`: no marker can be in it), or the blob that is missing.
type BlobScan = Result<Option<FileScan>, (String, Oid)>;

/// Reads and scans the base versions of the changed files. Each blob may sit at the end
/// of a long delta chain, so this is the costly part of a check: the blobs are shared
/// out between two workers, each with its own repository handle. Returns the scans in
/// the order given, or the first blob that is missing.
fn read_base_blobs(
    git_dir: &Path,
    wanted: &[(String, String, Oid)],
    words: &MarkerWords,
) -> Result<Vec<FileScan>, (String, Oid)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const WORKERS: usize = 2;
    let next = AtomicUsize::new(0);
    let work = |repo: Repository| {
        let mut out: Vec<(usize, BlobScan)> = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((rel, git_path, oid)) = wanted.get(i) else { break };
            let scanned = match repo.find_blob(*oid) {
                Ok(blob) => Ok(scan::scan_bytes(rel, blob.content(), words).map(|(scan, _)| scan)),
                Err(_) => Err((git_path.clone(), *oid)),
            };
            out.push((i, scanned));
        }
        out
    };
    let mut results: Vec<(usize, BlobScan)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|_| {
                s.spawn(|| match Repository::open(git_dir) {
                    Ok(repo) => work(repo),
                    Err(_) => Vec::new(),
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    if results.len() != wanted.len() {
        // A worker could not open the repository: read what is left here.
        let repo = Repository::open(git_dir).map_err(|_| (wanted[0].1.clone(), wanted[0].2))?;
        let done: std::collections::HashSet<usize> = results.iter().map(|(i, _)| *i).collect();
        for (i, (rel, git_path, oid)) in wanted.iter().enumerate().filter(|(i, _)| !done.contains(i)) {
            let blob = repo.find_blob(*oid).map_err(|_| (git_path.clone(), *oid))?;
            results.push((i, Ok(scan::scan_bytes(rel, blob.content(), words).map(|(scan, _)| scan))));
        }
        results.sort_by_key(|(i, _)| *i);
    }
    let mut files = Vec::new();
    for (_, r) in results {
        if let Some(scan) = r? {
            files.push(scan);
        }
    }
    Ok(files)
}

pub use crate::postmortem::whole_token;

/// A raw commit object's header (its `tree`, `parent`, `author` and `committer` lines)
/// and its message, which follows the first blank line.
fn commit_parts(raw: &[u8]) -> (&[u8], &[u8]) {
    let split = memchr::memmem::find(raw, b"\n\n").map_or(raw.len(), |p| p + 2);
    raw.split_at(split)
}

/// The commit a `commits` or `fix_commits` entry names. An entry of hex digits must be a
/// prefix of the commit's SHA (so that a branch called `cafe` cannot stand in for the
/// commit `cafe…`); any other entry is a ref (`fix_commits` takes tags).
fn resolve_commit(repo: &Repository, entry: &str) -> Result<String, EntryError> {
    let hex = entry.bytes().all(|b| b.is_ascii_hexdigit());
    match repo.revparse_single(entry) {
        Ok(obj) => match obj.peel_to_commit() {
            Ok(c) if !hex || c.id().to_string().starts_with(entry) => Ok(c.id().to_string()),
            Ok(_) | Err(_) => Err(EntryError::NotACommit),
        },
        Err(e) if e.code() == ErrorCode::Ambiguous => Err(EntryError::Ambiguous),
        Err(_) => Err(EntryError::NotFound),
    }
}

fn resolve_fix_entries(repo: &Repository, postmortems: &[Postmortem]) -> Vec<FixEntry> {
    postmortems
        .iter()
        .flat_map(|pm| {
            pm.fix_commits.iter().map(|(entry, loc)| FixEntry {
                incident: pm.id.clone(),
                entry: entry.clone(),
                loc: loc.clone(),
                resolved: resolve_commit(repo, entry),
            })
        })
        .collect()
}

/// Every commit that may be an incident's fix: each resolved `fix_commits` entry, and
/// each evidence commit of a closed action item (which of them count for an incident is
/// the model's to say; diffing a commit more than it needs costs little).
fn fix_candidates(
    postmortems: &[Postmortem],
    evidence: &HashMap<String, Vec<Evidence>>,
    commit_entries: &[CommitEntry],
    fix_entries: &[FixEntry],
) -> Vec<String> {
    let mut out: Vec<String> = fix_entries.iter().filter_map(|e| e.resolved.clone().ok()).collect();
    out.extend(commit_entries.iter().filter_map(|e| e.resolved.clone().ok()));
    for pm in postmortems {
        for item in pm.action_items.iter().filter(|a| a.status == crate::postmortem::ItemStatus::Closed) {
            if let Some(found) = evidence.get(&item_ref(&pm.id, &item.id)) {
                out.extend(found.iter().map(|e| e.sha.clone()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn resolve_entries(repo: &Repository, postmortems: &[Postmortem]) -> Vec<CommitEntry> {
    let mut out = Vec::new();
    for pm in postmortems {
        for item in &pm.action_items {
            for (entry, loc) in &item.commits {
                let resolved = resolve_commit(repo, entry);
                out.push(CommitEntry {
                    incident: pm.id.clone(),
                    item: item.id.clone(),
                    entry: entry.clone(),
                    loc: loc.clone(),
                    resolved,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::whole_token;

    fn matches(text: &str, r: &str) -> bool {
        text.match_indices(r).any(|(i, _)| whole_token(text.as_bytes(), i, i + r.len()))
    }

    #[test]
    fn references_match_as_whole_tokens_only() {
        assert!(matches("Fix retries (INC-1#A1).", "INC-1#A1"));
        assert!(matches("Postmortem-Action: INC-1#A1", "INC-1#A1"));
        assert!(matches("INC-1#A1", "INC-1#A1"));
        assert!(!matches("see INC-1#A10", "INC-1#A1"));
        assert!(!matches("XINC-1#A1", "INC-1#A1"));
        assert!(!matches("OLD-INC-1#A1", "INC-1#A1"));
        assert!(!matches("INC-1#A1_b", "INC-1#A1"));
        assert!(matches("INC-1#A1/INC-1#A2", "INC-1#A1"));
    }
}
