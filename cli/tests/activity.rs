//! `perimeter generate-policy` and `perimeter unused --recommendations` on the flaws2 data: the
//! output contract of docs/cli.md and the exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::Command;

fn data(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(p)
}

fn perimeter(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn generate_policy_json() {
    let logs = data("cloudtrail/flaws2");
    let (code, out, _) = perimeter(&[
        "generate-policy",
        "--principal",
        "arn:aws:sts::653711331788:assumed-role/level3/d190d14a-2404-45d6-9113-4eda22d7f2c7",
        "--cloudtrail",
        logs.to_str().unwrap(),
        "--now",
        "2018-12-01T00:00:00Z",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out["policies"],
        serde_json::json!([{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": "*"}]}])
    );
    let result = &out["generatedPolicyResult"];
    assert_eq!(
        result["properties"]["principalArn"],
        "arn:aws:iam::653711331788:role/level3"
    );
    assert_eq!(result["properties"]["isComplete"], true);
    let text = result["generatedPolicies"][0]["policy"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(text).unwrap(),
        out["policies"][0]
    );
    assert_eq!(out["logs"]["files"], 8);
    assert!(out["notes"]["limitations"][0]
        .as_str()
        .unwrap()
        .contains("iam:PassRole"));
}

#[test]
fn generate_policy_bad_input() {
    let logs = data("cloudtrail/flaws2");
    let logs = logs.to_str().unwrap();
    let (code, _, err) = perimeter(&[
        "generate-policy",
        "--principal",
        "arn:aws:iam::653711331788:role/level3",
        "--cloudtrail",
        logs,
        "--now",
        "2018-12-01T00:00:00Z",
        "--days",
        "0",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "perimeter: --days: the time range must be 1 to 90 days, not `0`"
    );
    let (code, _, err) = perimeter(&[
        "generate-policy",
        "--principal",
        "level3",
        "--cloudtrail",
        logs,
        "--now",
        "2018-12-01T00:00:00Z",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "perimeter: --principal: `level3` is not a role, role session or user ARN"
    );
}

#[test]
fn unused_with_recommendations() {
    let logs = data("cloudtrail/flaws2");
    let authz = data("authorization-details/flaws2-scenario.json");
    let args = [
        "unused",
        "--authorization-details",
        authz.to_str().unwrap(),
        "--cloudtrail",
        logs.to_str().unwrap(),
        "--now",
        "2018-12-01T00:00:00Z",
        "--tracking-period",
        "7",
    ];
    let (code, plain, _) = perimeter(&args);
    assert_eq!(code, 1);
    let mut with = args.to_vec();
    with.push("--recommendations");
    let (code, out, _) = perimeter(&with);
    assert_eq!(code, 1);
    let findings = out["findings"].as_array().unwrap();
    assert_eq!(findings.len(), plain["findings"].as_array().unwrap().len());
    let level3 = findings
        .iter()
        .find(|f| f["resource"] == "arn:aws:iam::653711331788:role/level3")
        .unwrap();
    assert_eq!(
        level3["recommendation"]["recommendedSteps"][0]["unusedPermissionsRecommendedStep"],
        serde_json::json!({"recommendedAction": "CREATE_POLICY", "existingPolicyId": "listbuckets",
            "recommendedPolicy": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":"*"}]}"#})
    );
    // Role findings get none.
    assert!(findings
        .iter()
        .filter(|f| f["findingType"] == "UnusedIAMRole")
        .all(|f| f.get("recommendation").is_none()));
}
