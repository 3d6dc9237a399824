//! `Condition`: operators, keys, value types and values.
//!
//! Operators and their value formats: IAM User Guide, "IAM JSON policy elements: Condition
//! operators"; keys: "AWS global condition context keys" and the Service Authorization
//! Reference (through [`catalog`](crate::catalog)); set operators: "Single-valued vs.
//! multivalued context keys".

use super::codes::IssueCode;
use super::regions::{is_region, suggest_region};
use super::walk::{CondEntry, Ctx, Stmt};
use super::PolicyResourceType;
use super::PolicyType;
use crate::catalog::{ConditionKey, ConditionKeyType};
use crate::error::quote;
use crate::json::Value;
use crate::policy::{BaseOperator, Operator, OperatorFamily, SetQualifier};
use crate::scalar::{decode_base64, Decimal, IpNet, Timestamp};
use std::net::IpAddr;

/// What a condition key is.
pub(crate) enum KeyKind<'c> {
    /// In the catalog.
    Known(ConditionKey<'c>),
    /// A key of an OIDC or SAML provider the catalog does not list (`oidc.eks…/id/X:sub`).
    Federation,
    /// Not a key (a finding has been made).
    Unknown,
}

/// Whether a condition with this operator is false when the key is absent from the request (so
/// that a key the action never receives makes the condition never true).
pub(crate) fn false_when_absent(op: &Operator) -> bool {
    if op.if_exists || op.base == BaseOperator::Null {
        return false;
    }
    match op.qualifier {
        Some(SetQualifier::ForAllValues) => false,
        Some(SetQualifier::ForAnyValue) => true,
        None => !op.base.is_negated(),
    }
}

/// Whether the key is one of the tag keys that only some actions receive.
pub(crate) fn is_tag_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.starts_with("aws:requesttag/")
        || lower.starts_with("aws:resourcetag/")
        || lower == "aws:tagkeys"
}

/// Keys whose values are service principals; `true` when the value names a Region too
/// (`kms:ViaService` is `service.REGION.amazonaws.com`).
fn service_principal_key(key: &str) -> Option<bool> {
    let lower = key.to_ascii_lowercase();
    match lower.as_str() {
        "kms:viaservice" => Some(true),
        "aws:principalservicename"
        | "aws:principalservicenameslist"
        | "iam:passedtoservice"
        | "iam:awsservicename"
        | "aws:calledvia"
        | "aws:calledviafirst"
        | "aws:calledvialast" => Some(false),
        _ => None,
    }
}

/// Whether `value` has the form of a service principal: DNS labels of lowercase letters, digits
/// and `-`, ending in one of AWS's service principal domains. With `regional`, a Region label
/// must come before the domain.
pub(crate) fn is_service_principal(value: &str, regional: bool) -> bool {
    const DOMAINS: &[&str] = &[
        ".amazonaws.com",
        ".amazonaws.com.cn",
        ".c2s.ic.gov",
        ".sc2s.sgov.gov",
        ".amazonaws.eu",
    ];
    let Some(head) = DOMAINS.iter().find_map(|d| value.strip_suffix(d)) else {
        return false;
    };
    let labels: Vec<&str> = head.split('.').collect();
    let ok = !head.is_empty()
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if !ok {
        return false;
    }
    !regional || (labels.len() >= 2 && labels.last().is_some_and(|r| is_region(r)))
}

