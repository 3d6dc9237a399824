//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers).
//!
//! One result per finding. Rules are per kind of finding and resource type
//! (`public-access/s3-bucket`, `external-access/kms-key`, `analysis-error/iam-role`), so that a
//! code-scanning UI groups alerts by what they mean and shows help written for that resource.
//! The finding id is the result's `partialFingerprints` entry, so alerts follow findings across
//! runs; archived findings carry an accepted external suppression; with lifecycle data, results
//! carry a `baselineState`.

use super::{actions_text, conditions_text, principal_text, put, type_slug, Kind};
use crate::analyze::{Finding, Status};
use crate::json::{self, Limits, Node, Value as JsonValue};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Where the results point and which findings to include.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SarifOptions {
    /// The artifact the results point at (a file path or URI relative to the repository: the
    /// policy file, the snapshot). Code-scanning services need one to show a result; without it,
    /// results have only a logical location (the resource ARN).
    pub artifact_uri: Option<String>,
    /// The text of that artifact when it is the resource policy itself: results then point at
    /// the statement that grants the access.
    pub policy_text: Option<String>,
    /// Include resolved findings (as `baselineState: absent`). Default false: a code-scanning
    /// service closes an alert that a new upload no longer contains.
    pub include_resolved: bool,
}

impl SarifOptions {
    /// Results pointing at this artifact.
    pub fn with_artifact(mut self, uri: &str) -> SarifOptions {
        self.artifact_uri = Some(uri.to_string());
        self
    }

    /// Results pointing at the statements of this policy document, which is the artifact.
    pub fn with_policy(mut self, uri: &str, text: &str) -> SarifOptions {
        self.artifact_uri = Some(uri.to_string());
        self.policy_text = Some(text.to_string());
        self
    }

    /// Include resolved findings.
    pub fn with_resolved(mut self) -> SarifOptions {
        self.include_resolved = true;
        self
    }
}

const HELP_URI: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html";

fn level(kind: Kind) -> &'static str {
    match kind {
        Kind::Public => "error",
        Kind::External | Kind::Error => "warning",
    }
}

fn security_severity(kind: Kind) -> &'static str {
    match kind {
        Kind::Public => "8.0",
        Kind::External => "5.0",
        Kind::Error => "3.0",
    }
}

/// `AWS::S3::Bucket` → `S3Bucket`.
fn type_camel(resource_type: &str) -> String {
    type_slug(resource_type)
        .split('-')
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn rule(kind: Kind, resource_type: &str) -> Value {
    let id = format!("{}/{}", kind.slug(), type_slug(resource_type));
    let t = if resource_type.is_empty() {
        "resource"
    } else {
        resource_type
    };
    let (name, short, full, help) = match kind {
        Kind::Public => (
            "PublicAccess",
            format!("{t} allows public access"),
            format!("A policy of this {t} lets anyone reach it: any AWS account or anonymous callers, with no condition that pins the caller to known accounts or networks."),
            format!("Public access to a {t} is rarely intended. Remove the statement that grants it, or narrow its Principal or conditions (aws:PrincipalOrgID, aws:SourceVpce, aws:SourceIp, aws:PrincipalAccount) to the callers you mean. If the access is intended, archive the finding with an archive rule. The result's properties hold the principal, actions and conditions, and the statements that grant the access."),
        ),
        Kind::External => (
            "ExternalAccess",
            format!("{t} allows access from outside the zone of trust"),
            format!("A policy of this {t} lets a principal outside the zone of trust (another account, a federated identity provider, or an S3 canonical user) reach it."),
            "Check that the external principal should have this access. If not, remove or narrow the statement that grants it; if it should, archive the finding with an archive rule (for example on principal.AWS) so that only new access shows up. The result's properties hold the principal, actions and conditions, and the statements that grant the access.".to_string(),
        ),
        Kind::Error => (
            "AnalysisError",
            format!("{t} could not be analysed"),
            format!("perimeter could not decide who can reach this {t} (a malformed policy, or an analysis over its work budget). Until it can, the resource may be public."),
            "Fix the policy if the note says it is malformed; for a budget error, raise the analysis budget or simplify the policy. The finding is removed once the resource is analysed.".to_string(),
        ),
    };
    json!({
        "id": id,
        "name": format!("{name}{}", type_camel(resource_type)),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": help},
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": level(kind)},
        "properties": {
            "tags": ["security", "external-access", resource_type],
            "security-severity": security_severity(kind),
            "precision": "very-high"
        }
    })
}

fn message(f: &Finding, kind: Kind) -> String {
    let conditions = if f.condition.is_empty() {
        String::new()
    } else {
        format!(" when {}", conditions_text(f))
    };
    let mut text = match kind {
        Kind::Public => format!(
            "{} allows public access: {} can call {}{}.",
            f.resource,
            principal_text(f),
            actions_text(f, 8),
            conditions
        ),
        Kind::External => format!(
            "{} allows access from outside the zone of trust: {} can call {}{}.",
            f.resource,
            principal_text(f),
            actions_text(f, 8),
            conditions
        ),
        Kind::Error => format!(
            "{} could not be analysed: {}{}.",
            f.resource,
            f.error.as_deref().unwrap_or("error"),
            f.note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        ),
    };
    match f.status {
        Status::Archived => text.push_str(" The finding is archived."),
        Status::Resolved => text.push_str(" The access no longer exists (resolved)."),
        Status::Active => {}
    }
    text
}

/// The statement node `index` of a policy document (the `Statement` array's element, or the
/// `Statement` object itself for index 0).
fn statement_node(root: &Node, index: usize) -> Option<&Node> {
    let st = root.get("Statement")?;
    match &st.value {
        JsonValue::Array(items) => items.get(index),
        JsonValue::Object(_) if index == 0 => Some(st),
        _ => None,
    }
}

fn baseline(f: &Finding) -> Option<&'static str> {
    let created = f.created_at.as_deref()?;
    Some(match f.status {
        Status::Resolved => "absent",
        _ if f.analyzed_at.as_deref() == Some(created) => "new",
        _ if f.updated_at.is_some() && f.updated_at == f.analyzed_at => "updated",
        _ => "unchanged",
    })
}

