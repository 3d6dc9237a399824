//! Resource types: which actions a resource's policy can grant (from the service authorization
//! reference) and the ARNs those actions act on.

use super::{FindingSource, Unit};
use crate::policy::CompiledPolicy;
use crate::reason::lang::{Lang, Mask, Tok};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::OnceLock;

/// The resource types Access Analyzer analyses for external access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ResourceType {
    /// `AWS::S3::Bucket`
    #[serde(rename = "AWS::S3::Bucket")]
    S3Bucket,
    /// `AWS::KMS::Key`
    #[serde(rename = "AWS::KMS::Key")]
    KmsKey,
    /// `AWS::SQS::Queue`
    #[serde(rename = "AWS::SQS::Queue")]
    SqsQueue,
    /// `AWS::Lambda::Function`
    #[serde(rename = "AWS::Lambda::Function")]
    LambdaFunction,
    /// `AWS::IAM::Role`
    #[serde(rename = "AWS::IAM::Role")]
    IamRole,
    /// `AWS::SecretsManager::Secret`
    #[serde(rename = "AWS::SecretsManager::Secret")]
    SecretsManagerSecret,
    /// `AWS::SNS::Topic`
    #[serde(rename = "AWS::SNS::Topic")]
    SnsTopic,
    /// `AWS::ECR::Repository`
    #[serde(rename = "AWS::ECR::Repository")]
    EcrRepository,
    /// `AWS::EFS::FileSystem`
    #[serde(rename = "AWS::EFS::FileSystem")]
    EfsFileSystem,
    /// `AWS::DynamoDB::Table`
    #[serde(rename = "AWS::DynamoDB::Table")]
    DynamoDbTable,
    /// `AWS::DynamoDB::Stream`
    #[serde(rename = "AWS::DynamoDB::Stream")]
    DynamoDbStream,
    /// `AWS::S3Express::DirectoryBucket`
    #[serde(rename = "AWS::S3Express::DirectoryBucket")]
    S3ExpressDirectoryBucket,
    /// `AWS::Lambda::LayerVersion`
    #[serde(rename = "AWS::Lambda::LayerVersion")]
    LambdaLayerVersion,
    /// `AWS::EC2::Snapshot`
    #[serde(rename = "AWS::EC2::Snapshot")]
    Ec2Snapshot,
    /// `AWS::RDS::DBSnapshot`
    #[serde(rename = "AWS::RDS::DBSnapshot")]
    RdsDbSnapshot,
    /// `AWS::RDS::DBClusterSnapshot`
    #[serde(rename = "AWS::RDS::DBClusterSnapshot")]
    RdsDbClusterSnapshot,
}

/// How an action's resource relates to the analysed resource's ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The ARN itself.
    Exact,
    /// The ARN followed by this separator and more (S3 objects `/key`, Lambda qualifiers `:1`).
    Below(char),
    /// The ARN followed by this literal infix and more (DynamoDB indexes `/index/name`).
    BelowInfix(&'static str),
}

