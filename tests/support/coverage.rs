//! The oracle the analysis property tests share: whether a finding covers a concrete request
//! (its actions, its principal and every condition it lists), and whether a caller is outside a
//! zone of trust.

use perimeter::analyze::{Finding, ZoneOfTrust};
use perimeter::arn::ArnPattern;
use perimeter::eval::{Caller, ContextValue, Request};
use perimeter::pattern::{Case as PCase, Pattern};
use perimeter::scalar::IpNet;

/// Whether `caller` is outside `zone` (service principals never are).
pub fn external(caller: &Caller, zone: &ZoneOfTrust) -> bool {
    match caller {
        Caller::Service { .. } => false,
        c => c.account().is_none_or(|a| !zone.trusts_account(a)),
    }
}

/// Whether the finding's principal element names `caller`.
pub fn principal_covers(f: &Finding, caller: &Caller) -> bool {
    if let Some(p) = f.principal.get("Federated") {
        return matches!(caller, Caller::Federated { provider } if provider.eq_ignore_ascii_case(p));
    }
    let Some(p) = f.principal.get("AWS") else {
        return false;
    };
    if p == "*" {
        return true;
    }
    if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        return caller.account() == Some(p.as_str());
    }
    match caller {
        Caller::Role {
            role_arn,
            arn,
            account,
            role_name,
            ..
        } => {
            if p.contains(":role/") {
                p.starts_with(&format!("arn:aws:iam::{account}:role/"))
                    && p.rsplit('/').next() == Some(role_name)
                    || p == role_arn
            } else {
                p == arn
            }
        }
        other => other.arn().as_deref() == Some(p.as_str()),
    }
}

/// Whether `value` of condition key `key` lies inside the finding's condition label.
pub fn value_in_label(key: &str, label: &str, value: &str) -> bool {
    match key.to_ascii_lowercase().as_str() {
        "aws:sourceip" => IpNet::parse(label)
            .zip(value.parse().ok())
            .is_some_and(|(n, ip)| n.contains(&ip)),
        "aws:principalarn" => {
            Pattern::new(label, PCase::Sensitive).matches(value)
                || ArnPattern::new(label).matches(value)
        }
        _ => Pattern::new(label, PCase::Sensitive).matches(value),
    }
}

/// Whether the finding covers the request: one of its actions, its principal, and every
/// condition it lists satisfied by the request's context.
pub fn covers(f: &Finding, req: &Request) -> bool {
    if !f
        .action
        .iter()
        .any(|a| a.eq_ignore_ascii_case(req.action()))
    {
        return false;
    }
    if !principal_covers(f, req.caller()) {
        return false;
    }
    f.condition
        .iter()
        .all(|(k, label)| match req.context().get(k) {
            None => false,
            Some(ContextValue::One(v)) => value_in_label(k, label, v),
            Some(ContextValue::Many(vs)) => vs.iter().any(|v| value_in_label(k, label, v)),
        })
}
