//! Java and Kotlin against what their builds really run: Surefire's and Failsafe's class
//! filters and groups, Gradle's test task filters, and the test engines beside JUnit
//! (JUnit 3, jqwik, Kotest). The sources are the shapes of junit5-samples' and gson's
//! tests; the verdicts were compared with Surefire 2.22.3 run offline (see
//! docs/languages.md).

mod common;

use common::*;
use serde_json::Value;

const POM_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>shop</artifactId>
  <version>1.0-SNAPSHOT</version>
"#;

/// A pom whose surefire plugin has `config` as its configuration (and `extra` after the
/// build, e.g. profiles).
fn pom(config: &str, extra: &str) -> String {
    format!(
        "{POM_HEAD}  <properties>\n    <junit.version>4.13.2</junit.version>\n  </properties>\n  <build>\n    <plugins>\n      <plugin>\n        <artifactId>maven-surefire-plugin</artifactId>\n        <version>3.5.3</version>\n        <configuration>\n{config}\n        </configuration>\n      </plugin>\n    </plugins>\n  </build>\n{extra}</project>\n"
    )
}

fn jupiter(class: &str, tags: &str) -> String {
    format!(
        "package com.example.project;\n\nimport org.junit.jupiter.api.Tag;\nimport org.junit.jupiter.api.Test;\n\n{tags}class {class} {{\n\n\t// incident: INC-1\n\t@Test\n\tvoid addsTwoNumbers() {{\n\t}}\n}}\n"
    )
}

fn tree() -> Tree {
    let t = Tree::new();
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t
}

/// `(rule, message)` of the findings about whether linked tests run.
fn run_findings(doc: &Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            ["linked-test-not-compiled", "linked-test-skipped-conditionally", "marker-on-non-test"]
                .contains(&f["rule"].as_str().unwrap())
        })
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["message"].as_str().unwrap().to_owned()))
        .collect()
}

fn at(doc: &Value, rule: &str) -> Vec<(String, u64)> {
    of_rule(doc, rule).iter().map(|f| (f["path"].as_str().unwrap().to_owned(), f["line"].as_u64().unwrap())).collect()
}

const T: &str = "src/test/java/com/example/project";

// incident: IG-2026-013
#[test]
fn a_class_renamed_out_of_surefires_default_includes_is_not_run() {
    let t = tree();
    t.file("pom.xml", pom("", ""));
    t.file(&format!("{T}/CalculatorTests.java"), jupiter("CalculatorTests", ""));
    let (code, doc) = t.check(&[]);
    assert_eq!(run_findings(&doc), [], "{doc:#}");
    assert_eq!(code, 0);

    t.remove(&format!("{T}/CalculatorTests.java"));
    t.file(&format!("{T}/CalculatorChecks.java"), jupiter("CalculatorChecks", ""));
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    let found = run_findings(&doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "linked-test-not-compiled");
    assert!(
        found[0].1.ends_with("is never run: Surefire runs only the classes its default includes (`**/Test*.java`, `**/*Test.java`, `**/*Tests.java`, `**/*TestCase.java`) select, and `com.example.project.CalculatorChecks` matches none of them"),
        "{}",
        found[0].1
    );
    assert_eq!(at(&doc, "linked-test-not-compiled"), [(format!("{T}/CalculatorChecks.java"), 10)]);

    // `FooIT` runs only where Failsafe is declared with an execution.
    t.remove(&format!("{T}/CalculatorChecks.java"));
    t.file(&format!("{T}/CalculatorIT.java"), jupiter("CalculatorIT", ""));
    let (_, doc) = t.check(&[]);
    assert_eq!(at(&doc, "linked-test-not-compiled"), [(format!("{T}/CalculatorIT.java"), 10)]);
    let failsafe = "      <plugin>\n        <artifactId>maven-failsafe-plugin</artifactId>\n        <executions><execution><goals><goal>integration-test</goal></goals></execution></executions>\n      </plugin>\n";
    t.file("pom.xml", pom("", "").replace("    </plugins>", &format!("{failsafe}    </plugins>")));
    let (code, doc) = t.check(&[]);
    assert_eq!(run_findings(&doc), [], "{doc:#}");
    assert_eq!(code, 0);
}

