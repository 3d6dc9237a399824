//! What the three checks share: a request space over the policies, the callers a policy type
//! is about, satisfiability with a budget, counterexamples built from models and confirmed by
//! the evaluator, and the search for a confirmed counterexample when the first model is not one.
//!
//! A model can fail to be a real request in two ways, both about what the engine leaves
//! uninterpreted: a policy variable (the engine knows only that `…/${aws:username}/*` lies
//! inside `…/*/*`), or a request without `aws:ResourceAccount` (the evaluator always derives
//! it). The driver then asks again with those pinned down: variables replaced by fixed values
//! (and the request's keys set to them), `aws:ResourceAccount` present. A confirmed
//! counterexample is a `FAIL`; no model at all is a `PASS`; a model that cannot be confirmed is
//! an [`ErrorKind::Undecided`] error, never a guess.

use super::{Checker, PolicyType};
use crate::analyze::Organization;
use crate::arn::ArnPattern;
use crate::error::{Error, ErrorKind};
use crate::eval::{evaluate, Caller, Case, CaseCompiler, Evaluation, Layer, PolicySet, ReasonKind};
use crate::pattern::{Case as PatCase, Pattern};
use crate::policy::compile::{
    CompiledCondition, CondValues, LikeValue, ResourceEntry, ResourceMatcher, StrValue,
};
use crate::policy::{CompiledPolicy, CompiledStatement, Effect, Template, TemplatePart};
use crate::reason::formula::{Atom, DimType, ElemC, NodeId, Pred, TRUE};
use crate::reason::lang::{Lang, Tok};
use crate::reason::search::{solve, Memo, Model};
use crate::reason::space::{Actions, Kind, Space};
use crate::reason::theory::Val;
use serde_json::{json, Value};
use std::cell::{OnceCell, RefCell};
use std::sync::Arc;

/// A request space with the formulas of one question.
pub(crate) struct Query {
    pub(crate) space: Space,
    pub(crate) memo: Memo,
    policy_type: PolicyType,
    /// Try an anonymous caller first for counterexamples.
    prefer_anonymous: bool,
    /// The callers the question is about, and facts known about them (organization).
    ctx: NodeId,
}

/// The checked policy as JSON for counterexamples, computed when first needed.
pub(crate) struct Subject<'a> {
    policies: &'a [&'a CompiledPolicy],
    json: OnceCell<Value>,
}

impl<'a> Subject<'a> {
    pub(crate) fn new(policies: &'a [&'a CompiledPolicy]) -> Subject<'a> {
        Subject {
            policies,
            json: OnceCell::new(),
        }
    }

    fn json(&self) -> &Value {
        self.json.get_or_init(|| {
            self.policies
                .first()
                .map(|p| p.policy().to_json_value())
                .unwrap_or(Value::Null)
        })
    }
}

/// The formulas of one question: the root (a request with the property) and, per statement of
/// the policy checked, the root restricted to requests that statement grants.
pub(crate) struct Built {
    pub(crate) root: NodeId,
    pub(crate) statements: Vec<(usize, NodeId)>,
    /// Constraints on the request that are part of the question (zone of trust, resource type).
    pub(crate) extra: NodeId,
}

/// Confirms a counterexample: the checked policy's statements that allow the case, or `None`
/// when the case does not show the property.
pub(crate) type Accept<'a> = &'a dyn Fn(&Case) -> Result<Option<Vec<usize>>, Error>;

/// Builds a question's formulas in a query over the given statements (of each policy, the
/// checked one first), with a budget for the work it needs.
pub(crate) type Build<'a> =
    &'a dyn Fn(&mut Query, &[&[CompiledStatement]], &mut u64) -> Result<Built, Error>;

/// How counterexamples are shown and confirmed.
struct Show<'a, 's> {
    subject: &'a Subject<'s>,
    owner: Option<&'a str>,
    accept: Accept<'a>,
}

