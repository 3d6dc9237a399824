//! Exports, checked field by field: SARIF 2.1.0 (also validated against the official schema in
//! `tests/data/sarif/`, with the small validator in `support/json_schema.rs`, which is itself
//! tested here on documents that break the schema), ASFF for Security Hub, and EventBridge events
//! (their keys compared with the examples of the Access Analyzer documentation).

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

#[path = "support/findings.rs"]
#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod support;

#[path = "support/json_schema.rs"]
mod json_schema;

use json_schema::{regex_search, Validator};
use perimeter::analyze::{
    analyze_policy, Finding, Options, Resource, ResourceType, Status, ZoneOfTrust,
};
use perimeter::findings::{
    apply_archive_rule, asff, events, sarif, update, ArchiveRules, AsffGrouping, AsffOptions,
    EventOptions, LifecycleOptions, SarifOptions,
};
use perimeter::policy::Policy;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use support::{analyse, analyse_fixture, at, fixture};

fn schema() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sarif/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Findings in every state: a public website bucket (active), a queue shared with two accounts
/// (one archived by a rule, one resolved after a fix), and an error finding.
fn mixed() -> Vec<Finding> {
    let queue = fixture("two-account-queue");
    let bucket = fixture("website-bucket");
    let rules = ArchiveRules::parse(
        r#"[{"ruleName": "partner", "filter": {"principal.AWS": {"eq": ["444455556666"]}}}]"#,
    )
    .unwrap();
    let t0 = at("2025-01-01T00:00:00Z");
    let first = [analyse_fixture(&queue), analyse_fixture(&bucket)].concat();
    let mut run = update(
        &[],
        &first,
        &ArchiveRules::none(),
        t0,
        &LifecycleOptions::default(),
    );
    apply_archive_rule(
        &mut run.findings,
        &rules.rules()[0],
        at("2025-01-02T00:00:00Z"),
    );
    let mut fixed = queue.policy.clone();
    fixed["Statement"][0]["Principal"]["AWS"] = json!(["444455556666"]);
    let over = analyze_policy(
        &Policy::parse(r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]}"#).unwrap(),
        &Resource::new("arn:aws:sqs:eu-west-1:111122223333:jobs", ResourceType::SqsQueue, "111122223333"),
        &ZoneOfTrust::account("111122223333"),
        &Options::default().with_budget(1),
    );
    let second = [
        analyse(&fixed.to_string(), &queue.resource),
        analyse_fixture(&bucket),
        over,
    ]
    .concat();
    let run = update(
        &run.findings,
        &second,
        &rules,
        at("2025-01-03T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    let statuses: BTreeSet<Status> = run.findings.iter().map(|f| f.status).collect();
    assert_eq!(statuses.len(), 3, "{:?}", run.findings);
    assert!(run.findings.iter().any(|f| f.error.is_some()));
    run.findings
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let schema = schema();
    let v = Validator::new(&schema);
    let good = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [
        {"message": {"text": "m"}, "level": "error", "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "a.json"}, "region": {"startLine": 1, "startColumn": 1}}}]}]}]});
    assert_eq!(v.validate(&good), Vec::<String>::new());
    let bad: Vec<(Value, &str)> = vec![
        (json!({"runs": []}), "missing required property version"),
        (json!({"version": "2.0.0", "runs": []}), "is not one of"),
        (
            json!({"version": "2.1.0", "runs": [{}]}),
            "missing required property tool",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}),
            "missing required property name",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}),
            "is not one of",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"message": {}}]}]}),
            "matches none of anyOf",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"message": {"text": "m"}, "colour": 1}]}]}),
            "property colour is not allowed",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a"}, "region": {"startLine": 0}}}]}]}]}),
            "below the minimum",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {"region": {"startLine": 1}}}]}]}]}),
            "matches none of anyOf",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"message": {"text": "m"}, "guid": "not-a-guid"}]}]}),
            "does not match",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"message": {"text": "m"}, "partialFingerprints": {"a": 1}}]}]}),
            "expected type",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t", "informationUri": "not a uri"}}}]}),
            "is not a valid uri",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"message": {"text": "m"}, "suppressions": [{"kind": "external"}, {"kind": "external"}]}]}]}),
            "items are not unique",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"message": {"text": "m"}, "graphTraversals": [{"runGraphIndex": 0, "resultGraphIndex": 0}]}]}]}),
            "matches 2 of oneOf",
        ),
        (
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "language": "english"}]}),
            "does not match",
        ),
    ];
    for (doc, expected) in &bad {
        let errors = v.validate(doc);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{doc}: {errors:?}"
        );
    }
    // The patterns of the schema.
    let guid = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$";
    assert!(regex_search(guid, "3f2504e0-4f89-41d3-9a0c-0305e82c3301"));
    assert!(!regex_search(guid, "3f2504e0-4f89-61d3-9a0c-0305e82c3301"));
    assert!(!regex_search(guid, "3f2504e0-4f89-41d3-9a0c-0305e82c33011"));
    assert!(regex_search("[^/]+/.+", "application/json"));
    assert!(!regex_search("[^/]+/.+", "json"));
    assert!(regex_search("[0-9]+(\\.[0-9]+){3}", "1.2.3.4"));
    assert!(!regex_search("[0-9]+(\\.[0-9]+){3}", "1.2.3"));
    assert!(regex_search("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$", "en-US"));
    assert!(!regex_search("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$", "en-"));
}

