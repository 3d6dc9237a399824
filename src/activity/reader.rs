//! Reading CloudTrail: delivery files (`.json`, `.json.gz`), directory trees, and
//! `aws cloudtrail lookup-events` output, streamed into an [`ActivitySummary`].

use std::borrow::Cow;
use std::fmt;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::de::DeserializeSeed;

use super::actions::{event_actions, EventActions};
use super::principal::{attribute, is_long_term_key, IdentityFields, PrincipalKind, PrincipalRef};
use super::record::{Element, Malformed, RawRecord, TopSeed};
use super::summary::{ActivitySummary, Observation};
use super::time::Timestamp;

/// At most this many problems are kept in a report (the counts go on).
pub const MAX_PROBLEMS: usize = 1_000;
/// At most this many problems are kept per file.
const MAX_PROBLEMS_PER_FILE: usize = 5;

/// How to read CloudTrail.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Events after this time are ignored (the `--now` of a run).
    pub not_after: Option<Timestamp>,
    /// Events before this time are ignored (the start of a window).
    pub not_before: Option<Timestamp>,
    /// Files up to this size (after decompression) are read whole into memory and parsed with
    /// borrowed strings, which is fastest; larger ones are streamed. Memory use is bounded by
    /// about this much, whatever the size of the logs. Default 64 MiB.
    pub max_in_memory: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            not_after: None,
            not_before: None,
            max_in_memory: 64 << 20,
        }
    }
}

impl ReadOptions {
    /// Ignore events after `now`.
    pub fn not_after(mut self, now: Timestamp) -> Self {
        self.not_after = Some(now);
        self
    }

    /// Ignore events before `start`.
    pub fn not_before(mut self, start: Timestamp) -> Self {
        self.not_before = Some(start);
        self
    }
}

/// Something wrong with one input, which was skipped in whole or in part.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file (or name given to the input).
    pub file: String,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.file, self.message)
    }
}

/// What reading found: counts, and the problems with file names.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadReport {
    /// Log files read (in whole or in part).
    pub files: u64,
    /// Bytes of JSON read (after decompression).
    pub bytes: u64,
    /// Records found.
    pub records: u64,
    /// Records folded into the summary.
    pub used: u64,
    /// Records ignored because they are after `not_after`.
    pub after_now: u64,
    /// Records ignored because they are before `not_before`.
    pub before_window: u64,
    /// Records ignored because they are not calls (`AwsServiceEvent`, Insights events).
    pub not_calls: u64,
    /// Records that could not be used (missing fields, not objects).
    pub malformed: u64,
    /// Files that were truncated, corrupt or unreadable (records before the damage are used).
    pub bad_files: u64,
    /// CloudTrail digest files skipped.
    pub digest_files: u64,
    /// The first [`MAX_PROBLEMS`] problems.
    pub problems: Vec<Problem>,
    /// Problems beyond those kept.
    pub more_problems: u64,
}

impl ReadReport {
    fn problem(&mut self, file: &str, message: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                file: file.to_owned(),
                message,
            });
        } else {
            self.more_problems += 1;
        }
    }

    /// Adds the counts and problems of `other`.
    pub fn merge(&mut self, other: ReadReport) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.records += other.records;
        self.used += other.used;
        self.after_now += other.after_now;
        self.before_window += other.before_window;
        self.not_calls += other.not_calls;
        self.malformed += other.malformed;
        self.bad_files += other.bad_files;
        self.digest_files += other.digest_files;
        self.more_problems += other.more_problems;
        for p in other.problems {
            self.problem(&p.file, p.message);
        }
    }
}

