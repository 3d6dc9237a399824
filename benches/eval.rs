//! Evaluation speed.
//!
//! - `eval/cross_account_30_statements`: one compiled request against an identity policy of 20
//!   statements and a bucket policy of 10 statements with conditions (target: median ≤ 1 µs).
//! - `parse_compile/managed_policies`: parsing and compiling all 1,594 AWS managed policies
//!   (target ≤ 150 ms); needs the project's shared data set and is skipped without it.
//!
//! Run: `cargo bench --bench eval`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

use criterion::{criterion_group, criterion_main, Criterion};
use perimeter::eval::{evaluate, Caller, PolicySet, Request};
use perimeter::policy::{CompiledPolicy, Policy};
use std::hint::black_box;
use std::sync::Arc;

fn identity_policy() -> String {
    let services = [
        "s3",
        "ec2",
        "dynamodb",
        "sqs",
        "sns",
        "lambda",
        "kms",
        "logs",
        "cloudwatch",
        "iam",
    ];
    let mut stmts = Vec::new();
    for (i, svc) in services.iter().enumerate() {
        stmts.push(format!(
            r#"{{"Sid": "Read{i}", "Effect": "Allow", "Action": ["{svc}:Get*", "{svc}:List*", "{svc}:Describe*"], "Resource": "arn:aws:{svc}:*:111122223333:*"}}"#
        ));
        stmts.push(format!(
            r#"{{"Sid": "Write{i}", "Effect": "Allow", "Action": ["{svc}:Put*", "{svc}:Update*"], "Resource": "arn:aws:{svc}:us-east-1:111122223333:app-{i}/*", "Condition": {{"StringEquals": {{"aws:RequestedRegion": "us-east-1"}}}}}}"#
        ));
    }
    // The statement that grants the benchmarked request is near the end.
    stmts.push(
        r#"{"Sid": "Bucket", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}"#
            .into(),
    );
    stmts.swap_remove(19);
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        stmts.join(",")
    )
}

fn bucket_policy() -> String {
    let mut stmts = Vec::new();
    for i in 0..9 {
        stmts.push(format!(
            r#"{{"Sid": "Partner{i}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::55555555555{i}:root"}}, "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::shared-data", "arn:aws:s3:::shared-data/partner-{i}/*"], "Condition": {{"IpAddress": {{"aws:SourceIp": ["198.51.100.0/24", "203.0.113.{i}/32"]}}, "StringLike": {{"aws:PrincipalArn": "arn:aws:iam::55555555555{i}:role/reader-*"}}}}}}"#
        ));
    }
    stmts.push(
        r#"{"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}, "Bool": {"aws:SecureTransport": "true"}, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}"#
            .into(),
    );
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        stmts.join(",")
    )
}

fn bench_eval(c: &mut Criterion) {
    let identity = CompiledPolicy::parse(&identity_policy()).unwrap();
    let bucket = CompiledPolicy::parse(&bucket_policy()).unwrap();
    assert_eq!(identity.statements().len(), 20);
    assert_eq!(bucket.statements().len(), 10);
    let set = PolicySet {
        identity: vec![Arc::new(identity)],
        resource: Some(Arc::new(bucket)),
        ..PolicySet::default()
    };
    let req = Request::builder(
        Caller::parse("arn:aws:sts::999988887777:assumed-role/etl/job-42").unwrap(),
        "s3:GetObject",
        "arn:aws:s3:::shared-data/reports/2026/11.csv",
    )
    .resource_account("111122223333")
    .context("aws:SourceIp", "203.0.113.77")
    .context("aws:PrincipalOrgID", "o-abc123")
    .context("aws:SecureTransport", "true")
    .build();
    let decision = evaluate(&req, &set).decision;
    assert!(decision.is_allow(), "{decision}");
    c.bench_function("eval/cross_account_30_statements", |b| {
        b.iter(|| evaluate(black_box(&req), black_box(&set)))
    });
}

fn bench_managed(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/policies/managed/aws-managed-policies.json"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("skipping parse_compile/managed_policies: {path} not found");
        return;
    };
    let all: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let docs: Vec<String> = all.iter().map(|p| p["Document"].to_string()).collect();
    assert_eq!(docs.len(), 1594);
    let mut group = c.benchmark_group("parse_compile");
    group.sample_size(20);
    group.bench_function("managed_policies", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(Policy::parse(d).unwrap().compile().unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_eval, bench_managed);
criterion_main!(benches);
