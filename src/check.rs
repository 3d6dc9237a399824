//! Custom policy checks, offline and exact: Access Analyzer's `CheckNoNewAccess`,
//! `CheckAccessNotGranted` and `CheckNoPublicAccess`.
//!
//! Each check asks whether some request exists with a property: allowed by a new policy and not
//! by an existing one; allowed and among the listed actions and resources; allowed for anyone
//! outside the resource's account with nothing pinning who they are. The question is decided
//! over the whole request space (callers, actions, resources, condition keys) by the symbolic
//! core, so a `PASS` is a proof, and a `FAIL` comes with a *counterexample*: a request in the
//! case format of `perimeter eval` ([`Case`](crate::eval::Case)) that the concrete evaluator was
//! run on before the answer was returned. When the two disagree, or when the answer depends on
//! something the analysis does not model, the check returns an error of kind
//! [`ErrorKind::Undecided`] rather than guess.
//!
//! ```
//! use perimeter::check::{check_no_new_access, Outcome, PolicyType};
//! use perimeter::policy::Policy;
//!
//! let existing = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [
//!     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}"#)?;
//! let new = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [
//!     {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::reports/*"}]}"#)?;
//! let result = check_no_new_access(&new, &existing, PolicyType::Identity)?;
//! assert_eq!(result.result, Outcome::Fail);
//! assert_eq!(result.reasons[0].statement_index, Some(0));
//! // The counterexample is a request `perimeter eval` allows under the new policy.
//! let case = result.counterexample.as_ref().and_then(|c| c["request"]["action"].as_str());
//! assert_eq!(case, Some("s3:PutObject"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `manual::checks` describes the request space, where the answers deliberately differ from
//! Access Analyzer's (which over-approximates: its `FAIL` means "might"), and what the
//! counterexamples contain.

mod access;
mod new_access;
mod public;
mod query;
mod resource_type;

pub use resource_type::AccessCheckResourceType;

use crate::analyze::Organization;
use crate::error::{quote, Error, ErrorKind};
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// The kind of policy a check reads (Access Analyzer's `AccessCheckPolicyType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PolicyType {
    /// An identity-based policy: the caller is the user or role that holds it.
    #[serde(rename = "IDENTITY_POLICY")]
    Identity,
    /// A resource-based policy: callers are named by its `Principal` elements.
    #[serde(rename = "RESOURCE_POLICY")]
    Resource,
}

impl PolicyType {
    /// `IDENTITY_POLICY` or `RESOURCE_POLICY`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PolicyType::Identity => "IDENTITY_POLICY",
            PolicyType::Resource => "RESOURCE_POLICY",
        }
    }

    /// Read Access Analyzer's spelling or a short form (`identity`, `resource`), ignoring case.
    pub fn parse(text: &str) -> Option<PolicyType> {
        match text.to_ascii_lowercase().replace('_', "-").as_str() {
            "identity-policy" | "identity" => Some(PolicyType::Identity),
            "resource-policy" | "resource" => Some(PolicyType::Resource),
            _ => None,
        }
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer of a check. `Fail` means the access in question exists (perimeter's checks are
/// exact: a `Fail` always has a counterexample).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(clippy::exhaustive_enums)]
pub enum Outcome {
    /// The policy does not grant the access in question.
    #[serde(rename = "PASS")]
    Pass,
    /// The policy grants the access in question.
    #[serde(rename = "FAIL")]
    Fail,
}

impl Outcome {
    /// `PASS` or `FAIL`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
        }
    }
}

/// A statement behind a `FAIL` (Access Analyzer's `ReasonSummary`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReasonSummary {
    /// What the statement does.
    pub description: String,
    /// The statement's position in the policy checked (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_index: Option<usize>,
    /// The statement's `Sid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_id: Option<String>,
}

/// The result of a check: `{"result", "message", "reasons", "counterexample"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CheckResult {
    /// `PASS` or `FAIL`.
    pub result: Outcome,
    /// One line saying what the result means.
    pub message: String,
    /// For `FAIL`, the statements that grant the access in question.
    pub reasons: Vec<ReasonSummary>,
    /// For `FAIL`, a request that shows it, in the case format of `perimeter eval` (with the
    /// checked policy in place); `null` for `PASS`.
    pub counterexample: Option<Value>,
}

