//! From the JSON tree to the policy model, with located errors.

use super::{
    ConditionBlock, ConditionEntry, ConditionValue, Effect, Limits, ListElement, Operator, Policy,
    Principal, PrincipalElement, PrincipalKind, Spanned, Statement, Values, Version,
};
use crate::error::{quote, Error, ErrorKind};
use crate::json::{self, Member, Node, Path, PathSegment, Span, Value};

/// A borrowed JSON path, extended without allocating; turned into a [`Path`] only for an error.
#[derive(Clone, Copy)]
struct At<'a> {
    parent: Option<&'a At<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> At<'a> {
    const ROOT: At<'static> = At {
        parent: None,
        seg: Seg::Root,
    };

    fn key(&'a self, key: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    fn index(&'a self, index: usize) -> At<'a> {
        At {
            parent: Some(self),
            seg: Seg::Index(index),
        }
    }

    fn path(&self) -> Path {
        let mut segs = Vec::new();
        let mut cur = Some(self);
        while let Some(at) = cur {
            match at.seg {
                Seg::Root => {}
                Seg::Key(k) => segs.push(PathSegment::Key(k.to_string())),
                Seg::Index(i) => segs.push(PathSegment::Index(i)),
            }
            cur = at.parent;
        }
        segs.reverse();
        Path(segs)
    }

    fn location(&self, pos: json::Position) -> crate::Location {
        self.path().location(pos)
    }
}

const POLICY_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

fn err(message: String, path: &At<'_>, span: Span) -> Error {
    Error::at(ErrorKind::Policy, message, path.location(span.start))
}

fn limit(message: String, path: &At<'_>, span: Span) -> Error {
    Error::at(ErrorKind::Limit, message, path.location(span.start))
}

pub(super) fn parse_text(text: &str, limits: &Limits) -> Result<Policy, Error> {
    let root = json::parse(text, &limits.json)?;
    from_root(root, limits, 0)
}

pub(super) fn parse_serde(value: &serde_json::Value, limits: &Limits) -> Result<Policy, Error> {
    let root = from_serde(value, 0, limits.json.max_depth)?;
    from_root(root, limits, 0)
}

/// Convert a `serde_json::Value` to a located tree with empty spans.
pub(crate) fn from_serde(
    value: &serde_json::Value,
    depth: usize,
    max_depth: usize,
) -> Result<Node, Error> {
    use serde_json::Value as S;
    let value = match value {
        S::Null => Value::Null,
        S::Bool(b) => Value::Bool(*b),
        S::Number(n) => Value::Number(n.to_string()),
        S::String(s) => Value::String(s.clone()),
        S::Array(_) | S::Object(_) if depth >= max_depth => {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("nesting is deeper than the limit of {max_depth}"),
            ));
        }
        S::Array(a) => Value::Array(
            a.iter()
                .map(|v| from_serde(v, depth + 1, max_depth))
                .collect::<Result<_, _>>()?,
        ),
        S::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    Ok(Member {
                        key: k.clone(),
                        key_span: Span::default(),
                        value: from_serde(v, depth + 1, max_depth)?,
                    })
                })
                .collect::<Result<_, Error>>()?,
        ),
    };
    Ok(Node {
        value,
        span: Span::default(),
    })
}

/// Decode `%7B%22Version…` as the IAM API returns policy documents.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Unwrap the forms a policy arrives in, then read the document.
fn from_root(root: Node, limits: &Limits, nesting: usize) -> Result<Policy, Error> {
    if nesting > 3 {
        return Err(Error::new(
            ErrorKind::Policy,
            "policy is wrapped in too many layers of strings and wrappers",
        ));
    }
    match &root.value {
        Value::String(s) => {
            let trimmed = s.trim_start();
            let decoded;
            let inner = if trimmed.len() >= 3
                && trimmed
                    .get(..3)
                    .is_some_and(|p| p.eq_ignore_ascii_case("%7b"))
            {
                decoded = percent_decode(trimmed).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Syntax,
                        "policy string is not valid url-encoded text",
                    )
                })?;
                decoded.as_str()
            } else {
                s.as_str()
            };
            let node = json::parse(inner, &limits.json)
                .map_err(|e| e.context("in the policy text inside a json string: "))?;
            from_root(node, limits, nesting + 1)
        }
        Value::Object(members) => {
            let has = |k: &str| members.iter().any(|m| m.key == k);
            if !has("Statement") {
                for wrapper in ["Policy", "PolicyDocument", "AssumeRolePolicyDocument"] {
                    if let Some(m) = members.iter().find(|m| m.key == wrapper) {
                        if matches!(m.value.value, Value::String(_) | Value::Object(_)) {
                            return from_root(m.value.clone(), limits, nesting + 1);
                        }
                    }
                }
                if let Some(doc) = root.get("PolicyVersion").and_then(|v| v.get("Document")) {
                    return from_root(doc.clone(), limits, nesting + 1);
                }
            }
            read_policy(&root, limits)
        }
        other => Err(err(
            format!(
                "a policy must be a json object, found {}",
                other.type_name()
            ),
            &At::ROOT,
            root.span,
        )),
    }
}

