//! Finding enumeration: Access Analyzer's walk of the label lattice, and the minimal variant.
//!
//! Labels (reference §2.7): for the principal, every principal a `Principal`/`NotPrincipal`
//! element names, and `*`; for each condition key that restricts who can call, every value the
//! policy gives it, and `*` (any value, or none). Labels of one key are ordered by containment. A
//! candidate finding (an *intent*) picks one label per key. Starting from all `*`, an intent is
//! reported when the policy allows some external request inside it that no finer intent (one key
//! refined one step down) contains; otherwise its children are examined. Reported intents contained
//! in other reported intents are dropped. The walk is done once per class of actions that the
//! policy cannot tell apart, and intents reported for several classes are merged, so every allowed
//! external request is covered by a finding that lists its action.
//!
//! The query for an intent only restricts each key to "inside its label, outside its children",
//! a per-key condition, so one satisfiability query decides it.

use super::finding::Finding;
use crate::policy::compile::{CompiledCondition, PrincipalValue};
use crate::policy::{BaseOperator, CompiledPolicy};
use crate::reason::formula::{Node, NodeId, Pred, TRUE};
use crate::reason::lang::{Lang, OutOfBudget};
use crate::reason::search::{refuted_by_literals, satisfiable, solve, Memo, Model};
use crate::reason::space::{Space, StatementParts};
use crate::scalar::IpNet;

/// Condition keys that restrict *who* can call, reported in findings (Access Analyzer's filter
/// keys and the keys S3 treats as restricting; reference §2.4). Keys of web identity and OIDC
/// providers (`host:aud`, `host:sub`, `host:app_id`) are recognised by shape.
const INTERPRETED: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "aws:username",
    "aws:sourceip",
    "aws:vpcsourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "kms:calleraccount",
    "lambda:eventsourcetoken",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
];

/// Whether a condition key is a finding dimension.
pub(crate) fn is_interpreted(key: &str) -> bool {
    if INTERPRETED.contains(&key) {
        return true;
    }
    // Identity-provider claims: `accounts.google.com:aud`, `graph.facebook.com:app_id`,
    // `token.actions.githubusercontent.com:sub`, `oidc.eks…:sub`.
    match key.rsplit_once(':') {
        Some((host, claim)) => {
            host.contains('.') && matches!(claim, "aud" | "sub" | "app_id" | "oaud" | "amr")
        }
        None => false,
    }
}

/// What a label shows in a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Display {
    /// `*` (any value, or none).
    Top,
    /// A principal: `("AWS", "444455556666")`.
    Principal(&'static str, String),
    /// A condition value as written.
    Value(String),
}

#[derive(Clone, Debug)]
pub(crate) struct Label {
    pub(crate) node: NodeId,
    pub(crate) display: Display,
}

/// One finding dimension: its labels (index 0 is `*`) and their order.
#[derive(Clone, Debug)]
pub(crate) struct LabelDim {
    /// `None` for the principal, else the lowercase condition key (shared with the policy).
    pub(crate) key: Option<std::sync::Arc<str>>,
    pub(crate) labels: Vec<Label>,
    /// Row `a`, column `b` (row-major, `labels.len()` square): label `b` is contained in label
    /// `a` (reflexive).
    within: Vec<bool>,
    /// The labels just below each label.
    children: Vec<smallvec::SmallVec<[usize; 4]>>,
}

impl LabelDim {
    /// Whether label `b` is contained in label `a`.
    #[inline]
    pub(crate) fn within(&self, a: usize, b: usize) -> bool {
        let n = self.labels.len();
        a < n && b < n && self.within.get(a * n + b).copied().unwrap_or(false)
    }

    /// The labels just below label `l`.
    pub(crate) fn children(&self, l: usize) -> &[usize] {
        self.children.get(l).map_or(&[], |c| c.as_slice())
    }

    /// The region of label `l`: inside it, outside its children.
    pub(crate) fn region(&self, space: &mut Space, l: usize) -> NodeId {
        let Some(label) = self.labels.get(l) else {
            return crate::reason::formula::FALSE;
        };
        let kids: smallvec::SmallVec<[NodeId; 4]> = self
            .children(l)
            .iter()
            .filter_map(|k| self.labels.get(*k).map(|x| x.node))
            .collect();
        let any = space.arena.or(kids);
        let none = space.arena.not(any);
        space.arena.and2(label.node, none)
    }
}

