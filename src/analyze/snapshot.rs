//! Account snapshots: the zone of trust, and per resource its ARN, type, owner and the raw output
//! of the AWS CLI calls that describe it. The format is documented in `docs/snapshot.md`.
//!
//! Two layouts, read by the same reader, resource by resource with bounded memory:
//!
//! - one JSON document, `{"zoneOfTrust": …, "accounts": …, "resources": [ … ]}` (the header keys
//!   must come before `resources`);
//! - JSON lines: a header object (`{"zoneOfTrust": …}`), then one resource object per line.
//!
//! A resource that cannot be read is an error for that resource only: its identity (ARN, type,
//! owner) is enough to give it an error finding ([`ResourceConfig::Invalid`]); without it the
//! iterator yields an [`Error`] naming the resource's index and JSON location, and goes on.
//!
//! ```
//! use perimeter::analyze::{analyze_resource, Options, Snapshot};
//!
//! let text = r#"{"zoneOfTrust": {"accounts": ["111122223333"]}, "resources": [
//!   {"arn": "arn:aws:sqs:us-east-1:111122223333:orders", "type": "AWS::SQS::Queue",
//!    "sqs get-queue-attributes": {"Attributes": {"Policy":
//!      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\"}]}"}}}
//! ]}"#;
//! let mut snapshot = Snapshot::read(text.as_bytes())?;
//! let zone = snapshot.zone_of_trust().cloned().unwrap_or_default();
//! let queue = snapshot.next().unwrap()?;
//! let findings = analyze_resource(&queue, &zone, &Options::default());
//! assert_eq!(findings[0].is_public, Some(true));
//! assert!(snapshot.next().is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::config::{
    AccessPoint, AclGrant, AclGrantee, AclPermission, BucketAcl, FunctionUrl, FunctionUrlAuthType,
    InvalidResource, KmsGrant, KmsKey, LambdaFunction, NetworkOrigin, PolicyResource,
    PublicAccessBlock, ResourceConfig, S3Bucket,
};
use super::config::{EbsSnapshot, RdsSnapshot, SecretsManagerSecret, SnapshotShare};
use super::policy_type::PolicyCall;
use super::{Resource, ResourceType, ZoneOfTrust};
use crate::error::{quote, Error, ErrorKind, Location};
use crate::json::{self, Node, PathSegment, Position, Value};
use crate::policy::Policy;
use std::collections::BTreeMap;
use std::io::BufRead;

/// The largest resource (or header value) read, in bytes: 16 MiB.
pub const MAX_RESOURCE_BYTES: usize = 16 << 20;

/// Account-level settings from the header's `accounts` map.
#[derive(Clone, Debug, Default)]
struct AccountSettings {
    public_access_block: Option<PublicAccessBlock>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// Inside the `resources` array of one document.
    Array,
    /// After the `resources` array: the rest of the document.
    AfterArray,
    /// JSON lines after the header.
    Lines,
    /// Nothing more to read.
    Done,
}

/// A snapshot being read: the header, then the resources one at a time (an iterator).
///
/// Memory is bounded by the largest resource ([`MAX_RESOURCE_BYTES`]), whatever the number of
/// resources.
pub struct Snapshot<R> {
    scan: Scanner<R>,
    zone: Option<ZoneOfTrust>,
    accounts: BTreeMap<String, AccountSettings>,
    layout: Layout,
    index: usize,
}

impl<R: BufRead> Snapshot<R> {
    /// Read the header; the resources are then read by iterating.
    ///
    /// # Errors
    /// [`ErrorKind::Syntax`] when the text does not start with a JSON object, and
    /// [`ErrorKind::Input`] for a malformed header (`zoneOfTrust`, `accounts`), each with its
    /// location.
    pub fn read(reader: R) -> Result<Snapshot<R>, Error> {
        let mut s = Snapshot {
            scan: Scanner::new(reader),
            zone: None,
            accounts: BTreeMap::new(),
            layout: Layout::Done,
            index: 0,
        };
        s.header()?;
        Ok(s)
    }

    /// The zone of trust the snapshot names, if any.
    pub fn zone_of_trust(&self) -> Option<&ZoneOfTrust> {
        self.zone.as_ref()
    }

    /// The account-wide S3 Block Public Access settings the header gives for an account (its
    /// `accounts` map), if any. Buckets read from the snapshot already carry them; this is for
    /// a bucket that is not in it (such as a new bucket in an access preview).
    pub fn account_public_access_block(&self, account: &str) -> Option<PublicAccessBlock> {
        self.accounts
            .get(account)
            .and_then(|a| a.public_access_block)
    }

    fn header(&mut self) -> Result<(), Error> {
        match self.scan.skip_ws()? {
            Some(b'{') => self.scan.bump()?,
            Some(_) => {
                return Err(self.scan.error(
                    ErrorKind::Syntax,
                    "a snapshot must start with a json object",
                ))
            }
            None => return Err(self.scan.error(ErrorKind::Syntax, "the snapshot is empty")),
        }
        let mut first = true;
        loop {
            match self.scan.skip_ws()? {
                Some(b'}') => {
                    self.scan.bump()?;
                    self.layout = Layout::Lines;
                    return Ok(());
                }
                Some(b',') if !first => {
                    self.scan.bump()?;
                    self.scan.skip_ws()?;
                }
                Some(_) if first => {}
                _ => {
                    return Err(self.scan.error(
                        ErrorKind::Syntax,
                        "expected `,` or `}` in the snapshot header",
                    ))
                }
            }
            first = false;
            let key = self.scan.key()?;
            match key.as_str() {
                "resources" => {
                    if self.scan.skip_ws()? != Some(b'[') {
                        return Err(self
                            .scan
                            .error(ErrorKind::Input, "`resources` must be an array"));
                    }
                    self.scan.bump()?;
                    self.layout = Layout::Array;
                    return Ok(());
                }
                "zoneOfTrust" | "accounts" => {
                    let (text, start) = self.scan.value(MAX_RESOURCE_BYTES)?;
                    let node = parse_chunk(&text, start, &format!("/{key}"))?;
                    if key == "zoneOfTrust" {
                        let zone: ZoneOfTrust = serde_json::from_value(node.to_serde())
                            .map_err(|e| {
                                Error::at(
                                    ErrorKind::Input,
                                    format!("malformed `zoneOfTrust`: {e}"),
                                    loc(start, node.span.start, "/zoneOfTrust"),
                                )
                            })?;
                        zone.validate().map_err(|e| {
                            e.with_location(Some(loc(start, node.span.start, "/zoneOfTrust")))
                        })?;
                        self.zone = Some(zone);
                    } else {
                        self.accounts = read_accounts(&node, start)?;
                    }
                }
                other => {
                    return Err(self.scan.error(
                        ErrorKind::Input,
                        &format!(
                            "unknown snapshot field {} (expected `zoneOfTrust`, `accounts` or `resources`)",
                            quote(other)
                        ),
                    ))
                }
            }
        }
    }

    fn next_item(&mut self) -> Option<Result<ResourceConfig, Error>> {
        loop {
            match self.layout {
                Layout::Done => return None,
                Layout::Array => match self.array_element() {
                    Ok(Some(item)) => return Some(item),
                    Ok(None) => self.layout = Layout::AfterArray,
                    Err(e) => {
                        self.layout = Layout::Done;
                        return Some(Err(e));
                    }
                },
                Layout::AfterArray => {
                    self.layout = Layout::Done;
                    if let Err(e) = self.after_array() {
                        return Some(Err(e));
                    }
                }
                Layout::Lines => match self.scan.line(MAX_RESOURCE_BYTES) {
                    Ok(None) => self.layout = Layout::Done,
                    Ok(Some((text, start, too_long))) => {
                        if text.iter().all(u8::is_ascii_whitespace) && !too_long {
                            continue;
                        }
                        let i = self.index;
                        self.index += 1;
                        if too_long {
                            return Some(Err(Error::at(
                                ErrorKind::Limit,
                                format!("resource {i} is larger than {MAX_RESOURCE_BYTES} bytes"),
                                loc(start, Position::default(), ""),
                            )));
                        }
                        return Some(self.resource(&text, start, String::new(), i));
                    }
                    Err(e) => {
                        self.layout = Layout::Done;
                        return Some(Err(e));
                    }
                },
            }
        }
    }

    /// The next element of `resources`, `None` at its end.
    fn array_element(&mut self) -> Result<Option<Result<ResourceConfig, Error>>, Error> {
        let i = self.index;
        match self.scan.skip_ws()? {
            Some(b']') => {
                self.scan.bump()?;
                return Ok(None);
            }
            Some(b',') if i > 0 => {
                self.scan.bump()?;
                self.scan.skip_ws()?;
            }
            Some(_) if i == 0 => {}
            Some(_) => {
                return Err(self
                    .scan
                    .error(ErrorKind::Syntax, "expected `,` or `]` in `resources`"))
            }
            None => {
                return Err(self.scan.error(
                    ErrorKind::Syntax,
                    "the snapshot ends inside `resources` (is it truncated?)",
                ))
            }
        }
        self.index += 1;
        let (text, start, too_long) = self.scan.value_or_skip(MAX_RESOURCE_BYTES)?;
        if too_long {
            return Ok(Some(Err(Error::at(
                ErrorKind::Limit,
                format!("resource {i} is larger than {MAX_RESOURCE_BYTES} bytes"),
                loc(start, Position::default(), &format!("/resources/{i}")),
            ))));
        }
        Ok(Some(self.resource(
            &text,
            start,
            format!("/resources/{i}"),
            i,
        )))
    }

