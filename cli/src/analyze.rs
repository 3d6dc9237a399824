//! `perimeter analyze`: external access findings for an account snapshot or one policy, with the
//! findings lifecycle across runs (`--previous`, `--archive-rules`, `--now`), exports (SARIF,
//! ASFF, EventBridge events) and the CI gate (`--fail-on`).
//!
//! Resources are analysed in parallel and written as they are done, in snapshot order. With the
//! lifecycle, the previous run's findings are held in memory, indexed by resource, and each
//! resource is compared with its own as it comes; what is buffered besides: the ARNs analysed,
//! the short change records of the JSON output (`changes`), and the SARIF rules.

use crate::io::{error, read_input, stdout_is_terminal};
use crate::report::{parse_now, read_findings_file, read_rules, ExportArgs, Format, Gate, Tally};
use perimeter::analyze::{
    analyze_all, Finding, KmsKey, LambdaFunction, Mode, Options, PolicyResource, Resource,
    ResourceConfig, ResourceType, S3Bucket, Snapshot, Status, ZoneOfTrust,
};
use perimeter::findings::{
    apply_archive_rule, asff, events, ArchiveRules, AsffOptions, Change, ChangeKind, EventOptions,
    FailOn, Lifecycle, LifecycleOptions, SarifStream,
};
use perimeter::policy::Policy;
use perimeter::scalar::Timestamp;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::process::ExitCode;

/// Find who outside the zone of trust can reach each resource.
///
/// Reads an account snapshot (see `docs/snapshot.md`), or one policy with `--policy`. Exit
/// status: 0 the gate passes, 1 it fails (without `--fail-on`: any finding that is not
/// resolved), 2 bad input or usage. See `docs/cli.md`.
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
    /// The time of this run (ISO 8601, e.g. `2025-05-01T00:00:00Z`): turns on the lifecycle
    /// (`createdAt`, `updatedAt`, `analyzedAt`, and `changes` in the JSON).
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// The previous run's JSON output (or `aws accessanalyzer list-findings` output): findings
    /// keep their ids, statuses and `createdAt`; access that is gone is resolved.
    #[arg(long, value_name = "FILE", requires = "now")]
    previous: Option<String>,
    /// Archive rules: `[{"ruleName", "filter"}]`, `{"archiveRules": [...]}`, or one filter.
    /// New findings that a rule matches are archived.
    #[arg(long, value_name = "FILE")]
    archive_rules: Option<String>,
    /// Also archive existing active findings that the rules match (ApplyArchiveRule).
    #[arg(long, requires = "archive_rules", requires = "previous")]
    apply_archive_rules: bool,
    /// The snapshot covers only part of the resources: previous findings of resources not in it
    /// are kept as they were instead of resolved.
    #[arg(long, requires = "previous")]
    partial: bool,
    /// Which findings fail the run (exit status 1). Default: any finding that is not resolved.
    #[arg(long, value_enum)]
    fail_on: Option<Gate>,
    #[command(flatten)]
    export: ExportArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CliMode {
    Compatible,
    Minimal,
}

/// The most read errors kept for the JSON output (all are printed on standard error).
const MAX_ERRORS: usize = 1000;