/// The error when a path given to read does not exist or cannot be listed.
#[derive(Debug)]
pub struct ReadError {
    path: PathBuf,
    source: io::Error,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read `{}`: {}", self.path.display(), self.source)
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Whether a path names a CloudTrail digest file (`…/CloudTrail-Digest/…`,
/// `…_CloudTrail-Digest_…`), which holds hashes, not events.
pub fn is_digest(path: &Path) -> bool {
    path.to_string_lossy().contains("CloudTrail-Digest")
}

/// Whether a file in a directory tree is read: `.json`, `.json.gz`, `.jsonl`, `.jsonl.gz`,
/// `.ndjson`, `.gz` (not digests).
fn is_log_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase());
    name.is_some_and(|n| {
        [
            ".json",
            ".json.gz",
            ".jsonl",
            ".jsonl.gz",
            ".ndjson",
            ".ndjson.gz",
            ".gz",
        ]
        .iter()
        .any(|ext| n.ends_with(ext))
    })
}

/// The log files under a directory, found lazily, one directory listing at a time (each sorted
/// by name, so the order is stable). Symbolic links to directories are not followed.
///
/// Yields `Err((path, error))` for a directory or entry that cannot be read. Digest files are
/// yielded too (so that they can be counted); [`CloudTrailReader::read_file`] skips them.
#[derive(Debug)]
pub struct LogFiles {
    stack: Vec<std::vec::IntoIter<PathBuf>>,
    pending_error: Option<(PathBuf, io::Error)>,
}

impl LogFiles {
    /// The log files under `root` (or `root` itself when it is a file).
    pub fn new(root: &Path) -> LogFiles {
        match fs::metadata(root) {
            Ok(m) if m.is_dir() => {
                let mut walker = LogFiles {
                    stack: Vec::new(),
                    pending_error: None,
                };
                walker.push_dir(root);
                walker
            }
            Ok(_) => LogFiles {
                stack: vec![vec![root.to_path_buf()].into_iter()],
                pending_error: None,
            },
            Err(e) => LogFiles {
                stack: Vec::new(),
                pending_error: Some((root.to_path_buf(), e)),
            },
        }
    }

    fn push_dir(&mut self, dir: &Path) {
        match fs::read_dir(dir) {
            Ok(entries) => {
                let mut paths: Vec<PathBuf> = Vec::new();
                for e in entries {
                    match e {
                        Ok(e) => paths.push(e.path()),
                        Err(err) => {
                            self.pending_error = Some((dir.to_path_buf(), err));
                        }
                    }
                }
                paths.sort();
                self.stack.push(paths.into_iter());
            }
            Err(e) => self.pending_error = Some((dir.to_path_buf(), e)),
        }
    }
}

impl Iterator for LogFiles {
    type Item = Result<PathBuf, (PathBuf, io::Error)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(e) = self.pending_error.take() {
                return Some(Err(e));
            }
            let top = self.stack.last_mut()?;
            let Some(path) = top.next() else {
                self.stack.pop();
                continue;
            };
            let single_file =
                self.stack.len() == 1 && self.stack.first().is_some_and(|s| s.len() == 0);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => self.push_dir(&path),
                Ok(m) if m.file_type().is_symlink() => {
                    // Follow links to files, not to directories (no cycles).
                    if fs::metadata(&path).is_ok_and(|t| t.is_file()) && is_log_name(&path) {
                        return Some(Ok(path));
                    }
                }
                Ok(_) if single_file || is_log_name(&path) => return Some(Ok(path)),
                Ok(_) => {}
                Err(e) => return Some(Err((path, e))),
            }
        }
    }
}

