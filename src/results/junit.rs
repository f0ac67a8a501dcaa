//! JUnit XML, as cargo-nextest, pytest `--junitxml`, gotestsum and go-junit-report,
//! jest-junit, Vitest, Playwright, `node --test --test-reporter=junit`, Maven Surefire
//! and Gradle write it.
//!
//! The XML itself is read by quick-xml's pull parser, one event at a time. The crates
//! that read JUnit into a data model (junit-parser, quick-junit's deserializer, both
//! built on quick-xml) hold the whole report in memory, every `system-out` included; a
//! sharded nextest run of a large workspace writes hundreds of megabytes of it. Here a
//! test case is handed on as soon as its end tag is read, and only its name, class,
//! file and the start of its failure text are ever held.
//!
//! JUnit does not say which language a report is about; the producers do, each in its
//! own way, and `language` reads those signs.

use super::{Binary, Case, Language, Outcome, ParseError, bounded};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use std::io::BufRead;

/// What a producer's marks on the document say about its language.
fn root_language(e: &BytesStart) -> Option<Language> {
    let name = attr(e, "name").unwrap_or_default();
    // cargo-nextest names its report `nextest-run` by default and gives it a run `uuid`.
    if name == "nextest-run" || attr(e, "uuid").is_some() {
        return Some("rust");
    }
    match name.to_ascii_lowercase().as_str() {
        "jest tests" | "vitest tests" | "mocha tests" => Some("javascript"),
        n if n.starts_with("pytest") => Some("python"),
        _ => None,
    }
}

fn suite_language(e: &BytesStart) -> Option<Language> {
    if attr(e, "name").as_deref() == Some("pytest") {
        return Some("python");
    }
    // Surefire's reports name their schema.
    let schema = attr(e, "xsi:noNamespaceSchemaLocation").unwrap_or_default();
    schema.contains("surefire").then_some("java")
}

/// A test file's language by its extension.
pub fn language_of_path(path: &str) -> Option<Language> {
    let ext = path.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "rs" => Some("rust"),
        "py" => Some("python"),
        "go" => Some("go"),
        "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" => Some("javascript"),
        "java" | "kt" => Some("java"),
        _ => None,
    }
}

/// A case's language from its own attributes, when the document said nothing: its file,
/// a class that is a JavaScript file (Vitest, Playwright), a Go import path, a Java
/// class name.
fn case_language(classname: &str, name: &str, file: Option<&str>) -> Option<Language> {
    if let Some(lang) = file.and_then(language_of_path) {
        return Some(lang);
    }
    if let Some(lang) = language_of_path(classname).filter(|l| *l == "javascript") {
        return Some(lang);
    }
    // `node --test --test-reporter=junit` gives every case the class `test`.
    if classname == "test" {
        return Some("javascript");
    }
    if classname.contains('/') && name.starts_with("Test") {
        return Some("go");
    }
    let java_class = !classname.is_empty()
        && classname.split('.').count() >= 2
        && classname
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
        && classname.rsplit('.').next().is_some_and(|c| c.starts_with(|c: char| c.is_uppercase()));
    java_class.then_some("java")
}

fn attr(e: &BytesStart, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

/// A test case being read.
#[derive(Default)]
struct Open {
    name: String,
    classname: String,
    file: Option<String>,
    /// A `failure` or `error`: its `message` attribute and its text.
    failed: Option<(String, String)>,
    /// A `skipped`: its `message` attribute and its text.
    skipped: Option<(String, String)>,
    /// `system-out` and `system-err`, for a failure that carries no text of its own.
    output: String,
}

/// Where text goes while an element is open.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Into {
    Nothing,
    Failure,
    Skipped,
    Output,
}

