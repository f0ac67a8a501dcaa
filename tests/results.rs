//! `check --test-results`: the real binary against result files written by the real
//! runners (`tests/fixtures/results/*/results/`, made by
//! `tests/fixtures/results/regenerate.sh` from the projects beside them) and samples of
//! the formats of runners that do not run here (`tests/fixtures/results/samples/`). For
//! each language one linked test is compiled out or filtered, one fails, one skips
//! itself at run time and one passes, and the findings are exactly those.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    repo_root().join("tests/fixtures/results").join(rel)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "results" || name == "target" {
            continue;
        }
        let dest = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// The project `tests/fixtures/results/NAME` with postmortems for the incidents its
/// tests link: INC-1 to INC-4 (INC-1 and INC-2 for the workspace).
fn project(name: &str) -> Tree {
    let t = Tree::new();
    copy_dir(&fixture(name), t.path());
    let incidents = if name == "workspace" { 2 } else { 4 };
    for i in 1..=incidents {
        t.file(&format!("postmortems/inc-{i}.md"), postmortem(&format!("INC-{i}"), ""));
    }
    t
}

fn results_arg(files: &[PathBuf]) -> Vec<String> {
    let mut args = vec!["--test-results".to_owned()];
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    args
}

fn check_with(t: &Tree, files: &[PathBuf]) -> (i32, Value) {
    let args = results_arg(files);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    t.check(&args)
}

/// `(rule, test)` of the errors, sorted.
fn sorted_errors(doc: &Value) -> Vec<(String, String)> {
    let mut e = errors(doc);
    e.sort();
    e
}

/// What the report says of each linked test: `(test, run)`.
fn runs(doc: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["linked_tests"].as_array().unwrap().iter())
        .map(|t| (t["test"].as_str().unwrap().to_owned(), t["run"].as_str().unwrap_or("-").to_owned()))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
    v.sort();
    v
}

#[test]
fn rust_libtest_json_with_and_without_cargos_running_lines() {
    let t = project("rust");
    for file in ["libtest.json", "libtest-with-running-lines.json"] {
        let (code, doc) = check_with(&t, &[fixture("rust/results").join(file)]);
        assert_eq!(code, 1, "{file}: {doc:#}");
        assert_eq!(
            sorted_errors(&doc),
            pairs(&[
                ("linked-test-failed", "src/retry.rs::tests::retries_at_most_three_times"),
                ("linked-test-not-run", "tests/platform.rs::settles_on_windows_hosts"),
                ("linked-test-skipped-at-runtime", "tests/gateway.rs::captures_against_the_live_gateway"),
            ]),
            "{file}"
        );
        assert_eq!(
            runs(&doc),
            pairs(&[
                ("src/lib.rs::tests::charges_once", "passed"),
                ("src/retry.rs::tests::retries_at_most_three_times", "failed"),
                ("tests/gateway.rs::captures_against_the_live_gateway", "skipped"),
                ("tests/platform.rs::settles_on_windows_hosts", "not-run"),
            ])
        );
        let failed = &of_rule(&doc, "linked-test-failed")[0];
        assert_eq!((failed["path"].as_str(), failed["line"].as_u64()), (Some("src/retry.rs"), Some(10)));
        let message = failed["message"].as_str().unwrap();
        assert!(
            message.contains("panicked at src/retry.rs:11:9") && message.contains("a fourth attempt charges twice"),
            "{message}"
        );
        let not_run = &of_rule(&doc, "linked-test-not-run")[0];
        let message = not_run["message"].as_str().unwrap();
        assert!(message.contains(file), "the message names the file read: {message}");
        assert!(
            message.contains("`settles_on_windows_hosts` in the test binary `payments::platform` (tests/platform.rs)"),
            "the message names the identity looked for: {message}"
        );
        assert!(not_run["help"].as_str().unwrap().contains("`#[cfg(windows)]`"), "{not_run:#}");
        assert_eq!(doc["test_results"]["languages"], serde_json::json!(["rust"]));
    }
}

