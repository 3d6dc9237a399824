//! Reading real `get-account-authorization-details` exports (tests/data/authorization-details).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use perimeter::activity::{AuthorizationDetails, PolicySource, Timestamp};
use perimeter::policy::Policy;

fn load(name: &str) -> AuthorizationDetails {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/authorization-details")
        .join(name);
    AuthorizationDetails::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn aws_cli_example_with_objects_where_lists_are_expected() {
    let d = load("aws-cli-example-get-account-authorization-details.json");
    assert_eq!(
        (
            d.users.len(),
            d.groups.len(),
            d.roles.len(),
            d.policies.len()
        ),
        (3, 3, 1, 3)
    );
    assert!(d.skipped.is_empty());
    // `AttachedManagedPolicies` is an object in two groups of this example.
    let admins = d.group("Admins").unwrap();
    assert_eq!(admins.attached_policies.len(), 1);
    assert_eq!(
        admins.attached_policies[0].arn,
        "arn:aws:iam::aws:policy/AdministratorAccess"
    );
    let role = &d.roles[0];
    assert_eq!(
        role.last_used,
        Some(Timestamp::parse("2019-11-13T17:30:00Z").unwrap())
    );
    assert_eq!(role.last_used_region.as_deref(), Some("us-west-2"));
    // Bob: an inline policy (whose `Statement` is an object) and the Admins group's policy.
    let bob = d.user("arn:aws:iam::123456789012:user/Bob").unwrap();
    let applied = d.user_policies(bob);
    let sources: Vec<&PolicySource> = applied.iter().map(|a| &a.source).collect();
    assert_eq!(
        sources,
        [
            &PolicySource::Inline {
                name: "DenyBillingAndIAMPolicy".into()
            },
            &PolicySource::GroupManaged {
                group: "Admins".into(),
                arn: "arn:aws:iam::aws:policy/AdministratorAccess".into()
            },
        ]
    );
    let doc = applied[0].document.unwrap();
    assert!(doc["Statement"].is_object());
    Policy::from_json_value(doc).unwrap();
}

#[test]
fn every_document_in_the_exports_parses_as_a_policy() {
    let mut n = 0;
    for name in [
        "cloudmapper-demo.json",
        "aws-cli-example-get-account-authorization-details.json",
        "cloudsplaining-test-example-authz-details.json",
    ] {
        let d = load(name);
        for p in &d.policies {
            if let Some(doc) = &p.document {
                Policy::from_json_value(doc).unwrap_or_else(|e| panic!("{name} {}: {e}", p.arn));
                n += 1;
            }
        }
        for r in &d.roles {
            for a in d.role_policies(r) {
                if let Some(doc) = a.document {
                    Policy::from_json_value(doc).unwrap();
                    n += 1;
                }
            }
            assert!(r.trust_policy.is_some(), "{name} {}", r.name);
        }
    }
    assert!(n > 40, "{n}");
}

#[test]
fn default_versions_and_dates() {
    let d = load("cloudsplaining-test-example-authz-details.json");
    assert_eq!(
        (
            d.users.len(),
            d.groups.len(),
            d.roles.len(),
            d.policies.len()
        ),
        (3, 2, 3, 32)
    );
    for p in &d.policies {
        assert!(p.document.is_some(), "{}", p.arn);
    }
    let r = d.role("arn:aws:iam::123456789012:role/OverprivilegedEC2");
    let r = r
        .or_else(|| d.roles.iter().find(|r| r.name == "OverprivilegedEC2"))
        .unwrap();
    assert_eq!(
        r.last_used,
        Some(Timestamp::parse("2019-01-20T18:48:00Z").unwrap())
    );
    assert_eq!(
        d.roles
            .iter()
            .find(|r| r.name == "MyRole")
            .unwrap()
            .last_used,
        None
    );

    let demo = load("cloudmapper-demo.json");
    let level1 = demo
        .role("arn:aws:sts::123456789012:assumed-role/level1/level1")
        .unwrap();
    assert_eq!(level1.path, "/service-role/");
    // `bad_role` has `"Path": ""`, read as `/`.
    assert_eq!(
        demo.roles
            .iter()
            .find(|r| r.name == "bad_role")
            .unwrap()
            .path,
        "/"
    );
    let ssm = demo
        .policy("arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM")
        .unwrap();
    assert_eq!(ssm.default_version.as_deref(), Some("v8"));
    assert!(ssm.is_aws_managed());
}
