//! The command-line error: two lines (what happened, what to try) and an exit code.
//!
//! Library modules return their own typed errors ([`crate::keys::KeyError`],
//! [`crate::suite::SuiteError`], …); the command layer turns each into a
//! [`CliError`] here, adding the hint a user needs. `main` prints it as
//!
//! ```text
//! cryptolab: --key is 12 bytes; expected 16, 24 or 32 bytes (AES-128, AES-192, AES-256)
//!   hint: give 32, 48 or 64 hex digits, or text: with 16, 24 or 32 characters …
//! ```
//!
//! Exit codes: 0 success, 1 a failure of the environment (I/O), 2 bad usage
//! or bad input (wrong key, malformed or tampered ciphertext, missing file) —
//! the same code clap uses for a bad flag.

use std::fmt;
use std::io;

use crate::keys::KeyError;
use crate::suite::SuiteError;

/// Exit code for bad usage or bad input.
pub const EXIT_USAGE: u8 = 2;
/// Exit code for an environment failure (I/O on output, network).
pub const EXIT_FAILURE: u8 = 1;

/// An error as the user sees it.
#[derive(Debug)]
pub struct CliError {
    /// First line: what happened, naming the file, flag or field.
    pub what: String,
    /// Second line: what to try.
    pub hint: Option<String>,
    /// Process exit code.
    pub code: u8,
    /// For I/O errors, the kind (so `main` can treat a broken pipe as success).
    pub io_kind: Option<io::ErrorKind>,
}

impl CliError {
    /// A usage/input error (exit 2) with a hint.
    pub fn usage(what: impl Into<String>, hint: impl Into<String>) -> Self {
        CliError { what: what.into(), hint: Some(hint.into()), code: EXIT_USAGE, io_kind: None }
    }

    /// A failure of the environment or the network (exit 1) with a hint.
    pub fn failure(what: impl Into<String>, hint: impl Into<String>) -> Self {
        CliError { what: what.into(), hint: Some(hint.into()), code: EXIT_FAILURE, io_kind: None }
    }

    /// Whether this is a write to a closed pipe (`cryptolab … | head`).
    pub fn is_broken_pipe(&self) -> bool {
        self.io_kind == Some(io::ErrorKind::BrokenPipe)
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

impl From<io::Error> for CliError {
    fn from(err: io::Error) -> Self {
        CliError {
            what: format!("output error: {err}"),
            hint: None,
            code: EXIT_FAILURE,
            io_kind: Some(err.kind()),
        }
    }
}

impl From<KeyError> for CliError {
    fn from(err: KeyError) -> Self {
        let hint = err.hint();
        CliError::usage(err.to_string(), hint)
    }
}

impl From<SuiteError> for CliError {
    fn from(err: SuiteError) -> Self {
        let hint = match &err {
            SuiteError::KeyLength { .. } => "use a 16-, 24- or 32-byte AES key",
            SuiteError::MissingMacKey => {
                "pass --mac-key HEX (or text:…), or use a key file with a `mac` line (`cryptolab keygen` writes one)"
            }
            SuiteError::IvLength { .. } => "give the IV as 32 hex digits (16 bytes)",
            SuiteError::TooShort { .. } => {
                "the input may be truncated, or in another encoding (try --format hex or base64)"
            }
            SuiteError::NotBlockAligned { .. } => {
                "ecb/cbc ciphertext is whole 16-byte blocks: check --format and that the input is complete"
            }
            SuiteError::BadPadding => "wrong key, wrong IV or wrong mode — or the ciphertext was modified",
            SuiteError::Rejected => {
                "check the key (compare fingerprints) and the mode; the message may have been modified"
            }
        };
        CliError::usage(err.to_string(), hint)
    }
}
