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
            if let Some(w) = &f.witness {
                let case = Case::from_json_value(w).expect("witnesses are cases");
                let ev = case.evaluate().expect("witnesses evaluate");
                assert!(ev.decision.is_allow(), "witness not allowed: {w}");
            }
        }
    }
});
