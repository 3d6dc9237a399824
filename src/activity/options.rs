//! The settings of an unused access analysis, shared by the analysis and its recommendations.

use std::fmt;

use super::time::Timestamp;

/// The settings of an analysis.
#[derive(Clone, Debug)]
pub struct UnusedAccessOptions {
    /// The time the analysis runs at; nothing depends on the clock.
    pub now: Timestamp,
    /// The tracking period in days, 1 to 180 (Access Analyzer's `unusedAccessAge`).
    pub tracking_period_days: u32,
    /// Whether denied attempts count as use (IAM's last-accessed data counts them; default).
    pub count_denied: bool,
    /// Whether each `UnusedPermission` finding gets a recommendation (off by default).
    pub recommendations: bool,
}

/// The error for options outside what Access Analyzer accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionsError {
    message: String,
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OptionsError {}

impl OptionsError {
    pub(crate) fn new(message: String) -> OptionsError {
        OptionsError { message }
    }
}

impl UnusedAccessOptions {
    /// Options for a run at `now` with a tracking period of `days`.
    ///
    /// # Errors
    /// When `days` is not between 1 and 180 (Access Analyzer API, `UnusedAccessConfiguration`).
    pub fn new(now: Timestamp, days: u32) -> Result<UnusedAccessOptions, OptionsError> {
        if !(1..=180).contains(&days) {
            return Err(OptionsError {
                message: format!("the tracking period must be 1 to 180 days, not `{days}`"),
            });
        }
        Ok(UnusedAccessOptions {
            now,
            tracking_period_days: days,
            count_denied: true,
            recommendations: false,
        })
    }

    /// The start of the tracking period: use at or after it counts.
    pub fn cutoff(&self) -> Timestamp {
        self.now.minus_days(self.tracking_period_days)
    }
}
