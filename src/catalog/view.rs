//! Borrowed views of the catalog's tables: services, actions, resource types, condition keys.

use std::fmt;

use super::arn_format::ArnFormat;
use super::global::{Scope, CROSS_SERVICE_KEYS, GLOBAL_KEYS};
use super::name::{cmp_ignore_case, is_templated, Template};
use super::store::{
    ActionResourceRow, ActionRow, DirKind, KeyRow, ResourceRow, ServiceData, ServiceEntry, Span,
    Store,
};
use super::types::{AccessLevel, ConditionKeyType};

/// One AWS service of the catalog (one page of the Service Authorization Reference).
///
/// Getting a `Service` is cheap; its tables are read from the embedded data the first time one
/// of the methods that need them is called.
#[derive(Clone, Copy)]
pub struct Service<'c> {
    store: &'c Store,
    entry: &'c ServiceEntry,
}

impl<'c> Service<'c> {
    pub(crate) fn new(store: &'c Store, entry: &'c ServiceEntry) -> Service<'c> {
        Service { store, entry }
    }

    fn data(&self) -> &'c ServiceData {
        self.entry.data()
    }

    /// The service prefix used in actions and ARNs, such as `s3` (always lowercase).
    pub fn prefix(&self) -> &'c str {
        self.entry.prefix
    }

    /// The service's name, such as `Amazon S3`.
    pub fn name(&self) -> &'c str {
        self.entry.name
    }

    /// Every action of the service, sorted by name (ignoring case).
    pub fn actions(&self) -> impl ExactSizeIterator<Item = Action<'c>> + 'c {
        let (store, entry, data) = (self.store, self.entry, self.data());
        data.actions.iter().map(move |row| Action {
            store,
            entry,
            data,
            row,
        })
    }

    /// The action named `name` (without the prefix; case-insensitive, as in IAM).
    pub fn action(&self, name: &str) -> Option<Action<'c>> {
        let data = self.data();
        let i = data
            .actions
            .binary_search_by(|a| cmp_ignore_case(a.name, name))
            .ok()?;
        Some(Action {
            store: self.store,
            entry: self.entry,
            data,
            row: data.actions.get(i)?,
        })
    }

    /// Every resource type of the service.
    pub fn resource_types(&self) -> impl ExactSizeIterator<Item = ResourceType<'c>> + 'c {
        let service = *self;
        self.data()
            .resources
            .iter()
            .map(move |row| ResourceType { service, row })
    }

    /// The resource type named `name` (such as `object`; case-insensitive).
    pub fn resource_type(&self, name: &str) -> Option<ResourceType<'c>> {
        self.resource_types()
            .find(|r| r.name().eq_ignore_ascii_case(name))
    }

    /// The resource types of this service whose ARN formats `arn` can match (see
    /// [`ResourceType::matches_arn`]). Empty when the ARN names none of them.
    pub fn resource_types_matching<'a>(
        &self,
        arn: &'a str,
    ) -> impl Iterator<Item = ResourceType<'c>> + 'a
    where
        'c: 'a,
    {
        self.resource_types().filter(move |r| r.matches_arn(arn))
    }

    /// The condition keys this service's reference page lists, with their types. This includes
    /// the global keys the service supports per action (`aws:RequestTag/${TagKey}`, …) but not
    /// the other global keys, which every service supports.
    pub fn condition_keys(&self) -> impl ExactSizeIterator<Item = ConditionKey<'c>> + 'c {
        self.data().keys.iter().map(ConditionKey::from_row)
    }

    /// The key this service lists that `name` is (exactly, or as an instance of a template such as
    /// `s3:ExistingObjectTag/<key>`); case-insensitive.
    pub fn condition_key(&self, name: &str) -> Option<ConditionKey<'c>> {
        let keys = &self.data().keys;
        if let Some(row) = keys.iter().find(|k| k.name.eq_ignore_ascii_case(name)) {
            return Some(ConditionKey::from_row(row));
        }
        let def = self.store.resolve_key(name)?;
        keys.iter()
            .find(|k| k.name.eq_ignore_ascii_case(def.name))
            .map(ConditionKey::from_row)
    }
}

impl fmt::Debug for Service<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Service")
            .field("prefix", &self.prefix())
            .field("name", &self.name())
            .finish()
    }
}

impl PartialEq for Service<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.entry, other.entry)
    }
}

impl Eq for Service<'_> {}

/// One action, such as `s3:GetObject`.
///
/// `Display` writes the full name with the service prefix (`s3:GetObject`).
#[derive(Clone, Copy)]
pub struct Action<'c> {
    store: &'c Store,
    entry: &'c ServiceEntry,
    data: &'c ServiceData,
    row: &'c ActionRow,
}

