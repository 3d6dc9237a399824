//! The lifecycle across runs, with real analyses: open → archive → policy fixed → resolved →
//! reopened with another condition → expired after 90 days; error findings; scope; matching
//! findings from Access Analyzer's own files; EventBridge events and the CI gate at each step.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

#[path = "support/findings.rs"]
#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod support;

use perimeter::analyze::{analyze_policy, Finding, Options, Status, ZoneOfTrust};
use perimeter::findings::{
    apply_archive_rule, events, gate, read_findings, set_status, to_json, update, ArchiveRules,
    ChangeKind, EventOptions, FailOn, LifecycleOptions, Update,
};
use perimeter::policy::Policy;
use serde_json::json;
use support::{analyse, at, fixture};

fn by_principal<'a>(fs: &'a [Finding], value: &str) -> Vec<&'a Finding> {
    fs.iter()
        .filter(|f| f.principal.values().any(|v| v == value))
        .collect()
}

fn kinds(u: &Update) -> Vec<(ChangeKind, String)> {
    u.changes
        .iter()
        .map(|c| (c.kind, c.finding.resource.clone()))
        .collect()
}

/// The policy with its first statement changed, as text.
fn edit(policy: &serde_json::Value, change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut p = policy.clone();
    change(&mut p["Statement"][0]);
    assert_ne!(&p, policy);
    p.to_string()
}

const QUEUE: &str = "arn:aws:sqs:us-east-2:123456789012:queue1";
const BUCKET: &str = "arn:aws:s3:::Bucket-Name";

