//! Runs the shell steps of `action.yml` itself — extracted from the file, so the test and
//! the action cannot drift — against a fixture repository, with a fake `gh` on `PATH`
//! that records its calls, a fake GitHub event payload, and a fake `actions/cache` (a
//! directory of entries by key). The install is run both ways: from a fake release (a
//! local git repository with the tag, and release assets made by the release workflow's
//! own scripts, reached through `INCIDENT_GUARD_REPOSITORY_URL`), and by building, with a
//! fake `cargo` that stands in for the five-minute `cargo install`.

mod common;
use common::*;
use serde_yaml::Value as Yaml;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn action() -> Yaml {
    serde_yaml::from_str(&std::fs::read_to_string(repo_root().join("action.yml")).unwrap()).unwrap()
}

/// The version in Cargo.toml: the release a tag of this tree would be.
fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

const FAKE_GH: &str = r#"#!/usr/bin/env bash
# Records every call; answers like the GitHub API would for a GITHUB_TOKEN.
dir="$FAKE_GH_DIR"
if [ "$1" = attestation ]; then
  if [ -f "$dir/no-attestation" ]; then echo "unknown command \"attestation\" for \"gh\"" >&2; exit 1; fi
  if [ "$3" = --help ]; then
    echo "      --deny-self-hosted-runners   Fail verification for attestations generated on self-hosted runners"
    echo "      --signer-workflow string     Workflow that signed attestation"
    echo "      --source-digest string       Digest associated with the source repository"
    echo "      --source-ref string          Ref associated with the source repository"
    exit 0
  fi
  echo "token=$GH_TOKEN $*" >> "$dir/attest.log"
  if [ -f "$dir/attest-fail" ]; then echo "Error: no attestations found for subject" >&2; exit 1; fi
  echo "Verification succeeded!"
  exit 0
fi
echo "token=$GH_TOKEN $*" >> "$dir/calls.log"
if [ "$1 $2" = "api user" ]; then exit 1; fi
for arg in "$@"; do
  case "$arg" in body=@*) cp "${arg#body=@}" "$dir/body-$(wc -l < "$dir/calls.log").md" ;; esac
done
case " $* " in
  *" --paginate "*) if [ -f "$dir/comment-id" ]; then cat "$dir/comment-id"; fi ;;
  *" --method POST "*) echo 42 > "$dir/comment-id"; echo '{"id": 42}' ;;
  *" --method PATCH "*) echo '{"id": 42}' ;;
esac
"#;

/// Stands in for `cargo install --locked --path ACTION --root ROOT`: records the call and
/// "builds" by copying the test binary.
const FAKE_CARGO: &str = r#"#!/usr/bin/env bash
echo "$*" >> "$FAKE_GH_DIR/cargo.log"
root=
while [ $# -gt 0 ]; do case "$1" in --root) root=$2; shift 2 ;; *) shift ;; esac; done
mkdir -p "$root/bin" && cp "$FAKE_BIN" "$root/bin/incident-guard"
"#;

/// The real curl, with every call recorded.
fn fake_curl() -> String {
    let real = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("curl"))
        .find(|p| p.is_file())
        .expect("curl, as GitHub's runners have");
    format!("#!/usr/bin/env bash\necho \"$*\" >> \"$FAKE_GH_DIR/curl.log\"\nexec '{}' \"$@\"\n", real.display())
}

/// Waits until the file just written at `path` can be run. A process that another test's
/// thread forked while the file was open for writing holds it open until that process
/// calls exec, and until then running the file fails with "Text file busy"
/// (ETXTBSY); the action's step would then fail for a reason that is not the action's.
/// Once one run starts, nothing can open the file for writing again.
fn runnable(path: &Path) {
    for _ in 0..200 {
        match Command::new(path).arg("--version").output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            _ => return,
        }
    }
    panic!("{} stayed busy for 2 s", path.display());
}

fn executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    Command::new("chmod").arg("+x").arg(path).status().unwrap();
}

/// How the action is used: its ref and repository as the runner reports them, the
/// runner's platform, and extra environment.
#[derive(Clone)]
struct Use {
    action_ref: String,
    action_repository: String,
    /// `GITHUB_ACTION_PATH`; the repository itself by default.
    action_path: PathBuf,
    os: &'static str,
    arch: &'static str,
    env: Vec<(String, String)>,
}

impl Default for Use {
    /// `uses: ./` on a Linux x64 runner.
    fn default() -> Use {
        Use {
            action_ref: String::new(),
            action_repository: String::new(),
            action_path: repo_root(),
            os: "Linux",
            arch: "X64",
            env: Vec::new(),
        }
    }
}

struct Runner {
    tree: Tree,
    temp: tempfile::TempDir,
    gh_dir: PathBuf,
    how: Use,
}

struct Run {
    /// Exit status of each step that ran, by name.
    statuses: Vec<(String, i32)>,
    stdout: String,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// What the steps wrote to `GITHUB_ENV`: the environment of every later step.
    env: BTreeMap<String, String>,
}

/// The `NAME=value` and `NAME<<DELIMITER` lines of a runner command file.
fn command_lines(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, v)) = line.split_once('=')
            && !k.contains("<<")
        {
            out.push((k.to_owned(), v.to_owned()));
        } else if let Some((k, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            out.push((k.to_owned(), value.join("\n")));
        }
    }
    out
}

impl Runner {
    /// A runner with a cached build of the tool: the install step must find it and skip
    /// `cargo install`.
    fn new() -> Runner {
        let r = Runner::bare(Use::default());
        let bin = r.runner_temp().join("incident-guard/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy(BIN, bin.join("incident-guard")).unwrap();
        runnable(&bin.join("incident-guard"));
        r
    }

    /// A runner with nothing cached.
    fn bare(how: Use) -> Runner {
        let tree = Tree::new();
        tree.init_git();
        tree.file("postmortems/inc-1.md", postmortem("INC-1", ""));
        tree.file("custom.toml", format!("{LINTS_OFF}missing-regression-test = \"warning\"\n"));
        tree.commit("initial");
        let temp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(temp.path().join("runner")).unwrap();
        std::fs::create_dir_all(temp.path().join("cache")).unwrap();
        let gh_dir = temp.path().join("gh");
        executable(&gh_dir.join("bin/gh"), FAKE_GH);
        executable(&gh_dir.join("bin/cargo"), FAKE_CARGO);
        executable(&gh_dir.join("bin/curl"), &fake_curl());
        for log in ["calls.log", "attest.log", "curl.log", "cargo.log"] {
            std::fs::write(gh_dir.join(log), "").unwrap();
        }
        Runner { tree, temp, gh_dir, how }
    }

    fn runner_temp(&self) -> PathBuf {
        self.temp.path().join("runner")
    }

    /// A new job on a new runner: `RUNNER_TEMP` is empty, the cache is kept.
    fn next_job(&self) {
        std::fs::remove_dir_all(self.runner_temp()).unwrap();
        std::fs::create_dir_all(self.runner_temp()).unwrap();
        for log in ["calls.log", "attest.log", "curl.log", "cargo.log"] {
            std::fs::write(self.gh_dir.join(log), "").unwrap();
        }
    }

    fn log(&self, name: &str) -> Vec<String> {
        std::fs::read_to_string(self.gh_dir.join(name)).unwrap().lines().map(str::to_owned).collect()
    }

    fn calls(&self) -> Vec<String> {
        self.log("calls.log")
    }

    /// The keys in the fake cache.
    fn cache_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = std::fs::read_dir(self.temp.path().join("cache"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        keys.sort();
        keys
    }

    fn payload(&self, head_repo: &str) -> PathBuf {
        let base = self.tree.git(&["rev-parse", "HEAD"]).trim().to_owned();
        let event = serde_json::json!({
            "pull_request": {
                "number": 7,
                "base": { "sha": base, "repo": { "full_name": "acme/shop" } },
                "head": { "repo": { "full_name": head_repo } },
            }
        });
        let path = self.temp.path().join("event.json");
        std::fs::write(&path, event.to_string()).unwrap();
        path
    }

    fn push_event(&self) -> PathBuf {
        let path = self.temp.path().join("push.json");
        std::fs::write(&path, "{\"after\": \"abc\"}").unwrap();
        path
    }

    /// Runs every step of the action in order, as a runner would, stopping at the first
    /// failing step.
    fn run(&self, inputs: &[(&str, &str)], event_name: &str, event: &Path) -> Run {
        self.run_skipping(inputs, event_name, event, &[])
    }

    /// `run`, leaving out the named steps: to show that a later step holds on its own.
    fn run_skipping(&self, inputs: &[(&str, &str)], event_name: &str, event: &Path, skip: &[&str]) -> Run {
        let action = action();
        let runner_temp = self.runner_temp();
        let summary = self.temp.path().join("summary.md");
        let mut input_values: BTreeMap<String, String> = BTreeMap::new();
        for (name, spec) in action["inputs"].as_mapping().unwrap() {
            let default = spec["default"].as_str().unwrap_or("").to_owned();
            input_values.insert(name.as_str().unwrap().to_owned(), default);
        }
        for (k, v) in inputs {
            assert!(input_values.contains_key(*k), "no input {k}");
            input_values.insert((*k).to_owned(), (*v).to_owned());
        }
        let payload: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(event).unwrap()).unwrap();
        let mut run =
            Run { statuses: Vec::new(), stdout: String::new(), outputs: BTreeMap::new(), env: BTreeMap::new() };
        let mut added_path: Vec<String> = Vec::new();
        std::fs::write(&summary, "").unwrap();
        let path = format!("{}:{}", self.gh_dir.join("bin").display(), std::env::var("PATH").unwrap());
        let runner_temp_text = runner_temp.display().to_string();
        let sha = self.tree.git(&["rev-parse", "HEAD"]).trim().to_owned();
        static RUN_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1000);
        let run_id = RUN_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed).to_string();
        for (i, step) in action["runs"]["steps"].as_sequence().unwrap().iter().enumerate() {
            let name = step["name"].as_str().unwrap_or("").to_owned();
            if skip.contains(&name.as_str()) {
                continue;
            }
            let cx = Context {
                inputs: &input_values,
                event_name,
                payload: &payload,
                outputs: &run.outputs,
                action: (&self.how.action_ref, &self.how.action_repository),
                runner: (&runner_temp_text, self.how.os, &sha, &run_id),
            };
            if let Some(condition) = step["if"].as_str()
                && !condition_holds(condition, &cx)
            {
                continue;
            }
            if let Some(uses) = step["uses"].as_str() {
                let outputs = self.fake_cache(uses, step, &cx);
                if let Some(id) = step["id"].as_str() {
                    run.outputs.insert(id.to_owned(), outputs);
                }
                continue;
            }
            let script = step["run"].as_str().expect("a run step");
            assert_eq!(step["shell"].as_str(), Some("bash"));
            let output_file = self.temp.path().join(format!("output-{i}"));
            std::fs::write(&output_file, "").unwrap();
            // The runner's other command files, one set per step, and the step's own
            // summary, which the runner adds to the job's.
            let command_file = |name: &str| {
                let path = self.temp.path().join(format!("{name}-{i}"));
                std::fs::write(&path, "").unwrap();
                path
            };
            let (env_file, path_file, state_file) = (command_file("env"), command_file("path"), command_file("state"));
            let step_summary = command_file("summary");
            let script_file = self.temp.path().join(format!("step-{i}.sh"));
            std::fs::write(&script_file, script).unwrap();
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"]).arg(&script_file).current_dir(self.tree.path());
            let step_path =
                std::env::join_paths(added_path.iter().rev().map(PathBuf::from).chain(std::env::split_paths(&path)))
                    .unwrap();
            cmd.env("PATH", &step_path)
                .env("GITHUB_ACTION_PATH", &self.how.action_path)
                .env("GITHUB_WORKSPACE", self.tree.path())
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_ENV", &env_file)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_STATE", &state_file)
                .env("GITHUB_STEP_SUMMARY", &step_summary)
                .env("GITHUB_EVENT_PATH", event)
                .env("GITHUB_EVENT_NAME", event_name)
                .env("GITHUB_REPOSITORY", "acme/shop")
                .env("GITHUB_ACTIONS", "true")
                .env("RUNNER_TEMP", &runner_temp)
                .env("RUNNER_OS", self.how.os)
                .env("RUNNER_ARCH", self.how.arch)
                .env("FAKE_GH_DIR", &self.gh_dir)
                .env("FAKE_BIN", BIN)
                .env("NO_COLOR", "1")
                .env_remove("GITHUB_SERVER_URL")
                .env_remove("INCIDENT_GUARD_REPOSITORY_URL");
            for (k, v) in &self.how.env {
                cmd.env(k, v);
            }
            // What earlier steps wrote to GITHUB_ENV, as the runner sets it for every later step.
            for (k, v) in &run.env {
                cmd.env(k, v);
            }
            if let Some(env) = step["env"].as_mapping() {
                for (k, v) in env {
                    cmd.env(k.as_str().unwrap(), expand(v.as_str().unwrap(), &cx));
                }
            }
            let out = cmd.output().unwrap();
            run.stdout.push_str(&String::from_utf8_lossy(&out.stdout));
            run.stdout.push_str(&String::from_utf8_lossy(&out.stderr));
            // The runner reads the command files when the step has ended (a missing one is
            // no command), whatever the step's outcome.
            let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
            for (k, v) in command_lines(&read(&env_file)) {
                run.env.insert(k, v);
            }
            added_path.extend(read(&path_file).lines().filter(|l| !l.is_empty()).map(str::to_owned));
            let mut job_summary = read(&summary);
            job_summary.push_str(&read(&step_summary));
            std::fs::write(&summary, job_summary).unwrap();
            if let Some(id) = step["id"].as_str() {
                let text = std::fs::read_to_string(&output_file).unwrap_or_default();
                let map =
                    text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
                run.outputs.insert(id.to_owned(), map);
            }
            let status = out.status.code().unwrap();
            run.statuses.push((name, status));
            if status != 0 {
                break;
            }
        }
        run
    }

    /// `actions/cache/restore` and `actions/cache/save`, over a directory of entries by
    /// key: what is saved under a key is what a later job restores, and nothing else.
    fn fake_cache(&self, uses: &str, step: &Yaml, cx: &Context) -> BTreeMap<String, String> {
        let with = |k: &str| expand(step["with"][k].as_str().unwrap_or_else(|| panic!("{uses}: no {k}")), cx);
        let key = if uses.starts_with("actions/upload-artifact@") { with("name") } else { with("key") };
        let path = PathBuf::from(with("path"));
        assert!(!key.is_empty() && path.is_absolute(), "{uses}: key `{key}`, path `{}`", path.display());
        let entry = self.temp.path().join("cache").join(&key);
        if uses.starts_with("actions/cache/restore@") {
            let hit = entry.is_dir();
            // Else the newest entry whose key starts with `restore-keys`, as GitHub picks.
            let fallback = step["with"]["restore-keys"].as_str().map(|k| expand(k, cx)).and_then(|prefix| {
                let mut found: Vec<(std::time::SystemTime, PathBuf)> =
                    std::fs::read_dir(self.temp.path().join("cache"))
                        .unwrap()
                        .map(|e| e.unwrap())
                        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                        .map(|e| (e.metadata().unwrap().modified().unwrap(), e.path()))
                        .collect();
                found.sort();
                found.pop().map(|(_, p)| p)
            });
            if hit {
                copy_tree(&entry, &path, false);
            } else if let Some(restored) = fallback {
                copy_tree(&restored, &path, false);
            }
            BTreeMap::from([("cache-hit".to_owned(), hit.to_string())])
        } else if uses.starts_with("actions/upload-artifact@") {
            // An artifact is a directory of the files uploaded, by name.
            let name = with("name");
            let dir = self.temp.path().join("artifacts").join(&name);
            assert!(!dir.exists(), "{uses}: an artifact named {name} exists already");
            assert_eq!(step["with"]["if-no-files-found"].as_str(), Some("error"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
            BTreeMap::new()
        } else if uses.starts_with("actions/cache/save@") {
            assert!(path.exists(), "{uses}: nothing at {} to save", path.display());
            assert!(!entry.exists(), "{uses}: the entry {key} exists; actions/cache/save would fail to save it");
            copy_tree(&path, &entry, false);
            BTreeMap::new()
        } else {
            panic!("unexpected action {uses}")
        }
    }
}

/// The `if:` conditions the action uses; any other fails the test.
fn condition_holds(condition: &str, cx: &Context) -> bool {
    let expr = condition.trim().strip_prefix("${{").and_then(|e| e.strip_suffix("}}")).unwrap_or(condition).trim();
    expr.split(" && ").all(|term| {
        let (left, right, equal) = match (term.split_once(" != "), term.split_once(" == ")) {
            (Some((l, r)), _) => (l, r, false),
            (None, Some((l, r))) => (l, r, true),
            _ => panic!("a condition this test does not evaluate: {expr}"),
        };
        let right = right.trim().trim_matches('\'');
        (expand(&format!("${{{{ {} }}}}", left.trim()), cx) == right) == equal
    })
}

/// What the `${{ … }}` expressions of a step can see.
struct Context<'a> {
    inputs: &'a BTreeMap<String, String>,
    event_name: &'a str,
    payload: &'a serde_json::Value,
    outputs: &'a BTreeMap<String, BTreeMap<String, String>>,
    /// `github.action_ref` and `github.action_repository`.
    action: (&'a str, &'a str),
    /// `runner.temp`, `runner.os`, `github.sha` and `github.run_id`.
    runner: (&'a str, &'a str, &'a str, &'a str),
}

