//! `Resource` / `NotResource`: ARN syntax, partitions, services, Regions, accounts, the resource
//! part against the service's ARN formats, redundancy, and ARNs a resource type's policy cannot
//! name.
//!
//! IAM compares resource ARNs field by field for the first five colon-separated fields and as
//! one string for the rest (IAM User Guide, "IAM JSON policy elements: Resource"); the checks
//! follow the same split. Policy variables are read as `*` when the resource part is compared
//! with ARN formats.

use super::codes::IssueCode;
use super::regions::{is_region, suggest_region, PARTITIONS};
use super::walk::{Ctx, Item, ListEl, Stmt};
use super::PolicyResourceType;
use crate::catalog::{ArnFormat, Catalog, ResourceType};
use crate::error::quote;
use crate::json::Value;
use crate::policy::{Template, TemplatePart};
use std::collections::HashMap;
use std::sync::OnceLock;

/// One ARN format with its resource type and the type word of its resource part (the text
/// before the first `/` or `:`; `None` when it holds a placeholder or a wildcard).
pub(crate) struct IndexedFormat {
    pub(crate) format: ArnFormat<'static>,
    pub(crate) resource_type: ResourceType<'static>,
    word: Option<&'static str>,
}

impl IndexedFormat {
    /// Whether the format can match an ARN whose resource part has the type word `word`
    /// (`None`: the word has a wildcard): a cheap filter before [`ArnFormat::matches`].
    fn may_match(&self, word: Option<&str>) -> bool {
        match (self.word, word) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// ARN formats by the service field they carry (which is not always the IAM service prefix).
type ArnIndex = HashMap<String, Vec<IndexedFormat>>;

fn arn_index() -> &'static ArnIndex {
    static INDEX: OnceLock<ArnIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let catalog: &'static Catalog = Catalog::embedded();
        let mut map: ArnIndex = HashMap::new();
        for service in catalog.services() {
            for rt in service.resource_types() {
                for format in rt.arn_formats() {
                    let Some(field) = format.as_str().split(':').nth(2) else {
                        continue;
                    };
                    if field.contains("${") || field.is_empty() {
                        continue;
                    }
                    let word = format
                        .as_str()
                        .splitn(6, ':')
                        .nth(5)
                        .map(type_word)
                        .filter(|w| !w.contains(['$', '*', '?']));
                    map.entry(field.to_string())
                        .or_default()
                        .push(IndexedFormat {
                            format,
                            resource_type: rt,
                            word,
                        });
                }
            }
        }
        map
    })
}

/// The formats for an ARN service field.
pub(crate) fn formats_for(service: &str) -> &'static [IndexedFormat] {
    arn_index().get(service).map_or(&[], Vec::as_slice)
}

/// The text with each policy variable (and `${*}`-style character) replaced: variables by `*`,
/// special characters by themselves.
pub(crate) fn without_variables(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("${") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    for part in Template::parse(text).parts() {
        match part {
            TemplatePart::Text(t) => out.push_str(t),
            TemplatePart::Char(c) => out.push(*c),
            TemplatePart::Variable { .. } => out.push('*'),
        }
    }
    out.into()
}

pub(crate) fn check(ctx: &mut Ctx<'_>, st: &Stmt<'_>) {
    let Some(list) = &st.resource else {
        return;
    };
    if ctx.is_trust() {
        // Reported as ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE.
        return;
    }
    if matches!(&list.member.value.value, Value::Array(a) if a.is_empty()) {
        ctx.at(
            IssueCode::EmptyArrayResource,
            format!(
                "The `{}` array is empty, so the statement matches no resource: add resources or remove the statement.",
                list.name
            ),
            &list.at,
            list.member.value.span,
        );
    }
    for item in &list.items {
        super::variable::variables(ctx, item.text, || list.item_at(item), true, None);
        check_arn(ctx, list, item);
    }
    redundant(ctx, list);
    if let Some(rt) = ctx.opts.resource_type() {
        if !list.negated {
            unsupported_in_policy(ctx, list, rt);
        }
    }
}

