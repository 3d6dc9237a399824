//! The checks on real policies: the 1,594 AWS managed policies, the identity policies of the AWS
//! documentation, and resource policies of the types external access analysis does not cover.
//!
//! What must hold for every policy `p`:
//! - `p` grants no new access over itself, nor over `Allow * on *`;
//! - `p` without its last statement grants nothing `p` does not, and `p` grants new access over
//!   it only through that statement (when it is an Allow);
//! - `Allow * on *` grants new access over `p` unless `p` allows everything.
//!
//! The checks answer (no undecided result) except where a policy variable decides.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use perimeter::check::{
    check_no_new_access, check_no_public_access, AccessCheckResourceType, Outcome, PolicyType,
};
use perimeter::policy::Policy;
use perimeter::ErrorKind;
use serde_json::{json, Value};
use std::io::Read;

fn managed() -> Vec<(String, Value)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/aws-managed-policies.json.gz"
    );
    let file = std::fs::File::open(path).expect("managed policies");
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gzip");
    let all: Value = serde_json::from_str(&text).expect("json");
    all.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["PolicyName"].as_str().unwrap().to_string(),
                p["Document"].clone(),
            )
        })
        .collect()
}

fn documented() -> Vec<(String, Value)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/identity-policies.json"
    );
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_string(),
                r["policy"].clone(),
            )
        })
        .collect()
}

