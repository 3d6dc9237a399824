//! Policy parsing: never panics; a policy that parses serializes to text that parses back to an
//! equal policy, and compiles.
#![no_main]
use libfuzzer_sys::fuzz_target;
use perimeter::json::{parse_bytes, Limits};
use perimeter::policy::Policy;

fuzz_target!(|data: &[u8]| {
    let _ = parse_bytes(data, &Limits::default());
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = Policy::parse(text) {
        let again = Policy::parse(&p.to_json()).expect("serialized policy parses");
        assert_eq!(again, p, "round trip changed the policy");
        let pretty = Policy::parse(&p.to_json_pretty()).expect("pretty policy parses");
        assert_eq!(pretty, p);
        let _ = p.compile();
    }
});
