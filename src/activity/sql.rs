//! Rows of the SQL query in `docs/activity-sql.md` (Athena, Trino, Spark, DuckDB) into an
//! [`ActivitySummary`]: for trails too large for one machine, the engine groups the events and
//! this reads the groups.

use std::borrow::Cow;
use std::collections::HashMap;

use super::actions::{event_actions, EventActions};
use super::csv::csv_records;
use super::principal::{attribute, is_long_term_key, IdentityFields, PrincipalKind, PrincipalRef};
use super::reader::{is_denied, Problem, ReadOptions, ReadReport};
use super::summary::{ActivitySummary, Observation};
use super::time::Timestamp;

/// The columns the query returns, in its order. Names are matched without regard to case.
pub const SQL_COLUMNS: &[&str] = &[
    "identity_type",
    "identity_arn",
    "account_id",
    "user_name",
    "issuer_type",
    "issuer_arn",
    "access_key_id",
    "event_source",
    "event_name",
    "event_type",
    "error_code",
    "console_login",
    "role_arn",
    "events",
    "first_time",
    "last_time",
];

/// One row, by column name.
struct Row<'a> {
    get: &'a dyn Fn(&str) -> Option<Cow<'a, str>>,
}

impl Row<'_> {
    fn text(&self, column: &str) -> Option<Cow<'_, str>> {
        (self.get)(column).filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("null"))
    }
}

/// Reads query rows, as CSV with a header line (Athena, Trino, DuckDB `COPY … (HEADER)`), as
/// a JSON array of objects, or as JSON lines (Spark, DuckDB `FORMAT JSON`), into `summary`.
///
/// Rows whose `first_time` is after `options.not_after` are skipped; a row that straddles it
/// counts as one use at its `first_time` (a use before `now` is certain, a later one is not).
/// Rows before `options.not_before` likewise. Bad rows are counted and reported, never fatal.
///
/// ```
/// use perimeter::activity::{read_sql_rows, ActivitySummary, ReadOptions};
/// let csv = "identity_type,identity_arn,event_source,event_name,events,first_time,last_time\n\
///            AssumedRole,arn:aws:sts::111122223333:assumed-role/app/i-1,s3.amazonaws.com,ListObjects,12,2024-04-01 10:00:00.000,2024-04-30 09:00:00.000\n";
/// let mut summary = ActivitySummary::new();
/// let report = read_sql_rows("rows.csv", csv, &ReadOptions::default(), &mut summary);
/// assert_eq!(report.used, 1);
/// let app = summary.principal("arn:aws:iam::111122223333:role/app").unwrap();
/// assert_eq!(app.actions["s3:ListBucket"].usage.count, 12);
/// ```
pub fn read_sql_rows(
    name: &str,
    text: &str,
    options: &ReadOptions,
    summary: &mut ActivitySummary,
) -> ReadReport {
    let mut report = ReadReport {
        files: 1,
        bytes: text.len() as u64,
        ..ReadReport::default()
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        read_json(name, trimmed, options, summary, &mut report);
    } else {
        read_csv(name, text, options, summary, &mut report);
    }
    report
}

fn problem(report: &mut ReadReport, name: &str, message: String) {
    if report.problems.len() < super::reader::MAX_PROBLEMS {
        report.problems.push(Problem {
            file: name.to_owned(),
            message,
        });
    } else {
        report.more_problems += 1;
    }
}

fn read_csv(
    name: &str,
    text: &str,
    options: &ReadOptions,
    summary: &mut ActivitySummary,
    report: &mut ReadReport,
) {
    let mut records = csv_records(text);
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            report.bad_files += 1;
            problem(report, name, e.to_string());
            return;
        }
        None => return,
    };
    let index: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
        .collect();
    if !index.contains_key("event_source") || !index.contains_key("last_time") {
        report.bad_files += 1;
        problem(
            report,
            name,
            "the header has no `event_source` or `last_time` column; see docs/activity-sql.md"
                .to_owned(),
        );
        return;
    }
    loop {
        let line = records.line();
        let fields = match records.next() {
            None => break,
            Some(Ok(f)) => f,
            Some(Err(e)) => {
                report.bad_files += 1;
                problem(report, name, e.to_string());
                break;
            }
        };
        let get = |c: &str| -> Option<Cow<'_, str>> {
            index
                .get(c)
                .and_then(|&i| fields.get(i))
                .map(|s| Cow::Borrowed(s.as_str()))
        };
        let row = Row { get: &get };
        if let Err(m) = fold_row(&row, options, summary, report) {
            report.malformed += 1;
            problem(report, name, format!("line {line}: {m}"));
        }
    }
}

