//! `CheckNoNewAccess`: is some request allowed by the new policy and not by the existing one?

use super::query::{decide, statement_nodes, Built, Evaluator, Question, Slot};
use super::{CheckResult, Checker, Outcome, PolicyType, ReasonSummary};
use crate::error::Error;
use crate::eval::Case;
use crate::pattern::Pattern;
use crate::policy::{CompiledPolicy, CompiledStatement, Effect};
use crate::reason::formula::{NodeId, TRUE};
use crate::reason::space::Actions;
use serde_json::Value;

pub(super) fn run(
    checker: &Checker,
    new: &CompiledPolicy,
    existing: &CompiledPolicy,
    policy_type: PolicyType,
) -> Result<CheckResult, Error> {
    let q = Question {
        checker,
        policy_type,
        // Any action text: a PASS then also holds for actions the reference does not list yet
        // (see `manual::checks`); counterexamples prefer real actions.
        actions: Actions::Open,
        policies: vec![new, existing],
        polish: true,
        prefer_anonymous: false,
        owner: None,
    };
    // Statements written the same way in both policies (up to `Sid`) mean the same: an Allow of
    // the new policy that the existing policy also has adds access only where an existing Deny
    // the new policy lacks applies. This keeps "a policy against itself, reordered or with one
    // statement changed" from asking the solver to refute every statement again.
    let new_keys = statement_keys(new);
    let old_keys = statement_keys(existing);
    let kept_allow = |i: usize| {
        new_keys.get(i).is_some_and(|k| {
            old_keys
                .iter()
                .any(|(e, o)| *e == Effect::Allow && o == &k.1)
        })
    };
    let build = |q: &mut super::query::Query, policies: &[&[CompiledStatement]], _: &mut u64| {
        let sp = &mut q.space;
        let new_st = policies.first().copied().unwrap_or(&[]);
        let old_st = policies.get(1).copied().unwrap_or(&[]);
        let new_nodes = statement_nodes(sp, new_st);
        let old_nodes = statement_nodes(sp, old_st);
        // The existing policy's denies that the new policy does not also have.
        let dropped: Vec<bool> = old_keys
            .iter()
            .map(|(e, k)| {
                *e == Effect::Deny && !new_keys.iter().any(|(f, n)| *f == Effect::Deny && n == k)
            })
            .collect();
        // Each Allow of the new policy, one action pattern at a time: only statements that can
        // apply to an action of the pattern take part (the others cannot apply when it does, and
        // the search would otherwise try to refute each of them).
        let mut statements: Vec<(usize, NodeId)> = Vec::new();
        for ((i, effect, node), st) in new_nodes.iter().zip(new_st) {
            if *effect != Effect::Allow {
                continue;
            }
            let mut parts = Vec::new();
            for p in pattern_cases(st) {
                let on = |s: &CompiledStatement| p.as_ref().is_none_or(|p| may_apply(p, s));
                let pick = |nodes: &[(usize, Effect, NodeId)],
                            sts: &[CompiledStatement],
                            want: &dyn Fn(usize, Effect) -> bool| {
                    nodes
                        .iter()
                        .zip(sts)
                        .enumerate()
                        .filter(|(k, ((_, e, _), s))| want(*k, *e) && on(s))
                        .map(|(_, ((_, _, n), _))| *n)
                        .collect::<Vec<NodeId>>()
                };
                let new_deny = pick(&new_nodes, new_st, &|_, e| e == Effect::Deny);
                let new_deny = sp.arena.or(new_deny);
                let no_new_deny = sp.arena.not(new_deny);
                let outside = if kept_allow(*i) {
                    let d = pick(&old_nodes, old_st, &|k, _| dropped.get(k) == Some(&true));
                    sp.arena.or(d)
                } else {
                    let a = pick(&old_nodes, old_st, &|_, e| e == Effect::Allow);
                    let d = pick(&old_nodes, old_st, &|_, e| e == Effect::Deny);
                    let a = sp.arena.or(a);
                    let d = sp.arena.or(d);
                    let nd = sp.arena.not(d);
                    let allows = sp.arena.and2(a, nd);
                    sp.arena.not(allows)
                };
                let action = match &p {
                    Some(p) => sp.action_patterns(std::iter::once(p.as_str())),
                    None => TRUE,
                };
                // The search takes the parts of a conjunction last first: the action, the new
                // policy's grant (which fixes the request), its denies, then the existing policy.
                parts.push(sp.arena.and([outside, no_new_deny, *node, action]));
            }
            statements.push((*i, sp.arena.or(parts)));
        }
        let root = sp.arena.or(statements.iter().map(|(_, n)| *n));
        Ok(Built {
            root,
            statements,
            extra: TRUE,
        })
    };
    let eval = Evaluator::new(policy_type, new, Some(existing));
    let accept = |case: &Case, statement: Option<usize>| -> Result<bool, Error> {
        if !eval.allows(case, Slot::Subject, statement)? {
            return Ok(false);
        }
        Ok(!eval.allows(case, Slot::Other, None)?)
    };
    let answer = decide(&q, &build, &accept)?;
    let Some(case) = answer.counterexample else {
        return Ok(CheckResult {
            result: Outcome::Pass,
            message: "the new policy grants no access that the existing policy does not grant"
                .into(),
            reasons: Vec::new(),
            counterexample: None,
        });
    };
    let reasons = answer
        .reasons
        .iter()
        .map(|(i, confirmed)| {
            let sid = new
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
                description: format!("{name} {verb} access that the existing policy does not"),
                statement_index: Some(*i),
                statement_id: sid,
            }
        })
        .collect();
    Ok(CheckResult {
        result: Outcome::Fail,
        message: "the new policy grants access that the existing policy does not grant".into(),
        reasons,
        counterexample: Some(counterexample_json(
            &case,
            "a request the new policy allows and the existing policy does not (the new policy is in place)",
        )),
    })
}

