//! `perimeter preview`: the findings a proposed configuration of one resource would give (its
//! policy, an S3 bucket's ACL, Block Public Access settings and access points, a KMS key's grants,
//! a Lambda function's URLs, a secret's KMS key, an EBS or RDS snapshot's sharing and KMS key),
//! compared with the resource's current findings (Access Analyzer's access previews), against an
//! account snapshot or a policy file.

use crate::io::{error, read_input, stdout_is_terminal, write_line};
use crate::report::{parse_now, read_findings_file, read_rules};
use perimeter::analyze::{
    FunctionUrl, FunctionUrlAuthType, Options, PolicyResource, Resource, ResourceConfig,
    ResourceType, Snapshot, Status, ZoneOfTrust,
};
use perimeter::findings::{preview_resource, ChangeType, PreviewFinding, Proposal, ProposedPolicy};
use perimeter::policy::Policy;
use serde_json::json;
use std::io::BufReader;
use std::process::ExitCode;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `{"findings": [...]}` in the shape of ListAccessPreviewFindings.
    Json,
    /// A readable table.
    Table,
}

/// A function URL's authentication type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
#[clap(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthType {
    /// No authentication.
    None,
    /// IAM authentication.
    AwsIam,
}

/// Preview the external access a proposed configuration of one resource would give.
///
/// Exit status: 0 when the proposal adds no active finding, 1 when it does (new access that no
/// archive rule archives), 2 for a usage error or an input that cannot be read.
#[derive(clap::Args)]
pub struct Args {
    /// The account snapshot the resource is in (`docs/snapshot.md`; `-` for standard input).
    /// Without it, the resource's current policy is `--current`.
    snapshot: Option<String>,
    /// The resource's ARN.
    #[arg(long, value_name = "ARN")]
    resource_arn: String,
    /// The resource type, such as `AWS::S3::Bucket` (needed when the resource is not in the
    /// snapshot, or without a snapshot).
    #[arg(long, value_name = "TYPE")]
    resource_type: Option<String>,
    /// The account that owns the resource (default: the account in the ARN).
    #[arg(long, value_name = "ACCOUNT")]
    owner: Option<String>,
    /// A proposal written as a snapshot resource: the fields it has replace the current ones.
    #[arg(long, value_name = "FILE")]
    proposal: Option<String>,
    /// The proposed policy (an empty file proposes deleting it).
    #[arg(long, value_name = "FILE", conflicts_with = "delete_policy")]
    policy: Option<String>,
    /// Propose deleting the policy.
    #[arg(long)]
    delete_policy: bool,
    /// The proposed bucket ACL: `aws s3api get-bucket-acl` output.
    #[arg(long, value_name = "FILE")]
    acl: Option<String>,
    /// The proposed bucket Block Public Access settings: `aws s3api get-public-access-block`
    /// output.
    #[arg(long, value_name = "FILE")]
    public_access_block: Option<String>,
    /// The proposed access points of the bucket, as the snapshot's `accessPoints` array.
    #[arg(long, value_name = "FILE")]
    access_points: Option<String>,
    /// The proposed KMS grants: `aws kms list-grants` output.
    #[arg(long, value_name = "FILE")]
    grants: Option<String>,
    /// The proposed function URLs: `aws lambda list-function-url-configs` output.
    #[arg(long, value_name = "FILE")]
    function_urls: Option<String>,
    /// A proposed URL of the function itself, with this authentication type.
    #[arg(long, value_enum, value_name = "AUTH_TYPE")]
    url_auth_type: Option<AuthType>,
    /// The proposed sharing of an EBS or RDS snapshot, the whole attribute: `aws ec2
    /// describe-snapshot-attribute --attribute createVolumePermission`, `aws rds
    /// describe-db-snapshot-attributes` or `aws rds describe-db-cluster-snapshot-attributes`
    /// output.
    #[arg(long, value_name = "FILE")]
    share: Option<String>,
    /// The proposed KMS key of a secret (empty: the AWS managed key), or of an EBS or RDS
    /// snapshot (which makes it encrypted; empty keeps its encryption).
    #[arg(long, value_name = "ID")]
    kms_key_id: Option<String>,
    /// Without a snapshot: the resource's current policy (omit it for a new resource).
    #[arg(long, value_name = "FILE", conflicts_with = "snapshot")]
    current: Option<String>,
    /// The last run's findings (`perimeter analyze --now … --format json`): the existing
    /// findings, with their ids and statuses. Without it, the baseline is the analysis of the
    /// current configuration.
    #[arg(long, visible_alias = "existing", value_name = "FILE")]
    previous: Option<String>,
    /// Archive rules, which predict the status of new findings.
    #[arg(long, value_name = "FILE")]
    archive_rules: Option<String>,
    /// More accounts in the zone of trust (repeatable), added to the snapshot's zone (or the
    /// owner's account).
    #[arg(long = "trusted-account", value_name = "ACCOUNT")]
    trusted_accounts: Vec<String>,
    /// The time of the preview (ISO 8601), written as `createdAt`.
    #[arg(long, value_name = "TIME")]
    now: String,
    /// Output format (default: table on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
}

