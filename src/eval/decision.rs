//! The decision logic: which policies apply, and how their answers combine.
//!
//! Sources: [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
//! [Cross-account policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html),
//! [Permissions boundaries](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html),
//! [Session policies](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session),
//! [AWS JSON policy elements: Principal and NotPrincipal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
//! `manual::evaluation` walks through the whole order with the choices made where the docs are
//! silent.

use super::condition::{holds, variable_lookup};
use super::request::{Caller, Request};
use crate::pattern::{Case, Pattern};
use crate::policy::compile::{
    CompiledStatement, PrincipalMatcher, PrincipalValue, ResourceEntry, ResourceMatcher,
};
use crate::policy::{CompiledPolicy, Effect};
use smallvec::SmallVec;
use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

/// The outcome of evaluating a request. Exhaustive on purpose: there is no fourth answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::exhaustive_enums)]
pub enum Decision {
    /// Every required policy allows and none denies.
    Allow,
    /// A statement denies the request.
    ExplicitDeny,
    /// No statement denies, but some required policy does not allow.
    ImplicitDeny,
}

impl Decision {
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        }
    }

    /// Whether the request is allowed.
    pub fn is_allow(&self) -> bool {
        *self == Decision::Allow
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which kind of policy a reason refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Layer {
    /// The caller's identity-based policies (user, group and role policies).
    Identity,
    /// The resource-based policy (including role trust policies and KMS key policies).
    Resource,
    /// The caller's permissions boundary.
    PermissionBoundary,
    /// The session policies of a role session or federated user.
    Session,
    /// Service control policies at one level of the caller's organization (0 = root).
    ServiceControl {
        /// The level, root first.
        level: usize,
    },
    /// Resource control policies at one level of the resource's organization (0 = root).
    ResourceControl {
        /// The level, root first.
        level: usize,
    },
}

impl Layer {
    /// A short name: `identity`, `resource`, `permissionBoundary`, `session`,
    /// `serviceControl`, `resourceControl`.
    pub fn name(&self) -> &'static str {
        match self {
            Layer::Identity => "identity",
            Layer::Resource => "resource",
            Layer::PermissionBoundary => "permissionBoundary",
            Layer::Session => "session",
            Layer::ServiceControl { .. } => "serviceControl",
            Layer::ResourceControl { .. } => "resourceControl",
        }
    }

    /// The organization level for SCP and RCP layers.
    pub fn level(&self) -> Option<usize> {
        match self {
            Layer::ServiceControl { level } | Layer::ResourceControl { level } => Some(*level),
            _ => None,
        }
    }
}

/// What a reason says about its layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReasonKind {
    /// This statement allowed the request.
    Allowed,
    /// This statement denied the request.
    Denied,
    /// No statement of this layer allowed the request, and the layer had to.
    NoAllow,
}

/// Why a decision came out as it did.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reason {
    /// Allowed, denied, or not allowed.
    pub kind: ReasonKind,
    /// The layer.
    pub layer: Layer,
    /// The index of the policy within its layer (`None` for [`ReasonKind::NoAllow`]).
    pub policy: Option<usize>,
    /// The policy's name, if it was given one.
    pub policy_name: Option<Arc<str>>,
    /// The statement's index within its policy.
    pub statement: Option<usize>,
    /// The statement's `Sid`.
    pub sid: Option<Arc<str>>,
}

/// The answer of [`evaluate`]: the decision and the statements (or missing allows) behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// The decision.
    pub decision: Decision,
    /// For `Allow`, the statements that allowed in each required layer; for `ExplicitDeny`, the
    /// denying statements; for `ImplicitDeny`, the layers that did not allow.
    pub reasons: Vec<Reason>,
}

