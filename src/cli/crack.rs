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
//! - `crack nonce-reuse [FILE]` ([`crate::attacks::many_time_pad`]):
//!   ciphertexts that share one keystream (one key, one IV or nonce, in
//!   ctr, ofb or gcm), one per line in hex or base64 — a published
//!   challenge set, or what a buggy program wrote — read with no known
//!   plaintext. Text that fits 80 columns, or one JSON object with `--json`
//!   (a result, not a stream of events: nothing happens in between worth a
//!   line).

use std::io::{self, Write};
use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::CliError;
use super::Term;
use super::crypt::{iv_hint, parse_iv};
use super::input::{self, MAX_WORDS, Source, What};
use crate::attacks::key_search::{self, Known, Pad, SearchError, WORDS_ORIGIN};
use crate::attacks::many_time_pad::{self, Recovery, Stage};
use crate::attacks::nonce_reuse::printable;
use crate::events::{Detail, Event, Events, Fact, Output};
use crate::suite::Suite;

pub(super) const CRACK_EXAMPLES: &str = "\
Each attack takes values you made yourself (with `cryptolab encrypt`, `openssl
enc` or a classmate's program) and says what it found; --json prints JSON
(crack key: one object per event; crack nonce-reuse: one object).
`cryptolab crack key --help` shows how to make a ciphertext to practise on.

Examples:
  cryptolab crack key --plaintext 'This is a top secret.' \\
      --iv aabbccddeeff00998877665544332211 \\
      --ciphertext a41d6620fc6241ec07000920f9622365b47eff8a1377dbbb0f292bc32efbb506
  cryptolab crack nonce-reuse samples/nonce-reuse-ctr.txt";

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
    /// Read ciphertexts that share one keystream (one key, one IV or nonce), no plaintext
    /// known ([`crate::attacks::many_time_pad`]).
    #[command(after_help = NONCE_REUSE_EXAMPLES)]
    NonceReuse(CrackNonceReuseArgs),
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
    #[arg(long, short, value_parser = super::values::SuiteParser, default_value = "cbc")]
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
pub(super) fn crack(attack: &Crack, term: Term) -> Result<(), CliError> {
    match attack {
        Crack::Key(args) => key(args, term),
        Crack::NonceReuse(args) => nonce_reuse(args),
    }
}

/// The events of a `crack` run, to stdout as text or JSON; progress on a
/// terminal's stderr.
fn events(json: bool, term: Term) -> std::sync::Arc<Events> {
    let output = if json { Output::Json } else { Output::Text(Detail::Full) };
    Events::to(output.observer(Box::new(io::stdout()), term.look()))
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
fn key(args: &CrackKeyArgs, term: Term) -> Result<(), CliError> {
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

    let events = events(args.json, term);
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

const NONCE_REUSE_EXAMPLES: &str = "\
The file holds one ciphertext per line, all made with one key and one IV or
nonce in ctr, ofb or gcm (the ciphertext only, without the tag). Blank lines
and lines starting with # are skipped. Each column of bytes was XORed with
one keystream byte; the attack scores every byte per column with English
statistics, then refines whole messages (src/attacks/many_time_pad.rs).
Twenty messages of 40 bytes or more are enough to read nearly every byte.

Output: the messages read, a confidence digit per column (9: the model is at
least 90 % sure of that keystream byte), and the keystream. --json prints one
object: encoding, keystream (hex), mean_confidence, messages [{line, text,
hex}], columns [{column, samples, confidence}].

Examples:
  cryptolab crack nonce-reuse samples/nonce-reuse-ctr.txt
  cryptolab crack nonce-reuse challenge.b64 --json
  cryptolab crack nonce-reuse frames.hex --skip 16      (drop the IV in front)
  cat lines.txt | cryptolab crack nonce-reuse";

/// How the ciphertext lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LineEncoding {
    /// Hex if every line is hex, else base64.
    Auto,
    /// Hex digits.
    Hex,
    /// Base64 (standard alphabet, padding optional).
    Base64,
}

impl LineEncoding {
    fn name(self) -> &'static str {
        match self {
            LineEncoding::Auto => "auto",
            LineEncoding::Hex => "hex",
            LineEncoding::Base64 => "base64",
        }
    }
}

/// `cryptolab crack nonce-reuse`.
#[derive(Debug, Args)]
pub struct CrackNonceReuseArgs {
    /// The ciphertexts, one per line; `-` or nothing for standard input.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// How the lines are written.
    #[arg(long, value_enum, default_value = "auto", value_name = "ENCODING")]
    pub encoding: LineEncoding,
    /// Drop this many bytes from the start of every line (an IV or nonce written in front).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub skip: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The largest file of ciphertexts: a few dozen lines are plenty, and the
/// work grows with the bytes.
const MAX_CIPHERTEXTS: u64 = 1 << 20;

/// The longest ciphertext, in bytes: each column costs 256 trials where few
/// messages reach it, so one long line would be most of the work.
const MAX_LINE: usize = 4096;

/// One ciphertext as read: its line number and bytes.
#[derive(Debug)]
struct Line {
    number: usize,
    bytes: Vec<u8>,
}

fn nonce_reuse(args: &CrackNonceReuseArgs) -> Result<(), CliError> {
    let source = Source::path_or_stdin(args.file.as_deref());
    if source == Source::Stdin && input::stdin_is_terminal() {
        return Err(CliError::usage(
            "crack nonce-reuse: no ciphertexts given",
            "give a FILE with one ciphertext per line (hex or base64), or pipe them in",
        ));
    }
    let text = input::read_text(source, MAX_CIPHERTEXTS, What::Ciphertexts)?;
    let name = What::Ciphertexts.name(source);
    let (mut lines, encoding) = parse_lines(&text, args.encoding, &name)?;
    if lines.len() < 2 {
        return Err(CliError::usage(
            format!(
                "{name}: {} ciphertext{}; the attack needs at least two",
                lines.len(),
                plural(lines.len())
            ),
            "give one ciphertext per line, all under one key and one IV or nonce",
        ));
    }
    for line in &mut lines {
        if line.bytes.len() > MAX_LINE + args.skip {
            return Err(CliError::usage(
                format!(
                    "{name} line {}: {} bytes; the attack reads ciphertexts of up to {MAX_LINE}",
                    line.number,
                    line.bytes.len()
                ),
                "columns reached by one or two messages are guesses anyway: cut the lines to their first 4096 bytes",
            ));
        }
        if line.bytes.len() <= args.skip {
            return Err(CliError::usage(
                format!(
                    "{name} line {}: {} bytes, nothing left after --skip {}",
                    line.number,
                    line.bytes.len(),
                    args.skip
                ),
                "--skip drops bytes from the start of every line: is it larger than the IV or nonce?",
            ));
        }
        line.bytes.drain(..args.skip);
    }
    if args.skip == 0 {
        warn_if_shared_prefix(&lines);
    }
    let cts: Vec<&[u8]> = lines.iter().map(|l| l.bytes.as_slice()).collect();
    let recovery = many_time_pad::recover(&cts, progress_on_terminal());
    let mut out = io::stdout().lock();
    let report = if args.json {
        let value = recovery_json(&lines, &recovery, encoding);
        format!("{}\n", serde_json::to_string(&value).expect("JSON values serialise"))
    } else {
        recovery_text(&lines, &recovery, encoding)
    };
    out.write_all(report.as_bytes()).map_err(CliError::output)
}

/// A spinner line on stderr while the messages are refined (large sets take
/// seconds), drawn by indicatif only when stderr is a terminal and cut to
/// its width, so a redraw never stacks; cleared when done.
fn progress_on_terminal() -> impl FnMut(Stage) {
    let spinner = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    spinner.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    move |stage| match stage {
        Stage::Columns => spinner.set_message("columns scored; refining whole messages…"),
        Stage::Pass { n, changed } => {
            spinner.set_message(format!("refine pass {n}: {changed} columns changed"))
        }
        Stage::Done => spinner.finish_and_clear(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The base64 the lines may use: the standard alphabet, padding optional.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The ciphertexts of `text`: one per non-blank line that is not a `#`
