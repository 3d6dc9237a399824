//! A property test a platform team can copy into its own CI: "no bucket policy our template
//! produces ever grants public access, access to accounts we do not trust, or more than our guardrail".
//!
//! The template below stands for your own code that writes policies. The property runs it on
//! generated inputs; when it fails, the message holds the finding and a counterexample request in
//! `perimeter eval`'s format, and proptest shrinks the input first.
//!
//! Run: `cargo run --example downstream_property_test --features proptest`.
//! In your own crate, put the body of `check` in a `proptest!` block of an integration test.

#![allow(clippy::expect_used, clippy::indexing_slicing)] // example code: a broken template should stop it loudly

use perimeter::analyze::{Resource, ResourceType, ZoneOfTrust};
use perimeter::check::PolicyType;
use perimeter::policy::Policy;
use perimeter::strategy::{
    assert_no_external_access, assert_no_new_access, assert_no_public_access,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const OWNER: &str = "111122223333";
const PARTNERS: [&str; 2] = ["444455556666", "777788889999"];

/// The template under test: a team's bucket, readable by the team's role and by partner
/// accounts, optionally from the office network only.
fn team_bucket_policy(team: &str, partners: &[&str], office_only: bool) -> Policy {
    let mut read = serde_json::json!({
        "Sid": "PartnersRead", "Effect": "Allow",
        "Principal": {"AWS": partners.iter().map(|a| format!("arn:aws:iam::{a}:root")).collect::<Vec<_>>()},
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": [format!("arn:aws:s3:::{team}-data"), format!("arn:aws:s3:::{team}-data/*")]
    });
    if office_only {
        read["Condition"] = serde_json::json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}});
    }
    let team_rw = serde_json::json!({
        "Sid": "TeamReadWrite", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{OWNER}:role/{team}")},
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{team}-data"), format!("arn:aws:s3:::{team}-data/*")]
    });
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [team_rw, read]});
    Policy::from_json_value(&doc).expect("the template writes valid policies")
}

/// The guardrail the security team wrote once: the owner's principals may do anything with S3,
/// partner accounts may only read. Whatever the template produces must stay inside it.
fn guardrail() -> Policy {
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": OWNER}, "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": PARTNERS}, "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}
    ]});
    Policy::from_json_value(&doc).expect("the guardrail is a valid policy")
}

fn check(team: String, n_partners: usize, office_only: bool) -> Result<(), TestCaseError> {
    let partners = &PARTNERS[..n_partners];
    let policy = team_bucket_policy(&team, partners, office_only);
    let bucket = Resource::new(
        &format!("arn:aws:s3:::{team}-data"),
        ResourceType::S3Bucket,
        OWNER,
    );
    // Partners are trusted; everyone else is not.
    let mut zone = ZoneOfTrust::account(OWNER);
    for p in partners {
        zone = zone.with_trusted_account(p);
    }
    assert_no_public_access(&policy, &bucket)?;
    assert_no_external_access(&policy, &bucket, &zone)?;
    // Exact: a pass is a proof over every request, not a sample.
    assert_no_new_access(&policy, &guardrail(), PolicyType::Resource)?;
    Ok(())
}

fn main() {
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(
        &("[a-z]{3,12}", 0..=2usize, any::<bool>()),
        |(team, n, office)| check(team, n, office),
    );
    match result {
        Ok(()) => println!(
            "ok: no generated bucket policy grants public or untrusted access, or leaves the guardrail"
        ),
        Err(e) => {
            eprintln!("property failed: {e}");
            std::process::exit(1);
        }
    }
}
