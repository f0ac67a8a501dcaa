//! The reference under `docs/` against what it documents: the JSON Schema validates the
//! real binary's output (and rejects broken documents), every rule has a section with an
//! example, every config, postmortem and Action key is documented, and every link in the
//! project's Markdown resolves inside the repository. Documentation that drifts from the
//! code fails here, not in a user's pipeline.

mod common;
use common::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

// ---------------------------------------------------------------------------------------
// The JSON Schema

fn schema() -> Value {
    serde_json::from_str(&read("docs/report.schema.json")).expect("docs/report.schema.json is JSON")
}

fn build(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .expect("the schema compiles")
}

/// The whole schema (a `oneOf` of the four documents).
fn validator() -> jsonschema::Validator {
    build(&schema())
}

/// The schema narrowed to one of its documents: `checkReport`, `listDocument`,
/// `showDocument` or `verifyReport`.
fn validator_for(def: &str) -> jsonschema::Validator {
    let mut s = schema();
    let map = s.as_object_mut().unwrap();
    assert!(map.remove("oneOf").is_some(), "the schema's top level is a oneOf");
    map.insert("$ref".into(), json!(format!("#/$defs/{def}")));
    build(&s)
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

/// `doc` is valid against the whole schema and against the definition `def`, and only
/// against that one.
fn assert_valid(doc: &Value, def: &str, what: &str) {
    let all = errors(&validator(), doc);
    assert!(all.is_empty(), "{what}: {all:#?}\n{doc:#}");
    for other in ["checkReport", "listDocument", "showDocument", "verifyReport"] {
        let errs = errors(&validator_for(other), doc);
        if other == def {
            assert!(errs.is_empty(), "{what} against {other}: {errs:#?}");
        } else {
            assert!(!errs.is_empty(), "{what} also matches {other}");
        }
    }
}

/// Runs the binary in `dir` and parses what it prints as JSON.
fn run_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .output()
        .expect("run incident-guard");
    let text = String::from_utf8_lossy(&out.stdout);
    let doc = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}\nstderr: {}", stderr(&out)));
    (out.status.code().unwrap_or(-1), doc)
}

