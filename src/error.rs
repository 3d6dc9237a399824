//! The one error type of the library.
//!
//! Parsing and compiling can fail; evaluation and analysis never do (they return decisions and
//! findings). Every error has a [`kind`](Error::kind), a one-line lowercase message, and, when it
//! comes from a JSON document, the [`Location`] of the offending token.

use std::fmt;

/// What went wrong, broadly. Match on this rather than on message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not valid JSON (or not valid UTF-8).
    Syntax,
    /// A size, depth or count limit was exceeded.
    Limit,
    /// The JSON is well formed but is not a valid policy: a missing or unknown element, a value of
    /// the wrong JSON type, an unknown condition operator.
    Policy,
    /// A value inside an otherwise valid structure is malformed (an ARN, an account id, a date).
    Value,
    /// An input document other than a policy (a request, a snapshot, a case) is malformed.
    Input,
    /// Reading a file or stream failed.
    Io,
    /// A question could not be answered exactly (a policy check whose answer depends on
    /// something the analysis does not model); the caller gets this rather than a guess.
    Undecided,
}

/// Where in a JSON document an error was found.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// Line, 1-based.
    pub line: u32,
    /// Column, 0-based, counted in characters (Access Analyzer's convention).
    pub column: u32,
    /// Byte offset from the start of the document, 0-based.
    pub offset: usize,
    /// The JSON Pointer (RFC 6901) of the value, for example `/Statement/0/Effect`.
    pub pointer: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column + 1)?;
        if !self.pointer.is_empty() {
            write!(f, " ({})", self.pointer)?;
        }
        Ok(())
    }
}

/// An error from parsing, compiling or reading input.
///
/// The message is lowercase, one line, with user input in backticks; `Display` appends the
/// location when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    location: Option<Box<Location>>,
}

impl Error {
    /// A new error without a location.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            location: None,
        }
    }

    /// A new error at a location.
    pub fn at(kind: ErrorKind, message: impl Into<String>, location: Location) -> Error {
        Error {
            kind,
            message: message.into(),
            location: Some(Box::new(location)),
        }
    }

    /// The broad class of the error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message without the location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where in the JSON document the error is, if it came from one.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_deref()
    }

    /// Replace the location (used when an error found in an inner document, such as a policy
    /// embedded as a string, is reported against the outer one).
    pub fn with_location(mut self, location: Option<Location>) -> Error {
        self.location = location.map(Box::new);
        self
    }

    /// Prefix the message with context, for example `statement 2: `.
    pub fn context(mut self, prefix: &str) -> Error {
        self.message = format!("{prefix}{}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(loc) = &self.location {
            write!(f, " at {loc}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, e.to_string().to_lowercase())
    }
}

/// Quote user input for an error message: in backticks, shortened when long, with control
/// characters escaped so the message stays on one line.
pub(crate) fn quote(text: &str) -> String {
    const MAX: usize = 80;
    let mut out = String::with_capacity(text.len().min(MAX) + 4);
    out.push('`');
    for (n, c) in text.chars().enumerate() {
        if n == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_includes_location_with_one_based_column() {
        let e = Error::at(
            ErrorKind::Policy,
            "`Effect` must be `Allow` or `Deny`",
            Location {
                line: 3,
                column: 13,
                offset: 40,
                pointer: "/Statement/0/Effect".into(),
            },
        );
        assert_eq!(
            e.to_string(),
            "`Effect` must be `Allow` or `Deny` at line 3, column 14 (/Statement/0/Effect)"
        );
    }

    #[test]
    fn quote_shortens_and_escapes() {
        assert_eq!(quote("a\nb"), "`a\\nb`");
        let long = "x".repeat(200);
        let q = quote(&long);
        assert!(q.chars().count() < 90, "{q}");
        assert!(q.ends_with("…`"));
    }
}
