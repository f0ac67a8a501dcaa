//! `incident-guard.toml`: where postmortems live, which sources to scan, marker words,
//! the ID pattern and rule levels. Every key is optional; unknown keys and bad values
//! stop the run (exit 2) with every problem located, since a half-read config would
//! silently check the wrong things.

use crate::rules::{Level, Rule};
use crate::toml_doc::{self, LineIndex, Problem, Problems, Table};
use anyhow::{Context as _, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "incident-guard.toml";

/// The names `languages` accepts, one per language scanner (the scanner registry's test
/// keeps the two lists equal).
pub const LANGUAGE_NAMES: &[&str] = &["rust", "python", "go", "javascript", "java"];

const KEYS: &[&str] = &[
    "postmortems",
    "include",
    "exclude",
    "markers",
    "id_pattern",
    "require_tests_for",
    "base_branch",
    "languages",
    "id_prefix",
    "required_sections",
    "sla_days",
    "guard_change_reason",
    "test_results",
    "results_conflict",
    "fail_on",
    "rules",
    "verify",
    "scan",
];

/// The keys of `[scan]`: a table per language, and the keys of each.
const SCAN_KEYS: &[&str] = &["rust"];
const SCAN_RUST_KEYS: &[&str] = &["test_attributes"];

/// The keys of `[verify]`: the seconds one run of a test may take, and one command per
/// language (see `verify::command`).
const VERIFY_KEYS: &[&str] = &["timeout", "env", "setup", "rust", "python", "go", "javascript", "java"];

/// The placeholders a `[verify]` command may hold, each replaced by a property of the test
/// it runs (documented in docs/config.md). `{target_flags}` stands alone as a word, since
/// it becomes zero or more words; the others may stand inside a word (`-Dtest={class}`).
pub const VERIFY_PLACEHOLDERS: &[&str] =
    &["file", "name", "crate", "target_flags", "node_id", "pkg_dir", "title", "title_regex", "class", "method"];

/// Whether the variable `name` is never given to a test, even when `[verify] env`
/// names it: the runner's command files (a test that wrote there would change every later
/// step of the job), shell start-up files, and anything that looks like a credential.
pub fn is_withheld(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "GITHUB_ENV",
        "GITHUB_OUTPUT",
        "GITHUB_PATH",
        "GITHUB_STATE",
        "GITHUB_STEP_SUMMARY",
        "BASH_ENV",
        "ENV",
        "ZDOTDIR",
        "PROMPT_COMMAND",
    ];
    const WORDS: &[&str] = &["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "PRIVATE", "COOKIE"];
    let upper = name.to_ascii_uppercase();
    NAMES.contains(&upper.as_str())
        || upper.starts_with("ACTIONS_")
        || upper.ends_with("_KEY")
        || upper.ends_with("_KEYS")
        || WORDS.iter().any(|w| upper.contains(w))
}

/// What `[verify]` says: how `incident-guard verify` runs a test in each language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyConfig {
    /// Seconds one run of one test may take before it is stopped (`timeout`).
    pub timeout: Option<u64>,
    /// Language name → the command (program and arguments, with placeholders) set here;
    /// a language not set here has the built-in default, if it has one.
    pub commands: BTreeMap<String, Vec<String>>,
    /// Names of environment variables a test is given beyond the built-in allow-list
    /// (`env`); never one that `is_withheld` names.
    pub env: Vec<String>,
    /// Commands run, in order, in each worktree before its test (`setup`): each a line
    /// of words split at whitespace (quotes keep spaces), run without a shell.
    pub setup: Vec<String>,
}

/// The sections a postmortem's narrative needs by default.
pub const DEFAULT_SECTIONS: &[&str] = &["Summary", "Impact", "Timeline", "Contributing factors", "Action items"];

/// Which result wins when result files disagree about a linked test
/// (`results_conflict`): a pass anywhere (the default, for retries and flaky shards), or
/// a failure anywhere, so that a result file written beside the real one cannot turn a
/// failed linked test into a pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResultsConflict {
    #[default]
    Pass,
    Fail,
}

/// Which errors fail the run (`fail_on`, `--fail-on`): every error (the default), or only
/// those the change brought in, compared with the base revision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    #[default]
    All,
    New,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::All => "all",
            FailOn::New => "new",
        }
    }
}

