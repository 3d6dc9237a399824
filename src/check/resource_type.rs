//! The resource types of `CheckNoPublicAccess`, and the actions and resource ARNs each can be
//! reached by, from the service authorization reference.

use crate::error::{quote, Error, ErrorKind};
use crate::reason::lang::{Lang, Mask, Tok};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::OnceLock;

macro_rules! resource_types {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal => $service:literal [$($rt:literal),+] ),+ $(,)?) => {
        /// The resource types `CheckNoPublicAccess` accepts (Access Analyzer's
        /// `AccessCheckResourceType`, 26 values; reference §6.3).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum AccessCheckResourceType {
            $( $(#[$doc])* #[serde(rename = $name)] $variant, )+
        }

        impl AccessCheckResourceType {
            /// Every type, in Access Analyzer's order.
            pub const ALL: &'static [AccessCheckResourceType] =
                &[$(AccessCheckResourceType::$variant),+];

            /// The name Access Analyzer uses (`AWS::S3::Bucket`).
            pub fn as_str(&self) -> &'static str {
                match self { $(AccessCheckResourceType::$variant => $name),+ }
            }

            /// The service prefix and the reference's resource types a policy of this type
            /// governs.
            pub(crate) fn layout(&self) -> (&'static str, &'static [&'static str]) {
                match self { $(AccessCheckResourceType::$variant => ($service, &[$($rt),+])),+ }
            }
        }
    };
}

resource_types! {
    /// `AWS::DynamoDB::Table` (the table and its indexes).
    DynamoDbTable = "AWS::DynamoDB::Table" => "dynamodb" ["table", "index"],
    /// `AWS::DynamoDB::Stream`
    DynamoDbStream = "AWS::DynamoDB::Stream" => "dynamodb" ["stream"],
    /// `AWS::EFS::FileSystem`
    EfsFileSystem = "AWS::EFS::FileSystem" => "elasticfilesystem" ["file-system"],
    /// `AWS::OpenSearchService::Domain`
    OpenSearchDomain = "AWS::OpenSearchService::Domain" => "es" ["domain"],
    /// `AWS::Kinesis::Stream`
    KinesisStream = "AWS::Kinesis::Stream" => "kinesis" ["stream"],
    /// `AWS::Kinesis::StreamConsumer`
    KinesisStreamConsumer = "AWS::Kinesis::StreamConsumer" => "kinesis" ["consumer"],
    /// `AWS::KMS::Key`
    KmsKey = "AWS::KMS::Key" => "kms" ["key"],
    /// `AWS::Lambda::Function` (the function, its versions and aliases).
    LambdaFunction = "AWS::Lambda::Function" => "lambda" ["function", "function alias", "function version"],
    /// `AWS::S3::Bucket` (the bucket and its objects).
    S3Bucket = "AWS::S3::Bucket" => "s3" ["bucket", "object"],
    /// `AWS::S3::AccessPoint` (the access point and objects through it).
    S3AccessPoint = "AWS::S3::AccessPoint" => "s3" ["accesspoint", "accesspointobject"],
    /// `AWS::S3Express::DirectoryBucket`
    S3ExpressDirectoryBucket = "AWS::S3Express::DirectoryBucket" => "s3express" ["bucket"],
    /// `AWS::S3::Glacier` (a Glacier vault).
    S3Glacier = "AWS::S3::Glacier" => "glacier" ["vault"],
    /// `AWS::S3Outposts::Bucket` (the bucket and its objects).
    S3OutpostsBucket = "AWS::S3Outposts::Bucket" => "s3-outposts" ["bucket", "object"],
    /// `AWS::S3Outposts::AccessPoint` (the access point and objects through it).
    S3OutpostsAccessPoint = "AWS::S3Outposts::AccessPoint" => "s3-outposts" ["accesspoint", "object"],
    /// `AWS::SecretsManager::Secret`
    SecretsManagerSecret = "AWS::SecretsManager::Secret" => "secretsmanager" ["Secret"],
    /// `AWS::SNS::Topic`
    SnsTopic = "AWS::SNS::Topic" => "sns" ["topic"],
    /// `AWS::SQS::Queue`
    SqsQueue = "AWS::SQS::Queue" => "sqs" ["queue"],
    /// `AWS::IAM::AssumeRolePolicyDocument` (a role trust policy).
    IamAssumeRolePolicyDocument = "AWS::IAM::AssumeRolePolicyDocument" => "sts" ["role"],
    /// `AWS::S3Tables::TableBucket` (the table bucket and its tables).
    S3TablesTableBucket = "AWS::S3Tables::TableBucket" => "s3tables" ["TableBucket", "Table"],
    /// `AWS::ApiGateway::RestApi` (`execute-api` invocations).
    ApiGatewayRestApi = "AWS::ApiGateway::RestApi" => "execute-api" ["execute-api-general"],
    /// `AWS::CodeArtifact::Domain`
    CodeArtifactDomain = "AWS::CodeArtifact::Domain" => "codeartifact" ["domain"],
    /// `AWS::Backup::BackupVault`
    BackupVault = "AWS::Backup::BackupVault" => "backup" ["backupVault"],
    /// `AWS::CloudTrail::Dashboard`
    CloudTrailDashboard = "AWS::CloudTrail::Dashboard" => "cloudtrail" ["dashboard"],
    /// `AWS::CloudTrail::EventDataStore`
    CloudTrailEventDataStore = "AWS::CloudTrail::EventDataStore" => "cloudtrail" ["eventdatastore"],
    /// `AWS::S3Tables::Table`
    S3TablesTable = "AWS::S3Tables::Table" => "s3tables" ["Table"],
    /// `AWS::S3Express::AccessPoint`
    S3ExpressAccessPoint = "AWS::S3Express::AccessPoint" => "s3express" ["accesspoint"],
}

