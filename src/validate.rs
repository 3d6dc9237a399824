//! Policy validation with Access Analyzer's checks, issue codes and locations.
//!
//! [`validate`] reads a policy document as text and returns a [`Report`] of [`Finding`]s, each
//! with Access Analyzer's issue code ([`IssueCode`]), finding type, a message that says what to
//! change (with a "did you mean" for unknown actions and condition keys, from the embedded
//! [`catalog`](crate::catalog)), the `learnMoreLink` of the check, and the exact [`Location`] of
//! the offending token: a path of `{"value": …}` / `{"index": …}` / `{"key": …}` steps and a span
//! of line, column and offset. It is what `aws accessanalyzer validate-policy` does, offline.
//!
//! Validation never fails and never panics, whatever the text: malformed JSON is a
//! `JSON_SYNTAX_ERROR` finding at the place the reader stopped, and an invalid policy (an
//! unknown element, a value of the wrong JSON type, a missing `Statement`) gets findings at the
//! elements concerned while the rest of the document is still checked.
//!
//! ```
//! use perimeter::validate::{validate, FindingType, IssueCode, PolicyType, ValidateOptions};
//!
//! let report = validate(
//!     r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!         "Action": ["sqs:SendMessage", "sqs:ReceiveMessages"], "Resource": "*"}]}"#,
//!     &ValidateOptions::new(PolicyType::Identity),
//! );
//! let finding = &report.findings[0];
//! assert_eq!(finding.issue_code, IssueCode::InvalidAction);
//! assert_eq!(finding.finding_type, FindingType::Error);
//! assert!(finding.finding_details.contains("sqs:ReceiveMessage"));
//! let span = finding.locations[0].span;
//! assert_eq!((span.start.line, span.start.column), (2, 38));
//! assert!(report.has_blocking_findings());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The checks, and the readings chosen where Access Analyzer's behaviour is not documented, are
//! described in `src/manual/validation.md`; [`IssueCode::ALL`] lists every code with its type.

mod action;
mod codes;
mod condition;
mod principal;
mod regions;
mod resource;
mod statement;
mod variable;
mod walk;

pub use codes::{FindingType, IssueCode, CHECK_REFERENCE_PAGE};

use crate::json::Span;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The kind of policy being validated (Access Analyzer's `policyType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// A policy attached to a user, group or role, or a permissions boundary or session policy
    /// (`IDENTITY_POLICY`).
    #[default]
    Identity,
    /// A resource-based policy: bucket, key, queue, topic, function policies, role trust
    /// policies (`RESOURCE_POLICY`).
    Resource,
    /// An AWS Organizations service control policy (`SERVICE_CONTROL_POLICY`).
    ServiceControl,
    /// An AWS Organizations resource control policy (`RESOURCE_CONTROL_POLICY`).
    ResourceControl,
}

impl PolicyType {
    /// Every policy type.
    pub const ALL: [PolicyType; 4] = [
        PolicyType::Identity,
        PolicyType::Resource,
        PolicyType::ServiceControl,
        PolicyType::ResourceControl,
    ];

    /// Access Analyzer's spelling (`IDENTITY_POLICY`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Identity => "IDENTITY_POLICY",
            PolicyType::Resource => "RESOURCE_POLICY",
            PolicyType::ServiceControl => "SERVICE_CONTROL_POLICY",
            PolicyType::ResourceControl => "RESOURCE_CONTROL_POLICY",
        }
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PolicyType {
    type Err = crate::Error;

    /// Access Analyzer's spelling, exactly.
    fn from_str(s: &str) -> Result<PolicyType, crate::Error> {
        PolicyType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                crate::Error::new(
                    crate::ErrorKind::Input,
                    format!(
                        "unknown policy type {}: expected `IDENTITY_POLICY`, `RESOURCE_POLICY`, `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`",
                        crate::error::quote(s)
                    ),
                )
            })
    }
}

/// The resource type of a resource policy, for the checks that depend on it (Access Analyzer's
/// `validatePolicyResourceType`). Other resource types: leave it out, and only the generic
/// resource-policy checks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyResourceType {
    /// `AWS::S3::Bucket`: a bucket policy.
    S3Bucket,
    /// `AWS::S3::AccessPoint`: an S3 access point policy.
    S3AccessPoint,
    /// `AWS::S3::MultiRegionAccessPoint`: a Multi-Region Access Point policy.
    S3MultiRegionAccessPoint,
    /// `AWS::S3ObjectLambda::AccessPoint`: an Object Lambda access point policy.
    S3ObjectLambdaAccessPoint,
    /// `AWS::IAM::AssumeRolePolicyDocument`: a role trust policy.
    IamAssumeRolePolicyDocument,
    /// `AWS::DynamoDB::Table`: a DynamoDB table (or stream) policy.
    DynamoDbTable,
}

