//! ARN formats of resource types, and whether an ARN (or an ARN pattern) can name a resource of
//! that type. The rule is written down in `src/manual/catalog.md`; in short:
//!
//! * The ARN and the format are both split at their first five colons into six fields
//!   (`arn`, partition, service, region, account, resource), and the fields are compared one by
//!   one, as IAM compares resource ARNs (IAM User Guide, "IAM JSON policy elements: Resource").
//!   Comparison is case-sensitive.
//! * In the ARN, `*` matches any run of characters and `?` any one character (a concrete ARN is
//!   simply a pattern without wildcards). In the format, `*` (a few formats have it, such as DMS's
//!   `endpoint:*`) matches any run too.
//! * A `${Placeholder}` stands for one or more characters, never `:` in the first five fields.
//!   In the resource part a placeholder never holds `/` when the format has `/` right after it or
//!   when it is the whole resource part (S3 bucket names, SNS topic and SQS queue names), and never
//!   holds `:` unless it ends a resource part that has no literal `:` (S3 object keys may hold `:`,
//!   but Lambda's `function:${FunctionName}` must not match the qualified
//!   `function:name:alias`).
//!
//! The answer is "is there at least one ARN that both the pattern and the format describe", found
//! by a search over pairs of positions (at most pattern length × format length states).

use std::fmt;

/// Longest ARN pattern considered (IAM's ARN limit is 2,048 characters); longer ones match no
/// format.
const MAX_PATTERN_CHARS: usize = 4096;

/// One resource type's ARN format, such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
///
/// # Example
///
/// ```
/// use perimeter::catalog::{ArnSegment, Catalog};
///
/// let object = Catalog::embedded()
///     .service("s3")
///     .and_then(|s| s.resource_type("object"))
///     .ok_or("no s3 object resource type")?;
/// let format = object.arn_formats().next().ok_or("no ARN format")?;
/// assert_eq!(format.as_str(), "arn:${Partition}:s3:::${BucketName}/${ObjectName}");
/// assert!(format.matches("arn:aws:s3:::my-bucket/reports/2024.csv"));
/// assert!(format.matches("arn:aws:s3:::my-bucket/*"));
/// assert!(!format.matches("arn:aws:s3:::my-bucket"));
/// let names: Vec<&str> = format.placeholders().collect();
/// assert_eq!(names, ["Partition", "BucketName", "ObjectName"]);
/// assert_eq!(format.segments().next(), Some(ArnSegment::Literal("arn:")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArnFormat<'c> {
    text: &'c str,
}

/// A piece of an [`ArnFormat`], for filling in a template (policy generation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArnSegment<'c> {
    /// Text that appears as is.
    Literal(&'c str),
    /// `${Name}`: the name between the braces.
    Placeholder(&'c str),
    /// A `*` written in the format itself (any run of characters).
    Wildcard,
}

impl<'c> ArnFormat<'c> {
    pub(crate) fn new(text: &'c str) -> ArnFormat<'c> {
        ArnFormat { text }
    }

    /// The format as the reference writes it.
    pub fn as_str(&self) -> &'c str {
        self.text
    }

    /// The format as literal text, `${…}` placeholders and `*` wildcards, in order.
    pub fn segments(&self) -> impl Iterator<Item = ArnSegment<'c>> + 'c {
        Segments { rest: self.text }
    }

    /// The names of the placeholders, in order (`Partition`, `Region`, `Account`, …).
    pub fn placeholders(&self) -> impl Iterator<Item = &'c str> + 'c {
        self.segments().filter_map(|s| match s {
            ArnSegment::Placeholder(name) => Some(name),
            _ => None,
        })
    }

    /// Whether some ARN is described both by this format and by `arn`, which may be a concrete
    /// ARN or an ARN pattern with `*` and `?` (as in a policy's `Resource`; `"*"` alone matches
    /// every format). Policy variables (`${aws:username}`) are not interpreted: replace them (for
    /// example by `*`) first. See the module documentation for the rule.
    pub fn matches(&self, arn: &str) -> bool {
        if arn == "*" {
            return true;
        }
        if arn.chars().count() > MAX_PATTERN_CHARS {
            return false;
        }
        let pattern_fields: Vec<&str> = arn.splitn(6, ':').collect();
        let format_fields: Vec<&str> = self.text.splitn(6, ':').collect();
        let ([p0, p1, p2, p3, p4, p5], [f0, f1, f2, f3, f4, f5]) =
            (pattern_fields.as_slice(), format_fields.as_slice())
        else {
            return false;
        };
        let mut fmt_tokens = Vec::new();
        let mut pat_tokens = Vec::new();
        for (f, p, resource) in [
            (f0, p0, false),
            (f1, p1, false),
            (f2, p2, false),
            (f3, p3, false),
            (f4, p4, false),
            (f5, p5, true),
        ] {
            fmt_tokens.clear();
            pat_tokens.clear();
            format_tokens(f, resource, &mut fmt_tokens);
            pattern_tokens(p, &mut pat_tokens);
            if !intersects(&fmt_tokens, &pat_tokens) {
                return false;
            }
        }
        true
    }
}

impl fmt::Debug for ArnFormat<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.text, f)
    }
}

