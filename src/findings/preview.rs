//! Access previews: the findings a proposed configuration of one resource would give (a policy,
//! an S3 bucket's ACL, Block Public Access settings and access points, a KMS key's grants, a
//! Lambda function's URLs, a Secrets Manager secret's KMS key, an EBS or RDS snapshot's sharing
//! and encryption), compared with the resource's existing findings.
//!
//! AWS: "Previewing access with IAM Access Analyzer APIs" in the IAM User Guide
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-preview-access-apis.html>)
//! and `AccessPreviewFinding` in the API Reference: `changeType` is `NEW` for access the proposal
//! introduces, `UNCHANGED` for an existing finding that stays as it is, `CHANGED` for an existing
//! finding whose status would change (an active finding that would be resolved); `status` is the
//! predicted status. For an existing resource an omitted configuration keeps the current one; for
//! a new resource it means the type's default (no policy; a KMS key gets the default key policy; a
//! new bucket's Block Public Access settings are all off, a new access point's all on). An empty
//! policy proposes deleting the policy, which role trust policies and KMS key policies do not
//! allow. The API Reference pages `S3BucketConfiguration`, `S3AccessPointConfiguration`,
//! `S3PublicAccessBlockConfiguration` and `KmsKeyConfiguration` give the defaults part by part:
//! a proposed list of ACL grants, access points or KMS grants replaces the existing list; an
//! omitted access point setting keeps the existing access point's, or for a new access point
//! takes `Internet`, no policy and Block Public Access on.

use super::proposal::{deletion_allowed, same_resource, Proposal, ProposedPolicy};
use super::rules::{ArchiveRules, Field, Fields, FilterKey};
use super::Filter;
use crate::analyze::{analyze_resource, PolicyResource, Resource, ResourceConfig, ResourceType};
use crate::analyze::{Finding, Options, Status, ZoneOfTrust};
use crate::error::{quote, Error, ErrorKind};
use crate::policy::Policy;
use crate::scalar::Timestamp;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// How a preview finding compares with the existing findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeType {
    /// Access the proposal introduces.
    New,
    /// An existing finding that the proposal keeps as it is.
    Unchanged,
    /// An existing finding whose status the proposal changes.
    Changed,
}

impl ChangeType {
    /// `NEW`, `UNCHANGED` or `CHANGED`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeType::New => "NEW",
            ChangeType::Unchanged => "UNCHANGED",
            ChangeType::Changed => "CHANGED",
        }
    }
}

impl fmt::Display for ChangeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding of an access preview (`AccessPreviewFinding`): the finding's fields, with `status`
/// the predicted status and `createdAt` the preview's time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PreviewFinding {
    /// The finding (the preview's id, the predicted status).
    #[serde(flatten)]
    pub finding: Finding,
    /// How it compares with the existing findings.
    pub change_type: ChangeType,
    /// The existing finding it corresponds to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_finding_id: Option<String>,
    /// That finding's current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_finding_status: Option<Status>,
}

impl Fields for PreviewFinding {
    fn field(&self, key: &FilterKey) -> Field<'_> {
        match key {
            FilterKey::ChangeType => Field::One(Cow::Borrowed(self.change_type.as_str())),
            FilterKey::ExistingFindingId => self
                .existing_finding_id
                .as_deref()
                .map_or(Field::Absent, |v| Field::One(Cow::Borrowed(v))),
            FilterKey::ExistingFindingStatus => self
                .existing_finding_status
                .map_or(Field::Absent, |s| Field::One(Cow::Borrowed(s.as_str()))),
            _ => self.finding.field(key),
        }
    }
}

impl Filter {
    /// Whether an access preview finding matches (`ListAccessPreviewFindings`'s filter, which
    /// also knows `changeType`, `existingFindingId` and `existingFindingStatus`).
    pub fn matches_preview(&self, finding: &PreviewFinding) -> bool {
        self.matches_fields(finding)
    }
}

