//! The symbolic core: exact reasoning over the space of requests.
//!
//! A request is a point in a product space: who calls (kind of principal, principal ARN, session
//! name, user id, service, identity provider, canonical user), the action, the resource, and one
//! dimension per condition key (with "missing" as a possible value). Policies become
//! propositional formulas over atoms, each atom a predicate on one dimension: an IAM wildcard
//! language, an interval, a network, a finite set. Satisfiability is decided by a search that
//! justifies the formula top-down and checks each dimension's atoms with a small exact decision
//! procedure ([`lang`] for strings, bit sets for finite dimensions, candidate values that meet
//! every region for numbers, dates and addresses). A satisfying assignment comes with concrete
//! values: a witness request, which the concrete evaluator allows.
//!
//! See `manual::analysis` for how this serves external access findings.

pub(crate) mod formula;
pub(crate) mod lang;
pub(crate) mod search;
pub(crate) mod space;
pub(crate) mod theory;

/// A per-thread pool of values given back after use, so the next user on the thread gets their
/// buffers ready instead of allocating them again.
pub(crate) type Spares<T> = std::thread::LocalKey<std::cell::RefCell<Vec<T>>>;

/// Take a value given back on this thread, if there is one.
pub(crate) fn take_spare<T: 'static>(pool: &'static Spares<T>) -> Option<T> {
    pool.with(|p| p.borrow_mut().pop())
}

/// Give a value back for the next user on this thread (a pool holds two at most; more would
/// only hold memory).
pub(crate) fn give_spare<T: 'static>(pool: &'static Spares<T>, value: T) {
    pool.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < 2 {
            p.push(value);
        }
    });
}
