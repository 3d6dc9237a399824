//! Recommendations and policy generation on the flaws2 CTF account (authorization details from
//! the CloudMapper demo, logs from the flaws2 trail), with known answers; and the refinement's
//! promise checked with the evaluator on random policies: the refined policy allows every used
//! action the original allowed, and nothing the original did not.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::sync::Arc;

use perimeter::activity::{
    find_unused, generate_policies, recommend, refine_policy, AccountInputs, ActivitySummary,
    AuthorizationDetails, CloudTrailReader, FindingType, GenerateOptions, ReadOptions, Refinement,
    Timestamp, UnusedAccessOptions, MAX_POLICY_CHARS,
};
use perimeter::eval::{evaluate, Caller, PolicySet, Request};
use perimeter::policy::Policy;
use proptest::prelude::*;

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn authz() -> AuthorizationDetails {
    AuthorizationDetails::parse(
        &std::fs::read_to_string(root().join("authorization-details/flaws2-scenario.json"))
            .unwrap(),
    )
    .unwrap()
}

fn logs(options: ReadOptions) -> ActivitySummary {
    let mut reader = CloudTrailReader::new(options);
    reader.read_path(&root().join("cloudtrail/flaws2")).unwrap();
    reader.finish().0
}

const LEVEL1: &str = "arn:aws:iam::653711331788:role/service-role/level1";
const LEVEL3: &str = "arn:aws:iam::653711331788:role/level3";

