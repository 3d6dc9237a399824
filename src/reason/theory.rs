//! Deciding one dimension: given the atoms about it that must be true and those that must be
//! false, is there a value (or set of values, or no value) that satisfies them all? If so, give
//! one.
//!
//! Strings use the language search of [`super::lang`]; finite dimensions use bit sets; numbers,
//! dates, addresses and binary values use a finite candidate set that meets every region the
//! constants cut the line into (each constant, values just beside it, and values beyond the ends),
//! plus a value of the wrong type, which no predicate accepts.

use super::formula::{Arena, Atom, DimId, DimType, ElemC, Pred, PredId};
use super::lang::{solve, Lang, OutOfBudget};
use crate::scalar::{Decimal, IpNet, Timestamp};
use std::net::IpAddr;

/// A concrete value of a dimension.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Val {
    /// No value (the key is missing).
    Absent,
    /// One value, as request text (finite dimensions: the value's name).
    One(String),
    /// A non-empty set of values.
    Set(Vec<String>),
}

/// The literals about one dimension: atoms (by id) with the truth they must have.
pub(crate) type Lits = [(super::formula::AtomId, bool)];

fn pred(arena: &Arena, p: PredId) -> Option<&Pred> {
    arena.preds.get(p as usize)
}

/// Decide a dimension. `Ok(None)`: no value satisfies the literals.
pub(crate) fn decide(
    arena: &Arena,
    dim: DimId,
    lits: &Lits,
    budget: &mut u64,
) -> Result<Option<Val>, OutOfBudget> {
    let Some(d) = arena.dims.get(dim as usize) else {
        return Ok(None);
    };
    let atom = |id: &super::formula::AtomId| arena.atoms.get(*id as usize);
    let mut present: Option<bool> = if d.optional { None } else { Some(true) };
    for (id, v) in lits {
        if let Some(Atom::Present(_)) = atom(id) {
            match present {
                Some(p) if p != *v => return Ok(None),
                _ => present = Some(*v),
            }
        }
    }
    if d.multi {
        return decide_set(arena, &d.ty, present, lits, budget);
    }
    let mut pos: smallvec::SmallVec<[&Pred; 8]> = smallvec::SmallVec::new();
    let mut neg: smallvec::SmallVec<[&Pred; 8]> = smallvec::SmallVec::new();
    for (id, v) in lits {
        if let Some(Atom::Elem(_, p)) = atom(id) {
            if let Some(p) = pred(arena, *p) {
                if *v {
                    pos.push(p);
                } else {
                    neg.push(p);
                }
            }
        }
    }
    if !pos.is_empty() {
        if present == Some(false) {
            return Ok(None);
        }
        present = Some(true);
    }
    if present != Some(true) {
        // No value needed: absent satisfies every `Elem` being false.
        return Ok(Some(Val::Absent));
    }
    Ok(value(&d.ty, &pos, &neg, budget)?.map(Val::One))
}

/// A value satisfying every predicate in `pos` and none in `neg`.
fn value(
    ty: &DimType,
    pos: &[&Pred],
    neg: &[&Pred],
    budget: &mut u64,
) -> Result<Option<String>, OutOfBudget> {
    match ty {
        DimType::Str => {
            let pl: smallvec::SmallVec<[&Lang; 8]> = pos
                .iter()
                .filter_map(|p| match p {
                    Pred::Lang(l) => Some(l),
                    _ => None,
                })
                .collect();
            let nl: smallvec::SmallVec<[&Lang; 8]> = neg
                .iter()
                .filter_map(|p| match p {
                    Pred::Lang(l) => Some(l),
                    _ => None,
                })
                .collect();
            let unions: smallvec::SmallVec<[&[&Lang]; 8]> =
                pl.iter().map(std::slice::from_ref).collect();
            solve(&unions, &nl, budget)
        }
        DimType::Finite(names) => {
            let words = names.len().div_ceil(64);
            let mut set = vec![u64::MAX; words];
            for p in pos {
                if let Pred::Finite(b) = p {
                    for (s, x) in set.iter_mut().zip(b.iter().chain(std::iter::repeat(&0))) {
                        *s &= *x;
                    }
                }
            }
            for p in neg {
                if let Pred::Finite(b) = p {
                    for (s, x) in set.iter_mut().zip(b.iter().chain(std::iter::repeat(&0))) {
                        *s &= !*x;
                    }
                }
            }
            let first = (0..names.len())
                .find(|i| set.get(i / 64).is_some_and(|w| w & (1u64 << (i % 64)) != 0));
            Ok(first.and_then(|i| names.get(i).cloned()))
        }
        DimType::Ip if pos.iter().chain(neg).all(|p| matches!(p, Pred::Ip(_))) => {
            Ok(ip_value(pos, neg))
        }
        _ => Ok(candidates(ty, pos, neg)
            .into_iter()
            .find(|c| pos.iter().all(|p| holds(p, c)) && !neg.iter().any(|p| holds(p, c)))),
    }
}

