//! Filters and archive rules in Access Analyzer's syntax (`FilterCriteriaMap`, `Criterion`,
//! `CreateArchiveRule`).
//!
//! AWS: "Archive rules" and "Filtering findings" in the IAM User Guide
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-archive-rules.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html>)
//! and `Criterion` in the API Reference: keys are ANDed, the values of one list are ORed, each
//! list has 1 to 20 values. What the pages leave open is decided in `src/manual/findings.md`.

use crate::analyze::{Finding, ResourceType};
use crate::error::{quote, Error, ErrorKind};
use crate::json::{self, Limits, Member, Node, Path, Value};
use serde_json::{json, Map};
use std::borrow::Cow;
use std::fmt;

/// Most values in one operator's list (Access Analyzer's quota).
pub const MAX_VALUES: usize = 20;
/// Most rules in one rules document (Access Analyzer's hard quota per analyzer).
pub const MAX_RULES: usize = 1_000;
/// Longest value, in characters.
pub const MAX_VALUE_CHARS: usize = 2_048;
/// Most criteria in one filter.
pub const MAX_CRITERIA: usize = 64;

/// A finding property a filter can test.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FilterKey {
    /// `resource`: the resource ARN.
    Resource,
    /// `resourceType`, such as `AWS::S3::Bucket`.
    ResourceType,
    /// `resourceOwnerAccount`.
    ResourceOwnerAccount,
    /// `isPublic` (`true` or `false`).
    IsPublic,
    /// `principal.AWS`, `principal.Federated` or `principal.CanonicalUser`: the principal's value
    /// under that type.
    Principal(String),
    /// `condition.<key>`: the value of a condition key in the finding (keys compare ignoring
    /// case, as IAM does).
    Condition(String),
    /// `error`: the error of an error finding.
    Error,
    /// `id` (filters only, not archive rules in Access Analyzer; accepted in rules here).
    Id,
    /// `status` (filters only; an archive rule acts on new findings, so it cannot use it).
    Status,
    /// `action` (perimeter): the finding's actions; a finding matches only when every one of
    /// its actions matches (see the manual).
    Action,
    /// `changeType` of an access preview finding (`NEW`, `UNCHANGED`, `CHANGED`).
    ChangeType,
    /// `existingFindingId` of an access preview finding.
    ExistingFindingId,
    /// `existingFindingStatus` of an access preview finding.
    ExistingFindingStatus,
}

const PRINCIPAL_TYPES: &[&str] = &["AWS", "Federated", "CanonicalUser"];

impl FilterKey {
    /// Read a key as Access Analyzer spells it.
    pub fn parse(text: &str) -> Option<FilterKey> {
        Some(match text {
            "resource" => FilterKey::Resource,
            "resourceType" => FilterKey::ResourceType,
            "resourceOwnerAccount" => FilterKey::ResourceOwnerAccount,
            "isPublic" => FilterKey::IsPublic,
            "error" => FilterKey::Error,
            "id" => FilterKey::Id,
            "status" => FilterKey::Status,
            "action" => FilterKey::Action,
            "changeType" => FilterKey::ChangeType,
            "existingFindingId" => FilterKey::ExistingFindingId,
            "existingFindingStatus" => FilterKey::ExistingFindingStatus,
            _ => {
                if let Some(t) = text.strip_prefix("principal.") {
                    if PRINCIPAL_TYPES.contains(&t) {
                        return Some(FilterKey::Principal(t.to_string()));
                    }
                    return None;
                }
                let k = text.strip_prefix("condition.")?;
                if k.is_empty() || k.chars().any(char::is_whitespace) {
                    return None;
                }
                FilterKey::Condition(k.to_string())
            }
        })
    }

    /// The key as written in a filter.
    pub fn as_string(&self) -> String {
        match self {
            FilterKey::Resource => "resource".into(),
            FilterKey::ResourceType => "resourceType".into(),
            FilterKey::ResourceOwnerAccount => "resourceOwnerAccount".into(),
            FilterKey::IsPublic => "isPublic".into(),
            FilterKey::Principal(t) => format!("principal.{t}"),
            FilterKey::Condition(k) => format!("condition.{k}"),
            FilterKey::Error => "error".into(),
            FilterKey::Id => "id".into(),
            FilterKey::Status => "status".into(),
            FilterKey::Action => "action".into(),
            FilterKey::ChangeType => "changeType".into(),
            FilterKey::ExistingFindingId => "existingFindingId".into(),
            FilterKey::ExistingFindingStatus => "existingFindingStatus".into(),
        }
    }

