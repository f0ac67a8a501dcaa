//! A linked test behind a condition the source cannot decide (`#[cfg(windows)]`,
//! `@pytest.mark.skipif(sys.platform == "win32")`, a Go build constraint) guards only
//! where the condition lets it run. Say which condition, so a reviewer can check that
//! the CI job that matters runs it.

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestSkippedConditionally
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for test in cx.model.linked_tests() {
            let Some(skip) = &test.conditional_skip else { continue };
            for link in &test.links {
                out.push(
                    Finding::new(
                        Rule::LinkedTestSkippedConditionally,
                        format!(
                            "test {}, linked to {}, runs only under a condition: {}",
                            code(&test.id),
                            link.incident,
                            skip.what
                        ),
                    )
                    .at(&skip.loc)
                    .incident(&link.incident)
                    .test(&test.id)
                    .help("make sure the CI job that guards this incident meets the condition; if the test must run everywhere, remove the condition"),
                );
            }
        }
    }
}