/// An address in every network of `pos` and in none of `neg`: the same answer as the search
/// over [`candidates`] (the first satisfying candidate in text order), decided on the numbers,
/// with only the satisfying candidates written out.
fn ip_value(pos: &[&Pred], neg: &[&Pred]) -> Option<String> {
    let nets = |ps: &[&Pred]| -> Vec<IpNet> {
        ps.iter()
            .filter_map(|p| match p {
                Pred::Ip(n) => Some(*n),
                _ => None,
            })
            .collect()
    };
    let (pos, neg) = (nets(pos), nets(neg));
    if pos.is_empty() {
        // The empty string comes first in text order, and no network holds it.
        return Some(String::new());
    }
    // The text candidates that are not addresses (`ip:unset`, the empty string) are in no
    // network, so with a network to be in only addresses remain.
    address_candidates(pos.iter().chain(&neg))
        .into_iter()
        .filter(|ip| pos.iter().all(|n| n.contains(ip)) && !neg.iter().any(|n| n.contains(ip)))
        .map(|ip| ip.to_string())
        .min()
}

/// The addresses among [`candidates`] for these networks: every cell of the partition that
/// nested CIDRs make holds its own network address, the address just after one of its
/// sub-networks, or (outside every network) the addresses at the ends of the space or beside a
/// network.
fn address_candidates<'a>(nets: impl Iterator<Item = &'a IpNet>) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = vec![
        IpAddr::from([203, 0, 113, 10]),
        IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10]),
        IpAddr::from([0, 0, 0, 0]),
        IpAddr::from([255, 255, 255, 255]),
        IpAddr::from([0u16; 8]),
    ];
    for n in nets {
        let v6 = n.is_ipv6();
        let top = if v6 { u128::MAX } else { u128::from(u32::MAX) };
        let (first, last) = (n.network_bits(), n.last_bits());
        out.push(IpNet::addr_from_bits(v6, first));
        out.push(IpNet::addr_from_bits(v6, last));
        if last < top {
            out.push(IpNet::addr_from_bits(v6, last + 1));
        }
        if first > 0 {
            out.push(IpNet::addr_from_bits(v6, first - 1));
        }
    }
    out
}

/// Whether a typed predicate holds for request text `v` (with eval's reading of the text).
pub(crate) fn holds(p: &Pred, v: &str) -> bool {
    match p {
        Pred::Lang(l) => l.matches(v),
        Pred::Num(c, k) => Decimal::parse(v).is_some_and(|x| c.holds(x.cmp(k))),
        Pred::Date(c, k) => Timestamp::parse(v).is_some_and(|x| c.holds(x.cmp(k))),
        Pred::Ip(n) => v.parse::<IpAddr>().is_ok_and(|ip| n.contains(&ip)),
        Pred::Bin(b) => crate::scalar::decode_base64(v).is_some_and(|x| &x == b),
        Pred::Finite(_) => false,
    }
}

