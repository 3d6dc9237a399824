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

#[path = "support/corpus.rs"]
mod corpus;

use perimeter::eval::{Case, CaseCompiler};
use serde_json::Value;

fn reason_matches(want: &Value, got: &Value) -> bool {
    want.as_object()
        .map(|w| w.iter().all(|(k, v)| got.get(k) == Some(v)))
        .unwrap_or(false)
}

#[test]
fn eval_corpus() {
    let cases = corpus::read("eval", 1);
    let count = cases.len();
    let mut compiler = CaseCompiler::new();
    let mut failures = Vec::new();
    for corpus::CorpusCase { label, raw } in cases {
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
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{count} eval corpus cases passed");
}
