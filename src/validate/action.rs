//! `Action` / `NotAction`: names, services, wildcards, redundancy, and actions that a resource
//! policy's resource type cannot use.

use super::codes::IssueCode;
use super::walk::{Ctx, Item, ListEl, Stmt};
use super::PolicyResourceType;
use crate::catalog::Action;
use crate::error::quote;
use crate::json::Value;
use crate::pattern::{Case, Pattern};

/// The actions a role trust policy can name (IAM User Guide, "IAM JSON policy elements:
/// Principal", and the STS API reference: the assume-role calls and the session actions that
/// trust policies authorize).
pub(crate) const TRUST_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

pub(crate) fn check(ctx: &mut Ctx<'_>, st: &Stmt<'_>) {
    let Some(list) = &st.action else {
        return;
    };
    if matches!(&list.member.value.value, Value::Array(a) if a.is_empty()) {
        ctx.at(
            IssueCode::EmptyArrayAction,
            format!(
                "The `{}` array is empty, so the statement matches no request: add actions or remove the statement.",
                list.name
            ),
            &list.at,
            list.member.value.span,
        );
    }
    for item in &list.items {
        check_one(ctx, list, item);
    }
    redundant(ctx, list);
    if !list.negated {
        if let Some(rt) = ctx.opts.resource_type() {
            unsupported_in_policy(ctx, list, rt);
        }
    }
}

fn check_one(ctx: &mut Ctx<'_>, list: &ListEl<'_>, item: &Item<'_>) {
    let text = item.text;
    if text == "*" {
        return;
    }
    let loc = || list.item_at(item);
    if text.contains("${") {
        ctx.report(
            IssueCode::VariableUnsupportedInElement,
            format!(
                "Policy variables are not allowed in `{}`: {} is matched as literal text.",
                list.name,
                quote(text)
            ),
            vec![loc()],
        );
        return;
    }
    let Some((service, name)) = text.split_once(':') else {
        ctx.report(
            IssueCode::InvalidAction,
            format!(
                "The action {} is not valid: actions are written `service:ActionName`, such as `s3:GetObject`.",
                quote(text)
            ),
            vec![loc()],
        );
        return;
    };
    if service.contains(['*', '?']) {
        ctx.report(
            IssueCode::WildcardInServiceName,
            format!(
                "Avoid wildcards in the service prefix of {}: name the service (for example `{}`), because IAM does not document how such prefixes match.",
                quote(text),
                if name.is_empty() { "s3:*".to_string() } else { format!("s3:{name}") }
            ),
            vec![loc()],
        );
        return;
    }
    let catalog = ctx.catalog;
    let Some(svc) = catalog.service(service) else {
        let hint = catalog
            .suggest_service(service)
            .map(|s| format!(" Did you mean `{s}`?"))
            .unwrap_or_default();
        ctx.report(
            IssueCode::InvalidServiceInAction,
            format!(
                "The service {} in the action {} does not exist.{hint}",
                quote(service),
                quote(text)
            ),
            vec![loc()],
        );
        return;
    };
    if name.contains(['*', '?']) {
        let pattern = Pattern::new(name, Case::Insensitive);
        if !svc.actions().any(|a| pattern.matches(a.name())) {
            ctx.report(
                IssueCode::InvalidAction,
                format!(
                    "The action pattern {} matches no action of the service `{}`.",
                    quote(text),
                    svc.prefix()
                ),
                vec![loc()],
            );
        }
        return;
    }
    if svc.action(name).is_none() {
        let hint = catalog
            .suggest_action(text)
            .map(|s| format!(" Did you mean `{s}`?"))
            .unwrap_or_default();
        ctx.report(
            IssueCode::InvalidAction,
            format!(
                "The action {} does not exist in the service `{}`.{hint}",
                quote(text),
                svc.prefix()
            ),
            vec![loc()],
        );
    }
}

/// What one entry of an action list matches.
enum Matches<'c> {
    /// `*`, a wildcard in the service prefix, an unknown service or action: not compared.
    Unknown,
    /// A known action or a wildcard over one service, with the actions it matches.
    Actions(Vec<Action<'c>>),
}