    /// The rest of the document after `resources`: nothing but the closing brace.
    fn after_array(&mut self) -> Result<(), Error> {
        match self.scan.skip_ws()? {
            Some(b'}') => {
                self.scan.bump()?;
                match self.scan.skip_ws()? {
                    None => Ok(()),
                    Some(_) => Err(self.scan.error(
                        ErrorKind::Syntax,
                        "unexpected text after the end of the snapshot",
                    )),
                }
            }
            Some(b',') => Err(self.scan.error(
                ErrorKind::Input,
                "`zoneOfTrust` and `accounts` must come before `resources` (the snapshot is read as a stream)",
            )),
            _ => Err(self
                .scan
                .error(ErrorKind::Syntax, "expected `}` after `resources`")),
        }
    }

    fn resource(
        &self,
        text: &[u8],
        start: Position,
        pointer: String,
        index: usize,
    ) -> Result<ResourceConfig, Error> {
        let node = parse_chunk(text, start, &pointer).map_err(|e| {
            let msg = format!("resource {index}: {}", e.message());
            match e.location() {
                Some(l) => Error::at(e.kind(), msg, l.clone()),
                None => Error::new(e.kind(), msg),
            }
        })?;
        let reader = ResourceReader {
            base: start,
            pointer,
            index,
            accounts: &self.accounts,
        };
        reader.read(&node)
    }
}

impl<R: BufRead> Iterator for Snapshot<R> {
    type Item = Result<ResourceConfig, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item()
    }
}

/// An absolute location from a chunk's start and a position inside the chunk.
fn loc(chunk: Position, inner: Position, pointer: &str) -> Location {
    let (line, column) = if inner.line <= 1 {
        (chunk.line, chunk.column + inner.column)
    } else {
        (chunk.line + inner.line - 1, inner.column)
    };
    Location {
        line,
        column,
        offset: chunk.offset + inner.offset,
        pointer: pointer.to_string(),
    }
}

fn parse_chunk(text: &[u8], start: Position, pointer: &str) -> Result<Node, Error> {
    let limits = json::Limits::default().with_max_bytes(MAX_RESOURCE_BYTES);
    json::parse_bytes(text, &limits).map_err(|e| {
        let l = e.location().map(|l| {
            let mut x = loc(
                start,
                Position {
                    line: l.line,
                    column: l.column,
                    offset: l.offset,
                },
                pointer,
            );
            x.pointer = format!("{pointer}{}", l.pointer);
            x
        });
        Error::new(e.kind(), e.message()).with_location(l)
    })
}

fn read_accounts(node: &Node, start: Position) -> Result<BTreeMap<String, AccountSettings>, Error> {
    let bad = |n: &Node, p: &str, msg: String| {
        Error::at(ErrorKind::Input, msg, loc(start, n.span.start, p))
    };
    let Value::Object(members) = &node.value else {
        return Err(bad(
            node,
            "/accounts",
            "`accounts` must be an object keyed by account id".into(),
        ));
    };
    let mut out = BTreeMap::new();
    for m in members {
        let p = format!("/accounts/{}", m.key);
        if !crate::arn::is_account_id(&m.key) {
            return Err(bad(
                &m.value,
                &p,
                format!(
                    "`accounts` key {} is not a 12-digit account id",
                    quote(&m.key)
                ),
            ));
        }
        let mut s = AccountSettings::default();
        for f in m.value.members() {
            match f.key.as_str() {
                "s3control get-public-access-block" => {
                    s.public_access_block = Some(
                        read_bpa(&f.value)
                            .map_err(|msg| bad(&f.value, &format!("{p}/{}", f.key), msg))?,
                    )
                }
                other => {
                    return Err(bad(
                        &f.value,
                        &p,
                        format!(
                        "unknown account field {} (expected `s3control get-public-access-block`)",
                        quote(other)
                    ),
                    ))
                }
            }
        }
        out.insert(m.key.clone(), s);
    }
    Ok(out)
}

// ---- resources ------------------------------------------------------------------------------

/// The fields every resource has.
const COMMON: &[&str] = &["arn", "type", "ownerAccount", "description", "policy"];

/// The CLI calls whose output holds a resource's policy, per type: (call, path to the policy,
/// whether a missing policy means "none"). Each type's module states its own.
fn policy_calls(t: ResourceType) -> &'static [PolicyCall] {
    match t {
        ResourceType::S3Bucket => &[("s3api get-bucket-policy", &["Policy"], false)],
        ResourceType::S3ExpressDirectoryBucket => super::s3_express::SNAPSHOT,
        ResourceType::KmsKey => &[("kms get-key-policy", &["Policy"], false)],
        ResourceType::SqsQueue => &[("sqs get-queue-attributes", &["Attributes", "Policy"], true)],
        ResourceType::LambdaFunction => &[("lambda get-policy", &["Policy"], false)],
        ResourceType::LambdaLayerVersion => super::lambda_layer::SNAPSHOT,
        ResourceType::IamRole => &[
            ("iam get-role", &["Role", "AssumeRolePolicyDocument"], false),
            (
                "iam get-account-authorization-details",
                &["AssumeRolePolicyDocument"],
                false,
            ),
        ],
        ResourceType::SecretsManagerSecret => super::secrets_manager::SNAPSHOT,
        ResourceType::SnsTopic => super::sns::SNAPSHOT,
        ResourceType::EcrRepository => super::ecr::SNAPSHOT,
        ResourceType::EfsFileSystem => super::efs::SNAPSHOT,
        ResourceType::DynamoDbTable | ResourceType::DynamoDbStream => super::dynamodb::SNAPSHOT,
        ResourceType::Ec2Snapshot
        | ResourceType::RdsDbSnapshot
        | ResourceType::RdsDbClusterSnapshot => &[],
    }
}

/// Other calls a type reads.
fn other_calls(t: ResourceType) -> &'static [&'static str] {
    if let Some(k) = snapshot_kind(t) {
        return &k.calls;
    }
    match t {
        ResourceType::S3Bucket => &[
            "s3api get-bucket-acl",
            "s3api get-public-access-block",
            "s3control get-public-access-block",
            "accessPoints",
        ],
        ResourceType::KmsKey => &["kms list-grants"],
        ResourceType::LambdaFunction => &[
            "lambda get-function-url-config",
            "lambda list-function-url-configs",
        ],
        ResourceType::SecretsManagerSecret => &[super::secrets_manager::DESCRIBE],
        _ => &[],
    }
}

struct ResourceReader<'a> {
    base: Position,
    pointer: String,
    index: usize,
    accounts: &'a BTreeMap<String, AccountSettings>,
}

/// A problem inside a resource: the message and the node it is about, with the path to it.
struct Problem {
    message: String,
    at: Position,
    path: Vec<PathSegment>,
    kind: ErrorKind,
}

/// The array at `key` of `n` (missing or `null`: empty); anything else is a problem at `path`.
fn array_at<'n>(n: &'n Node, key: &str, path: &[&str]) -> Result<&'n [Node], Problem> {
    match n.get(key).map(|l| &l.value) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(problem(n, path, format!("`{key}` must be an array"))),
    }
}

fn problem(n: &Node, path: &[&str], message: String) -> Problem {
    Problem {
        message,
        at: n.span.start,
        path: path
            .iter()
            .map(|k| PathSegment::Key(k.to_string()))
            .collect(),
        kind: ErrorKind::Input,
    }
}

