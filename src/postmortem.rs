//! Postmortems: finding them in the postmortems directory and reading their TOML front
//! matter (Markdown with `+++` fences, or plain `.toml`). Reading never stops at the
//! first problem: each one is kept with its file, line and column and becomes an
//! `invalid-postmortem` finding, and a postmortem whose `id` is readable still counts as
//! an incident so that its tests are not reported against an unknown ID.

use crate::date::Date;
use crate::finding::{Location, code};
use crate::toml_doc::{self, Datetime, LineIndex, Problems, Table};
use anyhow::{Context as _, Result, bail};
use serde::Serialize;
use std::path::Path;

const KEYS: &[&str] = &[
    "id",
    "title",
    "date",
    "status",
    "severity",
    "services",
    "tags",
    "detected_at",
    "resolved_at",
    "test_waiver",
    "paths",
    "fix_commits",
    "retired_tests",
    "action_items",
    "extra",
];
const ITEM_KEYS: &[&str] = &["id", "title", "owner", "due", "status", "kind", "commits", "reason"];
const RETIRED_KEYS: &[&str] = &["test", "reason"];
const STATUSES: &[&str] = &["draft", "review", "published", "closed"];
const ITEM_STATUSES: &[&str] = &["open", "in-progress", "closed", "wontfix"];
const ITEM_KINDS: &[&str] = &["prevent", "detect", "mitigate", "process"];
/// A waiver must explain itself; shorter than this it is a placeholder ("n/a", "later").
pub const MIN_WAIVER_CHARS: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    Review,
    Published,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemStatus {
    Open,
    InProgress,
    Closed,
    Wontfix,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::InProgress => "in-progress",
            ItemStatus::Closed => "closed",
            ItemStatus::Wontfix => "wontfix",
        }
    }
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Published => "published",
            Status::Closed => "closed",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Postmortem {
    /// Repository-relative path with `/` separators.
    pub path: String,
    pub id: String,
    /// Where the `id` value stands: findings about the incident point here.
    pub loc: Location,
    pub title: String,
    pub date: Option<Date>,
    /// When `date` also gives the time the incident began (`2026-03-14T08:55:00Z`).
    pub started_at: Option<Datetime>,
    pub status: Status,
    pub severity: Option<String>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub detected_at: Option<Datetime>,
    pub resolved_at: Option<Datetime>,
    pub test_waiver: Option<String>,
    /// `paths`: globs of the files that belong to the incident, relative to the
    /// repository root, each with where it stands (already checked to be globs).
    pub paths: Vec<(String, Location)>,
    /// `fix_commits`: the commits that fixed it (SHAs, unique prefixes or refs), each with
    /// where it stands.
    pub fix_commits: Vec<(String, Location)>,
    pub retired_tests: Vec<RetiredTest>,
    pub action_items: Vec<ActionItem>,
    /// The Markdown narrative after the front matter (empty for `.toml`).
    pub body: String,
    /// The 1-based line where `body` starts.
    pub body_line: usize,
}

#[derive(Clone, Debug)]
pub struct RetiredTest {
    pub test: String,
    pub reason: String,
    pub loc: Location,
}

#[derive(Clone, Debug)]
pub struct ActionItem {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub due: Option<Date>,
    /// Whether `due` was written at all (a wrong one is reported where it stands, and is
    /// not also "missing").
    pub due_given: bool,
    pub status: ItemStatus,
    pub kind: Option<String>,
    pub commits: Vec<(String, Location)>,
    pub reason: Option<String>,
    pub loc: Location,
    /// Where its `status` value is written, when it is.
    pub status_loc: Option<Location>,
}

/// A reason a postmortem file breaks the format.
#[derive(Clone, Debug)]
pub struct Problem {
    pub loc: Location,
    pub message: String,
    pub help: Option<String>,
    /// The incident, when the file's `id` could be read.
    pub incident: Option<String>,
}

/// Everything read from the postmortems directory.
#[derive(Debug, Default)]
pub struct Loaded {
    pub postmortems: Vec<Postmortem>,
    pub problems: Vec<Problem>,
    /// The text of every file read, for showing source lines in diagnostics.
    pub texts: Vec<(String, String)>,
}

