//! Hostile input: every case gets a clear error (naming its location where it has one) or a
//! correct answer, quickly, and never a panic. Each test says which it expects.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

use perimeter::analyze::{
    analyze_policy, Options, Resource, ResourceType, ZoneOfTrust, ERROR_BUDGET,
};
use perimeter::eval::{evaluate, Caller, Decision, PolicySet, Request};
use perimeter::json::{parse_bytes, Limits as JsonLimits};
use perimeter::policy::{CompiledPolicy, Limits, Policy};
use perimeter::validate::{validate, PolicyType, ValidateOptions};
use perimeter::ErrorKind;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Generous bounds that only catch runaway (exponential or stuck) behaviour, not slowness.
const BOUND: Duration = Duration::from_secs(10);

fn timed<T>(f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    assert!(t.elapsed() < BOUND, "took {:?}", t.elapsed());
    out
}

const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow",
  "Principal": {"AWS": ["arn:aws:iam::222222222222:root"]}, "Action": ["s3:GetObject"],
  "Resource": "arn:aws:s3:::b/*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}"#;

#[test]
fn every_truncation_is_an_error_with_a_location() {
    for n in 0..POLICY.len() {
        let Some(prefix) = POLICY.get(..n) else {
            continue;
        };
        let e = Policy::parse(prefix).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Syntax), "{n}: {e}");
        assert!(
            e.location().is_some() || prefix.trim().is_empty(),
            "{n}: {e}"
        );
        // The validator turns it into a finding instead.
        let r = validate(prefix, &ValidateOptions::new(PolicyType::Resource));
        assert!(
            r.findings
                .iter()
                .any(|f| f.issue_code.as_str() == "JSON_SYNTAX_ERROR"),
            "{n}"
        );
    }
    assert!(Policy::parse(POLICY).is_ok());
}