/// A week after the attack, with recommendations: `level3` never used `s3:GetBucketLocation`,
/// so its inline policy keeps only `s3:ListAllMyBuckets`; `level1` never used
/// `ecr:GetAuthorizationToken`, so that statement goes, while `s3:GetObject` (a data event in a
/// used service, which the logs cannot judge) stays with its resource.
#[test]
fn flaws2_recommendations() {
    let now = t("2018-12-01T00:00:00Z");
    let authz = authz();
    let summary = logs(ReadOptions::default().not_after(now));
    let mut options = UnusedAccessOptions::new(now, 7).unwrap();
    options.recommendations = true;
    let result = find_unused(
        &summary,
        &AccountInputs {
            authorization: Some(&authz),
            ..AccountInputs::default()
        },
        &options,
    );
    let recs: Vec<serde_json::Value> = result
        .findings
        .iter()
        .filter(|f| f.finding_type == FindingType::UnusedPermission)
        .map(|f| serde_json::to_value(f.recommendation.as_ref().unwrap()).unwrap())
        .collect();
    assert_eq!(
        recs,
        [
            serde_json::json!({
                "resourceArn": LEVEL3,
                "recommendationType": "UnusedPermissionRecommendation",
                "status": "SUCCEEDED",
                "recommendedSteps": [{"unusedPermissionsRecommendedStep": {
                    "recommendedAction": "CREATE_POLICY",
                    "recommendedPolicy": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":"*"}]}"#,
                    "existingPolicyId": "listbuckets"}}]
            }),
            serde_json::json!({
                "resourceArn": LEVEL1,
                "recommendationType": "UnusedPermissionRecommendation",
                "status": "SUCCEEDED",
                "recommendedSteps": [{"unusedPermissionsRecommendedStep": {
                    "recommendedAction": "CREATE_POLICY",
                    "recommendedPolicy": concat!(
                        r#"{"Version":"2012-10-17","Statement":["#,
                        r#"{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::level1.flaws2.cloud/*"},"#,
                        r#"{"Effect":"Allow","Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::level1.flaws2.cloud"},"#,
                        r#"{"Effect":"Allow","Action":["ecr:ListImages","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage"],"Resource":"arn:aws:ecr:*:653711331788:repository/level2"}]}"#
                    ),
                    "existingPolicyId": "level1"}}]
            }),
        ]
    );
    // Without the option, no recommendation.
    let plain = find_unused(
        &summary,
        &AccountInputs {
            authorization: Some(&authz),
            ..AccountInputs::default()
        },
        &UnusedAccessOptions::new(now, 7).unwrap(),
    );
    assert!(plain.findings.iter().all(|f| f.recommendation.is_none()));

    // Asked on its own, for a role whose grants were all unused in the period: `bad_role`
    // (never used) would detach its AWS managed policy, and keep of its inline `*` only
    // `iam:PassRole`, whose use no log shows.
    let bad = recommend(
        &authz,
        "arn:aws:iam::653711331788:role/bad_role",
        &summary,
        &options,
    )
    .unwrap();
    let steps = serde_json::to_value(bad.all()).unwrap();
    assert_eq!(
        steps["recommendedSteps"],
        serde_json::json!([
            {"unusedPermissionsRecommendedStep": {"recommendedAction": "CREATE_POLICY", "existingPolicyId": "dostuff",
                "recommendedPolicy": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole"],"Resource":"*"}]}"#}},
            {"unusedPermissionsRecommendedStep": {"recommendedAction": "DETACH_POLICY",
                "existingPolicyId": "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM",
                "policyUpdatedAt": "2019-05-07T18:55:12Z"}}
        ])
    );
}

/// Policy generation for the two roles the attacker used, over the 90 days before a week after
/// the attack: templates, then the resources the events named.
#[test]
fn flaws2_generated_policies() {
    let now = t("2018-12-01T00:00:00Z");
    let options = GenerateOptions::new(now, 90).unwrap();
    let summary = logs(
        ReadOptions::default()
            .not_after(now)
            .not_before(options.start),
    );
    let level1 = generate_policies(&summary, LEVEL1, &options);
    assert_eq!(
        level1.policies(),
        [serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:ListImages"],
             "Resource": "arn:aws:ecr:${Region}:${Account}:repository/${RepositoryName}"},
            // Denied five times: Access Analyzer generates denied calls too.
            {"Effect": "Allow", "Action": ["logs:CreateLogStream"],
             "Resource": "arn:aws:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"},
            // The event named the bucket, so only the bucket type of `s3:ListBucket`.
            {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "arn:aws:s3:::${BucketName}"}
        ]})]
    );
    let result = serde_json::to_value(&level1.generated_policy_result).unwrap();
    assert_eq!(
        result["properties"],
        serde_json::json!({"isComplete": true, "principalArn": LEVEL1,
            "cloudTrailProperties": {"startTime": "2018-09-02T00:00:00Z", "endTime": "2018-12-01T00:00:00Z"}})
    );
    assert!(result["generatedPolicies"][0]["policy"].is_string());
    assert!(level1.notes.limitations[0].starts_with("iam:PassRole"));

    let observed = generate_policies(
        &summary,
        LEVEL1,
        &GenerateOptions {
            observed_resources: true,
            ..options.clone()
        },
    );
    assert_eq!(
        observed.policies(),
        [serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:ListImages"],
             "Resource": "arn:aws:ecr:us-east-1:653711331788:repository/level2"},
            {"Effect": "Allow", "Action": ["logs:CreateLogStream"],
             "Resource": "arn:aws:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"},
            {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "arn:aws:s3:::level1.flaws2.cloud"}
        ]})]
    );
    // The denied calls named no log stream: a template stands in, and the notes say so.
    assert_eq!(observed.notes.placeholders, ["logs:CreateLogStream"]);

    let level3 = generate_policies(&summary, LEVEL3, &options);
    assert_eq!(
        level3.policies(),
        [serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": "*"}]})]
    );
    // Leaving denied calls out drops `logs:CreateLogStream`.
    let allowed_only = generate_policies(
        &summary,
        LEVEL1,
        &GenerateOptions {
            count_denied: false,
            ..options.clone()
        },
    );
    assert!(!allowed_only
        .actions
        .iter()
        .any(|a| a.action == "logs:CreateLogStream"));
    // A window that ends before the attack sees nothing.
    let before = generate_policies(
        &summary,
        LEVEL1,
        &GenerateOptions::new(t("2018-11-28T00:00:00Z"), 30).unwrap(),
    );
    assert!(before.policies().is_empty());
}

// ---- The refinement's promise, checked with the evaluator ----

const ACCOUNT: &str = "111122223333";
const ROLE: &str = "arn:aws:iam::111122223333:role/app";

