//! The compiled form of a policy: patterns compiled, condition keys lowercased, typed values
//! parsed, policy variables split out. Compile once, evaluate many times.

use super::operator::{BaseOperator, Operator, OperatorFamily};
use super::variables::Template;
use super::{ConditionValue, Effect, Policy, Principal, PrincipalKind, Statement};
use crate::arn::{is_account_id, ArnPattern};
use crate::pattern::{fold, Case, Pattern};
use crate::scalar::{decode_base64, parse_bool, Decimal, IpNet, Timestamp};
use crate::Error;
use std::sync::Arc;

/// A policy ready for evaluation. Cheap to share behind an `Arc`.
///
/// ```
/// use perimeter::policy::Policy;
///
/// let compiled = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}"#)?.compile()?;
/// assert_eq!(compiled.statements().len(), 1);
/// # Ok::<(), perimeter::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    policy: Policy,
    name: Option<Arc<str>>,
    statements: Vec<CompiledStatement>,
    /// The policy as JSON, built on first use (witnesses share it).
    json: std::sync::OnceLock<Arc<serde_json::Value>>,
}

/// One compiled statement.
#[derive(Clone, Debug)]
pub struct CompiledStatement {
    pub(crate) index: usize,
    pub(crate) sid: Option<Arc<str>>,
    pub(crate) effect: Effect,
    pub(crate) principal: Option<PrincipalMatcher>,
    pub(crate) actions: ActionMatcher,
    pub(crate) resources: Option<ResourceMatcher>,
    pub(crate) conditions: Vec<CompiledCondition>,
}

impl CompiledStatement {
    /// The statement's position in its policy.
    pub fn index(&self) -> usize {
        self.index
    }
    /// The statement's `Sid`, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }
    pub(crate) fn sid_arc(&self) -> Option<Arc<str>> {
        self.sid.clone()
    }
    /// `Allow` or `Deny`.
    pub fn effect(&self) -> Effect {
        self.effect
    }
}

/// `Action` / `NotAction`, compiled (case-insensitive patterns).
#[derive(Clone, Debug)]
pub(crate) struct ActionMatcher {
    pub(crate) negated: bool,
    pub(crate) any: bool,
    pub(crate) patterns: Vec<Pattern>,
    /// For each pattern, the hash of its literal service prefix (`s3` in `s3:Get*`), or 0 when
    /// the prefix has a wildcard: a cheap first test before the pattern itself.
    pub(crate) services: Vec<u64>,
}

/// FNV-1a hash of an action's service prefix, folded; never 0.
#[inline]
pub(crate) fn service_hash(folded_action: &str) -> u64 {
    let service = folded_action.split(':').next().unwrap_or("");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in service.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h | 1
}

impl ActionMatcher {
    /// Whether the element covers an action already folded to lowercase.
    #[inline]
    pub(crate) fn matches_folded(&self, folded: &str, service: u64) -> bool {
        let hit = self.any
            || self
                .patterns
                .iter()
                .zip(&self.services)
                .any(|(p, h)| (*h == 0 || *h == service) && p.matches_prefolded(folded));
        hit != self.negated
    }
}

/// One entry of `Resource` / `NotResource`.
#[derive(Clone, Debug)]
pub(crate) enum ResourceEntry {
    /// `*`
    Any,
    /// A pattern without variables.
    Pattern(ArnPattern),
    /// A pattern whose resource part (after the fifth colon) holds policy variables.
    Template {
        /// The first five components, compiled.
        head: Vec<Pattern>,
        /// The resource part.
        tail: Template,
    },
}

/// `Resource` / `NotResource`, compiled.
#[derive(Clone, Debug)]
pub(crate) struct ResourceMatcher {
    pub(crate) negated: bool,
    pub(crate) entries: Vec<ResourceEntry>,
}

/// One value of a principal element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PrincipalValue {
    /// `"*"` or `{"AWS": "*"}`: everyone, including anonymous callers.
    Any,
    /// An account id or `arn:…:iam::A:root`: delegation to the whole account.
    Account(String),
    /// `arn:…:iam::A:user/…`
    User(String),
    /// `arn:…:iam::A:role/[path/]name`: any session of the role.
    Role {
        arn: String,
        account: String,
        name: String,
    },
    /// `arn:…:sts::A:assumed-role/R/S`
    Session(String),
    /// `arn:…:sts::A:federated-user/N`
    FederatedUser(String),
    /// A service principal (lowercase).
    Service(String),
    /// A SAML or OIDC provider or web identity provider.
    Federated(String),
    /// An S3 canonical user id.
    CanonicalUser(String),
    /// A value that names no principal this library understands (a deleted principal's unique
    /// id, a malformed ARN): matched by exact text only.
    Other(String),
}