#[test]
fn rust_nextest_junit_leaves_ignored_tests_out() {
    // nextest's JUnit lists only the tests it ran: the one ignored without the feature is
    // not in it, and its condition is named.
    let t = project("rust");
    let (code, doc) = check_with(&t, &[fixture("rust/results/nextest.xml")]);
    assert_eq!(code, 1);
    assert_eq!(
        sorted_errors(&doc),
        pairs(&[
            ("linked-test-failed", "src/retry.rs::tests::retries_at_most_three_times"),
            ("linked-test-not-run", "tests/gateway.rs::captures_against_the_live_gateway"),
            ("linked-test-not-run", "tests/platform.rs::settles_on_windows_hosts"),
        ])
    );
    let gateway = of_rule(&doc, "linked-test-not-run")
        .into_iter()
        .find(|f| f["test"] == "tests/gateway.rs::captures_against_the_live_gateway")
        .unwrap();
    assert!(gateway["help"].as_str().unwrap().contains("feature = \"live-gateway\""), "{gateway:#}");
}

#[test]
fn workspace_crates_with_tests_of_the_same_name_map_to_their_own_crate() {
    let t = project("workspace");
    for file in ["nextest.xml", "libtest-with-running-lines.json"] {
        let (code, doc) = check_with(&t, &[fixture("workspace/results").join(file)]);
        assert_eq!(code, 1, "{file}");
        assert_eq!(
            runs(&doc),
            pairs(&[
                ("crates/billing/src/lib.rs::tests::rejects_empty", "failed"),
                ("crates/orders/src/lib.rs::tests::rejects_empty", "passed"),
            ]),
            "{file}"
        );
        assert_eq!(
            sorted_errors(&doc),
            pairs(&[("linked-test-failed", "crates/billing/src/lib.rs::tests::rejects_empty")])
        );
    }
}

#[test]
fn results_of_one_crate_say_nothing_of_another() {
    // Only the orders crate's tests ran: the billing test is neither run nor reported
    // missing, because no result names its crate.
    let t = project("workspace");
    let only_orders = t.path().join("orders.xml");
    let xml = std::fs::read_to_string(fixture("workspace/results/nextest.xml")).unwrap();
    let cut = xml.find("<testsuite name=\"billing\"").unwrap();
    let end = xml.rfind("</testsuites>").unwrap();
    std::fs::write(&only_orders, format!("{}{}", &xml[..cut], &xml[end..])).unwrap();
    let (code, doc) = check_with(&t, &[only_orders]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        runs(&doc),
        pairs(&[
            ("crates/billing/src/lib.rs::tests::rejects_empty", "-"),
            ("crates/orders/src/lib.rs::tests::rejects_empty", "passed")
        ])
    );
}

#[test]
fn python_pytest_junit() {
    let t = project("python");
    let (code, doc) = check_with(&t, &[fixture("python/results/pytest.xml")]);
    assert_eq!(code, 1);
    assert_eq!(
        sorted_errors(&doc),
        pairs(&[
            ("linked-test-failed", "tests/test_checkout.py::TestRefunds::test_refund_is_negative"),
            ("linked-test-not-run", "tests/test_slow.py::test_nightly_settlement"),
            ("linked-test-skipped-at-runtime", "tests/test_checkout.py::test_live_capture"),
        ])
    );
    // Both parameter sets passed: the parametrized test passed.
    assert!(runs(&doc).contains(&("tests/test_checkout.py::test_total".to_owned(), "passed".to_owned())));
    let skipped = &of_rule(&doc, "linked-test-skipped-at-runtime")[0];
    assert!(skipped["message"].as_str().unwrap().contains("the gateway sandbox is down"), "{skipped:#}");
    let not_run = &of_rule(&doc, "linked-test-not-run")[0];
    assert!(not_run["message"].as_str().unwrap().contains("classname `tests.test_slow`"), "{not_run:#}");
    assert!(not_run["help"].as_str().unwrap().contains("`--ignore`"), "{not_run:#}");
}

