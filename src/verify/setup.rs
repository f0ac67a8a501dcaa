//! A run that failed before any test ran says nothing about the test: a missing runner, a
//! dependency the environment lacks, a lock file cargo may not write, a pytest plugin the
//! old `conftest.py` predates, a tool that does not compile. Such a run is `not-runnable`,
//! with the first line of its output that says why, never `does-not-catch` or
//! `fails-with-fix`. This module reads those failures per language and runner, tells
//! which files of a fix are dependency manifests (a fix that adds a dependency needs an
//! environment that has it), and parses `[verify] setup`.

/// Why a run failed before its test ran: the first line that says so. `local` tells
/// whether a top-level module or package name is the checkout's own (a module the fix
/// added is missing without it: that is the test not building, not the environment).
/// `under_test` is the cargo package the test belongs to.
pub fn pre_test_failure(
    language: &str,
    output: &str,
    local: &dyn Fn(&str) -> bool,
    under_test: Option<&str>,
) -> Option<String> {
    let lines: Vec<&str> = output.lines().map(str::trim_end).collect();
    let first = |pred: &dyn Fn(&str) -> bool| lines.iter().find(|l| pred(l.trim())).map(|l| l.trim().to_owned());
    // Any language: the program or a tool it starts is not installed.
    if let Some(l) =
        first(&|l| l.ends_with(": command not found") || (l.starts_with("sh: ") && l.ends_with(": not found")))
    {
        return Some(l);
    }
    match language {
        "rust" => first(&|l| {
            l.contains("cannot create the lock file")
                || l.contains("the lock file") && l.contains("needs to be updated but --locked was passed")
                || l.contains("failed to select a version for")
                || l.contains("no matching package named")
                || l.contains("failed to get `") && l.contains("as a dependency")
                || l.contains("failed to download")
                || l.contains("failed to load source for dependency")
                || l.contains("could not find `Cargo.toml`")
                || l.starts_with("error: no such command")
                || l.contains("requires rustc") && l.contains("or newer")
                || l.starts_with("error: failed to parse manifest")
                || l.starts_with("error: failed to parse lock file")
        })
        .or_else(|| {
            // A compile error in a package other than the one under test: a dependency or
            // a build tool that does not build with this toolchain.
            let under = under_test?;
            lines.iter().find_map(|l| {
                let name = l.trim().strip_prefix("error: could not compile `")?.split('`').next()?;
                (name != under && name.replace('-', "_") != under.replace('-', "_")).then(|| {
                    let cause = lines.iter().find(|e| e.trim_start().starts_with("error[E")).map(|e| e.trim());
                    match cause {
                        Some(c) => format!("{} ({c})", l.trim()),
                        None => l.trim().to_owned(),
                    }
                })
            })
        }),
        "python" => {
            if let Some(l) = first(&|l| l.contains("No module named pytest") || l.contains("No module named 'pytest'"))
            {
                return Some(l);
            }
            // A module that is not the checkout's: a dependency this environment lacks.
            if let Some(l) = first(&|l| {
                let Some(rest) = l.split("ModuleNotFoundError: No module named ").nth(1) else { return false };
                let name = rest.trim_matches(|c| c == '\'' || c == '"').split('.').next().unwrap_or("");
                !name.is_empty() && !local(name)
            }) {
                return Some(l);
            }
            first(&|l| {
                l.starts_with("ImportError while loading conftest")
                    || l.contains("PluginValidationError")
                    || l.starts_with("INTERNALERROR>")
                    || l.contains("error: unrecognized arguments:")
                    || l.starts_with("ERROR: usage:")
                    || l.contains("pluggy") && l.contains("Error")
                    || l.contains("PytestRemovedIn") && l.contains("Error")
                    || l.contains("Unknown config option") && l.contains("ERROR")
            })
        }
        "javascript" => first(&|l| {
            let bare = |spec: &str| !spec.starts_with('.') && !spec.starts_with('/') && !spec.is_empty();
            if let Some(rest) = l.split("Cannot find module '").nth(1) {
                return bare(rest.split('\'').next().unwrap_or(""));
            }
            if let Some(rest) = l.split("Cannot find package '").nth(1) {
                return bare(rest.split('\'').next().unwrap_or(""));
            }
            l.starts_with("npm ERR! missing script") || l.starts_with("npm error Missing script")
        }),
        "java" => first(&|l| {
            l.contains("Could not resolve dependencies")
                || l.contains("Could not transfer artifact")
                || l.contains("Plugin ") && l.contains("could not be resolved")
                || l.contains("Unsupported class file major version")
                || l.contains("release version") && l.contains("not supported")
                || l.contains("Could not find or load main class")
                || l.contains("Could not resolve all files for configuration")
                || l.contains("Could not determine java version")
        }),
        "go" => first(&|l| {
            l.contains("updates to go.mod needed")
                || l.contains("missing go.sum entry")
                || l.contains("cannot find module providing package")
                || l.contains("go.mod requires go >=")
                || l.contains("toolchain not available")
                || l.starts_with("go: downloading") && l.contains("error")
        }),
        _ => None,
    }
}