impl ResourceType {
    /// Every type.
    pub const ALL: &'static [ResourceType] = &[
        ResourceType::S3Bucket,
        ResourceType::KmsKey,
        ResourceType::SqsQueue,
        ResourceType::LambdaFunction,
        ResourceType::IamRole,
        ResourceType::SecretsManagerSecret,
        ResourceType::SnsTopic,
        ResourceType::EcrRepository,
        ResourceType::EfsFileSystem,
        ResourceType::DynamoDbTable,
        ResourceType::DynamoDbStream,
        ResourceType::S3ExpressDirectoryBucket,
        ResourceType::LambdaLayerVersion,
        ResourceType::Ec2Snapshot,
        ResourceType::RdsDbSnapshot,
        ResourceType::RdsDbClusterSnapshot,
    ];

    /// The CloudFormation-style name Access Analyzer uses.
    pub fn as_str(&self) -> &'static str {
        match self {
            ResourceType::S3Bucket => "AWS::S3::Bucket",
            ResourceType::KmsKey => "AWS::KMS::Key",
            ResourceType::SqsQueue => "AWS::SQS::Queue",
            ResourceType::LambdaFunction => "AWS::Lambda::Function",
            ResourceType::IamRole => "AWS::IAM::Role",
            ResourceType::SecretsManagerSecret => "AWS::SecretsManager::Secret",
            ResourceType::SnsTopic => "AWS::SNS::Topic",
            ResourceType::EcrRepository => "AWS::ECR::Repository",
            ResourceType::EfsFileSystem => "AWS::EFS::FileSystem",
            ResourceType::DynamoDbTable => "AWS::DynamoDB::Table",
            ResourceType::DynamoDbStream => "AWS::DynamoDB::Stream",
            ResourceType::S3ExpressDirectoryBucket => "AWS::S3Express::DirectoryBucket",
            ResourceType::LambdaLayerVersion => "AWS::Lambda::LayerVersion",
            ResourceType::Ec2Snapshot => "AWS::EC2::Snapshot",
            ResourceType::RdsDbSnapshot => "AWS::RDS::DBSnapshot",
            ResourceType::RdsDbClusterSnapshot => "AWS::RDS::DBClusterSnapshot",
        }
    }

    /// Parse a type name (exact spelling, or ignoring case).
    pub fn parse(s: &str) -> Option<ResourceType> {
        ResourceType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// The service prefix and the reference's resource types of the resource, with how each
    /// relates to the resource's ARN.
    fn layout(&self) -> (&'static str, &'static [(&'static str, Shape)]) {
        match self {
            ResourceType::S3Bucket => (
                "s3",
                &[("bucket", Shape::Exact), ("object", Shape::Below('/'))],
            ),
            ResourceType::KmsKey => ("kms", &[("key", Shape::Exact)]),
            ResourceType::SqsQueue => ("sqs", &[("queue", Shape::Exact)]),
            ResourceType::LambdaFunction => (
                "lambda",
                &[
                    ("function", Shape::Exact),
                    ("function alias", Shape::Below(':')),
                    ("function version", Shape::Below(':')),
                ],
            ),
            ResourceType::IamRole => ("sts", &[("role", Shape::Exact)]),
            ResourceType::SecretsManagerSecret => ("secretsmanager", &[("Secret", Shape::Exact)]),
            ResourceType::SnsTopic => ("sns", &[("topic", Shape::Exact)]),
            ResourceType::EcrRepository => ("ecr", &[("repository", Shape::Exact)]),
            ResourceType::EfsFileSystem => ("elasticfilesystem", &[("file-system", Shape::Exact)]),
            ResourceType::DynamoDbTable => (
                "dynamodb",
                &[
                    ("table", Shape::Exact),
                    ("index", Shape::BelowInfix("/index/")),
                ],
            ),
            ResourceType::DynamoDbStream => ("dynamodb", &[("stream", Shape::Exact)]),
            ResourceType::S3ExpressDirectoryBucket => ("s3express", &[("bucket", Shape::Exact)]),
            ResourceType::LambdaLayerVersion => ("lambda", &[("layerVersion", Shape::Exact)]),
            ResourceType::Ec2Snapshot => ("ec2", &[("snapshot", Shape::Exact)]),
            ResourceType::RdsDbSnapshot => ("rds", &[("snapshot", Shape::Exact)]),
            ResourceType::RdsDbClusterSnapshot => ("rds", &[("cluster-snapshot", Shape::Exact)]),
        }
    }

    /// The actions a policy on this type of resource can grant (canonical names, sorted): the
    /// service's actions that act on the resource's types in the service authorization reference.
    pub fn actions(&self) -> &'static [String] {
        &universe(*self).0
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) type Universe = (std::sync::Arc<[String]>, Vec<(Vec<usize>, Shape)>);

pub(crate) fn universe(t: ResourceType) -> &'static Universe {
    static CELLS: OnceLock<Vec<(ResourceType, OnceLock<Universe>)>> = OnceLock::new();
    let cells = CELLS.get_or_init(|| {
        ResourceType::ALL
            .iter()
            .map(|t| (*t, OnceLock::new()))
            .collect()
    });
    static EMPTY: OnceLock<Universe> = OnceLock::new();
    match cells.iter().find(|(x, _)| *x == t) {
        Some((_, cell)) => cell.get_or_init(|| build_universe(t)),
        None => EMPTY.get_or_init(|| (Vec::new().into(), Vec::new())),
    }
}

fn build_universe(t: ResourceType) -> Universe {
    let (service, layout) = t.layout();
    let catalog = crate::catalog::Catalog::embedded();
    let Some(svc) = catalog.service(service) else {
        return (Vec::new().into(), Vec::new());
    };
    let mut actions: Vec<(String, Vec<Shape>)> = Vec::new();
    for a in svc.actions() {
        let shapes: Vec<Shape> = a
            .resource_types()
            .filter_map(|r| {
                layout
                    .iter()
                    .find(|(name, _)| *name == r.name())
                    .map(|(_, s)| *s)
            })
            .collect();
        if !shapes.is_empty() {
            actions.push((a.full_name(), shapes));
        }
    }
    actions.sort_by(|a, b| a.0.cmp(&b.0));
    let names: std::sync::Arc<[String]> = actions.iter().map(|(n, _)| n.clone()).collect();
    let mut shapes: Vec<(Vec<usize>, Shape)> = Vec::new();
    for (_, s) in layout {
        let idx: Vec<usize> = actions
            .iter()
            .enumerate()
            .filter(|(_, (_, ss))| ss.contains(s))
            .map(|(i, _)| i)
            .collect();
        if !idx.is_empty() {
            match shapes.iter_mut().find(|(_, x)| x == s) {
                Some((v, _)) => v.extend(idx),
                None => shapes.push((idx, *s)),
            }
        }
    }
    (names, shapes)
}

/// A resource to analyse.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// The ARN.
    pub arn: String,
    /// The type.
    pub resource_type: ResourceType,
    /// The owner's account id.
    pub owner_account: String,
}

