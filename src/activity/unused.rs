//! Unused access: roles, access keys, passwords and permissions not used within a tracking
//! period, as Access Analyzer's findings (`ListFindingsV2` / `GetFindingV2` shape).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use super::authz::{AppliedPolicy, AuthorizationDetails};
use super::credentials::{AccessKeys, CredentialReport};
use super::summary::{ActivitySummary, PrincipalActivity};
use super::time::Timestamp;
use crate::pattern::{Case, Pattern};
use crate::policy::{Effect, Policy};

/// The settings of an analysis.
#[derive(Clone, Debug)]
pub struct UnusedAccessOptions {
    /// The time the analysis runs at; nothing depends on the clock.
    pub now: Timestamp,
    /// The tracking period in days, 1 to 180 (Access Analyzer's `unusedAccessAge`).
    pub tracking_period_days: u32,
    /// Whether denied attempts count as use (IAM's last-accessed data counts them; default).
    pub count_denied: bool,
}

/// The error for options outside what Access Analyzer accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionsError {
    message: String,
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OptionsError {}

impl UnusedAccessOptions {
    /// Options for a run at `now` with a tracking period of `days`.
    ///
    /// # Errors
    /// When `days` is not between 1 and 180 (Access Analyzer API, `UnusedAccessConfiguration`).
    pub fn new(now: Timestamp, days: u32) -> Result<UnusedAccessOptions, OptionsError> {
        if !(1..=180).contains(&days) {
            return Err(OptionsError {
                message: format!("the tracking period must be 1 to 180 days, not `{days}`"),
            });
        }
        Ok(UnusedAccessOptions {
            now,
            tracking_period_days: days,
            count_denied: true,
        })
    }

    /// The start of the tracking period: use at or after it counts.
    pub fn cutoff(&self) -> Timestamp {
        self.now.minus_days(self.tracking_period_days)
    }
}

/// `unusedPermissionDetails.actions[]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedAction {
    /// The action (`s3:PutObject`).
    pub action: String,
    /// When it was last used, if ever in the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<Timestamp>,
}

/// One element of `findingDetails`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FindingDetails {
    /// `unusedIamRoleDetails`.
    UnusedIamRoleDetails {
        /// `lastAccessed`.
        #[serde(rename = "lastAccessed", skip_serializing_if = "Option::is_none")]
        last_accessed: Option<Timestamp>,
    },
    /// `unusedIamUserAccessKeyDetails`.
    UnusedIamUserAccessKeyDetails {
        /// `accessKeyId`.
        #[serde(rename = "accessKeyId")]
        access_key_id: String,
        /// `lastAccessed`.
        #[serde(rename = "lastAccessed", skip_serializing_if = "Option::is_none")]
        last_accessed: Option<Timestamp>,
    },
    /// `unusedIamUserPasswordDetails`.
    UnusedIamUserPasswordDetails {
        /// `lastAccessed`.
        #[serde(rename = "lastAccessed", skip_serializing_if = "Option::is_none")]
        last_accessed: Option<Timestamp>,
    },
    /// `unusedPermissionDetails`.
    UnusedPermissionDetails {
        /// `serviceNamespace`.
        #[serde(rename = "serviceNamespace")]
        service_namespace: String,
        /// `actions`, where action-level data exists.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        actions: Vec<UnusedAction>,
        /// `lastAccessed`: the service's last use.
        #[serde(rename = "lastAccessed", skip_serializing_if = "Option::is_none")]
        last_accessed: Option<Timestamp>,
    },
}

/// `findingType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum FindingType {
    /// A role with no activity in the tracking period.
    UnusedIAMRole,
    /// An active access key not used in the tracking period.
    UnusedIAMUserAccessKey,
    /// A console password not used in the tracking period.
    UnusedIAMUserPassword,
    /// A service (or actions of it) granted but not used in the tracking period.
    UnusedPermission,
}

/// An unused-access finding, with Access Analyzer's field names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedFinding {
    /// A stable id derived from the content (same input, same id).
    pub id: String,
    /// `findingType`.
    pub finding_type: FindingType,
    /// The role or user ARN.
    pub resource: String,
    /// `AWS::IAM::Role` or `AWS::IAM::User`.
    pub resource_type: &'static str,
    /// The account.
    pub resource_owner_account: String,
    /// Always `ACTIVE` for a fresh analysis.
    pub status: &'static str,
    /// The analysis time (`now`).
    pub analyzed_at: Timestamp,
    /// The details (one element).
    pub finding_details: Vec<FindingDetails>,
}

