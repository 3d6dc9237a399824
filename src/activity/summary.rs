//! The activity summary: per principal, when each service, action, access key and the console
//! password was last used. A plain value that merges associatively and commutatively, so that
//! shards of a trail summarised anywhere combine into the same result.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::principal::{full_arn, PrincipalKind, PrincipalRef};
use super::time::Timestamp;

/// At most this many principals are kept; past it, the principals with the greatest keys are
/// dropped and [`ActivitySummary::truncated`] is set. A real account has far fewer.
pub const MAX_PRINCIPALS: usize = 200_000;
/// At most this many actions are kept per principal (the service reference has about 20,000).
pub const MAX_ACTIONS_PER_PRINCIPAL: usize = 40_000;
/// At most this many access keys are kept per principal.
pub const MAX_KEYS_PER_PRINCIPAL: usize = 1_000;
/// At most this many resource ARNs are kept per action, the smallest ones.
pub const MAX_RESOURCES_PER_ACTION: usize = 64;
/// Longest action name, key id or ARN that is recorded; longer ones are not real.
pub const MAX_NAME_LEN: usize = 2_048;

/// How often and when something was used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Number of events (saturating).
    pub count: u64,
    /// The latest event, allowed or denied (IAM's last-accessed information also counts denied
    /// attempts).
    pub last: Timestamp,
    /// The latest event that was not denied, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_allowed: Option<Timestamp>,
}

impl Usage {
    /// One event at `at`, denied or not.
    pub fn once(at: Timestamp, denied: bool) -> Usage {
        Usage {
            count: 1,
            last: at,
            last_allowed: (!denied).then_some(at),
        }
    }

    /// Both usages together.
    pub fn merged(self, other: Usage) -> Usage {
        Usage {
            count: self.count.saturating_add(other.count),
            last: self.last.max(other.last),
            last_allowed: self.last_allowed.max(other.last_allowed),
        }
    }

    /// The latest time to count as a use: `last`, or `last_allowed` when denied attempts are
    /// not counted.
    pub fn last_use(&self, count_denied: bool) -> Option<Timestamp> {
        if count_denied {
            Some(self.last)
        } else {
            self.last_allowed
        }
    }
}

fn merge_opt(a: &mut Option<Usage>, b: Option<Usage>) {
    *a = match (*a, b) {
        (Some(x), Some(y)) => Some(x.merged(y)),
        (x, y) => x.or(y),
    };
}

/// Keeps the `max` smallest keys of `map`; returns whether any were dropped.
fn cap_map<V>(map: &mut BTreeMap<String, V>, max: usize) -> bool {
    let mut dropped = false;
    while map.len() > max {
        map.pop_last();
        dropped = true;
    }
    dropped
}

/// A sample of the resource ARNs an action was used on: the smallest
/// [`MAX_RESOURCES_PER_ACTION`] of them, and whether there were more.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "ResourceSampleWire")]
pub struct ResourceSample {
    arns: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceSampleWire {
    #[serde(default)]
    arns: BTreeSet<String>,
    #[serde(default)]
    truncated: bool,
}

impl From<ResourceSampleWire> for ResourceSample {
    fn from(w: ResourceSampleWire) -> Self {
        let mut s = ResourceSample {
            arns: w.arns,
            truncated: w.truncated,
        };
        s.cap();
        s
    }
}

impl ResourceSample {
    /// The ARNs kept, sorted.
    pub fn arns(&self) -> impl Iterator<Item = &str> {
        self.arns.iter().map(String::as_str)
    }

    /// Whether more ARNs were seen than are kept.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    fn cap(&mut self) {
        while self.arns.len() > MAX_RESOURCES_PER_ACTION {
            self.arns.pop_last();
            self.truncated = true;
        }
    }

    fn insert(&mut self, arn: &str) {
        if arn.len() > MAX_NAME_LEN || self.arns.contains(arn) {
            return;
        }
        if self.arns.len() >= MAX_RESOURCES_PER_ACTION {
            // Only worth inserting when smaller than the greatest kept.
            match self.arns.last() {
                Some(last) if arn < last.as_str() => {}
                _ => {
                    self.truncated = true;
                    return;
                }
            }
        }
        self.arns.insert(arn.to_owned());
        self.cap();
    }

    fn merge(&mut self, other: ResourceSample) {
        self.truncated |= other.truncated;
        self.arns.extend(other.arns);
        self.cap();
    }
}

