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
                    if !entry.file_type().is_some_and(|t| t.is_file()) {
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