/// The policies that take part in a request.
///
/// Identity policies, boundary and session policies belong to the caller; SCP levels apply to the
/// caller's account, RCP levels to the resource's account. Each SCP level holds exactly the
/// policies given (list `FullAWSAccess` where it is attached); each RCP level implicitly holds AWS's
/// `RCPFullAWSAccess`, which cannot be detached, so only RCP denies can change a decision.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    /// The caller's identity-based policies.
    pub identity: Vec<Arc<CompiledPolicy>>,
    /// The resource-based policy, if the resource has one.
    pub resource: Option<Arc<CompiledPolicy>>,
    /// The caller's permissions boundary.
    pub permission_boundary: Option<Arc<CompiledPolicy>>,
    /// Session policies (inline and managed) of a role session or federated user.
    pub session: Vec<Arc<CompiledPolicy>>,
    /// SCPs of the caller's account, one list per level, root first.
    pub service_control: Vec<Vec<Arc<CompiledPolicy>>>,
    /// RCPs of the resource's account, one list per level, root first.
    pub resource_control: Vec<Vec<Arc<CompiledPolicy>>>,
}

/// Services whose resources RCPs govern ("List of AWS services that support RCPs", AWS
/// Organizations User Guide). Applying RCPs to other services would deny what AWS allows, so the
/// list is kept to the services the documentation names.
const RCP_SERVICES: &[&str] = &["s3", "sts", "kms", "sqs", "secretsmanager"];

/// How a resource-policy statement's principal matched the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grant {
    /// Through the caller's account: delegation, the account's own policies must also allow.
    Account,
    /// Through the role of a role session: limited by the boundary and session policies.
    Role,
    /// Naming the caller itself (user, session, federated user, `*`, service, provider).
    Exact,
}

/// Whether the listed principal `v` names the caller, and how.
fn principal_value_matches(v: &PrincipalValue, caller: &Caller) -> Option<Grant> {
    match (v, caller) {
        (PrincipalValue::Any, _) => Some(Grant::Exact),
        (PrincipalValue::Account(a), c) => {
            (c.account() == Some(a.as_str())).then_some(Grant::Account)
        }
        (PrincipalValue::User(arn), Caller::User { arn: c, .. }) => {
            (arn == c).then_some(Grant::Exact)
        }
        (
            PrincipalValue::Role { account, name, arn },
            Caller::Role {
                account: ca,
                role_name,
                role_arn,
                ..
            },
        ) => {
            // A role ARN names every session of the role (a session ARN carries no path, so the
            // account and role name identify the role).
            (account == ca && (name == role_name || arn == role_arn)).then_some(Grant::Role)
        }
        (
            PrincipalValue::Session(arn),
            Caller::Role {
                arn: c,
                session_name: Some(_),
                ..
            },
        ) => (arn == c).then_some(Grant::Exact),
        (PrincipalValue::FederatedUser(arn), Caller::FederatedUser { arn: c, .. }) => {
            (arn == c).then_some(Grant::Exact)
        }
        (PrincipalValue::Service(s), Caller::Service { name }) => {
            (s == name).then_some(Grant::Exact)
        }
        (PrincipalValue::Federated(p), Caller::Federated { provider }) => {
            p.eq_ignore_ascii_case(provider).then_some(Grant::Exact)
        }
        (PrincipalValue::CanonicalUser(id), Caller::CanonicalUser { id: c }) => {
            (id == c).then_some(Grant::Exact)
        }
        (PrincipalValue::Other(text), c) => {
            (c.arn().as_deref() == Some(text.as_str())).then_some(Grant::Exact)
        }
        _ => None,
    }
}

