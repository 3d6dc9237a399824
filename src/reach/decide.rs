//! Deciding one request of a hop: is there a request context under which `eval` allows it, and
//! which one?
//!
//! The request is first evaluated as it stands (caller, action, resource, the values the hop
//! fixes and the facts known about the caller). When that is denied, the policies that could
//! still allow it become a formula over the condition keys left free (the caller's and the
//! resource's own facts are constants), built rule by rule as `eval::decision` combines its
//! layers, and the symbolic core looks for values. A value it finds is evaluated concretely
//! again, so every allowed answer comes with a request that `eval` allows.

use super::account::Shared;
use crate::eval::{
    action_resource_match, evaluate_parts, is_role_trust, is_service_linked_role, rcp_applies,
    resource_policy_required, statement_matches, Caller, ContextValue, Grant, Parts, Request,
};
use crate::policy::compile::PrincipalValue;
use crate::policy::{CompiledPolicy, Effect};
use crate::reason::formula::{NodeId, Pred, FALSE, TRUE};
use crate::reason::lang::Lang;
use crate::reason::search::{solve, Memo};
use crate::reason::space::{Actions, Kind, Space};
use crate::reason::theory::Val;
use std::sync::{Arc, OnceLock};

/// Who makes the request.
#[derive(Clone, Debug)]
pub(crate) enum Who {
    /// A known caller. `external`: an identity of another account, whose administrator can grant
    /// it anything (its identity side is a policy that grants exactly the request).
    Known { caller: Caller, external: bool },
    /// Some principal (user or role) of this account outside the zone.
    Account(String),
    /// Anyone outside the zone: any user or role of an account outside the zone, or an
    /// anonymous caller when `anonymous`. Only statements whose principal is `*` grant them.
    Anyone { anonymous: bool },
}

/// One request to decide.
pub(crate) struct Ask<'a> {
    pub(crate) who: Who,
    pub(crate) action: &'a str,
    pub(crate) resource: &'a str,
    pub(crate) resource_account: &'a str,
    /// Context the hop fixes, and facts about the caller and the resource.
    pub(crate) context: Vec<(String, ContextValue)>,
    /// Key prefixes (lowercase) whose keys are facts: a key with one of them that the context
    /// does not hold is missing (tags the caller or the resource does not have).
    pub(crate) absent_prefixes: &'a [&'static str],
    pub(crate) identity: Arc<[Shared]>,
    pub(crate) boundary: Option<&'a Shared>,
    pub(crate) resource_policy: Option<&'a Shared>,
    pub(crate) scp: &'a Arc<Vec<Vec<Shared>>>,
    pub(crate) rcp: &'a Arc<Vec<Vec<Shared>>>,
    /// Accounts of the zone (for `Anyone`).
    pub(crate) zone_accounts: &'a [String],
    /// The organization of an organization zone: callers outside the zone are not in it.
    pub(crate) outside_org: Option<&'a str>,
    /// For a caller that sets the whole request context itself (a service): the only keys
    /// left free (lowercase); every other key the request does not hold is missing.
    pub(crate) closed: Option<&'a [&'static str]>,
    /// Keys whose values, when present, must match a wildcard pattern (lowercase key, pattern).
    pub(crate) shapes: &'a [(&'static str, String)],
    pub(crate) partition: &'a str,
}

/// A request that `eval` allows, with the policies it was evaluated against.
#[derive(Clone, Debug)]
pub(crate) struct Witness {
    pub(crate) caller: Arc<Caller>,
    pub(crate) action: Arc<str>,
    pub(crate) resource: Arc<str>,
    pub(crate) resource_account: Arc<str>,
    /// Facts about the caller shared by its requests (user id, tags, organization).
    pub(crate) facts: Arc<[(String, ContextValue)]>,
    /// The rest of the context given to the request (derived keys are derived again on
    /// reading).
    pub(crate) context: Arc<[(String, ContextValue)]>,
    /// Keys whose values the symbolic core chose, as spelled in the policies.
    pub(crate) chosen: Arc<[String]>,
    pub(crate) identity: Arc<[Shared]>,
    pub(crate) resource_policy: Option<Shared>,
    pub(crate) boundary: Option<Shared>,
    pub(crate) scp: Arc<Vec<Vec<Shared>>>,
    pub(crate) rcp: Arc<Vec<Vec<Shared>>>,
    /// Whether the caller is outside the zone (its identity is part of what the path needs).
    pub(crate) external: bool,
}

