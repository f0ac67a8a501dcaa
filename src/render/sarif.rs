//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (`upload-sarif`). Every rule is
//! described in the driver, so a result's `ruleIndex` always points somewhere; a run
//! always has a `results` array, empty or not; every result has a physical location,
//! because `upload-sarif` rejects one without (a finding about the whole repository
//! points at `Report::fallback_path`); and every `uri` is percent-encoded.

use super::uri_path;
use crate::report::Report;
use crate::rules::Rule;
use crate::terminal::visible;
use serde_json::{Value, json};
use std::io::{self, Write};

pub fn document(report: &Report) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.code(),
                "name": r.code(),
                "shortDescription": { "text": r.summary() },
                "fullDescription": { "text": r.explain() },
                "help": { "text": r.explain() },
                // SARIF's "none": an opt-in rule reports nothing until the config turns it on.
                "defaultConfiguration": { "level": if r.opt_in() { "none" } else { r.default_level().as_str() } },
            })
        })
        .collect();
    // The base's findings that are gone follow the others, as SARIF's `absent` results.
    let fixed = report.fixed.iter().map(|f| (f, "absent"));
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| (f, f.baseline.unwrap_or(crate::finding::Baseline::New).as_str()))
        .chain(fixed)
        .map(|(f, state)| {
            // Hidden characters (controls, bidirectional and invisible ones) shown as
            // `\u{…}`, as in every other format; JSON's escaping keeps line breaks.
            let mut text = visible(&f.message).into_owned();
            if let Some(help) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(&visible(help));
            }
            let mut result = json!({
                "ruleId": f.rule.code(),
                "ruleIndex": Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0),
                "level": f.level.as_str(),
                "message": { "text": text },
                "baselineState": state,
            });
            // A fixed finding is no problem any more: SARIF's `pass`, at level `none`, so
            // that code scanning opens no alert for it.
            if state == "absent" {
                result["kind"] = json!("pass");
                result["level"] = json!("none");
            }
            if !f.fingerprint.is_empty() {
                result["partialFingerprints"] = json!({ "incidentGuardFinding/v1": f.fingerprint });
            }
            let path = f.path.as_deref().unwrap_or(&report.fallback_path);
            let mut region = serde_json::Map::new();
            region.insert("startLine".into(), json!(f.line.unwrap_or(1).max(1)));
            if let Some(col) = f.column {
                region.insert("startColumn".into(), json!(col.max(1)));
            }
            result["locations"] = json!([{
                "physicalLocation": {
                    "artifactLocation": { "uri": uri_path(path), "uriBaseId": "%SRCROOT%" },
                    "region": region,
                }
            }]);
            if let Some(r) = &f.related {
                result["relatedLocations"] = json!([{
                    "id": 1,
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_path(&r.path), "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": r.line.max(1), "startColumn": r.column.max(1) },
                    },
                    "message": { "text": "the incident's postmortem" },
                }]);
            }
            let mut props = serde_json::Map::new();
            if let Some(i) = &f.incident {
                props.insert("incident".into(), json!(visible(i)));
            }
            if let Some(t) = &f.test {
                props.insert("test".into(), json!(visible(t)));
            }
            if !props.is_empty() {
                result["properties"] = Value::Object(props);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "incident-guard",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    super::json::write_value(&document(report), out)
}
