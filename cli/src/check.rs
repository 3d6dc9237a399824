//! `perimeter check`: Access Analyzer's custom policy checks, offline and exact.

use crate::io::{error, read_input, stdout_is_terminal, write_line};
use perimeter::analyze::Organization;
use perimeter::check::{Access, AccessCheckResourceType, CheckResult, Checker, PolicyType};
use perimeter::policy::Policy;
use std::process::ExitCode;

/// Check policies against guardrails: no new access, access not granted, no public access.
///
/// Each check prints one JSON object `{"result", "message", "reasons", "counterexample"}`.
/// Exit status: 0 for PASS, 1 for FAIL, 2 for bad input or a check that cannot be decided.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    check: Check,
}

#[derive(clap::Subcommand)]
enum Check {
    /// FAIL when the new policy allows some request the existing policy does not.
    NoNewAccess {
        /// The new (candidate) policy (`-` for standard input).
        #[arg(long, value_name = "FILE")]
        new: String,
        /// The existing (or reference) policy.
        #[arg(long, value_name = "FILE")]
        existing: String,
        #[command(flatten)]
        common: Common,
    },
    /// FAIL when the policy allows a listed action on a listed resource.
    AccessNotGranted {
        /// The policy (`-` for standard input).
        #[arg(long, value_name = "FILE")]
        policy: String,
        /// An action, with wildcards allowed (repeat or separate with commas; at most 100).
        #[arg(long = "action", value_name = "ACTION", value_delimiter = ',')]
        actions: Vec<String>,
        /// A resource ARN or ARN pattern (repeat or separate with commas; at most 100).
        #[arg(long = "resource", value_name = "ARN", value_delimiter = ',')]
        resources: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// FAIL when the resource policy grants public access to a resource of the type.
    NoPublicAccess {
        /// The resource policy (`-` for standard input).
        #[arg(long, value_name = "FILE")]
        policy: String,
        /// The resource type, such as `AWS::S3::Bucket` (26 types; see `docs/cli.md`).
        #[arg(long, value_name = "TYPE")]
        resource_type: String,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(clap::Args)]
struct Common {
    /// `identity` or `resource` (also `IDENTITY_POLICY`, `RESOURCE_POLICY`). Default: identity
    /// for `no-new-access` and `access-not-granted`; `no-public-access` reads resource policies.
    #[arg(long, value_name = "TYPE")]
    policy_type: Option<String>,
    /// The organization's structure, as JSON: `{"id": "o-…", "accounts": {"111122223333":
    /// "o-…/r-…/ou-…/", …}}`. Members then carry its id and OU paths, other accounts do not.
    #[arg(long, value_name = "FILE")]
    organization: Option<String>,
    /// Work allowed for the check (search steps); a check that needs more fails with status 2.
    #[arg(long, value_name = "STEPS")]
    budget: Option<u64>,
}

fn load_policy(path: &str, what: &str) -> Result<Policy, String> {
    let text = read_input(path)?;
    Policy::parse(&text).map_err(|e| format!("{what} `{path}`: {e}"))
}

fn checker(common: &Common) -> Result<Checker, String> {
    let mut c = Checker::new();
    if let Some(b) = common.budget {
        c = c.with_budget(b);
    }
    if let Some(path) = &common.organization {
        let text = read_input(path)?;
        let org: Organization =
            serde_json::from_str(&text).map_err(|e| format!("organization `{path}`: {e}"))?;
        if !org.id.starts_with("o-") {
            return Err(format!(
                "organization `{path}`: the id `{}` must start with `o-`",
                org.id
            ));
        }
        c = c.with_organization(org);
    }
    Ok(c)
}

fn policy_type(common: &Common) -> Result<PolicyType, String> {
    match &common.policy_type {
        None => Ok(PolicyType::Identity),
        Some(t) => PolicyType::parse(t).ok_or_else(|| {
            format!("unknown policy type `{t}`: use `identity` or `resource` (`IDENTITY_POLICY`, `RESOURCE_POLICY`)")
        }),
    }
}

fn run_check(check: &Check) -> Result<CheckResult, String> {
    match check {
        Check::NoNewAccess {
            new,
            existing,
            common,
        } => {
            let c = checker(common)?;
            let ty = policy_type(common)?;
            let new = load_policy(new, "new policy")?;
            let existing = load_policy(existing, "existing policy")?;
            c.no_new_access(&new, &existing, ty)
                .map_err(|e| e.to_string())
        }
        Check::AccessNotGranted {
            policy,
            actions,
            resources,
            common,
        } => {
            let c = checker(common)?;
            let ty = policy_type(common)?;
            let p = load_policy(policy, "policy")?;
            let access = Access::actions(actions).on_resources(resources);
            c.access_not_granted(&p, &access, ty)
                .map_err(|e| e.to_string())
        }
        Check::NoPublicAccess {
            policy,
            resource_type,
            common,
        } => {
            let c = checker(common)?;
            if let Some(t) = &common.policy_type {
                if PolicyType::parse(t) != Some(PolicyType::Resource) {
                    return Err(format!(
                        "`no-public-access` reads resource policies, not `--policy-type {t}`"
                    ));
                }
            }
            let t = AccessCheckResourceType::parse(resource_type).map_err(|e| e.to_string())?;
            let p = load_policy(policy, "policy")?;
            c.no_public_access(&p, t).map_err(|e| e.to_string())
        }
    }
}

pub fn run(args: Args) -> ExitCode {
    match run_check(&args.check) {
        Ok(r) => {
            // Serialized from the result itself, so the fields keep their order.
            let text = if stdout_is_terminal() {
                serde_json::to_string_pretty(&r)
            } else {
                serde_json::to_string(&r)
            };
            write_line(&text.unwrap_or_default());
            if r.is_pass() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            error(&e);
            ExitCode::from(2)
        }
    }
}