/// A request-space query result.
pub(crate) struct Ctx<'a> {
    pub(crate) space: &'a mut Space,
    pub(crate) memo: &'a mut Memo,
    pub(crate) budget: &'a mut u64,
}

impl Ctx<'_> {
    pub(crate) fn sat(&mut self, root: NodeId) -> Result<Option<Model>, OutOfBudget> {
        solve(&self.space.arena, self.memo, self.budget, root)
    }

    /// Whether `root` has a model (the same search as [`Ctx::sat`], without the model).
    pub(crate) fn holds(&mut self, root: NodeId) -> Result<bool, OutOfBudget> {
        satisfiable(&self.space.arena, self.memo, self.budget, root)
    }

    /// Whether the conjunction of `nodes` is refuted dimension by dimension (see
    /// [`refuted_by_literals`]; `false` decides nothing).
    pub(crate) fn refuted(&mut self, nodes: &[NodeId]) -> Result<bool, OutOfBudget> {
        refuted_by_literals(&self.space.arena, self.memo, self.budget, nodes)
    }

    /// Whether label `b` lies within label `a`, decided on their one dimension when both are
    /// single atoms of the same dimension (`None`: ask the solver).
    fn direct_within(&mut self, a: NodeId, b: NodeId) -> Result<Option<bool>, OutOfBudget> {
        let arena = &self.space.arena;
        let (Node::Atom(x), Node::Atom(y)) = (arena.node(a), arena.node(b)) else {
            return Ok(None);
        };
        let (Some(ax), Some(ay)) = (arena.atoms.get(*x as usize), arena.atoms.get(*y as usize))
        else {
            return Ok(None);
        };
        match (ax.dim(), ay.dim()) {
            (Some(d), Some(e)) if d == e => {
                let lits = [(*y, true), (*x, false)];
                Ok(Some(
                    crate::reason::theory::decide(arena, d, &lits, self.budget)?.is_none(),
                ))
            }
            _ => Ok(None),
        }
    }
}

fn principal_display(v: &PrincipalValue) -> Option<Display> {
    let (k, text) = match v {
        PrincipalValue::Any | PrincipalValue::Service(_) | PrincipalValue::Other(_) => return None,
        PrincipalValue::Account(a) => ("AWS", a.clone()),
        PrincipalValue::User(a) | PrincipalValue::Session(a) | PrincipalValue::FederatedUser(a) => {
            ("AWS", a.clone())
        }
        PrincipalValue::Role { arn, .. } => ("AWS", arn.clone()),
        PrincipalValue::Federated(p) => ("Federated", p.clone()),
        PrincipalValue::CanonicalUser(c) => ("CanonicalUser", c.clone()),
    };
    Some(Display::Principal(k, text))
}

/// The label predicate of one condition value (with its operator's reading).
fn value_label_pred(base: BaseOperator, text: &str) -> Option<Pred> {
    use BaseOperator as B;
    Some(match base.positive() {
        B::StringEquals => Pred::Lang(Lang::literal(text, false)),
        B::StringEqualsIgnoreCase => Pred::Lang(Lang::literal(text, true)),
        B::StringLike => Pred::Lang(Lang::glob(text, false)),
        B::ArnEquals | B::ArnLike => Pred::Lang(Lang::arn(text)),
        B::IpAddress => Pred::Ip(IpNet::parse(text)?),
        _ => return None,
    })
}

/// Each interpreted condition key (lowercase, shared with the policy) with its values as
/// label texts, by operator.
type KeyLabels = Vec<(std::sync::Arc<str>, Vec<(BaseOperator, String)>)>;

/// Collect the labels of the policies and order them.
pub(crate) fn build_dims(
    ctx: &mut Ctx<'_>,
    policies: &[&CompiledPolicy],
) -> Result<Vec<LabelDim>, OutOfBudget> {
    // Principal labels.
    let mut principal: Vec<(PrincipalValue, Display)> = Vec::new();
    let mut keys: KeyLabels = Vec::new();
    for p in policies {
        for s in p.statements() {
            if let Some(m) = &s.principal {
                for v in &m.values {
                    if let Some(d) = principal_display(v) {
                        if !principal.iter().any(|(pv, _)| pv == v) {
                            principal.push((v.clone(), d));
                        }
                    }
                }
            }
            for c in &s.conditions {
                collect_key_labels(c, &mut keys);
            }
        }
    }
    let mut dims = Vec::new();
    let mut labels = vec![Label {
        node: TRUE,
        display: Display::Top,
    }];
    for (v, d) in &principal {
        labels.push(Label {
            node: ctx.space.principal_label(v),
            display: d.clone(),
        });
    }
    dims.push(order(ctx, None, labels)?);
    for (key, values) in keys {
        let mut labels = vec![Label {
            node: TRUE,
            display: Display::Top,
        }];
        for (op, text) in values {
            let Some(pred) = value_label_pred(op, &text) else {
                continue;
            };
            let Some(node) = ctx.space.key_label(&key, pred) else {
                continue;
            };
            labels.push(Label {
                node,
                display: Display::Value(text),
            });
        }
        if labels.len() > 1 {
            dims.push(order(ctx, Some(key), labels)?);
        }
    }
    Ok(dims)
}