/// Whether `id` can be an incident ID: only the characters an ID may contain, and at
/// least one letter or digit (`-` or `..` alone is punctuation, which no marker reads as
/// an ID).
pub fn is_valid_id(id: &str) -> bool {
    id.chars().all(is_id_char) && id.chars().any(|c| c.is_ascii_alphanumeric())
}

pub fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Whether a file in the postmortems directory is meant to be a postmortem.
pub fn is_candidate(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !(name.starts_with('_') || name.starts_with('.') || lower == "readme.md")
        && (lower.ends_with(".md") || lower.ends_with(".toml"))
}

/// Reads every postmortem under `dir` (repository-relative `rel_dir`). The directory is
/// walked like the sources (see `walk`): a tracked postmortem is read whatever the
/// ignore files say, and nothing outside the repository is read.
pub fn load_dir(
    root: &Path,
    rel_dir: &str,
    id_pattern: Option<&regex::Regex>,
    tracked: &crate::walk::Tracked,
) -> Result<Loaded> {
    let dir = root.join(rel_dir);
    if !dir.is_dir() {
        if dir.exists() {
            bail!("the postmortems path `{rel_dir}` is not a directory");
        }
        bail!(
            "the postmortems directory `{rel_dir}` does not exist under {}; create it, set `postmortems` in {}, or run `incident-guard init`",
            root.display(),
            crate::config::FILE_NAME
        );
    }
    let boundary = crate::paths::boundary(root);
    let real = dir.canonicalize().with_context(|| format!("cannot open the postmortems directory `{rel_dir}`"))?;
    if !boundary.canonicalize().is_ok_and(|b| real.starts_with(b)) {
        bail!(
            "the postmortems directory `{rel_dir}` resolves to {}, outside the repository ({}); postmortems are read only from inside the repository",
            real.display(),
            boundary.display()
        );
    }
    let mut loaded = Loaded::default();
    let filter = crate::walk::Filter {
        enter: |name| !name.starts_with('.'),
        wanted: &|rel| is_candidate(rel.rsplit('/').next().unwrap_or(rel)),
        report_dir: &|_| true,
    };
    let walked = crate::walk::walk(root, &dir, tracked, &filter);
    let problem = |path: String, message: String, help: Option<&str>| Problem {
        loc: Location { path, line: 1, column: 1, len: 1 },
        message,
        help: help.map(str::to_owned),
        incident: None,
    };
    for (path, message) in walked.errors {
        loaded.problems.push(problem(path, format!("cannot read the postmortems directory: {message}"), None));
    }
    for (path, message) in walked.skipped {
        let help = "postmortems are read only from regular files inside the repository; commit the file itself";
        loaded.problems.push(problem(path, format!("postmortem {message}"), Some(help)));
    }
    for file in walked.files {
        let read = file.read(&boundary);
        let rel = file.rel;
        match read {
            Err(e) => loaded.problems.push(problem(rel, format!("cannot read postmortem: {e}"), None)),
            Ok(bytes) => match String::from_utf8(bytes) {
                Err(e) => {
                    let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                    loaded.problems.push(Problem {
                        loc: Location { path: rel, line, column: 1, len: 1 },
                        message: format!(
                            "postmortem is not valid UTF-8 (invalid byte at offset {})",
                            e.utf8_error().valid_up_to()
                        ),
                        help: Some("save the file as UTF-8".into()),
                        incident: None,
                    });
                }
                Ok(text) => {
                    let (pm, problems) = parse(&rel, &text, id_pattern);
                    loaded.postmortems.extend(pm);
                    loaded.problems.extend(problems);
                    loaded.texts.push((rel, text));
                }
            },
        }
    }
    Ok(loaded)
}

