//! Which commit a test is verified against when the postmortem names none: looked up in
//! the history, and only taken when it can be the fix. A commit that only added a marker
//! and a postmortem fixed nothing, and the test would pass "without" it: so the commit
//! that added the marker is a candidate only if it changed code other than tests, markers
//! and postmortems; else the commit that introduced the test's text, with code changes
//! beside it; else the link is `unverifiable`, with the commits of the incident's `paths`
//! around its date as likely fixes. Listed evidence that does not resolve is never
//! replaced by a guess (see `fix::for_incident`).

use super::fix::{Choice, Source, Unverifiable, naming_help};
use crate::postmortem::Postmortem;
use crate::proof::short;
use crate::scan::TestCase;
use git2::{Oid, Repository};
use std::path::Path;
use std::process::Command;

/// Where the history is read: the work tree, the checked directory's path inside it, the
/// postmortems' directory (relative to the checked directory) and the marker words.
pub struct Place<'a> {
    pub workdir: &'a Path,
    pub prefix: &'a str,
    pub postmortems: &'a str,
    pub words: &'a [String],
}

impl Place<'_> {
    fn git_path(&self, rel: &str) -> String {
        if self.prefix.is_empty() { rel.to_owned() } else { format!("{}/{rel}", self.prefix) }
    }

    /// `rel` (a git path) relative to the checked directory; `None` outside it.
    fn checked_rel<'p>(&self, path: &'p str) -> Option<&'p str> {
        if self.prefix.is_empty() { Some(path) } else { path.strip_prefix(self.prefix)?.strip_prefix('/') }
    }

    fn git(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(self.workdir);
        for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// The full SHAs `git log ARGS` prints (one a line, `%H` first), newest first.
    fn log(&self, args: &[&str], paths: &[String]) -> Vec<String> {
        let Ok(out) = self.git().arg("log").args(args).arg("--").args(paths).output() else { return Vec::new() };
        String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect()
    }
}

/// The fix of one test when the incident names none.
pub fn for_test(pm: &Postmortem, test: &TestCase, place: &Place, repo: &Repository) -> Result<Choice, Unverifiable> {
    let file = test.loc.path.as_str();
    let path = vec![place.git_path(file)];
    let oldest = |args: &[&str]| place.log(args, &path).into_iter().rfind(|l| l.len() == 40);
    let marker = oldest(&["--format=%H", "--follow", "-S", &pm.id, "HEAD"]);
    let shown = crate::finding::code(file);
    if let Some(sha) = &marker
        && changes_code(repo, place, sha)
    {
        return Ok(Choice {
            reason: format!(
                "the commit that added the marker naming {} to {shown} (no `fix_commits`, no closed prevent item with a commit), which also changed code: a regression test usually lands with its fix",
                pm.id
            ),
            commits: vec![sha.clone()],
            source: Source::MarkerCommit,
        });
    }
    // The commit that brought the test's text as it is now: the last one that changed it,
    // not the one that first named it. From after its last marker line, if it holds one
    // (`@pytest.mark.incident`), which came with the marker.
    let body = test.body.as_str();
    let lines: Vec<&str> = body.lines().collect();
    let after_marker = lines
        .iter()
        .rposition(|l| {
            let lower = l.to_ascii_lowercase();
            place.words.iter().any(|w| lower.contains(&w.to_ascii_lowercase()))
        })
        .map_or(0, |i| i + 1);
    let needle = lines[after_marker.min(lines.len())..].join("\n");
    let needle = if needle.trim().is_empty() { test.name.clone() } else { needle };
    let intro = oldest(&["--format=%H", "--follow", "-S", &needle, "HEAD"]);
    // And the commit that first added it, by the line that names it: only when that is the
    // one that brought its text as it is now is it the test's own commit. A test edited
    // since was edited by a commit that may change code for another reason (a refactor),
    // and the commit that added it had another text: neither is known to be the fix.
    let head_line = lines.iter().map(|l| l.trim()).find(|l| l.contains(test.name.as_str())).unwrap_or("");
    let added = if head_line.is_empty() {
        intro.clone()
    } else {
        oldest(&["--format=%H", "--follow", "-S", head_line, "HEAD"])
    };
    if let Some(sha) = &intro
        && Some(sha) != marker.as_ref()
        && added.as_ref() == Some(sha)
        && changes_code(repo, place, sha)
    {
        return Ok(Choice {
            reason: format!(
                "the commit that added the test to {shown} as it is now, which also changed code (the marker naming {} came later{}): a regression test usually lands with its fix",
                pm.id,
                marker.as_deref().map(|m| format!(", in {}", short(m))).unwrap_or_default()
            ),
            commits: vec![sha.clone()],
            source: Source::TestCommit,
        });
    }
    let why = match (&marker, &intro, &added) {
        (None, _, _) => {
            format!("{} names no fix commit, and no commit added its marker to {shown} (is the test committed?)", pm.id)
        }
        (Some(_), Some(i), Some(a)) if i != a => format!(
            "{} names no fix commit, and the test was changed since it was added to {shown} ({}, last changed in {}): neither commit is known to be the fix",
            pm.id,
            short(a),
            short(i)
        ),
        (Some(m), Some(i), _) if i != m => format!(
            "{} names no fix commit, and neither the commit that added its marker to {shown} ({}) nor the one that introduced the test ({}) changed code other than tests, markers and postmortems",
            pm.id,
            short(m),
            short(i)
        ),
        (Some(m), _, _) => format!(
            "{} names no fix commit, and the commit that added the test and its marker to {shown} ({}) changed no code other than tests, markers and postmortems: it is not the fix",
            pm.id,
            short(m)
        ),
    };
    let likely = likely_fixes(pm, place, repo);
    let help = if likely.is_empty() {
        naming_help(&pm.id)
    } else {
        format!(
            "likely fix commits (changing the incident's code around its date): {}; {}",
            likely.join(", "),
            naming_help(&pm.id)
        )
    };
    Err(Unverifiable { why, help })
}

