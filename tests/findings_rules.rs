//! Archive rules and filters: one table of cases over findings that `perimeter::analyze` gives
//! for real resource policies (every operator with every key), the readings chosen where Access
//! Analyzer's documentation is silent (`src/manual/findings.md`), the accepted file shapes, and
//! the exact error messages with their JSON locations.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

#[path = "support/findings.rs"]
#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod support;

use perimeter::analyze::{Finding, FindingSource, Status};
use perimeter::findings::{ArchiveRules, Filter};
use perimeter::ErrorKind;
use std::collections::BTreeSet;
use support::{analyse_fixture, fixture};

const CANONICAL: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

/// Findings with labels: five real policies analysed, an error finding from an analysis over
/// budget, and an ACL grant (built by hand: ACL analysis is not on this branch).
fn corpus() -> Vec<(&'static str, Finding)> {
    let mut out = Vec::new();
    let one = |name: &str| {
        let f = analyse_fixture(&fixture(name));
        assert_eq!(f.len(), 1, "{name}: {f:?}");
        f.into_iter().next().unwrap()
    };
    out.push(("PUB_Q", one("public-queue")));
    out.push(("IP_Q", one("ip-queue")));
    let mut role = one("github-oidc-role");
    role.status = Status::Archived;
    out.push(("GH_ROLE", role));
    let two = analyse_fixture(&fixture("two-account-queue"));
    assert_eq!(two.len(), 2);
    for f in two {
        let label = if f.principal["AWS"] == "111122223333" {
            "X1_Q"
        } else {
            "X2_Q"
        };
        out.push((label, f));
    }
    out.push(("WEB_S3", one("website-bucket")));
    let bucket = perimeter::analyze::Resource::new(
        "arn:aws:s3:::b",
        perimeter::analyze::ResourceType::S3Bucket,
        "111122223333",
    );
    let err = perimeter::analyze::analyze_policy(
        &perimeter::policy::Policy::parse(
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringLike": {"aws:PrincipalArn": ["a*b*c", "*x*y"]}}}]}"#,
        )
        .unwrap(),
        &bucket,
        &perimeter::analyze::ZoneOfTrust::account("111122223333"),
        &perimeter::analyze::Options::default().with_budget(1),
    );
    assert_eq!(err.len(), 1);
    assert_eq!(err[0].error.as_deref(), Some("ANALYSIS_BUDGET_EXCEEDED"));
    out.push(("ERR_S3", err.into_iter().next().unwrap()));
    let mut acl = Finding {
        resource: "arn:aws:s3:::b".into(),
        resource_type: "AWS::S3::Bucket".into(),
        resource_owner_account: "111122223333".into(),
        action: vec!["s3:ListBucket".into()],
        is_public: Some(false),
        sources: vec![FindingSource::of("BUCKET_ACL")],
        ..Finding::default()
    };
    acl.principal
        .insert("CanonicalUser".into(), CANONICAL.into());
    acl.id = acl.compute_id();
    out.push(("ACL_S3", acl));
    out
}