/// Reads a JUnit document, handing each test case to `sink` at its end tag.
pub fn read(reader: impl BufRead, sink: &mut dyn FnMut(Case)) -> Result<(), ParseError> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    xml.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut root_seen = false;
    let mut doc_language = None;
    // Each open testsuite: its name and what it says about the language.
    let mut suites: Vec<(String, Option<Language>)> = Vec::new();
    let mut case: Option<Open> = None;
    let mut into = Into::Nothing;
    let error =
        |xml: &quick_xml::Reader<_>, message: String| ParseError { line: 0, offset: Some(xml_pos(xml)), message };
    loop {
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                return Err(ParseError {
                    line: 0,
                    offset: Some(xml.error_position()),
                    message: format!("not well-formed XML: {e}"),
                });
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let local = e.local_name();
                let tag = local.as_ref();
                if !root_seen {
                    root_seen = true;
                    if tag != "testsuites" && tag != "testsuite" {
                        return Err(error(
                            &xml,
                            format!(
                                "not a JUnit report: the root element is `<{}>`, not `<testsuites>` or `<testsuite>`",
                                e.name().as_ref()
                            ),
                        ));
                    }
                    if tag == "testsuites" {
                        doc_language = root_language(e);
                    }
                }
                match tag {
                    "testsuite" if case.is_none() => {
                        let name = attr(e, "name").unwrap_or_default();
                        let language = suite_language(e).or_else(|| suites.last().and_then(|s| s.1));
                        if !empty {
                            suites.push((name, language));
                        }
                    }
                    // gotestsum and go-junit-report record the Go version of the run.
                    "property" if case.is_none() => {
                        if attr(e, "name").as_deref() == Some("go.version")
                            && let Some(s) = suites.last_mut()
                        {
                            s.1 = Some("go");
                        }
                    }
                    "testcase" if case.is_none() => {
                        let open = Open {
                            name: attr(e, "name").unwrap_or_default(),
                            classname: attr(e, "classname").unwrap_or_default(),
                            file: attr(e, "file").filter(|f| !f.is_empty()),
                            ..Open::default()
                        };
                        if empty {
                            emit(open, doc_language, &suites, sink);
                        } else {
                            case = Some(open);
                        }
                    }
                    "failure" | "error" if case.is_some() => {
                        let c = case.as_mut().expect("checked");
                        if c.failed.is_none() {
                            c.failed = Some((attr(e, "message").unwrap_or_default(), String::new()));
                        }
                        if !empty {
                            into = Into::Failure;
                        }
                    }
                    "skipped" if case.is_some() => {
                        let c = case.as_mut().expect("checked");
                        if c.skipped.is_none() {
                            c.skipped = Some((attr(e, "message").unwrap_or_default(), String::new()));
                        }
                        if !empty {
                            into = Into::Skipped;
                        }
                    }
                    "system-out" | "system-err" if case.is_some() && !empty => into = Into::Output,
                    _ => {}
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::End(ref e) => {
                depth = depth.saturating_sub(1);
                match e.local_name().as_ref() {
                    "testcase" => {
                        if let Some(open) = case.take() {
                            emit(open, doc_language, &suites, sink);
                        }
                        into = Into::Nothing;
                    }
                    "testsuite" if case.is_none() => {
                        suites.pop();
                    }
                    "failure" | "error" | "skipped" | "system-out" | "system-err" => into = Into::Nothing,
                    _ => {}
                }
            }
            Event::Text(ref t) => push(&mut case, into, &t.xml10_content()),
            Event::CData(ref t) => push(&mut case, into, &t.xml10_content()),
            Event::GeneralRef(ref r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        quick_xml::escape::unescape(&format!("&{};", &**r)).map(|c| c.into_owned()).unwrap_or_default()
                    }
                };
                push(&mut case, into, &text);
            }
            Event::Eof => {
                if !root_seen {
                    return Err(error(&xml, "not a JUnit report: it holds no XML element".into()));
                }
                if depth > 0 {
                    let inside = if case.is_some() { "a `<testcase>`" } else { "an element" };
                    return Err(error(
                        &xml,
                        format!(
                            "the file ends inside {inside}: it was cut short (the run, or the upload of its report, stopped before it was written whole)"
                        ),
                    ));
                }
                return Ok(());
            }
            _ => {}
        }
        buf.clear();
    }
}

fn xml_pos<R>(xml: &quick_xml::Reader<R>) -> u64 {
    xml.buffer_position()
}

fn push(case: &mut Option<Open>, into: Into, text: &str) {
    let Some(c) = case.as_mut() else { return };
    let slot = match into {
        Into::Failure => c.failed.as_mut().map(|f| &mut f.1),
        Into::Skipped => c.skipped.as_mut().map(|s| &mut s.1),
        Into::Output => Some(&mut c.output),
        Into::Nothing => None,
    };
    if let Some(slot) = slot
        && slot.len() < super::MAX_TEXT
    {
        slot.push_str(text);
        *slot = bounded(slot);
    }
}

/// A failure's or skip's words: its text, with the `message` attribute first when the
/// text does not already hold it.
fn words((message, text): (String, String)) -> String {
    let (message, text) = (message.trim(), text.trim());
    if text.is_empty() {
        message.to_owned()
    } else if message.is_empty() || text.contains(message) {
        text.to_owned()
    } else {
        format!("{message}\n{text}")
    }
}

