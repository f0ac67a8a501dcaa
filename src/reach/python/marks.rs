//! Whether the tool's own mark stops pytest from collecting a file. pytest looks up every
//! `pytest.mark.NAME` when the module is imported; a name not registered in the
//! `markers` setting (or by a conftest's `config.addinivalue_line("markers", …)`) is a
//! `PytestUnknownMarkWarning`, and an error under `strict_markers` (also `strict`,
//! `--strict-markers`, `--strict`). A warning filter that turns it into an error
//! (`filterwarnings = ["error"]`, `-W error` in `addopts`) has the same effect: the module
//! fails to import, pytest reports a collection error and none of its tests run.
//!
//! Filters are read as pytest applies them: `-W` options of `addopts` before the
//! `filterwarnings` setting, the last of each first; the first that matches the warning
//! (its action, message, category, module and line) decides. A message that is not a
//! regex the `regex` crate reads, a module or a line number make the match undecidable;
//! so do plugins (`pytest_plugins` in a conftest, `-p NAME` in `addopts`), which may
//! register the mark: the verdict is then a warning.

use super::{Config, Conftests, Setting, conftest_dirs, conftest_in, parent};
use crate::finding::Location;
use crate::reach::Verdict;
use crate::scan::python::conftest::{MarkUse, marker_name};
use crate::scan::{Skip, Truth};
use std::path::Path;

/// What `addopts` says about marks and warnings.
#[derive(Debug, Default)]
pub(super) struct Opts {
    strict_markers: bool,
    strict: bool,
    /// `-W` filters, in order.
    filters: Vec<String>,
    /// `-p no:warnings`: pytest applies no warning filter at all.
    no_warnings: bool,
    /// `-p NAME`: a plugin that may register marks.
    plugin: Option<String>,
    /// `-o key=value` overrides of the settings read here.
    overrides: Vec<(String, String)>,
    /// `--ignore PATH`, `--ignore-glob GLOB`, `--deselect NODEID`.
    pub(super) ignore: Vec<String>,
    pub(super) ignore_glob: Vec<String>,
    pub(super) deselect: Vec<String>,
    /// The last `-m EXPR` and `-k EXPR`.
    pub(super) mark_expr: Option<String>,
    pub(super) keyword_expr: Option<String>,
}

pub(super) fn opts(addopts: Option<&Setting>) -> Opts {
    let mut o = Opts::default();
    let args = addopts.map(|s| s.values.as_slice()).unwrap_or_default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        // `-W X`, `-WX`, `--pythonwarnings X`, `--pythonwarnings=X`; likewise `-p`, `-o`.
        let mut value = |short: &str, long: &str| -> Option<String> {
            if a == short || a == long {
                i += 1;
                return args.get(i).cloned();
            }
            // `-WX` glues a one-letter option to its value; a long one takes `=`.
            let glued = if short.len() == 2 { a.strip_prefix(short) } else { None };
            a.strip_prefix(&format!("{long}=")).or(glued).map(str::to_owned)
        };
        if a == "--strict-markers" {
            o.strict_markers = true;
        } else if a == "--strict" {
            o.strict = true;
        } else if let Some(f) = value("-W", "--pythonwarnings") {
            o.filters.push(f);
        } else if let Some(p) = value("-p", "-p") {
            match p.strip_prefix("no:") {
                Some("warnings") => o.no_warnings = true,
                Some(_) => {}
                None => {
                    o.plugin.get_or_insert(p);
                }
            }
        } else if let Some(p) = value("--ignore", "--ignore") {
            o.ignore.push(p);
        } else if let Some(p) = value("--ignore-glob", "--ignore-glob") {
            o.ignore_glob.push(p);
        } else if let Some(p) = value("--deselect", "--deselect") {
            o.deselect.push(p);
        } else if let Some(e) = value("-m", "-m") {
            o.mark_expr = Some(e);
        } else if let Some(e) = value("-k", "-k") {
            o.keyword_expr = Some(e);
        } else if let Some(kv) = value("-o", "--override-ini")
            && let Some((k, v)) = kv.split_once('=')
        {
            o.overrides.push((k.trim().to_owned(), v.to_owned()));
        }
        i += 1;
    }
    o
}

