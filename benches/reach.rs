//! Transitive reach.
//!
//! - `reach/cloudsplaining/all_external`: the reach sets (nodes, resources, paths with their
//!   witnesses) of every external principal of the cloudsplaining example account (78 roles,
//!   44 users; `tests/data/authorization-details/cloudsplaining-example.json`), from the
//!   compiled account, caches cold. Target ≤ 50 ms.
//! - `reach/cloudsplaining/compile_and_all_external`: the same, compiling the account first.
//! - `reach/generated_10000_roles/all_external`: a generated account of 10,000 roles (100 teams
//!   of 100), 500 users in 50 groups and 20 buckets with policies; 20 external accounts, a SAML
//!   and an OIDC provider; role chains, delegating trust policies, Lambda and EC2 service
//!   roles, `iam:PassRole`, self-`iam:PutRolePolicy` behind MFA, a few administrators,
//!   permissions boundaries and MFA denies. Target ≤ 5 s.
//! - `reach/generated_10000_roles/compile_and_all_external`: the same, compiling the account
//!   first.
//!
//! Run: `cargo bench --bench reach`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // bench code

use criterion::{criterion_group, criterion_main, Criterion};
use perimeter::activity::AuthorizationDetails;
use perimeter::reach::{Account, Reach, ReachOptions, ResourceList};
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::Duration;

const A: &str = "111111111111";

/// A small deterministic generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn doc(stmts: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": stmts})
}

fn role_arn(t: usize, i: usize) -> String {
    format!("arn:aws:iam::{A}:role/team-{t}/team-{t}-r{i}")
}

