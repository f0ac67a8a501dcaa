//! The machine and GitHub formats: annotations, the PR comment / job summary, SARIF.
//! Hostile repository text must never escape its place, and GitHub's limits hold.

mod common;
use common::*;

fn hostile_tree() -> Tree {
    let t = Tree::new();
    t.file(
        "postmortems/a.md",
        "+++\nid = \"INC-1\"\ntitle = \"Boom::set-env name=X::pwn, 100%\"\ndate = 2024-01-01\n+++\n",
    )
    .file(
        "postmortems/b.md",
        "+++\nid = \"INC-2\"\ntitle = \"<!-- incident-guard --> | </table><script>alert(1)</script> [x](javascript:alert(1))\"\ndate = 2024-01-01\nseverity = \"SEV|1\"\n+++\n",
    );
    t.file("src/we|ird\nname.rs", "// incident: INC-2\n#[test]\n#[ignore]\nfn pipe_test() {}\n");
    t
}

fn run_format(t: &Tree, format: &str, env: &[(&str, &str)]) -> (i32, String) {
    let out = t.run_in(t.path(), &["check", "--no-git", "--format", format], env);
    (out.status.code().unwrap(), stdout(&out))
}

#[test]
fn github_annotations_escape_everything_from_the_repository() {
    let t = hostile_tree();
    let (code, out) = run_format(&t, "github", &[]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "one line per finding plus the summary:\n{out}");
    let missing = lines.iter().find(|l| l.contains("title=missing-regression-test")).unwrap();
    assert!(
        missing.starts_with("::error file=postmortems/a.md,line=2,col=6,title=missing-regression-test::"),
        "{missing}"
    );
    assert!(missing.contains("Boom::set-env name=X::pwn, 100%25"), "{missing}");
    let ignored = lines.iter().find(|l| l.contains("title=linked-test-ignored")).unwrap();
    assert!(
        ignored.starts_with("::error file=src/we|ird%0Aname.rs,line=3,col=1,title=linked-test-ignored::"),
        "{ignored}"
    );
    for line in &lines[..2] {
        let (props, _) = line[2..].split_once("::").unwrap();
        assert!(!props.contains('\n') && !props.contains("%%"), "{props}");
    }
}

#[test]
fn github_shows_ten_per_level_most_important_first_then_a_count() {
    let t = Tree::new();
    for i in 0..25 {
        t.file(&format!("postmortems/e{i:02}.md"), postmortem(&format!("E-{i:02}"), ""));
    }
    let markers: String = (0..12).map(|i| format!("// incident: E-00\npub struct S{i};\n")).collect();
    t.file("src/stray.rs", markers);
    let (code, out) = run_format(&t, "github", &[]);
    assert_eq!(code, 1);
    let count = |p: &str| out.lines().filter(|l| l.starts_with(p)).count();
    assert_eq!((count("::error "), count("::warning "), count("::notice ")), (10, 10, 1), "{out}");
    let last_notice = out.lines().find(|l| l.starts_with("::notice")).unwrap();
    assert!(last_notice.contains("17 more finding(s) not shown"), "{last_notice}");
    // Errors come first.
    assert!(out.lines().next().unwrap().starts_with("::error "));
}

#[test]
fn github_appends_the_markdown_report_to_the_job_summary() {
    let t = hostile_tree();
    let summary = t.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let (_, _) = run_format(&t, "github", &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())]);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n<!-- incident-guard -->\n"), "{text}");
    assert_eq!(text.matches("<!-- incident-guard -->").count(), 1);
}

fn gfm_html(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.autolink = true;
    options.render.r#unsafe = true; // show exactly what raw HTML would pass through
    comrak::markdown_to_html(markdown, &options)
}

