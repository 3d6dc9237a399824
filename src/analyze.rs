//! External access analysis: who outside the zone of trust can reach a resource, with which
//! actions and under which conditions, as AWS IAM Access Analyzer reports it, and a witness
//! request for each finding.
//!
//! [`analyze_policy`] analyses one resource policy. [`analyze_resource`] analyses a resource's
//! whole configuration ([`ResourceConfig`]: S3 ACLs, Block Public Access and access points, KMS
//! grants, Lambda function URLs, a secret's KMS key, the sharing attributes and encryption of EBS
//! and RDS snapshots, and the policy of every other type, checked against its service's size
//! limit); [`Snapshot`] reads account
//! snapshots of raw AWS CLI output resource by resource, and [`analyze_all`] analyses many
//! resources on several threads. How each type is read: `perimeter::manual::analysis`.
//!
//! ```
//! use perimeter::analyze::{analyze_policy, Options, Resource, ResourceType, ZoneOfTrust};
//! use perimeter::policy::Policy;
//!
//! let policy = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{
//!     "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
//!     "Action": "sqs:SendMessage", "Resource": "*"}]}"#)?;
//! let queue = Resource::new(
//!     "arn:aws:sqs:us-east-1:111122223333:orders",
//!     ResourceType::SqsQueue,
//!     "111122223333",
//! );
//! let findings = analyze_policy(&policy, &queue, &ZoneOfTrust::account("111122223333"), &Options::default());
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].principal["AWS"], "444455556666");
//! assert_eq!(findings[0].action, ["sqs:SendMessage"]);
//! assert_eq!(findings[0].is_public, Some(false));
//! # Ok::<(), perimeter::Error>(())
//! ```

mod config;
mod dispatch;
mod dynamodb;
mod ebs;
mod ecr;
mod efs;
mod finding;
mod kms;
mod lambda;
mod lambda_layer;
pub(crate) mod lattice;
mod parallel;
mod policy_type;
mod rds;
mod resource;
mod s3;
mod s3_express;
mod secrets_manager;
mod sharing;
pub mod snapshot;
mod sns;
mod zone;

pub use config::{
    AccessPoint, AclGrant, AclGrantee, AclPermission, BucketAcl, EbsSnapshot, FunctionUrl,
    FunctionUrlAuthType, InvalidResource, KmsGrant, KmsKey, LambdaFunction, NetworkOrigin,
    PolicyResource, PublicAccessBlock, RdsSnapshot, ResourceConfig, S3Bucket, SecretsManagerSecret,
    SnapshotShare,
};
pub use dispatch::analyze_resource;
pub(crate) use finding::content_id;
pub use finding::{Finding, FindingSource, FindingSourceDetail, StatementRef, Status, Witness};
pub use parallel::analyze_all;
pub(crate) use resource::action_arns;
pub use resource::{Resource, ResourceType};
pub use snapshot::Snapshot;
pub use zone::{Organization, ZoneOfTrust};

use crate::eval::{ReasonKind, SimpleCase};
use crate::policy::{CompiledPolicy, Policy};
use crate::reason::formula::{Atom, Node, NodeId, Pred};
use crate::reason::lang::{Lang, OutOfBudget};
use crate::reason::search::{Memo, Model};
use crate::reason::space::{Actions, Space};
use lattice::{Ctx, LabelDim};

/// How findings are enumerated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Access Analyzer's findings: the label-lattice walk, including findings that several
    /// others jointly cover (n overlapping statements give up to n² findings).
    #[default]
    Compatible,
    /// Also drop findings that other findings jointly cover.
    Minimal,
}

/// Analysis options.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Compatible or minimal findings.
    pub mode: Mode,
    /// Work allowed per resource (search steps and string-automaton states). A resource that
    /// needs more gets an error finding that says so. Default 2,000,000.
    pub budget: u64,
    /// The analysis time written to `analyzedAt` (RFC 3339); none when `None`.
    pub analyzed_at: Option<String>,
    /// Attach a witness request to each finding. Default true.
    pub witnesses: bool,
    /// Enumerate with the literal lattice walk instead of the direct method (for tests that
    /// check the two agree; slower).
    #[doc(hidden)]
    pub reference_walk: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            mode: Mode::Compatible,
            budget: 2_000_000,
            analyzed_at: None,
            witnesses: true,
            reference_walk: false,
        }
    }
}

