//! Proposed configurations for access previews, and Access Analyzer's defaulting rules.
//!
//! AWS: "Previewing access with IAM Access Analyzer APIs" in the IAM User Guide
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-preview-access-apis.html>),
//! and the API Reference pages `S3BucketConfiguration`, `S3AccessPointConfiguration`,
//! `S3PublicAccessBlockConfiguration`, `KmsKeyConfiguration` and `IamRoleConfiguration`: for an
//! existing resource an omitted part keeps the current configuration; for a new resource it
//! takes the type's default (no policy; a KMS key gets the default key policy; a new bucket's
//! Block Public Access settings are off, a new access point's on, a new access point is reachable
//! from the internet); a proposed list of ACL grants, access points or KMS grants replaces the
//! existing list; an empty policy proposes deleting the policy, which role trust policies and KMS
//! key policies do not allow. `SecretsManagerSecretConfiguration`: a new secret, or a proposed
//! empty key id, gets the AWS managed key `aws/secretsmanager`. `EbsSnapshotConfiguration`,
//! `RdsDbSnapshotConfiguration`, `RdsDbClusterSnapshotConfiguration` and their attribute values:
//! omitted account ids or groups keep the existing ones, an empty list removes them, a new
//! snapshot is shared with no one; a KMS key id makes a snapshot encrypted, an omitted or empty
//! one keeps an existing snapshot's encryption, and a new snapshot without one is unencrypted.
//! The readings are in `perimeter::manual::findings`.

use crate::analyze::snapshot::{self, Part};
use crate::analyze::{
    AccessPoint, BucketAcl, EbsSnapshot, FunctionUrl, KmsGrant, KmsKey, LambdaFunction,
    NetworkOrigin, PolicyResource, PublicAccessBlock, RdsSnapshot, Resource, ResourceConfig,
    ResourceType, S3Bucket, SecretsManagerSecret, SnapshotShare,
};
use crate::error::{quote, Error, ErrorKind};
use crate::policy::Policy;

/// The most ACL grants a proposal may give a bucket (Access Analyzer's limit).
pub const MAX_PROPOSED_ACL_GRANTS: usize = 100;
/// The most grants a proposal may give a KMS key (Access Analyzer's limit).
pub const MAX_PROPOSED_KMS_GRANTS: usize = 100;
/// The most access points a proposal may add to a bucket (Access Analyzer's limit).
pub const MAX_NEW_ACCESS_POINTS: usize = 10;

/// An access point of a proposed S3 bucket configuration. A setting left `None` (or
/// [`ProposedPolicy::Keep`]) keeps the existing access point's setting; for a new access point it
/// takes the default: no policy, reachable from the internet, Block Public Access on.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ProposedAccessPoint {
    /// The access point ARN (`arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME`).
    pub arn: String,
    /// Its policy.
    pub policy: ProposedPolicy,
    /// Where it accepts requests from.
    pub network_origin: Option<NetworkOrigin>,
    /// Its Block Public Access settings.
    pub public_access_block: Option<PublicAccessBlock>,
}

impl ProposedAccessPoint {
    /// An access point with every setting omitted.
    pub fn new(arn: &str) -> ProposedAccessPoint {
        ProposedAccessPoint {
            arn: arn.to_string(),
            policy: ProposedPolicy::Keep,
            network_origin: None,
            public_access_block: None,
        }
    }

    /// With this policy proposal.
    pub fn with_policy(mut self, policy: ProposedPolicy) -> ProposedAccessPoint {
        self.policy = policy;
        self
    }

    /// With this network origin.
    pub fn with_network_origin(mut self, origin: NetworkOrigin) -> ProposedAccessPoint {
        self.network_origin = Some(origin);
        self
    }

    /// With these Block Public Access settings.
    pub fn with_public_access_block(mut self, settings: PublicAccessBlock) -> ProposedAccessPoint {
        self.public_access_block = Some(settings);
        self
    }
}

/// The proposed policy of the resource.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ProposedPolicy {
    /// No proposal: keep the current policy (for a new resource: the type's default, which is
    /// no policy, or the default key policy for a KMS key).
    #[default]
    Keep,
    /// Delete the policy (an empty policy string in Access Analyzer's configuration).
    Delete,
    /// This policy.
    Set(Policy),
}

