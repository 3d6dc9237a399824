//! Properties that tie external access analysis to the concrete evaluator.
//!
//! - Soundness: every request from outside the zone that `eval` allows is covered by a finding
//!   (its principal, conditions and action).
//! - Precision: every finding's witness is a request from outside the zone that `eval` allows,
//!   with an action the finding lists.
//! - The direct enumeration gives exactly the findings of Access Analyzer's lattice walk.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

use perimeter::analyze::{
    analyze_policy, Finding, Mode, Options, Resource, ResourceType, ZoneOfTrust,
};
use perimeter::arn::ArnPattern;
use perimeter::eval::{Caller, Case, ContextValue, Request};
use perimeter::pattern::{Case as PCase, Pattern};
use perimeter::policy::Policy;
use perimeter::scalar::IpNet;
use perimeter::strategy::{bucket_policy, external_request, zone, BUCKET, OWNER};
use proptest::prelude::*;
use serde_json::json;

fn bucket() -> Resource {
    Resource::new(BUCKET, ResourceType::S3Bucket, OWNER)
}

fn external(caller: &Caller, zone: &ZoneOfTrust) -> bool {
    match caller {
        Caller::Service { .. } => false,
        c => c.account().is_none_or(|a| !zone.trusts_account(a)),
    }
}

fn with_policies(mut case: Case, policy: &Policy) -> Case {
    case.resource_policy = Some(policy.to_json_value());
    if case.principal.is_iam_identity() {
        case.identity_policies = vec![
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        ];
    }
    case
}

fn principal_covers(f: &Finding, caller: &Caller) -> bool {
    if let Some(p) = f.principal.get("Federated") {
        return matches!(caller, Caller::Federated { provider } if provider.eq_ignore_ascii_case(p));
    }
    let Some(p) = f.principal.get("AWS") else {
        return false;
    };
    if p == "*" {
        return true;
    }
    if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        return caller.account() == Some(p.as_str());
    }
    match caller {
        Caller::Role {
            role_arn,
            arn,
            account,
            role_name,
            ..
        } => {
            if p.contains(":role/") {
                p.starts_with(&format!("arn:aws:iam::{account}:role/"))
                    && p.rsplit('/').next() == Some(role_name)
                    || p == role_arn
            } else {
                p == arn
            }
        }
        other => other.arn().as_deref() == Some(p.as_str()),
    }
}

fn value_in_label(key: &str, label: &str, value: &str) -> bool {
    match key.to_ascii_lowercase().as_str() {
        "aws:sourceip" => IpNet::parse(label)
            .zip(value.parse().ok())
            .is_some_and(|(n, ip)| n.contains(&ip)),
        "aws:principalarn" => {
            Pattern::new(label, PCase::Sensitive).matches(value)
                || ArnPattern::new(label).matches(value)
        }
        _ => Pattern::new(label, PCase::Sensitive).matches(value),
    }
}

fn covers(f: &Finding, req: &Request) -> bool {
    if !f
        .action
        .iter()
        .any(|a| a.eq_ignore_ascii_case(req.action()))
    {
        return false;
    }
    if !principal_covers(f, req.caller()) {
        return false;
    }
    f.condition
        .iter()
        .all(|(k, label)| match req.context().get(k) {
            None => false,
            Some(ContextValue::One(v)) => value_in_label(k, label, v),
            Some(ContextValue::Many(vs)) => vs.iter().any(|v| value_in_label(k, label, v)),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn soundness(policy in bucket_policy(), zone in zone(), requests in proptest::collection::vec(external_request(), 8)) {
        let findings = analyze_policy(&policy, &bucket(), &zone, &Options::default().without_witnesses());
        prop_assert!(findings.iter().all(|f| f.error.is_none()), "error finding for {}", policy.to_json());
        for r in requests {
            if !external(&r.principal, &zone) {
                continue;
            }
            let case = with_policies(r, &policy);
            if !case.evaluate().unwrap().decision.is_allow() {
                continue;
            }
            let req = case.request().unwrap();
            prop_assert!(
                findings.iter().any(|f| covers(f, &req)),
                "allowed request not covered:\n{}\npolicy {}\nfindings {}",
                case.to_json_value(), policy.to_json(), serde_json::to_string(&findings).unwrap()
            );
        }
    }

    #[test]
    fn precision(policy in bucket_policy(), zone in zone(), mode in prop_oneof![Just(Mode::Compatible), Just(Mode::Minimal)]) {
        let findings = analyze_policy(&policy, &bucket(), &zone, &Options::default().with_mode(mode));
        for f in &findings {
            prop_assert!(f.error.is_none());
            let Some(w) = f.witness.as_ref() else { panic!("no witness: {:?} in {}\npolicy {}", f.note, serde_json::to_string(f).unwrap(), policy.to_json()) };
            let case = Case::from_json_value(w).unwrap();
            prop_assert!(external(&case.principal, &zone), "witness caller inside the zone: {w}");
            prop_assert!(f.action.contains(&case.action), "witness action not listed: {w}");
            let ev = case.evaluate().unwrap();
            prop_assert!(ev.decision.is_allow(), "witness not allowed: {w}\n{ev:?}");
            prop_assert!(covers(f, &case.request().unwrap()), "witness outside its finding: {w}\n{}", serde_json::to_string(f).unwrap());
        }
    }

    #[test]
    fn direct_enumeration_equals_the_lattice_walk(policy in bucket_policy(), zone in zone()) {
        let strip = |mut fs: Vec<Finding>| {
            for f in &mut fs { f.witness = None; f.statements.clear(); }
            fs
        };
        let fast = strip(analyze_policy(&policy, &bucket(), &zone, &Options::default().without_witnesses()));
        let mut opts = Options::default().without_witnesses();
        opts.reference_walk = true;
        let walk = strip(analyze_policy(&policy, &bucket(), &zone, &opts));
        prop_assert_eq!(fast, walk, "policy {}", policy.to_json());
    }
}

/// Cases per property: 256 by default, more with `PROPTEST_CASES` (long runs outside CI).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

#[test]
fn assertion_helpers_fail_with_a_counterexample() {
    use perimeter::strategy::{assert_no_external_access, assert_no_public_access};
    let public = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::vocab-bucket/*"}]}"#).unwrap();
    let e = assert_no_public_access(&public, &bucket())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("public access") && e.contains("counterexample request"),
        "{e}"
    );
    assert!(e.contains(r#""action":"s3:GetObject""#), "{e}");
    let partner = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::vocab-bucket/*"}]}"#).unwrap();
    assert!(assert_no_public_access(&partner, &bucket()).is_ok());
    assert!(assert_no_external_access(&partner, &bucket(), &ZoneOfTrust::account(OWNER)).is_err());
    assert!(assert_no_external_access(
        &partner,
        &bucket(),
        &ZoneOfTrust::account(OWNER).with_trusted_account("222222222222")
    )
    .is_ok());
}
