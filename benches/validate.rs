//! Policy validation: all 1,594 AWS managed policies, and typical single policies.
//!
//! Run: `cargo bench --bench validate`. The catalog is warmed first (every service read once,
//! as after the first few policies of a run), so the numbers are the steady state.

use std::hint::black_box;
use std::io::Read;

use criterion::{criterion_group, criterion_main, Criterion};
use perimeter::validate::{validate, PolicyType, ValidateOptions};

fn managed() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/aws-managed-policies.json.gz"
    );
    let mut text = String::new();
    if let Ok(file) = std::fs::File::open(path) {
        let _ = flate2::read::GzDecoder::new(file).read_to_string(&mut text);
    }
    let all: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    all.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| serde_json::to_string_pretty(&p["Document"]).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// A typical customer policy: S3 read/write with a prefix condition, KMS, logs, PassRole with
/// its service condition.
const TYPICAL: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ListOwnPrefix",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::example-bucket",
      "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}
    },
    {
      "Sid": "ReadWriteOwnObjects",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      "Resource": "arn:aws:s3:::example-bucket/home/${aws:username}/*"
    },
    {
      "Sid": "UseKey",
      "Effect": "Allow",
      "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
      "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    },
    {
      "Sid": "Logs",
      "Effect": "Allow",
      "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
      "Resource": "arn:aws:logs:us-east-1:111122223333:log-group:/app/*:*"
    },
    {
      "Sid": "PassAppRole",
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::111122223333:role/app-*",
      "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    },
    {
      "Sid": "DenyOutsideNetwork",
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {
        "NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]},
        "Bool": {"aws:ViaAWSService": "false"}
      }
    }
  ]
}"#;

const TRUST: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example-org/app:ref:refs/heads/main"}
    }
  }]
}"#;

fn bench(c: &mut Criterion) {
    let identity = ValidateOptions::new(PolicyType::Identity);
    let docs = managed();
    // Warm the catalog and the ARN index.
    for d in &docs {
        black_box(validate(d, &identity));
    }

    let mut g = c.benchmark_group("validate");
    g.bench_function("typical_identity_policy", |b| {
        b.iter(|| black_box(validate(black_box(TYPICAL), &identity)))
    });
    g.bench_function("github_trust_policy", |b| {
        b.iter(|| black_box(validate(black_box(TRUST), &ValidateOptions::trust_policy())))
    });
    g.sample_size(10);
    g.bench_function("all_1594_managed_policies", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(validate(black_box(d), &identity));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
