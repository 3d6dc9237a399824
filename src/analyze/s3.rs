//! S3 buckets: the bucket policy (direct requests, and requests through access points of other
//! accounts), the bucket ACL, Block Public Access, and the access points of the owner's account.
//!
//! Sources:
//! - IAM User Guide, "IAM Access Analyzer supported resource types", section "Amazon Simple
//!   Storage Service buckets" (finding sources, cross-account access points).
//! - S3 User Guide, "Reviewing bucket access using IAM Access Analyzer for S3": a bucket that
//!   delegates to a cross-account access point is public unless `RestrictPublicBuckets` is on
//!   (bucket or account), then it is shared with the access point's account.
//! - S3 User Guide, "Blocking public access to your Amazon S3 storage" (the four settings, the
//!   meaning of "public" for ACLs, bucket policies and access points).
//! - S3 User Guide, "Access control list (ACL) overview" (grantees, permissions, their actions).
//! - S3 User Guide, "Managing access to shared datasets with access points" (a request through
//!   an access point needs the access point policy and the bucket policy; the condition keys
//!   `s3:DataAccessPointArn`, `s3:DataAccessPointAccount`, `s3:AccessPointNetworkOrigin`).

use super::config::{AccessPoint, AclGrantee, NetworkOrigin, PublicAccessBlock, S3Bucket};
use super::finding::{Finding, FindingSource, FindingSourceDetail, StatementRef};
use super::resource::{policy_units, universe, Shape};
use super::{error_finding, run_unit, Also, Options, Unit, ZoneOfTrust, ERROR_BUDGET};
use crate::policy::{CompiledPolicy, Effect, ListElement, Policy, Values};
use crate::reason::formula::{NodeId, Pred, TRUE};
use crate::reason::lang::{Lang, Mask, OutOfBudget, Tok};
use crate::reason::space::Space;
use std::collections::BTreeMap;

const AP_ACCOUNT: &str = "s3:DataAccessPointAccount";
const AP_ARN: &str = "s3:DataAccessPointArn";
const AP_ORIGIN: &str = "s3:AccessPointNetworkOrigin";

/// Whether a policy has a condition on a key (lowercase).
pub(crate) fn mentions(policy: &CompiledPolicy, key: &str) -> bool {
    policy
        .statements()
        .iter()
        .any(|s| s.conditions.iter().any(|c| *c.key == *key))
}

fn mentions_access_points(policy: &CompiledPolicy) -> bool {
    [AP_ACCOUNT, AP_ARN, AP_ORIGIN]
        .iter()
        .any(|k| mentions(policy, &k.to_lowercase()))
}

/// "The key has a value in the language" (`TRUE` when the key cannot be read that way, which
/// only widens what is analysed).
fn key_in(sp: &mut Space, key: &str, l: Lang) -> NodeId {
    sp.key_label(&key.to_lowercase(), Pred::Lang(l))
        .unwrap_or(TRUE)
}

fn any_value() -> Lang {
    Lang::from(vec![Tok::Run(Mask::NONE)])
}

fn partition_of(arn: &str) -> String {
    arn.split(':').nth(1).unwrap_or("aws").to_string()
}

/// Requests made directly to the bucket or through an access point of the owner's account.
fn direct_or_own_access_point(owner: String, partition: String) -> super::Require<'static> {
    Box::new(move |sp: &mut Space| {
        let acct = key_in(sp, AP_ACCOUNT, any_value());
        let arn = key_in(sp, AP_ARN, any_value());
        let no_acct = sp.arena.not(acct);
        let no_arn = sp.arena.not(arn);
        let direct = sp.arena.and2(no_acct, no_arn);
        let own = key_in(sp, AP_ACCOUNT, Lang::literal(&owner, false));
        let own_arn = key_in(
            sp,
            AP_ARN,
            Lang::arn(&format!("arn:{partition}:s3:*:{owner}:accesspoint/*")),
        );
        let via_own = sp.arena.and2(own, own_arn);
        sp.arena.or2(direct, via_own)
    })
}

