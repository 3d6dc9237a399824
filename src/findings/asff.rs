//! AWS Security Finding Format (ASFF) for Security Hub's `BatchImportFindings`.
//!
//! AWS: "Integration with AWS Security Hub" in the IAM User Guide
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-securityhub-integration.html>)
//! gives Access Analyzer's own ASFF: `Types` `Effects/Data Exposure/External Access Granted` for
//! public access and `Software and Configuration Checks/AWS Security Best Practices/External
//! Access Granted` for cross-account access, titles `<type>/<ARN>/ allows public access`, one
//! Security Hub finding per resource that is archived once all of the resource's findings are
//! archived or resolved. The required fields are those of "Required top-level ASFF attributes"
//! in the Security Hub User Guide.

use super::{
    actions_text, arn_partition, arn_region, conditions_text, principal_text, put, truncate,
    type_slug, Kind,
};
use crate::analyze::{Finding, Status};
use crate::scalar::Timestamp;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One ASFF finding per perimeter finding, or per resource as Access Analyzer sends them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AsffGrouping {
    /// One ASFF finding per finding (each access path has its own workflow in Security Hub).
    #[default]
    Finding,
    /// One ASFF finding per resource, as Access Analyzer's integration does.
    Resource,
}

/// Where the ASFF findings come from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AsffOptions {
    /// The Security Hub Region (also the resource's Region when its ARN has none).
    pub region: String,
    /// The account that imports the findings (in the default product ARN). Default: the
    /// resource owner's account.
    pub account: Option<String>,
    /// The product ARN. Default: the importing account's own product,
    /// `arn:aws:securityhub:<region>:<account>:product/<account>/default`, which
    /// `BatchImportFindings` accepts from that account.
    pub product_arn: Option<String>,
    /// The analyzer ARN that prefixes finding ids. Default:
    /// `arn:aws:access-analyzer:<region>:<account>:analyzer/perimeter`.
    pub analyzer_arn: Option<String>,
    /// Per finding or per resource.
    pub grouping: AsffGrouping,
    /// The time for findings without lifecycle times.
    pub now: Timestamp,
}

impl AsffOptions {
    /// Options for this Region, at `now`.
    pub fn new(region: &str, now: Timestamp) -> AsffOptions {
        AsffOptions {
            region: region.to_string(),
            account: None,
            product_arn: None,
            analyzer_arn: None,
            grouping: AsffGrouping::Finding,
            now,
        }
    }

    /// With another grouping.
    pub fn with_grouping(mut self, grouping: AsffGrouping) -> AsffOptions {
        self.grouping = grouping;
        self
    }

    /// With the importing account.
    pub fn with_account(mut self, account: &str) -> AsffOptions {
        self.account = Some(account.to_string());
        self
    }

    /// With a product ARN.
    pub fn with_product_arn(mut self, arn: &str) -> AsffOptions {
        self.product_arn = Some(arn.to_string());
        self
    }

    /// With an analyzer ARN.
    pub fn with_analyzer_arn(mut self, arn: &str) -> AsffOptions {
        self.analyzer_arn = Some(arn.to_string());
        self
    }
}

const TYPE_PUBLIC: &str = "Effects/Data Exposure/External Access Granted";
const TYPE_CROSS_ACCOUNT: &str =
    "Software and Configuration Checks/AWS Security Best Practices/External Access Granted";
const RECOMMENDATION: &str = "If the access isn't intended, remove or narrow the policy statement that grants it (see the finding's statements). If it is intended, archive the finding with an archive rule. Run perimeter again to confirm: a finding whose access is gone becomes resolved.";
const RECOMMENDATION_URL: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings-remediate.html";

/// The ASFF resource type of an Access Analyzer resource type (`Other` when ASFF has none).
fn asff_type(resource_type: &str) -> &'static str {
    match resource_type {
        "AWS::S3::Bucket" => "AwsS3Bucket",
        "AWS::KMS::Key" => "AwsKmsKey",
        "AWS::SQS::Queue" => "AwsSqsQueue",
        "AWS::Lambda::Function" => "AwsLambdaFunction",
        "AWS::Lambda::LayerVersion" => "AwsLambdaLayerVersion",
        "AWS::IAM::Role" => "AwsIamRole",
        "AWS::SecretsManager::Secret" => "AwsSecretsManagerSecret",
        "AWS::SNS::Topic" => "AwsSnsTopic",
        "AWS::ECR::Repository" => "AwsEcrRepository",
        "AWS::DynamoDB::Table" => "AwsDynamoDbTable",
        "AWS::RDS::DBSnapshot" => "AwsRdsDbSnapshot",
        "AWS::RDS::DBClusterSnapshot" => "AwsRdsDbClusterSnapshot",
        _ => "Other",
    }
}

