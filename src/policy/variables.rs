//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, and the special
//! characters `${*}`, `${?}`, `${$}`.
//!
//! Source: [IAM policy elements: Variables and tags](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
//! Variables are resolved only with `"Version": "2012-10-17"`, only in the resource part of
//! `Resource`/`NotResource` entries and in values of String and ARN condition operators. A
//! variable whose key is missing from the request (and has no default) makes the value
//! unresolvable: it then matches no request value. Text that looks like a variable but is
//! malformed (no closing brace, unquoted default) stays literal text; the validator reports it.

use crate::pattern::Token;

/// A piece of a value that may contain policy variables.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TemplatePart {
    /// Literal text; in wildcard contexts its `*` and `?` are wildcards.
    Text(String),
    /// `${*}`, `${?}` or `${$}`: the character itself, never a wildcard.
    Char(char),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        /// The key as written.
        key: String,
        /// The key in lowercase, for lookup (keys ignore case).
        key_lower: String,
        /// The default used when the key is missing.
        default: Option<String>,
    },
}

/// A value split into text and policy variables.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    parts: Vec<TemplatePart>,
}

impl Template {
    /// Split `text` at its policy variables.
    pub fn parse(text: &str) -> Template {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let (before, after) = rest.split_at(start);
            literal.push_str(before);
            let inner_and_more = after.get(2..).unwrap_or("");
            let Some(close) = inner_and_more.find('}') else {
                literal.push_str(after);
                rest = "";
                break;
            };
            let inner = inner_and_more.get(..close).unwrap_or("");
            let consumed = 2 + close + 1;
            match parse_inner(inner) {
                Some(part) => {
                    if !literal.is_empty() {
                        parts.push(TemplatePart::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(part);
                }
                None => literal.push_str(after.get(..consumed).unwrap_or("")),
            }
            rest = after.get(consumed..).unwrap_or("");
        }
        literal.push_str(rest);
        if !literal.is_empty() || parts.is_empty() {
            parts.push(TemplatePart::Text(literal));
        }
        Template { parts }
    }

    /// The parts.
    pub fn parts(&self) -> &[TemplatePart] {
        &self.parts
    }

    /// Whether the value holds a variable or a special character (`${*}`…).
    pub fn has_variables(&self) -> bool {
        self.parts
            .iter()
            .any(|p| !matches!(p, TemplatePart::Text(_)))
    }

    /// Resolve to pattern tokens. Text contributes wildcards when `wildcards` is true; resolved
    /// values and special characters are always literal. `None` when a variable has no value and
    /// no default.
    pub fn tokens<'a>(
        &self,
        lookup: impl Fn(&str) -> Option<&'a str>,
        wildcards: bool,
    ) -> Option<Vec<Token>> {
        let mut out = Vec::new();
        for part in &self.parts {
            match part {
                TemplatePart::Text(t) => out.extend(t.chars().map(|c| match c {
                    '*' if wildcards => Token::AnyRun,
                    '?' if wildcards => Token::AnyChar,
                    c => Token::Char(c),
                })),
                TemplatePart::Char(c) => out.push(Token::Char(*c)),
                TemplatePart::Variable {
                    key_lower, default, ..
                } => {
                    let v = lookup(key_lower).or(default.as_deref())?;
                    out.extend(v.chars().map(Token::Char));
                }
            }
        }
        Some(out)
    }

    /// Resolve to a plain string (for exact comparison). `None` when unresolvable.
    pub fn resolve<'a>(&self, lookup: impl Fn(&str) -> Option<&'a str>) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Char(c) => out.push(*c),
                TemplatePart::Variable {
                    key_lower, default, ..
                } => out.push_str(lookup(key_lower).or(default.as_deref())?),
            }
        }
        Some(out)
    }

    /// The keys of the variables used (lowercase).
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            TemplatePart::Variable { key_lower, .. } => Some(key_lower.as_str()),
            _ => None,
        })
    }
}

fn parse_inner(inner: &str) -> Option<TemplatePart> {
    match inner {
        "*" => return Some(TemplatePart::Char('*')),
        "?" => return Some(TemplatePart::Char('?')),
        "$" => return Some(TemplatePart::Char('$')),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((k, d)) => {
            // `${key, 'default'}`: a comma, one space, and the default in single quotes.
            let d = d.strip_prefix(' ')?;
            let d = d.strip_prefix('\'')?.strip_suffix('\'')?;
            (k, Some(d.to_string()))
        }
        None => (inner, None),
    };
    if key.is_empty() || key.chars().any(char::is_whitespace) || key.contains('$') {
        return None;
    }
    Some(TemplatePart::Variable {
        key: key.to_string(),
        key_lower: key.to_lowercase(),
        default,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(k: &str) -> Option<&'static str> {
        match k {
            "aws:username" => Some("alice"),
            "aws:principaltag/team" => Some("a*b"),
            _ => None,
        }
    }

    #[test]
    fn splits_and_resolves() {
        let t = Template::parse("arn:aws:s3:::bucket/${aws:username}/*");
        assert!(t.has_variables());
        assert_eq!(
            t.resolve(lookup).as_deref(),
            Some("arn:aws:s3:::bucket/alice/*")
        );
        let t = Template::parse("home/${AWS:UserName}");
        assert_eq!(t.resolve(lookup).as_deref(), Some("home/alice"));
        let t = Template::parse("${aws:missing, 'dflt'}");
        assert_eq!(t.resolve(lookup).as_deref(), Some("dflt"));
        assert_eq!(Template::parse("${aws:missing}").resolve(lookup), None);
    }

    #[test]
    fn resolved_values_and_specials_are_literal() {
        let t = Template::parse("${aws:PrincipalTag/team}-${*}-*");
        let toks = t.tokens(lookup, true).unwrap();
        assert_eq!(
            toks,
            vec![
                Token::Char('a'),
                Token::Char('*'),
                Token::Char('b'),
                Token::Char('-'),
                Token::Char('*'),
                Token::Char('-'),
                Token::AnyRun
            ]
        );
    }

    #[test]
    fn malformed_variables_stay_literal() {
        for s in [
            "${aws:username",
            "${aws:username,'x'}",
            "${}",
            "${a b}",
            "a${",
        ] {
            let t = Template::parse(s);
            assert!(!t.has_variables(), "{s}");
            assert_eq!(t.resolve(lookup).as_deref(), Some(s));
        }
    }
}
