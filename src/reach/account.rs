//! The account the graph is built from: principals from `get-account-authorization-details`,
//! resources from a resource list (or, later, an account snapshot), and the organization's
//! SCPs and RCPs, all compiled once.

use crate::activity::{AppliedPolicy, AuthorizationDetails};
use crate::analyze::{ResourceType, ZoneOfTrust};
use crate::error::{quote, Error, ErrorKind};
use crate::json::{self, Node, Path, Value};
use crate::policy::compile::PrincipalValue;
use crate::policy::{CompiledPolicy, Policy};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The largest resource list read, in bytes (64 MiB).
pub const MAX_RESOURCE_LIST_BYTES: usize = 64 << 20;

/// The most principals (users plus roles) and resources an account may hold. Beyond this the
/// analysis refuses the input rather than run for hours.
pub const MAX_ENTITIES: usize = 200_000;

/// The most session names tracked per role (see `manual::reach`, "Nodes").
pub const MAX_SESSION_NAMES: usize = 8;

/// The session name used when no policy asks for a particular one.
pub const DEFAULT_SESSION: &str = "perimeter-reach";

/// A resource of the graph other than the account's users and roles: its ARN, type, owner,
/// resource-based policy, and for Lambda functions the execution role.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct GraphResource {
    /// The ARN.
    pub arn: String,
    /// The type.
    pub resource_type: ResourceType,
    /// The owner's account id.
    pub owner_account: String,
    /// The resource-based policy, if any.
    pub policy: Option<Policy>,
    /// The execution role of a Lambda function (`Role` of `lambda get-function-configuration`).
    pub execution_role: Option<String>,
}

impl GraphResource {
    /// A resource without a policy.
    pub fn new(arn: &str, resource_type: ResourceType, owner_account: &str) -> GraphResource {
        GraphResource {
            arn: arn.to_string(),
            resource_type,
            owner_account: owner_account.to_string(),
            policy: None,
            execution_role: None,
        }
    }

    /// The same resource with a resource-based policy.
    pub fn with_policy(mut self, policy: Policy) -> GraphResource {
        self.policy = Some(policy);
        self
    }

    /// The same function with an execution role.
    pub fn with_execution_role(mut self, role_arn: &str) -> GraphResource {
        self.execution_role = Some(role_arn.to_string());
        self
    }
}

/// Resources and the zone of trust, read from a resource list:
///
/// ```json
/// {"zoneOfTrust": {"accounts": ["111122223333"]},
///  "resources": [{"arn": "arn:aws:s3:::data", "type": "AWS::S3::Bucket",
///                 "ownerAccount": "111122223333", "policy": {…}},
///                {"arn": "arn:aws:lambda:us-east-1:111122223333:function:etl",
///                 "type": "AWS::Lambda::Function", "role": "arn:aws:iam::111122223333:role/etl"}]}
/// ```
///
/// These are the fields every resource of an account snapshot has (`arn`, `type`,
/// `ownerAccount`, `policy`), plus `role` for Lambda functions; a bare array of resources is also
/// accepted. `ownerAccount` defaults to the ARN's account field; a policy may be an object or a
/// JSON string.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ResourceList {
    /// The zone of trust, if the list names one.
    pub zone: Option<ZoneOfTrust>,
    /// The resources.
    pub resources: Vec<GraphResource>,
    /// What reading left out (resources of a snapshot that could not be read, configuration the
    /// graph does not use).
    pub notes: Vec<String>,
}

fn input_at(message: String, path: &Path, node: &Node) -> Error {
    Error::at(ErrorKind::Input, message, path.location(node.span.start))
}

impl ResourceList {
    /// An empty list.
    pub fn new() -> ResourceList {
        ResourceList::default()
    }

