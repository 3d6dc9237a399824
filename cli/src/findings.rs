//! `perimeter findings`: the lifecycle of external access findings across runs (archive rules,
//! active / archived / resolved), exports (JSON, table, SARIF, ASFF, EventBridge events) and the
//! CI gate, on a findings file that an analysis wrote.

use crate::io::{error, read_input, stdout_is_terminal, write_line};
use perimeter::analyze::{Finding, Status};
use perimeter::findings::{
    apply_archive_rule, asff, events, gate, read_findings, sarif, to_json, update, ArchiveRules,
    AsffGrouping, AsffOptions, Change, ChangeKind, EventOptions, FailOn, LifecycleOptions,
    SarifOptions,
};
use perimeter::scalar::Timestamp;
use std::collections::HashMap;
use std::process::ExitCode;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `{"findings": [...], "changes": [...]}`: the next run's `--previous`.
    Json,
    /// A readable table.
    Table,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// AWS Security Finding Format, a JSON array for Security Hub's BatchImportFindings.
    Asff,
    /// EventBridge events in Access Analyzer's shape, one JSON object per line, one per change.
    Events,
}

/// Which findings fail the run (exit status 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Gate {
    /// Any active finding (not archived, not resolved).
    Active,
    /// Any active public finding (or active error finding: the resource may be public).
    Public,
    /// Any active finding that is new in this run (created or reopened).
    New,
    /// Any finding whose access exists (active or archived).
    Any,
    /// Never.
    None,
}

impl Gate {
    fn fail_on(self) -> FailOn {
        match self {
            Gate::Active => FailOn::Active,
            Gate::Public => FailOn::Public,
            Gate::New => FailOn::New,
            Gate::Any => FailOn::Any,
            Gate::None => FailOn::None,
        }
    }
}

/// Track external access findings across runs and export them.
///
/// Exit status: 0 when the gate passes, 1 when it fails (see `--fail-on`), 2 for a usage
/// error or an input that cannot be read. See `docs/cli.md`.
#[derive(clap::Args)]
pub struct Args {
    /// The findings of this run (`{"findings": [...]}` or an array; `-` for standard input).
    #[arg(long, value_name = "FILE")]
    input: String,
    /// The previous run's output (`--format json`), or `aws accessanalyzer list-findings`
    /// output.
    #[arg(long, value_name = "FILE")]
    previous: Option<String>,
    /// Archive rules: `[{"ruleName", "filter"}]`, `{"archiveRules": [...]}`, or one filter.
    #[arg(long, value_name = "FILE")]
    archive_rules: Option<String>,
    /// Also archive existing active findings that the rules match (ApplyArchiveRule).
    #[arg(long)]
    apply_archive_rules: bool,
    /// The time of this run (ISO 8601, e.g. `2025-05-01T00:00:00Z`).
    #[arg(long, value_name = "TIME")]
    now: String,
    /// This run analysed only these resources (ARNs, repeatable) and those with findings in
    /// `--input`: the previous findings of other resources are kept as they were instead of
    /// being resolved.
    #[arg(long = "resource", value_name = "ARN")]
    resources: Vec<String>,
    /// Output format (default: table on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Which findings fail the run.
    #[arg(long, value_enum, default_value = "active")]
    fail_on: Gate,
    /// The analyzer's Region (events, ASFF): also the Region of resources whose ARN has none.
    #[arg(long, value_name = "REGION", default_value = "us-east-1")]
    region: String,
    /// The analyzer's account (events, ASFF). Default: each resource owner's account.
    #[arg(long, value_name = "ACCOUNT")]
    account: Option<String>,
    /// The analyzer's ARN (events; ASFF ids).
    #[arg(long, value_name = "ARN")]
    analyzer_arn: Option<String>,
    /// The Security Hub product ARN (ASFF). Default: the account's own `default` product.
    #[arg(long, value_name = "ARN")]
    product_arn: Option<String>,
    /// One ASFF finding per resource, as Access Analyzer's Security Hub integration sends them.
    #[arg(long)]
    asff_per_resource: bool,
    /// The file SARIF results point at (default: the `--input` file).
    #[arg(long, value_name = "URI")]
    sarif_uri: Option<String>,
    /// Include resolved findings in SARIF (as `baselineState: absent`) and in the table.
    #[arg(long)]
    include_resolved: bool,
}

fn load(args: &Args) -> Result<(Vec<Finding>, Vec<Finding>, ArchiveRules, Timestamp), String> {
    let now = Timestamp::parse(&args.now).ok_or_else(|| {
        format!(
            "`--now {}` is not a time; use ISO 8601, e.g. `2025-05-01T00:00:00Z`",
            args.now
        )
    })?;
    let read = |path: &str, what: &str| -> Result<Vec<Finding>, String> {
        let text = read_input(path)?;
        read_findings(&text).map_err(|e| format!("{what} `{path}`: {e}"))
    };
    let current = read(&args.input, "findings")?;
    let previous = match &args.previous {
        Some(p) => read(p, "previous findings")?,
        None => Vec::new(),
    };
    let rules = match &args.archive_rules {
        Some(p) => {
            let text = read_input(p)?;
            ArchiveRules::parse(&text).map_err(|e| format!("archive rules `{p}`: {e}"))?
        }
        None => ArchiveRules::none(),
    };
    Ok((current, previous, rules, now))
}