/// The first line of a failed run that says what failed: what both sides of a pair are
/// compared by, with numbers and paths of the worktree left as they are.
pub fn first_error_line(output: &str) -> Option<String> {
    output
        .lines()
        .map(str::trim)
        .find(|l| {
            let lower = l.to_ascii_lowercase();
            lower.starts_with("error") || lower.contains("error:") || lower.contains("exception")
        })
        .map(str::to_owned)
}

pub use crate::paths::is_dependency_manifest;

pub use crate::config::setup_words as words;

#[cfg(test)]
mod tests {
    use super::*;

    fn never(_: &str) -> bool {
        false
    }

    #[test]
    fn failures_before_any_test_ran_are_read_per_runner() {
        let lock = "    Updating crates.io index\nerror: cannot create the lock file /w/Cargo.lock because --locked was passed to prevent this\nhelp: to generate the lock file without accessing the network, remove the --locked flag";
        assert_eq!(
            pre_test_failure("rust", lock, &never, Some("semver")).as_deref(),
            Some("error: cannot create the lock file /w/Cargo.lock because --locked was passed to prevent this")
        );
        let dep = "error[E0658]: use of unstable library feature\nerror: could not compile `serde` (lib) due to 1 previous error";
        assert!(
            pre_test_failure("rust", dep, &never, Some("semver"))
                .unwrap()
                .starts_with("error: could not compile `serde`")
        );
        let own = "error[E0425]: cannot find function `retry`\nerror: could not compile `payments` (test \"retry\")";
        assert_eq!(pre_test_failure("rust", own, &never, Some("payments")), None, "the test itself does not build");
        let failed = "thread 'reads' panicked at tests/a.rs:3:5:\nNo such file or directory (os error 2)\ntest result: FAILED. 0 passed; 1 failed";
        assert_eq!(pre_test_failure("rust", failed, &never, Some("payments")), None, "a test that failed is a verdict");
        assert_eq!(
            pre_test_failure("python", "/v/bin/python: No module named pytest", &never, None).as_deref(),
            Some("/v/bin/python: No module named pytest")
        );
        let local = |n: &str| n == "shop";
        let missing_dep = "E   ModuleNotFoundError: No module named 'attrs'";
        assert_eq!(
            pre_test_failure("python", missing_dep, &local, None).as_deref(),
            Some("E   ModuleNotFoundError: No module named 'attrs'")
        );
        let new_module = "E   ModuleNotFoundError: No module named 'shop.cap'";
        assert_eq!(pre_test_failure("python", new_module, &local, None), None, "a module the fix added");
        assert!(
            pre_test_failure("python", "ImportError while loading conftest '/w/tests/conftest.py'.", &never, None)
                .is_some()
        );
        assert!(pre_test_failure("python", "1 failed in 0.1s", &never, None).is_none());
        assert!(pre_test_failure("javascript", "Error: Cannot find module 'lodash'", &never, None).is_some());
        assert!(pre_test_failure("javascript", "Error: Cannot find module '../src/cart.mjs'", &never, None).is_none());
        assert!(pre_test_failure("go", "go: updates to go.mod needed; to update it:", &never, None).is_some());
        assert!(
            pre_test_failure(
                "java",
                "[ERROR] Failed to execute goal on project x: Could not resolve dependencies for project",
                &never,
                None
            )
            .is_some()
        );
    }

    #[test]
    fn setup_commands_split_at_whitespace_keeping_quoted_words() {
        assert_eq!(words("pip install -e ."), ["pip", "install", "-e", "."]);
        assert_eq!(words("sh -c \"npm ci && npm run build\""), ["sh", "-c", "npm ci && npm run build"]);
        assert_eq!(words("  mvn -q  install -DskipTests ''"), ["mvn", "-q", "install", "-DskipTests", ""]);
    }

    #[test]
    fn dependency_manifests_are_known_per_ecosystem() {
        for p in ["requirements-dev.txt", "a/pyproject.toml", "package.json", "Cargo.toml", "go.mod", "core/pom.xml"] {
            assert!(is_dependency_manifest(p), "{p}");
        }
        for p in ["src/lib.rs", "requirements.md", "tests/test_a.py"] {
            assert!(!is_dependency_manifest(p), "{p}");
        }
    }
}
