//! `Principal` / `NotPrincipal`: where they may appear, their form, and the checks of role trust
//! policies (federated principals, the actions each kind of principal can call, the conditions
//! OIDC providers need).
//!
//! Sources: IAM User Guide, "AWS JSON policy elements: Principal" and "NotPrincipal", "Creating a
//! role for web identity or OpenID Connect federation", "Configuring a role for GitHub OIDC
//! identity provider", and the IAM Roles Anywhere User Guide ("Trust model": the trust policy
//! must allow `sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession`).

use super::action::TRUST_ACTIONS;
use super::codes::IssueCode;
use super::condition::is_service_principal;
use super::walk::{case_hint, type_mismatch, Ctx, Item, Stmt};
use super::PolicyType;
use crate::error::quote;
use crate::json::Value;
use crate::pattern::{Case, Pattern};

const PRINCIPAL_KEYS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

/// Identity providers that AWS names by domain (web identity federation).
const WEB_IDENTITY_DOMAINS: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "www.amazon.com",
    "graph.facebook.com",
    "accounts.google.com",
];

const GITHUB: &str = "token.actions.githubusercontent.com";

/// What a `Federated` value names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Federated<'a> {
    Saml,
    /// An OIDC provider; the host and path its condition keys start with.
    Oidc(&'a str),
    Invalid,
}

fn federated_kind(value: &str) -> Federated<'_> {
    if let Some(rest) = value.strip_prefix("arn:") {
        let fields: Vec<&str> = rest.splitn(5, ':').collect();
        if let [_, "iam", "", account, resource] = fields.as_slice() {
            if crate::arn::is_account_id(account) {
                if let Some(name) = resource.strip_prefix("saml-provider/") {
                    if !name.is_empty() {
                        return Federated::Saml;
                    }
                }
                if let Some(host) = resource.strip_prefix("oidc-provider/") {
                    if !host.is_empty() {
                        return Federated::Oidc(host);
                    }
                }
            }
        }
        return Federated::Invalid;
    }
    let domain = !value.is_empty()
        && value.contains('.')
        && value
            .split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if domain {
        Federated::Oidc(value)
    } else {
        Federated::Invalid
    }
}