pub fn run(args: Args) -> ExitCode {
    let (current, previous, rules, now) = match load(&args) {
        Ok(x) => x,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    let mut options = LifecycleOptions::default();
    if !args.resources.is_empty() {
        // The resources named, and those with findings in this run (which were analysed too).
        let scope = args
            .resources
            .iter()
            .cloned()
            .chain(current.iter().map(|f| f.resource.clone()));
        options = options.with_scope(scope);
    }
    let mut run = update(&previous, &current, &rules, now, &options);
    let mut changes: Vec<Change> = run.changes.clone();
    if args.apply_archive_rules {
        for rule in rules.rules() {
            changes.extend(apply_archive_rule(&mut run.findings, rule, now));
        }
    }
    let findings = run.findings;
    let format = args.format.unwrap_or(if stdout_is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    match format {
        Format::Json => write_line(&to_json(&findings, Some(&changes)).to_string()),
        Format::Table => table(&findings, &changes, args.include_resolved),
        Format::Sarif => {
            let uri = args.sarif_uri.clone().unwrap_or_else(|| {
                if args.input == "-" {
                    "findings.json".into()
                } else {
                    args.input.clone()
                }
            });
            let mut o = SarifOptions::default().with_artifact(&uri);
            if args.include_resolved {
                o = o.with_resolved();
            }
            write_line(&sarif(&findings, &o).to_string());
        }
        Format::Asff => {
            let mut o = AsffOptions::new(&args.region, now);
            if let Some(a) = &args.account {
                o = o.with_account(a);
            }
            if let Some(a) = &args.product_arn {
                o = o.with_product_arn(a);
            }
            if let Some(a) = &args.analyzer_arn {
                o = o.with_analyzer_arn(a);
            }
            if args.asff_per_resource {
                o = o.with_grouping(AsffGrouping::Resource);
            }
            write_line(&serde_json::Value::Array(asff(&findings, &o)).to_string());
        }
        Format::Events => {
            let mut o = EventOptions::new(&args.region, now);
            if let Some(a) = &args.account {
                o = o.with_account(a);
            }
            if let Some(a) = &args.analyzer_arn {
                o = o.with_analyzer_arn(a);
            }
            for e in events(&changes, &o) {
                write_line(&e.to_string());
            }
        }
    }
    let verdict = gate(&findings, &changes, args.fail_on.fail_on());
    if verdict.fail {
        error(&format!(
            "{} finding{} fail `--fail-on {}`: {}",
            verdict.failing.len(),
            if verdict.failing.len() == 1 { "" } else { "s" },
            args.fail_on.fail_on(),
            verdict.failing.join(", ")
        ));
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Cut a cell to `max` characters.
fn cell(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

fn table(findings: &[Finding], changes: &[Change], include_resolved: bool) {
    let change_of: HashMap<&str, ChangeKind> = changes
        .iter()
        .map(|c| (c.finding.id.as_str(), c.kind))
        .collect();
    let header = [
        "ID",
        "STATUS",
        "CHANGE",
        "KIND",
        "RESOURCE",
        "PRINCIPAL",
        "ACTIONS",
        "CONDITIONS",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for f in findings {
        if f.status == Status::Resolved
            && !include_resolved
            && !change_of.contains_key(f.id.as_str())
        {
            continue;
        }
        let kind = if f.error.is_some() {
            "error"
        } else if f.is_public == Some(true) {
            "public"
        } else {
            "external"
        };
        let principal = f
            .principal
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join(" ");
        let actions = match f.action.as_slice() {
            [] => f.error.clone().unwrap_or_default(),
            [one] => one.clone(),
            [first, rest @ ..] => format!("{first} +{}", rest.len()),
        };
        let conditions = f
            .condition
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        rows.push(vec![
            f.id.chars().take(8).collect(),
            f.status.to_string(),
            change_of
                .get(f.id.as_str())
                .map(|k| k.to_string())
                .unwrap_or_default(),
            kind.into(),
            cell(&f.resource, 60),
            cell(&principal, 48),
            cell(&actions, 40),
            cell(&conditions, 60),
        ]);
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(w.saturating_sub(c.chars().count()) + 2));
            }
        }
        s.trim_end().to_string()
    };
    if !rows.is_empty() {
        write_line(&line(&header.map(String::from)));
        for r in &rows {
            write_line(&line(r));
        }
    }
    let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
    let changed = |k: ChangeKind| changes.iter().filter(|c| c.kind == k).count();
    write_line(&format!(
        "{} active, {} archived, {} resolved; changes: {} new, {} resolved, {} reopened, {} archived, {} deleted, {} expired",
        count(Status::Active),
        count(Status::Archived),
        count(Status::Resolved),
        changed(ChangeKind::New),
        changed(ChangeKind::Resolved),
        changed(ChangeKind::Reopened),
        changed(ChangeKind::Archived),
        changed(ChangeKind::Deleted),
        changed(ChangeKind::Expired),
    ));
}
