//! What a resource's configuration says about access: the bucket policy, ACL and Block Public
//! Access settings of an S3 bucket with its access points, the key policy and grants of a KMS
//! key, a Lambda function's policy and URLs, a secret's policy and KMS key, the sharing attribute
//! and encryption of EBS and RDS snapshots, and the policy of every other policy-based type.
//!
//! [`analyze_resource`](super::analyze_resource) turns a [`ResourceConfig`] into findings. The rules each type follows are
//! in `perimeter::manual::analysis`.

use super::finding::Finding;
use super::{Resource, ResourceType};
use crate::error::Error;
use crate::policy::Policy;
use std::collections::BTreeMap;

/// The configuration of one resource, as far as external access is concerned.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ResourceConfig {
    /// An S3 general purpose bucket.
    S3Bucket(S3Bucket),
    /// A KMS key.
    KmsKey(KmsKey),
    /// A Lambda function.
    LambdaFunction(LambdaFunction),
    /// A Secrets Manager secret, with its KMS key.
    SecretsManagerSecret(SecretsManagerSecret),
    /// An EBS volume snapshot.
    EbsSnapshot(EbsSnapshot),
    /// An RDS DB snapshot or DB cluster snapshot.
    RdsSnapshot(RdsSnapshot),
    /// A resource whose only access control is its resource policy: an SQS queue, an IAM role
    /// (its trust policy), an SNS topic, an ECR repository, an EFS file system, a DynamoDB table
    /// or stream, an S3 directory bucket, a Lambda layer version. An S3 bucket, KMS key, Lambda
    /// function or Secrets Manager secret given this way is analysed as one with nothing else
    /// configured. An EBS or RDS snapshot has no policy: given this way without one it has no
    /// findings, with one it gets an error finding.
    Policy(PolicyResource),
    /// A resource whose configuration could not be read: it gets an error finding.
    Invalid(InvalidResource),
}

impl ResourceConfig {
    /// The resource (ARN, type, owner).
    pub fn resource(&self) -> &Resource {
        match self {
            ResourceConfig::S3Bucket(b) => &b.resource,
            ResourceConfig::KmsKey(k) => &k.resource,
            ResourceConfig::LambdaFunction(f) => &f.resource,
            ResourceConfig::SecretsManagerSecret(s) => &s.resource,
            ResourceConfig::EbsSnapshot(s) => &s.resource,
            ResourceConfig::RdsSnapshot(s) => &s.resource,
            ResourceConfig::Policy(p) => &p.resource,
            ResourceConfig::Invalid(i) => &i.resource,
        }
    }
}

/// S3 Block Public Access settings (`PublicAccessBlockConfiguration`) of an account, a bucket or
/// an access point. A missing configuration is all `false`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PublicAccessBlock {
    /// `BlockPublicAcls`: rejects new public ACLs; does not change access (not used by the
    /// analysis).
    pub block_public_acls: bool,
    /// `IgnorePublicAcls`: grants of the bucket ACL to `AllUsers` and `AuthenticatedUsers` are
    /// ignored.
    pub ignore_public_acls: bool,
    /// `BlockPublicPolicy`: rejects new public policies; does not change access (not used by
    /// the analysis).
    pub block_public_policy: bool,
    /// `RestrictPublicBuckets`: a bucket or access point whose policy is public is reachable only
    /// by AWS service principals and the owner's account.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four settings on.
    pub fn all() -> PublicAccessBlock {
        PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }
    }

    /// None of the settings on (the same as [`Default`]).
    pub fn none() -> PublicAccessBlock {
        PublicAccessBlock::default()
    }

    /// These settings with `IgnorePublicAcls` set to `on`.
    pub fn with_ignore_public_acls(mut self, on: bool) -> PublicAccessBlock {
        self.ignore_public_acls = on;
        self
    }

    /// These settings with `RestrictPublicBuckets` set to `on`.
    pub fn with_restrict_public_buckets(mut self, on: bool) -> PublicAccessBlock {
        self.restrict_public_buckets = on;
        self
    }
}