    fn preview_only(&self) -> bool {
        matches!(
            self,
            FilterKey::ChangeType | FilterKey::ExistingFindingId | FilterKey::ExistingFindingStatus
        )
    }
}

impl fmt::Display for FilterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

/// The test on one key: every operator present must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Criterion {
    /// Matches when the property equals one of these.
    pub eq: Vec<String>,
    /// Matches when the property is present and equals none of these.
    pub neq: Vec<String>,
    /// Matches when the property is present and contains one of these (case-sensitive).
    pub contains: Vec<String>,
    /// Matches when the property is present (`true`) or absent (`false`).
    pub exists: Option<bool>,
}

impl Criterion {
    /// A criterion with one `eq` list.
    pub fn eq<S: AsRef<str>>(values: &[S]) -> Criterion {
        Criterion {
            eq: values.iter().map(|v| v.as_ref().to_string()).collect(),
            ..Criterion::default()
        }
    }

    fn to_json_value(&self) -> serde_json::Value {
        let mut m = Map::new();
        if !self.eq.is_empty() {
            m.insert("eq".into(), json!(self.eq));
        }
        if !self.neq.is_empty() {
            m.insert("neq".into(), json!(self.neq));
        }
        if !self.contains.is_empty() {
            m.insert("contains".into(), json!(self.contains));
        }
        if let Some(e) = self.exists {
            m.insert("exists".into(), json!(e));
        }
        serde_json::Value::Object(m)
    }
}

/// A property of a finding as filters see it.
pub(crate) enum Field<'a> {
    Absent,
    One(Cow<'a, str>),
    /// A list property (`action`); never empty (an empty list is absent).
    Many(&'a [String]),
}

/// What filters can read: findings and access preview findings.
pub(crate) trait Fields {
    fn field(&self, key: &FilterKey) -> Field<'_>;
}

fn opt(s: Option<&str>) -> Field<'_> {
    s.map_or(Field::Absent, |v| Field::One(Cow::Borrowed(v)))
}

impl Fields for Finding {
    fn field(&self, key: &FilterKey) -> Field<'_> {
        match key {
            FilterKey::Resource => Field::One(Cow::Borrowed(&self.resource)),
            FilterKey::ResourceType => Field::One(Cow::Borrowed(&self.resource_type)),
            FilterKey::ResourceOwnerAccount => {
                Field::One(Cow::Borrowed(&self.resource_owner_account))
            }
            FilterKey::IsPublic => self.is_public.map_or(Field::Absent, |b| {
                Field::One(Cow::Borrowed(if b { "true" } else { "false" }))
            }),
            FilterKey::Principal(t) => opt(self.principal.get(t).map(String::as_str)),
            FilterKey::Condition(k) => opt(self
                .condition
                .iter()
                .find(|(ck, _)| ck.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.as_str())),
            FilterKey::Error => opt(self.error.as_deref()),
            FilterKey::Id => Field::One(Cow::Borrowed(&self.id)),
            FilterKey::Status => Field::One(Cow::Borrowed(self.status.as_str())),
            FilterKey::Action => {
                if self.action.is_empty() {
                    Field::Absent
                } else {
                    Field::Many(&self.action)
                }
            }
            FilterKey::ChangeType
            | FilterKey::ExistingFindingId
            | FilterKey::ExistingFindingStatus => Field::Absent,
        }
    }
}