/// A proposed configuration for one resource (`CreateAccessPreview`'s configuration): each part
/// given replaces the resource's current one, each part omitted (`None`,
/// [`ProposedPolicy::Keep`]) keeps it, or, for a new resource, takes the type's default.
/// [`Proposal::apply`] turns it into the configuration to analyse.
///
/// The parts: the resource policy (every type but the snapshot types; a role's trust policy, a
/// key's key policy), and for an S3 bucket its ACL, Block Public Access settings and access
/// points, for a KMS key its grants, for a Lambda function its URLs, for a Secrets Manager secret
/// its KMS key, for an EBS or RDS snapshot the accounts it is shared with, whether it is public
/// and its KMS key (which makes it encrypted).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Proposal {
    /// The resource policy.
    pub policy: ProposedPolicy,
    /// The bucket ACL (S3 buckets).
    pub acl: Option<BucketAcl>,
    /// The bucket's Block Public Access settings (S3 buckets).
    pub public_access_block: Option<PublicAccessBlock>,
    /// The bucket's access points, the whole list (S3 buckets).
    pub access_points: Option<Vec<ProposedAccessPoint>>,
    /// The key's grants, the whole list (KMS keys).
    pub grants: Option<Vec<KmsGrant>>,
    /// The function's URLs, the whole list (Lambda functions).
    pub function_urls: Option<Vec<FunctionUrl>>,
    /// The KMS key, as a key id, key ARN, alias or alias ARN (`kmsKeyId` of Access Analyzer's
    /// `SecretsManagerSecretConfiguration`, `EbsSnapshotConfiguration`,
    /// `RdsDbSnapshotConfiguration` and `RdsDbClusterSnapshotConfiguration`). For a secret, the
    /// empty string is the AWS managed key `aws/secretsmanager`; for a snapshot, a key makes it
    /// encrypted and the empty string keeps its encryption (a new snapshot: unencrypted).
    pub kms_key_id: Option<String>,
    /// The accounts a snapshot is shared with, the whole list (EBS and RDS snapshots: EBS
    /// `userIds`, RDS `accountIds`); an empty list shares with none. For an RDS snapshot, whose
    /// `accountIds` is the whole `restore` attribute (`all` included), a list given without
    /// [`Proposal::shared_publicly`] also makes the snapshot not public; for an EBS snapshot,
    /// whose `groups` are apart, it keeps the snapshot's group `all`.
    pub shared_accounts: Option<Vec<String>>,
    /// Whether a snapshot is shared with every account, which makes it public (EBS and RDS
    /// snapshots: the EBS group `all`, the RDS `restore` value `all`).
    pub shared_publicly: Option<bool>,
}

impl Proposal {
    /// A proposal that changes nothing.
    pub fn new() -> Proposal {
        Proposal::default()
    }

    /// With this policy proposal.
    pub fn with_policy(mut self, policy: ProposedPolicy) -> Proposal {
        self.policy = policy;
        self
    }

    /// With this bucket ACL.
    pub fn with_acl(mut self, acl: BucketAcl) -> Proposal {
        self.acl = Some(acl);
        self
    }

    /// With these bucket Block Public Access settings.
    pub fn with_public_access_block(mut self, settings: PublicAccessBlock) -> Proposal {
        self.public_access_block = Some(settings);
        self
    }

    /// With these access points (in place of the bucket's).
    pub fn with_access_points(mut self, access_points: Vec<ProposedAccessPoint>) -> Proposal {
        self.access_points = Some(access_points);
        self
    }

    /// With these KMS grants (in place of the key's).
    pub fn with_grants(mut self, grants: Vec<KmsGrant>) -> Proposal {
        self.grants = Some(grants);
        self
    }

    /// With these function URLs (in place of the function's).
    pub fn with_function_urls(mut self, urls: Vec<FunctionUrl>) -> Proposal {
        self.function_urls = Some(urls);
        self
    }

