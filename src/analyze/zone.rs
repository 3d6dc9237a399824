//! The zone of trust: an account, or an organization, with optional extra trusted accounts.

use crate::error::{quote, Error, ErrorKind};
use crate::reason::formula::{ElemC, NodeId, Pred};
use crate::reason::lang::Lang;
use crate::reason::space::{Kind, Space, IAM_KINDS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An AWS organization, as far as the analysis needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// The organization id (`o-…`).
    pub id: String,
    /// Member accounts, each with its OU path (`o-…/r-…/ou-…/`); an empty path when unknown.
    #[serde(default)]
    pub accounts: BTreeMap<String, String>,
}

/// Who is trusted: findings are about access from outside this zone.
///
/// ```
/// use perimeter::analyze::ZoneOfTrust;
///
/// let zone = ZoneOfTrust::account("111122223333").with_trusted_account("444455556666");
/// assert!(zone.trusts_account("444455556666"));
/// assert!(!zone.trusts_account("999999999999"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneOfTrust {
    /// Trusted accounts (for an account zone, the owner's account).
    #[serde(default)]
    pub accounts: Vec<String>,
    /// The trusted organization, if the zone is an organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    /// S3 canonical user ids of trusted accounts (ACL grants to them are not external).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canonical_ids: Vec<String>,
}

impl ZoneOfTrust {
    /// A zone of one account.
    pub fn account(id: &str) -> ZoneOfTrust {
        ZoneOfTrust {
            accounts: vec![id.to_string()],
            organization: None,
            canonical_ids: Vec::new(),
        }
    }

    /// A zone of an organization.
    pub fn organization(org: Organization) -> ZoneOfTrust {
        ZoneOfTrust {
            accounts: Vec::new(),
            organization: Some(org),
            canonical_ids: Vec::new(),
        }
    }

    /// Also trust this account.
    pub fn with_trusted_account(mut self, id: &str) -> ZoneOfTrust {
        if !self.accounts.iter().any(|a| a == id) {
            self.accounts.push(id.to_string());
        }
        self
    }

    /// Also trust this S3 canonical user.
    pub fn with_canonical_id(mut self, id: &str) -> ZoneOfTrust {
        self.canonical_ids.push(id.to_string());
        self
    }

    /// Every trusted account id.
    pub fn trusted_accounts(&self) -> Vec<String> {
        self.trusted().into_owned()
    }

    /// Every trusted account id, sorted and without repeats: the accounts as given when they
    /// are that list already (no copy).
    fn trusted(&self) -> std::borrow::Cow<'_, [String]> {
        let sorted = self
            .accounts
            .windows(2)
            .all(|w| matches!(w, [a, b] if a < b));
        if self.organization.is_none() && sorted {
            return std::borrow::Cow::Borrowed(&self.accounts);
        }
        let mut out = self.accounts.clone();
        if let Some(o) = &self.organization {
            out.extend(o.accounts.keys().cloned());
        }
        out.sort();
        out.dedup();
        std::borrow::Cow::Owned(out)
    }

    /// Whether an account is in the zone.
    pub fn trusts_account(&self, id: &str) -> bool {
        self.accounts.iter().any(|a| a == id)
            || self
                .organization
                .as_ref()
                .is_some_and(|o| o.accounts.contains_key(id))
    }

    /// Check the account ids and the organization id.
    ///
    /// # Errors
    /// [`ErrorKind::Input`] naming the malformed id.
    pub fn validate(&self) -> Result<(), Error> {
        for a in self.trusted().iter() {
            if !crate::arn::is_account_id(a) {
                return Err(Error::new(
                    ErrorKind::Input,
                    format!(
                        "zone of trust account {} is not a 12-digit account id",
                        quote(a)
                    ),
                ));
            }
        }
        if let Some(o) = &self.organization {
            if !o.id.starts_with("o-") {
                return Err(Error::new(
                    ErrorKind::Input,
                    format!("organization id {} must start with `o-`", quote(&o.id)),
                ));
            }
        }
        if self.accounts.is_empty() && self.organization.is_none() {
            return Err(Error::new(
                ErrorKind::Input,
                "the zone of trust needs an account or an organization",
            ));
        }
        Ok(())
    }

    /// The formula "the caller is outside the zone" (service principals are never reported, per
    /// Access Analyzer, so they count as inside).
    pub(crate) fn external(&self, sp: &mut Space) -> NodeId {
        let iam = sp.kind_in(IAM_KINDS);
        let inside = sp.account_in(&self.trusted());
        let mut iam_parts = vec![iam, sp.arena.not(inside)];
        if let Some(o) = &self.organization {
            // Members of the organization carry its id and paths under it.
            let org_dim = sp.key_dim("aws:principalorgid", false);
            let org = sp
                .arena
                .elem(org_dim, Pred::Lang(Lang::literal(&o.id, false)));
            iam_parts.push(sp.arena.not(org));
            let paths = sp.key_dim("aws:principalorgpaths", true);
            let pid = sp
                .arena
                .pred(Pred::Lang(Lang::glob(&format!("{}/*", o.id), false)));
            let under = sp.arena.any(paths, ElemC::Pos(vec![pid]));
            iam_parts.push(sp.arena.not(under));
        }
        let iam_ext = sp.arena.and(iam_parts);
        let others = sp.kind_in(&[Kind::Anonymous, Kind::Federated]);
        let canon = {
            let k = sp.kind_in(&[Kind::Canonical]);
            let ids: Vec<NodeId> = self
                .canonical_ids
                .iter()
                .map(|id| {
                    let d = sp.canon;
                    sp.arena.elem(d, Pred::Lang(Lang::literal(id, false)))
                })
                .collect();
            let any = sp.arena.or(ids);
            let not_any = sp.arena.not(any);
            sp.arena.and2(k, not_any)
        };
        sp.arena.or([iam_ext, others, canon])
    }
}