/// Whether one value of the property passes one operator's list.
fn value_eq(key: &FilterKey, a: &str, b: &str) -> bool {
    match key {
        // IAM action names ignore case.
        FilterKey::Action => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}

fn value_contains(key: &FilterKey, hay: &str, needle: &str) -> bool {
    match key {
        FilterKey::Action => hay
            .to_ascii_lowercase()
            .contains(&needle.to_ascii_lowercase()),
        _ => hay.contains(needle),
    }
}

impl Criterion {
    fn matches(&self, key: &FilterKey, field: &Field<'_>) -> bool {
        let present = !matches!(field, Field::Absent);
        if let Some(e) = self.exists {
            if e != present {
                return false;
            }
        }
        // Each value of the property must pass (one value for scalar properties; every action
        // for `action`, so that a rule never hides an action it does not name). A missing
        // property passes no operator but `exists: false`.
        let each = |pred: &dyn Fn(&str) -> bool| match field {
            Field::Absent => false,
            Field::One(v) => pred(v),
            Field::Many(vs) => vs.iter().all(|v| pred(v)),
        };
        if !self.eq.is_empty() && !each(&|v| self.eq.iter().any(|x| value_eq(key, v, x))) {
            return false;
        }
        if !self.neq.is_empty() && !each(&|v| self.neq.iter().all(|x| !value_eq(key, v, x))) {
            return false;
        }
        if !self.contains.is_empty()
            && !each(&|v| self.contains.iter().any(|x| value_contains(key, v, x)))
        {
            return false;
        }
        true
    }
}

/// A filter: criteria on several keys, all of which must hold.
///
/// ```
/// use perimeter::findings::Filter;
/// let filter = Filter::parse(r#"{"resourceType": {"eq": ["AWS::S3::Bucket"]},
///     "isPublic": {"eq": ["false"]}, "condition.aws:SourceIp": {"exists": true}}"#)?;
/// assert_eq!(filter.criteria().len(), 3);
/// # Ok::<(), perimeter::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    criteria: Vec<(FilterKey, Criterion)>,
}

impl Filter {
    /// A filter of these criteria.
    ///
    /// # Errors
    /// As [`Filter::parse`]: no criteria, an empty criterion, or a list of 0 or more than 20
    /// values.
    pub fn new(mut criteria: Vec<(FilterKey, Criterion)>) -> Result<Filter, Error> {
        criteria.sort_by(|a, b| a.0.cmp(&b.0));
        if criteria
            .windows(2)
            .any(|w| matches!(w, [a, b] if a.0 == b.0))
        {
            return Err(input("the filter has a key twice".into()));
        }
        let f = Filter { criteria };
        f.check("the filter")?;
        Ok(f)
    }

    /// Read a filter in the API's `filter` shape (`FilterCriteriaMap`).
    ///
    /// # Errors
    /// [`ErrorKind::Syntax`] for bad JSON; [`ErrorKind::Input`] for an unknown key or operator,
    /// a list of 0 or more than 20 values, a value that is not a string, an empty filter or
    /// criterion, naming the key and the JSON location.
    pub fn parse(text: &str) -> Result<Filter, Error> {
        let root = json::parse(text, &Limits::default())?;
        parse_filter(&root, &Path::root(), "the filter", false)
    }

    /// The criteria, ordered by key.
    pub fn criteria(&self) -> &[(FilterKey, Criterion)] {
        &self.criteria
    }

    /// Whether a finding matches.
    pub fn matches(&self, finding: &Finding) -> bool {
        self.matches_fields(finding)
    }

    pub(crate) fn matches_fields(&self, item: &dyn Fields) -> bool {
        self.criteria
            .iter()
            .all(|(k, c)| c.matches(k, &item.field(k)))
    }

    /// The filter in the API's shape.
    pub fn to_json_value(&self) -> serde_json::Value {
        let mut m = Map::new();
        for (k, c) in &self.criteria {
            m.insert(k.as_string(), c.to_json_value());
        }
        serde_json::Value::Object(m)
    }

    fn check(&self, what: &str) -> Result<(), Error> {
        if self.criteria.is_empty() {
            return Err(input(format!(
                "{what} has no criteria (it would match every finding)"
            )));
        }
        if self.criteria.len() > MAX_CRITERIA {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("{what} has more than {MAX_CRITERIA} criteria"),
            ));
        }
        for (k, c) in &self.criteria {
            for (op, list) in [("eq", &c.eq), ("neq", &c.neq), ("contains", &c.contains)] {
                if list.len() > MAX_VALUES {
                    return Err(input(format!(
                        "{what}: `{op}` of `{k}` has {} values; a list takes 1 to {MAX_VALUES}",
                        list.len()
                    )));
                }
            }
            if c.eq.is_empty() && c.neq.is_empty() && c.contains.is_empty() && c.exists.is_none() {
                return Err(input(format!(
                    "{what}: the criterion for `{k}` needs `eq`, `neq`, `contains` or `exists`"
                )));
            }
        }
        Ok(())
    }
}

