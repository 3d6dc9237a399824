//! One case per issue code: a policy that must produce the finding, at a given path and token,
//! and a near miss (the smallest change that fixes it) that must not.
//!
//! The table also checks that every code of `IssueCode::ALL` has a case.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a malformed fixture must fail the test loudly"
)]

use perimeter::validate::{
    validate, IssueCode, PolicyResourceType, PolicyType, Report, ValidateOptions,
};

const I: ValidateOptions = ValidateOptions {
    policy_type: PolicyType::Identity,
    resource_type: None,
};
const R: ValidateOptions = ValidateOptions {
    policy_type: PolicyType::Resource,
    resource_type: None,
};
const S: ValidateOptions = ValidateOptions {
    policy_type: PolicyType::ServiceControl,
    resource_type: None,
};
const T: ValidateOptions = ValidateOptions {
    policy_type: PolicyType::Resource,
    resource_type: Some(PolicyResourceType::IamAssumeRolePolicyDocument),
};
const B: ValidateOptions = ValidateOptions {
    policy_type: PolicyType::Resource,
    resource_type: Some(PolicyResourceType::S3Bucket),
};

struct Case {
    code: IssueCode,
    opts: ValidateOptions,
    fires: String,
    /// `Location::path_string()` of the finding's first location.
    path: &'static str,
    /// The source text of the first location's span (`None`: the whole document).
    token: Option<&'static str>,
    near: String,
}

/// A policy with one statement.
fn one(statement: &str) -> String {
    format!("{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {statement}\n  ]\n}}")
}

/// A policy with these statements.
fn many(statements: &[&str]) -> String {
    format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}",
        statements.join(", ")
    )
}

/// An identity statement allowing `action` on `resource`.
fn allow(action: &str, resource: &str) -> String {
    one(&format!(
        r#"{{"Effect": "Allow", "Action": {action}, "Resource": {resource}}}"#
    ))
}

/// An identity statement with a condition block.
fn cond(action: &str, condition: &str) -> String {
    one(&format!(
        r#"{{"Effect": "Allow", "Action": {action}, "Resource": "*", "Condition": {condition}}}"#
    ))
}

/// A resource policy statement with a principal.
fn res(principal: &str, action: &str, extra: &str) -> String {
    one(&format!(
        r#"{{"Effect": "Allow", "Principal": {principal}, "Action": {action}{extra}}}"#
    ))
}

/// A trust policy statement.
fn trust(principal: &str, action: &str, extra: &str) -> String {
    res(principal, action, extra)
}

fn case(
    code: IssueCode,
    opts: ValidateOptions,
    fires: String,
    path: &'static str,
    token: Option<&'static str>,
    near: String,
) -> Case {
    Case {
        code,
        opts,
        fires,
        path,
        token,
        near,
    }
}

