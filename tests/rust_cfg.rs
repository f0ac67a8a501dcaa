//! Rust cfg conditions on linked tests, decided over the whole predicate, against the
//! package's manifest (features, check-cfg), cfg-wrapping macros and the repository's CI
//! workflows, through the real binary on crates in temporary directories.

mod common;
use common::*;

/// A package `p` (its `[package]` plus `manifest`) with `tests/a.rs` holding `test`, the
/// workflows given, checked without git.
fn crate_with(manifest: &str, test: &str, workflows: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let mut files = vec![("tests/a.rs".to_owned(), test.to_owned())];
    files.extend(workflows.iter().map(|(name, text)| (format!(".github/workflows/{name}"), text.to_string())));
    package(manifest, &files)
}

/// A package `p` with `files` (paths and texts), checked without git.
fn package(manifest: &str, files: &[(String, String)]) -> (i32, serde_json::Value) {
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("Cargo.toml", format!("[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{manifest}"));
    for (path, text) in files {
        t.file(path, text);
    }
    t.check(&[])
}

fn linked(attrs: &str) -> String {
    format!("// incident: INC-1\n{attrs}#[test]\nfn a() {{}}\n")
}

/// `(rule, message)` of the findings about the linked test.
fn about_a(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["test"] == "tests/a.rs::a")
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["message"].as_str().unwrap().to_owned()))
        .collect()
}

// incident: IG-2026-013
#[test]
fn impossible_conditions_are_errors_not_conditions() {
    for attrs in [
        "#[cfg(all(unix, not(unix)))]\n",
        "#[cfg(all(target_os = \"linux\", target_os = \"windows\"))]\n",
        "#[cfg(all(unix, windows))]\n",
        "#[cfg(unix)]\n#[cfg(windows)]\n",
        "#[cfg(target_os = \"macos\")]\n#[cfg_attr(unix, ignore)]\n",
    ] {
        let (code, doc) = crate_with("", &linked(attrs), &[]);
        assert_eq!(code, 1, "{attrs}: {doc:#}");
        assert_eq!(errors(&doc), [err("linked-test-ignored", "tests/a.rs::a")], "{attrs}: {doc:#}");
        assert!(of_rule(&doc, "linked-test-skipped-conditionally").is_empty(), "{attrs}: {doc:#}");
        let f = of_rule(&doc, "linked-test-ignored")[0];
        let line = f["line"].as_u64().unwrap();
        assert!((2..=3).contains(&line), "{attrs}: points at the condition: {f}");
    }
    // Inside a module whose condition excludes the test's.
    let (code, doc) = crate_with(
        "",
        "#[cfg(windows)]\nmod w {\n    // incident: INC-1\n    #[cfg(unix)]\n    #[test]\n    fn a() {}\n}\n",
        &[],
    );
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "tests/a.rs::w::a")]), "{doc:#}");
}

// incident: IG-2026-013
#[test]
fn conditions_true_in_every_ordinary_run_are_no_finding() {
    for attrs in ["#[cfg(not(miri))]\n", "#[cfg_attr(miri, ignore)]\n", "#[cfg(any(unix, not(unix)))]\n"] {
        let (code, doc) = crate_with("", &linked(attrs), &[]);
        assert_eq!((code, about_a(&doc)), (0, vec![]), "{attrs}: {doc:#}");
    }
    // Under Miri only: a condition.
    let (_, doc) = crate_with("", &linked("#[cfg(miri)]\n"), &[]);
    assert_eq!(about_a(&doc).len(), 1, "{doc:#}");
    assert_eq!(about_a(&doc)[0].0, "linked-test-skipped-conditionally");
}

