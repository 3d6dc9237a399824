//! A JSON reader that keeps the source location of every value.
//!
//! `serde_json` forgets where a value came from; policy errors and validation findings must point
//! at the exact token (line, column, byte offset, JSON path). This reader builds a small tree in
//! which every value and every object key carries its [`Span`]. It is strict RFC 8259 JSON, with
//! bounded input size and nesting depth, and it never panics.
//!
//! ```
//! use perimeter::json::{parse, Limits};
//!
//! let doc = parse("{\n  \"Effect\": \"Allow\"\n}", &Limits::default())?;
//! let member = doc.members().next().unwrap();
//! assert_eq!(member.key, "Effect");
//! assert_eq!(member.value.span.start.line, 2);
//! assert_eq!(member.value.span.start.column, 12); // 0-based, at the opening quote
//! # Ok::<(), perimeter::Error>(())
//! ```

use crate::error::{quote, Error, ErrorKind, Location};
use std::fmt;

/// A position in a document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    /// Line, 1-based.
    pub line: u32,
    /// Column, 0-based, in characters.
    pub column: u32,
    /// Byte offset, 0-based.
    pub offset: usize,
}

/// A range of a document: `start` inclusive, `end` exclusive. The span of a string covers its
/// quotes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First character of the token.
    pub start: Position,
    /// Just past the last character of the token.
    pub end: Position,
}

/// Limits on the documents the reader accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest document, in bytes. Default 1 MiB.
    pub max_bytes: usize,
    /// Deepest nesting of arrays and objects. Default 64.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 1 << 20,
            max_depth: 64,
        }
    }
}

impl Limits {
    /// Limits with a different maximum size.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Limits {
        self.max_bytes = max_bytes;
        self
    }

    /// Limits with a different maximum depth.
    pub fn with_max_depth(mut self, max_depth: usize) -> Limits {
        self.max_depth = max_depth;
        self
    }
}

/// A JSON value with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it is.
    pub span: Span,
}

/// An object member: the key with its own span, and the value.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The key, unescaped.
    pub key: String,
    /// The span of the key token (with quotes).
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// A JSON value. Numbers keep their text so that nothing is lost to floating point.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, members in document order (duplicates kept; callers decide).
    Object(Vec<Member>),
}

impl Value {
    /// The JSON type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

impl Node {
    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Members of an object (empty for other values).
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        let slice: &[Member] = match &self.value {
            Value::Object(m) => m,
            _ => &[],
        };
        slice.iter()
    }

