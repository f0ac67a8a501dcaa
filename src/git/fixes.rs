//! What each fix commit changed, followed to HEAD: the code an incident was in. One diff
//! of each commit against its first parent gives its files; a file no longer at that path
//! at HEAD is looked for among the files added since, first those with the same name,
//! then all of them (one tree comparison of the commit with HEAD), by identical content,
//! else by similar lines. Similarity is measured here rather than with git's rename
//! detection (`find_similar`): that compares every deleted file with every added one on
//! each call, and over a hundred fix commits whose files had moved it took 3.7 seconds;
//! here each file at HEAD is read and summarised once, however many fix commits ask.

use super::{short, short_sha};
use git2::{Delta, FileMode, Oid, Repository, Tree};
use std::collections::HashMap;
use std::path::Path;

/// The files a fix commit added or changed, against its first parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixFiles {
    Changed(Vec<FixedFile>),
    /// They cannot be read from this clone: why (its parent is beyond a shallow clone's
    /// boundary, an object is missing).
    Unavailable(String),
}

/// A file a fix commit changed, with its paths relative to the checked directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixedFile {
    /// The path the fix commit gave it.
    pub at_fix: String,
    /// Where it is at HEAD: `at_fix`, or the path it was renamed to since. A file deleted
    /// since keeps its last path, so that a change bringing it back is still seen.
    pub at_head: String,
    /// Whether HEAD has no file at `at_head` (deleted since the fix).
    pub gone: bool,
}

/// How alike a file and a file added since must be to count as the same file moved:
/// half their lines, as git's default for renames (`-M50%`).
const SIMILAR: f64 = 0.5;
/// Files larger than this are followed only when their content is unchanged.
const MAX_COMPARED: usize = 4 << 20;

/// The files each of `commits` (full SHAs) added or changed against its first parent (all
/// of its files, for a root commit), under the checked directory `prefix`, each followed
/// to HEAD. Each commit is read once; only the subtrees that differ from the parent's are
/// read (see `changed_files`). A commit that cannot be read is `Unavailable`, never
/// silently without files.
///
/// With `cache` (the `--cache` directory), what each commit changed against its parent is
/// remembered there: that never changes, and on a history with thousands of fix commits
/// the comparisons were most of a run. Following the files to HEAD is done every run.
/// `times`: the commit times the history walk already read, by full SHA.
pub fn read(
    git_dir: &Path,
    prefix: &str,
    commits: &[String],
    times: &HashMap<&str, i64>,
    trees: &super::log::FixTrees,
    cache: Option<&Path>,
) -> HashMap<String, FixFiles> {
    if commits.is_empty() {
        return HashMap::new();
    }
    let known = cache.map(DiffCache::load).unwrap_or_default();
    // One reader, in the order the commits were made, which keeps the trees it reads
    // close together in history. libgit2 locks a pack for every object read from it, and
    // a second reader on another thread mostly waited on those locks: on the monorepo's
    // 5,500 fix commits two readers took 40 % more CPU time and were slower.
    let mut found: Vec<(String, FixFiles, Option<Changed>)> = Vec::new();
    if let Ok(repo) = Repository::open(git_dir)
        && let Ok(tree) = repo.head().and_then(|h| h.peel_to_tree())
    {
        let time = |sha: &String| match (known.get(sha.as_str()), times.get(sha.as_str())) {
            (Some(_), _) => 0,
            (None, Some(&t)) => t,
            (None, None) => Oid::from_str(sha).and_then(|o| repo.find_commit(o)).map_or(0, |c| c.time().seconds()),
        };
        let mut ordered: Vec<&String> = commits.iter().collect();
        ordered.sort_by_cached_key(|sha| time(sha));
        let mut head = Head { repo: &repo, tree, lines: HashMap::new(), by_name: None, dirs: HashMap::new() };
        for sha in ordered {
            let (diff, new) = match known.get(sha.as_str()) {
                Some(changed) => (Ok(changed.clone()), None),
                None => {
                    let diff = match trees.get(sha.as_str()) {
                        Some(&(tree, parent)) => diff_trees(&repo, sha, tree, parent),
                        None => diff_of(&repo, sha),
                    };
                    let new = diff.as_ref().ok().cloned();
                    (diff, new)
                }
            };
            let files =
                diff.and_then(|changed| follow(&mut head, prefix, sha, changed)).unwrap_or_else(FixFiles::Unavailable);
            found.push((sha.clone(), files, new));
        }
    }
    if let Some(dir) = cache {
        let mut keep: HashMap<String, Changed> = HashMap::new();
        for (sha, _, new) in &found {
            if let Some(changed) = new.clone().or_else(|| known.get(sha.as_str()).cloned()) {
                keep.insert(sha.clone(), changed);
            }
        }
        if keep.len() != known.len() || found.iter().any(|(_, _, new)| new.is_some()) {
            DiffCache::save(dir, &keep);
        }
    }
    let mut out: HashMap<String, FixFiles> = found.into_iter().map(|(sha, files, _)| (sha, files)).collect();
    for sha in commits {
        out.entry(sha.clone()).or_insert_with(|| FixFiles::Unavailable("the repository could not be read".into()));
    }
    out
}

