//! Access levels and condition key value types, as the Service Authorization Reference names them.

use std::fmt;

/// The access level the Service Authorization Reference gives an action.
///
/// AWS documents exactly these five levels; the reference gives each action one of them
/// (<https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_understand-policy-summary-access-level-summaries.html>).
/// Tagging and permissions-management actions are also writes in AWS's own annotations
/// (`IsWrite`), but their level is the narrower one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    /// Lists resources or their contents (`s3:ListBucket`).
    List,
    /// Reads resources or data (`s3:GetObject`).
    Read,
    /// Creates, changes or deletes resources or data (`s3:PutObject`).
    Write,
    /// Changes who can access what (`iam:AttachRolePolicy`, `s3:PutBucketPolicy`).
    PermissionsManagement,
    /// Changes only tags (`s3:PutObjectTagging`).
    Tagging,
}

impl AccessLevel {
    /// All levels, in the order above.
    pub const ALL: [AccessLevel; 5] = [
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Write,
        AccessLevel::PermissionsManagement,
        AccessLevel::Tagging,
    ];

    /// The level as the reference writes it: `List`, `Read`, `Write`, `Permissions management`,
    /// `Tagging`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    /// The one-letter code of the compact data file.
    pub(crate) fn from_code(code: &str) -> Option<AccessLevel> {
        match code {
            "L" => Some(AccessLevel::List),
            "R" => Some(AccessLevel::Read),
            "W" => Some(AccessLevel::Write),
            "P" => Some(AccessLevel::PermissionsManagement),
            "T" => Some(AccessLevel::Tagging),
            _ => None,
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The type of a condition key's values, as the Service Authorization Reference names it.
///
/// The `ArrayOf…` types are the multivalued keys: a request carries a set of values for them and
/// policies must compare them with `ForAnyValue:` or `ForAllValues:`
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>).
/// New types may appear when AWS adds them to the reference, hence `non_exhaustive`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConditionKeyType {
    /// A string (`String…` operators).
    String,
    /// A set of strings.
    ArrayOfString,
    /// An ARN (`Arn…` operators, or `String…`).
    Arn,
    /// A set of ARNs.
    ArrayOfArn,
    /// A number (`Numeric…` operators).
    Numeric,
    /// A set of numbers.
    ArrayOfNumeric,
    /// A date and time (`Date…` operators).
    Date,
    /// A set of dates.
    ArrayOfDate,
    /// `true` or `false` (`Bool`).
    Bool,
    /// A set of booleans.
    ArrayOfBool,
    /// An IP address (`IpAddress`, `NotIpAddress`).
    IpAddress,
    /// A set of IP addresses.
    ArrayOfIpAddress,
    /// Bytes (`BinaryEquals`).
    Binary,
    /// A set of byte strings.
    ArrayOfBinary,
}

impl ConditionKeyType {
    /// Whether a request can carry several values for a key of this type (the `ArrayOf…` types).
    pub fn is_multivalued(self) -> bool {
        self != self.element_type()
    }

    /// The type of one value: `ArrayOfString` gives `String`; single-valued types give themselves.
    pub fn element_type(self) -> ConditionKeyType {
        use ConditionKeyType::*;
        match self {
            ArrayOfString => String,
            ArrayOfArn => Arn,
            ArrayOfNumeric => Numeric,
            ArrayOfDate => Date,
            ArrayOfBool => Bool,
            ArrayOfIpAddress => IpAddress,
            ArrayOfBinary => Binary,
            other => other,
        }
    }

    /// The reference's spelling: `String`, `ArrayOfString`, `ARN`, `IPAddress`, …
    pub fn as_str(self) -> &'static str {
        use ConditionKeyType::*;
        match self {
            String => "String",
            ArrayOfString => "ArrayOfString",
            Arn => "ARN",
            ArrayOfArn => "ArrayOfARN",
            Numeric => "Numeric",
            ArrayOfNumeric => "ArrayOfNumeric",
            Date => "Date",
            ArrayOfDate => "ArrayOfDate",
            Bool => "Bool",
            ArrayOfBool => "ArrayOfBool",
            IpAddress => "IPAddress",
            ArrayOfIpAddress => "ArrayOfIPAddress",
            Binary => "Binary",
            ArrayOfBinary => "ArrayOfBinary",
        }
    }

    /// Read the reference's spelling (exact, as [`as_str`](Self::as_str) writes it).
    pub fn from_reference_name(name: &str) -> Option<ConditionKeyType> {
        use ConditionKeyType::*;
        Some(match name {
            "String" => String,
            "ArrayOfString" => ArrayOfString,
            "ARN" => Arn,
            "ArrayOfARN" => ArrayOfArn,
            "Numeric" => Numeric,
            "ArrayOfNumeric" => ArrayOfNumeric,
            "Date" => Date,
            "ArrayOfDate" => ArrayOfDate,
            "Bool" => Bool,
            "ArrayOfBool" => ArrayOfBool,
            "IPAddress" => IpAddress,
            "ArrayOfIPAddress" => ArrayOfIpAddress,
            "Binary" => Binary,
            "ArrayOfBinary" => ArrayOfBinary,
            _ => return None,
        })
    }
}

impl fmt::Display for ConditionKeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_names_round_trip_and_multivalued_means_array() {
        use ConditionKeyType::*;
        let all = [
            String,
            ArrayOfString,
            Arn,
            ArrayOfArn,
            Numeric,
            ArrayOfNumeric,
            Date,
            ArrayOfDate,
            Bool,
            ArrayOfBool,
            IpAddress,
            ArrayOfIpAddress,
            Binary,
            ArrayOfBinary,
        ];
        for t in all {
            assert_eq!(ConditionKeyType::from_reference_name(t.as_str()), Some(t));
            assert_eq!(t.is_multivalued(), t.as_str().starts_with("ArrayOf"), "{t}");
            assert!(!t.element_type().is_multivalued());
        }
        assert_eq!(ConditionKeyType::from_reference_name("string"), None);
    }

    #[test]
    fn access_level_codes() {
        for l in AccessLevel::ALL {
            let code = &l.as_str()[..1];
            assert_eq!(AccessLevel::from_code(code), Some(l));
        }
        assert_eq!(AccessLevel::from_code("X"), None);
    }
}
