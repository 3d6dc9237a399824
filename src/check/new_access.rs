//! `CheckNoNewAccess`: is some request allowed by the new policy and not by the existing one?

use super::query::{allow_deny, decide, statement_nodes, Built, Evaluator, Question, Slot};
use super::{CheckResult, Checker, Outcome, PolicyType, ReasonSummary};
use crate::error::Error;
use crate::eval::Case;
use crate::policy::{CompiledPolicy, CompiledStatement, Effect};
use crate::reason::formula::TRUE;
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
    let build = |q: &mut super::query::Query, policies: &[&[CompiledStatement]], _: &mut u64| {
        let sp = &mut q.space;
        let new_nodes = statement_nodes(sp, policies.first().copied().unwrap_or(&[]));
        let old_nodes = statement_nodes(sp, policies.get(1).copied().unwrap_or(&[]));
        let (new_allow, new_deny) = allow_deny(sp, &new_nodes);
        let (old_allow, old_deny) = allow_deny(sp, &old_nodes);
        let no_new_deny = sp.arena.not(new_deny);
        let old_allows = {
            let nd = sp.arena.not(old_deny);
            sp.arena.and2(old_allow, nd)
        };
        let not_old = sp.arena.not(old_allows);
        let root = sp.arena.and([new_allow, no_new_deny, not_old]);
        let statements = new_nodes
            .iter()
            .filter(|(_, e, _)| *e == Effect::Allow)
            .map(|(i, _, n)| (*i, sp.arena.and([*n, no_new_deny, not_old])))
            .collect();
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

/// The case as `perimeter eval` input, with a description and the decision to expect.
pub(super) fn counterexample_json(case: &Case, description: &str) -> Value {
    let mut v = case.to_json_value();
    if let Value::Object(m) = &mut v {
        m.insert("description".into(), Value::String(description.into()));
        m.insert("expect".into(), serde_json::json!({"decision": "Allow"}));
    }
    v
}
