//! The one bounded reader: every file or stdin a command reads comes in here.
//!
//! Every input has a ceiling, enforced before its bytes are in memory: first
//! from the file's metadata (a 40 GiB file is refused without reading it),
//! then by a `take` limit while reading, because a pipe, a FIFO or
//! `/dev/zero` has no honest size. An input over its ceiling is an error,
//! never a silent truncation.
//!
//! [`What`] says what kind of input is being read; it chooses the ceiling's
//! hint and the words of every error, which are two lines that name the file:
//!
//! ```text
//! cryptolab: cannot read input file msg.txt: No such file or directory (os error 2)
//!   hint: check the path and its permissions
//! ```
//!
//! Key files (`--key-file`) are not read here: [`crate::keys`] owns them,
//! because their permissions are a security property.

use std::fs;
use std::io::{self, IsTerminal, Read};
use std::path::Path;

use super::error::CliError;

/// `encrypt`/`decrypt` input: any bytes, up to 1 GiB (the whole message is
/// sealed or opened in memory).
pub(super) const MAX_DATA: u64 = 1 << 30;
/// A classical cipher's text: 16 MiB is tens of thousands of pages, far more
/// than any crack needs (a few hundred letters), and a crack's work grows
/// with the length.
pub(super) const MAX_TEXT: u64 = 16 << 20;
/// A small file of key material (`--rsa-key`): a 4096-bit PKCS#8 PEM key is
/// about 3.3 KiB.
pub(super) const MAX_KEY_FILE: u64 = 64 << 10;
/// A word list for `crack key`: 256 MiB holds tens of millions of words
/// (the best-known leaked-password list, rockyou.txt, is about 134 MiB).
pub(super) const MAX_WORDS: u64 = 256 << 20;

/// Where an input comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source<'a> {
    /// A file, by the path the user gave.
    File(&'a Path),
    /// Standard input.
    Stdin,
}

impl<'a> Source<'a> {
    /// A path, with `-` meaning standard input; `None` is standard input too.
    pub(super) fn path_or_stdin(path: Option<&'a Path>) -> Self {
        match path {
            Some(p) if p.as_os_str() != "-" => Source::File(p),
            _ => Source::Stdin,
        }
    }
}

/// What kind of input is read: it decides the words of the errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum What {
    /// Data to encrypt or decrypt (`input file F`, `stdin`).
    Data,
    /// A text for the classical ciphers (``file `F` ``, `standard input`); UTF-8.
    Text,
    /// A small file of key material (`--static-key-file`, `--rsa-key`).
    KeyFile,
    /// Ciphertexts, one per line in hex or base64 (`crack nonce-reuse`); UTF-8.
    Ciphertexts,
    /// A word list, one word per line (`crack key --words`); UTF-8.
    Words,
    /// A recorded session, `proxy --json` lines (`demo forward-secrecy`).
    Recording,
}

impl What {
    /// How the input is named in messages.
    pub(super) fn name(self, source: Source<'_>) -> String {
        match (self, source) {
            (What::Data, Source::File(p)) => format!("input file {}", p.display()),
            (What::Text | What::Ciphertexts, Source::File(p)) => format!("file `{}`", p.display()),
            (What::KeyFile, Source::File(p)) => p.display().to_string(),
            (What::Words, Source::File(p)) => format!("word list {}", p.display()),
            (What::Recording, Source::File(p)) => format!("recording {}", p.display()),
            (What::Text | What::Ciphertexts | What::Words | What::Recording, Source::Stdin) => {
                "standard input".to_string()
            }
            (What::Data | What::KeyFile, Source::Stdin) => "stdin".to_string(),
        }
    }

    /// Why a read failed, in this input's words.
    fn reason(self, err: &io::Error) -> String {
        match (self, err.kind()) {
            (What::Text | What::Ciphertexts | What::Words | What::Recording, io::ErrorKind::NotFound) => {
                "no such file".to_string()
            }
            (
                What::Text | What::Ciphertexts | What::Words | What::Recording,
                io::ErrorKind::PermissionDenied,
            ) => "permission denied".to_string(),
            (_, io::ErrorKind::IsADirectory) => "it is a directory".to_string(),
            _ => err.to_string(),
        }
    }

