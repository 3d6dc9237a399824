//! Formulas over the request space: dimensions, typed predicates on one dimension, atoms, and
//! an arena of propositional nodes.

use super::lang::Lang;
use crate::scalar::{Decimal, IpNet, Timestamp};

/// Index of a dimension.
pub(crate) type DimId = u32;
/// Index of a predicate.
pub(crate) type PredId = u32;
/// Index of an atom.
pub(crate) type AtomId = u32;
/// Index of a formula node.
pub(crate) type NodeId = u32;

/// What values a dimension takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DimType {
    /// Strings.
    Str,
    /// Decimal numbers (or text that is not one).
    Num,
    /// Dates (or text that is not one).
    Date,
    /// IP addresses (or text that is not one).
    Ip,
    /// Base64 binary (or text that is not base64).
    Bin,
    /// One of a finite list of named values.
    Finite(std::sync::Arc<[String]>),
}

/// A dimension of the request space.
#[derive(Clone, Debug)]
pub(crate) struct Dim {
    /// A name, for debugging.
    pub(crate) name: std::sync::Arc<str>,
    pub(crate) ty: DimType,
    /// A set of values rather than one value.
    pub(crate) multi: bool,
    /// Whether the dimension may have no value.
    pub(crate) optional: bool,
}

/// A comparison with a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub(crate) fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Eq => ord == Equal,
            Cmp::Lt => ord == Less,
            Cmp::Le => ord != Greater,
            Cmp::Gt => ord == Greater,
            Cmp::Ge => ord != Less,
        }
    }
}

/// A predicate on one value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Pred {
    /// A string in the language.
    Lang(Lang),
    /// A number (comparison with a constant).
    Num(Cmp, Decimal),
    /// A date (comparison with a constant).
    Date(Cmp, Timestamp),
    /// An address in the network.
    Ip(IpNet),
    /// Equal bytes.
    Bin(Vec<u8>),
    /// One of the finite values (bit set over the dimension's values; shared, so that a copy of
    /// an arena allocates nothing for it).
    Finite(std::sync::Arc<[u64]>),
}

/// A constraint on the elements of a set: in the union of the predicates (`Pos`), or in none
/// of them (`Neg`). Negating an `Any` gives an `All` of the other form and back.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ElemC {
    Pos(Vec<PredId>),
    Neg(Vec<PredId>),
}

/// An atomic proposition about the request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Atom {
    /// The dimension has a value (a non-empty set for multivalued dimensions).
    Present(DimId),
    /// A single-valued dimension has a value satisfying the predicate.
    Elem(DimId, PredId),
    /// Some element of a multivalued dimension satisfies the constraint.
    Any(DimId, ElemC),
    /// Every element of a multivalued dimension satisfies the constraint (true when empty).
    All(DimId, ElemC),
    /// A proposition the engine does not interpret (its truth is free): used for values it
    /// cannot reason about exactly, such as policy variables.
    Opaque(u32),
}

impl Atom {
    pub(crate) fn dim(&self) -> Option<DimId> {
        match self {
            Atom::Present(d) | Atom::Elem(d, _) | Atom::Any(d, _) | Atom::All(d, _) => Some(*d),
            Atom::Opaque(_) => None,
        }
    }
}

/// A formula node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    True,
    False,
    Atom(AtomId),
    Not(NodeId),
    And(Kids),
    Or(Kids),
}

/// The parts of a conjunction or disjunction: a stretch of the arena's part list (read with
/// [`Arena::kids`]). Nodes hold no allocation of their own, so making, copying and dropping
/// them is cheap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Kids {
    start: u32,
    len: u32,
}