impl Witness {
    /// Every policy that governs the request: identity, resource, boundary, SCPs, RCPs.
    pub(crate) fn policies(&self) -> impl Iterator<Item = &Shared> {
        self.identity
            .iter()
            .chain(&self.resource_policy)
            .chain(&self.boundary)
            .chain(self.scp.iter().flatten())
            .chain(self.rcp.iter().flatten())
    }

    /// Every context entry given to the request: the caller's facts, then the rest.
    pub(crate) fn context_all(&self) -> impl Iterator<Item = &(String, ContextValue)> {
        self.facts.iter().chain(self.context.iter())
    }

    /// The request, as built for evaluation.
    pub(crate) fn request(&self) -> Request {
        build_request(
            &self.caller,
            &self.action,
            &self.resource,
            &self.resource_account,
            self.context_all(),
        )
    }

    /// Evaluate the witness again (for the statements that allow it).
    pub(crate) fn evaluate(&self) -> crate::eval::Evaluation {
        let identity: Vec<&CompiledPolicy> = self.identity.iter().map(|p| &**p).collect();
        let resource: Vec<&CompiledPolicy> = self.resource_policy.iter().map(|p| &**p).collect();
        let boundary: Vec<&CompiledPolicy> = self.boundary.iter().map(|p| &**p).collect();
        let scp: Vec<Vec<&CompiledPolicy>> = self
            .scp
            .iter()
            .map(|l| l.iter().map(|p| &**p).collect())
            .collect();
        let rcp: Vec<Vec<&CompiledPolicy>> = self
            .rcp
            .iter()
            .map(|l| l.iter().map(|p| &**p).collect())
            .collect();
        evaluate_parts(
            &self.request(),
            &Parts {
                identity: &identity,
                resource: &resource,
                permission_boundary: &boundary,
                session: &[],
                service_control: &scp,
                resource_control: &rcp,
            },
        )
    }
}

/// The answer for one request.
#[derive(Clone, Debug)]
pub(crate) enum Answer {
    Allowed(Box<Witness>),
    Denied,
    /// The question needed more work than the budget, or a value the concrete evaluator
    /// rejected (a condition the symbolic core does not interpret, such as one with a policy
    /// variable).
    Undecided(String),
}

/// Keys the request builder derives from the caller.
pub(crate) const PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:username",
    "aws:userid",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "kms:calleraccount",
];

fn universe() -> Arc<[String]> {
    static U: OnceLock<Arc<[String]>> = OnceLock::new();
    U.get_or_init(|| Arc::from(vec!["sts:AssumeRole".to_string()]))
        .clone()
}

/// A policy that grants exactly one request: what an external account's administrator can
/// give its own principal.
pub(crate) fn grant_policy(action: &str, resource: &str) -> Option<Shared> {
    let v = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": resource}]});
    super::account::compile_named(&v, "granted by the caller's account").ok()
}

fn build_request<'c>(
    caller: &Caller,
    action: &str,
    resource: &str,
    resource_account: &str,
    context: impl IntoIterator<Item = &'c (String, ContextValue)>,
) -> Request {
    let mut b =
        Request::builder(caller.clone(), action, resource).resource_account(resource_account);
    for (k, v) in context {
        b = b.context_value(k, v.clone());
    }
    b.build()
}

/// What a symbolic answer depends on besides the resource ARN.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct MemoKey {
    caller: String,
    action: String,
    resource_account: String,
    resource_kind: (bool, bool, bool),
    context: Vec<(String, String)>,
    /// (layer, statement address, grant) of every statement that matches modulo conditions.
    sig: Vec<(u8, usize, u8)>,
}

/// The decider: compiled grant policies of external callers, and symbolic answers by what
/// they depend on, kept across questions.
#[derive(Default)]
pub(crate) struct Decider {
    memo: ahash::AHashMap<MemoKey, Option<Vec<(String, ContextValue)>>>,
    grants: ahash::AHashMap<(String, String), Shared>,
}

impl std::fmt::Debug for Decider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Decider")
    }
}

/// A statement that could apply, with its condition formula.
struct Live {
    node: NodeId,
    effect: Effect,
    grant: Grant,
}

impl Decider {
    fn grant(&mut self, action: &str, resource: &str) -> Option<Shared> {
        let key = (action.to_string(), resource.to_string());
        if let Some(g) = self.grants.get(&key) {
            return Some(g.clone());
        }
        let g = grant_policy(action, resource)?;
        if self.grants.len() > 4096 {
            self.grants.clear();
        }
        self.grants.insert(key, g.clone());
        Some(g)
    }