fn rules_of(doc: &Value) -> BTreeSet<String> {
    doc["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn schema_is_a_valid_2020_12_schema_naming_every_rule() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    jsonschema::meta::validate(&s).expect("valid against the 2020-12 meta-schema");
    let codes: Vec<&str> = incident_guard::rules::Rule::ALL.iter().map(|r| r.code()).collect();
    let enumerated: Vec<&str> =
        s["$defs"]["rule"]["enum"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(enumerated, codes, "the schema's rule codes are the registry's, in its order");
    assert_eq!(s["$defs"]["version"]["const"], json!(incident_guard::report::JSON_VERSION));
}

#[test]
fn bundled_example_output_matches_the_schema() {
    let root = repo_root();
    let example = "examples/checkout-service";
    for git in [&[][..], &["--no-git"][..]] {
        let with = |args: &[&'static str]| [args, git].concat();
        let (code, doc) = run_json(&root, &with(&["check", example, "--format", "json", "--today", "2026-12-01"]));
        assert_eq!(code, 1, "the example reports one error");
        assert_valid(&doc, "checkReport", "check on the example");
        assert!(rules_of(&doc).contains("missing-regression-test"), "{doc:#}");
        assert_eq!(doc["incidents"].as_array().unwrap().len(), 4);

        let (code, doc) = run_json(&root, &with(&["list", example, "--format", "json"]));
        assert_eq!(code, 0);
        assert_valid(&doc, "listDocument", "list on the example");

        for id in ["INC-2026-001", "INC-2026-004"] {
            let (code, doc) = run_json(&root, &with(&["show", id, example, "--format", "json"]));
            assert_eq!(code, 0);
            assert_valid(&doc, "showDocument", &format!("show {id} on the example"));
            assert_eq!(doc["incident"]["id"], id);
        }
    }
}

const RETRY: &str = "// incident: INC-2024-001\n#[test]\nfn retries_reuse_the_key() {\n    let gateway = Gateway::timing_out_first(2);\n    let key = charge_with_retries(&gateway).unwrap();\n    assert_eq!(gateway.keys_seen(), vec![key.clone(), key.clone(), key]);\n}\n";

/// A git repository whose feature branch sets off most rules at once: a linked test
/// deleted, one moved, one ignored, one excluded by the config, one in a file cargo never
/// compiles, markers that are unknown, invalid or on a helper, a broken and a duplicate
/// postmortem, and action items with and without commits behind them.
fn busy_repository() -> (Tree, String, String) {
    let t = Tree::new();
    t.init_git();
    t.file("Cargo.toml", "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    t.file("src/lib.rs", "pub fn charge() {}\n");
    t.file("tests/removed.rs", "// incident: INC-2024-001\n#[test]\nfn charge_is_idempotent() { assert!(true); }\n");
    t.file("tests/moved.rs", RETRY);
    t.file("tests/ignored.rs", "// incident: INC-2024-001\n#[test]\nfn refund_once() {}\n");
    t.file("tests/excluded.rs", "// incident: INC-2024-001\n#[test]\nfn capture_once() {}\n");
    t.file("postmortems/2024/INC-2024-001.md", postmortem("INC-2024-001", "severity = \"SEV2\"\n"));
    let initial = t.commit("initial");
    t.file("src/lib.rs", "pub fn charge() {}\npub fn retry() {}\n");
    let fix = t.commit("Retry with the same idempotency key\n\nPostmortem-Action: INC-2024-001#A1");
    let items = format!(
        "severity = \"SEV2\"\n\
         [[action_items]]\nid = \"A1\"\ntitle = \"Retry with the same key\"\nowner = \"@payments\"\ndue = 2024-04-01\nstatus = \"closed\"\nkind = \"prevent\"\n\
         [[action_items]]\nid = \"A2\"\ntitle = \"Keep the pool bounded\"\nowner = \"@platform\"\nstatus = \"closed\"\ncommits = [\"{}\"]\n\
         [[action_items]]\nid = \"A3\"\ntitle = \"Alert on duplicate captures\"\nowner = \"@sre\"\nstatus = \"closed\"\nkind = \"detect\"\n\
         [[action_items]]\nid = \"A4\"\ntitle = \"Document the retry policy\"\nowner = \"@payments\"\ndue = 2024-04-01\nstatus = \"in-progress\"\nkind = \"process\"\n",
        &initial[..10]
    );
    t.file("postmortems/2024/INC-2024-001.md", postmortem("INC-2024-001", &items));
    t.file(
        "postmortems/2024/INC-2024-002.md",
        postmortem("INC-2024-002", "status = \"review\"\ntest_waiver = \"The fault was in the provider's datacentre; nothing we run could catch it.\"\npaths = [\"src/**\", \"src/gone/**\"]\n"),
    );
    t.file("postmortems/2024/INC-2024-003.md", postmortem("INC-2024-003", "status = \"draft\"\n"));
    t.commit("postmortems");
    t.git(&["checkout", "-q", "-b", "feature"]);

    t.file("tests/removed.rs", "#[test]\nfn charges_once() {}\n");
    t.file("src/lib.rs", "pub fn charge() {}\npub fn retry() { /* bounded */ }\n");
    t.remove("tests/moved.rs");
    t.file("tests/retries.rs", RETRY);
    t.file("tests/ignored.rs", "// incident: INC-2024-001\n#[test]\n#[ignore]\nfn refund_once() {}\n");
    t.file("incident-guard.toml", format!("exclude = [\"tests/excluded.rs\"]\n{LINTS_OFF}"));
    t.file("tests/unknown.rs", "// incident: INC-2024-099\n#[test]\nfn unknown() {}\n");
    t.file("tests/invalid.rs", "// incident: INC#1\n#[test]\nfn invalid() {}\n");
    t.file("tests/helpers.rs", "// incident: INC-2024-001\nfn helper() {}\n");
    t.file("tests/conditional.rs", "// incident: INC-2024-001\n#[test]\n#[cfg(unix)]\nfn on_unix() {}\n");
    t.file("tests/off/lost.rs", "// incident: INC-2024-001\n#[test]\nfn lost() {}\n");
    t.file(
        "postmortems/2024/broken.md",
        "+++\nid = \"INC-2024-004\"\ntitle = \"Broken\"\ndate = \"2024-01-01\"\n+++\n",
    );
    t.file("postmortems/2024/zz-duplicate.md", postmortem("INC-2024-002", ""));
    t.commit("feature work");
    (t, initial, fix)
}

#[test]
fn busy_repository_output_matches_the_schema() {
    let (t, initial, fix) = busy_repository();
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_valid(&doc, "checkReport", "check on the busy repository");

    let rules = rules_of(&doc);
    for rule in [
        "linked-test-removed",
        "linked-test-moved",
        "linked-test-ignored",
        "linked-test-not-compiled",
        "linked-test-skipped-conditionally",
        "config-weakened",
        "unknown-incident",
        "invalid-marker",
        "marker-on-non-test",
        "invalid-postmortem",
        "duplicate-incident-id",
        "action-item-without-commit",
        "overdue-action-item",
        "touches-incident-code",
        "incident-code-not-found",
    ] {
        assert!(rules.contains(rule), "{rule} missing from {rules:?}");
    }
    // The fields that are optional are present somewhere, so the schema saw them.
    assert_eq!(doc["base"]["source"], "merge-base");
    assert_eq!(doc["base"]["commit"].as_str().unwrap(), t.git(&["rev-parse", "main"]).trim());
    assert!(doc["base"].get("is_head").is_none(), "{doc:#}");
    let incident = |id: &str| doc["incidents"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    let items = incident("INC-2024-001")["action_items"].clone();
    assert_eq!(items[0]["commits"], json!([fix]), "A1 is evidenced by its trailer");
    assert_eq!(items[1]["commits"], json!([initial]), "A2 by its `commits` entry");
    assert_eq!(items[2]["commits"], json!([]));
    let linked = incident("INC-2024-001")["linked_tests"].clone();
    assert!(
        linked.as_array().unwrap().iter().any(|l| l["test"] == "tests/ignored.rs::refund_once" && l["ignored"] == true)
    );
    assert!(incident("INC-2024-002")["test_waiver"].is_string());
    // The evidence of the closed items is the incident's fix: A1's commit, and A2's
    // `commits` entry, the root commit, all of whose files (less tests, and less the
    // manifest, which is no incident's code unless its `paths` say so) it added.
    let by = |c: &str| json!({ "kind": "fix-commit", "commit": c });
    assert_eq!(
        incident("INC-2024-001")["files"],
        json!([
            { "path": "incident-guard.toml", "sources": [by(&initial)] },
            { "path": "src/lib.rs", "sources": [by(&fix), by(&initial)] },
        ]),
    );
    assert_eq!(incident("INC-2024-002")["files"][0]["sources"], json!([{ "kind": "paths", "pattern": "src/**" }]));
    assert!(incident("INC-2024-004").get("date").is_none(), "the broken postmortem is an incident without a date");
    assert!(doc["findings"].as_array().unwrap().iter().any(|f| f.get("test").is_some()));

    let (_, list) = run_json(t.path(), &["list", "--format", "json"]);
    assert_valid(&list, "listDocument", "list on the busy repository");
    for id in ["INC-2024-001", "INC-2024-004"] {
        let (_, show) = run_json(t.path(), &["show", id, "--format", "json"]);
        assert_valid(&show, "showDocument", &format!("show {id} on the busy repository"));
        assert!(!show["findings"].as_array().unwrap().is_empty(), "{show:#}");
    }
}

#[test]
fn output_outside_git_matches_the_schema() {
    // Not a repository, history not turned off: history-skipped notes without a path.
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() {}\n");
    let (code, doc) = run_json(t.path(), &["check", "--format", "json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_valid(&doc, "checkReport", "check outside git");
    assert!(doc.get("base").is_none());
    let notes = of_rule(&doc, "history-skipped");
    assert_eq!(notes.len(), 2, "{doc:#}");
    assert!(notes.iter().all(|f| f.get("path").is_none()));
}

/// A small document that the schema accepts, to break one field at a time.
fn good_report() -> Value {
    json!({
        "version": 1,
        "base": { "rev": "main", "source": "merge-base", "commit": "0123456789abcdef0123456789abcdef01234567", "reason": "0123456789ab, the merge base of HEAD and main" },
        "findings": [{
            "rule": "linked-test-removed", "level": "error", "incident": "INC-1", "test": "tests/a.rs::a",
            "message": "test `tests/a.rs::a`, linked to INC-1, was deleted",
            "path": "postmortems/a.md", "line": 2, "column": 6, "help": "restore it",
            "fingerprint": "0123456789abcdef", "baseline": "new"
        }],
        "fixed": [{
            "rule": "missing-regression-test", "level": "error", "incident": "INC-1",
            "message": "incident INC-1 (Checkout down) has no regression test", "fingerprint": "fedcba9876543210"
        }],
        "fail_on": "new",
        "incidents": [{
            "id": "INC-1", "title": "Checkout down", "status": "published", "severity": "SEV1", "date": "2024-03-05",
            "path": "postmortems/a.md", "line": 2, "tests": [], "linked_tests": [],
            "files": [
                { "path": "src/db/pool.rs", "sources": [{ "kind": "paths", "pattern": "src/db/**" }, { "kind": "fix-commit", "commit": "0123456789abcdef0123456789abcdef01234567", "path": "src/pool.rs" }] },
                { "path": "src/old.rs", "gone": true, "sources": [{ "kind": "fix-commit", "commit": "0123456789abcdef0123456789abcdef01234567" }] }
            ],
            "action_items": [{ "id": "A1", "title": "Add the test", "owner": "@team", "status": "closed", "due": "2024-04-01", "kind": "prevent", "commits": ["0123456789abcdef0123456789abcdef01234567"] }]
        }],
        "summary": { "incidents": 1, "linked_tests": 0, "errors": 1, "warnings": 0, "notes": 0, "new_errors": 1, "new_warnings": 0, "fixed": 1 }
    })
}

/// One way to break a document.
type Breakage = fn(&mut Value);

#[test]
fn schema_rejects_broken_documents() {
    let v = validator();
    assert_eq!(errors(&v, &good_report()), Vec::<String>::new());
    let breakages: Vec<(&str, Breakage)> = vec![
        ("a finding without `rule`", |d| {
            d["findings"][0].as_object_mut().unwrap().remove("rule");
        }),
        ("a finding without `message`", |d| {
            d["findings"][0].as_object_mut().unwrap().remove("message");
        }),
        ("an unknown level", |d| d["findings"][0]["level"] = json!("fatal")),
        ("a level in capitals", |d| d["findings"][0]["level"] = json!("Error")),
        ("an unknown rule", |d| d["findings"][0]["rule"] = json!("no-such-rule")),
        ("a line of 0", |d| d["findings"][0]["line"] = json!(0)),
        ("a fingerprint that is not 16 hex digits", |d| d["findings"][0]["fingerprint"] = json!("/home/me/x")),
        ("an unknown baseline state", |d| d["findings"][0]["baseline"] = json!("absent")),
        ("an unknown `fail_on`", |d| d["fail_on"] = json!("some")),
        ("a summary without `new_errors`", |d| {
            d["summary"].as_object_mut().unwrap().remove("new_errors");
        }),
        ("a line as a string", |d| d["findings"][0]["line"] = json!("2")),
        ("a column without a line", |d| {
            d["findings"][0].as_object_mut().unwrap().remove("line");
        }),
        ("a field the format does not have", |d| d["findings"][0]["severity"] = json!("high")),
        ("null for an absent field", |d| d["findings"][0]["help"] = Value::Null),
        ("another version", |d| d["version"] = json!(2)),
        ("no summary", |d| {
            d.as_object_mut().unwrap().remove("summary");
        }),
        ("a negative count", |d| d["summary"]["errors"] = json!(-1)),
        ("an unknown base source", |d| d["base"]["source"] = json!("guess")),
        ("`is_head: false` (absent instead)", |d| d["base"]["is_head"] = json!(false)),
        ("a short base commit", |d| d["base"]["commit"] = json!("0123456")),
        ("an unknown incident status", |d| d["incidents"][0]["status"] = json!("done")),
        ("a date that is not a date", |d| d["incidents"][0]["date"] = json!("2024-02-30")),
        ("an incident ID with a space", |d| d["incidents"][0]["id"] = json!("INC 1")),
        ("an unknown action-item status", |d| d["incidents"][0]["action_items"][0]["status"] = json!("done")),
        ("an unknown action-item kind", |d| d["incidents"][0]["action_items"][0]["kind"] = json!("fix")),
        ("evidence that is not a SHA", |d| d["incidents"][0]["action_items"][0]["commits"] = json!(["abc"])),
        ("a linked test without `ignored`", |d| {
            d["incidents"][0]["linked_tests"] = json!([{ "test": "tests/a.rs::a", "path": "tests/a.rs", "line": 3 }])
        }),
        ("an incident without `files`", |d| {
            d["incidents"][0].as_object_mut().unwrap().remove("files");
        }),
        ("a file without sources", |d| d["incidents"][0]["files"][0]["sources"] = json!([])),
        ("`gone: false` (absent instead)", |d| d["incidents"][0]["files"][1]["gone"] = json!(false)),
        ("an unknown kind of file source", |d| {
            d["incidents"][0]["files"][0]["sources"][0] = json!({ "kind": "blame", "pattern": "src/db/**" })
        }),
        ("a fix commit that is not a SHA", |d| d["incidents"][0]["files"][1]["sources"][0]["commit"] = json!("abc")),
        ("a pattern on a fix-commit source", |d| d["incidents"][0]["files"][1]["sources"][0]["pattern"] = json!("x")),
        ("a list document with findings", |d| {
            d.as_object_mut().unwrap().remove("summary");
        }),
        ("a show document with a list of incidents", |d| {
            *d = json!({ "version": 1, "incident": d["incidents"][0].clone(), "incidents": [], "findings": [] })
        }),
    ];
    for (what, breakage) in breakages {
        let mut doc = good_report();
        breakage(&mut doc);
        assert!(!errors(&v, &doc).is_empty(), "the schema accepts {what}: {doc:#}");
    }
}

// ---------------------------------------------------------------------------------------
// Rules, config keys, postmortem keys and the Action's inputs

/// The body of the section that starts with the line `heading`, up to the next heading
/// of the same or a higher level outside code blocks.
fn section<'a>(text: &'a str, heading: &str) -> Option<&'a str> {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let (mut offset, mut start, mut fence) = (0, None, false);
    for line in text.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        if l.trim_start().starts_with("```") {
            fence = !fence;
        }
        match start {
            Some(s) if !fence => {
                let n = l.chars().take_while(|c| *c == '#').count();
                if n > 0 && n <= level && l[n..].starts_with(' ') {
                    return Some(&text[s..offset]);
                }
            }
            None if l == heading => start = Some(offset + line.len()),
            _ => {}
        }
        offset += line.len();
    }
    start.map(|s| &text[s..])
}

#[test]
fn every_rule_has_a_section_with_a_real_looking_example() {
    let doc = read("docs/rules.md");
    for rule in incident_guard::rules::Rule::ALL {
        let (code, level) = (rule.code(), rule.default_level().as_str());
        let body = section(&doc, &format!("### `{code}`"))
            .unwrap_or_else(|| panic!("docs/rules.md has no `### `{code}`` section"));
        // An opt-in rule is off until the config gives it a level: its example shows it at
        // the level its section suggests.
        let (stated, table) = if rule.opt_in() {
            (format!("Default level: **off**; opt in with `{code} = \"{level}\"`"), "off")
        } else {
            (format!("Default level: **{level}**."), level)
        };
        assert!(body.contains(&stated), "{code}: the section states another default level ({stated:?})");
        let example = format!("```text\n{level}[{code}]: ");
        assert!(body.contains(&example), "{code}: no example finding as the human format prints it ({example:?})");
        assert!(
            doc.contains(&format!("| [`{code}`](#{code}) | {table} |")),
            "{code}: missing from the summary table, or with another level"
        );
    }
    // Every rule section names a rule that exists.
    for line in doc.lines().filter(|l| l.starts_with("### `")) {
        let code = line.trim_start_matches("### `").trim_end_matches('`');
        assert!(
            incident_guard::rules::Rule::from_code(code).is_some(),
            "docs/rules.md documents `{code}`, which is no rule"
        );
    }
}

/// The findings of `rule` in what the human format printed: the blocks between blank
/// lines that start with `level[rule]:`.
fn diagnostics<'a>(printed: &'a str, rule: &str) -> Vec<&'a str> {
    printed
        .split("\n\n")
        .filter(|b| ["error", "warning", "note"].iter().any(|l| b.starts_with(&format!("{l}[{rule}]: "))))
        .map(|b| b.trim_end())
        .collect()
}

#[test]
fn rule_examples_are_what_the_binary_prints() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg(repo_root().join("scripts/rule-examples.sh"))
        .args([Path::new(BIN), out.path()])
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_ACTIONS")
        .status()
        .expect("run scripts/rule-examples.sh");
    assert!(status.success());
    let doc = read("docs/rules.md");
    for rule in incident_guard::rules::Rule::ALL {
        let code = rule.code();
        let printed = std::fs::read_to_string(out.path().join(format!("{code}.txt")))
            .unwrap_or_else(|e| panic!("scripts/rule-examples.sh made no example for {code}: {e}"));
        let found = diagnostics(&printed, code);
        assert!(!found.is_empty(), "{code}: the example repository sets off no {code} finding:\n{printed}");
        let body = section(&doc, &format!("### `{code}`")).unwrap();
        for block in found {
            assert!(
                body.contains(&format!("\n{block}\n")),
                "{code}: docs/rules.md does not show this finding as the binary prints it:\n{block}"
            );
        }
    }
}

/// The strings of `const NAME: &[&str] = &[…];` in a source file.
fn const_list(source: &str, name: &str) -> Vec<String> {
    let re = regex::Regex::new(&format!(r"(?s)const {name}: &\[&str\] = &\[(.*?)\];")).unwrap();
    let body = re.captures(source).unwrap_or_else(|| panic!("no const {name}"))[1].to_owned();
    let strings = regex::Regex::new(r#""([^"]*)""#).unwrap();
    strings.captures_iter(&body).map(|c| c[1].to_owned()).collect()
}

#[test]
fn every_config_key_is_documented() {
    let keys = const_list(&read("src/config.rs"), "KEYS");
    assert!(keys.len() >= 13 && keys.contains(&"guard_change_reason".to_owned()), "{keys:?}");
    let doc = read("docs/config.md");
    for key in &keys {
        let heading = [format!("### `{key}`"), format!("## `[{key}]`")];
        assert!(
            heading.iter().any(|h| doc.lines().any(|l| l == h)),
            "docs/config.md has no section for the config key `{key}`"
        );
    }
    for name in incident_guard::config::LANGUAGE_NAMES {
        assert!(doc.contains(&format!("`{name}`")), "docs/config.md does not name the language `{name}`");
        assert!(read("docs/markers.md").contains(&format!("(`{name}`)")), "docs/markers.md lacks `{name}`");
    }
    assert!(section(&doc, "## Config changes").is_some_and(|s| s.contains("guard_change_reason")));
}

#[test]
fn every_postmortem_key_is_documented() {
    let source = read("src/postmortem.rs");
    let doc = read("docs/postmortems.md");
    for (list, heading) in
        [("KEYS", "## Keys"), ("ITEM_KEYS", "## Action items"), ("RETIRED_KEYS", "## `retired_tests`")]
    {
        let keys = const_list(&source, list);
        assert!(!keys.is_empty());
        let body = section(&doc, heading).unwrap_or_else(|| panic!("docs/postmortems.md has no {heading:?}"));
        for key in keys {
            assert!(
                body.lines().any(|l| l.starts_with(&format!("| `{key}` |"))),
                "docs/postmortems.md, {heading:?}: no row for `{key}` ({list})"
            );
        }
    }
}

#[test]
fn every_action_input_and_output_is_documented() {
    let action: serde_yaml::Value = serde_yaml::from_str(&read("action.yml")).unwrap();
    let doc = read("docs/action.md");
    for (key, heading) in [("inputs", "## Inputs"), ("outputs", "## Outputs")] {
        let names: Vec<&str> = action[key].as_mapping().unwrap().keys().map(|k| k.as_str().unwrap()).collect();
        assert!(!names.is_empty());
        let body = section(&doc, heading).unwrap_or_else(|| panic!("docs/action.md has no {heading:?}"));
        for name in names {
            assert!(
                body.lines().any(|l| l.starts_with(&format!("| `{name}` |"))),
                "docs/action.md: no row for `{name}`"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Links

/// The project's Markdown that users read: the READMEs and the reference.
fn markdown_files() -> Vec<String> {
    let mut files: Vec<String> =
        ["README.md", "postmortems/README.md", "tests/README.md"].iter().map(|s| (*s).to_owned()).collect();
    fn walk(root: &Path, dir: &Path, keep: &dyn Fn(&str) -> bool, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    walk(root, &path, keep, out);
                }
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                if keep(&rel) {
                    out.push(rel);
                }
            }
        }
    }
    let root = repo_root();
    walk(&root, &root.join("examples"), &|rel| rel.ends_with("/README.md"), &mut files);
    walk(&root, &root.join("docs"), &|rel| rel.ends_with(".md"), &mut files);
    files.sort();
    files
}

/// `text` without fenced code blocks and code spans, where nothing is a link.
fn prose_of(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let t = line.trim_start();
        let marker: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        match &fence {
            Some(open) if marker.len() >= open.len() && marker.starts_with(&open[..1]) && t.trim() == marker => {
                fence = None
            }
            Some(_) => {}
            None if marker.len() >= 3 && (marker.chars().all(|c| c == '`') || marker.chars().all(|c| c == '~')) => {
                fence = Some(marker)
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    // Code spans: a run of n backticks up to the next run of exactly n.
    let chars: Vec<char> = out.chars().collect();
    let mut result = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            result.push(chars[i]);
            i += 1;
            continue;
        }
        let n = chars[i..].iter().take_while(|c| **c == '`').count();
        let mut j = i + n;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let m = chars[j..].iter().take_while(|c| **c == '`').count();
                if m == n {
                    close = Some(j);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                result.extend(chars[i..j + n].iter().map(|c| if *c == '\n' { '\n' } else { ' ' }));
                i = j + n;
            }
            None => {
                result.extend(&chars[i..i + n]);
                i += n;
            }
        }
    }
    result
}

/// Every link target in a Markdown text: inline links and images, and reference
/// definitions.
fn link_targets(text: &str) -> Vec<String> {
    let prose = prose_of(text);
    let inline = regex::Regex::new(r"\]\(\s*(?:<([^>]*)>|([^)\s]+))").unwrap();
    let reference = regex::Regex::new(r"(?m)^ {0,3}\[[^\]]+\]:\s*(?:<([^>]*)>|(\S+))").unwrap();
    inline
        .captures_iter(&prose)
        .chain(reference.captures_iter(&prose))
        .map(|c| c.get(1).or_else(|| c.get(2)).unwrap().as_str().to_owned())
        .collect()
}

/// GitHub's anchor for a heading: lower case, letters, digits, `-` and `_` kept, spaces
/// become `-`, everything else dropped; repeated anchors get `-1`, `-2`, ….
fn anchors(text: &str) -> BTreeSet<String> {
    let link = regex::Regex::new(r"\[([^\]]*)\]\([^)]*\)").unwrap();
    let mut seen = BTreeSet::new();
    let mut fence = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
            continue;
        }
        let level = t.chars().take_while(|c| *c == '#').count();
        if fence || level == 0 || level > 6 || !t[level..].starts_with(' ') || line.len() - t.len() > 3 {
            continue;
        }
        let title = t[level..].trim().trim_end_matches('#').trim();
        let title = link.replace_all(title, "$1").replace('`', "");
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        let mut anchor = slug.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{slug}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

/// Lexically resolves `target` against the directory `from` (both repository-relative);
/// `None` when it climbs out of the repository.
fn resolve(from: &Path, target: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in from.join(target).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(p) => out.push(p),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What is wrong with one link target in `file`, if anything.
fn check_link(root: &Path, file: &str, target: &str) -> Option<String> {
    let scheme = regex::Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*:").unwrap();
    if scheme.is_match(target) {
        // Web addresses are fine; a file URL (or a Windows drive) points off the repository.
        let lower = target.to_ascii_lowercase();
        let web = ["http:", "https:", "mailto:"].iter().any(|s| lower.starts_with(s));
        return (!web).then(|| format!("`{target}` is not a web address nor a path in the repository"));
    }
    if target.starts_with('/') || target.starts_with('\\') {
        return Some(format!("`{target}` is an absolute path; link relatively inside the repository"));
    }
    let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
    let dir = Path::new(file).parent().unwrap_or(Path::new(""));
    let rel = if path.is_empty() {
        PathBuf::from(file)
    } else {
        match resolve(dir, &percent_decode(path)) {
            Some(rel) => rel,
            None => return Some(format!("`{target}` leads out of the repository")),
        }
    };
    let abs = root.join(&rel);
    if !abs.exists() {
        return Some(format!("`{target}`: {} does not exist", rel.display()));
    }
    if !fragment.is_empty() && rel.extension().is_some_and(|e| e == "md") {
        let headings = anchors(&std::fs::read_to_string(&abs).unwrap());
        if !headings.contains(fragment) {
            return Some(format!("`{target}`: {} has no heading with the anchor #{fragment}", rel.display()));
        }
    }
    None
}

#[test]
fn anchors_follow_github() {
    let a = anchors(
        "# Rules\n## `config-weakened`\n### `[sla_days]`\n## Output and exit status\n## Rules\n```\n# not a heading\n```\n## The `+++` front matter\n",
    );
    let want = ["rules", "config-weakened", "sla_days", "output-and-exit-status", "rules-1", "the--front-matter"];
    assert_eq!(a, want.iter().map(|s| (*s).to_owned()).collect());
}

#[test]
fn link_checker_catches_what_it_should() {
    let root = repo_root();
    let bad = |target: &str| check_link(&root, "docs/rules.md", target);
    assert_eq!(bad("config.md#config-changes"), None);
    assert_eq!(bad("#linked-test-removed"), None);
    assert_eq!(bad("../README.md#exit-status"), None);
    assert_eq!(bad("https://example.com/x"), None);
    assert!(bad("config.md#no-such-heading").unwrap().contains("no heading"));
    assert!(bad("no-such-page.md").unwrap().contains("does not exist"));
    assert!(bad("../../elsewhere/page.md").unwrap().contains("out of the repository"));
    assert!(bad("/etc/passwd").unwrap().contains("absolute"));
    assert!(bad("file:///etc/passwd").is_some());
    let text = "[a](x.md) `[b](y.md)` [c]: z.md\n```\n[d](w.md)\n```\n``code [e](v.md)\nspan``";
    assert_eq!(link_targets(text), ["x.md"]);
    assert_eq!(link_targets("[ref]: refs.md\n[<a b>](<a b.md>)"), ["a b.md", "refs.md"]);
}

#[test]
fn every_markdown_link_resolves_inside_the_repository() {
    let root = repo_root();
    let files = markdown_files();
    for must in ["README.md", "docs/README.md", "docs/rules.md", "examples/workflows/README.md"] {
        assert!(files.iter().any(|f| f == must), "{must} is not walked: {files:?}");
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        for target in link_targets(&read(file)) {
            checked += 1;
            if let Some(p) = check_link(&root, file, &target) {
                problems.push(format!("{file}: {p}"));
            }
        }
    }
    assert!(checked > 50, "only {checked} links found: the link parser is broken");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn docs_and_readme_link_each_other() {
    let readme = read("README.md");
    let index = read("docs/README.md");
    for page in ["postmortems", "markers", "rules", "config", "output", "json", "action", "security"] {
        assert!(readme.contains(&format!("](docs/{page}.md)")), "README.md does not link docs/{page}.md");
        assert!(index.contains(&format!("]({page}.md)")), "docs/README.md does not link {page}.md");
    }
    assert!(readme.contains("](docs/report.schema.json)"));
}

#[test]
fn nothing_refers_to_a_file_outside_the_repository() {
    // Built from parts, so that this file does not contain what it looks for.
    let needles = [["..", "/shared"].concat(), ["SPEC", ".md"].concat(), ["SPEC", " §"].concat()];
    let root = repo_root();
    let mut found = Vec::new();
    fn walk(root: &Path, dir: &Path, needles: &[String], found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" && name != ".git" {
                    walk(root, &path, needles, found);
                }
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                for n in needles {
                    if text.contains(n.as_str()) {
                        found.push(format!("{}: {n}", path.strip_prefix(root).unwrap().display()));
                    }
                }
            }
        }
    }
    walk(&root, &root, &needles, &mut found);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn output_with_test_results_matches_the_schema() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file(
        "tests/test_a.py",
        "# incident: INC-1\ndef test_a():\n    pass\n\n# incident: INC-1\ndef test_b():\n    pass\n",
    );
    t.file(
        "junit.xml",
        "<testsuites name=\"pytest tests\"><testsuite name=\"pytest\"><testcase classname=\"tests.test_a\" name=\"test_a\"><failure message=\"boom\"/></testcase></testsuite></testsuites>",
    );
    let with = ["--no-git", "--format", "json", "--test-results", "junit.xml"];
    let (code, doc) = run_json(t.path(), &[&["check"][..], &with].concat());
    assert_eq!(code, 1);
    assert_valid(&doc, "checkReport", "check with test results");
    assert_eq!(doc["test_results"]["files"], json!(["junit.xml"]));
    assert_eq!((doc["test_results"]["failed"].as_u64(), doc["test_results"]["not_run"].as_u64()), (Some(1), Some(1)));
    let runs: Vec<&str> =
        doc["incidents"][0]["linked_tests"].as_array().unwrap().iter().map(|t| t["run"].as_str().unwrap()).collect();
    assert_eq!(runs, ["failed", "not-run"]);
    let (_, list) = run_json(t.path(), &[&["list"][..], &with].concat());
    assert_valid(&list, "listDocument", "list with test results");
    let (_, show) = run_json(t.path(), &[&["show", "INC-1"][..], &with].concat());
    assert_valid(&show, "showDocument", "show with test results");
    let mut broken = doc.clone();
    broken["incidents"][0]["linked_tests"][0]["run"] = json!("flaky");
    assert!(!errors(&validator(), &broken).is_empty(), "the schema accepts an unknown run");
    let mut broken = doc;
    broken["test_results"]["files"] = json!([]);
    assert!(!errors(&validator(), &broken).is_empty(), "the schema accepts results read from no file");
}
