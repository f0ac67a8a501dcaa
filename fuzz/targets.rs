//! The fuzz targets: one function per parser, each taking raw bytes, running the parser
//! and checking what must hold of its answer, beyond "it did not panic". Each returns a
//! signature of what the parser said (counts and kinds, not positions), which the driver
//! uses to keep inputs that made a parser behave in a new way.
//!
//! Every target but `end_to_end` is a pure function of its input: the parsers take text
//! and return values, and never touch the file system, the environment or the network.
//! So none of them can read outside the repository; `end_to_end` is the one that runs
//! the whole pipeline on files, and it checks that every path it reports lies inside
//! the temporary repository it built.

use crate::mutate::fnv1a;
use incident_guard::config::{Config, ConfigError};
use incident_guard::finding::Location;
use incident_guard::postmortem::{self, is_valid_id};
use incident_guard::scan::clike::{self, Dialect};
use incident_guard::scan::markers::MarkerWords;
use incident_guard::scan::rust_lex::{self, Comment};
use incident_guard::scan::{self, FileScan, Language};
use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]) -> u64,
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Tokens the mutator inserts, beside the common ones.
    pub dict: &'static [&'static [u8]],
    /// Executions in a default run; `FUZZ_ITERS` replaces it (`end_to_end` takes a
    /// hundredth of it, being a hundred times slower).
    pub default_iters: usize,
}

pub static TARGETS: &[Target] = &[
    Target {
        name: "postmortem",
        run: postmortem,
        seeds: postmortem_seeds,
        dict: POSTMORTEM_DICT,
        default_iters: 2_000,
    },
    Target { name: "config", run: config, seeds: config_seeds, dict: CONFIG_DICT, default_iters: 2_000 },
    Target { name: "marker", run: marker, seeds: marker_seeds, dict: MARKER_DICT, default_iters: 10_000 },
    Target { name: "scan_rust", run: scan_rust, seeds: rust_seeds, dict: RUST_DICT, default_iters: 700 },
    Target { name: "rust_module_decls", run: module_decls, seeds: rust_seeds, dict: RUST_DICT, default_iters: 400 },
    Target { name: "scan_python", run: scan_python, seeds: python_seeds, dict: PYTHON_DICT, default_iters: 1_500 },
    Target { name: "scan_go", run: scan_go, seeds: go_seeds, dict: GO_DICT, default_iters: 1_200 },
    Target {
        name: "scan_javascript",
        run: scan_javascript,
        seeds: javascript_seeds,
        dict: JAVASCRIPT_DICT,
        default_iters: 1000,
    },
    Target { name: "scan_java", run: scan_java, seeds: java_seeds, dict: JAVA_DICT, default_iters: 800 },
    Target { name: "end_to_end", run: end_to_end, seeds: end_to_end_seeds, dict: END_TO_END_DICT, default_iters: 40 },
];

