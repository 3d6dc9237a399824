//! `proptest` strategies for policies, requests and zones of trust (feature `proptest`).
//!
//! The strategies draw from a small vocabulary (three accounts, one bucket, a handful of actions,
//! principals, networks and organization paths) so that random requests often hit random
//! policies, and they favour the constructs where reasoning goes wrong: wildcards, `NotAction` /
//! `NotResource` / `NotPrincipal`, negated operators, `…IfExists`, set qualifiers and organization
//! conditions.
//!
//! ```
//! # #[cfg(feature = "proptest")] {
//! use perimeter::strategy::{bucket_policy, external_request};
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! let policy = bucket_policy().new_tree(&mut runner).unwrap().current();
//! let request = external_request().new_tree(&mut runner).unwrap().current();
//! assert!(!policy.statements.is_empty());
//! assert_eq!(request.resource_account.as_deref(), Some(perimeter::strategy::OWNER));
//! # }
//! ```

use crate::eval::{Caller, Case};
use crate::policy::Policy;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// The account that owns the resources of the vocabulary.
pub const OWNER: &str = "111111111111";
/// Another account (sometimes trusted by the zones of [`zone`]).
pub const PARTNER: &str = "222222222222";
/// An account never trusted.
pub const STRANGER: &str = "333333333333";
/// The organization of the owner in the vocabulary.
pub const ORG: &str = "o-owner11111";
/// The bucket of the vocabulary.
pub const BUCKET: &str = "arn:aws:s3:::vocab-bucket";

const ACCOUNTS: [&str; 3] = [OWNER, PARTNER, STRANGER];

/// Actions on the bucket (concrete names).
pub const ACTIONS: [&str; 4] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:GetBucketAcl",
];

fn action_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(ACTIONS.to_vec()).prop_map(str::to_string),
        1 => Just("s3:Get*".to_string()),
        1 => Just("s3:*".to_string()),
        1 => Just("*".to_string()),
        1 => Just("s3:?utObject".to_string()),
        1 => Just("S3:LISTBUCKET".to_string()),
    ]
}

fn resource_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(format!("{BUCKET}/*")),
        2 => Just(BUCKET.to_string()),
        1 => Just(format!("{BUCKET}/private/*")),
        1 => Just("*".to_string()),
        1 => Just("arn:aws:s3:::vocab-*".to_string()),
    ]
}

fn principal_value() -> impl Strategy<Value = String> {
    let acct = proptest::sample::select(ACCOUNTS.to_vec());
    prop_oneof![
        2 => Just("*".to_string()),
        2 => acct.clone().prop_map(str::to_string),
        1 => acct.clone().prop_map(|a| format!("arn:aws:iam::{a}:root")),
        2 => acct.clone().prop_map(|a| format!("arn:aws:iam::{a}:role/app")),
        1 => acct.clone().prop_map(|a| format!("arn:aws:iam::{a}:user/alice")),
        1 => acct.prop_map(|a| format!("arn:aws:sts::{a}:assumed-role/app/job")),
    ]
}

/// A `Principal` or `NotPrincipal` element value.
fn principal_element() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => Just(json!("*")),
        5 => proptest::collection::vec(principal_value(), 1..3).prop_map(|v| json!({"AWS": v})),
        1 => Just(json!({"Service": "cloudtrail.amazonaws.com"})),
        1 => Just(json!({"Federated": "accounts.google.com"})),
    ]
}

/// One condition: (operator, key, values).
fn condition() -> impl Strategy<Value = (String, String, Value)> {
    let acct = proptest::sample::select(ACCOUNTS.to_vec());
    prop_oneof![
        3 => (
            proptest::sample::select(vec!["StringEquals", "StringNotEquals", "StringEqualsIfExists", "StringNotEqualsIfExists"]),
            proptest::sample::select(vec![ORG, "o-other22222"]),
        ).prop_map(|(op, v)| (op.to_string(), "aws:PrincipalOrgID".to_string(), json!(v))),
        3 => (
            proptest::sample::select(vec!["StringLike", "StringNotLike", "ArnLike", "ArnNotLike"]),
            acct.clone(),
            proptest::sample::select(vec!["role/*", "user/alice", "*", "role/ap?"]),
        ).prop_map(|(op, a, tail)| (op.to_string(), "aws:PrincipalArn".to_string(), json!(format!("arn:aws:iam::{a}:{tail}")))),
        2 => (
            proptest::sample::select(vec!["StringEquals", "StringNotEquals"]),
            proptest::collection::vec(acct, 1..3),
        ).prop_map(|(op, v)| (op.to_string(), "aws:PrincipalAccount".to_string(), json!(v))),
        3 => (
            proptest::sample::select(vec!["IpAddress", "NotIpAddress"]),
            proptest::collection::vec(proptest::sample::select(vec!["203.0.113.0/24", "203.0.113.7/32", "10.0.0.0/8", "198.51.100.0/25"]), 1..3),
        ).prop_map(|(op, v)| (op.to_string(), "aws:SourceIp".to_string(), json!(v))),
        2 => (
            proptest::sample::select(vec!["StringEquals", "StringNotEquals", "StringEqualsIfExists"]),
            proptest::sample::select(vec!["vpce-11111111", "vpce-22222222"]),
        ).prop_map(|(op, v)| (op.to_string(), "aws:SourceVpce".to_string(), json!(v))),
        2 => (
            proptest::sample::select(vec!["ForAnyValue:StringLike", "ForAllValues:StringLike", "ForAnyValue:StringNotLike"]),
            proptest::sample::select(vec![format!("{ORG}/r-root/ou-a/*"), "o-other22222/*".to_string()]),
        ).prop_map(|(op, v)| (op.to_string(), "aws:PrincipalOrgPaths".to_string(), json!(v))),
        2 => proptest::sample::select(vec!["true", "false"])
            .prop_map(|v| ("Bool".to_string(), "aws:SecureTransport".to_string(), json!(v))),
        1 => proptest::sample::select(vec!["true", "false"])
            .prop_map(|v| ("Null".to_string(), "aws:SourceVpce".to_string(), json!(v))),
        1 => proptest::sample::select(vec!["NumericLessThan", "NumericGreaterThanEquals"])
            .prop_map(|op| (op.to_string(), "s3:max-keys".to_string(), json!("100"))),
    ]
}

