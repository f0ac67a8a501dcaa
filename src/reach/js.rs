//! Which JavaScript and TypeScript files the project's test runner collects, read from
//! the runner's own configuration rather than guessed from directory names: a linked
//! test in `test/unit/a.js` guards nothing when mocha runs the non-recursive
//! `./test/*.{js,cjs,mjs}`, nor a `*.spec.ts` that Vitest's `test.include` leaves out.
//!
//! The runner is read from the nearest `package.json` above the test file: the commands
//! of its `test` scripts (`scripts.test` and `test:*`, following `npm run …`, through
//! `nyc`, `c8`, `cross-env`, `npx`), and the runners among its dependencies that have a
//! config file or that no script names. Then, per runner:
//! - mocha: the spec of its command line, `.mocharc.{cjs,js,yaml,yml,jsonc,json}` and
//!   the `mocha` key of package.json (`spec`, `recursive`, `extension`, `ignore`,
//!   `file`); by default the non-recursive `./test` with `js`, `cjs`, `mjs`;
//! - Jest: `jest.config.*` or the `jest` key of package.json (`rootDir`, `roots`,
//!   `testMatch`, `testRegex`, `testPathIgnorePatterns`, `moduleFileExtensions`), and
//!   the path patterns of its command line;
//! - Vitest: `vitest.config.*`, else `vite.config.*` (`root`, `test.dir`,
//!   `test.include`, `test.exclude`), and the file filters of its command line;
//! - `node --test`, `deno test` (files calling `Deno.test`, with `deno.json`'s
//!   `test.include`/`test.exclude`), `bun test` (files importing `bun:test`): their
//!   default patterns.
//!
//! A file some runner collects runs. One that no runner collects, where every runner's
//! rules could be read, is never run (an error naming the runner and its pattern). Where
//! a rule cannot be read (a config computed at run time, a script this reader does not
//! know, a runner whose configuration it does not read), the test is conditional: a
//! warning that says what could not be read. With no package.json at all, a file named
//! as the runners' shared defaults name tests (`*.test.*`, `*.spec.*`, `__tests__/`,
//! `test/`) is taken to run, as before.

use super::{TestVerdict, Verdict};
use crate::scan::js_glob::{Glob, has_magic};
use crate::scan::js_literal::{self, Value};
use crate::scan::{Skip, TestCase};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// Verdicts for the linked JavaScript tests. `texts` are the scanned files' texts.
pub fn judge(root: &Path, tests: &[&TestCase], texts: &[(String, String)]) -> Vec<TestVerdict> {
    let mut packages: HashMap<String, Option<std::rc::Rc<Package>>> = HashMap::new();
    let mut by_file: HashMap<&str, Answer> = HashMap::new();
    let mut out = Vec::new();
    let text_of: HashMap<&str, &str> = texts.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    for t in tests {
        let path = t.loc.path.as_str();
        let answer = by_file
            .entry(path)
            .or_insert_with(|| {
                let text = text_of.get(path).copied().unwrap_or("");
                collects(root, path, text, &mut packages)
            })
            .clone();
        let verdict = match answer {
            Answer::Runs => continue,
            Answer::No(why) => Verdict::NotRun { why, loc: t.loc.clone() },
            Answer::Unknown(why) => Verdict::Conditional(Skip::new(t.loc.clone(), why)),
        };
        out.push(TestVerdict { test: t.id.clone(), verdict });
    }
    out
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Answer {
    Runs,
    /// Not collected: why, in words.
    No(String),
    /// Cannot tell: what could not be read.
    Unknown(String),
}

/// Folds the answers of several runners: one that collects the file wins; then one that
/// cannot be read; only when every runner says no is the file never run.
fn any(answers: Vec<Answer>) -> Answer {
    if answers.contains(&Answer::Runs) {
        return Answer::Runs;
    }
    let unknown: Vec<String> =
        answers.iter().filter_map(|a| if let Answer::Unknown(w) = a { Some(w.clone()) } else { None }).collect();
    if !unknown.is_empty() {
        let no: Vec<String> =
            answers.iter().filter_map(|a| if let Answer::No(w) = a { Some(w.clone()) } else { None }).collect();
        let mut why = unknown.join("; ");
        if !no.is_empty() {
            why = format!("{why} (and {})", no.join("; "));
        }
        return Answer::Unknown(why);
    }
    let no: Vec<String> =
        answers.into_iter().filter_map(|a| if let Answer::No(w) = a { Some(w) } else { None }).collect();
    Answer::No(no.join("; "))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Runner {
    Mocha,
    Jest,
    Vitest,
    NodeTest,
    Deno,
    Bun,
}

/// Runners whose configuration this reader does not read, by package and command name.
const OTHER_RUNNERS: &[(&str, &str)] = &[
    ("@playwright/test", "playwright"),
    ("ava", "ava"),
    ("tap", "tap"),
    ("jasmine", "jasmine"),
    ("karma", "karma"),
    ("cypress", "cypress"),
    ("uvu", "uvu"),
    ("tape", "tape"),
    ("@web/test-runner", "wtr"),
    ("@wdio/cli", "wdio"),
    ("qunit", "qunit"),
    ("@japa/runner", "japa"),
];

/// Commands of a test script that run no tests: skipped without a word.
const NOT_RUNNERS: &[&str] = &[
    "tsc",
    "eslint",
    "prettier",
    "standard",
    "xo",
    "rimraf",
    "rm",
    "echo",
    "tsd",
    "biome",
    "true",
    "mkdir",
    "cp",
    "attw",
    "publint",
    "dtslint",
    "tsup",
    "rollup",
    "webpack",
    "vite",
    "esbuild",
    "babel",
    "node-gyp",
    "exit",
    "npm-check",
    "depcheck",
    "lint-staged",
    "oxlint",
    "tslint",
    "markdownlint",
    "type-coverage",
    "size-limit",
];

#[derive(Clone, Debug)]
struct Invocation {
    runner: Runner,
    args: Vec<String>,
    /// Where it was found, for messages: "`scripts.test` of package.json".
    whence: String,
}

/// A package: its directory (relative to the root, `""` for the root) and how its tests run.
#[derive(Debug, Default)]
struct Package {
    dir: String,
    json: Option<serde_json::Value>,
    invocations: Vec<Invocation>,
    /// What the test scripts do that this reader cannot follow.
    unread: Vec<String>,
    /// The runners of the other `test*` scripts, which neither `scripts.test` nor a
    /// workflow runs (`test-tap`, `test:watch`): a file only they collect may not run.
    secondary: Vec<Invocation>,
}

fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") }
}

/// `path` relative to `dir` (which holds it).
fn below<'p>(dir: &str, path: &'p str) -> &'p str {
    if dir.is_empty() { path } else { path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')).unwrap_or(path) }
}