/// The use of one action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionUsage {
    /// When and how often.
    #[serde(flatten)]
    pub usage: Usage,
    /// The resources named by the events (`resources[].ARN`), when the log had them.
    #[serde(default, skip_serializing_if = "ResourceSample::is_empty")]
    pub resources: ResourceSample,
}

impl ResourceSample {
    fn is_empty(&self) -> bool {
        self.arns.is_empty() && !self.truncated
    }
}

/// Everything one principal did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalActivity {
    /// User, role or root.
    pub kind: PrincipalKind,
    /// The path, when a source showed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Every call the principal made (including calls that need no permission).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<Usage>,
    /// Roles: successful `AssumeRole*` calls naming the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed: Option<Usage>,
    /// Per service prefix (`s3`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, Usage>,
    /// Per action (`s3:GetObject`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actions: BTreeMap<String, ActionUsage>,
    /// Per long-term access key id (`AKIA…`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub access_keys: BTreeMap<String, Usage>,
    /// Successful console sign-ins with the password (`ConsoleLogin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console_sign_in: Option<Usage>,
    /// Whether actions or keys were dropped past the bounds.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl PrincipalActivity {
    fn new(kind: PrincipalKind) -> Self {
        PrincipalActivity {
            kind,
            path: None,
            calls: None,
            assumed: None,
            services: BTreeMap::new(),
            actions: BTreeMap::new(),
            access_keys: BTreeMap::new(),
            console_sign_in: None,
            truncated: false,
        }
    }

    /// The latest activity of any kind: calls, assumption, key use, console sign-in.
    pub fn last_activity(&self, count_denied: bool) -> Option<Timestamp> {
        let mut last = None;
        for u in [self.calls, self.assumed, self.console_sign_in]
            .into_iter()
            .flatten()
        {
            last = last.max(u.last_use(count_denied));
        }
        for u in self.access_keys.values() {
            last = last.max(u.last_use(count_denied));
        }
        last
    }

    fn set_path(&mut self, path: Option<&str>) {
        if let Some(p) = path {
            // Deterministic whatever the order: the greatest path seen wins (paths of one
            // principal only differ when a role was re-created, which IAM does not allow
            // under the same name at the same time).
            if self.path.as_deref().is_none_or(|old| p > old) {
                self.path = Some(p.to_owned());
            }
        }
    }

    fn merge(&mut self, other: PrincipalActivity) {
        self.set_path(other.path.as_deref());
        merge_opt(&mut self.calls, other.calls);
        merge_opt(&mut self.assumed, other.assumed);
        merge_opt(&mut self.console_sign_in, other.console_sign_in);
        for (k, v) in other.services {
            match self.services.get_mut(&k) {
                Some(old) => *old = old.merged(v),
                None => {
                    self.services.insert(k, v);
                }
            }
        }
        for (k, v) in other.actions {
            match self.actions.get_mut(&k) {
                Some(old) => {
                    old.usage = old.usage.merged(v.usage);
                    old.resources.merge(v.resources);
                }
                None => {
                    self.actions.insert(k, v);
                }
            }
        }
        for (k, v) in other.access_keys {
            match self.access_keys.get_mut(&k) {
                Some(old) => *old = old.merged(v),
                None => {
                    self.access_keys.insert(k, v);
                }
            }
        }
        self.truncated |= other.truncated;
        self.cap();
    }

    fn cap(&mut self) {
        self.truncated |= cap_map(&mut self.actions, MAX_ACTIONS_PER_PRINCIPAL);
        self.truncated |= cap_map(&mut self.services, MAX_ACTIONS_PER_PRINCIPAL);
        self.truncated |= cap_map(&mut self.access_keys, MAX_KEYS_PER_PRINCIPAL);
    }
}

/// Usage per principal, from CloudTrail or from rows of a SQL query over it.
///
/// Keys are path-less principal ARNs (see [`PrincipalRef`]). [`merge`](Self::merge) is
/// associative and commutative; serialize it with serde to move it between machines.
///
/// ```
/// use perimeter::activity::{ActivitySummary, Timestamp};
/// let t = Timestamp::parse("2024-05-01T00:00:00Z")?;
/// let mut a = ActivitySummary::new();
/// a.record_action("arn:aws:iam::111122223333:role/app", "s3:GetObject", t, false);
/// let mut b = ActivitySummary::new();
/// b.record_action("arn:aws:iam::111122223333:role/app", "s3:PutObject", t, true);
/// a.merge(b);
/// let role = a.principal("arn:aws:iam::111122223333:role/app").unwrap();
/// assert_eq!(role.services["s3"].count, 2);
/// assert_eq!(role.actions["s3:PutObject"].usage.last_allowed, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivitySummary {
    /// Per principal, keyed by path-less ARN.
    #[serde(default)]
    principals: BTreeMap<String, PrincipalActivity>,
    /// The earliest event time seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_event: Option<Timestamp>,
    /// The latest event time seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_event: Option<Timestamp>,
    /// Events recorded.
    #[serde(default)]
    events: u64,
    /// Events not attributed to an IAM user, role or root (AWS services, other accounts,
    /// anonymous callers).
    #[serde(default)]
    unattributed_events: u64,
    /// Whether principals were dropped past [`MAX_PRINCIPALS`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
}