// incident: IG-2026-013
#[test]
fn features_are_decided_by_the_manifest() {
    let manifest = "[features]\ndefault = [\"std\"]\nstd = [\"alloc\"]\nalloc = []\nfull = []\n\
[dependencies]\nregex = { version = \"1\", optional = true }\n";
    // Not declared (nor an optional dependency): no build enables it.
    let (code, doc) = crate_with(manifest, &linked("#[cfg(feature = \"sync\")]\n"), &[]);
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "tests/a.rs::a")]), "{doc:#}");
    let message = of_rule(&doc, "linked-test-ignored")[0]["message"].as_str().unwrap();
    assert!(message.contains("package `p` declares no feature `sync`"), "{message}");
    // The same in a file-wide `#![cfg]`.
    let (code, doc) =
        crate_with(manifest, "#![cfg(feature = \"sync\")]\n// incident: INC-1\n#[test]\nfn a() {}\n", &[]);
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "tests/a.rs::a")]), "{doc:#}");
    // Default, directly or through another default feature: plain `cargo test` runs it.
    for attrs in ["#[cfg(feature = \"std\")]\n", "#![cfg(feature = \"alloc\")]\n"] {
        let text = if attrs.starts_with("#!") { format!("{attrs}{}", linked("")) } else { linked(attrs) };
        let (code, doc) = crate_with(manifest, &text, &[]);
        assert_eq!((code, about_a(&doc)), (0, vec![]), "{attrs}: {doc:#}");
    }
    // Declared but not default, or an optional dependency: a condition, which says so.
    for (attrs, says) in [
        ("#[cfg(feature = \"full\")]\n", "`full` is not a default feature of package `p`"),
        ("#[cfg(feature = \"regex\")]\n", "`regex` is not a default feature"),
    ] {
        let (code, doc) = crate_with(manifest, &linked(attrs), &[]);
        let found = about_a(&doc);
        assert_eq!((code, found.len()), (0, 1), "{attrs}: {doc:#}");
        assert_eq!(found[0].0, "linked-test-skipped-conditionally");
        assert!(found[0].1.contains(says), "{}", found[0].1);
    }
}

// incident: IG-2026-013
#[test]
fn custom_cfgs_are_conditions_that_say_who_sets_them() {
    let manifest = "[lints.rust]\nunexpected_cfgs = { level = \"warn\", check-cfg = ['cfg(loom)'] }\n";
    let (code, doc) = crate_with(manifest, &linked("#[cfg(loom)]\n"), &[]);
    let found = about_a(&doc);
    assert_eq!((code, found.len()), (0, 1), "{doc:#}");
    assert!(
        found[0].1.contains("`loom` is a custom cfg, declared in check-cfg, set only by `RUSTFLAGS=--cfg loom`"),
        "{}",
        found[0].1
    );
    // No ordinary build sets it: `not(loom)` always holds.
    let (code, doc) = crate_with(manifest, &linked("#[cfg(not(loom))]\n"), &[]);
    assert_eq!((code, about_a(&doc)), (0, vec![]), "{doc:#}");
}

/// tokio/src/macros/cfg.rs
const CFG_LOOM: &str =
    "macro_rules! cfg_loom {\n    ($($item:item)*) => {\n        $( #[cfg(loom)] $item )*\n    }\n}\n";

// incident: IG-2026-013
#[test]
fn modules_declared_through_cfg_wrapping_macros_get_their_cfg() {
    let files = |lib: &str, macros: &str| {
        vec![
            ("src/lib.rs".to_owned(), lib.to_owned()),
            ("src/macros.rs".to_owned(), macros.to_owned()),
            (
                "src/loom_pool.rs".to_owned(),
                "#[cfg(test)]\nmod tests {\n    // incident: INC-1\n    #[test]\n    fn a() {}\n}\n".to_owned(),
            ),
        ]
    };
    let lib = "#[macro_use]\nmod macros;\n\ncfg_loom! {\n    mod loom_pool;\n}\n";
    let (code, doc) = package("", &files(lib, CFG_LOOM));
    let found: Vec<&serde_json::Value> = of_rule(&doc, "linked-test-skipped-conditionally");
    assert_eq!((code, found.len()), (0, 1), "{doc:#}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("`cfg_loom!` (which puts `#[cfg(loom)]` on its items)"), "{message}");
    assert!(message.contains("`loom` is a custom cfg"), "{message}");
    assert_eq!((found[0]["path"].as_str(), found[0]["line"].as_u64()), (Some("src/lib.rs"), Some(4)));
    // A macro whose cfg never holds compiles its modules out.
    let never = CFG_LOOM.replace("cfg(loom)", "cfg(any())");
    let (code, doc) = package("", &files(lib, &never));
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "src/loom_pool.rs::tests::a")]), "{doc:#}");
    // A macro that puts no cfg on its items changes nothing.
    let plain = "macro_rules! cfg_loom {\n    ($($item:item)*) => { $( $item )* }\n}\n";
    let (code, doc) = package("", &files(lib, plain));
    assert_eq!((code, findings(&doc).iter().filter(|f| f.0.starts_with("linked-test")).count()), (0, 0), "{doc:#}");
}