    /// With this KMS key (Secrets Manager secrets; EBS and RDS snapshots, which it makes
    /// encrypted). See [`Proposal::kms_key_id`] for the empty string.
    ///
    /// ```
    /// use perimeter::analyze::{Resource, ResourceConfig, ResourceType};
    /// use perimeter::findings::Proposal;
    ///
    /// let secret = Resource::new("arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
    ///     ResourceType::SecretsManagerSecret, "111122223333");
    /// let proposed = Proposal::new().with_kms_key_id("alias/app-secrets").apply(&secret, None)?;
    /// let ResourceConfig::SecretsManagerSecret(s) = proposed else { return Err("not a secret".into()) };
    /// assert_eq!(s.kms_key_id.as_deref(), Some("alias/app-secrets"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_kms_key_id(mut self, key: &str) -> Proposal {
        self.kms_key_id = Some(key.to_string());
        self
    }

    /// With the snapshot shared with these accounts only (in place of the accounts it is shared
    /// with). Whether it is public is kept for an EBS snapshot, and follows Access Analyzer's
    /// `accountIds` for an RDS snapshot (not public) unless proposed: see
    /// [`Proposal::shared_accounts`].
    pub fn with_shared_accounts(mut self, accounts: &[&str]) -> Proposal {
        self.shared_accounts = Some(accounts.iter().map(|a| a.to_string()).collect());
        self
    }

    /// With the snapshot public (shared with `all`) or not.
    pub fn with_shared_publicly(mut self, public: bool) -> Proposal {
        self.shared_publicly = Some(public);
        self
    }

    /// With this whole sharing attribute (in place of the snapshot's): its accounts, and `all`
    /// for public. An empty list shares the snapshot with no one.
    ///
    /// ```
    /// use perimeter::analyze::{Resource, ResourceConfig, ResourceType, SnapshotShare};
    /// use perimeter::findings::Proposal;
    ///
    /// let snap = Resource::new("arn:aws:ec2:us-east-1:111122223333:snapshot/snap-1",
    ///     ResourceType::Ec2Snapshot, "111122223333");
    /// let proposal = Proposal::new().with_shares(&[SnapshotShare::Account("444455556666".into())]);
    /// let ResourceConfig::EbsSnapshot(s) = proposal.apply(&snap, None)? else {
    ///     return Err("not an EBS snapshot".into());
    /// };
    /// assert_eq!(s.create_volume_permissions, [SnapshotShare::Account("444455556666".into())]);
    /// assert_eq!(s.encrypted, Some(false), "a new snapshot without a KMS key is unencrypted");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_shares(mut self, shares: &[SnapshotShare]) -> Proposal {
        self.set_shares(shares);
        self
    }

    fn set_shares(&mut self, shares: &[SnapshotShare]) {
        self.shared_accounts = Some(
            shares
                .iter()
                .filter_map(|s| match s {
                    SnapshotShare::Account(a) => Some(a.clone()),
                    SnapshotShare::All => None,
                })
                .collect(),
        );
        self.shared_publicly = Some(shares.contains(&SnapshotShare::All));
    }

    /// Read a proposal written as a resource of an account snapshot (`docs/snapshot.md`): the
    /// fields it has are the proposed parts, in the same shapes (`policy`, or the raw output of
    /// the AWS CLI calls: `s3api get-bucket-acl`, `s3api get-public-access-block`,
    /// `accessPoints`, `kms list-grants`, `lambda get-function-url-config`, …). `arn`, `type` and
    /// `ownerAccount` may be given and must then be the resource's. An empty policy (`""` or
    /// `null`) proposes deleting it; in an access point, an omitted
    /// `s3control get-access-point-policy`, `NetworkOrigin` or `PublicAccessBlockConfiguration`
    /// keeps the existing access point's setting.
    ///
    /// ```
    /// use perimeter::analyze::{Resource, ResourceType};
    /// use perimeter::findings::{Proposal, ProposedPolicy};
    ///
    /// let bucket = Resource::new("arn:aws:s3:::reports", ResourceType::S3Bucket, "111122223333");
    /// let proposal = Proposal::read(&bucket, r#"{
    ///   "s3api get-public-access-block": {"PublicAccessBlockConfiguration": {
    ///     "IgnorePublicAcls": true, "RestrictPublicBuckets": true}},
    ///   "s3api get-bucket-policy": {"Policy": ""}}"#)?;
    /// assert_eq!(proposal.policy, ProposedPolicy::Delete);
    /// assert!(proposal.public_access_block.is_some_and(|b| b.restrict_public_buckets));
    /// assert!(proposal.acl.is_none());
    /// # Ok::<(), perimeter::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Syntax`] for text that is not JSON, [`ErrorKind::Input`] for a field the type
    /// does not have (or the account's settings, which a proposal cannot change), a part given
    /// twice, a malformed part (with its JSON location), or an identity that is not the
    /// resource's.
    pub fn read(resource: &Resource, text: &str) -> Result<Proposal, Error> {
        let t = resource.resource_type;
        let snapshot::ProposalObject { identity, parts } =
            snapshot::read_proposal_object(resource, text)?;
        for (key, want) in [
            ("arn", resource.arn.as_str()),
            ("type", t.as_str()),
            ("ownerAccount", resource.owner_account.as_str()),
        ] {
            if let Some(got) = identity.get(key) {
                if got != want {
                    return Err(Error::new(
                        ErrorKind::Input,
                        format!(
                            "the proposal's `{key}` is {}, but the resource's is {}",
                            quote(got),
                            quote(want)
                        ),
                    ));
                }
            }
        }
        let mut proposal = Proposal::new();
        for (field, part) in parts {
            proposal.add(&field, part)?;
        }
        Ok(proposal)
    }

    /// Read one part from its own document: `field` is the snapshot field it would be (such as
    /// `s3api get-bucket-acl` for the output of `aws s3api get-bucket-acl`, `accessPoints` for an
    /// array of access points, `kms list-grants`, `lambda list-function-url-configs`, `policy`).
    /// Locations in errors are in that document.
    ///
    /// ```
    /// use perimeter::analyze::ResourceType;
    /// use perimeter::findings::Proposal;
    ///
    /// let mut proposal = Proposal::new();
    /// proposal.read_part(ResourceType::KmsKey, "kms list-grants", r#"{"Grants": [{
    ///     "GrantId": "g1", "GranteePrincipal": "arn:aws:iam::444455556666:root",
    ///     "Operations": ["Decrypt"]}]}"#)?;
    /// assert_eq!(proposal.grants.as_ref().map(Vec::len), Some(1));
    /// # Ok::<(), perimeter::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Proposal::read`].
    pub fn read_part(
        &mut self,
        resource_type: ResourceType,
        field: &str,
        text: &str,
    ) -> Result<(), Error> {
        let part = snapshot::read_proposal_part(resource_type, field, text)?;
        self.add(field, part)
    }

    /// Read a snapshot's proposed sharing attribute from its own document, in the shape of the
    /// account snapshot (`docs/snapshot.md`): for an EBS snapshot the output of
    /// `ec2 describe-snapshot-attribute --attribute createVolumePermission`, for an RDS DB
    /// snapshot that of `rds describe-db-snapshot-attributes`, for a DB cluster snapshot that of
    /// `rds describe-db-cluster-snapshot-attributes`. It replaces the whole attribute.
    ///
    /// ```
    /// use perimeter::analyze::ResourceType;
    /// use perimeter::findings::Proposal;
    ///
    /// let mut proposal = Proposal::new();
    /// proposal.read_shares(ResourceType::RdsDbSnapshot, r#"{"DBSnapshotAttributesResult": {
    ///     "DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": ["all", "444455556666"]}]}}"#)?;
    /// assert_eq!(proposal.shared_accounts, Some(vec!["444455556666".to_string()]));
    /// assert_eq!(proposal.shared_publicly, Some(true));
    /// # Ok::<(), perimeter::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Input`] when the type is not a snapshot type, the sharing is given twice, or
    /// the document is malformed (with its JSON location); [`ErrorKind::Syntax`] for text that is
    /// not JSON.
    pub fn read_shares(&mut self, resource_type: ResourceType, text: &str) -> Result<(), Error> {
        let Some(field) = snapshot::share_call(resource_type) else {
            return Err(Error::new(
                ErrorKind::Input,
                format!(
                    "a proposed snapshot sharing applies to EBS and RDS snapshots only, not to {}",
                    quote(resource_type.as_str())
                ),
            ));
        };
        self.read_part(resource_type, field, text)
    }

    fn add(&mut self, field: &str, part: Part) -> Result<(), Error> {
        let twice = |what: &str| {
            Err(Error::new(
                ErrorKind::Input,
                format!(
                    "the proposal gives {what} twice (again in {})",
                    quote(field)
                ),
            ))
        };
        match part {
            Part::Policy(p) => {
                if self.policy != ProposedPolicy::Keep {
                    return twice("the policy");
                }
                self.policy = p.map_or(ProposedPolicy::Delete, ProposedPolicy::Set);
            }
            Part::Acl(a) => {
                if self.acl.is_some() {
                    return twice("the bucket ACL");
                }
                self.acl = Some(a);
            }
            Part::PublicAccessBlock(b) => {
                if self.public_access_block.is_some() {
                    return twice("the Block Public Access settings");
                }
                self.public_access_block = Some(b);
            }
            Part::AccessPoints(list) => {
                if self.access_points.is_some() {
                    return twice("the access points");
                }
                self.access_points = Some(
                    list.into_iter()
                        .map(|p| ProposedAccessPoint {
                            policy: match (p.policy_given, p.access_point.policy) {
                                (false, _) => ProposedPolicy::Keep,
                                (true, None) => ProposedPolicy::Delete,
                                (true, Some(policy)) => ProposedPolicy::Set(policy),
                            },
                            network_origin: p
                                .network_origin_given
                                .then_some(p.access_point.network_origin),
                            public_access_block: if p.public_access_block_given {
                                p.access_point.public_access_block
                            } else {
                                None
                            },
                            arn: p.access_point.arn,
                        })
                        .collect(),
                );
            }
            Part::Grants(g) => {
                if self.grants.is_some() {
                    return twice("the grants");
                }
                self.grants = Some(g);
            }
            Part::FunctionUrls(u) => self.function_urls.get_or_insert_with(Vec::new).extend(u),
            Part::Shares(list) => {
                if self.shared_accounts.is_some() || self.shared_publicly.is_some() {
                    return twice("the snapshot's sharing");
                }
                self.set_shares(&list);
            }
            Part::KmsKey(key) => {
                if self.kms_key_id.is_some() {
                    return twice("the KMS key");
                }
                self.kms_key_id = key;
            }
        }
        Ok(())
    }

    /// The configuration to analyse: the current configuration with the proposed parts in place
    /// of its own, or, for a new resource (`current` is `None`), the type's defaults with the
    /// proposed parts (Access Analyzer's defaulting rules):
    ///
    /// * no policy, except a KMS key, which gets the default key policy
    ///   ([`default_key_policy`]);
    /// * a new bucket: Block Public Access all off, no ACL grants to others, no access points;
    ///   the account's settings are not known here: set `account_public_access_block` on the
    ///   result when the account has some;
    /// * a new access point: no policy, `Internet`, Block Public Access all on; an access point
    ///   the bucket has keeps its settings where the proposal omits them;
    /// * a function: no URLs (and then `lambda:InvokeFunctionUrl` is analysed whatever the
    ///   authentication type, as for a function whose URLs are not known);
    /// * a secret: the AWS managed key `aws/secretsmanager` (also for a proposed empty key id,
    ///   new or existing secret);
    /// * an EBS or RDS snapshot: shared with no one, unencrypted unless a KMS key is proposed;
    ///   for an existing snapshot, the accounts and `all` are proposed separately (each kept when
    ///   omitted, an empty account list shares with none), and a proposed empty key id keeps its
    ///   encryption.
    ///
    /// ```
    /// use perimeter::analyze::{Resource, ResourceConfig, ResourceType};
    /// use perimeter::findings::{Proposal, ProposedAccessPoint};
    ///
    /// let bucket = Resource::new("arn:aws:s3:::reports", ResourceType::S3Bucket, "111122223333");
    /// let proposal = Proposal::new().with_access_points(vec![ProposedAccessPoint::new(
    ///     "arn:aws:s3:us-east-1:111122223333:accesspoint/exchange")]);
    /// let ResourceConfig::S3Bucket(b) = proposal.apply(&bucket, None)? else {
    ///     return Err("not a bucket".into());
    /// };
    /// let bpa = b.public_access_block.ok_or("no settings")?;
    /// assert!(!bpa.restrict_public_buckets, "a new bucket's settings are off");
    /// let ap = &b.access_points.ok_or("no access points")?[0];
    /// assert!(ap.public_access_block.is_some_and(|s| s.restrict_public_buckets), "a new access point's are on");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Input`] when a part does not apply to the resource type (a policy does not
    /// apply to the snapshot types), the proposal deletes a role trust policy or a KMS key policy, an access point ARN is not one, is given twice or
    /// belongs to another bucket owner, `current` is of another resource or could not be read;
    /// [`ErrorKind::Limit`] above [`MAX_PROPOSED_ACL_GRANTS`], [`MAX_PROPOSED_KMS_GRANTS`] or
    /// [`MAX_NEW_ACCESS_POINTS`].
    pub fn apply(
        &self,
        resource: &Resource,
        current: Option<&ResourceConfig>,
    ) -> Result<ResourceConfig, Error> {
        let t = resource.resource_type;
        let wrong = |part: &str, types: &str| {
            Err(Error::new(
                ErrorKind::Input,
                format!(
                    "a proposed {part} applies to {types} only, not to {}",
                    quote(t.as_str())
                ),
            ))
        };
        if t != ResourceType::S3Bucket {
            if self.acl.is_some() {
                return wrong("bucket ACL", "S3 buckets");
            }
            if self.public_access_block.is_some() {
                return wrong("Block Public Access setting", "S3 buckets");
            }
            if self.access_points.is_some() {
                return wrong("access point list", "S3 buckets");
            }
        }
        if t != ResourceType::KmsKey && self.grants.is_some() {
            return wrong("grant list", "KMS keys");
        }
        if t != ResourceType::LambdaFunction && self.function_urls.is_some() {
            return wrong("function URL list", "Lambda functions");
        }
        let snapshot = snapshot::share_call(t);
        if snapshot.is_none() && (self.shared_accounts.is_some() || self.shared_publicly.is_some())
        {
            return wrong("snapshot sharing", "EBS and RDS snapshots");
        }
        if snapshot.is_none()
            && t != ResourceType::SecretsManagerSecret
            && self.kms_key_id.is_some()
        {
            return wrong(
                "KMS key id",
                "Secrets Manager secrets and EBS and RDS snapshots",
            );
        }
        if let (Some(call), false) = (snapshot, self.policy == ProposedPolicy::Keep) {
            return Err(Error::new(
                ErrorKind::Input,
                format!(
                    "a proposed policy does not apply to {}: these resources have no resource policy, they are shared through {}; propose the sharing instead",
                    quote(t.as_str()),
                    quote(call)
                ),
            ));
        }
        if self.policy == ProposedPolicy::Delete {
            deletion_allowed(t)?;
        }
        if let Some(acl) = &self.acl {
            limit(
                acl.grants.len(),
                MAX_PROPOSED_ACL_GRANTS,
                "ACL grants for a bucket",
            )?;
        }
        if let Some(grants) = &self.grants {
            limit(
                grants.len(),
                MAX_PROPOSED_KMS_GRANTS,
                "grants for a KMS key",
            )?;
        }
        let current = match current {
            None => None,
            Some(ResourceConfig::Invalid(i)) => {
                return Err(Error::new(
                    ErrorKind::Input,
                    format!(
                        "the current configuration of {} could not be read, so a proposal cannot keep parts of it: {}",
                        quote(&i.resource.arn),
                        i.error.message()
                    ),
                ))
            }
            Some(c) => {
                same_resource(c.resource(), resource)?;
                Some(complete(c)?)
            }
        };
        let policy = |existing: Option<&Option<Policy>>, default: Option<Policy>| match &self.policy
        {
            ProposedPolicy::Keep => match existing {
                Some(p) => p.clone(),
                None => default,
            },
            ProposedPolicy::Delete => None,
            ProposedPolicy::Set(p) => Some(p.clone()),
        };
        let arn = resource.arn.as_str();
        let owner = resource.owner_account.as_str();
        Ok(match t {
            ResourceType::S3Bucket => {
                let base = match current {
                    Some(ResourceConfig::S3Bucket(b)) => Some(b),
                    _ => None,
                };
                let mut b = match &base {
                    Some(b) => b.clone(),
                    None => {
                        let mut b = S3Bucket::new(arn, owner)
                            .with_public_access_block(PublicAccessBlock::none())
                            .with_access_points(Vec::new());
                        b.acl = None;
                        b
                    }
                };
                b.policy = policy(base.as_ref().map(|b| &b.policy), None);
                if let Some(acl) = &self.acl {
                    b.acl = Some(acl.clone());
                }
                if let Some(bpa) = self.public_access_block {
                    b.public_access_block = Some(bpa);
                }
                if let Some(list) = &self.access_points {
                    b.access_points = Some(access_points(
                        list,
                        b.access_points.as_deref().unwrap_or_default(),
                        owner,
                    )?);
                }
                ResourceConfig::S3Bucket(b)
            }
            ResourceType::KmsKey => {
                let base = match current {
                    Some(ResourceConfig::KmsKey(k)) => Some(k),
                    _ => None,
                };
                let mut k = match &base {
                    Some(k) => k.clone(),
                    None => KmsKey::new(arn, owner),
                };
                let default = match &base {
                    Some(_) => None,
                    None => Some(default_key_policy(resource)?),
                };
                k.policy = policy(base.as_ref().map(|k| &k.policy), default);
                if let Some(g) = &self.grants {
                    k.grants.clone_from(g);
                }
                ResourceConfig::KmsKey(k)
            }
            ResourceType::LambdaFunction => {
                let base = match current {
                    Some(ResourceConfig::LambdaFunction(f)) => Some(f),
                    _ => None,
                };
                let mut f = match &base {
                    Some(f) => f.clone(),
                    None => LambdaFunction::new(arn, owner),
                };
                f.policy = policy(base.as_ref().map(|f| &f.policy), None);
                if let Some(u) = &self.function_urls {
                    f.urls.clone_from(u);
                }
                ResourceConfig::LambdaFunction(f)
            }
            ResourceType::SecretsManagerSecret => {
                let base = match current {
                    Some(ResourceConfig::SecretsManagerSecret(s)) => Some(s),
                    _ => None,
                };
                let mut s = match &base {
                    Some(s) => s.clone(),
                    None => SecretsManagerSecret::new(arn, owner),
                };
                s.policy = policy(base.as_ref().map(|s| &s.policy), None);
                // AWS, `SecretsManagerSecretConfiguration`: a new secret without a key, or any
                // secret with an empty key id, uses the AWS managed key `aws/secretsmanager`.
                match self.kms_key_id.as_deref() {
                    Some("") => s.kms_key_id = Some(AWS_MANAGED_SECRET_KEY.to_string()),
                    Some(k) => s.kms_key_id = Some(k.to_string()),
                    None if base.is_none() => {
                        s.kms_key_id = Some(AWS_MANAGED_SECRET_KEY.to_string());
                    }
                    None => {}
                }
                ResourceConfig::SecretsManagerSecret(s)
            }
            ResourceType::Ec2Snapshot => {
                let base = match current {
                    Some(ResourceConfig::EbsSnapshot(s)) => Some(s),
                    _ => None,
                };
                let mut s = match base {
                    Some(s) => s,
                    None => EbsSnapshot::new(arn, owner).with_encrypted(false),
                };
                s.create_volume_permissions = self.shares(&s.create_volume_permissions, t);
                if self.kms_key_id.as_deref().is_some_and(|k| !k.is_empty()) {
                    s.encrypted = Some(true);
                }
                ResourceConfig::EbsSnapshot(s)
            }
            ResourceType::RdsDbSnapshot | ResourceType::RdsDbClusterSnapshot => {
                let base = match current {
                    Some(ResourceConfig::RdsSnapshot(s)) => Some(s),
                    _ => None,
                };
                let mut s = match base {
                    Some(s) => s,
                    None if t == ResourceType::RdsDbClusterSnapshot => {
                        RdsSnapshot::cluster(arn, owner).with_encrypted(false)
                    }
                    None => RdsSnapshot::db(arn, owner).with_encrypted(false),
                };
                s.restore = self.shares(&s.restore, t);
                if self.kms_key_id.as_deref().is_some_and(|k| !k.is_empty()) {
                    s.encrypted = Some(true);
                }
                ResourceConfig::RdsSnapshot(s)
            }
            _ => {
                let base = match current {
                    Some(ResourceConfig::Policy(p)) => Some(p),
                    _ => None,
                };
                let existing = base.as_ref().map(|p| &p.policy);
                let r = base
                    .as_ref()
                    .map_or_else(|| resource.clone(), |p| p.resource.clone());
                ResourceConfig::Policy(PolicyResource::new(r, policy(existing, None)))
            }
        })
    }
}

