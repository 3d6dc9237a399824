//! `perimeter preview`: the findings a proposed resource policy would give, compared with the
//! resource's current findings (Access Analyzer's access previews, for resource policies).

use crate::io::{error, read_input, stdout_is_terminal, write_line};
use perimeter::analyze::{Options, Resource, ResourceType, Status, ZoneOfTrust};
use perimeter::findings::{
    preview_policy, read_findings, ArchiveRules, ChangeType, PreviewFinding, ProposedPolicy,
};
use perimeter::policy::Policy;
use perimeter::scalar::Timestamp;
use serde_json::json;
use std::process::ExitCode;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `{"findings": [...]}` in the shape of ListAccessPreviewFindings.
    Json,
    /// A readable table.
    Table,
}

/// Preview the external access a proposed resource policy would give.
///
/// Exit status: 0 when the proposal adds no active finding, 1 when it does (new access that no
/// archive rule archives), 2 for a usage error or an input that cannot be read.
#[derive(clap::Args)]
pub struct Args {
    /// The resource's ARN.
    #[arg(long, value_name = "ARN")]
    resource_arn: String,
    /// The resource type, such as `AWS::S3::Bucket`.
    #[arg(long, value_name = "TYPE")]
    resource_type: String,
    /// The account that owns the resource (default: the account in the ARN).
    #[arg(long, value_name = "ACCOUNT")]
    owner: Option<String>,
    /// The proposed policy (omit it to keep the current one).
    #[arg(long, value_name = "FILE", conflicts_with = "delete_policy")]
    policy: Option<String>,
    /// Propose deleting the policy.
    #[arg(long)]
    delete_policy: bool,
    /// The resource's current policy (omit it for a new resource, or with `--existing`).
    #[arg(long, value_name = "FILE")]
    current: Option<String>,
    /// The last run's findings (`perimeter findings --format json`): the baseline. Without it,
    /// the baseline is the analysis of `--current`.
    #[arg(long, value_name = "FILE")]
    existing: Option<String>,
    /// Archive rules, which predict the status of new findings.
    #[arg(long, value_name = "FILE")]
    archive_rules: Option<String>,
    /// More accounts in the zone of trust (repeatable); the owner's account is always in it.
    #[arg(long = "trusted-account", value_name = "ACCOUNT")]
    trusted_accounts: Vec<String>,
    /// The time of the preview (ISO 8601), written as `createdAt`.
    #[arg(long, value_name = "TIME")]
    now: String,
    /// Output format (default: table on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
}

fn read_policy(path: &str) -> Result<Policy, String> {
    let text = read_input(path)?;
    Policy::parse(&text).map_err(|e| format!("policy `{path}`: {e}"))
}

fn prepare(args: &Args) -> Result<Vec<PreviewFinding>, String> {
    let now = Timestamp::parse(&args.now).ok_or_else(|| {
        format!(
            "`--now {}` is not a time; use ISO 8601, e.g. `2025-05-01T00:00:00Z`",
            args.now
        )
    })?;
    let resource_type = ResourceType::parse(&args.resource_type)
        .ok_or_else(|| format!("unknown resource type `{}`", args.resource_type))?;
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
    let resource = Resource::new(&args.resource_arn, resource_type, &owner);
    let mut zone = ZoneOfTrust::account(&owner);
    for a in &args.trusted_accounts {
        zone = zone.with_trusted_account(a);
    }
    zone.validate().map_err(|e| e.to_string())?;
    let proposed = match (&args.policy, args.delete_policy) {
        (Some(p), _) => ProposedPolicy::Set(read_policy(p)?),
        (None, true) => ProposedPolicy::Delete,
        (None, false) => ProposedPolicy::Keep,
    };
    let current = args.current.as_deref().map(read_policy).transpose()?;
    let existing = match &args.existing {
        Some(p) => {
            Some(read_findings(&read_input(p)?).map_err(|e| format!("findings `{p}`: {e}"))?)
        }
        None => None,
    };
    let rules = match &args.archive_rules {
        Some(p) => {
            ArchiveRules::parse(&read_input(p)?).map_err(|e| format!("archive rules `{p}`: {e}"))?
        }
        None => ArchiveRules::none(),
    };
    preview_policy(
        &resource,
        current.as_ref(),
        &proposed,
        &zone,
        existing.as_deref(),
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
                write_line(&format!(
                    "{:<9}  {:<8} (was {:<8})  {}{}  {}  {}",
                    p.change_type.as_str(),
                    f.status.as_str(),
                    p.existing_finding_status.map_or("-", |s| s.as_str()),
                    if f.is_public == Some(true) {
                        "public "
                    } else {
                        ""
                    },
                    principal,
                    f.action.join(","),
                    conditions
                ));
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
