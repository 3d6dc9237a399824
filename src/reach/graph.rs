//! The graph: principal states, the hops between them (decided on demand and cached), and the
//! closure from one source.
//!
//! A state is an identity the attacker holds: an external principal, a user's credentials, a
//! session of a role (with a session name), or one of those after the path added a policy to
//! it. A hop turns held states into a new one. Most hops need one held state (the actor); the
//! hops that add a policy to a user or role need the actor *and* that user or role, so the
//! closure is a least fixed point over both kinds (an AND-OR graph), computed breadth first.

use super::account::{Account, Shared, DEFAULT_SESSION};
use super::decide::{Answer, Ask, Decider, Who, Witness};
use crate::eval::{Caller, ContextValue};
use crate::policy::compile::PrincipalValue;
use crate::policy::Effect;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

pub(crate) type StateId = u32;

/// Hops decided together, shared between the cache and the closures that use them.
pub(crate) type Hops = Arc<[Arc<HopData>]>;

/// An identity before any policy the path adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Base {
    /// An external principal (index into `Graph::externals`).
    Ext(u32),
    /// A user of the account.
    User(u32),
    /// A session of a role, with the index of its session name.
    Role(u32, u16),
}

/// A policy the path added to a user or role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Extra {
    None,
    /// A policy of the attacker's choosing (inline, a new policy version, or
    /// `AdministratorAccess`).
    Any,
    /// A managed policy of the account.
    Managed(u32),
    /// Membership of a group.
    Group(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct StateKey {
    pub(crate) base: Base,
    pub(crate) extra: Extra,
}

/// A user or role whose policies a hop changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Ident {
    User(u32),
    Role(u32),
}

/// An external principal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum External {
    Anyone,
    Account(String),
    Federated(String),
}

/// The kinds of hops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum HopKind {
    /// `sts:AssumeRole` (role chaining included).
    AssumeRole,
    /// `sts:AssumeRoleWithSAML` from a SAML provider.
    AssumeRoleWithSaml,
    /// `sts:AssumeRoleWithWebIdentity` from an OIDC or web identity provider.
    AssumeRoleWithWebIdentity,
    /// `iam:PassRole` to a new Lambda function (`lambda:CreateFunction`), then
    /// `lambda:InvokeFunction`: the function runs as the role.
    PassRoleToLambda,
    /// `iam:PassRole` to a new EC2 instance (`ec2:RunInstances`): the instance runs as the role.
    PassRoleToEc2,
    /// `lambda:UpdateFunctionCode` on a function that runs as the role.
    UpdateFunctionCode,
    /// `iam:CreateAccessKey` for a user.
    CreateAccessKey,
    /// `iam:CreateLoginProfile` for a user (a console password).
    CreateLoginProfile,
    /// `iam:UpdateLoginProfile` for a user.
    UpdateLoginProfile,
    /// `iam:UpdateAssumeRolePolicy` on a role, then `sts:AssumeRole` under the new trust policy.
    UpdateAssumeRolePolicy,
    /// `iam:AttachRolePolicy`.
    AttachRolePolicy,
    /// `iam:PutRolePolicy`.
    PutRolePolicy,
    /// `iam:AttachUserPolicy`.
    AttachUserPolicy,
    /// `iam:PutUserPolicy`.
    PutUserPolicy,
    /// `iam:AttachGroupPolicy` on a group the user is in.
    AttachGroupPolicy,
    /// `iam:PutGroupPolicy` on a group the user is in.
    PutGroupPolicy,
    /// `iam:AddUserToGroup`.
    AddUserToGroup,
    /// `iam:CreatePolicyVersion` (as default) on a managed policy attached to the user or role.
    CreatePolicyVersion,
    /// Requests on the resource itself (the last hop of a finding).
    Access,
}

impl HopKind {
    /// The name used in JSON and on the terminal (`AssumeRole`, `PassRoleToLambda`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            HopKind::AssumeRole => "AssumeRole",
            HopKind::AssumeRoleWithSaml => "AssumeRoleWithSAML",
            HopKind::AssumeRoleWithWebIdentity => "AssumeRoleWithWebIdentity",
            HopKind::PassRoleToLambda => "PassRoleToLambda",
            HopKind::PassRoleToEc2 => "PassRoleToEc2",
            HopKind::UpdateFunctionCode => "UpdateFunctionCode",
            HopKind::CreateAccessKey => "CreateAccessKey",
            HopKind::CreateLoginProfile => "CreateLoginProfile",
            HopKind::UpdateLoginProfile => "UpdateLoginProfile",
            HopKind::UpdateAssumeRolePolicy => "UpdateAssumeRolePolicy",
            HopKind::AttachRolePolicy => "AttachRolePolicy",
            HopKind::PutRolePolicy => "PutRolePolicy",
            HopKind::AttachUserPolicy => "AttachUserPolicy",
            HopKind::PutUserPolicy => "PutUserPolicy",
            HopKind::AttachGroupPolicy => "AttachGroupPolicy",
            HopKind::PutGroupPolicy => "PutGroupPolicy",
            HopKind::AddUserToGroup => "AddUserToGroup",
            HopKind::CreatePolicyVersion => "CreatePolicyVersion",
            HopKind::Access => "Access",
        }
    }

    /// Every kind, in order.
    pub const ALL: &'static [HopKind] = &[
        HopKind::AssumeRole,
        HopKind::AssumeRoleWithSaml,
        HopKind::AssumeRoleWithWebIdentity,
        HopKind::PassRoleToLambda,
        HopKind::PassRoleToEc2,
        HopKind::UpdateFunctionCode,
        HopKind::CreateAccessKey,
        HopKind::CreateLoginProfile,
        HopKind::UpdateLoginProfile,
        HopKind::UpdateAssumeRolePolicy,
        HopKind::AttachRolePolicy,
        HopKind::PutRolePolicy,
        HopKind::AttachUserPolicy,
        HopKind::PutUserPolicy,
        HopKind::AttachGroupPolicy,
        HopKind::PutGroupPolicy,
        HopKind::AddUserToGroup,
        HopKind::CreatePolicyVersion,
        HopKind::Access,
    ];
}

impl std::fmt::Display for HopKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a hop leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    State(StateId),
    /// A policy added to a user or role: every held state of it gains the policy.
    Modify {
        ident: Ident,
        extra: Extra,
    },
}

/// A decided hop.
#[derive(Clone, Debug)]
pub(crate) struct HopData {
    pub(crate) actor: StateId,
    pub(crate) kind: HopKind,
    pub(crate) target: Target,
    pub(crate) requests: Vec<Witness>,
}

/// How a state was first reached.
#[derive(Clone, Debug)]
pub(crate) enum Via {
    Start,
    /// By a hop; `also` is the state the hop changed (for hops that add a policy).
    Hop {
        hop: Arc<HopData>,
        also: Option<StateId>,
    },
}

/// Actions whose grants make escalation hops possible (bit positions in `Caps`).
const CAP_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "iam:passrole",
    "lambda:createfunction",
    "lambda:invokefunction",
    "ec2:runinstances",
    "iam:createaccesskey",
    "iam:createloginprofile",
    "iam:updateloginprofile",
    "iam:updateassumerolepolicy",
    "iam:attachrolepolicy",
    "iam:putrolepolicy",
    "iam:attachuserpolicy",
    "iam:putuserpolicy",
    "iam:attachgrouppolicy",
    "iam:putgrouppolicy",
    "iam:addusertogroup",
    "iam:createpolicyversion",
    "lambda:updatefunctioncode",
];

const C_ASSUME: usize = 0;
const C_PASS: usize = 1;
const C_CREATE_FN: usize = 2;
const C_INVOKE_FN: usize = 3;
const C_RUN: usize = 4;
const C_KEY: usize = 5;
const C_CREATE_LOGIN: usize = 6;
const C_UPDATE_LOGIN: usize = 7;
const C_TRUST: usize = 8;
const C_ATTACH_ROLE: usize = 9;
const C_PUT_ROLE: usize = 10;
const C_ATTACH_USER: usize = 11;
const C_PUT_USER: usize = 12;
const C_ATTACH_GROUP: usize = 13;
const C_PUT_GROUP: usize = 14;
const C_ADD_TO_GROUP: usize = 15;
const C_POLICY_VERSION: usize = 16;
const C_UPDATE_CODE: usize = 17;

/// What the analysis knows about a state as a caller.
#[derive(Clone, Debug)]
pub(crate) struct Actor {
    pub(crate) who: Who,
    /// The caller, for known callers (shared by the witnesses of its requests).
    pub(crate) caller: Option<Arc<Caller>>,
    pub(crate) identity: Arc<[Shared]>,
    pub(crate) boundary: Option<Shared>,
    /// Facts about the caller (user id, principal tags, organization).
    pub(crate) facts: Arc<[(String, ContextValue)]>,
    /// Which of `CAP_ACTIONS` some Allow statement of the identity policies names.
    pub(crate) caps: u32,
    /// For account identities: the principal ARN a new trust policy would name.
    pub(crate) principal_arn: Option<String>,
    pub(crate) internal: bool,
    /// For a service assuming a role for a resource the path made: the pattern of
    /// `aws:SourceArn` (the service sets the request context itself).
    pub(crate) service_source: Option<String>,
    /// Which of `CAP_ACTIONS` the actor may call on any resource of its account whatever the
    /// request says: an unconditional Allow on `*` in the identity policies, the boundary and
    /// every SCP level, and no Deny statement for the action anywhere.
    pub(crate) free: u32,
    /// Whether `sts:AssumeRole` under a trust policy that names the actor (one it wrote) is
    /// allowed whatever the request says: no statement denies the action anywhere, and the
    /// boundary and every SCP level allow it unconditionally on `*`.
    pub(crate) free_assume: bool,
}

impl Actor {
    fn can(&self, cap: usize) -> bool {
        self.caps & (1 << cap) != 0
    }

    /// A user or role session of the account as a caller (the same for both; `free` and
    /// `free_assume` are filled in later by `Graph::actor`).
    fn internal(
        caller: Caller,
        identity: Vec<Shared>,
        boundary: Option<Shared>,
        facts: Vec<(String, ContextValue)>,
        principal_arn: String,
    ) -> Actor {
        Actor {
            caller: Some(Arc::new(caller.clone())),
            who: Who::Known {
                caller,
                external: false,
            },
            caps: Graph::caps_of(&identity),
            identity: Arc::from(identity),
            boundary,
            facts: Arc::from(facts),
            principal_arn: Some(principal_arn),
            internal: true,
            service_source: None,
            free: 0,
            free_assume: false,
        }
    }
}

/// Keys of a trust policy's principals, for finding the roles a caller may assume.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum TrustKey {
    Any,
    Account(String),
    User(String),
    Role(String, String),
    Session(String),
    Federated(String),
    /// A `NotPrincipal` (or anything the index cannot file): every caller is a candidate.
    Open,
}