pub(crate) fn resolve<'c>(ctx: &mut Ctx<'_>, e: &CondEntry<'_>) -> KeyKind<'c>
where
    'static: 'c,
{
    let key = e.key;
    let catalog: &'static crate::catalog::Catalog = ctx.catalog;
    let Some((prefix, name)) = key
        .split_once(':')
        .filter(|(p, n)| !p.is_empty() && !n.is_empty())
    else {
        ctx.report(
            IssueCode::InvalidConditionKeyFormat,
            format!(
                "The condition key {} is not valid: keys are written `prefix:name`, such as `aws:SourceIp`.",
                quote(key)
            ),
            vec![e.key_loc()],
        );
        return KeyKind::Unknown;
    };
    let lower_name = name.to_ascii_lowercase();
    if lower_name.ends_with("tag/") {
        ctx.report(
            IssueCode::MissingTagKeyInCondition,
            format!(
                "The condition key {} has no tag key: add the tag's name after `/`, as in `{key}team`.",
                quote(key)
            ),
            vec![e.key_loc()],
        );
        return KeyKind::Unknown;
    }
    if let Some(k) = catalog.condition_key(key) {
        return KeyKind::Known(k);
    }
    if prefix.eq_ignore_ascii_case("aws") {
        if name.eq_ignore_ascii_case("ARN") {
            // `aws:ARN`: the key of the principal's ARN before `aws:PrincipalArn` existed.
            if matches!(ctx.policy_type(), PolicyType::Resource) {
                ctx.report(
                    IssueCode::DeprecatedGlobalConditionKey,
                    "The condition key `aws:ARN` is deprecated: use `aws:PrincipalArn`.".into(),
                    vec![e.key_loc()],
                );
            } else {
                ctx.report(
                    IssueCode::UnsupportedGlobalConditionKey,
                    "The condition key `aws:ARN` is not supported: use `aws:PrincipalArn` for the caller or `aws:SourceArn` for the calling resource.".into(),
                    vec![e.key_loc()],
                );
            }
            return KeyKind::Unknown;
        }
        let hint = catalog
            .suggest_condition_key(key)
            .map(|s| format!(" Did you mean `{s}`?"))
            .unwrap_or_default();
        ctx.report(
            IssueCode::InvalidGlobalConditionKey,
            format!(
                "The global condition key {} does not exist.{hint}",
                quote(key)
            ),
            vec![e.key_loc()],
        );
        return KeyKind::Unknown;
    }
    if prefix.contains(['.', '/']) {
        return KeyKind::Federation;
    }
    if catalog.service(prefix).is_some() {
        let hint = catalog
            .suggest_condition_key(key)
            .map(|s| format!(" Did you mean `{s}`?"))
            .unwrap_or_default();
        ctx.report(
            IssueCode::InvalidServiceConditionKey,
            format!(
                "The service `{}` has no condition key {}.{hint}",
                prefix.to_ascii_lowercase(),
                quote(key)
            ),
            vec![e.key_loc()],
        );
    } else {
        let hint = catalog
            .suggest_service(prefix)
            .map(|s| format!(" Did you mean `{s}:{name}`?"))
            .unwrap_or_default();
        ctx.report(
            IssueCode::InvalidService,
            format!(
                "The service {} of the condition key {} does not exist.{hint}",
                quote(prefix),
                quote(key)
            ),
            vec![e.key_loc()],
        );
    }
    KeyKind::Unknown
}

/// Which operator families fit a key type.
fn family_fits(ty: ConditionKeyType, family: OperatorFamily, key: &str) -> bool {
    use ConditionKeyType as T;
    use OperatorFamily as F;
    if family == F::Null {
        return true;
    }
    match ty.element_type() {
        // ARN operators compare strings too; keys typed String often hold ARNs
        // (`kms:EncryptionContext:aws:s3:arn`), and AWS's own policies use `ArnLike` on them.
        T::String | T::Arn => matches!(family, F::Arn | F::String),
        T::Numeric => family == F::Numeric,
        T::Date => {
            family == F::Date || (family == F::Numeric && key.eq_ignore_ascii_case("aws:EpochTime"))
        }
        T::Bool => family == F::Bool,
        T::IpAddress => family == F::Ip,
        T::Binary => family == F::Binary,
        _ => true,
    }
}

fn suggested_family(ty: ConditionKeyType) -> &'static str {
    use ConditionKeyType as T;
    match ty.element_type() {
        T::String => "a String operator (`StringEquals`, `StringLike`, …)",
        T::Arn => "an ARN operator (`ArnEquals`, `ArnLike`, …) or a String operator",
        T::Numeric => "a Numeric operator (`NumericEquals`, `NumericLessThan`, …)",
        T::Date => "a Date operator (`DateGreaterThan`, `DateLessThan`, …)",
        T::Bool => "`Bool`",
        T::IpAddress => "`IpAddress` or `NotIpAddress`",
        T::Binary => "`BinaryEquals`",
        _ => "an operator of the key's type",
    }
}