/// pytest's boolean settings: `true`, `yes`, `on`, `1`… (any case).
fn truthy(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Some(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// The message pytest warns with for an unknown mark.
fn message(name: &str) -> String {
    format!(
        "Unknown pytest.mark.{name} - is this a typo?  You can register custom marks to avoid this warning - for details, see https://docs.pytest.org/en/stable/how-to/mark.html"
    )
}

/// The classes a filter's category may name and still match `PytestUnknownMarkWarning`
/// (its own and its bases).
const CATEGORIES: &[&str] = &[
    "",
    "Warning",
    "UserWarning",
    "builtins.Warning",
    "builtins.UserWarning",
    "pytest.PytestWarning",
    "pytest.PytestUnknownMarkWarning",
    "_pytest.warning_types.PytestWarning",
    "_pytest.warning_types.PytestUnknownMarkWarning",
];

/// Whether the warning filter `filter` catches the unknown-mark warning for `name`, and
/// whether its action is `error`. `escape`: a `-W` filter, whose message is literal text;
/// the setting's are regexes.
fn filter_catches(filter: &str, name: &str, escape: bool) -> Option<(Truth, bool)> {
    let parts: Vec<&str> = filter.split(':').map(str::trim).collect();
    if parts.len() > 5 {
        return None;
    }
    let field = |i: usize| parts.get(i).copied().unwrap_or("");
    let action = match field(0) {
        "" => "default",
        a => {
            ["default", "always", "all", "ignore", "module", "once", "error"].into_iter().find(|k| k.starts_with(a))?
        }
    };
    if !CATEGORIES.contains(&field(2)) {
        return Some((Truth::No, action == "error"));
    }
    let msg = match field(1) {
        "" => Truth::Yes,
        m => {
            let pattern = if escape { regex::escape(m) } else { m.to_owned() };
            match regex::RegexBuilder::new(&format!("^(?:{pattern})")).case_insensitive(true).build() {
                Ok(re) if re.is_match(&message(name)) => Truth::Yes,
                Ok(_) => Truth::No,
                Err(_) => Truth::Unknown,
            }
        }
    };
    // The module pytest imports a test file as, and the line: not decided here.
    let module = if field(3).is_empty() { Truth::Yes } else { Truth::Unknown };
    let line = if matches!(field(4), "" | "0") { Truth::Yes } else { Truth::Unknown };
    Some((msg.and(module).and(line), action == "error"))
}

/// Whether the filters (`-W` ones, then the setting's) make the warning an error.
fn warning_is_error(cmdline: &[String], config: &[String], name: &str) -> Truth {
    let ordered = cmdline.iter().rev().map(|f| (f, true)).chain(config.iter().rev().map(|f| (f, false)));
    let mut open = false; // an earlier filter may have caught it, with another action
    for (f, escape) in ordered {
        let Some((catches, error)) = filter_catches(f, name, escape) else { continue };
        match catches {
            Truth::Yes if !open => return if error { Truth::Yes } else { Truth::No },
            Truth::Yes => return Truth::Unknown,
            Truth::Unknown => open = true,
            Truth::No => {}
        }
    }
    if open { Truth::Unknown } else { Truth::No }
}

/// The file and section where `markers` goes, and the line to add, for a help text.
pub(super) fn how_to_register(config: &Config, name: &str) -> String {
    let line = format!("{name}: links the test to its postmortem (incident-guard)");
    let place = match config.file.as_deref() {
        Some(file) if file.ends_with(".toml") => {
            format!("register the mark: `markers = [\"{line}\"]` under `{}` in {file}", config.section)
        }
        Some(file) => format!(
            "register the mark: a `markers =` setting under `{}` in {file} with the line `{line}` (indented, below it)",
            config.section
        ),
        None => {
            format!("register the mark: `markers = [\"{line}\"]` under `[tool.pytest.ini_options]` in pyproject.toml")
        }
    };
    format!(
        "{place}, or with `config.addinivalue_line(\"markers\", \"{line}\")` in a `pytest_configure` hook of conftest.py"
    )
}

/// The verdict on a test in `path`, whose module touches the marks `uses` when pytest
/// imports it: `Uncollectable` when one of them is unknown to pytest and that fails
/// collection, `Conditional` when that depends on what the source cannot tell.
pub(super) fn verdict(
    root: &Path,
    config: &Config,
    path: &str,
    uses: &[MarkUse],
    conftests: &mut Conftests,
) -> Option<Verdict> {
    let o = opts(config.addopts.as_ref());
    let registered: Vec<String> = config.markers.iter().flat_map(|s| s.values.iter()).map(|l| marker_name(l)).collect();
    let mut maybe_registered: Option<(String, Location)> =
        o.plugin.as_ref().zip(config.addopts.as_ref()).map(|(p, s)| {
            (format!("the plugin `-p {p}` in `addopts` ({})", config.file.as_deref().unwrap_or("")), s.loc.clone())
        });
    let mut by_conftest: Vec<String> = Vec::new();
    for dir in conftest_dirs(&config.dir, parent(path)) {
        let Some(c) = conftest_in(root, &dir, conftests) else { continue };
        let file = super::join(&dir, "conftest.py");
        for r in &c.registrations {
            match &r.name {
                Some(n) => by_conftest.push(n.clone()),
                None => {
                    maybe_registered.get_or_insert_with(|| {
                        (format!("a `config.addinivalue_line(\"markers\", …)` in {file}:{}", r.line), at(&file, r.line))
                    });
                }
            }
        }
        if let Some(line) = c.plugins {
            maybe_registered.get_or_insert_with(|| (format!("the `pytest_plugins` of {file}:{line}"), at(&file, line)));
        }
    }
    let bool_setting = |key: &str, setting: &Option<Setting>| -> Option<(bool, Option<Location>)> {
        if let Some((_, v)) = o.overrides.iter().rev().find(|(k, _)| k == key) {
            return truthy(v).map(|b| (b, config.addopts.as_ref().map(|s| s.loc.clone())));
        }
        setting.as_ref().and_then(|s| truthy(&s.values.join(" ")).map(|b| (b, Some(s.loc.clone()))))
    };
    // `--strict-markers` sets `strict_markers`; unset, it falls back to `strict`.
    let strict = if o.strict_markers {
        Some(("`--strict-markers` in `addopts`", config.addopts.as_ref().map(|s| s.loc.clone())))
    } else {
        match bool_setting("strict_markers", &config.strict_markers) {
            Some((true, loc)) => Some(("`strict_markers = true`", loc)),
            Some((false, _)) => None,
            None if o.strict => Some(("`--strict` in `addopts`", config.addopts.as_ref().map(|s| s.loc.clone()))),
            None => match bool_setting("strict", &config.strict) {
                Some((true, loc)) => Some(("`strict = true`", loc)),
                _ => None,
            },
        }
    };
    let filters: Vec<String> = match o.overrides.iter().rev().find(|(k, _)| k == "filterwarnings") {
        Some((_, v)) => v.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        None => config.filterwarnings.as_ref().map(|s| s.values.clone()).unwrap_or_default(),
    };
    let whence = config.file.as_deref().unwrap_or("pytest's default");
    let mut maybe = None;
    let mut seen: Vec<&str> = Vec::new();
    for u in uses {
        if seen.contains(&u.name.as_str()) || registered.contains(&u.name) || by_conftest.contains(&u.name) {
            continue;
        }
        seen.push(&u.name);
        let mark = format!("`mark.{}` ({path}:{})", u.name, u.line);
        let (fails, how, loc) = match &strict {
            Some((what, loc)) => (Truth::Yes, format!("{what} ({whence}) makes an unknown mark an error"), loc.clone()),
            None if o.no_warnings => continue,
            None => {
                let truth = warning_is_error(&o.filters, &filters, &u.name);
                let (how, loc) = if o.filters.is_empty() {
                    let shown: Vec<String> = filters.iter().map(|f| format!("{f:?}")).collect();
                    (
                        format!(
                            "`filterwarnings = [{}]` ({whence}) makes pytest's warning about an unknown mark an error",
                            shown.join(", ")
                        ),
                        config.filterwarnings.as_ref().map(|s| s.loc.clone()),
                    )
                } else {
                    (
                        format!(
                            "the `-W` options in `addopts` ({whence}) make pytest's warning about an unknown mark an error"
                        ),
                        config.addopts.as_ref().map(|s| s.loc.clone()),
                    )
                };
                (truth, how, loc)
            }
        };
        let loc = loc.unwrap_or_else(|| at(path, u.line));
        let sure = fails == Truth::Yes && maybe_registered.is_none();
        match fails {
            Truth::No => {}
            _ if sure => {
                let why = format!(
                    "{mark} is not a registered mark, and {how}: importing the module fails, so pytest collects none of its tests"
                );
                return Some(Verdict::Uncollectable {
                    why,
                    loc,
                    help: format!(
                        "{}; `incident-guard init` adds it to the pytest config it finds",
                        how_to_register(config, &u.name)
                    ),
                });
            }
            _ => {
                let unless = match &maybe_registered {
                    Some((what, _)) => format!("unless {what} registers it, "),
                    None => String::new(),
                };
                let what = if fails == Truth::Yes {
                    format!(
                        "{mark} is not registered in the pytest config, and {how}: {unless}importing the module fails and pytest collects none of its tests"
                    )
                } else {
                    format!(
                        "{mark} is not a registered mark, and the warning filters of {whence} may make pytest's warning about it an error (whether one matches, the source cannot tell): then, {unless}importing the module fails and pytest collects none of its tests"
                    )
                };
                maybe.get_or_insert(Verdict::Conditional(Skip::new(loc, what)));
            }
        }
    }
    maybe
}

fn at(path: &str, line: usize) -> Location {
    Location { path: path.to_owned(), line, column: 1, len: 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_filters_in_pytests_order() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(warning_is_error(&[], &s(&["error"]), "incident"), Truth::Yes);
        assert_eq!(warning_is_error(&[], &s(&["e"]), "incident"), Truth::Yes);
        assert_eq!(warning_is_error(&[], &s(&["error::DeprecationWarning"]), "incident"), Truth::No);
        assert_eq!(
            warning_is_error(&[], &s(&["error", "ignore::pytest.PytestUnknownMarkWarning"]), "incident"),
            Truth::No
        );
        assert_eq!(warning_is_error(&[], &s(&["ignore::UserWarning", "error"]), "incident"), Truth::Yes);
        assert_eq!(warning_is_error(&s(&["default"]), &s(&["error"]), "incident"), Truth::No);
        assert_eq!(warning_is_error(&s(&["error"]), &[], "incident"), Truth::Yes);
        assert_eq!(warning_is_error(&[], &s(&["error:Unknown pytest\\.mark"]), "incident"), Truth::Yes);
        assert_eq!(warning_is_error(&[], &s(&["error:unknown pytest.mark.incident"]), "incident"), Truth::Yes);
        assert_eq!(warning_is_error(&[], &s(&["error:something else"]), "incident"), Truth::No);
        assert_eq!(warning_is_error(&[], &s(&["error:::tests.test_x"]), "incident"), Truth::Unknown);
        assert_eq!(warning_is_error(&[], &s(&["error", "ignore:::tests"]), "incident"), Truth::Unknown);
        assert_eq!(warning_is_error(&[], &s(&["error:(?<=x)y"]), "incident"), Truth::Unknown);
        assert_eq!(warning_is_error(&[], &s(&["a:b:c:d:e:f"]), "incident"), Truth::No);
        assert_eq!(warning_is_error(&[], &[], "incident"), Truth::No);
    }

    #[test]
    fn addopts_read_like_pytests_command_line() {
        let setting =
            |v: &[&str]| Setting { values: v.iter().map(|x| x.to_string()).collect(), loc: at("pytest.ini", 2) };
        let o = opts(Some(&setting(&[
            "-ra",
            "--ignore-glob=*_old.py",
            "--ignore",
            "tests/legacy",
            "--deselect=tests/test_a.py::test_b",
            "-W",
            "error",
            "-Wignore::DeprecationWarning",
            "--pythonwarnings=always",
            "-p",
            "no:cacheprovider",
            "-pxdist",
            "--strict-markers",
            "-o",
            "strict=true",
        ])));
        assert_eq!(o.filters, ["error", "ignore::DeprecationWarning", "always"]);
        assert!(o.strict_markers && !o.strict && !o.no_warnings);
        assert_eq!(o.plugin.as_deref(), Some("xdist"));
        assert_eq!(o.overrides, [("strict".to_owned(), "true".to_owned())]);
        assert_eq!(
            (o.ignore, o.ignore_glob, o.deselect),
            (vec!["tests/legacy".to_owned()], vec!["*_old.py".to_owned()], vec!["tests/test_a.py::test_b".to_owned()])
        );
        assert!(opts(Some(&setting(&["-p", "no:warnings", "--strict"]))).no_warnings);
    }
}
