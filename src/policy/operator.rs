//! Condition operators.
//!
//! Source: [IAM JSON policy elements: Condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
//! and [multivalued context keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).

use std::fmt;

/// The operator families, by the type of value they compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperatorFamily {
    /// `String…`
    String,
    /// `Numeric…`
    Numeric,
    /// `Date…`
    Date,
    /// `Bool`
    Bool,
    /// `BinaryEquals`
    Binary,
    /// `IpAddress`, `NotIpAddress`
    Ip,
    /// `Arn…`
    Arn,
    /// `Null`
    Null,
}

macro_rules! base_operators {
    ($( $name:ident => $text:literal, $family:ident, $negated:literal; )*) => {
        /// A condition operator without its `ForAllValues:`/`ForAnyValue:` prefix and `IfExists`
        /// suffix.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(missing_docs)]
        pub enum BaseOperator { $( $name, )* }

        impl BaseOperator {
            /// Every base operator.
            pub const ALL: &'static [BaseOperator] = &[ $( BaseOperator::$name, )* ];

            /// The operator's name.
            pub fn as_str(&self) -> &'static str {
                match self { $( BaseOperator::$name => $text, )* }
            }

            /// The family (value type) of the operator.
            pub fn family(&self) -> OperatorFamily {
                match self { $( BaseOperator::$name => OperatorFamily::$family, )* }
            }

            /// Whether the operator is negated (`…Not…`): with several values it is true when the
            /// request value matches none of them, and it is true when the key is missing.
            pub fn is_negated(&self) -> bool {
                match self { $( BaseOperator::$name => $negated, )* }
            }
        }
    };
}

base_operators! {
    StringEquals => "StringEquals", String, false;
    StringNotEquals => "StringNotEquals", String, true;
    StringEqualsIgnoreCase => "StringEqualsIgnoreCase", String, false;
    StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase", String, true;
    StringLike => "StringLike", String, false;
    StringNotLike => "StringNotLike", String, true;
    NumericEquals => "NumericEquals", Numeric, false;
    NumericNotEquals => "NumericNotEquals", Numeric, true;
    NumericLessThan => "NumericLessThan", Numeric, false;
    NumericLessThanEquals => "NumericLessThanEquals", Numeric, false;
    NumericGreaterThan => "NumericGreaterThan", Numeric, false;
    NumericGreaterThanEquals => "NumericGreaterThanEquals", Numeric, false;
    DateEquals => "DateEquals", Date, false;
    DateNotEquals => "DateNotEquals", Date, true;
    DateLessThan => "DateLessThan", Date, false;
    DateLessThanEquals => "DateLessThanEquals", Date, false;
    DateGreaterThan => "DateGreaterThan", Date, false;
    DateGreaterThanEquals => "DateGreaterThanEquals", Date, false;
    Bool => "Bool", Bool, false;
    BinaryEquals => "BinaryEquals", Binary, false;
    IpAddress => "IpAddress", Ip, false;
    NotIpAddress => "NotIpAddress", Ip, true;
    ArnEquals => "ArnEquals", Arn, false;
    ArnLike => "ArnLike", Arn, false;
    ArnNotEquals => "ArnNotEquals", Arn, true;
    ArnNotLike => "ArnNotLike", Arn, true;
    Null => "Null", Null, false;
}

impl BaseOperator {
    /// Parse an operator name, ignoring case.
    pub fn parse(name: &str) -> Option<BaseOperator> {
        BaseOperator::ALL
            .iter()
            .copied()
            .find(|op| op.as_str().eq_ignore_ascii_case(name))
    }

    /// Whether policy variables in this operator's values are resolved. AWS resolves variables
    /// in String and ARN operators only (IAM User Guide, "IAM policy elements: Variables and
    /// tags", section "Where you can use policy variables").
    pub fn resolves_variables(&self) -> bool {
        matches!(self.family(), OperatorFamily::String | OperatorFamily::Arn)
    }

    /// Whether `*` and `?` in this operator's values are wildcards.
    pub fn uses_wildcards(&self) -> bool {
        matches!(
            self,
            BaseOperator::StringLike
                | BaseOperator::StringNotLike
                | BaseOperator::ArnEquals
                | BaseOperator::ArnLike
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
        )
    }

