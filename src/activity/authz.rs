//! `aws iam get-account-authorization-details` output: users, groups, roles, managed policies.
//!
//! Read leniently, as real exports have quirks: an object where a list is expected (the AWS CLI
//! documentation example has `AttachedManagedPolicies` as an object), policy documents as
//! URL-encoded strings (the raw API form), dates with `Z` or `+00:00`, several pages as a JSON
//! array. Policy documents are kept as JSON values.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::time::Timestamp;

/// Why an export could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationError {
    message: String,
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AuthorizationError {}

/// An inline policy: a name and its document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InlinePolicy {
    /// `PolicyName`.
    pub name: String,
    /// `PolicyDocument`, decoded.
    pub document: Value,
}

/// A managed policy attached to a user, group or role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachedPolicy {
    /// `PolicyName`.
    pub name: String,
    /// `PolicyArn`.
    pub arn: String,
}

/// An IAM user.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// `UserName`.
    pub name: String,
    /// `UserId`.
    pub id: String,
    /// `Arn`.
    pub arn: String,
    /// `Path`.
    pub path: String,
    /// `CreateDate`.
    pub created: Option<Timestamp>,
    /// `GroupList`: group names.
    pub groups: Vec<String>,
    /// `UserPolicyList`.
    pub inline_policies: Vec<InlinePolicy>,
    /// `AttachedManagedPolicies`.
    pub attached_policies: Vec<AttachedPolicy>,
    /// `PermissionsBoundary.PermissionsBoundaryArn`.
    pub permissions_boundary: Option<String>,
    /// `Tags`, as a map.
    pub tags: BTreeMap<String, String>,
}

/// An IAM group.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// `GroupName`.
    pub name: String,
    /// `GroupId`.
    pub id: String,
    /// `Arn`.
    pub arn: String,
    /// `Path`.
    pub path: String,
    /// `GroupPolicyList`.
    pub inline_policies: Vec<InlinePolicy>,
    /// `AttachedManagedPolicies`.
    pub attached_policies: Vec<AttachedPolicy>,
}

/// An IAM role.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    /// `RoleName`.
    pub name: String,
    /// `RoleId`.
    pub id: String,
    /// `Arn`.
    pub arn: String,
    /// `Path`.
    pub path: String,
    /// `CreateDate`.
    pub created: Option<Timestamp>,
    /// `AssumeRolePolicyDocument`, decoded.
    pub trust_policy: Option<Value>,
    /// `RolePolicyList`.
    pub inline_policies: Vec<InlinePolicy>,
    /// `AttachedManagedPolicies`.
    pub attached_policies: Vec<AttachedPolicy>,
    /// `PermissionsBoundary.PermissionsBoundaryArn`.
    pub permissions_boundary: Option<String>,
    /// `RoleLastUsed.LastUsedDate`.
    pub last_used: Option<Timestamp>,
    /// `RoleLastUsed.Region`.
    pub last_used_region: Option<String>,
    /// `Tags`, as a map.
    pub tags: BTreeMap<String, String>,
}

impl Role {
    /// Whether this is a service-linked role (path `/aws-service-role/`), which AWS manages
    /// and Access Analyzer does not report as unused.
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

/// A managed policy with its default version's document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedPolicy {
    /// `PolicyName`.
    pub name: String,
    /// `PolicyId`.
    pub id: String,
    /// `Arn`.
    pub arn: String,
    /// `Path`.
    pub path: String,
    /// `DefaultVersionId`.
    pub default_version: Option<String>,
    /// The document of the default version (`IsDefaultVersion`, else the version named by
    /// `DefaultVersionId`), decoded; `None` when the export does not have it.
    pub document: Option<Value>,
    /// `UpdateDate`.
    pub updated: Option<Timestamp>,
}

impl ManagedPolicy {
    /// Whether AWS manages this policy (`arn:aws:iam::aws:policy/…`).
    pub fn is_aws_managed(&self) -> bool {
        is_aws_managed_arn(&self.arn)
    }
}

/// Whether a policy ARN names an AWS managed policy (account `aws`).
pub fn is_aws_managed_arn(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

/// The content of `get-account-authorization-details` output (one or several pages).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationDetails {
    /// `UserDetailList`.
    pub users: Vec<User>,
    /// `GroupDetailList`.
    pub groups: Vec<Group>,
    /// `RoleDetailList`.
    pub roles: Vec<Role>,
    /// `Policies`.
    pub policies: Vec<ManagedPolicy>,
    /// Entries that were skipped, with the reason (`RoleDetailList[3]: no RoleName`).
    pub skipped: Vec<String>,
}

