//! Transitive reach on a real account export: the cloudsplaining example account (200611803367,
//! 44 users, 78 roles, set up with privilege-escalation cases; `tests/data/SOURCES.md`).
//!
//! What the export holds, read by hand: two trust policies admit another account,
//! `OrganizationAccountAccessRole` (`arn:aws:iam::072528804237:root`) and
//! `stacksets-exec-b5520cb2730c2f54b523d6375a319abb` (072528804237's StackSets service-linked
//! role); the two AWS SSO roles trust the account's SAML provider with `SAML:aud`; 40 privesc
//! test roles trust one SSO session (`…/AWSReservedSSO_AdministratorAccess_…/elad@codsec.io`);
//! no trust policy admits everyone. The file also holds three roles and three users of a second
//! account (012345678901) whose trust policies admit only services.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

use perimeter::activity::AuthorizationDetails;
use perimeter::analyze::{analyze_policy, Options, Resource, ResourceType, ZoneOfTrust};
use perimeter::eval::{Caller, Case};
use perimeter::policy::Policy;
use perimeter::reach::{Account, HopKind, Principal, Reach, ReachOptions, ResourceList};
use std::collections::BTreeSet;

const ACCOUNT: &str = "200611803367";
const OTHER: &str = "072528804237";
const SAML: &str = "arn:aws:iam::200611803367:saml-provider/AWSSSO_b937d2dff24f2774_DO_NOT_DELETE";
const SSO_ADMIN: &str = "arn:aws:iam::200611803367:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc";
const SSO_VIEW: &str = "arn:aws:iam::200611803367:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ViewOnlyAccess_0ace44bbc7092ea8";
const ORG_ROLE: &str = "arn:aws:iam::200611803367:role/OrganizationAccountAccessRole";
const STACKSETS: &str =
    "arn:aws:iam::200611803367:role/stacksets-exec-b5520cb2730c2f54b523d6375a319abb";
const STACKSETS_ADMIN: &str = "arn:aws:iam::072528804237:role/aws-service-role/stacksets.cloudformation.amazonaws.com/AWSServiceRoleForCloudFormationStackSetsOrgAdmin";

fn details() -> AuthorizationDetails {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/authorization-details/cloudsplaining-example.json"
    ))
    .unwrap();
    AuthorizationDetails::parse(&text).unwrap()
}

#[test]
fn the_export_analyses_and_its_external_principals_are_found() {
    let d = details();
    assert_eq!(d.roles.len(), 78);
    assert_eq!(d.users.len(), 44);
    let zone = ZoneOfTrust::account(ACCOUNT);
    let account = Account::new(
        &d,
        &ResourceList::new(),
        &ReachOptions::default().with_zone(zone),
    )
    .unwrap();
    let mut reach = Reach::new(&account);
    let externals: BTreeSet<Principal> = reach.external_principals().into_iter().collect();
    assert_eq!(
        externals,
        BTreeSet::from([
            Principal::Account { id: OTHER.into() },
            Principal::Federated {
                provider: SAML.into()
            },
        ])
    );
    let sets = reach.reach_all();
    assert!(reach.undecided().is_empty(), "{:?}", reach.undecided());
    for set in &sets {
        for f in set.findings() {
            for hop in &f.path {
                for r in &hop.requests {
                    let case = Case::from_json_value(&r.case().to_json_value()).unwrap();
                    assert!(
                        case.evaluate().unwrap().decision.is_allow(),
                        "{}: {} on {} does not replay",
                        f.resource,
                        r.action(),
                        r.resource()
                    );
                }
            }
        }
    }
}

#[test]
fn cross_account_trusts_are_one_hop() {
    let account = Account::new(&details(), &ResourceList::new(), &ReachOptions::default()).unwrap();
    let mut reach = Reach::new(&account);
    let set = reach
        .reach_from(&Principal::Account { id: OTHER.into() })
        .unwrap();
    // Any principal of the account it names.
    let path = set.path_to(ORG_ROLE).unwrap();
    assert_eq!(path.len(), 1);
    assert_eq!(path[0].kind, HopKind::AssumeRole);
    assert_eq!(path[0].requests[0].caller().account(), Some(OTHER));
    // Only the StackSets service-linked role of that account: the witness is a session of that
    // role (a role principal names the role by account and name, whatever its path).
    let path = set.path_to(STACKSETS).unwrap();
    assert_eq!(path.len(), 1);
    match path[0].requests[0].caller() {
        Caller::Role {
            role_name, account, ..
        } => {
            assert_eq!(account, OTHER);
            assert!(STACKSETS_ADMIN.ends_with(&format!("/{role_name}")));
        }
        other => panic!("unexpected caller {other:?}"),
    }
    // OrganizationAccountAccessRole holds AdministratorAccess: from it, every role and user of
    // the account is reached (service-linked roles excepted: only their services assume them).
    let reached: BTreeSet<String> = set.resources().into_iter().map(|(a, _)| a).collect();
    let d = details();
    for r in d
        .roles
        .iter()
        .filter(|r| r.arn.contains(ACCOUNT) && !r.is_service_linked())
    {
        assert!(reached.contains(&r.arn), "{} not reached", r.arn);
    }
    for u in d.users.iter().filter(|u| u.arn.contains(ACCOUNT)) {
        assert!(reached.contains(&u.arn), "{} not reached", u.arn);
    }
    for r in d.roles.iter().filter(|r| r.is_service_linked()) {
        assert!(!reached.contains(&r.arn), "{} reached", r.arn);
    }
}

