//! The command tree and one handler per command — no cryptography here.
//!
//! Each handler parses what the user gave (files, flags), calls the library
//! ([`crate::suite`], [`crate::keys`], [`crate::net`], [`crate::attacks`], …)
//! and shows the result through the shared [`crate::render::Renderer`].
//! Errors become [`CliError`]s: two lines, exit code 2 for bad usage or input.
//!
//! - this file: the tree ([`Cli`], [`Command`]), [`run`], the key flags
//!   ([`KeyArgs`]) every command shares, the one key-file permission
//!   warning, and the async runtime helper;
//! - `error.rs`: [`CliError`] — Usage, Failure or Output — and the exit codes;
//! - `input.rs`: the one bounded reader of files and stdin;
//! - `crypt.rs`: `tour`, `keygen`, `encrypt`, `decrypt`, and their output;
//! - `rounds.rs`: `aes` — AES-128 inside one block, round by round;
//! - `chat.rs`: `serve`, `connect`, `proxy`, `bench`, `web`;
//! - `demo.rs`: `demo …`;
//! - `classical.rs`: `classical …` (the reports come from [`crate::classical`]);
//! - `crack.rs`: `crack …` — the attacks on your own values (`crack key`,
//!   `crack nonce-reuse`).

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::keys::{self, KeyMaterial, KeyOrigin, KeySpec};
pub use values::{ColorChoice, Term};

mod challenge;
mod chat;
mod classical;
mod crack;
mod crypt;
mod demo;
pub mod error;
mod input;
mod rounds;
pub mod values;

pub use chat::*;
pub use classical::*;
pub use crack::*;
pub use crypt::*;
pub use demo::*;
pub use error::CliError;
pub use rounds::*;

const TOP_EXAMPLES: &str = "\
Examples:
  cryptolab tour                              a guided run of everything (start here)
  cryptolab keygen --bits 256                 write ./cryptolab.key (mode 0600)
  echo hi | cryptolab encrypt --mode gcm --format hex --explain
  cryptolab encrypt --mode cbc --key 2b7e151628aed2a6abf7158809cf4f3c \\
      --iv 000102030405060708090a0b0c0d0e0f --format hex msg.txt

Colour: --color auto|always|never; NO_COLOR is honoured; output is fully
readable without colour. Width: output fits the terminal (or --width N, or
COLUMNS); at 80 columns dumps show 8 bytes per row.";

/// cryptolab — watch AES work, break the weak modes, see the strong ones refuse.
#[derive(Debug, Parser)]
#[command(name = "cryptolab", version, about, after_help = TOP_EXAMPLES)]
pub struct Cli {
    /// When to use colour: auto (on a terminal, unless NO_COLOR is set),
    /// always, never.
    #[arg(
        long,
        value_enum,
        default_value_t,
        global = true,
        value_name = "WHEN",
        hide_possible_values = true
    )]
    pub color: ColorChoice,
    /// Fit output to N columns (default: the terminal's width, or COLUMNS;
    /// 120 when neither is known).
    #[arg(long, global = true, value_name = "N", value_parser = values::parse_width)]
    pub width: Option<usize>,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// A short guided run of everything: each suite sealing the same message.
    #[command(
        after_help = "Examples:\n  cryptolab tour\n  cryptolab tour --seed 7 --color never   (the same bytes every run)"
    )]
    Tour(TourArgs),
    /// Generate a key file (AES key + independent HMAC key), mode 0600.
    #[command(
        after_help = "Examples:\n  cryptolab keygen\n  cryptolab keygen --bits 256 --out lab.key\n  cryptolab keygen --force   (replace ./cryptolab.key: the old key is lost)"
    )]
    Keygen(KeygenArgs),
    /// Encrypt a file or stdin in one suite.
    #[command(after_help = encrypt_examples())]
    Encrypt(CryptArgs),
    /// Decrypt a file or stdin in one suite.
    #[command(after_help = DECRYPT_EXAMPLES)]
    Decrypt(CryptArgs),
    /// AES-128 inside one block: the state after every step of every round (FIPS-197).
    #[command(after_help = AES_EXAMPLES)]
    Aes(AesArgs),
    /// Run an encrypted chat server: many clients, every frame shown.
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Connect to a chat server: type lines to send, see frames arrive.
    #[command(after_help = CONNECT_EXAMPLES)]
    Connect(ConnectArgs),
    /// Attacks that break the weak suites and fail against the strong ones.
    #[command(after_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),
    /// Attack your own values: a dictionary key from a known plaintext; messages under one nonce.
    #[command(subcommand, after_help = CRACK_EXAMPLES)]
    Crack(Crack),
    /// Classical ciphers: encrypt, decrypt, and crack by statistics.
    Classical(ClassicalArgs),
    /// A man in the middle: show every frame both ways, tamper with the client's.
    #[command(after_help = PROXY_EXAMPLES)]
    Proxy(ProxyArgs),
    /// Live challenge servers: attack them with your own code; a flag per student.
    Challenge(challenge::ChallengeArgs),
    /// The browser view: live frames coloured by field (serve, proxy, challenge serve --web) and demos.
    #[command(after_help = WEB_EXAMPLES)]
    Web(WebArgs),
    /// Measure the chat on loopback beside plain TCP (bulk, round trips, scale).
    #[command(
        after_help = "Examples:\n  cryptolab bench\n  cryptolab bench --seconds 1 --clients 1000 --messages 5\n  \
                      cryptolab bench --only round-trips       (one part; taskset -c 0 for one CPU)"
    )]
    Bench(BenchArgs),
}