impl ResourceReader<'_> {
    fn error(&self, arn: Option<&str>, p: Problem) -> Error {
        let mut pointer = self.pointer.clone();
        pointer.push_str(&json::Path(p.path).pointer());
        let who = match arn {
            Some(a) => format!("resource {} ({})", self.index, quote(a)),
            None => format!("resource {}", self.index),
        };
        Error::at(
            p.kind,
            format!("{who}: {}", p.message),
            loc(self.base, p.at, &pointer),
        )
    }

    fn read(&self, node: &Node) -> Result<ResourceConfig, Error> {
        if !matches!(node.value, Value::Object(_)) {
            return Err(self.error(
                None,
                problem(
                    node,
                    &[],
                    format!("must be a json object, found {}", node.value.type_name()),
                ),
            ));
        }
        let arn = match node.get("arn").map(|n| (n, n.as_str())) {
            Some((_, Some(a))) => a.to_string(),
            Some((n, None)) => {
                return Err(self.error(None, problem(n, &["arn"], "`arn` must be a string".into())))
            }
            None => {
                return Err(self.error(None, problem(node, &[], "needs an `arn`".into())));
            }
        };
        let a = Some(arn.as_str());
        let t = match node.get("type") {
            Some(n) => match n.as_str().and_then(ResourceType::parse) {
                Some(t) => t,
                None => {
                    return Err(self.error(
                        a,
                        problem(
                            n,
                            &["type"],
                            format!(
                            "unknown resource type {} (expected a type such as `AWS::S3::Bucket`)",
                            quote(n.as_str().unwrap_or("(not a string)"))
                        ),
                        ),
                    ))
                }
            },
            None => return Err(self.error(a, problem(node, &[], "needs a `type`".into()))),
        };
        let owner = match node.get("ownerAccount") {
            Some(n) => match n.as_str().filter(|s| crate::arn::is_account_id(s)) {
                Some(o) => o.to_string(),
                None => {
                    return Err(self.error(
                        a,
                        problem(
                            n,
                            &["ownerAccount"],
                            "`ownerAccount` must be a 12-digit account id".into(),
                        ),
                    ))
                }
            },
            None => match arn
                .split(':')
                .nth(4)
                .filter(|s| crate::arn::is_account_id(s))
            {
                Some(o) => o.to_string(),
                None => {
                    return Err(self.error(
                        a,
                        problem(
                            node,
                            &[],
                            "needs `ownerAccount` (its ARN has no account id)".into(),
                        ),
                    ))
                }
            },
        };
        let resource = Resource::new(&arn, t, &owner);
        // From here on, a problem gives the resource an error finding.
        match self.config(node, resource.clone()) {
            Ok(c) => Ok(c),
            Err(p) => Ok(ResourceConfig::Invalid(InvalidResource::new(
                resource,
                self.error(a, p),
            ))),
        }
    }

    fn config(&self, node: &Node, resource: Resource) -> Result<ResourceConfig, Problem> {
        let t = resource.resource_type;
        let calls = policy_calls(t);
        let others = other_calls(t);
        for m in node.members() {
            let k = m.key.as_str();
            if !COMMON.contains(&k)
                && !calls.iter().any(|(c, _, _)| *c == k)
                && !others.contains(&k)
            {
                let mut expected: Vec<String> = calls.iter().map(|(c, _, _)| quote(c)).collect();
                expected.extend(others.iter().map(|c| quote(c)));
                expected.push("`policy`".into());
                return Err(problem(
                    &m.value,
                    &[k],
                    format!(
                        "unknown field {} for {} (expected {})",
                        quote(k),
                        t.as_str(),
                        expected.join(", ")
                    ),
                ));
            }
        }
        if let Some(k) = snapshot_kind(t) {
            no_policy(node, t, k.share_call())?;
            return read_snapshot(node, resource, k);
        }
        // The policy: `policy`, or the first call output that holds one.
        let mut policy = None;
        if let Some(n) = node.get("policy") {
            policy = read_policy(n, &["policy"])?;
        } else {
            for (call, path, optional) in calls {
                let Some(out) = node.get(call) else { continue };
                let mut n = out;
                let mut missing = false;
                for step in *path {
                    match n.get(step) {
                        Some(x) => n = x,
                        None => {
                            missing = true;
                            break;
                        }
                    }
                }
                if missing {
                    if *optional {
                        continue;
                    }
                    return Err(problem(
                        out,
                        &[call],
                        format!("`{call}` output has no `{}`", path.join(".")),
                    ));
                }
                let mut p: Vec<&str> = vec![call];
                p.extend(path.iter());
                policy = read_policy(n, &p)?;
                break;
            }
        }
        Ok(match t {
            ResourceType::S3Bucket => {
                ResourceConfig::S3Bucket(self.bucket(node, resource, policy)?)
            }
            ResourceType::KmsKey => ResourceConfig::KmsKey(KmsKey {
                resource,
                policy,
                grants: match node.get("kms list-grants") {
                    Some(n) => read_grants(n)?,
                    None => Vec::new(),
                },
            }),
            ResourceType::LambdaFunction => ResourceConfig::LambdaFunction(LambdaFunction {
                resource,
                policy,
                urls: read_urls(node)?,
            }),
            ResourceType::SecretsManagerSecret => {
                ResourceConfig::SecretsManagerSecret(SecretsManagerSecret {
                    resource,
                    policy,
                    kms_key_id: read_secret_key(node)?,
                })
            }
            _ => ResourceConfig::Policy(PolicyResource::new(resource, policy)),
        })
    }

    fn bucket(
        &self,
        node: &Node,
        resource: Resource,
        policy: Option<Policy>,
    ) -> Result<S3Bucket, Problem> {
        let bpa = |key: &str| -> Result<Option<PublicAccessBlock>, Problem> {
            node.get(key)
                .map(|n| read_bpa(n).map_err(|m| problem(n, &[key], m)))
                .transpose()
        };
        let account_bpa = match bpa("s3control get-public-access-block")? {
            Some(b) => Some(b),
            None => self
                .accounts
                .get(&resource.owner_account)
                .and_then(|a| a.public_access_block),
        };
        let acl = node.get("s3api get-bucket-acl").map(read_acl).transpose()?;
        let access_points = match node.get("accessPoints") {
            None => None,
            Some(n) => {
                let Value::Array(items) = &n.value else {
                    return Err(problem(
                        n,
                        &["accessPoints"],
                        "`accessPoints` must be an array".into(),
                    ));
                };
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    out.push(read_access_point_at(item, i)?.access_point);
                }
                Some(out)
            }
        };
        Ok(S3Bucket {
            resource,
            policy,
            acl,
            public_access_block: bpa("s3api get-public-access-block")?,
            account_public_access_block: account_bpa,
            access_points,
        })
    }
}

/// A snapshot type has no policy: a `policy` field is a mistake.
fn no_policy(node: &Node, t: ResourceType, call: &str) -> Result<(), Problem> {
    match node.get("policy") {
        Some(p) => Err(problem(
            p,
            &["policy"],
            format!(
                "{} resources have no resource policy; give the output of {} instead",
                t.as_str(),
                quote(call)
            ),
        )),
        None => Ok(()),
    }
}

/// `secretsmanager describe-secret`: `KmsKeyId`, absent for the AWS managed key.
fn read_secret_key(node: &Node) -> Result<Option<String>, Problem> {
    match node.get(super::secrets_manager::DESCRIBE) {
        None => Ok(None),
        Some(d) => secret_key_in(d).map(Some),
    }
}

/// The key of a `secretsmanager describe-secret` output: `KmsKeyId`, absent (or `null`) for the
/// AWS managed key.
fn secret_key_in(d: &Node) -> Result<String, Problem> {
    const CALL: &str = super::secrets_manager::DESCRIBE;
    match d.get("KmsKeyId").map(|k| (k, &k.value)) {
        None | Some((_, Value::Null)) => Ok(super::secrets_manager::AWS_MANAGED_KEY.into()),
        Some((_, Value::String(k))) => Ok(k.clone()),
        Some((k, _)) => Err(problem(
            k,
            &[CALL, "KmsKeyId"],
            "`KmsKeyId` must be a string".into(),
        )),
    }
}

/// The entry of a `describe-…` list that describes this resource: the one whose id field is
/// `id` or whose ARN field is the resource's ARN, else the only one.
fn entry_for<'n>(
    items: &'n [Node],
    arn: &str,
    id: &str,
    id_key: &str,
    arn_key: &str,
) -> Option<&'n Node> {
    items
        .iter()
        .find(|n| str_at(n, id_key) == Some(id) || str_at(n, arn_key) == Some(arn))
        .or(match items {
            [one] => Some(one),
            _ => None,
        })
}

/// What the reader needs of a snapshot type (EBS, RDS DB, RDS DB cluster): its calls, where its
/// sharing attribute sits, and its `describe-…` output's list and the entry's id, ARN and
/// encryption fields. The three types are read the same way, so one row per type says where
/// each piece sits and the reading is written once.
struct SnapshotKind {
    /// The attribute call (sharing), then the `describe-…` call (encryption); in this order in
    /// the "expected …" list of an unknown field.
    calls: [&'static str; 2],
    /// The object the attribute call wraps its list in (RDS), then the list.
    share_wrapper: Option<&'static str>,
    share_list: &'static str,
    /// Reads the attribute call's output: the entries of EBS and RDS differ.
    read_shares: fn(&Node, &SnapshotKind) -> Result<Vec<SnapshotShare>, Problem>,
    /// What comes before the snapshot's id in its ARN.
    id_marker: &'static str,
    list: &'static str,
    id_key: &'static str,
    arn_key: &'static str,
    flag: &'static str,
    /// The AWS managed key of the service, for an encrypted entry that names no key.
    managed_key: &'static str,
    /// The resource's configuration from its sharing attribute and encryption.
    config: fn(Resource, Vec<SnapshotShare>, Option<bool>) -> ResourceConfig,
}

impl SnapshotKind {
    /// The call whose output holds the sharing attribute.
    fn share_call(&self) -> &'static str {
        let [share, _] = self.calls;
        share
    }

