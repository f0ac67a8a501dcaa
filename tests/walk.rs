//! What the walk reads and what it refuses, through the real binary: ignore files skip
//! only untracked files (a tracked test or postmortem is read whatever `.gitignore`
//! says), nothing outside the repository is read, nothing that is not a regular file is
//! opened, and a crafted line costs neither memory nor a flood of findings. Runs that
//! could hang on the code these tests pin are killed by a watchdog, so a regression
//! fails the test instead of stalling the suite.

mod common;
use common::*;
use serde_json::Value;
use std::io::Read as _;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Generous: every run here takes well under a second; the bugs took forever.
const WATCHDOG: Duration = Duration::from_secs(60);

const A: &str = "// incident: INC-1\n#[test]\nfn a() { assert!(true); }\n";
const B: &str = "// incident: INC-1\n#[test]\nfn b() { assert!(true); }\n";

/// Runs the binary in the tree's root, killing it if it is still running after `WATCHDOG`.
fn run_within(t: &Tree, args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(t.path())
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run incident-guard");
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for incident-guard") {
            break status;
        }
        if started.elapsed() > WATCHDOG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("incident-guard {args:?} was still running after {WATCHDOG:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

/// `Tree::check`, under the watchdog.
fn check_within(t: &Tree, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--format", "json", "--today", "2025-01-01"];
    if !t.path().join(".git").exists() {
        args.push("--no-git");
    }
    args.extend_from_slice(extra);
    let out = run_within(t, &args);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(&out), stderr(&out)));
    (out.status.code().unwrap_or(-1), doc)
}

/// INC-1 linked from `tests/a.rs` and `tests/b.rs`, committed on `main`; now on branch `pr`.
fn base() -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("tests/a.rs", A).file("tests/b.rs", B);
    t.commit("base");
    t.git(&["checkout", "-q", "-b", "pr"]);
    t
}

/// `(path, message)` of every `unparsable-source` finding, sorted.
fn skipped(doc: &Value) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = of_rule(doc, "unparsable-source")
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["message"].as_str().unwrap().to_owned()))
        .collect();
    got.sort();
    got
}

/// A symbolic link, to a file or a directory alike, as unix makes them. The tests that
/// need one fail elsewhere rather than pass having checked nothing.
fn symlink(target: impl AsRef<std::path::Path>, link: impl AsRef<std::path::Path>) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link).expect("make a symbolic link");
    #[cfg(not(unix))]
    panic!("needs unix symbolic links: {} -> {}", link.as_ref().display(), target.as_ref().display());
}

fn mkfifo(path: &std::path::Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let out = Command::new("mkfifo").arg(path).output().expect("run mkfifo");
    assert!(out.status.success(), "mkfifo: {}", String::from_utf8_lossy(&out.stderr));
}