fn input(msg: String) -> Error {
    Error::new(ErrorKind::Input, msg)
}

fn input_at(msg: String, path: &Path, node: &Node) -> Error {
    Error::at(ErrorKind::Input, msg, path.location(node.span.start))
}

fn parse_filter(node: &Node, path: &Path, what: &str, rule: bool) -> Result<Filter, Error> {
    let Value::Object(members) = &node.value else {
        return Err(input_at(
            format!(
                "{what}: a filter is an object of criteria, not {}",
                node.value.type_name()
            ),
            path,
            node,
        ));
    };
    let mut criteria: Vec<(FilterKey, Criterion)> = Vec::new();
    for Member { key, value, .. } in members {
        let at = path.key(key);
        let Some(k) = FilterKey::parse(key) else {
            return Err(input_at(
                format!(
                    "{what}: unknown filter key {}; use `resource`, `resourceType`, `resourceOwnerAccount`, `isPublic`, `principal.AWS`, `principal.Federated`, `principal.CanonicalUser`, `condition.<key>`, `error`, `id`, `status` or `action`",
                    quote(key)
                ),
                &at,
                value,
            ));
        };
        if rule && k == FilterKey::Status {
            return Err(input_at(
                format!("{what}: `status` cannot be used in an archive rule, which acts on findings as they are created"),
                &at,
                value,
            ));
        }
        if rule && k.preview_only() {
            return Err(input_at(
                format!("{what}: `{k}` applies to access preview findings only"),
                &at,
                value,
            ));
        }
        if criteria.iter().any(|(x, _)| *x == k) {
            return Err(input_at(
                format!("{what}: the key `{k}` appears twice"),
                &at,
                value,
            ));
        }
        let c = parse_criterion(value, &at, what, &k)?;
        criteria.push((k, c));
    }
    criteria.sort_by(|a, b| a.0.cmp(&b.0));
    let f = Filter { criteria };
    f.check(what).map_err(|e| {
        let loc = path.location(node.span.start);
        e.with_location(Some(loc))
    })?;
    Ok(f)
}

fn parse_criterion(
    node: &Node,
    path: &Path,
    what: &str,
    key: &FilterKey,
) -> Result<Criterion, Error> {
    let Value::Object(members) = &node.value else {
        return Err(input_at(
            format!(
                "{what}: the criterion for `{key}` must be an object such as {{\"eq\": [\"…\"]}}, not {}",
                node.value.type_name()
            ),
            path,
            node,
        ));
    };
    let mut c = Criterion::default();
    let mut seen: Vec<&str> = Vec::new();
    for Member { key: op, value, .. } in members {
        let at = path.key(op);
        if seen.contains(&op.as_str()) {
            return Err(input_at(
                format!("{what}: `{op}` appears twice in the criterion for `{key}`"),
                &at,
                value,
            ));
        }
        seen.push(op);
        match op.as_str() {
            "eq" | "neq" | "contains" => {
                let list = parse_values(value, &at, what, key, op)?;
                match op.as_str() {
                    "eq" => c.eq = list,
                    "neq" => c.neq = list,
                    _ => c.contains = list,
                }
            }
            "exists" => match &value.value {
                Value::Bool(b) => c.exists = Some(*b),
                // The CLI writes booleans as strings sometimes; accept them.
                Value::String(s) if s.eq_ignore_ascii_case("true") => c.exists = Some(true),
                Value::String(s) if s.eq_ignore_ascii_case("false") => c.exists = Some(false),
                other => {
                    return Err(input_at(
                        format!(
                            "{what}: `exists` of `{key}` must be `true` or `false`, not {}",
                            other.type_name()
                        ),
                        &at,
                        value,
                    ))
                }
            },
            _ => {
                return Err(input_at(
                    format!(
                        "{what}: unknown operator {} for `{key}`; use `eq`, `neq`, `contains` or `exists`",
                        quote(op)
                    ),
                    &at,
                    value,
                ))
            }
        }
    }
    if c.eq.is_empty() && c.neq.is_empty() && c.contains.is_empty() && c.exists.is_none() {
        return Err(input_at(
            format!("{what}: the criterion for `{key}` needs `eq`, `neq`, `contains` or `exists`"),
            path,
            node,
        ));
    }
    Ok(c)
}