/// `Principal` / `NotPrincipal`, compiled.
#[derive(Clone, Debug)]
pub(crate) struct PrincipalMatcher {
    pub(crate) negated: bool,
    pub(crate) values: Vec<PrincipalValue>,
}

/// A string value of a String or ARN operator: literal, or with policy variables.
#[derive(Clone, Debug)]
pub(crate) enum StrValue {
    Lit(String),
    Tmpl(Template),
}

/// A wildcard value (`StringLike`, `Arn…`): compiled, or with policy variables.
#[derive(Clone, Debug)]
pub(crate) enum LikeValue {
    Pat(Pattern),
    Arn(ArnPattern),
    Tmpl(Template),
}

/// The typed values of one condition.
#[derive(Clone, Debug)]
pub(crate) enum CondValues {
    /// `StringEquals` / `StringNotEquals`.
    Str(Vec<StrValue>),
    /// `StringEqualsIgnoreCase` / `StringNotEqualsIgnoreCase` (literals stored folded).
    StrFold(Vec<StrValue>),
    /// `StringLike` / `StringNotLike`.
    Like(Vec<LikeValue>),
    /// `Arn…` (all four use wildcards).
    Arn(Vec<LikeValue>),
    /// `Numeric…`; `None` for a value that is not a number (it matches nothing).
    Num(Vec<Option<Decimal>>),
    /// `Date…`; `None` for a value that is not a date (it matches nothing).
    Date(Vec<Option<Timestamp>>),
    /// `Bool`; `None` for a value other than true/false (it matches nothing).
    Bool(Vec<Option<bool>>),
    /// `BinaryEquals`; `None` for a value that is not base64.
    Bin(Vec<Option<Vec<u8>>>),
    /// `IpAddress` / `NotIpAddress`; `None` for a value that is not an address or CIDR.
    Ip(Vec<Option<IpNet>>),
    /// `Null`; `None` for a value other than true/false.
    Null(Vec<Option<bool>>),
}

/// One condition: an operator applied to one key.
#[derive(Clone, Debug)]
pub(crate) struct CompiledCondition {
    pub(crate) op: Operator,
    /// The key, lowercased (keys ignore case).
    pub(crate) key: std::sync::Arc<str>,
    /// The key as written in the policy.
    pub(crate) spelled: Box<str>,
    /// The values as written (numbers and booleans as their text).
    pub(crate) texts: Vec<String>,
    pub(crate) values: CondValues,
}

impl CompiledPolicy {
    /// Compile a policy.
    ///
    /// # Errors
    /// None today for policies that parsed; the `Result` leaves room for compile-time limits.
    pub fn new(policy: Policy) -> Result<CompiledPolicy, Error> {
        let vars = policy.supports_variables();
        let statements = policy
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| compile_statement(i, s, vars))
            .collect();
        Ok(CompiledPolicy {
            policy,
            name: None,
            statements,
            json: std::sync::OnceLock::new(),
        })
    }

    /// Parse and compile in one step.
    ///
    /// # Errors
    /// As [`Policy::parse`].
    pub fn parse(text: &str) -> Result<CompiledPolicy, Error> {
        CompiledPolicy::new(Policy::parse(text)?)
    }

    /// Give the policy a name (an ARN or a label) that reasons will show.
    pub fn with_name(mut self, name: impl Into<String>) -> CompiledPolicy {
        self.name = Some(Arc::from(name.into()));
        self
    }

    pub(crate) fn name_arc(&self) -> Option<Arc<str>> {
        self.name.clone()
    }

    /// The name given with [`with_name`](Self::with_name).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The source policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The source policy as JSON ([`Policy::to_json_value`]), built once and shared.
    pub(crate) fn json(&self) -> &Arc<serde_json::Value> {
        self.json
            .get_or_init(|| Arc::new(self.policy.to_json_value()))
    }

    /// The compiled statements, in order.
    pub fn statements(&self) -> &[CompiledStatement] {
        &self.statements
    }
}

