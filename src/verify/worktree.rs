//! Temporary git worktrees for `verify`: the code at another commit, checked out beside
//! the repository, never in the user's work tree and never with `git stash`, so the
//! user's files, index, stash and branches stay as they were. A worktree is detached (no
//! branch is created) and removed when its guard drops: after a pass, a failure or a
//! timeout. On Ctrl-C (SIGINT, SIGTERM, SIGHUP) the handler stops the test processes that
//! are running, removes every worktree still there and prunes git's records of them
//! before the process exits.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The worktrees that exist now (the repository's work tree, the worktree's path), and
/// the process groups of the test commands running now: what an interruption cleans up.
static ACTIVE: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());
/// What each running test command is (its words), for the line an interruption prints.
static LABELS: Mutex<Vec<(u32, String)>> = Mutex::new(Vec::new());
/// Whether the run was interrupted. Held while a worktree is added or a test command
/// started, and by the interruption from its start to the exit: so nothing is added or
/// started after the clean-up, and the clean-up never runs halfway through an addition.
static GATE: Mutex<bool> = Mutex::new(false);
/// Held by every `git worktree` command: one worker's `prune` must not drop the record
/// of a worktree another worker is adding, and git's own locking of its worktree list is
/// not made for that.
static GIT_OPS: Mutex<()> = Mutex::new(());

/// Runs `f` unless the run was interrupted, with no interruption cleaning up meanwhile.
pub fn unless_interrupted<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let gate = GATE.lock().unwrap_or_else(|e| e.into_inner());
    if *gate {
        return Err("interrupted".to_owned());
    }
    let out = f();
    drop(gate);
    out
}

/// A worktree at a commit; removed on drop.
pub struct Worktree {
    repo: PathBuf,
    path: PathBuf,
}

fn git(repo: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(repo);
    for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
        cmd.env_remove(var);
    }
    cmd
}

impl Worktree {
    /// Checks out `commit` (a full SHA) at `path` as a detached worktree of the repository
    /// whose work tree is `repo`. A worktree left at `path` by a run that was killed is
    /// removed first.
    pub fn add(repo: &Path, path: &Path, commit: &str) -> Result<Worktree, String> {
        remove(repo, path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        unless_interrupted(|| Worktree::checkout(repo, path, commit))
    }

    fn checkout(repo: &Path, path: &Path, commit: &str) -> Result<Worktree, String> {
        ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).push((repo.to_path_buf(), path.to_path_buf()));
        let tree = Worktree { repo: repo.to_path_buf(), path: path.to_path_buf() };
        // The repository's hooks are not run: a post-checkout hook is the user's, for the
        // user's checkouts.
        let no_hooks = format!("core.hooksPath={}", path.with_extension("no-hooks").display());
        let ops = GIT_OPS.lock().unwrap_or_else(|e| e.into_inner());
        let out = git(repo)
            .args(["-c", &no_hooks, "worktree", "add", "--detach", "--force", "--quiet"])
            .arg(path)
            .arg(commit)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        drop(ops);
        if !out.status.success() {
            return Err(format!(
                "`git worktree add` at {} failed: {}",
                crate::git::short_sha(commit),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(tree)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        remove(&self.repo, &self.path);
        ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).retain(|(_, p)| p != &self.path);
    }
}

/// Removes the worktree at `path`, whatever state it is in: git's own removal, else the
/// directory, then git's record of it.
fn remove(repo: &Path, path: &Path) {
    let _ops = GIT_OPS.lock().unwrap_or_else(|e| e.into_inner());
    if path.exists() {
        let _ = git(repo).args(["worktree", "remove", "--force", "--force"]).arg(path).output();
        if path.exists() {
            let _ = std::fs::remove_dir_all(path);
        }
    }
    let _ = git(repo).args(["worktree", "prune"]).output();
}

/// Marks a test command's process group as running until the returned guard drops;
/// `label` says what it is.
pub fn register_child(pid: u32, label: String) -> ChildGuard {
    CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).push(pid);
    LABELS.lock().unwrap_or_else(|e| e.into_inner()).push((pid, label));
    ChildGuard(pid)
}

pub struct ChildGuard(u32);

/// How many test commands are running now.
pub fn running_children() -> usize {
    CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).len()
}

