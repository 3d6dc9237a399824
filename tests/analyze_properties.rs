//! Properties that tie external access analysis to the concrete evaluator.
//!
//! - Soundness: every request from outside the zone that `eval` allows is covered by a finding
//!   (its principal, conditions and action).
//! - Precision: every finding's witness is a request from outside the zone that `eval` allows,
//!   with an action the finding lists.
//! - The direct enumeration gives exactly the findings of Access Analyzer's lattice walk.
//!
//! The first two hold for every policy-based resource type: S3 buckets through `analyze_policy`
//! (256 cases by default), and each other type through `analyze_resource`, its adapter included
//! (64 cases each by default; `PROPTEST_CASES` sets the S3 count, a quarter of it the others).

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
    analyze_policy, analyze_resource, Finding, Mode, Options, PolicyResource, Resource,
    ResourceConfig, ResourceType, ZoneOfTrust,
};
use perimeter::eval::Case;
use perimeter::policy::Policy;
use perimeter::strategy::{
    bucket_policy, external_request, external_request_for, policy_for, resource_for, zone, BUCKET,
    OWNER, POLICY_TYPES,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::json;

fn bucket() -> Resource {
    Resource::new(BUCKET, ResourceType::S3Bucket, OWNER)
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
            let case = Case::from_json_value(&serde_json::to_value(w).unwrap()).unwrap();
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

/// Cases per property and type for the types other than S3 buckets.
fn type_cases() -> u32 {
    (cases() / 4).max(1)
}

/// The findings of a policy on the vocabulary's resource of a type, through the type's adapter.
fn findings_for(
    t: ResourceType,
    policy: &Policy,
    zone: &ZoneOfTrust,
    options: &Options,
) -> Vec<Finding> {
    let config = ResourceConfig::Policy(PolicyResource::new(resource_for(t), Some(policy.clone())));
    analyze_resource(&config, zone, options)
}

fn soundness_of(
    t: ResourceType,
    policy: &Policy,
    zone: &ZoneOfTrust,
    requests: Vec<Case>,
) -> Result<(), TestCaseError> {
    let findings = findings_for(t, policy, zone, &Options::default().without_witnesses());
    prop_assert!(
        findings.iter().all(|f| f.error.is_none()),
        "{t}: error finding for {}",
        policy.to_json()
    );
    for r in requests {
        if !external(&r.principal, zone) {
            continue;
        }
        let case = with_policies(r, policy);
        if !case.evaluate().unwrap().decision.is_allow() {
            continue;
        }
        let req = case.request().unwrap();
        prop_assert!(
            findings.iter().any(|f| covers(f, &req)),
            "{t}: allowed request not covered:\n{}\npolicy {}\nfindings {}",
            case.to_json_value(),
            policy.to_json(),
            serde_json::to_string(&findings).unwrap()
        );
    }
    Ok(())
}

fn precision_of(
    t: ResourceType,
    policy: &Policy,
    zone: &ZoneOfTrust,
    mode: Mode,
) -> Result<(), TestCaseError> {
    let findings = findings_for(t, policy, zone, &Options::default().with_mode(mode));
    for f in &findings {
        prop_assert!(f.error.is_none(), "{t}: {:?}", f.note);
        prop_assert_eq!(&f.resource_type, t.as_str());
        let Some(w) = f.witness.as_ref() else {
            panic!(
                "{t}: no witness: {:?} in {}\npolicy {}",
                f.note,
                serde_json::to_string(f).unwrap(),
                policy.to_json()
            )
        };
        let case = Case::from_json_value(&serde_json::to_value(w).unwrap()).unwrap();
        prop_assert!(
            external(&case.principal, zone),
            "{t}: witness caller inside the zone: {w}"
        );
        prop_assert!(
            f.action.contains(&case.action),
            "{t}: witness action not listed: {w}"
        );
        let ev = case.evaluate().unwrap();
        prop_assert!(
            ev.decision.is_allow(),
            "{t}: witness not allowed: {w}\n{ev:?}"
        );
        prop_assert!(
            covers(f, &case.request().unwrap()),
            "{t}: witness outside its finding: {w}\n{}",
            serde_json::to_string(f).unwrap()
        );
    }
    Ok(())
}

/// Soundness and precision properties for each policy-based type but S3 buckets (whose
/// properties are above).
macro_rules! per_type {
    ($($soundness:ident, $precision:ident => $t:expr;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(type_cases()))]
            $(
                #[test]
                fn $soundness(policy in policy_for($t), zone in zone(), requests in proptest::collection::vec(external_request_for($t), 8)) {
                    soundness_of($t, &policy, &zone, requests)?;
                }

                #[test]
                fn $precision(policy in policy_for($t), zone in zone(), mode in prop_oneof![Just(Mode::Compatible), Just(Mode::Minimal)]) {
                    precision_of($t, &policy, &zone, mode)?;
                }
            )*
        }
    };
}

