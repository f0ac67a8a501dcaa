//! JavaScript and TypeScript: every runner joins the `describe` titles and the test
//! title its own way. Vitest writes `classname="src/cart.test.ts" name="cart > applies
//! the discount once"`; Playwright joins with ` › `; jest-junit writes
//! `"{classname} {title}"` (the describe titles joined by its `ancestorSeparator`, a
//! space by default) and the file only with `addFileAttribute="true"`; `node --test`
//! nests a `testsuite` per `describe` and names the test by its own title (the suites'
//! names, joined, are then the `describe` titles). A test
//! matches when its titles, joined by ` > `, ` › ` or a space, are the case's name, or
//! its title is the name and its `describe` titles are the class or the suite; when the
//! case names a file (`file`, or a class or suite that is a test file's path), that
//! file must be the test's. A title computed at run time (`'adds ' + n`, a template
//! with `${…}`, a `.each` format) is a pattern the reported title must match whole
//! (`scan::javascript::Part`), so that the names the runner reports are found, and only
//! they.

use super::{Case, same_file};
use crate::results::junit::language_of_path;
use crate::scan::TestCase;
use crate::scan::javascript::Part;
use regex::Regex;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct Expect {
    path: String,
    /// The `describe` titles, then the test's title.
    parts: Vec<String>,
    /// When a title is computed: for each separator, the patterns of the whole name, of
    /// the `describe` titles joined, and of the test's title.
    patterns: Option<Vec<(Regex, Regex, Regex)>>,
}

const SEPARATORS: &[&str] = &[" > ", " › ", " "];

impl Expect {
    /// `titles` are the title parts of the tests of the test's file
    /// (`scan::javascript::title_parts`, read once per file); without them, the titles
    /// are taken as written in the test's name.
    pub fn new(test: &TestCase, titles: Option<&HashMap<String, Vec<Part>>>) -> Expect {
        let found = titles.and_then(|t| t.get(&test.name)).filter(|parts| !parts.is_empty()).cloned();
        let parts_of = |parts: &[Part]| -> Vec<String> {
            parts
                .iter()
                .map(|p| match p {
                    Part::Literal(s) | Part::Pattern(s) => s.clone(),
                })
                .collect()
        };
        let computed = found.as_ref().is_some_and(|p| p.iter().any(|p| matches!(p, Part::Pattern(_))));
        let mut parts: Vec<String> = test.name.split(" > ").map(str::to_owned).collect();
        let mut patterns = None;
        if let Some(found) = found {
            if computed {
                let source = |p: &Part| match p {
                    Part::Literal(s) => regex::escape(s),
                    Part::Pattern(s) => s.clone(),
                };
                let (last, describes) = found.split_last().expect("not empty");
                let compile = |body: String| Regex::new(&format!("^(?s:{body})$")).ok();
                let built: Option<Vec<(Regex, Regex, Regex)>> = SEPARATORS
                    .iter()
                    .map(|sep| {
                        let esc = regex::escape(sep);
                        let whole = found.iter().map(source).collect::<Vec<_>>().join(&esc);
                        let outer = describes.iter().map(source).collect::<Vec<_>>().join(&esc);
                        Some((compile(whole)?, compile(outer)?, compile(source(last))?))
                    })
                    .collect();
                patterns = built;
            } else {
                parts = parts_of(&found);
            }
        }
        Expect { path: test.loc.path.clone(), parts, patterns }
    }

    pub fn matches(&self, case: &Case) -> bool {
        let file = case
            .file
            .or_else(|| [case.classname, case.suite].into_iter().find(|c| language_of_path(c) == Some("javascript")));
        if let Some(file) = file
            && !same_file(&self.path, file)
        {
            return false;
        }
        if let Some(patterns) = &self.patterns {
            let no_describes = self.parts.len() == 1;
            return patterns.iter().any(|(whole, outer, title)| {
                whole.is_match(case.name)
                    || (title.is_match(case.name)
                        && (no_describes
                            || [case.classname, case.suite, case.suites].iter().any(|c| outer.is_match(c))))
            }) || (no_describes && file.is_some() && patterns[0].2.is_match(case.name));
        }
        let (title, describes) = self.parts.split_last().expect("a test has a title");
        SEPARATORS.iter().any(|sep| {
            case.name == self.parts.join(sep)
                || (case.name == title
                    && (describes.is_empty()
                        || [case.classname, case.suite, case.suites].contains(&describes.join(sep).as_str())))
        }) || (case.name == title && file.is_some() && describes.is_empty())
    }

    pub fn looked_for(&self) -> String {
        format!("`{}` in `{}`", self.parts.join(" > "), self.path)
    }
}