/// The identities AWS may check a `NotPrincipal` list against, for one caller: the account, then
/// the role, then the session (or the user). The caller is exempt from a `NotPrincipal`
/// statement only when every one of them is listed.
fn not_principal_applies(m: &PrincipalMatcher, caller: &Caller) -> bool {
    let listed = |probe: &dyn Fn(&PrincipalValue) -> bool| m.values.iter().any(probe);
    let any = |v: &PrincipalValue| *v == PrincipalValue::Any;
    let account_listed =
        |a: &str| listed(&|v| any(v) || matches!(v, PrincipalValue::Account(x) if x == a));
    let exempt = match caller {
        Caller::Root { account, .. } => account_listed(account),
        Caller::User { account, arn, .. } => {
            account_listed(account)
                && listed(&|v| any(v) || matches!(v, PrincipalValue::User(x) if x == arn))
        }
        Caller::Role {
            account,
            arn,
            role_name,
            session_name,
            ..
        } => {
            let role_listed = listed(&|v| {
                any(v)
                    || matches!(v, PrincipalValue::Role { account: a, name, .. } if a == account && name == role_name)
            });
            let session_listed = session_name.is_none()
                || listed(&|v| any(v) || matches!(v, PrincipalValue::Session(x) if x == arn));
            account_listed(account) && role_listed && session_listed
        }
        Caller::FederatedUser { account, arn, .. } => {
            account_listed(account)
                && listed(&|v| any(v) || matches!(v, PrincipalValue::FederatedUser(x) if x == arn))
        }
        other => m
            .values
            .iter()
            .any(|v| principal_value_matches(v, other).is_some()),
    };
    !exempt
}

fn resource_matches(m: &ResourceMatcher, req: &Request) -> bool {
    let resource = req.resource();
    let colons = req.resource_colons();
    let hit = m.entries.iter().any(|e| match e {
        ResourceEntry::Any => true,
        ResourceEntry::Pattern(p) => p.matches_split(resource, colons),
        ResourceEntry::Template { head, tail } => {
            let Some(comps) = crate::arn::split_components(resource, 6) else {
                return false;
            };
            if !head.iter().zip(comps.iter()).all(|(p, c)| p.matches(c)) {
                return false;
            }
            match tail.tokens(variable_lookup(req.context()), true) {
                Some(tokens) => comps
                    .last()
                    .is_some_and(|c| Pattern::from_tokens(&tokens, Case::Sensitive).matches(c)),
                None => false,
            }
        }
    });
    hit != m.negated
}

/// Whether a statement applies to the request; for statements with a principal element, how the
/// principal matched.
pub(crate) fn statement_applies(
    s: &CompiledStatement,
    req: &Request,
    has_boundary: bool,
) -> Option<Grant> {
    let grant = statement_matches(s, req, has_boundary)?;
    s.conditions
        .iter()
        .all(|c| holds(c, req.context()))
        .then_some(grant)
}

/// Whether a statement's action and resource elements match the request.
pub(crate) fn action_resource_match(s: &CompiledStatement, req: &Request) -> bool {
    s.actions
        .matches_folded(req.action_folded(), req.action_service())
        && s.resources
            .as_ref()
            .is_none_or(|r| resource_matches(r, req))
}

/// Whether a statement's principal, action and resource elements match the request, whatever
/// its conditions say; for statements with a principal element, how the principal matched.
pub(crate) fn statement_matches(
    s: &CompiledStatement,
    req: &Request,
    has_boundary: bool,
) -> Option<Grant> {
    if !action_resource_match(s, req) {
        return None;
    }
    let grant = match &s.principal {
        None => Grant::Exact,
        Some(m) if m.negated => {
            // A Deny with NotPrincipal denies every principal that has a permissions boundary,
            // whatever the list says (IAM User Guide, "Permissions boundaries for IAM entities").
            let boundary_rule = s.effect == Effect::Deny && has_boundary;
            if boundary_rule || not_principal_applies(m, req.caller()) {
                Grant::Exact
            } else {
                return None;
            }
        }
        Some(m) => m
            .values
            .iter()
            .filter_map(|v| principal_value_matches(v, req.caller()))
            .max()?,
    };
    Some(grant)
}

/// A statement that applies to the request: where it is, its effect, and how its principal
/// matched. Kept small: every applicable statement of every layer goes into one list.
#[derive(Clone, Copy)]
struct Hit {
    layer: Layer,
    policy: u32,
    statement: u32,
    effect: Effect,
}

