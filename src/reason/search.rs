//! Satisfiability: find an assignment of the atoms that makes a formula true and that each
//! dimension can realise with a concrete value.
//!
//! The search justifies the formula top-down: a conjunction that must be true makes all its
//! parts goals, a disjunction that must be true tries its parts one at a time (backtracking), an
//! atom is assigned and its dimension checked at once with the exact procedures of
//! [`super::theory`]. Checks are memoized by (dimension, literals), and the memo outlives one
//! query, so the many queries of one analysis share their work. Every step counts against a
//! budget; running out is reported, never hidden.

use super::formula::{Arena, Atom, AtomId, DimId, DimType, Node, NodeId, Pred};
use super::lang::{charge, OutOfBudget};
use super::theory::{atom_holds, decide, Val};

/// A dimension and its literals, sorted, packed: `[dim, atom << 1 | truth, …]` (looked up by
/// slice, so a hit allocates nothing).
type MemoKey = smallvec::SmallVec<[u64; 6]>;

/// A dimension's value as the memo and the search hold it (shared: a memo hit copies no text).
pub(crate) type Shared = std::rc::Rc<Val>;

/// Checks that only involve a prototype space's own dimensions and atoms, kept with the
/// prototype and shared by every space copied from it (on this thread): every analysis asks
/// them again (the caller's kind, the shapes of principal ARNs, the blank dimensions), and their
/// answers depend on nothing an analysis adds.
#[derive(Clone, Debug, Default)]
pub(crate) struct PrototypeMemo {
    /// Each check's answer, with the budget it used.
    map: std::rc::Rc<std::cell::RefCell<ahash::AHashMap<MemoKey, Kept>>>,
    /// The prototype's dimension and atom counts: keys below both belong to it.
    dims: u64,
    atoms: u64,
    /// The prototype's node count, and a cache of a per-node fact about its nodes that the
    /// analyses on this thread share (see [`PrototypeMemo::take_node_facts`]).
    nodes: usize,
    node_facts: std::rc::Rc<std::cell::RefCell<Vec<u8>>>,
}

/// A kept check: its answer, the budget finding it used, and the last memo (by
/// [`Memo::epoch`]) that was charged for it.
type Kept = (Option<Shared>, u64, u64);

/// Checks kept per prototype, at most (beyond this, new ones stay with the analysis).
const PROTOTYPE_MEMO_LIMIT: usize = 4096;

impl PrototypeMemo {
    /// A memo for the checks of a prototype arena as it is now.
    pub(crate) fn new(arena: &Arena) -> PrototypeMemo {
        PrototypeMemo {
            map: Default::default(),
            dims: arena.dims.len() as u64,
            atoms: arena.atoms.len() as u64,
            nodes: arena.nodes.len(),
            node_facts: Default::default(),
        }
    }

    /// The node facts cached so far (one byte per node, 0 for unknown; the one user is
    /// `analyze`'s "depends on the action or the resource"). A prototype's nodes are the same in
    /// every copy, so what holds for them holds in every analysis; give the cache back with
    /// [`PrototypeMemo::keep_node_facts`].
    pub(crate) fn take_node_facts(&self) -> Vec<u8> {
        std::mem::take(&mut *self.node_facts.borrow_mut())
    }

    /// Keep the facts about the prototype's own nodes for the next analysis (the others
    /// are the analysis's).
    pub(crate) fn keep_node_facts(&self, mut facts: Vec<u8>) {
        facts.truncate(self.nodes);
        *self.node_facts.borrow_mut() = facts;
    }

    /// Whether a key speaks of the prototype's dimensions and atoms only.
    fn owns(&self, key: &[u64]) -> bool {
        key.split_first()
            .is_some_and(|(d, lits)| *d < self.dims && lits.iter().all(|l| (l >> 1) < self.atoms))
    }
}

