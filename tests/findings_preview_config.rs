//! Access previews of whole configurations against the demo account snapshot
//! (`examples/data/demo-snapshot.json`): every part a proposal can give (bucket policy, ACL,
//! Block Public Access, access points; KMS key policy and grants; Lambda policy and URLs; SQS
//! queue policy; role trust policy; the policy of every other type), Access Analyzer's defaulting
//! rules for existing and new resources, existing statuses from a previous run, and the errors a
//! proposal can have.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use perimeter::analyze::{
    analyze_resource, EbsSnapshot, FunctionUrl, FunctionUrlAuthType, Options, PublicAccessBlock,
    RdsSnapshot, Resource, ResourceConfig, ResourceType, Snapshot, SnapshotShare, Status,
    ZoneOfTrust,
};
use perimeter::findings::{
    default_key_policy, preview_resource, update, ArchiveRules, ChangeType, LifecycleOptions,
    PreviewFinding, Proposal, ProposedAccessPoint, ProposedPolicy,
};
use perimeter::policy::Policy;
use perimeter::scalar::Timestamp;
use perimeter::ErrorKind;
use serde_json::json;

const BUCKET: &str = "arn:aws:s3:::acme-reports";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const QUEUE: &str = "arn:aws:sqs:us-east-1:111122223333:order-events";
const FUNCTION: &str = "arn:aws:lambda:us-east-1:111122223333:function:thumbnailer";
const ROLE: &str = "arn:aws:iam::111122223333:role/deploy";
const AP: &str = "arn:aws:s3:us-east-1:111122223333:accesspoint/partner-exchange";
const OWNER: &str = "111122223333";

struct Demo {
    resources: Vec<ResourceConfig>,
    zone: ZoneOfTrust,
    account_bpa: Option<PublicAccessBlock>,
}

fn demo() -> Demo {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/demo-snapshot.json"
    ))
    .unwrap();
    let mut s = Snapshot::read(text.as_bytes()).unwrap();
    let zone = s.zone_of_trust().cloned().unwrap();
    let resources: Vec<ResourceConfig> = s.by_ref().map(Result::unwrap).collect();
    let account_bpa = s.account_public_access_block(OWNER);
    Demo {
        resources,
        zone,
        account_bpa,
    }
}

impl Demo {
    fn config(&self, arn: &str) -> &ResourceConfig {
        self.resources
            .iter()
            .find(|c| c.resource().arn == arn)
            .unwrap()
    }

    /// Preview a proposal for an existing resource of the snapshot, against the analysis of its
    /// current configuration.
    fn preview(&self, arn: &str, proposal: &Proposal) -> Vec<PreviewFinding> {
        let current = self.config(arn);
        let proposed = proposal.apply(current.resource(), Some(current)).unwrap();
        preview_resource(
            Some(current),
            &proposed,
            &self.zone,
            None,
            &ArchiveRules::none(),
            &Options::default(),
            now(),
        )
        .unwrap()
    }

    /// Preview a proposal for a new resource.
    fn preview_new(&self, resource: &Resource, proposal: &Proposal) -> Vec<PreviewFinding> {
        let proposed = proposal.apply(resource, None).unwrap();
        preview_resource(
            None,
            &proposed,
            &self.zone,
            None,
            &ArchiveRules::none(),
            &Options::default(),
            now(),
        )
        .unwrap()
    }
}

fn now() -> Timestamp {
    Timestamp::parse("2025-04-01T00:00:00Z").unwrap()
}

/// (change, predicted status, existing status, principal value, first source type), sorted.
type Row = (ChangeType, Status, Option<Status>, String, String);

