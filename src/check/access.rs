//! `CheckAccessNotGranted`: does the policy allow a listed action on a listed resource?
//!
//! Semantics (Access Analyzer API reference, `CheckAccessNotGranted`): with only actions, `FAIL`
//! when the policy allows any of them on any resource; with only resources, when it allows any
//! action on any of them; with both, when it allows a listed action on a listed resource. Entries
//! are read as a policy reads them: actions as case-insensitive wildcard patterns, resources as
//! ARN patterns (`*` alone is any resource).

use super::query::{
    allow_deny, counterexample_json, decide, reason_summaries, statement_nodes, Built, Evaluator,
    Question, Slot,
};
use super::{Access, CheckResult, Checker, Outcome, PolicyType};
use crate::arn::ArnPattern;
use crate::error::Error;
use crate::eval::Case;
use crate::pattern::{Case as PatCase, Pattern};
use crate::policy::{CompiledPolicy, CompiledStatement, Effect};
use crate::reason::formula::{NodeId, TRUE};
use crate::reason::lang::Lang;
use crate::reason::space::Actions;
use std::sync::Arc;

pub(super) fn run(
    checker: &Checker,
    policy: &Arc<CompiledPolicy>,
    access: &Access,
    policy_type: PolicyType,
) -> Result<CheckResult, Error> {
    let q = Question {
        checker,
        policy_type,
        actions: Actions::Open,
        policies: vec![policy],
        polish: true,
        prefer_anonymous: false,
        owner: None,
    };
    let build = |q: &mut super::query::Query, policies: &[&[CompiledStatement]], _: &mut u64| {
        let sp = &mut q.space;
        let nodes = statement_nodes(sp, policies.first().copied().unwrap_or(&[]));
        let (_, deny) = allow_deny(sp, &nodes);
        let no_deny = sp.arena.not(deny);
        let actions = if access.actions.is_empty() {
            TRUE
        } else {
            sp.action_patterns(access.actions.iter().map(String::as_str))
        };
        let resources = if access.resources.is_empty() {
            TRUE
        } else {
            let parts: Vec<NodeId> = access
                .resources
                .iter()
                .map(|r| {
                    if r == "*" {
                        TRUE
                    } else {
                        sp.resource_in(Lang::arn(r))
                    }
                })
                .collect();
            sp.arena.or(parts)
        };
        // The search takes the parts of a conjunction last first: the listed access, then the
        // statement, then the denies.
        let statements: Vec<(usize, NodeId)> = nodes
            .iter()
            .filter(|(_, e, _)| *e == Effect::Allow)
            .map(|(i, _, n)| (*i, sp.arena.and([no_deny, *n, actions, resources])))
            .collect();
        let root = sp.arena.or(statements.iter().map(|(_, n)| *n));
        Ok(Built {
            root,
            statements,
            extra: TRUE,
        })
    };
    let action_pats: Vec<Pattern> = access
        .actions
        .iter()
        .map(|a| Pattern::new(a, PatCase::Insensitive))
        .collect();
    let resource_pats: Vec<ArnPattern> = access
        .resources
        .iter()
        .map(|r| ArnPattern::new(r))
        .collect();
    let eval = Evaluator::new(policy_type, policy, None);
    let accept = |case: &Case| -> Result<Option<Vec<usize>>, Error> {
        let listed_action =
            action_pats.is_empty() || action_pats.iter().any(|p| p.matches(&case.action));
        let listed_resource = resource_pats.is_empty()
            || resource_pats
                .iter()
                .any(|p| p.is_any() || p.matches(&case.resource));
        if !(listed_action && listed_resource) {
            return Ok(None);
        }
        eval.allows(case, Slot::Subject)
    };
    let answer = decide(&q, &build, &accept)?;
    let Some(case) = answer.counterexample else {
        return Ok(CheckResult {
            result: Outcome::Pass,
            message: "the policy does not grant the listed access".into(),
            reasons: Vec::new(),
            counterexample: None,
        });
    };
    let reasons = reason_summaries(&answer.reasons, policy, "some of the listed access");
    Ok(CheckResult {
        result: Outcome::Fail,
        message: "the policy grants some of the listed access".into(),
        reasons,
        counterexample: Some(counterexample_json(
            &case,
            "a request for listed access that the policy allows",
        )),
    })
}
