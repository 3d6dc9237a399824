//! Recommendations for unused permissions: per attached policy, detach it when none of its
//! grants were used, or replace it by a refined policy that keeps its structure and removes only
//! the unused actions (Access Analyzer's `GetFindingRecommendation`, IAM Access Analyzer API
//! Reference, "UnusedPermissionsRecommendedStep").
//!
//! The refinement keeps every statement, `Sid`, `Resource`/`NotResource`, `Condition` and `Deny`
//! as written. In an `Allow` statement's `Action` list, an unused literal action is dropped; a
//! wildcard stays as written when every action it covers counts as used, and is otherwise
//! replaced by the actions it covers that count as used. A `NotAction` statement whose grants
//! are partly unused becomes an `Action` statement listing what stays. A statement left with no
//! action is dropped; a policy left with no statement is detached. The reading is in
//! `src/manual/activity.md`.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Serialize;

use super::authz::{AppliedPolicy, AuthorizationDetails, PolicySource};
use super::grants::{canonical, expand, granted, has_wildcard, prefix_of, UseJudge};
use super::options::UnusedAccessOptions;
use super::summary::PrincipalActivity;
use super::time::Timestamp;
use crate::catalog::Catalog;
use crate::pattern::{Case, Pattern};
use crate::policy::{Effect, ListElement, Policy, Statement, Values};

/// `recommendedAction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecommendedAction {
    /// Replace the policy by `recommendedPolicy`.
    CreatePolicy,
    /// Detach the policy: none of its grants were used.
    DetachPolicy,
}

/// `unusedPermissionsRecommendedStep`: what to do with one policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedPermissionsRecommendedStep {
    /// `CREATE_POLICY` or `DETACH_POLICY`.
    pub recommended_action: RecommendedAction,
    /// The refined policy, as compact JSON text (for `CREATE_POLICY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_policy: Option<String>,
    /// The policy to replace or detach: the ARN of a managed policy, the name of an inline one.
    pub existing_policy_id: String,
    /// When the managed policy was last updated (`UpdateDate`), when the export says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_updated_at: Option<Timestamp>,
}

/// One element of `recommendedSteps` (a union with one member in Access Analyzer's API).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RecommendedStep {
    /// `unusedPermissionsRecommendedStep`.
    UnusedPermissionsRecommendedStep(UnusedPermissionsRecommendedStep),
}

/// A recommendation for an `UnusedPermission` finding, in the shape of Access Analyzer's
/// `GetFindingRecommendation` response (without the job fields `startedAt`, `completedAt` and
/// `nextToken`: the analysis is not a job).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingRecommendation {
    /// The role or user.
    pub resource_arn: String,
    /// Always `UnusedPermissionRecommendation`.
    pub recommendation_type: &'static str,
    /// Always `SUCCEEDED`.
    pub status: &'static str,
    /// One step per policy to change.
    pub recommended_steps: Vec<RecommendedStep>,
    /// Not in Access Analyzer's shape: the principal's policies that were not refined, by id,
    /// with the reason (attached through a group, missing from the export, not parsable).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub not_refined: BTreeMap<String, String>,
}

/// What to do with one policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refinement {
    /// Every grant counts as used: keep the policy.
    Unchanged,
    /// None of its grants were used: detach it.
    Detach,
    /// Replace it by this policy, which grants only what counts as used.
    Replace(Policy),
}

/// The refinement of one policy, with the granted actions it takes away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRefinement {
    /// What to do.
    pub refinement: Refinement,
    /// The granted actions that count as unused and are no longer granted (canonical
    /// `prefix:Name`), sorted.
    pub removed: BTreeSet<String>,
}

/// The recommendation for one policy of a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRecommendation {
    /// Where the policy comes from.
    pub source: PolicySource,
    /// When the managed policy was last updated, if the export says.
    pub policy_updated_at: Option<Timestamp>,
    /// The refinement (never [`Refinement::Unchanged`] here).
    pub refinement: PolicyRefinement,
    /// The service prefixes of the removed actions: the findings this step belongs to.
    pub services: BTreeSet<String>,
}

