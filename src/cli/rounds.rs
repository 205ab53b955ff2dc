//! `cryptolab aes`: AES-128 inside one block, round by round — the view of
//! [`crate::aes_rounds`].
//!
//! This file reads `--key`/`--block` (hex or `text:`, AES-128 only), asks
//! the library for the checked trace (or two, for `--avalanche`) *before*
//! showing anything, and hands it to [`crate::aes_rounds::report`], which
//! turns it into events (the browser view's AES page uses the same
//! functions). Text and `--json` are the usual two observers.

use std::io;

use clap::Args;

use super::{CliError, Term};
pub use crate::aes_rounds::report::{APPENDIX_B_INPUT, APPENDIX_B_KEY};
use crate::aes_rounds::{self, Block, Flip, RoundsError};
use crate::events::{Detail, Events, Look, Output};
use crate::keys;

pub(super) const AES_EXAMPLES: &str = "\
AES-128 only (10 rounds): --key is 16 bytes. The round functions shown are
written out for display only (src/aes_rounds.rs); nothing else is encrypted
with them, and every run checks the final block against the aes crate. The
output shows the key and every round key: use textbook or lab keys.
Bits are numbered as FIPS-197 §3.3 does: bit 0 is the first (top) bit of the
first byte, bit 127 the last.

Examples:
  cryptolab aes                        FIPS-197 Appendix B, round by round
  cryptolab aes --key 000102030405060708090a0b0c0d0e0f \\
      --block 00112233445566778899aabbccddeeff          (Appendix C.1)
  cryptolab aes --key 'text:Sixteen byte key' --block 'text:ATTACK AT DAWN!!'
  cryptolab aes --avalanche            flip input bit 0: what differs per round
  cryptolab aes --avalanche --key-bit 127
  cryptolab aes --json                 JSON lines: a fact per round";

/// `cryptolab aes`.
#[derive(Debug, Args)]
pub struct AesArgs {
    /// The key: 32 hex digits, or text: with 16 characters — AES-128 only
    /// (the default is FIPS-197 Appendix B's).
    #[arg(long, value_name = "HEX|text:…", default_value = APPENDIX_B_KEY)]
    pub key: String,
    /// The input block: 32 hex digits, or text: with 16 characters (the
    /// default is Appendix B's).
    #[arg(long, value_name = "HEX|text:…", default_value = APPENDIX_B_INPUT)]
    pub block: String,
    /// Flip one bit and show, round by round, how many of the 128 state
    /// bits differ between the two encryptions.
    #[arg(long)]
    pub avalanche: bool,
    /// With --avalanche: the input bit to flip, 0–127 [default: 0].
    #[arg(long, value_name = "N", requires = "avalanche", conflicts_with = "key_bit",
          value_parser = clap::value_parser!(u8).range(..128))]
    pub bit: Option<u8>,
    /// With --avalanche: flip this key bit (0–127) instead of an input bit.
    #[arg(long, value_name = "N", requires = "avalanche", value_parser = clap::value_parser!(u8).range(..128))]
    pub key_bit: Option<u8>,
    /// Print one JSON object per event (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,
}

impl AesArgs {
    fn flip(&self) -> Flip {
        match (self.key_bit, self.bit) {
            (Some(bit), _) => Flip::Key(usize::from(bit)),
            (None, bit) => Flip::Input(usize::from(bit.unwrap_or(0))),
        }
    }
}

pub(super) fn aes(args: &AesArgs, term: Term) -> Result<(), CliError> {
    let key = block_arg(&args.key, "--key")?;
    let input = block_arg(&args.block, "--block")?;
    // Each trace is computed and checked against the aes crate before a
    // line is shown: a mismatch is an error, and nothing is printed.
    if args.avalanche {
        let av = aes_rounds::avalanche(&key, &input, args.flip()).map_err(rounds_error)?;
        aes_rounds::report::avalanche(&observe(args, term), &av);
    } else {
        let trace = aes_rounds::trace(&key, &input).map_err(rounds_error)?;
        aes_rounds::report::trace(&observe(args, term), &trace);
    }
    Ok(())
}

/// The events hub: text on stdout, or JSON lines with `--json`.
fn observe(args: &AesArgs, term: Term) -> Events {
    let output = if args.json { Output::Json } else { Output::Text(Detail::Full) };
    Events::new().with(output.observer(Box::new(io::stdout()), Look { progress: false, ..term.look() }))
}

/// Parses `--key` or `--block`: 16 bytes, as hex or `text:`.
fn block_arg(value: &str, flag: &str) -> Result<Block, CliError> {
    let hint = "give 32 hex digits (16 bytes), or text: and 16 characters";
    let bytes = keys::parse_key_value(value, flag).map_err(|e| CliError::usage(e.to_string(), hint))?;
    let len = bytes.len();
    bytes.try_into().map_err(|_| match (flag, len) {
        ("--key", 24 | 32) => CliError::usage(
            format!("--key is {len} bytes, an AES-{} key; this view is AES-128 only", len * 8),
            "give a 16-byte key (32 hex digits); AES-192/256 run the same steps, in 12/14 rounds",
        ),
        ("--key", _) => CliError::usage(format!("--key is {len} bytes; expected 16 (AES-128)"), hint),
        _ => CliError::usage(format!("{flag} is {len} bytes; expected 16 (one AES block)"), hint),
    })
}

fn rounds_error(e: RoundsError) -> CliError {
    match e {
        // Our own bug, not the user's input.
        RoundsError::Mismatch { .. } => CliError::failure(e.to_string(), e.hint()),
        RoundsError::NoSuchBit { .. } => CliError::usage(e.to_string(), e.hint()),
    }
}