// incident: IG-2026-013
#[test]
fn includes_excludes_and_test_replace_the_defaults() {
    let t = tree();
    t.file(&format!("{T}/FirstTest.java"), jupiter("FirstTest", ""));
    t.file(&format!("{T}/OtherChecks.java"), jupiter("OtherChecks", ""));
    t.file(
        "pom.xml",
        pom("          <includes>\n            <include>**/*Checks.java</include>\n          </includes>", ""),
    );
    let (_, doc) = t.check(&[]);
    let found = run_findings(&doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains(
            "its `<includes>` (`**/*Checks.java`) select, and `com.example.project.FirstTest` matches none of them"
        ),
        "{}",
        found[0].1
    );
    assert_eq!(at(&doc, "linked-test-not-compiled"), [("pom.xml".to_owned(), 16)]);

    t.file("pom.xml", pom("          <excludes><exclude>com/example/**/First*</exclude></excludes>", ""));
    let (_, doc) = t.check(&[]);
    let found = run_findings(&doc);
    assert_eq!(found.len(), 2, "{found:?}"); // FirstTest excluded, OtherChecks not included
    assert!(
        found.iter().any(|f| f
            .1
            .contains("Surefire's `<excludes>` leave out `com.example.project.FirstTest` (`com/example/**/First*`)")),
        "{found:?}"
    );

    t.file("pom.xml", pom("          <test>OtherChecks</test>", ""));
    let (_, doc) = t.check(&[]);
    let found = run_findings(&doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains("its `<test>` (`OtherChecks`) select, and `com.example.project.FirstTest`"),
        "{}",
        found[0].1
    );
}

// incident: IG-2026-013
#[test]
fn groups_and_excluded_groups_against_tags_and_categories() {
    let t = tree();
    t.file(&format!("{T}/FirstTest.java"), jupiter("FirstTest", "@Tag(\"fast\")\n"));
    t.file(&format!("{T}/SecondTest.java"), jupiter("SecondTest", "@Tag(\"slow\")\n"));
    t.file(
        &format!("{T}/JUnit4Test.java"),
        "package com.example.project;\n\nimport org.junit.Test;\nimport org.junit.experimental.categories.Category;\n\n@Category(SlowTests.class)\npublic class JUnit4Test {\n\t// incident: INC-1\n\t@Test\n\tpublic void test() {}\n}\n",
    );
    t.file("pom.xml", pom("          <excludedGroups>slow, com.example.project.SlowTests</excludedGroups>", ""));
    let (_, doc) = t.check(&[]);
    let mut not_run: Vec<String> =
        of_rule(&doc, "linked-test-not-compiled").iter().map(|f| f["test"].as_str().unwrap().to_owned()).collect();
    not_run.sort();
    assert_eq!(
        not_run,
        [format!("{T}/JUnit4Test.java::JUnit4Test::test"), format!("{T}/SecondTest.java::SecondTest::addsTwoNumbers")]
    );
    assert!(
        of_rule(&doc, "linked-test-not-compiled")[1]["message"].as_str().unwrap().contains(
            "Surefire's `<excludedGroups>` leave out the group `slow`, which the test is in (tagged at line 6)"
        )
    );

    // A tag expression: only `fast` and what is not `slow` runs.
    t.file("pom.xml", pom("          <groups>fast &amp; !slow</groups>", ""));
    let (_, doc) = t.check(&[]);
    let mut not_run: Vec<String> =
        of_rule(&doc, "linked-test-not-compiled").iter().map(|f| f["test"].as_str().unwrap().to_owned()).collect();
    not_run.sort();
    assert_eq!(
        not_run,
        [format!("{T}/JUnit4Test.java::JUnit4Test::test"), format!("{T}/SecondTest.java::SecondTest::addsTwoNumbers")]
    );

    // From a property the pom sets: read; from one it does not: a warning on every test.
    t.file(
        "pom.xml",
        pom("          <excludedGroups>${skip.tags}</excludedGroups>", "")
            .replace("<properties>", "<properties>\n    <skip.tags>fast</skip.tags>"),
    );
    let (_, doc) = t.check(&[]);
    assert_eq!(of_rule(&doc, "linked-test-not-compiled").len(), 1);
    assert_eq!(
        of_rule(&doc, "linked-test-not-compiled")[0]["test"],
        format!("{T}/FirstTest.java::FirstTest::addsTwoNumbers")
    );
    t.file("pom.xml", pom("          <excludedGroups>${skip.tags}</excludedGroups>", ""));
    let (code, doc) = t.check(&[]);
    assert_eq!(of_rule(&doc, "linked-test-not-compiled").len(), 0);
    let warned = of_rule(&doc, "linked-test-skipped-conditionally");
    assert_eq!(warned.len(), 3);
    assert!(warned[0]["message"].as_str().unwrap().ends_with("runs only under a condition: `${skip.tags}` in Surefire's `<excludedGroups>`, a property no pom of the repository sets"), "{}", warned[0]["message"]);
    assert_eq!(code, 0);
}

