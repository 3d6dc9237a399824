//! `validate` never panics and always answers: truncated, mutated and random texts, deep and
//! wide documents, non-ASCII text, values of every JSON type in every element.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use perimeter::validate::{validate, IssueCode, PolicyType, ValidateOptions};
use proptest::prelude::*;

const OPTIONS: [ValidateOptions; 5] = [
    ValidateOptions {
        policy_type: PolicyType::Identity,
        resource_type: None,
    },
    ValidateOptions {
        policy_type: PolicyType::Resource,
        resource_type: None,
    },
    ValidateOptions {
        policy_type: PolicyType::ServiceControl,
        resource_type: None,
    },
    ValidateOptions {
        policy_type: PolicyType::ResourceControl,
        resource_type: None,
    },
    ValidateOptions {
        policy_type: PolicyType::Resource,
        resource_type: Some(perimeter::validate::PolicyResourceType::IamAssumeRolePolicyDocument),
    },
];

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Every span lies inside the text, on character boundaries, start before end.
fn check(text: &str, opts: &ValidateOptions) {
    let r = validate(text, opts);
    for f in &r.findings {
        assert!(!f.locations.is_empty(), "{}", f.issue_code);
        for l in &f.locations {
            assert!(l.span.start.offset <= l.span.end.offset);
            assert!(l.span.end.offset <= text.len());
            assert!(text.is_char_boundary(l.span.start.offset));
            assert!(text.is_char_boundary(l.span.end.offset));
        }
    }
}

#[test]
fn every_prefix_of_a_policy() {
    for name in [
        "invalid_policy.json",
        "github-actions-oidc-trust-policy.json",
        "rcp-valid-enforce-encryption.json",
    ] {
        let text = fixture(name);
        for (i, _) in text.char_indices() {
            let prefix = &text[..i];
            let r = validate(prefix, &OPTIONS[0]);
            // Every proper prefix of the JSON value is malformed.
            if prefix.trim_end() != text.trim_end() {
                assert!(
                    r.with_code(IssueCode::JsonSyntaxError).next().is_some(),
                    "{name}: prefix of {i} bytes"
                );
            }
            check(prefix, &OPTIONS[4]);
        }
    }
}

#[test]
fn limits_and_odd_documents() {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let r = validate(&deep, &OPTIONS[0]);
    assert_eq!(r.findings[0].issue_code, IssueCode::JsonSyntaxError);
    let huge = format!("\"{}\"", "a".repeat(2 << 20));
    let r = validate(&huge, &OPTIONS[0]);
    assert_eq!(r.findings[0].issue_code, IssueCode::JsonSyntaxError);
    for text in [
        "",
        "null",
        "[]",
        "\"policy\"",
        "{}",
        "{\"Statement\": null}",
        "{\"Statement\": [null, 1, \"x\", [], {}]}",
        "{\"Version\": [], \"Id\": {}, \"Statement\": {\"Effect\": [], \"Action\": {}, \"Resource\": 1, \"Principal\": [], \"Condition\": []}}",
        "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [1, null, {}], \"Resource\": [true], \"NotPrincipal\": {\"AWS\": [1]}, \"Condition\": {\"StringEquals\": [], \"Bool\": {\"k\": {}}, \"X\": 1}}]}",
        "{\"Statement\": [{\"Sid\": \"é\", \"Effect\": \"Allow\", \"Action\": \"s3:GétObject\", \"Resource\": \"arn:aws:s3:::bücket/ü*\", \"Condition\": {\"StringEquals\": {\"aws:usérname\": \"${aws:üsername, 'ä'}\"}}}]}",
        "\u{feff}{\"Statement\": []}",
    ] {
        for opts in &OPTIONS {
            check(text, opts);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_json_like_text(text in "[\\{\\}\\[\\]\",:a-zA-Z0-9*?$ /\\\\é\n-]{0,200}") {
        for opts in &OPTIONS {
            check(&text, opts);
        }
    }

    #[test]
    fn mutated_policies(cut in 0usize..2000, insert in "[\\{\\}\\[\\]\",:*$]{0,3}") {
        let text = fixture("insecure_policy.json");
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mutated = format!("{}{}{}", &text[..at], insert, &text[at..]);
        for opts in &OPTIONS {
            check(&mutated, opts);
        }
    }
}
