//! SNS topics (`AWS::SNS::Topic`).
//!
//! - **What is read:** the topic policy, with its conditions; statements added with
//!   `sns add-permission` are part of it (IAM User Guide, "IAM Access Analyzer supported resource
//!   types", section "Amazon Simple Notification Service topics").
//! - **Snapshot entry:** `sns get-topic-attributes` → `Attributes.Policy` (absent: no policy).
//! - **Size limit:** 30,720 characters (IAM Access Analyzer API Reference,
//!   `SnsTopicConfiguration`: `topicPolicy` has a maximum length of 30720).
//! - **Rules:** the policy alone decides. The default topic policy grants `*` under
//!   `aws:SourceOwner` = the owner; that key exists only in requests a service makes, which the
//!   request space does not model, so it is reported as external access with that condition
//!   (`perimeter::manual::analysis`, "Known gaps").

use super::policy_type::{PolicyCall, PolicyType, SizeLimit, SizeUnit};

/// The snapshot calls that hold a topic's policy.
pub(crate) const SNAPSHOT: &[PolicyCall] =
    &[("sns get-topic-attributes", &["Attributes", "Policy"], true)];

pub(crate) const TYPE: PolicyType = PolicyType {
    limit: SizeLimit {
        max: 30_720,
        unit: SizeUnit::Chars,
        service: "SNS",
        policy: "topic policy",
    },
    note: None,
};
