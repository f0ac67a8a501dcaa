//! Python, Go, JavaScript/TypeScript, Java and Kotlin through the real binary: every
//! marker and skip form on fixture trees, asserted by exact identity, rule, path and
//! line; commented-out tests and markers in strings produce nothing; `languages = […]`
//! limits the scanners; removal and moves are detected through git for Python and
//! TypeScript as for Rust.

mod common;
use common::*;

fn tree_with(ids: &[&str]) -> Tree {
    let t = Tree::new();
    for id in ids {
        t.file(&format!("postmortems/{id}.md"), postmortem(id, ""));
    }
    t
}

/// `(rule, path, line, test)` of every finding.
fn findings_with_tests(doc: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap_or("").to_owned(),
                f["line"].as_u64().unwrap_or(0),
                f["test"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn ft(rule: &str, path: &str, line: u64, test: &str) -> (String, String, u64, String) {
    (rule.to_owned(), path.to_owned(), line, test.to_owned())
}

const PYTHON: &str = r##"import sys
import unittest

import pytest

pytestmark = pytest.mark.incident("INC-9")


# incident: INC-1
def test_top():
    assert True


# incident: INC-2
@pytest.mark.parametrize("x", [1, 2])
# incident: INC-3
@pytest.mark.slow
async def test_decorated(x):
    assert x


class TestPool:
    @pytest.mark.incident("INC-4", "INC-5")
    def test_marked(self):
        pass

    class TestNested:
        # incident: INC-6
        @pytest.mark.skip(reason="flaky")
        def test_deep(self):
            pass

    @pytest.mark.skipif(sys.platform == "win32", reason="posix only")
    # incident: INC-7
    def test_posix(self):
        pass


# incident: INC-8
class LegacyTests(unittest.TestCase):
    def test_one(self):
        pass

    def testTwo(self):
        self.skipTest("later")


# def test_commented_out():
#     # incident: INC-404
#     pass

NOT_A_MARKER = "# incident: INC-404"
ALSO_NOT = """
# incident: INC-404
def test_in_a_string():
    pass
"""


# incident: INC-1
def helper():
    pass
"##;

#[test]
fn python_forms_identities_and_findings() {
    let t = tree_with(&["INC-1", "INC-2", "INC-3", "INC-4", "INC-5", "INC-6", "INC-7", "INC-8", "INC-9"]);
    t.file("tests/test_pool.py", PYTHON);
    let (code, doc) = t.check(&[]);
    let p = "tests/test_pool.py";
    assert_eq!(
        findings_with_tests(&doc),
        [
            ft("linked-test-ignored", p, 29, &format!("{p}::TestPool::TestNested::test_deep")),
            ft("linked-test-ignored", p, 29, &format!("{p}::TestPool::TestNested::test_deep")),
            ft("linked-test-ignored", p, 45, &format!("{p}::LegacyTests::testTwo")),
            ft("linked-test-ignored", p, 45, &format!("{p}::LegacyTests::testTwo")),
            ft("marker-on-non-test", p, 60, ""),
            ft("linked-test-skipped-conditionally", p, 33, &format!("{p}::TestPool::test_posix")),
            ft("linked-test-skipped-conditionally", p, 33, &format!("{p}::TestPool::test_posix")),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    assert_eq!(tests_of(&doc, "INC-1"), [format!("{p}::test_top")]);
    assert_eq!(tests_of(&doc, "INC-2"), [format!("{p}::test_decorated")]);
    assert_eq!(tests_of(&doc, "INC-3"), [format!("{p}::test_decorated")]);
    assert_eq!(tests_of(&doc, "INC-4"), [format!("{p}::TestPool::test_marked")]);
    assert_eq!(tests_of(&doc, "INC-5"), [format!("{p}::TestPool::test_marked")]);
    assert_eq!(tests_of(&doc, "INC-6"), [format!("{p}::TestPool::TestNested::test_deep")]);
    assert_eq!(tests_of(&doc, "INC-7"), [format!("{p}::TestPool::test_posix")]);
    assert_eq!(tests_of(&doc, "INC-8"), [format!("{p}::LegacyTests::test_one"), format!("{p}::LegacyTests::testTwo")]);
    assert_eq!(tests_of(&doc, "INC-9").len(), 7);
    let stray = of_rule(&doc, "marker-on-non-test")[0];
    assert_eq!(stray["message"], "marker is on def helper, which is not a test");
    let ignored = of_rule(&doc, "linked-test-ignored")[0];
    assert!(ignored["message"].as_str().unwrap().contains("never runs: `pytest.mark.skip`"), "{ignored}");
    let inc4 = &doc["incidents"].as_array().unwrap().iter().find(|i| i["id"] == "INC-4").unwrap()["linked_tests"][0];
    assert_eq!((inc4["path"].as_str(), inc4["line"].as_u64()), (Some(p), Some(24)));
}

#[test]
fn python_bad_mark_ids_are_invalid_markers_and_unknown_ids_are_named() {
    let t = tree_with(&["INC-2024-017"]);
    t.file(
        "test_api.py",
        "@pytest.mark.incident(\"INC#1\")\ndef test_a():\n    pass\n\n@pytest.mark.incident(\"INC-2024-071\")\ndef test_b():\n    pass\n\n# incident: INC-2024-017\ndef test_c():\n    pass\n",
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&doc),
        [finding("unknown-incident", "test_api.py", 5), finding("invalid-marker", "test_api.py", 1)],
        "{doc:#}"
    );
    assert_eq!(of_rule(&doc, "invalid-marker")[0]["column"], 24);
    assert_eq!(of_rule(&doc, "unknown-incident")[0]["column"], 24);
    assert_eq!(of_rule(&doc, "unknown-incident")[0]["test"], "test_api.py::test_b");
}

const GO: &str = "package pool

import \"testing\"

// incident: INC-1
func TestReconnect(t *testing.T) {
\tt.Run(\"after failover\", func(t *testing.T) {})
}

// Covers the retry budget.
// incident: INC-2
func TestRetry(t *testing.T) {
\tt.Skip(\"flaky on CI\")
}

// incident: INC-3
func TestShort(t *testing.T) {
\tif testing.Short() {
\t\tt.Skip(\"long\")
\t}
}

/*
// incident: INC-404
func TestOld(t *testing.T) {}
*/

var s = `
// incident: INC-404
`

// incident: INC-1
func BenchmarkPool(b *testing.B) {}
";

#[test]
fn go_forms_identities_and_findings() {
    let t = tree_with(&["INC-1", "INC-2", "INC-3"]);
    t.file("pool/pool_test.go", GO);
    let (code, doc) = t.check(&[]);
    let p = "pool/pool_test.go";
    assert_eq!(
        findings_with_tests(&doc),
        [
            ft("linked-test-ignored", p, 13, &format!("{p}::TestRetry")),
            ft("marker-on-non-test", p, 32, ""),
            ft("linked-test-skipped-conditionally", p, 19, &format!("{p}::TestShort")),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    assert_eq!(tests_of(&doc, "INC-1"), [format!("{p}::TestReconnect")]);
    assert_eq!(tests_of(&doc, "INC-2"), [format!("{p}::TestRetry")]);
    assert_eq!(tests_of(&doc, "INC-3"), [format!("{p}::TestShort")]);
    assert_eq!(
        of_rule(&doc, "marker-on-non-test")[0]["message"],
        "marker is on func BenchmarkPool, which is not a test"
    );
    assert!(of_rule(&doc, "linked-test-ignored")[0]["message"].as_str().unwrap().contains("never runs: `t.Skip`"));
}

const TS: &str = r#"import { describe, expect, it, test } from "vitest";

// incident: INC-1
test("top level", () => {
  expect(1).toBe(1);
});

describe("cart", () => {
  // incident: INC-2
  it("adds items", async () => {
    const re = /\/\/ incident: INC-404/;
    const s = `// incident: INC-404 ${"}"}`;
  });

  /* incident: INC-3 */
  it.skip("rounds totals", () => {});

  // incident: INC-4
  describe("discounts", () => {
    it("stack", () => {});
    it.skipIf(process.env.CI)("expire", () => {});
  });
});

// it("commented out", () => {});
// // incident: INC-404

// incident: INC-1
function helper() {}
"#;

const TSX: &str = r#"import { render } from "@testing-library/react";

describe("Button", () => {
  // incident: INC-5
  test("renders", () => {
    render(<button title='x'>Don't click {"// incident: INC-404"}</button>);
  });
});
"#;

#[test]
fn typescript_and_tsx_forms_identities_and_findings() {
    let t = tree_with(&["INC-1", "INC-2", "INC-3", "INC-4", "INC-5"]);
    t.file("src/cart.test.ts", TS);
    t.file("src/__tests__/Button.tsx", TSX);
    t.file("src/cart.ts", "// incident: INC-1\nit(\"not in a test file\", () => {});\n");
    let (code, doc) = t.check(&[]);
    let p = "src/cart.test.ts";
    assert_eq!(
        findings_with_tests(&doc),
        [
            ft("linked-test-ignored", p, 16, &format!("{p}::cart > rounds totals")),
            ft("linked-test-not-compiled", "src/cart.ts", 2, "src/cart.ts::not in a test file"),
            ft("marker-on-non-test", "src/cart.test.ts", 28, ""),
            ft("linked-test-skipped-conditionally", p, 21, &format!("{p}::cart > discounts > expire")),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    // A test call outside the runner's files is a test its runner never runs (`reach::js`).
    assert_eq!(tests_of(&doc, "INC-1"), [format!("{p}::top level"), "src/cart.ts::not in a test file".to_owned()]);
    assert_eq!(tests_of(&doc, "INC-2"), [format!("{p}::cart > adds items")]);
    assert_eq!(tests_of(&doc, "INC-3"), [format!("{p}::cart > rounds totals")]);
    assert_eq!(
        tests_of(&doc, "INC-4"),
        [format!("{p}::cart > discounts > stack"), format!("{p}::cart > discounts > expire")]
    );
    assert_eq!(tests_of(&doc, "INC-5"), ["src/__tests__/Button.tsx::Button > renders"]);
    let messages: Vec<&str> =
        of_rule(&doc, "marker-on-non-test").iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["marker is on function helper, which is not a test"]);
}

const JAVA: &str = r#"package shop;

import org.junit.jupiter.api.*;

@Tag("incident:INC-1")
class CartTest {
    // incident: INC-2
    @Test
    void addsItems() {
        String s = "// incident: INC-404";
    }

    @Test
    @Disabled("flaky")
    // incident: INC-3
    void rounds() {}

    @Nested
    class Discounts {
        @Tag("incident:INC-4")
        @ParameterizedTest
        @ValueSource(ints = {1, 2})
        void stack(int n) {}

        // @Test
        // void old() {}
    }
}
"#;

const KOTLIN: &str = r#"package shop

// incident: INC-5
class CheckoutTest {
    @Test
    fun `pays with a card`() = runTest {
        val s = "${"// incident: INC-404"}"
    }

    // incident: INC-6
    @Test
    @Ignore
    fun refunds() {}

    // incident: INC-6
    private fun helper() = 1
}
"#;

#[test]
fn java_and_kotlin_forms_identities_and_findings() {
    let t = tree_with(&["INC-1", "INC-2", "INC-3", "INC-4", "INC-5", "INC-6"]);
    t.file("src/test/java/shop/CartTest.java", JAVA);
    t.file("src/test/kotlin/shop/CheckoutTest.kt", KOTLIN);
    let (code, doc) = t.check(&[]);
    let j = "src/test/java/shop/CartTest.java::CartTest";
    let k = "src/test/kotlin/shop/CheckoutTest.kt::CheckoutTest";
    assert_eq!(
        findings_with_tests(&doc),
        [
            ft("linked-test-ignored", "src/test/java/shop/CartTest.java", 14, &format!("{j}::rounds")),
            ft("linked-test-ignored", "src/test/java/shop/CartTest.java", 14, &format!("{j}::rounds")),
            ft("linked-test-ignored", "src/test/kotlin/shop/CheckoutTest.kt", 12, &format!("{k}::refunds")),
            ft("linked-test-ignored", "src/test/kotlin/shop/CheckoutTest.kt", 12, &format!("{k}::refunds")),
            ft("marker-on-non-test", "src/test/kotlin/shop/CheckoutTest.kt", 15, ""),
        ],
        "{doc:#}"
    );
    assert_eq!(code, 1);
    assert_eq!(
        tests_of(&doc, "INC-1"),
        [format!("{j}::addsItems"), format!("{j}::rounds"), format!("{j}::Discounts::stack")]
    );
    assert_eq!(tests_of(&doc, "INC-2"), [format!("{j}::addsItems")]);
    assert_eq!(tests_of(&doc, "INC-3"), [format!("{j}::rounds")]);
    assert_eq!(tests_of(&doc, "INC-4"), [format!("{j}::Discounts::stack")]);
    assert_eq!(tests_of(&doc, "INC-5"), [format!("{k}::pays with a card"), format!("{k}::refunds")]);
    assert_eq!(tests_of(&doc, "INC-6"), [format!("{k}::refunds")]);
    assert_eq!(of_rule(&doc, "marker-on-non-test")[0]["message"], "marker is on method helper, which is not a test");
}

#[test]
fn languages_setting_limits_the_scanners() {
    let t = tree_with(&["INC-1"]);
    t.file("test_a.py", "# incident: INC-1\ndef test_a():\n    pass\n");
    t.file("a_test.go", "package a\n// incident: INC-1\nfunc TestA(t *testing.T) {}\n");
    t.file("a.test.js", "// incident: INC-1\ntest('a', () => {});\n");
    let (_, doc) = t.check(&[]);
    assert_eq!(tests_of(&doc, "INC-1"), ["a.test.js::a", "a_test.go::TestA", "test_a.py::test_a"]);
    t.file("incident-guard.toml", "languages = [\"go\", \"javascript\"]\n");
    let (_, doc) = t.check(&[]);
    assert_eq!(tests_of(&doc, "INC-1"), ["a.test.js::a", "a_test.go::TestA"]);
    t.file("incident-guard.toml", "languages = [\"typescript\"]\n");
    let out = t.run(&["check", "--no-git"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown language `typescript`"), "{}", stderr(&out));
}

// History: removal and moves through real git repositories.

const PY_TEST: &str = "# incident: INC-1\ndef test_pool_reconnects_after_failover():\n    pool = Pool(2)\n    pool.failover()\n    assert pool.get() is not None\n    assert pool.size() == 2\n";

fn python_repo() -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.file("tests/test_pool.py", format!("import pytest\n\n\n{PY_TEST}"));
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t
}

fn messages(doc: &serde_json::Value, rule: &str) -> Vec<String> {
    of_rule(doc, rule).iter().map(|f| f["message"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn python_deleted_test_and_removed_marker_are_errors() {
    let t = python_repo();
    t.file("tests/test_pool.py", "import pytest\n");
    t.commit("drop the test");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    let removed = of_rule(&doc, "linked-test-removed");
    assert_eq!(removed.len(), 1, "{doc:#}");
    assert_eq!(removed[0]["test"], "tests/test_pool.py::test_pool_reconnects_after_failover");
    assert!(removed[0]["message"].as_str().unwrap().contains("was deleted"), "{}", removed[0]);

    let t = python_repo();
    t.file("tests/test_pool.py", format!("import pytest\n\n\n{}", PY_TEST.replace("# incident: INC-1\n", "")));
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc)[0], finding("linked-test-removed", "tests/test_pool.py", 4), "{doc:#}");
    assert!(messages(&doc, "linked-test-removed")[0].contains("no longer carries the `incident: INC-1` marker"));
}

#[test]
fn python_test_moved_into_a_class_in_another_file_is_a_note() {
    let t = python_repo();
    t.file("tests/test_pool.py", "import pytest\n");
    let indented: String = PY_TEST.lines().map(|l| format!("    {l}\n")).collect();
    t.file("tests/test_failover.py", format!("class TestFailover:\n{}", indented.replace("():", "(self):")));
    t.commit("move into a class");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(findings(&doc), [finding("linked-test-moved", "tests/test_failover.py", 3)]);
    assert!(
        messages(&doc, "linked-test-moved")[0]
            .contains("was moved to `tests/test_failover.py::TestFailover::test_pool_reconnects_after_failover`"),
        "{doc:#}"
    );
}

#[test]
fn python_skip_added_in_this_change_says_so() {
    let t = python_repo();
    t.file(
        "tests/test_pool.py",
        format!("import pytest\n\n\n{}", PY_TEST.replace("def test", "@pytest.mark.skip\ndef test")),
    );
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(findings_past_head_base(&doc), [finding("linked-test-ignored", "tests/test_pool.py", 5)]);
    assert!(messages(&doc, "linked-test-ignored")[0].contains("(added in this change)"), "{doc:#}");
}

const TS_TEST: &str = "describe(\"pool\", () => {\n  // incident: INC-1\n  it(\"reconnects after failover\", async () => {\n    const pool = new Pool(2);\n    await pool.failover();\n    expect(pool.get()).toBeDefined();\n    expect(pool.size()).toBe(2);\n  });\n});\n";

fn typescript_repo() -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.file("src/pool.test.ts", TS_TEST);
    t.commit("initial");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t
}

#[test]
fn typescript_deleted_test_and_deleted_file_are_errors() {
    let t = typescript_repo();
    t.file("src/pool.test.ts", "describe(\"pool\", () => {});\n");
    t.commit("drop");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    let removed = of_rule(&doc, "linked-test-removed");
    assert_eq!(removed[0]["test"], "src/pool.test.ts::pool > reconnects after failover", "{doc:#}");
    assert!(removed[0]["message"].as_str().unwrap().contains("was deleted"));

    let t = typescript_repo();
    t.remove("src/pool.test.ts");
    t.commit("remove file");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert!(messages(&doc, "linked-test-removed")[0].starts_with("file src/pool.test.ts was deleted"), "{doc:#}");
}

#[test]
fn typescript_renamed_describe_and_moved_file_are_notes() {
    let t = typescript_repo();
    t.file("src/pool.test.ts", TS_TEST.replace("describe(\"pool\"", "describe(\"connection pool\""));
    t.commit("rename the block");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(findings(&doc), [finding("linked-test-moved", "src/pool.test.ts", 3)]);
    assert!(
        messages(&doc, "linked-test-moved")[0]
            .contains("was renamed to `src/pool.test.ts::connection pool > reconnects after failover`"),
        "{doc:#}"
    );

    let t = typescript_repo();
    t.remove("src/pool.test.ts");
    t.file("test/pool.spec.ts", TS_TEST);
    t.commit("move");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(findings(&doc), [finding("linked-test-moved", "test/pool.spec.ts", 3)]);
    assert!(
        messages(&doc, "linked-test-moved")[0]
            .contains("was moved to `test/pool.spec.ts::pool > reconnects after failover`")
    );
}

#[test]
fn typescript_skip_added_in_this_change_says_so() {
    let t = typescript_repo();
    t.file("src/pool.test.ts", TS_TEST.replace("it(", "it.skip("));
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(findings_past_head_base(&doc), [finding("linked-test-ignored", "src/pool.test.ts", 3)]);
    assert!(
        messages(&doc, "linked-test-ignored")[0].contains("never runs: `it.skip` (added in this change)"),
        "{doc:#}"
    );
}