#[test]
fn open_archive_fix_resolve_reopen_expire() {
    let queue = fixture("two-account-queue");
    let bucket = fixture("website-bucket");
    assert_eq!(queue.resource.arn, QUEUE);
    assert_eq!(bucket.resource.arn, BUCKET);
    let original_queue = queue.policy.to_string();
    let original_bucket = bucket.policy.to_string();
    let opts = LifecycleOptions::default();
    let none = ArchiveRules::none();

    // Run 1: the queue grants two accounts everything, the bucket is a public website.
    let t0 = at("2025-01-01T00:00:00Z");
    let found1 = [
        analyse(&original_queue, &queue.resource),
        analyse(&original_bucket, &bucket.resource),
    ]
    .concat();
    assert_eq!(found1.len(), 3);
    let run1 = update(&[], &found1, &none, t0, &opts);
    assert_eq!(run1.findings.len(), 3);
    assert_eq!(run1.count(ChangeKind::New), 3);
    for f in &run1.findings {
        assert_eq!(f.status, Status::Active);
        assert_eq!(f.created_at.as_deref(), Some("2025-01-01T00:00:00Z"));
        assert_eq!(f.updated_at, f.created_at);
        assert_eq!(f.analyzed_at, f.created_at);
        // Ids are the analysis' content ids.
        assert_eq!(f.id, f.compute_id());
    }
    let web = by_principal(&run1.findings, "*")[0].clone();
    let x1 = by_principal(&run1.findings, "111122223333")[0].clone();
    let x2 = by_principal(&run1.findings, "444455556666")[0].clone();
    assert_eq!(web.is_public, Some(true));
    assert_eq!(
        gate(&run1.findings, &run1.changes, FailOn::Public).failing,
        std::slice::from_ref(&web.id)
    );
    assert_eq!(
        gate(&run1.findings, &run1.changes, FailOn::New)
            .failing
            .len(),
        3
    );
    let ev = events(&run1.changes, &EventOptions::new("us-east-2", t0));
    assert_eq!(ev.len(), 3);
    assert!(ev.iter().all(|e| e["detail"]["isDeleted"] == false));
    assert!(ev.iter().all(|e| e["detail"]["status"] == "ACTIVE"));

    // Run 2: a rule for the partner account. New rules do not act on existing findings...
    let t1 = at("2025-01-02T00:00:00Z");
    let rules = ArchiveRules::parse(
        r#"[{"ruleName": "partner", "filter": {"principal.AWS": {"eq": ["444455556666"]},
                                                "isPublic": {"eq": ["false"]}}}]"#,
    )
    .unwrap();
    let mut run2 = update(&run1.findings, &found1, &rules, t1, &opts);
    assert!(run2.changes.is_empty(), "{:?}", kinds(&run2));
    assert!(run2.findings.iter().all(|f| f.status == Status::Active));
    assert!(run2
        .findings
        .iter()
        .all(|f| f.analyzed_at.as_deref() == Some("2025-01-02T00:00:00Z")
            && f.updated_at.as_deref() == Some("2025-01-01T00:00:00Z")));
    // ...until it is applied.
    let archived = apply_archive_rule(&mut run2.findings, &rules.rules()[0], t1);
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0].kind, ChangeKind::Archived);
    assert_eq!(archived[0].finding.id, x2.id);
    assert_eq!(archived[0].archive_rule.as_deref(), Some("partner"));
    let x2_now = run2.findings.iter().find(|f| f.id == x2.id).unwrap();
    assert_eq!(x2_now.status, Status::Archived);
    assert_eq!(x2_now.updated_at.as_deref(), Some("2025-01-02T00:00:00Z"));
    assert_eq!(x2_now.created_at.as_deref(), Some("2025-01-01T00:00:00Z"));
    // Applying again changes nothing.
    assert!(apply_archive_rule(&mut run2.findings, &rules.rules()[0], t1).is_empty());
    let mut active = gate(&run2.findings, &[], FailOn::Active).failing;
    active.sort();
    let mut want = vec![x1.id.clone(), web.id.clone()];
    want.sort();
    assert_eq!(active, want);
    assert_eq!(gate(&run2.findings, &[], FailOn::Any).failing.len(), 3);

    // Run 3: both policies are fixed: the queue keeps only the partner, the bucket only a network.
    let t2 = at("2025-01-10T00:00:00Z");
    let fixed_queue = edit(&queue.policy, |s| {
        assert_eq!(
            s["Principal"]["AWS"],
            json!(["111122223333", "444455556666"])
        );
        s["Principal"]["AWS"] = json!(["444455556666"]);
    });
    let fixed_bucket = edit(&bucket.policy, |s| {
        s["Condition"] = json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}});
    });
    let found3 = [
        analyse(&fixed_queue, &queue.resource),
        analyse(&fixed_bucket, &bucket.resource),
    ]
    .concat();
    let run3 = update(&run2.findings, &found3, &rules, t2, &opts);
    let mut k = kinds(&run3);
    k.sort();
    assert_eq!(
        k,
        [
            (ChangeKind::New, BUCKET.to_string()),
            (ChangeKind::Resolved, BUCKET.to_string()),
            (ChangeKind::Resolved, QUEUE.to_string()),
        ]
    );
    let get = |u: &Update, id: &str| u.findings.iter().find(|f| f.id == id).cloned().unwrap();
    let x1_3 = get(&run3, &x1.id);
    assert_eq!(x1_3.status, Status::Resolved);
    assert_eq!(x1_3.updated_at.as_deref(), Some("2025-01-10T00:00:00Z"));
    assert_eq!(x1_3.created_at.as_deref(), Some("2025-01-01T00:00:00Z"));
    let x2_3 = get(&run3, &x2.id);
    assert_eq!(x2_3.status, Status::Archived, "archived stays archived");
    assert_eq!(x2_3.updated_at.as_deref(), Some("2025-01-02T00:00:00Z"));
    assert_eq!(get(&run3, &web.id).status, Status::Resolved);
    // A change of condition resolves the old finding and opens a new one with another id.
    let narrowed = run3
        .changes
        .iter()
        .find(|c| c.kind == ChangeKind::New)
        .unwrap()
        .finding
        .clone();
    assert_ne!(narrowed.id, web.id);
    assert_eq!(narrowed.condition["aws:SourceIp"], "203.0.113.0/24");
    assert_eq!(narrowed.is_public, Some(false));
    assert_eq!(narrowed.status, Status::Active);
    assert!(!gate(&run3.findings, &run3.changes, FailOn::Public).fail);
    assert_eq!(
        gate(&run3.findings, &run3.changes, FailOn::New).failing,
        std::slice::from_ref(&narrowed.id)
    );
    let ev = events(&run3.changes, &EventOptions::new("us-east-2", t2));
    let resolved_ev: Vec<_> = ev
        .iter()
        .filter(|e| e["detail"]["status"] == "RESOLVED")
        .collect();
    assert_eq!(resolved_ev.len(), 2);
    assert!(resolved_ev
        .iter()
        .all(|e| e["detail"]["isDeleted"] == false));

    // Run 4: the first account is given access again, under another condition.
    let t3 = at("2025-02-01T00:00:00Z");
    let reopened_queue = edit(&queue.policy, |s| {
        s["Condition"] = json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}});
    });
    let found4 = [
        analyse(&reopened_queue, &queue.resource),
        analyse(&fixed_bucket, &bucket.resource),
    ]
    .concat();
    let run4 = update(&run3.findings, &found4, &rules, t3, &opts);
    let changes4 = kinds(&run4);
    // The partner's unconditional finding is gone (resolved, though archived) and the partner
    // reappears with the condition: a rule on principal.AWS archives the new finding as it is
    // created; the first account's new finding is active.
    let new4: Vec<&Finding> = run4
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::New)
        .map(|c| &c.finding)
        .collect();
    assert_eq!(new4.len(), 2, "{changes4:?}");
    let x1_again = new4
        .iter()
        .find(|f| f.principal["AWS"] == "111122223333")
        .unwrap();
    assert_ne!(x1_again.id, x1.id);
    assert_eq!(x1_again.condition["aws:SourceVpce"], "vpce-1a2b3c4d");
    assert_eq!(x1_again.status, Status::Active);
    assert_eq!(x1_again.created_at.as_deref(), Some("2025-02-01T00:00:00Z"));
    let x2_again = new4
        .iter()
        .find(|f| f.principal["AWS"] == "444455556666")
        .unwrap();
    assert_eq!(x2_again.status, Status::Archived);
    assert_eq!(
        run4.changes
            .iter()
            .find(|c| c.finding.id == x2_again.id)
            .unwrap()
            .archive_rule
            .as_deref(),
        Some("partner")
    );
    assert_eq!(get(&run4, &x2.id).status, Status::Resolved);
    assert_eq!(get(&run4, &x1.id).status, Status::Resolved);
    assert_eq!(
        get(&run4, &x1.id).updated_at.as_deref(),
        Some("2025-01-10T00:00:00Z")
    );
    assert_eq!(
        gate(&run4.findings, &run4.changes, FailOn::New).failing,
        std::slice::from_ref(&x1_again.id)
    );

    // Run 5, 94 days after run 3: the findings resolved on 10 January expire; the one resolved
    // on 1 February (x2) is kept. Expiry sends deletion events with the status unchanged.
    let t4 = at("2025-04-14T00:00:01Z");
    let run5 = update(&run4.findings, &found4, &rules, t4, &opts);
    let mut expired: Vec<&str> = run5
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Expired)
        .map(|c| c.finding.id.as_str())
        .collect();
    expired.sort();
    let mut want = vec![x1.id.as_str(), web.id.as_str()];
    want.sort();
    assert_eq!(expired, want);
    assert_eq!(run5.changes.len(), 2);
    assert!(run5
        .findings
        .iter()
        .all(|f| f.id != x1.id && f.id != web.id));
    assert_eq!(get(&run5, &x2.id).status, Status::Resolved);
    let ev = events(&run5.changes, &EventOptions::new("us-east-2", t4));
    assert!(ev
        .iter()
        .all(|e| e["detail"]["isDeleted"] == true && e["detail"]["status"] == "RESOLVED"));
    // One day less and nothing expires.
    let early = update(
        &run4.findings,
        &found4,
        &rules,
        at("2025-04-10T00:00:00Z"),
        &opts,
    );
    assert!(early.changes.is_empty(), "{:?}", kinds(&early));

    // Run 6: the original queue policy is back. x1's unconditional finding expired, so it is new
    // again, with the same content id and a new creation time; x2's resolved finding reopens.
    let t5 = at("2025-04-20T00:00:00Z");
    let found6 = [
        analyse(&original_queue, &queue.resource),
        analyse(&fixed_bucket, &bucket.resource),
    ]
    .concat();
    let run6 = update(&run5.findings, &found6, &rules, t5, &opts);
    let x1_6 = get(&run6, &x1.id);
    assert_eq!(x1_6.created_at.as_deref(), Some("2025-04-20T00:00:00Z"));
    assert_eq!(x1_6.status, Status::Active);
    let reopened = run6
        .changes
        .iter()
        .find(|c| c.kind == ChangeKind::Reopened)
        .unwrap();
    assert_eq!(reopened.finding.id, x2.id);
    assert_eq!(reopened.previous_status, Some(Status::Resolved));
    assert_eq!(
        reopened.finding.status,
        Status::Archived,
        "the rule archives a reopened finding"
    );
    assert_eq!(
        reopened.finding.created_at.as_deref(),
        Some("2025-01-01T00:00:00Z")
    );
    assert_eq!(
        reopened.finding.updated_at.as_deref(),
        Some("2025-04-20T00:00:00Z")
    );
    // The two conditional findings of run 4 are resolved.
    assert_eq!(run6.count(ChangeKind::Resolved), 2);

    // A run's JSON reads back as the same findings.
    let doc = to_json(&run6.findings, Some(&run6.changes));
    assert_eq!(doc["changes"].as_array().unwrap().len(), run6.changes.len());
    assert_eq!(read_findings(&doc.to_string()).unwrap(), run6.findings);
}