/// The arena: dimensions, predicates, atoms and nodes, with interning.
#[derive(Clone, Debug, Default)]
pub(crate) struct Arena {
    pub(crate) dims: Vec<Dim>,
    pub(crate) preds: Vec<Pred>,
    /// Predicates by hash (cheap to copy with the arena: the predicates live in `preds` only;
    /// two predicates with one hash are told apart by a scan).
    pred_index: ahash::AHashMap<u64, PredId>,
    pub(crate) atoms: Vec<Atom>,
    /// Atoms by hash.
    atom_index: ahash::AHashMap<u64, AtomId>,
    pub(crate) nodes: Vec<Node>,
    /// The parts of every `And` and `Or` node, one stretch each.
    kids: Vec<NodeId>,
    /// The node of each atom (by atom id; `FALSE` until made: no atom's node is `FALSE`).
    atom_nodes: Vec<NodeId>,
    opaque: u32,
    /// Named uninterpreted propositions, by name.
    opaque_names: ahash::AHashMap<String, NodeId>,
}

/// A hash that is the same in every arena (so that copies of an arena share their indexes).
fn fixed_hash<T: std::hash::Hash>(x: &T) -> u64 {
    ahash::RandomState::with_seeds(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344).hash_one(x)
}

/// The index hash of a predicate: a finite set's from its words alone, so that a set can be
/// looked up before it is allocated ([`Arena::elem_finite`]).
fn pred_hash(p: &Pred) -> u64 {
    match p {
        Pred::Finite(bits) => finite_hash(bits),
        p => fixed_hash(p),
    }
}

fn finite_hash(bits: &[u64]) -> u64 {
    fixed_hash(&("finite", bits))
}

/// The parts of a node being built (most nodes have few; a query joins a few dozen).
type Parts = smallvec::SmallVec<[NodeId; 32]>;

