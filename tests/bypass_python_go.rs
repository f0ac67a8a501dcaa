//! Ways a pull request could switch a linked Python or Go test off and still get exit 0,
//! each through the real binary: a file re-saved in a declared encoding, pytest's own
//! "do not collect" switches and always-true skips, pytest configuration that leaves the
//! test out, Go build constraints, `if true { t.Skip() }`, and directories the go tool
//! never enters. Where history matters (a change that deletes or moves the test), the
//! tree is a real git repository with a base branch.

mod common;
use common::*;

fn tree_with(ids: &[&str]) -> Tree {
    let t = Tree::new();
    for id in ids {
        t.file(&format!("postmortems/{id}.md"), postmortem(id, ""));
    }
    t
}

/// `(rule, level, path, line, test)` of every finding.
fn all(doc: &serde_json::Value) -> Vec<(String, String, String, u64, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            (s("rule"), s("level"), s("path"), f["line"].as_u64().unwrap_or(0), s("test"))
        })
        .collect()
}

fn f(rule: &str, level: &str, path: &str, line: u64, test: &str) -> (String, String, String, u64, String) {
    (rule.to_owned(), level.to_owned(), path.to_owned(), line, test.to_owned())
}

fn messages(doc: &serde_json::Value, rule: &str) -> Vec<String> {
    of_rule(doc, rule).iter().map(|f| f["message"].as_str().unwrap().to_owned()).collect()
}

/// A repository whose `main` holds `path` with `text`, checked out on a feature branch.
fn repo(path: &str, text: &str) -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.file(path, text);
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t
}

