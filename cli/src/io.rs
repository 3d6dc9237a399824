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
