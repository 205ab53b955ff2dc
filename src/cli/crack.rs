//! `cryptolab crack …`: the attacks of [`crate::attacks`], run on a
//! student's own values instead of a demo's.
//!
//! Each attack is one variant of [`Crack`] with its own args struct, and one
//! arm of the dispatch in `crack()`; its flags are parsed here (hex, the IV
//! through the same helper as `encrypt --iv`, files through the bounded
//! reader) and handed to the library, which does the work and reports
//! [`crate::events`] values — text, or JSON lines with `--json`, progress
//! drawn on stderr only when it is a terminal, as `demo` does.
//!
//! - `crack key` ([`crate::attacks::key_search`]): a plaintext, its
//!   ciphertext, the mode and IV → the dictionary word the AES-128 key was
//!   made from. Exit 0 with the word and key, 1 if no candidate matched, 2
//!   for bad input (named, with a hint, never quoting key material).

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::CliError;
use super::ColorChoice;
use super::crypt::{iv_hint, parse_iv};
use super::input::{self, MAX_WORDS, Source, What};
use crate::attacks::key_search::{self, Known, Pad, SearchError, WORDS_ORIGIN};
use crate::events::{Detail, Event, Events, Fact, Output, Sink};
use crate::suite::Suite;

pub(super) const CRACK_EXAMPLES: &str = "\
Each attack takes values you made yourself (with `cryptolab encrypt`, `openssl enc`
or a classmate's program) and says what it found; --json prints one JSON object per
event. `cryptolab crack key --help` shows how to make a ciphertext to practise on.

Examples:
  cryptolab crack key --plaintext 'This is a top secret.' --iv aabbccddeeff00998877665544332211 \\
      --ciphertext a41d6620fc6241ec07000920f9622365b47eff8a1377dbbb0f292bc32efbb506";

const CRACK_KEY_EXAMPLES: &str = "\
The key must be an AES-128 key made from a word: its bytes, then a pad byte up to 16
bytes (`magic###########`). The ciphertext is given without the IV, as `openssl enc`
and `cryptolab encrypt --iv` write it. Exit status: 0 found, 1 no key matched, 2 bad input.

Examples:
  cryptolab crack key --plaintext 'This is a top secret.' --iv aabbccddeeff00998877665544332211 \\
      --ciphertext a41d6620fc6241ec07000920f9622365b47eff8a1377dbbb0f292bc32efbb506
  cryptolab crack key --mode ofb --pad all --plaintext-hex 48656c6c6f20776f726c64 \\
      --ciphertext 9d542be19d15628ec2f411 --iv 000102030405060708090a0b0c0d0e0f
  grep -E '^[a-z]{4,6}$' samples/words.txt | cryptolab crack key --words - …   (a list on stdin)
  cryptolab crack key … --json                             (one JSON object per event)

A ciphertext to practise on (the key is `magic` padded with #):
  printf 'This is a top secret.' | openssl enc -aes-128-cbc -K 6d616769632323232323232323232323 \\
      -iv aabbccddeeff00998877665544332211 | xxd -p -c 64";

/// `cryptolab crack`: one variant per attack, each with its own args.
#[derive(Debug, Subcommand)]
pub enum Crack {
    /// Find an AES-128 key made from a dictionary word, from a known plaintext
    /// and its ciphertext ([`crate::attacks::key_search`]).
    #[command(after_help = CRACK_KEY_EXAMPLES)]
    Key(CrackKeyArgs),
}

/// What pads each word to 16 bytes (`--pad`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PadChoice {
    /// `#` (0x23), as in the SEED lab: `secret##########`.
    Hash,
    /// A space (0x20).
    Space,
    /// A zero byte (0x00).
    Nul,
    /// All three, one after another for each word.
    All,
}

impl PadChoice {
    /// The pad bytes to try.
    fn pads(self) -> &'static [Pad] {
        match self {
            PadChoice::Hash => &[Pad::Hash],
            PadChoice::Space => &[Pad::Space],
            PadChoice::Nul => &[Pad::Nul],
            PadChoice::All => &Pad::ALL,
        }
    }
}

/// `cryptolab crack key`.
#[derive(Debug, Args)]
pub struct CrackKeyArgs {
    /// The known plaintext, as text (exactly: a trailing newline counts).
    #[arg(
        long,
        value_name = "TEXT",
        required_unless_present = "plaintext_hex",
        conflicts_with = "plaintext_hex"
    )]
    pub plaintext: Option<String>,
    /// The known plaintext, as hex.
    #[arg(long, value_name = "HEX")]
    pub plaintext_hex: Option<String>,
    /// Its ciphertext, as hex, without the IV (whitespace ignored, so `xxd -p` output reads).
    #[arg(long, value_name = "HEX")]
    pub ciphertext: String,
    /// The IV it was made with, 32 hex digits (every mode but ecb).
    #[arg(long, value_name = "HEX")]
    pub iv: Option<String>,
    /// The mode it was made in: ecb, cbc, ctr, cfb or ofb.
    #[arg(long, short, value_enum, default_value = "cbc")]
    pub mode: Suite,
    /// The word list, one word per line (`-`: standard input) [default: the built-in
    /// list, samples/words.txt]. Words longer than 16 bytes are skipped and counted.
    #[arg(long, value_name = "FILE")]
    pub words: Option<PathBuf>,
    /// What pads each word to 16 bytes.
    #[arg(long, value_enum, default_value = "hash")]
    pub pad: PadChoice,
    /// Print one JSON object per event (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs one `crack` attack.
