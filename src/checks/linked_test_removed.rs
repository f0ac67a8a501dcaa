//! A link present at the base revision and gone at HEAD is a lost regression test,
//! unless the postmortem retired it or the test was merely renamed or moved.

use super::Context;
use crate::finding::{Finding, code, prose};
use crate::history::RemovalKind;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestRemoved
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let Some(changes) = &cx.model.changes else { return };
        let marker = cx.config.markers.first().map_or("incident", String::as_str);
        for r in &changes.removed {
            let (what, loc) = match r.kind {
                RemovalKind::TestDeleted => {
                    (format!("test {}, linked to {}, was deleted", code(&r.test), r.incident), &r.base_loc)
                }
                RemovalKind::MarkerRemoved => (
                    format!(
                        "test {} no longer carries the {} marker",
                        code(&r.test),
                        code(&format!("{marker}: {}", r.incident))
                    ),
                    r.head_loc.as_ref().unwrap_or(&r.base_loc),
                ),
                RemovalKind::NotFoundInUnparsable => (
                    format!(
                        "test `{}`, linked to {}, cannot be found: {} does not parse, and read as text it holds no test `{}` under a marker naming {}",
                        r.test,
                        r.incident,
                        r.base_loc.path,
                        short_name(&r.test),
                        r.incident
                    ),
                    &r.base_loc,
                ),
                RemovalKind::FileDeleted => (
                    format!(
                        "file {} was deleted, and with it test {}, linked to {}",
                        prose(&r.base_loc.path),
                        code(&r.test),
                        r.incident
                    ),
                    &r.base_loc,
                ),
            };
            let pm = cx.model.incident(&r.incident);
            let mut f = Finding::new(Rule::LinkedTestRemoved, what).incident(&r.incident).test(&r.test);
            // A test deleted from a file that is still there: where it was in that file,
            // which the diff shows the reviewer. A deleted file has no line at HEAD: the
            // postmortem instead. (The postmortem is the finding's `related` place.)
            let file_remains =
                cx.model.sources.files.iter().chain(cx.model.rescans.iter()).any(|f| f.path == r.base_loc.path);
            f = match (r.kind, pm) {
                (RemovalKind::MarkerRemoved | RemovalKind::NotFoundInUnparsable, _) | (_, None) => f.at(loc),
                (RemovalKind::TestDeleted, Some(_)) if file_remains => {
                    let mut f = f.at(&r.base_loc);
                    f.line_at_base = true;
                    f
                }
                (_, Some(pm)) => f.at(&pm.loc),
            };
            let title = pm.map(|p| format!(" ({})", prose(&p.title))).unwrap_or_default();
            out.push(f.help(format!(
                "this test guards against incident {}{title}: restore it, or, if it is deliberately gone, add {} to the postmortem",
                r.incident,
                code(&format!("retired_tests = [{{ test = \"{}\", reason = \"…\" }}]", r.test))
            )));
        }
    }
}

/// The test's name: the last part of its identity.
fn short_name(id: &str) -> &str {
    id.rsplit("::").next().unwrap_or(id)
}
