//! Python projects where a one-line change stops pytest from running a linked test (or
//! looks as if it should and does not), each with what pytest really does and what
//! `check` must say. `check_agrees_with_pytest_on_every_case` runs everywhere;
//! `pytest_does_what_the_cases_say` runs real pytest on the same trees, so the expected
//! column is pytest's own behaviour, not a guess: `cargo test` leaves it ignored and
//! scripts/verify-runners.sh runs it with pytest installed in a virtualenv.

mod common;

use common::*;
use std::process::Command;

const ID: &str = "INC-2026-001";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    /// Collected and run (passed).
    Runs,
    /// Collected and reported skipped.
    Skipped,
    /// Not in the collection at all.
    NotCollected,
    /// Its file fails to collect (an error for the file).
    CollectionError,
}

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    /// The linked test.
    test: &'static str,
    /// What pytest does with it.
    truth: Truth,
    /// The rule `check` reports on it, or `None` when it reports nothing.
    verdict: Option<&'static str>,
    /// Run `incident-guard init` before checking.
    init: bool,
}

const IGNORED: Option<&str> = Some("linked-test-ignored");
const NOT_COMPILED: Option<&str> = Some("linked-test-not-compiled");
const CONDITIONAL: Option<&str> = Some("linked-test-skipped-conditionally");

const fn case(
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    test: &'static str,
    truth: Truth,
    verdict: Option<&'static str>,
) -> Case {
    Case { name, files, test, truth, verdict, init: false }
}

const MARKED: &str = "import pytest\n\n\n@pytest.mark.incident(\"INC-2026-001\")\ndef test_a():\n    assert True\n";
const COMMENTED: &str = "# incident: INC-2026-001\ndef test_a():\n    assert True\n";
const FILTER_ERROR: &str = "[tool.pytest.ini_options]\nfilterwarnings = [\n    \"error\",\n]\n";

