//! Reading inputs and writing outputs.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

/// Read a file, or standard input for `-`.
pub fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(Path::new(path)).map_err(|e| format!("cannot read `{path}`: {e}"))
    }
}

/// Read a file (or standard input for `-`) as JSON.
pub fn json_file(path: &str) -> Result<serde_json::Value, String> {
    let text = read_input(path)?;
    serde_json::from_str(&text).map_err(|e| format!("`{path}` is not valid json: {e}"))
}

/// The zone of trust the `--zone-org FILE` and `--zone-account ID` flags describe: the
/// organization, the accounts, or both (the accounts trusted besides the organization); `None`
/// when neither is given.
pub fn zone_from_flags(
    zone_org: Option<&str>,
    zone_accounts: &[String],
) -> Result<Option<perimeter::analyze::ZoneOfTrust>, String> {
    use perimeter::analyze::{Organization, ZoneOfTrust};
    let mut zone = match zone_org {
        None => None,
        Some(file) => {
            let org: Organization = serde_json::from_value(json_file(file)?).map_err(|e| {
                format!("`{file}` is not an organization ({{\"id\": \"o-…\", \"accounts\": {{…}}}}): {e}")
            })?;
            Some(ZoneOfTrust::organization(org))
        }
    };
    for a in zone_accounts {
        zone = Some(match zone {
            Some(z) => z.with_trusted_account(a),
            None => ZoneOfTrust::account(a),
        });
    }
    if let Some(z) = &zone {
        z.validate().map_err(|e| e.to_string())?;
    }
    Ok(zone)
}

/// Whether standard output is a terminal (tables and progress bars only then).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Write one line to standard output, ignoring a closed pipe.
pub fn write_line(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

/// Print an error for the user on standard error.
pub fn error(msg: &str) {
    eprintln!("perimeter: {msg}");
}
