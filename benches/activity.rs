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

criterion_group!(benches, ingest);
criterion_main!(benches);
