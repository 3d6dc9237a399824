//! What happens to external access findings after the analysis: archive rules, the lifecycle
//! across runs (active, archived, resolved), the CI gate, access previews, and exports for the
//! tools people already run (SARIF for code scanning, ASFF for Security Hub, EventBridge events).
//!
//! The findings are [`analyze::Finding`](crate::analyze::Finding)s, with Access Analyzer's field
//! names. A run reads the previous run's findings (the `{"findings": […]}` JSON it wrote), the
//! current ones and the archive rules, and [`update`] computes the new state and the changes:
//!
//! ```
//! use perimeter::analyze::{analyze_policy, Options, Resource, ResourceType, Status, ZoneOfTrust};
//! use perimeter::findings::{update, ArchiveRules, ChangeKind, LifecycleOptions};
//! use perimeter::policy::Policy;
//! use perimeter::scalar::Timestamp;
//!
//! let queue = Resource::new("arn:aws:sqs:us-east-1:111122223333:orders", ResourceType::SqsQueue, "111122223333");
//! let zone = ZoneOfTrust::account("111122223333");
//! let policy = Policy::parse(r#"{"Statement": [{"Effect": "Allow",
//!     "Principal": {"AWS": "444455556666"}, "Action": "sqs:SendMessage", "Resource": "*"}]}"#)?;
//! let found = analyze_policy(&policy, &queue, &zone, &Options::default());
//!
//! // Intended access from a partner account is archived by a rule.
//! let rules = ArchiveRules::parse(r#"[{"ruleName": "partner",
//!     "filter": {"principal.AWS": {"eq": ["444455556666"]}, "isPublic": {"eq": ["false"]}}}]"#)?;
//! let now = Timestamp::parse("2025-01-01T00:00:00Z").ok_or("bad time")?;
//! let first = update(&[], &found, &rules, now, &LifecycleOptions::default());
//! assert_eq!(first.findings[0].status, Status::Archived);
//! assert_eq!(first.changes[0].kind, ChangeKind::New);
//!
//! // The policy is removed: the finding is resolved and kept.
//! let later = Timestamp::parse("2025-01-02T00:00:00Z").ok_or("bad time")?;
//! let second = update(&first.findings, &[], &rules, later, &LifecycleOptions::default());
//! assert_eq!(second.findings[0].status, Status::Resolved);
//! assert_eq!(second.changes[0].kind, ChangeKind::Resolved);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The choices made where Access Analyzer's documentation is silent are in
//! `src/manual/findings.md`.

mod asff;
mod events;
mod gate;
mod lifecycle;
mod preview;
mod proposal;
mod rules;
mod sarif;

pub use asff::{asff, AsffGrouping, AsffOptions};
pub use events::{events, EventOptions};
pub use gate::{gate, FailOn, Verdict};
pub use lifecycle::{
    apply_archive_rule, set_status, update, Change, ChangeKind, Lifecycle, LifecycleOptions, Update,
};
pub use preview::{preview_policy, preview_resource, ChangeType, PreviewFinding};
pub use proposal::{
    default_key_policy, Proposal, ProposedAccessPoint, ProposedPolicy, MAX_NEW_ACCESS_POINTS,
    MAX_PROPOSED_ACL_GRANTS, MAX_PROPOSED_KMS_GRANTS,
};
pub use rules::{
    ArchiveRule, ArchiveRules, Criterion, Filter, FilterKey, MAX_CRITERIA, MAX_RULES, MAX_VALUES,
    MAX_VALUE_CHARS,
};
pub use sarif::{sarif, SarifOptions, SarifStream};

use crate::analyze::Finding;
use crate::error::{Error, ErrorKind};
use crate::json::{self, Limits, Node, Path, Value};
use serde_json::json;

/// Largest findings document [`read_findings`] accepts: 256 MiB.
pub const MAX_FINDINGS_BYTES: usize = 256 << 20;

