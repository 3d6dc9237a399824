//! The table of issue codes: every check this validator implements, with its finding type.
//!
//! Codes and finding types are Access Analyzer's, from the IAM User Guide page "IAM policy
//! validation check reference"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>).
//! The page's anchor for a check is `access-analyzer-reference-policy-checks-<type>-<code>`, with
//! the code in lowercase and `_` written `-`, and `<type>` one of `error`, `security-warning`,
//! `general-warning` and `suggestion`; [`IssueCode::learn_more_link`] builds it that way.

use std::fmt;

/// The kind of a finding, as Access Analyzer names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingType {
    /// A part of the policy is invalid or has no effect as written (`ERROR`).
    Error,
    /// The policy grants more than it probably means to (`SECURITY_WARNING`).
    SecurityWarning,
    /// A best-practice or likely-mistake finding that is not about security (`WARNING`; the
    /// console calls it "General warning").
    Warning,
    /// A stylistic improvement that does not change access (`SUGGESTION`).
    Suggestion,
}

impl FindingType {
    /// Every finding type, most severe first.
    pub const ALL: [FindingType; 4] = [
        FindingType::Error,
        FindingType::SecurityWarning,
        FindingType::Warning,
        FindingType::Suggestion,
    ];

    /// Access Analyzer's spelling: `ERROR`, `SECURITY_WARNING`, `WARNING`, `SUGGESTION`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingType::Error => "ERROR",
            FindingType::SecurityWarning => "SECURITY_WARNING",
            FindingType::Warning => "WARNING",
            FindingType::Suggestion => "SUGGESTION",
        }
    }

    /// The type's part of the check reference page's anchors: `error`, `security-warning`,
    /// `general-warning`, `suggestion`.
    pub fn anchor(self) -> &'static str {
        match self {
            FindingType::Error => "error",
            FindingType::SecurityWarning => "security-warning",
            FindingType::Warning => "general-warning",
            FindingType::Suggestion => "suggestion",
        }
    }

    /// Whether findings of this type should fail a CI gate (`ERROR` and `SECURITY_WARNING`).
    pub fn is_blocking(self) -> bool {
        matches!(self, FindingType::Error | FindingType::SecurityWarning)
    }

    /// Read Access Analyzer's spelling.
    pub fn from_name(name: &str) -> Option<FindingType> {
        FindingType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for FindingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The reference page that every `learnMoreLink` points into.
pub const CHECK_REFERENCE_PAGE: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html";

macro_rules! issue_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $ty:ident; )*) => {
        /// An Access Analyzer issue code. [`IssueCode::ALL`] is the table of every code this
        /// validator can report, each with its [`FindingType`].
        ///
        /// The variant documentation says what triggers the check here; `src/manual/validation.md`
        /// gives the readings chosen where Access Analyzer's behaviour is not documented.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum IssueCode {
            $( $(#[$doc])* $variant, )*
        }

        impl IssueCode {
            /// Every issue code, in the order of the reference page (errors, general warnings,
            /// security warnings, suggestions).
            pub const ALL: &'static [IssueCode] = &[ $( IssueCode::$variant, )* ];

            /// The code as Access Analyzer writes it (`INVALID_ACTION`).
            pub fn as_str(self) -> &'static str {
                match self { $( IssueCode::$variant => $code, )* }
            }

            /// The type of the findings with this code.
            pub fn finding_type(self) -> FindingType {
                match self { $( IssueCode::$variant => FindingType::$ty, )* }
            }
        }
    };
}

