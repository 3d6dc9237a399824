//! `perimeter analyze`: external access findings for an account snapshot or one policy.

use crate::io::{error, read_input, stdout_is_terminal};
use perimeter::analyze::{
    analyze_all, Finding, KmsKey, LambdaFunction, Mode, Options, Organization, PolicyResource,
    Resource, ResourceConfig, ResourceType, S3Bucket, Snapshot, ZoneOfTrust,
};
use perimeter::policy::Policy;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::process::ExitCode;

/// Find who outside the zone of trust can reach each resource.
///
/// Reads an account snapshot (see `docs/snapshot.md`), or one policy with `--policy`. Exit
/// status: 0 no findings, 1 findings, 2 bad input or usage.
#[derive(clap::Args)]
pub struct Args {
    /// The snapshot (`-` for standard input). Not with `--policy`.
    snapshot: Option<String>,
    /// Analyse this one resource policy instead of a snapshot.
    #[arg(long, value_name = "FILE")]
    policy: Option<String>,
    /// With `--policy`: the resource type, such as `AWS::S3::Bucket` or `AWS::IAM::Role`.
    #[arg(long, value_name = "TYPE")]
    resource_type: Option<String>,
    /// With `--policy`: the resource ARN.
    #[arg(long, value_name = "ARN")]
    resource_arn: Option<String>,
    /// With `--policy`: the account that owns the resource (default: the ARN's account).
    #[arg(long, value_name = "ID")]
    account: Option<String>,
    /// A trusted account (repeatable). With `--zone-org`, replaces the snapshot's zone of trust.
    /// Default: the snapshot's zone, else each resource's owner account.
    #[arg(long = "zone-account", value_name = "ID")]
    zone_accounts: Vec<String>,
    /// A trusted organization: a JSON file `{"id": "o-…", "accounts": {"ID": "OU path", …}}`.
    #[arg(long, value_name = "FILE")]
    zone_org: Option<String>,
    /// `compatible`: Access Analyzer's findings; `minimal`: also drop jointly covered findings.
    #[arg(long, value_enum, default_value = "compatible")]
    mode: CliMode,
    /// Output format (default: `table` on a terminal, `json` otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Do not attach witness requests (faster, smaller output).
    #[arg(long)]
    no_witnesses: bool,
    /// Work allowed per resource; a resource that needs more gets an error finding.
    #[arg(long, value_name = "N")]
    budget: Option<u64>,
    /// Threads (default: all cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CliMode {
    Compatible,
    Minimal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Table,
}

/// The most read errors kept for the JSON output (all are printed on standard error).
const MAX_ERRORS: usize = 1000;

fn zone_from_flags(args: &Args) -> Result<Option<ZoneOfTrust>, String> {
    let mut zone = match &args.zone_org {
        None => None,
        Some(file) => {
            let text = read_input(file)?;
            let v: Value = serde_json::from_str(&text)
                .map_err(|e| format!("`{file}` is not valid json: {e}"))?;
            let org: Organization = serde_json::from_value(v)
                .map_err(|e| format!("`{file}` is not an organization ({{\"id\": \"o-…\", \"accounts\": {{…}}}}): {e}"))?;
            Some(ZoneOfTrust::organization(org))
        }
    };
    for a in &args.zone_accounts {
        zone = Some(match zone {
            Some(z) => z.with_trusted_account(a),
            None => ZoneOfTrust::account(a),
        });
    }
    if let Some(z) = &zone {
        z.validate().map_err(|e| e.to_string())?;
    }
    Ok(zone)
}