/// Read findings: the `{"findings": […]}` document a previous run wrote (also the output of
/// `aws accessanalyzer list-findings`), or a bare array of findings.
///
/// ```
/// let findings = perimeter::findings::read_findings(r#"{"findings": [{
///     "id": "f1", "principal": {"AWS": "*"}, "action": ["s3:GetObject"],
///     "resource": "arn:aws:s3:::bucket", "resourceType": "AWS::S3::Bucket",
///     "resourceOwnerAccount": "111122223333", "condition": {}, "isPublic": true,
///     "status": "ACTIVE", "createdAt": "2025-01-01T00:00:00Z"}]}"#)?;
/// assert_eq!(findings[0].principal["AWS"], "*");
/// # Ok::<(), perimeter::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Syntax`] for text that is not JSON, [`ErrorKind::Limit`] above
/// [`MAX_FINDINGS_BYTES`], [`ErrorKind::Input`] for a document of another shape or a finding
/// without a required field (with the finding's location).
pub fn read_findings(text: &str) -> Result<Vec<Finding>, Error> {
    if text.len() > MAX_FINDINGS_BYTES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "findings document is {} bytes, more than the limit of {MAX_FINDINGS_BYTES} bytes",
                text.len()
            ),
        ));
    }
    // The fast path: serde reads a well-formed document directly. Anything it refuses is read
    // again with the span-keeping reader, for an error with its location.
    #[derive(serde::Deserialize)]
    struct Doc {
        findings: Vec<Finding>,
    }
    let fast = match text
        .trim_start_matches(['\u{feff}', ' ', '\t', '\n', '\r'])
        .as_bytes()
        .first()
    {
        Some(b'[') => serde_json::from_str::<Vec<Finding>>(text).ok(),
        Some(b'{') => serde_json::from_str::<Doc>(text).ok().map(|d| d.findings),
        _ => None,
    };
    if let Some(findings) = fast {
        return Ok(findings);
    }
    located_findings(text)
}

fn located_findings(text: &str) -> Result<Vec<Finding>, Error> {
    let limits = Limits::default().with_max_bytes(MAX_FINDINGS_BYTES);
    let root = json::parse(text, &limits)?;
    let (list, path) = match &root.value {
        Value::Array(items) => (items, Path::root()),
        Value::Object(_) => match root.get("findings") {
            Some(Node {
                value: Value::Array(items),
                ..
            }) => (items, Path::root().key("findings")),
            Some(other) => {
                return Err(Error::at(
                    ErrorKind::Input,
                    format!(
                        "`findings` must be an array, not {}",
                        other.value.type_name()
                    ),
                    Path::root().key("findings").location(other.span.start),
                ))
            }
            None => {
                return Err(Error::at(
                    ErrorKind::Input,
                    "a findings document needs a `findings` array",
                    Path::root().location(root.span.start),
                ))
            }
        },
        other => {
            return Err(Error::at(
                ErrorKind::Input,
                format!(
                    "a findings document is an object or an array, not {}",
                    other.type_name()
                ),
                Path::root().location(root.span.start),
            ))
        }
    };
    let mut out = Vec::with_capacity(list.len());
    // serde refused the document: report the first malformed finding with its location.
    for (i, node) in list.iter().enumerate() {
        let at = path.index(i);
        let finding: Finding = serde_json::from_value(node.to_serde()).map_err(|e| {
            Error::at(
                ErrorKind::Input,
                format!("finding {i}: {}", serde_message(&e)),
                at.location(node.span.start),
            )
        })?;
        out.push(finding);
    }
    Ok(out)
}

/// serde's message without its position suffix (the location is reported separately).
fn serde_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}

/// The JSON document of a run: `{"findings": […]}`, with `"changes": […]` when the lifecycle
/// ran (an empty list then means that nothing changed). [`read_findings`] reads it back.
///
/// ```
/// use perimeter::findings::to_json;
/// let doc = to_json(&[], None);
/// assert_eq!(doc.to_string(), r#"{"findings":[]}"#);
/// ```
pub fn to_json(findings: &[Finding], changes: Option<&[Change]>) -> serde_json::Value {
    let mut doc = json!({ "findings": findings });
    if let (Some(changes), Some(obj)) = (changes, doc.as_object_mut()) {
        obj.insert(
            "changes".into(),
            serde_json::Value::Array(changes.iter().map(Change::to_json_value).collect()),
        );
    }
    doc
}