fn collect_key_labels(c: &CompiledCondition, keys: &mut KeyLabels) {
    if !is_interpreted(&c.key) || c.op.base == BaseOperator::Null {
        return;
    }
    let entry = match keys.iter_mut().position(|(k, _)| **k == *c.key) {
        Some(i) => keys.get_mut(i),
        None => {
            keys.push((c.key.clone(), Vec::new()));
            keys.last_mut()
        }
    };
    let Some((_, values)) = entry else { return };
    for t in &c.texts {
        if t.contains("${") {
            continue;
        }
        let v = (c.op.base.positive(), t.clone());
        if !values.contains(&v) {
            values.push(v);
        }
    }
}

/// Order labels by containment (deciding each pair with the solver), merge labels with equal
/// meaning, and compute the covering relation.
fn order(
    ctx: &mut Ctx<'_>,
    key: Option<std::sync::Arc<str>>,
    mut labels: Vec<Label>,
) -> Result<LabelDim, OutOfBudget> {
    let base = ctx.space.base;
    // Drop labels nothing can satisfy; keep a model of each other one (a point of the label,
    // which often shows at once that the label is not inside another). A lone label under `*`
    // needs neither: kept when empty, its region is empty and `*`'s is everything, as when it
    // is dropped, so no query or finding changes.
    // (The labels are filtered in place: `kept` is `labels`, the first always kept.)
    let mut models: smallvec::SmallVec<[Option<Model>; 4]> = smallvec::smallvec![None];
    if labels.len() == 2 {
        models.push(None);
    } else {
        let mut i = 1;
        while let Some(l) = labels.get(i) {
            let q = ctx.space.arena.and2(base, l.node);
            if let Some(m) = ctx.sat(q)? {
                models.push(Some(m));
                i += 1;
            } else {
                labels.remove(i);
            }
        }
    }
    let kept = labels;
    let n = kept.len();
    // Row `a`, column `b`: `b` inside `a`.
    let mut within = vec![false; n * n];
    for a in 0..n {
        for b in 0..n {
            let inside = if a == b || a == 0 {
                true
            } else if b == 0 {
                false
            } else {
                let (la, lb) = match (kept.get(a), kept.get(b)) {
                    (Some(x), Some(y)) => (x.node, y.node),
                    _ => continue,
                };
                // A known point of `b` outside `a` settles it.
                let outside = models
                    .get(b)
                    .and_then(Option::as_ref)
                    .is_some_and(|m| m.truth(&ctx.space.arena, la) == Some(false));
                let direct = if outside {
                    Some(false)
                } else {
                    ctx.direct_within(la, lb)?
                };
                match direct {
                    Some(inside) => inside,
                    None => {
                        let not_a = ctx.space.arena.not(la);
                        let q = ctx.space.arena.and([base, lb, not_a]);
                        !ctx.holds(q)?
                    }
                }
            };
            if let Some(cell) = within.get_mut(a * n + b) {
                *cell = inside;
            }
        }
    }
    let w = |a: usize, b: usize| within.get(a * n + b).copied().unwrap_or(false);
    // Merge equal labels into the first of them: the representatives are the labels equal to
    // no earlier representative.
    let mut reps: smallvec::SmallVec<[usize; 8]> = smallvec::SmallVec::new();
    for b in 0..n {
        if !reps.iter().any(|&a| w(a, b) && w(b, a)) {
            reps.push(b);
        }
    }
    let m = reps.len();
    // Usually no two labels are equal, and the square stays as it is.
    let within2: Vec<bool> = if m == n {
        within
    } else {
        reps.iter()
            .flat_map(|a| reps.iter().map(move |b| (*a, *b)))
            .map(|(a, b)| w(a, b))
            .collect()
    };
    let w2 = |a: usize, b: usize| within2.get(a * m + b).copied().unwrap_or(false);
    let mut children = vec![smallvec::SmallVec::new(); m];
    for (a, ch) in children.iter_mut().enumerate() {
        for b in 0..m {
            if a == b || !w2(a, b) {
                continue;
            }
            // b is just below a when no c sits strictly between them.
            let between = (0..m).any(|c| c != a && c != b && w2(a, c) && w2(c, b) && !w2(b, c));
            if !between {
                ch.push(b);
            }
        }
    }
    let labels: Vec<Label> = if m == n {
        kept
    } else {
        let mut kept: Vec<Option<Label>> = kept.into_iter().map(Some).collect();
        reps.iter()
            .filter_map(|i| kept.get_mut(*i).and_then(Option::take))
            .collect()
    };
    Ok(LabelDim {
        key,
        labels,
        within: within2,
        children,
    })
}

