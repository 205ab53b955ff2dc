//! The command-line error: two lines (what happened, what to try), and a
//! [`Kind`] that says whose problem it is — which sets the exit code.
//!
//! Library modules return their own typed errors ([`crate::keys::KeyError`],
//! [`crate::suite::SuiteError`], [`crate::classical::ClassicalError`], …),
//! and each of them carries its own hint, written next to its definition
//! (`fn hint`). The `From` impls here only pair the two lines up. `main`
//! prints a [`CliError`] as
//!
//! ```text
//! cryptolab: --key is 12 bytes; expected 16, 24 or 32 bytes (AES-128, AES-192, AES-256)
//!   hint: give 32, 48 or 64 hex digits, or text: with 16, 24 or 32 characters …
//! ```
//!
//! | kind                  | exit | when                                                           |
//! |-----------------------|------|----------------------------------------------------------------|
//! | [`Kind::Usage`]       | 2    | bad flags or bad input: a wrong key, a malformed or tampered ciphertext, a missing file (the code clap uses for a bad flag) |
//! | [`Kind::Failure`]     | 1    | the environment failed: a peer went away, a connection broke, the runtime could not start |
//! | [`Kind::NotFound`]    | 1    | the command ran and found nothing: `crack key` tried every candidate and none matched (like `grep`) |
//! | [`Kind::Output`]      | 1    | writing our own output failed; a closed pipe (`cryptolab … \| head`) ends quietly with 0 |
//!
//! There is deliberately no `From<io::Error>`: an `io::Error` may come from a
//! socket, a file or standard output, and only the caller knows which. Writes
//! to standard output say so with `.map_err(CliError::output)`; everything
//! else is [`CliError::failure`] (or [`CliError::usage`]) in its own words.

use std::fmt;
use std::io::{self, Write};

use crate::attacks::bitflip::TargetError;
use crate::classical::ClassicalError;
use crate::keys::KeyError;
use crate::suite::SuiteError;

/// Exit code for bad usage or bad input.
pub const EXIT_USAGE: u8 = 2;
/// Exit code for an environment failure (network, system), a failed write,
/// or a search that found nothing.
pub const EXIT_FAILURE: u8 = 1;

/// Whose problem an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// What the user gave is wrong (a flag, a key, a file, the input): exit 2.
    Usage,
    /// The environment failed (a socket, a peer, the system): exit 1.
    Failure,
    /// The command ran and found nothing (a search without a match): exit 1.
    NotFound,
    /// Writing the command's own output (standard output or error) failed:
    /// exit 1, or 0 for a closed pipe.
    Output,
}

impl Kind {
    /// The process exit code for this kind of error.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Usage => EXIT_USAGE,
            Kind::Failure | Kind::NotFound | Kind::Output => EXIT_FAILURE,
        }
    }
}

/// An error as the user sees it.
#[derive(Debug)]
pub struct CliError {
    /// First line: what happened, naming the file, flag or field.
    pub what: String,
    /// Second line: what to try.
    pub hint: Option<String>,
    /// Whose problem it is (and so the exit code).
    pub kind: Kind,
    /// For [`Kind::Output`], the I/O error's kind (a broken pipe ends quietly).
    io_kind: Option<io::ErrorKind>,
}

impl CliError {
    /// A usage/input error (exit 2) with a hint.
    pub fn usage(what: impl Into<String>, hint: impl Into<String>) -> Self {
        CliError { what: what.into(), hint: Some(hint.into()), kind: Kind::Usage, io_kind: None }
    }

    /// A failure of the environment or the network (exit 1) with a hint.
    pub fn failure(what: impl Into<String>, hint: impl Into<String>) -> Self {
        CliError { what: what.into(), hint: Some(hint.into()), kind: Kind::Failure, io_kind: None }
    }

    /// A search that found nothing (exit 1) with a hint.
    pub fn not_found(what: impl Into<String>, hint: impl Into<String>) -> Self {
        CliError { what: what.into(), hint: Some(hint.into()), kind: Kind::NotFound, io_kind: None }
    }

