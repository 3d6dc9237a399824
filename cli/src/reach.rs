//! `perimeter reach`: who outside the zone of trust can reach what, through role assumption and
//! privilege escalation, with every hop proven by a request `perimeter eval` allows.

use crate::io::{error, read_input, stdout_is_terminal};
use perimeter::activity::AuthorizationDetails;
use perimeter::policy::Policy;
use perimeter::reach::{
    render_dot, render_tree, Account, Principal, Reach, ReachOptions, ResourceList,
    TransitiveAccess,
};
use serde_json::{json, Value};
use std::io::BufReader;
use std::process::ExitCode;

/// Find who outside the zone of trust can reach each resource through the account's own
/// principals (role chains, `iam:PassRole`, access keys, trust policy rewrites, added policies…).
///
/// Reads `get-account-authorization-details` output and, optionally, an account snapshot (see
/// `docs/snapshot.md`) for the resources and the zone of trust. Exit status: 0 nothing
/// reachable, 1 findings, 2 bad input or usage.
#[derive(clap::Args)]
pub struct Args {
    /// An account snapshot (`-` for standard input): resources with their policies, and the
    /// zone of trust. Optional: without it, the graph's resources are the account's users and
    /// roles (and `--resources`).
    snapshot: Option<String>,
    /// `aws iam get-account-authorization-details` output (JSON; a JSON array of pages is fine).
    #[arg(long, value_name = "FILE")]
    authorization_details: String,
    /// More resources: `{"resources": [{"arn", "type", "ownerAccount", "policy", "role"}]}`,
    /// where `role` is a Lambda function's execution role.
    #[arg(long, value_name = "FILE")]
    resources: Option<String>,
    /// Service control policies of the account: a JSON array of levels (root first), each an
    /// array of policies; or one array of policies for a single level.
    #[arg(long, value_name = "FILE")]
    scp: Option<String>,
    /// Resource control policies of the account, in the same form as `--scp`.
    #[arg(long, value_name = "FILE")]
    rcp: Option<String>,
    /// Documents of managed policies the export lacks: a JSON array of `{"Arn", "Document"}`
    /// (the shape of AWS managed policy dumps).
    #[arg(long, value_name = "FILE")]
    managed_policies: Option<String>,
    /// A trusted account (repeatable). Default: the snapshot's zone, else the accounts of the
    /// authorization details.
    #[arg(long = "zone-account", value_name = "ID")]
    zone_accounts: Vec<String>,
    /// A trusted organization: a JSON file `{"id": "o-…", "accounts": {"ID": "OU path", …}}`.
    #[arg(long, value_name = "FILE")]
    zone_org: Option<String>,
    /// Only paths from this principal (repeatable): `*` (anyone), an account id, an identity
    /// provider, or a user or role ARN of the account (`ROLE_ARN@SESSION` for a named session).
    /// Default: every external principal the policies name.
    #[arg(long, value_name = "PRINCIPAL")]
    from: Vec<String>,
    /// Only findings on this resource ARN (repeatable): the shortest path found to it.
    #[arg(long, value_name = "ARN")]
    to: Vec<String>,
    /// Output format (default: `table` on a terminal, `json` otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Work allowed for one request whose conditions need values.
    #[arg(long, value_name = "N")]
    budget: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// `{"findings": [...], "externalPrincipals": [...], "notes": [...], "undecided": [...]}`.
    Json,
    /// A tree per external principal.
    Table,
    /// Graphviz DOT of the paths.
    Dot,
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

/// Policy levels: an array of arrays of policies, or one array of policies.
fn levels(path: &str) -> Result<Vec<Vec<Policy>>, String> {
    let v = crate::io::json_file(path)?;
    let Value::Array(items) = v else {
        return Err(format!(
            "`{path}` must be a json array of levels (arrays of policies) or of policies"
        ));
    };
    let nested = items.iter().all(Value::is_array);
    let raw: Vec<Vec<Value>> = if nested && !items.is_empty() {
        items
            .into_iter()
            .map(|l| match l {
                Value::Array(ps) => ps,
                _ => Vec::new(),
            })
            .collect()
    } else {
        vec![items]
    };
    raw.into_iter()
        .enumerate()
        .map(|(l, level)| {
            level
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    Policy::from_json_value(p)
                        .map_err(|e| format!("`{path}`: level {l} policy {i}: {e}"))
                })
                .collect()
        })
        .collect()
}

