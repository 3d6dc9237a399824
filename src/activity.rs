//! Unused access from CloudTrail: reading logs into a mergeable activity summary, and (from the
//! summary and an account's IAM configuration) unused roles, keys, passwords and permissions.
//!
//! The pieces, in the order data flows:
//!
//! - [`CloudTrailReader`] streams CloudTrail delivery files, directory trees and
//!   `lookup-events` output into an [`ActivitySummary`], with a [`ReadReport`] of what was
//!   skipped and why.
//! - [`event_actions`] turns an event (`eventSource`, `eventName`) into the IAM actions it
//!   needs; [`PrincipalRef`] names the user or role a call counts for.
//! - [`ActivitySummary`] is a plain serializable value; [`ActivitySummary::merge`] is
//!   associative and commutative, so shards summarised anywhere combine into the same result.
//! - [`read_sql_rows`] reads the rows of the SQL query in `docs/activity-sql.md` (Athena,
//!   Trino, Spark, DuckDB) into the same summary, for trails too large for one machine.

mod actions;
mod authz;
mod credentials;
mod csv;
mod principal;
mod reader;
mod record;
mod sql;
mod summary;
mod time;
mod unused;

pub use actions::{event_actions, service_prefix, strip_version, table_actions, EventActions};
pub use authz::{
    decode_document, is_aws_managed_arn, AppliedPolicy, AttachedPolicy, AuthorizationDetails,
    AuthorizationError, Group, InlinePolicy, ManagedPolicy, PolicySource, Role, User,
};
pub use credentials::{
    AccessKey, AccessKeys, CredentialReport, CredentialReportRow, CredentialsError, KeySlot,
};
pub use csv::{csv_records, CsvError, CsvRecords};
pub use principal::{PrincipalKind, PrincipalRef};
pub use reader::{
    is_digest, CloudTrailReader, LogFiles, Problem, ReadError, ReadOptions, ReadReport,
    MAX_PROBLEMS,
};
pub use sql::{read_sql_rows, SQL_COLUMNS};
pub use summary::{
    ActionUsage, ActivitySummary, PrincipalActivity, ResourceSample, Usage,
    MAX_ACTIONS_PER_PRINCIPAL, MAX_KEYS_PER_PRINCIPAL, MAX_NAME_LEN, MAX_PRINCIPALS,
    MAX_RESOURCES_PER_ACTION,
};
pub use time::{Timestamp, TimestampError};
pub use unused::{
    find_unused, AccountInputs, AnalysisNotes, FindingDetails, FindingType, OptionsError,
    UnusedAccess, UnusedAccessOptions, UnusedAction, UnusedFinding,
};
