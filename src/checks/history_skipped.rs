//! A check that needs git and did not run says so, with the reason: a skipped check must
//! never look like a passed one. `--no-git` makes the skip deliberate and silent.

use super::Context;
use crate::finding::Finding;
use crate::git::{BaseState, Git};
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::HistorySkipped
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        match &cx.model.git {
            Git::Disabled | Git::Unreadable(_) => {}
            Git::NotARepo(why) => {
                for rule in [Rule::LinkedTestRemoved, Rule::ActionItemWithoutCommit] {
                    out.push(
                        Finding::new(Rule::HistorySkipped, format!("{rule} did not run: {why}")).help(
                            "run inside a git repository, or pass --no-git to skip the history checks deliberately",
                        ),
                    );
                }
            }
            Git::Repo(h) => match &h.base {
                BaseState::NotFound(why) => out.push(
                    Finding::new(Rule::HistorySkipped, format!("{} did not run: {why}", Rule::LinkedTestRemoved))
                        .help("pass the revision to compare with: --base origin/main"),
                ),
                // Comparing HEAD with itself sees only uncommitted changes: on a branch
                // whose commits removed a test, that would look like a pass.
                BaseState::Found { info, .. } if info.is_head => out.push(
                    Finding::new(
                        Rule::HistorySkipped,
                        format!(
                            "{} compared HEAD with itself ({}): only uncommitted changes were checked for removed tests",
                            Rule::LinkedTestRemoved,
                            info.reason
                        ),
                    )
                    .help("to check a branch's commits, pass the revision it started from: --base origin/main"),
                ),
                _ => {}
            },
        }
    }
}