/// Reads CloudTrail logs into an [`ActivitySummary`], one record at a time.
///
/// Accepted shapes, detected from the content (gzip by its magic bytes, whatever the name):
/// CloudTrail delivery files `{"Records": [...]}`; `aws cloudtrail lookup-events` output, both
/// `{"Events": [...]}` and JSON lines, where each event holds its record as the string
/// `CloudTrailEvent`; a bare array of records; one record per line (JSON lines).
///
/// Never fails on content: malformed records and damaged files are counted and listed in the
/// [`ReadReport`] and skipped (the records before the damage are kept).
///
/// ```
/// use perimeter::activity::{CloudTrailReader, ReadOptions, Timestamp};
/// let log = br#"{"Records": [{"eventTime": "2024-05-01T10:00:00Z", "eventSource": "s3.amazonaws.com",
///   "eventName": "ListBuckets", "userIdentity": {"type": "IAMUser",
///   "arn": "arn:aws:iam::111122223333:user/alice", "accessKeyId": "AKIAIOSFODNN7EXAMPLE"}}]}"#;
/// let now = Timestamp::parse("2024-06-01T00:00:00Z")?;
/// let mut reader = CloudTrailReader::new(ReadOptions::default().not_after(now));
/// reader.read_bytes("example.json", log);
/// let (summary, report) = reader.finish();
/// assert_eq!(report.used, 1);
/// let alice = summary.principal("arn:aws:iam::111122223333:user/alice").unwrap();
/// assert!(alice.actions.contains_key("s3:ListAllMyBuckets"));
/// assert!(alice.access_keys.contains_key("AKIAIOSFODNN7EXAMPLE"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CloudTrailReader {
    options: ReadOptions,
    summary: ActivitySummary,
    report: ReadReport,
    buffer: Vec<u8>,
}

/// Per-file state while records stream in.
struct FileState<'r> {
    name: &'r str,
    problems: usize,
}

impl CloudTrailReader {
    /// A reader with these options and an empty summary.
    pub fn new(options: ReadOptions) -> Self {
        CloudTrailReader {
            options,
            summary: ActivitySummary::new(),
            report: ReadReport::default(),
            buffer: Vec::new(),
        }
    }

    /// The summary so far.
    pub fn summary(&self) -> &ActivitySummary {
        &self.summary
    }

    /// The report so far.
    pub fn report(&self) -> &ReadReport {
        &self.report
    }

    /// The summary and the report.
    pub fn finish(self) -> (ActivitySummary, ReadReport) {
        (self.summary, self.report)
    }

    /// Reads a file, or every log file under a directory (see [`LogFiles`]).
    ///
    /// # Errors
    /// Only when `path` itself does not exist or cannot be read; problems below it (unreadable
    /// files, damaged content) go to the report.
    pub fn read_path(&mut self, path: &Path) -> Result<(), ReadError> {
        if let Err(e) = fs::metadata(path) {
            return Err(ReadError {
                path: path.to_path_buf(),
                source: e,
            });
        }
        for item in LogFiles::new(path) {
            match item {
                Ok(file) => self.read_file(&file),
                Err((p, e)) => {
                    self.report.bad_files += 1;
                    self.report
                        .problem(&p.display().to_string(), format!("cannot read: {e}"));
                }
            }
        }
        Ok(())
    }

    /// Reads one file (skipping it when it is a digest file). Problems go to the report.
    pub fn read_file(&mut self, path: &Path) {
        if is_digest(path) {
            self.report.digest_files += 1;
            return;
        }
        let name = path.display().to_string();
        match fs::File::open(path) {
            Ok(f) => self.read_reader(&name, f),
            Err(e) => {
                self.report.bad_files += 1;
                self.report.problem(&name, format!("cannot read: {e}"));
            }
        }
    }

    /// Reads a log from memory (gzip or not).
    pub fn read_bytes(&mut self, name: &str, bytes: &[u8]) {
        if bytes.starts_with(&[0x1f, 0x8b]) {
            self.read_reader(name, bytes);
            return;
        }
        self.report.files += 1;
        self.report.bytes += bytes.len() as u64;
        let mut state = FileState { name, problems: 0 };
        parse_slice(
            &self.options,
            &mut self.summary,
            &mut self.report,
            &mut state,
            bytes,
        );
    }

    /// Reads a log from a reader (gzip or not): read whole when it fits in
    /// [`ReadOptions::max_in_memory`], streamed otherwise.
    pub fn read_reader<R: Read>(&mut self, name: &str, reader: R) {
        let mut reader = BufReader::with_capacity(1 << 16, reader);
        let gzip = match reader.fill_buf() {
            Ok(head) => head.starts_with(&[0x1f, 0x8b]),
            Err(e) => {
                self.report.bad_files += 1;
                self.report.problem(name, format!("cannot read: {e}"));
                return;
            }
        };
        if gzip {
            let decoder = flate2::bufread::MultiGzDecoder::new(reader);
            self.read_plain(name, decoder);
        } else {
            self.read_plain(name, reader);
        }
    }