impl PolicyRecommendation {
    /// The step in Access Analyzer's shape.
    pub fn step(&self) -> RecommendedStep {
        let (recommended_action, recommended_policy) = match &self.refinement.refinement {
            Refinement::Replace(p) => (RecommendedAction::CreatePolicy, Some(p.to_json())),
            Refinement::Detach | Refinement::Unchanged => (RecommendedAction::DetachPolicy, None),
        };
        RecommendedStep::UnusedPermissionsRecommendedStep(UnusedPermissionsRecommendedStep {
            recommended_action,
            recommended_policy,
            existing_policy_id: self.source.id().to_owned(),
            policy_updated_at: self.policy_updated_at,
        })
    }
}

/// The recommendations for one role or user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrincipalRecommendations {
    /// The role or user ARN.
    pub principal_arn: String,
    /// The policies to replace or detach, in the order they apply to the principal.
    pub policies: Vec<PolicyRecommendation>,
    /// Policies that were not refined, by id, with the reason (attached through a group, not
    /// in the export, not parsable).
    pub not_refined: BTreeMap<String, String>,
    /// `steps[i]` is `policies[i].step()`, serialized once (a principal with many findings
    /// would otherwise serialize each refined policy once per finding).
    steps: Vec<RecommendedStep>,
}

impl PrincipalRecommendations {
    /// The recommendation for the principal's `UnusedPermission` finding of `service`: the steps
    /// of the policies that take away some action of that service. A policy that grants several
    /// services appears in each of their findings with the same step, which removes the unused
    /// actions of all of them.
    pub fn for_service(&self, service: &str) -> FindingRecommendation {
        let service = service.to_ascii_lowercase();
        self.recommendation(|p| p.services.contains(&service))
    }

    /// Every step, for all services.
    pub fn all(&self) -> FindingRecommendation {
        self.recommendation(|_| true)
    }

    fn recommendation(
        &self,
        keep: impl Fn(&PolicyRecommendation) -> bool,
    ) -> FindingRecommendation {
        FindingRecommendation {
            resource_arn: self.principal_arn.clone(),
            recommendation_type: "UnusedPermissionRecommendation",
            status: "SUCCEEDED",
            recommended_steps: self
                .policies
                .iter()
                .filter(|p| keep(p))
                .map(PolicyRecommendation::step)
                .collect(),
            not_refined: self.not_refined.clone(),
        }
    }
}

/// Refines one policy for a principal whose activity is `activity` (none: nothing was used),
/// judging use over the tracking period of `options`.
///
/// ```
/// use perimeter::activity::{refine_policy, ActivitySummary, Refinement, Timestamp, UnusedAccessOptions};
/// use perimeter::policy::Policy;
///
/// let now = Timestamp::parse("2024-05-01T00:00:00Z")?;
/// let role = "arn:aws:iam::111122223333:role/app";
/// let mut activity = ActivitySummary::new();
/// activity.record_action(role, "ec2:DescribeInstances", Timestamp::parse("2024-04-20T00:00:00Z")?, false);
/// let policy = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [
///     {"Sid": "Read", "Effect": "Allow", "Action": ["ec2:Describe*", "iam:ListRoles"], "Resource": "*"}]}"#)?;
/// let refined = refine_policy(&policy, activity.principal(role), &UnusedAccessOptions::new(now, 90)?);
/// let Refinement::Replace(new) = refined.refinement else { return Err("expected a refined policy".into()) };
/// assert_eq!(
///     new.to_json(),
///     r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["ec2:DescribeInstances"],"Resource":"*"}]}"#
/// );
/// assert!(refined.removed.contains("iam:ListRoles"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn refine_policy(
    policy: &Policy,
    activity: Option<&PrincipalActivity>,
    options: &UnusedAccessOptions,
) -> PolicyRefinement {
    let judge = UseJudge::new(activity, options.cutoff(), options.count_denied);
    refine_with(policy, &judge, Catalog::embedded())
}