#[test]
fn sarif_is_valid_and_says_what_it_should() {
    let findings = mixed();
    let schema = schema();
    let validator = Validator::new(&schema);
    for opts in [
        SarifOptions::default(),
        SarifOptions::default()
            .with_artifact("snapshot.json")
            .with_resolved(),
    ] {
        let log = sarif(&findings, &opts);
        assert_eq!(validator.validate(&log), Vec::<String>::new());
        // The validator does look into our results: a broken copy fails.
        let mut broken = log.clone();
        broken["runs"][0]["results"][0]["level"] = json!("fatal");
        broken["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["rank"] =
            json!(101);
        assert_eq!(
            validator.validate(&broken).len(),
            2,
            "{:?}",
            validator.validate(&broken)
        );
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let results = run["results"].as_array().unwrap();
        let included: Vec<&Finding> = findings
            .iter()
            .filter(|f| opts.include_resolved || f.status != Status::Resolved)
            .collect();
        assert_eq!(results.len(), included.len());
        let ids: BTreeSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), rules.len(), "rule ids are unique");
        for (r, f) in results.iter().zip(&included) {
            let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], r["ruleId"]);
            assert_eq!(
                r["partialFingerprints"]["perimeterFindingId/v1"],
                f.id.as_str()
            );
            assert_eq!(r["properties"]["status"], f.status.as_str());
            assert_eq!(
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                f.resource.as_str()
            );
            let (rule_id, level) = if f.error.is_some() {
                ("analysis-error/sqs-queue", "warning")
            } else if f.is_public == Some(true) {
                ("public-access/s3-bucket", "error")
            } else {
                ("external-access/sqs-queue", "warning")
            };
            assert_eq!(r["ruleId"], rule_id);
            assert_eq!(r["level"], level);
            assert_eq!(rule["defaultConfiguration"]["level"], level);
            assert!(rule["properties"]["tags"]
                .as_array()
                .unwrap()
                .contains(&json!("security")));
            assert!(rule["properties"]["security-severity"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .is_ok());
            assert!(r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with(&f.resource));
            // Archived findings are suppressed; the others are not.
            assert_eq!(
                r.get("suppressions").is_some(),
                f.status == Status::Archived
            );
            let state = match f.status {
                Status::Resolved => "absent",
                _ if f.created_at == f.analyzed_at => "new",
                _ => "unchanged",
            };
            assert_eq!(r["baselineState"], state, "{f:?}");
            assert_eq!(
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str(),
                opts.artifact_uri.as_deref()
            );
        }
        let public = results
            .iter()
            .find(|r| r["ruleId"] == "public-access/s3-bucket")
            .unwrap();
        assert!(public["message"]["text"]
            .as_str()
            .unwrap()
            .contains("AWS * can call s3:GetObject"));
        let error = results
            .iter()
            .find(|r| r["ruleId"] == "analysis-error/sqs-queue")
            .unwrap();
        assert_eq!(error["properties"]["error"], "ANALYSIS_BUDGET_EXCEEDED");
    }
}

#[test]
fn sarif_points_at_the_statement_that_grants_the_access() {
    let bucket = fixture("website-bucket");
    let text = serde_json::to_string_pretty(&bucket.policy).unwrap();
    let findings = analyse(&text, &bucket.resource);
    assert_eq!(findings[0].statements.len(), 1, "{findings:?}");
    let log = sarif(
        &findings,
        &SarifOptions::default().with_policy("policies/site.json", &text),
    );
    let schema = schema();
    assert_eq!(Validator::new(&schema).validate(&log), Vec::<String>::new());
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    let start = region["byteOffset"].as_u64().unwrap() as usize;
    let len = region["byteLength"].as_u64().unwrap() as usize;
    let statement: Value = serde_json::from_str(&text[start..start + len]).unwrap();
    assert_eq!(statement["Sid"], "PublicReadGetObject");
    let line = text[..start].matches('\n').count() + 1;
    assert_eq!(region["startLine"], line);
    assert_eq!(
        region["endLine"],
        text[..start + len].matches('\n').count() + 1
    );
}

