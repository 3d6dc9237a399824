//! Policy variables inside values: their syntax, and whether the element, the policy's
//! `Version` and the condition operator let them resolve.

use super::codes::IssueCode;
use super::walk::Ctx;
use super::Location;
use crate::error::quote;
use crate::policy::OperatorFamily;

/// Policy variables in a value: their syntax, whether the element takes them, whether the
/// `Version` resolves them, and whether the operator does (`family`, for condition values).
pub(crate) fn variables(
    ctx: &mut Ctx<'_>,
    text: &str,
    loc: impl Fn() -> Location,
    element_allows: bool,
    family: Option<OperatorFamily>,
) {
    let Some(first) = text.find("${") else {
        return;
    };
    let mut rest = text.get(first..).unwrap_or("");
    let mut valid = false;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(close) = after.find('}') else {
            ctx.report(
                IssueCode::MissingBraceInVariable,
                format!(
                    "The policy variable in {} has no closing `}}`: write `${{key}}`.",
                    quote(text)
                ),
                vec![loc()],
            );
            return;
        };
        let inner = after.get(..close).unwrap_or("");
        rest = after.get(close + 1..).unwrap_or("");
        if matches!(inner, "*" | "?" | "$") {
            continue;
        }
        if inner.is_empty() {
            ctx.report(
                IssueCode::EmptyVariable,
                format!(
                    "The policy variable `${{}}` in {} is empty: name a key, as in `${{aws:username}}`.",
                    quote(text)
                ),
                vec![loc()],
            );
            continue;
        }
        let (key, default) = match inner.split_once(',') {
            Some((k, d)) => (k, Some(d)),
            None => (inner, None),
        };
        if key.chars().any(char::is_whitespace) {
            ctx.report(
                IssueCode::UnsupportedSpaceInVariable,
                format!(
                    "The policy variable `${{{inner}}}` has white space in its key: remove it."
                ),
                vec![loc()],
            );
            continue;
        }
        if let Some(d) = default {
            // `${key, 'default'}`: a comma, one space, and the default in single quotes.
            let well_formed = d.len() >= 3 && d.starts_with(" '") && d.ends_with('\'');
            if !well_formed {
                let body = d.trim_start();
                let quoted = body.len() >= 2 && body.starts_with('\'') && body.ends_with('\'');
                let (code, what) = if quoted {
                    (
                        IssueCode::UnsupportedSpaceInVariable,
                        "needs exactly one space after the comma",
                    )
                } else {
                    (
                        IssueCode::MissingQuoteInVariable,
                        "needs its default value in single quotes",
                    )
                };
                ctx.report(
                    code,
                    format!(
                        "The policy variable `${{{inner}}}` {what}: write `${{{key}, '{}'}}`.",
                        body.trim_matches('\'')
                    ),
                    vec![loc()],
                );
                continue;
            }
        }
        valid = true;
    }
    if !valid {
        return;
    }
    if !element_allows {
        return;
    }
    if let Some(f) = family {
        if !matches!(f, OperatorFamily::String | OperatorFamily::Arn) {
            ctx.report(
                IssueCode::InvalidVariableForOperator,
                format!(
                    "Policy variables are resolved only with String and ARN operators: {} is compared as literal text here.",
                    quote(text)
                ),
                vec![loc()],
            );
            return;
        }
    }
    if !ctx.variables {
        ctx.report(
            IssueCode::VariableUnsupportedInVersion,
            format!(
                "The policy variable in {} is read as literal text because the policy's `Version` is not `2012-10-17`: set `\"Version\": \"2012-10-17\"`.",
                quote(text)
            ),
            vec![loc()],
        );
    }
}