#[test]
fn error_findings_are_deleted_and_keep_the_resource_findings_meanwhile() {
    let bucket = fixture("website-bucket");
    let policy = Policy::parse(&bucket.policy.to_string()).unwrap();
    let zone = ZoneOfTrust::account("111122223333");
    let ok = analyze_policy(&policy, &bucket.resource, &zone, &Options::default());
    let over = analyze_policy(
        &policy,
        &bucket.resource,
        &zone,
        &Options::default().with_budget(1),
    );
    assert_eq!(over[0].error.as_deref(), Some("ANALYSIS_BUDGET_EXCEEDED"));
    let none = ArchiveRules::none();
    let opts = LifecycleOptions::default();

    let a = update(&[], &ok, &none, at("2025-01-01T00:00:00Z"), &opts);
    // The analysis fails: an error finding appears, the access finding is kept as it was.
    let b = update(&a.findings, &over, &none, at("2025-01-02T00:00:00Z"), &opts);
    assert_eq!(kinds(&b), [(ChangeKind::New, BUCKET.to_string())]);
    assert!(b.changes[0].finding.error.is_some());
    let kept = b.findings.iter().find(|f| f.error.is_none()).unwrap();
    assert_eq!(kept, &a.findings[0]);
    assert!(gate(&b.findings, &b.changes, FailOn::Public)
        .failing
        .contains(&b.changes[0].finding.id));
    // The same error again: nothing changes.
    let b2 = update(&b.findings, &over, &none, at("2025-01-03T00:00:00Z"), &opts);
    assert!(b2.changes.is_empty());
    // The analysis succeeds: the error finding is deleted (not resolved).
    let c = update(&b2.findings, &ok, &none, at("2025-01-04T00:00:00Z"), &opts);
    assert_eq!(kinds(&c), [(ChangeKind::Deleted, BUCKET.to_string())]);
    assert_eq!(c.findings.len(), 1);
    assert_eq!(c.findings[0].status, Status::Active);
    let ev = events(
        &c.changes,
        &EventOptions::new("us-east-1", at("2025-01-04T00:00:00Z")),
    );
    assert_eq!(ev[0]["detail"]["isDeleted"], true);
    assert_eq!(ev[0]["detail"]["status"], "ACTIVE");
    assert_eq!(ev[0]["detail"]["error"], "ANALYSIS_BUDGET_EXCEEDED");
    assert!(ev[0]["detail"].get("condition").is_none());
    assert_eq!(ev[0]["detail"]["region"], "us-east-1");
}

