//! A finding is data, not text: rule, level, message and location. Checks produce them,
//! renderers turn them into human or machine output; nothing in between formats them.

use crate::rules::{Level, Rule};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What to do about it, when there is something better to say than the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// How many characters of the line the finding is about (for carets).
    #[serde(skip)]
    pub len: usize,
    /// The text of `line`, filled in by the pipeline so renderers never read files.
    #[serde(skip)]
    pub source_line: Option<String>,
}

/// A place in a file: repository-relative path, 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub len: usize,
}

impl Finding {
    pub fn new(rule: Rule, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            level: rule.default_level(),
            incident: None,
            test: None,
            message: message.into(),
            path: None,
            line: None,
            column: None,
            help: None,
            len: 1,
            source_line: None,
        }
    }

    pub fn at(mut self, loc: &Location) -> Finding {
        self.path = Some(loc.path.clone());
        self.line = Some(loc.line);
        self.column = Some(loc.column);
        self.len = loc.len.max(1);
        self
    }

    pub fn in_file(mut self, path: &str) -> Finding {
        self.path = Some(path.to_owned());
        self
    }

    pub fn incident(mut self, id: &str) -> Finding {
        self.incident = Some(id.to_owned());
        self
    }

    pub fn test(mut self, id: &str) -> Finding {
        self.test = Some(id.to_owned());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }
}