fn parse_values(
    node: &Node,
    path: &Path,
    what: &str,
    key: &FilterKey,
    op: &str,
) -> Result<Vec<String>, Error> {
    let items: Vec<&Node> = match &node.value {
        Value::Array(items) => items.iter().collect(),
        // A lone string is read as a list of one.
        Value::String(_) => vec![node],
        other => {
            return Err(input_at(
                format!(
                    "{what}: `{op}` of `{key}` must be a list of strings, not {}",
                    other.type_name()
                ),
                path,
                node,
            ))
        }
    };
    if items.is_empty() || items.len() > MAX_VALUES {
        return Err(input_at(
            format!(
                "{what}: `{op}` of `{key}` has {} values; a list takes 1 to {MAX_VALUES}",
                items.len()
            ),
            path,
            node,
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = if matches!(node.value, Value::Array(_)) {
            path.index(i)
        } else {
            path.clone()
        };
        let raw = match &item.value {
            Value::String(s) => s.clone(),
            // `isPublic` values are booleans in spirit; accept JSON booleans too.
            Value::Bool(b) if *key == FilterKey::IsPublic => b.to_string(),
            other => {
                return Err(input_at(
                    format!(
                        "{what}: the values of `{op}` of `{key}` must be strings, not {}",
                        other.type_name()
                    ),
                    &at,
                    item,
                ))
            }
        };
        if raw.chars().count() > MAX_VALUE_CHARS {
            return Err(Error::at(
                ErrorKind::Limit,
                format!("{what}: a value of `{op}` of `{key}` is longer than {MAX_VALUE_CHARS} characters"),
                at.location(item.span.start),
            ));
        }
        out.push(normalize(key, raw).map_err(|m| input_at(format!("{what}: {m}"), &at, item))?);
    }
    Ok(out)
}

/// Spell values of keys with a fixed vocabulary the way findings do, and refuse values that could
/// never be meant (see the manual: a misspelt `isPublic` value under `neq` would archive every
/// finding).
fn normalize(key: &FilterKey, raw: String) -> Result<String, String> {
    match key {
        FilterKey::IsPublic => match raw.to_ascii_lowercase().as_str() {
            "true" => Ok("true".into()),
            "false" => Ok("false".into()),
            _ => Err(format!(
                "`isPublic` takes `true` or `false`, not {}",
                quote(&raw)
            )),
        },
        FilterKey::Status | FilterKey::ExistingFindingStatus => {
            let up = raw.to_ascii_uppercase();
            if ["ACTIVE", "ARCHIVED", "RESOLVED"].contains(&up.as_str()) {
                Ok(up)
            } else {
                Err(format!(
                    "`{key}` takes `ACTIVE`, `ARCHIVED` or `RESOLVED`, not {}",
                    quote(&raw)
                ))
            }
        }
        FilterKey::ChangeType => {
            let up = raw.to_ascii_uppercase();
            if ["NEW", "UNCHANGED", "CHANGED"].contains(&up.as_str()) {
                Ok(up)
            } else {
                Err(format!(
                    "`changeType` takes `NEW`, `UNCHANGED` or `CHANGED`, not {}",
                    quote(&raw)
                ))
            }
        }
        FilterKey::ResourceType => Ok(ResourceType::parse(&raw)
            .map(|t| t.as_str().to_string())
            .unwrap_or(raw)),
        _ => Ok(raw),
    }
}

/// A named archive rule (`CreateArchiveRule {ruleName, filter}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveRule {
    /// The rule name.
    pub name: String,
    /// What the rule archives.
    pub filter: Filter,
}

impl ArchiveRule {
    /// A rule.
    ///
    /// # Errors
    /// [`ErrorKind::Input`] for a name outside Access Analyzer's pattern
    /// (`[A-Za-z][A-Za-z0-9_.-]*`, 1 to 255 characters), or a filter with the `status` key.
    pub fn new(name: &str, filter: Filter) -> Result<ArchiveRule, Error> {
        check_name(name)?;
        if filter.criteria.iter().any(|(k, _)| *k == FilterKey::Status) {
            return Err(input(format!(
                "archive rule {}: `status` cannot be used in an archive rule, which acts on findings as they are created",
                quote(name)
            )));
        }
        Ok(ArchiveRule {
            name: name.to_string(),
            filter,
        })
    }

    /// Whether the rule archives this finding.
    pub fn matches(&self, finding: &Finding) -> bool {
        self.filter.matches(finding)
    }
}

fn check_name(name: &str) -> Result<(), Error> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && name.len() <= 255;
    if ok {
        Ok(())
    } else {
        Err(input(format!(
            "archive rule name {} must start with a letter and have only letters, digits, `_`, `.` and `-` (at most 255)",
            quote(name)
        )))
    }
}