impl Options {
    /// Options with another mode.
    pub fn with_mode(mut self, mode: Mode) -> Options {
        self.mode = mode;
        self
    }
    /// Options with another budget.
    pub fn with_budget(mut self, budget: u64) -> Options {
        self.budget = budget;
        self
    }
    /// Options with an analysis time.
    pub fn with_analyzed_at(mut self, at: &str) -> Options {
        self.analyzed_at = Some(at.to_string());
        self
    }
    /// Options without witnesses (faster).
    pub fn without_witnesses(mut self) -> Options {
        self.witnesses = false;
        self
    }
}

/// The error code of a resource whose analysis exceeded its budget.
pub const ERROR_BUDGET: &str = "ANALYSIS_BUDGET_EXCEEDED";

/// One thing to analyse: a policy that grants access to a resource, the actions it can grant
/// and the shape of the resources they act on.
pub(crate) struct Unit<'a> {
    pub(crate) source: FindingSource,
    pub(crate) policy: &'a CompiledPolicy,
    /// A name for the policy in statement references.
    pub(crate) policy_name: String,
    pub(crate) resource: &'a Resource,
    /// The action universe (canonical names).
    pub(crate) actions: std::sync::Arc<[String]>,
    /// (indices into `actions`, the resource ARNs they act on).
    pub(crate) shapes: Vec<(Vec<usize>, Lang)>,
    /// Keys with fixed values (those with a value are also written into witnesses).
    pub(crate) constants: Vec<(String, Option<String>)>,
    /// Further policies that must allow the same request (a request through an S3 access point
    /// needs the access point policy and the bucket policy).
    pub(crate) also: Vec<Also<'a>>,
    /// A further restriction on the requests analysed (such as "through an access point of
    /// another account").
    pub(crate) require: Option<Require<'a>>,
}

/// Builds a restriction on the request space.
pub(crate) type Require<'a> = Box<dyn Fn(&mut Space) -> NodeId + 'a>;

/// Maps a unit's resource to the resource another policy sees.
pub(crate) type MapResource<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// A policy that must also allow a unit's requests.
pub(crate) struct Also<'a> {
    /// The policy as the analysis reads it: its resources rewritten into the unit's resource
    /// form (exactly: the rewritten policy matches a unit resource iff the original matches the
    /// resource this policy sees).
    pub(crate) policy: &'a CompiledPolicy,
    /// The policy as written, for the witness.
    pub(crate) original: &'a CompiledPolicy,
    /// A name for the policy in statement references.
    pub(crate) name: String,
    /// The resource this policy sees for a unit resource (for the witness).
    pub(crate) resource: MapResource<'a>,
}

/// Analyse one resource policy.
///
/// Never fails: a resource whose analysis exceeds the budget gets one error finding
/// ([`ERROR_BUDGET`]).
pub fn analyze_policy(
    policy: &Policy,
    resource: &Resource,
    zone: &ZoneOfTrust,
    options: &Options,
) -> Vec<Finding> {
    match policy.compile() {
        Ok(c) => analyze_compiled(&c, resource, zone, options),
        Err(e) => vec![error_finding(resource, &e.to_string(), options)],
    }
}

/// Analyse one compiled resource policy.
pub fn analyze_compiled(
    policy: &CompiledPolicy,
    resource: &Resource,
    zone: &ZoneOfTrust,
    options: &Options,
) -> Vec<Finding> {
    let units = resource::policy_units(policy, resource);
    run_units(&units, resource, zone, options)
}

