//! Checks across the elements of a statement and across statements: which elements a policy
//! type takes, `iam:PassRole` and `iam:CreateServiceLinkedRole` breadth, condition keys that
//! the listed actions never receive, service principals, `Sid`s, duplicate statements, sizes,
//! and policy variables.

use super::codes::IssueCode;
use super::condition::{false_when_absent, is_tag_key, KeyKind};
use super::walk::{Ctx, ListEl, Stmt};
use super::PolicyResourceType;
use super::PolicyType;
use crate::error::quote;
use crate::json::Node;
use crate::pattern::{Case, Pattern};

pub(crate) fn check_all(ctx: &mut Ctx<'_>, statements: &[Stmt<'_>]) {
    for st in statements {
        element_rules(ctx, st);
        super::principal::check(ctx, st);
        super::action::check(ctx, st);
        super::resource::check(ctx, st);
        super::condition::check(ctx, st);
        super::principal::trust(ctx, st);
        if ctx.policy_type() == PolicyType::Identity && st.is_allow() {
            broad_grant(ctx, st, BroadAction::PASS_ROLE);
            broad_grant(ctx, st, BroadAction::CREATE_SLR);
        }
        keys_and_actions(ctx, st);
        service_principals(ctx, st);
        paired_keys(ctx, st);
    }
    sids(ctx, statements);
    redundant_statements(ctx, statements);
    size(ctx);
}

/// Elements each policy type requires or forbids.
fn element_rules(ctx: &mut Ctx<'_>, st: &Stmt<'_>) {
    let ptype = ctx.policy_type();
    let needs_resource = matches!(
        ptype,
        PolicyType::Identity | PolicyType::ServiceControl | PolicyType::ResourceControl
    );
    if needs_resource && st.resource.is_none() {
        ctx.at(
            IssueCode::MissingResource,
            "Add a `Resource` element to the statement (`\"*\"` for all resources).".into(),
            &st.at,
            st.node.span,
        );
    }
    if ctx.is_trust() {
        if let Some(r) = &st.resource {
            ctx.report(
                IssueCode::RoleTrustPolicySyntaxErrorResource,
                format!(
                    "Role trust policies cannot have `{}`: the resource is the role itself. Remove the element.",
                    r.name
                ),
                vec![st.at.key(r.name).loc(r.member.key_span)],
            );
        }
    }
    if ptype == PolicyType::ResourceControl {
        if let Some(a) = st.action.as_ref().filter(|a| a.negated) {
            ctx.report(
                IssueCode::InvalidPolicyElement,
                "Resource control policies do not support `NotAction`: list the actions in `Action`.".into(),
                vec![st.at.key(a.name).loc(a.member.key_span)],
            );
        }
        if st.is_allow() && !is_full_access(st) {
            if let Some(n) = st.effect_node {
                ctx.at(
                    IssueCode::InvalidEffect,
                    "Resource control policies support only `Deny` statements (`Allow` is reserved for `RCPFullAWSAccess`): rewrite the statement as a `Deny`.".into(),
                    &st.at.value("Effect"),
                    n.span,
                );
            }
        }
    }
}

/// The `RCPFullAWSAccess` statement: allow `*` on `*` to `*`, without conditions.
fn is_full_access(st: &Stmt<'_>) -> bool {
    let all = |l: &Option<ListEl<'_>>| {
        l.as_ref().is_some_and(|l| {
            !l.negated && l.items.len() == 1 && l.items.iter().all(|i| i.text == "*")
        })
    };
    all(&st.action)
        && all(&st.resource)
        && st.condition.is_none()
        && st
            .principal
            .is_some_and(|(m, neg)| !neg && m.value.as_str() == Some("*"))
}

/// An action whose grant on every resource is worth a finding.
struct BroadAction {
    action: &'static str,
    /// The condition key that narrows it (its presence resolves the `*` resource findings).
    narrowing_key: &'static str,
    codes: [IssueCode; 6],
    what: &'static str,
}

