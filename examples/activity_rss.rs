//! Peak memory of CloudTrail ingestion, independent of log size.
//!
//! `cargo run --release --example activity_rss -- generate DIR MB [--single]` writes about MB
//! megabytes of CloudTrail made of the real records in tests/data/cloudtrail: delivery files of
//! about 8 MB in the `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` layout, or with
//! `--single` one file of JSON lines. `… -- read PATH` reads it and prints the records, the
//! speed and the peak resident set size (`VmHWM` in /proc/self/status).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use perimeter::activity::{CloudTrailReader, LogFiles, ReadOptions};

fn records() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cloudtrail");
    let mut out = Vec::new();
    for file in LogFiles::new(&root) {
        let file = file.unwrap();
        if file.to_string_lossy().contains("Digest")
            || file.extension().is_some_and(|e| e == "jsonl")
        {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut s = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
                &mut s,
            )
            .unwrap();
            s
        } else {
            String::from_utf8(bytes).unwrap()
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for r in v["Records"].as_array().unwrap() {
            out.push(serde_json::to_string(r).unwrap());
        }
    }
    out
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn generate(dir: &Path, megabytes: usize, single: bool) {
    let records = records();
    let total = megabytes << 20;
    let mut written = 0usize;
    let mut i = 0usize;
    if single {
        std::fs::create_dir_all(dir).unwrap();
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(dir.join("events.jsonl")).unwrap());
        while written < total {
            let r = &records[i % records.len()];
            f.write_all(r.as_bytes()).unwrap();
            f.write_all(b"\n").unwrap();
            written += r.len() + 1;
            i += 1;
        }
        return;
    }
    let mut file_no = 0;
    while written < total {
        let day = file_no / 24 % 28 + 1;
        let sub = dir.join(format!(
            "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/{day:02}"
        ));
        std::fs::create_dir_all(&sub).unwrap();
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(sub.join(format!(
                "111122223333_CloudTrail_us-east-1_{file_no:06}.json"
            )))
            .unwrap(),
        );
        f.write_all(b"{\"Records\":[").unwrap();
        let mut in_file = 0usize;
        while in_file < (8 << 20) && written < total {
            if in_file > 0 {
                f.write_all(b",").unwrap();
            }
            let r = &records[i % records.len()];
            f.write_all(r.as_bytes()).unwrap();
            in_file += r.len() + 1;
            written += r.len() + 1;
            i += 1;
        }
        f.write_all(b"]}").unwrap();
        file_no += 1;
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => {
            let mb: usize = args[3].parse().unwrap();
            generate(
                Path::new(&args[2]),
                mb,
                args.get(4).is_some_and(|a| a == "--single"),
            );
        }
        Some("read") => {
            let start = Instant::now();
            let mut r = CloudTrailReader::new(ReadOptions::default());
            r.read_path(Path::new(&args[2])).unwrap();
            let secs = start.elapsed().as_secs_f64();
            let (summary, report) = r.finish();
            println!(
                "files {} records {} bytes {} MB in {:.1} s ({:.0} MB/s), principals {}, peak RSS {} MiB",
                report.files,
                report.used,
                report.bytes >> 20,
                secs,
                report.bytes as f64 / secs / (1 << 20) as f64,
                summary.principals().count(),
                peak_rss_kib() / 1024
            );
        }
        _ => eprintln!("usage: activity_rss generate DIR MB [--single] | activity_rss read PATH"),
    }
}
