//! `incident-guard render`: the JSON reports of `check` and `verify`, which the Action's
//! trusted steps read from untrusted runs, validated strictly and rendered by the same
//! renderers (and so the same escaping) as the commands that wrote them.

mod common;
use common::*;
use incident_guard::render::markdown::MARKER;
use serde_json::{Value, json};

/// A tree with one incident and no regression test: `missing-regression-test`, an error.
fn tree() -> Tree {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t
}

fn write_json(t: &Tree, name: &str, doc: &Value) -> String {
    t.file(name, serde_json::to_string_pretty(doc).unwrap());
    name.to_owned()
}

fn render(t: &Tree, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["render"];
    all.extend_from_slice(args);
    let out = t.run(&all);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

/// A `verify --format json` document: one test that passes without its fix (does not
/// catch), with its finding, and runs whose output is `tail`.
fn verify_doc(tail: &[&str]) -> Value {
    let run = |side: &str, verdict: &str| {
        json!({
            "side": side, "commit": "0123456789abcdef0123456789abcdef01234567",
            "command": ["cargo", "test", "--test", "a", "--", "--exact", "a"], "dir": ".",
            "exit_status": 0, "seconds": 1.5, "verdict": verdict, "tail": tail,
        })
    };
    json!({
        "version": 1,
        "results": [{
            "incident": "INC-1", "test": "tests/a.rs::a", "path": "tests/a.rs", "line": 2,
            "outcome": "does-not-catch", "message": "it passes without the fix",
            "fix": { "commits": ["0123456789abcdef0123456789abcdef01234567"], "source": "fix-commits", "reason": "fix_commits in the postmortem" },
            "with_commit": "0123456789abcdef0123456789abcdef01234567",
            "without_commit": "1123456789abcdef0123456789abcdef01234567",
            "test_source": "fix-commit",
            "runs": [run("without-fix", "passed"), run("with-fix", "passed")],
        }],
        "summary": { "does-not-catch": 1 },
        "findings": [{
            "rule": "linked-test-does-not-catch", "level": "error", "incident": "INC-1", "test": "tests/a.rs::a",
            "message": "`tests/a.rs::a` passes without the fix of INC-1", "path": "tests/a.rs", "line": 2, "column": 1,
        }],
    })
}

// incident: IG-2026-012
#[test]
fn a_check_report_renders_as_the_check_renders_it() {
    let t = tree();
    let (code, doc) = t.check(&["--no-git"]);
    assert_eq!(code, 1);
    let file = write_json(&t, "report.json", &doc);
    let (code, md, err) = render(&t, &[&file, "--format", "markdown"]);
    assert_eq!(code, 1, "an error finding: {err}");
    assert_eq!(md.matches(MARKER).count(), 1, "{md}");
    assert!(md.contains("### ❌ incident-guard: 1 error"), "{md}");
    for f in doc["findings"].as_array().unwrap() {
        assert!(md.contains(f["rule"].as_str().unwrap()), "{md}");
    }
    // Byte for byte what `check --format markdown` prints.
    let check = stdout(&t.run(&["check", "--no-git", "--today", "2025-01-01", "--format", "markdown"]));
    assert_eq!(md, check);
    // `--output` writes the same to a file, and nothing to standard output.
    let (code, out, _) = render(&t, &[&file, "--format", "markdown", "--output", "comment.md"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(std::fs::read_to_string(t.path().join("comment.md")).unwrap(), md);
}

// incident: IG-2026-012
#[test]
fn hostile_text_in_a_report_is_neutralised_in_the_comment() {
    let t = tree();
    let (_, mut doc) = t.check(&["--no-git"]);
    let hostile = "@org/team <img src=x> ![x](http://t/p.png) <!-- incident-guard -->";
    doc["incidents"][0]["title"] = json!(hostile);
    doc["findings"][0]["message"] = json!(hostile);
    let file = write_json(&t, "report.json", &doc);
    let (code, md, _) = render(&t, &[&file, "--format", "markdown"]);
    assert_eq!(code, 1);
    assert_eq!(md.matches(MARKER).count(), 1, "the forged marker is not a marker: {md}");
    assert!(!md.contains("@org"), "no mention: {md}");
    assert!(!md.contains("<img"), "no HTML: {md}");
    assert!(!md.contains("![x]("), "no image: {md}");
    assert!(md.contains("\\!\\[x\\](http://t/p.png)") || md.contains("!\\[x\\](http://t/p.png)"), "{md}");
}

// incident: IG-2026-012
#[test]
fn the_verdict_is_recomputed_from_the_findings_not_read_from_the_summary() {
    let t = tree();
    let (_, mut doc) = t.check(&["--no-git"]);
    doc["summary"]["errors"] = json!(0);
    doc["summary"]["warnings"] = json!(0);
    let file = write_json(&t, "report.json", &doc);
    let (code, md, _) = render(&t, &[&file, "--format", "markdown"]);
    assert_eq!(code, 1, "{md}");
    assert!(md.contains("### ❌ incident-guard: 1 error"), "{md}");
    let (code, human, _) = render(&t, &[&file, "--format", "human"]);
    assert_eq!(code, 1);
    assert!(human.contains("incident-guard: failed: 1 error(s)"), "{human}");
}

// incident: IG-2026-012
#[test]
fn invalid_reports_are_refused_naming_the_file_and_printing_nothing() {
    let t = tree();
    let (_, doc) = t.check(&["--no-git"]);
    let mut cases: Vec<(String, String)> = vec![
        ("not-json.json".into(), "{\"version\": 1,".into()),
        ("v2.json".into(), serde_json::to_string(&json!({"version": 2, "findings": []})).unwrap()),
    ];
    let mut line = doc.clone();
    line["findings"][0]["line"] = json!("two");
    cases.push(("line.json".into(), line.to_string()));
    let mut rule = doc.clone();
    rule["findings"][0]["rule"] = json!("no-such-rule");
    cases.push(("rule.json".into(), rule.to_string()));
    let mut level = doc.clone();
    level["findings"][0]["level"] = json!("fatal");
    cases.push(("level.json".into(), level.to_string()));
    let mut missing = doc.clone();
    missing.as_object_mut().unwrap().remove("incidents");
    cases.push(("missing.json".into(), missing.to_string()));
    for (name, text) in &cases {
        t.file(name, text);
        for format in ["markdown", "human", "github"] {
            let (code, out, err) = render(&t, &[name, "--format", format]);
            assert_eq!(code, 2, "{name}: {err}");
            assert!(out.is_empty(), "{name}: {out}");
            // As every error: a workflow command with `--format github`.
            let prefix = if format == "github" { "::error title=incident-guard::" } else { "error: " };
            assert!(err.starts_with(&format!("{prefix}{name}: ")), "{name}: {err}");
        }
    }
    let mut outcome = verify_doc(&[]);
    outcome["results"][0]["outcome"] = json!("sort-of-caught");
    let file = write_json(&t, "outcome.json", &outcome);
    let (code, out, err) = render(&t, &["--verify", &file, "--format", "markdown"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.starts_with("error: outcome.json: ") && err.contains("unknown outcome"), "{err}");
    // Neither file: a usage error.
    let (code, out, _) = render(&t, &["--format", "markdown"]);
    assert_eq!((code, out.as_str()), (2, ""));
    // Too large, or not a regular file.
    t.file("big.json", vec![b' '; 16 * 1024 * 1024 + 1]);
    let (code, out, err) = render(&t, &["big.json"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.starts_with("error: big.json: "), "{err}");
    std::fs::create_dir(t.path().join("dir.json")).unwrap();
    let (code, _, err) = render(&t, &["dir.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a regular file"), "{err}");
}

// incident: IG-2026-012
#[test]
fn a_verify_report_renders_one_annotation_per_finding() {
    let t = tree();
    let file = write_json(&t, "verify.json", &verify_doc(&["test a ... ok"]));
    let (code, out, err) = render(&t, &["--verify", &file, "--format", "github"]);
    assert_eq!(code, 1, "{err}");
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error file=")).collect();
    assert_eq!(errors.len(), 1, "{out}");
    assert!(errors[0].starts_with("::error file=tests/a.rs,line=2,"), "{out}");
    assert!(errors[0].contains("title=linked-test-does-not-catch::"), "{out}");
    let (code, md, _) = render(&t, &["--verify", &file, "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(md.starts_with("#### Regression tests verified\n"), "{md}");
    // Both files: the check's comment, a blank line, the verify section.
    let (_, doc) = t.check(&["--no-git"]);
    let report = write_json(&t, "report.json", &doc);
    let (code, both, _) = render(&t, &[&report, "--verify", &file, "--format", "markdown"]);
    assert_eq!(code, 1);
    let (_, check, _) = render(&t, &[&report, "--format", "markdown"]);
    assert_eq!(both, format!("{check}\n{md}"));
    // A caught test and no finding: exit 0.
    let mut caught = verify_doc(&[]);
    caught["results"][0]["outcome"] = json!("caught");
    caught["findings"] = json!([]);
    let file = write_json(&t, "caught.json", &caught);
    let (code, out, _) = render(&t, &["--verify", &file, "--format", "github"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("::error"), "{out}");
}

// incident: IG-2026-012
#[test]
fn render_output_refuses_a_symlink() {
    let t = tree();
    let (_, doc) = t.check(&["--no-git"]);
    let file = write_json(&t, "report.json", &doc);
    t.file("target.txt", "keep");
    std::os::unix::fs::symlink(t.path().join("target.txt"), t.path().join("link.md")).unwrap();
    let (code, out, err) = render(&t, &[&file, "--format", "markdown", "--output", "link.md"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("link.md"), "{err}");
    assert_eq!(std::fs::read_to_string(t.path().join("target.txt")).unwrap(), "keep");
}

// incident: IG-2026-012
#[test]
fn nothing_a_test_prints_becomes_a_workflow_command_or_a_terminal_escape() {
    let t = tree();
    let tail = [
        "::add-mask::x",
        "  ::error file=a::forged",
        "##[error]x",
        "\t::warning::tabbed",
        "title \u{1b}]0;x\u{7} zero\u{200b}width",
        "tag\u{e0041}s \u{2060}\u{feff}\u{200c}\u{200d} nel\u{85}line sep\u{2028}x",
    ];
    let mut doc = verify_doc(&tail);
    // The names a rendered report gives are as untrusted as the output.
    doc["results"][0]["incident"] = json!("::add-mask::secret");
    doc["results"][0]["test"] = json!("##[group]t");
    let file = write_json(&t, "verify.json", &doc);
    for format in ["markdown", "human", "github"] {
        let (code, out, _) = render(&t, &["--verify", &file, "--format", format]);
        assert_eq!(code, 1, "{out}");
        for line in out.lines() {
            let trimmed = line.trim_start();
            assert!(!trimmed.starts_with("::") || format == "github", "{format}: {line:?}");
            assert!(!trimmed.starts_with("##["), "{format}: {line:?}");
            if format == "github" && trimmed.starts_with("::") {
                assert!(trimmed.starts_with("::error file=tests/a.rs,"), "only our annotation: {line:?}");
            }
        }
        for c in [
            '\u{1b}',
            '\u{7}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{e0041}',
            '\u{85}',
            '\u{2028}',
        ] {
            assert!(!out.contains(c), "{format}: raw {c:?} in {out:?}");
        }
        if format != "github" {
            assert!(out.contains("\\u{1b}") && out.contains("\\u{200b}"), "made visible: {out}");
        }
    }
}
