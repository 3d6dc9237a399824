//! Credentials that `get-account-authorization-details` lacks: the IAM credential report
//! (`aws iam get-credential-report`) and access key ids (`aws iam list-access-keys`).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::csv::csv_records;
use super::time::Timestamp;

/// Why a credentials file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialsError {
    message: String,
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {}

fn error(message: String) -> CredentialsError {
    CredentialsError { message }
}

/// One access key slot of a credential report row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeySlot {
    /// `access_key_N_active`.
    pub active: bool,
    /// `access_key_N_last_rotated` (when the key was created or last changed).
    pub last_rotated: Option<Timestamp>,
    /// `access_key_N_last_used_date`.
    pub last_used: Option<Timestamp>,
    /// `access_key_N_last_used_service`.
    pub last_used_service: Option<String>,
}

/// One row of the credential report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialReportRow {
    /// `user` (`<root_account>` for the root user).
    pub user: String,
    /// `arn`.
    pub arn: String,
    /// `user_creation_time`.
    pub created: Option<Timestamp>,
    /// `password_enabled` (`None`: `not_supported`, the root user).
    pub password_enabled: Option<bool>,
    /// `password_last_used`.
    pub password_last_used: Option<Timestamp>,
    /// `password_last_changed`.
    pub password_last_changed: Option<Timestamp>,
    /// `mfa_active`.
    pub mfa_active: bool,
    /// `access_key_1_*`, `access_key_2_*`.
    pub keys: [KeySlot; 2],
}

/// The IAM credential report, decoded (the CSV text that `aws iam get-credential-report`
/// returns base64-encoded in `Content`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CredentialReport {
    /// The rows.
    pub rows: Vec<CredentialReportRow>,
}

/// A value of the report: a timestamp, or nothing (`N/A`, `no_information`, `not_supported`,
/// empty). IAM User Guide, "Getting credential reports for your AWS account".
fn when(v: Option<&str>) -> Option<Timestamp> {
    v.and_then(|s| Timestamp::parse(s).ok())
}