/// What a rule is set to in `[rules]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSetting {
    Level(Level),
    Off,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The config file that was read, if any.
    pub file: Option<PathBuf>,
    pub postmortems: String,
    pub include: GlobSet,
    pub exclude: GlobSet,
    pub markers: Vec<String>,
    pub id_pattern: Option<Regex>,
    pub require_tests_for: Option<Vec<String>>,
    pub base_branch: Option<String>,
    /// Language scanners to run (`None`: all).
    pub languages: Option<Vec<String>>,
    /// The prefix `incident-guard new` gives IDs (`INC` → `INC-2026-004`); `None`: the
    /// prefix the existing postmortems use, else `INC`.
    pub id_prefix: Option<String>,
    /// Headings every published postmortem's narrative must have (`missing-section`).
    pub required_sections: Vec<String>,
    /// Severity → days an action item may stay open (`action-item-past-sla`).
    pub sla_days: BTreeMap<String, i64>,
    pub rules: BTreeMap<Rule, RuleSetting>,
    /// The globs of `include` and `exclude` as written, for messages.
    pub include_patterns: Vec<String>,
    pub exclude_patterns: Vec<String>,
    /// Why this change weakens the guard, when it does on purpose (`guard_change_reason`).
    pub guard_change_reason: Option<String>,
    /// Result files of the test run before the check (paths or globs, relative to the
    /// root): see `results`.
    pub test_results: Vec<String>,
    /// Which result wins when result files disagree (`results_conflict`).
    pub results_conflict: ResultsConflict,
    /// Which errors fail the run (`fail_on`).
    pub fail_on: FailOn,
    /// The config file's text, for pointing findings at its lines.
    pub text: Option<String>,
    /// `[verify]`: how `incident-guard verify` runs a test.
    pub verify: VerifyConfig,
    /// `[scan.rust] test_attributes`: the repository's own attributes that make a Rust fn
    /// a test (`my_crate::my_test`), as written.
    pub rust_test_attributes: Vec<String>,
    /// The base revision's config, once history has been read. A change to the config
    /// cannot weaken the guard by itself: scanning covers what either side's settings
    /// cover, and each rule keeps the stricter of the two levels, unless this change
    /// states why in a `guard_change_reason` of its own.
    pub base: Option<Box<Config>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            file: None,
            postmortems: "postmortems".to_owned(),
            include: globs(&["**"]).expect("static glob"),
            exclude: GlobSet::empty(),
            markers: vec!["incident".to_owned()],
            id_pattern: None,
            require_tests_for: None,
            base_branch: None,
            languages: None,
            id_prefix: None,
            required_sections: DEFAULT_SECTIONS.iter().map(|s| (*s).to_owned()).collect(),
            sla_days: [("SEV1".to_owned(), 15), ("SEV2".to_owned(), 30)].into_iter().collect(),
            rules: BTreeMap::new(),
            include_patterns: vec!["**".to_owned()],
            exclude_patterns: Vec::new(),
            guard_change_reason: None,
            test_results: Vec::new(),
            results_conflict: ResultsConflict::Pass,
            fail_on: FailOn::All,
            text: None,
            verify: VerifyConfig::default(),
            rust_test_attributes: Vec::new(),
            base: None,
        }
    }
}

/// How strict a setting is, for comparing two: off < note < warning < error.
fn strictness(level: Option<Level>) -> u8 {
    match level {
        None => 0,
        Some(Level::Note) => 1,
        Some(Level::Warning) => 2,
        Some(Level::Error) => 3,
    }
}