/// Keys of the postmortem itself found inside another table (`[extra]`, an action item):
/// TOML puts every key after a table header into that table, so a key appended at the
/// end of the front matter silently stops counting. Reports each, and returns their
/// names so that they are not also reported as unknown.
fn misplaced_keys<'k>(table: &Table<'_, 'k>, own: &[&str], header: &str, p: &mut Problems) -> Vec<&'static str> {
    let mut found = Vec::new();
    for key in table.table.keys() {
        let name = key.get_ref().as_ref();
        if let Some(&known) = KEYS.iter().find(|k| **k == name && !own.contains(k) && **k != "extra") {
            p.push_help(
                &key.span(),
                format!(
                    "{} is a key of the postmortem, but it stands inside {header}, where it does not count",
                    code(name)
                ),
                format!("move it above {header}: after a table header, TOML puts every key into that table"),
            );
            found.push(known);
        }
    }
    found
}

/// The `id = "…"` of a postmortem that could not be read as a whole, when a top-level
/// line says it: markers naming it then meet the real error, not "no postmortem has it".
fn recover_id(front_matter: &str) -> Option<String> {
    for line in front_matter.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            break; // past the top-level keys
        }
        let Some(rest) = line.strip_prefix("id") else { continue };
        let Some(value) = rest.trim_start().strip_prefix('=') else { continue };
        let value = value.trim().strip_prefix('"')?;
        let id = &value[..value.find('"')?];
        return is_valid_id(id).then(|| id.to_owned());
    }
    None
}