/// What collects the test file at `path`.
fn collects(
    root: &Path,
    path: &str,
    text: &str,
    packages: &mut HashMap<String, Option<std::rc::Rc<Package>>>,
) -> Answer {
    if text.contains("\"bun:test\"") || text.contains("'bun:test'") {
        return bun(path);
    }
    let package = package_for(root, parent(path), packages);
    if text.contains("Deno.test") {
        return deno(root, path);
    }
    let Some(package) = package else {
        if crate::scan::javascript::is_test_file(path) {
            return Answer::Runs;
        }
        return Answer::No(
            "no package.json names a test runner, and the file's name is none that the runners collect by default (`*.test.*`, `*.spec.*`, `__tests__/`, `test/`)".to_owned(),
        );
    };
    let mut answers: Vec<Answer> = package.unread.iter().map(|u| Answer::Unknown(u.clone())).collect();
    for inv in &package.invocations {
        answers.push(match inv.runner {
            Runner::Mocha => mocha(root, &package, inv, path),
            Runner::Jest => jest(root, &package, inv, path),
            Runner::Vitest => vitest(root, &package, inv, path),
            Runner::NodeTest => node_test(&package, inv, path),
            Runner::Deno => deno(root, path),
            Runner::Bun => bun(path),
        });
    }
    if answers.is_empty() {
        return Answer::Unknown(format!(
            "{} names no test runner incident-guard reads (no `scripts.test`, no mocha, jest or vitest among its dependencies), so which files run cannot be told",
            code(&join(&package.dir, "package.json"))
        ));
    }
    let answer = any(answers);
    if answer == Answer::Runs {
        return answer;
    }
    for inv in &package.secondary {
        let other = match inv.runner {
            Runner::Mocha => mocha(root, &package, inv, path),
            Runner::Jest => jest(root, &package, inv, path),
            Runner::Vitest => vitest(root, &package, inv, path),
            Runner::NodeTest => node_test(&package, inv, path),
            Runner::Deno => deno(root, path),
            Runner::Bun => bun(path),
        };
        if other == Answer::Runs {
            return Answer::Unknown(format!(
                "only {} runs it, which neither `scripts.test` nor a workflow in `.github/workflows` runs",
                inv.whence
            ));
        }
    }
    answer
}

/// The package scripts that the repository's workflows run (`npm run test-ci`, `yarn
/// test:unit`, `pnpm run e2e`, `npm test`), by a plain reading of `.github/workflows/`.
fn workflow_scripts(root: &Path, scripts: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    let Some(dir) = walk_inside(root, ".github/workflows") else { return Vec::new() };
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names.into_iter().take(64) {
        let Some(bytes) = read_inside(root, &format!(".github/workflows/{name}")) else { continue };
        let text = crate::scan::lossy(&bytes);
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ';' | '&' | '|' | '(' | ')'))
            .collect();
        for w in words.windows(3) {
            if !matches!(w[0], "npm" | "pnpm" | "yarn" | "bun") {
                continue;
            }
            let name = if matches!(w[1], "run" | "run-script") { w[2] } else { w[1] };
            let name = if matches!(name, "t" | "tst") { "test" } else { name };
            if scripts.contains_key(name) && !out.iter().any(|o| o == name) {
                out.push(name.to_owned());
            }
        }
    }
    out
}

fn code(text: &str) -> String {
    crate::finding::code(text)
}

/// The package whose `package.json` is nearest above `dir`.
fn package_for(
    root: &Path,
    dir: &str,
    cache: &mut HashMap<String, Option<std::rc::Rc<Package>>>,
) -> Option<std::rc::Rc<Package>> {
    let mut visited = Vec::new();
    let mut current = Some(dir);
    let found = loop {
        let Some(d) = current else { break None };
        if let Some(c) = cache.get(d) {
            break c.clone();
        }
        visited.push(d.to_owned());
        if let Some(bytes) = read_inside(root, &join(d, "package.json")) {
            break Some(std::rc::Rc::new(read_package(root, d, &bytes)));
        }
        current = if d.is_empty() { None } else { Some(parent(d)) };
    };
    for d in visited {
        cache.insert(d, found.clone());
    }
    found
}

fn read_package(root: &Path, dir: &str, bytes: &[u8]) -> Package {
    let mut package = Package { dir: dir.to_owned(), ..Package::default() };
    let json: Option<serde_json::Value> = serde_json::from_slice(bytes).ok();
    let Some(json) = json else {
        package.unread.push(format!("{} cannot be read as JSON", code(&join(dir, "package.json"))));
        return package;
    };
    let scripts = json.get("scripts").and_then(|s| s.as_object()).cloned().unwrap_or_default();
    // `scripts.test` and the scripts the repository's workflows run (`npm run test-ci`)
    // first; the other `test*` scripts only as a hint.
    let in_workflows = workflow_scripts(root, &scripts);
    let mut names: Vec<&String> = scripts.keys().filter(|k| *k == "test" || in_workflows.contains(*k)).collect();
    names.sort();
    let mut seen = std::collections::HashSet::new();
    for name in names {
        follow_script(&scripts, name, 0, &mut seen, &mut package);
    }
    let mut others: Vec<&String> =
        scripts.keys().filter(|k| k.starts_with("test:") || k.starts_with("test-") || k.starts_with("test_")).collect();
    others.sort();
    let mut secondary = Package { dir: dir.to_owned(), ..Package::default() };
    for name in others {
        follow_script(&scripts, name, 0, &mut seen, &mut secondary);
    }
    if package.invocations.is_empty() && package.unread.is_empty() {
        // No `scripts.test`: the other test scripts are all there is to go by.
        package.invocations = secondary.invocations;
        package.unread = secondary.unread;
    } else {
        package.secondary = secondary.invocations;
    }
    let deps = |key: &str| -> Vec<String> {
        json.get(key).and_then(|d| d.as_object()).map(|d| d.keys().cloned().collect()).unwrap_or_default()
    };
    let all_deps: Vec<String> = [deps("devDependencies"), deps("dependencies")].concat();
    let scripted = !package.invocations.is_empty() || !package.unread.is_empty();
    let has = |runner: Runner| package.invocations.iter().any(|i| i.runner == runner);
    let mut extra = Vec::new();
    for (dep, runner, configs) in [
        ("mocha", Runner::Mocha, MOCHA_CONFIGS),
        ("jest", Runner::Jest, JEST_CONFIGS),
        ("vitest", Runner::Vitest, VITEST_CONFIGS),
    ] {
        let configured = configs.iter().any(|c| exists_inside(root, &join(dir, c)))
            || (runner == Runner::Mocha && json.get("mocha").is_some())
            || (runner == Runner::Jest && json.get("jest").is_some());
        if all_deps.iter().any(|d| d == dep) && !has(runner) && (!scripted || configured) {
            extra.push(Invocation { runner, args: Vec::new(), whence: format!("{} of package.json", code(dep)) });
        }
    }
    if !scripted {
        for (dep, name) in OTHER_RUNNERS {
            if all_deps.iter().any(|d| d == dep) {
                package.unread.push(format!(
                    "{} is among the dependencies of {}, and incident-guard does not read {name}'s configuration",
                    code(dep),
                    code(&join(dir, "package.json"))
                ));
            }
        }
    }
    package.invocations.extend(extra);
    package.json = Some(json);
    package
}

