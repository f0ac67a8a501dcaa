//! Whose code a test runs. A run in a temporary worktree proves something only if the code
//! under test is that worktree's: a package installed in development mode
//! (`pip install -e .`) is imported from the user's checkout, a `node_modules` link points
//! at it, a Maven module takes its siblings from the local repository, and every run then
//! tests today's code, with and without the fix alike. So each language's resolution is
//! pointed at the worktree where it can be (Python: the worktree's `src/` and root first
//! on `PYTHONPATH`), and checked where it cannot be pointed: when the code comes from
//! elsewhere, the test is `not-runnable`, saying where the code came from and how to fix
//! it, and no verdict about the test is given.

use super::command::{NotRunnable, Prepared};
use std::path::{Path, PathBuf};

/// The variables that point a language's resolution at the worktree whose checked
/// directory is `root`, for a test in `file` (relative to `root`). `inherited` is the
/// value verify's own environment gives the variable, kept after ours.
pub fn env(language: &str, root: &Path, file: &str, inherited: Option<&str>) -> Vec<(String, String)> {
    if language != "python" {
        return Vec::new();
    }
    let project = python_project(root, file);
    let mut dirs: Vec<String> = Vec::new();
    let src = project.join("src");
    if src.is_dir() {
        dirs.push(src.to_string_lossy().into_owned());
    }
    dirs.push(project.to_string_lossy().into_owned());
    if project != root {
        dirs.push(root.to_string_lossy().into_owned());
    }
    if let Some(old) = inherited.filter(|o| !o.is_empty()) {
        dirs.push(old.to_owned());
    }
    vec![("PYTHONPATH".to_owned(), dirs.join(":"))]
}

/// The nearest directory at or above the test's file (inside `root`) that holds a
/// Python project's metadata, else `root`.
fn python_project(root: &Path, file: &str) -> PathBuf {
    let path = root.join(file);
    for dir in path.ancestors().skip(1) {
        if !dir.starts_with(root) {
            break;
        }
        if ["pyproject.toml", "setup.py", "setup.cfg"].iter().any(|m| dir.join(m).is_file()) {
            return dir.to_path_buf();
        }
    }
    root.to_path_buf()
}

/// A command to run in the test's environment, to ask it where something resolves from.
pub struct Probe {
    pub argv: Vec<String>,
    /// What the probe is about, for the checker of its output.
    kind: ProbeKind,
}

enum ProbeKind {
    /// The Python modules under test, named on its command line.
    Python,
    /// `cargo metadata`, whose workspace root must be the worktree's.
    Cargo,
    /// `go env GOWORK`: a workspace file outside the worktree would take its modules
    /// from wherever it names (the user's checkout).
    Go,
}

/// The probe to run before the test, if its language's resolution can be asked: for
/// Python, the top-level modules the test's file imports that are the worktree's own,
/// imported by the interpreter the command runs; for Rust, `cargo metadata`; for Go, the
/// workspace file `go` uses.
pub fn probe(language: &str, prepared: &Prepared, root: &Path, file: &str, source: &str) -> Option<Probe> {
    match language {
        "python" => {
            let project = python_project(root, file);
            let mut names: Vec<String> = imported_modules(source)
                .into_iter()
                .filter(|n| [project.join("src"), project.clone()].iter().any(|d| is_module(d, n)))
                .collect();
            // In a src layout, what `src/` holds is what is under test, even when the test
            // imports it through a helper (`from . import tomllib`).
            for name in src_packages(&project.join("src")) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            if names.is_empty() {
                return None;
            }
            let mut argv = python_interpreter(&prepared.argv)?;
            argv.push("-c".to_owned());
            argv.push(PYTHON_PROBE.to_owned());
            argv.extend(names.iter().cloned());
            Some(Probe { argv, kind: ProbeKind::Python })
        }
        "rust" if prepared.argv.first().is_some_and(|p| p == "cargo") => Some(Probe {
            argv: ["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"]
                .iter()
                .map(|w| (*w).to_owned())
                .collect(),
            kind: ProbeKind::Cargo,
        }),
        "go" if prepared.argv.first().is_some_and(|p| p == "go") => {
            Some(Probe { argv: vec!["go".into(), "env".into(), "GOWORK".into()], kind: ProbeKind::Go })
        }
        _ => None,
    }
}