impl AccessCheckResourceType {
    /// Parse a type name (exact spelling, or ignoring case).
    ///
    /// # Errors
    /// [`ErrorKind::Input`] for a name that is not one of the 26 types.
    pub fn parse(text: &str) -> Result<AccessCheckResourceType, Error> {
        AccessCheckResourceType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Input,
                    format!(
                        "unknown resource type {} for the public access check: expected one of {}",
                        quote(text),
                        AccessCheckResourceType::ALL
                            .iter()
                            .map(|t| format!("`{}`", t.as_str()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }

    /// The actions a policy on this type of resource can grant (canonical names, sorted): the
    /// service's actions that act on the type's resource types in the service authorization
    /// reference.
    pub fn actions(&self) -> &'static [String] {
        &universe(*self).actions
    }

    /// The resource types of the reference's service that a policy of this type governs.
    pub(crate) fn universe(&self) -> &'static Universe {
        universe(*self)
    }
}

impl fmt::Display for AccessCheckResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AccessCheckResourceType {
    type Err = Error;
    fn from_str(s: &str) -> Result<AccessCheckResourceType, Error> {
        AccessCheckResourceType::parse(s)
    }
}

/// The actions of a resource type and, per reference resource type, which of them act on it
/// and its ARN formats.
#[derive(Debug)]
pub(crate) struct Universe {
    /// Canonical action names, sorted.
    pub(crate) actions: Vec<String>,
    /// (reference resource type name, indices into `actions`, ARN formats).
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "read by the tests that compare with analyze")
    )]
    pub(crate) kinds: Vec<(&'static str, Vec<usize>, Vec<String>)>,
}

fn universe(t: AccessCheckResourceType) -> &'static Universe {
    static CELLS: OnceLock<Vec<OnceLock<Universe>>> = OnceLock::new();
    let cells = CELLS.get_or_init(|| {
        AccessCheckResourceType::ALL
            .iter()
            .map(|_| OnceLock::new())
            .collect()
    });
    static EMPTY: OnceLock<Universe> = OnceLock::new();
    let i = AccessCheckResourceType::ALL.iter().position(|x| *x == t);
    match i.and_then(|i| cells.get(i)) {
        Some(cell) => cell.get_or_init(|| build(t)),
        None => EMPTY.get_or_init(|| Universe {
            actions: Vec::new(),
            kinds: Vec::new(),
        }),
    }
}

