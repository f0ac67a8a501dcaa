//! The modules form layers, and data flows one way: config → postmortems → sources →
//! history → test results → model → checks → base findings and report → renderers (and `verify`, which
//! runs the tests the model links, below the renderers). A lower layer never imports a
//! higher one (a helper it needs moves down instead), so no set of modules forms a circle.

use std::collections::BTreeMap;
use std::path::Path;

/// Each top-level module and its layer; a module may use only modules of lower layers.
const LAYERS: &[(&str, u8)] = &[
    ("rules", 0),
    ("date", 0),
    ("suggest", 0),
    ("paths", 0),
    ("finding", 1),
    ("terminal", 2),
    ("walk", 2),
    ("toml_doc", 2),
    ("proof", 3),
    ("config", 3),
    ("postmortem", 4),
    ("authoring", 5),
    ("scan", 5),
    ("reach", 6),
    ("git", 6),
    ("history", 6),
    ("incident_code", 7),
    ("results", 7),
    ("model", 8),
    ("checks", 9),
    ("report", 10),
    ("baseline", 10),
    ("stats", 11),
    ("verify", 11),
    ("render", 12),
    ("cli", 13),
];

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut wrong = Vec::new();
    for file in all {
        let rel = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let module = rel.split('/').next().unwrap().trim_end_matches(".rs");
        if matches!(module, "lib" | "main") {
            continue;
        }
        let Some(&own) = layer.get(module) else { panic!("src/{rel}: module {module} has no layer in LAYERS") };
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if name == module {
                continue;
            }
            if let Some(&theirs) = layer.get(name.as_str())
                && theirs >= own
            {
                wrong.push(format!("src/{rel}: {module} (layer {own}) uses crate::{name} (layer {theirs})"));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "imports that run upward:\n{}", wrong.join("\n"));
}
