//! Runs every case under `tests/corpus/analyze/`, and analyses every real resource policy of the
//! data set (`tests/data/resource-policies/`).
//!
//! Each file is a JSON array of cases:
//! - `name`: a short unique name; `description`: what the case proves (required);
//! - `zoneOfTrust`: the zone (default: the resource's owner account);
//! - `mode`: `compatible` (default) or `minimal`;
//! - `resource`: one resource in the snapshot format (`docs/snapshot.md`); it is read through
//!   [`Snapshot::read`], so the cases also exercise the reader;
//! - `findings`: the expected findings, all of them (a case with `[]` expects none). Each gives
//!   `principal`, `condition` (default `{}`), and optionally `action` (exact), `actionIncludes` /
//!   `actionExcludes` (for long lists), `isPublic`, `sources`, `error`, `noteContains`,
//!   `noteLacks`, `witness` (`false`: the finding must have none).
//!
//! Every finding with a witness is re-evaluated with `perimeter::eval`: each case of the witness
//! (one, or two for requests through an access point) must be allowed, and its caller must be
//! outside the zone of trust.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/named_resource.rs"]
mod named_resource;
use named_resource::named_resource;

use perimeter::analyze::{
    analyze_resource, Finding, Mode, Options, PolicyResource, Resource, ResourceConfig,
    ResourceType, Snapshot, Witness, ZoneOfTrust,
};
use perimeter::eval::{Caller, Case};
use perimeter::policy::Policy;
use serde_json::{json, Value};
use std::path::Path;

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.remove("witness");
                o.remove("id");
                o.remove("resource");
                o.remove("resourceType");
                o.remove("resourceOwnerAccount");
                o.remove("status");
            }
            v.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n    ")
}

fn matches(want: &Value, f: &Finding) -> Result<(), String> {
    let fv = serde_json::to_value(f).unwrap();
    if let Some(p) = want.get("principal") {
        if fv.get("principal").unwrap_or(&json!({})) != p {
            return Err("principal".into());
        }
    }
    let cond = want.get("condition").cloned().unwrap_or(json!({}));
    if fv["condition"] != cond {
        return Err("condition".into());
    }
    if let Some(a) = want.get("action") {
        if fv.get("action").unwrap_or(&json!([])) != a {
            return Err("action".into());
        }
    }
    for a in want
        .get("actionIncludes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !f.action.iter().any(|x| Some(x.as_str()) == a.as_str()) {
            return Err(format!("action lacks {a}"));
        }
    }
    for a in want
        .get("actionExcludes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if f.action.iter().any(|x| Some(x.as_str()) == a.as_str()) {
            return Err(format!("action has {a}"));
        }
    }
    if let Some(p) = want.get("isPublic") {
        if fv.get("isPublic").unwrap_or(&Value::Null) != p {
            return Err("isPublic".into());
        }
    }
    if let Some(s) = want.get("sources") {
        if fv.get("sources").unwrap_or(&json!([])) != s {
            return Err("sources".into());
        }
    }
    if let Some(e) = want.get("error") {
        if fv.get("error").unwrap_or(&Value::Null) != e {
            return Err("error".into());
        }
    }
    if let Some(n) = want.get("noteContains").and_then(Value::as_str) {
        if !f.note.as_deref().unwrap_or("").contains(n) {
            return Err(format!("note lacks {n:?}"));
        }
    }
    if let Some(n) = want.get("noteLacks").and_then(Value::as_str) {
        if f.note.as_deref().unwrap_or("").contains(n) {
            return Err(format!("note has {n:?}"));
        }
    }
    if want.get("witness") == Some(&Value::Bool(false)) && f.witness.is_some() {
        return Err("has a witness".into());
    }
    if want.get("witness") == Some(&Value::Bool(true)) && f.witness.is_none() {
        return Err("has no witness".into());
    }
    Ok(())
}