impl BroadAction {
    const PASS_ROLE: BroadAction = BroadAction {
        action: "iam:PassRole",
        narrowing_key: "iam:PassedToService",
        codes: [
            IssueCode::PassRoleWithNotResource,
            IssueCode::PassRoleWithStarInActionAndNotResource,
            IssueCode::PassRoleWithNotActionAndNotResource,
            IssueCode::PassRoleWithStarInResource,
            IssueCode::PassRoleWithStarInActionAndResource,
            IssueCode::PassRoleWithStarInResourceAndNotAction,
        ],
        what: "lets the principal pass any role to any service, which can grant it that role's permissions",
    };
    const CREATE_SLR: BroadAction = BroadAction {
        action: "iam:CreateServiceLinkedRole",
        narrowing_key: "iam:AWSServiceName",
        codes: [
            IssueCode::CreateSlrWithNotResource,
            IssueCode::CreateSlrWithStarInActionAndNotResource,
            IssueCode::CreateSlrWithNotActionAndNotResource,
            IssueCode::CreateSlrWithStarInResource,
            IssueCode::CreateSlrWithStarInActionAndResource,
            IssueCode::CreateSlrWithStarInResourceAndNotAction,
        ],
        what: "lets the principal create service-linked roles for any service",
    };
}

/// Whether a resource entry covers every role (or every resource).
fn star_resource(text: &str) -> bool {
    if text == "*" {
        return true;
    }
    let fields: Vec<&str> = text.splitn(6, ':').collect();
    match fields.as_slice() {
        [_, _, service, _, account, resource] => {
            (*service == "iam" || *service == "*")
                && (*account == "*" || account.is_empty())
                && matches!(*resource, "*" | "role/*")
        }
        [.., last] => *last == "*",
        _ => false,
    }
}

fn broad_grant(ctx: &mut Ctx<'_>, st: &Stmt<'_>, b: BroadAction) {
    let (Some(actions), Some(resources)) = (&st.action, &st.resource) else {
        return;
    };
    let [with_not_resource, star_action_not_resource, not_action_not_resource, star_resource_code, star_action_star_resource, not_action_star_resource] =
        b.codes;
    // The action entry that names the action, exactly or by a wildcard.
    let named = actions.items.iter().find(|i| {
        i.text.eq_ignore_ascii_case(b.action)
            || (i.text.contains(['*', '?'])
                && Pattern::new(i.text, Case::Insensitive).matches(b.action))
    });
    let included = if actions.negated {
        named.is_none()
    } else {
        named.is_some()
    };
    if !included {
        return;
    }
    let exact = named.is_some_and(|i| i.text.eq_ignore_ascii_case(b.action));
    let action_loc = match named {
        Some(i) if !actions.negated => actions.item_at(i),
        _ => actions.at.loc(actions.member.value.span),
    };
    let narrowed = st.has_condition_key(b.narrowing_key);
    let action_text = named.map_or(b.action, |i| i.text);
    if resources.negated {
        let (code, how) = match (actions.negated, exact) {
            (true, _) => (not_action_not_resource, "`NotAction` with `NotResource`"),
            (false, true) => (with_not_resource, "`NotResource`"),
            (false, false) => (
                star_action_not_resource,
                "a wildcard action with `NotResource`",
            ),
        };
        ctx.report(
            code,
            format!(
                "Allowing `{}` through {how} {}: list the resources in `Resource`.",
                b.action, b.what
            ),
            vec![action_loc, resources.at.loc(resources.member.value.span)],
        );
        return;
    }
    let Some(star) = resources.items.iter().find(|i| star_resource(i.text)) else {
        return;
    };
    if narrowed {
        return;
    }
    let (code, how) = match (actions.negated, exact) {
        (true, _) => (not_action_star_resource, "`NotAction`".to_string()),
        (false, true) => (star_resource_code, quote(action_text)),
        (false, false) => (star_action_star_resource, quote(action_text)),
    };
    ctx.report(
        code,
        format!(
            "Allowing `{}` (through {how}) on {} {}: name the resources, or add a condition on `{}`.",
            b.action,
            quote(star.text),
            b.what,
            b.narrowing_key
        ),
        vec![action_loc, resources.item_at(star)],
    );
}

