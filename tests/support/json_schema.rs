//! A validator for the part of JSON Schema (draft-04) that the SARIF 2.1.0 schema uses: `$ref`
//! to `#/definitions/…`, `type` (one or several), `enum`, `properties`, `additionalProperties`
//! (boolean or schema), `required`, `items`, `minItems`, `uniqueItems`, `minimum`, `maximum`,
//! `anyOf`, `oneOf`, `pattern` (a small backtracking regex: literals, `.`, classes, groups,
//! `?`, `*`, `+`, `{n}`, `{n,m}`, anchors) and `format` (`uri`, `uri-reference`, `date-time`).
//! A schema keyword outside this list makes validation fail, so the validator cannot silently
//! skip a rule it does not know.

use serde_json::Value;

const ANNOTATIONS: &[&str] = &["$schema", "id", "title", "description", "default"];
const KNOWN: &[&str] = &[
    "$ref",
    "type",
    "enum",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "minItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "anyOf",
    "oneOf",
    "pattern",
    "format",
    "definitions",
];

pub struct Validator<'a> {
    root: &'a Value,
}

impl<'a> Validator<'a> {
    pub fn new(root: &'a Value) -> Validator<'a> {
        Validator { root }
    }

    /// The errors of `doc` against the root schema, each with the JSON pointer of the value.
    pub fn validate(&self, doc: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(self.root, doc, "", &mut errors);
        errors
    }

    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        let name = reference.strip_prefix("#/definitions/")?;
        self.root.get("definitions")?.get(name)
    }

    fn check(&self, schema: &'a Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(s) = schema.as_object() else {
            if schema != &Value::Bool(true) {
                errors.push(format!("{at}: schema is not an object"));
            }
            return;
        };
        for k in s.keys() {
            if !KNOWN.contains(&k.as_str()) && !ANNOTATIONS.contains(&k.as_str()) {
                errors.push(format!("{at}: unsupported schema keyword {k}"));
            }
        }
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match self.resolve(r) {
                Some(target) => self.check(target, v, at, errors),
                None => errors.push(format!("{at}: unresolvable $ref {r}")),
            }
        }
        if let Some(t) = s.get("type") {
            let types: Vec<&str> = match t {
                Value::String(x) => vec![x.as_str()],
                Value::Array(xs) => xs.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            if !types.iter().any(|t| type_matches(t, v)) {
                errors.push(format!("{at}: expected type {types:?}, got {v}"));
                return;
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array) {
            if !e.contains(v) {
                errors.push(format!("{at}: {v} is not one of {e:?}"));
            }
        }
        if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
            if v.as_f64().is_some_and(|x| x < min) {
                errors.push(format!("{at}: {v} is below the minimum {min}"));
            }
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
            if v.as_f64().is_some_and(|x| x > max) {
                errors.push(format!("{at}: {v} is above the maximum {max}"));
            }
        }
        if let (Some(p), Some(text)) = (s.get("pattern").and_then(Value::as_str), v.as_str()) {
            if !regex_search(p, text) {
                errors.push(format!("{at}: {text:?} does not match {p}"));
            }
        }
        if let (Some(f), Some(text)) = (s.get("format").and_then(Value::as_str), v.as_str()) {
            if !format_ok(f, text) {
                errors.push(format!("{at}: {text:?} is not a valid {f}"));
            }
        }
        if let Some(obj) = v.as_object() {
            let props = s.get("properties").and_then(Value::as_object);
            if let Some(req) = s.get("required").and_then(Value::as_array) {
                for r in req.iter().filter_map(Value::as_str) {
                    if !obj.contains_key(r) {
                        errors.push(format!("{at}: missing required property {r}"));
                    }
                }
            }
            for (k, val) in obj {
                let child = format!("{at}/{k}");
                if let Some(ps) = props.and_then(|p| p.get(k)) {
                    self.check(ps, val, &child, errors);
                } else {
                    match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            errors.push(format!("{at}: property {k} is not allowed"));
                        }
                        Some(Value::Bool(true)) | None => {}
                        Some(extra) => self.check(extra, val, &child, errors),
                    }
                }
            }
        }
        if let Some(arr) = v.as_array() {
            if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
                if (arr.len() as u64) < min {
                    errors.push(format!("{at}: fewer than {min} items"));
                }
            }
            if s.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (i, a) in arr.iter().enumerate() {
                    if arr.iter().skip(i + 1).any(|b| a == b) {
                        errors.push(format!("{at}: items are not unique"));
                        break;
                    }
                }
            }
            if let Some(items) = s.get("items") {
                for (i, item) in arr.iter().enumerate() {
                    self.check(items, item, &format!("{at}/{i}"), errors);
                }
            }
        }
        if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            let ok = any.iter().any(|sub| {
                let mut e = Vec::new();
                self.check(sub, v, at, &mut e);
                e.is_empty()
            });
            if !ok {
                errors.push(format!("{at}: matches none of anyOf"));
            }
        }
        if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
            let n = one
                .iter()
                .filter(|sub| {
                    let mut e = Vec::new();
                    self.check(sub, v, at, &mut e);
                    e.is_empty()
                })
                .count();
            if n != 1 {
                errors.push(format!("{at}: matches {n} of oneOf, not exactly one"));
            }
        }
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|x| x.fract() == 0.0),
        _ => false,
    }
}