/// Whether the network lies in the private IPv4 ranges (RFC 1918) or the IPv6 unique local
/// addresses (RFC 4193): requests from the internet never come from them, so `aws:SourceIp`
/// never holds them (IAM User Guide, `aws:SourceIp`: requests through a VPC endpoint carry
/// `aws:VpcSourceIp` instead).
fn is_private(net: &IpNet) -> bool {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
        .iter()
        .filter_map(|r| IpNet::parse(r))
        .any(|p| p.contains_net(net))
}

/// Whether the text has a `*` or `?` outside policy variables (`${*}` is a literal `*`).
fn has_wildcard(text: &str) -> bool {
    if !text.contains("${") {
        return text.contains(['*', '?']);
    }
    crate::policy::Template::parse(text)
        .parts()
        .iter()
        .any(|p| matches!(p, crate::policy::TemplatePart::Text(t) if t.contains(['*', '?'])))
}

pub(crate) fn check(ctx: &mut Ctx<'_>, st: &Stmt<'_>) {
    for e in &st.conditions {
        check_entry(ctx, st, e);
    }
}

fn check_entry(ctx: &mut Ctx<'_>, _st: &Stmt<'_>, e: &CondEntry<'_>) {
    let kind = resolve(ctx, e);
    // Values: variables first (every operator), then JSON types.
    let mut json_types: Vec<&'static str> = Vec::new();
    for &(i, n) in &e.values {
        let t = match n.value {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "boolean",
            _ => continue,
        };
        if !json_types.contains(&t) {
            json_types.push(t);
        }
        if let Value::String(s) = &n.value {
            let family = e.op.map(|o| o.base.family());
            super::variable::variables(ctx, s, || e.value_loc(i, n), true, family);
        }
    }
    if json_types.len() > 1 {
        ctx.report(
            IssueCode::InvalidConditionDataType,
            format!(
                "The values of {} mix JSON types ({}): write them all as strings.",
                quote(e.key),
                json_types.join(" and ")
            ),
            vec![e.at.loc(e.key_member.value.span)],
        );
    }
    let Some(op) = e.op else {
        return;
    };
    let empty = matches!(&e.key_member.value.value, Value::Array(a) if a.is_empty());
    if empty {
        let (code, why) = match (op.qualifier, op.if_exists) {
            (Some(SetQualifier::ForAllValues), _) => (
                IssueCode::EmptyArrayConditionForallvalues,
                "with `ForAllValues:` it is true only when the key is absent; use `Null` to test for that",
            ),
            (Some(SetQualifier::ForAnyValue), _) => (
                IssueCode::EmptyArrayConditionForanyvalue,
                "with `ForAnyValue:` it is never true",
            ),
            (None, true) => (
                IssueCode::EmptyArrayConditionIfexists,
                "with `IfExists` it is true only when the key is absent; use `Null` to test for that",
            ),
            (None, false) => (IssueCode::EmptyArrayCondition, "it has no effect"),
        };
        ctx.report(
            code,
            format!(
                "The condition key {} has an empty list of values: {why}. Add values or remove the key.",
                quote(e.key)
            ),
            vec![e.at.loc(e.key_member.value.span)],
        );
    }
    if op.base == BaseOperator::Null && op.qualifier.is_some() {
        let why = match op.qualifier {
            Some(SetQualifier::ForAllValues) => "always true",
            _ => "never true",
        };
        ctx.report(
            IssueCode::NullWithQualifier,
            format!(
                "`{}` is {why}: use `Null` without `ForAllValues:` or `ForAnyValue:`.",
                e.op_name
            ),
            vec![e.op_key_loc()],
        );
    }
    if op.base == BaseOperator::Bool && op.qualifier.is_none() && e.values.len() > 1 {
        ctx.report(
            IssueCode::InvalidConditionMultipleBoolean,
            format!(
                "`Bool` takes one value for {}: keep `true` or `false`.",
                quote(e.key)
            ),
            vec![e.at.loc(e.key_member.value.span)],
        );
    }
    let key_type = match &kind {
        KeyKind::Known(k) => Some(k.value_type()),
        _ => None,
    };
    if let Some(ty) = key_type {
        if op.base != BaseOperator::Null {
            if ty.is_multivalued() && op.qualifier.is_none() {
                ctx.report(
                    IssueCode::MissingQualifier,
                    format!(
                        "The condition key {} can have several values in a request: use `ForAnyValue:{}` or `ForAllValues:{}`.",
                        quote(e.key),
                        e.op_name,
                        e.op_name
                    ),
                    vec![e.key_loc()],
                );
            }
            if !ty.is_multivalued() && op.qualifier == Some(SetQualifier::ForAllValues) {
                ctx.report(
                    IssueCode::ForallvaluesWithSingleValuedKey,
                    format!(
                        "`ForAllValues:` with the single-valued key {} is true when the key is absent from the request: use `{}` without the qualifier{}.",
                        quote(e.key),
                        strip_qualifier(e.op_name),
                        if op.if_exists { "" } else { ", and `Null` if the key must be present" }
                    ),
                    vec![e.key_loc()],
                );
            }
        }
        if !family_fits(ty, op.base.family(), e.key) {
            ctx.report(
                IssueCode::TypeMismatch,
                format!(
                    "The operator {} does not fit the key {}, whose values are of type `{}`: use {}.",
                    quote(e.op_name),
                    quote(e.key),
                    ty.element_type(),
                    suggested_family(ty)
                ),
                vec![e.key_loc()],
            );
        }
    }
    value_checks(ctx, e, op);
    key_specific(ctx, e, op);
}

