//! Making good postmortems easy to write: `init` sets a repository up (config, template,
//! README, workflow) and `new` starts a postmortem from the team's template with the
//! next free ID. Both write files, so both refuse to overwrite anything not asked to.

use crate::date::Date;
use anyhow::{Context as _, Result, bail};
use std::path::Path;

pub const TEMPLATE: &str = include_str!("templates/postmortem.md");
pub const CONFIG: &str = include_str!("templates/incident-guard.toml");
pub const POSTMORTEMS_README: &str = include_str!("templates/postmortems-README.md");
pub const WORKFLOW: &str = include_str!("templates/workflow.yml");
/// The team's template, when it has one, in the postmortems directory.
pub const TEMPLATE_FILE: &str = "_template.md";
const DEFAULT_PREFIX: &str = "INC";

/// A URL- and file-name-safe slug: ASCII letters and digits, words joined by `-`.
/// Common accented Latin letters are folded to ASCII; other characters separate words.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
            'æ' => "ae",
            'ç' | 'č' | 'ć' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
            'œ' => "oe",
            'ß' => "ss",
            'ś' | 'š' => "s",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            'ł' => "l",
            'đ' | 'ð' => "d",
            'þ' => "th",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        out.push_str(folded);
    }
    let words: Vec<&str> = out.split('-').filter(|w| !w.is_empty()).collect();
    let mut slug = String::new();
    for w in words {
        if !slug.is_empty() && slug.len() + 1 + w.len() > 60 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(w);
    }
    if slug.is_empty() { "incident".to_owned() } else { slug }
}

/// `PREFIX-YYYY-NNN` parsed into its parts.
fn parse_id(id: &str) -> Option<(&str, i32, u32)> {
    let mut parts = id.rsplitn(3, '-');
    let seq = parts.next()?;
    let year = parts.next()?;
    let prefix = parts.next()?;
    if year.len() != 4 || seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((prefix, year.parse().ok()?, seq.parse().ok()?))
}

/// The prefix most existing IDs use.
pub fn infer_prefix<'a>(ids: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for id in ids {
        if let Some((prefix, _, _)) = parse_id(id) {
            *counts.entry(prefix).or_default() += 1;
        }
    }
    counts.into_iter().max_by_key(|(p, n)| (*n, std::cmp::Reverse(*p))).map(|(p, _)| p.to_owned())
}

/// The next free ID for `year`: one more than the highest used that year (gaps are not
/// refilled: an ID that was ever used may be linked somewhere).
pub fn next_id<'a>(ids: impl IntoIterator<Item = &'a str>, prefix: &str, year: i32) -> String {
    let max =
        ids.into_iter().filter_map(parse_id).filter(|(p, y, _)| *p == prefix && *y == year).map(|(_, _, n)| n).max();
    format!("{prefix}-{year:04}-{:03}", max.unwrap_or(0) + 1)
}

/// A TOML basic string's content.
pub fn toml_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// What `new` needs to fill a template.
pub struct NewPostmortem<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub severity: Option<&'a str>,
    pub date: Date,
    /// Today: the first action item falls due two weeks from the later of the incident's
    /// date and today, so that a postmortem written late is not overdue the day it is made.
    pub today: Date,
}

/// Fills `{{id}}`, `{{title}}`, `{{date}}`, `{{due}}` (see `NewPostmortem::today`) and `{{severity}}`.
/// Values are escaped for the TOML strings they stand in.
pub fn fill(template: &str, p: &NewPostmortem) -> String {
    let severity = match p.severity {
        Some(s) => format!("severity = \"{}\"", toml_escape(s)),
        None => "# severity = \"SEV2\"             # e.g. SEV1 (worst) to SEV4".to_owned(),
    };
    template
        .replace("{{id}}", p.id)
        .replace("{{title}}", &toml_escape(p.title))
        .replace("{{date}}", &p.date.to_string())
        .replace("{{due}}", &Date::from_days(p.date.days().max(p.today.days()) + 14).to_string())
        .replace("{{severity}}", &severity)
}

/// One file `init` wants to write.
pub struct Planned {
    pub path: String,
    pub content: String,
}

/// The workflow `init` writes: it uses the Action at the release of this very binary, so
/// it works (and installs the prebuilt binary) as written.
pub fn workflow() -> String {
    WORKFLOW.replace("{{version}}", env!("CARGO_PKG_VERSION"))
}

