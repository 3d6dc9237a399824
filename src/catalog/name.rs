//! Name comparison (IAM names compare without regard to ASCII case) and condition key templates.

use std::cmp::Ordering;

use crate::pattern::{Case, Pattern, Token};

/// Compare two names as IAM does for service prefixes, actions and condition keys: ASCII letters
/// without regard to case, everything else byte by byte. All names in the reference are ASCII.
pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let mut x = a.bytes().map(|c| c.to_ascii_lowercase());
    let mut y = b.bytes().map(|c| c.to_ascii_lowercase());
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => match p.cmp(&q) {
                Ordering::Equal => {}
                other => return other,
            },
        }
    }
}

/// One piece of a templated condition key name such as `aws:RequestTag/${TagKey}` or
/// `s3:ExistingObjectTag/<key>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyPart<'a> {
    Literal(&'a str),
    /// `${Name}` or `<name>`: any non-empty text (a tag key, a context key, …).
    Placeholder(&'a str),
}

/// Split a key name into literal text and placeholders. `${…}` and `<…>` are placeholders, as the
/// reference writes them; an unclosed opener is literal text.
pub(crate) fn key_parts(name: &str) -> Vec<KeyPart<'_>> {
    let mut parts = Vec::new();
    let mut rest = name;
    while !rest.is_empty() {
        let dollar = rest.find("${").map(|i| (i, 2, '}'));
        let angle = rest.find('<').map(|i| (i, 1, '>'));
        let opener = match (dollar, angle) {
            (Some(d), Some(a)) => Some(if d.0 <= a.0 { d } else { a }),
            (d, a) => d.or(a),
        };
        let Some((at, open_len, close)) = opener else {
            parts.push(KeyPart::Literal(rest));
            break;
        };
        let after = rest.get(at + open_len..).unwrap_or("");
        let Some(end) = after.find(close) else {
            parts.push(KeyPart::Literal(rest));
            break;
        };
        if at > 0 {
            parts.push(KeyPart::Literal(rest.get(..at).unwrap_or("")));
        }
        parts.push(KeyPart::Placeholder(after.get(..end).unwrap_or("")));
        rest = after.get(end + 1..).unwrap_or("");
    }
    parts
}

/// Whether a key name has a placeholder.
pub(crate) fn is_templated(name: &str) -> bool {
    key_parts(name)
        .iter()
        .any(|p| matches!(p, KeyPart::Placeholder(_)))
}

/// A templated key compiled for matching concrete names (`aws:RequestTag/team`).
pub(crate) struct Template {
    /// Literal text before the first placeholder: a cheap first filter.
    pub(crate) lead: String,
    /// Number of literal characters (more = more specific).
    pub(crate) literal_len: usize,
    /// The template is `lead` then one placeholder (`aws:RequestTag/${TagKey}`): no pattern needed.
    lead_only: bool,
    pattern: Pattern,
}

impl Template {
    /// Compile `name`; `None` when it has no placeholder.
    pub(crate) fn new(name: &str) -> Option<Template> {
        let parts = key_parts(name);
        if !parts.iter().any(|p| matches!(p, KeyPart::Placeholder(_))) {
            return None;
        }
        let mut tokens = Vec::new();
        let mut lead = String::new();
        let mut in_lead = true;
        let mut literal_len = 0;
        for p in parts {
            match p {
                KeyPart::Literal(text) => {
                    tokens.extend(text.chars().map(Token::Char));
                    literal_len += text.len();
                    if in_lead {
                        lead.push_str(text);
                    }
                }
                KeyPart::Placeholder(_) => {
                    // One or more characters of any kind: tag keys may hold `/`, `:` and spaces.
                    tokens.push(Token::AnyChar);
                    tokens.push(Token::AnyRun);
                    in_lead = false;
                }
            }
        }
        let lead_only = literal_len == lead.len()
            && matches!(tokens.as_slice(), [.., Token::AnyChar, Token::AnyRun])
            && tokens.iter().filter(|t| **t == Token::AnyRun).count() == 1;
        Some(Template {
            lead,
            literal_len,
            lead_only,
            pattern: Pattern::from_tokens(&tokens, Case::Insensitive),
        })
    }

    /// Whether the concrete key `name` is an instance of this template.
    pub(crate) fn matches(&self, name: &str) -> bool {
        let lead_ok = name
            .get(..self.lead.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(&self.lead));
        if self.lead_only {
            return lead_ok && name.len() > self.lead.len();
        }
        lead_ok && self.pattern.matches(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_without_ascii_case() {
        assert_eq!(cmp_ignore_case("GetObject", "getobject"), Ordering::Equal);
        assert_eq!(cmp_ignore_case("a", "B"), Ordering::Less);
        assert_eq!(cmp_ignore_case("ab", "A"), Ordering::Greater);
    }

    #[test]
    fn splits_both_placeholder_styles() {
        assert_eq!(
            key_parts("aws:RequestTag/${TagKey}"),
            vec![
                KeyPart::Literal("aws:RequestTag/"),
                KeyPart::Placeholder("TagKey")
            ]
        );
        assert_eq!(
            key_parts("s3:ExistingObjectTag/<key>"),
            vec![
                KeyPart::Literal("s3:ExistingObjectTag/"),
                KeyPart::Placeholder("key")
            ]
        );
        assert_eq!(
            key_parts("codebuild:secondarySources/${id}.auth.type"),
            vec![
                KeyPart::Literal("codebuild:secondarySources/"),
                KeyPart::Placeholder("id"),
                KeyPart::Literal(".auth.type")
            ]
        );
        assert_eq!(key_parts("a:${open"), vec![KeyPart::Literal("a:${open")]);
        assert!(!is_templated("aws:SourceIp"));
    }

    #[test]
    fn templates_match_instances_without_case() {
        let t = Template::new("aws:RequestTag/${TagKey}").unwrap();
        assert!(t.matches("aws:RequestTag/team"));
        assert!(t.matches("AWS:requesttag/Cost Center:a/b"));
        assert!(
            !t.matches("aws:RequestTag/"),
            "the tag key part is required"
        );
        assert!(!t.matches("aws:ResourceTag/team"));
        let mid = Template::new("codebuild:secondarySources/${id}.location").unwrap();
        assert!(mid.matches("codebuild:secondarySources/src1.location"));
        assert!(!mid.matches("codebuild:secondarySources/.location"));
        assert!(!mid.matches("codebuild:secondarySources/src1.type"));
        assert!(Template::new("aws:SourceIp").is_none());
    }
}
