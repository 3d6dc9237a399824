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

use super::query::{
    accounts_mentioned, allow_deny, counterexample_json, decide, fresh_account, reason_summaries,
    statement_nodes, Built, Evaluator, Question, Slot,
};
use super::{AccessCheckResourceType, CheckResult, Checker, Outcome, PolicyType, ReasonSummary};
use crate::analyze::lattice::{build_dims, Ctx, Display, LabelDim};
use crate::analyze::{pins, ZoneOfTrust};
use crate::error::Error;
use crate::eval::{Caller, Case};
use crate::policy::{CompiledPolicy, CompiledStatement, Effect};
use crate::reason::formula::{NodeId, TRUE};
use crate::reason::space::{Actions, Space};
use std::sync::Arc;

/// The request shape of a resource: which actions act on which resource ARNs.
pub(super) type Shape<'a> = &'a dyn Fn(&mut Space) -> NodeId;

pub(super) fn run(
    checker: &Checker,
    policy: &Arc<CompiledPolicy>,
    resource_type: AccessCheckResourceType,
) -> Result<CheckResult, Error> {
    let u = resource_type.universe();
    // Any action of the type, on any resource the policy names: policies name their resources
    // in their own words (API Gateway's `execute-api:/stage/GET/path`), so holding the resource
    // to the reference's ARN formats could hide access.
    let shape = |_: &mut Space| TRUE;
    let (outcome, reasons, case) = decide_public(checker, policy, &u.actions, &shape, &[], None)?;
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
    for l in 0..d.labels.len() {
        if open(d, l) {
            parts.push(d.region(sp, l));
        }
    }
    sp.arena.or(parts)
}

