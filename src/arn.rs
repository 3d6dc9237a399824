//! Amazon Resource Names: parsing, and matching ARN patterns the way IAM does.
//!
//! An ARN is `arn:partition:service:region:account:resource`; the resource part may itself hold
//! colons (`arn:aws:logs:us-east-1:111122223333:log-group:name:*`).
//!
//! Matching rule (one rule for the `Resource` element and the `ArnLike`/`ArnEquals` operators):
//! the pattern is cut at its first five colons into at most six components, and the text is cut
//! into the same number of components; component *i* of the pattern must match component *i* of
//! the text, with `*` and `?` as wildcards and case significant. The last component of the pattern
//! is matched against the whole rest of the text, so `*` crosses `/` everywhere and `:` inside the
//! resource part, but never the colons between the first five components. A pattern with fewer
//! than six components (`*`, `arn:aws:*`) has its last component absorb the rest of the text.
//! See `manual::evaluation` for the sources and the choices made where the AWS docs are silent.
//!
//! ```
//! use perimeter::arn::{Arn, ArnPattern};
//!
//! let arn = Arn::parse("arn:aws:s3:::my-bucket/photos/cat.jpg")?;
//! assert_eq!(arn.service(), "s3");
//! assert_eq!(arn.resource(), "my-bucket/photos/cat.jpg");
//!
//! assert!(ArnPattern::new("arn:aws:s3:::my-bucket/*").matches(arn.as_str()));
//! // `*` in the region component does not cross into the account component:
//! assert!(!ArnPattern::new("arn:aws:logs:*:log-group:x").matches("arn:aws:logs:us-east-1:111122223333:log-group:x"));
//! # Ok::<(), perimeter::Error>(())
//! ```

use crate::error::{quote, Error, ErrorKind};
use crate::pattern::{Case, Pattern, Token};
use std::fmt;

/// A parsed ARN.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arn {
    text: String,
    /// Byte offsets of the five colons.
    colons: [usize; 5],
}

impl Arn {
    /// Parse an ARN.
    ///
    /// # Errors
    /// [`ErrorKind::Value`] when the text does not start with `arn:` or has fewer than six
    /// colon-separated components.
    pub fn parse(text: &str) -> Result<Arn, Error> {
        if !text.starts_with("arn:") {
            return Err(Error::new(
                ErrorKind::Value,
                format!("{} is not an arn: it must start with `arn:`", quote(text)),
            ));
        }
        let mut colons = [0usize; 5];
        let mut found = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b':' {
                if let Some(slot) = colons.get_mut(found) {
                    *slot = i;
                }
                found += 1;
                if found == 5 {
                    break;
                }
            }
        }
        if found < 5 {
            return Err(Error::new(
                ErrorKind::Value,
                format!(
                    "{} is not an arn: it needs six components `arn:partition:service:region:account:resource`",
                    quote(text)
                ),
            ));
        }
        Ok(Arn {
            text: text.to_string(),
            colons,
        })
    }

    fn component(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.colons.get(i - 1).map_or(0, |c| c + 1)
        };
        let end = self.colons.get(i).copied().unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or("")
    }

    /// The whole ARN.
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub fn partition(&self) -> &str {
        self.component(1)
    }
    /// The service namespace, such as `s3`.
    pub fn service(&self) -> &str {
        self.component(2)
    }
    /// The Region (empty for global resources).
    pub fn region(&self) -> &str {
        self.component(3)
    }
    /// The account id (empty for S3 buckets and objects).
    pub fn account(&self) -> &str {
        self.component(4)
    }
    /// Everything after the fifth colon.
    pub fn resource(&self) -> &str {
        self.component(5)
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Arn {
    type Err = Error;
    fn from_str(s: &str) -> Result<Arn, Error> {
        Arn::parse(s)
    }
}

/// Whether `s` is a 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The byte offsets of the first five colons of `text` (fewer if it has fewer).
pub(crate) fn colon_offsets(text: &str) -> smallvec::SmallVec<[usize; 5]> {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b':')
        .map(|(i, _)| i)
        .take(5)
        .collect()
}

/// The account component of an ARN (`None` when the text has fewer than five colons).
pub(crate) fn account_in(arn: &str) -> Option<&str> {
    split_components(arn, 6).and_then(|c| c.get(4).copied())
}

/// Cut `text` at its first `n - 1` colons into exactly `n` components (`n` between 1 and 6), the
/// last holding the rest. `None` when there are fewer colons.
pub(crate) fn split_components(text: &str, n: usize) -> Option<smallvec::SmallVec<[&str; 6]>> {
    let mut out = smallvec::SmallVec::new();
    let mut rest = text;
    for _ in 1..n {
        let i = rest.find(':')?;
        out.push(rest.get(..i)?);
        rest = rest.get(i + 1..)?;
    }
    out.push(rest);
    Some(out)
}

impl PartialEq for ArnPattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.parts() == other.parts()
    }
}
impl Eq for ArnPattern {}

/// An ARN pattern, matched component by component (see the module docs).
#[derive(Clone, Debug)]
pub struct ArnPattern {
    text: Box<str>,
    /// The components, compiled; empty when `whole` is used.
    parts: Box<[Pattern]>,
    /// When every component but the last is literal, matching component by component is the
    /// same as matching the whole text against one pattern (literal components hold no colon,
    /// so the text's colons must fall where the pattern's do): the fast path.
    whole: Option<Pattern>,
}