    /// Read a resource list from JSON text.
    ///
    /// # Errors
    /// [`ErrorKind::Syntax`] for text that is not JSON, [`ErrorKind::Limit`] beyond
    /// [`MAX_RESOURCE_LIST_BYTES`], and [`ErrorKind::Input`] naming the field and location of a
    /// malformed resource.
    ///
    /// ```
    /// use perimeter::reach::ResourceList;
    ///
    /// let list = ResourceList::parse(r#"{"resources": [{"arn": "arn:aws:sqs:us-east-1:111122223333:q",
    ///   "type": "AWS::SQS::Queue", "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}]}"#)?;
    /// assert_eq!(list.resources[0].owner_account, "111122223333");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str) -> Result<ResourceList, Error> {
        let limits = json::Limits::default().with_max_bytes(MAX_RESOURCE_LIST_BYTES);
        let root = json::parse(text, &limits)?;
        let top = Path::root();
        let (zone, items, items_path) = match &root.value {
            Value::Array(items) => (None, items.as_slice(), top.clone()),
            Value::Object(members) => {
                let mut zone = None;
                let mut items: &[Node] = &[];
                for m in members {
                    let path = top.key(&m.key);
                    match m.key.as_str() {
                        "zoneOfTrust" => {
                            let z: ZoneOfTrust = serde_json::from_value(m.value.to_serde())
                                .map_err(|e| {
                                    input_at(format!("malformed `zoneOfTrust`: {e}"), &path, &m.value)
                                })?;
                            z.validate().map_err(|e| {
                                e.with_location(Some(path.location(m.value.span.start)))
                            })?;
                            zone = Some(z);
                        }
                        "resources" => match &m.value.value {
                            Value::Array(a) => items = a,
                            other => {
                                return Err(input_at(
                                    format!("`resources` must be an array, not {}", other.type_name()),
                                    &path,
                                    &m.value,
                                ))
                            }
                        },
                        // Other snapshot header fields are not needed here.
                        "accounts" | "description" => {}
                        other => {
                            return Err(input_at(
                                format!(
                                    "unknown resource list field {} (expected `zoneOfTrust` or `resources`)",
                                    quote(other)
                                ),
                                &path,
                                &m.value,
                            ))
                        }
                    }
                }
                (zone, items, top.key("resources"))
            }
            other => {
                return Err(input_at(
                    format!(
                        "a resource list must be an object or an array, not {}",
                        other.type_name()
                    ),
                    &top,
                    &root,
                ))
            }
        };
        if items.len() > MAX_ENTITIES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!(
                    "the resource list has {} resources; at most {MAX_ENTITIES} are analysed",
                    items.len()
                ),
            ));
        }
        let mut resources = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            resources.push(read_resource(item, &items_path.index(i))?);
        }
        Ok(ResourceList {
            zone,
            resources,
            notes: Vec::new(),
        })
    }

    /// Read the resources of an account snapshot (`docs/snapshot.md`,
    /// [`crate::analyze::Snapshot`]): each resource with its resource-based policy (a bucket's
    /// bucket policy, a key's key policy, a function's policy…). IAM roles are left to the
    /// authorization details, which hold their permissions too. A resource the snapshot cannot
    /// read, and configuration the graph does not use (S3 ACLs, access points and Block Public
    /// Access, KMS grants, function URLs), give notes.
    ///
    /// # Errors
    /// The snapshot header's error (not JSON, a malformed zone of trust).
    ///
    /// ```
    /// use perimeter::reach::ResourceList;
    ///
    /// let text = r#"{"zoneOfTrust": {"accounts": ["111122223333"]}, "resources": [
    ///   {"arn": "arn:aws:sqs:us-east-1:111122223333:orders", "type": "AWS::SQS::Queue",
    ///    "sqs get-queue-attributes": {"Attributes": {"Policy":
    ///      "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}}}]}"#;
    /// let list = ResourceList::read_snapshot(text.as_bytes())?;
    /// assert_eq!(list.resources.len(), 1);
    /// assert!(list.resources[0].policy.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_snapshot<R: std::io::BufRead>(reader: R) -> Result<ResourceList, Error> {
        use crate::analyze::ResourceConfig;
        let mut snapshot = crate::analyze::Snapshot::read(reader)?;
        let mut out = ResourceList {
            zone: snapshot.zone_of_trust().cloned(),
            ..ResourceList::default()
        };
        for item in snapshot.by_ref() {
            let config = match item {
                Ok(c) => c,
                Err(e) => {
                    out.notes
                        .push(format!("a snapshot resource is left out: {e}"));
                    continue;
                }
            };
            let r = config.resource().clone();
            let mut g = GraphResource::new(&r.arn, r.resource_type, &r.owner_account);
            match config {
                ResourceConfig::S3Bucket(b) => {
                    if b.acl.is_some() || b.access_points.as_ref().is_some_and(|a| !a.is_empty()) {
                        out.notes.push(format!(
                            "the ACL and access points of {} are not part of the graph: only its bucket policy is",
                            quote(&r.arn)
                        ));
                    }
                    g.policy = b.policy;
                }
                ResourceConfig::KmsKey(k) => {
                    if !k.grants.is_empty() {
                        out.notes.push(format!(
                            "the grants of {} are not part of the graph: only its key policy is",
                            quote(&r.arn)
                        ));
                    }
                    g.policy = k.policy;
                }
                ResourceConfig::LambdaFunction(f) => g.policy = f.policy,
                ResourceConfig::SecretsManagerSecret(s) => g.policy = s.policy,
                ResourceConfig::EbsSnapshot(_) | ResourceConfig::RdsSnapshot(_) => {
                    // Sharing a snapshot is an account list, not a policy a principal's hops can
                    // change: `analyze` reports it directly.
                    out.notes.push(format!(
                        "the sharing of snapshot {} is not part of the graph: `perimeter analyze` reports it",
                        quote(&r.arn)
                    ));
                    continue;
                }
                ResourceConfig::Policy(p) => {
                    if r.resource_type == ResourceType::IamRole {
                        // The authorization details hold the role, with its permissions.
                        continue;
                    }
                    g.policy = p.policy;
                }
                ResourceConfig::Invalid(i) => {
                    out.notes.push(format!(
                        "snapshot resource {} is left out: {}",
                        quote(&r.arn),
                        i.error
                    ));
                    continue;
                }
            }
            if out.resources.len() >= MAX_ENTITIES {
                return Err(Error::new(
                    ErrorKind::Limit,
                    format!("the snapshot has more than {MAX_ENTITIES} resources"),
                ));
            }
            out.resources.push(g);
        }
        Ok(out)
    }

    /// Add the resources of another list (a resource with an ARN already listed completes it:
    /// a policy or an execution role it lacks is taken from `other`), its notes, and its zone
    /// when this list has none.
    pub fn merge(&mut self, other: ResourceList) {
        if self.zone.is_none() {
            self.zone = other.zone;
        }
        for r in other.resources {
            match self.resources.iter_mut().find(|x| x.arn == r.arn) {
                Some(x) => {
                    if x.policy.is_none() {
                        x.policy = r.policy;
                    }
                    if x.execution_role.is_none() {
                        x.execution_role = r.execution_role;
                    }
                }
                None => self.resources.push(r),
            }
        }
        self.notes.extend(other.notes);
    }
}