#[test]
fn scope_keeps_findings_of_resources_not_analysed() {
    let queue = fixture("two-account-queue");
    let bucket = fixture("website-bucket");
    let all = [
        support::analyse_fixture(&queue),
        support::analyse_fixture(&bucket),
    ]
    .concat();
    let none = ArchiveRules::none();
    let first = update(
        &[],
        &all,
        &none,
        at("2025-01-01T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    let only_bucket = support::analyse_fixture(&bucket);
    let scoped = update(
        &first.findings,
        &only_bucket,
        &none,
        at("2025-01-02T00:00:00Z"),
        &LifecycleOptions::default().with_scope([BUCKET]),
    );
    assert!(scoped.changes.is_empty());
    assert!(scoped.findings.iter().all(|f| f.status == Status::Active));
    let queue_findings: Vec<_> = scoped
        .findings
        .iter()
        .filter(|f| f.resource == QUEUE)
        .collect();
    assert!(queue_findings
        .iter()
        .all(|f| f.analyzed_at.as_deref() == Some("2025-01-01T00:00:00Z")));
    // Without a scope the run covers everything: the queue's findings are resolved.
    let full = update(
        &first.findings,
        &only_bucket,
        &none,
        at("2025-01-02T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    assert_eq!(full.count(ChangeKind::Resolved), 2);
}

#[test]
fn findings_from_access_analyzer_keep_their_ids() {
    // A previous run from `aws accessanalyzer list-findings`: the same access under a UUID.
    let queue = fixture("public-queue");
    let current = support::analyse_fixture(&queue);
    let aws = json!({"findings": [{
        "id": "22222222-dcba-4444-dcba-333333333333",
        "principal": {"AWS": "*"},
        "action": ["sqs:SendMessage"],
        "resource": "arn:aws:sqs:us-east-1:123456789012:demo",
        "resourceType": "AWS::SQS::Queue",
        "resourceOwnerAccount": "123456789012",
        "condition": {},
        "isPublic": true,
        "sources": [{"type": "POLICY"}],
        "status": "ARCHIVED",
        "createdAt": "2024-11-20T04:58:50Z",
        "analyzedAt": "2024-11-21T01:22:22Z",
        "updatedAt": "2024-11-21T01:14:07Z"
    }], "nextToken": null});
    let previous = read_findings(&aws.to_string()).unwrap();
    let run = update(
        &previous,
        &current,
        &ArchiveRules::none(),
        at("2025-01-01T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    assert!(run.changes.is_empty());
    assert_eq!(run.findings[0].id, "22222222-dcba-4444-dcba-333333333333");
    assert_eq!(run.findings[0].status, Status::Archived);
    assert_eq!(
        run.findings[0].created_at.as_deref(),
        Some("2024-11-20T04:58:50Z")
    );
    // The analysis' extras are taken from the current run.
    assert!(run.findings[0].witness.is_some());
    // A previous finding that differs in its actions is a different finding.
    let mut other = previous[0].clone();
    other.action.push("sqs:ReceiveMessage".into());
    let run = update(
        &[other],
        &current,
        &ArchiveRules::none(),
        at("2025-01-01T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    let mut k: Vec<ChangeKind> = run.changes.iter().map(|c| c.kind).collect();
    k.sort();
    assert_eq!(k, [ChangeKind::New, ChangeKind::Resolved]);
}

#[test]
fn archive_and_unarchive_by_id() {
    let found = support::analyse_fixture(&fixture("two-account-queue"));
    let run = update(
        &[],
        &found,
        &ArchiveRules::none(),
        at("2025-01-01T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    let mut fs = run.findings.clone();
    let id = fs[0].id.clone();
    let t = at("2025-01-05T00:00:00Z");
    let a = set_status(&mut fs, &[&id], Status::Archived, t).unwrap();
    assert_eq!(a[0].kind, ChangeKind::Archived);
    assert_eq!(fs[0].status, Status::Archived);
    assert!(set_status(&mut fs, &[&id], Status::Archived, t)
        .unwrap()
        .is_empty());
    let u = set_status(&mut fs, &[&id], Status::Active, t).unwrap();
    assert_eq!(u[0].kind, ChangeKind::Unarchived);
    assert_eq!(u[0].previous_status, Some(Status::Archived));
    assert_eq!(
        set_status(&mut fs, &["nope"], Status::Archived, t)
            .unwrap_err()
            .message(),
        "no finding has the id `nope`"
    );
    assert!(set_status(&mut fs, &[&id], Status::Resolved, t).is_err());
    fs[1].status = Status::Resolved;
    let other = fs[1].id.clone();
    assert!(set_status(&mut fs, &[&other], Status::Archived, t)
        .unwrap_err()
        .message()
        .ends_with("only active and archived findings can be archived or unarchived"));
    // Events for these changes are status changes, not deletions.
    let ev = events(
        &u,
        &EventOptions::new("us-east-2", t).with_account("999988887777"),
    );
    assert_eq!(ev[0]["account"], "999988887777");
    assert_eq!(ev[0]["detail"]["accountId"], "123456789012");
    assert_eq!(ev[0]["detail"]["status"], "ACTIVE");
}
