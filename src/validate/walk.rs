//! Reading the document tolerantly: the JSON tree, the document and statement structure, and a
//! view of each statement that the checks in the other modules use.

use super::codes::IssueCode;
use super::PolicyType;
use super::{Finding, Location, PathElement, ValidateOptions};
use crate::catalog::Catalog;
use crate::error::quote;
use crate::json::{self, Member, Node, Position, Span, Value};
use crate::policy::{Effect, Operator};
use smallvec::SmallVec;

/// One step of a path under construction (borrowed from the tree).
#[derive(Clone, Copy, Debug)]
pub(crate) enum El<'a> {
    Value(&'a str),
    Key(&'a str),
    Index(usize),
}

/// A path from the root, cheap to extend.
#[derive(Clone, Debug, Default)]
pub(crate) struct At<'a>(SmallVec<[El<'a>; 8]>);

impl<'a> At<'a> {
    pub(crate) fn root() -> At<'a> {
        At(SmallVec::new())
    }

    fn push(&self, el: El<'a>) -> At<'a> {
        let mut next = self.clone();
        next.0.push(el);
        next
    }

    /// The value of member `key`.
    pub(crate) fn value(&self, key: &'a str) -> At<'a> {
        self.push(El::Value(key))
    }

    /// The key token `key` itself.
    pub(crate) fn key(&self, key: &'a str) -> At<'a> {
        self.push(El::Key(key))
    }

    /// Element `i` of an array.
    pub(crate) fn index(&self, i: usize) -> At<'a> {
        self.push(El::Index(i))
    }

    /// Element `i` when `i` is `Some` (an array item), or this path (a scalar written alone).
    pub(crate) fn item(&self, i: Option<usize>) -> At<'a> {
        match i {
            Some(i) => self.index(i),
            None => self.clone(),
        }
    }

    pub(crate) fn loc(&self, span: Span) -> Location {
        Location {
            path: self
                .0
                .iter()
                .map(|el| match *el {
                    El::Value(v) => PathElement::Value(v.to_string()),
                    El::Key(k) => PathElement::Key(k.to_string()),
                    El::Index(i) => PathElement::Index(i),
                })
                .collect(),
            span,
        }
    }
}

/// The validation context: options, the catalog, and the findings so far.
pub(crate) struct Ctx<'t> {
    pub(crate) text: &'t str,
    pub(crate) opts: &'t ValidateOptions,
    pub(crate) catalog: &'static Catalog,
    pub(crate) findings: Vec<Finding>,
    /// `Version` is `2012-10-17`: policy variables are resolved.
    pub(crate) variables: bool,
    /// The span of the whole document.
    pub(crate) doc_span: Span,
}

impl Ctx<'_> {
    pub(crate) fn report(&mut self, code: IssueCode, details: String, locations: Vec<Location>) {
        self.findings.push(Finding::new(code, details, locations));
    }

    /// Report at one token.
    pub(crate) fn at(&mut self, code: IssueCode, details: String, at: &At<'_>, span: Span) {
        let loc = at.loc(span);
        self.report(code, details, vec![loc]);
    }

    /// Report about the whole document (empty path).
    pub(crate) fn document(&mut self, code: IssueCode, details: String) {
        let loc = Location {
            path: Vec::new(),
            span: self.doc_span,
        };
        self.report(code, details, vec![loc]);
    }

    pub(crate) fn policy_type(&self) -> PolicyType {
        self.opts.policy_type
    }

    pub(crate) fn is_trust(&self) -> bool {
        self.opts.is_trust()
    }

    /// Whether statements of this policy take a principal (resource policies, RCPs, trust
    /// policies).
    pub(crate) fn takes_principal(&self) -> bool {
        matches!(
            self.policy_type(),
            PolicyType::Resource | PolicyType::ResourceControl
        )
    }
}