type Hits = SmallVec<[Hit; 12]>;

/// Record the statements of `policies` that apply, returning (allowed, denied, best grant).
fn scan<P: Borrow<CompiledPolicy>>(
    hits: &mut Hits,
    layer: Layer,
    policies: &[P],
    req: &Request,
    has_boundary: bool,
) -> (bool, bool, Option<Grant>) {
    let (mut allowed, mut denied, mut best) = (false, false, None);
    for (pi, p) in policies.iter().enumerate() {
        for s in p.borrow().statements() {
            if let Some(grant) = statement_applies(s, req, has_boundary) {
                match s.effect {
                    Effect::Allow => {
                        allowed = true;
                        best = best.max(Some(grant));
                    }
                    Effect::Deny => denied = true,
                }
                hits.push(Hit {
                    layer,
                    policy: u32::try_from(pi).unwrap_or(u32::MAX),
                    statement: u32::try_from(s.index).unwrap_or(u32::MAX),
                    effect: s.effect,
                });
            }
        }
    }
    (allowed, denied, best)
}

fn statement_reason<P: Borrow<CompiledPolicy>>(
    kind: ReasonKind,
    layer: Layer,
    policies: &[P],
    pi: usize,
    si: usize,
) -> Reason {
    let p = policies.get(pi).map(Borrow::borrow);
    Reason {
        kind,
        layer,
        policy: Some(pi),
        policy_name: p.and_then(|p| p.name_arc()),
        statement: Some(si),
        sid: p
            .and_then(|p| p.statements().get(si))
            .and_then(|s| s.sid_arc()),
    }
}

fn no_allow(layer: Layer) -> Reason {
    Reason {
        kind: ReasonKind::NoAllow,
        layer,
        policy: None,
        policy_name: None,
        statement: None,
        sid: None,
    }
}

/// The service prefix of the request's action (the whole action when it has no colon).
fn service_of(req: &Request) -> &str {
    let action = req.action();
    action.split_once(':').map_or(action, |(s, _)| s)
}

/// Whether RCPs govern the request: resources of the supported services, not `kms:RetireGrant`,
/// not service-linked roles.
pub(crate) fn rcp_applies(req: &Request) -> bool {
    rcp_applies_given(req, is_service_linked_role(req))
}

fn rcp_applies_given(req: &Request, service_linked: bool) -> bool {
    let service = service_of(req);
    RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service))
        && !req.action().eq_ignore_ascii_case("kms:RetireGrant")
        && !service_linked
}

/// Whether the resource's own policy must allow the request, whatever identity policies say:
/// role trust policies for `sts:AssumeRole*` on a role, and KMS key policies (IAM User Guide,
/// "Policy evaluation logic": "trust policies and KMS key policies are exceptions").
pub(crate) fn resource_policy_required(req: &Request) -> bool {
    required_given(req, is_role_trust(req))
}

fn required_given(req: &Request, role_trust: bool) -> bool {
    role_trust
        || (service_of(req).eq_ignore_ascii_case("kms")
            && req.resource().starts_with("arn:")
            && req.resource().contains(":kms:"))
}

/// Whether the request is an STS action on a role, decided by the role's trust policy.
pub(crate) fn is_role_trust(req: &Request) -> bool {
    let resource = req.resource();
    service_of(req).eq_ignore_ascii_case("sts")
        && resource.contains(":iam::")
        && resource.contains(":role/")
}

pub(crate) fn is_service_linked_role(req: &Request) -> bool {
    match req.caller() {
        Caller::Role { role_arn, .. } => role_arn.contains(":role/aws-service-role/"),
        _ => false,
    }
}

