//! Inputs the fuzz targets (`fuzz/`) flagged, kept with what they showed.
//!
//! Ten-minute runs of every target (policy parsing, evaluation cases, analysis, validation,
//! CloudTrail reading) found no crash. One input was reported as slow by the `validate` target:
//! it is kept here with the answer it must get, so that a change that makes it slow or wrong
//! shows up in the ordinary test run. Each input file lives under `tests/data/fuzz/`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a missing fixture must fail the test loudly"
)]

use std::collections::BTreeSet;

use perimeter::validate::{validate, PolicyType, ValidateOptions};

fn input(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/fuzz/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fuzz regression input")
}

/// `validate-slow-unit.json`: a mutated SAML trust policy, reported by libFuzzer as a 12-second
/// unit under the sanitized, coverage-instrumented build (the first call there pays for loading
/// the embedded service reference; an ordinary build validates it in well under a millisecond).
/// It mixes what the validator must report at once: a wildcard inside a federated provider ARN,
/// an unknown condition operator whose value is a string, a second one named `Principal` whose
/// key is not a condition key. The codes differ by policy type, and every location must lie
/// inside the text (the target's oracle).
#[test]
fn validate_slow_unit_answers_per_policy_type() {
    let text = input("validate-slow-unit.json");
    let cases: [(PolicyType, &[&str]); 4] = [
        (
            PolicyType::Identity,
            &[
                "MISSING_RESOURCE",
                "UNSUPPORTED_PRINCIPAL",
                "INVALID_CONDITION_OPERATOR",
                "DATA_TYPE_MISMATCH",
                "INVALID_CONDITION_KEY_FORMAT",
            ],
        ),
        (
            PolicyType::Resource,
            &[
                "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                "INVALID_CONDITION_OPERATOR",
                "DATA_TYPE_MISMATCH",
                "INVALID_CONDITION_KEY_FORMAT",
            ],
        ),
        (
            PolicyType::ServiceControl,
            &[
                "MISSING_RESOURCE",
                "SCP_SYNTAX_ERROR_PRINCIPAL",
                "INVALID_CONDITION_OPERATOR",
                "DATA_TYPE_MISMATCH",
                "INVALID_CONDITION_KEY_FORMAT",
            ],
        ),
        (
            PolicyType::ResourceControl,
            &[
                "MISSING_RESOURCE",
                "INVALID_EFFECT",
                "UNSUPPORTED_PRINCIPAL",
                "INVALID_CONDITION_OPERATOR",
                "DATA_TYPE_MISMATCH",
                "INVALID_CONDITION_KEY_FORMAT",
            ],
        ),
    ];
    for (policy_type, want) in cases {
        let report = validate(&text, &ValidateOptions::new(policy_type));
        let got: BTreeSet<&str> = report
            .findings
            .iter()
            .map(|f| f.issue_code.as_str())
            .collect();
        let want: BTreeSet<&str> = want.iter().copied().collect();
        assert_eq!(got, want, "{policy_type:?}");
        for f in &report.findings {
            for l in &f.locations {
                assert!(
                    l.span.start.offset <= l.span.end.offset && l.span.end.offset <= text.len(),
                    "{policy_type:?}: {} points outside the text",
                    l.path_string()
                );
            }
        }
    }
}