/// Imports each module named on its command line and prints where it came from, and the
/// directories of installed packages (where an editable install's `.pth` file lies).
const PYTHON_PROBE: &str = "import importlib, site, sys\nfor n in sys.argv[1:]:\n    try:\n        m = importlib.import_module(n)\n    except BaseException as e:\n        print('!', n, type(e).__name__); continue\n    f = getattr(m, '__file__', None) or next(iter(getattr(m, '__path__', [])), '')\n    print('=', n, f)\nfor d in site.getsitepackages() + [site.getusersitepackages()]:\n    print('site', d)";

/// The words that start the command's Python interpreter: the command's own when it runs
/// one (`python -m pytest`, `.venv/bin/python3 -m pytest`, `uv run python …`); for
/// `pytest` run as a program, the interpreter of its script, else `python` where `pytest`
/// stands (`uv run pytest` → `uv run python`). `None` when no Python word is found.
fn python_interpreter(argv: &[String]) -> Option<Vec<String>> {
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_owned();
    let i = argv.iter().position(|w| {
        let b = base(w);
        b.starts_with("python") || b == "pytest" || b == "py.test"
    })?;
    let mut out: Vec<String> = argv[..i].to_vec();
    let b = base(&argv[i]);
    if b.starts_with("python") {
        out.push(argv[i].clone());
    } else if i == 0 {
        out.push(shebang_of(&argv[i]).unwrap_or_else(|| "python".to_owned()));
    } else {
        out.push("python".to_owned());
    }
    Some(out)
}

/// The interpreter named by the `#!` line of the program `name` found on `PATH`.
fn shebang_of(name: &str) -> Option<String> {
    let path = if name.contains('/') {
        PathBuf::from(name)
    } else {
        std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())?
    };
    let mut head = vec![0u8; 512];
    let n = std::io::Read::read(&mut std::fs::File::open(path).ok()?, &mut head).ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    let line = text.lines().next()?.strip_prefix("#!")?.trim();
    let program = line.split_whitespace().next()?;
    // `#!/usr/bin/env python3`: the program after env.
    if program.ends_with("/env") { line.split_whitespace().nth(1).map(str::to_owned) } else { Some(program.to_owned()) }
}

/// The top-level names of the modules a Python file imports (`import a.b`, `from a.b
/// import c`, indented or not), in order, once each; relative imports are left out.
pub fn imported_modules(source: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in source.lines() {
        let line = line.trim_start();
        let names: Vec<&str> = if let Some(rest) = line.strip_prefix("import ") {
            rest.split('#').next().unwrap_or("").split(',').map(|p| p.split_whitespace().next().unwrap_or("")).collect()
        } else if let Some(rest) = line.strip_prefix("from ") {
            vec![rest.split_whitespace().next().unwrap_or("")]
        } else {
            continue;
        };
        for name in names {
            let top = name.split('.').next().unwrap_or("");
            let valid = !top.is_empty()
                && top.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !top.starts_with(|c: char| c.is_ascii_digit());
            if valid && !out.iter().any(|o| o == top) {
                out.push(top.to_owned());
            }
        }
    }
    out
}

/// The top-level packages and modules in a `src/` directory, by name, at most ten.
fn src_packages(src: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(src) else { return Vec::new() };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            if path.join("__init__.py").is_file() {
                Some(name)
            } else {
                name.strip_suffix(".py").filter(|_| path.is_file()).map(str::to_owned)
            }
        })
        .filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_') && !n.is_empty())
        .collect();
    out.sort();
    out.truncate(10);
    out
}

/// Whether `name` is a top-level module of the checkout whose checked directory is
/// `root`: in the test's project, its `src/` or its root.
pub fn is_local_module(root: &Path, file: &str, name: &str) -> bool {
    let project = python_project(root, file);
    [project.join("src"), project, root.to_path_buf()].iter().any(|d| is_module(d, name)) || root.join(name).is_dir()
}

