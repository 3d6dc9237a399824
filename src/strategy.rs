//! `proptest` strategies for policies, requests and zones of trust (feature `proptest`).
//!
//! The strategies draw from a small vocabulary (three accounts, one resource per type, a handful
//! of actions, principals, networks and organization paths) so that random requests often hit
//! random policies, and they favour the constructs where reasoning goes wrong: wildcards,
//! `NotAction` / `NotResource` / `NotPrincipal`, negated operators, `…IfExists`, set qualifiers
//! and organization conditions.
//!
//! Every policy-based resource type has a vocabulary ([`POLICY_TYPES`]): [`policy_for`],
//! [`external_request_for`] and [`resource_for`] take the type; [`bucket_policy`] and
//! [`external_request`] are the S3 bucket ones. The assertions ([`assert_no_public_access`],
//! [`assert_no_external_access`], [`assert_no_new_access`]) fail a case with a counterexample
//! request.
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

use crate::analyze::{Resource, ResourceType};
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

/// The policy-based resource types, each with a vocabulary.
pub const POLICY_TYPES: &[ResourceType] = &[
    ResourceType::S3Bucket,
    ResourceType::KmsKey,
    ResourceType::SqsQueue,
    ResourceType::LambdaFunction,
    ResourceType::IamRole,
    ResourceType::SecretsManagerSecret,
    ResourceType::SnsTopic,
    ResourceType::EcrRepository,
    ResourceType::EfsFileSystem,
    ResourceType::DynamoDbTable,
    ResourceType::DynamoDbStream,
    ResourceType::S3ExpressDirectoryBucket,
    ResourceType::LambdaLayerVersion,
];

/// One type's vocabulary.
#[derive(Clone, Debug)]
struct Vocab {
    /// The analysed resource.
    arn: &'static str,
    /// Concrete actions, each with the suffixes of the ARN its requests name (`""`: the ARN
    /// itself).
    actions: &'static [(&'static str, &'static [&'static str])],
    /// Action patterns beyond the concrete ones (wildcards, other spellings, other services).
    action_patterns: &'static [&'static str],
    /// Resource patterns beyond the ARN itself and `*`.
    resource_patterns: &'static [&'static str],
}

const S3_OBJECTS: &[&str] = &["/k", "/index.html", "/private/k", "/a/b/c"];

