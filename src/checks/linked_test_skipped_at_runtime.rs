//! A linked test the run reports skipped skipped itself at run time (`pytest.skip()`,
//! `t.Skip()`, a JUnit assumption, a `cfg_attr(…, ignore)` that applied): the source
//! cannot tell, the report can, and a test that skips itself guards nothing.

use super::Context;
use crate::finding::{Finding, code};
use crate::results::{Status, first_lines};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestSkippedAtRuntime
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let Some(runs) = &cx.model.runs else { return };
        for test in cx.model.linked_tests() {
            let Some(Status::Skipped { text, file }) = runs.tests.get(&test.id).map(|r| &r.status) else { continue };
            // `#[ignore]` and the like are `linked-test-ignored` already.
            if test.ignored.is_some() {
                continue;
            }
            let reason = first_lines(text, 2);
            let why = if reason.is_empty() { " (no reason given)".to_owned() } else { format!(": {}", code(&reason)) };
            for link in &test.links {
                out.push(
                    Finding::new(
                        Rule::LinkedTestSkippedAtRuntime,
                        format!("test {}, linked to {}, was skipped at run time in {}{why}", code(&test.id), link.incident, code(file)),
                    )
                    .at(&test.loc)
                    .incident(&link.incident)
                    .test(&test.id)
                    .help("a regression test that skips itself guards nothing in this pipeline: remove the skip, or run the test in a CI job where it does not skip and give that job's results to the check"),
                );
            }
        }
    }
}
