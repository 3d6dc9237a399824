//! `perimeter reach` end to end: the cloudsplaining export, a snapshot with authorization
//! details, the three formats, `--from` / `--to`, exit codes, and witnesses replayed through
//! `perimeter eval`.

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

fn data(path: &str) -> String {
    format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn cloudsplaining() -> String {
    data("tests/data/authorization-details/cloudsplaining-example.json")
}

#[test]
fn cloudsplaining_json_and_witnesses_replay() {
    let details = cloudsplaining();
    let (code, out, err) = perimeter(
        &[
            "reach",
            "--authorization-details",
            &details,
            "--zone-account",
            "200611803367",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 1, "findings present: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let externals = v["externalPrincipals"].as_array().unwrap();
    assert_eq!(externals.len(), 2, "{externals:?}");
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.len() > 100);
    assert!(findings
        .iter()
        .all(|f| f["findingType"] == "TransitiveAccess" && f["status"] == "ACTIVE"));
    // The organization's account reaches its own OrganizationAccountAccessRole in one hop.
    let org = findings
        .iter()
        .find(|f| {
            f["resource"] == "arn:aws:iam::200611803367:role/OrganizationAccountAccessRole"
                && f["principal"]["AWS"] == "072528804237"
        })
        .unwrap();
    assert_eq!(org["path"].as_array().unwrap().len(), 1);
    assert_eq!(org["action"][0], "sts:AssumeRole");
    // Every witness of the first findings evaluates to Allow with `perimeter eval`.
    let cases: Vec<String> = findings
        .iter()
        .take(20)
        .flat_map(|f| f["path"].as_array().unwrap().clone())
        .flat_map(|h| h["requests"].as_array().unwrap().clone())
        .map(|r| r["witness"].to_string())
        .collect();
    let (code, out, err) = perimeter(&["eval", "-"], Some(&cases.join("\n")));
    assert_eq!(code, 0, "{err}");
    let decisions: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(decisions.len(), cases.len());
    assert!(decisions.iter().all(|d| d["decision"] == "Allow"), "{out}");
}

#[test]
fn from_and_to_give_the_shortest_path_as_dot_and_table() {
    let details = cloudsplaining();
    let user = "arn:aws:iam::200611803367:user/privesc4-CreateAccessKey-user";
    let (code, out, err) = perimeter(
        &[
            "reach",
            "--authorization-details",
            &details,
            "--from",
            "072528804237",
            "--to",
            user,
            "--format",
            "dot",
        ],
        None,
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.starts_with("digraph reach {"), "{out}");
    assert!(out.contains("\"account 072528804237\" [shape=box];"));
    assert!(out.contains("[label=\"CreateAccessKey\"]"));
    let (code, out, _) = perimeter(
        &[
            "reach",
            "--authorization-details",
            &details,
            "--from",
            "072528804237",
            "--to",
            user,
            "--format",
            "table",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(
        out.starts_with("account 072528804237 can reach 1 resource(s)"),
        "{out}"
    );
    assert!(out.contains("[CreateAccessKey: iam:CreateAccessKey]"));
}

#[test]
fn a_snapshot_gives_resources() {
    let (code, out, err) = perimeter(
        &[
            "reach",
            &data("examples/data/demo-snapshot.json"),
            "--authorization-details",
            &cloudsplaining(),
            "--from",
            "*",
            "--to",
            "arn:aws:s3:::acme-reports",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("only its bucket policy is"), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["principal"]["AWS"], "*");
    assert_eq!(f["isPublic"], true);
    assert_eq!(f["action"][0], "s3:GetObject");
}

#[test]
fn nothing_reachable_and_bad_input() {
    let details = r#"{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}]}"#;
    let (code, out, _) = perimeter(
        &["reach", "--authorization-details", "-", "--format", "table"],
        Some(details),
    );
    assert_eq!(code, 0);
    assert!(out.contains("nothing outside the zone of trust reaches"));
    let (code, _, err) = perimeter(
        &["reach", "--authorization-details", "-", "--from", "bob"],
        Some(details),
    );
    assert_eq!(code, 2);
    assert!(err.contains("`--from`: `bob` names no principal"), "{err}");
    let (code, _, err) = perimeter(
        &["reach", "--authorization-details", "-"],
        Some("{\"Roles\": []}"),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("is not `get-account-authorization-details` output"),
        "{err}"
    );
}
