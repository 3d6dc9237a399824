//! `perimeter analyze` end to end: the demo snapshot, both snapshot layouts, bad resources,
//! one policy, exit codes, and witnesses replayed through `perimeter eval`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use serde_json::Value;

mod support;
use support::run as perimeter;

fn demo() -> String {
    format!(
        "{}/../examples/data/demo-snapshot.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn demo_snapshot_findings_and_witnesses() {
    let (code, out, err) = perimeter(&["analyze", &demo()], None);
    assert_eq!(code, 1, "findings present: {err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let findings = v["findings"].as_array().unwrap();
    let types: std::collections::BTreeSet<&str> = findings
        .iter()
        .map(|f| f["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types.len(),
        16,
        "every resource type has a finding: {types:?}"
    );
    // Snapshot sharing findings have no source (they come from an attribute, not a policy).
    let sources: std::collections::BTreeSet<&str> = findings
        .iter()
        .flat_map(|f| f["sources"].as_array().into_iter().flatten())
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert!(findings
        .iter()
        .filter(|f| f["sources"].is_null())
        .all(|f| f["resourceType"].as_str().unwrap().contains("Snapshot")));
    // The type-specific explanations reach the output.
    let note_of = |t: &str| {
        findings
            .iter()
            .filter(|f| f["resourceType"] == t)
            .filter_map(|f| f["note"].as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    assert!(note_of("AWS::ECR::Repository").contains("ecr:GetAuthorizationToken"));
    assert!(note_of("AWS::SecretsManager::Secret").contains("aws/secretsmanager"));
    for s in ["POLICY", "BUCKET_ACL", "S3_ACCESS_POINT"] {
        assert!(sources.contains(s), "{s} in {sources:?}");
    }
    assert!(findings
        .iter()
        .any(|f| f["principal"]["Federated"].is_string()));
    // Every witness, replayed through `perimeter eval`, is allowed.
    let mut replayed = 0;
    for f in findings {
        let Some(w) = f.get("witness") else { continue };
        let (code, out, err) = perimeter(&["eval", "-"], Some(&w.to_string()));
        assert_eq!(code, 0, "{err}");
        for line in out.lines() {
            let d: Value = serde_json::from_str(line).unwrap();
            assert_eq!(d["decision"], "Allow", "{w}");
            replayed += 1;
        }
    }
    assert!(replayed >= 8, "{replayed} witness requests replayed");
}

#[test]
fn json_lines_layout_gives_the_same_findings() {
    let text = std::fs::read_to_string(demo()).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut lines = String::new();
    let header =
        serde_json::json!({"zoneOfTrust": doc["zoneOfTrust"], "accounts": doc["accounts"]});
    lines.push_str(&header.to_string());
    lines.push('\n');
    for r in doc["resources"].as_array().unwrap() {
        lines.push_str(&r.to_string());
        lines.push('\n');
    }
    let (c1, a, _) = perimeter(&["analyze", &demo(), "--jobs", "1"], None);
    let (c2, b, _) = perimeter(&["analyze", "-", "--jobs", "3"], Some(&lines));
    assert_eq!((c1, c2), (1, 1));
    assert_eq!(
        a, b,
        "same findings, same order, whatever the layout and threads"
    );
}

#[test]
fn a_bad_resource_is_reported_and_the_rest_analysed() {
    let lines = concat!(
        "{\"zoneOfTrust\": {\"accounts\": [\"111122223333\"]}}\n",
        "{\"arn\": \"arn:aws:sqs:us-east-1:111122223333:q\", \"type\": \"AWS::SQS::Queue\", \"policy\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"sqs:SendMessage\", \"Resource\": \"*\"}]}}\n",
        "{\"arn\": \n",
        "{\"arn\": \"arn:aws:sqs:us-east-1:111122223333:r\", \"type\": \"AWS::SQS::Queue\", \"policy\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Oops\"}]}}\n",
    );
    let (code, out, err) = perimeter(&["analyze", "-"], Some(lines));
    assert_eq!(code, 2, "an unreadable resource is bad input");
    assert!(err.contains("resource 1"), "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0]["isPublic"], true);
    assert_eq!(findings[1]["error"], "INVALID_CONFIGURATION");
    assert_eq!(v["errors"][0]["index"], 1);
    assert_eq!(v["errors"][0]["line"], 3);
}

#[test]
fn one_policy() {
    let dir = std::env::temp_dir().join(format!("perimeter-analyze-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("trust.json");
    std::fs::write(
        &file,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}]}"#,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let role = "arn:aws:iam::111122223333:role/deploy";
    let (code, out, _) = perimeter(
        &[
            "analyze",
            "--policy",
            f,
            "--resource-type",
            "AWS::IAM::Role",
            "--resource-arn",
            role,
        ],
        None,
    );
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"][0]["principal"]["AWS"], "444455556666");
    // Trusting the other account too leaves nothing to report.
    let (code, out, _) = perimeter(
        &[
            "analyze",
            "--policy",
            f,
            "--resource-type",
            "AWS::IAM::Role",
            "--resource-arn",
            role,
            "--zone-account",
            "111122223333",
            "--zone-account",
            "444455556666",
            "--mode",
            "minimal",
        ],
        None,
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.trim(), "{\"findings\": []}");
    // Usage errors.
    let (code, _, err) = perimeter(&["analyze", "--policy", f, "--resource-arn", role], None);
    assert_eq!(code, 2);
    assert!(err.contains("--resource-type"), "{err}");
    let (code, _, _) = perimeter(&["analyze", &demo(), "--policy", f], None);
    assert_eq!(code, 2);
    let (code, _, _) = perimeter(&["analyze", "/nonexistent/snapshot.json"], None);
    assert_eq!(code, 2);
    std::fs::remove_dir_all(&dir).ok();
}