issue_codes! {
    // ---- ERROR ----
    /// A resource ARN has an account for a resource type whose ARNs never carry one (S3 buckets).
    ArnAccountNotAllowed = "ARN_ACCOUNT_NOT_ALLOWED", Error;
    /// A resource ARN has a Region for a resource type whose ARNs never carry one (IAM roles).
    ArnRegionNotAllowed = "ARN_REGION_NOT_ALLOWED", Error;
    /// A value has the wrong JSON type for its element (a number for `Effect`, an object in
    /// `Action`).
    DataTypeMismatch = "DATA_TYPE_MISMATCH", Error;
    /// The same condition key (or operator) twice in one block, differing only by case.
    DuplicateKeysWithDifferentCase = "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", Error;
    /// An action that the service does not have, or a wildcard that matches none of its actions.
    InvalidAction = "INVALID_ACTION", Error;
    /// The account field of a resource ARN is not a 12-digit account id.
    InvalidArnAccount = "INVALID_ARN_ACCOUNT", Error;
    /// A resource is neither `*` nor an ARN (`arn:` prefix).
    InvalidArnPrefix = "INVALID_ARN_PREFIX", Error;
    /// The Region field of a resource ARN is not an AWS Region.
    InvalidArnRegion = "INVALID_ARN_REGION", Error;
    /// The resource part of an ARN matches none of the service's ARN formats.
    InvalidArnResource = "INVALID_ARN_RESOURCE", Error;
    /// The service field of a resource ARN is not in lowercase.
    InvalidArnServiceCase = "INVALID_ARN_SERVICE_CASE", Error;
    /// The values of one condition key mix JSON types (strings and numbers).
    InvalidConditionDataType = "INVALID_CONDITION_DATA_TYPE", Error;
    /// A condition key is not of the form `prefix:name`.
    InvalidConditionKeyFormat = "INVALID_CONDITION_KEY_FORMAT", Error;
    /// `Bool` with more than one value for a key.
    InvalidConditionMultipleBoolean = "INVALID_CONDITION_MULTIPLE_BOOLEAN", Error;
    /// A condition operator that does not exist.
    InvalidConditionOperator = "INVALID_CONDITION_OPERATOR", Error;
    /// `Effect` is neither `Allow` nor `Deny` (or, in an RCP, `Allow` outside `RCPFullAWSAccess`).
    InvalidEffect = "INVALID_EFFECT", Error;
    /// An `aws:` condition key that does not exist.
    InvalidGlobalConditionKey = "INVALID_GLOBAL_CONDITION_KEY", Error;
    /// The partition of a resource ARN is not an AWS partition.
    InvalidPartition = "INVALID_PARTITION", Error;
    /// An element that the policy (or statement) grammar does not have.
    InvalidPolicyElement = "INVALID_POLICY_ELEMENT", Error;
    /// `Principal` is neither `"*"` nor an object.
    InvalidPrincipalFormat = "INVALID_PRINCIPAL_FORMAT", Error;
    /// A principal type other than `AWS`, `Service`, `Federated` and `CanonicalUser`.
    InvalidPrincipalKey = "INVALID_PRINCIPAL_KEY", Error;
    /// A condition value for a Region key (`aws:RequestedRegion`) that is not an AWS Region.
    InvalidRegion = "INVALID_REGION", Error;
    /// An ARN or a condition key names a service that does not exist.
    InvalidService = "INVALID_SERVICE", Error;
    /// A condition key that its service does not define.
    InvalidServiceConditionKey = "INVALID_SERVICE_CONDITION_KEY", Error;
    /// An action whose service prefix names no service.
    InvalidServiceInAction = "INVALID_SERVICE_IN_ACTION", Error;
    /// A service principal (or a key that holds one) not of the form `service.amazonaws.com`.
    InvalidServicePrincipalFormat = "INVALID_SERVICE_PRINCIPAL_FORMAT", Error;
    /// A policy variable in the value of an operator that does not resolve variables (only
    /// String and ARN operators do).
    InvalidVariableForOperator = "INVALID_VARIABLE_FOR_OPERATOR", Error;
    /// `Version` is not `2012-10-17` or `2008-10-17` (RCPs: only `2012-10-17`).
    InvalidVersion = "INVALID_VERSION", Error;
    /// The text is not JSON (or has a duplicate key, or is beyond the reader's size or depth
    /// limits).
    JsonSyntaxError = "JSON_SYNTAX_ERROR", Error;
    /// A statement without `Action` or `NotAction`.
    MissingAction = "MISSING_ACTION", Error;
    /// An ARN with fewer than six colon-separated fields.
    MissingArnField = "MISSING_ARN_FIELD", Error;
    /// An ARN without a Region for a resource type that needs one.
    MissingArnRegion = "MISSING_ARN_REGION", Error;
    /// A statement without `Effect`.
    MissingEffect = "MISSING_EFFECT", Error;
    /// A resource policy (or RCP, or trust policy) statement without `Principal`/`NotPrincipal`.
    MissingPrincipal = "MISSING_PRINCIPAL", Error;
    /// A multivalued condition key used without `ForAllValues:`/`ForAnyValue:`.
    MissingQualifier = "MISSING_QUALIFIER", Error;
    /// An identity policy, SCP or RCP statement without `Resource`/`NotResource`.
    MissingResource = "MISSING_RESOURCE", Error;
    /// A policy without `Statement`.
    MissingStatement = "MISSING_STATEMENT", Error;
    /// A tag condition key without the tag name (`aws:RequestTag/`).
    MissingTagKeyInCondition = "MISSING_TAG_KEY_IN_CONDITION", Error;
    /// `NullIfExists`: `Null` cannot take `IfExists`.
    NullWithIfExists = "NULL_WITH_IF_EXISTS", Error;
    /// `Principal` or `NotPrincipal` in a service control policy.
    ScpSyntaxErrorPrincipal = "SCP_SYNTAX_ERROR_PRINCIPAL", Error;
    /// Two statements of an identity or trust policy share a `Sid`.
    UniqueSidsRequired = "UNIQUE_SIDS_REQUIRED", Error;
    /// An action that the resource policy's resource type cannot use (needs a resource type).
    UnsupportedActionInPolicy = "UNSUPPORTED_ACTION_IN_POLICY", Error;
    /// `Action`+`NotAction`, `Principal`+`NotPrincipal` or `Resource`+`NotResource` in one
    /// statement.
    UnsupportedElementCombination = "UNSUPPORTED_ELEMENT_COMBINATION", Error;
    /// `aws:ARN` in an identity policy, SCP or RCP.
    UnsupportedGlobalConditionKey = "UNSUPPORTED_GLOBAL_CONDITION_KEY", Error;
    /// A principal element in a policy type that does not take it (identity policies; RCPs
    /// other than `"*"`).
    UnsupportedPrincipal = "UNSUPPORTED_PRINCIPAL", Error;
    /// A resource ARN that the resource policy's resource type cannot name (needs a resource type).
    UnsupportedResourceArnInPolicy = "UNSUPPORTED_RESOURCE_ARN_IN_POLICY", Error;
    /// A `Sid` with characters other than `A-Z`, `a-z`, `0-9` in an identity or trust policy.
    UnsupportedSid = "UNSUPPORTED_SID", Error;
    /// `*` or `?` inside a principal value (only the bare `"*"` is a wildcard).
    UnsupportedWildcardInPrincipal = "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", Error;
    /// `${` without a closing `}`.
    MissingBraceInVariable = "MISSING_BRACE_IN_VARIABLE", Error;
    /// A variable default not in single quotes (`${aws:username, 'default'}`).
    MissingQuoteInVariable = "MISSING_QUOTE_IN_VARIABLE", Error;
    /// Whitespace inside a policy variable (other than the `, ` before a default).
    UnsupportedSpaceInVariable = "UNSUPPORTED_SPACE_IN_VARIABLE", Error;
    /// `${}`.
    EmptyVariable = "EMPTY_VARIABLE", Error;
    /// A policy variable outside `Resource`, `NotResource` and condition values.
    VariableUnsupportedInElement = "VARIABLE_UNSUPPORTED_IN_ELEMENT", Error;
    /// A policy variable in a policy whose `Version` is missing or `2008-10-17`.
    VariableUnsupportedInVersion = "VARIABLE_UNSUPPORTED_IN_VERSION", Error;
    /// `IpAddress` on `aws:SourceIp` with private ranges only: never true.
    PrivateIpAddress = "PRIVATE_IP_ADDRESS", Error;
    /// `NotIpAddress` on `aws:SourceIp` with private ranges only: always true.
    PrivateNotIpAddress = "PRIVATE_NOT_IP_ADDRESS", Error;
    /// An SCP longer than 5,120 characters (white space counted).
    PolicySizeExceedsScpQuota = "POLICY_SIZE_EXCEEDS_SCP_QUOTA", Error;
    /// A VPC id (`aws:SourceVpc`) not of the form `vpc-` and 8 or 17 hexadecimal digits.
    InvalidVpcFormat = "INVALID_VPC_FORMAT", Error;
    /// A VPC endpoint id (`aws:SourceVpce`) not of the form `vpce-` and 8 or 17 hexadecimal
    /// digits.
    InvalidVpceFormat = "INVALID_VPCE_FORMAT", Error;
    /// A `Federated` principal in a resource policy that is not a role trust policy.
    FederatedPrincipalNotSupported = "FEDERATED_PRINCIPAL_NOT_SUPPORTED", Error;
    /// Some listed actions never receive the condition key, so the condition is never true for
    /// them.
    UnsupportedActionForConditionKey = "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", Error;
    /// A condition key that requests from a service principal never carry
    /// (`aws:PrincipalOrgID` with `cloudfront.amazonaws.com`).
    UnsupportedConditionKeyForServicePrincipal = "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", Error;
    /// `NotPrincipal` in a role trust policy.
    RoleTrustPolicySyntaxErrorNotprincipal = "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", Error;
    /// `"Principal": "*"` (or `{"AWS": "*"}`) in a role trust policy.
    RoleTrustPolicyUnsupportedWildcardInPrincipal = "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", Error;
    /// `Resource` or `NotResource` in a role trust policy.
    RoleTrustPolicySyntaxErrorResource = "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", Error;
    /// A trust policy condition key that only `sts:TagSession` or `sts:SetSourceIdentity` sets,
    /// without that action.
    MissingActionForConditionKey = "MISSING_ACTION_FOR_CONDITION_KEY", Error;
    /// A `Federated` principal that is neither an identity provider ARN nor a domain name.
    InvalidFederatedPrincipalSyntaxInRoleTrustPolicy = "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", Error;
    /// A trust policy action that none of the statement's principals can call (a SAML provider
    /// with `sts:AssumeRole`, a user with `sts:AssumeRoleWithSAML`).
    MismatchedActionForPrincipal = "MISMATCHED_ACTION_FOR_PRINCIPAL", Error;
    /// `rolesanywhere.amazonaws.com` without all of `sts:AssumeRole`, `sts:SetSourceIdentity` and
    /// `sts:TagSession`.
    MissingActionForRolesAnywhereTrustPolicy = "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", Error;

    // ---- WARNING ----
    /// `iam:CreateServiceLinkedRole` allowed with `NotResource`.
    CreateSlrWithNotResource = "CREATE_SLR_WITH_NOT_RESOURCE", Warning;
    /// A wildcard action that covers `iam:CreateServiceLinkedRole`, with `NotResource`.
    CreateSlrWithStarInActionAndNotResource = "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", Warning;
    /// `NotAction` (not excluding `iam:CreateServiceLinkedRole`) with `NotResource`.
    CreateSlrWithNotActionAndNotResource = "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", Warning;
    /// `iam:CreateServiceLinkedRole` allowed on `*` without an `iam:AWSServiceName` condition.
    CreateSlrWithStarInResource = "CREATE_SLR_WITH_STAR_IN_RESOURCE", Warning;
    /// A wildcard action covering `iam:CreateServiceLinkedRole` on `*`.
    CreateSlrWithStarInActionAndResource = "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", Warning;
    /// `NotAction` (not excluding `iam:CreateServiceLinkedRole`) on `*`.
    CreateSlrWithStarInResourceAndNotAction = "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", Warning;
    /// `aws:ARN` in a resource or trust policy: use `aws:PrincipalArn`.
    DeprecatedGlobalConditionKey = "DEPRECATED_GLOBAL_CONDITION_KEY", Warning;
    /// A date condition value written as epoch seconds rather than ISO 8601.
    InvalidDateValue = "INVALID_DATE_VALUE", Warning;
    /// A principal given as a role's unique id (`AROA…`).
    InvalidRoleReference = "INVALID_ROLE_REFERENCE", Warning;
    /// A principal given as a user's unique id (`AIDA…`).
    InvalidUserReference = "INVALID_USER_REFERENCE", Warning;
    /// A policy without `Version` (policy variables are then literal text).
    MissingVersion = "MISSING_VERSION", Warning;
    /// Two statements of a resource policy, SCP or RCP share a `Sid`.
    UniqueSidsRecommended = "UNIQUE_SIDS_RECOMMENDED", Warning;
    /// `*` or `?` in a value of a String operator that does not read wildcards
    /// (`StringEquals`).
    WildcardWithoutLikeOperator = "WILDCARD_WITHOUT_LIKE_OPERATOR", Warning;
    /// An identity policy above 6,144 characters (white space outside strings not counted).
    PolicySizeExceedsIdentityPolicyQuota = "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", Warning;
    /// A resource policy above its resource type's size quota (needs a resource type).
    PolicySizeExceedsResourcePolicyQuota = "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", Warning;
    /// An operator whose family does not fit the key's type (`NumericEquals` on
    /// `aws:SourceIp`).
    TypeMismatch = "TYPE_MISMATCH", Warning;
    /// A `Bool` value other than `true` or `false`.
    TypeMismatchBoolean = "TYPE_MISMATCH_BOOLEAN", Warning;
    /// A date operator value that is not a date.
    TypeMismatchDate = "TYPE_MISMATCH_DATE", Warning;
    /// An `IpAddress`/`NotIpAddress` value that is not an IP address or CIDR range.
    TypeMismatchIpRange = "TYPE_MISMATCH_IP_RANGE", Warning;
    /// A numeric operator value that is not a number.
    TypeMismatchNumber = "TYPE_MISMATCH_NUMBER", Warning;
    /// A `BinaryEquals` value that is not base64 text.
    TypeMismatchString = "TYPE_MISMATCH_STRING", Warning;
    /// A wildcard in `token.actions.githubusercontent.com:sub`.
    SpecificGithubRepoAndBranchRecommended = "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", Warning;
    /// A role trust policy above 2,048 characters (white space outside strings not counted).
    PolicySizeExceedsRoleTrustPolicyQuota = "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", Warning;

    // ---- SECURITY_WARNING ----
    /// `Allow` with `NotPrincipal`.
    AllowWithNotPrincipal = "ALLOW_WITH_NOT_PRINCIPAL", SecurityWarning;
    /// `ForAllValues:` with a single-valued key: true when the key is absent.
    ForallvaluesWithSingleValuedKey = "FORALLVALUES_WITH_SINGLE_VALUED_KEY", SecurityWarning;
    /// `iam:PassRole` allowed with `NotResource`.
    PassRoleWithNotResource = "PASS_ROLE_WITH_NOT_RESOURCE", SecurityWarning;
    /// A wildcard action covering `iam:PassRole`, with `NotResource`.
    PassRoleWithStarInActionAndNotResource = "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", SecurityWarning;
    /// `NotAction` (not excluding `iam:PassRole`) with `NotResource`.
    PassRoleWithNotActionAndNotResource = "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", SecurityWarning;
    /// `iam:PassRole` allowed on `*` without an `iam:PassedToService` condition.
    PassRoleWithStarInResource = "PASS_ROLE_WITH_STAR_IN_RESOURCE", SecurityWarning;
    /// A wildcard action covering `iam:PassRole` on `*`.
    PassRoleWithStarInActionAndResource = "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", SecurityWarning;
    /// `NotAction` (not excluding `iam:PassRole`) on `*`.
    PassRoleWithStarInResourceAndNotAction = "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", SecurityWarning;
    /// `aws:VpcSourceIp` allowed without `aws:SourceVpc` or `aws:SourceVpce` in the statement.
    MissingPairedConditionKeys = "MISSING_PAIRED_CONDITION_KEYS", SecurityWarning;
    /// `Deny` on a tag key that some listed services never receive: those actions are never
    /// denied.
    DenyWithUnsupportedTagConditionKeyForService = "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", SecurityWarning;
    /// `Deny` with `NotAction` on a tag key: services that never receive it are never denied.
    DenyNotactionWithUnsupportedTagConditionKeyForService = "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", SecurityWarning;
    /// A service principal allowed without `aws:SourceArn`, `aws:SourceAccount`,
    /// `aws:SourceOrgID` or `aws:SourceOrgPaths` (confused deputy).
    RestrictAccessToServicePrincipal = "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", SecurityWarning;
    /// An OIDC provider trusted without a condition on that provider's keys.
    MissingConditionKeyForOidcPrincipal = "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", SecurityWarning;
    /// GitHub's OIDC provider trusted without a `token.actions.githubusercontent.com:sub`
    /// condition.
    MissingGithubRepoConditionKey = "MISSING_GITHUB_REPO_CONDITION_KEY", SecurityWarning;

    // ---- SUGGESTION ----
    /// `"Action": []` (or `NotAction`).
    EmptyArrayAction = "EMPTY_ARRAY_ACTION", Suggestion;
    /// A principal type with `[]`.
    EmptyArrayPrincipal = "EMPTY_ARRAY_PRINCIPAL", Suggestion;
    /// `"Resource": []` (or `NotResource`).
    EmptyArrayResource = "EMPTY_ARRAY_RESOURCE", Suggestion;
    /// A condition key with `[]` under a plain operator.
    EmptyArrayCondition = "EMPTY_ARRAY_CONDITION", Suggestion;
    /// A condition key with `[]` under `ForAllValues:`: true only when the key is absent.
    EmptyArrayConditionForallvalues = "EMPTY_ARRAY_CONDITION_FORALLVALUES", Suggestion;
    /// A condition key with `[]` under `ForAnyValue:`: never true.
    EmptyArrayConditionForanyvalue = "EMPTY_ARRAY_CONDITION_FORANYVALUE", Suggestion;
    /// A condition key with `[]` under an `…IfExists` operator: true only when the key is absent.
    EmptyArrayConditionIfexists = "EMPTY_ARRAY_CONDITION_IFEXISTS", Suggestion;
    /// `"Condition": {}` or an operator with `{}`.
    EmptyObjectCondition = "EMPTY_OBJECT_CONDITION", Suggestion;
    /// `"Principal": {}`.
    EmptyObjectPrincipal = "EMPTY_OBJECT_PRINCIPAL", Suggestion;
    /// `"Sid": ""`.
    EmptySidValue = "EMPTY_SID_VALUE", Suggestion;
    /// A CIDR range with host bits set after the prefix (they are ignored).
    ImproveIpRange = "IMPROVE_IP_RANGE", Suggestion;
    /// `Null` with `ForAllValues:` (always true) or `ForAnyValue:` (never true).
    NullWithQualifier = "NULL_WITH_QUALIFIER", Suggestion;
    /// `IpAddress` on `aws:SourceIp` mixing private and public ranges.
    PrivateIpAddressSubset = "PRIVATE_IP_ADDRESS_SUBSET", Suggestion;
    /// `NotIpAddress` on `aws:SourceIp` mixing private and public ranges.
    PrivateNotIpAddressSubset = "PRIVATE_NOT_IP_ADDRESS_SUBSET", Suggestion;
    /// An action whose every match another entry of the same list already covers.
    RedundantAction = "REDUNDANT_ACTION", Suggestion;
    /// Several values for a numeric less-than or greater-than operator: only the widest counts.
    RedundantConditionValueNum = "REDUNDANT_CONDITION_VALUE_NUM", Suggestion;
    /// A resource that another entry of the same list already covers.
    RedundantResource = "REDUNDANT_RESOURCE", Suggestion;
    /// A statement identical to an earlier one (ignoring `Sid`).
    RedundantStatement = "REDUNDANT_STATEMENT", Suggestion;
    /// `*` or `?` in the service prefix of an action.
    WildcardInServiceName = "WILDCARD_IN_SERVICE_NAME", Suggestion;
    /// `Allow` on a tag key that some listed services never receive: those actions are never
    /// allowed.
    AllowWithUnsupportedTagConditionKeyForService = "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", Suggestion;
    /// `Allow` with `NotAction` on a tag key that many services never receive.
    AllowNotactionWithUnsupportedTagConditionKeyForService = "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", Suggestion;
    /// A service principal restricted by other keys but not by `aws:SourceArn` or
    /// `aws:SourceAccount`.
    RecommendedConditionKeyForServicePrincipal = "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", Suggestion;
    /// A condition key that has no meaning in this resource policy type
    /// (`s3:ResourceAccount` in a bucket policy; needs a resource type).
    IrrelevantConditionKeyInPolicy = "IRRELEVANT_CONDITION_KEY_IN_POLICY", Suggestion;
    /// A trust policy naming both a role and one of that role's sessions.
    RedundantPrincipalInRoleTrustPolicy = "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY", Suggestion;
    /// An OIDC `…:aud` key with `ForAnyValue:`/`ForAllValues:`: confirm the claim is multivalued.
    ConfirmAudienceClaimType = "CONFIRM_AUDIENCE_CLAIM_TYPE", Suggestion;
}

