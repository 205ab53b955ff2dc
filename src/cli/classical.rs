//! `cryptolab classical …`: the command-line face of the classical ciphers.
//!
//! The argument tree (clap derive), reading the text (an argument, `--in
//! FILE` or standard input, through the bounded reader), and the hand-off to
//! [`crate::classical`], whose functions return what is printed here. The
//! command tree:
//!
//! ```text
//! cryptolab classical caesar|mono|transposition|vigenere            narrated demo
//! cryptolab classical <cipher> encrypt|decrypt --key K [TEXT | --in FILE] [--json]
//! cryptolab classical <cipher> crack [TEXT | --in FILE] [--json] [--seed N]
//! cryptolab classical transposition crack --max-width N …          wider keys
//! cryptolab classical freq     [TEXT | --in FILE] [--sort letter|count]
//! cryptolab classical identify [TEXT | --in FILE]                    which cipher was it?
//! ```
//!
//! Results go to standard output, each crack with how sure it is. A crack
//! that failed (its best decryption reads no more like English than chance)
//! still prints its evidence, then ends with an error: exit status 1, like
//! a search that found nothing. The progress bar of a substitution or
//! transposition crack goes to standard error, only when that is a terminal.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use rand::RngExt;

use super::Term;
use crate::classical::report::FreqOrder;
use crate::classical::{
    self, Cipher, ClassicalError, CrackOptions, CrackProgress, Keyed, checked_letters, report, transposition,
};

use super::CliError;
use super::input::{self, MAX_TEXT, Source, What};

const CLASSICAL_EXAMPLES: &str = "\
Examples:
  cryptolab classical caesar                        a narrated demo: encrypt, crack, explain
  cryptolab classical caesar encrypt --key 3 \"attack at dawn\"
  cryptolab classical mono crack --in secret.txt --seed 1
  cryptolab classical transposition encrypt --key ZEBRAS \"we are discovered\"
  cryptolab classical vigenere decrypt --key LEMON \"LXFOPV EF RNHR\"
  cryptolab classical freq --in secret.txt          letter frequencies beside English
  cryptolab classical freq --sort count --in secret.txt   commonest first
  cryptolab classical identify --in secret.txt      which cipher made this?
Every crack and identify says how sure it is (sure, likely, too short to tell).";

const CIPHER_EXAMPLES: &str = "\
Examples:
  cryptolab classical caesar --seed 7               the narrated demo
  cryptolab classical caesar encrypt --key 3 \"attack at dawn\"
  cryptolab classical mono encrypt --key ZEBRAS \"flee at once\"
  cryptolab classical transposition encrypt --key 3,1,4,2 --pad X \"attack at dawn\"
  cryptolab classical vigenere crack --in secret.txt --json
Without TEXT or --in, the text is read from standard input.";

/// `cryptolab classical …`: classical ciphers, and breaking them.
#[derive(clap::Args, Debug)]
#[command(after_help = CLASSICAL_EXAMPLES)]
pub struct ClassicalArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ClassicalCommand,
}

/// The commands under `cryptolab classical`.
#[derive(clap::Subcommand, Debug)]
pub enum ClassicalCommand {
    /// Caesar: every letter shifted by the same amount (key: 0-25 or a letter)
    #[command(after_help = CIPHER_EXAMPLES)]
    Caesar(CipherArgs),
    /// Monoalphabetic substitution (key: a keyword, or a 26-letter alphabet)
    #[command(after_help = CIPHER_EXAMPLES)]
    Mono(CipherArgs),
    /// Columnar transposition (key: a keyword like ZEBRAS, or an order like 3,1,4,2)
    #[command(after_help = CIPHER_EXAMPLES)]
    Transposition(CipherArgs),
    /// Vigenère: a Caesar shift per key letter (key: a word)
    #[command(after_help = CIPHER_EXAMPLES)]
    Vigenere(CipherArgs),
    /// Letter frequencies as a bar chart beside English, with χ² and the index of coincidence
    #[command(after_help = FREQ_EXAMPLES)]
    Freq(FreqArgs),
    /// Guess which of these ciphers produced a ciphertext, with the reasoning
    #[command(after_help = "Example:\n  cryptolab classical identify --in secret.txt")]
    Identify(InputArgs),
}

const FREQ_EXAMPLES: &str = "\
Examples:
  cryptolab classical freq \"Wkh txlfn eurzq ira\"                A to Z
  cryptolab classical freq --sort count --in secret.txt
      commonest first, beside English's commonest (E, T, A, ...): the first
      guess at a substitution, row by row";