fn flag(v: Option<&str>) -> Option<bool> {
    match v.map(str::trim) {
        Some(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

impl CredentialReport {
    /// Reads the report: the decoded CSV, or the JSON that `aws iam get-credential-report`
    /// prints (`{"Content": "<base64>", …}`).
    ///
    /// # Errors
    /// When the text is neither, or the CSV has no `user` and `arn` columns.
    ///
    /// ```
    /// use perimeter::activity::CredentialReport;
    /// let r = CredentialReport::parse("user,arn,user_creation_time,password_enabled,password_last_used,access_key_1_active,access_key_1_last_used_date\n\
    ///     alice,arn:aws:iam::111122223333:user/alice,2020-01-01T00:00:00+00:00,true,2024-04-01T08:00:00+00:00,true,N/A\n")?;
    /// assert_eq!(r.rows[0].password_enabled, Some(true));
    /// assert_eq!(r.rows[0].keys[0].last_used, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str) -> Result<CredentialReport, CredentialsError> {
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('{') {
            let v: Value = serde_json::from_str(trimmed)
                .map_err(|e| error(format!("the credential report is not JSON: {e}")))?;
            let content = v.get("Content").and_then(Value::as_str).ok_or_else(|| {
                error("the credential report JSON has no string `Content`".to_owned())
            })?;
            let bytes = base64_decode(content)
                .ok_or_else(|| error("the credential report `Content` is not base64".to_owned()))?;
            let csv = String::from_utf8(bytes).map_err(|_| {
                error("the credential report `Content` is not UTF-8 text".to_owned())
            })?;
            return Self::parse_csv(&csv);
        }
        Self::parse_csv(text)
    }

    fn parse_csv(text: &str) -> Result<CredentialReport, CredentialsError> {
        let mut records = csv_records(text);
        let header = match records.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(error(format!("the credential report is not CSV: {e}"))),
            None => return Err(error("the credential report is empty".to_owned())),
        };
        let index: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
            .collect();
        if !index.contains_key("user") || !index.contains_key("arn") {
            return Err(error(
                "the credential report has no `user` and `arn` columns".to_owned(),
            ));
        }
        let mut rows = Vec::new();
        for rec in records {
            let fields =
                rec.map_err(|e| error(format!("the credential report is not CSV: {e}")))?;
            let get = |c: &str| {
                index
                    .get(c)
                    .and_then(|&i| fields.get(i))
                    .map(String::as_str)
            };
            let slot = |n: u8| KeySlot {
                active: flag(get(&format!("access_key_{n}_active"))) == Some(true),
                last_rotated: when(get(&format!("access_key_{n}_last_rotated"))),
                last_used: when(get(&format!("access_key_{n}_last_used_date"))),
                last_used_service: get(&format!("access_key_{n}_last_used_service"))
                    .filter(|s| !s.is_empty() && *s != "N/A")
                    .map(str::to_owned),
            };
            rows.push(CredentialReportRow {
                user: get("user").unwrap_or_default().to_owned(),
                arn: get("arn").unwrap_or_default().to_owned(),
                created: when(get("user_creation_time")),
                password_enabled: flag(get("password_enabled")),
                password_last_used: when(get("password_last_used")),
                password_last_changed: when(get("password_last_changed")),
                mfa_active: flag(get("mfa_active")) == Some(true),
                keys: [slot(1), slot(2)],
            });
        }
        Ok(CredentialReport { rows })
    }

    /// The row of a user, by ARN.
    pub fn row(&self, arn: &str) -> Option<&CredentialReportRow> {
        self.rows.iter().find(|r| r.arn == arn)
    }
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// One access key of a user, from `list-access-keys`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKey {
    /// `UserName`.
    pub user: String,
    /// `AccessKeyId`.
    pub id: String,
    /// `Status` is `Active`.
    pub active: bool,
    /// `CreateDate`.
    pub created: Option<Timestamp>,
    /// The credential report slot (1 or 2): the user's older key is slot 1.
    pub slot: u8,
}

/// Access keys per user name, from `aws iam list-access-keys` outputs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AccessKeys {
    /// Per user name, oldest first.
    pub by_user: BTreeMap<String, Vec<AccessKey>>,
}

impl AccessKeys {
    /// Reads a JSON array of `list-access-keys` outputs (one per user), a single output, or a
    /// bare array of `AccessKeyMetadata` entries.
    ///
    /// # Errors
    /// When the text is not JSON, or holds no `AccessKeyMetadata` entries nor key entries.
    ///
    /// ```
    /// use perimeter::activity::AccessKeys;
    /// let k = AccessKeys::parse(r#"[{"AccessKeyMetadata": [
    ///   {"UserName": "bob", "AccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Status": "Active", "CreateDate": "2024-01-09T00:00:00Z"},
    ///   {"UserName": "bob", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Inactive", "CreateDate": "2023-06-01T00:00:00Z"}]}]"#)?;
    /// assert_eq!(k.by_user["bob"][0].id, "AKIAIOSFODNN7EXAMPLE");
    /// assert_eq!(k.by_user["bob"][0].slot, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str) -> Result<AccessKeys, CredentialsError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| error(format!("the access keys are not JSON: {e}")))?;
        let mut entries = Vec::new();
        let mut collect = |o: &Value| {
            if let Some(list) = o.get("AccessKeyMetadata").and_then(Value::as_array) {
                entries.extend(list.iter().cloned());
                true
            } else if o.get("AccessKeyId").is_some() {
                entries.push(o.clone());
                true
            } else {
                false
            }
        };
        let ok = match &v {
            Value::Array(items) => {
                items.iter().all(&mut collect) && !items.is_empty() || items.is_empty()
            }
            o => collect(o),
        };
        if !ok {
            return Err(error(
                "the access keys are not `list-access-keys` output (no `AccessKeyMetadata`)"
                    .to_owned(),
            ));
        }
        let mut by_user: BTreeMap<String, Vec<AccessKey>> = BTreeMap::new();
        for e in &entries {
            let (Some(user), Some(id)) = (
                e.get("UserName").and_then(Value::as_str),
                e.get("AccessKeyId").and_then(Value::as_str),
            ) else {
                continue;
            };
            let list = by_user.entry(user.to_owned()).or_default();
            if list.iter().any(|k| k.id == id) {
                continue;
            }
            list.push(AccessKey {
                user: user.to_owned(),
                id: id.to_owned(),
                active: e.get("Status").and_then(Value::as_str) == Some("Active"),
                created: e
                    .get("CreateDate")
                    .and_then(Value::as_str)
                    .and_then(|s| Timestamp::parse(s).ok()),
                slot: 0,
            });
        }
        for list in by_user.values_mut() {
            list.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
            for (i, k) in list.iter_mut().enumerate() {
                k.slot = u8::try_from(i + 1).unwrap_or(u8::MAX);
            }
        }
        Ok(AccessKeys { by_user })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::111122223333:root,2019-01-01T00:00:00+00:00,not_supported,2024-03-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
alice,arn:aws:iam::111122223333:user/alice,2020-01-01T00:00:00+00:00,true,no_information,2020-01-01T00:00:00+00:00,N/A,false,true,2021-01-01T00:00:00+00:00,2024-04-01T00:00:00+00:00,us-east-1,s3,true,2023-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n";