fn read_json(
    name: &str,
    text: &str,
    options: &ReadOptions,
    summary: &mut ActivitySummary,
    report: &mut ReadReport,
) {
    let mut handle = |i: usize, v: &serde_json::Value, report: &mut ReadReport| {
        let Some(obj) = v.as_object() else {
            report.records += 1;
            report.malformed += 1;
            problem(report, name, format!("row {i}: not a JSON object"));
            return;
        };
        let lower: HashMap<String, &serde_json::Value> = obj
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let get = |c: &str| -> Option<Cow<'_, str>> {
            match lower.get(c)? {
                serde_json::Value::String(s) => Some(Cow::Borrowed(s.as_str())),
                serde_json::Value::Number(n) => Some(Cow::Owned(n.to_string())),
                serde_json::Value::Bool(b) => Some(Cow::Owned(b.to_string())),
                _ => None,
            }
        };
        let row = Row { get: &get };
        if let Err(m) = fold_row(&row, options, summary, report) {
            report.malformed += 1;
            problem(report, name, format!("row {i}: {m}"));
        }
    };
    if text.starts_with('[') {
        match serde_json::from_str::<Vec<serde_json::Value>>(text) {
            Ok(rows) => {
                for (i, v) in rows.iter().enumerate() {
                    handle(i + 1, v, report);
                }
            }
            Err(e) => {
                report.bad_files += 1;
                problem(report, name, format!("not a JSON array of rows: {e}"));
            }
        }
        return;
    }
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) => handle(i + 1, &v, report),
            Err(e) => {
                report.records += 1;
                report.malformed += 1;
                problem(report, name, format!("line {}: not JSON ({e})", i + 1));
            }
        }
    }
}