// incident: IG-2026-001
#[test]
fn latin1_file_that_deletes_a_linked_python_test_is_a_removal() {
    let t = repo("tests/test_p.py", "# incident: INC-1\ndef test_p():\n    assert True\n");
    t.file("tests/test_p.py", b"# -*- coding: latin-1 -*-\n# caf\xe9\n# incident: INC-1\n".as_slice());
    t.commit("re-save as Latin-1, dropping the test");
    let (code, doc) = t.check(&[]);
    assert_eq!(
        all(&doc),
        [
            f("linked-test-removed", "error", "tests/test_p.py", 2, "tests/test_p.py::test_p"),
            f("marker-on-non-test", "warning", "tests/test_p.py", 3, ""),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    assert!(messages(&doc, "linked-test-removed")[0].contains("was deleted"), "{doc:#}");
    // Decoded as declared, the file is not unparsable, and its text reads as Latin-1.
    assert!(of_rule(&doc, "unparsable-source").is_empty());
}

// incident: IG-2026-002
#[test]
fn python_tests_pytest_never_collects_or_always_skips_are_errors() {
    let t = tree_with(&["INC-1"]);
    t.file("tests/test_module_off.py", "# incident: INC-1\ndef test_a():\n    pass\n\n__test__ = False\n");
    t.file(
        "tests/test_class_off.py",
        "class TestB:\n    __test__ = False\n\n    # incident: INC-1\n    def test_b(self):\n        pass\n",
    );
    t.file(
        "tests/test_decided.py",
        "import pytest\nimport unittest\n\n# incident: INC-1\n@pytest.mark.skipif(True, reason=\"later\")\ndef test_c():\n    pass\n\n# incident: INC-1\n@pytest.mark.xfail(run=False)\ndef test_d():\n    pass\n\n# incident: INC-1\n@unittest.skipUnless(False, \"never\")\ndef test_e():\n    pass\n\n# incident: INC-1\n@pytest.mark.skipif(False, reason=\"no-op\")\ndef test_f():\n    pass\n",
    );
    t.file(
        "tests/test_module_skip.py",
        "import pytest\n\npytest.skip(\"flaky\", allow_module_level=True)\n\n# incident: INC-1\ndef test_g():\n    pass\n",
    );
    t.file(
        "tests/test_importorskip.py",
        "import pytest\n\nnp = pytest.importorskip(\"numpy\")\n\n# incident: INC-1\ndef test_h():\n    pass\n",
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(
        all(&doc),
        [
            f("linked-test-ignored", "error", "tests/test_class_off.py", 2, "tests/test_class_off.py::TestB::test_b"),
            f("linked-test-ignored", "error", "tests/test_decided.py", 5, "tests/test_decided.py::test_c"),
            f("linked-test-ignored", "error", "tests/test_decided.py", 10, "tests/test_decided.py::test_d"),
            f("linked-test-ignored", "error", "tests/test_decided.py", 15, "tests/test_decided.py::test_e"),
            f("linked-test-ignored", "error", "tests/test_module_off.py", 5, "tests/test_module_off.py::test_a"),
            f("linked-test-ignored", "error", "tests/test_module_skip.py", 3, "tests/test_module_skip.py::test_g"),
            f(
                "linked-test-skipped-conditionally",
                "warning",
                "tests/test_importorskip.py",
                3,
                "tests/test_importorskip.py::test_h"
            ),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    assert_eq!(
        messages(&doc, "linked-test-ignored")[4],
        "test `tests/test_module_off.py::test_a`, linked to INC-1, never runs: `__test__ = False`, so pytest collects nothing from this module"
    );
    assert_eq!(
        messages(&doc, "linked-test-skipped-conditionally")[0],
        "test `tests/test_importorskip.py::test_h`, linked to INC-1, runs only under a condition: `pytest.importorskip(\"numpy\")`: runs only where `numpy` imports"
    );
}

// incident: IG-2026-002
#[test]
fn go_build_ignore_added_to_a_linked_test_file_is_an_error() {
    let test = "package pool\n\nimport \"testing\"\n\n// incident: INC-1\nfunc TestReconnect(t *testing.T) {}\n";
    let t = repo("pool/pool_test.go", test);
    t.file("pool/pool_test.go", format!("//go:build ignore\n\n{test}"));
    t.file("pool/dial_windows_test.go", test.replace("TestReconnect", "TestDial"));
    t.commit("switch the test off");
    let (code, doc) = t.check(&[]);
    assert_eq!(
        all(&doc),
        [
            f("linked-test-ignored", "error", "pool/pool_test.go", 1, "pool/pool_test.go::TestReconnect"),
            f(
                "linked-test-skipped-conditionally",
                "warning",
                "pool/dial_windows_test.go",
                6,
                "pool/dial_windows_test.go::TestDial"
            ),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    assert_eq!(
        messages(&doc, "linked-test-ignored"),
        [
            "test `pool/pool_test.go::TestReconnect`, linked to INC-1, never runs: `//go:build ignore`: the go tool never builds this file (added in this change)"
        ]
    );
    assert!(
        messages(&doc, "linked-test-skipped-conditionally")[0]
            .ends_with("`_windows` in the file name: the go tool builds it only for GOOS=windows"),
        "{doc:#}"
    );
}

// incident: IG-2026-002
#[test]
fn go_skip_under_if_true_is_an_error() {
    let t = tree_with(&["INC-1"]);
    t.file(
        "pool/pool_test.go",
        "package pool\n\nimport \"testing\"\n\n// incident: INC-1\nfunc TestReconnect(t *testing.T) {\n\tif 1 == 1 {\n\t\tt.Skip(\"later\")\n\t}\n}\n\n// incident: INC-1\nfunc TestRetry(t *testing.T) {\n\tif false {\n\t\tt.Skip()\n\t}\n}\n",
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(
        all(&doc),
        [f("linked-test-ignored", "error", "pool/pool_test.go", 8, "pool/pool_test.go::TestReconnect")],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    assert!(
        messages(&doc, "linked-test-ignored")[0]
            .ends_with("never runs: `t.Skip` under `if 1 == 1`, which always holds")
    );
}

// incident: IG-2026-003
#[test]
fn pytest_config_that_stops_collecting_a_linked_test_is_an_error() {
    let t = tree_with(&["INC-1"]);
    t.file("pytest.ini", "[pytest]\naddopts = -q\ntestpaths =\n    tests/unit\n");
    t.file("tests/unit/test_ok.py", "# incident: INC-1\ndef test_ok():\n    pass\n");
    t.file("tests/legacy/test_pool.py", "# incident: INC-1\ndef test_pool():\n    pass\n");
    t.file("lib/setup.cfg", "[tool:pytest]\npython_functions = check_\n");
    t.file("lib/tests/test_lib.py", "# incident: INC-1\ndef test_lib():\n    pass\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(
        all(&doc),
        [
            f("linked-test-not-compiled", "error", "lib/setup.cfg", 2, "lib/tests/test_lib.py::test_lib"),
            f("linked-test-not-compiled", "error", "pytest.ini", 3, "tests/legacy/test_pool.py::test_pool"),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    assert_eq!(
        messages(&doc, "linked-test-not-compiled"),
        [
            "test `lib/tests/test_lib.py::test_lib`, linked to INC-1, is never run: `test_lib` matches no prefix or pattern of `python_functions = [\"check_\"]` (lib/setup.cfg)",
            "test `tests/legacy/test_pool.py::test_pool`, linked to INC-1, is never run: tests/legacy/ is not under `testpaths = [\"tests/unit\"]` (pytest.ini)",
        ]
    );
}

// incident: IG-2026-003
#[test]
fn go_test_moved_into_a_directory_the_go_tool_ignores_is_an_error() {
    let test =
        "package pool\n\nimport \"testing\"\n\n// incident: INC-1\nfunc TestReconnect(t *testing.T) {\n\tcheck(t)\n}\n";
    let t = repo("pool/pool_test.go", test);
    t.git(&["mv", "pool", "_pool"]);
    t.file("_pool/testdata/x_test.go", test.replace("TestReconnect", "TestData"));
    t.commit("move the package out of the build");
    let (code, doc) = t.check(&[]);
    assert_eq!(
        all(&doc),
        [
            f("linked-test-not-compiled", "error", "_pool/pool_test.go", 6, "_pool/pool_test.go::TestReconnect"),
            f("linked-test-not-compiled", "error", "_pool/testdata/x_test.go", 6, "_pool/testdata/x_test.go::TestData"),
            f("linked-test-moved", "note", "_pool/pool_test.go", 6, "_pool/pool_test.go::TestReconnect"),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    assert!(
        messages(&doc, "linked-test-not-compiled")[0].ends_with(
            "is never run: it is under `_pool/`, and the go tool ignores directories named testdata or starting with `_` or `.`"
        ),
        "{doc:#}"
    );
}