impl fmt::Display for ArnFormat<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

struct Segments<'c> {
    rest: &'c str,
}

impl<'c> Iterator for Segments<'c> {
    type Item = ArnSegment<'c>;

    fn next(&mut self) -> Option<ArnSegment<'c>> {
        let rest = self.rest;
        if rest.is_empty() {
            return None;
        }
        if let Some(after) = rest.strip_prefix('*') {
            self.rest = after;
            return Some(ArnSegment::Wildcard);
        }
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(end) = after.find('}') {
                self.rest = after.get(end + 1..).unwrap_or("");
                return Some(ArnSegment::Placeholder(after.get(..end).unwrap_or("")));
            }
            // An unclosed `${` is text.
            self.rest = "";
            return Some(ArnSegment::Literal(rest));
        }
        let stop = rest
            .char_indices()
            .skip(1)
            .find(|&(i, c)| {
                c == '*' || (c == '$' && rest.get(i..).is_some_and(|t| t.starts_with("${")))
            })
            .map_or(rest.len(), |(i, _)| i);
        self.rest = rest.get(stop..).unwrap_or("");
        Some(ArnSegment::Literal(rest.get(..stop).unwrap_or(rest)))
    }
}

/// A set of characters.
#[derive(Clone, Copy, Debug)]
enum Class {
    Exact(char),
    Any,
    /// Any character except `/` (when `slash`) and `:` (when `colon`).
    Except {
        slash: bool,
        colon: bool,
    },
}

impl Class {
    fn admits(self, c: char) -> bool {
        match self {
            Class::Exact(x) => x == c,
            Class::Any => true,
            Class::Except { slash, colon } => !((slash && c == '/') || (colon && c == ':')),
        }
    }
}

/// Whether two sets share a character.
fn meet(a: Class, b: Class) -> bool {
    match (a, b) {
        (Class::Exact(x), other) | (other, Class::Exact(x)) => other.admits(x),
        // Both admit letters.
        _ => true,
    }
}

#[derive(Clone, Copy, Debug)]
enum Tok {
    /// Exactly one character of the set.
    One(Class),
    /// Any number (zero or more) of characters of the set.
    Many(Class),
}

fn pattern_tokens(field: &str, out: &mut Vec<Tok>) {
    out.extend(field.chars().map(|c| match c {
        '*' => Tok::Many(Class::Any),
        '?' => Tok::One(Class::Any),
        c => Tok::One(Class::Exact(c)),
    }));
}

fn format_tokens(field: &str, resource: bool, out: &mut Vec<Tok>) {
    let segments: Vec<ArnSegment<'_>> = Segments { rest: field }.collect();
    let whole = matches!(segments.as_slice(), [ArnSegment::Placeholder(_)]);
    let literal_colon = segments
        .iter()
        .any(|s| matches!(s, ArnSegment::Literal(t) if t.contains(':')));
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            ArnSegment::Literal(text) => {
                out.extend(text.chars().map(|c| Tok::One(Class::Exact(c))))
            }
            ArnSegment::Wildcard => out.push(Tok::Many(Class::Any)),
            ArnSegment::Placeholder(_) => {
                let class = if !resource {
                    Class::Except {
                        slash: false,
                        colon: true,
                    }
                } else {
                    let next = segments.get(i + 1);
                    let before_slash =
                        matches!(next, Some(ArnSegment::Literal(t)) if t.starts_with('/'));
                    let last = next.is_none();
                    Class::Except {
                        slash: whole || before_slash,
                        colon: !(last && !literal_colon && !whole),
                    }
                };
                out.push(Tok::One(class));
                out.push(Tok::Many(class));
            }
        }
    }
}

