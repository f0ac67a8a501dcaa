//! A postmortem whose action items neither prevent nor detect a recurrence has not yet
//! turned the incident into a defence.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::NoPreventAction
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for pm in cx.model.incidents().filter(|p| super::is_held_to_lints(p)) {
            if pm.action_items.iter().any(|a| matches!(a.kind.as_deref(), Some("prevent" | "detect"))) {
                continue;
            }
            out.push(
                Finding::new(Rule::NoPreventAction, format!("no action item of {} prevents or detects a recurrence", pm.id))
                    .at(&pm.loc)
                    .incident(&pm.id)
                    .help("add an item with `kind = \"prevent\"` (a test, a validation) or `kind = \"detect\"` (an alert), or mark an existing one"),
            );
        }
    }
}
