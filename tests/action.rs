//! Runs the shell steps of `action.yml` itself — extracted from the file, so the test and
//! the action cannot drift — against a fixture repository, with a fake `gh` on `PATH`
//! that records its calls and a fake GitHub event payload.

mod common;
use common::*;
use serde_yaml::Value as Yaml;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn action() -> Yaml {
    serde_yaml::from_str(&std::fs::read_to_string(repo_root().join("action.yml")).unwrap()).unwrap()
}

const FAKE_GH: &str = r#"#!/usr/bin/env bash
# Records every call; answers like the GitHub API would for a GITHUB_TOKEN.
dir="$FAKE_GH_DIR"
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

struct Runner {
    tree: Tree,
    temp: tempfile::TempDir,
    gh_dir: PathBuf,
}

struct Run {
    /// Exit status of each step that ran, by name.
    statuses: Vec<(String, i32)>,
    stdout: String,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
}

impl Runner {
    fn new() -> Runner {
        let tree = Tree::new();
        tree.init_git();
        tree.file("postmortems/inc-1.md", postmortem("INC-1", ""));
        tree.file("custom.toml", format!("{LINTS_OFF}missing-regression-test = \"warning\"\n"));
        tree.commit("initial");
        let temp = tempfile::tempdir().unwrap();
        // A cached build: the build step must find it and skip `cargo install`.
        let bin = temp.path().join("runner/incident-guard/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy(BIN, bin.join("incident-guard")).unwrap();
        let gh_dir = temp.path().join("gh");
        std::fs::create_dir_all(gh_dir.join("bin")).unwrap();
        let gh = gh_dir.join("bin/gh");
        std::fs::write(&gh, FAKE_GH).unwrap();
        Command::new("chmod").arg("+x").arg(&gh).status().unwrap();
        std::fs::write(gh_dir.join("calls.log"), "").unwrap();
        Runner { tree, temp, gh_dir }
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.gh_dir.join("calls.log")).unwrap().lines().map(str::to_owned).collect()
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

    /// Runs every `run:` step of the action in order, as a runner would, stopping at the
    /// first failing step.
    fn run(&self, inputs: &[(&str, &str)], event_name: &str, event: &Path) -> Run {
        self.run_skipping(inputs, event_name, event, &[])
    }

    /// `run`, leaving out the named steps: to show that a later step holds on its own.
    fn run_skipping(&self, inputs: &[(&str, &str)], event_name: &str, event: &Path, skip: &[&str]) -> Run {
        let action = action();
        let runner_temp = self.temp.path().join("runner");
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
        let mut run = Run { statuses: Vec::new(), stdout: String::new(), outputs: BTreeMap::new() };
        let path = format!("{}:{}", self.gh_dir.join("bin").display(), std::env::var("PATH").unwrap());
        for (i, step) in action["runs"]["steps"].as_sequence().unwrap().iter().enumerate() {
            let name = step["name"].as_str().unwrap_or("").to_owned();
            if skip.contains(&name.as_str()) {
                continue;
            }
            if let Some(uses) = step["uses"].as_str() {
                assert!(uses.starts_with("actions/cache@"), "unexpected action {uses}");
                continue;
            }
            let script = step["run"].as_str().expect("a run step");
            assert_eq!(step["shell"].as_str(), Some("bash"));
            let output_file = self.temp.path().join(format!("output-{i}"));
            std::fs::write(&output_file, "").unwrap();
            let script_file = self.temp.path().join(format!("step-{i}.sh"));
            std::fs::write(&script_file, script).unwrap();
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"]).arg(&script_file).current_dir(self.tree.path());
            cmd.env("PATH", &path)
                .env("GITHUB_ACTION_PATH", repo_root())
                .env("GITHUB_WORKSPACE", self.tree.path())
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("GITHUB_EVENT_PATH", event)
                .env("GITHUB_EVENT_NAME", event_name)
                .env("GITHUB_REPOSITORY", "acme/shop")
                .env("GITHUB_ACTIONS", "true")
                .env("RUNNER_TEMP", &runner_temp)
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64")
                .env("FAKE_GH_DIR", &self.gh_dir)
                .env("NO_COLOR", "1");
            if let Some(env) = step["env"].as_mapping() {
                let cx = Context { inputs: &input_values, event_name, payload: &payload, outputs: &run.outputs };
                for (k, v) in env {
                    cmd.env(k.as_str().unwrap(), expand(v.as_str().unwrap(), &cx));
                }
            }
            let out = cmd.output().unwrap();
            run.stdout.push_str(&String::from_utf8_lossy(&out.stdout));
            run.stdout.push_str(&String::from_utf8_lossy(&out.stderr));
            if let Some(id) = step["id"].as_str() {
                let text = std::fs::read_to_string(&output_file).unwrap();
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
}

/// What the `${{ … }}` expressions of a step can see.
struct Context<'a> {
    inputs: &'a BTreeMap<String, String>,
    event_name: &'a str,
    payload: &'a serde_json::Value,
    outputs: &'a BTreeMap<String, BTreeMap<String, String>>,
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
            String::new()
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
        assert_eq!(value, format!("${{{{ steps.check.outputs.{} }}}}", name.as_str().unwrap()));
    }
}

#[test]
fn first_run_posts_the_comment_second_run_updates_it() {
    let r = Runner::new();
    let event = r.payload("acme/shop");
    let sarif = r.temp.path().join("out.sarif");
    let run = r.run(&[("sarif-file", sarif.to_str().unwrap())], "pull_request", &event);
    let last = run.statuses.last().unwrap();
    assert_eq!(last, &("Verdict".to_owned(), 1), "{}", run.stdout);
    assert_eq!(run.statuses.len(), 7, "every run step ran:\n{}", run.stdout);
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

    let run = r.run(&[], "pull_request", &event);
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
    let run = r.run(&[], "pull_request", &event);
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
        .find(|s| s["id"].as_str() == Some("key"))
        .expect("a step with id key");
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
    let cx = Context { inputs: &inputs, event_name: "push", payload: &payload, outputs: &outputs };
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"]).arg(&script).current_dir(temp.path());
    cmd.env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()))
        .env("GITHUB_ACTION_PATH", action_dir)
        .env("GITHUB_OUTPUT", &output)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64");
    for (k, v) in step["env"].as_mapping().unwrap() {
        cmd.env(k.as_str().unwrap(), expand(v.as_str().unwrap(), &cx));
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&output).unwrap();
    let key = text.strip_prefix("key=").and_then(|k| k.strip_suffix('\n')).unwrap_or_else(|| panic!("{text}"));
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
const REPORT: &str = "<!-- incident-guard -->\n❌ 1 error\n";

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
        let cx = Context { inputs: &inputs, event_name: &event_name, payload: event, outputs };
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

