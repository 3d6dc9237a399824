//! One CloudTrail record, read leniently with borrowed strings.
//!
//! Only the fields that usage needs are kept; everything else is skipped without being built.
//! A field of the wrong type reads as absent instead of failing, so one odd record never stops
//! the file it is in: whether a record is usable is decided afterwards, in
//! [`RawRecord::check`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use smallvec::SmallVec;

/// At most this many resource ARNs are kept from one record's `resources` array.
pub(crate) const MAX_RECORD_RESOURCES: usize = 8;

/// A string, or nothing when the JSON value is not a string.
#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub(crate) struct LStr<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'a> LStr<'a> {
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
}

struct LStrVisitor;

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

impl<'de> Visitor<'de> for LStrVisitor {
    type Value = LStr<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(LStr(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(LStr(Some(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(LStr(Some(Cow::Owned(v))))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        // `readOnly` and a few others are written as booleans by some producers.
        Ok(LStr(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(LStr(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(LStr(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(LStr(None))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(LStr(None))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(LStr(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        drain_map(map)?;
        Ok(LStr(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        drain_seq(seq)?;
        Ok(LStr(None))
    }
}

impl<'de> Deserialize<'de> for LStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LStrVisitor)
    }
}

/// Declares a lenient object type: a struct of `LStr` / nested fields, read from a JSON object
/// (anything else reads as empty), unknown keys skipped, the last occurrence of a key kept.
macro_rules! lenient_object {
    ($(#[$m:meta])* $name:ident { $($field:ident : $ty:ty = $key:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Default, Debug, Clone)]
        pub(crate) struct $name<'a> {
            $(pub(crate) $field: $ty,)*
        }

        impl<'de> Deserialize<'de> for $name<'de> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $name<'de>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("any value")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<Key<'de>>()? {
                            match key.0.as_ref() {
                                $($key => out.$field = map.next_value()?,)*
                                _ => {
                                    map.next_value::<IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(out)
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                        drain_seq(seq)?;
                        Ok($name::default())
                    }
                    fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> { Ok($name::default()) }
                    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> { Ok($name::default()) }
                    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> { Ok($name::default()) }
                    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> { Ok($name::default()) }
                    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> { Ok($name::default()) }
                    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> { Ok($name::default()) }
                    fn visit_unit<E>(self) -> Result<Self::Value, E> { Ok($name::default()) }
                    fn visit_none<E>(self) -> Result<Self::Value, E> { Ok($name::default()) }
                }
                d.deserialize_any(V)
            }
        }
    };
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

lenient_object!(
    /// `userIdentity.sessionContext.sessionIssuer`.
    RawIssuer {
        kind: LStr<'a> = "type",
        principal_id: LStr<'a> = "principalId",
        arn: LStr<'a> = "arn",
        account_id: LStr<'a> = "accountId",
        user_name: LStr<'a> = "userName",
    }
);

lenient_object!(
    /// `userIdentity.sessionContext`.
    RawSessionContext {
        session_issuer: RawIssuer<'a> = "sessionIssuer",
    }
);

lenient_object!(
    /// `userIdentity`.
    RawIdentity {
        kind: LStr<'a> = "type",
        principal_id: LStr<'a> = "principalId",
        arn: LStr<'a> = "arn",
        account_id: LStr<'a> = "accountId",
        access_key_id: LStr<'a> = "accessKeyId",
        user_name: LStr<'a> = "userName",
        session_context: RawSessionContext<'a> = "sessionContext",
    }
);

lenient_object!(
    /// One element of `resources`.
    RawResource {
        arn: LStr<'a> = "ARN",
        arn_lower: LStr<'a> = "arn",
    }
);

lenient_object!(
    /// The fields of `requestParameters` that usage needs.
    RawRequest {
        role_arn: LStr<'a> = "roleArn",
    }
);

lenient_object!(
    /// The fields of `responseElements` that usage needs.
    RawResponse {
        console_login: LStr<'a> = "ConsoleLogin",
    }
);

/// The ARNs of a record's `resources` array (at most [`MAX_RECORD_RESOURCES`]).
#[derive(Default, Debug, Clone)]
pub(crate) struct RawResources<'a>(pub(crate) SmallVec<[Cow<'a, str>; 2]>);

impl<'de> Deserialize<'de> for RawResources<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawResources<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = SmallVec::new();
                while let Some(r) = seq.next_element::<RawResource<'de>>()? {
                    if out.len() < MAX_RECORD_RESOURCES {
                        if let Some(arn) = r.arn.0.or(r.arn_lower.0) {
                            if !arn.is_empty() {
                                out.push(arn);
                            }
                        }
                    }
                }
                Ok(RawResources(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                drain_map(map)?;
                Ok(RawResources::default())
            }
            fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(RawResources::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(RawResources::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(RawResources::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(RawResources::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(RawResources::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(RawResources::default())
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(RawResources::default())
            }
        }
        d.deserialize_any(V)
    }
}

lenient_object!(
    /// A CloudTrail record, or a `lookup-events` event (whose record is the string
    /// `CloudTrailEvent`).
    RawRecord {
        event_time: LStr<'a> = "eventTime",
        event_source: LStr<'a> = "eventSource",
        event_name: LStr<'a> = "eventName",
        event_type: LStr<'a> = "eventType",
        error_code: LStr<'a> = "errorCode",
        user_identity: RawIdentity<'a> = "userIdentity",
        resources: RawResources<'a> = "resources",
        request_parameters: RawRequest<'a> = "requestParameters",
        response_elements: RawResponse<'a> = "responseElements",
        cloudtrail_event: LStr<'a> = "CloudTrailEvent",
    }
);

/// Why a record was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// The element of `Records` is not an object.
    NotAnObject,
    /// `eventTime`, `eventSource` or `eventName` is missing or not a string.
    MissingField(&'static str),
    /// `eventTime` is not a timestamp.
    BadTime,
    /// `CloudTrailEvent` is not a JSON object.
    BadEmbedded,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::NotAnObject => f.write_str("a record is not a JSON object"),
            Malformed::MissingField(k) => write!(f, "a record has no string `{k}`"),
            Malformed::BadTime => f.write_str("a record's `eventTime` is not a timestamp"),
            Malformed::BadEmbedded => {
                f.write_str("a `CloudTrailEvent` string does not hold a JSON object")
            }
        }
    }
}

/// A record or a non-object element, as read from an array.
pub(crate) enum Element<'a> {
    Record(Box<RawRecord<'a>>),
    NotAnObject,
}

impl<'de> Deserialize<'de> for Element<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Element<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let record = RawRecord::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Element::Record(Box::new(record)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(seq)?;
                Ok(Element::NotAnObject)
            }
            fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(Element::NotAnObject)
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Element::NotAnObject)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Element::NotAnObject)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Element::NotAnObject)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Element::NotAnObject)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Element::NotAnObject)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Element::NotAnObject)
            }
        }
        d.deserialize_any(V)
    }
}

