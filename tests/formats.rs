//! Every output format against hostile repository text: the terminal (human `check`,
//! `list`, `show` and errors), annotations, the PR comment / job summary, SARIF.
//! Hostile repository text must never escape its place, and GitHub's limits hold.

mod common;
use common::*;
use incident_guard::render::markdown::MARKER;

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
    t.file("src/lib.rs", "#[path = \"we|ird\\nname.rs\"]\nmod weird;\n");
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
    let out = t.run(&["check", "--format", "sarif"]); // not a repo: history-skipped notes have no path
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
    assert_eq!(loc["artifactLocation"]["uri"], "src/we%7Cird%0Aname.rs");
    assert_eq!(loc["region"]["startLine"], 3);
    let idx = ignored["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "linked-test-ignored");
    let skipped = results.iter().find(|r| r["ruleId"] == "history-skipped").unwrap();
    assert_eq!(skipped["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "incident-guard.toml");
}

#[test]
fn sarif_with_a_base_has_baseline_states_and_fingerprints_and_stays_valid() {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file("postmortems/b.md", postmortem("INC-2", ""));
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() {}\n");
    t.file("src/stray.rs", "// incident: INC-1\npub struct Helper;\n");
    t.commit("base: INC-2 has no test, a stray marker");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.remove("tests/a.rs");
    t.file("tests/b.rs", "// incident: INC-2\n#[test]\nfn b() {}\n");
    t.commit("drop INC-1's test, add INC-2's");
    let out = t.run(&["check", "--format", "sarif", "--today", "2025-01-01"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let state = |rule: &str| -> Vec<&str> {
        results.iter().filter(|r| r["ruleId"] == rule).map(|r| r["baselineState"].as_str().unwrap()).collect()
    };
    assert_eq!(state("linked-test-removed"), ["new"], "{doc:#}");
    assert_eq!(state("marker-on-non-test"), ["unchanged"], "{doc:#}");
    assert_eq!(state("missing-regression-test"), ["absent"], "INC-2's missing test is fixed: {doc:#}");
    let fixed = results.iter().find(|r| r["baselineState"] == "absent").unwrap();
    assert_eq!((fixed["kind"].as_str(), fixed["level"].as_str()), (Some("pass"), Some("none")), "no alert: {fixed}");
    for r in results {
        let print = r["partialFingerprints"]["incidentGuardFinding/v1"].as_str().unwrap();
        assert_eq!(print.len(), 16, "{r}");
    }
    // The test's file is gone with it: the removal stands at the postmortem.
    let removed = results.iter().find(|r| r["ruleId"] == "linked-test-removed").unwrap();
    assert_eq!(removed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "postmortems/a.md");
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

/// Every trick a line of text can play on a terminal: an OSC 8 hyperlink whose text hides
/// its target, clear-screen, a cursor move, a bell, a backspace, DEL, a C1 CSI, and the
/// bidirectional controls. (A carriage return too, where the field may hold one: titles
/// must be one line, so the parser rejects it there.)
const TERMINAL_TRICKS: &str = "\u{1b}]8;;http://evil\u{7}click\u{1b}]8;;\u{7} \u{1b}[2J\u{1b}[1;1H\u{7}\u{8}\u{7f}\u{9b}31m \u{202e}\u{2066}\u{200e}\u{200f}\u{61c}end";

/// `s` as the inside of a TOML basic string: controls and non-ASCII as `\uXXXX`.
fn toml_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' | '\\' => format!("\\{c}"),
            c if c.is_ascii() && !c.is_ascii_control() => c.to_string(),
            c => format!("\\u{:04X}", u32::from(c)),
        })
        .collect()
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// No control character but our own line breaks, no bidi control, no line separator.
fn assert_terminal_safe(out: &str) {
    let bad: Vec<(usize, char)> = out
        .char_indices()
        .filter(|&(_, c)| (c.is_control() && c != '\n') || is_bidi(c) || matches!(c, '\u{2028}' | '\u{2029}'))
        .collect();
    assert!(bad.is_empty(), "raw control characters {bad:?} in:\n{out}");
}

/// The escape sequences in coloured output: every one must be a colour (SGR), ours.
fn assert_only_colours(out: &str) {
    assert!(out.contains("\u{1b}["), "no colour at all:\n{out}");
    for (i, _) in out.match_indices('\u{1b}') {
        let rest = &out[i + 1..];
        let sgr = rest.strip_prefix('[').and_then(|r| r.find('m').map(|m| &r[..m]));
        assert!(
            sgr.is_some_and(|p| p.chars().all(|c| c.is_ascii_digit() || c == ';')),
            "not a colour: {:?}",
            &out[i..]
        );
    }
    assert_terminal_safe(&out.replace('\u{1b}', ""));
}

// incident: IG-2026-009
#[test]
fn human_output_strips_terminal_escapes_from_titles() {
    let t = Tree::new();
    let title = toml_escape(&format!("Boom {TERMINAL_TRICKS}"));
    t.file("postmortems/a.md", format!("+++\nid = \"INC-1\"\ntitle = \"{title}\"\ndate = 2024-01-01\n+++\n"));
    t.file("postmortems/b.md", postmortem("INC-2", ""));
    // The line shown under the finding carries them too, before and after the caret.
    t.file(
        "src/lib.rs",
        "// incident: INC-2\n#[test]\n/* \u{1b}[2J\u{7}\u{202e} */ #[ignore = \"\u{1b}]8;;http://evil\u{7}x\"]\nfn guarded() {}\n",
    );

    let out = stdout(&t.run(&["check", "--no-git", "--color", "never"]));
    assert_terminal_safe(&out);
    let title_line = out.lines().find(|l| l.starts_with("error[missing-regression-test]")).unwrap();
    assert!(
        title_line.contains(r"Boom \u{1b}]8;;http://evil\u{7}click\u{1b}]8;;\u{7} \u{1b}[2J\u{1b}[1;1H\u{7}\u{8}\u{7f}\u{9b}31m \u{202e}\u{2066}\u{200e}\u{200f}\u{61c}end"),
        "the escapes are shown, not obeyed and not hidden:\n{title_line}"
    );
    // The caret still stands under `#[ignore`, however much longer the text before it got.
    let lines: Vec<&str> = out.lines().collect();
    let source = lines.iter().position(|l| l.starts_with("3 | /* ")).expect(&out);
    let (shown, carets) = (lines[source], lines[source + 1]);
    assert_eq!(shown, r#"3 | /* \u{1b}[2J\u{7}\u{202e} */ #[ignore = "\u{1b}]8;;http://evil\u{7}x"]"#);
    let column = |line: &str, needle: &str| line[..line.find(needle).unwrap()].chars().count();
    assert_eq!(column(carets, "^"), column(shown, "#[ignore"), "\n{shown}\n{carets}");
    assert!(carets.trim_end().ends_with(" ^^^^^^^^^"), "\n{shown}\n{carets}");

    // Our own colours still work, and are the only escape sequences.
    let coloured = stdout(&t.run(&["check", "--no-git", "--color", "always"]));
    assert_only_colours(&coloured);
    assert!(coloured.contains(r"\u{1b}]8;;http://evil"), "{coloured}");
}

// incident: IG-2026-009
#[test]
fn human_list_and_show_strip_terminal_escapes_from_repository_text() {
    let t = Tree::new();
    let x = toml_escape(TERMINAL_TRICKS);
    t.file(
        "postmortems/a.md",
        format!(
            "+++\nid = \"INC-1\"\ntitle = \"T {x}\"\ndate = 2024-01-01\nseverity = \"S {x}\"\ntest_waiver = \"W {x} long enough to count as a reason for no test\"\n\n[[action_items]]\nid = \"A1\"\ntitle = \"A {x}\\rforged\"\nowner = \"@o {x}\"\ndue = 2025-01-01\nstatus = \"open\"\n+++\n"
        ),
    );
    // A file name may hold escapes too (Linux allows any byte but `/` and NUL).
    t.file("src/e\u{1b}[2J\u{7}.rs", "// incident: INC-1\n#[test]\nfn linked() {}\n");

    for args in [&["list", "--no-git"][..], &["show", "INC-1", "--no-git"]] {
        let out = t.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let out = stdout(&out);
        assert_terminal_safe(&out);
        assert!(out.contains(r"T \u{1b}]8;;http://evil\u{7}click"), "{args:?}:\n{out}");
    }
    let show = stdout(&t.run(&["show", "INC-1", "--no-git"]));
    for shown in [
        r"severity: S \u{1b}]8",
        r"waiver:   W \u{1b}]8",
        r"A \u{1b}]8;;http://evil",
        r"\u{61c}end forged",
        r"(@o \u{1b}]8;;http://evil",
        r"(src/e\u{1b}[2J\u{7}.rs:3)",
    ] {
        assert!(show.contains(shown), "{shown} in:\n{show}");
    }
    assert_only_colours(&stdout(&t.run(&["show", "INC-1", "--no-git", "--color", "always"])));
}

// incident: IG-2026-009
#[test]
fn human_errors_strip_terminal_escapes_from_config_values() {
    let t = Tree::new();
    t.file("incident-guard.toml", format!("postmortems = \"p{}\"\n", toml_escape(TERMINAL_TRICKS)));
    let out = t.run(&["check", "--no-git"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_terminal_safe(&err);
    assert!(err.contains(r"`p\u{1b}]8;;http://evil\u{7}click"), "{err}");

    // A raw escape in the file: TOML rejects it, and the snippet shows it, inert.
    t.file("incident-guard.toml", "postmortems = \"p\u{1b}[2J\u{7}\"\n");
    let err = stderr(&t.run(&["check", "--no-git"]));
    assert_terminal_safe(&err);
    assert!(err.contains(r#"1 | postmortems = "p\u{1b}[2J\u{7}""#), "{err}");
}

/// The HTML with every `<code>…</code>` element taken out: what GitHub scans for mentions.
fn outside_code(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find("<code>") {
        out.push_str(&rest[..open]);
        rest = rest[open..].split_once("</code>").map_or("", |(_, after)| after);
    }
    out + rest
}

/// The text of every `<code>` element.
fn code_elements(html: &str) -> Vec<&str> {
    html.split("<code>").skip(1).map(|s| s.split_once("</code>").unwrap().0).collect()
}

// incident: IG-2026-009
#[test]
fn markdown_neutralises_mentions_bidi_and_line_separators() {
    let t = Tree::new();
    t.file(
        "postmortems/a.md",
        "+++\nid = \"INC-1\"\ntitle = \"Paging @alice and @org/team-leads: \\u202Egnp.exe\\u202C, \\u2066x\\u2069 \\u200E\\u200F\\u061C line\\u2028sep\\u2029para\"\ndate = 2024-01-01\n+++\n",
    );
    let (_, md) = run_format(&t, "markdown", &[]);
    for c in md.chars() {
        assert!(!is_bidi(c) && !matches!(c, '\u{2028}' | '\u{2029}'), "{:?} in:\n{md}", c);
    }
    assert!(md.contains("\u{fffd}gnp.exe\u{fffd}"), "a bidi control is replaced visibly:\n{md}");
    assert!(md.contains("line sep para"), "{md}");
    let html = gfm_html(&md);
    let text = outside_code(&html);
    assert!(text.contains("@\u{200b}alice") && text.contains("@\u{200b}org/team-leads"), "{html}");
    for (i, _) in text.match_indices('@') {
        assert!(text[i + 1..].starts_with('\u{200b}'), "a mention GitHub would notify: {:?}", &text[i..]);
    }
    assert_eq!(html.matches("<tr>").count(), 2, "{html}");
    assert_eq!(html.matches("<td").count(), 5, "{html}");
}

// incident: IG-2026-009
#[test]
fn markdown_keeps_code_spans_in_help_as_code_instead_of_escaped_backticks() {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.file("postmortems/inc-7.md", postmortem("INC-7", ""));
    t.file("src/lib.rs", "// incident: INC-1\n#[test]\nfn guards() {}\n\n// incident: INC-1\n#[test]\nfn stays() {}\n");
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("src/lib.rs", "// incident: INC-1\n#[test]\nfn stays() {}\n");
    t.commit("drop a test");
    let out = t.run(&["check", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(md.contains("put `// incident: INC-7` above it"), "{md}");
    for noise in [r"INC\-", r"\(", r"\.", r"\`", r"\:", r"\_waiver"] {
        assert!(!md.contains(noise), "needless escape {noise} in:\n{md}");
    }
    let html = gfm_html(&md);
    let code = code_elements(&html);
    assert!(code.contains(&"// incident: INC-7"), "{code:?}\n{html}");
    assert!(
        code.contains(&"retired_tests = [{ test = &quot;src/lib.rs::guards&quot;, reason = &quot;…&quot; }]"),
        "{code:?}"
    );
    assert!(code.contains(&"test_waiver"), "{code:?}");
    assert!(!html.contains("`"), "no literal backticks left:\n{html}");
}

// incident: IG-2026-009
#[test]
fn markdown_hostile_titles_and_test_names_cannot_break_the_table_forge_the_marker_or_inject_html() {
    const TITLE: &str = "x | y <!-- incident-guard --> --> <script>alert(1)</script> ` @alice \u{202e}z";
    const NAME: &str = "a`b`` | <!-- incident-guard --> </code><script>x</script> @bob";
    let t = Tree::new();
    t.init_git();
    t.file(
        "postmortems/inc-1.md",
        format!("+++\nid = \"INC-1\"\ntitle = \"{}\"\ndate = 2024-01-01\n+++\n", toml_escape(TITLE)),
    );
    let js = |name: &str| format!("// incident: INC-1\nit.skip({name:?}, () => {{}});\n");
    t.file("test/a.test.js", js(NAME));
    t.file("test/b.test.js", js(&format!("{NAME} gone")));
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.remove("test/b.test.js");
    t.commit("drop a test");
    let out = t.run(&["check", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let md = stdout(&out);
    assert_eq!(md.matches(MARKER).count(), 1, "only our marker, raw:\n{md}");
    assert!(md.starts_with(MARKER), "{md}");
    assert!(!md.contains('\u{202e}'), "{md}");

    let html = gfm_html(&md);
    assert_eq!(html.matches("<table>").count(), 1, "{html}");
    assert_eq!(html.matches("<tr>").count(), 2, "header plus one incident:\n{html}");
    assert_eq!(html.matches("<td").count(), 5, "five cells:\n{html}");
    assert_eq!(html.matches("<!--").count(), 1, "only our marker:\n{html}");
    assert!(!html.contains("<script") && !html.contains("</code><script"), "{html}");
    assert!(
        html.contains("x | y &lt;!-- incident-guard --&gt; --&gt; &lt;script&gt;alert(1)&lt;/script&gt; ` @\u{200b}alice \u{fffd}z"),
        "the title is shown as text:\n{html}"
    );
    for (i, _) in outside_code(&html).match_indices('@') {
        assert!(outside_code(&html)[i + 1..].starts_with('\u{200b}'), "{html}");
    }
    // The test names stay whole inside their code spans, backticks and all.
    let shown = "a`b`` | &lt;\u{200b}!-- incident-guard --&gt; &lt;/code&gt;&lt;script&gt;x&lt;/script&gt; @bob";
    let code = code_elements(&html);
    let ignored = format!("test/a.test.js::{shown}");
    assert!(code.contains(&ignored.as_str()), "ignored test's identity in one span: {code:?}\n{html}");
    let retire =
        format!("retired_tests = [{{ test = &quot;test/b.test.js::{shown} gone&quot;, reason = &quot;…&quot; }}]");
    assert!(code.contains(&retire.as_str()), "removed test's name in one span: {code:?}\n{html}");
}

/// The `uri` of every result's first location; every result must have one.
fn sarif_uris(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str();
            let uri = uri.unwrap_or_else(|| panic!("a result without a location, which upload-sarif rejects: {r:#}"));
            (r["ruleId"].as_str().unwrap().to_owned(), uri.to_owned())
        })
        .collect()
}

// incident: IG-2026-009
#[test]
fn sarif_uris_are_percent_encoded() {
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    t.file("src/lib.rs", "#[path = \"a b%20#frag?q=1 caf\u{e9}.rs\"]\nmod odd;\n");
    t.file("src/a b%20#frag?q=1 caf\u{e9}.rs", "// incident: INC-1\n#[test]\n#[ignore]\nfn t() {}\n");
    let out = t.run(&["check", "--no-git", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    assert_eq!(
        sarif_uris(&doc),
        [("linked-test-ignored".to_owned(), "src/a%20b%2520%23frag%3Fq%3D1%20caf%C3%A9.rs".to_owned())]
    );
}

// incident: IG-2026-009
#[test]
fn sarif_results_about_the_whole_repository_have_a_location() {
    // Not a git repository: the history checks report that they were skipped, a finding
    // with no file of its own.
    let t = Tree::new();
    t.file("postmortems/a.md", postmortem("INC-1", ""));
    let sarif = |t: &Tree| {
        let out = t.run(&["check", "--format", "sarif"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_valid_sarif(&doc);
        let uris = sarif_uris(&doc);
        assert!(uris.iter().any(|(rule, _)| rule == "history-skipped"), "{uris:?}");
        uris
    };
    let skipped = |uris: Vec<(String, String)>| -> Vec<String> {
        uris.into_iter().filter(|(rule, _)| rule == "history-skipped").map(|(_, uri)| uri).collect()
    };
    // The config file, when there is one;
    assert!(skipped(sarif(&t)).iter().all(|uri| uri == "incident-guard.toml"));
    // else the postmortems directory's README;
    t.remove("incident-guard.toml");
    t.file("postmortems/README.md", "# Postmortems\n");
    assert!(skipped(sarif(&t)).iter().all(|uri| uri == "postmortems/README.md"));
    // else the repository itself.
    t.remove("postmortems/README.md");
    assert!(skipped(sarif(&t)).iter().all(|uri| uri == "."));
}

// ---------------------------------------------------------------------------------------
// One run, every format

/// A repository with findings of every level, history included: a linked test removed
/// since the base, a test ignored, an unknown incident, a marker on a non-test, a missing
/// regression test, and hostile text in a title.
fn repository_with_history() -> Tree {
    let t = hostile_tree();
    t.init_git();
    t.file("tests/pay.rs", "// incident: INC-1\n#[test]\nfn pays_once() {}\n");
    t.commit("base");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.file("tests/pay.rs", "#[test]\nfn pays_once() {}\n");
    t.file("tests/other.rs", "// incident: INC-9\n#[test]\nfn other() {}\n// incident: INC-1\npub struct Helper;\n");
    t.commit("feature");
    t
}

#[test]
fn one_run_writes_every_format_as_separate_runs_do() {
    let t = repository_with_history();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    // Inside GitHub Actions: Markdown links files, github appends to the job summary.
    let env = |summary: &str| {
        vec![
            ("GITHUB_REPOSITORY", "acme/shop".to_owned()),
            ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567".to_owned()),
            ("GITHUB_STEP_SUMMARY", file(summary)),
        ]
    };
    let run = |args: &[String], summary: &str| {
        let env = env(summary);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let args: Vec<&str> = ["check", "--base", "main", "--today", "2025-01-01"]
            .into_iter()
            .chain(args.iter().map(String::as_str))
            .collect();
        let out = t.run_in(t.path(), &args, &env);
        (out.status.code().unwrap(), stdout(&out), stderr(&out))
    };
    let owned = |args: &[&str]| args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();

    let (code, annotations, err) = run(
        &owned(&[
            "--format",
            "github",
            "--output",
            &format!("markdown={}", file("one.md")),
            "--output",
            &format!("sarif={}", file("one.sarif")),
            "-o",
            &format!("json={}", file("one.json")),
            "--output",
            &format!("human={}", file("one.txt")),
        ]),
        "one-summary.md",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.is_empty(), "{err}");

    let mut separate = Vec::new();
    for format in ["github", "markdown", "sarif", "json", "human"] {
        let (code, out, err) = run(&owned(&["--format", format]), "separate-summary.md");
        assert_eq!(code, 1, "{format}: {err}");
        separate.push((format, out));
    }
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(annotations, separate[0].1, "github");
    assert_eq!(read("one.md"), separate[1].1, "markdown");
    assert_eq!(read("one.sarif"), separate[2].1, "sarif");
    assert_eq!(read("one.json"), separate[3].1, "json");
    assert_eq!(read("one.txt"), separate[4].1, "human");
    // The run found what the repository holds, in every format.
    for rule in ["linked-test-removed", "linked-test-ignored", "unknown-incident", "marker-on-non-test"] {
        assert!(annotations.contains(&format!("title={rule}::")), "{rule}: {annotations}");
        assert!(read("one.md").contains(&format!("`{rule}`")), "{rule}");
        assert!(read("one.sarif").contains(&format!("\"ruleId\": \"{rule}\"")), "{rule}");
    }
    // The job summary gets the report once, as from the one github run.
    assert_eq!(read("one-summary.md"), read("separate-summary.md"));
    assert_eq!(read("one-summary.md").matches(MARKER).count(), 1);
}

#[test]
fn output_files_are_checked_before_the_run() {
    let t = hostile_tree();
    let out = t.run(&["check", "--no-git", "--output", "a.txt", "--output", "b.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`--output` names two files for the `--format` report"), "{}", stderr(&out));
    let out = t.run(&["check", "--no-git", "--output", "sarif=r.out", "--output", "json=r.out"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`--output` names `r.out` twice"), "{}", stderr(&out));
    assert!(!t.path().join("r.out").exists());
    // A file that cannot be written fails the run before anything is printed.
    let out = t.run(&["check", "--no-git", "--format", "github", "--output", "markdown=no/such/dir/r.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("cannot write no/such/dir/r.md"), "{}", stderr(&out));
}

// incident: IG-2026-012
#[test]
fn no_format_carries_raw_control_bidi_zero_width_or_tag_characters() {
    // Each of these in a title, an action item and an unknown marker ID, as TOML escapes.
    let hidden = [
        "\\u001B[31m",
        "\\u0007",
        "\\u007F",
        "\\u0085",
        "\\u2028",
        "\\u202E",
        "\\u2066",
        "\\u200B",
        "\\u2060",
        "\\uFEFF",
        "\\U000E0041",
    ];
    let text = hidden.join("x");
    let t = Tree::new();
    t.file(
        "postmortems/a.md",
        format!(
            "+++\nid = \"INC-1\"\ntitle = \"Pool {text} outage\"\ndate = 2024-01-01\n\n[[action_items]]\nid = \"A1\"\ntitle = \"Fix {text} it\"\nowner = \"@o\"\nstatus = \"closed\"\n+++\n"
        ),
    );
    t.file(
        "tests/a.rs",
        "// incident: INC-1\n#[test]\nfn a() {}\n// incident: INC-9\u{200b}\u{202e}\n#[test]\nfn b() {}\n",
    );
    let raw = |c: char| incident_guard::terminal::is_hidden(c) && !matches!(c, '\n' | '\t');
    for format in ["human", "json", "github", "markdown", "sarif"] {
        let out = t.run_in(t.path(), &["check", "--no-git", "--format", format], &[]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert!(text.contains("INC-9"), "{format}: the marker's finding is shown: {text}");
        let found: Vec<String> = text.chars().filter(|c| raw(*c)).map(|c| format!("U+{:04X}", u32::from(c))).collect();
        assert!(found.is_empty(), "{format} carries {found:?} raw");
    }
    // The JSON still says exactly what the repository says, once parsed.
    let (_, doc) = t.check(&["--no-git"]);
    let title = doc["incidents"][0]["title"].as_str().unwrap();
    assert!(title.contains('\u{200b}') && title.contains('\u{e0041}'), "{title:?}");
}
