//! Policy linter fixtures give the findings their names promise. The fixtures come from other
//! validators' test suites (`tests/data/SOURCES.md`); each case says what the file is meant to
//! show and which Access Analyzer findings that is.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use perimeter::validate::{validate, FindingType, IssueCode, PolicyType, Report, ValidateOptions};

fn run(file: &str, opts: ValidateOptions) -> Report {
    let path = format!("{}/tests/data/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    validate(&text, &opts)
}

fn identity() -> ValidateOptions {
    ValidateOptions::new(PolicyType::Identity)
}

/// (code, path of the first location) of every finding.
fn found(r: &Report) -> Vec<(IssueCode, String)> {
    r.findings
        .iter()
        .map(|f| (f.issue_code, f.locations[0].path_string()))
        .collect()
}

fn has(r: &Report, code: IssueCode, path: &str) -> bool {
    found(r).iter().any(|(c, p)| *c == code && p == path)
}

fn assert_has(file: &str, r: &Report, want: &[(IssueCode, &str)]) {
    for (code, path) in want {
        assert!(
            has(r, *code, path),
            "{file}: expected {code} at {path}; found {:?}",
            found(r)
        );
    }
}

fn errors(r: &Report) -> Vec<(IssueCode, String)> {
    r.findings
        .iter()
        .filter(|f| f.finding_type == FindingType::Error)
        .map(|f| (f.issue_code, f.locations[0].path_string()))
        .collect()
}

#[test]
fn invalid_identity_policies() {
    use IssueCode::*;
    let r = run("invalid_policy.json", identity());
    assert_has(
        "invalid_policy.json",
        &r,
        &[
            (InvalidAction, "Statement[0].Action[0]"),
            (InvalidAction, "Statement[0].Action[1]"),
            (
                InvalidGlobalConditionKey,
                "Statement[0].Condition.StringEquals.{aws:InvalidConditionKey}",
            ),
            (InvalidArnPrefix, "Statement[2].Resource"),
            (InvalidPartition, "Statement[3].Resource"),
            // `Action: *` on `*` covers iam:PassRole.
            (PassRoleWithStarInActionAndResource, "Statement[1].Action"),
        ],
    );
    let r = run("wrong-condition-key.json", identity());
    assert_has(
        "wrong-condition-key.json",
        &r,
        &[
            (
                UnsupportedActionForConditionKey,
                "Statement[0].Condition.StringEquals.{iam:PermissionsBoundary}",
            ),
            (
                TypeMismatch,
                "Statement[1].Condition.StringEquals.{aws:MultiFactorAuthPresent}",
            ),
        ],
    );
    let r = run("invalid-sid-special-chars.json", identity());
    for i in 0..4 {
        assert!(
            has(&r, UnsupportedSid, &format!("Statement[{i}].Sid")),
            "{i}"
        );
    }
    let r = run("quick-start-user-policy.json", identity());
    let f = r
        .with_code(InvalidAction)
        .next()
        .expect("a misspelt action");
    assert!(
        f.finding_details.contains("Did you mean `s3:GetObject`?"),
        "{}",
        f.finding_details
    );
    let r = run("wildcard_examples.json", identity());
    assert_has(
        "wildcard_examples.json",
        &r,
        &[(InvalidAction, "Statement[2].Action[0]")],
    );
}

#[test]
fn insecure_identity_policy() {
    use IssueCode::*;
    let r = run("insecure_policy.json", identity());
    assert_has(
        "insecure_policy.json",
        &r,
        &[
            (
                PassRoleWithStarInActionAndResource,
                "Statement[2].Action[0]",
            ),
            (
                CreateSlrWithStarInActionAndResource,
                "Statement[3].Action[0]",
            ),
            (UniqueSidsRequired, "Statement[4].Sid"),
        ],
    );
    // The PassRole finding points at both the action and the resource.
    let f = r
        .with_code(PassRoleWithStarInActionAndResource)
        .next()
        .expect("finding");
    assert_eq!(f.locations.len(), 2);
    assert_eq!(f.locations[1].path_string(), "Statement[2].Resource");
}

#[test]
fn policy_sizes() {
    let r = run("policy_that_exceeds_max_size.json", identity());
    let f = r
        .with_code(IssueCode::PolicySizeExceedsIdentityPolicyQuota)
        .next()
        .expect("size warning");
    assert!(f.locations[0].path.is_empty());
    // Near the limit, but under it once white space is left out.
    let r = run("maximum_size_policy.json", identity());
    assert!(r
        .with_code(IssueCode::PolicySizeExceedsIdentityPolicyQuota)
        .next()
        .is_none());
}

#[test]
fn trust_policies() {
    use IssueCode::*;
    let trust = ValidateOptions::trust_policy();
    let r = run("INVALID-wrong-principal-type.json", trust);
    assert_eq!(
        errors(&r),
        vec![(
            MismatchedActionForPrincipal,
            "Statement[0].Action".to_string()
        )]
    );
    let r = run("github-actions-oidc-trust-policy.json", trust);
    assert!(errors(&r).is_empty(), "{:?}", found(&r));
    assert_has(
        "github-actions-oidc-trust-policy.json",
        &r,
        &[(
            SpecificGithubRepoAndBranchRecommended,
            "Statement[0].Condition.StringLike.token.actions.githubusercontent.com:sub",
        )],
    );
    for ok in [
        "cross-account-trust-policy.json",
        "lambda-service-role-trust-policy.json",
        "saml-federated-trust-policy.json",
    ] {
        let r = run(ok, trust);
        assert!(!r.has_blocking_findings(), "{ok}: {:?}", found(&r));
    }
}

#[test]
fn resource_control_policies() {
    use IssueCode::*;
    let rcp = ValidateOptions::new(PolicyType::ResourceControl);
    let cases = [
        (
            "rcp-invalid-allow-effect.json",
            InvalidEffect,
            "Statement[0].Effect",
        ),
        (
            "rcp-invalid-not-action.json",
            InvalidPolicyElement,
            "Statement[0].{NotAction}",
        ),
        (
            "rcp-invalid-specific-principal.json",
            UnsupportedPrincipal,
            "Statement[0].Principal",
        ),
    ];
    for (file, code, path) in cases {
        let r = run(file, rcp);
        assert_eq!(errors(&r), vec![(code, path.to_string())], "{file}");
    }
    let r = run("rcp-valid-enforce-encryption.json", rcp);
    assert!(!r.has_blocking_findings(), "{:?}", found(&r));
    // The same valid RCP read as an identity policy has a principal it cannot have.
    let r = run("rcp-valid-enforce-encryption.json", identity());
    assert!(r.with_code(UnsupportedPrincipal).count() == 2);
}

#[test]
fn service_control_policies() {
    let scp = ValidateOptions::new(PolicyType::ServiceControl);
    for file in ["require-mfa.json", "restrict-regions.json"] {
        let r = run(file, scp);
        assert!(!r.has_blocking_findings(), "{file}: {:?}", found(&r));
    }
}

#[test]
fn resource_policies() {
    use IssueCode::*;
    let resource = ValidateOptions::new(PolicyType::Resource);
    let r = run("kms-key-policy-insecure.json", resource);
    assert_eq!(
        errors(&r),
        vec![(
            UnsupportedWildcardInPrincipal,
            "Statement[1].Principal.AWS".to_string()
        )]
    );
    let r = run("s3-bucket-policy-wildcard-actions.json", resource);
    assert_has(
        "s3-bucket-policy-wildcard-actions.json",
        &r,
        &[
            (RedundantAction, "Statement[0].Action[1]"),
            (RedundantAction, "Statement[0].Action[2]"),
        ],
    );
    // A public bucket policy is valid: public access is an external access finding, not a
    // validation finding.
    let bucket = resource.with_resource_type(perimeter::validate::PolicyResourceType::S3Bucket);
    let r = run("s3-bucket-policy-public.json", bucket);
    assert!(!r.has_blocking_findings(), "{:?}", found(&r));
}