/// A witness's request context, shared between witnesses that carry the same one.
type SharedContext = Arc<[(String, ContextValue)]>;

/// Roles sorted by ARN, users sorted by ARN, for resource-pattern lookups.
#[derive(Debug, Default)]
struct Sorted {
    arns: Vec<(String, u32)>,
}

impl Sorted {
    fn new(items: impl Iterator<Item = (String, u32)>) -> Sorted {
        let mut arns: Vec<(String, u32)> = items.collect();
        arns.sort();
        Sorted { arns }
    }

    /// Whether the statements' `Resource` elements may match every item.
    fn matching_all(&self, statements: &[&crate::policy::compile::CompiledStatement]) -> bool {
        statements.iter().any(|s| match &s.resources {
            None => true,
            Some(m) => {
                m.negated
                    || m.entries.iter().any(|e| {
                        matches!(
                            e,
                            crate::policy::compile::ResourceEntry::Any
                                | crate::policy::compile::ResourceEntry::Template { .. }
                        )
                    })
            }
        })
    }

    /// Items whose ARN some entry of the statements' `Resource` elements may match (a superset:
    /// the decider checks each). `None` entries mean every item.
    fn matching(&self, statements: &[&crate::policy::compile::CompiledStatement]) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        let mut all = false;
        let mut prefixes: Vec<String> = Vec::new();
        for s in statements {
            match &s.resources {
                None => all = true,
                Some(m) if m.negated => all = true,
                Some(m) => {
                    for e in &m.entries {
                        match e {
                            crate::policy::compile::ResourceEntry::Any => all = true,
                            crate::policy::compile::ResourceEntry::Template { .. } => all = true,
                            crate::policy::compile::ResourceEntry::Pattern(p) => {
                                let t = p.as_str();
                                let lit: String =
                                    t.chars().take_while(|c| *c != '*' && *c != '?').collect();
                                prefixes.push(lit);
                            }
                        }
                    }
                }
            }
            if all {
                break;
            }
        }
        if all {
            return self.arns.iter().map(|(_, i)| *i).collect();
        }
        prefixes.sort();
        prefixes.dedup();
        for p in &prefixes {
            let start = self.arns.partition_point(|(a, _)| a.as_str() < p.as_str());
            for (a, i) in self.arns.iter().skip(start) {
                if !a.starts_with(p.as_str()) {
                    break;
                }
                out.push(*i);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The items of `items` (the list this index was built from) that the statements may name
    /// and that `keep` accepts, with their index, in index order. Hops use it to keep only the
    /// targets in the actor's own account.
    fn matching_in<'t, T>(
        &self,
        statements: &[&crate::policy::compile::CompiledStatement],
        items: &'t [T],
        keep: impl Fn(&T) -> bool,
    ) -> Vec<(u32, &'t T)> {
        let mut out = Vec::new();
        for i in self.matching(statements) {
            let Some(item) = items.get(i as usize) else {
                continue;
            };
            if keep(item) {
                out.push((i, item));
            }
        }
        out
    }
}

/// The graph over one account, with decisions cached across sources.
#[derive(Debug)]
pub(crate) struct Graph<'a> {
    pub(crate) account: &'a Account,
    pub(crate) externals: Vec<External>,
    states: Vec<StateKey>,
    index: ahash::AHashMap<StateKey, StateId>,
    actors: Vec<Option<Arc<Actor>>>,
    /// Decided hops by (actor, kind, target index).
    edges: ahash::AHashMap<(StateId, HopKind, u32), Hops>,
    /// Service steps of passing a role, by (actor, service).
    steps: ahash::AHashMap<(StateId, u8), Option<Arc<[Witness]>>>,
    /// Trust policies written by `iam:UpdateAssumeRolePolicy`, by principal.
    trusts: ahash::AHashMap<String, Shared>,
    /// Per managed policy: the users (directly or through groups) and roles it is attached to.
    holders: Vec<Vec<Ident>>,
    user_ids: Vec<StateId>,
    role_ids: Vec<Vec<StateId>>,
    /// Strings and contexts shared by witnesses.
    strings: ahash::AHashSet<Arc<str>>,
    contexts: ahash::AHashMap<u64, Vec<SharedContext>>,
    contexts_hasher: ahash::RandomState,
    empty_chosen: Arc<[String]>,
    decider: Decider,
    trust_index: ahash::AHashMap<TrustKey, Vec<u32>>,
    trust_by_account: ahash::AHashMap<String, Vec<u32>>,
    roles_sorted: Sorted,
    /// Every role, service-linked ones included.
    roles_all_sorted: Sorted,
    /// Per account: which roles' trust policies delegate to it.
    delegating: ahash::AHashMap<String, Vec<bool>>,
    users_sorted: Sorted,
    groups_sorted: Sorted,
    managed_sorted: Sorted,
    functions_sorted: Sorted,
    /// Per role: whether its trust lets Lambda / EC2 assume it (with the witness).
    service_trust: Vec<[Option<Option<Arc<Witness>>>; 2]>,
    admin: Option<Shared>,
    pub(crate) undecided: Vec<String>,
    zone_accounts: Vec<String>,
    /// Lambda functions with an execution role (resource index).
    functions: Vec<u32>,
    universes: Vec<Option<Arc<Universe>>>,
    access_cache: ahash::AHashMap<(StateId, u32), Arc<[AccessGroup]>>,
}

/// The service a role is passed to in pass-role step `which`: 0 Lambda, otherwise EC2.
fn pass_service(which: usize) -> &'static str {
    if which == 0 {
        "lambda.amazonaws.com"
    } else {
        "ec2.amazonaws.com"
    }
}

/// The resource-tag keys a user's or role's tags set when it is the resource of a request.
fn tag_facts(tags: &BTreeMap<String, String>) -> Vec<(String, ContextValue)> {
    let mut f = Vec::with_capacity(2 * tags.len());
    for (k, v) in tags {
        f.push((format!("aws:ResourceTag/{k}"), ContextValue::One(v.clone())));
        f.push((format!("iam:ResourceTag/{k}"), ContextValue::One(v.clone())));
    }
    f
}

fn admin_policy() -> Option<Shared> {
    let v = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    super::account::compile_named(&v, "policy added by the path").ok()
}

const ASSUME_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
];

fn names_assume(s: &crate::policy::compile::CompiledStatement) -> bool {
    ASSUME_ACTIONS.iter().any(|a| {
        let h = crate::policy::compile::service_hash(a);
        s.actions.matches_folded(a, h)
    })
}