// incident: IG-2026-013
#[test]
fn builds_that_cannot_be_read_are_warnings_not_verdicts() {
    let t = tree();
    t.file(&format!("{T}/FirstChecks.java"), jupiter("FirstChecks", ""));
    // A profile (CI may turn it on) sets the includes.
    let profile = "  <profiles>\n    <profile>\n      <id>ci</id>\n      <build><plugins><plugin>\n        <artifactId>maven-surefire-plugin</artifactId>\n        <configuration><includes><include>**/*Checks.java</include></includes></configuration>\n      </plugin></plugins></build>\n    </profile>\n  </profiles>\n";
    t.file("pom.xml", pom("", profile));
    let (code, doc) = t.check(&[]);
    assert_eq!(of_rule(&doc, "linked-test-not-compiled").len(), 0, "{doc:#}");
    let w = of_rule(&doc, "linked-test-skipped-conditionally");
    assert_eq!(w.len(), 1);
    assert!(
        w[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("Surefire's `<includes>` set in the profile `ci`, which incident-guard does not evaluate"),
        "{}",
        w[0]["message"]
    );
    assert_eq!(code, 0);

    // A parent pom outside the repository may configure Surefire.
    let t = tree();
    t.file(&format!("{T}/FirstTest.java"), jupiter("FirstTest", ""));
    t.file("pom.xml", pom("", "").replace("  <groupId>com.example</groupId>", "  <parent>\n    <groupId>org.springframework.boot</groupId>\n    <artifactId>spring-boot-starter-parent</artifactId>\n    <version>3.3.0</version>\n  </parent>\n  <groupId>com.example</groupId>"));
    let (_, doc) = t.check(&[]);
    let w = of_rule(&doc, "linked-test-skipped-conditionally");
    assert_eq!(w.len(), 1, "{doc:#}");
    assert!(w[0]["message"].as_str().unwrap().contains(
        "the parent pom `org.springframework.boot:spring-boot-starter-parent:3.3.0`, outside the repository"
    ));
    assert_eq!((w[0]["path"].as_str().unwrap(), w[0]["line"].as_u64().unwrap()), ("pom.xml", 4));

    // A pom that is not XML.
    t.file("pom.xml", "<project><build>");
    let (_, doc) = t.check(&[]);
    assert!(
        of_rule(&doc, "linked-test-skipped-conditionally")[0]["message"]
            .as_str()
            .unwrap()
            .contains("the build file `pom.xml`, which is not well-formed XML")
    );
}

// incident: IG-2026-013
#[test]
fn modules_read_their_nearest_pom_and_parents_in_the_repository() {
    let t = tree();
    // gson's layout: a parent pom that manages Surefire, modules that name it as parent.
    let parent = format!(
        "{POM_HEAD}  <packaging>pom</packaging>\n  <modules><module>core</module><module>extras</module></modules>\n  <build>\n    <pluginManagement>\n      <plugins>\n        <plugin>\n          <artifactId>maven-surefire-plugin</artifactId>\n          <version>3.5.6</version>\n          <configuration><excludes><exclude>**/stream/**</exclude></excludes></configuration>\n        </plugin>\n      </plugins>\n    </pluginManagement>\n  </build>\n</project>\n"
    );
    t.file("pom.xml", parent);
    let module = |name: &str| {
        format!(
            "<project>\n  <parent>\n    <groupId>com.example</groupId>\n    <artifactId>shop</artifactId>\n    <version>1.0-SNAPSHOT</version>\n  </parent>\n  <artifactId>{name}</artifactId>\n</project>\n"
        )
    };
    t.file("core/pom.xml", module("core"));
    t.file(
        "extras/pom.xml",
        module("extras").replace(
            "<version>1.0-SNAPSHOT</version>\n  </parent>",
            "<version>1.0-SNAPSHOT</version>\n    <relativePath>../nowhere/pom.xml</relativePath>\n  </parent>",
        ),
    );
    t.file(
        "core/src/test/java/com/example/stream/JsonReaderTest.java",
        jupiter("JsonReaderTest", "").replace("package com.example.project;", "package com.example.stream;"),
    );
    t.file(
        "core/src/test/java/com/example/GsonTest.java",
        jupiter("GsonTest", "").replace("package com.example.project;", "package com.example;"),
    );
    t.file(
        "extras/src/test/java/com/example/stream/ExtraTest.java",
        jupiter("ExtraTest", "").replace("package com.example.project;", "package com.example.stream;"),
    );
    // A test moved out of the test sources is never compiled by Maven.
    t.file(
        "core/src/main/java/com/example/MovedTest.java",
        jupiter("MovedTest", "").replace("package com.example.project;", "package com.example;"),
    );
    let (_, doc) = t.check(&[]);
    let found: Vec<(String, String)> = run_findings(&doc);
    let ids: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "linked-test-not-compiled" || f["rule"] == "linked-test-skipped-conditionally")
        .map(|f| format!("{} {}", f["rule"].as_str().unwrap(), f["test"].as_str().unwrap()))
        .collect();
    assert_eq!(
        ids,
        [
            "linked-test-not-compiled core/src/main/java/com/example/MovedTest.java::MovedTest::addsTwoNumbers",
            "linked-test-not-compiled core/src/test/java/com/example/stream/JsonReaderTest.java::JsonReaderTest::addsTwoNumbers",
            // extras names a parent path that holds no pom: its parent is outside.
            "linked-test-skipped-conditionally extras/src/test/java/com/example/stream/ExtraTest.java::ExtraTest::addsTwoNumbers",
        ],
        "{found:?}"
    );
    assert!(found.iter().any(|f| {
        f.1.contains("Surefire's `<excludes>` leave out `com.example.stream.JsonReaderTest` (`**/stream/**`)")
    }));
    assert!(found.iter().any(|f| {
        f.1.contains("Maven compiles and runs only the module's test sources (`src/test/java`, in `core/pom.xml`)")
    }));
}