/// A SARIF 2.1.0 log with one run and one result per finding.
///
/// ```
/// use perimeter::analyze::{analyze_policy, Options, Resource, ResourceType, ZoneOfTrust};
/// use perimeter::findings::{sarif, SarifOptions};
/// use perimeter::policy::Policy;
///
/// let text = r#"{"Statement": [{"Effect": "Allow", "Principal": "*",
///     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}]}"#;
/// let bucket = Resource::new("arn:aws:s3:::site", ResourceType::S3Bucket, "111122223333");
/// let findings = analyze_policy(&Policy::parse(text)?, &bucket,
///     &ZoneOfTrust::account("111122223333"), &Options::default());
/// let log = sarif(&findings, &SarifOptions::default().with_policy("site-policy.json", text));
/// let result = &log["runs"][0]["results"][0];
/// assert_eq!(result["ruleId"], "public-access/s3-bucket");
/// assert_eq!(result["level"], "error");
/// assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
/// # Ok::<(), perimeter::Error>(())
/// ```
pub fn sarif(findings: &[Finding], options: &SarifOptions) -> Value {
    let policy = options
        .policy_text
        .as_deref()
        .and_then(|t| json::parse(t, &Limits::default()).ok());
    let mut rules: BTreeMap<String, (usize, Value)> = BTreeMap::new();
    let mut results = Vec::new();
    for f in findings {
        if f.status == Status::Resolved && !options.include_resolved {
            continue;
        }
        let kind = Kind::of(f);
        let rule_id = format!("{}/{}", kind.slug(), type_slug(&f.resource_type));
        let next = rules.len();
        let index = rules
            .entry(rule_id.clone())
            .or_insert_with(|| (next, rule(kind, &f.resource_type)))
            .0;
        let name = f
            .resource
            .rsplit([':', '/'])
            .find(|s| !s.is_empty())
            .unwrap_or(&f.resource);
        let mut location = json!({
            "logicalLocations": [{
                "name": name,
                "fullyQualifiedName": f.resource,
                "kind": "resource"
            }]
        });
        if let Some(uri) = &options.artifact_uri {
            let mut physical = json!({"artifactLocation": {"uri": uri}});
            let node = policy
                .as_ref()
                .zip(f.statements.first())
                .and_then(|(root, s)| statement_node(root, s.index));
            if let Some(node) = node {
                let (start, end) = (node.span.start, node.span.end);
                put(
                    &mut physical,
                    "region",
                    json!({
                        "startLine": start.line,
                        "startColumn": start.column + 1,
                        "endLine": end.line,
                        "endColumn": end.column + 1,
                        "byteOffset": start.offset,
                        "byteLength": end.offset.saturating_sub(start.offset)
                    }),
                );
            }
            put(&mut location, "physicalLocation", physical);
        }
        let mut result = json!({
            "ruleId": rule_id,
            "ruleIndex": index,
            "level": level(kind),
            "message": {"text": message(f, kind)},
            "partialFingerprints": {"perimeterFindingId/v1": f.id},
            "properties": {
                "id": f.id,
                "resource": f.resource,
                "resourceType": f.resource_type,
                "resourceOwnerAccount": f.resource_owner_account,
                "principal": f.principal,
                "action": f.action,
                "condition": f.condition,
                "isPublic": f.is_public,
                "status": f.status.as_str(),
                "statements": f.statements,
            }
        });
        // Moved in, not written inside `json!`, which would copy the value.
        put(&mut result, "locations", Value::Array(vec![location]));
        if let Some(b) = baseline(f) {
            put(&mut result, "baselineState", json!(b));
        }
        if f.status == Status::Archived {
            put(
                &mut result,
                "suppressions",
                json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": "archived in perimeter's findings lifecycle (an archive rule or a person accepted the access)"
                }]),
            );
        }
        if let (Some(e), Some(props)) = (&f.error, result.get_mut("properties")) {
            put(props, "error", json!(e));
        }
        results.push(result);
    }
    let mut rules: Vec<(usize, Value)> = rules.into_values().collect();
    rules.sort_by_key(|(i, _)| *i);
    let mut driver = json!({
        "name": "perimeter",
        "version": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://github.com/perimeter-rs/perimeter",
    });
    put(
        &mut driver,
        "rules",
        Value::Array(rules.into_iter().map(|(_, r)| r).collect()),
    );
    let mut run = json!({"columnKind": "unicodeCodePoints"});
    put(&mut run, "tool", json!({}));
    if let Some(tool) = run.get_mut("tool") {
        put(tool, "driver", driver);
    }
    put(&mut run, "results", Value::Array(results));
    let mut log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
    });
    put(&mut log, "runs", Value::Array(vec![run]));
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_types() {
        assert_eq!(type_slug("AWS::S3::Bucket"), "s3-bucket");
        assert_eq!(
            type_slug("AWS::RDS::DBClusterSnapshot"),
            "rds-dbclustersnapshot"
        );
        assert_eq!(type_slug(""), "resource");
        assert_eq!(type_camel("AWS::KMS::Key"), "KmsKey");
    }
}
