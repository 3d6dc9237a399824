//! `perimeter unused`: unused roles, access keys, passwords and permissions from CloudTrail.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use perimeter::activity::{
    find_unused, read_sql_rows, AccessKeys, AccountInputs, ActivitySummary, AuthorizationDetails,
    CloudTrailReader, CredentialReport, FindingDetails, LogFiles, ReadOptions, ReadReport,
    Timestamp, UnusedAccessOptions,
};

use crate::io::{error, read_input, stdout_is_terminal, write_line};

/// Output format.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// `{"findings": [...], "notes": {...}, "logs": {...}}`.
    Json,
    /// A readable table.
    Table,
}

/// Find unused roles, access keys, passwords and permissions (Access Analyzer's unused access).
#[derive(clap::Args)]
pub struct Args {
    /// `aws iam get-account-authorization-details` output (JSON; a JSON array of pages is fine).
    #[arg(long, value_name = "FILE")]
    authorization_details: String,
    /// The IAM credential report: the decoded CSV, or `aws iam get-credential-report` JSON.
    #[arg(long, value_name = "FILE")]
    credential_report: Option<String>,
    /// A JSON array of `aws iam list-access-keys` outputs (one per user).
    #[arg(long, value_name = "FILE")]
    access_keys: Option<String>,
    /// CloudTrail log files or directories (`AWSLogs/…`), `.json` / `.json.gz`, or
    /// `lookup-events` output.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    cloudtrail: Vec<PathBuf>,
    /// Rows of the SQL query in docs/activity-sql.md (CSV or JSON).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    cloudtrail_rows: Vec<String>,
    /// Days without use after which access is unused (1 to 180).
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    tracking_period: u32,
    /// The time of the analysis (ISO 8601, e.g. `2024-05-01T00:00:00Z`); events after it are
    /// ignored.
    #[arg(long, value_name = "TIME")]
    now: String,
    /// Count only allowed calls as use (by default denied attempts count, as in IAM).
    #[arg(long)]
    exclude_denied: bool,
    /// Output format (default: table on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
}

/// Reads CloudTrail paths and row files into one summary, with a progress bar on a terminal.
pub fn read_activity(
    paths: &[PathBuf],
    rows: &[String],
    options: &ReadOptions,
) -> Result<(ActivitySummary, ReadReport), String> {
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Some(bar)
    } else {
        None
    };
    let mut reader = CloudTrailReader::new(options.clone());
    for path in paths {
        if !path.exists() {
            return Err(format!(
                "cannot read `{}`: no such file or directory",
                path.display()
            ));
        }
        for file in LogFiles::new(path) {
            match file {
                Ok(f) => reader.read_file(&f),
                Err((p, e)) => eprintln!("perimeter: warning: cannot read `{}`: {e}", p.display()),
            }
            if let Some(bar) = &bar {
                let r = reader.report();
                bar.set_message(format!(
                    "{} files, {} MiB, {} events",
                    r.files,
                    r.bytes >> 20,
                    r.used
                ));
                bar.tick();
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (mut summary, mut report) = reader.finish();
    for file in rows {
        let text = read_input(file)?;
        let r = read_sql_rows(file, &text, options, &mut summary);
        report.merge(r);
    }
    for p in &report.problems {
        eprintln!("perimeter: warning: {p}");
    }
    if report.more_problems > 0 {
        eprintln!(
            "perimeter: warning: {} more problems not shown",
            report.more_problems
        );
    }
    Ok((summary, report))
}

fn parse_now(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse(text).map_err(|e| format!("--now: {e}"))
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
    let now = parse_now(&args.now)?;
    let mut options =
        UnusedAccessOptions::new(now, args.tracking_period).map_err(|e| e.to_string())?;
    options.count_denied = !args.exclude_denied;
    let authz = AuthorizationDetails::parse(&read_input(&args.authorization_details)?)
        .map_err(|e| format!("`{}`: {e}", args.authorization_details))?;
    let report = match &args.credential_report {
        Some(f) => {
            Some(CredentialReport::parse(&read_input(f)?).map_err(|e| format!("`{f}`: {e}"))?)
        }
        None => None,
    };
    let keys = match &args.access_keys {
        Some(f) => Some(AccessKeys::parse(&read_input(f)?).map_err(|e| format!("`{f}`: {e}"))?),
        None => None,
    };
    let (summary, read) = read_activity(
        &args.cloudtrail,
        &args.cloudtrail_rows,
        &ReadOptions::default().not_after(now),
    )?;
    let inputs = AccountInputs {
        authorization: Some(&authz),
        credential_report: report.as_ref(),
        access_keys: keys.as_ref(),
    };
    let result = find_unused(&summary, &inputs, &options);
    let format = args.format.unwrap_or(if stdout_is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    match format {
        Format::Json => {
            let out = serde_json::json!({
                "findings": result.findings,
                "notes": result.notes,
                "logs": {
                    "files": read.files, "events": read.used, "malformed": read.malformed,
                    "badFiles": read.bad_files, "afterNow": read.after_now,
                },
            });
            write_line(&serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Table => {
            write_line(&format!(
                "{:<24} {:<64} {:<28} LAST USED",
                "FINDING", "RESOURCE", "DETAIL"
            ));
            for f in &result.findings {
                let (detail, last) = match f.finding_details.first() {
                    Some(FindingDetails::UnusedIamRoleDetails { last_accessed })
                    | Some(FindingDetails::UnusedIamUserPasswordDetails { last_accessed }) => {
                        (String::new(), *last_accessed)
                    }
                    Some(FindingDetails::UnusedIamUserAccessKeyDetails {
                        access_key_id,
                        last_accessed,
                    }) => (access_key_id.clone(), *last_accessed),
                    Some(FindingDetails::UnusedPermissionDetails {
                        service_namespace,
                        actions,
                        last_accessed,
                    }) => {
                        let d = if actions.is_empty() {
                            service_namespace.clone()
                        } else {
                            format!("{service_namespace} ({} actions)", actions.len())
                        };
                        (d, *last_accessed)
                    }
                    None => (String::new(), None),
                };
                write_line(&format!(
                    "{:<24} {:<64} {:<28} {}",
                    format!("{:?}", f.finding_type),
                    f.resource,
                    detail,
                    last.map_or_else(|| "never (in the logs)".to_owned(), |t| t.to_string())
                ));
            }
            write_line(&format!(
                "{} findings; {} events from {} files ({} malformed, {} damaged files)",
                result.findings.len(),
                read.used,
                read.files,
                read.malformed,
                read.bad_files
            ));
        }
    }
    Ok(if result.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
