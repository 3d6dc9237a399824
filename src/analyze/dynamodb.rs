//! DynamoDB tables (`AWS::DynamoDB::Table`) and streams (`AWS::DynamoDB::Stream`).
//!
//! - **What is read:** the table's resource policy, which also governs the table's indexes
//!   (`…:table/NAME/index/INDEX`), and the stream's own resource policy (DynamoDB Developer
//!   Guide, "Using resource-based policies for DynamoDB"; IAM User Guide, "IAM Access Analyzer
//!   supported resource types", sections "Amazon DynamoDB streams" and "Amazon DynamoDB tables").
//! - **Snapshot entry:** `dynamodb get-resource-policy` (with `--resource-arn` the table's or the
//!   stream's ARN) → `Policy`.
//! - **Size limit:** 20 KB, whitespace counted (DynamoDB Developer Guide, "Resource-based policy
//!   considerations": "The maximum size supported for a resource-based policy document is 20
//!   KB. DynamoDB counts whitespaces when calculating the size"); read as 20,480 bytes.
//! - **Rules:** DynamoDB's Block Public Access refuses public policies when they are attached; it
//!   does not change what an attached policy means, so a public policy in a snapshot is still
//!   reported as public.

use super::policy_type::{PolicyCall, PolicyType, SizeLimit, SizeUnit};

/// The snapshot calls that hold a table's or stream's policy.
pub(crate) const SNAPSHOT: &[PolicyCall] = &[("dynamodb get-resource-policy", &["Policy"], false)];

pub(crate) const TABLE: PolicyType = PolicyType {
    limit: SizeLimit {
        max: 20 * 1024,
        unit: SizeUnit::Bytes,
        service: "DynamoDB",
        policy: "table policy",
    },
    note: None,
};

pub(crate) const STREAM: PolicyType = PolicyType {
    limit: SizeLimit {
        policy: "stream policy",
        ..TABLE.limit
    },
    note: None,
};