/// An S3 general purpose bucket: its policy, ACL, Block Public Access settings (its own and its
/// account's) and access points.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct S3Bucket {
    /// The bucket (`arn:aws:s3:::name`), its type and owner.
    pub resource: Resource,
    /// The bucket policy (`s3api get-bucket-policy`); `None` when the bucket has none.
    pub policy: Option<Policy>,
    /// The bucket ACL (`s3api get-bucket-acl`); `None` when not known (no ACL findings).
    pub acl: Option<BucketAcl>,
    /// The bucket's Block Public Access settings (`s3api get-public-access-block`).
    pub public_access_block: Option<PublicAccessBlock>,
    /// The owner account's Block Public Access settings (`s3control get-public-access-block`).
    pub account_public_access_block: Option<PublicAccessBlock>,
    /// The bucket's access points in the owner's account (`s3control list-access-points`,
    /// `get-access-point`, `get-access-point-policy`). `None` when not known: requests through
    /// an access point of the owner's account are then analysed with the bucket policy alone.
    /// `Some` is the full list: only these access points exist.
    pub access_points: Option<Vec<AccessPoint>>,
}

impl S3Bucket {
    /// A bucket with nothing configured.
    pub fn new(arn: &str, owner_account: &str) -> S3Bucket {
        S3Bucket {
            resource: Resource::new(arn, ResourceType::S3Bucket, owner_account),
            policy: None,
            acl: None,
            public_access_block: None,
            account_public_access_block: None,
            access_points: None,
        }
    }

    /// The bucket with this policy.
    pub fn with_policy(mut self, policy: Policy) -> S3Bucket {
        self.policy = Some(policy);
        self
    }

    /// The bucket with this ACL.
    pub fn with_acl(mut self, acl: BucketAcl) -> S3Bucket {
        self.acl = Some(acl);
        self
    }

    /// The bucket with these Block Public Access settings.
    pub fn with_public_access_block(mut self, settings: PublicAccessBlock) -> S3Bucket {
        self.public_access_block = Some(settings);
        self
    }

    /// The bucket with these account-level Block Public Access settings.
    pub fn with_account_public_access_block(mut self, settings: PublicAccessBlock) -> S3Bucket {
        self.account_public_access_block = Some(settings);
        self
    }

    /// The bucket with exactly these access points.
    pub fn with_access_points(mut self, access_points: Vec<AccessPoint>) -> S3Bucket {
        self.access_points = Some(access_points);
        self
    }
}

/// A bucket ACL (`s3api get-bucket-acl`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BucketAcl {
    /// The canonical user id of the bucket owner (`Owner.ID`); grants to it are not external.
    pub owner_id: Option<String>,
    /// The grants, in order.
    pub grants: Vec<AclGrant>,
}

impl BucketAcl {
    /// An ACL with this owner and these grants.
    pub fn new(owner_id: Option<&str>, grants: Vec<AclGrant>) -> BucketAcl {
        BucketAcl {
            owner_id: owner_id.map(str::to_string),
            grants,
        }
    }
}

/// One grant of an ACL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AclGrant {
    /// Who is granted.
    pub grantee: AclGrantee,
    /// What is granted.
    pub permission: AclPermission,
}

impl AclGrant {
    /// A grant.
    pub fn new(grantee: AclGrantee, permission: AclPermission) -> AclGrant {
        AclGrant {
            grantee,
            permission,
        }
    }
}

/// The grantee of an ACL grant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AclGrantee {
    /// An account, by its canonical user id (`Type: CanonicalUser`).
    CanonicalUser(String),
    /// A predefined group, by URI (`Type: Group`), such as [`AclGrantee::ALL_USERS`].
    Group(String),
    /// An account by email address (`Type: AmazonCustomerByEmail`).
    Email(String),
}

impl AclGrantee {
    /// The `AllUsers` group: anyone, signed or not.
    pub const ALL_USERS: &'static str = "http://acs.amazonaws.com/groups/global/AllUsers";
    /// The `AuthenticatedUsers` group: any AWS account.
    pub const AUTHENTICATED_USERS: &'static str =
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    /// The `LogDelivery` group: the S3 server access logging service.
    pub const LOG_DELIVERY: &'static str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

    /// The `AllUsers` group.
    pub fn all_users() -> AclGrantee {
        AclGrantee::Group(AclGrantee::ALL_USERS.to_string())
    }

    /// The `AuthenticatedUsers` group.
    pub fn authenticated_users() -> AclGrantee {
        AclGrantee::Group(AclGrantee::AUTHENTICATED_USERS.to_string())
    }
}