/// Preview the findings a proposed configuration of one resource would give: `current` is the
/// resource's configuration now (`None` for a new resource), `proposed` the configuration to
/// preview (see [`Proposal::apply`] for building it with Access Analyzer's defaulting rules).
///
/// The baseline is `previous`, the findings of the last run (those of other resources are
/// ignored), which gives each existing finding its id and status; with `None`, the baseline is
/// the analysis of `current`, with the statuses the archive rules would give. Each finding of
/// the proposal is `NEW` (access the baseline does not have; its status is what the archive rules
/// give), `UNCHANGED` (an existing finding that stays, with its status) or `CHANGED` (an existing
/// finding whose status changes: an active or archived finding that would be resolved, or a
/// resolved finding whose access comes back).
///
/// ```
/// use perimeter::analyze::{
///     AclGrant, AclGrantee, AclPermission, BucketAcl, Options, ResourceConfig, S3Bucket, Status,
///     ZoneOfTrust,
/// };
/// use perimeter::findings::{preview_resource, ArchiveRules, ChangeType, Proposal};
/// use perimeter::policy::Policy;
/// use perimeter::scalar::Timestamp;
///
/// // The bucket shares its ACL with a partner's canonical user and grants reads to everyone.
/// let partner = AclGrant::new(AclGrantee::CanonicalUser("partner-id".into()), AclPermission::ReadAcp);
/// let public = AclGrant::new(AclGrantee::all_users(), AclPermission::Read);
/// let current = ResourceConfig::S3Bucket(S3Bucket::new("arn:aws:s3:::reports", "111122223333")
///     .with_acl(BucketAcl::new(Some("owner-id"), vec![partner.clone(), public])));
/// // Proposed: the partner's grant only, and a bucket policy for another account.
/// let policy = Policy::parse(r#"{"Statement": [{"Effect": "Allow",
///     "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}"#)?;
/// let proposal = Proposal::new()
///     .with_acl(BucketAcl::new(Some("owner-id"), vec![partner]))
///     .with_policy(perimeter::findings::ProposedPolicy::Set(policy));
/// let proposed = proposal.apply(current.resource(), Some(&current))?;
///
/// let now = Timestamp::parse("2025-01-01T00:00:00Z").ok_or("time")?;
/// let zone = ZoneOfTrust::account("111122223333");
/// let preview = preview_resource(Some(&current), &proposed, &zone, None,
///     &ArchiveRules::none(), &Options::default(), now)?;
/// let of = |change: ChangeType| preview.iter().filter(|p| p.change_type == change).count();
/// assert_eq!(of(ChangeType::New), 1, "the partner account's object reads");
/// assert_eq!(of(ChangeType::Unchanged), 1, "the partner's ACL grant");
/// assert_eq!(of(ChangeType::Changed), 1, "the public read, resolved");
/// let resolved = preview.iter().find(|p| p.change_type == ChangeType::Changed).ok_or("none")?;
/// assert_eq!((resolved.finding.status, resolved.finding.is_public), (Status::Resolved, Some(true)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Input`] when `current` and `proposed` are different resources, `proposed` is a
/// configuration that could not be read, or it deletes a role trust policy or a KMS key policy.
pub fn preview_resource(
    current: Option<&ResourceConfig>,
    proposed: &ResourceConfig,
    zone: &ZoneOfTrust,
    previous: Option<&[Finding]>,
    rules: &ArchiveRules,
    options: &Options,
    now: Timestamp,
) -> Result<Vec<PreviewFinding>, Error> {
    let resource = proposed.resource();
    if let ResourceConfig::Invalid(i) = proposed {
        return Err(Error::new(
            ErrorKind::Input,
            format!(
                "the proposed configuration of {} is not valid: {}",
                quote(&resource.arn),
                i.error.message()
            ),
        ));
    }
    if let Some(c) = current {
        same_resource(c.resource(), resource)?;
        if matches!(
            resource.resource_type,
            ResourceType::IamRole | ResourceType::KmsKey
        ) && policy_of(c).is_some()
            && policy_of(proposed).is_none()
        {
            deletion_allowed(resource.resource_type)?;
        }
    }
    let with_rules = |mut f: Finding| {
        f.status = Status::Active;
        if rules.matching(&f).is_some() {
            f.status = Status::Archived;
        }
        f
    };
    let baseline: Vec<Finding> = match (previous, current) {
        (Some(list), _) => list
            .iter()
            .filter(|f| f.resource == resource.arn)
            .cloned()
            .collect(),
        (None, Some(c)) => analyze_resource(c, zone, options)
            .into_iter()
            .map(with_rules)
            .collect(),
        (None, None) => Vec::new(),
    };
    let after = analyze_resource(proposed, zone, options);
    Ok(compare(&baseline, after, &with_rules, now))
}

fn policy_of(config: &ResourceConfig) -> Option<&Policy> {
    match config {
        ResourceConfig::S3Bucket(b) => b.policy.as_ref(),
        ResourceConfig::KmsKey(k) => k.policy.as_ref(),
        ResourceConfig::LambdaFunction(f) => f.policy.as_ref(),
        ResourceConfig::Policy(p) => p.policy.as_ref(),
        ResourceConfig::SecretsManagerSecret(s) => s.policy.as_ref(),
        _ => None,
    }
}

