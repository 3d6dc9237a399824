//! Properties of transitive reach over small random accounts.
//!
//! - Every request of every hop of every finding replays through `eval` (from its JSON case).
//! - The nodes reached (users and role sessions, and those that gained a policy of the path's
//!   choosing) and the actions on the bucket, with permissions boundaries and SCPs in play,
//!   are exactly those of a brute-force closure that
//!   tries every hop between every pair of held identities, deciding each request by `eval`
//!   over every combination of the condition values the generator uses. The brute force knows
//!   every hop the generator's policies can make (the account has no managed policies and no
//!   functions, so `CreatePolicyVersion` and `UpdateFunctionCode` never apply).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

use perimeter::activity::AuthorizationDetails;
use perimeter::eval::{evaluate, Caller, Case, PolicySet, Request};
use perimeter::policy::{CompiledPolicy, Policy};
use perimeter::reach::{
    Account, AddedPolicy, Principal, Reach, ReachOptions, ResourceList, DEFAULT_SESSION,
};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

const A: &str = "111111111111";
const E: &str = "222222222222";
const F: &str = "333333333333";
const IDP: &str = "arn:aws:iam::111111111111:saml-provider/idp";
const AUD: &str = "https://signin.aws.amazon.com/saml";
const BUCKET: &str = "arn:aws:s3:::b";
const OBJECT: &str = "arn:aws:s3:::b/perimeter-reach";
const FUNCTION: &str = "arn:aws:lambda:us-east-1:111111111111:function:perimeter-reach";
const INSTANCE: &str = "arn:aws:ec2:us-east-1:111111111111:instance/i-0perimeterreach";
const BUCKET_ACTIONS: &[(&str, &str)] = &[
    ("s3:GetObject", OBJECT),
    ("s3:PutObject", OBJECT),
    ("s3:ListBucket", BUCKET),
];

fn role_arn(i: usize) -> String {
    format!("arn:aws:iam::{A}:role/r{i}")
}
fn user_arn(i: usize) -> String {
    format!("arn:aws:iam::{A}:user/u{i}")
}
fn group_arn(i: usize) -> String {
    format!("arn:aws:iam::{A}:group/g{i}")
}

/// A trust statement: (principal kind, target, condition).
type TrustGen = (u8, u8, u8);
/// An identity statement: (action, resource, condition, effect).
type StmtGen = (u8, u8, u8, u8);

/// A random account, as indices into menus.
#[derive(Clone, Debug)]
struct Gen {
    roles: Vec<(Vec<TrustGen>, Vec<StmtGen>)>,
    users: Vec<(Vec<StmtGen>, Vec<u8>)>,
    groups: Vec<Vec<StmtGen>>,
    bucket_policy: u8,
    /// Per role, then per user: a permissions boundary (index into `BOUNDARIES`) or none.
    boundaries: Vec<u8>,
    /// The SCP of the account (index into `scp`), or none.
    scp: u8,
}

/// Permissions boundaries the generator attaches (`arn:aws:iam::A:policy/bK`).
const BOUNDARIES: &[&[&str]] = &[
    &["sts:AssumeRole", "s3:*"],
    &["*"],
    &["iam:*", "sts:*", "lambda:*"],
];

const ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "iam:PassRole",
    "lambda:*",
    "iam:CreateAccessKey",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AddUserToGroup",
    "s3:GetObject",
    "s3:*",
    "ec2:RunInstances",
    "iam:*",
];

