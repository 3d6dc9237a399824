//! `perimeter analyze` with the findings lifecycle, end to end over a changing snapshot of real
//! policies (`tests/data/findings/resource-policies.json`): open → archived by a rule → policy
//! fixed → resolved → access back under another condition (a new finding) → the original access
//! back (reopened); error findings deleted; a resource gone; the exit status of every
//! `--fail-on`; SARIF (validated against the schema), ASFF and EventBridge output; usage errors.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

#[path = "../../tests/support/json_schema.rs"]
mod json_schema;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

mod support;

fn perimeter(args: &[&str]) -> (i32, String, String) {
    support::run(args, None)
}

fn dir(name: &str) -> PathBuf {
    support::scratch("lifecycle", name)
}

fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/findings/resource-policies.json"
    ))
    .unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap()
        .clone()
}

const QUEUE: &str = "arn:aws:sqs:us-east-2:123456789012:queue1";
const BUCKET: &str = "arn:aws:s3:::Bucket-Name";
const BROKEN: &str = "arn:aws:sns:us-east-1:123456789012:broken";

/// A JSON-lines snapshot: the queue with this policy, the website bucket (when `bucket`), and a
/// topic whose policy does not parse (when `broken`).
fn snapshot(queue_policy: &Value, bucket: bool, broken: bool) -> String {
    let mut lines = vec![json!({}).to_string()];
    lines
        .push(json!({"arn": QUEUE, "type": "AWS::SQS::Queue", "policy": queue_policy}).to_string());
    if bucket {
        let b = fixture("website-bucket");
        lines.push(
            json!({"arn": BUCKET, "type": "AWS::S3::Bucket", "ownerAccount": b["owner"],
                   "s3api get-bucket-policy": {"Policy": b["policy"].to_string()}})
            .to_string(),
        );
    }
    if broken {
        lines.push(
            json!({"arn": BROKEN, "type": "AWS::SNS::Topic",
                   "policy": {"Statement": [{"Effect": "Perhaps"}]}})
            .to_string(),
        );
    }
    lines.join("\n") + "\n"
}

struct Run {
    code: i32,
    doc: Value,
    err: String,
}

fn analyze(args: &[&str]) -> Run {
    let (code, out, err) = perimeter(&[&["analyze"], args, &["--format", "json"]].concat());
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    Run { code, doc, err }
}

fn findings(doc: &Value) -> &Vec<Value> {
    doc["findings"].as_array().unwrap()
}

/// The finding of the queue granted to `account` (with these conditions).
fn queue_finding<'a>(doc: &'a Value, account: &str, condition: &Value) -> &'a Value {
    findings(doc)
        .iter()
        .find(|f| {
            f["resource"] == QUEUE
                && f["principal"]["AWS"] == account
                && f["condition"] == *condition
        })
        .unwrap_or_else(|| panic!("no finding for {account} {condition} in {doc:#}"))
}

fn changes(doc: &Value) -> Vec<(String, String)> {
    let mut c: Vec<(String, String)> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    c.sort();
    c
}

fn change(kind: &str, f: &Value) -> (String, String) {
    (kind.to_string(), f["id"].as_str().unwrap().to_string())
}

/// The exit status of a run with each gate.
fn gates(args: &[&str]) -> Vec<(&'static str, i32)> {
    ["active", "public", "new", "any", "none"]
        .iter()
        .map(|g| {
            let (code, _, err) =
                perimeter(&[&["analyze"], args, &["--format", "json", "--fail-on", g]].concat());
            if code == 1 {
                assert!(err.contains(&format!("fail `--fail-on {g}`")), "{err}");
            }
            (*g, code)
        })
        .collect()
}