#[test]
fn go_test_json() {
    let t = project("go");
    let (code, doc) = check_with(&t, &[fixture("go/results/go-test.json")]);
    assert_eq!(code, 1);
    assert_eq!(
        sorted_errors(&doc),
        pairs(&[
            ("linked-test-failed", "pool/pool_test.go::TestFailover"),
            ("linked-test-not-run", "pool/integration_test.go::TestIntegrationDrain"),
            ("linked-test-skipped-at-runtime", "pool/pool_test.go::TestLiveDatabase"),
        ])
    );
    assert!(runs(&doc).contains(&("pool/pool_test.go::TestReconnect".to_owned(), "passed".to_owned())));
    let failed = &of_rule(&doc, "linked-test-failed")[0];
    assert!(failed["message"].as_str().unwrap().contains("pool size after failover = 10, want 20"), "{failed:#}");
    let not_run = &of_rule(&doc, "linked-test-not-run")[0];
    assert!(not_run["message"].as_str().unwrap().contains("`TestIntegrationDrain` in package `example.com/shop/pool`"));
    assert!(not_run["help"].as_str().unwrap().contains("//go:build integration"), "{not_run:#}");
}

#[test]
fn node_test_runner_junit() {
    let t = project("node");
    let (code, doc) = check_with(&t, &[fixture("node/results/node-junit.xml")]);
    assert_eq!(code, 1);
    assert_eq!(
        sorted_errors(&doc),
        pairs(&[
            ("linked-test-failed", "test/cart.test.mjs::cart > rounds totals to cents"),
            ("linked-test-not-run", "test/slow.test.mjs::settles overnight batches"),
            ("linked-test-skipped-at-runtime", "test/cart.test.mjs::cart > charges the live gateway"),
        ])
    );
    assert!(
        runs(&doc).contains(&("test/cart.test.mjs::cart > applies the discount once".to_owned(), "passed".to_owned()))
    );
}

#[test]
fn jest_junit_vitest_and_playwright_in_one_pipeline() {
    // Three jobs, three reporters, one project: each maps to its own files.
    let t = project("web");
    let files: Vec<PathBuf> = ["jest-junit.xml", "vitest-junit.xml", "playwright-junit.xml"]
        .iter()
        .map(|f| fixture("web/results").join(f))
        .collect();
    let (code, doc) = check_with(&t, &files);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        sorted_errors(&doc),
        pairs(&[
            ("linked-test-failed", "e2e/checkout.spec.mjs::checkout > shows the total in cents"),
            ("linked-test-failed", "src/cart.test.js::cart > rounds totals to cents"),
            ("linked-test-failed", "src/cart.test.mjs::cart > rounds totals to cents"),
            // `it.skip` is seen in the source: reported once, as the static finding.
            ("linked-test-ignored", "src/cart.test.js::cart > charges the live gateway"),
            ("linked-test-not-run", "src/slow.test.js::settles overnight batches"),
            ("linked-test-not-run", "src/slow.test.mjs::settles overnight batches"),
            ("linked-test-skipped-at-runtime", "e2e/checkout.spec.mjs::checkout > pays with the live gateway"),
            ("linked-test-skipped-at-runtime", "src/cart.test.mjs::cart > charges the live gateway"),
        ])
    );
    let passed: Vec<String> = runs(&doc).into_iter().filter(|(_, r)| r == "passed").map(|(t, _)| t).collect();
    assert_eq!(
        passed,
        [
            "e2e/checkout.spec.mjs::checkout > keeps the cart after a reload",
            "src/cart.test.js::cart > applies the discount once",
            "src/cart.test.mjs::cart > applies the discount once",
        ]
    );
}

#[test]
fn surefire_sample() {
    let t = Tree::new();
    t.file(
        "src/test/java/shop/CartTest.java",
        "package shop;\n\nclass CartTest {\n  // incident: INC-1\n  @Test void appliesDiscountOnce() {}\n  // incident: INC-2\n  @Test void roundsTotalsToCents() {}\n  // incident: INC-3\n  @Test void chargesLiveGateway() {}\n  @Nested class Failover {\n    // incident: INC-1\n    @Test void keepsTheCart() {}\n  }\n}\n",
    );
    t.file(
        "src/test/java/shop/SlowTest.java",
        "package shop;\n\nclass SlowTest {\n  // incident: INC-4\n  @Test void settlesOvernight() {}\n}\n",
    );
    for i in 1..=4 {
        t.file(&format!("postmortems/inc-{i}.md"), postmortem(&format!("INC-{i}"), ""));
    }
    let (code, doc) = check_with(&t, &[fixture("samples/surefire/TEST-shop.CartTest.xml")]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        sorted_errors(&doc),
        pairs(&[
            ("linked-test-failed", "src/test/java/shop/CartTest.java::CartTest::roundsTotalsToCents"),
            ("linked-test-not-run", "src/test/java/shop/SlowTest.java::SlowTest::settlesOvernight"),
            ("linked-test-skipped-at-runtime", "src/test/java/shop/CartTest.java::CartTest::chargesLiveGateway"),
        ])
    );
    assert!(runs(&doc).contains(&(
        "src/test/java/shop/CartTest.java::CartTest::Failover::keepsTheCart".to_owned(),
        "passed".to_owned()
    )));
}

