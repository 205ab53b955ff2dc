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
//!   each a textbook page citing its standard; [`suite::Suite::spec`], the
//!   one table row per suite every label and hint comes from;
//!   [`suite::Cipher`] seals and opens; [`suite::victims`], the named
//!   INSECURE receivers the demos break.
//! - [`aes_rounds`] — AES-128 itself, round by round (FIPS-197), written out
//!   for display only and checked against the `aes` crate on every run: the
//!   one exception to "never hand-roll AES" (`cryptolab aes`).
//! - [`keys`] — key files (mode 0600), `--key HEX|text:…`, fingerprints.
//! - [`render`] — the one annotated hex-dump renderer every command uses.
//! - [`wire`] — the native frame: a 16-byte header (authenticated) + the body.
//! - [`profiles`] — the classroom wire formats, one module each with its
//!   [`profiles::FormatSpec`] row.
//! - [`events`] — everything a command reports, as [`events::Event`] values;
//!   text, quiet and JSON output are observers (`docs/EVENTS.md`).
//! - [`session`] — pure protocol state: [`session::Sealer`],
//!   [`session::Opener`], and [`session::channel::Channel`] (native frames or
//!   a format, its handshake, its two halves).
//! - [`net`] — the sockets: one server, one client and one proxy over any
//!   channel; [`net::reader`] reads whole messages, bounded by size and time.
//! - [`attacks`] — one file per attack, one interface ([`attacks::DemoCtx`]
//!   in, verdict events out): setup → attack → verify, with only what an
//!   attacker has.
//! - [`challenge`] — the attacks' victims as TCP servers with a line
//!   protocol and a flag per student ([`challenge::CHALLENGES`]), attacked
//!   by the student's own code; the built-in solutions attack through a
//!   socket only (`docs/CHALLENGES.md`).
//! - [`classical`] — Caesar, monoalphabetic, transposition and Vigenère:
//!   encrypt, decrypt, and crack by statistics (independent of the rest).
//! - [`demos`] — the registry of every demo ([`demos::DEMOS`]): the
//!   attacks' and the challenges' live ones, read by `demo` and the tour.
//! - [`tour`] — the guided tour, `cryptolab tour`.
//! - [`web`] — the browser view (`cryptolab web`, `--web PORT`): the event
//!   stream as server-sent events to a page compiled into the binary.
//! - [`cli`] — the command tree (clap), one handler per command, and the one
//!   bounded reader of input files and stdin; [`cli::error`] — how errors
//!   reach the user (two lines; exit code 2 for bad input, 1 for a failure).
//!
//! Data flows one way: `cli` → `tour`, `web` → `demos` → `challenge` → `attacks`, `net`, `classical` →
//! `session`, `profiles`, `events` → `wire`, `render`, `suite`, `keys`.
//! Lower layers never call higher ones, and only `cli` touches clap, the
//! terminal, stdin and the user's files (`docs/ARCHITECTURE.md`).

pub mod aes_rounds;
pub mod attacks;
pub mod challenge;
pub mod classical;
pub mod cli;
pub mod demos;
pub mod events;
pub mod keys;
pub mod net;
pub mod profiles;
pub mod render;
pub mod session;
pub mod suite;
pub mod tour;
pub mod web;
pub mod wire;

/// The command-line error lives with the commands; this path stays for
/// callers that name it `cryptolab::error::CliError`.
pub use cli::error;