/// Requests through an access point of another account.
fn through_other_account(owner: String, partition: String) -> super::Require<'static> {
    Box::new(move |sp: &mut Space| {
        let acct = key_in(sp, AP_ACCOUNT, any_value());
        let own = key_in(sp, AP_ACCOUNT, Lang::literal(&owner, false));
        let not_own = sp.arena.not(own);
        let ap = key_in(
            sp,
            AP_ARN,
            Lang::arn(&format!("arn:{partition}:s3:*:*:accesspoint/*")),
        );
        let own_ap = key_in(
            sp,
            AP_ARN,
            Lang::arn(&format!("arn:{partition}:s3:*:{owner}:accesspoint/*")),
        );
        let not_own_ap = sp.arena.not(own_ap);
        sp.arena.and([acct, not_own, ap, not_own_ap])
    })
}

fn restrict(settings: &[Option<PublicAccessBlock>]) -> bool {
    settings
        .iter()
        .any(|s| s.is_some_and(|s| s.restrict_public_buckets))
}

fn ignore_acls(settings: &[Option<PublicAccessBlock>]) -> bool {
    settings
        .iter()
        .any(|s| s.is_some_and(|s| s.ignore_public_acls))
}

/// Run units sharing the resource's budget.
fn run(
    unit: &Unit<'_>,
    zone: &ZoneOfTrust,
    options: &Options,
    budget: &mut u64,
) -> Result<Vec<Finding>, OutOfBudget> {
    run_unit(unit, zone, options, budget)
}

pub(crate) fn analyze(b: &S3Bucket, zone: &ZoneOfTrust, options: &Options) -> Vec<Finding> {
    let r = &b.resource;
    let policy = match b.policy.as_ref().map(Policy::compile).transpose() {
        Ok(p) => p,
        Err(e) => return vec![error_finding(r, &format!("bucket policy: {e}"), options)],
    };
    let mut ap_policies: Vec<(&AccessPoint, CompiledPolicy)> = Vec::new();
    for ap in b.access_points.iter().flatten() {
        // Access points of other accounts live outside the zone and are not analysed (their
        // requests are covered by the bucket policy's cross-account analysis).
        if ap.account != r.owner_account {
            continue;
        }
        if let Some(p) = &ap.policy {
            match p.compile() {
                Ok(c) => ap_policies.push((ap, c)),
                Err(e) => {
                    return vec![error_finding(
                        r,
                        &format!("access point `{}` policy: {e}", ap.arn),
                        options,
                    )]
                }
            }
        }
    }
    let mut budget = options.budget;
    match analyze_inner(b, policy.as_ref(), &ap_policies, zone, options, &mut budget) {
        Ok(out) => out,
        Err(OutOfBudget) => vec![error_finding(r, ERROR_BUDGET, options)],
    }
}

fn analyze_inner(
    b: &S3Bucket,
    policy: Option<&CompiledPolicy>,
    ap_policies: &[(&AccessPoint, CompiledPolicy)],
    zone: &ZoneOfTrust,
    options: &Options,
    budget: &mut u64,
) -> Result<Vec<Finding>, OutOfBudget> {
    let r = &b.resource;
    let owner = r.owner_account.clone();
    let partition = partition_of(&r.arn);
    let bucket_bpa = [b.public_access_block, b.account_public_access_block];
    // RestrictPublicBuckets on the bucket or its account.
    let rpb = restrict(&bucket_bpa);
    let mut out = Vec::new();
    let mut bucket_policy_public = false;
    if let Some(p) = policy {
        let delegates = mentions_access_points(p);
        let mut units = policy_units(p, r);
        if let Some(u) = units.first_mut() {
            u.policy_name = "bucket policy".into();
            if b.access_points.is_some() {
                // Direct requests carry no access point keys; requests through the listed
                // access points are analysed with those access points below.
                for k in [AP_ACCOUNT, AP_ARN, AP_ORIGIN] {
                    u.constants.push((k.to_string(), None));
                }
            } else if delegates {
                u.require = Some(direct_or_own_access_point(owner.clone(), partition.clone()));
            }
        }
        let mut direct = Vec::new();
        for u in &units {
            direct.extend(run(u, zone, options, budget)?);
        }
        // Requests through access points of other accounts: their policies are outside the
        // zone, so the bucket policy alone decides who can come through them.
        let mut cross = Vec::new();
        if delegates {
            let mut units = policy_units(p, r);
            if let Some(u) = units.first_mut() {
                u.policy_name = "bucket policy".into();
                u.source = FindingSource::of("S3_ACCESS_POINT_ACCOUNT");
                u.require = Some(through_other_account(owner.clone(), partition.clone()));
            }
            for u in &units {
                cross.extend(run(u, zone, options, budget)?);
            }
        }
        bucket_policy_public = direct
            .iter()
            .chain(&cross)
            .any(|f| f.is_public == Some(true));
        // RestrictPublicBuckets: a public bucket policy grants nothing outside the owner's
        // account (service principals are never reported).
        if !(rpb && bucket_policy_public) {
            for f in cross {
                // Access that does not depend on the access point (the same principal,
                // conditions and actions are granted directly) is the direct finding's.
                let covered = direct.iter().any(|d| {
                    d.principal == f.principal
                        && d.condition == f.condition
                        && f.action.iter().all(|a| d.action.contains(a))
                });
                if !covered {
                    out.push(cross_account_access_point(f, rpb));
                }
            }
            out.extend(direct);
        }
    }
    if let Some(acl) = &b.acl {
        out.extend(acl_findings(b, acl, zone, options));
    }
    if let Some(p) = policy {
        if !(rpb && bucket_policy_public) {
            for (ap, ap_policy) in ap_policies {
                out.extend(access_point_findings(
                    b, p, ap, ap_policy, rpb, zone, options, budget,
                )?);
            }
        }
    }
    super::config::merge(&mut out);
    Ok(out)
}