pub fn by_name(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

// ---------------------------------------------------------------------------------------
// Seeds: the repository's own files, read at run time, and a few written here.

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (repository-relative) whose name ends with one of `exts`, sorted.
fn files(dir: &str, exts: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![repo().join(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if exts.iter().any(|x| path.to_string_lossy().ends_with(x))
                && let Ok(bytes) = std::fs::read(&path)
            {
                let rel = path.strip_prefix(repo()).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                out.push((rel, bytes));
            }
        }
    }
    out.sort();
    out
}

fn contents(dir: &str, exts: &[&str]) -> Vec<Vec<u8>> {
    files(dir, exts).into_iter().map(|(_, b)| b).collect()
}

fn with(mut seeds: Vec<Vec<u8>>, extra: &[&str]) -> Vec<Vec<u8>> {
    seeds.extend(extra.iter().map(|s| s.as_bytes().to_vec()));
    seeds
}

/// TOML nested far deeper than the parser's stack allows, in the forms that once got
/// past the depth check (a comment ended by a bare CR, a quote inside a bare word), so
/// every campaign starts from them whatever the other seeds are (IG-2026-015).
fn deep_toml_seeds(prefix: &str) -> Vec<Vec<u8>> {
    let deep = format!("{}{}1{}{}", "[".repeat(3000), "{ a = ".repeat(3000), " }".repeat(3000), "]".repeat(3000));
    [format!("{prefix}x = {deep}\n"), format!("{prefix}# c\r{deep}\n"), format!("{prefix}x = a\"{deep}\n")]
        .into_iter()
        .map(String::into_bytes)
        .collect()
}

fn postmortem_seeds() -> Vec<Vec<u8>> {
    let mut seeds = contents("examples/checkout-service/postmortems", &[".md"]);
    seeds.extend(contents("postmortems", &[".md"]));
    seeds.extend(deep_toml_seeds("+++\nid = \"INC-1\"\ntitle = \"t\"\ndate = 2024-01-01\n").into_iter().map(
        |mut s| {
            s.extend_from_slice(b"+++\n");
            s
        },
    ));
    seeds.extend(deep_toml_seeds(""));
    with(
        seeds,
        &[
            "+++\nid = \"INC-1\"\ntitle = \"t\"\ndate = 2024-01-01T09:30:00Z\nstatus = \"closed\"\nseverity = \"SEV1\"\nservices = [\"a\"]\ntags = []\ndetected_at = 2024-01-01T09:40:00Z\nresolved_at = 2024-01-01T10:00:00+02:00\ntest_waiver = \"the fault was in the vendor's firmware; we cannot reproduce it\"\n\n[[retired_tests]]\ntest = \"src/lib.rs::t\"\nreason = \"gone\"\n\n[[action_items]]\nid = \"A1\"\ntitle = \"x\"\nowner = \"@o\"\ndue = 2024-02-01\nstatus = \"wontfix\"\nkind = \"prevent\"\ncommits = [\"abc1234\", \"zz\"]\nreason = \"r\"\n\n[[action_items]]\nid = \"A1\"\n\n[extra]\nx = { y = [1, 2] }\n+++\n# Summary\n",
            "\u{feff}+++\r\nid = 'X-1'\r\ntitle = \"\"\"multi\nline\"\"\"\r\ndate = \"2024-01-01\"\r\n+++\r\nbody\r\n",
            "---\nid: x\n---\n",
            "+++\nid = \"x\"\n",
            "id = \"INC-2\"\ntitle = \"plain toml\"\ndate = 2024-03-05\naction_items = [{ id = \"B\", title = \"t\", owner = \"o\" }]\n",
        ],
    )
}

fn config_seeds() -> Vec<Vec<u8>> {
    let mut seeds = vec![
        std::fs::read(repo().join("incident-guard.toml")).unwrap_or_default(),
        std::fs::read(repo().join("examples/checkout-service/incident-guard.toml")).unwrap_or_default(),
    ];
    seeds.extend(deep_toml_seeds(""));
    with(
        seeds,
        &[
            "postmortems = \"docs/pm\"\ninclude = [\"src/**\", \"{a,b}/[!x]*\"]\nexclude = [\"tests/fixtures/**\"]\nmarkers = [\"Incident\", \"postmortem\", \"vorfälle\"]\nid_pattern = \"^INC-[0-9]{4}-[0-9]{3}$\"\nrequire_tests_for = [\"SEV1\"]\nbase_branch = \"trunk\"\nlanguages = [\"rust\", \"python\", \"go\", \"javascript\", \"java\"]\nid_prefix = \"INC\"\nrequired_sections = [\"Summary\"]\n[sla_days]\nSEV1 = 90\n[rules]\noverdue-action-item = \"error\"\nmarker-on-non-test = \"off\"\nmissing-regresion-test = \"loud\"\n",
            "markers = []\nid_pattern = \"(\"\nsla_days = 3\n[rules]\nx = 1\n",
        ],
    )
}

fn marker_seeds() -> Vec<Vec<u8>> {
    // The comment lines of the repository's sources that hold a marker word, each after
    // a line of marker words (the target's input format).
    let mut seeds = Vec::new();
    for (_, bytes) in files("src/scan", &[".rs"]).into_iter().chain(files("examples/checkout-service", &[".rs"])) {
        for line in String::from_utf8_lossy(&bytes).lines().filter(|l| l.to_ascii_lowercase().contains("incident")) {
            let comment = line.trim_start().trim_start_matches(['/', '!', '#', '*']);
            seeds.push(format!("incident\n{comment}").into_bytes());
        }
    }
    seeds.sort();
    seeds.dedup();
    seeds.truncate(200);
    with(
        seeds,
        &[
            "incident\n incident: INC-1, INC-2 INC-3",
            "incident,postmortem\n POSTMORTEM: X.1_a",
            "incident\n incident:   ",
            "incident\n incident: INC#1, INC-2",
            "vorfälle,事故\n 事故: A-1 Vorfälle: B",
            "incident\n\u{a0}incident:\u{2003}A-1\u{3000}B-2",
            // Punctuation alone is no ID, in the parser as in the postmortem (IG-2026-016).
            "incident\n incident: R-1 - share, .., _",
        ],
    )
}

fn rust_seeds() -> Vec<Vec<u8>> {
    let mut seeds = contents("examples/checkout-service", &[".rs"]);
    // The scanners' own sources: large, full of markers in strings and comments.
    seeds.extend(contents("src/scan", &["rust.rs", "markers.rs", "rust_cfg.rs"]));
    with(
        seeds,
        &[
            "//! incident: F-1\n#![cfg(test)]\n#[cfg(any())]\nmod off;\n#[path = \"x.rs\"]\nmod p;\ncfg_if::cfg_if! { if #[cfg(unix)] { mod unix; } }\ninclude!(\"gen.rs\");\nmod a {\n    //! incident: M-1\n    mod b {\n        /// incident: A-1\n        #[test]\n        #[ignore]\n        fn deep() {}\n    }\n}\n",
            "// incident: U-1\n#[tokio::test]\n#[cfg_attr(miri, ignore)]\nasync fn t() { let x = ; }\n",
            "// incident: R-1 - share\n#[test]\nfn a() {}\n//incident:-\n#[test]\nfn b() {}\n",
            "proptest! {\n    #![proptest_config(ProptestConfig::with_cases(5))]\n    // incident: P-1\n    #[test]\n    fn prop(x in 0..10u8) { prop_assert!(x < 10); }\n}\n/* incident: B-1 */ #[rstest] fn r() {}\nconst S: &str = r#\"// incident: S-1\"#;\nfn l<'a>(x: &'a str) -> char { 'x' }\n",
        ],
    )
}

fn python_seeds() -> Vec<Vec<u8>> {
    with(
        contents("scripts/accuracy/python", &[".py"]),
        &[
            "# -*- coding: latin-1 -*-\nimport pytest\npytestmark = [pytest.mark.incident(\"M-1\")]\n# incident: A-1\n@pytest.mark.skipif(True, reason=\"x\")\n@pytest.mark.incident(\"B-1, C-1\", \"bad#\")\ndef test_a():\n    pass\n\nclass TestK:\n    __test__ = False\n    # incident: K-1\n    async def test_k(self):\n        self.skipTest(\"no\")\n",
            "import unittest\nclass T(unittest.TestCase):\n    @unittest.skipIf(0, \"x\")\n    # incident: U-1\n    def test_u(self):\n        s = f\"{'# incident: S-1'}\" + '''\n# incident: S-2\n'''\n",
            "\u{feff}import pytest\npytest.importorskip(\"numpy\")\nif x:\n    pytest.skip(\"no\", allow_module_level=True)\n# incident: I-1\n@pytest.mark.xfail(run=False)\ndef test_x(): ...\n",
        ],
    )
}

fn go_seeds() -> Vec<Vec<u8>> {
    with(
        contents("scripts/accuracy/go", &[".go"]),
        &[
            "//go:build linux && !ignore\n// +build linux\n\npackage p\n\n// incident: G-1\nfunc TestA(t *testing.T) {\n\tif true {\n\t\tt.Skip(\"x\")\n\t}\n}\n\n/* incident: G-2 */\nfunc (s *S) TestM(t *testing.T) {}\nconst raw = `// incident: R-1`\nvar r = '\\''\n",
        ],
    )
}

fn javascript_seeds() -> Vec<Vec<u8>> {
    with(
        contents("scripts/accuracy/javascript", &[".js", ".mjs"]),
        &[
            "// incident: J-1\ndescribe('cart', () => {\n  /** incident: J-2 */\n  it.each([1])('adds %s', (n) => {});\n  test.skip(`tmpl ${'// incident: T-1'}`, () => { const re = /\\/\\/ incident: R-1/g; });\n  const el = <p>Don't // incident: X-1</p>;\n});\n",
            "import { test } from 'node:test';\n// incident: N-1\ntest('n', async (t) => { const g = <T,>(x: T) => x; });\nxit('skipped', () => {});\ndescribe.skipIf(process.env.CI)('c', () => { it('x', () => {}) });\n",
        ],
    )
}

fn java_seeds() -> Vec<Vec<u8>> {
    with(
        Vec::new(),
        &[
            "package a;\n\nimport org.junit.jupiter.api.*;\n\n// incident: C-1\nclass ATest {\n    // incident: J-1\n    @Test\n    @Disabled(\"later\")\n    void a() {}\n\n    @Tag(\"incident:T-1\")\n    @Tags({@Tag(\"fast\"), @Tag(\"incident:T-2\")})\n    @ParameterizedTest\n    public void b(int x) { String s = \"// incident: S-1\"; String t = \"\"\"\n      // incident: S-2\n      \"\"\"; }\n\n    @Nested\n    class Inner {\n        /** incident: N-1 */\n        @Test void n() {}\n    }\n}\n",
            "package a\n\nimport kotlin.test.Test\n\nclass KTest {\n    // incident: K-1\n    @Test\n    fun `a name with spaces`() {\n        val s = \"${\"// incident: X-1\"}\"\n        val r = \"\"\"/* incident: X-2 */\"\"\"\n    }\n    /* outer /* nested */ still comment incident: X-3 */\n    @Ignore @Test fun skipped() {}\n}\n",
        ],
    )
}

// ---------------------------------------------------------------------------------------
// Dictionaries.

const POSTMORTEM_DICT: &[&[u8]] = &[
    b"+++",
    b"+++\n",
    b"\n+++\n",
    b"---",
    b"[[action_items]]\n",
    b"[[retired_tests]]\n",
    b"[extra]\n",
    b"[action_items]\n",
    b"id = \"INC-1\"\n",
    b"id = \"A1\"\n",
    b"title = \"t\"\n",
    b"date = 2024-01-01\n",
    b"date = 2024-02-30\n",
    b"date = 2024-01-01T09:30:00Z\n",
    b"due = 1979-05-27T07:32:00-08:00\n",
    b"status = \"wontfix\"\n",
    b"status = \"draft\"\n",
    b"commits = [\"abc1234\", \"ZZ\"]\n",
    b"test_waiver = \"x\"\n",
    b"\"\"\"",
    b"'''",
    b" = ",
    b"[",
    b"]",
    b"{ a = 1 }",
    b"#",
    b"0x_",
    b"9999-99-99",
    b"inf",
    b"\\u0000",
    b"\\U0010FFFF",
];

const CONFIG_DICT: &[&[u8]] = &[
    b"postmortems = \"pm\"\n",
    b"include = [\"**\"]\n",
    b"exclude = [\"a/{b,c}/**\", \"[\"]\n",
    b"markers = [\"incident\", \"Vorf\xc3\xa4lle\"]\n",
    b"id_pattern = \"^INC-[0-9]{4}$\"\n",
    b"id_pattern = \"(a{1000}){1000}\"\n",
    b"languages = [\"rust\", \"pythn\"]\n",
    b"id_prefix = \"INC\"\n",
    b"required_sections = []\n",
    b"[sla_days]\n",
    b"SEV1 = -1\n",
    b"SEV1 = 9223372036854775807\n",
    b"[rules]\n",
    b"missing-regression-test = \"off\"\n",
    b"\"\"\"",
    b"'''",
    b" = ",
    b"[[rules]]\n",
    b"{ }",
    b"#",
];

const MARKER_DICT: &[&[u8]] = &[
    b"incident:",
    b"postmortem:",
    b"Incident:",
    b"INC-2024-001",
    b"A.1_b-c",
    b", ",
    b",",
    b"#",
    b"\xc2\xa0",
    b"\xe2\x80\x83",
    b"\xe3\x80\x80",
    "ǅ".as_bytes(),
    "İ".as_bytes(),
    "事故:".as_bytes(),
    b"\n",
];

const RUST_DICT: &[&[u8]] = &[
    b"#[test]\n",
    b"#[tokio::test]\n",
    b"#[ignore]\n",
    b"#[cfg(",
    b"#[cfg(any())]\n",
    b"#[cfg(all())]\n",
    b"#[cfg(windows)]\n",
    b"#[cfg_attr(miri, ignore)]\n",
    b"#[cfg_attr(any(), test)]\n",
    b"#![cfg(unix)]\n",
    b"#[path = \"x.rs\"]\n",
    b"#[rstest]\n",
    b"#[rustversion::attr(not(nightly), ignore)]\n",
    b"fn t() {}\n",
    b"pub async fn ",
    b"mod m {\n",
    b"mod m;\n",
    b"proptest! {\n",
    b"cfg_if::cfg_if! { if #[cfg(unix)] { mod u; } }\n",
    b"include!(\"a.rs\");\n",
    b"// incident: R-1\n",
    b"/// incident: R-2\n",
    b"//! incident: R-3\n",
    b"/* incident: R-4 */",
    b"/*",
    b"*/",
    b"/**",
    b"/*!",
    b"r#\"",
    b"\"#",
    b"r##\"",
    b"b'",
    b"'a",
    b"'\\''",
    b"c\"",
    b"<<<<<<<<",
    b">>>>>>>>",
    b"||||",
    b"!!!!!!!!",
    b"#!",
    b"impl X {\n",
];

const PYTHON_DICT: &[&[u8]] = &[
    b"# -*- coding: latin-1 -*-\n",
    b"# vim: set fileencoding=cp1252 :\n",
    b"# coding: utf-8\n",
    b"# coding: ascii\n",
    b"# coding: shift_jis\n",
    b"# coding: nonsense\n",
    b"# incident: P-1\n",
    b"@pytest.mark.incident(\"P-2\")\n",
    b"@pytest.mark.incident(",
    b"@pytest.mark.skip\n",
    b"@pytest.mark.skipif(",
    b"@pytest.mark.xfail(run=False)\n",
    b"@unittest.skipUnless(1, \"x\")\n",
    b"pytestmark = pytest.mark.incident(\"M-1\")\n",
    b"__test__ = False\n",
    b"pytest.skip(\"x\", allow_module_level=True)\n",
    b"pytest.importorskip(\"numpy\")\n",
    b"raise unittest.SkipTest()\n",
    b"def test_x():\n",
    b"async def test_y(self):\n",
    b"class TestC:\n",
    b"class C(unittest.TestCase):\n",
    b"    ",
    b"\t",
    b"\x0c",
    b"\\\n",
    b"\\\r\n",
    b"\"\"\"",
    b"'''",
    b"f\"",
    b"rb'",
    b"f'{",
    b"{x!r:>{w}}",
    b"if True:\n",
    b"else:\n",
    b"pass\n",
];

const GO_DICT: &[&[u8]] = &[
    b"//go:build ",
    b"//go:build ignore\n",
    b"//go:build linux && (amd64 || !cgo)\n",
    b"// +build windows\n",
    b"package p\n",
    b"func TestX(t *testing.T) {",
    b"func (r *R) TestY(t *testing.T) {}\n",
    b"func Test[T any](t *testing.T) {}\n",
    b"t.Skip()\n",
    b"if false {\n",
    b"if 1 == 1 {",
    b"// incident: G-1\n",
    b"/* incident: G-2 */",
    b"`",
    b"'\\''",
    b"type T struct {\n",
    b"var (\n",
    b"const x = ",
];

const JAVASCRIPT_DICT: &[&[u8]] = &[
    b"describe('d', () => {\n",
    b"});\n",
    b"it('t', () => {});\n",
    b"test.skip(",
    b"it.each([1])(",
    b"xit(",
    b"test.describe.serial(",
    b".skipIf(true)(",
    b"// incident: J-1\n",
    b"/** incident: J-2 */",
    b"`${",
    b"`",
    b"${",
    b"/re[/]x/g",
    b"/",
    b"<div>",
    b"</div>",
    b"<>",
    b"</>",
    b"<T,>",
    b"{/* */}",
    b"return /",
    b"\\u{1F600}",
];

const JAVA_DICT: &[&[u8]] = &[
    b"@Test\n",
    b"@Disabled\n",
    b"@EnabledOnOs(LINUX)\n",
    b"@Tag(\"incident:T-1\")\n",
    b"@Tags({@Tag(\"incident:T-2\")})\n",
    b"@Tag(\"incident\\u003aT-3\")",
    b"@Tag(\"\"\"\nincident:T-4\"\"\")",
    b"@Nested\n",
    b"class A {\n",
    b"void t() {}\n",
    b"fun `x y`() {}\n",
    b"// incident: K-1\n",
    b"/* /* */",
    b"\"\"\"",
    b"\"${",
    b"'\\''",
    b"`",
    b"@ParameterizedTest\n",
    b"companion object {\n",
];

const END_TO_END_DICT: &[&[u8]] = &[
    b"=== incident-guard.toml\n",
    b"=== postmortems/INC-1.md\n",
    b"=== postmortems/x.toml\n",
    b"=== src/lib.rs\n",
    b"=== tests/test_a.py\n",
    b"=== a_test.go\n",
    b"=== a.test.ts\n",
    b"=== ATest.java\n",
    b"=== pytest.ini\n",
    b"=== setup.cfg\n",
    b"=== tox.ini\n",
    b"=== pyproject.toml\n",
    b"=== Cargo.toml\n",
    b"[pytest]\ntestpaths = tests\n",
    b"[tool:pytest]\npython_files = check_*.py\n",
    b"norecursedirs = *\n",
    b"python_classes = [\n",
    b"[tool.pytest.ini_options]\ntestpaths = [\"../x\", \"**/t\"]\n",
    b"[package]\nname = \"p\"\n",
    b"[[test]]\nname = \"t\"\npath = \"tests/t.rs\"\n",
    b"autotests = false\n",
    b"mod m;\n",
    b"#[path = \"../x.rs\"]\nmod p;\n",
    b"postmortems = \"postmortems\"\n",
    b"postmortems = \"../outside\"\n",
    b"postmortems = \"/proc/self\"\n",
    b"postmortems = \".\"\n",
    b"include = [\"../**\"]\n",
    b"+++\nid = \"INC-1\"\ntitle = \"t\"\ndate = 2024-01-01\n+++\n",
    b"// incident: INC-1\n#[test]\nfn t() {}\n",
    b"# incident: INC-1\ndef test_a(): pass\n",
];

// ---------------------------------------------------------------------------------------
// Invariants shared by the targets.

/// The lines of `text` as the scanners and `LineIndex` count them: split at `\n` only,
/// each as characters (columns count characters).
struct Lines(Vec<Vec<char>>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(text.split('\n').map(|l| l.chars().collect()).collect())
    }

    /// Asserts that `loc` is in `path`, on a line of the text, at a column of that line
    /// (or just past its end).
    fn check(&self, what: &str, path: &str, loc: &Location) {
        assert_eq!(loc.path, path, "{what}: location in another file: {loc:?}");
        assert!(
            loc.line >= 1 && loc.line <= self.0.len(),
            "{what}: line outside the text ({} lines): {loc:?}",
            self.0.len()
        );
        let chars = self.0[loc.line - 1].len();
        assert!(
            loc.column >= 1 && loc.column <= chars + 1,
            "{what}: column outside line {} ({chars} chars): {loc:?}",
            loc.line
        );
    }

    /// Whether the text at `line`:`column` reads `s`.
    fn spells(&self, line: usize, column: usize, s: &str) -> bool {
        let chars = self.0.get(line.wrapping_sub(1)).map_or(&[][..], Vec::as_slice);
        chars
            .get(column.saturating_sub(1)..)
            .is_some_and(|rest| rest.iter().copied().take(s.chars().count()).eq(s.chars()))
    }
}