/// Evaluates the `${{ … }}` expressions the action and the example workflows use; any
/// other expression fails the test, so they cannot grow one this test does not understand.
fn expand(text: &str, cx: &Context) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start;
        let expr = rest[start + 3..end].trim();
        let value = if let Some(name) = expr.strip_prefix("inputs.") {
            let raw = cx.inputs.get(name).unwrap_or_else(|| panic!("unknown input {name}"));
            expand(raw, cx)
        } else if expr == "github.token" {
            "fake-token".to_owned()
        } else if expr == "github.repository" {
            "acme/shop".to_owned()
        } else if expr == "github.action_ref" {
            cx.action.0.to_owned()
        } else if expr == "github.action_repository" {
            cx.action.1.to_owned()
        } else if expr == "runner.temp" {
            cx.runner.0.to_owned()
        } else if expr == "runner.os" {
            cx.runner.1.to_owned()
        } else if expr == "github.sha" {
            cx.runner.2.to_owned()
        } else if expr == "github.run_id" {
            cx.runner.3.to_owned()
        } else if expr == "github.run_attempt" {
            "1".to_owned()
        } else if expr == "github.event_name" {
            cx.event_name.to_owned()
        } else if let Some(path) = expr.strip_prefix("github.event.") {
            // `a.b[0].c` is the JSON pointer `/a/b/0/c`.
            let pointer = format!("/{}", path.replace('[', ".").replace(']', "").replace('.', "/"));
            match cx.payload.pointer(&pointer) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(v) if !v.is_null() => v.to_string(),
                _ => String::new(),
            }
        } else if let Some(rest) = expr.strip_prefix("steps.") {
            let (id, name) = rest.split_once(".outputs.").expect("steps.ID.outputs.NAME");
            cx.outputs.get(id).and_then(|o| o.get(name)).cloned().unwrap_or_default()
        } else {
            panic!("an expression this test does not evaluate: {expr}");
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_input_is_used_and_every_output_is_written() {
    let action = action();
    let text = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let steps_text = &text[text.find("runs:").unwrap()..];
    for (name, _) in action["inputs"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        assert!(steps_text.contains(&format!("${{{{ inputs.{name} }}}}")), "input {name} is never used");
    }
    for (name, spec) in action["outputs"].as_mapping().unwrap() {
        let value = spec["value"].as_str().unwrap();
        // The proofs are verify's, the rest the check's.
        let step = if name.as_str() == Some("proofs") { "verify" } else { "check" };
        assert_eq!(value, format!("${{{{ steps.{step}.outputs.{} }}}}", name.as_str().unwrap()));
    }
}

#[test]
fn first_run_posts_the_comment_second_run_updates_it() {
    let r = Runner::new();
    let event = r.payload("acme/shop");
    let sarif = r.temp.path().join("out.sarif");
    let run = r.run(&[("sarif-file", sarif.to_str().unwrap()), ("fail-on", "all")], "pull_request", &event);
    let last = run.statuses.last().unwrap();
    assert_eq!(last, &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert_eq!(run.statuses.len(), 8, "every run step ran:\n{}", run.stdout);
    assert!(run.stdout.contains("incident-guard: using the cached build"), "{}", run.stdout);
    assert!(run.stdout.contains("the pull request's base commit is present"), "{}", run.stdout);
    assert!(run.stdout.contains("::error file=postmortems/inc-1.md,line=2"), "{}", run.stdout);
    let out = &run.outputs["check"];
    assert_eq!((out["errors"].as_str(), out["warnings"].as_str(), out["status"].as_str()), ("1", "0", "1"));
    let report = std::fs::read_to_string(&out["report"]).unwrap();
    assert!(report.starts_with("<!-- incident-guard -->\n"));
    let summary = std::fs::read_to_string(r.temp.path().join("summary.md")).unwrap();
    assert!(summary.contains("<!-- incident-guard -->"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["results"][0]["ruleId"], "missing-regression-test");

    let calls = r.calls();
    assert_eq!(calls.len(), 3, "{calls:#?}");
    assert_eq!(calls[0], "token=fake-token api user --jq .login");
    assert!(
        calls[1].starts_with("token=fake-token api --paginate repos/acme/shop/issues/7/comments --jq"),
        "{calls:#?}"
    );
    assert!(calls[1].contains("github-actions[bot]") && calls[1].contains("<!-- incident-guard -->"), "{calls:#?}");
    assert!(
        calls[2].starts_with("token=fake-token api --method POST repos/acme/shop/issues/7/comments -F body=@"),
        "{calls:#?}"
    );
    let posted = std::fs::read_to_string(r.gh_dir.join("body-3.md")).unwrap();
    assert_eq!(posted, report);

    let run = r.run(&[("fail-on", "all")], "pull_request", &event);
    assert_eq!(run.statuses.last().unwrap().1, 1);
    let calls = r.calls();
    assert_eq!(calls.len(), 6, "{calls:#?}");
    assert!(
        calls[5].starts_with("token=fake-token api --method PATCH repos/acme/shop/issues/comments/42 -F body=@"),
        "{calls:#?}"
    );
    assert!(!calls.iter().skip(3).any(|c| c.contains("POST")), "{calls:#?}");
}

#[test]
fn fork_pull_request_gets_a_notice_and_no_comment() {
    let r = Runner::new();
    let event = r.payload("someone/shop-fork");
    let run = r.run(&[("fail-on", "all")], "pull_request", &event);
    assert!(run.stdout.contains("::notice title=incident-guard::Pull request from a fork"), "{}", run.stdout);
    assert!(r.calls().is_empty(), "{:#?}", r.calls());
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1));
}

#[test]
fn comment_false_args_and_base_are_honoured() {
    let r = Runner::new();
    let event = r.payload("acme/shop");
    let run =
        r.run(&[("comment", "false"), ("args", "--config custom.toml"), ("base", "HEAD")], "pull_request", &event);
    assert!(r.calls().is_empty(), "comment: false posts nothing");
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 0), "{}", run.stdout);
    let out = &run.outputs["check"];
    assert_eq!((out["errors"].as_str(), out["warnings"].as_str()), ("0", "1"));
    assert!(!run.stdout.contains("base commit is present"), "an explicit base skips the fetch step");
    let report = std::fs::read_to_string(&out["report"]).unwrap();
    assert!(report.contains("base HEAD"), "{report}");
}

#[test]
fn fail_on_defaults_to_new_on_pull_requests_and_all_on_push() {
    // The fixture's one error is on the base already: a pull request that brings in
    // nothing passes, and says the error is there; a push to the default branch fails.
    let r = Runner::new();
    let event = r.payload("acme/shop");
    let run = r.run(&[], "pull_request", &event);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 0), "{}", run.stdout);
    assert!(run.stdout.contains("1 error(s) (0 new)"), "{}", run.stdout);
    assert!(!run.stdout.contains("::error file="), "an old error is no annotation on the diff: {}", run.stdout);
    let summary = std::fs::read_to_string(r.temp.path().join("summary.md")).unwrap();
    assert!(summary.contains("missing-regression-test"), "the job summary still lists it:\n{summary}");
    let run = r.run(&[], "merge_group", &event);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 0), "{}", run.stdout);
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    let run = r.run(&[], "schedule", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    // The input overrides the event's default; anything else is refused.
    let run = r.run(&[("fail-on", "new")], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 0), "{}", run.stdout);
    let run = r.run(&[("fail-on", "everything")], "pull_request", &event);
    assert!(run.statuses.contains(&("Check".to_owned(), 2)), "{}", run.stdout);
    assert!(run.stdout.contains("fail-on must be `all` or `new`, not `everything`"), "{}", run.stdout);
}

#[test]
fn push_events_do_not_comment() {
    let r = Runner::new();
    let event = r.temp.path().join("push.json");
    std::fs::write(&event, "{\"after\": \"abc\"}").unwrap();
    let run = r.run(&[], "push", &event);
    assert!(run.stdout.contains("not a pull request; no comment"), "{}", run.stdout);
    assert!(r.calls().is_empty());
}