/// Receives the elements of an array one at a time.
pub(crate) struct ElementsSeed<'s, F> {
    pub(crate) sink: &'s mut F,
}

impl<'de, F: FnMut(Element<'de>)> DeserializeSeed<'de> for ElementsSeed<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        struct V<'s, F>(&'s mut F);
        impl<'de, F: FnMut(Element<'de>)> Visitor<'de> for V<'_, F> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of records")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                while let Some(e) = seq.next_element::<Element<'de>>()? {
                    (self.0)(e);
                }
                Ok(())
            }
            fn visit_unit<E>(self) -> Result<(), E> {
                Ok(())
            }
        }
        d.deserialize_any(V(self.sink))
    }
}

/// The top level of a file: `{"Records": [...]}`, `{"Events": [...]}` (lookup-events), one bare
/// record or lookup-events event, or an array of either.
pub(crate) struct TopSeed<'s, F> {
    pub(crate) sink: &'s mut F,
}

impl<'de, F: FnMut(Element<'de>)> DeserializeSeed<'de> for TopSeed<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        struct V<'s, F>(&'s mut F);
        impl<'de, F: FnMut(Element<'de>)> Visitor<'de> for V<'_, F> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a CloudTrail log (an object with `Records`, or records)")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                while let Some(e) = seq.next_element::<Element<'de>>()? {
                    (self.0)(e);
                }
                Ok(())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                // Either a wrapper (`Records` / `Events`) or a record itself. A record is built
                // from the keys as they come; wrapper arrays are streamed to the sink.
                let mut record = RawRecord::default();
                let mut is_record = false;
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match key.0.as_ref() {
                        "Records" | "Events" => {
                            map.next_value_seed(ElementsSeed { sink: self.0 })?;
                        }
                        k => {
                            // Re-dispatch the key through a one-entry record reader.
                            is_record |= record_field(&mut record, k, &mut map)?;
                        }
                    }
                }
                if is_record {
                    (self.0)(Element::Record(Box::new(record)));
                }
                Ok(())
            }
        }
        d.deserialize_any(V(self.sink))
    }
}

/// Reads the value of key `k` into `record` when it is a record field; returns whether it was.
fn record_field<'de, A: MapAccess<'de>>(
    record: &mut RawRecord<'de>,
    k: &str,
    map: &mut A,
) -> Result<bool, A::Error> {
    match k {
        "eventTime" => record.event_time = map.next_value()?,
        "eventSource" => record.event_source = map.next_value()?,
        "eventName" => record.event_name = map.next_value()?,
        "eventType" => record.event_type = map.next_value()?,
        "errorCode" => record.error_code = map.next_value()?,
        "userIdentity" => record.user_identity = map.next_value()?,
        "resources" => record.resources = map.next_value()?,
        "requestParameters" => record.request_parameters = map.next_value()?,
        "responseElements" => record.response_elements = map.next_value()?,
        "CloudTrailEvent" => record.cloudtrail_event = map.next_value()?,
        _ => {
            map.next_value::<IgnoredAny>()?;
            return Ok(false);
        }
    }
    Ok(true)
}