const GRADLE_TEST: &str = "package com.example.project;\n\nimport org.junit.jupiter.api.Tag;\nimport org.junit.jupiter.api.Test;\n\nclass OtherChecks {\n\t// incident: INC-1\n\t@Test\n\tvoid plain() {}\n\n\t// incident: INC-1\n\t@Test\n\t@Tag(\"slow\")\n\tvoid aSlowTest() {}\n}\n";

// incident: IG-2026-013
#[test]
fn gradle_runs_every_class_unless_its_test_task_filters() {
    let t = tree();
    t.file(&format!("{T}/OtherChecks.java"), GRADLE_TEST);
    // junit5-samples' junit-migration-gradle: `excludeTags 'slow'`; names do not matter.
    t.file("build.gradle", "plugins {\n\tid 'java'\n}\n\ntest {\n\tuseJUnitPlatform {\n\t\t// includeTags 'fast'\n\t\texcludeTags 'slow'\n\t}\n\ttestLogging {\n\t\tevents 'passed'\n\t}\n}\n");
    let (_, doc) = t.check(&[]);
    let found = run_findings(&doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.ends_with("is never run: the `test` task excludes tests tagged `slow`, and this test is one"),
        "{}",
        found[0].1
    );
    assert_eq!(at(&doc, "linked-test-not-compiled"), [("build.gradle".to_owned(), 8)]);

    // Kotlin DSL: include patterns on class files, and the test filter.
    t.remove("build.gradle");
    t.file(
        "build.gradle.kts",
        "plugins { java }\n\ntasks.test {\n    useJUnitPlatform()\n    include(\"**/*Test.class\")\n}\n",
    );
    let (_, doc) = t.check(&[]);
    let found = run_findings(&doc);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].1.contains("the `test` task includes only `**/*Test.class`, and `com/example/project/OtherChecks.class` matches none of them"), "{}", found[0].1);
    t.file("build.gradle.kts", "tasks.named<Test>(\"test\") {\n    useJUnitPlatform()\n    filter {\n        excludeTestsMatching(\"*.OtherChecks.plain\")\n    }\n}\n");
    let (_, doc) = t.check(&[]);
    let found = run_findings(&doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("filter excludes tests matching `*.OtherChecks.plain`"), "{}", found[0].1);

    // Values computed at configuration time: a warning.
    t.file("build.gradle.kts", "val slow = System.getenv(\"SLOW\")\ntasks.test {\n    useJUnitPlatform {\n        excludeTags(slow)\n    }\n}\n");
    let (code, doc) = t.check(&[]);
    let found = run_findings(&doc);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|f| f.0 == "linked-test-skipped-conditionally" && f.1.ends_with("the `test` task's `excludeTags` with a value computed at build time (not a literal, or under a condition)")), "{found:?}");
    assert_eq!(code, 0);
}

