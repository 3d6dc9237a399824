//! Runs every case under `tests/corpus/analyze/`.
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
//!   `witness` (`false`: the finding must have none).
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

use perimeter::analyze::{analyze_resource, Finding, Mode, Options, Snapshot, ZoneOfTrust};
use perimeter::eval::{Caller, Case};
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
    if want.get("witness") == Some(&Value::Bool(false)) && f.witness.is_some() {
        return Err("has a witness".into());
    }
    if want.get("witness") == Some(&Value::Bool(true)) && f.witness.is_none() {
        return Err("has no witness".into());
    }
    Ok(())
}

/// Check a witness: every case allowed, every caller outside the zone.
fn check_witness(w: &Value, zone: &ZoneOfTrust) -> Result<(), String> {
    let cases: Vec<&Value> = match w {
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

#[test]
fn analyze_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/analyze");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut names = std::collections::HashSet::new();
    let mut types = std::collections::BTreeMap::new();
    let mut count = 0;
    let mut witnesses = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let cases: Vec<Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for raw in cases {
            count += 1;
            let name = raw["name"].as_str().unwrap_or("<unnamed>").to_string();
            let label = format!("{}: {name}", file.file_name().unwrap().to_string_lossy());
            assert!(names.insert(name.clone()), "duplicate case name {label}");
            assert!(
                raw["description"].as_str().is_some_and(|d| d.len() > 20),
                "{label}: every case says what it proves"
            );
            let mut doc = json!({"resources": [raw["resource"]]});
            if let Some(z) = raw.get("zoneOfTrust") {
                doc["zoneOfTrust"] = z.clone();
            }
            // The header must come first: build the text by hand.
            let text = match doc.get("zoneOfTrust") {
                Some(z) => format!(
                    "{{\"zoneOfTrust\": {z}, \"resources\": [{}]}}",
                    raw["resource"]
                ),
                None => format!("{{\"resources\": [{}]}}", raw["resource"]),
            };
            let mut snapshot = match Snapshot::read(text.as_bytes()) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!("{label}: snapshot: {e}"));
                    continue;
                }
            };
            let config = match snapshot.next() {
                Some(Ok(c)) => c,
                Some(Err(e)) => {
                    failures.push(format!("{label}: resource: {e}"));
                    continue;
                }
                None => {
                    failures.push(format!("{label}: no resource"));
                    continue;
                }
            };
            *types
                .entry(config.resource().resource_type.as_str())
                .or_insert(0) += 1;
            let zone = snapshot
                .zone_of_trust()
                .cloned()
                .unwrap_or_else(|| ZoneOfTrust::account(&config.resource().owner_account));
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
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 40, "the corpus has {count} cases");
    for t in [
        "AWS::S3::Bucket",
        "AWS::KMS::Key",
        "AWS::SQS::Queue",
        "AWS::Lambda::Function",
        "AWS::IAM::Role",
    ] {
        assert!(types.contains_key(t), "no case for {t}");
    }
    assert!(witnesses > 20, "{witnesses} witnesses checked");
}
