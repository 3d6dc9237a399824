//! What the snapshot types share: access granted by a sharing attribute (a list of account ids,
//! or `all`) instead of a policy. Each entry outside the zone of trust is one finding; `all` is a
//! public finding, unless the snapshot is encrypted, which its service never allows.

use super::config::SnapshotShare;
use super::finding::{Finding, StatementRef};
use super::{error_finding, Options, Resource, ZoneOfTrust};
use std::collections::BTreeMap;

/// One attribute-shared type.
pub(crate) struct Sharing {
    /// The attribute's name, for statement references and messages (`createVolumePermission`).
    pub(crate) attribute: &'static str,
    /// The actions a share lets the other account perform, sorted.
    pub(crate) actions: &'static [&'static str],
    /// The service, for the encryption message (`EC2`).
    pub(crate) service: &'static str,
}

/// The findings of a snapshot's shares.
pub(crate) fn findings(
    s: &Sharing,
    r: &Resource,
    shares: &[SnapshotShare],
    encrypted: Option<bool>,
    zone: &ZoneOfTrust,
    options: &Options,
) -> Vec<Finding> {
    if encrypted == Some(true) && shares.contains(&SnapshotShare::All) {
        return vec![error_finding(
            r,
            &format!(
                "the snapshot is encrypted and its `{}` attribute has `all`, which {} does not allow for encrypted snapshots; the snapshot data is inconsistent, so it is not analysed",
                s.attribute, s.service
            ),
            options,
        )];
    }
    // Principal → the attribute entries that share with it.
    let mut by: BTreeMap<(String, bool), Vec<usize>> = BTreeMap::new();
    for (i, share) in shares.iter().enumerate() {
        let key = match share {
            SnapshotShare::All => ("*".to_string(), true),
            SnapshotShare::Account(a) => {
                if a == &r.owner_account || zone.trusts_account(a) {
                    continue;
                }
                (a.clone(), false)
            }
        };
        by.entry(key).or_default().push(i);
    }
    let note = format!(
        "no witness: the access comes from the snapshot's `{}` attribute, which the policy evaluator does not read",
        s.attribute
    );
    by.into_iter()
        .map(|((principal, public), entries)| {
            let mut f = Finding {
                principal: BTreeMap::from([("AWS".to_string(), principal)]),
                action: s.actions.iter().map(|a| a.to_string()).collect(),
                resource: r.arn.clone(),
                resource_type: r.resource_type.as_str().to_string(),
                resource_owner_account: r.owner_account.clone(),
                is_public: Some(public),
                analyzed_at: options.analyzed_at.clone(),
                statements: entries
                    .into_iter()
                    .map(|index| StatementRef {
                        policy: s.attribute.to_string(),
                        index,
                        sid: None,
                    })
                    .collect(),
                note: Some(note.clone()),
                ..Finding::default()
            };
            f.id = f.compute_id();
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{ebs, rds, ResourceType};

    /// The actions snapshot findings report are the type's own actions in the service
    /// authorization reference.
    #[test]
    fn reported_actions_are_in_the_type_universe() {
        for (s, t) in [
            (&ebs::SHARING, ResourceType::Ec2Snapshot),
            (&rds::DB, ResourceType::RdsDbSnapshot),
            (&rds::CLUSTER, ResourceType::RdsDbClusterSnapshot),
        ] {
            let mut sorted = s.actions.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, s.actions, "sorted");
            for a in s.actions {
                assert!(
                    t.actions().iter().any(|x| x == a),
                    "{a} is not a {t} action"
                );
            }
        }
    }
}
