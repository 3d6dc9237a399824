//! `perimeter findings` end to end: two runs over real policies, the gate's exit codes, every
//! output format, and input errors.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use perimeter::analyze::{analyze_policy, Options, Resource, ResourceType, ZoneOfTrust};
use perimeter::policy::Policy;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

mod support;

fn perimeter(args: &[&str]) -> (i32, String, String) {
    support::run(args, None)
}

fn dir(name: &str) -> PathBuf {
    support::scratch("findings", name)
}

/// The findings of the two real policies of tests/data/findings (a website bucket and a queue
/// shared with two accounts), the queue's policy optionally narrowed to the partner.
fn analysis(partner_only: bool) -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/findings/resource-policies.json"
    ))
    .unwrap();
    let fixtures: Value = serde_json::from_str(&text).unwrap();
    let mut all = Vec::new();
    for f in fixtures.as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        if name != "website-bucket" && name != "two-account-queue" {
            continue;
        }
        let mut policy = f["policy"].clone();
        if partner_only && name == "two-account-queue" {
            policy["Statement"][0]["Principal"]["AWS"] = json!(["444455556666"]);
        }
        let owner = f["owner"].as_str().unwrap();
        let r = Resource::new(
            f["resource"].as_str().unwrap(),
            ResourceType::parse(f["resourceType"].as_str().unwrap()).unwrap(),
            owner,
        );
        all.extend(analyze_policy(
            &Policy::parse(&policy.to_string()).unwrap(),
            &r,
            &ZoneOfTrust::account(owner),
            &Options::default(),
        ));
    }
    json!({ "findings": all })
}