/// Reads the commands of script `name`, following `npm run …` into other scripts.
fn follow_script(
    scripts: &serde_json::Map<String, serde_json::Value>,
    name: &str,
    depth: usize,
    seen: &mut std::collections::HashSet<String>,
    package: &mut Package,
) {
    if depth > 6 || !seen.insert(name.to_owned()) {
        return;
    }
    let Some(command) = scripts.get(name).and_then(|c| c.as_str()) else { return };
    let whence = format!("`scripts.{name}` of {}", code(&join(&package.dir, "package.json")));
    for words in commands(command) {
        let words = unwrap_command(&words);
        let Some(head) = words.first() else { continue };
        let head_name = head.rsplit('/').next().unwrap_or(head);
        let rest = words[1..].to_vec();
        let script_ref = match head_name {
            "npm" | "pnpm" | "yarn" | "bun" => {
                let mut k = 0;
                while rest.get(k).is_some_and(|w| w.starts_with('-')) {
                    k += 1;
                }
                match rest.get(k).map(String::as_str) {
                    Some("test" | "t") if head_name != "bun" => Some("test".to_owned()),
                    Some("test") => {
                        package.invocations.push(Invocation {
                            runner: Runner::Bun,
                            args: rest[k + 1..].to_vec(),
                            whence: whence.clone(),
                        });
                        continue;
                    }
                    Some("run" | "run-script") => rest.get(k + 1).cloned(),
                    Some(other) if head_name != "npm" && scripts.contains_key(other) => Some(other.to_owned()),
                    Some("exec") if head_name != "npm" => {
                        // `pnpm exec mocha …`
                        let inner: Vec<String> = rest[k + 1..].to_vec();
                        let mut sub = Package { dir: package.dir.clone(), ..Package::default() };
                        push_runner(&inner, &whence, &mut sub);
                        package.invocations.extend(sub.invocations);
                        package.unread.extend(sub.unread);
                        continue;
                    }
                    _ => {
                        package.unread.push(format!(
                            "{whence} runs {}, which incident-guard does not follow",
                            code(&words.join(" "))
                        ));
                        continue;
                    }
                }
            }
            "run-s" | "run-p" | "npm-run-all" => {
                for pattern in rest.iter().filter(|w| !w.starts_with('-')) {
                    let glob = Glob::new(&pattern.replace(':', "\u{1}")).map(|_| pattern.clone());
                    let names: Vec<String> = scripts
                        .keys()
                        .filter(|k| glob.as_ref().is_some_and(|g| script_glob(g, k)) || *k == pattern)
                        .cloned()
                        .collect();
                    for n in names {
                        follow_script(scripts, &n, depth + 1, seen, package);
                    }
                }
                continue;
            }
            _ => None,
        };
        if let Some(next) = script_ref {
            follow_script(scripts, &next, depth + 1, seen, package);
            continue;
        }
        push_runner(&words, &whence, package);
    }
}

/// `test:*` as npm-run-all reads it: `*` stands for one `:`-separated part.
fn script_glob(pattern: &str, name: &str) -> bool {
    let p: Vec<&str> = pattern.split(':').collect();
    let n: Vec<&str> = name.split(':').collect();
    p.len() == n.len() && p.iter().zip(&n).all(|(a, b)| *a == "*" || *a == "**" || a == b)
}

/// Records the runner a command line starts, or that it cannot be read.
fn push_runner(words: &[String], whence: &str, package: &mut Package) {
    let Some(head) = words.first() else { return };
    let head_name = head.rsplit('/').next().unwrap_or(head);
    let args = words[1..].to_vec();
    let runner = match head_name {
        "mocha" | "_mocha" => Some(Runner::Mocha),
        "jest" => Some(Runner::Jest),
        "vitest" => Some(Runner::Vitest),
        "node" if args.iter().any(|a| a == "--test") => Some(Runner::NodeTest),
        "deno" if args.first().is_some_and(|a| a == "test") => Some(Runner::Deno),
        "bun" if args.first().is_some_and(|a| a == "test") => Some(Runner::Bun),
        _ => None,
    };
    match runner {
        Some(runner) => package.invocations.push(Invocation { runner, args, whence: whence.to_owned() }),
        None if NOT_RUNNERS.contains(&head_name) => {}
        None => {
            let other = OTHER_RUNNERS.iter().find(|(_, n)| *n == head_name).map(|(_, n)| *n);
            let what = match other {
                Some(name) => format!("{whence} runs {name}, whose configuration incident-guard does not read"),
                None => format!("{whence} runs {}, which incident-guard does not read", code(&words.join(" "))),
            };
            package.unread.push(what);
        }
    }
}

/// The simple commands of a script line, as words (quotes removed), split at `&&`,
/// `||`, `;`, `|` and `&`.
fn commands(line: &str) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.last_mut().expect("one").push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, '&' | '|' | ';') => {
                if in_word {
                    out.last_mut().expect("one").push(std::mem::take(&mut word));
                    in_word = false;
                }
                while chars.peek().is_some_and(|&n| n == c) {
                    chars.next();
                }
                out.push(Vec::new());
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.last_mut().expect("one").push(word);
    }
    out.retain(|c| !c.is_empty());
    out
}

/// A command without what runs it: `FOO=1`, `cross-env FOO=1`, `npx`, `nyc [opts]`,
/// `c8 [opts]`.
fn unwrap_command(words: &[String]) -> Vec<String> {
    let mut k = 0;
    loop {
        let Some(w) = words.get(k) else { return Vec::new() };
        let name = w.rsplit('/').next().unwrap_or(w);
        if w.contains('=')
            && !w.starts_with('-')
            && w.split('=')
                .next()
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            k += 1;
        } else if matches!(name, "cross-env" | "npx" | "env" | "dotenv" | "time" | "exec") {
            k += 1;
            while words.get(k).is_some_and(|w| w.starts_with('-') && name == "npx") {
                k += 1;
            }
        } else if matches!(name, "nyc" | "c8" | "istanbul") {
            // Its own options come first: the command is the first word that names one.
            k += 1;
            let known = |w: &str| {
                let n = w.rsplit('/').next().unwrap_or(w);
                matches!(n, "mocha" | "_mocha" | "jest" | "vitest" | "node" | "npm" | "yarn" | "pnpm" | "tap" | "ava")
            };
            match (k..words.len()).find(|&m| known(&words[m])) {
                Some(m) => k = m,
                None => return words[k.min(words.len())..].to_vec(),
            }
        } else {
            return words[k..].to_vec();
        }
    }
}

// ---- mocha ----

const MOCHA_CONFIGS: &[&str] =
    &[".mocharc.cjs", ".mocharc.js", ".mocharc.yaml", ".mocharc.yml", ".mocharc.jsonc", ".mocharc.json"];

/// Mocha options that take a value.
const MOCHA_VALUED: &[&str] = &[
    "require",
    "r",
    "reporter",
    "R",
    "reporter-option",
    "reporter-options",
    "O",
    "timeout",
    "t",
    "timeouts",
    "slow",
    "s",
    "ui",
    "u",
    "grep",
    "g",
    "fgrep",
    "f",
    "file",
    "ignore",
    "exclude",
    "extension",
    "spec",
    "config",
    "package",
    "jobs",
    "j",
    "retries",
    "watch-files",
    "watch-ignore",
    "global",
    "globals",
    "node-option",
    "n",
    "loader",
    "import",
    "conditions",
    "reporter-option",
];

/// Mocha options that take none.
const MOCHA_FLAGS: &[&str] = &[
    "allow-uncaught",
    "A",
    "async-only",
    "b",
    "bail",
    "check-leaks",
    "c",
    "color",
    "colors",
    "C",
    "delay",
    "diff",
    "dry-run",
    "exit",
    "fail-zero",
    "forbid-only",
    "forbid-pending",
    "full-trace",
    "inline-diffs",
    "i",
    "invert",
    "list-interfaces",
    "list-reporters",
    "p",
    "parallel",
    "recursive",
    "S",
    "sort",
    "w",
    "watch",
    "inspect",
    "inspect-brk",
    "expose-gc",
    "enable-source-maps",
    "h",
    "help",
    "V",
    "version",
    "growl",
    "G",
    "pending",
    "experimental-specifier-resolution",
    "experimental-loader",
    "trace-warnings",
    "throw-deprecation",
    "trace-deprecation",
    "no-warnings",
    "no-deprecation",
    "quiet",
];

#[derive(Default)]
struct MochaOptions {
    spec: Vec<String>,
    extension: Vec<String>,
    recursive: bool,
    ignore: Vec<String>,
    file: Vec<String>,
    config: Option<String>,
    /// Settings that could not be read.
    unread: Vec<String>,
}