fn check_arn(ctx: &mut Ctx<'_>, list: &ListEl<'_>, item: &Item<'_>) {
    let raw = item.text;
    if raw == "*" {
        return;
    }
    let text = without_variables(raw);
    let text = text.as_ref();
    let loc = || list.item_at(item);
    if !text.starts_with("arn:") {
        ctx.report(
            IssueCode::InvalidArnPrefix,
            format!(
                "The resource {} is not an ARN: resources are `*` or ARNs that start with `arn:`.",
                quote(raw)
            ),
            vec![loc()],
        );
        return;
    }
    let fields: Vec<&str> = text.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = fields.as_slice() else {
        // A wildcard at the end may stand for the missing fields (`arn:aws:s3:*`).
        if fields.last().is_some_and(|f| f.contains('*')) {
            return;
        }
        ctx.report(
            IssueCode::MissingArnField,
            format!(
                "The ARN {} has {} fields; an ARN has six: `arn:partition:service:region:account:resource`.",
                quote(raw),
                fields.len()
            ),
            vec![loc()],
        );
        return;
    };
    let wild = |s: &str| s.contains(['*', '?']);
    if !wild(partition) && !PARTITIONS.contains(partition) {
        ctx.report(
            IssueCode::InvalidPartition,
            format!(
                "The partition {} in {} is not an AWS partition: use `aws`, `aws-cn`, `aws-us-gov` (or an isolated partition).",
                quote(partition),
                quote(raw)
            ),
            vec![loc()],
        );
        return;
    }
    if wild(service) {
        return;
    }
    if service.bytes().any(|b| b.is_ascii_uppercase()) {
        ctx.report(
            IssueCode::InvalidArnServiceCase,
            format!(
                "The service {} in {} must be lowercase: write `{}`.",
                quote(service),
                quote(raw),
                service.to_ascii_lowercase()
            ),
            vec![loc()],
        );
        return;
    }
    let formats = formats_for(service);
    if formats.is_empty() {
        let hint = ctx
            .catalog
            .suggest_service(service)
            .map(|s| format!(" Did you mean `{s}`?"))
            .unwrap_or_default();
        ctx.report(
            IssueCode::InvalidService,
            format!(
                "The service {} in the ARN {} does not exist.{hint}",
                quote(service),
                quote(raw)
            ),
            vec![loc()],
        );
        return;
    }
    if !region.is_empty() && !wild(region) && !is_region(region) {
        let hint = suggest_region(region)
            .map(|r| format!(" Did you mean `{r}`?"))
            .unwrap_or_default();
        ctx.report(
            IssueCode::InvalidArnRegion,
            format!(
                "The Region {} in {} is not an AWS Region.{hint}",
                quote(region),
                quote(raw)
            ),
            vec![loc()],
        );
        return;
    }
    if !account.is_empty()
        && !wild(account)
        && *account != "aws"
        && !crate::arn::is_account_id(account)
    {
        ctx.report(
            IssueCode::InvalidArnAccount,
            format!(
                "The account {} in {} is not valid: use a 12-digit account id (or `*`).",
                quote(account),
                quote(raw)
            ),
            vec![loc()],
        );
        return;
    }
    let word = Some(type_word(resource)).filter(|w| !w.contains(['*', '?']));
    let matches = |arn: &str| {
        formats
            .iter()
            .any(|f| f.may_match(word) && f.format.matches(arn))
    };
    if matches(text) {
        return;
    }
    let with = |region: &str, account: &str| {
        format!("arn:{partition}:{service}:{region}:{account}:{resource}")
    };
    // An empty account names a resource that AWS owns (public SSM documents and parameters):
    // valid wherever an account is.
    let any_account = if account.is_empty() {
        "123456789012"
    } else {
        account
    };
    if account.is_empty() && matches(&with(region, any_account)) {
        return;
    }
    let (code, details) = if !account.is_empty() && matches(&with(region, "")) {
        (
            IssueCode::ArnAccountNotAllowed,
            format!(
                "The service `{service}` does not take an account id in the ARN {}: remove {}.",
                quote(raw),
                quote(account)
            ),
        )
    } else if !region.is_empty() && matches(&with("", account)) {
        (
            IssueCode::ArnRegionNotAllowed,
            format!(
                "The service `{service}` does not take a Region in the ARN {}: remove {}.",
                quote(raw),
                quote(region)
            ),
        )
    } else if region.is_empty() && matches(&with("us-east-1", any_account)) {
        (
            IssueCode::MissingArnRegion,
            format!(
                "The ARN {} needs a Region for this resource type: add one (or `*`).",
                quote(raw)
            ),
        )
    } else if type_word_known(formats, resource) {
        // The resource type is right; the rest of the name is beyond what the formats' placeholders
        // describe reliably (names with `:`, older forms). Not reported; see the manual.
        return;
    } else {
        let examples: Vec<String> = formats
            .iter()
            .map(|f| f.format.as_str().to_string())
            .filter(|f| {
                // Formats sharing the first word of the resource part are the likely intent.
                let head = |s: &str| {
                    s.splitn(6, ':')
                        .nth(5)
                        .map(|r| r.split(['/', ':']).next().unwrap_or("").to_string())
                        .unwrap_or_default()
                };
                head(f) == head(text)
            })
            .take(3)
            .collect();
        let hint = if examples.is_empty() {
            String::new()
        } else {
            format!(" Expected a form such as `{}`.", examples.join("`, `"))
        };
        (
            IssueCode::InvalidArnResource,
            format!(
                "The resource {} matches no resource type of the service `{service}`.{hint}",
                quote(raw)
            ),
        )
    };
    ctx.report(code, details, vec![loc()]);
}

