//! The CI gate: whether a run's findings should fail a pipeline.

use super::lifecycle::{Change, ChangeKind};
use crate::analyze::{Finding, Status};
use crate::error::{quote, Error, ErrorKind};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// Which findings fail the gate.
///
/// Error findings (a resource that could not be analysed) count as possibly public: the run
/// could not show that the resource is closed, so every gate but `none` fails on an active one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailOn {
    /// Never fail.
    None,
    /// Any finding whose access exists (`ACTIVE` or `ARCHIVED`).
    Any,
    /// Any `ACTIVE` finding (archived findings are intended access).
    #[default]
    Active,
    /// `ACTIVE` findings that are new in this run (created or reopened), so that known, accepted
    /// findings do not fail every build.
    New,
    /// `ACTIVE` findings that are public.
    Public,
}

impl FailOn {
    /// `none`, `any`, `active`, `new` or `public`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FailOn::None => "none",
            FailOn::Any => "any",
            FailOn::Active => "active",
            FailOn::New => "new",
            FailOn::Public => "public",
        }
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FailOn {
    type Err = Error;
    fn from_str(s: &str) -> Result<FailOn, Error> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "none" | "never" => FailOn::None,
            "any" => FailOn::Any,
            "active" => FailOn::Active,
            "new" => FailOn::New,
            "public" => FailOn::Public,
            _ => {
                return Err(Error::new(
                    ErrorKind::Input,
                    format!(
                        "unknown gate {}: use `active`, `public`, `new`, `any` or `none`",
                        quote(s)
                    ),
                ))
            }
        })
    }
}

/// The gate's decision.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verdict {
    /// Whether the gate fails.
    pub fail: bool,
    /// The ids of the findings that make it fail, in the order of the findings.
    pub failing: Vec<String>,
}

/// Decide the gate for a run's findings. `changes` are the changes [`update`](super::update)
/// reported for the run; only [`FailOn::New`] reads them (with no previous run, `update` reports
/// every finding as new).
///
/// ```
/// use perimeter::analyze::{Finding, Status};
/// use perimeter::findings::{gate, FailOn};
///
/// let mut open = Finding::default();
/// open.id = "public".into();
/// open.is_public = Some(true);
/// let mut intended = Finding::default();
/// intended.id = "partner".into();
/// intended.is_public = Some(false);
/// intended.status = Status::Archived;
/// let findings = [open, intended];
/// assert_eq!(gate(&findings, &[], FailOn::Public).failing, ["public"]);
/// assert_eq!(gate(&findings, &[], FailOn::Any).failing, ["public", "partner"]);
/// assert!(!gate(&findings, &[], FailOn::None).fail);
/// ```
pub fn gate(findings: &[Finding], changes: &[Change], fail_on: FailOn) -> Verdict {
    let fresh: HashSet<&str> = changes
        .iter()
        .filter(|c| matches!(c.kind, ChangeKind::New | ChangeKind::Reopened))
        .map(|c| c.finding.id.as_str())
        .collect();
    let failing: Vec<String> = findings
        .iter()
        .filter(|f| match fail_on {
            FailOn::None => false,
            FailOn::Any => f.status != Status::Resolved,
            FailOn::Active => f.status == Status::Active,
            FailOn::New => f.status == Status::Active && fresh.contains(f.id.as_str()),
            FailOn::Public => {
                f.status == Status::Active && (f.is_public == Some(true) || f.error.is_some())
            }
        })
        .map(|f| f.id.clone())
        .collect();
    Verdict {
        fail: !failing.is_empty(),
        failing,
    }
}