/// An ACL permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AclPermission {
    /// `READ`
    Read,
    /// `WRITE`
    Write,
    /// `READ_ACP`
    ReadAcp,
    /// `WRITE_ACP`
    WriteAcp,
    /// `FULL_CONTROL`
    FullControl,
}

impl AclPermission {
    /// Parse `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP` or `FULL_CONTROL`.
    pub fn parse(s: &str) -> Option<AclPermission> {
        Some(match s {
            "READ" => AclPermission::Read,
            "WRITE" => AclPermission::Write,
            "READ_ACP" => AclPermission::ReadAcp,
            "WRITE_ACP" => AclPermission::WriteAcp,
            "FULL_CONTROL" => AclPermission::FullControl,
            _ => return None,
        })
    }

    /// The permission as AWS writes it.
    pub fn as_str(&self) -> &'static str {
        match self {
            AclPermission::Read => "READ",
            AclPermission::Write => "WRITE",
            AclPermission::ReadAcp => "READ_ACP",
            AclPermission::WriteAcp => "WRITE_ACP",
            AclPermission::FullControl => "FULL_CONTROL",
        }
    }

    /// The policy actions the permission grants on a bucket (S3 User Guide, "Access control list
    /// (ACL) overview", section "Mapping of ACL permissions and access policy permissions").
    /// `WRITE` lets the grantee create, overwrite and delete objects.
    pub fn bucket_actions(&self) -> &'static [&'static str] {
        match self {
            AclPermission::Read => &[
                "s3:ListBucket",
                "s3:ListBucketMultipartUploads",
                "s3:ListBucketVersions",
            ],
            AclPermission::Write => &["s3:DeleteObject", "s3:PutObject"],
            AclPermission::ReadAcp => &["s3:GetBucketAcl"],
            AclPermission::WriteAcp => &["s3:PutBucketAcl"],
            AclPermission::FullControl => &[
                "s3:DeleteObject",
                "s3:GetBucketAcl",
                "s3:ListBucket",
                "s3:ListBucketMultipartUploads",
                "s3:ListBucketVersions",
                "s3:PutBucketAcl",
                "s3:PutObject",
            ],
        }
    }
}

/// Where an access point accepts requests from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NetworkOrigin {
    /// Anywhere (`NetworkOrigin: Internet`).
    Internet,
    /// Only this VPC (`NetworkOrigin: VPC`, `VpcConfiguration.VpcId`).
    Vpc(String),
}

/// An S3 access point of the bucket owner's account.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AccessPoint {
    /// The name.
    pub name: String,
    /// The ARN (`arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME`).
    pub arn: String,
    /// The account that owns the access point.
    pub account: String,
    /// The access point policy (`s3control get-access-point-policy`); `None` when it has none
    /// (then it grants nothing to other accounts).
    pub policy: Option<Policy>,
    /// Where requests may come from.
    pub network_origin: NetworkOrigin,
    /// The access point's own Block Public Access settings.
    pub public_access_block: Option<PublicAccessBlock>,
}

impl AccessPoint {
    /// An access point reachable from the internet, without a policy, named by its ARN.
    pub fn new(arn: &str) -> AccessPoint {
        let account = arn.split(':').nth(4).unwrap_or("").to_string();
        let name = arn
            .split_once(":accesspoint/")
            .map(|(_, n)| n.to_string())
            .unwrap_or_default();
        AccessPoint {
            name,
            arn: arn.to_string(),
            account,
            policy: None,
            network_origin: NetworkOrigin::Internet,
            public_access_block: None,
        }
    }

    /// The access point with this policy.
    pub fn with_policy(mut self, policy: Policy) -> AccessPoint {
        self.policy = Some(policy);
        self
    }

    /// The access point reachable only from this VPC.
    pub fn with_vpc(mut self, vpc_id: &str) -> AccessPoint {
        self.network_origin = NetworkOrigin::Vpc(vpc_id.to_string());
        self
    }

    /// The access point with these Block Public Access settings.
    pub fn with_public_access_block(mut self, settings: PublicAccessBlock) -> AccessPoint {
        self.public_access_block = Some(settings);
        self
    }
}

