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
//! - [`find_unused`] reports unused roles, access keys, passwords and permissions (wildcards and
//!   `NotAction` expanded with [`crate::catalog`]), with recommendations when asked;
//!   [`refine_policy`] and [`recommend`] give the recommendations on their own.
//! - [`generate_policies`] writes least-privilege policies for a principal from its activity.

mod actions;
mod authz;
mod credentials;
mod csv;
mod generate;
mod grants;
mod options;
mod principal;
mod reader;
mod recommend;
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
pub use generate::{
    generate_policies, GenerateOptions, GeneratedAction, GeneratedPolicies, GeneratedPolicy,
    GeneratedPolicyProperties, GenerationNotes, PolicyGeneration, TimeRange, MAX_POLICY_CHARS,
};
pub use options::{OptionsError, UnusedAccessOptions};
pub use principal::{PrincipalKind, PrincipalRef};
pub use reader::{
    is_digest, CloudTrailReader, LogFiles, Problem, ReadError, ReadOptions, ReadReport,
    MAX_PROBLEMS,
};
pub use recommend::{
    recommend, refine_policy, FindingRecommendation, PolicyRecommendation, PolicyRefinement,
    PrincipalRecommendations, RecommendedAction, RecommendedStep, Refinement,
    UnusedPermissionsRecommendedStep,
};
pub use sql::{read_sql_rows, SQL_COLUMNS};
pub use summary::{
    ActionUsage, ActivitySummary, PrincipalActivity, ResourceSample, Usage,
    MAX_ACTIONS_PER_PRINCIPAL, MAX_KEYS_PER_PRINCIPAL, MAX_NAME_LEN, MAX_PRINCIPALS,
    MAX_RESOURCES_PER_ACTION,
};
pub use time::{Timestamp, TimestampError};
pub use unused::{
    find_unused, AccountInputs, AnalysisNotes, FindingDetails, FindingType, UnusedAccess,
    UnusedAction, UnusedFinding,
};