const CRACK_EXAMPLES: &str = "\
Each crack says how sure it is: sure, likely, too short to tell, too close to
call, or failed (exit status 1), with the margin of its answer over the
runner-up or over chance (log10 units; docs/CLASSICAL.md has the numbers).

Examples:
  cryptolab classical vigenere crack --in secret.txt
  cryptolab classical mono crack --seed 2 --in secret.txt
  cryptolab classical transposition crack --max-width 20 --in secret.txt";

/// Arguments of `freq`.
#[derive(clap::Args, Debug)]
pub struct FreqArgs {
    /// Order of the rows: letter (A to Z) or count (commonest first, beside English's commonest)
    #[arg(long, value_enum, default_value = "letter", value_name = "ORDER")]
    pub sort: SortOrder,
    /// Where the text comes from.
    #[command(flatten)]
    pub input: InputArgs,
}

/// The values of `freq --sort`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// A to Z.
    Letter,
    /// Commonest first.
    Count,
}

/// Arguments of one cipher: an action, or none for the narrated demo.
#[derive(clap::Args, Debug)]
pub struct CipherArgs {
    /// encrypt, decrypt or crack; leave out for a narrated demo
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Seed for the demo's random key and the crack's search (same seed, same output)
    #[arg(long, global = true, value_name = "N")]
    pub seed: Option<u64>,
}

/// What to do with a cipher.
#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Encrypt TEXT with --key
    Encrypt(KeyedArgs),
    /// Decrypt TEXT with --key
    Decrypt(KeyedArgs),
    /// Recover the key and the plaintext without knowing the key, and say how sure
    #[command(after_help = CRACK_EXAMPLES)]
    Crack(CrackArgs),
}

