//! Condition evaluation.
//!
//! Sources: [IAM JSON policy elements: Condition](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html),
//! [Condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
//! [Single-valued vs. multivalued context keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
//!
//! - Several values under one key are ORed; for a negated operator the request value must match
//!   none of them (NOR).
//! - A missing key makes every operator false except negated operators, `…IfExists` (true) and
//!   `Null`.
//! - `ForAllValues:` is true when every request value matches (vacuously true when the key is
//!   missing or its set is empty); `ForAnyValue:` when some value matches (false when missing).
//! - `Null: true` holds when the key is missing or empty; with a set qualifier `Null` is always
//!   true (`ForAllValues`) or always false (`ForAnyValue`).
//! - Choices where the docs are silent (a plain operator on a multivalued key, unreadable typed
//!   values) are written down in `manual::evaluation`.

use super::request::{Context, ContextValue};
use crate::arn::ArnPattern;
use crate::pattern::{fold, Case, Pattern, Token};
use crate::policy::compile::{CompiledCondition, CondValues, LikeValue, StrValue};
use crate::policy::{BaseOperator, SetQualifier, Template};
use crate::scalar::{decode_base64, parse_bool, Decimal, Timestamp};
use std::cmp::Ordering;
use std::net::IpAddr;

/// Look up a single-valued key for a policy variable.
pub(crate) fn variable_lookup<'a>(ctx: &'a Context) -> impl Fn(&str) -> Option<&'a str> + 'a {
    move |k: &str| ctx.get_lower(k).and_then(ContextValue::as_one)
}

/// Whether the condition holds for the request context.
pub(crate) fn holds(c: &CompiledCondition, ctx: &Context) -> bool {
    let value = ctx.get_lower(&c.key);
    if let CondValues::Null(vals) = &c.values {
        match c.op.qualifier {
            Some(SetQualifier::ForAllValues) => return true,
            Some(SetQualifier::ForAnyValue) => return false,
            None => {}
        }
        let absent = match value {
            None => true,
            Some(ContextValue::One(s)) => s.is_empty(),
            Some(ContextValue::Many(v)) => v.is_empty(),
        };
        return vals.iter().any(|v| match v {
            Some(true) => absent,
            Some(false) => !absent,
            None => false,
        });
    }
    let negated = c.op.base.is_negated();
    let absent_result = match c.op.qualifier {
        None => c.op.if_exists || negated,
        Some(SetQualifier::ForAllValues) => true,
        Some(SetQualifier::ForAnyValue) => c.op.if_exists,
    };
    let value = match value {
        None => return absent_result,
        Some(ContextValue::Many(v)) if v.is_empty() => return absent_result,
        Some(v) => v,
    };
    match (c.op.qualifier, value) {
        (None | Some(SetQualifier::ForAnyValue), ContextValue::One(r)) => single(c, r, ctx),
        (Some(SetQualifier::ForAllValues), ContextValue::One(r)) => single(c, r, ctx),
        (None | Some(SetQualifier::ForAnyValue), ContextValue::Many(rs)) => {
            rs.iter().any(|r| single(c, r, ctx))
        }
        (Some(SetQualifier::ForAllValues), ContextValue::Many(rs)) => {
            rs.iter().all(|r| single(c, r, ctx))
        }
    }
}

/// The operator applied to one request value: for a positive operator, some policy value
/// matches; for a negated one, none does.
fn single(c: &CompiledCondition, r: &str, ctx: &Context) -> bool {
    let positive = c.op.base.positive();
    let hit = value_matches(positive, &c.values, r, ctx);
    hit != c.op.base.is_negated()
}

fn ordering_ok(op: BaseOperator, ord: Ordering) -> bool {
    use BaseOperator as B;
    match op {
        B::NumericEquals | B::DateEquals => ord == Ordering::Equal,
        B::NumericLessThan | B::DateLessThan => ord == Ordering::Less,
        B::NumericLessThanEquals | B::DateLessThanEquals => ord != Ordering::Greater,
        B::NumericGreaterThan | B::DateGreaterThan => ord == Ordering::Greater,
        B::NumericGreaterThanEquals | B::DateGreaterThanEquals => ord != Ordering::Less,
        _ => false,
    }
}

/// Whether request value `r` matches some policy value under the positive operator `op`.
pub(crate) fn value_matches(op: BaseOperator, values: &CondValues, r: &str, ctx: &Context) -> bool {
    match values {
        CondValues::Str(vs) => vs.iter().any(|v| match v {
            StrValue::Lit(s) => s == r,
            StrValue::Tmpl(t) => t.resolve(variable_lookup(ctx)).is_some_and(|s| s == r),
        }),
        CondValues::StrFold(vs) => vs.iter().any(|v| match v {
            StrValue::Lit(s) => s.chars().eq(r.chars().map(fold)),
            StrValue::Tmpl(t) => t
                .resolve(variable_lookup(ctx))
                .is_some_and(|s| s.chars().map(fold).eq(r.chars().map(fold))),
        }),
        CondValues::Like(vs) => vs.iter().any(|v| like_matches(v, r, ctx, false)),
        CondValues::Arn(vs) => vs.iter().any(|v| like_matches(v, r, ctx, true)),
        CondValues::Num(vs) => match Decimal::parse(r) {
            Some(x) => vs.iter().flatten().any(|v| ordering_ok(op, x.cmp(v))),
            None => false,
        },
        CondValues::Date(vs) => match Timestamp::parse(r) {
            Some(x) => vs.iter().flatten().any(|v| ordering_ok(op, x.cmp(v))),
            None => false,
        },
        CondValues::Bool(vs) => match parse_bool(r) {
            Some(x) => vs.iter().flatten().any(|v| *v == x),
            None => false,
        },
        CondValues::Bin(vs) => match decode_base64(r) {
            Some(x) => vs.iter().flatten().any(|v| *v == x),
            None => false,
        },
        CondValues::Ip(vs) => match r.parse::<IpAddr>() {
            Ok(ip) => vs.iter().flatten().any(|n| n.contains(&ip)),
            Err(_) => false,
        },
        CondValues::Null(_) => false,
    }
}

fn like_matches(v: &LikeValue, r: &str, ctx: &Context, arn: bool) -> bool {
    match v {
        LikeValue::Pat(p) => p.matches(r),
        LikeValue::Arn(p) => p.matches(r),
        LikeValue::Tmpl(t) => match template_pattern(t, ctx, arn) {
            Some(TemplatePattern::Plain(p)) => p.matches(r),
            Some(TemplatePattern::Arn(p)) => p.matches(r),
            None => false,
        },
    }
}

pub(crate) enum TemplatePattern {
    Plain(Pattern),
    Arn(ArnPattern),
}

/// Resolve a wildcard template against the context (resolved values are literal text).
pub(crate) fn template_pattern(t: &Template, ctx: &Context, arn: bool) -> Option<TemplatePattern> {
    let tokens = t.tokens(variable_lookup(ctx), true)?;
    if !arn {
        return Some(TemplatePattern::Plain(Pattern::from_tokens(
            &tokens,
            Case::Sensitive,
        )));
    }
    let mut parts = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    for tok in tokens {
        if tok == Token::Char(':') && parts.len() < 5 {
            parts.push(Pattern::from_tokens(&current, Case::Sensitive));
            current.clear();
        } else {
            current.push(tok);
        }
    }
    parts.push(Pattern::from_tokens(&current, Case::Sensitive));
    let text = parts
        .iter()
        .map(Pattern::as_str)
        .collect::<Vec<_>>()
        .join(":");
    Some(TemplatePattern::Arn(ArnPattern::from_parts(text, parts)))
}