fn strip_qualifier(op: &str) -> &str {
    op.split_once(':').map_or(op, |(_, r)| r)
}

fn value_checks(ctx: &mut Ctx<'_>, e: &CondEntry<'_>, op: Operator) {
    let family = op.base.family();
    let mut numbers: Vec<(Option<usize>, &crate::json::Node, Decimal)> = Vec::new();
    for (i, n, text) in e.texts() {
        if text.contains("${") && family != OperatorFamily::Null {
            // Reported by the variable checks; the value cannot be typed.
            continue;
        }
        let loc = || e.value_loc(i, n);
        match family {
            OperatorFamily::String => {
                if !op.base.uses_wildcards() && has_wildcard(text) {
                    let like = match op.base {
                        BaseOperator::StringNotEquals | BaseOperator::StringNotEqualsIgnoreCase => {
                            "StringNotLike"
                        }
                        _ => "StringLike",
                    };
                    ctx.report(
                        IssueCode::WildcardWithoutLikeOperator,
                        format!(
                            "`{}` compares {} literally, so its `*` or `?` are not wildcards: use `{like}` to match a pattern.",
                            op.base,
                            quote(text)
                        ),
                        vec![loc()],
                    );
                }
            }
            OperatorFamily::Bool => {
                if crate::scalar::parse_bool(text).is_none() {
                    ctx.report(
                        IssueCode::TypeMismatchBoolean,
                        format!("`Bool` takes `true` or `false`, not {}.", quote(text)),
                        vec![loc()],
                    );
                }
            }
            OperatorFamily::Date => match Timestamp::parse(text) {
                None => ctx.report(
                    IssueCode::TypeMismatchDate,
                    format!(
                        "{} is not a date: use ISO 8601, such as `2026-01-31` or `2026-01-31T12:00:00Z`.",
                        quote(text)
                    ),
                    vec![loc()],
                ),
                Some(_) => {
                    let epoch = matches!(n.value, Value::Number(_))
                        || text.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
                            && !(text.len() >= 7 && text.as_bytes().get(4) == Some(&b'-'));
                    if epoch && !e.key.eq_ignore_ascii_case("aws:EpochTime") {
                        ctx.report(
                            IssueCode::InvalidDateValue,
                            format!(
                                "The date {} is written as epoch seconds: prefer ISO 8601 (`YYYY-MM-DDThh:mm:ssZ`), which reads unambiguously.",
                                quote(text)
                            ),
                            vec![loc()],
                        );
                    }
                }
            },
            OperatorFamily::Numeric => match Decimal::parse(text) {
                None => ctx.report(
                    IssueCode::TypeMismatchNumber,
                    format!("{} is not a number.", quote(text)),
                    vec![loc()],
                ),
                Some(d) => numbers.push((i, n, d)),
            },
            OperatorFamily::Ip => ip_value(ctx, e, op, text, loc()),
            OperatorFamily::Binary => {
                if decode_base64(text).is_none() {
                    ctx.report(
                        IssueCode::TypeMismatchString,
                        format!(
                            "`BinaryEquals` takes base64 text; {} is not base64.",
                            quote(text)
                        ),
                        vec![loc()],
                    );
                }
            }
            OperatorFamily::Arn | OperatorFamily::Null => {}
        }
    }
    // Several bounds for one numeric comparison: only the widest matters (values are ORed).
    let keep_max = matches!(
        op.base,
        BaseOperator::NumericLessThan | BaseOperator::NumericLessThanEquals
    );
    let keep_min = matches!(
        op.base,
        BaseOperator::NumericGreaterThan | BaseOperator::NumericGreaterThanEquals
    );
    if (keep_max || keep_min) && op.qualifier.is_none() && numbers.len() > 1 {
        let best = numbers
            .iter()
            .map(|(_, _, d)| d)
            .reduce(|a, b| if (b > a) == keep_max { b } else { a })
            .cloned();
        if let Some(best) = best {
            let mut kept = false;
            for (i, n, d) in &numbers {
                if *d == best && !kept {
                    kept = true;
                    continue;
                }
                ctx.report(
                    IssueCode::RedundantConditionValueNum,
                    format!(
                        "The value {} is redundant: with `{}`, the {} value alone decides. Remove it.",
                        quote(n.to_serde().to_string().trim_matches('"')),
                        op.base,
                        if keep_max { "largest" } else { "smallest" }
                    ),
                    vec![e.value_loc(*i, n)],
                );
            }
        }
    }
}