impl Config {
    /// The level this config file alone gives a rule, or `None` when it turns it off. An
    /// opt-in rule (`Rule::opt_in`) is off unless `[rules]` sets its level.
    pub fn own_level(&self, rule: Rule) -> Option<Level> {
        match self.rules.get(&rule) {
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::Level(l)) => Some(*l),
            None if rule.opt_in() => None,
            None => Some(rule.default_level()),
        }
    }

    /// The level a rule's findings get, or `None` when the rule is off: the stricter of
    /// this config's and the base's, unless this change accepts a weaker guard.
    pub fn level(&self, rule: Rule) -> Option<Level> {
        let own = self.own_level(rule);
        match self.binding_base() {
            Some(base) if strictness(base.own_level(rule)) > strictness(own) => base.own_level(rule),
            _ => own,
        }
    }

    /// The base config, when it still binds: there is one, and this change does not
    /// state a reason of its own for weakening the guard.
    fn binding_base(&self) -> Option<&Config> {
        self.base.as_deref().filter(|_| !self.accepts_weakening())
    }

    /// Whether this change states why it weakens the guard: a `guard_change_reason`
    /// that the base did not already have (an old reason excuses nothing new).
    pub fn accepts_weakening(&self) -> bool {
        match (&self.guard_change_reason, &self.base) {
            (Some(reason), Some(base)) => base.guard_change_reason.as_ref() != Some(reason),
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// Whether this config alone asks to scan `rel` (repository-relative), a source file
    /// of the language named `language`.
    pub fn own_wants(&self, rel: &str, language: &str) -> bool {
        self.include.is_match(rel)
            && !self.exclude.is_match(rel)
            && self.languages.as_ref().is_none_or(|ls| ls.iter().any(|n| n == language))
    }

    /// Whether `rel` is scanned: this config or the binding base asks for it.
    pub fn wants(&self, rel: &str, language: &str) -> bool {
        self.own_wants(rel, language) || self.binding_base().is_some_and(|b| b.own_wants(rel, language))
    }

    /// Which result wins when result files disagree: `Fail` when this config or the
    /// binding base says so.
    pub fn conflict(&self) -> ResultsConflict {
        let fail = |c: &Config| c.results_conflict == ResultsConflict::Fail;
        if fail(self) || self.binding_base().is_some_and(fail) { ResultsConflict::Fail } else { ResultsConflict::Pass }
    }

    /// Which errors fail the run: `All` when this config or the binding base says so.
    pub fn fail_on(&self) -> FailOn {
        let all = |c: &Config| c.fail_on == FailOn::All;
        if all(self) || self.binding_base().is_some_and(all) { FailOn::All } else { FailOn::New }
    }

    /// The marker words scanned for: this config's and the binding base's.
    pub fn marker_words(&self) -> Vec<String> {
        let mut words = self.markers.clone();
        if let Some(base) = self.binding_base() {
            words.extend(base.markers.iter().filter(|w| !self.markers.contains(w)).cloned());
        }
        words
    }

    /// The Rust test attributes the scanner knows besides its own: this config's and the
    /// base's (a test written with one keeps being read as a test while the config that
    /// names it is changed).
    pub fn rust_test_attributes(&self) -> Vec<String> {
        let mut all = self.rust_test_attributes.clone();
        if let Some(base) = &self.base {
            all.extend(base.rust_test_attributes.iter().filter(|a| !self.rust_test_attributes.contains(a)).cloned());
        }
        all
    }

    /// The severities held to `missing-regression-test` (`None`: all), this config's
    /// and the binding base's together.
    pub fn held_severities(&self) -> Option<Vec<String>> {
        let own = self.require_tests_for.clone()?;
        match self.binding_base() {
            Some(base) => {
                let mut all = base.require_tests_for.clone()?;
                all.extend(own.into_iter().filter(|s| !all.contains(s)).collect::<Vec<_>>());
                Some(all)
            }
            None => Some(own),
        }
    }

    /// How this config weakens the guard compared with the base's: rules lowered, marker
    /// words or languages dropped, fewer severities held, the postmortems moved; each
    /// with the key it is about. (Files no longer scanned are found where the scans are.)
    pub fn weakenings(&self) -> Vec<(String, String)> {
        let Some(base) = &self.base else { return Vec::new() };
        let mut out = Vec::new();
        let name = |l: Option<Level>| l.map_or("off", Level::as_str);
        for rule in Rule::ALL {
            let (was, now) = (base.own_level(*rule), self.own_level(*rule));
            if strictness(now) < strictness(was) {
                out.push((
                    format!("rule `{rule}` is lowered from {} to {}", name(was), name(now)),
                    rule.code().to_owned(),
                ));
            }
        }
        for word in base.markers.iter().filter(|w| !self.markers.contains(w)) {
            out.push((format!("marker word `{word}` is dropped from `markers`"), "markers".to_owned()));
        }
        let all: Vec<String> = LANGUAGE_NAMES.iter().map(|l| (*l).to_owned()).collect();
        let langs = |c: &Config| c.languages.clone().unwrap_or_else(|| all.clone());
        for lang in langs(base).iter().filter(|l| !langs(self).contains(l)) {
            out.push((format!("language `{lang}` is dropped from `languages`"), "languages".to_owned()));
        }
        if let Some(held) = &self.require_tests_for {
            let key = "require_tests_for".to_owned();
            match &base.require_tests_for {
                None => out.push((
                    format!("`require_tests_for = {held:?}` holds only some severities to missing-regression-test, where all were"),
                    key,
                )),
                Some(was) => {
                    for sev in was.iter().filter(|s| !held.contains(s)) {
                        out.push((format!("severity `{sev}` is dropped from `require_tests_for`"), key.clone()));
                    }
                }
            }
        }
        if !base.test_results.is_empty() && self.test_results.is_empty() {
            out.push((
                "`test_results` is removed, so linked tests are no longer checked against the test run".to_owned(),
                "test_results".to_owned(),
            ));
        }
        if base.results_conflict == ResultsConflict::Fail && self.results_conflict == ResultsConflict::Pass {
            out.push((
                "`results_conflict` goes from \"fail\" to \"pass\" (set, or removed: \"pass\" is the default), so a passing result file outweighs a failing one again".to_owned(),
                "results_conflict".to_owned(),
            ));
        }
        if base.fail_on == FailOn::All && self.fail_on == FailOn::New {
            out.push((
                "`fail_on` goes from \"all\" to \"new\" (\"all\" is the default), so errors already on the base no longer fail the run".to_owned(),
                "fail_on".to_owned(),
            ));
        }
        if base.verify != self.verify {
            out.push((
                format!(
                    "`[verify]` changes how `verify` runs the tests ({}), so the proof would run what this change says",
                    verify_changes(&base.verify, &self.verify).join(", ")
                ),
                "[verify]".to_owned(),
            ));
        }
        if base.postmortems != self.postmortems {
            out.push((
                format!("`postmortems` moves from `{}` to `{}`", base.postmortems, self.postmortems),
                "postmortems".to_owned(),
            ));
        }
        out
    }

    /// How `verify` runs the tests: the base's `[verify]` while the base binds (a change
    /// to it is `config-weakened` unless `guard_change_reason` accepts it), else this
    /// config's.
    pub fn binding_verify(&self) -> &VerifyConfig {
        match self.binding_base() {
            Some(base) => &base.verify,
            None => &self.verify,
        }
    }

    /// The 1-based line of this config file on which `key` is set, if it is (a table's
    /// header for `[table]`).
    pub fn line_of(&self, key: &str) -> Option<usize> {
        let text = self.text.as_ref()?;
        if key.starts_with('[') {
            return text.lines().position(|l| l.trim() == key).map(|i| i + 1);
        }
        text.lines()
            .position(|l| {
                let l = l.trim_start().trim_start_matches('"');
                l.starts_with(key) && l[key.len()..].trim_start_matches('"').trim_start().starts_with('=')
            })
            .map(|i| i + 1)
    }

    /// Reads `path`. Problems in it become one error listing all of them.
    pub fn load(path: &Path, display: &str) -> Result<Config> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read config file {display}"))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!("config file {display} is not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to())
        })?;
        let mut config = Config::parse(&text).map_err(|problems| ConfigError {
            path: display.to_owned(),
            text: text.clone(),
            problems,
        })?;
        config.file = Some(path.to_path_buf());
        config.text = Some(text);
        Ok(config)
    }

    pub fn parse(text: &str) -> std::result::Result<Config, Vec<Problem>> {
        let mut p = Problems::new(0);
        let mut config = Config::default();
        if let Some((table, span)) = toml_doc::parse(text, &mut p) {
            let t = Table::new(&table, span, "the config");
            t.reject_unknown(KEYS, &mut p);
            if let Some(dir) = t.string("postmortems", false, &mut p) {
                // Judged lexically: the directory may not exist yet (`init`, `new`). Where a
                // symbolic link takes it is checked when the postmortems are read.
                let path = Path::new(&dir.value);
                let outside = path
                    .components()
                    .any(|c| matches!(c, std::path::Component::Prefix(_) | std::path::Component::RootDir))
                    || crate::paths::normalize(path).starts_with("..");
                if dir.value.trim().is_empty() {
                    p.list.push(Problem {
                        span: dir.span,
                        message: "`postmortems` must name a directory".into(),
                        help: None,
                    });
                } else if outside {
                    p.list.push(Problem {
                        span: dir.span,
                        message: "`postmortems` must be a directory inside the repository".into(),
                        help: Some("give it relative to the repository root, without leaving it, e.g. `postmortems = \"docs/postmortems\"`".into()),
                    });
                } else {
                    config.postmortems = dir.value;
                }
            }
            for (key, slot, patterns) in [
                ("include", &mut config.include, &mut config.include_patterns),
                ("exclude", &mut config.exclude, &mut config.exclude_patterns),
            ] {
                if t.get(key).is_some() {
                    let list = t.string_array(key, &mut p);
                    *patterns = list.iter().map(|g| g.value.clone()).collect();
                    let mut builder = GlobSetBuilder::new();
                    for g in &list {
                        match Glob::new(&g.value) {
                            Ok(glob) => {
                                builder.add(glob);
                            }
                            Err(e) => p.list.push(Problem {
                                span: g.span.clone(),
                                message: format!("invalid glob in `{key}`: {}", e.kind()),
                                help: None,
                            }),
                        }
                    }
                    *slot = builder.build().unwrap_or_else(|_| GlobSet::empty());
                }
            }
            if t.get("markers").is_some() {
                let words = t.string_array("markers", &mut p);
                let mut markers = Vec::new();
                for w in words {
                    let ok =
                        !w.value.is_empty() && w.value.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
                    if ok {
                        markers.push(w.value.to_lowercase());
                    } else {
                        p.list.push(Problem {
                            span: w.span,
                            message: format!(
                                "marker word `{}` must be letters, digits, `-` or `_` (the `:` is added by the tool)",
                                w.value
                            ),
                            help: None,
                        });
                    }
                }
                if markers.is_empty() {
                    p.push(&t.get("markers").expect("checked").span(), "`markers` must name at least one word");
                } else {
                    config.markers = markers;
                }
            }
            if let Some(pat) = t.string("id_pattern", false, &mut p) {
                match Regex::new(&pat.value) {
                    Ok(re) => config.id_pattern = Some(re),
                    Err(e) => p.list.push(Problem {
                        span: pat.span,
                        message: format!("`id_pattern` is not a valid regular expression: {e}"),
                        help: None,
                    }),
                }
            }
            if t.get("require_tests_for").is_some() {
                config.require_tests_for =
                    Some(t.string_array("require_tests_for", &mut p).into_iter().map(|s| s.value).collect());
            }
            config.base_branch = t.string("base_branch", false, &mut p).map(|s| s.value);
            if t.get("languages").is_some() {
                let known = LANGUAGE_NAMES;
                let mut languages = Vec::new();
                for lang in t.string_array("languages", &mut p) {
                    if known.contains(&lang.value.as_str()) {
                        languages.push(lang.value);
                    } else {
                        let help = crate::suggest::did_you_mean(&lang.value, known.iter().copied());
                        let list = known.join(", ");
                        p.list.push(Problem {
                            span: lang.span,
                            message: format!("unknown language `{}` in `languages` (known: {list})", lang.value),
                            help: (!help.is_empty()).then_some(help),
                        });
                    }
                }
                config.languages = Some(languages);
            }
            if let Some(prefix) = t.string("id_prefix", false, &mut p) {
                let ok =
                    !prefix.value.is_empty() && prefix.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if ok {
                    config.id_prefix = Some(prefix.value);
                } else {
                    p.list.push(Problem {
                        span: prefix.span,
                        message: "`id_prefix` must be letters, digits or `_` (IDs are PREFIX-YYYY-NNN)".into(),
                        help: None,
                    });
                }
            }
            if t.get("required_sections").is_some() {
                config.required_sections =
                    t.string_array("required_sections", &mut p).into_iter().map(|s| s.value).collect();
            }
            if let Some(reason) = t.string("guard_change_reason", false, &mut p) {
                if reason.value.trim().chars().count() < 20 {
                    p.list.push(Problem {
                        span: reason.span,
                        message: "`guard_change_reason` must say why the guard is weakened, in a sentence (20 characters or more)".into(),
                        help: None,
                    });
                } else {
                    config.guard_change_reason = Some(reason.value);
                }
            }
            if t.get("test_results").is_some() {
                for pattern in t.string_array("test_results", &mut p) {
                    let path = Path::new(&pattern.value);
                    let outside = path
                        .components()
                        .any(|c| matches!(c, std::path::Component::Prefix(_) | std::path::Component::RootDir))
                        || crate::paths::normalize(path).starts_with("..");
                    let problem = if pattern.value.trim().is_empty() {
                        Some("a `test_results` entry must name a file or a glob".to_owned())
                    } else if outside {
                        Some("`test_results` entries name files inside the repository; give files elsewhere (a downloaded artifact) with `--test-results`".to_owned())
                    } else {
                        globset::GlobBuilder::new(&pattern.value)
                            .literal_separator(true)
                            .build()
                            .err()
                            .map(|e| format!("invalid glob in `test_results`: {}", e.kind()))
                    };
                    match problem {
                        Some(message) => p.list.push(Problem { span: pattern.span, message, help: None }),
                        None => config.test_results.push(pattern.value),
                    }
                }
            }
            let pass_fail = [("pass", ResultsConflict::Pass), ("fail", ResultsConflict::Fail)];
            if let Some(v) = either(&t, "results_conflict", pass_fail, &mut p) {
                config.results_conflict = v;
            }
            if let Some(v) = either(&t, "fail_on", [("all", FailOn::All), ("new", FailOn::New)], &mut p) {
                config.fail_on = v;
            }
            if let Some((sla, _)) = t.table("sla_days", &mut p) {
                config.sla_days.clear();
                for (key, value) in sla.iter() {
                    match value.get_ref().as_integer().and_then(|i| i.as_str().parse::<i64>().ok()).filter(|d| *d > 0) {
                        Some(days) => {
                            config.sla_days.insert(key.get_ref().to_string(), days);
                        }
                        None => p.push(
                            &value.span(),
                            format!("`sla_days.{}` must be a positive number of days", key.get_ref()),
                        ),
                    }
                }
            }
            if let Some((verify, span)) = t.table("verify", &mut p) {
                config.verify = parse_verify(&Table::new(verify, span, "[verify]"), &mut p);
            }
            if let Some((scan, span)) = t.table("scan", &mut p) {
                let scan = Table::new(scan, span, "[scan]");
                scan.reject_unknown(SCAN_KEYS, &mut p);
                if let Some((rust, span)) = scan.table("rust", &mut p) {
                    let rust = Table::new(rust, span, "[scan.rust]");
                    rust.reject_unknown(SCAN_RUST_KEYS, &mut p);
                    if rust.get("test_attributes").is_some() {
                        for attr in rust.string_array("test_attributes", &mut p) {
                            match configured_test_attribute_problem(&attr.value) {
                                Some(message) => p.push(&attr.span, message),
                                None if !config.rust_test_attributes.contains(&attr.value) => {
                                    config.rust_test_attributes.push(attr.value)
                                }
                                None => {}
                            }
                        }
                    }
                }
            }
            if let Some((rules, _)) = t.table("rules", &mut p) {
                let codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
                for (key, value) in rules.iter() {
                    let code = key.get_ref().as_ref();
                    let Some(rule) = Rule::from_code(code) else {
                        let help = crate::suggest::did_you_mean(code, codes.iter().copied());
                        p.push_help(&key.span(), format!("unknown rule `{code}` in [rules]"), help);
                        continue;
                    };
                    let setting = match value.get_ref().as_str() {
                        Some("error") => RuleSetting::Level(Level::Error),
                        Some("warning") => RuleSetting::Level(Level::Warning),
                        Some("note") => RuleSetting::Level(Level::Note),
                        Some("off") => RuleSetting::Off,
                        _ => {
                            p.push(
                                &value.span(),
                                format!("rule `{code}` must be set to \"error\", \"warning\", \"note\" or \"off\""),
                            );
                            continue;
                        }
                    };
                    config.rules.insert(rule, setting);
                }
            }
        }
        if p.list.is_empty() { Ok(config) } else { Err(p.list) }
    }
}