pub(super) fn crack(attack: &Crack, color: ColorChoice) -> Result<(), CliError> {
    match attack {
        Crack::Key(args) => key(args, color),
    }
}

/// The events of a `crack` run, to stdout as text or JSON; progress on a
/// terminal's stderr.
fn events(json: bool, color: ColorChoice) -> std::sync::Arc<Events> {
    let output = if json { Output::Json } else { Output::Text(Detail::Full) };
    let progress = io::stderr().is_terminal().then(|| Box::new(io::stderr()) as Sink);
    Events::to(output.observer(Box::new(io::stdout()), color.enabled(io::stdout().is_terminal()), progress))
}

/// A hex flag's bytes; whitespace is ignored. The error names the flag, not the value.
fn hex_flag(flag: &str, text: &str, hint: &str) -> Result<Vec<u8>, CliError> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(digits).map_err(|e| CliError::usage(format!("{flag} is not hex: {e}"), hint))
}

fn search_error(e: SearchError) -> CliError {
    CliError::usage(e.to_string(), e.hint())
}

/// `crack key`: check every value before the search starts, then search.
fn key(args: &CrackKeyArgs, color: ColorChoice) -> Result<(), CliError> {
    let mode = args.mode;
    if mode.is_authenticated() {
        return Err(search_error(SearchError::Authenticated(mode)));
    }
    let iv = match &args.iv {
        Some(text) => parse_iv(mode, text)?,
        None if mode.iv_len() > 0 => {
            return Err(CliError::usage(
                format!(
                    "--mode {mode} needs --iv: the {} the ciphertext was made with",
                    mode.spec().iv_label
                ),
                iv_hint(mode),
            ));
        }
        None => Vec::new(),
    };
    let plaintext = match (&args.plaintext, &args.plaintext_hex) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(h)) => hex_flag(
            "--plaintext-hex",
            h,
            "give the known plaintext as hex digits, or as text with --plaintext",
        )?,
        (None, None) => unreachable!("clap requires one of them"),
    };
    let ciphertext = hex_flag(
        "--ciphertext",
        &args.ciphertext,
        "give the ciphertext as hex digits (as `xxd -p` prints them), without the IV",
    )?;
    let known = Known::new(mode, &plaintext, &ciphertext, &iv).map_err(search_error)?;

    let bytes;
    let (words, list) = match &args.words {
        None => (key_search::word_list(), format!("the built-in list ({WORDS_ORIGIN})")),
        Some(path) => {
            let source = Source::path_or_stdin(Some(path));
            bytes = input::read(source, MAX_WORDS, What::Words)?;
            let name = What::Words.name(source);
            let words = key_search::parse_words(&bytes)
                .map_err(|e| CliError::usage(format!("{name}: {e}"), e.hint()))?;
            (words, name)
        }
    };
    let pads = args.pad.pads();
    let total = key_search::candidates(words.iter().copied(), pads);
    let skipped = words.iter().filter(|w| w.len() > key_search::KEY_LEN).count();
    if known.known_len() < 8 {
        eprintln!(
            "warning: only {} bytes of ciphertext to test against: a wrong key matches by chance once in 2^{}",
            known.known_len(),
            8 * known.known_len()
        );
    }

    let events = events(args.json, color);
    let pad_words: Vec<&str> = pads.iter().map(|p| p.words()).collect();
    let skipped_note = match skipped {
        0 => String::new(),
        n => format!(" ({n} longer than 16 bytes skipped)"),
    };
    events.emit(Event::Fact(Fact {
        name: "word-list",
        value: json!({
            "list": list, "words": words.len(), "skipped": skipped,
            "pads": pads.iter().map(|p| p.name()).collect::<Vec<_>>(),
            "candidates": total, "mode": mode,
        }),
        text: format!(
            "word list: {list}, {} words{skipped_note}\n\
             each padded with {} to 16 bytes: {total} AES-128 keys to try in {mode}",
            words.len(),
            pad_words.join(", then ")
        ),
    }));
    let searched = key_search::search_reported(&events, "crack key", &known, &words, pads);
    match searched.found {
        Some(_) => Ok(()),
        None => Err(CliError::not_found(
            format!("no key found: none of the {} keys from {list} matched", searched.tried),
            "the key may not be a padded word from this list: try --pad all or another --words; \
             check --mode, --iv and the exact plaintext (printf, not echo: a newline counts)",
        )),
    }
}