    /// The `describe-…` call.
    fn describe_call(&self) -> &'static str {
        let [_, describe] = self.calls;
        describe
    }
}

/// An EBS snapshot: `ec2 describe-snapshot-attribute --attribute createVolumePermission` and
/// `ec2 describe-snapshots`.
static EBS_SNAPSHOT: SnapshotKind = SnapshotKind {
    calls: [super::ebs::ATTRIBUTE_CALL, super::ebs::DESCRIBE_CALL],
    share_wrapper: None,
    share_list: "CreateVolumePermissions",
    read_shares: ebs_shares,
    id_marker: ":snapshot/",
    list: "Snapshots",
    id_key: "SnapshotId",
    arn_key: "SnapshotArn",
    flag: "Encrypted",
    managed_key: "alias/aws/ebs",
    config: |resource, shares, encrypted| {
        ResourceConfig::EbsSnapshot(EbsSnapshot {
            resource,
            create_volume_permissions: shares,
            encrypted,
        })
    },
};

/// An RDS DB snapshot: `rds describe-db-snapshot-attributes` and `rds describe-db-snapshots`.
static RDS_DB_SNAPSHOT: SnapshotKind = SnapshotKind {
    calls: [super::rds::DB_CALLS.0, super::rds::DB_CALLS.1],
    share_wrapper: Some("DBSnapshotAttributesResult"),
    share_list: "DBSnapshotAttributes",
    read_shares: rds_shares,
    id_marker: ":snapshot:",
    list: "DBSnapshots",
    id_key: "DBSnapshotIdentifier",
    arn_key: "DBSnapshotArn",
    flag: "Encrypted",
    managed_key: "alias/aws/rds",
    config: rds_config,
};

/// An RDS DB cluster snapshot: `rds describe-db-cluster-snapshot-attributes` and
/// `rds describe-db-cluster-snapshots`.
static RDS_CLUSTER_SNAPSHOT: SnapshotKind = SnapshotKind {
    calls: [super::rds::CLUSTER_CALLS.0, super::rds::CLUSTER_CALLS.1],
    share_wrapper: Some("DBClusterSnapshotAttributesResult"),
    share_list: "DBClusterSnapshotAttributes",
    read_shares: rds_shares,
    id_marker: ":cluster-snapshot:",
    list: "DBClusterSnapshots",
    id_key: "DBClusterSnapshotIdentifier",
    arn_key: "DBClusterSnapshotArn",
    flag: "StorageEncrypted",
    managed_key: "alias/aws/rds",
    config: rds_config,
};

/// The row of a snapshot type (`None` for other types).
fn snapshot_kind(t: ResourceType) -> Option<&'static SnapshotKind> {
    match t {
        ResourceType::Ec2Snapshot => Some(&EBS_SNAPSHOT),
        ResourceType::RdsDbSnapshot => Some(&RDS_DB_SNAPSHOT),
        ResourceType::RdsDbClusterSnapshot => Some(&RDS_CLUSTER_SNAPSHOT),
        _ => None,
    }
}

/// An RDS snapshot's configuration (DB and DB cluster snapshots share one).
fn rds_config(
    resource: Resource,
    shares: Vec<SnapshotShare>,
    encrypted: Option<bool>,
) -> ResourceConfig {
    ResourceConfig::RdsSnapshot(RdsSnapshot {
        resource,
        restore: shares,
        encrypted,
    })
}

/// The call whose output holds a snapshot type's sharing attribute (`None` for other types).
pub(crate) fn share_call(t: ResourceType) -> Option<&'static str> {
    snapshot_kind(t).map(SnapshotKind::share_call)
}

/// A snapshot's id: what follows its type's marker (`:snapshot/` for EBS, `:snapshot:` for RDS
/// DB, `:cluster-snapshot:` for RDS DB cluster) in its ARN.
fn snapshot_id(r: &Resource, k: &SnapshotKind) -> String {
    r.arn
        .split_once(k.id_marker)
        .map(|(_, id)| id.to_string())
        .unwrap_or_default()
}

/// The entry of a `describe-…` output for the snapshot `r` (or, without `r`, the only entry),
/// with whether it is encrypted (`None` when the entry does not say) and its `KmsKeyId`.
fn describe_entry(
    out: &Node,
    k: &SnapshotKind,
    r: Option<&Resource>,
) -> Result<(Option<bool>, Option<String>), Problem> {
    let (call, list) = (k.describe_call(), k.list);
    let items: &[Node] = match out.get(list).map(|l| &l.value) {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(problem(
                out,
                &[call, list],
                format!("{} output needs a `{list}` array", quote(call)),
            ))
        }
    };
    let (arn, id) = match r {
        Some(r) => (r.arn.clone(), snapshot_id(r, k)),
        None => (String::new(), String::new()),
    };
    let Some(entry) = entry_for(items, &arn, &id, k.id_key, k.arn_key) else {
        let message = if r.is_some() {
            format!("{} output has no entry for {}", quote(call), quote(&id))
        } else {
            format!(
                "{} output needs a single entry (the snapshot's)",
                quote(call)
            )
        };
        return Err(problem(out, &[call, list], message));
    };
    let encrypted = match entry.get(k.flag) {
        None => None,
        Some(_) => {
            Some(bool_field(entry, k.flag).map_err(|m| problem(entry, &[call, list, k.flag], m))?)
        }
    };
    let key = match entry.get("KmsKeyId").map(|k| (k, &k.value)) {
        None | Some((_, Value::Null)) => None,
        Some((_, Value::String(k))) => Some(k.clone()),
        Some((k, _)) => {
            return Err(problem(
                k,
                &[call, list, "KmsKeyId"],
                "`KmsKeyId` must be a string".into(),
            ))
        }
    };
    Ok((encrypted, key))
}

/// A snapshot resource: its sharing attribute (shared with no one when the attribute call is
/// not in the snapshot) and whether it is encrypted (`None` when the `describe-…` call is not
/// in the snapshot or does not say).
fn read_snapshot(
    node: &Node,
    resource: Resource,
    k: &SnapshotKind,
) -> Result<ResourceConfig, Problem> {
    let shares = match node.get(k.share_call()) {
        Some(out) => (k.read_shares)(out, k)?,
        None => Vec::new(),
    };
    let encrypted = match node.get(k.describe_call()) {
        None => None,
        Some(out) => describe_entry(out, k, Some(&resource))?.0,
    };
    Ok((k.config)(resource, shares, encrypted))
}

/// The entries of a snapshot's sharing attribute list (missing or `null`: none), with the path
/// to the list: the attribute call, its wrapper object (RDS), the list.
fn share_items<'n>(
    out: &'n Node,
    k: &SnapshotKind,
) -> Result<(&'n [Node], Vec<PathSegment>), Problem> {
    // The RDS wrapper object may be left out (the list at the top); the path still names it.
    let inner = k.share_wrapper.and_then(|w| out.get(w)).unwrap_or(out);
    let mut path = vec![k.share_call()];
    path.extend(k.share_wrapper);
    path.push(k.share_list);
    let items = array_at(inner, k.share_list, &path)?;
    let path = path
        .iter()
        .map(|s| PathSegment::Key(s.to_string()))
        .collect();
    Ok((items, path))
}

/// A problem with entry `i` of a sharing attribute list at `list`, or with the entry's `field`.
fn share_problem(
    item: &Node,
    list: &[PathSegment],
    i: usize,
    field: Option<&str>,
    message: String,
) -> Problem {
    let mut path = list.to_vec();
    path.push(PathSegment::Index(i));
    path.extend(field.map(|f| PathSegment::Key(f.into())));
    Problem {
        message,
        at: item.span.start,
        path,
        kind: ErrorKind::Input,
    }
}

/// The `createVolumePermission` attribute of an `ec2 describe-snapshot-attribute` output.
fn ebs_shares(out: &Node, k: &SnapshotKind) -> Result<Vec<SnapshotShare>, Problem> {
    let (items, list) = share_items(out, k)?;
    let mut shares = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        // EC2 has one group, `all`; an unknown group is read as everyone (the safe reading).
        match (str_at(item, "Group"), str_at(item, "UserId")) {
            (Some(_), _) => shares.push(SnapshotShare::All),
            (None, Some(u)) => shares.push(SnapshotShare::Account(u.to_string())),
            (None, None) => {
                return Err(share_problem(
                    item,
                    &list,
                    i,
                    None,
                    "a `CreateVolumePermissions` entry needs `Group` or `UserId`".into(),
                ))
            }
        }
    }
    Ok(shares)
}

/// The `restore` attribute of an `rds describe-db-snapshot-attributes` (or
/// `describe-db-cluster-snapshot-attributes`) output.
fn rds_shares(out: &Node, k: &SnapshotKind) -> Result<Vec<SnapshotShare>, Problem> {
    let (items, list) = share_items(out, k)?;
    let mut shares = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if str_at(item, "AttributeName") != Some("restore") {
            continue;
        }
        let at = |msg: String| share_problem(item, &list, i, Some("AttributeValues"), msg);
        let values: &[Node] = match item.get("AttributeValues").map(|v| &v.value) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(v)) => v,
            Some(_) => return Err(at("`AttributeValues` must be an array".into())),
        };
        for v in values {
            match v.as_str() {
                Some(x) if x.eq_ignore_ascii_case("all") => shares.push(SnapshotShare::All),
                Some(x) => shares.push(SnapshotShare::Account(x.to_string())),
                None => return Err(at("`restore` values must be strings".into())),
            }
        }
    }
    Ok(shares)
}