impl<'a> Graph<'a> {
    pub(crate) fn new(account: &'a Account) -> Graph<'a> {
        let mut trust_index: ahash::AHashMap<TrustKey, Vec<u32>> = ahash::AHashMap::new();
        let mut trust_by_account: ahash::AHashMap<String, Vec<u32>> = ahash::AHashMap::new();
        let mut externals: Vec<External> = Vec::new();
        let zone = &account.zone;
        let add_ext = |e: External, externals: &mut Vec<External>| {
            if !externals.contains(&e) {
                externals.push(e);
            }
        };
        for (ri, r) in account.roles.iter().enumerate() {
            let ri = ri as u32;
            let Some(t) = &r.trust else { continue };
            let mut keys: Vec<TrustKey> = Vec::new();
            let mut accounts: Vec<String> = Vec::new();
            for s in t.statements() {
                if s.effect != Effect::Allow || !names_assume(s) {
                    continue;
                }
                let Some(m) = &s.principal else { continue };
                if m.negated {
                    keys.push(TrustKey::Open);
                    add_ext(External::Anyone, &mut externals);
                    continue;
                }
                for v in &m.values {
                    let acct = |arn: &str| crate::arn::account_in(arn).map(str::to_string);
                    match v {
                        PrincipalValue::Any => {
                            keys.push(TrustKey::Any);
                            add_ext(External::Anyone, &mut externals);
                        }
                        PrincipalValue::Account(a) => {
                            keys.push(TrustKey::Account(a.clone()));
                            accounts.push(a.clone());
                        }
                        PrincipalValue::User(arn) => {
                            keys.push(TrustKey::User(arn.clone()));
                            accounts.extend(acct(arn));
                        }
                        PrincipalValue::Role {
                            account: a, name, ..
                        } => {
                            keys.push(TrustKey::Role(a.clone(), name.clone()));
                            accounts.push(a.clone());
                        }
                        PrincipalValue::Session(arn) | PrincipalValue::FederatedUser(arn) => {
                            keys.push(TrustKey::Session(arn.clone()));
                            accounts.extend(acct(arn));
                        }
                        PrincipalValue::Federated(p) => {
                            keys.push(TrustKey::Federated(p.to_ascii_lowercase()));
                            add_ext(External::Federated(p.clone()), &mut externals);
                        }
                        PrincipalValue::Service(_) | PrincipalValue::CanonicalUser(_) => {}
                        // Unique ids of deleted principals never match again.
                        PrincipalValue::Other(_) => {}
                    }
                }
            }
            for a in &accounts {
                if crate::arn::is_account_id(a) && !zone.trusts_account(a) {
                    add_ext(External::Account(a.clone()), &mut externals);
                }
            }
            keys.sort_by_key(|k| format!("{k:?}"));
            keys.dedup();
            for k in keys {
                trust_index.entry(k).or_default().push(ri);
            }
            accounts.sort();
            accounts.dedup();
            for a in accounts {
                trust_by_account.entry(a).or_default().push(ri);
            }
        }
        // External principals of resource policies.
        for r in &account.resources {
            let Some(p) = &r.policy else { continue };
            for s in p.statements() {
                if s.effect != Effect::Allow {
                    continue;
                }
                let Some(m) = &s.principal else { continue };
                if m.negated {
                    add_ext(External::Anyone, &mut externals);
                    continue;
                }
                for v in &m.values {
                    let a = match v {
                        PrincipalValue::Any => {
                            add_ext(External::Anyone, &mut externals);
                            None
                        }
                        PrincipalValue::Account(a) => Some(a.clone()),
                        PrincipalValue::User(arn)
                        | PrincipalValue::Session(arn)
                        | PrincipalValue::FederatedUser(arn) => {
                            crate::arn::account_in(arn).map(str::to_string)
                        }
                        PrincipalValue::Role { account, .. } => Some(account.clone()),
                        PrincipalValue::Federated(p) => {
                            add_ext(External::Federated(p.clone()), &mut externals);
                            None
                        }
                        _ => None,
                    };
                    if let Some(a) = a {
                        if crate::arn::is_account_id(&a) && !zone.trusts_account(&a) {
                            add_ext(External::Account(a), &mut externals);
                        }
                    }
                }
            }
        }
        externals.sort();
        let functions: Vec<u32> = account
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.execution_role.is_some())
            .map(|(i, _)| i as u32)
            .collect();
        let mut g = Graph {
            account,
            externals,
            states: Vec::new(),
            index: ahash::AHashMap::new(),
            actors: Vec::new(),
            edges: ahash::AHashMap::new(),
            steps: ahash::AHashMap::new(),
            trusts: ahash::AHashMap::new(),
            holders: holders_of(account),
            user_ids: Vec::new(),
            role_ids: Vec::new(),
            strings: ahash::AHashSet::new(),
            contexts: ahash::AHashMap::new(),
            contexts_hasher: ahash::RandomState::new(),
            empty_chosen: Arc::from(Vec::new()),
            decider: Decider::default(),
            trust_index,
            trust_by_account,
            roles_sorted: Sorted::new(
                account
                    .roles
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| !r.service_linked)
                    .map(|(i, r)| (r.arn.clone(), i as u32)),
            ),
            roles_all_sorted: Sorted::new(
                account
                    .roles
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.arn.clone(), i as u32)),
            ),
            delegating: ahash::AHashMap::new(),
            users_sorted: Sorted::new(
                account
                    .users
                    .iter()
                    .enumerate()
                    .map(|(i, u)| (u.arn.clone(), i as u32)),
            ),
            groups_sorted: Sorted::new(
                account
                    .groups
                    .iter()
                    .enumerate()
                    .map(|(i, g)| (g.arn.clone(), i as u32)),
            ),
            managed_sorted: Sorted::new(
                account
                    .managed
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| !crate::activity::is_aws_managed_arn(&m.arn))
                    .map(|(i, m)| (m.arn.clone(), i as u32)),
            ),
            functions_sorted: Sorted::new(functions.iter().filter_map(|i| {
                account
                    .resources
                    .get(*i as usize)
                    .map(|r| (r.arn.clone(), *i))
            })),
            service_trust: vec![[None, None]; account.roles.len()],
            admin: admin_policy(),
            undecided: Vec::new(),
            zone_accounts: zone.trusted_accounts(),
            functions,
            universes: vec![None; account.resources.len()],
            access_cache: ahash::AHashMap::new(),
        };
        g.intern_bases();
        g
    }

    pub(crate) fn intern(&mut self, key: StateKey) -> StateId {
        if let Some(id) = self.index.get(&key) {
            return *id;
        }
        let id = self.states.len() as StateId;
        self.states.push(key);
        self.index.insert(key, id);
        self.actors.push(None);
        id
    }

    pub(crate) fn key(&self, id: StateId) -> Option<StateKey> {
        self.states.get(id as usize).copied()
    }

    pub(crate) fn ident_of(base: Base) -> Option<Ident> {
        match base {
            Base::User(u) => Some(Ident::User(u)),
            Base::Role(r, _) => Some(Ident::Role(r)),
            Base::Ext(_) => None,
        }
    }

    fn facts_user(&self, u: u32) -> Vec<(String, ContextValue)> {
        let Some(user) = self.account.users.get(u as usize) else {
            return Vec::new();
        };
        let mut f = Vec::new();
        if !user.id.is_empty() {
            f.push(("aws:userid".into(), ContextValue::One(user.id.clone())));
        }
        for (k, v) in &user.tags {
            f.push((
                format!("aws:PrincipalTag/{k}"),
                ContextValue::One(v.clone()),
            ));
        }
        self.org_facts(&user.account, &mut f);
        f
    }

    fn facts_role(&self, r: u32, session: &str) -> Vec<(String, ContextValue)> {
        let Some(role) = self.account.roles.get(r as usize) else {
            return Vec::new();
        };
        let mut f = vec![(
            "aws:PrincipalArn".to_string(),
            ContextValue::One(role.arn.clone()),
        )];
        if !role.id.is_empty() {
            f.push((
                "aws:userid".into(),
                ContextValue::One(format!("{}:{session}", role.id)),
            ));
        }
        for (k, v) in &role.tags {
            f.push((
                format!("aws:PrincipalTag/{k}"),
                ContextValue::One(v.clone()),
            ));
        }
        self.org_facts(&role.account, &mut f);
        f
    }

    fn org_facts(&self, account: &str, f: &mut Vec<(String, ContextValue)>) {
        if let Some(o) = &self.account.zone.organization {
            if let Some(path) = o.accounts.get(account) {
                f.push(("aws:PrincipalOrgID".into(), ContextValue::One(o.id.clone())));
                if !path.is_empty() {
                    f.push((
                        "aws:PrincipalOrgPaths".into(),
                        ContextValue::Many(vec![path.clone()]),
                    ));
                }
            }
        }
    }

    fn caps_of(identity: &[Shared]) -> u32 {
        let mut caps = 0u32;
        for p in identity {
            for s in p.statements() {
                if s.effect != Effect::Allow {
                    continue;
                }
                for (i, a) in CAP_ACTIONS.iter().enumerate() {
                    if caps & (1 << i) == 0 {
                        let h = crate::policy::compile::service_hash(a);
                        if s.actions.matches_folded(a, h) {
                            caps |= 1 << i;
                        }
                    }
                }
            }
        }
        caps
    }

    fn extra_policies(&self, extra: Extra) -> Vec<Shared> {
        match extra {
            Extra::None => Vec::new(),
            Extra::Any => self.admin.clone().into_iter().collect(),
            Extra::Managed(m) => self
                .account
                .managed
                .get(m as usize)
                .and_then(|m| m.doc.clone())
                .into_iter()
                .collect(),
            Extra::Group(g) => self
                .account
                .groups
                .get(g as usize)
                .map(|g| g.policies.clone())
                .unwrap_or_default(),
        }
    }

    pub(crate) fn actor(&mut self, id: StateId) -> Option<Arc<Actor>> {
        if let Some(Some(a)) = self.actors.get(id as usize) {
            return Some(a.clone());
        }
        let key = self.key(id)?;
        let acct = self.account;
        let actor = match key.base {
            Base::Ext(e) => {
                let ext = self.externals.get(e as usize)?;
                let who = match ext {
                    External::Anyone => Who::Anyone { anonymous: false },
                    External::Account(a) => Who::Account(a.clone()),
                    External::Federated(p) => Who::Known {
                        caller: Caller::Federated {
                            provider: p.clone(),
                        },
                        external: true,
                    },
                };
                let caller = match &who {
                    Who::Known { caller, .. } => Some(Arc::new(caller.clone())),
                    _ => None,
                };
                Actor {
                    who,
                    caller,
                    identity: Arc::from(Vec::new()),
                    boundary: None,
                    facts: Arc::from(Vec::new()),
                    caps: 0,
                    principal_arn: None,
                    internal: false,
                    service_source: None,
                    free: 0,
                    free_assume: false,
                }
            }
            Base::User(u) => {
                let user = acct.users.get(u as usize)?;
                let mut identity = user.policies.clone();
                identity.extend(self.extra_policies(key.extra));
                let caller = Caller::User {
                    arn: user.arn.clone(),
                    account: user.account.clone(),
                    name: user.name.clone(),
                };
                Actor::internal(
                    caller,
                    identity,
                    user.boundary.clone(),
                    self.facts_user(u),
                    user.arn.clone(),
                )
            }
            Base::Role(r, s) => {
                let role = acct.roles.get(r as usize)?;
                let session = role
                    .sessions
                    .get(s as usize)
                    .cloned()
                    .unwrap_or_else(|| DEFAULT_SESSION.to_string());
                let mut identity = role.policies.clone();
                identity.extend(self.extra_policies(key.extra));
                let partition = &acct.partition;
                let caller = Caller::Role {
                    arn: format!(
                        "arn:{partition}:sts::{}:assumed-role/{}/{session}",
                        role.account, role.name
                    ),
                    role_arn: role.arn.clone(),
                    account: role.account.clone(),
                    role_name: role.name.clone(),
                    session_name: Some(session.clone()),
                };
                Actor::internal(
                    caller,
                    identity,
                    role.boundary.clone(),
                    self.facts_role(r, &session),
                    role.arn.clone(),
                )
            }
        };
        let mut actor = actor;
        if actor.internal {
            actor.free = free_mask(&actor.identity, actor.boundary.as_ref(), &acct.scp);
            actor.free_assume = free_assume(
                &actor.identity,
                actor.boundary.as_ref(),
                &acct.scp,
                &acct.rcp,
            );
        }
        let actor = Arc::new(actor);
        if let Some(slot) = self.actors.get_mut(id as usize) {
            *slot = Some(actor.clone());
        }
        Some(actor)
    }

    /// The witness of a request the actor may make whatever it says (see `Actor::free`): in
    /// its own account only.
    #[allow(clippy::too_many_arguments)]
    fn free_witness(
        &mut self,
        actor: &Actor,
        action: &str,
        resource: &str,
        resource_account: &str,
        fixed: &[(&str, &str)],
        resource_facts: &[(String, ContextValue)],
        resource_policy: Option<&Shared>,
    ) -> Option<Witness> {
        let caller = actor.caller.as_ref()?;
        if caller.account() != Some(resource_account) {
            return None;
        }
        let context = self.intern_context(fixed, resource_facts);
        let acct = self.account;
        Some(Witness {
            caller: caller.clone(),
            action: self.shared(action),
            resource: self.shared(resource),
            resource_account: self.shared(resource_account),
            facts: actor.facts.clone(),
            context,
            chosen: self.empty_chosen.clone(),
            identity: actor.identity.clone(),
            resource_policy: resource_policy.cloned(),
            boundary: actor.boundary.clone(),
            scp: acct.scp.clone(),
            rcp: acct.rcp.clone(),
            external: false,
        })
    }

    /// One shared copy of a string the witnesses of many hops hold.
    fn shared(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.strings.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.strings.insert(a.clone());
        a
    }

    /// One shared copy of a context (fixed values, then the resource's facts).
    fn intern_context(
        &mut self,
        fixed: &[(&str, &str)],
        facts: &[(String, ContextValue)],
    ) -> Arc<[(String, ContextValue)]> {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = self.contexts_hasher.build_hasher();
        for (k, v) in fixed {
            k.hash(&mut h);
            v.hash(&mut h);
        }
        0xffu8.hash(&mut h);
        for (k, v) in facts {
            k.hash(&mut h);
            v.hash(&mut h);
        }
        let key = h.finish();
        let same = |c: &[(String, ContextValue)]| {
            c.len() == fixed.len() + facts.len()
                && c.iter().zip(fixed.iter()).all(|((ck, cv), (k, v))| {
                    ck == k && matches!(cv, ContextValue::One(x) if x == v)
                })
                && c.iter()
                    .skip(fixed.len())
                    .zip(facts.iter())
                    .all(|(a, b)| a == b)
        };
        if let Some(found) = self
            .contexts
            .get(&key)
            .and_then(|list| list.iter().find(|c| same(c)))
        {
            return found.clone();
        }
        let mut v: Vec<(String, ContextValue)> = Vec::with_capacity(fixed.len() + facts.len());
        for (k, x) in fixed {
            v.push(((*k).to_string(), ContextValue::One((*x).to_string())));
        }
        v.extend(facts.iter().cloned());
        let arc: Arc<[(String, ContextValue)]> = Arc::from(v);
        self.contexts.entry(key).or_default().push(arc.clone());
        arc
    }

    /// Decide one request for an actor.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn ask(
        &mut self,
        actor: &Actor,
        action: &str,
        resource: &str,
        resource_account: &str,
        fixed: &[(&str, &str)],
        resource_facts: &[(String, ContextValue)],
        resource_policy: Option<&Shared>,
        iam_target: bool,
    ) -> Option<Witness> {
        let mut context = actor.facts.to_vec();
        for (k, v) in fixed {
            context.push(((*k).to_string(), ContextValue::One((*v).to_string())));
        }
        context.extend(resource_facts.iter().cloned());
        let prefixes: &[&'static str] = match (actor.internal, iam_target) {
            (true, true) => &["aws:principaltag/", "aws:resourcetag/", "iam:resourcetag/"],
            (true, false) => &["aws:principaltag/"],
            (false, true) => &["aws:resourcetag/", "iam:resourcetag/"],
            (false, false) => &[],
        };
        let acct = self.account;
        // Requests the actor's policies allow whatever they say: no evaluation to do.
        if actor.internal && resource_policy.is_none() && actor.free != 0 {
            let folded = action.to_ascii_lowercase();
            if CAP_ACTIONS
                .iter()
                .position(|a| *a == folded)
                .is_some_and(|i| actor.free & (1 << i) != 0)
            {
                if let Some(w) = self.free_witness(
                    actor,
                    action,
                    resource,
                    resource_account,
                    fixed,
                    resource_facts,
                    None,
                ) {
                    return Some(w);
                }
            }
        }
        let shapes: Vec<(&'static str, String)> = actor
            .service_source
            .iter()
            .map(|p| ("aws:sourcearn", p.clone()))
            .collect();
        let ask = Ask {
            who: actor.who.clone(),
            action,
            resource,
            resource_account,
            context,
            absent_prefixes: prefixes,
            identity: actor.identity.clone(),
            boundary: actor.boundary.as_ref(),
            resource_policy,
            scp: &acct.scp,
            rcp: &acct.rcp,
            zone_accounts: &self.zone_accounts,
            closed: actor
                .service_source
                .as_ref()
                .map(|_| &["aws:sourcearn"][..]),
            shapes: &shapes,
            outside_org: if actor.internal {
                None
            } else {
                acct.zone.organization.as_ref().map(|o| o.id.as_str())
            },
            partition: &acct.partition,
        };
        match self.decider.decide(&ask, acct.budget) {
            Answer::Allowed(w) => Some(*w),
            Answer::Denied => None,
            Answer::Undecided(why) => {
                if self.undecided.len() < 1000 && !self.undecided.contains(&why) {
                    self.undecided.push(why);
                }
                None
            }
        }
    }

    fn role_facts(&self, r: u32) -> Vec<(String, ContextValue)> {
        self.account
            .roles
            .get(r as usize)
            .map(|role| tag_facts(&role.tags))
            .unwrap_or_default()
    }

    fn user_facts(&self, u: u32) -> Vec<(String, ContextValue)> {
        self.account
            .users
            .get(u as usize)
            .map(|user| tag_facts(&user.tags))
            .unwrap_or_default()
    }

    /// Whether a service may assume the role (its trust policy allows the service principal).
    fn service_may_assume(&mut self, role: u32, which: usize) -> Option<Arc<Witness>> {
        if let Some(Some(cached)) = self
            .service_trust
            .get(role as usize)
            .map(|c| c.get(which).cloned().flatten())
        {
            return cached;
        }
        let service = pass_service(which);
        let r = self.account.roles.get(role as usize)?;
        let trust = r.trust.clone();
        let (arn, owner) = (r.arn.clone(), r.account.clone());
        let partition = &self.account.partition;
        // The service sets the request itself: the source account is the role's (a role can
        // only be passed within its account), the source the function or instance the path
        // made, and nothing else the caller could add.
        let source = if which == 0 {
            format!("arn:{partition}:lambda:*:{owner}:function:*")
        } else {
            format!("arn:{partition}:ec2:*:{owner}:instance/*")
        };
        let caller = Caller::Service {
            name: service.into(),
        };
        let actor = Actor {
            caller: Some(Arc::new(caller.clone())),
            who: Who::Known {
                caller,
                external: true,
            },
            identity: Arc::from(Vec::new()),
            boundary: None,
            facts: Arc::from(vec![(
                "aws:SourceAccount".to_string(),
                ContextValue::One(owner.clone()),
            )]),
            caps: 0,
            principal_arn: None,
            internal: false,
            service_source: Some(source),
            free: 0,
            free_assume: false,
        };
        let facts = self.role_facts(role);
        let w = match &trust {
            Some(t) => self
                .ask(
                    &actor,
                    "sts:AssumeRole",
                    &arn,
                    &owner,
                    &[],
                    &facts,
                    Some(t),
                    true,
                )
                .map(Arc::new),
            None => None,
        };
        if let Some(slot) = self
            .service_trust
            .get_mut(role as usize)
            .and_then(|c| c.get_mut(which))
        {
            *slot = Some(w.clone());
        }
        w
    }

    fn allow_statements<'p>(
        identity: &'p [Shared],
        action: &str,
    ) -> Vec<&'p crate::policy::compile::CompiledStatement> {
        let folded = action.to_ascii_lowercase();
        let h = crate::policy::compile::service_hash(&folded);
        identity
            .iter()
            .flat_map(|p| p.statements())
            .filter(|s| s.effect == Effect::Allow && s.actions.matches_folded(&folded, h))
            .collect()
    }

    /// Run `f` once per (actor, kind, target) and keep its hops.
    fn cached(
        &mut self,
        key: (StateId, HopKind, u32),
        f: impl FnOnce(&mut Self) -> Vec<HopData>,
    ) -> Arc<[Arc<HopData>]> {
        if let Some(h) = self.edges.get(&key) {
            return h.clone();
        }
        let hops: Arc<[Arc<HopData>]> = f(self).into_iter().map(Arc::new).collect();
        self.edges.insert(key, hops.clone());
        hops
    }

    /// The hops an actor can make to targets not yet `done`, decided on first use and cached
    /// for every later source.
    pub(crate) fn expand(&mut self, id: StateId, done: &Done<'_>, out: &mut Vec<Arc<HopData>>) {
        let (Some(actor), Some(key)) = (self.actor(id), self.key(id)) else {
            return;
        };
        self.assume_hops(id, key, &actor, done, out);
        if actor.internal {
            self.escalation_hops(id, &actor, done, out);
        }
    }

    fn role_states(&mut self, q: u32, _sessions: usize) -> Vec<StateId> {
        self.role_ids.get(q as usize).cloned().unwrap_or_default()
    }

    fn user_state(&mut self, u: u32) -> StateId {
        match self.user_ids.get(u as usize) {
            Some(id) => *id,
            None => self.intern(StateKey {
                base: Base::User(u),
                extra: Extra::None,
            }),
        }
    }

    fn role_state(&mut self, q: u32, s: u16) -> StateId {
        match self
            .role_ids
            .get(q as usize)
            .and_then(|v| v.get(s as usize))
        {
            Some(id) => *id,
            None => self.intern(StateKey {
                base: Base::Role(q, s),
                extra: Extra::None,
            }),
        }
    }

    /// Intern every user and role session up front, so that their ids are a table lookup.
    fn intern_bases(&mut self) {
        let acct = self.account;
        self.user_ids = (0..acct.users.len() as u32)
            .map(|u| {
                self.intern(StateKey {
                    base: Base::User(u),
                    extra: Extra::None,
                })
            })
            .collect();
        self.role_ids = acct
            .roles
            .iter()
            .enumerate()
            .map(|(q, r)| {
                (0..r.sessions.len())
                    .map(|s| {
                        self.intern(StateKey {
                            base: Base::Role(q as u32, s as u16),
                            extra: Extra::None,
                        })
                    })
                    .collect()
            })
            .collect();
    }

    fn assume_hops(
        &mut self,
        id: StateId,
        key: StateKey,
        actor: &Arc<Actor>,
        done: &Done<'_>,
        out: &mut Vec<Arc<HopData>>,
    ) {
        if done.left.roles == 0 {
            return;
        }
        let acct = self.account;
        let mut candidates: Vec<u32> = Vec::new();
        let mut take = |k: &TrustKey, index: &ahash::AHashMap<TrustKey, Vec<u32>>| {
            if let Some(v) = index.get(k) {
                candidates.extend(v.iter().copied());
            }
        };
        take(&TrustKey::Any, &self.trust_index);
        take(&TrustKey::Open, &self.trust_index);
        let mut kind = HopKind::AssumeRole;
        let mut action = "sts:AssumeRole";
        let mut delegated: Option<String> = None;
        match key.base {
            Base::Ext(e) => match self.externals.get(e as usize) {
                Some(External::Account(a)) => {
                    if let Some(v) = self.trust_by_account.get(a) {
                        candidates.extend(v.iter().copied());
                    }
                }
                Some(External::Federated(p)) => {
                    take(
                        &TrustKey::Federated(p.to_ascii_lowercase()),
                        &self.trust_index,
                    );
                    if p.contains(":saml-provider/") {
                        kind = HopKind::AssumeRoleWithSaml;
                        action = "sts:AssumeRoleWithSAML";
                    } else {
                        kind = HopKind::AssumeRoleWithWebIdentity;
                        action = "sts:AssumeRoleWithWebIdentity";
                    }
                }
                _ => {}
            },
            Base::User(u) => {
                if let Some(user) = acct.users.get(u as usize) {
                    take(&TrustKey::User(user.arn.clone()), &self.trust_index);
                    delegated = Some(user.account.clone());
                }
            }
            Base::Role(r, s) => {
                if let Some(role) = acct.roles.get(r as usize) {
                    take(
                        &TrustKey::Role(role.account.clone(), role.name.clone()),
                        &self.trust_index,
                    );
                    if let Some(sess) = role.sessions.get(s as usize) {
                        take(
                            &TrustKey::Session(format!(
                                "arn:{}:sts::{}:assumed-role/{}/{sess}",
                                acct.partition, role.account, role.name
                            )),
                            &self.trust_index,
                        );
                    }
                    delegated = Some(role.account.clone());
                }
            }
        }
        // Trust policies that delegate to the caller's account need its identity policies to
        // allow too: only the roles those policies name are candidates.
        if let (Some(home), true) = (delegated, actor.can(C_ASSUME)) {
            if let Some(bucket) = self.trust_index.get(&TrustKey::Account(home.clone())) {
                let stmts = Self::allow_statements(&actor.identity, "sts:AssumeRole");
                if self.roles_all_sorted.matching_all(&stmts) {
                    candidates.extend(bucket.iter().copied());
                } else {
                    let matched = self.roles_all_sorted.matching(&stmts);
                    let delegating = self.delegating.entry(home).or_insert_with(|| {
                        let mut v = vec![false; acct.roles.len()];
                        for q in bucket {
                            if let Some(b) = v.get_mut(*q as usize) {
                                *b = true;
                            }
                        }
                        v
                    });
                    candidates.extend(
                        matched
                            .into_iter()
                            .filter(|q| delegating.get(*q as usize).copied().unwrap_or(false)),
                    );
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        for q in candidates {
            let Some(role) = acct.roles.get(q as usize) else {
                continue;
            };
            let states = self.role_states(q, role.sessions.len());
            if states.iter().all(|t| *t == id || done.state(*t)) {
                continue;
            }
            let hops = self.cached((id, kind, q), |g| {
                let mut v = Vec::new();
                let Some(trust) = role.trust.clone() else {
                    return v;
                };
                let facts = g.role_facts(q);
                for (sess, to) in role.sessions.iter().zip(&states) {
                    if *to == id {
                        continue;
                    }
                    let fixed = [("sts:RoleSessionName", sess.as_str())];
                    if let Some(w) = g.ask(
                        actor,
                        action,
                        &role.arn,
                        &role.account,
                        &fixed,
                        &facts,
                        Some(&trust),
                        true,
                    ) {
                        v.push(HopData {
                            actor: id,
                            kind,
                            target: Target::State(*to),
                            requests: vec![w],
                        });
                    }
                }
                v
            });
            done.keep(&hops, out);
        }
    }

    fn escalation_hops(
        &mut self,
        id: StateId,
        actor: &Arc<Actor>,
        done: &Done<'_>,
        out: &mut Vec<Arc<HopData>>,
    ) {
        let acct = self.account;
        let region = acct.region.clone();
        // IAM has no resource-based policies: its actions reach only the caller's own account.
        let home = match &actor.who {
            Who::Known { caller, .. } => caller.account().unwrap_or_default().to_string(),
            _ => return,
        };
        let left = done.left;
        // Credentials of users.
        for (cap, action, kind) in [
            (C_KEY, "iam:CreateAccessKey", HopKind::CreateAccessKey),
            (
                C_CREATE_LOGIN,
                "iam:CreateLoginProfile",
                HopKind::CreateLoginProfile,
            ),
            (
                C_UPDATE_LOGIN,
                "iam:UpdateLoginProfile",
                HopKind::UpdateLoginProfile,
            ),
        ] {
            if !actor.can(cap) || left.users == 0 {
                continue;
            }
            let stmts = Self::allow_statements(&actor.identity, action);
            for (u, user) in self
                .users_sorted
                .matching_in(&stmts, &acct.users, |u| u.account == home)
            {
                let to = self.user_state(u);
                if to == id || done.state(to) {
                    continue;
                }
                let hops = self.cached((id, kind, u), |g| {
                    let facts = g.user_facts(u);
                    let w = g.ask(
                        actor,
                        action,
                        &user.arn,
                        &user.account,
                        &[],
                        &facts,
                        None,
                        true,
                    );
                    state_hop(id, kind, to, w)
                });
                done.keep(&hops, out);
            }
        }
        // Rewriting a role's trust policy.
        if actor.can(C_TRUST) && left.open_roles > 0 {
            let stmts = Self::allow_statements(&actor.identity, "iam:UpdateAssumeRolePolicy");
            for (q, role) in self
                .roles_sorted
                .matching_in(&stmts, &acct.roles, |r| r.account == home)
            {
                let states = self.role_states(q, role.sessions.len());
                if states.iter().all(|t| *t == id || done.state(*t)) {
                    continue;
                }
                let hops = self.cached((id, HopKind::UpdateAssumeRolePolicy, q), |g| {
                    let mut v = Vec::new();
                    let facts = g.role_facts(q);
                    let Some(w1) = g.ask(
                        actor,
                        "iam:UpdateAssumeRolePolicy",
                        &role.arn,
                        &role.account,
                        &[],
                        &facts,
                        None,
                        true,
                    ) else {
                        return v;
                    };
                    let Some(new_trust) = actor
                        .principal_arn
                        .as_deref()
                        .and_then(|p| g.trust_naming(p))
                    else {
                        return v;
                    };
                    for (sess, to) in role.sessions.iter().zip(&states) {
                        if *to == id {
                            continue;
                        }
                        let fixed = [("sts:RoleSessionName", sess.as_str())];
                        let free = if actor.free_assume {
                            g.free_witness(
                                actor,
                                "sts:AssumeRole",
                                &role.arn,
                                &role.account,
                                &fixed,
                                &facts,
                                Some(&new_trust),
                            )
                        } else {
                            None
                        };
                        let w2 = match free {
                            Some(w) => Some(w),
                            None => g.ask(
                                actor,
                                "sts:AssumeRole",
                                &role.arn,
                                &role.account,
                                &fixed,
                                &facts,
                                Some(&new_trust),
                                true,
                            ),
                        };
                        if let Some(w2) = w2 {
                            v.push(HopData {
                                actor: id,
                                kind: HopKind::UpdateAssumeRolePolicy,
                                target: Target::State(*to),
                                requests: vec![w1.clone(), w2],
                            });
                        }
                    }
                    v
                });
                done.keep(&hops, out);
            }
        }
        // Passing a role to a service that runs code.
        let open = left.open_roles > 0;
        let lambda = open && actor.can(C_PASS) && actor.can(C_CREATE_FN) && actor.can(C_INVOKE_FN);
        let ec2 = open && actor.can(C_PASS) && actor.can(C_RUN);
        if lambda || ec2 {
            let stmts = Self::allow_statements(&actor.identity, "iam:PassRole");
            for (q, role) in self
                .roles_sorted
                .matching_in(&stmts, &acct.roles, |r| r.account == home)
            {
                let to = self.role_state(q, 0);
                if to == id || done.state(to) {
                    continue;
                }
                for (which, wanted, kind) in [
                    (0usize, lambda, HopKind::PassRoleToLambda),
                    (1usize, ec2, HopKind::PassRoleToEc2),
                ] {
                    if !wanted {
                        continue;
                    }
                    let hops = self.cached((id, kind, q), |g| {
                        let Some(svc) = g.service_may_assume(q, which) else {
                            return Vec::new();
                        };
                        let service = pass_service(which);
                        let facts = g.role_facts(q);
                        let Some(pass) = g.ask(
                            actor,
                            "iam:PassRole",
                            &role.arn,
                            &role.account,
                            &[("iam:PassedToService", service)],
                            &facts,
                            None,
                            true,
                        ) else {
                            return Vec::new();
                        };
                        // The function or instance is made in the actor's account (`home`).
                        let Some(steps) = g.service_steps(id, actor, which, &home, &region) else {
                            return Vec::new();
                        };
                        let mut requests = vec![pass];
                        requests.extend(steps.iter().cloned());
                        requests.push((*svc).clone());
                        vec![HopData {
                            actor: id,
                            kind,
                            target: Target::State(to),
                            requests,
                        }]
                    });
                    done.keep(&hops, out);
                }
            }
        }
        // New code for a function that runs as a role (its resource policy may grant too).
        let functions: Vec<u32> = if left.open_roles == 0 {
            Vec::new()
        } else {
            // Functions with a resource policy (already in index order), and those the actor's
            // own policies may name.
            let mut f: Vec<u32> = self
                .functions
                .iter()
                .copied()
                .filter(|i| {
                    acct.resources
                        .get(*i as usize)
                        .is_some_and(|r| r.policy.is_some())
                })
                .collect();
            if actor.can(C_UPDATE_CODE) {
                let stmts = Self::allow_statements(&actor.identity, "lambda:UpdateFunctionCode");
                f.extend(self.functions_sorted.matching(&stmts));
                f.sort_unstable();
                f.dedup();
            }
            f
        };
        for fi in functions {
            let Some(f) = acct.resources.get(fi as usize) else {
                continue;
            };
            let Some(q) = f.execution_role else { continue };
            let to = self.role_state(q, 0);
            if to == id || done.state(to) {
                continue;
            }
            let hops = self.cached((id, HopKind::UpdateFunctionCode, fi), |g| {
                let w = g.ask(
                    actor,
                    "lambda:UpdateFunctionCode",
                    &f.arn,
                    &f.owner,
                    &[],
                    &[],
                    f.policy.as_ref(),
                    false,
                );
                state_hop(id, HopKind::UpdateFunctionCode, to, w)
            });
            done.keep(&hops, out);
        }
        // Policies added to roles and users.
        for (cap, action, kind, roles) in [
            (
                C_PUT_ROLE,
                "iam:PutRolePolicy",
                HopKind::PutRolePolicy,
                true,
            ),
            (
                C_ATTACH_ROLE,
                "iam:AttachRolePolicy",
                HopKind::AttachRolePolicy,
                true,
            ),
            (
                C_PUT_USER,
                "iam:PutUserPolicy",
                HopKind::PutUserPolicy,
                false,
            ),
            (
                C_ATTACH_USER,
                "iam:AttachUserPolicy",
                HopKind::AttachUserPolicy,
                false,
            ),
        ] {
            let open = if roles {
                left.unmodified_roles
            } else {
                left.unmodified_users
            };
            if !actor.can(cap) || open == 0 {
                continue;
            }
            let stmts = Self::allow_statements(&actor.identity, action);
            let targets = if roles {
                self.roles_sorted.matching(&stmts)
            } else {
                self.users_sorted.matching(&stmts)
            };
            for t in targets {
                let ident = if roles {
                    Ident::Role(t)
                } else {
                    Ident::User(t)
                };
                let same = if roles {
                    acct.roles
                        .get(t as usize)
                        .is_some_and(|r| r.account == home)
                } else {
                    acct.users
                        .get(t as usize)
                        .is_some_and(|u| u.account == home)
                };
                if !same || done.modified(ident) {
                    continue;
                }
                let hops = self.cached((id, kind, t), |g| {
                    let (arn, owner, facts, attached) = if roles {
                        let Some(r) = acct.roles.get(t as usize) else {
                            return Vec::new();
                        };
                        (
                            r.arn.clone(),
                            r.account.clone(),
                            g.role_facts(t),
                            r.managed.clone(),
                        )
                    } else {
                        let Some(u) = acct.users.get(t as usize) else {
                            return Vec::new();
                        };
                        (
                            u.arn.clone(),
                            u.account.clone(),
                            g.user_facts(t),
                            u.managed.clone(),
                        )
                    };
                    g.policy_hops(
                        id,
                        actor,
                        action,
                        kind,
                        &arn,
                        &owner,
                        &facts,
                        &attached,
                        &[ident],
                    )
                });
                done.keep(&hops, out);
            }
        }
        // Group policies reach every member.
        for (cap, action, kind) in [
            (C_PUT_GROUP, "iam:PutGroupPolicy", HopKind::PutGroupPolicy),
            (
                C_ATTACH_GROUP,
                "iam:AttachGroupPolicy",
                HopKind::AttachGroupPolicy,
            ),
        ] {
            if !actor.can(cap) || left.unmodified_users == 0 {
                continue;
            }
            let stmts = Self::allow_statements(&actor.identity, action);
            for (g, group) in self.groups_sorted.matching_in(&stmts, &acct.groups, |g| {
                crate::arn::account_in(&g.arn) == Some(home.as_str())
            }) {
                let members: Vec<Ident> = group.members.iter().map(|u| Ident::User(*u)).collect();
                if members.iter().all(|m| done.modified(*m)) {
                    continue;
                }
                // The group is in `home` (checked above).
                let hops = self.cached((id, kind, g), |gr| {
                    gr.policy_hops(
                        id,
                        actor,
                        action,
                        kind,
                        &group.arn,
                        &home,
                        &[],
                        &group.managed,
                        &members,
                    )
                });
                done.keep(&hops, out);
            }
        }
        // Joining a group.
        if actor.can(C_ADD_TO_GROUP) && left.unmodified_users > 0 {
            let stmts = Self::allow_statements(&actor.identity, "iam:AddUserToGroup");
            for (g, group) in self.groups_sorted.matching_in(&stmts, &acct.groups, |g| {
                crate::arn::account_in(&g.arn) == Some(home.as_str())
            }) {
                let joiners: Vec<u32> = acct
                    .users
                    .iter()
                    .enumerate()
                    .filter(|(_, u)| !u.groups.contains(&g) && u.account == home)
                    .map(|(i, _)| i as u32)
                    .collect();
                if joiners
                    .iter()
                    .all(|u| done.modified_with(Ident::User(*u), Extra::Group(g)))
                {
                    continue;
                }
                let hops = self.cached((id, HopKind::AddUserToGroup, g), |gr| {
                    let Some(w) = gr.ask(
                        actor,
                        "iam:AddUserToGroup",
                        &group.arn,
                        &home,
                        &[],
                        &[],
                        None,
                        true,
                    ) else {
                        return Vec::new();
                    };
                    modify_hops(
                        id,
                        HopKind::AddUserToGroup,
                        &w,
                        joiners.iter().map(|u| Ident::User(*u)),
                        Extra::Group(g),
                    )
                });
                done.keep(&hops, out);
            }
        }
        // A new default version of a managed policy reaches every principal it is attached to.
        if actor.can(C_POLICY_VERSION) && left.unmodified_users + left.unmodified_roles > 0 {
            let stmts = Self::allow_statements(&actor.identity, "iam:CreatePolicyVersion");
            for (m, policy) in self.managed_sorted.matching_in(&stmts, &acct.managed, |p| {
                crate::arn::account_in(&p.arn) == Some(home.as_str())
            }) {
                let Some(holders) = self.holders.get(m as usize).cloned() else {
                    continue;
                };
                if holders.iter().all(|h| done.modified(*h)) {
                    continue;
                }
                let hops = self.cached((id, HopKind::CreatePolicyVersion, m), |g| {
                    // The policy is in `home` (checked above).
                    let Some(w) = g.ask(
                        actor,
                        "iam:CreatePolicyVersion",
                        &policy.arn,
                        &home,
                        &[],
                        &[],
                        None,
                        false,
                    ) else {
                        return Vec::new();
                    };
                    modify_hops(
                        id,
                        HopKind::CreatePolicyVersion,
                        &w,
                        holders.iter().copied(),
                        Extra::Any,
                    )
                });
                done.keep(&hops, out);
            }
        }
    }

    /// The service steps of passing a role (create and invoke a function, or run an instance),
    /// which do not depend on the role: decided once per actor.
    fn service_steps(
        &mut self,
        id: StateId,
        actor: &Actor,
        which: usize,
        account_id: &str,
        region: &str,
    ) -> Option<Arc<[Witness]>> {
        if let Some(s) = self.steps.get(&(id, which as u8)) {
            return s.clone();
        }
        let partition = self.account.partition.clone();
        // The requests of each service in order (create and invoke a function, or run an
        // instance), and where its ARNs start; the ARNs to try come from the grants of the first.
        let (actions, default, prefix): (&[&str], String, String) = if which == 0 {
            (
                &["lambda:CreateFunction", "lambda:InvokeFunction"],
                format!("arn:{partition}:lambda:{region}:{account_id}:function:perimeter-reach"),
                format!("arn:{partition}:lambda:"),
            )
        } else {
            (
                &["ec2:RunInstances"],
                format!("arn:{partition}:ec2:{region}:{account_id}:instance/i-0perimeterreach"),
                format!("arn:{partition}:ec2:"),
            )
        };
        let grants = actions
            .first()
            .map(|a| Self::allow_statements(&actor.identity, a))
            .unwrap_or_default();
        let arns = candidate_arns(&grants, &default, &prefix);
        let mut found: Option<Arc<[Witness]>> = None;
        for arn in &arns {
            // Every request on the same ARN, asked in order: the first one denied moves on to
            // the next ARN without asking the rest.
            let mut requests = Vec::with_capacity(actions.len());
            for a in actions {
                match self.ask(actor, a, arn, account_id, &[], &[], None, false) {
                    Some(w) => requests.push(w),
                    None => break,
                }
            }
            if requests.len() == actions.len() {
                found = Some(Arc::from(requests));
                break;
            }
        }
        self.steps.insert((id, which as u8), found.clone());
        found
    }

    /// A trust policy that lets one principal assume a role (what `iam:UpdateAssumeRolePolicy`
    /// writes), compiled once per principal.
    fn trust_naming(&mut self, principal_arn: &str) -> Option<Shared> {
        if let Some(t) = self.trusts.get(principal_arn) {
            return Some(t.clone());
        }
        let t = trust_naming(principal_arn)?;
        self.trusts.insert(principal_arn.to_string(), t.clone());
        Some(t)
    }

    /// Hops that add a policy to `idents` through `action` on `arn`: an inline policy (any
    /// content), `AdministratorAccess`, or else each managed policy the conditions allow.
    #[allow(clippy::too_many_arguments)]
    fn policy_hops(
        &mut self,
        id: StateId,
        actor: &Actor,
        action: &str,
        kind: HopKind,
        arn: &str,
        owner: &str,
        facts: &[(String, ContextValue)],
        attached: &[u32],
        idents: &[Ident],
    ) -> Vec<HopData> {
        let attach = action.contains("Attach");
        let admin_arn = format!(
            "arn:{}:iam::aws:policy/AdministratorAccess",
            self.account.partition
        );
        let mut results: Vec<(Extra, Witness)> = Vec::new();
        if !attach {
            if let Some(w) = self.ask(actor, action, arn, owner, &[], facts, None, true) {
                results.push((Extra::Any, w));
            }
        } else if let Some(w) = self.ask(
            actor,
            action,
            arn,
            owner,
            &[("iam:PolicyARN", &admin_arn)],
            facts,
            None,
            true,
        ) {
            results.push((Extra::Any, w));
        } else if mentions_key(actor, "iam:policyarn", &self.account.scp) {
            // Only a condition on the policy can make another policy attachable.
            let acct = self.account;
            for (m, policy) in acct.managed.iter().enumerate() {
                if policy.doc.is_none() || attached.contains(&(m as u32)) {
                    continue;
                }
                if let Some(w) = self.ask(
                    actor,
                    action,
                    arn,
                    owner,
                    &[("iam:PolicyARN", &policy.arn)],
                    facts,
                    None,
                    true,
                ) {
                    results.push((Extra::Managed(m as u32), w));
                }
            }
        }
        let mut out = Vec::new();
        for (extra, w) in results {
            out.extend(modify_hops(id, kind, &w, idents.iter().copied(), extra));
        }
        out
    }

    /// The closure from one source: every state reached with how it was first reached, in the
    /// order found (breadth first).
    pub(crate) fn closure(&mut self, source: StateId) -> Vec<(StateId, Via)> {
        let acct = self.account;
        let mut c = Closure {
            reached: Vec::new(),
            member: Vec::new(),
            queue: VecDeque::new(),
            pending: ahash::AHashMap::new(),
            held: ahash::AHashMap::new(),
            modified: ahash::AHashSet::new(),
            left: Left {
                roles: acct.roles.iter().map(|r| r.sessions.len()).sum(),
                open_roles: acct
                    .roles
                    .iter()
                    .filter(|r| !r.service_linked)
                    .map(|r| r.sessions.len())
                    .sum(),
                users: acct.users.len(),
                unmodified_roles: acct.roles.iter().filter(|r| !r.service_linked).count(),
                unmodified_users: acct.users.len(),
            },
        };
        c.add(self, source, Via::Start);
        let mut hops: Vec<Arc<HopData>> = Vec::new();
        while let Some(x) = c.queue.pop_front() {
            hops.clear();
            {
                let done = Done {
                    seen: &c.member,
                    pending: &c.pending,
                    left: c.left,
                    gained: Default::default(),
                    gained_any: Default::default(),
                };
                self.expand(x, &done, &mut hops);
            }
            for hop in &hops {
                match hop.target {
                    Target::State(t) => {
                        c.add(
                            self,
                            t,
                            Via::Hop {
                                hop: hop.clone(),
                                also: None,
                            },
                        );
                    }
                    Target::Modify { ident, extra } => {
                        let list = c.pending.entry(ident).or_default();
                        if list.iter().any(|(e, _)| *e == extra || *e == Extra::Any) {
                            continue;
                        }
                        list.push((extra, hop.clone()));
                        if extra == Extra::Any && c.modified.insert(ident) {
                            match ident {
                                Ident::Role(q) => {
                                    if acct
                                        .roles
                                        .get(q as usize)
                                        .is_some_and(|r| !r.service_linked)
                                    {
                                        c.left.unmodified_roles =
                                            c.left.unmodified_roles.saturating_sub(1);
                                    }
                                }
                                Ident::User(_) => {
                                    c.left.unmodified_users =
                                        c.left.unmodified_users.saturating_sub(1)
                                }
                            }
                        }
                        let bases = c.held.get(&ident).cloned().unwrap_or_default();
                        for b in bases {
                            if let Some(k) = self.key(b) {
                                let t = self.intern(StateKey {
                                    base: k.base,
                                    extra,
                                });
                                c.add(
                                    self,
                                    t,
                                    Via::Hop {
                                        hop: hop.clone(),
                                        also: Some(b),
                                    },
                                );
                            }
                        }
                    }
                }
            }
        }
        c.reached
    }
}

/// The working state of one closure.
struct Closure {
    reached: Vec<(StateId, Via)>,
    /// Whether each state (by id) is reached.
    member: Vec<bool>,
    queue: VecDeque<StateId>,
    /// Policies added to a user or role, waiting for a held state of it.
    pending: ahash::AHashMap<Ident, Vec<(Extra, Arc<HopData>)>>,
    /// Held states without added policies, by user or role.
    held: ahash::AHashMap<Ident, Vec<StateId>>,
    /// Users and roles with a policy of the path's choosing.
    modified: ahash::AHashSet<Ident>,
    left: Left,
}

impl Closure {
    /// Reach a state (if new), with the policies waiting for it.
    fn add(&mut self, g: &mut Graph<'_>, t: StateId, via: Via) {
        let i = t as usize;
        if self.member.len() <= i {
            self.member.resize(i + 1, false);
        }
        match self.member.get_mut(i) {
            Some(m) if !*m => *m = true,
            _ => return,
        }
        self.reached.push((t, via));
        self.queue.push_back(t);
        let Some(k) = g.key(t) else { return };
        if k.extra != Extra::None {
            return;
        }
        match k.base {
            Base::Role(q, _) => {
                self.left.roles = self.left.roles.saturating_sub(1);
                if g.account
                    .roles
                    .get(q as usize)
                    .is_some_and(|r| !r.service_linked)
                {
                    self.left.open_roles = self.left.open_roles.saturating_sub(1);
                }
            }
            Base::User(_) => self.left.users = self.left.users.saturating_sub(1),
            Base::Ext(_) => {}
        }
        let Some(ident) = Graph::ident_of(k.base) else {
            return;
        };
        self.held.entry(ident).or_default().push(t);
        let waiting = self.pending.get(&ident).cloned().unwrap_or_default();
        for (extra, hop) in waiting {
            let e = g.intern(StateKey {
                base: k.base,
                extra,
            });
            self.add(g, e, Via::Hop { hop, also: Some(t) });
        }
    }
}

/// The hop of `actor` to the state `to` on one request, if the request is allowed: the same for
/// every hop that needs a single request and reaches a single state.
fn state_hop(actor: StateId, kind: HopKind, to: StateId, request: Option<Witness>) -> Vec<HopData> {
    request
        .map(|w| HopData {
            actor,
            kind,
            target: Target::State(to),
            requests: vec![w],
        })
        .into_iter()
        .collect()
}

/// The hops of `actor` that add `extra` to each of `idents` (in their order), all on the same
/// allowed request: one request to a group or a managed policy reaches everyone who has it.
fn modify_hops(
    actor: StateId,
    kind: HopKind,
    request: &Witness,
    idents: impl IntoIterator<Item = Ident>,
    extra: Extra,
) -> Vec<HopData> {
    idents
        .into_iter()
        .map(|ident| HopData {
            actor,
            kind,
            target: Target::Modify { ident, extra },
            requests: vec![request.clone()],
        })
        .collect()
}

/// A trust policy that lets one principal assume the role (what `iam:UpdateAssumeRolePolicy`
/// writes).
pub(crate) fn trust_naming(principal_arn: &str) -> Option<Shared> {
    let v = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "sts:AssumeRole"}]});
    super::account::compile_named(&v, "trust policy written by the path").ok()
}