fn vocab(t: ResourceType) -> Vocab {
    match t {
        ResourceType::KmsKey => Vocab {
            arn: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            actions: &[
                ("kms:Decrypt", &[""]),
                ("kms:Encrypt", &[""]),
                ("kms:GenerateDataKey", &[""]),
                ("kms:DescribeKey", &[""]),
            ],
            action_patterns: &["kms:*", "kms:Gen*", "*", "kms:?ncrypt", "KMS:DECRYPT"],
            resource_patterns: &[
                "arn:aws:kms:*:111111111111:key/*",
                "arn:aws:kms:us-east-1:111111111111:alias/vocab",
            ],
        },
        ResourceType::SqsQueue => Vocab {
            arn: "arn:aws:sqs:us-east-1:111111111111:vocab-queue",
            actions: &[
                ("sqs:SendMessage", &[""]),
                ("sqs:ReceiveMessage", &[""]),
                ("sqs:DeleteMessage", &[""]),
                ("sqs:GetQueueAttributes", &[""]),
            ],
            action_patterns: &[
                "sqs:*",
                "sqs:Get*",
                "*",
                "sqs:?endMessage",
                "SQS:SENDMESSAGE",
            ],
            resource_patterns: &[
                "arn:aws:sqs:*:111111111111:vocab-*",
                "arn:aws:sqs:us-east-1:111111111111:other-queue",
            ],
        },
        ResourceType::LambdaFunction => Vocab {
            arn: "arn:aws:lambda:us-east-1:111111111111:function:vocab-fn",
            // Requests on a qualified ARN (`:prod`, `:1`) are governed by that alias's or
            // version's own policy, except for the actions whose resource is an alias or a
            // version (provisioned concurrency).
            actions: &[
                ("lambda:InvokeFunction", &[""]),
                ("lambda:GetFunction", &[""]),
                ("lambda:UpdateFunctionCode", &[""]),
                ("lambda:GetProvisionedConcurrencyConfig", &[":prod", ":1"]),
            ],
            action_patterns: &[
                "lambda:*",
                "lambda:Get*",
                "*",
                "lambda:?nvokeFunction",
                "lambda:GetPolicy",
            ],
            resource_patterns: &[
                "arn:aws:lambda:us-east-1:111111111111:function:vocab-fn:*",
                "arn:aws:lambda:us-east-1:111111111111:function:vocab-*",
            ],
        },
        ResourceType::IamRole => Vocab {
            arn: "arn:aws:iam::111111111111:role/vocab-role",
            actions: &[
                ("sts:AssumeRole", &[""]),
                ("sts:TagSession", &[""]),
                ("sts:AssumeRoleWithWebIdentity", &[""]),
                ("sts:SetSourceIdentity", &[""]),
            ],
            action_patterns: &["sts:*", "sts:Assume*", "*", "STS:ASSUMEROLE"],
            resource_patterns: &[
                "arn:aws:iam::111111111111:role/*",
                "arn:aws:iam::111111111111:role/other",
            ],
        },
        ResourceType::SecretsManagerSecret => Vocab {
            arn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:vocab-AbCdEf",
            actions: &[
                ("secretsmanager:GetSecretValue", &[""]),
                ("secretsmanager:DescribeSecret", &[""]),
                ("secretsmanager:PutSecretValue", &[""]),
                ("secretsmanager:GetResourcePolicy", &[""]),
            ],
            action_patterns: &[
                "secretsmanager:*",
                "secretsmanager:Get*",
                "*",
                "secretsmanager:?utSecretValue",
            ],
            resource_patterns: &[
                "arn:aws:secretsmanager:us-east-1:111111111111:secret:vocab-??????",
                "arn:aws:secretsmanager:us-east-1:111111111111:secret:other-*",
            ],
        },
        ResourceType::SnsTopic => Vocab {
            arn: "arn:aws:sns:us-east-1:111111111111:vocab-topic",
            actions: &[
                ("sns:Publish", &[""]),
                ("sns:Subscribe", &[""]),
                ("sns:GetTopicAttributes", &[""]),
                ("sns:SetTopicAttributes", &[""]),
            ],
            action_patterns: &["sns:*", "SNS:Publish", "*", "sns:?etTopicAttributes"],
            resource_patterns: &[
                "arn:aws:sns:*:111111111111:vocab-*",
                "arn:aws:sns:us-east-1:111111111111:other-topic",
            ],
        },
        ResourceType::EcrRepository => Vocab {
            arn: "arn:aws:ecr:us-east-1:111111111111:repository/vocab-repo",
            actions: &[
                ("ecr:BatchGetImage", &[""]),
                ("ecr:GetDownloadUrlForLayer", &[""]),
                ("ecr:PutImage", &[""]),
                ("ecr:DescribeImages", &[""]),
            ],
            action_patterns: &["ecr:*", "ecr:Batch*", "*", "ecr:GetAuthorizationToken"],
            resource_patterns: &[
                "arn:aws:ecr:us-east-1:111111111111:repository/*",
                "arn:aws:ecr:us-east-1:111111111111:repository/other",
            ],
        },
        ResourceType::EfsFileSystem => Vocab {
            arn:
                "arn:aws:elasticfilesystem:us-east-1:111111111111:file-system/fs-0123456789abcdef0",
            actions: &[
                ("elasticfilesystem:ClientMount", &[""]),
                ("elasticfilesystem:ClientWrite", &[""]),
                ("elasticfilesystem:ClientRootAccess", &[""]),
                ("elasticfilesystem:DescribeFileSystems", &[""]),
            ],
            action_patterns: &["elasticfilesystem:*", "elasticfilesystem:Client*", "*"],
            resource_patterns: &[
                "arn:aws:elasticfilesystem:*:111111111111:file-system/*",
                "arn:aws:elasticfilesystem:us-east-1:111111111111:file-system/fs-other",
            ],
        },
        ResourceType::DynamoDbTable => Vocab {
            arn: "arn:aws:dynamodb:us-east-1:111111111111:table/vocab",
            actions: &[
                ("dynamodb:GetItem", &[""]),
                ("dynamodb:PutItem", &[""]),
                ("dynamodb:Query", &["", "/index/by-date"]),
                ("dynamodb:Scan", &["", "/index/by-date"]),
            ],
            action_patterns: &["dynamodb:*", "dynamodb:*Item", "*", "dynamodb:GetRecords"],
            resource_patterns: &[
                "arn:aws:dynamodb:us-east-1:111111111111:table/vocab/index/*",
                "arn:aws:dynamodb:us-east-1:111111111111:table/vocab*",
            ],
        },
        ResourceType::DynamoDbStream => Vocab {
            arn:
                "arn:aws:dynamodb:us-east-1:111111111111:table/vocab/stream/2024-05-01T00:00:00.000",
            actions: &[
                ("dynamodb:GetRecords", &[""]),
                ("dynamodb:GetShardIterator", &[""]),
                ("dynamodb:DescribeStream", &[""]),
                ("dynamodb:ListTagsOfResource", &[""]),
            ],
            action_patterns: &["dynamodb:*", "dynamodb:Get*", "*", "dynamodb:GetItem"],
            resource_patterns: &[
                "arn:aws:dynamodb:us-east-1:111111111111:table/vocab/stream/*",
                "arn:aws:dynamodb:us-east-1:111111111111:table/vocab",
            ],
        },
        ResourceType::S3ExpressDirectoryBucket => Vocab {
            arn: "arn:aws:s3express:us-east-1:111111111111:bucket/vocab--use1-az4--x-s3",
            actions: &[
                ("s3express:CreateSession", &[""]),
                ("s3express:GetBucketPolicy", &[""]),
                ("s3express:PutBucketPolicy", &[""]),
                ("s3express:DeleteBucket", &[""]),
            ],
            action_patterns: &[
                "s3express:*",
                "s3express:*BucketPolicy",
                "*",
                "s3:GetObject",
            ],
            resource_patterns: &[
                "arn:aws:s3express:us-east-1:111111111111:bucket/*",
                "arn:aws:s3express:us-east-1:111111111111:bucket/other--use1-az4--x-s3",
            ],
        },
        ResourceType::LambdaLayerVersion => Vocab {
            arn: "arn:aws:lambda:us-east-1:111111111111:layer:vocab:1",
            actions: &[
                ("lambda:GetLayerVersion", &[""]),
                ("lambda:GetLayerVersionPolicy", &[""]),
                ("lambda:DeleteLayerVersion", &[""]),
                ("lambda:AddLayerVersionPermission", &[""]),
            ],
            action_patterns: &["lambda:*", "lambda:GetLayer*", "*", "lambda:InvokeFunction"],
            resource_patterns: &[
                "arn:aws:lambda:us-east-1:111111111111:layer:vocab:*",
                "arn:aws:lambda:us-east-1:111111111111:layer:vocab:2",
            ],
        },
        // S3 buckets, and the types without a policy (which have no vocabulary of their own).
        _ => Vocab {
            arn: BUCKET,
            actions: &[
                ("s3:GetObject", S3_OBJECTS),
                ("s3:PutObject", S3_OBJECTS),
                ("s3:ListBucket", &[""]),
                ("s3:GetBucketAcl", &[""]),
            ],
            action_patterns: &["s3:Get*", "s3:*", "*", "s3:?utObject", "S3:LISTBUCKET"],
            resource_patterns: &[
                "arn:aws:s3:::vocab-bucket/*",
                "arn:aws:s3:::vocab-bucket/private/*",
                "arn:aws:s3:::vocab-*",
            ],
        },
    }
}

