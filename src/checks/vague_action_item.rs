//! Action items that name a wish instead of a change. The list below is maintained here;
//! `incident-guard explain vague-action-item` gives the reasoning.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;

pub struct Check;

/// Phrases that are not an action by themselves.
const VAGUE: &[&str] = &[
    "be more careful",
    "be careful",
    "pay more attention",
    "pay attention",
    "improve monitoring",
    "better monitoring",
    "more monitoring",
    "add monitoring",
    "improve alerting",
    "better alerting",
    "better communication",
    "improve communication",
    "communicate better",
    "improve testing",
    "more testing",
    "add more tests",
    "add tests",
    "better testing",
    "improve documentation",
    "update documentation",
    "improve process",
    "improve the process",
    "review process",
    "raise awareness",
    "training",
    "more training",
    "investigate",
    "look into",
    "follow up",
    "double check",
    "fix it",
    "fix the bug",
    "be more vigilant",
    "try harder",
];

/// Words that add nothing to a vague phrase ("investigate the issue further").
const FILLER: &[&str] = &[
    "more",
    "further",
    "better",
    "the",
    "this",
    "that",
    "it",
    "issue",
    "issues",
    "problem",
    "problems",
    "incident",
    "again",
    "in",
    "future",
    "general",
    "generally",
    "overall",
    "things",
    "going",
    "forward",
    "team",
    "teams",
    "our",
    "we",
    "should",
    "to",
    "and",
    "a",
    "an",
    "of",
    "on",
    "for",
    "around",
    "root",
    "cause",
    "all",
    "across",
    "board",
    "some",
    "any",
    "etc",
];

fn words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// Whether a title is a vague phrase plus only filler words.
pub fn is_vague(title: &str) -> Option<&'static str> {
    let title = words(title);
    VAGUE.iter().copied().find(|phrase| {
        let phrase = words(phrase);
        title.windows(phrase.len()).enumerate().any(|(at, w)| {
            w == phrase.as_slice()
                && title[..at].iter().chain(&title[at + phrase.len()..]).all(|rest| FILLER.contains(&rest.as_str()))
        })
    })
}

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::VagueActionItem
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for pm in cx.model.incidents().filter(|p| super::is_held_to_lints(p)) {
            for item in &pm.action_items {
                let Some(phrase) = is_vague(&item.title) else { continue };
                out.push(
                    Finding::new(
                        Rule::VagueActionItem,
                        format!("action item {}#{} (\"{}\") is too vague to be done or checked", pm.id, item.id, item.title),
                    )
                    .at(&item.loc)
                    .subject(&format!("action item {}", item.id))
                    .incident(&pm.id)
                    .help(format!(
                        "\"{phrase}\" names a wish, not a change: say what will change and where, e.g. \"Alert when pool acquire latency p99 > 500 ms for 5 min\""
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_vague;

    #[test]
    fn vague_titles_and_concrete_ones() {
        for t in [
            "Be more careful",
            "Improve monitoring.",
            "Better communication",
            "Investigate",
            "investigate the issue further",
            "Add more tests",
        ] {
            assert!(is_vague(t).is_some(), "{t}");
        }
        for t in [
            "Investigate why the pool does not reconnect after failover",
            "Improve monitoring of pool acquire latency with an alert at 500 ms",
            "Add regression test: retries reuse the idempotency key",
            "Careful rollout checklist for schema migrations",
        ] {
            assert!(is_vague(t).is_none(), "{t}");
        }
    }
}
