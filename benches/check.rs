//! Custom policy checks on typical policies: a six-statement identity policy against a guardrail
//! reference and against its previous version, a bucket policy against an organization
//! guardrail, the access and public-access checks. Each `FAIL` includes finding and confirming
//! its counterexample and the reasons.
//!
//! Run: `cargo bench --bench check`. Target (issue 7): each check ≤ 100 µs.

#![allow(
    clippy::panic,
    reason = "bench setup: a fixture that does not parse, or a wrong answer, must stop the bench"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use perimeter::check::{
    check_access_not_granted, check_no_new_access, check_no_public_access, Access,
    AccessCheckResourceType, Outcome, PolicyType,
};
use perimeter::policy::Policy;

/// A typical customer identity policy: S3 with a per-user prefix, KMS through S3, logs, PassRole
/// with its service condition, a network deny.
const TYPICAL: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ListOwnPrefix", "Effect": "Allow", "Action": "s3:ListBucket",
     "Resource": "arn:aws:s3:::example-bucket",
     "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}},
    {"Sid": "ReadWriteOwnObjects", "Effect": "Allow",
     "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
     "Resource": "arn:aws:s3:::example-bucket/home/${aws:username}/*"},
    {"Sid": "UseKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
     "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
     "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
    {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "arn:aws:logs:us-east-1:111122223333:log-group:/app/*:*"},
    {"Sid": "PassAppRole", "Effect": "Allow", "Action": "iam:PassRole",
     "Resource": "arn:aws:iam::111122223333:role/app-*",
     "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
    {"Sid": "DenyOutsideNetwork", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]},
                   "Bool": {"aws:ViaAWSService": "false"}}}
  ]
}"#;

/// The same policy with PassRole widened to every role (the change a guardrail must stop).
const WIDENED: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ListOwnPrefix", "Effect": "Allow", "Action": "s3:ListBucket",
     "Resource": "arn:aws:s3:::example-bucket",
     "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}},
    {"Sid": "ReadWriteOwnObjects", "Effect": "Allow",
     "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
     "Resource": "arn:aws:s3:::example-bucket/home/${aws:username}/*"},
    {"Sid": "UseKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
     "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
     "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
    {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "arn:aws:logs:us-east-1:111122223333:log-group:/app/*:*"},
    {"Sid": "PassAnyRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
    {"Sid": "DenyOutsideNetwork", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]},
                   "Bool": {"aws:ViaAWSService": "false"}}}
  ]
}"#;

/// A guardrail reference: anything, except user and key management, and passing roles outside
/// the application roles.
const REFERENCE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile"], "Resource": "*"},
    {"Effect": "Deny", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::*:role/app-*"}
  ]
}"#;

/// A bucket policy: organization read, a partner's writes to a prefix, TLS only.
const BUCKET: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "OrgRead", "Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::shared-data", "arn:aws:s3:::shared-data/*"],
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
    {"Sid": "PartnerDrop", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/uploader"},
     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shared-data/incoming/*",
     "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
    {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::shared-data", "arn:aws:s3:::shared-data/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
  ]
}"#;

/// An organization guardrail for resource policies.
const ORG_GUARDRAIL: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
     "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                   "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}
  ]
}"#;

/// A public website bucket.
const WEBSITE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Website", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::www-example/*"},
    {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::www-example", "arn:aws:s3:::www-example/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
  ]
}"#;

fn p(text: &str) -> Policy {
    Policy::parse(text).unwrap_or_else(|e| panic!("bench policy: {e}"))
}

fn bench(c: &mut Criterion) {
    let typical = p(TYPICAL);
    let widened = p(WIDENED);
    let reference = p(REFERENCE);
    let bucket = p(BUCKET);
    let org = p(ORG_GUARDRAIL);
    let website = p(WEBSITE);
    let identity = PolicyType::Identity;
    let resource = PolicyType::Resource;
    let outcome = |r: Result<perimeter::check::CheckResult, perimeter::Error>| {
        r.map(|r| r.result).unwrap_or_else(|e| panic!("{e}"))
    };
    // The answers the numbers are for.
    assert_eq!(
        outcome(check_no_new_access(&typical, &reference, identity)),
        Outcome::Pass
    );
    assert_eq!(
        outcome(check_no_new_access(&widened, &reference, identity)),
        Outcome::Fail
    );
    assert_eq!(
        outcome(check_no_new_access(&widened, &typical, identity)),
        Outcome::Fail
    );
    assert_eq!(
        outcome(check_no_new_access(&typical, &widened, identity)),
        Outcome::Pass
    );
    assert_eq!(
        outcome(check_no_new_access(&bucket, &org, resource)),
        Outcome::Fail
    );
    let pass_role = Access::actions(["iam:PassRole"]).on_resources(["arn:aws:iam::*:role/admin*"]);
    assert_eq!(
        outcome(check_access_not_granted(&typical, &pass_role, identity)),
        Outcome::Pass
    );
    assert_eq!(
        outcome(check_access_not_granted(&widened, &pass_role, identity)),
        Outcome::Fail
    );
    let s3 = AccessCheckResourceType::S3Bucket;
    assert_eq!(outcome(check_no_public_access(&bucket, s3)), Outcome::Pass);
    assert_eq!(outcome(check_no_public_access(&website, s3)), Outcome::Fail);

    let mut g = c.benchmark_group("check");
    g.bench_function("no_new_access/identity_vs_reference_pass", |b| {
        b.iter(|| {
            black_box(check_no_new_access(
                black_box(&typical),
                &reference,
                identity,
            ))
        })
    });
    g.bench_function("no_new_access/identity_vs_reference_fail", |b| {
        b.iter(|| {
            black_box(check_no_new_access(
                black_box(&widened),
                &reference,
                identity,
            ))
        })
    });
    g.bench_function("no_new_access/identity_vs_previous_version_fail", |b| {
        b.iter(|| black_box(check_no_new_access(black_box(&widened), &typical, identity)))
    });
    g.bench_function("no_new_access/identity_vs_previous_version_pass", |b| {
        b.iter(|| black_box(check_no_new_access(black_box(&typical), &widened, identity)))
    });
    g.bench_function("no_new_access/bucket_vs_org_guardrail_fail", |b| {
        b.iter(|| black_box(check_no_new_access(black_box(&bucket), &org, resource)))
    });
    g.bench_function("access_not_granted/pass", |b| {
        b.iter(|| {
            black_box(check_access_not_granted(
                black_box(&typical),
                &pass_role,
                identity,
            ))
        })
    });
    g.bench_function("access_not_granted/fail", |b| {
        b.iter(|| {
            black_box(check_access_not_granted(
                black_box(&widened),
                &pass_role,
                identity,
            ))
        })
    });
    g.bench_function("no_public_access/bucket_pass", |b| {
        b.iter(|| black_box(check_no_public_access(black_box(&bucket), s3)))
    });
    g.bench_function("no_public_access/website_fail", |b| {
        b.iter(|| black_box(check_no_public_access(black_box(&website), s3)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