/// A policy from a node: an object, a JSON string holding one (URL-encoded or not), or a CLI
/// wrapper. `null` or an empty string means no policy.
fn read_policy(n: &Node, path: &[&str]) -> Result<Option<Policy>, Problem> {
    let parsed = match &n.value {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        // The usual case: the policy's JSON text.
        Value::String(s) if s.trim_start().starts_with('{') => Policy::parse(s),
        // URL-encoded (as the IAM API returns it), or a string inside the string.
        Value::String(s) => {
            let quoted = serde_json::Value::String(s.clone()).to_string();
            Policy::parse(&quoted)
        }
        _ => Policy::from_json_value(&n.to_serde()),
    };
    parsed.map(Some).map_err(|e| Problem {
        message: format!("the policy does not parse: {e}"),
        at: n.span.start,
        path: path
            .iter()
            .map(|k| PathSegment::Key(k.to_string()))
            .collect(),
        kind: e.kind(),
    })
}

fn bool_field(n: &Node, key: &str) -> Result<bool, String> {
    match n.get(key).map(|v| &v.value) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(other) => Err(format!(
            "`{key}` must be true or false, found {}",
            other.type_name()
        )),
    }
}

/// `{"PublicAccessBlockConfiguration": {…}}` or the configuration itself.
fn read_bpa(n: &Node) -> Result<PublicAccessBlock, String> {
    let c = n.get("PublicAccessBlockConfiguration").unwrap_or(n);
    if !matches!(c.value, Value::Object(_)) {
        return Err("Block Public Access settings must be an object".into());
    }
    for m in c.members() {
        if !matches!(
            m.key.as_str(),
            "BlockPublicAcls" | "IgnorePublicAcls" | "BlockPublicPolicy" | "RestrictPublicBuckets"
        ) {
            return Err(format!(
                "unknown Block Public Access setting {}",
                quote(&m.key)
            ));
        }
    }
    Ok(PublicAccessBlock {
        block_public_acls: bool_field(c, "BlockPublicAcls")?,
        ignore_public_acls: bool_field(c, "IgnorePublicAcls")?,
        block_public_policy: bool_field(c, "BlockPublicPolicy")?,
        restrict_public_buckets: bool_field(c, "RestrictPublicBuckets")?,
    })
}

fn str_at<'n>(n: &'n Node, key: &str) -> Option<&'n str> {
    n.get(key).and_then(Node::as_str)
}

fn read_acl(n: &Node) -> Result<BucketAcl, Problem> {
    const CALL: &str = "s3api get-bucket-acl";
    let owner_id = n
        .get("Owner")
        .and_then(|o| str_at(o, "ID"))
        .map(str::to_string);
    let mut grants = Vec::new();
    let items = array_at(n, "Grants", &[CALL, "Grants"])?;
    for (i, g) in items.iter().enumerate() {
        let at = |k: &str, msg: String| Problem {
            message: msg,
            at: g.get(k).unwrap_or(g).span.start,
            path: vec![
                PathSegment::Key(CALL.into()),
                PathSegment::Key("Grants".into()),
                PathSegment::Index(i),
                PathSegment::Key(k.into()),
            ],
            kind: ErrorKind::Input,
        };
        let permission = str_at(g, "Permission")
            .and_then(AclPermission::parse)
            .ok_or_else(|| {
                at(
                    "Permission",
                    format!(
                        "unknown ACL permission {} (expected `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP` or `FULL_CONTROL`)",
                        quote(str_at(g, "Permission").unwrap_or("(missing)"))
                    ),
                )
            })?;
        let Some(ge) = g.get("Grantee") else {
            return Err(at("Grantee", "a grant needs a `Grantee`".into()));
        };
        let grantee = match (str_at(ge, "Type"), str_at(ge, "ID"), str_at(ge, "URI")) {
            (Some("Group"), _, Some(uri)) | (None, None, Some(uri)) => {
                AclGrantee::Group(uri.to_string())
            }
            (Some("CanonicalUser"), Some(id), _) | (None, Some(id), None) => {
                AclGrantee::CanonicalUser(id.to_string())
            }
            (Some("AmazonCustomerByEmail"), _, _) => match str_at(ge, "EmailAddress") {
                Some(e) => AclGrantee::Email(e.to_string()),
                None => return Err(at("Grantee", "an email grantee needs `EmailAddress`".into())),
            },
            _ => {
                return Err(at(
                    "Grantee",
                    "a grantee needs `Type` with `ID` (CanonicalUser), `URI` (Group) or `EmailAddress` (AmazonCustomerByEmail)".into(),
                ))
            }
        };
        grants.push(AclGrant::new(grantee, permission));
    }
    Ok(BucketAcl { owner_id, grants })
}

fn read_access_point(item: &Node) -> Result<AccessPointProposal, Problem> {
    const GET: &str = "s3control get-access-point";
    const POLICY: &str = "s3control get-access-point-policy";
    for m in item.members() {
        if m.key != GET && m.key != POLICY {
            return Err(problem(
                &m.value,
                &[m.key.as_str()],
                format!(
                    "unknown access point field {} (expected {} and {})",
                    quote(&m.key),
                    quote(GET),
                    quote(POLICY)
                ),
            ));
        }
    }
    let Some(g) = item.get(GET) else {
        return Err(problem(
            item,
            &[],
            format!("an access point needs the output of {}", quote(GET)),
        ));
    };
    let Some(arn) = str_at(g, "AccessPointArn") else {
        return Err(problem(
            g,
            &[GET],
            "`s3control get-access-point` output needs `AccessPointArn`".into(),
        ));
    };
    let mut ap = AccessPoint::new(arn);
    if let Some(name) = str_at(g, "Name") {
        ap.name = name.to_string();
    }
    let network_origin_given = g.get("NetworkOrigin").is_some();
    let public_access_block_given = g.get("PublicAccessBlockConfiguration").is_some();
    let policy_given = item.get(POLICY).is_some();
    ap.network_origin = match str_at(g, "NetworkOrigin") {
        Some(o) if o.eq_ignore_ascii_case("vpc") => {
            let vpc = g
                .get("VpcConfiguration")
                .and_then(|v| str_at(v, "VpcId"))
                .unwrap_or("");
            NetworkOrigin::Vpc(vpc.to_string())
        }
        Some(o) if o.eq_ignore_ascii_case("internet") => NetworkOrigin::Internet,
        None => NetworkOrigin::Internet,
        Some(o) => {
            return Err(problem(
                g,
                &[GET, "NetworkOrigin"],
                format!(
                    "unknown network origin {} (expected `Internet` or `VPC`)",
                    quote(o)
                ),
            ))
        }
    };
    if let Some(b) = g.get("PublicAccessBlockConfiguration") {
        ap.public_access_block =
            Some(read_bpa(b).map_err(|m| problem(b, &[GET, "PublicAccessBlockConfiguration"], m))?);
    }
    if let Some(p) = item.get(POLICY) {
        let n = p.get("Policy").unwrap_or(p);
        ap.policy = read_policy(n, &[POLICY, "Policy"])?;
    }
    Ok(AccessPointProposal {
        access_point: ap,
        policy_given,
        network_origin_given,
        public_access_block_given,
    })
}

/// An access point of the `accessPoints` array, problems located under `accessPoints/i`.
fn read_access_point_at(item: &Node, i: usize) -> Result<AccessPointProposal, Problem> {
    read_access_point(item).map_err(|mut p| {
        let mut path = vec![
            PathSegment::Key("accessPoints".into()),
            PathSegment::Index(i),
        ];
        path.append(&mut p.path);
        p.path = path;
        p
    })
}

