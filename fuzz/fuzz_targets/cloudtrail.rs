//! Reading arbitrary bytes as CloudTrail files: never panics; bad input is counted, not fatal.
#![no_main]
use libfuzzer_sys::fuzz_target;
use perimeter::activity::{CloudTrailReader, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let mut r = CloudTrailReader::new(ReadOptions::default());
    r.read_bytes("fuzz.json", data);
    let _ = r.finish();
});