/// The archive rules of an analyzer, in order.
///
/// ```
/// use perimeter::findings::ArchiveRules;
/// let rules = ArchiveRules::parse(r#"[
///   {"ruleName": "trusted-partner", "filter": {"principal.AWS": {"eq": ["444455556666"]}}},
///   {"ruleName": "internal-ips", "filter": {"condition.aws:SourceIp": {"exists": true},
///                                            "isPublic": {"eq": ["false"]}}}
/// ]"#)?;
/// assert_eq!(rules.rules().len(), 2);
/// assert_eq!(rules.rules()[0].name, "trusted-partner");
/// # Ok::<(), perimeter::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArchiveRules {
    rules: Vec<ArchiveRule>,
}

impl ArchiveRules {
    /// No rules.
    pub fn none() -> ArchiveRules {
        ArchiveRules::default()
    }

    /// These rules.
    ///
    /// # Errors
    /// [`ErrorKind::Input`] when two rules have the same name; [`ErrorKind::Limit`] above
    /// [`MAX_RULES`].
    pub fn new(rules: Vec<ArchiveRule>) -> Result<ArchiveRules, Error> {
        if rules.len() > MAX_RULES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("more than {MAX_RULES} archive rules"),
            ));
        }
        for (i, r) in rules.iter().enumerate() {
            if rules.iter().take(i).any(|o| o.name == r.name) {
                return Err(input(format!(
                    "two archive rules are named {}",
                    quote(&r.name)
                )));
            }
        }
        Ok(ArchiveRules { rules })
    }

    /// Read rules from JSON in one of these shapes: a list of `{"ruleName", "filter"}` (the
    /// `CreateArchiveRule` shape), `{"archiveRules": […]}` (`ListArchiveRules` output and
    /// `CreateAnalyzer`'s inline rules), one `{"ruleName", "filter"}` object, or one bare filter
    /// (a rule named `filter`).
    ///
    /// # Errors
    /// [`ErrorKind::Syntax`] for bad JSON; [`ErrorKind::Input`] naming the rule, the key and
    /// the JSON location for anything else that is wrong: an unknown key or operator, a list of
    /// 0 or more than 20 values, an empty filter, a bad or repeated rule name, the `status` key.
    pub fn parse(text: &str) -> Result<ArchiveRules, Error> {
        let root = json::parse(text, &Limits::default())?;
        let root_path = Path::root();
        let (list, path): (Vec<&Node>, Path) = match &root.value {
            Value::Array(items) => (items.iter().collect(), root_path.clone()),
            Value::Object(_) => {
                if let Some(inner) = root.get("archiveRules") {
                    match &inner.value {
                        Value::Array(items) => {
                            (items.iter().collect(), root_path.key("archiveRules"))
                        }
                        other => {
                            return Err(input_at(
                                format!("`archiveRules` must be a list, not {}", other.type_name()),
                                &root_path.key("archiveRules"),
                                inner,
                            ))
                        }
                    }
                } else if root.get("filter").is_some() || root.get("ruleName").is_some() {
                    (vec![&root], root_path.clone())
                } else {
                    let filter = parse_filter(&root, &root_path, "archive rule `filter`", true)?;
                    return ArchiveRules::new(vec![ArchiveRule {
                        name: "filter".into(),
                        filter,
                    }]);
                }
            }
            other => {
                return Err(input_at(
                    format!(
                        "archive rules are a list of {{\"ruleName\", \"filter\"}} objects or one filter object, not {}",
                        other.type_name()
                    ),
                    &root_path,
                    &root,
                ))
            }
        };
        if list.len() > MAX_RULES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("{} archive rules, more than {MAX_RULES}", list.len()),
            ));
        }
        let single = matches!(root.value, Value::Object(_)) && root.get("archiveRules").is_none();
        let mut rules = Vec::with_capacity(list.len());
        for (i, node) in list.into_iter().enumerate() {
            let at = if single { path.clone() } else { path.index(i) };
            rules.push(parse_rule(node, &at, i)?);
        }
        ArchiveRules::new(rules)
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[ArchiveRule] {
        &self.rules
    }

    /// The rule with this name.
    pub fn get(&self, name: &str) -> Option<&ArchiveRule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// The first rule that archives this finding.
    pub fn matching(&self, finding: &Finding) -> Option<&ArchiveRule> {
        self.rules.iter().find(|r| r.matches(finding))
    }

    /// The rules as a list of `{"ruleName", "filter"}` (what [`ArchiveRules::parse`] reads).
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.rules
                .iter()
                .map(|r| json!({"ruleName": r.name, "filter": r.filter.to_json_value()}))
                .collect(),
        )
    }
}