impl Resource {
    /// A resource.
    pub fn new(arn: &str, resource_type: ResourceType, owner_account: &str) -> Resource {
        Resource {
            arn: arn.to_string(),
            resource_type,
            owner_account: owner_account.to_string(),
        }
    }
}

pub(crate) fn shape_lang(arn: &str, s: Shape) -> Lang {
    // Gathered on the stack, then copied once into the language's shared slice (built per
    // analysis: a vector grown from the characters' size hint reallocated three or four times).
    let mut toks: smallvec::SmallVec<[Tok; 128]> = smallvec::SmallVec::new();
    toks.extend(arn.chars().map(Tok::Char));
    let below = [Tok::One(Mask::NONE), Tok::Run(Mask::NONE)];
    match s {
        Shape::Exact => {}
        Shape::Below(sep) => {
            toks.push(Tok::Char(sep));
            toks.extend(below);
        }
        Shape::BelowInfix(infix) => {
            toks.extend(infix.chars().map(Tok::Char));
            toks.extend(below);
        }
    }
    Lang::from(&toks[..])
}

/// Every action a policy on this resource can grant, with a resource ARN it acts on (the
/// resource itself, or a representative below it such as an object of a bucket).
pub(crate) fn action_arns(t: ResourceType, arn: &str) -> Vec<(String, String)> {
    let (actions, shapes) = universe(t);
    let mut out = Vec::new();
    for (idx, shape) in shapes {
        let target = match shape {
            Shape::Exact => arn.to_string(),
            Shape::Below(sep) => format!("{arn}{sep}perimeter-reach"),
            Shape::BelowInfix(infix) => format!("{arn}{infix}perimeter-reach"),
        };
        for i in idx {
            if let Some(a) = actions.get(*i) {
                out.push((a.clone(), target.clone()));
            }
        }
    }
    out
}

/// The analysis unit of a resource policy.
pub(crate) fn policy_units<'a>(
    policy: &'a CompiledPolicy,
    resource: &'a Resource,
) -> Vec<Unit<'a>> {
    let (actions, shapes) = universe(resource.resource_type);
    let shapes = shapes
        .iter()
        .map(|(idx, s)| (idx.clone(), shape_lang(&resource.arn, *s)))
        .collect();
    vec![Unit {
        source: FindingSource::of("POLICY"),
        policy,
        policy_name: "resource policy".into(),
        resource,
        actions: actions.clone(),
        shapes,
        constants: vec![
            (
                "aws:ResourceAccount".into(),
                Some(resource.owner_account.clone()),
            ),
            (
                "s3:ResourceAccount".into(),
                Some(resource.owner_account.clone()),
            ),
        ],
        also: Vec::new(),
        require: None,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn universes_come_from_the_reference() {
        let s3 = ResourceType::S3Bucket.actions();
        assert!(s3.iter().any(|a| a == "s3:GetObject"));
        assert!(s3.iter().any(|a| a == "s3:ListBucket"));
        assert!(!s3.iter().any(|a| a == "s3:ListAllMyBuckets"));
        let role = ResourceType::IamRole.actions();
        assert!(role.iter().any(|a| a == "sts:AssumeRole"));
        assert!(role.iter().any(|a| a == "sts:AssumeRoleWithWebIdentity"));
        assert!(!role.iter().any(|a| a == "sts:GetCallerIdentity"));
        assert!(ResourceType::KmsKey
            .actions()
            .iter()
            .any(|a| a == "kms:Decrypt"));
        for t in ResourceType::ALL {
            assert_eq!(ResourceType::parse(t.as_str()), Some(*t));
        }
    }
}