/// Where keys come from; shared by every command that needs a key.
#[derive(Debug, Args, Clone, Default)]
pub struct KeyArgs {
    /// Read keys from FILE [default: ./cryptolab.key].
    #[arg(long, value_name = "FILE", conflicts_with = "key")]
    pub key_file: Option<PathBuf>,
    /// AES key as hex (32/48/64 digits) or text:LITERAL (16/24/32 characters).
    /// Visible to other users in the process list: prefer a key file.
    #[arg(long, value_name = "HEX|text:…")]
    pub key: Option<String>,
    /// HMAC key for cbc-hmac, hex or text:LITERAL (any length).
    #[arg(long, value_name = "HEX|text:…")]
    pub mac_key: Option<String>,
    /// AES key size for new keys (and checked against given keys).
    #[arg(long, value_parser = parse_bits, value_name = "128|192|256")]
    pub bits: Option<u16>,
}

impl KeyArgs {
    fn spec(&self) -> KeySpec {
        KeySpec {
            key_file: self.key_file.clone(),
            key: self.key.clone(),
            mac_key: self.mac_key.clone(),
            bits: self.bits,
        }
    }

    /// Resolves the keys, telling the user (one line on stderr) if a key
    /// file was created or is readable by others.
    pub fn load(&self, may_create: bool) -> Result<KeyMaterial, CliError> {
        let (keys, origin) = self.spec().resolve(may_create)?;
        match origin {
            // Two short lines, so that each fits an 80-column terminal.
            KeyOrigin::Created(path) => eprintln!(
                "created key file {} (mode 0600):\n  AES-{} + HMAC-SHA256 keys, fingerprint {}",
                path.display(),
                keys.bits(),
                keys.fingerprint()
            ),
            KeyOrigin::File(path) => warn_if_readable_by_others(&path),
            KeyOrigin::Flags => {}
        }
        Ok(keys)
    }
}

/// Warns (one line on stderr) when the key file at `path` can be read by
/// other users. Every command that reads key material from a file
/// (`--key-file`, `--static-key-file`, `--rsa-key`) says it through here, in
/// these words.
pub(super) fn warn_if_readable_by_others(path: &Path) {
    if keys::is_too_open(path) {
        eprintln!(
            "warning: key file {} is readable by other users; run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
}

pub(super) fn parse_bits(s: &str) -> Result<u16, String> {
    match s {
        "128" | "192" | "256" => Ok(s.parse().expect("matched digits")),
        _ => Err(format!("'{s}' is not an AES key size (expected 128, 192 or 256)")),
    }
}

/// Whether the command that runs was given `--json` (its own flag, on the
/// deepest subcommand): then an error is reported as a JSON line on stdout
/// too ([`CliError::json_line`]).
pub fn wants_json(matches: &clap::ArgMatches) -> bool {
    let mut m = matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    matches!(m.try_get_one::<bool>("json"), Ok(Some(true)))
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let color = Term { color: cli.color, width: cli.width };
    match cli.command {
        Command::Tour(args) => crypt::tour(&args, color),
        Command::Keygen(args) => crypt::keygen(&args),
        Command::Encrypt(args) => crypt::encrypt(&args, color),
        Command::Decrypt(args) => crypt::decrypt(&args, color),
        Command::Aes(args) => rounds::aes(&args, color),
        Command::Serve(args) => chat::serve(&args, color),
        Command::Connect(args) => chat::connect(&args, color),
        Command::Bench(args) => chat::bench(&args),
        Command::Web(args) => chat::web(&args),
        Command::Classical(args) => classical::classical(&args, color),
        Command::Demo(args) => demo::demo(&args, color),
        Command::Crack(attack) => crack::crack(&attack, color),
        Command::Proxy(args) => chat::proxy(&args, color),
        Command::Challenge(args) => challenge::challenge(&args, color),
    }
}

/// Runs `fut` on a fresh tokio runtime. The runtime is then shut down without
/// waiting: a task blocked reading the terminal (stdin) must not keep the
/// program alive after the chat has ended.
pub(super) fn block_on<T>(
    fut: impl std::future::Future<Output = Result<T, CliError>>,
) -> Result<T, CliError> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| {
        CliError::failure(
            format!("cannot start the async runtime: {e}"),
            "the system may be short of threads or memory; try again",
        )
    })?;
    let result = rt.block_on(fut);
    rt.shutdown_background();
    result
}