fn read_resource(node: &Node, path: &Path) -> Result<GraphResource, Error> {
    if !matches!(node.value, Value::Object(_)) {
        return Err(input_at(
            format!(
                "a resource must be an object, not {}",
                node.value.type_name()
            ),
            path,
            node,
        ));
    }
    let text = |key: &str| -> Result<Option<String>, Error> {
        match node.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Value::String(s) => Ok(Some(s.clone())),
                Value::Null => Ok(None),
                other => Err(input_at(
                    format!(
                        "resource field `{key}` must be a string, not {}",
                        other.type_name()
                    ),
                    &path.key(key),
                    n,
                )),
            },
        }
    };
    let arn =
        text("arn")?.ok_or_else(|| input_at("a resource needs an `arn`".into(), path, node))?;
    let parsed = crate::arn::Arn::parse(&arn).map_err(|_| {
        input_at(
            format!("resource `arn` {} is not an arn", quote(&arn)),
            &path.key("arn"),
            node.get("arn").unwrap_or(node),
        )
    })?;
    let type_text =
        text("type")?.ok_or_else(|| input_at("a resource needs a `type`".into(), path, node))?;
    let resource_type = ResourceType::parse(&type_text).ok_or_else(|| {
        input_at(
            format!(
                "unknown resource type {} (expected a type such as `AWS::S3::Bucket`)",
                quote(&type_text)
            ),
            &path.key("type"),
            node.get("type").unwrap_or(node),
        )
    })?;
    let owner_account = match text("ownerAccount")? {
        Some(a) => a,
        None if crate::arn::is_account_id(parsed.account()) => parsed.account().to_string(),
        None => {
            return Err(input_at(
                format!(
                    "resource {} needs an `ownerAccount` (its arn has no account)",
                    quote(&arn)
                ),
                path,
                node,
            ))
        }
    };
    if !crate::arn::is_account_id(&owner_account) {
        return Err(input_at(
            format!(
                "`ownerAccount` {} is not a 12-digit account id",
                quote(&owner_account)
            ),
            &path.key("ownerAccount"),
            node.get("ownerAccount").unwrap_or(node),
        ));
    }
    let policy = match node.get("policy") {
        None => None,
        Some(n) if matches!(n.value, Value::Null) => None,
        Some(n) => {
            let v = match &n.value {
                Value::String(s) => {
                    crate::activity::decode_document(&serde_json::Value::String(s.clone()))
                        .ok_or_else(|| {
                            input_at(
                                "resource `policy` is a string that holds no json policy".into(),
                                &path.key("policy"),
                                n,
                            )
                        })?
                }
                _ => n.to_serde(),
            };
            Some(Policy::from_json_value(&v).map_err(|e| {
                e.context("resource `policy`: ")
                    .with_location(Some(path.key("policy").location(n.span.start)))
            })?)
        }
    };
    let execution_role = text("role")?;
    for m in node.members() {
        if !matches!(
            m.key.as_str(),
            "arn" | "type" | "ownerAccount" | "policy" | "role" | "description"
        ) {
            return Err(input_at(
                format!(
                    "unknown resource field {} (expected `arn`, `type`, `ownerAccount`, `policy` or `role`; account snapshots are read as snapshots)",
                    quote(&m.key)
                ),
                &path.key(&m.key),
                &m.value,
            ));
        }
    }
    Ok(GraphResource {
        arn,
        resource_type,
        owner_account,
        policy,
        execution_role,
    })
}

