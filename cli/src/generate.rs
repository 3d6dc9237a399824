//! `perimeter generate-policy`: least-privilege policies for a principal from CloudTrail.

use std::path::PathBuf;
use std::process::ExitCode;

use perimeter::activity::{generate_policies, GenerateOptions, ReadOptions, Timestamp};
use perimeter::policy::Policy;

use crate::io::{error, stdout_is_terminal, write_line};
use crate::unused::read_activity;

/// Output format.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// `{"policies": [...], "generatedPolicyResult": {...}, "actions": [...], "notes": {...}}`.
    Json,
    /// The actions with their resources, then the policies.
    Table,
}

/// Generate identity policies granting what a role or user used (Access Analyzer's policy
/// generation).
#[derive(clap::Args)]
pub struct Args {
    /// The role or user ARN (a role session ARN names its role).
    #[arg(long, value_name = "ARN")]
    principal: String,
    /// CloudTrail log files or directories (`AWSLogs/…`), `.json` / `.json.gz`, or
    /// `lookup-events` output.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    cloudtrail: Vec<PathBuf>,
    /// Rows of the SQL query in docs/activity-sql.md (CSV or JSON).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    cloudtrail_rows: Vec<String>,
    /// The end of the time range (ISO 8601, e.g. `2024-05-01T00:00:00Z`); later events are
    /// ignored.
    #[arg(long, value_name = "TIME")]
    now: String,
    /// The length of the time range, in days before `--now` (1 to 90).
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    days: u32,
    /// Grant the resources the events named instead of `${Placeholder}` templates.
    #[arg(long)]
    observed_resources: bool,
    /// Leave out calls that were denied (by default they are generated, as in Access Analyzer).
    #[arg(long)]
    exclude_denied: bool,
    /// Output format (default: table on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
}

pub fn run(args: Args) -> ExitCode {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => {
            error(&e);
            ExitCode::from(2)
        }
    }
}

fn run_inner(args: Args) -> Result<ExitCode, String> {
    let now = Timestamp::parse(&args.now).map_err(|e| format!("--now: {e}"))?;
    let mut options = GenerateOptions::new(now, args.days).map_err(|e| format!("--days: {e}"))?;
    options.observed_resources = args.observed_resources;
    options.count_denied = !args.exclude_denied;
    if perimeter::activity::PrincipalRef::from_arn(&args.principal).is_none() {
        return Err(format!(
            "--principal: `{}` is not a role, role session or user ARN",
            args.principal
        ));
    }
    if args.cloudtrail.is_empty() && args.cloudtrail_rows.is_empty() {
        return Err("give the logs with --cloudtrail or --cloudtrail-rows".to_owned());
    }
    let (summary, read) = read_activity(
        &args.cloudtrail,
        &args.cloudtrail_rows,
        &ReadOptions::default()
            .not_after(now)
            .not_before(options.start),
    )?;
    let generated = generate_policies(&summary, &args.principal, &options);
    let format = args.format.unwrap_or(if stdout_is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    match format {
        Format::Json => {
            let out = serde_json::json!({
                "policies": generated.policies(),
                "generatedPolicyResult": generated.generated_policy_result,
                "actions": generated.actions,
                "notes": generated.notes,
                "logs": {
                    "files": read.files, "events": read.used, "malformed": read.malformed,
                    "badFiles": read.bad_files, "afterNow": read.after_now,
                },
            });
            write_line(&serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Table => {
            write_line(&format!(
                "{:<48} {:<22} {:>7}  RESOURCES",
                "ACTION", "LAST USED", "CALLS"
            ));
            for a in &generated.actions {
                write_line(&format!(
                    "{:<48} {:<22} {:>7}  {}",
                    a.action,
                    a.last_used.to_string(),
                    a.count,
                    a.resources.join(" ")
                ));
            }
            let policies = &generated.generated_policy_result.generated_policies;
            for (i, p) in policies.iter().enumerate() {
                write_line(&format!("\npolicy {} of {}:", i + 1, policies.len()));
                let pretty = Policy::parse(&p.policy).map(|p| p.to_json_pretty());
                write_line(pretty.as_deref().unwrap_or(&p.policy));
            }
            let notes = &generated.notes;
            if !notes.unknown_actions.is_empty() {
                write_line(&format!(
                    "\nnot generated (unknown to the service reference): {}",
                    notes.unknown_actions.join(", ")
                ));
            }
            if !notes.placeholders.is_empty() {
                write_line(&format!(
                    "\nno resource named by the events, template used: {}",
                    notes.placeholders.join(", ")
                ));
            }
            for l in &notes.limitations {
                write_line(&format!("note: {l}"));
            }
            write_line(&format!(
                "{} actions in {} policies; {} events from {} files ({} malformed, {} damaged files){}",
                generated.actions.len(),
                policies.len(),
                read.used,
                read.files,
                read.malformed,
                read.bad_files,
                if generated.generated_policy_result.properties.is_complete {
                    ""
                } else {
                    "; incomplete"
                }
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}
