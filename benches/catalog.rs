//! The embedded service authorization reference: opening it, the first lookup in a service
//! (which parses that service), warm lookups, and wildcard expansion.
//!
//! Run: `cargo bench --bench catalog`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use perimeter::catalog::Catalog;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("catalog");

    // Reading the service index of a fresh catalog (what `Catalog::embedded` does once).
    g.bench_function("open", |b| b.iter(|| black_box(Catalog::new_embedded())));

    // First lookup in a service: parses that service's tables. S3 is mid-sized, EC2 the largest.
    for (service, action) in [("s3", "s3:GetObject"), ("ec2", "ec2:RunInstances")] {
        g.bench_function(format!("cold_action/{service}"), |b| {
            b.iter_batched(
                Catalog::new_embedded,
                |catalog| {
                    black_box(catalog.action(black_box(action)).map(|a| a.access_level()));
                    catalog
                },
                BatchSize::SmallInput,
            )
        });
    }

    let catalog = Catalog::embedded();
    let _ = catalog.action("s3:GetObject");
    let _ = catalog.action("ec2:RunInstances");
    let _ = catalog.condition_key("s3:prefix");

    g.bench_function("warm_action/s3:GetObject", |b| {
        b.iter(|| {
            black_box(
                catalog
                    .action(black_box("s3:GetObject"))
                    .map(|a| a.access_level()),
            )
        })
    });
    g.bench_function("warm_action/ec2:runinstances", |b| {
        b.iter(|| {
            black_box(
                catalog
                    .action(black_box("ec2:runinstances"))
                    .map(|a| a.access_level()),
            )
        })
    });
    g.bench_function("expand/s3:Get*", |b| {
        b.iter(|| black_box(catalog.expand(black_box("s3:Get*")).len()))
    });
    g.bench_function("expand/*", |b| {
        b.iter(|| black_box(catalog.expand(black_box("*")).len()))
    });
    g.bench_function("condition_key/aws:RequestTag/team", |b| {
        b.iter(|| {
            black_box(
                catalog
                    .condition_key(black_box("aws:RequestTag/team"))
                    .is_some(),
            )
        })
    });
    g.bench_function("condition_key/s3:ExistingObjectTag/team", |b| {
        b.iter(|| {
            black_box(
                catalog
                    .condition_key(black_box("s3:ExistingObjectTag/team"))
                    .is_some(),
            )
        })
    });
    let run = catalog.action("ec2:RunInstances");
    g.bench_function(
        "supports_condition_key/ec2:RunInstances/ec2:InstanceType",
        |b| {
            b.iter(|| {
                black_box(
                    run.is_some_and(|a| a.supports_condition_key(black_box("ec2:InstanceType"))),
                )
            })
        },
    );
    let object = catalog
        .service("s3")
        .and_then(|s| s.resource_type("object"));
    g.bench_function("matches_arn/s3 object", |b| {
        b.iter(|| {
            black_box(
                object
                    .is_some_and(|o| o.matches_arn(black_box("arn:aws:s3:::my-bucket/reports/*"))),
            )
        })
    });
    g.bench_function("suggest_action/s3:GetObjet", |b| {
        b.iter(|| black_box(catalog.suggest_action(black_box("s3:GetObjet"))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