impl MochaOptions {
    fn set(&mut self, key: &str, value: Result<Vec<String>, String>, whence: &str) {
        let key = key.trim_start_matches('-');
        match value {
            Ok(values) => match key {
                "spec" | "_" => self.spec.extend(values),
                "extension" => self.extension.extend(values),
                "ignore" | "exclude" => self.ignore.extend(values),
                "file" => self.file.extend(values),
                "recursive" => self.recursive |= values.first().is_some_and(|v| v == "true"),
                "config" => self.config = values.into_iter().next(),
                _ => {}
            },
            Err(what) => {
                if matches!(key, "spec" | "extension" | "ignore" | "exclude" | "recursive" | "file" | "config") {
                    self.unread.push(format!("`{key}` in {whence} is {what}"));
                }
            }
        }
    }

    fn read_value(&mut self, v: &Value, whence: &str) {
        match v {
            Value::Object { entries, open } => {
                for (k, val) in entries {
                    let values = match val {
                        Value::Bool(b) => Ok(vec![b.to_string()]),
                        other => other.strings(),
                    };
                    self.set(k, values, whence);
                }
                if *open {
                    self.unread.push(format!("{whence} has a spread or a computed key"));
                }
            }
            other => self.unread.push(format!("{whence} is not a literal object ({})", short(other))),
        }
    }
}

fn short(v: &Value) -> String {
    match v {
        Value::Computed(s) => s.clone(),
        other => format!("{other:?}").chars().take(60).collect(),
    }
}

fn mocha(root: &Path, package: &Package, inv: &Invocation, path: &str) -> Answer {
    let mut o = MochaOptions::default();
    // The command line.
    let mut k = 0;
    let mut cli = MochaOptions::default();
    while k < inv.args.len() {
        let a = &inv.args[k];
        if a == "--" {
            cli.spec.extend(inv.args[k + 1..].iter().cloned());
            break;
        }
        if let Some(opt) = a.strip_prefix("--").or_else(|| a.strip_prefix('-').filter(|o| o.len() == 1)) {
            let (name, inline) = match opt.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (opt, None),
            };
            if MOCHA_VALUED.contains(&name) {
                let value = inline.or_else(|| {
                    k += 1;
                    inv.args.get(k).cloned()
                });
                let values: Vec<String> = value.map(|v| v.split(',').map(str::to_owned).collect()).unwrap_or_default();
                cli.set(name, Ok(values), &inv.whence);
            } else if name == "recursive" {
                cli.recursive = true;
            } else if MOCHA_FLAGS.contains(&name)
                || name.starts_with("no-")
                || name.starts_with("v8-")
                || inline.is_some()
            {
            } else {
                cli.unread.push(format!("the option {} of {}", code(a), inv.whence));
            }
        } else if a.starts_with('-') {
            cli.unread.push(format!("the options {} of {}", code(a), inv.whence));
        } else {
            cli.spec.push(a.clone());
        }
        k += 1;
    }
    // The config file: `--config`, else the first of mocha's names in the package.
    let config_file = match &cli.config {
        Some(c) => Some(join(&package.dir, c.trim_start_matches("./"))),
        None => MOCHA_CONFIGS.iter().map(|c| join(&package.dir, c)).find(|c| exists_inside(root, c)),
    };
    if let Some(file) = &config_file {
        match read_inside(root, file) {
            Some(bytes) => {
                let text = crate::scan::lossy(&bytes);
                let whence = code(file);
                if file.ends_with(".yml") || file.ends_with(".yaml") {
                    match yaml_flat(&text) {
                        Ok(entries) => {
                            for (k, v) in entries {
                                o.set(&k, v, &whence);
                            }
                        }
                        Err(e) => o.unread.push(format!("{whence} ({e})")),
                    }
                } else {
                    o.read_value(&js_literal::exported(&text, false), &whence);
                }
            }
            None => o.unread.push(format!("{} cannot be read", code(file))),
        }
    }
    if let Some(pkg) = package.json.as_ref().and_then(|j| j.get("mocha")) {
        let whence = format!("the `mocha` key of {}", code(&join(&package.dir, "package.json")));
        let text = pkg.to_string();
        o.read_value(&js_literal::exported(&text, false), &whence);
    }
    o.spec.extend(cli.spec);
    o.extension.extend(cli.extension);
    o.recursive |= cli.recursive;
    o.ignore.extend(cli.ignore);
    o.file.extend(cli.file);
    o.unread.extend(cli.unread);
    let defaulted = o.spec.is_empty();
    if defaulted {
        o.spec.push("./test".to_owned());
    }
    let mut extensions = vec!["js".to_owned(), "cjs".to_owned(), "mjs".to_owned()];
    extensions.extend(o.extension.iter().map(|e| e.trim_start_matches('.').to_owned()));
    let rel = below(&package.dir, path);
    let clean = |s: &str| s.trim_start_matches("./").trim_end_matches('/').to_owned();
    let ignored = o.ignore.iter().any(|p| Glob::new(&clean(p)).is_some_and(|g| g.is_match(rel)));
    let in_files = o.file.iter().any(|f| clean(f) == rel);
    let mut collected = in_files;
    let mut unknown_glob = None;
    if !ignored {
        for spec in &o.spec {
            let s = clean(spec);
            if has_magic(&s) {
                match Glob::new(&s) {
                    Some(g) if g.is_match(rel) => collected = true,
                    Some(_) => {}
                    None => unknown_glob = Some(spec.clone()),
                }
                continue;
            }
            let full = join(&package.dir, &s);
            if s == rel || s.is_empty() && !rel.contains('/') {
                collected = true;
            } else if is_dir_inside(root, &full) || s.is_empty() {
                let inside = if s.is_empty() { Some(rel) } else { rel.strip_prefix(&format!("{s}/")) };
                if let Some(inside) = inside {
                    let base = inside.rsplit('/').next().unwrap_or(inside);
                    let ext_ok = extensions.iter().any(|e| base.ends_with(&format!(".{e}")));
                    if (o.recursive || !inside.contains('/')) && ext_ok && !base.starts_with('.') {
                        collected = true;
                    }
                }
            } else if !exists_inside(root, &full) && extensions.iter().any(|e| rel == format!("{s}.{e}")) {
                collected = true;
            }
        }
    }
    // What could not be read may leave out what the rest collects (an `ignore`, a spec).
    if collected && o.unread.is_empty() {
        return Answer::Runs;
    }
    if !o.unread.is_empty() {
        return Answer::Unknown(format!("mocha's settings cannot all be read: {}", o.unread.join("; ")));
    }
    if let Some(g) = unknown_glob {
        return Answer::Unknown(format!("mocha's spec {} is a glob incident-guard does not read", code(&g)));
    }
    let specs: Vec<String> = o.spec.iter().map(|s| code(s)).collect();
    let whence = match (&config_file, defaulted) {
        (_, true) => "its default".to_owned(),
        (Some(f), _) => format!("{} and {}", code(f), inv.whence),
        (None, _) => inv.whence.clone(),
    };
    let why = if ignored {
        format!(
            "mocha ({}) ignores it: `ignore` is {}",
            inv.whence,
            o.ignore.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ")
        )
    } else {
        format!(
            "mocha ({}) runs the spec {} ({whence}; {}, extensions {}), which does not take {}",
            inv.whence,
            specs.join(", "),
            if o.recursive { "recursive" } else { "not recursive" },
            extensions.join(", "),
            code(rel)
        )
    };
    Answer::No(why)
}

/// A key and its list of values, or why they cannot be read.
type YamlEntry = (String, Result<Vec<String>, String>);

