//! EFS file systems (`AWS::EFS::FileSystem`).
//!
//! - **What is read:** the file system policy, with its conditions (IAM User Guide, "IAM Access
//!   Analyzer supported resource types", section "Amazon Elastic File System file systems").
//!   A file system without an explicit policy (`describe-file-system-policy` answers
//!   `PolicyNotFound`) has nothing to analyse: network access through mount targets is not a
//!   policy grant and is not read.
//! - **Snapshot entry:** `efs describe-file-system-policy` → `Policy`.
//! - **Size limit:** 20,000 characters (Amazon EFS API Reference, `PutFileSystemPolicy`: "EFS
//!   file system policies have a 20,000 character limit").
//! - **Rules:** `elasticfilesystem:AccessedViaMountTarget` and
//!   `elasticfilesystem:AccessPointArn` describe how the file system is mounted, not who mounts
//!   it: a grant to `*` under them alone is public (Access Analyzer treats a mount from a VPC with
//!   a public subnet as external; which VPCs can reach a mount target is not in the snapshot).

use super::policy_type::{PolicyCall, PolicyType, SizeLimit, SizeUnit};

/// The snapshot calls that hold a file system's policy.
pub(crate) const SNAPSHOT: &[PolicyCall] =
    &[("efs describe-file-system-policy", &["Policy"], false)];

pub(crate) const TYPE: PolicyType = PolicyType {
    limit: SizeLimit {
        max: 20_000,
        unit: SizeUnit::Chars,
        service: "EFS",
        policy: "file system policy",
    },
    note: None,
};