fn one_policy(args: &Args, file: &str) -> Result<ResourceConfig, String> {
    let t = args
        .resource_type
        .as_deref()
        .ok_or("`--policy` needs `--resource-type`")?;
    let t = ResourceType::parse(t).ok_or_else(|| {
        format!(
            "unknown resource type `{t}` (expected one of {})",
            ResourceType::ALL
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let arn = args
        .resource_arn
        .as_deref()
        .ok_or("`--policy` needs `--resource-arn`")?;
    let account = match &args.account {
        Some(a) => a.clone(),
        None => arn
            .split(':')
            .nth(4)
            .filter(|a| perimeter::arn::is_account_id(a))
            .map(str::to_string)
            .ok_or("`--policy` needs `--account` (the resource ARN has no account id)")?,
    };
    if !perimeter::arn::is_account_id(&account) {
        return Err(format!(
            "`--account {account}` is not a 12-digit account id"
        ));
    }
    let text = read_input(file)?;
    let policy = Policy::parse(&text).map_err(|e| format!("`{file}`: {e}"))?;
    Ok(match t {
        ResourceType::S3Bucket => {
            ResourceConfig::S3Bucket(S3Bucket::new(arn, &account).with_policy(policy))
        }
        ResourceType::KmsKey => {
            ResourceConfig::KmsKey(KmsKey::new(arn, &account).with_policy(policy))
        }
        ResourceType::LambdaFunction => {
            ResourceConfig::LambdaFunction(LambdaFunction::new(arn, &account).with_policy(policy))
        }
        _ => ResourceConfig::Policy(PolicyResource::new(
            Resource::new(arn, t, &account),
            Some(policy),
        )),
    })
}

pub fn run(args: Args) -> ExitCode {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => {
            error(&e);
            ExitCode::from(2)
        }
    }
}

fn run_inner(args: &Args) -> Result<ExitCode, String> {
    let flags_zone = zone_from_flags(args)?;
    let mut options = Options::default().with_mode(match args.mode {
        CliMode::Compatible => Mode::Compatible,
        CliMode::Minimal => Mode::Minimal,
    });
    if args.no_witnesses {
        options = options.without_witnesses();
    }
    if let Some(b) = args.budget {
        options = options.with_budget(b);
    }
    let threads = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let format = args.format.unwrap_or(if stdout_is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    match (&args.snapshot, &args.policy) {
        (Some(_), Some(_)) => Err("give a snapshot or `--policy`, not both".into()),
        (None, None) => {
            Err("give a snapshot file (or `-` for standard input), or `--policy FILE`".into())
        }
        (None, Some(file)) => {
            let config = one_policy(args, file)?;
            let zone = flags_zone
                .unwrap_or_else(|| ZoneOfTrust::account(&config.resource().owner_account));
            Ok(emit(
                std::iter::once(Ok(config)),
                Some(&zone),
                &options,
                threads,
                format,
                false,
            ))
        }
        (Some(path), None) => {
            if args.resource_type.is_some() || args.resource_arn.is_some() || args.account.is_some()
            {
                return Err(
                    "`--resource-type`, `--resource-arn` and `--account` go with `--policy`".into(),
                );
            }
            let reader: Box<dyn BufRead> = if path == "-" {
                Box::new(BufReader::new(std::io::stdin()))
            } else {
                Box::new(BufReader::with_capacity(
                    1 << 16,
                    std::fs::File::open(path).map_err(|e| format!("cannot read `{path}`: {e}"))?,
                ))
            };
            let snapshot = Snapshot::read(reader).map_err(|e| format!("`{path}`: {e}"))?;
            let zone = flags_zone.or_else(|| snapshot.zone_of_trust().cloned());
            Ok(emit(
                snapshot,
                zone.as_ref(),
                &options,
                threads,
                format,
                std::io::stderr().is_terminal(),
            ))
        }
    }
}

/// Analyse and write the findings as they come, in input order.
fn emit(
    resources: impl Iterator<Item = Result<ResourceConfig, perimeter::Error>>,
    zone: Option<&ZoneOfTrust>,
    options: &Options,
    threads: usize,
    format: Format,
    progress: bool,
) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let bar = progress.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let mut resources_seen = 0usize;
    let mut with_findings = 0usize;
    let mut findings_count = 0usize;
    let mut public = 0usize;
    let mut errors: Vec<Value> = Vec::new();
    let mut error_count = 0usize;
    let mut first = true;
    let mut broken = false;
    if format == Format::Json {
        broken |= write!(out, "{{\"findings\": [").is_err();
    }
    analyze_all(resources, zone, options, threads, |i, result| {
        resources_seen += 1;
        match result {
            Ok(findings) => {
                if !findings.is_empty() {
                    with_findings += 1;
                }
                findings_count += findings.len();
                public += findings
                    .iter()
                    .filter(|f| f.is_public == Some(true))
                    .count();
                if broken {
                    return;
                }
                match format {
                    Format::Json => {
                        for f in &findings {
                            let text = serde_json::to_string(f).unwrap_or_default();
                            let sep = if first { "\n" } else { ",\n" };
                            first = false;
                            broken |= write!(out, "{sep}{text}").is_err();
                        }
                    }
                    Format::Table => {
                        broken |= table(&mut out, &findings).is_err();
                    }
                }
            }
            Err(e) => {
                error_count += 1;
                error(&e.to_string());
                if errors.len() < MAX_ERRORS {
                    let mut v = json!({"index": i, "error": e.message()});
                    if let Some(l) = e.location() {
                        v["line"] = json!(l.line);
                        v["column"] = json!(l.column + 1);
                        v["pointer"] = json!(l.pointer);
                    }
                    errors.push(v);
                }
            }
        }
        if let Some(bar) = &bar {
            bar.set_message(format!(
                "{resources_seen} resources, {findings_count} findings"
            ));
            bar.tick();
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match format {
        Format::Json => {
            let _ = write!(out, "{}]", if first { "" } else { "\n" });
            if !errors.is_empty() {
                let _ = write!(
                    out,
                    ",\n\"errors\": {}",
                    serde_json::to_string(&errors).unwrap_or_default()
                );
            }
            let _ = writeln!(out, "}}");
        }
        Format::Table => {
            let _ = writeln!(
                out,
                "{findings_count} finding{} ({public} public) on {with_findings} of {resources_seen} resources{}",
                if findings_count == 1 { "" } else { "s" },
                if error_count > 0 {
                    format!("; {error_count} resources could not be read")
                } else {
                    String::new()
                }
            );
        }
    }
    let _ = out.flush();
    if error_count > 0 {
        ExitCode::from(2)
    } else if findings_count > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A readable block per resource: who, then what and how, then under which conditions.
fn table(out: &mut impl Write, findings: &[Finding]) -> std::io::Result<()> {
    let Some(first) = findings.first() else {
        return Ok(());
    };
    writeln!(out, "{}  {}", first.resource, first.resource_type)?;
    for f in findings {
        if let Some(e) = &f.error {
            writeln!(
                out,
                "  ERROR     {e}{}",
                f.note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            )?;
            continue;
        }
        let who: Vec<String> = f
            .principal
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let level = if f.is_public == Some(true) {
            "PUBLIC"
        } else {
            "external"
        };
        writeln!(out, "  {level:<9} {}", who.join(", "))?;
        let via: Vec<String> = f
            .sources
            .iter()
            .map(|s| {
                let detail = s.detail.as_ref().and_then(|d| {
                    d.access_point_arn
                        .clone()
                        .or_else(|| d.access_point_account.clone())
                });
                match detail {
                    Some(d) => format!("{} {d}", s.kind),
                    None => s.kind.clone(),
                }
            })
            .collect();
        writeln!(
            out,
            "            {} (via {})",
            f.action.join(", "),
            via.join(", ")
        )?;
        if !f.condition.is_empty() {
            let cond: Vec<String> = f
                .condition
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            writeln!(out, "            if {}", cond.join(" and "))?;
        }
    }
    Ok(())
}