/// A string of a list element (`Action`, `Resource`, a principal type's values).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item<'n> {
    pub(crate) text: &'n str,
    pub(crate) node: &'n Node,
    /// Index in the array; `None` when the element is a single string.
    pub(crate) index: Option<usize>,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`, with its string items.
#[derive(Debug)]
pub(crate) struct ListEl<'n> {
    /// `Action`, `NotAction`, `Resource` or `NotResource`.
    pub(crate) name: &'n str,
    pub(crate) member: &'n Member,
    pub(crate) negated: bool,
    pub(crate) items: Vec<Item<'n>>,
    pub(crate) at: At<'n>,
}

impl ListEl<'_> {
    pub(crate) fn item_at(&self, item: &Item<'_>) -> Location {
        self.at.item(item.index).loc(item.node.span)
    }
}

/// One condition key under one operator.
#[derive(Debug)]
pub(crate) struct CondEntry<'n> {
    /// The operator as written.
    pub(crate) op_name: &'n str,
    /// The operator, when it is one.
    pub(crate) op: Option<Operator>,
    pub(crate) op_member: &'n Member,
    pub(crate) key: &'n str,
    pub(crate) key_member: &'n Member,
    /// The values that are scalars (strings, numbers, booleans), with their index.
    pub(crate) values: Vec<(Option<usize>, &'n Node)>,
    /// Path to the key's value.
    pub(crate) at: At<'n>,
    /// Path to the operator's value.
    pub(crate) op_at: At<'n>,
}

impl<'n> CondEntry<'n> {
    pub(crate) fn key_loc(&self) -> Location {
        self.op_at.key(self.key).loc(self.key_member.key_span)
    }

    /// The operator's key token.
    pub(crate) fn op_key_loc(&self) -> Location {
        let mut loc = self.op_at.loc(self.op_member.key_span);
        if let Some(PathElement::Value(v)) = loc.path.pop() {
            loc.path.push(PathElement::Key(v));
        }
        loc
    }

    pub(crate) fn value_loc(&self, index: Option<usize>, node: &Node) -> Location {
        self.at.item(index).loc(node.span)
    }

    /// The values as text (`12`, `true`, strings as they are).
    pub(crate) fn texts(&self) -> impl Iterator<Item = (Option<usize>, &'n Node, &'n str)> + '_ {
        self.values.iter().filter_map(|&(i, n)| {
            let t: &str = match &n.value {
                Value::String(s) => s,
                Value::Number(s) => s,
                Value::Bool(true) => "true",
                Value::Bool(false) => "false",
                _ => return None,
            };
            Some((i, n, t))
        })
    }
}

/// A tolerant view of one statement.
#[derive(Debug)]
pub(crate) struct Stmt<'n> {
    pub(crate) node: &'n Node,
    pub(crate) at: At<'n>,
    pub(crate) effect: Option<Effect>,
    pub(crate) effect_node: Option<&'n Node>,
    pub(crate) sid: Option<&'n Node>,
    /// `Principal` or `NotPrincipal` (the first one written).
    pub(crate) principal: Option<(&'n Member, bool)>,
    pub(crate) action: Option<ListEl<'n>>,
    pub(crate) resource: Option<ListEl<'n>>,
    pub(crate) condition: Option<&'n Member>,
    pub(crate) conditions: Vec<CondEntry<'n>>,
}

impl<'n> Stmt<'n> {
    pub(crate) fn is_allow(&self) -> bool {
        self.effect == Some(Effect::Allow)
    }

    pub(crate) fn is_deny(&self) -> bool {
        self.effect == Some(Effect::Deny)
    }

    /// Whether some condition of the statement is on `key` (ignoring case).
    pub(crate) fn has_condition_key(&self, key: &str) -> bool {
        self.conditions
            .iter()
            .any(|c| c.key.eq_ignore_ascii_case(key))
    }

    /// The principal map entries with their values: (type, values, path to the values).
    pub(crate) fn principal_entries(&self) -> Vec<(&'n Member, Vec<Item<'n>>, At<'n>)> {
        let Some((m, _)) = self.principal else {
            return Vec::new();
        };
        let base = self.at.value(m.key.as_str());
        m.value
            .members()
            .map(|e| {
                let at = base.value(e.key.as_str());
                (e, string_items(&e.value), at)
            })
            .collect()
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

/// The string items of a string-or-array value (non-strings are left out; the structure checks
/// report them).
pub(crate) fn string_items(node: &Node) -> Vec<Item<'_>> {
    match &node.value {
        Value::String(s) => vec![Item {
            text: s,
            node,
            index: None,
        }],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                n.as_str().map(|s| Item {
                    text: s,
                    node: n,
                    index: Some(i),
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The position just past the end of `text`.
fn end_position(text: &str) -> Position {
    let line = 1 + text.bytes().filter(|b| *b == b'\n').count();
    let last_line = text
        .rfind('\n')
        .map_or(text, |i| text.get(i + 1..).unwrap_or(""));
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(last_line.chars().count()).unwrap_or(u32::MAX),
        offset: text.len(),
    }
}

/// The checks run on the statements once the document has been read (the statement stage,
/// handed in by the caller so that this stage does not depend on the one above it).
pub(crate) type StatementChecks = fn(&mut Ctx<'_>, &[Stmt<'_>]);

/// Validate `text`: read the document, reporting what is wrong with its shape, then run
/// `checks` on its statements; the findings in check order.
pub(crate) fn run(text: &str, opts: &ValidateOptions, checks: StatementChecks) -> Vec<Finding> {
    let doc_span = Span {
        start: Position {
            line: 1,
            column: 0,
            offset: 0,
        },
        end: end_position(text),
    };
    let mut ctx = Ctx {
        text,
        opts,
        catalog: Catalog::embedded(),
        findings: Vec::new(),
        variables: false,
        doc_span,
    };
    let root = match json::parse(text, &json::Limits::default()) {
        Ok(root) => root,
        Err(e) => {
            syntax_error(&mut ctx, &e);
            return ctx.findings;
        }
    };
    duplicate_keys(&mut ctx, &root, &At::root(), Level::Other);
    let statements = document(&mut ctx, &root);
    checks(&mut ctx, &statements);
    ctx.findings
}

fn syntax_error(ctx: &mut Ctx<'_>, e: &crate::Error) {
    let Some(loc) = e.location() else {
        // Size limit: the whole document.
        ctx.document(
            IssueCode::JsonSyntaxError,
            format!("The policy could not be read: {}.", e.message()),
        );
        return;
    };
    let pos = Position {
        line: loc.line,
        column: loc.column,
        offset: loc.offset,
    };
    // One character at the place the reader stopped (none at the end of the text).
    let next = ctx
        .text
        .get(loc.offset..)
        .and_then(|s| s.chars().next())
        .map_or(0, char::len_utf8);
    let end = Position {
        line: pos.line,
        column: pos.column + u32::from(next > 0),
        offset: pos.offset + next,
    };
    ctx.report(
        IssueCode::JsonSyntaxError,
        format!(
            "Fix the JSON syntax error at line {}, column {} (index {}): {}.",
            loc.line,
            loc.column + 1,
            loc.offset,
            e.message()
        ),
        vec![Location {
            path: Vec::new(),
            span: Span { start: pos, end },
        }],
    );
}

/// Exact duplicate keys anywhere are JSON errors, except among the condition keys of one
/// operator block, where `read_condition` reports them (with keys that differ only by case) as
/// `DUPLICATE_KEYS_WITH_DIFFERENT_CASE`.
fn duplicate_keys<'n>(ctx: &mut Ctx<'_>, node: &'n Node, at: &At<'n>, level: Level) {
    match &node.value {
        Value::Object(members) => {
            for (i, m) in members.iter().enumerate() {
                let earlier = members.get(..i).unwrap_or(&[]);
                if level != Level::OperatorBlock {
                    if let Some(prev) = earlier.iter().find(|p| p.key == m.key) {
                        ctx.report(
                            IssueCode::JsonSyntaxError,
                            format!(
                                "Remove the duplicate key {}: it already appears at line {}, and JSON objects must not repeat a key.",
                                quote(&m.key),
                                prev.key_span.start.line
                            ),
                            vec![at.key(&m.key).loc(m.key_span)],
                        );
                    }
                }
                let child = at.value(&m.key);
                let next = match level {
                    Level::Statement if m.key == "Condition" => Level::Condition,
                    Level::Condition => Level::OperatorBlock,
                    _ if at.0.is_empty() && m.key == "Statement" => Level::Statements,
                    Level::Statements if matches!(m.value.value, Value::Object(_)) => Level::Other,
                    _ => Level::Other,
                };
                // `"Statement": {…}` is itself a statement.
                let next = if at.0.is_empty()
                    && m.key == "Statement"
                    && matches!(m.value.value, Value::Object(_))
                {
                    Level::Statement
                } else {
                    next
                };
                duplicate_keys(ctx, &m.value, &child, next);
            }
        }
        Value::Array(items) => {
            let next = if level == Level::Statements {
                Level::Statement
            } else {
                Level::Other
            };
            for (i, n) in items.iter().enumerate() {
                duplicate_keys(ctx, n, &at.index(i), next);
            }
        }
        _ => {}
    }
}

/// Where in the document a value is, for [`duplicate_keys`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Other,
    Statements,
    Statement,
    Condition,
    OperatorBlock,
}

/// Top-level structure; returns the statement views.
fn document<'n>(ctx: &mut Ctx<'_>, root: &'n Node) -> Vec<Stmt<'n>> {
    let top = At::root();
    let Value::Object(members) = &root.value else {
        ctx.at(
            IssueCode::DataTypeMismatch,
            format!(
                "A policy must be a JSON object, not {}.",
                root.value.type_name()
            ),
            &top,
            root.span,
        );
        return Vec::new();
    };
    for m in members {
        if !POLICY_ELEMENTS.contains(&m.key.as_str()) {
            ctx.at(
                IssueCode::InvalidPolicyElement,
                format!(
                    "The element {} is not a policy element{}. A policy has `Version`, `Id` and `Statement`.",
                    quote(&m.key),
                    case_hint(&m.key, POLICY_ELEMENTS)
                ),
                &top.key(&m.key),
                m.key_span,
            );
        }
    }
    let first = |k: &str| members.iter().find(|m| m.key == k);
    match first("Version") {
        None => {
            ctx.document(
                IssueCode::MissingVersion,
                "Add `\"Version\": \"2012-10-17\"` to the policy: without it, policy variables such as `${aws:username}` are read as literal text.".into(),
            );
        }
        Some(m) => {
            let at = top.value("Version");
            match &m.value.value {
                Value::String(v) if v == "2012-10-17" => ctx.variables = true,
                Value::String(v)
                    if v == "2008-10-17" && ctx.policy_type() != PolicyType::ResourceControl => {}
                Value::String(v) => {
                    let allowed = if ctx.policy_type() == PolicyType::ResourceControl {
                        "Resource control policies must use `2012-10-17`."
                    } else {
                        "Use `2012-10-17`."
                    };
                    ctx.at(
                        IssueCode::InvalidVersion,
                        format!("The version {} is not valid. {allowed}", quote(v)),
                        &at,
                        m.value.span,
                    );
                }
                other => type_mismatch(ctx, "Version", "a string", other, &at, m.value.span),
            }
        }
    }
    if let Some(m) = first("Id") {
        if !matches!(m.value.value, Value::String(_)) {
            type_mismatch(
                ctx,
                "Id",
                "a string",
                &m.value.value,
                &top.value("Id"),
                m.value.span,
            );
        }
    }
    let Some(statement) = first("Statement") else {
        ctx.document(
            IssueCode::MissingStatement,
            "Add a `Statement` element to the policy: a policy without statements grants and denies nothing.".into(),
        );
        return Vec::new();
    };
    let sat = top.value("Statement");
    let mut out = Vec::new();
    match &statement.value.value {
        Value::Array(items) => {
            for (i, n) in items.iter().enumerate() {
                let at = sat.index(i);
                if matches!(n.value, Value::Object(_)) {
                    out.push(read_statement(ctx, n, at));
                } else {
                    type_mismatch(ctx, "a statement", "an object", &n.value, &at, n.span);
                }
            }
        }
        Value::Object(_) => out.push(read_statement(ctx, &statement.value, sat)),
        other => type_mismatch(
            ctx,
            "Statement",
            "an object or an array of objects",
            other,
            &sat,
            statement.value.span,
        ),
    }
    out
}