fn write(path: &Path, v: &Value) -> String {
    std::fs::write(path, v.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn two_runs_with_rules_and_gates() {
    let d = dir("runs");
    let first = write(&d.join("run1.json"), &analysis(false));
    let (code, out, err) = perimeter(&[
        "findings",
        "--input",
        &first,
        "--now",
        "2025-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "active findings fail the default gate: {err}");
    assert!(err.contains("fail `--fail-on active`"), "{err}");
    let run1: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(run1["findings"].as_array().unwrap().len(), 3);
    assert_eq!(run1["changes"].as_array().unwrap().len(), 3);
    assert!(run1["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["change"] == "NEW"));
    let previous = write(&d.join("out1.json"), &run1);
    let rules = write(
        &d.join("rules.json"),
        &json!([{"ruleName": "partner", "filter": {"principal.AWS": {"eq": ["444455556666"]}}},
                {"ruleName": "website", "filter": {"resource": {"eq": ["arn:aws:s3:::Bucket-Name"]}, "action": {"eq": ["s3:GetObject"]}}}]),
    );

    // Second run, the queue narrowed to the partner, rules applied to existing findings.
    let second = write(&d.join("run2.json"), &analysis(true));
    let args = [
        "findings",
        "--input",
        &second,
        "--previous",
        &previous,
        "--archive-rules",
        &rules,
        "--apply-archive-rules",
        "--now",
        "2025-01-02T00:00:00Z",
    ];
    let (code, out, err) = perimeter(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0, "everything left is archived: {err}");
    let run2: Value = serde_json::from_str(&out).unwrap();
    let statuses: Vec<&str> = run2["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, ["ARCHIVED", "ARCHIVED", "RESOLVED"]);
    let changes: Vec<(&str, &str)> = run2["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap(),
                c["archiveRule"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(changes.contains(&("RESOLVED", "")));
    assert!(changes.contains(&("ARCHIVED", "partner")));
    assert!(changes.contains(&("ARCHIVED", "website")));
    let (code, _, _) = perimeter(&[&args[..], &["--format", "json", "--fail-on", "any"]].concat());
    assert_eq!(code, 1, "archived access still exists");
    let (code, _, _) =
        perimeter(&[&args[..], &["--format", "json", "--fail-on", "public"]].concat());
    assert_eq!(code, 0, "the public finding is archived");

    // Without the rules the public website fails `--fail-on public`, but not `--fail-on new`
    // (it existed before).
    let (code, _, err) = perimeter(&[
        "findings",
        "--input",
        &second,
        "--previous",
        &previous,
        "--now",
        "2025-01-02T00:00:00Z",
        "--format",
        "json",
        "--fail-on",
        "public",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("1 finding fail `--fail-on public`"), "{err}");
    let (code, _, _) = perimeter(&[
        "findings",
        "--input",
        &second,
        "--previous",
        &previous,
        "--now",
        "2025-01-02T00:00:00Z",
        "--format",
        "json",
        "--fail-on",
        "new",
    ]);
    assert_eq!(code, 0);
    let (code, _, _) = perimeter(&[
        "findings",
        "--input",
        &second,
        "--previous",
        &previous,
        "--now",
        "2025-01-02T00:00:00Z",
        "--format",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(code, 0);

    // The other formats.
    let (_, out, _) = perimeter(
        &[
            &args[..],
            &[
                "--format",
                "sarif",
                "--fail-on",
                "none",
                "--include-resolved",
            ],
        ]
        .concat(),
    );
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        second.as_str()
    );
    let (_, out, _) = perimeter(
        &[
            &args[..],
            &[
                "--format",
                "asff",
                "--fail-on",
                "none",
                "--region",
                "eu-west-1",
            ],
        ]
        .concat(),
    );
    let asff: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(asff.as_array().unwrap().len(), 3);
    assert!(asff[0]["ProductArn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:securityhub:eu-west-1:"));
    let (_, out, _) = perimeter(
        &[
            &args[..],
            &[
                "--format",
                "asff",
                "--fail-on",
                "none",
                "--asff-per-resource",
            ],
        ]
        .concat(),
    );
    assert_eq!(
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let (_, out, _) = perimeter(
        &[
            &args[..],
            &[
                "--format",
                "events",
                "--fail-on",
                "none",
                "--analyzer-arn",
                "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/a",
            ],
        ]
        .concat(),
    );
    let events: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 3);
    assert!(events
        .iter()
        .all(|e| e["detail-type"] == "Access Analyzer Finding"
            && e["resources"][0] == "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/a"));
    let (_, out, _) = perimeter(&[&args[..], &["--format", "table", "--fail-on", "none"]].concat());
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("ID"), "{out}");
    assert!(lines[0].contains("STATUS") && lines[0].contains("CONDITIONS"));
    assert_eq!(lines.len(), 5, "header, three rows, summary: {out}");
    assert_eq!(
        *lines.last().unwrap(),
        "0 active, 2 archived, 1 resolved; changes: 0 new, 1 resolved, 0 reopened, 2 archived, 0 deleted, 0 expired"
    );
    // Scope: a run that analysed only the bucket keeps the queue's findings with `--resource`.
    let mut only_bucket = analysis(false);
    only_bucket["findings"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["resource"] == "arn:aws:s3:::Bucket-Name");
    let third = write(&d.join("run3.json"), &only_bucket);
    let scoped_args = [
        "findings",
        "--input",
        &third,
        "--previous",
        &previous,
        "--now",
        "2025-01-02T00:00:00Z",
        "--format",
        "json",
        "--fail-on",
        "none",
    ];
    let (_, out, _) = perimeter(
        &[
            &scoped_args[..],
            &["--resource", "arn:aws:s3:::Bucket-Name"],
        ]
        .concat(),
    );
    let scoped: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(scoped["changes"], json!([]));
    let (_, out, _) = perimeter(&scoped_args);
    let unscoped: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        unscoped["changes"].as_array().unwrap().len(),
        2,
        "the queue's two findings are resolved"
    );
}

#[test]
fn input_errors_exit_2() {
    let d = dir("errors");
    let good = write(&d.join("f.json"), &json!({"findings": []}));
    let (code, _, err) = perimeter(&["findings", "--input", &good, "--now", "yesterday"]);
    assert_eq!(code, 2);
    assert!(err.contains("`--now yesterday` is not a time"), "{err}");
    let (code, _, _) = perimeter(&[
        "findings",
        "--input",
        "/nonexistent.json",
        "--now",
        "2025-01-01T00:00:00Z",
    ]);
    assert_eq!(code, 2);
    let rules = write(
        &d.join("r.json"),
        &json!([{"ruleName": "r", "filter": {"isPublic": {"eq": ["maybe"]}}}]),
    );
    let (code, _, err) = perimeter(&[
        "findings",
        "--input",
        &good,
        "--archive-rules",
        &rules,
        "--now",
        "2025-01-01T00:00:00Z",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("archive rule `r`: `isPublic` takes `true` or `false`, not `maybe`"),
        "{err}"
    );
    assert!(err.contains("/0/filter/isPublic/eq/0"), "{err}");
    let bad = write(&d.join("bad.json"), &json!({"findings": [{"id": "x"}]}));
    let (code, _, err) = perimeter(&["findings", "--input", &bad, "--now", "2025-01-01T00:00:00Z"]);
    assert_eq!(code, 2);
    assert!(err.contains("finding 0: missing field `resource`"), "{err}");
    let (code, _, _) = perimeter(&[
        "findings",
        "--input",
        &good,
        "--now",
        "2025-01-01T00:00:00Z",
        "--fail-on",
        "sometimes",
    ]);
    assert_eq!(code, 2);
    // No findings: the gate passes and the JSON is empty.
    let (code, out, _) = perimeter(&[
        "findings",
        "--input",
        &good,
        "--now",
        "2025-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), r#"{"changes":[],"findings":[]}"#);
}

#[test]
fn preview_a_policy_change() {
    let d = dir("preview");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/findings/resource-policies.json"
    ))
    .unwrap();
    let fixtures: Value = serde_json::from_str(&text).unwrap();
    let queue = fixtures
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "two-account-queue")
        .unwrap();
    let current = write(&d.join("current.json"), &queue["policy"]);
    let mut narrowed = queue["policy"].clone();
    narrowed["Statement"][0]["Principal"]["AWS"] = json!(["444455556666"]);
    let narrowed = write(&d.join("narrowed.json"), &narrowed);
    let mut opened = queue["policy"].clone();
    opened["Statement"][0]["Principal"] = json!("*");
    let opened = write(&d.join("opened.json"), &opened);
    let base = [
        "preview",
        "--resource-arn",
        "arn:aws:sqs:us-east-2:123456789012:queue1",
        "--resource-type",
        "AWS::SQS::Queue",
        "--current",
        &current,
        "--now",
        "2025-01-01T00:00:00Z",
    ];

    let (code, out, err) =
        perimeter(&[&base[..], &["--policy", &narrowed, "--format", "json"]].concat());
    assert_eq!(code, 0, "removing access adds nothing: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let mut got: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["changeType"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                f["principal"]["AWS"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "CHANGED".to_string(),
                "RESOLVED".to_string(),
                "111122223333".to_string()
            ),
            (
                "UNCHANGED".to_string(),
                "ACTIVE".to_string(),
                "444455556666".to_string()
            ),
        ]
    );

    let (code, out, err) =
        perimeter(&[&base[..], &["--policy", &opened, "--format", "table"]].concat());
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("the proposal adds active external access"),
        "{err}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("NEW") && l.contains("public AWS:*")),
        "{out}"
    );
    // An archive rule for public access to this queue predicts it archived: nothing active added.
    let rules = write(
        &d.join("rules.json"),
        &json!({"resource": {"eq": ["arn:aws:sqs:us-east-2:123456789012:queue1"]}}),
    );
    let (code, _, _) = perimeter(
        &[
            &base[..],
            &[
                "--policy",
                &opened,
                "--archive-rules",
                &rules,
                "--format",
                "json",
            ],
        ]
        .concat(),
    );
    assert_eq!(code, 0);

    let (code, _, err) = perimeter(&[
        "preview",
        "--resource-arn",
        "arn:aws:s3:::b",
        "--resource-type",
        "AWS::S3::Bucket",
        "--policy",
        &narrowed,
        "--now",
        "2025-01-01T00:00:00Z",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("names no account; give `--owner`"), "{err}");
    let (code, _, err) = perimeter(&[
        "preview",
        "--resource-arn",
        "arn:aws:kms:us-east-1:111122223333:key/k",
        "--resource-type",
        "AWS::KMS::Key",
        "--delete-policy",
        "--now",
        "2025-01-01T00:00:00Z",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be deleted"), "{err}");
}
