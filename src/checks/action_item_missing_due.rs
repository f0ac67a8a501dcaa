//! An open action item without a due date can never be late, so it is never noticed.

use super::Context;
use crate::finding::Finding;
use crate::postmortem::ItemStatus;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::ActionItemMissingDue
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for pm in cx.model.incidents().filter(|p| super::is_held_to_lints(p)) {
            let open = pm.action_items.iter().filter(|a| matches!(a.status, ItemStatus::Open | ItemStatus::InProgress));
            for item in open.filter(|a| a.due.is_none() && !a.due_given) {
                out.push(
                    Finding::new(
                        Rule::ActionItemMissingDue,
                        format!("action item {}#{} has no due date", pm.id, item.id),
                    )
                    .at(&item.loc)
                    .subject(&format!("action item {}", item.id))
                    .incident(&pm.id)
                    .help("agree a date and set `due = YYYY-MM-DD`"),
                );
            }
        }
    }
}