    /// The positive form of a negated operator (`StringNotLike` → `StringLike`), or itself.
    pub fn positive(&self) -> BaseOperator {
        match self {
            BaseOperator::StringNotEquals => BaseOperator::StringEquals,
            BaseOperator::StringNotEqualsIgnoreCase => BaseOperator::StringEqualsIgnoreCase,
            BaseOperator::StringNotLike => BaseOperator::StringLike,
            BaseOperator::NumericNotEquals => BaseOperator::NumericEquals,
            BaseOperator::DateNotEquals => BaseOperator::DateEquals,
            BaseOperator::NotIpAddress => BaseOperator::IpAddress,
            BaseOperator::ArnNotEquals => BaseOperator::ArnEquals,
            BaseOperator::ArnNotLike => BaseOperator::ArnLike,
            other => *other,
        }
    }
}

impl fmt::Display for BaseOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The set prefix of an operator, for multivalued keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetQualifier {
    /// `ForAllValues:`: every request value matches (true when the key is missing or empty).
    ForAllValues,
    /// `ForAnyValue:`: some request value matches (false when the key is missing or empty).
    ForAnyValue,
}

impl SetQualifier {
    /// The prefix without the colon.
    pub fn as_str(&self) -> &'static str {
        match self {
            SetQualifier::ForAllValues => "ForAllValues",
            SetQualifier::ForAnyValue => "ForAnyValue",
        }
    }
}

/// A full condition operator: optional set qualifier, base operator, optional `IfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Operator {
    /// `ForAllValues:` / `ForAnyValue:`, if any.
    pub qualifier: Option<SetQualifier>,
    /// The base operator.
    pub base: BaseOperator,
    /// The `IfExists` suffix: true when the key is missing.
    pub if_exists: bool,
}

impl Operator {
    /// A plain operator with no qualifier and no `IfExists`.
    pub fn plain(base: BaseOperator) -> Operator {
        Operator {
            qualifier: None,
            base,
            if_exists: false,
        }
    }

    /// Parse an operator such as `ForAnyValue:StringLikeIfExists` (names ignore case).
    /// `NullIfExists` is rejected: `Null` cannot take `IfExists`.
    pub fn parse(text: &str) -> Option<Operator> {
        let (qualifier, rest) = match text.split_once(':') {
            Some((q, rest)) if q.eq_ignore_ascii_case("ForAllValues") => {
                (Some(SetQualifier::ForAllValues), rest)
            }
            Some((q, rest)) if q.eq_ignore_ascii_case("ForAnyValue") => {
                (Some(SetQualifier::ForAnyValue), rest)
            }
            Some(_) => return None,
            None => (None, text),
        };
        if let Some(base) = BaseOperator::parse(rest) {
            return Some(Operator {
                qualifier,
                base,
                if_exists: false,
            });
        }
        let n = rest.len().checked_sub("IfExists".len())?;
        let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
        if !tail.eq_ignore_ascii_case("IfExists") {
            return None;
        }
        let base = BaseOperator::parse(head)?;
        if base == BaseOperator::Null {
            return None;
        }
        Some(Operator {
            qualifier,
            base,
            if_exists: true,
        })
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(q) = self.qualifier {
            write!(f, "{}:", q.as_str())?;
        }
        f.write_str(self.base.as_str())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trip() {
        for q in [
            None,
            Some(SetQualifier::ForAllValues),
            Some(SetQualifier::ForAnyValue),
        ] {
            for &base in BaseOperator::ALL {
                for if_exists in [false, true] {
                    if base == BaseOperator::Null && if_exists {
                        continue;
                    }
                    let op = Operator {
                        qualifier: q,
                        base,
                        if_exists,
                    };
                    assert_eq!(Operator::parse(&op.to_string()), Some(op), "{op}");
                }
            }
        }
    }

    #[test]
    fn parse_rejects() {
        assert_eq!(Operator::parse("NullIfExists"), None);
        assert_eq!(Operator::parse("StringEqualz"), None);
        assert_eq!(Operator::parse("ForSomeValues:StringEquals"), None);
        assert_eq!(Operator::parse("IfExists"), None);
        assert_eq!(
            Operator::parse("stringequalsifexists").map(|o| o.to_string()),
            Some("StringEqualsIfExists".into())
        );
    }
}
