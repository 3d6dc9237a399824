//! Requests: who calls ([`Caller`]), what action on which resource, and the request context.

use crate::arn::{is_account_id, Arn};
use crate::error::{quote, Error, ErrorKind};
use std::fmt;

/// The principal that makes a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Caller {
    /// An unauthenticated caller.
    Anonymous,
    /// The account's root user (`arn:aws:iam::A:root`).
    Root {
        /// The partition (`aws`).
        partition: String,
        /// The account id.
        account: String,
    },
    /// An IAM user.
    User {
        /// The user ARN.
        arn: String,
        /// The account id.
        account: String,
        /// The user name (without path).
        name: String,
    },
    /// A session of an IAM role: from `arn:aws:sts::A:assumed-role/R/S`, or a role ARN when the
    /// session name does not matter.
    Role {
        /// The session ARN, or the role ARN when no session was given.
        arn: String,
        /// The role ARN (`aws:PrincipalArn`). Built without a path from a session ARN unless the
        /// request context gives `aws:PrincipalArn`.
        role_arn: String,
        /// The account id.
        account: String,
        /// The role name.
        role_name: String,
        /// The session name, when the caller was given as a session ARN.
        session_name: Option<String>,
    },
    /// A federated user from `GetFederationToken` (`arn:aws:sts::A:federated-user/N`).
    FederatedUser {
        /// The federated user ARN.
        arn: String,
        /// The account id.
        account: String,
        /// The name given to `GetFederationToken`.
        name: String,
    },
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service {
        /// The service principal name (lowercase).
        name: String,
    },
    /// An identity provider calling `AssumeRoleWithSAML` / `AssumeRoleWithWebIdentity`: a SAML
    /// or OIDC provider ARN, or a web identity provider such as `accounts.google.com`.
    Federated {
        /// The provider.
        provider: String,
    },
    /// An S3 canonical user.
    CanonicalUser {
        /// The canonical user id.
        id: String,
    },
}

/// Web identity providers named by host in `Federated` principals (IAM User Guide,
/// "AWS JSON policy elements: Principal", section "Federated user principals").
const WEB_IDENTITY_PROVIDERS: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "www.amazon.com",
    "graph.facebook.com",
    "accounts.google.com",
];