    /// The hint for an input that cannot be read.
    fn unreadable_hint(self, source: Source<'_>) -> &'static str {
        match (self, source) {
            (What::Text, Source::File(_)) => "check the path and that the file is readable UTF-8 text",
            (What::Text, Source::Stdin) => "pipe in UTF-8 text, or give the text as an argument",
            (What::Data, Source::Stdin) => "check the input",
            (What::Ciphertexts, _) => "give a text file with one ciphertext per line, in hex or base64",
            (What::Words, Source::File(_)) => "check the path; a word list is a text file, one word per line",
            (What::Words, Source::Stdin) => "pipe in a word list, one word per line",
            (What::Recording, _) => "record a session with `cryptolab proxy --json > rec.jsonl`",
            (What::Data | What::KeyFile, _) => "check the path and its permissions",
        }
    }

    fn unreadable(self, source: Source<'_>, reason: impl Into<String>) -> CliError {
        CliError::usage(
            format!("cannot read {}: {}", self.name(source), reason.into()),
            self.unreadable_hint(source),
        )
    }

    /// The error for an input over `max` bytes (`len` if the metadata said).
    fn too_big(self, source: Source<'_>, len: Option<u64>, max: u64) -> CliError {
        let name = self.name(source);
        match self {
            What::Data => CliError::usage(
                format!("{name} is larger than the {} limit", size(max)),
                "split the input into smaller files",
            ),
            What::Text => CliError::usage(
                format!("{name} is larger than the {} limit for a text", size(max)),
                "these ciphers are for texts, and a few thousand letters are plenty to crack one: \
                 give an excerpt (e.g. `head -c 100000 FILE`)",
            ),
            What::Ciphertexts => CliError::usage(
                format!("{name} is larger than the {} limit for a set of ciphertexts", size(max)),
                "a few dozen messages are plenty: give the first lines (e.g. `head -n 200 FILE`)",
            ),
            What::Words => CliError::usage(
                format!("{name} is larger than the {} limit for a word list", size(max)),
                "split the list (`split -l 10000000 FILE`) and search each part",
            ),
            What::Recording => CliError::usage(
                format!("{name} is larger than the {} limit for a recording", size(max)),
                "a few frames are enough: record a shorter session",
            ),
            What::KeyFile => CliError::usage(
                match len {
                    Some(len) => format!("{name}: {len} bytes, more than a key file holds ({max} at most)"),
                    None => format!("{name}: more than a key file holds ({max} bytes at most)"),
                },
                "is this the right file?",
            ),
        }
    }
}

/// A limit for messages: `1 GiB`, `16 MiB`, `64 KiB`, or bytes.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b}-byte"),
    }
}

/// Reads all of `source`, refusing more than `max` bytes.
pub(super) fn read(source: Source<'_>, max: u64, what: What) -> Result<Vec<u8>, CliError> {
    match source {
        Source::Stdin => read_limited(io::stdin().lock(), source, max, what),
        Source::File(path) => {
            let meta = fs::metadata(path).map_err(|e| what.unreadable(source, what.reason(&e)))?;
            if meta.is_dir() {
                return Err(what.unreadable(source, "it is a directory"));
            }
            if meta.len() > max {
                return Err(what.too_big(source, Some(meta.len()), max));
            }
            let file = fs::File::open(path).map_err(|e| what.unreadable(source, what.reason(&e)))?;
            read_limited(file, source, max, what)
        }
    }
}

/// Reads the file at `path`, refusing more than `max` bytes.
pub(super) fn read_file(path: &Path, max: u64, what: What) -> Result<Vec<u8>, CliError> {
    read(Source::File(path), max, what)
}

/// Reads `path`, or standard input for `None` or `-`, refusing more than `max` bytes.
pub(super) fn read_path_or_stdin(path: Option<&Path>, max: u64, what: What) -> Result<Vec<u8>, CliError> {
    read(Source::path_or_stdin(path), max, what)
}

/// Reads `source` as UTF-8 text, refusing more than `max` bytes.
pub(super) fn read_text(source: Source<'_>, max: u64, what: What) -> Result<String, CliError> {
    String::from_utf8(read(source, max, what)?).map_err(|_| what.unreadable(source, "it is not UTF-8 text"))
}

/// Whether standard input is the terminal — nothing is piped in, so a
/// command that needs input should say how to give it rather than wait.
pub(super) fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

/// Reads at most `max` bytes: one more than `max` means the input is too big.
fn read_limited(reader: impl Read, source: Source<'_>, max: u64, what: What) -> Result<Vec<u8>, CliError> {
    let mut buf = Vec::new();
    reader.take(max + 1).read_to_end(&mut buf).map_err(|e| what.unreadable(source, what.reason(&e)))?;
    if buf.len() as u64 > max { Err(what.too_big(source, None, max)) } else { Ok(buf) }
}