/// The pids of the test commands running now.
pub fn live_children() -> Vec<u32> {
    CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Held while no `git worktree` command runs: a sweep for left-over processes must not
/// take one of ours for a test's.
pub fn git_ops() -> std::sync::MutexGuard<'static, ()> {
    GIT_OPS.lock().unwrap_or_else(|e| e.into_inner())
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| *p != self.0);
        LABELS.lock().unwrap_or_else(|e| e.into_inner()).retain(|(p, _)| *p != self.0);
    }
}

/// The line an interruption prints: what was stopped, and that nothing is left.
fn interrupted_line() -> String {
    let labels: Vec<String> =
        LABELS.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(_, l)| format!("`{l}`")).collect();
    if labels.is_empty() {
        "incident-guard verify: interrupted before a test was running; stopped nothing, removed the temporary worktrees and scratch directory".to_owned()
    } else {
        format!(
            "incident-guard verify: interrupted; stopped {} running test command(s) ({}) and removed the temporary worktrees and scratch directory",
            labels.len(),
            labels.join(", ")
        )
    }
}

/// Kills the process group led by `pid` (every process a test command started).
pub fn kill_group(pid: u32) {
    #[cfg(unix)]
    // SAFETY: kill(2) with a negative pid signals a process group; it reads no memory.
    unsafe {
        libc::kill(-(pid as i32), libc::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// Stops every running test command and removes every worktree: what an interruption
/// does before the process exits.
pub fn clean_up_all() {
    let children: Vec<u32> = CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for pid in children {
        kill_group(pid);
    }
    // And whatever they left that detached from their process groups.
    let _ = super::process::sweep();
    let active: Vec<(PathBuf, PathBuf)> = ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for (repo, path) in active {
        remove(&repo, &path);
    }
    super::scratch::remove_all();
}

/// Installs the interruption handler once: SIGINT, SIGTERM and SIGHUP clean up (see
/// `clean_up_all`) and exit with status 130. The signal handler itself only writes a
/// byte to a pipe (all a handler may safely do); a thread waiting on the pipe does the
/// work.
#[cfg(unix)]
pub fn handle_interruptions() {
    use std::sync::Once;
    use std::sync::atomic::{AtomicI32, Ordering};
    static WRITE_END: AtomicI32 = AtomicI32::new(-1);
    static ONCE: Once = Once::new();
    extern "C" fn on_signal(_: libc::c_int) {
        let fd = WRITE_END.load(Ordering::Relaxed);
        if fd >= 0 {
            let byte = 1u8;
            // SAFETY: write(2) is async-signal-safe; the buffer is a live local.
            unsafe {
                libc::write(fd, (&raw const byte).cast(), 1);
            }
        }
    }
    ONCE.call_once(|| {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: pipe(2) fills the two descriptors of the array it is given.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return;
        }
        WRITE_END.store(fds[1], Ordering::Relaxed);
        let read_end = fds[0];
        std::thread::spawn(move || {
            let mut byte = 0u8;
            loop {
                // SAFETY: read(2) into a live one-byte buffer.
                let n = unsafe { libc::read(read_end, (&raw mut byte).cast(), 1) };
                if n == 1 {
                    let mut gate = GATE.lock().unwrap_or_else(|e| e.into_inner());
                    *gate = true;
                    let line = interrupted_line();
                    clean_up_all();
                    eprintln!("{line}");
                    std::process::exit(130);
                }
                if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return;
            }
        });
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: installs a handler that only calls write(2).
            unsafe {
                libc::signal(signal, handler);
            }
        }
    });
}

/// Elsewhere the guards alone clean up, and `git worktree prune` the next run.
#[cfg(not(unix))]
pub fn handle_interruptions() {}
