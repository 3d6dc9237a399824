//! Secrets Manager secrets (`AWS::SecretsManager::Secret`).
//!
//! - **What is read:** the secret's resource policy, with its conditions (IAM User Guide, "IAM
//!   Access Analyzer supported resource types", section "AWS Secrets Manager secrets"), and the
//!   secret's KMS key when known.
//! - **Snapshot entry:** `secretsmanager get-resource-policy` → `ResourcePolicy` (absent: no
//!   policy); optionally `secretsmanager describe-secret` → `KmsKeyId` (absent: the AWS managed
//!   key `aws/secretsmanager`).
//! - **Size limit:** 20,480 characters (Secrets Manager API Reference, `PutResourcePolicy`:
//!   `ResourcePolicy` has a maximum length of 20480).
//! - **Encryption:** a secret encrypted with the AWS managed key `aws/secretsmanager` cannot be
//!   read from another account: `GetSecretValue` needs `kms:Decrypt` on the key, and the managed
//!   key's policy cannot be changed to allow other accounts (Secrets Manager User Guide, "Access
//!   AWS Secrets Manager secrets from a different account"). The other actions do not use the
//!   key. Access Analyzer's own treatment is not documented (its access preview takes a
//!   `kmsKeyId`), so findings are kept and a finding that lists `secretsmanager:GetSecretValue`
//!   says so in its note (`perimeter::manual::analysis`).

use super::config::{PolicyResource, SecretsManagerSecret};
use super::finding::Finding;
use super::policy_type::{add_note, PolicyCall, PolicyType, SizeLimit, SizeUnit};
use super::{Options, ZoneOfTrust};

/// The snapshot calls that hold a secret's policy.
pub(crate) const SNAPSHOT: &[PolicyCall] = &[(
    "secretsmanager get-resource-policy",
    &["ResourcePolicy"],
    true,
)];

/// The call that names the secret's KMS key.
pub(crate) const DESCRIBE: &str = "secretsmanager describe-secret";

/// The AWS managed key of Secrets Manager, as an alias.
pub(crate) const AWS_MANAGED_KEY: &str = "alias/aws/secretsmanager";

pub(crate) const TYPE: PolicyType = PolicyType {
    limit: SizeLimit {
        max: 20_480,
        unit: SizeUnit::Chars,
        service: "Secrets Manager",
        policy: "secret policy",
    },
    note: None,
};

const GET_VALUE: &str = "secretsmanager:GetSecretValue";

const MANAGED_KEY_NOTE: &str = "the secret is encrypted with the AWS managed key `aws/secretsmanager`, which other accounts cannot use: `secretsmanager:GetSecretValue` fails for them, the other actions do not need the key";

/// Whether a key id names the AWS managed key of Secrets Manager (`alias/aws/secretsmanager`,
/// its alias ARN, or the empty string the API uses for the default).
pub(crate) fn is_aws_managed(key: &str) -> bool {
    key.is_empty()
        || key == AWS_MANAGED_KEY
        || key.ends_with(":alias/aws/secretsmanager") && key.starts_with("arn:")
}

pub(crate) fn analyze(
    s: &SecretsManagerSecret,
    zone: &ZoneOfTrust,
    options: &Options,
) -> Vec<Finding> {
    let p = PolicyResource::new(s.resource.clone(), s.policy.clone());
    let mut out = super::policy_type::analyze(&TYPE, &p, zone, options);
    if s.kms_key_id.as_deref().is_some_and(is_aws_managed) {
        for f in out
            .iter_mut()
            .filter(|f| f.error.is_none() && f.action.iter().any(|a| a == GET_VALUE))
        {
            add_note(f, MANAGED_KEY_NOTE);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_key_spellings() {
        assert!(is_aws_managed(""));
        assert!(is_aws_managed("alias/aws/secretsmanager"));
        assert!(is_aws_managed(
            "arn:aws:kms:us-east-1:111122223333:alias/aws/secretsmanager"
        ));
        assert!(!is_aws_managed("alias/app-secrets"));
        assert!(!is_aws_managed(
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ));
    }
}
