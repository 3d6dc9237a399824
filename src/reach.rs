//! Transitive reach: who outside the zone of trust can reach a resource through the account's
//! own principals, by assuming roles and by the well-known privilege-escalation paths, with
//! every hop proven by a request that [`crate::eval`] allows.
//!
//! Access Analyzer looks at one resource policy at a time. This module follows the chain:
//! an external principal assumes a role whose trust policy lets it in, that role assumes
//! another, or passes a role to a Lambda function it then invokes, or creates an access key for
//! a user, or rewrites a trust policy, or attaches a policy to itself… until it holds an
//! identity whose policies reach the resource.
//!
//! - [`Account`] compiles the input: `get-account-authorization-details`
//!   ([`crate::activity::AuthorizationDetails`]), a [`ResourceList`] (resource policies and
//!   Lambda execution roles), SCPs, RCPs and the zone of trust ([`ReachOptions`]).
//! - [`Reach`] builds the graph on demand: its nodes are external principals ([`Principal`]:
//!   anyone, an account, an identity provider) and the account's users and role sessions, with
//!   the policies a path added to them ([`Node`]); its hops ([`HopKind`]) are decided by `eval`,
//!   SCPs, RCPs and boundaries applied, and each hop keeps the request that proves it
//!   ([`HopRequest`], in `perimeter eval`'s case format) with the statements that allow it and
//!   the condition values it needs (`sts:ExternalId`, MFA, SAML and OIDC claims…).
//! - [`Reach::reach_from`] gives one external principal's [`ReachSet`]: every node and resource
//!   it reaches, each with a path; [`ReachSet::findings`] turns it into [`TransitiveAccess`]
//!   findings, rendered as JSON, a tree ([`render_tree`]) or Graphviz DOT ([`render_dot`]).
//!
//! ```
//! use perimeter::activity::AuthorizationDetails;
//! use perimeter::reach::{Account, Principal, Reach, ReachOptions, ResourceList};
//!
//! let details = AuthorizationDetails::parse(r#"{"RoleDetailList": [
//!   {"RoleName": "deploy", "Arn": "arn:aws:iam::111122223333:role/deploy", "RoleId": "AROADEPLOY",
//!    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!      "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
//!      "Condition": {"StringEquals": {"sts:ExternalId": "ci-7"}}}]},
//!    "RolePolicyList": [{"PolicyName": "hop", "PolicyDocument": {"Version": "2012-10-17",
//!      "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}]},
//!   {"RoleName": "admin", "Arn": "arn:aws:iam::111122223333:role/admin", "RoleId": "AROAADMIN",
//!    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!      "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}}]}"#)?;
//! let account = Account::new(&details, &ResourceList::new(), &ReachOptions::default())?;
//! let mut reach = Reach::new(&account);
//! let set = reach.reach_from(&Principal::parse("444455556666")?).ok_or("no such principal")?;
//! let path = set.path_to("arn:aws:iam::111122223333:role/admin").ok_or("not reached")?;
//! assert_eq!(path.len(), 2);
//! assert_eq!(path[0].requests[0].condition()["sts:ExternalId"], "ci-7");
//! for hop in &path {
//!     for request in &hop.requests {
//!         assert!(request.case().evaluate()?.decision.is_allow());
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The choices made where AWS's documentation is silent are in `manual::reach`.

mod account;
mod decide;
mod graph;
mod output;

pub use account::{
    Account, GraphResource, ReachOptions, ResourceList, DEFAULT_SESSION, MAX_ENTITIES,
    MAX_RESOURCE_LIST_BYTES, MAX_SESSION_NAMES,
};
pub use graph::HopKind;
pub use output::{
    render_dot, render_tree, AddedPolicy, GrantingStatement, Hop, HopRequest, Node, Principal,
    TransitiveAccess, FINDING_TYPE,
};

use graph::{Base, External, Extra, Graph, StateId, StateKey, Via};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The analysis of one account: the graph, built on demand, with every decided hop cached
/// for the next question.
#[derive(Debug)]
pub struct Reach<'a> {
    graph: Graph<'a>,
    /// Nodes by state id, made once.
    nodes: Vec<Option<(Arc<Node>, Entity)>>,
}