/// Candidate values that meet every region the constants of `pos` and `neg` cut the value space
/// into, plus one value of the wrong type.
fn candidates(ty: &DimType, pos: &[&Pred], neg: &[&Pred]) -> Vec<String> {
    let all = pos.iter().chain(neg.iter());
    let mut out: Vec<String> = Vec::new();
    match ty {
        DimType::Num => {
            let mut ks: Vec<&Decimal> = all
                .filter_map(|p| match p {
                    Pred::Num(_, k) => Some(k),
                    _ => None,
                })
                .collect();
            ks.sort();
            ks.dedup();
            let places = ks.iter().map(|k| k.scale()).max().unwrap_or(0) + 1;
            if ks.is_empty() {
                out.push("0".into());
            }
            for k in &ks {
                out.push(k.to_plain());
                out.push(k.nudge(places, true).to_plain());
                out.push(k.nudge(places, false).to_plain());
            }
        }
        DimType::Date => {
            let mut ks: Vec<&Timestamp> = all
                .filter_map(|p| match p {
                    Pred::Date(_, k) => Some(k),
                    _ => None,
                })
                .collect();
            ks.sort();
            ks.dedup();
            if ks.is_empty() {
                out.push("2026-01-01T00:00:00Z".into());
            }
            for k in &ks {
                out.push(k.to_rfc3339());
                out.push(k.nudge(true).to_rfc3339());
                out.push(k.nudge(false).to_rfc3339());
            }
        }
        DimType::Ip => {
            let nets = all.filter_map(|p| match p {
                Pred::Ip(n) => Some(n),
                _ => None,
            });
            out.extend(address_candidates(nets).iter().map(IpAddr::to_string));
            out.push("ip:unset".into());
            // The empty string, which `Null` counts as missing.
            out.push(String::new());
            out.sort();
            out.dedup();
            return out;
        }
        DimType::Bin => {
            let bs: Vec<&Vec<u8>> = all
                .filter_map(|p| match p {
                    Pred::Bin(b) => Some(b),
                    _ => None,
                })
                .collect();
            for b in &bs {
                out.push(encode_base64(b));
            }
            let longest = bs.iter().map(|b| b.len()).max().unwrap_or(0);
            out.push(encode_base64(&vec![0xAB; longest + 1]));
        }
        _ => {}
    }
    // A value of the wrong type: no typed predicate holds for it; and the empty string, which
    // `Null` counts as missing.
    out.push("x".into());
    out.push(String::new());
    out
}

