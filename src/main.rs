//! The binary: parse arguments, run, map the outcome to an exit status.

use clap::Parser;
use incident_guard::{cli, exit};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { exit::ERROR } else { exit::OK });
        }
    };
    match cli::run(args) {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (`incident-guard check | head`) is the reader's choice, not an error.
        Err(err)
            if err.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::from(exit::OK)
        }
        Err(err) => {
            // Errors quote config values and paths from the repository: print them as the
            // human renderer prints any repository text.
            eprintln!("error: {}", incident_guard::render::human::terminal_text(&format!("{err:#}")));
            ExitCode::from(exit::ERROR)
        }
    }
}
