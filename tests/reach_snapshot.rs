//! Transitive reach over an account snapshot (`examples/data/demo-snapshot.json`, the format of
//! `docs/snapshot.md`) and authorization details for the same account.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

use perimeter::activity::AuthorizationDetails;
use perimeter::eval::Case;
use perimeter::reach::{Account, HopKind, Principal, Reach, ReachOptions, ResourceList};
use std::collections::BTreeSet;

const BUCKET: &str = "arn:aws:s3:::acme-reports";
const QUEUE: &str = "arn:aws:sqs:us-east-1:111122223333:order-events";
const DEPLOY: &str = "arn:aws:iam::111122223333:role/deploy";

fn snapshot() -> ResourceList {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/demo-snapshot.json"
    ))
    .unwrap();
    ResourceList::read_snapshot(text.as_bytes()).unwrap()
}

/// The snapshot's `deploy` role as the authorization details show it, with permissions on the
/// queue that the queue policy does not give to anyone outside.
fn details() -> AuthorizationDetails {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/demo-snapshot.json"
    ))
    .unwrap();
    let snap: serde_json::Value = serde_json::from_str(&text).unwrap();
    let role = snap["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["arn"] == DEPLOY)
        .unwrap();
    let trust = role["iam get-role"]["Role"]["AssumeRolePolicyDocument"].clone();
    AuthorizationDetails::from_value(&serde_json::json!({"RoleDetailList": [{
        "RoleName": "deploy", "RoleId": "AROAXAMPLE0DEPLOY0001", "Arn": DEPLOY, "Path": "/",
        "AssumeRolePolicyDocument": trust,
        "RolePolicyList": [{"PolicyName": "queue", "PolicyDocument": {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
                           "Resource": QUEUE}]}}]}]}))
    .unwrap()
}

#[test]
fn the_snapshot_gives_the_resources_and_says_what_it_leaves_out() {
    let list = snapshot();
    let arns: BTreeSet<&str> = list.resources.iter().map(|r| r.arn.as_str()).collect();
    assert!(arns.contains(BUCKET) && arns.contains(QUEUE));
    // Roles come from the authorization details, which hold their permissions.
    assert!(!arns.contains(DEPLOY));
    assert!(list.resources.iter().all(|r| r.policy.is_some()));
    assert!(list
        .notes
        .iter()
        .any(|n| n.contains("ACL and access points")));
    assert!(list.notes.iter().any(|n| n.contains("grants")));
    assert_eq!(list.zone.as_ref().unwrap().accounts, ["111122223333"]);
}

#[test]
fn public_objects_and_the_partner_path_through_deploy() {
    let list = snapshot();
    let account = Account::new(&details(), &list, &ReachOptions::default()).unwrap();
    let mut reach = Reach::new(&account);
    let externals: BTreeSet<Principal> = reach.external_principals().into_iter().collect();
    assert!(externals.contains(&Principal::Anyone));
    assert!(externals.contains(&Principal::Account {
        id: "444455556666".into()
    }));

    // Anyone reads the public objects: the bucket policy grants `public/*` only, and the
    // object probed is one of those.
    let anyone = reach.reach_from(&Principal::Anyone).unwrap();
    let path = anyone.path_to(BUCKET).unwrap();
    assert_eq!(path.len(), 1);
    assert_eq!(path[0].kind, HopKind::Access);
    assert!(path[0].requests.iter().any(|r| r.action() == "s3:GetObject"
        && r.resource()
            .starts_with("arn:aws:s3:::acme-reports/public/")));

    // The partner account assumes deploy with its external id, then reads the queue, which
    // the queue policy alone never lets it do (the policy lets it send, directly).
    let partner = reach
        .reach_from(&Principal::Account {
            id: "444455556666".into(),
        })
        .unwrap();
    let on_queue: Vec<_> = partner
        .findings()
        .into_iter()
        .filter(|f| f.resource == QUEUE)
        .collect();
    let direct = on_queue.iter().find(|f| f.path.len() == 1).unwrap();
    assert!(direct.action.contains(&"sqs:SendMessage".to_string()));
    assert!(!direct.action.contains(&"sqs:ReceiveMessage".to_string()));
    let through = on_queue
        .iter()
        .find(|f| f.action.contains(&"sqs:ReceiveMessage".to_string()))
        .unwrap();
    let kinds: Vec<HopKind> = through.path.iter().map(|h| h.kind).collect();
    assert_eq!(kinds, [HopKind::AssumeRole, HopKind::Access]);
    assert_eq!(through.holder.principal.arn(), Some(DEPLOY));
    assert_eq!(through.condition["sts:ExternalId"], "acme-7f3c1a");

    for set in [&anyone, &partner] {
        for f in set.findings() {
            for h in &f.path {
                for r in &h.requests {
                    let case = Case::from_json_value(&r.case().to_json_value()).unwrap();
                    assert!(case.evaluate().unwrap().decision.is_allow());
                }
            }
        }
    }
}
