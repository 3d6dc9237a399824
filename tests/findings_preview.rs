//! Access previews over resource policies: `changeType`, `existingFindingId`,
//! `existingFindingStatus`, the predicted status, the defaulting rules (keep, delete, new
//! resource), every resource type whose access comes from a resource policy, and filters on
//! preview findings.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

#[path = "support/findings.rs"]
#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod support;

use perimeter::analyze::{Finding, Options, Resource, ResourceType, Status, ZoneOfTrust};
use perimeter::findings::{
    apply_archive_rule, preview_policy, update, ArchiveRules, ChangeType, Filter, LifecycleOptions,
    PreviewFinding, ProposedPolicy,
};
use perimeter::policy::Policy;
use perimeter::ErrorKind;
use serde_json::json;
use support::{at, fixture};

fn policy(v: &serde_json::Value) -> Policy {
    Policy::parse(&v.to_string()).unwrap()
}

fn summary(p: &[PreviewFinding]) -> Vec<(ChangeType, Status, Option<Status>, String)> {
    let mut out: Vec<_> = p
        .iter()
        .map(|x| {
            (
                x.change_type,
                x.finding.status,
                x.existing_finding_status,
                x.finding
                    .principal
                    .values()
                    .next()
                    .cloned()
                    .unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The queue shared with two accounts, after a run in which the partner was archived.
fn existing_queue() -> (support::Fixture, Vec<Finding>, ArchiveRules) {
    let queue = fixture("two-account-queue");
    let rules = ArchiveRules::parse(
        r#"[{"ruleName": "partner", "filter": {"principal.AWS": {"eq": ["444455556666"]}}}]"#,
    )
    .unwrap();
    let found = support::analyse_fixture(&queue);
    let mut run = update(
        &[],
        &found,
        &ArchiveRules::none(),
        at("2025-01-01T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    apply_archive_rule(
        &mut run.findings,
        &rules.rules()[0],
        at("2025-01-02T00:00:00Z"),
    );
    (queue, run.findings, rules)
}

#[test]
fn change_types_against_existing_findings() {
    let (queue, existing, rules) = existing_queue();
    let zone = ZoneOfTrust::account("123456789012");
    let now = at("2025-02-01T00:00:00Z");
    let current = policy(&queue.policy);
    let preview = |proposed: &ProposedPolicy| {
        preview_policy(
            &queue.resource,
            Some(&current),
            proposed,
            &zone,
            Some(&existing),
            &ArchiveRules::none(),
            &Options::default(),
            now,
        )
        .unwrap()
    };

    // Keep: every existing finding is unchanged, with its status.
    let keep = preview(&ProposedPolicy::Keep);
    assert_eq!(
        summary(&keep),
        [
            (
                ChangeType::Unchanged,
                Status::Active,
                Some(Status::Active),
                "111122223333".into()
            ),
            (
                ChangeType::Unchanged,
                Status::Archived,
                Some(Status::Archived),
                "444455556666".into()
            ),
        ]
    );
    for p in &keep {
        let e = existing
            .iter()
            .find(|e| Some(&e.id) == p.existing_finding_id.as_ref())
            .unwrap();
        assert_eq!(p.finding.principal, e.principal);
        assert_eq!(
            p.finding.created_at.as_deref(),
            Some("2025-02-01T00:00:00Z")
        );
    }

    // Drop the first account and let a third one send messages.
    let mut proposed = queue.policy.clone();
    proposed["Statement"][0]["Principal"]["AWS"] = json!(["444455556666"]);
    proposed["Statement"].as_array_mut().unwrap().push(json!({"Effect": "Allow",
        "Principal": {"AWS": "999988887777"}, "Action": "sqs:SendMessage", "Resource": queue.resource.arn}));
    let changed = preview(&ProposedPolicy::Set(policy(&proposed)));
    assert_eq!(
        summary(&changed),
        [
            (ChangeType::New, Status::Active, None, "999988887777".into()),
            (
                ChangeType::Unchanged,
                Status::Archived,
                Some(Status::Archived),
                "444455556666".into()
            ),
            (
                ChangeType::Changed,
                Status::Resolved,
                Some(Status::Active),
                "111122223333".into()
            ),
        ]
    );
    let new = changed
        .iter()
        .find(|p| p.change_type == ChangeType::New)
        .unwrap();
    assert_eq!(new.finding.action, ["sqs:SendMessage"]);
    assert_eq!(new.existing_finding_id, None);

    // Opening the queue to everyone for one action changes the partner's finding too: the public
    // finding covers the partner's sqs:SendMessage, so the partner's finding (a new content) is
    // new and the archived one would be resolved.
    let mut public = queue.policy.clone();
    public["Statement"][0]["Principal"]["AWS"] = json!(["444455556666"]);
    public["Statement"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Effect": "Allow",
        "Principal": "*", "Action": "sqs:SendMessage", "Resource": queue.resource.arn}));
    let opened = preview(&ProposedPolicy::Set(policy(&public)));
    assert_eq!(
        summary(&opened),
        [
            (ChangeType::New, Status::Active, None, "*".into()),
            (ChangeType::New, Status::Active, None, "444455556666".into()),
            (
                ChangeType::Changed,
                Status::Resolved,
                Some(Status::Active),
                "111122223333".into()
            ),
            (
                ChangeType::Changed,
                Status::Resolved,
                Some(Status::Archived),
                "444455556666".into()
            ),
        ]
    );
    let star = opened
        .iter()
        .find(|p| p.finding.principal["AWS"] == "*")
        .unwrap();
    assert_eq!(star.finding.is_public, Some(true));
    let partner = opened
        .iter()
        .find(|p| p.change_type == ChangeType::New && p.finding.principal["AWS"] == "444455556666")
        .unwrap();
    assert!(!partner
        .finding
        .action
        .iter()
        .any(|a| a == "sqs:SendMessage"));
    let gone = changed
        .iter()
        .find(|p| p.change_type == ChangeType::Changed)
        .unwrap();
    let x1 = existing
        .iter()
        .find(|e| e.principal["AWS"] == "111122223333")
        .unwrap();
    assert_eq!(gone.existing_finding_id.as_ref(), Some(&x1.id));

    // Delete the policy: everything would be resolved.
    let deleted = preview(&ProposedPolicy::Delete);
    assert!(deleted
        .iter()
        .all(|p| p.change_type == ChangeType::Changed && p.finding.status == Status::Resolved));
    assert_eq!(deleted.len(), 2);

    // The rules predict the status of new access.
    let mut partner_again = queue.policy.clone();
    partner_again["Statement"][0]["Principal"]["AWS"] = json!(["444455556666"]);
    partner_again["Statement"][0]["Condition"] =
        json!({"StringEquals": {"aws:SourceVpce": "vpce-1"}});
    let p = preview_policy(
        &queue.resource,
        Some(&current),
        &ProposedPolicy::Set(policy(&partner_again)),
        &zone,
        Some(&existing),
        &rules,
        &Options::default(),
        now,
    )
    .unwrap();
    let new = p.iter().find(|x| x.change_type == ChangeType::New).unwrap();
    assert_eq!(new.finding.status, Status::Archived);
    assert_eq!(new.finding.condition["aws:SourceVpce"], "vpce-1");
}

#[test]
fn resolved_findings_that_come_back_are_changed() {
    let (queue, mut existing, _) = existing_queue();
    for f in &mut existing {
        if f.principal["AWS"] == "111122223333" {
            f.status = Status::Resolved;
        }
    }
    let p = preview_policy(
        &queue.resource,
        None,
        &ProposedPolicy::Set(policy(&queue.policy)),
        &ZoneOfTrust::account("123456789012"),
        Some(&existing),
        &ArchiveRules::none(),
        &Options::default(),
        at("2025-02-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        summary(&p),
        [
            (
                ChangeType::Unchanged,
                Status::Archived,
                Some(Status::Archived),
                "444455556666".into()
            ),
            (
                ChangeType::Changed,
                Status::Active,
                Some(Status::Resolved),
                "111122223333".into()
            ),
        ]
    );
}

#[test]
fn defaults_for_new_and_existing_resources() {
    let bucket = fixture("website-bucket");
    let zone = ZoneOfTrust::account("111122223333");
    let now = at("2025-02-01T00:00:00Z");
    let none = ArchiveRules::none();
    let o = Options::default();
    // A new resource without a proposal has the type's default: no policy, no findings.
    assert!(preview_policy(
        &bucket.resource,
        None,
        &ProposedPolicy::Keep,
        &zone,
        None,
        &none,
        &o,
        now
    )
    .unwrap()
    .is_empty());
    // With a policy, everything is new.
    let p = preview_policy(
        &bucket.resource,
        None,
        &ProposedPolicy::Set(policy(&bucket.policy)),
        &zone,
        None,
        &none,
        &o,
        now,
    )
    .unwrap();
    assert_eq!(
        summary(&p),
        [(ChangeType::New, Status::Active, None, "*".into())]
    );
    // Without existing findings, the baseline is the current policy's analysis.
    let current = policy(&bucket.policy);
    let p = preview_policy(
        &bucket.resource,
        Some(&current),
        &ProposedPolicy::Keep,
        &zone,
        None,
        &none,
        &o,
        now,
    )
    .unwrap();
    assert_eq!(
        summary(&p),
        [(
            ChangeType::Unchanged,
            Status::Active,
            Some(Status::Active),
            "*".into()
        )]
    );
    let p = preview_policy(
        &bucket.resource,
        Some(&current),
        &ProposedPolicy::Delete,
        &zone,
        None,
        &none,
        &o,
        now,
    )
    .unwrap();
    assert_eq!(
        summary(&p),
        [(
            ChangeType::Changed,
            Status::Resolved,
            Some(Status::Active),
            "*".into()
        )]
    );
    // Findings of other resources are not the baseline.
    let other = support::analyse_fixture(&fixture("public-queue"));
    let p = preview_policy(
        &bucket.resource,
        Some(&current),
        &ProposedPolicy::Keep,
        &zone,
        Some(&other),
        &none,
        &o,
        now,
    )
    .unwrap();
    assert_eq!(
        summary(&p),
        [(ChangeType::New, Status::Active, None, "*".into())]
    );
    // Role trust policies and key policies cannot be deleted.
    for (t, arn) in [
        (ResourceType::IamRole, "arn:aws:iam::111122223333:role/r"),
        (
            ResourceType::KmsKey,
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
    ] {
        let r = Resource::new(arn, t, "111122223333");
        let e = preview_policy(
            &r,
            None,
            &ProposedPolicy::Delete,
            &zone,
            None,
            &none,
            &o,
            now,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input);
        assert!(e.message().contains("cannot be deleted"), "{e}");
    }
}

#[test]
fn every_resource_type_with_a_resource_policy() {
    let zone = ZoneOfTrust::account("111122223333");
    let now = at("2025-02-01T00:00:00Z");
    let cases = [
        (
            ResourceType::S3Bucket,
            "arn:aws:s3:::b",
            "s3:GetObject",
            "arn:aws:s3:::b/*",
        ),
        (
            ResourceType::KmsKey,
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "kms:Decrypt",
            "*",
        ),
        (
            ResourceType::SqsQueue,
            "arn:aws:sqs:us-east-1:111122223333:q",
            "sqs:SendMessage",
            "*",
        ),
        (
            ResourceType::LambdaFunction,
            "arn:aws:lambda:us-east-1:111122223333:function:f",
            "lambda:InvokeFunction",
            "*",
        ),
        (
            ResourceType::IamRole,
            "arn:aws:iam::111122223333:role/r",
            "sts:AssumeRole",
            "*",
        ),
        (
            ResourceType::SecretsManagerSecret,
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCdEf",
            "secretsmanager:GetSecretValue",
            "*",
        ),
        (
            ResourceType::SnsTopic,
            "arn:aws:sns:us-east-1:111122223333:t",
            "sns:Publish",
            "*",
        ),
        (
            ResourceType::EcrRepository,
            "arn:aws:ecr:us-east-1:111122223333:repository/r",
            "ecr:BatchGetImage",
            "*",
        ),
        (
            ResourceType::EfsFileSystem,
            "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-12345678",
            "elasticfilesystem:ClientMount",
            "*",
        ),
        (
            ResourceType::DynamoDbTable,
            "arn:aws:dynamodb:us-east-1:111122223333:table/t",
            "dynamodb:GetItem",
            "*",
        ),
        (
            ResourceType::DynamoDbStream,
            "arn:aws:dynamodb:us-east-1:111122223333:table/t/stream/2024-01-01T00:00:00.000",
            "dynamodb:GetRecords",
            "*",
        ),
        (
            ResourceType::S3ExpressDirectoryBucket,
            "arn:aws:s3express:us-east-1:111122223333:bucket/b--use1-az4--x-s3",
            "s3express:CreateSession",
            "*",
        ),
        (
            ResourceType::LambdaLayerVersion,
            "arn:aws:lambda:us-east-1:111122223333:layer:l:1",
            "lambda:GetLayerVersion",
            "*",
        ),
    ];
    for (t, arn, action, resource) in cases {
        assert!(t.actions().iter().any(|a| a == action), "{t}: {action}");
        let r = Resource::new(arn, t, "111122223333");
        let p = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": action, "Resource": resource}]});
        let out = preview_policy(
            &r,
            None,
            &ProposedPolicy::Set(policy(&p)),
            &zone,
            None,
            &ArchiveRules::none(),
            &Options::default(),
            now,
        )
        .unwrap();
        assert_eq!(out.len(), 1, "{t}: {out:?}");
        assert_eq!(out[0].change_type, ChangeType::New);
        assert_eq!(out[0].finding.resource_type, t.as_str());
        assert_eq!(out[0].finding.resource, arn);
        assert_eq!(out[0].finding.principal["AWS"], "444455556666");
        assert_eq!(out[0].finding.action, [action]);
        assert_eq!(out[0].finding.is_public, Some(false));
    }
}

#[test]
fn preview_findings_in_access_analyzers_shape_and_filters() {
    let (queue, existing, _) = existing_queue();
    let mut proposed = queue.policy.clone();
    proposed["Statement"][0]["Principal"]["AWS"] = json!(["444455556666"]);
    let p = preview_policy(
        &queue.resource,
        None,
        &ProposedPolicy::Set(policy(&proposed)),
        &ZoneOfTrust::account("123456789012"),
        Some(&existing),
        &ArchiveRules::none(),
        &Options::default(),
        at("2025-02-01T00:00:00Z"),
    )
    .unwrap();
    let changed = p
        .iter()
        .find(|x| x.change_type == ChangeType::Changed)
        .unwrap();
    let v = serde_json::to_value(changed).unwrap();
    for key in [
        "id",
        "existingFindingId",
        "existingFindingStatus",
        "principal",
        "action",
        "condition",
        "resource",
        "isPublic",
        "resourceType",
        "createdAt",
        "changeType",
        "status",
        "resourceOwnerAccount",
        "sources",
    ] {
        assert!(v.get(key).is_some(), "{key} missing in {v}");
    }
    assert_eq!(v["changeType"], "CHANGED");
    assert_eq!(v["status"], "RESOLVED");
    assert_eq!(v["existingFindingStatus"], "ACTIVE");
    let back: PreviewFinding = serde_json::from_value(v).unwrap();
    assert_eq!(&back, changed);

    let f = Filter::parse(
        r#"{"changeType": {"eq": ["changed"]}, "existingFindingStatus": {"eq": ["ACTIVE"]}}"#,
    )
    .unwrap();
    let hits: Vec<_> = p.iter().filter(|x| f.matches_preview(x)).collect();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].finding.principal["AWS"], "111122223333");
    let f = Filter::parse(
        r#"{"existingFindingId": {"exists": true}, "principal.AWS": {"eq": ["444455556666"]}}"#,
    )
    .unwrap();
    assert_eq!(p.iter().filter(|x| f.matches_preview(x)).count(), 1);
    // On plain findings the preview keys are absent.
    let f = Filter::parse(r#"{"changeType": {"exists": false}}"#).unwrap();
    assert!(existing.iter().all(|e| f.matches(e)));
}