pub(crate) fn type_mismatch(
    ctx: &mut Ctx<'_>,
    what: &str,
    expected: &str,
    found: &Value,
    at: &At<'_>,
    span: Span,
) {
    let what = if what.starts_with("a ") || what.starts_with("the ") || what.contains(' ') {
        what.to_string()
    } else {
        format!("`{what}`")
    };
    ctx.at(
        IssueCode::DataTypeMismatch,
        format!(
            "The value of {what} must be {expected}, not {}.",
            found.type_name()
        ),
        at,
        span,
    );
}

/// ` (did you mean `X`? element names are case-sensitive)` when a known name differs only by
/// case.
pub(crate) fn case_hint(key: &str, allowed: &[&str]) -> String {
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(key))
        .map(|a| format!(" (did you mean `{a}`? element names are case-sensitive)"))
        .unwrap_or_default()
}

fn read_statement<'n>(ctx: &mut Ctx<'_>, node: &'n Node, at: At<'n>) -> Stmt<'n> {
    let members: &[Member] = match &node.value {
        Value::Object(m) => m,
        _ => &[],
    };
    let first = |k: &str| members.iter().find(|m| m.key == k);
    for m in members {
        if !STATEMENT_ELEMENTS.contains(&m.key.as_str()) {
            ctx.at(
                IssueCode::InvalidPolicyElement,
                format!(
                    "The element {} is not a statement element{}.",
                    quote(&m.key),
                    case_hint(&m.key, STATEMENT_ELEMENTS)
                ),
                &at.key(&m.key),
                m.key_span,
            );
        }
    }
    // Mutually exclusive pairs.
    for (a, b) in [
        ("Principal", "NotPrincipal"),
        ("Action", "NotAction"),
        ("Resource", "NotResource"),
    ] {
        if let (Some(ma), Some(mb)) = (first(a), first(b)) {
            ctx.report(
                IssueCode::UnsupportedElementCombination,
                format!("A statement cannot have both `{a}` and `{b}`: remove one of them."),
                vec![at.key(a).loc(ma.key_span), at.key(b).loc(mb.key_span)],
            );
        }
    }
    // Sid
    let sid = first("Sid").map(|m| &m.value);
    if let Some(n) = sid {
        let sat = at.value("Sid");
        match &n.value {
            Value::String(s) if s.is_empty() => ctx.at(
                IssueCode::EmptySidValue,
                "Remove the empty `Sid`, or give the statement a name.".into(),
                &sat,
                n.span,
            ),
            Value::String(s) => {
                let iam = ctx.policy_type() == PolicyType::Identity || ctx.is_trust();
                if iam && !s.chars().all(|c| c.is_ascii_alphanumeric()) {
                    let mut bad: Vec<char> =
                        s.chars().filter(|c| !c.is_ascii_alphanumeric()).collect();
                    bad.sort_unstable();
                    bad.dedup();
                    let bad = bad
                        .iter()
                        .take(5)
                        .map(|c| {
                            if *c == ' ' {
                                "space".to_string()
                            } else {
                                quote(&c.to_string())
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    ctx.at(
                        IssueCode::UnsupportedSid,
                        format!(
                            "The `Sid` {} has characters that IAM policies do not allow ({bad}): use only `A-Z`, `a-z` and `0-9`.",
                            quote(s)
                        ),
                        &sat,
                        n.span,
                    );
                }
            }
            other => type_mismatch(ctx, "Sid", "a string", other, &sat, n.span),
        }
    }
    // Effect
    let mut effect = None;
    let effect_node = first("Effect").map(|m| &m.value);
    match effect_node {
        None => ctx.at(
            IssueCode::MissingEffect,
            "Add an `Effect` element (`Allow` or `Deny`) to the statement.".into(),
            &at,
            node.span,
        ),
        Some(n) => {
            let eat = at.value("Effect");
            match &n.value {
                Value::String(s) if s == "Allow" => effect = Some(Effect::Allow),
                Value::String(s) if s == "Deny" => effect = Some(Effect::Deny),
                Value::String(s) => {
                    let hint = if s.eq_ignore_ascii_case("allow") || s.eq_ignore_ascii_case("deny")
                    {
                        " (the value is case-sensitive)"
                    } else {
                        ""
                    };
                    ctx.at(
                        IssueCode::InvalidEffect,
                        format!(
                            "The effect {} is not valid{hint}: use `Allow` or `Deny`.",
                            quote(s)
                        ),
                        &eat,
                        n.span,
                    );
                }
                other => type_mismatch(ctx, "Effect", "a string", other, &eat, n.span),
            }
        }
    }
    // Principal
    let principal = members
        .iter()
        .find(|m| m.key == "Principal" || m.key == "NotPrincipal")
        .map(|m| (m, m.key == "NotPrincipal"));
    // Action and Resource
    let action = list_element(ctx, members, &at, "Action", "NotAction");
    if action.is_none() {
        ctx.at(
            IssueCode::MissingAction,
            "Add an `Action` or `NotAction` element to the statement.".into(),
            &at,
            node.span,
        );
    }
    let resource = list_element(ctx, members, &at, "Resource", "NotResource");
    // Condition
    let condition = first("Condition");
    let mut conditions = Vec::new();
    if let Some(m) = condition {
        read_condition(ctx, m, &at, &mut conditions);
    }
    Stmt {
        node,
        at,
        effect,
        effect_node,
        sid,
        principal,
        action,
        resource,
        condition,
        conditions,
    }
}

fn list_element<'n>(
    ctx: &mut Ctx<'_>,
    members: &'n [Member],
    at: &At<'n>,
    plain: &'static str,
    negated: &'static str,
) -> Option<ListEl<'n>> {
    let m = members
        .iter()
        .find(|m| m.key == plain || m.key == negated)?;
    let lat = at.value(m.key.as_str());
    match &m.value.value {
        Value::String(_) => {}
        Value::Array(items) => {
            for (i, n) in items.iter().enumerate() {
                if !matches!(n.value, Value::String(_)) {
                    type_mismatch(
                        ctx,
                        &format!("an entry of `{}`", m.key),
                        "a string",
                        &n.value,
                        &lat.index(i),
                        n.span,
                    );
                }
            }
        }
        other => {
            type_mismatch(
                ctx,
                &m.key,
                "a string or an array of strings",
                other,
                &lat,
                m.value.span,
            );
        }
    }
    Some(ListEl {
        name: m.key.as_str(),
        member: m,
        negated: m.key == negated,
        items: string_items(&m.value),
        at: lat,
    })
}

