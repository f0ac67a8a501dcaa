//! Running one test command: without a shell, with an allow-listed environment, in a
//! box of its own where the system has one, with its output in one file read back for
//! the last lines, and a deadline.
//!
//! The test is the pull request's code, so nothing it does may outlive its run or reach
//! what runs after it. On Linux each run is started in new user and PID namespaces
//! (`unshare`, where unprivileged user namespaces are allowed), so that when the test
//! runner ends, the kernel stops every process it started, whatever it did to its session
//! or process group; and `verify` is a child subreaper, so that where namespaces are not
//! available a process that detached (`setsid -f`, a double fork) is still re-parented
//! to us, and stopped by `sweep` once no test is running. Elsewhere the run's process
//! group is stopped, which a process that calls `setsid` escapes (docs/security.md).

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How many lines of a run's output a report keeps.
pub const TAIL_LINES: usize = 12;

/// Variables a test is given, from verify's own environment, by name.
const PASSED: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TMPDIR",
    "TEMP",
    "TMP",
    "TERM",
    "LANG",
    "LANGUAGE",
    "TZ",
    "CI",
    "CC",
    "CXX",
    "AR",
    "CFLAGS",
    "CXXFLAGS",
    "LDFLAGS",
    "PKG_CONFIG_PATH",
    "VIRTUAL_ENV",
    "PIPENV_ACTIVE",
    "POETRY_ACTIVE",
    "UV_CACHE_DIR",
    "PIP_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_CERT",
    "GOPATH",
    "GOROOT",
    "GOCACHE",
    "GOMODCACHE",
    "GOFLAGS",
    "GOPROXY",
    "GOPRIVATE",
    "GONOSUMDB",
    "GONOPROXY",
    "GOSUMDB",
    "GOTOOLCHAIN",
    "GOBIN",
    "GOENV",
    "GOWORK",
    "GOOS",
    "GOARCH",
    "CGO_ENABLED",
    "JAVA_HOME",
    "JDK_HOME",
    "GRADLE_USER_HOME",
    "GRADLE_OPTS",
    "MAVEN_OPTS",
    "MAVEN_HOME",
    "M2_HOME",
    "KOTLIN_HOME",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "GIT_SSL_CAINFO",
    // Windows: what programs need to start at all.
    "SystemRoot",
    "SYSTEMROOT",
    "windir",
    "ComSpec",
    "PATHEXT",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
    "ProgramData",
    "ProgramFiles",
    "ProgramFiles(x86)",
    "HOMEDRIVE",
    "HOMEPATH",
    "NUMBER_OF_PROCESSORS",
    "PROCESSOR_ARCHITECTURE",
];

/// Prefixes of the variables a test is given: the locale and the toolchains' own.
const PASSED_PREFIXES: &[&str] = &[
    "LC_",
    "CARGO_",
    "RUSTUP_",
    "RUSTC",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "RUST_",
    "PYTHON",
    "CONDA_",
    "PYENV_",
    "NODE_",
    "NPM_CONFIG_",
    "npm_config_",
    "YARN_",
    "PNPM_",
    "JAVA_TOOL_OPTIONS",
    "JDK_JAVA_OPTIONS",
];

pub use crate::config::is_withheld;

/// Whether the variable `name` of verify's environment is given to a test: the
/// allow-list, or a name `[verify] env` adds; never a withheld one.
pub fn is_passed(name: &str, also: &[String]) -> bool {
    (PASSED.contains(&name) || PASSED_PREFIXES.iter().any(|p| name.starts_with(p)) || also.iter().any(|a| a == name))
        && !is_withheld(name)
}

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

