//! Running one test command: without a shell, in its own process group (so that a
//! timeout or Ctrl-C stops the whole tree the test runner started, not only the runner),
//! with its output in one file read back for the last lines, and a deadline.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How many lines of a run's output a report keeps.
pub const TAIL_LINES: usize = 12;

/// What one run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ran {
    /// The exit status, when the command ran to its end and exited (not by a signal).
    pub status: Option<i32>,
    pub timed_out: bool,
    /// The whole output, stdout and stderr interleaved as written, lossily decoded.
    pub output: String,
    pub elapsed: Duration,
}

impl Ran {
    /// The last `TAIL_LINES` lines of the output.
    pub fn tail(&self) -> Vec<String> {
        let lines: Vec<&str> = self.output.lines().collect();
        lines[lines.len().saturating_sub(TAIL_LINES)..].iter().map(|l| (*l).to_owned()).collect()
    }
}

/// Variables git sets for hooks and its own children: a test run inside a temporary
/// worktree must find that worktree's repository, not the one these name.
const GIT_VARIABLES: &[&str] = &["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_PREFIX"];

/// Runs `argv` in `dir` with the extra `env`, writing its output to `log`, and stops it
/// (and everything it started) at `timeout`. An error only when it cannot start.
pub fn run(
    argv: &[String],
    dir: &Path,
    env: &[(String, String)],
    timeout: Duration,
    log: &Path,
) -> Result<Ran, String> {
    let (program, args) = argv.split_first().ok_or("the command is empty")?;
    let file = std::fs::File::create(log).map_err(|e| format!("cannot write {}: {e}", log.display()))?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(dir).stdin(Stdio::null()).stdout(file).stderr(err);
    for var in GIT_VARIABLES {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        cmd.process_group(0);
    }
    let start = Instant::now();
    let (mut child, group) = super::worktree::unless_interrupted(|| {
        let child = cmd.spawn().map_err(|e| format!("cannot run `{program}`: {e}"))?;
        let group = super::worktree::register_child(child.id());
        Ok((child, group))
    })?;
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() >= timeout => {
                timed_out = true;
                super::worktree::kill_group(child.id());
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(25)),
            Err(_) => break None,
        }
    };
    // Whatever the runner left behind (a server, a hung grandchild) goes with it.
    super::worktree::kill_group(child.id());
    drop(group);
    let elapsed = start.elapsed();
    let mut bytes = Vec::new();
    if let Ok(mut f) = std::fs::File::open(log) {
        let _ = f.read_to_end(&mut bytes);
    }
    let _ = std::fs::remove_file(log);
    Ok(Ran {
        status: if timed_out { None } else { status.and_then(|s| s.code()) },
        timed_out,
        output: String::from_utf8_lossy(&bytes).into_owned(),
        elapsed,
    })
}