/// Action values to build statements from: literals, wildcards of several widths, unknown ones.
const ACTION_VALUES: &[&str] = &[
    "s3:GetObject",
    "s3:ListBucket",
    "s3:GetBucket*",
    "s3:Get*",
    "s3:*",
    "s3:Put*",
    "ec2:Describe*",
    "ec2:DescribeInstances",
    "ec2:RunInstances",
    "iam:PassRole",
    "iam:List*",
    "iam:GetRole",
    "sqs:*",
    "sqs:SendMessage",
    "kms:Decrypt",
    "kms:*crypt*",
    "newsvc:*",
    "newsvc:DoThing",
    "*",
];

/// Actions to use and to ask about (known and unknown to the catalog).
const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:GetBucketPolicy",
    "s3:GetBucketLocation",
    "s3:ListBucket",
    "s3:PutObject",
    "s3:PutBucketPolicy",
    "s3:ListAllMyBuckets",
    "ec2:DescribeInstances",
    "ec2:DescribeVpcs",
    "ec2:RunInstances",
    "iam:PassRole",
    "iam:ListRoles",
    "iam:GetRole",
    "sqs:SendMessage",
    "sqs:CreateQueue",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:CreateKey",
    "newsvc:DoThing",
    "newsvc:Other",
    "lambda:InvokeFunction",
];

const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-b/key",
    "arn:aws:ec2:us-east-1:111122223333:instance/*",
    "arn:aws:iam::111122223333:role/*",
];

const REQUEST_RESOURCES: &[&str] = &[
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/key",
    "arn:aws:s3:::bucket-b/key",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
    "arn:aws:iam::111122223333:role/worker",
    "arn:aws:sqs:us-east-1:111122223333:q",
];

fn statement_json(
    effect: bool,
    not_action: bool,
    actions: &[usize],
    resources: &[usize],
    condition: bool,
    sid: usize,
) -> String {
    let list = |xs: Vec<&str>| {
        xs.iter()
            .map(|x| format!("\"{x}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let acts = list(actions.iter().map(|i| ACTION_VALUES[*i]).collect());
    let res = list(resources.iter().map(|i| RESOURCES[*i]).collect());
    format!(
        r#"{{"Sid":"S{sid}","Effect":"{}","{}":[{acts}],"Resource":[{res}]{}}}"#,
        if effect { "Allow" } else { "Deny" },
        if not_action { "NotAction" } else { "Action" },
        if condition {
            r#","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}"#
        } else {
            ""
        }
    )
}

prop_compose! {
    fn arb_statement()(
        allow in prop::bool::weighted(0.85),
        not_action in prop::bool::weighted(0.15),
        actions in prop::collection::vec(0..ACTION_VALUES.len(), 1..4),
        resources in prop::collection::vec(0..RESOURCES.len(), 1..3),
        condition in prop::bool::weighted(0.2),
        sid in 0usize..100,
    ) -> String {
        statement_json(allow, not_action, &actions, &resources, condition, sid)
    }
}

prop_compose! {
    fn arb_policy()(statements in prop::collection::vec(arb_statement(), 1..4)) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","))
    }
}