/// The preview findings: the proposal's findings against the baseline, then the baseline's
/// findings the proposal resolves.
fn compare(
    baseline: &[Finding],
    after: Vec<Finding>,
    with_rules: &dyn Fn(Finding) -> Finding,
    now: Timestamp,
) -> Vec<PreviewFinding> {
    let now_s = now.to_rfc3339();
    let by_key: HashMap<String, &Finding> = baseline.iter().map(|f| (f.compute_id(), f)).collect();
    let mut matched: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for mut f in after {
        let key = f.compute_id();
        f.id.clone_from(&key);
        f.created_at = Some(now_s.clone());
        f.analyzed_at = None;
        f.updated_at = None;
        let entry = match by_key.get(&key) {
            Some(e) if e.status != Status::Resolved => {
                matched.insert(key);
                f.status = e.status;
                PreviewFinding {
                    finding: f,
                    change_type: ChangeType::Unchanged,
                    existing_finding_id: Some(e.id.clone()),
                    existing_finding_status: Some(e.status),
                }
            }
            Some(e) => {
                matched.insert(key);
                PreviewFinding {
                    finding: with_rules(f),
                    change_type: ChangeType::Changed,
                    existing_finding_id: Some(e.id.clone()),
                    existing_finding_status: Some(Status::Resolved),
                }
            }
            None => PreviewFinding {
                finding: with_rules(f),
                change_type: ChangeType::New,
                existing_finding_id: None,
                existing_finding_status: None,
            },
        };
        out.push(entry);
    }
    for e in baseline {
        let key = e.compute_id();
        if matched.contains(&key) || e.status == Status::Resolved || e.error.is_some() {
            continue;
        }
        let mut f = e.clone();
        f.id = key;
        f.status = Status::Resolved;
        f.created_at = Some(now_s.clone());
        f.analyzed_at = None;
        f.updated_at = None;
        out.push(PreviewFinding {
            finding: f,
            change_type: ChangeType::Changed,
            existing_finding_id: Some(e.id.clone()),
            existing_finding_status: Some(e.status),
        });
    }
    out
}

/// Preview the findings a proposed policy would give.
///
/// The resource is analysed as one whose only configuration is its policy (an S3 bucket without
/// ACL, Block Public Access settings or known access points; see [`preview_resource`] for whole
/// configurations). `current` is `None` for a new resource, whose default is no policy (a KMS
/// key's default key policy). The baseline is `existing`, the resource's findings from the last
/// run (the other resources' findings are ignored); with `None`, the baseline is the analysis of
/// `current`, with the statuses the archive rules would give. New findings get the status the
/// archive rules give.
///
/// ```
/// use perimeter::analyze::{Options, Resource, ResourceType, Status, ZoneOfTrust};
/// use perimeter::findings::{preview_policy, ArchiveRules, ChangeType, ProposedPolicy};
/// use perimeter::policy::Policy;
/// use perimeter::scalar::Timestamp;
///
/// let bucket = Resource::new("arn:aws:s3:::reports", ResourceType::S3Bucket, "111122223333");
/// let current = Policy::parse(r#"{"Statement": [{"Effect": "Allow",
///     "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}"#)?;
/// let proposed = Policy::parse(r#"{"Statement": [{"Effect": "Allow",
///     "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}"#)?;
/// let now = Timestamp::parse("2025-01-01T00:00:00Z").ok_or("time")?;
/// let preview = preview_policy(&bucket, Some(&current), &ProposedPolicy::Set(proposed),
///     &ZoneOfTrust::account("111122223333"), None, &ArchiveRules::none(), &Options::default(), now)?;
/// let new: Vec<_> = preview.iter().filter(|p| p.change_type == ChangeType::New).collect();
/// assert_eq!(new[0].finding.is_public, Some(true));
/// let gone: Vec<_> = preview.iter().filter(|p| p.change_type == ChangeType::Changed).collect();
/// assert_eq!(gone[0].finding.status, Status::Resolved);
/// assert_eq!(gone[0].existing_finding_status, Some(Status::Active));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Input`] when the proposal deletes a role trust policy or a KMS key policy,
/// which AWS does not allow.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of a preview request, each needed"
)]
pub fn preview_policy(
    resource: &Resource,
    current: Option<&Policy>,
    proposed: &ProposedPolicy,
    zone: &ZoneOfTrust,
    existing: Option<&[Finding]>,
    rules: &ArchiveRules,
    options: &Options,
    now: Timestamp,
) -> Result<Vec<PreviewFinding>, Error> {
    let current = current
        .map(|p| ResourceConfig::Policy(PolicyResource::new(resource.clone(), Some(p.clone()))));
    let proposed = Proposal::new()
        .with_policy(proposed.clone())
        .apply(resource, current.as_ref())?;
    preview_resource(
        current.as_ref(),
        &proposed,
        zone,
        existing,
        rules,
        options,
        now,
    )
}