    fn read_plain<R: Read>(&mut self, name: &str, mut reader: R) {
        self.report.files += 1;
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        let limit = self.options.max_in_memory as u64;
        let read = (&mut reader)
            .take(limit.saturating_add(1))
            .read_to_end(&mut buffer);
        let mut state = FileState { name, problems: 0 };
        match read {
            Ok(n) if (n as u64) <= limit => {
                self.report.bytes += n as u64;
                parse_slice(
                    &self.options,
                    &mut self.summary,
                    &mut self.report,
                    &mut state,
                    &buffer,
                );
            }
            Ok(_) => {
                // Too large to hold: stream the rest after what was read.
                let chained = io::Cursor::new(&buffer[..]).chain(reader);
                let mut counting = CountingReader {
                    inner: chained,
                    count: 0,
                };
                parse_stream(
                    &self.options,
                    &mut self.summary,
                    &mut self.report,
                    &mut state,
                    &mut counting,
                );
                self.report.bytes += counting.count;
            }
            Err(e) => {
                // A damaged or truncated file: use what could be read, then report it once.
                self.report.bytes += buffer.len() as u64;
                state.problems = MAX_PROBLEMS_PER_FILE; // the parse error is a consequence
                let before = self.report.bad_files;
                parse_slice(
                    &self.options,
                    &mut self.summary,
                    &mut self.report,
                    &mut state,
                    &buffer,
                );
                if self.report.bad_files == before {
                    self.report.bad_files += 1;
                }
                self.report.problem(
                    name,
                    format!("damaged or truncated ({e}); {} bytes used", buffer.len()),
                );
            }
        }
        if buffer.capacity() > (16 << 20) {
            buffer = Vec::new(); // do not keep a large buffer between files
        }
        self.buffer = buffer;
    }
}

struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Whether `bytes` is JSON lines: a first line that is a whole JSON value, followed by more.
fn looks_like_lines(bytes: &[u8]) -> bool {
    let Some(nl) = bytes.iter().position(|&b| b == b'\n') else {
        return false;
    };
    let (first, rest) = bytes.split_at(nl);
    if rest.iter().all(u8::is_ascii_whitespace) || first.iter().all(u8::is_ascii_whitespace) {
        return false;
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok()
}

fn parse_slice(
    options: &ReadOptions,
    summary: &mut ActivitySummary,
    report: &mut ReadReport,
    state: &mut FileState<'_>,
    bytes: &[u8],
) {
    let bytes = strip_bom(bytes);
    if looks_like_lines(bytes) {
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if let Err(e) = parse_value(options, summary, report, state, line) {
                report.malformed += 1;
                note(report, state, format!("line {}: not JSON ({e})", i + 1));
            }
        }
    } else if let Err(e) = parse_value(options, summary, report, state, bytes) {
        report.bad_files += 1;
        note(report, state, format!("truncated or corrupt JSON: {e}"));
    }
}

fn parse_value(
    options: &ReadOptions,
    summary: &mut ActivitySummary,
    report: &mut ReadReport,
    state: &mut FileState<'_>,
    bytes: &[u8],
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut sink = |e: Element<'_>| handle(options, summary, report, state, e);
    TopSeed { sink: &mut sink }.deserialize(&mut de)?;
    de.end()
}