impl Caller {
    /// Read a caller from text: `anonymous`, an account id, a user, role, session, federated-user
    /// or root ARN, a SAML/OIDC provider ARN, a web identity provider host, or a service
    /// principal name (`….amazonaws.com`).
    ///
    /// # Errors
    /// [`ErrorKind::Input`] for text that names no principal.
    pub fn parse(text: &str) -> Result<Caller, Error> {
        if text == "anonymous" || text == "*" {
            return Ok(Caller::Anonymous);
        }
        if is_account_id(text) {
            return Ok(Caller::Root {
                partition: "aws".into(),
                account: text.into(),
            });
        }
        if WEB_IDENTITY_PROVIDERS.contains(&text) {
            return Ok(Caller::Federated {
                provider: text.into(),
            });
        }
        if !text.starts_with("arn:") {
            if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") {
                return Ok(Caller::Service {
                    name: text.to_ascii_lowercase(),
                });
            }
            if text.contains('.') && !text.contains(char::is_whitespace) {
                // An OIDC provider host such as `token.actions.githubusercontent.com`.
                return Ok(Caller::Federated {
                    provider: text.into(),
                });
            }
            return Err(unknown(text));
        }
        let arn = Arn::parse(text).map_err(|_| unknown(text))?;
        let account = arn.account();
        if !is_account_id(account) {
            return Err(unknown(text));
        }
        let resource = arn.resource();
        let last = |r: &str| r.rsplit('/').next().unwrap_or("").to_string();
        match arn.service() {
            "iam" if resource == "root" => Ok(Caller::Root {
                partition: arn.partition().into(),
                account: account.into(),
            }),
            "iam" if resource.starts_with("user/") => Ok(Caller::User {
                arn: text.into(),
                account: account.into(),
                name: last(resource),
            }),
            "iam" if resource.starts_with("role/") => Ok(Caller::Role {
                arn: text.into(),
                role_arn: text.into(),
                account: account.into(),
                role_name: last(resource),
                session_name: None,
            }),
            "iam"
                if resource.starts_with("saml-provider/")
                    || resource.starts_with("oidc-provider/") =>
            {
                Ok(Caller::Federated {
                    provider: text.into(),
                })
            }
            "sts" if resource.starts_with("assumed-role/") => {
                let mut parts = resource.splitn(3, '/').skip(1);
                let (Some(role), Some(session)) = (parts.next(), parts.next()) else {
                    return Err(unknown(text));
                };
                if role.is_empty() || session.is_empty() {
                    return Err(unknown(text));
                }
                Ok(Caller::Role {
                    arn: text.into(),
                    role_arn: format!("arn:{}:iam::{account}:role/{role}", arn.partition()),
                    account: account.into(),
                    role_name: role.into(),
                    session_name: Some(session.into()),
                })
            }
            "sts" if resource.starts_with("federated-user/") => Ok(Caller::FederatedUser {
                arn: text.into(),
                account: account.into(),
                name: resource.trim_start_matches("federated-user/").into(),
            }),
            _ => Err(unknown(text)),
        }
    }

    /// The caller's account, for IAM identities.
    pub fn account(&self) -> Option<&str> {
        match self {
            Caller::Root { account, .. }
            | Caller::User { account, .. }
            | Caller::Role { account, .. }
            | Caller::FederatedUser { account, .. } => Some(account),
            _ => None,
        }
    }

    /// The caller's own ARN (session ARN for role sessions).
    pub fn arn(&self) -> Option<String> {
        match self {
            Caller::Root { partition, account } => {
                Some(format!("arn:{partition}:iam::{account}:root"))
            }
            Caller::User { arn, .. }
            | Caller::Role { arn, .. }
            | Caller::FederatedUser { arn, .. } => Some(arn.clone()),
            _ => None,
        }
    }

    /// The value of `aws:PrincipalArn`: the role ARN for role sessions.
    pub fn principal_arn(&self) -> Option<String> {
        match self {
            Caller::Role { role_arn, .. } => Some(role_arn.clone()),
            other => other.arn(),
        }
    }

    /// The value of `aws:PrincipalType`.
    pub fn principal_type(&self) -> Option<&'static str> {
        match self {
            Caller::Anonymous => Some("Anonymous"),
            Caller::Root { .. } => Some("Account"),
            Caller::User { .. } => Some("User"),
            Caller::Role { .. } => Some("AssumedRole"),
            Caller::FederatedUser { .. } => Some("FederatedUser"),
            _ => None,
        }
    }

    /// Whether the caller is an IAM identity of an account (root, user, role session,
    /// federated user), the kind to which identity policies, boundaries and SCPs apply.
    pub fn is_iam_identity(&self) -> bool {
        self.account().is_some()
    }

    /// The text form accepted by [`Caller::parse`].
    pub fn to_text(&self) -> String {
        match self {
            Caller::Anonymous => "anonymous".into(),
            Caller::Service { name } => name.clone(),
            Caller::Federated { provider } => provider.clone(),
            Caller::CanonicalUser { id } => id.clone(),
            other => other.arn().unwrap_or_default(),
        }
    }
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

fn unknown(text: &str) -> Error {
    Error::new(
        ErrorKind::Input,
        format!(
            "{} names no principal: expected `anonymous`, an account id, an iam user, role, session, federated-user or root arn, an identity provider, or a service principal",
            quote(text)
        ),
    )
}

/// The value of a context key: one string, or a set of strings for multivalued keys.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ContextValue {
    /// A single value.
    One(String),
    /// Several values (`aws:TagKeys`, `aws:PrincipalOrgPaths`, …); may be empty.
    Many(Vec<String>),
}

