//! Python: pytest's JUnit names a test by `classname` (the node id's file, as a dotted
//! module path relative to pytest's root directory, then its classes) and `name` (the
//! function, with its parameters in brackets): `tests/test_cart.py::TestCart::
//! test_total` is `classname="tests.test_cart.TestCart" name="test_total[a-1]"`. Every
//! parameter set folds into the test. pytest's root may lie below the repository's
//! (`python/`), so the class path may lack leading directories; with
//! `junit_family=xunit1` the `file` attribute is compared too.

use super::{Case, same_file, scope_of};
use crate::scan::TestCase;

#[derive(Clone, Debug)]
pub struct Expect {
    pub name: String,
    path: String,
    /// `tests.test_cart.TestCart`.
    dotted: String,
}

impl Expect {
    pub fn new(test: &TestCase) -> Expect {
        let module = test.loc.path.strip_suffix(".py").unwrap_or(&test.loc.path);
        let mut parts: Vec<String> = module.split('/').map(str::to_owned).collect();
        parts.extend(scope_of(test));
        Expect { name: test.name.clone(), path: test.loc.path.clone(), dotted: parts.join(".") }
    }

    pub fn matches(&self, case: &Case) -> bool {
        let base = case.name.split('[').next().unwrap_or(case.name);
        if base != self.name {
            return false;
        }
        if let Some(file) = case.file
            && !same_file(&self.path, file)
        {
            return false;
        }
        let class = case.classname;
        class == self.dotted
            || (!class.is_empty()
                && self.dotted.ends_with(class)
                && self.dotted[..self.dotted.len() - class.len()].ends_with('.'))
            || (class.is_empty() && case.file.is_some())
    }

    pub fn looked_for(&self) -> String {
        format!("classname `{}` (or its end), name `{}`", self.dotted, self.name)
    }
}
