//! Typed condition values: exact decimal numbers, timestamps, IP networks, binary and booleans.
//!
//! Condition operators compare request values with policy values by type
//! ([IAM condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)).
//! Every parser here returns `None` for text it cannot read; callers decide what an unreadable
//! value means (see `manual::evaluation`).

use std::cmp::Ordering;
use std::net::IpAddr;

/// An exact decimal number. Comparison is exact: no floating-point rounding, no overflow.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    /// Significant digits without leading or trailing zeros; empty for zero.
    digits: Box<[u8]>,
    /// Value = digits × 10^exponent.
    exponent: i64,
}

const MAX_DIGITS: usize = 400;
const MAX_EXPONENT: i64 = 10_000;

impl Decimal {
    /// Parse `-12`, `3.25`, `1e3`, `+7` (JSON number syntax, plus a leading `+` and a missing
    /// integer part such as `.5`). Surrounding whitespace is not allowed.
    pub fn parse(text: &str) -> Option<Decimal> {
        let b = text.as_bytes();
        let mut i = 0;
        let mut negative = false;
        match b.first() {
            Some(b'-') => {
                negative = true;
                i += 1;
            }
            Some(b'+') => i += 1,
            _ => {}
        }
        let mut digits: Vec<u8> = Vec::new();
        let mut exponent: i64 = 0;
        let mut seen_digit = false;
        while let Some(&d) = b.get(i) {
            if !d.is_ascii_digit() {
                break;
            }
            digits.push(d - b'0');
            seen_digit = true;
            i += 1;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            while let Some(&d) = b.get(i) {
                if !d.is_ascii_digit() {
                    break;
                }
                digits.push(d - b'0');
                exponent -= 1;
                seen_digit = true;
                i += 1;
            }
        }
        if !seen_digit || digits.len() > MAX_DIGITS {
            return None;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            let mut eneg = false;
            match b.get(i) {
                Some(b'-') => {
                    eneg = true;
                    i += 1;
                }
                Some(b'+') => i += 1,
                _ => {}
            }
            let start = i;
            let mut e: i64 = 0;
            while let Some(&d) = b.get(i) {
                if !d.is_ascii_digit() {
                    break;
                }
                e = e.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
                if e > MAX_EXPONENT {
                    return None;
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            exponent += if eneg { -e } else { e };
        }
        if i != b.len() {
            return None;
        }
        let lead = digits.iter().take_while(|d| **d == 0).count();
        digits.drain(..lead);
        while digits.last() == Some(&0) {
            digits.pop();
            exponent += 1;
        }
        if digits.is_empty() {
            negative = false;
            exponent = 0;
        }
        Some(Decimal {
            negative,
            digits: digits.into(),
            exponent,
        })
    }

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let top_a = self.digits.len() as i64 + self.exponent;
        let top_b = other.digits.len() as i64 + other.exponent;
        top_a.cmp(&top_b).then_with(|| {
            let n = self.digits.len().max(other.digits.len());
            for k in 0..n {
                let a = self.digits.get(k).copied().unwrap_or(0);
                let b = other.digits.get(k).copied().unwrap_or(0);
                if a != b {
                    return a.cmp(&b);
                }
            }
            Ordering::Equal
        })
    }
}

impl Decimal {
    /// The number of digits after the decimal point needed to write the value exactly.
    pub(crate) fn scale(&self) -> i64 {
        (-self.exponent).max(0)
    }

    /// The value plus `sign` × 10^`-places` (exact).
    pub(crate) fn nudge(&self, places: i64, up: bool) -> Decimal {
        // Align both numbers on the exponent -places and add as signed digit vectors.
        let exp = (-places).min(self.exponent);
        let mut a: Vec<u8> = self.digits.to_vec();
        a.extend(std::iter::repeat_n(
            0,
            (self.exponent - exp).max(0) as usize,
        ));
        // |self| as digits at exponent `exp`; the step is 1 at exponent -places.
        let step_pos = (-places - exp).max(0) as usize; // zeros after the 1
        let mut b = vec![1u8];
        b.extend(std::iter::repeat_n(0, step_pos));
        let self_neg = self.negative && !self.digits.is_empty();
        let step_neg = !up;
        let (neg, mag) = if self_neg == step_neg {
            (self_neg, add_digits(&a, &b))
        } else if cmp_digits(&a, &b) != Ordering::Less {
            (self_neg, sub_digits(&a, &b))
        } else {
            (step_neg, sub_digits(&b, &a))
        };
        let text: String = mag.iter().map(|d| char::from(b'0' + d)).collect();
        let text = if text.is_empty() {
            "0".to_string()
        } else {
            text
        };
        Decimal::parse(&format!("{}{}e{}", if neg { "-" } else { "" }, text, exp))
            .unwrap_or_else(|| self.clone())
    }

