//! Findings across runs: what is new, what still exists, what was resolved, archived,
//! unarchived or deleted.
//!
//! AWS: "Reviewing findings" and "Archive rules" in the IAM User Guide
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings-remediate.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings-view.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-archive-rules.html>): new
//! findings are active unless an archive rule matches; a finding whose access is gone becomes
//! resolved; error findings are removed once the resource can be analysed; a change of principal,
//! permissions or conditions resolves the old finding and creates a new one; resolved findings are
//! deleted 90 days after their last update; a rule acts on existing findings only when applied.

use super::rules::{ArchiveRule, ArchiveRules};
use crate::analyze::{Finding, Status};
use crate::error::{quote, Error, ErrorKind};
use crate::scalar::Timestamp;
use serde_json::json;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

/// What happened to a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ChangeKind {
    /// A new finding (active, or archived by a rule).
    New,
    /// The access is gone: the finding became resolved.
    Resolved,
    /// A resolved finding's access exists again: the finding is active (or archived by a rule).
    Reopened,
    /// An active finding was archived (by [`apply_archive_rule`] or [`set_status`]).
    Archived,
    /// An archived finding was made active again ([`set_status`]).
    Unarchived,
    /// An error finding was removed because the resource could be analysed (or failed
    /// differently).
    Deleted,
    /// A resolved finding was deleted after the retention period (90 days after its last update).
    Expired,
}

impl ChangeKind {
    /// `NEW`, `RESOLVED`, `REOPENED`, `ARCHIVED`, `UNARCHIVED`, `DELETED` or `EXPIRED`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeKind::New => "NEW",
            ChangeKind::Resolved => "RESOLVED",
            ChangeKind::Reopened => "REOPENED",
            ChangeKind::Archived => "ARCHIVED",
            ChangeKind::Unarchived => "UNARCHIVED",
            ChangeKind::Deleted => "DELETED",
            ChangeKind::Expired => "EXPIRED",
        }
    }

    /// Whether the finding no longer exists after this change (EventBridge's `isDeleted`).
    pub fn is_deletion(&self) -> bool {
        matches!(self, ChangeKind::Deleted | ChangeKind::Expired)
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change, with the finding as it is after the change (as it was, for deletions).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Change {
    /// What happened.
    pub kind: ChangeKind,
    /// The finding after the change; for a deletion, the finding that was deleted.
    pub finding: Finding,
    /// The status before the change (none for new findings).
    pub previous_status: Option<Status>,
    /// The archive rule that archived the finding, if one did.
    pub archive_rule: Option<String>,
}

impl Change {
    /// `{"change", "id", "resource", "status", "previousStatus"?, "archiveRule"?}`.
    pub fn to_json_value(&self) -> serde_json::Value {
        let mut v = json!({
            "change": self.kind.as_str(),
            "id": self.finding.id,
            "resource": self.finding.resource,
            "status": self.finding.status.as_str(),
        });
        if let Some(obj) = v.as_object_mut() {
            if let Some(p) = self.previous_status {
                obj.insert("previousStatus".into(), json!(p.as_str()));
            }
            if let Some(r) = &self.archive_rule {
                obj.insert("archiveRule".into(), json!(r));
            }
        }
        v
    }
}

/// The result of a run: every finding to keep (active, archived and resolved), and what changed.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Update {
    /// The findings after the run, ordered by resource (the run's order within a resource).
    pub findings: Vec<Finding>,
    /// The changes, in the order of `findings`, deletions last.
    pub changes: Vec<Change>,
}

impl Update {
    /// How many changes of this kind.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }
}

/// Options of [`update`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LifecycleOptions {
    /// The resources this run analysed (ARNs). `None`: every resource, so findings of resources
    /// the run did not see are resolved. With a set, previous findings of other resources are
    /// kept as they were.
    pub scope: Option<BTreeSet<String>>,
    /// Days a resolved finding is kept after its last update. Default 90 (Access Analyzer).
    pub retention_days: i64,
}

