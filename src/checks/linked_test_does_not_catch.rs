//! A linked test that `verify` saw pass without its incident's fix would not have caught
//! the incident. `verify` reports it as it runs; `check` reports it from the proof that
//! `verify --record` left, for as long as the test's text is the one that was verified.

use super::Context;
use crate::finding::{Finding, code};
use crate::proof::{Outcome, Standing, short};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestDoesNotCatch
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for test in cx.model.linked_tests() {
            for link in &test.links {
                let Standing::Current(proof) = cx.model.proofs.standing(&link.incident, &test.id, test.body.as_str())
                else {
                    continue;
                };
                if proof.outcome != Outcome::DoesNotCatch {
                    continue;
                }
                out.push(finding(&link.incident, &test.id, &proof.fix).at(&test.loc));
            }
        }
    }
}

/// The finding for a test that passed without the fix `fix` (a full SHA): `verify`
/// reports the same words.
pub fn finding(incident: &str, test: &str, fix: &str) -> Finding {
    Finding::new(
        Rule::LinkedTestDoesNotCatch,
        format!(
            "test {}, linked to {incident}, passes without the fix {}: it would not have caught the incident",
            code(test),
            short(fix)
        ),
    )
    .incident(incident)
    .test(test)
    .help(format!(
        "make the test exercise what the fix changed, so that it fails without it, then run {}; if {} is not the fix, name it in the postmortem's `fix_commits`",
        code(&format!("incident-guard verify {incident} --record")),
        short(fix)
    ))
}