fn parse_type(text: &str) -> Result<ResourceType, String> {
    ResourceType::parse(text).ok_or_else(|| {
        format!(
            "unknown resource type `{text}` (expected one of {})",
            ResourceType::ALL
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The resource named by the flags, for a resource that is not in a snapshot.
fn resource_from_flags(args: &Args, why: &str) -> Result<Resource, String> {
    let t = args
        .resource_type
        .as_deref()
        .ok_or_else(|| format!("{why}: give `--resource-type`"))?;
    let t = parse_type(t)?;
    let owner = match &args.owner {
        Some(o) => o.clone(),
        None => args
            .resource_arn
            .split(':')
            .nth(4)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .ok_or_else(|| {
                format!(
                    "the ARN `{}` names no account; give `--owner`",
                    args.resource_arn
                )
            })?,
    };
    if !perimeter::arn::is_account_id(&owner) {
        return Err(format!("`{owner}` is not a 12-digit account id"));
    }
    Ok(Resource::new(&args.resource_arn, t, &owner))
}

/// The resource, its current configuration (`None` for a new one), the zone of trust, and the
/// account-wide Block Public Access settings of the owner (for a new bucket).
type Current = (
    Resource,
    Option<ResourceConfig>,
    Option<ZoneOfTrust>,
    Option<perimeter::analyze::PublicAccessBlock>,
);

fn from_snapshot(args: &Args, path: &str) -> Result<Current, String> {
    let reader: Box<dyn std::io::BufRead> = if path == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        Box::new(BufReader::with_capacity(
            1 << 16,
            std::fs::File::open(path).map_err(|e| format!("cannot read `{path}`: {e}"))?,
        ))
    };
    let mut snapshot = Snapshot::read(reader).map_err(|e| format!("`{path}`: {e}"))?;
    let zone = snapshot.zone_of_trust().cloned();
    let mut unreadable: Vec<perimeter::Error> = Vec::new();
    let mut found = None;
    for item in snapshot.by_ref() {
        match item {
            Ok(c) if c.resource().arn == args.resource_arn => {
                found = Some(c);
                break;
            }
            Ok(_) => {}
            Err(e) => unreadable.push(e),
        }
    }
    match found {
        Some(config) => {
            let resource = config.resource().clone();
            if let Some(t) = &args.resource_type {
                if parse_type(t)? != resource.resource_type {
                    return Err(format!(
                        "`{}` is a `{}` in the snapshot, not a `{t}`",
                        resource.arn, resource.resource_type
                    ));
                }
            }
            Ok((resource, Some(config), zone, None))
        }
        None => {
            if let Some(first) = unreadable.first() {
                return Err(format!(
                    "`{}` is not among the resources of `{path}` that could be read, and {} could not be read ({first}): fix the snapshot, or the resource would be previewed as new",
                    args.resource_arn,
                    unreadable.len()
                ));
            }
            let resource =
                resource_from_flags(args, "the resource is not in the snapshot (a new resource)")?;
            error(&format!(
                "`{}` is not in the snapshot: previewed as a new resource",
                resource.arn
            ));
            let account_bpa = snapshot.account_public_access_block(&resource.owner_account);
            Ok((resource, None, zone, account_bpa))
        }
    }
}

fn without_snapshot(args: &Args) -> Result<Current, String> {
    let resource = resource_from_flags(args, "without a snapshot")?;
    let current = match &args.current {
        Some(path) => {
            let text = read_input(path)?;
            let policy = Policy::parse(&text).map_err(|e| format!("policy `{path}`: {e}"))?;
            Some(ResourceConfig::Policy(PolicyResource::new(
                resource.clone(),
                Some(policy),
            )))
        }
        None => None,
    };
    Ok((resource, current, None, None))
}

/// The proposal from `--proposal` and the part flags.
fn proposal(args: &Args, resource: &Resource) -> Result<Proposal, String> {
    let mut p = match &args.proposal {
        Some(path) => Proposal::read(resource, &read_input(path)?)
            .map_err(|e| format!("proposal `{path}`: {e}"))?,
        None => Proposal::new(),
    };
    let policy = match (&args.policy, args.delete_policy) {
        (Some(path), _) => {
            let text = read_input(path)?;
            if text.trim().is_empty() {
                // Access Analyzer: an empty policy string proposes deleting the policy.
                Some(ProposedPolicy::Delete)
            } else {
                Some(ProposedPolicy::Set(
                    Policy::parse(&text).map_err(|e| format!("policy `{path}`: {e}"))?,
                ))
            }
        }
        (None, true) => Some(ProposedPolicy::Delete),
        (None, false) => None,
    };
    if let Some(policy) = policy {
        if p.policy != ProposedPolicy::Keep {
            return Err("the policy is proposed twice (in `--proposal` and by a flag)".into());
        }
        p.policy = policy;
    }
    // Each part is read as its own type's, so that a part given for the wrong type is refused
    // by name when the proposal is applied.
    let parts = [
        (
            &args.acl,
            "--acl",
            ResourceType::S3Bucket,
            "s3api get-bucket-acl",
        ),
        (
            &args.public_access_block,
            "--public-access-block",
            ResourceType::S3Bucket,
            "s3api get-public-access-block",
        ),
        (
            &args.access_points,
            "--access-points",
            ResourceType::S3Bucket,
            "accessPoints",
        ),
        (
            &args.grants,
            "--grants",
            ResourceType::KmsKey,
            "kms list-grants",
        ),
        (
            &args.function_urls,
            "--function-urls",
            ResourceType::LambdaFunction,
            "lambda list-function-url-configs",
        ),
    ];
    for (path, flag, t, field) in parts {
        if let Some(path) = path {
            let text = read_input(path)?;
            p.read_part(t, field, &text)
                .map_err(|e| format!("`{flag} {path}`: {e}"))?;
        }
    }
    if let Some(path) = &args.share {
        if p.shared_accounts.is_some() || p.shared_publicly.is_some() {
            return Err(
                "the snapshot's sharing is proposed twice (in `--proposal` and by `--share`)"
                    .into(),
            );
        }
        let text = read_input(path)?;
        p.read_shares(resource.resource_type, &text)
            .map_err(|e| format!("`--share {path}`: {e}"))?;
    }
    if let Some(key) = &args.kms_key_id {
        if p.kms_key_id.is_some() {
            return Err(
                "the KMS key is proposed twice (in `--proposal` and by `--kms-key-id`)".into(),
            );
        }
        p.kms_key_id = Some(key.clone());
    }
    if let Some(auth) = args.url_auth_type {
        let auth = match auth {
            AuthType::None => FunctionUrlAuthType::None,
            AuthType::AwsIam => FunctionUrlAuthType::AwsIam,
        };
        p.function_urls
            .get_or_insert_with(Vec::new)
            .push(FunctionUrl::new(auth));
    }
    Ok(p)
}

fn prepare(args: &Args) -> Result<Vec<PreviewFinding>, String> {
    let now = parse_now(&args.now)?;
    let (resource, current, zone, account_bpa) = match &args.snapshot {
        Some(path) => from_snapshot(args, path)?,
        None => without_snapshot(args)?,
    };
    let mut zone = zone.unwrap_or_else(|| ZoneOfTrust::account(&resource.owner_account));
    for a in &args.trusted_accounts {
        zone = zone.with_trusted_account(a);
    }
    zone.validate().map_err(|e| e.to_string())?;
    let mut proposed = proposal(args, &resource)?
        .apply(&resource, current.as_ref())
        .map_err(|e| e.to_string())?;
    if let (ResourceConfig::S3Bucket(b), None) = (&mut proposed, &current) {
        // A new bucket is subject to its account's settings.
        b.account_public_access_block = account_bpa;
    }
    let previous = args
        .previous
        .as_deref()
        .map(|p| read_findings_file(p, "previous findings"))
        .transpose()?;
    let rules = read_rules(args.archive_rules.as_deref())?;
    preview_resource(
        current.as_ref(),
        &proposed,
        &zone,
        previous.as_deref(),
        &rules,
        &Options::default(),
        now,
    )
    .map_err(|e| e.to_string())
}

pub fn run(args: Args) -> ExitCode {
    let preview = match prepare(&args) {
        Ok(p) => p,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    let format = args.format.unwrap_or(if stdout_is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    match format {
        Format::Json => write_line(&json!({ "findings": preview }).to_string()),
        Format::Table => {
            for p in &preview {
                let f = &p.finding;
                let principal = f
                    .principal
                    .iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let conditions = f
                    .condition
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let via = f
                    .sources
                    .iter()
                    .map(|s| s.kind.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                let line = format!(
                    "{:<9}  {:<8}  was {:<8}  {}{}  {}  {}{}",
                    p.change_type.as_str(),
                    f.status.as_str(),
                    p.existing_finding_status.map_or("-", |s| s.as_str()),
                    if f.is_public == Some(true) {
                        "public "
                    } else {
                        ""
                    },
                    if principal.is_empty() {
                        f.error.clone().unwrap_or_default()
                    } else {
                        principal
                    },
                    f.action.join(","),
                    conditions,
                    if via.is_empty() || via == "POLICY" {
                        String::new()
                    } else {
                        format!("  via {via}")
                    }
                );
                write_line(line.trim_end());
            }
            write_line(&format!("{} preview findings", preview.len()));
        }
    }
    let adds_active = preview.iter().any(|p| {
        p.finding.status == Status::Active
            && (p.change_type == ChangeType::New
                || (p.change_type == ChangeType::Changed
                    && p.existing_finding_status == Some(Status::Resolved)))
    });
    if adds_active {
        error("the proposal adds active external access");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