/// Access of one node to one resource under one set of conditions: the conditions, the
/// actions, and a witness per group of actions.
type AccessPart = (BTreeMap<String, String>, Vec<String>, Vec<decide::Witness>);

/// For users and roles of the account: whether it is a role, and its index.
type Entity = Option<(bool, u32)>;

/// One node reached, with how.
#[derive(Clone, Debug)]
struct Reached {
    node: Arc<Node>,
    via: Via,
    /// For roles and users of the account: whether it is a role, and its index.
    entity: Entity,
}

/// Access to a resource of the list, held by one reached node.
#[derive(Clone, Debug)]
struct Access {
    resource: u32,
    holder: usize,
    actions: Vec<String>,
    requests: Vec<decide::Witness>,
}

/// Everything one external principal reaches: nodes (users, role sessions, and those with
/// policies a path added), and resources of the list with the actions on them, each with a
/// path.
#[derive(Clone, Debug)]
pub struct ReachSet {
    source: Principal,
    reached: Vec<Reached>,
    index: ahash::AHashMap<StateId, usize>,
    accesses: Vec<Access>,
    resources: Vec<(String, String, String)>,
    undecided: Vec<String>,
}

impl<'a> Reach<'a> {
    /// The analysis of an account.
    pub fn new(account: &'a Account) -> Reach<'a> {
        Reach {
            graph: Graph::new(account),
            nodes: Vec::new(),
        }
    }

    /// The external principals the account's policies name: anyone (when some trust or resource
    /// policy grants `*`), each account outside the zone, each identity provider.
    pub fn external_principals(&self) -> Vec<Principal> {
        self.graph
            .externals
            .iter()
            .map(external_principal)
            .collect()
    }

    /// Questions the analysis could not decide (budget, or conditions it does not interpret).
    /// Each may hide a hop: read them as "possibly reachable".
    pub fn undecided(&self) -> &[String] {
        &self.graph.undecided
    }

    fn state_of(&mut self, p: &Principal) -> Option<StateId> {
        let acct = self.graph.account;
        let base = match p {
            Principal::Anyone => Base::Ext(self.ext_index(&External::Anyone)?),
            Principal::Account { id } => Base::Ext(self.ext_index(&External::Account(id.clone()))?),
            Principal::Federated { provider } => {
                let known = self.graph.externals.iter().position(
                    |x| matches!(x, External::Federated(q) if q.eq_ignore_ascii_case(provider)),
                );
                match known {
                    Some(e) => Base::Ext(e as u32),
                    None => Base::Ext(self.ext_index(&External::Federated(provider.clone()))?),
                }
            }
            Principal::User { arn } => Base::User(acct.user_by_arn(arn)?),
            Principal::Role { arn, session } => {
                let r = acct.role_by_arn(arn)?;
                let s = acct
                    .roles
                    .get(r as usize)?
                    .sessions
                    .iter()
                    .position(|x| x == session)?;
                Base::Role(r, s as u16)
            }
        };
        Some(self.graph.intern(StateKey {
            base,
            extra: Extra::None,
        }))
    }

    fn ext_index(&mut self, e: &External) -> Option<u32> {
        if let Some(i) = self.graph.externals.iter().position(|x| x == e) {
            return Some(i as u32);
        }
        // A principal no policy names reaches nothing more than its own node; give it one.
        self.graph.externals.push(e.clone());
        Some((self.graph.externals.len() - 1) as u32)
    }

    fn node_of(&mut self, id: StateId) -> Option<(Arc<Node>, Entity)> {
        if let Some(Some(n)) = self.nodes.get(id as usize) {
            return Some(n.clone());
        }
        let (node, entity) = self.make_node(id)?;
        let made = (Arc::new(node), entity);
        let i = id as usize;
        if self.nodes.len() <= i {
            self.nodes.resize(i + 1, None);
        }
        if let Some(slot) = self.nodes.get_mut(i) {
            *slot = Some(made.clone());
        }
        Some(made)
    }

    fn make_node(&self, id: StateId) -> Option<(Node, Entity)> {
        let key = self.graph.key(id)?;
        let acct = self.graph.account;
        let (principal, entity) = match key.base {
            Base::Ext(e) => (
                external_principal(self.graph.externals.get(e as usize)?),
                None,
            ),
            Base::User(u) => (
                Principal::User {
                    arn: acct.users.get(u as usize)?.arn.clone(),
                },
                Some((false, u)),
            ),
            Base::Role(r, s) => {
                let role = acct.roles.get(r as usize)?;
                (
                    Principal::Role {
                        arn: role.arn.clone(),
                        session: role.sessions.get(s as usize)?.clone(),
                    },
                    Some((true, r)),
                )
            }
        };
        let added_policy = match key.extra {
            Extra::None => None,
            Extra::Any => Some(AddedPolicy::Any),
            Extra::Managed(m) => Some(AddedPolicy::Managed {
                arn: acct.managed.get(m as usize)?.arn.clone(),
            }),
            Extra::Group(g) => Some(AddedPolicy::Group {
                name: acct.groups.get(g as usize)?.name.clone(),
            }),
        };
        Some((
            Node {
                principal,
                added_policy,
            },
            entity,
        ))
    }

    /// Everything a principal reaches (an external one, or a user or role of the account to
    /// ask what it can reach). `None` for a user or role the account does not have.
    pub fn reach_from(&mut self, principal: &Principal) -> Option<ReachSet> {
        let source = self.state_of(principal)?;
        let closure = self.graph.closure(source);
        let mut reached = Vec::with_capacity(closure.len());
        let mut index = ahash::AHashMap::with_capacity(closure.len());
        let mut order = Vec::with_capacity(closure.len());
        for (id, via) in closure {
            let Some((node, entity)) = self.node_of(id) else {
                continue;
            };
            index.insert(id, reached.len());
            order.push(id);
            reached.push(Reached { node, via, entity });
        }
        // Resources of the list: the actions each reached node adds.
        let acct = self.graph.account;
        let mut accesses = Vec::new();
        for ri in 0..acct.resources.len() {
            let ri = ri as u32;
            let mut covered: std::collections::BTreeSet<String> = Default::default();
            // `order[holder]` is the state of `reached[holder]`.
            for (holder, id) in order.iter().enumerate() {
                let groups = self.graph.access(*id, ri);
                // One access per set of conditions (unconditional access first), as Access
                // Analyzer gives one finding per condition.
                let mut ordered: Vec<(BTreeMap<String, String>, &graph::AccessGroup)> = groups
                    .iter()
                    .map(|g| {
                        let cond = HopRequest {
                            witness: g.witness.clone(),
                        }
                        .condition();
                        (cond, g)
                    })
                    .collect();
                ordered.sort_by_key(|(c, _)| c.len());
                let mut parts: Vec<AccessPart> = Vec::new();
                for (cond, g) in ordered {
                    let new: Vec<String> = g
                        .actions
                        .iter()
                        .filter(|a| !covered.contains(*a))
                        .cloned()
                        .collect();
                    if new.is_empty() {
                        continue;
                    }
                    covered.extend(new.iter().cloned());
                    match parts.iter_mut().find(|(c, _, _)| *c == cond) {
                        Some((_, actions, requests)) => {
                            actions.extend(new);
                            requests.push(g.witness.clone());
                        }
                        None => parts.push((cond, new, vec![g.witness.clone()])),
                    }
                }
                for (_, mut actions, requests) in parts {
                    actions.sort();
                    actions.dedup();
                    accesses.push(Access {
                        resource: ri,
                        holder,
                        actions,
                        requests,
                    });
                }
                // Every action of the resource is reached: later nodes add nothing.
                if self
                    .graph
                    .universe(ri)
                    .is_some_and(|u| covered.len() >= u.actions)
                {
                    break;
                }
            }
        }
        let resources = acct
            .resources
            .iter()
            .map(|r| {
                (
                    r.arn.clone(),
                    r.resource_type.as_str().to_string(),
                    r.owner.clone(),
                )
            })
            .collect();
        Some(ReachSet {
            source: principal.clone(),
            reached,
            index,
            accesses,
            resources,
            undecided: self.graph.undecided.clone(),
        })
    }

    /// The reach sets of every external principal the account's policies name.
    pub fn reach_all(&mut self) -> Vec<ReachSet> {
        self.external_principals()
            .iter()
            .filter_map(|p| self.reach_from(p))
            .collect()
    }
}

/// Condition keys that pin the caller to known principals or networks: access that needs one of
/// them is not public (the restricting keys of the access analysis reference, §2.4–2.5). An
/// external id is a shared secret, not a restriction on who calls.
const PINNING_KEYS: &[&str] = &[
    "aws:principalaccount",
    "kms:calleraccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "aws:username",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:vpcsourceip",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
];

fn external_principal(e: &External) -> Principal {
    match e {
        External::Anyone => Principal::Anyone,
        External::Account(a) => Principal::Account { id: a.clone() },
        External::Federated(p) => Principal::Federated {
            provider: p.clone(),
        },
    }
}

fn hop_actions(requests: &[HopRequest], resource: &str) -> Vec<String> {
    let mut a: Vec<String> = requests
        .iter()
        .filter(|r| {
            r.resource() == resource && !matches!(r.caller(), crate::eval::Caller::Service { .. })
        })
        .map(|r| r.action().to_string())
        .collect();
    a.sort();
    a.dedup();
    a
}

impl ReachSet {
    /// The principal whose reach this is.
    pub fn principal(&self) -> &Principal {
        &self.source
    }