/// Options of the analysis.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReachOptions {
    /// The zone of trust. Default: the resource list's, else the accounts of the principals in
    /// the authorization details.
    pub zone: Option<ZoneOfTrust>,
    /// SCPs of the account's organization, one list per level, root first, the account last
    /// (as in the case format: list `FullAWSAccess` where it is attached). Empty: no SCPs.
    pub service_control_policies: Vec<Vec<Policy>>,
    /// RCPs of the account's organization, one list per level (AWS's `RCPFullAWSAccess` is
    /// implied at every level).
    pub resource_control_policies: Vec<Vec<Policy>>,
    /// Documents of managed policies the export lacks (AWS managed policies attached to a
    /// principal are often missing): policy ARN and document.
    pub managed_policies: Vec<(String, Policy)>,
    /// The Region used for the ARNs of resources a path creates (a Lambda function, an
    /// instance). Default `us-east-1`.
    pub region: String,
    /// Work allowed for one symbolic question (a request whose conditions need values). A
    /// question that needs more is reported as undecided, never dropped. Default 200,000.
    pub budget: u64,
}

impl Default for ReachOptions {
    fn default() -> ReachOptions {
        ReachOptions {
            zone: None,
            service_control_policies: Vec::new(),
            resource_control_policies: Vec::new(),
            managed_policies: Vec::new(),
            region: "us-east-1".into(),
            budget: 200_000,
        }
    }
}

impl ReachOptions {
    /// Options with a zone of trust.
    pub fn with_zone(mut self, zone: ZoneOfTrust) -> ReachOptions {
        self.zone = Some(zone);
        self
    }

    /// Options with SCP levels.
    pub fn with_service_control_policies(mut self, levels: Vec<Vec<Policy>>) -> ReachOptions {
        self.service_control_policies = levels;
        self
    }

    /// Options with RCP levels.
    pub fn with_resource_control_policies(mut self, levels: Vec<Vec<Policy>>) -> ReachOptions {
        self.resource_control_policies = levels;
        self
    }

    /// Options with extra managed policy documents.
    pub fn with_managed_policies(mut self, policies: Vec<(String, Policy)>) -> ReachOptions {
        self.managed_policies = policies;
        self
    }
}

pub(crate) type Shared = Arc<CompiledPolicy>;

/// A user, compiled.
#[derive(Clone, Debug)]
pub(crate) struct UserP {
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) account: String,
    pub(crate) groups: Vec<u32>,
    /// Identity policies: own inline and managed, then the groups'.
    pub(crate) policies: Vec<Shared>,
    pub(crate) boundary: Option<Shared>,
    pub(crate) tags: BTreeMap<String, String>,
    /// Managed policies attached to the user itself.
    pub(crate) managed: Vec<u32>,
}

/// A role, compiled.
#[derive(Clone, Debug)]
pub(crate) struct RoleP {
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) account: String,
    pub(crate) policies: Vec<Shared>,
    pub(crate) boundary: Option<Shared>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) trust: Option<Shared>,
    /// Session names tracked for the role; the first is [`DEFAULT_SESSION`].
    pub(crate) sessions: Vec<String>,
    pub(crate) service_linked: bool,
    pub(crate) managed: Vec<u32>,
}

