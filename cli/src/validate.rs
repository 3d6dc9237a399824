//! `perimeter validate`: Access Analyzer's policy checks, offline.

use crate::io::{error, read_input, stdout_is_terminal, write_line};
use perimeter::validate::{
    validate, FindingType, PolicyResourceType, PolicyType, Report, ValidateOptions,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::ExitCode;

/// Validate policy documents with Access Analyzer's checks and issue codes.
///
/// Exit status: 0 when no file has an ERROR or SECURITY_WARNING finding, 1 when one does, 2 for
/// a usage error or a file that cannot be read. See `docs/cli.md` for the output formats.
#[derive(clap::Args)]
pub struct Args {
    /// Policy documents to validate (`-` for standard input).
    #[arg(required = true)]
    files: Vec<String>,
    /// The kind of policy: `IDENTITY_POLICY`, `RESOURCE_POLICY`, `SERVICE_CONTROL_POLICY`,
    /// `RESOURCE_CONTROL_POLICY`, or `identity`, `resource`, `scp`, `rcp`, `trust` (a role trust
    /// policy: a resource policy of type `AWS::IAM::AssumeRolePolicyDocument`).
    #[arg(long, value_name = "TYPE")]
    policy_type: String,
    /// For resource policies: `AWS::S3::Bucket`, `AWS::S3::AccessPoint`,
    /// `AWS::S3::MultiRegionAccessPoint`, `AWS::S3ObjectLambda::AccessPoint`,
    /// `AWS::IAM::AssumeRolePolicyDocument` or `AWS::DynamoDB::Table`.
    #[arg(long, value_name = "TYPE")]
    resource_type: Option<String>,
    /// Output format (default: `table` on a terminal, `json` otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Table,
    Sarif,
}

/// Read `--policy-type` in Access Analyzer's spelling or a short form.
fn policy_type(text: &str) -> Option<(PolicyType, Option<PolicyResourceType>)> {
    let norm = text.to_ascii_lowercase().replace('_', "-");
    Some(match norm.as_str() {
        "identity-policy" | "identity" => (PolicyType::Identity, None),
        "resource-policy" | "resource" => (PolicyType::Resource, None),
        "service-control-policy" | "service-control" | "scp" => (PolicyType::ServiceControl, None),
        "resource-control-policy" | "resource-control" | "rcp" => {
            (PolicyType::ResourceControl, None)
        }
        "trust" | "trust-policy" | "role-trust-policy" => (
            PolicyType::Resource,
            Some(PolicyResourceType::IamAssumeRolePolicyDocument),
        ),
        _ => return None,
    })
}

fn options(args: &Args) -> Result<ValidateOptions, String> {
    let (policy_type, implied) = policy_type(&args.policy_type).ok_or_else(|| {
        format!(
            "unknown policy type `{}`: use `IDENTITY_POLICY`, `RESOURCE_POLICY`, `SERVICE_CONTROL_POLICY`, `RESOURCE_CONTROL_POLICY`, or `identity`, `resource`, `scp`, `rcp`, `trust`",
            args.policy_type
        )
    })?;
    let resource_type = match &args.resource_type {
        None => implied,
        Some(text) => {
            let rt: PolicyResourceType =
                text.parse().map_err(|e: perimeter::Error| e.to_string())?;
            if policy_type != PolicyType::Resource {
                return Err(format!(
                    "`--resource-type` applies only to resource policies, not to `{policy_type}`"
                ));
            }
            if implied.is_some_and(|i| i != rt) {
                return Err(format!(
                    "`--policy-type trust` already sets the resource type to `{}`",
                    PolicyResourceType::IamAssumeRolePolicyDocument
                ));
            }
            Some(rt)
        }
    };
    Ok(ValidateOptions {
        policy_type,
        resource_type,
    })
}

pub fn run(args: Args) -> ExitCode {
    let opts = match options(&args) {
        Ok(o) => o,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    let format = args.format.unwrap_or(if stdout_is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    let mut unreadable = false;
    let mut reports: Vec<(String, String, Report)> = Vec::new();
    for file in &args.files {
        match read_input(file) {
            Ok(text) => {
                let report = validate(&text, &opts);
                reports.push((file.clone(), text, report));
            }
            Err(e) => {
                error(&e);
                unreadable = true;
            }
        }
    }
    match format {
        _ if reports.is_empty() => {}
        Format::Json => write_line(&json_output(&reports).to_string()),
        Format::Sarif => write_line(&sarif(&reports).to_string()),
        Format::Table => table(&reports),
    }
    if unreadable {
        ExitCode::from(2)
    } else if reports.iter().any(|(_, _, r)| r.has_blocking_findings()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `{"findings": […]}` for one file; `{"files": [{"file", "findings"}, …]}` for several.
fn json_output(reports: &[(String, String, Report)]) -> Value {
    match reports {
        [(_, _, r)] => r.to_json_value(),
        _ => json!({
            "files": reports
                .iter()
                .map(|(file, _, r)| json!({"file": file, "findings": r.to_json_value()["findings"]}))
                .collect::<Vec<_>>()
        }),
    }
}

fn table(reports: &[(String, String, Report)]) {
    for (file, _, r) in reports {
        if r.findings.is_empty() {
            write_line(&format!("{file}: no findings"));
            continue;
        }
        for f in &r.findings {
            let (pos, path) = f
                .locations
                .first()
                .map_or((String::new(), String::new()), |l| {
                    (
                        format!("{}:{}", l.span.start.line, l.span.start.column + 1),
                        l.path_string(),
                    )
                });
            write_line(&format!(
                "{file}:{pos}  {:<16} {}  {}{}",
                f.finding_type.as_str(),
                f.issue_code,
                if path.is_empty() {
                    String::new()
                } else {
                    format!("at {path}: ")
                },
                f.finding_details
            ));
        }
        let counts: Vec<String> = FindingType::ALL
            .iter()
            .map(|t| (t, r.count(*t)))
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| format!("{n} {}", t.as_str()))
            .collect();
        write_line(&format!("{file}: {}", counts.join(", ")));
    }
}

fn sarif_level(t: FindingType) -> &'static str {
    match t {
        FindingType::Error | FindingType::SecurityWarning => "error",
        FindingType::Warning => "warning",
        FindingType::Suggestion => "note",
    }
}

/// SARIF 2.1.0: one run, rules named by issue code, regions with 1-based lines and columns
/// (columns counted in Unicode code points, which the run declares).
fn sarif(reports: &[(String, String, Report)]) -> Value {
    let mut rules: BTreeMap<&'static str, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for (file, _, r) in reports {
        let uri = if file == "-" { "stdin" } else { file.as_str() };
        for f in &r.findings {
            let code = f.issue_code.as_str();
            rules.entry(code).or_insert_with(|| {
                json!({
                    "id": code,
                    "shortDescription": {"text": code.replace('_', " ").to_lowercase()},
                    "helpUri": f.learn_more_link,
                    "defaultConfiguration": {"level": sarif_level(f.finding_type)},
                    "properties": {"findingType": f.finding_type.as_str()}
                })
            });
            let locations: Vec<Value> = f
                .locations
                .iter()
                .map(|l| {
                    let mut loc = json!({
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri},
                            "region": {
                                "startLine": l.span.start.line,
                                "startColumn": l.span.start.column + 1,
                                "endLine": l.span.end.line,
                                "endColumn": l.span.end.column + 1,
                                "byteOffset": l.span.start.offset,
                                "byteLength": l.span.end.offset - l.span.start.offset
                            }
                        }
                    });
                    if !l.path.is_empty() {
                        loc["logicalLocations"] =
                            json!([{"fullyQualifiedName": l.path_string(), "kind": "element"}]);
                    }
                    loc
                })
                .collect();
            results.push(json!({
                "ruleId": code,
                "level": sarif_level(f.finding_type),
                "message": {"text": f.finding_details},
                "locations": locations,
                "properties": {"findingType": f.finding_type.as_str()}
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "perimeter",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/perimeter-rs/perimeter",
                "rules": rules.into_values().collect::<Vec<_>>()
            }},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_type_spellings() {
        assert_eq!(
            policy_type("SERVICE_CONTROL_POLICY"),
            Some((PolicyType::ServiceControl, None))
        );
        assert_eq!(policy_type("scp"), Some((PolicyType::ServiceControl, None)));
        assert_eq!(
            policy_type("resource-control-policy"),
            Some((PolicyType::ResourceControl, None))
        );
        assert_eq!(
            policy_type("trust"),
            Some((
                PolicyType::Resource,
                Some(PolicyResourceType::IamAssumeRolePolicyDocument)
            ))
        );
        assert_eq!(policy_type("identity"), Some((PolicyType::Identity, None)));
        assert_eq!(policy_type("user"), None);
    }
}