fn hash(v: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// `s` up to its first quote or digit (40 characters at most): the kind of a message,
/// not its particulars.
fn kind(s: &str) -> String {
    s.chars().take_while(|c| !matches!(c, '`' | '"' | '\'' | '0'..='9')).take(40).collect()
}

/// Every location a scan holds, named for messages.
fn scan_locations(scan: &FileScan) -> Vec<(String, &Location)> {
    let mut out = Vec::new();
    for t in &scan.tests {
        out.push((format!("test {}", t.id), &t.loc));
        if let Some(s) = &t.ignored {
            out.push((format!("skip of {}", t.id), &s.loc));
        }
        if let Some(s) = &t.conditional_skip {
            out.push((format!("conditional skip of {}", t.id), &s.loc));
        }
        for l in &t.links {
            out.push((format!("link {} of {}", l.incident, t.id), &l.loc));
        }
    }
    for s in &scan.stray {
        out.push(("stray marker".into(), &s.loc));
        for l in &s.ids {
            out.push((format!("stray link {}", l.incident), &l.loc));
        }
    }
    for b in &scan.bad_markers {
        out.push((format!("bad marker {:?}", b.token), &b.loc));
    }
    if let Some(u) = &scan.unparsable {
        out.push(("unparsable".into(), &u.loc));
    }
    out
}

/// The comments a scanner reads markers from, when its lexer is public.
fn comments<'a>(path: &str, text: &'a str) -> Option<Vec<Comment<'a>>> {
    let dialect = if path.ends_with(".rs") {
        return Some(rust_lex::lex(text).comments);
    } else if path.ends_with(".go") {
        Dialect::GO
    } else if path.ends_with(".java") {
        Dialect::JAVA
    } else if path.ends_with(".kt") {
        Dialect::KOTLIN
    } else if [".ts", ".mts", ".cts"].iter().any(|e| path.ends_with(e)) {
        Dialect::TYPESCRIPT
    } else if scan::javascript::JavaScript.handles(path) {
        Dialect::JAVASCRIPT
    } else {
        return None;
    };
    Some(clike::lex(text, &dialect).comments)
}