impl CheckResult {
    /// Whether the result is `PASS`.
    pub fn is_pass(&self) -> bool {
        self.result == Outcome::Pass
    }

    /// The JSON form: `{"result", "message", "reasons", "counterexample"}`.
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The access that [`check_access_not_granted`] looks for (Access Analyzer's `Access`): actions,
/// resources, or both, each a list of at most 100 entries; wildcards (`*`, `?`) are allowed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Access {
    /// Actions (`s3:GetObject`, `iam:*`); empty means any action.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Resource ARNs or ARN patterns (`arn:aws:s3:::bucket/*`); empty means any resource.
    #[serde(default)]
    pub resources: Vec<String>,
}

impl Access {
    /// Access to these actions on any resource.
    pub fn actions<S: AsRef<str>>(actions: impl IntoIterator<Item = S>) -> Access {
        Access {
            actions: actions
                .into_iter()
                .map(|s| s.as_ref().to_string())
                .collect(),
            resources: Vec::new(),
        }
    }

    /// Restrict to these resources.
    pub fn on_resources<S: AsRef<str>>(mut self, resources: impl IntoIterator<Item = S>) -> Access {
        self.resources = resources
            .into_iter()
            .map(|s| s.as_ref().to_string())
            .collect();
        self
    }

    /// Check the lists against Access Analyzer's limits.
    ///
    /// # Errors
    /// [`ErrorKind::Input`] when both lists are empty, a list has more than 100 entries, an
    /// entry is empty, or a resource is longer than 2,048 characters.
    pub fn validate(&self) -> Result<(), Error> {
        let input = |m: String| Error::new(ErrorKind::Input, m);
        if self.actions.is_empty() && self.resources.is_empty() {
            return Err(input(
                "the access to check needs at least one action or resource".into(),
            ));
        }
        for (name, list) in [("actions", &self.actions), ("resources", &self.resources)] {
            if list.len() > MAX_ACCESS_ENTRIES {
                return Err(input(format!(
                    "the access to check lists {} {name}; at most {MAX_ACCESS_ENTRIES} are allowed",
                    list.len()
                )));
            }
            if let Some(i) = list.iter().position(|v| v.is_empty()) {
                return Err(input(format!(
                    "`{name}[{i}]` of the access to check is empty"
                )));
            }
        }
        if let Some(r) = self
            .resources
            .iter()
            .find(|r| r.chars().count() > MAX_RESOURCE_CHARS)
        {
            return Err(input(format!(
                "resource {} of the access to check is longer than {MAX_RESOURCE_CHARS} characters",
                quote(r)
            )));
        }
        if let Some(a) = self
            .actions
            .iter()
            .find(|a| a.chars().count() > MAX_ACTION_CHARS)
        {
            return Err(input(format!(
                "action {} of the access to check is longer than {MAX_ACTION_CHARS} characters",
                quote(a)
            )));
        }
        Ok(())
    }
}

/// Most actions, and most resources, in one [`Access`] (Access Analyzer's limit).
pub const MAX_ACCESS_ENTRIES: usize = 100;
/// Longest resource in an [`Access`] (Access Analyzer's limit).
pub const MAX_RESOURCE_CHARS: usize = 2048;
/// Longest action in an [`Access`].
pub const MAX_ACTION_CHARS: usize = 512;

/// How checks run: work budget and what is known about the organization.
///
/// ```
/// use perimeter::check::{Checker, Outcome, PolicyType};
/// use perimeter::policy::Policy;
///
/// let p = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}"#)?;
/// let r = Checker::new().no_new_access(&p, &p, PolicyType::Identity)?;
/// assert_eq!(r.result, Outcome::Pass);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Checker {
    /// Work allowed per check (search steps and string-automaton states); a check that needs
    /// more fails with [`ErrorKind::Limit`]. Default 4,000,000.
    pub budget: u64,
    /// The organization, when known: its members carry its id (`aws:PrincipalOrgID`) and their
    /// OU paths (`aws:PrincipalOrgPaths`), and other accounts do not. Access Analyzer knows
    /// nothing about organizations; see `manual::checks`.
    pub organization: Option<Organization>,
}

impl Default for Checker {
    fn default() -> Checker {
        Checker {
            budget: 4_000_000,
            organization: None,
        }
    }
}

