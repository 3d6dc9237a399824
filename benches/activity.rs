//! Ingesting CloudTrail JSON into an activity summary.
//!
//! The input is generated at bench time from the real records in tests/data/cloudtrail: every
//! record is repeated until the log is about 64 MB, as one delivery file `{"Records": [...]}`.
//! Run with `cargo bench --bench activity`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use perimeter::activity::{ActivitySummary, CloudTrailReader, LogFiles, ReadOptions, Timestamp};

/// All real records, as JSON texts.
fn real_records() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cloudtrail");
    let mut out = Vec::new();
    for file in LogFiles::new(&root) {
        let file = file.unwrap();
        if file.to_string_lossy().contains("Digest")
            || file.extension().is_some_and(|e| e == "jsonl")
        {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut s = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
                &mut s,
            )
            .unwrap();
            s
        } else {
            String::from_utf8(bytes).unwrap()
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for r in v["Records"].as_array().unwrap() {
            out.push(serde_json::to_string(r).unwrap());
        }
    }
    out
}

/// A `{"Records": [...]}` log of at least `size` bytes made of the real records.
pub fn generated_log(size: usize) -> Vec<u8> {
    let records = real_records();
    let mut log = Vec::with_capacity(size + 4096);
    log.extend_from_slice(b"{\"Records\":[");
    let mut first = true;
    'outer: loop {
        for r in &records {
            if !first {
                log.push(b',');
            }
            first = false;
            log.extend_from_slice(r.as_bytes());
            if log.len() >= size {
                break 'outer;
            }
        }
    }
    log.extend_from_slice(b"]}");
    log
}

fn ingest(c: &mut Criterion) {
    let log = generated_log(64 << 20);
    let now = Timestamp::parse("2030-01-01T00:00:00Z").unwrap();
    let mut group = c.benchmark_group("activity");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.bench_function("ingest_json_64MB", |b| {
        b.iter(|| {
            let mut r = CloudTrailReader::new(ReadOptions::default().not_after(now));
            r.read_bytes("bench.json", black_box(&log));
            black_box(r.finish())
        })
    });
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&log).unwrap();
    let gz = gz.finish().unwrap();
    group.bench_function("ingest_gzip_64MB", |b| {
        b.iter(|| {
            let mut r = CloudTrailReader::new(ReadOptions::default().not_after(now));
            r.read_bytes("bench.json.gz", black_box(&gz));
            black_box(r.finish())
        })
    });
    let streamed = ReadOptions {
        max_in_memory: 1 << 20,
        ..ReadOptions::default().not_after(now)
    };
    group.bench_function("ingest_json_64MB_streamed", |b| {
        b.iter(|| {
            let mut r = CloudTrailReader::new(streamed.clone());
            r.read_reader("bench.json", black_box(&log[..]));
            black_box(r.finish())
        })
    });
    group.finish();

    let mut r = CloudTrailReader::new(ReadOptions::default().not_after(now));
    r.read_bytes("bench.json", &log);
    let (summary, _) = r.finish();
    c.bench_function("activity/merge_summary", |b| {
        b.iter(|| {
            let mut a = summary.clone();
            a.merge(black_box(summary.clone()));
            black_box(a)
        })
    });
    let _ = ActivitySummary::new();
}

/// Recommendations and generation on a role granted everything (`*` and a `NotAction`), which
/// used 50 EC2 and S3 actions: the cost of expanding wildcards over the whole catalog.
fn recommend_and_generate(c: &mut Criterion) {
    use perimeter::activity::{
        find_unused, generate_policies, refine_policy, AccountInputs, AuthorizationDetails,
        GenerateOptions, UnusedAccessOptions,
    };
    use perimeter::catalog::Catalog;
    use perimeter::policy::Policy;

    let now = Timestamp::parse("2024-05-01T00:00:00Z").unwrap();
    let used_at = Timestamp::parse("2024-04-01T00:00:00Z").unwrap();
    let role = "arn:aws:iam::111122223333:role/admin";
    let catalog = Catalog::embedded();
    let mut summary = ActivitySummary::new();
    for service in ["ec2", "s3"] {
        for a in catalog.service(service).unwrap().actions().take(25) {
            summary.record_action(role, &a.full_name(), used_at, false);
        }
    }
    let document = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]});
    let authz = AuthorizationDetails::from_value(&serde_json::json!({"RoleDetailList": [{
        "RoleName": "admin", "Arn": role, "Path": "/", "CreateDate": "2020-01-01T00:00:00Z",
        "RolePolicyList": [{"PolicyName": "admin", "PolicyDocument": document}]}]}))
    .unwrap();
    let mut options = UnusedAccessOptions::new(now, 90).unwrap();
    options.recommendations = true;
    let inputs = AccountInputs {
        authorization: Some(&authz),
        ..AccountInputs::default()
    };
    // Warm the catalog's per-service caches, as a long-running program would have them.
    black_box(find_unused(&summary, &inputs, &options));
    c.bench_function(
        "activity/find_unused_admin_role_with_recommendations",
        |b| b.iter(|| black_box(find_unused(black_box(&summary), &inputs, &options))),
    );
    let policy = Policy::from_json_value(&document).unwrap();
    c.bench_function("activity/refine_admin_policy", |b| {
        b.iter(|| {
            black_box(refine_policy(
                black_box(&policy),
                summary.principal(role),
                &options,
            ))
        })
    });
    let mut wide = ActivitySummary::new();
    for service in ["ec2", "s3", "iam"] {
        for a in catalog.service(service).unwrap().actions() {
            wide.record_action(role, &a.full_name(), used_at, false);
        }
    }
    let generate = GenerateOptions::new(now, 90).unwrap();
    c.bench_function("activity/generate_policies_1196_actions", |b| {
        b.iter(|| black_box(generate_policies(black_box(&wide), role, &generate)))
    });
}

criterion_group!(benches, ingest);
criterion_group!(recommendations, recommend_and_generate);
criterion_main!(benches, recommendations);