/// A KMS key: its key policy and grants.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct KmsKey {
    /// The key (`arn:aws:kms:REGION:ACCOUNT:key/ID`), its type and owner.
    pub resource: Resource,
    /// The key policy (`kms get-key-policy`, policy name `default`).
    pub policy: Option<Policy>,
    /// The grants (`kms list-grants`).
    pub grants: Vec<KmsGrant>,
}

impl KmsKey {
    /// A key with nothing configured.
    pub fn new(arn: &str, owner_account: &str) -> KmsKey {
        KmsKey {
            resource: Resource::new(arn, ResourceType::KmsKey, owner_account),
            policy: None,
            grants: Vec::new(),
        }
    }

    /// The key with this key policy.
    pub fn with_policy(mut self, policy: Policy) -> KmsKey {
        self.policy = Some(policy);
        self
    }

    /// The key with these grants.
    pub fn with_grants(mut self, grants: Vec<KmsGrant>) -> KmsKey {
        self.grants = grants;
        self
    }
}

/// A KMS grant (an entry of `kms list-grants`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KmsGrant {
    /// `GrantId`.
    pub grant_id: String,
    /// `Name`, if any.
    pub name: Option<String>,
    /// `GranteePrincipal`: an account, an IAM ARN or a service principal.
    pub grantee_principal: Option<String>,
    /// `RetiringPrincipal`, if any.
    pub retiring_principal: Option<String>,
    /// `Operations` as AWS writes them (`Decrypt`, `GenerateDataKey`, …).
    pub operations: Vec<String>,
    /// `Constraints.EncryptionContextEquals`.
    pub encryption_context_equals: BTreeMap<String, String>,
    /// `Constraints.EncryptionContextSubset`.
    pub encryption_context_subset: BTreeMap<String, String>,
}

impl KmsGrant {
    /// A grant of these operations to a grantee.
    pub fn new(grant_id: &str, grantee_principal: &str, operations: &[&str]) -> KmsGrant {
        KmsGrant {
            grant_id: grant_id.to_string(),
            grantee_principal: Some(grantee_principal.to_string()),
            operations: operations.iter().map(|o| o.to_string()).collect(),
            ..KmsGrant::default()
        }
    }

    /// The grant with a retiring principal.
    pub fn with_retiring_principal(mut self, principal: &str) -> KmsGrant {
        self.retiring_principal = Some(principal.to_string());
        self
    }

    /// The grant with an `EncryptionContextSubset` constraint entry.
    pub fn with_context_subset(mut self, key: &str, value: &str) -> KmsGrant {
        self.encryption_context_subset
            .insert(key.to_string(), value.to_string());
        self
    }

    /// The grant with an `EncryptionContextEquals` constraint entry.
    pub fn with_context_equals(mut self, key: &str, value: &str) -> KmsGrant {
        self.encryption_context_equals
            .insert(key.to_string(), value.to_string());
        self
    }
}

/// A Lambda function: its policy and function URLs.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LambdaFunction {
    /// The function (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`), its type and owner.
    pub resource: Resource,
    /// The function policy (`lambda get-policy`).
    pub policy: Option<Policy>,
    /// The function URLs (`lambda get-function-url-config` or `list-function-url-configs`).
    /// When empty, `lambda:InvokeFunctionUrl` is analysed with `lambda:FunctionUrlAuthType`
    /// free.
    pub urls: Vec<FunctionUrl>,
}

impl LambdaFunction {
    /// A function with nothing configured.
    pub fn new(arn: &str, owner_account: &str) -> LambdaFunction {
        LambdaFunction {
            resource: Resource::new(arn, ResourceType::LambdaFunction, owner_account),
            policy: None,
            urls: Vec::new(),
        }
    }

    /// The function with this policy.
    pub fn with_policy(mut self, policy: Policy) -> LambdaFunction {
        self.policy = Some(policy);
        self
    }

    /// The function with a URL.
    pub fn with_url(mut self, url: FunctionUrl) -> LambdaFunction {
        self.urls.push(url);
        self
    }
}

/// How a function URL authenticates callers (`AuthType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FunctionUrlAuthType {
    /// `NONE`: no authentication; the function policy decides alone.
    None,
    /// `AWS_IAM`: callers sign with IAM credentials.
    AwsIam,
}

