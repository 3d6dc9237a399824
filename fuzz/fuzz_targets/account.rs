//! Reading arbitrary text as `get-account-authorization-details` output and computing every
//! external principal's transitive reach with a small budget: never panics, and every hop of
//! every path carries a request the evaluator allows.
#![no_main]
use libfuzzer_sys::fuzz_target;
use perimeter::activity::AuthorizationDetails;
use perimeter::reach::{Account, Reach, ReachOptions, ResourceList};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(details) = AuthorizationDetails::parse(text) else { return };
    let mut options = ReachOptions::default();
    options.budget = 5_000;
    let Ok(account) = Account::new(&details, &ResourceList::new(), &options) else { return };
    let mut reach = Reach::new(&account);
    for set in reach.reach_all() {
        for f in set.findings() {
            for request in f.path.iter().flat_map(|hop| &hop.requests) {
                let case = request.case();
                let ev = case.evaluate().expect("hop requests evaluate");
                assert!(ev.decision.is_allow(), "hop request not allowed: {case:?}");
            }
        }
    }
});
