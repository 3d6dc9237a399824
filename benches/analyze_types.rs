//! External access analysis of one resource of each type Access Analyzer covers: the sixteen
//! resources of the demo snapshot (`examples/data/demo-snapshot.json`), read once, each analysed
//! with `analyze_resource` (witnesses on), and the policy size check alone on a policy just under
//! the Secrets Manager limit.
//!
//! Run: `cargo bench --bench analyze_types`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use perimeter::analyze::{analyze_resource, Options, PolicyResource, ResourceConfig, Snapshot};
use perimeter::analyze::{Resource, ResourceType, ZoneOfTrust};
use perimeter::policy::Policy;

fn bench(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/demo-snapshot.json"
    ))
    .unwrap_or_default();
    let Ok(snapshot) = Snapshot::read(text.as_bytes()) else {
        return;
    };
    let zone = snapshot.zone_of_trust().cloned().unwrap_or_default();
    let resources: Vec<ResourceConfig> = snapshot.filter_map(Result::ok).collect();
    let options = Options::default();
    let mut g = c.benchmark_group("analyze_types");
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    for r in &resources {
        let name = r
            .resource()
            .resource_type
            .as_str()
            .trim_start_matches("AWS::")
            .replace("::", "_");
        g.bench_function(name, |b| {
            b.iter(|| black_box(analyze_resource(black_box(r), &zone, &options)))
        });
    }
    // A secret policy of about 20,000 characters (owner-account grants only: no findings), so
    // the time is the size check, compilation and an analysis with nothing to report.
    let statements: Vec<String> = (0..150)
        .map(|i| {
            format!(
                r#"{{"Sid":"S{i}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:role/app-{i:03}"}},"Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":"*"}}"#
            )
        })
        .collect();
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    if let Ok(policy) = Policy::parse(&big) {
        let secret = ResourceConfig::Policy(PolicyResource::new(
            Resource::new(
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCdEf",
                ResourceType::SecretsManagerSecret,
                "111122223333",
            ),
            Some(policy),
        ));
        eprintln!("secret policy of {} characters", big.len());
        let zone = ZoneOfTrust::account("111122223333");
        g.bench_function("SecretsManager_Secret_20k_policy", |b| {
            b.iter(|| black_box(analyze_resource(black_box(&secret), &zone, &options)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