/// Standard base64 with padding.
pub(crate) fn encode_base64(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | (u32::from(*x) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(T.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decide a multivalued dimension.
fn decide_set(
    arena: &Arena,
    ty: &DimType,
    present: Option<bool>,
    lits: &Lits,
    budget: &mut u64,
) -> Result<Option<Val>, OutOfBudget> {
    // Normalise every literal to "some element satisfies C" (exists) or "every element
    // satisfies C" (forall).
    let mut exists: Vec<ElemC> = Vec::new();
    let mut forall: Vec<ElemC> = Vec::new();
    for (id, v) in lits {
        let Some(a) = arena.atoms.get(*id as usize) else {
            continue;
        };
        match (a, v) {
            (Atom::Any(_, c), true) => exists.push(c.clone()),
            (Atom::Any(_, c), false) => forall.push(flip(c)),
            (Atom::All(_, c), true) => forall.push(c.clone()),
            (Atom::All(_, c), false) => exists.push(flip(c)),
            _ => {}
        }
    }
    exists.dedup();
    if !exists.is_empty() && present == Some(false) {
        return Ok(None);
    }
    if exists.is_empty() && present != Some(true) {
        // The empty set (a missing key) satisfies every forall and no exists.
        return Ok(Some(Val::Absent));
    }
    let mut elements: Vec<String> = Vec::new();
    let targets: Vec<Option<&ElemC>> = if exists.is_empty() {
        vec![None]
    } else {
        exists.iter().map(Some).collect()
    };
    for t in targets {
        match element(arena, ty, t, &forall, budget)? {
            Some(e) => elements.push(e),
            None => return Ok(None),
        }
    }
    elements.sort();
    elements.dedup();
    Ok(Some(Val::Set(elements)))
}

/// The negation of an element constraint: `Pos(U)` ↔ `Neg(U)`.
pub(crate) fn flip(c: &ElemC) -> ElemC {
    match c {
        ElemC::Pos(v) => ElemC::Neg(v.clone()),
        ElemC::Neg(v) => ElemC::Pos(v.clone()),
    }
}

/// One element satisfying `target` (if any) and every `forall` constraint.
fn element(
    arena: &Arena,
    ty: &DimType,
    target: Option<&ElemC>,
    forall: &[ElemC],
    budget: &mut u64,
) -> Result<Option<String>, OutOfBudget> {
    let mut unions: Vec<Vec<&Pred>> = Vec::new();
    let mut negs: Vec<&Pred> = Vec::new();
    for c in target.into_iter().chain(forall.iter()) {
        match c {
            ElemC::Pos(ps) => unions.push(ps.iter().filter_map(|p| pred(arena, *p)).collect()),
            ElemC::Neg(ps) => negs.extend(ps.iter().filter_map(|p| pred(arena, *p))),
        }
    }
    match ty {
        DimType::Str => {
            let ul: Vec<Vec<&Lang>> = unions
                .iter()
                .map(|u| {
                    u.iter()
                        .filter_map(|p| match p {
                            Pred::Lang(l) => Some(l),
                            _ => None,
                        })
                        .collect()
                })
                .collect();
            let ur: Vec<&[&Lang]> = ul.iter().map(Vec::as_slice).collect();
            let nl: Vec<&Lang> = negs
                .iter()
                .filter_map(|p| match p {
                    Pred::Lang(l) => Some(l),
                    _ => None,
                })
                .collect();
            solve(&ur, &nl, budget)
        }
        _ => {
            let flat: Vec<&Pred> = unions.iter().flatten().copied().collect();
            Ok(candidates(ty, &flat, &negs).into_iter().find(|c| {
                unions.iter().all(|u| u.iter().any(|p| holds(p, c)))
                    && !negs.iter().any(|p| holds(p, c))
            }))
        }
    }
}

/// Whether an atom holds for a dimension's value (used to check models).
pub(crate) fn atom_holds(arena: &Arena, a: &Atom, v: &Val) -> bool {
    if let (Atom::Elem(d, p), Val::One(s)) = (a, v) {
        if let (Some(Pred::Finite(bits)), Some(dim)) =
            (pred(arena, *p), arena.dims.get(*d as usize))
        {
            if let DimType::Finite(names) = &dim.ty {
                return names.iter().position(|n| n == s).is_some_and(|i| {
                    bits.get(i / 64)
                        .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
                });
            }
        }
    }
    let elem_ok = |c: &ElemC, e: &str| match c {
        ElemC::Pos(ps) => ps
            .iter()
            .any(|p| pred(arena, *p).is_some_and(|p| holds_any(p, e))),
        ElemC::Neg(ps) => !ps
            .iter()
            .any(|p| pred(arena, *p).is_some_and(|p| holds_any(p, e))),
    };
    match (a, v) {
        (Atom::Present(_), Val::Absent) => false,
        (Atom::Present(_), _) => true,
        (Atom::Elem(_, p), Val::One(s)) => pred(arena, *p).is_some_and(|p| holds_any(p, s)),
        (Atom::Elem(_, _), _) => false,
        (Atom::Any(_, c), Val::Set(es)) => es.iter().any(|e| elem_ok(c, e)),
        (Atom::Any(_, _), _) => false,
        (Atom::All(_, c), Val::Set(es)) => es.iter().all(|e| elem_ok(c, e)),
        (Atom::All(_, _), _) => true,
        (Atom::Opaque(_), _) => false,
    }
}

fn holds_any(p: &Pred, v: &str) -> bool {
    match p {
        Pred::Finite(_) => false,
        p => holds(p, v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reason::formula::Cmp;

    fn ids(
        arena: &mut Arena,
        lits: Vec<(Atom, bool)>,
    ) -> Vec<(super::super::formula::AtomId, bool)> {
        lits.into_iter()
            .map(|(a, v)| (arena.atom_id(a), v))
            .collect()
    }

    #[test]
    fn numbers_between_constants() {
        let mut a = Arena::new();
        let d = a.test_dim(DimType::Num, false);
        let gt = a.pred(Pred::Num(Cmp::Gt, Decimal::parse("1").unwrap()));
        let lt = a.pred(Pred::Num(Cmp::Lt, Decimal::parse("1.01").unwrap()));
        let lits = ids(
            &mut a,
            vec![(Atom::Elem(d, gt), true), (Atom::Elem(d, lt), true)],
        );
        let v = decide(&a, d, &lits, &mut 1000).unwrap().unwrap();
        let Val::One(s) = v else { panic!() };
        let x = Decimal::parse(&s).unwrap();
        assert!(
            x > Decimal::parse("1").unwrap() && x < Decimal::parse("1.01").unwrap(),
            "{s}"
        );
        // Nothing is both < 1 and > 2.
        let lt1 = a.pred(Pred::Num(Cmp::Lt, Decimal::parse("1").unwrap()));
        let gt2 = a.pred(Pred::Num(Cmp::Gt, Decimal::parse("2").unwrap()));
        let lits = ids(
            &mut a,
            vec![(Atom::Elem(d, lt1), true), (Atom::Elem(d, gt2), true)],
        );
        assert_eq!(decide(&a, d, &lits, &mut 1000).unwrap(), None);
        // Only negatives: a value of the wrong type satisfies them, or an absent key.
        let lits = ids(
            &mut a,
            vec![(Atom::Elem(d, lt1), false), (Atom::Present(d), true)],
        );
        let v = decide(&a, d, &lits, &mut 1000).unwrap().unwrap();
        assert!(
            matches!(v, Val::One(ref s) if !holds(&Pred::Num(Cmp::Lt, Decimal::parse("1").unwrap()), s))
        );
    }

    #[test]
    fn addresses_outside_subnets() {
        let mut a = Arena::new();
        let d = a.test_dim(DimType::Ip, false);
        let big = a.pred(Pred::Ip(IpNet::parse("10.0.0.0/8").unwrap()));
        let small = a.pred(Pred::Ip(IpNet::parse("10.0.0.0/9").unwrap()));
        let lits = ids(
            &mut a,
            vec![(Atom::Elem(d, big), true), (Atom::Elem(d, small), false)],
        );
        let Val::One(s) = decide(&a, d, &lits, &mut 1000).unwrap().unwrap() else {
            panic!()
        };
        assert_eq!(s, "10.128.0.0");
        let lits = ids(
            &mut a,
            vec![(Atom::Elem(d, small), true), (Atom::Elem(d, big), false)],
        );
        assert_eq!(decide(&a, d, &lits, &mut 1000).unwrap(), None);
    }

    #[test]
    fn sets() {
        let mut a = Arena::new();
        let d = a.test_dim(DimType::Str, true);
        let ou = a.pred(Pred::Lang(Lang::glob("o-1/r-1/ou-a/*", false)));
        let other = a.pred(Pred::Lang(Lang::glob("o-1/r-1/ou-b/*", false)));
        // Some path under ou-a, and every path outside ou-b.
        let lits = ids(
            &mut a,
            vec![
                (Atom::Any(d, ElemC::Pos(vec![ou])), true),
                (Atom::All(d, ElemC::Neg(vec![other])), true),
            ],
        );
        let Val::Set(es) = decide(&a, d, &lits, &mut 1000).unwrap().unwrap() else {
            panic!()
        };
        assert_eq!(es.len(), 1);
        assert!(es[0].starts_with("o-1/r-1/ou-a/"));
        // Not present: no element can exist.
        let lits = ids(
            &mut a,
            vec![
                (Atom::Any(d, ElemC::Pos(vec![ou])), true),
                (Atom::Present(d), false),
            ],
        );
        assert_eq!(decide(&a, d, &lits, &mut 1000).unwrap(), None);
        // Every element under ou-a and some element not under ou-a: impossible.
        let lits = ids(
            &mut a,
            vec![
                (Atom::All(d, ElemC::Pos(vec![ou])), true),
                (Atom::All(d, ElemC::Pos(vec![ou])), true),
                (Atom::Any(d, ElemC::Neg(vec![ou])), true),
            ],
        );
        assert_eq!(decide(&a, d, &lits, &mut 1000).unwrap(), None);
    }

    #[test]
    fn base64_round_trip() {
        for b in [&b""[..], b"a", b"ab", b"abc", b"abcd"] {
            assert_eq!(crate::scalar::decode_base64(&encode_base64(b)).unwrap(), b);
        }
    }

    proptest::proptest! {
        /// The numeric address search gives what the search over the written candidates gives
        /// (the first satisfying one in text order), for nested, overlapping and mixed-family
        /// networks.
        #[test]
        fn ip_value_agrees_with_the_candidate_search(
            nets in proptest::collection::vec(
                (proptest::bool::weighted(0.2), proptest::prelude::any::<u32>(), 0u8..=32, proptest::bool::ANY),
                0..6,
            )
        ) {
            let mut pos = Vec::new();
            let mut neg = Vec::new();
            for (v6, a, len, positive) in nets {
                let text = if v6 {
                    format!("2001:db8:{:x}::/{}", a >> 16, 16 + len * 3)
                } else {
                    format!("{}/{}", std::net::Ipv4Addr::from(a), len)
                };
                let Some(n) = IpNet::parse(&text) else { continue };
                if positive { pos.push(Pred::Ip(n)) } else { neg.push(Pred::Ip(n)) }
            }
            let pos: Vec<&Pred> = pos.iter().collect();
            let neg: Vec<&Pred> = neg.iter().collect();
            let slow = candidates(&DimType::Ip, &pos, &neg)
                .into_iter()
                .find(|c| pos.iter().all(|p| holds(p, c)) && !neg.iter().any(|p| holds(p, c)));
            proptest::prop_assert_eq!(ip_value(&pos, &neg), slow);
        }
    }
}