fn gen() -> impl Strategy<Value = Gen> {
    let trust = (0u8..8, 0u8..4, 0u8..4);
    let stmt = (0u8..12, 0u8..8, 0u8..3, 0u8..6);
    let role = (
        prop::collection::vec(trust, 1..3),
        prop::collection::vec(stmt.clone(), 0..4),
    );
    let user = (
        prop::collection::vec(stmt.clone(), 0..3),
        prop::collection::vec(0u8..2, 0..2),
    );
    (
        prop::collection::vec(role, 1..5),
        prop::collection::vec(user, 0..3),
        prop::collection::vec(prop::collection::vec(stmt, 0..2), 0..3),
        0u8..4,
        prop::collection::vec(0u8..6, 8),
        0u8..6,
    )
        .prop_map(
            |(roles, users, groups, bucket_policy, boundaries, scp)| Gen {
                roles,
                users,
                groups,
                bucket_policy,
                boundaries,
                scp,
            },
        )
}

impl Gen {
    fn n_roles(&self) -> usize {
        self.roles.len()
    }
    fn n_users(&self) -> usize {
        self.users.len()
    }
    fn n_groups(&self) -> usize {
        self.groups.len()
    }

    fn trust_statement(&self, (kind, target, cond): (u8, u8, u8)) -> Value {
        let (principal, action) = match kind {
            0 => (
                json!({"AWS": format!("arn:aws:iam::{A}:root")}),
                "sts:AssumeRole",
            ),
            1 => (
                json!({"AWS": format!("arn:aws:iam::{E}:root")}),
                "sts:AssumeRole",
            ),
            2 => (
                json!({"AWS": role_arn(target as usize % self.n_roles())}),
                "sts:AssumeRole",
            ),
            3 if self.n_users() > 0 => (
                json!({"AWS": user_arn(target as usize % self.n_users())}),
                "sts:AssumeRole",
            ),
            3 | 4 => (json!("*"), "sts:AssumeRole"),
            5 => (json!({"Federated": IDP}), "sts:AssumeRoleWithSAML"),
            6 => (json!({"Service": "lambda.amazonaws.com"}), "sts:AssumeRole"),
            _ => (json!({"Service": "ec2.amazonaws.com"}), "sts:AssumeRole"),
        };
        let mut s = json!({"Effect": "Allow", "Principal": principal, "Action": action});
        let c = match (cond, kind) {
            (1, 5) => Some(json!({"StringEquals": {"SAML:aud": AUD}})),
            (1, _) => Some(json!({"StringEquals": {"sts:ExternalId": "x1"}})),
            (2, _) => Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
            _ => None,
        };
        if let Some(c) = c {
            s["Condition"] = c;
        }
        s
    }

    fn identity_statement(&self, (action, target, cond, effect): (u8, u8, u8, u8)) -> Value {
        let action = ACTIONS[action as usize % ACTIONS.len()];
        let resource = match target {
            0 | 1 => "*".to_string(),
            2 => role_arn(target as usize % self.n_roles()),
            3 => role_arn(1 % self.n_roles()),
            4 if self.n_users() > 0 => user_arn(0),
            5 if self.n_groups() > 0 => group_arn(0),
            6 => format!("{BUCKET}/*"),
            _ => role_arn(0),
        };
        let deny = effect == 0;
        let mut s = json!({"Effect": if deny { "Deny" } else { "Allow" }, "Action": action, "Resource": resource});
        match (deny, cond) {
            (true, _) => {
                s["Condition"] = json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
            }
            (false, 1) => s["Condition"] = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
            _ => {}
        }
        s
    }

    fn doc(stmts: Vec<Value>) -> Value {
        json!({"Version": "2012-10-17", "Statement": stmts})
    }

    /// The boundary of the `n`-th principal (roles first, then users).
    fn boundary(&self, n: usize) -> Option<usize> {
        let b = *self.boundaries.get(n % self.boundaries.len())? as usize;
        (b < BOUNDARIES.len()).then_some(b)
    }

    fn boundary_doc(b: usize) -> Value {
        Self::doc(vec![
            json!({"Effect": "Allow", "Action": BOUNDARIES[b], "Resource": "*"}),
        ])
    }

