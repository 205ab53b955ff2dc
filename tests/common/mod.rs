//! Runs the real `cryptolab` binary in a fresh temporary directory.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a run printed and how it ended.
pub struct Out {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Out {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// A temporary working directory for one test.
pub struct Lab {
    pub dir: tempfile::TempDir,
}

impl Lab {
    pub fn new() -> Self {
        Lab { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Runs `cryptolab ARGS` with `stdin`, colour off, in this directory.
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Out {
        run_in(self.dir.path(), args, stdin)
    }
}

pub fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cryptolab");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts a usage/input error: exit code 2, stderr ending in exactly these
/// two lines (warnings may come before), and no panic.
pub fn assert_error(out: &Out, what: &str, hint: &str) {
    assert_eq!(out.code, 2, "exit code; stderr: {}", out.stderr);
    let expected = format!("cryptolab: {what}\n  hint: {hint}\n");
    assert!(
        out.stderr.ends_with(&expected),
        "stderr was:\n{}\nexpected to end with:\n{expected}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"));
}