impl FunctionUrlAuthType {
    /// `NONE` or `AWS_IAM`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FunctionUrlAuthType::None => "NONE",
            FunctionUrlAuthType::AwsIam => "AWS_IAM",
        }
    }

    /// Parse `NONE` or `AWS_IAM`.
    pub fn parse(s: &str) -> Option<FunctionUrlAuthType> {
        match s {
            "NONE" => Some(FunctionUrlAuthType::None),
            "AWS_IAM" => Some(FunctionUrlAuthType::AwsIam),
            _ => None,
        }
    }
}

/// A function URL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FunctionUrl {
    /// `FunctionArn`: the function, or an alias (`…:function:NAME:ALIAS`); `None` for the
    /// function itself.
    pub function_arn: Option<String>,
    /// `AuthType`.
    pub auth_type: FunctionUrlAuthType,
}

impl FunctionUrl {
    /// A URL of the function itself.
    pub fn new(auth_type: FunctionUrlAuthType) -> FunctionUrl {
        FunctionUrl {
            function_arn: None,
            auth_type,
        }
    }

    /// The URL of an alias or of the function, by ARN.
    pub fn with_function_arn(mut self, arn: &str) -> FunctionUrl {
        self.function_arn = Some(arn.to_string());
        self
    }
}

/// A Secrets Manager secret: its resource policy and the KMS key that encrypts it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SecretsManagerSecret {
    /// The secret (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX`), its type and
    /// owner.
    pub resource: Resource,
    /// The secret policy (`secretsmanager get-resource-policy`); `None` when it has none.
    pub policy: Option<Policy>,
    /// The KMS key that encrypts the secret (`secretsmanager describe-secret`, `KmsKeyId`), as a
    /// key id, key ARN, alias or alias ARN; `alias/aws/secretsmanager` (or the empty string) for
    /// the AWS managed key. `None` when not known.
    pub kms_key_id: Option<String>,
}

impl SecretsManagerSecret {
    /// A secret with nothing configured.
    pub fn new(arn: &str, owner_account: &str) -> SecretsManagerSecret {
        SecretsManagerSecret {
            resource: Resource::new(arn, ResourceType::SecretsManagerSecret, owner_account),
            policy: None,
            kms_key_id: None,
        }
    }

    /// The secret with this policy.
    pub fn with_policy(mut self, policy: Policy) -> SecretsManagerSecret {
        self.policy = Some(policy);
        self
    }

    /// The secret encrypted with this KMS key (`alias/aws/secretsmanager` for the AWS managed
    /// key).
    pub fn with_kms_key_id(mut self, key: &str) -> SecretsManagerSecret {
        self.kms_key_id = Some(key.to_string());
        self
    }
}

/// Who a snapshot is shared with: one entry of an EBS snapshot's `createVolumePermission`
/// attribute or of an RDS snapshot's `restore` attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SnapshotShare {
    /// Every AWS account (the group or value `all`): public.
    All,
    /// One account, by id (a value that is not an account id is kept as written, and reported as
    /// it cannot be shown to be trusted).
    Account(String),
}

/// An EBS volume snapshot: who may create volumes from it, and whether it is encrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EbsSnapshot {
    /// The snapshot (`arn:aws:ec2:REGION:ACCOUNT:snapshot/snap-…`), its type and owner.
    pub resource: Resource,
    /// The `createVolumePermission` attribute (`ec2 describe-snapshot-attribute`): `Group`
    /// `all`, and `UserId` entries.
    pub create_volume_permissions: Vec<SnapshotShare>,
    /// Whether the snapshot is encrypted (`ec2 describe-snapshots`, `Encrypted`); `None` when not
    /// known.
    pub encrypted: Option<bool>,
}

impl EbsSnapshot {
    /// A snapshot shared with no one, encryption not known.
    pub fn new(arn: &str, owner_account: &str) -> EbsSnapshot {
        EbsSnapshot {
            resource: Resource::new(arn, ResourceType::Ec2Snapshot, owner_account),
            create_volume_permissions: Vec::new(),
            encrypted: None,
        }
    }

    /// The snapshot also shared this way.
    pub fn with_share(mut self, share: SnapshotShare) -> EbsSnapshot {
        self.create_volume_permissions.push(share);
        self
    }