fn parse_rule(node: &Node, path: &Path, index: usize) -> Result<ArchiveRule, Error> {
    if !matches!(node.value, Value::Object(_)) {
        return Err(input_at(
            format!(
                "archive rule {index}: a rule is an object with `ruleName` and `filter`, not {}",
                node.value.type_name()
            ),
            path,
            node,
        ));
    }
    let Some(name_node) = node.get("ruleName") else {
        return Err(input_at(
            format!("archive rule {index} has no `ruleName`"),
            path,
            node,
        ));
    };
    let name_path = path.key("ruleName");
    let Some(name) = name_node.as_str().map(str::to_string) else {
        return Err(input_at(
            format!("archive rule {index}: `ruleName` must be a string"),
            &name_path,
            name_node,
        ));
    };
    check_name(&name)
        .map_err(|e| e.with_location(Some(name_path.location(name_node.span.start))))?;
    let what = format!("archive rule {}", quote(&name));
    for m in node.members() {
        if ![
            "ruleName",
            "filter",
            "createdAt",
            "updatedAt",
            "analyzerName",
            "clientToken",
        ]
        .contains(&m.key.as_str())
        {
            return Err(input_at(
                format!(
                    "{what}: unknown member {}; a rule has `ruleName` and `filter`",
                    quote(&m.key)
                ),
                &path.key(&m.key),
                &m.value,
            ));
        }
    }
    let Some(filter_node) = node.get("filter") else {
        return Err(input_at(format!("{what} has no `filter`"), path, node));
    };
    let filter = parse_filter(filter_node, &path.key("filter"), &what, true)?;
    Ok(ArchiveRule { name, filter })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for k in [
            "resource",
            "resourceType",
            "resourceOwnerAccount",
            "isPublic",
            "principal.AWS",
            "principal.Federated",
            "principal.CanonicalUser",
            "condition.aws:SourceIp",
            "error",
            "id",
            "status",
            "action",
            "changeType",
            "existingFindingId",
            "existingFindingStatus",
        ] {
            assert_eq!(
                FilterKey::parse(k).map(|k| k.as_string()).as_deref(),
                Some(k)
            );
        }
        assert_eq!(FilterKey::parse("principal.Service"), None);
        assert_eq!(FilterKey::parse("condition."), None);
        assert_eq!(FilterKey::parse("ResourceType"), None);
    }

    #[test]
    fn rule_names() {
        assert!(check_name("a.b-c_1").is_ok());
        assert!(check_name("1abc").is_err());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name(&"a".repeat(256)).is_err());
    }
}
