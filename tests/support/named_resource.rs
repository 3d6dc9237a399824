//! The resource a real policy of the data set is about, for the tests and benches that analyse
//! each policy as its own resource.

use perimeter::analyze::ResourceType;
use serde_json::Value;

/// The first `Resource` of the statements that names one resource of `service` (the ARN's
/// third component): for S3, a bucket ARN (cut before the object key) whose name has no wildcard
/// or variable; for other services, an ARN without one and with an account. `None` when no
/// `Resource` does.
pub fn named_resource(policy: &Value, t: ResourceType, service: &str) -> Option<String> {
    let statements = match &policy["Statement"] {
        Value::Array(s) => s.clone(),
        one => vec![one.clone()],
    };
    let wild = |s: &str| s.contains(['*', '?', '$', '%']);
    statements
        .iter()
        .flat_map(|st| match &st["Resource"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        })
        .filter(|r| r.split(':').nth(2) == Some(service))
        .find_map(|r| {
            if t == ResourceType::S3Bucket {
                // `arn:PARTITION:s3:::BUCKET[/KEY]` (no region or account: not an access point).
                let parts: Vec<&str> = r.splitn(6, ':').collect();
                let [_, _, _, "", "", rest] = parts.as_slice() else {
                    return None;
                };
                let name = rest.split('/').next().unwrap_or("");
                let bucket = r.split('/').next().unwrap_or(&r);
                (!name.is_empty() && !wild(name)).then(|| bucket.to_string())
            } else {
                (!wild(&r) && r.split(':').nth(4).is_some_and(|a| a.len() == 12)).then_some(r)
            }
        })
}