impl Checker {
    /// A checker with the default budget and no organization.
    pub fn new() -> Checker {
        Checker::default()
    }

    /// With another budget.
    pub fn with_budget(mut self, budget: u64) -> Checker {
        self.budget = budget;
        self
    }

    /// With the organization's structure.
    pub fn with_organization(mut self, organization: Organization) -> Checker {
        self.organization = Some(organization);
        self
    }

    /// `CheckNoNewAccess`: `FAIL` iff some request is allowed by `new` and not by `existing`.
    ///
    /// # Errors
    /// A policy that does not compile; [`ErrorKind::Limit`] when the budget runs out;
    /// [`ErrorKind::Undecided`] when the answer depends on what the analysis does not model.
    pub fn no_new_access(
        &self,
        new: &Policy,
        existing: &Policy,
        policy_type: PolicyType,
    ) -> Result<CheckResult, Error> {
        let new = Arc::new(new.compile().map_err(|e| e.context("new policy: "))?);
        let existing = Arc::new(
            existing
                .compile()
                .map_err(|e| e.context("existing policy: "))?,
        );
        new_access::run(self, &new, &existing, policy_type)
    }

    /// `CheckAccessNotGranted`: `FAIL` iff the policy allows some listed action (any action when
    /// none are listed) on some listed resource (any resource when none are listed).
    ///
    /// # Errors
    /// [`ErrorKind::Input`] for an access list outside the limits (see [`Access::validate`]);
    /// otherwise as [`Checker::no_new_access`].
    pub fn access_not_granted(
        &self,
        policy: &Policy,
        access: &Access,
        policy_type: PolicyType,
    ) -> Result<CheckResult, Error> {
        access.validate()?;
        let policy = Arc::new(policy.compile()?);
        access::run(self, &policy, access, policy_type)
    }

    /// `CheckNoPublicAccess`: `FAIL` iff the resource policy, attached to a resource of this
    /// type, grants access to anyone: the same notion of public as the `isPublic` of external
    /// access findings (reference §2.5).
    ///
    /// # Errors
    /// As [`Checker::no_new_access`].
    pub fn no_public_access(
        &self,
        policy: &Policy,
        resource_type: AccessCheckResourceType,
    ) -> Result<CheckResult, Error> {
        let policy = Arc::new(policy.compile()?);
        public::run(self, &policy, resource_type)
    }
}

/// [`Checker::no_new_access`] with the default checker.
///
/// # Errors
/// As [`Checker::no_new_access`].
pub fn check_no_new_access(
    new: &Policy,
    existing: &Policy,
    policy_type: PolicyType,
) -> Result<CheckResult, Error> {
    Checker::new().no_new_access(new, existing, policy_type)
}

/// [`Checker::access_not_granted`] with the default checker.
///
/// ```
/// use perimeter::check::{check_access_not_granted, Access, Outcome, PolicyType};
/// use perimeter::policy::Policy;
///
/// let p = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
///     {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}]}"#)?;
/// let r = check_access_not_granted(&p, &Access::actions(["iam:PassRole"]), PolicyType::Identity)?;
/// assert_eq!(r.result, Outcome::Pass);
/// let r = check_access_not_granted(&p, &Access::actions(["iam:Create*"]), PolicyType::Identity)?;
/// assert_eq!(r.result, Outcome::Fail);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`Checker::access_not_granted`].
pub fn check_access_not_granted(
    policy: &Policy,
    access: &Access,
    policy_type: PolicyType,
) -> Result<CheckResult, Error> {
    Checker::new().access_not_granted(policy, access, policy_type)
}

/// [`Checker::no_public_access`] with the default checker.
///
/// ```
/// use perimeter::check::{check_no_public_access, AccessCheckResourceType, Outcome};
/// use perimeter::policy::Policy;
///
/// let p = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
///     "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*",
///     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}"#)?;
/// let r = check_no_public_access(&p, AccessCheckResourceType::SqsQueue)?;
/// assert_eq!(r.result, Outcome::Pass);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`Checker::no_public_access`].
pub fn check_no_public_access(
    policy: &Policy,
    resource_type: AccessCheckResourceType,
) -> Result<CheckResult, Error> {
    Checker::new().no_public_access(policy, resource_type)
}