/// Arguments of `encrypt` and `decrypt`.
#[derive(clap::Args, Debug)]
pub struct KeyedArgs {
    /// The key (Caesar: 0-25 or a letter; mono: keyword or alphabet;
    /// transposition: keyword or 3,1,4,2; Vigenère: a word)
    #[arg(long, short = 'k', value_name = "KEY", allow_hyphen_values = true)]
    pub key: Option<String>,
    /// Transposition only: fill the last row with this letter (padded variant)
    #[arg(long, value_name = "LETTER")]
    pub pad: Option<char>,
    /// Print JSON: {"cipher","key","ciphertext"} or {"cipher","key","plaintext"}
    #[arg(long)]
    pub json: bool,
    /// Where the text comes from.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Arguments of `crack`.
#[derive(clap::Args, Debug)]
pub struct CrackArgs {
    /// Print JSON: {"cipher","key","plaintext","score","confidence","margin","evidence","rival"}
    #[arg(long)]
    pub json: bool,
    /// Transposition only: the widest key to try, 2 to 24 columns [default: 12]
    #[arg(long, value_name = "N", value_parser = parse_max_width)]
    pub max_width: Option<usize>,
    /// Where the ciphertext comes from.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Where a text comes from: the arguments, a file, or standard input.
#[derive(clap::Args, Debug)]
pub struct InputArgs {
    /// The text (several words are joined with spaces); leave out to use --in or standard input
    #[arg(value_name = "TEXT", conflicts_with = "input_file")]
    pub text: Vec<String>,
    /// Read the text from FILE
    #[arg(long = "in", value_name = "FILE")]
    pub input_file: Option<PathBuf>,
}

impl InputArgs {
    /// Reads the text, and names it for error messages ("the text",
    /// "file `notes.txt`", "standard input").
    fn read(&self) -> Result<(String, String), CliError> {
        if !self.text.is_empty() {
            return Ok((self.text.join(" "), "the text".to_string()));
        }
        let source = match &self.input_file {
            Some(path) => Source::File(path),
            None if input::stdin_is_terminal() => return Err(ClassicalError::NoInput.into()),
            None => Source::Stdin,
        };
        let text = input::read_text(source, MAX_TEXT, What::Text)?;
        Ok((text, What::Text.name(source)))
    }
}

/// Runs `cryptolab classical …`, writing the results to standard output.
pub(super) fn classical(args: &ClassicalArgs, term: Term) -> Result<(), CliError> {
    let color = term.color(io::stdout().is_terminal());
    let text = match &args.command {
        ClassicalCommand::Caesar(a) => cipher_command(Cipher::Caesar, a, color)?,
        ClassicalCommand::Mono(a) => cipher_command(Cipher::Mono, a, color)?,
        ClassicalCommand::Transposition(a) => cipher_command(Cipher::Transposition, a, color)?,
        ClassicalCommand::Vigenere(a) => cipher_command(Cipher::Vigenere, a, color)?,
        ClassicalCommand::Freq(args) => {
            let (text, name) = args.input.read()?;
            let order = match args.sort {
                SortOrder::Letter => FreqOrder::Letter,
                SortOrder::Count => FreqOrder::Count,
            };
            report::freq(&checked_letters(&text, &name)?, order, color)
        }
        ClassicalCommand::Identify(input) => {
            let (text, name) = input.read()?;
            report::identify(&checked_letters(&text, &name)?, color)
        }
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(CliError::output)
}

/// One cipher's command: the demo, encrypt, decrypt or crack. Returns what to print.
fn cipher_command(cipher: Cipher, args: &CipherArgs, color: bool) -> Result<String, CliError> {
    let seed = args.seed.unwrap_or_else(|| rand::rng().random());
    match &args.action {
        None => Ok(classical::demo::narrate(cipher, seed, color)),
        Some(Action::Encrypt(k)) => keyed(cipher, k, true),
        Some(Action::Decrypt(k)) => keyed(cipher, k, false),
        Some(Action::Crack(c)) => crack(cipher, c, seed, color),
    }
}

fn keyed(cipher: Cipher, args: &KeyedArgs, encrypting: bool) -> Result<String, CliError> {
    let action = if encrypting { "encrypt" } else { "decrypt" };
    let key = args.key.as_deref().ok_or(ClassicalError::MissingKey { cipher: cipher.id(), action })?;
    let keyed = Keyed::new(cipher, key, args.pad)?;
    let (text, name) = args.input.read()?;
    let result = if encrypting { keyed.encrypt(&text, &name)? } else { keyed.decrypt(&text, &name)? };
    Ok(if args.json { report::keyed_json(&keyed, &result, encrypting) } else { report::text_line(&result) })
}

/// `--max-width`: a whole number of columns from 2 to the widest a crack
/// searches.
fn parse_max_width(s: &str) -> Result<usize, String> {
    let max = transposition::MAX_WIDTH;
    match s.trim().parse::<usize>() {
        Ok(n) if (2..=max).contains(&n) => Ok(n),
        Ok(n) => Err(format!("{n} columns is out of range: a key has 2 to {max} columns")),
        Err(_) => Err(format!("`{s}` is not a number of columns (2 to {max})")),
    }
}

fn crack(cipher: Cipher, args: &CrackArgs, seed: u64, color: bool) -> Result<String, CliError> {
    if args.max_width.is_some() && cipher != Cipher::Transposition {
        return Err(CliError::usage(
            format!("--max-width is for transposition only, not {}", cipher.id()),
            "leave out --max-width; only a transposition key has a width",
        ));
    }
    let (text, name) = args.input.read()?;
    checked_letters(&text, &name)?;
    // The annealing and a wide transposition search take seconds: a bar
    // on standard error shows where they are (drawn by indicatif only on a
    // terminal, cut to its width so a redraw never stacks; cleared after).
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:20}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let options = CrackOptions { max_width: args.max_width };
    let cracked = classical::crack(cipher, &text, seed, &options, &mut |p| match p {
        CrackProgress::Restart(p) => {
            bar.set_prefix("restarts");
            bar.set_length(p.max_restarts as u64);
            bar.set_message(report::progress_line(p));
            bar.set_position(p.restart as u64);
        }
        CrackProgress::Width { width, max_width } => {
            bar.set_prefix("widths");
            bar.set_length(max_width as u64 - 1);
            bar.set_message(format!("searched up to {width} columns"));
            bar.set_position(width as u64 - 1);
        }
    });
    bar.finish_and_clear();
    let cracked = cracked?;
    let shown = if args.json { report::crack_json(&cracked) } else { report::crack(&cracked, color) };
    match report::crack_failure(&cracked) {
        None => Ok(shown),
        Some((what, hint)) => {
            // The evidence first, then the failure as the command's error.
            let mut out = io::stdout().lock();
            out.write_all(shown.as_bytes()).and_then(|()| out.flush()).map_err(CliError::output)?;
            Err(CliError::not_found(what, hint))
        }
    }
}