fn statements(p: &Value) -> Vec<Value> {
    match &p["Statement"] {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

fn with_statements(p: &Value, st: Vec<Value>) -> Value {
    let mut q = p.clone();
    q["Statement"] = Value::Array(st);
    q
}

#[derive(Default)]
struct Tally {
    checked: usize,
    undecided: usize,
    failures: Vec<String>,
}

fn outcome(
    t: &mut Tally,
    name: &str,
    variables: bool,
    what: &str,
    r: Result<perimeter::check::CheckResult, perimeter::Error>,
) -> Option<perimeter::check::CheckResult> {
    match r {
        Ok(r) => Some(r),
        Err(e) if e.kind() == ErrorKind::Undecided && variables => {
            t.undecided += 1;
            None
        }
        Err(e) => {
            t.failures.push(format!("{name}: {what}: {e}"));
            None
        }
    }
}

fn identity_properties(name: &str, doc: &Value, t: &mut Tally) {
    let Ok(p) = Policy::from_json_value(doc) else {
        return;
    };
    let admin = Policy::from_json_value(
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    )
    .unwrap();
    let ty = PolicyType::Identity;
    let variables = doc.to_string().contains("${");
    t.checked += 1;
    if let Some(r) = outcome(
        t,
        name,
        variables,
        "itself",
        check_no_new_access(&p, &p, ty),
    ) {
        if r.result != Outcome::Pass {
            t.failures.push(format!("{name}: FAIL against itself"));
        }
    }
    if let Some(r) = outcome(
        t,
        name,
        variables,
        "under admin",
        check_no_new_access(&p, &admin, ty),
    ) {
        if r.result != Outcome::Pass {
            t.failures.push(format!("{name}: FAIL against Allow *"));
        }
    }
    let allows_all = outcome(
        t,
        name,
        variables,
        "admin over it",
        check_no_new_access(&admin, &p, ty),
    );
    if let Some(r) = &allows_all {
        let p_is_admin = statements(doc).iter().any(|s| {
            s["Effect"] == "Allow"
                && (s["Action"] == "*" || s["Action"] == json!(["*"]))
                && (s["Resource"] == "*" || s["Resource"] == json!(["*"]))
                && s.get("Condition").is_none()
        }) && !statements(doc).iter().any(|s| s["Effect"] == "Deny");
        if (r.result == Outcome::Pass) != p_is_admin {
            t.failures.push(format!(
                "{name}: Allow * over it gives {:?}, admin {p_is_admin}",
                r.result
            ));
        }
    }
    let st = statements(doc);
    if st.len() >= 2 {
        let last = st.len() - 1;
        let shorter = with_statements(doc, st[..last].to_vec());
        let Ok(q) = Policy::from_json_value(&shorter) else {
            return;
        };
        if let Some(r) = outcome(
            t,
            name,
            variables,
            "shorter over it",
            check_no_new_access(&q, &p, ty),
        ) {
            let last_is_deny = st[last]["Effect"] == "Deny";
            if r.result != Outcome::Pass && !last_is_deny {
                t.failures
                    .push(format!("{name}: dropping an Allow added access"));
            }
        }
        if let Some(r) = outcome(
            t,
            name,
            variables,
            "it over shorter",
            check_no_new_access(&p, &q, ty),
        ) {
            if r.result == Outcome::Fail {
                let idx: Vec<usize> = r.reasons.iter().filter_map(|x| x.statement_index).collect();
                if idx != vec![last] {
                    t.failures.push(format!(
                        "{name}: the new access is through statement {last} only, reasons say {idx:?}"
                    ));
                }
            }
        }
    }
}

#[test]
fn managed_policies() {
    let mut t = Tally::default();
    for (name, doc) in managed() {
        identity_properties(&name, &doc, &mut t);
    }
    assert!(t.failures.is_empty(), "{}", t.failures.join("\n"));
    assert!(t.checked > 1500, "{}", t.checked);
    assert!(t.undecided * 100 <= t.checked, "{} undecided", t.undecided);
}

#[test]
fn documented_identity_policies() {
    let mut t = Tally::default();
    for (name, doc) in documented() {
        identity_properties(&name, &doc, &mut t);
    }
    assert!(t.failures.is_empty(), "{}", t.failures.join("\n"));
    assert!(t.checked > 300, "{}", t.checked);
    assert!(t.undecided * 20 <= t.checked, "{} undecided", t.undecided);
}

/// Resource policies of types only the custom checks cover answer without errors, and a
/// policy opened to `*` without conditions is public for the type of its actions.
#[test]
fn other_resource_policies() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/resource-policies/other-resource-policies.json"
    );
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let kinds = [
        (
            "opensearch-domain",
            AccessCheckResourceType::OpenSearchDomain,
        ),
        ("glacier-vault", AccessCheckResourceType::S3Glacier),
        ("api-gateway", AccessCheckResourceType::ApiGatewayRestApi),
        (
            "other-resource:s3-outposts",
            AccessCheckResourceType::S3OutpostsBucket,
        ),
        (
            "other-resource:codeartifact",
            AccessCheckResourceType::CodeArtifactDomain,
        ),
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for rec in all.as_array().unwrap() {
        let Some((_, t)) = kinds.iter().find(|(k, _)| rec["kind"] == *k) else {
            continue;
        };
        let Ok(p) = Policy::from_json_value(&rec["policy"]) else {
            continue;
        };
        checked += 1;
        if let Err(e) = check_no_public_access(&p, *t) {
            failures.push(format!("{}: {e}", rec["source"]));
        }
        // Open every Allow to `*` and drop its conditions and the Denies: public exactly when
        // some Allow names an action of the type.
        let opened: Vec<Value> = statements(&rec["policy"])
            .into_iter()
            .filter(|s| s["Effect"] == "Allow")
            .map(|mut s| {
                s["Principal"] = json!("*");
                s.as_object_mut().unwrap().remove("Condition");
                s.as_object_mut().unwrap().remove("NotPrincipal");
                s
            })
            .collect();
        let open = Policy::from_json_value(&with_statements(&rec["policy"], opened.clone()));
        let Ok(open) = open else { continue };
        let r = check_no_public_access(&open, *t).unwrap();
        let names_type_action = opened.iter().any(|s| {
            let acts = match &s["Action"] {
                Value::String(a) => vec![a.clone()],
                Value::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                _ => vec!["*".to_string()],
            };
            acts.iter().any(|a| {
                let pat =
                    perimeter::pattern::Pattern::new(a, perimeter::pattern::Case::Insensitive);
                t.actions().iter().any(|x| pat.matches(x))
            }) && s.get("Resource").is_some()
        });
        if names_type_action && r.result != Outcome::Fail {
            failures.push(format!("{}: opened policy not public", rec["source"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 15, "{checked}");
}
