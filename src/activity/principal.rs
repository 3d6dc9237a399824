//! Who made a call: CloudTrail's `userIdentity` → the IAM user, role or root it counts for.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of IAM principal that activity is attributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKind {
    /// An IAM user (`arn:aws:iam::111122223333:user/name`).
    User,
    /// An IAM role (`arn:aws:iam::111122223333:role/name`); its sessions count for it.
    Role,
    /// The account root user (`arn:aws:iam::111122223333:root`).
    Root,
}

impl fmt::Display for PrincipalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
            PrincipalKind::Root => "root",
        })
    }
}

/// An IAM principal named the way activity is keyed: the ARN without the path
/// (`arn:aws:iam::111122223333:role/name`), since a name is unique in its account whatever its
/// path, and CloudTrail does not always show the path (a role session's ARN never does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalRef {
    /// The path-less ARN, the key of [`super::ActivitySummary`].
    pub key: String,
    /// What kind of principal it is.
    pub kind: PrincipalKind,
    /// The path (`/service-role/`) when the source showed it.
    pub path: Option<String>,
}

/// The parts of an ARN: partition, service, region, account, resource.
pub(crate) fn split_arn(arn: &str) -> Option<[&str; 5]> {
    let rest = arn.strip_prefix("arn:")?;
    let mut it = rest.splitn(5, ':');
    let partition = it.next()?;
    let service = it.next()?;
    let region = it.next()?;
    let account = it.next()?;
    let resource = it.next()?;
    if partition.is_empty() || service.is_empty() {
        return None;
    }
    Some([partition, service, region, account, resource])
}

fn valid_account(account: &str) -> bool {
    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) || account == "aws"
    // quirk seen in real exports of demo accounts
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 128
}

impl PrincipalRef {
    /// Reads an IAM user, role or root ARN (`arn:aws:iam::111122223333:role/path/name`). Role
    /// session ARNs (`arn:aws:sts::111122223333:assumed-role/name/session`) give the role.
    /// `None` for anything else.
    ///
    /// ```
    /// use perimeter::activity::{PrincipalKind, PrincipalRef};
    /// let p = PrincipalRef::from_arn("arn:aws:iam::111122223333:role/service-role/level1").unwrap();
    /// assert_eq!(p.key, "arn:aws:iam::111122223333:role/level1");
    /// assert_eq!(p.path.as_deref(), Some("/service-role/"));
    /// let s = PrincipalRef::from_arn("arn:aws:sts::111122223333:assumed-role/level1/session").unwrap();
    /// assert_eq!((s.key.as_str(), s.kind, s.path), ("arn:aws:iam::111122223333:role/level1", PrincipalKind::Role, None));
    /// ```
    pub fn from_arn(arn: &str) -> Option<PrincipalRef> {
        let [partition, service, _region, account, resource] = split_arn(arn)?;
        if !valid_account(account) {
            return None;
        }
        if resource == "root" && service == "iam" {
            return Some(PrincipalRef {
                key: format!("arn:{partition}:iam::{account}:root"),
                kind: PrincipalKind::Root,
                path: None,
            });
        }
        let (kind_text, rest) = resource.split_once('/')?;
        match (service, kind_text) {
            ("iam", "user" | "role") => {
                let (path, name) = match rest.rfind('/') {
                    Some(i) => (rest.get(..=i)?, rest.get(i + 1..)?),
                    None => ("", rest),
                };
                if !valid_name(name) {
                    return None;
                }
                let path = format!("/{path}");
                Some(PrincipalRef {
                    key: format!("arn:{partition}:iam::{account}:{kind_text}/{name}"),
                    kind: if kind_text == "user" {
                        PrincipalKind::User
                    } else {
                        PrincipalKind::Role
                    },
                    path: Some(path),
                })
            }
            ("sts" | "iam", "assumed-role") => {
                let (name, _session) = rest.split_once('/')?;
                if !valid_name(name) {
                    return None;
                }
                Some(PrincipalRef {
                    key: format!("arn:{partition}:iam::{account}:role/{name}"),
                    kind: PrincipalKind::Role,
                    path: None,
                })
            }
            _ => None,
        }
    }

