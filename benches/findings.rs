//! Findings after the analysis: archive rules, the lifecycle, the exports, on 10,000 findings
//! (an account with 2,000 shared resources, five findings each).
//!
//! Run: `cargo bench --bench findings`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use perimeter::analyze::{analyze_policy, Finding, Options, Resource, ResourceType, ZoneOfTrust};
use perimeter::findings::{
    asff, events, read_findings, sarif, to_json, update, ArchiveRules, AsffOptions, EventOptions,
    LifecycleOptions, SarifOptions,
};
use perimeter::policy::Policy;
use perimeter::scalar::Timestamp;

/// 2,000 queues, each shared with four accounts (one under a network condition) and open to
/// anyone for one action: the findings of one queue analysed once, then renamed per queue.
fn findings(n_resources: usize, shift: usize) -> Vec<Finding> {
    let Ok(policy) = Policy::parse(
        r#"{"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ["444455556666", "555566667777", "666677778888"]},
             "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"], "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "777788889999"}, "Action": "sqs:SendMessage",
             "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}},
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:GetQueueUrl", "Resource": "*"}]}"#,
    ) else {
        return Vec::new();
    };
    let base = Resource::new(
        "arn:aws:sqs:us-east-1:111122223333:q",
        ResourceType::SqsQueue,
        "111122223333",
    );
    let template = analyze_policy(
        &policy,
        &base,
        &ZoneOfTrust::account("111122223333"),
        &Options::default().without_witnesses(),
    );
    let mut out = Vec::with_capacity(n_resources * template.len());
    for i in 0..n_resources {
        for t in &template {
            let mut f = t.clone();
            f.resource = format!("arn:aws:sqs:us-east-1:111122223333:queue-{}", i + shift);
            f.id = f.compute_id();
            out.push(f);
        }
    }
    out
}

const RULES: &str = r#"[
  {"ruleName": "partner-a", "filter": {"principal.AWS": {"eq": ["444455556666"]}, "isPublic": {"eq": ["false"]}}},
  {"ruleName": "partner-b", "filter": {"principal.AWS": {"eq": ["555566667777"]}, "resourceType": {"eq": ["AWS::SQS::Queue"]}}},
  {"ruleName": "office", "filter": {"condition.aws:SourceIp": {"eq": ["203.0.113.0/24"]}}},
  {"ruleName": "legacy", "filter": {"resource": {"contains": ["legacy-"]}}},
  {"ruleName": "url-only", "filter": {"action": {"eq": ["sqs:GetQueueUrl"]}, "resourceOwnerAccount": {"eq": ["999999999999"]}}}
]"#;

fn bench(c: &mut Criterion) {
    let t0 = Timestamp::from_epoch_seconds(1_735_689_600);
    let t1 = Timestamp::from_epoch_seconds(1_735_776_000);
    let rules = ArchiveRules::parse(RULES).unwrap_or_default();
    let first = findings(2_000, 0);
    // The second run: 10% of the queues replaced by new ones.
    let mut second = findings(1_800, 0);
    second.extend(findings(200, 5_000));
    let run1 = update(&[], &first, &rules, t0, &LifecycleOptions::default());
    let run2 = update(
        &run1.findings,
        &second,
        &rules,
        t1,
        &LifecycleOptions::default(),
    );
    let text = to_json(&run2.findings, Some(&run2.changes)).to_string();
    eprintln!(
        "{} findings, {} changes in run 2, {} bytes of JSON",
        run2.findings.len(),
        run2.changes.len(),
        text.len()
    );

    let mut g = c.benchmark_group("findings");
    g.sample_size(20);
    g.bench_function("archive_rules_match_10k", |b| {
        b.iter(|| {
            black_box(&first)
                .iter()
                .filter(|f| rules.matching(f).is_some())
                .count()
        })
    });
    g.bench_function("update_10k_vs_10k", |b| {
        b.iter(|| {
            update(
                black_box(&run1.findings),
                black_box(&second),
                &rules,
                t1,
                &LifecycleOptions::default(),
            )
        })
    });
    g.bench_function("read_findings_10k", |b| {
        b.iter(|| read_findings(black_box(&text)))
    });
    g.bench_function("sarif_10k", |b| {
        b.iter(|| {
            sarif(
                black_box(&run2.findings),
                &SarifOptions::default().with_artifact("f.json"),
            )
        })
    });
    g.bench_function("asff_10k", |b| {
        b.iter(|| {
            asff(
                black_box(&run2.findings),
                &AsffOptions::new("us-east-1", t1),
            )
        })
    });
    g.bench_function("events_run2_changes", |b| {
        b.iter(|| {
            events(
                black_box(&run2.changes),
                &EventOptions::new("us-east-1", t1),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