/// The resource of `--policy`, and the policy's text.
fn one_policy(args: &Args, file: &str) -> Result<(ResourceConfig, String), String> {
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
    let config = match t {
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
    };
    Ok((config, text))
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
    let flags_zone = crate::io::zone_from_flags(args.zone_org.as_deref(), &args.zone_accounts)?;
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
    let now = args.now.as_deref().map(parse_now).transpose()?;
    if now.is_none() && matches!(format, Format::Asff | Format::Events) {
        return Err(format!(
            "`--format {}` needs `--now` (the time of this run, ISO 8601)",
            if format == Format::Asff {
                "asff"
            } else {
                "events"
            }
        ));
    }
    let rules = read_rules(args.archive_rules.as_deref())?;
    let previous = match &args.previous {
        Some(p) => read_findings_file(p, "previous findings")?,
        None => Vec::new(),
    };
    let lifecycle = now.map(|t| Lifecycle::new(previous, &rules, t, LifecycleOptions::default()));
    let settings = Settings {
        format,
        rules: &rules,
        apply_rules: args.apply_archive_rules,
        partial: args.partial,
        now,
        fail_on: args.fail_on.map(Gate::fail_on),
        export: &args.export,
    };
    match (&args.snapshot, &args.policy) {
        (Some(_), Some(_)) => Err("give a snapshot or `--policy`, not both".into()),
        (None, None) => {
            Err("give a snapshot file (or `-` for standard input), or `--policy FILE`".into())
        }
        (None, Some(file)) => {
            let (config, text) = one_policy(args, file)?;
            let zone = flags_zone
                .unwrap_or_else(|| ZoneOfTrust::account(&config.resource().owner_account));
            let uri = if file == "-" { "policy.json" } else { file };
            let sarif = args.export.sarif_for_policy(uri, &text);
            // One resource analysed: the previous findings of the others are kept.
            let mut output = Output::new(settings, lifecycle, sarif, true);
            let arn = config.resource().arn.clone();
            output.start();
            let findings = perimeter::analyze::analyze_resource(&config, &zone, &options);
            let mut errors = Errors::default();
            if let Err(e) = output.resource(Some(&arn), findings) {
                errors.add(0, &e, None);
            }
            Ok(output.finish(&errors))
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
            let uri = if path == "-" {
                "snapshot.json"
            } else {
                path.as_str()
            };
            let sarif = args.export.sarif(uri);
            let output = Output::new(settings, lifecycle, sarif, false);
            Ok(emit(
                snapshot,
                zone.as_ref(),
                &options,
                threads,
                output,
                std::io::stderr().is_terminal(),
            ))
        }
    }
}

/// What the command line asked for the output.
struct Settings<'a> {
    format: Format,
    rules: &'a ArchiveRules,
    apply_rules: bool,
    partial: bool,
    now: Option<Timestamp>,
    fail_on: Option<FailOn>,
    export: &'a ExportArgs,
}

/// The resources that could not be read at all.
#[derive(Default)]
struct Errors {
    count: usize,
    /// The first [`MAX_ERRORS`], for the JSON output.
    listed: Vec<Value>,
}

impl Errors {
    fn add(&mut self, index: usize, message: &str, e: Option<&perimeter::Error>) {
        self.count += 1;
        error(message);
        if self.listed.len() < MAX_ERRORS {
            let mut v = json!({"index": index, "error": e.map_or(message, |e| e.message())});
            if let Some(l) = e.and_then(|e| e.location()) {
                v["line"] = json!(l.line);
                v["column"] = json!(l.column + 1);
                v["pointer"] = json!(l.pointer);
            }
            self.listed.push(v);
        }
    }
}

/// Counts for the table's last line.
#[derive(Default)]
struct Stats {
    resources: usize,
    with_findings: usize,
    findings: usize,
    public: usize,
    statuses: BTreeMap<Status, usize>,
    changes: BTreeMap<ChangeKind, usize>,
}

/// The findings of a run, written resource by resource in the chosen format.
struct Output<'a> {
    settings: Settings<'a>,
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    /// Standard output is closed: stop writing.
    broken: bool,
    /// No item written yet in the current list.
    first: bool,
    lifecycle: Option<Lifecycle<'a>>,
    /// Whether the lifecycle runs (findings have statuses and changes).
    lifecycle_on: bool,
    /// Only this resource is analysed (`--policy`): keep the previous findings of the others.
    single: bool,
    tally: Tally,
    /// The change records of the JSON output.
    changes: Vec<Value>,
    sarif: Option<SarifStream>,
    asff: Option<AsffOptions>,
    events: Option<EventOptions>,
    stats: Stats,
}