/// Up to five commits, the nearest to its date first, as `abc1234 "subject"`, that changed the incident's
/// `paths` (or, without any, code) from two weeks before its date to a month after.
fn likely_fixes(pm: &Postmortem, place: &Place, repo: &Repository) -> Vec<String> {
    let Some(date) = &pm.date else { return Vec::new() };
    let Some(day) = days_from_civil(i64::from(date.year), date.month, date.day) else {
        return Vec::new();
    };
    let since = format!("--since=@{}", (day - 14) * 86_400);
    let until = format!("--until=@{}", (day + 31) * 86_400);
    let paths: Vec<String> =
        pm.paths.iter().map(|(glob, _)| format!(":(glob){}", place.git_path(glob.trim_start_matches('/')))).collect();
    let lines = place.log(&["--format=%H%x09%ct%x09%s", "--no-merges", &since, &until, "HEAD"], &paths);
    let mut found: Vec<(i64, &str, &str)> = lines
        .iter()
        .filter_map(|l| {
            let (sha, rest) = l.split_once('\t')?;
            let (time, subject) = rest.split_once('\t')?;
            Some(((time.parse::<i64>().ok()? - day * 86_400).abs(), sha, subject))
        })
        .filter(|(_, sha, _)| sha.len() == 40)
        .collect();
    // The nearest to the incident's date first.
    found.sort_by_key(|(distance, _, _)| *distance);
    found
        .into_iter()
        .filter(|(_, sha, _)| changes_code(repo, place, sha))
        .take(5)
        .map(|(_, sha, subject)| format!("{} \"{}\"", short(sha), subject.chars().take(60).collect::<String>()))
        .collect()
}

/// Days since 1970-01-01 of a calendar date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Whether commit `sha` changed code: a file that is not a file of tests, not under the
/// postmortems' directory and not prose (`.md`, `.rst`, `.txt` other than requirements),
/// in a way that is more than marker lines; in a Rust file of code, more than its
/// `#[cfg(test)]` items and comments.
pub fn changes_code(repo: &Repository, place: &Place, sha: &str) -> bool {
    let Ok(commit) = Oid::from_str(sha).and_then(|o| repo.find_commit(o)) else { return false };
    let Ok(tree) = commit.tree() else { return false };
    let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
    let Ok(diff) = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), None) else { return false };
    let pm_dir = format!("{}/", place.postmortems.trim_matches('/'));
    for delta in diff.deltas() {
        let Some(path) = delta.new_file().path().or_else(|| delta.old_file().path()) else { continue };
        let path = path.to_string_lossy().replace('\\', "/");
        let Some(rel) = place.checked_rel(&path) else { return true };
        if rel.starts_with(&pm_dir) || crate::scan::is_test_file(rel) || is_prose(rel) {
            continue;
        }
        let text = |id: Oid| {
            (!id.is_zero())
                .then(|| repo.find_blob(id).ok().map(|b| String::from_utf8_lossy(b.content()).into_owned()))
                .flatten()
                .unwrap_or_default()
        };
        let (old, new) = (text(delta.old_file().id()), text(delta.new_file().id()));
        let same = if rel.ends_with(".rs") {
            match (rust_code(&old), rust_code(&new)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            }
        } else {
            without_markers(&old, place.words) == without_markers(&new, place.words)
        };
        if !same {
            return true;
        }
    }
    false
}

fn is_prose(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    !super::setup::is_dependency_manifest(path)
        && [".md", ".markdown", ".rst", ".txt", ".adoc"].iter().any(|e| lower.ends_with(e))
}

/// A Rust file's tokens without its `#[cfg(test)]` items (and so without comments).
fn rust_code(text: &str) -> Option<String> {
    if text.is_empty() {
        return Some(String::new());
    }
    let lexed = crate::scan::rust_lex::lex(text);
    let ranges = crate::scan::rust::on_parser_stack(&lexed, || super::splice::cfg_test_items(text)).ok()??;
    let mut kept = String::new();
    let mut at = 0;
    for r in ranges {
        kept.push_str(text.get(at..r.start)?);
        at = r.end;
    }
    kept.push_str(text.get(at..)?);
    kept.parse::<proc_macro2::TokenStream>().ok().map(|t| t.to_string())
}

/// The lines of `text` that are not blank and name no marker word.
fn without_markers<'t>(text: &'t str, words: &[String]) -> Vec<&'t str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            !words.iter().any(|w| lower.contains(&w.to_ascii_lowercase()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rust_file_whose_tests_alone_changed_changed_no_code() {
        let a = "pub fn f() -> u32 { 1 }\n";
        let b = "pub fn f() -> u32 { 1 }\n\n#[cfg(test)]\nmod tests {\n    // incident: INC-1\n    #[test]\n    fn t() {}\n}\n";
        assert_eq!(rust_code(a), rust_code(b));
        assert_ne!(rust_code(a), rust_code("pub fn f() -> u32 { 2 }\n"));
        let words = ["incident".to_owned()];
        assert_eq!(without_markers("x = 1\n", &words), without_markers("# incident: INC-1\nx = 1\n\n", &words));
    }

    #[test]
    fn civil_days_count_from_the_epoch() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2024, 3, 5), Some(19_787));
        assert_eq!(days_from_civil(2024, 13, 5), None);
    }
}