/// `[verify]`: a timeout in seconds, and for each language a command as an array of
/// words, whose placeholders must be known ones.
fn parse_verify(t: &Table, p: &mut Problems) -> VerifyConfig {
    let mut out = VerifyConfig::default();
    t.reject_unknown(VERIFY_KEYS, p);
    if t.get("env").is_some() {
        for name in t.string_array("env", p) {
            let valid = !name.value.is_empty()
                && !name.value.contains('=')
                && !name.value.contains('\0')
                && !name.value.chars().any(char::is_whitespace);
            if !valid {
                p.push(&name.span, format!("`{}` in `env` of [verify] is not a variable name", name.value));
            } else if is_withheld(&name.value) {
                p.push(
                    &name.span,
                    format!(
                        "`{}` in `env` of [verify] is never given to a test: the runner's command files, shell start-up files and tokens are withheld",
                        name.value
                    ),
                );
            } else if !out.env.contains(&name.value) {
                out.env.push(name.value);
            }
        }
    }
    if t.get("setup").is_some() {
        for line in t.string_array("setup", p) {
            if setup_words(&line.value).is_empty() {
                p.push(&line.span, "a command in `setup` of [verify] must name a program");
            } else {
                out.setup.push(line.value);
            }
        }
    }
    if let Some(v) = t.get("timeout") {
        match v.get_ref().as_integer().and_then(|i| i.as_str().parse::<u64>().ok()).filter(|s| *s > 0) {
            Some(secs) => out.timeout = Some(secs),
            None => p.push(&v.span(), "`timeout` in [verify] must be a positive number of seconds"),
        }
    }
    for lang in LANGUAGE_NAMES {
        let Some(v) = t.get(lang) else { continue };
        let words = t.string_array(lang, p);
        if words.is_empty() {
            p.push(
                &v.span(),
                format!("`{lang}` in [verify] must name a program: an array of words, the program first"),
            );
            continue;
        }
        let mut ok = true;
        for w in &words {
            for name in placeholders(&w.value) {
                if !VERIFY_PLACEHOLDERS.contains(&name) {
                    let help = crate::suggest::did_you_mean(name, VERIFY_PLACEHOLDERS.iter().copied());
                    p.list.push(Problem {
                        span: w.span.clone(),
                        message: format!("unknown placeholder `{{{name}}}` in `{lang}` of [verify]"),
                        help: (!help.is_empty()).then_some(help),
                    });
                    ok = false;
                } else if name == "target_flags" && w.value != "{target_flags}" {
                    p.list.push(Problem {
                        span: w.span.clone(),
                        message: "`{target_flags}` must be a word of its own: it becomes zero or more words".into(),
                        help: None,
                    });
                    ok = false;
                }
            }
        }
        if ok {
            out.commands.insert((*lang).to_owned(), words.into_iter().map(|w| w.value).collect());
        }
    }
    out
}

