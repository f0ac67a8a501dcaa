//! Inputs far larger than any real repository's, through the real binary: each took time
//! (or memory) growing with the square of its size before, and would take minutes here;
//! each now asserts what it finds. Regression guards, not timing assertions: the sizes
//! keep a linear run far from any limit. `benches/adversarial.sh` measures the same
//! inputs at ten times these sizes, and the scaling.

mod common;
use common::*;

// incident: IG-2026-011
#[test]
fn a_postmortem_of_forty_thousand_action_items_checked_each_against_the_others() {
    let t = Tree::new();
    let n = 40_000;
    let mut items: String = (0..n)
        .map(|i| format!("\n[[action_items]]\nid = \"A{i}\"\ntitle = \"Add a retry to path {i}\"\nowner = \"@o\"\nstatus = \"open\"\ndue = 2030-01-01\n"))
        .collect();
    items.push_str(
        "\n[[action_items]]\nid = \"A7\"\ntitle = \"Again\"\nowner = \"@o\"\nstatus = \"open\"\ndue = 2030-01-01\n",
    );
    let text = postmortem("INC-1", &items);
    let first = text[..text.find("id = \"A7\"").unwrap()].lines().count() + 1;
    t.file("postmortems/i.md", &text);
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() {}\n");
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{}", doc["summary"]);
    let dup = of_rule(&doc, "invalid-postmortem");
    assert_eq!(dup.len(), 1, "{}", doc["summary"]);
    let message = dup[0]["message"].as_str().unwrap();
    assert!(message.contains(&format!("duplicate action item ID `A7` (first used on line {first})")), "{message}");
    assert_eq!(doc["incidents"][0]["action_items"].as_array().unwrap().len(), n);
}

// incident: IG-2026-011
#[test]
fn ten_thousand_closed_items_each_naming_a_commit() {
    let t = Tree::new();
    t.init_git();
    t.file("tests/a.rs", "// incident: INC-1\n#[test]\nfn a() {}\n");
    let sha = t.commit("base");
    let n = 10_000;
    let items: String = (0..n)
        .map(|i| {
            format!("\n[[action_items]]\nid = \"A{i}\"\ntitle = \"Add a retry to path {i}\"\nowner = \"@o\"\nstatus = \"closed\"\ncommits = [\"{}\"]\n", &sha[..12])
        })
        .collect();
    // One more, whose commit does not exist.
    let items = format!(
        "{items}\n[[action_items]]\nid = \"B\"\ntitle = \"Alert\"\nowner = \"@o\"\nstatus = \"closed\"\ncommits = [\"0123456789ab\"]\n"
    );
    t.file("postmortems/i.md", postmortem("INC-1", &items));
    t.commit("postmortem");
    let (code, doc) = t.check(&["--base", "HEAD"]);
    assert_eq!(code, 1, "{}", doc["summary"]);
    let missing = of_rule(&doc, "action-item-without-commit");
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(missing.iter().all(|f| f["message"].as_str().unwrap().contains("INC-1#B")), "{missing:?}");
    let items = doc["incidents"][0]["action_items"].as_array().unwrap();
    assert_eq!(items.len(), n + 1);
    assert!(items[..n].iter().all(|i| i["commits"][0].as_str() == Some(sha.as_str())));
}

// incident: IG-2026-011
#[test]
fn twenty_thousand_postmortems_linked_by_one_marker_line() {
    let t = Tree::new();
    let n = 20_000;
    for i in 0..n {
        t.file(&format!("postmortems/INC-{i}.md"), postmortem(&format!("INC-{i}"), ""));
    }
    let ids: Vec<String> = (0..n).map(|i| format!("INC-{i}")).collect();
    t.file("tests/a.rs", format!("// incident: {}\n#[test]\nfn a() {{}}\n", ids.join(", ")));
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{}", doc["summary"]);
    assert_eq!((doc["summary"]["incidents"].as_u64(), doc["summary"]["errors"].as_u64()), (Some(n as u64), Some(0)));
    assert_eq!(tests_of(&doc, "INC-19999"), ["tests/a.rs::a"]);
}

// incident: IG-2026-011
#[test]
fn forty_thousand_linked_tests_in_one_file() {
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    let n = 40_000;
    let src: String = (0..n).map(|i| format!("// incident: INC-1\n#[test]\nfn t{i}() {{}}\n")).collect();
    t.file("tests/a.rs", src);
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{}", doc["summary"]);
    assert_eq!(doc["summary"]["linked_tests"].as_u64(), Some(n as u64));
    assert_eq!(tests_of(&doc, "INC-1").len(), n);
}

// incident: IG-2026-011
#[test]
fn a_marker_line_naming_a_hundred_thousand_unknown_ids() {
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    let n = 100_000;
    let ids: Vec<String> = (0..n).map(|i| format!("INC-9{i}")).collect();
    let line = format!("// incident: INC-1 {}", ids.join(" "));
    t.file("tests/a.rs", format!("{line}\n#[test]\nfn a() {{}}\n"));
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1, "{}", doc["summary"]);
    let unknown = of_rule(&doc, "unknown-incident");
    assert_eq!(unknown.len(), n);
    let last = unknown.iter().find(|f| f["message"].as_str().unwrap().contains("`INC-999999`")).expect("the last ID");
    let column = line.rfind("INC-999999").unwrap() as u64 + 1;
    assert_eq!((last["line"].as_u64(), last["column"].as_u64()), (Some(1), Some(column)));
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/a.rs::a"]);
}