// incident: IG-2026-007
#[test]
fn pull_request_target_is_refused() {
    // The checkout of pull_request_target is the base: a check there passed pull requests
    // that delete a linked test, and commented "no findings" on them.
    let r = Runner::new();
    let event = r.payload("acme/shop");
    let run = r.run(&[], "pull_request_target", &event);
    assert_eq!(run.statuses, [("Refuse pull_request_target".to_owned(), 2)], "{}", run.stdout);
    assert!(
        run.stdout.starts_with("::error title=incident-guard::incident-guard does not run on pull_request_target."),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("workflow_run setup in examples/workflows/"), "{}", run.stdout);
    assert!(!run.outputs.contains_key("check"), "nothing was checked");
    assert!(!r.temp.path().join("runner/incident-guard-report.md").exists());
    assert!(r.calls().is_empty(), "{:#?}", r.calls());
}

// incident: IG-2026-007
#[test]
fn comment_step_does_not_treat_pull_request_target_as_a_pull_request() {
    // Even with the refusal out of the way, the comment step posts nothing.
    let r = Runner::new();
    let event = r.payload("acme/shop");
    let run = r.run_skipping(&[], "pull_request_target", &event, &["Refuse pull_request_target"]);
    assert!(run.outputs.contains_key("check"), "{}", run.stdout);
    assert!(run.stdout.contains("not a pull request; no comment"), "{}", run.stdout);
    assert!(r.calls().is_empty(), "{:#?}", r.calls());
}

/// Copies a directory, leaving out `.git` and `target` at its top, as the Action's
/// directory is on a runner.
fn copy_tree(from: &Path, to: &Path, top: bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if top && (name == ".git" || name == "target") {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if src.is_dir() {
            copy_tree(&src, &dst, false);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Runs the action's cache-key step for the action in `action_dir`, with a `rustc` on
/// `PATH` that prints `rustc_version` (or fails, as when there is none).
fn cache_key(action_dir: &Path, rustc_version: Option<&str>) -> String {
    let action = action();
    let step = action["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some("plan"))
        .expect("a step with id plan");
    let temp = tempfile::tempdir().unwrap();
    let bin = temp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let rustc = match rustc_version {
        Some(v) => format!("#!/bin/sh\necho '{v}'\n"),
        None => "#!/bin/sh\necho 'rustc: command not found' >&2\nexit 127\n".to_owned(),
    };
    std::fs::write(bin.join("rustc"), rustc).unwrap();
    Command::new("chmod").arg("+x").arg(bin.join("rustc")).status().unwrap();
    let script = temp.path().join("key.sh");
    std::fs::write(&script, step["run"].as_str().unwrap()).unwrap();
    let output = temp.path().join("output");
    let (inputs, outputs, payload) = (BTreeMap::new(), BTreeMap::new(), serde_json::json!({}));
    let cx = Context {
        inputs: &inputs,
        event_name: "push",
        payload: &payload,
        outputs: &outputs,
        action: ("", ""),
        runner: ("", "", "", ""),
    };
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"]).arg(&script).current_dir(temp.path());
    cmd.env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()))
        .env("GITHUB_ACTION_PATH", action_dir)
        .env("GITHUB_OUTPUT", &output)
        .env("RUNNER_TEMP", temp.path())
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64");
    for (k, v) in step["env"].as_mapping().unwrap() {
        cmd.env(k.as_str().unwrap(), expand(v.as_str().unwrap(), &cx));
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&output).unwrap();
    assert!(text.contains("mode=build\n"), "{text}");
    let key = text.lines().find_map(|l| l.strip_prefix("key=")).unwrap_or_else(|| panic!("{text}"));
    assert!(key.starts_with("incident-guard-Linux-X64-local-"), "{key}");
    key.to_owned()
}

// incident: IG-2026-007
#[test]
fn build_cache_key_changes_with_every_build_input() {
    // The key hashed only Cargo.toml, Cargo.lock and src/: a build.rs, a Cargo config or
    // a toolchain file changed the binary but not the key, and the stale one was reused.
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("action");
    copy_tree(&repo_root(), &dir, true);
    let rustc = Some("rustc 1.88.0 (6b00bc388 2025-06-23)");
    let key = cache_key(&dir, rustc);
    assert_eq!(cache_key(&dir, rustc), key, "an unchanged tree keeps its key");
    for (file, text) in [
        ("build.rs", "fn main() {}\n"),
        (".cargo/config.toml", "[build]\nrustflags = [\"-Cdebug-assertions=on\"]\n"),
        ("rust-toolchain.toml", "[toolchain]\nchannel = \"nightly\"\n"),
        ("vendor/some-crate/src/lib.rs", "pub fn f() {}\n"),
    ] {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        assert_ne!(cache_key(&dir, rustc), key, "adding {file} must change the key");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(cache_key(&dir, rustc), key, "removing {file} again restores the key");
    }
    std::fs::rename(dir.join("README.md"), dir.join("README.txt")).unwrap();
    assert_ne!(cache_key(&dir, rustc), key, "a rename changes the key");
    std::fs::rename(dir.join("README.txt"), dir.join("README.md")).unwrap();

    assert_ne!(cache_key(&dir, Some("rustc 1.89.0 (29483883e 2025-08-04)")), key, "another compiler");
    assert_ne!(cache_key(&dir, None), key, "no compiler");

    // Build output and git's own files are not inputs.
    std::fs::create_dir_all(dir.join("target/release")).unwrap();
    std::fs::write(dir.join("target/release/incident-guard"), "binary").unwrap();
    std::fs::write(dir.join(".git"), "gitdir: /elsewhere\n").unwrap();
    assert_eq!(cache_key(&dir, rustc), key);
}

// The install from a release, against a fake release made by the release workflow's own
// scripts.

const REPO: &str = "incident-guard/incident-guard";

/// The five release targets, by the runner platform that installs each.
const PLATFORMS: [(&str, &str, &str); 5] = [
    ("Linux", "X64", "x86_64-unknown-linux-musl"),
    ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
    ("macOS", "X64", "x86_64-apple-darwin"),
    ("macOS", "ARM64", "aarch64-apple-darwin"),
    ("Windows", "X64", "x86_64-pc-windows-msvc"),
];

/// The binary the fake releases ship: the test binary, stripped when `strip` is there
/// (a third of the size, so the archives are made and unpacked three times faster).
fn release_binary() -> &'static Path {
    static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("action-release");
        std::fs::create_dir_all(&dir).unwrap();
        // Made aside and renamed into place, which replaces an older one atomically.
        let part = dir.join(format!("incident-guard.{}", std::process::id()));
        std::fs::copy(BIN, &part).unwrap();
        let _ = Command::new("strip").arg(&part).status();
        let path = dir.join("incident-guard");
        std::fs::rename(&part, &path).unwrap();
        path
    })
}

/// A fake release of this tree's version: a git repository tagged `vVERSION` (what a
/// commit pin is checked against), and under `releases/download/vVERSION/` the archives
/// that `scripts/release/archive.sh` makes of the test binary, with the `SHA256SUMS` of
/// `scripts/release/checksums.sh`: the names and formats the release workflow publishes.
struct FakeRelease {
    dir: PathBuf,
    /// The commit the tag points at.
    commit: String,
    /// The annotated tag's own object.
    tag_object: String,
}

impl FakeRelease {
    fn new(parent: &Path, targets: &[&str]) -> FakeRelease {
        FakeRelease::of(parent, targets, release_binary())
    }

    /// A fake release of `binary`.
    fn of(parent: &Path, targets: &[&str], binary: &Path) -> FakeRelease {
        let dir = parent.join("fake-github/incident-guard");
        std::fs::create_dir_all(&dir).unwrap();
        let git = |args: &[&str]| {
            let out = Command::new("git")
                .args(["-c", "user.name=Release", "-c", "user.email=release@example.com", "-c", "commit.gpgsign=false"])
                .args(["-c", "tag.gpgsign=false"])
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        git(&["init", "-q", "-b", "main"]);
        git(&["commit", "-q", "--allow-empty", "-m", "Release"]);
        git(&["tag", "-a", "-m", "release", &format!("v{}", version())]);
        let commit = git(&["rev-parse", "HEAD"]);
        let tag_object = git(&["rev-parse", &format!("v{}", version())]);
        assert_ne!(tag_object, commit);
        let release = FakeRelease { dir, commit, tag_object };
        std::fs::create_dir_all(release.assets()).unwrap();
        for target in targets {
            let out = Command::new("bash")
                .arg(repo_root().join("scripts/release/archive.sh"))
                .args([*target, &version()])
                .arg(binary)
                .arg(release.assets())
                .output()
                .unwrap();
            assert!(out.status.success(), "archive.sh: {}", String::from_utf8_lossy(&out.stderr));
        }
        if !targets.is_empty() {
            let out = Command::new("bash")
                .arg(repo_root().join("scripts/release/checksums.sh"))
                .arg(release.assets())
                .output()
                .unwrap();
            assert!(out.status.success(), "checksums.sh: {}", String::from_utf8_lossy(&out.stderr));
        }
        release
    }

    fn assets(&self) -> PathBuf {
        self.dir.join(format!("releases/download/v{}", version()))
    }

    fn archive(&self, target: &str) -> String {
        let ext = if target.contains("windows") { "zip" } else { "tar.gz" };
        format!("incident-guard-{}-{target}.{ext}", version())
    }

    /// `uses: incident-guard/incident-guard@REF` on a runner of `os`/`arch`, with the
    /// release base pointed at this fake.
    fn using(&self, action_ref: &str, os: &'static str, arch: &'static str) -> Use {
        Use {
            action_ref: action_ref.to_owned(),
            action_repository: REPO.to_owned(),
            os,
            arch,
            env: vec![("INCIDENT_GUARD_REPOSITORY_URL".to_owned(), format!("file://{}", self.dir.display()))],
            ..Use::default()
        }
    }
}

fn tag() -> String {
    format!("v{}", version())
}

/// A release-mode runner on Linux x64 and its fake release (of the Linux x64 archive).
fn released() -> (Runner, FakeRelease) {
    let mut r = Runner::bare(Use::default());
    let release = FakeRelease::new(r.temp.path(), &["x86_64-unknown-linux-musl"]);
    r.how = release.using(&tag(), "Linux", "X64");
    (r, release)
}

#[test]
fn released_tag_is_downloaded_verified_cached_and_run() {
    let (r, release) = released();
    let archive = release.archive("x86_64-unknown-linux-musl");
    let event = r.payload("acme/shop");

    // Cold cache: download, verify, attest, cache, run.
    let run = r.run(&[("fail-on", "all")], "pull_request", &event);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert_eq!(run.statuses.len(), 8, "every run step ran:\n{}", run.stdout);
    assert_eq!(run.outputs["plan"]["mode"], "release", "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("incident-guard: downloading file://{}/", release.dir.display())),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&format!("sha256 verified against SHA256SUMS of {}", tag())), "{}", run.stdout);
    assert!(run.stdout.contains("build provenance verified"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("incident-guard {}\n", version())), "{}", run.stdout);
    assert!(run.stdout.contains("::error file=postmortems/inc-1.md,line=2"), "{}", run.stdout);
    assert_eq!(r.log("cargo.log"), Vec::<String>::new(), "nothing was built");
    let downloads = r.log("curl.log");
    assert_eq!(downloads.len(), 2, "{downloads:#?}");
    assert!(downloads[0].ends_with(&format!("/releases/download/{}/SHA256SUMS", tag())), "{downloads:#?}");
    assert!(downloads[1].ends_with(&format!("/releases/download/{}/{archive}", tag())), "{downloads:#?}");
    let attest = r.log("attest.log");
    assert_eq!(attest.len(), 1, "{attest:#?}");
    let want = format!(
        "token=fake-token attestation verify {}/incident-guard-release/{archive}.part --repo {REPO} --signer-workflow {REPO}/.github/workflows/release.yml --source-ref refs/tags/{} --deny-self-hosted-runners",
        r.runner_temp().display(),
        tag()
    );
    assert_eq!(attest[0], want);
    let bin = &run.outputs["install"]["bin"];
    assert_eq!(
        bin,
        &format!(
            "{}/incident-guard-bin/incident-guard-{}-x86_64-unknown-linux-musl/incident-guard",
            r.runner_temp().display(),
            version()
        )
    );
    let key = &run.outputs["plan"]["key"];
    assert!(key.starts_with(&format!("incident-guard-release-Linux-X64-{}-", tag())), "{key}");
    assert_eq!(r.cache_keys(), std::slice::from_ref(key));
    let cached: Vec<_> =
        std::fs::read_dir(r.temp.path().join("cache").join(key)).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(cached, [archive.as_str()], "the cache holds the archive, nothing else");
    let out = &run.outputs["check"];
    assert_eq!((out["errors"].as_str(), out["status"].as_str()), ("1", "1"));

    // Warm cache, next job: SHA256SUMS is read again, the archive comes from the cache
    // and is checked against it; no download, no attestation call, nothing saved.
    r.next_job();
    let run = r.run(&[("fail-on", "all")], "pull_request", &event);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert_eq!(run.outputs["cache"]["cache-hit"], "true");
    assert!(
        run.stdout.contains(&format!("using the cached {archive} (sha256 verified against SHA256SUMS of {})", tag())),
        "{}",
        run.stdout
    );
    let downloads = r.log("curl.log");
    assert_eq!(downloads.len(), 1, "{downloads:#?}");
    assert!(downloads[0].ends_with("/SHA256SUMS"), "{downloads:#?}");
    assert!(r.log("attest.log").is_empty());
    assert!(run.stdout.contains("::error file=postmortems/inc-1.md,line=2"), "{}", run.stdout);
}

#[test]
fn tampered_release_archive_is_a_hard_failure() {
    let (r, release) = released();
    let archive = release.assets().join(release.archive("x86_64-unknown-linux-musl"));
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&archive, bytes).unwrap();
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Install incident-guard".to_owned(), 2), "{}", run.stdout);
    let message = format!(
        "::error title=incident-guard::{} does not match SHA256SUMS of release {} (expected ",
        release.archive("x86_64-unknown-linux-musl"),
        tag()
    );
    assert!(run.stdout.contains(&message), "{}", run.stdout);
    assert!(
        run.stdout.contains("the download is corrupt or was tampered with. Nothing was installed."),
        "{}",
        run.stdout
    );
    // Never a silent fallback: nothing built, nothing checked, nothing cached or left.
    assert!(r.log("cargo.log").is_empty());
    assert!(r.log("attest.log").is_empty(), "the checksum is checked first");
    assert!(!run.outputs.contains_key("check"));
    assert!(r.cache_keys().is_empty(), "{:?}", r.cache_keys());
    assert_eq!(std::fs::read_dir(r.runner_temp().join("incident-guard-release")).unwrap().count(), 0);
}

#[test]
fn changed_cache_entry_is_refused() {
    // Anyone who can run a workflow of the repository can write its cache.
    let (r, release) = released();
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap().1, 1, "{}", run.stdout);
    let key = run.outputs["plan"]["key"].clone();
    let cached = r.temp.path().join("cache").join(&key).join(release.archive("x86_64-unknown-linux-musl"));
    let mut bytes = std::fs::read(&cached).unwrap();
    bytes.extend_from_slice(b"\0");
    std::fs::write(&cached, bytes).unwrap();
    r.next_job();
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Install incident-guard".to_owned(), 2), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!(
            "::error title=incident-guard::the cached {} does not match SHA256SUMS of release {}",
            release.archive("x86_64-unknown-linux-musl"),
            tag()
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&format!("Delete the entry (gh cache delete {key}) and run again.")), "{}", run.stdout);
    assert!(r.log("cargo.log").is_empty());
}