/// Parses one postmortem file. Returns the postmortem when its `id` is readable, and
/// every problem found.
pub fn parse(path: &str, text: &str, id_pattern: Option<&regex::Regex>) -> (Option<Postmortem>, Vec<Problem>) {
    let index = LineIndex::new(text);
    let at = |line: usize| Location { path: path.to_owned(), line, column: 1, len: 1 };
    let problem = |loc: Location, message: String, help: Option<String>| Problem { loc, message, help, incident: None };
    let is_md = !path.to_ascii_lowercase().ends_with(".toml");

    // Locate the TOML: the whole file, or the front matter between `+++` fences.
    let (toml_start, toml_end, body_start) = if is_md {
        let content = text.strip_prefix('\u{feff}').unwrap_or(text);
        let bom = text.len() - content.len();
        let first = content.lines().next().unwrap_or("");
        if first.trim_end() != "+++" {
            let help = if first.trim_end() == "---" {
                "YAML front matter is not supported: fence TOML front matter with `+++` lines"
            } else {
                "start the file with a `+++` line, then TOML front matter, then a closing `+++` line"
            };
            return (None, vec![problem(at(1), "postmortem has no TOML front matter".into(), Some(help.into()))]);
        }
        let open_len = bom + content.find('\n').map_or(content.len(), |i| i + 1);
        let mut offset = open_len;
        let mut close = None;
        for line in text[open_len..].split_inclusive('\n') {
            if line.trim_end_matches(['\n', '\r']) == "+++" {
                close = Some((offset, offset + line.len()));
                break;
            }
            offset += line.len();
        }
        let Some((close_start, close_end)) = close else {
            return (
                None,
                vec![problem(
                    at(1),
                    "front matter opened on line 1 is never closed".into(),
                    Some("add a line that is exactly `+++` after the front matter".into()),
                )],
            );
        };
        (open_len, close_start, close_end)
    } else {
        (0, text.len(), text.len())
    };

    let mut p = Problems::new(toml_start);
    let Some((table, span)) = toml_doc::parse(&text[toml_start..toml_end], &mut p) else {
        let incident = recover_id(&text[toml_start..toml_end]);
        let problems = p
            .list
            .into_iter()
            .map(|pr| Problem {
                incident: incident.clone(),
                ..problem(index.location(path, &pr.span), pr.message, pr.help)
            })
            .collect();
        return (None, problems);
    };
    let t = Table::new(&table, span, "the postmortem");
    t.reject_unknown(KEYS, &mut p);

    let id = t.string("id", true, &mut p).filter(|id| {
        if !is_valid_id(&id.value) {
            p.list.push(toml_doc::Problem {
                span: id.span.clone(),
                message: format!(
                    "incident ID {} may only contain letters, digits, `.`, `_` and `-`, with at least one letter or digit",
                    code(&id.value)
                ),
                help: None,
            });
            return false;
        }
        true
    });
    if let (Some(id), Some(re)) = (&id, id_pattern)
        && !re.is_match(&id.value)
    {
        p.list.push(toml_doc::Problem {
            span: id.span.clone(),
            message: format!("incident ID `{}` does not match the configured id_pattern `{}`", id.value, re.as_str()),
            help: None,
        });
    }
    let title = t.string("title", true, &mut p).filter(|title| {
        let msg = if title.value.contains(['\n', '\r']) {
            "`title` must be one line"
        } else if title.value.trim().is_empty() {
            "`title` must not be empty"
        } else {
            return true;
        };
        p.list.push(toml_doc::Problem { span: title.span.clone(), message: msg.into(), help: None });
        false
    });
    let date_and_time = t.date_or_datetime("date", true, true, &mut p);
    let started_at = date_and_time.as_ref().and_then(|(_, dt)| *dt);
    let date = date_and_time.map(|(d, _)| d);
    let status = t.one_of("status", STATUSES, &mut p).map_or(Status::Published, |s| match s.value.as_str() {
        "draft" => Status::Draft,
        "review" => Status::Review,
        "closed" => Status::Closed,
        _ => Status::Published,
    });
    let severity = t.string("severity", false, &mut p).map(|s| s.value);
    let services = t.string_array("services", &mut p).into_iter().map(|s| s.value).collect();
    let tags = t.string_array("tags", &mut p).into_iter().map(|s| s.value).collect();
    let detected_at = t.datetime("detected_at", &mut p).map(|d| d.value);
    let resolved_at = t.datetime("resolved_at", &mut p).map(|d| d.value);
    let test_waiver = t.string("test_waiver", false, &mut p).filter(|w| {
        if w.value.trim().chars().count() < MIN_WAIVER_CHARS {
            p.list.push(toml_doc::Problem {
                span: w.span.clone(),
                message: format!("`test_waiver` must explain why no regression test is possible (at least {MIN_WAIVER_CHARS} characters)"),
                help: Some("write a real sentence, e.g. \"the fault was in the vendor's firmware; we cannot reproduce it in CI\"".into()),
            });
            return false;
        }
        true
    });

    let (paths, fix_commits) = code_keys(&t, &index, path, &mut p);

    let mut retired_tests = Vec::new();
    for (rt, span) in t.tables("retired_tests", &mut p) {
        let rt = Table::new(rt, span, "a `retired_tests` entry");
        let misplaced = misplaced_keys(&rt, RETIRED_KEYS, "the `retired_tests` entry", &mut p);
        rt.reject_unknown(&[RETIRED_KEYS, misplaced.as_slice()].concat(), &mut p);
        let test = rt.string("test", true, &mut p);
        let reason = rt.string("reason", true, &mut p);
        if let (Some(test), Some(reason)) = (test, reason) {
            retired_tests.push(RetiredTest {
                loc: index.location(path, &test.span),
                test: test.value,
                reason: reason.value,
            });
        }
    }

    let mut action_items: Vec<ActionItem> = Vec::new();
    let mut first_line: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (n, (item, span)) in t.tables("action_items", &mut p).into_iter().enumerate() {
        let name =
            item.get("id").and_then(|v| v.get_ref().as_str()).map_or_else(|| format!("#{}", n + 1), str::to_owned);
        let it = Table::new(item, span, format!("action item {name}"));
        let misplaced = misplaced_keys(&it, ITEM_KEYS, "`[[action_items]]`", &mut p);
        it.reject_unknown(&[ITEM_KEYS, misplaced.as_slice()].concat(), &mut p);
        let item_id = it.string("id", true, &mut p);
        let title = it.string("title", true, &mut p);
        let owner = it.string("owner", true, &mut p);
        let due_given = it.get("due").is_some();
        let due = it.date("due", false, &mut p);
        let status = it.one_of("status", ITEM_STATUSES, &mut p);
        let status_loc = status.as_ref().map(|s| index.location(path, &s.span));
        let status = status.map_or(ItemStatus::Open, |s| match s.value.as_str() {
            "in-progress" => ItemStatus::InProgress,
            "closed" => ItemStatus::Closed,
            "wontfix" => ItemStatus::Wontfix,
            _ => ItemStatus::Open,
        });
        let kind = it.one_of("kind", ITEM_KINDS, &mut p).map(|s| s.value);
        let mut commits = Vec::new();
        for c in it.string_array("commits", &mut p) {
            let ok = (4..=64).contains(&c.value.len()) && c.value.chars().all(|ch| ch.is_ascii_hexdigit());
            if ok {
                commits.push((c.value.to_ascii_lowercase(), index.location(path, &c.span)));
            } else {
                p.list.push(toml_doc::Problem {
                    span: c.span,
                    message: format!("{} in `commits` of action item {name} is not a commit SHA or a prefix of one (4 to 64 hex digits)", code(&c.value)),
                    help: None,
                });
            }
        }
        let reason = it.string("reason", false, &mut p);
        if status == ItemStatus::Wontfix && reason.as_ref().is_none_or(|r| r.value.trim().is_empty()) {
            p.push(&it.span, format!("action item {name} is `wontfix` but gives no `reason`"));
        }
        let Some(item_id) = item_id else { continue };
        if !is_valid_id(&item_id.value) {
            p.list.push(toml_doc::Problem {
                span: item_id.span.clone(),
                message: format!(
                    "action item ID {} may only contain letters, digits, `.`, `_` and `-`, with at least one letter or digit",
                    code(&item_id.value)
                ),
                help: None,
            });
            continue;
        }
        let loc = index.location(path, &item_id.span);
        // By ID, not a search of the items so far: a postmortem of 100,000 items took
        // time quadratic in them.
        if let Some(&first) = first_line.get(&item_id.value) {
            p.list.push(toml_doc::Problem {
                span: item_id.span.clone(),
                message: format!("duplicate action item ID `{}` (first used on line {first})", item_id.value),
                help: Some("action item IDs must be unique within a postmortem".into()),
            });
            continue;
        }
        first_line.insert(item_id.value.clone(), loc.line);
        action_items.push(ActionItem {
            id: item_id.value,
            title: title.map(|t| t.value).unwrap_or_default(),
            owner: owner.map(|o| o.value).unwrap_or_default(),
            due: due.map(|d| d.value),
            due_given,
            status,
            status_loc,
            kind,
            commits,
            reason: reason.map(|r| r.value),
            loc,
        });
    }
    // `extra` is the team's own: only its shape is checked, and that no key of the
    // postmortem itself was written into it by mistake.
    if let Some((extra, span)) = t.table("extra", &mut p) {
        misplaced_keys(&Table::new(extra, span, "`[extra]`"), &[], "`[extra]`", &mut p);
    }

    let incident = id.as_ref().map(|i| i.value.clone());
    let problems = p
        .list
        .into_iter()
        .map(|pr| Problem {
            loc: index.location(path, &pr.span),
            message: pr.message,
            help: pr.help,
            incident: incident.clone(),
        })
        .collect();
    let pm = id.map(|id| Postmortem {
        path: path.to_owned(),
        loc: index.location(path, &id.span),
        id: id.value,
        title: title.map(|t| t.value).unwrap_or_default(),
        date: date.map(|d| d.value),
        started_at,
        status,
        severity,
        services,
        tags,
        detected_at,
        resolved_at,
        test_waiver: test_waiver.map(|w| w.value),
        paths,
        fix_commits,
        retired_tests,
        action_items,
        body: text[body_start..].to_owned(),
        body_line: index.line_col(body_start).0,
    });
    (pm, problems)
}