/// Check a witness as it is written out: every case allowed, every caller outside the zone.
fn check_witness(w: &Witness, zone: &ZoneOfTrust) -> Result<(), String> {
    let w = serde_json::to_value(w).map_err(|e| format!("witness does not serialize: {e}"))?;
    let cases: Vec<&Value> = match &w {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    if cases.is_empty() {
        return Err("empty witness".into());
    }
    for c in cases {
        let case = Case::from_json_value(c).map_err(|e| format!("bad witness case: {e}"))?;
        let ev = case
            .evaluate()
            .map_err(|e| format!("witness does not evaluate: {e}"))?;
        if !ev.decision.is_allow() {
            return Err(format!("witness not allowed: {c}"));
        }
        let outside = match &case.principal {
            Caller::Service { .. } => false,
            other => other.account().is_none_or(|a| !zone.trusts_account(a)),
        };
        if !outside {
            return Err(format!("witness caller is inside the zone: {c}"));
        }
    }
    Ok(())
}

/// A corpus case's resource and zone of trust (the case's zone, or its owner's account), read
/// through the snapshot reader.
fn read_case(raw: &Value) -> Result<(ResourceConfig, ZoneOfTrust), String> {
    // The header must come before the resources.
    let text = match raw.get("zoneOfTrust") {
        Some(z) => format!(
            "{{\"zoneOfTrust\": {z}, \"resources\": [{}]}}",
            raw["resource"]
        ),
        None => format!("{{\"resources\": [{}]}}", raw["resource"]),
    };
    let mut snapshot = Snapshot::read(text.as_bytes()).map_err(|e| format!("snapshot: {e}"))?;
    let config = match snapshot.next() {
        Some(Ok(c)) => c,
        Some(Err(e)) => return Err(format!("resource: {e}")),
        None => return Err("no resource".into()),
    };
    let zone = snapshot
        .zone_of_trust()
        .cloned()
        .unwrap_or_else(|| ZoneOfTrust::account(&config.resource().owner_account));
    Ok((config, zone))
}

#[test]
fn analyze_corpus() {
    let cases = corpus::read("analyze", 21);
    let count = cases.len();
    let mut failures = Vec::new();
    let mut types = std::collections::BTreeMap::new();
    let mut witnesses = 0;
    for corpus::CorpusCase { label, raw } in cases {
        let (config, zone) = match read_case(&raw) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{label}: {e}"));
                continue;
            }
        };
        *types
            .entry(config.resource().resource_type.as_str())
            .or_insert(0) += 1;
        let mode = match raw.get("mode").and_then(Value::as_str) {
            Some("minimal") => Mode::Minimal,
            _ => Mode::Compatible,
        };
        let findings = analyze_resource(&config, &zone, &Options::default().with_mode(mode));
        let want: Vec<Value> = raw["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("{label}: needs `findings`"))
            .clone();
        let mut ok = findings.len() == want.len();
        let mut why = Vec::new();
        let mut used = vec![false; findings.len()];
        for w in &want {
            let hit = findings
                .iter()
                .enumerate()
                .find(|(i, f)| !used[*i] && matches(w, f).is_ok());
            match hit {
                Some((i, _)) => used[i] = true,
                None => {
                    ok = false;
                    let reasons: Vec<String> = findings
                        .iter()
                        .filter_map(|f| matches(w, f).err())
                        .collect();
                    why.push(format!("no finding matches {w} ({})", reasons.join(", ")));
                }
            }
        }
        if !ok {
            failures.push(format!(
                "{label}: expected {} findings, got {}:\n    {}\n  {}",
                want.len(),
                findings.len(),
                show(&findings),
                why.join("\n  ")
            ));
        }
        for f in &findings {
            if let Some(w) = &f.witness {
                witnesses += 1;
                if let Err(e) = check_witness(w, &zone) {
                    failures.push(format!("{label}: {e}"));
                }
            }
            assert_eq!(f.id, f.compute_id(), "{label}: ids are content-derived");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 40, "the corpus has {count} cases");
    // Every resource type Access Analyzer covers has cases.
    for t in ResourceType::ALL {
        assert!(types.contains_key(t.as_str()), "no case for {t}");
    }
    assert!(witnesses > 20, "{witnesses} witnesses checked");
}

/// The resource type a data set record's `kind` stands for, with a default ARN.
fn kind_type(kind: &str) -> Option<(ResourceType, &'static str)> {
    Some(match kind {
        "s3-bucket" => (ResourceType::S3Bucket, "arn:aws:s3:::DOC-EXAMPLE-BUCKET"),
        "kms-key" => (
            ResourceType::KmsKey,
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        "sqs-queue" => (
            ResourceType::SqsQueue,
            "arn:aws:sqs:us-east-1:111122223333:queue",
        ),
        "sns-topic" => (
            ResourceType::SnsTopic,
            "arn:aws:sns:us-east-1:111122223333:topic",
        ),
        "lambda-function" => (
            ResourceType::LambdaFunction,
            "arn:aws:lambda:us-east-1:111122223333:function:fn",
        ),
        "secretsmanager-secret" => (
            ResourceType::SecretsManagerSecret,
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCdEf",
        ),
        "ecr-repository" => (
            ResourceType::EcrRepository,
            "arn:aws:ecr:us-east-1:111122223333:repository/repo",
        ),
        "lambda-layer" => (
            ResourceType::LambdaLayerVersion,
            "arn:aws:lambda:us-east-1:111122223333:layer:layer:1",
        ),
        "trust" => (ResourceType::IamRole, "arn:aws:iam::111122223333:role/role"),
        _ => return None,
    })
}

#[test]
fn real_resource_policies_analyse_without_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/resource-policies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut analysed = std::collections::BTreeMap::<&str, (usize, usize, usize)>::new();
    for file in &files {
        let records: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (i, rec) in records.iter().enumerate() {
            let kind = rec["kind"].as_str().unwrap_or("");
            let Some((mut t, mut default)) = kind_type(kind) else {
                continue;
            };
            let mut doc = rec["policy"].clone();
            // The data set's kinds are heuristic: two `lambda-function` records are layer
            // version policies (the output of `lambda add-layer-version-permission`, one
            // statement and a `RevisionId`, and of `get-layer-version-policy`), recognised by
            // their layer version ARNs.
            if let Some(o) = doc.as_object_mut() {
                o.remove("RevisionId");
            }
            if t == ResourceType::LambdaFunction && doc.to_string().contains(":layer:") {
                t = ResourceType::LambdaLayerVersion;
                default = "arn:aws:lambda:us-east-1:111122223333:layer:layer:1";
            }
            let label = format!(
                "{}[{i}] ({})",
                file.file_name().unwrap().to_string_lossy(),
                rec["source"].as_str().unwrap_or("")
            );
            // The resource the policy names, or the type's stand-in.
            let service = default.split(':').nth(2).unwrap_or("");
            let arn = named_resource(&doc, t, service).unwrap_or_else(|| default.to_string());
            let owner = arn
                .split(':')
                .nth(4)
                .filter(|a| a.len() == 12)
                .unwrap_or("111122223333")
                .to_string();
            let policy = match Policy::from_json_value(&doc) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{label}: does not parse: {e}"));
                    continue;
                }
            };
            let resource = Resource::new(&arn, t, &owner);
            let config = ResourceConfig::Policy(PolicyResource::new(resource, Some(policy)));
            let zone = ZoneOfTrust::account(&owner);
            let findings = analyze_resource(&config, &zone, &Options::default());
            let entry = analysed.entry(t.as_str()).or_default();
            entry.0 += 1;
            entry.1 += findings.len();
            for f in &findings {
                if let Some(e) = &f.error {
                    failures.push(format!("{label}: error finding {e}: {:?}", f.note));
                }
                match &f.witness {
                    Some(w) => {
                        entry.2 += 1;
                        if let Err(e) = check_witness(w, &zone) {
                            failures.push(format!("{label}: {e}"));
                        }
                    }
                    None => {
                        // Only policy variables (and keys used with operators of several types)
                        // leave a finding without a witness, or a principal that names no
                        // principal (documentation placeholders such as `account-id`).
                        let text = rec["policy"].to_string();
                        let placeholder = f
                            .note
                            .as_deref()
                            .is_some_and(|n| n.contains("names no principal"));
                        if !text.contains("${") && !placeholder {
                            failures.push(format!(
                                "{label}: a finding without a witness: {:?}",
                                f.note
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!("analysed (policies, findings, witnesses): {analysed:?}");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let total: usize = analysed.values().map(|v| v.0).sum();
    assert!(total >= 250, "{total} policies analysed");
    // Every policy-based type with real policies in the data set is exercised (the data set has
    // none for EFS file systems, DynamoDB tables and streams, and S3 directory buckets; their
    // cases are in the corpus).
    for (t, at_least) in [
        ("AWS::SNS::Topic", 19),
        ("AWS::SecretsManager::Secret", 10),
        ("AWS::ECR::Repository", 3),
        ("AWS::Lambda::LayerVersion", 2),
        ("AWS::SQS::Queue", 25),
        ("AWS::KMS::Key", 21),
        ("AWS::S3::Bucket", 96),
        ("AWS::IAM::Role", 76),
        ("AWS::Lambda::Function", 13),
    ] {
        let n = analysed.get(t).map_or(0, |v| v.0);
        assert!(
            n >= at_least,
            "{n} {t} policies analysed, expected {at_least}"
        );
    }
}

/// The engine keeps work between analyses on a thread (spaces and memos given back for reuse,
/// the checks of a prototype space, language tables). What ran before must not show: every
/// corpus case, run in order on one thread and in reverse order on another, gives the same
/// findings, witnesses and ids.
#[test]
fn analyses_do_not_depend_on_what_ran_before_on_the_thread() {
    let run = |reverse: bool| {
        std::thread::spawn(move || {
            let mut cases = corpus::read("analyze", 21);
            if reverse {
                cases.reverse();
            }
            let mut out = std::collections::BTreeMap::new();
            for corpus::CorpusCase { label, raw } in cases {
                let Ok((config, zone)) = read_case(&raw) else {
                    continue;
                };
                for mode in [Mode::Compatible, Mode::Minimal] {
                    let findings =
                        analyze_resource(&config, &zone, &Options::default().with_mode(mode));
                    out.insert(
                        format!("{label} {mode:?}"),
                        serde_json::to_string(&findings).unwrap(),
                    );
                }
            }
            out
        })
        .join()
        .unwrap()
    };
    let forward = run(false);
    let backward = run(true);
    assert!(forward.len() > 100, "{} cases ran", forward.len());
    for (label, f) in &forward {
        assert_eq!(Some(f), backward.get(label), "{label}");
    }
}

/// Work remembered between analyses on a thread costs an analysis what doing it would have
/// cost: the least budget an analysis needs is the same on a fresh thread and on one that has
/// analysed other resources first (else whether a resource gets an error finding would depend
/// on the order a parallel run happens to take).
#[test]
fn the_budget_an_analysis_needs_does_not_depend_on_the_thread() {
    let text = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],
         "Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
         "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-aaaaaaaaaa"}}},
        {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/reader"},
         "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
        {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*",
         "Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}"#;
    let policy = Policy::parse(text).unwrap();
    let bucket = Resource::new("arn:aws:s3:::b", ResourceType::S3Bucket, "111122223333");
    let zone = ZoneOfTrust::account("111122223333");
    let fits = |budget: u64| {
        let config =
            ResourceConfig::Policy(PolicyResource::new(bucket.clone(), Some(policy.clone())));
        let found = analyze_resource(&config, &zone, &Options::default().with_budget(budget));
        found.iter().all(|f| f.error.is_none())
    };
    // The least budget that fits, by bisection (fitting is monotone in the budget).
    let least = |fits: &dyn Fn(u64) -> bool| {
        let (mut lo, mut hi) = (0u64, 2_000_000u64);
        assert!(fits(hi));
        while lo + 1 < hi {
            let mid = (lo + hi) / 2;
            if fits(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    };
    // Bisection warms this thread: every probe after the first finds remembered work.
    let warm = least(&fits);
    assert!(warm > 10, "the analysis uses some budget ({warm})");
    // On fresh threads, one probe each: the least budget fits, one less does not.
    let probe = move |budget: u64| {
        std::thread::spawn(move || {
            let config = ResourceConfig::Policy(PolicyResource::new(
                Resource::new("arn:aws:s3:::b", ResourceType::S3Bucket, "111122223333"),
                Some(Policy::parse(text).unwrap()),
            ));
            analyze_resource(
                &config,
                &ZoneOfTrust::account("111122223333"),
                &Options::default().with_budget(budget),
            )
            .iter()
            .all(|f| f.error.is_none())
        })
        .join()
        .unwrap()
    };
    assert!(
        probe(warm),
        "the least budget on a warm thread ({warm}) fits on a fresh one"
    );
    assert!(
        !probe(warm - 1),
        "one less ({}) does not fit on a fresh one",
        warm - 1
    );
}