// incident: IG-2026-011
#[test]
fn a_rust_file_over_the_size_limit_is_read_as_text_not_parsed() {
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    let filler = "pub fn f(x: u64) -> u64 { let y = x.wrapping_mul(31); y ^ (y >> 7) }\n";
    let mut src = String::from("// incident: INC-1\n#[test]\nfn guard() {}\n");
    while src.len() <= 9 << 20 {
        src.push_str(filler);
    }
    t.file("tests/big.rs", &src);
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{}", doc["summary"]);
    let u = of_rule(&doc, "unparsable-source");
    assert_eq!(u.len(), 1, "{}", doc["summary"]);
    assert!(u[0]["message"].as_str().unwrap().contains("more than the 8 MiB a file may have to be parsed"), "{}", u[0]);
    assert_eq!(tests_of(&doc, "INC-1"), ["tests/big.rs::guard"]);
}

/// A body of about `len` bytes whose text is its own (`seed`): no two are alike.
fn body(seed: u64, len: usize) -> String {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut out = String::new();
    while out.len() < len {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        out.push_str(&format!("    assert_eq!(step({}), {});\n", x >> 40, (x >> 20) & 0xfffff));
    }
    out
}

// incident: IG-2026-011
#[test]
fn one_removed_test_against_eighty_new_linked_tests_of_twenty_kilobytes() {
    // Each new test was compared with the removed one, character by character.
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    let old = body(0, 20_000);
    t.file("tests/a.rs", format!("// incident: INC-1\n#[test]\nfn guard() {{\n{old}}}\n"));
    t.commit("base");
    let mut src = String::new();
    for i in 1..=80 {
        src.push_str(&format!("// incident: INC-1\n#[test]\nfn new_{i}() {{\n{}}}\n", body(i, 20_000)));
    }
    // The 80th is the old test renamed, one line changed.
    let renamed = old.replacen("assert_eq!", "assert_ne!", 1);
    src.push_str(&format!("// incident: INC-1\n#[test]\nfn guard_renamed() {{\n{renamed}}}\n"));
    t.file("tests/a.rs", src);
    let (code, doc) = t.check(&["--base", "HEAD"]);
    assert_eq!(code, 0, "{}", doc["findings"]);
    let moved = of_rule(&doc, "linked-test-moved");
    assert_eq!(moved.len(), 1, "{}", doc["findings"]);
    assert!(moved[0]["message"].as_str().unwrap().contains("tests/a.rs::guard_renamed"), "{}", moved[0]);

    // Without the renamed one, the removal is reported.
    let src = std::fs::read_to_string(t.path().join("tests/a.rs")).unwrap();
    t.file("tests/a.rs", &src[..src.find("// incident: INC-1\n#[test]\nfn guard_renamed").unwrap()]);
    let (code, doc) = t.check(&["--base", "HEAD"]);
    assert_eq!(code, 1);
    assert_eq!(of_rule(&doc, "linked-test-removed").len(), 1, "{}", doc["findings"]);
}

// incident: IG-2026-011
#[test]
fn five_unknown_ids_of_sixty_kilobytes_near_a_known_one() {
    // The edit distance of each to the known ID took seven seconds.
    let t = Tree::new();
    let known = format!("INC-{}", "7".repeat(60_000));
    t.file("postmortems/i.md", postmortem(&known, ""));
    let mut src = String::new();
    for i in 0..5 {
        let near = format!("INC-{}8{}", "7".repeat(i * 1000), "7".repeat(60_000 - i * 1000 - 1));
        src.push_str(&format!("// incident: {near}\n#[test]\nfn t{i}() {{}}\n"));
    }
    t.file("tests/a.rs", src);
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 1);
    let unknown = of_rule(&doc, "unknown-incident");
    assert_eq!(unknown.len(), 5, "{}", doc["summary"]);
    // No suggestion for a word this long: it is no typo.
    assert!(unknown.iter().all(|f| !f["message"].as_str().unwrap().contains("did you mean")), "{}", unknown[0]);
}

// incident: IG-2026-011
#[test]
fn one_line_of_sixteen_thousand_javascript_tests() {
    // Each test's body and each finding copied the whole 416 KB line: 6.5 GB.
    let t = Tree::new();
    t.file("postmortems/i.md", postmortem("INC-1", ""));
    let n = 16_000;
    let line: String = (0..n).map(|i| format!("it('case {i}', () => {{ expect(f({i})).toBe(1); }}); ")).collect();
    t.file("src/a.test.js", format!("// incident: INC-1\n{line}\n"));
    let (code, doc) = t.check(&[]);
    assert_eq!(code, 0, "{}", doc["findings"]);
    assert_eq!(tests_of(&doc, "INC-1"), ["src/a.test.js::case 0"]);
    assert_eq!(doc["summary"]["linked_tests"].as_u64(), Some(1));
}
