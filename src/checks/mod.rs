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
    fold(cx.model, &mut findings);
    findings.sort_by(|a, b| {
        (a.level, a.rule, &a.path, a.line, a.column, &a.message)
            .cmp(&(b.level, b.rule, &b.path, b.line, b.column, &b.message))
    });
    findings.dedup();
    findings
}

/// One cause, one finding. Two rules can fire on the same cause, and a reader would fix
/// one thing and see two errors:
/// - removing an incident's last linked test is `linked-test-removed` and, because the
///   incident is now without a test, `missing-regression-test`: the removal stays (it
///   points at what the change did), says the incident is left without a test, and the
///   missing test goes;
/// - an open item of a severe incident past its `due` date is `overdue-action-item` and,
///   when the severity's deadline has passed too, `action-item-past-sla`: the SLA finding
///   stays (the stronger deadline) and says the item is overdue as well.
///
/// The finding that stays takes the higher of the two levels, so folding never lowers
/// what a team configured.
pub fn fold(model: &Model, findings: &mut Vec<Finding>) {
    use crate::rules::Level;
    let higher = |a: Level, b: Level| if a < b { a } else { b }; // Error < Warning < Note
    // Removal + missing test, per incident.
    let missing: std::collections::HashMap<String, Level> = findings
        .iter()
        .filter(|f| f.rule == Rule::MissingRegressionTest)
        .filter_map(|f| Some((f.incident.clone()?, f.level)))
        .collect();
    let mut folded: std::collections::HashSet<String> = std::collections::HashSet::new();
    for f in findings.iter_mut().filter(|f| f.rule == Rule::LinkedTestRemoved) {
        let Some(id) = f.incident.clone() else { continue };
        let Some(&level) = missing.get(&id) else { continue };
        f.level = higher(f.level, level);
        f.message.push_str(&format!("; incident {id} is left without a regression test"));
        folded.insert(id);
    }
    findings.retain(|f| {
        !(f.rule == Rule::MissingRegressionTest && f.incident.as_ref().is_some_and(|id| folded.contains(id)))
    });
    // Overdue + past the SLA, per action item (its location in the postmortem).
    let key = |f: &Finding| (f.incident.clone(), f.path.clone(), f.line);
    let overdue: std::collections::HashMap<_, Level> =
        findings.iter().filter(|f| f.rule == Rule::OverdueActionItem).map(|f| (key(f), f.level)).collect();
    let mut both = std::collections::HashSet::new();
    for f in findings.iter_mut().filter(|f| f.rule == Rule::ActionItemPastSla) {
        let Some(&level) = overdue.get(&key(f)) else { continue };
        f.level = higher(f.level, level);
        let due = f.incident.as_deref().and_then(|id| model.incident(id)).and_then(|pm| {
            pm.action_items.iter().find(|a| Some(a.loc.line) == f.line && Some(&a.loc.path) == f.path.as_ref())?.due
        });
        match due {
            Some(due) => f.message.push_str(&format!(", and past its due date {due}")),
            None => f.message.push_str(", and past its due date"),
        }
        both.insert(key(f));
    }
    findings.retain(|f| !(f.rule == Rule::OverdueActionItem && both.contains(&key(f))));
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