fn suggestion(key: &str, allowed: &[&str]) -> String {
    match allowed.iter().find(|a| a.eq_ignore_ascii_case(key)) {
        Some(a) => format!(" (did you mean `{a}`? element names are case-sensitive)"),
        None => format!(
            " (expected one of {})",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn check_members<'a>(
    node: &'a Node,
    allowed: &[&str],
    what: &str,
    path: &At<'_>,
) -> Result<&'a [Member], Error> {
    let Value::Object(members) = &node.value else {
        return Err(err(
            format!(
                "{what} must be a json object, found {}",
                node.value.type_name()
            ),
            path,
            node.span,
        ));
    };
    for (i, m) in members.iter().enumerate() {
        if !allowed.contains(&m.key.as_str()) {
            return Err(err(
                format!(
                    "unknown {what} element {}{}",
                    quote(&m.key),
                    suggestion(&m.key, allowed)
                ),
                &path.key(&m.key),
                m.key_span,
            ));
        }
        if members.iter().take(i).any(|p| p.key == m.key) {
            return Err(err(
                format!("duplicate {what} element {}", quote(&m.key)),
                &path.key(&m.key),
                m.key_span,
            ));
        }
    }
    Ok(members)
}

fn string_of(
    node: &Node,
    what: &str,
    path: &At<'_>,
    limits: &Limits,
) -> Result<Spanned<String>, Error> {
    match &node.value {
        Value::String(s) => {
            if s.chars().count() > limits.max_value_chars {
                return Err(limit(
                    format!(
                        "{what} is longer than the limit of {} characters",
                        limits.max_value_chars
                    ),
                    path,
                    node.span,
                ));
            }
            Ok(Spanned::new(s.clone(), node.span))
        }
        other => Err(err(
            format!("{what} must be a string, found {}", other.type_name()),
            path,
            node.span,
        )),
    }
}

fn values_of(node: &Node, what: &str, path: &At<'_>, limits: &Limits) -> Result<Values, Error> {
    match &node.value {
        Value::String(_) => Ok(Values {
            items: vec![string_of(node, what, path, limits)?],
            scalar: true,
        }),
        Value::Array(items) => {
            if items.len() > limits.max_values {
                return Err(limit(
                    format!(
                        "{what} lists {} values, more than the limit of {}",
                        items.len(),
                        limits.max_values
                    ),
                    path,
                    node.span,
                ));
            }
            let items = items
                .iter()
                .enumerate()
                .map(|(i, n)| string_of(n, what, &path.index(i), limits))
                .collect::<Result<_, _>>()?;
            Ok(Values {
                items,
                scalar: false,
            })
        }
        other => Err(err(
            format!(
                "{what} must be a string or an array of strings, found {}",
                other.type_name()
            ),
            path,
            node.span,
        )),
    }
}

fn read_policy(root: &Node, limits: &Limits) -> Result<Policy, Error> {
    let path = At::ROOT;
    let members = check_members(root, POLICY_ELEMENTS, "policy", &path)?;
    let mut version = None;
    let mut id = None;
    let mut statements = None;
    let mut statement_is_array = true;
    for m in members {
        let p = path.key(&m.key);
        match m.key.as_str() {
            "Version" => {
                let s = string_of(&m.value, "`Version`", &p, limits)?;
                let v = match s.value.as_str() {
                    "2012-10-17" => Version::V2012_10_17,
                    "2008-10-17" => Version::V2008_10_17,
                    other => {
                        return Err(err(
                            format!(
                                "`Version` must be `2012-10-17` or `2008-10-17`, not {}",
                                quote(other)
                            ),
                            &p,
                            m.value.span,
                        ))
                    }
                };
                version = Some(Spanned::new(v, m.value.span));
            }
            "Id" => id = Some(string_of(&m.value, "`Id`", &p, limits)?),
            "Statement" => {
                let list: Vec<(At<'_>, &Node)> = match &m.value.value {
                    Value::Array(items) => {
                        if items.len() > limits.max_statements {
                            return Err(limit(
                                format!(
                                    "policy has {} statements, more than the limit of {}",
                                    items.len(),
                                    limits.max_statements
                                ),
                                &p,
                                m.value.span,
                            ));
                        }
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, n)| (p.index(i), n))
                            .collect()
                    }
                    Value::Object(_) => {
                        statement_is_array = false;
                        vec![(p, &m.value)]
                    }
                    other => {
                        return Err(err(
                            format!(
                                "`Statement` must be an object or an array of objects, found {}",
                                other.type_name()
                            ),
                            &p,
                            m.value.span,
                        ))
                    }
                };
                let mut out = Vec::with_capacity(list.len());
                for (i, (sp, node)) in list.into_iter().enumerate() {
                    out.push(
                        read_statement(node, &sp, limits)
                            .map_err(|e| e.context(&format!("statement {i}: ")))?,
                    );
                }
                statements = Some(out);
            }
            _ => {}
        }
    }
    let Some(statements) = statements else {
        return Err(err(
            "policy has no `Statement` element".into(),
            &path,
            root.span,
        ));
    };
    Ok(Policy {
        version,
        id,
        statements,
        statement_is_array,
        span: root.span,
    })
}