/// ARNs to try for a resource the path creates: a default, then one per `Resource` pattern of
/// the statements that grant the creation (wildcards filled in).
fn candidate_arns(
    statements: &[&crate::policy::compile::CompiledStatement],
    default: &str,
    service_prefix: &str,
) -> Vec<String> {
    let mut out = vec![default.to_string()];
    for s in statements {
        let Some(m) = &s.resources else { continue };
        if m.negated {
            continue;
        }
        for e in &m.entries {
            if let crate::policy::compile::ResourceEntry::Pattern(p) = e {
                let t = p.as_str();
                if !t.starts_with(service_prefix) {
                    continue;
                }
                let filled: String = t
                    .chars()
                    .map(|c| match c {
                        '*' => 'x',
                        '?' => 'x',
                        c => c,
                    })
                    .collect();
                if !out.contains(&filled) && out.len() < 16 {
                    out.push(filled);
                }
            }
        }
    }
    out
}

/// The requests of one resource, prepared once: each (action, resource ARN) of its universe as
/// a request, and which of the resource-side statements (resource policy, RCPs) match it.
#[derive(Debug)]
pub(crate) struct Universe {
    pub(crate) requests: Vec<crate::eval::Request>,
    /// The distinct resource ARNs of the requests.
    arns: Vec<String>,
    /// The hash of the service prefix of the actions (`policy::compile::service_hash`).
    service: u64,
    /// The number of distinct actions.
    pub(crate) actions: usize,
    /// The parts below the resource (an object of a bucket, a version of a function): the
    /// prefix of their ARNs and the actions that act on them.
    subs: Vec<(String, Vec<String>)>,
    /// Per request: indices of the resource-side statements whose action and resource match.
    resource_side: Vec<Vec<u32>>,
}

