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