/// The files `init` writes, relative to the root.
pub fn init_files(postmortems: &str) -> Vec<Planned> {
    vec![
        Planned { path: crate::config::FILE_NAME.to_owned(), content: CONFIG.to_owned() },
        Planned { path: format!("{postmortems}/{TEMPLATE_FILE}"), content: TEMPLATE.to_owned() },
        Planned { path: format!("{postmortems}/README.md"), content: POSTMORTEMS_README.to_owned() },
        Planned { path: ".github/workflows/incident-guard.yml".to_owned(), content: workflow() },
    ]
}

/// Writes `files` under `root`; existing files are kept unless `force`. Returns the
/// paths written and the paths left alone.
pub fn write_files(root: &Path, files: &[Planned], force: bool) -> Result<(Vec<String>, Vec<String>)> {
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for f in files {
        let path = root.join(&f.path);
        if path.exists() && !force {
            kept.push(f.path.clone());
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(&path, &f.content).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(f.path.clone());
    }
    Ok((written, kept))
}

/// Checks a title for `new`: one line, not empty.
pub fn check_title(title: &str) -> Result<()> {
    if title.trim().is_empty() {
        bail!("the title is empty");
    }
    if title.contains(['\n', '\r']) {
        bail!("the title must be one line");
    }
    Ok(())
}

pub fn default_prefix() -> &'static str {
    DEFAULT_PREFIX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_unicode_and_drop_punctuation() {
        assert_eq!(slug("Café outage: 50% of orders lost!"), "cafe-outage-50-of-orders-lost");
        assert_eq!(slug("Straße — Überlauf (ßig)"), "strasse-uberlauf-ssig");
        assert_eq!(slug("数据库 down"), "down");
        assert_eq!(slug("!!!"), "incident");
        let long = slug(&"word ".repeat(40));
        assert!(long.len() <= 60 && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn ids_number_per_year_without_refilling_gaps() {
        let ids = ["INC-2026-001", "INC-2026-003", "INC-2025-017", "OPS-2026-009", "weird"];
        assert_eq!(next_id(ids, "INC", 2026), "INC-2026-004");
        assert_eq!(next_id(ids, "INC", 2027), "INC-2027-001");
        assert_eq!(next_id(ids, "OPS", 2026), "OPS-2026-010");
        assert_eq!(infer_prefix(ids).as_deref(), Some("INC"));
        assert_eq!(infer_prefix(["x"]), None);
        assert_eq!(next_id(["INC-2026-999"], "INC", 2026), "INC-2026-1000");
    }

    #[test]
    fn titles_are_escaped_for_toml() {
        let p = NewPostmortem {
            id: "INC-2026-001",
            title: "The \"quoted\" \\ title",
            severity: Some("SEV1"),
            date: Date::new(2026, 1, 30).unwrap(),
            today: Date::new(2026, 1, 30).unwrap(),
        };
        let text = fill(TEMPLATE, &p);
        let (pm, problems) = crate::postmortem::parse("postmortems/x.md", &text, None);
        assert!(problems.is_empty(), "{problems:?}");
        let pm = pm.unwrap();
        assert_eq!(pm.title, "The \"quoted\" \\ title");
        assert_eq!(pm.severity.as_deref(), Some("SEV1"));
        assert_eq!(pm.action_items[0].due, Date::new(2026, 2, 13));
        // Written a year late: due two weeks from today, not already overdue.
        let late = NewPostmortem { today: Date::new(2027, 1, 30).unwrap(), ..p };
        let (pm, _) = crate::postmortem::parse("postmortems/x.md", &fill(TEMPLATE, &late), None);
        assert_eq!(pm.unwrap().action_items[0].due, Date::new(2027, 2, 13));
    }

    #[test]
    fn keys_appended_to_the_template_land_where_they_count() {
        let p = NewPostmortem {
            id: "INC-2026-001",
            title: "t",
            severity: None,
            date: Date::new(2026, 1, 30).unwrap(),
            today: Date::new(2026, 1, 30).unwrap(),
        };
        // A user appends to the end of the front matter, as the template invites.
        let text = fill(TEMPLATE, &p).replacen(
            "\n+++\n",
            "\nretired_tests = [{ test = \"a.rs::t\", reason = \"gone with the old client\" }]\n+++\n",
            2,
        );
        let (_, problems) = crate::postmortem::parse("postmortems/x.md", &text, None);
        // Not silently inside `[extra]`, not a duplicate key: the misplaced key is named.
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("`retired_tests`"), "{problems:?}");
        assert!(problems[0].help.as_deref().unwrap_or("").contains("move it above"), "{problems:?}");
    }
}
