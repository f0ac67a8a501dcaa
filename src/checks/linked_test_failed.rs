//! A linked test that failed in the run, and passed in no result file, is the incident's
//! own alarm going off: the regression it guards against may be back.

use super::Context;
use crate::finding::{Finding, code};
use crate::results::{Status, first_lines};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestFailed
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let Some(runs) = &cx.model.runs else { return };
        for test in cx.model.linked_tests() {
            let Some(Status::Failed { text, file }) = runs.tests.get(&test.id).map(|r| &r.status) else { continue };
            let quoted = first_lines(text, 3);
            let what = if quoted.is_empty() {
                " (the report gives no failure text)".to_owned()
            } else {
                format!(": {}", code(&quoted))
            };
            for link in &test.links {
                let title = cx
                    .model
                    .incident(&link.incident)
                    .map(|p| format!(" ({})", crate::finding::prose(&p.title)))
                    .unwrap_or_default();
                out.push(
                    Finding::new(
                        Rule::LinkedTestFailed,
                        format!("test {}, linked to {}, failed in {}{what}", code(&test.id), link.incident, code(file)),
                    )
                    .at(&test.loc)
                    .incident(&link.incident)
                    .test(&test.id)
                    .help(format!(
                        "this test guards against incident {}{title}, and the failure may be that incident coming back: make it pass, then check with the new results",
                        link.incident
                    )),
                );
            }
        }
    }
}