/// The AWS managed key of Secrets Manager, which a new secret gets.
const AWS_MANAGED_SECRET_KEY: &str = "alias/aws/secretsmanager";

impl Proposal {
    /// A snapshot's sharing attribute with the proposed accounts and `all` in place of its own
    /// (AWS, `EbsSnapshotConfiguration` and `RdsDbSnapshotAttributeValue`: an omitted list keeps
    /// the existing one, an empty list removes it; EBS `userIds` and `groups` are apart, RDS
    /// `accountIds` holds `all` too). Unchanged when nothing is proposed.
    fn shares(&self, existing: &[SnapshotShare], t: ResourceType) -> Vec<SnapshotShare> {
        if self.shared_accounts.is_none() && self.shared_publicly.is_none() {
            return existing.to_vec();
        }
        let mut out: Vec<SnapshotShare> = match &self.shared_accounts {
            Some(list) => list.iter().cloned().map(SnapshotShare::Account).collect(),
            None => existing
                .iter()
                .filter(|s| matches!(s, SnapshotShare::Account(_)))
                .cloned()
                .collect(),
        };
        let public = match self.shared_publicly {
            Some(p) => p,
            None if t != ResourceType::Ec2Snapshot && self.shared_accounts.is_some() => false,
            None => existing.contains(&SnapshotShare::All),
        };
        if public {
            out.push(SnapshotShare::All);
        }
        out
    }
}

