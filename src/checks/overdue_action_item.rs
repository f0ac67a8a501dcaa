//! An open action item past its due date is a lesson not yet learned.

use super::Context;
use crate::finding::Finding;
use crate::postmortem::ItemStatus;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::OverdueActionItem
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let today = cx.model.today;
        for pm in cx.model.incidents() {
            for item in &pm.action_items {
                let Some(due) = item.due else { continue };
                if !matches!(item.status, ItemStatus::Open | ItemStatus::InProgress) || due >= today {
                    continue;
                }
                let days = today.days() - due.days();
                out.push(
                    Finding::new(
                        Rule::OverdueActionItem,
                        format!("action item {}#{} ({}) was due {due}, {days} day(s) ago, and is still {}", pm.id, item.id, item.title, item.status.as_str()),
                    )
                    .at(&item.loc)
                    .subject(&format!("action item {}", item.id))
                    .incident(&pm.id)
                    .help("close it (with a commit that mentions it), move its `due` date, or mark it `wontfix` with a reason"),
                );
            }
        }
    }
}
