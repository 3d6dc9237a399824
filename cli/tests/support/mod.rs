//! What the CLI tests share: running the `perimeter` binary, and scratch directories.

#![allow(
    dead_code,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers: each test file uses some of them; a failure must stop the test"
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Run `perimeter` with `args` and, when given, `stdin` as its standard input: the exit status
/// (-1 when killed by a signal), standard output and standard error.
pub fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run perimeter");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A scratch directory of this test process: `perimeter-PREFIX-PID-NAME` under the system's
/// temporary directory, created when missing.
pub fn scratch(prefix: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("perimeter-{prefix}-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