/// The resource type word of a resource part: the text before the first `/` or `:`.
fn type_word(resource: &str) -> &str {
    resource.split(['/', ':']).next().unwrap_or("")
}

/// Whether the resource part starts with the type word of one of the formats (a wildcard in
/// the word may stand for it).
fn type_word_known(formats: &[IndexedFormat], resource: &str) -> bool {
    let word = type_word(resource);
    let pattern = crate::pattern::Pattern::new(word, crate::pattern::Case::Sensitive);
    formats.iter().any(|f| match f.word {
        None => true,
        Some(fw) => fw == word || pattern.matches(fw),
    })
}

/// Whether every string the pattern `inner` matches, the pattern `outer` matches too (with `*`
/// and `?` as wildcards, case-sensitive). Sound but not complete: a `*` or `?` of `inner` can
/// only be covered by a `*` of `outer` (or `?` by `?`).
pub(crate) fn glob_covers(outer: &str, inner: &str) -> bool {
    let o: Vec<char> = outer.chars().collect();
    let i: Vec<char> = inner.chars().collect();
    if o.len().saturating_mul(i.len()) > 1 << 20 {
        return false;
    }
    // reach[j]: outer[..oi] can cover inner[..j].
    let mut reach = vec![false; i.len() + 1];
    if let Some(r) = reach.first_mut() {
        *r = true;
    }
    for &oc in &o {
        let mut next = vec![false; i.len() + 1];
        if oc == '*' {
            // `*` covers any run of inner, wildcards included.
            let mut on = false;
            for (j, slot) in next.iter_mut().enumerate() {
                on = on || reach.get(j).copied().unwrap_or(false);
                *slot = on;
            }
        } else {
            for j in 0..i.len() {
                if !reach.get(j).copied().unwrap_or(false) {
                    continue;
                }
                let ic = i.get(j).copied().unwrap_or('\0');
                let ok = match oc {
                    '?' => ic != '*',
                    c => c == ic && ic != '*' && ic != '?',
                };
                if ok {
                    if let Some(s) = next.get_mut(j + 1) {
                        *s = true;
                    }
                }
            }
        }
        reach = next;
    }
    reach.last().copied().unwrap_or(false)
}

/// Whether the ARN pattern `outer` covers `inner`, field by field for the first five fields.
pub(crate) fn arn_covers(outer: &str, inner: &str) -> bool {
    if outer == "*" {
        return true;
    }
    if inner == "*" {
        return false;
    }
    let of: Vec<&str> = outer.splitn(6, ':').collect();
    let inf: Vec<&str> = inner.splitn(of.len().max(1), ':').collect();
    if of.len() != inf.len() {
        return false;
    }
    of.iter().zip(&inf).all(|(o, i)| glob_covers(o, i))
}