    fn comment(&self, event: &serde_json::Value) -> (i32, String) {
        self.run_step(
            "incident-guard-comment.yml",
            "Post or update the sticky comment",
            &self.work(),
            event,
            &BTreeMap::new(),
        )
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
    // The artifact as incident-guard-pr.yml makes it, from the report of the Action.
    let report = w.temp.path().join("report.md");
    std::fs::write(&report, REPORT).unwrap();
    let outputs =
        BTreeMap::from([("guard".to_owned(), BTreeMap::from([("report".to_owned(), report.display().to_string())]))]);
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
    assert_eq!(uploaded, ["report.md"], "only the report travels");

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
    assert_eq!(std::fs::read_to_string(w.gh_dir().join("body-3.md")).unwrap(), REPORT);

    // An artifact of the older pull-request workflow, naming the same pull request, is fine.
    let w = Workflows::new(shop_api());
    w.artifact(&[("report.md", REPORT), ("pr-number", "7\n")]);
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
    w.artifact(&[("report.md", "<!-- incident-guard -->\n✅ no findings, all good\n"), ("pr-number", "8\n")]);
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
    let hostile = [("report.md", REPORT), ("pr-number", "8")];
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
    w.artifact(&[("report.md", REPORT)]);
    let (status, out) = w.comment(&workflow_run(BRANCH_SHA, "acme/shop", "topic", &[5]));
    assert_eq!(status, 0, "{out}");
    let calls = w.calls();
    assert_eq!(calls.len(), 3, "{calls:#?}");
    assert!(calls[0].starts_with("api repos/acme/shop/pulls/5 --jq"), "{calls:#?}");
    assert!(calls[2].starts_with("api --method PATCH repos/acme/shop/issues/comments/55 -F body=@"), "{calls:#?}");

    // A listed number that is not the run's pull request: found by its head instead.
    let w = Workflows::new(shop_api());
    w.artifact(&[("report.md", REPORT)]);
    let (status, out) = w.comment(&workflow_run(FORK_SHA, "someone/shop-fork", "feature", &[8]));
    assert_eq!(status, 0, "{out}");
    assert_eq!(w.writes().len(), 1, "{:#?}", w.calls());
    assert!(w.writes()[0].starts_with("api --method POST repos/acme/shop/issues/7/comments"), "{:#?}", w.calls());
}

#[test]
fn comment_workflow_refuses_an_artifact_that_is_not_a_report() {
    let w = Workflows::new(shop_api());
    w.artifact(&[("report.md", "<!-- something else -->\n")]);
    let (status, out) = w.comment(&workflow_run(FORK_SHA, "someone/shop-fork", "feature", &[]));
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("::error title=incident-guard::the artifact is not an incident-guard report"), "{out}");
    assert!(w.calls().is_empty(), "{:#?}", w.calls());
}