    /// Decide one request.
    pub(crate) fn decide(&mut self, ask: &Ask<'_>, budget: u64) -> Answer {
        match &ask.who {
            Who::Known { caller, external } => {
                let caller = caller.clone();
                let external = *external;
                self.decide_known(ask, &caller, external, budget)
            }
            Who::Account(a) => {
                // Try the simplest member of the account first.
                let role = format!(
                    "arn:{}:iam::{a}:role/{}",
                    ask.partition,
                    super::account::DEFAULT_SESSION
                );
                let caller = Caller::Role {
                    arn: format!(
                        "arn:{}:sts::{a}:assumed-role/{}/{}",
                        ask.partition,
                        super::account::DEFAULT_SESSION,
                        super::account::DEFAULT_SESSION
                    ),
                    role_arn: role,
                    account: a.clone(),
                    role_name: super::account::DEFAULT_SESSION.into(),
                    session_name: Some(super::account::DEFAULT_SESSION.into()),
                };
                if let Some(w) = self.concrete(ask, &caller, true) {
                    return Answer::Allowed(w);
                }
                self.decide_open(ask, budget)
            }
            Who::Anyone { .. } => self.decide_open(ask, budget),
        }
    }

    /// Evaluate as the request stands.
    fn concrete(&mut self, ask: &Ask<'_>, caller: &Caller, external: bool) -> Option<Box<Witness>> {
        let (context, req) = request_as_it_stands(ask, caller);
        let identity = self.identity_for(ask, caller, external, ask.identity.clone())?;
        let w = self.check(
            ask,
            &req,
            caller.clone(),
            context,
            Vec::new(),
            identity,
            external,
        )?;
        Some(w)
    }

    /// The identity policies of the caller: for an IAM caller outside the account, a policy
    /// granting exactly the request (what its own administrator can give it); otherwise
    /// `policies`. `None` when no such grant can be written.
    fn identity_for(
        &mut self,
        ask: &Ask<'_>,
        caller: &Caller,
        external: bool,
        policies: Arc<[Shared]>,
    ) -> Option<Arc<[Shared]>> {
        if external && caller.is_iam_identity() {
            Some(Arc::from(vec![self.grant(ask.action, ask.resource)?]))
        } else {
            Some(policies)
        }
    }

    /// Evaluate a request with the ask's policies; the witness if allowed.
    #[allow(clippy::too_many_arguments)]
    fn check(
        &mut self,
        ask: &Ask<'_>,
        req: &Request,
        caller: Caller,
        context: Vec<(String, ContextValue)>,
        chosen: Vec<String>,
        identity: Arc<[Shared]>,
        external: bool,
    ) -> Option<Box<Witness>> {
        let resource: Vec<&CompiledPolicy> =
            ask.resource_policy.map(|p| &**p).into_iter().collect();
        let boundary: Vec<&CompiledPolicy> = if external {
            Vec::new()
        } else {
            ask.boundary.map(|p| &**p).into_iter().collect()
        };
        let identity_refs: Vec<&CompiledPolicy> = identity.iter().map(|p| &**p).collect();
        let scp: Vec<Vec<&CompiledPolicy>> = if external {
            Vec::new()
        } else {
            ask.scp
                .iter()
                .map(|l| l.iter().map(|p| &**p).collect())
                .collect()
        };
        let rcp: Vec<Vec<&CompiledPolicy>> = ask
            .rcp
            .iter()
            .map(|l| l.iter().map(|p| &**p).collect())
            .collect();
        let parts = Parts {
            identity: &identity_refs,
            resource: &resource,
            permission_boundary: &boundary,
            session: &[],
            service_control: &scp,
            resource_control: &rcp,
        };
        let ev = evaluate_parts(req, &parts);
        if !ev.decision.is_allow() {
            return None;
        }
        if let Who::Anyone { .. } = ask.who {
            // Only statements that name everyone may grant "anyone".
            let open = ev
                .reasons
                .iter()
                .filter(|r| r.layer == crate::eval::Layer::Resource)
                .all(|r| {
                    let s = r
                        .statement
                        .and_then(|i| ask.resource_policy.and_then(|p| p.statements().get(i)));
                    s.is_some_and(names_everyone)
                });
            if !open {
                return None;
            }
        }
        Some(Box::new(Witness {
            caller: Arc::new(caller),
            action: Arc::from(ask.action),
            resource: Arc::from(ask.resource),
            resource_account: Arc::from(ask.resource_account),
            facts: Arc::from(Vec::new()),
            context: Arc::from(context),
            chosen: Arc::from(chosen),
            identity,
            resource_policy: ask.resource_policy.cloned(),
            boundary: if external {
                None
            } else {
                ask.boundary.cloned()
            },
            scp: if external {
                Arc::new(Vec::new())
            } else {
                ask.scp.clone()
            },
            rcp: ask.rcp.clone(),
            external,
        }))
    }

