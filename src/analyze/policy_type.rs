//! What the policy-based resource types share: the snapshot calls that hold their policy, the
//! policy size limit their service enforces (checked on input), and an optional explanation added
//! to every finding. Each type's own module (`secrets_manager`, `sns`, `ecr`, `efs`, `dynamodb`,
//! `s3_express`, `lambda_layer`) states these and delegates the analysis here.

use super::config::PolicyResource;
use super::finding::Finding;
use super::{analyze_policy, error_finding, Options, ZoneOfTrust};
use crate::policy::Policy;

/// A CLI call whose output holds a resource's policy: (call name as the snapshot writes it, path
/// to the policy in the output, whether a missing path means "no policy").
pub(crate) type PolicyCall = (&'static str, &'static [&'static str], bool);

/// How a service measures a policy against its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SizeUnit {
    /// Characters of the policy text.
    Chars,
    /// Bytes of the policy text (UTF-8).
    Bytes,
}

/// The largest policy a service accepts for one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SizeLimit {
    /// The limit.
    pub(crate) max: usize,
    /// What is counted.
    pub(crate) unit: SizeUnit,
    /// The service and the policy, for the message (`Secrets Manager … for a secret policy`).
    pub(crate) service: &'static str,
    /// The policy's name in the service (`secret policy`).
    pub(crate) policy: &'static str,
}

impl SizeLimit {
    /// The policy's size as this limit counts it.
    ///
    /// A parsed policy has lost its original text (the snapshot may hold it as an object,
    /// re-indented, or inside a JSON string), so the size is that of its compact serialization:
    /// whitespace outside strings is not counted. That is never more than the text the service
    /// stored, so a policy the service accepted is never reported as too large (see
    /// `perimeter::manual::analysis`, "Policy size limits").
    pub(crate) fn measure(&self, policy: &Policy) -> usize {
        let text = policy.to_json();
        match self.unit {
            SizeUnit::Chars => text.chars().count(),
            SizeUnit::Bytes => text.len(),
        }
    }

    /// The error message for a policy over the limit, `None` when it fits.
    pub(crate) fn check(&self, policy: &Policy) -> Option<String> {
        let n = self.measure(policy);
        if n <= self.max {
            return None;
        }
        let unit = match self.unit {
            SizeUnit::Chars => "characters",
            SizeUnit::Bytes => "bytes",
        };
        Some(format!(
            "the {} is {n} {unit} long without whitespace, more than the {} {unit} {} accepts; it cannot be attached as it is, so it is not analysed",
            self.policy, self.max, self.service
        ))
    }
}

/// One policy-based resource type: its size limit and the explanation its findings carry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PolicyType {
    /// The policy size limit, checked before analysis.
    pub(crate) limit: SizeLimit,
    /// An explanation added to every (non-error) finding.
    pub(crate) note: Option<&'static str>,
}

/// Add an explanation to a finding's note (after what is already there).
pub(crate) fn add_note(f: &mut Finding, note: &str) {
    f.note = Some(match f.note.take() {
        Some(old) if !old.is_empty() => format!("{note}; {old}"),
        _ => note.to_string(),
    });
}

/// Analyse a resource of a policy-based type: an error finding when its policy is over the
/// service's limit, else the policy's findings, each with the type's explanation.
pub(crate) fn analyze(
    t: &PolicyType,
    p: &PolicyResource,
    zone: &ZoneOfTrust,
    options: &Options,
) -> Vec<Finding> {
    let Some(policy) = &p.policy else {
        return Vec::new();
    };
    if let Some(msg) = t.limit.check(policy) {
        return vec![error_finding(&p.resource, &msg, options)];
    }
    let mut out = analyze_policy(policy, &p.resource, zone, options);
    if let Some(note) = t.note {
        for f in out.iter_mut().filter(|f| f.error.is_none()) {
            add_note(f, note);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: SizeLimit = SizeLimit {
        max: 200,
        unit: SizeUnit::Chars,
        service: "Example",
        policy: "example policy",
    };

    /// A policy whose compact text is exactly `n` characters (ASCII, so also `n` bytes): extra
    /// `Resource` values of 1,000 characters, and the rest in the `Sid`.
    fn policy_of_size(n: usize) -> Policy {
        let make = |sid: usize, values: usize| {
            let mut resources = vec!["*".to_string()];
            resources.extend((0..values).map(|i| format!("{i:0>1000}")));
            let v = serde_json::json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "a".repeat(sid), "Effect": "Allow", "Principal": "*",
                "Action": "s3:GetObject", "Resource": resources}]});
            Policy::from_json_value(&v).unwrap()
        };
        let base = make(1, 0).to_json().len();
        assert!(n >= base, "{n} is below the smallest policy ({base})");
        // Each extra value adds its 1,000 characters, two quotes and a comma.
        let (values, rest) = ((n - base) / 1003, (n - base) % 1003);
        let p = make(1 + rest, values);
        assert_eq!(p.to_json().len(), n);
        p
    }

    #[test]
    fn size_is_the_compact_text_and_the_limit_is_inclusive() {
        let p = policy_of_size(150);
        assert_eq!(LIMIT.measure(&p), 150);
        // Whitespace in the source does not count.
        let spaced = Policy::parse(&format!("  {}  ", p.to_json_pretty())).unwrap();
        assert!(p.to_json_pretty().len() > 150);
        assert_eq!(LIMIT.measure(&spaced), 150);
        assert_eq!(LIMIT.check(&policy_of_size(200)), None);
        assert_eq!(
            LIMIT.check(&policy_of_size(201)).as_deref(),
            Some("the example policy is 201 characters long without whitespace, more than the 200 characters Example accepts; it cannot be attached as it is, so it is not analysed")
        );
    }

    #[test]
    fn bytes_and_characters_differ_on_non_ascii_text() {
        let p = Policy::parse(
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "x", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/\u00e9"}]}"#,
        )
        .unwrap();
        let bytes = SizeLimit {
            unit: SizeUnit::Bytes,
            ..LIMIT
        };
        assert_eq!(bytes.measure(&p), LIMIT.measure(&p) + 1);
    }

    /// Every policy-based type accepts a policy of exactly its limit and refuses one more, with
    /// the documented numbers (IAM Access Analyzer reference §9.2 and each module's citation).
    #[test]
    fn every_type_checks_its_documented_limit() {
        use super::super::{dynamodb, ecr, efs, lambda_layer, s3_express, secrets_manager, sns};
        let types = [
            (secrets_manager::TYPE, 20_480, SizeUnit::Chars),
            (sns::TYPE, 30_720, SizeUnit::Chars),
            (ecr::TYPE, 10_240, SizeUnit::Chars),
            (efs::TYPE, 20_000, SizeUnit::Chars),
            (dynamodb::TABLE, 20_480, SizeUnit::Bytes),
            (dynamodb::STREAM, 20_480, SizeUnit::Bytes),
            (s3_express::TYPE, 20_480, SizeUnit::Bytes),
            (lambda_layer::TYPE, 20_480, SizeUnit::Bytes),
        ];
        for (t, max, unit) in types {
            assert_eq!(
                (t.limit.max, t.limit.unit),
                (max, unit),
                "{}",
                t.limit.policy
            );
            assert_eq!(t.limit.check(&policy_of_size(max)), None);
            let msg = t.limit.check(&policy_of_size(max + 1)).unwrap();
            assert!(msg.contains(&format!("more than the {max} ")), "{msg}");
            assert!(
                msg.starts_with(&format!("the {} is", t.limit.policy)),
                "{msg}"
            );
        }
    }
}