/// Evaluate a request against a set of policies.
///
/// Never fails: invalid policies are rejected when they are compiled.
///
/// ```
/// use perimeter::eval::{evaluate, Caller, Decision, PolicySet, Request};
/// use perimeter::policy::CompiledPolicy;
/// use std::sync::Arc;
///
/// let bucket_policy = CompiledPolicy::parse(r#"{"Version": "2012-10-17", "Statement": [{
///     "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
///     "Resource": "arn:aws:s3:::public-site/*"}]}"#)?;
/// let set = PolicySet { resource: Some(Arc::new(bucket_policy)), ..PolicySet::default() };
/// let req = Request::builder(Caller::Anonymous, "s3:GetObject", "arn:aws:s3:::public-site/index.html")
///     .resource_account("111122223333")
///     .build();
/// assert_eq!(evaluate(&req, &set).decision, Decision::Allow);
/// # Ok::<(), perimeter::Error>(())
/// ```
pub fn evaluate(req: &Request, set: &PolicySet) -> Evaluation {
    evaluate_parts(
        req,
        &Parts {
            identity: &set.identity,
            resource: set.resource.as_slice(),
            permission_boundary: set.permission_boundary.as_slice(),
            session: &set.session,
            service_control: &set.service_control,
            resource_control: &set.resource_control,
        },
    )
}

/// The policies of a request, however they are held (`Arc`s in a [`PolicySet`], references for
/// the analysis' witnesses).
pub(crate) struct Parts<'a, P> {
    pub(crate) identity: &'a [P],
    pub(crate) resource: &'a [P],
    pub(crate) permission_boundary: &'a [P],
    pub(crate) session: &'a [P],
    pub(crate) service_control: &'a [Vec<P>],
    pub(crate) resource_control: &'a [Vec<P>],
}

