//! What the repository's CI runs, read from `.github/workflows/*.yml`: for each job (each
//! combination of its matrix), the test commands (`cargo test`, `cargo nextest run`,
//! `cross test`, `cargo miri test`, `cargo hack test`) with the OS they run on, the target,
//! the features and the `--cfg`s of `RUSTFLAGS`. A Rust condition the manifest leaves
//! open (`#[cfg(windows)]`, `#[cfg(feature = "x")]`, `#[cfg(loom)]`) is decided by them:
//! no run can meet it → it never runs in CI; some run does → it runs. What cannot be read
//! (a script, a reusable workflow, a container, an action, another CI system, an
//! expression) is a run that may do anything, which keeps the condition open.

use super::rust_features::{self, Features};
use crate::scan::rust_cfg::{self, Atom, Expr, World};
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How many matrix combinations of one job are read; past it, the job is one that cannot
/// be read.
const MAX_COMBINATIONS: usize = 256;

/// The features a run enables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeatureSel {
    pub all: bool,
    pub no_default: bool,
    pub list: Vec<String>,
    /// `cargo hack --each-feature` / `--feature-powerset`: every choice.
    pub each: bool,
}

/// One test command of one job, as far as it can be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// `ci.yml: test (os = windows-latest)`.
    pub job: String,
    /// `None`: the run cannot be read (why): it may run anything.
    pub unread: Option<String>,
    /// `linux`, `macos`, `windows`.
    pub os: Option<String>,
    pub arch: Option<String>,
    /// `--target`'s triple.
    pub target: Option<String>,
    pub features: FeatureSel,
    /// `--cfg`s of `RUSTFLAGS`, and whether `RUSTFLAGS` could not be read.
    pub cfgs: Vec<Atom>,
    pub rustflags_unread: bool,
    pub miri: bool,
    /// The directory cargo runs in, relative to the repository.
    pub dir: PathBuf,
    /// `-p` names, `--workspace`, `--exclude` names.
    pub packages: Vec<String>,
    pub workspace: bool,
    pub exclude: Vec<String>,
    /// A test-name filter or a target selection that may leave tests out (`--doc` alone
    /// runs no `#[test]`).
    pub filtered: bool,
    pub doc_only: bool,
    /// `--no-run`: the tests are built, not run.
    pub builds_only: bool,
}

/// The repository's CI, as read.
#[derive(Clone, Debug, Default)]
pub struct Ci {
    pub runs: Vec<Run>,
    /// The workflow files read, relative to the repository.
    pub files: Vec<String>,
}

/// Other CI systems, whose configuration is not read.
const OTHER_CI: &[&str] = &[
    ".circleci",
    ".gitlab-ci.yml",
    ".travis.yml",
    "azure-pipelines.yml",
    "appveyor.yml",
    ".appveyor.yml",
    ".cirrus.yml",
    ".buildkite",
    "Jenkinsfile",
    ".drone.yml",
    ".woodpecker.yml",
    ".woodpecker",
    "bitbucket-pipelines.yml",
];

impl Ci {
    /// Reads the workflows of the repository at `boundary`; `None` when it has none.
    pub fn read(boundary: &Path) -> Option<Ci> {
        let dir = boundary.join(".github/workflows");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
            .collect();
        names.sort();
        if names.is_empty() {
            return None;
        }
        let mut ci = Ci::default();
        for path in names {
            let rel = crate::paths::relative(boundary, &path);
            ci.files.push(rel.clone());
            let Some(bytes) = crate::paths::read_inside(boundary, &path) else {
                ci.runs.push(unread(&rel, format!("{rel} cannot be read")));
                continue;
            };
            match serde_yaml::from_slice::<Value>(&bytes) {
                Ok(doc) => read_workflow(&rel, &doc, &mut ci.runs),
                Err(e) => ci.runs.push(unread(&rel, format!("{rel} does not parse: {e}"))),
            }
        }
        for other in OTHER_CI {
            if boundary.join(other).exists() {
                ci.runs.push(unread(other, format!("the repository also has {other}, which is not read")));
            }
        }
        Some(ci)
    }
}