/// What must hold of any language scanner's answer for `text`.
fn check_scan(path: &str, text: &str, words: &MarkerWords, scan: &FileScan) {
    // The Python scanner does not count a byte order mark in columns, as editors show
    // none (decoding drops the first; one more can stand in the text).
    let lines = match path.ends_with(".py") {
        true => Lines::new(text.strip_prefix('\u{feff}').unwrap_or(text)),
        false => Lines::new(text),
    };
    assert_eq!(scan.path, path);
    // A panic in the parser is caught and turned into "unparsable"; it is still a bug.
    if let Some(u) = &scan.unparsable {
        assert!(!u.message.contains("panicked"), "the parser panicked: {}", u.message);
    }
    for (what, loc) in scan_locations(scan) {
        lines.check(&what, path, loc);
    }
    let prefix = format!("{path}::");
    for t in &scan.tests {
        assert!(t.id.starts_with(&prefix) && t.id.ends_with(&t.name), "test identity {:?} for {:?}", t.id, t.name);
    }
    let links: Vec<&scan::Link> =
        scan.tests.iter().flat_map(|t| &t.links).chain(scan.stray.iter().flat_map(|s| &s.ids)).collect();
    for l in &links {
        assert!(is_valid_id(&l.incident), "a link to an invalid ID: {l:?}");
        assert_eq!(l.loc.len, l.incident.chars().count(), "a link's length is not its ID's: {l:?}");
    }
    // A bad token is one that cannot be an ID, or prose where IDs belong (a plain word:
    // no digit, not a known ID); in Python it may also be a mark's argument that is not a
    // string literal (`mark.incident(4)`), whatever it spells.
    if !path.ends_with(".py") {
        for b in scan.bad_markers.iter().filter(|b| !b.prose) {
            assert!(!is_valid_id(&b.token), "a valid ID reported as a bad marker: {b:?}");
        }
        for b in scan.bad_markers.iter().filter(|b| b.prose) {
            let first = b.token.split(|c: char| c == ',' || c.is_whitespace()).next().unwrap_or("");
            assert!(!first.bytes().any(|c| c.is_ascii_digit()), "prose that starts with an ID: {b:?}");
        }
    }
    let found_any = !links.is_empty() || !scan.stray.is_empty() || !scan.bad_markers.is_empty();
    assert!(!found_any || scan.has_markers, "markers found but `has_markers` is false");
    // The byte prefilter must never skip a file in which the scanner finds a marker.
    if !words.may_contain(text.as_bytes()) {
        assert!(!scan.has_markers && !found_any, "the prefilter would skip a file holding a marker");
    }

    // Every marker token in a comment is accounted for at its exact place: each ID as a
    // link (of a test or of a stray marker), each other token as a bad marker.
    let Some(comments) = comments(path, text) else {
        // Python's lexer is private: check that each link's location reads its ID.
        for l in &links {
            assert!(lines.spells(l.loc.line, l.loc.column, &l.incident), "link location does not read its ID: {l:?}");
        }
        return;
    };
    let linked: BTreeSet<(&str, usize, usize)> =
        links.iter().map(|l| (l.incident.as_str(), l.loc.line, l.loc.column)).collect();
    let bad: BTreeSet<(&str, usize, usize)> =
        scan.bad_markers.iter().map(|b| (b.token.as_str(), b.loc.line, b.loc.column)).collect();
    let mut from_comments = BTreeSet::new();
    for c in &comments {
        let Some(m) = words.parse(c.text) else { continue };
        for (id, off) in &m.ids {
            let (line, column) = (c.line, c.col + off);
            // A test is linked once per incident: a second marker naming the same
            // incident for it is accounted for by the first.
            assert!(
                linked.contains(&(id.as_str(), line, column)) || links.iter().any(|l| &l.incident == id),
                "marker ID {id:?} at {line}:{column} is neither a link nor a stray marker"
            );
            assert!(
                lines.spells(line, column, id),
                "marker ID {id:?} is not at {line}:{column}, where its comment puts it"
            );
            from_comments.insert((id.clone(), line, column));
        }
        for (token, off) in &m.bad {
            let (line, column) = (c.line, c.col + off);
            assert!(
                bad.contains(&(token.as_str(), line, column)),
                "bad marker token {token:?} at {line}:{column} not reported"
            );
        }
    }
    // Java and Kotlin also link through `@Tag("incident:ID")`, whose IDs must be where
    // they are said to be too; the others link only by comments.
    let tags = path.ends_with(".java") || path.ends_with(".kt");
    for l in &links {
        if tags {
            assert!(lines.spells(l.loc.line, l.loc.column, &l.incident), "link location does not read its ID: {l:?}");
        } else {
            assert!(
                from_comments.contains(&(l.incident.clone(), l.loc.line, l.loc.column)),
                "link {l:?} comes from no marker comment"
            );
        }
    }
}