/// The region of an ARN, if it has one (S3 bucket and IAM role ARNs do not).
pub(crate) fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// The partition of an ARN, `aws` when it has none.
pub(crate) fn arn_partition(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty() && arn.starts_with("arn:"))
        .unwrap_or("aws")
}

/// The kind of a finding, for rule ids, titles and severities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Public,
    External,
    Error,
}

impl Kind {
    pub(crate) fn of(f: &Finding) -> Kind {
        if f.error.is_some() {
            Kind::Error
        } else if f.is_public == Some(true) {
            Kind::Public
        } else {
            Kind::External
        }
    }

    pub(crate) fn slug(self) -> &'static str {
        match self {
            Kind::Public => "public-access",
            Kind::External => "external-access",
            Kind::Error => "analysis-error",
        }
    }
}

/// `AWS::S3::Bucket` → `s3-bucket`; `resource` for an empty type.
pub(crate) fn type_slug(resource_type: &str) -> String {
    let t = resource_type.strip_prefix("AWS::").unwrap_or(resource_type);
    let parts: Vec<String> = t
        .split("::")
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        "resource".into()
    } else {
        parts.join("-")
    }
}

/// `{"AWS": "444455556666"}` → `AWS 444455556666`.
pub(crate) fn principal_text(f: &Finding) -> String {
    let parts: Vec<String> = f
        .principal
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    if parts.is_empty() {
        "an unknown principal".into()
    } else {
        parts.join(", ")
    }
}

/// `aws:SourceIp = 10.0.0.0/8, aws:SourceVpce = vpce-1`, or `none`.
pub(crate) fn conditions_text(f: &Finding) -> String {
    if f.condition.is_empty() {
        "none".into()
    } else {
        f.condition
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The actions, the first `max` of them and a count of the rest.
pub(crate) fn actions_text(f: &Finding, max: usize) -> String {
    if f.action.is_empty() {
        return "no actions".into();
    }
    let shown: Vec<&str> = f.action.iter().take(max).map(String::as_str).collect();
    let rest = f.action.len().saturating_sub(max);
    if rest == 0 {
        shown.join(", ")
    } else {
        format!("{} and {rest} more", shown.join(", "))
    }
}

/// Set a member of a JSON object (nothing for other values).
pub(crate) fn put(v: &mut serde_json::Value, key: &str, value: serde_json::Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_string(), value);
    }
}

/// Cut text to at most `max` characters, ending with `…` when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_findings_shapes_and_errors() {
        let one = r#"{"id": "a", "resource": "arn:aws:s3:::b", "resourceType": "AWS::S3::Bucket",
            "resourceOwnerAccount": "111122223333", "condition": {}, "status": "ARCHIVED"}"#;
        let doc = format!(r#"{{"findings": [{one}], "nextToken": "x"}}"#);
        let a = read_findings(&doc).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].status, crate::analyze::Status::Archived);
        assert_eq!(read_findings(&format!("[{one}]")).unwrap(), a);

        let e = read_findings(r#"{"findings": [{"id": "a"}]}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input);
        assert_eq!(e.message(), "finding 0: missing field `resource`");
        assert_eq!(e.location().unwrap().pointer, "/findings/0");
        let e = read_findings(r#"{"results": []}"#).unwrap_err();
        assert_eq!(e.message(), "a findings document needs a `findings` array");
        let e = read_findings(r#"{"findings": {}}"#).unwrap_err();
        assert_eq!(e.message(), "`findings` must be an array, not an object");
        assert_eq!(read_findings("3").unwrap_err().kind(), ErrorKind::Input);
        assert_eq!(read_findings("{").unwrap_err().kind(), ErrorKind::Syntax);
    }

    #[test]
    fn arn_parts() {
        assert_eq!(arn_region("arn:aws:s3:::bucket"), None);
        assert_eq!(
            arn_region("arn:aws:sqs:eu-west-1:111122223333:q"),
            Some("eu-west-1")
        );
        assert_eq!(arn_partition("arn:aws-cn:s3:::bucket"), "aws-cn");
        assert_eq!(arn_partition("bucket"), "aws");
    }
}
