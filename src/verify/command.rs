//! How one test is run alone, per language: the command (the config's `[verify]`, else a
//! built-in default), the directory it runs in, its placeholders filled in from the
//! test's identity and, for Rust, from the module mapping that decides whether the test
//! is compiled at all (package, target, module path). And how to read what it did: a
//! command that ran no test, or whose code did not build, is told apart from one whose
//! test failed, since each means something else about the test.

use crate::config::VerifyConfig;
use crate::scan::TestCase;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The built-in command of a language, when it has one. JavaScript and Java projects run
/// their tests with too many different tools to guess one.
pub fn default_command(language: &str) -> Option<&'static [&'static str]> {
    Some(match language {
        "rust" => &["cargo", "test", "--locked", "-p", "{crate}", "{target_flags}", "--", "--exact", "{name}"],
        "python" => &["python", "-m", "pytest", "{node_id}"],
        "go" => &["go", "test", "./{pkg_dir}", "-run", "^{name}$", "-count=1"],
        _ => return None,
    })
}

/// A command ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub argv: Vec<String>,
    /// Absolute.
    pub dir: PathBuf,
    /// Relative to the checked directory, for reports (`.` for itself).
    pub dir_rel: String,
}

/// Why a test cannot be run, and what would make it runnable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotRunnable {
    pub why: String,
    pub help: String,
}

/// The command that runs `test` alone in the checkout whose checked directory is `root`.
pub fn prepare(config: &VerifyConfig, root: &Path, test: &TestCase) -> Result<Prepared, NotRunnable> {
    let language = crate::scan::language_for(&test.loc.path).map_or("unknown", |l| l.name());
    let template: Vec<String> = match config.commands.get(language) {
        Some(words) => words.clone(),
        None => match default_command(language) {
            Some(words) => words.iter().map(|w| (*w).to_owned()).collect(),
            None => {
                return Err(NotRunnable {
                    why: format!("there is no command for {language} tests"),
                    help: example(language),
                });
            }
        },
    };
    let (dir, values, flags) = values(language, root, test)?;
    let mut argv = Vec::new();
    for word in &template {
        if word == "{target_flags}" {
            argv.extend(flags.iter().cloned());
            continue;
        }
        argv.push(fill(word, &values).map_err(|name| NotRunnable {
            why: format!("the {language} command uses `{{{name}}}`, which has no value for a {language} test"),
            help: format!("see the placeholders of `[verify]` in docs/config.md; {}", example(language)),
        })?);
    }
    let dir_rel = crate::paths::relative(root, &dir);
    Ok(Prepared { argv, dir, dir_rel })
}

/// A config line that gives `language` a command.
fn example(language: &str) -> String {
    let line = match language {
        "javascript" => {
            r#"javascript = ["node", "--test", "--test-name-pattern", "{title_regex}", "{file}"] (or ["npx", "vitest", "run", "{file}", "-t", "{title}"], ["npx", "jest", "{file}", "-t", "{title}"])"#
        }
        "java" => {
            r#"java = ["gradle", "test", "--tests", "{class}.{method}"] (or ["mvn", "-q", "test", "-Dtest={class}#{method}"])"#
        }
        _ => return "give the language a command in `[verify]` of the config".to_owned(),
    };
    format!("set it in `[verify]` of the config, e.g. `{line}`")
}

