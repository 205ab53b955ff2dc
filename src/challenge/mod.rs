//! Challenges: the attacks as live servers that a student breaks with their
//! own code, each protecting a flag for that student.
//!
//! `cryptolab demo` runs an attack *for* the student. A challenge turns the
//! victim into a TCP server (`cryptolab challenge serve NAME`) that speaks a
//! plain line protocol, so a ten-line Python script with only `socket` can
//! attack it, in any language the student likes. What the server protects
//! contains a flag derived from an instructor secret and the student's name
//! ([`flag`]), so flags cannot be shared, and `cryptolab challenge check`
//! verifies one offline.
//!
//! # The protocol (docs/CHALLENGES.md has a worked transcript per challenge)
//! One request per line, one answer per line, both ASCII, `\n`-terminated
//! (a `\r` before it is ignored). Binary values are lower- or upper-case
//! hex. The requests every challenge knows:
//!
//! ```text
//! help                 → the requests this challenge knows, on one line
//! student NAME         → "ok: flags for NAME" (whose flag this connection protects)
//! ```
//!
//! plus the challenge's own (`encrypt HEX`, `check HEX`, …). A request the
//! server cannot take gets `error: …` and the connection stays usable; a
//! line over [`server::MAX_LINE`] bytes gets `error: …` and the connection
//! is closed (the rest of such a line is never read into memory).
//!
//! # Layout
//! * [`flag`] — the instructor secret, flags, per-student keys, `check`.
//! * [`server`] — the TCP server: one task per connection, bounded.
//! * [`client`] — the solver's side of the protocol: one request, one answer.
//! * [`demo`] — six challenges as narrated demos (`cryptolab demo NAME`),
//!   each against its own server on a loopback port.
//! * one file per challenge: the victim ([`Oracle`]) and the built-in
//!   solution, which attacks through [`client`] only, with the attack
//!   itself in [`crate::attacks`] (a textbook page each).

pub mod cbc_bitflip;
pub mod cbc_iv_key;
pub mod client;
pub mod ctr_bitflip;
pub mod demo;
pub mod ecb_byte_at_a_time;
pub mod ecb_cut_and_paste;
pub mod flag;
pub mod gcm_nonce_reuse;
pub mod length_extension;
pub mod padding_oracle;
pub mod server;
pub mod timing_leak;

use std::io;

use crate::suite::{Cipher, Suite};

pub use flag::{Secret, check, check_student, find_flag};

/// What a challenge server is built from, per connection, once the student
/// is known.
pub struct Setup<'a> {
    /// The instructor secret.
    pub secret: &'a Secret,
    /// Whose flag.
    pub student: &'a str,
    /// The authenticated variant (`serve --authenticated`), which refuses
    /// the attack.
    pub authenticated: bool,
    /// `serve --delay-ms` (timing-leak only): the delay per matching byte.
    pub delay: Option<std::time::Duration>,
}

impl Setup<'_> {
    /// This student's flag for `challenge`.
    pub fn flag(&self, challenge: &str) -> String {
        self.secret.flag(challenge, self.student)
    }

    /// This student's victim cipher for `challenge`: `weak` (INSECURE, the
    /// suite the attack breaks), or `strong` for the authenticated variant.
    pub fn cipher(&self, challenge: &str, weak: Suite, strong: Suite) -> Cipher {
        let key = self.secret.key(challenge, self.student);
        let mac = self.secret.mac_key(challenge, self.student);
        let suite = if self.authenticated { strong } else { weak };
        Cipher::new(suite, &key[..], Some(&mac[..])).expect("a 16-byte key, a 32-byte MAC key")
    }
}

/// A challenge's victim, one per connection: answers one request line.
pub trait Oracle: Send {
    /// The answer to `verb` with its argument (the rest of the line, trimmed).
    /// `None` for a verb this challenge does not know.
    fn answer(&mut self, verb: &str, arg: &str) -> Option<String>;

    /// How long the server waits before sending the last answer (a timing
    /// leak's delay; zero for every other victim). The server sleeps it
    /// without holding up other connections.
    fn take_delay(&mut self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

/// What a built-in solution reports while it works.
pub type Narrate<'a> = &'a mut dyn FnMut(&str);

/// The result of a built-in solution.
#[derive(Debug)]
pub struct Solved {
    /// The flag recovered.
    pub flag: String,
    /// Requests sent to the server.
    pub requests: u64,
}

/// Why a built-in solution did not get the flag.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// The connection failed.
    #[error("the connection to the challenge server failed: {0}")]
    Io(#[from] io::Error),
    /// The server answered something the protocol does not allow.
    #[error("the server's answer does not fit the protocol: {0}")]
    Protocol(String),
    /// The attack ran and did not work (the authenticated variant refuses it).
    #[error("{0}")]
    Refused(String),
}

/// One challenge: its name, what it teaches, its victim and its solution.
pub struct Challenge {
    /// The name used on the command line.
    pub name: &'static str,
    /// 1 (first steps) to 3 (hard).
    pub difficulty: u8,
    /// The concept it teaches, one line.
    pub concept: &'static str,
    /// The requests it knows beyond `help` and `student`, for `help`.
    pub requests: &'static str,
    /// Whether `serve --authenticated` exists for it.
    pub has_authenticated: bool,
    /// The hint ladder, gentlest first.
    pub hints: &'static [&'static str],
    /// The victim for one connection.
    pub oracle: fn(&Setup<'_>) -> Box<dyn Oracle>,
    /// The built-in solution: attacks a server through the client only.
    pub solve: fn(&mut client::Client, Narrate<'_>) -> Result<Solved, SolveError>,
}

/// Every challenge, in the order `challenge list` shows them.
pub const CHALLENGES: &[Challenge] = &[
    ecb_byte_at_a_time::CHALLENGE,
    cbc_bitflip::CHALLENGE,
    padding_oracle::CHALLENGE,
    ecb_cut_and_paste::CHALLENGE,
    ctr_bitflip::CHALLENGE,
    cbc_iv_key::CHALLENGE,
    length_extension::CHALLENGE,
    gcm_nonce_reuse::CHALLENGE,
    ecb_byte_at_a_time::PREFIX_CHALLENGE,
    timing_leak::CHALLENGE,
];

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Challenge").field("name", &self.name).finish_non_exhaustive()
    }
}

/// The challenge called `name`.
pub fn find(name: &str) -> Option<&'static Challenge> {
    CHALLENGES.iter().find(|c| c.name == name)
}

/// The names of every challenge, comma-separated (for errors).
pub fn names() -> String {
    CHALLENGES.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

/// Decodes a hex argument, or says what is wrong with it.
pub(crate) fn parse_hex(arg: &str, max: usize) -> Result<Vec<u8>, String> {
    if arg.is_empty() {
        return Err("expected hex bytes after the request".into());
    }
    if arg.len() > 2 * max {
        return Err(format!("at most {max} bytes ({} hex digits)", 2 * max));
    }
    hex::decode(arg).map_err(|_| "not hex: expected pairs of 0-9 a-f".to_string())
}

/// `error: …` with the text made safe to echo (it may quote the request).
pub(crate) fn error(text: &str) -> String {
    format!("error: {}", crate::events::visible(text))
}