fn read_statement(node: &Node, path: &At<'_>, limits: &Limits) -> Result<Statement, Error> {
    let members = check_members(node, STATEMENT_ELEMENTS, "statement", path)?;
    let get = |k: &str| members.iter().find(|m| m.key == k);
    for (a, b) in [
        ("Principal", "NotPrincipal"),
        ("Action", "NotAction"),
        ("Resource", "NotResource"),
    ] {
        if let (Some(_), Some(mb)) = (get(a), get(b)) {
            return Err(err(
                format!("a statement cannot have both `{a}` and `{b}`"),
                &path.key(b),
                mb.key_span,
            ));
        }
    }
    let sid = match get("Sid") {
        Some(m) => Some(string_of(&m.value, "`Sid`", &path.key("Sid"), limits)?),
        None => None,
    };
    let effect = match get("Effect") {
        Some(m) => {
            let p = path.key("Effect");
            let s = string_of(&m.value, "`Effect`", &p, limits)?;
            let e = match s.value.as_str() {
                "Allow" => Effect::Allow,
                "Deny" => Effect::Deny,
                other => {
                    return Err(err(
                        format!("`Effect` must be `Allow` or `Deny`, not {}", quote(other)),
                        &p,
                        m.value.span,
                    ))
                }
            };
            Spanned::new(e, m.value.span)
        }
        None => {
            return Err(err(
                "statement has no `Effect` element".into(),
                path,
                node.span,
            ))
        }
    };
    let principal = match (get("Principal"), get("NotPrincipal")) {
        (Some(m), _) => Some(read_principal(
            &m.value,
            false,
            &path.key("Principal"),
            limits,
        )?),
        (_, Some(m)) => Some(read_principal(
            &m.value,
            true,
            &path.key("NotPrincipal"),
            limits,
        )?),
        _ => None,
    };
    let list = |key: &str, negated: bool| -> Result<ListElement, Error> {
        let m = get(key).ok_or_else(|| Error::new(ErrorKind::Policy, "internal"))?;
        Ok(ListElement {
            negated,
            values: values_of(&m.value, &format!("`{key}`"), &path.key(key), limits)?,
            span: m.value.span,
        })
    };
    let action = if get("Action").is_some() {
        list("Action", false)?
    } else if get("NotAction").is_some() {
        list("NotAction", true)?
    } else {
        return Err(err(
            "statement has neither `Action` nor `NotAction`".into(),
            path,
            node.span,
        ));
    };
    let resource = if get("Resource").is_some() {
        Some(list("Resource", false)?)
    } else if get("NotResource").is_some() {
        Some(list("NotResource", true)?)
    } else {
        None
    };
    let (condition, has_condition) = match get("Condition") {
        Some(m) => (
            read_condition(&m.value, &path.key("Condition"), limits)?,
            true,
        ),
        None => (Vec::new(), false),
    };
    Ok(Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        condition,
        has_condition,
        span: node.span,
    })
}

