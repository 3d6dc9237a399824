//! External access analysis of whole snapshots: 100,000 resources read from JSON lines and
//! analysed on two threads, and the same per resource on one thread.
//!
//! Run: `cargo bench --bench analyze`. The snapshot is generated at bench time (never committed):
//! the five demo resources (`examples/data/demo-snapshot.json`, each renamed per copy so that
//! their policies keep naming them) and the real resource policies of the data set
//! (`tests/data/resource-policies/`, as their types), in turn, as the raw CLI output a collector
//! writes (policies as JSON strings).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use perimeter::analyze::{analyze_all, Options, Snapshot};

#[path = "support/snapshot.rs"]
mod generate;
use generate::snapshot;

/// Read and analyse a snapshot; the number of findings.
fn run(text: &str, threads: usize) -> usize {
    let Ok(s) = Snapshot::read(text.as_bytes()) else {
        return 0;
    };
    let zone = s.zone_of_trust().cloned();
    let mut findings = 0;
    analyze_all(s, zone.as_ref(), &Options::default(), threads, |_, r| {
        findings += r.map(|f| f.len()).unwrap_or(0);
    });
    findings
}

fn bench(c: &mut Criterion) {
    let big = snapshot(100_000);
    let small = snapshot(2_000);
    eprintln!(
        "snapshot: 100,000 resources, {} MiB; the first 2,000 give {} findings",
        big.len() >> 20,
        run(&small, 2)
    );
    let mut g = c.benchmark_group("analyze");
    g.sample_size(10).measurement_time(Duration::from_secs(1));
    g.bench_function("snapshot_100k_resources_2_threads", |b| {
        b.iter(|| black_box(run(black_box(&big), 2)))
    });
    g.bench_function("snapshot_2k_resources_1_thread", |b| {
        b.iter(|| black_box(run(black_box(&small), 1)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
