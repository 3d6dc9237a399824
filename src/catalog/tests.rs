//! Unit tests that need the private constructor: hand-made and corrupt data.

use super::*;
use proptest::prelude::*;

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// A small catalog in the generated format, built the way the generator lays it out.
fn tiny(blocks: &[(&str, &str, &str)], keys: &str) -> &'static str {
    let mut index = String::new();
    let mut body = String::new();
    for (prefix, name, block) in blocks {
        index.push_str(&format!(
            "{prefix}\t{name}\t{}\t{}\n",
            body.len(),
            block.len()
        ));
        body.push_str(block);
    }
    leak(format!(
        "perimeter-catalog 1\n# Source: test data\nservices {} {}\nkeys {} {}\n{index}{keys}{body}",
        blocks.len(),
        index.len(),
        keys.lines().count(),
        keys.len()
    ))
}

const DEMO_BLOCK: &str = "2 2 3\n\
demo:Flavor\tString\n\
demo:Tags\tArrayOfString\n\
thing\tarn:${Partition}:demo:${Region}:${Account}:thing/${Id}\t0\n\
widget\tarn:${Partition}:demo:::widget/${Name}\t\n\
Zap\tW\t\t0!\n\
Look\tR\t1\t1:0\n\
ListThings\tL\t\t\n";

#[test]
fn reads_a_hand_made_catalog_and_restores_the_action_order() {
    let keys = "demo:Flavor\tString\ndemo:Tags\tArrayOfString\n";
    let c = Catalog::from_static(tiny(&[("demo", "Demo Service", DEMO_BLOCK)], keys));
    assert_eq!(c.source(), "test data");
    let s = c.service("DEMO").unwrap();
    assert_eq!(s.name(), "Demo Service");
    // The file lists Zap, Look, ListThings; lookups binary-search, so the order was fixed.
    let names: Vec<&str> = s.actions().map(|a| a.name()).collect();
    assert_eq!(names, ["ListThings", "Look", "Zap"]);
    for n in ["zap", "LOOK", "listthings"] {
        assert!(s.action(n).is_some(), "{n}");
    }
    let zap = c.action("demo:zap").unwrap();
    assert_eq!(zap.access_level(), AccessLevel::Write);
    let r: Vec<(String, bool)> = zap
        .resource_types()
        .map(|r| (r.name().to_string(), r.is_required()))
        .collect();
    assert_eq!(r, [("thing".to_string(), true)]);
    // Key listed on the resource type `thing` (not on the action row) counts as supported.
    assert!(zap.supports_condition_key("demo:flavor"));
    assert!(!zap.supports_condition_key("demo:Tags"));
    let look = c.action("demo:Look").unwrap();
    assert!(look.supports_condition_key("demo:Tags"), "action-level key");
    assert!(
        look.supports_condition_key("demo:Flavor"),
        "per-resource key"
    );
    assert!(
        look.supports_condition_key("aws:SourceIp"),
        "global keys apply to every action"
    );
    assert!(
        !look.supports_condition_key("aws:RequestTag/x"),
        "tag keys only where listed"
    );
    assert!(c.condition_key("demo:tags").unwrap().is_multivalued());
}

#[test]
fn garbage_gives_an_empty_catalog() {
    for text in [
        "",
        "\n",
        "perimeter-catalog 2\nservices 0 0\nkeys 0 0\n",
        "perimeter-catalog 1\nservices 1 999999\nkeys 0 0\n",
        "perimeter-catalog 1\nservices x y\n",
        "perimeter-catalog 1\n# only comments\n",
    ] {
        let c = Catalog::from_static(text);
        assert_eq!(c.services().count(), 0, "{text:?}");
        assert!(c.action("s3:GetObject").is_none());
        assert!(c.expand("*").is_empty());
        assert!(c.condition_key("s3:prefix").is_none());
        // The global keys table does not depend on the data.
        assert!(c.condition_key("aws:SourceIp").is_some());
        assert!(c.suggest_action("s3:GetObjet").is_none());
    }
}

#[test]
fn a_corrupt_block_gives_an_empty_service_not_a_panic() {
    let bad_blocks = [
        "1 0 1\nk\tString\nA\tW\t7\t\n",   // key index out of range
        "0 1 1\nr\tarn:x\t\nA\tW\t\t3!\n", // resource index out of range
        "0 0 1\nA\tQ\t\t\n",               // unknown access level
        "1 0 0\nk\tNotAType\n",            // unknown type
        "0 0 5\nA\tW\t\t\n",               // fewer lines than promised
        "x y z\n",                         // bad counts
        "0 0 99999999999999999999\n",      // absurd count
        "",                                // empty
    ];
    for block in bad_blocks {
        let c = Catalog::from_static(tiny(&[("bad", "Bad", block)], ""));
        let s = c.service("bad").unwrap();
        assert_eq!(s.actions().len(), 0, "{block:?}");
        assert_eq!(s.resource_types().len(), 0);
        assert!(c.expand("bad:*").is_empty());
    }
}

#[test]
fn truncated_real_data_never_panics() {
    let full = DATA;
    let mut cut = 0;
    while cut < full.len() {
        // Cut at char boundaries only; the data is ASCII but do not rely on it.
        let end = (0..4)
            .map(|d| cut + d)
            .find(|&e| full.is_char_boundary(e))
            .unwrap();
        let c = Catalog::from_static(&full[..end]);
        let _ = c.action("s3:GetObject").map(|a| a.resource_types().count());
        let _ = c.expand("ec2:Describe*").len();
        let _ = c.condition_key("s3:ExistingObjectTag/x");
        cut += 48_611;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_text_never_panics(body in "(perimeter-catalog 1\n)?(services [0-9]{1,3} [0-9]{1,4}\n)?(keys [0-9] [0-9]{1,3}\n)?[ -~\t\n]{0,300}") {
        let c = Catalog::from_static(leak(body));
        for s in c.services() {
            for a in s.actions() {
                let _ = (a.resource_types().count(), a.condition_keys().count());
            }
            for r in s.resource_types() {
                let _ = r.matches_arn("arn:aws:s3:::b");
            }
        }
        let _ = c.expand("*");
        let _ = c.suggest_condition_key("aws:SorceIp");
    }
}