fn parse_stream<R: Read>(
    options: &ReadOptions,
    summary: &mut ActivitySummary,
    report: &mut ReadReport,
    state: &mut FileState<'_>,
    reader: R,
) {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    // JSON lines? Look at the first line (bounded).
    let mut first = Vec::new();
    let limit = options.max_in_memory as u64;
    if let Err(e) = (&mut reader).take(limit).read_until(b'\n', &mut first) {
        report.bad_files += 1;
        note(report, state, format!("cannot read: {e}"));
        return;
    }
    let lines = first.ends_with(b"\n")
        && !strip_bom(&first).iter().all(u8::is_ascii_whitespace)
        && serde_json::from_slice::<serde::de::IgnoredAny>(strip_bom(&first)).is_ok();
    if lines {
        let mut line = first;
        let mut n = 1usize;
        loop {
            if !line.iter().all(u8::is_ascii_whitespace) {
                let text = if n == 1 { strip_bom(&line) } else { &line[..] };
                if let Err(e) = parse_value(options, summary, report, state, text) {
                    report.malformed += 1;
                    note(report, state, format!("line {n}: not JSON ({e})"));
                }
            }
            line.clear();
            match (&mut reader).take(limit).read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) if !line.ends_with(b"\n") && line.len() as u64 >= limit => {
                    report.bad_files += 1;
                    note(
                        report,
                        state,
                        format!("line {} is longer than {limit} bytes", n + 1),
                    );
                    break;
                }
                Ok(_) => n += 1,
                Err(e) => {
                    report.bad_files += 1;
                    note(report, state, format!("damaged or truncated ({e})"));
                    break;
                }
            }
        }
        return;
    }
    let chained = io::Cursor::new(first).chain(reader);
    let mut de = serde_json::Deserializer::from_reader(chained);
    let mut sink = |e: Element<'_>| handle(options, summary, report, state, e);
    let result = TopSeed { sink: &mut sink }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = result {
        report.bad_files += 1;
        note(report, state, format!("truncated or corrupt JSON: {e}"));
    }
}

fn note(report: &mut ReadReport, state: &mut FileState<'_>, message: String) {
    if state.problems < MAX_PROBLEMS_PER_FILE {
        state.problems += 1;
        report.problem(state.name, message);
    } else {
        report.more_problems += 1;
    }
}

fn handle(
    options: &ReadOptions,
    summary: &mut ActivitySummary,
    report: &mut ReadReport,
    state: &mut FileState<'_>,
    element: Element<'_>,
) {
    let record = match element {
        Element::Record(r) => r,
        Element::NotAnObject => {
            report.records += 1;
            report.malformed += 1;
            note(report, state, Malformed::NotAnObject.to_string());
            return;
        }
    };
    if let Some(embedded) = record.cloudtrail_event.get() {
        match serde_json::from_str::<Element<'_>>(embedded) {
            Ok(Element::Record(inner)) => handle_record(options, summary, report, state, &inner),
            _ => {
                report.records += 1;
                report.malformed += 1;
                note(report, state, Malformed::BadEmbedded.to_string());
            }
        }
        return;
    }
    handle_record(options, summary, report, state, &record);
}

/// Whether an error code means the call was denied by authorization (not failed later).
pub(crate) fn is_denied(error_code: &str) -> bool {
    let code = error_code.strip_prefix("Client.").unwrap_or(error_code);
    code.contains("AccessDenied") || code.contains("Unauthorized") || code == "Forbidden"
}

fn handle_record(
    options: &ReadOptions,
    summary: &mut ActivitySummary,
    report: &mut ReadReport,
    state: &mut FileState<'_>,
    r: &RawRecord<'_>,
) {
    report.records += 1;
    let fail = |report: &mut ReadReport, state: &mut FileState<'_>, m: Malformed| {
        report.malformed += 1;
        note(report, state, m.to_string());
    };
    let Some(time_text) = r.event_time.get() else {
        return fail(report, state, Malformed::MissingField("eventTime"));
    };
    let Ok(time) = Timestamp::parse(time_text) else {
        return fail(report, state, Malformed::BadTime);
    };
    let Some(source) = r.event_source.get() else {
        return fail(report, state, Malformed::MissingField("eventSource"));
    };
    let Some(name) = r.event_name.get() else {
        return fail(report, state, Malformed::MissingField("eventName"));
    };
    if options.not_after.is_some_and(|now| time > now) {
        report.after_now += 1;
        return;
    }
    if options.not_before.is_some_and(|start| time < start) {
        report.before_window += 1;
        return;
    }
    if matches!(
        r.event_type.get(),
        Some("AwsServiceEvent" | "AwsCloudTrailInsight")
    ) {
        report.not_calls += 1;
        return;
    }
    report.used += 1;
    let event = EventView {
        record: r,
        time,
        source,
        name,
    };
    observe_event(summary, &event);
}