/// The resource the vocabulary of a type is about, owned by [`OWNER`] (the S3 bucket for a type
/// without a policy).
pub fn resource_for(t: ResourceType) -> Resource {
    let t = if POLICY_TYPES.contains(&t) {
        t
    } else {
        ResourceType::S3Bucket
    };
    Resource::new(vocab(t).arn, t, OWNER)
}

fn action_pattern(v: &Vocab) -> impl Strategy<Value = String> {
    let concrete: Vec<String> = v.actions.iter().map(|(a, _)| a.to_string()).collect();
    let patterns: Vec<String> = v.action_patterns.iter().map(|a| a.to_string()).collect();
    prop_oneof![
        4 => proptest::sample::select(concrete),
        patterns.len() as u32 => proptest::sample::select(patterns),
    ]
}

fn resource_pattern(v: &Vocab) -> impl Strategy<Value = String> {
    let patterns: Vec<String> = v.resource_patterns.iter().map(|r| r.to_string()).collect();
    prop_oneof![
        2 => Just(v.arn.to_string()),
        1 => Just("*".to_string()),
        3 => proptest::sample::select(patterns),
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

fn statement(v: &Vocab, effect_allow_weight: u32) -> impl Strategy<Value = Value> {
    (
        prop_oneof![effect_allow_weight => Just("Allow"), 1 => Just("Deny")],
        prop_oneof![6 => Just(false), 1 => Just(true)],
        principal_element(),
        prop_oneof![5 => Just(false), 1 => Just(true)],
        proptest::collection::vec(action_pattern(v), 1..3),
        prop_oneof![5 => Just(false), 1 => Just(true)],
        proptest::collection::vec(resource_pattern(v), 1..3),
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

/// A policy over the vocabulary of a resource type, as JSON.
pub fn policy_json_for(t: ResourceType) -> impl Strategy<Value = Value> {
    let v = vocab(resource_for(t).resource_type);
    proptest::collection::vec(statement(&v, 3), 1..5)
        .prop_map(|stmts| json!({"Version": "2012-10-17", "Statement": stmts}))
}

/// A policy over the vocabulary of a resource type.
pub fn policy_for(t: ResourceType) -> impl Strategy<Value = Policy> {
    policy_json_for(t).prop_filter_map("policy parses", |v| Policy::from_json_value(&v).ok())
}

/// A bucket policy over the vocabulary, as JSON.
pub fn bucket_policy_json() -> impl Strategy<Value = Value> {
    policy_json_for(ResourceType::S3Bucket)
}

/// A bucket policy over the vocabulary.
pub fn bucket_policy() -> impl Strategy<Value = Policy> {
    policy_for(ResourceType::S3Bucket)
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
    external_request_for(ResourceType::S3Bucket)
}

/// A request from outside the owner's account to the resource of a type's vocabulary (or the
/// ARNs below it that its actions name: S3 objects, DynamoDB indexes, Lambda qualifiers), with no
/// policies attached, as [`external_request`].
pub fn external_request_for(t: ResourceType) -> impl Strategy<Value = Case> {
    let v = vocab(resource_for(t).resource_type);
    let arn = v.arn;
    let actions = v.actions;
    (external_caller(), 0..actions.len(), 0..4usize, context()).prop_map(
        move |(caller, a, sub, mut ctx)| {
            let (action, subs) = actions.get(a).copied().unwrap_or(("", &[""]));
            let suffix = subs.get(sub % subs.len().max(1)).copied().unwrap_or("");
            if !caller.is_iam_identity() {
                ctx.remove("aws:PrincipalOrgID");
                ctx.remove("aws:PrincipalOrgPaths");
            }
            Case {
                principal: caller,
                action: action.to_string(),
                resource: format!("{arn}{suffix}"),
                resource_account: Some(OWNER.to_string()),
                context: ctx,
                identity_policies: Vec::new(),
                resource_policy: None,
                permission_boundary: None,
                session_policies: Vec::new(),
                service_control_policies: Vec::new(),
                resource_control_policies: Vec::new(),
            }
        },
    )
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

/// Fail when `new` allows some request that `reference` does not (Access Analyzer's
/// `CheckNoNewAccess`, decided exactly by [`crate::check`]). `reference` is typically the policy
/// `new` replaces, or a guardrail that states the most a policy may allow. The message holds the
/// statements of `new` through which the access exists and a counterexample request in
/// `perimeter eval`'s case format.
///
/// A check that cannot be decided (out of its work budget, or an answer that depends on a policy
/// variable in a way the analysis cannot pin down) also fails the case, with the reason: a
/// property that passes is a proof over every request, never a guess.
///
/// ```
/// # #[cfg(feature = "proptest")] {
/// use perimeter::check::PolicyType;
/// use perimeter::policy::Policy;
/// use perimeter::strategy::assert_no_new_access;
///
/// let guardrail = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
///     {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}"#).unwrap();
/// let read = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}"#).unwrap();
/// let admin = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#).unwrap();
/// assert!(assert_no_new_access(&read, &guardrail, PolicyType::Identity).is_ok());
/// let failure = assert_no_new_access(&admin, &guardrail, PolicyType::Identity).unwrap_err();
/// assert!(failure.to_string().contains("s3:DeleteBucket"));
/// # }
/// ```
///
/// # Errors
/// A proptest `TestCaseError` describing the new access, or why the check could not decide.
pub fn assert_no_new_access(
    new: &Policy,
    reference: &Policy,
    policy_type: crate::check::PolicyType,
) -> Result<(), proptest::test_runner::TestCaseError> {
    use proptest::test_runner::TestCaseError;
    let result = crate::check::check_no_new_access(new, reference, policy_type)
        .map_err(|e| TestCaseError::fail(format!("no new access could not be decided: {e}")))?;
    if result.result == crate::check::Outcome::Pass {
        return Ok(());
    }
    let reasons: Vec<String> = result
        .reasons
        .iter()
        .map(|r| r.description.clone())
        .collect();
    let counterexample = result
        .counterexample
        .as_ref()
        .map(|c| c.to_string())
        .unwrap_or_else(|| "(none)".into());
    Err(TestCaseError::fail(format!(
        "new access: {} ({})\ncounterexample request (perimeter eval): {counterexample}",
        result.message,
        reasons.join("; ")
    )))
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