pub(crate) fn check(ctx: &mut Ctx<'_>, st: &Stmt<'_>) {
    let ptype = ctx.policy_type();
    let Some((m, negated)) = st.principal else {
        if ctx.takes_principal() {
            ctx.at(
                IssueCode::MissingPrincipal,
                match ptype {
                    PolicyType::ResourceControl => {
                        "Add `\"Principal\": \"*\"` to the statement: resource control policies require it.".into()
                    }
                    _ => "Add a `Principal` element to the statement: resource-based policies must name who the statement applies to.".into(),
                },
                &st.at,
                st.node.span,
            );
        }
        return;
    };
    let at = st.at.value(m.key.as_str());
    let key_loc = st.at.key(m.key.as_str()).loc(m.key_span);
    match ptype {
        PolicyType::Identity => {
            ctx.report(
                IssueCode::UnsupportedPrincipal,
                format!(
                    "Identity policies cannot have `{}`: the policy applies to the identity it is attached to. Remove the element.",
                    m.key
                ),
                vec![key_loc],
            );
            return;
        }
        PolicyType::ServiceControl => {
            ctx.report(
                IssueCode::ScpSyntaxErrorPrincipal,
                format!(
                    "Service control policies cannot have `{}`: they apply to every principal of the accounts they are attached to. Remove the element (use `aws:PrincipalArn` in a condition to exempt principals).",
                    m.key
                ),
                vec![key_loc],
            );
            return;
        }
        PolicyType::ResourceControl => {
            let star = m.value.as_str() == Some("*");
            if negated || !star {
                ctx.report(
                    IssueCode::UnsupportedPrincipal,
                    "Resource control policies support only `\"Principal\": \"*\"`: use conditions such as `aws:PrincipalOrgID` or `aws:PrincipalAccount` to narrow who the statement applies to.".into(),
                    vec![at.loc(m.value.span)],
                );
            }
            return;
        }
        PolicyType::Resource => {}
    }
    if negated {
        if ctx.is_trust() {
            ctx.report(
                IssueCode::RoleTrustPolicySyntaxErrorNotprincipal,
                "Role trust policies cannot have `NotPrincipal`: name the principals that can assume the role in `Principal`.".into(),
                vec![key_loc.clone()],
            );
        } else if st.is_allow() {
            ctx.report(
                IssueCode::AllowWithNotPrincipal,
                "`Allow` with `NotPrincipal` grants access to every principal not listed, including anonymous users: list the principals in `Principal` instead.".into(),
                vec![key_loc.clone()],
            );
        }
    }
    match &m.value.value {
        Value::String(s) if s == "*" => {
            if ctx.is_trust() && !negated {
                ctx.report(
                    IssueCode::RoleTrustPolicyUnsupportedWildcardInPrincipal,
                    "Role trust policies cannot trust `\"*\"`: name the accounts, roles, users, services or identity providers that can assume the role.".into(),
                    vec![at.loc(m.value.span)],
                );
            }
        }
        Value::Object(entries) => {
            if entries.is_empty() {
                ctx.at(
                    IssueCode::EmptyObjectPrincipal,
                    format!(
                        "The `{}` object is empty, so the statement applies to no principal: add principals or remove the statement.",
                        m.key
                    ),
                    &at,
                    m.value.span,
                );
            }
            for e in entries {
                let eat = at.value(e.key.as_str());
                if !PRINCIPAL_KEYS.contains(&e.key.as_str()) {
                    ctx.at(
                        IssueCode::InvalidPrincipalKey,
                        format!(
                            "The principal type {} is not valid{}: use `AWS`, `Service`, `Federated` or `CanonicalUser`.",
                            quote(&e.key),
                            case_hint(&e.key, PRINCIPAL_KEYS)
                        ),
                        &at.key(&e.key),
                        e.key_span,
                    );
                    continue;
                }
                match &e.value.value {
                    Value::Array(items) if items.is_empty() => ctx.at(
                        IssueCode::EmptyArrayPrincipal,
                        format!(
                            "The `{}` list is empty: add principals or remove it.",
                            e.key
                        ),
                        &eat,
                        e.value.span,
                    ),
                    Value::Array(items) => {
                        for (i, n) in items.iter().enumerate() {
                            if !matches!(n.value, Value::String(_)) {
                                type_mismatch(
                                    ctx,
                                    "a principal",
                                    "a string",
                                    &n.value,
                                    &eat.index(i),
                                    n.span,
                                );
                            }
                        }
                    }
                    Value::String(_) => {}
                    other => type_mismatch(
                        ctx,
                        &format!("the principal type `{}`", e.key),
                        "a string or an array of strings",
                        other,
                        &eat,
                        e.value.span,
                    ),
                }
                for item in super::walk::string_items(&e.value) {
                    principal_value(ctx, st, &e.key, &item, &eat, negated);
                }
            }
        }
        Value::String(s) => ctx.at(
            IssueCode::InvalidPrincipalFormat,
            format!(
                "The principal {} is not valid: write `\"*\"` or an object such as `{{\"AWS\": {}}}`.",
                quote(s),
                quote(s)
            ),
            &at,
            m.value.span,
        ),
        other => ctx.at(
            IssueCode::InvalidPrincipalFormat,
            format!(
                "`{}` must be `\"*\"` or an object such as `{{\"AWS\": \"123456789012\"}}`, not {}.",
                m.key,
                other.type_name()
            ),
            &at,
            m.value.span,
        ),
    }
}