    /// Every node reached, the principal's own first, in the order found (breadth first).
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.reached.iter().map(|r| &*r.node)
    }

    /// Questions left undecided while computing the set (see [`Reach::undecided`]).
    pub fn undecided(&self) -> &[String] {
        &self.undecided
    }

    /// The hops that lead to the `i`-th node, in an order in which they can be taken.
    fn plan(&self, i: usize) -> Vec<Hop> {
        let mut order: Vec<usize> = Vec::new();
        let mut seen: ahash::AHashSet<usize> = ahash::AHashSet::new();
        // Iterative depth-first walk: a node's dependencies come before it.
        let mut stack: Vec<(usize, bool)> = vec![(i, false)];
        while let Some((n, expanded)) = stack.pop() {
            if expanded {
                if seen.insert(n) {
                    order.push(n);
                }
                continue;
            }
            if seen.contains(&n) {
                continue;
            }
            let Some(r) = self.reached.get(n) else {
                continue;
            };
            stack.push((n, true));
            if let Via::Hop { hop, also } = &r.via {
                if let Some(a) = also.and_then(|s| self.index.get(&s)) {
                    stack.push((*a, false));
                }
                if let Some(a) = self.index.get(&hop.actor) {
                    stack.push((*a, false));
                }
            }
        }
        let mut hops = Vec::new();
        for n in order {
            let Some(r) = self.reached.get(n) else {
                continue;
            };
            let Via::Hop { hop, also } = &r.via else {
                continue;
            };
            let Some(from) = self
                .index
                .get(&hop.actor)
                .and_then(|i| self.reached.get(*i))
            else {
                continue;
            };
            let with = also
                .and_then(|s| self.index.get(&s))
                .and_then(|i| self.reached.get(*i))
                .map(|w| (*w.node).clone());
            hops.push(Hop {
                kind: hop.kind,
                from: (*from.node).clone(),
                with,
                to: (*r.node).clone(),
                requests: hop
                    .requests
                    .iter()
                    .map(|w| HopRequest { witness: w.clone() })
                    .collect(),
            });
        }
        hops
    }