fn read_grants(n: &Node) -> Result<Vec<KmsGrant>, Problem> {
    const CALL: &str = "kms list-grants";
    let items = array_at(n, "Grants", &[CALL, "Grants"])?;
    let mut out = Vec::new();
    for (i, g) in items.iter().enumerate() {
        let at = |k: &str, msg: String| Problem {
            message: msg,
            at: g.get(k).unwrap_or(g).span.start,
            path: vec![
                PathSegment::Key(CALL.into()),
                PathSegment::Key("Grants".into()),
                PathSegment::Index(i),
                PathSegment::Key(k.into()),
            ],
            kind: ErrorKind::Input,
        };
        let mut grant = KmsGrant {
            grant_id: str_at(g, "GrantId").unwrap_or("").to_string(),
            name: str_at(g, "Name").map(str::to_string),
            grantee_principal: str_at(g, "GranteePrincipal").map(str::to_string),
            retiring_principal: str_at(g, "RetiringPrincipal").map(str::to_string),
            ..KmsGrant::default()
        };
        match g.get("Operations").map(|o| &o.value) {
            None | Some(Value::Null) => {}
            Some(Value::Array(ops)) => {
                for o in ops {
                    match o.as_str() {
                        Some(s) => grant.operations.push(s.to_string()),
                        None => {
                            return Err(at("Operations", "grant operations must be strings".into()))
                        }
                    }
                }
            }
            Some(_) => return Err(at("Operations", "`Operations` must be an array".into())),
        }
        if let Some(c) = g.get("Constraints") {
            for (key, map) in [
                (
                    "EncryptionContextEquals",
                    &mut grant.encryption_context_equals,
                ),
                (
                    "EncryptionContextSubset",
                    &mut grant.encryption_context_subset,
                ),
            ] {
                for m in c
                    .get(key)
                    .map(|x| x.members().collect::<Vec<_>>())
                    .unwrap_or_default()
                {
                    match m.value.as_str() {
                        Some(v) => {
                            map.insert(m.key.clone(), v.to_string());
                        }
                        None => {
                            return Err(at(
                                "Constraints",
                                format!("`{key}` values must be strings"),
                            ))
                        }
                    }
                }
            }
        }
        out.push(grant);
    }
    Ok(out)
}

fn read_urls(node: &Node) -> Result<Vec<FunctionUrl>, Problem> {
    let mut out = Vec::new();
    for field in [URL_CONFIG, URL_CONFIGS] {
        if let Some(n) = node.get(field) {
            out.extend(read_url_field(field, n)?);
        }
    }
    Ok(out)
}

const URL_CONFIG: &str = "lambda get-function-url-config";
const URL_CONFIGS: &str = "lambda list-function-url-configs";

/// The URLs in the output of `lambda get-function-url-config` or `list-function-url-configs`.
fn read_url_field(field: &str, n: &Node) -> Result<Vec<FunctionUrl>, Problem> {
    let one = |c: &Node, path: &[&str]| -> Result<FunctionUrl, Problem> {
        let auth = str_at(c, "AuthType").and_then(FunctionUrlAuthType::parse);
        let Some(auth) = auth else {
            return Err(problem(
                c.get("AuthType").unwrap_or(c),
                path,
                "a function URL needs `AuthType` `NONE` or `AWS_IAM`".into(),
            ));
        };
        let mut u = FunctionUrl::new(auth);
        u.function_arn = str_at(c, "FunctionArn").map(str::to_string);
        Ok(u)
    };
    if field == URL_CONFIG {
        return Ok(vec![one(n, &[URL_CONFIG, "AuthType"])?]);
    }
    let mut out = Vec::new();
    if let Some(Value::Array(items)) = n.get("FunctionUrlConfigs").map(|x| &x.value) {
        for c in items {
            out.push(one(c, &[URL_CONFIGS, "FunctionUrlConfigs"])?);
        }
    }
    Ok(out)
}

// ---- proposals (access previews) ------------------------------------------------------------

/// An access point of a proposal, with which of its settings the proposal gives (an omitted
/// setting keeps the existing access point's, or takes the default of a new one).
pub(crate) struct AccessPointProposal {
    pub(crate) access_point: AccessPoint,
    pub(crate) policy_given: bool,
    pub(crate) network_origin_given: bool,
    pub(crate) public_access_block_given: bool,
}

/// One part of a proposed configuration, read from a snapshot field.
pub(crate) enum Part {
    /// The resource policy; `None` proposes deleting it.
    Policy(Option<Policy>),
    /// The bucket ACL.
    Acl(BucketAcl),
    /// The bucket's Block Public Access settings.
    PublicAccessBlock(PublicAccessBlock),
    /// The bucket's access points (the whole list).
    AccessPoints(Vec<AccessPointProposal>),
    /// The key's grants (the whole list).
    Grants(Vec<KmsGrant>),
    /// The function's URLs (the whole list).
    FunctionUrls(Vec<FunctionUrl>),
    /// A snapshot's sharing attribute (the whole attribute: accounts and `all`).
    Shares(Vec<SnapshotShare>),
    /// The KMS key of a secret or of an encrypted snapshot; `None` when the call's output
    /// proposes none (a snapshot it says is not encrypted).
    KmsKey(Option<String>),
}

/// Fields of a proposal object that name the resource rather than propose a part.
pub(crate) const PROPOSAL_IDENTITY: &[&str] = &["arn", "type", "ownerAccount", "description"];

/// The account's Block Public Access call, which a proposal cannot change.
const ACCOUNT_BPA: &str = "s3control get-public-access-block";

/// The fields a proposal for a type may give: `policy`, the type's calls, not the account's.
pub(crate) fn proposal_fields(t: ResourceType) -> Vec<&'static str> {
    let mut out = vec!["policy"];
    out.extend(policy_calls(t).iter().map(|(c, _, _)| *c));
    out.extend(other_calls(t).iter().copied().filter(|c| *c != ACCOUNT_BPA));
    out
}

