//! A deliberate weakening of the guard through the config, with the reason the change
//! gives: recorded as a note, so that it is visible in the report and the PR comment.

use super::Context;
use super::config_weakened::{locate, weakenings};
use crate::finding::Finding;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::GuardChangeAccepted
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        if !cx.config.accepts_weakening() {
            return;
        }
        let reason = cx.config.guard_change_reason.as_deref().unwrap_or("");
        for w in weakenings(cx) {
            let f = Finding::new(
                Rule::GuardChangeAccepted,
                format!("this change weakens the guard: {}; accepted because: {reason}", w.what),
            );
            out.push(locate(cx, f, w.line));
        }
    }
}