impl ContextValue {
    /// The values as a slice-like iterator.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        let (one, many): (Option<&String>, &[String]) = match self {
            ContextValue::One(s) => (Some(s), &[]),
            ContextValue::Many(v) => (None, v),
        };
        one.into_iter().chain(many.iter()).map(String::as_str)
    }

    /// The single value, if this is one.
    pub fn as_one(&self) -> Option<&str> {
        match self {
            ContextValue::One(s) => Some(s),
            ContextValue::Many(_) => None,
        }
    }
}

/// A key's text: borrowed for the keys the evaluator fills in itself (so a request does not
/// allocate their names), owned for the keys a caller gives.
type KeyText = std::borrow::Cow<'static, str>;

/// A key's lowercase form (by ASCII rules for ASCII keys, where they agree with Unicode's).
fn lower_key(key: &str) -> KeyText {
    KeyText::Owned(if key.is_ascii() {
        key.to_ascii_lowercase()
    } else {
        key.to_lowercase()
    })
}

/// The request context: condition keys and their values. Keys ignore case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// (lowercase key, key as given, value), sorted by the lowercase key.
    entries: Vec<(KeyText, KeyText, ContextValue)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Set a key (replacing any value it had).
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        let lower = lower_key(key);
        match self.position(&lower) {
            Ok(i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    *e = (lower, KeyText::Owned(key.into()), value);
                }
            }
            Err(i) => self
                .entries
                .insert(i, (lower, KeyText::Owned(key.into()), value)),
        }
    }

    /// Set a key only if it has no value.
    pub fn insert_default(&mut self, key: &str, value: ContextValue) {
        let lower = lower_key(key);
        if let Err(i) = self.position(&lower) {
            self.entries
                .insert(i, (lower, KeyText::Owned(key.into()), value));
        }
    }

    /// [`Context::insert_default`] for a key the evaluator fills in, named by constants: its
    /// lowercase form and its usual spelling.
    fn insert_known(&mut self, lower: &'static str, key: &'static str, value: ContextValue) {
        debug_assert_eq!(lower, key.to_ascii_lowercase());
        if let Err(i) = self.position(lower) {
            self.entries
                .insert(i, (KeyText::Borrowed(lower), KeyText::Borrowed(key), value));
        }
    }

    /// Remove a key.
    pub fn remove(&mut self, key: &str) {
        let lower = key.to_lowercase();
        self.entries.retain(|(k, _, _)| **k != *lower);
    }

    /// The value of a key (any case).
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) || !key.is_ascii() {
            return self.get_lower(&key.to_lowercase());
        }
        self.get_lower(key)
    }

    /// The value of a key given in lowercase.
    #[inline]
    pub(crate) fn get_lower(&self, lower: &str) -> Option<&ContextValue> {
        self.position(lower)
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, _, v)| v)
    }

    /// Where a lowercase key is, or would go, in the sorted entries.
    #[inline]
    fn position(&self, lower: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _, _)| (**k).cmp(lower))
    }

    /// The keys (as given) and values, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(_, k, v)| (&**k, v))
    }

    /// Whether the context has no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A request to evaluate: caller, action, resource, resource owner, and context.
///
/// Context keys that describe the caller (`aws:PrincipalArn`, `aws:PrincipalAccount`,
/// `aws:PrincipalType`, `aws:userid` where it can be known, `aws:username`,
/// `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName`) and `aws:ResourceAccount` are filled in
/// from the request when the context does not give them.
///
/// ```
/// use perimeter::eval::{Caller, Request};
///
/// let req = Request::builder(Caller::parse("arn:aws:iam::111122223333:user/alice")?, "s3:GetObject", "arn:aws:s3:::b/k")
///     .resource_account("444455556666")
///     .context("aws:SourceIp", "203.0.113.7")
///     .build();
/// assert_eq!(req.context().get("aws:username").and_then(|v| v.as_one()), Some("alice"));
/// assert!(!req.is_same_account());
/// # Ok::<(), perimeter::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    caller: Caller,
    action: String,
    /// The action folded to lowercase, for matching.
    action_folded: Box<str>,
    /// Hash of the folded service prefix (see `compile::service_hash`).
    action_service: u64,
    resource: String,
    /// Byte offsets of the resource's first five colons.
    resource_colons: smallvec::SmallVec<[usize; 5]>,
    resource_account: Option<String>,
    context: Context,
}