#[test]
fn invalid_utf8_is_reported_at_its_byte() {
    let mut bytes = POLICY.as_bytes().to_vec();
    bytes[40] = 0xff;
    let e = parse_bytes(&bytes, &JsonLimits::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert_eq!(e.location().unwrap().offset, 40);
}

#[test]
fn deep_nesting_is_refused_quickly() {
    let deep = "[".repeat(100_000);
    let e = timed(|| Policy::parse(&deep).unwrap_err());
    assert_eq!(e.kind(), ErrorKind::Limit);
    let objs = format!("{}{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    assert_eq!(
        timed(|| Policy::parse(&objs).unwrap_err()).kind(),
        ErrorKind::Limit
    );
}

#[test]
fn ten_megabyte_strings_are_refused() {
    let big = format!(
        r#"{{"Statement": [{{"Effect": "Allow", "Action": "{}"}}]}}"#,
        "a".repeat(10 << 20)
    );
    let e = timed(|| Policy::parse(&big).unwrap_err());
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert!(e.message().contains("bytes"), "{e}");
    // With the document limit raised, the value limit still applies, at the value's location.
    let limits = Limits::default().with_json(JsonLimits::default().with_max_bytes(16 << 20));
    let e = timed(|| Policy::parse_with(&big, &limits).unwrap_err());
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert_eq!(e.location().unwrap().pointer, "/Statement/0/Action");
}

fn many_statements(n: usize) -> String {
    let stmts: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/{i}/*"}}"#))
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        stmts.join(",")
    )
}

#[test]
fn ten_thousand_statements() {
    let text = many_statements(10_000);
    // Refused by default (limit 1,000), with the count and the limit in the message.
    let e = Policy::parse(&text).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert!(e.message().contains("10000 statements"), "{e}");
    // Accepted with a raised limit, and evaluated correctly in linear time.
    let limits = Limits::default().with_max_statements(20_000);
    let p = Policy::parse_with(&text, &limits).unwrap();
    let c = Arc::new(p.compile().unwrap());
    let set = PolicySet {
        resource: Some(c),
        ..PolicySet::default()
    };
    let req = |k: &str| {
        Request::builder(
            Caller::Anonymous,
            "s3:GetObject",
            &format!("arn:aws:s3:::b/{k}"),
        )
        .resource_account("111111111111")
        .build()
    };
    assert_eq!(
        timed(|| evaluate(&req("9999/x"), &set)).decision,
        Decision::Allow
    );
    assert_eq!(
        timed(|| evaluate(&req("x/9999"), &set)).decision,
        Decision::ImplicitDeny
    );
    // Analysis answers or says it ran out of budget; either way, in bounded time.
    let bucket = Resource::new("arn:aws:s3:::b", ResourceType::S3Bucket, "111111111111");
    let found = timed(|| {
        analyze_policy(
            &p,
            &bucket,
            &ZoneOfTrust::account("111111111111"),
            &Options::default().with_budget(200_000),
        )
    });
    assert!(
        found
            .iter()
            .any(|f| f.error.as_deref() == Some(ERROR_BUDGET))
            || found.iter().any(|f| f.is_public == Some(true)),
        "{found:?}"
    );
}

#[test]
fn ten_thousand_values_under_one_key() {
    let ips: Vec<String> = (0..10_000)
        .map(|i| format!("\"10.{}.{}.0/24\"", i / 256, i % 256))
        .collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{{"IpAddress":{{"aws:SourceIp":[{}]}}}}}}]}}"#,
        ips.join(",")
    );
    let p = CompiledPolicy::parse(&text).unwrap();
    let set = PolicySet {
        resource: Some(Arc::new(p)),
        ..PolicySet::default()
    };
    let req = |ip: &str| {
        Request::builder(Caller::Anonymous, "s3:GetObject", "arn:aws:s3:::b/k")
            .resource_account("111111111111")
            .context("aws:SourceIp", ip)
            .build()
    };
    assert_eq!(
        timed(|| evaluate(&req("10.39.15.7"), &set)).decision,
        Decision::Allow
    );
    assert_eq!(
        timed(|| evaluate(&req("10.40.16.7"), &set)).decision,
        Decision::ImplicitDeny
    );
    // One more value is over the default limit of 10,000.
    let over = text.replacen("[\"10.0.0.0/24\"", "[\"10.0.0.0/24\",\"1.1.1.1\"", 1);
    assert_eq!(Policy::parse(&over).unwrap_err().kind(), ErrorKind::Limit);
}

#[test]
fn pathological_wildcards_match_in_linear_time() {
    let pattern = format!("{}b", "*a".repeat(500));
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{pattern}"}}]}}"#
    );
    let p = CompiledPolicy::parse(&text).unwrap();
    let set = PolicySet {
        resource: Some(Arc::new(p)),
        ..PolicySet::default()
    };
    let long = "a".repeat(100_000);
    let req = |r: &str| {
        Request::builder(
            Caller::Anonymous,
            "s3:GetObject",
            &format!("arn:aws:s3:::{r}"),
        )
        .resource_account("111111111111")
        .build()
    };
    assert_eq!(
        timed(|| evaluate(&req(&long), &set)).decision,
        Decision::ImplicitDeny
    );
    assert_eq!(
        timed(|| evaluate(&req(&format!("{long}b")), &set)).decision,
        Decision::Allow
    );
}

#[test]
fn absurd_cidrs_and_dates_match_nothing_and_are_reported() {
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*",
      "Condition":{"IpAddress":{"aws:SourceIp":["1.2.3.4/999","::/200","999.1.1.1"]},"DateLessThan":{"aws:CurrentTime":"0000-00-00"}}},
      {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"1.2.3.4/999"}}}]}"#;
    let p = CompiledPolicy::parse(text).unwrap();
    let set = PolicySet {
        resource: Some(Arc::new(p)),
        ..PolicySet::default()
    };
    let req = Request::builder(Caller::Anonymous, "s3:GetObject", "arn:aws:s3:::b/k")
        .resource_account("111111111111")
        .context("aws:SourceIp", "1.2.3.4")
        .context("aws:CurrentTime", "2026-01-01T00:00:00Z")
        .build();
    // The Allow's values match nothing; the Deny's negated operator is true for them.
    assert_eq!(evaluate(&req, &set).decision, Decision::ExplicitDeny);
    let r = validate(text, &ValidateOptions::new(PolicyType::Resource));
    let codes: Vec<&str> = r.findings.iter().map(|f| f.issue_code.as_str()).collect();
    assert!(codes.contains(&"TYPE_MISMATCH_IP_RANGE"), "{codes:?}");
    assert!(codes.contains(&"TYPE_MISMATCH_DATE"), "{codes:?}");
}

#[test]
fn every_element_with_the_wrong_json_type_is_located() {
    let cases: &[(&str, &str)] = &[
        (r#"{"Version": 1, "Statement": []}"#, "/Version"),
        (r#"{"Id": [], "Statement": []}"#, "/Id"),
        (r#"{"Statement": 3}"#, "/Statement"),
        (r#"{"Statement": [3]}"#, "/Statement/0"),
        (
            r#"{"Statement": [{"Sid": 1, "Effect": "Allow", "Action": "*"}]}"#,
            "/Statement/0/Sid",
        ),
        (
            r#"{"Statement": [{"Effect": true, "Action": "*"}]}"#,
            "/Statement/0/Effect",
        ),
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": {}}]}"#,
            "/Statement/0/Action",
        ),
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": [1]}]}"#,
            "/Statement/0/Action/0",
        ),
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": null}]}"#,
            "/Statement/0/Resource",
        ),
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": 5}]}"#,
            "/Statement/0/Principal",
        ),
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"AWS": {}}}]}"#,
            "/Statement/0/Principal/AWS",
        ),
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": []}]}"#,
            "/Statement/0/Condition",
        ),
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": "x"}}]}"#,
            "/Statement/0/Condition/StringEquals",
        ),
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": {"a:b": {}}}}]}"#,
            "/Statement/0/Condition/StringEquals/a:b",
        ),
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": {"a:b": [null]}}}]}"#,
            "/Statement/0/Condition/StringEquals/a:b/0",
        ),
    ];
    for (text, pointer) in cases {
        let e = Policy::parse(text).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Policy, "{text}: {e}");
        assert_eq!(e.location().unwrap().pointer, *pointer, "{text}: {e}");
        // One line, lowercase start.
        let m = e.to_string();
        assert!(
            !m.contains('\n') && m.chars().next().is_some_and(|c| !c.is_uppercase()),
            "{m}"
        );
    }
}