impl<'c> Action<'c> {
    /// The action's name as the reference writes it, without the prefix (`GetObject`).
    pub fn name(&self) -> &'c str {
        self.row.name
    }

    /// The service the action belongs to.
    pub fn service(&self) -> Service<'c> {
        Service::new(self.store, self.entry)
    }

    /// `prefix:Name`, as a new string (`Display` writes the same without allocating).
    pub fn full_name(&self) -> String {
        self.to_string()
    }

    /// The action's access level.
    pub fn access_level(&self) -> AccessLevel {
        self.row.level
    }

    /// The resource types the action can be authorized against, each with whether the reference
    /// marks it required and the condition keys listed for that pairing. Empty when the action
    /// supports no resource-level permissions (a policy must then use `"Resource": "*"`).
    pub fn resource_types(&self) -> impl ExactSizeIterator<Item = ActionResource<'c>> + 'c {
        let service = self.service();
        let data = self.data;
        self.row
            .resources
            .of(&data.action_resources)
            .iter()
            .map(move |row| ActionResource { service, row })
    }

    /// The condition keys the reference lists for the action itself (not per resource type).
    pub fn condition_keys(&self) -> impl ExactSizeIterator<Item = ConditionKey<'c>> + 'c {
        keys_of(self.data, self.row.keys)
    }

    /// Whether a policy condition on `key` is evaluated for this action (case-insensitive;
    /// templated keys resolve, so `aws:ResourceTag/team` works).
    ///
    /// True for global keys that apply to every request (`aws:SourceIp`, `aws:PrincipalOrgID`,
    /// …) and for the cross-service keys the global keys page lists; for other keys, true when
    /// the reference lists the key for the action, for one of its resource-type rows, or for one
    /// of its resource types. Unknown keys give false. This is what Access Analyzer's
    /// `UNSUPPORTED_ACTION_FOR_CONDITION_KEY` check needs; the reading is in
    /// `src/manual/catalog.md`.
    pub fn supports_condition_key(&self, key: &str) -> bool {
        let Some(def) = self.store.resolve_key(key) else {
            return false;
        };
        match def.kind {
            DirKind::Global(Scope::Universal) | DirKind::CrossService => return true,
            DirKind::Global(Scope::PerAction) | DirKind::Service => {}
        }
        let data = self.data;
        let listed = |span: Span| {
            span.of(&data.pool).iter().any(|&i| {
                data.keys
                    .get(usize::from(i))
                    .is_some_and(|k| k.name.eq_ignore_ascii_case(def.name))
            })
        };
        if listed(self.row.keys) {
            return true;
        }
        self.row
            .resources
            .of(&data.action_resources)
            .iter()
            .any(|r| {
                listed(r.keys)
                    || data
                        .resources
                        .get(usize::from(r.resource))
                        .is_some_and(|res| listed(res.keys))
            })
    }
}

impl fmt::Display for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.entry.prefix, self.row.name)
    }
}

impl fmt::Debug for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Action")
            .field("name", &format_args!("{self}"))
            .field("access_level", &self.access_level())
            .finish()
    }
}

impl PartialEq for Action<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.row, other.row)
    }
}

impl Eq for Action<'_> {}

fn keys_of(data: &ServiceData, span: Span) -> impl ExactSizeIterator<Item = ConditionKey<'_>> {
    span.of(&data.pool).iter().map(move |&i| {
        data.keys
            .get(usize::from(i))
            .map_or(ConditionKey::MISSING, ConditionKey::from_row)
    })
}

/// A resource type as one action uses it.
#[derive(Clone, Copy)]
pub struct ActionResource<'c> {
    service: Service<'c>,
    row: &'c ActionResourceRow,
}

impl<'c> ActionResource<'c> {
    /// The resource type.
    pub fn resource_type(&self) -> Option<ResourceType<'c>> {
        let row = self
            .service
            .data()
            .resources
            .get(usize::from(self.row.resource))?;
        Some(ResourceType {
            service: self.service,
            row,
        })
    }

    /// The resource type's name (`object`); empty only if the data were corrupt.
    pub fn name(&self) -> &'c str {
        self.resource_type().map_or("", |r| r.name())
    }

    /// Whether the reference marks the resource type required (`*` in its tables): a statement
    /// must name a resource of this type for the action to be allowed on it.
    pub fn is_required(&self) -> bool {
        self.row.required
    }

    /// The condition keys the reference lists for this action with this resource type.
    pub fn condition_keys(&self) -> impl ExactSizeIterator<Item = ConditionKey<'c>> + 'c {
        keys_of(self.service.data(), self.row.keys)
    }
}