/// A flat YAML mapping as `.mocharc.yml` writes one: `key: value`, `key: [a, b]`, or
/// `key:` followed by `- item` lines. Anything else is an error for the keys it holds.
fn yaml_flat(text: &str) -> Result<Vec<YamlEntry>, String> {
    let mut out: Vec<YamlEntry> = Vec::new();
    let unquote = |s: &str| {
        let s = s.trim();
        let s = s.split(" #").next().unwrap_or(s).trim();
        s.strip_prefix('\'')
            .and_then(|r| r.strip_suffix('\''))
            .or_else(|| s.strip_prefix('"').and_then(|r| r.strip_suffix('"')))
            .unwrap_or(s)
            .to_owned()
    };
    for line in text.lines() {
        let trimmed = line.trim_end();
        if trimmed.trim().is_empty() || trimmed.trim_start().starts_with('#') || trimmed == "---" {
            continue;
        }
        if let Some(item) =
            trimmed.trim_start().strip_prefix("- ").filter(|_| line.starts_with(' ') || line.starts_with('-'))
        {
            match out.last_mut() {
                Some((_, Ok(v))) => v.push(unquote(item)),
                Some(_) => {}
                None => return Err("a list with no key".to_owned()),
            }
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some((_, v)) = out.last_mut() {
                *v = Err("a nested value".to_owned());
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else { return Err(format!("the line {trimmed:?}")) };
        let value = value.trim();
        let parsed = if value.is_empty() {
            Ok(Vec::new())
        } else if let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            Ok(list.split(',').map(unquote).filter(|s| !s.is_empty()).collect())
        } else if value.starts_with('&')
            || value.starts_with('*')
            || value.starts_with('{')
            || value.starts_with('|')
            || value.starts_with('>')
        {
            Err(format!("`{value}`"))
        } else {
            Ok(vec![unquote(value)])
        };
        out.push((unquote(key), parsed));
    }
    Ok(out)
}

/// `--test-timeout` as `testTimeout`: Jest and Vitest read both spellings.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '-' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Jest's options that take no value.
const JEST_FLAGS: &[&str] = &[
    "all",
    "bail",
    "b",
    "cache",
    "ci",
    "clearCache",
    "clearMocks",
    "collectCoverage",
    "colors",
    "coverage",
    "debug",
    "detectOpenHandles",
    "errorOnDeprecated",
    "expand",
    "e",
    "forceExit",
    "help",
    "h",
    "injectGlobals",
    "json",
    "lastCommit",
    "listTests",
    "logHeapUsage",
    "noStackTrace",
    "onlyChanged",
    "o",
    "onlyFailures",
    "f",
    "passWithNoTests",
    "runInBand",
    "i",
    "showConfig",
    "silent",
    "updateSnapshot",
    "u",
    "useStderr",
    "verbose",
    "version",
    "v",
    "watch",
    "watchAll",
    "watchman",
    "resetMocks",
    "restoreMocks",
    "randomize",
    "detectLeaks",
    "experimentalVmModules",
    "changedSince",
];

/// Vitest's options that take no value.
const VITEST_FLAGS: &[&str] = &[
    "run",
    "watch",
    "w",
    "ui",
    "open",
    "silent",
    "hideSkippedTests",
    "passWithNoTests",
    "allowOnly",
    "dangerouslyIgnoreUnhandledErrors",
    "globals",
    "dom",
    "isolate",
    "fileParallelism",
    "coverage",
    "update",
    "u",
    "typecheck",
    "logHeapUsage",
    "clearScreen",
    "standalone",
    "printConsoleTrace",
    "includeTaskLocation",
    "expandSnapshotDiff",
    "disableConsoleIntercept",
    "help",
    "h",
    "version",
    "v",
    "typecheck.only",
    "typecheck.enabled",
    "coverage.enabled",
    "browser",
    "browser.headless",
    "mergeReports",
    "clearCache",
    "experimental",
    "detectAsyncLeaks",
    "typecheck.allowJs",
    "ci",
    "sequence.shuffle",
    "sequence.concurrent",
];

/// What an option of a runner's command line takes after it.
#[derive(Clone, Copy)]
enum Takes {
    Nothing,
    Value,
    /// A boolean that may be written `--ci false`: the next word only when it is one.
    Boolean,
}

/// The value of the option `name` at `inv.args[*k]` (`inline` when written `--x=v`): the
/// next word when the option takes one, and `*k` moves past it. An option not known to
/// take nothing (`flags`, or a `--no-…`) that stands before a word which is no option
/// may have taken that word as its value: said in `unread`, as the file filter it may
/// not be.
fn option_value(
    inv: &Invocation,
    k: &mut usize,
    name: &str,
    inline: Option<String>,
    takes: Takes,
    flags: &[&str],
    unread: &mut Vec<String>,
) -> Option<String> {
    if inline.is_some() {
        return inline;
    }
    let next = inv.args.get(*k + 1);
    let take = match takes {
        Takes::Value => true,
        Takes::Boolean => next.is_some_and(|v| v == "true" || v == "false"),
        Takes::Nothing => {
            if !flags.contains(&name)
                && !name.starts_with("no")
                && let Some(n) = next.filter(|n| !n.starts_with('-'))
            {
                unread.push(format!(
                    "the option {} of {}, which may take {} as its value",
                    code(&inv.args[*k]),
                    inv.whence,
                    code(n)
                ));
            }
            false
        }
    };
    if !take {
        return None;
    }
    *k += 1;
    next.cloned()
}

// ---- Jest ----

const JEST_CONFIGS: &[&str] =
    &["jest.config.js", "jest.config.ts", "jest.config.mjs", "jest.config.cjs", "jest.config.cts", "jest.config.json"];
const JEST_TEST_MATCH: &[&str] = &["**/__tests__/**/*.[jt]s?(x)", "**/?(*.)+(spec|test).[jt]s?(x)"];
const JEST_EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "jsx", "ts", "tsx", "json", "node"];