/// The actions a state has on a resource, by group of requests that the same statements decide.
#[derive(Clone, Debug)]
pub(crate) struct AccessGroup {
    pub(crate) actions: Vec<String>,
    pub(crate) witness: Witness,
}

impl Graph<'_> {
    pub(crate) fn universe(&mut self, r: u32) -> Option<Arc<Universe>> {
        if let Some(Some(u)) = self.universes.get(r as usize) {
            return Some(u.clone());
        }
        let res = self.account.resources.get(r as usize)?;
        let pairs = crate::analyze::action_arns(res.resource_type, &res.arn);
        let mut statements: Vec<&crate::policy::compile::CompiledStatement> = Vec::new();
        if let Some(p) = &res.policy {
            statements.extend(p.statements());
        }
        statements.extend(
            self.account
                .rcp
                .iter()
                .flatten()
                .flat_map(|p| p.statements()),
        );
        // Parts below the resource are probed at a default name, and at one name per pattern
        // of the resource policy that lies below it.
        let mut subs: Vec<(String, Vec<String>)> = Vec::new();
        for (action, arn) in &pairs {
            let Some(prefix) = arn.strip_suffix(SUB_NAME) else {
                continue;
            };
            if arn == &res.arn {
                continue;
            }
            match subs.iter_mut().find(|(p, _)| p == prefix) {
                Some((_, acts)) => acts.push(action.clone()),
                None => subs.push((prefix.to_string(), vec![action.clone()])),
            }
        }
        let probes = below_probes(&statements, &subs);
        let mut all_pairs = pairs.clone();
        for (prefix, acts) in &subs {
            for e in probes.iter().filter(|e| e.starts_with(prefix.as_str())) {
                for a in acts {
                    all_pairs.push((a.clone(), e.clone()));
                }
            }
        }
        let mut requests = Vec::with_capacity(all_pairs.len());
        let mut resource_side = Vec::with_capacity(all_pairs.len());
        for (action, arn) in all_pairs {
            let req = crate::eval::Request::builder(Caller::Anonymous, &action, &arn)
                .resource_account(&res.owner)
                .build();
            resource_side.push(
                statements
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| crate::eval::action_resource_match(s, &req))
                    .map(|(i, _)| i as u32)
                    .collect(),
            );
            requests.push(req);
        }
        let mut arns: Vec<String> = requests.iter().map(|q| q.resource().to_string()).collect();
        arns.sort();
        arns.dedup();
        let mut names: Vec<&str> = requests.iter().map(|q| q.action()).collect();
        names.sort_unstable();
        names.dedup();
        let actions = names.len();
        let service = requests
            .first()
            .map(|q| crate::policy::compile::service_hash(&q.action().to_ascii_lowercase()))
            .unwrap_or(0);
        let u = Arc::new(Universe {
            requests,
            resource_side,
            arns,
            service,
            actions,
            subs,
        });
        if let Some(slot) = self.universes.get_mut(r as usize) {
            *slot = Some(u.clone());
        }
        Some(u)
    }

    /// What a state can do to a resource of the list (cached per state and resource).
    pub(crate) fn access(&mut self, id: StateId, r: u32) -> Arc<[AccessGroup]> {
        if let Some(a) = self.access_cache.get(&(id, r)) {
            return a.clone();
        }
        let groups = self.compute_access(id, r).unwrap_or_default();
        let arc: Arc<[AccessGroup]> = groups.into();
        self.access_cache.insert((id, r), arc.clone());
        arc
    }

    fn compute_access(&mut self, id: StateId, r: u32) -> Option<Vec<AccessGroup>> {
        let actor = self.actor(id)?;
        // An identity provider only vouches for callers of `sts:AssumeRoleWith…`: it calls
        // nothing else itself.
        if actor
            .caller
            .as_ref()
            .is_some_and(|c| matches!(**c, Caller::Federated { .. }))
        {
            return Some(Vec::new());
        }
        let universe = self.universe(r)?;
        let acct = self.account;
        let res = acct.resources.get(r as usize)?;
        // The caller-side statements (identity, boundary, SCPs) that can touch this resource.
        let mut mine: Vec<(&crate::policy::compile::CompiledStatement, bool)> = Vec::new();
        if actor.internal {
            for p in actor.identity.iter() {
                for s in p.statements() {
                    if touches(s, &universe) {
                        mine.push((s, s.effect == Effect::Allow));
                    }
                }
            }
            // Boundaries and SCPs only limit: their statements split groups, never open one.
            for p in actor.boundary.iter().chain(acct.scp.iter().flatten()) {
                for s in p.statements() {
                    if touches(s, &universe) {
                        mine.push((s, false));
                    }
                }
            }
        }
        let resource_allows: Vec<bool> = res
            .policy
            .iter()
            .flat_map(|p| p.statements())
            .map(|s| s.effect == Effect::Allow)
            .chain(
                acct.rcp
                    .iter()
                    .flatten()
                    .flat_map(|p| p.statements())
                    .map(|_| false),
            )
            .collect();
        if !mine.iter().any(|(_, allow)| *allow) && !resource_allows.iter().any(|a| *a) {
            return Some(Vec::new());
        }
        // Parts below the resource that the caller's own statements name.
        let mine_statements: Vec<&crate::policy::compile::CompiledStatement> =
            mine.iter().filter(|(_, a)| *a).map(|(s, _)| *s).collect();
        let resource_statements: Vec<&crate::policy::compile::CompiledStatement> = res
            .policy
            .iter()
            .flat_map(|p| p.statements())
            .chain(acct.rcp.iter().flatten().flat_map(|p| p.statements()))
            .collect();
        let mut extra: Vec<(crate::eval::Request, Vec<u32>)> = Vec::new();
        for e in below_probes(&mine_statements, &universe.subs) {
            if universe.arns.contains(&e) {
                continue;
            }
            for (prefix, acts) in &universe.subs {
                if !e.starts_with(prefix.as_str()) {
                    continue;
                }
                for a in acts {
                    let req = crate::eval::Request::builder(Caller::Anonymous, a, &e)
                        .resource_account(&res.owner)
                        .build();
                    let sig: Vec<u32> = resource_statements
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| crate::eval::action_resource_match(s, &req))
                        .map(|(i, _)| i as u32)
                        .collect();
                    extra.push((req, sig));
                }
            }
        }
        let requests: Vec<(&crate::eval::Request, &[u32])> = universe
            .requests
            .iter()
            .zip(universe.resource_side.iter().map(Vec::as_slice))
            .chain(extra.iter().map(|(q, s)| (q, s.as_slice())))
            .collect();
        let mut groups: Vec<(Vec<u32>, Vec<u32>, Vec<usize>)> = Vec::new();
        for (qi, (q, sig_res)) in requests.iter().enumerate() {
            let mut sig_mine: Vec<u32> = Vec::new();
            for (i, (s, _)) in mine.iter().enumerate() {
                if crate::eval::action_resource_match(s, q) {
                    sig_mine.push(i as u32);
                }
            }
            let sig_res = sig_res.to_vec();
            let may_allow = sig_mine
                .iter()
                .any(|i| mine.get(*i as usize).is_some_and(|(_, a)| *a))
                || sig_res
                    .iter()
                    .any(|i| resource_allows.get(*i as usize).copied().unwrap_or(false));
            if !may_allow {
                continue;
            }
            match groups
                .iter_mut()
                .find(|(m, rs, _)| *m == sig_mine && *rs == sig_res)
            {
                Some((_, _, members)) => members.push(qi),
                None => groups.push((sig_mine, sig_res, vec![qi])),
            }
        }
        let mut out = Vec::new();
        for (_, _, members) in groups {
            let Some((first, _)) = members.first().and_then(|i| requests.get(*i)) else {
                continue;
            };
            let (action, arn) = (first.action().to_string(), first.resource().to_string());
            let policy = res.policy.clone();
            let owner = res.owner.clone();
            if let Some(w) = self.ask(
                &actor,
                &action,
                &arn,
                &owner,
                &[],
                &[],
                policy.as_ref(),
                false,
            ) {
                let mut actions: Vec<String> = members
                    .iter()
                    .filter_map(|i| requests.get(*i).map(|(q, _)| q.action().to_string()))
                    .collect();
                actions.sort();
                actions.dedup();
                out.push(AccessGroup {
                    actions,
                    witness: w,
                });
            }
        }
        Some(out)
    }
}

