//! ECR repositories (`AWS::ECR::Repository`).
//!
//! - **What is read:** the repository policy, with its conditions (IAM User Guide, "IAM Access
//!   Analyzer supported resource types", section "Amazon Elastic Container Registry
//!   repositories"). Policies of `Version` `2008-10-17` without `Resource` (what the console
//!   writes) apply to the repository.
//! - **Snapshot entry:** `ecr get-repository-policy` → `policyText`.
//! - **Size limit:** 10,240 characters (Amazon ECR API Reference, `SetRepositoryPolicy`:
//!   `policyText` has a maximum length of 10240).
//! - **Rules:** to pull or push, a principal of another account also needs
//!   `ecr:GetAuthorizationToken`, which only its own account's identity policies can grant (the
//!   action acts on no resource, so no repository policy grants it). Access Analyzer assumes the
//!   principal has it and reports the access; so does perimeter, and every finding says so in its
//!   note.

use super::policy_type::{PolicyCall, PolicyType, SizeLimit, SizeUnit};

/// The snapshot calls that hold a repository's policy.
pub(crate) const SNAPSHOT: &[PolicyCall] = &[("ecr get-repository-policy", &["policyText"], false)];

/// What every ECR finding explains.
pub(crate) const NOTE: &str = "the principal also needs `ecr:GetAuthorizationToken`, granted by an identity policy in its own account; the analysis assumes it has it, as Access Analyzer does";

pub(crate) const TYPE: PolicyType = PolicyType {
    limit: SizeLimit {
        max: 10_240,
        unit: SizeUnit::Chars,
        service: "ECR",
        policy: "repository policy",
    },
    note: Some(NOTE),
};