// incident: IG-2026-013
#[test]
fn a_test_moved_into_a_compiled_out_module_is_compiled_out_not_deleted() {
    const TEST: &str = "// incident: INC-1\n#[test]\nfn a() { assert_eq!(1 + 1, 2); }\n";
    let inline =
        format!("#[cfg(any())]\nmod off {{\n{}}}\n", TEST.lines().map(|l| format!("    {l}\n")).collect::<String>());
    for (files, id) in [
        (vec![("tests/a.rs", inline.clone())], "tests/a.rs::off::a"),
        (
            vec![
                ("tests/a.rs", "#[cfg(any())]\n#[path = \"a/off.rs\"]\nmod off;\n".to_owned()),
                ("tests/a/off.rs", TEST.to_owned()),
            ],
            "tests/a/off.rs::a",
        ),
        (vec![("tests/a.rs", String::new()), ("tests/b.rs", inline.clone())], "tests/b.rs::off::a"),
    ] {
        let t = Tree::new();
        t.init_git();
        t.file("postmortems/i.md", postmortem("INC-1", ""));
        t.file("Cargo.toml", "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
        t.file("tests/a.rs", TEST);
        t.commit("base");
        t.git(&["checkout", "-q", "-b", "pr"]);
        for (path, text) in &files {
            t.file(path, text);
        }
        t.commit("move it out");
        let (code, doc) = t.check(&[]);
        assert_eq!(code, 1, "{doc:#}");
        assert_eq!(errors(&doc), [err("linked-test-ignored", id)], "{id}: {doc:#}");
        let f = of_rule(&doc, "linked-test-ignored")[0];
        assert!(f["message"].as_str().unwrap().contains("compiled out"), "{f}");
    }
}

const LINUX_ONLY: &str = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo test --features full\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo clippy --all-targets\n";

// incident: IG-2026-013
#[test]
fn ci_workflows_decide_conditions_by_os_and_features() {
    let manifest = "[features]\nfull = []\nextra = []\n";
    // No job runs on Windows: never run, naming the condition and the job.
    let (code, doc) = crate_with(manifest, &linked("#[cfg(windows)]\n"), &[("ci.yml", LINUX_ONLY)]);
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "tests/a.rs::a")]), "{doc:#}");
    let message = of_rule(&doc, "linked-test-ignored")[0]["message"].as_str().unwrap();
    assert!(message.contains("`#[cfg(windows)]`"), "{message}");
    assert!(message.contains("no CI job meets it: `.github/workflows/ci.yml: test`"), "{message}");
    // A matrix with Windows runs it: no finding at all.
    let matrix = LINUX_ONLY.replace(
        "    runs-on: ubuntu-latest\n    steps:\n      - uses",
        "    runs-on: ${{ matrix.os }}\n    strategy:\n      matrix:\n        os: [ubuntu-latest, windows-latest]\n    steps:\n      - uses",
    );
    let (code, doc) = crate_with(manifest, &linked("#[cfg(windows)]\n"), &[("ci.yml", &matrix)]);
    assert_eq!((code, about_a(&doc)), (0, vec![]), "{doc:#}");
    // Features: `full` is enabled by the job, `extra` by none.
    let (code, doc) = crate_with(manifest, &linked("#[cfg(feature = \"full\")]\n"), &[("ci.yml", LINUX_ONLY)]);
    assert_eq!((code, about_a(&doc)), (0, vec![]), "{doc:#}");
    let (code, doc) = crate_with(manifest, &linked("#[cfg(feature = \"extra\")]\n"), &[("ci.yml", LINUX_ONLY)]);
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "tests/a.rs::a")]), "{doc:#}");
    // A custom cfg set by a job's RUSTFLAGS.
    let loom = LINUX_ONLY.replace(
        "      - run: cargo test --features full\n",
        "      - run: cargo test --features full\n        env:\n          RUSTFLAGS: --cfg loom\n",
    );
    let (code, doc) = crate_with(manifest, &linked("#[cfg(loom)]\n"), &[("ci.yml", &loom)]);
    assert_eq!((code, about_a(&doc)), (0, vec![]), "{doc:#}");
    let (code, doc) = crate_with(manifest, &linked("#[cfg(loom)]\n"), &[("ci.yml", LINUX_ONLY)]);
    assert_eq!((code, errors(&doc)), (1, vec![err("linked-test-ignored", "tests/a.rs::a")]), "{doc:#}");
}