/// The action patterns of a statement's `Action` element, one case each (deduplicated), or one
/// case of any action for `NotAction` and `*`.
fn pattern_cases(s: &CompiledStatement) -> Vec<Option<Pattern>> {
    let m = &s.actions;
    if m.any || m.negated || m.patterns.is_empty() {
        return vec![None];
    }
    let mut out: Vec<Option<Pattern>> = Vec::new();
    for p in &m.patterns {
        if !out.iter().any(|q| {
            q.as_ref()
                .is_some_and(|q| q.as_str().eq_ignore_ascii_case(p.as_str()))
        }) {
            out.push(Some(p.clone()));
        }
    }
    out
}

/// The literal service prefix of an action pattern (`s3` in `s3:Get*`).
fn service(p: &Pattern) -> Option<&str> {
    let (svc, _) = p.as_str().split_once(':')?;
    (!svc.contains(['*', '?'])).then_some(svc)
}

/// Whether two action patterns can match a common action (`false` only when that is sure:
/// different literal services, or a literal action the other pattern does not match).
fn patterns_meet(p: &Pattern, q: &Pattern) -> bool {
    if let (Some(a), Some(b)) = (service(p), service(q)) {
        if !a.eq_ignore_ascii_case(b) {
            return false;
        }
    }
    if p.is_literal() {
        return q.matches(p.as_str());
    }
    if q.is_literal() {
        return p.matches(q.as_str());
    }
    true
}

/// Whether statement `s` can apply to some action of pattern `p`.
fn may_apply(p: &Pattern, s: &CompiledStatement) -> bool {
    let m = &s.actions;
    match (m.any, m.negated) {
        (true, false) => true,
        (true, true) => false,
        // `NotAction`: applies unless every action of `p` is listed; sure only for a literal.
        (false, true) => !(p.is_literal() && m.patterns.iter().any(|q| q.matches(p.as_str()))),
        (false, false) => m.patterns.iter().any(|q| patterns_meet(p, q)),
    }
}

/// Each statement's effect and text (its JSON without `Sid`, with the policy's version, which
/// decides whether variables are read).
fn statement_keys(p: &CompiledPolicy) -> Vec<(Effect, String)> {
    let policy = p.policy();
    let version = policy
        .version
        .as_ref()
        .map(|v| v.value.as_str())
        .unwrap_or("");
    policy
        .statements
        .iter()
        .map(|s| {
            let one = crate::policy::Policy {
                version: policy.version.clone(),
                id: None,
                statements: vec![s.clone()],
                statement_is_array: true,
                span: s.span,
            };
            let mut v = one.to_json_value();
            if let Some(Value::Object(st)) = v
                .get_mut("Statement")
                .and_then(|x| x.as_array_mut())
                .and_then(|a| a.first_mut())
            {
                st.remove("Sid");
            }
            (s.effect.value, format!("{version}{v}"))
        })
        .collect()
}

/// The case as `perimeter eval` input, with a description and the decision to expect.
pub(super) fn counterexample_json(case: &Case, description: &str) -> Value {
    let mut v = case.to_json_value();
    if let Value::Object(m) = &mut v {
        m.insert("description".into(), Value::String(description.into()));
        m.insert("expect".into(), serde_json::json!({"decision": "Allow"}));
    }
    v
}