pub(crate) fn run_units(
    units: &[Unit<'_>],
    resource: &Resource,
    zone: &ZoneOfTrust,
    options: &Options,
) -> Vec<Finding> {
    let mut budget = options.budget;
    let mut out = Vec::new();
    for u in units {
        match run_unit(u, zone, options, &mut budget) {
            // The first unit's findings are kept as they come (a finding is large: a vector
            // grown from empty would ask for room for four).
            Ok(f) if out.is_empty() => out = f,
            Ok(f) => out.extend(f),
            Err(OutOfBudget) => {
                return vec![error_finding(resource, ERROR_BUDGET, options)];
            }
        }
    }
    sort_findings(&mut out);
    out
}

/// The order of a resource's findings: by principal, conditions, actions, sources.
pub(crate) fn sort_findings(out: &mut [Finding]) {
    out.sort_by(|a, b| {
        (&a.principal, &a.condition, &a.action, &a.sources).cmp(&(
            &b.principal,
            &b.condition,
            &b.action,
            &b.sources,
        ))
    });
}

pub(crate) fn error_finding(resource: &Resource, error: &str, options: &Options) -> Finding {
    let mut f = Finding {
        resource: resource.arn.clone(),
        resource_type: resource.resource_type.as_str().to_string(),
        resource_owner_account: resource.owner_account.clone(),
        error: Some(error.to_string()),
        analyzed_at: options.analyzed_at.clone(),
        ..Finding::default()
    };
    if error != ERROR_BUDGET {
        f.error = Some("INVALID_CONFIGURATION".into());
        f.note = Some(error.to_string());
    }
    f.id = f.compute_id();
    f
}

/// An action class: the bit set of its members (by index in the unit's actions).
type ActionClass = smallvec::SmallVec<[u64; 4]>;

/// The classes of actions the formulas cannot tell apart.
fn action_classes(space: &Space) -> Vec<ActionClass> {
    let Actions::Finite(names) = &space.actions else {
        return Vec::new();
    };
    let mut sets: Vec<&[u64]> = Vec::new();
    for a in &space.arena.atoms {
        if let Atom::Elem(d, p) = a {
            if *d == space.action {
                if let Some(Pred::Finite(bits)) = space.arena.preds.get(*p as usize) {
                    sets.push(bits);
                }
            }
        }
    }
    // Refine the partition one set at a time, splitting each class into its part outside the
    // set, then its part inside: the classes come out in the order of their signatures read as
    // lists of booleans, set 0 first (false before true), each with its members in order.
    if names.is_empty() {
        return Vec::new();
    }
    let mut classes: Vec<ActionClass> = vec![crate::reason::formula::full_set(names.len())];
    let mut next = Vec::new();
    for set in &sets {
        let word = |i: usize| set.get(i).copied().unwrap_or(0);
        for c in classes.drain(..) {
            let outside: ActionClass = c.iter().enumerate().map(|(i, w)| w & !word(i)).collect();
            let inside: ActionClass = c.iter().enumerate().map(|(i, w)| w & word(i)).collect();
            for part in [outside, inside] {
                if part.iter().any(|w| *w != 0) {
                    next.push(part);
                }
            }
        }
        std::mem::swap(&mut classes, &mut next);
    }
    classes
}

/// The members of an action class, in order.
fn class_members(c: &[u64]) -> Vec<usize> {
    let mut members = Vec::with_capacity(c.iter().map(|w| w.count_ones() as usize).sum());
    for (i, w) in c.iter().enumerate() {
        let mut w = *w;
        while w != 0 {
            members.push(i * 64 + w.trailing_zeros() as usize);
            w &= w - 1;
        }
    }
    members
}

/// The first member of an action class.
fn class_first(c: &[u64]) -> Option<usize> {
    c.iter()
        .enumerate()
        .find(|(_, w)| **w != 0)
        .map(|(i, w)| i * 64 + w.trailing_zeros() as usize)
}

pub(crate) fn run_unit(
    unit: &Unit<'_>,
    zone: &ZoneOfTrust,
    options: &Options,
    budget: &mut u64,
) -> Result<Vec<Finding>, OutOfBudget> {
    let partition = crate::arn::Arn::parse(&unit.resource.arn)
        .map(|a| a.partition().to_string())
        .unwrap_or_else(|_| "aws".into());
    let mut space = Space::new(&partition, Actions::Finite(unit.actions.clone()));
    let mut policies = vec![unit.policy];
    policies.extend(unit.also.iter().map(|a| a.policy));
    space.declare_multi_from(&policies);
    for (k, v) in &unit.constants {
        space.set_constant(k, v.as_deref());
    }
    let shapes: Vec<NodeId> = unit
        .shapes
        .iter()
        .map(|(acts, lang)| {
            let a = space.action_in(acts);
            let r = space.resource_in(lang.clone());
            space.arena.and2(a, r)
        })
        .collect();
    let shape = space.arena.or(shapes);
    let statements: Vec<_> = unit
        .policy
        .statements()
        .iter()
        .map(|s| space.statement_parts(s))
        .collect();
    let allows: Vec<NodeId> = statements
        .iter()
        .filter(|s| s.effect == crate::policy::Effect::Allow)
        .map(|s| s.all)
        .collect();
    // What must hold besides some Allow statement of the policy: none of its Deny statements,
    // and every further policy allows.
    let besides = {
        let denies: Vec<NodeId> = statements
            .iter()
            .filter(|s| s.effect == crate::policy::Effect::Deny)
            .map(|s| s.all)
            .collect();
        let d = space.arena.or(denies);
        let mut all = vec![space.arena.not(d)];
        for also in &unit.also {
            let (a, d) = space.policy(also.policy);
            all.push(a);
            all.push(space.arena.not(d));
        }
        all
    };
    let require = match &unit.require {
        Some(f) => f(&mut space),
        None => crate::reason::formula::TRUE,
    };
    let allow_statements: Vec<_> = statements
        .into_iter()
        .filter(|s| s.effect == crate::policy::Effect::Allow)
        .collect();
    let ext = zone.external(&mut space);
    let mut memo = Memo::with_prototype(space.prototype.as_ref());
    let dims = {
        let mut ctx = Ctx {
            space: &mut space,
            memo: &mut memo,
            budget,
        };
        lattice::build_dims(&mut ctx, &policies)?
    };
    // Read the base last: building formulas may add facts about new keys.
    let base = space.base;
    // The allowed external requests, through the Allow statements in `some` (indices into
    // `allows`).
    let allowed_by = |space: &mut Space, some: &[usize]| {
        let a: Vec<NodeId> = some
            .iter()
            .filter_map(|i| allows.get(*i).copied())
            .collect();
        let a = space.arena.or(a);
        let mut parts = vec![base, a];
        parts.extend(besides.iter().copied());
        parts.extend([ext, shape, require]);
        space.arena.and(parts)
    };
    let every: Vec<usize> = (0..allows.len()).collect();
    let allowed = allowed_by(&mut space, &every);
    // Only classes some Allow statement can grant need a look (decided without the solver).
    let grants = |a: &str| {
        let folded = crate::pattern::fold_str(a);
        let svc = crate::policy::compile::service_hash(&folded);
        unit.policy.statements().iter().any(|s| {
            s.effect == crate::policy::Effect::Allow && s.actions.matches_folded(&folded, svc)
        })
    };
    let classes: Vec<Vec<usize>> = action_classes(&space)
        .iter()
        .filter(|c| {
            class_first(c)
                .and_then(|i| unit.actions.get(i))
                .is_some_and(|a| grants(a))
        })
        .map(|c| class_members(c))
        .collect();
    let mut merged: Vec<(Vec<usize>, Vec<usize>, Model)> = Vec::new();
    // The index of each intent in `merged`, and (by the same index) the query its model
    // satisfies.
    let mut position: ahash::AHashMap<Vec<usize>, usize> = ahash::AHashMap::new();
    let mut asked: Vec<NodeId> = Vec::new();
    // Whether a node depends on the action or the resource (see `Probes::try_model`; kept with
    // the prototype for its own nodes).
    let prototype = space.prototype.clone();
    let mut touches: Vec<u8> = prototype
        .as_ref()
        .map(|p| p.take_node_facts())
        .unwrap_or_default();
    {
        let mut ctx = Ctx {
            space: &mut space,
            memo: &mut memo,
            budget,
        };
        let global = ctx.space.arena.and2(base, ext);
        let reach = lattice::reach(&mut ctx, &dims, &allow_statements, global)?;
        for class in &classes {
            let in_class = ctx.space.action_in(class);
            let constraint = ctx.space.arena.and2(allowed, in_class);
            // A later class asks again about intents an earlier one reached. A model of such an
            // intent, moved to this class's action and to a resource the action acts on, often
            // satisfies the query at once; `Memo::truth` decides that exactly, and only the
            // answer matters then (the merge keeps the earlier model), so the search is skipped.
            // (The probes are made when first needed.)
            let mut probes: Option<Option<Probes>> = None;
            let mut hint = |ctx: &mut Ctx<'_>, intent: &[usize], q: NodeId| {
                let k = *position.get(intent)?;
                let (_, _, m) = merged.get(k)?;
                probes
                    .get_or_insert_with(|| Probes::of(unit, class))
                    .as_ref()?
                    .try_model(ctx, m, *asked.get(k)?, q, &mut touches)
            };
            let found = if options.reference_walk {
                lattice::walk(&mut ctx, &dims, constraint)?
                    .into_iter()
                    .map(|(i, m)| (i, m, crate::reason::formula::TRUE))
                    .collect()
            } else {
                // A candidate's region only holds requests of the statements it came from.
                let mut through = |ctx: &mut Ctx<'_>, some: &[usize]| {
                    let a = allowed_by(ctx.space, some);
                    ctx.space.arena.and2(a, in_class)
                };
                lattice::enumerate(
                    &mut ctx,
                    &dims,
                    &reach,
                    &allow_statements,
                    constraint,
                    lattice::Confirm {
                        through: &mut through,
                        hint: &mut hint,
                    },
                    100_000,
                )?
            };
            for (intent, model, query) in found {
                match position.get(&intent) {
                    Some(k) => {
                        if let Some((_, acts, _)) = merged.get_mut(*k) {
                            acts.extend(class.iter().copied());
                        }
                    }
                    None => {
                        position.insert(intent.clone(), merged.len());
                        merged.push((intent, class.clone(), model));
                        asked.push(query);
                    }
                }
            }
        }
        // After merging, an intent may sit inside another that now has its actions too (the
        // intents are distinct, so another index is another intent).
        let keep: Vec<bool> = merged
            .iter()
            .enumerate()
            .map(|(k, (i, a, _))| {
                !merged.iter().enumerate().any(|(l, (j, b, _))| {
                    l != k && lattice::contains(&dims, j, i) && a.iter().all(|x| b.contains(x))
                })
            })
            .collect();
        let mut k = 0;
        merged.retain(|_| {
            let kept = keep.get(k).copied().unwrap_or(true);
            k += 1;
            kept
        });
        if options.mode == Mode::Minimal {
            minimize(&mut ctx, &dims, allowed, &mut merged)?;
        }
    }
    memo.recycle();
    if let Some(p) = &prototype {
        p.keep_node_facts(touches);
    }
    // Sized at once: a finding is large, and a vector grown by doubling would ask the
    // allocator for more than a kilobyte, a slow path, for the typical one or two findings.
    let mut out = Vec::with_capacity(merged.len());
    for (intent, acts, model) in merged {
        out.push(finding_of(
            unit, &space, &dims, &intent, &acts, &model, options,
        ));
    }
    space.recycle();
    Ok(out)
}

