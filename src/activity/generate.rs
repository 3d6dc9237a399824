//! Policy generation: least-privilege identity policies for a principal from the actions it
//! used, as Access Analyzer's `GetGeneratedPolicy` returns them (IAM User Guide, "IAM Access
//! Analyzer policy generation").
//!
//! Every action the principal used in the time range (denied attempts included, as Access
//! Analyzer reads every event) that the service reference knows is granted. Resources are ARN
//! templates with `${Placeholder}` segments built from the reference's ARN formats (the
//! partition filled in from the principal's ARN), or the ARNs the events named when asked;
//! actions without resource-level permissions get `"*"`. Actions with the same resources share a
//! statement, and the statements are split into several policies so that none is longer than
//! 6,144 characters without whitespace (IAM's limit for a managed policy, IAM User Guide, "IAM
//! and AWS STS quotas"). The choices are in `src/manual/activity.md`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::options::OptionsError;
use super::summary::ActivitySummary;
use super::time::Timestamp;
use crate::catalog::{Action, ArnFormat, ArnSegment, Catalog};
use crate::json::Span;
use crate::policy::{Effect, ListElement, Policy, Spanned, Statement, Values, Version};

/// Longest policy, in characters not counting whitespace (IAM's managed policy size quota).
pub const MAX_POLICY_CHARS: usize = 6_144;

/// What the logs cannot show, said in every generation's notes.
const LIMITATIONS: &[&str] = &[
    "iam:PassRole is never logged by CloudTrail, so it is never generated: add it for the roles this principal passes to services",
    "data events (S3 object operations, Lambda Invoke, DynamoDB items, SQS messages, …) are generated only when the trail logs data events",
    "conditions are never generated",
];

/// Said when denied calls count.
const DENIED_INCLUDED: &str =
    "denied calls are generated too, as Access Analyzer generates them; they can be left out";

/// The settings of a generation.
#[derive(Clone, Debug)]
pub struct GenerateOptions {
    /// Use at or after this counts.
    pub start: Timestamp,
    /// Use after this is ignored.
    pub end: Timestamp,
    /// Whether resources are the ARNs the events named rather than templates.
    pub observed_resources: bool,
    /// Whether denied attempts count as use (Access Analyzer's generation reads them; default).
    pub count_denied: bool,
}

impl GenerateOptions {
    /// Options for the `days` days before `end`.
    ///
    /// # Errors
    /// When `days` is not between 1 and 90 (Access Analyzer's longest time range for policy
    /// generation, IAM User Guide, "IAM Access Analyzer policy generation").
    pub fn new(end: Timestamp, days: u32) -> Result<GenerateOptions, OptionsError> {
        if !(1..=90).contains(&days) {
            return Err(OptionsError::new(format!(
                "the time range must be 1 to 90 days, not `{days}`"
            )));
        }
        Ok(GenerateOptions {
            start: end.minus_days(days),
            end,
            observed_resources: false,
            count_denied: true,
        })
    }
}

/// `cloudTrailProperties`: the time range read (the trails themselves are files here).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeRange {
    /// `startTime`.
    pub start_time: Timestamp,
    /// `endTime`.
    pub end_time: Timestamp,
}

/// `generatedPolicyResult.properties`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedPolicyProperties {
    /// `isComplete`: false when some used actions could not be generated (unknown to the service
    /// reference) or the activity was truncated at its bounds.
    pub is_complete: bool,
    /// `principalArn`.
    pub principal_arn: String,
    /// `cloudTrailProperties`.
    pub cloud_trail_properties: TimeRange,
}

/// One element of `generatedPolicies`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedPolicy {
    /// The policy as compact JSON text.
    pub policy: String,
}

/// `generatedPolicyResult`, in Access Analyzer's shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedPolicies {
    /// `properties`.
    pub properties: GeneratedPolicyProperties,
    /// `generatedPolicies`: one or more policies, each within [`MAX_POLICY_CHARS`].
    pub generated_policies: Vec<GeneratedPolicy>,
}

/// One generated action with its resources, for reading (the table of the CLI).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedAction {
    /// `prefix:Name` as the service reference writes it.
    pub action: String,
    /// The `Resource` values granted for it.
    pub resources: Vec<String>,
    /// Its last use in the range.
    pub last_used: Timestamp,
    /// How many events used it.
    pub count: u64,
}

/// What a generation could not do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationNotes {
    /// What no generation from CloudTrail can produce.
    pub limitations: Vec<&'static str>,
    /// Used actions the service reference does not know, left out of the policies.
    pub unknown_actions: Vec<String>,
    /// With observed resources: actions granted on a `${Placeholder}` template because no
    /// event named a resource of a type they need, or more resources were seen than are kept.
    pub placeholders: Vec<String>,
    /// Whether the activity was truncated at its bounds (some use may be missing).
    pub truncated: bool,
}