/// What the analysis could not look at, so that a reader knows the limits of a clean result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisNotes {
    /// Policies attached but missing from the export (their grants are unknown).
    pub missing_policies: BTreeSet<String>,
    /// Policies that did not parse, with the error.
    pub unparsable_policies: BTreeMap<String, String>,
    /// Principals with grants that need the service reference to enumerate (`*`, wildcards in
    /// the service prefix, `NotAction`); only their literal services were checked.
    pub wildcard_grants: BTreeSet<String>,
    /// Whether the logs cover less than the tracking period (findings may then report access
    /// that was used before the logs begin).
    pub logs_cover_less_than_the_period: bool,
}

/// The outcome of [`find_unused`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedAccess {
    /// The findings, sorted by resource, type and detail.
    pub findings: Vec<UnusedFinding>,
    /// Limits of the analysis.
    pub notes: AnalysisNotes,
}

/// The inputs besides the activity.
#[derive(Clone, Copy, Debug, Default)]
pub struct AccountInputs<'a> {
    /// `get-account-authorization-details`.
    pub authorization: Option<&'a AuthorizationDetails>,
    /// The credential report.
    pub credential_report: Option<&'a CredentialReport>,
    /// `list-access-keys` outputs.
    pub access_keys: Option<&'a AccessKeys>,
}

fn account_of(arn: &str) -> String {
    arn.split(':').nth(4).unwrap_or_default().to_owned()
}