/// A finding about requests through another account's access point: public (anyone that
/// access point lets in) unless `RestrictPublicBuckets` holds, then shared with that account.
fn cross_account_access_point(mut f: Finding, rpb: bool) -> Finding {
    let fixed = |v: &String| !v.contains(['*', '?']);
    let account = f
        .condition
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case(AP_ACCOUNT) && fixed(v))
        .map(|(_, v)| v.clone())
        .or_else(|| {
            f.condition
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(AP_ARN))
                .and_then(|(_, v)| v.split(':').nth(4))
                .filter(|a| !a.is_empty() && !a.contains(['*', '?']))
                .map(str::to_string)
        });
    if let Some(a) = &account {
        if let Some(s) = f.sources.first_mut() {
            s.detail = Some(FindingSourceDetail {
                access_point_arn: None,
                access_point_account: Some(a.clone()),
            });
        }
    }
    let anyone = f.principal.get("AWS").is_some_and(|p| p == "*");
    if anyone {
        if rpb {
            if let Some(a) = &account {
                f.principal.insert("AWS".into(), a.clone());
                // The witness's caller is anyone the bucket policy lets through; who the access
                // point lets in is up to its account, whose policy is not known.
                if f.witness.take().is_some() {
                    f.note = Some(format!(
                        "no witness: who can use the access point is decided by its policy in {a}, which is not known"
                    ));
                }
            }
            f.is_public = Some(false);
        } else {
            f.is_public = Some(true);
        }
    }
    let who = account.as_deref().unwrap_or("another account");
    let mut note = format!(
        "through an access point of {who}, whose policy is outside the zone of trust and not analysed"
    );
    if anyone && !rpb {
        note.push_str(": anyone it lets in can reach the bucket (RestrictPublicBuckets is off)");
    }
    if let Some(old) = &f.note {
        note = format!("{note}; {old}");
    }
    f.note = Some(note);
    f.id = f.compute_id();
    f
}

/// An ACL finding's principal: (principal key, principal, public).
type AclKey<'a> = (&'a str, String, bool);