fn read_principal(
    node: &Node,
    negated: bool,
    path: &At<'_>,
    limits: &Limits,
) -> Result<PrincipalElement, Error> {
    let what = if negated {
        "`NotPrincipal`"
    } else {
        "`Principal`"
    };
    let principal = match &node.value {
        Value::String(s) if s == "*" => Principal::Any,
        Value::String(s) => {
            return Err(err(
                format!(
                "{what} must be `\"*\"` or an object such as `{{\"AWS\": …}}`, not the string {}",
                quote(s)
            ),
                path,
                node.span,
            ))
        }
        Value::Object(members) => {
            let mut entries = Vec::with_capacity(members.len());
            for (i, m) in members.iter().enumerate() {
                let p = path.key(&m.key);
                let Some(kind) = PrincipalKind::parse(&m.key) else {
                    return Err(err(
                        format!(
                            "unknown principal type {}{}",
                            quote(&m.key),
                            suggestion(&m.key, &["AWS", "Service", "Federated", "CanonicalUser"])
                        ),
                        &p,
                        m.key_span,
                    ));
                };
                if members.iter().take(i).any(|q| q.key == m.key) {
                    return Err(err(
                        format!("duplicate principal type {}", quote(&m.key)),
                        &p,
                        m.key_span,
                    ));
                }
                let values = values_of(&m.value, &format!("{what} `{}`", m.key), &p, limits)?;
                entries.push((Spanned::new(kind, m.key_span), values));
            }
            Principal::Map(entries)
        }
        other => {
            return Err(err(
                format!(
                    "{what} must be `\"*\"` or an object, found {}",
                    other.type_name()
                ),
                path,
                node.span,
            ))
        }
    };
    Ok(PrincipalElement {
        negated,
        principal,
        span: node.span,
    })
}

fn condition_value(
    node: &Node,
    path: &At<'_>,
    limits: &Limits,
) -> Result<Spanned<ConditionValue>, Error> {
    let v = match &node.value {
        Value::String(s) => {
            if s.chars().count() > limits.max_value_chars {
                return Err(limit(
                    format!(
                        "condition value is longer than the limit of {} characters",
                        limits.max_value_chars
                    ),
                    path,
                    node.span,
                ));
            }
            ConditionValue::String(s.clone())
        }
        Value::Number(n) => ConditionValue::Number(n.clone()),
        Value::Bool(b) => ConditionValue::Bool(*b),
        other => {
            return Err(err(
                format!(
                    "a condition value must be a string, number or boolean, found {}",
                    other.type_name()
                ),
                path,
                node.span,
            ))
        }
    };
    Ok(Spanned::new(v, node.span))
}