/// A timestamp in the RFC 3339 form ASFF requires; `now` when missing or unreadable.
fn time(value: Option<&str>, now: Timestamp) -> String {
    value.and_then(Timestamp::parse).unwrap_or(now).to_rfc3339()
}

struct Group<'a> {
    resource: &'a str,
    members: Vec<&'a Finding>,
}

/// ASFF findings for `BatchImportFindings` (at most 100 per call; split the list). Error
/// findings are not exported: Security Hub gets access findings; analysis errors go to the
/// other formats and the CI gate.
///
/// ```
/// use perimeter::analyze::Finding;
/// use perimeter::findings::{asff, AsffOptions};
/// use perimeter::scalar::Timestamp;
///
/// let mut f = Finding::default();
/// f.id = "f1".into();
/// f.resource = "arn:aws:s3:::my-bucket".into();
/// f.resource_type = "AWS::S3::Bucket".into();
/// f.resource_owner_account = "111122223333".into();
/// f.principal.insert("AWS".into(), "444455556666".into());
/// f.action = vec!["s3:GetObject".into()];
/// f.is_public = Some(false);
/// let now = Timestamp::parse("2025-01-01T00:00:00Z").ok_or("time")?;
/// let out = asff(&[f], &AsffOptions::new("us-west-2", now));
/// assert_eq!(out[0]["Title"], "AwsS3Bucket/arn:aws:s3:::my-bucket/ allows cross-account access");
/// assert_eq!(out[0]["ProductArn"], "arn:aws:securityhub:us-west-2:111122223333:product/111122223333/default");
/// assert_eq!(out[0]["RecordState"], "ACTIVE");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn asff(findings: &[Finding], options: &AsffOptions) -> Vec<Value> {
    let access: Vec<&Finding> = findings.iter().filter(|f| f.error.is_none()).collect();
    let groups: Vec<Group<'_>> = match options.grouping {
        AsffGrouping::Finding => access
            .iter()
            .map(|f| Group {
                resource: &f.resource,
                members: vec![*f],
            })
            .collect(),
        AsffGrouping::Resource => {
            let mut by: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
            for f in &access {
                by.entry(f.resource.as_str()).or_default().push(*f);
            }
            by.into_iter()
                .map(|(resource, members)| Group { resource, members })
                .collect()
        }
    };
    groups.iter().filter_map(|g| one(g, options)).collect()
}

