//! Timestamps: whole seconds since the Unix epoch, in UTC.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time, in whole seconds since 1970-01-01T00:00:00Z.
///
/// CloudTrail records `eventTime` to the second, so finer precision is dropped when parsing.
/// Serialized as an RFC 3339 string in UTC (`2018-11-28T23:03:50Z`).
///
/// ```
/// use perimeter::activity::Timestamp;
/// let t = Timestamp::parse("2022-02-08 09:23:37+11:00")?;
/// assert_eq!(t.to_string(), "2022-02-07T22:23:37Z");
/// assert_eq!(Timestamp::parse("2022-02-07T22:23:37.999Z")?, t);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// The error returned when a text is not a timestamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampError {
    text: String,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a timestamp (expected e.g. `2024-05-01T12:00:00Z`)",
            self.text
        )
    }
}

impl std::error::Error for TimestampError {}

const SECONDS_PER_DAY: i64 = 86_400;

impl Timestamp {
    /// The timestamp `seconds` after 1970-01-01T00:00:00Z (negative: before).
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Timestamp(seconds)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// This timestamp moved back by `days` whole days (saturating).
    pub const fn minus_days(self, days: u32) -> Self {
        Timestamp(self.0.saturating_sub(days as i64 * SECONDS_PER_DAY))
    }

    /// Parses an ISO 8601 / RFC 3339 date-time as written by AWS tools.
    ///
    /// Accepted: `YYYY-MM-DD`, then optionally `T` or a space and `hh:mm[:ss[.fraction]]`, then
    /// optionally `Z`, ` UTC`, or an offset `±hh:mm` / `±hhmm` / `±hh`. Without a zone the time is
    /// taken as UTC (what Athena and Trino print). A date alone means midnight UTC.
    ///
    /// # Errors
    /// When the text is not in one of those forms, or a field is out of range.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        parse(text.trim()).ok_or_else(|| TimestampError {
            text: truncate(text, 64),
        })
    }

    /// Days between `earlier` and `self`, rounded down (0 when `earlier` is later).
    pub fn days_since(self, earlier: Timestamp) -> i64 {
        (self.0.saturating_sub(earlier.0) / SECONDS_PER_DAY).max(0)
    }
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or_default()),
        None => text.to_owned(),
    }
}

/// Reads the forms AWS tools write with the project's one date reader
/// ([`crate::scalar::Timestamp`]), after mapping a ` UTC` / ` Z` suffix to `Z`; fractions of a
/// second are dropped, as CloudTrail records whole seconds.
fn parse(text: &str) -> Option<Timestamp> {
    let mapped;
    let text = match text
        .strip_suffix(" UTC")
        .or_else(|| text.strip_suffix(" Z"))
    {
        Some(t) => {
            mapped = format!("{t}Z");
            mapped.as_str()
        }
        None => text,
    };
    crate::scalar::Timestamp::parse(text).map(|t| Timestamp(t.epoch_seconds()))
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::scalar::Timestamp::from_epoch_seconds(self.0).to_rfc3339())
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_aws_tools_write() {
        let z = Timestamp::parse("2018-11-28T23:03:50Z").unwrap();
        assert_eq!(z.unix_seconds(), 1_543_446_230);
        for text in [
            "2018-11-28T23:03:50+00:00",
            "2018-11-28 23:03:50",
            "2018-11-28 23:03:50.000",
            "2018-11-28T23:03:50.123456Z",
            "2018-11-29T10:03:50+11:00",
            "2018-11-29 10:03:50+1100",
            "2018-11-28T18:03:50-05",
            "2018-11-28 23:03:50 UTC",
        ] {
            assert_eq!(Timestamp::parse(text).unwrap(), z, "{text}");
        }
        assert_eq!(
            Timestamp::parse("2018-11-28").unwrap().to_string(),
            "2018-11-28T00:00:00Z"
        );
    }

    #[test]
    fn rejects_nonsense() {
        for text in [
            "",
            "N/A",
            "no_information",
            "2018-13-01",
            "2019-02-29",
            "2018-11-28T24:00:00Z",
            "2018-11-28T23:03:50Q",
            "2018-11-28T23:03:50.Z",
            "2018-11-28T23",
            "९९९९-11-28",
        ] {
            assert!(Timestamp::parse(text).is_err(), "{text}");
        }
        assert_eq!(
            Timestamp::parse("N/A").unwrap_err().to_string(),
            "`N/A` is not a timestamp (expected e.g. `2024-05-01T12:00:00Z`)"
        );
    }

    #[test]
    fn display_round_trips() {
        for secs in [0, 951_782_400, 1_543_446_230, -1, 253_402_300_799] {
            let t = Timestamp::from_unix_seconds(secs);
            assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
        }
        assert_eq!(
            Timestamp::parse("2000-02-29T00:00:00Z")
                .unwrap()
                .to_string(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn days() {
        let now = Timestamp::parse("2019-01-01T00:00:00Z").unwrap();
        assert_eq!(now.minus_days(1).to_string(), "2018-12-31T00:00:00Z");
        assert_eq!(now.days_since(now.minus_days(90)), 90);
        assert_eq!(now.minus_days(90).days_since(now), 0);
    }
}