// incident: IG-2026-013
#[test]
fn gradle_builds_with_other_test_tasks_or_convention_plugins_are_warnings() {
    let t = tree();
    t.file(&format!("{T}/OtherChecks.java"), GRADLE_TEST.replace("\t@Tag(\"slow\")\n", ""));
    // junit5-samples' junit-multiple-engines: `test` excludes everything, a console
    // launcher task runs the tests.
    t.file(
        "build.gradle.kts",
        "tasks {\n    val consoleLauncherTest by registering(JavaExec::class) {\n        mainClass.set(\"org.junit.platform.console.ConsoleLauncher\")\n        args(\"--include-classname\", \".*((Tests?)|(Spec))$\")\n    }\n\n    test {\n        dependsOn(consoleLauncherTest)\n        exclude(\"**/*\")\n    }\n}\n",
    );
    let (code, doc) = t.check(&[]);
    let found = run_findings(&doc);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].1.contains("another task that runs tests (`build.gradle.kts`, line 3), which incident-guard does not read, while the `test` task does not run it: the `test` task excludes `**/*`"), "{}", found[0].1);
    assert!(found.iter().all(|f| f.0 == "linked-test-skipped-conditionally"));
    assert_eq!(code, 0);

    t.file("build.gradle.kts", "plugins { id(\"shop.java-conventions\") }\n");
    t.file(
        "buildSrc/src/main/kotlin/shop.java-conventions.gradle.kts",
        "tasks.test {\n    useJUnitPlatform { excludeTags(\"slow\") }\n}\n",
    );
    let (_, doc) = t.check(&[]);
    let w = of_rule(&doc, "linked-test-skipped-conditionally");
    assert_eq!(w.len(), 2, "{doc:#}");
    assert_eq!(w[0]["path"], "buildSrc/src/main/kotlin/shop.java-conventions.gradle.kts");
}

// incident: IG-2026-013
#[test]
fn junit3_jqwik_theories_and_kotest_tests_are_linked_tests() {
    let t = tree();
    t.file("build.gradle.kts", "tasks.test { useJUnitPlatform() }\n");
    t.file(
        "src/test/java/junit/vintage/JUnit3Test.java",
        "package junit.vintage;\n\nimport junit.framework.TestCase;\n\npublic class JUnit3Test extends TestCase {\n\n\t// incident: INC-1\n\tpublic void test() {\n\t\tassertEquals(3, 1 + 2);\n\t}\n}\n",
    );
    t.file(
        "src/test/java/jqwik/JQwikTest.java",
        "package jqwik;\n\nimport net.jqwik.api.*;\n\nclass JQwikTest {\n\t// incident: INC-1\n\t@Property(tries = 10)\n\t@Label(\"Hello from JQwik!\")\n\tboolean helloFromJQwik(@ForAll int aNumber) {\n\t\treturn true;\n\t}\n}\n",
    );
    t.file(
        "src/test/kotlin/kotest/KotestSpec.kt",
        "package kotest\n\nimport io.kotest.core.spec.style.StringSpec\nimport io.kotest.matchers.shouldBe\n\nclass KotestSpec : StringSpec({\n  // incident: INC-1\n  \"1 + 2 should be 3\" {\n    1 + 2 shouldBe 3\n  }\n  // incident: INC-1\n  \"!not yet\" { }\n})\n",
    );
    t.file(
        "src/test/kotlin/kotest/CartSpec.kt",
        "package kotest\n\nclass CartSpec : FunSpec() {\n    init {\n        // incident: INC-1\n        context(\"totals\") {\n            test(\"rounds half up\") { }\n            xtest(\"in cents\") { }\n        }\n    }\n}\n",
    );
    let (_, doc) = t.check(&[]);
    assert_eq!(run_findings(&doc), [], "{doc:#}");
    assert_eq!(
        tests_of(&doc, "INC-1"),
        [
            "src/test/java/jqwik/JQwikTest.java::JQwikTest::helloFromJQwik",
            "src/test/java/junit/vintage/JUnit3Test.java::JUnit3Test::test",
            "src/test/kotlin/kotest/CartSpec.kt::CartSpec::totals -- rounds half up",
            "src/test/kotlin/kotest/CartSpec.kt::CartSpec::totals -- in cents",
            "src/test/kotlin/kotest/KotestSpec.kt::KotestSpec::1 + 2 should be 3",
            "src/test/kotlin/kotest/KotestSpec.kt::KotestSpec::!not yet",
        ]
    );
    let ignored: Vec<(String, u64)> = at(&doc, "linked-test-ignored");
    assert_eq!(
        ignored,
        [("src/test/kotlin/kotest/CartSpec.kt".to_owned(), 8), ("src/test/kotlin/kotest/KotestSpec.kt".to_owned(), 12)]
    );
}