/// [`evaluate`] over policies held any way.
pub(crate) fn evaluate_parts<P: Borrow<CompiledPolicy>>(
    req: &Request,
    set: &Parts<'_, P>,
) -> Evaluation {
    let caller = req.caller();
    let iam = caller.is_iam_identity();
    let is_root = matches!(caller, Caller::Root { .. });
    // Boundaries apply to users and roles; session policies to role sessions and federated users.
    let boundary_applies = iam && !is_root && !set.permission_boundary.is_empty();
    let session_applies = matches!(caller, Caller::Role { .. } | Caller::FederatedUser { .. });
    let none: &[P] = &[];

    let identity_p = if iam { set.identity } else { none };
    let resource_p = set.resource;
    let boundary_p = if boundary_applies {
        set.permission_boundary
    } else {
        none
    };
    let session_p = if session_applies { set.session } else { none };
    // SCPs apply to IAM identities of member accounts, not to service-linked roles.
    let service_linked = is_service_linked_role(req);
    let scp_levels: &[Vec<P>] = if iam && !service_linked {
        set.service_control
    } else {
        &[]
    };
    let rcp_levels: &[Vec<P>] = if rcp_applies_given(req, service_linked) {
        set.resource_control
    } else {
        &[]
    };

    let mut hits = Hits::new();
    let b = boundary_applies;
    let (identity_allowed, identity_denied, _) =
        scan(&mut hits, Layer::Identity, identity_p, req, b);
    let (resource_allowed, resource_denied, grant) =
        scan(&mut hits, Layer::Resource, resource_p, req, b);
    let (boundary_allowed, boundary_denied, _) =
        scan(&mut hits, Layer::PermissionBoundary, boundary_p, req, b);
    let (session_allowed, session_denied, _) = scan(&mut hits, Layer::Session, session_p, req, b);
    let mut denied = identity_denied || resource_denied || boundary_denied || session_denied;
    let mut scp_missing: SmallVec<[usize; 3]> = SmallVec::new();
    for (level, policies) in scp_levels.iter().enumerate() {
        let (allowed, d, _) = scan(&mut hits, Layer::ServiceControl { level }, policies, req, b);
        denied |= d;
        if !allowed {
            scp_missing.push(level);
        }
    }
    for (level, policies) in rcp_levels.iter().enumerate() {
        let (_, d, _) = scan(
            &mut hits,
            Layer::ResourceControl { level },
            policies,
            req,
            b,
        );
        denied |= d;
    }

    let policies_of = |layer: Layer| -> &[P] {
        match layer {
            Layer::Identity => identity_p,
            Layer::Resource => resource_p,
            Layer::PermissionBoundary => boundary_p,
            Layer::Session => session_p,
            Layer::ServiceControl { level } => scp_levels.get(level).map_or(none, |l| &l[..]),
            Layer::ResourceControl { level } => rcp_levels.get(level).map_or(none, |l| &l[..]),
        }
    };
    let reasons_for = |kind: ReasonKind, effect: Effect| -> Vec<Reason> {
        hits.iter()
            .filter(|h| h.effect == effect)
            .map(|h| {
                statement_reason(
                    kind,
                    h.layer,
                    policies_of(h.layer),
                    h.policy as usize,
                    h.statement as usize,
                )
            })
            .collect()
    };

    // 1. An explicit deny anywhere decides.
    if denied {
        return Evaluation {
            decision: Decision::ExplicitDeny,
            reasons: reasons_for(ReasonKind::Denied, Effect::Deny),
        };
    }

    // 2. Every SCP level must allow (RCP levels always hold RCPFullAWSAccess).
    if !scp_missing.is_empty() {
        return Evaluation {
            decision: Decision::ImplicitDeny,
            reasons: scp_missing
                .iter()
                .map(|&level| no_allow(Layer::ServiceControl { level }))
                .collect(),
        };
    }

    // 3. Identity side and resource side.
    let identity_allows = is_root || identity_allowed;
    let boundary_ok = !boundary_applies || boundary_allowed;
    // A federated user from GetFederationToken always has a session policy; without one it has
    // no permissions (IAM User Guide, "Session policies").
    let session_ok = if !session_applies {
        true
    } else if set.session.is_empty() {
        !matches!(caller, Caller::FederatedUser { .. })
    } else {
        session_allowed
    };
    let identity_path = iam && identity_allows && boundary_ok && session_ok;
    let role_trust = is_role_trust(req);
    let required = required_given(req, role_trust);

    let allowed = if !iam {
        // Anonymous callers, services and identity providers have no identity side.
        resource_allowed
    } else if req.is_same_account() {
        let sufficient = match grant {
            // A trust policy that names a user (or session) still needs the caller's boundary to
            // allow `sts:AssumeRole` (IAM User Guide, "Update a role trust policy": "If a
            // permissions boundary is set for the user, then it must allow the sts:AssumeRole
            // action"), an exception to the rule that a grant naming a user ARN is not limited
            // by the boundary. Corpus: `85-documented-exceptions.json`.
            Some(Grant::Exact) if role_trust => boundary_ok && session_ok,
            Some(Grant::Exact) => true,
            Some(Grant::Role) => boundary_ok && session_ok,
            Some(Grant::Account) | None => false,
        };
        if required {
            resource_allowed && (sufficient || identity_path)
        } else {
            sufficient || identity_path
        }
    } else {
        // Across accounts both sides must allow.
        resource_allowed && identity_path
    };

    if allowed {
        return Evaluation {
            decision: Decision::Allow,
            reasons: reasons_for(ReasonKind::Allowed, Effect::Allow),
        };
    }

    let mut reasons = Vec::new();
    if (!iam || required || !req.is_same_account()) && !resource_allowed {
        reasons.push(no_allow(Layer::Resource));
    }
    if iam {
        if !identity_allows {
            reasons.push(no_allow(Layer::Identity));
        }
        if !boundary_ok {
            reasons.push(no_allow(Layer::PermissionBoundary));
        }
        if !session_ok {
            reasons.push(no_allow(Layer::Session));
        }
        if reasons.is_empty() {
            // Same account, identity allowed, and the resource policy only delegated.
            reasons.push(no_allow(Layer::Resource));
        }
    }
    Evaluation {
        decision: Decision::ImplicitDeny,
        reasons,
    }
}
