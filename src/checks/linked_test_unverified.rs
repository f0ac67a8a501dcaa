//! Opt-in: a linked test with no current `caught` proof in the lock file has not been
//! shown to catch its incident. The lock file lets CI verify only the links a change adds
//! or edits; this rule holds every other link to the proof it already has.

use super::Context;
use crate::finding::{Finding, code};
use crate::proof::{Outcome, Standing};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestUnverified
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let lock = format!("{}/{}", cx.config.postmortems.trim_end_matches('/'), crate::proof::FILE_NAME);
        for test in cx.model.linked_tests() {
            for link in &test.links {
                let why = match cx.model.proofs.standing(&link.incident, &test.id, test.body.as_str()) {
                    Standing::Current(p) if p.outcome == Outcome::Caught => continue,
                    Standing::Current(p) => format!("its proof is {}", p.describe()),
                    Standing::Stale(p) => format!("the test changed since its proof ({})", p.describe()),
                    Standing::None => format!("{lock} has no proof for it"),
                };
                out.push(
                    Finding::new(
                        Rule::LinkedTestUnverified,
                        format!(
                            "test {}, linked to {}, is not shown to catch the incident: {why}",
                            code(&test.id),
                            link.incident
                        ),
                    )
                    .at(&test.loc)
                    .incident(&link.incident)
                    .test(&test.id)
                    .help(format!(
                        "run {} and commit {lock}",
                        code(&format!(
                            "incident-guard verify {} --test {} --record",
                            link.incident,
                            shell_word(&test.id)
                        ))
                    )),
                );
            }
        }
    }
}

/// `word` as one shell word: as is when it holds nothing a shell reads, else in single
/// quotes (a JavaScript test's identity has spaces and `>`).
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._:-+=@,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