#[test]
fn attestation_is_checked_where_gh_can() {
    // It does not verify: a hard failure, whatever the checksum said.
    let (r, release) = released();
    std::fs::write(r.gh_dir.join("attest-fail"), "").unwrap();
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Install incident-guard".to_owned(), 2), "{}", run.stdout);
    assert!(
        run.stdout.contains("Error: no attestations found for subject"),
        "gh's own words are shown:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "::error title=incident-guard::{} matches SHA256SUMS but its build-provenance attestation does not verify",
            release.archive("x86_64-unknown-linux-musl")
        )),
        "{}",
        run.stdout
    );
    assert!(r.cache_keys().is_empty());
    assert!(r.log("cargo.log").is_empty());

    // A gh without `attestation`: the checksum stands alone, and the log says so.
    let (r, _) = released();
    std::fs::write(r.gh_dir.join("no-attestation"), "").unwrap();
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert!(run.stdout.contains("::notice title=incident-guard::build provenance not verified: this runner's gh has no 'gh attestation verify' (the SHA256SUMS check passed)"), "{}", run.stdout);

    // Not on github.com (GitHub Enterprise Server): the same notice, no call.
    let (mut r, _) = released();
    r.how.env.push(("GITHUB_SERVER_URL".to_owned(), "https://ghe.example.com".to_owned()));
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert!(
        run.stdout.contains("build provenance not verified: gh attestation verify needs github.com"),
        "{}",
        run.stdout
    );
    assert!(r.log("attest.log").is_empty());
}

#[test]
fn commit_pin_of_a_release_installs_the_release_built_from_that_commit() {
    let (mut r, release) = released();
    r.how.action_ref = release.commit.clone();
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert_eq!(run.outputs["plan"]["mode"], "release", "{}", run.stdout);
    assert_eq!(run.outputs["plan"]["tag"], tag());
    let attest = r.log("attest.log");
    assert!(
        attest[0].ends_with(&format!(
            "--source-ref refs/tags/{} --source-digest {} --deny-self-hosted-runners",
            tag(),
            release.commit
        )),
        "{attest:#?}"
    );
    assert!(r.log("cargo.log").is_empty());
}

/// Runs the action with `how` and asserts it built the action's source with cargo
/// (the fake one) and ran; returns the output.
fn assert_builds(r: &Runner) -> String {
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert_eq!(run.outputs["plan"]["mode"], "build", "{}", run.stdout);
    let cargo = r.log("cargo.log");
    let want = format!(
        "install --locked --quiet --path {} --root {}/incident-guard",
        repo_root().display(),
        r.runner_temp().display()
    );
    assert_eq!(cargo, [want], "{}", run.stdout);
    assert!(!r.log("curl.log").iter().any(|c| c.contains(".tar.gz") || c.contains(".zip")), "{:#?}", r.log("curl.log"));
    assert!(run.stdout.contains("::error file=postmortems/inc-1.md,line=2"), "{}", run.stdout);
    run.stdout
}

#[test]
fn refs_that_are_not_releases_build_from_source() {
    let holder = tempfile::tempdir().unwrap();
    let release = FakeRelease::new(holder.path(), &["x86_64-unknown-linux-musl"]);
    let other = "0123456789abcdef0123456789abcdef01234567";
    for (action_ref, notice) in [
        // `uses: ./`, a branch, a commit that is not the release's, another version's tag.
        ("", None),
        ("main", None),
        (other, Some(format!("commit {other} is not the commit of release {}", tag()))),
        ("v999.0.0", Some(format!("the tag v999.0.0 holds incident-guard {}, not 999.0.0", version()))),
        // The tag's own object is not the commit the release was built from.
        (&release.tag_object, Some(format!("commit {} is not the commit of release {}", release.tag_object, tag()))),
    ] {
        let r = Runner::bare(release.using(action_ref, "Linux", "X64"));
        let out = assert_builds(&r);
        if let Some(notice) = notice {
            assert!(out.contains(&format!("::notice title=incident-guard::{notice}")), "{action_ref}: {out}");
        }
    }
}

#[test]
fn a_release_without_this_runners_archive_builds_from_source() {
    let holder = tempfile::tempdir().unwrap();
    // Only a Windows archive: a Linux runner has nothing to download.
    let release = FakeRelease::new(holder.path(), &["x86_64-pc-windows-msvc"]);
    let r = Runner::bare(release.using(&tag(), "Linux", "X64"));
    let out = assert_builds(&r);
    assert!(
        out.contains(&format!(
            "::notice title=incident-guard::release {} has no {}; building incident-guard from source",
            tag(),
            release.archive("x86_64-unknown-linux-musl")
        )),
        "{out}"
    );

    // A tag with no release at all (a fork's tag): no SHA256SUMS.
    let holder = tempfile::tempdir().unwrap();
    let release = FakeRelease::new(holder.path(), &[]);
    let r = Runner::bare(release.using(&tag(), "Linux", "X64"));
    let out = assert_builds(&r);
    assert!(
        out.contains(&format!("::notice title=incident-guard::{} has no release assets at file://", tag())),
        "{out}"
    );

    // A platform with no prebuilt binary.
    let holder = tempfile::tempdir().unwrap();
    let release = FakeRelease::new(holder.path(), &["x86_64-unknown-linux-musl"]);
    let r = Runner::bare(release.using(&tag(), "Linux", "ARM"));
    let out = assert_builds(&r);
    assert!(
        out.contains(
            "::notice title=incident-guard::no prebuilt incident-guard for Linux ARM; building it from source"
        ),
        "{out}"
    );
}

#[test]
fn every_release_target_is_installed_on_its_runner() {
    let holder = tempfile::tempdir().unwrap();
    let release = FakeRelease::new(holder.path(), &PLATFORMS.map(|p| p.2));
    for (os, arch, target) in PLATFORMS {
        let r = Runner::bare(release.using(&tag(), os, arch));
        let run = r.run(&[], "push", &r.push_event());
        assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{os} {arch}: {}", run.stdout);
        assert_eq!(run.outputs["plan"]["archive"], release.archive(target));
        let exe = if os == "Windows" { ".exe" } else { "" };
        assert!(
            run.outputs["install"]["bin"]
                .ends_with(&format!("/incident-guard-{}-{target}/incident-guard{exe}", version())),
            "{os} {arch}: {:?}",
            run.outputs["install"]
        );
        assert!(run.outputs["plan"]["key"].starts_with(&format!("incident-guard-release-{os}-{arch}-{}-", tag())));
    }
    // Windows on Arm runs the x64 build.
    let r = Runner::bare(release.using(&tag(), "Windows", "ARM64"));
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.outputs["plan"]["archive"], release.archive("x86_64-pc-windows-msvc"), "{}", run.stdout);
}

#[test]
fn ref_and_repository_come_from_the_action_path_when_the_runner_leaves_them_empty() {
    // actions/runner#2473: in a composite action `github.action_ref` may be empty. The
    // runner keeps the action in _actions/OWNER/REPO/REF.
    let (mut r, release) = released();
    let path = r.temp.path().join(format!("work/_actions/{REPO}/{}", tag()));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(repo_root(), &path).unwrap();
    r.how.action_ref = String::new();
    r.how.action_repository = String::new();
    r.how.action_path = path;
    let run = r.run(&[], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert_eq!(run.outputs["plan"]["mode"], "release", "{}", run.stdout);
    assert_eq!(run.outputs["plan"]["repository"], REPO);
    assert!(r.log("attest.log")[0].contains(&format!("--repo {REPO} ")));
    drop(release);
}

/// Serves `dir` over HTTP on loopback (Python's http.server), for as long as it lives.
struct LocalServer {
    child: std::process::Child,
    url: String,
}

impl LocalServer {
    fn start(dir: &Path) -> LocalServer {
        use std::io::BufRead;
        let mut child = Command::new("python3")
            .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"])
            .current_dir(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let port = line.split(" port ").nth(1).and_then(|r| r.split_whitespace().next()).expect(&line).to_owned();
        LocalServer { child, url: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Seconds from the first step to the end of the Check step (the annotations are printed
/// then), and the check's outputs.
fn time_to_annotations(r: &Runner) -> f64 {
    let start = std::time::Instant::now();
    let run = r.run_skipping(&[], "push", &r.push_event(), &["Comment on the pull request", "Verdict"]);
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(run.statuses.last().unwrap(), &("Check".to_owned(), 0), "{}", run.stdout);
    assert!(run.stdout.contains("::error file=postmortems/inc-1.md,line=2"), "{}", run.stdout);
    seconds
}

#[test]
#[ignore = "a measurement, not a check: it runs a real `cargo install` (minutes); run it with `cargo test --test action -- --ignored --nocapture measure`"]
fn measure_time_to_first_annotation() {
    // Today's path: `cargo install` with a cold cache, then with the build cached.
    let r = Runner::bare(Use::default());
    std::fs::remove_file(r.gh_dir.join("bin/cargo")).unwrap();
    let build_cold = time_to_annotations(&r);
    let built = r.runner_temp().join("incident-guard/bin/incident-guard");
    let build_warm = time_to_annotations(&r);

    // The release path, with that release build as the release's binary, served over
    // HTTP on loopback.
    let holder = tempfile::tempdir().unwrap();
    let release = FakeRelease::of(holder.path(), &["x86_64-unknown-linux-musl"], &built);
    let server = LocalServer::start(&holder.path().join("fake-github"));
    let mut how = release.using(&tag(), "Linux", "X64");
    how.env = vec![("INCIDENT_GUARD_REPOSITORY_URL".to_owned(), format!("{}/incident-guard", server.url))];
    let r = Runner::bare(how);
    let release_cold = time_to_annotations(&r);
    r.next_job();
    let release_warm = time_to_annotations(&r);
    assert_eq!(r.log("curl.log").len(), 1, "warm: SHA256SUMS only");
    let size = std::fs::metadata(release.assets().join(release.archive("x86_64-unknown-linux-musl"))).unwrap().len();
    println!("archive: {} KiB; binary: {} KiB", size / 1024, std::fs::metadata(&built).unwrap().len() / 1024);
    println!("seconds from the first step to the annotations:");
    println!("  cargo install, cold cache: {build_cold:7.2}");
    println!("  cargo install, warm cache: {build_warm:7.2}");
    println!("  release,       cold cache: {release_cold:7.2}  (download over loopback HTTP, verify, unpack, run)");
    println!("  release,       warm cache: {release_warm:7.2}  (SHA256SUMS over loopback HTTP, verify, unpack, run)");
}

// The two-workflow setup of examples/workflows/: its `run:` steps, run as the runner
// would, against a fake `gh api` answering from fixture JSON.

/// Answers `gh api` from `$FAKE_GH_DIR/api.json` (keys `METHOD path?query`; a query
/// that is not there matches nothing, any other path is not found), applying `--jq` with
/// jq as gh does; records every call and keeps the bodies it is sent.
const FAKE_GH_API: &str = r#"#!/usr/bin/env bash
set -euo pipefail
dir="$FAKE_GH_DIR"
echo "$*" >> "$dir/calls.log"
[ "$1" = api ] || { echo "fake gh: only api" >&2; exit 2; }
shift
method=GET; path=; filter=; query=; body=
while [ $# -gt 0 ]; do
  case "$1" in
    --method | -X) method=$2; shift 2 ;;
    --paginate) shift ;;
    --jq | -q) filter=$2; shift 2 ;;
    -f | -F)
      case "$2" in body=@*) body=${2#body=@} ;; *) query="$query${query:+&}$2" ;; esac
      shift 2 ;;
    -*) echo "fake gh: unknown flag $1" >&2; exit 2 ;;
    *) path=$1; shift ;;
  esac
done
case "$method" in
  POST | PATCH) cp "$body" "$dir/body-$(wc -l < "$dir/calls.log").md"; echo '{"id": 1}'; exit 0 ;;