    /// The value written in plain decimal notation (no exponent).
    pub fn to_plain(&self) -> String {
        if self.digits.is_empty() {
            return "0".into();
        }
        let digits: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        let sign = if self.negative { "-" } else { "" };
        if self.exponent >= 0 {
            format!("{sign}{digits}{}", "0".repeat(self.exponent as usize))
        } else {
            let frac = (-self.exponent) as usize;
            if digits.len() > frac {
                let (i, f) = digits.split_at(digits.len() - frac);
                format!("{sign}{i}.{f}")
            } else {
                format!("{sign}0.{}{digits}", "0".repeat(frac - digits.len()))
            }
        }
    }
}

fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    let a = &a[a.iter().take_while(|d| **d == 0).count().min(a.len())..];
    let b = &b[b.iter().take_while(|d| **d == 0).count().min(b.len())..];
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0u8;
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 || j > 0 || carry > 0 {
        let x = if i > 0 {
            i -= 1;
            a.get(i).copied().unwrap_or(0)
        } else {
            0
        };
        let y = if j > 0 {
            j -= 1;
            b.get(j).copied().unwrap_or(0)
        } else {
            0
        };
        let s = x + y + carry;
        out.push(s % 10);
        carry = s / 10;
    }
    out.reverse();
    out
}

/// `a - b` for `a >= b`.
fn sub_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 {
        i -= 1;
        let x = a.get(i).copied().unwrap_or(0) as i8;
        let y = if j > 0 {
            j -= 1;
            b.get(j).copied().unwrap_or(0) as i8
        } else {
            0
        };
        let mut d = x - y - borrow;
        borrow = 0;
        if d < 0 {
            d += 10;
            borrow = 1;
        }
        out.push(d as u8);
    }
    out.reverse();
    out
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

/// A point in time, with nanosecond precision, as seconds and nanoseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
}

impl Timestamp {
    /// A timestamp from seconds since the epoch.
    pub fn from_epoch_seconds(seconds: i64) -> Timestamp {
        Timestamp { seconds, nanos: 0 }
    }

    /// Seconds since the epoch (rounded down).
    pub fn epoch_seconds(&self) -> i64 {
        self.seconds
    }

    /// One nanosecond later (`up`) or earlier.
    pub(crate) fn nudge(&self, up: bool) -> Timestamp {
        let total = i128::from(self.seconds) * 1_000_000_000 + i128::from(self.nanos);
        let t = if up { total + 1 } else { total - 1 };
        Timestamp {
            seconds: i64::try_from(t.div_euclid(1_000_000_000)).unwrap_or(self.seconds),
            nanos: u32::try_from(t.rem_euclid(1_000_000_000)).unwrap_or(0),
        }
    }

