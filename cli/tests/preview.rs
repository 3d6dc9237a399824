//! `perimeter preview SNAPSHOT`: access previews against the demo snapshot for each resource
//! type and each part a proposal can give, new resources, statuses from a previous
//! `perimeter analyze` run, and the errors and exit codes.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use serde_json::{json, Value};
use std::path::PathBuf;

mod support;

fn perimeter(args: &[&str]) -> (i32, String, String) {
    support::run(args, None)
}

fn demo() -> String {
    format!(
        "{}/../examples/data/demo-snapshot.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

struct Files(PathBuf);

impl Files {
    fn new(name: &str) -> Files {
        Files(support::scratch("preview", name))
    }
    fn put(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    }
}

const BUCKET: &str = "arn:aws:s3:::acme-reports";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const QUEUE: &str = "arn:aws:sqs:us-east-1:111122223333:order-events";
const FUNCTION: &str = "arn:aws:lambda:us-east-1:111122223333:function:thumbnailer";
const ROLE: &str = "arn:aws:iam::111122223333:role/deploy";
const NOW: &str = "2025-04-01T00:00:00Z";

/// (changeType, status, principal, source type).
type Row = (String, String, String, String);

/// Preview against the demo snapshot: exit status, the rows sorted, the document, standard
/// error.
fn preview(arn: &str, args: &[&str]) -> (i32, Vec<Row>, Value, String) {
    let (code, out, err) = perimeter(
        &[
            &[
                "preview",
                &demo(),
                "--resource-arn",
                arn,
                "--now",
                NOW,
                "--format",
                "json",
            ],
            args,
        ]
        .concat(),
    );
    if code == 2 {
        return (code, Vec::new(), Value::Null, err);
    }
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    let mut rows: Vec<Row> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["changeType"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                f["principal"]
                    .as_object()
                    .and_then(|p| p.values().next())
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                f["sources"][0]["type"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    rows.sort();
    (code, rows, doc, err)
}

fn r(c: &str, s: &str, who: &str, via: &str) -> Row {
    (c.into(), s.into(), who.into(), via.into())
}

const READER: &str = "arn:aws:iam::444455556666:role/report-reader";
const PARTNER: &str = "b0ad4e1c2d9f8a7e6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170605";

#[test]
fn s3_bucket_parts() {
    let f = Files::new("s3");
    // Nothing proposed: every finding unchanged, exit 0.
    let (code, rows, _, _) = preview(BUCKET, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        rows,
        [
            r("UNCHANGED", "ACTIVE", "*", "POLICY"),
            r("UNCHANGED", "ACTIVE", READER, "S3_ACCESS_POINT"),
            r("UNCHANGED", "ACTIVE", PARTNER, "BUCKET_ACL"),
        ]
    );
    // Block Public Access (the CLI's output shape): RestrictPublicBuckets resolves the public
    // policy's access, through the access point too.
    let bpa = f.put(
        "bpa.json",
        r#"{"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": true,
            "BlockPublicPolicy": true, "RestrictPublicBuckets": true}}"#,
    );
    let (code, rows, _, _) = preview(BUCKET, &["--public-access-block", &bpa]);
    assert_eq!(code, 0, "nothing added");
    assert_eq!(
        rows,
        [
            r("CHANGED", "RESOLVED", "*", "POLICY"),
            r("CHANGED", "RESOLVED", READER, "S3_ACCESS_POINT"),
            r("UNCHANGED", "ACTIVE", PARTNER, "BUCKET_ACL"),
        ]
    );
    // An ACL with a WRITE grant to another canonical user: new access, exit 1.
    let acl = f.put(
        "acl.json",
        r#"{"Owner": {"ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
            "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "c0ffee"}, "Permission": "WRITE"}]}"#,
    );
    let (code, rows, _, err) = preview(BUCKET, &["--acl", &acl]);
    assert_eq!(code, 1);
    assert!(
        err.contains("the proposal adds active external access"),
        "{err}"
    );
    assert!(rows.contains(&r("NEW", "ACTIVE", "c0ffee", "BUCKET_ACL")));
    assert!(rows.contains(&r("CHANGED", "RESOLVED", PARTNER, "BUCKET_ACL")));
    // A new access point with a public policy and its Block Public Access off (the snapshot's
    // `accessPoints` shape); the existing one listed by ARN only keeps its policy.
    let aps = f.put(
        "aps.json",
        &json!([
            {"s3control get-access-point": {"AccessPointArn": "arn:aws:s3:us-east-1:111122223333:accesspoint/partner-exchange"}},
            {"s3control get-access-point": {"AccessPointArn": "arn:aws:s3:us-east-1:111122223333:accesspoint/drop",
                "PublicAccessBlockConfiguration": {"IgnorePublicAcls": false, "RestrictPublicBuckets": false}},
             "s3control get-access-point-policy": {"Policy": json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:us-east-1:111122223333:accesspoint/drop/object/*"}]}).to_string()}}
        ])
        .to_string(),
    );
    let (code, rows, doc, _) = preview(BUCKET, &["--access-points", &aps]);
    assert_eq!(code, 1);
    let new: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["changeType"] == "NEW")
        .collect();
    assert_eq!(new.len(), 1, "{doc:#}");
    assert_eq!(new[0]["isPublic"], true);
    assert_eq!(
        new[0]["sources"][0]["detail"]["accessPointArn"],
        "arn:aws:s3:us-east-1:111122223333:accesspoint/drop"
    );
    assert_eq!(rows.iter().filter(|r| r.0 == "UNCHANGED").count(), 3);
    // The same access point without settings: new access points block public access.
    let text = std::fs::read_to_string(&aps).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v[1]["s3control get-access-point"]
        .as_object_mut()
        .unwrap()
        .remove("PublicAccessBlockConfiguration");
    let blocked = f.put("aps-default.json", &v.to_string());
    let (code, rows, _, _) = preview(BUCKET, &["--access-points", &blocked]);
    assert_eq!(code, 0);
    assert!(rows.iter().all(|r| r.0 == "UNCHANGED"), "{rows:?}");
    // Deleting the bucket policy.
    let (code, rows, _, _) = preview(BUCKET, &["--delete-policy"]);
    assert_eq!(code, 0);
    assert_eq!(rows.iter().filter(|r| r.0 == "CHANGED").count(), 2);
    // A whole proposal in the snapshot's resource shape, as a table.
    let proposal = f.put(
        "proposal.json",
        &json!({"arn": BUCKET, "s3api get-bucket-policy": {"Policy": ""},
                "s3api get-bucket-acl": {"Grants": []}})
        .to_string(),
    );
    let (code, out, _) = perimeter(&[
        "preview",
        &demo(),
        "--resource-arn",
        BUCKET,
        "--proposal",
        &proposal,
        "--now",
        NOW,
        "--format",
        "table",
    ]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[..3]
            .iter()
            .all(|l| l.starts_with("CHANGED    RESOLVED")),
        "{out}"
    );
    assert!(lines.iter().any(|l| l.contains("via BUCKET_ACL")), "{out}");
    assert_eq!(lines[3], "3 preview findings");
    // The policy twice, and a part for another type.
    let (code, _, _, err) = preview(BUCKET, &["--proposal", &proposal, "--delete-policy"]);
    assert_eq!(code, 2);
    assert!(err.contains("the policy is proposed twice"), "{err}");
    let (code, _, _, err) = preview(KEY, &["--acl", &acl]);
    assert_eq!(code, 2);
    assert!(
        err.contains("a proposed bucket ACL applies to S3 buckets only, not to `AWS::KMS::Key`"),
        "{err}"
    );
    // A malformed part names the flag, the file and the location.
    let bad = f.put(
        "bad-acl.json",
        r#"{"Grants": [{"Grantee": {"URI": "x"}, "Permission": "ALL"}]}"#,
    );
    let (code, _, _, err) = preview(BUCKET, &["--acl", &bad]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("`--acl {bad}`: unknown ACL permission `ALL`")),
        "{err}"
    );
    assert!(err.contains("/Grants/0/Permission"), "{err}");
}

#[test]
fn kms_lambda_queue_and_role() {
    let f = Files::new("others");
    // KMS: a grant to another account (the `kms list-grants` shape) adds access; the key policy
    // cannot be deleted (an empty policy file proposes deleting it).
    let grants = f.put(
        "grants.json",
        r#"{"Grants": [{"GrantId": "g", "GranteePrincipal": "arn:aws:iam::999988887777:root",
            "Operations": ["Decrypt"]}]}"#,
    );
    let (code, rows, _, _) = preview(KEY, &["--grants", &grants]);
    assert_eq!(code, 1);
    // The new grant adds its grantee; the replaced grants' grantee and retiring principal are
    // resolved; the key policy's access stays.
    assert_eq!(
        rows,
        [
            r(
                "CHANGED",
                "RESOLVED",
                "arn:aws:iam::444455556666:role/batch-encrypt",
                "POLICY"
            ),
            r(
                "CHANGED",
                "RESOLVED",
                "arn:aws:iam::444455556666:role/key-admin",
                "POLICY"
            ),
            r("NEW", "ACTIVE", "arn:aws:iam::999988887777:root", "POLICY"),
            r("UNCHANGED", "ACTIVE", "*", "POLICY"),
        ]
    );
    let empty = f.put("empty.json", "  \n");
    let (code, _, _, err) = preview(KEY, &["--policy", &empty]);
    assert_eq!(code, 2);
    assert!(err.contains("a KMS key policy cannot be deleted"), "{err}");

    // Lambda: an IAM-authenticated URL resolves the public URL access.
    let (code, rows, _, _) = preview(FUNCTION, &["--url-auth-type", "AWS_IAM"]);
    assert_eq!(code, 0);
    assert_eq!(rows, [r("CHANGED", "RESOLVED", "*", "POLICY")]);
    let urls = f.put(
        "urls.json",
        r#"{"FunctionUrlConfigs": [{"AuthType": "NONE"}]}"#,
    );
    let (code, rows, _, _) = preview(FUNCTION, &["--function-urls", &urls]);
    assert_eq!(code, 0);
    assert_eq!(rows, [r("UNCHANGED", "ACTIVE", "*", "POLICY")]);

    // SQS: a policy for a partner account only.
    let queue_policy = f.put(
        "queue.json",
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "444455556666"}, "Action": "sqs:SendMessage", "Resource": QUEUE}]})
        .to_string(),
    );
    let (code, rows, _, _) = preview(QUEUE, &["--policy", &queue_policy]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [
            r("CHANGED", "RESOLVED", "*", "POLICY"),
            r("NEW", "ACTIVE", "444455556666", "POLICY"),
        ]
    );

    // IAM role: the trust policy cannot be deleted.
    let (code, _, _, err) = preview(ROLE, &["--delete-policy"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("a role's trust policy cannot be deleted"),
        "{err}"
    );
}

#[test]
fn new_resources_and_previous_statuses() {
    let f = Files::new("new");
    let site = f.put(
        "site.json",
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-new/*"}]})
        .to_string(),
    );
    // A resource the snapshot does not have needs its type (and an S3 bucket its owner).
    let (code, _, _, err) = preview("arn:aws:s3:::acme-new", &["--policy", &site]);
    assert_eq!(code, 2);
    assert!(err.contains("give `--resource-type`"), "{err}");
    let (code, _, _, err) = preview(
        "arn:aws:s3:::acme-new",
        &["--policy", &site, "--resource-type", "AWS::S3::Bucket"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("names no account; give `--owner`"), "{err}");
    // A new bucket with a public policy: public (its Block Public Access is off by default, and
    // the demo account does not restrict public buckets).
    let (code, rows, _, err) = preview(
        "arn:aws:s3:::acme-new",
        &[
            "--policy",
            &site,
            "--resource-type",
            "AWS::S3::Bucket",
            "--owner",
            "111122223333",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("is not in the snapshot: previewed as a new resource"),
        "{err}"
    );
    assert_eq!(rows, [r("NEW", "ACTIVE", "*", "POLICY")]);
    // A new KMS key without a policy gets the default key policy: nothing to report.
    let (code, rows, _, _) = preview(
        "arn:aws:kms:us-east-1:111122223333:key/new",
        &["--resource-type", "AWS::KMS::Key"],
    );
    assert_eq!((code, rows.len()), (0, 0));
    // A type given that is not the snapshot's.
    let (code, _, _, err) = preview(QUEUE, &["--resource-type", "AWS::SNS::Topic"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("is a `AWS::SQS::Queue` in the snapshot"),
        "{err}"
    );

    // Existing statuses from a previous `perimeter analyze` run with an archive rule.
    let rules = f.put(
        "rules.json",
        &json!({"principal.AWS": {"eq": ["444455556666"]}}).to_string(),
    );
    let (_, out, _) = perimeter(&[
        "analyze",
        &demo(),
        "--now",
        "2025-03-01T00:00:00Z",
        "--archive-rules",
        &rules,
        "--format",
        "json",
    ]);
    let run: Value = serde_json::from_str(&out).unwrap();
    let archived = run["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource"] == ROLE && f["status"] == "ARCHIVED")
        .unwrap();
    let previous = f.put("previous.json", &run.to_string());
    let (code, _, doc, _) = preview(ROLE, &["--previous", &previous]);
    assert_eq!(code, 0);
    let same = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["existingFindingId"] == archived["id"])
        .unwrap();
    assert_eq!(same["changeType"], "UNCHANGED");
    assert_eq!(same["status"], "ARCHIVED");
    assert_eq!(same["existingFindingStatus"], "ARCHIVED");
    assert_eq!(same["createdAt"], NOW);
    // `--existing` is the old name of `--previous`.
    let (code, _, doc2, _) = preview(ROLE, &["--existing", &previous]);
    assert_eq!(code, 0);
    assert_eq!(doc2, doc);
    // A trust policy for a third account: new, and what the rules predict for it.
    let trust = f.put(
        "trust.json",
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]})
        .to_string(),
    );
    let (code, rows, _, _) = preview(
        ROLE,
        &[
            "--policy",
            &trust,
            "--previous",
            &previous,
            "--archive-rules",
            &rules,
        ],
    );
    assert_eq!(code, 0, "the new access is archived by the rule: {rows:?}");
    assert!(
        rows.contains(&r("NEW", "ARCHIVED", "444455556666", "POLICY")),
        "{rows:?}"
    );
    assert!(
        rows.contains(&r("CHANGED", "RESOLVED", "444455556666", "POLICY")),
        "{rows:?}"
    );
}

#[test]
fn account_settings_and_unreadable_snapshots() {
    let f = Files::new("header");
    let site = f.put(
        "site.json",
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::fresh/*"}]})
        .to_string(),
    );
    let new_bucket = |snapshot: &str| {
        perimeter(&[
            "preview",
            snapshot,
            "--resource-arn",
            "arn:aws:s3:::fresh",
            "--resource-type",
            "AWS::S3::Bucket",
            "--owner",
            "111122223333",
            "--policy",
            &site,
            "--now",
            NOW,
            "--format",
            "json",
        ])
    };
    // The account restricts public buckets: a new bucket's public policy grants nothing.
    let restricted = f.put(
        "restricted.jsonl",
        &format!(
            "{}\n",
            json!({"accounts": {"111122223333": {"s3control get-public-access-block":
                {"PublicAccessBlockConfiguration": {"RestrictPublicBuckets": true}}}}})
        ),
    );
    let (code, out, err) = new_bucket(&restricted);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), r#"{"findings":[]}"#);
    // Without the account setting, the same bucket is public.
    let open = f.put("open.jsonl", "{}\n");
    let (code, out, _) = new_bucket(&open);
    assert_eq!(code, 1);
    assert!(out.contains("\"isPublic\":true"), "{out}");
    // A snapshot with an unreadable resource: a resource not found may be that one, so it is
    // not previewed as new.
    let broken = f.put("broken.jsonl", "{}\n{\"arn\": \n");
    let (code, _, err) = new_bucket(&broken);
    assert_eq!(code, 2);
    assert!(
        err.contains("is not among the resources of") && err.contains("1 could not be read"),
        "{err}"
    );
}

const EBS: &str = "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-0f1e2d3c4b5a69788";
const RDS_DB: &str = "arn:aws:rds:us-east-1:111122223333:snapshot:orders-pre-migration";
const RDS_CLUSTER: &str =
    "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:analytics-2024-06-01";
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders-db-Xy12Ab";

/// Nothing proposed: every resource of the demo snapshot, of every type, keeps its findings.
#[test]
fn nothing_proposed_changes_nothing_for_every_resource() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(demo()).unwrap()).unwrap();
    let resources = doc["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 16);
    for res in resources {
        let arn = res["arn"].as_str().unwrap();
        let (code, rows, _, err) = preview(arn, &[]);
        assert_eq!(code, 0, "{arn}: {err}");
        assert!(
            !rows.is_empty(),
            "{arn}: the demo gives every resource a finding"
        );
        assert!(rows.iter().all(|r| r.0 == "UNCHANGED"), "{arn}: {rows:?}");
    }
    // The table of the snapshot that was reported as resolved.
    let (code, out, _) = perimeter(&[
        "preview",
        &demo(),
        "--resource-arn",
        EBS,
        "--now",
        NOW,
        "--format",
        "table",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("UNCHANGED  ACTIVE    was ACTIVE    AWS:444455556666  ec2:CopySnapshot,ec2:CreateVolume"),
        "{out}"
    );
}

#[test]
fn snapshot_sharing_and_kms_key() {
    let f = Files::new("snapshots");
    // EBS: the whole `createVolumePermission` attribute, in `describe-snapshot-attribute` shape.
    let other = f.put(
        "ebs-other.json",
        r#"{"SnapshotId": "snap-0f1e2d3c4b5a69788", "CreateVolumePermissions": [{"UserId": "777788889999"}]}"#,
    );
    let (code, rows, _, _) = preview(EBS, &["--share", &other]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [
            r("CHANGED", "RESOLVED", "444455556666", ""),
            r("NEW", "ACTIVE", "777788889999", ""),
        ]
    );
    let none = f.put("ebs-none.json", r#"{"CreateVolumePermissions": []}"#);
    let (code, rows, _, _) = preview(EBS, &["--share", &none]);
    assert_eq!(code, 0);
    assert_eq!(rows, [r("CHANGED", "RESOLVED", "444455556666", "")]);
    // Public while encrypted: the analysis's error finding.
    let all = f.put(
        "ebs-all.json",
        r#"{"CreateVolumePermissions": [{"Group": "all"}]}"#,
    );
    let (code, _, doc, _) = preview(EBS, &["--share", &all]);
    assert_eq!(code, 1);
    let error = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["error"].is_string())
        .unwrap();
    assert_eq!(error["error"], "INVALID_CONFIGURATION");
    assert_eq!(error["changeType"], "NEW");
    assert!(error["note"]
        .as_str()
        .unwrap()
        .contains("the snapshot is encrypted"));
    // A new EBS snapshot is unencrypted: `all` is public.
    let (code, rows, doc, err) = preview(
        "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-new",
        &["--resource-type", "AWS::EC2::Snapshot", "--share", &all],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(rows, [r("NEW", "ACTIVE", "*", "")]);
    assert_eq!(doc["findings"][0]["isPublic"], true);

    // RDS DB snapshot (public, unencrypted): no longer public.
    let private = f.put(
        "rds-private.json",
        r#"{"DBSnapshotAttributesResult": {"DBSnapshotIdentifier": "orders-pre-migration",
            "DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": []}]}}"#,
    );
    let (code, rows, _, _) = preview(RDS_DB, &["--share", &private]);
    assert_eq!(code, 0);
    assert_eq!(rows, [r("CHANGED", "RESOLVED", "*", "")]);
    // Encrypting it while public: the error finding, and the public access resolved.
    let (code, rows, _, _) = preview(RDS_DB, &["--kms-key-id", "alias/orders"]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [
            r("CHANGED", "RESOLVED", "*", ""),
            r("NEW", "ACTIVE", "", "")
        ]
    );
    // An empty key id keeps the encryption (none): nothing changes.
    let (code, rows, _, _) = preview(RDS_DB, &["--kms-key-id", ""]);
    assert_eq!(code, 0);
    assert_eq!(rows, [r("UNCHANGED", "ACTIVE", "*", "")]);
    // RDS DB cluster snapshot: shared with another account instead of the partner.
    let cluster = f.put(
        "rds-cluster.json",
        r#"{"DBClusterSnapshotAttributesResult": {"DBClusterSnapshotAttributes": [
            {"AttributeName": "restore", "AttributeValues": ["777788889999"]}]}}"#,
    );
    let (code, rows, _, _) = preview(RDS_CLUSTER, &["--share", &cluster]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [
            r("CHANGED", "RESOLVED", "444455556666", ""),
            r("NEW", "ACTIVE", "777788889999", ""),
        ]
    );
    // The DB snapshot's shape is not the cluster snapshot's.
    let (code, _, _, err) = preview(RDS_CLUSTER, &["--share", &private]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("has no `DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes` (an empty array shares the snapshot with no one)"),
        "{err}"
    );

    // `--proposal`: the resource's entry, edited to be public.
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(demo()).unwrap()).unwrap();
    let mut entry = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["arn"] == RDS_CLUSTER)
        .unwrap()
        .clone();
    let proposal = f.put("cluster-entry.json", &entry.to_string());
    let (code, rows, _, _) = preview(RDS_CLUSTER, &["--proposal", &proposal]);
    assert_eq!(
        (code, rows),
        (0, vec![r("UNCHANGED", "ACTIVE", "444455556666", "")])
    );
    entry["rds describe-db-cluster-snapshot-attributes"]["DBClusterSnapshotAttributesResult"]
        ["DBClusterSnapshotAttributes"][0]["AttributeValues"] = json!(["all"]);
    let proposal = f.put("cluster-public.json", &entry.to_string());
    let (code, rows, _, _) = preview(RDS_CLUSTER, &["--proposal", &proposal]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [
            r("CHANGED", "RESOLVED", "444455556666", ""),
            r("NEW", "ACTIVE", "", "")
        ],
        "encrypted and public: the error finding"
    );
    // The sharing twice.
    let (code, _, _, err) = preview(RDS_CLUSTER, &["--proposal", &proposal, "--share", &cluster]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the snapshot's sharing is proposed twice"),
        "{err}"
    );
}

#[test]
fn secret_policy_and_kms_key() {
    let f = Files::new("secret");
    let managed = |doc: &Value| {
        doc["findings"][0]["note"]
            .as_str()
            .unwrap_or("")
            .contains("AWS managed key")
    };
    let (code, rows, doc, _) = preview(SECRET, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        rows,
        [r(
            "UNCHANGED",
            "ACTIVE",
            "arn:aws:iam::444455556666:role/reporting",
            "POLICY"
        )]
    );
    assert!(managed(&doc), "{doc}");
    // A customer managed key: the same finding, without the managed key's note.
    let (code, rows2, doc, _) = preview(SECRET, &["--kms-key-id", KEY]);
    assert_eq!((code, &rows2), (0, &rows));
    assert!(!managed(&doc), "{doc}");
    // A public policy.
    let public = f.put(
        "public.json",
        r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}"#,
    );
    let (code, rows, _, _) = preview(SECRET, &["--policy", &public, "--kms-key-id", KEY]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [
            r(
                "CHANGED",
                "RESOLVED",
                "arn:aws:iam::444455556666:role/reporting",
                "POLICY"
            ),
            r("NEW", "ACTIVE", "*", "POLICY"),
        ]
    );
    // The key twice.
    let proposal = f.put(
        "proposal.json",
        &json!({"secretsmanager describe-secret": {"KmsKeyId": KEY}}).to_string(),
    );
    let (code, rows, doc, _) = preview(SECRET, &["--proposal", &proposal]);
    assert_eq!((code, rows.len()), (0, 1));
    assert!(!managed(&doc));
    let (code, _, _, err) = preview(SECRET, &["--proposal", &proposal, "--kms-key-id", KEY]);
    assert_eq!(code, 2);
    assert!(err.contains("the KMS key is proposed twice"), "{err}");
}

#[test]
fn snapshot_and_key_flag_errors() {
    let f = Files::new("snapshot-errors");
    let share = f.put("share.json", r#"{"CreateVolumePermissions": []}"#);
    let (code, _, _, err) = preview(QUEUE, &["--share", &share]);
    assert_eq!(code, 2);
    assert!(
        err.contains("a proposed snapshot sharing applies to EBS and RDS snapshots only, not to `AWS::SQS::Queue`"),
        "{err}"
    );
    let (code, _, _, err) = preview(QUEUE, &["--kms-key-id", "alias/x"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("a proposed KMS key id applies to Secrets Manager secrets and EBS and RDS snapshots only, not to `AWS::SQS::Queue`"),
        "{err}"
    );
    let policy = f.put(
        "policy.json",
        r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ec2:CreateVolume", "Resource": "*"}]}"#,
    );
    for (arn, t) in [
        (EBS, "AWS::EC2::Snapshot"),
        (RDS_DB, "AWS::RDS::DBSnapshot"),
        (RDS_CLUSTER, "AWS::RDS::DBClusterSnapshot"),
    ] {
        let (code, _, _, err) = preview(arn, &["--policy", &policy]);
        assert_eq!(code, 2);
        assert!(
            err.contains(&format!("a proposed policy does not apply to `{t}`")),
            "{err}"
        );
        let (code, _, _, err) = preview(arn, &["--delete-policy"]);
        assert_eq!(code, 2, "{err}");
    }
    // A malformed attribute, located.
    let bad = f.put(
        "bad.json",
        r#"{"CreateVolumePermissions": [{"Who": "me"}]}"#,
    );
    let (code, _, _, err) = preview(EBS, &["--share", &bad]);
    assert_eq!(code, 2);
    assert!(err.contains("needs `Group` or `UserId`"), "{err}");
    assert!(err.contains("/CreateVolumePermissions/0"), "{err}");
}
