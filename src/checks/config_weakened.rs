//! A pull request could delete a linked test and, in the same change, tell the tool not
//! to look: lower the rule, exclude the file, drop the marker word. The config is
//! therefore compared with the base revision's, whose settings still bind, and each
//! weakening is an error at the level the base gives this rule.

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;

pub struct Check;

/// One way the change weakens the guard: what, and where in the config file.
pub(super) struct Weakening {
    pub what: String,
    pub line: Option<usize>,
}

/// Every weakening of the guard by the config, compared with the base's.
pub(super) fn weakenings(cx: &Context) -> Vec<Weakening> {
    let config = cx.config;
    let Some(base) = &config.base else { return Vec::new() };
    let mut out: Vec<Weakening> =
        config.weakenings().into_iter().map(|(what, key)| Weakening { line: config.line_of(&key), what }).collect();
    // Files that hold linked tests and that only the base's settings still scan.
    let mut files: Vec<&str> = cx
        .model
        .sources
        .files
        .iter()
        .chain(cx.model.base_files())
        .filter(|f| f.tests.iter().any(|t| !t.links.is_empty()))
        .map(|f| f.path.as_str())
        .chain(cx.model.given_up.iter().map(String::as_str))
        .filter(|p| {
            crate::scan::language_for(p).is_some_and(|l| base.own_wants(p, l.name()) && !config.own_wants(p, l.name()))
        })
        .collect();
    files.sort_unstable();
    files.dedup();
    for path in files {
        let key = ["exclude", "include", "languages"].into_iter().find(|k| config.line_of(k).is_some());
        out.push(Weakening {
            what: format!(
                "{} holds linked tests and would no longer be scanned (`include`, `exclude` or `languages`)",
                code(path)
            ),
            line: key.and_then(|k| config.line_of(k)),
        });
    }
    out
}

/// Where a weakening is reported: its line in the config file, else the file.
pub(super) fn locate(cx: &Context, f: Finding, line: Option<usize>) -> Finding {
    let path = match &cx.config.file {
        Some(file) => crate::paths::relative(&cx.model.root, file),
        None => crate::config::FILE_NAME.to_owned(),
    };
    match line {
        Some(line) => f.at(&crate::finding::Location { path, line, column: 1, len: 1 }),
        None => f.in_file(&path),
    }
}

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::ConfigWeakened
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        if cx.config.accepts_weakening() {
            return;
        }
        for w in weakenings(cx) {
            let f = Finding::new(
                Rule::ConfigWeakened,
                format!("this change weakens the guard: {}; the base's setting still applies", w.what),
            )
            .help("undo it, or, if it is deliberate, say why in the config: `guard_change_reason = \"…\"` (reviewed with the change)");
            out.push(locate(cx, f, w.line));
        }
    }
}
