//! Follow-ups of the most severe incidents get the shortest deadlines (`[sla_days]`).

use super::Context;
use crate::finding::Finding;
use crate::postmortem::ItemStatus;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::ActionItemPastSla
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let today = cx.model.today;
        for pm in cx.model.incidents().filter(|p| super::is_held_to_lints(p)) {
            let (Some(sev), Some(date)) = (&pm.severity, pm.date) else { continue };
            let Some((_, &limit)) = cx.config.sla_days.iter().find(|(s, _)| s.eq_ignore_ascii_case(sev)) else {
                continue;
            };
            let age = today.days() - date.days();
            if age <= limit {
                continue;
            }
            for item in pm.action_items.iter().filter(|a| matches!(a.status, ItemStatus::Open | ItemStatus::InProgress))
            {
                out.push(
                    Finding::new(
                        Rule::ActionItemPastSla,
                        format!(
                            "action item {}#{} of a {sev} incident is still {} {age} days after the incident (deadline: {limit} days)",
                            pm.id,
                            item.id,
                            item.status.as_str()
                        ),
                    )
                    .at(&item.loc)
                    .subject(&format!("action item {}", item.id))
                    .incident(&pm.id)
                    .help("finish and close it, or escalate; mark it `wontfix` with a reason if it will not be done"),
                );
            }
        }
    }
}
