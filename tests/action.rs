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
                for (k, v) in env {
                    let value = self.expand(v.as_str().unwrap(), &input_values, event_name, &payload, &run.outputs);
                    cmd.env(k.as_str().unwrap(), value);
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

    /// Evaluates the `${{ … }}` expressions the action uses; any other expression fails
    /// the test, so the action cannot grow one this test does not understand.
    fn expand(
        &self,
        text: &str,
        inputs: &BTreeMap<String, String>,
        event_name: &str,
        payload: &serde_json::Value,
        outputs: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("closed expression") + start;
            let expr = rest[start + 3..end].trim();
            let value = if let Some(name) = expr.strip_prefix("inputs.") {
                let raw = inputs.get(name).unwrap_or_else(|| panic!("unknown input {name}"));
                self.expand(raw, inputs, event_name, payload, outputs)
            } else if expr == "github.token" {
                "fake-token".to_owned()
            } else if expr == "github.action_ref" {
                String::new()
            } else if expr == "github.event_name" {
                event_name.to_owned()
            } else if let Some(path) = expr.strip_prefix("github.event.") {
                let pointer = format!("/{}", path.replace('.', "/"));
                match payload.pointer(&pointer) {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(v) if !v.is_null() => v.to_string(),
                    _ => String::new(),
                }
            } else if let Some(rest) = expr.strip_prefix("steps.") {
                let (id, name) = rest.split_once(".outputs.").expect("steps.ID.outputs.NAME");
                outputs.get(id).and_then(|o| o.get(name)).cloned().unwrap_or_default()
            } else {
                panic!("the action uses an expression this test does not evaluate: {expr}");
            };
            out.push_str(&value);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }
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
    assert_eq!(run.statuses.len(), 6, "every run step ran:\n{}", run.stdout);
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
