//! Reading a case corpus (`tests/corpus/<name>/*.json`, each file an array of cases), shared by
//! the corpus tests of every stage.

use serde_json::Value;
use std::path::Path;

/// One case of a corpus, labelled `file: name` for messages.
pub struct CorpusCase {
    pub label: String,
    pub raw: Value,
}

/// Every case of `tests/corpus/<name>/`, files in name order. Fails the test on an unreadable
/// file, a duplicate case name, or a case whose `description` is shorter than
/// `min_description` characters (every case says what it proves).
pub fn read(name: &str, min_description: usize) -> Vec<CorpusCase> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut names = std::collections::HashSet::new();
    let mut out = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let cases: Vec<Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for raw in cases {
            let name = raw["name"].as_str().unwrap_or("<unnamed>").to_string();
            let label = format!("{}: {name}", file.file_name().unwrap().to_string_lossy());
            assert!(names.insert(name), "duplicate case name {label}");
            assert!(
                raw["description"]
                    .as_str()
                    .is_some_and(|d| d.len() >= min_description.max(1)),
                "{label}: every case says what it proves"
            );
            out.push(CorpusCase { label, raw });
        }
    }
    assert!(!out.is_empty(), "no cases found in {}", dir.display());
    out
}