/// Remove repeated nodes, keeping the first of each (the search tries parts in order).
fn dedup_keep_order(v: &mut Parts) {
    if v.len() <= 16 {
        let mut i = 0;
        while i < v.len() {
            let x = v.get(i).copied();
            if v.iter().take(i).any(|y| Some(*y) == x) {
                v.remove(i);
            } else {
                i += 1;
            }
        }
        return;
    }
    // Nodes built close together (the usual case): a bit per node id in the span.
    let (lo, hi) = v
        .iter()
        .fold((u32::MAX, 0), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    if hi - lo < 2048 {
        let mut bits = [0u64; 32];
        v.retain(|x| {
            let i = (*x - lo) as usize;
            match bits.get_mut(i / 64) {
                Some(word) => {
                    let bit = 1u64 << (i % 64);
                    let fresh = *word & bit == 0;
                    *word |= bit;
                    fresh
                }
                None => true,
            }
        });
        return;
    }
    // Otherwise an open-addressing set of the nodes seen, at most half full (on the stack up
    // to 64 parts); `MAX` marks a free slot, so that node is tracked apart.
    let slots = (2 * v.len()).next_power_of_two().max(128);
    let shift = 32 - slots.trailing_zeros();
    let mut seen: smallvec::SmallVec<[u32; 128]> = smallvec::smallvec![u32::MAX; slots];
    let mut seen_max = false;
    v.retain(|x| {
        if *x == u32::MAX {
            return !std::mem::replace(&mut seen_max, true);
        }
        let mut i = (x.wrapping_mul(0x9E37_79B9) >> shift) as usize;
        loop {
            match seen.get_mut(i) {
                Some(slot) if *slot == u32::MAX => {
                    *slot = *x;
                    return true;
                }
                Some(slot) if *slot == *x => return false,
                _ => i = (i + 1) & (slots - 1),
            }
        }
    });
}

/// The bit set of every one of `n` finite values (at least one word).
pub(crate) fn full_set(n: usize) -> smallvec::SmallVec<[u64; 4]> {
    (0..set_words(n)).map(|i| full_word(n, i)).collect()
}

/// The number of words of a bit set over `n` values (at least one).
pub(crate) fn set_words(n: usize) -> usize {
    n.div_ceil(64).max(1)
}

/// Word `i` of [`full_set`]`(n)`: every value it covers (the last word only those past the
/// others).
pub(crate) fn full_word(n: usize, i: usize) -> u64 {
    match n.saturating_sub(i * 64) {
        rem @ 1..=63 => (1u64 << rem) - 1,
        _ => u64::MAX,
    }
}

/// Make `to` hold the entries of `from`, keeping its capacity.
pub(crate) fn refill<K: Clone + Eq + std::hash::Hash, V: Clone>(
    to: &mut ahash::AHashMap<K, V>,
    from: &ahash::AHashMap<K, V>,
) {
    to.clear();
    to.extend(from.iter().map(|(k, v)| (k.clone(), v.clone())));
}

pub(crate) const TRUE: NodeId = 0;
pub(crate) const FALSE: NodeId = 1;

impl Arena {
    pub(crate) fn new() -> Arena {
        let mut a = Arena::default();
        a.nodes.push(Node::True);
        a.nodes.push(Node::False);
        a
    }

    /// Make this arena a copy of `other`, reusing its buffers. (Every field is named, so a new
    /// field cannot be forgotten here.)
    pub(crate) fn copy_from(&mut self, other: &Arena) {
        let Arena {
            dims,
            preds,
            pred_index,
            atoms,
            atom_index,
            nodes,
            kids,
            atom_nodes,
            opaque,
            opaque_names,
        } = other;
        self.dims.clone_from(dims);
        self.preds.clone_from(preds);
        // Maps are refilled rather than cloned over: a clone would shrink them to the
        // prototype's size, and the question's own entries would grow them again.
        refill(&mut self.pred_index, pred_index);
        self.atoms.clone_from(atoms);
        refill(&mut self.atom_index, atom_index);
        self.nodes.clone_from(nodes);
        self.kids.clone_from(kids);
        self.atom_nodes.clone_from(atom_nodes);
        self.opaque = *opaque;
        refill(&mut self.opaque_names, opaque_names);
    }

    /// Make this arena, a copy of `proto` with entries added since, equal to `proto` again by
    /// dropping what was added: O(additions) where [`Arena::copy_from`] is O(size). Questions
    /// only append to an arena (and give an atom its node once), so the first entries are
    /// still the prototype's. `false` (the arena left for a full copy) when this arena is
    /// shorter than `proto` in some part.
    pub(crate) fn restore(&mut self, proto: &Arena) -> bool {
        // (Every field is named, so a new one cannot be forgotten; the maps are restored from
        // the lengths alone.)
        let Arena {
            dims,
            preds,
            pred_index: _,
            atoms,
            atom_index: _,
            nodes,
            kids,
            atom_nodes,
            opaque,
            opaque_names: _,
        } = proto;
        if self.dims.len() < dims.len()
            || self.preds.len() < preds.len()
            || self.atoms.len() < atoms.len()
            || self.nodes.len() < nodes.len()
            || self.kids.len() < kids.len()
            || self.atom_nodes.len() < atom_nodes.len()
        {
            return false;
        }
        self.dims.truncate(dims.len());
        self.preds.truncate(preds.len());
        self.atoms.truncate(atoms.len());
        self.nodes.truncate(nodes.len());
        self.kids.truncate(kids.len());
        // An atom of the prototype may have been given its node since: that node is gone.
        self.atom_nodes.truncate(atom_nodes.len());
        let n = nodes.len();
        for x in &mut self.atom_nodes {
            if *x as usize >= n {
                *x = FALSE;
            }
        }
        // Entries point to the first item with their hash, and are never replaced: the
        // prototype's are those pointing into it.
        self.pred_index.retain(|_, id| (*id as usize) < preds.len());
        self.atom_index.retain(|_, id| (*id as usize) < atoms.len());
        self.opaque_names.retain(|_, node| (*node as usize) < n);
        self.opaque = *opaque;
        debug_assert!(
            self.same_as(proto),
            "a restored arena differs from its prototype"
        );
        true
    }

    /// Whether two arenas hold the same entries (for checks).
    pub(crate) fn same_as(&self, other: &Arena) -> bool {
        self.dims.len() == other.dims.len()
            && self.dims.iter().zip(&other.dims).all(|(a, b)| {
                a.name == b.name && a.ty == b.ty && a.multi == b.multi && a.optional == b.optional
            })
            && self.preds == other.preds
            && self.pred_index == other.pred_index
            && self.atoms == other.atoms
            && self.atom_index == other.atom_index
            && self.nodes == other.nodes
            && self.kids == other.kids
            && self.atom_nodes == other.atom_nodes
            && self.opaque == other.opaque
            && self.opaque_names == other.opaque_names
    }

    pub(crate) fn dim(&mut self, d: Dim) -> DimId {
        self.dims.push(d);
        (self.dims.len() - 1) as DimId
    }

    pub(crate) fn pred(&mut self, p: Pred) -> PredId {
        let h = pred_hash(&p);
        if let Some(id) = self.find_pred(h, |q| *q == p) {
            return id;
        }
        let id = self.preds.len() as PredId;
        self.preds.push(p);
        self.pred_index.entry(h).or_insert(id);
        id
    }

    /// The interned predicate with index hash `h` that is `same`, if any.
    fn find_pred(&self, h: u64, same: impl Fn(&Pred) -> bool) -> Option<PredId> {
        let id = *self.pred_index.get(&h)?;
        if self.preds.get(id as usize).is_some_and(&same) {
            return Some(id);
        }
        // Another predicate with the same hash.
        self.preds.iter().position(same).map(|i| i as PredId)
    }

    /// Intern an atom.
    pub(crate) fn atom_id(&mut self, a: Atom) -> AtomId {
        let h = fixed_hash(&a);
        if let Some(id) = self.atom_index.get(&h) {
            if self.atoms.get(*id as usize) == Some(&a) {
                return *id;
            }
            // Another atom with the same hash.
            if let Some(i) = self.atoms.iter().position(|b| *b == a) {
                return i as AtomId;
            }
        }
        let id = self.atoms.len() as AtomId;
        self.atoms.push(a);
        self.atom_index.entry(h).or_insert(id);
        id
    }

    pub(crate) fn atom(&mut self, a: Atom) -> NodeId {
        let id = self.atom_id(a);
        if let Some(n) = self.atom_nodes.get(id as usize) {
            if *n != FALSE {
                return *n;
            }
        }
        let n = self.push(Node::Atom(id));
        if self.atom_nodes.len() <= id as usize {
            self.atom_nodes.resize(id as usize + 1, FALSE);
        }
        if let Some(slot) = self.atom_nodes.get_mut(id as usize) {
            *slot = n;
        }
        n
    }

    /// A fresh uninterpreted proposition.
    pub(crate) fn opaque(&mut self) -> NodeId {
        self.opaque += 1;
        self.atom(Atom::Opaque(self.opaque))
    }

    /// The uninterpreted proposition with this name, and whether it was created now. One name is
    /// one proposition: for facts the engine does not interpret but whose truth is a function of
    /// the request (such as "the resource matches `arn:aws:s3:::b/${aws:username}/*`"), so that
    /// the same fact written twice (in two policies being compared) has one truth.
    pub(crate) fn opaque_named(&mut self, name: &str) -> (NodeId, bool) {
        if let Some(n) = self.opaque_names.get(name) {
            return (*n, false);
        }
        let n = self.opaque();
        self.opaque_names.insert(name.to_string(), n);
        (n, true)
    }

    fn push(&mut self, n: Node) -> NodeId {
        self.nodes.push(n);
        (self.nodes.len() - 1) as NodeId
    }

    pub(crate) fn node(&self, n: NodeId) -> &Node {
        self.nodes.get(n as usize).unwrap_or(&Node::False)
    }

    /// The parts of an `And` or `Or` node.
    pub(crate) fn kids(&self, k: Kids) -> &[NodeId] {
        let start = k.start as usize;
        self.kids.get(start..start + k.len as usize).unwrap_or(&[])
    }

    /// A stretch of the part list holding `parts`.
    fn stretch(&mut self, parts: &[NodeId]) -> Kids {
        let start = self.kids.len() as u32;
        self.kids.extend_from_slice(parts);
        Kids {
            start,
            len: parts.len() as u32,
        }
    }

    pub(crate) fn not(&mut self, x: NodeId) -> NodeId {
        match self.node(x) {
            Node::True => FALSE,
            Node::False => TRUE,
            Node::Not(y) => *y,
            _ => self.push(Node::Not(x)),
        }
    }

    pub(crate) fn and(&mut self, xs: impl IntoIterator<Item = NodeId>) -> NodeId {
        self.junction(xs, true)
    }

    pub(crate) fn or(&mut self, xs: impl IntoIterator<Item = NodeId>) -> NodeId {
        self.junction(xs, false)
    }

    /// The conjunction (`and`) or disjunction of `xs`: parts of the same connective flattened,
    /// constants folded, repeats dropped (first occurrences kept in order).
    #[inline]
    fn junction(&mut self, xs: impl IntoIterator<Item = NodeId>, and: bool) -> NodeId {
        let (unit, zero) = if and { (TRUE, FALSE) } else { (FALSE, TRUE) };
        let mut out = Parts::new();
        for x in xs {
            match (self.node(x), and) {
                (Node::False, true) | (Node::True, false) => return zero,
                (Node::True, true) | (Node::False, false) => {}
                (Node::And(ys), true) | (Node::Or(ys), false) => {
                    out.extend(self.kids(*ys).iter().copied())
                }
                _ => out.push(x),
            }
        }
        dedup_keep_order(&mut out);
        match out.as_slice() {
            [] => unit,
            [one] => *one,
            _ => {
                let k = self.stretch(&out);
                self.push(if and { Node::And(k) } else { Node::Or(k) })
            }
        }
    }

    /// Whether two nodes are built the same way (the same atoms under the same connectives, in
    /// the same order), so that they mean the same. Nodes are not shared between equal
    /// formulas, so equal meaning is not equal ids; `false` past a small depth.
    pub(crate) fn same(&self, a: NodeId, b: NodeId) -> bool {
        self.same_within(a, b, 8)
    }

    fn same_within(&self, a: NodeId, b: NodeId, depth: u32) -> bool {
        if a == b {
            return true;
        }
        if depth == 0 {
            return false;
        }
        let pairwise = |xs: &[NodeId], ys: &[NodeId]| {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(ys)
                    .all(|(x, y)| self.same_within(*x, *y, depth - 1))
        };
        match (self.node(a), self.node(b)) {
            (Node::Not(x), Node::Not(y)) => self.same_within(*x, *y, depth - 1),
            (Node::And(xs), Node::And(ys)) | (Node::Or(xs), Node::Or(ys)) => {
                pairwise(self.kids(*xs), self.kids(*ys))
            }
            // Atoms are interned (one node per atom), and `True`/`False` are fixed ids.
            _ => false,
        }
    }

    /// The parts of a conjunction, or the node itself.
    pub(crate) fn conjuncts<'a>(&'a self, n: &'a NodeId) -> &'a [NodeId] {
        match self.node(*n) {
            Node::And(xs) => self.kids(*xs),
            _ => std::slice::from_ref(n),
        }
    }

    pub(crate) fn and2(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.and([a, b])
    }

    pub(crate) fn or2(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.or([a, b])
    }

    pub(crate) fn implies(&mut self, a: NodeId, b: NodeId) -> NodeId {
        let na = self.not(a);
        self.or([na, b])
    }

    /// `Present(d)`.
    pub(crate) fn present(&mut self, d: DimId) -> NodeId {
        self.atom(Atom::Present(d))
    }

    /// A single-valued dimension's value satisfies `p` (implies presence).
    pub(crate) fn elem(&mut self, d: DimId, p: Pred) -> NodeId {
        let pid = self.pred(p);
        self.atom(Atom::Elem(d, pid))
    }

    /// [`Arena::elem`] of the finite set with these words, allocated only when new (a space asks
    /// for the same few sets of callers and actions again and again).
    pub(crate) fn elem_finite(&mut self, d: DimId, bits: &[u64]) -> NodeId {
        let same = |q: &Pred| matches!(q, Pred::Finite(b) if **b == *bits);
        let pid = match self.find_pred(finite_hash(bits), same) {
            Some(id) => id,
            None => self.pred(Pred::Finite(bits.into())),
        };
        self.atom(Atom::Elem(d, pid))
    }

    /// Some element of a set satisfies the constraint.
    pub(crate) fn any(&mut self, d: DimId, c: ElemC) -> NodeId {
        self.atom(Atom::Any(d, c))
    }

    /// Every element of a set satisfies the constraint.
    pub(crate) fn all(&mut self, d: DimId, c: ElemC) -> NodeId {
        self.atom(Atom::All(d, c))
    }
}

#[cfg(test)]
impl Arena {
    /// An optional dimension named `k`, for tests.
    pub(crate) fn test_dim(&mut self, ty: DimType, multi: bool) -> DimId {
        self.dim(Dim {
            name: "k".into(),
            ty,
            multi,
            optional: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The plain definition: keep an element when no earlier element equals it.
    fn naive(v: &[NodeId]) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = Vec::new();
        for x in v {
            if !out.contains(x) {
                out.push(*x);
            }
        }
        out
    }

    #[test]
    fn formulas_built_alike_are_the_same_and_others_are_not() {
        let mut a = Arena::new();
        let d = a.test_dim(DimType::Str, false);
        let lit = |a: &mut Arena, t: &str| a.elem(d, Pred::Lang(Lang::literal(t, false)));
        let (x, y) = (lit(&mut a, "x"), lit(&mut a, "y"));
        // Atoms are interned: asking again gives the same node.
        assert_eq!(lit(&mut a, "x"), x);
        let build = |a: &mut Arena| {
            let n = a.not(y);
            let both = a.and([x, n]);
            a.or([both, y])
        };
        let (f, g) = (build(&mut a), build(&mut a));
        assert_ne!(f, g, "conjunctions and disjunctions are not shared");
        assert!(a.same(f, g));
        // Order, connective and negation all count.
        let swapped = {
            let n = a.not(y);
            let both = a.and([n, x]);
            a.or([both, y])
        };
        assert!(!a.same(f, swapped));
        let and_xy = a.and([x, y]);
        let or_xy = a.or([x, y]);
        assert!(!a.same(and_xy, or_xy));
        let not_x = a.not(x);
        assert!(!a.same(not_x, x));
        assert!(a.same(TRUE, TRUE) && !a.same(TRUE, FALSE));
    }

    proptest! {
        // Lengths cover both ways (≤ 16, longer) and a table larger than the stack's (over 64
        // parts); small values make repeats common, and the extremes of `u32` are in range.
        #[test]
        fn dedup_keeps_first_occurrences_in_order(
            v in prop::collection::vec(prop_oneof![0u32..40, Just(u32::MAX), any::<u32>()], 0..150)
        ) {
            let mut parts: Parts = v.iter().copied().collect();
            dedup_keep_order(&mut parts);
            prop_assert_eq!(parts.to_vec(), naive(&v));
        }

        #[test]
        fn dedup_keeps_first_occurrences_of_close_nodes(
            // Spans on both sides of the bit set's reach (2048 ids), at the top of the range too.
            base in prop_oneof![Just(0u32), Just(5000), Just(u32::MAX - 2100)],
            v in prop::collection::vec(0u32..2100, 0..150)
        ) {
            let v: Vec<u32> = v.iter().map(|x| base + x).collect();
            let mut parts: Parts = v.iter().copied().collect();
            dedup_keep_order(&mut parts);
            prop_assert_eq!(parts.to_vec(), naive(&v));
        }
    }
}