/// A group, compiled.
#[derive(Clone, Debug)]
pub(crate) struct GroupP {
    pub(crate) name: String,
    pub(crate) arn: String,
    pub(crate) policies: Vec<Shared>,
    pub(crate) members: Vec<u32>,
    pub(crate) managed: Vec<u32>,
}

/// A managed policy.
#[derive(Clone, Debug)]
pub(crate) struct ManagedP {
    pub(crate) arn: String,
    pub(crate) doc: Option<Shared>,
}

/// A resource, compiled.
#[derive(Clone, Debug)]
pub(crate) struct ResourceP {
    pub(crate) arn: String,
    pub(crate) resource_type: ResourceType,
    pub(crate) owner: String,
    pub(crate) policy: Option<Shared>,
    pub(crate) execution_role: Option<u32>,
}

/// The account, compiled: what the graph is built from.
///
/// ```
/// use perimeter::activity::AuthorizationDetails;
/// use perimeter::reach::{Account, ReachOptions, ResourceList};
///
/// let details = AuthorizationDetails::parse(r#"{"RoleDetailList": [{"RoleName": "ops",
///   "Arn": "arn:aws:iam::111122223333:role/ops", "RoleId": "AROAEXAMPLE",
///   "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
///     "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}]}}]}"#)?;
/// let account = Account::new(&details, &ResourceList::new(), &ReachOptions::default())?;
/// assert_eq!(account.role_count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Account {
    pub(crate) zone: ZoneOfTrust,
    pub(crate) partition: String,
    pub(crate) region: String,
    pub(crate) budget: u64,
    pub(crate) users: Vec<UserP>,
    pub(crate) roles: Vec<RoleP>,
    pub(crate) groups: Vec<GroupP>,
    pub(crate) managed: Vec<ManagedP>,
    pub(crate) resources: Vec<ResourceP>,
    pub(crate) scp: Arc<Vec<Vec<Shared>>>,
    pub(crate) rcp: Arc<Vec<Vec<Shared>>>,
    /// Users and roles by lowercase ARN without path: (account, kind, name).
    pub(crate) by_name: ahash::AHashMap<(String, bool, String), u32>,
    pub(crate) notes: Vec<String>,
}

/// Compile a policy document and give it `name` (how reasons and witnesses refer to it).
pub(crate) fn compile_named(doc: &serde_json::Value, name: &str) -> Result<Shared, Error> {
    Ok(Arc::new(
        Policy::from_json_value(doc)?.compile()?.with_name(name),
    ))
}

fn account_of(arn: &str) -> Option<String> {
    crate::arn::account_in(arn)
        .filter(|a| crate::arn::is_account_id(a))
        .map(str::to_string)
}

fn name_key(arn: &str) -> Option<(String, bool, String)> {
    let parsed = crate::arn::Arn::parse(arn).ok()?;
    let res = parsed.resource();
    let (is_role, rest) = if let Some(r) = res.strip_prefix("role/") {
        (true, r)
    } else if let Some(u) = res.strip_prefix("user/") {
        (false, u)
    } else {
        return None;
    };
    let name = rest.rsplit('/').next()?;
    Some((parsed.account().to_string(), is_role, name.to_string()))
}

