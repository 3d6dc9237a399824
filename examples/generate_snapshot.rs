//! Write a generated snapshot of N resources (JSON lines) to standard output, for measuring
//! `perimeter analyze` on large inputs:
//!
//! ```text
//! cargo run --release --example generate_snapshot -- 100000 > /tmp/snapshot.jsonl
//! /usr/bin/time -v target/release/perimeter analyze /tmp/snapshot.jsonl --jobs 2 > /dev/null
//! ```

use std::io::Write;

#[path = "../benches/support/snapshot.rs"]
mod generate;

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let _ = std::io::stdout().write_all(generate::snapshot(n).as_bytes());
}
