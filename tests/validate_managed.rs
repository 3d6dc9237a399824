//! The 1,594 AWS managed policies (default versions) validated as identity policies.
//!
//! AWS wrote and deployed these, so an `ERROR` means either a bug here or a name the embedded
//! service reference does not know (a retired service, an undocumented action or key, a
//! resource type missing from the reference). Every `ERROR` must be of the second kind, and
//! the exact list is kept in `tests/data/managed-policy-errors.txt` so that a change (in the
//! checks or in the reference data) shows as a diff. Regenerate it with
//! `PERIMETER_BLESS=1 cargo test --test validate_managed` after reviewing the change.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use perimeter::validate::{validate, FindingType, IssueCode, PolicyType, ValidateOptions};
use std::io::Read;

fn policies() -> Vec<(String, String)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/aws-managed-policies.json.gz"
    );
    let file = std::fs::File::open(path).expect("managed policies");
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gzip");
    let all: serde_json::Value = serde_json::from_str(&text).expect("json");
    all.as_array()
        .expect("array")
        .iter()
        .map(|p| {
            (
                p["PolicyName"].as_str().expect("name").to_string(),
                serde_json::to_string_pretty(&p["Document"]).expect("document"),
            )
        })
        .collect()
}

/// The codes that mean "the reference does not know this name" (or does not list the key for
/// the action, or calls the key multivalued).
const REFERENCE_GAPS: &[IssueCode] = &[
    IssueCode::InvalidAction,
    IssueCode::InvalidServiceInAction,
    IssueCode::InvalidService,
    IssueCode::InvalidGlobalConditionKey,
    IssueCode::InvalidServiceConditionKey,
    IssueCode::InvalidArnResource,
    IssueCode::UnsupportedActionForConditionKey,
    IssueCode::MissingQualifier,
];

#[test]
fn managed_policies_have_no_errors_beyond_reference_gaps() {
    let policies = policies();
    assert_eq!(policies.len(), 1594);
    let opts = ValidateOptions::new(PolicyType::Identity);
    let mut lines = Vec::new();
    let mut unexpected = Vec::new();
    for (name, doc) in &policies {
        let report = validate(doc, &opts);
        for f in report
            .findings
            .iter()
            .filter(|f| f.finding_type == FindingType::Error)
        {
            let loc = &f.locations[0];
            let token = &doc[loc.span.start.offset..loc.span.end.offset];
            let line = format!("{name}\t{}\t{}\t{token}", f.issue_code, loc.path_string());
            if !REFERENCE_GAPS.contains(&f.issue_code) {
                unexpected.push(format!("{line}\t{}", f.finding_details));
            }
            lines.push(line);
        }
    }
    assert!(
        unexpected.is_empty(),
        "errors that are not reference gaps:\n{}",
        unexpected.join("\n")
    );
    let got = lines.join("\n") + "\n";
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/managed-policy-errors.txt"
    );
    if std::env::var_os("PERIMETER_BLESS").is_some() {
        std::fs::write(path, &got).expect("write");
        return;
    }
    let want = std::fs::read_to_string(path).unwrap_or_default();
    if got != want {
        let g: std::collections::BTreeSet<&str> = got.lines().collect();
        let w: std::collections::BTreeSet<&str> = want.lines().collect();
        let added: Vec<&&str> = g.difference(&w).collect();
        let removed: Vec<&&str> = w.difference(&g).collect();
        panic!(
            "the managed policies' errors changed (review, then PERIMETER_BLESS=1):\nnew:\n{added:#?}\ngone:\n{removed:#?}"
        );
    }
}