fn limit(n: usize, max: usize, what: &str) -> Result<(), Error> {
    if n > max {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("the proposal gives {n} {what}; Access Analyzer previews at most {max}"),
        ));
    }
    Ok(())
}

/// AWS refuses to delete a role's trust policy or a key's key policy.
pub(super) fn deletion_allowed(t: ResourceType) -> Result<(), Error> {
    match t {
        ResourceType::IamRole => Err(Error::new(
            ErrorKind::Input,
            "a role's trust policy cannot be deleted; propose a policy instead",
        )),
        ResourceType::KmsKey => Err(Error::new(
            ErrorKind::Input,
            "a KMS key policy cannot be deleted; propose a policy instead",
        )),
        _ => Ok(()),
    }
}

pub(super) fn same_resource(a: &Resource, b: &Resource) -> Result<(), Error> {
    if a.arn != b.arn || a.resource_type != b.resource_type {
        return Err(Error::new(
            ErrorKind::Input,
            format!(
                "the current configuration is of {} ({}), not of {} ({})",
                quote(&a.arn),
                a.resource_type.as_str(),
                quote(&b.arn),
                b.resource_type.as_str()
            ),
        ));
    }
    Ok(())
}

/// A configuration with the type's own variant: an S3 bucket, KMS key, Lambda function or
/// Secrets Manager secret given as a policy resource becomes one with nothing else configured (as
/// `analyze_resource` reads it), a snapshot one shared with no one, its encryption not known.
///
/// # Errors
/// [`ErrorKind::Input`] for a snapshot given as a policy resource with a policy, which snapshots
/// do not have.
fn complete(config: &ResourceConfig) -> Result<ResourceConfig, Error> {
    if let ResourceConfig::Policy(p) = config {
        let r = &p.resource;
        let t = r.resource_type;
        if let (Some(_), Some(_)) = (snapshot::share_call(t), &p.policy) {
            return Err(Error::new(
                ErrorKind::Input,
                format!(
                    "the current configuration of {} gives a policy, but {} resources have no resource policy",
                    quote(&r.arn),
                    quote(t.as_str())
                ),
            ));
        }
        match t {
            ResourceType::SecretsManagerSecret => {
                let mut s = SecretsManagerSecret::new(&r.arn, &r.owner_account);
                s.policy.clone_from(&p.policy);
                return Ok(ResourceConfig::SecretsManagerSecret(s));
            }
            ResourceType::Ec2Snapshot => {
                return Ok(ResourceConfig::EbsSnapshot(EbsSnapshot::new(
                    &r.arn,
                    &r.owner_account,
                )))
            }
            ResourceType::RdsDbSnapshot => {
                return Ok(ResourceConfig::RdsSnapshot(RdsSnapshot::db(
                    &r.arn,
                    &r.owner_account,
                )))
            }
            ResourceType::RdsDbClusterSnapshot => {
                return Ok(ResourceConfig::RdsSnapshot(RdsSnapshot::cluster(
                    &r.arn,
                    &r.owner_account,
                )))
            }
            _ => {}
        }
    }
    Ok(match config {
        ResourceConfig::Policy(p) => match p.resource.resource_type {
            ResourceType::S3Bucket => {
                let mut b = S3Bucket::new(&p.resource.arn, &p.resource.owner_account);
                b.policy.clone_from(&p.policy);
                ResourceConfig::S3Bucket(b)
            }
            ResourceType::KmsKey => {
                let mut k = KmsKey::new(&p.resource.arn, &p.resource.owner_account);
                k.policy.clone_from(&p.policy);
                ResourceConfig::KmsKey(k)
            }
            ResourceType::LambdaFunction => {
                let mut f = LambdaFunction::new(&p.resource.arn, &p.resource.owner_account);
                f.policy.clone_from(&p.policy);
                ResourceConfig::LambdaFunction(f)
            }
            _ => config.clone(),
        },
        other => other.clone(),
    })
}