/// Whether `dir` holds a module or package named `name`.
fn is_module(dir: &Path, name: &str) -> bool {
    dir.join(name).join("__init__.py").is_file() || dir.join(format!("{name}.py")).is_file() || {
        // A namespace package: a directory of Python files without `__init__.py`.
        let d = dir.join(name);
        d.is_dir()
            && std::fs::read_dir(&d).is_ok_and(|mut it| {
                it.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "py") || e.path().is_dir()))
            })
            && name != "tests"
            && name != "test"
    }
}

/// Reads the probe's output: `Err` when the code under test resolves outside `worktree`
/// (the checkout's directory), saying from where and how to fix it. A probe that could
/// not import a module says nothing: the test's own run then tells why.
pub fn judge(probe: &Probe, output: &str, worktree: &Path) -> Result<(), NotRunnable> {
    let inside = |p: &Path| {
        let p = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let w = worktree.canonicalize().unwrap_or_else(|_| worktree.to_path_buf());
        p.starts_with(w)
    };
    match &probe.kind {
        ProbeKind::Python => {
            let sites: Vec<PathBuf> =
                output.lines().filter_map(|l| l.strip_prefix("site ")).map(PathBuf::from).collect();
            for line in output.lines() {
                let Some(rest) = line.strip_prefix("= ") else { continue };
                let Some((name, file)) = rest.split_once(' ') else { continue };
                if file.is_empty() || inside(Path::new(file)) {
                    continue;
                }
                let from = installed_by(&sites, Path::new(file))
                    .map(|pth| format!(", put ahead of the worktree by {}", pth.display()))
                    .unwrap_or_default();
                return Err(NotRunnable {
                    why: format!(
                        "the code under test is not the worktree's: `{name}` is imported from {file}{from}, so both runs would test that copy"
                    ),
                    help: format!(
                        "run verify in a virtualenv where `{name}` is not installed in development mode (`pip uninstall {name}`, then install only its dependencies), or one of verify's own with `[verify] setup = [\"pip install -e .\"]`"
                    ),
                });
            }
            Ok(())
        }
        ProbeKind::Go => {
            let file = output.lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("");
            if file.is_empty() || file == "off" || inside(Path::new(file)) {
                return Ok(());
            }
            Err(NotRunnable {
                why: format!(
                    "the code under test may not be the worktree's: `go` uses the workspace {file}, outside the worktree, whose `use` lines name the modules it builds"
                ),
                help: "run verify with `GOWORK=off`, or without the go.work file above the temporary directory"
                    .to_owned(),
            })
        }
        ProbeKind::Cargo => {
            let Ok(doc) = serde_json::from_str::<serde_json::Value>(output.lines().last().unwrap_or("")) else {
                return Ok(());
            };
            let Some(ws) = doc["workspace_root"].as_str() else { return Ok(()) };
            if inside(Path::new(ws)) {
                return Ok(());
            }
            Err(NotRunnable {
                why: format!(
                    "cargo takes the workspace at {ws}, outside the worktree, so the code under test would not be the worktree's"
                ),
                help: "a `Cargo.toml` with `[workspace]` above the worktree claims it: run verify with TMPDIR in a directory no workspace contains".to_owned(),
            })
        }
    }
}

/// The `.pth` file in the installed-package directories `sites` that puts `file`'s
/// directory (or one above it) on `sys.path`, or loads an editable finder naming it.
fn installed_by(sites: &[PathBuf], file: &Path) -> Option<PathBuf> {
    for site in sites {
        let Ok(entries) = std::fs::read_dir(site) else { continue };
        let mut pths: Vec<PathBuf> =
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "pth")).collect();
        pths.sort();
        for pth in pths {
            let Ok(text) = std::fs::read_to_string(&pth) else { continue };
            let names_it = text.lines().any(|l| {
                let l = l.trim();
                (!l.is_empty() && !l.starts_with('#') && !l.starts_with("import") && file.starts_with(l))
                    || (l.starts_with("import")
                        && file.ancestors().skip(1).any(|a| a.to_str().is_some_and(|a| a.len() > 1 && l.contains(a))))
            });
            if names_it || pth.file_name().is_some_and(|n| n.to_string_lossy().starts_with("__editable__")) {
                return Some(pth);
            }
        }
    }
    None
}

