//! Reading real CloudTrail logs (tests/data/cloudtrail, see tests/data/SOURCES.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use perimeter::activity::{
    event_actions, ActivitySummary, CloudTrailReader, LogFiles, ReadOptions, ReadReport, Timestamp,
};

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/cloudtrail")
        .join(p)
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn read(path: &Path, now: &str) -> (ActivitySummary, ReadReport) {
    let mut r = CloudTrailReader::new(ReadOptions::default().not_after(t(now)));
    r.read_path(path).unwrap();
    r.finish()
}

/// The flaws2 CTF trail: the `level1` Lambda role's session lists a bucket and pulls from ECR,
/// and is denied `logs:CreateLogStream` five times; the `level3` ECS role lists buckets; AWS
/// services assume three roles; everything else is anonymous S3 website traffic.
#[test]
fn flaws2_tree_known_answers() {
    let (s, rep) = read(&data("flaws2"), "2019-01-01T00:00:00Z");
    assert_eq!(
        (rep.files, rep.digest_files, rep.records, rep.used),
        (8, 1, 37, 37)
    );
    assert_eq!((rep.malformed, rep.bad_files), (0, 0));
    assert!(rep.problems.is_empty());
    assert_eq!(s.events(), 37);
    assert_eq!(s.unattributed_events(), 27);
    assert_eq!(
        s.coverage(),
        Some((t("2018-11-28T22:31:59Z"), t("2018-11-28T23:09:36Z")))
    );

    let keys: Vec<&str> = s.principals().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [
            "arn:aws:iam::653711331788:role/ecsTaskExecutionRole",
            "arn:aws:iam::653711331788:role/level1",
            "arn:aws:iam::653711331788:role/level3",
        ]
    );

    let level1 = s
        .principal("arn:aws:iam::653711331788:role/service-role/level1")
        .unwrap();
    assert_eq!(level1.path.as_deref(), Some("/service-role/"));
    assert_eq!(
        s.principal_arn("arn:aws:iam::653711331788:role/level1"),
        "arn:aws:iam::653711331788:role/service-role/level1"
    );
    assert_eq!(level1.calls.unwrap().count, 9);
    assert_eq!(level1.assumed.unwrap().last, t("2018-11-28T23:03:12Z"));
    let actions: Vec<&str> = level1.actions.keys().map(String::as_str).collect();
    assert_eq!(
        actions,
        [
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:ListImages",
            "logs:CreateLogStream",
            "s3:ListBucket"
        ]
    );
    let logs = level1.actions["logs:CreateLogStream"].usage;
    assert_eq!(
        (logs.count, logs.last, logs.last_allowed),
        (5, t("2018-11-28T23:03:50Z"), None)
    );
    let list = &level1.actions["s3:ListBucket"];
    assert_eq!(list.usage.last_allowed, Some(t("2018-11-28T23:04:54Z")));
    assert_eq!(
        list.resources.arns().collect::<Vec<_>>(),
        ["arn:aws:s3:::level1.flaws2.cloud"]
    );
    assert_eq!(
        level1.actions["ecr:ListImages"]
            .resources
            .arns()
            .collect::<Vec<_>>(),
        ["arn:aws:ecr:us-east-1:653711331788:repository/level2"]
    );
    assert_eq!(level1.services["ecr"].count, 3);
    assert_eq!(level1.services["logs"].last_allowed, None);
    assert!(
        level1.access_keys.is_empty(),
        "session keys (ASIA…) are not access keys"
    );

    let level3 = s
        .principal("arn:aws:iam::653711331788:role/level3")
        .unwrap();
    assert_eq!(level3.path.as_deref(), Some("/"));
    assert_eq!(
        level3.actions.keys().collect::<Vec<_>>(),
        ["s3:ListAllMyBuckets"]
    );
    assert_eq!(level3.assumed.unwrap().last, t("2018-11-28T22:31:59Z"));

    let exec = s
        .principal("arn:aws:iam::653711331788:role/ecsTaskExecutionRole")
        .unwrap();
    assert!(exec.calls.is_none() && exec.actions.is_empty());
    assert_eq!(exec.last_activity(true), Some(t("2018-11-28T22:31:59Z")));
}

