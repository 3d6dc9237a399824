//! Shared by the findings tests: real resource policies from `tests/data/findings/` and their
//! findings from `perimeter::analyze`.

use perimeter::analyze::{analyze_policy, Finding, Options, Resource, ResourceType, ZoneOfTrust};
use perimeter::policy::Policy;
use perimeter::scalar::Timestamp;

/// One resource of `tests/data/findings/resource-policies.json`.
pub struct Fixture {
    pub name: String,
    pub resource: Resource,
    pub policy: serde_json::Value,
}

pub fn fixtures() -> Vec<Fixture> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/findings/resource-policies.json"
    ))
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| Fixture {
            name: e["name"].as_str().unwrap().to_string(),
            resource: Resource::new(
                e["resource"].as_str().unwrap(),
                ResourceType::parse(e["resourceType"].as_str().unwrap()).unwrap(),
                e["owner"].as_str().unwrap(),
            ),
            policy: e["policy"].clone(),
        })
        .collect()
}

pub fn fixture(name: &str) -> Fixture {
    fixtures().into_iter().find(|f| f.name == name).unwrap()
}

/// Analyse a policy (JSON text) on a resource, in the owner's account zone.
pub fn analyse(policy: &str, resource: &Resource) -> Vec<Finding> {
    let p = Policy::parse(policy).unwrap();
    analyze_policy(
        &p,
        resource,
        &ZoneOfTrust::account(&resource.owner_account),
        &Options::default(),
    )
}

/// Analyse a fixture's own policy.
pub fn analyse_fixture(f: &Fixture) -> Vec<Finding> {
    analyse(&f.policy.to_string(), &f.resource)
}

pub fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}
