//! From a resource's configuration to its findings: each type to its adapter, then the
//! findings of one resource merged as Access Analyzer reports them.

use super::config::{
    merge, KmsKey, LambdaFunction, ResourceConfig, S3Bucket, SecretsManagerSecret,
};
use super::finding::Finding;
use super::policy_type::PolicyType;
use super::{error_finding, Options, ResourceType, ZoneOfTrust};

/// The policy rules (size limit, note) of the types whose whole configuration is one policy.
fn policy_type_of(t: ResourceType) -> Option<&'static PolicyType> {
    Some(match t {
        ResourceType::SnsTopic => &super::sns::TYPE,
        ResourceType::EcrRepository => &super::ecr::TYPE,
        ResourceType::EfsFileSystem => &super::efs::TYPE,
        ResourceType::DynamoDbTable => &super::dynamodb::TABLE,
        ResourceType::DynamoDbStream => &super::dynamodb::STREAM,
        ResourceType::S3ExpressDirectoryBucket => &super::s3_express::TYPE,
        ResourceType::LambdaLayerVersion => &super::lambda_layer::TYPE,
        _ => return None,
    })
}

/// Find who outside the zone of trust can reach a resource, from its whole configuration.
///
/// Never fails: a configuration that cannot be analysed (a policy that does not compile, an
/// unreadable resource) gives one error finding (`INVALID_CONFIGURATION`, with the reason in
/// `note`), and one whose analysis exceeds the budget gives one
/// [`ERROR_BUDGET`](super::ERROR_BUDGET) finding.
///
/// ```
/// use perimeter::analyze::{
///     analyze_resource, AclGrant, AclGrantee, AclPermission, BucketAcl, Options, ResourceConfig,
///     S3Bucket, ZoneOfTrust,
/// };
///
/// let bucket = S3Bucket::new("arn:aws:s3:::reports", "111122223333").with_acl(BucketAcl::new(
///     Some("owner-canonical-id"),
///     vec![AclGrant::new(AclGrantee::all_users(), AclPermission::Read)],
/// ));
/// let zone = ZoneOfTrust::account("111122223333");
/// let findings = analyze_resource(&ResourceConfig::S3Bucket(bucket), &zone, &Options::default());
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].sources[0].kind, "BUCKET_ACL");
/// assert_eq!(findings[0].is_public, Some(true));
/// assert!(findings[0].action.contains(&"s3:ListBucket".to_string()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn analyze_resource(
    config: &ResourceConfig,
    zone: &ZoneOfTrust,
    options: &Options,
) -> Vec<Finding> {
    let mut out = match config {
        ResourceConfig::S3Bucket(b) => super::s3::analyze(b, zone, options),
        ResourceConfig::KmsKey(k) => super::kms::analyze(k, zone, options),
        ResourceConfig::LambdaFunction(f) => super::lambda::analyze(f, zone, options),
        ResourceConfig::Policy(p) => match p.resource.resource_type {
            ResourceType::S3Bucket => super::s3::analyze(
                &S3Bucket {
                    resource: p.resource.clone(),
                    policy: p.policy.clone(),
                    acl: None,
                    public_access_block: None,
                    account_public_access_block: None,
                    access_points: None,
                },
                zone,
                options,
            ),
            ResourceType::KmsKey => super::kms::analyze(
                &KmsKey {
                    resource: p.resource.clone(),
                    policy: p.policy.clone(),
                    grants: Vec::new(),
                },
                zone,
                options,
            ),
            ResourceType::LambdaFunction => super::lambda::analyze(
                &LambdaFunction {
                    resource: p.resource.clone(),
                    policy: p.policy.clone(),
                    urls: Vec::new(),
                },
                zone,
                options,
            ),
            ResourceType::SecretsManagerSecret => super::secrets_manager::analyze(
                &SecretsManagerSecret {
                    resource: p.resource.clone(),
                    policy: p.policy.clone(),
                    kms_key_id: None,
                },
                zone,
                options,
            ),
            ResourceType::SnsTopic
            | ResourceType::EcrRepository
            | ResourceType::EfsFileSystem
            | ResourceType::DynamoDbTable
            | ResourceType::DynamoDbStream
            | ResourceType::S3ExpressDirectoryBucket
            | ResourceType::LambdaLayerVersion => match policy_type_of(p.resource.resource_type) {
                Some(t) => super::policy_type::analyze(t, p, zone, options),
                None => Vec::new(),
            },
            ResourceType::Ec2Snapshot
            | ResourceType::RdsDbSnapshot
            | ResourceType::RdsDbClusterSnapshot => match &p.policy {
                Some(_) => vec![error_finding(
                    &p.resource,
                    &format!(
                        "{} resources have no resource policy (they are shared through an attribute), so a policy cannot be analysed for them",
                        p.resource.resource_type
                    ),
                    options,
                )],
                None => Vec::new(),
            },
            ResourceType::SqsQueue | ResourceType::IamRole => match &p.policy {
                Some(policy) => super::analyze_policy(policy, &p.resource, zone, options),
                None => Vec::new(),
            },
        },
        ResourceConfig::SecretsManagerSecret(s) => super::secrets_manager::analyze(s, zone, options),
        ResourceConfig::EbsSnapshot(s) => super::ebs::analyze(s, zone, options),
        ResourceConfig::RdsSnapshot(s) => super::rds::analyze(s, zone, options),
        ResourceConfig::Invalid(i) => {
            vec![error_finding(&i.resource, &i.error.to_string(), options)]
        }
    };
    merge(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{
        AccessPoint, AclGrant, AclGrantee, AclPermission, BucketAcl, FunctionUrl,
        FunctionUrlAuthType, KmsGrant, ERROR_BUDGET,
    };
    use crate::policy::Policy;

    fn policy(text: &str) -> Policy {
        Policy::parse(text).unwrap()
    }

    /// A resource whose analysis runs out of budget gets one error finding and nothing else,
    /// whatever mix of units and direct findings (ACL, grants) it has.
    #[test]
    fn out_of_budget_is_one_error_finding() {
        let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;
        let zone = ZoneOfTrust::account("111122223333");
        let options = Options::default().with_budget(3);
        let bucket = S3Bucket::new("arn:aws:s3:::b", "111122223333")
            .with_policy(policy(public))
            .with_acl(BucketAcl::new(
                None,
                vec![AclGrant::new(AclGrantee::all_users(), AclPermission::Read)],
            ))
            .with_access_points(vec![AccessPoint::new(
                "arn:aws:s3:us-east-1:111122223333:accesspoint/a",
            )
            .with_policy(policy(public))]);
        let key = KmsKey::new("arn:aws:kms:us-east-1:111122223333:key/k", "111122223333")
            .with_policy(policy(public))
            .with_grants(vec![KmsGrant::new(
                "g",
                "arn:aws:iam::444455556666:root",
                &["Decrypt"],
            )]);
        let function = LambdaFunction::new(
            "arn:aws:lambda:us-east-1:111122223333:function:f",
            "111122223333",
        )
        .with_policy(policy(public))
        .with_url(FunctionUrl::new(FunctionUrlAuthType::None));
        for config in [
            ResourceConfig::S3Bucket(bucket),
            ResourceConfig::KmsKey(key),
            ResourceConfig::LambdaFunction(function),
        ] {
            let findings = analyze_resource(&config, &zone, &options);
            assert_eq!(findings.len(), 1, "{findings:?}");
            assert_eq!(findings[0].error.as_deref(), Some(ERROR_BUDGET));
            assert_eq!(findings[0].resource, config.resource().arn);
        }
    }

    #[test]
    fn acl_permissions_map_to_bucket_actions() {
        let all: Vec<&str> = [
            AclPermission::Read,
            AclPermission::Write,
            AclPermission::ReadAcp,
            AclPermission::WriteAcp,
        ]
        .iter()
        .flat_map(|p| p.bucket_actions().iter().copied())
        .collect();
        let mut full = AclPermission::FullControl.bucket_actions().to_vec();
        let mut union = all.clone();
        union.sort_unstable();
        full.sort_unstable();
        assert_eq!(full, union, "FULL_CONTROL is the four others together");
        // Every mapped action is a bucket action of the reference.
        for a in all {
            assert!(
                ResourceType::S3Bucket.actions().iter().any(|x| x == a),
                "{a}"
            );
        }
        for p in ["READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"] {
            assert_eq!(AclPermission::parse(p).map(|x| x.as_str()), Some(p));
        }
    }
}