#[test]
fn asff_fields() {
    let findings = mixed();
    let now = at("2025-01-03T00:00:00Z");
    let out = asff(&findings, &AsffOptions::new("us-east-1", now));
    let access: Vec<&Finding> = findings.iter().filter(|f| f.error.is_none()).collect();
    assert_eq!(out.len(), access.len(), "error findings are not exported");
    for (a, f) in out.iter().zip(&access) {
        for key in [
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
            assert!(a.get(key).is_some(), "{key} missing in {a}");
        }
        assert_eq!(a["SchemaVersion"], "2018-10-08");
        assert_eq!(a["AwsAccountId"], f.resource_owner_account.as_str());
        assert_eq!(
            a["Id"],
            format!(
                "arn:aws:access-analyzer:us-east-1:{}:analyzer/perimeter/{}/{}",
                f.resource_owner_account, f.resource, f.id
            )
        );
        assert_eq!(
            a["ProductArn"],
            format!(
                "arn:aws:securityhub:us-east-1:{0}:product/{0}/default",
                f.resource_owner_account
            )
        );
        assert!(a["Title"].as_str().unwrap().chars().count() <= 256);
        assert!(a["Description"].as_str().unwrap().chars().count() <= 1024);
        assert_eq!(a["CreatedAt"], f.created_at.clone().unwrap().as_str());
        assert_eq!(a["UpdatedAt"], f.updated_at.clone().unwrap().as_str());
        let public = f.is_public == Some(true);
        assert_eq!(
            a["Types"][0],
            if public {
                "Effects/Data Exposure/External Access Granted"
            } else {
                "Software and Configuration Checks/AWS Security Best Practices/External Access Granted"
            }
        );
        assert_eq!(a["Severity"]["Label"], if public { "HIGH" } else { "LOW" });
        let (workflow, record, compliance) = match f.status {
            Status::Active => ("NEW", "ACTIVE", "FAILED"),
            Status::Archived => ("SUPPRESSED", "ARCHIVED", "PASSED"),
            Status::Resolved => ("RESOLVED", "ARCHIVED", "PASSED"),
        };
        assert_eq!(a["Workflow"]["Status"], workflow);
        assert_eq!(a["RecordState"], record);
        assert_eq!(a["Compliance"]["Status"], compliance);
        let r = &a["Resources"][0];
        assert_eq!(r["Id"], f.resource.as_str());
        assert_eq!(r["Partition"], "aws");
        let other = &r["Details"]["Other"];
        assert_eq!(
            other["External Principal"],
            f.principal.values().next().unwrap().as_str()
        );
        assert_eq!(
            other["Action Granted"],
            f.action
                .join(",")
                .chars()
                .take(1024)
                .collect::<String>()
                .as_str()
        );
        if f.resource.starts_with("arn:aws:s3") {
            assert_eq!(r["Type"], "AwsS3Bucket");
            assert_eq!(
                r["Region"], "us-east-1",
                "buckets take the Security Hub Region"
            );
            assert_eq!(
                a["Title"],
                format!("AwsS3Bucket/{}/ allows public access", f.resource)
            );
        } else {
            assert_eq!(r["Type"], "AwsSqsQueue");
            assert_eq!(r["Region"], "us-east-2", "from the queue's ARN");
            assert_eq!(
                a["Title"],
                format!("AwsSqsQueue/{}/ allows cross-account access", f.resource)
            );
        }
    }
    // Per resource, as Access Analyzer sends them: the queue is archived only when all of its
    // findings are archived or resolved.
    let grouped = asff(
        &findings,
        &AsffOptions::new("us-east-1", now).with_grouping(AsffGrouping::Resource),
    );
    assert_eq!(grouped.len(), 2);
    let queue = grouped
        .iter()
        .find(|a| a["Resources"][0]["Type"] == "AwsSqsQueue")
        .unwrap();
    assert_eq!(queue["RecordState"], "ARCHIVED");
    assert_eq!(queue["Workflow"]["Status"], "SUPPRESSED");
    assert_eq!(queue["Id"], "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/perimeter/arn:aws:sqs:us-east-2:123456789012:queue1");
    assert_eq!(queue["CreatedAt"], "2025-01-01T00:00:00Z");
    assert_eq!(queue["UpdatedAt"], "2025-01-03T00:00:00Z");
    assert!(queue["Description"]
        .as_str()
        .unwrap()
        .contains("(2 findings)"));
    // Options.
    let custom = asff(
        &findings[..1],
        &AsffOptions::new("eu-west-1", now)
            .with_account("999988887777")
            .with_product_arn("arn:aws:securityhub:eu-west-1::product/aws/access-analyzer")
            .with_analyzer_arn("arn:aws:access-analyzer:eu-west-1:999988887777:analyzer/main"),
    );
    assert_eq!(
        custom[0]["ProductArn"],
        "arn:aws:securityhub:eu-west-1::product/aws/access-analyzer"
    );
    assert!(custom[0]["Id"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:access-analyzer:eu-west-1:999988887777:analyzer/main/"));
}

#[test]
fn asff_cuts_long_texts() {
    let mut f = Finding {
        id: "f".into(),
        resource: format!("arn:aws:sqs:us-east-1:111122223333:{}", "q".repeat(80)),
        resource_type: "AWS::SQS::Queue".into(),
        resource_owner_account: "111122223333".into(),
        action: (0..400).map(|i| format!("sqs:Action{i}")).collect(),
        is_public: Some(false),
        ..Finding::default()
    };
    f.principal.insert("AWS".into(), "444455556666".into());
    for i in 0..50 {
        f.condition.insert(format!("aws:Key{i}"), "v".repeat(40));
    }
    let out = asff(
        &[f.clone()],
        &AsffOptions::new("us-east-1", at("2025-01-01T00:00:00Z")),
    );
    assert_eq!(
        out[0]["Description"].as_str().unwrap().chars().count(),
        1024
    );
    assert!(out[0]["Description"].as_str().unwrap().ends_with('…'));
    assert_eq!(
        out[0]["Resources"][0]["Details"]["Other"]["Action Granted"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        1024
    );
    // Without lifecycle times, `now`.
    assert_eq!(out[0]["CreatedAt"], "2025-01-01T00:00:00Z");
}

#[test]
fn events_have_access_analyzers_shape() {
    let queue = fixture("two-account-queue");
    let t0 = at("2019-11-21T01:22:33Z");
    let run = update(
        &[],
        &analyse_fixture(&queue),
        &ArchiveRules::none(),
        t0,
        &LifecycleOptions::default(),
    );
    let ev = events(
        &run.changes,
        &EventOptions::new("us-west-2", t0).with_analyzer_arn(
            "arn:aws:access-analyzer:us-west-2:111122223333:analyzer/MyAnalyzer",
        ),
    );
    assert_eq!(ev.len(), 2);
    // The keys of the documentation's example event, plus `sources` (a finding field).
    let top: BTreeSet<&str> = [
        "account",
        "detail",
        "detail-type",
        "id",
        "region",
        "resources",
        "source",
        "time",
        "version",
    ]
    .into();
    let detail: BTreeSet<&str> = [
        "accountId",
        "action",
        "analyzedAt",
        "condition",
        "createdAt",
        "id",
        "isDeleted",
        "isPublic",
        "principal",
        "region",
        "resource",
        "resourceOwnerAccount",
        "resourceType",
        "status",
        "updatedAt",
        "version",
        "sources",
    ]
    .into();
    for (e, c) in ev.iter().zip(&run.changes) {
        assert_eq!(
            e.as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect::<BTreeSet<_>>(),
            top
        );
        assert_eq!(
            e["detail"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect::<BTreeSet<_>>(),
            detail
        );
        assert_eq!(e["version"], "0");
        assert_eq!(e["source"], "aws.access-analyzer");
        assert_eq!(e["detail-type"], "Access Analyzer Finding");
        assert_eq!(e["time"], "2019-11-21T01:22:33Z");
        assert_eq!(e["region"], "us-west-2");
        assert_eq!(e["account"], "123456789012");
        assert_eq!(
            e["resources"],
            json!(["arn:aws:access-analyzer:us-west-2:111122223333:analyzer/MyAnalyzer"])
        );
        let d = &e["detail"];
        assert_eq!(d["version"], "1.0");
        assert_eq!(d["id"], c.finding.id.as_str());
        assert_eq!(
            d["region"], "us-east-2",
            "the finding's region, from its ARN"
        );
        assert_eq!(d["accountId"], "123456789012");
        assert_eq!(d["isDeleted"], false);
        assert_eq!(d["principal"], json!(c.finding.principal));
        assert_eq!(d["action"], json!(c.finding.action));
        assert_eq!(d["condition"], json!({}));
        assert_eq!(d["status"], "ACTIVE");
        assert_eq!(d["createdAt"], "2019-11-21T01:22:33Z");
        // Event ids are UUID-shaped and differ per event.
        assert_eq!(e["id"].as_str().unwrap().len(), 36);
    }
    assert_ne!(ev[0]["id"], ev[1]["id"]);
}