fn redundant(ctx: &mut Ctx<'_>, list: &ListEl<'_>) {
    if list.items.len() < 2 {
        return;
    }
    for (i, item) in list.items.iter().enumerate() {
        let by = list.items.iter().enumerate().find(|(j, other)| {
            if *j == i {
                return false;
            }
            if other.text == item.text {
                return *j < i;
            }
            if !other.text.contains(['*', '?']) {
                return false;
            }
            // The literal head of the wider pattern must start the narrower one.
            let head_len = other.text.find(['*', '?']).unwrap_or(other.text.len());
            let head = other.text.get(..head_len).unwrap_or("");
            item.text.starts_with(head) && arn_covers(other.text, item.text)
        });
        if let Some((_, by)) = by {
            ctx.report(
                IssueCode::RedundantResource,
                format!(
                    "The resource {} is redundant: {} already covers it. Remove it.",
                    quote(item.text),
                    quote(by.text)
                ),
                vec![list.item_at(item)],
            );
        }
    }
}

/// Whether a resource type of a resource policy can be named by `arn`.
fn fits(rt: PolicyResourceType, service: &str, type_name: &str) -> bool {
    match rt {
        PolicyResourceType::S3Bucket => {
            service == "s3" && (type_name == "bucket" || type_name == "object")
        }
        PolicyResourceType::S3AccessPoint => {
            service == "s3" && type_name.starts_with("accesspoint")
        }
        PolicyResourceType::S3MultiRegionAccessPoint => {
            service == "s3" && type_name.starts_with("multiregionaccesspoint")
        }
        PolicyResourceType::S3ObjectLambdaAccessPoint => service == "s3-object-lambda",
        PolicyResourceType::DynamoDbTable => {
            service == "dynamodb" && matches!(type_name, "table" | "index" | "stream")
        }
        PolicyResourceType::IamAssumeRolePolicyDocument => false,
    }
}

fn unsupported_in_policy(ctx: &mut Ctx<'_>, list: &ListEl<'_>, rt: PolicyResourceType) {
    for item in &list.items {
        if item.text == "*" {
            continue;
        }
        let text = without_variables(item.text);
        let Some(service) = text.split(':').nth(2) else {
            continue;
        };
        if service.contains(['*', '?']) {
            continue;
        }
        let formats = formats_for(service);
        if formats.is_empty() {
            continue;
        }
        let ok = formats.iter().any(|f| {
            let t = f.resource_type;
            fits(rt, t.service().prefix(), t.name()) && f.format.matches(&text)
        });
        if !ok {
            ctx.report(
                IssueCode::UnsupportedResourceArnInPolicy,
                format!(
                    "The resource {} cannot be named in a `{rt}` policy: name the resource the policy is attached to.",
                    quote(item.text)
                ),
                vec![list.item_at(item)],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_of_glob_patterns() {
        assert!(glob_covers("a*", "abc"));
        assert!(glob_covers("a*", "ab*"));
        assert!(glob_covers("*", "a?c*"));
        assert!(!glob_covers("a?", "a*"));
        assert!(glob_covers("a?", "a?"));
        assert!(!glob_covers("abc", "ab?"));
        assert!(glob_covers("a*c", "abbbc"));
        assert!(!glob_covers("a*c", "abbb"));
        assert!(arn_covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y"));
        assert!(!arn_covers("arn:aws:s3:::b/*", "arn:aws:s3:::b"));
        assert!(!arn_covers(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::1:user/x"
        ));
        assert!(arn_covers("*", "arn:aws:iam::1:user/x"));
        // A pattern with fewer fields lets its last one absorb the rest, as IAM matches it.
        assert!(arn_covers("arn:aws:*", "arn:aws:s3:::b"));
        // Otherwise `*` stays inside its field.
        assert!(!arn_covers("arn:aws:s3:*:*:b", "arn:aws:s3:::c:b"));
    }
}
