//! The IAM policy language: the document model with source locations, parsing, serializing, and
//! compiling for evaluation.
//!
//! [`Policy::parse`] reads the whole grammar of the
//! [IAM JSON policy reference](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html):
//! `Version`, `Id`, `Statement` (an object or an array), `Sid`, `Effect`, `Principal` /
//! `NotPrincipal` in every form, `Action` / `NotAction`, `Resource` / `NotResource`, and
//! `Condition` with every operator, `…IfExists`, `ForAllValues:` / `ForAnyValue:`, and scalar or
//! list values (numbers and booleans may be unquoted). It also accepts a policy given as a JSON
//! string, URL-encoded (as the IAM API returns it), or inside the wrappers that AWS CLIs print:
//! `{"Policy": "…"}` and `{"PolicyDocument": …}`.
//!
//! Every element keeps its [`Span`]; equality of the model ignores spans, so
//! parse → serialize → parse gives back an equal policy.
//!
//! ```
//! use perimeter::policy::{Effect, Policy};
//!
//! let policy = Policy::parse(r#"{
//!   "Version": "2012-10-17",
//!   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]
//! }"#)?;
//! assert_eq!(policy.statements[0].effect.value, Effect::Allow);
//! assert_eq!(policy.statements[0].effect.span.start.line, 3);
//! assert_eq!(Policy::parse(&policy.to_json())?, policy);
//! # Ok::<(), perimeter::Error>(())
//! ```

pub(crate) mod compile;
mod operator;
mod parse;
mod serialize;
mod variables;

pub use compile::{CompiledPolicy, CompiledStatement};
pub use operator::{BaseOperator, Operator, OperatorFamily, SetQualifier};
pub use variables::{Template, TemplatePart};

use crate::json::{self, Span};
use crate::Error;
use std::fmt;
use std::ops::Deref;

/// A value with the span of its token in the source document.
///
/// Equality and hashing look at the value only, so that models parsed from differently laid out
/// texts compare equal.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written (zero for values built in code).
    pub span: Span,
}

impl<T> Spanned<T> {
    /// A value with the given span.
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }

    /// A value without a source location.
    pub fn bare(value: T) -> Spanned<T> {
        Spanned {
            value,
            span: Span::default(),
        }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T: Eq> Eq for Spanned<T> {}
impl<T: std::hash::Hash> std::hash::Hash for Spanned<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<T> Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Equality and hashing over every field but `span`: the model compares equal whatever the
/// layout of the text it came from.
macro_rules! eq_ignoring_span {
    ($ty:ident { $($field:ident),* }) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                true $(&& self.$field == other.$field)*
            }
        }
        impl Eq for $ty {}
        impl std::hash::Hash for $ty {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                $(self.$field.hash(state);)*
            }
        }
    };
}

eq_ignoring_span!(PrincipalElement { negated, principal });
eq_ignoring_span!(ListElement { negated, values });
eq_ignoring_span!(Statement {
    sid,
    effect,
    principal,
    action,
    resource,
    condition,
    has_condition
});
eq_ignoring_span!(Policy {
    version,
    id,
    statements,
    statement_is_array
});

/// The policy language version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2008-10-17`: policy variables are not supported (their text is literal).
    V2008_10_17,
    /// `2012-10-17`: the current version.
    V2012_10_17,
}

impl Version {
    /// The version string.
    pub fn as_str(&self) -> &'static str {
        match self {
            Version::V2008_10_17 => "2008-10-17",
            Version::V2012_10_17 => "2012-10-17",
        }
    }
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Denies, overriding any allow.
    Deny,
}

impl Effect {
    /// `Allow` or `Deny`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A list of strings that may be written as a single string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Values {
    /// The strings.
    pub items: Vec<Spanned<String>>,
    /// Whether it was written as one string rather than an array.
    pub scalar: bool,
}

impl Values {
    /// One value written as a scalar.
    pub fn one(value: &str) -> Values {
        Values {
            items: vec![Spanned::bare(value.to_string())],
            scalar: true,
        }
    }

    /// Several values written as an array.
    pub fn list<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> Values {
        Values {
            items: values
                .into_iter()
                .map(|v| Spanned::bare(v.as_ref().to_string()))
                .collect(),
            scalar: false,
        }
    }