    /// Parse an ISO 8601 date or date-time (`2024-01-31`, `2024-01-31T12:00:00Z`,
    /// `2024-01-31T12:00:00.250+02:00`, basic forms such as `20240131T120000Z`), or epoch seconds
    /// (`1706702400`, optionally with a fraction). A date-time without a zone is read as UTC.
    pub fn parse(text: &str) -> Option<Timestamp> {
        if !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            // Epoch seconds, unless it looks like a calendar date.
            let looks_like_date = text.len() >= 7 && text.as_bytes().get(4) == Some(&b'-');
            if !looks_like_date {
                return Self::parse_epoch(text);
            }
        }
        Self::parse_iso(text)
    }

    fn parse_epoch(text: &str) -> Option<Timestamp> {
        let (neg, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int.is_empty() || int.len() > 15 || !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let secs: i64 = int.parse().ok()?;
        let mut nanos: u32 = 0;
        for (k, d) in frac.bytes().take(9).enumerate() {
            nanos += u32::from(d - b'0') * 10u32.pow(8 - k as u32);
        }
        if neg {
            if nanos > 0 {
                Some(Timestamp {
                    seconds: -secs - 1,
                    nanos: 1_000_000_000 - nanos,
                })
            } else {
                Some(Timestamp {
                    seconds: -secs,
                    nanos: 0,
                })
            }
        } else {
            Some(Timestamp {
                seconds: secs,
                nanos,
            })
        }
    }

    fn parse_iso(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        let mut i = 0;
        let num = |i: &mut usize, n: usize| -> Option<i64> {
            let s = b.get(*i..*i + n)?;
            if !s.iter().all(u8::is_ascii_digit) {
                return None;
            }
            *i += n;
            std::str::from_utf8(s).ok()?.parse().ok()
        };
        let year = num(&mut i, 4)?;
        let extended = b.get(i) == Some(&b'-');
        if extended {
            i += 1;
        }
        let month = num(&mut i, 2)?;
        // W3C's ISO 8601 profile allows a year and month alone (`2030-01`): its first day.
        if extended && i == b.len() {
            if !(1..=12).contains(&month) {
                return None;
            }
            return Some(Timestamp {
                seconds: days_from_civil(year, month, 1) * 86_400,
                nanos: 0,
            });
        }
        if extended {
            if b.get(i) != Some(&b'-') {
                return None;
            }
            i += 1;
        }
        let day = num(&mut i, 2)?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        let mut secs_of_day = 0i64;
        let mut nanos = 0u32;
        let mut offset = 0i64;
        if matches!(b.get(i), Some(b'T' | b't' | b' ')) {
            i += 1;
            let hour = num(&mut i, 2)?;
            if extended && b.get(i) == Some(&b':') {
                i += 1;
            }
            let minute = num(&mut i, 2)?;
            let mut second = 0;
            if (extended && b.get(i) == Some(&b':'))
                || (!extended && b.get(i).is_some_and(u8::is_ascii_digit))
            {
                if extended {
                    i += 1;
                }
                second = num(&mut i, 2)?;
                if matches!(b.get(i), Some(b'.' | b',')) {
                    i += 1;
                    let start = i;
                    while b.get(i).is_some_and(u8::is_ascii_digit) {
                        if i - start < 9 {
                            nanos += u32::from(b.get(i).copied().unwrap_or(b'0') - b'0')
                                * 10u32.pow(8 - (i - start) as u32);
                        }
                        i += 1;
                    }
                    if i == start {
                        return None;
                    }
                }
            }
            if hour > 23 || minute > 59 || second > 60 {
                return None;
            }
            secs_of_day = hour * 3600 + minute * 60 + second;
            match b.get(i) {
                Some(b'Z' | b'z') => i += 1,
                Some(sign @ (b'+' | b'-')) => {
                    let neg = *sign == b'-';
                    i += 1;
                    let oh = num(&mut i, 2)?;
                    if b.get(i) == Some(&b':') {
                        i += 1;
                    }
                    let om = if b.get(i).is_some_and(u8::is_ascii_digit) {
                        num(&mut i, 2)?
                    } else {
                        0
                    };
                    if oh > 23 || om > 59 {
                        return None;
                    }
                    offset = (oh * 3600 + om * 60) * if neg { -1 } else { 1 };
                }
                _ => {}
            }
        }
        if i != b.len() {
            return None;
        }
        let days = days_from_civil(year, month, day);
        Some(Timestamp {
            seconds: days * 86_400 + secs_of_day - offset,
            nanos,
        })
    }

    /// RFC 3339 form in UTC, `2024-01-31T12:00:00Z` (fraction shown when non-zero).
    pub fn to_rfc3339(&self) -> String {
        let days = self.seconds.div_euclid(86_400);
        let sod = self.seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let base = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            y,
            m,
            d,
            sod / 3600,
            (sod % 3600) / 60,
            sod % 60
        );
        if self.nanos == 0 {
            format!("{base}Z")
        } else {
            let frac = format!("{:09}", self.nanos);
            format!("{base}.{}Z", frac.trim_end_matches('0'))
        }
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// An IPv4 or IPv6 network: an address and a prefix length. Host bits are cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpNet {
    /// The address as 128 bits (IPv4 in the low 32 bits).
    bits: u128,
    prefix: u8,
    v6: bool,
}