/// Per managed policy, who holds it: users (directly or through a group) and roles other than
/// service-linked ones.
fn holders_of(account: &Account) -> Vec<Vec<Ident>> {
    let mut out: Vec<Vec<Ident>> = vec![Vec::new(); account.managed.len()];
    for (u, user) in account.users.iter().enumerate() {
        let mut ms: Vec<u32> = user.managed.clone();
        for g in &user.groups {
            if let Some(g) = account.groups.get(*g as usize) {
                ms.extend(g.managed.iter().copied());
            }
        }
        ms.sort_unstable();
        ms.dedup();
        for m in ms {
            if let Some(h) = out.get_mut(m as usize) {
                h.push(Ident::User(u as u32));
            }
        }
    }
    for (r, role) in account.roles.iter().enumerate() {
        if role.service_linked {
            continue;
        }
        for m in &role.managed {
            if let Some(h) = out.get_mut(*m as usize) {
                h.push(Ident::Role(r as u32));
            }
        }
    }
    out
}

/// Whether the actor's policies or the SCPs have a condition on this key (lowercase).
fn mentions_key(actor: &Actor, key: &str, scp: &[Vec<Shared>]) -> bool {
    actor
        .identity
        .iter()
        .chain(actor.boundary.iter())
        .chain(scp.iter().flatten())
        .any(|p| {
            p.statements()
                .iter()
                .any(|s| s.conditions.iter().any(|c| &*c.key == key))
        })
}