    /// The strings, without spans.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|s| s.value.as_str())
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none (`[]`).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The key of a principal map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalKind {
    /// `AWS`: accounts, users, roles, sessions, federated users, or `*`.
    Aws,
    /// `Service`: AWS service principals such as `s3.amazonaws.com`.
    Service,
    /// `Federated`: SAML providers, OIDC providers and web identity providers.
    Federated,
    /// `CanonicalUser`: S3 canonical user ids.
    CanonicalUser,
}

impl PrincipalKind {
    /// The key as written in policies.
    pub fn as_str(&self) -> &'static str {
        match self {
            PrincipalKind::Aws => "AWS",
            PrincipalKind::Service => "Service",
            PrincipalKind::Federated => "Federated",
            PrincipalKind::CanonicalUser => "CanonicalUser",
        }
    }

    /// Parse a principal map key (exact spelling).
    pub fn parse(key: &str) -> Option<PrincipalKind> {
        match key {
            "AWS" => Some(PrincipalKind::Aws),
            "Service" => Some(PrincipalKind::Service),
            "Federated" => Some(PrincipalKind::Federated),
            "CanonicalUser" => Some(PrincipalKind::CanonicalUser),
            _ => None,
        }
    }
}

/// The value of a `Principal` or `NotPrincipal` element.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Principal {
    /// `"*"`: everyone, including anonymous callers.
    Any,
    /// `{"AWS": …, "Service": …, …}`, keys in document order.
    Map(Vec<(Spanned<PrincipalKind>, Values)>),
}

/// A `Principal` or `NotPrincipal` element.
#[derive(Clone, Debug)]
pub struct PrincipalElement {
    /// `NotPrincipal` rather than `Principal`.
    pub negated: bool,
    /// The principals listed.
    pub principal: Principal,
    /// The span of the element's value.
    pub span: Span,
}

/// An `Action`/`NotAction` or `Resource`/`NotResource` element.
#[derive(Clone, Debug)]
pub struct ListElement {
    /// `NotAction` / `NotResource`.
    pub negated: bool,
    /// The patterns listed.
    pub values: Values,
    /// The span of the element's value.
    pub span: Span,
}

/// A condition value as written: a string, an unquoted number or an unquoted boolean.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConditionValue {
    /// `"text"`
    String(String),
    /// `12` (kept as written)
    Number(String),
    /// `true` / `false`
    Bool(bool),
}

impl ConditionValue {
    /// The value as the string IAM compares (`12`, `true`).
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            ConditionValue::String(s) | ConditionValue::Number(s) => s.as_str().into(),
            ConditionValue::Bool(true) => "true".into(),
            ConditionValue::Bool(false) => "false".into(),
        }
    }
}

/// One condition key under an operator, with its values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionEntry {
    /// The condition key as written (keys compare without regard to case).
    pub key: Spanned<String>,
    /// The values (OR for positive operators, NOR for negated ones).
    pub values: Vec<Spanned<ConditionValue>>,
    /// Whether the values were written as one scalar rather than an array.
    pub scalar: bool,
}

/// One operator block of a `Condition` element: `"StringEquals": {key: values, …}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionBlock {
    /// The operator (the span covers the operator's key token).
    pub operator: Spanned<Operator>,
    /// The keys under it (AND).
    pub entries: Vec<ConditionEntry>,
}

/// One statement.
#[derive(Clone, Debug)]
pub struct Statement {
    /// `Sid`, if any.
    pub sid: Option<Spanned<String>>,
    /// `Effect`.
    pub effect: Spanned<Effect>,
    /// `Principal` or `NotPrincipal`, if any.
    pub principal: Option<PrincipalElement>,
    /// `Action` or `NotAction`.
    pub action: ListElement,
    /// `Resource` or `NotResource`, if any (resource policies may omit it).
    pub resource: Option<ListElement>,
    /// The `Condition` element's operator blocks (AND); empty when there is none.
    pub condition: Vec<ConditionBlock>,
    /// Whether a `Condition` element was written (it may be `{}`).
    pub has_condition: bool,
    /// The span of the statement object.
    pub span: Span,
}