fn build(t: AccessCheckResourceType) -> Universe {
    let (service, kinds) = t.layout();
    let catalog = crate::catalog::Catalog::embedded();
    let Some(svc) = catalog.service(service) else {
        return Universe {
            actions: Vec::new(),
            kinds: Vec::new(),
        };
    };
    let mut actions: Vec<(String, Vec<&'static str>)> = Vec::new();
    for a in svc.actions() {
        let on: Vec<&'static str> = kinds
            .iter()
            .copied()
            .filter(|k| a.resource_types().any(|r| r.name() == *k))
            .collect();
        if !on.is_empty() {
            actions.push((a.full_name(), on));
        }
    }
    actions.sort_by(|a, b| a.0.cmp(&b.0));
    let names: Vec<String> = actions.iter().map(|(n, _)| n.clone()).collect();
    let out_kinds = kinds
        .iter()
        .map(|k| {
            let idx: Vec<usize> = actions
                .iter()
                .enumerate()
                .filter(|(_, (_, on))| on.contains(k))
                .map(|(i, _)| i)
                .collect();
            let formats: Vec<String> = svc
                .resource_type(k)
                .map(|r| r.arn_formats().map(|f| f.as_str().to_string()).collect())
                .unwrap_or_default();
            (*k, idx, formats)
        })
        .collect();
    Universe {
        actions: names,
        kinds: out_kinds,
    }
}

/// The language of ARNs of a reference ARN format, for a readable counterexample: the account is
/// `account` when given (the resource's own, so that a counterexample names a resource of that
/// account), otherwise twelve digits; other placeholders are non-empty.
pub(crate) fn format_lang(format: &str, partition: &str, account: Option<&str>) -> Lang {
    let comps: Vec<&str> = format.splitn(6, ':').collect();
    let mut toks = Vec::new();
    let last = comps.len().saturating_sub(1);
    for (i, comp) in comps.iter().enumerate() {
        if i > 0 {
            toks.push(Tok::Char(':'));
        }
        let mask = if i == last { Mask::NONE } else { Mask::COLON };
        placeholder_toks(comp, partition, &mut toks, |name| {
            if name == "Account" {
                match account {
                    Some(a) => a.chars().map(Tok::Char).collect(),
                    None => vec![Tok::Digit; 12],
                }
            } else {
                vec![Tok::One(mask), Tok::Run(mask)]
            }
        });
    }
    Lang::from(toks)
}

fn placeholder_toks(
    comp: &str,
    partition: &str,
    toks: &mut Vec<Tok>,
    placeholder: impl Fn(&str) -> Vec<Tok>,
) {
    let mut rest = comp;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        toks.extend(before.chars().map(Tok::Char));
        let Some(end) = after.find('}') else {
            toks.extend(after.chars().map(Tok::Char));
            return;
        };
        let name = after.get(2..end).unwrap_or("");
        if name == "Partition" {
            toks.extend(partition.chars().map(Tok::Char));
        } else {
            toks.extend(placeholder(name));
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    toks.extend(rest.chars().map(Tok::Char));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_actions_and_formats() {
        assert_eq!(AccessCheckResourceType::ALL.len(), 26);
        for t in AccessCheckResourceType::ALL {
            let u = t.universe();
            assert!(!u.actions.is_empty(), "{t} has no actions");
            for (k, idx, formats) in &u.kinds {
                assert!(!idx.is_empty(), "{t}: no action acts on `{k}`");
                assert!(!formats.is_empty(), "{t}: `{k}` has no arn format");
            }
            assert_eq!(AccessCheckResourceType::parse(t.as_str()).ok(), Some(*t));
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert!(AccessCheckResourceType::parse("AWS::S3::Nope").is_err());
    }

    #[test]
    fn universes_agree_with_external_access_types() {
        use crate::analyze::ResourceType as R;
        let pairs = [
            (AccessCheckResourceType::S3Bucket, R::S3Bucket),
            (AccessCheckResourceType::KmsKey, R::KmsKey),
            (AccessCheckResourceType::SqsQueue, R::SqsQueue),
            (AccessCheckResourceType::LambdaFunction, R::LambdaFunction),
            (
                AccessCheckResourceType::IamAssumeRolePolicyDocument,
                R::IamRole,
            ),
            (
                AccessCheckResourceType::SecretsManagerSecret,
                R::SecretsManagerSecret,
            ),
            (AccessCheckResourceType::SnsTopic, R::SnsTopic),
            (AccessCheckResourceType::EfsFileSystem, R::EfsFileSystem),
            (AccessCheckResourceType::DynamoDbTable, R::DynamoDbTable),
            (AccessCheckResourceType::DynamoDbStream, R::DynamoDbStream),
            (
                AccessCheckResourceType::S3ExpressDirectoryBucket,
                R::S3ExpressDirectoryBucket,
            ),
        ];
        for (c, a) in pairs {
            assert_eq!(c.actions(), a.actions(), "{c}");
        }
    }

    #[test]
    fn format_languages() {
        let l = format_lang(
            "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}",
            "aws",
            None,
        );
        assert!(l.matches("arn:aws:kms:r:111122223333:key/k"));
        assert!(!l.matches("arn:aws:kms:r:1:key/k"));
        assert!(!l.matches("arn:aws:kms:r:111122223333:key/"));
        let l = format_lang(
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
            "aws-cn",
            None,
        );
        assert!(l.matches("arn:aws-cn:s3:::b/k:with:colons"));
        // With the resource's account, only that account's ARNs.
        let l = format_lang(
            "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}",
            "aws",
            Some("111122223333"),
        );
        assert!(l.matches("arn:aws:kms:r:111122223333:key/k"));
        assert!(!l.matches("arn:aws:kms:r:444455556666:key/k"));
    }
}