#[test]
fn markdown_comment_renders_as_one_table_and_cannot_be_forged() {
    let t = hostile_tree();
    let (code, md) = run_format(&t, "markdown", &[]);
    assert_eq!(code, 1);
    assert_eq!(md.matches("<!-- incident-guard -->").count(), 1, "{md}");
    assert!(md.starts_with("<!-- incident-guard -->\n### ❌ incident-guard: 2 errors, 0 warnings\n"), "{md}");
    let html = gfm_html(&md);
    assert_eq!(html.matches("<table>").count(), 1, "{html}");
    assert_eq!(html.matches("<tr>").count(), 3, "header plus two incidents:\n{html}");
    assert_eq!(html.matches("<td").count(), 10, "five cells a row:\n{html}");
    assert_eq!(html.matches("<!--").count(), 1, "only our marker:\n{html}");
    assert!(!html.contains("<script") && !html.contains("</table><script"), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert!(html.contains("&lt;!-- incident-guard --&gt; | &lt;/table&gt;"), "the title is shown as text:\n{html}");
    assert!(html.contains("SEV|1"), "{html}");
}

#[test]
fn markdown_links_files_inside_github_actions() {
    let t = hostile_tree();
    let env =
        [("GITHUB_REPOSITORY", "acme/shop"), ("GITHUB_SHA", "abc123"), ("GITHUB_SERVER_URL", "https://github.com")];
    let (_, md) = run_format(&t, "markdown", &env);
    assert!(md.contains("[postmortems/a.md:2](https://github.com/acme/shop/blob/abc123/postmortems/a.md#L2)"), "{md}");
    assert!(md.contains("(https://github.com/acme/shop/blob/abc123/src/we%7Cird%0Aname.rs#L3)"), "{md}");
}

#[test]
fn markdown_stays_under_githubs_comment_limit() {
    let t = Tree::new();
    let long = "x".repeat(200);
    for i in 0..2000 {
        t.file(
            &format!("postmortems/p{i:04}.md"),
            format!("+++\nid = \"INC-{i:04}\"\ntitle = \"{long}\"\ndate = 2024-01-01\n+++\n"),
        );
    }
    let (code, md) = run_format(&t, "markdown", &[]);
    assert_eq!(code, 1);
    assert!(md.len() < 65_536 && md.chars().count() < 65_536, "{} bytes", md.len());
    assert!(md.contains("**Report truncated**"), "visible note");
    assert_eq!(md.matches("<!-- incident-guard -->").count(), 1);
    let html = gfm_html(&md);
    assert_eq!(html.matches("<table>").count(), 1);
}

/// The official SARIF 2.1.0 schema (shipped under tests/, see tests/README.md).
fn sarif_validator() -> jsonschema::Validator {
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo_root().join("tests/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    // The official schema's pattern for `language` properties has a stray `]` that
    // ECMA-262 regexes accept as a literal and Rust's regex engine rejects. Our output
    // never sets `language`; replace that pattern with its evident meaning, in memory only.
    fn fix(v: &mut serde_json::Value) -> usize {
        match v {
            serde_json::Value::Object(map) => {
                let mut n = 0;
                if let Some(p) = map.get_mut("pattern")
                    && p == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"
                {
                    *p = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                    n += 1;
                }
                n + map.values_mut().map(fix).sum::<usize>()
            }
            serde_json::Value::Array(items) => items.iter_mut().map(fix).sum(),
            _ => 0,
        }
    }
    assert_eq!(fix(&mut schema), 2, "the schema file changed");
    jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).expect("valid schema")
}

fn assert_valid_sarif(doc: &serde_json::Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_is_valid_and_complete() {
    let t = hostile_tree();
    t.file("src/bad.rs", "// incident:\n#[test]\nfn x() {}\n");
    let out = t.run(&["check", "--format", "sarif"]); // not a repo: history-skipped notes have no location
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), incident_guard::rules::Rule::ALL.len());
    for r in rules {
        assert!(r["shortDescription"]["text"].as_str().unwrap().len() > 10);
        assert!(r["help"]["text"].as_str().unwrap().len() > 100);
    }
    let results = run["results"].as_array().unwrap();
    let ignored = results.iter().find(|r| r["ruleId"] == "linked-test-ignored").unwrap();
    assert_eq!(ignored["level"], "error");
    let loc = &ignored["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/we|ird\nname.rs");
    assert_eq!(loc["region"]["startLine"], 3);
    let idx = ignored["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "linked-test-ignored");
    assert!(results.iter().any(|r| r["ruleId"] == "history-skipped" && r.get("locations").is_none()));
}

#[test]
fn sarif_has_a_results_array_when_clean() {
    let t = Tree::new();
    let out = t.run(&["check", "--no-git", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn the_schema_rejects_a_broken_document() {
    // The validator is not a rubber stamp.
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"results": [{"ruleId": 1}]}]});
    assert!(sarif_validator().iter_errors(&bad).count() > 0);
}

#[test]
fn list_and_show_refuse_check_only_formats() {
    let t = Tree::new();
    let out = t.run(&["list", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`--format sarif` is for `check`"));
}