/// What differs between two `[verify]` tables, key by key, for a message.
fn verify_changes(base: &VerifyConfig, head: &VerifyConfig) -> Vec<String> {
    let mut out = Vec::new();
    if base.timeout != head.timeout {
        out.push("`timeout`".to_owned());
    }
    if base.env != head.env {
        out.push("`env`".to_owned());
    }
    if base.setup != head.setup {
        out.push("`setup`".to_owned());
    }
    for lang in LANGUAGE_NAMES {
        if base.commands.get(*lang) != head.commands.get(*lang) {
            out.push(format!("`{lang}`"));
        }
    }
    out
}

/// The names of the `{…}` placeholders in a word of a `[verify]` command. `{{` and `}}`
/// stand for literal braces, so that a regular expression (`^a{2}$`) can still be written.
pub fn placeholders(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = word;
    while let Some(open) = rest.find('{') {
        if rest[open..].starts_with("{{") {
            rest = &rest[open + 2..];
            continue;
        }
        let Some(close) = rest[open..].find('}') else { break };
        out.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    out
}

fn globs(patterns: &[&str]) -> Result<GlobSet, globset::Error> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p)?);
    }
    b.build()
}

/// Every problem of a config file, rendered rustc-style when displayed.
#[derive(Debug)]
pub struct ConfigError {
    pub path: String,
    pub text: String,
    pub problems: Vec<Problem>,
}