fn scan_signature(scan: &FileScan) -> u64 {
    let c = |n: usize| n.min(4);
    hash((
        c(scan.tests.len()),
        c(scan.tests.iter().filter(|t| !t.links.is_empty()).count()),
        c(scan.tests.iter().filter(|t| t.ignored.is_some()).count()),
        c(scan.tests.iter().filter(|t| t.conditional_skip.is_some()).count()),
        c(scan.stray.len()),
        c(scan.bad_markers.len()),
        scan.unparsable.as_ref().map(|u| kind(&u.message)),
        scan.tests.iter().map(|t| t.ignored.as_ref().map(|s| kind(&s.what))).collect::<BTreeSet<_>>(),
        scan.stray.iter().map(|s| kind(&s.target)).collect::<BTreeSet<_>>(),
    ))
}

/// The marker words the scanner targets use: the default, or two (picked by the input,
/// so that a saved input replays with the same words).
fn words_for(input: &[u8]) -> MarkerWords {
    if fnv1a(input).is_multiple_of(4) {
        MarkerWords::new(&["incident".to_owned(), "pm".to_owned()])
    } else {
        MarkerWords::new(&["incident".to_owned()])
    }
}

/// Scans `input` as the file at one of `paths` (picked by the input) through `scan_bytes`,
/// as the tree walk does, and checks the answer. When the prefilter skips it, the
/// language's scanner still reads it, to check that it finds no marker there.
fn scan_file(input: &[u8], paths: &[&str]) -> u64 {
    let path = paths[(fnv1a(input) >> 8) as usize % paths.len()];
    let words = words_for(input);
    let lang = scan::language_for(path).expect("a path some language handles");
    let decoded = lang.decode(input);
    if let Some((line, _)) = &decoded.error {
        let lines = decoded.text.split('\n').count();
        assert!(*line >= 1 && *line <= lines, "decode error on line {line} of {lines}");
    }
    match scan::scan_bytes(path, input, &words) {
        Some((scan, text)) => {
            assert_eq!(text, decoded.text, "scan_bytes read the bytes differently from the language");
            if let Some((line, message)) = &decoded.error {
                let u = scan.unparsable.as_ref().expect("text that does not decode is unparsable");
                assert_eq!((u.loc.line, &u.message), (*line, message), "the decoding error is not the one reported");
            } else if fnv1a(input) % 8 == 1 {
                // Scanning is a function of the text: the same text, the same answer.
                assert_eq!(lang.scan(path, &text, &words), scan, "a second scan of the same text differs");
            }
            check_scan(path, &text, &words, &scan);
            scan_signature(&scan)
        }
        None => {
            assert!(!words.may_contain(input), "scan_bytes skipped a file the prefilter lets through");
            let scan = lang.scan(path, &decoded.text, &words);
            check_scan(path, &decoded.text, &words, &scan);
            assert!(!scan.has_markers, "the prefilter skipped a file holding a marker");
            scan_signature(&scan) ^ 1
        }
    }
}