    /// The first member with this exact key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.members().find(|m| m.key == key).map(|m| &m.value)
    }

    /// Convert to a `serde_json::Value` (numbers that do not fit are kept as strings).
    pub fn to_serde(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::from_str::<serde_json::Number>(n)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|_| serde_json::Value::String(n.clone())),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(a) => serde_json::Value::Array(a.iter().map(Node::to_serde).collect()),
            Value::Object(m) => serde_json::Value::Object(
                m.iter()
                    .map(|m| (m.key.clone(), m.value.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// One step of a JSON path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A path from the document root to a value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<PathSegment>);

impl Path {
    /// The root path.
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// This path extended by a key.
    pub fn key(&self, key: &str) -> Path {
        let mut p = self.clone();
        p.0.push(PathSegment::Key(key.to_string()));
        p
    }

    /// This path extended by an index.
    pub fn index(&self, index: usize) -> Path {
        let mut p = self.clone();
        p.0.push(PathSegment::Index(index));
        p
    }

    /// The JSON Pointer (RFC 6901) form, `/Statement/0/Effect`.
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for seg in &self.0 {
            out.push('/');
            match seg {
                PathSegment::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
                PathSegment::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    /// A location for an error at `pos` on this path.
    pub fn location(&self, pos: Position) -> Location {
        Location {
            line: pos.line,
            column: pos.column,
            offset: pos.offset,
            pointer: self.pointer(),
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pointer())
    }
}

/// Parse a JSON document, keeping locations.
///
/// # Errors
/// [`ErrorKind::Limit`] when the document is larger or deeper than `limits` allow;
/// [`ErrorKind::Syntax`] for anything that is not one JSON value (with the location of the first
/// offending character).
pub fn parse(text: &str, limits: &Limits) -> Result<Node, Error> {
    if text.len() > limits.max_bytes {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "document is {} bytes, more than the limit of {} bytes",
                text.len(),
                limits.max_bytes
            ),
        ));
    }
    let mut p = Parser {
        src: text.as_bytes(),
        text,
        pos: Position {
            line: 1,
            column: 0,
            offset: 0,
        },
        max_depth: limits.max_depth,
        path: Vec::new(),
    };
    // A byte order mark is tolerated at the very start.
    if text.starts_with('\u{feff}') {
        p.advance_bytes(3);
    }
    p.skip_ws();
    let node = p.value(0)?;
    p.skip_ws();
    if p.pos.offset < p.src.len() {
        return Err(p.error("unexpected text after the end of the JSON value"));
    }
    Ok(node)
}

/// Parse JSON given as bytes: checks UTF-8 first, reporting the offset of the first bad byte.
///
/// # Errors
/// As [`parse`], and [`ErrorKind::Syntax`] for invalid UTF-8.
pub fn parse_bytes(bytes: &[u8], limits: &Limits) -> Result<Node, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "document is {} bytes, more than the limit of {} bytes",
                bytes.len(),
                limits.max_bytes
            ),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text, limits),
        Err(e) => {
            let good = bytes.get(..e.valid_up_to()).unwrap_or(&[]);
            let line = 1 + good.iter().filter(|b| **b == b'\n').count() as u32;
            let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
            let column = std::str::from_utf8(good.get(line_start..).unwrap_or(&[]))
                .map_or(0, |s| s.chars().count()) as u32;
            Err(Error::at(
                ErrorKind::Syntax,
                "text is not valid utf-8",
                Location {
                    line,
                    column,
                    offset: e.valid_up_to(),
                    pointer: String::new(),
                },
            ))
        }
    }
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: Position,
    max_depth: usize,
    path: Vec<PathSegment>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos.offset).copied()
    }

    fn location(&self) -> Location {
        Path(self.path.clone()).location(self.pos)
    }

    fn error(&self, message: &str) -> Error {
        Error::at(ErrorKind::Syntax, message, self.location())
    }

    /// Advance over bytes that contain no newline, counting characters for the column.
    fn advance_bytes(&mut self, n: usize) {
        for _ in 0..n {
            match self.peek() {
                Some(b'\n') => {
                    self.pos.line += 1;
                    self.pos.column = 0;
                }
                Some(b) if b & 0xC0 != 0x80 => self.pos.column += 1,
                _ => {}
            }
            self.pos.offset += 1;
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => {
                    self.pos.offset += 1;
                    self.pos.column += 1;
                }
                b'\n' => {
                    self.pos.offset += 1;
                    self.pos.line += 1;
                    self.pos.column = 0;
                }
                _ => break,
            }
        }
    }

    fn expect_literal(&mut self, lit: &str, value: Value) -> Result<Node, Error> {
        let start = self.pos;
        if self
            .src
            .get(self.pos.offset..self.pos.offset + lit.len())
            .is_some_and(|s| s == lit.as_bytes())
        {
            self.advance_bytes(lit.len());
            Ok(Node {
                value,
                span: Span {
                    start,
                    end: self.pos,
                },
            })
        } else {
            Err(self.error(&format!("expected `{lit}`")))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, Error> {
        match self.peek() {
            None => Err(self.error("unexpected end of input, expected a value")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => {
                let start = self.pos;
                let s = self.string()?;
                Ok(Node {
                    value: Value::String(s),
                    span: Span {
                        start,
                        end: self.pos,
                    },
                })
            }
            Some(b't') => self.expect_literal("true", Value::Bool(true)),
            Some(b'f') => self.expect_literal("false", Value::Bool(false)),
            Some(b'n') => self.expect_literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => {
                let c = self
                    .text
                    .get(self.pos.offset..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                Err(self.error(&format!(
                    "unexpected character {}, expected a value",
                    quote(&c.to_string())
                )))
            }
        }
    }

    fn depth_check(&self, depth: usize) -> Result<(), Error> {
        if depth > self.max_depth {
            return Err(Error::at(
                ErrorKind::Limit,
                format!("nesting is deeper than the limit of {}", self.max_depth),
                self.location(),
            ));
        }
        Ok(())
    }

    fn object(&mut self, depth: usize) -> Result<Node, Error> {
        self.depth_check(depth)?;
        let start = self.pos;
        self.advance_bytes(1);
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.advance_bytes(1);
            return Ok(Node {
                value: Value::Object(members),
                span: Span {
                    start,
                    end: self.pos,
                },
            });
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key in object"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span {
                start: key_start,
                end: self.pos,
            };
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after object key"));
            }
            self.advance_bytes(1);
            self.skip_ws();
            // The key moves onto the path while its value is read, and back off after: no copy.
            self.path.push(PathSegment::Key(key));
            let value = self.value(depth)?;
            let key = match self.path.pop() {
                Some(PathSegment::Key(k)) => k,
                _ => String::new(),
            };
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.advance_bytes(1);
                }
                Some(b'}') => {
                    self.advance_bytes(1);
                    return Ok(Node {
                        value: Value::Object(members),
                        span: Span {
                            start,
                            end: self.pos,
                        },
                    });
                }
                None => return Err(self.error("unexpected end of input inside an object")),
                Some(_) => return Err(self.error("expected `,` or `}` in object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, Error> {
        self.depth_check(depth)?;
        let start = self.pos;
        self.advance_bytes(1);
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.advance_bytes(1);
            return Ok(Node {
                value: Value::Array(items),
                span: Span {
                    start,
                    end: self.pos,
                },
            });
        }
        loop {
            self.skip_ws();
            self.path.push(PathSegment::Index(items.len()));
            let v = self.value(depth)?;
            self.path.pop();
            items.push(v);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.advance_bytes(1);
                }
                Some(b']') => {
                    self.advance_bytes(1);
                    return Ok(Node {
                        value: Value::Array(items),
                        span: Span {
                            start,
                            end: self.pos,
                        },
                    });
                }
                None => return Err(self.error("unexpected end of input inside an array")),
                Some(_) => return Err(self.error("expected `,` or `]` in array")),
            }
        }
    }

    fn number(&mut self) -> Result<Node, Error> {
        let start = self.pos;
        let begin = self.pos.offset;
        let mut i = begin;
        let at = |i: usize| self.src.get(i).copied();
        if at(i) == Some(b'-') {
            i += 1;
        }
        match at(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while matches!(at(i), Some(b'0'..=b'9')) {
                    i += 1;
                }
            }
            _ => return Err(self.error("invalid number")),
        }
        if at(i) == Some(b'.') {
            i += 1;
            if !matches!(at(i), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number: expected digits after `.`"));
            }
            while matches!(at(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        if matches!(at(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(at(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !matches!(at(i), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number: expected digits in exponent"));
            }
            while matches!(at(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        let text = self.text.get(begin..i).unwrap_or("").to_string();
        self.advance_bytes(i - begin);
        Ok(Node {
            value: Value::Number(text),
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let s = self.src.get(at..at + 4)?;
        let s = std::str::from_utf8(s).ok()?;
        u32::from_str_radix(s, 16).ok()
    }

    /// Parse a string starting at the opening quote.
    fn string(&mut self) -> Result<String, Error> {
        self.advance_bytes(1);
        let mut out = String::new();
        loop {
            // Copy the run of ordinary characters in one go.
            let run_start = self.pos.offset;
            let mut end = run_start;
            while let Some(&b) = self.src.get(end) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                end += 1;
            }
            if end > run_start {
                out.push_str(self.text.get(run_start..end).unwrap_or(""));
                // Column: count characters (non-continuation bytes).
                let chars = self
                    .src
                    .get(run_start..end)
                    .map_or(0, |s| s.iter().filter(|b| **b & 0xC0 != 0x80).count());
                self.pos.column += chars as u32;
                self.pos.offset = end;
            }
            match self.peek() {
                None => return Err(self.error("unexpected end of input inside a string")),
                Some(b'"') => {
                    self.advance_bytes(1);
                    return Ok(out);
                }
                Some(b'\\') => {
                    let esc = self.src.get(self.pos.offset + 1).copied();
                    let c = match esc {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let Some(hi) = self.hex4(self.pos.offset + 2) else {
                                return Err(self.error("invalid `\\u` escape in string"));
                            };
                            if (0xD800..0xDC00).contains(&hi) {
                                // A surrogate pair: `\uD83D\uDE00`.
                                let lo = if self.src.get(self.pos.offset + 6) == Some(&b'\\')
                                    && self.src.get(self.pos.offset + 7) == Some(&b'u')
                                {
                                    self.hex4(self.pos.offset + 8)
                                } else {
                                    None
                                };
                                match lo {
                                    Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                        let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                        out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                                        self.advance_bytes(12);
                                        continue;
                                    }
                                    _ => {
                                        return Err(self.error("unpaired surrogate in `\\u` escape"))
                                    }
                                }
                            }
                            match char::from_u32(hi) {
                                Some(c) => {
                                    out.push(c);
                                    self.advance_bytes(6);
                                    continue;
                                }
                                None => {
                                    return Err(self.error("unpaired surrogate in `\\u` escape"))
                                }
                            }
                        }
                        _ => return Err(self.error("invalid escape in string")),
                    };
                    out.push(c);
                    self.advance_bytes(2);
                }
                Some(_) => {
                    return Err(self.error("control character inside a string must be escaped"))
                }
            }
        }
    }
}

/// Write `s` as a JSON string literal (with quotes) into `out`.
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Node, Error> {
        parse(s, &Limits::default())
    }

    #[test]
    fn spans_cover_quotes_and_columns_count_characters() {
        let doc = p("{\"a\": [\"é\", 12]}").unwrap();
        let a = doc.get("a").unwrap();
        let Value::Array(items) = &a.value else {
            panic!()
        };
        assert_eq!(items[0].span.start.column, 7);
        assert_eq!(items[0].span.end.column, 10);
        assert_eq!(items[0].span.start.offset, 7);
        assert_eq!(items[0].span.end.offset, 11); // é is two bytes
        assert_eq!(items[1].value, Value::Number("12".into()));
        assert_eq!(items[1].span.start.column, 12);
    }

    #[test]
    fn errors_name_line_column_and_pointer() {
        let e = p("{\n  \"Statement\": [\n    {\"Effect\": tru}\n  ]\n}").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Syntax);
        let loc = e.location().unwrap();
        assert_eq!((loc.line, loc.column), (3, 15));
        assert_eq!(loc.pointer, "/Statement/0/Effect");
        assert_eq!(
            e.to_string(),
            "expected `true` at line 3, column 16 (/Statement/0/Effect)"
        );
    }

    #[test]
    fn rejects_trailing_text_and_truncation() {
        assert!(p("{} x").is_err());
        assert!(p("{\"a\": [1, 2").is_err());
        assert!(p("\"abc").is_err());
        assert!(p("").is_err());
        assert!(p("[1,]").is_err());
        assert!(p("01").is_err());
        assert!(p("1.").is_err());
        assert!(p("\"a\u{1}\"").is_err());
    }

    #[test]
    fn depth_and_size_limits() {
        let deep = "[".repeat(100_000);
        let e = p(&deep).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert!(e.message().contains("deeper than the limit of 64"), "{e}");
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(p(&ok).is_ok());
        let too = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert!(p(&too).is_err());
        let big = format!("\"{}\"", "a".repeat(2 << 20));
        assert_eq!(p(&big).unwrap_err().kind(), ErrorKind::Limit);
    }

    #[test]
    fn escapes_and_surrogates() {
        let n = p(r#""a\n\u00e9\ud83d\ude00\/""#).unwrap();
        assert_eq!(n.as_str(), Some("a\né😀/"));
        assert!(p(r#""\ud83d""#).is_err());
        assert!(p(r#""\x""#).is_err());
    }

    #[test]
    fn invalid_utf8_is_reported_with_offset() {
        let e = parse_bytes(b"{\"a\":\n \"\xff\"}", &Limits::default()).unwrap_err();
        let loc = e.location().unwrap();
        assert_eq!((loc.line, loc.offset), (2, 8));
    }

    #[test]
    fn round_trips_through_write_string() {
        let s = "q\"uote\\ \n\t\u{1} é";
        let mut out = String::new();
        write_string(&mut out, s);
        assert_eq!(p(&out).unwrap().as_str(), Some(s));
    }
}
