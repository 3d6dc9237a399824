//! Lambda layer versions (`AWS::Lambda::LayerVersion`).
//!
//! - **What is read:** the layer version policy, built by `lambda add-layer-version-permission`
//!   (grants of `lambda:GetLayerVersion` to an account, to `*`, or to `*` within an organization
//!   through `aws:PrincipalOrgID`) (IAM User Guide, "IAM Access Analyzer supported resource
//!   types", section "AWS Lambda functions and layers"; Lambda Developer Guide, "Granting layer
//!   access to other accounts").
//! - **Snapshot entry:** `lambda get-layer-version-policy` → `Policy`.
//! - **Size limit:** 20 KB, read as 20,480 bytes. The Lambda quotas page gives 20 KB for a
//!   function's resource-based policy and names no other limit for layer versions (a documented
//!   choice, `perimeter::manual::analysis`).
//! - **Rules:** each layer version has its own policy; the resource is the version's ARN
//!   (`…:layer:NAME:VERSION`).

use super::policy_type::{PolicyCall, PolicyType, SizeLimit, SizeUnit};

/// The snapshot calls that hold a layer version's policy.
pub(crate) const SNAPSHOT: &[PolicyCall] =
    &[("lambda get-layer-version-policy", &["Policy"], false)];

pub(crate) const TYPE: PolicyType = PolicyType {
    limit: SizeLimit {
        max: 20 * 1024,
        unit: SizeUnit::Bytes,
        service: "Lambda",
        policy: "layer version policy",
    },
    note: None,
};