// ---------------------------------------------------------------------------------------
// The targets.

fn scan_rust(input: &[u8]) -> u64 {
    scan_file(input, &["src/lib.rs", "tests/it.rs", "src/bin/tool.rs"])
}

fn scan_python(input: &[u8]) -> u64 {
    scan_file(input, &["tests/test_x.py", "pkg/x_test.py", "test_a.py", "src/helpers.py"])
}

fn scan_go(input: &[u8]) -> u64 {
    scan_file(input, &["x_test.go", "pool/pool_linux_test.go", "pool.go"])
}

fn scan_javascript(input: &[u8]) -> u64 {
    scan_file(input, &["a.test.ts", "a.test.js", "src/a.spec.tsx", "__tests__/b.jsx", "c.test.mts", "lib/x.js"])
}

fn scan_java(input: &[u8]) -> u64 {
    scan_file(input, &["A.java", "src/test/java/ATest.java", "A.kt", "src/test/kotlin/ATest.kt"])
}

/// `module_decls`, and that the Rust scanner agrees: both read the file's skeleton, so a
/// file whose skeleton cannot be read is unparsable to the scanner too (which also
/// parses the items markers are about, so it may find more that does not parse).
fn module_decls(input: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(input);
    let words = MarkerWords::new(&["incident".to_owned()]);
    let decls = scan::rust::module_decls("src/lib.rs", &text);
    let scan = scan::rust::Rust.scan("src/lib.rs", &text, &words);
    assert!(
        decls.is_ok() || scan.unparsable.is_some(),
        "module_decls cannot read the file but the scanner parses it: {:?}",
        decls.as_ref().err(),
    );
    if let Err(e) = &decls {
        assert!(!e.contains("panicked"), "the parser panicked: {e}");
    }
    let lines = Lines::new(&text);
    match &decls {
        Ok(file) => {
            for d in &file.decls {
                assert!(!d.name.is_empty(), "a module without a name");
                for c in &d.conds {
                    if !c.skip.loc.path.is_empty() {
                        lines.check(&format!("condition on mod {}", d.name), "src/lib.rs", &c.skip.loc);
                    }
                }
            }
            for c in &file.conds {
                lines.check("condition on the file", "src/lib.rs", &c.skip.loc);
            }
            hash((file.decls.len().min(4), file.includes.len().min(2), file.conds.len().min(2), 0u8))
        }
        Err(e) => hash(kind(e)),
    }
}

/// The marker line: the first line of the input names the marker words (as the config
/// would, invalid ones dropped), the rest is a comment's text.
fn marker(input: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(input);
    let (head, comment) = text.split_once('\n').unwrap_or(("incident", &text));
    let mut words: Vec<String> = head
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_'))
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        words.push("incident".to_owned());
    }
    let mw = MarkerWords::new(&words);
    let Some(m) = mw.parse(comment) else {
        // No marker: the comment does not start with a word and `:`.
        let trimmed = comment.trim_start();
        for w in mw.words() {
            let starts = trimmed.len() > w.len()
                && trimmed.is_char_boundary(w.len())
                && trimmed[..w.len()].eq_ignore_ascii_case(w)
                && trimmed[w.len()..].starts_with(':');
            assert!(!starts, "{comment:?} starts with the marker word {w:?} but is no marker");
        }
        return 0;
    };
    // The prefilter must let through every text that holds a marker.
    assert!(mw.may_contain(comment.as_bytes()), "the prefilter would skip the marker in {comment:?}");
    let chars: Vec<char> = comment.chars().collect();
    let leading = comment.chars().take_while(|c| c.is_whitespace()).count();
    assert_eq!(m.offset, leading, "marker offset");
    assert!(m.offset + m.len <= chars.len(), "marker runs past the comment");
    let at = |off: usize, len: usize| -> String { chars.iter().skip(off).take(len).collect() };
    let word = mw
        .words()
        .iter()
        .find(|w| {
            let n = w.chars().count();
            at(m.offset, n).eq_ignore_ascii_case(w) && at(m.offset + n, 1) == ":"
        })
        .unwrap_or_else(|| panic!("the marker at {} is no marker word and `:`", m.offset));
    // Every token after the `:` is an ID or a bad token, in order, where it stands, up to
    // a prose delimiter or the first plain word (prose, one mistake, checked below).
    let rest: String = chars[m.offset + word.chars().count() + 1..].iter().collect();
    let cut = [" -- ", " — ", ";", "("].iter().filter_map(|d| rest.find(d)).min().unwrap_or(rest.len());
    let mut expected: Vec<&str> =
        rest[..cut].split(|c: char| c == ',' || c.is_whitespace()).filter(|t| !t.is_empty()).collect();
    if let Some((prose, off)) = &m.prose {
        assert_eq!(&at(*off, prose.chars().count()), prose, "prose {prose:?} is not at offset {off}");
        let first = prose.split(|c: char| c == ',' || c.is_whitespace()).find(|t| !t.is_empty()).unwrap_or("");
        let at_prose = expected.iter().position(|t| *t == first).expect("prose starts at a token");
        expected.truncate(at_prose);
    }
    let mut tokens: Vec<(usize, &String, bool)> =
        m.ids.iter().map(|(t, o)| (*o, t, true)).chain(m.bad.iter().map(|(t, o)| (*o, t, false))).collect();
    tokens.sort();
    if expected.is_empty() && m.prose.is_none() {
        assert!(m.ids.is_empty() && m.bad.len() == 1 && m.bad[0].0.is_empty(), "a marker with no ID: {m:?}");
        return 1;
    }
    let got: Vec<&str> = tokens.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(got, expected, "marker tokens");
    for (off, token, valid) in &tokens {
        assert_eq!(&at(*off, token.chars().count()), *token, "token {token:?} is not at offset {off}");
        assert!(*off + token.chars().count() <= m.offset + m.len, "token {token:?} lies past the marker's end");
        // An ID is a valid ID that reads as one (a digit in it, or a known ID); a plain
        // word starts prose, and anything else is a bad token.
        assert!(!*valid || is_valid_id(token), "token {token:?} misclassified");
    }
    hash((2u8, m.ids.len().min(3), m.bad.len().min(3)))
}

