//! An action item owned by a placeholder belongs to nobody.

use super::Context;
use crate::finding::{Finding, code};
use crate::rules::Rule;

pub struct Check;

/// Owners that name nobody in particular.
const PLACEHOLDERS: &[&str] = &[
    "", "tbd", "tba", "todo", "@owner", "owner", "?", "??", "-", "n/a", "na", "none", "nobody", "unknown", "someone",
    "team", "the team", "us", "we",
];

pub fn is_placeholder(owner: &str) -> bool {
    PLACEHOLDERS.contains(&owner.trim().to_lowercase().as_str())
}

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::ActionItemMissingOwner
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for pm in cx.model.incidents().filter(|p| super::is_held_to_lints(p)) {
            for item in pm.action_items.iter().filter(|a| is_placeholder(&a.owner)) {
                out.push(
                    Finding::new(
                        Rule::ActionItemMissingOwner,
                        format!("action item {}#{} has no real owner ({})", pm.id, item.id, code(&item.owner)),
                    )
                    .at(&item.loc)
                    .subject(&format!("action item {}", item.id))
                    .incident(&pm.id)
                    .help("name a person or a team handle, e.g. `owner = \"@payments-team\"`"),
                );
            }
        }
    }
}