    #[test]
    fn report_values() {
        let r = CredentialReport::parse(REPORT).unwrap();
        assert_eq!(r.rows.len(), 2);
        let root = &r.rows[0];
        assert_eq!(
            (root.user.as_str(), root.password_enabled),
            ("<root_account>", None)
        );
        assert!(root.mfa_active);
        let alice = r.row("arn:aws:iam::111122223333:user/alice").unwrap();
        assert_eq!(alice.password_enabled, Some(true));
        assert_eq!(alice.password_last_used, None);
        assert!(alice.keys[0].active && alice.keys[1].active);
        assert_eq!(
            alice.keys[0].last_used.unwrap().to_string(),
            "2024-04-01T00:00:00Z"
        );
        assert_eq!(alice.keys[0].last_used_service.as_deref(), Some("s3"));
        assert_eq!(alice.keys[1].last_used, None);
    }

    #[test]
    fn report_as_cli_json() {
        let content = base64_encode(REPORT.as_bytes());
        let json = format!(
            r#"{{"Content": "{content}", "ReportFormat": "text/csv", "GeneratedTime": "2024-05-01T00:00:00Z"}}"#
        );
        assert_eq!(
            CredentialReport::parse(&json).unwrap(),
            CredentialReport::parse(REPORT).unwrap()
        );
        assert_eq!(
            CredentialReport::parse(r#"{"Content": "%%%"}"#)
                .unwrap_err()
                .to_string(),
            "the credential report `Content` is not base64"
        );
        assert_eq!(
            CredentialReport::parse("a,b\n1,2\n")
                .unwrap_err()
                .to_string(),
            "the credential report has no `user` and `arn` columns"
        );
    }

    fn base64_encode(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn keys_forms() {
        let one = r#"{"AccessKeyMetadata": [{"UserName": "a", "AccessKeyId": "AKIA1111111111111111", "Status": "Active", "CreateDate": "2024-01-01T00:00:00Z"}], "IsTruncated": false}"#;
        let k = AccessKeys::parse(one).unwrap();
        assert_eq!(k.by_user["a"][0].slot, 1);
        assert!(k.by_user["a"][0].active);
        assert!(AccessKeys::parse("[]").unwrap().by_user.is_empty());
        assert_eq!(
            AccessKeys::parse(r#"[{"Users": []}]"#)
                .unwrap_err()
                .to_string(),
            "the access keys are not `list-access-keys` output (no `AccessKeyMetadata`)"
        );
    }
}