/// The answer of [`decide`].
pub(crate) struct Answer {
    /// A confirmed counterexample, for `FAIL`.
    pub(crate) counterexample: Option<Case>,
    /// Statements of the checked policy behind the `FAIL`, each with whether a counterexample
    /// through it was confirmed.
    pub(crate) reasons: Vec<(usize, bool)>,
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

/// An answer's reasons as the result shows them: "statement 2 (`Sid`) grants WHAT", or "may
/// grant" when no counterexample through that statement was confirmed.
pub(crate) fn reason_summaries(
    reasons: &[(usize, bool)],
    policy: &CompiledPolicy,
    what: &str,
) -> Vec<super::ReasonSummary> {
    reasons
        .iter()
        .map(|&(i, confirmed)| {
            let sid = policy
                .statements()
                .get(i)
                .and_then(|s| s.sid())
                .map(str::to_string);
            let name = match &sid {
                Some(s) => format!("statement {i} (`{s}`)"),
                None => format!("statement {i}"),
            };
            let verb = if confirmed { "grants" } else { "may grant" };
            super::ReasonSummary {
                description: format!("{name} {verb} {what}"),
                statement_index: Some(i),
                statement_id: sid,
            }
        })
        .collect()
}

/// One question: the policies (the checked one first) and how to read them.
pub(crate) struct Question<'a> {
    pub(crate) checker: &'a Checker,
    pub(crate) policy_type: PolicyType,
    pub(crate) actions: Actions,
    pub(crate) policies: Vec<&'a CompiledPolicy>,
    /// Whether to look for a real action and resource for the counterexample.
    pub(crate) polish: bool,
    /// Whether to try an anonymous caller first for the counterexample.
    pub(crate) prefer_anonymous: bool,
    /// The account that owns the resource (public access); `None`: any account not the caller's.
    pub(crate) owner: Option<String>,
}

/// Runs the evaluator on counterexamples: the checked policy (and the one it is compared with)
/// compiled once per check, the small policies a counterexample adds compiled once each.
pub(crate) struct Evaluator {
    policy_type: PolicyType,
    subject: Arc<CompiledPolicy>,
    other: Option<Arc<CompiledPolicy>>,
    extra: RefCell<CaseCompiler>,
}

/// Which policy a counterexample is evaluated with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The checked policy (the one in the counterexample).
    Subject,
    /// The policy it is compared with.
    Other,
}

impl Evaluator {
    pub(crate) fn new(
        policy_type: PolicyType,
        subject: &Arc<CompiledPolicy>,
        other: Option<&Arc<CompiledPolicy>>,
    ) -> Evaluator {
        Evaluator {
            policy_type,
            subject: subject.clone(),
            other: other.cloned(),
            extra: RefCell::new(CaseCompiler::new()),
        }
    }

    /// Evaluate the case with the policy of `slot` in the checked policy's place. The case's
    /// JSON holds the checked policy as `Policy::to_json_value` writes it, which reads back to
    /// the same policy, so this is the evaluation of the counterexample as written.
    pub(crate) fn evaluate(&self, case: &Case, slot: Slot) -> Result<Evaluation, Error> {
        let policy = match (slot, &self.other) {
            (Slot::Other, Some(o)) => o.clone(),
            _ => self.subject.clone(),
        };
        let mut extra = self.extra.borrow_mut();
        let mut set = PolicySet::default();
        match self.policy_type {
            PolicyType::Identity => {
                set.identity.push(policy);
                if let Some(r) = &case.resource_policy {
                    set.resource = Some(extra.compile(r)?);
                }
            }
            PolicyType::Resource => {
                for p in &case.identity_policies {
                    set.identity.push(extra.compile(p)?);
                }
                set.resource = Some(policy);
            }
        }
        for p in &case.session_policies {
            set.session.push(extra.compile(p)?);
        }
        Ok(evaluate(&case.request()?, &set))
    }

    /// Whether `case` is allowed with the policy of `slot`: the statements of that policy
    /// that allow it, or `None` when it is not allowed.
    pub(crate) fn allows(&self, case: &Case, slot: Slot) -> Result<Option<Vec<usize>>, Error> {
        let ev = self.evaluate(case, slot)?;
        if !ev.decision.is_allow() {
            return Ok(None);
        }
        let layer = match self.policy_type {
            PolicyType::Identity => Layer::Identity,
            PolicyType::Resource => Layer::Resource,
        };
        Ok(Some(
            ev.reasons
                .iter()
                .filter(|r| {
                    r.kind == ReasonKind::Allowed && r.layer == layer && r.policy == Some(0)
                })
                .filter_map(|r| r.statement)
                .collect(),
        ))
    }
}

