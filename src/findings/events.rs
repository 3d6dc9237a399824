//! EventBridge events in Access Analyzer's `Access Analyzer Finding` shape.
//!
//! AWS: "Monitoring AWS Identity and Access Management Access Analyzer with Amazon EventBridge"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-eventbridge.html>): an event
//! for each new finding, each status change and each deletion (`isDeleted: true`, the status
//! unchanged), including the deletion of resolved findings when their retention period ends;
//! `detail` holds the finding's fields with `accountId`, `region`, `isDeleted` and
//! `version: "1.0"`; `resources` holds the analyzer's ARN.

use super::lifecycle::Change;
use super::{arn_partition, arn_region, put};
use crate::analyze::content_id;
use crate::scalar::Timestamp;
use serde_json::{json, Map, Value};

/// Where the events say they come from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventOptions {
    /// The analyzer's Region (the event's `region`; also the finding's region when its ARN has
    /// none, as for S3 buckets and IAM roles).
    pub region: String,
    /// The analyzer's account (the event's `account`). Default: the resource owner's account.
    pub account: Option<String>,
    /// The analyzer's ARN (the event's `resources`). Default:
    /// `arn:aws:access-analyzer:<region>:<account>:analyzer/perimeter`.
    pub analyzer_arn: Option<String>,
    /// The event time.
    pub time: Timestamp,
}

impl EventOptions {
    /// Options for an analyzer in this Region, with events at `time`.
    pub fn new(region: &str, time: Timestamp) -> EventOptions {
        EventOptions {
            region: region.to_string(),
            account: None,
            analyzer_arn: None,
            time,
        }
    }

    /// With the analyzer's account.
    pub fn with_account(mut self, account: &str) -> EventOptions {
        self.account = Some(account.to_string());
        self
    }

    /// With the analyzer's ARN.
    pub fn with_analyzer_arn(mut self, arn: &str) -> EventOptions {
        self.analyzer_arn = Some(arn.to_string());
        self
    }
}

/// One EventBridge event per change, as Access Analyzer sends them.
///
/// ```
/// use perimeter::analyze::Finding;
/// use perimeter::findings::{events, update, ArchiveRules, EventOptions, LifecycleOptions};
/// use perimeter::scalar::Timestamp;
///
/// let mut f = Finding::default();
/// f.resource = "arn:aws:s3:::bucket".into();
/// f.resource_owner_account = "111122223333".into();
/// f.principal.insert("AWS".into(), "444455556666".into());
/// let now = Timestamp::parse("2025-01-01T00:00:00Z").ok_or("time")?;
/// let run = update(&[], &[f], &ArchiveRules::none(), now, &LifecycleOptions::default());
/// let evs = events(&run.changes, &EventOptions::new("us-west-2", now));
/// assert_eq!(evs[0]["detail-type"], "Access Analyzer Finding");
/// assert_eq!(evs[0]["detail"]["region"], "us-west-2");
/// assert_eq!(evs[0]["detail"]["isDeleted"], false);
/// assert_eq!(evs[0]["resources"][0], "arn:aws:access-analyzer:us-west-2:111122223333:analyzer/perimeter");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn events(changes: &[Change], options: &EventOptions) -> Vec<Value> {
    let time = options.time.to_rfc3339();
    changes
        .iter()
        .map(|c| {
            let f = &c.finding;
            let account = options
                .account
                .clone()
                .unwrap_or_else(|| f.resource_owner_account.clone());
            let analyzer = options.analyzer_arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:{}:access-analyzer:{}:{}:analyzer/perimeter",
                    arn_partition(&f.resource),
                    options.region,
                    account
                )
            });
            let region = arn_region(&f.resource).unwrap_or(&options.region);
            let mut d = Map::new();
            d.insert("version".into(), json!("1.0"));
            d.insert("id".into(), json!(f.id));
            d.insert("accountId".into(), json!(f.resource_owner_account));
            d.insert("region".into(), json!(region));
            d.insert("isDeleted".into(), json!(c.kind.is_deletion()));
            if !f.principal.is_empty() {
                d.insert("principal".into(), json!(f.principal));
            }
            if !f.action.is_empty() {
                d.insert("action".into(), json!(f.action));
            }
            if f.error.is_none() {
                d.insert("condition".into(), json!(f.condition));
                d.insert(
                    "resourceOwnerAccount".into(),
                    json!(f.resource_owner_account),
                );
            }
            if let Some(p) = f.is_public {
                d.insert("isPublic".into(), json!(p));
            }
            if let Some(e) = &f.error {
                d.insert("error".into(), json!(e));
            }
            d.insert("resource".into(), json!(f.resource));
            d.insert("resourceType".into(), json!(f.resource_type));
            d.insert("status".into(), json!(f.status.as_str()));
            if !f.sources.is_empty() {
                d.insert("sources".into(), json!(f.sources));
            }
            for (k, v) in [
                ("createdAt", &f.created_at),
                ("analyzedAt", &f.analyzed_at),
                ("updatedAt", &f.updated_at),
            ] {
                if let Some(v) = v {
                    d.insert(k.into(), json!(v));
                }
            }
            let mut event = json!({
                "version": "0",
                "id": content_id(&["event", &f.id, c.kind.as_str(), &time]),
                "detail-type": "Access Analyzer Finding",
                "source": "aws.access-analyzer",
                "account": account,
                "time": time,
                "region": options.region,
                "resources": [analyzer],
            });
            // Moved in: inside `json!` the map would be copied.
            put(&mut event, "detail", Value::Object(d));
            event
        })
        .collect()
}