fn big_resources(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!("\"arn:aws:s3:::bucket-number-{i}/*\""))
        .collect();
    format!("[{}]", items.join(", "))
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    use IssueCode::*;
    let acct = r#"{"AWS": "arn:aws:iam::123456789012:root"}"#;
    let bucket = r#", "Resource": "arn:aws:s3:::my-bucket/*""#;
    vec![
        // ---- ERROR ----
        case(ArnAccountNotAllowed, I, allow(r#""s3:ListBucket""#, r#""arn:aws:s3::123456789012:my-bucket""#),
            "Statement[0].Resource", Some(r#""arn:aws:s3::123456789012:my-bucket""#),
            allow(r#""s3:ListBucket""#, r#""arn:aws:s3:::my-bucket""#)),
        case(ArnRegionNotAllowed, I, allow(r#""iam:GetRole""#, r#""arn:aws:iam:us-east-1:123456789012:role/r""#),
            "Statement[0].Resource", Some(r#""arn:aws:iam:us-east-1:123456789012:role/r""#),
            allow(r#""iam:GetRole""#, r#""arn:aws:iam::123456789012:role/r""#)),
        case(DataTypeMismatch, I, one(r#"{"Effect": 1, "Action": "s3:GetObject", "Resource": "*"}"#),
            "Statement[0].Effect", Some("1"),
            one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#)),
        case(DuplicateKeysWithDifferentCase, I,
            cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d", "AWS:sourcevpc": "vpc-1a2b3c4d"}}"#),
            "Statement[0].Condition.StringEquals.{AWS:sourcevpc}", Some(r#""AWS:sourcevpc""#),
            cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d", "aws:SourceVpce": "vpce-1a2b3c4d"}}"#)),
        case(InvalidAction, I, allow(r#"["s3:GetObject", "s3:GetObjet"]"#, r#""*""#),
            "Statement[0].Action[1]", Some(r#""s3:GetObjet""#),
            allow(r#"["s3:GetObject", "s3:PutObject"]"#, r#""*""#)),
        case(InvalidArnAccount, I, allow(r#""iam:GetRole""#, r#""arn:aws:iam::12345:role/r""#),
            "Statement[0].Resource", Some(r#""arn:aws:iam::12345:role/r""#),
            allow(r#""iam:GetRole""#, r#""arn:aws:iam::123456789012:role/r""#)),
        case(InvalidArnPrefix, I, allow(r#""s3:GetObject""#, r#"["arn:aws:s3:::b/*", "b/*"]"#),
            "Statement[0].Resource[1]", Some(r#""b/*""#),
            allow(r#""s3:GetObject""#, r#"["arn:aws:s3:::b/*", "arn:aws:s3:::c/*"]"#)),
        case(InvalidArnRegion, I, allow(r#""sqs:SendMessage""#, r#""arn:aws:sqs:us-east1:123456789012:q""#),
            "Statement[0].Resource", Some(r#""arn:aws:sqs:us-east1:123456789012:q""#),
            allow(r#""sqs:SendMessage""#, r#""arn:aws:sqs:us-east-1:123456789012:q""#)),
        case(InvalidArnResource, I, allow(r#""iam:GetRole""#, r#""arn:aws:iam::123456789012:rolex/r""#),
            "Statement[0].Resource", Some(r#""arn:aws:iam::123456789012:rolex/r""#),
            allow(r#""iam:GetRole""#, r#""arn:aws:iam::123456789012:role/r""#)),
        case(InvalidArnServiceCase, I, allow(r#""s3:GetObject""#, r#""arn:aws:S3:::b/*""#),
            "Statement[0].Resource", Some(r#""arn:aws:S3:::b/*""#),
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/*""#)),
        case(InvalidConditionDataType, I, cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:username": ["a", 1]}}"#),
            "Statement[0].Condition.StringEquals.aws:username", Some(r#"["a", 1]"#),
            cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:username": ["a", "1"]}}"#)),
        case(InvalidConditionKeyFormat, I, cond(r#""s3:GetObject""#, r#"{"StringEquals": {"username": "a"}}"#),
            "Statement[0].Condition.StringEquals.{username}", Some(r#""username""#),
            cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:username": "a"}}"#)),
        case(InvalidConditionMultipleBoolean, I, cond(r#""s3:GetObject""#, r#"{"Bool": {"aws:SecureTransport": ["true", "false"]}}"#),
            "Statement[0].Condition.Bool.aws:SecureTransport", Some(r#"["true", "false"]"#),
            cond(r#""s3:GetObject""#, r#"{"Bool": {"aws:SecureTransport": ["true"]}}"#)),
        case(InvalidConditionOperator, I, cond(r#""s3:GetObject""#, r#"{"StringEqual": {"aws:username": "a"}}"#),
            "Statement[0].Condition.{StringEqual}", Some(r#""StringEqual""#),
            cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:username": "a"}}"#)),
        case(InvalidEffect, I, one(r#"{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}"#),
            "Statement[0].Effect", Some(r#""Alow""#),
            one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#)),
        case(InvalidGlobalConditionKey, I, cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:SorceIp": "203.0.113.0/24"}}"#),
            "Statement[0].Condition.IpAddress.{aws:SorceIp}", Some(r#""aws:SorceIp""#),
            cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#)),
        case(InvalidPartition, I, allow(r#""s3:GetObject""#, r#""arn:aws-xx:s3:::b/*""#),
            "Statement[0].Resource", Some(r#""arn:aws-xx:s3:::b/*""#),
            allow(r#""s3:GetObject""#, r#""arn:aws-cn:s3:::b/*""#)),
        case(InvalidPolicyElement, I, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Conditions": {}}"#),
            "Statement[0].{Conditions}", Some(r#""Conditions""#),
            one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#)),
        case(InvalidPrincipalFormat, R, res(r#""arn:aws:iam::123456789012:root""#, r#""s3:GetObject""#, bucket),
            "Statement[0].Principal", Some(r#""arn:aws:iam::123456789012:root""#),
            res(acct, r#""s3:GetObject""#, bucket)),
        case(InvalidPrincipalKey, R, res(r#"{"aws": "123456789012"}"#, r#""s3:GetObject""#, bucket),
            "Statement[0].Principal.{aws}", Some(r#""aws""#),
            res(r#"{"AWS": "123456789012"}"#, r#""s3:GetObject""#, bucket)),
        case(InvalidRegion, I, cond(r#""ec2:RunInstances""#, r#"{"StringEquals": {"aws:RequestedRegion": ["us-east-1", "us-east1"]}}"#),
            "Statement[0].Condition.StringEquals.aws:RequestedRegion[1]", Some(r#""us-east1""#),
            cond(r#""ec2:RunInstances""#, r#"{"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}"#)),
        case(InvalidService, I, allow(r#""s3:GetObject""#, r#""arn:aws:s4:::b/*""#),
            "Statement[0].Resource", Some(r#""arn:aws:s4:::b/*""#),
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/*""#)),
        case(InvalidServiceConditionKey, I, cond(r#""s3:ListBucket""#, r#"{"StringLike": {"s3:prefx": "home/*"}}"#),
            "Statement[0].Condition.StringLike.{s3:prefx}", Some(r#""s3:prefx""#),
            cond(r#""s3:ListBucket""#, r#"{"StringLike": {"s3:prefix": "home/*"}}"#)),
        case(InvalidServiceInAction, I, allow(r#""s4:GetObject""#, r#""*""#),
            "Statement[0].Action", Some(r#""s4:GetObject""#),
            allow(r#""s3:GetObject""#, r#""*""#)),
        case(InvalidServicePrincipalFormat, R, res(r#"{"Service": "lambda"}"#, r#""s3:GetObject""#, bucket),
            "Statement[0].Principal.Service", Some(r#""lambda""#),
            res(r#"{"Service": "lambda.amazonaws.com"}"#, r#""s3:GetObject""#, bucket)),
        case(InvalidVariableForOperator, I, cond(r#""s3:ListBucket""#, r#"{"NumericLessThan": {"s3:max-keys": "${aws:PrincipalTag/n}"}}"#),
            "Statement[0].Condition.NumericLessThan.s3:max-keys", Some(r#""${aws:PrincipalTag/n}""#),
            cond(r#""s3:ListBucket""#, r#"{"StringEquals": {"s3:prefix": "${aws:PrincipalTag/n}"}}"#)),
        case(InvalidVersion, I, r#"{"Version": "2012-10-18", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#.into(),
            "Version", Some(r#""2012-10-18""#),
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#.into()),
        case(JsonSyntaxError, I, "{\"Version\": \"2012-10-17\",\n \"Statement\": []\n,}".into(),
            "", Some("}"),
            "{\"Version\": \"2012-10-17\",\n \"Statement\": []\n}".into()),
        case(MissingAction, I, one(r#"{"Effect": "Allow", "Resource": "*"}"#),
            "Statement[0]", Some(r#"{"Effect": "Allow", "Resource": "*"}"#),
            one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#)),
        case(MissingArnField, I, allow(r#""s3:GetObject""#, r#""arn:aws:s3:b""#),
            "Statement[0].Resource", Some(r#""arn:aws:s3:b""#),
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:*""#)),
        case(MissingArnRegion, I, allow(r#""sqs:SendMessage""#, r#""arn:aws:sqs::123456789012:q""#),
            "Statement[0].Resource", Some(r#""arn:aws:sqs::123456789012:q""#),
            allow(r#""sqs:SendMessage""#, r#""arn:aws:sqs:*:123456789012:q""#)),
        case(MissingEffect, I, one(r#"{"Action": "s3:GetObject", "Resource": "*"}"#),
            "Statement[0]", Some(r#"{"Action": "s3:GetObject", "Resource": "*"}"#),
            one(r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}"#)),
        case(MissingPrincipal, R, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#),
            "Statement[0]", Some(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#),
            res(acct, r#""s3:GetObject""#, bucket)),
        case(MissingQualifier, I, cond(r#""ec2:CreateTags""#, r#"{"StringEquals": {"aws:TagKeys": "team"}}"#),
            "Statement[0].Condition.StringEquals.{aws:TagKeys}", Some(r#""aws:TagKeys""#),
            cond(r#""ec2:CreateTags""#, r#"{"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}"#)),
        case(MissingResource, I, one(r#"{"Effect": "Allow", "Action": "s3:GetObject"}"#),
            "Statement[0]", Some(r#"{"Effect": "Allow", "Action": "s3:GetObject"}"#),
            one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#)),
        case(MissingStatement, I, r#"{"Version": "2012-10-17"}"#.into(), "", None,
            r#"{"Version": "2012-10-17", "Statement": []}"#.into()),
        case(MissingTagKeyInCondition, I, cond(r#""ec2:CreateTags""#, r#"{"StringEquals": {"aws:RequestTag/": "x"}}"#),
            "Statement[0].Condition.StringEquals.{aws:RequestTag/}", Some(r#""aws:RequestTag/""#),
            cond(r#""ec2:CreateTags""#, r#"{"StringEquals": {"aws:RequestTag/team": "x"}}"#)),
        case(NullWithIfExists, I, cond(r#""s3:GetObject""#, r#"{"NullIfExists": {"aws:username": "true"}}"#),
            "Statement[0].Condition.{NullIfExists}", Some(r#""NullIfExists""#),
            cond(r#""s3:GetObject""#, r#"{"Null": {"aws:username": "true"}}"#)),
        case(ScpSyntaxErrorPrincipal, S, one(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}"#),
            "Statement[0].{Principal}", Some(r#""Principal""#),
            one(r#"{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}"#)),
        case(UniqueSidsRequired, I,
            many(&[r#"{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#, r#"{"Sid": "A", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}"#]),
            "Statement[1].Sid", Some(r#""A""#),
            many(&[r#"{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#, r#"{"Sid": "B", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}"#])),
        case(UnsupportedActionInPolicy, B, res(acct, r#"["s3:GetObject", "sqs:SendMessage"]"#, bucket),
            "Statement[0].Action[1]", Some(r#""sqs:SendMessage""#),
            res(acct, r#"["s3:GetObject", "s3:PutObject"]"#, bucket)),
        case(UnsupportedElementCombination, I, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*"}"#),
            "Statement[0].{Action}", Some(r#""Action""#),
            one(r#"{"Effect": "Allow", "NotAction": "s3:PutObject", "Resource": "*"}"#)),
        case(UnsupportedGlobalConditionKey, I, cond(r#""s3:GetObject""#, r#"{"ArnLike": {"aws:ARN": "arn:aws:iam::123456789012:role/*"}}"#),
            "Statement[0].Condition.ArnLike.{aws:ARN}", Some(r#""aws:ARN""#),
            cond(r#""s3:GetObject""#, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}"#)),
        case(UnsupportedPrincipal, I, one(r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#),
            "Statement[0].{Principal}", Some(r#""Principal""#),
            one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#)),
        case(UnsupportedResourceArnInPolicy, B, res(acct, r#""s3:GetObject""#, r#", "Resource": ["arn:aws:s3:::my-bucket/*", "arn:aws:sqs:us-east-1:123456789012:q"]"#),
            "Statement[0].Resource[1]", Some(r#""arn:aws:sqs:us-east-1:123456789012:q""#),
            res(acct, r#""s3:GetObject""#, r#", "Resource": ["arn:aws:s3:::my-bucket/*", "arn:aws:s3:::my-bucket"]"#)),
        case(UnsupportedSid, I, one(r#"{"Sid": "Read objects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#),
            "Statement[0].Sid", Some(r#""Read objects""#),
            one(r#"{"Sid": "ReadObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#)),
        case(UnsupportedWildcardInPrincipal, R, res(r#"{"AWS": "arn:aws:iam::*:root"}"#, r#""s3:GetObject""#, bucket),
            "Statement[0].Principal.AWS", Some(r#""arn:aws:iam::*:root""#),
            res(r#"{"AWS": "*"}"#, r#""s3:GetObject""#, bucket)),
        case(MissingBraceInVariable, I, allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:username/*""#),
            "Statement[0].Resource", Some(r#""arn:aws:s3:::b/${aws:username/*""#),
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:username}/*""#)),
        case(MissingQuoteInVariable, I, allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:username, guest}/*""#),
            "Statement[0].Resource", Some(r#""arn:aws:s3:::b/${aws:username, guest}/*""#),
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:username, 'guest'}/*""#)),
        case(UnsupportedSpaceInVariable, I, allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:user name}/*""#),
            "Statement[0].Resource", Some(r#""arn:aws:s3:::b/${aws:user name}/*""#),
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:username}/*""#)),
        case(EmptyVariable, I, allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${}/*""#),
            "Statement[0].Resource", Some(r#""arn:aws:s3:::b/${}/*""#),
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:username}/*""#)),
        case(VariableUnsupportedInElement, I, allow(r#"["s3:GetObject", "s3:${aws:username}"]"#, r#""*""#),
            "Statement[0].Action[1]", Some(r#""s3:${aws:username}""#),
            allow(r#"["s3:GetObject", "s3:PutObject"]"#, r#""arn:aws:s3:::b/${aws:username}""#)),
        case(VariableUnsupportedInVersion, I,
            r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}"#.into(),
            "Statement[0].Resource", Some(r#""arn:aws:s3:::b/${aws:username}/*""#),
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}"#.into()),
        case(PrivateIpAddress, I, cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.1.0/24"]}}"#),
            "Statement[0].Condition.IpAddress.{aws:SourceIp}", Some(r#""aws:SourceIp""#),
            cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:VpcSourceIp": ["10.0.0.0/8"], "aws:SourceVpc": "vpc-1a2b3c4d"}}"#)),
        case(PrivateNotIpAddress, I, cond(r#""s3:GetObject""#, r#"{"NotIpAddress": {"aws:SourceIp": "172.16.0.0/12"}}"#),
            "Statement[0].Condition.NotIpAddress.{aws:SourceIp}", Some(r#""aws:SourceIp""#),
            cond(r#""s3:GetObject""#, r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#)),
        case(PolicySizeExceedsScpQuota, S, one(&format!(r#"{{"Effect": "Deny", "Action": "s3:*", "Resource": {}}}"#, big_resources(180))), "", None,
            one(&format!(r#"{{"Effect": "Deny", "Action": "s3:*", "Resource": {}}}"#, big_resources(100)))),
        case(InvalidVpcFormat, I, cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:SourceVpc": "vpc-123"}}"#),
            "Statement[0].Condition.StringEquals.aws:SourceVpc", Some(r#""vpc-123""#),
            cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:SourceVpc": "vpc-0123456789abcdef0"}}"#)),
        case(InvalidVpceFormat, I, cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d", "vpc-1a2b3c4d"]}}"#),
            "Statement[0].Condition.StringEquals.aws:SourceVpce[1]", Some(r#""vpc-1a2b3c4d""#),
            cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d", "vpce-0123456789abcdef0"]}}"#)),
        case(FederatedPrincipalNotSupported, B, res(r#"{"Federated": "accounts.google.com"}"#, r#""s3:GetObject""#, bucket),
            "Statement[0].Principal.Federated", Some(r#""accounts.google.com""#),
            res(acct, r#""s3:GetObject""#, bucket)),
        case(UnsupportedActionForConditionKey, I, cond(r#"["s3:ListBucket", "s3:GetObject"]"#, r#"{"StringLike": {"s3:prefix": "home/*"}}"#),
            "Statement[0].Condition.StringLike.{s3:prefix}", Some(r#""s3:prefix""#),
            cond(r#"["s3:ListBucket", "s3:ListBucketVersions"]"#, r#"{"StringLike": {"s3:prefix": "home/*"}}"#)),
        case(UnsupportedConditionKeyForServicePrincipal, R,
            res(r#"{"Service": "cloudfront.amazonaws.com"}"#, r#""s3:GetObject""#, r#", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}"#),
            "Statement[0].Condition.StringEquals.{aws:PrincipalOrgID}", Some(r#""aws:PrincipalOrgID""#),
            res(r#"{"Service": "cloudfront.amazonaws.com"}"#, r#""s3:GetObject""#, r#", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}"#)),
        case(RoleTrustPolicySyntaxErrorNotprincipal, T, one(r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}"#),
            "Statement[0].{NotPrincipal}", Some(r#""NotPrincipal""#),
            trust(r#"{"AWS": "123456789012"}"#, r#""sts:AssumeRole""#, "")),
        case(RoleTrustPolicyUnsupportedWildcardInPrincipal, T, trust(r#""*""#, r#""sts:AssumeRole""#, ""),
            "Statement[0].Principal", Some(r#""*""#),
            trust(r#"{"AWS": "123456789012"}"#, r#""sts:AssumeRole""#, "")),
        case(RoleTrustPolicySyntaxErrorResource, T, trust(r#"{"AWS": "123456789012"}"#, r#""sts:AssumeRole""#, r#", "Resource": "*""#),
            "Statement[0].{Resource}", Some(r#""Resource""#),
            trust(r#"{"AWS": "123456789012"}"#, r#""sts:AssumeRole""#, "")),
        case(MissingActionForConditionKey, T, trust(r#"{"AWS": "123456789012"}"#, r#""sts:AssumeRole""#, r#", "Condition": {"StringEquals": {"aws:RequestTag/team": "red"}}"#),
            "Statement[0].Condition.StringEquals.{aws:RequestTag/team}", Some(r#""aws:RequestTag/team""#),
            trust(r#"{"AWS": "123456789012"}"#, r#"["sts:AssumeRole", "sts:TagSession"]"#, r#", "Condition": {"StringEquals": {"aws:RequestTag/team": "red"}}"#)),
        case(InvalidFederatedPrincipalSyntaxInRoleTrustPolicy, T, trust(r#"{"Federated": "my provider"}"#, r#""sts:AssumeRoleWithSAML""#, ""),
            "Statement[0].Principal.Federated", Some(r#""my provider""#),
            trust(r#"{"Federated": "arn:aws:iam::123456789012:saml-provider/Corp"}"#, r#""sts:AssumeRoleWithSAML""#, "")),
        case(MismatchedActionForPrincipal, T, trust(r#"{"AWS": "arn:aws:iam::123456789012:user/alice"}"#, r#""sts:AssumeRoleWithSAML""#, ""),
            "Statement[0].Action", Some(r#""sts:AssumeRoleWithSAML""#),
            trust(r#"{"AWS": "arn:aws:iam::123456789012:user/alice"}"#, r#""sts:AssumeRole""#, "")),
        case(MissingActionForRolesAnywhereTrustPolicy, T, trust(r#"{"Service": "rolesanywhere.amazonaws.com"}"#, r#"["sts:AssumeRole", "sts:TagSession"]"#, ""),
            "Statement[0].Principal.Service", Some(r#""rolesanywhere.amazonaws.com""#),
            trust(r#"{"Service": "rolesanywhere.amazonaws.com"}"#, r#"["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]"#, "")),
        // ---- WARNING ----
        case(CreateSlrWithNotResource, I, one(r#"{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "NotResource": "arn:aws:iam::123456789012:role/admin"}"#),
            "Statement[0].Action", Some(r#""iam:CreateServiceLinkedRole""#),
            one(r#"{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "arn:aws:iam::*:role/aws-service-role/*"}"#)),
        case(CreateSlrWithStarInActionAndNotResource, I, one(r#"{"Effect": "Allow", "Action": "iam:Create*", "NotResource": "arn:aws:iam::123456789012:role/admin"}"#),
            "Statement[0].Action", Some(r#""iam:Create*""#),
            one(r#"{"Effect": "Allow", "Action": "iam:CreateUser", "NotResource": "arn:aws:iam::123456789012:user/admin"}"#)),
        case(CreateSlrWithNotActionAndNotResource, I, one(r#"{"Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::b"}"#),
            "Statement[0].NotAction", Some(r#""s3:*""#),
            one(r#"{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::b"}"#)),
        case(CreateSlrWithStarInResource, I, allow(r#""iam:CreateServiceLinkedRole""#, r#""*""#),
            "Statement[0].Action", Some(r#""iam:CreateServiceLinkedRole""#),
            cond(r#""iam:CreateServiceLinkedRole""#, r#"{"StringEquals": {"iam:AWSServiceName": "elasticbeanstalk.amazonaws.com"}}"#)),
        case(CreateSlrWithStarInActionAndResource, I, allow(r#""iam:Create*""#, r#""*""#),
            "Statement[0].Action", Some(r#""iam:Create*""#),
            allow(r#""iam:Get*""#, r#""*""#)),
        case(CreateSlrWithStarInResourceAndNotAction, I, allow_not(r#""s3:*""#, r#""*""#),
            "Statement[0].NotAction", Some(r#""s3:*""#),
            allow_not(r#""iam:*""#, r#""*""#)),
        case(DeprecatedGlobalConditionKey, R, res(acct, r#""s3:GetObject""#, r#", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"ArnLike": {"aws:ARN": "arn:aws:iam::123456789012:role/*"}}"#),
            "Statement[0].Condition.ArnLike.{aws:ARN}", Some(r#""aws:ARN""#),
            res(acct, r#""s3:GetObject""#, r#", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}"#)),
        case(InvalidDateValue, I, cond(r#""s3:GetObject""#, r#"{"DateLessThan": {"aws:CurrentTime": "1767225600"}}"#),
            "Statement[0].Condition.DateLessThan.aws:CurrentTime", Some(r#""1767225600""#),
            cond(r#""s3:GetObject""#, r#"{"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#)),
        case(InvalidRoleReference, R, res(r#"{"AWS": "AROAEXAMPLEID1234567"}"#, r#""s3:GetObject""#, bucket),
            "Statement[0].Principal.AWS", Some(r#""AROAEXAMPLEID1234567""#),
            res(r#"{"AWS": "arn:aws:iam::123456789012:role/r"}"#, r#""s3:GetObject""#, bucket)),
        case(InvalidUserReference, R, res(r#"{"AWS": "AIDAEXAMPLEID1234567"}"#, r#""s3:GetObject""#, bucket),
            "Statement[0].Principal.AWS", Some(r#""AIDAEXAMPLEID1234567""#),
            res(r#"{"AWS": "arn:aws:iam::123456789012:user/u"}"#, r#""s3:GetObject""#, bucket)),
        case(MissingVersion, I, r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#.into(), "", None,
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#.into()),
        case(UniqueSidsRecommended, R,
            many(&[r#"{"Sid": "A", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#, r#"{"Sid": "A", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}"#]),
            "Statement[1].Sid", Some(r#""A""#),
            many(&[r#"{"Sid": "A", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#, r#"{"Sid": "B", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}"#])),
        case(WildcardWithoutLikeOperator, I, cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:username": "dev-*"}}"#),
            "Statement[0].Condition.StringEquals.aws:username", Some(r#""dev-*""#),
            cond(r#""s3:GetObject""#, r#"{"StringLike": {"aws:username": "dev-*"}}"#)),
        case(PolicySizeExceedsIdentityPolicyQuota, I, allow(r#""s3:GetObject""#, &big_resources(200)), "", None,
            allow(r#""s3:GetObject""#, &big_resources(150))),
        case(PolicySizeExceedsResourcePolicyQuota, B, res(acct, r#""s3:GetObject""#, &format!(r#", "Resource": {}"#, big_resources(700))), "", None,
            res(acct, r#""s3:GetObject""#, &format!(r#", "Resource": {}"#, big_resources(500)))),
        case(TypeMismatch, I, cond(r#""s3:GetObject""#, r#"{"NumericEquals": {"aws:username": "1"}}"#),
            "Statement[0].Condition.NumericEquals.{aws:username}", Some(r#""aws:username""#),
            cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:username": "1"}}"#)),
        case(TypeMismatchBoolean, I, cond(r#""s3:GetObject""#, r#"{"Bool": {"aws:SecureTransport": "yes"}}"#),
            "Statement[0].Condition.Bool.aws:SecureTransport", Some(r#""yes""#),
            cond(r#""s3:GetObject""#, r#"{"Bool": {"aws:SecureTransport": "true"}}"#)),
        case(TypeMismatchDate, I, cond(r#""s3:GetObject""#, r#"{"DateLessThan": {"aws:CurrentTime": "next year"}}"#),
            "Statement[0].Condition.DateLessThan.aws:CurrentTime", Some(r#""next year""#),
            cond(r#""s3:GetObject""#, r#"{"DateLessThan": {"aws:CurrentTime": "2027-01-01"}}"#)),
        case(TypeMismatchIpRange, I, cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}"#),
            "Statement[0].Condition.IpAddress.aws:SourceIp", Some(r#""203.0.113.0/33""#),
            cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#)),
        case(TypeMismatchNumber, I, cond(r#""s3:ListBucket""#, r#"{"NumericLessThan": {"s3:max-keys": "ten"}}"#),
            "Statement[0].Condition.NumericLessThan.s3:max-keys", Some(r#""ten""#),
            cond(r#""s3:ListBucket""#, r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#)),
        case(TypeMismatchString, I, cond(r#""s3:GetObject""#, r#"{"BinaryEquals": {"aws:username": "not base64!"}}"#),
            "Statement[0].Condition.BinaryEquals.aws:username", Some(r#""not base64!""#),
            cond(r#""s3:GetObject""#, r#"{"BinaryEquals": {"aws:username": "QmluYXJ5"}}"#)),
        case(SpecificGithubRepoAndBranchRecommended, T,
            trust(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}"#),
            "Statement[0].Condition.StringLike.token.actions.githubusercontent.com:sub", Some(r#""repo:my-org/*""#),
            trust(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:my-org/app:ref:refs/heads/main"}}"#)),
        case(PolicySizeExceedsRoleTrustPolicyQuota, T, trust(&format!(r#"{{"AWS": [{}]}}"#, accounts(60)), r#""sts:AssumeRole""#, ""), "", None,
            trust(&format!(r#"{{"AWS": [{}]}}"#, accounts(40)), r#""sts:AssumeRole""#, "")),
        // ---- SECURITY_WARNING ----
        case(AllowWithNotPrincipal, R, one(r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#),
            "Statement[0].{NotPrincipal}", Some(r#""NotPrincipal""#),
            one(r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#)),
        case(ForallvaluesWithSingleValuedKey, I, cond(r#""s3:GetObject""#, r#"{"ForAllValues:StringEquals": {"aws:username": "alice"}}"#),
            "Statement[0].Condition.ForAllValues:StringEquals.{aws:username}", Some(r#""aws:username""#),
            cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:username": "alice"}}"#)),
        case(PassRoleWithNotResource, I, one(r#"{"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::123456789012:role/admin"}"#),
            "Statement[0].Action", Some(r#""iam:PassRole""#),
            one(r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/app"}"#)),
        case(PassRoleWithStarInActionAndNotResource, I, one(r#"{"Effect": "Allow", "Action": "iam:Pass*", "NotResource": "arn:aws:iam::123456789012:role/admin"}"#),
            "Statement[0].Action", Some(r#""iam:Pass*""#),
            one(r#"{"Effect": "Allow", "Action": "iam:Get*", "NotResource": "arn:aws:iam::123456789012:role/admin"}"#)),
        case(PassRoleWithNotActionAndNotResource, I, one(r#"{"Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::b"}"#),
            "Statement[0].NotAction", Some(r#""s3:*""#),
            one(r#"{"Effect": "Allow", "NotAction": ["iam:PassRole", "iam:CreateServiceLinkedRole"], "NotResource": "arn:aws:s3:::b"}"#)),
        case(PassRoleWithStarInResource, I, allow(r#""iam:PassRole""#, r#""*""#),
            "Statement[0].Action", Some(r#""iam:PassRole""#),
            cond(r#""iam:PassRole""#, r#"{"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}"#)),
        case(PassRoleWithStarInActionAndResource, I, allow(r#""iam:*""#, r#""*""#),
            "Statement[0].Action", Some(r#""iam:*""#),
            allow(r#""iam:*""#, r#""arn:aws:iam::123456789012:role/app""#)),
        case(PassRoleWithStarInResourceAndNotAction, I, allow_not(r#""s3:*""#, r#""*""#),
            "Statement[0].NotAction", Some(r#""s3:*""#),
            allow_not(r#"["s3:*", "iam:PassRole"]"#, r#""*""#)),
        case(MissingPairedConditionKeys, I, cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}}"#),
            "Statement[0].Condition.IpAddress.{aws:VpcSourceIp}", Some(r#""aws:VpcSourceIp""#),
            cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}, "StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}"#)),
        case(DenyWithUnsupportedTagConditionKeyForService, I,
            one(r#"{"Effect": "Deny", "Action": ["ec2:TerminateInstances", "sts:GetCallerIdentity"], "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "red"}}}"#),
            "Statement[0].Condition.StringEquals.{aws:ResourceTag/team}", Some(r#""aws:ResourceTag/team""#),
            one(r#"{"Effect": "Deny", "Action": ["ec2:TerminateInstances", "ec2:StopInstances"], "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "red"}}}"#)),
        case(DenyNotactionWithUnsupportedTagConditionKeyForService, I,
            one(r#"{"Effect": "Deny", "NotAction": "ec2:DescribeInstances", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "red"}}}"#),
            "Statement[0].Condition.StringEquals.{aws:ResourceTag/team}", Some(r#""aws:ResourceTag/team""#),
            one(r#"{"Effect": "Deny", "NotAction": "ec2:DescribeInstances", "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "red"}}}"#)),
        case(RestrictAccessToServicePrincipal, R, res(r#"{"Service": "sns.amazonaws.com"}"#, r#""sqs:SendMessage""#, r#", "Resource": "arn:aws:sqs:us-east-1:123456789012:q""#),
            "Statement[0].Principal.Service", Some(r#""sns.amazonaws.com""#),
            res(r#"{"Service": "sns.amazonaws.com"}"#, r#""sqs:SendMessage""#, r#", "Resource": "arn:aws:sqs:us-east-1:123456789012:q", "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}}"#)),
        case(MissingConditionKeyForOidcPrincipal, T, trust(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, ""),
            "Statement[0].Principal.Federated", Some(r#""arn:aws:iam::123456789012:oidc-provider/oidc.example.com""#),
            trust(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#", "Condition": {"StringEquals": {"oidc.example.com:aud": "my-app"}}"#)),
        case(MissingGithubRepoConditionKey, T,
            trust(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}"#),
            "Statement[0].Principal.Federated", Some(r#""arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com""#),
            trust(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:my-org/app:ref:refs/heads/main"}}"#)),
        // ---- SUGGESTION ----
        case(EmptyArrayAction, I, allow("[]", r#""*""#), "Statement[0].Action", Some("[]"), allow(r#"["s3:GetObject"]"#, r#""*""#)),
        case(EmptyArrayPrincipal, R, res(r#"{"AWS": []}"#, r#""s3:GetObject""#, bucket), "Statement[0].Principal.AWS", Some("[]"),
            res(r#"{"AWS": ["123456789012"]}"#, r#""s3:GetObject""#, bucket)),
        case(EmptyArrayResource, I, allow(r#""s3:GetObject""#, "[]"), "Statement[0].Resource", Some("[]"), allow(r#""s3:GetObject""#, r#"["*"]"#)),
        case(EmptyArrayCondition, I, cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:username": []}}"#),
            "Statement[0].Condition.StringEquals.aws:username", Some("[]"),
            cond(r#""s3:GetObject""#, r#"{"StringEquals": {"aws:username": ["alice"]}}"#)),
        case(EmptyArrayConditionForallvalues, I, cond(r#""ec2:CreateTags""#, r#"{"ForAllValues:StringEquals": {"aws:TagKeys": []}}"#),
            "Statement[0].Condition.ForAllValues:StringEquals.aws:TagKeys", Some("[]"),
            cond(r#""ec2:CreateTags""#, r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}"#)),
        case(EmptyArrayConditionForanyvalue, I, cond(r#""ec2:CreateTags""#, r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": []}}"#),
            "Statement[0].Condition.ForAnyValue:StringEquals.aws:TagKeys", Some("[]"),
            cond(r#""ec2:CreateTags""#, r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}"#)),
        case(EmptyArrayConditionIfexists, I, cond(r#""s3:GetObject""#, r#"{"StringEqualsIfExists": {"aws:username": []}}"#),
            "Statement[0].Condition.StringEqualsIfExists.aws:username", Some("[]"),
            cond(r#""s3:GetObject""#, r#"{"StringEqualsIfExists": {"aws:username": ["alice"]}}"#)),
        case(EmptyObjectCondition, I, cond(r#""s3:GetObject""#, "{}"), "Statement[0].Condition", Some("{}"),
            cond(r#""s3:GetObject""#, r#"{"Bool": {"aws:SecureTransport": "true"}}"#)),
        case(EmptyObjectPrincipal, R, res("{}", r#""s3:GetObject""#, bucket), "Statement[0].Principal", Some("{}"),
            res(acct, r#""s3:GetObject""#, bucket)),
        case(EmptySidValue, I, one(r#"{"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#),
            "Statement[0].Sid", Some(r#""""#),
            one(r#"{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#)),
        case(ImproveIpRange, I, cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.5/24"}}"#),
            "Statement[0].Condition.IpAddress.aws:SourceIp", Some(r#""203.0.113.5/24""#),
            cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.5/32"}}"#)),
        case(NullWithQualifier, I, cond(r#""s3:GetObject""#, r#"{"ForAllValues:Null": {"aws:TagKeys": "true"}}"#),
            "Statement[0].Condition.{ForAllValues:Null}", Some(r#""ForAllValues:Null""#),
            cond(r#""s3:GetObject""#, r#"{"Null": {"aws:TagKeys": "true"}}"#)),
        case(PrivateIpAddressSubset, I, cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}"#),
            "Statement[0].Condition.IpAddress.{aws:SourceIp}", Some(r#""aws:SourceIp""#),
            cond(r#""s3:GetObject""#, r#"{"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "203.0.113.0/24"]}}"#)),
        case(PrivateNotIpAddressSubset, I, cond(r#""s3:GetObject""#, r#"{"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}"#),
            "Statement[0].Condition.NotIpAddress.{aws:SourceIp}", Some(r#""aws:SourceIp""#),
            cond(r#""s3:GetObject""#, r#"{"NotIpAddress": {"aws:SourceIp": ["198.51.100.0/24", "203.0.113.0/24"]}}"#)),
        case(RedundantAction, I, allow(r#"["s3:GetObject", "s3:Get*"]"#, r#""*""#), "Statement[0].Action[0]", Some(r#""s3:GetObject""#),
            allow(r#"["s3:GetObject", "s3:Put*"]"#, r#""*""#)),
        case(RedundantConditionValueNum, I, cond(r#""s3:ListBucket""#, r#"{"NumericLessThan": {"s3:max-keys": ["10", "20"]}}"#),
            "Statement[0].Condition.NumericLessThan.s3:max-keys[0]", Some(r#""10""#),
            cond(r#""s3:ListBucket""#, r#"{"NumericLessThan": {"s3:max-keys": ["20"]}}"#)),
        case(RedundantResource, I, allow(r#""s3:GetObject""#, r#"["arn:aws:s3:::b/reports/x", "arn:aws:s3:::b/*"]"#),
            "Statement[0].Resource[0]", Some(r#""arn:aws:s3:::b/reports/x""#),
            allow(r#""s3:GetObject""#, r#"["arn:aws:s3:::c/reports/x", "arn:aws:s3:::b/*"]"#)),
        case(RedundantStatement, I,
            many(&[r#"{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#, r#"{"Sid": "B", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#]),
            "Statement[1]", Some(r#"{"Sid": "B", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#),
            many(&[r#"{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#, r#"{"Sid": "B", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}"#])),
        case(WildcardInServiceName, I, allow(r#""s*:GetObject""#, r#""*""#), "Statement[0].Action", Some(r#""s*:GetObject""#),
            allow(r#""s3:GetObject""#, r#""*""#)),
        case(AllowWithUnsupportedTagConditionKeyForService, I,
            cond(r#"["ec2:StartInstances", "sts:GetCallerIdentity"]"#, r#"{"StringEquals": {"aws:ResourceTag/team": "red"}}"#),
            "Statement[0].Condition.StringEquals.{aws:ResourceTag/team}", Some(r#""aws:ResourceTag/team""#),
            cond(r#"["ec2:StartInstances", "ec2:StopInstances"]"#, r#"{"StringEquals": {"aws:ResourceTag/team": "red"}}"#)),
        case(AllowNotactionWithUnsupportedTagConditionKeyForService, I,
            one(r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "red"}}}"#),
            "Statement[0].Condition.StringEquals.{aws:ResourceTag/team}", Some(r#""aws:ResourceTag/team""#),
            one(r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Condition": {"StringEqualsIfExists": {"aws:ResourceTag/team": "red"}}}"#)),
        case(RecommendedConditionKeyForServicePrincipal, R,
            res(r#"{"Service": "sns.amazonaws.com"}"#, r#""sqs:SendMessage""#, r#", "Resource": "arn:aws:sqs:us-east-1:123456789012:q", "Condition": {"Bool": {"aws:SecureTransport": "true"}}"#),
            "Statement[0].Principal.Service", Some(r#""sns.amazonaws.com""#),
            res(r#"{"Service": "sns.amazonaws.com"}"#, r#""sqs:SendMessage""#, r#", "Resource": "arn:aws:sqs:us-east-1:123456789012:q", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}"#)),
        case(IrrelevantConditionKeyInPolicy, B, res(acct, r#""s3:GetObject""#, r#", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"s3:ResourceAccount": "123456789012"}}"#),
            "Statement[0].Condition.StringEquals.{s3:ResourceAccount}", Some(r#""s3:ResourceAccount""#),
            res(acct, r#""s3:GetObject""#, r#", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}"#)),
        case(RedundantPrincipalInRoleTrustPolicy, T,
            trust(r#"{"AWS": ["arn:aws:iam::123456789012:role/app", "arn:aws:sts::123456789012:assumed-role/app/session"]}"#, r#""sts:AssumeRole""#, ""),
            "Statement[0].Principal.AWS[1]", Some(r#""arn:aws:sts::123456789012:assumed-role/app/session""#),
            trust(r#"{"AWS": ["arn:aws:iam::123456789012:role/app", "arn:aws:sts::123456789012:assumed-role/other/session"]}"#, r#""sts:AssumeRole""#, "")),
        case(ConfirmAudienceClaimType, T,
            trust(r#"{"Federated": "accounts.google.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#", "Condition": {"ForAnyValue:StringEquals": {"accounts.google.com:aud": "my-app"}}"#),
            "Statement[0].Condition.ForAnyValue:StringEquals.{accounts.google.com:aud}", Some(r#""accounts.google.com:aud""#),
            trust(r#"{"Federated": "accounts.google.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#", "Condition": {"StringEquals": {"accounts.google.com:aud": "my-app"}}"#)),
    ]
}

/// An identity statement allowing everything but `not_action` on `resource`.
fn allow_not(not_action: &str, resource: &str) -> String {
    one(&format!(
        r#"{{"Effect": "Allow", "NotAction": {not_action}, "Resource": {resource}}}"#
    ))
}

fn accounts(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "\"arn:aws:iam::{:012}:root\"",
                100_000_000_000u64 + i as u64
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(r: &Report) -> String {
    r.findings
        .iter()
        .map(|f| {
            format!(
                "{} {} at {}: {}",
                f.finding_type,
                f.issue_code,
                f.locations
                    .first()
                    .map(|l| l.path_string())
                    .unwrap_or_default(),
                f.finding_details
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_issue_code_fires_at_its_location_and_its_near_miss_does_not() {
    let cases = cases();
    let mut failures = Vec::new();
    for c in &cases {
        let report = validate(&c.fires, &c.opts);
        let found: Vec<_> = report.with_code(c.code).collect();
        match found.first() {
            None => failures.push(format!(
                "{}: did not fire; findings:\n{}",
                c.code,
                describe(&report)
            )),
            Some(f) => {
                assert_eq!(f.finding_type, c.code.finding_type());
                assert_eq!(f.learn_more_link, c.code.learn_more_link());
                assert!(!f.finding_details.is_empty());
                let loc = &f.locations[0];
                if loc.path_string() != c.path {
                    failures.push(format!(
                        "{}: path `{}`, expected `{}`",
                        c.code,
                        loc.path_string(),
                        c.path
                    ));
                }
                let text = &c.fires[loc.span.start.offset..loc.span.end.offset];
                let want = c.token.unwrap_or(c.fires.as_str());
                if text != want {
                    failures.push(format!("{}: token `{text}`, expected `{want}`", c.code));
                }
                // Lines and columns agree with the offset (the policies are ASCII).
                let before = &c.fires[..loc.span.start.offset];
                let line = 1 + before.matches('\n').count();
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
                assert_eq!(
                    (loc.span.start.line as usize, loc.span.start.column as usize),
                    (line, column),
                    "{}",
                    c.code
                );
            }
        }
        let near = validate(&c.near, &c.opts);
        if near.with_code(c.code).next().is_some() {
            failures.push(format!(
                "{}: the near miss fires too:\n{}",
                c.code,
                describe(&near)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // One case per code, and a case for every code.
    for code in IssueCode::ALL {
        let n = cases.iter().filter(|c| c.code == *code).count();
        assert_eq!(n, 1, "{code} has {n} cases");
    }
    assert_eq!(cases.len(), IssueCode::ALL.len());
}

#[test]
fn the_catalogue_has_over_a_hundred_codes_of_every_type() {
    use perimeter::validate::FindingType;
    assert!(IssueCode::ALL.len() >= 100, "{}", IssueCode::ALL.len());
    for t in FindingType::ALL {
        assert!(IssueCode::ALL.iter().any(|c| c.finding_type() == t), "{t}");
    }
    // The pre-September-2025 SCP restrictions are gone; principals are still errors.
    for retired in [
        "SCP_SYNTAX_ERROR_ACTION_WILDCARD",
        "SCP_SYNTAX_ERROR_ALLOW_CONDITION",
        "SCP_SYNTAX_ERROR_ALLOW_NOTACTION",
        "SCP_SYNTAX_ERROR_ALLOW_RESOURCE",
        "SCP_SYNTAX_ERROR_NOTRESOURCE",
    ] {
        assert_eq!(IssueCode::from_name(retired), None);
    }
    let scp = one(
        r#"{"Effect": "Allow", "NotAction": "s3:Get*Object", "NotResource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}"#,
    );
    let r = validate(&scp, &S);
    assert!(!r.has_blocking_findings(), "{}", describe(&r));
}
