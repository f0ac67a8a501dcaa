//! Which files `--test-results` and the config's `test_results` name. A pattern is a
//! path or a glob (`reports/**/*.xml`); one that matches nothing is an error, never a
//! silent pass: a test job that wrote its report elsewhere, or an artifact that was not
//! downloaded, would otherwise leave every linked test unchecked.

use super::ResultFile;
use anyhow::{Result, bail};
use globset::GlobBuilder;
use std::path::{Path, PathBuf};

/// One pattern, with the directory it is relative to and where it was given, for
/// messages (`--test-results`, `test_results in incident-guard.toml`).
#[derive(Clone, Debug)]
pub struct Pattern {
    pub text: String,
    pub base: PathBuf,
    pub given_in: String,
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// The files the patterns match, each once, in the order of the patterns (and by path
/// within one).
pub fn expand(patterns: &[Pattern]) -> Result<Vec<ResultFile>> {
    let mut out: Vec<ResultFile> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    for p in patterns {
        let text = p.text.replace('\\', "/");
        let mut found: Vec<PathBuf> = Vec::new();
        if !is_glob(&text) {
            let path = p.base.join(&text);
            if !path.exists() {
                bail!(
                    "{} `{}`: no such file (the test run did not write it, or it was not downloaded here)",
                    p.given_in,
                    p.text
                );
            }
            found.push(path);
        } else {
            // Walk only below the pattern's literal directory.
            let parts: Vec<&str> = text.split('/').collect();
            let literal = parts.iter().take_while(|s| !is_glob(s)).count();
            let dir = p.base.join(parts[..literal].join("/"));
            let glob = GlobBuilder::new(&parts[literal..].join("/"))
                .literal_separator(true)
                .build()
                .map_err(|e| anyhow::anyhow!("{} `{}` is not a valid glob: {}", p.given_in, p.text, e.kind()))?
                .compile_matcher();
            if dir.is_dir() {
                let walk = ignore::WalkBuilder::new(&dir).standard_filters(false).follow_links(false).build();
                for entry in walk.flatten() {
                    // A link or a special file is matched too, so that one out of the work
                    // tree, a FIFO or a device is reported (by `open`), never read and never
                    // silently left out.
                    if entry.file_type().is_none_or(|t| t.is_dir()) {
                        continue;
                    }
                    // A link to a directory is no result file; the walk does not enter it.
                    if entry.path_is_symlink() && entry.path().is_dir() {
                        continue;
                    }
                    let Ok(rel) = entry.path().strip_prefix(&dir) else { continue };
                    if glob.is_match(rel) {
                        found.push(entry.path().to_path_buf());
                    }
                }
            }
            found.sort();
            if found.is_empty() {
                bail!(
                    "{} `{}` matches no file (the test run did not write its results there, or they were not downloaded here)",
                    p.given_in,
                    p.text
                );
            }
        }
        for path in found {
            let key = path.canonicalize().unwrap_or_else(|_| path.clone());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let display = match path.strip_prefix(&p.base) {
                Ok(rel) if !p.base.as_os_str().is_empty() => crate::paths::relative(Path::new(""), rel),
                _ => path.display().to_string(),
            };
            out.push(ResultFile { path, display });
        }
    }
    Ok(out)
}

/// The largest result file read: 256 MiB. The 200 MB report of 66,753 failing cases that
/// `benches/test_results.sh` reads fits; `/dev/zero`, or a file that keeps growing, does
/// not make the check read forever.
pub const MAX_FILE: u64 = 256 * 1024 * 1024;

/// Why a result file is refused before a byte of it is read.
fn refuse<T>(why: String) -> std::io::Result<T> {
    Err(std::io::Error::other(why))
}

/// A reader that fails once more than `max` bytes have been read from it: the count is
/// of the bytes read, through `Take`, not of what the caller keeps, so a reader that
/// skips or drops what it reads is bounded too.
pub struct Capped<R> {
    inner: std::io::Take<R>,
    read: u64,
    max: u64,
}

impl<R: std::io::Read> Capped<R> {
    pub fn new(inner: R, max: u64) -> Self {
        Capped { inner: inner.take(max.saturating_add(1)), read: 0, max }
    }
}

impl<R: std::io::Read> std::io::Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max {
            return refuse(too_large(self.max));
        }
        Ok(n)
    }
}

