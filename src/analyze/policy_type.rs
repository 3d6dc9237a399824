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
        max: 120,
        unit: SizeUnit::Chars,
        service: "Example",
        policy: "example policy",
    };

    fn policy_of_len(sid_len: usize) -> Policy {
        let sid = "a".repeat(sid_len);
        Policy::parse(&format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "{sid}", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn size_is_the_compact_text_and_the_limit_is_inclusive() {
        let p = policy_of_len(1);
        let base = LIMIT.measure(&p);
        assert_eq!(base, p.to_json().len());
        // Whitespace in the source does not count.
        let spaced = Policy::parse(&format!("  {}  ", p.to_json_pretty())).unwrap();
        assert_eq!(LIMIT.measure(&spaced), base);
        let at = policy_of_len(1 + LIMIT.max - base);
        assert_eq!(LIMIT.measure(&at), LIMIT.max);
        assert_eq!(LIMIT.check(&at), None);
        let over = policy_of_len(2 + LIMIT.max - base);
        assert_eq!(
            LIMIT.check(&over).as_deref(),
            Some("the example policy is 121 characters long without whitespace, more than the 120 characters Example accepts; it cannot be attached as it is, so it is not analysed")
        );
    }

    #[test]
    fn bytes_and_characters_differ_on_non_ascii_text() {
        let p = Policy::parse(
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "x", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/é"}]}"#,
        )
        .unwrap();
        let bytes = SizeLimit {
            unit: SizeUnit::Bytes,
            ..LIMIT
        };
        assert_eq!(bytes.measure(&p), LIMIT.measure(&p) + 1);
    }
}