esac
key="$method $path${query:+?$query}"
if jq -e --arg k "$key" 'has($k)' "$dir/api.json" > /dev/null; then
  answer=$(jq --arg k "$key" '.[$k]' "$dir/api.json")
elif [ -n "$query" ]; then
  answer='[]' # a filtered list that nothing matches
else
  echo "gh: Not Found (HTTP 404)" >&2; exit 1
fi
printf '%s\n' "$answer" | if [ -n "$filter" ]; then jq -r "$filter"; else cat; fi
"#;

const FORK_SHA: &str = "1111111111111111111111111111111111111111";
const VICTIM_SHA: &str = "2222222222222222222222222222222222222222";
const BRANCH_SHA: &str = "5555555555555555555555555555555555555555";
/// A JSON report as `check --format json` writes it, of a repository whose one incident
/// has no regression test (one error), with `title` as the incident's title.
fn json_report(title: &str) -> String {
    let t = Tree::new();
    let title = if title.is_empty() { "Incident INC-1" } else { title };
    t.file(
        "postmortems/inc-1.md",
        postmortem("INC-1", "").replacen("title = \"Incident INC-1\"", &format!("title = {title:?}"), 1),
    );
    let (code, doc) = t.check(&["--no-git"]);
    assert_eq!(code, 1, "{doc}");
    doc.to_string()
}

fn pull(number: u64, sha: &str, repo: &str) -> serde_json::Value {
    serde_json::json!({ "number": number, "state": "open", "head": { "sha": sha, "repo": { "full_name": repo } } })
}

fn bot_comment(id: u64) -> serde_json::Value {
    serde_json::json!({ "id": id, "user": { "login": "github-actions[bot]" }, "body": "<!-- incident-guard -->\nold" })
}

/// acme/shop with three open pull requests: #7 from a fork (someone/shop-fork, branch
/// feature), #8 from another fork (victim/shop-fork, branch fix) which already has the
/// bot's comment 99, and #5 from a branch of acme/shop itself (topic) with comment 55.
fn shop_api() -> serde_json::Value {
    serde_json::json!({
        "GET repos/acme/shop/pulls?state=open&head=someone:feature": [pull(7, FORK_SHA, "someone/shop-fork")],
        "GET repos/acme/shop/pulls?state=open&head=victim:fix": [pull(8, VICTIM_SHA, "victim/shop-fork")],
        "GET repos/acme/shop/pulls?state=open&head=acme:topic": [pull(5, BRANCH_SHA, "acme/shop")],
        "GET repos/acme/shop/pulls/7": pull(7, FORK_SHA, "someone/shop-fork"),
        "GET repos/acme/shop/pulls/8": pull(8, VICTIM_SHA, "victim/shop-fork"),
        "GET repos/acme/shop/pulls/5": pull(5, BRANCH_SHA, "acme/shop"),
        "GET repos/acme/shop/issues/7/comments": [],
        "GET repos/acme/shop/issues/8/comments": [bot_comment(99)],
        "GET repos/acme/shop/issues/5/comments": [bot_comment(55)],
    })
}

/// The `workflow_run` event of a completed run of the pull-request workflow.
fn workflow_run(head_sha: &str, head_repo: &str, branch: &str, listed: &[u64]) -> serde_json::Value {
    let owner = head_repo.split('/').next().unwrap();
    let listed: Vec<_> = listed.iter().map(|n| serde_json::json!({ "number": n })).collect();
    serde_json::json!({
        "workflow_run": {
            "id": 1234,
            "event": "pull_request",
            "head_sha": head_sha,
            "head_branch": branch,
            "head_repository": { "full_name": head_repo, "owner": { "login": owner } },
            "pull_requests": listed,
        }
    })
}

fn example_workflow(file: &str) -> Yaml {
    let path = repo_root().join("examples/workflows").join(file);
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The steps of an example workflow's only job.
fn example_steps(file: &str) -> Vec<Yaml> {
    let workflow = example_workflow(file);
    let jobs = workflow["jobs"].as_mapping().unwrap();
    assert_eq!(jobs.len(), 1, "{file}: one job");
    jobs.values().next().unwrap()["steps"].as_sequence().unwrap().clone()
}

/// A working directory with a fake `gh` that answers from `api`.
struct Workflows {
    temp: tempfile::TempDir,
}

impl Workflows {
    fn new(api: serde_json::Value) -> Workflows {
        assert!(Command::new("jq").arg("--version").output().is_ok(), "the fake gh needs jq, as GitHub's runners have");
        let w = Workflows { temp: tempfile::tempdir().unwrap() };
        std::fs::create_dir_all(w.gh_dir().join("bin")).unwrap();
        std::fs::create_dir_all(w.work()).unwrap();
        let gh = w.gh_dir().join("bin/gh");
        std::fs::write(&gh, FAKE_GH_API).unwrap();
        Command::new("chmod").arg("+x").arg(&gh).status().unwrap();
        std::fs::write(w.gh_dir().join("calls.log"), "").unwrap();
        std::fs::write(w.gh_dir().join("api.json"), api.to_string()).unwrap();
        w
    }

    fn gh_dir(&self) -> PathBuf {
        self.temp.path().join("gh")
    }

    fn work(&self) -> PathBuf {
        self.temp.path().join("work")
    }

    /// The artifact as downloaded into the comment workflow's working directory.
    fn artifact(&self, files: &[(&str, &str)]) -> &Workflows {
        let dir = self.work().join("incident-guard-report");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        self
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.gh_dir().join("calls.log")).unwrap().lines().map(str::to_owned).collect()
    }

    /// The calls that would change something on GitHub.
    fn writes(&self) -> Vec<String> {
        self.calls().into_iter().filter(|c| !c.starts_with("api --method GET ") && c.contains("--method")).collect()
    }

    /// Runs the `run:` step called `name` of an example workflow in `dir`, with its
    /// `env:` evaluated for `event`; returns the exit status and the output.
    fn run_step(
        &self,
        file: &str,
        name: &str,
        dir: &Path,
        event: &serde_json::Value,
        outputs: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> (i32, String) {
        let steps = example_steps(file);
        let step = steps.iter().find(|s| s["name"].as_str() == Some(name)).unwrap_or_else(|| panic!("{file}: {name}"));
        let script = step["run"].as_str().unwrap();
        // An expression inside `run:` is pasted into the script before bash parses it:
        // text from the event (a branch name) would be code.
        assert!(!script.contains("${{"), "{file}: `{name}` takes values through env: only");
        let script_file = self.temp.path().join("step.sh");
        std::fs::write(&script_file, script).unwrap();
        let inputs = BTreeMap::new();
        let event_name = event.as_object().unwrap().keys().next().unwrap().clone();
        let cx = Context {
            inputs: &inputs,
            event_name: &event_name,
            payload: event,
            outputs,
            action: ("", ""),
            runner: ("", "", "", ""),
        };
        let mut cmd = Command::new("bash");
        // What a runner runs a `run:` step without `shell:` with.
        cmd.args(["--noprofile", "--norc", "-e"]).arg(&script_file).current_dir(dir);
        cmd.env("PATH", format!("{}:{}", self.gh_dir().join("bin").display(), std::env::var("PATH").unwrap()))
            .env("FAKE_GH_DIR", self.gh_dir())
            .env("GITHUB_REPOSITORY", "acme/shop");
        for (k, v) in step["env"].as_mapping().into_iter().flatten() {
            cmd.env(k.as_str().unwrap(), expand(v.as_str().unwrap(), &cx));
        }
        let out = cmd.output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code().unwrap(), text)
    }

    /// The comment workflow's steps after the download: the Action's `render` input (the
    /// binary's `render`, as the Action's Check step runs it, tested on its own below),
    /// then the step that posts.
    fn comment(&self, event: &serde_json::Value) -> (i32, String) {
        let json = self.work().join("incident-guard-report/report.json");
        let rendered = self.temp.path().join("rendered.md");
        let mut report = String::new();
        if json.exists() {
            let out = Command::new(BIN)
                .args(["render", &json.display().to_string(), "--format", "markdown", "--output"])
                .arg(&rendered)
                .output()
                .unwrap();
            if out.status.code().unwrap() <= 1 {
                report = rendered.display().to_string();
            }
        }
        let outputs = BTreeMap::from([("render".to_owned(), BTreeMap::from([("report".to_owned(), report)]))]);
        self.run_step("incident-guard-comment.yml", "Post or update the sticky comment", &self.work(), event, &outputs)
    }

    fn rendered(&self) -> String {
        std::fs::read_to_string(self.temp.path().join("rendered.md")).unwrap()
    }
}

#[test]
fn the_comment_workflow_downloads_what_the_pull_request_workflow_uploads() {
    let comment = example_steps("incident-guard-comment.yml");
    let download = &comment[0];
    assert!(download["uses"].as_str().unwrap().starts_with("actions/download-artifact@"));
    assert_eq!(download["with"]["name"].as_str(), Some("incident-guard-report"));
    assert_eq!(download["with"]["path"].as_str(), Some("incident-guard-report"));
    let pr = example_steps("incident-guard-pr.yml");
    let upload =
        pr.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/upload-artifact@"))).unwrap();
    assert_eq!(upload["with"]["name"].as_str(), Some("incident-guard-report"));
    assert_eq!(upload["with"]["path"].as_str(), Some("incident-guard-report/"));
    let workflow = example_workflow("incident-guard-comment.yml");
    assert_eq!(workflow["on"]["workflow_run"]["workflows"][0], example_workflow("incident-guard-pr.yml")["name"]);
}

#[test]
fn fork_pull_request_gets_its_comment_through_workflow_run() {
    let w = Workflows::new(shop_api());
    // The artifact as incident-guard-pr.yml makes it, from the JSON report of the Action.
    let report = w.temp.path().join("report.json");
    std::fs::write(&report, json_report("")).unwrap();
    let outputs =
        BTreeMap::from([("guard".to_owned(), BTreeMap::from([("json".to_owned(), report.display().to_string())]))]);
    let pull_request = serde_json::json!({ "pull_request": { "number": 7 } });
    let (status, out) = w.run_step(
        "incident-guard-pr.yml",
        "Keep the report for the comment workflow",
        &w.work(),
        &pull_request,
        &outputs,
    );
    assert_eq!(status, 0, "{out}");
    let uploaded: Vec<_> =
        std::fs::read_dir(w.work().join("incident-guard-report")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(uploaded, ["report.json"], "only the report travels");

    let (status, out) = w.comment(&workflow_run(FORK_SHA, "someone/shop-fork", "feature", &[]));
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("incident-guard: commented on pull request #7"), "{out}");
    let calls = w.calls();
    assert_eq!(calls.len(), 3, "{calls:#?}");
    assert!(
        calls[0].starts_with(
            "api --method GET --paginate repos/acme/shop/pulls -f state=open -f head=someone:feature --jq"
        ),
        "{calls:#?}"
    );
    assert!(calls[1].starts_with("api --paginate repos/acme/shop/issues/7/comments --jq"), "{calls:#?}");
    assert!(calls[2].starts_with("api --method POST repos/acme/shop/issues/7/comments -F body=@"), "{calls:#?}");
    // What is posted is what the tool rendered from the JSON report.
    let body = std::fs::read_to_string(w.gh_dir().join("body-3.md")).unwrap();
    assert_eq!(body, w.rendered());
    assert!(body.starts_with("<!-- incident-guard -->\n"), "{body}");
    assert!(body.contains("missing-regression-test"), "{body}");

    // An artifact of the older pull-request workflow, naming the same pull request, is fine.
    let w = Workflows::new(shop_api());
    w.artifact(&[("report.json", &json_report("")), ("pr-number", "7\n")]);
    let (status, out) = w.comment(&workflow_run(FORK_SHA, "someone/shop-fork", "feature", &[]));
    assert_eq!(status, 0, "{out}");
    assert_eq!(w.writes().len(), 1, "{:#?}", w.calls());
    assert!(w.writes()[0].starts_with("api --method POST repos/acme/shop/issues/7/comments"), "{:#?}", w.calls());
}

