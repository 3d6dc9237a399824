//! Access previews: the findings a proposed resource policy would give, compared with the
//! resource's existing findings.
//!
//! AWS: "Previewing access with IAM Access Analyzer APIs" in the IAM User Guide
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-preview-access-apis.html>)
//! and `AccessPreviewFinding` in the API Reference: `changeType` is `NEW` for access the proposal
//! introduces, `UNCHANGED` for an existing finding that stays as it is, `CHANGED` for an existing
//! finding whose status would change (an active finding that would be resolved); `status` is the
//! predicted status. For an existing resource an omitted configuration keeps the current one; for
//! a new resource it means the type's default (no policy). An empty policy proposes deleting the
//! policy, which role trust policies and KMS key policies do not allow.

use super::rules::{ArchiveRules, Field, Fields, FilterKey};
use super::Filter;
use crate::analyze::{
    analyze_policy, Finding, Options, Resource, ResourceType, Status, ZoneOfTrust,
};
use crate::error::{Error, ErrorKind};
use crate::policy::Policy;
use crate::scalar::Timestamp;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
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

/// The proposed policy of the resource.
#[derive(Clone, Debug, PartialEq)]
pub enum ProposedPolicy {
    /// No proposal: keep the current policy (for a new resource: no policy).
    Keep,
    /// Delete the policy (an empty policy string in Access Analyzer's configuration).
    Delete,
    /// This policy.
    Set(Policy),
}

/// Preview the findings a proposed policy would give.
///
/// The baseline is `existing`, the resource's findings from the last run (the other resources'
/// findings are ignored); with `None`, the baseline is the analysis of `current`, with the
/// statuses the archive rules would give. New findings get the status the archive rules give.
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
    let now_s = now.to_rfc3339();
    if *proposed == ProposedPolicy::Delete {
        match resource.resource_type {
            ResourceType::IamRole => {
                return Err(Error::new(
                    ErrorKind::Input,
                    "a role's trust policy cannot be deleted; propose a policy instead",
                ))
            }
            ResourceType::KmsKey => {
                return Err(Error::new(
                    ErrorKind::Input,
                    "a KMS key policy cannot be deleted; propose a policy instead",
                ))
            }
            _ => {}
        }
    }
    let analyse = |p: Option<&Policy>| -> Vec<Finding> {
        p.map(|p| analyze_policy(p, resource, zone, options))
            .unwrap_or_default()
    };
    let with_rules = |mut f: Finding| {
        f.status = Status::Active;
        if rules.matching(&f).is_some() {
            f.status = Status::Archived;
        }
        f
    };
    let baseline: Vec<Finding> = match existing {
        Some(list) => list
            .iter()
            .filter(|f| f.resource == resource.arn)
            .cloned()
            .collect(),
        None => analyse(current).into_iter().map(with_rules).collect(),
    };
    let after: Vec<Finding> = match proposed {
        ProposedPolicy::Keep => analyse(current),
        ProposedPolicy::Delete => Vec::new(),
        ProposedPolicy::Set(p) => analyse(Some(p)),
    };

    let by_key: HashMap<String, &Finding> = baseline.iter().map(|f| (f.compute_id(), f)).collect();
    let mut matched: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for f in after {
        let key = f.compute_id();
        let mut f = f;
        f.id.clone_from(&key);
        f.created_at = Some(now_s.clone());
        f.analyzed_at = None;
        f.updated_at = None;
        let entry = match by_key.get(&key) {
            Some(e) if e.status != Status::Resolved => {
                matched.push(key);
                f.status = e.status;
                PreviewFinding {
                    finding: f,
                    change_type: ChangeType::Unchanged,
                    existing_finding_id: Some(e.id.clone()),
                    existing_finding_status: Some(e.status),
                }
            }
            Some(e) => {
                matched.push(key);
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
    for e in &baseline {
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
    Ok(out)
}