/// What the closure already has: reached states, and policies pending for users and roles.
pub(crate) struct Done<'a> {
    seen: &'a [bool],
    pending: &'a ahash::AHashMap<Ident, Vec<(Extra, Arc<HopData>)>>,
    left: Left,
    /// What the actor being expanded has already gained (one hop per target is enough).
    gained: std::cell::RefCell<ahash::AHashSet<StateId>>,
    gained_any: std::cell::RefCell<ahash::AHashSet<Ident>>,
}

/// How many targets are still open, so that an actor skips whole kinds of hops at once when
/// nothing is left for them.
#[derive(Clone, Copy, Debug, Default)]
struct Left {
    /// Role sessions not reached.
    roles: usize,
    /// Sessions of roles other than service-linked ones not reached (escalation targets).
    open_roles: usize,
    users: usize,
    /// Roles (not service-linked) and users without a policy of the path's choosing.
    unmodified_roles: usize,
    unmodified_users: usize,
}

impl Done<'_> {
    fn state(&self, t: StateId) -> bool {
        self.seen.get(t as usize).copied().unwrap_or(false) || self.gained.borrow().contains(&t)
    }

    /// A policy of the attacker's choosing is already added: nothing more to add.
    fn modified(&self, ident: Ident) -> bool {
        self.gained_any.borrow().contains(&ident)
            || self
                .pending
                .get(&ident)
                .is_some_and(|l| l.iter().any(|(e, _)| *e == Extra::Any))
    }

    fn modified_with(&self, ident: Ident, extra: Extra) -> bool {
        self.gained_any.borrow().contains(&ident)
            || self
                .pending
                .get(&ident)
                .is_some_and(|l| l.iter().any(|(e, _)| *e == extra || *e == Extra::Any))
    }

    /// Note what the decided hops of the actor being expanded gain, and add them to its hops
    /// (every kind of hop does both).
    fn keep(&self, hops: &Hops, out: &mut Vec<Arc<HopData>>) {
        for h in hops.iter() {
            match h.target {
                Target::State(t) => {
                    self.gained.borrow_mut().insert(t);
                }
                Target::Modify {
                    ident,
                    extra: Extra::Any,
                } => {
                    self.gained_any.borrow_mut().insert(ident);
                }
                Target::Modify { .. } => {}
            }
        }
        out.extend(hops.iter().cloned());
    }
}

