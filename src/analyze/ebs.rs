//! EBS volume snapshots (`AWS::EC2::Snapshot`).
//!
//! - **What is read:** the snapshot's `createVolumePermission` attribute, and whether the
//!   snapshot is encrypted (IAM User Guide, "IAM Access Analyzer supported resource types",
//!   section "Amazon Elastic Block Store volume snapshots"; IAM Access Analyzer API Reference,
//!   `EbsSnapshotConfiguration`: the group `all` makes the snapshot public, `userIds` are the
//!   accounts it is shared with). There is no policy, so there is no size limit.
//! - **Snapshot entry:** `ec2 describe-snapshot-attribute --attribute createVolumePermission` →
//!   `CreateVolumePermissions[]` (`Group`: `all`; `UserId`: an account id), and optionally
//!   `ec2 describe-snapshots` → `Snapshots[].Encrypted` (the entry whose `SnapshotId` is the
//!   ARN's, or the only one).
//! - **Actions reported:** `ec2:CopySnapshot` and `ec2:CreateVolume`: an account a snapshot is
//!   shared with can create volumes from it and copy it (Amazon EBS User Guide, "Share an Amazon
//!   EBS snapshot"). Access Analyzer's documentation does not list the actions of a snapshot
//!   finding; this is a documented choice (`perimeter::manual::analysis`).
//! - **Encryption:** an encrypted snapshot can be shared with accounts but not made public
//!   (Amazon EBS User Guide, "Share an Amazon EBS snapshot"). A snapshot that is encrypted and
//!   has `all` cannot exist in EC2; it gets an error finding. When encryption is not known, `all`
//!   is public.
//! - **Not read:** EBS Block Public Access for snapshots (an account and Region setting that can
//!   make publicly shared snapshots private) is not in the snapshot format; `all` is reported as
//!   public whatever that setting.

use super::config::EbsSnapshot;
use super::finding::Finding;
use super::sharing::Sharing;
use super::{Options, ZoneOfTrust};

/// The snapshot call with the attribute.
pub(crate) const ATTRIBUTE_CALL: &str = "ec2 describe-snapshot-attribute";
/// The snapshot call with the encryption.
pub(crate) const DESCRIBE_CALL: &str = "ec2 describe-snapshots";

pub(crate) const SHARING: Sharing = Sharing {
    attribute: "createVolumePermission",
    actions: &["ec2:CopySnapshot", "ec2:CreateVolume"],
    service: "EC2",
};

pub(crate) fn analyze(s: &EbsSnapshot, zone: &ZoneOfTrust, options: &Options) -> Vec<Finding> {
    super::sharing::findings(
        &SHARING,
        &s.resource,
        &s.create_volume_permissions,
        s.encrypted,
        zone,
        options,
    )
}