    /// The SCP levels.
    fn scp_levels(&self) -> Vec<Vec<Value>> {
        let full = json!({"Effect": "Allow", "Action": "*", "Resource": "*"});
        match self.scp {
            1 => vec![vec![Self::doc(vec![full])]],
            2 => vec![vec![Self::doc(vec![
                full,
                json!({"Effect": "Deny", "Action": "iam:PutRolePolicy", "Resource": "*"}),
            ])]],
            3 => vec![vec![Self::doc(vec![
                full,
                json!({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}),
            ])]],
            4 => vec![
                vec![Self::doc(vec![full])],
                vec![Self::doc(vec![
                    json!({"Effect": "Allow", "Action": ["sts:*", "iam:*", "s3:*"], "Resource": "*"}),
                ])],
            ],
            _ => Vec::new(),
        }
    }

    fn details(&self) -> Value {
        let roles: Vec<Value> = self
            .roles
            .iter()
            .enumerate()
            .map(|(i, (trust, stmts))| {
                let mut r = json!({"RoleName": format!("r{i}"), "RoleId": format!("AROAR{i}"), "Arn": role_arn(i), "Path": "/",
                "AssumeRolePolicyDocument": Self::doc(trust.iter().map(|t| self.trust_statement(*t)).collect()),
                "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": Self::doc(stmts.iter().map(|s| self.identity_statement(*s)).collect())}]});
                if let Some(b) = self.boundary(i) {
                    r["PermissionsBoundary"] = json!({"PermissionsBoundaryArn": format!("arn:aws:iam::{A}:policy/b{b}")});
                }
                r
            })
            .collect();
        let users: Vec<Value> = self
            .users
            .iter()
            .enumerate()
            .map(|(i, (stmts, groups))| {
                let gs: BTreeSet<String> = groups
                    .iter()
                    .filter(|g| (**g as usize) < self.n_groups())
                    .map(|g| format!("g{g}"))
                    .collect();
                let mut u = json!({"UserName": format!("u{i}"), "UserId": format!("AIDAU{i}"), "Arn": user_arn(i), "Path": "/",
                "GroupList": gs,
                "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": Self::doc(stmts.iter().map(|s| self.identity_statement(*s)).collect())}]});
                if let Some(b) = self.boundary(self.n_roles() + i) {
                    u["PermissionsBoundary"] = json!({"PermissionsBoundaryArn": format!("arn:aws:iam::{A}:policy/b{b}")});
                }
                u
            })
            .collect();
        let groups: Vec<Value> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, stmts)| {
                json!({"GroupName": format!("g{i}"), "GroupId": format!("AGPAG{i}"), "Arn": group_arn(i), "Path": "/",
                "GroupPolicyList": [{"PolicyName": "p", "PolicyDocument": Self::doc(stmts.iter().map(|s| self.identity_statement(*s)).collect())}]})
            })
            .collect();
        let policies: Vec<Value> = (0..BOUNDARIES.len())
            .map(|b| {
                json!({"PolicyName": format!("b{b}"), "PolicyId": format!("ANPAB{b}"),
                "Arn": format!("arn:aws:iam::{A}:policy/b{b}"), "Path": "/", "DefaultVersionId": "v1",
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": Self::boundary_doc(b)}]})
            })
            .collect();
        json!({"RoleDetailList": roles, "UserDetailList": users, "GroupDetailList": groups, "Policies": policies})
    }

    fn bucket_policy(&self) -> Option<Value> {
        match self.bucket_policy {
            1 => Some(Self::doc(vec![
                json!({"Effect": "Allow", "Principal": {"AWS": E}, "Action": "s3:GetObject", "Resource": format!("{BUCKET}/*")}),
            ])),
            2 => Some(Self::doc(vec![
                json!({"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": BUCKET,
                       "Condition": {"StringEquals": {"sts:ExternalId": "x1"}}}),
            ])),
            3 => Some(Self::doc(vec![
                json!({"Effect": "Allow", "Principal": {"AWS": role_arn(0)}, "Action": "s3:PutObject", "Resource": format!("{BUCKET}/*")}),
            ])),
            _ => None,
        }
    }

    fn resources(&self) -> Value {
        let mut b = json!({"arn": BUCKET, "type": "AWS::S3::Bucket", "ownerAccount": A});
        if let Some(p) = self.bucket_policy() {
            b["policy"] = p;
        }
        json!({"zoneOfTrust": {"accounts": [A]}, "resources": [b]})
    }
}

