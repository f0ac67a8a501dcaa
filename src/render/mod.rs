//! Renderers: each output format is one file that turns a `Report` into text. A renderer
//! decides nothing; it only presents what the checks found.

pub mod human;
pub mod json;

use crate::report::Report;
use std::io::{self, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics for people (coloured on a terminal)
    Human,
    /// one JSON document (SPEC §5), for machines
    Json,
}

/// Settings that change how, not what, a renderer prints.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
}

pub fn render(report: &Report, format: Format, style: Style, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, style, out),
        Format::Json => json::render(report, out),
    }
}
