//! Exact evaluation of one request against the policies that govern it.
//!
//! [`evaluate`] follows AWS's documented evaluation logic: explicit denies anywhere win; every
//! SCP level of the caller's organization must allow; RCP denies of the resource's organization
//! apply; then, within one account, either the identity side (identity policies, permissions
//! boundary, session policies) or a resource policy that names the caller allows, while across
//! accounts both the caller's account and the resource policy must allow. Role trust policies
//! and KMS key policies must allow in every case. The answer is a [`Decision`] with the
//! [`Reason`]s behind it; evaluation never fails.
//!
//! [`Case`] is the JSON form of a request with its policies (the `perimeter eval` input format,
//! also used for witnesses and counterexamples), and [`CaseCompiler`] compiles each distinct
//! policy of a batch once.

mod case;
mod condition;
mod decision;
mod request;

pub(crate) use case::SimpleCase;
pub use case::{Case, CaseCompiler};
pub use decision::{evaluate, Decision, Evaluation, Layer, PolicySet, Reason, ReasonKind};
pub use request::{Caller, Context, ContextValue, Request, RequestBuilder};

pub(crate) use decision::{
    action_resource_match, evaluate_parts, is_role_trust, is_service_linked_role, rcp_applies,
    resource_policy_required, statement_matches, Grant, Parts,
};
