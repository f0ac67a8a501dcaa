//! Java and Kotlin: Surefire and Gradle name a test by its class's fully qualified name
//! (`shop.CartTest`, nested classes after `$`) and its method (`appliesDiscount`, or
//! `appliesDiscount()` and `add(int, int)[1]` for JUnit 5, which fold into the method).
//! The package comes from the file's `package` line.

use super::{Case, scope_of};
use crate::scan::TestCase;

#[derive(Clone, Debug)]
pub struct Expect {
    pub method: String,
    /// `shop.CartTest$Failover`.
    class: String,
}

impl Expect {
    pub fn new(test: &TestCase, text: Option<&str>) -> Expect {
        // A file with a linked test holds a marker, so its text was kept by the scan.
        let text = text.unwrap_or("");
        let package = text.lines().find_map(|l| {
            let rest = l.trim().strip_prefix("package")?;
            rest.starts_with(char::is_whitespace).then(|| rest.trim().trim_end_matches(';').trim().to_owned())
        });
        let classes = scope_of(test).join("$");
        let class = match package {
            Some(p) if !p.is_empty() => format!("{p}.{classes}"),
            _ => classes,
        };
        Expect { method: test.name.clone(), class }
    }

    pub fn matches(&self, case: &Case) -> bool {
        let method = case.name.split(['(', '[']).next().unwrap_or(case.name).trim();
        if method != self.method {
            return false;
        }
        let class = case.classname.replace('/', ".");
        let dotted = self.class.replace('$', ".");
        [self.class.as_str(), dotted.as_str()].iter().any(|full| {
            *full == class || (full.ends_with(class.as_str()) && full[..full.len() - class.len()].ends_with('.'))
        })
    }

    pub fn looked_for(&self) -> String {
        format!("`{}` in class `{}`", self.method, self.class)
    }
}