/// Where a JavaScript package's own name resolves from: `node_modules/<name>` in the test's
/// project directory or above it. `Err` when that is outside the worktree (a link to the
/// user's checkout, an install in a directory above), since the test's imports of its own
/// package would then load that copy.
pub fn check_node(project: &Path, worktree: &Path) -> Result<(), NotRunnable> {
    let Ok(manifest) = std::fs::read_to_string(project.join("package.json")) else { return Ok(()) };
    let Some(name) =
        serde_json::from_str::<serde_json::Value>(&manifest).ok().and_then(|d| d["name"].as_str().map(str::to_owned))
    else {
        return Ok(());
    };
    if name.is_empty() || name.contains("..") {
        return Ok(());
    }
    let w = worktree.canonicalize().unwrap_or_else(|_| worktree.to_path_buf());
    for dir in project.ancestors() {
        let link = dir.join("node_modules").join(&name);
        if std::fs::symlink_metadata(&link).is_err() {
            continue;
        }
        let target = link.canonicalize().unwrap_or_else(|_| link.clone());
        if target.starts_with(&w) {
            return Ok(());
        }
        return Err(NotRunnable {
            why: format!(
                "the code under test is not the worktree's: the package `{name}` resolves to {} (through {}), so both runs would test that copy",
                target.display(),
                link.display()
            ),
            help: format!("remove {} (a link left by `npm link`, or an install above the worktree)", link.display()),
        });
    }
    Ok(())
}