/// Memoized dimension checks: (dimension, sorted literals) → a value, or none; and the search's
/// buffers, kept between queries.
#[derive(Debug)]
pub(crate) struct Memo {
    map: ahash::AHashMap<MemoKey, Option<Shared>>,
    /// The checks of the space's prototype, when it has one.
    prototype: Option<PrototypeMemo>,
    /// A number for this memo's analysis, unique in the process: a prototype check is charged
    /// to the budget once per analysis, the first time the analysis asks it.
    epoch: u64,
    /// Whether a value atom holds for a memoized value (by the value's address; the entry keeps
    /// the value alive, so the address names it while the memo lives).
    holds: ahash::AHashMap<(AtomId, usize), (bool, Shared)>,
    /// Per dimension, its check without literals (also in `map`; kept here to skip the lookup
    /// when a model is completed).
    blank: Vec<Option<Option<Shared>>>,
    scratch: Scratch,
}

impl Memo {
    /// The check of a memo key (`[dim, atom << 1 | truth, …]`, literals sorted), memoized.
    fn decide(
        &mut self,
        arena: &Arena,
        key: &MemoKey,
        budget: &mut u64,
    ) -> Result<Option<Shared>, OutOfBudget> {
        // A check of the prototype's own atoms lives with the prototype (while it has room),
        // the rest with the analysis.
        let prototype = self.prototype.as_ref().filter(|p| p.owns(key));
        if let Some(p) = prototype {
            if let Some((v, cost, charged)) = p.map.borrow_mut().get_mut(key.as_slice()) {
                // The first use in an analysis costs what the check cost (as if it ran here),
                // so that the budget an analysis uses does not depend on the analyses before.
                if *charged != self.epoch {
                    charge(budget, *cost)?;
                    *charged = self.epoch;
                }
                return Ok(v.clone());
            }
        }
        if let Some(v) = self.map.get(key.as_slice()) {
            return Ok(v.clone());
        }
        let Some((d, packed)) = key.split_first() else {
            return Ok(None);
        };
        let lits: smallvec::SmallVec<[(AtomId, bool); 8]> = packed
            .iter()
            .map(|x| ((x >> 1) as AtomId, x & 1 == 1))
            .collect();
        let before = *budget;
        let out = decide(arena, *d as DimId, &lits, budget)?.map(Shared::new);
        let cost = before.saturating_sub(*budget);
        match prototype.filter(|p| p.map.borrow().len() < PROTOTYPE_MEMO_LIMIT) {
            Some(p) => {
                p.map
                    .borrow_mut()
                    .insert(key.clone(), (out.clone(), cost, self.epoch));
            }
            None => {
                self.map.insert(key.clone(), out.clone());
            }
        }
        Ok(out)
    }

    /// Whether atom `a` holds for value `v` (memoized for value atoms, whose test reads text).
    fn atom_holds(&mut self, arena: &Arena, a: AtomId, atom: &Atom, v: &Shared) -> bool {
        if !matches!(atom, Atom::Elem(..)) {
            return atom_holds(arena, atom, v);
        }
        let key = (a, std::rc::Rc::as_ptr(v) as usize);
        if let Some((b, _)) = self.holds.get(&key) {
            return *b;
        }
        let b = atom_holds(arena, atom, v);
        self.holds.insert(key, (b, v.clone()));
        b
    }

    /// A memo for queries over `arena` sharing the checks of its prototype (one given back
    /// by [`Memo::recycle`] on this thread when there is one: its buffers are ready).
    pub(crate) fn with_prototype(prototype: Option<&PrototypeMemo>) -> Memo {
        static EPOCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut m = super::take_spare(&SPARE).unwrap_or_default();
        m.prototype = prototype.cloned();
        m.epoch = EPOCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        m
    }

    /// Give the memo back for the next analysis on this thread: its entries go, its buffers
    /// stay (unless they grew large).
    pub(crate) fn recycle(mut self) {
        if self.map.capacity() > SPARE_ENTRIES || self.holds.capacity() > SPARE_ENTRIES {
            return;
        }
        self.map.clear();
        self.holds.clear();
        self.blank.clear();
        self.prototype = None;
        super::give_spare(&SPARE, self);
    }
}

thread_local! {
    /// Memos given back, for the next analyses on this thread.
    static SPARE: std::cell::RefCell<Vec<Memo>> = const { std::cell::RefCell::new(Vec::new()) };
}
/// The largest memo kept for reuse (entries).
const SPARE_ENTRIES: usize = 4096;

