//! `perimeter check` end to end: exit codes, the JSON result, counterexamples `perimeter eval`
//! allows.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

mod support;

fn perimeter(args: &[&str]) -> (i32, String, String) {
    support::run(args, None)
}

/// Write a JSON document to a fresh temporary file.
fn file(name: &str, v: &Value) -> String {
    let dir = std::env::temp_dir().join(format!("perimeter-check-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, v.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

fn eval(case: &Value) -> Value {
    let mut child = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .arg("eval")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(case.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn no_new_access() {
    let existing = file(
        "existing.json",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}),
    );
    let new = file(
        "new.json",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadWrite", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": "arn:aws:s3:::reports/*"}]}),
    );
    let (code, out, _) = perimeter(&[
        "check",
        "no-new-access",
        "--new",
        &new,
        "--existing",
        &existing,
    ]);
    assert_eq!(code, 1, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["result"], "FAIL");
    assert_eq!(v["reasons"][0]["statementIndex"], 0);
    assert_eq!(v["reasons"][0]["statementId"], "ReadWrite");
    assert!(
        v["message"].as_str().unwrap().contains("new access")
            || v["message"].as_str().unwrap().contains("access")
    );
    // The counterexample is an eval case that eval allows.
    let cx = &v["counterexample"];
    assert_eq!(cx["request"]["action"], "s3:PutObject");
    assert_eq!(eval(cx)["decision"], "Allow");
    // The other way round: PASS, exit 0, no counterexample.
    let (code, out, _) = perimeter(&[
        "check",
        "no-new-access",
        "--new",
        &existing,
        "--existing",
        &new,
        "--policy-type",
        "IDENTITY_POLICY",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["result"], "PASS");
    assert_eq!(v["reasons"], json!([]));
    assert_eq!(v["counterexample"], Value::Null);
}

#[test]
fn organization_and_resource_policies() {
    let reference = file(
        "reference.json",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
             "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                           "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}),
    );
    let grant = file(
        "grant.json",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::shared/*"}]}),
    );
    let org = file(
        "org.json",
        &json!({"id": "o-a1b2c3d4e5", "accounts": {"444455556666": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"}}),
    );
    let args = [
        "check",
        "no-new-access",
        "--new",
        &grant,
        "--existing",
        &reference,
        "--policy-type",
        "resource",
    ];
    let (code, out, _) = perimeter(&args);
    assert_eq!(code, 1, "without the organization: {out}");
    let mut with_org = args.to_vec();
    with_org.extend(["--organization", &org]);
    let (code, out, _) = perimeter(&with_org);
    assert_eq!(code, 0, "a member account: {out}");
    let bad_org = file("bad-org.json", &json!({"id": "a1b2", "accounts": {}}));
    let mut bad = args.to_vec();
    bad.extend(["--organization", &bad_org]);
    let (code, _, err) = perimeter(&bad);
    assert_eq!(code, 2);
    assert!(err.contains("must start with `o-`"), "{err}");
}

#[test]
fn access_not_granted() {
    let p = file(
        "admin-but-passrole.json",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}]}),
    );
    let (code, out, _) = perimeter(&[
        "check",
        "access-not-granted",
        "--policy",
        &p,
        "--action",
        "iam:PassRole",
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = perimeter(&[
        "check",
        "access-not-granted",
        "--policy",
        &p,
        "--action",
        "iam:CreateUser,iam:PassRole",
        "--resource",
        "arn:aws:iam::111122223333:user/*",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["counterexample"]["request"]["action"], "iam:CreateUser");
    assert_eq!(eval(&v["counterexample"])["decision"], "Allow");
    // Neither actions nor resources: bad input.
    let (code, _, err) = perimeter(&["check", "access-not-granted", "--policy", &p]);
    assert_eq!(code, 2);
    assert!(err.contains("at least one action or resource"), "{err}");
}

#[test]
fn no_public_access() {
    let public = file(
        "public-queue.json",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
             "Resource": "arn:aws:sqs:us-east-1:111122223333:orders"}]}),
    );
    let (code, out, _) = perimeter(&[
        "check",
        "no-public-access",
        "--policy",
        &public,
        "--resource-type",
        "AWS::SQS::Queue",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["counterexample"]["request"]["principal"], "anonymous");
    assert_eq!(eval(&v["counterexample"])["decision"], "Allow");
    let (code, out, _) = perimeter(&[
        "check",
        "no-public-access",
        "--policy",
        &public,
        "--resource-type",
        "AWS::SNS::Topic",
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = perimeter(&[
        "check",
        "no-public-access",
        "--policy",
        &public,
        "--resource-type",
        "AWS::S3::Nope",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown resource type `AWS::S3::Nope`"),
        "{err}"
    );
}

#[test]
fn bad_input_and_budget() {
    let broken = file(
        "broken.json",
        &json!({"Version": "2012-10-17", "Statement": "nope"}),
    );
    let fine = file(
        "fine.json",
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
    );
    let (code, _, err) = perimeter(&[
        "check",
        "no-new-access",
        "--new",
        &broken,
        "--existing",
        &fine,
    ]);
    assert_eq!(code, 2);
    assert!(err.starts_with("perimeter: new policy"), "{err}");
    let (code, _, _) = perimeter(&[
        "check",
        "no-new-access",
        "--new",
        "/nonexistent.json",
        "--existing",
        &fine,
    ]);
    assert_eq!(code, 2);
    let (code, _, err) = perimeter(&[
        "check",
        "no-new-access",
        "--new",
        &fine,
        "--existing",
        &fine,
        "--policy-type",
        "scp",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown policy type `scp`"), "{err}");
    // A narrower policy against a wider one is a PASS that takes work to prove (a policy
    // against itself is decided without any: every statement is shared).
    let narrower = file(
        "narrower.json",
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}}}]}),
    );
    let (code, _, err) = perimeter(&[
        "check",
        "no-new-access",
        "--new",
        &narrower,
        "--existing",
        &fine,
        "--budget",
        "1",
    ]);
    assert_eq!(code, 2, "a check out of budget is not a PASS");
    assert!(err.contains("budget"), "{err}");
    let (code, _, _) = perimeter(&["check", "no-new-access", "--new", &fine]);
    assert_eq!(code, 2, "a usage error");
}