/// Condition keys that some listed actions never receive.
fn keys_and_actions(ctx: &mut Ctx<'_>, st: &Stmt<'_>) {
    let Some(actions) = &st.action else {
        return;
    };
    if st.conditions.is_empty() || st.effect.is_none() {
        return;
    }
    let catalog = ctx.catalog;
    for c in &st.conditions {
        let Some(op) = c.op else { continue };
        if !false_when_absent(&op) {
            continue;
        }
        let Some(key) = catalog.condition_key(c.key) else {
            continue;
        };
        if key.applies_to_all_actions() {
            continue;
        }
        if is_tag_key(c.key) {
            tag_key(ctx, st, actions, c);
            continue;
        }
        if actions.negated {
            continue;
        }
        // A named action that does not support the key, or a wildcard none of whose actions do.
        let unsupported: Vec<&str> = actions
            .items
            .iter()
            .filter(|i| i.text != "*")
            .filter(|i| {
                if i.text.contains(['*', '?']) {
                    let all = catalog.expand(i.text);
                    !all.is_empty() && !all.iter().any(|a| a.supports_condition_key(c.key))
                } else {
                    catalog
                        .action(i.text)
                        .is_some_and(|a| !a.supports_condition_key(c.key))
                }
            })
            .map(|i| i.text)
            .collect();
        if !unsupported.is_empty() {
            ctx.report(
                IssueCode::UnsupportedActionForConditionKey,
                format!(
                    "The condition key {} is never present for {}, so the condition is never true for {}: move {} to a statement without this condition{}.",
                    quote(c.key),
                    list(&unsupported),
                    if unsupported.len() == 1 { "it" } else { "them" },
                    if unsupported.len() == 1 { "it" } else { "them" },
                    if op.if_exists { "" } else { ", or use an `…IfExists` operator" }
                ),
                vec![c.key_loc()],
            );
        }
    }
    let _ = KeyKind::Federation;
}

fn list(items: &[&str]) -> String {
    let shown: Vec<String> = items.iter().take(5).map(|a| format!("`{a}`")).collect();
    let more = items.len().saturating_sub(5);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// Tag keys and the services whose actions never receive them.
fn tag_key(ctx: &mut Ctx<'_>, st: &Stmt<'_>, actions: &ListEl<'_>, c: &super::walk::CondEntry<'_>) {
    let catalog = ctx.catalog;
    if actions.negated {
        let code = if st.is_deny() {
            IssueCode::DenyNotactionWithUnsupportedTagConditionKeyForService
        } else {
            IssueCode::AllowNotactionWithUnsupportedTagConditionKeyForService
        };
        let what = if st.is_deny() {
            "are never denied by this statement"
        } else {
            "are never allowed by this statement"
        };
        ctx.report(
            code,
            format!(
                "`NotAction` covers actions of many services that never receive {}; those actions {what}. List the actions in `Action` instead.",
                quote(c.key)
            ),
            vec![c.key_loc()],
        );
        return;
    }
    // Per service: does any listed action of it receive the key?
    let mut services: Vec<(String, bool)> = Vec::new();
    for item in &actions.items {
        let matched = if item.text == "*" {
            continue;
        } else if item.text.contains(['*', '?']) {
            catalog.expand(item.text)
        } else {
            catalog.action(item.text).into_iter().collect()
        };
        for a in matched {
            let prefix = a.service().prefix();
            let ok = a.supports_condition_key(c.key);
            match services.iter_mut().find(|(p, _)| p == prefix) {
                Some(slot) => slot.1 |= ok,
                None => services.push((prefix.to_string(), ok)),
            }
        }
    }
    let bad: Vec<&str> = services
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(p, _)| p.as_str())
        .collect();
    if bad.is_empty() {
        return;
    }
    let (code, what) = if st.is_deny() {
        (
            IssueCode::DenyWithUnsupportedTagConditionKeyForService,
            "so this statement never denies them",
        )
    } else {
        (
            IssueCode::AllowWithUnsupportedTagConditionKeyForService,
            "so this statement never allows them",
        )
    };
    ctx.report(
        code,
        format!(
            "The actions of {} never receive the condition key {}, {what}: move them to a statement with a condition they support.",
            list(&bad),
            quote(c.key)
        ),
        vec![c.key_loc()],
    );
}