fn format_ok(format: &str, text: &str) -> bool {
    match format {
        // RFC 3986: a scheme, then anything without spaces or control characters.
        "uri" => {
            let Some((scheme, rest)) = text.split_once(':') else {
                return false;
            };
            let mut c = scheme.chars();
            c.next().is_some_and(|f| f.is_ascii_alphabetic())
                && c.all(|x| x.is_ascii_alphanumeric() || "+.-".contains(x))
                && !rest.chars().any(|x| x.is_whitespace() || x.is_control())
        }
        "uri-reference" => !text.chars().any(|x| x.is_whitespace() || x.is_control()),
        // RFC 3339 date-time.
        "date-time" => {
            let b = text.as_bytes();
            let digits = |r: std::ops::Range<usize>| {
                b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit))
            };
            digits(0..4)
                && b.get(4) == Some(&b'-')
                && digits(5..7)
                && b.get(7) == Some(&b'-')
                && digits(8..10)
                && matches!(b.get(10), Some(b'T' | b't'))
                && digits(11..13)
                && b.get(13) == Some(&b':')
                && digits(14..16)
                && b.get(16) == Some(&b':')
                && digits(17..19)
                && {
                    let rest = &text[19..];
                    let rest = match rest.strip_prefix('.') {
                        Some(f) => f.trim_start_matches(|c: char| c.is_ascii_digit()),
                        None => rest,
                    };
                    rest == "Z"
                        || rest == "z"
                        || (rest.len() == 6
                            && (rest.starts_with('+') || rest.starts_with('-'))
                            && rest.as_bytes().get(3) == Some(&b':'))
                }
        }
        _ => false,
    }
}

