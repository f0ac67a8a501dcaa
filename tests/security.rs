//! What the binary prints when it cannot run. Inside GitHub Actions the runner obeys
//! workflow commands on stderr as well as stdout, and the failure message carries text
//! from the repository, so it must never open a line of its own with `::`.

mod common;
use common::*;

/// Config text that, printed unescaped, forges an annotation and stops the runner from
/// reading any later workflow command.
const HOSTILE_CONFIGS: [&str; 2] = [
    // a value, echoed in "the postmortems directory `…` does not exist"
    "postmortems = \"x\\n::error file=README.md::forged\\n::stop-commands::tok\"\n",
    // a key name, echoed in "unknown key `…`"
    "\"k\\n::error file=README.md::forged\\n::stop-commands::tok\" = 1\n",
];

/// The lines of stderr that the runner would read as workflow commands.
fn commands(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.trim_start().starts_with("::")).collect()
}

fn assert_one_escaped_error(out: &std::process::Output) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let commands = commands(&err);
    assert_eq!(commands.len(), 1, "exactly one workflow command, ours:\n{err}");
    assert!(commands[0].starts_with("::error title=incident-guard::"), "{err}");
    // The hostile text is still there, as data inside our one command (its line breaks
    // escaped, or shown as spaces by the terminal-safe rendering of repository text).
    assert!(commands[0].contains("::error file=README.md::forged"), "{err}");
    assert!(commands[0].contains("::stop-commands::tok"), "{err}");
    assert_eq!(err.lines().count(), 1, "nothing else on stderr:\n{err}");
}

// incident: IG-2026-007
#[test]
fn failure_message_cannot_forge_workflow_commands_on_stderr() {
    for config in HOSTILE_CONFIGS {
        let t = Tree::new();
        t.file("incident-guard.toml", config);
        // `--format github`, as the Action's check runs it.
        assert_one_escaped_error(&t.run(&["check", "--no-git", "--format", "github"]));
        // Other formats, inside GitHub Actions (the Action writes them with `--output`).
        for format in ["markdown", "sarif", "human"] {
            let out = t.run_in(
                t.path(),
                &["check", "--no-git", "--format", format, "--output", "report.out"],
                &[("GITHUB_ACTIONS", "true")],
            );
            assert_one_escaped_error(&out);
        }
    }
}

// incident: IG-2026-007
#[test]
fn argument_errors_cannot_forge_workflow_commands_inside_github_actions() {
    let t = Tree::new();
    let out = t.run_in(t.path(), &["check", "--bogus\n::error::forged"], &[("GITHUB_ACTIONS", "true")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(commands(&err).len(), 1, "{err}");
    assert!(err.starts_with("::error title=incident-guard::unexpected argument '--bogus%0A::error::forged'"), "{err}");
}

// incident: IG-2026-007
#[test]
fn config_errors_are_not_prefixed_error_error() {
    let t = Tree::new();
    t.file("incident-guard.toml", "postmortemz = \"x\"\n");
    let out = t.run(&["check", "--no-git"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("error: error:"), "{err}");
    assert!(err.starts_with("error: unknown key `postmortemz` in the config"), "{err}");
    assert!(err.contains("incident-guard.toml:1:1"), "{err}");
    // Outside GitHub Actions nothing changes for people: plain `error: …`.
    assert!(commands(&err).is_empty(), "{err}");
}

#[test]
fn other_failures_keep_one_error_prefix() {
    let t = Tree::new();
    t.file("incident-guard.toml", "postmortems = \"nowhere\"\n");
    let out = t.run(&["check", "--no-git"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: the postmortems directory `nowhere` does not exist"), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
}
