//! Renderers: each output format is one file that turns a `Report` into text. A renderer
//! decides nothing; it only presents what the checks found.
//!
//! Everything a report shows that came from the repository (titles, test names, paths,
//! marker text, config values) is untrusted: each format makes it inert in its own way,
//! with the two helpers below shared so the formats agree on what "dangerous" means.

pub mod github;
pub mod human;
pub mod input;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod stats;
pub mod verify;

use crate::report::Report;
use std::io::{self, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics for people (coloured on a terminal)
    Human,
    /// one JSON document, for machines
    Json,
    /// GitHub workflow commands (annotations); appends the Markdown report to $GITHUB_STEP_SUMMARY
    Github,
    /// the pull-request comment in GitHub-flavoured Markdown
    Markdown,
    /// SARIF 2.1.0 for GitHub code scanning
    Sarif,
}

/// Settings that change how, not what, a renderer prints.
#[derive(Clone, Debug, Default)]
pub struct Style {
    pub color: bool,
    /// Where `path#Lline` links in Markdown point, e.g.
    /// `https://github.com/OWNER/REPO/blob/SHA`; plain text without it.
    pub link_base: Option<String>,
    /// For human output: the current directory and the work tree the report's paths are
    /// relative to, so that paths are printed relative to where the user stands.
    pub paths_from: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

impl Style {
    /// A report path as human output shows it.
    pub fn path(&self, path: &str) -> String {
        match &self.paths_from {
            Some((cwd, root)) => crate::paths::relative_from(cwd, &root.join(path)),
            None => path.to_owned(),
        }
    }
}

pub fn render(report: &Report, format: Format, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, style, out),
        Format::Json => json::render(report, out),
        Format::Github => github::render(report, out),
        Format::Markdown => markdown::render(report, style, out),
        Format::Sarif => sarif::render(report, out),
    }
}

pub use crate::terminal::is_bidi_control;

/// Percent-encodes a repository path as the path of a relative URI (RFC 3986): the
/// unreserved characters and `/` stay, every other byte of the UTF-8 becomes `%XX`. A raw
/// `#` or `?` would end the path, a space or `%` make it invalid.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_path_keeps_unreserved_and_slash_and_encodes_the_rest() {
        assert_eq!(uri_path("src/a-b_c.d~e/F9.rs"), "src/a-b_c.d~e/F9.rs");
        assert_eq!(uri_path("a b%c#d?e"), "a%20b%25c%23d%3Fe");
        assert_eq!(uri_path("tests/caf\u{e9}.rs"), "tests/caf%C3%A9.rs");
        assert_eq!(uri_path("we|ird\nname"), "we%7Cird%0Aname");
    }
}