    fn decide_known(
        &mut self,
        ask: &Ask<'_>,
        caller: &Caller,
        external: bool,
        budget: u64,
    ) -> Answer {
        // The request as it stands: evaluated first, then used for matching statements and
        // for constants.
        let (context, req) = request_as_it_stands(ask, caller);
        let Some(identity) = self.identity_for(ask, caller, external, ask.identity.clone()) else {
            return Answer::Denied;
        };
        if let Some(w) = self.check(
            ask,
            &req,
            caller.clone(),
            context.clone(),
            Vec::new(),
            identity.clone(),
            external,
        ) {
            return Answer::Allowed(w);
        }
        let iam = caller.is_iam_identity();
        let is_root = matches!(caller, Caller::Root { .. });
        let boundary_applies = !external && iam && !is_root && ask.boundary.is_some();
        let session_ok = !matches!(caller, Caller::FederatedUser { .. });
        let identity_p: &[Shared] = if iam { &identity } else { &[] };
        let boundary_p: Vec<&Shared> = if boundary_applies {
            ask.boundary.into_iter().collect()
        } else {
            Vec::new()
        };
        let scp_levels: &[Vec<Shared>] = if !external && iam && !is_service_linked_role(&req) {
            ask.scp
        } else {
            &[]
        };
        let rcp_levels: &[Vec<Shared>] = if rcp_applies(&req) { ask.rcp } else { &[] };

        // The statements whose principal, action and resource match, by layer.
        let b = boundary_applies;
        let id_m = matched(identity_p.iter(), &req, b);
        let bd_m = matched(boundary_p.iter().copied(), &req, b);
        let rs_m = matched(ask.resource_policy.into_iter(), &req, b);
        let scp_m: Vec<Matched<'_>> = scp_levels
            .iter()
            .map(|l| matched(l.iter(), &req, b))
            .collect();
        let rcp_m: Matched<'_> = matched(rcp_levels.iter().flatten(), &req, b);
        // With every condition at its most favourable, could the request be allowed at all?
        {
            let allows = |m: &Matched<'_>, pick: &dyn Fn(Grant) -> bool| {
                m.iter().any(|(s, g)| s.effect == Effect::Allow && pick(*g))
            };
            let hard_deny = id_m
                .iter()
                .chain(&bd_m)
                .chain(&rs_m)
                .chain(scp_m.iter().flatten())
                .chain(&rcp_m)
                .any(|(s, _)| s.effect == Effect::Deny && s.conditions.is_empty());
            let id_ok = is_root || allows(&id_m, &|_| true);
            let bd_ok = !boundary_applies || allows(&bd_m, &|_| true);
            let idpath = iam && id_ok && bd_ok && session_ok;
            let r_any = allows(&rs_m, &|_| true);
            let r_exact = allows(&rs_m, &|g| g == Grant::Exact);
            let r_role = allows(&rs_m, &|g| g == Grant::Role);
            let bs = bd_ok && session_ok;
            let allowed = if !iam {
                r_any
            } else if req.is_same_account() {
                let sufficient = if is_role_trust(&req) {
                    (r_exact || r_role) && bs
                } else {
                    r_exact || (r_role && bs)
                };
                let either = sufficient || idpath;
                if resource_policy_required(&req) {
                    r_any && either
                } else {
                    either
                }
            } else {
                r_any && idpath
            };
            let scp_ok = scp_m.iter().all(|l| allows(l, &|_| true));
            if hard_deny || !allowed || !scp_ok {
                return Answer::Denied;
            }
        }
        // Requests that differ only in their resource, matching the same statements with the
        // same facts, get the same answer: reuse the condition values found for the first.
        let memo_key = (!external).then(|| {
            let mut sig: Vec<(u8, usize, u8)> = Vec::new();
            let layers: [&Matched<'_>; 4] = [&id_m, &bd_m, &rs_m, &rcp_m];
            for (l, m) in layers.iter().enumerate() {
                for (st, g) in m.iter() {
                    sig.push((l as u8, *st as *const _ as usize, *g as u8));
                }
            }
            for (l, m) in scp_m.iter().enumerate() {
                for (st, g) in m.iter() {
                    sig.push(((4 + l).min(255) as u8, *st as *const _ as usize, *g as u8));
                }
            }
            let context: Vec<(String, String)> = context
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_ascii_lowercase(),
                        v.values().collect::<Vec<_>>().join("\u{1}"),
                    )
                })
                .collect();
            MemoKey {
                caller: caller.to_text(),
                action: ask.action.to_ascii_lowercase(),
                resource_account: ask.resource_account.to_string(),
                resource_kind: (
                    is_role_trust(&req),
                    resource_policy_required(&req),
                    rcp_applies(&req),
                ),
                context,
                sig,
            }
        });
        if let Some(key) = &memo_key {
            match self.memo.get(key) {
                Some(None) => return Answer::Denied,
                Some(Some(chosen)) => {
                    let mut full = context.clone();
                    full.extend(chosen.iter().cloned());
                    let names: Vec<String> = chosen.iter().map(|(k, _)| k.clone()).collect();
                    let r = build_request(
                        caller,
                        ask.action,
                        ask.resource,
                        ask.resource_account,
                        &full,
                    );
                    if let Some(w) = self.check(
                        ask,
                        &r,
                        caller.clone(),
                        full,
                        names,
                        identity.clone(),
                        external,
                    ) {
                        return Answer::Allowed(w);
                    }
                }
                None => {}
            }
        }
        let mut space = Space::new(ask.partition, Actions::Finite(universe()));
        let mut all: Vec<&CompiledPolicy> = identity_p.iter().map(|p| &**p).collect();
        all.extend(boundary_p.iter().map(|p| &***p));
        all.extend(ask.resource_policy.map(|p| &**p));
        all.extend(scp_levels.iter().flatten().map(|p| &**p));
        all.extend(rcp_levels.iter().flatten().map(|p| &**p));
        space.declare_multi_from(&all);
        // Everything the request already says is fixed; keys that describe the caller and are
        // missing stay missing.
        for (k, v) in req.context().iter() {
            if let ContextValue::One(s) = v {
                space.set_constant(k, Some(s));
            }
        }
        for k in PRINCIPAL_KEYS {
            if req.context().get(k).is_none() {
                if *k == "kms:calleraccount" {
                    space.set_constant(k, caller.account());
                } else {
                    space.set_constant(k, None);
                }
            }
        }
        if !iam {
            space.set_constant("aws:principalorgid", None);
        }
        let live = |space: &mut Space, m: &Matched<'_>| -> Vec<Live> {
            m.iter()
                .map(|(s, grant)| {
                    fix_absent(space, s, ask.absent_prefixes, req.context());
                    if let Some(free) = ask.closed {
                        for c in &s.conditions {
                            if !free.contains(&&*c.key) && req.context().get(&c.key).is_none() {
                                space.set_constant(&c.key, None);
                            }
                        }
                    }
                    let conds: Vec<NodeId> =
                        s.conditions.iter().map(|c| space.condition(c)).collect();
                    Live {
                        node: space.arena.and(conds),
                        effect: s.effect,
                        grant: *grant,
                    }
                })
                .collect()
        };
        let id_live = live(&mut space, &id_m);
        let bd_live = live(&mut space, &bd_m);
        let rs_live = live(&mut space, &rs_m);
        let scp_live: Vec<Vec<Live>> = scp_m.iter().map(|m| live(&mut space, m)).collect();
        let rcp_live = live(&mut space, &rcp_m);

        let a = &mut space.arena;
        let allow_of =
            |a: &mut crate::reason::formula::Arena, live: &[Live], pick: &dyn Fn(&Live) -> bool| {
                let parts: Vec<NodeId> = live
                    .iter()
                    .filter(|l| l.effect == Effect::Allow && pick(l))
                    .map(|l| l.node)
                    .collect();
                a.or(parts)
            };
        let mut denies: Vec<NodeId> = Vec::new();
        for l in id_live
            .iter()
            .chain(&bd_live)
            .chain(&rs_live)
            .chain(scp_live.iter().flatten())
            .chain(&rcp_live)
        {
            if l.effect == Effect::Deny {
                denies.push(l.node);
            }
        }
        let d = a.or(denies);
        let scp_ok_parts: Vec<NodeId> =
            scp_live.iter().map(|l| allow_of(a, l, &|_| true)).collect();
        let scp_ok = a.and(scp_ok_parts);
        let id_allow = if is_root {
            TRUE
        } else {
            allow_of(a, &id_live, &|_| true)
        };
        let bd_ok = if boundary_applies {
            allow_of(a, &bd_live, &|_| true)
        } else {
            TRUE
        };
        let s_ok = if session_ok { TRUE } else { FALSE };
        let r_any = allow_of(a, &rs_live, &|_| true);
        let r_exact = allow_of(a, &rs_live, &|l| l.grant == Grant::Exact);
        let r_role = allow_of(a, &rs_live, &|l| l.grant == Grant::Role);
        let idpath = if iam {
            a.and([id_allow, bd_ok, s_ok])
        } else {
            FALSE
        };
        let bs = a.and2(bd_ok, s_ok);
        let allowed = if !iam {
            r_any
        } else if req.is_same_account() {
            let sufficient = if is_role_trust(&req) {
                let er = a.or2(r_exact, r_role);
                a.and2(er, bs)
            } else {
                let rb = a.and2(r_role, bs);
                a.or2(r_exact, rb)
            };
            let either = a.or2(sufficient, idpath);
            if resource_policy_required(&req) {
                a.and2(r_any, either)
            } else {
                either
            }
        } else {
            a.and2(r_any, idpath)
        };
        let nd = a.not(d);
        let mut total = a.and([allowed, nd, scp_ok]);
        if total == FALSE {
            return Answer::Denied;
        }
        for (key, pattern) in ask.shapes {
            let any = space.key_label(key, Pred::Lang(Lang::glob("*", false)));
            let fits = space.key_label(key, Pred::Lang(Lang::glob(pattern, false)));
            if let (Some(any), Some(fits)) = (any, fits) {
                let none = space.arena.not(any);
                let ok = space.arena.or2(none, fits);
                total = space.arena.and2(total, ok);
            }
        }
        let given = context.len();
        let answer = self.solve_and_check(
            ask,
            space,
            total,
            Some((caller.clone(), context)),
            identity,
            external,
            budget,
        );
        if let Some(key) = memo_key {
            let value = match &answer {
                Answer::Allowed(w) => Some(Some(
                    w.context.iter().skip(given).cloned().collect::<Vec<_>>(),
                )),
                Answer::Denied => Some(None),
                Answer::Undecided(_) => None,
            };
            if let Some(v) = value {
                if self.memo.len() > 100_000 {
                    self.memo.clear();
                }
                self.memo.insert(key, v);
            }
        }
        answer
    }

    /// Callers outside the zone whose identity the analysis does not fix.
    fn decide_open(&mut self, ask: &Ask<'_>, budget: u64) -> Answer {
        let dummy = build_request(
            &Caller::Anonymous,
            ask.action,
            ask.resource,
            ask.resource_account,
            &ask.context,
        );
        let mut space = Space::new(ask.partition, Actions::Finite(universe()));
        let mut all: Vec<&CompiledPolicy> = ask.resource_policy.map(|p| &**p).into_iter().collect();
        let rcp_levels: &[Vec<Shared>] = if rcp_applies(&dummy) { ask.rcp } else { &[] };
        all.extend(rcp_levels.iter().flatten().map(|p| &**p));
        space.declare_multi_from(&all);
        for (k, v) in &ask.context {
            if let ContextValue::One(s) = v {
                space.set_constant(k, Some(s));
            }
        }
        space.set_constant("aws:ResourceAccount", Some(ask.resource_account));
        let anyone = matches!(ask.who, Who::Anyone { .. });
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        // The resource policy comes first; RCPs only ever deny.
        let resource_count = usize::from(ask.resource_policy.is_some());
        for (pi, p) in all.iter().enumerate() {
            let is_rcp = pi >= resource_count;
            for s in p.statements() {
                if is_rcp && s.effect == Effect::Allow {
                    continue;
                }
                if !action_resource_match(s, &dummy) {
                    continue;
                }
                fix_absent(&mut space, s, ask.absent_prefixes, dummy.context());
                let principal = match &s.principal {
                    Some(m)
                        if s.effect == Effect::Allow
                            && anyone
                            && !m.negated
                            && !m.values.contains(&PrincipalValue::Any) =>
                    {
                        FALSE
                    }
                    Some(m) => space.principal(m),
                    None => TRUE,
                };
                let mut parts = vec![principal];
                parts.extend(s.conditions.iter().map(|c| space.condition(c)));
                let node = space.arena.and(parts);
                match s.effect {
                    Effect::Allow if s.principal.is_some() => allows.push(node),
                    Effect::Allow => {}
                    Effect::Deny => denies.push(node),
                }
            }
        }
        let who = match &ask.who {
            Who::Account(a) => {
                let k = space.kind_in(&[Kind::User, Kind::Role]);
                let acct = space.account_is(&Lang::literal(a, false));
                space.arena.and2(k, acct)
            }
            Who::Anyone { anonymous } => {
                let k = space.kind_in(&[Kind::User, Kind::Role]);
                let inside = space.account_in(ask.zone_accounts);
                let outside = space.arena.not(inside);
                let iam = space.arena.and2(k, outside);
                if *anonymous {
                    let anon = space.kind_in(&[Kind::Anonymous]);
                    space.arena.or2(iam, anon)
                } else {
                    iam
                }
            }
            Who::Known { .. } => FALSE,
        };
        // A caller outside an organization zone is not in that organization.
        let who = match ask.outside_org {
            Some(org) => {
                let inside = space
                    .key_label("aws:principalorgid", Pred::Lang(Lang::literal(org, false)))
                    .unwrap_or(FALSE);
                let outside = space.arena.not(inside);
                space.arena.and2(who, outside)
            }
            None => who,
        };
        let a = &mut space.arena;
        let r = a.or(allows);
        let d = a.or(denies);
        let nd = a.not(d);
        let total = a.and([who, r, nd]);
        if total == FALSE {
            return Answer::Denied;
        }
        self.solve_and_check(ask, space, total, None, Arc::from(Vec::new()), true, budget)
    }

    #[allow(clippy::too_many_arguments)]
    fn solve_and_check(
        &mut self,
        ask: &Ask<'_>,
        space: Space,
        total: NodeId,
        known: Option<(Caller, Vec<(String, ContextValue)>)>,
        identity: Arc<[Shared]>,
        external: bool,
        budget: u64,
    ) -> Answer {
        let mut space = space;
        let base = space.base;
        let root = space.arena.and2(base, total);
        let mut budget = budget;
        // A memo is only valid for one space: dimensions and atoms are numbered per space.
        let mut memo = Memo::default();
        let model = match solve(&space.arena, &mut memo, &mut budget, root) {
            Ok(Some(m)) => m,
            Ok(None) => return Answer::Denied,
            Err(_) => {
                return Answer::Undecided(format!(
                    "deciding `{}` on `{}` needs more work than the budget allows",
                    ask.action, ask.resource
                ))
            }
        };
        let (caller, mut context) = match known {
            Some(k) => k,
            None => {
                let Some((caller, role_arn)) = space.caller(&model) else {
                    return Answer::Undecided("the symbolic core gave no caller".into());
                };
                let mut context = ask.context.clone();
                if let Some(r) = role_arn {
                    context.push(("aws:PrincipalArn".into(), ContextValue::One(r)));
                }
                if let Val::One(u) = model.value(space.uid) {
                    if matches!(caller, Caller::User { .. } | Caller::Role { .. }) {
                        context.push(("aws:userid".into(), ContextValue::One(u.clone())));
                    }
                }
                (caller, context)
            }
        };
        let mut chosen = Vec::new();
        let mut keys: Vec<_> = space.keys.values().collect();
        keys.sort_by(|a, b| a.spelled.cmp(&b.spelled));
        for k in keys {
            let v = match model.value(k.dim) {
                Val::Absent => continue,
                Val::One(v) => ContextValue::One(v.clone()),
                Val::Set(vs) => ContextValue::Many(vs.clone()),
            };
            if context
                .iter()
                .any(|(c, _)| c.eq_ignore_ascii_case(&k.spelled))
            {
                continue;
            }
            chosen.push(k.spelled.to_string());
            context.push((k.spelled.to_string(), v));
        }
        let Some(identity) = self.identity_for(ask, &caller, external, identity) else {
            return Answer::Denied;
        };
        let req = build_request(
            &caller,
            ask.action,
            ask.resource,
            ask.resource_account,
            &context,
        );
        match self.check(ask, &req, caller, context, chosen, identity, external) {
            Some(w) => Answer::Allowed(self.tidy(ask, w, external)),
            None => Answer::Undecided(format!(
                "`{}` on `{}` may be allowed under conditions the analysis does not interpret (a policy variable in a condition, or a key used with operators of several types)",
                ask.action, ask.resource
            )),
        }
    }
}

