//! Reading arbitrary text as an account snapshot, then analysing every resource it yields with a
//! small budget: never panics, a bad resource is an error for that resource only, and every
//! witness is a request the evaluator allows.
#![no_main]
use libfuzzer_sys::fuzz_target;
use perimeter::analyze::{analyze_resource, Options, Snapshot, ZoneOfTrust};
use perimeter::eval::Case;

fuzz_target!(|data: &[u8]| {
    let Ok(mut snapshot) = Snapshot::read(data) else { return };
    let zone = snapshot
        .zone_of_trust()
        .cloned()
        .unwrap_or_else(|| ZoneOfTrust::account("111111111111"));
    let options = Options::default().with_budget(20_000);
    for config in snapshot.by_ref().take(64).flatten() {
        for f in analyze_resource(&config, &zone, &options) {
            // A witness is a case, or for access through an S3 access point an array of two
            // (the request at the access point, and as the bucket policy sees it).
            let written = f.witness.as_ref().map(|w| serde_json::to_value(w).expect("witnesses serialize"));
            let cases = match &written {
                None => Vec::new(),
                Some(serde_json::Value::Array(list)) => list.iter().collect(),
                Some(w) => vec![w],
            };
            for w in cases {
                let case = Case::from_json_value(w).expect("witnesses are cases");
                let ev = case.evaluate().expect("witnesses evaluate");
                assert!(ev.decision.is_allow(), "witness not allowed: {w}");
            }
        }
    }
});