fn unread(job: &str, why: String) -> Run {
    Run {
        job: job.to_owned(),
        unread: Some(why),
        os: None,
        arch: None,
        target: None,
        features: FeatureSel::default(),
        cfgs: Vec::new(),
        rustflags_unread: true,
        miri: false,
        dir: PathBuf::new(),
        packages: Vec::new(),
        workspace: false,
        exclude: Vec::new(),
        filtered: false,
        doc_only: false,
        builds_only: false,
    }
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Environment variables: name → the values it may have (several where a step writes
/// it to `$GITHUB_ENV`); an empty list is a value that cannot be read.
type Env = BTreeMap<String, Vec<String>>;

fn env_of(v: Option<&Value>, into: &mut Env, matrix: &Value, outer: &Env) {
    let Some(Value::Mapping(m)) = v else { return };
    for (k, v) in m {
        let (Some(k), Some(v)) = (str_of(k), str_of(v)) else { continue };
        into.insert(k, expand(&v, matrix, outer).into_iter().collect::<Option<Vec<_>>>().unwrap_or_default());
    }
}

/// `${{ matrix.x }}`, `${{ env.X }}` substituted: every value the text may take, `None`
/// for one that cannot be read.
fn expand(text: &str, matrix: &Value, env: &Env) -> Vec<Option<String>> {
    let mut outs: Vec<Option<String>> = vec![Some(String::new())];
    let mut rest = text;
    while let Some(at) = rest.find("${{") {
        let Some(end) = rest[at..].find("}}") else { break };
        let expr = rest[at + 3..at + end].trim();
        let values: Vec<Option<String>> = if let Some(path) = expr.strip_prefix("matrix.") {
            let mut v = matrix;
            let mut ok = true;
            for part in path.split('.') {
                match v.get(part) {
                    Some(x) => v = x,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            // A key no combination has is empty in GitHub's expressions.
            vec![if ok { str_of(v) } else { Some(String::new()) }]
        } else if let Some(name) = expr.strip_prefix("env.") {
            match env.get(name) {
                Some(vs) if vs.is_empty() => vec![None],
                Some(vs) => vs.iter().cloned().map(Some).collect(),
                None => vec![Some(String::new())],
            }
        } else {
            vec![None]
        };
        let head = &rest[..at];
        outs = outs
            .iter()
            .flat_map(|o| {
                values.iter().map(move |v| match (o, v) {
                    (Some(o), Some(v)) => Some(format!("{o}{head}{v}")),
                    _ => None,
                })
            })
            .take(16)
            .collect();
        rest = &rest[at + end + 2..];
    }
    outs.into_iter().map(|o| o.map(|o| o + rest)).collect()
}

/// The combinations of a job's matrix (one, empty, without a matrix).
fn combinations(strategy: Option<&Value>) -> Result<Vec<Value>, String> {
    let Some(matrix) = strategy.and_then(|s| s.get("matrix")) else {
        return Ok(vec![Value::Mapping(Default::default())]);
    };
    let Value::Mapping(m) = matrix else { return Err("its matrix is an expression".into()) };
    let mut combos: Vec<serde_yaml::Mapping> = vec![Default::default()];
    for (k, v) in m {
        let key = str_of(k).unwrap_or_default();
        if key == "include" || key == "exclude" {
            continue;
        }
        let Value::Sequence(values) = v else { return Err(format!("its matrix key `{key}` is an expression")) };
        let mut next = Vec::new();
        for c in &combos {
            for value in values {
                let mut c = c.clone();
                c.insert(k.clone(), value.clone());
                next.push(c);
            }
        }
        combos = next;
        if combos.len() > MAX_COMBINATIONS {
            return Err("its matrix has too many combinations".into());
        }
    }
    let matches =
        |c: &serde_yaml::Mapping, pattern: &serde_yaml::Mapping| pattern.iter().all(|(k, v)| c.get(k) == Some(v));
    if let Some(Value::Sequence(ex)) = m.get("exclude") {
        for e in ex.iter().filter_map(|e| e.as_mapping()) {
            combos.retain(|c| !matches(c, e));
        }
    }
    if let Some(inc) = m.get("include") {
        let Value::Sequence(inc) = inc else { return Err("its matrix include is an expression".into()) };
        let base: Vec<serde_yaml::Mapping> = combos.clone();
        let only_include = base.len() == 1 && base[0].is_empty();
        if only_include {
            combos.clear();
        }
        for i in inc.iter().filter_map(|i| i.as_mapping()) {
            // Added to each combination whose original keys it does not overwrite; else its own.
            let mut added = false;
            for c in combos.iter_mut().take(base.len()) {
                let fits = i.iter().all(|(k, v)| !m.contains_key(k) || c.get(k) == Some(v) || !base[0].contains_key(k));
                if fits && !only_include && i.iter().any(|(k, _)| m.contains_key(k)) {
                    for (k, v) in i {
                        c.insert(k.clone(), v.clone());
                    }
                    added = true;
                }
            }
            if !added {
                combos.push(i.clone());
            }
        }
    }
    Ok(combos.into_iter().map(Value::Mapping).collect())
}

fn os_of(runs_on: &str) -> (Option<String>, Option<String>) {
    let l = runs_on.to_ascii_lowercase();
    let arm = l.contains("arm") || l.contains("aarch64");
    if l.contains("ubuntu") || l.contains("linux") {
        (Some("linux".into()), Some(if arm { "aarch64" } else { "x86_64" }.into()))
    } else if l.contains("windows") {
        (Some("windows".into()), Some(if arm { "aarch64" } else { "x86_64" }.into()))
    } else if l.contains("macos") {
        let intel = l.contains("macos-13") || l.contains("intel") || l.contains("macos-12");
        (Some("macos".into()), Some(if intel { "x86_64" } else { "aarch64" }.into()))
    } else {
        (None, None)
    }
}

fn read_workflow(file: &str, doc: &Value, out: &mut Vec<Run>) {
    let Some(Value::Mapping(jobs)) = doc.get("jobs") else { return };
    let empty = Value::Mapping(Default::default());
    let mut wf_env = Env::new();
    env_of(doc.get("env"), &mut wf_env, &empty, &Env::new());
    let wf_dir =
        doc.get("defaults").and_then(|d| d.get("run")).and_then(|r| r.get("working-directory")).and_then(str_of);
    for (id, job) in jobs {
        let id = str_of(id).unwrap_or_default();
        let name = format!("{file}: {id}");
        if let Some(uses) = job.get("uses").and_then(str_of) {
            out.push(unread(&name, format!("job `{id}` of {file} calls the workflow {uses}, which is not read")));
            continue;
        }
        if job.get("container").is_some() {
            out.push(unread(&name, format!("job `{id}` of {file} runs in a container")));
            continue;
        }
        let combos = match combinations(job.get("strategy")) {
            Ok(c) => c,
            Err(why) => {
                out.push(unread(&name, format!("job `{id}` of {file}: {why}")));
                continue;
            }
        };
        let dir = job
            .get("defaults")
            .and_then(|d| d.get("run"))
            .and_then(|r| r.get("working-directory"))
            .and_then(str_of)
            .or_else(|| wf_dir.clone());
        for matrix in &combos {
            let label = match matrix.as_mapping() {
                Some(m) if !m.is_empty() => {
                    let parts: Vec<String> = m
                        .iter()
                        .filter_map(|(k, v)| {
                            Some(format!("{} = {}", str_of(k)?, str_of(v).unwrap_or_else(|| "…".into())))
                        })
                        .collect();
                    format!("{name} ({})", parts.join(", "))
                }
                _ => name.clone(),
            };
            let runs_on: Vec<Option<String>> = match job.get("runs-on") {
                Some(Value::Sequence(labels)) => {
                    vec![Some(labels.iter().filter_map(str_of).collect::<Vec<_>>().join(" "))]
                }
                Some(v) => str_of(v).map(|s| expand(&s, matrix, &wf_env)).unwrap_or_else(|| vec![None]),
                None => vec![None],
            };
            let mut env = wf_env.clone();
            env_of(job.get("env"), &mut env, matrix, &wf_env);
            for runs_on in runs_on {
                let (os, arch) = runs_on.as_deref().map(os_of).unwrap_or((None, None));
                read_steps(&label, job, matrix, &env, dir.as_deref(), os, arch, out);
            }
        }
    }
}

/// Actions that set up, cache or report, and run no tests.
const QUIET_ACTIONS: &[&str] = &[
    "actions/",
    "dtolnay/rust-toolchain",
    "actions-rust-lang/setup-rust-toolchain",
    "actions-rs/toolchain",
    "swatinem/rust-cache",
    "taiki-e/install-action",
    "taiki-e/cache-cargo-install-action",
    "taiki-e/setup-cross-toolchain-action",
    "codecov/",
    "rui314/setup-mold",
    "mozilla-actions/sccache-action",
    "embarkstudios/cargo-deny-action",
    "rustsec/audit-check",
    "github/codeql-action",
    "softprops/action-gh-release",
    "peter-evans/",
    "msys2/setup-msys2",
    "ilammy/msvc-dev-cmd",
    "crate-ci/typos",
    "docker/setup-",
    "docker/login-action",
    "awalsh128/cache-apt-pkgs-action",
    "jdx/mise-action",
    "cargo-bins/cargo-binstall",
    "obi1kenobi/cargo-semver-checks-action",
    "korandoru/hawkeye",
];

#[allow(clippy::too_many_arguments)]
fn read_steps(
    label: &str,
    job: &Value,
    matrix: &Value,
    job_env: &Env,
    job_dir: Option<&str>,
    os: Option<String>,
    arch: Option<String>,
    out: &mut Vec<Run>,
) {
    let Some(Value::Sequence(steps)) = job.get("steps") else { return };
    let mut env = job_env.clone();
    // Values later steps write to `$GITHUB_ENV`, known before reading any step: which
    // step writes first is decided by `if:`s that are not evaluated.
    for step in steps {
        let Some(run) = step.get("run").and_then(str_of) else { continue };
        for line in run.lines() {
            if !line.contains("GITHUB_ENV") {
                continue;
            }
            let Some(assign) = line.split_once("echo").map(|(_, r)| r.trim()) else { continue };
            let assign = assign.split(">>").next().unwrap_or("").trim().trim_matches(['"', '\'']);
            if let Some((k, v)) = assign.split_once('=') {
                let values = expand(v, matrix, &env);
                let unreadable = values.iter().any(Option::is_none);
                // Before the write it has its job's value (unset: empty); after, this one.
                let entry = env.entry(k.trim().to_owned()).or_insert_with(|| vec![String::new()]);
                if unreadable {
                    entry.clear();
                } else if !entry.is_empty() {
                    for v in values.into_iter().flatten() {
                        if !entry.contains(&v) {
                            entry.push(v);
                        }
                    }
                }
            }
        }
    }
    for step in steps {
        let mut step_env = env.clone();
        env_of(step.get("env"), &mut step_env, matrix, &env);
        if let Some(uses) = step.get("uses").and_then(str_of) {
            let lower = uses.to_ascii_lowercase();
            if lower.starts_with("actions-rs/cargo") {
                let with = step.get("with");
                let command = with.and_then(|w| w.get("command")).and_then(str_of).unwrap_or_default();
                let args = with.and_then(|w| w.get("args")).and_then(str_of).unwrap_or_default();
                let cross = with.and_then(|w| w.get("use-cross")).and_then(str_of).as_deref() == Some("true");
                let line = format!("{} {command} {args}", if cross { "cross" } else { "cargo" });
                read_line(
                    label,
                    &line,
                    matrix,
                    &step_env,
                    job_dir.map(PathBuf::from).unwrap_or_default(),
                    &os,
                    &arch,
                    out,
                );
            } else if !QUIET_ACTIONS.iter().any(|q| lower.starts_with(q)) {
                out.push(unread(label, format!("`{label}` uses the action {uses}, which is not read")));
            }
            continue;
        }
        let Some(run) = step.get("run").and_then(str_of) else { continue };
        let mut dir = step
            .get("working-directory")
            .and_then(str_of)
            .or(job_dir.map(str::to_owned))
            .map(PathBuf::from)
            .unwrap_or_default();
        let joined = run.replace("\\\n", " ");
        for line in joined.lines() {
            for part in split_shell(line) {
                if let Some(to) = part.strip_prefix("cd ") {
                    dir = dir.join(to.trim());
                    continue;
                }
                read_line(label, part, matrix, &step_env, dir.clone(), &os, &arch, out);
            }
        }
    }
}

/// A shell line cut at `&&`, `||`, `;` and `|`, each part trimmed, shell keywords off.
fn split_shell(line: &str) -> Vec<&str> {
    let line = line.split(" #").next().unwrap_or(line);
    line.split(['&', ';', '|'])
        .map(str::trim)
        .map(|p| {
            let mut p = p;
            for kw in ["then ", "else ", "do ", "time "] {
                p = p.strip_prefix(kw).unwrap_or(p).trim_start();
            }
            p
        })
        .filter(|p| !p.is_empty() && !p.starts_with('#'))
        .collect()
}

/// Commands that run no tests.
const QUIET_COMMANDS: &[&str] = &[
    "echo",
    "printf",
    "cat",
    "ls",
    "mkdir",
    "rm",
    "cp",
    "mv",
    "tar",
    "unzip",
    "curl",
    "wget",
    "git",
    "sudo",
    "apt-get",
    "apt",
    "brew",
    "choco",
    "pip",
    "pip3",
    "export",
    "set",
    "test",
    "[",
    "[[",
    "true",
    "false",
    "sleep",
    "chmod",
    "ln",
    "find",
    "grep",
    "sed",
    "awk",
    "head",
    "tail",
    "wc",
    "sort",
    "tee",
    "touch",
    "which",
    "command",
    "unset",
    "shopt",
    "gh",
    "jq",
    "rustup",
    "rustc",
    "fi",
    "done",
    "esac",
    "if",
    "while",
    "for",
    "exit",
    "pwd",
    "du",
    "df",
    "env",
    "ulimit",
    "sccache",
    "xcode-select",
    "dpkg",
    "yum",
    "dnf",
    "apk",
    "pacman",
    "vcpkg",
    "mise",
    "uname",
    "date",
    "nproc",
    "local",
    "readonly",
    "declare",
    "trap",
    "wait",
    "kill",
    "ps",
    "cmd",
    "powershell",
    "pwsh",
    "Write-Host",
    "Write-Output",
    "refreshenv",
    "cargo-deny",
    "cargo-binstall",
    "typos",
    "diff",
    "cmp",
];

/// Cargo subcommands that run no tests.
const QUIET_CARGO: &[&str] = &[
    "build",
    "check",
    "clippy",
    "fmt",
    "doc",
    "install",
    "binstall",
    "update",
    "fetch",
    "metadata",
    "generate-lockfile",
    "deny",
    "audit",
    "semver-checks",
    "publish",
    "package",
    "tree",
    "bench",
    "run",
    "version",
    "--version",
    "-V",
    "vendor",
    "login",
    "owner",
    "yank",
    "search",
    "clean",
    "rustdoc",
    "rustc",
    "udeps",
    "machete",
    "msrv",
    "outdated",
    "sort",
    "minimal-versions",
    "set-version",
    "about",
    "vet",
    "spellcheck",
    "readme",
    "rdme",
    "cache",
    "sweep",
];

#[allow(clippy::too_many_arguments)]
fn read_line(
    label: &str,
    line: &str,
    matrix: &Value,
    env: &Env,
    dir: PathBuf,
    os: &Option<String>,
    arch: &Option<String>,
    out: &mut Vec<Run>,
) {
    for variant in expand(line, matrix, env) {
        let Some(variant) = variant else {
            if may_test(line) {
                out.push(unread(label, format!("`{label}` runs `{}`, whose expressions cannot be read", short(line))));
            }
            continue;
        };
        let mut words: Vec<String> =
            variant.split_whitespace().map(|w| w.trim_matches(['"', '\'']).to_owned()).collect();
        // `NAME=value cmd`: variables for this command only.
        let mut local = env.clone();
        while let Some((k, v)) = words.first().and_then(|w| w.split_once('=')).filter(|(k, _)| is_name(k)) {
            local.insert(k.to_owned(), vec![v.to_owned()]);
            words.remove(0);
        }
        let Some(words) = shell_vars(&words, &local) else {
            if may_test(&variant) {
                out.push(unread(
                    label,
                    format!("`{label}` runs `{}`, whose shell variables cannot be read", short(line)),
                ));
            }
            continue;
        };
        let Some(first) = words.first() else { continue };
        if first.starts_with("./") || first.starts_with("ci/") || first.ends_with(".sh") || first.ends_with(".py") {
            out.push(unread(label, format!("`{label}` runs the script `{first}`, which is not read")));
            continue;
        }
        let (program, rest) = (first.as_str(), &words[1..]);
        let rest: Vec<&str> = rest.iter().map(String::as_str).filter(|w| !w.starts_with('+')).collect();
        let test_args = match (program, rest.first().copied(), rest.get(1).copied()) {
            ("cargo" | "cross", Some("test"), _) => Some((&rest[1..], false, false)),
            ("cargo", Some("nextest"), Some("run")) => Some((&rest[2..], false, false)),
            ("cargo", Some("miri"), Some("test")) => Some((&rest[2..], true, false)),
            ("cargo", Some("miri"), Some("nextest")) => Some((&rest[3.min(rest.len())..], true, false)),
            ("cargo", Some("hack"), _) => {
                let sub = rest.iter().position(|w| *w == "test" || *w == "nextest");
                match sub {
                    Some(i) => Some((&rest[i + 1..], false, true)),
                    None if rest.iter().any(|w| ["check", "build", "clippy", "doc"].contains(w)) => None,
                    None => {
                        out.push(unread(label, format!("`{label}` runs `{}`", short(&variant))));
                        None
                    }
                }
            }
            ("cargo", Some("llvm-cov" | "tarpaulin"), _) => Some((&rest[1..], false, false)),
            ("cargo", Some(sub), _) if QUIET_CARGO.contains(&sub) || sub.starts_with('-') => None,
            ("cargo" | "cross", _, _) => {
                out.push(unread(label, format!("`{label}` runs `{}`, which is not read", short(&variant))));
                None
            }
            (p, _, _) if QUIET_COMMANDS.contains(&p) => None,
            _ => {
                out.push(unread(label, format!("`{label}` runs `{}`, which is not read", short(&variant))));
                None
            }
        };
        let Some((args, miri, hack)) = test_args else { continue };
        let rustflags = local.get("RUSTFLAGS").or_else(|| env.get("RUSTFLAGS"));
        let (cfgs, rustflags_unread) = match rustflags {
            Some(vs) if vs.is_empty() => (Vec::new(), true),
            Some(vs) if vs.len() == 1 => {
                let words: Vec<String> = vs[0].split_whitespace().map(str::to_owned).collect();
                match shell_vars(&words, &local) {
                    Some(w) => (rust_features::cfg_flags(&w), false),
                    None => (Vec::new(), true),
                }
            }
            Some(_) => (Vec::new(), true),
            None => (Vec::new(), false),
        };
        let mut run = unread(label, String::new());
        run.unread = None;
        run.os = os.clone();
        run.arch = arch.clone();
        run.cfgs = cfgs;
        run.rustflags_unread = rustflags_unread;
        run.miri = miri;
        run.dir = dir.clone();
        run.features.each = hack && args.iter().any(|a| *a == "--each-feature" || *a == "--feature-powerset");
        let mut i = 0;
        let mut selected_targets = false;
        let mut doc = false;
        while i < args.len() {
            let a = args[i];
            let value = |i: &mut usize| -> Option<String> {
                match a.split_once('=') {
                    Some((_, v)) => Some(v.to_owned()),
                    None => {
                        *i += 1;
                        args.get(*i).map(|s| s.to_string())
                    }
                }
            };
            let flag = a.split('=').next().unwrap_or(a);
            match flag {
                // libtest's own arguments: a name there is a filter too.
                "--" => {
                    run.filtered |= libtest_filters(&args[i + 1..]);
                    break;
                }
                "--all-features" => run.features.all = true,
                "--no-default-features" => run.features.no_default = true,
                "--features" | "-F" => {
                    let v = value(&mut i).unwrap_or_default();
                    run.features.list.extend(v.split([',', ' ']).filter(|f| !f.is_empty()).map(str::to_owned));
                }
                "-p" | "--package" => run.packages.extend(value(&mut i)),
                "--workspace" | "--all" => run.workspace = true,
                "--exclude" => run.exclude.extend(value(&mut i)),
                "--target" => run.target = value(&mut i),
                "--manifest-path" => {
                    if let Some(p) = value(&mut i) {
                        run.dir = dir.join(Path::new(&p).parent().unwrap_or(Path::new("")));
                    }
                }
                "--doc" => doc = true,
                // Builds the tests and runs none.
                "--no-run" => run.builds_only = true,
                "--lib" | "--bins" | "--bin" | "--tests" | "--test" | "--examples" | "--example" | "--benches"
                | "--bench" | "--all-targets" => {
                    selected_targets = true;
                    if matches!(flag, "--bin" | "--test" | "--example" | "--bench") && !a.contains('=') {
                        i += 1;
                    }
                }
                "-E" | "--filterset" | "--partition" | "--skip" | "--exact" => {
                    run.filtered = true;
                    if !a.contains('=') {
                        i += 1;
                    }
                }
                "-j" | "--jobs" | "--profile" | "--cargo-profile" | "--target-dir" | "--color" | "--message-format"
                | "-Z" | "--config" | "--exclude-features" | "--depth" | "--test-threads" | "--retries"
                | "--timings" | "--archive-file" => {
                    if !a.contains('=') {
                        i += 1;
                    }
                }
                f if f.starts_with('-') => {}
                // A positional argument: a test-name filter.
                _ => run.filtered = true,
            }
            i += 1;
        }
        run.doc_only = doc && !selected_targets;
        // Where it runs must be known for it to decide anything: a runner label that
        // names no OS (`self-hosted`), a target spec file.
        if run.os.is_none() {
            run.unread = Some(format!("`{label}` runs on a runner whose OS is not known"));
        } else if let Some(t) = run.target.as_deref().filter(|t| t.ends_with(".json")) {
            run.unread = Some(format!("`{label}` builds for the target spec {t}, which is not read"));
        }
        out.push(run);
    }
}

/// Whether libtest's arguments select tests by name (`loom_blocking`, `--skip x`,
/// `--exact`); `--test-threads 1` and the like do not.
fn libtest_filters(args: &[&str]) -> bool {
    let mut i = 0;
    while i < args.len() {
        match args[i] {
            "--skip" | "--exact" => return true,
            "--test-threads" | "--format" | "--color" | "-Z" | "--logfile" | "--shuffle-seed" => i += 1,
            a if !a.starts_with('-') => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

fn short(line: &str) -> String {
    let s: String = line.trim().chars().take(80).collect();
    if line.trim().chars().count() > 80 { format!("{s}…") } else { s }
}

fn is_name(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether a line may run tests: it names a test command, or something not known to run
/// none.
fn may_test(line: &str) -> bool {
    let first = line.split_whitespace().find(|w| !w.contains('=')).unwrap_or("");
    !(QUIET_COMMANDS.contains(&first)
        || first == "cargo" && line.split_whitespace().nth(1).is_some_and(|s| QUIET_CARGO.contains(&s)))
}

/// `$NAME` and `${NAME}` in words substituted from `env` (one value each), the words
/// split again; `None` when a variable has no single readable value.
fn shell_vars(words: &[String], env: &Env) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for w in words {
        if !w.contains('$') {
            out.push(w.clone());
            continue;
        }
        let mut s = String::new();
        let mut rest = w.as_str();
        while let Some(at) = rest.find('$') {
            s.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let (name, len) = if let Some(inner) = after.strip_prefix('{') {
                let end = inner.find('}')?;
                (&inner[..end], end + 2)
            } else {
                let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
                (&after[..end], end)
            };
            if name.is_empty() {
                return None;
            }
            match env.get(name) {
                Some(vs) if vs.len() == 1 => s.push_str(&vs[0]),
                _ => return None,
            }
            rest = &after[len..];
        }
        s.push_str(rest);
        out.extend(s.split_whitespace().map(str::to_owned));
    }
    Some(out)
}

/// What a run can say about one test of a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Some run may run it.
    Runs(String),
    /// No run does: the runs that test the package (there may be none).
    Never(Vec<String>),
    /// No readable run does, and these cannot be read.
    Unknown(Vec<String>),
}

/// The facts of one run, over a package's manifest.
struct RunWorld<'a> {
    run: &'a Run,
    features: &'a Features,
}

impl RunWorld<'_> {
    fn target_facts(&self) -> (Option<String>, Option<String>, Option<String>) {
        // (os, arch, env)
        match &self.run.target {
            Some(t) if !t.is_empty() => {
                let arch = t.split('-').next().map(|a| match a {
                    "i686" | "i586" | "i386" => "x86".to_owned(),
                    a if a.starts_with("armv7") || a.starts_with("arm") => "arm".to_owned(),
                    a if a.starts_with("riscv64") => "riscv64".to_owned(),
                    a => a.to_owned(),
                });
                let os = if t.contains("windows") {
                    Some("windows")
                } else if t.contains("apple-darwin") {
                    Some("macos")
                } else if t.contains("apple-ios") {
                    Some("ios")
                } else if t.contains("linux-android") {
                    Some("android")
                } else if t.contains("linux") {
                    Some("linux")
                } else if t.contains("freebsd") {
                    Some("freebsd")
                } else if t.contains("wasi") {
                    Some("wasi")
                } else {
                    None
                };
                let env = if t.ends_with("musl") || t.contains("musleabi") {
                    Some("musl")
                } else if t.ends_with("msvc") {
                    Some("msvc")
                } else if t.contains("gnu") {
                    Some("gnu")
                } else {
                    None
                };
                if t.ends_with(".json") {
                    return (None, None, None);
                }
                (os.map(str::to_owned), arch, env.map(str::to_owned))
            }
            _ => {
                let env = match self.run.os.as_deref() {
                    Some("linux") => Some("gnu".to_owned()),
                    Some("windows") => Some("msvc".to_owned()),
                    Some("macos") => Some(String::new()),
                    _ => None,
                };
                (self.run.os.clone(), self.run.arch.clone(), env)
            }
        }
    }

    fn fixed(&self, atom: &Atom) -> Option<bool> {
        if let Some(v) = self.features.any(atom) {
            return Some(v);
        }
        let (os, arch, env) = self.target_facts();
        let value = atom.value.as_deref();
        match atom.key.as_str() {
            "miri" if atom.value.is_none() => Some(self.run.miri),
            "doc" | "doctest" if atom.value.is_none() => Some(false),
            "feature" => {
                let f = &self.run.features;
                let x = value?;
                if f.each {
                    return None;
                }
                if f.all {
                    return Some(true);
                }
                Some(self.enabled(x))
            }
            "target_os" => os.map(|o| value == Some(o.as_str())),
            "target_family" => {
                let os = os?;
                let family = if os == "windows" {
                    "windows"
                } else if os == "wasi" {
                    "wasm"
                } else {
                    "unix"
                };
                Some(value == Some(family))
            }
            "target_arch" => arch.map(|a| value == Some(a.as_str())),
            "target_pointer_width" => {
                let a = arch?;
                let width = if matches!(a.as_str(), "x86" | "arm" | "wasm32" | "riscv32") { "32" } else { "64" };
                Some(value == Some(width))
            }
            "target_endian" => {
                let a = arch?;
                let big = matches!(a.as_str(), "s390x" | "powerpc" | "powerpc64" | "mips" | "mips64" | "sparc64");
                Some(value == Some(if big { "big" } else { "little" }))
            }
            "target_env" => env.map(|e| value == Some(e.as_str())),
            _ if rust_features::is_custom(atom) => {
                if self.run.cfgs.iter().any(|c| c == atom) {
                    Some(true)
                } else if self.run.rustflags_unread || self.features.build_may_set(atom) {
                    None
                } else {
                    Some(false)
                }
            }
            _ => None,
        }
    }

    /// Whether a run's feature selection enables `x`: the list (`full` and what it
    /// enables, `p/x` for this package), and the defaults unless turned off.
    fn enabled(&self, x: &str) -> bool {
        let f = &self.run.features;
        let mut work: Vec<String> = f
            .list
            .iter()
            .filter_map(|n| match n.split_once('/') {
                Some((p, n)) if p == self.features.package => Some(n.to_owned()),
                Some(_) => None,
                None => Some(n.clone()),
            })
            .collect();
        if !f.no_default {
            work.push("default".into());
        }
        let mut seen: std::collections::BTreeSet<String> = Default::default();
        while let Some(n) = work.pop() {
            if n == x {
                return true;
            }
            if seen.insert(n.clone()) {
                work.extend(self.features.graph.get(&n).into_iter().flatten().cloned());
            }
        }
        false
    }
}

impl Ci {
    /// Whether any run may meet `expr` for a test of the package `features` describes,
    /// at `dir` (relative to the repository), in a workspace whose root is `workspace`
    /// (relative, when it is a virtual manifest's).
    pub fn answer(&self, expr: &Expr, features: &Features, dir: &Path, workspace: Option<&Path>) -> Answer {
        let mut testing = Vec::new();
        let mut unknown = Vec::new();
        for run in &self.runs {
            if let Some(why) = &run.unread {
                unknown.push(why.clone());
                continue;
            }
            if run.doc_only || run.builds_only || !self.tests_package(run, features, dir, workspace) {
                continue;
            }
            let world = RunWorld { run, features };
            let fixed = |a: &Atom| world.fixed(a);
            match rust_cfg::possible(expr, &fixed) {
                Some((true, _)) if run.filtered => {
                    unknown.push(format!("`{}` runs only the tests its filter selects", run.job))
                }
                Some((true, _)) => return Answer::Runs(run.job.clone()),
                Some((false, _)) => {
                    if !testing.contains(&run.job) {
                        testing.push(run.job.clone())
                    }
                }
                None => unknown.push(format!("`{}`: the condition has too many atoms to try", run.job)),
            }
        }
        if unknown.is_empty() && !testing.is_empty() {
            Answer::Never(testing)
        } else if unknown.is_empty() {
            // Whether a run tests the package is read from its `-p`, `--workspace` and
            // directory: a package that no run is seen to test may be tested in a way
            // that was misread (`default-members`), so this decides nothing.
            Answer::Unknown(vec![format!("no job is seen to run the tests of package `{}`", features.package)])
        } else {
            // Once each: a matrix repeats a job's reasons for every combination.
            let mut seen = std::collections::HashSet::new();
            unknown.retain(|u| seen.insert(u.clone()));
            Answer::Unknown(unknown)
        }
    }

    fn tests_package(&self, run: &Run, features: &Features, dir: &Path, workspace: Option<&Path>) -> bool {
        let name = &features.package;
        let dir = crate::paths::normalize(dir);
        let workspace = workspace.map(crate::paths::normalize);
        let workspace = workspace.as_deref();
        if !run.packages.is_empty() {
            return run.packages.iter().any(|p| p == name || p.split('@').next() == Some(name));
        }
        let run_dir = crate::paths::normalize(&run.dir);
        let in_workspace = workspace.is_some_and(|w| run_dir == w);
        if run.workspace {
            return (run_dir == dir || in_workspace || dir.starts_with(&run_dir)) && !run.exclude.contains(name);
        }
        run_dir == dir || in_workspace
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(yaml: &str) -> Ci {
        let mut runs = Vec::new();
        read_workflow("ci.yml", &serde_yaml::from_str(yaml).unwrap(), &mut runs);
        Ci { runs, files: vec!["ci.yml".into()] }
    }

    fn package(features: &[(&str, &[&str])], default: &[&str]) -> Features {
        let mut f = Features { package: "p".into(), ..Features::default() };
        for (n, list) in features {
            f.declared.insert(n.to_string());
            f.graph.insert(n.to_string(), list.iter().map(|s| s.to_string()).collect());
        }
        f.default = default.iter().map(|s| s.to_string()).collect();
        f.graph.insert("default".into(), f.default.iter().cloned().collect());
        f
    }

    fn answer(ci: &Ci, pred: &str, f: &Features) -> Answer {
        ci.answer(&Expr::parse(pred).unwrap(), f, Path::new(""), None)
    }

    const MATRIX: &str = "jobs:\n  test:\n    runs-on: ${{ matrix.os }}\n    strategy:\n      matrix:\n        os: [ubuntu-latest, macos-latest]\n    steps:\n      - uses: actions/checkout@v4\n      - uses: dtolnay/rust-toolchain@stable\n      - run: cargo test --features full\n      - run: |\n          cargo build\n          cargo nextest run --all-features\n        env:\n          RUSTFLAGS: --cfg loom -Dwarnings\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo clippy --all-targets -- -D warnings\n";

    #[test]
    fn a_matrix_decides_by_os_features_and_cfgs() {
        let ci = read(MATRIX);
        assert_eq!(ci.runs.len(), 4, "{:#?}", ci.runs);
        let f = package(&[("full", &["sync"]), ("sync", &[]), ("extra", &[])], &[]);
        assert!(matches!(answer(&ci, "windows", &f), Answer::Never(jobs) if jobs.len() == 2));
        assert!(matches!(answer(&ci, "target_os = \"macos\"", &f), Answer::Runs(_)));
        assert!(matches!(answer(&ci, "all(unix, feature = \"sync\")", &f), Answer::Runs(_)), "through full");
        assert!(matches!(answer(&ci, "feature = \"extra\"", &f), Answer::Runs(_)), "all features");
        assert!(matches!(answer(&ci, "all(feature = \"extra\", not(loom))", &f), Answer::Never(_)));
        assert!(matches!(answer(&ci, "loom", &f), Answer::Runs(_)));
        assert!(matches!(answer(&ci, "miri", &f), Answer::Never(_)));
        assert!(matches!(answer(&ci, "target_arch = \"aarch64\"", &f), Answer::Runs(_)), "macos-latest is arm");
        assert!(matches!(answer(&ci, "target_endian = \"big\"", &f), Answer::Never(_)));
        // tokio's no-atomic-u64-test: a target spec file says nothing of the OS here.
        let spec = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo nextest run --target target-specs/i686-unknown-linux-gnu.json\n";
        assert!(matches!(answer(&read(spec), "target_os = \"freebsd\"", &f), Answer::Unknown(_)));
        let hosted = "jobs:\n  t:\n    runs-on: [self-hosted, gpu]\n    steps:\n      - run: cargo test\n";
        assert!(matches!(answer(&read(hosted), "target_os = \"freebsd\"", &f), Answer::Unknown(_)));
    }

    #[test]
    fn what_cannot_be_read_keeps_it_open() {
        let f = package(&[], &[]);
        for (yaml, says) in [
            (
                "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./ci/test.sh\n",
                "the script `./ci/test.sh`",
            ),
            ("jobs:\n  t:\n    uses: ./.github/workflows/reusable.yml\n", "calls the workflow"),
            (
                "jobs:\n  t:\n    runs-on: ubuntu-latest\n    container: rust:1\n    steps:\n      - run: cargo test\n",
                "container",
            ),
            (
                "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test $FLAGS\n",
                "shell variables",
            ),
            (
                "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test ${{ inputs.x }}\n",
                "expressions",
            ),
            (
                "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: houseabsolute/actions-rust-cross@v1\n",
                "the action",
            ),
            (
                "jobs:\n  t:\n    runs-on: ${{ matrix.os }}\n    strategy:\n      matrix: ${{ fromJson(x) }}\n    steps:\n      - run: cargo test\n",
                "expression",
            ),
        ] {
            let ci = read(yaml);
            match answer(&ci, "windows", &f) {
                Answer::Unknown(why) => assert!(why.iter().any(|w| w.contains(says)), "{yaml}: {why:?}"),
                other => panic!("{yaml}: {other:?}"),
            }
        }
    }

    #[test]
    fn env_and_github_env_values_are_followed() {
        // ripgrep's ci.yml: CARGO and TARGET_FLAGS are replaced through $GITHUB_ENV.
        let yaml = "jobs:\n  test:\n    env:\n      CARGO: cargo\n      TARGET_FLAGS:\n    runs-on: ${{ matrix.os }}\n    strategy:\n      matrix:\n        include:\n        - os: ubuntu-latest\n        - os: ubuntu-latest\n          target: s390x-unknown-linux-gnu\n    steps:\n    - run: |\n        echo \"CARGO=cross\" >> $GITHUB_ENV\n        echo \"TARGET_FLAGS=--target ${{ matrix.target }}\" >> $GITHUB_ENV\n    - run: ${{ env.CARGO }} test --verbose --workspace ${{ env.TARGET_FLAGS }}\n";
        let ci = read(yaml);
        let f = package(&[], &[]);
        assert!(matches!(answer(&ci, "target_endian = \"big\"", &f), Answer::Runs(_)), "{:#?}", ci.runs);
        assert!(matches!(answer(&ci, "windows", &f), Answer::Never(_)), "{:#?}", ci.runs);
        // tokio: a features variable from the workflow's env, RUSTFLAGS per step.
        let yaml = "env:\n  TOKIO_STABLE_FEATURES: \"full,test-util\"\njobs:\n  t:\n    runs-on: windows-latest\n    steps:\n      - run: cargo nextest run --features $TOKIO_STABLE_FEATURES\n        env:\n          RUSTFLAGS: --cfg tokio_unstable -Dwarnings\n";
        let ci = read(yaml);
        let f = package(&[("full", &[]), ("test-util", &[])], &[]);
        assert!(
            matches!(answer(&ci, "all(windows, tokio_unstable, feature = \"test-util\")", &f), Answer::Runs(_)),
            "{:#?}",
            ci.runs
        );
    }

    #[test]
    fn packages_and_doc_only_runs_are_told_apart() {
        let yaml = "jobs:\n  t:\n    runs-on: windows-latest\n    steps:\n      - run: cargo test -p other\n      - run: cargo test --doc\n  u:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test --workspace --exclude p\n";
        let ci = read(yaml);
        let f = package(&[], &[]);
        let none = Answer::Unknown(vec!["no job is seen to run the tests of package `p`".into()]);
        assert_eq!(answer(&ci, "windows", &f), none);
        let yaml =
            "jobs:\n  t:\n    runs-on: windows-latest\n    steps:\n      - run: cargo test -p p -- --nocapture\n";
        assert!(matches!(answer(&read(yaml), "windows", &f), Answer::Runs(_)));
        for filter in
            ["cargo test some_name", "cargo test --lib -- --nocapture loom_blocking", "cargo test -- --skip slow"]
        {
            let yaml = format!("jobs:\n  t:\n    runs-on: windows-latest\n    steps:\n      - run: {filter}\n");
            assert!(matches!(answer(&read(&yaml), "windows", &f), Answer::Unknown(_)), "{filter}");
        }
    }
}