/// A policy document.
#[derive(Clone, Debug)]
pub struct Policy {
    /// `Version`; `None` means the 2008-10-17 rules apply (policy variables are literal text).
    pub version: Option<Spanned<Version>>,
    /// `Id`, if any.
    pub id: Option<Spanned<String>>,
    /// The statements, in order.
    pub statements: Vec<Statement>,
    /// Whether `Statement` was written as an array (`false`: a single object).
    pub statement_is_array: bool,
    /// The span of the policy object.
    pub span: Span,
}

/// Limits on the policies accepted by [`Policy::parse_with`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// JSON size and depth limits (default 1 MiB, depth 64).
    pub json: json::Limits,
    /// Most statements in one policy. Default 1,000.
    pub max_statements: usize,
    /// Most values in one list (actions, resources, principals, values of one condition key).
    /// Default 10,000.
    pub max_values: usize,
    /// Longest action, resource, principal or condition value, in characters. Default 4,096.
    pub max_value_chars: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            json: json::Limits::default(),
            max_statements: 1_000,
            max_values: 10_000,
            max_value_chars: 4_096,
        }
    }
}

impl Limits {
    /// Limits with other JSON limits (document size, nesting depth).
    pub fn with_json(mut self, json: json::Limits) -> Limits {
        self.json = json;
        self
    }

    /// Limits with another maximum number of statements.
    pub fn with_max_statements(mut self, n: usize) -> Limits {
        self.max_statements = n;
        self
    }

    /// Limits with another maximum number of values per list.
    pub fn with_max_values(mut self, n: usize) -> Limits {
        self.max_values = n;
        self
    }

    /// Limits with another maximum value length, in characters.
    pub fn with_max_value_chars(mut self, n: usize) -> Limits {
        self.max_value_chars = n;
        self
    }
}

impl Policy {
    /// Parse a policy document with the default [`Limits`].
    ///
    /// # Errors
    /// [`ErrorKind::Syntax`](crate::ErrorKind::Syntax) for malformed JSON,
    /// [`ErrorKind::Limit`](crate::ErrorKind::Limit) for oversized input, and
    /// [`ErrorKind::Policy`](crate::ErrorKind::Policy) for JSON that is not a policy; each names
    /// the location.
    pub fn parse(text: &str) -> Result<Policy, Error> {
        Policy::parse_with(text, &Limits::default())
    }

    /// Parse with explicit limits.
    ///
    /// # Errors
    /// As [`Policy::parse`].
    pub fn parse_with(text: &str, limits: &Limits) -> Result<Policy, Error> {
        parse::parse_text(text, limits)
    }

    /// Read a policy from a JSON value (a document object, a JSON string holding one, or a
    /// wrapper), as found inside other JSON inputs. Spans are zero.
    ///
    /// # Errors
    /// As [`Policy::parse`].
    pub fn from_json_value(value: &serde_json::Value) -> Result<Policy, Error> {
        parse::parse_serde(value, &Limits::default())
    }

    /// Whether policy variables are resolved (`Version` is `2012-10-17`).
    pub fn supports_variables(&self) -> bool {
        matches!(
            self.version.as_ref().map(|v| v.value),
            Some(Version::V2012_10_17)
        )
    }

    /// Compact JSON text.
    pub fn to_json(&self) -> String {
        serialize::to_json(self, false)
    }

    /// Indented JSON text.
    pub fn to_json_pretty(&self) -> String {
        serialize::to_json(self, true)
    }

    /// The policy as a `serde_json::Value`.
    pub fn to_json_value(&self) -> serde_json::Value {
        serialize::to_json_value(self)
    }

    /// Compile for evaluation (see [`CompiledPolicy`]).
    ///
    /// # Errors
    /// [`ErrorKind::Limit`](crate::ErrorKind::Limit) when a value exceeds the default limits.
    pub fn compile(&self) -> Result<CompiledPolicy, Error> {
        CompiledPolicy::new(self.clone())
    }
}

impl std::str::FromStr for Policy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Policy, Error> {
        Policy::parse(s)
    }
}

impl serde::Serialize for Policy {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json_value().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Policy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Policy, D::Error> {
        let v = serde_json::Value::deserialize(deserializer)?;
        Policy::from_json_value(&v).map_err(serde::de::Error::custom)
    }
}