impl PolicyResourceType {
    /// Every resource type.
    pub const ALL: [PolicyResourceType; 6] = [
        PolicyResourceType::S3Bucket,
        PolicyResourceType::S3AccessPoint,
        PolicyResourceType::S3MultiRegionAccessPoint,
        PolicyResourceType::S3ObjectLambdaAccessPoint,
        PolicyResourceType::IamAssumeRolePolicyDocument,
        PolicyResourceType::DynamoDbTable,
    ];

    /// CloudFormation's spelling, which Access Analyzer uses (`AWS::S3::Bucket`).
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyResourceType::S3Bucket => "AWS::S3::Bucket",
            PolicyResourceType::S3AccessPoint => "AWS::S3::AccessPoint",
            PolicyResourceType::S3MultiRegionAccessPoint => "AWS::S3::MultiRegionAccessPoint",
            PolicyResourceType::S3ObjectLambdaAccessPoint => "AWS::S3ObjectLambda::AccessPoint",
            PolicyResourceType::IamAssumeRolePolicyDocument => "AWS::IAM::AssumeRolePolicyDocument",
            PolicyResourceType::DynamoDbTable => "AWS::DynamoDB::Table",
        }
    }
}

impl fmt::Display for PolicyResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PolicyResourceType {
    type Err = crate::Error;

    /// The CloudFormation spelling, ignoring ASCII case.
    fn from_str(s: &str) -> Result<PolicyResourceType, crate::Error> {
        PolicyResourceType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                crate::Error::new(
                    crate::ErrorKind::Input,
                    format!(
                        "unknown resource type {}: expected one of {}",
                        crate::error::quote(s),
                        PolicyResourceType::ALL
                            .iter()
                            .map(|t| format!("`{t}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }
}

/// What to validate the text as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ValidateOptions {
    /// The kind of policy.
    pub policy_type: PolicyType,
    /// For resource policies, the resource type (turns on the checks specific to it). Ignored
    /// for other policy types.
    pub resource_type: Option<PolicyResourceType>,
}

impl ValidateOptions {
    /// Options for a policy type, without a resource type.
    pub fn new(policy_type: PolicyType) -> ValidateOptions {
        ValidateOptions {
            policy_type,
            resource_type: None,
        }
    }

    /// Options for a role trust policy: a resource policy of type
    /// `AWS::IAM::AssumeRolePolicyDocument`.
    pub fn trust_policy() -> ValidateOptions {
        ValidateOptions {
            policy_type: PolicyType::Resource,
            resource_type: Some(PolicyResourceType::IamAssumeRolePolicyDocument),
        }
    }

    /// The same options with a resource type.
    pub fn with_resource_type(mut self, resource_type: PolicyResourceType) -> ValidateOptions {
        self.resource_type = Some(resource_type);
        self
    }

    /// The resource type, when the policy type is a resource policy.
    pub(crate) fn resource_type(&self) -> Option<PolicyResourceType> {
        match self.policy_type {
            PolicyType::Resource => self.resource_type,
            _ => None,
        }
    }

    /// Whether this is a role trust policy.
    pub(crate) fn is_trust(&self) -> bool {
        self.resource_type() == Some(PolicyResourceType::IamAssumeRolePolicyDocument)
    }
}

/// One step of a [`Location`]'s path, as Access Analyzer writes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathElement {
    /// `{"index": n}`: the n-th element of an array (0-based).
    Index(usize),
    /// `{"key": k}`: the key token `k` of an object itself (for findings about the key, such as
    /// an unknown element or condition key).
    Key(String),
    /// `{"value": k}`: the value of the object member `k`.
    Value(String),
    /// `{"substring": {"start": s, "length": n}}`: a slice of a string, in characters. Part of
    /// Access Analyzer's format; this validator points at whole strings and does not emit it.
    Substring {
        /// First character of the slice.
        start: usize,
        /// Number of characters.
        length: usize,
    },
}

impl Serialize for PathElement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            PathElement::Index(i) => map.serialize_entry("index", i)?,
            PathElement::Key(k) => map.serialize_entry("key", k)?,
            PathElement::Value(v) => map.serialize_entry("value", v)?,
            PathElement::Substring { start, length } => {
                map.serialize_entry("substring", &SubstringRef(*start, *length))?
            }
        }
        map.end()
    }
}

struct SubstringRef(usize, usize);

impl Serialize for SubstringRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Substring", 2)?;
        s.serialize_field("start", &self.0)?;
        s.serialize_field("length", &self.1)?;
        s.end()
    }
}

/// Where a finding is: a path through the document and the span of the token.
///
/// The span covers the token, quotes included: for a string `"s3:GetObjet"` at the start of
/// line 3 after four spaces, `start` is line 3, column 4, and `end` is column 17. Lines are
/// 1-based; columns are 0-based and count characters; offsets are 0-based and count bytes of
/// the UTF-8 text (the same as characters for ASCII text). Findings about the whole document
/// (`MISSING_VERSION`, `MISSING_STATEMENT`) have an empty path and span the whole text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// From the root of the document to the value or key.
    pub path: Vec<PathElement>,
    /// The token.
    pub span: Span,
}