/// Keys that are never present when the caller is a service principal.
const NOT_FOR_SERVICE_PRINCIPALS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "aws:username",
    "aws:multifactorauthage",
    "aws:multifactorauthpresent",
    "aws:sourceidentity",
    "aws:tokenissuetime",
];

fn service_principals(ctx: &mut Ctx<'_>, st: &Stmt<'_>) {
    if ctx.policy_type() != PolicyType::Resource {
        return;
    }
    let entries = st.principal_entries();
    let Some(first) = entries.first() else { return };
    if st.principal.is_some_and(|(_, neg)| neg) {
        return;
    }
    let only_services = entries.iter().all(|(e, _, _)| e.key == "Service");
    if only_services {
        for c in &st.conditions {
            let lower = c.key.to_ascii_lowercase();
            if NOT_FOR_SERVICE_PRINCIPALS.contains(&lower.as_str())
                || lower.starts_with("aws:principaltag/")
            {
                ctx.report(
                    IssueCode::UnsupportedConditionKeyForServicePrincipal,
                    format!(
                        "Requests from service principals never carry {}, so this condition {} for them: use `aws:SourceArn`, `aws:SourceAccount` or `aws:SourceOrgID` to restrict a service.",
                        quote(c.key),
                        if c.op.is_some_and(|o| false_when_absent(&o)) { "is never true" } else { "does not restrict them" }
                    ),
                    vec![c.key_loc()],
                );
            }
        }
    }
    if ctx.is_trust() || !st.is_allow() {
        return;
    }
    let Some((_, items, at)) = entries.iter().find(|(e, _, _)| e.key == "Service") else {
        return;
    };
    let _ = first;
    let Some(item) = items.first() else { return };
    const SOURCE_KEYS: &[&str] = &[
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
    ];
    let has_source = st
        .conditions
        .iter()
        .any(|c| SOURCE_KEYS.contains(&c.key.to_ascii_lowercase().as_str()));
    if has_source {
        return;
    }
    let loc = at.item(item.index).loc(item.node.span);
    if st.conditions.is_empty() {
        ctx.report(
            IssueCode::RestrictAccessToServicePrincipal,
            format!(
                "The service principal {} can act here on behalf of any account's resources: add a condition on `aws:SourceArn` or `aws:SourceAccount` (confused deputy).",
                quote(item.text)
            ),
            vec![loc],
        );
    } else {
        ctx.report(
            IssueCode::RecommendedConditionKeyForServicePrincipal,
            format!(
                "Restrict the service principal {} with `aws:SourceArn` or `aws:SourceAccount`, which name the resource or account it acts for.",
                quote(item.text)
            ),
            vec![loc],
        );
    }
}

/// `aws:VpcSourceIp` identifies an address only together with the VPC.
fn paired_keys(ctx: &mut Ctx<'_>, st: &Stmt<'_>) {
    if !st.is_allow() {
        return;
    }
    for c in &st.conditions {
        if !c.key.eq_ignore_ascii_case("aws:VpcSourceIp") {
            continue;
        }
        if c.op.is_some_and(|o| o.base.is_negated()) {
            continue;
        }
        if !st.has_condition_key("aws:SourceVpc") && !st.has_condition_key("aws:SourceVpce") {
            ctx.report(
                IssueCode::MissingPairedConditionKeys,
                "`aws:VpcSourceIp` alone matches the address in any VPC, including other accounts' VPCs: pair it with `aws:SourceVpc` or `aws:SourceVpce`.".into(),
                vec![c.key_loc()],
            );
        }
    }
}