fn check_shapes(c: &[(&'static str, Finding)]) {
    let get = |l: &str| &c.iter().find(|(x, _)| *x == l).unwrap().1;
    // What the cases below rely on.
    assert_eq!(get("PUB_Q").principal["AWS"], "*");
    assert_eq!(get("PUB_Q").action, ["sqs:SendMessage"]);
    assert_eq!(get("PUB_Q").is_public, Some(true));
    assert_eq!(get("IP_Q").condition["aws:SourceIp"], "192.0.2.0/24");
    assert_eq!(get("IP_Q").is_public, Some(false));
    assert!(get("IP_Q").action.len() > 1);
    assert!(get("X1_Q").action.len() > 1);
    assert_eq!(get("WEB_S3").action, ["s3:GetObject"]);
    assert_eq!(get("WEB_S3").is_public, Some(true));
    assert_eq!(get("ERR_S3").is_public, None);
    assert!(get("GH_ROLE").principal["Federated"].ends_with("token.actions.githubusercontent.com"));
}

const ALL: &[&str] = &[
    "PUB_Q", "IP_Q", "GH_ROLE", "X1_Q", "X2_Q", "WEB_S3", "ERR_S3", "ACL_S3",
];

fn all_but(excluded: &[&str]) -> Vec<&'static str> {
    ALL.iter()
        .copied()
        .filter(|l| !excluded.contains(l))
        .collect()
}

#[test]
fn every_operator_with_every_key() {
    let c = corpus();
    check_shapes(&c);
    let x1_id = c.iter().find(|(l, _)| *l == "X1_Q").unwrap().1.id.clone();
    let oidc = "arn:aws:iam::012345678910:oidc-provider/token.actions.githubusercontent.com";
    let cases: Vec<(String, Vec<&str>)> = vec![
        // eq
        (r#"{"resourceType": {"eq": ["AWS::SQS::Queue"]}}"#.into(), vec!["PUB_Q", "IP_Q", "X1_Q", "X2_Q"]),
        (r#"{"resourceType": {"eq": ["aws::s3::bucket"]}}"#.into(), vec!["WEB_S3", "ERR_S3", "ACL_S3"]),
        (r#"{"resource": {"eq": ["arn:aws:s3:::Bucket-Name"]}}"#.into(), vec!["WEB_S3"]),
        (r#"{"resource": {"eq": ["arn:aws:s3:::bucket-name"]}}"#.into(), vec![]),
        (r#"{"resourceOwnerAccount": {"eq": ["123456789012"]}}"#.into(), vec!["PUB_Q", "X1_Q", "X2_Q"]),
        (r#"{"isPublic": {"eq": ["true"]}}"#.into(), vec!["PUB_Q", "WEB_S3"]),
        (r#"{"isPublic": {"eq": ["FALSE"]}}"#.into(), vec!["IP_Q", "GH_ROLE", "X1_Q", "X2_Q", "ACL_S3"]),
        (r#"{"isPublic": {"eq": [true]}}"#.into(), vec!["PUB_Q", "WEB_S3"]),
        (r#"{"principal.AWS": {"eq": ["111122223333", "444455556666"]}}"#.into(), vec!["X1_Q", "X2_Q"]),
        (r#"{"principal.AWS": {"eq": ["*"]}}"#.into(), vec!["PUB_Q", "IP_Q", "WEB_S3"]),
        (format!(r#"{{"principal.Federated": {{"eq": ["{oidc}"]}}}}"#), vec!["GH_ROLE"]),
        (format!(r#"{{"principal.CanonicalUser": {{"eq": ["{CANONICAL}"]}}}}"#), vec!["ACL_S3"]),
        (r#"{"condition.aws:sourceip": {"eq": ["192.0.2.0/24"]}}"#.into(), vec!["IP_Q"]),
        (r#"{"error": {"eq": ["ANALYSIS_BUDGET_EXCEEDED"]}}"#.into(), vec!["ERR_S3"]),
        (format!(r#"{{"id": {{"eq": ["{x1_id}"]}}}}"#), vec!["X1_Q"]),
        (r#"{"status": {"eq": ["archived"]}}"#.into(), vec!["GH_ROLE"]),
        (r#"{"action": {"eq": ["sqs:sendmessage"]}}"#.into(), vec!["PUB_Q"]),
        (r#"{"action": {"eq": ["s3:GetObject", "s3:ListBucket"]}}"#.into(), vec!["WEB_S3", "ACL_S3"]),
        // neq: present and equal to none
        (r#"{"principal.AWS": {"neq": ["*"]}}"#.into(), vec!["X1_Q", "X2_Q"]),
        (r#"{"resourceType": {"neq": ["AWS::SQS::Queue", "AWS::S3::Bucket"]}}"#.into(), vec!["GH_ROLE"]),
        (r#"{"isPublic": {"neq": ["true"]}}"#.into(), vec!["IP_Q", "GH_ROLE", "X1_Q", "X2_Q", "ACL_S3"]),
        (r#"{"condition.aws:SourceIp": {"neq": ["10.0.0.0/8"]}}"#.into(), vec!["IP_Q"]),
        (r#"{"error": {"neq": ["ACCESS_DENIED"]}}"#.into(), vec!["ERR_S3"]),
        (r#"{"action": {"neq": ["s3:GetObject"]}}"#.into(), all_but(&["WEB_S3", "ERR_S3"])),
        (r#"{"status": {"neq": ["ACTIVE"]}}"#.into(), vec!["GH_ROLE"]),
        (r#"{"resource": {"neq": ["arn:aws:sqs:us-east-1:123456789012:demo"]}}"#.into(), all_but(&["PUB_Q"])),
        (r#"{"resourceOwnerAccount": {"neq": ["111122223333"]}}"#.into(), vec!["PUB_Q", "X1_Q", "X2_Q"]),
        (format!(r#"{{"principal.Federated": {{"neq": ["{oidc}"]}}}}"#), vec![]),
        (r#"{"principal.CanonicalUser": {"neq": ["x"]}}"#.into(), vec!["ACL_S3"]),
        (format!(r#"{{"id": {{"neq": ["{x1_id}"]}}}}"#), all_but(&["X1_Q"])),
        // contains: substring, case-sensitive
        (r#"{"principal.AWS": {"contains": ["4444"]}}"#.into(), vec!["X2_Q"]),
        (r#"{"principal.Federated": {"contains": ["githubusercontent"]}}"#.into(), vec!["GH_ROLE"]),
        (r#"{"principal.CanonicalUser": {"contains": ["79a59df9"]}}"#.into(), vec!["ACL_S3"]),
        (r#"{"condition.token.actions.githubusercontent.com:sub": {"contains": ["repo:GitHubOrg/"]}}"#.into(), vec!["GH_ROLE"]),
        (r#"{"condition.token.actions.githubusercontent.com:sub": {"contains": ["repo:githuborg/"]}}"#.into(), vec![]),
        (r#"{"resource": {"contains": [":sqs:us-east-2:"]}}"#.into(), vec!["IP_Q", "X1_Q", "X2_Q"]),
        (r#"{"resourceType": {"contains": ["::S3::"]}}"#.into(), vec!["WEB_S3", "ERR_S3", "ACL_S3"]),
        (r#"{"resourceOwnerAccount": {"contains": ["1111"]}}"#.into(), vec!["IP_Q", "GH_ROLE", "WEB_S3", "ERR_S3", "ACL_S3"]),
        (r#"{"isPublic": {"contains": ["true"]}}"#.into(), vec!["PUB_Q", "WEB_S3"]),
        (r#"{"action": {"contains": ["Send"]}}"#.into(), vec!["PUB_Q"]),
        (r#"{"action": {"contains": ["s3:", "sqs:"]}}"#.into(), all_but(&["GH_ROLE", "ERR_S3"])),
        (r#"{"error": {"contains": ["BUDGET"]}}"#.into(), vec!["ERR_S3"]),
        (r#"{"status": {"contains": ["ARCHIVED"]}}"#.into(), vec!["GH_ROLE"]),
        (format!(r#"{{"id": {{"contains": ["{}"]}}}}"#, &x1_id[..8]), vec!["X1_Q"]),
        // exists
        (r#"{"condition.aws:SourceIp": {"exists": true}}"#.into(), vec!["IP_Q"]),
        (r#"{"condition.aws:SourceIp": {"exists": false}}"#.into(), all_but(&["IP_Q"])),
        (r#"{"error": {"exists": true}}"#.into(), vec!["ERR_S3"]),
        (r#"{"error": {"exists": "false"}}"#.into(), all_but(&["ERR_S3"])),
        (r#"{"isPublic": {"exists": false}}"#.into(), vec!["ERR_S3"]),
        (r#"{"principal.AWS": {"exists": true}}"#.into(), vec!["PUB_Q", "IP_Q", "X1_Q", "X2_Q", "WEB_S3"]),
        (r#"{"principal.Federated": {"exists": true}}"#.into(), vec!["GH_ROLE"]),
        (r#"{"principal.CanonicalUser": {"exists": true}}"#.into(), vec!["ACL_S3"]),
        (r#"{"action": {"exists": false}}"#.into(), vec!["ERR_S3"]),
        (r#"{"resource": {"exists": false}}"#.into(), vec![]),
        (r#"{"resourceType": {"exists": true}}"#.into(), ALL.to_vec()),
        (r#"{"resourceOwnerAccount": {"exists": true}}"#.into(), ALL.to_vec()),
        (r#"{"id": {"exists": true}}"#.into(), ALL.to_vec()),
        (r#"{"status": {"exists": true}}"#.into(), ALL.to_vec()),
        // AND across keys, several operators in one criterion, a lone string value
        (r#"{"resourceType": {"eq": ["AWS::SQS::Queue"]}, "isPublic": {"eq": ["false"]}}"#.into(), vec!["IP_Q", "X1_Q", "X2_Q"]),
        (r#"{"principal.AWS": {"contains": ["1111"]}, "resourceOwnerAccount": {"eq": ["123456789012"]}}"#.into(), vec!["X1_Q"]),
        (r#"{"resourceOwnerAccount": {"eq": ["123456789012", "111122223333"], "neq": ["111122223333"]}}"#.into(), vec!["PUB_Q", "X1_Q", "X2_Q"]),
        (r#"{"isPublic": {"eq": ["false"], "exists": true}, "condition.aws:SourceIp": {"exists": false}}"#.into(), vec!["GH_ROLE", "X1_Q", "X2_Q", "ACL_S3"]),
        (r#"{"resourceType": {"eq": "AWS::IAM::Role"}}"#.into(), vec!["GH_ROLE"]),
    ];
    let mut failures = Vec::new();
    for (filter, expected) in &cases {
        let f = Filter::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        let got: BTreeSet<&str> = c
            .iter()
            .filter(|(_, x)| f.matches(x))
            .map(|(l, _)| *l)
            .collect();
        let want: BTreeSet<&str> = expected.iter().copied().collect();
        if got != want {
            failures.push(format!("{filter}: got {got:?}, want {want:?}"));
        }
        // The same criteria as an archive rule, where the key is allowed there, give the same.
        if !filter.contains("\"status\"") {
            let rules =
                ArchiveRules::parse(&format!(r#"[{{"ruleName": "r", "filter": {filter}}}]"#))
                    .unwrap();
            let by_rule: BTreeSet<&str> = c
                .iter()
                .filter(|(_, x)| rules.matching(x).is_some())
                .map(|(l, _)| *l)
                .collect();
            assert_eq!(by_rule, got, "{filter}");
        }
        // Serializing and reading back keeps the meaning.
        let again = Filter::parse(&f.to_json_value().to_string()).unwrap();
        assert_eq!(again, f, "{filter}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every key and operator appears in the table.
    let text: String = cases.iter().map(|(f, _)| f.as_str()).collect();
    for k in [
        "\"resource\"",
        "\"resourceType\"",
        "\"resourceOwnerAccount\"",
        "\"isPublic\"",
        "\"principal.AWS\"",
        "\"principal.Federated\"",
        "\"principal.CanonicalUser\"",
        "\"condition.",
        "\"error\"",
        "\"id\"",
        "\"status\"",
        "\"action\"",
    ] {
        for op in ["eq", "neq", "contains", "exists"] {
            assert!(
                cases
                    .iter()
                    .any(|(f, _)| f.contains(k) && f.contains(&format!("\"{op}\""))),
                "no case for {k} with {op}"
            );
        }
    }
    assert!(text.contains("exists"));
}

/// Manual, "neq with several values": a finding matches when it equals none of them (the reading
/// that archives fewer findings); "several values differ" would match everything.
#[test]
fn neq_with_several_values_means_none_of_them() {
    let c = corpus();
    let f =
        Filter::parse(r#"{"principal.AWS": {"neq": ["111122223333", "444455556666"]}}"#).unwrap();
    let got: Vec<&str> = c
        .iter()
        .filter(|(_, x)| f.matches(x))
        .map(|(l, _)| *l)
        .collect();
    assert_eq!(got, ["PUB_Q", "IP_Q", "WEB_S3"]);
}

/// Manual, "`neq` on a missing property": no match, so that `condition.aws:SourceIp neq [...]`
/// never archives unconditional access.
#[test]
fn neq_needs_the_property() {
    let c = corpus();
    let f = Filter::parse(r#"{"condition.aws:SourceIp": {"neq": ["203.0.113.0/24"]}}"#).unwrap();
    let public = &c.iter().find(|(l, _)| *l == "PUB_Q").unwrap().1;
    assert!(public.condition.is_empty());
    assert!(!f.matches(public));
}

/// Manual, "case": values compare exactly (ARNs, account ids, condition values); condition key
/// names and action names ignore case, as IAM does; `isPublic`, `status` and known resource types
/// are normalised when read.
#[test]
fn case_rules() {
    let c = corpus();
    let ip = &c.iter().find(|(l, _)| *l == "IP_Q").unwrap().1;
    assert!(
        Filter::parse(r#"{"condition.AWS:SOURCEIP": {"exists": true}}"#)
            .unwrap()
            .matches(ip)
    );
    assert!(!Filter::parse(r#"{"resource": {"contains": ["QUEUE1"]}}"#)
        .unwrap()
        .matches(ip));
    assert!(Filter::parse(
        r#"{"action": {"contains": ["SQS:SEND"], "eq": ["SQS:*", "sqs:SendMessage"]}}"#
    )
    .unwrap()
    .matches(&c[0].1));
}

/// Manual, "list properties": `action` matches when every action of the finding passes, so a rule
/// naming `s3:GetObject` never archives a finding that also grants `s3:PutObject`.
#[test]
fn action_lists_match_only_when_every_action_passes() {
    let c = corpus();
    let x1 = &c.iter().find(|(l, _)| *l == "X1_Q").unwrap().1;
    assert!(x1.action.iter().any(|a| a == "sqs:SendMessage"));
    assert!(!Filter::parse(r#"{"action": {"eq": ["sqs:SendMessage"]}}"#)
        .unwrap()
        .matches(x1));
    let every: Vec<String> = x1.action.iter().take(20).cloned().collect();
    if x1.action.len() <= 20 {
        let f = Filter::parse(&serde_json::json!({"action": {"eq": every}}).to_string()).unwrap();
        assert!(f.matches(x1));
    }
    assert!(Filter::parse(r#"{"action": {"contains": ["sqs:"]}}"#)
        .unwrap()
        .matches(x1));
}

/// Manual, "`exists` on maps": `principal.<type>` and `condition.<key>` test whether the finding's
/// map has that entry.
#[test]
fn exists_on_maps_tests_the_entry() {
    let c = corpus();
    let role = &c.iter().find(|(l, _)| *l == "GH_ROLE").unwrap().1;
    assert!(Filter::parse(r#"{"principal.AWS": {"exists": false}}"#)
        .unwrap()
        .matches(role));
    assert!(Filter::parse(
        r#"{"condition.token.actions.githubusercontent.com:aud": {"exists": true}}"#
    )
    .unwrap()
    .matches(role));
}

#[test]
fn rule_file_shapes() {
    let filter = r#"{"principal.AWS": {"eq": ["444455556666"]}}"#;
    let list = ArchiveRules::parse(&format!(
        r#"[{{"ruleName": "partner", "filter": {filter}}}]"#
    ))
    .unwrap();
    let listed = ArchiveRules::parse(&format!(
        r#"{{"archiveRules": [{{"ruleName": "partner", "filter": {filter},
            "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z"}}]}}"#
    ))
    .unwrap();
    let single = ArchiveRules::parse(&format!(
        r#"{{"analyzerName": "a", "ruleName": "partner", "filter": {filter}}}"#
    ))
    .unwrap();
    assert_eq!(list, listed);
    assert_eq!(list, single);
    let bare = ArchiveRules::parse(filter).unwrap();
    assert_eq!(bare.rules()[0].name, "filter");
    assert_eq!(bare.rules()[0].filter, list.rules()[0].filter);
    assert_eq!(
        ArchiveRules::parse(&list.to_json_value().to_string()).unwrap(),
        list
    );
    assert_eq!(ArchiveRules::parse("[]").unwrap().rules().len(), 0);
    let c = corpus();
    let x2 = &c.iter().find(|(l, _)| *l == "X2_Q").unwrap().1;
    assert_eq!(list.matching(x2).map(|r| r.name.as_str()), Some("partner"));
    assert!(list.get("partner").is_some());
}

/// (text, kind, message, JSON pointer of the location)
#[test]
fn errors_name_the_rule_the_key_and_the_location() {
    let many: Vec<String> = (0..21).map(|i| format!("\"{i:012}\"")).collect();
    let twenty_one = format!(
        r#"[{{"ruleName": "too-many", "filter": {{"principal.AWS": {{"eq": [{}]}}}}}}]"#,
        many.join(",")
    );
    let cases: Vec<(String, ErrorKind, &str, &str)> = vec![
        (twenty_one, ErrorKind::Input, "archive rule `too-many`: `eq` of `principal.AWS` has 21 values; a list takes 1 to 20", "/0/filter/principal.AWS/eq"),
        (r#"[{"ruleName": "r", "filter": {"resource": {"contains": []}}}]"#.into(), ErrorKind::Input, "archive rule `r`: `contains` of `resource` has 0 values; a list takes 1 to 20", "/0/filter/resource/contains"),
        (r#"{"resourcetype": {"eq": ["AWS::S3::Bucket"]}}"#.into(), ErrorKind::Input, "archive rule `filter`: unknown filter key `resourcetype`; use `resource`, `resourceType`, `resourceOwnerAccount`, `isPublic`, `principal.AWS`, `principal.Federated`, `principal.CanonicalUser`, `condition.<key>`, `error`, `id`, `status` or `action`", "/resourcetype"),
        (r#"[{"ruleName": "r", "filter": {"resource": {"equals": ["x"]}}}]"#.into(), ErrorKind::Input, "archive rule `r`: unknown operator `equals` for `resource`; use `eq`, `neq`, `contains` or `exists`", "/0/filter/resource/equals"),
        (r#"[{"ruleName": "r", "filter": {"resource": {"eq": ["x", 3]}}}]"#.into(), ErrorKind::Input, "archive rule `r`: the values of `eq` of `resource` must be strings, not a number", "/0/filter/resource/eq/1"),
        (r#"[{"ruleName": "r", "filter": {}}]"#.into(), ErrorKind::Input, "archive rule `r` has no criteria (it would match every finding)", "/0/filter"),
        (r#"[{"ruleName": "r", "filter": {"resource": {}}}]"#.into(), ErrorKind::Input, "archive rule `r`: the criterion for `resource` needs `eq`, `neq`, `contains` or `exists`", "/0/filter/resource"),
        (r#"[{"ruleName": "r", "filter": {"isPublic": {"neq": ["yes"]}}}]"#.into(), ErrorKind::Input, "archive rule `r`: `isPublic` takes `true` or `false`, not `yes`", "/0/filter/isPublic/neq/0"),
        (r#"[{"ruleName": "r", "filter": {"id": {"eq": ["a"]}, "id": {"eq": ["b"]}}}]"#.into(), ErrorKind::Input, "archive rule `r`: the key `id` appears twice", "/0/filter/id"),
        (r#"[{"ruleName": "r", "filter": {"status": {"eq": ["ACTIVE"]}}}]"#.into(), ErrorKind::Input, "archive rule `r`: `status` cannot be used in an archive rule, which acts on findings as they are created", "/0/filter/status"),
        (r#"[{"ruleName": "r", "filter": {"changeType": {"eq": ["NEW"]}}}]"#.into(), ErrorKind::Input, "archive rule `r`: `changeType` applies to access preview findings only", "/0/filter/changeType"),
        (r#"[{"filter": {"id": {"eq": ["a"]}}}]"#.into(), ErrorKind::Input, "archive rule 0 has no `ruleName`", "/0"),
        (r#"[{"ruleName": "1st", "filter": {"id": {"eq": ["a"]}}}]"#.into(), ErrorKind::Input, "archive rule name `1st` must start with a letter and have only letters, digits, `_`, `.` and `-` (at most 255)", "/0/ruleName"),
        (r#"[{"ruleName": "r"}]"#.into(), ErrorKind::Input, "archive rule `r` has no `filter`", "/0"),
        (r#"[{"ruleName": "r", "filter": {"id": {"eq": ["a"]}}, "Filter": {}}]"#.into(), ErrorKind::Input, "archive rule `r`: unknown member `Filter`; a rule has `ruleName` and `filter`", "/0/Filter"),
        (r#"[{"ruleName": "r", "filter": {"id": {"exists": 1}}}]"#.into(), ErrorKind::Input, "archive rule `r`: `exists` of `id` must be `true` or `false`, not a number", "/0/filter/id/exists"),
        (r#"[{"ruleName": "r", "filter": {"id": ["a"]}}]"#.into(), ErrorKind::Input, "archive rule `r`: the criterion for `id` must be an object such as {\"eq\": [\"…\"]}, not an array", "/0/filter/id"),
        (r#"[{"ruleName": "r", "filter": []}]"#.into(), ErrorKind::Input, "archive rule `r`: a filter is an object of criteria, not an array", "/0/filter"),
        (r#"[3]"#.into(), ErrorKind::Input, "archive rule 0: a rule is an object with `ruleName` and `filter`, not a number", "/0"),
        (r#"{"archiveRules": {}}"#.into(), ErrorKind::Input, "`archiveRules` must be a list, not an object", "/archiveRules"),
        (r#""rules""#.into(), ErrorKind::Input, "archive rules are a list of {\"ruleName\", \"filter\"} objects or one filter object, not a string", ""),
        (r#"[{"ruleName": "r", "filter": {"principal.Service": {"exists": true}}}]"#.into(), ErrorKind::Input, "archive rule `r`: unknown filter key `principal.Service`; use `resource`, `resourceType`, `resourceOwnerAccount`, `isPublic`, `principal.AWS`, `principal.Federated`, `principal.CanonicalUser`, `condition.<key>`, `error`, `id`, `status` or `action`", "/0/filter/principal.Service"),
    ];
    for (text, kind, message, pointer) in &cases {
        let e = ArchiveRules::parse(text).expect_err(text);
        assert_eq!(e.kind(), *kind, "{text}");
        assert_eq!(e.message(), *message, "{text}");
        assert_eq!(
            e.location().map(|l| l.pointer.as_str()),
            Some(*pointer),
            "{text}"
        );
    }
    // Two rules with one name.
    let e = ArchiveRules::parse(
        r#"[{"ruleName": "r", "filter": {"id": {"eq": ["a"]}}}, {"ruleName": "r", "filter": {"id": {"eq": ["b"]}}}]"#,
    )
    .unwrap_err();
    assert_eq!(e.message(), "two archive rules are named `r`");
    // Too many rules.
    let rule = r#"{"ruleName": "r", "filter": {"id": {"eq": ["a"]}}}"#;
    let text = format!("[{}]", vec![rule; 1001].join(","));
    assert_eq!(
        ArchiveRules::parse(&text).unwrap_err().kind(),
        ErrorKind::Limit
    );
    // Values longer than 2,048 characters.
    let long = format!(r#"{{"resource": {{"eq": ["{}"]}}}}"#, "a".repeat(2049));
    assert_eq!(Filter::parse(&long).unwrap_err().kind(), ErrorKind::Limit);
    // Bad JSON.
    assert_eq!(
        ArchiveRules::parse("[").unwrap_err().kind(),
        ErrorKind::Syntax
    );
    // A filter (not a rule) may use `status`; 20 values are fine.
    let twenty: Vec<String> = (0..20).map(|i| format!("\"{i:012}\"")).collect();
    assert!(Filter::parse(&format!(
        r#"{{"principal.AWS": {{"eq": [{}]}}, "status": {{"eq": ["ACTIVE"]}}}}"#,
        twenty.join(",")
    ))
    .is_ok());
}

/// Hostile input: every prefix of a rules file, and every single-byte change of it, reads
/// without panicking (an error or some rules); the same for a findings document.
#[test]
fn truncated_and_mutated_inputs_never_panic() {
    let rules = r#"{"archiveRules": [{"ruleName": "r.1", "filter": {"principal.AWS": {"eq": ["444455556666"], "neq": ["*"]},
        "condition.aws:SourceIp": {"exists": true}, "isPublic": {"contains": ["false"]}, "action": {"eq": "s3:GetObject"}}}]}"#;
    let small: Vec<Finding> = corpus()
        .into_iter()
        .map(|(_, mut f)| {
            f.action.truncate(2);
            f.witness = None;
            f
        })
        .filter(|f| f.error.is_some() || f.principal.contains_key("Federated"))
        .collect();
    let findings = perimeter::findings::to_json(&small, None).to_string();
    for text in [rules, findings.as_str()] {
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let prefix = String::from_utf8_lossy(&bytes[..cut]);
            let _ = ArchiveRules::parse(&prefix);
            let _ = perimeter::findings::read_findings(&prefix);
        }
        for i in (0..bytes.len()).step_by(3) {
            for b in [b'"', b'{', b']', b'0', b'\\', b'\n'] {
                let mut m = bytes.to_vec();
                m[i] = b;
                let s = String::from_utf8_lossy(&m);
                let _ = ArchiveRules::parse(&s);
                let _ = perimeter::findings::read_findings(&s);
            }
        }
    }
    assert!(ArchiveRules::parse(rules).is_ok());
}