/// The external grants of the bucket ACL.
fn acl_findings(
    b: &S3Bucket,
    acl: &super::config::BucketAcl,
    zone: &ZoneOfTrust,
    options: &Options,
) -> Vec<Finding> {
    let r = &b.resource;
    let ignore_public = ignore_acls(&[b.public_access_block, b.account_public_access_block]);
    // (principal key, principal, public) → (actions, grant indices)
    let mut by: BTreeMap<AclKey<'_>, (Vec<&str>, Vec<usize>)> = BTreeMap::new();
    for (i, g) in acl.grants.iter().enumerate() {
        let (key, who, public) = match &g.grantee {
            AclGrantee::Group(uri) => {
                if uri == AclGrantee::LOG_DELIVERY {
                    // The server access logging service.
                    continue;
                }
                // AllUsers, AuthenticatedUsers, and (safely) any group we do not know.
                if ignore_public {
                    continue;
                }
                ("AWS", "*".to_string(), true)
            }
            AclGrantee::CanonicalUser(id) => {
                if acl.owner_id.as_deref() == Some(id.as_str())
                    || zone.canonical_ids.iter().any(|c| c == id)
                {
                    continue;
                }
                ("CanonicalUser", id.clone(), false)
            }
            AclGrantee::Email(e) => ("CanonicalUser", e.clone(), false),
        };
        let entry = by.entry((key, who, public)).or_default();
        entry.0.extend(g.permission.bucket_actions());
        entry.1.push(i);
    }
    by.into_iter()
        .map(|((key, who, public), (mut actions, grants))| {
            actions.sort_unstable();
            actions.dedup();
            let mut f = Finding {
                principal: BTreeMap::from([(key.to_string(), who)]),
                action: actions.into_iter().map(str::to_string).collect(),
                resource: r.arn.clone(),
                resource_type: r.resource_type.as_str().to_string(),
                resource_owner_account: r.owner_account.clone(),
                is_public: Some(public),
                sources: vec![FindingSource::of("BUCKET_ACL")],
                analyzed_at: options.analyzed_at.clone(),
                statements: grants
                    .into_iter()
                    .map(|index| StatementRef {
                        policy: "bucket ACL".into(),
                        index,
                        sid: None,
                    })
                    .collect(),
                note: Some(
                    "no witness: the access comes from an ACL grant, which the policy evaluator does not read"
                        .into(),
                ),
                ..Finding::default()
            };
            f.id = f.compute_id();
            f
        })
        .collect()
}

/// Findings of requests through one access point of the owner's account: the access point
/// policy and the bucket policy must both allow.
#[allow(clippy::too_many_arguments)]
fn access_point_findings(
    b: &S3Bucket,
    bucket_policy: &CompiledPolicy,
    ap: &AccessPoint,
    ap_policy: &CompiledPolicy,
    bucket_rpb: bool,
    zone: &ZoneOfTrust,
    options: &Options,
    budget: &mut u64,
) -> Result<Vec<Finding>, OutOfBudget> {
    let r = &b.resource;
    let vpc = match &ap.network_origin {
        NetworkOrigin::Vpc(v) => Some(v.clone()),
        NetworkOrigin::Internet => None,
    };
    // RestrictPublicBuckets of the access point, its bucket or the account, when the access
    // point policy is public (an access point with a VPC origin never is).
    let rpb = bucket_rpb || restrict(&[ap.public_access_block]);
    if rpb && vpc.is_none() {
        let alone = ap_unit(r, ap, ap_policy, None, None);
        let public = run(&alone, zone, &options.clone().without_witnesses(), budget)?
            .iter()
            .any(|f| f.is_public == Some(true));
        if public {
            return Ok(Vec::new());
        }
    }
    let rewritten = match rewrite_resources(bucket_policy.policy(), &r.arn, &ap.arn).compile() {
        Ok(c) => c,
        // The rewritten policy only has new resource patterns: it compiles when the original
        // does. Keep the analysis sound if it ever does not.
        Err(_) => return Ok(Vec::new()),
    };
    let unit = ap_unit(
        r,
        ap,
        ap_policy,
        Some((&rewritten, bucket_policy)),
        vpc.clone(),
    );
    let mut found = run(&unit, zone, options, budget)?;
    for f in &mut found {
        if let Some(v) = &vpc {
            f.is_public = Some(false);
            let n = format!("reachable only from {v} (the access point's network origin)");
            f.note = Some(match &f.note {
                Some(old) => format!("{n}; {old}"),
                None => n,
            });
        }
        f.id = f.compute_id();
    }
    Ok(found)
}