// ---- the brute force ------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Account,
    Anyone,
    Federated,
    User(usize),
    Role(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Extra {
    None,
    Any,
    Group(usize),
}

struct Brute {
    g: Gen,
    details: Value,
    trusts: Vec<Arc<CompiledPolicy>>,
    role_policies: Vec<Arc<CompiledPolicy>>,
    user_policies: Vec<Arc<CompiledPolicy>>,
    group_policies: Vec<Arc<CompiledPolicy>>,
    bucket: Option<Arc<CompiledPolicy>>,
    admin: Arc<CompiledPolicy>,
    boundaries: Vec<Arc<CompiledPolicy>>,
    scp: Vec<Vec<Arc<CompiledPolicy>>>,
}

fn compile(v: &Value) -> Arc<CompiledPolicy> {
    Arc::new(Policy::from_json_value(v).unwrap().compile().unwrap())
}

fn grant(action: &str, resource: &str) -> Arc<CompiledPolicy> {
    compile(
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}),
    )
}

impl Brute {
    fn new(g: &Gen) -> Brute {
        let details = g.details();
        let roles = details["RoleDetailList"].as_array().unwrap();
        let users = details["UserDetailList"].as_array().unwrap();
        let groups = details["GroupDetailList"].as_array().unwrap();
        Brute {
            trusts: roles
                .iter()
                .map(|r| compile(&r["AssumeRolePolicyDocument"]))
                .collect(),
            role_policies: roles
                .iter()
                .map(|r| compile(&r["RolePolicyList"][0]["PolicyDocument"]))
                .collect(),
            user_policies: users
                .iter()
                .map(|u| compile(&u["UserPolicyList"][0]["PolicyDocument"]))
                .collect(),
            group_policies: groups
                .iter()
                .map(|g| compile(&g["GroupPolicyList"][0]["PolicyDocument"]))
                .collect(),
            bucket: g.bucket_policy().as_ref().map(compile),
            admin: grant("*", "*"),
            boundaries: (0..BOUNDARIES.len())
                .map(|b| compile(&Gen::boundary_doc(b)))
                .collect(),
            scp: g
                .scp_levels()
                .iter()
                .map(|l| l.iter().map(compile).collect())
                .collect(),
            details: details.clone(),
            g: g.clone(),
        }
    }