// incident: IG-2026-007
#[test]
fn hostile_artifact_cannot_retarget_the_comment() {
    // A fork's run wrote another pull request's number into the artifact, and the comment
    // workflow PATCHed that pull request's verdict comment with the fork's text.
    let w = Workflows::new(shop_api());
    w.artifact(&[("report.json", &json_report("")), ("pr-number", "8\n")]);
    let (status, out) = w.comment(&workflow_run(FORK_SHA, "someone/shop-fork", "feature", &[]));
    assert!(w.writes().is_empty(), "{:#?}", w.calls());
    assert_eq!(status, 1, "{out}");
    assert!(
        out.contains("::error title=incident-guard::the artifact names a different pull request from the one its run was for; no comment is written"),
        "{out}"
    );
    assert!(!w.calls().iter().any(|c| c.contains("/8")), "{:#?}", w.calls());
}

// incident: IG-2026-007
#[test]
fn comment_workflow_writes_nothing_unless_exactly_one_pull_request_has_the_runs_head() {
    // Every case carries a hostile artifact naming #8: the old workflow obeyed it.
    let report = json_report("");
    let hostile = [("report.json", report.as_str()), ("pr-number", "8")];
    let mut several = shop_api();
    several["GET repos/acme/shop/pulls?state=open&head=someone:feature"] =
        serde_json::json!([pull(7, FORK_SHA, "someone/shop-fork"), pull(9, FORK_SHA, "someone/shop-fork")]);
    let cases = [
        // Pushed to since the run: the head is another commit now.
        (
            "no open pull request",
            shop_api(),
            workflow_run("3333333333333333333333333333333333333333", "someone/shop-fork", "feature", &[]),
        ),
        // The victim's commit, but pushed from another fork: the head repository decides.
        ("no open pull request", shop_api(), workflow_run(VICTIM_SHA, "someone/shop-fork", "fix", &[])),
        // The fork's branch is open against two base branches.
        ("several open pull requests", several, workflow_run(FORK_SHA, "someone/shop-fork", "feature", &[])),
        // A listed pull request that is not the run's (GitHub lists same-named branches of
        // other repositories): confirmed, rejected, then nothing else matches.
        ("no open pull request", shop_api(), workflow_run(FORK_SHA, "someone/shop-fork", "nothing-here", &[8])),
        // No head repository (a deleted fork).
        ("names no head commit or head repository", shop_api(), workflow_run(FORK_SHA, "", "feature", &[])),
    ];
    for (why, api, event) in cases {
        let w = Workflows::new(api);
        w.artifact(&hostile);
        let (status, out) = w.comment(&event);
        assert!(w.writes().is_empty(), "{why}: {:#?}", w.calls());
        assert_eq!(status, 1, "{why}: {out}");
        assert!(out.contains("::error title=incident-guard::") && out.contains(why), "{why}: {out}");
        assert!(out.contains("no comment is written"), "{out}");
        assert!(!w.calls().iter().any(|c| c.contains("comments")), "{why}: {:#?}", w.calls());
    }
}

#[test]
fn listed_pull_request_is_confirmed_before_its_comment_is_updated() {
    // A branch of the repository itself: GitHub lists the pull request in the event.
    let w = Workflows::new(shop_api());
    w.artifact(&[("report.json", &json_report(""))]);
    let (status, out) = w.comment(&workflow_run(BRANCH_SHA, "acme/shop", "topic", &[5]));
    assert_eq!(status, 0, "{out}");
    let calls = w.calls();
    assert_eq!(calls.len(), 3, "{calls:#?}");
    assert!(calls[0].starts_with("api repos/acme/shop/pulls/5 --jq"), "{calls:#?}");
    assert!(calls[2].starts_with("api --method PATCH repos/acme/shop/issues/comments/55 -F body=@"), "{calls:#?}");

    // A listed number that is not the run's pull request: found by its head instead.
    let w = Workflows::new(shop_api());
    w.artifact(&[("report.json", &json_report(""))]);
    let (status, out) = w.comment(&workflow_run(FORK_SHA, "someone/shop-fork", "feature", &[8]));
    assert_eq!(status, 0, "{out}");
    assert_eq!(w.writes().len(), 1, "{:#?}", w.calls());
    assert!(w.writes()[0].starts_with("api --method POST repos/acme/shop/issues/7/comments"), "{:#?}", w.calls());
}

#[test]
fn comment_workflow_refuses_an_artifact_that_is_not_a_report() {
    let valid: serde_json::Value = serde_json::from_str(&json_report("")).unwrap();
    let mut wrong_version = valid.clone();
    wrong_version["version"] = serde_json::json!(99);
    let mut wrong_type = valid.clone();
    wrong_type["findings"][0]["line"] = serde_json::json!("two");
    let mut unknown_rule = valid;
    unknown_rule["findings"][0]["rule"] = serde_json::json!("all-good");
    let cases = [
        // The old artifact: the fork's own Markdown, which is never posted now.
        vec![("report.md", "<!-- incident-guard -->\n✅ no findings, all good\n".to_owned())],
        vec![("report.json", "<!-- incident-guard -->\n".to_owned())],
        vec![("report.json", wrong_version.to_string())],
        vec![("report.json", wrong_type.to_string())],
        vec![("report.json", unknown_rule.to_string())],
    ];
    for files in cases {
        let w = Workflows::new(shop_api());
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        w.artifact(&files);
        let (status, out) = w.comment(&workflow_run(FORK_SHA, "someone/shop-fork", "feature", &[]));
        assert_eq!(status, 1, "{files:?}: {out}");
        assert!(out.contains("::error title=incident-guard::the artifact is not an incident-guard report"), "{out}");
        assert!(w.calls().is_empty(), "{:#?}", w.calls());
    }
}

// incident: IG-2026-012
#[test]
fn the_comment_workflow_renders_the_forks_report_itself() {
    // The fork's run wrote a report whose text would mention a team, load a tracking
    // image, forge the marker, and whose summary says there is no error.
    let hostile =
        "Pool @acme/oncall <img src=https://t.example/p.png> ![x](https://t.example/x.png) <!-- incident-guard -->";
    let mut doc: serde_json::Value = serde_json::from_str(&json_report(hostile)).unwrap();
    doc["summary"]["errors"] = serde_json::json!(0);
    let w = Workflows::new(shop_api());
    w.artifact(&[("report.json", &doc.to_string())]);
    let (status, out) = w.comment(&workflow_run(FORK_SHA, "someone/shop-fork", "feature", &[]));
    assert_eq!(status, 0, "{out}");
    let body = std::fs::read_to_string(w.gh_dir().join("body-3.md")).unwrap();
    assert_eq!(body.matches("<!-- incident-guard -->").count(), 1, "{body}");
    assert!(!body.contains("@acme/oncall"), "{body}");
    assert!(!body.contains("<img"), "{body}");
    assert!(!body.contains("![x](https://"), "{body}");
    // The verdict comes from the findings, not from the summary.
    assert!(body.contains("1 error"), "{body}");
}

// incident: IG-2026-012
#[test]
fn the_actions_render_input_renders_a_report_and_checks_nothing() {
    let r = Runner::new();
    let report = r.temp.path().join("report.json");
    std::fs::write(&report, json_report("")).unwrap();
    let event = r.payload("someone/shop-fork");
    let run = r.run(&[("render", &report.display().to_string()), ("comment", "false")], "workflow_run", &event);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 0), "{}", run.stdout);
    let rendered = std::fs::read_to_string(&run.outputs["check"]["report"]).unwrap();
    assert!(rendered.starts_with("<!-- incident-guard -->\n"), "{rendered}");
    assert!(rendered.contains("missing-regression-test"), "{rendered}");
    // No check ran: no annotation, and the repository's own (clean) state is not reported.
    assert!(!run.stdout.contains("::error file="), "{}", run.stdout);
    // An invalid report is refused, and nothing is rendered.
    std::fs::write(&report, "{\"version\": 1, \"findings\": 3}").unwrap();
    let run = r.run(&[("render", &report.display().to_string()), ("comment", "false")], "workflow_run", &event);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 2), "{}", run.stdout);
    assert!(run.stdout.contains("is not a valid incident-guard JSON report"), "{}", run.stdout);
    assert!(!std::path::Path::new(&run.outputs["check"]["report"]).exists());
}

#[test]
fn test_results_go_to_the_check_whether_lines_or_spaces_apart() {
    let r = Runner::new();
    r.tree.file("tests/test_pay.py", "# incident: INC-1\ndef test_pay():\n    assert charge() == 1\n");
    let junit = |outcome: &str| {
        format!(
            "<testsuites name=\"pytest tests\"><testsuite name=\"pytest\"><testcase classname=\"tests.test_pay\" name=\"test_pay\">{outcome}</testcase></testsuite></testsuites>"
        )
    };
    r.tree.file("artifacts/junit-linux/junit.xml", junit("<failure message=\"assert 2 == 1\">assert 2 == 1</failure>"));
    r.tree.file("artifacts/junit-windows/junit.xml", junit("<failure message=\"assert 3 == 1\"/>"));
    let event = r.push_event();
    let run =
        r.run(&[("test-results", "artifacts/junit-linux/*.xml\n  artifacts/junit-windows/junit.xml")], "push", &event);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert!(run.stdout.contains("::error file=tests/test_pay.py,line=2,"), "{}", run.stdout);
    assert!(run.stdout.contains("title=linked-test-failed::test `tests/test_pay.py::test_pay`, linked to INC-1, failed in `artifacts/junit-linux/junit.xml`: `assert 2 == 1`"), "{}", run.stdout);
    let report = std::fs::read_to_string(&run.outputs["check"]["report"]).unwrap();
    assert!(report.contains("test results: 2 files"), "{report}");
    // A pattern that matches nothing is no pass.
    let run = r.run(&[("test-results", "artifacts/junit-macos/*.xml")], "push", &event);
    let status = run.outputs.get("check").and_then(|o| o.get("status"));
    assert_eq!(status.map(String::as_str), Some("2"), "{:?}\n{}", run.statuses, run.stdout);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 2), "{}", run.stdout);
    assert!(run.stdout.contains("--test-results `artifacts/junit-macos/*.xml` matches no file"), "{}", run.stdout);
}

#[test]
fn the_test_results_workflow_checks_what_every_test_job_uploads() {
    let workflow = example_workflow("incident-guard-test-results.yml");
    let test_steps = workflow["jobs"]["test"]["steps"].as_sequence().unwrap();
    let upload = test_steps
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/upload-artifact@")))
        .unwrap();
    assert!(upload["with"]["name"].as_str().unwrap().starts_with("junit-"));
    assert_eq!(upload["if"].as_str(), Some("${{ !cancelled() }}"), "a failing test job still uploads its report");
    let guard = &workflow["jobs"]["incident-guard"];
    assert_eq!(guard["needs"].as_str(), Some("test"));
    assert_eq!(guard["if"].as_str(), Some("${{ !cancelled() }}"), "the check runs when a test job failed");
    let steps = guard["steps"].as_sequence().unwrap();
    let download =
        steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/download-artifact@"))).unwrap();
    assert_eq!(download["with"]["pattern"].as_str(), Some("junit-*"));
    let dir = download["with"]["path"].as_str().unwrap();
    let action = steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("incident-guard/"))).unwrap();
    let results = action["with"]["test-results"].as_str().unwrap();
    assert!(results.starts_with(&format!("{dir}/")), "the Action reads what was downloaded: {results}");
}