fn postmortem(input: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(input);
    let re = regex::Regex::new("^INC-[0-9]{4}-[0-9]{3}$").expect("static regex");
    let md = check_postmortem("postmortems/2026/a.md", &text, None);
    check_postmortem("postmortems/2026/a.md", &text, Some(&re));
    let toml = check_postmortem("postmortems/a.toml", &text, None);
    // The front matter of a Markdown postmortem reads as the same `.toml` postmortem.
    if let Some(fm) = front_matter(&text) {
        let (pm, problems) = postmortem::parse("p.toml", fm, None);
        let (md_pm, md_problems) = postmortem::parse("p.md", &text, None);
        assert_eq!(pm.map(|p| p.id), md_pm.map(|p| p.id), "front matter and `.toml` disagree on the ID");
        let messages = |ps: &[postmortem::Problem]| ps.iter().map(|p| kind(&p.message)).collect::<Vec<_>>();
        assert_eq!(messages(&problems), messages(&md_problems), "front matter and `.toml` disagree on problems");
    }
    hash((md, toml))
}

/// The TOML between a Markdown postmortem's `+++` fences, found independently of `parse`.
fn front_matter(text: &str) -> Option<&str> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = body.find('\n').map_or(body.len(), |i| i + 1);
    if body[..first_end].trim_end() != "+++" {
        return None;
    }
    let start = text.len() - body.len() + first_end;
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == "+++" {
            return Some(&text[start..offset]);
        }
        offset += line.len();
    }
    None
}

fn check_postmortem(path: &str, text: &str, re: Option<&regex::Regex>) -> u64 {
    let (pm, problems) = postmortem::parse(path, text, re);
    let lines = Lines::new(text);
    for p in &problems {
        lines.check(&format!("problem {:?}", p.message), path, &p.loc);
        // A postmortem that does not parse still names its incident when an `id = "…"`
        // line says it (so that its markers meet the real error).
        let named = pm.as_ref().map(|pm| pm.id.clone());
        assert!(
            p.incident == named
                || (pm.is_none() && p.incident.as_deref().is_some_and(|id| text.contains(&format!("\"{id}\"")))),
            "a problem names another incident: {:?} vs {named:?}",
            p.incident
        );
    }
    if let Some(pm) = &pm {
        lines.check("the postmortem's ID", path, &pm.loc);
        assert!(is_valid_id(&pm.id), "postmortem with an invalid ID {:?}", pm.id);
        assert!(text.ends_with(&pm.body), "the body is not the end of the file");
        assert!(pm.body_line >= 1 && pm.body_line <= lines.0.len(), "body line {}", pm.body_line);
        if path.ends_with(".toml") {
            assert!(pm.body.is_empty());
        }
        if let Some(re) = re {
            assert!(re.is_match(&pm.id) || problems.iter().any(|p| p.message.contains("id_pattern")));
        }
        let mut ids = BTreeSet::new();
        for item in &pm.action_items {
            lines.check("an action item", path, &item.loc);
            assert!(is_valid_id(&item.id) && ids.insert(item.id.clone()), "action item ID {:?}", item.id);
            for (sha, loc) in &item.commits {
                lines.check("a commit", path, loc);
                assert!(
                    (4..=64).contains(&sha.len())
                        && sha.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                );
            }
        }
        for rt in &pm.retired_tests {
            lines.check("a retired test", path, &rt.loc);
        }
    } else if path.ends_with(".md") && front_matter(text).is_none() {
        assert_eq!(problems.len(), 1, "a file without front matter has exactly one problem");
        assert_eq!(problems[0].loc.line, 1);
    }
    hash((pm.is_some(), problems.iter().map(|p| kind(&p.message)).collect::<BTreeSet<_>>()))
}

