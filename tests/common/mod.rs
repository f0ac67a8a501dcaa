//! Test harness: fixture trees in temporary directories, the real binary, and (for the
//! history tests) real git repositories with per-repository identity.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_incident-guard");

/// The quality lints, off: most tests use minimal postmortems and are about other rules.
/// Tests of the lints write their own config.
pub const LINTS_OFF: &str = "[rules]\naction-item-missing-owner = \"off\"\naction-item-missing-due = \"off\"\nvague-action-item = \"off\"\nblame-language = \"off\"\nmissing-section = \"off\"\nno-prevent-action = \"off\"\naction-item-past-sla = \"off\"\n";

pub struct Tree {
    pub dir: tempfile::TempDir,
}

/// A postmortem's front matter with the required keys, plus `extra` lines.
pub fn postmortem(id: &str, extra: &str) -> String {
    format!("+++\nid = \"{id}\"\ntitle = \"Incident {id}\"\ndate = 2024-03-05\n{extra}+++\n\n## Summary\n")
}

impl Tree {
    pub fn new() -> Tree {
        let tree = Tree { dir: tempfile::tempdir().expect("tempdir") };
        std::fs::create_dir_all(tree.path().join("postmortems")).unwrap();
        tree.file("incident-guard.toml", LINTS_OFF);
        tree
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, rel: &str, content: impl AsRef<[u8]>) -> &Tree {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Tree {
        std::fs::remove_file(self.path().join(rel)).unwrap();
        self
    }

    /// Runs the binary in the tree's root.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_in(self.path(), args, &[])
    }

    pub fn run_in(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(dir)
            .env_remove("GITHUB_EVENT_PATH")
            .env_remove("GITHUB_ACTIONS")
            .env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run incident-guard")
    }

    /// `check --format json` with `--today 2025-01-01`; returns the exit code and document.
    pub fn check(&self, extra: &[&str]) -> (i32, Value) {
        let mut args = vec!["check", "--format", "json", "--today", "2025-01-01"];
        // Trees that are not repositories test the other checks: keep history notes out.
        if !self.path().join(".git").exists() {
            args.push("--no-git");
        }
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let doc: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap_or(-1), doc)
    }

    /// Runs git in the tree with a per-repository identity.
    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    pub fn init_git(&self) -> &Tree {
        self.git(&["init", "-q", "-b", "main"]);
        self.git(&["config", "user.name", "Test"]);
        self.git(&["config", "user.email", "test@example.com"]);
        self.git(&["config", "commit.gpgsign", "false"]);
        self
    }

    /// Commits with a given committer date (RFC 3339).
    pub fn commit_at(&self, message: &str, date: &str) -> String {
        self.git(&["add", "-A"]);
        let out = Command::new("git")
            .args(["commit", "-q", "--allow-empty", "-m", message])
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.path())
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("run git");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }
}

pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_AUTHOR_DATE", "2024-06-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-06-01T12:00:00Z")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `(rule, path, line)` of every finding.
pub fn findings(doc: &Value) -> Vec<(String, String, u64)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap_or("").to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// `findings`, less the note that the base is HEAD itself: for tests of other rules that
/// run on the default branch or on a branch with only uncommitted changes.
pub fn findings_past_head_base(doc: &Value) -> Vec<(String, String, u64)> {
    let head_note = |f: &Value| {
        f["rule"] == "history-skipped" && f["message"].as_str().unwrap_or("").contains("compared HEAD with itself")
    };
    let kept: Vec<Value> = doc["findings"].as_array().unwrap().iter().filter(|f| !head_note(f)).cloned().collect();
    findings(&serde_json::json!({ "findings": kept }))
}

/// `(rule, test)` of every finding at error level (`test` empty when it names none).
pub fn errors(doc: &Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "error")
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["test"].as_str().unwrap_or("").to_owned()))
        .collect()
}

pub fn err(rule: &str, test: &str) -> (String, String) {
    (rule.to_owned(), test.to_owned())
}

pub fn finding(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_owned(), path.to_owned(), line)
}

/// The findings of one rule, whole.
pub fn of_rule<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == rule).collect()
}

/// The tests the JSON report links to `id`.
pub fn tests_of(doc: &Value, id: &str) -> Vec<String> {
    doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no incident {id}"))["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The live processes (not zombies) whose command line holds `needle`: how a test finds
/// what a run started, since a pid written inside a PID namespace is the namespace's.
pub fn processes_with(needle: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else { continue };
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| s.rsplit_once(')').is_some_and(|(_, r)| r.trim_start().starts_with('Z')));
        if !zombie && String::from_utf8_lossy(&cmdline).replace('\0', " ").contains(needle) {
            out.push(pid);
        }
    }
    out
}

/// Markdown as GitHub renders a comment (GFM: tables, strikethrough, autolinks), with raw
/// HTML passed through, so that a test sees exactly what repository text could inject.
pub fn gfm_html(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.autolink = true;
    options.render.r#unsafe = true;
    comrak::markdown_to_html(markdown, &options)
}