#[test]
fn verify_changed_runs_the_links_the_pull_request_adds_and_reports_them() {
    let r = Runner::new();
    let t = &r.tree;
    let test = |extra: &str| format!("{CART_TEST}{extra}");
    let event = cart_with_its_fix(&r, NODE_TEST, &[("test/cart.test.mjs", &test(""))]);
    t.file(
        "test/cart.test.mjs",
        test("// incident: INC-1\nit('counts nothing as zero', () => { assert.equal(total([]), 0); });\n"),
    );
    t.commit("Another test for INC-1");

    let run = r.run(&[("verify", "changed")], "pull_request", &event);
    assert_eq!(run.outputs["verify"]["status"], "1", "{}", run.stdout);
    // The check ran before any test and found nothing; the test that does not catch its
    // incident fails the job in the verdict, from verify's report, with its annotation.
    assert_eq!(run.outputs["check"]["status"], "0", "{}", run.stdout);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert!(run.stdout.contains("::error file=test/cart.test.mjs,line=7"), "{}", run.stdout);
    assert!(run.stdout.contains("linked-test-does-not-catch"), "{}", run.stdout);
    let report = std::fs::read_to_string(&run.outputs["check"]["report"]).unwrap();
    assert!(report.starts_with("<!-- incident-guard -->\n"), "{report}");
    // The comment is the check's report with verify's outcomes below it.
    let body = std::fs::read_to_string(r.gh_dir.join("body-3.md"))
        .or_else(|_| std::fs::read_to_string(r.gh_dir.join("body-2.md")))
        .unwrap_or_else(|_| panic!("a comment: {:?}", r.calls()));
    assert!(body.starts_with(&report), "{body}");
    assert!(body.contains("#### Regression tests verified"), "{body}");
    assert!(body.contains("| INC-1 | `test/cart.test.mjs::counts nothing as zero` | **does-not-catch**"), "{body}");
    assert_eq!(body.matches("<!-- incident-guard -->").count(), 1);
    // Only the link the pull request adds ran, and the Action records no proof: the lock
    // file is the developer's, written by `verify --record` and reviewed in the diff.
    assert!(!t.path().join("postmortems/verified.lock").exists());

    // Without the input, no test runs.
    let run = r.run(&[], "pull_request", &event);
    assert_eq!(run.outputs["verify"]["status"], "0");
    assert!(!run.stdout.contains("Regression tests verified"), "{}", run.stdout);
    let run = r.run(&[("verify", "all")], "pull_request", &event);
    assert_eq!(run.statuses.last().unwrap(), &("Verify the changed links".to_owned(), 2), "{}", run.stdout);
}

// incident: IG-2026-014
#[test]
fn verify_changed_shows_the_lines_to_commit_and_uploads_them_as_an_artifact() {
    let r = Runner::new();
    let t = &r.tree;
    let event = cart_with_its_fix(&r, NODE_TEST, &[("test/cart.test.mjs", CART_TEST)]);
    let base = t.git(&["rev-parse", "HEAD"]).trim().to_owned();
    t.file("test/more.test.mjs", CART_TEST.replace("counts an item once", "counts a pair once"));
    t.commit("Another test for INC-1");

    let run = r.run(&[("verify", "changed")], "pull_request", &event);
    assert_eq!(run.outputs["verify"]["status"], "0", "{}", run.stdout);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 0), "{}", run.stdout);
    // The artifact is what `verify --record` writes for the same links, byte for byte.
    let proofs = PathBuf::from(&run.outputs["verify"]["proofs"]);
    let artifact =
        std::fs::read_to_string(r.temp.path().join("artifacts/incident-guard-proofs/verified.lock")).unwrap();
    assert_eq!(std::fs::read_to_string(&proofs).unwrap(), artifact);
    let out = t.run(&["verify", "--changed", "--base", &base, "--record"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let recorded = std::fs::read_to_string(t.path().join("postmortems/verified.lock")).unwrap();
    assert_eq!(artifact, recorded);
    assert_eq!(artifact.matches("[[proof]]").count(), 1, "only the link the pull request adds: {artifact}");
    // The job summary and the comment show its lines to commit.
    let entries = &artifact[artifact.find("[[proof]]").unwrap()..];
    let summary = std::fs::read_to_string(r.temp.path().join("summary.md")).unwrap();
    assert!(summary.contains("**Proofs to keep.**") && summary.contains(entries.trim_end()), "{summary}");
    let body = std::fs::read_to_string(r.gh_dir.join("body-3.md"))
        .or_else(|_| std::fs::read_to_string(r.gh_dir.join("body-2.md")))
        .unwrap_or_else(|_| panic!("a comment: {:?}", r.calls()));
    assert!(body.contains(entries.trim_end()), "{body}");
    assert!(entries.contains("test = \"test/more.test.mjs::counts a pair once\"\n"), "{entries}");
    assert!(entries.contains("outcome = \"caught\"\n"), "{entries}");

    // Without a name, no artifact; the lines are still shown.
    std::fs::remove_dir_all(r.temp.path().join("artifacts")).unwrap();
    std::fs::remove_file(t.path().join("postmortems/verified.lock")).unwrap();
    let run = r.run(&[("verify", "changed"), ("proofs-artifact", "")], "pull_request", &event);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 0), "{}", run.stdout);
    assert!(!r.temp.path().join("artifacts").exists());
    let summary = std::fs::read_to_string(r.temp.path().join("summary.md")).unwrap();
    assert!(summary.contains(entries.trim_end()), "{summary}");
}

#[test]
fn the_history_walk_is_kept_between_jobs_with_actions_cache() {
    let r = Runner::new();
    let closed = "\n[[action_items]]\nid = \"A1\"\ntitle = \"Add a retry\"\nowner = \"@o\"\nstatus = \"closed\"\n";
    r.tree.file("postmortems/inc-2.md", postmortem("INC-2", closed));
    let first = r.tree.commit("Add a retry (INC-2#A1)");
    let history_keys = |r: &Runner| -> Vec<String> {
        r.cache_keys().into_iter().filter(|k| k.starts_with("incident-guard-history-")).collect()
    };
    let run = r.run(&[], "push", &r.push_event());
    assert!(run.statuses.contains(&("Check".to_owned(), 0)), "{}", run.stdout);
    let keys = history_keys(&r);
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with(&format!("incident-guard-history-Linux-{first}-")), "{keys:?}");
    let saved = r.temp.path().join("cache").join(&keys[0]).join("incident-guard-history.json");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    assert_eq!(doc["entries"][0]["tip"], first.as_str());

    // The next job restores it (by the key's prefix), reads the new commit, and saves both.
    r.next_job();
    let second = r.tree.commit("Unrelated");
    let run = r.run(&[], "push", &r.push_event());
    assert!(run.statuses.contains(&("Check".to_owned(), 0)), "{}", run.stdout);
    let keys = history_keys(&r);
    assert_eq!(keys.len(), 2, "{keys:?}");
    let newest = keys.iter().find(|k| k.contains(&second)).expect("saved under the new HEAD");
    let saved = r.temp.path().join("cache").join(newest).join("incident-guard-history.json");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    let tips: Vec<&str> = doc["entries"].as_array().unwrap().iter().map(|e| e["tip"].as_str().unwrap()).collect();
    assert_eq!(tips, [second.as_str(), first.as_str()], "the restored entry was read and kept");

    // Off: nothing restored, nothing saved. Anything else: refused.
    r.next_job();
    r.tree.commit("Another");
    let run = r.run(&[("history-cache", "false")], "push", &r.push_event());
    assert!(run.statuses.contains(&("Check".to_owned(), 0)), "{}", run.stdout);
    assert_eq!(history_keys(&r).len(), 2);
    assert!(!r.runner_temp().join("incident-guard-history").exists());
    let run = r.run(&[("history-cache", "yes")], "push", &r.push_event());
    assert_eq!(run.statuses.last().unwrap(), &("Check".to_owned(), 2), "{}", run.stdout);
    assert!(run.stdout.contains("history-cache must be `true` or `false`, not `yes`"), "{}", run.stdout);
}

/// A linked test that attacks the job it runs in, in the JavaScript a pull request could
/// commit: it finds the runner's files from its ancestors' environments (readable under
/// `/proc` by the same user), replaces the incident-guard binary that runs it when
/// `replace_binary`, appends to the step's `GITHUB_ENV`, `GITHUB_OUTPUT`, `GITHUB_PATH`
/// and summary, plants a file in the history cache, and leaves a `setsid -f` daemon
/// that keeps writing `BASH_ENV` into every command file it can find. Then it passes.
fn hostile_test(daemon_pid: &Path, marker: &str, replace_binary: bool) -> String {
    let pid_file = daemon_pid.display();
    format!(
        r#"import {{ it }} from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {{ spawnSync }} from 'node:child_process';

function ancestors() {{
  const out = [];
  let pid = process.pid;
  while (pid > 1) {{
    let stat;
    try {{ stat = fs.readFileSync(`/proc/${{pid}}/stat`, 'utf8'); }} catch {{ break; }}
    const env = {{}};
    try {{ env.exe = fs.readlinkSync(`/proc/${{pid}}/exe`).replace(/ \(deleted\)$/, ''); }} catch {{}}
    try {{
      for (const kv of fs.readFileSync(`/proc/${{pid}}/environ`, 'utf8').split('\0')) {{
        const i = kv.indexOf('=');
        if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
      }}
    }} catch {{}}
    out.push(env);
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }}
  return out;
}}

// incident: INC-1
it('counts an item once', () => {{
  // Workflow commands, as the runner would obey them in the job log.
  const forged = ['::add-mask::incident-guard', '::stop-commands::hostile', '::error file=forged.rs::FORGED annotation', '  ##[error]FORGED legacy'];
  for (const line of forged) {{
    console.log(line);
    console.error(line);
  }}
  fs.writeFileSync('last-words.txt', forged.join('\n') + '\n');
  const up = ancestors();
  const named = (k) => up.map((e) => e[k]).find(Boolean);
  const attempt = (f) => {{ try {{ f(); }} catch {{}} }};
  const temp = named('RUNNER_TEMP') || os.tmpdir();
  const evil = path.join(temp, 'evil.sh');
  fs.writeFileSync(evil, 'exit 0\n');
  const fakes = path.join(temp, 'evil-bin');
  fs.mkdirSync(fakes, {{ recursive: true }});
  fs.writeFileSync(path.join(fakes, 'sha256sum'), '#!/bin/sh\necho forged\n', {{ mode: 0o755 }});
  // The incident-guard binary among the ancestors (node --test runs the file in a child
  // of its own, so it is not always the parent), and only that one, in RUNNER_TEMP.
  if ({replace_binary}) attempt(() => {{
    const exe = up.map((e) => e.exe).find((x) => x && path.basename(x) === 'incident-guard' && x.startsWith(temp + '/'));
    if (!exe) return;
    fs.writeFileSync(exe + '.new', '#!/bin/sh\necho "incident-guard: 0 errors, 0 warnings"\nexit 0\n', {{ mode: 0o755 }});
    fs.renameSync(exe + '.new', exe);
  }});
  const append = (k, text) => attempt(() => {{ const f = named(k); if (f) fs.appendFileSync(f, text); }});
  append('GITHUB_ENV', `BASH_ENV=${{evil}}\n`);
  append('GITHUB_OUTPUT', 'status=0\ntampered=\nreport=/dev/null\n');
  append('GITHUB_PATH', `${{fakes}}\n`);
  append('GITHUB_STEP_SUMMARY', 'FORGED: no findings\n');
  attempt(() => {{
    fs.mkdirSync(path.join(temp, 'incident-guard-history'), {{ recursive: true }});
    fs.writeFileSync(path.join(temp, 'incident-guard-history', 'planted.json'), '{{}}');
  }});
  const dir = path.dirname(named('GITHUB_ENV') || temp);
  spawnSync('setsid', ['-f', 'sh', '-c',
    `: {marker}; echo started > '{pid_file}'; while :; do for f in '${{dir}}'/env*; do echo 'BASH_ENV=${{evil}}' >> "$f"; done; sleep 0.1; done`],
    {{ stdio: 'ignore' }});
}});
"#
    )
}

/// `[verify]`'s JavaScript command that runs one test with node's own runner.
const NODE_TEST: &str = "[\"node\", \"--test\", \"--test-name-pattern\", \"{title_regex}\", \"{file}\"]";

/// A linked test of INC-1 that catches the cart's bug.
const CART_TEST: &str = "import { it } from 'node:test';\nimport assert from 'node:assert';\nimport { total } from '../src/cart.mjs';\n// incident: INC-1\nit('counts an item once', () => { assert.equal(total(['a', 'a']), 1); });\n";

