//! The global condition keys (`aws:…`), which the service reference data does not list (only
//! `aws:RequestTag/${TagKey}`, `aws:ResourceTag/${TagKey}` and `aws:TagKeys` appear there, attached
//! to the actions and resource types that support them).
//!
//! Written from the IAM User Guide, "AWS global condition context keys"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>),
//! which gives each key a data type and says whether it is single- or multivalued. Multivalued
//! keys get the `ArrayOf…` type, as the service reference writes them. The two MCP keys come from
//! the AWS MCP Server documentation (May 2026), which adds them as global keys.

use super::types::ConditionKeyType;
use super::types::ConditionKeyType::*;

/// How a global key relates to actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Usable with every action (whether it is present depends on the request, not the action).
    Universal,
    /// Supported only by the actions and resource types the service reference attaches it to.
    PerAction,
}

pub(crate) struct GlobalKey {
    pub(crate) name: &'static str,
    pub(crate) ty: ConditionKeyType,
    pub(crate) scope: Scope,
}

const fn key(name: &'static str, ty: ConditionKeyType) -> GlobalKey {
    GlobalKey {
        name,
        ty,
        scope: Scope::Universal,
    }
}

const fn per_action(name: &'static str, ty: ConditionKeyType) -> GlobalKey {
    GlobalKey {
        name,
        ty,
        scope: Scope::PerAction,
    }
}

/// Every `aws:` key, in the order of the User Guide page's sections.
pub(crate) static GLOBAL_KEYS: &[GlobalKey] = &[
    // Properties of the principal.
    key("aws:PrincipalArn", Arn),
    key("aws:PrincipalAccount", String),
    key("aws:PrincipalOrgPaths", ArrayOfString),
    key("aws:PrincipalOrgID", String),
    key("aws:PrincipalTag/${TagKey}", String),
    key("aws:PrincipalIsAWSService", Bool),
    key("aws:PrincipalServiceName", String),
    key("aws:PrincipalServiceNamesList", ArrayOfString),
    key("aws:PrincipalType", String),
    key("aws:userid", String),
    key("aws:username", String),
    // Properties of a role session.
    key("aws:AssumedRoot", Bool),
    key("aws:FederatedProvider", String),
    key("aws:TokenIssueTime", Date),
    key("aws:MultiFactorAuthAge", Numeric),
    key("aws:MultiFactorAuthPresent", Bool),
    key("aws:ChatbotSourceArn", Arn),
    key("aws:Ec2InstanceSourceVpc", String),
    key("aws:Ec2InstanceSourcePrivateIPv4", IpAddress),
    key("aws:SourceIdentity", String),
    // Properties of the network.
    key("aws:SourceIp", IpAddress),
    key("aws:SourceVpc", String),
    key("aws:SourceVpcArn", Arn),
    key("aws:SourceVpce", String),
    key("aws:VpceAccount", String),
    key("aws:VpceOrgID", String),
    key("aws:VpceOrgPaths", ArrayOfString),
    key("aws:VpcSourceIp", IpAddress),
    // Properties of the resource.
    key("aws:ResourceAccount", String),
    key("aws:ResourceOrgID", String),
    key("aws:ResourceOrgPaths", ArrayOfString),
    per_action("aws:ResourceTag/${TagKey}", String),
    // Properties of the request.
    key("aws:CalledVia", ArrayOfString),
    key("aws:CalledViaFirst", String),
    key("aws:CalledViaLast", String),
    key("aws:ViaAWSService", Bool),
    key("aws:CurrentTime", Date),
    // Works with date and numeric operators; the page gives its type as Date.
    key("aws:EpochTime", Date),
    key("aws:referer", String),
    key("aws:RequestedRegion", String),
    per_action("aws:RequestTag/${TagKey}", String),
    per_action("aws:TagKeys", ArrayOfString),
    key("aws:SecureTransport", Bool),
    key("aws:SourceAccount", String),
    key("aws:SourceArn", Arn),
    key("aws:SourceOrgID", String),
    key("aws:SourceOrgPaths", ArrayOfString),
    key("aws:UserAgent", String),
    // Added with the AWS MCP Server (AWS MCP Server user guide, "IAM", 2026).
    key("aws:ViaAWSMCPService", Bool),
    key("aws:CalledViaAWSMCP", String),
];

/// Service-prefixed keys that the global keys page lists as available across services (set by
/// the service that created the credentials, not by the service called), so every action
/// supports them. Their types come from the service reference data.
pub(crate) static CROSS_SERVICE_KEYS: &[&str] = &[
    "ec2:RoleDelivery",
    "ec2:SourceInstanceArn",
    "glue:RoleAssumedBy",
    "glue:CredentialIssuingService",
    "lambda:SourceFunctionArn",
    "ssm:SourceInstanceArn",
    "identitystore:UserId",
    "codebuild:BuildArn",
    "codebuild:ProjectArn",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_multivalued_ones_are_the_documented_set() {
        let mut names: Vec<std::string::String> = GLOBAL_KEYS
            .iter()
            .map(|k| k.name.to_ascii_lowercase())
            .collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());

        let multi: Vec<&str> = GLOBAL_KEYS
            .iter()
            .filter(|k| k.ty.is_multivalued())
            .map(|k| k.name)
            .collect();
        // The keys the User Guide calls multivalued.
        assert_eq!(
            multi,
            [
                "aws:PrincipalOrgPaths",
                "aws:PrincipalServiceNamesList",
                "aws:VpceOrgPaths",
                "aws:ResourceOrgPaths",
                "aws:CalledVia",
                "aws:TagKeys",
                "aws:SourceOrgPaths"
            ]
        );
    }
}
