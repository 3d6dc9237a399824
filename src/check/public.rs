//! `CheckNoPublicAccess`: would the policy, attached to a resource of a type, grant access to
//! anyone?
//!
//! "Public" is the `isPublic` of external access findings (`analyze`): a finding is public when
//! its principal is `*` (or a web identity provider) and none of its condition labels pins the
//! caller (`analyze::pins`). Findings are the maximal label combinations (intents) whose
//! *region* (inside each label, outside the labels just below it) holds an allowed external
//! request; a request lies in the region of a label exactly when that label is a smallest label
//! holding it. So the policy has a public finding exactly when some allowed external request
//! has, in every finding dimension, a smallest label holding it that is open: one question to
//! the solver. A test checks this against the findings of `analyze` for the same policies.

use super::new_access::counterexample_json;
use super::query::{
    accounts_mentioned, allow_deny, decide, fresh_account, statement_nodes, Built, Evaluator,
    Question, Slot,
};
use super::resource_type::loose_format_lang;
use super::{AccessCheckResourceType, CheckResult, Checker, Outcome, PolicyType, ReasonSummary};
use crate::analyze::lattice::{build_dims, Ctx, Display, LabelDim};
use crate::analyze::{pins, ZoneOfTrust};
use crate::error::Error;
use crate::eval::{Caller, Case};
use crate::policy::{CompiledPolicy, CompiledStatement, Effect};
use crate::reason::formula::{NodeId, TRUE};
use crate::reason::space::{Actions, Space};

/// The request shape of a resource: which actions act on which resource ARNs.
pub(super) type Shape<'a> = &'a dyn Fn(&mut Space) -> NodeId;

pub(super) fn run(
    checker: &Checker,
    policy: &CompiledPolicy,
    resource_type: AccessCheckResourceType,
) -> Result<CheckResult, Error> {
    let u = resource_type.universe();
    let shape = |sp: &mut Space| {
        let partition = sp.partition.clone();
        let mut parts = Vec::new();
        for (_, idx, formats) in &u.kinds {
            let acts = sp.action_in(idx);
            let rs: Vec<NodeId> = formats
                .iter()
                .map(|f| sp.resource_in(loose_format_lang(f, &partition)))
                .collect();
            let r = sp.arena.or(rs);
            parts.push(sp.arena.and2(acts, r));
        }
        sp.arena.or(parts)
    };
    let (outcome, reasons, case) = decide_public(checker, policy, &u.actions, &shape, &[])?;
    let t = resource_type.as_str();
    Ok(match case {
        None => CheckResult {
            result: outcome,
            message: format!("the policy grants no public access to a resource of type `{t}`"),
            reasons: Vec::new(),
            counterexample: None,
        },
        Some(case) => CheckResult {
            result: outcome,
            message: format!("the policy grants public access to a resource of type `{t}`"),
            reasons,
            counterexample: Some(counterexample_json(
                &case,
                "a request from outside the resource's account, by a caller nothing in the policy pins down, that the policy allows",
            )),
        },
    })
}

/// Whether a label of a finding dimension leaves the finding public.
fn open(d: &LabelDim, l: usize) -> bool {
    let Some(label) = d.labels.get(l) else {
        return false;
    };
    match (&d.key, &label.display) {
        (_, Display::Top) => true,
        (None, Display::Principal(kind, value)) => {
            *kind == "Federated" && !value.starts_with("arn:")
        }
        (Some(key), Display::Value(v)) => !pins(key, v),
        _ => false,
    }
}

/// "Some smallest label of the dimension holding the request is open".
fn open_region(sp: &mut Space, d: &LabelDim) -> NodeId {
    let mut parts = Vec::new();
    for (l, label) in d.labels.iter().enumerate() {
        if !open(d, l) {
            continue;
        }
        let kids: Vec<NodeId> = d
            .children
            .get(l)
            .map(|c| {
                c.iter()
                    .filter_map(|k| d.labels.get(*k).map(|x| x.node))
                    .collect()
            })
            .unwrap_or_default();
        let below = sp.arena.or(kids);
        let not_below = sp.arena.not(below);
        parts.push(sp.arena.and2(label.node, not_below));
    }
    sp.arena.or(parts)
}

/// Decide publicness over a universe of actions and a request shape, with keys fixed by
/// `constants`. Returns the outcome, the reasons, and the counterexample.
pub(super) fn decide_public(
    checker: &Checker,
    policy: &CompiledPolicy,
    actions: &[String],
    shape: Shape<'_>,
    constants: &[(&str, &str)],
) -> Result<(Outcome, Vec<ReasonSummary>, Option<Case>), Error> {
    let mentioned = accounts_mentioned(&[policy]);
    let avoid: Vec<&str> = mentioned.iter().map(String::as_str).collect();
    let owner = fresh_account(&avoid);
    let q = Question {
        checker,
        policy_type: PolicyType::Resource,
        actions: Actions::Finite(actions.to_vec()),
        policies: vec![policy],
        polish: false,
        owner: Some(owner.clone()),
    };
    let zone = ZoneOfTrust::account(&owner);
    let build = |q: &mut super::query::Query,
                 policies: &[&[CompiledStatement]],
                 budget: &mut u64|
     -> Result<Built, Error> {
        for (k, v) in constants {
            q.space.set_constant(k, Some(v));
        }
        let nodes = statement_nodes(&mut q.space, policies.first().copied().unwrap_or(&[]));
        let (_, deny) = allow_deny(&mut q.space, &nodes);
        let no_deny = q.space.arena.not(deny);
        let ext = zone.external(&mut q.space);
        let shape = shape(&mut q.space);
        let dims = {
            let mut ctx = Ctx {
                space: &mut q.space,
                memo: &mut q.memo,
                budget,
            };
            build_dims(&mut ctx, &[policy]).map_err(|_| super::query::budget_error())?
        };
        let mut public = vec![no_deny, ext, shape];
        for d in &dims {
            public.push(open_region(&mut q.space, d));
        }
        let public = q.space.arena.and(public);
        let statements: Vec<(usize, NodeId)> = nodes
            .iter()
            .filter(|(_, e, _)| *e == Effect::Allow)
            .map(|(i, _, n)| (*i, q.space.arena.and2(*n, public)))
            .collect();
        let root = q.space.arena.or(statements.iter().map(|(_, n)| *n));
        Ok(Built {
            root,
            statements,
            extra: TRUE,
        })
    };
    let eval = Evaluator::new(PolicyType::Resource, policy, None);
    let accept = |case: &Case, statement: Option<usize>| -> Result<bool, Error> {
        let external = match &case.principal {
            Caller::Service { .. } => false,
            c => c.account() != Some(owner.as_str()),
        };
        Ok(external && eval.allows(case, Slot::Subject, statement)?)
    };
    let answer = decide(&q, &build, &accept)?;
    let Some(case) = answer.counterexample else {
        return Ok((Outcome::Pass, Vec::new(), None));
    };
    let reasons = answer
        .reasons
        .iter()
        .map(|(i, confirmed)| {
            let sid = policy
                .statements()
                .get(*i)
                .and_then(|s| s.sid())
                .map(str::to_string);
            let name = match &sid {
                Some(s) => format!("statement {i} (`{s}`)"),
                None => format!("statement {i}"),
            };
            let verb = if *confirmed { "grants" } else { "may grant" };
            ReasonSummary {
                description: format!("{name} {verb} public access"),
                statement_index: Some(*i),
                statement_id: sid,
            }
        })
        .collect();
    Ok((Outcome::Fail, reasons, Some(case)))
}
