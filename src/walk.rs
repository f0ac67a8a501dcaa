//! Which files a run reads, for the source scan and the postmortems alike. Two rules
//! decide, and both exist because a pull request controls the tree it is checked on:
//!
//! - Ignore files (`.gitignore`, `.ignore`) skip only untracked files. Every file in the
//!   git index is read whatever they say: otherwise one line in `.gitignore` would hide
//!   a linked test, or a postmortem, from the check.
//! - Nothing outside the repository is read, and nothing that is not a regular file is
//!   opened. Symbolic links are not followed by the walk: a link to a regular file inside
//!   the repository is read under its own path, a link to a directory is not entered (the
//!   directory's files are read where they are), and anything else (a link out of the
//!   repository, a dangling link, a loop, a FIFO, a socket, a device) is skipped with a
//!   reason, because reading it would leak files or block forever. An ignore file that
//!   is not a regular file is not read either (git does not follow a linked
//!   `.gitignore`): its directory is walked as if it had none.

use crate::paths;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The files git tracks under the root, from the index: what is tracked is tracked,
/// whatever the ignore files say. Empty without a repository or with `--no-git`.
#[derive(Debug, Default)]
pub struct Tracked {
    /// Root-relative paths, without submodules (gitlinks), and whether each is a
    /// symbolic link.
    paths: Vec<(PathBuf, bool)>,
}

/// The type bits of an index entry's mode, and the types that matter here: a gitlink
/// (a submodule's commit, not a file of this repository) and a symbolic link.
const TYPE_BITS: u32 = 0o170000;
const GITLINK: u32 = 0o160000;
const SYMLINK: u32 = 0o120000;

impl Tracked {
    /// The tracked paths (root-relative, `/`-separated) that are regular files.
    pub fn files(&self) -> impl Iterator<Item = String> + '_ {
        self.paths.iter().filter(|(_, link)| !link).map(|(p, _)| paths::relative(Path::new(""), p))
    }

    /// Reads the index of the repository around `root` (a subdirectory of its work tree
    /// keeps only the paths under it). A repository that cannot be opened gives nothing:
    /// the history checks report it.
    pub fn read(root: &Path) -> Tracked {
        let Ok(repo) = git2::Repository::discover(root) else { return Tracked::default() };
        // The work tree is where the `.git` entry stands: libgit2's own guess is wrong when
        // `.git` is a file (`--separate-git-dir`), and index paths are relative to it.
        let workdir = paths::boundary(root);
        let Ok(workdir) = workdir.canonicalize() else { return Tracked::default() };
        let Ok(prefix) = root.strip_prefix(&workdir) else { return Tracked::default() };
        let Ok(index) = repo.index() else { return Tracked::default() };
        let paths = index
            .iter()
            .filter(|e| e.mode & TYPE_BITS != GITLINK)
            .filter_map(|e| {
                let path = path_from_index(&e.path).strip_prefix(prefix).ok()?.to_path_buf();
                (!path.as_os_str().is_empty()).then_some((path, e.mode & TYPE_BITS == SYMLINK))
            })
            .collect();
        Tracked { paths }
    }
}

#[cfg(unix)]
fn path_from_index(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_index(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).replace('/', std::path::MAIN_SEPARATOR_STR))
}

/// What a caller walks for.
pub struct Filter<'a> {
    /// Whether to look inside a directory, by its name (never asked about the walk's own
    /// directory). A plain function: the walker keeps it for as long as it runs.
    pub enter: fn(&str) -> bool,
    /// Whether a file, by root-relative path, is one the caller reads. Only these are
    /// opened, or reported when they cannot be.
    pub wanted: &'a dyn Fn(&str) -> bool,
    /// Whether a symbolic link to a directory, by root-relative path, is worth a word
    /// when it points out of the repository or loops.
    pub report_dir: &'a dyn Fn(&str) -> bool,
}