// incident: IG-2026-013
#[test]
fn ci_that_cannot_be_read_keeps_the_warning_and_says_why() {
    let manifest = "[features]\nfull = []\n";
    for (workflow, says) in [
        (LINUX_ONLY.replace("cargo clippy --all-targets", "./ci/test.sh"), "runs the script `./ci/test.sh`"),
        (
            format!("{LINUX_ONLY}  other:\n    uses: ./.github/workflows/reusable.yml\n"),
            "calls the workflow ./.github/workflows/reusable.yml",
        ),
        (
            LINUX_ONLY.replace(
                "    runs-on: ubuntu-latest\n    steps:\n      - uses",
                "    runs-on: ubuntu-latest\n    container: rust:1\n    steps:\n      - uses",
            ),
            "runs in a container",
        ),
    ] {
        let (code, doc) = crate_with(manifest, &linked("#[cfg(windows)]\n"), &[("ci.yml", &workflow)]);
        let found = about_a(&doc);
        assert_eq!((code, found.len()), (0, 1), "{says}: {doc:#}");
        assert_eq!(found[0].0, "linked-test-skipped-conditionally");
        assert!(found[0].1.contains("CI does not decide it") && found[0].1.contains(says), "{}", found[0].1);
    }
    // Another CI system beside the workflows.
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    t.file("Cargo.toml", "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    t.file("tests/a.rs", linked("#[cfg(windows)]\n"));
    t.file(".github/workflows/ci.yml", LINUX_ONLY);
    t.file(".cirrus.yml", "task:\n  script: cargo test\n");
    let (code, doc) = t.check(&[]);
    let found = about_a(&doc);
    assert_eq!((code, found.len()), (0, 1), "{doc:#}");
    assert!(found[0].1.contains("the repository also has .cirrus.yml, which is not read"), "{}", found[0].1);
    // No workflows at all: today's warning.
    let (code, doc) = crate_with(manifest, &linked("#[cfg(windows)]\n"), &[]);
    assert_eq!((code, about_a(&doc).len()), (0, 1), "{doc:#}");
}

// incident: IG-2026-013
#[test]
fn a_module_declared_under_a_cfg_and_its_negation_is_always_there() {
    // tokio/src/lib.rs: `cfg_rt! { pub mod runtime; }` and `cfg_not_rt! { pub(crate) mod runtime; }`.
    let macros = "macro_rules! cfg_rt {\n    ($($item:item)*) => { $( #[cfg(feature = \"rt\")] $item )* }\n}\n\
macro_rules! cfg_not_rt {\n    ($($item:item)*) => { $( #[cfg(not(feature = \"rt\"))] $item )* }\n}\n";
    let files = vec![
        ("src/lib.rs".to_owned(), "#[macro_use]\nmod macros;\ncfg_rt! {\n    pub mod runtime;\n}\ncfg_not_rt! {\n    pub(crate) mod runtime;\n}\n".to_owned()),
        ("src/macros.rs".to_owned(), macros.to_owned()),
        ("src/runtime.rs".to_owned(), "#[cfg(test)]\nmod tests {\n    // incident: INC-1\n    #[test]\n    fn a() {}\n}\n".to_owned()),
    ];
    let (code, doc) = package("[features]\nrt = []\n", &files);
    assert_eq!((code, findings(&doc).iter().filter(|f| f.0.starts_with("linked-test")).count()), (0, 0), "{doc:#}");
}
