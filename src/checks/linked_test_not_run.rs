//! A linked test the test results do not hold never ran in this pipeline: the results
//! cover its language (and, for Rust, its crate), and it is not among them. The source
//! said it would run; the run says it did not.

use super::Context;
use crate::finding::{Finding, code};
use crate::results::Status;
use crate::rules::Rule;

pub struct Check;

/// Why a test of each language usually stands in the source and not in the run.
fn usual_causes(language: &str) -> &'static str {
    match language {
        "rust" => {
            "a `#[cfg(…)]` that did not hold on the runner (`windows`, `loom`, `miri`, a feature not enabled), a test filter or `--skip`, a package left out (`--exclude`, no `-p`, `--workspace` missing), `required-features` on its target, or a macro that renames it"
        }
        "python" => {
            "a `-k` or `-m` expression, `--ignore` or `--deselect`, `collect_ignore` in a conftest.py, `testpaths`, or an error importing its module"
        }
        "go" => {
            "a build tag (`//go:build integration`) not passed with `-tags`, a `-run` or `-skip` pattern, a `_GOOS` or `_GOARCH` file suffix, or a package left out of the `go test` command"
        }
        "javascript" => {
            "`testPathIgnorePatterns` or `testMatch` (Jest), `include` or `exclude` (Vitest), `testIgnore` (Playwright), a `-t`/`--testNamePattern` filter, an `.only` elsewhere in its file, or a file the test command does not name"
        }
        _ => {
            "Surefire's `includes`, `excludes` or `-Dtest=`, a JUnit tag filter (`groups`, `excludedGroups`), a Gradle test `filter`, or a source set that is not built"
        }
    }
}

/// A language as prose names it: `Go`, `Rust`.
fn display_name(language: &str) -> &str {
    match language {
        "rust" => "Rust",
        "python" => "Python",
        "go" => "Go",
        "javascript" => "JavaScript",
        "java" => "Java",
        other => other,
    }
}

/// `` `a.xml` ``, `` `a.xml` and `b.xml` ``, `` `a.xml`, `b.xml` and 3 more files ``.
pub fn files_read(files: &[String]) -> String {
    let shown: Vec<String> = files.iter().take(2).map(|f| code(f)).collect();
    match files.len() {
        0 => "no file".to_owned(),
        1 => shown[0].clone(),
        2 => format!("{} and {}", shown[0], shown[1]),
        n => format!("{}, {} and {} more files", shown[0], shown[1], n - 2),
    }
}

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::LinkedTestNotRun
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let Some(runs) = &cx.model.runs else { return };
        // A result file with no test case at all covers nothing (pytest's `--co` writes
        // one): with linked tests in a language a file of its kind holds results for
        // (JUnit XML: any; `go test -json`: Go; libtest: Rust), it is an error of its own,
        // never a quiet pass.
        let language = |t: &crate::scan::TestCase| crate::scan::language_for(&t.loc.path).map(|l| l.name());
        for empty in &runs.empty {
            let linked =
                cx.model.linked_tests().filter(|t| language(t).is_some_and(|l| empty.covers.contains(&l))).count();
            if linked == 0 {
                continue;
            }
            let kind = if empty.covers == crate::config::LANGUAGE_NAMES {
                String::new()
            } else {
                let names: Vec<&str> = empty.covers.iter().map(|l| display_name(l)).collect();
                format!(" {}", names.join(" or "))
            };
            out.push(
                Finding::new(
                    Rule::LinkedTestNotRun,
                    format!(
                        "the test results {} hold no test case: no linked test ran in them ({linked} linked{kind} test{} to check)",
                        code(&empty.file),
                        if linked == 1 { "" } else { "s" }
                    ),
                )
                .in_file(&empty.file)
                .help("a report with no test case covers nothing; usual causes: a collect-only run (pytest's `--co` or `--collect-only` in `addopts`), a filter that matched no test, or a test command that ran nothing. Give the results of a run that ran the tests"),
            );
        }
        for test in cx.model.linked_tests() {
            let Some(run) = runs.tests.get(&test.id).filter(|r| r.status == Status::NotRun) else { continue };
            // Never run by its own source's account: `linked-test-ignored` and
            // `linked-test-not-compiled` already say so.
            if test.ignored.is_some() || cx.model.not_run.iter().any(|v| v.test == test.id) {
                continue;
            }
            let condition = test
                .conditional_skip
                .as_ref()
                .map(|s| format!("it runs only under {}, which did not hold in this run; ", s.what))
                .unwrap_or_default();
            for link in &test.links {
                out.push(
                    Finding::new(
                        Rule::LinkedTestNotRun,
                        format!(
                            "test {}, linked to {}, did not run: no result in {} is {}",
                            code(&test.id),
                            link.incident,
                            files_read(&runs.files),
                            run.looked_for
                        ),
                    )
                    .at(&test.loc)
                    .incident(&link.incident)
                    .test(&test.id)
                    .help(format!(
                        "{condition}a regression test that does not run guards nothing; usual causes: {}. Run it in a CI job whose results are given here, or retire it in the postmortem's `retired_tests`",
                        usual_causes(run.language)
                    )),
                );
            }
        }
    }
}