/// Whether some string is matched by both token sequences: a search over position pairs, with
/// `Many` tokens either skipped or kept while a character is consumed.
fn intersects(a: &[Tok], b: &[Tok]) -> bool {
    let width = b.len() + 1;
    let Some(states) = (a.len() + 1).checked_mul(width) else {
        return false;
    };
    let mut seen = vec![false; states];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        match seen.get_mut(i * width + j) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        let ta = a.get(i).copied();
        let tb = b.get(j).copied();
        if let Some(Tok::Many(_)) = ta {
            stack.push((i + 1, j));
        }
        if let Some(Tok::Many(_)) = tb {
            stack.push((i, j + 1));
        }
        if let (Some(x), Some(y)) = (ta, tb) {
            let (cx, ni) = match x {
                Tok::One(c) => (c, i + 1),
                Tok::Many(c) => (c, i),
            };
            let (cy, nj) = match y {
                Tok::One(c) => (c, j + 1),
                Tok::Many(c) => (c, j),
            };
            if (ni, nj) != (i, j) && meet(cx, cy) {
                stack.push((ni, nj));
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(text: &str) -> ArnFormat<'_> {
        ArnFormat::new(text)
    }

    #[test]
    fn segments_split_placeholders_and_wildcards() {
        let segs: Vec<ArnSegment<'_>> = f("arn:${Partition}:dms:${Region}:${Account}:cert:*")
            .segments()
            .collect();
        assert_eq!(
            segs,
            [
                ArnSegment::Literal("arn:"),
                ArnSegment::Placeholder("Partition"),
                ArnSegment::Literal(":dms:"),
                ArnSegment::Placeholder("Region"),
                ArnSegment::Literal(":"),
                ArnSegment::Placeholder("Account"),
                ArnSegment::Literal(":cert:"),
                ArnSegment::Wildcard,
            ]
        );
        let joined: String = f("a$b${X}c")
            .segments()
            .map(|s| match s {
                ArnSegment::Literal(t) => t.to_string(),
                ArnSegment::Placeholder(p) => format!("${{{p}}}"),
                ArnSegment::Wildcard => "*".into(),
            })
            .collect();
        assert_eq!(joined, "a$b${X}c");
    }

    #[test]
    fn bucket_and_object_are_told_apart() {
        let bucket = f("arn:${Partition}:s3:::${BucketName}");
        let object = f("arn:${Partition}:s3:::${BucketName}/${ObjectName}");
        assert!(bucket.matches("arn:aws:s3:::b"));
        assert!(!bucket.matches("arn:aws:s3:::b/k"));
        assert!(!object.matches("arn:aws:s3:::b"));
        assert!(object.matches("arn:aws:s3:::b/k"));
        assert!(object.matches("arn:aws:s3:::b/dir/k:with:colons"));
        // A pattern that covers both.
        assert!(bucket.matches("arn:aws:s3:::b*"));
        assert!(object.matches("arn:aws:s3:::b*"));
        assert!(object.matches("arn:aws:s3:::*"));
        assert!(
            !object.matches("arn:aws:s3:::b/"),
            "the key must not be empty"
        );
        // Fields are compared one by one and case-sensitively.
        assert!(!bucket.matches("arn:aws:S3:::b"));
        assert!(!bucket.matches("arn:aws:s3:us-east-1::b"));
        assert!(!bucket.matches("arn:aws:s3"));
        assert!(bucket.matches("*"));
    }

    #[test]
    fn colon_qualified_names_are_other_types() {
        let function = f("arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}");
        let alias =
            f("arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Alias}");
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:my-fn";
        assert!(function.matches(arn));
        assert!(!alias.matches(arn));
        assert!(!function.matches("arn:aws:lambda:us-east-1:123456789012:function:my-fn:prod"));
        assert!(alias.matches("arn:aws:lambda:us-east-1:123456789012:function:my-fn:prod"));
        assert!(alias.matches("arn:aws:lambda:us-east-1:123456789012:function:my-fn:*"));
        assert!(!function.matches("arn:aws:lambda:us-east-1:123456789012:function:my-fn:*"));
    }

    #[test]
    fn wildcards_in_the_first_fields_stay_in_their_field() {
        let key = f("arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}");
        assert!(key.matches("arn:aws:kms:*:*:key/*"));
        assert!(key.matches("arn:aws:kms:us-?ast-1:111122223333:key/1234abcd"));
        assert!(!key.matches("arn:aws:kms:*:key/1234"), "too few fields");
        assert!(!key.matches("arn:aws:kms:us-east-1:111122223333:alias/x"));
        let empty_region = f("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}");
        assert!(empty_region.matches("arn:aws:iam::111122223333:role/a/b/c"));
        assert!(!empty_region.matches("arn:aws:iam:us-east-1:111122223333:role/r"));
    }

    #[test]
    fn literal_wildcards_in_formats_match_runs() {
        let endpoint = f("arn:${Partition}:dms:${Region}:${Account}:endpoint:*");
        assert!(endpoint.matches("arn:aws:dms:us-east-1:111122223333:endpoint:ABCDEF"));
        assert!(!endpoint.matches("arn:aws:dms:us-east-1:111122223333:rep:ABCDEF"));
    }

    #[test]
    fn huge_patterns_match_nothing_quickly() {
        let object = f("arn:${Partition}:s3:::${BucketName}/${ObjectName}");
        let long = format!("arn:aws:s3:::{}", "*a".repeat(3000));
        assert!(!object.matches(&long));
        let big = format!("arn:aws:s3:::{}/x", "*?".repeat(1000));
        assert!(object.matches(&big));
    }
}
