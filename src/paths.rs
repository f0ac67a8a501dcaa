//! Repository-relative paths: the only form of path that appears in findings, so that
//! output is the same on every machine and every OS.

use std::path::Path;

/// `path` relative to `root`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    if s.is_empty() { ".".to_owned() } else { s }
}
