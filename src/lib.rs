//! # cryptolab — symmetric cryptography, run for real
//!
//! A command-line lab: AES in the modes people actually use (and misuse),
//! every byte shown and labelled, the weak modes broken in front of you and
//! the strong ones refusing. **Teaching code: the weak modes here are weak on
//! purpose**, and every weak choice is named INSECURE where it is made.
//! The primitives (AES, HMAC, SHA-2, GCM) come from the RustCrypto crates;
//! this crate shows how they are composed, and how compositions break.
//!
//! # Layout, in reading order
//! - [`suite`] — the cipher suites: [`suite::pkcs7`] padding,
//!   [`suite::ecb`], [`suite::cbc`], the stream modes [`suite::ctr`],
//!   [`suite::cfb`], [`suite::ofb`], then [`suite::cbc_hmac`], [`suite::gcm`],
//!   each a textbook page citing its standard; one table row per suite
//!   ([`suite::SuiteSpec`]); [`suite::Cipher`] seals and opens.
//! - [`keys`] — key files (mode 0600), `--key HEX|text:…`, fingerprints.
//! - [`render`] — the one annotated hex-dump renderer every command uses.
//! - [`wire`] — the native frame: a 16-byte header (authenticated) + the body.
//! - [`net`] — the encrypted chat over TCP: [`net::server`] (many clients),
//!   [`net::client`]; reading bounded by size, idle and frame timeouts.
//! - [`attacks`] — one file per attack (bit-flipping, tampering, padding
//!   oracle, replay): setup → attack → verify, with only what an attacker has.
//! - [`classical`] — Caesar, monoalphabetic, transposition and Vigenère:
//!   encrypt, decrypt, and crack by statistics (independent of the rest).
//! - [`tour`] — the guided tour, `cryptolab tour`.
//! - [`cli`] — the command tree (clap), one handler per command, and the one
//!   bounded reader of input files and stdin; [`cli::error`] — how errors
//!   reach the user (two lines; exit code 2 for bad input, 1 for a failure).
//!
//! Data flows one way: `cli` → (`tour`) → `suite`, `keys`, `render`. Lower
//! layers never call higher ones; `suite` and `render` do no I/O of their own
//! beyond writing to a caller's `io::Write`.

pub mod attacks;
pub mod classical;
pub mod cli;
pub mod events;
pub mod keys;
pub mod net;
pub mod profiles;
pub mod render;
pub mod session;
pub mod suite;
pub mod tour;
pub mod wire;

/// The command-line error lives with the commands; this path stays for
/// callers that name it `cryptolab::error::CliError`.
pub use cli::error;