fn matches_of(ctx: &Ctx<'_>, text: &str) -> Matches<'static> {
    let Some((service, name)) = text.split_once(':') else {
        return Matches::Unknown;
    };
    if service.contains(['*', '?']) || text.contains("${") {
        return Matches::Unknown;
    }
    let catalog: &'static crate::catalog::Catalog = ctx.catalog;
    if name.contains(['*', '?']) {
        let found = catalog.expand(text);
        if found.is_empty() {
            Matches::Unknown
        } else {
            Matches::Actions(found)
        }
    } else {
        match catalog.action(text) {
            Some(a) => Matches::Actions(vec![a]),
            None => Matches::Unknown,
        }
    }
}

/// `REDUNDANT_ACTION`: an entry every one of whose actions another entry already matches. Of
/// two equal entries the later is reported.
fn redundant(ctx: &mut Ctx<'_>, list: &ListEl<'_>) {
    if list.items.len() < 2 {
        return;
    }
    // The wildcard entries, compiled once: only they can cover another entry.
    let wide: Vec<(usize, Pattern)> = list
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.text.contains(['*', '?']))
        .map(|(j, i)| (j, Pattern::new(i.text, Case::Insensitive)))
        .collect();
    let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    let mut full = String::new();
    for (i, item) in list.items.iter().enumerate() {
        let lower = item.text.to_ascii_lowercase();
        let mut by: Option<&str> = seen.get(&lower).copied();
        if by.is_none() {
            seen.insert(lower, item.text);
        }
        if by.is_none() && item.text != "*" && !wide.is_empty() {
            if let Matches::Actions(actions) = matches_of(ctx, item.text) {
                for (j, p) in &wide {
                    let Some(other) = list.items.get(*j) else {
                        continue;
                    };
                    if *j == i || other.text.eq_ignore_ascii_case(item.text) {
                        continue;
                    }
                    let covers = actions.iter().all(|a| {
                        full.clear();
                        use std::fmt::Write;
                        let _ = write!(full, "{a}");
                        p.matches(&full)
                    });
                    if covers {
                        by = Some(other.text);
                        break;
                    }
                }
            }
        }
        if let Some(by) = by {
            ctx.report(
                IssueCode::RedundantAction,
                format!(
                    "The action {} is redundant: {} already matches every action it matches. Remove it.",
                    quote(item.text),
                    quote(by)
                ),
                vec![list.item_at(item)],
            );
        }
    }
}

/// The services whose actions a resource type's policy can name.
fn services_for(rt: PolicyResourceType) -> &'static [&'static str] {
    match rt {
        PolicyResourceType::S3Bucket
        | PolicyResourceType::S3AccessPoint
        | PolicyResourceType::S3MultiRegionAccessPoint => &["s3"],
        PolicyResourceType::S3ObjectLambdaAccessPoint => &["s3-object-lambda"],
        PolicyResourceType::IamAssumeRolePolicyDocument => &["sts"],
        PolicyResourceType::DynamoDbTable => &["dynamodb"],
    }
}

fn unsupported_in_policy(ctx: &mut Ctx<'_>, list: &ListEl<'_>, rt: PolicyResourceType) {
    let services = services_for(rt);
    for item in &list.items {
        let text = item.text;
        if text == "*" {
            continue;
        }
        let Some((service, name)) = text.split_once(':') else {
            continue;
        };
        if service.contains(['*', '?']) || ctx.catalog.service(service).is_none() {
            continue;
        }
        let ok = if rt == PolicyResourceType::IamAssumeRolePolicyDocument {
            let p = Pattern::new(text, Case::Insensitive);
            service.eq_ignore_ascii_case("sts") && TRUST_ACTIONS.iter().any(|a| p.matches(a))
        } else {
            services.iter().any(|s| s.eq_ignore_ascii_case(service))
        };
        if !ok {
            let what = if rt == PolicyResourceType::IamAssumeRolePolicyDocument {
                TRUST_ACTIONS
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                format!("actions of `{}`", services.join("`, `"))
            };
            let _ = name;
            ctx.report(
                IssueCode::UnsupportedActionInPolicy,
                format!(
                    "The action {} is not supported in a `{rt}` policy, which can name only {what}.",
                    quote(text)
                ),
                vec![list.item_at(item)],
            );
        }
    }
}