/// Whether the conjunction of `nodes` is refuted dimension by dimension: every node is a
/// conjunction of literals (atoms and negated atoms), and the literals of some dimension have no
/// value (or an uninterpreted atom is asked both ways). `false` means "not refuted this way",
/// not "satisfiable": a cheap test to run before a query, never instead of one that could hold.
pub(crate) fn refuted_by_literals(
    arena: &Arena,
    memo: &mut Memo,
    budget: &mut u64,
    nodes: &[NodeId],
) -> Result<bool, OutOfBudget> {
    let mut lits: smallvec::SmallVec<[(DimId, u64); 16]> = smallvec::SmallVec::new();
    let mut stack: smallvec::SmallVec<[(NodeId, bool); 16]> =
        nodes.iter().map(|n| (*n, true)).collect();
    while let Some((n, pol)) = stack.pop() {
        match arena.node(n) {
            Node::True => {
                if !pol {
                    return Ok(true);
                }
            }
            Node::False => {
                if pol {
                    return Ok(true);
                }
            }
            Node::Not(x) => stack.push((*x, !pol)),
            Node::And(xs) if pol => stack.extend(arena.kids(*xs).iter().map(|x| (*x, true))),
            Node::Or(xs) if !pol => stack.extend(arena.kids(*xs).iter().map(|x| (*x, false))),
            Node::And(_) | Node::Or(_) => return Ok(false),
            Node::Atom(a) => {
                let d = arena
                    .atoms
                    .get(*a as usize)
                    .and_then(Atom::dim)
                    .unwrap_or(DimId::MAX);
                lits.push((d, (u64::from(*a) << 1) | u64::from(pol)));
            }
        }
    }
    lits.sort_unstable();
    lits.dedup();
    let mut key: MemoKey = MemoKey::new();
    for group in lits.chunk_by(|x, y| x.0 == y.0) {
        let Some(&(d, _)) = group.first() else {
            continue;
        };
        if d == DimId::MAX {
            // Uninterpreted atoms: refuted only when one is asked both ways.
            if group
                .windows(2)
                .any(|w| matches!(w, [(_, x), (_, y)] if x >> 1 == y >> 1))
            {
                return Ok(true);
            }
            continue;
        }
        key.clear();
        key.push(u64::from(d));
        key.extend(group.iter().map(|(_, l)| *l));
        if memo.decide(arena, &key, budget)?.is_none() {
            return Ok(true);
        }
    }
    Ok(false)
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            // Room for the checks of a typical analysis.
            map: ahash::AHashMap::with_capacity(64),
            prototype: None,
            epoch: 0,
            holds: ahash::AHashMap::new(),
            blank: Vec::new(),
            scratch: Scratch::default(),
        }
    }
}

#[derive(Debug, Default)]
struct Scratch {
    assign: Vec<Option<bool>>,
    level: Vec<u32>,
    trail: Vec<AtomId>,
    by_dim: Vec<Vec<AtomId>>,
    current: Vec<Option<Shared>>,
    saved: Vec<(usize, DimId, Option<Shared>)>,
    key: MemoKey,
    pool: Vec<Goals>,
}

/// A stack of goals: (node, its level and the truth it must have, packed by [`goal`]). A goal's
/// level is the deepest choice it depends on (0 for none).
type Goals = Vec<(NodeId, u32)>;

/// A goal: node `n` must have truth `pol`, at level `level`.
#[inline]
fn goal(n: NodeId, pol: bool, level: u32) -> (NodeId, u32) {
    (n, (level << 1) | u32::from(pol))
}

/// A satisfying assignment with concrete values.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    /// One value per dimension (shared with the memo: a model copies no text).
    pub(crate) values: Vec<Shared>,
}

impl Model {
    pub(crate) fn value(&self, d: DimId) -> &Val {
        self.values.get(d as usize).map_or(&Val::Absent, |v| &**v)
    }