// incident: IG-2026-005
#[test]
fn gitignore_does_not_hide_a_tracked_test_that_was_disabled() {
    let t = base();
    // The pull request disables the linked test and lists its file in the ignore files.
    t.file(".gitignore", "tests/a.rs\nscratch/\n");
    t.file("tests/.ignore", "b.rs\n");
    t.file("tests/a.rs", A.replace("#[test]\n", "#[test]\n#[ignore]\n"));
    // An untracked file the ignore files list is still not read: its bad marker says nothing.
    t.file("scratch/x.rs", "// incident: INC#1\n#[test]\nfn x() {}\n");
    t.git(&["add", ".gitignore", "tests"]);
    t.git(&["commit", "-q", "-m", "ignore the test"]);
    let (code, doc) = check_within(&t, &[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(errors(&doc), [err("linked-test-ignored", "tests/a.rs::a")], "{doc:#}");
    let f = of_rule(&doc, "linked-test-ignored")[0];
    assert_eq!((f["path"].as_str(), f["line"].as_u64()), (Some("tests/a.rs"), Some(3)), "{f}");
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/a.rs::a", "tests/b.rs::b"]);
    assert!(of_rule(&doc, "invalid-marker").is_empty(), "{doc:#}");
}

// incident: IG-2026-005
#[test]
fn gitignore_does_not_hide_a_tracked_postmortem() {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("tests/a.rs", A);
    t.commit("base");
    t.file(".gitignore", "postmortems/*.md\n");
    t.commit("ignore the postmortems");
    // An untracked postmortem the ignore file lists is not read.
    t.file("postmortems/draft.md", postmortem("INC-2", ""));
    let (code, doc) = check_within(&t, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(of_rule(&doc, "unknown-incident").is_empty(), "{doc:#}");
    let ids: Vec<&str> = doc["incidents"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["INC-1"]);
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/a.rs::a"]);
}

// incident: IG-2026-005
#[test]
fn gitignore_does_not_hide_tracked_files_below_a_subdirectory_root() {
    let t = Tree::new();
    t.init_git();
    t.file("svc/incident-guard.toml", LINTS_OFF);
    t.file("svc/postmortems/i.md", postmortem("INC-1", ""));
    t.file("svc/tests/a.rs", A).file("svc/tests/b.rs", B);
    t.commit("base");
    // The ignore file stands above the checked root, in the work tree's own root.
    t.file(".gitignore", "svc/tests/a.rs\n");
    t.commit("ignore");
    let out = run_within(&t, &["check", "--format", "json", "--today", "2025-01-01", "svc"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/a.rs::a", "tests/b.rs::b"]);
}

// incident: IG-2026-008
#[test]
fn symbolic_links_out_of_the_repository_are_not_followed() {
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("tests/a.rs", A);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("o.rs"), "// incident: INC-1\n#[test]\nfn outside() {}\n").unwrap();
    symlink("/etc/passwd", t.path().join("tests/p.rs"));
    symlink(outside.path().join("o.rs"), t.path().join("tests/o.rs"));
    symlink("/", t.path().join("tests/root"));
    symlink(outside.path(), t.path().join("tests/elsewhere"));
    // A link to a file inside is read under its own path; one to a directory inside is
    // not entered (its files are read where they are).
    symlink("a.rs", t.path().join("tests/alias.rs"));
    symlink(t.path().join("tests"), t.path().join("more"));
    // Nor is a linked postmortem that leads out.
    symlink(outside.path().join("o.rs"), t.path().join("postmortems/o.md"));
    let (code, doc) = check_within(&t, &[]);
    let outside_of = |target: &std::path::Path| {
        format!("skipped: a symbolic link to outside the repository ({})", target.canonicalize().unwrap().display())
    };
    let expected: Vec<(String, String)> = [
        ("tests/elsewhere", outside_of(outside.path())),
        ("tests/o.rs", outside_of(&outside.path().join("o.rs"))),
        ("tests/p.rs", outside_of(std::path::Path::new("/etc/passwd"))),
        ("tests/root", outside_of(std::path::Path::new("/"))),
    ]
    .into_iter()
    .map(|(path, why)| (path.to_owned(), format!("{path} {why}")))
    .collect();
    assert_eq!(skipped(&doc), expected, "{doc:#}");
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/a.rs::a", "tests/alias.rs::a"]);
    assert_eq!(code, 1, "{doc:#}");
    let pm = of_rule(&doc, "invalid-postmortem");
    assert_eq!(pm.len(), 1, "{doc:#}");
    assert_eq!(pm[0]["path"], "postmortems/o.md");
    assert!(pm[0]["message"].as_str().unwrap().contains("outside the repository"), "{}", pm[0]);
}

// incident: IG-2026-008
#[test]
fn a_symbolic_link_into_sys_does_not_hang_the_walk() {
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("tests/a.rs", A);
    // Linux's /sys; elsewhere /dev, as endless to walk.
    let sys = ["/sys", "/dev"].iter().map(std::path::Path::new).find(|p| p.is_dir()).expect("a /sys or /dev");
    symlink(sys, t.path().join("tests/sys"));
    let (code, doc) = check_within(&t, &[]);
    assert_eq!(code, 0, "{doc:#}");
    let sys = sys.canonicalize().unwrap();
    let why = format!("tests/sys skipped: a symbolic link to outside the repository ({})", sys.display());
    assert_eq!(skipped(&doc), [("tests/sys".to_owned(), why)]);
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/a.rs::a"]);
}

// incident: IG-2026-008
#[test]
fn fifos_are_never_opened() {
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("tests/a.rs", A);
    // Opening any of these for reading blocks until a writer comes: none ever does.
    mkfifo(&t.path().join("tests/f.rs"));
    mkfifo(&t.path().join("notes.txt"));
    mkfifo(&t.path().join("tests/.gitignore"));
    t.file("tests/x.rs", "// incident: INC-1\n#[test]\nfn x() {}\n");
    let (code, doc) = check_within(&t, &[]);
    assert_eq!(code, 0, "{doc:#}");
    // A FIFO that is not a source file needs no word; an ignore file that is not a
    // regular file is not read, and its directory is walked as if it had none.
    assert_eq!(
        skipped(&doc),
        [("tests/f.rs".to_owned(), "tests/f.rs skipped: not a regular file (a FIFO)".to_owned())],
        "{doc:#}"
    );
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/a.rs::a", "tests/x.rs::x"]);
    // A FIFO where a postmortem is expected is an unreadable postmortem.
    mkfifo(&t.path().join("postmortems/p.md"));
    let (code, doc) = check_within(&t, &[]);
    assert_eq!(code, 1, "{doc:#}");
    let pm = of_rule(&doc, "invalid-postmortem");
    assert_eq!((pm.len(), pm[0]["path"].as_str()), (1, Some("postmortems/p.md")), "{doc:#}");
    assert!(pm[0]["message"].as_str().unwrap().contains("not a regular file (a FIFO)"), "{}", pm[0]);
}

// incident: IG-2026-008
#[test]
fn postmortems_directory_outside_the_repository_is_a_config_error() {
    for (value, column) in [("/etc", 15), ("../../..", 15), ("docs/../../x", 15)] {
        let t = Tree::new();
        t.file("incident-guard.toml", format!("# where they live\npostmortems = \"{value}\"\n{LINTS_OFF}"));
        let out = run_within(&t, &["check", "--no-git"]);
        assert_eq!(out.status.code(), Some(2), "{value}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("--> incident-guard.toml:2:{column}")), "{value}: {err}");
        assert!(err.contains("`postmortems` must be a directory inside the repository"), "{value}: {err}");
    }
}

// incident: IG-2026-008
#[test]
fn postmortems_directory_linked_out_of_the_repository_is_refused() {
    let t = Tree::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("i.md"), postmortem("INC-1", "")).unwrap();
    std::fs::remove_dir(t.path().join("postmortems")).unwrap();
    symlink(outside.path(), t.path().join("postmortems"));
    let out = run_within(&t, &["check", "--no-git"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("the postmortems directory `postmortems` resolves to"), "{err}");
    assert!(err.contains("outside the repository"), "{err}");
}

// incident: IG-2026-008
#[test]
fn a_marker_line_of_bad_tokens_is_one_finding() {
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    let tokens = vec!["x#"; 20_000].join(" ");
    t.file("tests/m.rs", format!("// incident: {tokens}\n#[test]\nfn t() {{}}\n{A}"));
    let (code, doc) = check_within(&t, &[]);
    assert_eq!(code, 1, "{doc:#}");
    let bad = of_rule(&doc, "invalid-marker");
    assert_eq!(bad.len(), 1, "{} invalid-marker findings", bad.len());
    assert_eq!(
        (bad[0]["path"].as_str(), bad[0]["line"].as_u64(), bad[0]["column"].as_u64()),
        (Some("tests/m.rs"), Some(1), Some(14))
    );
    let message = bad[0]["message"].as_str().unwrap();
    assert_eq!(message, "20000 tokens of this marker are not incident IDs: `x#`, `x#`, `x#` and 19997 more");
    assert!(bad[0]["help"].as_str().unwrap().contains("separated by commas or spaces; put prose on another line"));
    // Far along a long line, the terminal still shows the token under its caret.
    t.file("tests/m.rs", format!("// incident: {} z#\n#[test]\nfn t() {{}}\n", vec!["INC-1"; 10_000].join(" ")));
    let out = run_within(&t, &["check", "--no-git"]);
    let human = stdout(&out);
    let lines: Vec<&str> = human.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("error[invalid-marker]")).unwrap_or_else(|| panic!("{human}"));
    assert_eq!(lines[at], "error[invalid-marker]: `z#` is not an incident ID");
    let (source, carets) = (lines[at + 3], lines[at + 4]);
    assert!(source.chars().count() < 400, "{source}");
    let caret = carets.find('^').unwrap_or_else(|| panic!("{human}"));
    let under: String = source.chars().skip(caret).take(2).collect();
    assert_eq!(under, "z#", "{source}\n{carets}");
}

// incident: IG-2026-008
#[test]
fn tests_sharing_a_line_are_each_their_own_body() {
    // A minified test file: every test on one line. The linked test is deleted and the
    // marker now links its neighbour, a different test; the line as a whole is much the
    // same, the tests are not.
    let filler: String =
        (0..40).map(|i| format!("it('case {i}', () => {{ expect(render({i})).toBe({i}); }}); ")).collect();
    let a = "it('retries the payment', () => { const p = pay(); p.fail(); expect(p.retried).toBe(true); }); ";
    let b = "it('cart total', () => { expect(cart.sum()).toBe(0); }); ";
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("tests/one.test.js", format!("// incident: INC-1\n{a}{b}{filler}\n"));
    t.commit("base");
    t.git(&["checkout", "-q", "-b", "pr"]);
    t.file("tests/one.test.js", format!("// incident: INC-1\n{b}{filler}\n"));
    t.commit("delete the linked test");
    let (code, doc) = check_within(&t, &[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(errors(&doc), [err("linked-test-removed", "tests/one.test.js::retries the payment")], "{doc:#}");
    assert!(of_rule(&doc, "linked-test-moved").is_empty(), "{doc:#}");
}

// incident: IG-2026-008
#[test]
fn a_marker_repeated_over_many_tests_links_each_test_once() {
    // Found by the fuzzer: every `//!` marker gave every test of the file a link of its
    // own, markers times tests of them, and `unknown-incident` reported each.
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    let mut src = "//! incident: INC-1\n".repeat(300);
    src.push_str(&"//! incident: INC-404\n".repeat(300));
    for i in 0..300 {
        src.push_str(&format!("#[test]\nfn t{i}() {{}}\n"));
    }
    t.file("tests/many.rs", src);
    let (_, doc) = t.check(&[]);
    assert_eq!(tests_of(&doc, "INC-1").len(), 300);
    // One finding for the unknown ID, at its first marker, not one per marker and test.
    assert_eq!(of_rule(&doc, "unknown-incident").len(), 1, "{}", doc["summary"]);
}
