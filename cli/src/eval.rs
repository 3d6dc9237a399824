//! `perimeter eval`: evaluate requests.

use crate::io::{error, read_input, write_line};
use perimeter::eval::{Case, CaseCompiler};
use serde_json::{json, Value};
use std::process::ExitCode;

/// Evaluate requests against their policies.
///
/// The input holds one case (a JSON object), a JSON array of cases, or JSON lines (one case per
/// line). Each case gives one line of output: `{"decision": …, "reasons": […]}`, or
/// `{"error": …}` for a malformed case (the rest of the batch still runs).
#[derive(clap::Args)]
pub struct Args {
    /// File with the case(s), or `-` for standard input.
    #[arg(default_value = "-")]
    input: String,
}

/// Split the input into per-case JSON values (or per-line parse errors).
fn cases(text: &str) -> Vec<Result<Value, String>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items.into_iter().map(Ok).collect(),
        Ok(v) => vec![Ok(v)],
        Err(_) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(|e| format!("malformed json: {e}")))
            .collect(),
    }
}

pub fn run(args: Args) -> ExitCode {
    let text = match read_input(&args.input) {
        Ok(t) => t,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    let mut compiler = CaseCompiler::new();
    let mut bad = false;
    let items = cases(&text);
    if items.is_empty() {
        error("no cases in the input");
        return ExitCode::from(2);
    }
    for item in items {
        let out = item
            .and_then(|v| Case::from_json_value(&v).map_err(|e| e.to_string()))
            .and_then(|c| compiler.evaluate(&c).map_err(|e| e.to_string()));
        match out {
            Ok(ev) => write_line(&ev.to_json_value().to_string()),
            Err(e) => {
                bad = true;
                write_line(&json!({ "error": e }).to_string());
            }
        }
    }
    if bad {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