/// Values to move a model to an action class: the class's first action, and a resource of each
/// shape that action acts on (see `run_unit`).
struct Probes {
    action: crate::reason::search::Shared,
    /// The languages of the shapes the action acts on.
    shapes: smallvec::SmallVec<[Lang; 2]>,
    resources: smallvec::SmallVec<[crate::reason::search::Shared; 2]>,
}

impl Probes {
    fn of(unit: &Unit<'_>, class: &[usize]) -> Option<Probes> {
        use crate::reason::theory::Val;
        let first = *class.first()?;
        let action = std::rc::Rc::new(Val::One(unit.actions.get(first)?.clone()));
        // A shortest resource of each shape (a search of its own, bounded apart from the
        // analysis's budget: the probes are a shortcut, and must not change what fits it).
        let mut spare = 4096;
        let shapes: smallvec::SmallVec<[Lang; 2]> = unit
            .shapes
            .iter()
            .filter(|(acts, _)| acts.contains(&first))
            .map(|(_, lang)| lang.clone())
            .collect();
        let resources = shapes
            .iter()
            .filter_map(|lang| {
                crate::reason::lang::solve(&[&[lang]], &[], &mut spare)
                    .ok()
                    .flatten()
            })
            .map(|r| std::rc::Rc::new(Val::One(r)))
            .collect();
        Some(Probes {
            action,
            shapes,
            resources,
        })
    }