impl IpNet {
    /// Parse `203.0.113.0/24`, `2001:db8::/32`, or a bare address (a /32 or /128 network).
    pub fn parse(text: &str) -> Option<IpNet> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => {
                if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (a, Some(p.parse::<u8>().ok()?))
            }
            None => (text, None),
        };
        let ip: IpAddr = addr.parse().ok()?;
        let (bits, max, v6) = match ip {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32u8, false),
            IpAddr::V6(a) => (u128::from(a), 128u8, true),
        };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return None;
        }
        let net = IpNet {
            bits: 0,
            prefix,
            v6,
        };
        Some(IpNet {
            bits: bits & net.mask(),
            ..net
        })
    }

    fn width(&self) -> u8 {
        if self.v6 {
            128
        } else {
            32
        }
    }

    fn mask(&self) -> u128 {
        let w = u32::from(self.width());
        let host = w - u32::from(self.prefix);
        let all: u128 = if w == 128 {
            u128::MAX
        } else {
            (1u128 << w) - 1
        };
        if host >= 128 {
            0
        } else {
            all & !((1u128 << host) - 1)
        }
    }

    /// Whether this is an IPv6 network.
    pub fn is_ipv6(&self) -> bool {
        self.v6
    }

    /// The prefix length.
    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }

    /// The network address as 128 bits (IPv4 in the low 32 bits).
    pub fn network_bits(&self) -> u128 {
        self.bits
    }

    /// The highest address of the network as 128 bits.
    pub fn last_bits(&self) -> u128 {
        let w = u32::from(self.width());
        let all: u128 = if w == 128 {
            u128::MAX
        } else {
            (1u128 << w) - 1
        };
        self.bits | (all & !self.mask())
    }

    /// Whether the address `ip` is inside this network.
    pub fn contains(&self, ip: &IpAddr) -> bool {
        let (bits, v6) = match ip {
            IpAddr::V4(a) => (u128::from(u32::from(*a)), false),
            IpAddr::V6(a) => (u128::from(*a), true),
        };
        v6 == self.v6 && bits & self.mask() == self.bits
    }

    /// Whether every address of `other` is inside this network.
    pub fn contains_net(&self, other: &IpNet) -> bool {
        other.v6 == self.v6 && other.prefix >= self.prefix && other.bits & self.mask() == self.bits
    }

    /// The address `bits` of this family as an `IpAddr`.
    pub fn addr_from_bits(v6: bool, bits: u128) -> IpAddr {
        if v6 {
            IpAddr::V6(bits.into())
        } else {
            IpAddr::V4(u32::try_from(bits & 0xffff_ffff).unwrap_or(0).into())
        }
    }
}

impl std::fmt::Display for IpNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}",
            IpNet::addr_from_bits(self.v6, self.bits),
            self.prefix
        )
    }
}

/// Decode standard base64 (RFC 4648, `+` and `/`, padding optional; whitespace not allowed).
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    if text.len() - trimmed.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut nbits = 0;
    for b in trimmed.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push(((acc >> nbits) & 0xff) as u8);
        }
    }
    if nbits >= 6 {
        return None;
    }
    Some(out)
}