fn principal_value(
    ctx: &mut Ctx<'_>,
    _st: &Stmt<'_>,
    kind: &str,
    item: &Item<'_>,
    at: &super::walk::At<'_>,
    negated: bool,
) {
    let text = item.text;
    let loc = || at.item(item.index).loc(item.node.span);
    if text.contains("${") {
        ctx.report(
            IssueCode::VariableUnsupportedInElement,
            format!(
                "Policy variables are not allowed in principals: {} is read as literal text.",
                quote(text)
            ),
            vec![loc()],
        );
        return;
    }
    if text == "*" {
        if kind == "AWS" && ctx.is_trust() && !negated {
            ctx.report(
                IssueCode::RoleTrustPolicyUnsupportedWildcardInPrincipal,
                "Role trust policies cannot trust `\"AWS\": \"*\"`: name the accounts, roles or users that can assume the role.".into(),
                vec![loc()],
            );
        }
        if kind == "AWS" {
            return;
        }
    }
    if text.contains(['*', '?']) {
        ctx.report(
            IssueCode::UnsupportedWildcardInPrincipal,
            format!(
                "The principal {} has a wildcard, which principals do not support (only `\"*\"` alone means everyone): name the principal, or use `\"*\"` with a condition on `aws:PrincipalArn`.",
                quote(text)
            ),
            vec![loc()],
        );
        return;
    }
    match kind {
        "AWS" => {
            if text.starts_with("AROA") {
                ctx.report(
                    IssueCode::InvalidRoleReference,
                    format!(
                        "The principal {} is a role's unique id, which IAM writes when the role was deleted: recreate the reference with the role's ARN.",
                        quote(text)
                    ),
                    vec![loc()],
                );
            } else if text.starts_with("AIDA") {
                ctx.report(
                    IssueCode::InvalidUserReference,
                    format!(
                        "The principal {} is a user's unique id, which IAM writes when the user was deleted: recreate the reference with the user's ARN.",
                        quote(text)
                    ),
                    vec![loc()],
                );
            }
        }
        "Service" if !is_service_principal(text, false) => {
            ctx.report(
                IssueCode::InvalidServicePrincipalFormat,
                format!(
                    "The service principal {} is not valid: service principals have the form `service.amazonaws.com`, such as `lambda.amazonaws.com`.",
                    quote(text)
                ),
                vec![loc()],
            );
        }
        "Federated" => {
            if let Some(rt) = ctx.opts.resource_type() {
                if !ctx.is_trust() {
                    ctx.report(
                        IssueCode::FederatedPrincipalNotSupported,
                        format!(
                            "`Federated` principals are supported only in role trust policies, not in a `{rt}` policy."
                        ),
                        vec![loc()],
                    );
                    return;
                }
            }
            if ctx.is_trust() && federated_kind(text) == Federated::Invalid {
                ctx.report(
                    IssueCode::InvalidFederatedPrincipalSyntaxInRoleTrustPolicy,
                    format!(
                        "The federated principal {} is neither an identity provider ARN (`arn:aws:iam::123456789012:saml-provider/Name` or `…:oidc-provider/host`) nor a web identity provider's domain (`accounts.google.com`).",
                        quote(text)
                    ),
                    vec![loc()],
                );
            }
        }
        _ => {}
    }
}

