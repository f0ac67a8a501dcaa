//! JavaScript and TypeScript verdicts as the real runners would give them: which files
//! mocha, Jest, Vitest, Deno and Bun collect (read from package.json and the runners'
//! configs), skips the source decides, and titles computed at run time matched against
//! test results. The last test compares the verdicts with the real runners' own lists.

mod common;

use common::{Tree, of_rule, postmortem};
use serde_json::Value;

fn tree_with(ids: &[&str]) -> Tree {
    let t = Tree::new();
    for id in ids {
        t.file(&format!("postmortems/{id}.md"), postmortem(id, ""));
    }
    t
}

/// A linked test file for incident `id`.
fn linked(id: &str, title: &str) -> String {
    format!("describe('suite', function () {{\n  // incident: {id}\n  it('{title}', function () {{}});\n}});\n")
}

/// `(rule, test)` of every finding at error or warning level about a test.
fn verdicts(doc: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["test"].is_string())
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["test"].as_str().unwrap().to_owned()))
        .collect();
    out.sort();
    out
}

fn v(rule: &str, test: &str) -> (String, String) {
    (rule.to_owned(), test.to_owned())
}

fn message_of(doc: &Value, rule: &str, test: &str) -> String {
    of_rule(doc, rule)
        .iter()
        .find(|f| f["test"] == test)
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no {rule} for {test}: {doc:#}"))
}

// incident: IG-2026-013
#[test]
fn mocha_runs_the_spec_of_its_command_line_and_not_every_file_under_test() {
    // express's own setup: two directories, not recursive.
    let t = tree_with(&["INC-1", "INC-2", "INC-3", "INC-4"]);
    t.file(
        "package.json",
        r#"{"devDependencies": {"mocha": "10"}, "scripts": {"test": "mocha --require test/support/env --reporter spec --bail --check-leaks test/ test/acceptance/", "lint": "eslint ."}}"#,
    );
    t.file("test/support/env.js", "process.env.NODE_ENV = 'test';\n");
    t.file("test/app.js", linked("INC-1", "a"));
    t.file("test/acceptance/auth.js", linked("INC-2", "b"));
    t.file("test/unit/cart.js", linked("INC-3", "c"));
    t.file("lib/cart.test.js", linked("INC-4", "d"));
    let (code, doc) = t.check(&[]);
    assert_eq!(
        verdicts(&doc),
        [
            v("linked-test-not-compiled", "lib/cart.test.js::suite > d"),
            v("linked-test-not-compiled", "test/unit/cart.js::suite > c"),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    let m = message_of(&doc, "linked-test-not-compiled", "test/unit/cart.js::suite > c");
    assert!(
        m.contains("mocha (`scripts.test` of `package.json`) runs the spec `test/`, `test/acceptance/`")
            && m.contains("not recursive"),
        "{m}"
    );
}

// incident: IG-2026-013
#[test]
fn mocharc_and_the_default_spec() {
    let t = tree_with(&["INC-1", "INC-2", "INC-3"]);
    t.file("package.json", r#"{"devDependencies": {"mocha": "10"}, "scripts": {"test": "mocha"}}"#);
    t.file(".mocharc.yml", "spec:\n  - 'spec/**/*.spec.js'\nrecursive: true\n");
    t.file("spec/deep/a.spec.js", linked("INC-1", "a"));
    t.file("spec/b.js", linked("INC-2", "b"));
    t.file("test/c.js", linked("INC-3", "c"));
    let (_, doc) = t.check(&[]);
    assert_eq!(
        verdicts(&doc),
        [v("linked-test-not-compiled", "spec/b.js::suite > b"), v("linked-test-not-compiled", "test/c.js::suite > c")],
        "{doc:#}"
    );
    // Without the config: mocha's default, the non-recursive `./test`.
    t.remove(".mocharc.yml");
    t.file("test/deep/d.js", linked("INC-1", "d"));
    let (_, doc) = t.check(&[]);
    let got = verdicts(&doc);
    assert!(got.contains(&v("linked-test-not-compiled", "test/deep/d.js::suite > d")), "{doc:#}");
    assert!(!got.iter().any(|(_, t)| t.starts_with("test/c.js")), "{doc:#}");
    assert!(message_of(&doc, "linked-test-not-compiled", "test/deep/d.js::suite > d").contains("its default"));
}

// incident: IG-2026-013
#[test]
fn jest_test_match_and_ignore_patterns() {
    let t = tree_with(&["INC-1", "INC-2", "INC-3", "INC-4"]);
    t.file(
        "package.json",
        r#"{"devDependencies": {"jest": "29"}, "scripts": {"test": "jest --ci"}, "jest": {"testPathIgnorePatterns": ["/node_modules/", "<rootDir>/e2e/"]}}"#,
    );
    t.file("src/__tests__/cart.js", linked("INC-1", "a"));
    t.file("src/cart.test.ts", linked("INC-2", "b"));
    t.file("e2e/checkout.test.js", linked("INC-3", "c"));
    t.file("src/cart.tests.js", linked("INC-4", "d"));
    let (_, doc) = t.check(&[]);
    assert_eq!(
        verdicts(&doc),
        [
            v("linked-test-not-compiled", "e2e/checkout.test.js::suite > c"),
            v("linked-test-not-compiled", "src/cart.tests.js::suite > d"),
        ],
        "{doc:#}"
    );
    assert!(
        message_of(&doc, "linked-test-not-compiled", "e2e/checkout.test.js::suite > c")
            .contains("`testPathIgnorePatterns` `<rootDir>/e2e/`")
    );
    assert!(message_of(&doc, "linked-test-not-compiled", "src/cart.tests.js::suite > d").contains("`testMatch`"));
}

// incident: IG-2026-013
#[test]
fn vitest_include_when_literal_and_a_warning_when_computed() {
    let t = tree_with(&["INC-1", "INC-2"]);
    t.file("package.json", r#"{"devDependencies": {"vitest": "3"}, "scripts": {"test": "vitest run"}}"#);
    t.file(
        "vitest.config.ts",
        "import { defineConfig } from 'vitest/config';\nexport default defineConfig({\n  test: { include: ['src/**/*.test.ts'] },\n});\n",
    );
    t.file("src/cart.test.ts", linked("INC-1", "a"));
    t.file("test/cart.spec.ts", linked("INC-2", "b"));
    let (_, doc) = t.check(&[]);
    assert_eq!(verdicts(&doc), [v("linked-test-not-compiled", "test/cart.spec.ts::suite > b")], "{doc:#}");
    assert!(
        message_of(&doc, "linked-test-not-compiled", "test/cart.spec.ts::suite > b")
            .contains("collects `include` `src/**/*.test.ts`")
    );
    // Computed: not sure, so a warning that says what could not be read, never an error.
    t.file(
        "vitest.config.ts",
        "import { defineConfig } from 'vitest/config';\nconst dir = process.env.DIR;\nexport default defineConfig({\n  test: { include: [dir + '/**/*.test.ts'] },\n});\n",
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(
        verdicts(&doc),
        [
            v("linked-test-skipped-conditionally", "src/cart.test.ts::suite > a"),
            v("linked-test-skipped-conditionally", "test/cart.spec.ts::suite > b"),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 0);
    let m = message_of(&doc, "linked-test-skipped-conditionally", "test/cart.spec.ts::suite > b");
    assert!(m.contains("`test.include` in `vitest.config.ts` is `dir + '/**/*.test.ts'`"), "{m}");
}

// incident: IG-2026-013
#[test]
fn a_script_it_cannot_read_is_a_warning_not_a_pass_or_an_error() {
    let t = tree_with(&["INC-1"]);
    t.file("package.json", r#"{"scripts": {"test": "node scripts/run-tests.js"}}"#);
    t.file("test/unit/cart.test.js", linked("INC-1", "a"));
    let (code, doc) = t.check(&[]);
    assert_eq!(verdicts(&doc), [v("linked-test-skipped-conditionally", "test/unit/cart.test.js::suite > a")]);
    assert_eq!(code, 0);
    assert!(
        message_of(&doc, "linked-test-skipped-conditionally", "test/unit/cart.test.js::suite > a")
            .contains("runs `node scripts/run-tests.js`, which incident-guard does not read")
    );
}

// incident: IG-2026-013
#[test]
fn deno_and_bun_tests_are_tests() {
    let t = tree_with(&["INC-1", "INC-2", "INC-3"]);
    t.file("deno.json", r#"{"test": {"include": ["tests/"]}}"#);
    t.file("tests/math_test.ts", "// incident: INC-1\nDeno.test(\"adds\", () => {});\n");
    t.file("bench/math_test.ts", "// incident: INC-2\nDeno.test(\"outside\", () => {});\n");
    t.file(
        "bun/cart.test.ts",
        "import { test, expect } from \"bun:test\";\n// incident: INC-3\ntest(\"bun\", () => { expect(1).toBe(1); });\n",
    );
    let (_, doc) = t.check(&[]);
    assert_eq!(verdicts(&doc), [v("linked-test-not-compiled", "bench/math_test.ts::outside")], "{doc:#}");
    let incidents = doc["incidents"].as_array().unwrap();
    assert!(incidents.iter().all(|i| !i["tests"].as_array().unwrap().is_empty()), "{doc:#}");
}

// incident: IG-2026-013
#[test]
fn skips_the_source_decides_are_errors_and_undecided_ones_warnings() {
    let t = tree_with(&["INC-1", "INC-2", "INC-3", "INC-4", "INC-5"]);
    t.file("package.json", r#"{"devDependencies": {"vitest": "3"}}"#);
    t.file(
        "src/cart.test.ts",
        "import { it, describe } from 'vitest';\n// incident: INC-1\nit.skipIf(true)('a', () => {});\n// incident: INC-2\ntest.runIf(false)('b', () => {});\nif (false) {\n  // incident: INC-3\n  it('c', () => {});\n}\nif (process.env.SLOW) {\n  // incident: INC-4\n  it('d', () => {});\n}\n// incident: INC-5\n(process.env.CI ? describe.skip : describe)('e', () => { it('f', () => {}); });\n",
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(
        verdicts(&doc),
        [
            v("linked-test-ignored", "src/cart.test.ts::a"),
            v("linked-test-ignored", "src/cart.test.ts::b"),
            v("linked-test-ignored", "src/cart.test.ts::c"),
            v("linked-test-skipped-conditionally", "src/cart.test.ts::d"),
            v("linked-test-skipped-conditionally", "src/cart.test.ts::e > f"),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    assert!(message_of(&doc, "linked-test-ignored", "src/cart.test.ts::c").contains("`if (false)`, which never holds"));
}

// incident: IG-2026-013
#[test]
fn a_file_only_a_side_script_runs_is_a_warning_and_a_workflow_makes_it_run() {
    let t = tree_with(&["INC-1"]);
    t.file(
        "package.json",
        r#"{"devDependencies": {"mocha": "10"}, "scripts": {"test": "mocha test/", "test-all": "mocha test/ test/acceptance/"}}"#,
    );
    t.file("test/acceptance/auth.js", linked("INC-1", "a"));
    let (code, doc) = t.check(&[]);
    assert_eq!(verdicts(&doc), [v("linked-test-skipped-conditionally", "test/acceptance/auth.js::suite > a")]);
    assert_eq!(code, 0);
    assert!(
        message_of(&doc, "linked-test-skipped-conditionally", "test/acceptance/auth.js::suite > a")
            .contains("only `scripts.test-all` of `package.json` runs it")
    );
    // A workflow that runs it: the file runs.
    t.file(".github/workflows/ci.yml", "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm ci\n      - run: npm run test-all\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(verdicts(&doc), []);
    assert_eq!(code, 0);
}

// incident: IG-2026-013
#[test]
fn computed_titles_are_matched_against_test_results_as_patterns() {
    let t = tree_with(&["INC-1", "INC-2", "INC-3", "INC-4"]);
    t.file(
        "src/cart.test.ts",
        "describe('cart', () => {\n  for (const method of ['GET', 'POST']) {\n    // incident: INC-1\n    it('should include ' + method, () => {});\n  }\n  // incident: INC-2\n  it(`adds ${n} items`, () => {});\n  // incident: INC-3\n  it.each([1, 2])('rounds %i', (x) => {});\n  // incident: INC-4\n  it('removes ' + item, () => {});\n});\n",
    );
    // As Vitest's JUnit reporter writes them.
    t.file(
        "junit.xml",
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="5" failures="0" errors="0" time="0.01">
  <testsuite name="src/cart.test.ts" tests="5" failures="0" errors="0" skipped="0" time="0.01">
    <testcase classname="src/cart.test.ts" name="cart &gt; should include GET" time="0.001"></testcase>
    <testcase classname="src/cart.test.ts" name="cart &gt; should include POST" time="0.001"></testcase>
    <testcase classname="src/cart.test.ts" name="cart &gt; adds 3 items" time="0.001"></testcase>
    <testcase classname="src/cart.test.ts" name="cart &gt; rounds 1" time="0.001"></testcase>
    <testcase classname="src/cart.test.ts" name="cart &gt; rounds 2" time="0.001"></testcase>
  </testsuite>
</testsuites>
"#,
    );
    let (code, doc) = t.check(&["--test-results", "junit.xml"]);
    assert_eq!(verdicts(&doc), [v("linked-test-not-run", "src/cart.test.ts::cart > 'removes ' + item")], "{doc:#}");
    assert_eq!(code, 1);
}

// incident: IG-2026-013
#[test]
fn kebab_case_options_are_not_file_filters() {
    // vitest's own test/typescript: `vitest --test-timeout 60000` took `60000` for a
    // file filter, and every test there for one never run.
    let t = tree_with(&["INC-1"]);
    t.file(
        "package.json",
        r#"{"devDependencies": {"vitest": "3"}, "scripts": {"test": "vitest --test-timeout 60000"}}"#,
    );
    t.file("test/runner.test.ts", linked("INC-1", "a"));
    let (code, doc) = t.check(&[]);
    assert_eq!(verdicts(&doc), [], "{doc:#}");
    assert_eq!(code, 0);
}

/// The files the real runners collect, against the verdicts: a file a runner collects is
/// never an error, one it does not is never a pass. Needs `node` and the runners:
/// `IG_JS_RUNNERS` names a directory whose `node_modules` holds mocha 10, jest 29 and
/// vitest 3 (`npm install mocha@10 jest@29 vitest@3` there). `cargo test` leaves it
/// ignored; scripts/verify-runners.sh installs the runners and runs it, and fails without
/// node or npm.
#[test]
#[ignore = "needs node and mocha, jest and vitest: run by scripts/verify-runners.sh"]
fn verdicts_agree_with_the_real_runners() {
    let node = std::process::Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "this test needs `node` on PATH (and IG_JS_RUNNERS, see its doc comment)"
    );
    let runners = std::env::var("IG_JS_RUNNERS").unwrap_or_else(|_| {
        panic!("set IG_JS_RUNNERS to a directory whose node_modules holds mocha@10, jest@29 and vitest@3")
    });
    let modules = std::path::Path::new(&runners).join("node_modules");
    for bin in ["mocha", "jest", "vitest"] {
        assert!(modules.join(".bin").join(bin).exists(), "{bin} is not installed under {}", modules.display());
    }
    let files = [
        "test/a.js",
        "test/b.spec.js",
        "test/deep/c.js",
        "test/d.ts",
        "spec/e.spec.js",
        "src/f.test.js",
        "src/__tests__/g.js",
        "src/h.test.ts",
        "src/i.spec.mjs",
        "e2e/j.test.js",
        "lib/k.tests.js",
        "test/.hidden.js",
    ];
    // (runner, package.json scripts.test, config file and text)
    let setups: &[Setup] = &[
        ("mocha", "mocha", None),
        ("mocha", "mocha --recursive test/", None),
        ("mocha", "mocha test/ spec/", None),
        ("mocha", "mocha", Some((".mocharc.yml", "spec:\n  - 'src/**/*.test.js'\n  - spec\n"))),
        (
            "mocha",
            "mocha",
            Some((".mocharc.json", "{ \"spec\": \"test\", \"recursive\": true, \"ignore\": [\"test/deep/**\"] }")),
        ),
        ("jest", "jest", None),
        (
            "jest",
            "jest",
            Some(("jest.config.js", "module.exports = { testPathIgnorePatterns: ['/node_modules/', '/e2e/'] };\n")),
        ),
        ("jest", "jest", Some(("jest.config.js", "module.exports = { testMatch: ['**/test/**/*.js'] };\n"))),
        ("vitest", "vitest run", None),
        (
            "vitest",
            "vitest run",
            Some((
                "vitest.config.mjs",
                "export default { test: { include: ['src/**/*.{test,spec}.?(c|m)js'], exclude: ['**/node_modules/**', 'src/i.*'] } };\n",
            )),
        ),
    ];
    let mut disagreements = Vec::new();
    for (runner, script, config) in setups {
        let t = tree_with(&[]);
        std::os::unix::fs::symlink(&modules, t.path().join("node_modules")).unwrap();
        t.file(".gitignore", "node_modules\n");
        t.file(
            "package.json",
            format!(r#"{{"devDependencies": {{"{runner}": "*"}}, "scripts": {{"test": "{script}"}}}}"#),
        );
        if let Some((name, text)) = config {
            t.file(name, text);
        }
        for (n, f) in files.iter().enumerate() {
            let id = format!("INC-{n}");
            t.file(&format!("postmortems/{id}.md"), postmortem(&id, ""));
            let body = if f.ends_with(".ts") {
                format!("// incident: {id}\nit('t{n}', () => {{}});\n")
            } else {
                format!(
                    "const {{ it }} = globalThis.it ? globalThis : require('vitest');\n// incident: {id}\nit('t{n}', () => {{}});\n"
                )
            };
            t.file(f, body);
        }
        let listed = list_files(t.path(), runner, script, &modules);
        assert!(
            !listed.is_empty(),
            "{runner} `{script}` {config:?} listed no file: the comparison would check nothing"
        );
        eprintln!("{runner} `{script}` {config:?}: {listed:?}");
        let (_, doc) = t.check(&[]);
        for (n, f) in files.iter().enumerate() {
            let id = format!("INC-{n}");
            let found: Vec<&Value> =
                doc["findings"].as_array().unwrap().iter().filter(|x| x["incident"] == id.as_str()).collect();
            let error = found.iter().any(|x| x["level"] == "error");
            let warning = found.iter().any(|x| x["level"] == "warning");
            let runs = listed.iter().any(|l| l == f);
            if warning && !error {
                eprintln!("warning: {runner} `{script}`: {f} (runner runs it: {runs})");
            }
            if (runs && error) || (!runs && !error && !warning) {
                disagreements
                    .push(format!("{runner} `{script}` {config:?}: {f}: runner runs it: {runs}, findings: {found:?}"));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// A runner, its `scripts.test`, and a config file (name, text).
type Setup = (&'static str, &'static str, Option<(&'static str, &'static str)>);

/// The files a real runner collects in `dir`, relative to it.
fn list_files(dir: &std::path::Path, runner: &str, script: &str, modules: &std::path::Path) -> Vec<String> {
    let bin = modules.join(".bin").join(runner);
    let mut args: Vec<String> = script.split_whitespace().skip(1).map(str::to_owned).collect();
    match runner {
        "mocha" => args.extend(["--dry-run", "--reporter", "json"].map(str::to_owned)),
        "jest" => args = vec!["--listTests".to_owned()],
        _ => args = vec!["list".to_owned(), "--filesOnly".to_owned()],
    }
    let out = std::process::Command::new(bin).args(&args).current_dir(dir).output().expect("run the runner");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let root = dir.canonicalize().unwrap();
    let rel = |p: &str| {
        let p = std::path::Path::new(p.trim());
        let abs = if p.is_absolute() { p.to_path_buf() } else { dir.join(p) };
        abs.canonicalize().ok()?.strip_prefix(&root).ok().map(|r| r.to_string_lossy().into_owned())
    };
    if runner == "mocha" {
        let start = text.find('{').unwrap_or(0);
        let doc: Value = serde_json::from_str(&text[start..]).unwrap_or(Value::Null);
        let mut files: Vec<String> = doc["tests"]
            .as_array()
            .map(|t| t.iter().filter_map(|x| x["file"].as_str().and_then(rel)).collect())
            .unwrap_or_default();
        files.dedup();
        return files;
    }
    text.lines().filter_map(rel).collect()
}