/// Where a policy that applies to a principal comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum PolicySource {
    /// An inline policy of the principal itself.
    Inline {
        /// The policy name.
        name: String,
    },
    /// A managed policy attached to the principal.
    Managed {
        /// The policy ARN.
        arn: String,
    },
    /// An inline policy of a group the user is in.
    GroupInline {
        /// The group name.
        group: String,
        /// The policy name.
        name: String,
    },
    /// A managed policy attached to a group the user is in.
    GroupManaged {
        /// The group name.
        group: String,
        /// The policy ARN.
        arn: String,
    },
}

impl PolicySource {
    /// A short identifier: the policy ARN for managed policies, the policy name otherwise
    /// (Access Analyzer's `existingPolicyId`).
    pub fn id(&self) -> &str {
        match self {
            PolicySource::Inline { name } | PolicySource::GroupInline { name, .. } => name,
            PolicySource::Managed { arn } | PolicySource::GroupManaged { arn, .. } => arn,
        }
    }
}

/// A policy that applies to a principal, with its document when the export has it.
#[derive(Clone, Debug, PartialEq)]
pub struct AppliedPolicy<'a> {
    /// Where it comes from.
    pub source: PolicySource,
    /// The document (`None`: a managed policy the export does not include).
    pub document: Option<&'a Value>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn date(v: &Value, key: &str) -> Option<Timestamp> {
    v.get(key)
        .and_then(Value::as_str)
        .and_then(|s| Timestamp::parse(s).ok())
}

/// A list, or a lone object taken as a one-element list (a quirk of real exports).
fn list<'v>(v: &'v Value, key: &str) -> Vec<&'v Value> {
    match v.get(key) {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => Vec::new(),
    }
}