    /// The ARN with the path when it is known (`arn:aws:iam::111122223333:role/service-role/x`),
    /// else the key.
    pub fn arn(&self) -> String {
        full_arn(&self.key, self.path.as_deref())
    }
}

/// Puts `path` back into a path-less key.
pub(crate) fn full_arn(key: &str, path: Option<&str>) -> String {
    match (path, key.rsplit_once(':')) {
        (Some(path), Some((head, res))) if path.len() > 1 => match res.split_once('/') {
            Some((kind, name)) => format!("{head}:{kind}{path}{name}"),
            None => key.to_owned(),
        },
        _ => key.to_owned(),
    }
}

/// The fields of `userIdentity` that attribution reads.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct IdentityFields<'a> {
    pub(crate) kind: Option<&'a str>,
    pub(crate) arn: Option<&'a str>,
    pub(crate) account_id: Option<&'a str>,
    pub(crate) user_name: Option<&'a str>,
    pub(crate) issuer_kind: Option<&'a str>,
    pub(crate) issuer_arn: Option<&'a str>,
}

/// Attributes a call to an IAM principal of the recording account, following the CloudTrail
/// `userIdentity` element (CloudTrail User Guide, "CloudTrail userIdentity element"):
///
/// - `IAMUser`: the user (`arn`, else `accountId` + `userName` with the path unknown);
/// - `AssumedRole`: the role that issued the session (`sessionContext.sessionIssuer.arn`, which
///   has the path; else the role named in the session ARN);
/// - `Root`: the root user;
/// - `FederatedUser`: the IAM user that called `GetFederationToken` (the session issuer), whose
///   permissions the session uses;
/// - anything else (`AWSService`, `AWSAccount`, `WebIdentityUser`, `SAMLUser`, `Unknown`, …):
///   nobody, as these are not IAM users or roles of the account.
pub(crate) fn attribute(id: &IdentityFields<'_>) -> Option<PrincipalRef> {
    match id.kind? {
        "IAMUser" => match id.arn.and_then(PrincipalRef::from_arn) {
            Some(p) if p.kind == PrincipalKind::User => Some(p),
            Some(_) => None,
            None => {
                let account = id.account_id.filter(|a| valid_account(a))?;
                let name = id.user_name.filter(|n| valid_name(n) && !n.contains('/'))?;
                if name == "HIDDEN_DUE_TO_SECURITY_REASONS" {
                    return None;
                }
                let partition = id.arn.and_then(split_arn).map_or("aws", |[p, ..]| p);
                Some(PrincipalRef {
                    key: format!("arn:{partition}:iam::{account}:user/{name}"),
                    kind: PrincipalKind::User,
                    path: None,
                })
            }
        },
        "Root" => {
            if let Some(p) = id.arn.and_then(PrincipalRef::from_arn) {
                return (p.kind == PrincipalKind::Root).then_some(p);
            }
            let account = id.account_id.filter(|a| valid_account(a))?;
            Some(PrincipalRef {
                key: format!("arn:aws:iam::{account}:root"),
                kind: PrincipalKind::Root,
                path: None,
            })
        }
        "AssumedRole" => {
            let issuer = id
                .issuer_arn
                .filter(|_| id.issuer_kind.is_none_or(|k| k == "Role"))
                .and_then(PrincipalRef::from_arn)
                .filter(|p| p.kind == PrincipalKind::Role);
            issuer.or_else(|| {
                id.arn
                    .and_then(PrincipalRef::from_arn)
                    .filter(|p| p.kind == PrincipalKind::Role)
            })
        }
        "FederatedUser" => id
            .issuer_arn
            .and_then(PrincipalRef::from_arn)
            .filter(|p| p.kind == PrincipalKind::User),
        _ => None,
    }
}

