//! AWS partitions and Regions, for the ARN and condition value checks.
//!
//! Source: AWS General Reference, "AWS Regions" and "Amazon Resource Names (ARNs)" (partitions),
//! as of 2026. A name that is not listed but has the shape of a Region (`xx-name-N`, as
//! `us-gov-west-1` or `eusc-de-east-1`) is accepted, so that a Region launched after this list
//! was written is not reported; the choice is in `src/manual/validation.md`.

/// The partitions an ARN can name.
pub(crate) const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// The Regions known when this list was written.
pub(crate) const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-isoe-west-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-west-1",
    "us-west-2",
];

/// Whether `name` is a Region: a known one, or one with the shape of a Region name (two to
/// four lowercase letters, one or more lowercase words, a number of one or two digits, joined
/// by `-`).
pub(crate) fn is_region(name: &str) -> bool {
    if REGIONS.contains(&name) {
        return true;
    }
    let parts: Vec<&str> = name.split('-').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return false;
    };
    (2..=4).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// The known Region closest to `name`, for "did you mean".
pub(crate) fn suggest_region(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if let Some(r) = REGIONS.iter().find(|r| **r == lower) {
        return Some(r);
    }
    // Letters and digits only, compared: `useast1` → `us-east-1`.
    let squash = |s: &str| -> String { s.chars().filter(|c| c.is_ascii_alphanumeric()).collect() };
    let want = squash(&lower);
    REGIONS.iter().copied().find(|r| squash(r) == want)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_shapes() {
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "eusc-de-east-1",
            "xx-newplace-12",
        ] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in [
            "us-east1",
            "US-EAST-1",
            "useast-1",
            "us--1",
            "us-east-123",
            "*",
            "",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
        assert_eq!(suggest_region("useast1"), Some("us-east-1"));
        assert_eq!(suggest_region("US-WEST-2"), Some("us-west-2"));
    }
}