    /// The snapshot, encrypted or not.
    pub fn with_encrypted(mut self, encrypted: bool) -> EbsSnapshot {
        self.encrypted = Some(encrypted);
        self
    }
}

/// An RDS DB snapshot or DB cluster snapshot: who may copy or restore it, and whether it is
/// encrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RdsSnapshot {
    /// The snapshot (`arn:aws:rds:REGION:ACCOUNT:snapshot:NAME` with type
    /// `AWS::RDS::DBSnapshot`, or `…:cluster-snapshot:NAME` with `AWS::RDS::DBClusterSnapshot`),
    /// and its owner.
    pub resource: Resource,
    /// The values of the manual snapshot's `restore` attribute
    /// (`rds describe-db-snapshot-attributes` or `describe-db-cluster-snapshot-attributes`).
    pub restore: Vec<SnapshotShare>,
    /// Whether the snapshot is encrypted (`Encrypted` of `rds describe-db-snapshots`,
    /// `StorageEncrypted` of `describe-db-cluster-snapshots`); `None` when not known.
    pub encrypted: Option<bool>,
}

impl RdsSnapshot {
    /// A DB snapshot shared with no one, encryption not known.
    pub fn db(arn: &str, owner_account: &str) -> RdsSnapshot {
        RdsSnapshot {
            resource: Resource::new(arn, ResourceType::RdsDbSnapshot, owner_account),
            restore: Vec::new(),
            encrypted: None,
        }
    }

    /// A DB cluster snapshot shared with no one, encryption not known.
    pub fn cluster(arn: &str, owner_account: &str) -> RdsSnapshot {
        RdsSnapshot {
            resource: Resource::new(arn, ResourceType::RdsDbClusterSnapshot, owner_account),
            restore: Vec::new(),
            encrypted: None,
        }
    }

    /// The snapshot also shared this way.
    pub fn with_share(mut self, share: SnapshotShare) -> RdsSnapshot {
        self.restore.push(share);
        self
    }

    /// The snapshot, encrypted or not.
    pub fn with_encrypted(mut self, encrypted: bool) -> RdsSnapshot {
        self.encrypted = Some(encrypted);
        self
    }
}

/// A resource analysed through its resource policy only.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PolicyResource {
    /// The resource.
    pub resource: Resource,
    /// Its policy (for a role, the trust policy); `None` when it has none.
    pub policy: Option<Policy>,
}

impl PolicyResource {
    /// A resource with this policy.
    pub fn new(resource: Resource, policy: Option<Policy>) -> PolicyResource {
        PolicyResource { resource, policy }
    }
}

/// A resource whose configuration could not be read.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct InvalidResource {
    /// The resource, as far as it was read.
    pub resource: Resource,
    /// What is wrong.
    pub error: Error,
}

impl InvalidResource {
    /// An unreadable resource.
    pub fn new(resource: Resource, error: Error) -> InvalidResource {
        InvalidResource { resource, error }
    }
}

/// The policies (or grants, or ACL) a finding's statements come from.
fn origins(f: &Finding) -> std::collections::BTreeSet<&str> {
    f.statements.iter().map(|s| s.policy.as_str()).collect()
}

/// Merge findings that differ only in their actions (they come from different analysis units of
/// one resource, such as a function's URL and its other actions): one finding per principal,
/// conditions, sources, publicness and granting policy, as Access Analyzer reports them.
pub(crate) fn merge(findings: &mut Vec<Finding>) {
    if findings.len() < 2 {
        return;
    }
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        let same = out.iter_mut().find(|g| {
            g.error.is_none()
                && f.error.is_none()
                && g.principal == f.principal
                && g.condition == f.condition
                && g.sources == f.sources
                && g.is_public == f.is_public
                && origins(g) == origins(&f)
        });
        match same {
            Some(g) => {
                if g.action == f.action {
                    continue;
                }
                g.action.extend(f.action);
                g.action.sort();
                g.action.dedup();
                for s in f.statements {
                    if !g.statements.contains(&s) {
                        g.statements.push(s);
                    }
                }
                if g.witness.is_none() && f.witness.is_some() {
                    g.witness = f.witness;
                    g.note = f.note;
                }
                g.id = g.compute_id();
            }
            None => out.push(f),
        }
    }
    super::sort_findings(&mut out);
    *findings = out;
}
