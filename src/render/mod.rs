//! Renderers: each output format is one file that turns a `Report` into text. A renderer
//! decides nothing; it only presents what the checks found.

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod stats;

use crate::report::Report;
use std::io::{self, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics for people (coloured on a terminal)
    Human,
    /// one JSON document (SPEC §5), for machines
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
