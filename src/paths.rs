//! Repository-relative paths: the only form of path that appears in findings, so that
//! output is the same on every machine and every OS.

use std::path::{Path, PathBuf};

/// `path` relative to `root`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    // Already as it would be rebuilt (on Unix, `/`-separated, no empty or `.` parts): a
    // scan of 100,000 files asks this of each several times.
    #[cfg(unix)]
    if let Some(s) = rel.to_str()
        && !s.is_empty()
        && !s.starts_with('/')
        && !s.ends_with('/')
        && s.split('/').all(|part| !part.is_empty() && part != ".")
    {
        return s.to_owned();
    }
    let s = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    if s.is_empty() { ".".to_owned() } else { s }
}

/// `path` with `.` and `..` resolved lexically (without touching the file system).
pub fn normalize(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The directory a run may read: the git work tree around `root` (found by its `.git`
/// entry, a directory or a file), else `root` itself.
pub fn boundary(root: &Path) -> std::path::PathBuf {
    root.ancestors().find(|d| d.join(".git").exists()).unwrap_or(root).to_path_buf()
}

/// Reads a regular file that lies inside `boundary`, also after following symbolic
/// links (of the file or of the directories on its path). Anything else (outside, a
/// device, a FIFO, a directory, missing) is `None`: a run never reads outside the
/// repository, and never blocks on a special file.
pub fn read_inside(boundary: &Path, path: &Path) -> Option<Vec<u8>> {
    try_read_inside(boundary, path).ok()
}

/// `read_inside`, saying why not.
pub fn try_read_inside(boundary: &Path, path: &Path) -> std::io::Result<Vec<u8>> {
    let refuse = |why: &str| Err(std::io::Error::other(why.to_owned()));
    let path = normalize(path);
    if !path.starts_with(boundary) {
        return refuse("outside the repository");
    }
    // Looked at before anything follows the path: opening a FIFO blocks.
    let meta = std::fs::symlink_metadata(&path)?;
    if !(meta.is_file() || meta.file_type().is_symlink()) {
        return refuse("not a regular file");
    }
    // A regular file's own name is no link: only its directory needs resolving, once per
    // directory (resolving each file's whole path was most of a scan's system calls).
    let target = match (meta.is_file(), path.parent(), path.file_name()) {
        (true, Some(dir), Some(name)) => canonical_dir(dir)?.join(name),
        _ => path.canonicalize()?,
    };
    let inside = target.starts_with(boundary) || canonical_dir(boundary).is_ok_and(|b| target.starts_with(b));
    if !inside {
        return refuse("a symbolic link to outside the repository");
    }
    if meta.is_file() {
        return read_regular(&target);
    }
    if !std::fs::metadata(&target)?.is_file() {
        return refuse("not a regular file");
    }
    std::fs::read(&target)
}

/// Opens `path` for reading without following a link at its name and without waiting
/// for a writer (a FIFO): what is opened is then asked for its type (`fstat`), so nothing
/// can be swapped in between a look and the open. The callers refuse what is not a
/// regular file.
#[cfg(unix)]
pub fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)
}

/// Elsewhere: a link or a special file at the name is refused before the open.
#[cfg(not(unix))]
pub fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    let meta = std::fs::symlink_metadata(path)?;
    if !(meta.is_file() || meta.is_dir()) {
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::File::open(path)
}

/// Reads a regular file, refusing anything else without blocking on it (see
/// `open_no_follow`). One `stat` less per file than a look before the read.
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    read_regular_up_to(path, u64::MAX)
}

/// `read_regular`, refusing a file of more than `max` bytes, by its size and by what is
/// read (a file that grows while it is read).
pub fn read_regular_up_to(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = open_no_follow(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let too_large = || std::io::Error::other(format!("more than {max} bytes"));
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    // Through `Take`, which the standard library does not ask for the file's size and
    // position again (two more system calls per file), and up to the size `fstat` gave:
    // no last read to find the end of a file whose length is known. A size of 0 may be a
    // file system that does not know it: read to the end (or past `max`).
    let limit = if meta.len() == 0 { max.saturating_add(1) } else { meta.len() };
    (&file).take(limit).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// `dir.canonicalize()`, remembered for the run: the directories of a checkout do not
/// turn into links while it is checked.
fn canonical_dir(dir: &Path) -> std::io::Result<PathBuf> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashMap<PathBuf, PathBuf>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some(found) = seen.lock().ok().and_then(|s| s.get(dir).cloned()) {
        return Ok(found);
    }
    let found = dir.canonicalize()?;
    if let Ok(mut s) = seen.lock() {
        s.insert(dir.to_path_buf(), found.clone());
    }
    Ok(found)
}

/// `path` as seen from `from`: relative, with `..` where it lies outside (as cargo and
/// rustc print paths relative to the current directory). Both are absolute.
pub fn relative_from(from: &Path, path: &Path) -> String {
    let (from, path) = (normalize(from), normalize(path));
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = path.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(to[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    if parts.is_empty() { ".".to_owned() } else { parts.join("/") }
}

/// Whether `path` is a dependency manifest or lock file, by its file name (any case):
/// what a fix that adds or bumps a dependency changes, and so does every other
/// dependency bump. `verify` says when a fix changed one (its set-up may need to run);
/// an incident's code leaves them out unless its `paths` list them. `settings.gradle`
/// names the build's modules, not its dependencies, and is not one.
pub fn is_dependency_manifest(path: &str) -> bool {
    const NAMES: &[&str] = &[
        "cargo.toml",
        "cargo.lock",
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "tox.ini",
        "environment.yml",
        "poetry.lock",
        "uv.lock",
        "pdm.lock",
        "pipfile",
        "pipfile.lock",
        "go.mod",
        "go.sum",
        "pom.xml",
        "gradle.properties",
        "gradle.lockfile",
        "libs.versions.toml",
    ];
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    NAMES.contains(&name.as_str())
        || (name.starts_with("requirements") && (name.ends_with(".txt") || name.ends_with(".in")))
        || name.starts_with("build.gradle")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn reads_only_regular_files_up_to_their_cap_never_through_a_link_or_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read_regular_up_to(&file, 5).unwrap(), b"12345");
        assert!(read_regular_up_to(&file, 4).unwrap_err().to_string().contains("more than 4 bytes"));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(read_regular(&link).is_err(), "a link at the name is not followed");
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert!(read_regular(&fifo).unwrap_err().to_string().contains("not a regular file"), "and it did not block");
        // A device that never ends is cut at the cap, not read to its end.
        assert!(read_regular_up_to(Path::new("/dev/zero"), 1 << 20).is_err());
    }

    #[test]
    fn paths_from_another_directory() {
        let r = |from: &str, to: &str| relative_from(Path::new(from), Path::new(to));
        assert_eq!(r("/repo", "/repo/a/b.rs"), "a/b.rs");
        assert_eq!(r("/repo/a", "/repo/a/b.rs"), "b.rs");
        assert_eq!(r("/repo/x/y", "/repo/a/b.rs"), "../../a/b.rs");
        assert_eq!(r("/repo", "/repo"), ".");
        assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
    }
}