fn statement(effect_allow_weight: u32) -> impl Strategy<Value = Value> {
    (
        prop_oneof![effect_allow_weight => Just("Allow"), 1 => Just("Deny")],
        prop_oneof![6 => Just(false), 1 => Just(true)],
        principal_element(),
        prop_oneof![5 => Just(false), 1 => Just(true)],
        proptest::collection::vec(action_pattern(), 1..3),
        prop_oneof![5 => Just(false), 1 => Just(true)],
        proptest::collection::vec(resource_pattern(), 1..3),
        proptest::collection::vec(condition(), 0..3),
    )
        .prop_map(
            |(
                effect,
                not_principal,
                principal,
                not_action,
                actions,
                not_resource,
                resources,
                conds,
            )| {
                let mut s = Map::new();
                s.insert("Effect".into(), json!(effect));
                // NotPrincipal is only meaningful (and supported) with Deny.
                let np = not_principal && effect == "Deny" && principal != json!("*");
                s.insert(
                    if np { "NotPrincipal" } else { "Principal" }.into(),
                    principal,
                );
                s.insert(
                    if not_action { "NotAction" } else { "Action" }.into(),
                    json!(actions),
                );
                s.insert(
                    if not_resource {
                        "NotResource"
                    } else {
                        "Resource"
                    }
                    .into(),
                    json!(resources),
                );
                let mut c: Map<String, Value> = Map::new();
                for (op, key, v) in conds {
                    let block = c.entry(op).or_insert_with(|| json!({}));
                    if let Some(m) = block.as_object_mut() {
                        m.entry(key).or_insert(v);
                    }
                }
                if !c.is_empty() {
                    s.insert("Condition".into(), Value::Object(c));
                }
                Value::Object(s)
            },
        )
}

/// A bucket policy over the vocabulary, as JSON.
pub fn bucket_policy_json() -> impl Strategy<Value = Value> {
    proptest::collection::vec(statement(3), 1..5)
        .prop_map(|stmts| json!({"Version": "2012-10-17", "Statement": stmts}))
}

/// A bucket policy over the vocabulary.
pub fn bucket_policy() -> impl Strategy<Value = Policy> {
    bucket_policy_json().prop_filter_map("policy parses", |v| Policy::from_json_value(&v).ok())
}

/// A caller from outside the owner's account (or anonymous).
pub fn external_caller() -> impl Strategy<Value = Caller> {
    let acct = proptest::sample::select(vec![PARTNER, STRANGER]);
    prop_oneof![
        2 => Just(Caller::Anonymous),
        1 => acct.clone().prop_filter_map("parses", |a| Caller::parse(&format!("arn:aws:iam::{a}:root")).ok()),
        2 => acct.clone().prop_filter_map("parses", |a| Caller::parse(&format!("arn:aws:sts::{a}:assumed-role/app/job")).ok()),
        1 => acct.clone().prop_filter_map("parses", |a| Caller::parse(&format!("arn:aws:sts::{a}:assumed-role/other/s")).ok()),
        1 => acct.prop_filter_map("parses", |a| Caller::parse(&format!("arn:aws:iam::{a}:user/alice")).ok()),
        1 => Just(Caller::Federated { provider: "accounts.google.com".into() }),
    ]
}

