//! Unused access on a real account: the flaws2 CTF roles (authorization details from the
//! CloudMapper demo, logs from the flaws2 trail), with known answers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use perimeter::activity::{
    find_unused, AccountInputs, AuthorizationDetails, CloudTrailReader, FindingDetails,
    FindingType, ReadOptions, Timestamp, UnusedAccessOptions,
};

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn scenario(now: &str, days: u32) -> perimeter::activity::UnusedAccess {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let authz = AuthorizationDetails::parse(
        &std::fs::read_to_string(root.join("authorization-details/flaws2-scenario.json")).unwrap(),
    )
    .unwrap();
    let mut reader = CloudTrailReader::new(ReadOptions::default().not_after(t(now)));
    reader.read_path(&root.join("cloudtrail/flaws2")).unwrap();
    let (summary, _) = reader.finish();
    let inputs = AccountInputs {
        authorization: Some(&authz),
        ..AccountInputs::default()
    };
    find_unused(
        &summary,
        &inputs,
        &UnusedAccessOptions::new(t(now), days).unwrap(),
    )
}

/// A week after the attack: `exfiller` and `bad_role` were never used; `level1` never used
/// `ecr:GetAuthorizationToken` (its `s3:GetObject` is a data event, not judged from these logs);
/// `level3` never used `s3:GetBucketLocation`.
#[test]
fn flaws2_a_week_later() {
    let result = scenario("2018-12-01T00:00:00Z", 7);
    let summary: Vec<(String, FindingType, String)> = result
        .findings
        .iter()
        .map(|f| {
            let detail = match &f.finding_details[0] {
                FindingDetails::UnusedPermissionDetails {
                    service_namespace,
                    actions,
                    ..
                } => format!(
                    "{service_namespace}: {}",
                    actions
                        .iter()
                        .map(|a| a.action.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                FindingDetails::UnusedIamRoleDetails { last_accessed } => {
                    format!("{last_accessed:?}")
                }
                other => format!("{other:?}"),
            };
            (f.resource.clone(), f.finding_type, detail)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "arn:aws:iam::653711331788:role/bad_role".into(),
                FindingType::UnusedIAMRole,
                "None".into()
            ),
            (
                "arn:aws:iam::653711331788:role/exfiller".into(),
                FindingType::UnusedIAMRole,
                "None".into()
            ),
            (
                "arn:aws:iam::653711331788:role/level3".into(),
                FindingType::UnusedPermission,
                "s3: s3:GetBucketLocation".into()
            ),
            (
                "arn:aws:iam::653711331788:role/service-role/level1".into(),
                FindingType::UnusedPermission,
                "ecr: ecr:GetAuthorizationToken".into()
            ),
        ]
    );
    let level3 = &result.findings[2];
    assert_eq!(level3.resource_type, "AWS::IAM::Role");
    assert_eq!(level3.resource_owner_account, "653711331788");
    assert_eq!(level3.analyzed_at, t("2018-12-01T00:00:00Z"));
    let json = serde_json::to_value(level3).unwrap();
    assert_eq!(json["findingType"], "UnusedPermission");
    assert_eq!(json["status"], "ACTIVE");
    assert_eq!(
        json["findingDetails"][0]["unusedPermissionDetails"],
        serde_json::json!({"serviceNamespace": "s3", "actions": [{"action": "s3:GetBucketLocation"}], "lastAccessed": "2018-11-28T23:09:28Z"})
    );
    // The logs begin inside the 7-day period: said in the notes.
    assert!(result.notes.logs_cover_less_than_the_period);
    assert!(
        result.notes.missing_policies.is_empty() && result.notes.unparsable_policies.is_empty()
    );
    // The logs begin inside the 7-day period: said in the notes.
    assert!(result.notes.logs_cover_less_than_the_period);
    assert!(
        result.notes.missing_policies.is_empty() && result.notes.unparsable_policies.is_empty()
    );
    // Same input, same ids.
    assert_eq!(
        scenario("2018-12-01T00:00:00Z", 7).findings,
        result.findings
    );
}

/// Half a year later every role is unused, and each finding says when it was last used.
#[test]
fn flaws2_half_a_year_later() {
    let result = scenario("2019-06-01T00:00:00Z", 180);
    let roles: Vec<(&str, Option<Timestamp>)> = result
        .findings
        .iter()
        .map(|f| match &f.finding_details[0] {
            FindingDetails::UnusedIamRoleDetails { last_accessed } => {
                (f.resource.as_str(), *last_accessed)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("arn:aws:iam::653711331788:role/bad_role", None),
            ("arn:aws:iam::653711331788:role/exfiller", None),
            (
                "arn:aws:iam::653711331788:role/level3",
                Some(t("2018-11-28T23:09:28Z"))
            ),
            (
                "arn:aws:iam::653711331788:role/service-role/level1",
                Some(t("2018-11-28T23:06:33Z"))
            ),
        ]
    );
    // The logs begin before this period (they do not tell whether they go on).
    assert!(!result.notes.logs_cover_less_than_the_period);
}

#[test]
fn tracking_period_bounds() {
    let now = t("2024-01-01T00:00:00Z");
    assert!(UnusedAccessOptions::new(now, 0).is_err());
    assert!(UnusedAccessOptions::new(now, 181).is_err());
    assert_eq!(
        UnusedAccessOptions::new(now, 0).unwrap_err().to_string(),
        "the tracking period must be 1 to 180 days, not `0`"
    );
    assert_eq!(
        UnusedAccessOptions::new(now, 180).unwrap().cutoff(),
        t("2023-07-05T00:00:00Z")
    );
}

/// Keys and passwords: the AWS CLI documentation's example account (users Alice, Bob and
/// Charlie), with a credential report, `list-access-keys` output and CloudTrail events written
/// for this test. Last use is the latest of the report and the logs.
#[test]
fn keys_and_passwords() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let authz =
        AuthorizationDetails::parse(
            &std::fs::read_to_string(root.join(
                "authorization-details/aws-cli-example-get-account-authorization-details.json",
            ))
            .unwrap(),
        )
        .unwrap();
    let report = perimeter::activity::CredentialReport::parse(
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\n\
         Alice,arn:aws:iam::123456789012:user/Alice,2013-10-14T18:32:24+00:00,true,2024-04-20T00:00:00+00:00,2020-01-01T00:00:00+00:00,true,true,2020-01-01T00:00:00+00:00,N/A,false,N/A,N/A\n\
         Bob,arn:aws:iam::123456789012:user/Bob,2013-10-14T18:32:25+00:00,true,no_information,2020-01-01T00:00:00+00:00,false,true,2020-01-01T00:00:00+00:00,2023-01-01T00:00:00+00:00,false,2021-01-01T00:00:00+00:00,N/A\n\
         Charlie,arn:aws:iam::123456789012:user/Charlie,2013-10-14T18:33:56+00:00,true,2023-06-01T00:00:00+00:00,2020-01-01T00:00:00+00:00,false,true,2024-04-15T00:00:00+00:00,N/A,false,N/A,N/A\n",
    )
    .unwrap();
    let keys = perimeter::activity::AccessKeys::parse(r#"[
        {"AccessKeyMetadata": [{"UserName": "Alice", "AccessKeyId": "AKIAALICE00000000001", "Status": "Active", "CreateDate": "2020-01-01T00:00:00Z"}]},
        {"AccessKeyMetadata": [{"UserName": "Bob", "AccessKeyId": "AKIABOB0000000000002", "Status": "Inactive", "CreateDate": "2021-01-01T00:00:00Z"},
                               {"UserName": "Bob", "AccessKeyId": "AKIABOB0000000000001", "Status": "Active", "CreateDate": "2020-01-01T00:00:00Z"}]},
        {"AccessKeyMetadata": [{"UserName": "Charlie", "AccessKeyId": "AKIACHARLIE000000001", "Status": "Active", "CreateDate": "2024-04-15T00:00:00Z"}]}]"#).unwrap();
    let log = r#"{"Records": [
        {"eventTime": "2024-04-02T00:00:00Z", "eventSource": "ec2.amazonaws.com", "eventName": "DescribeRegions",
         "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/Alice", "accessKeyId": "AKIAALICE00000000001"}},
        {"eventTime": "2024-03-01T00:00:00Z", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
         "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/Bob"}, "responseElements": {"ConsoleLogin": "Success"}},
        {"eventTime": "2024-03-02T00:00:00Z", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
         "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/Charlie"}, "responseElements": {"ConsoleLogin": "Failure"}}]}"#;
    let now = t("2024-05-01T00:00:00Z");
    let mut reader = CloudTrailReader::new(ReadOptions::default().not_after(now));
    reader.read_bytes("test.json", log.as_bytes());
    let (summary, _) = reader.finish();
    let inputs = AccountInputs {
        authorization: Some(&authz),
        credential_report: Some(&report),
        access_keys: Some(&keys),
    };
    let result = find_unused(
        &summary,
        &inputs,
        &UnusedAccessOptions::new(now, 90).unwrap(),
    );
    let users: Vec<String> = result
        .findings
        .iter()
        .filter(|f| f.resource_type == "AWS::IAM::User")
        .map(|f| {
            format!(
                "{} {:?} {:?}",
                f.resource, f.finding_type, f.finding_details[0]
            )
        })
        .collect();
    assert_eq!(
        users,
        [
            format!(
                "arn:aws:iam::123456789012:user/Bob UnusedIAMUserAccessKey {:?}",
                FindingDetails::UnusedIamUserAccessKeyDetails {
                    access_key_id: "AKIABOB0000000000001".into(),
                    last_accessed: Some(t("2023-01-01T00:00:00Z"))
                }
            ),
            format!(
                "arn:aws:iam::123456789012:user/Charlie UnusedIAMUserPassword {:?}",
                FindingDetails::UnusedIamUserPasswordDetails {
                    last_accessed: Some(t("2023-06-01T00:00:00Z"))
                }
            ),
        ]
    );
    // The role, last used in 2019 according to `RoleLastUsed`.
    let role = result
        .findings
        .iter()
        .find(|f| f.resource_type == "AWS::IAM::Role")
        .unwrap();
    assert_eq!(
        role.finding_details[0],
        FindingDetails::UnusedIamRoleDetails {
            last_accessed: Some(t("2019-11-13T17:30:00Z"))
        }
    );
    // AdministratorAccess and PowerUserAccess are attached but not in the export.
    assert!(result
        .notes
        .missing_policies
        .contains("arn:aws:iam::aws:policy/AdministratorAccess"));
}