/// The region of an intent: inside each label, outside its children.
fn region(ctx: &mut Ctx<'_>, dims: &[LabelDim], intent: &[usize]) -> NodeId {
    let parts: Vec<NodeId> = dims
        .iter()
        .zip(intent)
        .map(|(d, &l)| d.region(ctx.space, l))
        .collect();
    ctx.space.arena.and(parts)
}

/// The box of an intent: inside each label.
pub(crate) fn boxed(ctx: &mut Ctx<'_>, dims: &[LabelDim], intent: &[usize]) -> NodeId {
    let parts: Vec<NodeId> = dims
        .iter()
        .zip(intent)
        .filter_map(|(d, &l)| d.labels.get(l).map(|x| x.node))
        .collect();
    ctx.space.arena.and(parts)
}

/// Whether intent `a` contains intent `b` (label by label).
pub(crate) fn contains(dims: &[LabelDim], a: &[usize], b: &[usize]) -> bool {
    dims.iter()
        .zip(a.iter().zip(b))
        .all(|(d, (&x, &y))| d.within(x, y))
}

/// Whether the boxes of two intents meet (label by label), memoized per (dimension, labels).
pub(crate) fn overlaps(
    ctx: &mut Ctx<'_>,
    dims: &[LabelDim],
    a: &[usize],
    b: &[usize],
    memo: &mut ahash::AHashMap<(usize, usize, usize), bool>,
) -> Result<bool, OutOfBudget> {
    for (k, d) in dims.iter().enumerate() {
        let (Some(&x), Some(&y)) = (a.get(k), b.get(k)) else {
            continue;
        };
        if d.within(x, y) || d.within(y, x) {
            continue;
        }
        let key = (k, x.min(y), x.max(y));
        let meet = match memo.get(&key) {
            Some(v) => *v,
            None => {
                let (Some(lx), Some(ly)) = (d.labels.get(x), d.labels.get(y)) else {
                    continue;
                };
                let base = ctx.space.base;
                let q = ctx.space.arena.and([base, lx.node, ly.node]);
                let v = ctx.holds(q)?;
                memo.insert(key, v);
                v
            }
        };
        if !meet {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Access Analyzer's walk for one constraint (the allowed external requests of one action
/// class). Returns the reported intents with a model of each.
pub(crate) fn walk(
    ctx: &mut Ctx<'_>,
    dims: &[LabelDim],
    allowed: NodeId,
) -> Result<Vec<(Vec<usize>, Model)>, OutOfBudget> {
    let top = vec![0usize; dims.len()];
    let mut seen = ahash::AHashSet::new();
    let mut queue = std::collections::VecDeque::from([top]);
    let mut reported: Vec<(Vec<usize>, Model)> = Vec::new();
    while let Some(intent) = queue.pop_front() {
        if !seen.insert(intent.clone()) {
            continue;
        }
        let r = region(ctx, dims, &intent);
        let q = ctx.space.arena.and2(allowed, r);
        if let Some(m) = ctx.sat(q)? {
            reported.push((intent, m));
            continue;
        }
        // Refine one key one step down. Children only matter where the policy allows anything.
        let b = boxed(ctx, dims, &intent);
        let q = ctx.space.arena.and2(allowed, b);
        if !ctx.holds(q)? {
            continue;
        }
        for (k, d) in dims.iter().enumerate() {
            let Some(&l) = intent.get(k) else { continue };
            for &c in d.children(l) {
                let mut next = intent.clone();
                if let Some(x) = next.get_mut(k) {
                    *x = c;
                }
                queue.push_back(next);
            }
        }
    }
    // Drop intents contained in other reported intents.
    let keep: Vec<bool> = (0..reported.len())
        .map(|i| {
            let Some((a, _)) = reported.get(i) else {
                return false;
            };
            !reported.iter().enumerate().any(|(j, (b, _))| {
                j != i && contains(dims, b, a) && (!contains(dims, a, b) || j < i)
            })
        })
        .collect();
    Ok(reported
        .into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect())
}

/// Keys that describe the caller: their labels and the principal's are coupled (they constrain
/// the same dimensions), so they form one group.
const PRINCIPAL_GROUP: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principalorgid",
    "aws:principalorgpaths",
];

fn in_principal_group(key: Option<&str>) -> bool {
    key.is_none_or(|k| PRINCIPAL_GROUP.contains(&k) || k.starts_with("aws:principaltag/"))
}

/// The statement's parts that constrain the group of a finding dimension.
fn group_part(ctx: &mut Ctx<'_>, st: &StatementParts, key: Option<&str>) -> NodeId {
    let principal_group = in_principal_group(key);
    let mut parts = Vec::new();
    if principal_group {
        parts.push(st.principal);
    }
    for (k, n) in &st.conditions {
        let same = if principal_group {
            in_principal_group(Some(k))
        } else {
            Some(&**k) == key
        };
        if same {
            parts.push(*n);
        }
    }
    ctx.space.arena.and(parts)
}

/// The per-statement label sets (`M[i][k]`: labels of dimension `k` whose region meets the
/// statement), computed once per analysis and shared by every action class.
pub(crate) struct Reach {
    per_statement: Vec<Vec<Vec<usize>>>,
}

/// Compute, for each Allow statement, the labels of each dimension whose region the statement
/// can reach (within the global constraint: well-formed, external requests).
pub(crate) fn reach(
    ctx: &mut Ctx<'_>,
    dims: &[LabelDim],
    statements: &[StatementParts],
    global: NodeId,
) -> Result<Reach, OutOfBudget> {
    let mut regions: Vec<Vec<NodeId>> = Vec::new();
    for d in dims {
        let mut rs = Vec::new();
        for l in 0..d.labels.len() {
            rs.push(d.region(ctx.space, l));
        }
        regions.push(rs);
    }
    let mut free: Vec<Option<Vec<usize>>> = vec![None; dims.len()];
    let mut per_statement = Vec::new();
    for st in statements {
        let mut per_dim = Vec::new();
        for (k, d) in dims.iter().enumerate() {
            // Every label is a candidate (reach may be a superset: each candidate is confirmed
            // by its own query) when the dimension has `*` alone, or when the statement leaves a
            // key outside the caller's group free: such keys are independent of the
            // well-formedness and zone constraints (which only speak of the caller), so the only
            // question would be whether a label's region has a value, and a label without
            // children has one unless `order` kept it alone without asking, while `*` is emptied
            // only by children that cover every value.
            let all_labels = || (0..d.labels.len()).collect::<Vec<_>>();
            if d.labels.len() == 1 {
                per_dim.push(all_labels());
                continue;
            }
            let part = group_part(ctx, st, d.key.as_deref());
            let unconstrained = matches!(ctx.space.arena.node(part), Node::True);
            let principal_group = in_principal_group(d.key.as_deref());
            if unconstrained && !principal_group {
                per_dim.push(all_labels());
                continue;
            }
            if unconstrained {
                if let Some(Some(f)) = free.get(k) {
                    per_dim.push(f.clone());
                    continue;
                }
            }
            // Only the caller's group meets the global constraint (see above).
            let g = if principal_group {
                global
            } else {
                crate::reason::formula::TRUE
            };
            let mut hits = Vec::new();
            for (l, r) in regions
                .get(k)
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                // A statement that names a label without children reaches it unless the
                // statement has no request at all in the global constraint: counted as reached.
                let leaf = d.children(l).is_empty();
                if leaf && l != 0 && names_one_of(&ctx.space.arena, part, &[l], d) {
                    hits.push(l);
                    continue;
                }
                // A statement that names a child of the label (as a conjunct: a principal, or
                // a value that is itself a label) has nothing in the label's region, which is
                // outside its children.
                let kids = d.children(l);
                if names_one_of(&ctx.space.arena, part, kids, d) {
                    continue;
                }
                // Most labels of a dimension exclude each other: a label whose literals
                // contradict the statement's on some dimension needs no query.
                if let Some(label) = d.labels.get(l) {
                    if ctx.refuted(&[part, label.node])? {
                        continue;
                    }
                }
                let q = ctx.space.arena.and([g, part, *r]);
                if ctx.holds(q)? {
                    hits.push(l);
                }
            }
            if unconstrained {
                if let Some(slot) = free.get_mut(k) {
                    *slot = Some(hits.clone());
                }
            }
            per_dim.push(hits);
        }
        per_statement.push(per_dim);
    }
    Ok(Reach { per_statement })
}

/// Whether every conjunct of one of the labels `kids` of dimension `d` is built like a conjunct
/// of `part` (so every request of `part` is inside that label).
fn names_one_of(
    arena: &crate::reason::formula::Arena,
    part: NodeId,
    kids: &[usize],
    d: &LabelDim,
) -> bool {
    let have = arena.conjuncts(&part);
    kids.iter().filter_map(|k| d.labels.get(*k)).any(|label| {
        arena
            .conjuncts(&label.node)
            .iter()
            .all(|x| have.iter().any(|c| arena.same(*c, *x)))
    })
}

/// How [`enumerate`] confirms a candidate.
pub(crate) struct Confirm<'f> {
    /// `through(ctx, some)` is the constraint with the Allow statements narrowed to `some`: a
    /// candidate is confirmed against the statements whose reach produced it, since the region
    /// of a candidate outside a statement's reach holds none of that statement's requests (the
    /// constraint is the same there, and the search skips the statements that cannot help).
    pub(crate) through: &'f mut dyn FnMut(&mut Ctx<'_>, &[usize]) -> NodeId,
    /// `hint(ctx, intent, query)` may offer a model of a candidate's query before it is
    /// searched: a model it gives must make the query true (then it stands for the search's
    /// answer).
    pub(crate) hint: &'f mut Hint<'f>,
}

