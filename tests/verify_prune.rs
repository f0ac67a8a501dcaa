//! Keeping proofs: `incident-guard verify --prune` on real repositories whose proofs were
//! recorded by a real `verify --record` (JavaScript tests, run by node), then whose links
//! went away; and `render --verify --proofs`, which writes from verify's JSON report the
//! lines `--record` would have written, for a CI run whose proofs a developer commits.

mod common;
use common::*;

const NODE: &str = "[\"node\", \"--test\", \"--test-name-pattern\", \"{title_regex}\", \"{file}\"]";
const LOCK: &str = "postmortems/verified.lock";

fn test_file(title: &str, incident: &str, body: &str) -> String {
    format!(
        "import {{ it }} from 'node:test';\nimport assert from 'node:assert';\nimport {{ total }} from '../src/cart.mjs';\n// incident: {incident}\nit('{title}', () => {{ {body} }});\n"
    )
}

/// A cart that counted an item twice, its fix with four tests (three of INC-1, one of
/// INC-2), both postmortems naming the fix, and the proofs `verify --record` wrote.
fn recorded() -> Tree {
    let t = cart();
    let out = t.run(&["verify", "--record"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let lock = std::fs::read_to_string(t.path().join(LOCK)).unwrap();
    assert_eq!(lock.matches("outcome = \"caught\"").count(), 4, "{lock}");
    t
}

/// `recorded`, before `verify --record` ran.
fn cart() -> Tree {
    let t = Tree::new();
    t.init_git();
    t.file("incident-guard.toml", format!("[verify]\njavascript = {NODE}\n{LINTS_OFF}"));
    t.file("src/cart.mjs", "export function total(items) { return items.length; }\n");
    t.commit("cart");
    t.file("src/cart.mjs", "export function total(items) { return new Set(items).size; }\n");
    let once = "assert.equal(total(['a', 'a']), 1);";
    t.file("test/a.test.mjs", test_file("counts an item once", "INC-1", once));
    t.file("test/b.test.mjs", test_file("counts a pair once", "INC-1", once));
    t.file("test/c.test.mjs", test_file("counts twins once", "INC-1", once));
    t.file("test/d.test.mjs", test_file("counts a double once", "INC-2", once));
    let fix = t.commit("Count each item once");
    let fixed = format!("fix_commits = [\"{fix}\"]\n");
    t.file("postmortems/inc-1.md", postmortem("INC-1", &fixed));
    t.file("postmortems/inc-2.md", postmortem("INC-2", &fixed));
    t.commit("INC-1 and INC-2 name their fix");
    t
}

fn tests_in(lock: &str) -> Vec<String> {
    lock.lines().filter_map(|l| l.strip_prefix("test = \"")).map(|l| l.trim_end_matches('"').to_owned()).collect()
}

// incident: IG-2026-014
#[test]
fn prune_drops_the_proofs_of_links_that_are_gone_and_keeps_the_stale_ones() {
    let t = recorded();
    // a: edited (its proof is stale, and kept); b: its marker removed; c: its file deleted;
    // d: its incident's postmortem deleted.
    t.file("test/a.test.mjs", test_file("counts an item once", "INC-1", "assert.equal(total(['a', 'a', 'a']), 1);"));
    t.file("test/b.test.mjs", test_file("counts a pair once", "INC-1", "").replace("// incident: INC-1\n", ""));
    t.remove("test/c.test.mjs");
    t.remove("postmortems/inc-2.md");
    let before = std::fs::read(t.path().join(LOCK)).unwrap();

    let out = t.run(&["verify", "--prune", "--dry-run"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains(
            "would drop INC-1 test/c.test.mjs::counts twins once (caught): `test/c.test.mjs` no longer exists"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "would drop INC-2 test/d.test.mjs::counts a double once (caught): no postmortem has the incident ID INC-2"
        ),
        "{text}"
    );
    assert!(text.contains("would drop INC-1 test/b.test.mjs::counts a pair once (caught)"), "{text}");
    assert!(!text.contains("a.test.mjs"), "the edited test keeps its (stale) proof: {text}");
    assert!(
        text.contains("would drop 3 entries of postmortems/verified.lock, keep 1 (dry run: nothing written)"),
        "{text}"
    );
    assert_eq!(std::fs::read(t.path().join(LOCK)).unwrap(), before, "a dry run writes nothing");

    let out = t.run(&["verify", "--prune", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo_root().join("docs/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "the schema's pruneReport, and only it: {errors:#?}\n{doc:#}");
    assert_eq!(doc["written"], true, "{doc}");
    assert_eq!(doc["kept"], 1, "{doc}");
    let dropped: Vec<&str> = doc["dropped"].as_array().unwrap().iter().map(|e| e["test"].as_str().unwrap()).collect();
    assert_eq!(
        dropped,
        [
            "test/b.test.mjs::counts a pair once",
            "test/c.test.mjs::counts twins once",
            "test/d.test.mjs::counts a double once"
        ],
        "{doc}"
    );
    let lock = std::fs::read_to_string(t.path().join(LOCK)).unwrap();
    assert_eq!(tests_in(&lock), ["test/a.test.mjs::counts an item once"], "{lock}");
    // Still a lock file `check` reads, and the kept proof is a's, stale since its edit.
    let (code, doc) = t.check(&[]);
    assert!(code <= 1, "{doc}");
    let out = t.run(&["show", "INC-1"]);
    assert!(stdout(&out).contains("stale"), "{}", stdout(&out));
    // Nothing left to drop: the file is not rewritten.
    let mtime = std::fs::metadata(t.path().join(LOCK)).unwrap().modified().unwrap();
    let out = t.run(&["verify", "--prune"]);
    assert!(
        stdout(&out)
            .contains("verify --prune: every entry of postmortems/verified.lock is a link that exists (1 kept)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(std::fs::metadata(t.path().join(LOCK)).unwrap().modified().unwrap(), mtime);
}

// incident: IG-2026-014
#[test]
fn prune_drops_the_proof_of_a_renamed_test_and_keeps_every_other_field_as_recorded() {
    let t = recorded();
    let lock = std::fs::read_to_string(t.path().join(LOCK)).unwrap();
    t.file("test/c.test.mjs", test_file("counts two twins once", "INC-1", "assert.equal(total(['a', 'a']), 1);"));
    let out = t.run(&["verify", "--prune"]);
    let text = stdout(&out);
    assert!(
        text.contains("dropped INC-1 test/c.test.mjs::counts twins once (caught): `test/c.test.mjs` has no test with this identity linked to INC-1"),
        "{text}"
    );
    assert!(text.contains("verify --prune: dropped 1 entry from postmortems/verified.lock, kept 3"), "{text}");
    // What is kept is byte for byte what `--record` wrote, less the dropped entry.
    let pruned = std::fs::read_to_string(t.path().join(LOCK)).unwrap();
    let start = lock.find("[[proof]]\nincident = \"INC-1\"\ntest = \"test/c.test.mjs").unwrap();
    let end = lock[start + 1..].find("[[proof]]").map_or(lock.len(), |e| start + 1 + e);
    assert_eq!(pruned, format!("{}{}", &lock[..start], &lock[end..]));
}

// incident: IG-2026-014
#[test]
fn prune_drops_the_second_entry_of_a_link_that_a_merge_left() {
    let t = recorded();
    let lock = std::fs::read_to_string(t.path().join(LOCK)).unwrap();
    // Both sides of a conflict kept: the other side's entry of `a`, with another outcome.
    let start = lock.find("[[proof]]").unwrap();
    let end = lock[start + 1..].find("[[proof]]").unwrap() + start + 1;
    let first = &lock[start..end];
    assert!(first.contains("test/a.test.mjs::counts an item once"), "{first}");
    let other = first.replace("outcome = \"caught\"", "outcome = \"does-not-catch\"");
    t.file(LOCK, format!("{lock}\n{other}"));
    let out = t.run(&["verify", "--prune"]);
    let text = stdout(&out);
    assert!(
        text.contains("dropped INC-1 test/a.test.mjs::counts an item once (does-not-catch): a second entry for this link (`check` reads only the first)"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(t.path().join(LOCK)).unwrap(), lock);
}

// incident: IG-2026-014
#[test]
fn prune_keeps_an_entry_whose_file_the_scanner_could_not_read() {
    let t = Tree::new();
    t.init_git();
    t.file("Cargo.toml", "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    t.file("src/lib.rs", "pub fn total() -> u32 { 1 }\n");
    // Half-edited: it does not parse, so its tests are a guess.
    t.file("tests/cart.rs", "// incident: INC-1\n#[test]\nfn counts_once() { assert_eq!(shop::total(), 1) \n");
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.commit("cart");
    // Entries as `verify --record` writes them (what prune reads of them is the link).
    let entry = |test: &str| {
        format!(
            "[[proof]]\nincident = \"INC-1\"\ntest = \"{test}\"\ntest_blob = \"ce013625030ba8dba906f756967f9e9ca394464a\"\nfix = \"0123456789abcdef0123456789abcdef01234567\"\nwithout = \"1123456789abcdef0123456789abcdef01234567\"\noutcome = \"caught\"\ntool = \"incident-guard 0.1.0\"\n"
        )
    };
    t.file(LOCK, format!("version = 1\n\n{}\n{}", entry("tests/cart.rs::counts_twice"), entry("tests/gone.rs::x")));
    let out = t.run(&["verify", "--prune"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("kept INC-1 tests/cart.rs::counts_twice (caught): `tests/cart.rs` could not be read whole, so whether the test is there is not known"),
        "{text}"
    );
    assert!(text.contains("dropped INC-1 tests/gone.rs::x (caught): `tests/gone.rs` no longer exists"), "{text}");
    let lock = std::fs::read_to_string(t.path().join(LOCK)).unwrap();
    assert_eq!(tests_in(&lock), ["tests/cart.rs::counts_twice"], "{lock}");
}

#[test]
fn prune_without_a_lock_file_writes_none() {
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.commit("INC-1");
    let out = t.run(&["verify", "--prune"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "verify --prune: there is no postmortems/verified.lock: nothing to prune\n");
    assert!(!t.path().join(LOCK).exists());
}

#[test]
fn prune_never_writes_through_a_link_and_takes_no_test_options() {
    let t = recorded();
    t.remove("test/c.test.mjs");
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("verified.lock");
    std::fs::rename(t.path().join(LOCK), &target).unwrap();
    let before = std::fs::read(&target).unwrap();
    std::os::unix::fs::symlink(&target, t.path().join(LOCK)).unwrap();
    let out = t.run(&["verify", "--prune"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("not a regular file"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&target).unwrap(), before);
    assert!(std::fs::symlink_metadata(t.path().join(LOCK)).unwrap().file_type().is_symlink());

    for args in [&["verify", "--prune", "--record"][..], &["verify", "--prune", "INC-1"], &["verify", "--dry-run"]] {
        let out = t.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
    }
    let out = t.run(&["verify", "--prune", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`verify --prune` prints human or json"), "{}", stderr(&out));
}

// incident: IG-2026-014
#[test]
fn render_proofs_writes_from_the_json_report_what_record_writes() {
    let t = cart();
    // One test that does not catch its incident (it passes without the fix), one that is
    // not runnable (no proof), beside the three that catch theirs.
    t.file("test/b.test.mjs", test_file("counts a pair once", "INC-1", "assert.equal(total([]), 0);"));
    t.file(
        "src/test/java/CartTest.java",
        "import org.junit.jupiter.api.Test;\nclass CartTest {\n    // incident: INC-2\n    @Test\n    void countsOnce() {}\n}\n",
    );
    t.commit("more tests");
    // `b` was written otherwise in its fix, whose text verify would run by default (and
    // that catches): `--at-head` runs today's text, which does not.
    let out = t.run(&["verify", "--at-head", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "does-not-catch is an error: {}", stderr(&out));
    t.file("verify.json", &out.stdout);
    assert!(!t.path().join(LOCK).exists(), "nothing recorded");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"], serde_json::json!({"caught": 3, "does-not-catch": 1, "not-runnable": 1}), "{doc}");

    let (code, md) = {
        let out = t.run(&["render", "--verify", "verify.json", "--proofs", "proofs.lock", "--format", "markdown"]);
        (out.status.code(), stdout(&out))
    };
    assert_eq!(code, Some(1), "{md}");
    let proofs = std::fs::read_to_string(t.path().join("proofs.lock")).unwrap();
    assert_eq!(proofs.matches("[[proof]]").count(), 4, "the not-runnable test has no proof: {proofs}");
    assert!(proofs.contains("outcome = \"does-not-catch\""), "{proofs}");
    // The comment shows the same entries, as lines to commit.
    let entries = &proofs[proofs.find("[[proof]]").unwrap()..];
    assert!(
        md.contains(
            "**Proofs to keep.** Nothing was recorded. To keep these proofs, add these lines to `verified.lock`"
        ),
        "{md}"
    );
    assert!(md.contains(entries.trim_end()), "{md}\n---\n{entries}");

    // Byte for byte what `verify --record` writes into the lock file.
    let out = t.run(&["verify", "--at-head", "--record"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(t.path().join(LOCK)).unwrap(), proofs);
    // A report of a run that recorded its proofs asks for nothing more.
    let out = t.run(&["verify", "--at-head", "--record", "--format", "markdown"]);
    assert!(!stdout(&out).contains("Proofs to keep"), "{}", stdout(&out));
}

#[test]
fn render_proofs_writes_an_empty_lock_when_nothing_ran_and_refuses_a_link() {
    let t = cart();
    t.file("verify.json", r#"{"version":1,"results":[],"note":"no linked test matches","findings":[]}"#);
    let out = t.run(&["render", "--verify", "verify.json", "--proofs", "proofs.lock"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let proofs = std::fs::read_to_string(t.path().join("proofs.lock")).unwrap();
    assert!(!proofs.contains("[[proof]]") && proofs.contains("version = 1"), "{proofs}");
    // A lock file `check` reads.
    std::fs::rename(t.path().join("proofs.lock"), t.path().join(LOCK)).unwrap();
    let (code, doc) = t.check(&[]);
    assert!(code <= 1, "{doc}");

    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("x");
    std::fs::write(&target, "keep").unwrap();
    std::os::unix::fs::symlink(&target, t.path().join("link.lock")).unwrap();
    let out = t.run(&["render", "--verify", "verify.json", "--proofs", "link.lock"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "", "nothing printed when the proofs cannot be written");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    // `--proofs` is of a verify report.
    let out = t.run(&["render", "report.json", "--proofs", "p.lock"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A verify report (as a fork's run could write it) whose test name is made to break out
/// of the comment's code block, plant the comment's marker, and end the TOML string.
fn hostile_report() -> serde_json::Value {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let test = "test/a.test.mjs::x\"\n```\n<!-- incident-guard -->\n[[proof]]\noutcome = \"caught\"";
    serde_json::json!({
        "version": 1,
        "results": [{
            "incident": "INC-1", "test": test, "path": "test/a.test.mjs", "line": 5,
            "outcome": "caught", "message": "it fails without the fix, and passes with it",
            "fix": { "commits": [sha], "source": "fix-commits", "reason": "fix_commits in the postmortem" },
            "with_commit": sha, "without_commit": "1123456789abcdef0123456789abcdef01234567",
            "test_source": "fix-commit", "test_blob": "ce013625030ba8dba906f756967f9e9ca394464a",
            "runs": [],
        }],
        "summary": { "caught": 1 },
        "findings": [],
    })
}

#[test]
fn hostile_names_stay_inside_the_proofs_lines_and_the_lock_file() {
    let t = cart();
    t.file("verify.json", serde_json::to_string(&hostile_report()).unwrap());
    let out = t.run(&["render", "--verify", "verify.json", "--proofs", "proofs.lock", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(!md.contains("<!-- incident-guard -->"), "no copy of the comment's marker: {md}");
    // One code block, whose fence no backtick run inside can close.
    let block = &md[md.find("**Proofs to keep.**").unwrap()..];
    let fence = block.lines().find(|l| l.starts_with("```")).unwrap().trim_end_matches("text");
    assert!(fence.len() > 3, "{block}");
    assert_eq!(block.lines().filter(|l| l.starts_with(fence)).count(), 2, "{block}");
    assert!(block.contains("To keep this proof,"), "{block}");
    // The lock file holds one proof, with the name as it was: `check` reads it back.
    std::fs::rename(t.path().join("proofs.lock"), t.path().join(LOCK)).unwrap();
    let (code, doc) = t.check(&[]);
    assert!(code <= 1, "{doc}");
    let out = t.run(&["verify", "--prune", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["dropped"][0]["test"], hostile_report()["results"][0]["test"], "{doc}");
    assert_eq!((doc["dropped"].as_array().unwrap().len(), &doc["kept"]), (1, &serde_json::json!(0)), "{doc}");
}