// incident: IG-2026-013
#[test]
fn tags_inherited_from_superclasses_in_other_files_count() {
    let t = tree();
    // JUnit 5's `@Tag` is inherited: a base class in another file, of another package.
    t.file(
        "src/test/java/com/example/support/SlowBase.java",
        "package com.example.support;\n\nimport org.junit.jupiter.api.Tag;\n\n@Tag(\"slow\")\npublic abstract class SlowBase {}\n",
    );
    t.file(
        "src/test/java/com/example/support/Middle.java",
        "package com.example.support;\n\npublic abstract class Middle extends SlowBase {}\n",
    );
    t.file(
        &format!("{T}/CartTest.java"),
        jupiter("CartTest", "").replace("class CartTest {", "class CartTest extends Middle {").replace(
            "import org.junit.jupiter.api.Test;",
            "import org.junit.jupiter.api.Test;\nimport com.example.support.Middle;",
        ),
    );
    // A framework's base class outside the repository adds no tag.
    t.file(
        &format!("{T}/OrderTest.java"),
        jupiter("OrderTest", "")
            .replace("class OrderTest {", "class OrderTest extends org.springframework.test.AbstractTests {"),
    );
    t.file("pom.xml", pom("          <excludedGroups>slow</excludedGroups>", ""));
    let (_, doc) = t.check(&[]);
    let not_run: Vec<&str> =
        of_rule(&doc, "linked-test-not-compiled").iter().map(|f| f["test"].as_str().unwrap()).collect();
    assert_eq!(not_run, [format!("{T}/CartTest.java::CartTest::addsTwoNumbers")], "{doc:#}");
    t.file("pom.xml", pom("          <groups>slow</groups>", ""));
    let (_, doc) = t.check(&[]);
    let not_run: Vec<&str> =
        of_rule(&doc, "linked-test-not-compiled").iter().map(|f| f["test"].as_str().unwrap()).collect();
    assert_eq!(not_run, [format!("{T}/OrderTest.java::OrderTest::addsTwoNumbers")], "{doc:#}");
}

// incident: IG-2026-013
#[test]
fn testng_groups_are_groups_and_kotest_tags_are_not_read() {
    let t = tree();
    t.file(
        "src/test/java/testng/TestNGTests.java",
        "package testng;\n\nimport org.testng.annotations.Test;\n\npublic class TestNGTests {\n\t// incident: INC-1\n\t@Test(groups = {\"slow\", \"db\"})\n\tpublic void test1() {}\n\n\t// incident: INC-1\n\t@Test(groups = \"fast\")\n\tpublic void test2() {}\n}\n",
    );
    t.file(
        "src/test/kotlin/kotest/KotestTest.kt",
        "package kotest\n\nclass KotestTest : StringSpec({\n  // incident: INC-1\n  \"adds\" { }\n})\n",
    );
    t.file("pom.xml", pom("          <excludedGroups>db</excludedGroups>", ""));
    let (code, doc) = t.check(&[]);
    let not_run: Vec<&str> =
        of_rule(&doc, "linked-test-not-compiled").iter().map(|f| f["test"].as_str().unwrap()).collect();
    assert_eq!(not_run, ["src/test/java/testng/TestNGTests.java::TestNGTests::test1"], "{doc:#}");
    let w = of_rule(&doc, "linked-test-skipped-conditionally");
    assert_eq!(w.len(), 1, "{doc:#}");
    assert!(
        w[0]["message"].as_str().unwrap().ends_with(
            "Surefire's `<excludedGroups>`, against a Kotest test whose Kotest tags incident-guard does not read"
        ),
        "{}",
        w[0]["message"]
    );
    assert_eq!(code, 1);
}