/// (path, blob) of every file a commit added or changed against its first parent, paths
/// from the top of the repository.
type Changed = Vec<(String, Oid)>;

/// The `--cache` file of what fix commits changed: `{"version": 1, "commits": {SHA:
/// [[PATH, BLOB], …]}}`. It keeps the commits of the last run only, so it stays the size
/// of what is asked of it.
#[derive(serde::Serialize, serde::Deserialize)]
struct DiffCache {
    version: u32,
    commits: HashMap<String, Vec<(String, String)>>,
}

impl DiffCache {
    const FILE: &'static str = "incident-guard-fixes.json";
    const VERSION: u32 = 1;

    fn load(dir: &Path) -> HashMap<String, Changed> {
        let Some(file) = super::cache_file::load::<DiffCache>(dir, Self::FILE) else { return HashMap::new() };
        if file.version != Self::VERSION {
            return HashMap::new();
        }
        let parse = |files: Vec<(String, String)>| -> Option<Changed> {
            files.into_iter().map(|(path, blob)| Some((path, Oid::from_str(&blob).ok()?))).collect()
        };
        // Any entry not as written: trust none of it.
        file.commits
            .into_iter()
            .map(|(sha, files)| Some((sha, parse(files)?)))
            .collect::<Option<_>>()
            .unwrap_or_default()
    }

    fn save(dir: &Path, commits: &HashMap<String, Changed>) {
        let commits = commits
            .iter()
            .map(|(sha, files)| (sha.clone(), files.iter().map(|(p, oid)| (p.clone(), oid.to_string())).collect()))
            .collect();
        super::cache_file::save(dir, Self::FILE, &DiffCache { version: Self::VERSION, commits });
    }
}

fn git_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// What a commit added or changed against its first parent (see `changed_files`).
fn diff_of(repo: &Repository, sha: &str) -> Result<Changed, String> {
    let commit = Oid::from_str(sha)
        .and_then(|oid| repo.find_commit(oid))
        .map_err(|_| format!("commit {} is not in this clone", short_sha(sha)))?;
    // Only a commit that shows no parent may be a shallow clone's boundary.
    let parent_id = if commit.parent_count() > 0 { commit.parent_id(0).ok() } else { first_parent(repo, commit.id())? };
    let parent_tree = match parent_id {
        None => None,
        Some(oid) => Some(
            repo.find_commit(oid)
                .map_err(|_| {
                    format!("the parent of commit {} is not in this clone (a shallow clone?)", short(commit.id()))
                })?
                .tree_id(),
        ),
    };
    diff_trees(repo, sha, commit.tree_id(), parent_tree)
}

/// What a commit added or changed against its first parent, from their trees as the
/// history walk read them (`parent` is `None` for a root commit).
fn diff_trees(repo: &Repository, sha: &str, tree: Oid, parent: Option<Oid>) -> Result<Changed, String> {
    let cannot = |oid: Oid, e: git2::Error| {
        format!("cannot read tree {} of commit {}: {}", short(oid), short_sha(sha), e.message())
    };
    let tree = repo.find_tree(tree).map_err(|e| cannot(tree, e))?;
    let parent = parent.map(|p| repo.find_tree(p).map_err(|e| cannot(p, e))).transpose()?;
    let mut changed: Changed = Vec::new();
    changed_files(repo, parent.as_ref(), &tree, "", &mut changed)
        .map_err(|e| format!("cannot diff commit {}: {}", short_sha(sha), e.message()))?;
    Ok(changed)
}

