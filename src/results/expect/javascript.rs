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
//! file must be the test's.

use super::{Case, same_file};
use crate::results::junit::language_of_path;
use crate::scan::TestCase;

#[derive(Clone, Debug)]
pub struct Expect {
    path: String,
    /// The `describe` titles, then the test's title.
    parts: Vec<String>,
}

const SEPARATORS: &[&str] = &[" > ", " › ", " "];

impl Expect {
    pub fn new(test: &TestCase) -> Expect {
        Expect { path: test.loc.path.clone(), parts: test.name.split(" > ").map(str::to_owned).collect() }
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
