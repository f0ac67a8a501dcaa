//! `verify`'s scratch directory: where the worktrees, the logs of the runs and the shared
//! cargo target live. It is made afresh for each run of `verify`, with a random name and
//! mode 0700, and checked to be ours before use, so that another user of the machine can
//! neither guess it, nor prepare it (a directory or a link waiting at a known name), nor
//! read what the tests write there; every file in it is created new, never opened through
//! a link. It is removed when `verify` ends, and on Ctrl-C.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The scratch directories that exist now: what an interruption removes.
static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A scratch directory; removed, with everything in it, on drop.
pub struct Scratch {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl Scratch {
    /// A new private directory in the system's temporary directory.
    pub fn create() -> Result<Scratch, String> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("incident-guard-verify-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder
            .tempdir()
            .map_err(|e| format!("cannot create a scratch directory in {}: {e}", std::env::temp_dir().display()))?;
        let path = dir.path().to_path_buf();
        private(&path)?;
        DIRS.lock().unwrap_or_else(|e| e.into_inner()).push(path.clone());
        Ok(Scratch { dir: Some(dir), path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        DIRS.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| p != &self.path);
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}

/// Checks that `dir` is a real directory (not a link), owned by this process's user and
/// open to nobody else.
fn private(dir: &Path) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if !meta.file_type().is_dir() {
        return Err(format!("the scratch directory {} is not a directory", dir.display()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        // SAFETY: geteuid(2) takes no arguments and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me || meta.mode() & 0o777 != 0o700 {
            return Err(format!(
                "the scratch directory {} is not private (owner {}, mode {:o}); nothing was run",
                dir.display(),
                meta.uid(),
                meta.mode() & 0o777
            ));
        }
    }
    Ok(())
}

/// Creates `path` as a new file for writing: an error when anything (a file, a link) is
/// already there, so that nothing is ever written through a link.
pub fn create_file(path: &Path) -> Result<std::fs::File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW).mode(0o600);
    }
    options.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
}

/// Removes every scratch directory: what an interruption does before the process exits.
pub fn remove_all() {
    let dirs: Vec<PathBuf> = DIRS.lock().unwrap_or_else(|e| e.into_inner()).drain(..).collect();
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_directory_is_new_private_and_gone_after_use() {
        let a = Scratch::create().unwrap();
        let b = Scratch::create().unwrap();
        assert_ne!(a.path(), b.path());
        private(a.path()).unwrap();
        let path = a.path().to_path_buf();
        std::fs::write(path.join("x"), "y").unwrap();
        drop(a);
        assert!(!path.exists());
    }

    #[cfg(unix)]
    #[test]
    fn files_are_created_new_never_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        let link = dir.path().join("w0.log");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(create_file(&link).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        let existing = dir.path().join("existing");
        std::fs::write(&existing, "old").unwrap();
        assert!(create_file(&existing).is_err());
        assert!(create_file(&dir.path().join("new")).is_ok());
    }
}