/// The proposed access points, with the defaults of AWS's `S3AccessPointConfiguration`: a
/// setting omitted keeps the existing access point's, or for a new one is no policy, `Internet`,
/// Block Public Access on.
fn access_points(
    proposed: &[ProposedAccessPoint],
    existing: &[AccessPoint],
    owner: &str,
) -> Result<Vec<AccessPoint>, Error> {
    let mut out: Vec<AccessPoint> = Vec::with_capacity(proposed.len());
    let mut new = 0usize;
    for p in proposed {
        let ap = AccessPoint::new(&p.arn);
        if ap.name.is_empty() || ap.account.is_empty() || !p.arn.starts_with("arn:") {
            return Err(Error::new(
                ErrorKind::Input,
                format!(
                    "{} is not an access point ARN (`arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME`)",
                    quote(&p.arn)
                ),
            ));
        }
        if ap.account != owner {
            return Err(Error::new(
                ErrorKind::Input,
                format!(
                    "access point {} belongs to account {}, not to the bucket owner {}; a preview proposes the owner's access points",
                    quote(&p.arn),
                    quote(&ap.account),
                    quote(owner)
                ),
            ));
        }
        if out.iter().any(|o| o.arn == p.arn) {
            return Err(Error::new(
                ErrorKind::Input,
                format!("the proposal gives access point {} twice", quote(&p.arn)),
            ));
        }
        let before = existing.iter().find(|e| e.arn == p.arn);
        let mut ap = match before {
            Some(e) => e.clone(),
            None => {
                new += 1;
                let mut ap = ap;
                ap.public_access_block = Some(PublicAccessBlock::all());
                ap
            }
        };
        match &p.policy {
            ProposedPolicy::Keep => {}
            ProposedPolicy::Delete => ap.policy = None,
            ProposedPolicy::Set(policy) => ap.policy = Some(policy.clone()),
        }
        if let Some(o) = &p.network_origin {
            ap.network_origin = o.clone();
        }
        if let Some(b) = p.public_access_block {
            ap.public_access_block = Some(b);
        }
        out.push(ap);
    }
    limit(new, MAX_NEW_ACCESS_POINTS, "new access points for a bucket")?;
    Ok(out)
}