fn compile_statement(index: usize, s: &Statement, vars: bool) -> CompiledStatement {
    let actions = {
        let any = s.action.values.iter().any(|a| a == "*");
        let texts: Vec<&str> = if any {
            Vec::new()
        } else {
            s.action.values.iter().collect()
        };
        ActionMatcher {
            negated: s.action.negated,
            any,
            patterns: texts
                .iter()
                .map(|a| Pattern::new(a, Case::Insensitive))
                .collect(),
            services: texts
                .iter()
                .map(|a| match a.split_once(':') {
                    Some((svc, _)) if !svc.contains(['*', '?']) => {
                        service_hash(&crate::pattern::fold_str(a))
                    }
                    _ => 0,
                })
                .collect(),
        }
    };
    let resources = s.resource.as_ref().map(|r| ResourceMatcher {
        negated: r.negated,
        entries: r.values.iter().map(|v| compile_resource(v, vars)).collect(),
    });
    let principal = s.principal.as_ref().map(|p| PrincipalMatcher {
        negated: p.negated,
        values: match &p.principal {
            Principal::Any => vec![PrincipalValue::Any],
            Principal::Map(entries) => entries
                .iter()
                .flat_map(|(kind, values)| {
                    values
                        .iter()
                        .map(move |v| classify_principal(kind.value, v))
                })
                .collect(),
        },
    });
    let conditions = s
        .condition
        .iter()
        .flat_map(|block| {
            block.entries.iter().map(move |e| CompiledCondition {
                op: block.operator.value,
                key: e.key.value.to_lowercase().into(),
                spelled: e.key.value.as_str().into(),
                texts: e
                    .values
                    .iter()
                    .map(|v| v.value.as_text().into_owned())
                    .collect(),
                values: compile_values(block.operator.value.base, &e.values, vars),
            })
        })
        .collect();
    CompiledStatement {
        index,
        sid: s.sid.as_ref().map(|s| Arc::from(s.value.as_str())),
        effect: s.effect.value,
        principal,
        actions,
        resources,
        conditions,
    }
}

fn compile_resource(text: &str, vars: bool) -> ResourceEntry {
    if text == "*" {
        return ResourceEntry::Any;
    }
    if vars && text.contains("${") {
        let comps: Vec<&str> = text.splitn(6, ':').collect();
        if let [head @ .., tail] = comps.as_slice() {
            if comps.len() == 6 {
                let tmpl = Template::parse(tail);
                if tmpl.has_variables() {
                    return ResourceEntry::Template {
                        head: head
                            .iter()
                            .map(|h| Pattern::new(h, Case::Sensitive))
                            .collect(),
                        tail: tmpl,
                    };
                }
            }
        }
    }
    ResourceEntry::Pattern(ArnPattern::new(text))
}

/// Read one principal value by its kind.
pub(crate) fn classify_principal(kind: PrincipalKind, v: &str) -> PrincipalValue {
    match kind {
        PrincipalKind::Service => PrincipalValue::Service(v.to_ascii_lowercase()),
        PrincipalKind::Federated => PrincipalValue::Federated(v.to_string()),
        PrincipalKind::CanonicalUser => PrincipalValue::CanonicalUser(v.to_string()),
        PrincipalKind::Aws => classify_aws_principal(v),
    }
}

/// Read an `AWS` principal value (also used for request principals given as ARNs).
pub(crate) fn classify_aws_principal(v: &str) -> PrincipalValue {
    if v == "*" {
        return PrincipalValue::Any;
    }
    if is_account_id(v) {
        return PrincipalValue::Account(v.to_string());
    }
    let Ok(arn) = crate::arn::Arn::parse(v) else {
        return PrincipalValue::Other(v.to_string());
    };
    let account = arn.account();
    if !is_account_id(account) {
        return PrincipalValue::Other(v.to_string());
    }
    match (arn.service(), arn.resource()) {
        ("iam", "root") => PrincipalValue::Account(account.to_string()),
        ("iam", r) if r.starts_with("user/") => PrincipalValue::User(v.to_string()),
        ("iam", r) if r.starts_with("role/") => PrincipalValue::Role {
            arn: v.to_string(),
            account: account.to_string(),
            name: r.rsplit('/').next().unwrap_or("").to_string(),
        },
        ("sts", r) if r.starts_with("assumed-role/") => PrincipalValue::Session(v.to_string()),
        ("sts", r) if r.starts_with("federated-user/") => {
            PrincipalValue::FederatedUser(v.to_string())
        }
        _ => PrincipalValue::Other(v.to_string()),
    }
}