per_type! {
    soundness_kms_key, precision_kms_key => ResourceType::KmsKey;
    soundness_sqs_queue, precision_sqs_queue => ResourceType::SqsQueue;
    soundness_lambda_function, precision_lambda_function => ResourceType::LambdaFunction;
    soundness_iam_role, precision_iam_role => ResourceType::IamRole;
    soundness_secret, precision_secret => ResourceType::SecretsManagerSecret;
    soundness_sns_topic, precision_sns_topic => ResourceType::SnsTopic;
    soundness_ecr_repository, precision_ecr_repository => ResourceType::EcrRepository;
    soundness_efs_file_system, precision_efs_file_system => ResourceType::EfsFileSystem;
    soundness_dynamodb_table, precision_dynamodb_table => ResourceType::DynamoDbTable;
    soundness_dynamodb_stream, precision_dynamodb_stream => ResourceType::DynamoDbStream;
    soundness_s3_directory_bucket, precision_s3_directory_bucket => ResourceType::S3ExpressDirectoryBucket;
    soundness_lambda_layer_version, precision_lambda_layer_version => ResourceType::LambdaLayerVersion;
}

/// The per-type properties above cover every policy-based type.
#[test]
fn every_policy_type_has_properties() {
    assert_eq!(POLICY_TYPES.len(), 13);
    for t in POLICY_TYPES {
        assert_eq!(resource_for(*t).resource_type, *t);
        assert_eq!(resource_for(*t).owner_account, OWNER);
    }
    // The types without a policy are the three snapshot types.
    let without: Vec<_> = ResourceType::ALL
        .iter()
        .filter(|t| !POLICY_TYPES.contains(t))
        .collect();
    assert_eq!(
        without,
        [
            &ResourceType::Ec2Snapshot,
            &ResourceType::RdsDbSnapshot,
            &ResourceType::RdsDbClusterSnapshot
        ]
    );
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

/// A later action class asks about intents an earlier class reached, and the analysis may
/// answer by moving the earlier model to the later class's action and resource (see
/// `Probes::try_model`). These policies take both ways (the move works; the move fails, so the
/// search decides) and must give exactly what the lattice walk gives, witnesses included.
#[test]
fn a_later_action_class_keeps_the_walks_findings() {
    let policies = [
        // Object and bucket actions to one organization, with network and transport denies:
        // the bucket action's model is the object action's, moved.
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::vocab-bucket","arn:aws:s3:::vocab-bucket/*"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::vocab-bucket","arn:aws:s3:::vocab-bucket/*"],"Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"},"Bool":{"aws:ViaAWSService":"false"}}},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::vocab-bucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        // The bucket action needs a network the object action's model is outside of: the move
        // fails and the search finds another request.
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::vocab-bucket","arn:aws:s3:::vocab-bucket/*"]},{"Effect":"Deny","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::vocab-bucket","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
    ];
    let expected: [&[&[&str]]; 2] = [
        &[&["s3:GetObject", "s3:ListBucket"]],
        // Listing only from the network (a finding with `aws:SourceIp`), reading from anywhere.
        &[&["s3:GetObject"], &["s3:ListBucket"]],
    ];
    let zone = ZoneOfTrust::account("111111111111");
    for (text, expected) in policies.into_iter().zip(expected) {
        let policy = Policy::parse(text).unwrap();
        let fast = analyze_policy(&policy, &bucket(), &zone, &Options::default());
        let mut opts = Options::default();
        opts.reference_walk = true;
        let walk = analyze_policy(&policy, &bucket(), &zone, &opts);
        assert_eq!(fast, walk, "{text}");
        // The actions of each finding as Access Analyzer groups them, each finding with a
        // witness the evaluator allows.
        let actions: Vec<Vec<String>> = fast.iter().map(|f| f.action.clone()).collect();
        assert_eq!(actions, expected, "{text}");
        for f in &fast {
            let w = serde_json::to_value(f.witness.as_ref().unwrap()).unwrap();
            let case = Case::from_json_value(&w).unwrap();
            assert!(case.evaluate().unwrap().decision.is_allow(), "{text}");
        }
    }
}