fn rows(p: &[PreviewFinding]) -> Vec<Row> {
    let mut out: Vec<Row> = p
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
                x.finding
                    .sources
                    .first()
                    .map(|s| s.kind.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn row(c: ChangeType, s: Status, e: Option<Status>, who: &str, via: &str) -> Row {
    (c, s, e, who.to_string(), via.to_string())
}

fn policy(v: serde_json::Value) -> Policy {
    Policy::parse(&v.to_string()).unwrap()
}

use ChangeType::{Changed, New, Unchanged};
use Status::{Active, Resolved};

const PUBLIC_SITE: &str = "*";
const READER: &str = "arn:aws:iam::444455556666:role/report-reader";
const PARTNER_CANONICAL: &str = "b0ad4e1c2d9f8a7e6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170605";

#[test]
fn s3_bucket_policy_acl_block_public_access_and_access_points() {
    let d = demo();
    // The bucket now: a public website path, a partner's role through the access point, and an
    // ACL grant to the partner's canonical user (the AllUsers grant is ignored: the account has
    // IgnorePublicAcls on).
    let keep = d.preview(BUCKET, &Proposal::new());
    assert_eq!(
        rows(&keep),
        [
            row(Unchanged, Active, Some(Active), PUBLIC_SITE, "POLICY"),
            row(Unchanged, Active, Some(Active), READER, "S3_ACCESS_POINT"),
            row(
                Unchanged,
                Active,
                Some(Active),
                PARTNER_CANONICAL,
                "BUCKET_ACL"
            ),
        ]
    );

    // RestrictPublicBuckets on the bucket: its public policy then grants nothing outside the
    // account, also through the access point; the ACL grant is not a policy and stays.
    let mut p = Proposal::new();
    p.read_part(
        ResourceType::S3Bucket,
        "s3api get-public-access-block",
        r#"{"PublicAccessBlockConfiguration": {"BlockPublicAcls": false,
            "IgnorePublicAcls": false, "BlockPublicPolicy": false, "RestrictPublicBuckets": true}}"#,
    )
    .unwrap();
    assert_eq!(
        rows(&d.preview(BUCKET, &p)),
        [
            row(
                Unchanged,
                Active,
                Some(Active),
                PARTNER_CANONICAL,
                "BUCKET_ACL"
            ),
            row(Changed, Resolved, Some(Active), PUBLIC_SITE, "POLICY"),
            row(Changed, Resolved, Some(Active), READER, "S3_ACCESS_POINT"),
        ]
    );

    // A new ACL: the partner's grant replaced by a WRITE grant to another canonical user, and a
    // grant to AuthenticatedUsers, which the account's IgnorePublicAcls (kept: it is not part of
    // the proposal) still ignores.
    let mut p = Proposal::new();
    p.read_part(
        ResourceType::S3Bucket,
        "s3api get-bucket-acl",
        r#"{"Owner": {"ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
            "Grants": [
              {"Grantee": {"Type": "CanonicalUser", "ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "Permission": "FULL_CONTROL"},
              {"Grantee": {"Type": "CanonicalUser", "ID": "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"}, "Permission": "WRITE"},
              {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}, "Permission": "READ"}]}"#,
    )
    .unwrap();
    let acl = d.preview(BUCKET, &p);
    assert_eq!(
        rows(&acl),
        [
            row(
                New,
                Active,
                None,
                "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00",
                "BUCKET_ACL"
            ),
            row(Unchanged, Active, Some(Active), PUBLIC_SITE, "POLICY"),
            row(Unchanged, Active, Some(Active), READER, "S3_ACCESS_POINT"),
            row(
                Changed,
                Resolved,
                Some(Active),
                PARTNER_CANONICAL,
                "BUCKET_ACL"
            ),
        ]
    );
    let write = acl.iter().find(|x| x.change_type == New).unwrap();
    assert!(write.finding.action.contains(&"s3:PutObject".to_string()));

    // Access points. The existing one with only its policy proposed keeps its Block Public
    // Access settings (all on); a new one with a public policy and no settings gets the default
    // for new access points (on), so it adds nothing public...
    let reader_policy = |principal: &str, name: &str| {
        policy(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": principal}, "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:us-east-1:111122223333:accesspoint/{name}/object/*")}]}),
        )
    };
    let drop = "arn:aws:s3:us-east-1:111122223333:accesspoint/public-drop";
    let p = Proposal::new().with_access_points(vec![
        ProposedAccessPoint::new(AP).with_policy(ProposedPolicy::Set(reader_policy(
            "arn:aws:iam::999988887777:role/auditor",
            "partner-exchange",
        ))),
        ProposedAccessPoint::new(drop)
            .with_policy(ProposedPolicy::Set(reader_policy("*", "public-drop"))),
    ]);
    let aps = d.preview(BUCKET, &p);
    assert_eq!(
        rows(&aps),
        [
            row(
                New,
                Active,
                None,
                "arn:aws:iam::999988887777:role/auditor",
                "S3_ACCESS_POINT"
            ),
            row(Unchanged, Active, Some(Active), PUBLIC_SITE, "POLICY"),
            row(
                Unchanged,
                Active,
                Some(Active),
                PARTNER_CANONICAL,
                "BUCKET_ACL"
            ),
            row(Changed, Resolved, Some(Active), READER, "S3_ACCESS_POINT"),
        ]
    );
    // ...while the same access point with its settings proposed off is public.
    let p = Proposal::new().with_access_points(vec![
        ProposedAccessPoint::new(AP),
        ProposedAccessPoint::new(drop)
            .with_policy(ProposedPolicy::Set(reader_policy("*", "public-drop")))
            .with_public_access_block(PublicAccessBlock::none()),
    ]);
    let open = d.preview(BUCKET, &p);
    let new: Vec<&PreviewFinding> = open.iter().filter(|x| x.change_type == New).collect();
    assert_eq!(new.len(), 1, "{open:#?}");
    assert_eq!(new[0].finding.is_public, Some(true));
    assert_eq!(
        new[0].finding.sources[0]
            .detail
            .as_ref()
            .unwrap()
            .access_point_arn
            .as_deref(),
        Some(drop)
    );
    assert!(open
        .iter()
        .filter(|x| x.change_type != New)
        .all(|x| x.change_type == Unchanged));
    // No access points at all: the partner's access through its access point is resolved.
    let none = d.preview(BUCKET, &Proposal::new().with_access_points(Vec::new()));
    assert_eq!(
        rows(&none)
            .iter()
            .filter(|r| r.0 == Changed)
            .cloned()
            .collect::<Vec<_>>(),
        [row(
            Changed,
            Resolved,
            Some(Active),
            READER,
            "S3_ACCESS_POINT"
        )]
    );

    // Deleting the bucket policy resolves the website and the access point path (a request
    // through an access point needs the bucket policy too).
    let deleted = d.preview(BUCKET, &Proposal::new().with_policy(ProposedPolicy::Delete));
    assert_eq!(
        rows(&deleted),
        [
            row(
                Unchanged,
                Active,
                Some(Active),
                PARTNER_CANONICAL,
                "BUCKET_ACL"
            ),
            row(Changed, Resolved, Some(Active), PUBLIC_SITE, "POLICY"),
            row(Changed, Resolved, Some(Active), READER, "S3_ACCESS_POINT"),
        ]
    );
}

#[test]
fn kms_key_policy_and_grants() {
    let d = demo();
    let keep = d.preview(KEY, &Proposal::new());
    assert!(keep.iter().all(|x| x.change_type == Unchanged));
    let grant_findings = keep
        .iter()
        .filter(|x| {
            x.finding
                .statements
                .iter()
                .any(|s| s.policy != "key policy" && s.policy != "resource policy")
        })
        .count();
    assert!(grant_findings >= 2, "{keep:#?}");

    // No grants: the grantee's and the retiring principal's access is resolved, the key policy's
    // stays.
    let mut p = Proposal::new();
    p.read_part(ResourceType::KmsKey, "kms list-grants", r#"{"Grants": []}"#)
        .unwrap();
    let ungranted = d.preview(KEY, &p);
    let changed: Vec<&PreviewFinding> = ungranted
        .iter()
        .filter(|x| x.change_type == Changed)
        .collect();
    assert_eq!(changed.len(), grant_findings);
    assert!(changed.iter().all(|x| x.finding.status == Resolved));
    let principals: Vec<&str> = changed
        .iter()
        .map(|x| x.finding.principal["AWS"].as_str())
        .collect();
    assert!(principals.contains(&"arn:aws:iam::444455556666:role/batch-encrypt"));
    assert_eq!(
        ungranted
            .iter()
            .filter(|x| x.change_type == Unchanged)
            .count(),
        keep.len() - grant_findings
    );

    // A grant to another account adds its access.
    let mut p = Proposal::new();
    p.read_part(
        ResourceType::KmsKey,
        "kms list-grants",
        r#"{"Grants": [{"GrantId": "g1", "GranteePrincipal": "arn:aws:iam::999988887777:root",
            "Operations": ["Decrypt"]}]}"#,
    )
    .unwrap();
    let granted = d.preview(KEY, &p);
    let new: Vec<&PreviewFinding> = granted.iter().filter(|x| x.change_type == New).collect();
    assert_eq!(new.len(), 1);
    // (A grant's grantee is reported as the grant names it.)
    assert_eq!(
        new[0].finding.principal["AWS"],
        "arn:aws:iam::999988887777:root"
    );
    assert_eq!(new[0].finding.action, ["kms:Decrypt"]);

    // A key policy cannot be deleted (AWS refuses it).
    let key = d.config(KEY);
    let e = Proposal::new()
        .with_policy(ProposedPolicy::Delete)
        .apply(key.resource(), Some(key))
        .unwrap_err();
    assert_eq!(
        e.message(),
        "a KMS key policy cannot be deleted; propose a policy instead"
    );

    // A new key without a proposed policy gets the default key policy: the account's
    // principals only, so no findings; its grants are what the proposal gives.
    let new_key = Resource::new(
        "arn:aws:kms:us-east-1:111122223333:key/new",
        ResourceType::KmsKey,
        OWNER,
    );
    let ResourceConfig::KmsKey(k) = Proposal::new().apply(&new_key, None).unwrap() else {
        panic!()
    };
    assert_eq!(k.policy, Some(default_key_policy(&new_key).unwrap()));
    assert!(k.grants.is_empty());
    assert!(d.preview_new(&new_key, &Proposal::new()).is_empty());
    let mut p = Proposal::new();
    p.read_part(
        ResourceType::KmsKey,
        "kms list-grants",
        r#"{"Grants": [{"GrantId": "g1", "GranteePrincipal": "arn:aws:iam::999988887777:root",
            "Operations": ["Encrypt"]}]}"#,
    )
    .unwrap();
    assert_eq!(
        rows(&d.preview_new(&new_key, &p))
            .iter()
            .map(|r| (r.0, r.3.as_str()))
            .collect::<Vec<_>>(),
        [(New, "arn:aws:iam::999988887777:root")]
    );
    // The default key policy is the one KMS documents, and trusts no one outside the account.
    let text = default_key_policy(&new_key).unwrap().to_json();
    assert!(text.contains("\"kms:*\"") && text.contains("arn:aws:iam::111122223333:root"));
    let cn = Resource::new(
        "arn:aws-cn:kms:cn-north-1:111122223333:key/k",
        ResourceType::KmsKey,
        OWNER,
    );
    assert!(default_key_policy(&cn)
        .unwrap()
        .to_json()
        .contains("arn:aws-cn:iam::111122223333:root"));
}

#[test]
fn lambda_function_policy_and_url_auth_type() {
    let d = demo();
    let keep = d.preview(FUNCTION, &Proposal::new());
    assert_eq!(
        rows(&keep),
        [row(Unchanged, Active, Some(Active), "*", "POLICY")]
    );
    // An IAM-authenticated URL: the public `lambda:InvokeFunctionUrl` (allowed only when the
    // auth type is NONE) is resolved.
    let iam =
        Proposal::new().with_function_urls(vec![FunctionUrl::new(FunctionUrlAuthType::AwsIam)]);
    assert_eq!(
        rows(&d.preview(FUNCTION, &iam)),
        [row(Changed, Resolved, Some(Active), "*", "POLICY")]
    );
    // The same from `lambda list-function-url-configs` output.
    let mut p = Proposal::new();
    p.read_part(
        ResourceType::LambdaFunction,
        "lambda list-function-url-configs",
        r#"{"FunctionUrlConfigs": [{"FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:thumbnailer",
            "AuthType": "AWS_IAM"}]}"#,
    )
    .unwrap();
    assert_eq!(
        p,
        iam.clone().with_function_urls(vec![
            FunctionUrl::new(FunctionUrlAuthType::AwsIam).with_function_arn(FUNCTION)
        ])
    );
    assert_eq!(d.preview(FUNCTION, &p).len(), 1);
    // No URL known: the auth type is free, so the public path is kept (the safe reading).
    assert_eq!(
        rows(&d.preview(FUNCTION, &Proposal::new().with_function_urls(Vec::new()))),
        [row(Unchanged, Active, Some(Active), "*", "POLICY")]
    );
    // A policy that lets another account invoke the function.
    let p = Proposal::new().with_policy(ProposedPolicy::Set(policy(json!({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "lambda:InvokeFunction", "Resource": FUNCTION}]}))));
    assert_eq!(
        rows(&d.preview(FUNCTION, &p)),
        [
            row(New, Active, None, "444455556666", "POLICY"),
            row(Changed, Resolved, Some(Active), "*", "POLICY"),
        ]
    );
}

#[test]
fn queue_and_role_trust_policies() {
    let d = demo();
    // The queue: the partner's topic no longer allowed (only the owner's own topic, through
    // the SNS service principal).
    let queue = d.config(QUEUE);
    let current = match queue {
        ResourceConfig::Policy(p) => p.policy.clone().unwrap(),
        other => panic!("{other:?}"),
    };
    let mut narrowed: serde_json::Value = serde_json::from_str(&current.to_json()).unwrap();
    narrowed["Statement"].as_array_mut().unwrap().remove(1);
    let p = Proposal::new().with_policy(ProposedPolicy::Set(policy(narrowed)));
    assert_eq!(
        rows(&d.preview(QUEUE, &p)),
        [row(Changed, Resolved, Some(Active), "*", "POLICY")]
    );

    // The role: a trust policy cannot be deleted; a new trust keeps what it keeps.
    let role = d.config(ROLE);
    let e = Proposal::new()
        .with_policy(ProposedPolicy::Delete)
        .apply(role.resource(), Some(role))
        .unwrap_err();
    assert_eq!(
        e.message(),
        "a role's trust policy cannot be deleted; propose a policy instead"
    );
    let keep = d.preview(ROLE, &Proposal::new());
    assert_eq!(keep.len(), 2);
    let trust = Proposal::read(
        role.resource(),
        r#"{"arn": "arn:aws:iam::111122223333:role/deploy",
            "iam get-role": {"Role": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                "Action": "sts:AssumeRole"}]}}}}"#,
    )
    .unwrap();
    let p = d.preview(ROLE, &trust);
    assert_eq!(
        rows(&p)
            .iter()
            .map(|r| (r.0, r.3.as_str()))
            .collect::<Vec<_>>(),
        [
            (New, "999988887777"),
            (Changed, "444455556666"),
            (
                Changed,
                "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
            ),
        ]
    );
}

/// Every type whose access comes from its resource policy, proposed as a new resource through
/// the output of the call that reads its policy.
#[test]
fn every_policy_type_as_a_new_resource() {
    let d = demo();
    let public = |arn: &str, action: &str| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": action, "Resource": arn}]})
        .to_string()
    };
    let cases: Vec<(ResourceType, &str, &str, serde_json::Value)> = vec![
        (
            ResourceType::SqsQueue,
            "arn:aws:sqs:us-east-1:111122223333:new-queue",
            "sqs:SendMessage",
            json!({"sqs get-queue-attributes": {"Attributes": {"Policy": "POLICY"}}}),
        ),
        (
            ResourceType::SecretsManagerSecret,
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:new-AbCdEf",
            "secretsmanager:GetSecretValue",
            json!({"secretsmanager get-resource-policy": {"ResourcePolicy": "POLICY"}}),
        ),
        (
            ResourceType::SnsTopic,
            "arn:aws:sns:us-east-1:111122223333:new-topic",
            "sns:Publish",
            json!({"sns get-topic-attributes": {"Attributes": {"Policy": "POLICY"}}}),
        ),
        (
            ResourceType::EcrRepository,
            "arn:aws:ecr:us-east-1:111122223333:repository/new",
            "ecr:BatchGetImage",
            json!({"ecr get-repository-policy": {"policyText": "POLICY"}}),
        ),
        (
            ResourceType::EfsFileSystem,
            "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123",
            "elasticfilesystem:ClientMount",
            json!({"efs describe-file-system-policy": {"Policy": "POLICY"}}),
        ),
        (
            ResourceType::DynamoDbTable,
            "arn:aws:dynamodb:us-east-1:111122223333:table/new",
            "dynamodb:GetItem",
            json!({"dynamodb get-resource-policy": {"Policy": "POLICY"}}),
        ),
        (
            ResourceType::LambdaLayerVersion,
            "arn:aws:lambda:us-east-1:111122223333:layer:new:1",
            "lambda:GetLayerVersion",
            json!({"lambda get-layer-version-policy": {"Policy": "POLICY"}}),
        ),
        (
            ResourceType::S3ExpressDirectoryBucket,
            "arn:aws:s3express:us-east-1:111122223333:bucket/new--use1-az4--x-s3",
            "s3express:CreateSession",
            json!({"s3api get-bucket-policy": {"Policy": "POLICY"}}),
        ),
    ];
    for (t, arn, action, shape) in cases {
        let r = Resource::new(arn, t, OWNER);
        // A new resource with nothing proposed has no policy, so nothing to find.
        assert!(d.preview_new(&r, &Proposal::new()).is_empty(), "{t}");
        let text = shape.to_string().replace(
            "\"POLICY\"",
            &serde_json::to_string(&public(arn, action)).unwrap(),
        );
        let p = Proposal::read(&r, &text).unwrap_or_else(|e| panic!("{t}: {e}"));
        let found = d.preview_new(&r, &p);
        assert_eq!(found.len(), 1, "{t}: {found:#?}");
        assert_eq!(found[0].change_type, New);
        assert_eq!(found[0].finding.is_public, Some(true), "{t}");
        assert!(found[0].finding.action.iter().any(|a| a == action), "{t}");
        // The same resource existing with that policy: deleting it (an empty policy) resolves
        // the access.
        let existing = p.apply(&r, None).unwrap();
        let mut delete = Proposal::new();
        delete.read_part(t, "policy", r#""""#).unwrap();
        assert_eq!(delete.policy, ProposedPolicy::Delete);
        let gone = preview_resource(
            Some(&existing),
            &delete.apply(&r, Some(&existing)).unwrap(),
            &d.zone,
            None,
            &ArchiveRules::none(),
            &Options::default(),
            now(),
        )
        .unwrap();
        assert_eq!(
            rows(&gone).iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(),
            [(Changed, Resolved)],
            "{t}"
        );
    }
}

#[test]
fn defaults_for_new_buckets_and_access_points() {
    let d = demo();
    let bucket = Resource::new("arn:aws:s3:::acme-new", ResourceType::S3Bucket, OWNER);
    let site = policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-new/*"}]}),
    );
    let p = Proposal::new().with_policy(ProposedPolicy::Set(site));
    let ResourceConfig::S3Bucket(mut b) = p.apply(&bucket, None).unwrap() else {
        panic!()
    };
    // A new bucket: Block Public Access off, no access points, no ACL grants.
    assert_eq!(b.public_access_block, Some(PublicAccessBlock::none()));
    assert_eq!(b.access_points, Some(Vec::new()));
    assert!(b.acl.is_none());
    let zone = &d.zone;
    let run = |config: &ResourceConfig| {
        preview_resource(
            None,
            config,
            zone,
            None,
            &ArchiveRules::none(),
            &Options::default(),
            now(),
        )
        .unwrap()
    };
    let open = run(&ResourceConfig::S3Bucket(b.clone()));
    assert_eq!(
        rows(&open),
        [row(New, Active, None, "*", "POLICY")],
        "public: the demo account does not restrict public buckets"
    );
    // Its account's settings apply to it: with RestrictPublicBuckets on the account, nothing.
    assert_eq!(
        d.account_bpa.map(|a| a.restrict_public_buckets),
        Some(false)
    );
    b.account_public_access_block =
        Some(PublicAccessBlock::none().with_restrict_public_buckets(true));
    assert!(run(&ResourceConfig::S3Bucket(b)).is_empty());

    // A new access point of a new bucket: no policy, Internet, Block Public Access on, unless
    // given.
    let ap = "arn:aws:s3:us-east-1:111122223333:accesspoint/new";
    let ResourceConfig::S3Bucket(b) = Proposal::new()
        .with_access_points(vec![ProposedAccessPoint::new(ap)])
        .apply(&bucket, None)
        .unwrap()
    else {
        panic!()
    };
    let aps = b.access_points.unwrap();
    assert_eq!(aps[0].public_access_block, Some(PublicAccessBlock::all()));
    assert_eq!(aps[0].policy, None);
    assert_eq!(
        aps[0].network_origin,
        perimeter::analyze::NetworkOrigin::Internet
    );
    assert_eq!(aps[0].name, "new");

    // An existing access point keeps what the proposal omits, from the snapshot's shape too: a
    // proposal that gives only its network origin keeps its policy and settings.
    let current = d.config(BUCKET);
    let p = Proposal::read(
        current.resource(),
        r#"{"accessPoints": [{"s3control get-access-point": {
            "AccessPointArn": "arn:aws:s3:us-east-1:111122223333:accesspoint/partner-exchange",
            "NetworkOrigin": "VPC", "VpcConfiguration": {"VpcId": "vpc-0abc"}}}]}"#,
    )
    .unwrap();
    let listed = p.access_points.as_ref().unwrap();
    assert_eq!(listed[0].policy, ProposedPolicy::Keep);
    assert_eq!(listed[0].public_access_block, None);
    let ResourceConfig::S3Bucket(after) = p.apply(current.resource(), Some(current)).unwrap()
    else {
        panic!()
    };
    let ResourceConfig::S3Bucket(before) = current else {
        panic!()
    };
    let (a, b) = (
        &after.access_points.as_ref().unwrap()[0],
        &before.access_points.as_ref().unwrap()[0],
    );
    assert_eq!(a.policy, b.policy);
    assert!(a.policy.is_some());
    assert_eq!(a.public_access_block, b.public_access_block);
    assert_eq!(
        a.network_origin,
        perimeter::analyze::NetworkOrigin::Vpc("vpc-0abc".into())
    );
    // The partner's access through it stays the same finding (same principal, actions and
    // source), now noted as reachable only from that VPC.
    let vpc = d.preview(BUCKET, &p);
    assert!(vpc.iter().all(|x| x.change_type == Unchanged));
    let reader = vpc
        .iter()
        .find(|x| x.finding.principal["AWS"] == READER)
        .unwrap();
    assert!(reader.finding.note.as_deref().unwrap().contains("vpc-0abc"));
    // An empty access point policy proposes none.
    let p = Proposal::read(
        current.resource(),
        r#"{"accessPoints": [{"s3control get-access-point": {
            "AccessPointArn": "arn:aws:s3:us-east-1:111122223333:accesspoint/partner-exchange"},
            "s3control get-access-point-policy": {"Policy": ""}}]}"#,
    )
    .unwrap();
    assert_eq!(
        p.access_points.as_ref().unwrap()[0].policy,
        ProposedPolicy::Delete
    );
    assert!(d
        .preview(BUCKET, &p)
        .iter()
        .any(|x| x.change_type == Changed && x.finding.principal["AWS"] == READER));
}

#[test]
fn existing_statuses_come_from_the_previous_run() {
    let d = demo();
    let rules = ArchiveRules::parse(
        r#"[{"ruleName": "partner-ci", "filter": {"principal.AWS": {"eq": ["444455556666"]}}}]"#,
    )
    .unwrap();
    let role = d.config(ROLE);
    let found = analyze_resource(role, &d.zone, &Options::default());
    let t0 = Timestamp::parse("2025-03-01T00:00:00Z").unwrap();
    let run = update(&[], &found, &rules, t0, &LifecycleOptions::default());
    let archived = run
        .findings
        .iter()
        .find(|f| f.status == Status::Archived)
        .unwrap();
    // Keep everything: each finding is unchanged with the previous run's id and status.
    let preview = preview_resource(
        Some(role),
        role,
        &d.zone,
        Some(&run.findings),
        &ArchiveRules::none(),
        &Options::default(),
        now(),
    )
    .unwrap();
    let same = preview
        .iter()
        .find(|p| p.existing_finding_id.as_deref() == Some(archived.id.as_str()))
        .unwrap();
    assert_eq!(same.change_type, Unchanged);
    assert_eq!(same.finding.status, Status::Archived);
    assert_eq!(same.existing_finding_status, Some(Status::Archived));
    assert_eq!(
        same.finding.created_at.as_deref(),
        Some("2025-04-01T00:00:00Z")
    );
}

#[test]
fn proposal_errors() {
    let d = demo();
    let bucket = d.config(BUCKET).resource().clone();
    let queue = d.config(QUEUE).resource().clone();
    let key = d.config(KEY).resource().clone();
    let msg = |r: Result<Proposal, perimeter::Error>| r.unwrap_err().to_string();

    // A field the type does not have, and the account's settings.
    assert!(msg(Proposal::read(&queue, r#"{"kms list-grants": {"Grants": []}}"#)).starts_with(
        "unknown field `kms list-grants` in a proposal for `AWS::SQS::Queue` (expected `policy`, `sqs get-queue-attributes`)"
    ));
    assert!(msg(Proposal::read(
        &bucket,
        r#"{"s3control get-public-access-block": {"PublicAccessBlockConfiguration": {}}}"#
    ))
    .contains("holds the account's settings, which a proposal for one resource cannot change"));
    // Another resource's identity, and a part given twice.
    assert!(msg(Proposal::read(
        &queue,
        r#"{"arn": "arn:aws:sqs:us-east-1:111122223333:other"}"#
    ))
    .contains(
        "the proposal's `arn` is `arn:aws:sqs:us-east-1:111122223333:other`, but the resource's is"
    ));
    assert!(msg(Proposal::read(
        &queue,
        r#"{"policy": "", "sqs get-queue-attributes": {"Attributes": {}}}"#
    ))
    .contains("the proposal gives the policy twice"));

    // A malformed part, located in its own document and in a proposal object.
    let mut p = Proposal::new();
    let e = p
        .read_part(
            ResourceType::S3Bucket,
            "s3api get-bucket-acl",
            "{\"Grants\": [\n  {\"Grantee\": {\"Type\": \"Group\", \"URI\": \"x\"}, \"Permission\": \"READ_ALL\"}]}",
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Input);
    assert!(e.message().starts_with("unknown ACL permission `READ_ALL`"));
    let l = e.location().unwrap();
    assert_eq!((l.line, l.pointer.as_str()), (2, "/Grants/0/Permission"));
    let e = Proposal::read(
        &bucket,
        "{\"s3api get-bucket-acl\": {\"Grants\": [{\"Grantee\": {\"Type\": \"Group\", \"URI\": \"x\"}, \"Permission\": \"READ_ALL\"}]}}",
    )
    .unwrap_err();
    assert_eq!(
        e.location().unwrap().pointer,
        "/s3api get-bucket-acl/Grants/0/Permission"
    );
    assert_eq!(
        Proposal::read(&bucket, "[1]").unwrap_err().message(),
        "a proposal must be a json object, found an array"
    );
    assert_eq!(
        Proposal::read(&bucket, "{").unwrap_err().kind(),
        ErrorKind::Syntax
    );

    // Parts that do not suit the type, limits, access points of another owner.
    let e = Proposal::new()
        .with_grants(Vec::new())
        .apply(&bucket, None)
        .unwrap_err();
    assert_eq!(
        e.message(),
        "a proposed grant list applies to KMS keys only, not to `AWS::S3::Bucket`"
    );
    let e = Proposal::new()
        .with_public_access_block(PublicAccessBlock::all())
        .apply(&key, None)
        .unwrap_err();
    assert!(e.message().contains("applies to S3 buckets only"));
    let many: Vec<String> = (0..101)
        .map(|i| {
            format!(
                r#"{{"Grantee": {{"Type": "CanonicalUser", "ID": "id{i}"}}, "Permission": "READ"}}"#
            )
        })
        .collect();
    let mut p = Proposal::new();
    p.read_part(
        ResourceType::S3Bucket,
        "s3api get-bucket-acl",
        &format!(r#"{{"Grants": [{}]}}"#, many.join(",")),
    )
    .unwrap();
    let e = p.apply(&bucket, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert_eq!(
        e.message(),
        "the proposal gives 101 ACL grants for a bucket; Access Analyzer previews at most 100"
    );
    let aps: Vec<ProposedAccessPoint> = (0..11)
        .map(|i| {
            ProposedAccessPoint::new(&format!(
                "arn:aws:s3:us-east-1:111122223333:accesspoint/ap{i}"
            ))
        })
        .collect();
    let e = Proposal::new()
        .with_access_points(aps)
        .apply(&bucket, None)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    let e = Proposal::new()
        .with_access_points(vec![ProposedAccessPoint::new(
            "arn:aws:s3:us-east-1:444455556666:accesspoint/theirs",
        )])
        .apply(&bucket, None)
        .unwrap_err();
    assert!(e.message().contains("not to the bucket owner"), "{e}");
    let e = Proposal::new()
        .with_access_points(vec![ProposedAccessPoint::new("partner-exchange")])
        .apply(&bucket, None)
        .unwrap_err();
    assert!(e.message().contains("is not an access point ARN"), "{e}");

    // A current configuration of another resource, or one that could not be read.
    let e = Proposal::new()
        .apply(&bucket, Some(d.config(QUEUE)))
        .unwrap_err();
    assert!(e.message().starts_with("the current configuration is of"));
    let text = r#"{"resources": [{"arn": "arn:aws:sqs:us-east-1:111122223333:bad",
        "type": "AWS::SQS::Queue", "policy": {"Statement": [{"Effect": "Maybe"}]}}]}"#;
    let bad = Snapshot::read(text.as_bytes())
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let e = Proposal::new()
        .apply(bad.resource(), Some(&bad))
        .unwrap_err();
    assert!(e.message().contains("could not be read"), "{e}");
}

/// A proposal that changes nothing gives back every current finding as `UNCHANGED`, for every
/// resource of the demo snapshot (every resource type), whatever its configuration variant.
#[test]
fn a_proposal_that_changes_nothing_changes_no_finding() {
    let d = demo();
    let mut types = std::collections::BTreeSet::new();
    for current in &d.resources {
        let r = current.resource();
        types.insert(r.resource_type);
        let before = analyze_resource(current, &d.zone, &Options::default());
        let found = d.preview(&r.arn, &Proposal::new());
        assert!(
            found.iter().all(|p| p.change_type == Unchanged),
            "{} ({}): {:#?}",
            r.arn,
            r.resource_type,
            rows(&found)
        );
        assert_eq!(found.len(), before.len(), "{} ({})", r.arn, r.resource_type);
        let mut want: Vec<String> = before.iter().map(|f| f.compute_id()).collect();
        let mut got: Vec<String> = found.iter().map(|p| p.finding.id.clone()).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{}", r.arn);
    }
    assert_eq!(
        types.len(),
        ResourceType::ALL.len(),
        "every type is in the demo"
    );
}

const EBS: &str = "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-0f1e2d3c4b5a69788";
const RDS_DB: &str = "arn:aws:rds:us-east-1:111122223333:snapshot:orders-pre-migration";
const RDS_CLUSTER: &str =
    "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:analytics-2024-06-01";
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders-db-Xy12Ab";
const PARTNER: &str = "444455556666";
const OTHER: &str = "777788889999";
const SNAPSHOT_KEY: &str =
    "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

/// The only error finding of a preview, checked against the error finding `analyze_resource`
/// gives the same configuration.
fn assert_error_as_analyze(found: &[PreviewFinding], same: &ResourceConfig, zone: &ZoneOfTrust) {
    let analyzed = analyze_resource(same, zone, &Options::default());
    assert_eq!(analyzed.len(), 1, "{analyzed:#?}");
    assert_eq!(analyzed[0].error.as_deref(), Some("INVALID_CONFIGURATION"));
    let want = analyzed[0].note.clone().unwrap();
    assert!(want.contains("is encrypted and its"), "{want}");
    let errors: Vec<&PreviewFinding> = found.iter().filter(|p| p.finding.error.is_some()).collect();
    assert_eq!(errors.len(), 1, "{found:#?}");
    assert_eq!(errors[0].finding.error, analyzed[0].error);
    assert_eq!(errors[0].finding.note.as_deref(), Some(want.as_str()));
    assert_eq!(errors[0].finding.id, analyzed[0].compute_id());
}

#[test]
fn ebs_snapshot_sharing() {
    let d = demo();
    // The demo snapshot is encrypted and shared with the partner account.
    let more = d.preview(
        EBS,
        &Proposal::new().with_shared_accounts(&[PARTNER, OTHER]),
    );
    assert_eq!(
        rows(&more),
        [
            row(New, Active, None, OTHER, ""),
            row(Unchanged, Active, Some(Active), PARTNER, ""),
        ]
    );
    let new = more.iter().find(|p| p.change_type == New).unwrap();
    assert_eq!(new.finding.action, ["ec2:CopySnapshot", "ec2:CreateVolume"]);
    assert_eq!(new.finding.is_public, Some(false));
    // Sharing with the zone of trust's own account gives nothing new.
    let own = d.preview(
        EBS,
        &Proposal::new().with_shared_accounts(&[PARTNER, OWNER]),
    );
    assert_eq!(
        rows(&own),
        [row(Unchanged, Active, Some(Active), PARTNER, "")]
    );
    // No sharing at all: an empty list (Access Analyzer's way to remove the shares).
    let none = d.preview(EBS, &Proposal::new().with_shares(&[]));
    assert_eq!(
        rows(&none),
        [row(Changed, Resolved, Some(Active), PARTNER, "")]
    );
    let mut p = Proposal::new();
    p.read_shares(
        ResourceType::Ec2Snapshot,
        r#"{"SnapshotId": "snap-0f1e2d3c4b5a69788", "CreateVolumePermissions": []}"#,
    )
    .unwrap();
    assert_eq!(d.preview(EBS, &p), none);
    // Public: EC2 does not let an encrypted snapshot be public, so the preview has the error
    // finding the analysis gives such a snapshot, and the partner's finding goes.
    let public = d.preview(EBS, &Proposal::new().with_shared_publicly(true));
    let ResourceConfig::EbsSnapshot(current) = d.config(EBS).clone() else {
        panic!("not an EBS snapshot");
    };
    assert_error_as_analyze(
        &public,
        &ResourceConfig::EbsSnapshot(current.with_share(SnapshotShare::All)),
        &d.zone,
    );
    assert_eq!(
        public
            .iter()
            .find(|p| p.finding.error.is_some())
            .unwrap()
            .change_type,
        New
    );
    assert!(public
        .iter()
        .any(|p| p.change_type == Changed && p.finding.status == Resolved));
    // A new snapshot is unencrypted: `all` makes it public.
    let fresh = Resource::new(
        "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-new",
        ResourceType::Ec2Snapshot,
        OWNER,
    );
    let found = d.preview_new(&fresh, &Proposal::new().with_shares(&[SnapshotShare::All]));
    assert_eq!(rows(&found), [row(New, Active, None, "*", "")]);
    assert_eq!(found[0].finding.is_public, Some(true));
    // With a proposed KMS key it is encrypted, and `all` is the error again.
    let found = d.preview_new(
        &fresh,
        &Proposal::new()
            .with_shares(&[SnapshotShare::All])
            .with_kms_key_id(SNAPSHOT_KEY),
    );
    let same = EbsSnapshot::new(&fresh.arn, OWNER)
        .with_share(SnapshotShare::All)
        .with_encrypted(true);
    assert_error_as_analyze(&found, &ResourceConfig::EbsSnapshot(same), &d.zone);
    // Nothing proposed for a new snapshot: shared with no one.
    assert!(d.preview_new(&fresh, &Proposal::new()).is_empty());
}

#[test]
fn rds_snapshot_sharing() {
    let d = demo();
    // The DB snapshot is unencrypted and public (`all`).
    let both = d.preview(
        RDS_DB,
        &Proposal::new()
            .with_shared_accounts(&[PARTNER])
            .with_shared_publicly(true),
    );
    assert_eq!(
        rows(&both),
        [
            row(New, Active, None, PARTNER, ""),
            row(Unchanged, Active, Some(Active), "*", ""),
        ],
    );
    // RDS's `accountIds` is the whole attribute: without `all`, the snapshot is not public.
    let only = d.preview(RDS_DB, &Proposal::new().with_shared_accounts(&[PARTNER]));
    assert_eq!(
        rows(&only),
        [
            row(New, Active, None, PARTNER, ""),
            row(Changed, Resolved, Some(Active), "*", ""),
        ],
    );
    // EBS's `userIds` leave its `groups` alone.
    let fresh_public =
        EbsSnapshot::new("arn:aws:ec2:us-east-1:111122223333:snapshot/snap-p", OWNER)
            .with_share(SnapshotShare::All)
            .with_encrypted(false);
    let current = ResourceConfig::EbsSnapshot(fresh_public);
    let proposed = Proposal::new()
        .with_shared_accounts(&[PARTNER])
        .apply(current.resource(), Some(&current))
        .unwrap();
    let ResourceConfig::EbsSnapshot(s) = proposed else {
        panic!("not an EBS snapshot");
    };
    assert_eq!(
        s.create_volume_permissions,
        [SnapshotShare::Account(PARTNER.into()), SnapshotShare::All]
    );
    let new = both.iter().find(|p| p.change_type == New).unwrap();
    assert_eq!(
        new.finding.action,
        ["rds:CopyDBSnapshot", "rds:RestoreDBInstanceFromDBSnapshot"]
    );
    let private = d.preview(RDS_DB, &Proposal::new().with_shared_publicly(false));
    assert_eq!(
        rows(&private),
        [row(Changed, Resolved, Some(Active), "*", "")]
    );
    assert_eq!(private[0].finding.is_public, Some(true));
    // Encrypting it while it is public: the analysis's error finding.
    let encrypted = d.preview(RDS_DB, &Proposal::new().with_kms_key_id(SNAPSHOT_KEY));
    let same = RdsSnapshot::db(RDS_DB, OWNER)
        .with_share(SnapshotShare::All)
        .with_encrypted(true);
    assert_error_as_analyze(&encrypted, &ResourceConfig::RdsSnapshot(same), &d.zone);
    // An empty key id keeps the encryption (`RdsDbSnapshotConfiguration`): nothing changes.
    let kept = d.preview(RDS_DB, &Proposal::new().with_kms_key_id(""));
    assert_eq!(rows(&kept), [row(Unchanged, Active, Some(Active), "*", "")]);

    // The cluster snapshot is encrypted and shared with the partner.
    let more = d.preview(RDS_CLUSTER, &Proposal::new().with_shared_accounts(&[OTHER]));
    assert_eq!(
        rows(&more),
        [
            row(New, Active, None, OTHER, ""),
            row(Changed, Resolved, Some(Active), PARTNER, ""),
        ]
    );
    assert_eq!(
        more[0].finding.action.len() + more[1].finding.action.len(),
        4,
        "copy and restore of a cluster snapshot"
    );
    assert!(more
        .iter()
        .all(|p| p.finding.action.iter().all(|a| a.contains("DBCluster"))));
    let mut p = Proposal::new();
    p.read_shares(
        ResourceType::RdsDbClusterSnapshot,
        r#"{"DBClusterSnapshotAttributesResult": {"DBClusterSnapshotAttributes": [
            {"AttributeName": "restore", "AttributeValues": []}]}}"#,
    )
    .unwrap();
    assert_eq!(
        rows(&d.preview(RDS_CLUSTER, &p)),
        [row(Changed, Resolved, Some(Active), PARTNER, "")]
    );
    let public = d.preview(RDS_CLUSTER, &Proposal::new().with_shared_publicly(true));
    let same = RdsSnapshot::cluster(RDS_CLUSTER, OWNER)
        .with_share(SnapshotShare::Account(PARTNER.into()))
        .with_share(SnapshotShare::All)
        .with_encrypted(true);
    assert_error_as_analyze(&public, &ResourceConfig::RdsSnapshot(same), &d.zone);

    // New snapshots: unencrypted, shared with no one unless proposed.
    let fresh = Resource::new(
        "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:new",
        ResourceType::RdsDbClusterSnapshot,
        OWNER,
    );
    assert!(d.preview_new(&fresh, &Proposal::new()).is_empty());
    let found = d.preview_new(&fresh, &Proposal::new().with_shared_publicly(true));
    assert_eq!(rows(&found), [row(New, Active, None, "*", "")]);
    assert_eq!(found[0].finding.is_public, Some(true));
}

#[test]
fn snapshot_proposals_read_from_snapshot_entries() {
    let d = demo();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/demo-snapshot.json"
    ))
    .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entry = |arn: &str| {
        doc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["arn"] == arn)
            .unwrap()
            .clone()
    };
    // The resource's own entry, copied as a proposal, changes nothing.
    for arn in [EBS, RDS_DB, RDS_CLUSTER, SECRET] {
        let r = d.config(arn).resource().clone();
        let p =
            Proposal::read(&r, &entry(arn).to_string()).unwrap_or_else(|e| panic!("{arn}: {e}"));
        let found = d.preview(arn, &p);
        assert!(!found.is_empty(), "{arn}");
        assert!(
            found.iter().all(|f| f.change_type == Unchanged),
            "{arn}: {found:#?}"
        );
    }
    // The copied EBS entry proposes its key (it is encrypted), and its attribute.
    let ebs = d.config(EBS).resource().clone();
    let p = Proposal::read(&ebs, &entry(EBS).to_string()).unwrap();
    assert_eq!(
        p.kms_key_id.as_deref(),
        Some("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    );
    assert_eq!(
        (p.shared_accounts.clone(), p.shared_publicly),
        (Some(vec![PARTNER.to_string()]), Some(false))
    );
    // An edited entry: public, which the encrypted snapshot cannot be.
    let mut edited = entry(EBS);
    edited["ec2 describe-snapshot-attribute"]["CreateVolumePermissions"] =
        json!([{"Group": "all"}]);
    let p = Proposal::read(&ebs, &edited.to_string()).unwrap();
    let found = d.preview(EBS, &p);
    assert!(
        found.iter().any(|f| f.finding.error.is_some()),
        "{found:#?}"
    );
    // Encrypted without a key named: the service's AWS managed key.
    let mut p = Proposal::new();
    p.read_part(
        ResourceType::RdsDbSnapshot,
        "rds describe-db-snapshots",
        r#"{"DBSnapshots": [{"Encrypted": true}]}"#,
    )
    .unwrap();
    assert_eq!(p.kms_key_id.as_deref(), Some("alias/aws/rds"));
    // Not encrypted proposes no key; two entries without the resource are ambiguous.
    let mut p = Proposal::new();
    p.read_part(
        ResourceType::Ec2Snapshot,
        "ec2 describe-snapshots",
        r#"{"Snapshots": [{"Encrypted": false}]}"#,
    )
    .unwrap();
    assert_eq!(p.kms_key_id, None);
    let e = Proposal::new()
        .read_part(
            ResourceType::Ec2Snapshot,
            "ec2 describe-snapshots",
            r#"{"Snapshots": [{}, {}]}"#,
        )
        .unwrap_err();
    assert!(e.message().contains("needs a single entry"), "{e}");
}

#[test]
fn snapshot_and_secret_proposal_errors() {
    let d = demo();
    let pol = policy(
        json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ec2:CreateVolume", "Resource": "*"}]}),
    );
    for arn in [EBS, RDS_DB, RDS_CLUSTER] {
        let r = d.config(arn).resource().clone();
        for p in [
            Proposal::new().with_policy(ProposedPolicy::Set(pol.clone())),
            Proposal::new().with_policy(ProposedPolicy::Delete),
        ] {
            let e = p.apply(&r, Some(d.config(arn))).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Input);
            assert!(
                e.message().starts_with(&format!(
                    "a proposed policy does not apply to `{}`: these resources have no resource policy",
                    r.resource_type
                )),
                "{e}"
            );
        }
        // A `policy` field of a proposal object is the same error.
        let p = Proposal::read(&r, r#"{"policy": {"Statement": []}}"#).unwrap();
        assert!(p
            .apply(&r, None)
            .unwrap_err()
            .message()
            .contains("no resource policy"));
        // A current configuration given as a policy resource with a policy is refused.
        let bad = ResourceConfig::Policy(perimeter::analyze::PolicyResource::new(
            r.clone(),
            Some(pol.clone()),
        ));
        let e = Proposal::new().apply(&r, Some(&bad)).unwrap_err();
        assert!(e.message().contains("have no resource policy"), "{e}");
    }
    let queue = d.config(QUEUE).resource().clone();
    let secret = d.config(SECRET).resource().clone();
    assert_eq!(
        Proposal::new().with_shared_publicly(true).apply(&secret, None).unwrap_err().message(),
        "a proposed snapshot sharing applies to EBS and RDS snapshots only, not to `AWS::SecretsManager::Secret`"
    );
    assert_eq!(
        Proposal::new().with_kms_key_id("k").apply(&queue, None).unwrap_err().message(),
        "a proposed KMS key id applies to Secrets Manager secrets and EBS and RDS snapshots only, not to `AWS::SQS::Queue`"
    );
    assert_eq!(
        Proposal::new().read_shares(ResourceType::SqsQueue, "{}").unwrap_err().message(),
        "a proposed snapshot sharing applies to EBS and RDS snapshots only, not to `AWS::SQS::Queue`"
    );
    let e = Proposal::new()
        .read_shares(
            ResourceType::Ec2Snapshot,
            r#"{"CreateVolumePermissions": [{"Nobody": 1}]}"#,
        )
        .unwrap_err();
    assert_eq!(e.location().unwrap().pointer, "/CreateVolumePermissions/0");
    // An output without the attribute's list is not "shared with no one".
    let e = Proposal::new()
        .read_shares(
            ResourceType::RdsDbSnapshot,
            r#"{"DBSnapshotAttributesResult": {}}"#,
        )
        .unwrap_err();
    assert!(
        e.message()
            .contains("has no `DBSnapshotAttributesResult.DBSnapshotAttributes`"),
        "{e}"
    );
    // Given twice in a proposal object.
    let ebs = d.config(EBS).resource().clone();
    let mut p = Proposal::read(
        &ebs,
        r#"{"ec2 describe-snapshot-attribute": {"CreateVolumePermissions": []}}"#,
    )
    .unwrap();
    let e = p
        .read_shares(
            ResourceType::Ec2Snapshot,
            r#"{"CreateVolumePermissions": []}"#,
        )
        .unwrap_err();
    assert!(
        e.message().contains("gives the snapshot's sharing twice"),
        "{e}"
    );
}

#[test]
fn secret_policy_and_kms_key() {
    let d = demo();
    const REPORTING: &str = "arn:aws:iam::444455556666:role/reporting";
    const MANAGED_NOTE: &str = "AWS managed key";
    let note = |p: &PreviewFinding| p.finding.note.clone().unwrap_or_default();
    // The demo secret uses the AWS managed key: its finding says other accounts cannot read the
    // value.
    let same = d.preview(SECRET, &Proposal::new());
    assert_eq!(
        rows(&same),
        [row(Unchanged, Active, Some(Active), REPORTING, "POLICY")]
    );
    assert!(note(&same[0]).contains(MANAGED_NOTE), "{same:#?}");
    // A customer managed key: the same access (same finding), without that note.
    let cmk = d.preview(SECRET, &Proposal::new().with_kms_key_id(KEY));
    assert_eq!(rows(&cmk), rows(&same));
    assert!(!note(&cmk[0]).contains(MANAGED_NOTE), "{cmk:#?}");
    // An empty key id is the AWS managed key again.
    let back = d.preview(SECRET, &Proposal::new().with_kms_key_id(""));
    assert!(note(&back[0]).contains(MANAGED_NOTE));
    // A policy change keeps the key: the public finding has the note too.
    let public = policy(json!({"Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}));
    let found = d.preview(
        SECRET,
        &Proposal::new().with_policy(ProposedPolicy::Set(public.clone())),
    );
    assert_eq!(
        rows(&found),
        [
            row(New, Active, None, "*", "POLICY"),
            row(Changed, Resolved, Some(Active), REPORTING, "POLICY"),
        ]
    );
    let new = found.iter().find(|p| p.change_type == New).unwrap();
    assert_eq!(new.finding.is_public, Some(true));
    assert!(note(new).contains(MANAGED_NOTE));
    // Both at once, read from a proposal object.
    let r = d.config(SECRET).resource().clone();
    let p = Proposal::read(
        &r,
        &json!({"secretsmanager get-resource-policy": {"ResourcePolicy": public.to_json()},
            "secretsmanager describe-secret": {"KmsKeyId": KEY}})
        .to_string(),
    )
    .unwrap();
    assert_eq!(p.kms_key_id.as_deref(), Some(KEY));
    let found = d.preview(SECRET, &p);
    let new = found.iter().find(|p| p.change_type == New).unwrap();
    assert!(!note(new).contains(MANAGED_NOTE), "{found:#?}");
    // Deleting the policy resolves the access.
    let gone = d.preview(SECRET, &Proposal::new().with_policy(ProposedPolicy::Delete));
    assert_eq!(
        rows(&gone),
        [row(Changed, Resolved, Some(Active), REPORTING, "POLICY")]
    );
    // A new secret gets the AWS managed key.
    let fresh = Resource::new(
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:new-AbCdEf",
        ResourceType::SecretsManagerSecret,
        OWNER,
    );
    let found = d.preview_new(
        &fresh,
        &Proposal::new().with_policy(ProposedPolicy::Set(public)),
    );
    assert_eq!(found.len(), 1);
    assert!(note(&found[0]).contains(MANAGED_NOTE), "{found:#?}");
}