#[test]
fn results_of_several_jobs_combine_and_a_pass_anywhere_counts() {
    // Shard 1 failed the test, shard 2 (a retry, another platform) passed it.
    let t = project("python");
    let dir = t.path().join("artifacts");
    let failing = std::fs::read_to_string(fixture("python/results/pytest.xml")).unwrap();
    std::fs::create_dir_all(dir.join("shard-1")).unwrap();
    std::fs::create_dir_all(dir.join("shard-2")).unwrap();
    std::fs::write(dir.join("shard-1/junit.xml"), &failing).unwrap();
    std::fs::write(
        dir.join("shard-2/junit.xml"),
        "<testsuites name=\"pytest tests\"><testsuite name=\"pytest\"><testcase classname=\"tests.test_checkout.TestRefunds\" name=\"test_refund_is_negative\"/></testsuite></testsuites>",
    )
    .unwrap();
    let out = t.run(&["check", "--no-git", "--format", "json", "--test-results", "artifacts/**/junit.xml"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!sorted_errors(&doc).iter().any(|(r, _)| r == "linked-test-failed"), "{doc:#}");
    assert_eq!(
        doc["test_results"]["files"],
        serde_json::json!(["artifacts/shard-1/junit.xml", "artifacts/shard-2/junit.xml"])
    );
    let not_run = &of_rule(&doc, "linked-test-not-run")[0];
    assert!(
        not_run["message"]
            .as_str()
            .unwrap()
            .contains("no result in `artifacts/shard-1/junit.xml` and `artifacts/shard-2/junit.xml` is"),
        "{not_run:#}"
    );
}

#[test]
fn the_config_names_result_files_relative_to_the_root() {
    let t = project("go");
    t.file("reports/go.json", std::fs::read(fixture("go/results/go-test.json")).unwrap());
    t.file("incident-guard.toml", format!("test_results = [\"reports/*.json\"]\n{LINTS_OFF}"));
    let sub = t.path().join("pool");
    let out = t.run_in(&sub, &["check", "--no-git", "--format", "json"], &[]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    assert_eq!(doc["test_results"]["files"], serde_json::json!(["reports/go.json"]));
    assert_eq!(sorted_errors(&doc).len(), 3, "{doc:#}");
    // `--no-test-results` reads none, for runs before the tests (a pre-commit hook).
    let out = t.run(&["check", "--no-git", "--format", "json", "--no-test-results"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc.get("test_results").is_none() && sorted_errors(&doc).is_empty(), "{doc:#}");
    // A config may not point outside the repository.
    t.file("incident-guard.toml", "test_results = [\"/etc/passwd\"]\n");
    let out = t.run(&["check", "--no-git"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`test_results` entries name files inside the repository"), "{}", stderr(&out));
}

/// Runs `check` with one result file and returns (exit status, stderr).
fn failing_with(t: &Tree, name: &str, content: &[u8]) -> (Option<i32>, String) {
    t.file(name, content);
    let out = t.run(&["check", "--no-git", "--test-results", name]);
    (out.status.code(), stderr(&out))
}

#[test]
fn unreadable_result_files_stop_the_check_naming_file_and_line() {
    let t = project("python");
    let good = std::fs::read_to_string(fixture("node/results/node-junit.xml")).unwrap();
    // Malformed: a closing tag that closes nothing, on line 3.
    let (code, err) =
        failing_with(&t, "bad.xml", b"<testsuites>\n<testsuite name=\"pytest\">\n</testcase>\n</testsuites>\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot read the test results bad.xml: line 3: not well-formed XML"), "{err}");
    // Truncated in the middle of a test case.
    let cut = &good[..good.find("at async Promise.all").unwrap()];
    let (code, err) = failing_with(&t, "cut.xml", cut.as_bytes());
    assert_eq!(code, Some(2));
    let line = cut.lines().count();
    assert!(
        err.contains(&format!("cut.xml: line {line}: the file ends inside a `<testcase>`: it was cut short")),
        "{err}"
    );
    // Not JUnit at all.
    let (_, err) = failing_with(&t, "page.xml", b"<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n");
    assert!(err.contains("page.xml: line 2: not a JUnit report: the root element is `<html>`"), "{err}");
    // A JSON-lines file with a broken line.
    let (code, err) = failing_with(
        &t,
        "go.json",
        b"{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n{\"Action\":\"pass\",\"Pack\n",
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("go.json: line 2: not a JSON event"), "{err}");
    // Empty, and text that holds no event.
    let (_, err) = failing_with(&t, "empty.xml", b"");
    assert!(err.contains("empty.xml: it is empty"), "{err}");
    let (_, err) = failing_with(&t, "log.txt", b"running 3 tests\ntest a ... ok\n");
    assert!(err.contains("log.txt: line 1: no test results in it"), "{err}");
}

#[test]
fn a_pattern_that_matches_nothing_is_an_error_never_a_pass() {
    let t = project("python");
    let out = t.run(&["check", "--no-git", "--test-results", "reports/**/*.xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--test-results `reports/**/*.xml` matches no file"), "{}", stderr(&out));
    let out = t.run(&["check", "--no-git", "--test-results", "junit.xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--test-results `junit.xml`: no such file"), "{}", stderr(&out));
    std::fs::create_dir_all(t.path().join("reports")).unwrap();
    let out = t.run(&["check", "--no-git", "--test-results", "reports"]);
    assert!(stderr(&out).contains("it is a directory"), "{}", stderr(&out));
}

#[test]
fn show_list_and_the_human_report_say_what_ran() {
    let t = project("go");
    let results = fixture("go/results/go-test.json");
    let results = results.to_str().unwrap();
    let out = t.run(&["show", "INC-2", "--no-git", "--test-results", results]);
    let text = stdout(&out);
    assert!(text.contains("pool/pool_test.go::TestFailover  (pool/pool_test.go:20)  [failed in this run]"), "{text}");
    assert!(text.contains("error[linked-test-failed]"), "{text}");
    let out = t.run(&["list", "--no-git", "--test-results", results]);
    let text = stdout(&out);
    assert!(text.lines().next().unwrap().contains("TESTS  RUN"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("INC-4") && l.contains("1 not run")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("INC-1") && l.contains("1 passed")), "{text}");
    let out = t.run(&["check", "--no-git", "--test-results", results]);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("test results: {results} (go); linked tests: 1 passed, 1 failed, 1 skipped, 1 not run")),
        "{text}"
    );
    let out = t.run(&["check", "--no-git", "--format", "markdown", "--test-results", results]);
    let text = stdout(&out);
    assert!(
        text.contains("| Incident | Title | Severity | Linked tests | In this run | Action items done |"),
        "{text}"
    );
    assert!(text.contains("| `pool/pool_test.go::TestFailover` | INC-2 | ❌ failed |"), "{text}");
}

/// The peak resident memory of a running child, read from `/proc` until it exits.
fn peak_rss_kib(mut child: std::process::Child) -> (std::process::ExitStatus, u64) {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kib) = text.lines().find_map(|l| l.strip_prefix("VmHWM:"))
        {
            peak = peak.max(kib.trim().trim_end_matches("kB").trim().parse().unwrap_or(0));
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_200_mb_result_file_is_read_in_bounded_memory() {
    if !Path::new("/proc/self/status").exists() {
        return; // the peak is read from /proc (Linux, where CI runs)
    }
    let t = project("python");
    let path = t.path().join("huge.xml");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(f, "<testsuites name=\"pytest tests\"><testsuite name=\"pytest\">").unwrap();
        let noise = "x".repeat(1500);
        let mut i = 0;
        while f.get_ref().metadata().unwrap().len() < 200 * 1024 * 1024 {
            for _ in 0..1000 {
                writeln!(
                    f,
                    "<testcase classname=\"tests.generated.TestMany\" name=\"test_{i}\"><failure message=\"boom {i}\">{noise}</failure><system-out>{noise}</system-out></testcase>"
                )
                .unwrap();
                i += 1;
            }
            f.flush().unwrap();
        }
        let good = std::fs::read_to_string(fixture("python/results/pytest.xml")).unwrap();
        let start = good.find("<testcase").unwrap();
        let end = good.rfind("</testsuite>").unwrap();
        writeln!(f, "{}</testsuite></testsuites>", &good[start..end]).unwrap();
    }
    let child = std::process::Command::new(BIN)
        .args(["check", "--no-git", "--format", "json", "--test-results", "huge.xml"])
        .current_dir(t.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (status, peak_kib) = peak_rss_kib(child);
    assert_eq!(status.code(), Some(1));
    assert!(peak_kib < 64 * 1024, "reading a 200 MB file took {peak_kib} KiB");
}

/// What pytest writes with `addopts = --co` (collect only): a suite with no test case.
const COLLECT_ONLY: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites name=\"pytest tests\"><testsuite name=\"pytest\" errors=\"0\" failures=\"0\" skipped=\"0\" tests=\"0\" time=\"0.012\" timestamp=\"2026-11-30T09:42:53.607676+00:00\" hostname=\"vm\" /></testsuites>";

// incident: IG-2026-012
#[test]
fn a_result_file_with_no_test_case_covers_nothing() {
    let t = project("python");
    t.file("junit.xml", COLLECT_ONLY);
    let (code, doc) = t.check(&["--test-results", "junit.xml"]);
    assert_eq!(code, 1, "{doc:#}");
    let found = of_rule(&doc, "linked-test-not-run");
    assert_eq!(found.len(), 1, "{doc:#}");
    assert_eq!(found[0]["path"], "junit.xml", "{doc:#}");
    assert_eq!(found[0]["level"], "error", "{doc:#}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("`junit.xml` hold no test case"), "{message}");
    assert!(found[0]["help"].as_str().unwrap().contains("--co"), "{doc:#}");
    // Beside a file that ran the tests, the empty one is still named.
    let (code, doc) = check_with(&t, &[t.path().join("junit.xml"), fixture("python/results/pytest.xml")]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = of_rule(&doc, "linked-test-not-run").iter().filter_map(|f| f["path"].as_str()).collect();
    assert!(paths.iter().any(|p| p.ends_with("junit.xml")), "{doc:#}");
    // A libtest run that ran nothing (a filter that matched no test): events, no case.
    let t = project("rust");
    t.file("libtest.json", NO_LIBTEST_CASE);
    let (code, doc) = t.check(&["--test-results", "libtest.json"]);
    assert_eq!(code, 1, "{doc:#}");
    let found = of_rule(&doc, "linked-test-not-run");
    assert_eq!(found.len(), 1, "{doc:#}");
    assert_eq!(found[0]["path"], "libtest.json", "{doc:#}");
    assert!(found[0]["message"].as_str().unwrap().contains("(4 linked Rust tests to check)"), "{doc:#}");
}

/// libtest's JSON of a run whose filter matched no test: suite events, no test event.
const NO_LIBTEST_CASE: &str = "{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 0 }\n{ \"type\": \"suite\", \"event\": \"ok\", \"passed\": 0, \"failed\": 0, \"ignored\": 0, \"measured\": 0, \"filtered_out\": 4, \"exec_time\": 0.0 }\n";

/// `go test -json` of a package with no test files: package events, no test event.
const NO_GO_CASE: &str = "{\"Action\":\"start\",\"Package\":\"example.com/shop/pool\"}\n{\"Action\":\"output\",\"Package\":\"example.com/shop/pool\",\"Output\":\"?   \\texample.com/shop/pool\\t[no test files]\\n\"}\n{\"Action\":\"skip\",\"Package\":\"example.com/shop/pool\",\"Elapsed\":0}\n";

// incident: IG-2026-012
#[test]
fn an_empty_report_is_an_error_only_for_the_languages_its_kind_covers() {
    // A Go report that ran no test, beside Go linked tests: it covers nothing.
    let t = project("go");
    t.file("go.json", NO_GO_CASE);
    let (code, doc) = t.check(&["--test-results", "go.json"]);
    assert_eq!(code, 1, "{doc:#}");
    let found = of_rule(&doc, "linked-test-not-run");
    assert_eq!(found.len(), 1, "{doc:#}");
    assert_eq!(found[0]["path"], "go.json", "{doc:#}");
    assert!(found[0]["message"].as_str().unwrap().contains("(4 linked Go tests to check)"), "{doc:#}");
    // Go and libtest reports say nothing of Python tests, empty or not: no finding. JUnit
    // holds any language's results, so an empty one is an error whatever the tests are.
    let t = project("python");
    t.file("go.json", NO_GO_CASE);
    t.file("libtest.json", NO_LIBTEST_CASE);
    t.file("junit.xml", COLLECT_ONLY);
    for (file, expected) in [("go.json", 0), ("libtest.json", 0), ("junit.xml", 1)] {
        let (code, doc) = t.check(&["--test-results", file]);
        assert_eq!(code, expected, "{file}: {doc:#}");
        assert_eq!(of_rule(&doc, "linked-test-not-run").len(), expected as usize, "{file}: {doc:#}");
    }
}

/// Runs `check` with `args`, and fails the test if it has not finished within 30 s (it
/// would block on a FIFO, or read `/dev/zero` forever): returns (exit status, stderr).
fn check_within_deadline(t: &Tree, args: &[&str]) -> (Option<i32>, String) {
    use std::io::Read as _;
    let mut child = std::process::Command::new(BIN)
        .args(["check", "--no-git"])
        .args(args)
        .current_dir(t.path())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("check {args:?} did not finish within 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (status.code(), err)
}

// incident: IG-2026-012
#[cfg(unix)]
#[test]
fn a_result_link_out_of_the_work_tree_is_not_read() {
    let t = project("python");
    let outside = tempfile::tempdir().unwrap();
    let elsewhere = outside.path().join("pytest.xml");
    std::fs::copy(fixture("python/results/pytest.xml"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, t.path().join("junit.xml")).unwrap();
    let (code, err) = check_within_deadline(&t, &["--test-results", "junit.xml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(
            "cannot read the test results junit.xml: it is, or lies under, a symbolic link to outside the repository"
        ),
        "{err}"
    );
    // Matched by a glob, it is reported too, never read nor silently left out.
    std::fs::create_dir_all(t.path().join("reports")).unwrap();
    std::fs::copy(fixture("python/results/pytest.xml"), t.path().join("reports/a.xml")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, t.path().join("reports/b.xml")).unwrap();
    let (code, err) = check_within_deadline(&t, &["--test-results", "reports/*.xml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot read the test results reports/b.xml"), "{err}");
    // Nor through a linked directory.
    std::os::unix::fs::symlink(outside.path(), t.path().join("artifacts")).unwrap();
    let (code, err) = check_within_deadline(&t, &["--test-results", "artifacts/pytest.xml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("artifacts/pytest.xml: it is, or lies under, a symbolic link to outside"), "{err}");
    // A link inside that stays inside is read.
    std::fs::remove_file(t.path().join("reports/b.xml")).unwrap();
    std::os::unix::fs::symlink(t.path().join("reports/a.xml"), t.path().join("reports/b.xml")).unwrap();
    let (code, err) = check_within_deadline(&t, &["--test-results", "reports/b.xml"]);
    assert_eq!(code, Some(1), "{err}");
    // A regular file named outside the work tree (a downloaded artifact) is read.
    let (code, doc) = check_with(&t, std::slice::from_ref(&elsewhere));
    assert_eq!(code, 1, "{doc:#}");
    assert!(!of_rule(&doc, "linked-test-failed").is_empty(), "{doc:#}");
}

// incident: IG-2026-012
#[cfg(unix)]
#[test]
fn special_files_never_hang_the_check() {
    let t = project("python");
    std::os::unix::fs::symlink("/dev/zero", t.path().join("zero.xml")).unwrap();
    let (code, err) = check_within_deadline(&t, &["--test-results", "zero.xml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot read the test results zero.xml"), "{err}");
    // Named outright, outside the work tree: not a regular file.
    let (code, err) = check_within_deadline(&t, &["--test-results", "/dev/zero"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot read the test results /dev/zero: it is not a regular file"), "{err}");
    // A FIFO no one writes to, named and matched by a glob.
    let made = std::process::Command::new("mkfifo").arg(t.path().join("fifo.xml")).status().unwrap();
    assert!(made.success());
    for pattern in ["fifo.xml", "fifo*.xml"] {
        let (code, err) = check_within_deadline(&t, &["--test-results", pattern]);
        assert_eq!(code, Some(2), "{pattern}: {err}");
        assert!(err.contains("fifo.xml: it is not a regular file"), "{pattern}: {err}");
    }
}

// incident: IG-2026-012
#[test]
fn a_result_file_over_the_size_cap_is_refused() {
    let t = project("python");
    // Sparse: 256 MiB and one byte, of which nothing is written.
    let file = std::fs::File::create(t.path().join("big.xml")).unwrap();
    file.set_len(256 * 1024 * 1024 + 1).unwrap();
    drop(file);
    let (code, err) = check_within_deadline(&t, &["--test-results", "big.xml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot read the test results big.xml: it is larger than 256 MiB"), "{err}");
}

/// The python project with two shards: `shard-1` fails `test_refund_is_negative` (the
/// real run), `shard-2` is one line that passes it (forged by the pull request's code).
fn forged_beside_real(t: &Tree) {
    let dir = t.path().join("artifacts");
    std::fs::create_dir_all(dir.join("shard-1")).unwrap();
    std::fs::create_dir_all(dir.join("shard-2")).unwrap();
    std::fs::copy(fixture("python/results/pytest.xml"), dir.join("shard-1/junit.xml")).unwrap();
    std::fs::write(
        dir.join("shard-2/junit.xml"),
        "<testsuites name=\"pytest tests\"><testsuite name=\"pytest\"><testcase classname=\"tests.test_checkout.TestRefunds\" name=\"test_refund_is_negative\"/></testsuite></testsuites>",
    )
    .unwrap();
}

// incident: IG-2026-012
#[test]
fn with_results_conflict_fail_a_forged_pass_does_not_outweigh_a_failure() {
    let t = project("python");
    forged_beside_real(&t);
    t.file("incident-guard.toml", format!("results_conflict = \"fail\"\n{LINTS_OFF}"));
    let (code, doc) = t.check(&["--test-results", "artifacts/**/junit.xml"]);
    assert_eq!(code, 1, "{doc:#}");
    let failed = of_rule(&doc, "linked-test-failed");
    assert_eq!(failed.len(), 1, "{doc:#}");
    assert_eq!(failed[0]["test"], "tests/test_checkout.py::TestRefunds::test_refund_is_negative");
    assert!(failed[0]["message"].as_str().unwrap().contains("failed in `artifacts/shard-1/junit.xml`"), "{doc:#}");
    // The default, "pass", keeps a pass anywhere counting (retries, flaky shards).
    t.file("incident-guard.toml", format!("results_conflict = \"pass\"\n{LINTS_OFF}"));
    let (_, doc) = t.check(&["--test-results", "artifacts/**/junit.xml"]);
    assert!(of_rule(&doc, "linked-test-failed").is_empty(), "{doc:#}");
    // Any other value is an error naming the accepted ones.
    t.file("incident-guard.toml", "results_conflict = \"strict\"\n");
    let out = t.run(&["check", "--no-git"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`results_conflict` must be set to \"pass\" or \"fail\", not `strict`"),
        "{}",
        stderr(&out)
    );
}

// incident: IG-2026-012
#[test]
fn results_conflict_from_fail_to_pass_is_config_weakened() {
    for head in ["results_conflict = \"pass\"\n", ""] {
        let t = Tree::new();
        t.init_git();
        t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
        t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() {}\n");
        t.file("incident-guard.toml", format!("results_conflict = \"fail\"\n{LINTS_OFF}"));
        t.commit("base");
        t.git(&["checkout", "-q", "-b", "change"]);
        t.file("incident-guard.toml", format!("{head}{LINTS_OFF}"));
        t.commit("change");
        let (code, doc) = t.check(&["--base", "main"]);
        assert_eq!(code, 1, "{head:?}: {doc:#}");
        let weakened = of_rule(&doc, "config-weakened");
        assert_eq!(weakened.len(), 1, "{head:?}: {doc:#}");
        assert_eq!(weakened[0]["path"], "incident-guard.toml");
        assert!(
            weakened[0]["message"].as_str().unwrap().contains("`results_conflict` goes from \"fail\" to \"pass\""),
            "{doc:#}"
        );
    }
}