fn read_condition<'n>(ctx: &mut Ctx<'_>, m: &'n Member, at: &At<'n>, out: &mut Vec<CondEntry<'n>>) {
    let cat = at.value("Condition");
    let Value::Object(ops) = &m.value.value else {
        type_mismatch(
            ctx,
            "Condition",
            "an object",
            &m.value.value,
            &cat,
            m.value.span,
        );
        return;
    };
    if ops.is_empty() {
        ctx.at(
            IssueCode::EmptyObjectCondition,
            "Remove the empty `Condition` element: it has no effect.".into(),
            &cat,
            m.value.span,
        );
    }
    for (oi, om) in ops.iter().enumerate() {
        let op_at = cat.value(om.key.as_str());
        let op = Operator::parse(&om.key);
        if op.is_none() {
            let lower = om.key.to_ascii_lowercase();
            let base = lower.rsplit_once(':').map_or(lower.as_str(), |(_, b)| b);
            if base == "nullifexists" {
                ctx.at(
                    IssueCode::NullWithIfExists,
                    format!(
                        "The operator {} is not valid: `Null` cannot take `IfExists`. Use `Null`.",
                        quote(&om.key)
                    ),
                    &cat.key(&om.key),
                    om.key_span,
                );
            } else {
                ctx.at(
                    IssueCode::InvalidConditionOperator,
                    format!(
                        "The condition operator {} does not exist{}.",
                        quote(&om.key),
                        suggest_operator(&om.key)
                    ),
                    &cat.key(&om.key),
                    om.key_span,
                );
            }
        } else if let Some(prev) = ops
            .get(..oi)
            .unwrap_or(&[])
            .iter()
            .find(|p| p.key != om.key && Operator::parse(&p.key) == op)
        {
            ctx.at(
                IssueCode::DuplicateKeysWithDifferentCase,
                format!(
                    "The operator {} repeats {} in a different case: merge the two blocks.",
                    quote(&om.key),
                    quote(&prev.key)
                ),
                &cat.key(&om.key),
                om.key_span,
            );
        }
        let Value::Object(keys) = &om.value.value else {
            type_mismatch(
                ctx,
                &format!("the condition operator `{}`", om.key),
                "an object of condition keys",
                &om.value.value,
                &op_at,
                om.value.span,
            );
            continue;
        };
        if keys.is_empty() {
            ctx.at(
                IssueCode::EmptyObjectCondition,
                format!(
                    "Remove the empty operator {}: it has no effect.",
                    quote(&om.key)
                ),
                &op_at,
                om.value.span,
            );
        }
        for (ki, km) in keys.iter().enumerate() {
            if let Some(prev) = keys
                .get(..ki)
                .unwrap_or(&[])
                .iter()
                .find(|p| p.key.eq_ignore_ascii_case(&km.key))
            {
                let how = if prev.key == km.key {
                    "again"
                } else {
                    "again in a different case"
                };
                ctx.at(
                    IssueCode::DuplicateKeysWithDifferentCase,
                    format!(
                        "The condition key {} appears {how} under {} (keys ignore case, first as {}): keep one entry with all the values.",
                        quote(&km.key),
                        quote(&om.key),
                        quote(&prev.key)
                    ),
                    &op_at.key(&km.key),
                    km.key_span,
                );
            }
            let kat = op_at.value(km.key.as_str());
            let mut values = Vec::new();
            match &km.value.value {
                Value::Array(items) => {
                    for (i, n) in items.iter().enumerate() {
                        match n.value {
                            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                                values.push((Some(i), n))
                            }
                            _ => type_mismatch(
                                ctx,
                                "a condition value",
                                "a string, a number or a boolean",
                                &n.value,
                                &kat.index(i),
                                n.span,
                            ),
                        }
                    }
                }
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    values.push((None, &km.value))
                }
                other => type_mismatch(
                    ctx,
                    "a condition value",
                    "a string, a number, a boolean or an array of them",
                    other,
                    &kat,
                    km.value.span,
                ),
            }
            out.push(CondEntry {
                op_name: om.key.as_str(),
                op,
                op_member: om,
                key: km.key.as_str(),
                key_member: km,
                values,
                at: kat,
                op_at: op_at.clone(),
            });
        }
    }
}