/// Read an IAM boolean: `true` or `false`, in any case.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn decimals_compare_exactly() {
        assert_eq!(d("10"), d("10.000"));
        assert_eq!(d("1e3"), d("1000"));
        assert_eq!(d("-0"), d("0"));
        assert!(d("9007199254740993") > d("9007199254740992"));
        assert!(d("-2") < d("-1.5"));
        assert!(d("0.1") < d("0.10000000000000001"));
        assert!(d(".5") == d("0.5"));
        for bad in ["", "-", "1.2.3", "abc", "1e", "1e99999999", " 1", "0x10"] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn timestamps() {
        let t = |s: &str| Timestamp::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(t("1970-01-01").epoch_seconds(), 0);
        assert_eq!(t("2020-04-01T00:00:00Z").epoch_seconds(), 1_585_699_200);
        assert_eq!(t("1585699200"), t("2020-04-01T00:00:00Z"));
        assert_eq!(t("2020-04-01T02:00:00+02:00"), t("2020-04-01T00:00:00Z"));
        assert_eq!(t("20200401T000000Z"), t("2020-04-01T00:00:00Z"));
        assert_eq!(t("2030-01"), t("2030-01-01T00:00:00Z"));
        assert_eq!(t("2020-04-01T00:00Z"), t("2020-04-01T00:00:00Z"));
        assert!(t("2020-04-01T00:00:00.5Z") > t("2020-04-01T00:00:00Z"));
        assert_eq!(
            t("2024-02-29T12:34:56Z").to_rfc3339(),
            "2024-02-29T12:34:56Z"
        );
        for bad in [
            "2023-02-29",
            "2020-13-01",
            "2020-04-01T25:00:00Z",
            "yesterday",
            "",
            "2020-04-01Tx",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn networks() {
        let n = IpNet::parse("203.0.113.0/24").unwrap();
        assert!(n.contains(&"203.0.113.7".parse().unwrap()));
        assert!(!n.contains(&"203.0.114.7".parse().unwrap()));
        assert!(!n.contains(&"::1".parse().unwrap()));
        let host = IpNet::parse("10.1.2.3").unwrap();
        assert_eq!(host.prefix_len(), 32);
        let sloppy = IpNet::parse("10.1.2.3/8").unwrap();
        assert_eq!(sloppy.to_string(), "10.0.0.0/8");
        let v6 = IpNet::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(&"2001:db8::1".parse().unwrap()));
        assert!(IpNet::parse("0.0.0.0/0")
            .unwrap()
            .contains(&"1.2.3.4".parse().unwrap()));
        assert!(IpNet::parse("::/0")
            .unwrap()
            .contains(&"::1".parse().unwrap()));
        for bad in ["1.2.3.4/33", "1.2.3", "1.2.3.4/", "::/129", "x"] {
            assert!(IpNet::parse(bad).is_none(), "{bad}");
        }
        assert!(IpNet::parse("10.0.0.0/8").unwrap().contains_net(&sloppy));
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode_base64("").unwrap(), b"");
        assert!(decode_base64("a").is_none());
        assert!(decode_base64("a$==").is_none());
    }

    #[test]
    fn decimal_nudges_stay_between_neighbours() {
        let x = d("1.25");
        assert_eq!(x.nudge(3, true).to_plain(), "1.251");
        assert_eq!(x.nudge(3, false).to_plain(), "1.249");
        assert_eq!(d("-1").nudge(1, true).to_plain(), "-0.9");
        assert_eq!(d("0").nudge(2, false).to_plain(), "-0.01");
        assert_eq!(d("1e3").nudge(0, true).to_plain(), "1001");
        assert_eq!(d("-0.5").to_plain(), "-0.5");
    }

    proptest! {
        #[test]
        fn nudge_is_strict_and_small(a in -100_000i64..100_000, frac in 0u32..1000, places in 4i64..8) {
            let x = d(&format!("{a}.{frac:03}"));
            let up = x.nudge(places, true);
            let down = x.nudge(places, false);
            prop_assert!(down < x && x < up);
            let next = d(&(a + 1).to_string());
            prop_assert!(up < next || a < 0);
        }

        #[test]
        fn decimal_order_agrees_with_integers(a in any::<i64>(), b in any::<i64>()) {
            prop_assert_eq!(d(&a.to_string()).cmp(&d(&b.to_string())), a.cmp(&b));
        }

        #[test]
        fn epoch_round_trip(s in -10_000_000_000i64..10_000_000_000i64) {
            let t = Timestamp::from_epoch_seconds(s);
            prop_assert_eq!(Timestamp::parse(&t.to_rfc3339()), Some(t));
        }
    }
}