    /// The path to a node of the graph, if reached.
    pub fn path_to_node(&self, node: &Node) -> Option<Vec<Hop>> {
        let i = self.reached.iter().position(|r| *r.node == *node)?;
        Some(self.plan(i))
    }

    /// The shortest path found to a resource: a user or role ARN (the first node of it
    /// reached), or a resource of the list (the path to the first node with access to it, and
    /// the access itself as the last hop).
    pub fn path_to(&self, resource: &str) -> Option<Vec<Hop>> {
        if let Some(i) = self
            .reached
            .iter()
            .position(|r| r.node.principal.arn() == Some(resource) && r.node.added_policy.is_none())
        {
            return Some(self.plan(i));
        }
        let a = self.accesses.iter().find(|a| {
            self.resources
                .get(a.resource as usize)
                .is_some_and(|(arn, _, _)| arn == resource)
        })?;
        Some(self.access_path(a))
    }

    fn access_path(&self, a: &Access) -> Vec<Hop> {
        let mut hops = self.plan(a.holder);
        if let (Some(holder), Some(_)) = (
            self.reached.get(a.holder),
            self.resources.get(a.resource as usize),
        ) {
            hops.push(Hop {
                kind: HopKind::Access,
                from: (*holder.node).clone(),
                with: None,
                to: (*holder.node).clone(),
                requests: a
                    .requests
                    .iter()
                    .map(|w| HopRequest { witness: w.clone() })
                    .collect(),
            });
        }
        hops
    }