impl fmt::Debug for ActionResource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionResource")
            .field("name", &self.name())
            .field("required", &self.is_required())
            .finish()
    }
}

/// A resource type, such as S3's `object`, with its ARN formats.
#[derive(Clone, Copy)]
pub struct ResourceType<'c> {
    service: Service<'c>,
    row: &'c ResourceRow,
}

impl<'c> ResourceType<'c> {
    /// The name the reference gives it (`object`, `bucket`, `role`, `function alias`, …).
    pub fn name(&self) -> &'c str {
        self.row.name
    }

    /// The service it belongs to.
    pub fn service(&self) -> Service<'c> {
        self.service
    }

    /// Its ARN formats (usually one; API Gateway has a few with two).
    pub fn arn_formats(&self) -> impl ExactSizeIterator<Item = ArnFormat<'c>> + 'c {
        self.row
            .arns
            .of(&self.service.data().arns)
            .iter()
            .map(|a| ArnFormat::new(a))
    }

    /// Whether `arn` (a concrete ARN, or a pattern with `*` and `?`) can name a resource of this
    /// type: whether it can match one of the ARN formats ([`ArnFormat::matches`]).
    pub fn matches_arn(&self, arn: &str) -> bool {
        self.arn_formats().any(|f| f.matches(arn))
    }

    /// The condition keys the reference lists for this resource type.
    pub fn condition_keys(&self) -> impl ExactSizeIterator<Item = ConditionKey<'c>> + 'c {
        keys_of(self.service.data(), self.row.keys)
    }
}

impl fmt::Debug for ResourceType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceType")
            .field("service", &self.service.prefix())
            .field("name", &self.name())
            .finish()
    }
}

/// A condition key definition: its name as the reference writes it (possibly a template such as
/// `aws:RequestTag/${TagKey}`) and the type of its values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ConditionKey<'c> {
    name: &'c str,
    ty: ConditionKeyType,
    global: bool,
    universal: bool,
}

impl<'c> ConditionKey<'c> {
    const MISSING: ConditionKey<'static> = ConditionKey {
        name: "",
        ty: ConditionKeyType::String,
        global: false,
        universal: false,
    };

    pub(crate) fn new(name: &'c str, ty: ConditionKeyType) -> ConditionKey<'c> {
        let global = name
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("aws:"));
        let universal = if global {
            GLOBAL_KEYS
                .iter()
                .any(|k| k.scope == Scope::Universal && k.name.eq_ignore_ascii_case(name))
        } else {
            CROSS_SERVICE_KEYS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(name))
        };
        ConditionKey {
            name,
            ty,
            global,
            universal,
        }
    }

    fn from_row(row: &'c KeyRow) -> ConditionKey<'c> {
        ConditionKey::new(row.name, row.ty)
    }

    /// The name as the reference writes it (`aws:SourceIp`, `s3:ExistingObjectTag/<key>`).
    pub fn name(&self) -> &'c str {
        self.name
    }

    /// The type of the key's values.
    pub fn value_type(&self) -> ConditionKeyType {
        self.ty
    }

    /// Whether a request can carry several values for the key, so that a policy must use
    /// `ForAnyValue:` or `ForAllValues:` with it.
    pub fn is_multivalued(&self) -> bool {
        self.ty.is_multivalued()
    }

    /// Whether this is a global key (`aws:` prefix).
    pub fn is_global(&self) -> bool {
        self.global
    }

    /// Whether every action supports the key: the global keys that describe the request, the
    /// principal or the network (`aws:SourceIp`, `aws:PrincipalOrgID`, …) and the cross-service
    /// keys the global keys page lists (`ec2:SourceInstanceArn`, …). False for the tag keys
    /// `aws:RequestTag/${TagKey}`, `aws:ResourceTag/${TagKey}` and `aws:TagKeys`, which only the
    /// actions the reference lists them for support, and for service keys.
    pub fn applies_to_all_actions(&self) -> bool {
        self.universal
    }

    /// Whether the name is a template with a placeholder (`${TagKey}`, `<key>`) that stands for
    /// any non-empty text.
    pub fn is_templated(&self) -> bool {
        is_templated(self.name)
    }

    /// Whether the concrete key `name` is this key: equal ignoring case, or an instance of the
    /// template (`aws:RequestTag/team` for `aws:RequestTag/${TagKey}`).
    pub fn matches(&self, name: &str) -> bool {
        if self.name.eq_ignore_ascii_case(name) {
            return true;
        }
        Template::new(self.name).is_some_and(|t| t.matches(name))
    }
}

impl fmt::Debug for ConditionKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionKey")
            .field("name", &self.name)
            .field("type", &self.ty)
            .finish()
    }
}

impl fmt::Display for ConditionKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}
