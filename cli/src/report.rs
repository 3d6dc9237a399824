//! What `perimeter analyze` and `perimeter findings` share: the output formats of external access
//! findings, the CI gate, the export options (SARIF, ASFF, EventBridge events) and reading the
//! lifecycle's inputs (previous findings, archive rules, the time of the run).

use crate::io::{error, read_input};
use perimeter::analyze::Finding;
use perimeter::findings::{
    gate, read_findings, ArchiveRules, AsffGrouping, AsffOptions, Change, EventOptions, FailOn,
    SarifOptions,
};
use perimeter::scalar::Timestamp;

/// Output format of findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `{"findings": [...]}` (with `"changes": [...]` when the lifecycle runs): the next run's
    /// `--previous`.
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
    /// The library's gate.
    pub fn fail_on(self) -> FailOn {
        match self {
            Gate::Active => FailOn::Active,
            Gate::Public => FailOn::Public,
            Gate::New => FailOn::New,
            Gate::Any => FailOn::Any,
            Gate::None => FailOn::None,
        }
    }
}

/// Options of the SARIF, ASFF and EventBridge outputs.
#[derive(clap::Args, Clone, Debug)]
pub struct ExportArgs {
    /// The analyzer's Region (events, ASFF): also the Region of resources whose ARN has none.
    #[arg(long, value_name = "REGION", default_value = "us-east-1")]
    pub region: String,
    /// The analyzer's account (events, ASFF). Default: each resource owner's account.
    #[arg(long, value_name = "ACCOUNT")]
    pub analyzer_account: Option<String>,
    /// The analyzer's ARN (events; ASFF ids).
    #[arg(long, value_name = "ARN")]
    pub analyzer_arn: Option<String>,
    /// The Security Hub product ARN (ASFF). Default: the account's own `default` product.
    #[arg(long, value_name = "ARN")]
    pub product_arn: Option<String>,
    /// One ASFF finding per resource, as Access Analyzer's Security Hub integration sends them.
    #[arg(long)]
    pub asff_per_resource: bool,
    /// The file SARIF results point at (default: the input file).
    #[arg(long, value_name = "URI")]
    pub sarif_uri: Option<String>,
    /// Include resolved findings in SARIF (as `baselineState: absent`) and in the table.
    #[arg(long)]
    pub include_resolved: bool,
}

impl ExportArgs {
    /// SARIF options pointing at `--sarif-uri`, else at `default_uri`.
    pub fn sarif(&self, default_uri: &str) -> SarifOptions {
        let uri = self.sarif_uri.as_deref().unwrap_or(default_uri);
        self.with_resolved(SarifOptions::default().with_artifact(uri))
    }

    /// SARIF options pointing at the statements of a policy file (when `--sarif-uri` does not
    /// name another artifact).
    pub fn sarif_for_policy(&self, path: &str, text: &str) -> SarifOptions {
        match &self.sarif_uri {
            Some(uri) if uri != path => self.sarif(path),
            _ => self.with_resolved(SarifOptions::default().with_policy(path, text)),
        }
    }

    fn with_resolved(&self, o: SarifOptions) -> SarifOptions {
        if self.include_resolved {
            o.with_resolved()
        } else {
            o
        }
    }

    /// ASFF options at `now`.
    pub fn asff(&self, now: Timestamp) -> AsffOptions {
        let mut o = AsffOptions::new(&self.region, now);
        if let Some(a) = &self.analyzer_account {
            o = o.with_account(a);
        }
        if let Some(a) = &self.product_arn {
            o = o.with_product_arn(a);
        }
        if let Some(a) = &self.analyzer_arn {
            o = o.with_analyzer_arn(a);
        }
        if self.asff_per_resource {
            o = o.with_grouping(AsffGrouping::Resource);
        }
        o
    }

    /// EventBridge options with events at `now`.
    pub fn events(&self, now: Timestamp) -> EventOptions {
        let mut o = EventOptions::new(&self.region, now);
        if let Some(a) = &self.analyzer_account {
            o = o.with_account(a);
        }
        if let Some(a) = &self.analyzer_arn {
            o = o.with_analyzer_arn(a);
        }
        o
    }
}

/// `--now`: an ISO 8601 time.
pub fn parse_now(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse(text).ok_or_else(|| {
        format!("`--now {text}` is not a time; use ISO 8601, e.g. `2025-05-01T00:00:00Z`")
    })
}

/// A findings file (`{"findings": [...]}` or an array); `what` names it in errors.
pub fn read_findings_file(path: &str, what: &str) -> Result<Vec<Finding>, String> {
    let text = read_input(path)?;
    read_findings(&text).map_err(|e| format!("{what} `{path}`: {e}"))
}

/// An archive rules file, or no rules.
pub fn read_rules(path: Option<&str>) -> Result<ArchiveRules, String> {
    match path {
        Some(p) => {
            let text = read_input(p)?;
            ArchiveRules::parse(&text).map_err(|e| format!("archive rules `{p}`: {e}"))
        }
        None => Ok(ArchiveRules::none()),
    }
}

/// The most failing finding ids printed by the gate.
const MAX_LISTED: usize = 20;

/// The gate's decision over a run, accumulated a resource at a time.
#[derive(Debug)]
pub struct Tally {
    fail_on: FailOn,
    count: usize,
    listed: Vec<String>,
}

impl Tally {
    /// A gate that fails on `fail_on`.
    pub fn new(fail_on: FailOn) -> Tally {
        Tally {
            fail_on,
            count: 0,
            listed: Vec::new(),
        }
    }

    /// Add findings and the changes that made them.
    pub fn add(&mut self, findings: &[Finding], changes: &[Change]) {
        let verdict = gate(findings, changes, self.fail_on);
        self.count += verdict.failing.len();
        let room = MAX_LISTED.saturating_sub(self.listed.len());
        self.listed.extend(verdict.failing.into_iter().take(room));
    }

    /// Whether the gate fails.
    pub fn fails(&self) -> bool {
        self.count > 0
    }

    /// Print why the gate fails (on standard error), as `--fail-on NAME` names it.
    pub fn report(&self, name: &str) {
        if !self.fails() {
            return;
        }
        let more = self.count.saturating_sub(self.listed.len());
        error(&format!(
            "{} finding{} fail `--fail-on {name}`: {}{}",
            self.count,
            if self.count == 1 { "" } else { "s" },
            self.listed.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
}