/// The result of [`generate_policies`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyGeneration {
    /// Access Analyzer's `generatedPolicyResult`.
    pub generated_policy_result: GeneratedPolicies,
    /// The actions granted, sorted.
    pub actions: Vec<GeneratedAction>,
    /// What could not be generated.
    pub notes: GenerationNotes,
}

impl PolicyGeneration {
    /// The generated policies as JSON values (each is valid policy JSON).
    pub fn policies(&self) -> Vec<serde_json::Value> {
        self.generated_policy_result
            .generated_policies
            .iter()
            .filter_map(|p| serde_json::from_str(&p.policy).ok())
            .collect()
    }
}

/// The size IAM counts: characters other than whitespace.
pub(crate) fn policy_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// A format with `${Partition}` filled in, other placeholders kept (`${Region}`, `${Account}`, …).
fn template(format: ArnFormat<'_>, partition: &str) -> String {
    let mut out = String::new();
    for segment in format.segments() {
        match segment {
            ArnSegment::Literal(text) => out.push_str(text),
            ArnSegment::Placeholder("Partition") => out.push_str(partition),
            ArnSegment::Placeholder(name) => {
                out.push_str("${");
                out.push_str(name);
                out.push('}');
            }
            ArnSegment::Wildcard => out.push('*'),
        }
    }
    out
}

/// Use of one action, gathered over the recorded spellings of its name.
struct Used<'s> {
    last: Timestamp,
    count: u64,
    arns: BTreeSet<&'s str>,
    truncated: bool,
}

/// The `Resource` values for one action, and whether a template stands in for observed ARNs.
fn resources_for(
    action: Action<'_>,
    used: &Used<'_>,
    partition: &str,
    observed: bool,
) -> (Vec<String>, bool) {
    let types: Vec<_> = action
        .resource_types()
        .filter_map(|r| Some((r.resource_type()?, r.is_required())))
        .collect();
    if types.is_empty() {
        return (vec!["*".to_owned()], false);
    }
    // The types the action needs: those the reference marks required, and those the events
    // named; all of them when neither says.
    let named = |t: &crate::catalog::ResourceType<'_>| used.arns.iter().any(|a| t.matches_arn(a));
    let mut chosen: Vec<_> = types
        .iter()
        .filter(|(t, required)| *required || named(t))
        .map(|(t, _)| *t)
        .collect();
    if chosen.is_empty() {
        chosen = types.iter().map(|(t, _)| *t).collect();
    }
    let mut out: Vec<String> = Vec::new();
    let mut placeholder = false;
    for t in chosen {
        let arns: Vec<&str> = if observed && !used.truncated {
            used.arns
                .iter()
                .copied()
                .filter(|a| t.matches_arn(a))
                .collect()
        } else {
            Vec::new()
        };
        if arns.is_empty() {
            placeholder |= observed;
            for f in t.arn_formats() {
                out.push(template(f, partition));
            }
        } else {
            out.extend(arns.into_iter().map(str::to_owned));
        }
    }
    let mut seen = BTreeSet::new();
    out.retain(|r| seen.insert(r.clone()));
    (out, placeholder)
}

fn statement(actions: &[String], resources: &[String]) -> Statement {
    let mut resource = Values::list(resources);
    resource.scalar = resources.len() == 1;
    Statement {
        sid: None,
        effect: Spanned::bare(Effect::Allow),
        principal: None,
        action: ListElement {
            negated: false,
            values: Values::list(actions),
            span: Span::default(),
        },
        resource: Some(ListElement {
            negated: false,
            values: resource,
            span: Span::default(),
        }),
        condition: Vec::new(),
        has_condition: false,
        span: Span::default(),
    }
}

fn policy_of(statements: Vec<Statement>) -> Policy {
    Policy {
        version: Some(Spanned::bare(Version::V2012_10_17)),
        id: None,
        statements,
        statement_is_array: true,
        span: Span::default(),
    }
}

/// Characters a statement adds to a policy (without the separating comma).
fn statement_chars(s: &Statement, envelope: usize) -> usize {
    policy_chars(&policy_of(vec![s.clone()]).to_json()).saturating_sub(envelope)
}