    /// The resources reached: (ARN, type) of every user and role of the account reached, and
    /// of every resource of the list with some action.
    pub fn resources(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for r in &self.reached {
            if let Some((is_role, _)) = r.entity {
                if let Some(arn) = r.node.principal.arn() {
                    let t = if is_role {
                        "AWS::IAM::Role"
                    } else {
                        "AWS::IAM::User"
                    };
                    out.push((arn.to_string(), t.to_string()));
                }
            }
        }
        for a in &self.accesses {
            if let Some((arn, t, _)) = self.resources.get(a.resource as usize) {
                out.push((arn.clone(), t.clone()));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The findings: one per user or role of the account reached (with the path to the first
    /// of its nodes) and one per node that adds actions on a resource of the list. The
    /// principal's own node gives none.
    pub fn findings(&self) -> Vec<TransitiveAccess> {
        let mut out = Vec::new();
        let mut seen: ahash::AHashSet<String> = ahash::AHashSet::new();
        let source_map = self.source.to_finding_principal();
        let is_public = self.source == Principal::Anyone;
        for (i, r) in self.reached.iter().enumerate() {
            let Some((is_role, _)) = r.entity else {
                continue;
            };
            if !matches!(r.via, Via::Hop { .. }) || r.node.added_policy.is_some() {
                continue;
            }
            let Some(arn) = r.node.principal.arn() else {
                continue;
            };
            if !seen.insert(arn.to_string()) {
                continue;
            }
            let path = self.plan(i);
            let action = path
                .last()
                .map(|h| hop_actions(&h.requests, arn))
                .unwrap_or_default();
            let owner = crate::arn::account_in(arn).unwrap_or_default().to_string();
            out.push(self.finding(
                &source_map,
                is_public,
                action,
                arn,
                if is_role {
                    "AWS::IAM::Role"
                } else {
                    "AWS::IAM::User"
                },
                &owner,
                (*r.node).clone(),
                path,
            ));
        }
        for a in &self.accesses {
            let (Some((arn, t, owner)), Some(holder)) = (
                self.resources.get(a.resource as usize),
                self.reached.get(a.holder),
            ) else {
                continue;
            };
            let path = self.access_path(a);
            out.push(self.finding(
                &source_map,
                is_public,
                a.actions.clone(),
                arn,
                t,
                owner,
                (*holder.node).clone(),
                path,
            ));
        }
        out.sort_by(|a, b| (&a.resource, &a.id).cmp(&(&b.resource, &b.id)));
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        principal: &BTreeMap<String, String>,
        is_public: bool,
        action: Vec<String>,
        resource: &str,
        resource_type: &str,
        owner: &str,
        holder: Node,
        path: Vec<Hop>,
    ) -> TransitiveAccess {
        let mut condition = BTreeMap::new();
        for h in &path {
            for r in &h.requests {
                for (k, v) in r.condition() {
                    condition.entry(k).or_insert(v);
                }
            }
        }
        // Anyone, unless a condition pins who or where the caller is (reference §2.5).
        let pinned = condition
            .keys()
            .any(|k| PINNING_KEYS.contains(&k.to_ascii_lowercase().as_str()));
        let mut f = TransitiveAccess {
            id: String::new(),
            principal: principal.clone(),
            source: self.source.clone(),
            action,
            resource: resource.to_string(),
            resource_type: resource_type.to_string(),
            resource_owner_account: owner.to_string(),
            is_public: is_public && !pinned,
            condition,
            status: crate::analyze::Status::Active,
            holder,
            path,
        };
        f.compute_id();
        f
    }
}