/// ` Did you mean `X`?` for a misspelt operator.
pub(crate) fn suggest_operator(name: &str) -> String {
    let (qualifier, rest) = match name.split_once(':') {
        Some((q, r)) => (Some(q), r),
        None => (None, name),
    };
    let (base, if_exists) = match rest.len().checked_sub(8).and_then(|n| {
        let (h, t) = (rest.get(..n)?, rest.get(n..)?);
        t.eq_ignore_ascii_case("IfExists").then_some(h)
    }) {
        Some(h) => (h, true),
        None => (rest, false),
    };
    let mut best: Option<(usize, &str)> = None;
    for op in crate::policy::BaseOperator::ALL {
        let d = crate::catalog::suggest_distance(base, op.as_str(), 4);
        if let Some(d) = d {
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, op.as_str()));
            }
        }
    }
    let q = qualifier.map(|q| {
        if crate::catalog::suggest_distance(q, "ForAllValues", 4).is_some_and(|d| d <= 4)
            && crate::catalog::suggest_distance(q, "ForAllValues", 4)
                <= crate::catalog::suggest_distance(q, "ForAnyValue", 4)
        {
            "ForAllValues:"
        } else {
            "ForAnyValue:"
        }
    });
    match best {
        Some((_, b)) => format!(
            " Did you mean `{}{b}{}`?",
            q.unwrap_or(""),
            if if_exists && b != "Null" {
                "IfExists"
            } else {
                ""
            }
        ),
        None => String::new(),
    }
}