    /// `m` (a model of `before`) with the class's action, and its own resource (when a shape of
    /// the action holds it) or one of the probes', when that makes `q` true.
    ///
    /// Only the parts of `q` that can have changed are evaluated: a part of both conjunctions
    /// that depends neither on the action nor on the resource (nor on an uninterpreted atom)
    /// is true for `m`, which only those values leave. `touches` caches, per node, 1 for "no"
    /// and 2 for "yes".
    fn try_model(
        &self,
        ctx: &mut Ctx<'_>,
        m: &Model,
        before: NodeId,
        q: NodeId,
        touches: &mut Vec<u8>,
    ) -> Option<Model> {
        let arena = &ctx.space.arena;
        if m.values.len() != arena.dims.len() {
            return None;
        }
        let (a, r) = (ctx.space.action, ctx.space.resource);
        let mut known: smallvec::SmallVec<[NodeId; 32]> =
            arena.conjuncts(&before).iter().copied().collect();
        known.sort_unstable();
        let todo: smallvec::SmallVec<[NodeId; 32]> = arena
            .conjuncts(&q)
            .iter()
            .copied()
            .filter(|p| known.binary_search(p).is_err() || touches_dims(arena, *p, [a, r], touches))
            .collect();
        let (a, r) = (a as usize, r as usize);
        let own = m.values.get(r)?.clone();
        let own = match &*own {
            crate::reason::theory::Val::One(text) => {
                self.shapes.iter().any(|l| l.matches(text)).then_some(own)
            }
            _ => None,
        };
        let mut moved = Model {
            values: m.values.clone(),
        };
        *moved.values.get_mut(a)? = self.action.clone();
        for res in own.into_iter().chain(self.resources.iter().cloned()) {
            *moved.values.get_mut(r)? = res;
            if todo
                .iter()
                .all(|p| ctx.memo.truth(arena, &moved, *p) == Some(true))
            {
                return Some(moved);
            }
        }
        None
    }
}

