//! Evaluation of arbitrary cases: never panics (malformed cases are errors, not crashes).
#![no_main]
use libfuzzer_sys::fuzz_target;
use perimeter::eval::Case;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(case) = Case::from_json_value(&v) {
        let _ = case.evaluate();
    }
});