pub(crate) fn budget_error() -> Error {
    Error::new(
        ErrorKind::Limit,
        "the check needs more work than its budget allows; raise the budget or split the policy",
    )
}

fn undecided(what: &str) -> Error {
    Error::new(
        ErrorKind::Undecided,
        format!(
            "the check cannot decide exactly: {what}; the policies use a policy variable, or a condition the analysis does not interpret, in a way that matters here"
        ),
    )
}

/// The partition the policies' ARNs name (`aws` unless they name another).
fn partition_of(policies: &[&CompiledPolicy]) -> String {
    for p in policies {
        for s in &p.policy().statements {
            let principals = s.principal.iter().flat_map(|e| match &e.principal {
                crate::policy::Principal::Any => Vec::new(),
                crate::policy::Principal::Map(m) => {
                    m.iter().flat_map(|(_, vs)| vs.iter()).collect::<Vec<_>>()
                }
            });
            let resources = s.resource.iter().flat_map(|r| r.values.iter());
            for v in principals.chain(resources) {
                if let Some(rest) = v.strip_prefix("arn:") {
                    if let Some((part, _)) = rest.split_once(':') {
                        if part.starts_with("aws-") {
                            return part.to_string();
                        }
                    }
                }
            }
        }
    }
    "aws".into()
}