impl Decider {
    /// Make a witness's chosen values read well: drop the keys the request does not need, and
    /// prefer values written in the policies (or `true` / `false`) to the solver's own.
    fn tidy(&mut self, ask: &Ask<'_>, w: Box<Witness>, external: bool) -> Box<Witness> {
        let mut w = w;
        let policies: Vec<Shared> = w.policies().cloned().collect();
        let keys: Vec<String> = w.chosen.to_vec();
        for key in keys {
            let lower = key.to_ascii_lowercase();
            let Some(pos) = w.context.iter().position(|(k, _)| *k == key) else {
                continue;
            };
            let mut candidates: Vec<Option<ContextValue>> = vec![None];
            for p in &policies {
                for st in p.statements() {
                    for c in &st.conditions {
                        if *c.key == *lower {
                            for t in &c.texts {
                                if !t.contains(['*', '?', '$']) {
                                    candidates.push(Some(ContextValue::One(t.clone())));
                                }
                            }
                        }
                    }
                }
            }
            candidates.push(Some(ContextValue::One("true".into())));
            candidates.push(Some(ContextValue::One("false".into())));
            if let Some((_, ContextValue::One(v))) = w.context.get(pos) {
                candidates.push(Some(ContextValue::One(v.to_lowercase())));
            }
            for cand in candidates {
                let mut context = w.context.to_vec();
                match &cand {
                    None => {
                        context.remove(pos);
                    }
                    Some(v) => {
                        if let Some(slot) = context.get_mut(pos) {
                            if slot.1 == *v {
                                break;
                            }
                            slot.1 = v.clone();
                        }
                    }
                }
                let req = build_request(
                    &w.caller,
                    &w.action,
                    &w.resource,
                    &w.resource_account,
                    &context,
                );
                let chosen: Vec<String> = if cand.is_none() {
                    w.chosen.iter().filter(|k| **k != key).cloned().collect()
                } else {
                    w.chosen.to_vec()
                };
                if let Some(better) = self.check(
                    ask,
                    &req,
                    (*w.caller).clone(),
                    context,
                    chosen,
                    w.identity.clone(),
                    external,
                ) {
                    w = better;
                    break;
                }
            }
        }
        w
    }
}