fn config(input: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(input);
    match Config::parse(&text) {
        Ok(c) => {
            assert!(!c.markers.is_empty(), "no marker words");
            for w in &c.markers {
                assert!(!w.is_empty() && *w == w.to_lowercase(), "marker word {w:?}");
                assert!(w.chars().all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_'), "marker word {w:?}");
            }
            assert!(!c.postmortems.trim().is_empty(), "empty postmortems directory");
            assert!(c.sla_days.values().all(|d| *d > 0), "non-positive SLA");
            let known: Vec<&str> = scan::LANGUAGES.iter().map(|l| l.name()).collect();
            for l in c.languages.iter().flatten() {
                assert!(known.contains(&l.as_str()), "unknown language {l:?} accepted");
            }
            // The words build a prefilter that finds what the parser finds.
            let words = MarkerWords::new(&c.markers);
            for w in &c.markers {
                let comment = format!(" {}: A-1", w.to_uppercase());
                if let Some(m) = words.parse(&comment) {
                    assert!(words.may_contain(comment.as_bytes()), "prefilter misses {comment:?}");
                    assert_eq!(m.ids.len(), 1);
                }
                let comment = format!(" {w}: A-1");
                assert!(words.parse(&comment).is_some(), "configured word {w:?} does not read as a marker");
                assert!(words.may_contain(comment.as_bytes()), "prefilter misses {comment:?}");
            }
            hash((0u8, c.markers.len().min(3), c.rules.len().min(3), c.languages.is_some()))
        }
        Err(problems) => {
            assert!(!problems.is_empty(), "an error without problems");
            for p in &problems {
                assert!(p.span.start <= p.span.end && p.span.end <= text.len(), "span {:?} outside the text", p.span);
            }
            // How the user sees them: every problem rendered with its line.
            let err = ConfigError { path: "incident-guard.toml".into(), text: text.to_string(), problems };
            let shown = err.to_string();
            assert!(shown.contains(&format!("{} problem(s) in config file", err.problems.len())), "{shown}");
            hash(err.problems.iter().map(|p| kind(&p.message)).collect::<BTreeSet<_>>())
        }
    }
}

// ---------------------------------------------------------------------------------------
// End to end.

fn end_to_end_seeds() -> Vec<Vec<u8>> {
    let pack = |files: &[(String, Vec<u8>)]| {
        let mut out = Vec::new();
        for (path, bytes) in files {
            out.extend_from_slice(format!("=== {path}\n").as_bytes());
            out.extend_from_slice(bytes);
            if !bytes.ends_with(b"\n") {
                out.push(b'\n');
            }
        }
        out
    };
    let strip = |prefix: &str, files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files.into_iter().map(|(p, b)| (p.strip_prefix(prefix).unwrap_or(&p).to_owned(), b)).collect()
    };
    let example = strip(
        "examples/checkout-service/",
        files("examples/checkout-service", &[".rs", ".md", "incident-guard.toml", "Cargo.toml"]),
    );
    let python = strip("scripts/accuracy/python/", files("scripts/accuracy/python", &[".py", ".toml"]));
    let go = strip("scripts/accuracy/go/", files("scripts/accuracy/go", &[".go", ".mod"]));
    let js = strip("scripts/accuracy/javascript/", files("scripts/accuracy/javascript", &[".js", ".mjs"]));
    let pm = postmortem_seeds().into_iter().next().unwrap_or_default();
    let mut seeds = vec![pack(&example)];
    for lang in [python, go, js] {
        let mut files = lang;
        files.push(("postmortems/INC-2026-001.md".into(), pm.clone()));
        seeds.push(pack(&files));
    }
    seeds.push(
        b"=== incident-guard.toml\nmarkers = [\"incident\", \"pm\"]\n=== pytest.ini\n[pytest]\ntestpaths = tests\npython_files = check_*.py\n=== postmortems/A.md\n+++\nid = \"A-1\"\ntitle = \"t\"\ndate = 2024-01-01\n+++\n=== tests/check_a.py\n# incident: A-1\ndef test_a(): pass\n=== ATest.java\nclass ATest {\n  @Tag(\"incident:A-1\") @Test void t() {}\n}\n"
            .to_vec(),
    );
    seeds
}

/// A relative path made only of plain names: anything else in a header is not a file.
fn safe_path(p: &str) -> Option<&str> {
    let ok = !p.is_empty()
        && p.len() <= 100
        && p.split('/').count() <= 6
        && p.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        });
    ok.then_some(p)
}

/// Files of a repository from `=== path` headers, each followed by its content.
fn unpack(input: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for chunk in input.split_inclusive(|&b| b == b'\n') {
        let header = chunk.strip_prefix(b"=== ").and_then(|h| std::str::from_utf8(h).ok()).map(str::trim);
        if let Some(path) = header.and_then(safe_path) {
            files.retain(|(p, _)| {
                p != path && !p.starts_with(&format!("{path}/")) && !path.starts_with(&format!("{p}/"))
            });
            files.push((path.to_owned(), Vec::new()));
        } else if let Some((_, content)) = files.last_mut() {
            content.extend_from_slice(chunk);
        }
    }
    files.truncate(24);
    files
}

/// Writes the files into a fresh repository directory (beside a directory outside it
/// that holds markers and a postmortem of its own) and runs the pipeline as
/// `incident-guard check --no-git` would, rendering every format. Nothing reported may
/// come from outside the repository.
fn end_to_end(input: &[u8]) -> u64 {
    let dir = tempfile::Builder::new().prefix("incident-guard-fuzz-").tempdir().expect("temporary directory");
    let root = dir.path().join("repo");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(root.join("postmortems")).expect("create repo");
    std::fs::create_dir_all(&outside).expect("create outside");
    std::fs::write(outside.join("OUT-1.md"), "+++\nid = \"OUTSIDE-1\"\ntitle = \"outside\"\ndate = 2024-01-01\n+++\n")
        .expect("write outside");
    std::fs::write(outside.join("out_test.go"), "package o\n// incident: OUTSIDE-2\nfunc TestOut(t *testing.T) {}\n")
        .expect("write outside");
    let files = unpack(input);
    // Without a config file of its own, the root would be looked for further up.
    std::fs::write(root.join("incident-guard.toml"), "").expect("write config");
    for (path, content) in &files {
        let full = root.join(path);
        if let Some(parent) = full.parent()
            && std::fs::create_dir_all(parent).is_err()
        {
            continue; // a file already stands where a directory should
        }
        if full.is_dir() {
            continue;
        }
        std::fs::write(&full, content).expect("write file");
    }
    let opts = incident_guard::Options {
        path: root.clone(),
        config: None,
        today: incident_guard::date::Date::new(2026, 6, 1),
        git: incident_guard::git::GitOptions { disabled: true, ..Default::default() },
        ..Default::default()
    };
    let analysis = match incident_guard::analyze(&opts) {
        Ok(a) => a,
        Err(e) => {
            let message = format!("{e:#}");
            assert!(!message.contains("OUTSIDE"), "an error carries text from outside the repository: {message}");
            return hash(("error", kind(&message)));
        }
    };
    let report = incident_guard::check(&analysis);
    let mut out = Vec::new();
    let style = incident_guard::render::Style::default();
    use incident_guard::render::Format;
    for format in [Format::Human, Format::Json, Format::Github, Format::Markdown, Format::Sarif] {
        incident_guard::render::render(&report, format, &style, &mut out).expect("render");
    }
    let shown = String::from_utf8_lossy(&out);
    assert!(!shown.contains("OUTSIDE"), "the report carries text from outside the repository");
    for f in &report.findings {
        if let Some(p) = &f.path {
            assert!(!p.starts_with('/') && !p.split('/').any(|c| c == ".."), "a finding outside the repository: {p}");
        }
    }
    for i in &report.incidents {
        assert!(!i.path.starts_with('/') && !i.path.split('/').any(|c| c == ".."), "an incident outside: {}", i.path);
    }
    hash((
        report.findings.iter().map(|f| f.rule.code()).collect::<BTreeSet<_>>(),
        report.incidents.len().min(4),
        files.len().min(8),
    ))
}