fn ip_value(ctx: &mut Ctx<'_>, _e: &CondEntry<'_>, op: Operator, text: &str, loc: super::Location) {
    let Some(net) = IpNet::parse(text) else {
        ctx.report(
            IssueCode::TypeMismatchIpRange,
            format!(
                "`{}` takes IP addresses or CIDR ranges such as `203.0.113.0/24`; {} is neither.",
                op.base,
                quote(text)
            ),
            vec![loc],
        );
        return;
    };
    if let Some((addr, _)) = text.split_once('/') {
        if let Ok(ip) = addr.parse::<IpAddr>() {
            let bits = match ip {
                IpAddr::V4(a) => u128::from(u32::from(a)),
                IpAddr::V6(a) => u128::from(a),
            };
            if bits != net.network_bits() {
                ctx.report(
                    IssueCode::ImproveIpRange,
                    format!(
                        "The range {} has bits set after its prefix, which are ignored: write `{net}`.",
                        quote(text)
                    ),
                    vec![loc],
                );
            }
        }
    }
}

/// Checks tied to particular keys.
fn key_specific(ctx: &mut Ctx<'_>, e: &CondEntry<'_>, op: Operator) {
    let lower = e.key.to_ascii_lowercase();
    let family = op.base.family();
    let literal = family == OperatorFamily::String;
    // aws:SourceIp with private ranges.
    if lower == "aws:sourceip" && family == OperatorFamily::Ip {
        let nets: Vec<IpNet> = e.texts().filter_map(|(_, _, t)| IpNet::parse(t)).collect();
        let private = nets.iter().filter(|n| is_private(n)).count();
        if private > 0 {
            let negated = op.base == BaseOperator::NotIpAddress;
            let (code, details) = match (private == nets.len(), negated) {
                (true, false) => (
                    IssueCode::PrivateIpAddress,
                    "`aws:SourceIp` never holds a private address (requests through a VPC endpoint carry `aws:VpcSourceIp`), so this condition is never true: use `aws:VpcSourceIp` for private ranges.",
                ),
                (true, true) => (
                    IssueCode::PrivateNotIpAddress,
                    "`aws:SourceIp` never holds a private address, so `NotIpAddress` with only private ranges is always true: use `aws:VpcSourceIp` for private ranges.",
                ),
                (false, false) => (
                    IssueCode::PrivateIpAddressSubset,
                    "The private ranges listed for `aws:SourceIp` never match (it holds public addresses only): move them to a condition on `aws:VpcSourceIp`.",
                ),
                (false, true) => (
                    IssueCode::PrivateNotIpAddressSubset,
                    "The private ranges listed for `aws:SourceIp` under `NotIpAddress` have no effect: move them to a condition on `aws:VpcSourceIp`.",
                ),
            };
            ctx.report(code, details.into(), vec![e.key_loc()]);
        }
    }
    for (i, n, text) in e.texts() {
        if text.contains("${") || has_wildcard(text) {
            continue;
        }
        let loc = || e.value_loc(i, n);
        if literal
            && (lower == "aws:requestedregion" || lower.ends_with(":region"))
            && !is_region(text)
        {
            let hint = suggest_region(text)
                .map(|r| format!(" Did you mean `{r}`?"))
                .unwrap_or_default();
            ctx.report(
                IssueCode::InvalidRegion,
                format!("{} is not an AWS Region.{hint}", quote(text)),
                vec![loc()],
            );
        }
        if literal
            && (lower == "aws:sourcevpc" || lower == "aws:ec2instancesourcevpc")
            && !resource_id(text, "vpc-")
        {
            ctx.report(
                IssueCode::InvalidVpcFormat,
                format!(
                    "{} is not a VPC id: VPC ids are `vpc-` and 8 or 17 hexadecimal digits.",
                    quote(text)
                ),
                vec![loc()],
            );
        }
        if literal && lower == "aws:sourcevpce" && !resource_id(text, "vpce-") {
            ctx.report(
                IssueCode::InvalidVpceFormat,
                format!(
                    "{} is not a VPC endpoint id: endpoint ids are `vpce-` and 8 or 17 hexadecimal digits.",
                    quote(text)
                ),
                vec![loc()],
            );
        }
        if literal {
            if let Some(regional) = service_principal_key(&lower) {
                if !is_service_principal(text, regional) {
                    let form = if regional {
                        "`service.REGION.amazonaws.com`, such as `s3.us-east-1.amazonaws.com`"
                    } else {
                        "`service.amazonaws.com`, such as `lambda.amazonaws.com`"
                    };
                    ctx.report(
                        IssueCode::InvalidServicePrincipalFormat,
                        format!(
                            "{} is not a service principal for {}: write {form}.",
                            quote(text),
                            quote(e.key)
                        ),
                        vec![loc()],
                    );
                }
            }
        }
    }
    if lower == "token.actions.githubusercontent.com:sub" && literal {
        for (i, n, text) in e.texts() {
            if text.contains(['*', '?']) {
                ctx.report(
                    IssueCode::SpecificGithubRepoAndBranchRecommended,
                    format!(
                        "The GitHub subject {} has a wildcard: name the repository and the branch or environment (`repo:org/repo:ref:refs/heads/main`).",
                        quote(text)
                    ),
                    vec![e.value_loc(i, n)],
                );
            }
        }
    }
    if op.qualifier.is_some() && lower.ends_with(":aud") {
        if let Some((prefix, _)) = lower.split_once(':') {
            if prefix.contains('.') {
                ctx.report(
                    IssueCode::ConfirmAudienceClaimType,
                    format!(
                        "Confirm that the `aud` claim of this identity provider is multivalued: `{}` only makes sense then; for a single audience use `{}`.",
                        e.op_name,
                        strip_qualifier(e.op_name)
                    ),
                    vec![e.key_loc()],
                );
            }
        }
    }
    if let Some(rt) = ctx.opts.resource_type() {
        if irrelevant_key(rt, &lower) {
            ctx.report(
                IssueCode::IrrelevantConditionKeyInPolicy,
                format!(
                    "The condition key {} has no use in a `{rt}` policy: the resource is always the one the policy is attached to. Remove it.",
                    quote(e.key)
                ),
                vec![e.key_loc()],
            );
        }
    }
}

/// Keys that describe the resource owner, which a resource's own policy fixes.
fn irrelevant_key(rt: PolicyResourceType, lower: &str) -> bool {
    let resource_owner = matches!(
        lower,
        "aws:resourceaccount" | "aws:resourceorgid" | "aws:resourceorgpaths"
    );
    match rt {
        PolicyResourceType::S3Bucket
        | PolicyResourceType::S3AccessPoint
        | PolicyResourceType::S3MultiRegionAccessPoint
        | PolicyResourceType::S3ObjectLambdaAccessPoint => {
            resource_owner || lower == "s3:resourceaccount"
        }
        PolicyResourceType::DynamoDbTable => resource_owner,
        PolicyResourceType::IamAssumeRolePolicyDocument => false,
    }
}

/// `vpc-` (or `vpce-`) followed by 8 or 17 hexadecimal digits.
fn resource_id(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|rest| {
        (rest.len() == 8 || rest.len() == 17) && rest.bytes().all(|b| b.is_ascii_hexdigit())
    })
}