/// A record that passed the checks.
pub(crate) struct EventView<'r, 'a> {
    pub(crate) record: &'r RawRecord<'a>,
    pub(crate) time: Timestamp,
    pub(crate) source: &'r str,
    pub(crate) name: &'r str,
}

fn observe_event(summary: &mut ActivitySummary, e: &EventView<'_, '_>) {
    let id = &e.record.user_identity;
    let issuer = &id.session_context.session_issuer;
    let fields = IdentityFields {
        kind: id.kind.get(),
        arn: id.arn.get(),
        account_id: id.account_id.get(),
        user_name: id.user_name.get(),
        issuer_kind: issuer.kind.get(),
        issuer_arn: issuer.arn.get(),
    };
    let principal = attribute(&fields);
    let denied = e.record.error_code.get().is_some_and(is_denied);
    let failed = e.record.error_code.get().is_some();

    let mapped = event_actions(e.source, e.name);
    let default_action;
    let actions: Cow<'_, [&str]> = match &mapped {
        EventActions::Default { prefix, name } => {
            default_action = format!("{prefix}:{name}");
            Cow::Owned(vec![default_action.as_str()])
        }
        EventActions::Listed(list) => Cow::Borrowed(list),
        EventActions::None => Cow::Borrowed(&[]),
    };
    let resources: smallvec::SmallVec<[&str; 2]> =
        e.record.resources.0.iter().map(|c| c.as_ref()).collect();

    let person = principal
        .as_ref()
        .is_some_and(|p| matches!(p.kind, PrincipalKind::User | PrincipalKind::Root));
    let access_key = id
        .access_key_id
        .get()
        .filter(|k| person && is_long_term_key(k));
    let console_sign_in = person
        && e.source == "signin.amazonaws.com"
        && e.name == "ConsoleLogin"
        && e.record.response_elements.console_login.get() == Some("Success");
    let assumed = (!failed
        && e.source == "sts.amazonaws.com"
        && matches!(
            e.name,
            "AssumeRole" | "AssumeRoleWithSAML" | "AssumeRoleWithWebIdentity"
        ))
    .then(|| {
        e.record
            .request_parameters
            .role_arn
            .get()
            .and_then(PrincipalRef::from_arn)
            .or_else(|| resources.iter().find_map(|r| PrincipalRef::from_arn(r)))
            .filter(|p| p.kind == PrincipalKind::Role && p.path.is_some())
    })
    .flatten();

    summary.observe(&Observation {
        principal: principal.as_ref(),
        count: 1,
        first: Some(e.time),
        last: Some(e.time),
        last_allowed: (!denied).then_some(e.time),
        actions: &actions,
        resources: &resources,
        access_key,
        console_sign_in,
        assumed_role: assumed.as_ref(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> (ActivitySummary, ReadReport) {
        let mut r = CloudTrailReader::new(
            ReadOptions::default().not_after(Timestamp::parse("2030-01-01T00:00:00Z").unwrap()),
        );
        r.read_bytes("t.json", bytes);
        r.finish()
    }

    const ONE: &str = r#"{"eventTime":"2024-05-01T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"}}"#;

    #[test]
    fn shapes() {
        let records = format!(r#"{{"Records":[{ONE},{ONE}]}}"#);
        assert_eq!(read(records.as_bytes()).1.used, 2);
        let array = format!("[{ONE},{ONE},{ONE}]");
        assert_eq!(read(array.as_bytes()).1.used, 3);
        let lines = format!("{ONE}\n\n{ONE}\n");
        assert_eq!(read(lines.as_bytes()).1.used, 2);
        let single = ONE.to_string();
        assert_eq!(read(single.as_bytes()).1.used, 1);
        let embedded =
            serde_json::to_string(&serde_json::json!({"EventId": "x", "CloudTrailEvent": ONE}))
                .unwrap();
        let lookup = format!(r#"{{"Events":[{embedded}], "NextToken": "abc"}}"#);
        assert_eq!(read(lookup.as_bytes()).1.used, 1);
        let lookup_lines = format!("{embedded}\n{embedded}\n");
        assert_eq!(read(lookup_lines.as_bytes()).1.used, 2);
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(&records).unwrap(),
        )
        .unwrap();
        assert_eq!(read(pretty.as_bytes()).1.used, 2);
    }

    #[test]
    fn malformed_records_are_counted_not_fatal() {
        let text = format!(
            r#"{{"Records":[1, {{"eventSource":"s3.amazonaws.com"}}, {{"eventTime":"yesterday","eventSource":"a","eventName":"b"}}, {ONE}, {{"eventTime": 5, "eventName": [1,2], "userIdentity": "x"}}]}}"#
        );
        let (s, rep) = read(text.as_bytes());
        assert_eq!(
            (rep.records, rep.used, rep.malformed, rep.bad_files),
            (5, 1, 4, 0)
        );
        assert_eq!(rep.problems.len(), 4);
        assert_eq!(rep.problems[0].message, "a record is not a JSON object");
        assert_eq!(
            rep.problems[1].message,
            "a record has no string `eventTime`"
        );
        assert_eq!(
            rep.problems[2].message,
            "a record's `eventTime` is not a timestamp"
        );
        assert_eq!(s.events(), 1);
    }

    #[test]
    fn truncated_files_keep_what_came_before() {
        let text = format!(r#"{{"Records":[{ONE},{ONE},{{"eventTime":"2024-"#);
        let (s, rep) = read(text.as_bytes());
        assert_eq!((rep.used, rep.bad_files), (2, 1));
        assert!(
            rep.problems[0]
                .message
                .starts_with("truncated or corrupt JSON: EOF while parsing"),
            "{}",
            rep.problems[0].message
        );
        assert_eq!(rep.problems[0].file, "t.json");
        assert_eq!(s.events(), 2);
    }

    #[test]
    fn events_after_now_are_ignored() {
        let mut r = CloudTrailReader::new(
            ReadOptions::default().not_after(Timestamp::parse("2024-05-01T09:59:59Z").unwrap()),
        );
        r.read_bytes("t.json", ONE.as_bytes());
        let (s, rep) = r.finish();
        assert_eq!((rep.after_now, rep.used), (1, 0));
        assert!(s
            .principal("arn:aws:iam::111122223333:user/alice")
            .is_none());
    }

    #[test]
    fn streaming_path_gives_the_same_summary() {
        let mut text = String::from(r#"{"Records":["#);
        for i in 0..200 {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&ONE.replace("alice", &format!("user{}", i % 7)));
        }
        text.push_str("]}");
        let (fast, _) = read(text.as_bytes());
        let mut r = CloudTrailReader::new(ReadOptions {
            max_in_memory: 100,
            ..ReadOptions::default()
        });
        r.read_reader("t.json", text.as_bytes());
        let (slow, rep) = r.finish();
        assert_eq!(rep.used, 200);
        assert_eq!(fast, slow);
        let lines: String = (0..50).map(|_| format!("{ONE}\n")).collect();
        let mut r = CloudTrailReader::new(ReadOptions {
            max_in_memory: 300,
            ..ReadOptions::default()
        });
        r.read_reader("t.jsonl", lines.as_bytes());
        assert_eq!(r.report().used, 50);
    }

    #[test]
    fn denied_codes() {
        for c in [
            "AccessDenied",
            "Client.UnauthorizedOperation",
            "AccessDeniedException",
            "VpceAccessDenied",
        ] {
            assert!(is_denied(c), "{c}");
        }
        for c in [
            "NoSuchBucket",
            "Client.DryRunOperation",
            "ThrottlingException",
        ] {
            assert!(!is_denied(c), "{c}");
        }
    }
}