fn text_of(v: &ConditionValue) -> String {
    v.as_text().into_owned()
}

fn str_value(v: &ConditionValue, vars: bool, folded: bool) -> StrValue {
    let t = text_of(v);
    if vars && matches!(v, ConditionValue::String(_)) && t.contains("${") {
        let tmpl = Template::parse(&t);
        if tmpl.has_variables() {
            return StrValue::Tmpl(tmpl);
        }
    }
    if folded {
        StrValue::Lit(t.chars().map(fold).collect())
    } else {
        StrValue::Lit(t)
    }
}

fn like_value(v: &ConditionValue, vars: bool, arn: bool) -> LikeValue {
    let t = text_of(v);
    if vars && matches!(v, ConditionValue::String(_)) && t.contains("${") {
        let tmpl = Template::parse(&t);
        if tmpl.has_variables() {
            return LikeValue::Tmpl(tmpl);
        }
    }
    if arn {
        LikeValue::Arn(ArnPattern::new(&t))
    } else {
        LikeValue::Pat(Pattern::new(&t, Case::Sensitive))
    }
}

fn compile_values(
    base: BaseOperator,
    values: &[super::Spanned<ConditionValue>],
    vars: bool,
) -> CondValues {
    let vars = vars && base.resolves_variables();
    let vs = values.iter().map(|v| &v.value);
    match base.family() {
        OperatorFamily::String => match base.positive() {
            BaseOperator::StringEqualsIgnoreCase => {
                CondValues::StrFold(vs.map(|v| str_value(v, vars, true)).collect())
            }
            BaseOperator::StringLike => {
                CondValues::Like(vs.map(|v| like_value(v, vars, false)).collect())
            }
            _ => CondValues::Str(vs.map(|v| str_value(v, vars, false)).collect()),
        },
        OperatorFamily::Arn => CondValues::Arn(vs.map(|v| like_value(v, vars, true)).collect()),
        OperatorFamily::Numeric => {
            CondValues::Num(vs.map(|v| Decimal::parse(&v.as_text())).collect())
        }
        OperatorFamily::Date => {
            CondValues::Date(vs.map(|v| Timestamp::parse(&v.as_text())).collect())
        }
        OperatorFamily::Bool => CondValues::Bool(vs.map(|v| parse_bool(&v.as_text())).collect()),
        OperatorFamily::Binary => {
            CondValues::Bin(vs.map(|v| decode_base64(&v.as_text())).collect())
        }
        OperatorFamily::Ip => CondValues::Ip(vs.map(|v| IpNet::parse(&v.as_text())).collect()),
        OperatorFamily::Null => CondValues::Null(vs.map(|v| parse_bool(&v.as_text())).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_principals() {
        assert_eq!(
            classify_aws_principal("111122223333"),
            PrincipalValue::Account("111122223333".into())
        );
        assert_eq!(
            classify_aws_principal("arn:aws:iam::111122223333:root"),
            PrincipalValue::Account("111122223333".into())
        );
        assert!(matches!(
            classify_aws_principal("arn:aws:iam::111122223333:role/path/app"),
            PrincipalValue::Role { ref name, .. } if name == "app"
        ));
        assert!(matches!(
            classify_aws_principal("AROAEXAMPLEID"),
            PrincipalValue::Other(_)
        ));
        assert!(matches!(
            classify_aws_principal("arn:aws:sts::111122223333:assumed-role/r/s"),
            PrincipalValue::Session(_)
        ));
    }

    #[test]
    fn variables_only_with_2012_and_in_resource_part() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
              "Resource":["arn:aws:s3:::b/${aws:username}/*","arn:aws:${aws:x}:::b"]}]}"#,
        )
        .unwrap();
        let c = p.compile().unwrap();
        let r = c.statements()[0].resources.as_ref().unwrap();
        assert!(matches!(r.entries[0], ResourceEntry::Template { .. }));
        assert!(matches!(r.entries[1], ResourceEntry::Pattern(_)));
        let old = Policy::parse(
            r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
              "Resource":"arn:aws:s3:::b/${aws:username}/*"}]}"#,
        )
        .unwrap()
        .compile()
        .unwrap();
        let r = old.statements()[0].resources.as_ref().unwrap();
        assert!(matches!(r.entries[0], ResourceEntry::Pattern(_)));
    }
}
