//! External access analysis of one policy.
//!
//! - `analyze_policy/typical/*`: bucket policies of the shapes most real ones have (one to three
//!   statements; taken from the AWS S3 User Guide's examples, MIT-0). Target ≤ 20 µs.
//! - `analyze_policy/overlapping/n`: n statements, each `Principal *` with `StringLike
//!   aws:PrincipalArn` (mutually overlapping patterns), `ArnLike aws:SourceArn`, `IpAddress
//!   aws:SourceIp` and two more restricting keys, in compatible mode (Access Analyzer reports n²
//!   findings). Target for n = 15: ≤ 5 ms.
//!
//! - `analyze_policy/real-bucket/*`: the real bucket policies of the data set
//!   (`tests/data/resource-policies/s3-bucket-policies.json`) that name their bucket, each
//!   analysed as that bucket: `all` of them, and the ones `with-findings`. One iteration
//!   analyses every policy of the set once, so the time per policy is the time shown divided
//!   by the set's size (criterion's throughput line gives policies per second).
//!
//! Run: `cargo bench --bench analyze_policy`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // bench code

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use perimeter::analyze::{analyze_compiled, Mode, Options, Resource, ResourceType, ZoneOfTrust};
use perimeter::policy::CompiledPolicy;
use std::hint::black_box;

#[path = "../tests/support/named_resource.rs"]
mod named_resource;
use named_resource::named_resource;

const TYPICAL: &[(&str, &str)] = &[
    (
        "public-read",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":["arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"]}]}"#,
    ),
    (
        "cross-account-with-deny",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"111","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/AccountBadmin"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"},{"Sid":"112","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::444455556666:user/AccountBadmin"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*","Condition":{"StringNotEquals":{"s3:x-amz-grant-full-control":"id=CanonicalUserId-of-AWSaccountA-BucketOwner"}}}]}"#,
    ),
    (
        "org-and-network",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"AllowOrg","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::DOC-EXAMPLE-BUCKET","arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-xxxxxxxxxx"}}},{"Sid":"DenyOutsideNetwork","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::DOC-EXAMPLE-BUCKET","arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],"Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"},"Bool":{"aws:ViaAWSService":"false"}}},{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
    ),
];

/// The overlapping-statements policy of Access Analyzer's scaling experiments.
pub fn overlapping(n: usize) -> String {
    let letters = "abcdefghijklmnopqrstuvwxyz";
    let stmts: Vec<String> = (0..n)
        .map(|i| {
            let a = &letters[i..i + 1];
            format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::demo-bucket","Condition":{{"StringLike":{{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/*{a}*"}},"ArnLike":{{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic{i}"}},"IpAddress":{{"aws:SourceIp":"200.10.{i}.0/24"}},"StringEquals":{{"aws:SourceVpce":"vpce-{i:08}","aws:PrincipalOrgID":"o-org{i:06}"}}}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        stmts.join(",")
    )
}

fn bench(c: &mut Criterion) {
    let zone = ZoneOfTrust::account("111122223333");
    let mut group = c.benchmark_group("analyze_policy");
    for (name, text) in TYPICAL {
        let p = CompiledPolicy::parse(text).unwrap();
        let bucket = Resource::new(
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET",
            ResourceType::S3Bucket,
            "111122223333",
        );
        let found = analyze_compiled(&p, &bucket, &zone, &Options::default());
        assert!(
            !found.is_empty()
                && found
                    .iter()
                    .all(|f| f.error.is_none() && f.witness.is_some()),
            "{name}"
        );
        group.bench_function(BenchmarkId::new("typical", name), |b| {
            b.iter(|| analyze_compiled(black_box(&p), &bucket, &zone, &Options::default()))
        });
    }
    let bucket = Resource::new(
        "arn:aws:s3:::demo-bucket",
        ResourceType::S3Bucket,
        "111122223333",
    );
    group.sample_size(10);
    for n in [5, 10, 15] {
        let p = CompiledPolicy::parse(&overlapping(n)).unwrap();
        let opts = Options::default()
            .with_mode(Mode::Compatible)
            .without_witnesses();
        let found = analyze_compiled(&p, &bucket, &zone, &opts);
        assert_eq!(found.len(), n * n, "n = {n}");
        group.bench_function(BenchmarkId::new("overlapping", n), |b| {
            b.iter(|| analyze_compiled(black_box(&p), &bucket, &zone, &opts))
        });
    }
    group.finish();
}

fn real(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/resource-policies/s3-bucket-policies.json"
    );
    let records: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let zone = ZoneOfTrust::account("111122223333");
    let options = Options::default();
    let mut all = Vec::new();
    for r in &records {
        let Some(arn) = named_resource(&r["policy"], ResourceType::S3Bucket, "s3") else {
            continue;
        };
        let p = CompiledPolicy::parse(&r["policy"].to_string()).unwrap();
        let bucket = Resource::new(&arn, ResourceType::S3Bucket, "111122223333");
        let found = analyze_compiled(&p, &bucket, &zone, &options);
        assert!(found.iter().all(|f| f.error.is_none()), "{arn}");
        all.push((p, bucket, !found.is_empty()));
    }
    let with: Vec<_> = all.iter().filter(|(_, _, found)| *found).cloned().collect();
    assert!(
        all.len() >= 80 && with.len() >= 20,
        "{} {}",
        all.len(),
        with.len()
    );
    let mut group = c.benchmark_group("analyze_policy/real-bucket");
    for (name, set) in [("all", &all), ("with-findings", &with)] {
        group.throughput(Throughput::Elements(set.len() as u64));
        group.bench_function(BenchmarkId::new(name, set.len()), |b| {
            b.iter(|| {
                set.iter()
                    .map(|(p, bucket, _)| {
                        analyze_compiled(black_box(p), bucket, &zone, &options).len()
                    })
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench, real);
criterion_main!(benches);