fn managed(path: &str) -> Result<Vec<(String, Policy)>, String> {
    let v = crate::io::json_file(path)?;
    let Value::Array(items) = v else {
        return Err(format!(
            "`{path}` must be a json array of `{{\"Arn\": …, \"Document\": …}}`"
        ));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let arn = item
            .get("Arn")
            .or_else(|| item.get("arn"))
            .and_then(Value::as_str)
            .ok_or_else(|| format!("`{path}`: entry {i} has no `Arn`"))?;
        let doc = item
            .get("Document")
            .or_else(|| item.get("document"))
            .and_then(perimeter::activity::decode_document)
            .ok_or_else(|| format!("`{path}`: entry {i} has no `Document`"))?;
        let policy = Policy::from_json_value(&doc)
            .map_err(|e| format!("`{path}`: entry {i} ({arn}): {e}"))?;
        out.push((arn.to_string(), policy));
    }
    Ok(out)
}

fn run_inner(args: &Args) -> Result<ExitCode, String> {
    let details = AuthorizationDetails::parse(&read_input(&args.authorization_details)?)
        .map_err(|e| format!("`{}`: {e}", args.authorization_details))?;
    let mut resources = match &args.snapshot {
        None => ResourceList::new(),
        Some(path) if path == "-" => ResourceList::read_snapshot(BufReader::new(std::io::stdin()))
            .map_err(|e| format!("standard input: {e}"))?,
        Some(path) => {
            let file =
                std::fs::File::open(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
            ResourceList::read_snapshot(BufReader::with_capacity(1 << 16, file))
                .map_err(|e| format!("`{path}`: {e}"))?
        }
    };
    if let Some(path) = &args.resources {
        let more = ResourceList::parse(&read_input(path)?).map_err(|e| format!("`{path}`: {e}"))?;
        resources.merge(more);
    }
    let mut options = ReachOptions::default();
    if let Some(z) = crate::io::zone_from_flags(args.zone_org.as_deref(), &args.zone_accounts)? {
        options = options.with_zone(z);
    }
    if let Some(path) = &args.scp {
        options = options.with_service_control_policies(levels(path)?);
    }
    if let Some(path) = &args.rcp {
        options = options.with_resource_control_policies(levels(path)?);
    }
    if let Some(path) = &args.managed_policies {
        options = options.with_managed_policies(managed(path)?);
    }
    if let Some(b) = args.budget {
        options.budget = b;
    }
    let account = Account::new(&details, &resources, &options).map_err(|e| e.to_string())?;
    let mut reach = Reach::new(&account);
    let externals = reach.external_principals();
    let sources: Vec<Principal> = if args.from.is_empty() {
        externals.clone()
    } else {
        args.from
            .iter()
            .map(|f| Principal::parse(f).map_err(|e| format!("`--from`: {e}")))
            .collect::<Result<_, _>>()?
    };
    let mut findings: Vec<TransitiveAccess> = Vec::new();
    for source in &sources {
        let Some(set) = reach.reach_from(source) else {
            return Err(format!(
                "`--from {}`: the account has no such user or role",
                source.label()
            ));
        };
        let mut fs = set.findings();
        if !args.to.is_empty() {
            fs.retain(|f| args.to.contains(&f.resource));
            // For each target, keep the finding with the shortest path.
            fs.sort_by_key(|f| (f.resource.clone(), f.path.len()));
            let mut seen = std::collections::BTreeSet::new();
            fs.retain(|f| seen.insert(f.resource.clone()));
        }
        findings.extend(fs);
    }
    let format = args.format.unwrap_or(if stdout_is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    for n in account.notes() {
        eprintln!("perimeter: note: {n}");
    }
    for u in reach.undecided() {
        eprintln!("perimeter: warning: undecided: {u}");
    }
    let text = match format {
        Format::Json => {
            let v = json!({
                "findings": findings.iter().map(TransitiveAccess::to_json_value).collect::<Vec<_>>(),
                "externalPrincipals": externals,
                "notes": account.notes(),
                "undecided": reach.undecided(),
            });
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
        Format::Table => {
            if findings.is_empty() {
                "nothing outside the zone of trust reaches the account through its principals"
                    .to_string()
            } else {
                render_tree(&findings)
            }
        }
        Format::Dot => render_dot(&findings),
    };
    crate::io::write_line(text.trim_end());
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