    /// The truth of `n` for the model's values (`None` when it depends on an uninterpreted
    /// atom, which a model does not fix). Exact: a `Some(false)` for a formula `f` certifies
    /// that the model lies outside `f`.
    pub(crate) fn truth(&self, arena: &Arena, n: NodeId) -> Option<bool> {
        truth_by(arena, n, &mut |_, atom, d| {
            atom_holds(arena, atom, self.value(d))
        })
    }
}

impl Memo {
    /// [`Model::truth`], each atom's truth for a value read from (and kept in) the memo's cache:
    /// a model's values are the memo's, so the atoms the search already tested cost nothing.
    pub(crate) fn truth(&mut self, arena: &Arena, m: &Model, n: NodeId) -> Option<bool> {
        truth_by(arena, n, &mut |a, atom, d| match m.values.get(d as usize) {
            Some(v) => self.atom_holds(arena, a, atom, v),
            None => atom_holds(arena, atom, &Val::Absent),
        })
    }
}

/// The truth of `n` given each interpreted atom's truth by `holds(id, atom, its dimension)`
/// (`None` when it depends on an uninterpreted atom).
fn truth_by(
    arena: &Arena,
    n: NodeId,
    holds: &mut impl FnMut(AtomId, &Atom, DimId) -> bool,
) -> Option<bool> {
    match arena.node(n) {
        Node::True => Some(true),
        Node::False => Some(false),
        Node::Atom(a) => {
            let atom = arena.atoms.get(*a as usize)?;
            let d = atom.dim()?;
            Some(holds(*a, atom, d))
        }
        Node::Not(x) => truth_by(arena, *x, holds).map(|v| !v),
        Node::And(xs) => junction(
            false,
            arena.kids(*xs).iter().map(|x| truth_by(arena, *x, holds)),
        ),
        Node::Or(xs) => junction(
            true,
            arena.kids(*xs).iter().map(|x| truth_by(arena, *x, holds)),
        ),
    }
}

/// Three-valued `Or` (`decisive` true) or `And` (`decisive` false) of parts, read lazily: the
/// first part with the decisive value settles it; otherwise any unknown part leaves it unknown.
#[inline]
fn junction(decisive: bool, parts: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut unknown = false;
    for v in parts {
        match v {
            Some(v) if v == decisive => return Some(decisive),
            None => unknown = true,
            _ => {}
        }
    }
    (!unknown).then_some(!decisive)
}

/// One satisfiability query over an arena.
pub(crate) struct Search<'a> {
    arena: &'a Arena,
    memo: &'a mut Memo,
    assign: Vec<Option<bool>>,
    /// Per assigned atom, the level of the goal that assigned it.
    level: Vec<u32>,
    /// After a failure, the deepest choice it depends on (see [`Search::run`]).
    conflict: u32,
    trail: Vec<AtomId>,
    by_dim: Vec<Vec<AtomId>>,
    /// A value of each dimension satisfying its literals so far (when one was computed).
    current: Vec<Option<Shared>>,
    /// Values replaced by `current` updates, restored on undo: (trail length, dim, old value).
    saved: Vec<(usize, DimId, Option<Shared>)>,
    /// The memo key being built.
    key: MemoKey,
    /// Goal stacks to reuse.
    pool: Vec<Goals>,
    budget: &'a mut u64,
}