fn jest(root: &Path, package: &Package, inv: &Invocation, path: &str) -> Answer {
    let mut unread: Vec<String> = Vec::new();
    let mut patterns: Vec<String> = Vec::new();
    let mut config_arg = None;
    let mut k = 0;
    while k < inv.args.len() {
        let a = &inv.args[k];
        if let Some(opt) = a.strip_prefix("--").or_else(|| a.strip_prefix('-').filter(|o| o.len() == 1)) {
            let (name, inline) = match opt.split_once('=') {
                Some((n, v)) => (camel(n), Some(v.to_owned())),
                None => (camel(opt), None),
            };
            let valued = matches!(
                name.as_str(),
                "config"
                    | "c"
                    | "testPathPattern"
                    | "testPathPatterns"
                    | "testMatch"
                    | "testRegex"
                    | "roots"
                    | "rootDir"
                    | "testPathIgnorePatterns"
                    | "selectProjects"
                    | "projects"
                    | "reporters"
                    | "maxWorkers"
                    | "w"
                    | "testTimeout"
                    | "testNamePattern"
                    | "t"
                    | "coverageReporters"
                    | "shard"
                    | "seed"
                    | "outputFile"
                    | "env"
                    | "testEnvironment"
                    | "setupFiles"
                    | "setupFilesAfterEach"
                    | "collectCoverageFrom"
                    | "coverageDirectory"
                    | "json"
                    | "silent"
                    | "verbose"
                    | "ci"
                    | "coverage"
            );
            // A few are booleans that may be written `--ci false`: only those with a value in the next word.
            let boolean = matches!(name.as_str(), "json" | "silent" | "verbose" | "ci" | "coverage");
            let takes = match (valued, boolean) {
                (false, _) => Takes::Nothing,
                (true, false) => Takes::Value,
                (true, true) => Takes::Boolean,
            };
            let value = option_value(inv, &mut k, &name, inline, takes, JEST_FLAGS, &mut unread);
            match name.as_str() {
                "config" | "c" => config_arg = value,
                "testPathPattern" | "testPathPatterns" => patterns.extend(value),
                "testMatch"
                | "testRegex"
                | "roots"
                | "rootDir"
                | "testPathIgnorePatterns"
                | "selectProjects"
                | "projects" => unread.push(format!("the option {} of {}", code(a), inv.whence)),
                _ => {}
            }
        } else {
            patterns.push(a.clone());
        }
        k += 1;
    }
    let mut config_dir = package.dir.clone();
    let (config, whence): (Option<Value>, String) = if let Some(c) = config_arg {
        if c.trim_start().starts_with('{') {
            (Some(js_literal::exported(&c, false)), format!("the `--config` of {}", inv.whence))
        } else {
            let file = join(&package.dir, c.trim_start_matches("./"));
            config_dir = parent(&file).to_owned();
            (read_js_config(root, &file), code(&file))
        }
    } else if let Some(file) = JEST_CONFIGS.iter().map(|c| join(&package.dir, c)).find(|c| exists_inside(root, c)) {
        (read_js_config(root, &file), code(&file))
    } else if let Some(j) = package.json.as_ref().and_then(|j| j.get("jest")) {
        (
            Some(js_literal::exported(&j.to_string(), false)),
            format!("the `jest` key of {}", code(&join(&package.dir, "package.json"))),
        )
    } else {
        (Some(Value::Object { entries: Vec::new(), open: false }), "Jest's defaults".to_owned())
    };
    let Some(config) = config else { return Answer::Unknown(format!("{whence} cannot be read")) };
    let get = |key: &str| config.get(key);
    if get("projects").is_some() {
        unread.push(format!("`projects` in {whence}"));
    }
    let list = |key: &str, default: &[&str], unread: &mut Vec<String>| -> Vec<String> {
        match get(key) {
            None => default.iter().map(|s| (*s).to_owned()).collect(),
            Some(v) => v.strings().unwrap_or_else(|what| {
                unread.push(format!("`{key}` in {whence} is {what}"));
                Vec::new()
            }),
        }
    };
    let root_dir = match get("rootDir") {
        None => config_dir.clone(),
        Some(Value::Str(d)) => normalize(&join(&config_dir, d.trim_start_matches("./"))),
        Some(other) => {
            unread.push(format!("`rootDir` in {whence} is {}", short(&other)));
            config_dir.clone()
        }
    };
    let abs_root = format!("/{}", root_dir);
    let abs_root = abs_root.trim_end_matches('/').to_owned();
    let fill = |s: &str| s.replace("<rootDir>", &abs_root);
    let roots = list("roots", &["<rootDir>"], &mut unread);
    let regex = get("testRegex");
    let test_match = list("testMatch", if regex.is_some() { &[] } else { JEST_TEST_MATCH }, &mut unread);
    let test_regex = if regex.is_some() { list("testRegex", &[], &mut unread) } else { Vec::new() };
    let ignore = list("testPathIgnorePatterns", &["/node_modules/"], &mut unread);
    let extensions = list("moduleFileExtensions", JEST_EXTENSIONS, &mut unread);
    // Jest matches absolute paths; the root stands for `/`.
    let abs = format!("/{path}");
    let in_root = roots.iter().any(|r| {
        let r = normalize(fill(r).trim_start_matches('/'));
        r.is_empty() || path == r || path.starts_with(&format!("{r}/"))
    });
    let ext_ok = extensions.iter().any(|e| path.ends_with(&format!(".{}", e.trim_start_matches('.'))));
    let mut unknown: Vec<String> = Vec::new();
    let matched = if test_regex.is_empty() {
        let (neg, pos): (Vec<&String>, Vec<&String>) = test_match.iter().partition(|g| g.starts_with('!'));
        let mut m = |g: &str| match Glob::new(&fill(g)) {
            Some(glob) => Some(glob.is_match(&abs)),
            None => {
                unknown.push(format!("the glob {} in {whence}", code(g)));
                None
            }
        };
        let any_pos = pos.iter().any(|g| m(g) == Some(true));
        let any_neg = neg.iter().any(|g| m(&g[1..]) == Some(true));
        any_pos && !any_neg
    } else {
        test_regex.iter().any(|r| match regex::Regex::new(&fill(r)) {
            Ok(re) => re.is_match(&abs),
            Err(_) => {
                unknown.push(format!("the `testRegex` {} in {whence}", code(r)));
                false
            }
        })
    };
    let ignored: Vec<&String> = ignore
        .iter()
        .filter(|r| match regex::Regex::new(&fill(r)) {
            Ok(re) => re.is_match(&abs),
            Err(_) => false,
        })
        .collect();
    let filtered = patterns.is_empty()
        || patterns.iter().any(|p| regex::Regex::new(p).map(|re| re.is_match(&abs)).unwrap_or(true));
    unread.extend(unknown);
    if in_root && ext_ok && matched && ignored.is_empty() && filtered && unread.is_empty() {
        return Answer::Runs;
    }
    if !unread.is_empty() {
        return Answer::Unknown(format!("Jest's settings cannot all be read: {}", unread.join("; ")));
    }
    let why = if !in_root {
        format!(
            "Jest ({whence}) looks only under `roots` {}",
            roots.iter().map(|r| code(r)).collect::<Vec<_>>().join(", ")
        )
    } else if !ext_ok {
        format!("Jest ({whence}) takes only the `moduleFileExtensions` {}", extensions.join(", "))
    } else if !matched {
        let what = if test_regex.is_empty() {
            format!("`testMatch` {}", test_match.iter().map(|r| code(r)).collect::<Vec<_>>().join(", "))
        } else {
            format!("`testRegex` {}", test_regex.iter().map(|r| code(r)).collect::<Vec<_>>().join(", "))
        };
        format!("Jest ({whence}) collects {what}, which {} does not match", code(path))
    } else if !ignored.is_empty() {
        format!(
            "Jest ({whence}) leaves it out by `testPathIgnorePatterns` {}",
            ignored.iter().map(|r| code(r)).collect::<Vec<_>>().join(", ")
        )
    } else {
        format!(
            "Jest's command line ({}) runs only the paths matching {}",
            inv.whence,
            patterns.iter().map(|r| code(r)).collect::<Vec<_>>().join(", ")
        )
    };
    Answer::No(why)
}

/// `a/./b/../c` as `a/c`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn read_js_config(root: &Path, file: &str) -> Option<Value> {
    read_js_config_with(root, file, &[])
}

fn read_js_config_with(root: &Path, file: &str, known: &[(&str, Value)]) -> Option<Value> {
    let bytes = read_inside(root, file)?;
    let text = crate::scan::lossy(&bytes);
    let ts = [".ts", ".mts", ".cts"].iter().any(|e| file.ends_with(e));
    Some(js_literal::exported_with(&text, ts, known))
}

/// What `vitest/config` exports that configs build their lists from.
fn vitest_known() -> Vec<(&'static str, Value)> {
    let list = |l: &[&str]| Value::Array(l.iter().map(|s| Value::Str((*s).to_owned())).collect());
    vec![
        ("defaultExclude", list(VITEST_EXCLUDE)),
        ("defaultInclude", list(VITEST_INCLUDE)),
        ("configDefaults.exclude", list(VITEST_EXCLUDE)),
        ("configDefaults.include", list(VITEST_INCLUDE)),
    ]
}