/// The default key policy KMS gives a key created without one: the account's principals may use
/// the key as their IAM policies allow.
///
/// AWS: "Default key policy" in the AWS KMS Developer Guide
/// (<https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html>), section
/// "Allows access to the AWS account and enables IAM policies".
///
/// ```
/// use perimeter::analyze::{Resource, ResourceType};
/// use perimeter::findings::default_key_policy;
///
/// let key = Resource::new("arn:aws:kms:us-east-1:111122223333:key/k", ResourceType::KmsKey, "111122223333");
/// let policy = default_key_policy(&key)?;
/// assert!(policy.to_json().contains("arn:aws:iam::111122223333:root"));
/// # Ok::<(), perimeter::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Input`] when the owner is not a 12-digit account id.
pub fn default_key_policy(key: &Resource) -> Result<Policy, Error> {
    let account = &key.owner_account;
    if !crate::arn::is_account_id(account) {
        return Err(Error::new(
            ErrorKind::Input,
            format!(
                "the key owner {} is not a 12-digit account id",
                quote(account)
            ),
        ));
    }
    let partition = super::arn_partition(&key.arn);
    let root = format!("arn:{partition}:iam::{account}:root");
    let text = serde_json::json!({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": "kms:*",
            "Resource": "*"
        }]
    })
    .to_string();
    Policy::parse(&text)
}