/// Whether node `n` depends on one of `dims`, or on an uninterpreted atom (cached per node in
/// `cache`: 0 unknown, 1 no, 2 yes).
fn touches_dims(
    arena: &crate::reason::formula::Arena,
    n: NodeId,
    dims: [crate::reason::formula::DimId; 2],
    cache: &mut Vec<u8>,
) -> bool {
    match cache.get(n as usize) {
        Some(1) => return false,
        Some(2) => return true,
        _ => {}
    }
    let out = match arena.node(n) {
        Node::True | Node::False => false,
        Node::Atom(x) => arena
            .atoms
            .get(*x as usize)
            .and_then(Atom::dim)
            .is_none_or(|d| dims.contains(&d)),
        Node::Not(x) => touches_dims(arena, *x, dims, cache),
        Node::And(xs) | Node::Or(xs) => arena
            .kids(*xs)
            .iter()
            .any(|x| touches_dims(arena, *x, dims, cache)),
    };
    if cache.len() <= n as usize {
        cache.resize(arena.nodes.len().max(n as usize + 1), 0);
    }
    if let Some(slot) = cache.get_mut(n as usize) {
        *slot = if out { 2 } else { 1 };
    }
    out
}

/// Drop findings jointly covered by the others (most specific first). Only findings whose boxes
/// overlap take part in a check, and a check that would need more than a small budget keeps the
/// finding (keeping is always sound).
fn minimize(
    ctx: &mut Ctx<'_>,
    dims: &[LabelDim],
    allowed: NodeId,
    found: &mut Vec<(Vec<usize>, Vec<usize>, Model)>,
) -> Result<(), OutOfBudget> {
    let depth = |i: &Vec<usize>| i.iter().filter(|x| **x != 0).count();
    found.sort_by_key(|(i, _, _)| std::cmp::Reverse(depth(i)));
    let mut overlap_memo: ahash::AHashMap<(usize, usize, usize), bool> = ahash::AHashMap::new();
    let mut i = 0;
    while i < found.len() {
        let Some((intent, acts, _)) = found.get(i).cloned() else {
            break;
        };
        let mut others = Vec::new();
        for (j, (other, oacts, _)) in found.clone().iter().enumerate() {
            if j == i || !oacts.iter().any(|a| acts.contains(a)) {
                continue;
            }
            if !lattice::overlaps(ctx, dims, &intent, other, &mut overlap_memo)? {
                continue;
            }
            let b = lattice::boxed(ctx, dims, other);
            let a = ctx.space.action_in(oacts);
            others.push(ctx.space.arena.and2(b, a));
        }
        let b = lattice::boxed(ctx, dims, &intent);
        let a = ctx.space.action_in(&acts);
        let covered = ctx.space.arena.or(others);
        let not_covered = ctx.space.arena.not(covered);
        let q = ctx.space.arena.and([allowed, b, a, not_covered]);
        let mut local: u64 = 50_000.min(*ctx.budget);
        let redundant = {
            let mut sub = Ctx {
                space: &mut *ctx.space,
                memo: &mut *ctx.memo,
                budget: &mut local,
            };
            matches!(sub.holds(q), Ok(false))
        };
        if redundant {
            found.remove(i);
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// Whether a condition value pins the caller to known principals or networks (reference §2.5,
/// the S3 "public" rule, with Access Analyzer's relaxation that an ARN with a fixed account
/// pins even with wildcards in its name).
pub(crate) fn pins(key: &str, value: &str) -> bool {
    let wild = |s: &str| s.contains(['*', '?']);
    match key {
        "aws:principalarn" | "aws:sourcearn" | "s3:dataaccesspointarn" => value
            .split(':')
            .nth(4)
            .is_some_and(|a| !a.is_empty() && !wild(a)),
        "aws:userid" => value
            .split(':')
            .next()
            .is_some_and(|p| !p.is_empty() && !wild(p)),
        "aws:principalorgpaths" | "aws:sourceorgpaths" => value
            .split('/')
            .next()
            .is_some_and(|p| !p.is_empty() && !wild(p)),
        "aws:sourceip" | "aws:vpcsourceip" => crate::scalar::IpNet::parse(value)
            .is_some_and(|n| n.prefix_len() >= if n.is_ipv6() { 32 } else { 8 }),
        k if k.ends_with(":sub") => value
            .split(['*', '?'])
            .next()
            .is_some_and(|p| !p.is_empty()),
        _ => !wild(value),
    }
}

fn finding_of(
    unit: &Unit<'_>,
    space: &Space,
    dims: &[LabelDim],
    intent: &[usize],
    acts: &[usize],
    model: &Model,
    options: &Options,
) -> Finding {
    let r = unit.resource;
    let mut f = Finding {
        resource: r.arn.clone(),
        resource_type: r.resource_type.as_str().to_string(),
        resource_owner_account: r.owner_account.clone(),
        sources: vec![unit.source.clone()],
        analyzed_at: options.analyzed_at.clone(),
        ..Finding::default()
    };
    let spelled = |k: &str| space.spelling(k);
    lattice::describe(dims, intent, &mut f, spelled);
    // A key the unit fixes (such as the access point a request goes through) does not restrict
    // who can call: its label holds for every request of the unit.
    f.condition.retain(|k, _| {
        !unit
            .constants
            .iter()
            .any(|(c, _)| c.eq_ignore_ascii_case(k))
    });
    // Sorted and without repeats. The universes are sorted, so ordering the indices usually
    // orders the names: checked in one pass, the names are sorted only when it did not.
    let mut idx = acts.to_vec();
    idx.sort_unstable();
    idx.dedup();
    let mut actions: Vec<String> = idx
        .iter()
        .filter_map(|i| unit.actions.get(*i).cloned())
        .collect();
    if !actions.windows(2).all(|w| matches!(w, [a, b] if a < b)) {
        actions.sort();
        actions.dedup();
    }
    f.action = actions;
    // Public: anyone (not a named account or provider ARN), with nothing pinning the caller.
    let principal_open = match (f.principal.get("AWS"), f.principal.get("Federated")) {
        (Some(v), _) => v == "*",
        (None, Some(p)) => !p.starts_with("arn:"),
        _ => false,
    };
    let pinned = f.condition.iter().any(|(k, v)| pins(&k.to_lowercase(), v));
    f.is_public = Some(principal_open && !pinned);
    if options.witnesses {
        attach_witness(unit, space, model, &mut f);
    }
    f.id = f.compute_id();
    f
}

fn attach_witness(unit: &Unit<'_>, space: &Space, model: &Model, f: &mut Finding) {
    let Some(mut case) = space.simple_case(model, Some(&unit.resource.owner_account)) else {
        f.note = Some("no witness: the request could not be built".into());
        return;
    };
    // Keys the unit fixes are part of the request (an access point's ARN, a function URL's
    // authorization type).
    for (k, v) in &unit.constants {
        if let Some(v) = v {
            if !case.has_key(k) {
                case.set(k, crate::eval::ContextValue::One(v.clone()));
            }
        }
    }
    // A provider's name matches without regard to case; write it as IAM does (`arn:aws:iam::…`),
    // so that the witness reads back.
    if let crate::eval::Caller::Federated { provider } = &mut case.principal {
        *provider = provider.to_ascii_lowercase();
    }
    // One request per policy that must allow: the unit's, then each further one (the same
    // request as that policy sees it).
    let mut cases: Vec<(SimpleCase, &str, &CompiledPolicy)> =
        Vec::with_capacity(1 + unit.also.len());
    for also in &unit.also {
        let Some(resource) = (also.resource)(&case.resource) else {
            f.note = Some("no witness: the request could not be built".into());
            return;
        };
        // The same request on another resource (the caller's own grants follow it).
        let mut there = case.clone();
        there.resource = resource;
        cases.push((there, also.name.as_str(), also.original));
    }
    cases.insert(0, (case, unit.policy_name.as_str(), unit.policy));
    let mut refs = Vec::new();
    for (case, name, policy) in &cases {
        match check_witness(policy, case) {
            Some(r) => refs.extend(r.into_iter().map(|(index, sid)| StatementRef {
                policy: (*name).to_string(),
                index,
                sid,
            })),
            None => {
                f.note = Some(
                    "no witness: the access depends on a policy variable or on a key used with operators of several types, which the analysis does not interpret (it reports the access rather than miss it)"
                        .into(),
                );
                return;
            }
        }
    }
    // A witness must read back as a case (a principal written with a placeholder account, such
    // as `arn:aws:iam::account-id:saml-provider/x`, matches in the policy but names no principal
    // a request can have).
    for (case, _, _) in &cases {
        let text = match &case.principal {
            crate::eval::Caller::Service { .. } | crate::eval::Caller::CanonicalUser { .. } => None,
            other => Some(other.to_text()),
        };
        if let Some(Err(e)) = text.map(|t| crate::eval::Caller::parse(&t)) {
            f.note = Some(format!("no witness: {}", e.message()));
            return;
        }
    }
    f.statements = refs;
    // Each case's resource policy is the policy's own JSON, shared rather than copied (the
    // case itself was checked against the compiled policy).
    f.witness = Some(Witness::of_cases(
        cases
            .into_iter()
            .map(|(c, _, policy)| (c, policy.json().clone()))
            .collect(),
    ));
}

/// A policy that allows `action` on `resource` (patterns; what a caller's account can grant).
fn grant(action: &str, resource: &str) -> Option<CompiledPolicy> {
    use crate::policy::{Effect, ListElement, Spanned, Statement, Values, Version};
    let statement = Statement {
        sid: None,
        effect: Spanned::bare(Effect::Allow),
        principal: None,
        action: ListElement {
            negated: false,
            values: Values::one(action),
            span: Default::default(),
        },
        resource: Some(ListElement {
            negated: false,
            values: Values::one(resource),
            span: Default::default(),
        }),
        condition: Vec::new(),
        has_condition: false,
        span: Default::default(),
    };
    Policy {
        version: Some(Spanned::bare(Version::V2012_10_17)),
        id: None,
        statements: vec![statement],
        statement_is_array: true,
        span: Default::default(),
    }
    .compile()
    .ok()
}

/// Evaluate a witness against the unit's compiled policy: the resource-policy statements that
/// allow it, if it is allowed.
fn check_witness(
    policy: &CompiledPolicy,
    case: &SimpleCase,
) -> Option<Vec<(usize, Option<String>)>> {
    let req = case.request();
    // The identity and session policies of a witness grant exactly its request (compiled only
    // when the case has some).
    let (has_identity, has_session) = (case.identity_grant, case.session_grant);
    // When the action and resource are plain text (the grant's patterns then match exactly
    // them), the grant is evaluated as a policy that allows every request: for this request the
    // decision and the reasons are the same (both allow it, neither denies), and that policy is
    // compiled once rather than per witness. Text with pattern characters or a variable gets
    // the exact grant, whose reading of it is what `perimeter eval` will do with the witness.
    static ALLOW_ALL: std::sync::OnceLock<Option<CompiledPolicy>> = std::sync::OnceLock::new();
    let plain = |t: &str| !t.contains(['*', '?', '$']);
    let exact;
    let g = match has_identity || has_session {
        false => None,
        true if plain(&case.action) && plain(&case.resource) => {
            Some(ALLOW_ALL.get_or_init(|| grant("*", "*")).as_ref()?)
        }
        true => {
            exact = grant(&case.action, &case.resource)?;
            Some(&exact)
        }
    };
    let layer =
        |present: bool| -> Vec<&CompiledPolicy> { g.iter().filter(|_| present).copied().collect() };
    let (identity, session) = (layer(has_identity), layer(has_session));
    let resource = [policy];
    let parts = crate::eval::Parts {
        identity: &identity,
        resource: &resource,
        permission_boundary: &[],
        session: &session,
        service_control: &[],
        resource_control: &[],
    };
    let ev = crate::eval::evaluate_parts(&req, &parts);
    if !ev.decision.is_allow() {
        return None;
    }
    Some(
        ev.reasons
            .iter()
            .filter(|r| r.kind == ReasonKind::Allowed && r.layer == crate::eval::Layer::Resource)
            .filter_map(|r| Some((r.statement?, r.sid.as_ref().map(|s| s.to_string()))))
            .collect(),
    )
}