// ---- Vitest ----

const VITEST_CONFIGS: &[&str] = &[
    "vitest.config.ts",
    "vitest.config.mts",
    "vitest.config.cts",
    "vitest.config.js",
    "vitest.config.mjs",
    "vitest.config.cjs",
    "vite.config.ts",
    "vite.config.mts",
    "vite.config.cts",
    "vite.config.js",
    "vite.config.mjs",
    "vite.config.cjs",
];
const VITEST_INCLUDE: &[&str] = &["**/*.{test,spec}.?(c|m)[jt]s?(x)"];
const VITEST_EXCLUDE: &[&str] = &[
    "**/node_modules/**",
    "**/dist/**",
    "**/cypress/**",
    "**/.{idea,git,cache,output,temp}/**",
    "**/{karma,rollup,webpack,vite,vitest,jest,ava,babel,nyc,cypress,tsup,build,eslint,prettier}.config.*",
];

fn vitest(root: &Path, package: &Package, inv: &Invocation, path: &str) -> Answer {
    let mut unread: Vec<String> = Vec::new();
    let mut filters: Vec<String> = Vec::new();
    let mut config_arg = None;
    let mut dir_arg = None;
    let mut root_arg = None;
    let mut extra_exclude = Vec::new();
    let mut k = 0;
    while k < inv.args.len() {
        let a = &inv.args[k];
        if k == 0 && matches!(a.as_str(), "run" | "watch" | "dev") {
            k += 1;
            continue;
        }
        if k == 0 && matches!(a.as_str(), "bench" | "related" | "typecheck" | "init" | "list") {
            return Answer::Unknown(format!("{} runs `vitest {a}`, which incident-guard does not read", inv.whence));
        }
        if let Some(opt) = a.strip_prefix("--").or_else(|| a.strip_prefix('-').filter(|o| o.len() == 1)) {
            let (name, inline) = match opt.split_once('=') {
                Some((n, v)) => (camel(n), Some(v.to_owned())),
                None => (camel(opt), None),
            };
            let valued = matches!(
                name.as_str(),
                "config"
                    | "c"
                    | "root"
                    | "r"
                    | "dir"
                    | "project"
                    | "exclude"
                    | "reporter"
                    | "outputFile"
                    | "environment"
                    | "pool"
                    | "shard"
                    | "testNamePattern"
                    | "t"
                    | "mode"
                    | "maxWorkers"
                    | "minWorkers"
                    | "testTimeout"
                    | "hookTimeout"
                    | "teardownTimeout"
                    | "slowTestThreshold"
                    | "logLevel"
                    | "silent.passedOnly"
                    | "retry"
                    | "sequence.seed"
                    | "bail"
                    | "browser.name"
                    | "coverage.provider"
                    | "coverage.reporter"
                    | "inspect"
                    | "changed"
            );
            let takes = if valued { Takes::Value } else { Takes::Nothing };
            let value = option_value(inv, &mut k, &name, inline, takes, VITEST_FLAGS, &mut unread);
            match name.as_str() {
                "config" | "c" => config_arg = value,
                "dir" => dir_arg = value,
                "root" | "r" => root_arg = value,
                "exclude" => extra_exclude.extend(value),
                "project" | "changed" => unread.push(format!("the option {} of {}", code(a), inv.whence)),
                _ => {}
            }
        } else {
            filters.push(a.clone());
        }
        k += 1;
    }
    let base = match &root_arg {
        Some(r) => normalize(&join(&package.dir, r)),
        None => package.dir.clone(),
    };
    let config_file = match &config_arg {
        Some(c) => Some(normalize(&join(&base, c))),
        None => VITEST_CONFIGS.iter().map(|c| join(&base, c)).find(|c| exists_inside(root, c)),
    };
    let (config, whence) = match &config_file {
        Some(f) => (read_js_config_with(root, f, &vitest_known()), code(f)),
        None => (Some(Value::Object { entries: Vec::new(), open: false }), "Vitest's defaults".to_owned()),
    };
    let Some(config) = config else { return Answer::Unknown(format!("{whence} cannot be read")) };
    for name in ["vitest.workspace.ts", "vitest.workspace.js", "vitest.workspace.json", "vitest.workspace.mts"] {
        if exists_inside(root, &join(&base, name)) {
            unread.push(format!("the workspace {}", code(&join(&base, name))));
        }
    }
    let test = config.get("test");
    let get = |key: &str| test.as_ref().and_then(|t| t.get(key));
    for key in ["projects", "workspace"] {
        if get(key).is_some() {
            unread.push(format!("`test.{key}` in {whence}"));
        }
    }
    let mut list = |key: &str, default: &[&str]| -> Vec<String> {
        match get(key) {
            None => default.iter().map(|s| (*s).to_owned()).collect(),
            Some(v) => v.strings().unwrap_or_else(|what| {
                unread.push(format!("`test.{key}` in {whence} is {what}"));
                Vec::new()
            }),
        }
    };
    let include = list("include", VITEST_INCLUDE);
    let mut exclude = list("exclude", VITEST_EXCLUDE);
    exclude.extend(extra_exclude);
    let config_dir = config_file.as_deref().map_or(base.clone(), |f| parent(f).to_owned());
    let mut vroot = base.clone();
    match config.get("root") {
        None => {}
        Some(Value::Str(r)) => vroot = normalize(&join(&config_dir, &r)),
        Some(other) => unread.push(format!("`root` in {whence} is {}", short(&other))),
    }
    let mut dir = vroot.clone();
    if let Some(d) = &dir_arg {
        dir = normalize(&join(&package.dir, d));
    } else {
        match get("dir") {
            None => {}
            Some(Value::Str(d)) => dir = normalize(&join(&vroot, &d)),
            Some(other) => unread.push(format!("`test.dir` in {whence} is {}", short(&other))),
        }
    }
    let under_dir = dir.is_empty() || path.starts_with(&format!("{dir}/"));
    let rel = below(&dir, path);
    let mut unknown = Vec::new();
    let mut m = |g: &String| match Glob::new(g.trim_start_matches("./")) {
        Some(glob) => glob.is_match(rel),
        None => {
            unknown.push(format!("the glob {} in {whence}", code(g)));
            false
        }
    };
    let included = include.iter().any(&mut m);
    let excluded: Vec<&String> = exclude.iter().filter(|g| m(g)).collect();
    // Vitest's file filters are parts of the path.
    let filtered = filters.is_empty() || filters.iter().any(|f| path.contains(f.trim_start_matches("./")));
    unread.extend(unknown);
    if under_dir && included && excluded.is_empty() && filtered && unread.is_empty() {
        return Answer::Runs;
    }
    if !unread.is_empty() {
        return Answer::Unknown(format!("Vitest's settings cannot all be read: {}", unread.join("; ")));
    }
    let why = if !under_dir {
        format!("Vitest ({whence}) looks only under {}", code(&format!("{dir}/")))
    } else if !included {
        format!(
            "Vitest ({whence}) collects `include` {}, which {} does not match",
            include.iter().map(|r| code(r)).collect::<Vec<_>>().join(", "),
            code(rel)
        )
    } else if !excluded.is_empty() {
        format!(
            "Vitest ({whence}) leaves it out by `exclude` {}",
            excluded.iter().map(|r| code(r)).collect::<Vec<_>>().join(", ")
        )
    } else {
        format!(
            "Vitest's command line ({}) runs only the files whose paths hold {}",
            inv.whence,
            filters.iter().map(|r| code(r)).collect::<Vec<_>>().join(", ")
        )
    };
    Answer::No(why)
}