/// What the postmortem says about the code the incident was in: `paths` (each must be a
/// glob) and `fix_commits` (each a SHA, a unique prefix or a ref; whether it resolves is
/// for the history to say).
type CodeKeys = (Vec<(String, Location)>, Vec<(String, Location)>);

fn code_keys(t: &Table<'_, '_>, index: &LineIndex, path: &str, p: &mut Problems) -> CodeKeys {
    let mut paths = Vec::new();
    for g in t.string_array("paths", p) {
        let problem = if g.value.trim().is_empty() {
            Some("an entry of `paths` is empty".to_owned())
        } else {
            globset::Glob::new(&g.value)
                .err()
                .map(|e| format!("{} in `paths` is not a glob: {}", code(&g.value), e.kind()))
        };
        match problem {
            Some(message) => p.list.push(toml_doc::Problem {
                span: g.span,
                message,
                help: Some(
                    "write a path or glob relative to the repository root, e.g. `src/db/pool.rs` or `src/payment/**`"
                        .into(),
                ),
            }),
            None => paths.push((g.value, index.location(path, &g.span))),
        }
    }
    let mut fix_commits = Vec::new();
    for c in t.string_array("fix_commits", p) {
        let v = c.value.as_str();
        // A revision expression (`main~2`, `@{1}`) names a different commit tomorrow.
        let ok = !v.is_empty()
            && !v.starts_with('-')
            && !v.chars().any(|ch| ch.is_whitespace() || ch.is_control() || "~^:@{}?*[\\".contains(ch));
        if !ok {
            p.list.push(toml_doc::Problem {
                span: c.span,
                message: format!("{} in `fix_commits` is not a commit SHA, a prefix of one or a ref", code(v)),
                help: Some("give the fixing commit's SHA (at least 4 hex digits) or a tag that points at it".into()),
            });
            continue;
        }
        let hex = (4..=64).contains(&v.len()) && v.chars().all(|ch| ch.is_ascii_hexdigit());
        let value = if hex { v.to_ascii_lowercase() } else { v.to_owned() };
        fix_commits.push((value, index.location(path, &c.span)));
    }
    (paths, fix_commits)
}