fn one(g: &Group<'_>, options: &AsffOptions) -> Option<Value> {
    let first = *g.members.first()?;
    // The status of the group: active if any finding is, else archived if any is, else resolved
    // (Access Analyzer's rule for its per-resource Security Hub finding).
    let status = if g.members.iter().any(|f| f.status == Status::Active) {
        Status::Active
    } else if g.members.iter().any(|f| f.status == Status::Archived) {
        Status::Archived
    } else {
        Status::Resolved
    };
    // Public-ness of the findings in that status.
    let relevant: Vec<&Finding> = g
        .members
        .iter()
        .copied()
        .filter(|f| f.status == status)
        .collect();
    let public = relevant.iter().any(|f| Kind::of(f) == Kind::Public);
    let lead = relevant
        .iter()
        .copied()
        .find(|f| Kind::of(f) == Kind::Public)
        .or_else(|| relevant.first().copied())
        .unwrap_or(first);
    let owner = &first.resource_owner_account;
    let account = options.account.clone().unwrap_or_else(|| owner.clone());
    let partition = arn_partition(g.resource);
    let region = arn_region(g.resource).unwrap_or(&options.region);
    let analyzer = options.analyzer_arn.clone().unwrap_or_else(|| {
        format!(
            "arn:{partition}:access-analyzer:{}:{account}:analyzer/perimeter",
            options.region
        )
    });
    let product = options.product_arn.clone().unwrap_or_else(|| {
        format!(
            "arn:{partition}:securityhub:{}:{account}:product/{account}/default",
            options.region
        )
    });
    let id = match options.grouping {
        AsffGrouping::Finding => format!("{analyzer}/{}/{}", g.resource, first.id),
        AsffGrouping::Resource => format!("{analyzer}/{}", g.resource),
    };
    let rtype = asff_type(&first.resource_type);
    let title_type = if rtype == "Other" {
        first.resource_type.as_str()
    } else {
        rtype
    };
    let what = if public {
        "allows public access"
    } else {
        "allows cross-account access"
    };
    let principals: Vec<String> = {
        let mut p: Vec<String> = relevant.iter().map(|f| principal_text(f)).collect();
        p.sort();
        p.dedup();
        p
    };
    let description = if g.members.len() == 1 {
        format!(
            "{}/{}/ {what} from {} with actions {} under conditions: {}.",
            first.resource_type,
            g.resource,
            principal_text(first),
            actions_text(first, 20),
            conditions_text(first)
        )
    } else {
        format!(
            "{}/{}/ {what} from {} ({} findings).",
            first.resource_type,
            g.resource,
            principals.join("; "),
            g.members.len()
        )
    };
    let created = g
        .members
        .iter()
        .map(|f| time(f.created_at.as_deref(), options.now))
        .min()
        .unwrap_or_else(|| options.now.to_rfc3339());
    let updated = g
        .members
        .iter()
        .map(|f| time(f.updated_at.as_deref(), options.now))
        .max()
        .unwrap_or_else(|| options.now.to_rfc3339());
    let (workflow, record, compliance) = match status {
        Status::Active => ("NEW", "ACTIVE", "FAILED"),
        Status::Archived => ("SUPPRESSED", "ARCHIVED", "PASSED"),
        Status::Resolved => ("RESOLVED", "ARCHIVED", "PASSED"),
    };
    let principal_type = lead.principal.keys().next().cloned().unwrap_or_default();
    let principal_value = lead.principal.values().next().cloned().unwrap_or_default();
    let generator = format!(
        "perimeter/{}/{}",
        if public {
            Kind::Public.slug()
        } else {
            Kind::External.slug()
        },
        type_slug(&first.resource_type)
    );
    let ids: Vec<&str> = g.members.iter().map(|f| f.id.as_str()).collect();
    let mut v = json!({
        "SchemaVersion": "2018-10-08",
        "Id": truncate(&id, 512),
        "ProductArn": product,
        "ProductName": "perimeter",
        "CompanyName": "perimeter",
        "GeneratorId": generator,
        "AwsAccountId": owner,
        "Types": [if public { TYPE_PUBLIC } else { TYPE_CROSS_ACCOUNT }],
        "CreatedAt": created,
        "UpdatedAt": updated,
        "FirstObservedAt": created,
        "Severity": {
            "Label": if public { "HIGH" } else { "LOW" },
            "Original": if public { "public" } else { "cross-account" }
        },
        "Title": truncate(&format!("{title_type}/{}/ {what}", g.resource), 256),
        "Description": truncate(&description, 1024),
        "Remediation": {"Recommendation": {"Text": RECOMMENDATION, "Url": RECOMMENDATION_URL}},
        "Resources": [{
            "Type": rtype,
            "Id": g.resource,
            "Partition": partition,
            "Region": region,
            "Details": {"Other": {
                "External Principal Type": truncate(&principal_type, 1024),
                "External Principal": truncate(&principal_value, 1024),
                "Condition": truncate(&conditions_text(lead), 1024),
                "Action Granted": truncate(&lead.action.join(","), 1024),
            }}
        }],
        "Compliance": {"Status": compliance},
        "Workflow": {"Status": workflow},
        "RecordState": record,
        "ProductFields": {
            "perimeter/FindingIds": truncate(&ids.join(","), 1024),
            "perimeter/Status": status.as_str(),
            "perimeter/ResourceType": first.resource_type,
        }
    });
    if let Some(last) = g
        .members
        .iter()
        .filter_map(|f| f.analyzed_at.as_deref())
        .filter_map(Timestamp::parse)
        .max()
    {
        put(&mut v, "LastObservedAt", json!(last.to_rfc3339()));
    }
    Some(v)
}
