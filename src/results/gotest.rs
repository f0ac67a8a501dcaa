//! `go test -json`: one event per line, `{"Action":"pass","Package":"example.com/shop/pool",
//! "Test":"TestReconnect","Elapsed":0.01}`. The outcome comes in the `pass`, `fail` or
//! `skip` event that ends a test; its words (the `t.Skip` reason, the failed assertion)
//! in the `output` events before it, which are kept only while the test runs and only
//! up to `MAX_TEXT`.

use super::{Case, MAX_TEXT, Outcome, bounded};
use std::collections::HashMap;

/// Reading state: the output of the tests that have started and not ended.
#[derive(Default)]
pub struct Stream {
    output: HashMap<(String, String), String>,
}

impl Stream {
    pub fn event(&mut self, event: &serde_json::Value, sink: &mut dyn FnMut(Case)) -> Result<(), String> {
        let field = |k: &str| event.get(k).and_then(|v| v.as_str());
        let (Some(action), Some(test)) = (field("Action"), field("Test")) else {
            return Ok(()); // package-level events: `start`, a package's own `pass`, build output
        };
        let package = field("Package").unwrap_or("");
        let key = (package.to_owned(), test.to_owned());
        let outcome = match action {
            "output" => {
                let line = field("Output").unwrap_or("");
                // The runner's own progress lines say nothing about why.
                let noise = ["=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS", "--- FAIL", "--- SKIP"];
                if !noise.iter().any(|n| line.trim_start().starts_with(n)) {
                    let out = self.output.entry(key).or_default();
                    if out.len() < MAX_TEXT {
                        out.push_str(line);
                    }
                }
                return Ok(());
            }
            "pass" => Outcome::Passed,
            "fail" => Outcome::Failed(bounded(&self.output.remove(&key).unwrap_or_default())),
            "skip" => Outcome::Skipped(bounded(&self.output.remove(&key).unwrap_or_default())),
            _ => return Ok(()),
        };
        self.output.remove(&key);
        sink(Case {
            language: Some("go"),
            classname: package,
            suite: package,
            suites: package,
            name: test,
            file: None,
            binary: None,
            outcome,
        });
        Ok(())
    }

    /// Tests that never ended (their binary crashed or timed out) were reported failed by
    /// the go tool itself, on the package; nothing is left to hand on.
    pub fn finish(&mut self, _sink: &mut dyn FnMut(Case)) {
        self.output.clear();
    }
}