#[test]
fn now_cuts_off_later_events() {
    let (s, rep) = read(&data("flaws2"), "2018-11-28T23:05:00Z");
    assert_eq!(rep.used + rep.after_now, 37);
    let level1 = s
        .principal("arn:aws:iam::653711331788:role/level1")
        .unwrap();
    assert!(level1.actions.contains_key("s3:ListBucket"));
    assert!(
        !level1.actions.contains_key("ecr:ListImages"),
        "23:05:53 is after now"
    );
    assert!(s
        .principal("arn:aws:iam::653711331788:role/level3")
        .unwrap()
        .actions
        .is_empty());
}

/// Every denied call in the real logs whose message names the IAM action must map to that
/// action: AWS wrote the answer into the log.
#[test]
fn denied_messages_name_the_mapped_action() {
    let mut checked = 0;
    for file in LogFiles::new(&data("")) {
        let file = file.unwrap();
        let bytes = std::fs::read(&file).unwrap();
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut out = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
                &mut out,
            )
            .unwrap();
            out
        } else {
            String::from_utf8(bytes).unwrap()
        };
        if file.extension().is_some_and(|e| e == "jsonl")
            || file.to_string_lossy().contains("Digest")
        {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for r in v["Records"].as_array().unwrap() {
            let Some(msg) = r["errorMessage"].as_str() else {
                continue;
            };
            let Some(rest) = msg.split("not authorized to perform").nth(1) else {
                continue;
            };
            let action: String = rest
                .trim_start_matches(':')
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
                .collect();
            if action == "iam:Action" || !action.contains(':') {
                continue; // a redacted message in the TrailDiscover examples
            }
            let (Some(src), Some(name)) = (r["eventSource"].as_str(), r["eventName"].as_str())
            else {
                continue;
            };
            let mapped = event_actions(src, name).to_vec();
            assert!(
                mapped.iter().any(|a| a.eq_ignore_ascii_case(&action)),
                "{src} {name}: log says {action}, mapped to {mapped:?} ({})",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 150, "only {checked} denied calls checked");
}

#[test]
fn lookup_events_json_lines() {
    let (s, rep) = read(
        &data("other/plaso-aws_cloudtrail.jsonl"),
        "2030-01-01T00:00:00Z",
    );
    assert_eq!(
        (rep.records, rep.used, rep.not_calls, rep.malformed),
        (6, 5, 1, 0)
    );
    let user = s
        .principal("arn:aws:iam::012345678901:user/fakeusername")
        .unwrap();
    assert_eq!(
        user.actions.keys().collect::<Vec<_>>(),
        [
            "ec2:CreateSecurityGroup",
            "ec2:DescribeInstances",
            "ec2:RunInstances",
            "ec2:StopInstances",
            "ec2:TerminateInstances"
        ]
    );
}

#[test]
fn lookup_events_object_form() {
    // The same events as `{"Events": [...]}`, as `aws cloudtrail lookup-events` prints by default.
    let lines = std::fs::read_to_string(data("other/plaso-aws_cloudtrail.jsonl")).unwrap();
    let events: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let doc = serde_json::json!({ "Events": events }).to_string();
    let mut r = CloudTrailReader::new(ReadOptions::default());
    r.read_bytes("lookup.json", doc.as_bytes());
    let (s, rep) = r.finish();
    assert_eq!(rep.used, 5);
    let (from_lines, _) = read(
        &data("other/plaso-aws_cloudtrail.jsonl"),
        "2030-01-01T00:00:00Z",
    );
    assert_eq!(s, from_lines);
}

#[test]
fn console_sign_ins_and_access_keys() {
    let (s, rep) = read(&data(""), "2030-01-01T00:00:00Z");
    // 13 Panther test events have no `eventTime`, 2 have `redacted` and `...`.
    assert_eq!(
        (rep.records, rep.malformed, rep.not_calls, rep.digest_files),
        (1103, 15, 3, 1)
    );
    // At most 5 problems are listed per file; the rest are counted.
    assert_eq!((rep.problems.len(), rep.more_problems), (5, 10));
    assert!(rep
        .problems
        .iter()
        .all(|p| p.file.ends_with("panther-analysis-test-events.json")
            && p.message == "a record has no string `eventTime`"));

    let tester = s
        .principal("arn:aws:iam::123456789012:user/tester")
        .unwrap();
    let c = tester.console_sign_in.unwrap();
    assert_eq!((c.count, c.last), (5, t("2023-05-26T20:14:51Z")));
    let stratus = s
        .principal("arn:aws:iam::562283505220:user/stratus-red-team-nmfalu-jfzdtsvchl")
        .unwrap();
    assert_eq!(
        stratus.console_sign_in.unwrap().last,
        t("2024-08-02T08:53:24Z")
    );
    // SSO users sign in to the console through a role: not a password.
    for (k, p) in s.principals() {
        if k.contains(":role/") {
            assert!(p.console_sign_in.is_none(), "{k}");
        }
    }
    // Long-term keys only.
    for (k, p) in s.principals() {
        for key in p.access_keys.keys() {
            assert!(key.starts_with("AKIA"), "{k}: {key}");
        }
    }
    assert!(s.principals().any(|(_, p)| !p.access_keys.is_empty()));
}

#[test]
fn damaged_files_are_reported_and_skipped() {
    let dir =
        std::env::temp_dir().join(format!("perimeter-activity-damaged-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let src = data("flaws2/AWSLogs/653711331788/CloudTrail/us-east-1/2018/11/28/653711331788_CloudTrail_us-east-1_20181128T2310Z_jJW5HfNtz7kOnvcP.json.gz");
    let gz = std::fs::read(&src).unwrap();
    std::fs::write(dir.join("whole.json.gz"), &gz).unwrap();
    std::fs::write(dir.join("sub/cut.json.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::write(dir.join("sub/garbage.json"), b"\x00\x01not json at all").unwrap();
    std::fs::write(dir.join("sub/notes.txt"), b"not a log name, not read").unwrap();
    let (_, whole) = read(&dir.join("whole.json.gz"), "2030-01-01T00:00:00Z");
    let (_, rep) = read(&dir, "2030-01-01T00:00:00Z");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(rep.files, 3);
    assert_eq!(rep.bad_files, 2);
    assert!(rep.used >= whole.used, "the whole copy is still read");
    assert!(rep.used < 2 * whole.used, "the cut copy loses records");
    let files: Vec<&str> = rep.problems.iter().map(|p| p.file.as_str()).collect();
    assert!(
        files.iter().any(|f| f.ends_with("sub/cut.json.gz")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.ends_with("sub/garbage.json")),
        "{files:?}"
    );
}

#[test]
fn missing_paths_are_errors() {
    let mut r = CloudTrailReader::new(ReadOptions::default());
    let e = r.read_path(Path::new("/nonexistent/trail")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot read `/nonexistent/trail`: "),
        "{e}"
    );
}

#[test]
fn summaries_of_shards_merge_into_the_whole() {
    let (whole, _) = read(&data(""), "2030-01-01T00:00:00Z");
    let mut merged = ActivitySummary::new();
    for file in LogFiles::new(&data("")) {
        let (part, _) = read(&file.unwrap(), "2030-01-01T00:00:00Z");
        let json = serde_json::to_string(&part).unwrap();
        merged.merge(serde_json::from_str(&json).unwrap());
    }
    assert_eq!(merged, whole);
}

/// Every action in the event table exists in the Service Authorization Reference. Reads the raw
/// reference from the project's shared data when it is there (the embedded `perimeter::catalog`
/// will replace this once it lands).
#[test]
fn table_actions_exist_in_the_service_reference() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/service-reference/aws-service-reference-2025-11-01.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("note: {} not found; table check skipped", path.display());
        return;
    };
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut known = std::collections::HashSet::new();
    for (prefix, svc) in v["services"].as_object().unwrap() {
        for a in svc["Actions"].as_array().unwrap() {
            known.insert(format!("{prefix}:{}", a["Name"].as_str().unwrap()).to_ascii_lowercase());
        }
    }
    let mut n = 0;
    for a in perimeter::activity::table_actions() {
        assert!(
            known.contains(&a.to_ascii_lowercase()),
            "{a} is not in the service reference"
        );
        n += 1;
    }
    assert!(n > 200, "{n}");
}