/// One observation to fold into a summary: an event, or a row of pre-aggregated events.
#[derive(Debug, Default)]
pub(crate) struct Observation<'a> {
    pub(crate) principal: Option<&'a PrincipalRef>,
    /// Number of events this stands for.
    pub(crate) count: u64,
    pub(crate) first: Option<Timestamp>,
    pub(crate) last: Option<Timestamp>,
    pub(crate) last_allowed: Option<Timestamp>,
    pub(crate) actions: &'a [&'a str],
    pub(crate) resources: &'a [&'a str],
    pub(crate) access_key: Option<&'a str>,
    pub(crate) console_sign_in: bool,
    /// A role assumed by this call (successful `AssumeRole*`).
    pub(crate) assumed_role: Option<&'a PrincipalRef>,
}

impl ActivitySummary {
    /// An empty summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds `other` into `self`. Associative and commutative: any grouping and order of shards
    /// gives the same summary.
    pub fn merge(&mut self, other: ActivitySummary) {
        for (k, v) in other.principals {
            match self.principals.get_mut(&k) {
                Some(old) => old.merge(v),
                None => {
                    self.principals.insert(k, v);
                }
            }
        }
        self.first_event = match (self.first_event, other.first_event) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_event = self.last_event.max(other.last_event);
        self.events = self.events.saturating_add(other.events);
        self.unattributed_events = self
            .unattributed_events
            .saturating_add(other.unattributed_events);
        self.truncated |= other.truncated;
        self.truncated |= cap_map(&mut self.principals, MAX_PRINCIPALS);
    }

