//! Runs every case under `tests/corpus/eval/`.
//!
//! Each file is a JSON array of cases in `perimeter eval`'s case format, plus:
//! - `name`: a short unique name;
//! - `description`: what the case proves (required: a case that proves nothing is not kept);
//! - `expect`: the expected decision (`"Allow"`, `"ExplicitDeny"`, `"ImplicitDeny"`), or an object
//!   `{"decision": …, "reasons": [{"type": …, "layer": …, "statement": …}, …]}` whose reasons must
//!   each appear (field by field) among the evaluation's reasons.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

use perimeter::eval::{Case, CaseCompiler};
use serde_json::Value;
use std::path::Path;

fn reason_matches(want: &Value, got: &Value) -> bool {
    want.as_object()
        .map(|w| w.iter().all(|(k, v)| got.get(k) == Some(v)))
        .unwrap_or(false)
}

#[test]
fn eval_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/eval");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut compiler = CaseCompiler::new();
    let mut failures = Vec::new();
    let mut names = std::collections::HashSet::new();
    let mut count = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let cases: Vec<Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for raw in cases {
            count += 1;
            let name = raw["name"].as_str().unwrap_or("<unnamed>").to_string();
            let label = format!("{}: {name}", file.file_name().unwrap().to_string_lossy());
            assert!(names.insert(name.clone()), "duplicate case name {label}");
            assert!(
                raw["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{label}: every case says what it proves"
            );
            let case = match Case::from_json_value(&raw) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{label}: bad case: {e}"));
                    continue;
                }
            };
            let got = match compiler.evaluate(&case) {
                Ok(ev) => ev.to_json_value(),
                Err(e) => {
                    failures.push(format!("{label}: error: {e}"));
                    continue;
                }
            };
            let (want_decision, want_reasons) = match &raw["expect"] {
                Value::String(s) => (s.clone(), Vec::new()),
                Value::Object(o) => (
                    o["decision"].as_str().unwrap_or("").to_string(),
                    o.get("reasons")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                ),
                other => panic!("{label}: bad expect {other}"),
            };
            if got["decision"] != want_decision.as_str() {
                failures.push(format!("{label}: expected {want_decision}, got {got}"));
                continue;
            }
            let got_reasons = got["reasons"].as_array().cloned().unwrap_or_default();
            for w in &want_reasons {
                if !got_reasons.iter().any(|g| reason_matches(w, g)) {
                    failures.push(format!("{label}: missing reason {w} in {got}"));
                }
            }
        }
    }
    assert!(count > 0, "no cases found in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{count} eval corpus cases passed");
}
