//! Unused access: roles, access keys, passwords and permissions not used within a tracking
//! period, as Access Analyzer's findings (`ListFindingsV2` / `GetFindingV2` shape).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::authz::{AppliedPolicy, AuthorizationDetails};
use super::credentials::{AccessKeys, CredentialReport};
use super::grants::{granted, prefix_of, UseJudge};
use super::options::UnusedAccessOptions;
use super::recommend::{recommend_with, FindingRecommendation};
use super::summary::{ActivitySummary, PrincipalActivity};
use super::time::Timestamp;
use crate::catalog::Catalog;
use crate::policy::{Effect, Policy};

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
    /// For `UnusedPermission` findings when [`UnusedAccessOptions::recommendations`] is set:
    /// what to do with the principal's policies (Access Analyzer's `GetFindingRecommendation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<FindingRecommendation>,
}

/// What the analysis could not look at, so that a reader knows the limits of a clean result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisNotes {
    /// Policies attached but missing from the export (their grants are unknown).
    pub missing_policies: BTreeSet<String>,
    /// Policies that did not parse, with the error.
    pub unparsable_policies: BTreeMap<String, String>,
    /// Principals with wildcard grants of services the service reference does not know
    /// (`newsvc:*`): those services are judged as a whole, without an action list.
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
            recommendation: None,
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
            Principal {
                arn: &role.arn,
                rtype: "AWS::IAM::Role",
                activity: act,
                policies: &policies,
            },
            authz,
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
            Principal {
                arn: &user.arn,
                rtype: "AWS::IAM::User",
                activity: act,
                policies: &policies,
            },
            authz,
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

/// A role or user whose permissions are judged.
struct Principal<'a> {
    arn: &'a str,
    rtype: &'static str,
    activity: Option<&'a PrincipalActivity>,
    policies: &'a [AppliedPolicy<'a>],
}

/// Every action the principal's `Allow` statements grant, by service prefix, with wildcards and
/// `NotAction` expanded by the catalog. Services granted only through a wildcard the catalog
/// cannot enumerate have an empty set.
fn granted_by_service(
    arn: &str,
    policies: &[AppliedPolicy<'_>],
    notes: &mut AnalysisNotes,
) -> BTreeMap<String, BTreeSet<String>> {
    let catalog = Catalog::embedded();
    let mut services: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
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
        for s in policy
            .statements
            .iter()
            .filter(|s| s.effect.value == Effect::Allow)
        {
            let g = granted(catalog, &s.action);
            for a in g.actions {
                let prefix = a.split_once(':').map_or(a.as_str(), |(p, _)| p);
                match services.get_mut(prefix) {
                    Some(set) => {
                        set.insert(a);
                    }
                    None => {
                        services.insert(prefix_of(prefix), BTreeSet::from([a]));
                    }
                }
            }
            for service in g.opaque_services {
                services.entry(service).or_default();
                notes.wildcard_grants.insert(arn.to_owned());
            }
        }
    }
    services
}

/// `UnusedPermission` findings of one principal: a granted service with no use in the period,
/// or (when the service was used) the granted actions of it that the logs could show and that
/// were not used. Wildcards and `NotAction` are expanded with the catalog.
fn permissions(
    out: &mut UnusedAccess,
    push: &mut Push<'_>,
    who: Principal<'_>,
    authz: &AuthorizationDetails,
    options: &UnusedAccessOptions,
) {
    let judge = UseJudge::new(who.activity, options.cutoff(), options.count_denied);
    let services = granted_by_service(who.arn, who.policies, &mut out.notes);
    let recommendations = options
        .recommendations
        .then(|| recommend_with(who.arn, who.policies, &judge, authz));
    for (service, actions) in &services {
        let unused_actions: Vec<UnusedAction> = actions
            .iter()
            .filter(|a| judge.is_listed_unused(a))
            .map(|a| UnusedAction {
                action: a.clone(),
                last_accessed: judge.action_last(a),
            })
            .collect();
        if judge.service_used(service) && unused_actions.is_empty() {
            continue;
        }
        push(
            out,
            FindingType::UnusedPermission,
            who.arn,
            who.rtype,
            FindingDetails::UnusedPermissionDetails {
                service_namespace: service.clone(),
                actions: unused_actions,
                last_accessed: judge.service_last(service),
            },
            service,
        );
        if let (Some(r), Some(f)) = (&recommendations, out.findings.last_mut()) {
            f.recommendation = Some(r.for_service(service));
        }
    }
}