/// Read one part of a proposal: `field` is a snapshot field name and `n` its value; `r` is the
/// resource when known (it picks a snapshot's entry in a `describe-…` output). Problems' paths
/// start with `field`.
fn read_part(
    t: ResourceType,
    field: &str,
    n: &Node,
    r: Option<&Resource>,
) -> Result<Part, Problem> {
    if field == "policy" {
        return Ok(Part::Policy(read_policy(n, &["policy"])?));
    }
    if let Some((call, path, optional)) = policy_calls(t).iter().find(|(c, _, _)| *c == field) {
        let mut at = n;
        for step in *path {
            match at.get(step) {
                Some(x) => at = x,
                None if *optional => return Ok(Part::Policy(None)),
                None => {
                    return Err(problem(
                        n,
                        &[call],
                        format!("`{call}` output has no `{}`", path.join(".")),
                    ))
                }
            }
        }
        let mut p: Vec<&str> = vec![call];
        p.extend(path.iter());
        return Ok(Part::Policy(read_policy(at, &p)?));
    }
    let fields = proposal_fields(t);
    match field {
        _ if !fields.contains(&field) => {
            let message = if field == ACCOUNT_BPA {
                format!(
                    "{} holds the account's settings, which a proposal for one resource cannot change",
                    quote(field)
                )
            } else {
                format!(
                    "unknown field {} in a proposal for {} (expected {})",
                    quote(field),
                    quote(t.as_str()),
                    fields
                        .iter()
                        .map(|f| quote(f))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            Err(problem(n, &[field], message))
        }
        "s3api get-bucket-acl" => Ok(Part::Acl(read_acl(n)?)),
        "s3api get-public-access-block" => Ok(Part::PublicAccessBlock(
            read_bpa(n).map_err(|m| problem(n, &[field], m))?,
        )),
        "accessPoints" => {
            let Value::Array(items) = &n.value else {
                return Err(problem(
                    n,
                    &["accessPoints"],
                    "`accessPoints` must be an array".into(),
                ));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(read_access_point_at(item, i)?);
            }
            Ok(Part::AccessPoints(out))
        }
        "kms list-grants" => Ok(Part::Grants(read_grants(n)?)),
        URL_CONFIG | URL_CONFIGS => Ok(Part::FunctionUrls(read_url_field(field, n)?)),
        super::secrets_manager::DESCRIBE => Ok(Part::KmsKey(Some(secret_key_in(n)?))),
        _ => match snapshot_kind(t) {
            Some(k) if k.share_call() == field => {
                share_list_given(n, k)?;
                Ok(Part::Shares((k.read_shares)(n, k)?))
            }
            // An encrypted entry proposes its key (the service's AWS managed key when it names
            // none); an entry that is not encrypted proposes nothing, as Access Analyzer cannot
            // propose removing a snapshot's encryption (an empty `kmsKeyId` keeps it).
            Some(k) if k.describe_call() == field => {
                Ok(Part::KmsKey(match describe_entry(n, k, r)? {
                    (Some(true), key) => Some(key.unwrap_or_else(|| k.managed_key.to_string())),
                    (_, _) => None,
                }))
            }
            _ => Err(problem(
                n,
                &[field],
                format!("{} cannot be proposed", quote(field)),
            )),
        },
    }
}

/// A proposed sharing attribute must have its list (an empty one shares with no one): an output
/// of another call, or of the other RDS snapshot type, must not read as "shared with no one".
fn share_list_given(n: &Node, k: &SnapshotKind) -> Result<(), Problem> {
    let (call, list) = (k.share_call(), k.share_list);
    let inner = k.share_wrapper.and_then(|w| n.get(w)).unwrap_or(n);
    if inner.get(list).is_some() {
        return Ok(());
    }
    let path = match k.share_wrapper {
        Some(w) => format!("{w}.{list}"),
        None => list.to_string(),
    };
    Err(problem(
        n,
        &[call],
        format!(
            "the proposed {} output has no `{path}` (an empty array shares the snapshot with no one)",
            quote(call)
        ),
    ))
}

/// An error for a problem in a document of its own; `field`, when the path starts with it, is
/// left out of the pointer (the document is that field's value).
fn standalone_error(p: Problem, field: Option<&str>) -> Error {
    let mut path = p.path;
    if let (Some(f), Some(PathSegment::Key(k))) = (field, path.first()) {
        if k == f {
            path.remove(0);
        }
    }
    Error::at(
        p.kind,
        p.message,
        Location {
            line: p.at.line,
            column: p.at.column,
            offset: p.at.offset,
            pointer: json::Path(path).pointer(),
        },
    )
}

fn parse_proposal_text(text: &str) -> Result<Node, Error> {
    let limits = json::Limits::default().with_max_bytes(MAX_RESOURCE_BYTES);
    json::parse(text, &limits)
}

/// A proposal object as read: its identity members (`arn`, `type`, `ownerAccount` as strings)
/// and its parts, each with its field name.
pub(crate) struct ProposalObject {
    pub(crate) identity: BTreeMap<String, String>,
    pub(crate) parts: Vec<(String, Part)>,
}

/// Read a proposal written as a snapshot resource.
pub(crate) fn read_proposal_object(r: &Resource, text: &str) -> Result<ProposalObject, Error> {
    let t = r.resource_type;
    let root = parse_proposal_text(text)?;
    if !matches!(root.value, Value::Object(_)) {
        return Err(standalone_error(
            problem(
                &root,
                &[],
                format!(
                    "a proposal must be a json object, found {}",
                    root.value.type_name()
                ),
            ),
            None,
        ));
    }
    let mut identity = BTreeMap::new();
    let mut parts = Vec::new();
    for m in root.members() {
        if PROPOSAL_IDENTITY.contains(&m.key.as_str()) {
            if m.key != "description" {
                let Some(v) = m.value.as_str() else {
                    return Err(standalone_error(
                        problem(
                            &m.value,
                            &[m.key.as_str()],
                            format!("{} must be a string", quote(&m.key)),
                        ),
                        None,
                    ));
                };
                identity.insert(m.key.clone(), v.to_string());
            }
            continue;
        }
        let part =
            read_part(t, &m.key, &m.value, Some(r)).map_err(|p| standalone_error(p, None))?;
        parts.push((m.key.clone(), part));
    }
    Ok(ProposalObject { identity, parts })
}

/// Read one part of a proposal from a document of its own: the output of the call `field`
/// names (or, for `policy`, the policy).
pub(crate) fn read_proposal_part(t: ResourceType, field: &str, text: &str) -> Result<Part, Error> {
    let root = parse_proposal_text(text)?;
    read_part(t, field, &root, None).map_err(|p| standalone_error(p, Some(field)))
}

// ---- the byte scanner -----------------------------------------------------------------------

/// Reads a stream of JSON text a value at a time, keeping the position.
struct Scanner<R> {
    r: R,
    pos: Position,
}

fn advance(pos: &mut Position, bytes: &[u8]) {
    for b in bytes {
        if *b == b'\n' {
            pos.line += 1;
            pos.column = 0;
        } else if b & 0xC0 != 0x80 {
            pos.column += 1;
        }
    }
    pos.offset += bytes.len();
}

impl<R: BufRead> Scanner<R> {
    fn new(r: R) -> Scanner<R> {
        Scanner {
            r,
            pos: Position {
                line: 1,
                column: 0,
                offset: 0,
            },
        }
    }

    fn error(&self, kind: ErrorKind, msg: &str) -> Error {
        Error::at(
            kind,
            msg,
            Location {
                line: self.pos.line,
                column: self.pos.column,
                offset: self.pos.offset,
                pointer: String::new(),
            },
        )
    }

    fn io(&self, e: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, format!("cannot read the snapshot: {e}"))
    }

    /// Skip whitespace (and a byte order mark at the start); the next byte, not consumed.
    fn skip_ws(&mut self) -> Result<Option<u8>, Error> {
        loop {
            let (take, first) = {
                let buf = match self.r.fill_buf() {
                    Ok(b) => b,
                    Err(e) => return Err(self.io(e)),
                };
                if buf.is_empty() {
                    return Ok(None);
                }
                let bom = if self.pos.offset == 0 && buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    3
                } else {
                    0
                };
                let rest = buf.get(bom..).unwrap_or(&[]);
                let n = rest
                    .iter()
                    .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
                let take = bom + n.unwrap_or(rest.len());
                let first = n.and_then(|i| rest.get(i).copied());
                advance(&mut self.pos, buf.get(bom..take).unwrap_or(&[]));
                self.pos.offset += bom;
                (take, first)
            };
            self.r.consume(take);
            if let Some(b) = first {
                return Ok(Some(b));
            }
        }
    }

    /// Consume one byte.
    fn bump(&mut self) -> Result<(), Error> {
        let b = match self.r.fill_buf() {
            Ok(buf) => buf.first().copied(),
            Err(e) => return Err(self.io(e)),
        };
        if let Some(b) = b {
            advance(&mut self.pos, &[b]);
            self.r.consume(1);
        }
        Ok(())
    }

    /// An object key and its colon.
    fn key(&mut self) -> Result<String, Error> {
        if self.skip_ws()? != Some(b'"') {
            return Err(self.error(ErrorKind::Syntax, "expected a field name in quotes"));
        }
        let (text, _) = self.value(4096)?;
        let key: String = serde_json::from_slice(&text)
            .map_err(|_| self.error(ErrorKind::Syntax, "malformed field name"))?;
        if self.skip_ws()? != Some(b':') {
            return Err(self.error(ErrorKind::Syntax, "expected `:` after a field name"));
        }
        self.bump()?;
        Ok(key)
    }

    /// One JSON value's text (at most `limit` bytes).
    fn value(&mut self, limit: usize) -> Result<(Vec<u8>, Position), Error> {
        let (text, start, too_long) = self.value_or_skip(limit)?;
        if too_long {
            return Err(Error::at(
                ErrorKind::Limit,
                format!("a snapshot value is larger than {limit} bytes"),
                Location {
                    line: start.line,
                    column: start.column,
                    offset: start.offset,
                    pointer: String::new(),
                },
            ));
        }
        Ok((text, start))
    }

    /// One JSON value's text; a value longer than `limit` is skipped (`true`), not kept.
    fn value_or_skip(&mut self, limit: usize) -> Result<(Vec<u8>, Position, bool), Error> {
        let first = self.skip_ws()?;
        let start = self.pos;
        let mut out = Vec::new();
        let mut too_long = false;
        let mut depth: usize = 0;
        let mut in_str = false;
        let mut esc = false;
        let scalar = !matches!(first, Some(b'{' | b'[' | b'"'));
        let mut started = false;
        loop {
            let (take, done) = {
                let buf = match self.r.fill_buf() {
                    Ok(b) => b,
                    Err(e) => return Err(self.io(e)),
                };
                if buf.is_empty() {
                    if scalar && started {
                        break;
                    }
                    return Err(self.error(
                        ErrorKind::Syntax,
                        "the snapshot ends inside a value (is it truncated?)",
                    ));
                }
                let mut end = None;
                for (i, &b) in buf.iter().enumerate() {
                    if scalar {
                        if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                            end = Some((i, false));
                            break;
                        }
                        continue;
                    }
                    if in_str {
                        if esc {
                            esc = false;
                        } else if b == b'\\' {
                            esc = true;
                        } else if b == b'"' {
                            in_str = false;
                            if depth == 0 {
                                end = Some((i, true));
                                break;
                            }
                        }
                        continue;
                    }
                    match b {
                        b'"' => in_str = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                end = Some((i, true));
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let take = match end {
                    Some((i, inclusive)) => i + usize::from(inclusive),
                    None => buf.len(),
                };
                let chunk = buf.get(..take).unwrap_or(&[]);
                if !too_long {
                    if out.len() + chunk.len() > limit {
                        too_long = true;
                        out = Vec::new();
                    } else {
                        out.extend_from_slice(chunk);
                    }
                }
                advance(&mut self.pos, chunk);
                (take, end.is_some())
            };
            self.r.consume(take);
            started = true;
            if done {
                break;
            }
        }
        Ok((out, start, too_long))
    }

    /// The next line (without its newline), `None` at the end; a line longer than `limit` is
    /// skipped (`true`).
    fn line(&mut self, limit: usize) -> Result<Option<(Vec<u8>, Position, bool)>, Error> {
        let start = self.pos;
        let mut out = Vec::new();
        let mut too_long = false;
        let mut any = false;
        loop {
            let (take, done) = {
                let buf = match self.r.fill_buf() {
                    Ok(b) => b,
                    Err(e) => return Err(self.io(e)),
                };
                if buf.is_empty() {
                    if !any {
                        return Ok(None);
                    }
                    break;
                }
                let nl = buf.iter().position(|b| *b == b'\n');
                let take = nl.map_or(buf.len(), |i| i + 1);
                let chunk = buf.get(..nl.unwrap_or(buf.len())).unwrap_or(&[]);
                if !too_long {
                    if out.len() + chunk.len() > limit {
                        too_long = true;
                        out = Vec::new();
                    } else {
                        out.extend_from_slice(chunk);
                    }
                }
                advance(&mut self.pos, buf.get(..take).unwrap_or(&[]));
                (take, nl.is_some())
            };
            any = true;
            self.r.consume(take);
            if done {
                break;
            }
        }
        Ok(Some((out, start, too_long)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> (Option<ZoneOfTrust>, Vec<Result<ResourceConfig, Error>>) {
        let s = Snapshot::read(text.as_bytes()).unwrap();
        let z = s.zone_of_trust().cloned();
        (z, s.collect())
    }

    const QUEUE: &str = r#"{"arn": "arn:aws:sqs:us-east-1:111122223333:q", "type": "AWS::SQS::Queue", "policy": {"Version": "2012-10-17", "Statement": []}}"#;

    #[test]
    fn document_and_lines_give_the_same_resources() {
        let doc = format!(
            r#"{{"zoneOfTrust": {{"accounts": ["111122223333"]}}, "resources": [{QUEUE}, {QUEUE}]}}"#
        );
        let lines = format!(
            "{{\"zoneOfTrust\": {{\"accounts\": [\"111122223333\"]}}}}\n{QUEUE}\n\n{QUEUE}\n"
        );
        let (z1, a) = all(&doc);
        let (z2, b) = all(&lines);
        assert_eq!(z1, z2);
        assert_eq!(a.len(), 2);
        assert_eq!(a, b);
        assert!(matches!(a[0], Ok(ResourceConfig::Policy(_))));
    }

    #[test]
    fn a_bad_resource_does_not_stop_the_rest() {
        let lines = format!(
            "{{}}\n{QUEUE}\n{{\"arn\": 5}}\n{{not json\n{QUEUE}\n{{\"arn\": \"arn:aws:sqs:us-east-1:111122223333:q\", \"type\": \"AWS::SQS::Queue\", \"policy\": \"{{oops\"}}\n"
        );
        let (_, items) = all(&lines);
        assert_eq!(items.len(), 5);
        assert!(items[0].is_ok());
        let e = items[1].as_ref().unwrap_err();
        assert_eq!(e.message(), "resource 1: `arn` must be a string");
        assert_eq!(e.location().unwrap().line, 3);
        assert_eq!(e.location().unwrap().pointer, "/arn");
        let e = items[2].as_ref().unwrap_err();
        assert!(e.message().starts_with("resource 2: "), "{e}");
        assert_eq!(e.location().unwrap().line, 4);
        assert!(items[3].is_ok());
        match &items[4] {
            Ok(ResourceConfig::Invalid(i)) => {
                assert!(i.error.message().starts_with(
                    "resource 4 (`arn:aws:sqs:us-east-1:111122223333:q`): the policy does not parse"
                ), "{}", i.error);
                assert_eq!(i.error.location().unwrap().pointer, "/policy");
                assert_eq!(i.error.location().unwrap().line, 6);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_documents_end_with_an_error() {
        let doc = format!(r#"{{"resources": [{QUEUE}, {{"arn": "#);
        let (_, items) = all(&doc);
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        assert!(items[1]
            .as_ref()
            .unwrap_err()
            .message()
            .contains("truncated"));
    }

    #[test]
    fn header_after_resources_is_refused() {
        let doc = format!(
            r#"{{"resources": [{QUEUE}], "zoneOfTrust": {{"accounts": ["111122223333"]}}}}"#
        );
        let (_, items) = all(&doc);
        assert!(items[0].is_ok());
        assert!(items[1]
            .as_ref()
            .unwrap_err()
            .message()
            .contains("must come before `resources`"));
    }
    fn one(resource: &str) -> ResourceConfig {
        let (_, mut items) = all(&format!("{{\"resources\": [{resource}]}}"));
        assert_eq!(items.len(), 1);
        items.remove(0).unwrap()
    }

    #[test]
    fn ebs_snapshots_read_the_attribute_and_the_matching_description() {
        let c = one(
            r#"{"arn": "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-1", "type": "AWS::EC2::Snapshot",
               "ec2 describe-snapshot-attribute": {"SnapshotId": "snap-1", "CreateVolumePermissions": [{"Group": "all"}, {"UserId": "444455556666"}]},
               "ec2 describe-snapshots": {"Snapshots": [{"SnapshotId": "snap-0", "Encrypted": false}, {"SnapshotId": "snap-1", "Encrypted": true}]}}"#,
        );
        let ResourceConfig::EbsSnapshot(s) = c else {
            panic!("{c:?}")
        };
        assert_eq!(
            s.create_volume_permissions,
            [
                SnapshotShare::All,
                SnapshotShare::Account("444455556666".into())
            ]
        );
        assert_eq!(
            s.encrypted,
            Some(true),
            "the entry of this snapshot, not the first"
        );
        // No description: encryption unknown; no attribute: shared with no one.
        let c = one(
            r#"{"arn": "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-1", "type": "AWS::EC2::Snapshot"}"#,
        );
        let ResourceConfig::EbsSnapshot(s) = c else {
            panic!("{c:?}")
        };
        assert_eq!((s.create_volume_permissions.len(), s.encrypted), (0, None));
    }

    #[test]
    fn snapshot_problems_are_located_errors_for_the_resource() {
        for (text, message, pointer) in [
            (
                r#"{"arn": "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-1", "type": "AWS::EC2::Snapshot", "ec2 describe-snapshot-attribute": {"CreateVolumePermissions": [{"Group": "all"}, {"Foo": 1}]}}"#,
                "a `CreateVolumePermissions` entry needs `Group` or `UserId`",
                "/resources/0/ec2 describe-snapshot-attribute/CreateVolumePermissions/1",
            ),
            (
                r#"{"arn": "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-1", "type": "AWS::EC2::Snapshot", "ec2 describe-snapshots": {"Snapshots": [{"SnapshotId": "snap-2"}, {"SnapshotId": "snap-3"}]}}"#,
                "`ec2 describe-snapshots` output has no entry for `snap-1`",
                "/resources/0/ec2 describe-snapshots/Snapshots",
            ),
            (
                r#"{"arn": "arn:aws:rds:us-east-1:111122223333:snapshot:s1", "type": "AWS::RDS::DBSnapshot", "rds describe-db-snapshot-attributes": {"DBSnapshotAttributesResult": {"DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": [7]}]}}}"#,
                "`restore` values must be strings",
                "/resources/0/rds describe-db-snapshot-attributes/DBSnapshotAttributesResult/DBSnapshotAttributes/0/AttributeValues",
            ),
            (
                r#"{"arn": "arn:aws:rds:us-east-1:111122223333:snapshot:s1", "type": "AWS::RDS::DBSnapshot", "rds describe-db-cluster-snapshot-attributes": {}}"#,
                "unknown field `rds describe-db-cluster-snapshot-attributes` for AWS::RDS::DBSnapshot",
                "/resources/0/rds describe-db-cluster-snapshot-attributes",
            ),
        ] {
            let ResourceConfig::Invalid(i) = one(text) else { panic!("{text}") };
            assert!(i.error.message().contains(message), "{}", i.error);
            assert_eq!(i.error.location().unwrap().pointer, pointer, "{}", i.error);
        }
    }

    #[test]
    fn rds_snapshots_read_restore_and_encryption() {
        let c = one(
            r#"{"arn": "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:c1", "type": "AWS::RDS::DBClusterSnapshot",
               "rds describe-db-cluster-snapshot-attributes": {"DBClusterSnapshotAttributesResult": {"DBClusterSnapshotAttributes": [
                 {"AttributeName": "other", "AttributeValues": ["999999999999"]},
                 {"AttributeName": "restore", "AttributeValues": ["all", "444455556666"]}]}},
               "rds describe-db-cluster-snapshots": {"DBClusterSnapshots": [{"DBClusterSnapshotIdentifier": "c1", "StorageEncrypted": false}]}}"#,
        );
        let ResourceConfig::RdsSnapshot(s) = c else {
            panic!("{c:?}")
        };
        assert_eq!(s.resource.resource_type, ResourceType::RdsDbClusterSnapshot);
        assert_eq!(
            s.restore,
            [
                SnapshotShare::All,
                SnapshotShare::Account("444455556666".into())
            ],
            "only the restore attribute"
        );
        assert_eq!(s.encrypted, Some(false));
    }

    #[test]
    fn secrets_read_their_key() {
        let secret = |describe: &str| {
            let c = one(&format!(
                r#"{{"arn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCdEf", "type": "AWS::SecretsManager::Secret"{describe}}}"#
            ));
            let ResourceConfig::SecretsManagerSecret(s) = c else {
                panic!("{c:?}")
            };
            s.kms_key_id
        };
        assert_eq!(secret(""), None);
        assert_eq!(
            secret(r#", "secretsmanager describe-secret": {"Name": "s"}"#).as_deref(),
            Some("alias/aws/secretsmanager")
        );
        assert_eq!(
            secret(r#", "secretsmanager describe-secret": {"KmsKeyId": "alias/app"}"#).as_deref(),
            Some("alias/app")
        );
    }
}
