//! `CheckNoNewAccess`: is some request allowed by the new policy and not by the existing one?

use super::query::{
    counterexample_json, decide, reason_summaries, Built, Evaluator, Question, Slot,
};
use super::{CheckResult, Checker, Outcome, PolicyType};
use crate::error::Error;
use crate::eval::Case;
use crate::pattern::Pattern;
use crate::policy::{CompiledPolicy, CompiledStatement, Effect};
use crate::reason::formula::{NodeId, TRUE};
use crate::reason::space::Actions;
use std::sync::Arc;

pub(super) fn run(
    checker: &Checker,
    new: &Arc<CompiledPolicy>,
    existing: &Arc<CompiledPolicy>,
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
    let shared = shared_statements(new, existing);
    let kept_allow = |i: usize| {
        new.statements()
            .get(i)
            .is_some_and(|s| s.effect() == Effect::Allow && shared.new.get(i) == Some(&true))
    };
    let build = |q: &mut super::query::Query, policies: &[&[CompiledStatement]], _: &mut u64| {
        let sp = &mut q.space;
        let new_st = policies.first().copied().unwrap_or(&[]);
        let old_st = policies.get(1).copied().unwrap_or(&[]);
        // Statement formulas are built when a question needs them: statements both policies
        // share, and statements no pattern of a changed grant can reach, never are.
        let mut new_nodes = Lazy::new(new_st);
        let mut old_nodes = Lazy::new(old_st);
        // The existing policy's denies that the new policy does not also have.
        let dropped: Vec<bool> = old_st
            .iter()
            .enumerate()
            .map(|(k, s)| s.effect() == Effect::Deny && shared.old.get(k) != Some(&true))
            .collect();
        // Each Allow of the new policy, one action pattern at a time: only statements that can
        // apply to an action of the pattern take part (the others cannot apply when it does, and
        // the search would otherwise try to refute each of them).
        let mut statements: Vec<(usize, NodeId)> = Vec::new();
        for (i, st) in new_st.iter().enumerate() {
            if st.effect() != Effect::Allow {
                continue;
            }
            let kept = kept_allow(i);
            if kept && !dropped.iter().any(|d| *d) {
                // The existing policy has this grant and every deny the new one lacks.
                continue;
            }
            let mut parts = Vec::new();
            for p in pattern_cases(st) {
                let on = |s: &CompiledStatement| p.as_ref().is_none_or(|p| may_apply(p, s));
                let new_deny = new_nodes.pick(sp, |_, s| s.effect() == Effect::Deny && on(s));
                let new_deny = sp.arena.or(new_deny);
                let no_new_deny = sp.arena.not(new_deny);
                let outside = if kept {
                    let d = old_nodes.pick(sp, |k, s| dropped.get(k) == Some(&true) && on(s));
                    sp.arena.or(d)
                } else {
                    let a = old_nodes.pick(sp, |_, s| s.effect() == Effect::Allow && on(s));
                    let d = old_nodes.pick(sp, |_, s| s.effect() == Effect::Deny && on(s));
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
                let node = new_nodes.node(sp, i);
                // The search takes the parts of a conjunction last first: the action, the new
                // policy's grant (which fixes the request), its denies, then the existing policy.
                parts.push(sp.arena.and([outside, no_new_deny, node, action]));
            }
            statements.push((i, sp.arena.or(parts)));
        }
        let root = sp.arena.or(statements.iter().map(|(_, n)| *n));
        Ok(Built {
            root,
            statements,
            extra: TRUE,
        })
    };
    let eval = Evaluator::new(policy_type, new, Some(existing));
    let accept = |case: &Case| -> Result<Option<Vec<usize>>, Error> {
        let Some(through) = eval.allows(case, Slot::Subject)? else {
            return Ok(None);
        };
        Ok(eval.allows(case, Slot::Other)?.is_none().then_some(through))
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
    let reasons = reason_summaries(
        &answer.reasons,
        new,
        "access that the existing policy does not",
    );
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

/// Statement formulas, built on first use.
struct Lazy<'s> {
    statements: &'s [CompiledStatement],
    nodes: Vec<Option<NodeId>>,
}

impl<'s> Lazy<'s> {
    fn new(statements: &'s [CompiledStatement]) -> Lazy<'s> {
        Lazy {
            statements,
            nodes: vec![None; statements.len()],
        }
    }

    fn node(&mut self, sp: &mut crate::reason::space::Space, k: usize) -> NodeId {
        if let Some(Some(n)) = self.nodes.get(k) {
            return *n;
        }
        let n = self
            .statements
            .get(k)
            .map_or(crate::reason::formula::FALSE, |s| sp.statement(s));
        if let Some(slot) = self.nodes.get_mut(k) {
            *slot = Some(n);
        }
        n
    }

    /// The formulas of the statements `want` selects (by index and statement).
    fn pick(
        &mut self,
        sp: &mut crate::reason::space::Space,
        want: impl Fn(usize, &CompiledStatement) -> bool,
    ) -> Vec<NodeId> {
        let picked: Vec<usize> = self
            .statements
            .iter()
            .enumerate()
            .filter(|(k, s)| want(*k, s))
            .map(|(k, _)| k)
            .collect();
        picked.into_iter().map(|k| self.node(sp, k)).collect()
    }
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

/// Which statements of each policy the other policy also has, written the same way up to `Sid`
/// and layout (under the same version, which decides whether variables are read).
struct Shared {
    new: Vec<bool>,
    old: Vec<bool>,
}

fn shared_statements(new: &CompiledPolicy, old: &CompiledPolicy) -> Shared {
    use std::hash::{Hash, Hasher};
    let (a, b) = (new.policy(), old.policy());
    let mut out = Shared {
        new: vec![false; a.statements.len()],
        old: vec![false; b.statements.len()],
    };
    // The version decides whether variables are read: statements only mean the same under one.
    if a.version != b.version {
        return out;
    }
    // The policy model compares values, not where they were written; `Sid` is left out.
    let key = |s: &crate::policy::Statement| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            &s.effect,
            &s.principal,
            &s.action,
            &s.resource,
            &s.condition,
        )
            .hash(&mut h);
        h.finish()
    };
    let same = |x: &crate::policy::Statement, y: &crate::policy::Statement| {
        x.effect == y.effect
            && x.principal == y.principal
            && x.action == y.action
            && x.resource == y.resource
            && x.condition == y.condition
    };
    let old_keys: Vec<u64> = b.statements.iter().map(key).collect();
    for (i, x) in a.statements.iter().enumerate() {
        let k = key(x);
        for (j, y) in b.statements.iter().enumerate() {
            if old_keys.get(j) == Some(&k) && same(x, y) {
                if let Some(v) = out.new.get_mut(i) {
                    *v = true;
                }
                if let Some(v) = out.old.get_mut(j) {
                    *v = true;
                }
            }
        }
    }
    out
}