/// Builds a [`Request`].
#[derive(Clone, Debug)]
pub struct RequestBuilder {
    req: Request,
}

impl Request {
    /// Start building a request.
    pub fn builder(caller: Caller, action: &str, resource: &str) -> RequestBuilder {
        let folded = crate::pattern::fold_str(action);
        RequestBuilder {
            req: Request {
                caller,
                action: action.into(),
                action_service: crate::policy::compile::service_hash(&folded),
                action_folded: folded.into(),
                resource: resource.into(),
                resource_colons: crate::arn::colon_offsets(resource),
                resource_account: None,
                // Room for a few given keys and the ones `build` derives, at once.
                context: Context {
                    entries: Vec::with_capacity(10),
                },
            },
        }
    }

    /// The caller.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }
    /// The action, as given (`s3:GetObject`).
    pub fn action(&self) -> &str {
        &self.action
    }
    /// The resource ARN (or `*`).
    pub fn resource(&self) -> &str {
        &self.resource
    }
    #[inline]
    pub(crate) fn action_folded(&self) -> &str {
        &self.action_folded
    }
    #[inline]
    pub(crate) fn action_service(&self) -> u64 {
        self.action_service
    }
    #[inline]
    pub(crate) fn resource_colons(&self) -> &[usize] {
        &self.resource_colons
    }
    /// The account that owns the resource: as given, else the ARN's account field, else the
    /// caller's account (see `manual::evaluation`).
    pub fn resource_account(&self) -> Option<&str> {
        self.resource_account.as_deref()
    }
    /// The context, including derived keys.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Whether caller and resource are in the same account (false for callers without one).
    pub fn is_same_account(&self) -> bool {
        match (self.caller.account(), self.resource_account()) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

impl RequestBuilder {
    /// Set the account that owns the resource.
    pub fn resource_account(mut self, account: &str) -> RequestBuilder {
        self.req.resource_account = Some(account.into());
        self
    }

    /// Set a single-valued context key.
    pub fn context(mut self, key: &str, value: &str) -> RequestBuilder {
        self.req
            .context
            .insert(key, ContextValue::One(value.into()));
        self
    }

    /// Set a multivalued context key.
    pub fn context_many<S: AsRef<str>>(
        mut self,
        key: &str,
        values: impl IntoIterator<Item = S>,
    ) -> RequestBuilder {
        self.req.context.insert(
            key,
            ContextValue::Many(values.into_iter().map(|s| s.as_ref().to_string()).collect()),
        );
        self
    }

    /// Set a context key to a prepared value.
    pub fn context_value(mut self, key: &str, value: ContextValue) -> RequestBuilder {
        self.req.context.insert(key, value);
        self
    }

    /// Finish: derive the resource account and the caller-describing context keys.
    pub fn build(self) -> Request {
        let mut req = self.req;
        if req.resource_account.is_none() {
            req.resource_account = Arn::parse(&req.resource)
                .ok()
                .map(|a| a.account().to_string())
                .filter(|a| is_account_id(a))
                .or_else(|| req.caller.account().map(str::to_string));
        }
        // A role's path is not in a session ARN; take it from `aws:PrincipalArn` when given.
        if let Caller::Role { role_arn, .. } = &mut req.caller {
            if let Some(given) = req
                .context
                .get("aws:PrincipalArn")
                .and_then(ContextValue::as_one)
            {
                if given.contains(":role/") {
                    *role_arn = given.to_string();
                }
            }
        }
        let ctx = &mut req.context;
        let one = |s: &str| ContextValue::One(s.to_string());
        if let Some(a) = req.caller.principal_arn() {
            ctx.insert_known("aws:principalarn", "aws:PrincipalArn", ContextValue::One(a));
        }
        if let Some(a) = req.caller.account() {
            ctx.insert_known("aws:principalaccount", "aws:PrincipalAccount", one(a));
        }
        if let Some(t) = req.caller.principal_type() {
            ctx.insert_known("aws:principaltype", "aws:PrincipalType", one(t));
        }
        match &req.caller {
            Caller::Root { account, .. } => {
                ctx.insert_known("aws:userid", "aws:userid", one(account))
            }
            Caller::Anonymous => ctx.insert_known("aws:userid", "aws:userid", one("anonymous")),
            Caller::FederatedUser { account, name, .. } => ctx.insert_known(
                "aws:userid",
                "aws:userid",
                one(&format!("{account}:{name}")),
            ),
            Caller::User { name, .. } => {
                ctx.insert_known("aws:username", "aws:username", one(name))
            }
            _ => {}
        }
        match &req.caller {
            Caller::Service { name } => {
                ctx.insert_known(
                    "aws:principalisawsservice",
                    "aws:PrincipalIsAWSService",
                    one("true"),
                );
                ctx.insert_known(
                    "aws:principalservicename",
                    "aws:PrincipalServiceName",
                    one(name),
                );
            }
            c if c.is_iam_identity() => ctx.insert_known(
                "aws:principalisawsservice",
                "aws:PrincipalIsAWSService",
                one("false"),
            ),
            _ => {}
        }
        if let Some(a) = &req.resource_account {
            ctx.insert_known("aws:resourceaccount", "aws:ResourceAccount", one(a));
        }
        // Every AWS KMS request carries the caller's account (AWS KMS Developer Guide,
        // "kms:CallerAccount").
        if req
            .action
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("kms:"))
        {
            if let Some(a) = req.caller.account() {
                ctx.insert_known("kms:calleraccount", "kms:CallerAccount", one(a));
            }
        }
        req
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_callers() {
        assert_eq!(Caller::parse("anonymous").unwrap(), Caller::Anonymous);
        assert!(matches!(
            Caller::parse("111122223333").unwrap(),
            Caller::Root { .. }
        ));
        let s = Caller::parse("arn:aws:sts::111122223333:assumed-role/app/i-123").unwrap();
        assert_eq!(
            s.principal_arn().as_deref(),
            Some("arn:aws:iam::111122223333:role/app")
        );
        assert!(matches!(
            Caller::parse("lambda.amazonaws.com").unwrap(),
            Caller::Service { .. }
        ));
        assert!(matches!(
            Caller::parse("cognito-identity.amazonaws.com").unwrap(),
            Caller::Federated { .. }
        ));
        assert!(matches!(
            Caller::parse("arn:aws:iam::111122223333:saml-provider/okta").unwrap(),
            Caller::Federated { .. }
        ));
        assert!(Caller::parse("bob").is_err());
        assert!(Caller::parse("arn:aws:s3:::bucket").is_err());
        assert_eq!(
            Caller::parse("nope").unwrap_err().to_string(),
            "`nope` names no principal: expected `anonymous`, an account id, an iam user, role, session, federated-user or root arn, an identity provider, or a service principal"
        );
    }

    #[test]
    fn derives_context() {
        let r = Request::builder(
            Caller::parse("arn:aws:sts::111122223333:assumed-role/app/s").unwrap(),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        )
        .context(
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/team/app",
        )
        .build();
        assert_eq!(r.resource_account(), Some("111122223333"));
        assert!(r.is_same_account());
        let Caller::Role { role_arn, .. } = r.caller() else {
            panic!()
        };
        assert_eq!(role_arn, "arn:aws:iam::111122223333:role/team/app");
        assert_eq!(
            r.context()
                .get("AWS:PRINCIPALTYPE")
                .and_then(|v| v.as_one()),
            Some("AssumedRole")
        );
        assert_eq!(
            r.context()
                .get("aws:PrincipalIsAWSService")
                .and_then(|v| v.as_one()),
            Some("false")
        );
        let anon = Request::builder(Caller::Anonymous, "s3:GetObject", "arn:aws:s3:::b/k").build();
        assert_eq!(anon.resource_account(), None);
        assert!(anon.context().get("aws:PrincipalArn").is_none());
    }
}