// --- a small regex engine -------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Node {
    Start,
    End,
    Any,
    Char(char),
    Class(Vec<(char, char)>, bool),
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, usize, Option<usize>),
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl Parser<'_> {
    fn alternation(&mut self) -> Vec<Vec<Node>> {
        let mut alts = vec![Vec::new()];
        while let Some(&c) = self.chars.peek() {
            match c {
                ')' => break,
                '|' => {
                    self.chars.next();
                    alts.push(Vec::new());
                }
                _ => {
                    let atom = self.atom();
                    let atom = self.quantified(atom);
                    alts.last_mut().unwrap().push(atom);
                }
            }
        }
        alts
    }

    fn atom(&mut self) -> Node {
        match self.chars.next().unwrap() {
            '^' => Node::Start,
            '$' => Node::End,
            '.' => Node::Any,
            '\\' => Node::Char(self.chars.next().unwrap()),
            '(' => {
                let alts = self.alternation();
                assert_eq!(self.chars.next(), Some(')'));
                Node::Group(alts)
            }
            '[' => {
                let mut negated = false;
                if self.chars.peek() == Some(&'^') {
                    self.chars.next();
                    negated = true;
                }
                let mut ranges = Vec::new();
                loop {
                    let c = self.chars.next().unwrap();
                    if c == ']' {
                        break;
                    }
                    let c = if c == '\\' {
                        self.chars.next().unwrap()
                    } else {
                        c
                    };
                    if self.chars.peek() == Some(&'-') {
                        self.chars.next();
                        if self.chars.peek() == Some(&']') {
                            ranges.push((c, c));
                            ranges.push(('-', '-'));
                            continue;
                        }
                        let hi = self.chars.next().unwrap();
                        ranges.push((c, hi));
                    } else {
                        ranges.push((c, c));
                    }
                }
                Node::Class(ranges, negated)
            }
            c => Node::Char(c),
        }
    }

    fn quantified(&mut self, atom: Node) -> Node {
        match self.chars.peek() {
            Some('?') => {
                self.chars.next();
                Node::Repeat(Box::new(atom), 0, Some(1))
            }
            Some('*') => {
                self.chars.next();
                Node::Repeat(Box::new(atom), 0, None)
            }
            Some('+') => {
                self.chars.next();
                Node::Repeat(Box::new(atom), 1, None)
            }
            Some('{') => {
                self.chars.next();
                let mut text = String::new();
                for c in self.chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    text.push(c);
                }
                let (lo, hi) = match text.split_once(',') {
                    Some((a, "")) => (a.parse().unwrap(), None),
                    Some((a, b)) => (a.parse().unwrap(), Some(b.parse().unwrap())),
                    None => (text.parse().unwrap(), Some(text.parse().unwrap())),
                };
                Node::Repeat(Box::new(atom), lo, hi)
            }
            _ => atom,
        }
    }
}

/// Match `nodes` at `pos` of `text`, then the continuation `k`.
fn m(nodes: &[Node], text: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some((first, rest)) = nodes.split_first() else {
        return k(pos);
    };
    match first {
        Node::Start => pos == 0 && m(rest, text, pos, k),
        Node::End => pos == text.len() && m(rest, text, pos, k),
        Node::Any | Node::Char(_) | Node::Class(..) => {
            let Some(&c) = text.get(pos) else {
                return false;
            };
            let ok = match first {
                Node::Any => c != '\n',
                Node::Char(x) => c == *x,
                Node::Class(ranges, neg) => ranges.iter().any(|(a, b)| *a <= c && c <= *b) != *neg,
                _ => false,
            };
            ok && m(rest, text, pos + 1, k)
        }
        Node::Group(alts) => alts
            .iter()
            .any(|alt| m(alt, text, pos, &mut |p| m(rest, text, p, k))),
        Node::Repeat(inner, lo, hi) => repeat(inner, *lo, *hi, 0, rest, text, pos, k),
    }
}

#[allow(clippy::too_many_arguments, reason = "a recursive matcher's state")]
fn repeat(
    inner: &Node,
    lo: usize,
    hi: Option<usize>,
    count: usize,
    rest: &[Node],
    text: &[char],
    pos: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    // Greedy: one more repetition first (if it consumes), then the rest.
    if hi.is_none_or(|h| count < h) {
        let one = std::slice::from_ref(inner);
        if m(one, text, pos, &mut |p| {
            p > pos && repeat(inner, lo, hi, count + 1, rest, text, p, k)
        }) {
            return true;
        }
    }
    count >= lo && m(rest, text, pos, k)
}

/// Whether `pattern` matches somewhere in `text` (JSON Schema patterns are not anchored).
pub fn regex_search(pattern: &str, text: &str) -> bool {
    let mut p = Parser {
        chars: pattern.chars().peekable(),
    };
    let alts = p.alternation();
    assert!(p.chars.next().is_none(), "unbalanced pattern {pattern}");
    let node = Node::Group(alts);
    let chars: Vec<char> = text.chars().collect();
    (0..=chars.len()).any(|start| m(std::slice::from_ref(&node), &chars, start, &mut |_| true))
}