    /// A failed write of the command's own output (standard output or
    /// standard error). Use it only for those writes:
    /// `writeln!(out, …).map_err(CliError::output)?`.
    pub fn output(err: io::Error) -> Self {
        CliError {
            what: format!("cannot write the output: {err}"),
            hint: Some("check that the output can be written (a full disk, a closed terminal)".into()),
            kind: Kind::Output,
            io_kind: Some(err.kind()),
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }

    /// Whether this is a write to a closed pipe (`cryptolab … | head`),
    /// which `main` treats as success.
    pub fn is_broken_pipe(&self) -> bool {
        self.kind == Kind::Output && self.io_kind == Some(io::ErrorKind::BrokenPipe)
    }

    /// The error as the last line of a `--json` run's standard output (the
    /// `error` event of `docs/EVENTS.md`), so that a script reading JSON
    /// learns why the command failed; the two lines still go to stderr.
    pub fn json_line(&self) -> String {
        serde_json::json!({
            "event": "error",
            "message": self.what,
            "hint": self.hint,
            "exit": self.exit_code(),
        })
        .to_string()
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cryptolab: {}", self.what)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl From<KeyError> for CliError {
    fn from(err: KeyError) -> Self {
        CliError::usage(err.to_string(), err.hint())
    }
}

impl From<SuiteError> for CliError {
    fn from(err: SuiteError) -> Self {
        CliError::usage(err.to_string(), err.hint())
    }
}

impl From<ClassicalError> for CliError {
    fn from(err: ClassicalError) -> Self {
        if let ClassicalError::Output(e) = err {
            return CliError::output(e);
        }
        CliError::usage(err.to_string(), err.hint())
    }
}

impl From<TargetError> for CliError {
    fn from(err: TargetError) -> Self {
        CliError::usage(err.to_string(), err.hint())
    }
}

/// A writer that remembers whether *it* failed.
///
/// Some library calls both write to the given writer and do other I/O (the
/// tour runs a real chat over loopback) and return one `io::Error` for
/// either. Wrapped in a `Watched`, standard output can tell: if the writer
/// failed, the error is [`Kind::Output`]; otherwise it came from elsewhere.
pub(super) struct Watched<W> {
    inner: W,
    failed: bool,
}

impl<W: Write> Watched<W> {
    /// Watches `inner`.
    pub(super) fn new(inner: W) -> Self {
        Watched { inner, failed: false }
    }

    /// Classifies an error returned by a call that wrote to this writer:
    /// [`CliError::output`] if the writer failed, else `elsewhere(err)`.
    pub(super) fn blame(&self, err: io::Error, elsewhere: impl FnOnce(io::Error) -> CliError) -> CliError {
        if self.failed { CliError::output(err) } else { elsewhere(err) }
    }
}

impl<W: Write> Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| self.failed |= e.kind() != io::ErrorKind::Interrupted)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().inspect_err(|e| self.failed |= e.kind() != io::ErrorKind::Interrupted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_exit_code() {
        assert_eq!(CliError::usage("u", "h").exit_code(), 2);
        assert_eq!(CliError::failure("f", "h").exit_code(), 1);
        assert_eq!(CliError::not_found("n", "h").exit_code(), 1);
        assert_eq!(CliError::output(io::ErrorKind::StorageFull.into()).exit_code(), 1);
    }

    #[test]
    fn only_a_broken_pipe_on_output_is_quiet() {
        assert!(CliError::output(io::ErrorKind::BrokenPipe.into()).is_broken_pipe());
        assert!(!CliError::output(io::ErrorKind::StorageFull.into()).is_broken_pipe());
        let network = CliError::failure(
            format!("connection failed: {}", io::Error::from(io::ErrorKind::BrokenPipe)),
            "h",
        );
        assert!(!network.is_broken_pipe(), "a peer's broken pipe is a failure, not our output");
    }

    /// A writer that always fails.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn watched_blames_the_writer_only_when_it_failed() {
        let elsewhere = |e: io::Error| CliError::failure(format!("loopback: {e}"), "h");
        let mut ok = Watched::new(Vec::new());
        ok.write_all(b"fine").unwrap();
        let err = ok.blame(io::ErrorKind::ConnectionReset.into(), elsewhere);
        assert_eq!(err.kind, Kind::Failure);

        let mut closed = Watched::new(Closed);
        let e = closed.write_all(b"lost").unwrap_err();
        let err = closed.blame(e, elsewhere);
        assert_eq!(err.kind, Kind::Output);
        assert!(err.is_broken_pipe());
    }
}
