//! Checks: each rule is one file holding one `Check`, and `REGISTRY` lists them all. A
//! check reads the model and pushes findings; it never prints and never touches git or
//! the file system. Levels from the config are applied afterwards, in one place.

mod action_item_missing_due;
mod action_item_missing_owner;
mod action_item_past_sla;
mod action_item_without_commit;
mod blame_language;
mod config_weakened;
mod duplicate_incident_id;
mod guard_change_accepted;
mod history_skipped;
mod history_unavailable;
mod incident_code_not_found;
mod invalid_marker;
mod invalid_postmortem;
pub mod linked_test_does_not_catch;
mod linked_test_failed;
mod linked_test_ignored;
mod linked_test_moved;
mod linked_test_not_compiled;
mod linked_test_not_run;
mod linked_test_removed;
mod linked_test_skipped_at_runtime;
mod linked_test_skipped_conditionally;
mod linked_test_unverified;
mod marker_on_non_test;
pub mod missing_regression_test;
mod missing_section;
mod near_miss_marker;
mod no_prevent_action;
mod overdue_action_item;
mod stale_retirement;
mod touches_incident_code;
mod unknown_incident;
mod unparsable_source;
mod vague_action_item;

use crate::config::Config;
use crate::finding::Finding;
use crate::model::Model;
use crate::rules::Rule;

pub struct Context<'a> {
    pub model: &'a Model,
    pub config: &'a Config,
}

pub trait Check: Sync {
    fn rule(&self) -> Rule;
    fn run(&self, cx: &Context, out: &mut Vec<Finding>);
}

pub static REGISTRY: &[&dyn Check] = &[
    &missing_regression_test::Check,
    &linked_test_removed::Check,
    &linked_test_ignored::Check,
    &linked_test_not_compiled::Check,
    &linked_test_not_run::Check,
    &linked_test_failed::Check,
    &linked_test_skipped_at_runtime::Check,
    &linked_test_does_not_catch::Check,
    &linked_test_unverified::Check,
    &action_item_without_commit::Check,
    &config_weakened::Check,
    &guard_change_accepted::Check,
    &unknown_incident::Check,
    &invalid_marker::Check,
    &near_miss_marker::Check,
    &invalid_postmortem::Check,
    &duplicate_incident_id::Check,
    &unparsable_source::Check,
    &marker_on_non_test::Check,
    &linked_test_skipped_conditionally::Check,
    &linked_test_moved::Check,
    &stale_retirement::Check,
    &history_skipped::Check,
    &overdue_action_item::Check,
    &history_unavailable::Check,
    &incident_code_not_found::Check,
    &touches_incident_code::Check,
    &action_item_missing_owner::Check,
    &action_item_missing_due::Check,
    &vague_action_item::Check,
    &blame_language::Check,
    &missing_section::Check,
    &no_prevent_action::Check,
    &action_item_past_sla::Check,
];

/// Quality lints hold published work to the practice; drafts are still being written.
pub fn is_held_to_lints(pm: &crate::postmortem::Postmortem) -> bool {
    pm.status != crate::postmortem::Status::Draft
}

/// Runs every check whose rule is not off, and gives each finding its configured level.
pub fn run_all(cx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for check in REGISTRY {
        let Some(level) = cx.config.level(check.rule()) else {
            continue;
        };
        let mut out = Vec::new();
        check.run(cx, &mut out);
        for mut f in out {
            debug_assert_eq!(f.rule, check.rule(), "a check emits only its own rule");
            f.level = level;
            findings.push(f);
        }
    }
    findings.sort_by(|a, b| {
        (a.level, a.rule, &a.path, a.line, a.column, &a.message)
            .cmp(&(b.level, b.rule, &b.path, b.line, b.column, &b.message))
    });
    findings.dedup();
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_exactly_one_check_in_its_own_file() {
        for rule in Rule::ALL {
            let n = REGISTRY.iter().filter(|c| c.rule() == *rule).count();
            assert_eq!(n, 1, "rule {rule} is registered {n} times");
            let file = format!("{}/src/checks/{}.rs", env!("CARGO_MANIFEST_DIR"), rule.code().replace('-', "_"));
            assert!(std::path::Path::new(&file).exists(), "{file} is missing");
        }
    }
}