/// The generated account: authorization details and a resource list.
pub fn generated(teams: usize, per_team: usize) -> (Value, Value) {
    let mut rng = Lcg(0x5eed);
    let mut roles = Vec::with_capacity(teams * per_team);
    for t in 0..teams {
        for i in 0..per_team {
            let ext = format!("arn:aws:iam::5000000000{:02}:root", t % 20);
            let trust = match i {
                0 => {
                    json!({"Effect": "Allow", "Principal": {"AWS": ext}, "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"sts:ExternalId": format!("team-{t}")}}})
                }
                1 if t % 10 == 0 => json!({"Effect": "Allow",
                            "Principal": {"Federated": format!("arn:aws:iam::{A}:saml-provider/corp")},
                            "Action": "sts:AssumeRoleWithSAML",
                            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}),
                2 if t % 25 == 0 => json!({"Effect": "Allow",
                            "Principal": {"Federated": format!("arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com")},
                            "Action": "sts:AssumeRoleWithWebIdentity",
                            "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": format!("repo:org/team-{t}:*")}}}),
                _ if i % 10 == 3 || i % 10 == 4 => json!({"Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                _ if i % 10 == 6 => json!({"Effect": "Allow",
                            "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                _ if i % 2 == 0 => json!({"Effect": "Allow",
                            "Principal": {"AWS": format!("arn:aws:iam::{A}:root")}, "Action": "sts:AssumeRole"}),
                _ => json!({"Effect": "Allow",
                            "Principal": {"AWS": role_arn(t, i - 1)}, "Action": "sts:AssumeRole"}),
            };
            let team_roles = format!("arn:aws:iam::{A}:role/team-{t}/*");
            let mut stmts = vec![json!({"Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [format!("arn:aws:s3:::team-{t}-data"), format!("arn:aws:s3:::team-{t}-data/*")]})];
            match i {
                0 => stmts.push(json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": team_roles})),
                _ if i % 10 == 7 => stmts.push(json!({"Effect": "Allow",
                    "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
                    "Resource": [team_roles.clone(), format!("arn:aws:lambda:*:{A}:function:team-{t}-*")]})),
                _ if i % 50 == 8 => stmts.push(json!({"Effect": "Allow", "Action": "iam:PutRolePolicy",
                    "Resource": role_arn(t, i), "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})),
                _ if i == 9 && t % 33 == 0 => stmts.push(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
                _ if rng.below(4) == 0 => stmts.push(json!({"Effect": "Allow",
                    "Action": ["dynamodb:GetItem", "dynamodb:Query", "logs:PutLogEvents"], "Resource": "*"})),
                _ => {}
            }
            if rng.below(10) == 0 {
                stmts.push(json!({"Effect": "Deny", "Action": "iam:*", "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}));
            }
            let mut role = json!({
                "RoleName": format!("team-{t}-r{i}"), "RoleId": format!("AROA{t:04}{i:04}"),
                "Arn": role_arn(t, i), "Path": format!("/team-{t}/"),
                "AssumeRolePolicyDocument": doc(vec![trust]),
                "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": doc(stmts)}],
                "AttachedManagedPolicies": []});
            if rng.below(10) == 0 {
                role["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy",
                    "PermissionsBoundaryArn": format!("arn:aws:iam::{A}:policy/boundary")});
            }
            roles.push(role);
        }
    }
    let mut users = Vec::new();
    for u in 0..500 {
        let t = u % teams.max(1);
        let mut stmts = vec![json!({"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::team-{t}-data/*")})];
        if u % 25 == 0 {
            stmts.push(json!({"Effect": "Allow", "Action": "iam:CreateAccessKey",
                "Resource": format!("arn:aws:iam::{A}:user/team-{t}/*")}));
        }
        users.push(json!({"UserName": format!("user-{u}"), "UserId": format!("AIDA{u:08}"),
            "Arn": format!("arn:aws:iam::{A}:user/team-{t}/user-{u}"), "Path": format!("/team-{t}/"),
            "GroupList": [format!("group-{}", u % 50)],
            "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": doc(stmts)}],
            "AttachedManagedPolicies": []}));
    }
    let groups: Vec<Value> = (0..50)
        .map(|g| {
            json!({"GroupName": format!("group-{g}"), "GroupId": format!("AGPA{g:08}"),
            "Arn": format!("arn:aws:iam::{A}:group/group-{g}"), "Path": "/",
            "GroupPolicyList": [{"PolicyName": "inline", "PolicyDocument": doc(vec![
                json!({"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Resource": format!("arn:aws:iam::{A}:role/team-{g}/*")})])}],
            "AttachedManagedPolicies": []})
        })
        .collect();
    let policies = vec![json!({"PolicyName": "boundary", "PolicyId": "ANPABOUNDARY",
        "Arn": format!("arn:aws:iam::{A}:policy/boundary"), "Path": "/", "DefaultVersionId": "v1",
        "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": doc(vec![
            json!({"Effect": "Allow", "Action": ["s3:*", "sts:AssumeRole", "lambda:*", "iam:PassRole", "dynamodb:*", "logs:*"], "Resource": "*"})])}]})];
    let details = json!({"RoleDetailList": roles, "UserDetailList": users,
        "GroupDetailList": groups, "Policies": policies});
    let resources: Vec<Value> = (0..20)
        .map(|b| {
            let t = b * 5;
            json!({"arn": format!("arn:aws:s3:::team-{t}-data"), "type": "AWS::S3::Bucket",
               "ownerAccount": A, "policy": doc(vec![
                json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::5000000000{:02}:root", (b + 7) % 20)},
                       "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::team-{t}-data/*")}),
                json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [format!("arn:aws:s3:::team-{t}-data"), format!("arn:aws:s3:::team-{t}-data/*")],
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])})
        })
        .collect();
    (
        details,
        json!({"zoneOfTrust": {"accounts": [A]}, "resources": resources}),
    )
}

fn bench(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/authorization-details/cloudsplaining-example.json"
    ))
    .unwrap();
    let details = AuthorizationDetails::parse(&text).unwrap();
    let none = ResourceList::new();
    let options = ReachOptions::default();
    let account = Account::new(&details, &none, &options).unwrap();
    let mut group = c.benchmark_group("reach/cloudsplaining");
    group.bench_function("all_external", |b| {
        b.iter(|| {
            let mut reach = Reach::new(&account);
            black_box(reach.reach_all())
        })
    });
    group.bench_function("compile_and_all_external", |b| {
        b.iter(|| {
            let account = Account::new(&details, &none, &options).unwrap();
            let mut reach = Reach::new(&account);
            black_box(reach.reach_all().len())
        })
    });
    group.finish();

    let (gen_details, gen_resources) = generated(100, 100);
    let gen_details = AuthorizationDetails::from_value(&gen_details).unwrap();
    let gen_resources = ResourceList::parse(&gen_resources.to_string()).unwrap();
    let gen_account = Account::new(&gen_details, &gen_resources, &options).unwrap();
    let mut group = c.benchmark_group("reach/generated_10000_roles");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("all_external", |b| {
        b.iter(|| {
            let mut reach = Reach::new(&gen_account);
            black_box(reach.reach_all())
        })
    });
    group.bench_function("compile_and_all_external", |b| {
        b.iter(|| {
            let account = Account::new(&gen_details, &gen_resources, &options).unwrap();
            let mut reach = Reach::new(&account);
            black_box(reach.reach_all().len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
