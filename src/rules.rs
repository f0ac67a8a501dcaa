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
    ($($variant:ident => ($code:literal, $level:ident, $summary:literal, $explain:literal),)*) => {
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

            /// What the rule checks, why it matters, and how to fix or waive a finding.
            pub fn explain(self) -> &'static str {
                match self {
                    $(Rule::$variant => $explain,)*
                }
            }
        }
    };
}

rules! {
    MissingRegressionTest => ("missing-regression-test", Error, "An incident held to the rule has no linked regression test.", "Every incident that is not a draft must leave a regression test behind: a test that would have caught the problem, linked with a marker comment (`// incident: ID`) directly above it. Without one, nothing stops the same change from causing the same incident again. Fix: write the test and add the marker. If no test is possible (a vendor outage, hardware failure), set `test_waiver` in the postmortem to a sentence saying why; drafts are exempt until published, and `require_tests_for` can limit the rule to some severities."),
    LinkedTestRemoved => ("linked-test-removed", Error, "A test linked to an incident at the base revision is gone at HEAD.", "A test that was linked to an incident at the base revision is gone at HEAD: the test was deleted, its marker removed, or its file deleted. That is exactly how a lesson gets lost months later. Fix: restore the test or its marker. If removing it is deliberate (the code it guarded is gone), add `retired_tests = [{ test = \"PATH::NAME\", reason = \"...\" }]` to the incident's postmortem in the same change. A test renamed or moved with its marker is recognised (body at least 80 % similar) and only noted."),
    LinkedTestIgnored => ("linked-test-ignored", Error, "A linked test never runs: `#[ignore]`, the language's skip, or a condition that never holds.", "A test linked to an incident never runs: `#[ignore]` in Rust or the language's skip (`@pytest.mark.skip`, `t.Skip()` first thing in a Go test, `it.skip`, `@Disabled`), or a condition that can never hold (`#[cfg(any())]`, `#[cfg_attr(all(), ignore)]`, `@pytest.mark.skipif(True, ...)`, `xfail(run=False)`, `__test__ = False`, Go's `//go:build ignore`, `if true { t.Skip() }`). A disabled regression test guards nothing, and the build stays green while the lesson is lost. Fix: make the test pass and remove the skip. If it must go, delete it and retire it in the postmortem's `retired_tests` with a reason."),
    LinkedTestDoesNotCatch => ("linked-test-does-not-catch", Error, "A linked test passes without its incident's fix: it would not have caught the incident.", "`incident-guard verify` ran the linked test where the bug still exists (the parent of the incident's first fix commit, with the test brought from the fix) and it passed, so it would not have caught the incident: a regression test that passes with the fix reverted guards nothing. `check` reports it from a proof recorded with `verify --record` that is still current (the test's text has not changed since). Fix: make the test exercise what the fix changed, so that it fails without the fix, then run `incident-guard verify ID --record` again. If `verify` took the wrong commit for the fix (it says which it used and why), name the fix in the postmortem with `fix_commits`."),
    LinkedTestUnverified => ("linked-test-unverified", Warning, "A linked test carries no current proof that it catches its incident (opt-in).", "A linked test has no current `caught` proof in the lock file that `incident-guard verify --record` writes beside the postmortems (`verified.lock`): it was never verified, its text changed since it was (the proof names the test's blob id), or its proof says something other than `caught`. A proof shows that the test fails without the incident's fix and passes with it. This rule is off unless `[rules]` sets its level, e.g. `linked-test-unverified = \"error\"`. Fix: run `incident-guard verify ID --record` (or `--test TEST`) and commit the lock file; in CI, the Action's `verify: changed` input verifies the links a pull request adds or changes."),
    ActionItemWithoutCommit => ("action-item-without-commit", Error, "A closed action item has no commit that implements it.", "An action item marked `closed` needs evidence: a commit reachable from HEAD whose message contains its reference `INCIDENT-ID#ITEM-ID` as a whole token (a trailer such as `Postmortem-Action: INC-2024-017#A1` works), or an entry of its `commits` list that resolves to a commit. Closed items without a change behind them are how follow-ups quietly evaporate. Fix: reference the item in the implementing commit, or list that commit's SHA in `commits`. An entry of `commits` that does not resolve is reported on its own."),
    LinkedTestNotCompiled => ("linked-test-not-compiled", Error, "A linked test stands in a file its test runner never builds or collects.", "A test linked to an incident stands in a file that its test runner never builds or collects, so it guards nothing however well it is linked. Rust: cargo compiles the targets in Cargo.toml (`src/lib.rs`, `src/main.rs`, `src/bin/*`, `tests/*.rs`, `examples/*`, `benches/*`, and `[[test]]`/`[[bin]]`/... `path`s) and the files they declare with `mod` (following `#[path]` and inline modules); a file in `tests/off/` that nothing declares is never compiled. Python: pytest collects what `testpaths`, `python_files`, `python_classes`, `python_functions` and `norecursedirs` allow. Go: the go tool skips `testdata/` and directories starting with `_` or `.`. Fix: move the test where the runner finds it, or declare its file; if it is deliberately gone, retire it in the postmortem's `retired_tests`."),
    LinkedTestNotRun => ("linked-test-not-run", Error, "Test results were given, and a linked test is not among them: its runner never ran it.", "Test results from this pipeline were given to the check (`--test-results`, `test_results` in the config, the Action's `test-results` input), they hold results for the test's language (and, for Rust, for its crate), and a linked test is not among them. A test that stands in the source but is not in the run guards nothing: it was compiled out (`#[cfg(windows)]`, `cfg(loom)`, a feature, a Go build tag), filtered (`cargo test NAME`, `--skip`, `pytest -k`, `go test -run`, Jest's `testPathIgnorePatterns`, Surefire's `excludes`), left in a package or file the test command does not run (`--exclude`, a crate nobody runs `cargo test` on), or renamed by a macro. The message names the result files read and the name the test was looked for under; docs/markers.md says how each runner names a test. A result file that holds no test case at all (pytest with `--co` in `addopts`, a filter that matched nothing) covers nothing and is reported on the file, while there are linked tests in a language a file of its kind holds results for (JUnit XML: any; `go test -json`: Go; libtest: Rust). Fix: make a CI job whose results are given here run the test; if it is deliberately gone, retire it in the postmortem's `retired_tests`."),
    LinkedTestFailed => ("linked-test-failed", Error, "A linked test failed, or errored, in the test results given to the check.", "A test linked to an incident failed (or errored) in the test results given to the check: the regression it guards against may be back. The message quotes the first lines of the failure from the report. Results of several jobs combine, so a test that passes in any result file counts as passing, unless the config sets `results_conflict = \"fail\"`: a failure in any file then wins, so that a passing report forged beside the real one (a test job runs the pull request's code, which can write any file) cannot hide it. Fix: make the test pass again, then check with the new results."),
    LinkedTestSkippedAtRuntime => ("linked-test-skipped-at-runtime", Error, "A linked test was reported skipped in the test results given to the check.", "A test linked to an incident was reported skipped in the test results given to the check, and passed or failed in none of them: it skipped itself at run time (`pytest.skip()` or a `skipif` that held, `t.Skip()`, `this.skip()` or `t.skip()` in JavaScript, a failed JUnit assumption, `#[cfg_attr(…, ignore)]` that applied). A regression test that skips itself guards nothing in this pipeline, and the source alone cannot tell. A test the source already shows as never running is `linked-test-ignored` instead. Fix: remove the skip, or run the test in a CI job where its condition holds and give that job's results to the check. To accept runtime skips, set `linked-test-skipped-at-runtime = \"warning\"` in `[rules]`."),
    ConfigWeakened => ("config-weakened", Error, "The change weakens the guard through the config: a rule lowered or turned off, a path with linked tests left out, a marker word, language or severity dropped, the postmortems moved.", "A change to the config is checked against the config of the base revision, because a pull request that deletes a linked test could otherwise also turn the guard off: lower `linked-test-removed` to \"off\", add the test file to `exclude`, drop a language or marker word, narrow `require_tests_for`, or point `postmortems` elsewhere. The base's settings still bind: files either config scans are scanned, each rule keeps the stricter level, and this finding is an error at the level the base's config gives it, which the change's own config cannot lower. Fix: undo the weakening; if it is deliberate, say why in the config itself with `guard_change_reason = \"...\"` (a sentence, new in this change), which reviewers see in the diff and in the report."),
    GuardChangeAccepted => ("guard-change-accepted", Note, "The change weakens the guard through the config, for the reason its `guard_change_reason` gives.", "The change weakens the guard through the config (see `config-weakened`) and says why in a `guard_change_reason` that the base's config did not have. The change's own settings apply, and this note records each weakening with the reason, so that reviewers see it in the report. A reason already present at the base excuses nothing new: each weakening change states its own. Nothing to fix if the reason is sound."),
    UnknownIncident => ("unknown-incident", Error, "A marker names an incident ID that no postmortem has.", "A marker names an incident ID that no postmortem has: usually a typo, a postmortem not merged yet, or one whose ID changed. The test links nothing until the ID is right. Fix: correct the ID (the message suggests the nearest one), or add the postmortem."),
    InvalidMarker => ("invalid-marker", Error, "A marker names no incident ID, or an ID with characters an ID may not contain.", "A marker comment names no incident ID (`// incident:` alone), or a token that cannot be an ID (IDs use only letters, digits, `.`, `_` and `-`). The marker was meant to link a test and does not. A marker line gives one finding, naming its first bad tokens and counting the rest. Fix: write the IDs after the marker, separated by commas or spaces, and keep any prose on another line. This rule is an addition to the specification."),
    NearMissMarker => ("near-miss-marker", Warning, "A comment on a test names a known incident but is not a valid marker.", "A comment directly above a test (or between its attributes) names a known incident ID but is not a marker: `// incidents: INC-1`, `// Incident INC-1`, `// incident = INC-1`, `# INC-1 regression`. It was surely meant to link the test, and it links nothing, so the incident may be reported as missing a test far away from here. Fix: write the marker as `// incident: INC-1` (the marker word, a colon, then the IDs) at the start of the comment."),
    InvalidPostmortem => ("invalid-postmortem", Error, "A postmortem cannot be read or breaks the postmortem format.", "A postmortem cannot be read or breaks the format: no `+++` front matter, invalid TOML, a missing or mistyped required key (`id`, `title`, `date`), an unknown key (the closest known key is suggested), a multi-line title, a `test_waiver` shorter than 20 characters, an action item without `id`, `title` or `owner`, a `wontfix` item without `reason`, duplicate action-item IDs, or an ID that does not match `id_pattern`. Fix the file at the line and column given."),
    DuplicateIncidentId => ("duplicate-incident-id", Error, "Two postmortems share an incident ID.", "Two postmortems claim the same incident ID, so every marker naming it is ambiguous and one incident's tests may be credited to another. Fix: give the newer postmortem the next free ID and update its markers."),
    UnparsableSource => ("unparsable-source", Warning, "A source file with a marker cannot be read or parsed; its markers are read from the text.", "A source file that holds a marker cannot be parsed (or cannot be read at all). Its markers are still read from the text, so the incidents they name stay covered and the file never counts as a deleted test, but test identities may be approximate. Fix the syntax error, or, for files that are deliberately not valid source (fixtures), add them to `exclude`. A source path that is deliberately not read is reported here too, since markers in it were not seen: a symbolic link to outside the repository, a dangling link or a loop, a FIFO, socket or device (only regular files inside the repository are read)."),
    MarkerOnNonTest => ("marker-on-non-test", Warning, "A marker is attached to something that is not a test.", "A marker stands on something that is not a test (a helper function, a struct, a module's outer doc) or on nothing at all (inside a function body, separated from the test by a blank line). It links nothing. Fix: move it into the test's doc comment or onto the comment lines directly above the test or between its attributes; to link every test of a module or file, use an inner `//! incident: ID` comment inside it."),
    LinkedTestSkippedConditionally => ("linked-test-skipped-conditionally", Warning, "A linked test runs only under a condition the source cannot decide (a conditional skip, a `cfg`, a build constraint).", "A test linked to an incident carries a condition that decides whether it runs, and the source alone cannot tell whether the condition holds in CI: `@pytest.mark.skipif(sys.platform == \"win32\", ...)`, `#[cfg(windows)]` or `#[cfg(feature = \"x\")]` on the test or its module, `#[cfg_attr(unix, ignore)]`, a Go `//go:build linux` line, `pytest.importorskip(...)`. Where the condition turns the test off, it guards nothing, so this is a warning that names the condition: check that the CI job that matters runs the test. A condition that can never hold (`#[cfg(any())]`, `skipif(True)`) is `linked-test-ignored` instead. To make this an error, set `linked-test-skipped-conditionally = \"error\"` in `[rules]`."),
    LinkedTestMoved => ("linked-test-moved", Note, "A linked test was renamed or moved.", "A linked test was renamed or moved: a test newly linked to the same incident at HEAD has a body at least 80 % similar to the one that disappeared. The incident stays covered, so this is only a note recording the move for reviewers. Nothing to fix."),
    StaleRetirement => ("stale-retirement", Warning, "A `retired_tests` entry names a test that still exists, or that never existed at the base revision.", "A `retired_tests` entry names a test that is still linked to the incident, or one that was not linked at the base revision. A retirement is only meaningful in the change that removes the test; left behind, it could silently excuse a later removal. Fix: remove the entry once that change has landed, or correct the test identity."),
    HistorySkipped => ("history-skipped", Note, "A check that needs git history did not run.", "A check that needs git history did not run, for the reason given: not inside a git repository, or no base revision to compare with (not a pull request, no `--base`, no default branch). The check neither passed nor failed. Fix: run inside the repository, pass `--base REV`, or pass `--no-git` to skip the history checks deliberately and silently."),
    OverdueActionItem => ("overdue-action-item", Warning, "An open or in-progress action item is past its due date.", "An action item that is `open` or `in-progress` is past its `due` date. Overdue follow-ups are how incidents repeat. Fix: finish it and close it (with a commit that references it), move the date with the team's agreement, or mark it `wontfix` with a `reason`. `--today` fixes the date for reproducible runs."),
    ActionItemMissingOwner => ("action-item-missing-owner", Warning, "An action item's owner is a placeholder (`TBD`, `?`, `none`, `team`).", "Every action item needs a real owner — a person or a team handle that will answer for it. An item owned by `TBD` or `the team` belongs to nobody, and items that belong to nobody are the ones still open at the next incident. Fix: name the owner (`owner = \"@payments-team\"`). Applies to postmortems that are not drafts."),
    ActionItemMissingDue => ("action-item-missing-due", Warning, "An open or in-progress action item has no due date.", "An action item without a due date is never late, so nobody notices when it stalls; `overdue-action-item` and `action-item-past-sla` cannot help without one. Fix: agree a date and set `due = 2026-03-01`. Applies to postmortems that are not drafts."),
    VagueActionItem => ("vague-action-item", Warning, "An action item's title is too vague to be done or checked (\"improve monitoring\", \"be more careful\").", "Titles like \"be more careful\", \"improve monitoring\", \"better communication\", \"add more tests\" or a bare \"investigate\" name a wish, not a change: nobody can tell when they are done, and they rely on people trying harder rather than on systems catching the problem. A good item names the concrete change and its object: \"Alert when pool acquire latency p99 exceeds 500 ms for 5 minutes\", \"Add regression test: retries reuse the idempotency key\". The phrase list lives in src/checks/vague_action_item.rs; an item is vague when its title is one of those phrases plus only filler words. Fix: rewrite the title as a concrete, checkable change."),
    BlameLanguage => ("blame-language", Warning, "The postmortem's narrative uses blaming language (\"human error\", \"should have known\", \"careless\").", "Blameless postmortems work because people tell the whole story when they are not afraid of being blamed. Phrases such as \"human error\", \"engineer error\", \"should have known\", \"careless\", \"negligent\" or \"fault of\" stop the analysis at a person instead of asking why the system let a reasonable action cause harm. Fix: describe what happened and why it made sense at the time, then ask which defence (a test, a check, an alert, a safer default) should have caught it. The phrase list lives in src/checks/blame_language.rs."),
    MissingSection => ("missing-section", Warning, "The postmortem's narrative lacks a required section (Summary, Impact, Timeline, Contributing factors, Action items).", "A postmortem is read months later by people who were not there. Without a summary, the impact, a timeline, the contributing factors (technical, process, organisational) and the action items, the lesson cannot be reconstructed. The required headings are configurable with `required_sections`; any heading level counts and case is ignored. Plain `.toml` postmortems have no narrative and are not checked. Fix: add the missing section headings with their content."),
    NoPreventAction => ("no-prevent-action", Warning, "No action item of the postmortem prevents or detects a recurrence (`kind = \"prevent\"` or `\"detect\"`).", "Mitigation and process items help, but an incident is only learned from when something would stop or catch the same failure next time: a regression test, a validation, an alert. Mark such items with `kind = \"prevent\"` or `kind = \"detect\"`; if there is none, add one. Applies to postmortems that are not drafts."),
    ActionItemPastSla => ("action-item-past-sla", Warning, "An open action item of a high-severity incident is older than the severity's deadline (SEV1 15 days, SEV2 30 by default).", "The most severe incidents get the shortest deadlines for their follow-ups: an open item of a SEV1 incident more than 15 days after the incident (SEV2: 30) means the risk that caused it is still live. The deadlines are configurable per severity in `[sla_days]`. Fix: finish and close the item, or escalate; mark it `wontfix` with a reason if it will not be done."),
    IncidentCodeNotFound => ("incident-code-not-found", Warning, "A postmortem's `paths` pattern matches no file at HEAD, or an entry of its `fix_commits` does not resolve to a commit.", "A postmortem says where the incident's code is, and it is not there: a pattern in `paths` matches no file at HEAD, or an entry of `fix_commits` does not resolve to a commit of this repository. Changes to that code then go without the `touches-incident-code` reminder. Usually a typo, a file moved or deleted since the postmortem was written, or a fix commit that was squashed or lives in another repository. Fix: correct the pattern (a glob relative to the repository root) or the commit (its SHA, a unique prefix of at least 4 hex digits, or a tag); remove the entry if the code is gone. In a shallow clone, a fix commit that is not there is `history-unavailable` instead."),
    TouchesIncidentCode => ("touches-incident-code", Note, "The change touches a file that was part of an incident: listed in its postmortem's `paths`, or changed by its fix commits.", "Institutional memory where the reviewer looks: when a change (base..HEAD, plus uncommitted changes) touches a file that belongs to an incident, a note names the incident (title, severity, date), says why the file belongs to it (its postmortem lists it in `paths`, or a fix commit changed it: one of `fix_commits`, or when there are none the commits behind its closed action items, followed through renames up to HEAD; tests, postmortems and prose do not count) and lists the regression tests that guard it. One note per incident and file; drafts are skipped. Nothing to fix: read the postmortem before merging, and check that its tests still guard the new code. Raise the rule to \"warning\" to make the reminder stand out, or set it to \"off\" (a change of the config like any other: the base's config still binds)."),
    HistoryUnavailable => ("history-unavailable", Error, "Git history needed by a check is missing (shallow clone, missing base).", "History that a check needs is not in this clone, so the check cannot be trusted and is not counted as passed: a shallow clone (the commit behind a closed action item may be beyond its boundary), a base commit missing from the clone, a partial clone without the base's files, a `--base` that does not resolve, or a repository that cannot be opened. Fix: `fetch-depth: 0` in actions/checkout, `git fetch --unshallow`, or `git fetch --no-tags --depth=1 origin <base-sha>`, as the message says."),
}

/// Rules that are off unless the config sets their level: they ask for something a
/// team takes on deliberately (every linked test proven by `verify`), not something every
/// repository already owes.
pub const OPT_IN: &[Rule] = &[Rule::LinkedTestUnverified];

impl Rule {
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.code() == code)
    }

    /// Whether the rule is off until `[rules]` gives it a level (see `OPT_IN`); its
    /// `default_level` is then the level its documentation suggests.
    pub fn opt_in(self) -> bool {
        OPT_IN.contains(&self)
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
            assert!(rule.explain().len() > 150, "{code}: explain says what, why and how to fix");
        }
    }
}
