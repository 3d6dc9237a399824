//! Runs every case under `tests/corpus/checks/`.
//!
//! Each file is a JSON array of cases:
//! - `name` (unique) and `description` (what the case proves; required);
//! - `check`: `no-new-access`, `access-not-granted` or `no-public-access`;
//! - the inputs: `new` and `existing`, or `policy`; `policyType` (`IDENTITY_POLICY` or
//!   `RESOURCE_POLICY`); `access` (`{"actions": […], "resources": […]}`); `resourceType`;
//!   optionally `organization` (`{"id": "o-…", "accounts": {"111122223333": "o-…/r-…/ou-…/"}}`);
//! - `expect`: `PASS` or `FAIL`; optionally `reasons` (the statement indexes a `FAIL` names,
//!   exactly), `request` (fields the counterexample's request must have, compared exactly) and
//!   `actionInCatalog` (whether the counterexample's action is in the service reference).
//!
//! Every `FAIL` is also checked end to end: its counterexample, read back from JSON, is allowed
//! by the evaluator, and for `no-new-access` is not allowed with the existing policy in place.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

#[path = "support/corpus.rs"]
mod corpus;

use perimeter::analyze::Organization;
use perimeter::catalog::Catalog;
use perimeter::check::{Access, AccessCheckResourceType, CheckResult, Checker, PolicyType};
use perimeter::eval::{Case, CaseCompiler};
use perimeter::policy::Policy;
use serde_json::Value;

fn policy(v: &Value, field: &str, label: &str) -> Policy {
    Policy::from_json_value(&v[field]).unwrap_or_else(|e| panic!("{label}: `{field}`: {e}"))
}

fn run(raw: &Value, label: &str) -> CheckResult {
    let mut checker = Checker::new();
    if let Some(org) = raw.get("organization") {
        let org: Organization = serde_json::from_value(org.clone()).unwrap();
        checker = checker.with_organization(org);
    }
    let ty = || {
        PolicyType::parse(raw["policyType"].as_str().unwrap_or("RESOURCE_POLICY"))
            .unwrap_or_else(|| panic!("{label}: bad policyType"))
    };
    let result = match raw["check"].as_str() {
        Some("no-new-access") => checker.no_new_access(
            &policy(raw, "new", label),
            &policy(raw, "existing", label),
            ty(),
        ),
        Some("access-not-granted") => {
            let access: Access = serde_json::from_value(raw["access"].clone()).unwrap();
            checker.access_not_granted(&policy(raw, "policy", label), &access, ty())
        }
        Some("no-public-access") => {
            let t = AccessCheckResourceType::parse(raw["resourceType"].as_str().unwrap()).unwrap();
            checker.no_public_access(&policy(raw, "policy", label), t)
        }
        other => panic!("{label}: unknown check {other:?}"),
    };
    result.unwrap_or_else(|e| panic!("{label}: {e}"))
}

fn check_case(raw: &Value, label: &str) -> Result<(), String> {
    let r = run(raw, label);
    let got = r.result.as_str();
    let want = raw["expect"].as_str().unwrap();
    let shown = serde_json::to_string(&r.to_json_value()).unwrap();
    if got != want {
        return Err(format!("expected {want}, got {shown}"));
    }
    if got == "PASS" {
        if r.counterexample.is_some() || !r.reasons.is_empty() {
            return Err(format!("a PASS with reasons or a counterexample: {shown}"));
        }
        return Ok(());
    }
    let cx = r
        .counterexample
        .as_ref()
        .ok_or("a FAIL without counterexample")?;
    let case = Case::from_json_value(cx).map_err(|e| format!("counterexample: {e}"))?;
    let mut compiler = CaseCompiler::new();
    if !compiler.evaluate(&case).unwrap().decision.is_allow() {
        return Err(format!("the counterexample is not allowed: {cx}"));
    }
    if raw["check"] == "no-new-access" {
        let mut old = case.clone();
        let existing = raw["existing"].clone();
        if raw["policyType"] == "IDENTITY_POLICY" {
            old.identity_policies = vec![existing];
        } else {
            old.resource_policy = Some(existing);
        }
        if compiler.evaluate(&old).unwrap().decision.is_allow() {
            return Err(format!(
                "the existing policy allows the counterexample: {cx}"
            ));
        }
    }
    if let Some(want) = raw.get("reasons") {
        let got: Vec<usize> = r.reasons.iter().filter_map(|x| x.statement_index).collect();
        let want: Vec<usize> = serde_json::from_value(want.clone()).unwrap();
        if got != want {
            return Err(format!("reasons {got:?}, expected {want:?}: {shown}"));
        }
    }
    if let Some(fields) = raw.get("request").and_then(Value::as_object) {
        for (k, v) in fields {
            if cx["request"].get(k) != Some(v) {
                return Err(format!("counterexample `{k}` is not {v}: {cx}"));
            }
        }
    }
    if let Some(want) = raw.get("actionInCatalog").and_then(Value::as_bool) {
        let action = cx["request"]["action"].as_str().unwrap();
        if Catalog::embedded().action(action).is_some() != want {
            return Err(format!(
                "counterexample action `{action}`: in catalog should be {want}"
            ));
        }
    }
    Ok(())
}

#[test]
fn check_corpus() {
    let cases = corpus::read("checks", 1);
    let count = cases.len();
    let mut failures = Vec::new();
    let mut fails = 0;
    for corpus::CorpusCase { label, raw } in cases {
        if raw["expect"] == "FAIL" {
            fails += 1;
        }
        if let Err(e) = check_case(&raw, &label) {
            failures.push(format!("{label}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count >= 40, "{count} cases");
    assert!(
        fails >= 15 && count - fails >= 15,
        "{fails} FAIL cases of {count}"
    );
}