/// A policy document: an object, or a string holding JSON, URL-encoded or not (the raw IAM
/// API returns documents URL-encoded; the AWS CLI decodes them).
pub fn decode_document(v: &Value) -> Option<Value> {
    match v {
        Value::Object(_) => Some(v.clone()),
        Value::String(s) => serde_json::from_str(s)
            .ok()
            .or_else(|| serde_json::from_str(&percent_decode(s)?).ok())
            .filter(Value::is_object),
        _ => None,
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn inline(v: &Value, key: &str) -> Vec<InlinePolicy> {
    list(v, key)
        .into_iter()
        .filter_map(|p| {
            Some(InlinePolicy {
                name: text(p, "PolicyName")?,
                document: p.get("PolicyDocument").and_then(decode_document)?,
            })
        })
        .collect()
}

fn attached(v: &Value) -> Vec<AttachedPolicy> {
    list(v, "AttachedManagedPolicies")
        .into_iter()
        .filter_map(|p| {
            let arn = text(p, "PolicyArn")?;
            let name = text(p, "PolicyName")
                .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_owned());
            Some(AttachedPolicy { name, arn })
        })
        .collect()
}

fn tags(v: &Value) -> BTreeMap<String, String> {
    list(v, "Tags")
        .into_iter()
        .filter_map(|t| Some((text(t, "Key")?, text(t, "Value").unwrap_or_default())))
        .collect()
}

fn boundary(v: &Value) -> Option<String> {
    v.get("PermissionsBoundary")
        .and_then(|b| b.get("PermissionsBoundaryArn"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

impl AuthorizationDetails {
    /// Reads the JSON text of one export, or of a JSON array of pages.
    ///
    /// # Errors
    /// When the text is not JSON, or not an object (or array of objects) with at least one of
    /// `UserDetailList`, `GroupDetailList`, `RoleDetailList`, `Policies`.
    ///
    /// ```
    /// use perimeter::activity::AuthorizationDetails;
    /// let d = AuthorizationDetails::parse(r#"{"RoleDetailList": [{"RoleName": "app", "RoleId": "AROAEXAMPLE",
    ///   "Arn": "arn:aws:iam::111122223333:role/app", "Path": "/", "RolePolicyList": [],
    ///   "AttachedManagedPolicies": {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
    ///   "RoleLastUsed": {"LastUsedDate": "2024-05-01T10:00:00+00:00", "Region": "us-east-1"}}]}"#)?;
    /// assert_eq!(d.roles[0].attached_policies[0].name, "ReadOnlyAccess");
    /// assert_eq!(d.roles[0].last_used.unwrap().to_string(), "2024-05-01T10:00:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str) -> Result<AuthorizationDetails, AuthorizationError> {
        let value: Value = serde_json::from_str(text).map_err(|e| AuthorizationError {
            message: format!("the authorization details are not JSON: {e}"),
        })?;
        Self::from_value(&value)
    }

    /// Reads an export already parsed as JSON.
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    pub fn from_value(value: &Value) -> Result<AuthorizationDetails, AuthorizationError> {
        let pages: Vec<&Value> = match value {
            Value::Array(pages) => pages.iter().collect(),
            v => vec![v],
        };
        let keys = [
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
        ];
        let mut out = AuthorizationDetails::default();
        let mut any = false;
        for (i, page) in pages.iter().enumerate() {
            if !page.is_object() || !keys.iter().any(|k| page.get(k).is_some()) {
                return Err(AuthorizationError {
                    message: format!(
                        "{}is not `get-account-authorization-details` output (no `UserDetailList`, `GroupDetailList`, `RoleDetailList` or `Policies`)",
                        if pages.len() > 1 { format!("page {i} ") } else { String::new() }
                    ),
                });
            }
            any = true;
            out.read_page(page);
        }
        if !any {
            return Err(AuthorizationError {
                message: "the authorization details are an empty list of pages".to_owned(),
            });
        }
        Ok(out)
    }

    fn read_page(&mut self, page: &Value) {
        for (i, u) in list(page, "UserDetailList").into_iter().enumerate() {
            let (Some(name), Some(arn)) = (text(u, "UserName"), text(u, "Arn")) else {
                self.skipped
                    .push(format!("UserDetailList[{i}]: no `UserName` or `Arn`"));
                continue;
            };
            let groups = match u.get("GroupList") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|g| g.as_str().map(str::to_owned))
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            };
            self.users.push(User {
                name,
                id: text(u, "UserId").unwrap_or_default(),
                arn,
                path: text(u, "Path").unwrap_or_else(|| "/".to_owned()),
                created: date(u, "CreateDate"),
                groups,
                inline_policies: inline(u, "UserPolicyList"),
                attached_policies: attached(u),
                permissions_boundary: boundary(u),
                tags: tags(u),
            });
        }
        for (i, g) in list(page, "GroupDetailList").into_iter().enumerate() {
            let (Some(name), Some(arn)) = (text(g, "GroupName"), text(g, "Arn")) else {
                self.skipped
                    .push(format!("GroupDetailList[{i}]: no `GroupName` or `Arn`"));
                continue;
            };
            self.groups.push(Group {
                name,
                id: text(g, "GroupId").unwrap_or_default(),
                arn,
                path: text(g, "Path").unwrap_or_else(|| "/".to_owned()),
                inline_policies: inline(g, "GroupPolicyList"),
                attached_policies: attached(g),
            });
        }
        for (i, r) in list(page, "RoleDetailList").into_iter().enumerate() {
            let (Some(name), Some(arn)) = (text(r, "RoleName"), text(r, "Arn")) else {
                self.skipped
                    .push(format!("RoleDetailList[{i}]: no `RoleName` or `Arn`"));
                continue;
            };
            let last = r.get("RoleLastUsed");
            self.roles.push(Role {
                name,
                id: text(r, "RoleId").unwrap_or_default(),
                arn,
                path: text(r, "Path")
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| "/".to_owned()),
                created: date(r, "CreateDate"),
                trust_policy: r.get("AssumeRolePolicyDocument").and_then(decode_document),
                inline_policies: inline(r, "RolePolicyList"),
                attached_policies: attached(r),
                permissions_boundary: boundary(r),
                last_used: last.and_then(|l| date(l, "LastUsedDate")),
                last_used_region: last.and_then(|l| text(l, "Region")),
                tags: tags(r),
            });
        }
        for (i, p) in list(page, "Policies").into_iter().enumerate() {
            let (Some(name), Some(arn)) = (text(p, "PolicyName"), text(p, "Arn")) else {
                self.skipped
                    .push(format!("Policies[{i}]: no `PolicyName` or `Arn`"));
                continue;
            };
            let default_version = text(p, "DefaultVersionId");
            let versions = list(p, "PolicyVersionList");
            let chosen = versions
                .iter()
                .find(|v| v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true))
                .or_else(|| {
                    versions.iter().find(|v| {
                        default_version.is_some() && text(v, "VersionId") == default_version
                    })
                })
                .or_else(|| (versions.len() == 1).then(|| versions.first()).flatten());
            self.policies.push(ManagedPolicy {
                name,
                id: text(p, "PolicyId").unwrap_or_default(),
                arn,
                path: text(p, "Path").unwrap_or_else(|| "/".to_owned()),
                default_version,
                document: chosen
                    .and_then(|v| v.get("Document"))
                    .and_then(decode_document),
                updated: date(p, "UpdateDate"),
            });
        }
    }

    /// A managed policy by ARN.
    pub fn policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.policies.iter().find(|p| p.arn == arn)
    }

    /// A group by name.
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// A role by ARN, with or without path, or a role session ARN: matched by account and
    /// name, since a role's name is unique in its account.
    pub fn role(&self, arn: &str) -> Option<&Role> {
        let key = super::PrincipalRef::from_arn(arn)?.key;
        self.roles
            .iter()
            .find(|r| super::PrincipalRef::from_arn(&r.arn).is_some_and(|p| p.key == key))
    }

    /// A user by ARN, with or without path.
    pub fn user(&self, arn: &str) -> Option<&User> {
        let key = super::PrincipalRef::from_arn(arn)?.key;
        self.users
            .iter()
            .find(|u| super::PrincipalRef::from_arn(&u.arn).is_some_and(|p| p.key == key))
    }

    /// The identity-based policies of a user: its own, then its groups'.
    pub fn user_policies<'a>(&'a self, user: &'a User) -> Vec<AppliedPolicy<'a>> {
        let mut out: Vec<AppliedPolicy<'a>> = user
            .inline_policies
            .iter()
            .map(|p| AppliedPolicy {
                source: PolicySource::Inline {
                    name: p.name.clone(),
                },
                document: Some(&p.document),
            })
            .collect();
        for a in &user.attached_policies {
            out.push(AppliedPolicy {
                source: PolicySource::Managed { arn: a.arn.clone() },
                document: self.policy(&a.arn).and_then(|p| p.document.as_ref()),
            });
        }
        for g in user.groups.iter().filter_map(|g| self.group(g)) {
            for p in &g.inline_policies {
                out.push(AppliedPolicy {
                    source: PolicySource::GroupInline {
                        group: g.name.clone(),
                        name: p.name.clone(),
                    },
                    document: Some(&p.document),
                });
            }
            for a in &g.attached_policies {
                out.push(AppliedPolicy {
                    source: PolicySource::GroupManaged {
                        group: g.name.clone(),
                        arn: a.arn.clone(),
                    },
                    document: self.policy(&a.arn).and_then(|p| p.document.as_ref()),
                });
            }
        }
        out
    }

    /// The identity-based policies of a role.
    pub fn role_policies<'a>(&'a self, role: &'a Role) -> Vec<AppliedPolicy<'a>> {
        let mut out: Vec<AppliedPolicy<'a>> = role
            .inline_policies
            .iter()
            .map(|p| AppliedPolicy {
                source: PolicySource::Inline {
                    name: p.name.clone(),
                },
                document: Some(&p.document),
            })
            .collect();
        for a in &role.attached_policies {
            out.push(AppliedPolicy {
                source: PolicySource::Managed { arn: a.arn.clone() },
                document: self.policy(&a.arn).and_then(|p| p.document.as_ref()),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_in_every_form() {
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": []});
        assert_eq!(decode_document(&doc), Some(doc.clone()));
        assert_eq!(
            decode_document(&Value::String(doc.to_string())),
            Some(doc.clone())
        );
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            decode_document(&Value::String(encoded.to_owned())),
            Some(doc)
        );
        assert_eq!(decode_document(&Value::String("%ZZ".to_owned())), None);
        assert_eq!(decode_document(&Value::Null), None);
    }

    #[test]
    fn not_an_export() {
        let e = AuthorizationDetails::parse("{\"Roles\": []}").unwrap_err();
        assert_eq!(e.to_string(), "is not `get-account-authorization-details` output (no `UserDetailList`, `GroupDetailList`, `RoleDetailList` or `Policies`)");
        let e = AuthorizationDetails::parse("{").unwrap_err();
        assert!(e
            .to_string()
            .starts_with("the authorization details are not JSON: "));
    }

    #[test]
    fn pages_are_joined_and_bad_entries_skipped() {
        let d = AuthorizationDetails::parse(r#"[{"UserDetailList": [{"UserName": "a", "Arn": "arn:aws:iam::111122223333:user/a"}, {"UserName": "b"}]},
            {"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/x/r", "Path": "/x/"}], "Policies": []}]"#).unwrap();
        assert_eq!(d.users.len(), 1);
        assert_eq!(d.roles.len(), 1);
        assert_eq!(d.skipped, ["UserDetailList[1]: no `UserName` or `Arn`"]);
        assert!(d
            .role("arn:aws:sts::111122223333:assumed-role/r/s")
            .is_some());
        assert!(d.user("arn:aws:iam::111122223333:user/other/a").is_some());
    }
}