/// Trust policy checks across the statement's elements.
pub(crate) fn trust(ctx: &mut Ctx<'_>, st: &Stmt<'_>) {
    if !ctx.is_trust() {
        return;
    }
    let entries = st.principal_entries();
    let Some(actions) = &st.action else {
        return;
    };
    let negated_action = actions.negated;
    let action_patterns: Vec<(Pattern, &Item<'_>)> = actions
        .items
        .iter()
        .map(|i| (Pattern::new(i.text, Case::Insensitive), i))
        .collect();
    let allows = |action: &str| -> bool {
        let hit = action_patterns.iter().any(|(p, _)| p.matches(action));
        hit != negated_action
    };
    // What kinds of principals the statement names.
    let mut aws = false;
    let mut service = false;
    let mut saml = false;
    let mut oidc: Vec<(&str, bool)> = Vec::new();
    let mut roles_anywhere = None;
    let mut roles: Vec<(String, String)> = Vec::new();
    let mut sessions: Vec<(String, String, super::Location)> = Vec::new();
    for (e, items, at) in &entries {
        for item in items {
            match e.key.as_str() {
                "AWS" => {
                    aws = true;
                    // Role and session ARNs, for REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY.
                    let f: Vec<&str> = item.text.splitn(6, ':').collect();
                    if let [_, _, svc, _, account, res] = f.as_slice() {
                        if *svc == "iam" {
                            if let Some(path) = res.strip_prefix("role/") {
                                let name = path.rsplit('/').next().unwrap_or(path);
                                roles.push((account.to_string(), name.to_string()));
                            }
                        } else if *svc == "sts" {
                            if let Some(rest) = res.strip_prefix("assumed-role/") {
                                let name = rest.split('/').next().unwrap_or("");
                                sessions.push((
                                    account.to_string(),
                                    name.to_string(),
                                    at.item(item.index).loc(item.node.span),
                                ));
                            }
                        }
                    }
                }
                "Service" => {
                    service = true;
                    if item.text == "rolesanywhere.amazonaws.com" {
                        roles_anywhere = Some(at.item(item.index).loc(item.node.span));
                    }
                }
                "Federated" => match federated_kind(item.text) {
                    Federated::Saml => saml = true,
                    Federated::Oidc(host) => oidc.push((host, true)),
                    Federated::Invalid => {}
                },
                _ => {}
            }
        }
    }
    // Which principal kinds can call each concrete action.
    if !negated_action {
        for (_, item) in &action_patterns {
            if item.text.contains(['*', '?']) {
                continue;
            }
            let lower = item.text.to_ascii_lowercase();
            let fits = match lower.as_str() {
                "sts:assumerole" => aws || service,
                "sts:assumerolewithsaml" => saml,
                "sts:assumerolewithwebidentity" => !oidc.is_empty(),
                _ => true,
            };
            if !fits && !entries.is_empty() {
                let wanted = match lower.as_str() {
                    "sts:assumerole" => "an `AWS` or `Service` principal",
                    "sts:assumerolewithsaml" => {
                        "a SAML provider (`Federated`: `arn:aws:iam::…:saml-provider/…`)"
                    }
                    _ => "an OIDC or web identity provider (`Federated`)",
                };
                ctx.report(
                    IssueCode::MismatchedActionForPrincipal,
                    format!(
                        "The action {} needs {wanted}, which the statement does not name: use the action that matches the principal ({}).",
                        quote(item.text),
                        match (aws || service, saml, !oidc.is_empty()) {
                            (true, _, _) => "`sts:AssumeRole`",
                            (_, true, _) => "`sts:AssumeRoleWithSAML`",
                            _ => "`sts:AssumeRoleWithWebIdentity`",
                        }
                    ),
                    vec![actions.item_at(item)],
                );
            }
        }
    }
    if let Some(loc) = roles_anywhere {
        let missing: Vec<&str> = ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]
            .into_iter()
            .filter(|a| !allows(a))
            .collect();
        if !missing.is_empty() {
            ctx.report(
                IssueCode::MissingActionForRolesAnywhereTrustPolicy,
                format!(
                    "IAM Roles Anywhere needs `sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession` in the trust policy; add {}.",
                    missing
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                vec![loc],
            );
        }
    }
    // Keys that only a session action sets.
    for c in &st.conditions {
        let lower = c.key.to_ascii_lowercase();
        let needs = if lower.starts_with("aws:requesttag/")
            || lower == "aws:tagkeys"
            || lower == "sts:transitivetagkeys"
        {
            Some("sts:TagSession")
        } else if lower == "sts:sourceidentity" {
            Some("sts:SetSourceIdentity")
        } else {
            None
        };
        if let Some(action) = needs {
            if !allows(action) {
                ctx.report(
                    IssueCode::MissingActionForConditionKey,
                    format!(
                        "The condition key {} is set only by `{action}`, which the statement does not allow: add `{action}` to `Action` (or the condition is never true).",
                        quote(c.key)
                    ),
                    vec![c.key_loc()],
                );
            }
        }
    }
    // OIDC providers need conditions on their own keys.
    if st.is_allow() {
        for (host, _) in &oidc {
            let host_l = host.to_ascii_lowercase();
            let loc = entries
                .iter()
                .filter(|(e, _, _)| e.key == "Federated")
                .flat_map(|(_, items, at)| {
                    items
                        .iter()
                        .filter(|i| federated_kind(i.text) == Federated::Oidc(host))
                        .map(move |i| at.item(i.index).loc(i.node.span))
                })
                .next();
            let Some(loc) = loc else { continue };
            let keys_of = |suffix: &str| {
                st.conditions.iter().any(|c| {
                    let k = c.key.to_ascii_lowercase();
                    k.strip_prefix(host_l.as_str())
                        .and_then(|r| r.strip_prefix(':'))
                        .is_some_and(|name| suffix.is_empty() || name == suffix)
                })
            };
            if host_l == GITHUB {
                if !keys_of("sub") {
                    ctx.report(
                        IssueCode::MissingGithubRepoConditionKey,
                        "Any GitHub repository can assume this role: add a condition on `token.actions.githubusercontent.com:sub` that names your repository (`repo:org/repo:*`).".into(),
                        vec![loc],
                    );
                }
            } else if !WEB_IDENTITY_DOMAINS.contains(&host_l.as_str()) && !keys_of("") {
                ctx.report(
                    IssueCode::MissingConditionKeyForOidcPrincipal,
                    format!(
                        "Any identity of the provider {} can assume this role: add a condition on its keys (`{host}:aud`, `{host}:sub`).",
                        quote(host)
                    ),
                    vec![loc],
                );
            } else if WEB_IDENTITY_DOMAINS.contains(&host_l.as_str()) && !keys_of("") {
                ctx.report(
                    IssueCode::MissingConditionKeyForOidcPrincipal,
                    format!(
                        "Any user of {} can assume this role: add a condition on `{host}:aud` naming your application.",
                        quote(host)
                    ),
                    vec![loc],
                );
            }
        }
    }
    // A role and a session of that same role.
    for (account, name, loc) in &sessions {
        if roles.iter().any(|(a, n)| a == account && n == name) {
            ctx.report(
                IssueCode::RedundantPrincipalInRoleTrustPolicy,
                format!(
                    "The session principal is redundant: the statement already trusts the role `{name}` of account `{account}`, which covers its sessions. Remove it."
                ),
                vec![loc.clone()],
            );
        }
    }
    let _ = TRUST_ACTIONS;
}