/// A fix commit's files under the checked directory `prefix`, each followed to HEAD.
fn follow(head: &mut Head, prefix: &str, sha: &str, mut changed: Changed) -> Result<FixFiles, String> {
    if !prefix.is_empty() {
        changed.retain(|(p, _)| p.starts_with(&format!("{prefix}/")));
    }
    let missing: Vec<&(String, Oid)> = changed.iter().filter(|(p, _)| !head.has(p)).collect();
    let moved = if missing.is_empty() {
        HashMap::new()
    } else {
        let tree = Oid::from_str(sha)
            .and_then(|oid| head.repo.find_commit(oid))
            .and_then(|c| c.tree())
            .map_err(|e| format!("cannot read the tree of commit {}: {}", short_sha(sha), e.message()))?;
        head.moves_since(&tree, &missing)
    };
    let rel = |p: &str| -> Option<String> {
        if prefix.is_empty() { Some(p.to_owned()) } else { p.strip_prefix(&format!("{prefix}/")).map(str::to_owned) }
    };
    let files = changed
        .iter()
        .filter_map(|(p, _)| {
            let at_fix = rel(p)?;
            Some(match moved.get(p) {
                // Moved out of the checked directory: no longer this project's code.
                Some(to) => FixedFile { at_fix, at_head: rel(to)?, gone: false },
                None if missing.iter().any(|(m, _)| m == p) => {
                    FixedFile { at_head: at_fix.clone(), at_fix, gone: true }
                }
                None => FixedFile { at_head: at_fix.clone(), at_fix, gone: false },
            })
        })
        .collect();
    Ok(FixFiles::Changed(files))
}

/// The files (path, blob) that `new` adds or changes against `old`, below `dir`. Subtrees
/// with the same ID are the same and are not entered: libgit2's tree diff reads every
/// entry of both trees, which took milliseconds per fix commit in a repository of 15,000
/// files. Submodules are left out, as the diff left them out.
fn changed_files(
    repo: &Repository,
    old: Option<&Tree>,
    new: &Tree,
    dir: &str,
    out: &mut Vec<(String, Oid)>,
) -> Result<(), git2::Error> {
    for entry in new.iter() {
        // By libgit2's binary search of the sorted entries: no map of them to build.
        let was = old.and_then(|t| t.get_name_bytes(entry.name_bytes())).map(|e| (e.id(), e.filemode()));
        if was == Some((entry.id(), entry.filemode())) {
            continue;
        }
        let name = String::from_utf8_lossy(entry.name_bytes());
        match entry.kind() {
            Some(git2::ObjectType::Tree) => {
                let subtree = repo.find_tree(entry.id())?;
                let old_subtree = match was {
                    Some((oid, mode)) if mode == i32::from(FileMode::Tree) => Some(repo.find_tree(oid)?),
                    _ => None,
                };
                changed_files(repo, old_subtree.as_ref(), &subtree, &format!("{dir}{name}/"), out)?;
            }
            Some(git2::ObjectType::Blob) => out.push((format!("{dir}{name}"), entry.id())),
            _ => {}
        }
    }
    Ok(())
}

/// The first parent a commit names, from the raw object: libgit2 shows a commit at a
/// shallow clone's boundary as having none, and diffing it as a root commit would make
/// every file of the repository part of the fix.
fn first_parent(repo: &Repository, commit: Oid) -> Result<Option<Oid>, String> {
    let odb = repo.odb().map_err(|e| e.message().to_owned())?;
    let object = odb.read(commit).map_err(|e| format!("cannot read commit {}: {}", short(commit), e.message()))?;
    let (header, _) = super::commit_parts(object.data());
    Ok(header
        .split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(b"parent "))
        .and_then(|hex| std::str::from_utf8(hex).ok())
        .and_then(|hex| Oid::from_str(hex.trim()).ok()))
}

/// HEAD, as one worker sees it: its tree, the line summaries of the blobs it has compared,
/// and its files by name.
struct Head<'r> {
    repo: &'r Repository,
    tree: Tree<'r>,
    /// Each blob's lines, summarised once (see `line_hashes`); `None` for a binary or very
    /// large blob, or one that cannot be read.
    lines: HashMap<Oid, Option<Vec<u64>>>,
    /// HEAD's files (path, blob) by file name, made the first time a file has moved.
    by_name: Option<HashMap<String, Vec<(String, Oid)>>>,
    /// HEAD's trees by directory (`""` the root), each read once however many fix
    /// commits look a file up in it; `None` where HEAD has no such directory.
    dirs: HashMap<String, Option<Tree<'r>>>,
}

impl<'r> Head<'r> {
    /// Whether HEAD has an entry at `path`. Thousands of fix commits each looked their
    /// files up from HEAD's root, reading the same trees again each time.
    fn has(&mut self, path: &str) -> bool {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.dir(dir).is_some_and(|t| t.get_name(name).is_some())
    }