/// See [`Confirm::hint`].
pub(crate) type Hint<'f> = dyn FnMut(&mut Ctx<'_>, &[usize], NodeId) -> Option<Model> + 'f;

/// Access Analyzer's findings for one constraint, computed directly: the maximal intents whose
/// region holds an allowed request. Candidates come from the statements' reach (a superset of
/// the intents with allowed requests in their region), each is confirmed by one query (which
/// also yields its witness), and the maximal ones are kept. This equals the lattice walk
/// ([`walk`]), which a test checks.
///
/// Each intent comes with its model and the query the model satisfies; `confirm` narrows the
/// queries and may answer them (see [`Confirm`]).
pub(crate) fn enumerate(
    ctx: &mut Ctx<'_>,
    dims: &[LabelDim],
    reach: &Reach,
    statements: &[StatementParts],
    allowed: NodeId,
    confirm: Confirm<'_>,
    candidates_limit: usize,
) -> Result<Vec<(Vec<usize>, Model, NodeId)>, OutOfBudget> {
    let Confirm { through, hint } = confirm;
    // An intent while it is a candidate (one label per dimension; few dimensions, kept inline).
    type Candidate = smallvec::SmallVec<[usize; 4]>;
    let mut candidates: Vec<Candidate> = Vec::new();
    // The statements each candidate came from.
    let mut sources: Vec<smallvec::SmallVec<[usize; 4]>> = Vec::new();
    // The index of each candidate, kept once there are more than a few (few are compared in
    // turn).
    const FEW: usize = 16;
    let mut seen: ahash::AHashMap<Candidate, usize> = ahash::AHashMap::new();
    let several = reach.per_statement.len() > 1;
    for (i, per_dim) in reach.per_statement.iter().enumerate() {
        // Skip statements with no allowed request in this constraint (with one statement, the
        // candidates' own checks decide as much).
        let Some(st) = statements.get(i) else {
            continue;
        };
        if several {
            let q = ctx.space.arena.and2(allowed, st.all);
            if !ctx.holds(q)? {
                continue;
            }
        }
        let mut product: smallvec::SmallVec<[Candidate; 4]> = smallvec::smallvec![Candidate::new()];
        for labels in per_dim {
            let mut next = smallvec::SmallVec::with_capacity(product.len() * labels.len());
            for p in &product {
                for l in labels {
                    let mut x = p.clone();
                    x.push(*l);
                    next.push(x);
                }
            }
            product = next;
            if product.len() > candidates_limit {
                return Err(OutOfBudget);
            }
        }
        for c in product {
            let known = if candidates.len() <= FEW {
                candidates.iter().position(|x| *x == c)
            } else {
                if seen.is_empty() {
                    seen.extend(candidates.iter().cloned().zip(0..));
                }
                seen.get(&c).copied()
            };
            match known {
                Some(k) => {
                    if let Some(s) = sources.get_mut(k) {
                        s.push(i);
                    }
                }
                None => {
                    if !seen.is_empty() {
                        seen.insert(c.clone(), candidates.len());
                    }
                    candidates.push(c);
                    sources.push(smallvec::smallvec![i]);
                }
            }
        }
        if candidates.len() > candidates_limit {
            return Err(OutOfBudget);
        }
    }
    // Confirm: the region must hold an allowed request. Candidates are confirmed containers
    // first: one inside a confirmed candidate would be dropped below as not maximal whatever its
    // own answer, so it needs no query. (A label strictly inside another has strictly more
    // labels containing it, so the sum of those counts orders containers first.)
    let depth = |c: &[usize]| -> usize {
        dims.iter()
            .zip(c)
            .map(|(d, &l)| (0..d.labels.len()).filter(|a| d.within(*a, l)).count())
            .sum()
    };
    // By depth, ties in the candidates' order.
    let mut order: smallvec::SmallVec<[(usize, usize); 8]> =
        candidates.iter().map(|c| depth(c)).zip(0..).collect();
    order.sort_unstable();
    let mut answers: smallvec::SmallVec<[Option<(Model, NodeId)>; 8]> =
        smallvec::smallvec![None; candidates.len()];
    let mut narrowed: ahash::AHashMap<smallvec::SmallVec<[usize; 4]>, NodeId> =
        ahash::AHashMap::new();
    let all = reach.per_statement.len();
    for (_, i) in order {
        let (Some(c), Some(from)) = (candidates.get(i), sources.get(i)) else {
            continue;
        };
        let inside_confirmed = candidates
            .iter()
            .zip(&answers)
            .any(|(a, m)| m.is_some() && contains(dims, a, c));
        if inside_confirmed {
            continue;
        }
        let constraint = if from.len() == all {
            allowed
        } else if let Some(n) = narrowed.get(from) {
            *n
        } else {
            let n = through(ctx, from);
            narrowed.insert(from.clone(), n);
            n
        };
        let r = region(ctx, dims, c);
        let q = ctx.space.arena.and2(constraint, r);
        let answer = match hint(ctx, c, q) {
            Some(m) => Some(m),
            None => ctx.sat(q)?,
        }
        .map(|m| (m, q));
        if let Some(slot) = answers.get_mut(i) {
            *slot = answer;
        }
    }
    // In the candidates' order.
    let mut confirmed: Vec<(Vec<usize>, Model, NodeId)> = candidates
        .into_iter()
        .zip(answers)
        .filter_map(|(c, m)| m.map(|(m, q)| (c.into_vec(), m, q)))
        .collect();
    // Keep the maximal ones.
    let keep: smallvec::SmallVec<[bool; 16]> = (0..confirmed.len())
        .map(|i| {
            let Some((a, _, _)) = confirmed.get(i) else {
                return false;
            };
            // Candidates are distinct, so another index is another intent.
            !confirmed
                .iter()
                .enumerate()
                .any(|(j, (b, _, _))| j != i && contains(dims, b, a))
        })
        .collect();
    let mut k = keep.iter();
    confirmed.retain(|_| k.next().copied().unwrap_or(true));
    Ok(confirmed)
}

/// Labels of a finding, for display.
pub(crate) fn describe(
    dims: &[LabelDim],
    intent: &[usize],
    finding: &mut Finding,
    spelled: impl Fn(&str) -> String,
) {
    for (d, &l) in dims.iter().zip(intent) {
        match d.labels.get(l).map(|x| &x.display) {
            Some(Display::Principal(k, v)) => {
                finding.principal.insert((*k).to_string(), v.clone());
            }
            Some(Display::Value(v)) => {
                if let Some(key) = &d.key {
                    finding.condition.insert(spelled(key), v.clone());
                }
            }
            _ => {}
        }
    }
    if finding.principal.is_empty() {
        finding.principal.insert("AWS".into(), "*".into());
    }
}
