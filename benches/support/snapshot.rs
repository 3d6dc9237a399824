//! A generated snapshot for benchmarks and memory measurements (shared by `benches/analyze.rs`
//! and `examples/generate_snapshot.rs`): the five demo resources, renamed per copy, and the real
//! resource policies of the data set, in turn, as JSON lines of raw CLI output.

#![allow(clippy::indexing_slicing)] // generator code: missing JSON fields read as null

use serde_json::{json, Value};

/// The output field of the CLI call that holds a policy, per type.
fn wrap(t: &str, policy: &Value) -> (&'static str, Value) {
    let text = Value::String(policy.to_string());
    match t {
        "AWS::S3::Bucket" => ("s3api get-bucket-policy", json!({ "Policy": text })),
        "AWS::KMS::Key" => ("kms get-key-policy", json!({ "Policy": text })),
        "AWS::SQS::Queue" => (
            "sqs get-queue-attributes",
            json!({"Attributes": { "Policy": text }}),
        ),
        "AWS::SNS::Topic" => (
            "sns get-topic-attributes",
            json!({"Attributes": { "Policy": text }}),
        ),
        "AWS::Lambda::Function" => ("lambda get-policy", json!({ "Policy": text })),
        "AWS::SecretsManager::Secret" => (
            "secretsmanager get-resource-policy",
            json!({ "ResourcePolicy": text }),
        ),
        "AWS::ECR::Repository" => ("ecr get-repository-policy", json!({ "policyText": text })),
        _ => (
            "iam get-role",
            json!({"Role": {"AssumeRolePolicyDocument": policy}}),
        ),
    }
}

/// The real resource policies as snapshot resources.
fn real_resources() -> Vec<Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/resource-policies");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let records: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
        for r in records {
            let (t, arn) = match r["kind"].as_str().unwrap_or("") {
                "s3-bucket" => ("AWS::S3::Bucket", "arn:aws:s3:::DOC-EXAMPLE-BUCKET"),
                "kms-key" => ("AWS::KMS::Key", "arn:aws:kms:us-east-1:111122223333:key/k"),
                "sqs-queue" => ("AWS::SQS::Queue", "arn:aws:sqs:us-east-1:111122223333:q"),
                "sns-topic" => ("AWS::SNS::Topic", "arn:aws:sns:us-east-1:111122223333:t"),
                "lambda-function" => (
                    "AWS::Lambda::Function",
                    "arn:aws:lambda:us-east-1:111122223333:function:f",
                ),
                "secretsmanager-secret" => (
                    "AWS::SecretsManager::Secret",
                    "arn:aws:secretsmanager:us-east-1:111122223333:secret:s",
                ),
                "ecr-repository" => (
                    "AWS::ECR::Repository",
                    "arn:aws:ecr:us-east-1:111122223333:repository/r",
                ),
                "trust" => ("AWS::IAM::Role", "arn:aws:iam::111122223333:role/r"),
                _ => continue,
            };
            if r["policy"].get("RevisionId").is_some() {
                continue;
            }
            let (call, output) = wrap(t, &r["policy"]);
            out.push(json!({"arn": arn, "type": t, "ownerAccount": "111122223333", call: output}));
        }
    }
    out
}

/// A JSON-lines snapshot of `n` resources.
pub fn snapshot(n: usize) -> String {
    let demo_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/demo-snapshot.json"
    ))
    .unwrap_or_default();
    let demo: Value = serde_json::from_str(&demo_text).unwrap_or_default();
    let header = json!({"zoneOfTrust": demo["zoneOfTrust"], "accounts": demo["accounts"]});
    // Each demo resource is renamed per copy, in its ARN and everywhere its policies name it.
    let names = [
        "acme-reports",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "order-events",
        "thumbnailer",
        "role/deploy",
    ];
    let demo_resources: Vec<(String, &str)> = demo["resources"]
        .as_array()
        .map(|a| a.iter().map(Value::to_string).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .zip(names)
        .collect();
    let real: Vec<String> = real_resources().iter().map(Value::to_string).collect();
    let mut out = header.to_string();
    out.push('\n');
    let cycle = demo_resources.len() + real.len();
    for i in 0..n {
        let k = i % cycle.max(1);
        match demo_resources.get(k) {
            Some((text, name)) => out.push_str(&text.replace(name, &format!("{name}-{i}"))),
            None => out.push_str(
                real.get(k - demo_resources.len())
                    .map_or("", |s| s.as_str()),
            ),
        }
        out.push('\n');
    }
    out
}