impl<'a> Search<'a> {
    pub(crate) fn new(arena: &'a Arena, memo: &'a mut Memo, budget: &'a mut u64) -> Search<'a> {
        let mut sc = std::mem::take(&mut memo.scratch);
        sc.assign.clear();
        sc.assign.resize(arena.atoms.len(), None);
        // (An atom's level is written when it is assigned, and read only while it is.)
        sc.level.resize(arena.atoms.len(), 0);
        sc.trail.clear();
        sc.by_dim.resize_with(arena.dims.len(), Vec::new);
        for v in &mut sc.by_dim {
            v.clear();
        }
        sc.current.clear();
        sc.current.resize(arena.dims.len(), None);
        sc.saved.clear();
        Search {
            arena,
            memo,
            assign: std::mem::take(&mut sc.assign),
            level: std::mem::take(&mut sc.level),
            conflict: 0,
            trail: std::mem::take(&mut sc.trail),
            by_dim: std::mem::take(&mut sc.by_dim),
            current: std::mem::take(&mut sc.current),
            saved: std::mem::take(&mut sc.saved),
            key: std::mem::take(&mut sc.key),
            pool: std::mem::take(&mut sc.pool),
            budget,
        }
    }

    /// Give the buffers back to the memo for the next query.
    fn recycle(self) {
        self.memo.scratch = Scratch {
            assign: self.assign,
            level: self.level,
            trail: self.trail,
            by_dim: self.by_dim,
            current: self.current,
            saved: self.saved,
            key: self.key,
            pool: self.pool,
        };
    }

    /// Find a model of `root`, or `None` when there is none.
    pub(crate) fn solve(mut self, root: NodeId) -> Result<Option<Model>, OutOfBudget> {
        let out = self.find(root);
        self.recycle();
        out
    }

    /// Whether `root` has a model: the same steps as [`Search::solve`] (and the same memo
    /// entries), without collecting the values.
    pub(crate) fn satisfiable(mut self, root: NodeId) -> Result<bool, OutOfBudget> {
        let out = self.find_with(root, false).map(|m| m.is_some());
        self.recycle();
        out
    }

    fn find(&mut self, root: NodeId) -> Result<Option<Model>, OutOfBudget> {
        self.find_with(root, true)
    }

    /// The search; with `collect`, the model's values (without, an empty model).
    fn find_with(&mut self, root: NodeId, collect: bool) -> Result<Option<Model>, OutOfBudget> {
        let mut goals = self.pool.pop().unwrap_or_default();
        goals.clear();
        goals.push(goal(root, true, 0));
        let ok = self.run(&mut goals, 0)?;
        self.pool.push(goals);
        if !ok {
            return Ok(None);
        }
        let mut values = Vec::with_capacity(if collect { self.arena.dims.len() } else { 0 });
        for d in 0..self.arena.dims.len() as DimId {
            if let Some(Some(v)) = self.current.get(d as usize) {
                if collect {
                    values.push(v.clone());
                }
                continue;
            }
            let blank = self.by_dim.get(d as usize).is_none_or(Vec::is_empty);
            let known = if blank {
                self.memo.blank.get(d as usize).and_then(Option::as_ref)
            } else {
                None
            };
            match known {
                Some(None) => return Ok(None),
                Some(Some(v)) => {
                    if collect {
                        values.push(v.clone());
                    }
                }
                None => {
                    let out = self.check(d)?;
                    if blank {
                        if self.memo.blank.len() <= d as usize {
                            self.memo.blank.resize(d as usize + 1, None);
                        }
                        if let Some(slot) = self.memo.blank.get_mut(d as usize) {
                            *slot = Some(out.clone());
                        }
                    }
                    match out {
                        Some(v) => {
                            if collect {
                                values.push(v);
                            }
                        }
                        None => return Ok(None),
                    }
                }
            }
        }
        Ok(Some(Model { values }))
    }

    fn tick(&mut self) -> Result<(), OutOfBudget> {
        if *self.budget == 0 {
            return Err(OutOfBudget);
        }
        *self.budget -= 1;
        Ok(())
    }

    /// Decide dimension `d` under the current assignment.
    fn check(&mut self, d: DimId) -> Result<Option<Shared>, OutOfBudget> {
        // The key: the dimension, then its assigned literals in (atom, truth) order.
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        key.push(u64::from(d));
        if let Some(atoms) = self.by_dim.get(d as usize) {
            for a in atoms {
                if let Some(Some(v)) = self.assign.get(*a as usize) {
                    key.push((u64::from(*a) << 1) | u64::from(*v));
                }
            }
        }
        if let Some(lits) = key.get_mut(1..) {
            lits.sort_unstable();
        }
        let out = self.memo.decide(self.arena, &key, self.budget);
        self.key = key;
        out
    }

    fn set(&mut self, a: AtomId, v: bool, level: u32) {
        if let Some(slot) = self.assign.get_mut(a as usize) {
            *slot = Some(v);
        }
        if let Some(slot) = self.level.get_mut(a as usize) {
            *slot = level;
        }
        self.trail.push(a);
        if let Some(d) = self.arena.atoms.get(a as usize).and_then(|x| x.dim()) {
            if let Some(list) = self.by_dim.get_mut(d as usize) {
                list.push(a);
            }
        }
    }

    fn undo(&mut self, mark: usize) {
        while self.saved.last().is_some_and(|(t, _, _)| *t > mark) {
            if let Some((_, d, old)) = self.saved.pop() {
                if let Some(slot) = self.current.get_mut(d as usize) {
                    *slot = old;
                }
            }
        }
        while self.trail.len() > mark {
            let Some(a) = self.trail.pop() else { break };
            if let Some(slot) = self.assign.get_mut(a as usize) {
                *slot = None;
            }
            if let Some(d) = self.arena.atoms.get(a as usize).and_then(|x| x.dim()) {
                if let Some(list) = self.by_dim.get_mut(d as usize) {
                    list.pop();
                }
            }
        }
    }

    /// Three-valued evaluation under the current partial assignment.
    fn eval3(&self, n: NodeId) -> Option<bool> {
        match self.arena.node(n) {
            Node::True => Some(true),
            Node::False => Some(false),
            Node::Atom(a) => match self.assign.get(*a as usize).copied().flatten() {
                Some(v) => Some(v),
                None => self.finite_implied(*a),
            },
            Node::Not(x) => self.eval3(*x).map(|v| !v),
            Node::And(xs) => junction(false, self.arena.kids(*xs).iter().map(|x| self.eval3(*x))),
            Node::Or(xs) => junction(true, self.arena.kids(*xs).iter().map(|x| self.eval3(*x))),
        }
    }

    /// For an unassigned atom on a finite dimension, its truth when the dimension's literals
    /// already decide it (the possible values all satisfy it, or none does).
    fn finite_implied(&self, a: AtomId) -> Option<bool> {
        let Some(Atom::Elem(d, p)) = self.arena.atoms.get(a as usize) else {
            return None;
        };
        let dim = self.arena.dims.get(*d as usize)?;
        let DimType::Finite(names) = &dim.ty else {
            return None;
        };
        let Some(Pred::Finite(target)) = self.arena.preds.get(*p as usize) else {
            return None;
        };
        let atoms = self.by_dim.get(*d as usize)?;
        if atoms.is_empty() {
            return None;
        }
        // Word by word: the values the assigned literals leave possible, against the target.
        let n = names.len();
        let (mut inter, mut outside) = (false, false);
        for i in 0..super::formula::set_words(n) {
            let mut w = super::formula::full_word(n, i);
            for x in atoms {
                let (Some(Atom::Elem(_, q)), Some(Some(v))) = (
                    self.arena.atoms.get(*x as usize),
                    self.assign.get(*x as usize),
                ) else {
                    continue;
                };
                let Some(Pred::Finite(bits)) = self.arena.preds.get(*q as usize) else {
                    continue;
                };
                let b = bits.get(i).copied().unwrap_or(0);
                w &= if *v { b } else { !b };
            }
            let t = target.get(i).copied().unwrap_or(0);
            inter |= w & t != 0;
            outside |= w & !t != 0;
            if inter && outside {
                return None;
            }
        }
        match (inter, outside) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        }
    }