/// Splits a statement that alone would exceed the limit: its actions in halves, then its
/// resources. A statement of one action and one resource is kept whole (an ARN is at most a few
/// thousand characters, so this cannot exceed the limit in practice).
fn fit(actions: &[String], resources: &[String], envelope: usize, out: &mut Vec<Statement>) {
    let s = statement(actions, resources);
    if envelope + statement_chars(&s, envelope) <= MAX_POLICY_CHARS
        || (actions.len() <= 1 && resources.len() <= 1)
    {
        out.push(s);
        return;
    }
    if actions.len() > 1 {
        let (a, b) = actions.split_at(actions.len() / 2);
        fit(a, resources, envelope, out);
        fit(b, resources, envelope, out);
    } else {
        let (a, b) = resources.split_at(resources.len() / 2);
        fit(actions, a, envelope, out);
        fit(actions, b, envelope, out);
    }
}

/// Packs statements, in order, into as few policies within the limit as a greedy pass gives.
fn pack(statements: Vec<Statement>) -> Vec<Policy> {
    let envelope = policy_chars(&policy_of(Vec::new()).to_json());
    let mut policies = Vec::new();
    let mut current: Vec<Statement> = Vec::new();
    let mut size = envelope;
    for s in statements {
        let add = statement_chars(&s, envelope);
        let comma = usize::from(!current.is_empty());
        if !current.is_empty() && size + comma + add > MAX_POLICY_CHARS {
            policies.push(policy_of(std::mem::take(&mut current)));
            size = envelope;
        }
        size += usize::from(!current.is_empty()) + add;
        current.push(s);
    }
    if !current.is_empty() {
        policies.push(policy_of(current));
    }
    policies
}