fn emit(open: Open, doc_language: Option<Language>, suites: &[(String, Option<Language>)], sink: &mut dyn FnMut(Case)) {
    let suite = suites.last().map_or("", |s| s.0.as_str());
    let path: Vec<&str> = suites.iter().map(|s| s.0.as_str()).filter(|n| !n.is_empty()).collect();
    let path = path.join(" > ");
    let language = doc_language
        .or_else(|| suites.last().and_then(|s| s.1))
        .or_else(|| case_language(&open.classname, &open.name, open.file.as_deref()));
    let outcome = match (open.failed, open.skipped) {
        (Some(failed), _) => {
            let text = words(failed);
            let text = if text.is_empty() { open.output.trim().to_owned() } else { text };
            Outcome::Failed(bounded(&text))
        }
        (None, Some(skipped)) => Outcome::Skipped(bounded(&words(skipped))),
        (None, None) => Outcome::Passed,
    };
    // nextest names the binary in both the suite and the class.
    let binary = (language == Some("rust")).then(|| {
        let id = if open.classname.is_empty() { suite } else { open.classname.as_str() };
        Binary::Nextest(id)
    });
    let binary = binary.filter(|b| !matches!(b, Binary::Nextest("")));
    sink(Case {
        language,
        classname: &open.classname,
        suite,
        suites: &path,
        name: &open.name,
        file: open.file.as_deref(),
        binary,
        outcome,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = (Option<Language>, String, String, Outcome);

    fn cases(xml: &str) -> Result<Vec<Read>, ParseError> {
        let mut out = Vec::new();
        read(xml.as_bytes(), &mut |c: Case| {
            out.push((c.language, c.classname.to_owned(), c.name.to_owned(), c.outcome.clone()))
        })?;
        Ok(out)
    }

    #[test]
    fn outcomes_come_from_the_children_of_each_case() {
        let xml = r#"<?xml version="1.0"?>
<testsuites name="pytest tests"><testsuite name="pytest">
  <testcase classname="tests.test_a" name="test_ok" time="0.1"/>
  <testcase classname="tests.test_a" name="test_bad"><failure message="assert 1 == 2">def test_bad():
&gt;   assert 1 == 2</failure><system-out>noise</system-out></testcase>
  <testcase classname="tests.test_a" name="test_skip"><skipped type="pytest.skip" message="not on CI"/></testcase>
  <testcase classname="tests.test_a" name="test_err"><error message=""><![CDATA[boom <here>]]></error></testcase>
</testsuite></testsuites>"#;
        let got = cases(xml).unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].3, Outcome::Passed);
        assert_eq!(
            got[1].3,
            Outcome::Failed("def test_bad():\n>   assert 1 == 2".into()),
            "the text holds the message"
        );
        assert_eq!(got[2].3, Outcome::Skipped("not on CI".into()));
        assert_eq!(got[3].3, Outcome::Failed("boom <here>".into()));
        assert!(got.iter().all(|c| c.0 == Some("python")));
    }

    #[test]
    fn producers_are_told_apart() {
        let lang = |xml: &str| cases(xml).unwrap()[0].0;
        assert_eq!(
            lang(
                r#"<testsuites name="nextest-run"><testsuite name="p"><testcase classname="p" name="t"/></testsuite></testsuites>"#
            ),
            Some("rust")
        );
        assert_eq!(
            lang(
                r#"<testsuites name="jest tests"><testsuite name="x"><testcase classname="a b" name="a b"/></testsuite></testsuites>"#
            ),
            Some("javascript")
        );
        assert_eq!(
            lang(r#"<testsuite name="shop.CartTest"><testcase classname="shop.CartTest" name="adds"/></testsuite>"#),
            Some("java")
        );
        assert_eq!(
            lang(
                r#"<testsuites><testsuite name="example.com/shop/pool"><properties><property name="go.version" value="go1.22"/></properties><testcase classname="pool" name="TestX"/></testsuite></testsuites>"#
            ),
            Some("go")
        );
        assert_eq!(
            lang(
                r#"<testsuites><testsuite name="src/a.test.ts"><testcase classname="src/a.test.ts" name="a &gt; b"/></testsuite></testsuites>"#
            ),
            Some("javascript")
        );
        assert_eq!(
            lang(
                r#"<testsuites><testsuite name="x"><testcase classname="whatever" name="t"/></testsuite></testsuites>"#
            ),
            None
        );
    }

    #[test]
    fn broken_documents_say_where() {
        let err = cases("<testsuites><testsuite><testcase name=\"a\">\n<failure>x</failure>\n").unwrap_err();
        assert!(err.message.contains("cut short"), "{}", err.message);
        let err = cases("<testsuites>\n<testsuite>\n</testcase>\n").unwrap_err();
        assert!(err.message.starts_with("not well-formed XML"), "{}", err.message);
        assert!(err.offset.unwrap() > 20);
        let err = cases("<html><body/></html>").unwrap_err();
        assert!(err.message.contains("root element is `<html>`"), "{}", err.message);
    }
}