fn read_condition(
    node: &Node,
    path: &At<'_>,
    limits: &Limits,
) -> Result<Vec<ConditionBlock>, Error> {
    let Value::Object(ops) = &node.value else {
        return Err(err(
            format!(
                "`Condition` must be an object, found {}",
                node.value.type_name()
            ),
            path,
            node.span,
        ));
    };
    let mut blocks: Vec<ConditionBlock> = Vec::with_capacity(ops.len());
    for m in ops {
        let p = path.key(&m.key);
        let Some(op) = Operator::parse(&m.key) else {
            let hint = if m.key.to_ascii_lowercase().starts_with("nullifexists") {
                " (`Null` cannot take `IfExists`)"
            } else {
                ""
            };
            return Err(err(
                format!("unknown condition operator {}{hint}", quote(&m.key)),
                &p,
                m.key_span,
            ));
        };
        if blocks.iter().any(|b| b.operator.value == op) {
            return Err(err(
                format!("duplicate condition operator {}", quote(&m.key)),
                &p,
                m.key_span,
            ));
        }
        let Value::Object(keys) = &m.value.value else {
            return Err(err(
                format!(
                    "the value of condition operator {} must be an object of condition keys, found {}",
                    quote(&m.key),
                    m.value.value.type_name()
                ),
                &p,
                m.value.span,
            ));
        };
        let mut entries: Vec<ConditionEntry> = Vec::with_capacity(keys.len());
        for k in keys {
            let kp = p.key(&k.key);
            if let Some(prev) = entries
                .iter()
                .find(|e| e.key.value.eq_ignore_ascii_case(&k.key))
            {
                return Err(err(
                    format!(
                        "condition key {} appears twice under {} (keys ignore case; first as {})",
                        quote(&k.key),
                        quote(&m.key),
                        quote(&prev.key.value)
                    ),
                    &kp,
                    k.key_span,
                ));
            }
            let (values, scalar) = match &k.value.value {
                Value::Array(items) => {
                    if items.len() > limits.max_values {
                        return Err(limit(
                            format!(
                                "condition key {} lists {} values, more than the limit of {}",
                                quote(&k.key),
                                items.len(),
                                limits.max_values
                            ),
                            &kp,
                            k.value.span,
                        ));
                    }
                    (
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, n)| condition_value(n, &kp.index(i), limits))
                            .collect::<Result<Vec<_>, _>>()?,
                        false,
                    )
                }
                _ => (vec![condition_value(&k.value, &kp, limits)?], true),
            };
            entries.push(ConditionEntry {
                key: Spanned::new(k.key.clone(), k.key_span),
                values,
                scalar,
            });
        }
        blocks.push(ConditionBlock {
            operator: Spanned::new(op, m.key_span),
            entries,
        });
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use crate::ErrorKind;

    fn e(text: &str) -> String {
        Policy::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_element_and_location() {
        assert_eq!(
            e(r#"{"Statement": [{"Effect": "Alow", "Action": "*"}]}"#),
            "statement 0: `Effect` must be `Allow` or `Deny`, not `Alow` at line 1, column 27 (/Statement/0/Effect)"
        );
        assert_eq!(
            e(r#"{"Statement": {"effect": "Allow", "Action": "*"}}"#),
            "statement 0: unknown statement element `effect` (did you mean `Effect`? element names are case-sensitive) at line 1, column 16 (/Statement/effect)"
        );
        assert_eq!(
            e(r#"{"Statement": [{"Effect": "Allow"}]}"#),
            "statement 0: statement has neither `Action` nor `NotAction` at line 1, column 16 (/Statement/0)"
        );
        assert_eq!(
            e(r#"{"Statement": [{"Effect": "Allow", "Action": 3}]}"#),
            "statement 0: `Action` must be a string or an array of strings, found a number at line 1, column 46 (/Statement/0/Action)"
        );
        assert!(
            e(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "x"}]}"#)
                .contains("cannot have both `Action` and `NotAction`")
        );
        assert!(e(r#"{"Version": "2012-10-18", "Statement": []}"#).contains("`Version` must be"));
        assert!(e(r#"{"Statement": [], "Statement": []}"#).contains("duplicate policy element"));
        assert!(e(r#"{"Version": "2012-10-17"}"#).contains("no `Statement`"));
        assert!(e(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"NullIfExists": {"a:b": "true"}}}]}"#)
            .contains("`Null` cannot take `IfExists`"));
        assert!(e(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": {"aws:x": "1", "AWS:X": "2"}}}]}"#)
            .contains("appears twice"));
        assert!(e(
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"aws": "*"}}]}"#
        )
        .contains("did you mean `AWS`"));
        assert!(e(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": "arn:aws:iam::1:root"}]}"#)
            .contains("must be `\"*\"` or an object"));
        assert!(e(r#"[1]"#).contains("must be a json object"));
    }

    #[test]
    fn wrappers_and_strings() {
        let inner = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage"}]}"#;
        let want = Policy::parse(inner).unwrap();
        let as_string = serde_json::to_string(inner).unwrap();
        assert_eq!(Policy::parse(&as_string).unwrap(), want);
        let wrapped = format!(r#"{{"Policy": {as_string}, "RevisionId": "x"}}"#);
        assert_eq!(Policy::parse(&wrapped).unwrap(), want);
        let doc = format!(r#"{{"PolicyDocument": {inner}}}"#);
        assert_eq!(Policy::parse(&doc).unwrap(), want);
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%22*%22%2C%22Action%22%3A%22sqs%3ASendMessage%22%7D%5D%7D";
        assert_eq!(Policy::parse(&format!("\"{encoded}\"")).unwrap(), want);
        let v: serde_json::Value = serde_json::from_str(&wrapped).unwrap();
        assert_eq!(Policy::from_json_value(&v).unwrap(), want);
    }

    #[test]
    fn limits() {
        let many = format!(
            r#"{{"Statement": [{}]}}"#,
            vec![r#"{"Effect":"Deny","Action":"*"}"#; 1001].join(",")
        );
        let err = Policy::parse(&many).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Limit);
        let long = format!(
            r#"{{"Statement": [{{"Effect":"Deny","Action":"{}"}}]}}"#,
            "a".repeat(5000)
        );
        assert_eq!(Policy::parse(&long).unwrap_err().kind(), ErrorKind::Limit);
    }

    #[test]
    fn single_statement_object_and_scalars() {
        let p = Policy::parse(
            r#"{"Statement": {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["a", "b"],
               "Condition": {"NumericLessThan": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": false}}}}"#,
        )
        .unwrap();
        assert!(!p.statement_is_array);
        let s = &p.statements[0];
        assert!(s.action.negated && s.action.values.scalar);
        assert_eq!(s.resource.as_ref().unwrap().values.len(), 2);
        assert_eq!(s.condition.len(), 2);
        assert!(p.version.is_none() && !p.supports_variables());
    }
}