impl Location {
    /// The path as a readable string: `Statement[0].Action[1]`, with keys of the `{"key": …}`
    /// form in braces (`Statement[0].{Effct}`).
    pub fn path_string(&self) -> String {
        let mut out = String::new();
        for el in &self.path {
            match el {
                PathElement::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
                PathElement::Value(v) | PathElement::Key(v) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    if matches!(el, PathElement::Key(_)) {
                        out.push('{');
                        out.push_str(v);
                        out.push('}');
                    } else {
                        out.push_str(v);
                    }
                }
                PathElement::Substring { start, length } => {
                    out.push_str(&format!("[{start}..{}]", start + length));
                }
            }
        }
        out
    }
}

impl Serialize for Location {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Location", 2)?;
        s.serialize_field("path", &self.path)?;
        s.serialize_field("span", &SpanRef(&self.span))?;
        s.end()
    }
}

struct SpanRef<'a>(&'a Span);
struct PositionRef<'a>(&'a crate::json::Position);

impl Serialize for SpanRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Span", 2)?;
        s.serialize_field("start", &PositionRef(&self.0.start))?;
        s.serialize_field("end", &PositionRef(&self.0.end))?;
        s.end()
    }
}

impl Serialize for PositionRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Position", 3)?;
        s.serialize_field("line", &self.0.line)?;
        s.serialize_field("column", &self.0.column)?;
        s.serialize_field("offset", &self.0.offset)?;
        s.end()
    }
}

/// One finding: Access Analyzer's `ValidatePolicyFinding`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// `ERROR`, `SECURITY_WARNING`, `WARNING` or `SUGGESTION` (always `issue_code`'s type).
    pub finding_type: FindingType,
    /// The check.
    pub issue_code: IssueCode,
    /// What is wrong and what to do, in one or two sentences.
    pub finding_details: String,
    /// The check's section of the IAM User Guide's check reference.
    pub learn_more_link: String,
    /// Where (at least one location).
    pub locations: Vec<Location>,
}

impl Finding {
    /// A finding of `code` with its type and link.
    pub fn new(code: IssueCode, details: impl Into<String>, locations: Vec<Location>) -> Finding {
        Finding {
            finding_type: code.finding_type(),
            issue_code: code,
            finding_details: details.into(),
            learn_more_link: code.learn_more_link(),
            locations,
        }
    }
}

impl Serialize for Finding {
    /// Access Analyzer's field names: `findingType`, `issueCode`, `findingDetails`,
    /// `learnMoreLink`, `locations`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("ValidatePolicyFinding", 5)?;
        s.serialize_field("findingType", self.finding_type.as_str())?;
        s.serialize_field("issueCode", self.issue_code.as_str())?;
        s.serialize_field("findingDetails", &self.finding_details)?;
        s.serialize_field("learnMoreLink", &self.learn_more_link)?;
        s.serialize_field("locations", &self.locations)?;
        s.end()
    }
}

/// The result of [`validate`]: the findings, ordered by where they are in the document (the
/// start of their first location), then by issue code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The findings.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether any finding is an `ERROR` or a `SECURITY_WARNING` (what `perimeter validate`
    /// exits 1 for).
    pub fn has_blocking_findings(&self) -> bool {
        self.findings.iter().any(|f| f.finding_type.is_blocking())
    }

    /// How many findings have this type.
    pub fn count(&self, finding_type: FindingType) -> usize {
        self.findings
            .iter()
            .filter(|f| f.finding_type == finding_type)
            .count()
    }

    /// The findings with this issue code.
    pub fn with_code(&self, code: IssueCode) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.issue_code == code)
    }

    /// `{"findings": […]}`, as Access Analyzer's `ValidatePolicy` response (without `nextToken`).
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("ValidatePolicyResponse", 1)?;
        s.serialize_field("findings", &self.findings)?;
        s.end()
    }
}

/// Validate a policy document.
///
/// Never fails and never panics: every problem, including text that is not JSON, is a finding.
/// Documents larger than 1 MiB or nested deeper than 64 levels are not read (a
/// `JSON_SYNTAX_ERROR` finding says so). The text must be the policy document itself: JSON
/// strings holding a policy and the wrappers of AWS CLI output (`{"Policy": "…"}`) are not
/// unwrapped, because locations must point into the text as given.
pub fn validate(text: &str, options: &ValidateOptions) -> Report {
    let mut findings = walk::run(text, options, statement::check_all);
    findings.sort_by(|a, b| {
        let ka = a.locations.first().map_or(0, |l| l.span.start.offset);
        let kb = b.locations.first().map_or(0, |l| l.span.start.offset);
        ka.cmp(&kb)
            .then_with(|| a.issue_code.as_str().cmp(b.issue_code.as_str()))
    });
    Report { findings }
}