impl IssueCode {
    /// The anchor of the check on the reference page, without the page's prefix
    /// (`error-invalid-action`).
    pub fn anchor(self) -> String {
        let mut out = String::from(self.finding_type().anchor());
        out.push('-');
        out.extend(self.as_str().chars().map(|c| {
            if c == '_' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        }));
        out
    }

    /// The `learnMoreLink`: the check's section of the reference page.
    pub fn learn_more_link(self) -> String {
        format!(
            "{CHECK_REFERENCE_PAGE}#access-analyzer-reference-policy-checks-{}",
            self.anchor()
        )
    }

    /// Read a code as Access Analyzer writes it (`INVALID_ACTION`).
    pub fn from_name(name: &str) -> Option<IssueCode> {
        IssueCode::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for IssueCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_links_follow_the_anchor_rule() {
        let mut seen = std::collections::HashSet::new();
        for &c in IssueCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {c}");
            assert_eq!(IssueCode::from_name(c.as_str()), Some(c));
            assert!(c
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_'));
        }
        assert_eq!(
            IssueCode::InvalidAction.learn_more_link(),
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action"
        );
        assert_eq!(
            IssueCode::MissingVersion.anchor(),
            "general-warning-missing-version"
        );
        assert_eq!(
            IssueCode::PassRoleWithStarInResource.anchor(),
            "security-warning-pass-role-with-star-in-resource"
        );
    }
}