/// Whether a statement's principal element names everyone.
fn names_everyone(s: &crate::policy::compile::CompiledStatement) -> bool {
    match &s.principal {
        Some(m) => m.negated || m.values.contains(&PrincipalValue::Any),
        None => false,
    }
}

/// Fix as missing the keys of a statement's conditions that are facts the request lacks.
fn fix_absent(
    space: &mut Space,
    s: &crate::policy::compile::CompiledStatement,
    prefixes: &[&str],
    context: &crate::eval::Context,
) {
    for c in &s.conditions {
        if prefixes.iter().any(|p| c.key.starts_with(p)) && context.get(&c.key).is_none() {
            space.set_constant(&c.key, None);
        }
    }
}

type Matched<'p> = Vec<(&'p crate::policy::compile::CompiledStatement, Grant)>;

/// The statements whose principal, action and resource elements match the request.
fn matched<'p>(
    policies: impl Iterator<Item = &'p Shared>,
    req: &Request,
    boundary: bool,
) -> Matched<'p> {
    let mut out = Vec::new();
    for p in policies {
        for s in p.statements() {
            if let Some(g) = statement_matches(s, req, boundary) {
                out.push((s, g));
            }
        }
    }
    out
}

/// The request of `ask` as it stands: its context, with `aws:PrincipalArn` added for a role
/// session that does not carry it, and the request built from it.
fn request_as_it_stands(ask: &Ask<'_>, caller: &Caller) -> (Vec<(String, ContextValue)>, Request) {
    let mut context = ask.context.clone();
    if let Caller::Role { role_arn, .. } = caller {
        if !context
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("aws:PrincipalArn"))
        {
            context.push((
                "aws:PrincipalArn".into(),
                ContextValue::One(role_arn.clone()),
            ));
        }
    }
    let req = build_request(
        caller,
        ask.action,
        ask.resource,
        ask.resource_account,
        &context,
    );
    (context, req)
}