/// A key that takes one of two words: the value it names, or a problem naming both.
fn either<T: Copy>(t: &Table<'_, '_>, key: &str, words: [(&str, T); 2], p: &mut Problems) -> Option<T> {
    let v = t.string(key, false, p)?;
    if let Some((_, value)) = words.iter().find(|(w, _)| *w == v.value) {
        return Some(*value);
    }
    p.list.push(Problem {
        span: v.span,
        message: format!("`{key}` must be set to \"{}\" or \"{}\", not `{}`", words[0].0, words[1].0, v.value),
        help: None,
    });
    None
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let index = LineIndex::new(&self.text);
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let loc = index.location(&self.path, &problem.span);
            let mut message = problem.message.clone();
            if let Some(help) = &problem.help {
                message = format!("{message}: {help}");
            }
            let snippet =
                crate::terminal::snippet_text(&loc, self.text.lines().nth(loc.line - 1).unwrap_or(""), &message);
            write!(f, "{snippet}")?;
        }
        write!(f, "\n{} problem(s) in config file {}", self.problems.len(), self.path)
    }
}

impl std::error::Error for ConfigError {}

/// Attributes that are never a test's own, which a config may not name as one.
const NOT_TEST_ATTRS: &[&str] = &[
    "cfg",
    "cfg_attr",
    "ignore",
    "should_panic",
    "inline",
    "allow",
    "warn",
    "deny",
    "forbid",
    "expect",
    "doc",
    "path",
    "derive",
    "must_use",
    "deprecated",
    "cold",
    "track_caller",
];