/// The runner's repository with a cart that counts an item twice, its fix with `tests`,
/// and INC-1 naming the fix, verified with the JavaScript `command`; then on the branch
/// `feature` of the pull request whose event it returns.
fn cart_with_its_fix(r: &Runner, command: &str, tests: &[(&str, &str)]) -> PathBuf {
    let t = &r.tree;
    t.file("incident-guard.toml", format!("[verify]\njavascript = {command}\n{LINTS_OFF}"));
    t.file("src/cart.mjs", "export function total(items) { return items.length; }\n");
    t.commit("cart");
    t.file("src/cart.mjs", "export function total(items) { return new Set(items).size; }\n");
    for (path, text) in tests {
        t.file(path, text);
    }
    let fix = t.commit("Count each item once");
    t.file("postmortems/inc-1.md", postmortem("INC-1", &format!("fix_commits = [\"{fix}\"]\n")));
    t.commit("INC-1 names its fix");
    let event = r.payload("acme/shop");
    t.git(&["checkout", "-q", "-b", "feature"]);
    event
}

/// A pull request that removes one linked test and edits another into `hostile_test`;
/// the payload of its event, the file its daemon writes once started, and the marker in
/// the daemon's command line.
fn hostile_pull_request(r: &Runner, replace_binary: bool) -> (PathBuf, PathBuf, String) {
    let t = &r.tree;
    // The repository's command prints, after node's summary, what the test left in
    // `last-words.txt`: so that the last lines verify keeps (and shows) are the test's.
    let command = "[\"sh\", \"-c\", \"node --test --test-name-pattern \\\"$1\\\" \\\"$2\\\"; s=$?; cat last-words.txt 2>/dev/null; exit $s\", \"sh\", \"{title_regex}\", \"{file}\"]";
    let guard = CART_TEST.replace("counts an item once", "keeps the guard");
    let event = cart_with_its_fix(r, command, &[("test/cart.test.mjs", CART_TEST), ("test/guard.test.mjs", &guard)]);
    t.remove("test/guard.test.mjs");
    let pid_file = r.temp.path().join("daemon.pid");
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let marker =
        format!("hostile-daemon-{}-{}", std::process::id(), N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    t.file("test/cart.test.mjs", hostile_test(&pid_file, &marker, replace_binary));
    t.commit("Tidy the cart tests");
    (event, pid_file, marker)
}

/// The hostile test ran and started its daemon, and the daemon is gone.
fn assert_no_daemon(pid_file: &Path, marker: &str, stdout: &str) {
    assert!(pid_file.exists(), "the hostile test ran and started its daemon\n{stdout}");
    let left = processes_with(marker);
    for pid in &left {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    assert!(left.is_empty(), "the daemons {left:?} the verified test started survived the step\n{stdout}");
}

/// No line of the job log is a workflow command the hostile test printed: each is inside
/// a `::stop-commands::` block whose token the test could not know, or behind a gutter.
fn assert_no_workflow_command_from_the_test(log: &str, shown: bool) {
    // Where verify's report is shown, the test's last lines are in the log, for this to
    // mean something.
    assert_eq!(log.contains("FORGED annotation"), shown, "{log}");
    let mut stopped: Option<String> = None;
    for line in log.lines() {
        let trimmed = line.trim_start();
        if let Some(token) = &stopped {
            if trimmed == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        if let Some(token) = trimmed.strip_prefix("::stop-commands::") {
            assert_ne!(token, "hostile", "the test's own stop-commands was obeyed:\n{log}");
            stopped = Some(token.to_owned());
            continue;
        }
        let command = trimmed.starts_with("::") || trimmed.starts_with("##[");
        assert!(
            !(command && (line.contains("FORGED") || line.contains("add-mask"))),
            "a workflow command from the test: {line}\n{log}"
        );
    }
}

/// A runner on which verify cannot make PID namespaces (as on GitHub's Ubuntu 24.04
/// runners, which restrict unprivileged user namespaces): the test can then see its
/// ancestors, and only the Action's own defences stand.
fn runner_without_namespaces() -> Runner {
    let mut r = Runner::new();
    r.how.env.push(("INCIDENT_GUARD_NO_NAMESPACE".to_owned(), "1".to_owned()));
    r.how.env.push(("INCIDENT_GUARD_NO_SUDO".to_owned(), "1".to_owned()));
    r
}

/// A runner whose user may not make user namespaces but may use sudo, as GitHub's
/// hosted Ubuntu 24.04 runners: the Action makes verify's PID namespace with sudo.
fn runner_with_sudo() -> Runner {
    assert!(
        Command::new("sudo").args(["-n", "true"]).status().is_ok_and(|s| s.success()),
        "these tests need sudo without a password (.ci/run installs it; run as root or give the user NOPASSWD)"
    );
    let mut r = Runner::new();
    r.how.env.push(("INCIDENT_GUARD_NO_NAMESPACE".to_owned(), "1".to_owned()));
    r
}

// incident: IG-2026-012
#[test]
fn a_hostile_verified_test_cannot_turn_the_verdict_green() {
    let r = runner_without_namespaces();
    let (event, pid_file, marker) = hostile_pull_request(&r, true);
    let run = r.run(&[("verify", "changed")], "pull_request", &event);
    let out = &run.stdout;
    assert_no_daemon(&pid_file, &marker, out);
    // The check ran first, and its verdict stands: the removed test is an error.
    assert_eq!(run.outputs["check"]["status"], "1", "{out}");
    assert!(out.contains("title=linked-test-removed::file test/guard.test.mjs was deleted"), "{out}");
    // The swap of the binary is seen, and fails the job on its own.
    assert!(out.contains("the incident-guard binary was changed while the pull request's tests ran"), "{out}");
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 2), "{out}");
    // Nothing the test wrote to the step's command files reached a later step.
    assert!(!run.env.contains_key("BASH_ENV"), "{:?}", run.env);
    assert_eq!(run.outputs["verify"].get("tampered").map(String::as_str), Some("binary"), "{:?}", run.outputs);
    assert_no_workflow_command_from_the_test(out, false);
    assert!(run.outputs["verify"]["report"].ends_with("verify.json"), "{:?}", run.outputs);
    let summary = std::fs::read_to_string(r.temp.path().join("summary.md")).unwrap();
    assert!(!summary.contains("FORGED: no findings"), "{summary}");
    assert!(summary.contains("<!-- incident-guard -->"), "{summary}");
    // The comment was posted, and says what the check found.
    let bodies: Vec<String> = std::fs::read_dir(&r.gh_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("body-"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(bodies.len(), 1, "{out}");
    assert!(bodies[0].contains("linked-test-removed"), "{}", bodies[0]);
    assert!(bodies[0].contains("the incident-guard binary was changed"), "{}", bodies[0]);
    assert!(!bodies[0].contains("no findings"), "{}", bodies[0]);
    // The history cache was saved before the test ran.
    for key in r.cache_keys().iter().filter(|k| k.starts_with("incident-guard-history-")) {
        assert!(!r.temp.path().join("cache").join(key).join("planted.json").exists(), "{key}");
    }
}

// incident: IG-2026-012
#[test]
fn a_verified_test_that_leaves_the_binary_alone_still_cannot_lower_the_verdict() {
    let r = runner_without_namespaces();
    let (event, pid_file, marker) = hostile_pull_request(&r, false);
    let run = r.run(&[("verify", "changed")], "pull_request", &event);
    let out = &run.stdout;
    assert_no_daemon(&pid_file, &marker, out);
    assert_no_workflow_command_from_the_test(out, true);
    assert_eq!(run.outputs["check"]["status"], "1", "{out}");
    assert_eq!(run.outputs["verify"].get("tampered").map(String::as_str), Some(""), "{out}");
    assert!(!run.env.contains_key("BASH_ENV"), "{:?}", run.env);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{out}");
    // verify's outcome, rendered by the tool from its JSON report, is in the comment.
    let body = std::fs::read_dir(&r.gh_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("body-"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .expect("a comment");
    assert!(body.contains("linked-test-removed"), "{body}");
    assert!(body.contains("#### Regression tests verified"), "{body}");
    let summary = std::fs::read_to_string(r.temp.path().join("summary.md")).unwrap();
    assert!(summary.contains("#### Regression tests verified") && !summary.contains("FORGED: no"), "{summary}");
    // The test's summary line did not reach it; its output is there, behind the gutter.
    assert!(!body.contains("FORGED: no findings"), "{body}");
    assert!(body.contains("│ ::error file=forged.rs::FORGED annotation"), "{body}");
}

// incident: IG-2026-012
#[test]
fn in_a_pid_namespace_the_hostile_test_sees_nothing_of_the_job() {
    // Where verify can make namespaces, the test does not even see its ancestors: it finds
    // neither the binary nor the runner's files, and its daemon dies with its run.
    if incident_guard::verify::process::namespace_prefix().is_empty() {
        panic!(
            "this machine cannot make user and PID namespaces with unshare; the tests need it (or run them as root)"
        );
    }
    let r = Runner::new();
    let (event, pid_file, marker) = hostile_pull_request(&r, true);
    let run = r.run(&[("verify", "changed")], "pull_request", &event);
    let out = &run.stdout;
    assert_no_daemon(&pid_file, &marker, out);
    assert_no_workflow_command_from_the_test(out, true);
    assert_eq!(run.outputs["check"]["status"], "1", "{out}");
    assert_eq!(run.outputs["verify"].get("tampered").map(String::as_str), Some(""), "{out}");
    assert!(!run.env.contains_key("BASH_ENV"), "{:?}", run.env);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{out}");
}

// incident: IG-2026-012
#[test]
fn a_test_that_kills_verify_fails_the_job_before_any_step_holds_a_token() {
    // Without PID namespaces, a test can kill the verify process itself, and then what it
    // left running is nobody's child: the Action must not go on to the step that holds
    // the token.
    let r = runner_without_namespaces();
    let run = killer_pull_request(&r);
    assert_eq!(run.statuses.last().unwrap(), &("Verify the changed links".to_owned(), 2), "{}", run.stdout);
    assert!(run.stdout.contains("No later step of incident-guard runs, and the job fails"), "{}", run.stdout);
    assert!(run.stdout.contains("no PID namespace could be made for the tests"), "{}", run.stdout);
    // No comment step ran: the token was never in a step's environment after the test.
    assert!(!r.calls().iter().any(|c| c.contains("comments")), "{:?}", r.calls());
    assert!(run.leftovers > 0, "the test did kill verify and leave its daemon (else this test means nothing)");
}

// incident: IG-2026-012
#[test]
fn with_sudo_verify_is_the_init_of_its_own_pid_namespace_and_cannot_be_stopped() {
    // Where user namespaces are restricted but sudo is there (GitHub's Ubuntu 24.04), the
    // same test finds no verify to kill, and its daemon ends with verify.
    let r = runner_with_sudo();
    let run = killer_pull_request(&r);
    assert!(run.stdout.contains("verify runs in a PID namespace of its own (made with sudo)"), "{}", run.stdout);
    assert_eq!(run.leftovers, 0, "{}", run.stdout);
    // verify ran to its end (the test passes either way: does-not-catch).
    assert_eq!(run.outputs["verify"]["status"], "1", "{}", run.stdout);
    assert!(run.stdout.contains("does-not-catch"), "{}", run.stdout);
    assert_eq!(run.statuses.last().unwrap(), &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert!(r.calls().iter().any(|c| c.contains("--method POST")), "{:?}", r.calls());
}

struct KillerRun {
    statuses: Vec<(String, i32)>,
    stdout: String,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    leftovers: usize,
}

/// The hostile pull request with a linked test that starts a daemon and kills the
/// incident-guard process it finds among its ancestors; run with `verify: changed`.
fn killer_pull_request(r: &Runner) -> KillerRun {
    let (event, _, _) = hostile_pull_request(r, false);
    let marker = format!("killer-daemon-{}", std::process::id());
    let t = &r.tree;
    t.file(
        "test/cart.test.mjs",
        format!(
            r#"import {{ it }} from 'node:test';
import fs from 'node:fs';
import {{ spawnSync }} from 'node:child_process';
// incident: INC-1
it('counts an item once', () => {{
  spawnSync('setsid', ['-f', 'sh', '-c', ': {marker}; sleep 30'], {{ stdio: 'ignore' }});
  let pid = process.pid;
  while (pid > 1) {{
    const stat = fs.readFileSync(`/proc/${{pid}}/stat`, 'utf8');
    let exe = '';
    try {{ exe = fs.readlinkSync(`/proc/${{pid}}/exe`); }} catch {{}}
    if (exe.endsWith('/incident-guard')) {{ process.kill(pid, 'SIGKILL'); break; }}
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }}
}});
"#
        ),
    );
    t.commit("A test that kills its runner");
    let run = r.run(&[("verify", "changed")], "pull_request", &event);
    // The daemon had a moment to start; whatever is left is killed here, after counting.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let leftovers = processes_with(&marker);
    for pid in &leftovers {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    assert_eq!(run.outputs["check"]["status"], "1", "{}", run.stdout);
    KillerRun { statuses: run.statuses, stdout: run.stdout, outputs: run.outputs, leftovers: leftovers.len() }
}
