//! Runs every case under `tests/corpus/reach/`.
//!
//! Each file is a JSON array of cases:
//! - `name`, `description` (what the case proves);
//! - `authorizationDetails`: `get-account-authorization-details` output;
//! - `resources` (optional): a resource list (`perimeter::reach::ResourceList`);
//! - `serviceControlPolicies`, `resourceControlPolicies` (optional): levels of policies;
//! - `zoneOfTrust` (optional): the zone (default: the account);
//! - `from`: the external principal;
//! - `expect`: `reaches` (ARNs the principal must reach), `notReaches` (must not), `to` with
//!   `hops` (the kinds of the path's hops, in order), `condition` (key/values the path needs),
//!   `conditionKeys` (keys it needs), `actionsInclude` / `actionsExclude` (actions of the
//!   findings on `to`), `public`, `pathFrom` (the account principal the path goes through
//!   first).
//!
//! Every request of every hop of every finding is written as a case, read back, and evaluated:
//! it must be allowed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

#[path = "support/corpus.rs"]
mod corpus;

use perimeter::activity::AuthorizationDetails;
use perimeter::eval::Case;
use perimeter::policy::Policy;
use perimeter::reach::{Account, Principal, Reach, ReachOptions, ResourceList};
use serde_json::Value;
use std::collections::BTreeSet;

fn levels(v: &Value) -> Vec<Vec<Policy>> {
    v.as_array()
        .map(|ls| {
            ls.iter()
                .map(|l| {
                    l.as_array()
                        .unwrap()
                        .iter()
                        .map(|p| Policy::from_json_value(p).unwrap())
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn run(raw: &Value) -> Result<(), String> {
    let details = AuthorizationDetails::from_value(&raw["authorizationDetails"])
        .map_err(|e| e.to_string())?;
    let resources = match raw.get("resources") {
        Some(r) => ResourceList::parse(&r.to_string()).map_err(|e| e.to_string())?,
        None => ResourceList::new(),
    };
    let mut options = ReachOptions::default()
        .with_service_control_policies(levels(&raw["serviceControlPolicies"]))
        .with_resource_control_policies(levels(&raw["resourceControlPolicies"]));
    if let Some(z) = raw.get("zoneOfTrust") {
        options = options.with_zone(serde_json::from_value(z.clone()).unwrap());
    }
    let account = Account::new(&details, &resources, &options).map_err(|e| e.to_string())?;
    let mut reach = Reach::new(&account);
    let from = Principal::parse(raw["from"].as_str().unwrap()).map_err(|e| e.to_string())?;
    let set = reach
        .reach_from(&from)
        .ok_or_else(|| format!("no reach set for {from:?}"))?;
    if !set.undecided().is_empty() {
        return Err(format!("undecided: {:?}", set.undecided()));
    }
    let expect = &raw["expect"];
    for arn in strings(&expect["reaches"]) {
        if set.path_to(&arn).is_none() {
            return Err(format!(
                "expected to reach {arn}; reached {:?}",
                set.resources()
            ));
        }
    }
    for arn in strings(&expect["notReaches"]) {
        if let Some(p) = set.path_to(&arn) {
            let kinds: Vec<&str> = p.iter().map(|h| h.kind.as_str()).collect();
            return Err(format!("expected not to reach {arn}; path {kinds:?}"));
        }
    }
    let findings = set.findings();
    if let Some(to) = expect["to"].as_str() {
        let path = set.path_to(to).ok_or_else(|| format!("no path to {to}"))?;
        if let Some(want) = expect.get("hops") {
            let kinds: Vec<String> = path.iter().map(|h| h.kind.as_str().to_string()).collect();
            if kinds != strings(want) {
                return Err(format!("hops {kinds:?}, expected {want}"));
            }
        }
        let mut condition = std::collections::BTreeMap::new();
        for h in &path {
            for r in &h.requests {
                condition.extend(r.condition());
            }
        }
        if let Some(want) = expect["condition"].as_object() {
            for (k, v) in want {
                if condition.get(k).map(String::as_str) != v.as_str() {
                    return Err(format!("condition {condition:?} lacks {k}={v}"));
                }
            }
        }
        for k in strings(&expect["conditionKeys"]) {
            if !condition.contains_key(&k) {
                return Err(format!("condition {condition:?} lacks key {k}"));
            }
        }
        let actions: BTreeSet<String> = findings
            .iter()
            .filter(|f| f.resource == to)
            .flat_map(|f| f.action.iter().cloned())
            .collect();
        for a in strings(&expect["actionsInclude"]) {
            if !actions.contains(&a) {
                return Err(format!("actions on {to} lack {a}: {actions:?}"));
            }
        }
        for a in strings(&expect["actionsExclude"]) {
            if actions.contains(&a) {
                return Err(format!("actions on {to} include {a}"));
            }
        }
        if let Some(p) = expect["public"].as_bool() {
            if !findings
                .iter()
                .filter(|f| f.resource == to)
                .all(|f| f.is_public == p)
            {
                return Err(format!("isPublic is not {p}"));
            }
        }
        if let Some(first) = expect["pathFrom"].as_str() {
            let got = path
                .get(1)
                .and_then(|h| h.from.principal.arn().map(str::to_string));
            if got.as_deref() != Some(first) {
                return Err(format!("path goes through {got:?}, expected {first}"));
            }
        }
    }
    // Every hop of every finding replays through eval, from its JSON form.
    for f in &findings {
        for h in &f.path {
            for r in &h.requests {
                let case =
                    Case::from_json_value(&r.case().to_json_value()).map_err(|e| e.to_string())?;
                let ev = case.evaluate().map_err(|e| e.to_string())?;
                if !ev.decision.is_allow() {
                    return Err(format!(
                        "hop {} of the finding on {} does not replay: {} on {} is {}",
                        h.kind,
                        f.resource,
                        r.action(),
                        r.resource(),
                        ev.decision
                    ));
                }
                if r.statements().is_empty() {
                    return Err(format!("hop {} has no granting statement", h.kind));
                }
            }
        }
        let json = f.to_json_value();
        if json["findingType"] != "TransitiveAccess"
            || json["path"].as_array().map(Vec::len) != Some(f.path.len())
        {
            return Err(format!("bad finding json {json}"));
        }
    }
    Ok(())
}

#[test]
fn reach_corpus() {
    let cases = corpus::read("reach", 1);
    let count = cases.len();
    let mut failures = Vec::new();
    for corpus::CorpusCase { label, raw } in cases {
        if let Err(e) = run(&raw) {
            failures.push(format!("{label}: {e}"));
        }
    }
    assert!(count >= 30, "the corpus has {count} cases");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