/// Whether an access key id is a long-term key of an IAM user or the root user (`AKIA…`), not
/// temporary credentials (`ASIA…`) (IAM User Guide, "IAM identifiers", unique ID prefixes).
pub(crate) fn is_long_term_key(id: &str) -> bool {
    id.len() >= 16
        && id.len() <= 128
        && id.starts_with("AKIA")
        && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<'a>(kind: &'a str, arn: Option<&'a str>) -> IdentityFields<'a> {
        IdentityFields {
            kind: Some(kind),
            arn,
            ..IdentityFields::default()
        }
    }

    #[test]
    fn users_roles_root() {
        let u = attribute(&id(
            "IAMUser",
            Some("arn:aws:iam::111122223333:user/team/alice"),
        ))
        .unwrap();
        assert_eq!(u.key, "arn:aws:iam::111122223333:user/alice");
        assert_eq!(u.path.as_deref(), Some("/team/"));
        assert_eq!(u.arn(), "arn:aws:iam::111122223333:user/team/alice");
        let r = attribute(&IdentityFields {
            issuer_arn: Some("arn:aws:iam::653711331788:role/service-role/level1"),
            issuer_kind: Some("Role"),
            ..id(
                "AssumedRole",
                Some("arn:aws:sts::653711331788:assumed-role/level1/level1"),
            )
        })
        .unwrap();
        assert_eq!(r.key, "arn:aws:iam::653711331788:role/level1");
        assert_eq!(
            r.arn(),
            "arn:aws:iam::653711331788:role/service-role/level1"
        );
        let r2 = attribute(&id(
            "AssumedRole",
            Some("arn:aws-cn:sts::653711331788:assumed-role/level1/x"),
        ))
        .unwrap();
        assert_eq!(
            (r2.key.as_str(), r2.path),
            ("arn:aws-cn:iam::653711331788:role/level1", None)
        );
        let root = attribute(&IdentityFields {
            account_id: Some("111122223333"),
            ..id("Root", None)
        })
        .unwrap();
        assert_eq!(root.key, "arn:aws:iam::111122223333:root");
        let by_name = attribute(&IdentityFields {
            account_id: Some("111122223333"),
            user_name: Some("bob"),
            ..id("IAMUser", None)
        })
        .unwrap();
        assert_eq!(
            (by_name.key.as_str(), by_name.path),
            ("arn:aws:iam::111122223333:user/bob", None)
        );
    }

    #[test]
    fn federated_users_count_for_their_issuer() {
        let f = attribute(&IdentityFields {
            issuer_arn: Some("arn:aws:iam::111122223333:user/alice"),
            issuer_kind: Some("IAMUser"),
            ..id(
                "FederatedUser",
                Some("arn:aws:sts::111122223333:federated-user/x"),
            )
        })
        .unwrap();
        assert_eq!(f.key, "arn:aws:iam::111122223333:user/alice");
        assert!(attribute(&id(
            "FederatedUser",
            Some("arn:aws:sts::111122223333:federated-user/x")
        ))
        .is_none());
    }

    #[test]
    fn others_are_nobody() {
        for kind in [
            "AWSService",
            "AWSAccount",
            "Unknown",
            "WebIdentityUser",
            "SAMLUser",
        ] {
            assert!(attribute(&id(kind, Some("arn:aws:iam::111122223333:user/a"))).is_none());
        }
        assert!(attribute(&id("IAMUser", Some("arn:aws:iam::111122223333:role/a"))).is_none());
        assert!(attribute(&id("IAMUser", Some("arn:aws:iam::1:user/a"))).is_none());
        assert!(PrincipalRef::from_arn("arn:aws:iam::111122223333:user/").is_none());
        assert!(PrincipalRef::from_arn("arn:aws:s3:::bucket/user/x").is_none());
    }

    #[test]
    fn keys() {
        assert!(is_long_term_key("AKIAIOSFODNN7EXAMPLE"));
        assert!(!is_long_term_key("ASIAZQNB3KHGIGYQXVVG"));
        assert!(!is_long_term_key("AKIA****************"));
    }
}
