//! RDS DB snapshots (`AWS::RDS::DBSnapshot`) and DB cluster snapshots
//! (`AWS::RDS::DBClusterSnapshot`).
//!
//! - **What is read:** the manual snapshot's `restore` attribute (account ids, or `all`), and
//!   whether the snapshot is encrypted (IAM User Guide, "IAM Access Analyzer supported resource
//!   types", sections "Amazon Relational Database Service DB snapshots" and "… DB cluster
//!   snapshots"; IAM Access Analyzer API Reference, `RdsDbSnapshotAttributeValue`: with `all` the
//!   snapshot "is public and can be copied or restored by all AWS accounts"). There is no policy,
//!   so there is no size limit. Access to the database itself, or through AWS RAM, is not
//!   analysed, as in Access Analyzer.
//! - **Snapshot entry:** DB snapshots: `rds describe-db-snapshot-attributes` →
//!   `DBSnapshotAttributesResult.DBSnapshotAttributes[]` with `AttributeName` `restore` →
//!   `AttributeValues`, and optionally `rds describe-db-snapshots` → `DBSnapshots[].Encrypted`.
//!   DB cluster snapshots: `rds describe-db-cluster-snapshot-attributes` →
//!   `DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes[]`, and optionally
//!   `rds describe-db-cluster-snapshots` → `DBClusterSnapshots[].StorageEncrypted`.
//! - **Actions reported:** what the `restore` attribute authorizes, "copy or restore": for a DB
//!   snapshot `rds:CopyDBSnapshot` and `rds:RestoreDBInstanceFromDBSnapshot`; for a DB cluster
//!   snapshot `rds:CopyDBClusterSnapshot` and `rds:RestoreDBClusterFromSnapshot` (Amazon RDS API
//!   Reference, `DBSnapshotAttribute` and `DBClusterSnapshotAttribute`). A documented choice, as
//!   Access Analyzer's documentation does not list them.
//! - **Encryption:** only unencrypted snapshots can be public; encrypted ones can be shared with
//!   accounts (Amazon RDS User Guide, "Sharing a DB snapshot"). A snapshot that is encrypted and
//!   has `all` cannot exist in RDS; it gets an error finding. When encryption is not known, `all`
//!   is public.

use super::config::RdsSnapshot;
use super::finding::Finding;
use super::sharing::Sharing;
use super::{Options, ResourceType, ZoneOfTrust};

/// The snapshot calls of a DB snapshot: the attribute, the description.
pub(crate) const DB_CALLS: (&str, &str) = (
    "rds describe-db-snapshot-attributes",
    "rds describe-db-snapshots",
);
/// The snapshot calls of a DB cluster snapshot: the attribute, the description.
pub(crate) const CLUSTER_CALLS: (&str, &str) = (
    "rds describe-db-cluster-snapshot-attributes",
    "rds describe-db-cluster-snapshots",
);

pub(crate) const DB: Sharing = Sharing {
    attribute: "restore",
    actions: &["rds:CopyDBSnapshot", "rds:RestoreDBInstanceFromDBSnapshot"],
    service: "RDS",
};

pub(crate) const CLUSTER: Sharing = Sharing {
    attribute: "restore",
    actions: &[
        "rds:CopyDBClusterSnapshot",
        "rds:RestoreDBClusterFromSnapshot",
    ],
    service: "RDS",
};

pub(crate) fn analyze(s: &RdsSnapshot, zone: &ZoneOfTrust, options: &Options) -> Vec<Finding> {
    let sharing = if s.resource.resource_type == ResourceType::RdsDbClusterSnapshot {
        &CLUSTER
    } else {
        &DB
    };
    super::sharing::findings(sharing, &s.resource, &s.restore, s.encrypted, zone, options)
}
