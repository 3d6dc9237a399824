//! External access analysis of arbitrary policies, with a small budget: never panics, never runs
//! away, and every witness it reports is a request the evaluator allows.
#![no_main]
use libfuzzer_sys::fuzz_target;
use perimeter::analyze::{analyze_policy, Options, Resource, ResourceType, ZoneOfTrust};
use perimeter::eval::Case;
use perimeter::policy::Policy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(p) = Policy::parse(text) else { return };
    let bucket = Resource::new("arn:aws:s3:::fuzz-bucket", ResourceType::S3Bucket, "111111111111");
    let zone = ZoneOfTrust::account("111111111111");
    let options = Options::default().with_budget(50_000);
    for f in analyze_policy(&p, &bucket, &zone, &options) {
        if let Some(w) = &f.witness {
            let w = serde_json::to_value(w).expect("witnesses serialize");
            let case = Case::from_json_value(&w).expect("witnesses are cases");
            let ev = case.evaluate().expect("witnesses evaluate");
            assert!(ev.decision.is_allow(), "witness not allowed: {w}");
        }
    }
});
