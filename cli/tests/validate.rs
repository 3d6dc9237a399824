//! `perimeter validate` end to end: exit codes and output formats.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use std::process::Command;

fn perimeter(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(args)
        .output()
        .expect("run perimeter");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn fixture(name: &str) -> String {
    format!(
        "{}/../tests/data/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn exit_codes() {
    let insecure = fixture("insecure_policy.json");
    let (code, _) = perimeter(&["validate", &insecure, "--policy-type", "IDENTITY_POLICY"]);
    assert_eq!(code, 1, "an ERROR and a SECURITY_WARNING");
    let github = fixture("github-actions-oidc-trust-policy.json");
    let (code, out) = perimeter(&["validate", &github, "--policy-type", "trust"]);
    assert_eq!(code, 0, "a WARNING only: {out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["findings"][0]["issueCode"],
        "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED"
    );
    let (code, _) = perimeter(&["validate", &github, "--policy-type", "nonsense"]);
    assert_eq!(code, 2);
    let (code, _) = perimeter(&["validate", "/nonexistent.json", "--policy-type", "scp"]);
    assert_eq!(code, 2);
    let (code, _) = perimeter(&[
        "validate",
        &github,
        "--policy-type",
        "identity",
        "--resource-type",
        "AWS::S3::Bucket",
    ]);
    assert_eq!(code, 2, "a resource type needs a resource policy");
}

#[test]
fn several_files_and_sarif() {
    let a = fixture("rcp-invalid-allow-effect.json");
    let b = fixture("rcp-valid-enforce-encryption.json");
    let (code, out) = perimeter(&[
        "validate",
        &a,
        &b,
        "--policy-type",
        "rcp",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["files"][0]["file"], a.as_str());
    assert_eq!(v["files"][0]["findings"][0]["issueCode"], "INVALID_EFFECT");
    assert_eq!(v["files"][1]["findings"].as_array().map(Vec::len), Some(0));

    let (_, out) = perimeter(&["validate", &a, "--policy-type", "rcp", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif");
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "INVALID_EFFECT");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    // `"Effect": "Allow"` is on line 6 of the fixture, the value at 0-based column 16.
    assert_eq!(region["startLine"], 6);
    assert_eq!(region["startColumn"], 17);
    assert_eq!(region["endColumn"], 24);
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"][0]["id"],
        "INVALID_EFFECT"
    );
}