impl Default for LifecycleOptions {
    fn default() -> LifecycleOptions {
        LifecycleOptions {
            scope: None,
            retention_days: 90,
        }
    }
}

impl LifecycleOptions {
    /// Options limited to these resources.
    pub fn with_scope<I, S>(mut self, resources: I) -> LifecycleOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scope = Some(resources.into_iter().map(Into::into).collect());
        self
    }
}

/// Compare a run's findings with the previous run's and compute the new state.
///
/// Findings are matched by content ([`Finding::compute_id`]), so a previous run's file whose ids
/// are Access Analyzer's UUIDs matches too; a matched finding keeps the previous id, status and
/// `createdAt`. `analyzedAt` becomes `now` for every finding of an analysed resource.
///
/// * New access: a new finding, `ACTIVE`, or `ARCHIVED` when one of `rules` matches it;
///   `createdAt = updatedAt = now`.
/// * Access that still exists: kept as it was (an archived finding stays archived).
/// * Access that is gone: `RESOLVED`, `updatedAt = now`, kept.
/// * Access that is back after being resolved: the finding is reopened, `ACTIVE` or `ARCHIVED`
///   by the rules as for a new finding, `updatedAt = now`, `createdAt` kept.
/// * Error findings that no longer occur are deleted, not resolved. While a resource has an
///   error finding, its other findings are kept as they were (the run could not tell).
/// * Resolved findings whose last update is more than `retention_days` old are deleted.
///
/// ```
/// use perimeter::analyze::{Finding, Status};
/// use perimeter::findings::{update, ArchiveRules, ChangeKind, LifecycleOptions};
/// use perimeter::scalar::Timestamp;
///
/// let mut f = Finding::default();
/// f.resource = "arn:aws:s3:::bucket".into();
/// f.resource_type = "AWS::S3::Bucket".into();
/// f.principal.insert("AWS".into(), "*".into());
/// f.action = vec!["s3:GetObject".into()];
/// f.id = f.compute_id();
///
/// let t0 = Timestamp::parse("2025-03-01T00:00:00Z").ok_or("time")?;
/// let run1 = update(&[], &[f.clone()], &ArchiveRules::none(), t0, &LifecycleOptions::default());
/// assert_eq!(run1.changes[0].kind, ChangeKind::New);
///
/// let t1 = Timestamp::parse("2025-03-02T00:00:00Z").ok_or("time")?;
/// let run2 = update(&run1.findings, &[f], &ArchiveRules::none(), t1, &LifecycleOptions::default());
/// assert!(run2.changes.is_empty());
/// assert_eq!(run2.findings[0].created_at.as_deref(), Some("2025-03-01T00:00:00Z"));
/// assert_eq!(run2.findings[0].analyzed_at.as_deref(), Some("2025-03-02T00:00:00Z"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn update(
    previous: &[Finding],
    current: &[Finding],
    rules: &ArchiveRules,
    now: Timestamp,
    options: &LifecycleOptions,
) -> Update {
    let now_s = now.to_rfc3339();
    let in_scope = |resource: &str| options.scope.as_ref().is_none_or(|s| s.contains(resource));
    // Previous findings by content; among duplicates, the one that is not resolved.
    let prev_keys: Vec<String> = previous.iter().map(Finding::compute_id).collect();
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    for (i, (k, p)) in prev_keys.iter().zip(previous).enumerate() {
        match by_key.get(k.as_str()) {
            Some(&j)
                if previous.get(j).is_some_and(|q| {
                    q.status != Status::Resolved || p.status == Status::Resolved
                }) => {}
            _ => {
                by_key.insert(k.as_str(), i);
            }
        }
    }
    let errored: HashSet<&str> = current
        .iter()
        .filter(|c| c.error.is_some())
        .map(|c| c.resource.as_str())
        .collect();

    let mut matched = vec![false; previous.len()];
    let mut seen: HashSet<String> = HashSet::new();
    let mut out: Vec<Finding> = Vec::with_capacity(current.len() + previous.len());
    let mut changes: Vec<Change> = Vec::new();
    let mut deletions: Vec<Change> = Vec::new();

    for c in current {
        let key = c.compute_id();
        if !seen.insert(key.clone()) {
            continue;
        }
        let prev = by_key.get(key.as_str()).copied();
        let mut f = c.clone();
        f.analyzed_at = Some(now_s.clone());
        match prev.and_then(|i| previous.get(i).map(|p| (i, p))) {
            Some((i, p)) if p.status != Status::Resolved => {
                if let Some(m) = matched.get_mut(i) {
                    *m = true;
                }
                f.id.clone_from(&p.id);
                f.status = p.status;
                f.created_at = p.created_at.clone().or_else(|| Some(now_s.clone()));
                f.updated_at = p.updated_at.clone().or_else(|| Some(now_s.clone()));
                out.push(f);
            }
            Some((i, p)) => {
                if let Some(m) = matched.get_mut(i) {
                    *m = true;
                }
                f.id.clone_from(&p.id);
                f.status = Status::Active;
                let rule = rules.matching(&f).map(|r| r.name.clone());
                if rule.is_some() {
                    f.status = Status::Archived;
                }
                f.created_at = p.created_at.clone().or_else(|| Some(now_s.clone()));
                f.updated_at = Some(now_s.clone());
                changes.push(Change {
                    kind: ChangeKind::Reopened,
                    finding: f.clone(),
                    previous_status: Some(Status::Resolved),
                    archive_rule: rule,
                });
                out.push(f);
            }
            None => {
                if f.id.is_empty() {
                    f.id.clone_from(&key);
                }
                f.status = Status::Active;
                let rule = rules.matching(&f).map(|r| r.name.clone());
                if rule.is_some() {
                    f.status = Status::Archived;
                }
                f.created_at = Some(now_s.clone());
                f.updated_at = Some(now_s.clone());
                changes.push(Change {
                    kind: ChangeKind::New,
                    finding: f.clone(),
                    previous_status: None,
                    archive_rule: rule,
                });
                out.push(f);
            }
        }
    }

    for (p, _) in previous.iter().zip(&matched).filter(|(_, m)| !**m) {
        if p.status == Status::Resolved {
            if expired(p, now, options.retention_days) {
                deletions.push(Change {
                    kind: ChangeKind::Expired,
                    finding: p.clone(),
                    previous_status: Some(Status::Resolved),
                    archive_rule: None,
                });
            } else {
                out.push(p.clone());
            }
            continue;
        }
        if !in_scope(&p.resource) {
            out.push(p.clone());
            continue;
        }
        if p.error.is_some() {
            deletions.push(Change {
                kind: ChangeKind::Deleted,
                finding: p.clone(),
                previous_status: Some(p.status),
                archive_rule: None,
            });
            continue;
        }
        if errored.contains(p.resource.as_str()) {
            out.push(p.clone());
            continue;
        }
        let mut f = p.clone();
        f.status = Status::Resolved;
        f.updated_at = Some(now_s.clone());
        f.analyzed_at = Some(now_s.clone());
        changes.push(Change {
            kind: ChangeKind::Resolved,
            finding: f.clone(),
            previous_status: Some(p.status),
            archive_rule: None,
        });
        out.push(f);
    }

    // Group by resource, keeping the run's order inside a resource.
    out.sort_by(|a, b| a.resource.cmp(&b.resource));
    let order: HashMap<&str, usize> = out
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    changes.sort_by_key(|c| {
        order
            .get(c.finding.id.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    changes.extend(deletions);
    Update {
        findings: out,
        changes,
    }
}

fn expired(f: &Finding, now: Timestamp, days: i64) -> bool {
    let Some(updated) = f.updated_at.as_deref().and_then(Timestamp::parse) else {
        // Without a readable time the finding is kept (deleting it could hide it early).
        return false;
    };
    now.epoch_seconds().saturating_sub(updated.epoch_seconds()) > days.saturating_mul(86_400)
}

/// Apply an archive rule to existing findings (`ApplyArchiveRule`): every `ACTIVE` finding it
/// matches becomes `ARCHIVED` with `updatedAt = now`. Archived and resolved findings are left
/// alone.
///
/// ```
/// use perimeter::analyze::{Finding, Status};
/// use perimeter::findings::{apply_archive_rule, ArchiveRules};
/// use perimeter::scalar::Timestamp;
///
/// let mut f = Finding::default();
/// f.id = "f1".into();
/// f.principal.insert("AWS".into(), "444455556666".into());
/// let mut findings = vec![f];
/// let rules = ArchiveRules::parse(r#"{"principal.AWS": {"eq": ["444455556666"]}}"#)?;
/// let now = Timestamp::parse("2025-01-01T00:00:00Z").ok_or("time")?;
/// let changes = apply_archive_rule(&mut findings, &rules.rules()[0], now);
/// assert_eq!(changes.len(), 1);
/// assert_eq!(findings[0].status, Status::Archived);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_archive_rule(
    findings: &mut [Finding],
    rule: &ArchiveRule,
    now: Timestamp,
) -> Vec<Change> {
    let now_s = now.to_rfc3339();
    let mut changes = Vec::new();
    for f in findings.iter_mut() {
        if f.status == Status::Active && rule.matches(f) {
            f.status = Status::Archived;
            f.updated_at = Some(now_s.clone());
            changes.push(Change {
                kind: ChangeKind::Archived,
                finding: f.clone(),
                previous_status: Some(Status::Active),
                archive_rule: Some(rule.name.clone()),
            });
        }
    }
    changes
}

/// Archive or unarchive findings by id (`UpdateFindings`). Findings already in that status are
/// left alone.
///
/// ```
/// use perimeter::analyze::{Finding, Status};
/// use perimeter::findings::{set_status, ChangeKind};
/// use perimeter::scalar::Timestamp;
///
/// let mut f = Finding::default();
/// f.id = "f1".into();
/// f.status = Status::Archived;
/// let mut findings = vec![f];
/// let now = Timestamp::parse("2025-01-01T00:00:00Z").ok_or("time")?;
/// let changes = set_status(&mut findings, &["f1"], Status::Active, now)?;
/// assert_eq!(changes[0].kind, ChangeKind::Unarchived);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Input`] when `status` is `RESOLVED` (only the analysis resolves findings), when
/// an id names no finding, or names a resolved finding.
pub fn set_status(
    findings: &mut [Finding],
    ids: &[&str],
    status: Status,
    now: Timestamp,
) -> Result<Vec<Change>, Error> {
    if status == Status::Resolved {
        return Err(Error::new(
            ErrorKind::Input,
            "findings can be set to `ACTIVE` or `ARCHIVED`; only an analysis resolves them",
        ));
    }
    for id in ids {
        match findings.iter().find(|f| f.id == *id) {
            None => {
                return Err(Error::new(
                    ErrorKind::Input,
                    format!("no finding has the id {}", quote(id)),
                ))
            }
            Some(f) if f.status == Status::Resolved => {
                return Err(Error::new(
                    ErrorKind::Input,
                    format!(
                        "finding {} is resolved; only active and archived findings can be archived or unarchived",
                        quote(id)
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    let now_s = now.to_rfc3339();
    let wanted: BTreeSet<&str> = ids.iter().copied().collect();
    let mut changes = Vec::new();
    for f in findings.iter_mut() {
        if wanted.contains(f.id.as_str()) && f.status != status {
            let before = f.status;
            f.status = status;
            f.updated_at = Some(now_s.clone());
            changes.push(Change {
                kind: if status == Status::Archived {
                    ChangeKind::Archived
                } else {
                    ChangeKind::Unarchived
                },
                finding: f.clone(),
                previous_status: Some(before),
                archive_rule: None,
            });
        }
    }
    Ok(changes)
}