/// `word` with its placeholders replaced; `{{` and `}}` are literal braces. The name of a
/// placeholder without a value, if there is one.
fn fill(word: &str, values: &HashMap<&'static str, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(after) = tail.strip_prefix('}') {
            out.push('}');
            rest = after;
            continue;
        }
        let Some(close) = tail.find('}') else {
            out.push_str(tail);
            rest = "";
            break;
        };
        let name = &tail[1..close];
        match values.get(name) {
            Some(v) => out.push_str(v),
            None => return Err(name.to_owned()),
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The nearest directory at or above the test's file, inside `root`, holding one of
/// `markers`; `root` itself when none does.
fn project_dir(root: &Path, file: &str, markers: &[&str]) -> PathBuf {
    let path = root.join(file);
    for dir in path.ancestors().skip(1) {
        if !dir.starts_with(root) {
            break;
        }
        if markers.iter().any(|m| dir.join(m).is_file()) {
            return dir.to_path_buf();
        }
    }
    root.to_path_buf()
}

type Values = (PathBuf, HashMap<&'static str, String>, Vec<String>);

/// The directory a test's command runs in, its placeholders' values, and the words
/// `{target_flags}` stands for.
fn values(language: &str, root: &Path, test: &TestCase) -> Result<Values, NotRunnable> {
    let file = test.loc.path.as_str();
    // The identity's parts after the file: modules or classes, then the name.
    let scope: Vec<&str> = test
        .id
        .strip_prefix(file)
        .and_then(|r| r.strip_prefix("::"))
        .map_or_else(|| vec![test.name.as_str()], |r| r.split("::").collect());
    let mut v: HashMap<&'static str, String> = HashMap::new();
    let rel_to = |dir: &Path| crate::paths::relative(dir, &root.join(file));
    let (dir, flags) = match language {
        "rust" => {
            let place = crate::reach::rust::place(root, file).map_err(|why| NotRunnable {
                why,
                help: "declare the test's file in a cargo target whose tests run (see linked-test-not-compiled)".into(),
            })?;
            let mut path: Vec<&str> = place.modules.iter().map(String::as_str).collect();
            path.extend(scope.iter().copied());
            v.insert("name", path.join("::"));
            v.insert("crate", place.package.clone());
            (place.manifest_dir, place.target_flags)
        }
        "python" => {
            v.insert("node_id", test.id.clone());
            v.insert("name", test.name.clone());
            (root.to_path_buf(), Vec::new())
        }
        "go" => {
            let dir = project_dir(root, file, &["go.mod"]);
            let pkg = root.join(file).parent().map_or_else(|| ".".to_owned(), |p| crate::paths::relative(&dir, p));
            v.insert("pkg_dir", if pkg.is_empty() { ".".to_owned() } else { pkg });
            v.insert("name", test.name.clone());
            (dir, Vec::new())
        }
        "javascript" => {
            let titles: Vec<&str> = test.name.split(" > ").collect();
            let own = titles.last().copied().unwrap_or("");
            v.insert("name", own.to_owned());
            v.insert("title", titles.join(" "));
            v.insert("title_regex", format!("^{}$", regex::escape(own)));
            (project_dir(root, file, &["package.json"]), Vec::new())
        }
        "java" => {
            let dir = project_dir(
                root,
                file,
                &["pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"],
            );
            v.insert("class", java_class(file, &scope));
            v.insert("method", test.name.clone());
            v.insert("name", test.name.clone());
            (dir, Vec::new())
        }
        other => {
            return Err(NotRunnable { why: format!("{other} tests cannot be run"), help: String::new() });
        }
    };
    v.insert("file", rel_to(&dir));
    Ok((dir, v, flags))
}

/// A Java or Kotlin test's class as test filters name it: the package from the path
/// below a `java` or `kotlin` source directory (`src/test/java/shop/CartTest.java` →
/// `shop.CartTest`), nested classes joined with `$`.
fn java_class(file: &str, scope: &[&str]) -> String {
    let parts: Vec<&str> = file.split('/').collect();
    let start = parts.iter().rposition(|p| *p == "java" || *p == "kotlin").map_or(parts.len() - 1, |i| i + 1);
    let mut package: Vec<&str> = parts[start.min(parts.len() - 1)..parts.len() - 1].to_vec();
    let classes = &scope[..scope.len().saturating_sub(1)];
    let class = if classes.is_empty() {
        let stem = parts[parts.len() - 1];
        stem.rsplit_once('.').map_or(stem, |(s, _)| s).to_owned()
    } else {
        classes.join("$")
    };
    package.push(&class);
    package.join(".")
}

/// What a finished run showed, read from its exit status and output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
    /// The code did not build (compile errors, an import that fails at collection).
    DidNotBuild,
    /// The command selected no test: it passed, having checked nothing.
    RanNoTest,
    TimedOut,
}

/// Reads a run: its exit status (`None` when it did not exit by itself) and output.
pub fn verdict(language: &str, status: Option<i32>, timed_out: bool, output: &str) -> Verdict {
    if timed_out {
        return Verdict::TimedOut;
    }
    let has = |needles: &[&str]| needles.iter().any(|n| output.contains(n));
    let line = |re: &str| regex::Regex::new(re).is_ok_and(|r| r.is_match(output));
    // Each runner's way of saying that its filter matched nothing.
    let no_test = match language {
        "rust" => {
            (line(r"(?m)^running 0 tests$") && !line(r"(?m)^running [1-9][0-9]* tests?$")) || has(&["no tests to run"])
        }
        "python" => status == Some(5) || has(&["no tests ran"]),
        "go" => has(&["no tests to run"]),
        "javascript" => {
            (line(r"(?m)^# pass 0$") && line(r"(?m)^# fail 0$")) || has(&["No tests found", "No test files found"])
        }
        "java" => has(&["No tests found", "No tests were executed", "No tests matching"]),
        _ => false,
    };
    let build = match language {
        "rust" => has(&["error: could not compile"]) || line(r"(?m)^error\[E[0-9]+\]"),
        // An import that fails stops collection: exit status 2, or 4 when the node id then
        // names nothing collected.
        "python" => matches!(status, Some(2 | 4)) && has(&["ERROR collecting", "error during collection"]),
        "go" => has(&["[build failed]", "[setup failed]"]),
        "javascript" => has(&["does not provide an export named", "ERR_MODULE_NOT_FOUND", "Cannot find module"]),
        "java" => {
            has(&["COMPILATION ERROR", "Compilation failed", "compileTestJava FAILED", "compileTestKotlin FAILED"])
        }
        _ => false,
    };
    match status {
        Some(0) if no_test => Verdict::RanNoTest,
        Some(0) => Verdict::Passed,
        _ if build => Verdict::DidNotBuild,
        _ if no_test => Verdict::RanNoTest,
        _ => Verdict::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values_of(pairs: &[(&'static str, &str)]) -> HashMap<&'static str, String> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }

    #[test]
    fn placeholders_fill_inside_words_and_braces_can_be_doubled() {
        let v = values_of(&[("name", "TestRetry"), ("class", "shop.CartTest"), ("method", "once")]);
        assert_eq!(fill("^{name}$", &v), Ok("^TestRetry$".to_owned()));
        assert_eq!(fill("-Dtest={class}#{method}", &v), Ok("-Dtest=shop.CartTest#once".to_owned()));
        assert_eq!(fill("a{{2}}", &v), Ok("a{2}".to_owned()));
        assert_eq!(fill("{crate}", &v), Err("crate".to_owned()));
    }

    #[test]
    fn java_classes_come_from_the_source_directory_and_nesting() {
        assert_eq!(java_class("src/test/java/shop/CartTest.java", &["CartTest", "once"]), "shop.CartTest");
        assert_eq!(java_class("src/test/kotlin/a/B.kt", &["B", "Inner", "t"]), "a.B$Inner");
        assert_eq!(java_class("CartTest.java", &["once"]), "CartTest");
    }

    #[test]
    fn runs_are_read_as_their_runners_report() {
        let rust_ok = "running 1 test\ntest a ... ok\n\ntest result: ok. 1 passed; 0 failed";
        assert_eq!(verdict("rust", Some(0), false, rust_ok), Verdict::Passed);
        assert_eq!(verdict("rust", Some(0), false, "running 0 tests\n\ntest result: ok. 0 passed"), Verdict::RanNoTest);
        assert_eq!(verdict("rust", Some(101), false, "running 1 test\ntest a ... FAILED"), Verdict::Failed);
        let compile = "error[E0425]: cannot find function `retry` in this scope\nerror: could not compile `p`";
        assert_eq!(verdict("rust", Some(101), false, compile), Verdict::DidNotBuild);
        assert_eq!(verdict("rust", Some(4), false, "error: no tests to run"), Verdict::RanNoTest);
        assert_eq!(verdict("python", Some(5), false, "no tests ran in 0.01s"), Verdict::RanNoTest);
        assert_eq!(verdict("python", Some(2), false, "ERROR collecting tests/test_a.py"), Verdict::DidNotBuild);
        assert_eq!(
            verdict("python", Some(4), false, "ERROR collecting tests/test_a.py\nERROR: found no collectors"),
            Verdict::DidNotBuild
        );
        assert_eq!(verdict("python", Some(1), false, "1 failed"), Verdict::Failed);
        assert_eq!(verdict("go", Some(0), false, "testing: warning: no tests to run\nok"), Verdict::RanNoTest);
        assert_eq!(verdict("go", Some(1), false, "FAIL\tshop/pool [build failed]"), Verdict::DidNotBuild);
        assert_eq!(verdict("javascript", Some(0), false, "# pass 0\n# fail 0\n"), Verdict::RanNoTest);
        assert_eq!(verdict("javascript", Some(0), false, "# pass 1\n# fail 0\n"), Verdict::Passed);
        assert_eq!(verdict("java", None, true, ""), Verdict::TimedOut);
    }
}
