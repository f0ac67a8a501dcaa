//! The rule registry: every finding the tool can emit has one stable kebab-case code,
//! a default level and a one-line summary, all declared in the single table below so
//! that codes, levels, docs and checks cannot drift apart (see `checks::REGISTRY` and
//! the registry tests).

use serde::Serialize;
use std::fmt;

/// How serious a finding is. Ordered so that `Error` sorts first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! rules {
    ($($variant:ident => ($code:literal, $level:ident, $summary:literal),)*) => {
        /// Every rule the tool knows, in the order reports list them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($variant,)*
        }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The stable code users put in config files and see in every output.
            pub fn code(self) -> &'static str {
                match self {
                    $(Rule::$variant => $code,)*
                }
            }

            pub fn default_level(self) -> Level {
                match self {
                    $(Rule::$variant => Level::$level,)*
                }
            }

            /// One line saying when the rule fires.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Rule::$variant => $summary,)*
                }
            }
        }
    };
}

rules! {
    MissingRegressionTest => ("missing-regression-test", Error, "An incident held to the rule has no linked regression test."),
    LinkedTestRemoved => ("linked-test-removed", Error, "A test linked to an incident at the base revision is gone at HEAD."),
    LinkedTestIgnored => ("linked-test-ignored", Error, "A test linked to an incident is disabled (`#[ignore]` or the language's skip)."),
    ActionItemWithoutCommit => ("action-item-without-commit", Error, "A closed action item has no commit that implements it."),
    UnknownIncident => ("unknown-incident", Error, "A marker names an incident ID that no postmortem has."),
    InvalidMarker => ("invalid-marker", Error, "A marker names no incident ID, or an ID with characters an ID may not contain."),
    InvalidPostmortem => ("invalid-postmortem", Error, "A postmortem cannot be read or breaks the postmortem format."),
    DuplicateIncidentId => ("duplicate-incident-id", Error, "Two postmortems share an incident ID."),
    UnparsableSource => ("unparsable-source", Warning, "A source file with a marker cannot be read or parsed; its markers are read from the text."),
    MarkerOnNonTest => ("marker-on-non-test", Warning, "A marker is attached to something that is not a test."),
    LinkedTestMoved => ("linked-test-moved", Note, "A linked test was renamed or moved."),
    StaleRetirement => ("stale-retirement", Warning, "A `retired_tests` entry names a test that still exists, or that never existed at the base revision."),
    HistorySkipped => ("history-skipped", Note, "A check that needs git history did not run."),
    OverdueActionItem => ("overdue-action-item", Warning, "An open or in-progress action item is past its due date."),
    HistoryUnavailable => ("history-unavailable", Error, "Git history needed by a check is missing (shallow clone, missing base)."),
}

impl Rule {
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.code() == code)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for rule in Rule::ALL {
            let code = rule.code();
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{code} is not kebab-case");
            assert_eq!(Rule::from_code(code), Some(*rule));
            assert!(rule.summary().ends_with('.'), "{code}: summary is a sentence");
        }
    }
}