fn allows(policy: &Policy, action: &str, resource: &str) -> bool {
    let set = PolicySet {
        identity: vec![Arc::new(policy.compile().unwrap())],
        ..PolicySet::default()
    };
    let req = Request::builder(Caller::parse(ROLE).unwrap(), action, resource)
        .resource_account(ACCOUNT)
        .build();
    evaluate(&req, &set).decision.is_allow()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn refined_policies_keep_used_access_and_add_none(
        policy in arb_policy(),
        used in prop::collection::vec(0..ACTIONS.len(), 0..6),
        extra in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let now = t("2024-05-01T00:00:00Z");
        let mut activity = ActivitySummary::new();
        for i in &used {
            activity.record_action(ROLE, ACTIONS[*i], t("2024-04-01T00:00:00Z"), false);
        }
        let original = Policy::parse(&policy).unwrap();
        let refined = refine_policy(
            &original,
            activity.principal(ROLE),
            &UnusedAccessOptions::new(now, 90).unwrap(),
        );
        let new = match &refined.refinement {
            Refinement::Unchanged => original.clone(),
            Refinement::Replace(p) => {
                // Valid policy text, within the statements of the original.
                let back = Policy::parse(&p.to_json()).unwrap();
                prop_assert!(back.statements.len() <= original.statements.len());
                back
            }
            Refinement::Detach => {
                // Nothing used was allowed by it.
                for i in &used {
                    for r in REQUEST_RESOURCES {
                        prop_assert!(!allows(&original, ACTIONS[*i], r), "{} on {r}", ACTIONS[*i]);
                    }
                }
                continue_with_empty()
            }
        };
        // The listed actions, and random ones of the services the pool names.
        let pool = catalog_pool();
        let mut asked: Vec<&str> = ACTIONS.to_vec();
        asked.extend(extra.iter().map(|i| pool[i.index(pool.len())].as_str()));
        for action in &asked {
            for r in REQUEST_RESOURCES {
                let before = allows(&original, action, r);
                let after = allows(&new, action, r);
                // Nothing the original did not allow.
                prop_assert!(!after || before, "{action} on {r} newly allowed:\n{policy}\n{}", new.to_json());
                // Every used action the original allowed is still allowed, on every resource.
                let was_used = used.iter().any(|i| ACTIONS[*i] == *action);
                if was_used && before {
                    prop_assert!(after, "{action} on {r} lost:\n{policy}\n{}", new.to_json());
                }
                // What was removed is no longer allowed anywhere.
                if refined.removed.contains(*action) {
                    prop_assert!(!was_used);
                }
            }
        }
    }
}

/// Every catalog action of the services the statements use.
fn catalog_pool() -> &'static [String] {
    static POOL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let c = perimeter::catalog::Catalog::embedded();
        ["s3", "ec2", "iam", "sqs", "kms", "lambda"]
            .iter()
            .flat_map(|s| c.service(s).unwrap().actions().map(|a| a.full_name()))
            .collect()
    })
}

/// A policy that allows nothing (what a detached policy contributes).
fn continue_with_empty() -> Policy {
    Policy::parse(r#"{"Version":"2012-10-17","Statement":[]}"#).unwrap()
}

/// Generated policies stay within the size limit and allow exactly the used actions on the
/// resources the events named, when asked for observed resources.
#[test]
fn generated_policies_allow_what_was_used() {
    let now = t("2024-05-01T00:00:00Z");
    let mut activity = ActivitySummary::new();
    let catalog = perimeter::catalog::Catalog::embedded();
    let mut used = Vec::new();
    for a in catalog.service("ec2").unwrap().actions().take(400) {
        activity.record_action(ROLE, &a.full_name(), t("2024-04-01T00:00:00Z"), false);
        used.push(a.full_name());
    }
    let g = generate_policies(&activity, ROLE, &GenerateOptions::new(now, 90).unwrap());
    let policies: Vec<Policy> = g
        .generated_policy_result
        .generated_policies
        .iter()
        .map(|p| {
            let chars = p.policy.chars().filter(|c| !c.is_whitespace()).count();
            assert!(chars <= MAX_POLICY_CHARS, "{chars}");
            Policy::parse(&p.policy).unwrap()
        })
        .collect();
    assert!(policies.len() > 1);
    let set = PolicySet {
        identity: policies
            .iter()
            .map(|p| Arc::new(p.compile().unwrap()))
            .collect(),
        ..PolicySet::default()
    };
    let ask = |action: &str| {
        let req = Request::builder(Caller::parse(ROLE).unwrap(), action, "*")
            .resource_account(ACCOUNT)
            .build();
        evaluate(&req, &set).decision.is_allow()
    };
    // Resource `*` requests: allowed exactly for the actions without resource-level support
    // (templates name no real resource), which all got `"*"`.
    for a in &used {
        let star = g.actions.iter().find(|x| &x.action == a).unwrap().resources == ["*"];
        assert_eq!(ask(a), star, "{a}");
    }
    assert!(!ask("ec2:TerminateInstancesX"));
    assert!(!ask("s3:GetObject"));
}