/// The recommendations for the role or user `principal_arn` of `authorization`, from its
/// activity in `summary`. `None` when the export has no such role or user.
pub fn recommend(
    authorization: &AuthorizationDetails,
    principal_arn: &str,
    summary: &super::summary::ActivitySummary,
    options: &UnusedAccessOptions,
) -> Option<PrincipalRecommendations> {
    let (arn, policies) = if let Some(role) = authorization.role(principal_arn) {
        (role.arn.as_str(), authorization.role_policies(role))
    } else {
        let user = authorization.user(principal_arn)?;
        (user.arn.as_str(), authorization.user_policies(user))
    };
    let judge = UseJudge::new(
        summary.principal(arn),
        options.cutoff(),
        options.count_denied,
    );
    Some(recommend_with(arn, &policies, &judge, authorization))
}

pub(crate) fn recommend_with(
    arn: &str,
    policies: &[AppliedPolicy<'_>],
    judge: &UseJudge,
    authorization: &AuthorizationDetails,
) -> PrincipalRecommendations {
    let catalog = Catalog::embedded();
    let mut out = PrincipalRecommendations {
        principal_arn: arn.to_owned(),
        ..PrincipalRecommendations::default()
    };
    for p in policies {
        let id = p.source.id().to_owned();
        if let PolicySource::GroupInline { group, .. } | PolicySource::GroupManaged { group, .. } =
            &p.source
        {
            // Changing a group's policy changes it for every member, whose use this principal's
            // activity does not show.
            out.not_refined.insert(
                id,
                format!("attached through the group `{group}`, whose other members may use it"),
            );
            continue;
        }
        let Some(doc) = p.document else {
            out.not_refined
                .insert(id, "not in the authorization details".to_owned());
            continue;
        };
        let policy = match Policy::from_json_value(doc) {
            Ok(policy) => policy,
            Err(e) => {
                out.not_refined.insert(id, format!("does not parse: {e}"));
                continue;
            }
        };
        let refinement = refine_with(&policy, judge, catalog);
        if refinement.refinement == Refinement::Unchanged {
            continue;
        }
        let policy_updated_at = match &p.source {
            PolicySource::Managed { arn } => authorization.policy(arn).and_then(|m| m.updated),
            _ => None,
        };
        let mut services = BTreeSet::new();
        for a in &refinement.removed {
            let prefix = a.split_once(':').map_or(a.as_str(), |(p, _)| p);
            if !services.contains(prefix) {
                services.insert(prefix_of(prefix));
            }
        }
        let rec = PolicyRecommendation {
            source: p.source.clone(),
            policy_updated_at,
            refinement,
            services,
        };
        out.steps.push(rec.step());
        out.policies.push(rec);
    }
    out
}

/// What becomes of one statement.
enum Outcome {
    Keep,
    Replace(Box<Statement>),
    Drop,
}

pub(crate) fn refine_with(
    policy: &Policy,
    judge: &UseJudge,
    catalog: &Catalog,
) -> PolicyRefinement {
    let mut removed = BTreeSet::new();
    let mut changed = false;
    let mut statements = Vec::with_capacity(policy.statements.len());
    for s in &policy.statements {
        if s.effect.value != Effect::Allow {
            // Denies stay: taking one away could widen what other policies allow.
            statements.push(s.clone());
            continue;
        }
        let outcome = if s.action.negated {
            refine_not_action(s, judge, catalog, &mut removed)
        } else {
            refine_action(s, judge, catalog, &mut removed)
        };
        match outcome {
            Outcome::Keep => statements.push(s.clone()),
            Outcome::Replace(new) => {
                changed = true;
                statements.push(*new);
            }
            Outcome::Drop => changed = true,
        }
    }
    let refinement = if !changed {
        Refinement::Unchanged
    } else if statements.is_empty() {
        Refinement::Detach
    } else {
        Refinement::Replace(Policy {
            statements,
            ..policy.clone()
        })
    };
    PolicyRefinement {
        refinement,
        removed,
    }
}

/// Pushes `value` unless an equal action (ignoring case) is already there.
fn push_unique(values: &mut Vec<String>, seen: &mut HashSet<String>, value: &str) {
    if seen.insert(value.to_ascii_lowercase()) {
        values.push(value.to_owned());
    }
}

fn with_actions(s: &Statement, values: Vec<String>) -> Statement {
    let scalar = s.action.values.scalar && values.len() == 1;
    let mut v = Values::list(values);
    v.scalar = scalar;
    Statement {
        action: ListElement {
            negated: false,
            values: v,
            span: s.action.span,
        },
        ..s.clone()
    }
}

fn refine_action(
    s: &Statement,
    judge: &UseJudge,
    catalog: &Catalog,
    removed: &mut BTreeSet<String>,
) -> Outcome {
    let mut values = Vec::new();
    let mut seen = HashSet::new();
    let mut changed = false;
    for v in s.action.values.iter() {
        if has_wildcard(v) {
            let covered = expand(catalog, v);
            let (gone, kept): (Vec<String>, Vec<String>) =
                covered.into_iter().partition(|a| judge.is_unused(a));
            if gone.is_empty() {
                push_unique(&mut values, &mut seen, v);
                continue;
            }
            changed = true;
            for a in &kept {
                push_unique(&mut values, &mut seen, a);
            }
            // Used actions the catalog does not know, which the wildcard grants.
            let pattern = Pattern::new(v, Case::Insensitive);
            let mut unknown: Vec<&str> = judge
                .used_matching(&pattern)
                .filter(|a| catalog.action(a).is_none())
                .collect();
            unknown.sort_unstable();
            for a in unknown {
                push_unique(&mut values, &mut seen, a);
            }
            removed.extend(gone);
        } else {
            match canonical(catalog, v) {
                Some(name) if judge.is_unused(&name) => {
                    changed = true;
                    removed.insert(name);
                }
                // Used, or not an action at all (kept as written: it grants nothing).
                _ => push_unique(&mut values, &mut seen, v),
            }
        }
    }
    if !changed {
        Outcome::Keep
    } else if values.is_empty() {
        Outcome::Drop
    } else {
        Outcome::Replace(Box::new(with_actions(s, values)))
    }
}

fn refine_not_action(
    s: &Statement,
    judge: &UseJudge,
    catalog: &Catalog,
    removed: &mut BTreeSet<String>,
) -> Outcome {
    let g = granted(catalog, &s.action);
    let (gone, kept): (Vec<String>, Vec<String>) =
        g.actions.into_iter().partition(|a| judge.is_unused(a));
    if gone.is_empty() {
        return Outcome::Keep;
    }
    removed.extend(gone);
    let mut values = Vec::new();
    let mut seen = HashSet::new();
    for a in &kept {
        push_unique(&mut values, &mut seen, a);
    }
    // Used actions the catalog does not know and the `NotAction` list does not exclude.
    let excluded: Vec<Pattern> = s
        .action
        .values
        .iter()
        .map(|v| Pattern::new(v, Case::Insensitive))
        .collect();
    let any = Pattern::new("*", Case::Insensitive);
    let mut unknown: Vec<&str> = judge
        .used_matching(&any)
        .filter(|a| catalog.action(a).is_none() && !excluded.iter().any(|p| p.matches(a)))
        .collect();
    unknown.sort_unstable();
    for a in unknown {
        push_unique(&mut values, &mut seen, a);
    }
    if values.is_empty() {
        Outcome::Drop
    } else {
        let mut new = with_actions(s, values);
        new.action.values.scalar = false;
        Outcome::Replace(Box::new(new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::ActivitySummary;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    const ROLE: &str = "arn:aws:iam::111122223333:role/app";

    fn refine(policy: &str, used: &[&str]) -> PolicyRefinement {
        let mut a = ActivitySummary::new();
        for u in used {
            a.record_action(ROLE, u, t("2024-04-01T00:00:00Z"), false);
        }
        let options = UnusedAccessOptions::new(t("2024-05-01T00:00:00Z"), 90).unwrap();
        refine_policy(&Policy::parse(policy).unwrap(), a.principal(ROLE), &options)
    }

    fn replaced(r: &PolicyRefinement) -> String {
        match &r.refinement {
            Refinement::Replace(p) => p.to_json(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wildcard_kept_when_all_it_covers_was_used() {
        // `sts:GetCaller*` covers one action.
        let r = refine(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:GetCallerIdentity*","Resource":"*"}}"#,
            &["sts:GetCallerIdentity"],
        );
        assert_eq!(r.refinement, Refinement::Unchanged);
        assert!(r.removed.is_empty());
    }

    #[test]
    fn wildcard_expanded_when_partly_unused() {
        let r = refine(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["ecr:List*","ecr:BatchGetImage"],"Resource":"arn:aws:ecr:*:111122223333:repository/x","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
            &["ecr:ListImages", "ecr:BatchGetImage"],
        );
        assert_eq!(
            replaced(&r),
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["ecr:ListImages","ecr:BatchGetImage"],"Resource":"arn:aws:ecr:*:111122223333:repository/x","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#
        );
        assert!(r.removed.contains("ecr:ListTagsForResource"));
        assert!(!r.removed.contains("ecr:ListImages"));
    }

    #[test]
    fn unused_statements_dropped_denies_kept_and_detach() {
        let r = refine(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
            &["ec2:DescribeInstances"],
        );
        assert_eq!(
            replaced(&r),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#
        );
        let r = refine(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListRoles","s3:*"],"Resource":"*"}]}"#,
            &["ec2:DescribeInstances"],
        );
        assert_eq!(r.refinement, Refinement::Detach);
        assert!(r.removed.contains("s3:GetObject") && r.removed.contains("iam:ListRoles"));
    }

    #[test]
    fn not_action_becomes_the_list_of_what_stays() {
        let r = refine(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"N","Effect":"Allow","NotAction":["iam:*","s3:*"],"Resource":"*"}]}"#,
            &[
                "ec2:DescribeInstances",
                "ecr:ListImages",
                "brandnew:DoThing",
                "iam:ListRoles",
            ],
        );
        assert_eq!(
            replaced(&r),
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"N","Effect":"Allow","Action":["ec2:DescribeInstances","ecr:ListImages","brandnew:DoThing"],"Resource":"*"}]}"#
        );
    }

    #[test]
    fn data_events_of_a_used_service_stay() {
        let r = refine(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:GetBucketLocation","s3:ListAllMyBuckets","iam:PassRole"],"Resource":"*"}]}"#,
            &["s3:ListAllMyBuckets"],
        );
        assert_eq!(
            replaced(&r),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListAllMyBuckets","iam:PassRole"],"Resource":"*"}]}"#
        );
        assert_eq!(
            r.removed.iter().collect::<Vec<_>>(),
            ["s3:GetBucketLocation"]
        );
    }

    #[test]
    fn steps_per_service() {
        let rec = PrincipalRecommendations {
            principal_arn: ROLE.into(),
            policies: vec![PolicyRecommendation {
                source: PolicySource::Inline { name: "p".into() },
                policy_updated_at: None,
                refinement: PolicyRefinement {
                    refinement: Refinement::Detach,
                    removed: ["iam:ListRoles".to_owned()].into(),
                },
                services: ["iam".to_owned()].into(),
            }],
            not_refined: BTreeMap::new(),
            steps: Vec::new(),
        };
        assert_eq!(rec.for_service("IAM").recommended_steps.len(), 1);
        assert!(rec.for_service("s3").recommended_steps.is_empty());
        assert_eq!(
            serde_json::to_value(rec.all()).unwrap(),
            serde_json::json!({"resourceArn": ROLE, "recommendationType": "UnusedPermissionRecommendation", "status": "SUCCEEDED",
                "recommendedSteps": [{"unusedPermissionsRecommendedStep": {"recommendedAction": "DETACH_POLICY", "existingPolicyId": "p"}}]})
        );
    }
}