/// 12-digit account ids the policies mention anywhere.
pub(crate) fn accounts_mentioned(policies: &[&CompiledPolicy]) -> Vec<String> {
    let mut out = Vec::new();
    for p in policies {
        let text = p.policy().to_json();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let run = bytes
                .get(i..)
                .map(|b| b.iter().take_while(|c| c.is_ascii_digit()).count())
                .unwrap_or(0);
            if run == 12 {
                if let Some(s) = text.get(i..i + 12) {
                    out.push(s.to_string());
                }
            }
            i += run.max(1);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// An account id not in `avoid`.
pub(crate) fn fresh_account(avoid: &[&str]) -> String {
    const CANDIDATES: [&str; 6] = [
        "999988887777",
        "888877776666",
        "777766665555",
        "666655554444",
        "555544443333",
        "444433332222",
    ];
    for c in CANDIDATES {
        if !avoid.contains(&c) {
            return c.to_string();
        }
    }
    (0u64..)
        .map(|n| format!("{:012}", 100_000_000_000 + n))
        .find(|c| !avoid.contains(&c.as_str()))
        .unwrap_or_else(|| "000000000001".into())
}

impl Query {
    fn new(q: &Question<'_>) -> Query {
        let mut space = Space::new(&partition_of(&q.policies), q.actions.clone());
        space.declare_multi_from(&q.policies);
        Query {
            space,
            memo: Memo::default(),
            policy_type: q.policy_type,
            prefer_anonymous: q.prefer_anonymous,
            ctx: TRUE,
        }
    }

    /// The callers the policy type is about: for identity policies the user or role that holds
    /// the policy (the root user ignores identity policies, federated users need session
    /// policies); for resource policies anyone.
    fn finish(&mut self, extra: NodeId, org: Option<&Organization>) {
        let callers = match self.policy_type {
            PolicyType::Identity => self.space.kind_in(&[Kind::User, Kind::Role]),
            PolicyType::Resource => TRUE,
        };
        let org = org.map_or(TRUE, |o| self.organization_facts(o));
        self.ctx = self.space.arena.and([callers, extra, org]);
    }

    /// What the organization's structure says about `aws:PrincipalOrgID` and
    /// `aws:PrincipalOrgPaths` (only for keys the policies use).
    fn organization_facts(&mut self, org: &Organization) -> NodeId {
        let members: Vec<String> = org.accounts.keys().cloned().collect();
        let iam = self.space.kind_in(crate::reason::space::IAM_KINDS);
        let inside = self.space.account_in(&members);
        let not_inside = self.space.arena.not(inside);
        let outside = self.space.arena.and2(iam, not_inside);
        let mut facts = Vec::new();
        if self.space.keys.contains_key("aws:principalorgid") {
            let d = self.space.key_dim("aws:principalorgid", false);
            let is_org = self
                .space
                .arena
                .elem(d, Pred::Lang(Lang::literal(&org.id, false)));
            facts.push(self.space.arena.implies(inside, is_org));
            let not_org = self.not(is_org);
            facts.push(self.space.arena.implies(outside, not_org));
        }
        if self.space.keys.contains_key("aws:principalorgpaths") {
            let d = self.space.key_dim("aws:principalorgpaths", true);
            let under = self
                .space
                .arena
                .pred(Pred::Lang(Lang::glob(&format!("{}/*", org.id), false)));
            let any_under = self.space.arena.any(d, ElemC::Pos(vec![under]));
            let none_under = self.not(any_under);
            facts.push(self.space.arena.implies(outside, none_under));
            for (account, path) in &org.accounts {
                let here = self.space.account_is(&Lang::literal(account, false));
                let shape = if path.is_empty() {
                    any_under
                } else {
                    let p = self
                        .space
                        .arena
                        .pred(Pred::Lang(Lang::literal(path, false)));
                    let some = self.space.arena.any(d, ElemC::Pos(vec![p]));
                    let only = self.space.arena.all(d, ElemC::Pos(vec![p]));
                    self.space.arena.and2(some, only)
                };
                facts.push(self.space.arena.implies(here, shape));
            }
        }
        self.space.arena.and(facts)
    }

    fn not(&mut self, n: NodeId) -> NodeId {
        self.space.arena.not(n)
    }

    /// A model of `root` among well-formed requests of the question.
    pub(crate) fn solve(&mut self, root: NodeId, budget: &mut u64) -> Result<Option<Model>, Error> {
        // Read the base last: building formulas adds facts about keys and variables to it.
        let base = self.space.base;
        let q = self.space.arena.and([base, self.ctx, root]);
        solve(&self.space.arena, &mut self.memo, budget, q).map_err(|_| budget_error())
    }

    /// The request of a model as a case, with `subject` (the checked policy) in its place.
    fn case(&self, m: &Model, subject: &Subject<'_>, owner: Option<&str>) -> Option<Case> {
        let mut case = self.space.case(m, None)?;
        let caller_account = case.principal.account().map(str::to_string);
        match self.policy_type {
            PolicyType::Identity => {
                // The same account, so that the identity policy decides; the resource policy
                // only delegates to the account, as a default key policy or a trust policy
                // naming the account does (needed where the resource must allow too).
                let account = caller_account?;
                case.identity_policies = vec![subject.json().clone()];
                case.resource_policy = Some(json!({
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow",
                        "Principal": {"AWS": format!("arn:{}:iam::{account}:root", self.space.partition)},
                        "Action": "*", "Resource": "*"}]
                }));
                case.resource_account = Some(account);
            }
            PolicyType::Resource => {
                // Another account than the caller's, so that the resource policy must allow
                // on its own (the caller's own identity policy, added by the space, allows
                // exactly this request).
                let account = match owner {
                    Some(o) if Some(o) != caller_account.as_deref() => o.to_string(),
                    // Any other account will do: the context carries `aws:ResourceAccount` when
                    // the policies read it.
                    _ => fresh_account(&caller_account.as_deref().into_iter().collect::<Vec<_>>()),
                };
                case.resource_policy = Some(subject.json().clone());
                case.resource_account = Some(account);
                // A federated user's permissions are its session policy's too (it has one by
                // construction: `GetFederationToken` takes it).
                if matches!(case.principal, Caller::FederatedUser { .. })
                    && case.session_policies.is_empty()
                {
                    case.session_policies = case.identity_policies.clone();
                }
            }
        }
        Some(case)
    }

    /// Lower-case the model's text values where no atom can tell (witness strings for
    /// case-insensitive values come out in upper case otherwise).
    fn tidy(&self, m: &mut Model) {
        let arena = &self.space.arena;
        for (d, v) in m.values.iter_mut().enumerate() {
            let Val::One(text) = &**v else { continue };
            if !text.chars().any(|c| c.is_uppercase()) {
                continue;
            }
            if !matches!(arena.dims.get(d).map(|x| &x.ty), Some(DimType::Str)) {
                continue;
            }
            let lower = text.to_lowercase();
            let same = arena.atoms.iter().all(|a| match a {
                Atom::Elem(x, p) if *x as usize == d => match arena.preds.get(*p as usize) {
                    Some(Pred::Lang(l)) => l.matches(text) == l.matches(&lower),
                    _ => false,
                },
                _ => true,
            });
            if same {
                *v = std::rc::Rc::new(Val::One(lower));
            }
        }
    }

    /// The action atoms of the space: (language, node).
    fn action_langs(&self) -> Vec<&Lang> {
        let d = self.space.action;
        self.space
            .arena
            .atoms
            .iter()
            .filter_map(|a| match a {
                Atom::Elem(x, p) if *x == d => match self.space.arena.preds.get(*p as usize) {
                    Some(Pred::Lang(l)) => Some(l),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// A real action (from the service authorization reference) that every action atom reads
    /// the same way as the model's action, so that it can stand in for it.
    fn real_action(&self, m: &Model) -> Option<String> {
        let Val::One(w) = m.value(self.space.action) else {
            return None;
        };
        let langs = self.action_langs();
        let sig: Vec<bool> = langs.iter().map(|l| l.matches(w)).collect();
        let same = |name: &str| langs.iter().zip(&sig).all(|(l, s)| l.matches(name) == *s);
        let catalog = crate::catalog::Catalog::embedded();
        if let Some(a) = catalog.action(w) {
            let name = a.full_name();
            if same(&name) {
                return Some(name);
            }
        }
        // A service every matching action must belong to, when a granting pattern names one.
        let fixed: Option<String> = langs.iter().zip(&sig).find_map(|(l, s)| {
            if !*s {
                return None;
            }
            let mut prefix = String::new();
            for t in l.toks.iter() {
                match t {
                    Tok::Char(':') | Tok::CharCi(':') => return Some(prefix),
                    Tok::Char(c) | Tok::CharCi(c) => prefix.push(*c),
                    _ => return None,
                }
            }
            None
        });
        const FIRST: &[&str] = &[
            "s3", "iam", "sts", "ec2", "kms", "sqs", "sns", "lambda", "dynamodb",
        ];
        let services: Vec<String> = match &fixed {
            Some(s) => vec![s.clone()],
            None => FIRST
                .iter()
                .map(|s| s.to_string())
                .chain(catalog.services().map(|s| s.prefix().to_string()))
                .collect(),
        };
        for s in services {
            let Some(svc) = catalog.service(&s) else {
                continue;
            };
            if let Some(a) = svc.actions().map(|a| a.full_name()).find(|n| same(n)) {
                return Some(a);
            }
        }
        None
    }

    /// Confirm a model, or find a nicer confirmed one near it: a real action in place of the
    /// model's, and a resource of one of that action's resource types.
    /// The model as a case, if the question's check accepts it: the case and the statements
    /// it goes through.
    fn confirm(&self, m: &Model, show: &Show<'_, '_>) -> Result<Option<(Case, Vec<usize>)>, Error> {
        let Some(c) = self.case(m, show.subject, show.owner) else {
            return Ok(None);
        };
        Ok((show.accept)(&c)?.map(|through| (c, through)))
    }

    /// Set the model's action.
    fn set_action(&self, m: &mut Model, action: String) {
        if let Some(slot) = m.values.get_mut(self.space.action as usize) {
            *slot = std::rc::Rc::new(Val::One(action));
        }
    }

    fn witness(
        &mut self,
        root: NodeId,
        m: Model,
        show: &Show<'_, '_>,
        polish: bool,
        budget: &mut u64,
    ) -> Result<Option<(Case, Vec<usize>)>, Error> {
        let mut m = m;
        self.tidy(&mut m);
        if polish {
            // Prefer an anonymous caller where the question allows one, a real action, and a
            // resource of one of that action's resource types; fall back step by step.
            let anonymous = if self.prefer_anonymous {
                vec![self.space.kind_in(&[Kind::Anonymous]), TRUE]
            } else {
                vec![TRUE]
            };
            let action = self.real_action(&m);
            let (a_node, resources) = match &action {
                Some(a) => (
                    self.space.action_patterns(std::iter::once(a.as_str())),
                    resource_candidates(a, &self.space.partition, show.owner),
                ),
                None => {
                    // No real action shows it: at least an ARN of the action's service.
                    let service = match m.value(self.space.action) {
                        Val::One(w) => w.split(':').next().unwrap_or("").to_ascii_lowercase(),
                        _ => String::new(),
                    };
                    let arn = format!("arn:{}:{service}:*", self.space.partition);
                    (TRUE, vec![Lang::glob(&arn, false)])
                }
            };
            // The model may already be such a request.
            if !self.prefer_anonymous {
                if let (Some(a), Val::One(r)) = (&action, m.value(self.space.resource)) {
                    if resources.iter().any(|l| l.matches(r)) {
                        let mut same = m.clone();
                        self.set_action(&mut same, a.clone());
                        if let Some(found) = self.confirm(&same, show)? {
                            return Ok(Some(found));
                        }
                    }
                }
            }
            for who in anonymous {
                for r in &resources {
                    let r_node = self.space.resource_in(r.clone());
                    let q = self.space.arena.and([root, a_node, r_node, who]);
                    if let Some(mut better) = self.solve(q, budget)? {
                        self.tidy(&mut better);
                        if let Some(a) = &action {
                            self.set_action(&mut better, a.clone());
                        }
                        if let Some(found) = self.confirm(&better, show)? {
                            return Ok(Some(found));
                        }
                    }
                }
            }
            if let Some(a) = action {
                self.set_action(&mut m, a);
            }
        }
        if let Some(found) = self.confirm(&m, show)? {
            return Ok(Some(found));
        }
        // The evaluator always derives `aws:ResourceAccount`: ask for a request that has it.
        if let Some(k) = self.space.keys.get("aws:resourceaccount").map(|k| k.dim) {
            let present = self.space.arena.present(k);
            let q = self.space.arena.and2(root, present);
            if let Some(m2) = self.solve(q, budget)? {
                if let Some(found) = self.confirm(&m2, show)? {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }
}

/// Resources for a counterexample with `action`: one per resource type of the action (the
/// reference's ARN format, at most three types), in `account` first when one is given (the
/// resource's own account), then in any account; `*` for actions that take no resource type.
fn resource_candidates(action: &str, partition: &str, account: Option<&str>) -> Vec<Lang> {
    let Some(a) = crate::catalog::Catalog::embedded().action(action) else {
        return Vec::new();
    };
    let formats: Vec<String> = a
        .resource_types()
        .filter_map(|r| {
            r.resource_type()
                .and_then(|t| t.arn_formats().next().map(|f| f.as_str().to_string()))
        })
        .take(3)
        .collect();
    let mut out: Vec<Lang> = Vec::new();
    let accounts = [account, None];
    for acct in accounts.iter().take(if account.is_some() { 2 } else { 1 }) {
        for f in &formats {
            let l = super::resource_type::format_lang(f, partition, *acct);
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    if out.is_empty() {
        out.push(Lang::literal("*", false));
    }
    out
}

/// Decide a question: build its formulas over the policies, look for a model, confirm it with
/// the evaluator (`accept`: the checked policy's statements that allow the case, or `None`
/// when the case does not show the property), and collect
/// the statements behind a `FAIL`.
pub(crate) fn decide(
    q: &Question<'_>,
    build: Build<'_>,
    accept: Accept<'_>,
) -> Result<Answer, Error> {
    let mut budget = q.checker.budget;
    let subject = Subject::new(&q.policies);
    let owner = q.owner.as_deref();
    let org = q.checker.organization.as_ref();
    let originals: Vec<&[CompiledStatement]> = q.policies.iter().map(|p| p.statements()).collect();
    let mut query = Query::new(q);
    let built = build(&mut query, &originals, &mut budget)?;
    query.finish(built.extra, org);
    let Some(m) = query.solve(built.root, &mut budget)? else {
        return Ok(Answer {
            counterexample: None,
            reasons: Vec::new(),
        });
    };
    let first = m.clone();
    let show = Show {
        subject: &subject,
        owner,
        accept,
    };
    let mut found = query.witness(built.root, m, &show, q.polish, &mut budget)?;
    // The same question with policy variables fixed, when the first model was not a request.
    let mut pinned: Option<(Query, Built)> = None;
    if found.is_none() {
        let seen = query.case(&first, &subject, owner);
        if let Some(subst) = Substitution::of(&q.policies, &query.space.partition, seen.as_ref()) {
            let stmts: Vec<Vec<CompiledStatement>> =
                originals.iter().map(|s| subst.statements(s)).collect();
            let refs: Vec<&[CompiledStatement]> = stmts.iter().map(Vec::as_slice).collect();
            let mut q2 = Query::new(q);
            let b2 = build(&mut q2, &refs, &mut budget)?;
            let pins = subst.pins(&mut q2.space);
            let extra = q2.space.arena.and2(b2.extra, pins);
            q2.finish(extra, org);
            if let Some(m2) = q2.solve(b2.root, &mut budget)? {
                found = q2.witness(b2.root, m2, &show, q.polish, &mut budget)?;
            }
            pinned = Some((q2, b2));
        }
    }
    let Some((counterexample, shown)) = found else {
        return Err(undecided(
            "the analysis finds such a request but the evaluator does not confirm it",
        ));
    };
    let mut reasons = Vec::new();
    for (i, node) in &built.statements {
        // Statements the counterexample itself goes through need no search of their own.
        if shown.contains(i) {
            reasons.push((*i, true));
            continue;
        }
        let through = |c: &Case| Ok(accept(c)?.filter(|v| v.contains(i)));
        let show_i = Show {
            subject: &subject,
            owner,
            accept: &through,
        };
        let Some(m) = query.solve(*node, &mut budget)? else {
            continue;
        };
        let mut ok = query
            .witness(*node, m, &show_i, false, &mut budget)?
            .is_some();
        if !ok {
            if let Some((q2, b2)) = pinned.as_mut() {
                if let Some((_, n2)) = b2.statements.iter().find(|(j, _)| j == i) {
                    if let Some(m2) = q2.solve(*n2, &mut budget)? {
                        ok = q2.witness(*n2, m2, &show_i, false, &mut budget)?.is_some();
                    }
                }
            }
        }
        reasons.push((*i, ok));
    }
    Ok(Answer {
        counterexample: Some(counterexample),
        reasons,
    })
}

/// The formulas of a policy's statements: (index, effect, node).
pub(crate) fn statement_nodes(
    space: &mut Space,
    statements: &[CompiledStatement],
) -> Vec<(usize, Effect, NodeId)> {
    statements
        .iter()
        .map(|s| (s.index(), s.effect(), space.statement(s)))
        .collect()
}

/// (some Allow applies, some Deny applies).
pub(crate) fn allow_deny(space: &mut Space, nodes: &[(usize, Effect, NodeId)]) -> (NodeId, NodeId) {
    let allows: Vec<NodeId> = nodes
        .iter()
        .filter(|(_, e, _)| *e == Effect::Allow)
        .map(|(_, _, n)| *n)
        .collect();
    let denies: Vec<NodeId> = nodes
        .iter()
        .filter(|(_, e, _)| *e == Effect::Deny)
        .map(|(_, _, n)| *n)
        .collect();
    (space.arena.or(allows), space.arena.or(denies))
}

// ---- policy variables pinned to values --------------------------------------------------------

/// Fixed values for the policy variables the policies use.
struct Substitution {
    values: Vec<(String, String)>,
}

impl Substitution {
    /// Values for every variable of the policies (`None` when they use none): the value the
    /// request `seen` has for the key when it has one (the variable then takes the value it has
    /// in that request), else a fixed value of the key's shape.
    fn of(
        policies: &[&CompiledPolicy],
        partition: &str,
        seen: Option<&Case>,
    ) -> Option<Substitution> {
        let request = seen.and_then(|c| c.request().ok());
        let mut keys: Vec<String> = Vec::new();
        let mut add = |t: &Template| {
            for k in t.variable_keys() {
                if !keys.iter().any(|x| x == k) {
                    keys.push(k.to_string());
                }
            }
        };
        for p in policies {
            for s in p.statements() {
                for e in s.resources.iter().flat_map(|r| r.entries.iter()) {
                    if let ResourceEntry::Template { tail, .. } = e {
                        add(tail);
                    }
                }
                for c in &s.conditions {
                    for_each_template(c, &mut add);
                }
            }
        }
        if keys.is_empty() {
            return None;
        }
        let values = keys
            .into_iter()
            .enumerate()
            .map(|(i, k)| {
                let known = request
                    .as_ref()
                    .and_then(|r| r.context().get(&k))
                    .and_then(|v| v.as_one())
                    // Substituted into pattern text, a value must not read as a wildcard.
                    .filter(|v| !v.contains(['*', '?', '$', '{', '}']))
                    .map(str::to_string);
                let v = if let Some(v) = known {
                    v
                } else if k.ends_with("account") {
                    fresh_account(&[])
                } else if k == "aws:principalarn" || k.ends_with("arn") {
                    format!(
                        "arn:{partition}:iam::{}:user/perimeter-user",
                        fresh_account(&[])
                    )
                } else if k.ends_with("sourceip") {
                    "203.0.113.9".to_string()
                } else {
                    format!("perimeter-value-{}", i + 1)
                };
                (k, v)
            })
            .collect();
        Some(Substitution { values })
    }

    fn lookup(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The statements with every variable replaced by its value (entries with `${*}`-style
    /// characters stay as they are).
    fn statements(&self, statements: &[CompiledStatement]) -> Vec<CompiledStatement> {
        statements
            .iter()
            .map(|s| {
                let mut s = s.clone();
                if let Some(r) = s.resources.as_mut() {
                    *r = ResourceMatcher {
                        negated: r.negated,
                        entries: r.entries.iter().map(|e| self.entry(e)).collect(),
                    };
                }
                for c in &mut s.conditions {
                    self.condition(c);
                }
                s
            })
            .collect()
    }

    fn text(&self, t: &Template) -> Option<String> {
        if t.parts().iter().any(|p| matches!(p, TemplatePart::Char(_))) {
            return None;
        }
        t.resolve(|k| self.lookup(k))
    }

    fn entry(&self, e: &ResourceEntry) -> ResourceEntry {
        let ResourceEntry::Template { head, tail } = e else {
            return e.clone();
        };
        match self.text(tail) {
            Some(t) => {
                let heads: Vec<&str> = head.iter().map(Pattern::as_str).collect();
                ResourceEntry::Pattern(ArnPattern::new(&format!("{}:{t}", heads.join(":"))))
            }
            None => e.clone(),
        }
    }

    fn condition(&self, c: &mut CompiledCondition) {
        let str_value = |v: &StrValue, fold: bool| match v {
            StrValue::Tmpl(t) => match self.text(t) {
                Some(x) if fold => StrValue::Lit(x.chars().map(crate::pattern::fold).collect()),
                Some(x) => StrValue::Lit(x),
                None => v.clone(),
            },
            lit => lit.clone(),
        };
        let like_value = |v: &LikeValue, arn: bool| match v {
            LikeValue::Tmpl(t) => match self.text(t) {
                Some(x) if arn => LikeValue::Arn(ArnPattern::new(&x)),
                Some(x) => LikeValue::Pat(Pattern::new(&x, PatCase::Sensitive)),
                None => v.clone(),
            },
            other => other.clone(),
        };
        c.values = match &c.values {
            CondValues::Str(vs) => {
                CondValues::Str(vs.iter().map(|v| str_value(v, false)).collect())
            }
            CondValues::StrFold(vs) => {
                CondValues::StrFold(vs.iter().map(|v| str_value(v, true)).collect())
            }
            CondValues::Like(vs) => {
                CondValues::Like(vs.iter().map(|v| like_value(v, false)).collect())
            }
            CondValues::Arn(vs) => {
                CondValues::Arn(vs.iter().map(|v| like_value(v, true)).collect())
            }
            other => other.clone(),
        };
    }

    /// "Each variable's key has its value" (keys the space cannot read that way are left free:
    /// a model that needs them is then not confirmed).
    fn pins(&self, space: &mut Space) -> NodeId {
        let parts: Vec<NodeId> = self
            .values
            .iter()
            .filter_map(|(k, v)| space.key_label(k, Pred::Lang(Lang::literal(v, false))))
            .collect();
        space.arena.and(parts)
    }
}

fn for_each_template(c: &CompiledCondition, f: &mut impl FnMut(&Template)) {
    match &c.values {
        CondValues::Str(vs) | CondValues::StrFold(vs) => {
            for v in vs {
                if let StrValue::Tmpl(t) = v {
                    f(t);
                }
            }
        }
        CondValues::Like(vs) | CondValues::Arn(vs) => {
            for v in vs {
                if let LikeValue::Tmpl(t) = v {
                    f(t);
                }
            }
        }
        _ => {}
    }
}