impl<'a> Output<'a> {
    fn new(
        settings: Settings<'a>,
        lifecycle: Option<Lifecycle<'a>>,
        sarif: perimeter::findings::SarifOptions,
        single: bool,
    ) -> Output<'a> {
        // Without a lifecycle every finding is new, so `new` fails on what `active` fails on.
        let fail_on = match (settings.fail_on, &lifecycle) {
            (Some(FailOn::New), None) => FailOn::Active,
            (Some(f), _) => f,
            (None, _) => FailOn::Any,
        };
        let format = settings.format;
        let now = settings.now;
        let export = settings.export;
        Output {
            out: std::io::BufWriter::new(std::io::stdout().lock()),
            broken: false,
            first: true,
            single,
            tally: Tally::new(fail_on),
            changes: Vec::new(),
            sarif: (format == Format::Sarif).then(|| SarifStream::new(sarif)),
            asff: now
                .filter(|_| format == Format::Asff)
                .map(|t| export.asff(t)),
            events: now
                .filter(|_| format == Format::Events)
                .map(|t| export.events(t)),
            stats: Stats::default(),
            lifecycle_on: lifecycle.is_some(),
            lifecycle,
            settings,
        }
    }

    fn put(&mut self, text: &str) {
        if !self.broken {
            self.broken |= self.out.write_all(text.as_bytes()).is_err();
        }
    }

    /// The next item of a list, after a separator unless it is the first.
    fn item(&mut self, text: &str, separator: &str) {
        let sep = if self.first { "\n" } else { separator };
        self.first = false;
        self.put(sep);
        self.put(text);
    }

    fn start(&mut self) {
        match self.settings.format {
            Format::Json => self.put("{\"findings\": ["),
            Format::Sarif => {
                let head = self
                    .sarif
                    .as_ref()
                    .map(SarifStream::head)
                    .unwrap_or_default();
                self.put(&head);
            }
            Format::Asff => self.put("["),
            Format::Table | Format::Events => {}
        }
    }

    /// One analysed resource (its ARN when known) and the analysis' findings.
    fn resource(&mut self, arn: Option<&str>, findings: Vec<Finding>) -> Result<(), String> {
        self.stats.resources += 1;
        let (findings, changes) = match (&mut self.lifecycle, arn) {
            (Some(l), Some(arn)) => {
                let update = l.resource(arn, &findings).map_err(|e| e.to_string())?;
                let (mut findings, mut changes) = (update.findings, update.changes);
                if self.settings.apply_rules {
                    if let Some(now) = self.settings.now {
                        for rule in self.settings.rules.rules() {
                            changes.extend(apply_archive_rule(&mut findings, rule, now));
                        }
                    }
                }
                (findings, changes)
            }
            _ => {
                let mut findings = findings;
                for f in &mut findings {
                    if self.settings.rules.matching(f).is_some() {
                        f.status = Status::Archived;
                    }
                }
                (findings, Vec::new())
            }
        };
        let analysed: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.status != Status::Resolved)
            .collect();
        if !analysed.is_empty() {
            self.stats.with_findings += 1;
        }
        self.stats.findings += analysed.len();
        self.stats.public += analysed
            .iter()
            .filter(|f| f.is_public == Some(true))
            .count();
        self.write(&findings, &changes);
        Ok(())
    }

    fn write(&mut self, findings: &[Finding], changes: &[Change]) {
        self.tally.add(findings, changes);
        for f in findings {
            *self.stats.statuses.entry(f.status).or_default() += 1;
        }
        for c in changes {
            *self.stats.changes.entry(c.kind).or_default() += 1;
        }
        if self.lifecycle_on {
            self.changes
                .extend(changes.iter().map(Change::to_json_value));
        }
        if self.broken {
            return;
        }
        match self.settings.format {
            Format::Json => {
                for f in findings {
                    let text = serde_json::to_string(f).unwrap_or_default();
                    self.item(&text, ",\n");
                }
            }
            Format::Table => {
                let status = self.lifecycle_on || !self.settings.rules.rules().is_empty();
                let include_resolved = self.settings.export.include_resolved;
                self.broken |=
                    table(&mut self.out, findings, changes, status, include_resolved).is_err();
            }
            Format::Sarif => {
                let results = self
                    .sarif
                    .as_mut()
                    .map(|s| s.results(findings))
                    .unwrap_or_default();
                for r in results {
                    self.item(&r.to_string(), ",\n");
                }
            }
            Format::Asff => {
                let items = self
                    .asff
                    .as_ref()
                    .map(|o| asff(findings, o))
                    .unwrap_or_default();
                for a in items {
                    self.item(&a.to_string(), ",\n");
                }
            }
            Format::Events => {
                let items = self
                    .events
                    .as_ref()
                    .map(|o| events(changes, o))
                    .unwrap_or_default();
                for e in items {
                    self.put(&e.to_string());
                    self.put("\n");
                }
            }
        }
    }

    /// Settle the resources the run did not see, close the output, and decide the exit code.
    fn finish(mut self, errors: &Errors) -> ExitCode {
        if let Some(mut l) = self.lifecycle.take() {
            // Resources that could not be read may be among those with previous findings: keep
            // those findings rather than resolve them.
            if self.settings.partial || self.single || errors.count > 0 {
                l.keep_unseen();
            }
            let rest = l.finish();
            let (mut findings, mut changes) = (rest.findings, rest.changes);
            if self.settings.apply_rules {
                if let Some(now) = self.settings.now {
                    for rule in self.settings.rules.rules() {
                        changes.extend(apply_archive_rule(&mut findings, rule, now));
                    }
                }
            }
            self.write(&findings, &changes);
            self.finish_output(errors, true)
        } else {
            self.finish_output(errors, false)
        }
    }

    fn finish_output(mut self, errors: &Errors, lifecycle: bool) -> ExitCode {
        match self.settings.format {
            Format::Json => {
                let end = if self.first { "]" } else { "\n]" };
                self.put(end);
                if lifecycle {
                    let changes: Vec<String> = self.changes.iter().map(Value::to_string).collect();
                    let text = if changes.is_empty() {
                        ",\n\"changes\": []".to_string()
                    } else {
                        format!(",\n\"changes\": [\n{}\n]", changes.join(",\n"))
                    };
                    self.put(&text);
                }
                if !errors.listed.is_empty() {
                    let text = format!(
                        ",\n\"errors\": {}",
                        serde_json::to_string(&errors.listed).unwrap_or_default()
                    );
                    self.put(&text);
                }
                self.put("}\n");
            }
            Format::Sarif => {
                if !self.first {
                    self.put("\n");
                }
                let tail = self.sarif.take().map(SarifStream::tail).unwrap_or_default();
                self.put(&tail);
                self.put("\n");
            }
            Format::Asff => {
                let end = if self.first { "]\n" } else { "\n]\n" };
                self.put(end);
            }
            Format::Events => {}
            Format::Table => {
                let s = &self.stats;
                let mut line = format!(
                    "{} finding{} ({} public) on {} of {} resources",
                    s.findings,
                    if s.findings == 1 { "" } else { "s" },
                    s.public,
                    s.with_findings,
                    s.resources
                );
                if lifecycle || !self.settings.rules.rules().is_empty() {
                    let n = |st: Status| s.statuses.get(&st).copied().unwrap_or(0);
                    line.push_str(&format!(
                        "; {} active, {} archived, {} resolved",
                        n(Status::Active),
                        n(Status::Archived),
                        n(Status::Resolved)
                    ));
                }
                if lifecycle {
                    let c = |k: ChangeKind| s.changes.get(&k).copied().unwrap_or(0);
                    line.push_str(&format!(
                        "; changes: {} new, {} resolved, {} reopened, {} archived, {} deleted, {} expired",
                        c(ChangeKind::New),
                        c(ChangeKind::Resolved),
                        c(ChangeKind::Reopened),
                        c(ChangeKind::Archived),
                        c(ChangeKind::Deleted),
                        c(ChangeKind::Expired),
                    ));
                }
                if errors.count > 0 {
                    line.push_str(&format!("; {} resources could not be read", errors.count));
                }
                line.push('\n');
                self.put(&line);
            }
        }
        let _ = self.out.flush();
        let explicit = self.settings.fail_on;
        if self.tally.fails() {
            if let Some(f) = explicit {
                self.tally.report(f.as_str());
            }
        }
        if errors.count > 0 {
            ExitCode::from(2)
        } else if self.tally.fails() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Analyse and write the findings as they come, in input order.
fn emit(
    resources: impl Iterator<Item = Result<ResourceConfig, perimeter::Error>>,
    zone: Option<&ZoneOfTrust>,
    options: &Options,
    threads: usize,
    mut output: Output<'_>,
    progress: bool,
) -> ExitCode {
    let bar = progress.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    // The ARN of each resource read, in order, until its findings come back (at most the
    // resources in flight).
    let arns: RefCell<VecDeque<Option<String>>> = RefCell::new(VecDeque::new());
    let resources = resources.inspect(|item| {
        arns.borrow_mut()
            .push_back(item.as_ref().ok().map(|c| c.resource().arn.clone()));
    });
    let mut errors = Errors::default();
    output.start();
    analyze_all(resources, zone, options, threads, |i, result| {
        let arn = arns.borrow_mut().pop_front().flatten();
        match result {
            Ok(findings) => {
                if let Err(e) = output.resource(arn.as_deref(), findings) {
                    errors.add(i, &format!("resource {i}: {e}"), None);
                }
            }
            Err(e) => {
                output.stats.resources += 1;
                errors.add(i, &e.to_string(), Some(&e));
            }
        }
        if let Some(bar) = &bar {
            bar.set_message(format!(
                "{} resources, {} findings",
                output.stats.resources, output.stats.findings
            ));
            bar.tick();
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    output.finish(&errors)
}

/// A readable block per resource: who, then what and how, then under which conditions. With
/// `status`, each finding's status and its change in this run.
fn table(
    out: &mut impl Write,
    findings: &[Finding],
    changes: &[Change],
    status: bool,
    include_resolved: bool,
) -> std::io::Result<()> {
    let change_of: HashMap<&str, ChangeKind> = changes
        .iter()
        .filter(|c| !c.kind.is_deletion())
        .map(|c| (c.finding.id.as_str(), c.kind))
        .collect();
    let mut resource: Option<&str> = None;
    for f in findings {
        let change = change_of.get(f.id.as_str()).copied();
        if f.status == Status::Resolved && change.is_none() && !include_resolved {
            continue;
        }
        if resource != Some(f.resource.as_str()) {
            writeln!(out, "{}  {}", f.resource, f.resource_type)?;
            resource = Some(f.resource.as_str());
        }
        let tag = if status {
            match change {
                Some(k) if k.as_str() != f.status.as_str() => format!("  [{}, {k}]", f.status),
                _ => format!("  [{}]", f.status),
            }
        } else {
            String::new()
        };
        if let Some(e) = &f.error {
            writeln!(
                out,
                "  ERROR     {e}{}{tag}",
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
        writeln!(out, "  {level:<9} {}{tag}", who.join(", "))?;
        // Findings without a source (snapshot sharing attributes) name what grants them.
        let mut via: Vec<String> = f
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
        if via.is_empty() {
            for s in &f.statements {
                if !via.contains(&s.policy) {
                    via.push(s.policy.clone());
                }
            }
        }
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