/// A short stable id: FNV-1a 64 of the parts.
fn finding_id(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn newer(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    a.max(b)
}

/// The service prefixes and literal actions a principal's Allow statements grant.
#[derive(Default)]
struct Grants {
    /// Service prefix → literal actions granted (lower-case names folded to the written form),
    /// or `None` when a wildcard grants some the list does not name.
    services: BTreeMap<String, GrantedService>,
    /// Whether some grant needs the service reference (`*`, `NotAction`, wildcard prefixes).
    open: bool,
}

#[derive(Default)]
struct GrantedService {
    literal: BTreeSet<String>,
    wildcard: Vec<Pattern>,
}

fn grants(policies: &[AppliedPolicy<'_>], notes: &mut AnalysisNotes) -> Grants {
    let mut g = Grants::default();
    for p in policies {
        let Some(doc) = p.document else {
            notes.missing_policies.insert(p.source.id().to_owned());
            continue;
        };
        let policy = match Policy::from_json_value(doc) {
            Ok(policy) => policy,
            Err(e) => {
                notes
                    .unparsable_policies
                    .insert(p.source.id().to_owned(), e.to_string());
                continue;
            }
        };
        for s in &policy.statements {
            if s.effect.value != Effect::Allow {
                continue;
            }
            if s.action.negated {
                g.open = true;
                continue;
            }
            for a in s.action.values.iter() {
                let Some((service, name)) = a.split_once(':') else {
                    g.open = true; // `*`
                    continue;
                };
                if service.contains(['*', '?']) || service.is_empty() {
                    g.open = true;
                    continue;
                }
                let entry = g.services.entry(service.to_ascii_lowercase()).or_default();
                if name.contains(['*', '?']) {
                    entry.wildcard.push(Pattern::new(a, Case::Insensitive));
                } else {
                    entry
                        .literal
                        .insert(format!("{}:{name}", service.to_ascii_lowercase()));
                }
            }
        }
    }
    g
}

/// Actions whose use IAM never records (IAM User Guide, "IAM action last accessed information":
/// `iam:PassRole` is not tracked), so they are never reported as unused at the action level.
const NOT_OBSERVABLE: &[&str] = &["iam:passrole"];

/// Whether an action is authorized by data events, which a trail logs only when data event
/// logging is on (CloudTrail User Guide, "Logging data events"): absent from the logs does not
/// mean unused, so such actions are not reported at the action level. IAM's own action-level
/// data does not track them either (the Service Authorization Reference flags e.g.
/// `s3:GetObject` and `lambda:InvokeFunction` as not tracked).
fn is_data_event_action(action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    const PREFIXES: &[&str] = &[
        "s3:getobject",
        "s3:putobject",
        "s3:deleteobject",
        "s3:listbucket",
        "s3:abortmultipartupload",
        "s3:listmultipartuploadparts",
        "s3:restoreobject",
        "s3:replicate",
        "lambda:invokefunction",
        "lambda:invokeasync",
        "dynamodb:getitem",
        "dynamodb:putitem",
        "dynamodb:updateitem",
        "dynamodb:deleteitem",
        "dynamodb:query",
        "dynamodb:scan",
        "dynamodb:batch",
        "dynamodb:conditioncheckitem",
        "dynamodb:partiql",
        "sqs:sendmessage",
        "sqs:receivemessage",
        "sqs:deletemessage",
        "sqs:changemessagevisibility",
        "sns:publish",
        "kinesis:putrecord",
        "kinesis:getrecords",
        "kinesis:getsharditerator",
    ];
    PREFIXES.iter().any(|p| a.starts_with(p))
}

/// Finds unused roles, access keys, passwords and permissions.
///
/// Activity is the latest of what the logs show and what IAM reports in the inputs
/// (`RoleLastUsed`, the credential report). Service-linked roles are not analysed, nor are
/// principals created within the tracking period (they have not had a full period to be used).
/// See `src/manual/activity.md` for the choices.
pub fn find_unused(
    activity: &ActivitySummary,
    inputs: &AccountInputs<'_>,
    options: &UnusedAccessOptions,
) -> UnusedAccess {
    let cutoff = options.cutoff();
    let mut out = UnusedAccess::default();
    if activity.coverage().is_none_or(|(first, _)| first > cutoff) {
        out.notes.logs_cover_less_than_the_period = true;
    }
    let used = |t: Option<Timestamp>| t.is_some_and(|t| t >= cutoff);
    let young = |created: Option<Timestamp>| created.is_some_and(|c| c > cutoff);
    let mut push = |out: &mut UnusedAccess,
                    ty: FindingType,
                    resource: &str,
                    rtype: &'static str,
                    detail: FindingDetails,
                    key: &str| {
        let ty_name = format!("{ty:?}");
        out.findings.push(UnusedFinding {
            id: finding_id(&[&ty_name, resource, key]),
            finding_type: ty,
            resource: resource.to_owned(),
            resource_type: rtype,
            resource_owner_account: account_of(resource),
            status: "ACTIVE",
            analyzed_at: options.now,
            finding_details: vec![detail],
        });
    };
    let empty = AuthorizationDetails::default();
    let authz = inputs.authorization.unwrap_or(&empty);

    for role in &authz.roles {
        if role.is_service_linked() || young(role.created) {
            continue;
        }
        let act: Option<&PrincipalActivity> = activity.principal(&role.arn);
        let last = newer(
            act.and_then(|a| a.last_activity(options.count_denied)),
            role.last_used,
        );
        if !used(last) {
            push(
                &mut out,
                FindingType::UnusedIAMRole,
                &role.arn,
                "AWS::IAM::Role",
                FindingDetails::UnusedIamRoleDetails {
                    last_accessed: last,
                },
                "",
            );
            continue;
        }
        let policies = authz.role_policies(role);
        permissions(
            &mut out,
            &mut push,
            &role.arn,
            "AWS::IAM::Role",
            act,
            &policies,
            options,
        );
    }

    for user in &authz.users {
        let act = activity.principal(&user.arn);
        let row = inputs.credential_report.and_then(|r| r.row(&user.arn));
        let created = user.created.or(row.and_then(|r| r.created));
        // Password.
        if let Some(row) = row.filter(|r| r.password_enabled == Some(true)) {
            let last = newer(
                row.password_last_used,
                act.and_then(|a| a.console_sign_in)
                    .and_then(|u| u.last_use(options.count_denied)),
            );
            if !used(last) && !young(created.max(row.password_last_changed)) {
                push(
                    &mut out,
                    FindingType::UnusedIAMUserPassword,
                    &user.arn,
                    "AWS::IAM::User",
                    FindingDetails::UnusedIamUserPasswordDetails {
                        last_accessed: last,
                    },
                    "",
                );
            }
        }
        // Access keys: ids from list-access-keys, last use from the report's slot and the logs.
        let keys = inputs.access_keys.and_then(|k| k.by_user.get(&user.name));
        let mut slots: Vec<(String, bool, Option<Timestamp>, Option<Timestamp>)> = Vec::new();
        match keys {
            Some(keys) => {
                for k in keys {
                    let slot = row.and_then(|r| r.keys.get(usize::from(k.slot).wrapping_sub(1)));
                    let report_used = slot.and_then(|s| s.last_used);
                    let active = k.active && slot.is_none_or(|s| s.active);
                    slots.push((
                        k.id.clone(),
                        active,
                        report_used,
                        k.created.or(slot.and_then(|s| s.last_rotated)),
                    ));
                }
            }
            None => {
                if let Some(row) = row {
                    for (i, s) in row.keys.iter().enumerate() {
                        if s.active {
                            slots.push((
                                format!("access_key_{}", i + 1),
                                true,
                                s.last_used,
                                s.last_rotated,
                            ));
                        }
                    }
                }
            }
        }
        for (id, active, report_used, created_at) in slots {
            if !active || young(created_at) {
                continue;
            }
            let logged = act
                .and_then(|a| a.access_keys.get(&id))
                .and_then(|u| u.last_use(options.count_denied));
            let last = newer(report_used, logged);
            if !used(last) {
                push(
                    &mut out,
                    FindingType::UnusedIAMUserAccessKey,
                    &user.arn,
                    "AWS::IAM::User",
                    FindingDetails::UnusedIamUserAccessKeyDetails {
                        access_key_id: id.clone(),
                        last_accessed: last,
                    },
                    &id,
                );
            }
        }
        if young(created) {
            continue;
        }
        let policies = authz.user_policies(user);
        permissions(
            &mut out,
            &mut push,
            &user.arn,
            "AWS::IAM::User",
            act,
            &policies,
            options,
        );
    }
    out.findings.sort_by(|a, b| {
        (&a.resource, a.finding_type, &a.finding_details_key()).cmp(&(
            &b.resource,
            b.finding_type,
            &b.finding_details_key(),
        ))
    });
    out
}

impl UnusedFinding {
    fn finding_details_key(&self) -> String {
        match self.finding_details.first() {
            Some(FindingDetails::UnusedPermissionDetails {
                service_namespace, ..
            }) => service_namespace.clone(),
            Some(FindingDetails::UnusedIamUserAccessKeyDetails { access_key_id, .. }) => {
                access_key_id.clone()
            }
            _ => String::new(),
        }
    }
}

type Push<'p> =
    dyn FnMut(&mut UnusedAccess, FindingType, &str, &'static str, FindingDetails, &str) + 'p;

/// `UnusedPermission` findings of one principal: a granted service with no use in the period,
/// or (when the service was used) the granted literal actions of it that were not.
fn permissions(
    out: &mut UnusedAccess,
    push: &mut Push<'_>,
    arn: &str,
    rtype: &'static str,
    act: Option<&PrincipalActivity>,
    policies: &[AppliedPolicy<'_>],
    options: &UnusedAccessOptions,
) {
    let cutoff = options.cutoff();
    let g = grants(policies, &mut out.notes);
    if g.open {
        out.notes.wildcard_grants.insert(arn.to_owned());
    }
    for (service, granted) in &g.services {
        let service_last = act
            .and_then(|a| a.services.get(service))
            .and_then(|u| u.last_use(options.count_denied));
        let action_last = |action: &str| {
            act.and_then(|a| {
                a.actions
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(action))
                    .filter_map(|(_, u)| u.usage.last_use(options.count_denied))
                    .max()
            })
        };
        let unused_actions: Vec<UnusedAction> = granted
            .literal
            .iter()
            .filter(|a| {
                !NOT_OBSERVABLE.contains(&a.to_ascii_lowercase().as_str())
                    && !is_data_event_action(a)
            })
            .filter_map(|a| {
                let last = action_last(a);
                last.is_none_or(|t| t < cutoff).then(|| UnusedAction {
                    action: a.clone(),
                    last_accessed: last,
                })
            })
            .collect();
        let service_used = service_last.is_some_and(|t| t >= cutoff);
        if service_used && unused_actions.is_empty() {
            continue;
        }
        if service_used && !granted.wildcard.is_empty() {
            // A wildcard of this service was (maybe) the grant used; without the service
            // reference the unused part of it cannot be listed: report the literal ones only.
        }
        push(
            out,
            FindingType::UnusedPermission,
            arn,
            rtype,
            FindingDetails::UnusedPermissionDetails {
                service_namespace: service.clone(),
                actions: unused_actions,
                last_accessed: service_last,
            },
            service,
        );
    }
}