    fn user_groups(&self, u: usize) -> Vec<usize> {
        self.details["UserDetailList"][u]["GroupList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap()[1..].parse().unwrap())
            .collect()
    }

    fn caller(&self, who: Who) -> Caller {
        match who {
            Who::Account => Caller::parse(&format!("arn:aws:sts::{E}:assumed-role/x/x")).unwrap(),
            Who::Anyone => Caller::parse(&format!("arn:aws:sts::{F}:assumed-role/x/x")).unwrap(),
            Who::Federated => Caller::Federated {
                provider: IDP.into(),
            },
            Who::User(i) => Caller::parse(&user_arn(i)).unwrap(),
            Who::Role(i) => Caller::parse(&format!(
                "arn:aws:sts::{A}:assumed-role/r{i}/{DEFAULT_SESSION}"
            ))
            .unwrap(),
        }
    }

    fn identity(
        &self,
        who: Who,
        extra: Extra,
        action: &str,
        resource: &str,
    ) -> Vec<Arc<CompiledPolicy>> {
        let mut out = match who {
            Who::Account | Who::Anyone => vec![grant(action, resource)],
            Who::Federated => Vec::new(),
            Who::User(u) => {
                let mut v = vec![self.user_policies[u].clone()];
                v.extend(
                    self.user_groups(u)
                        .into_iter()
                        .map(|g| self.group_policies[g].clone()),
                );
                v
            }
            Who::Role(r) => vec![self.role_policies[r].clone()],
        };
        match extra {
            Extra::None => {}
            Extra::Any => out.push(self.admin.clone()),
            Extra::Group(g) => out.push(self.group_policies[g].clone()),
        }
        out
    }

    /// Whether some combination of the generator's condition values lets the request through.
    fn allowed(
        &self,
        who: Who,
        extra: Extra,
        action: &str,
        resource: &str,
        fixed: &[(&str, &str)],
        resource_policy: Option<Arc<CompiledPolicy>>,
    ) -> bool {
        let internal = matches!(who, Who::User(_) | Who::Role(_));
        let boundary = match who {
            Who::Role(r) => self.g.boundary(r),
            Who::User(u) => self.g.boundary(self.g.n_roles() + u),
            _ => None,
        };
        let set = PolicySet {
            identity: self.identity(who, extra, action, resource),
            resource: resource_policy,
            permission_boundary: boundary.map(|b| self.boundaries[b].clone()),
            service_control: if internal {
                self.scp.clone()
            } else {
                Vec::new()
            },
            ..PolicySet::default()
        };
        for ext in [None, Some("x1")] {
            for mfa in [None, Some("true"), Some("false")] {
                for aud in [None, Some(AUD)] {
                    let mut b =
                        Request::builder(self.caller(who), action, resource).resource_account(A);
                    if let Who::Role(i) = who {
                        b = b.context("aws:PrincipalArn", &role_arn(i));
                    }
                    for (k, v) in fixed {
                        b = b.context(k, v);
                    }
                    if let Some(v) = ext {
                        b = b.context("sts:ExternalId", v);
                    }
                    if let Some(v) = mfa {
                        b = b.context("aws:MultiFactorAuthPresent", v);
                    }
                    if let Some(v) = aud {
                        b = b.context("SAML:aud", v);
                    }
                    if evaluate(&b.build(), &set).decision.is_allow() {
                        return true;
                    }
                }
            }
        }
        false
    }

    fn service_assumes(&self, q: usize, service: &str) -> bool {
        let set = PolicySet {
            resource: Some(self.trusts[q].clone()),
            ..PolicySet::default()
        };
        // The service sets the context: the source account, and nothing an attacker adds.
        let req = Request::builder(
            Caller::Service {
                name: service.into(),
            },
            "sts:AssumeRole",
            &role_arn(q),
        )
        .resource_account(A)
        .context("aws:SourceAccount", A)
        .build();
        evaluate(&req, &set).decision.is_allow()
    }

    /// The closure from `source`: held (identity, extra) pairs.
    fn closure(&self, source: Who) -> BTreeSet<(Who, Extra)> {
        let rsn = [("sts:RoleSessionName", DEFAULT_SESSION)];
        let mut held: BTreeSet<(Who, Extra)> = BTreeSet::from([(source, Extra::None)]);
        let mut pending: BTreeSet<(Who, Extra)> = BTreeSet::new();
        loop {
            let before = (held.len(), pending.len());
            for (x, xe) in held.clone() {
                let internal = matches!(x, Who::User(_) | Who::Role(_));
                for q in 0..self.g.n_roles() {
                    let action = if x == Who::Federated {
                        "sts:AssumeRoleWithSAML"
                    } else {
                        "sts:AssumeRole"
                    };
                    if self.allowed(
                        x,
                        xe,
                        action,
                        &role_arn(q),
                        &rsn,
                        Some(self.trusts[q].clone()),
                    ) {
                        held.insert((Who::Role(q), Extra::None));
                    }
                }
                if !internal {
                    continue;
                }
                let me = match x {
                    Who::User(u) => user_arn(u),
                    Who::Role(r) => role_arn(r),
                    _ => unreachable!(),
                };
                let admin = [(
                    "iam:PolicyARN",
                    "arn:aws:iam::aws:policy/AdministratorAccess",
                )];
                for u in 0..self.g.n_users() {
                    for credentials in [
                        "iam:CreateAccessKey",
                        "iam:CreateLoginProfile",
                        "iam:UpdateLoginProfile",
                    ] {
                        if self.allowed(x, xe, credentials, &user_arn(u), &[], None) {
                            held.insert((Who::User(u), Extra::None));
                        }
                    }
                    if self.allowed(x, xe, "iam:AttachUserPolicy", &user_arn(u), &admin, None)
                        || self.allowed(x, xe, "iam:PutUserPolicy", &user_arn(u), &[], None)
                    {
                        pending.insert((Who::User(u), Extra::Any));
                    }
                }
                let new_trust = compile(&json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": me}, "Action": "sts:AssumeRole"}]}));
                for q in 0..self.g.n_roles() {
                    let r = role_arn(q);
                    if self.allowed(x, xe, "iam:UpdateAssumeRolePolicy", &r, &[], None)
                        && self.allowed(x, xe, "sts:AssumeRole", &r, &rsn, Some(new_trust.clone()))
                    {
                        held.insert((Who::Role(q), Extra::None));
                    }
                    if self.allowed(x, xe, "iam:PutRolePolicy", &r, &[], None)
                        || self.allowed(x, xe, "iam:AttachRolePolicy", &r, &admin, None)
                    {
                        pending.insert((Who::Role(q), Extra::Any));
                    }
                    let lambda =
                        self.allowed(
                            x,
                            xe,
                            "iam:PassRole",
                            &r,
                            &[("iam:PassedToService", "lambda.amazonaws.com")],
                            None,
                        ) && self.allowed(x, xe, "lambda:CreateFunction", FUNCTION, &[], None)
                            && self.allowed(x, xe, "lambda:InvokeFunction", FUNCTION, &[], None)
                            && self.service_assumes(q, "lambda.amazonaws.com");
                    let ec2 = self.allowed(
                        x,
                        xe,
                        "iam:PassRole",
                        &r,
                        &[("iam:PassedToService", "ec2.amazonaws.com")],
                        None,
                    ) && self.allowed(x, xe, "ec2:RunInstances", INSTANCE, &[], None)
                        && self.service_assumes(q, "ec2.amazonaws.com");
                    if lambda || ec2 {
                        held.insert((Who::Role(q), Extra::None));
                    }
                }
                for g in 0..self.g.n_groups() {
                    if self.allowed(x, xe, "iam:PutGroupPolicy", &group_arn(g), &[], None)
                        || self.allowed(x, xe, "iam:AttachGroupPolicy", &group_arn(g), &admin, None)
                    {
                        for u in 0..self.g.n_users() {
                            if self.user_groups(u).contains(&g) {
                                pending.insert((Who::User(u), Extra::Any));
                            }
                        }
                    }
                    if self.allowed(x, xe, "iam:AddUserToGroup", &group_arn(g), &[], None) {
                        for u in 0..self.g.n_users() {
                            if !self.user_groups(u).contains(&g) {
                                pending.insert((Who::User(u), Extra::Group(g)));
                            }
                        }
                    }
                }
            }
            for (who, extra) in pending.clone() {
                if held.contains(&(who, Extra::None)) {
                    held.insert((who, extra));
                }
            }
            if (held.len(), pending.len()) == before {
                return held;
            }
        }
    }

    fn bucket_actions(&self, held: &BTreeSet<(Who, Extra)>) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (action, arn) in BUCKET_ACTIONS {
            // An identity provider calls nothing but `sts:AssumeRoleWith…`: its users reach
            // other services only as the sessions of the roles they assume.
            if held.iter().any(|(w, e)| {
                *w != Who::Federated && self.allowed(*w, *e, action, arn, &[], self.bucket.clone())
            }) {
                out.insert(action.to_string());
            }
        }
        out
    }
}

/// The identities of a reach set as the brute force names them (extras other than a policy of
/// the path's choosing are left out: that one covers them).
fn observed(set: &perimeter::reach::ReachSet) -> BTreeSet<(Who, Extra)> {
    let mut out = BTreeSet::new();
    for n in set.nodes() {
        let who = match &n.principal {
            Principal::Account { .. } => Who::Account,
            Principal::Anyone => Who::Anyone,
            Principal::Federated { .. } => Who::Federated,
            Principal::User { arn } => Who::User(arn.rsplit("/u").next().unwrap().parse().unwrap()),
            Principal::Role { arn, .. } => {
                Who::Role(arn.rsplit("/r").next().unwrap().parse().unwrap())
            }
            other => panic!("unexpected node {other:?}"),
        };
        match &n.added_policy {
            None => {
                out.insert((who, Extra::None));
            }
            Some(AddedPolicy::Any) => {
                out.insert((who, Extra::Any));
            }
            Some(_) => {}
        }
    }
    out
}

fn check(g: &Gen) -> Result<(), TestCaseError> {
    let details = AuthorizationDetails::from_value(&g.details()).unwrap();
    let resources = ResourceList::parse(&g.resources().to_string()).unwrap();
    let scp: Vec<Vec<Policy>> = g
        .scp_levels()
        .iter()
        .map(|l| {
            l.iter()
                .map(|p| Policy::from_json_value(p).unwrap())
                .collect()
        })
        .collect();
    let options = ReachOptions::default().with_service_control_policies(scp);
    let account = Account::new(&details, &resources, &options).unwrap();
    let mut reach = Reach::new(&account);
    let brute = Brute::new(g);
    for (source, who) in [
        (Principal::Account { id: E.into() }, Who::Account),
        (Principal::Anyone, Who::Anyone),
        (
            Principal::Federated {
                provider: IDP.into(),
            },
            Who::Federated,
        ),
    ] {
        let set = reach.reach_from(&source).unwrap();
        prop_assert!(
            set.undecided().is_empty(),
            "undecided: {:?}",
            set.undecided()
        );
        // Paths replay.
        let findings = set.findings();
        for f in &findings {
            for h in &f.path {
                for r in &h.requests {
                    let case = Case::from_json_value(&r.case().to_json_value()).unwrap();
                    let ev = case.evaluate().unwrap();
                    prop_assert!(
                        ev.decision.is_allow(),
                        "{:?}: hop {} ({} on {}) does not replay",
                        source,
                        h.kind,
                        r.action(),
                        r.resource()
                    );
                }
            }
        }
        // The closure.
        let want = brute.closure(who);
        let want_ids: BTreeSet<(Who, Extra)> = want
            .iter()
            .filter(|(_, e)| matches!(e, Extra::None | Extra::Any))
            .copied()
            .collect();
        let got = observed(&set);
        if std::env::var_os("REACH_STATS").is_some() {
            let kinds: BTreeSet<&str> = findings
                .iter()
                .flat_map(|f| f.path.iter().map(|h| h.kind.as_str()))
                .collect();
            eprintln!(
                "STATS {} {} {:?}",
                got.len(),
                got.iter().filter(|(_, e)| *e == Extra::Any).count(),
                kinds
            );
        }
        prop_assert_eq!(&got, &want_ids, "{:?}", source);
        // The bucket.
        let want_actions = brute.bucket_actions(&want);
        let got_actions: BTreeSet<String> = findings
            .iter()
            .filter(|f| f.resource == BUCKET)
            .flat_map(|f| f.action.iter().cloned())
            .filter(|a| BUCKET_ACTIONS.iter().any(|(b, _)| b == a))
            .collect();
        prop_assert_eq!(&got_actions, &want_actions, "{:?} bucket", source);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn reach_equals_brute_force_and_paths_replay(g in gen()) {
        check(&g)?;
    }
}