    /// The principals, by path-less ARN.
    pub fn principals(&self) -> impl Iterator<Item = (&str, &PrincipalActivity)> {
        self.principals.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// One principal, by ARN (with or without path; role session ARNs give the role).
    pub fn principal(&self, arn: &str) -> Option<&PrincipalActivity> {
        let p = PrincipalRef::from_arn(arn)?;
        self.principals.get(&p.key)
    }

    /// The ARN of a principal key with its path, when known.
    pub fn principal_arn(&self, key: &str) -> String {
        full_arn(
            key,
            self.principals.get(key).and_then(|p| p.path.as_deref()),
        )
    }

    /// The earliest and latest event times seen: the span the logs cover.
    pub fn coverage(&self) -> Option<(Timestamp, Timestamp)> {
        Some((self.first_event?, self.last_event?))
    }

    /// Events recorded (attributed or not).
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Events that were not attributed to an IAM user, role or root user.
    pub fn unattributed_events(&self) -> u64 {
        self.unattributed_events
    }

    /// Whether principals were dropped past [`MAX_PRINCIPALS`].
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Records one use of `action` (`s3:GetObject`) by `principal` (a user, role, role session or
    /// root ARN) at `at`. Does nothing when `principal` is not such an ARN or `action` has no
    /// `:`.
    pub fn record_action(&mut self, principal: &str, action: &str, at: Timestamp, denied: bool) {
        let Some(p) = PrincipalRef::from_arn(principal) else {
            return;
        };
        if !action.contains(':') {
            return;
        }
        self.observe(&Observation {
            principal: Some(&p),
            count: 1,
            first: Some(at),
            last: Some(at),
            last_allowed: (!denied).then_some(at),
            actions: &[action],
            ..Observation::default()
        });
    }

    fn entry(&mut self, p: &PrincipalRef) -> Option<&mut PrincipalActivity> {
        if !self.principals.contains_key(&p.key) {
            if self.principals.len() >= MAX_PRINCIPALS {
                match self.principals.last_key_value() {
                    Some((last, _)) if p.key.as_str() < last.as_str() => {}
                    _ => {
                        self.truncated = true;
                        return None;
                    }
                }
            }
            self.principals
                .insert(p.key.clone(), PrincipalActivity::new(p.kind));
            self.truncated |= cap_map(&mut self.principals, MAX_PRINCIPALS);
        }
        let entry = self.principals.get_mut(&p.key)?;
        entry.set_path(p.path.as_deref());
        Some(entry)
    }

    pub(crate) fn observe(&mut self, o: &Observation<'_>) {
        let (Some(first), Some(last)) = (o.first, o.last) else {
            return;
        };
        let count = o.count.max(1);
        self.events = self.events.saturating_add(count);
        self.first_event = Some(self.first_event.map_or(first, |f| f.min(first)));
        self.last_event = self.last_event.max(Some(last));
        let usage = Usage {
            count,
            last,
            last_allowed: o.last_allowed,
        };
        if let Some(role) = o.assumed_role {
            if let Some(entry) = self.entry(role) {
                merge_opt(
                    &mut entry.assumed,
                    o.last_allowed.map(|t| Usage {
                        count,
                        last: t,
                        last_allowed: Some(t),
                    }),
                );
            }
        }
        let Some(p) = o.principal else {
            self.unattributed_events = self.unattributed_events.saturating_add(count);
            return;
        };
        let Some(entry) = self.entry(p) else {
            return;
        };
        merge_opt(&mut entry.calls, Some(usage));
        let mut last_service = None;
        for action in o.actions.iter().filter(|a| a.len() <= MAX_NAME_LEN) {
            let Some((service, _)) = action.split_once(':') else {
                continue;
            };
            if last_service != Some(service) {
                last_service = Some(service);
                match entry.services.get_mut(service) {
                    Some(old) => *old = old.merged(usage),
                    None => {
                        entry.services.insert(service.to_owned(), usage);
                    }
                }
            }
            let slot = match entry.actions.get_mut(*action) {
                Some(old) => {
                    old.usage = old.usage.merged(usage);
                    old
                }
                None => entry
                    .actions
                    .entry((*action).to_owned())
                    .or_insert(ActionUsage {
                        usage,
                        resources: ResourceSample::default(),
                    }),
            };
            for r in o.resources {
                slot.resources.insert(r);
            }
        }
        if let Some(key) = o.access_key.filter(|k| k.len() <= MAX_NAME_LEN) {
            match entry.access_keys.get_mut(key) {
                Some(old) => *old = old.merged(usage),
                None => {
                    entry.access_keys.insert(key.to_owned(), usage);
                }
            }
        }
        if o.console_sign_in {
            merge_opt(&mut entry.console_sign_in, Some(usage));
        }
        entry.cap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn resource_sample_keeps_the_smallest() {
        let mut s = ResourceSample::default();
        for i in (0..100).rev() {
            s.insert(&format!("arn:aws:s3:::b{i:03}"));
        }
        assert_eq!(s.arns.len(), MAX_RESOURCES_PER_ACTION);
        assert!(s.truncated);
        assert_eq!(s.arns().next(), Some("arn:aws:s3:::b000"));
        assert_eq!(s.arns().last(), Some("arn:aws:s3:::b063"));
    }

    #[test]
    fn usage_counts_denied_separately() {
        let mut a = ActivitySummary::new();
        let role = "arn:aws:sts::111122223333:assumed-role/app/s";
        a.record_action(role, "s3:GetObject", t("2024-01-01T00:00:00Z"), false);
        a.record_action(role, "s3:GetObject", t("2024-02-01T00:00:00Z"), true);
        let p = a.principal("arn:aws:iam::111122223333:role/app").unwrap();
        let u = p.actions["s3:GetObject"].usage;
        assert_eq!(u.count, 2);
        assert_eq!(u.last, t("2024-02-01T00:00:00Z"));
        assert_eq!(u.last_allowed, Some(t("2024-01-01T00:00:00Z")));
        assert_eq!(u.last_use(false), Some(t("2024-01-01T00:00:00Z")));
        assert_eq!(
            a.coverage(),
            Some((t("2024-01-01T00:00:00Z"), t("2024-02-01T00:00:00Z")))
        );
    }

    #[test]
    fn serde_round_trip() {
        let mut a = ActivitySummary::new();
        a.record_action(
            "arn:aws:iam::111122223333:user/x/bob",
            "iam:ListUsers",
            t("2024-01-01T00:00:00Z"),
            false,
        );
        let json = serde_json::to_string(&a).unwrap();
        let back: ActivitySummary = serde_json::from_str(&json).unwrap();
        assert_eq!(a, back);
        assert_eq!(
            a.principal_arn("arn:aws:iam::111122223333:user/bob"),
            "arn:aws:iam::111122223333:user/x/bob"
        );
    }
}
