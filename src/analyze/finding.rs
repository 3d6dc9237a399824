//! External access findings, in Access Analyzer's shape, with what Access Analyzer lacks: the
//! statements that grant the access and a witness request.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::error::{Error, ErrorKind};
use crate::eval::{Case, SimpleCase};

/// A finding's status.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The access exists and is not archived.
    #[default]
    Active,
    /// The access exists and an archive rule (or a person) archived it.
    Archived,
    /// The access no longer exists.
    Resolved,
}

impl Status {
    /// `ACTIVE`, `ARCHIVED` or `RESOLVED`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Active => "ACTIVE",
            Status::Archived => "ARCHIVED",
            Status::Resolved => "RESOLVED",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the access is granted (S3 has several ways; other resources only `POLICY`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingSource {
    /// `POLICY`, `BUCKET_ACL`, `S3_ACCESS_POINT` or `S3_ACCESS_POINT_ACCOUNT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The access point, for access point sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<FindingSourceDetail>,
}

/// Details of an access point source.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingSourceDetail {
    /// The access point ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_point_arn: Option<String>,
    /// The account of a cross-account access point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_point_account: Option<String>,
}

impl FindingSource {
    /// A source of this type without details.
    pub fn of(kind: &str) -> FindingSource {
        FindingSource {
            kind: kind.to_string(),
            detail: None,
        }
    }
}

/// A statement that grants the access of a finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementRef {
    /// Which policy (`resource policy`, an access point ARN, …).
    pub policy: String,
    /// The statement's index in that policy.
    pub index: usize,
    /// The statement's `Sid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// An external access finding.
///
/// The fields up to `status` are Access Analyzer's (`GetFinding`); `error` is set for a resource
/// that could not be analysed; `statements`, `witness` and `note` are perimeter's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// A stable id derived from the finding's content.
    pub id: String,
    /// Who can reach the resource: one entry such as `{"AWS": "*"}` or `{"AWS": "444455556666"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub principal: BTreeMap<String, String>,
    /// The actions, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action: Vec<String>,
    /// The resource ARN.
    pub resource: String,
    /// The resource type (`AWS::S3::Bucket`, …).
    pub resource_type: String,
    /// The account that owns the resource.
    pub resource_owner_account: String,
    /// The restrictions under which the access exists: condition key → value as written in the
    /// policy. Empty for unconditional access.
    pub condition: BTreeMap<String, String>,
    /// Whether anyone (not only known accounts) has the access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_public: Option<bool>,
    /// How the access is granted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<FindingSource>,
    /// The status.
    pub status: Status,
    /// Why the resource could not be analysed (an error finding has no principal or actions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the finding was created (lifecycle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the finding was last updated (lifecycle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// When the resource was analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyzed_at: Option<String>,
    /// The statements that grant the access (perimeter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<StatementRef>,
    /// A request that the access allows, in `perimeter eval`'s case format (perimeter). For
    /// access through an S3 access point, an array of two cases: the request at the access point
    /// under its policy, and the same request as the bucket policy sees it; both are allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<Witness>,
    /// Anything a reader should know (perimeter), such as why there is no witness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A request that reproduces a finding, in `perimeter eval`'s case format: one case, or (for
/// access through an S3 access point) an array of cases that must all be allowed.
///
/// It serializes to exactly that JSON. The resource policy of a case is shared with the
/// analysed policy rather than copied into each finding, so a policy with many findings is held
/// once. Read it with [`Witness::to_json_value`] or [`Witness::cases`].
///
/// ```
/// use perimeter::analyze::Witness;
///
/// let json = serde_json::json!({
///     "request": {"principal": "444455556666", "action": "s3:GetObject",
///                 "resource": "arn:aws:s3:::b/k"},
///     "resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
///         "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject",
///         "Resource": "arn:aws:s3:::b/*"}]}
/// });
/// let w = Witness::from_json_value(json.clone()).unwrap();
/// assert_eq!(w.to_json_value(), json);
/// let cases = w.cases().unwrap();
/// assert!(cases[0].evaluate().unwrap().decision.is_allow());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Witness {
    cases: Vec<WitnessCase>,
    /// Whether it is written as an array: several cases always are, one case when it was read
    /// from an array.
    array: bool,
}

/// One case of a witness: its fields other than `resourcePolicy`, and that policy, shared.
#[derive(Clone, Debug)]
struct WitnessCase {
    fields: Fields,
    resource_policy: Option<Arc<Value>>,
}

