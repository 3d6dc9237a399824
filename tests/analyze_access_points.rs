//! Properties of requests through an S3 access point, against the concrete evaluator: the access
//! point policy and the bucket policy (its resources rewritten into access point form) must both
//! allow.
//!
//! - Soundness: every external request through the access point that `eval` allows under both
//!   policies is covered by an `S3_ACCESS_POINT` finding (principal, conditions, action).
//! - Precision: every such finding's witness is two requests that `eval` allows, from outside the
//!   zone, with an action the finding lists.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

#[path = "support/coverage.rs"]
mod coverage;
use coverage::{covers, external};

use perimeter::analyze::{
    analyze_resource, AccessPoint, Finding, Options, ResourceConfig, S3Bucket,
};
use perimeter::eval::Case;
use perimeter::policy::Policy;
use perimeter::strategy::{bucket_policy_json, external_request, zone, BUCKET, OWNER};
use proptest::prelude::*;
use serde_json::{json, Value};

const AP: &str = "arn:aws:s3:us-east-1:111111111111:accesspoint/ap";

/// A policy over the bucket's ARN forms, moved to the access point's.
fn to_access_point(policy: &Value) -> Value {
    let text = policy
        .to_string()
        .replace(&format!("{BUCKET}/"), &format!("{AP}/object/"))
        .replace(BUCKET, AP);
    serde_json::from_str(&text).unwrap()
}

fn with_grants(mut case: Case) -> Case {
    if case.principal.is_iam_identity() {
        case.identity_policies = vec![
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        ];
    }
    case
}

/// The two requests of one request through the access point.
fn through(case: &Case, ap_policy: &Value, bucket_policy: &Value) -> (Case, Case) {
    let mut c = case.clone();
    c.context.insert("s3:DataAccessPointArn".into(), json!(AP));
    c.context
        .insert("s3:DataAccessPointAccount".into(), json!(OWNER));
    c.context
        .insert("s3:AccessPointNetworkOrigin".into(), json!("Internet"));
    let mut b = c.clone();
    b.resource_policy = Some(bucket_policy.clone());
    c.resource = match c.resource.strip_prefix(&format!("{BUCKET}/")) {
        Some(key) => format!("{AP}/object/{key}"),
        None => AP.to_string(),
    };
    c.resource_policy = Some(ap_policy.clone());
    (with_grants(c), with_grants(b))
}

fn bucket(bucket_policy: &Value, ap_policy: &Value) -> ResourceConfig {
    ResourceConfig::S3Bucket(
        S3Bucket::new(BUCKET, OWNER)
            .with_policy(Policy::from_json_value(bucket_policy).unwrap())
            .with_access_points(vec![
                AccessPoint::new(AP).with_policy(Policy::from_json_value(ap_policy).unwrap())
            ]),
    )
}

fn is_ap(f: &Finding) -> bool {
    f.sources.iter().any(|s| s.kind == "S3_ACCESS_POINT")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn soundness(bp in bucket_policy_json(), ap in bucket_policy_json(), zone in zone(),
                 requests in proptest::collection::vec(external_request(), 8)) {
        prop_assume!(Policy::from_json_value(&bp).is_ok() && Policy::from_json_value(&ap).is_ok());
        let ap = to_access_point(&ap);
        let findings = analyze_resource(&bucket(&bp, &ap), &zone, &Options::default().without_witnesses());
        prop_assert!(findings.iter().all(|f| f.error.is_none()), "error finding");
        for r in requests {
            if !external(&r.principal, &zone) {
                continue;
            }
            let (c, b) = through(&r, &ap, &bp);
            if !(c.evaluate().unwrap().decision.is_allow() && b.evaluate().unwrap().decision.is_allow()) {
                continue;
            }
            let req = c.request().unwrap();
            prop_assert!(
                findings.iter().filter(|f| is_ap(f)).any(|f| covers(f, &req)),
                "allowed request through the access point not covered:\n{}\nbucket policy {bp}\naccess point policy {ap}\nfindings {}",
                c.to_json_value(), serde_json::to_string(&findings).unwrap()
            );
        }
    }

    #[test]
    fn precision(bp in bucket_policy_json(), ap in bucket_policy_json(), zone in zone()) {
        prop_assume!(Policy::from_json_value(&bp).is_ok() && Policy::from_json_value(&ap).is_ok());
        let ap = to_access_point(&ap);
        let findings = analyze_resource(&bucket(&bp, &ap), &zone, &Options::default());
        for f in findings.iter().filter(|f| is_ap(f)) {
            let Some(w) = &f.witness else {
                panic!("no witness: {:?}\nbucket policy {bp}\naccess point policy {ap}", f.note)
            };
            let w = serde_json::to_value(w).unwrap();
            let cases = w.as_array().expect("two cases");
            prop_assert_eq!(cases.len(), 2);
            for c in cases {
                let case = Case::from_json_value(c).unwrap();
                prop_assert!(external(&case.principal, &zone), "witness caller inside the zone: {c}");
                prop_assert!(f.action.contains(&case.action), "witness action not listed: {c}");
                prop_assert!(case.evaluate().unwrap().decision.is_allow(), "witness not allowed: {c}");
            }
            let first = Case::from_json_value(&cases[0]).unwrap();
            prop_assert!(first.resource.starts_with(AP));
            prop_assert!(covers(f, &first.request().unwrap()), "witness outside its finding: {w}");
        }
    }
}

/// Cases per property: 256 by default, more with `PROPTEST_CASES`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}