/// The result of a walk: root-relative paths, sorted.
#[derive(Debug, Default)]
pub struct Walked {
    /// Files to read (with `File::read`): regular files, and symbolic links to regular
    /// files inside the repository (under the link's path).
    pub files: Vec<File>,
    /// Paths not read, and why: "a symbolic link to outside the repository (/etc/passwd)".
    pub skipped: Vec<(String, String)>,
    /// Paths that could not be looked at, and the operating system's message.
    pub errors: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct File {
    /// Root-relative, with `/` separators.
    pub rel: String,
    pub path: PathBuf,
    /// A regular file the walk reached through real directories: nothing on its path
    /// can lead out of the repository, so it is read without resolving the path again.
    direct: bool,
}

impl File {
    /// The file's bytes: `paths::read_inside` for a link or a path only the index named
    /// (which may lie behind a linked directory), a plain read otherwise. Either way a
    /// file that turned into something else since the walk is not opened.
    pub fn read(&self, boundary: &Path) -> std::io::Result<Vec<u8>> {
        if !self.direct {
            return paths::try_read_inside(boundary, &self.path);
        }
        paths::read_regular(&self.path)
    }
}

/// Walks `dir` (under `root`): the files the ignore rules leave, and every tracked file.
pub fn walk(root: &Path, dir: &Path, tracked: &Tracked, filter: &Filter) -> Walked {
    // `docs/../pm` in the config: paths must compare with the index's.
    let dir = &paths::normalize(dir);
    let boundary = paths::boundary(root);
    let boundary = boundary.canonicalize().unwrap_or(boundary);
    let mut out = Walked::default();
    // Whether a path is worth looking at: a wanted file, or a link that may lead to a
    // directory worth a word.
    let enter = filter.enter;
    let worth =
        |rel: &str, link: bool| (filter.wanted)(rel) || (link && enter(file_name(rel)) && (filter.report_dir)(rel));
    // Root-relative path → (full path, its type as the walk saw it; `None`: only the
    // index names it).
    let mut found: BTreeMap<String, (PathBuf, Option<std::fs::FileType>)> = BTreeMap::new();
    // The walker reads an ignore file wherever it stands, so one that is not a regular
    // file (a committed link to /dev/zero) is found before the walker enters its
    // directory, and that directory is walked again without reading any ignore file,
    // which can only show more. git does not follow a linked `.gitignore` either.
    let plain = dir.ancestors().take_while(|a| a.starts_with(&boundary)).any(has_odd_ignore_file);
    let mut pending = vec![(dir.to_path_buf(), !plain)];
    while let Some((start, with_ignore_files)) = pending.pop() {
        let (entries, odd_dirs) = walk_dir(&start, with_ignore_files, enter);
        pending.extend(odd_dirs.into_iter().map(|d| (d, false)));
        for entry in entries {
            match entry {
                Ok((path, ft)) => {
                    let rel = paths::relative(root, &path);
                    if worth(&rel, ft.is_symlink()) {
                        found.insert(rel, (path, Some(ft)));
                    }
                }
                Err(err) => {
                    let path = walk_error_path(&err).map_or_else(|| ".".to_owned(), |p| paths::relative(root, p));
                    out.errors.push((path, walk_error_message(&err)));
                }
            }
        }
    }
    out.errors.sort();
    let rel_dir = dir.strip_prefix(root).unwrap_or(Path::new(""));
    for (path, link) in &tracked.paths {
        let Ok(below) = path.strip_prefix(rel_dir) else { continue };
        let mut dirs = below.parent().into_iter().flat_map(Path::components);
        if dirs.any(|c| !enter(&c.as_os_str().to_string_lossy())) {
            continue;
        }
        let full = root.join(path);
        let rel = paths::relative(root, &full);
        if worth(&rel, *link) {
            found.entry(rel).or_insert((full, None));
        }
    }
    for (rel, (full, seen)) in found {
        let wanted = (filter.wanted)(&rel);
        match look(&boundary, &full, seen) {
            Look::Read { direct } if wanted => out.files.push(File { rel, path: full, direct }),
            Look::Skip { why, dir } if (wanted && !dir) || (dir && worth(&rel, true)) => out.skipped.push((rel, why)),
            Look::Error(e) if wanted => out.errors.push((rel, e)),
            _ => {}
        }
    }
    out
}

type Entries = Vec<Result<(PathBuf, std::fs::FileType), ignore::Error>>;

/// Everything but directories under `start`, with the type the walk saw, and the
/// directories not entered because an ignore file in them is not a regular file. The
/// parallel walker is used because it reads a directory's ignore files only when it
/// enters the directory; the sequential one reads them even for a directory it skips.
fn walk_dir(start: &Path, with_ignore_files: bool, enter: fn(&str) -> bool) -> (Entries, Vec<PathBuf>) {
    let entries: Mutex<Entries> = Mutex::default();
    let odd_dirs: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let sink = Arc::clone(&odd_dirs);
    let mut builder = ignore::WalkBuilder::new(start);
    if !with_ignore_files {
        builder.standard_filters(false);
    }
    builder
        .hidden(false)
        .follow_links(false)
        .require_git(false)
        .filter_entry(move |e| {
            if e.depth() == 0 || !e.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            if !enter(&e.file_name().to_string_lossy()) {
                return false;
            }
            if with_ignore_files && has_odd_ignore_file(e.path()) {
                lock(&sink).push(e.path().to_path_buf());
                return false;
            }
            true
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let found = match entry {
                    Ok(e) if e.depth() == 0 => return ignore::WalkState::Continue,
                    Ok(e) => match e.file_type().filter(|t| !t.is_dir()) {
                        Some(ft) => Ok((e.into_path(), ft)),
                        None => return ignore::WalkState::Continue,
                    },
                    Err(err) => Err(err),
                };
                lock(&entries).push(found);
                ignore::WalkState::Continue
            })
        });
    let odd = std::mem::take(&mut *lock(&odd_dirs));
    (entries.into_inner().unwrap_or_else(PoisonError::into_inner), odd)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether `dir` holds a `.gitignore` or `.ignore` that is not a regular file.