/// The name of the part below a resource that requests probe by default
/// (`analyze::action_arns`).
const SUB_NAME: &str = "perimeter-reach";

/// Names of parts below a resource to probe: one per `Resource` pattern of the statements that
/// lies below it, wildcards filled in (`arn:aws:s3:::b/public/*` → `arn:aws:s3:::b/public/x`).
fn below_probes(
    statements: &[&crate::policy::compile::CompiledStatement],
    subs: &[(String, Vec<String>)],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in statements {
        let Some(m) = &s.resources else { continue };
        if m.negated {
            continue;
        }
        for e in &m.entries {
            let crate::policy::compile::ResourceEntry::Pattern(p) = e else {
                continue;
            };
            let t = p.as_str();
            if !subs
                .iter()
                .any(|(prefix, _)| t.starts_with(prefix.as_str()))
            {
                continue;
            }
            let filled: String = t
                .chars()
                .map(|c| if c == '*' || c == '?' { 'x' } else { c })
                .collect();
            if !out.contains(&filled) && out.len() < 64 {
                out.push(filled);
            }
        }
    }
    out
}

/// Whether a statement can match some request of a resource's universe (its service and one of
/// its ARNs, or a part below it); a cheap superset test before the exact one.
fn touches(s: &crate::policy::compile::CompiledStatement, u: &Universe) -> bool {
    let a = &s.actions;
    let action = a.any || a.negated || a.services.iter().any(|h| *h == 0 || *h == u.service);
    if !action {
        return false;
    }
    match &s.resources {
        None => true,
        Some(m) if m.negated => true,
        Some(m) => m.entries.iter().any(|e| match e {
            crate::policy::compile::ResourceEntry::Any
            | crate::policy::compile::ResourceEntry::Template { .. } => true,
            crate::policy::compile::ResourceEntry::Pattern(p) => {
                u.arns.iter().any(|arn| p.matches(arn))
                    || u.subs
                        .iter()
                        .any(|(prefix, _)| p.as_str().starts_with(prefix.as_str()))
            }
        }),
    }
}

/// For each of `CAP_ACTIONS`: whether every request of it on a resource of the caller's own
/// account without a resource policy is allowed, whatever its context and resource. That is
/// what `eval` decides when the identity policies, the boundary (if any) and every SCP level
/// each hold an unconditional Allow of the action on `*`, and no identity, boundary or SCP
/// statement denies the action at all.
fn free_mask(identity: &[Shared], boundary: Option<&Shared>, scp: &[Vec<Shared>]) -> u32 {
    let mut mask = 0u32;
    for (i, a) in CAP_ACTIONS.iter().enumerate() {
        if unconditional(a, identity, boundary, scp, &[], true) {
            mask |= 1 << i;
        }
    }
    mask
}

/// See `Actor::free_assume`.
fn free_assume(
    identity: &[Shared],
    boundary: Option<&Shared>,
    scp: &[Vec<Shared>],
    rcp: &[Vec<Shared>],
) -> bool {
    unconditional("sts:assumerole", identity, boundary, scp, rcp, false)
}

/// Whether `action` (lower case) is allowed on any resource without conditions by the
/// boundary and every SCP level (and by the identity policies when `identity_must_allow`), and
/// no statement of the identity policies, boundary, SCPs or RCPs denies it at all.
fn unconditional(
    action: &str,
    identity: &[Shared],
    boundary: Option<&Shared>,
    scp: &[Vec<Shared>],
    rcp: &[Vec<Shared>],
    identity_must_allow: bool,
) -> bool {
    use crate::policy::compile::{service_hash, CompiledStatement, ResourceEntry};
    let h = service_hash(action);
    let names = |st: &CompiledStatement| st.actions.matches_folded(action, h);
    let open = |st: &CompiledStatement| {
        st.effect == Effect::Allow
            && st.principal.is_none()
            && st.conditions.is_empty()
            && names(st)
            && st.resources.as_ref().is_none_or(|m| {
                !m.negated && m.entries.iter().any(|e| matches!(e, ResourceEntry::Any))
            })
    };
    let allows = |ps: &[Shared]| ps.iter().any(|p| p.statements().iter().any(open));
    let denied = identity
        .iter()
        .chain(boundary)
        .chain(scp.iter().flatten())
        .chain(rcp.iter().flatten())
        .any(|p| {
            p.statements()
                .iter()
                .any(|st| st.effect == Effect::Deny && names(st))
        });
    !denied
        && (!identity_must_allow || allows(identity))
        && boundary.is_none_or(|b| allows(std::slice::from_ref(b)))
        && scp.iter().all(|l| allows(l))
}