#[test]
fn findings_across_runs_of_a_changing_snapshot() {
    let d = dir("runs");
    let queue = fixture("two-account-queue")["policy"].clone();
    let rules = write(
        &d.join("rules.json"),
        &json!([{"ruleName": "partner", "filter": {"principal.AWS": {"eq": ["444455556666"]}}}])
            .to_string(),
    );
    let s1 = write(&d.join("s1.jsonl"), &snapshot(&queue, true, false));

    // Run 1: everything is new and active.
    let r1 = analyze(&[&s1, "--now", "2025-01-01T00:00:00Z"]);
    assert_eq!(r1.code, 1, "findings and no `--fail-on`: {}", r1.err);
    assert_eq!(findings(&r1.doc).len(), 3);
    let x1 = queue_finding(&r1.doc, "111122223333", &json!({})).clone();
    let x2 = queue_finding(&r1.doc, "444455556666", &json!({})).clone();
    let web = findings(&r1.doc)
        .iter()
        .find(|f| f["resource"] == BUCKET)
        .unwrap()
        .clone();
    assert_eq!(web["isPublic"], true);
    for f in [&x1, &x2, &web] {
        assert_eq!(f["status"], "ACTIVE");
        assert_eq!(f["createdAt"], "2025-01-01T00:00:00Z");
        assert_eq!(f["analyzedAt"], "2025-01-01T00:00:00Z");
        assert!(f["witness"].is_object(), "the analysis' fields are kept");
    }
    assert_eq!(changes(&r1.doc), {
        let mut c = vec![change("NEW", &x1), change("NEW", &x2), change("NEW", &web)];
        c.sort();
        c
    });
    assert_eq!(
        gates(&[&s1, "--now", "2025-01-01T00:00:00Z"]),
        [
            ("active", 1),
            ("public", 1),
            ("new", 1),
            ("any", 1),
            ("none", 0)
        ]
    );
    let p1 = write(&d.join("run1.json"), &r1.doc.to_string());

    // Run 2, same snapshot: the partner's access is archived by a rule applied to existing
    // findings; nothing else changes.
    let run2 = [
        s1.as_str(),
        "--now",
        "2025-01-02T00:00:00Z",
        "--previous",
        &p1,
        "--archive-rules",
        &rules,
        "--apply-archive-rules",
    ];
    let r2 = analyze(&run2);
    assert_eq!(r2.code, 1, "archived access still exists (no `--fail-on`)");
    let archived = queue_finding(&r2.doc, "444455556666", &json!({}));
    assert_eq!(archived["id"], x2["id"]);
    assert_eq!(archived["status"], "ARCHIVED");
    assert_eq!(archived["updatedAt"], "2025-01-02T00:00:00Z");
    assert_eq!(archived["createdAt"], "2025-01-01T00:00:00Z");
    assert_eq!(changes(&r2.doc), [change("ARCHIVED", &x2)]);
    let record = &r2.doc["changes"][0];
    assert_eq!(record["archiveRule"], "partner");
    assert_eq!(record["previousStatus"], "ACTIVE");
    assert_eq!(
        gates(&run2),
        [
            ("active", 1),
            ("public", 1),
            ("new", 0),
            ("any", 1),
            ("none", 0)
        ]
    );
    let p2 = write(&d.join("run2.json"), &r2.doc.to_string());

    // Run 3: the queue's policy is fixed to the partner only: the first account's finding is
    // resolved, the partner's stays archived.
    let mut fixed = queue.clone();
    fixed["Statement"][0]["Principal"]["AWS"] = json!(["444455556666"]);
    let s2 = write(&d.join("s2.jsonl"), &snapshot(&fixed, true, false));
    let run3 = [
        s2.as_str(),
        "--now",
        "2025-01-03T00:00:00Z",
        "--previous",
        &p2,
    ];
    let r3 = analyze(&run3);
    assert_eq!(changes(&r3.doc), [change("RESOLVED", &x1)]);
    let resolved = queue_finding(&r3.doc, "111122223333", &json!({}));
    assert_eq!(resolved["status"], "RESOLVED");
    assert_eq!(resolved["updatedAt"], "2025-01-03T00:00:00Z");
    assert_eq!(
        queue_finding(&r3.doc, "444455556666", &json!({}))["status"],
        "ARCHIVED"
    );
    assert_eq!(
        gates(&run3),
        [
            ("active", 1),
            ("public", 1),
            ("new", 0),
            ("any", 1),
            ("none", 0)
        ]
    );
    let p3 = write(&d.join("run3.json"), &r3.doc.to_string());

    // Run 4: the first account is back under a condition (a new finding; the resolved one stays
    // resolved), the bucket is gone from the snapshot (resolved), and a topic cannot be analysed
    // (an error finding, which fails even `--fail-on public`).
    let mut vpce = queue.clone();
    vpce["Statement"].as_array_mut().unwrap().push(
        json!({"Effect": "Allow", "Principal": {"AWS": "111122223333"},
            "Action": "sqs:SendMessage", "Resource": QUEUE,
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}),
    );
    vpce["Statement"][0]["Principal"]["AWS"] = json!(["444455556666"]);
    let s3 = write(&d.join("s3.jsonl"), &snapshot(&vpce, false, true));
    let run4 = [
        s3.as_str(),
        "--now",
        "2025-01-04T00:00:00Z",
        "--previous",
        &p3,
    ];
    let r4 = analyze(&run4);
    let conditioned = queue_finding(
        &r4.doc,
        "111122223333",
        &json!({"aws:SourceVpce": "vpce-1a2b3c4d"}),
    )
    .clone();
    assert_ne!(conditioned["id"], x1["id"]);
    assert_eq!(conditioned["status"], "ACTIVE");
    let error = findings(&r4.doc)
        .iter()
        .find(|f| f["resource"] == BROKEN)
        .unwrap()
        .clone();
    assert_eq!(error["error"], "INVALID_CONFIGURATION");
    let mut want = vec![
        change("NEW", &conditioned),
        change("NEW", &error),
        change("RESOLVED", &web),
    ];
    want.sort();
    assert_eq!(changes(&r4.doc), want);
    assert_eq!(
        queue_finding(&r4.doc, "111122223333", &json!({}))["status"],
        "RESOLVED"
    );
    assert_eq!(
        gates(&run4),
        [
            ("active", 1),
            ("public", 1),
            ("new", 1),
            ("any", 1),
            ("none", 0)
        ]
    );
    // `--partial`: the snapshot covers only these resources, so the bucket's finding is kept.
    let partial = analyze(&[&run4[..], &["--partial"]].concat());
    let kept = findings(&partial.doc)
        .iter()
        .find(|f| f["resource"] == BUCKET)
        .unwrap();
    assert_eq!(kept["status"], "ACTIVE");
    assert_eq!(
        kept["analyzedAt"], "2025-01-03T00:00:00Z",
        "as the last run that saw it"
    );
    assert!(!changes(&partial.doc).contains(&change("RESOLVED", &web)));
    let p4 = write(&d.join("run4.json"), &r4.doc.to_string());

    // Run 5: the original snapshot again. The first account's unconditional access and the
    // website are reopened (same ids, first `createdAt`), the conditioned access is resolved,
    // the error finding is deleted.
    let run5 = [
        s1.as_str(),
        "--now",
        "2025-01-05T00:00:00Z",
        "--previous",
        &p4,
    ];
    let r5 = analyze(&run5);
    let mut want = vec![
        change("REOPENED", &x1),
        change("REOPENED", &web),
        change("RESOLVED", &conditioned),
        change("DELETED", &error),
    ];
    want.sort();
    assert_eq!(changes(&r5.doc), want);
    let back = queue_finding(&r5.doc, "111122223333", &json!({}));
    assert_eq!(back["status"], "ACTIVE");
    assert_eq!(back["createdAt"], "2025-01-01T00:00:00Z");
    assert_eq!(back["updatedAt"], "2025-01-05T00:00:00Z");
    assert!(findings(&r5.doc).iter().all(|f| f["resource"] != BROKEN));
    assert_eq!(
        gates(&run5),
        [
            ("active", 1),
            ("public", 1),
            ("new", 1),
            ("any", 1),
            ("none", 0)
        ]
    );

    // The same run as a table, with statuses and changes.
    let (code, out, _) = perimeter(&[&["analyze"], &run5[..], &["--format", "table"]].concat());
    assert_eq!(code, 1);
    assert!(
        out.lines()
            .any(|l| l.contains("external  AWS 111122223333  [ACTIVE, REOPENED]")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("AWS 444455556666  [ARCHIVED]")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("AWS 111122223333  [RESOLVED]")),
        "the conditioned access, resolved in this run: {out}"
    );
    assert_eq!(
        out.lines().last().unwrap(),
        "3 findings (1 public) on 2 of 2 resources; 2 active, 1 archived, 1 resolved; changes: 0 new, 1 resolved, 2 reopened, 0 archived, 1 deleted, 0 expired"
    );

    // Events of run 2 (one change) and run 5 (a deletion among them).
    let (_, out, _) = perimeter(
        &[
            &["analyze"],
            &run2[..],
            &[
                "--format",
                "events",
                "--fail-on",
                "none",
                "--analyzer-arn",
                "arn:aws:access-analyzer:us-east-2:123456789012:analyzer/a",
            ],
        ]
        .concat(),
    );
    let evs: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0]["detail-type"], "Access Analyzer Finding");
    assert_eq!(evs[0]["source"], "aws.access-analyzer");
    assert_eq!(
        evs[0]["resources"],
        json!(["arn:aws:access-analyzer:us-east-2:123456789012:analyzer/a"])
    );
    assert_eq!(evs[0]["detail"]["id"], x2["id"]);
    assert_eq!(evs[0]["detail"]["status"], "ARCHIVED");
    assert_eq!(evs[0]["detail"]["region"], "us-east-2");
    assert_eq!(evs[0]["time"], "2025-01-02T00:00:00Z");
    let (_, out, _) = perimeter(
        &[
            &["analyze"],
            &run5[..],
            &["--format", "events", "--fail-on", "none"],
        ]
        .concat(),
    );
    let evs: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(evs.len(), 4);
    let deleted: Vec<&Value> = evs
        .iter()
        .filter(|e| e["detail"]["isDeleted"] == true)
        .collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["detail"]["id"], error["id"]);

    // ASFF of run 2: one finding per finding, the archived one suppressed.
    let (_, out, _) = perimeter(
        &[
            &["analyze"],
            &run2[..],
            &[
                "--format",
                "asff",
                "--fail-on",
                "none",
                "--region",
                "us-east-2",
            ],
        ]
        .concat(),
    );
    let asff: Value = serde_json::from_str(&out).unwrap();
    let asff = asff.as_array().unwrap();
    assert_eq!(asff.len(), 3);
    for a in asff {
        for k in [
            "SchemaVersion",
            "Id",
            "ProductArn",
            "GeneratorId",
            "AwsAccountId",
            "Types",
            "CreatedAt",
            "UpdatedAt",
            "Severity",
            "Title",
            "Description",
            "Resources",
        ] {
            assert!(a.get(k).is_some(), "{k} in {a:#}");
        }
        assert!(a["ProductArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:securityhub:us-east-2:"));
    }
    let suppressed: Vec<&Value> = asff
        .iter()
        .filter(|a| a["Workflow"]["Status"] == "SUPPRESSED")
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["RecordState"], "ARCHIVED");
    let public: Vec<&Value> = asff
        .iter()
        .filter(|a| a["Severity"]["Label"] == "HIGH")
        .collect();
    assert_eq!(public.len(), 1, "the website");
    let (_, out, _) = perimeter(
        &[
            &["analyze"],
            &run2[..],
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

    // SARIF of run 5, valid against the schema, results pointing at the snapshot.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/sarif/sarif-schema-2.1.0.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = json_schema::Validator::new(&schema);
    for extra in [&[][..], &["--include-resolved"][..]] {
        let (_, out, _) = perimeter(
            &[
                &["analyze"],
                &run5[..],
                &["--format", "sarif", "--fail-on", "none"],
                extra,
            ]
            .concat(),
        );
        let log: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(validator.validate(&log), Vec::<String>::new());
        let results = log["runs"][0]["results"].as_array().unwrap();
        // The conditioned access, resolved in this run, only with `--include-resolved`.
        let resolved = usize::from(!extra.is_empty());
        assert_eq!(results.len(), 3 + resolved, "{extra:?}");
        for r in results {
            assert_eq!(
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                s1.as_str()
            );
            let rules = log["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap();
            assert_eq!(
                rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
                r["ruleId"]
            );
        }
        let reopened = results
            .iter()
            .find(|r| r["partialFingerprints"]["perimeterFindingId/v1"] == x1["id"])
            .unwrap();
        assert_eq!(reopened["baselineState"], "updated");
        let suppressed = results
            .iter()
            .find(|r| r["partialFingerprints"]["perimeterFindingId/v1"] == x2["id"])
            .unwrap();
        assert_eq!(suppressed["suppressions"][0]["status"], "accepted");
    }
}

#[test]
fn exit_codes_and_archive_rules_without_the_lifecycle() {
    let d = dir("plain");
    let queue = fixture("two-account-queue")["policy"].clone();
    let s = write(&d.join("s.jsonl"), &snapshot(&queue, false, false));
    let rules = write(
        &d.join("rules.json"),
        &json!({"principal.AWS": {"eq": ["444455556666", "111122223333"]}}).to_string(),
    );
    // No lifecycle, no rules: exit 1 with findings, as always; no `changes`, no timestamps.
    let r = analyze(&[&s]);
    assert_eq!(r.code, 1);
    assert!(r.doc.get("changes").is_none());
    assert!(findings(&r.doc)
        .iter()
        .all(|f| f.get("createdAt").is_none()));
    // Rules without `--now`: statuses only. Archived access still exists, so the default gate
    // (any) fails; `active` passes, and so does `new`, which is `active` without a lifecycle.
    let r = analyze(&[&s, "--archive-rules", &rules]);
    assert_eq!(r.code, 1);
    assert!(findings(&r.doc).iter().all(|f| f["status"] == "ARCHIVED"));
    assert!(r.doc.get("changes").is_none());
    assert_eq!(
        gates(&[&s, "--archive-rules", &rules]),
        [
            ("active", 0),
            ("public", 0),
            ("new", 0),
            ("any", 1),
            ("none", 0)
        ]
    );
    assert_eq!(
        gates(&[&s]),
        [
            ("active", 1),
            ("public", 0),
            ("new", 1),
            ("any", 1),
            ("none", 0)
        ]
    );
    // A snapshot without findings passes every gate.
    let closed = write(
        &d.join("closed.jsonl"),
        &snapshot(
            &json!({"Version": "2012-10-17", "Statement": []}),
            false,
            false,
        ),
    );
    let r = analyze(&[&closed, "--now", "2025-01-01T00:00:00Z"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.doc, json!({"findings": [], "changes": []}));

    // Usage errors.
    let (code, _, err) = perimeter(&["analyze", &s, "--previous", &s]);
    assert_eq!(code, 2);
    assert!(err.contains("--now"), "{err}");
    let (code, _, err) = perimeter(&["analyze", &s, "--format", "asff"]);
    assert_eq!(code, 2);
    assert!(err.contains("`--format asff` needs `--now`"), "{err}");
    let (code, _, err) = perimeter(&["analyze", &s, "--now", "soon"]);
    assert_eq!(code, 2);
    assert!(err.contains("`--now soon` is not a time"), "{err}");
    let (code, _, err) = perimeter(&[
        "analyze",
        &s,
        "--now",
        "2025-01-01T00:00:00Z",
        "--previous",
        &rules,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("previous findings"), "{err}");

    // With the lifecycle, a resource listed twice is an error for its second entry (exit 2),
    // and a run with unreadable resources resolves nothing it did not see.
    let first = analyze(&[&s, "--now", "2025-01-01T00:00:00Z"]);
    let prev = write(&d.join("prev.json"), &first.doc.to_string());
    let text = snapshot(&queue, false, false);
    let queue_line = text.lines().nth(1).unwrap();
    let twice = write(
        &d.join("twice.jsonl"),
        &format!("{text}{queue_line}\n{{\"arn\": 7}}\n"),
    );
    let r = analyze(&[&twice, "--now", "2025-01-02T00:00:00Z", "--previous", &prev]);
    assert_eq!(r.code, 2);
    assert!(r.err.contains("resource 1: resource `arn:aws:sqs:us-east-2:123456789012:queue1` was already analysed in this run"), "{}", r.err);
    assert_eq!(r.doc["errors"].as_array().unwrap().len(), 2);
    assert_eq!(r.doc["changes"], json!([]));
    let unreadable = write(
        &d.join("unreadable.jsonl"),
        "{}\n{\"arn\": \"arn:aws:sqs:us-east-2:123456789012:queue1\", \"type\": \"AWS::SQS::Queue\"\n",
    );
    let r = analyze(&[
        &unreadable,
        "--now",
        "2025-01-02T00:00:00Z",
        "--previous",
        &prev,
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(r.doc["changes"], json!([]), "nothing resolved: {:#}", r.doc);
    assert_eq!(findings(&r.doc).len(), 2);
}

#[test]
fn one_policy_with_the_lifecycle_and_sarif_at_its_statements() {
    let d = dir("policy");
    let queue = fixture("two-account-queue")["policy"].clone();
    let text = serde_json::to_string_pretty(&queue).unwrap();
    let file = write(&d.join("queue.json"), &text);
    let args = [
        "--policy",
        file.as_str(),
        "--resource-type",
        "AWS::SQS::Queue",
        "--resource-arn",
        QUEUE,
    ];
    let (code, out, _) = perimeter(&[&["analyze"], &args[..], &["--format", "sarif"]].concat());
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&out).unwrap();
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    // The statement is the first element of `Statement` in the pretty-printed file.
    let line = text
        .lines()
        .position(|l| l.contains("\"Sid\": \"Queue1_AllActions\""))
        .unwrap();
    assert!(region["startLine"].as_u64().unwrap() <= line as u64 + 1);
    assert!(region["endLine"].as_u64().unwrap() > line as u64);
    // A previous run of a whole snapshot: this run analysed one resource, so the others'
    // findings are kept.
    let s = write(&d.join("s.jsonl"), &snapshot(&queue, true, false));
    let first = analyze(&[&s, "--now", "2025-01-01T00:00:00Z"]);
    let prev = write(&d.join("prev.json"), &first.doc.to_string());
    let r = analyze(
        &[
            &args[..],
            &["--now", "2025-01-02T00:00:00Z", "--previous", &prev],
        ]
        .concat(),
    );
    assert_eq!(r.doc["changes"], json!([]), "{:#}", r.doc);
    assert_eq!(findings(&r.doc).len(), 3);
}