const CASES: &[Case] = &[
    // Skip marks bound to a name.
    case(
        "bound_skip",
        &[(
            "tests/test_a.py",
            "import pytest\n\nskip_flaky = pytest.mark.skip(reason=\"flaky\")\n\n\n# incident: INC-2026-001\n@skip_flaky\ndef test_a():\n    assert True\n",
        )],
        "tests/test_a.py::test_a",
        Truth::Skipped,
        IGNORED,
    ),
    case(
        "bound_skipif_true",
        &[(
            "tests/test_a.py",
            "import pytest\n\nskip_on_ci = pytest.mark.skipif(True, reason=\"ci\")\n\n\n# incident: INC-2026-001\n@skip_on_ci\ndef test_a():\n    assert True\n",
        )],
        "tests/test_a.py::test_a",
        Truth::Skipped,
        IGNORED,
    ),
    case(
        "bound_skipif_undecidable",
        &[(
            "tests/test_a.py",
            "import sys\n\nimport pytest\n\nskip_win = pytest.mark.skipif(sys.platform == \"no-such-os\", reason=\"x\")\n\n\n# incident: INC-2026-001\n@skip_win\ndef test_a():\n    assert True\n",
        )],
        "tests/test_a.py::test_a",
        Truth::Runs,
        CONDITIONAL,
    ),
    case(
        "bound_skip_inside_parametrize_is_a_value",
        &[(
            "tests/test_a.py",
            "import pytest\n\nskip_flaky = pytest.mark.skip(reason=\"flaky\")\n\n\n# incident: INC-2026-001\n@pytest.mark.parametrize(\"m\", [skip_flaky])\ndef test_a(m):\n    assert m\n",
        )],
        "tests/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    case(
        "module_pytestmark_list",
        &[(
            "tests/test_a.py",
            "import pytest\n\npytestmark = [pytest.mark.skip(reason=\"off\")]\n\n\n# incident: INC-2026-001\ndef test_a():\n    assert True\n",
        )],
        "tests/test_a.py::test_a",
        Truth::Skipped,
        IGNORED,
    ),
    case(
        "class_pytestmark_bound",
        &[(
            "tests/test_a.py",
            "import pytest\n\noff = pytest.mark.skip\n\n\nclass TestA:\n    pytestmark = off\n\n    # incident: INC-2026-001\n    def test_a(self):\n        assert True\n",
        )],
        "tests/test_a.py::TestA::test_a",
        Truth::Skipped,
        IGNORED,
    ),
    case(
        "rebound_at_module_level",
        &[(
            "tests/test_a.py",
            "import pytest\n\ns = pytest.mark.skip\ns = pytest.mark.slow\n\n\n# incident: INC-2026-001\n@s\ndef test_a():\n    assert True\n",
        )],
        "tests/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    // collect_ignore and collect_ignore_glob.
    case(
        "collect_ignore",
        &[("tests/conftest.py", "collect_ignore = [\"test_a.py\"]\n"), ("tests/test_a.py", COMMENTED)],
        "tests/test_a.py::test_a",
        Truth::NotCollected,
        NOT_COMPILED,
    ),
    case(
        "collect_ignore_glob",
        &[("tests/conftest.py", "collect_ignore_glob = [\"*_a.py\"]\n"), ("tests/test_a.py", COMMENTED)],
        "tests/test_a.py::test_a",
        Truth::NotCollected,
        NOT_COMPILED,
    ),
    case(
        "collect_ignore_a_directory_from_the_root",
        &[("conftest.py", "collect_ignore = [\"tests/legacy\"]\n"), ("tests/legacy/test_a.py", COMMENTED)],
        "tests/legacy/test_a.py::test_a",
        Truth::NotCollected,
        NOT_COMPILED,
    ),
    case(
        "collect_ignore_appended",
        &[
            ("tests/conftest.py", "collect_ignore = []\ncollect_ignore.append(\"test_a.py\")\n"),
            ("tests/test_a.py", COMMENTED),
        ],
        "tests/test_a.py::test_a",
        Truth::NotCollected,
        NOT_COMPILED,
    ),
    case(
        "collect_ignore_under_an_if",
        &[
            (
                "tests/conftest.py",
                "import sys\n\ncollect_ignore = []\nif sys.platform != \"no-such-os\":\n    collect_ignore.append(\"test_a.py\")\n",
            ),
            ("tests/test_a.py", COMMENTED),
        ],
        "tests/test_a.py::test_a",
        Truth::NotCollected,
        CONDITIONAL,
    ),
    case(
        "collect_ignore_glob_shadowed_by_a_nearer_conftest",
        &[
            ("tests/conftest.py", "collect_ignore_glob = [\"*_a.py\"]\n"),
            ("tests/sub/conftest.py", "collect_ignore_glob = []\n"),
            ("tests/sub/test_a.py", COMMENTED),
        ],
        "tests/sub/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    case(
        "collect_ignore_of_another_file",
        &[
            (
                "tests/conftest.py",
                "collect_ignore = [\"test_b.py\", \"../tests/test_c.py\"]\ncollect_ignore_glob = [\"*_old.py\"]\n",
            ),
            ("tests/test_a.py", COMMENTED),
        ],
        "tests/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    // `addopts` that leave files or tests out.
    case(
        "addopts_ignore",
        &[("pytest.ini", "[pytest]\naddopts = --ignore=tests/legacy -ra\n"), ("tests/legacy/test_a.py", COMMENTED)],
        "tests/legacy/test_a.py::test_a",
        Truth::NotCollected,
        NOT_COMPILED,
    ),
    case(
        "addopts_ignore_glob",
        &[
            ("pyproject.toml", "[tool.pytest.ini_options]\naddopts = \"--ignore-glob=*_a.py\"\n"),
            ("tests/test_a.py", COMMENTED),
        ],
        "tests/test_a.py::test_a",
        Truth::NotCollected,
        NOT_COMPILED,
    ),
    case(
        "addopts_deselect_a_longer_name_by_its_prefix",
        &[
            ("pytest.ini", "[pytest]\naddopts = --deselect tests/test_a.py::test_a\n"),
            ("tests/test_a.py", "# incident: INC-2026-001\ndef test_ab():\n    assert True\n"),
        ],
        "tests/test_a.py::test_ab",
        Truth::NotCollected,
        NOT_COMPILED,
    ),
    case(
        "addopts_ignore_of_another_directory",
        &[
            ("pytest.ini", "[pytest]\naddopts = --ignore=tests/leg --ignore-glob=*_b.py\n"),
            ("tests/legacy/test_a.py", COMMENTED),
        ],
        "tests/legacy/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    case(
        "addopts_m_deselects_a_marked_test",
        &[
            (
                "pyproject.toml",
                "[tool.pytest.ini_options]\nmarkers = [\"stress: slow\"]\naddopts = \"-m 'not stress'\"\n",
            ),
            (
                "tests/test_a.py",
                "import pytest\n\n\n# incident: INC-2026-001\n@pytest.mark.stress\ndef test_a():\n    assert True\n",
            ),
        ],
        "tests/test_a.py::test_a",
        Truth::NotCollected,
        NOT_COMPILED,
    ),
    case(
        "addopts_m_deselects_through_a_bound_name_and_a_class_mark",
        &[
            (
                "pyproject.toml",
                "[tool.pytest.ini_options]\nmarkers = [\"stress: slow\", \"db: db\"]\naddopts = \"-m 'not (stress or db)'\"\n",
            ),
            (
                "tests/test_a.py",
                "import pytest\n\nheavy = pytest.mark.db\n\n\n@heavy\nclass TestA:\n    # incident: INC-2026-001\n    def test_a(self):\n        assert True\n",
            ),
        ],
        "tests/test_a.py::TestA::test_a",
        Truth::NotCollected,
        NOT_COMPILED,
    ),
    case(
        "addopts_m_keeps_an_unmarked_test",
        &[
            (
                "pyproject.toml",
                "[tool.pytest.ini_options]\nmarkers = [\"stress: slow\"]\naddopts = \"-m 'not stress'\"\n",
            ),
            (
                "tests/test_a.py",
                "import pytest\n\n\n# incident: INC-2026-001\n@pytest.mark.parametrize(\"x\", [1])\ndef test_a(x):\n    assert x\n",
            ),
        ],
        "tests/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    // The tool's own mark under strict settings.
    case(
        "mark_under_filterwarnings_error",
        &[("pyproject.toml", FILTER_ERROR), ("tests/test_a.py", MARKED)],
        "tests/test_a.py::test_a",
        Truth::CollectionError,
        NOT_COMPILED,
    ),
    case(
        "mark_under_strict_markers",
        &[
            ("pytest.ini", "[pytest]\nmarkers =\n    slow: slow tests\nstrict_markers = true\n"),
            ("tests/test_a.py", MARKED),
        ],
        "tests/test_a.py::test_a",
        Truth::CollectionError,
        NOT_COMPILED,
    ),
    case(
        "mark_under_strict",
        &[("pytest.toml", "[pytest]\nstrict = true\n"), ("tests/test_a.py", MARKED)],
        "tests/test_a.py::test_a",
        Truth::CollectionError,
        NOT_COMPILED,
    ),
    case(
        "mark_under_addopts_strict_markers",
        &[
            ("setup.cfg", "[metadata]\nname = x\n\n[tool:pytest]\naddopts = -ra --strict-markers\n"),
            ("tests/test_a.py", MARKED),
        ],
        "tests/test_a.py::test_a",
        Truth::CollectionError,
        NOT_COMPILED,
    ),
    case(
        "mark_under_addopts_w_error",
        &[("tox.ini", "[tox]\nenvlist = py3\n\n[pytest]\naddopts = -W error\n"), ("tests/test_a.py", MARKED)],
        "tests/test_a.py::test_a",
        Truth::CollectionError,
        NOT_COMPILED,
    ),
    case(
        "mark_class_level_under_filterwarnings_error",
        &[
            ("pyproject.toml", FILTER_ERROR),
            (
                "tests/test_a.py",
                "import pytest\n\n\nclass TestA:\n    pytestmark = pytest.mark.incident(\"INC-2026-001\")\n\n    def test_a(self):\n        assert True\n",
            ),
        ],
        "tests/test_a.py::TestA::test_a",
        Truth::CollectionError,
        NOT_COMPILED,
    ),
    case(
        "mark_registered_in_markers",
        &[
            (
                "pyproject.toml",
                "[tool.pytest.ini_options]\nfilterwarnings = [\"error\"]\nmarkers = [\"incident(id): links a test to a postmortem\"]\n",
            ),
            ("tests/test_a.py", MARKED),
        ],
        "tests/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    case(
        "mark_registered_by_a_conftest",
        &[
            ("pyproject.toml", FILTER_ERROR),
            (
                "tests/conftest.py",
                "def pytest_configure(config):\n    config.addinivalue_line(\"markers\", \"incident: links a test to a postmortem\")\n",
            ),
            ("tests/test_a.py", MARKED),
        ],
        "tests/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    case(
        "mark_warning_ignored_by_a_later_filter",
        &[
            (
                "pyproject.toml",
                "[tool.pytest.ini_options]\nfilterwarnings = [\"error\", \"ignore::pytest.PytestUnknownMarkWarning\"]\n",
            ),
            ("tests/test_a.py", MARKED),
        ],
        "tests/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    case(
        "mark_under_an_unrelated_error_filter",
        &[
            ("pyproject.toml", "[tool.pytest.ini_options]\nfilterwarnings = [\"error::DeprecationWarning\"]\n"),
            ("tests/test_a.py", MARKED),
        ],
        "tests/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    case("mark_without_any_strictness", &[("tests/test_a.py", MARKED)], "tests/test_a.py::test_a", Truth::Runs, None),
    case(
        "comment_marker_under_strict_markers",
        &[
            ("pytest.ini", "[pytest]\naddopts = --strict-markers\nfilterwarnings = error\n"),
            ("tests/test_a.py", COMMENTED),
        ],
        "tests/test_a.py::test_a",
        Truth::Runs,
        None,
    ),
    Case {
        name: "mark_registered_by_init",
        files: &[("pyproject.toml", FILTER_ERROR), ("tests/test_a.py", MARKED)],
        test: "tests/test_a.py::test_a",
        truth: Truth::Runs,
        verdict: None,
        init: true,
    },
    Case {
        name: "mark_registered_by_init_in_pytest_ini",
        files: &[("pytest.ini", "[pytest]\naddopts = --strict-markers\n"), ("tests/test_a.py", MARKED)],
        test: "tests/test_a.py::test_a",
        truth: Truth::Runs,
        verdict: None,
        init: true,
    },
];

/// The case's project, committed, with `init` run when the case asks for it.
fn project(case: &Case) -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file(&format!("postmortems/{ID}.md"), postmortem(ID, ""));
    for (path, text) in case.files {
        t.file(path, text);
    }
    if case.init {
        let out = t.run(&["init", "."]);
        assert!(out.status.success(), "{}: init failed: {}", case.name, stderr(&out));
        assert!(stdout(&out).contains("registered  pytest mark `incident`"), "{}: {}", case.name, stdout(&out));
    }
    t.commit("project");
    t
}

/// The rules `check` reports on the case's test, and whether it is linked at all.
fn verdict(case: &Case) -> (Vec<String>, bool) {
    let t = project(case);
    let (_, doc) = t.check(&[]);
    let rules: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["test"] == case.test)
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect();
    (rules, tests_of(&doc, ID).iter().any(|id| id == case.test))
}

// incident: IG-2026-013
#[test]
fn check_agrees_with_pytest_on_every_case() {
    let mut wrong = Vec::new();
    for case in CASES {
        let (rules, linked) = verdict(case);
        let expected: Vec<String> = case.verdict.iter().map(|r| r.to_string()).collect();
        if rules != expected || !linked {
            wrong.push(format!(
                "{}: pytest {:?}, expected {expected:?}, check said {rules:?} (linked: {linked})",
                case.name, case.truth
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What pytest does with the case's test: `python -m pytest -v` in the project's root.
fn pytest_truth(case: &Case) -> (Truth, String) {
    let t = project(case);
    let out = Command::new("python")
        .args(["-m", "pytest", "-v", "-p", "no:cacheprovider", "--continue-on-collection-errors"])
        .current_dir(t.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("PYTEST_ADDOPTS")
        .env_remove("PYTHONWARNINGS")
        .output()
        .expect("run python -m pytest");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    let file = case.test.split("::").next().unwrap();
    let status = text.lines().find_map(|l| {
        let rest = l.strip_prefix(case.test)?;
        let rest = rest.strip_prefix(|c: char| c == '[').map_or(rest, |r| r.split_once(']').map_or(r, |(_, a)| a));
        let word = rest.split_whitespace().next()?;
        Some(word.to_owned())
    });
    let truth = match status.as_deref() {
        Some("PASSED") => Truth::Runs,
        Some("SKIPPED") => Truth::Skipped,
        Some(other) => panic!("{}: unexpected status {other}:\n{text}", case.name),
        None if text.lines().any(|l| l.starts_with(&format!("ERROR {file}"))) => Truth::CollectionError,
        None => Truth::NotCollected,
    };
    (truth, text)
}

#[test]
#[ignore = "needs pytest: scripts/verify-runners.sh runs it with pytest installed in a virtualenv"]
fn pytest_does_what_the_cases_say() {
    let version = Command::new("python").args(["-m", "pytest", "--version"]).output();
    match &version {
        Ok(v) if v.status.success() => eprintln!("{}", String::from_utf8_lossy(&v.stdout).trim()),
        _ => panic!(
            "this test needs pytest: `python -m pytest` must run (scripts/verify-runners.sh installs it in a virtualenv and puts it first on PATH); got {version:?}"
        ),
    }
    let mut wrong = Vec::new();
    let mut table = Vec::new();
    for case in CASES {
        let (truth, text) = pytest_truth(case);
        table.push(format!("{:<50} pytest: {truth:?}  check: {:?}", case.name, case.verdict));
        if truth != case.truth {
            wrong.push(format!("{}: the case says {:?}, pytest did {truth:?}:\n{text}", case.name, case.truth));
        }
    }
    eprintln!("{}", table.join("\n"));
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// The verdict follows pytest's truth: what never runs is an error, what runs only under
/// a condition the source leaves open is a warning, what runs is not reported.
#[test]
fn every_case_pairs_a_truth_with_the_verdict_it_calls_for() {
    for case in CASES {
        let fits = match case.truth {
            Truth::Runs => case.verdict.is_none() || case.verdict == CONDITIONAL,
            Truth::Skipped => case.verdict == IGNORED,
            Truth::NotCollected | Truth::CollectionError => case.verdict == NOT_COMPILED || case.verdict == CONDITIONAL,
        };
        assert!(fits, "{}: {:?} with {:?}", case.name, case.truth, case.verdict);
    }
}
