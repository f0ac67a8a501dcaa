//! The binary: parse arguments, run, map the outcome to an exit status.

use clap::Parser;
use incident_guard::render::{Format, github};
use incident_guard::{cli, exit};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(err) => {
            if err.use_stderr() && in_github_actions() {
                // Argument values (the Action's `path` and `args` inputs) are echoed back
                // in clap's message.
                report_failure(&err.render().to_string(), true);
            } else {
                let _ = err.print();
            }
            return ExitCode::from(if err.use_stderr() { exit::ERROR } else { exit::OK });
        }
    };
    let github = args.format == Some(Format::Github) || in_github_actions();
    match cli::run(args) {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (`incident-guard check | head`) is the reader's choice, not an error.
        Err(err)
            if err.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::from(exit::OK)
        }
        Err(err) => {
            report_failure(&format!("{err:#}"), github);
            ExitCode::from(exit::ERROR)
        }
    }
}

/// The runner reads workflow commands from stderr as well as stdout.
fn in_github_actions() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// Prints why the tool could not run. The message carries repository text (config
/// values, key names, paths) that may hold line breaks, so inside GitHub Actions it goes
/// out as one escaped workflow command: a line of its own starting with `::` would be
/// obeyed by the runner (a forged annotation, or `::stop-commands::` silencing ours).
fn report_failure(message: &str, github: bool) {
    // Config errors are rustc-style diagnostics that already open with `error: `.
    let message = message.strip_prefix("error: ").unwrap_or(message).trim_end();
    // Repository text may also hold terminal escapes: shown as the human renderer shows
    // any repository text.
    let message = incident_guard::render::human::terminal_text(message);
    if github {
        eprintln!("::error title=incident-guard::{}", github::escape_data(&message));
    } else {
        eprintln!("error: {message}");
    }
}