    fn dir(&mut self, dir: &str) -> Option<&Tree<'r>> {
        if !self.dirs.contains_key(dir) {
            let tree = if dir.is_empty() {
                Some(self.tree.clone())
            } else {
                let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir));
                let id = self
                    .dir(parent)
                    .and_then(|t| t.get_name(name))
                    .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
                    .map(|e| e.id());
                id.and_then(|id| self.repo.find_tree(id).ok())
            };
            self.dirs.insert(dir.to_owned(), tree);
        }
        self.dirs[dir].as_ref()
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl Head<'_> {
    fn lines(&mut self, oid: Oid) -> Option<&[u64]> {
        let repo = self.repo;
        self.lines
            .entry(oid)
            .or_insert_with(|| {
                let blob = repo.find_blob(oid).ok()?;
                let bytes = blob.content();
                // Git's own test for binary content: a NUL byte near the start.
                if bytes.len() > MAX_COMPARED || bytes[..bytes.len().min(8000)].contains(&0) {
                    return None;
                }
                Some(line_hashes(bytes))
            })
            .as_deref()
    }

    /// The candidate among `candidates` with the same content as `blob`, else the one most
    /// like it if it is alike enough (`SIMILAR`).
    fn best(&mut self, blob: Oid, candidates: &[(String, Oid)]) -> Option<String> {
        if let Some((to, _)) = candidates.iter().find(|(_, oid)| *oid == blob) {
            return Some(to.clone());
        }
        let old = self.lines(blob)?.to_vec();
        let mut best: Option<(f64, &String)> = None;
        for (to, oid) in candidates {
            let Some(new) = self.lines(*oid) else { continue };
            let score = similarity(&old, new);
            if score >= SIMILAR && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, to));
            }
        }
        best.map(|(_, to)| to.clone())
    }

    /// Where the files `missing` ((path, blob) in `from`) went between `from` and HEAD,
    /// among the files added since: first those with the same file name (a move to
    /// another directory, the usual case, as git's own rename detection assumes), found
    /// in an index of HEAD made once; for the rest, every file added since, from one tree
    /// comparison of `from` with HEAD. A file with no match is gone.
    fn moves_since(&mut self, from: &Tree, missing: &[&(String, Oid)]) -> HashMap<String, String> {
        let mut out = HashMap::new();
        if self.by_name.is_none() {
            let mut index: HashMap<String, Vec<(String, Oid)>> = HashMap::new();
            let _ = self.tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(git2::ObjectType::Blob)
                    && let Some(name) = entry.name()
                {
                    index.entry(name.to_owned()).or_default().push((format!("{dir}{name}"), entry.id()));
                }
                git2::TreeWalkResult::Ok
            });
            self.by_name = Some(index);
        }
        let mut rest = Vec::new();
        for (path, blob) in missing {
            // Added since: a file of that name at HEAD that `from` does not have.
            let named: Vec<(String, Oid)> = self
                .by_name
                .as_ref()
                .and_then(|index| index.get(file_name(path)))
                .into_iter()
                .flatten()
                .filter(|(p, _)| from.get_path(Path::new(p)).is_err())
                .cloned()
                .collect();
            match self.best(*blob, &named) {
                Some(to) => {
                    out.insert(path.clone(), to);
                }
                None => rest.push((path, *blob)),
            }
        }
        if rest.is_empty() {
            return out;
        }
        let mut opts = git2::DiffOptions::new();
        opts.ignore_submodules(true).skip_binary_check(true);
        let Ok(diff) = self.repo.diff_tree_to_tree(Some(from), Some(&self.tree), Some(&mut opts)) else { return out };
        let added: Vec<(String, Oid)> = diff
            .deltas()
            .filter(|d| d.status() == Delta::Added && d.new_file().mode() != FileMode::Commit)
            .filter_map(|d| Some((git_path(d.new_file().path()?), d.new_file().id())))
            .collect();
        for (path, blob) in rest {
            if let Some(to) = self.best(blob, &added) {
                out.insert(path.clone(), to);
            }
        }
        out
    }
}

/// The sorted FNV-1a hashes of the non-blank lines of `bytes`, each trimmed, so that
/// re-indenting a file does not make it another file.
fn line_hashes(bytes: &[u8]) -> Vec<u64> {
    let mut out: Vec<u64> = bytes
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty())
        .map(|l| l.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)))
        .collect();
    out.sort_unstable();
    out
}

/// How alike two files are: the lines they share (as multisets) over their mean number
/// of lines, from 0 (nothing in common, or both empty) to 1.
fn similarity(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_counts_shared_lines_whatever_their_order_and_indent() {
        let a = line_hashes(b"fn a() {\n    x();\n}\n\nfn b() {}\n");
        assert_eq!(similarity(&a, &line_hashes(b"fn b() {}\nfn a() {\n  x();\n}\n")), 1.0);
        // Three lines shared, of four and of five.
        let b = line_hashes(b"fn a() {\n    x();\n}\nfn c() {}\nfn c() {}\n");
        assert_eq!(similarity(&a, &b), 2.0 * 3.0 / 9.0);
        assert_eq!(similarity(&a, &[]), 0.0);
    }
}
