//! A linked test in a file its test runner never builds or collects guards nothing: cargo
//! compiles `tests/*.rs` and the modules they declare, not `tests/off/a.rs`; pytest
//! collects what its configuration says; the go tool skips `testdata/`.

use super::Context;
use crate::finding::Finding;
use crate::reach::Verdict;
use crate::rules::Rule;

pub struct Check;

const HELP: &str = "move the test where its test runner finds it (or declare its file, e.g. with `mod`), or retire it in the postmortem's `retired_tests` with a reason";

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestNotCompiled
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for v in &cx.model.not_run {
            let (why, loc, help) = match &v.verdict {
                Verdict::NotRun { why, loc } => (why, loc, HELP),
                Verdict::Uncollectable { why, loc, help } => (why, loc, help.as_str()),
                _ => continue,
            };
            let Some(test) = cx.model.linked_tests().find(|t| t.id == v.test) else { continue };
            // The change removed the `mod` that built the test's file: the finding stands
            // where that line was, in the diff the reviewer reads.
            let removed = cx.model.removed_mods.iter().find(|m| m.declared(&test.loc.path));
            // Else, when the test's own file is as it was, a change to the manifest of its
            // package: that manifest's first changed line. (A test whose file moved or
            // changed is reported at the test, where the diff shows it.)
            let file_changed = match cx.model.history().map(|h| &h.base) {
                Some(crate::git::BaseState::Found { changed, .. }) => changed.contains(&test.loc.path),
                _ => true,
            };
            let manifest = cx.model.changed_manifests.iter().filter(|(p, _)| {
                let dir = p.strip_suffix("Cargo.toml").unwrap_or(p);
                !file_changed && test.loc.path.starts_with(dir)
            });
            let manifest = manifest.max_by_key(|(p, _)| p.len()); // the nearest: the package's own
            for link in &test.links {
                let mut message = format!("test `{}`, linked to {}, is never run: {why}", test.id, link.incident);
                let mut f = match removed {
                    Some(m) => {
                        message.push_str(&format!(
                            "; this change removed `mod {};` from {}, line {} at the base",
                            m.name,
                            crate::finding::prose(&m.path),
                            m.line
                        ));
                        let mut f = Finding::new(Rule::LinkedTestNotCompiled, message).at(&crate::finding::Location {
                            path: m.path.clone(),
                            line: m.line,
                            column: 1,
                            len: 1,
                        });
                        f.line_at_base = true;
                        f
                    }
                    None => match manifest {
                        Some((path, line)) => {
                            message.push_str(&format!(
                                "; this change edited {} (first at line {line})",
                                crate::finding::prose(path)
                            ));
                            Finding::new(Rule::LinkedTestNotCompiled, message).at(&crate::finding::Location {
                                path: path.clone(),
                                line: *line,
                                column: 1,
                                len: 1,
                            })
                        }
                        None => Finding::new(Rule::LinkedTestNotCompiled, message).at(loc),
                    },
                };
                f = f.incident(&link.incident).test(&test.id).help(help);
                out.push(f);
            }
        }
    }
}