/// A witness case's fields other than `resourcePolicy`.
#[derive(Clone, Debug)]
enum Fields {
    /// As read from JSON.
    Read(Map<String, Value>),
    /// As an analysis built them: written as JSON only when asked for, so that an analysis
    /// does not build JSON that nobody reads.
    Built(SimpleCase),
}

/// The case field a witness shares rather than copies.
const RESOURCE_POLICY: &str = "resourcePolicy";

impl WitnessCase {
    fn from_object(mut fields: Map<String, Value>) -> WitnessCase {
        let resource_policy = fields.remove(RESOURCE_POLICY).map(Arc::new);
        WitnessCase {
            fields: Fields::Read(fields),
            resource_policy,
        }
    }

    /// The fields other than `resourcePolicy`, as JSON.
    fn fields(&self) -> std::borrow::Cow<'_, Map<String, Value>> {
        match &self.fields {
            Fields::Read(m) => std::borrow::Cow::Borrowed(m),
            Fields::Built(c) => match c.to_case().into_json_value() {
                Value::Object(m) => std::borrow::Cow::Owned(m),
                _ => std::borrow::Cow::Owned(Map::new()),
            },
        }
    }

    fn to_json_value(&self) -> Value {
        let mut m = self.fields().into_owned();
        if let Some(p) = &self.resource_policy {
            m.insert(RESOURCE_POLICY.into(), Value::clone(p));
        }
        Value::Object(m)
    }
}

/// Equal when written the same (however each was made).
impl PartialEq for WitnessCase {
    fn eq(&self, other: &WitnessCase) -> bool {
        self.resource_policy == other.resource_policy && self.fields() == other.fields()
    }
}

impl Serialize for WitnessCase {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // The keys in the order a `serde_json::Map` keeps them (sorted), the shared policy in
        // its place among them: the same text as the case written whole.
        let fields = self.fields();
        let mut map = s.serialize_map(Some(
            fields.len() + usize::from(self.resource_policy.is_some()),
        ))?;
        let mut policy = self.resource_policy.as_deref();
        for (k, v) in fields.iter() {
            if k.as_str() > RESOURCE_POLICY {
                if let Some(p) = policy.take() {
                    map.serialize_entry(RESOURCE_POLICY, p)?;
                }
            }
            map.serialize_entry(k, v)?;
        }
        if let Some(p) = policy {
            map.serialize_entry(RESOURCE_POLICY, p)?;
        }
        map.end()
    }
}

impl Witness {
    /// A witness of these cases, each with its resource policy (shared; the case's own is not
    /// used).
    pub(crate) fn of_cases(cases: Vec<(SimpleCase, Arc<Value>)>) -> Witness {
        let array = cases.len() != 1;
        let cases = cases
            .into_iter()
            .map(|(case, resource_policy)| WitnessCase {
                fields: Fields::Built(case),
                resource_policy: Some(resource_policy),
            })
            .collect();
        Witness { cases, array }
    }

    /// Read a witness from its JSON: a case object, or an array of them.
    ///
    /// # Errors
    /// [`ErrorKind::Input`] for anything else.
    pub fn from_json_value(v: Value) -> Result<Witness, Error> {
        let bad = || {
            Error::new(
                ErrorKind::Input,
                "a witness must be a case object or an array of case objects".to_string(),
            )
        };
        match v {
            Value::Object(m) => Ok(Witness {
                cases: vec![WitnessCase::from_object(m)],
                array: false,
            }),
            Value::Array(items) => Ok(Witness {
                cases: items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(m) => Ok(WitnessCase::from_object(m)),
                        _ => Err(bad()),
                    })
                    .collect::<Result<_, _>>()?,
                array: true,
            }),
            _ => Err(bad()),
        }
    }

    /// The witness as JSON (the policies copied in).
    pub fn to_json_value(&self) -> Value {
        match (self.array, self.cases.as_slice()) {
            (false, [one]) => one.to_json_value(),
            _ => Value::Array(self.cases.iter().map(WitnessCase::to_json_value).collect()),
        }
    }

    /// The cases, ready to evaluate ([`Case::evaluate`]).
    ///
    /// # Errors
    /// A case that does not read as one ([`Case::from_json_value`]).
    pub fn cases(&self) -> Result<Vec<Case>, Error> {
        self.cases
            .iter()
            .map(|c| Case::from_json_value(&c.to_json_value()))
            .collect()
    }
}