// ---- node --test, deno, bun ----

const NODE_DEFAULTS: &[&str] = &[
    "**/*.test.?(c|m)js",
    "**/*-test.?(c|m)js",
    "**/*_test.?(c|m)js",
    "**/test-*.?(c|m)js",
    "**/test.?(c|m)js",
    "**/test/**/*.?(c|m)js",
];

fn node_test(package: &Package, inv: &Invocation, path: &str) -> Answer {
    let rel = below(&package.dir, path);
    let positional: Vec<&String> = inv.args.iter().filter(|a| !a.starts_with('-')).collect();
    let matches_default = |p: &str| NODE_DEFAULTS.iter().any(|g| Glob::new(g).is_some_and(|g| g.is_match(p)));
    let collected = if positional.is_empty() {
        !rel.split('/').any(|d| d == "node_modules") && matches_default(rel)
    } else {
        positional.iter().any(|p| {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            if has_magic(p) {
                Glob::new(p).is_some_and(|g| g.is_match(rel))
            } else {
                rel == p || rel.strip_prefix(&format!("{p}/")).is_some_and(matches_default)
            }
        })
    };
    if collected {
        return Answer::Runs;
    }
    if inv
        .args
        .iter()
        .any(|a| a.starts_with('-') && a != "--test" && !a.starts_with("--test-") && !a.starts_with("--experimental"))
    {
        return Answer::Unknown(format!("{} runs `node --test` with options incident-guard does not read", inv.whence));
    }
    let what = if positional.is_empty() {
        format!("its default patterns ({})", NODE_DEFAULTS.iter().map(|g| code(g)).collect::<Vec<_>>().join(", "))
    } else {
        positional.iter().map(|p| code(p)).collect::<Vec<_>>().join(", ")
    };
    Answer::No(format!("`node --test` ({}) runs {what}, which do not take {}", inv.whence, code(rel)))
}

const DENO_DEFAULT: &str = "**/{*_,*.,}test.{ts,tsx,mts,js,mjs,jsx}";

fn deno(root: &Path, path: &str) -> Answer {
    // deno.json(c) nearest above the file.
    let mut dir = parent(path).to_owned();
    let config = loop {
        let found = ["deno.json", "deno.jsonc"].iter().map(|n| join(&dir, n)).find(|f| exists_inside(root, f));
        if found.is_some() || dir.is_empty() {
            break found;
        }
        dir = parent(&dir).to_owned();
    };
    let base = config.as_deref().map_or(String::new(), |c| parent(c).to_owned());
    let rel = below(&base, path);
    let mut include = vec![DENO_DEFAULT.to_owned()];
    let mut exclude = Vec::new();
    if let Some(file) = &config {
        let Some(v) = read_js_config(root, file) else {
            return Answer::Unknown(format!("{} cannot be read", code(file)));
        };
        let test = v.get("test");
        for (key, slot) in [("include", &mut include), ("exclude", &mut exclude)] {
            let value = test.as_ref().and_then(|t| t.get(key));
            if let Some(value) = value {
                match value.strings() {
                    Ok(list) => {
                        *slot = list
                            .into_iter()
                            .map(|d| d.trim_start_matches("./").trim_end_matches('/').to_owned())
                            .collect()
                    }
                    Err(what) => return Answer::Unknown(format!("`test.{key}` in {} is {what}", code(file))),
                }
            }
        }
        if let Some(Ok(top)) = v.get("exclude").map(|e| e.strings()) {
            exclude.extend(top.into_iter().map(|d| d.trim_start_matches("./").trim_end_matches('/').to_owned()));
        }
    }
    let hit = |g: &String| {
        Glob::new(g).is_some_and(|glob| glob.is_match(rel)) || rel.starts_with(&format!("{g}/")) || rel == g
    };
    let named = Glob::new(DENO_DEFAULT).is_some_and(|g| g.is_match(rel));
    if include.iter().any(&hit) && named && !exclude.iter().any(hit) {
        return Answer::Runs;
    }
    let whence = config.as_deref().map_or("its defaults".to_owned(), code);
    Answer::No(format!(
        "`deno test` ({whence}) runs the files named {} under `include` {}{}, which do not take {}",
        code(DENO_DEFAULT),
        include.iter().map(|g| code(g)).collect::<Vec<_>>().join(", "),
        if exclude.is_empty() {
            String::new()
        } else {
            format!(" less `exclude` {}", exclude.iter().map(|g| code(g)).collect::<Vec<_>>().join(", "))
        },
        code(rel)
    ))
}

const BUN_DEFAULT: &str = "**/*{.test,_test,.spec,_spec}.{js,jsx,ts,tsx,mjs,cjs,mts,cts}";

fn bun(path: &str) -> Answer {
    if Glob::new(BUN_DEFAULT).is_some_and(|g| g.is_match(path)) && !path.split('/').any(|d| d == "node_modules") {
        return Answer::Runs;
    }
    Answer::No(format!("`bun test` runs the files named {}, which {} is not", code(BUN_DEFAULT), code(path)))
}

// ---- files ----

/// Reads a regular file under `root` (never through a symbolic link: the root is an
/// untrusted checkout), or `None`.
fn read_inside(root: &Path, rel: &str) -> Option<Vec<u8>> {
    let path = walk_inside(root, rel)?;
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_CONFIG_BYTES {
        return None;
    }
    std::fs::read(&path).ok()
}

fn walk_inside(root: &Path, rel: &str) -> Option<PathBuf> {
    let mut path = PathBuf::from(root);
    if rel.is_empty() {
        return Some(path);
    }
    for part in rel.split('/') {
        if part.is_empty() || part == "." || part == ".." || Path::new(part).is_absolute() {
            return None;
        }
        path.push(part);
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if meta.file_type().is_symlink() {
            return None;
        }
    }
    Some(path)
}

fn exists_inside(root: &Path, rel: &str) -> bool {
    walk_inside(root, rel).is_some_and(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
}

fn is_dir_inside(root: &Path, rel: &str) -> bool {
    walk_inside(root, rel).is_some_and(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_lines_split_into_commands_without_their_wrappers() {
        let c = commands(
            "cross-env NODE_ENV=test nyc --reporter=lcov mocha --require 'test/support/env' test/ && echo \"done; ok\"",
        );
        assert_eq!(c.len(), 2);
        assert_eq!(unwrap_command(&c[0]), ["mocha", "--require", "test/support/env", "test/"]);
        assert_eq!(c[1], ["echo", "done; ok"]);
        assert_eq!(unwrap_command(&commands("FOO=1 npx jest --ci")[0]), ["jest", "--ci"]);
        assert_eq!(unwrap_command(&commands("c8 -r text node --test")[0]), ["node", "--test"]);
    }

    #[test]
    fn flat_yaml_as_mocharc_writes_it() {
        let y =
            yaml_flat("# c\nspec:\n  - 'test/**/*.spec.js'\n  - test/b.js\nrecursive: true\nextension: [ts, 'tsx']\n")
                .unwrap();
        assert_eq!(y[0], ("spec".to_owned(), Ok(vec!["test/**/*.spec.js".to_owned(), "test/b.js".to_owned()])));
        assert_eq!(y[1], ("recursive".to_owned(), Ok(vec!["true".to_owned()])));
        assert_eq!(y[2], ("extension".to_owned(), Ok(vec!["ts".to_owned(), "tsx".to_owned()])));
        assert!(yaml_flat("spec: *anchor\n").unwrap()[0].1.is_err());
    }
}
