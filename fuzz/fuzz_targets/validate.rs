//! Validation of arbitrary text: never panics, and every location lies inside the text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use perimeter::validate::{validate, PolicyType, ValidateOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for t in [PolicyType::Identity, PolicyType::Resource, PolicyType::ServiceControl, PolicyType::ResourceControl] {
        let report = validate(text, &ValidateOptions::new(t));
        for f in &report.findings {
            for l in &f.locations {
                assert!(l.span.end.offset <= text.len() && l.span.start.offset <= l.span.end.offset);
            }
        }
    }
});