/// A Maven command run in a module of a multi-module build: from the build's top with
/// `-pl <module> -am`, so that the module's siblings are built from the worktree instead of
/// taken from the local repository (`~/.m2`), where an earlier `mvn install` of the user's
/// checkout left them. `None` when the command is not Maven's, already names its modules,
/// or the module is the build's top.
pub fn maven_reactor(prepared: &Prepared, root: &Path) -> Option<Prepared> {
    let program = prepared.argv.first()?;
    let base = program.rsplit('/').next().unwrap_or(program);
    if !(base == "mvn" || base == "mvnw" || base == "mvn.cmd") {
        return None;
    }
    if prepared.argv.iter().any(|w| w == "-pl" || w == "--projects" || w.starts_with("-pl=") || w == "-f") {
        return None;
    }
    // The topmost directory at or below `root` above the module whose pom lists modules.
    let top = prepared
        .dir
        .ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(root))
        .filter(|d| std::fs::read_to_string(d.join("pom.xml")).is_ok_and(|p| p.contains("<modules>")))
        .last()?
        .to_path_buf();
    let module = crate::paths::relative(&top, &prepared.dir);
    let mut argv = vec![program.clone()];
    argv.extend(["-pl".to_owned(), module, "-am".to_owned(), "-Dsurefire.failIfNoSpecifiedTests=false".to_owned()]);
    argv.extend(prepared.argv[1..].iter().cloned());
    Some(Prepared { argv, dir_rel: crate::paths::relative(root, &top), dir: top })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn python_imports_give_their_top_level_modules() {
        let src = "import os, json as j\nfrom shop.retry import retries\nfrom . import x\n    import attrs.validators\nfrom shop import y  # again\n";
        assert_eq!(imported_modules(src), ["os", "json", "shop", "attrs"]);
    }

    #[test]
    fn the_interpreter_is_the_commands_own() {
        assert_eq!(python_interpreter(&words(&["python", "-m", "pytest", "t"])), Some(words(&["python"])));
        assert_eq!(
            python_interpreter(&words(&[".venv/bin/python3", "-m", "pytest"])),
            Some(words(&[".venv/bin/python3"]))
        );
        assert_eq!(python_interpreter(&words(&["uv", "run", "pytest", "t"])), Some(words(&["uv", "run", "python"])));
        assert_eq!(python_interpreter(&words(&["tox", "-e", "py"])), None);
    }

    #[test]
    fn a_module_imported_from_outside_the_worktree_is_not_runnable_and_says_from_where() {
        let dir = tempfile::tempdir().unwrap();
        let wt = dir.path().join("wt");
        let site = dir.path().join("site");
        std::fs::create_dir_all(wt.join("src/shop")).unwrap();
        std::fs::create_dir_all(&site).unwrap();
        let user = dir.path().join("checkout/src");
        std::fs::write(site.join("shop.pth"), format!("{}\n", user.display())).unwrap();
        let probe = Probe { argv: Vec::new(), kind: ProbeKind::Python };
        let inside = format!("= shop {}\nsite {}\n", wt.join("src/shop/__init__.py").display(), site.display());
        assert_eq!(judge(&probe, &inside, &wt), Ok(()));
        let outside = format!("= shop {}/shop/__init__.py\nsite {}\n", user.display(), site.display());
        let err = judge(&probe, &outside, &wt).unwrap_err();
        assert!(
            err.why.contains(&format!("put ahead of the worktree by {}", site.join("shop.pth").display())),
            "{}",
            err.why
        );
        assert!(err.help.contains("pip uninstall shop"), "{}", err.help);
        // A module that did not import says nothing here.
        assert_eq!(judge(&probe, "! shop ModuleNotFoundError\n", &wt), Ok(()));
    }

    #[test]
    fn a_go_workspace_outside_the_worktree_is_not_runnable() {
        let dir = tempfile::tempdir().unwrap();
        let wt = dir.path().join("wt");
        std::fs::create_dir_all(&wt).unwrap();
        let probe = Probe { argv: Vec::new(), kind: ProbeKind::Go };
        assert_eq!(judge(&probe, "\n", &wt), Ok(()));
        assert_eq!(judge(&probe, "off\n", &wt), Ok(()));
        assert_eq!(judge(&probe, &format!("{}\n", wt.join("go.work").display()), &wt), Ok(()));
        let err = judge(&probe, "/home/u/src/go.work\n", &wt).unwrap_err();
        assert!(err.why.contains("uses the workspace /home/u/src/go.work"), "{}", err.why);
    }

    #[test]
    fn a_maven_module_runs_from_its_reactor() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("pom.xml"), "<project><modules><module>core</module></modules></project>").unwrap();
        std::fs::create_dir_all(root.join("core")).unwrap();
        std::fs::write(root.join("core/pom.xml"), "<project></project>").unwrap();
        let p = Prepared {
            argv: words(&["mvn", "-q", "test", "-Dtest=A#b"]),
            dir: root.join("core"),
            dir_rel: "core".into(),
        };
        let r = maven_reactor(&p, root).unwrap();
        assert_eq!(
            r.argv,
            words(&[
                "mvn",
                "-pl",
                "core",
                "-am",
                "-Dsurefire.failIfNoSpecifiedTests=false",
                "-q",
                "test",
                "-Dtest=A#b"
            ])
        );
        assert_eq!(r.dir, root);
        let top = Prepared { argv: words(&["mvn", "test"]), dir: root.to_path_buf(), dir_rel: ".".into() };
        assert_eq!(maven_reactor(&top, root), None);
    }

    #[test]
    fn a_node_package_linked_outside_the_worktree_is_not_runnable() {
        let dir = tempfile::tempdir().unwrap();
        let wt = dir.path().join("wt");
        let user = dir.path().join("checkout");
        std::fs::create_dir_all(wt.join("node_modules")).unwrap();
        std::fs::create_dir_all(&user).unwrap();
        std::fs::write(wt.join("package.json"), r#"{"name": "cart"}"#).unwrap();
        assert_eq!(check_node(&wt, &wt), Ok(()));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&user, wt.join("node_modules/cart")).unwrap();
            let err = check_node(&wt, &wt).unwrap_err();
            assert!(err.why.contains("the package `cart` resolves to"), "{}", err.why);
        }
    }
}