/// Why a configured test attribute cannot be one, if it cannot: it must be a path of
/// identifiers (`my_test`, `my_crate::my_test`), and not an attribute of the language's
/// own that every kind of fn carries.
pub fn configured_test_attribute_problem(path: &str) -> Option<String> {
    let bare = path.strip_prefix("::").unwrap_or(path);
    let ident = |s: &str| {
        let s = s.strip_prefix("r#").unwrap_or(s);
        s.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
            && s != "_"
    };
    if bare.is_empty() || !bare.split("::").all(ident) {
        return Some(format!(
            "`{path}` in `test_attributes` of [scan.rust] is not an attribute path (write it as in `#[…]`, without `#[]` or arguments: `my_crate::my_test`)"
        ));
    }
    if NOT_TEST_ATTRS.contains(&bare) {
        return Some(format!(
            "`{path}` in `test_attributes` of [scan.rust] is a built-in attribute that does not make a fn a test"
        ));
    }
    None
}

/// The words of one `[verify] setup` command: split at whitespace, no shell. A word in
/// single or double quotes keeps its spaces (`sh -c "make deps && make env"`).
pub fn setup_words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in command.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                started = true;
            }
            None if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            None => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_empty() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.postmortems, "postmortems");
        assert_eq!(c.markers, ["incident"]);
        assert_eq!(c.level(Rule::MarkerOnNonTest), Some(Level::Warning));
    }

    #[test]
    fn reads_every_key() {
        let c = Config::parse(
            r#"
postmortems = "docs/pm"
include = ["src/**"]
exclude = ["tests/fixtures/**"]
markers = ["Incident", "postmortem"]
id_pattern = "^INC-[0-9]{4}-[0-9]{3}$"
require_tests_for = ["SEV1"]
base_branch = "trunk"
[rules]
overdue-action-item = "error"
marker-on-non-test = "off"
"#,
        )
        .unwrap();
        assert_eq!(c.postmortems, "docs/pm");
        assert!(c.include.is_match("src/a.rs") && !c.include.is_match("lib/a.rs"));
        assert!(c.exclude.is_match("tests/fixtures/x/y.rs"));
        assert_eq!(c.markers, ["incident", "postmortem"]);
        assert!(c.id_pattern.unwrap().is_match("INC-2024-001"));
        assert_eq!(c.require_tests_for.unwrap(), ["SEV1"]);
        assert_eq!(c.base_branch.as_deref(), Some("trunk"));
        assert_eq!(c.rules[&Rule::OverdueActionItem], RuleSetting::Level(Level::Error));
        assert_eq!(c.rules[&Rule::MarkerOnNonTest], RuleSetting::Off);
    }

    #[test]
    fn postmortems_must_stay_inside_the_repository() {
        for dir in ["/etc", "../../..", "docs/../../x", "./../pm"] {
            let problems = Config::parse(&format!("postmortems = \"{dir}\"")).unwrap_err();
            assert!(problems[0].message.contains("inside the repository"), "{dir}: {problems:?}");
            assert_eq!(problems[0].span.start, 14, "{dir}");
        }
        for dir in ["pm", "docs/pm", "./pm", "docs/../pm", "."] {
            assert_eq!(Config::parse(&format!("postmortems = \"{dir}\"")).unwrap().postmortems, dir);
        }
    }

    #[test]
    fn languages_are_checked_against_the_registry() {
        assert_eq!(Config::parse("languages = [\"rust\"]").unwrap().languages.unwrap(), ["rust"]);
        let problems = Config::parse("languages = [\"rusty\"]").unwrap_err();
        assert!(problems[0].message.contains("unknown language `rusty`"), "{problems:?}");
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `rust`?"));
    }

    #[test]
    fn rust_test_attributes_are_paths_located_when_wrong() {
        let c = Config::parse("[scan.rust]\ntest_attributes = [\"my_crate::my_test\", \"gtest2\"]\n").unwrap();
        assert_eq!(c.rust_test_attributes, ["my_crate::my_test", "gtest2"]);
        let text = "[scan.rust]\ntest_attributes = [\"ok\",\n  \"#[my_test]\", \"inline\"]\n[scan.python]\n";
        let problems = Config::parse(text).unwrap_err();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(problems.len(), 3, "{messages:#?}");
        assert!(messages[0].contains("unknown key `python` in [scan]"), "{messages:?}");
        assert!(messages[1].contains("`#[my_test]`") && messages[1].contains("not an attribute path"), "{messages:?}");
        assert!(messages[2].contains("built-in attribute"), "{messages:?}");
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(problems[1].span.start), (3, 3));
        let problems = Config::parse("[scan.rust]\ntest_atributes = []\n").unwrap_err();
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `test_attributes`?"));
    }

    #[test]
    fn reports_every_problem_with_suggestions() {
        let text = "postmortem = \"x\"\nid_pattern = \"(\"\n[rules]\nmissing-regresion-test = \"error\"\nunknown-incident = \"loud\"\n";
        let problems = Config::parse(text).unwrap_err();
        let messages: Vec<String> = problems.iter().map(|p| format!("{} {:?}", p.message, p.help)).collect();
        assert_eq!(problems.len(), 4, "{messages:#?}");
        assert!(messages[0].contains("unknown key `postmortem`") && messages[0].contains("`postmortems`"));
        assert!(messages[1].contains("id_pattern"));
        assert!(messages[2].contains("did you mean `missing-regression-test`"));
        assert!(messages[3].contains("\"error\", \"warning\""));
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(problems[2].span.start), (4, 1));
    }
}