fn context() -> impl Strategy<Value = Map<String, Value>> {
    (
        proptest::option::of(proptest::sample::select(vec![
            "203.0.113.7",
            "203.0.113.99",
            "10.1.2.3",
            "192.0.2.1",
        ])),
        proptest::option::of(proptest::sample::select(vec![ORG, "o-other22222"])),
        proptest::option::of(proptest::sample::select(vec![
            "vpce-11111111",
            "vpce-22222222",
            "",
        ])),
        proptest::option::of(proptest::sample::select(vec![
            vec![format!("{ORG}/r-root/ou-a/")],
            vec!["o-other22222/r-x/".to_string()],
            vec![],
        ])),
        proptest::option::of(proptest::sample::select(vec!["true", "false"])),
        proptest::option::of(proptest::sample::select(vec!["5", "500"])),
    )
        .prop_map(|(ip, org, vpce, paths, tls, keys)| {
            let mut m = Map::new();
            if let Some(v) = ip {
                m.insert("aws:SourceIp".into(), json!(v));
            }
            if let Some(v) = org {
                m.insert("aws:PrincipalOrgID".into(), json!(v));
            }
            if let Some(v) = vpce {
                m.insert("aws:SourceVpce".into(), json!(v));
            }
            if let Some(v) = paths {
                m.insert("aws:PrincipalOrgPaths".into(), json!(v));
            }
            if let Some(v) = tls {
                m.insert("aws:SecureTransport".into(), json!(v));
            }
            if let Some(v) = keys {
                m.insert("s3:max-keys".into(), json!(v));
            }
            m
        })
}

/// A request from outside the owner's account to the vocabulary's bucket (or its objects), with
/// no policies attached: set them on the case before evaluating. Principal-describing keys
/// (`aws:PrincipalOrgID`, paths) are only set for IAM callers, as AWS does.
pub fn external_request() -> impl Strategy<Value = Case> {
    (
        external_caller(),
        proptest::sample::select(ACTIONS.to_vec()),
        proptest::sample::select(vec!["", "/index.html", "/private/k", "/a/b/c"]),
        context(),
    )
        .prop_map(|(caller, action, key, mut ctx)| {
            let resource = if action == "s3:ListBucket" || action == "s3:GetBucketAcl" {
                BUCKET.to_string()
            } else {
                format!("{BUCKET}{}", if key.is_empty() { "/k" } else { key })
            };
            if !caller.is_iam_identity() {
                ctx.remove("aws:PrincipalOrgID");
                ctx.remove("aws:PrincipalOrgPaths");
            }
            Case {
                principal: caller,
                action: action.to_string(),
                resource,
                resource_account: Some(OWNER.to_string()),
                context: ctx,
                identity_policies: Vec::new(),
                resource_policy: None,
                permission_boundary: None,
                session_policies: Vec::new(),
                service_control_policies: Vec::new(),
                resource_control_policies: Vec::new(),
            }
        })
}

/// A zone of trust: the owner's account, sometimes with the partner trusted too.
pub fn zone() -> impl Strategy<Value = crate::analyze::ZoneOfTrust> {
    prop_oneof![
        3 => Just(crate::analyze::ZoneOfTrust::account(OWNER)),
        1 => Just(crate::analyze::ZoneOfTrust::account(OWNER).with_trusted_account(PARTNER)),
    ]
}

/// Fail (as a proptest case failure) when anyone outside `zone` can reach `resource` through
/// `policy`; the message holds the finding and its witness request, ready for `perimeter eval`.
///
/// # Errors
/// A proptest `TestCaseError` describing the first external access
/// found.
pub fn assert_no_external_access(
    policy: &Policy,
    resource: &crate::analyze::Resource,
    zone: &crate::analyze::ZoneOfTrust,
) -> Result<(), proptest::test_runner::TestCaseError> {
    let findings =
        crate::analyze::analyze_policy(policy, resource, zone, &crate::analyze::Options::default());
    match findings.first() {
        None => Ok(()),
        Some(f) => Err(proptest::test_runner::TestCaseError::fail(describe(
            "external access",
            f,
        ))),
    }
}

/// Fail when `policy` grants public access to `resource` (a finding with `isPublic`), with the
/// finding and its witness request in the message.
///
/// # Errors
/// A proptest `TestCaseError` describing the public access.
pub fn assert_no_public_access(
    policy: &Policy,
    resource: &crate::analyze::Resource,
) -> Result<(), proptest::test_runner::TestCaseError> {
    let zone = crate::analyze::ZoneOfTrust::account(&resource.owner_account);
    let findings = crate::analyze::analyze_policy(
        policy,
        resource,
        &zone,
        &crate::analyze::Options::default(),
    );
    match findings
        .iter()
        .find(|f| f.is_public == Some(true) || f.error.is_some())
    {
        None => Ok(()),
        Some(f) => Err(proptest::test_runner::TestCaseError::fail(describe(
            "public access",
            f,
        ))),
    }
}

fn describe(what: &str, f: &crate::analyze::Finding) -> String {
    let finding = serde_json::to_string(&crate::analyze::Finding {
        witness: None,
        ..f.clone()
    })
    .unwrap_or_default();
    let witness = f
        .witness
        .as_ref()
        .map(|w| w.to_string())
        .unwrap_or_else(|| "(none)".into());
    format!("{what}: {finding}\ncounterexample request (perimeter eval): {witness}")
}
