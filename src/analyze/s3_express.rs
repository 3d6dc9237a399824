//! S3 directory buckets (`AWS::S3Express::DirectoryBucket`, S3 Express One Zone).
//!
//! - **What is read:** the directory bucket policy (IAM User Guide, "IAM Access Analyzer
//!   supported resource types", section "Amazon Simple Storage Service directory buckets"). The
//!   actions are the `s3express` ones; object reads and writes go through
//!   `s3express:CreateSession` (S3 User Guide, "Authorizing Regional endpoint API operations with
//!   IAM" for directory buckets). Directory bucket access points are not read.
//! - **Snapshot entry:** `s3api get-bucket-policy` → `Policy`.
//! - **Size limit:** 20 KB, read as 20,480 bytes. The S3 documentation gives 20 KB for bucket
//!   policies and names no other limit for directory buckets (a documented choice,
//!   `perimeter::manual::analysis`).
//! - **Rules:** the policy alone decides, analysed as written. Directory buckets have no ACLs.
//!   How Block Public Access applies to directory buckets is not read (S3 refuses
//!   `PutPublicAccessBlock` for them); a public policy in a snapshot is reported as public.

use super::policy_type::{PolicyCall, PolicyType, SizeLimit, SizeUnit};

/// The snapshot calls that hold a directory bucket's policy.
pub(crate) const SNAPSHOT: &[PolicyCall] = &[("s3api get-bucket-policy", &["Policy"], false)];

pub(crate) const TYPE: PolicyType = PolicyType {
    limit: SizeLimit {
        max: 20 * 1024,
        unit: SizeUnit::Bytes,
        service: "S3",
        policy: "directory bucket policy",
    },
    note: None,
};