/// Generates identity policies for `principal_arn` (a role, role session, user or root ARN)
/// from its activity in `summary`. The result names the role or user (a session ARN gives its
/// role, with the path when the logs showed it).
///
/// The summary should hold the events of the time range (read it with
/// [`ReadOptions::not_before`](super::ReadOptions::not_before) and `not_after`); actions whose
/// last use is outside the range are left out.
///
/// ```
/// use perimeter::activity::{generate_policies, ActivitySummary, GenerateOptions, Timestamp};
///
/// let now = Timestamp::parse("2024-05-01T00:00:00Z")?;
/// let role = "arn:aws:iam::111122223333:role/app";
/// let mut activity = ActivitySummary::new();
/// activity.record_action(role, "s3:ListAllMyBuckets", Timestamp::parse("2024-04-20T00:00:00Z")?, false);
/// activity.record_action(role, "sqs:DeleteQueue", Timestamp::parse("2024-04-21T00:00:00Z")?, false);
/// let generated = generate_policies(&activity, role, &GenerateOptions::new(now, 90)?);
/// let policies = &generated.generated_policy_result.generated_policies;
/// assert_eq!(
///     policies[0].policy,
///     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":"*"},{"Effect":"Allow","Action":["sqs:DeleteQueue"],"Resource":"arn:aws:sqs:${Region}:${Account}:${QueueName}"}]}"#
/// );
/// assert!(generated.generated_policy_result.properties.is_complete);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn generate_policies(
    summary: &ActivitySummary,
    principal_arn: &str,
    options: &GenerateOptions,
) -> PolicyGeneration {
    let catalog = Catalog::embedded();
    let partition = principal_arn
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|p| !p.is_empty())
        .unwrap_or("aws");
    let mut limitations = LIMITATIONS.to_vec();
    if options.count_denied {
        limitations.push(DENIED_INCLUDED);
    }
    let mut notes = GenerationNotes {
        limitations,
        truncated: summary.truncated(),
        ..GenerationNotes::default()
    };
    let activity = summary.principal(principal_arn);
    // The role or user itself (a session ARN names its role), with its path when the logs
    // showed it.
    let principal = match super::principal::PrincipalRef::from_arn(principal_arn) {
        Some(p) if p.path.is_none() => summary.principal_arn(&p.key),
        _ => principal_arn.to_owned(),
    };
    notes.truncated |= activity.is_some_and(|a| a.truncated);

    // Canonical action → (action, use); several recorded spellings fold into one.
    let mut used: BTreeMap<String, (Action<'_>, Used<'_>)> = BTreeMap::new();
    let mut unknown = BTreeSet::new();
    for (name, u) in activity.iter().flat_map(|a| a.actions.iter()) {
        let Some(last) = u
            .usage
            .last_use(options.count_denied)
            .filter(|t| *t >= options.start && *t <= options.end)
        else {
            continue;
        };
        let Some(action) = catalog.action(name) else {
            unknown.insert(name.clone());
            continue;
        };
        let entry = used.entry(action.full_name()).or_insert_with(|| {
            (
                action,
                Used {
                    last,
                    count: 0,
                    arns: BTreeSet::new(),
                    truncated: false,
                },
            )
        });
        entry.1.last = entry.1.last.max(last);
        entry.1.count = entry.1.count.saturating_add(u.usage.count);
        entry.1.arns.extend(u.resources.arns());
        entry.1.truncated |= u.resources.is_truncated();
    }
    notes.unknown_actions = unknown.into_iter().collect();

    let mut actions = Vec::with_capacity(used.len());
    // Resources → actions, for one statement per distinct resource list.
    let mut groups: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (name, (action, u)) in &used {
        let (resources, placeholder) =
            resources_for(*action, u, partition, options.observed_resources);
        if placeholder {
            notes.placeholders.push(name.clone());
        }
        groups
            .entry(resources.clone())
            .or_default()
            .push(name.clone());
        actions.push(GeneratedAction {
            action: name.clone(),
            resources,
            last_used: u.last,
            count: u.count,
        });
    }
    // Statements in the order of their first action.
    let mut ordered: Vec<(Vec<String>, Vec<String>)> =
        groups.into_iter().map(|(r, a)| (a, r)).collect();
    ordered.sort();
    let envelope = policy_chars(&policy_of(Vec::new()).to_json());
    let mut statements = Vec::new();
    for (acts, resources) in &ordered {
        fit(acts, resources, envelope, &mut statements);
    }
    let generated_policies = pack(statements)
        .iter()
        .map(|p| GeneratedPolicy {
            policy: p.to_json(),
        })
        .collect();
    let is_complete = notes.unknown_actions.is_empty() && !notes.truncated;
    PolicyGeneration {
        generated_policy_result: GeneratedPolicies {
            properties: GeneratedPolicyProperties {
                is_complete,
                principal_arn: principal,
                cloud_trail_properties: TimeRange {
                    start_time: options.start,
                    end_time: options.end,
                },
            },
            generated_policies,
        },
        actions,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn options_bounds() {
        let now = t("2024-05-01T00:00:00Z");
        assert_eq!(
            GenerateOptions::new(now, 91).unwrap_err().to_string(),
            "the time range must be 1 to 90 days, not `91`"
        );
        assert_eq!(
            GenerateOptions::new(now, 90).unwrap().start,
            t("2024-02-01T00:00:00Z")
        );
    }

    #[test]
    fn templates_fill_the_partition_only() {
        let c = Catalog::embedded();
        let f = c
            .service("logs")
            .and_then(|s| s.resource_type("log-stream"))
            .and_then(|r| r.arn_formats().next())
            .unwrap();
        assert_eq!(
            template(f, "aws-cn"),
            "arn:aws-cn:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"
        );
    }

    #[test]
    fn out_of_range_and_unknown_actions() {
        let role = "arn:aws:iam::111122223333:role/app";
        let mut s = ActivitySummary::new();
        s.record_action(
            role,
            "s3:ListAllMyBuckets",
            t("2023-01-01T00:00:00Z"),
            false,
        );
        s.record_action(role, "made:Up", t("2024-04-01T00:00:00Z"), false);
        let g = generate_policies(
            &s,
            role,
            &GenerateOptions::new(t("2024-05-01T00:00:00Z"), 90).unwrap(),
        );
        assert!(g.generated_policy_result.generated_policies.is_empty());
        assert_eq!(g.notes.unknown_actions, ["made:Up"]);
        assert!(!g.generated_policy_result.properties.is_complete);
    }

    #[test]
    fn split_past_the_size_limit() {
        let role = "arn:aws:iam::111122223333:role/app";
        let mut s = ActivitySummary::new();
        let c = Catalog::embedded();
        let mut n = 0;
        for service in ["ec2", "iam", "s3"] {
            for a in c.service(service).unwrap().actions() {
                s.record_action(role, &a.full_name(), t("2024-04-01T00:00:00Z"), false);
                n += 1;
            }
        }
        let g = generate_policies(
            &s,
            role,
            &GenerateOptions::new(t("2024-05-01T00:00:00Z"), 90).unwrap(),
        );
        let policies = &g.generated_policy_result.generated_policies;
        assert!(policies.len() > 5, "{}", policies.len());
        // Every (action, resource) pair once; an action with very many resource types may be
        // split over statements by its resources.
        let mut pairs = BTreeSet::new();
        let mut granted = BTreeSet::new();
        for p in policies {
            assert!(policy_chars(&p.policy) <= MAX_POLICY_CHARS);
            let parsed = Policy::parse(&p.policy).unwrap();
            for s in &parsed.statements {
                for a in s.action.values.iter() {
                    granted.insert(a.to_owned());
                    for r in s.resource.as_ref().unwrap().values.iter() {
                        assert!(pairs.insert((a.to_owned(), r.to_owned())), "{a} {r}");
                    }
                }
            }
        }
        assert_eq!(granted.len(), n);
        let expected: usize = g.actions.iter().map(|a| a.resources.len()).sum();
        assert_eq!(pairs.len(), expected);
        assert_eq!(g.actions.len(), n);
    }
}
