//! `ActivitySummary::merge` is associative and commutative, and summarising shards then
//! merging equals summarising everything at once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use perimeter::activity::{ActivitySummary, CloudTrailReader, ReadOptions};
use proptest::prelude::*;

/// A CloudTrail record drawn from a small universe, so that shards overlap.
fn record() -> impl Strategy<Value = String> {
    (
        0usize..5,
        0usize..7,
        0u32..86_400 * 30,
        prop::option::of(prop::sample::select(vec!["AccessDenied", "NoSuchBucket"])),
        0usize..3,
        0usize..4,
    )
        .prop_map(|(who, what, secs, error, key, resource)| {
            let identity = match who {
                0 => r#"{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/team/alice","accessKeyId":"AKIAAAAAAAAAAAAAAAA1"}"#.to_owned(),
                1 => format!(r#"{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","accessKeyId":"{}"}}"#,
                    ["AKIABBBBBBBBBBBBBBB1", "AKIABBBBBBBBBBBBBBB2", "ASIABBBBBBBBBBBBBBB3"][key]),
                2 => r#"{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app/s1","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/svc/app"}}}"#.to_owned(),
                3 => r#"{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app/s2"}"#.to_owned(),
                _ => r#"{"type":"AWSService","invokedBy":"lambda.amazonaws.com"}"#.to_owned(),
            };
            let (source, name) = [
                ("s3.amazonaws.com", "ListObjects"),
                ("s3.amazonaws.com", "GetObject"),
                ("ec2.amazonaws.com", "DescribeInstances"),
                ("signin.amazonaws.com", "ConsoleLogin"),
                ("sts.amazonaws.com", "AssumeRole"),
                ("kms.amazonaws.com", "ReEncrypt"),
                ("lambda.amazonaws.com", "Invoke"),
            ][what];
            let day = secs / 86_400 + 1;
            let rest = secs % 86_400;
            let time = format!("2024-04-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest / 60 % 60, rest % 60);
            let error = error.map(|e| format!(r#","errorCode":"{e}""#)).unwrap_or_default();
            let resources = if resource == 0 { String::new() } else {
                format!(r#","resources":[{{"ARN":"arn:aws:s3:::bucket{resource}"}}]"#)
            };
            format!(
                r#"{{"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","userIdentity":{identity}{error}{resources},"requestParameters":{{"roleArn":"arn:aws:iam::111122223333:role/svc/app"}},"responseElements":{{"ConsoleLogin":"Success"}}}}"#
            )
        })
}

fn summarise(records: &[String]) -> ActivitySummary {
    let log = format!(r#"{{"Records":[{}]}}"#, records.join(","));
    let mut r = CloudTrailReader::new(ReadOptions::default());
    r.read_bytes("shard.json", log.as_bytes());
    let (s, report) = r.finish();
    assert_eq!(report.used as usize, records.len());
    s
}

fn merged(a: &ActivitySummary, b: &ActivitySummary) -> ActivitySummary {
    let mut m = a.clone();
    m.merge(b.clone());
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn merge_is_associative_and_commutative(
        a in prop::collection::vec(record(), 0..12),
        b in prop::collection::vec(record(), 0..12),
        c in prop::collection::vec(record(), 0..12),
    ) {
        let (sa, sb, sc) = (summarise(&a), summarise(&b), summarise(&c));
        prop_assert_eq!(merged(&sa, &sb), merged(&sb, &sa));
        prop_assert_eq!(merged(&sa, &merged(&sb, &sc)), merged(&merged(&sa, &sb), &sc));
        prop_assert_eq!(merged(&sa, &ActivitySummary::new()), sa.clone());
        let all: Vec<String> = a.iter().chain(&b).chain(&c).cloned().collect();
        prop_assert_eq!(merged(&merged(&sa, &sb), &sc), summarise(&all));
        // A serialized shard merges the same.
        let json = serde_json::to_string(&sb).unwrap();
        let back: ActivitySummary = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(merged(&sa, &back), merged(&sa, &sb));
    }
}
