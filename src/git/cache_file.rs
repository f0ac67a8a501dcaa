//! The files `--cache DIR` keeps between runs: JSON, read as a whole or not at all, and
//! replaced as a whole (written beside and renamed), so that a run interrupted while
//! writing, or two runs at once, never leave half a file. A file that cannot be read is
//! as good as none; one that cannot be written only makes the next run slower.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;

/// `DIR/name` as written by `save`, if it is there and parses as a `T`.
pub fn load<T: DeserializeOwned>(dir: &Path, name: &str) -> Option<T> {
    let bytes = std::fs::read(dir.join(name)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Replaces `DIR/name` with `value`, creating `DIR`; quietly does nothing when it cannot.
pub fn save<T: Serialize>(dir: &Path, name: &str, value: &T) {
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = serde_json::to_vec(value).ok().and_then(|bytes| std::fs::write(&tmp, bytes).ok());
    if written.is_none() || std::fs::rename(&tmp, dir.join(name)).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}