fn sids(ctx: &mut Ctx<'_>, statements: &[Stmt<'_>]) {
    let required = ctx.policy_type() == PolicyType::Identity || ctx.is_trust();
    let mut seen: Vec<&str> = Vec::new();
    for st in statements {
        let Some(n) = st.sid else { continue };
        let Some(sid) = n.as_str().filter(|s| !s.is_empty()) else {
            continue;
        };
        if seen.contains(&sid) {
            let (code, details) = if required {
                (
                    IssueCode::UniqueSidsRequired,
                    format!(
                        "The `Sid` {} is used by another statement: statement ids must be unique in this policy.",
                        quote(sid)
                    ),
                )
            } else {
                (
                    IssueCode::UniqueSidsRecommended,
                    format!(
                        "The `Sid` {} is used by another statement: give each statement its own id.",
                        quote(sid)
                    ),
                )
            };
            ctx.at(code, details, &st.at.value("Sid"), n.span);
        } else {
            seen.push(sid);
        }
    }
}

/// A statement's content without its `Sid`, for comparison.
fn content(node: &Node) -> serde_json::Value {
    let mut v = node.to_serde();
    if let serde_json::Value::Object(m) = &mut v {
        m.remove("Sid");
    }
    v
}

fn redundant_statements(ctx: &mut Ctx<'_>, statements: &[Stmt<'_>]) {
    if statements.len() < 2 {
        return;
    }
    let contents: Vec<serde_json::Value> = statements.iter().map(|s| content(s.node)).collect();
    for (i, st) in statements.iter().enumerate() {
        let Some(c) = contents.get(i) else { continue };
        let earlier = contents.get(..i).unwrap_or(&[]);
        if let Some(j) = earlier.iter().position(|p| p == c) {
            ctx.at(
                IssueCode::RedundantStatement,
                format!("This statement repeats statement {j}: remove one of them."),
                &st.at,
                st.node.span,
            );
        }
    }
}

/// The number of characters outside JSON white space (white space inside strings counts).
fn chars_without_whitespace(text: &str) -> usize {
    let mut n = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            n += 1;
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            n += 1;
            if c == '"' {
                in_string = true;
            }
        }
    }
    n
}

/// Size quotas: IAM User Guide, "IAM and AWS STS quotas" (managed policies 6,144 characters and
/// role trust policies 2,048 by default, white space not counted); AWS Organizations User
/// Guide, "Quotas" (SCPs 5,120 characters, every character counted); S3 bucket policies 20 KB
/// (S3 API `PutBucketPolicy`); DynamoDB resource policies 20 KB.
fn size(ctx: &mut Ctx<'_>) {
    let text = ctx.text;
    match ctx.policy_type() {
        PolicyType::Identity => {
            let n = chars_without_whitespace(text);
            if n > 6_144 {
                ctx.document(
                    IssueCode::PolicySizeExceedsIdentityPolicyQuota,
                    format!(
                        "The policy has {n} characters without white space, more than the 6,144 IAM allows for a managed policy: split it into several policies."
                    ),
                );
            }
        }
        PolicyType::ServiceControl => {
            let n = text.chars().count();
            if n > 5_120 {
                ctx.document(
                    IssueCode::PolicySizeExceedsScpQuota,
                    format!(
                        "The policy has {n} characters, more than the 5,120 AWS Organizations allows for a service control policy (white space counts): remove white space or split the policy."
                    ),
                );
            }
        }
        PolicyType::Resource => match ctx.opts.resource_type() {
            Some(PolicyResourceType::IamAssumeRolePolicyDocument) => {
                let n = chars_without_whitespace(text);
                if n > 2_048 {
                    ctx.document(
                        IssueCode::PolicySizeExceedsRoleTrustPolicyQuota,
                        format!(
                            "The trust policy has {n} characters without white space, more than IAM's default quota of 2,048 (it can be raised to 4,096)."
                        ),
                    );
                }
            }
            Some(rt) => {
                let n = text.len();
                if n > 20_480 {
                    ctx.document(
                        IssueCode::PolicySizeExceedsResourcePolicyQuota,
                        format!(
                            "The policy is {n} bytes, more than the 20 KB a `{rt}` policy can have."
                        ),
                    );
                }
            }
            None => {}
        },
        PolicyType::ResourceControl => {}
    }
}
