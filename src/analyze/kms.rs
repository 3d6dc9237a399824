//! KMS keys: the key policy, and grants whose grantee or retiring principal is outside the zone
//! of trust (IAM User Guide, "IAM Access Analyzer supported resource types", section "AWS Key
//! Management Service keys"; AWS KMS Developer Guide, "Grants in AWS KMS" and "Grant
//! constraints").

use super::config::{KmsGrant, KmsKey};
use super::finding::{Finding, FindingSource, StatementRef};
use super::{analyze_policy, Options, Resource, ZoneOfTrust};
use std::collections::BTreeMap;

/// Who a grant's principal is.
enum Who {
    /// An account, or an identity of one.
    Account(String),
    /// An AWS service principal (`dynamodb.us-east-1.amazonaws.com`): never reported.
    Service,
    /// Something that names no account: reported, as it cannot be shown to be trusted.
    Unknown,
}

fn who(principal: &str) -> Who {
    if crate::arn::is_account_id(principal) {
        return Who::Account(principal.to_string());
    }
    if principal.starts_with("arn:") {
        return match crate::arn::Arn::parse(principal) {
            Ok(a) if crate::arn::is_account_id(a.account()) => Who::Account(a.account().into()),
            _ => Who::Unknown,
        };
    }
    if principal.ends_with(".amazonaws.com") || principal.ends_with(".amazonaws.com.cn") {
        return Who::Service;
    }
    Who::Unknown
}

fn external(principal: &str, zone: &ZoneOfTrust) -> bool {
    match who(principal) {
        Who::Account(a) => !zone.trusts_account(&a),
        Who::Service => false,
        Who::Unknown => true,
    }
}

pub(crate) fn analyze(k: &KmsKey, zone: &ZoneOfTrust, options: &Options) -> Vec<Finding> {
    let r = &k.resource;
    let mut out = match &k.policy {
        Some(p) => analyze_policy(p, r, zone, options),
        None => Vec::new(),
    };
    if out.iter().any(|f| f.error.is_some()) {
        return out;
    }
    for (i, g) in k.grants.iter().enumerate() {
        out.extend(grant_findings(r, i, g, zone, options));
    }
    out
}

const NO_WITNESS: &str =
    "no witness: the access comes from a KMS grant, which the policy evaluator does not read";

fn grant_findings(
    r: &Resource,
    index: usize,
    g: &KmsGrant,
    zone: &ZoneOfTrust,
    options: &Options,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let statement = StatementRef {
        policy: g.grant_id.clone(),
        index,
        sid: g.name.clone().filter(|n| !n.is_empty()),
    };
    let base = |principal: &str, action: Vec<String>, condition: BTreeMap<String, String>| {
        let mut f = Finding {
            principal: BTreeMap::from([("AWS".to_string(), principal.to_string())]),
            action,
            resource: r.arn.clone(),
            resource_type: r.resource_type.as_str().to_string(),
            resource_owner_account: r.owner_account.clone(),
            condition,
            is_public: Some(false),
            sources: vec![FindingSource::of("POLICY")],
            analyzed_at: options.analyzed_at.clone(),
            statements: vec![statement.clone()],
            note: Some(NO_WITNESS.into()),
            ..Finding::default()
        };
        f.id = f.compute_id();
        f
    };
    if let Some(p) = g.grantee_principal.as_deref().filter(|p| external(p, zone)) {
        let mut action: Vec<String> = g.operations.iter().map(|o| format!("kms:{o}")).collect();
        action.sort();
        action.dedup();
        // Either constraint kind restricts the encryption context of the request (grants
        // allow only one kind; both read as the key's `kms:EncryptionContext:` condition).
        let condition: BTreeMap<String, String> = g
            .encryption_context_equals
            .iter()
            .chain(&g.encryption_context_subset)
            .map(|(k, v)| (format!("kms:EncryptionContext:{k}"), v.clone()))
            .collect();
        if !action.is_empty() {
            out.push(base(p, action, condition));
        }
    }
    if let Some(p) = g
        .retiring_principal
        .as_deref()
        .filter(|p| external(p, zone))
    {
        out.push(base(p, vec!["kms:RetireGrant".into()], BTreeMap::new()));
    }
    out
}
