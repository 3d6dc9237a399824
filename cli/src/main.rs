//! `perimeter`: offline AWS IAM access analysis from the command line.
//!
//! Each subcommand lives in its own module and uses only the library's public API.
//! Exit codes: 0 success with nothing to report, 1 something to report (findings, a denied
//! check), 2 bad input or usage. See `docs/cli.md`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod analyze;
mod check;
mod eval;
mod findings;
mod generate;
mod io;
mod preview;
mod reach;
mod report;
mod unused;
mod validate;

/// Offline reasoning about AWS IAM access.
#[derive(Parser)]
#[command(name = "perimeter", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find who outside the zone of trust can reach each resource of a snapshot or one policy.
    Analyze(analyze::Args),
    /// Evaluate requests against their policies (one case, an array, or JSON lines).
    Eval(eval::Args),
    /// Validate policies with Access Analyzer's checks, issue codes and locations.
    Validate(validate::Args),
    /// Find unused roles, access keys, passwords and permissions from CloudTrail.
    Unused(unused::Args),
    /// Generate policies granting what a role or user used, from CloudTrail.
    GeneratePolicy(generate::Args),
    /// Track external access findings across runs (archive rules, resolved findings), export
    /// them (SARIF, ASFF, EventBridge) and gate CI on them.
    Findings(findings::Args),
    /// Preview the external access a proposed resource policy would give (access previews).
    Preview(preview::Args),
    /// Find who outside the zone of trust reaches what through role chains and privilege
    /// escalation, with every hop proven.
    Reach(reach::Args),
    /// Custom policy checks: no new access, access not granted, no public access.
    Check(check::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Unused(args) => unused::run(args),
        Command::GeneratePolicy(args) => generate::run(args),
        Command::Findings(args) => findings::run(args),
        Command::Preview(args) => preview::run(args),
        Command::Reach(args) => reach::run(args),
        Command::Check(args) => check::run(args),
    }
}