#[test]
fn saml_reaches_the_sso_roles_and_the_privesc_chain() {
    let account = Account::new(&details(), &ResourceList::new(), &ReachOptions::default()).unwrap();
    let mut reach = Reach::new(&account);
    let set = reach
        .reach_from(&Principal::Federated {
            provider: SAML.into(),
        })
        .unwrap();
    for role in [SSO_ADMIN, SSO_VIEW] {
        let path = set.path_to(role).unwrap();
        assert_eq!(path.len(), 1);
        assert_eq!(path[0].kind, HopKind::AssumeRoleWithSaml);
        assert_eq!(
            path[0].requests[0].condition()["SAML:aud"],
            "https://signin.aws.amazon.com/saml"
        );
    }
    // The privesc roles trust one session of the SSO administrator role: that session is a
    // node of its own, and it assumes them directly.
    let session = perimeter::reach::Node {
        principal: Principal::Role {
            arn: SSO_ADMIN.into(),
            session: "elad@codsec.io".into(),
        },
        added_policy: None,
    };
    let to_session = set.path_to_node(&session).unwrap();
    assert_eq!(to_session.len(), 1);
    assert_eq!(
        to_session[0].requests[0].condition()["sts:RoleSessionName"],
        "elad@codsec.io"
    );
    let starting = "arn:aws:iam::200611803367:role/privesc-AssumeRole-starting-role";
    let ending = "arn:aws:iam::200611803367:role/privesc-AssumeRole-ending-role";
    assert!(set.path_to(starting).is_some());
    assert!(set.path_to(ending).is_some());
}

#[test]
fn the_view_only_session_alone_cannot_escalate() {
    // ViewOnlyAccess grants reads only: from that role, no other role or user is reached.
    let account = Account::new(&details(), &ResourceList::new(), &ReachOptions::default()).unwrap();
    let mut reach = Reach::new(&account);
    let set = reach
        .reach_from(&Principal::parse(SSO_VIEW).unwrap())
        .unwrap();
    let reached: Vec<(String, String)> = set.resources();
    assert_eq!(
        reached,
        vec![(SSO_VIEW.to_string(), "AWS::IAM::Role".to_string())]
    );
}

#[test]
fn every_external_trust_access_analyzer_reports_is_a_first_hop() {
    // Access Analyzer's findings on each trust policy name who outside the zone can assume the
    // role; each must be a one-hop path from that external principal.
    let d = details();
    let zone = ZoneOfTrust::account(ACCOUNT);
    let account = Account::new(
        &d,
        &ResourceList::new(),
        &ReachOptions::default().with_zone(zone.clone()),
    )
    .unwrap();
    let mut reach = Reach::new(&account);
    let mut checked = 0;
    for r in d.roles.iter().filter(|r| r.arn.contains(ACCOUNT)) {
        let Some(trust) = &r.trust_policy else {
            continue;
        };
        let policy = Policy::from_json_value(trust).unwrap();
        let resource = Resource::new(&r.arn, ResourceType::IamRole, ACCOUNT);
        for f in analyze_policy(&policy, &resource, &zone, &Options::default()) {
            let principal = match (f.principal.get("AWS"), f.principal.get("Federated")) {
                (Some(a), _) if a.len() == 12 => Principal::Account { id: a.clone() },
                (Some(arn), _) => Principal::Account {
                    id: arn.split(':').nth(4).unwrap().to_string(),
                },
                (None, Some(p)) => Principal::Federated {
                    provider: p.clone(),
                },
                _ => panic!("unexpected finding principal {:?}", f.principal),
            };
            let set = reach.reach_from(&principal).unwrap();
            let path = set
                .path_to(&r.arn)
                .unwrap_or_else(|| panic!("{principal:?} does not reach {}", r.arn));
            assert_eq!(path.len(), 1, "{}", r.arn);
            checked += 1;
        }
    }
    // OrganizationAccountAccessRole, the StackSets role, the two SSO roles.
    assert_eq!(checked, 4);
}