fn fold_row(
    row: &Row<'_>,
    options: &ReadOptions,
    summary: &mut ActivitySummary,
    report: &mut ReadReport,
) -> Result<(), String> {
    report.records += 1;
    let time = |c: &str| -> Result<Option<Timestamp>, String> {
        match row.text(c) {
            None => Ok(None),
            Some(t) => Timestamp::parse(&t)
                .map(Some)
                .map_err(|e| format!("`{c}`: {e}")),
        }
    };
    let last = time("last_time")?.ok_or("no `last_time`")?;
    let first = time("first_time")?.unwrap_or(last).min(last);
    let source = row.text("event_source").ok_or("no `event_source`")?;
    let name = row.text("event_name").ok_or("no `event_name`")?;
    let count = match row.text("events") {
        None => 1,
        Some(n) => n
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("`events`: `{n}` is not a count"))?,
    };
    if count == 0 {
        return Ok(());
    }
    // The part of [first, last] inside the window.
    let (first, last, count) = match (options.not_before, options.not_after) {
        (_, Some(now)) if first > now => {
            report.after_now += 1;
            return Ok(());
        }
        (Some(start), _) if last < start => {
            report.before_window += 1;
            return Ok(());
        }
        (start, now) => {
            let clipped_last = if now.is_some_and(|n| last > n) {
                first
            } else {
                last
            };
            let clipped_first = if start.is_some_and(|s| first < s) {
                clipped_last
            } else {
                first
            };
            let partial = clipped_last != last || clipped_first != first;
            (clipped_first, clipped_last, if partial { 1 } else { count })
        }
    };
    if matches!(
        row.text("event_type").as_deref(),
        Some("AwsServiceEvent" | "AwsCloudTrailInsight")
    ) {
        report.not_calls += 1;
        return Ok(());
    }
    report.used += 1;
    let identity_type = row.text("identity_type");
    let identity_arn = row.text("identity_arn");
    let account_id = row.text("account_id");
    let user_name = row.text("user_name");
    let issuer_kind = row.text("issuer_type");
    let issuer_arn = row.text("issuer_arn");
    let fields = IdentityFields {
        kind: identity_type.as_deref(),
        arn: identity_arn.as_deref(),
        account_id: account_id.as_deref(),
        user_name: user_name.as_deref(),
        issuer_kind: issuer_kind.as_deref(),
        issuer_arn: issuer_arn.as_deref(),
    };
    let principal = attribute(&fields);
    let error_code = row.text("error_code");
    let denied = error_code.as_deref().is_some_and(is_denied);
    let mapped = event_actions(&source, &name);
    let default_action;
    let actions: Cow<'_, [&str]> = match &mapped {
        EventActions::Default { prefix, name } => {
            default_action = format!("{prefix}:{name}");
            Cow::Owned(vec![default_action.as_str()])
        }
        EventActions::Listed(list) => Cow::Borrowed(list),
        EventActions::None => Cow::Borrowed(&[]),
    };
    let person = principal
        .as_ref()
        .is_some_and(|p| matches!(p.kind, PrincipalKind::User | PrincipalKind::Root));
    let key = row.text("access_key_id");
    let access_key = key.as_deref().filter(|k| person && is_long_term_key(k));
    let console_sign_in = person
        && &*source == "signin.amazonaws.com"
        && &*name == "ConsoleLogin"
        && row.text("console_login").as_deref() == Some("Success");
    let assumed: Option<PrincipalRef> = (error_code.is_none()
        && &*source == "sts.amazonaws.com"
        && matches!(
            &*name,
            "AssumeRole" | "AssumeRoleWithSAML" | "AssumeRoleWithWebIdentity"
        ))
    .then(|| {
        row.text("role_arn")
            .and_then(|a| PrincipalRef::from_arn(&a))
    })
    .flatten()
    .filter(|p| p.kind == PrincipalKind::Role && p.path.is_some());
    summary.observe(&Observation {
        principal: principal.as_ref(),
        count,
        first: Some(first),
        last: Some(last),
        last_allowed: (!denied).then_some(last),
        actions: &actions,
        resources: &[],
        access_key,
        console_sign_in,
        assumed_role: assumed.as_ref(),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "identity_type,identity_arn,account_id,user_name,issuer_type,issuer_arn,access_key_id,event_source,event_name,event_type,error_code,console_login,role_arn,events,first_time,last_time\n";

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn csv_rows() {
        let csv = format!(
            "{HEADER}\
IAMUser,arn:aws:iam::111122223333:user/alice,111122223333,alice,,,AKIAIOSFODNN7EXAMPLE,ec2.amazonaws.com,DescribeInstances,AwsApiCall,,,,3,2024-03-01T00:00:00Z,2024-03-05T00:00:00Z\n\
IAMUser,arn:aws:iam::111122223333:user/alice,111122223333,alice,,,,signin.amazonaws.com,ConsoleLogin,AwsConsoleSignIn,,Success,,1,2024-03-02T00:00:00Z,2024-03-02T00:00:00Z\n\
AWSService,,,,,,,sts.amazonaws.com,AssumeRole,AwsApiCall,,,arn:aws:iam::111122223333:role/service-role/app,4,2024-03-01T00:00:00Z,2024-03-09T00:00:00Z\n\
AssumedRole,arn:aws:sts::111122223333:assumed-role/app/s,111122223333,,Role,arn:aws:iam::111122223333:role/service-role/app,ASIAXXXXXXXXXXXXXXXX,s3.amazonaws.com,GetObject,AwsApiCall,AccessDenied,,,2,2024-03-03T00:00:00Z,2024-03-04T00:00:00Z\n\
IAMUser,arn:aws:iam::111122223333:user/alice,,,,,,ec2.amazonaws.com,RunInstances,AwsApiCall,,,,1,,not-a-time\n"
        );
        let mut s = ActivitySummary::new();
        let rep = read_sql_rows("q.csv", &csv, &ReadOptions::default(), &mut s);
        assert_eq!((rep.records, rep.used, rep.malformed), (5, 4, 1));
        assert_eq!(rep.problems[0].message, "line 6: `last_time`: `not-a-time` is not a timestamp (expected e.g. `2024-05-01T12:00:00Z`)");
        let alice = s.principal("arn:aws:iam::111122223333:user/alice").unwrap();
        assert_eq!(alice.actions["ec2:DescribeInstances"].usage.count, 3);
        assert_eq!(
            alice.access_keys["AKIAIOSFODNN7EXAMPLE"].last,
            t("2024-03-05T00:00:00Z")
        );
        assert_eq!(
            alice.console_sign_in.unwrap().last,
            t("2024-03-02T00:00:00Z")
        );
        let app = s.principal("arn:aws:iam::111122223333:role/app").unwrap();
        assert_eq!(app.path.as_deref(), Some("/service-role/"));
        assert_eq!(app.assumed.unwrap().count, 4);
        assert_eq!(app.actions["s3:GetObject"].usage.last_allowed, None);
        assert!(app.access_keys.is_empty());
        assert_eq!(
            s.coverage(),
            Some((t("2024-03-01T00:00:00Z"), t("2024-03-09T00:00:00Z")))
        );
    }

    #[test]
    fn rows_straddling_now_count_once_at_their_first_time() {
        let csv = format!("{HEADER}IAMUser,arn:aws:iam::111122223333:user/a,,,,,,iam.amazonaws.com,ListUsers,,,,,9,2024-01-01T00:00:00Z,2024-06-01T00:00:00Z\nIAMUser,arn:aws:iam::111122223333:user/a,,,,,,iam.amazonaws.com,GetUser,,,,,9,2024-05-01T00:00:00Z,2024-06-01T00:00:00Z\n");
        let mut s = ActivitySummary::new();
        let opts = ReadOptions::default().not_after(t("2024-02-01T00:00:00Z"));
        let rep = read_sql_rows("q.csv", &csv, &opts, &mut s);
        assert_eq!((rep.used, rep.after_now), (1, 1));
        let u = s
            .principal("arn:aws:iam::111122223333:user/a")
            .unwrap()
            .actions["iam:ListUsers"]
            .usage;
        assert_eq!((u.count, u.last), (1, t("2024-01-01T00:00:00Z")));
    }

    #[test]
    fn json_rows_match_csv_rows() {
        let csv = format!("{HEADER}IAMUser,arn:aws:iam::111122223333:user/a,,,,,,iam.amazonaws.com,ListUsers,AwsApiCall,,,,9,2024-01-01 00:00:00.000,2024-01-02 00:00:00.000\n");
        let lines = r#"{"identity_type":"IAMUser","identity_arn":"arn:aws:iam::111122223333:user/a","event_source":"iam.amazonaws.com","event_name":"ListUsers","event_type":"AwsApiCall","events":9,"first_time":"2024-01-01T00:00:00Z","last_time":"2024-01-02T00:00:00Z","error_code":null}"#;
        let array = format!("[{lines}]");
        let mut a = ActivitySummary::new();
        let mut b = ActivitySummary::new();
        let mut c = ActivitySummary::new();
        read_sql_rows("q.csv", &csv, &ReadOptions::default(), &mut a);
        read_sql_rows(
            "q.jsonl",
            &format!("{lines}\n{lines}\n"),
            &ReadOptions::default(),
            &mut b,
        );
        read_sql_rows("q.json", &array, &ReadOptions::default(), &mut c);
        let mut a2 = a.clone();
        a2.merge(a.clone());
        assert_eq!(a2, b);
        assert_eq!(a, c);
    }

    #[test]
    fn a_header_without_the_needed_columns_is_reported() {
        let mut s = ActivitySummary::new();
        let rep = read_sql_rows("q.csv", "a,b\n1,2\n", &ReadOptions::default(), &mut s);
        assert_eq!(rep.bad_files, 1);
        assert_eq!(rep.problems[0].to_string(), "`q.csv`: the header has no `event_source` or `last_time` column; see docs/activity-sql.md");
    }
}