/// An action-item reference (or an incident ID) stands as a whole token: the character
/// before may not be one an ID may contain, the one after may not be a letter, digit,
/// `_` or `-`.
pub fn whole_token(text: &[u8], start: usize, end: usize) -> bool {
    let before_ok = start == 0 || !is_id_char(char::from(text[start - 1]));
    let after_ok = end >= text.len() || !(text[end].is_ascii_alphanumeric() || matches!(text[end], b'_' | b'-'));
    before_ok && after_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nid = \"INC-2024-017\"\ntitle = \"Deploy raced the migration\"\ndate = 2024-03-05\nseverity = \"SEV2\"\ntags = [\"migration\"]\ndetected_at = 2024-03-05T09:12:00Z\n\n[[action_items]]\nid = \"A1\"\ntitle = \"Wait for migrations\"\nowner = \"@platform\"\ndue = 2024-04-01\nstatus = \"closed\"\ncommits = [\"abc1234\"]\n\n[extra]\nanything = { goes = true }\n+++\n# Summary\n";

    #[test]
    fn reads_markdown_front_matter() {
        let (pm, problems) = parse("postmortems/a.md", GOOD, None);
        assert!(problems.is_empty(), "{problems:?}");
        let pm = pm.unwrap();
        assert_eq!(pm.id, "INC-2024-017");
        assert_eq!((pm.loc.line, pm.loc.column), (2, 6));
        assert_eq!(pm.status, Status::Published);
        assert_eq!(pm.date, Date::new(2024, 3, 5));
        assert_eq!(pm.action_items[0].status, ItemStatus::Closed);
        assert_eq!(pm.action_items[0].loc.line, 10);
        assert_eq!(pm.action_items[0].commits[0].0, "abc1234");
        assert_eq!(pm.body, "# Summary\n");
        assert_eq!(pm.body_line, 20);
    }

    #[test]
    fn date_may_carry_the_start_time() {
        let (pm, problems) = parse("p.toml", "id = \"X-1\"\ntitle = \"t\"\ndate = 2024-01-01T09:30:00Z\n", None);
        assert!(problems.is_empty(), "{problems:?}");
        let pm = pm.unwrap();
        assert_eq!(pm.date, Date::new(2024, 1, 1));
        assert_eq!(pm.started_at.map(|d| d.to_string()).as_deref(), Some("2024-01-01T09:30:00Z"));
    }

    #[test]
    fn reads_plain_toml() {
        let toml = "id = \"X-1\"\ntitle = \"t\"\ndate = 2024-01-01\nstatus = \"draft\"\n";
        let (pm, problems) = parse("postmortems/x.toml", toml, None);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(pm.unwrap().status, Status::Draft);
    }

    fn problems_of(text: &str) -> Vec<(usize, usize, String)> {
        parse("p.md", text, None)
            .1
            .into_iter()
            .map(|p| (p.loc.line, p.loc.column, format!("{} {}", p.message, p.help.unwrap_or_default())))
            .collect()
    }

    #[test]
    fn unknown_key_names_closest_with_file_line_column() {
        let text = "+++\nid = \"I-1\"\ntitle = \"t\"\ndate = 2024-01-01\n[[actoin_items]]\nid = \"A1\"\n+++\n";
        let problems = problems_of(text);
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].0, problems[0].1), (5, 3));
        assert!(problems[0].2.contains("did you mean `action_items`?"), "{problems:?}");
    }

    #[test]
    fn every_broken_rule_is_reported() {
        let text = "+++\nid = \"INC 1\"\ntitle = \"a\\nb\"\ndate = \"2024-01-01\"\nstatus = \"done\"\ntest_waiver = \"n/a\"\n[[action_items]]\nid = \"A1\"\ntitle = \"x\"\nowner = \"o\"\nstatus = \"wontfix\"\n[[action_items]]\nid = \"A1\"\ntitle = \"y\"\nowner = \"o\"\ncommits = [\"zzz\"]\n+++\n";
        let problems = problems_of(text);
        let lines: Vec<usize> = problems.iter().map(|p| p.0).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7, 16, 13], "{problems:#?}");
        assert!(problems[2].2.contains("without quotes"));
        assert!(problems[5].2.contains("gives no `reason`"));
        assert!(problems[7].2.contains("duplicate action item ID `A1`"));
    }

    #[test]
    fn missing_and_unclosed_front_matter() {
        assert!(problems_of("# Title\n")[0].2.contains("no TOML front matter"));
        assert!(problems_of("---\nid: x\n---\n")[0].2.contains("YAML"));
        assert!(problems_of("+++\nid = \"x\"\n")[0].2.contains("never closed"));
        let bad = problems_of("+++\nid = \"x\"\ntitle = \n+++\n");
        assert_eq!(bad[0].0, 3, "{bad:?}");
        assert!(bad[0].2.contains("invalid TOML"));
    }

    #[test]
    fn paths_and_fix_commits_keep_where_each_entry_stands() {
        let text = "id = \"X-1\"\ntitle = \"t\"\ndate = 2024-01-01\npaths = [\"src/db/**\"]\nfix_commits = [\"ABC1234\", \"v1.2-hotfix\"]\n";
        let (pm, problems) = parse("p.toml", text, None);
        assert!(problems.is_empty(), "{problems:?}");
        let pm = pm.unwrap();
        let at = |v: &[(String, Location)]| v.iter().map(|(s, l)| (s.clone(), l.line, l.column)).collect::<Vec<_>>();
        assert_eq!(at(&pm.paths), [("src/db/**".to_owned(), 4, 10)]);
        // A SHA is compared in lower case, as git prints it; a tag is kept as written.
        assert_eq!(at(&pm.fix_commits), [("abc1234".to_owned(), 5, 16), ("v1.2-hotfix".to_owned(), 5, 27)]);
    }

    #[test]
    fn id_pattern_applies() {
        let re = regex::Regex::new("^INC-[0-9]{4}-[0-9]{3}$").unwrap();
        let (pm, problems) = parse("p.toml", "id = \"INC-24-1\"\ntitle = \"t\"\ndate = 2024-01-01\n", Some(&re));
        assert!(pm.is_some());
        assert!(problems[0].message.contains("id_pattern"));
    }
}