/// Decide publicness over a universe of actions and a request shape, with keys fixed by
/// `constants`, for a resource of `owner` (default: an account the policy does not mention).
/// Returns the outcome, the reasons, and the counterexample.
pub(super) fn decide_public(
    checker: &Checker,
    policy: &Arc<CompiledPolicy>,
    actions: &[String],
    shape: Shape<'_>,
    constants: &[(&str, &str)],
    owner: Option<&str>,
) -> Result<(Outcome, Vec<ReasonSummary>, Option<Case>), Error> {
    let owner = match owner {
        Some(o) => o.to_string(),
        None => {
            let mentioned = accounts_mentioned(&[policy]);
            let avoid: Vec<&str> = mentioned.iter().map(String::as_str).collect();
            fresh_account(&avoid)
        }
    };
    let q = Question {
        checker,
        policy_type: PolicyType::Resource,
        actions: Actions::Finite(actions.into()),
        policies: vec![policy],
        polish: true,
        prefer_anonymous: true,
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
        // The search takes the parts of a conjunction last first: the statement, the request's
        // shape, the zone, then the labels and the denies.
        let mut public = vec![no_deny];
        for d in &dims {
            public.push(open_region(&mut q.space, d));
        }
        public.extend([ext, shape]);
        let statements: Vec<(usize, NodeId)> = nodes
            .iter()
            .filter(|(_, e, _)| *e == Effect::Allow)
            .map(|(i, _, n)| {
                let mut parts = public.clone();
                parts.push(*n);
                (*i, q.space.arena.and(parts))
            })
            .collect();
        let root = q.space.arena.or(statements.iter().map(|(_, n)| *n));
        Ok(Built {
            root,
            statements,
            extra: TRUE,
        })
    };
    let eval = Evaluator::new(PolicyType::Resource, policy, None);
    let accept = |case: &Case| -> Result<Option<Vec<usize>>, Error> {
        let external = match &case.principal {
            Caller::Service { .. } => false,
            c => c.account() != Some(owner.as_str()),
        };
        if !external {
            return Ok(None);
        }
        eval.allows(case, Slot::Subject)
    };
    let answer = decide(&q, &build, &accept)?;
    let Some(case) = answer.counterexample else {
        return Ok((Outcome::Pass, Vec::new(), None));
    };
    let reasons = reason_summaries(&answer.reasons, policy, "public access");
    Ok((Outcome::Fail, reasons, Some(case)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{analyze_policy, Options, Resource, ResourceType};
    use crate::policy::Policy;
    use crate::reason::lang::{Lang, Mask, Tok};
    use serde_json::Value;

    /// How an action's resource relates to the analysed resource's ARN (as in `analyze`).
    enum Rel {
        Exact,
        Below(char),
        Infix(&'static str),
    }

    fn rel(kind: &str) -> Rel {
        match kind {
            "object" => Rel::Below('/'),
            "function alias" | "function version" => Rel::Below(':'),
            "index" => Rel::Infix("/index/"),
            _ => Rel::Exact,
        }
    }

    fn rel_lang(arn: &str, r: &Rel) -> Lang {
        let base = Lang::literal(arn, false);
        match r {
            Rel::Exact => base,
            Rel::Below(c) => base
                .then_tok(Tok::Char(*c))
                .then_tok(Tok::One(Mask::NONE))
                .then_tok(Tok::Run(Mask::NONE)),
            Rel::Infix(i) => base
                .then_str(i)
                .then_tok(Tok::One(Mask::NONE))
                .then_tok(Tok::Run(Mask::NONE)),
        }
    }

    /// A concrete ARN of the type that the policy's resources name, or a stand-in.
    fn arn_for(policy: &Value, t: ResourceType) -> String {
        let (prefix, fallback) = match t {
            ResourceType::S3Bucket => ("arn:aws:s3:::", "arn:aws:s3:::perimeter-bucket"),
            ResourceType::SqsQueue => ("arn:aws:sqs:", "arn:aws:sqs:us-east-1:111122223333:q"),
            ResourceType::SnsTopic => ("arn:aws:sns:", "arn:aws:sns:us-east-1:111122223333:t"),
            ResourceType::KmsKey => ("arn:aws:kms:", "arn:aws:kms:us-east-1:111122223333:key/k"),
            ResourceType::LambdaFunction => (
                "arn:aws:lambda:",
                "arn:aws:lambda:us-east-1:111122223333:function:f",
            ),
            ResourceType::SecretsManagerSecret => (
                "arn:aws:secretsmanager:",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:s",
            ),
            _ => (
                "arn:aws:iam::",
                "arn:aws:iam::111122223333:role/perimeter-role",
            ),
        };
        let statements = match &policy["Statement"] {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        for st in statements {
            let rs = match &st["Resource"] {
                Value::String(s) => vec![s.clone()],
                Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            for r in rs {
                let Some(rest) = r.strip_prefix(prefix) else {
                    continue;
                };
                let head = if t == ResourceType::S3Bucket {
                    format!("{prefix}{}", rest.split('/').next().unwrap_or(""))
                } else {
                    r.clone()
                };
                if !head.contains(['*', '?', '$']) && !head.ends_with(prefix) {
                    return head;
                }
            }
        }
        fallback.to_string()
    }

    /// `CheckNoPublicAccess` agrees with the `isPublic` of external access findings on every
    /// real resource policy of the data set, analysed for a resource its statements name.
    #[test]
    fn public_agrees_with_external_access_findings() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/resource-policies/");
        let files = [
            (
                "s3-bucket-policies.json",
                ResourceType::S3Bucket,
                AccessCheckResourceType::S3Bucket,
            ),
            (
                "sqs-queue-policies.json",
                ResourceType::SqsQueue,
                AccessCheckResourceType::SqsQueue,
            ),
            (
                "sns-topic-policies.json",
                ResourceType::SnsTopic,
                AccessCheckResourceType::SnsTopic,
            ),
            (
                "kms-key-policies.json",
                ResourceType::KmsKey,
                AccessCheckResourceType::KmsKey,
            ),
            (
                "lambda-function-policies.json",
                ResourceType::LambdaFunction,
                AccessCheckResourceType::LambdaFunction,
            ),
            (
                "secretsmanager-secret-policies.json",
                ResourceType::SecretsManagerSecret,
                AccessCheckResourceType::SecretsManagerSecret,
            ),
            (
                "trust-policies.json",
                ResourceType::IamRole,
                AccessCheckResourceType::IamAssumeRolePolicyDocument,
            ),
            (
                "trust-policies-from-authorization-details.json",
                ResourceType::IamRole,
                AccessCheckResourceType::IamAssumeRolePolicyDocument,
            ),
        ];
        let (mut public, mut private, mut compared) = (0, 0, 0);
        let mut disagreements = Vec::new();
        for (file, rt, ct) in files {
            let text = std::fs::read_to_string(format!("{dir}{file}")).unwrap();
            let records: Vec<Value> = serde_json::from_str(&text).unwrap();
            // Each policy as written, and with every principal opened to `*` (so that its
            // conditions alone decide).
            let variants = records.iter().flat_map(|rec| {
                let mut open = rec.clone();
                if let Some(sts) = open["policy"]["Statement"].as_array_mut() {
                    for st in sts {
                        if st.get("Principal").is_some() {
                            st["Principal"] = Value::String("*".into());
                        }
                    }
                }
                [rec.clone(), open]
            });
            for rec in variants {
                let Ok(policy) = Policy::from_json_value(&rec["policy"]) else {
                    continue;
                };
                let arn = arn_for(&rec["policy"], rt);
                let owner = crate::arn::Arn::parse(&arn)
                    .ok()
                    .map(|a| a.account().to_string())
                    .filter(|a| crate::arn::is_account_id(a))
                    .unwrap_or_else(|| "111122223333".into());
                let resource = Resource::new(&arn, rt, &owner);
                let findings = analyze_policy(
                    &policy,
                    &resource,
                    &crate::analyze::ZoneOfTrust::account(&owner),
                    &Options::default().without_witnesses(),
                );
                if findings.iter().any(|f| f.error.is_some()) {
                    continue;
                }
                let theirs = findings.iter().any(|f| f.is_public == Some(true));
                let u = ct.universe();
                let shape = |sp: &mut Space| {
                    let mut parts = Vec::new();
                    for (kind, idx, _) in &u.kinds {
                        let a = sp.action_in(idx);
                        let r = sp.resource_in(rel_lang(&arn, &rel(kind)));
                        parts.push(sp.arena.and2(a, r));
                    }
                    sp.arena.or(parts)
                };
                let compiled = Arc::new(policy.compile().unwrap());
                let constants = [
                    ("aws:ResourceAccount", owner.as_str()),
                    ("s3:ResourceAccount", owner.as_str()),
                ];
                let ours = match decide_public(
                    &Checker::new(),
                    &compiled,
                    &u.actions,
                    &shape,
                    &constants,
                    Some(&owner),
                ) {
                    Ok((o, _, _)) => o == Outcome::Fail,
                    Err(e) => {
                        disagreements.push(format!("{}: error {e}", rec["source"]));
                        continue;
                    }
                };
                compared += 1;
                if theirs {
                    public += 1;
                } else {
                    private += 1;
                }
                if ours != theirs {
                    disagreements.push(format!(
                        "{} ({arn}): findings say public={theirs}, the check says {ours}: {}",
                        rec["source"], rec["policy"]
                    ));
                }
            }
        }
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
        assert!(compared > 400, "{compared}");
        assert!(
            public >= 50 && private >= 50,
            "public {public}, private {private}"
        );
    }
}