/// comment, in `encoding` (for `auto`: hex if every line is, else base64).
fn parse_lines(
    text: &str,
    encoding: LineEncoding,
    name: &str,
) -> Result<(Vec<Line>, LineEncoding), CliError> {
    let rows: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let is_hex = |l: &str| l.len().is_multiple_of(2) && l.bytes().all(|b| b.is_ascii_hexdigit());
    let encoding = match encoding {
        LineEncoding::Auto if rows.iter().all(|(_, l)| is_hex(l)) => LineEncoding::Hex,
        LineEncoding::Auto => LineEncoding::Base64,
        given @ (LineEncoding::Hex | LineEncoding::Base64) => given,
    };
    let lines = rows
        .into_iter()
        .map(|(number, l)| {
            decode_line(l, encoding).map(|bytes| Line { number, bytes }).map_err(|e| {
                CliError::usage(
                    format!("{name} line {number}: not {}: {e}", encoding.name()),
                    "one ciphertext per line, all hex or all base64 (or say which with --encoding)",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((lines, encoding))
}

/// One line's bytes, or what is wrong with it in a person's words (the
/// offending character and its column; no more of the line is quoted).
fn decode_line(line: &str, encoding: LineEncoding) -> Result<Vec<u8>, String> {
    let valid = |b: u8| match encoding {
        LineEncoding::Hex | LineEncoding::Auto => b.is_ascii_hexdigit(),
        LineEncoding::Base64 => b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='),
    };
    if let Some((at, c)) = line.char_indices().find(|(_, c)| !c.is_ascii() || !valid(*c as u8)) {
        let column = line[..at].chars().count() + 1;
        return Err(format!("{} at column {column}", crate::events::visible(&format!("{c:?}"))));
    }
    match encoding {
        LineEncoding::Hex | LineEncoding::Auto if line.len() % 2 == 1 => {
            Err(format!("an odd number of digits ({})", line.len()))
        }
        LineEncoding::Hex | LineEncoding::Auto => hex::decode(line).map_err(|e| e.to_string()),
        LineEncoding::Base64 => LENIENT_B64.decode(line).map_err(|e| e.to_string()),
    }
}

/// Says (on stderr) when every ciphertext starts with the same 12 or 16
/// bytes: likely the IV or nonce, written in front, which is not keystream.
fn warn_if_shared_prefix(lines: &[Line]) {
    if lines.len() < 3 {
        return;
    }
    for n in [16, 12] {
        let first = &lines[0].bytes;
        if first.len() > n && lines.iter().all(|l| l.bytes.len() > n && l.bytes[..n] == first[..n]) {
            eprintln!(
                "note: all {} ciphertexts begin with the same {n} bytes: an IV or nonce written in front? \
                 --skip {n} drops it",
                lines.len()
            );
            return;
        }
    }
}

/// The columns shown per block of output: 64 bytes, so a row is 72 wide.
const ROW: usize = 64;

/// The recovery as text: per block of 64 columns, a ruler, a confidence
/// digit per column and each message's bytes; then the keystream.
fn recovery_text(lines: &[Line], r: &Recovery, encoding: LineEncoding) -> String {
    let lens = lines.iter().map(|l| l.bytes.len());
    let (min, max) = (lens.clone().min().unwrap_or(0), lens.max().unwrap_or(0));
    let mut s = format!(
        "{} ciphertexts ({}), {}–{} bytes, read as one shared keystream.\n\
         Mean confidence {:.1} % ({} refine passes).\n",
        lines.len(),
        encoding.name(),
        min,
        max,
        100.0 * r.mean_confidence(),
        r.passes
    );
    let number_width = lines.last().map_or(1, |l| l.number.to_string().len()).max(4);
    for start in (0..r.keystream.len()).step_by(ROW) {
        let end = (start + ROW).min(r.keystream.len());
        let ruler: String = (start..end)
            .map(|c| if c % 10 == 0 { char::from(b'0' + ((c / 10) % 10) as u8) } else { '.' })
            .collect();
        let conf: String = r.columns[start..end]
            .iter()
            .map(|c| char::from(b'0' + (c.confidence * 10.0).floor().clamp(0.0, 9.0) as u8))
            .collect();
        s.push_str(&format!("\n{:>number_width$}   bytes {start}–{}\n", "", end - 1));
        s.push_str(&format!("{:>number_width$}   {ruler}\n", ""));
        s.push_str(&format!("{:>number_width$}   {conf}\n", "conf"));
        for (line, p) in lines.iter().zip(&r.plaintexts) {
            if p.len() > start {
                let text = printable(&p[start..p.len().min(end)]);
                s.push_str(&format!("{:>number_width$}   {text}\n", line.number));
            }
        }
    }
    s.push_str(
        "\n(rows are numbered by line; conf: 9 = the model is at least 90 % sure of\n\
         that column's keystream byte, 0 = under 10 %; · is a byte that is not\n\
         printable ASCII)\n\nkeystream:\n",
    );
    for chunk in r.keystream.chunks(32) {
        s.push_str(&format!("  {}\n", hex::encode(chunk)));
    }
    s
}

/// The recovery as one JSON object.
fn recovery_json(lines: &[Line], r: &Recovery, encoding: LineEncoding) -> serde_json::Value {
    json!({
        "encoding": encoding.name(),
        "keystream": hex::encode(&r.keystream),
        "mean_confidence": r.mean_confidence(),
        "passes": r.passes,
        "messages": lines.iter().zip(&r.plaintexts).map(|(l, p)| json!({
            "line": l.number,
            "text": String::from_utf8_lossy(p),
            "hex": hex::encode(p),
        })).collect::<Vec<_>>(),
        "columns": r.columns.iter().enumerate().map(|(i, c)| json!({
            "column": i, "samples": c.samples, "confidence": c.confidence,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn auto_reads_hex_when_every_line_is_hex_and_base64_otherwise() {
        let (lines, enc) = parse_lines("# two\n00ff\n\n  abcd  \n", LineEncoding::Auto, "f").unwrap();
        assert_eq!(enc, LineEncoding::Hex);
        assert_eq!(
            lines.iter().map(|l| (l.number, l.bytes.clone())).collect::<Vec<_>>(),
            [(2, vec![0, 255]), (4, vec![0xab, 0xcd])]
        );
        let (lines, enc) = parse_lines("AAE=\nAAEC\nAAECAw\n", LineEncoding::Auto, "f").unwrap();
        assert_eq!(enc, LineEncoding::Base64);
        assert_eq!(lines[2].bytes, [0, 1, 2, 3]);
    }

    #[test]
    fn a_bad_line_is_named_by_its_number() {
        let err = parse_lines("AAE=\n!!\n", LineEncoding::Auto, "file `x`").unwrap_err();
        assert!(err.to_string().contains("file `x` line 2: not base64"), "{err}");
        let err = parse_lines("00\n0g\n", LineEncoding::Hex, "file `x`").unwrap_err();
        assert!(err.to_string().contains("line 2: not hex"), "{err}");
    }

    #[test]
    fn a_path_of_dash_is_stdin() {
        assert_eq!(Source::path_or_stdin(Some(Path::new("-"))), Source::Stdin);
    }
}