/// Runs `argv` in `dir` with the allow-listed environment (plus the names in `pass`) and
/// the extra `env`, writing its output to `log` (a new file, never through a link), and
/// stops it (and everything it started) at `timeout`. An error only when it cannot start.
pub fn run(
    argv: &[String],
    dir: &Path,
    pass: &[String],
    env: &[(String, String)],
    timeout: Duration,
    log: &Path,
) -> Result<Ran, String> {
    if argv.is_empty() {
        return Err("the command is empty".to_owned());
    }
    let file = super::scratch::create_file(log)?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let prefix = namespace_prefix();
    // `unshare` would only say that it could not run the program, as a failing exit.
    if !prefix.is_empty() && !on_path(&argv[0], dir) {
        return Err(format!("cannot run `{}`: not found on PATH", argv[0]));
    }
    let boxed: Vec<String> = prefix.iter().cloned().chain(argv.iter().cloned()).collect();
    let (program, args) = boxed.split_first().ok_or("the command is empty")?;
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(dir).stdin(Stdio::null()).stdout(file).stderr(err);
    // The git variables are not in the list either: a test run inside a temporary worktree
    // must find that worktree's repository, not the one they name.
    cmd.env_clear();
    for (k, v) in std::env::vars_os() {
        if k.to_str().is_some_and(|k| is_passed(k, pass)) {
            cmd.env(k, v);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let program = &argv[0];
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        cmd.process_group(0);
    }
    let start = Instant::now();
    let (mut child, group) = super::worktree::unless_interrupted(|| {
        let child = cmd.spawn().map_err(|e| format!("cannot run `{program}`: {e}"))?;
        let group = super::worktree::register_child(child.id(), argv.join(" "));
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
    let left = sweep_when_alone();
    let elapsed = start.elapsed();
    let mut bytes = Vec::new();
    if let Ok(mut f) = std::fs::File::open(log) {
        let _ = f.read_to_end(&mut bytes);
    }
    let _ = std::fs::remove_file(log);
    if !left.is_empty() {
        return Err(format!(
            "`{}` left processes running that could not be stopped (pid {}); no verdict is given",
            argv.join(" "),
            left.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(Ran {
        status: if timed_out { None } else { status.and_then(|s| s.code()) },
        timed_out,
        output: String::from_utf8_lossy(&bytes).into_owned(),
        elapsed,
    })
}

/// The words that start a command in new user and PID namespaces (with its own `/proc`),
/// where this system allows it: asked once, by running `true` that way. Empty elsewhere,
/// or when `INCIDENT_GUARD_NO_NAMESPACE` is set (to compare, or where a test needs to
/// see the host's processes).
pub fn namespace_prefix() -> &'static [String] {
    static PREFIX: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    PREFIX.get_or_init(|| {
        if !cfg!(target_os = "linux") || std::env::var_os("INCIDENT_GUARD_NO_NAMESPACE").is_some() {
            return Vec::new();
        }
        let words: Vec<String> =
            ["unshare", "--user", "--map-current-user", "--pid", "--fork", "--kill-child", "--mount-proc", "--"]
                .iter()
                .map(|w| (*w).to_owned())
                .collect();
        let works = Command::new(&words[0])
            .args(&words[1..])
            .arg("true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if works { words } else { Vec::new() }
    })
}

/// Whether `program` can be started: a path (relative to `dir`) that exists, or a name
/// found on `PATH`.
fn on_path(program: &str, dir: &Path) -> bool {
    if program.contains('/') {
        return dir.join(program).exists();
    }
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(program).is_file()))
}

/// Makes this process a child subreaper (Linux): a process a test starts that detaches
/// from its parent is re-parented to us instead of to init, so that `sweep` finds it.
pub fn become_subreaper() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(2) with PR_SET_CHILD_SUBREAPER takes integers and reads no memory.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// `sweep`, when no other test command is running (a process of a running test may be
/// one it still needs); what could not be stopped.
fn sweep_when_alone() -> Vec<u32> {
    if super::worktree::running_children() > 0 {
        return Vec::new();
    }
    sweep()
}

/// Stops every process left over from the test commands: our children that no running
/// test command or git command owns (orphans re-parented to us, as a subreaper), and all
/// their descendants, then reaps them. Returns those still alive after two seconds.
pub fn sweep() -> Vec<u32> {
    #[cfg(target_os = "linux")]
    {
        let _ops = super::worktree::git_ops();
        let me = std::process::id();
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let live = super::worktree::live_children();
            let procs = processes();
            let mut tree: Vec<u32> =
                procs.iter().filter(|p| p.ppid == me && !live.contains(&p.pid)).map(|p| p.pid).collect();
            let mut i = 0;
            while i < tree.len() {
                let parent = tree[i];
                let children: Vec<u32> =
                    procs.iter().filter(|p| p.ppid == parent && !tree.contains(&p.pid)).map(|p| p.pid).collect();
                tree.extend(children);
                i += 1;
            }
            let running: Vec<u32> =
                tree.iter().copied().filter(|pid| procs.iter().any(|p| p.pid == *pid && !p.zombie)).collect();
            for pid in &tree {
                // SAFETY: kill(2) and waitpid(2) on a pid: no memory is read or written
                // but the status integer, a live local.
                unsafe {
                    libc::kill(*pid as i32, libc::SIGKILL);
                    let mut status = 0;
                    if procs.iter().any(|p| p.pid == *pid && p.ppid == me) {
                        libc::waitpid(*pid as i32, &mut status, libc::WNOHANG);
                    }
                }
            }
            if tree.is_empty() {
                return Vec::new();
            }
            if Instant::now() >= deadline {
                return running;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    #[cfg(not(target_os = "linux"))]
    Vec::new()
}

#[cfg(target_os = "linux")]
struct Proc {
    pid: u32,
    ppid: u32,
    zombie: bool,
}

/// Every process `/proc` shows, with its parent and whether it is a zombie.
#[cfg(target_os = "linux")]
fn processes() -> Vec<Proc> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut out = Vec::new();
    for entry in dir.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // `pid (comm) state ppid …`, where comm may hold spaces and parentheses.
        let Some((_, rest)) = stat.rsplit_once(')') else { continue };
        let mut fields = rest.split_whitespace();
        let state = fields.next().unwrap_or("");
        let Some(ppid) = fields.next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        out.push(Proc { pid, ppid, zombie: state == "Z" || state == "X" });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runner_files_shell_start_up_and_credentials_are_withheld_even_when_named() {
        let also = ["GITHUB_ENV".to_owned(), "MY_SETTING".to_owned(), "GITHUB_TOKEN".to_owned()];
        for name in [
            "GITHUB_ENV",
            "GITHUB_OUTPUT",
            "GITHUB_PATH",
            "GITHUB_STATE",
            "GITHUB_STEP_SUMMARY",
            "BASH_ENV",
            "ENV",
            "GITHUB_TOKEN",
            "GH_TOKEN",
            "ACTIONS_RUNTIME_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "ACTIONS_CACHE_URL",
            "CARGO_REGISTRY_TOKEN",
            "NPM_CONFIG__AUTH",
            "npm_config_//registry.example/:_authToken",
            "AWS_SECRET_ACCESS_KEY",
            "PYTHON_KEYRING_PASSWORD",
        ] {
            assert!(is_withheld(name), "{name}");
            assert!(!is_passed(name, &also), "{name}");
        }
        for name in ["PATH", "HOME", "LANG", "LC_ALL", "CARGO_HOME", "RUSTUP_TOOLCHAIN", "PYTHONPATH", "GOPATH"] {
            assert!(is_passed(name, &[]), "{name}");
        }
        assert!(is_passed("MY_SETTING", &also));
        assert!(!is_passed("MY_SETTING", &[]));
        assert!(!is_passed("GITHUB_REPOSITORY", &[]));
        assert!(!is_passed("GIT_DIR", &[]));
        assert!(!is_passed("LD_PRELOAD", &[]));
    }
}