impl Account {
    /// Compile an account from its authorization details and resource list.
    ///
    /// Policies that do not parse are left out with a note (see [`Account::notes`]), as are
    /// managed policies whose documents the export lacks and that `options` does not supply.
    ///
    /// # Errors
    /// [`ErrorKind::Limit`] beyond [`MAX_ENTITIES`]; [`ErrorKind::Input`] for a zone of trust
    /// that does not validate, no account to form a default zone from, or an SCP or RCP that
    /// does not compile.
    pub fn new(
        details: &AuthorizationDetails,
        resources: &ResourceList,
        options: &ReachOptions,
    ) -> Result<Account, Error> {
        let total = details.users.len() + details.roles.len() + resources.resources.len();
        if total > MAX_ENTITIES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("the account has {total} users, roles and resources; at most {MAX_ENTITIES} are analysed"),
            ));
        }
        let mut notes = resources.notes.clone();
        let zone = match options.zone.clone().or_else(|| resources.zone.clone()) {
            Some(z) => z,
            None => {
                let mut accounts: Vec<String> = details
                    .users
                    .iter()
                    .map(|u| &u.arn)
                    .chain(details.roles.iter().map(|r| &r.arn))
                    .filter_map(|a| account_of(a))
                    .collect();
                accounts.sort();
                accounts.dedup();
                if accounts.is_empty() {
                    accounts = resources
                        .resources
                        .iter()
                        .map(|r| r.owner_account.clone())
                        .collect();
                    accounts.sort();
                    accounts.dedup();
                }
                if accounts.is_empty() {
                    return Err(Error::new(
                        ErrorKind::Input,
                        "no zone of trust: the authorization details and resources name no account",
                    ));
                }
                ZoneOfTrust {
                    accounts,
                    ..ZoneOfTrust::default()
                }
            }
        };
        zone.validate()?;
        let partition = details
            .roles
            .iter()
            .map(|r| &r.arn)
            .chain(details.users.iter().map(|u| &u.arn))
            .find_map(|a| {
                crate::arn::Arn::parse(a)
                    .ok()
                    .map(|p| p.partition().to_string())
            })
            .unwrap_or_else(|| "aws".into());

        // Managed policies: the export's, then the options' for those it lacks.
        let mut managed: Vec<ManagedP> = Vec::new();
        let mut managed_index: ahash::AHashMap<String, u32> = ahash::AHashMap::new();
        let extra: ahash::AHashMap<&str, &Policy> = options
            .managed_policies
            .iter()
            .map(|(a, p)| (a.as_str(), p))
            .collect();
        for p in &details.policies {
            let doc = match (&p.document, extra.get(p.arn.as_str())) {
                (Some(d), _) => match compile_named(d, &p.arn) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        notes.push(format!(
                            "managed policy {} does not parse and is left out: {e}",
                            quote(&p.arn)
                        ));
                        None
                    }
                },
                (None, Some(given)) => given.compile().ok().map(|c| Arc::new(c.with_name(&p.arn))),
                (None, None) => None,
            };
            managed_index.insert(p.arn.clone(), managed.len() as u32);
            managed.push(ManagedP {
                arn: p.arn.clone(),
                doc,
            });
        }
        for (arn, given) in &options.managed_policies {
            if !managed_index.contains_key(arn) {
                managed_index.insert(arn.clone(), managed.len() as u32);
                managed.push(ManagedP {
                    arn: arn.clone(),
                    doc: given.compile().ok().map(|c| Arc::new(c.with_name(arn))),
                });
            }
        }
        let mut missing: Vec<String> = Vec::new();
        let mut compile_applied =
            |owner: &str, applied: Vec<AppliedPolicy<'_>>, notes: &mut Vec<String>| {
                let mut out = Vec::new();
                for a in applied {
                    let id = a.source.id().to_string();
                    let label = match &a.source {
                        crate::activity::PolicySource::Inline { name } => {
                            format!("{owner} inline policy {name}")
                        }
                        crate::activity::PolicySource::GroupInline { group, name } => {
                            format!("group {group} inline policy {name}")
                        }
                        _ => id.clone(),
                    };
                    let shared = match &a.source {
                        crate::activity::PolicySource::Managed { arn }
                        | crate::activity::PolicySource::GroupManaged { arn, .. } => managed_index
                            .get(arn)
                            .and_then(|i| managed.get(*i as usize))
                            .and_then(|m| m.doc.clone()),
                        _ => None,
                    };
                    let compiled = match (shared, a.document) {
                        (Some(c), _) => Some(c),
                        (None, Some(d)) => match compile_named(d, &label) {
                            Ok(c) => Some(c),
                            Err(e) => {
                                notes.push(format!(
                                    "policy {} of {} does not parse and is left out: {e}",
                                    quote(&label),
                                    quote(owner)
                                ));
                                None
                            }
                        },
                        (None, None) => None,
                    };
                    match compiled {
                        Some(c) if !out.iter().any(|p: &Shared| Arc::ptr_eq(p, &c)) => out.push(c),
                        Some(_) => {}
                        None if a.document.is_none() => missing.push(id),
                        None => {}
                    }
                }
                out
            };

        let mut groups: Vec<GroupP> = Vec::new();
        let mut group_index: ahash::AHashMap<String, u32> = ahash::AHashMap::new();
        for g in &details.groups {
            let mut applied: Vec<AppliedPolicy<'_>> = g
                .inline_policies
                .iter()
                .map(|p| AppliedPolicy {
                    source: crate::activity::PolicySource::GroupInline {
                        group: g.name.clone(),
                        name: p.name.clone(),
                    },
                    document: Some(&p.document),
                })
                .collect();
            for a in &g.attached_policies {
                applied.push(AppliedPolicy {
                    source: crate::activity::PolicySource::Managed { arn: a.arn.clone() },
                    document: details.policy(&a.arn).and_then(|p| p.document.as_ref()),
                });
            }
            let policies = compile_applied(&g.arn, applied, &mut notes);
            group_index.insert(g.name.clone(), groups.len() as u32);
            groups.push(GroupP {
                name: g.name.clone(),
                arn: g.arn.clone(),
                policies,
                members: Vec::new(),
                managed: g
                    .attached_policies
                    .iter()
                    .filter_map(|a| managed_index.get(&a.arn).copied())
                    .collect(),
            });
        }
        let boundary_of = |arn: &Option<String>,
                           owner: &str,
                           notes: &mut Vec<String>|
         -> Option<Shared> {
            let arn = arn.as_ref()?;
            let doc = managed_index
                .get(arn)
                .and_then(|i| managed.get(*i as usize))
                .and_then(|m| m.doc.clone());
            if doc.is_none() {
                notes.push(format!(
                    "the permissions boundary {} of {} is not in the export: the analysis treats {} as having no boundary",
                    quote(arn),
                    quote(owner),
                    quote(owner)
                ));
            }
            doc
        };
        let mut users = Vec::new();
        let mut by_name = ahash::AHashMap::new();
        for u in &details.users {
            let Some(account) = account_of(&u.arn) else {
                notes.push(format!(
                    "user {} has no account in its arn and is left out",
                    quote(&u.arn)
                ));
                continue;
            };
            let policies = compile_applied(&u.arn, details.user_policies(u), &mut notes);
            let idx = users.len() as u32;
            let gidx: Vec<u32> = u
                .groups
                .iter()
                .filter_map(|g| group_index.get(g).copied())
                .collect();
            for g in &gidx {
                if let Some(group) = groups.get_mut(*g as usize) {
                    group.members.push(idx);
                }
            }
            if let Some(k) = name_key(&u.arn) {
                by_name.insert(k, idx);
            }
            users.push(UserP {
                arn: u.arn.clone(),
                name: u.name.clone(),
                id: u.id.clone(),
                account,
                groups: gidx,
                policies,
                boundary: boundary_of(&u.permissions_boundary, &u.arn, &mut notes),
                tags: u.tags.clone(),
                managed: u
                    .attached_policies
                    .iter()
                    .filter_map(|a| managed_index.get(&a.arn).copied())
                    .collect(),
            });
        }
        let mut roles = Vec::new();
        for r in &details.roles {
            let Some(account) = account_of(&r.arn) else {
                notes.push(format!(
                    "role {} has no account in its arn and is left out",
                    quote(&r.arn)
                ));
                continue;
            };
            let policies = compile_applied(&r.arn, details.role_policies(r), &mut notes);
            let trust = match &r.trust_policy {
                Some(t) => match compile_named(t, "trust policy") {
                    Ok(c) => Some(c),
                    Err(e) => {
                        notes.push(format!(
                            "the trust policy of {} does not parse; nobody can assume the role in this analysis: {e}",
                            quote(&r.arn)
                        ));
                        None
                    }
                },
                None => None,
            };
            if let Some(k) = name_key(&r.arn) {
                by_name.insert(k, roles.len() as u32);
            }
            roles.push(RoleP {
                arn: r.arn.clone(),
                name: r.name.clone(),
                id: r.id.clone(),
                account,
                policies,
                boundary: boundary_of(&r.permissions_boundary, &r.arn, &mut notes),
                tags: r.tags.clone(),
                trust,
                sessions: vec![DEFAULT_SESSION.to_string()],
                service_linked: r.is_service_linked(),
                managed: r
                    .attached_policies
                    .iter()
                    .filter_map(|a| managed_index.get(&a.arn).copied())
                    .collect(),
            });
        }
        missing.sort();
        missing.dedup();
        for m in missing {
            notes.push(format!(
                "managed policy {} is attached but its document is not in the export: its permissions are not counted (give it with `--managed-policies`)",
                quote(&m)
            ));
        }

        let mut res = Vec::new();
        for r in &resources.resources {
            let policy = match &r.policy {
                Some(p) => match p.compile() {
                    Ok(c) => Some(Arc::new(c.with_name("resource policy"))),
                    Err(e) => {
                        notes.push(format!(
                            "the policy of {} does not compile and is left out: {e}",
                            quote(&r.arn)
                        ));
                        None
                    }
                },
                None => None,
            };
            let execution_role = match &r.execution_role {
                Some(role) => {
                    let idx = name_key(role)
                        .and_then(|k| by_name.get(&k).copied())
                        .filter(|i| {
                            roles
                                .get(*i as usize)
                                .is_some_and(|_| name_key(role).is_some_and(|k| k.1))
                        });
                    if idx.is_none() {
                        notes.push(format!(
                            "the execution role {} of {} is not in the authorization details",
                            quote(role),
                            quote(&r.arn)
                        ));
                    }
                    idx
                }
                None => None,
            };
            res.push(ResourceP {
                arn: r.arn.clone(),
                resource_type: r.resource_type,
                owner: r.owner_account.clone(),
                policy,
                execution_role,
            });
        }
        let levels = |ls: &[Vec<Policy>], what: &str| -> Result<Vec<Vec<Shared>>, Error> {
            ls.iter()
                .enumerate()
                .map(|(l, level)| {
                    level
                        .iter()
                        .enumerate()
                        .map(|(i, p)| {
                            p.compile()
                                .map(|c| {
                                    Arc::new(c.with_name(format!("{what} level {l} policy {i}")))
                                })
                                .map_err(|e| e.context(&format!("{what} level {l} policy {i}: ")))
                        })
                        .collect()
                })
                .collect()
        };
        let scp = levels(&options.service_control_policies, "scp")?;
        let rcp = levels(&options.resource_control_policies, "rcp")?;
        let mut account = Account {
            zone,
            partition,
            region: options.region.clone(),
            budget: options.budget,
            users,
            roles,
            groups,
            managed,
            resources: res,
            scp: Arc::new(scp),
            rcp: Arc::new(rcp),
            by_name,
            notes,
        };
        account.collect_session_names();
        Ok(account)
    }

    /// Session names that policies name for each role: sessions named as principals
    /// (`arn:aws:sts::A:assumed-role/R/S`) and literal values of `sts:RoleSessionName` in the
    /// role's trust policy.
    fn collect_session_names(&mut self) {
        let mut wanted: Vec<(u32, String)> = Vec::new();
        let mut policies: Vec<Shared> = Vec::new();
        policies.extend(self.roles.iter().filter_map(|r| r.trust.clone()));
        policies.extend(self.resources.iter().filter_map(|r| r.policy.clone()));
        for p in &policies {
            for s in p.statements() {
                let Some(m) = &s.principal else { continue };
                for v in &m.values {
                    if let PrincipalValue::Session(arn) = v {
                        let Ok(a) = crate::arn::Arn::parse(arn) else {
                            continue;
                        };
                        let mut parts = a.resource().splitn(3, '/').skip(1);
                        let (Some(role), Some(sess)) = (parts.next(), parts.next()) else {
                            continue;
                        };
                        let key = (a.account().to_string(), true, role.to_string());
                        if let Some(i) = self.by_name.get(&key) {
                            wanted.push((*i, sess.to_string()));
                        }
                    }
                }
            }
        }
        for (i, r) in self.roles.iter().enumerate() {
            let Some(t) = &r.trust else { continue };
            for s in t.statements() {
                for c in &s.conditions {
                    if &*c.key != "sts:rolesessionname" || c.op.base.is_negated() {
                        continue;
                    }
                    for v in &c.texts {
                        let name: String = v
                            .chars()
                            .filter(|ch| *ch != '*')
                            .map(|ch| if ch == '?' { 'x' } else { ch })
                            .collect();
                        if !name.is_empty() && !name.contains("${") {
                            wanted.push((i as u32, name));
                        }
                    }
                }
            }
        }
        for (i, s) in wanted {
            if let Some(r) = self.roles.get_mut(i as usize) {
                if !r.sessions.contains(&s) && r.sessions.len() < MAX_SESSION_NAMES {
                    r.sessions.push(s);
                }
            }
        }
    }

    /// The zone of trust.
    pub fn zone(&self) -> &ZoneOfTrust {
        &self.zone
    }

    /// The number of roles.
    pub fn role_count(&self) -> usize {
        self.roles.len()
    }

    /// The number of users.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// What the reader left out or could not see (policies that do not parse, managed policies
    /// without documents, boundaries not in the export).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    pub(crate) fn role_by_arn(&self, arn: &str) -> Option<u32> {
        let k = name_key(arn)?;
        if !k.1 {
            return None;
        }
        self.by_name.get(&k).copied()
    }

    pub(crate) fn user_by_arn(&self, arn: &str) -> Option<u32> {
        let k = name_key(arn)?;
        if k.1 {
            return None;
        }
        self.by_name.get(&k).copied()
    }
}