impl Serialize for Witness {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.array, self.cases.as_slice()) {
            (false, [one]) => one.serialize(s),
            (_, all) => all.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Witness {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Witness, D::Error> {
        let v = Value::deserialize(d)?;
        Witness::from_json_value(v).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// The witness's JSON text (compact).
impl fmt::Display for Witness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// A stable 128-bit id in UUID form from text: two independent 64-bit FNV-1a lanes (different
/// offsets and a different byte order), each finished with the SplitMix64 mixer so that every
/// input bit reaches every output bit. The same content gives the same id on every run and every
/// machine (no randomly seeded hasher, nothing that depends on the Rust version).
pub(crate) fn content_id(parts: &[&str]) -> String {
    let mut h = IdHasher::new();
    for p in parts {
        h.write(p.as_bytes());
        h.end_part();
    }
    h.finish()
}

/// The hash behind [`content_id`], fed a part at a time (so an id is computed without first
/// writing its parts out).
struct IdHasher {
    a: u64,
    b: u64,
}

impl IdHasher {
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> IdHasher {
        IdHasher {
            a: 0xcbf2_9ce4_8422_2325,
            b: 0x6c62_272e_07bb_0142,
        }
    }

    fn byte(&mut self, byte: u8) {
        self.a = (self.a ^ u64::from(byte)).wrapping_mul(Self::PRIME);
        self.b = (self.b ^ u64::from(byte.rotate_left(4))).wrapping_mul(Self::PRIME);
        self.b = self.b.rotate_left(29);
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.byte(*b);
        }
    }

    /// End a part: a separator that cannot occur in UTF-8 keeps ["ab", "c"] apart from
    /// ["a", "bc"].
    fn end_part(&mut self) {
        self.byte(0xff);
    }

    fn finish(&self) -> String {
        let mix = |mut z: u64| {
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let h = (u128::from(mix(self.a)) << 64) | u128::from(mix(self.b ^ self.a.rotate_left(17)));
        // 32 lowercase hex digits, grouped 8-4-4-4-12.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(36);
        for i in 0..32 {
            if matches!(i, 8 | 12 | 16 | 20) {
                out.push('-');
            }
            let nibble = (h >> (124 - 4 * i)) & 0xf;
            out.push(char::from(
                HEX.get(nibble as usize).copied().unwrap_or(b'0'),
            ));
        }
        out
    }

    /// A part made of `items` joined with `,`, each item written piece by piece.
    fn joined<'a, const N: usize>(&mut self, items: impl Iterator<Item = [&'a [u8]; N]>) {
        for (i, pieces) in items.enumerate() {
            if i > 0 {
                self.byte(b',');
            }
            for p in pieces {
                self.write(p);
            }
        }
        self.end_part();
    }
}

/// A map's entries as `k=v` pieces.
fn pairs(m: &BTreeMap<String, String>) -> impl Iterator<Item = [&[u8]; 3]> {
    m.iter()
        .map(|(k, v)| [k.as_bytes(), b"=".as_slice(), v.as_bytes()])
}

impl Finding {
    /// Compute the content-derived id (principal, actions, conditions, resource, sources, error).
    pub fn compute_id(&self) -> String {
        // The parts, each ended by the separator: resource, resource type, `k=v` principals,
        // actions, `k=v` conditions (each joined with `,`), sources as JSON (joined), error.
        let mut h = IdHasher::new();
        h.write(self.resource.as_bytes());
        h.end_part();
        h.write(self.resource_type.as_bytes());
        h.end_part();
        h.joined(pairs(&self.principal));
        h.joined(self.action.iter().map(|a| [a.as_bytes()]));
        h.joined(pairs(&self.condition));
        let sources: Vec<String> = self
            .sources
            .iter()
            .map(|s| serde_json::to_string(s).unwrap_or_default())
            .collect();
        h.joined(sources.iter().map(|s| [s.as_bytes()]));
        h.write(self.error.as_deref().unwrap_or("").as_bytes());
        h.end_part();
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_content_derived() {
        let a = content_id(&["x", "y"]);
        assert_eq!(a, content_id(&["x", "y"]));
        assert_ne!(a, content_id(&["xy"]));
        assert_ne!(content_id(&["ab", "c"]), content_id(&["a", "bc"]));
        assert_eq!(a.len(), 36);
        // A fixed value guards against accidental changes of the scheme (ids must stay stable).
        assert_eq!(
            content_id(&["perimeter"]),
            "67004cab-fc17-d356-8e36-63e7cb5d2f9e"
        );
    }

    #[test]
    fn a_witness_writes_the_text_of_its_json() {
        // `resourcePolicy` is kept apart from the other fields; written out, it must take its
        // place among them: after `identityPolicies` and `request`, before `sessionPolicy`.
        let policy = |sid: &str| {
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": sid,
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*"}]})
        };
        let case = serde_json::json!({
            "identityPolicies": [policy("i")],
            "request": {"principal": "444455556666", "action": "s3:GetObject",
                        "resource": "arn:aws:s3:::b/k"},
            "resourcePolicy": policy("r"),
            "sessionPolicy": policy("s"),
        });
        for json in [
            case.clone(),
            Value::Array(vec![case.clone()]),
            Value::Array(vec![case.clone(), case.clone()]),
        ] {
            let w = Witness::from_json_value(json.clone()).unwrap();
            assert_eq!(
                serde_json::to_string(&w).unwrap(),
                serde_json::to_string(&json).unwrap()
            );
            assert_eq!(w.to_string(), json.to_string());
            assert_eq!(w.to_json_value(), json);
            let back: Witness = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(back, w);
        }
        // Without a resource policy, or with only fields before it, the text is the same too.
        let mut short = case.as_object().unwrap().clone();
        short.remove("sessionPolicy");
        let w = Witness::from_json_value(Value::Object(short.clone())).unwrap();
        assert_eq!(w.to_string(), Value::Object(short.clone()).to_string());
        short.remove("resourcePolicy");
        let w = Witness::from_json_value(Value::Object(short.clone())).unwrap();
        assert_eq!(w.to_string(), Value::Object(short).to_string());
        // Anything but a case or an array of cases is refused.
        assert!(Witness::from_json_value(serde_json::json!("x")).is_err());
        assert!(Witness::from_json_value(serde_json::json!([1])).is_err());
    }

    #[test]
    fn a_built_witness_writes_what_its_case_writes() {
        // An analysis keeps its witness cases unwritten; written out, each must be the text
        // of its full case with the shared policy in place, and equal the witness read back.
        use crate::eval::{Caller, ContextValue};
        let policy = Arc::new(serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*"}]}));
        let mut user = SimpleCase::new(
            Caller::parse("arn:aws:iam::444455556666:user/u").unwrap(),
            "s3:GetObject".into(),
            "arn:aws:s3:::b/k".into(),
            Some("111122223333".into()),
        );
        user.identity_grant = true;
        user.set("aws:SourceIp", ContextValue::One("192.0.2.1".into()));
        user.set(
            "aws:PrincipalTag/team",
            ContextValue::Many(vec!["a".into(), "b".into()]),
        );
        let mut federated = SimpleCase::new(
            Caller::parse("arn:aws:sts::444455556666:federated-user/f").unwrap(),
            "s3:GetObject".into(),
            "arn:aws:s3:::b/k".into(),
            None,
        );
        federated.session_grant = true;
        for cases in [vec![user.clone()], vec![user, federated]] {
            let mut whole: Vec<Value> = cases
                .iter()
                .map(|c| {
                    let mut case = c.to_case();
                    case.resource_policy = Some(Value::clone(&policy));
                    case.to_json_value()
                })
                .collect();
            let json = match whole.len() {
                1 => whole.remove(0),
                _ => Value::Array(whole),
            };
            let w = Witness::of_cases(cases.into_iter().map(|c| (c, policy.clone())).collect());
            assert_eq!(w.to_string(), json.to_string());
            assert_eq!(w.to_json_value(), json);
            assert_eq!(Witness::from_json_value(json).unwrap(), w);
        }
    }

    #[test]
    fn ids_spread_over_all_their_bits() {
        // Ids that differ in one character of one part differ in about half their bits, in both
        // halves (a weak mixer left whole runs of bits equal).
        let ids: Vec<u128> = (0..256)
            .map(|i| {
                let hex: String = content_id(&["arn:aws:s3:::b", &format!("principal-{i}")])
                    .chars()
                    .filter(|c| *c != '-')
                    .collect();
                u128::from_str_radix(&hex, 16).unwrap()
            })
            .collect();
        for w in ids.windows(2) {
            let diff = (w[0] ^ w[1]).count_ones();
            assert!((30..=98).contains(&diff), "{diff} bits differ");
            assert_ne!(w[0] as u64, w[1] as u64);
            assert_ne!((w[0] >> 64) as u64, (w[1] >> 64) as u64);
            assert_ne!(w[0] & 0xff_ffff, w[1] & 0xff_ffff);
        }
    }
}
