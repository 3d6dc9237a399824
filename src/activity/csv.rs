//! A small RFC 4180 CSV reader: comma-separated fields, fields in double quotes may hold
//! commas, line breaks and doubled quotes (`""`), records end with CRLF or LF.

use std::fmt;

/// At most this many bytes in one field.
pub const MAX_FIELD_LEN: usize = 1 << 20;
/// At most this many fields in one record.
pub const MAX_FIELDS: usize = 4_096;

/// Why a CSV text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line where the problem is.
    pub line: usize,
    /// What is wrong.
    pub message: &'static str,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CSV line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CsvError {}

/// The records of a CSV text, one `Vec` of fields each. A blank line is skipped.
pub struct CsvRecords<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    failed: bool,
}

/// Reads `text` as CSV.
///
/// ```
/// use perimeter::activity::csv_records;
/// let rows: Vec<Vec<String>> = csv_records("a,\"b,\"\"c\"\"\"\r\n1,2\n").collect::<Result<_, _>>()?;
/// assert_eq!(rows, [vec!["a", "b,\"c\""], vec!["1", "2"]]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn csv_records(text: &str) -> CsvRecords<'_> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    CsvRecords {
        text,
        pos: 0,
        line: 1,
        failed: false,
    }
}

impl CsvRecords<'_> {
    /// The 1-based line where the next record starts.
    pub fn line(&self) -> usize {
        self.line
    }
}

impl Iterator for CsvRecords<'_> {
    type Item = Result<Vec<String>, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            let rest = self.text.get(self.pos..)?;
            if rest.is_empty() {
                return None;
            }
            // Skip blank lines.
            if let Some(after) = rest
                .strip_prefix("\r\n")
                .or_else(|| rest.strip_prefix('\n'))
            {
                self.pos += rest.len() - after.len();
                self.line += 1;
                continue;
            }
            break;
        }
        let result = self.record();
        if result.is_err() {
            self.failed = true;
        }
        Some(result)
    }
}

impl CsvRecords<'_> {
    fn record(&mut self) -> Result<Vec<String>, CsvError> {
        let bytes = self.text.as_bytes();
        let mut fields = Vec::new();
        let mut field = String::new();
        let err = |line, message| CsvError { line, message };
        loop {
            // One field.
            let quoted = bytes.get(self.pos) == Some(&b'"');
            if quoted {
                self.pos += 1;
                loop {
                    let rest = self.text.get(self.pos..).unwrap_or_default();
                    let Some(q) = rest.find('"') else {
                        return Err(err(self.line, "a quoted field is not closed"));
                    };
                    let chunk = rest.get(..q).unwrap_or_default();
                    self.line += chunk.matches('\n').count();
                    field.push_str(chunk);
                    self.pos += q + 1;
                    if bytes.get(self.pos) == Some(&b'"') {
                        field.push('"');
                        self.pos += 1;
                    } else {
                        break;
                    }
                    if field.len() > MAX_FIELD_LEN {
                        return Err(err(self.line, "a field is longer than 1 MiB"));
                    }
                }
            } else {
                let rest = self.text.get(self.pos..).unwrap_or_default();
                let end = rest.find([',', '\n', '\r']).unwrap_or(rest.len());
                let chunk = rest.get(..end).unwrap_or_default();
                if chunk.contains('"') {
                    return Err(err(self.line, "a quote inside an unquoted field"));
                }
                field.push_str(chunk);
                self.pos += end;
            }
            if field.len() > MAX_FIELD_LEN {
                return Err(err(self.line, "a field is longer than 1 MiB"));
            }
            fields.push(std::mem::take(&mut field));
            if fields.len() > MAX_FIELDS {
                return Err(err(self.line, "a record has more than 4096 fields"));
            }
            match bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'\r') if bytes.get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                    return Ok(fields);
                }
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    return Ok(fields);
                }
                None => return Ok(fields),
                Some(_) => return Err(err(self.line, "text after a closing quote")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Result<Vec<Vec<String>>, CsvError> {
        csv_records(text).collect()
    }

    #[test]
    fn rfc4180() {
        assert_eq!(all("a,b\r\nc,d\r\n").unwrap(), [["a", "b"], ["c", "d"]]);
        assert_eq!(all("a,,\n").unwrap(), [["a", "", ""]]);
        assert_eq!(
            all("\"x\ny\",\"\"\n\nz").unwrap(),
            vec![vec!["x\ny", ""], vec!["z"]]
        );
        assert_eq!(all("\u{feff}h\n").unwrap(), [["h"]]);
        assert_eq!(all("").unwrap(), Vec::<Vec<String>>::new());
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            all("a\n\"open").unwrap_err().to_string(),
            "CSV line 2: a quoted field is not closed"
        );
        assert_eq!(
            all("a\nb\"c\n").unwrap_err().to_string(),
            "CSV line 2: a quote inside an unquoted field"
        );
        assert_eq!(all("\"a\"b\n").unwrap_err().line, 1);
    }
}