impl ArnPattern {
    /// Compile a pattern; `*` and `?` are wildcards, case is significant.
    pub fn new(text: &str) -> ArnPattern {
        let n = text.splitn(6, ':').count();
        let head_literal = n > 1
            && text
                .splitn(6, ':')
                .take(n - 1)
                .all(|c| !c.contains(['*', '?']));
        if head_literal {
            return ArnPattern {
                text: text.into(),
                parts: Box::new([]),
                whole: Some(Pattern::new(text, Case::Sensitive)),
            };
        }
        let parts: Vec<Pattern> = text
            .splitn(6, ':')
            .map(|p| Pattern::new(p, Case::Sensitive))
            .collect();
        ArnPattern::from_parts(text.to_string(), parts)
    }

    /// Build from already compiled components (at most six; used for patterns assembled from
    /// policy variables).
    pub(crate) fn from_parts(text: String, parts: Vec<Pattern>) -> ArnPattern {
        let head_literal = parts
            .split_last()
            .is_some_and(|(_, head)| !head.is_empty() && head.iter().all(Pattern::is_literal));
        let whole = if head_literal {
            let tokens: Vec<Token> = parts
                .iter()
                .enumerate()
                .flat_map(|(i, p)| {
                    let sep = (i > 0).then_some(Token::Char(':'));
                    sep.into_iter().chain(p.tokens())
                })
                .collect();
            Some(Pattern::from_tokens(&tokens, Case::Sensitive))
        } else {
            None
        };
        ArnPattern {
            text: text.into(),
            parts: if whole.is_some() {
                Box::new([])
            } else {
                parts.into()
            },
            whole,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The compiled components (at most six, the last holding the rest of the text).
    pub fn parts(&self) -> Vec<Pattern> {
        if self.whole.is_none() {
            return self.parts.to_vec();
        }
        self.text
            .splitn(6, ':')
            .map(|p| Pattern::new(p, Case::Sensitive))
            .collect()
    }

    /// Whether the pattern matches every string (it is `*`).
    pub fn is_any(&self) -> bool {
        &*self.text == "*" || matches!(&self.parts[..], [p] if p.is_any())
    }

    /// Whether `text` matches, given the byte offsets of its first (up to five) colons.
    #[inline]
    pub(crate) fn matches_split(&self, text: &str, colons: &[usize]) -> bool {
        if let Some(w) = &self.whole {
            return w.matches(text);
        }
        let n = self.parts.len();
        if n == 1 {
            return self.parts.first().is_some_and(|p| p.matches(text));
        }
        if colons.len() < n - 1 {
            return false;
        }
        let mut start = 0;
        for (i, p) in self.parts.iter().enumerate() {
            let end = if i + 1 == n {
                text.len()
            } else {
                match colons.get(i) {
                    Some(c) => *c,
                    None => return false,
                }
            };
            match text.get(start..end) {
                Some(comp) if p.matches(comp) => {}
                _ => return false,
            }
            start = end + 1;
        }
        true
    }

    /// Whether `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        if let Some(w) = &self.whole {
            return w.matches(text);
        }
        let n = self.parts.len();
        if n == 1 {
            return self.parts.first().is_some_and(|p| p.matches(text));
        }
        match split_components(text, n) {
            Some(comps) => self
                .parts
                .iter()
                .zip(comps.iter())
                .all(|(p, c)| p.matches(c)),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_components() {
        let a = Arn::parse("arn:aws:logs:us-east-1:111122223333:log-group:app:*").unwrap();
        assert_eq!(a.partition(), "aws");
        assert_eq!(a.service(), "logs");
        assert_eq!(a.region(), "us-east-1");
        assert_eq!(a.account(), "111122223333");
        assert_eq!(a.resource(), "log-group:app:*");
        let b = Arn::parse("arn:aws:s3:::bucket").unwrap();
        assert_eq!((b.region(), b.account(), b.resource()), ("", "", "bucket"));
        assert!(Arn::parse("arn:aws:s3::bucket").is_err());
        assert!(Arn::parse("bucket").is_err());
        assert_eq!(
            Arn::parse("nope").unwrap_err().to_string(),
            "`nope` is not an arn: it must start with `arn:`"
        );
    }

    #[test]
    fn matching_rules() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "arn:aws:s3:::b", true),
            ("*", "anything", true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y", true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b2/x", false),
            ("arn:aws:s3:::b*", "arn:aws:s3:::b2/x", true),
            (
                "arn:aws:logs:*:*:log-group:*",
                "arn:aws:logs:us-east-1:1:log-group:a:b",
                true,
            ),
            // `*` in the region component does not absorb the account.
            (
                "arn:aws:logs:*:log-group:x",
                "arn:aws:logs:r:1:log-group:x",
                false,
            ),
            // Fewer components: the last absorbs the rest.
            ("arn:aws:*", "arn:aws:s3:::b", true),
            ("arn:aws:s3:*", "arn:aws:s3:::b", true),
            ("arn:aws:s3:*", "arn:aws:sqs:r:1:q", false),
            // Case is significant.
            ("arn:aws:s3:::B", "arn:aws:s3:::b", false),
            (
                "arn:aws:iam::*:role/a?c",
                "arn:aws:iam::111122223333:role/abc",
                true,
            ),
            (
                "arn:aws:iam::*:role/a?c",
                "arn:aws:iam::111122223333:role/path/abc",
                false,
            ),
            (
                "arn:aws:iam::*:role/*abc",
                "arn:aws:iam::111122223333:role/path/abc",
                true,
            ),
            // Not an ARN at all.
            ("arn:aws:s3:::b", "b", false),
        ];
        for (p, t, want) in cases {
            assert_eq!(ArnPattern::new(p).matches(t), *want, "{p} vs {t}");
        }
    }

    #[test]
    fn account_ids() {
        assert!(is_account_id("111122223333"));
        assert!(!is_account_id("11112222333"));
        assert!(!is_account_id("11112222333a"));
    }
}