/// The unit of requests through an access point: resources are the access point's ARN forms.
fn ap_unit<'a>(
    r: &'a super::Resource,
    ap: &AccessPoint,
    ap_policy: &'a CompiledPolicy,
    bucket: Option<(&'a CompiledPolicy, &'a CompiledPolicy)>,
    vpc: Option<String>,
) -> Unit<'a> {
    let (actions, shapes) = universe(super::ResourceType::S3Bucket);
    let ap_arn = ap.arn.clone();
    let shapes = shapes
        .iter()
        .map(|(idx, s)| {
            let lang = match s {
                Shape::Below(_) | Shape::BelowInfix(_) => {
                    Lang::literal(&format!("{ap_arn}/object/"), false)
                        .then_tok(Tok::One(Mask::NONE))
                        .then_tok(Tok::Run(Mask::NONE))
                }
                Shape::Exact => Lang::literal(&ap_arn, false),
            };
            (idx.clone(), lang)
        })
        .collect();
    let origin = if vpc.is_some() { "VPC" } else { "Internet" };
    let also = match bucket {
        Some((rewritten, original)) => {
            let bucket_arn = r.arn.clone();
            let ap_arn = ap.arn.clone();
            vec![Also {
                policy: rewritten,
                original,
                name: "bucket policy".into(),
                resource: Box::new(move |res: &str| {
                    if res == ap_arn {
                        Some(bucket_arn.clone())
                    } else {
                        res.strip_prefix(&format!("{ap_arn}/object/"))
                            .map(|key| format!("{bucket_arn}/{key}"))
                    }
                }),
            }]
        }
        None => Vec::new(),
    };
    let require: Option<super::Require<'a>> = vpc.map(|v| -> super::Require<'a> {
        Box::new(move |sp: &mut Space| key_in(sp, "aws:SourceVpc", Lang::literal(&v, false)))
    });
    Unit {
        source: FindingSource {
            kind: "S3_ACCESS_POINT".into(),
            detail: Some(FindingSourceDetail {
                access_point_arn: Some(ap.arn.clone()),
                access_point_account: None,
            }),
        },
        policy: ap_policy,
        policy_name: ap.arn.clone(),
        resource: r,
        actions: actions.clone(),
        shapes,
        constants: vec![
            ("aws:ResourceAccount".into(), Some(r.owner_account.clone())),
            ("s3:ResourceAccount".into(), Some(r.owner_account.clone())),
            (AP_ARN.into(), Some(ap.arn.clone())),
            (AP_ACCOUNT.into(), Some(ap.account.clone())),
            (AP_ORIGIN.into(), Some(origin.into())),
        ],
        also,
        require,
    }
}

// ---- the bucket policy in access point form --------------------------------------------------

/// The bucket policy with every `Resource` / `NotResource` entry rewritten from the bucket's ARN
/// forms (`arn:aws:s3:::bucket`, `…/KEY`) to the access point's (`arn:…:accesspoint/NAME`,
/// `…/object/KEY`): an access point resource matches a rewritten entry exactly when the bucket
/// resource it stands for matches the original entry.
pub(crate) fn rewrite_resources(policy: &Policy, bucket_arn: &str, ap_arn: &str) -> Policy {
    let mut p = policy.clone();
    let prefix = format!("{bucket_arn}/");
    for st in &mut p.statements {
        let Some(el) = &mut st.resource else { continue };
        // Entries that cannot be rendered exactly are widened or dropped, whichever reports
        // more access: widened where they grant, dropped where they deny.
        let widen = (st.effect.value == Effect::Allow) != el.negated;
        let mut values: Vec<String> = Vec::new();
        for v in el.values.iter() {
            if v.contains("${") {
                // A policy variable: the analysis leaves it uninterpreted either way.
                values.push(v.to_string());
                continue;
            }
            let lang = Lang::arn(v);
            if lang.matches(bucket_arn) {
                values.push(ap_arn.to_string());
            }
            for suffix in quotient(&lang, &prefix) {
                match render(&suffix, widen) {
                    Some(s) => values.push(format!("{ap_arn}/object/{s}")),
                    None => continue,
                }
            }
        }
        values.dedup();
        if values.is_empty() {
            // Matches no access point resource.
            values.push(format!("{ap_arn}/none"));
        }
        *el = ListElement {
            negated: el.negated,
            values: Values::list(values),
            span: el.span,
        };
    }
    p
}