fn too_large(max: u64) -> String {
    format!("it is larger than {} MiB, the most a result file may be", max / (1024 * 1024))
}

/// Opens a result file for reading, under the rules the source walk keeps: a file found
/// inside the work tree (`boundary`) is read only if it still lies inside it once its
/// symbolic links are followed; a symbolic link anywhere is followed only into the work
/// tree; and only a regular file is opened, without following a link and without waiting
/// for a writer (a FIFO), its type and size taken from the open file. A regular file
/// named outside the work tree (a downloaded artifact given with `--test-results`) is
/// read. The caller reads it through `Capped`, with `MAX_FILE`.
pub fn open(path: &Path, boundary: &Path) -> std::io::Result<std::fs::File> {
    let path = crate::paths::normalize(path);
    let meta = std::fs::symlink_metadata(&path)?;
    let target = path.canonicalize()?;
    let canonical_boundary = boundary.canonicalize().unwrap_or_else(|_| boundary.to_path_buf());
    let found_inside = path.starts_with(boundary) || path.starts_with(&canonical_boundary);
    let leads_inside = target.starts_with(&canonical_boundary) || target.starts_with(boundary);
    if (found_inside || meta.file_type().is_symlink()) && !leads_inside {
        return refuse(format!(
            "it is, or lies under, a symbolic link to outside the repository (`{}`): result files are read only where they stand, never through a link out of the work tree",
            target.display()
        ));
    }
    let file = crate::paths::open_no_follow(&target)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return refuse(format!(
            "it is a directory; name the result files, or a glob such as `{}/**/*.xml`",
            path.display()
        ));
    }
    if !meta.is_file() {
        return refuse(
            "it is not a regular file (a device, a FIFO or a socket): only regular files are read as test results"
                .to_owned(),
        );
    }
    if meta.len() > MAX_FILE {
        return refuse(too_large(MAX_FILE));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn a_capped_reader_reads_up_to_the_cap() {
        let mut out = Vec::new();
        Capped::new(&b"0123456789"[..], 10).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"0123456789");
    }

    #[test]
    fn a_capped_reader_fails_past_the_cap_even_when_nothing_is_kept() {
        // An endless source (what `/dev/zero` is), read and thrown away: the count is of
        // the bytes read, so it still ends.
        let err = std::io::copy(&mut Capped::new(std::io::repeat(0), 1000), &mut std::io::sink()).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        let mut out = Vec::new();
        let err = Capped::new(&b"01234567890"[..], 10).read_to_end(&mut out).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        // Through a `BufReader`, as the result readers use it.
        let mut reader = std::io::BufReader::with_capacity(64, Capped::new(std::io::repeat(b' '), 4096));
        let err = std::io::copy(&mut reader, &mut std::io::sink()).unwrap_err();
        assert!(err.to_string().contains("256 MiB") || err.to_string().contains("larger than"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_inside_or_named_outside_are_opened() {
        let work = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let (root, far) = (work.path().canonicalize().unwrap(), outside.path().canonicalize().unwrap());
        std::fs::write(root.join("a.xml"), "<testsuites/>").unwrap();
        std::fs::write(far.join("b.xml"), "<testsuites/>").unwrap();
        std::os::unix::fs::symlink(root.join("a.xml"), root.join("in.xml")).unwrap();
        std::os::unix::fs::symlink(far.join("b.xml"), root.join("out.xml")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.xml")).unwrap();
        std::os::unix::fs::symlink(&far, root.join("dir")).unwrap();
        assert!(open(&root.join("a.xml"), &root).is_ok());
        assert!(open(&root.join("in.xml"), &root).is_ok());
        // A regular file named outside: a downloaded artifact.
        assert!(open(&far.join("b.xml"), &root).is_ok());
        for refused in [root.join("out.xml"), root.join("zero.xml"), root.join("dir/b.xml")] {
            let err = open(&refused, &root).unwrap_err().to_string();
            assert!(err.contains("symbolic link to outside the repository"), "{}: {err}", refused.display());
        }
        // A link outside that leads elsewhere outside is no artifact either.
        std::os::unix::fs::symlink(far.join("b.xml"), far.join("c.xml")).unwrap();
        assert!(open(&far.join("c.xml"), &root).is_err());
        let err = open(Path::new("/dev/zero"), &root).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let fifo = root.join("fifo.xml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let err = open(&fifo, &root).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }
}