fn has_odd_ignore_file(dir: &Path) -> bool {
    [".gitignore", ".ignore"].iter().any(|name| std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| !m.is_file()))
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

enum Look {
    Read {
        direct: bool,
    },
    /// Not read: why, and whether the path is a link to a directory.
    Skip {
        why: String,
        dir: bool,
    },
    /// Gone (a tracked file deleted from the work tree), or a link to a directory inside
    /// the repository, whose files the walk reads where they are.
    Nothing,
    Error(String),
}

/// What `full` is, without opening it. `seen`: its type as the walk saw it, through
/// real directories; a path only the index names may lie behind a link to a directory.
fn look(boundary: &Path, full: &Path, seen: Option<std::fs::FileType>) -> Look {
    if seen.is_some_and(|t| t.is_file()) {
        return Look::Read { direct: true };
    }
    let meta = match std::fs::symlink_metadata(full) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Look::Nothing,
        Err(e) => return Look::Error(e.to_string()),
    };
    let skip = |why: String, dir: bool| Look::Skip { why, dir };
    let ft = meta.file_type();
    if ft.is_file() {
        if !full.canonicalize().is_ok_and(|c| c.starts_with(boundary)) {
            return skip("skipped: reached through a symbolic link to outside the repository".into(), false);
        }
        return Look::Read { direct: false };
    }
    if ft.is_dir() {
        return Look::Nothing;
    }
    if !ft.is_symlink() {
        return skip(format!("skipped: not a regular file ({})", special_kind(&ft)), false);
    }
    let target = match full.canonicalize() {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return skip("skipped: a dangling symbolic link (its target does not exist)".into(), false);
        }
        Err(_) if link_loops(full) => return skip("skipped: a symbolic link loop".into(), false),
        Err(e) => return skip(format!("skipped: a symbolic link that cannot be followed ({e})"), false),
    };
    let Ok(meta) = std::fs::metadata(&target) else {
        return skip("skipped: a symbolic link that cannot be followed".into(), false);
    };
    let dir = meta.is_dir();
    if !target.starts_with(boundary) {
        return skip(format!("skipped: a symbolic link to outside the repository ({})", target.display()), dir);
    }
    if meta.is_file() {
        return Look::Read { direct: false };
    }
    if dir {
        let holder = full.parent().and_then(|p| p.canonicalize().ok());
        if holder.is_some_and(|h| h.starts_with(&target)) {
            return skip("skipped: a symbolic link loop (to a directory that holds it)".into(), true);
        }
        return Look::Nothing;
    }
    let kind = special_kind(&meta.file_type());
    skip(format!("skipped: a symbolic link to something that is not a regular file ({kind})"), false)
}

/// Whether following the link at `path` comes back to a link already followed.
fn link_loops(path: &Path) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut at = path.to_path_buf();
    while seen.insert(at.clone()) {
        let Ok(target) = std::fs::read_link(&at) else { return false };
        at = paths::normalize(&at.parent().unwrap_or(Path::new("")).join(target));
        if !std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return false;
        }
    }
    true
}

#[cfg(unix)]
fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_char_device() {
        "a character device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// The path an `ignore` walk error is about, when it names one.
fn walk_error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => walk_error_path(err),
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

fn walk_error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_error_message(err),
        other => other.to_string(),
    }
}