/// The tails of a token language after a literal prefix: the languages `L_i` with
/// `{s : prefix + s ∈ L} = ∪ L_i`.
fn quotient(lang: &Lang, prefix: &str) -> Vec<Vec<Tok>> {
    let n = lang.toks.len();
    let tok = |i: usize| lang.toks.get(i).copied();
    let closure = |set: &mut Vec<bool>| {
        for i in 0..n {
            if set.get(i).copied().unwrap_or(false) && matches!(tok(i), Some(Tok::Run(_))) {
                if let Some(x) = set.get_mut(i + 1) {
                    *x = true;
                }
            }
        }
    };
    let mut set = vec![false; n + 1];
    if let Some(x) = set.get_mut(0) {
        *x = true;
    }
    closure(&mut set);
    for c in prefix.chars() {
        let mut next = vec![false; n + 1];
        for i in 0..n {
            if !set.get(i).copied().unwrap_or(false) {
                continue;
            }
            let Some(t) = tok(i) else { continue };
            let (stay, advance) = match t {
                Tok::Char(p) => (false, p == c),
                Tok::CharCi(p) => (false, crate::pattern::fold(c) == p),
                Tok::One(m) => (false, allows(m, c)),
                Tok::Run(m) => (allows(m, c), false),
                Tok::Digit => (false, c.is_ascii_digit()),
            };
            if stay {
                if let Some(x) = next.get_mut(i) {
                    *x = true;
                }
            }
            if advance {
                if let Some(x) = next.get_mut(i + 1) {
                    *x = true;
                }
            }
        }
        closure(&mut next);
        set = next;
    }
    let mut out: Vec<Vec<Tok>> = Vec::new();
    for i in 0..=n {
        if !set.get(i).copied().unwrap_or(false) {
            continue;
        }
        // A run reached here already covers the tails after it.
        if i > 0
            && set.get(i - 1).copied().unwrap_or(false)
            && matches!(tok(i - 1), Some(Tok::Run(Mask::NONE)))
        {
            continue;
        }
        let tail: Vec<Tok> = lang.toks.get(i..).map(<[Tok]>::to_vec).unwrap_or_default();
        if !out.contains(&tail) {
            out.push(tail);
        }
    }
    out
}

fn allows(m: Mask, c: char) -> bool {
    !((m.colon && c == ':') || (m.slash && c == '/'))
}

/// A tail as ARN pattern text (its last component), or `None` when it cannot be written and
/// `widen` is false. With `widen`, masked wildcards become plain ones (a wider language).
fn render(toks: &[Tok], widen: bool) -> Option<String> {
    let mut s = String::new();
    for t in toks {
        match *t {
            Tok::Char(c) => s.push(c),
            Tok::Run(Mask::NONE) => s.push('*'),
            Tok::One(Mask::NONE) => s.push('?'),
            Tok::Run(_) if widen => s.push('*'),
            Tok::One(_) if widen => s.push('?'),
            _ => return None,
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tails(pattern: &str, prefix: &str) -> Vec<String> {
        quotient(&Lang::arn(pattern), prefix)
            .iter()
            .filter_map(|t| render(t, false))
            .collect()
    }

    #[test]
    fn quotients_of_bucket_patterns() {
        let p = "arn:aws:s3:::b/";
        assert_eq!(tails("arn:aws:s3:::b/*", p), ["*"]);
        assert_eq!(tails("arn:aws:s3:::b/logs/*", p), ["logs/*"]);
        assert_eq!(tails("arn:aws:s3:::b*", p), ["*"]);
        assert_eq!(tails("arn:aws:s3:::*/x", p), ["*/x", "x"]);
        assert_eq!(tails("*", p), ["*"]);
        assert!(tails("arn:aws:s3:::other/*", p).is_empty());
        assert!(tails("arn:aws:s3:::b", p).is_empty());
        assert_eq!(tails("arn:aws:s3:::b?*", p), ["*"]);
    }

    #[test]
    fn rewritten_policy_matches_exactly_the_access_point_forms() {
        let policy = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/pub/*"]},
            {"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::b/pub/keep*"}]}"#,
        )
        .unwrap();
        let ap = "arn:aws:s3:us-east-1:111122223333:accesspoint/ap1";
        let p = rewrite_resources(&policy, "arn:aws:s3:::b", ap);
        let vals: Vec<Vec<String>> = p
            .statements
            .iter()
            .map(|s| {
                s.resource
                    .as_ref()
                    .unwrap()
                    .values
                    .iter()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        assert_eq!(vals[0], [ap.to_string(), format!("{ap}/object/pub/*")]);
        assert_eq!(vals[1], [format!("{ap}/object/pub/keep*")]);
        assert!(p.statements[1].resource.as_ref().unwrap().negated);
    }
}