    /// Make every goal `(node, truth)` hold; on failure the assignment is left for the caller
    /// to undo, and `conflict` says how deep the failure's cause lies.
    ///
    /// Levels (conflict-directed backjumping): a goal's level is the deepest choice it follows
    /// from. The goals of the root and the parts of a conjunction keep their level; the part a
    /// choice tries gets the choice's depth; a part forced because the others are already
    /// false gets the current depth (the assignment that made them false may come from any
    /// choice so far). An atom takes its goal's level. When a failure only involves levels up to
    /// `d`, every literal in it follows from the goals and choices down to depth `d` alone, so
    /// every other alternative of the choices deeper than `d` fails the same way: they are
    /// skipped. A choice point that runs out of alternatives reports its own depth.
    fn run(&mut self, goals: &mut Goals, depth: u32) -> Result<bool, OutOfBudget> {
        while let Some((n, packed)) = goals.pop() {
            let (pol, lv) = (packed & 1 == 1, packed >> 1);
            self.tick()?;
            match self.arena.node(n) {
                Node::True => {
                    if !pol {
                        self.conflict = lv;
                        return Ok(false);
                    }
                }
                Node::False => {
                    if pol {
                        self.conflict = lv;
                        return Ok(false);
                    }
                }
                Node::Atom(a) => match self.assign.get(*a as usize).copied().flatten() {
                    Some(v) => {
                        if v != pol {
                            let was = self.level.get(*a as usize).copied().unwrap_or(depth);
                            self.conflict = lv.max(was);
                            return Ok(false);
                        }
                    }
                    None => {
                        let a = *a;
                        self.set(a, pol, lv);
                        if let Some(d) = self.arena.atoms.get(a as usize).and_then(|x| x.dim()) {
                            // The dimension's current value may already satisfy the new literal.
                            let keeps = match (
                                self.current.get(d as usize),
                                self.arena.atoms.get(a as usize),
                            ) {
                                (Some(Some(v)), Some(atom)) => {
                                    self.memo.atom_holds(self.arena, a, atom, v) == pol
                                }
                                _ => false,
                            };
                            if !keeps {
                                match self.check(d)? {
                                    None => {
                                        // The dimension's literals together have no value.
                                        self.conflict = self.dim_level(d, depth);
                                        return Ok(false);
                                    }
                                    Some(v) => {
                                        let old = self.current.get(d as usize).cloned().flatten();
                                        self.saved.push((self.trail.len(), d, old));
                                        if let Some(slot) = self.current.get_mut(d as usize) {
                                            *slot = Some(v);
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
                Node::Not(x) => goals.push(goal(*x, !pol, lv)),
                Node::And(xs) if pol => {
                    goals.extend(self.arena.kids(*xs).iter().map(|x| goal(*x, true, lv)))
                }
                Node::Or(xs) if !pol => {
                    goals.extend(self.arena.kids(*xs).iter().map(|x| goal(*x, false, lv)))
                }
                Node::And(xs) | Node::Or(xs) => {
                    let xs = self.arena.kids(*xs);
                    // Some part must take the value `pol`.
                    let mut choices: smallvec::SmallVec<[NodeId; 8]> = smallvec::SmallVec::new();
                    let mut done = false;
                    for x in xs.iter() {
                        match self.eval3(*x) {
                            Some(v) if v == pol => {
                                done = true;
                                break;
                            }
                            Some(_) => {}
                            None => choices.push(*x),
                        }
                    }
                    if done {
                        continue;
                    }
                    if let [only] = choices.as_slice() {
                        goals.push(goal(*only, pol, depth));
                        continue;
                    }
                    for c in choices {
                        let mark = self.trail.len();
                        let mut g = self.pool.pop().unwrap_or_default();
                        g.clear();
                        g.extend_from_slice(goals);
                        g.push(goal(c, pol, depth + 1));
                        let found = self.run(&mut g, depth + 1);
                        self.pool.push(g);
                        if found? {
                            return Ok(true);
                        }
                        self.undo(mark);
                        if self.conflict <= depth {
                            // The failure does not depend on this choice: the others fail too.
                            return Ok(false);
                        }
                    }
                    self.conflict = depth;
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// The deepest level among the literals assigned on dimension `d` (its atoms in `by_dim`
    /// are the assigned ones; `fallback` when it has none, which a failed check cannot have).
    fn dim_level(&self, d: DimId, fallback: u32) -> u32 {
        self.by_dim
            .get(d as usize)
            .and_then(|atoms| {
                atoms
                    .iter()
                    .filter_map(|a| self.level.get(*a as usize).copied())
                    .max()
            })
            .unwrap_or(fallback)
    }
}

/// Whether `root` has a model over `arena` (what [`solve`] decides, without building the
/// model).
pub(crate) fn satisfiable(
    arena: &Arena,
    memo: &mut Memo,
    budget: &mut u64,
    root: NodeId,
) -> Result<bool, OutOfBudget> {
    Search::new(arena, memo, budget).satisfiable(root)
}

/// Solve `root` over `arena`.
pub(crate) fn solve(
    arena: &Arena,
    memo: &mut Memo,
    budget: &mut u64,
    root: NodeId,
) -> Result<Option<Model>, OutOfBudget> {
    Search::new(arena, memo, budget).solve(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reason::formula::{DimType, Pred};
    use crate::reason::lang::Lang;

    #[test]
    fn a_failure_no_choice_caused_is_not_retried_per_alternative() {
        // `x` and `y` cannot both hold; `y` is reached only after two choices of eight
        // alternatives each, none of which bears on it. Retrying every alternative costs 64
        // failures; jumping back over choices the failure does not depend on costs one.
        let mut a = Arena::new();
        let d = a.test_dim(DimType::Str, false);
        let e = a.test_dim(DimType::Str, false);
        let f = a.test_dim(DimType::Str, false);
        let x = a.elem(d, Pred::Lang(Lang::literal("x", false)));
        let y = a.elem(d, Pred::Lang(Lang::literal("y", false)));
        let alts = |a: &mut Arena, dim: DimId| -> Vec<NodeId> {
            (0..8)
                .map(|i| a.elem(dim, Pred::Lang(Lang::literal(&format!("v{i}"), false))))
                .collect()
        };
        let (es, fs) = (alts(&mut a, e), alts(&mut a, f));
        let (oe, of) = (a.or(es), a.or(fs));
        // Goals are taken last first: `x`, then the two choices, then `y`.
        let root = a.and([y, oe, of, x]);
        let mut memo = Memo::default();
        let mut budget = 100_000;
        assert!(solve(&a, &mut memo, &mut budget, root).unwrap().is_none());
        let used = 100_000 - budget;
        assert!(used < 40, "{used} steps");
        // A failure that does depend on the choice still tries the next alternative: only
        // the last value of `e` agrees with `z`, which is reached after the choice.
        let z = a.elem(e, Pred::Lang(Lang::literal("v7", false)));
        let root = a.and([z, oe, of, x]);
        let m = solve(&a, &mut memo, &mut budget, root).unwrap().unwrap();
        assert_eq!(m.value(e), &Val::One("v7".into()));
        assert_eq!(m.truth(&a, root), Some(true));
    }

    #[test]
    fn finds_models_and_refutes() {
        let mut a = Arena::new();
        let d = a.test_dim(DimType::Str, false);
        let x = a.elem(d, Pred::Lang(Lang::glob("a*", false)));
        let y = a.elem(d, Pred::Lang(Lang::glob("*b", false)));
        let z = a.elem(d, Pred::Lang(Lang::literal("ab", false)));
        let nz = a.not(z);
        let f = a.and([x, y, nz]);
        let mut memo = Memo::default();
        let mut budget = 100_000;
        let m = solve(&a, &mut memo, &mut budget, f).unwrap().unwrap();
        let Val::One(v) = m.value(d) else { panic!() };
        assert!(v.starts_with('a') && v.ends_with('b') && v != "ab", "{v}");
        // The model's own truth: the formula holds, its parts as chosen, `ab` does not.
        assert_eq!(m.truth(&a, f), Some(true));
        assert_eq!(m.truth(&a, z), Some(false));
        let nf = a.not(f);
        assert_eq!(m.truth(&a, nf), Some(false));
        // An uninterpreted atom has no truth in a model, unless the rest decides.
        let o = a.opaque();
        let fo = a.and2(f, o);
        assert_eq!(m.truth(&a, fo), None);
        let zo = a.and2(z, o);
        assert_eq!(m.truth(&a, zo), Some(false));
        // (a* ∧ ¬a*) ∨ (ab ∧ ¬*b) is unsatisfiable.
        let nx = a.not(x);
        let ny = a.not(y);
        let l = a.and([x, nx]);
        let r = a.and([z, ny]);
        let g = a.or([l, r]);
        assert!(solve(&a, &mut memo, &mut budget, g).unwrap().is_none());
    }
}
