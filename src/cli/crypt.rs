//! The one-shot commands — `tour`, `keygen`, `encrypt`, `decrypt` — and
//! how they write their output (stdout or `--out FILE`). Their input comes
//! through the bounded reader in `input.rs`.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use clap::{Args, ValueEnum};
use rand::SeedableRng;

use super::Term;
use crate::keys::{self, KeyMaterial};
use crate::render::{Dump, Renderer, fit};
use crate::suite::{Cipher, Suite, layout};

use super::error::Watched;
use super::input::{MAX_DATA, What, read_path_or_stdin};
use super::{CliError, KeyArgs, parse_bits};

/// `encrypt --help`'s text after the options: each suite's body, from the
/// suite table, then the examples.
pub(super) fn encrypt_examples() -> String {
    let bodies: Vec<String> = Suite::ALL.iter().map(|s| format!("{s}: {}", s.spec().body_layout())).collect();
    let fixed: Vec<&str> =
        Suite::ALL.iter().filter(|s| s.spec().fixed_iv_allowed()).map(|s| s.name()).collect();
    format!(
        "Output: the body of the suite — {}.\nWith --iv ({} only) the IV is not written, as with\n\
         `openssl enc -K … -iv …`.\n\n{ENCRYPT_EXAMPLES}",
        bodies.join("; "),
        fixed.join(", ")
    )
}

const ENCRYPT_EXAMPLES: &str = "\
Examples:
  echo 'attack at dawn' | cryptolab encrypt --mode gcm --format hex
  cryptolab encrypt --mode ecb --explain photo.ppm -o photo.ecb
  cryptolab encrypt --mode cbc --key text:'Sixteen byte key' --format base64 msg.txt
  cryptolab encrypt --mode cbc --key 2b7e151628aed2a6abf7158809cf4f3c \\
      --iv 000102030405060708090a0b0c0d0e0f --format hex msg.txt
      (byte for byte what `openssl enc -aes-128-cbc -K … -iv … | xxd -p` prints;
      the same with --mode ctr|cfb|ofb and -aes-128-ctr|-aes-128-cfb|-aes-128-ofb)";

pub(super) const DECRYPT_EXAMPLES: &str = "\
Input: the body written by `cryptolab encrypt` in the same --mode and --format
(with --iv: the ciphertext alone, as openssl writes it).

Examples:
  cryptolab encrypt --mode gcm msg.txt | cryptolab decrypt --mode gcm
  cryptolab decrypt --mode cbc --format hex --explain msg.hex
  openssl enc -aes-128-cbc -K $K -iv $IV -in msg.txt | cryptolab decrypt --mode cbc --key $K --iv $IV";

/// `cryptolab tour`.
#[derive(Debug, Args)]
pub struct TourArgs {
    /// Derive demo keys and IVs from this seed: the same bytes every run
    /// (and ./cryptolab.key is neither read nor created).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// `cryptolab keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// AES key size.
    #[arg(long, value_parser = parse_bits, default_value = "128", value_name = "128|192|256")]
    pub bits: u16,
    /// Where to write the key file.
    #[arg(long, short, value_name = "FILE", default_value = keys::DEFAULT_KEY_FILE)]
    pub out: PathBuf,
    /// Replace an existing file (its old key is lost).
    #[arg(long)]
    pub force: bool,
}

/// How ciphertext is written (encrypt) or read (decrypt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Bytes as they are.
    Raw,
    /// Lower-case hex, one line (whitespace ignored on input, so `xxd -p` output reads back).
    Hex,
    /// Standard base64 with padding, one line (whitespace ignored on input).
    Base64,
}

/// `cryptolab encrypt` / `cryptolab decrypt`.
#[derive(Debug, Args)]
pub struct CryptArgs {
    /// The cipher suite (default: gcm, said on stderr when it is used).
    #[arg(long, short, value_parser = super::values::SuiteParser)]
    pub mode: Option<Suite>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub keys: KeyArgs,
    /// Fixed IV, 32 hex digits (only for the suites with an IV and no tag) —
    /// INSECURE, for reproducing textbook vectors and openssl output; the IV
    /// is then not part of the output.
    #[arg(long, value_name = "HEX")]
    pub iv: Option<String>,
    /// Encoding of the ciphertext.
    #[arg(long, short, value_enum, default_value = "raw")]
    pub format: Format,
    /// Also show the annotated dump of what was produced (on stderr).
    #[arg(long)]
    pub explain: bool,
    /// With --explain: the dump as JSON lines instead of text.
    #[arg(long, requires = "explain")]
    pub json: bool,
    /// Write the result to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Input file; stdin when absent or `-`.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

pub(super) fn tour(args: &TourArgs, term: Term) -> Result<(), CliError> {
    let renderer = Renderer::new().color(term.color(io::stdout().is_terminal())).columns(term.columns());
    // The tour writes to stdout and also runs a chat over loopback: the
    // watched writer tells a failed write from a failed connection.
    let mut out = Watched::new(io::stdout().lock());
    let result = match args.seed {
        Some(seed) => {
            let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(seed);
            let keys = KeyMaterial::generate(128, &mut rng);
            let origin = format!("demo keys derived from --seed {seed}");
            crate::tour::run(&mut out, &renderer, &keys, &origin, &mut rng, Some(seed))
        }
        None => {
            let keys = KeyArgs::default().load(true)?;
            let origin = format!("keys from {}", keys::DEFAULT_KEY_FILE);
            crate::tour::run(&mut out, &renderer, &keys, &origin, &mut rand::rng(), None)
        }
    };
    result.and_then(|()| out.flush()).map_err(|e| {
        out.blame(e, |e| {
            CliError::failure(
                format!("the tour stopped: {e}"),
                "its chat runs over 127.0.0.1: check that this machine allows loopback connections",
            )
        })
    })
}

pub(super) fn keygen(args: &KeygenArgs) -> Result<(), CliError> {
    let keys = KeyMaterial::generate(args.bits, &mut rand::rng());
    keys::write_key_file(&args.out, &keys, args.force)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "wrote {} (mode 0600):\n  AES-{} key + HMAC-SHA256 key, fingerprint {}",
        args.out.display(),
        args.bits,
        keys.fingerprint()
    )
    .map_err(CliError::output)
}

/// The suite when `--mode` is not given.
const DEFAULT_MODE: Suite = Suite::Gcm;

impl CryptArgs {
    /// `--mode`, or the default.
    fn mode(&self) -> Suite {
        self.mode.unwrap_or(DEFAULT_MODE)
    }
}

/// Builds the cipher, warning on stderr when the suite is INSECURE, and
/// saying which suite and key file were used when they were not chosen.
fn cipher_for(args: &CryptArgs, may_create: bool, term: Term) -> Result<(Cipher, KeyMaterial), CliError> {
    let keys = args.keys.load(may_create)?;
    let mode = args.mode();
    let say = |line: String| eprintln!("{}", fit(&line, term.columns()));
    let cipher = Cipher::new(mode, &keys.enc, keys.mac())?;
    if let Some(reason) = mode.insecure_reason() {
        say(format!("warning: INSECURE: {reason}"));
    }
    let defaulted_key = args.keys.key_file.is_none() && args.keys.key.is_none();
    match (args.mode.is_none(), defaulted_key) {
        (true, true) => say(format!(
            "note: --mode {mode} and the key in {} (key fingerprint {}): the defaults",
            keys::DEFAULT_KEY_FILE,
            keys.fingerprint()
        )),
        (true, false) => say(format!("note: --mode {mode}, the default")),
        (false, true) => say(format!(
            "note: the key in {} (key fingerprint {}), the default",
            keys::DEFAULT_KEY_FILE,
            keys.fingerprint()
        )),
        (false, false) => {}
    }
    Ok((cipher, keys))
}

/// Refuses to write binary ciphertext to a terminal, where it is garbage at
/// best and terminal control sequences at worst.
fn refuse_binary_to_terminal(args: &CryptArgs) -> Result<(), CliError> {
    if args.format == Format::Raw && args.out.is_none() && io::stdout().is_terminal() {
        return Err(CliError::usage(
            "the ciphertext is binary: not written to the terminal",
            "add --format hex or --format base64, write it with -o FILE, or redirect: > msg.enc",
        ));
    }
    Ok(())
}

/// Parses `--iv`, allowed only where the suite's row says so
/// ([`crate::suite::SuiteSpec::fixed_iv_allowed`]), at the row's IV length,
/// and warns that a fixed IV is INSECURE.
fn fixed_iv(args: &CryptArgs, term: Term) -> Result<Option<Vec<u8>>, CliError> {
    let Some(text) = &args.iv else { return Ok(None) };
    let iv = parse_iv(args.mode(), text)?;
    let spec = args.mode().spec();
    let warning = format!(
        "warning: INSECURE: --iv fixes the {}, and {}; use it only to reproduce vectors or openssl output",
        spec.iv_label, spec.reuse
    );
    eprintln!("{}", fit(&warning, term.columns()));
    Ok(Some(iv))
}

/// Parses an `--iv` value for `mode`: refused where the suite's row does not
/// allow a fixed IV (ecb has none; the authenticated suites draw their own),
/// else hex (or `text:…`) of exactly the row's IV length. Shared by
/// `encrypt`/`decrypt` and `crack key`.
pub(super) fn parse_iv(mode: Suite, text: &str) -> Result<Vec<u8>, CliError> {
    let spec = mode.spec();
    if !spec.fixed_iv_allowed() {
        let allowed: Vec<&str> =
            Suite::ALL.iter().filter(|s| s.spec().fixed_iv_allowed()).map(|s| s.name()).collect();
        return Err(CliError::usage(
            format!("--iv is for --mode {} only, not {mode}", allowed.join("|")),
            spec.fixed_iv_refusal(),
        ));
    }
    let iv =
        keys::parse_key_value(text, "--iv").map_err(|e| CliError::usage(e.to_string(), iv_hint(mode)))?;
    if iv.len() != spec.iv_len {
        return Err(CliError::usage(
            format!("--iv is {} bytes; {mode} takes a {}-byte {}", iv.len(), spec.iv_len, spec.iv_label),
            iv_hint(mode),
        ));
    }
    Ok(iv)
}

/// How to give `mode`'s IV: `give the iv as 32 hex digits (16 bytes), e.g. 0001…0f`.
pub(super) fn iv_hint(mode: Suite) -> String {
    let spec = mode.spec();
    let n = spec.iv_len;
    let example: String = (0..n).map(|i| format!("{i:02x}")).collect();
    format!("give the {} as {} hex digits ({n} bytes), e.g. {example}", spec.iv_label, 2 * n)
}

pub(super) fn encrypt(args: &CryptArgs, term: Term) -> Result<(), CliError> {
    refuse_binary_to_terminal(args)?;
    let iv = fixed_iv(args, term)?;
    let input = read_path_or_stdin(args.input.as_deref(), MAX_DATA, What::Data)?;
    let (cipher, keys) = cipher_for(args, true, term)?;
    let mut body = Vec::new();
    match &iv {
        Some(iv) => cipher.seal_with_iv(&[], &input, iv, &mut body)?,
        None => cipher.seal_into(&[], &input, &mut rand::rng(), &mut body),
    }
    if args.explain {
        let title = format!(
            "{} body, {} bytes (AES-{}, key fingerprint {}) for a {}-byte message",
            cipher.suite(),
            body.len(),
            cipher.bits(),
            keys.fingerprint(),
            input.len()
        );
        let dump = Dump::new(title, &body).spans(layout::body_spans(cipher.suite(), 0, body.len()));
        explain(&dump, args.json, term)?;
    }
    // With a fixed IV the IV travels out of band, as with `openssl enc -iv`.
    let output = if iv.is_some() { &body[cipher.suite().iv_len()..] } else { &body[..] };
    write_output(args.out.as_deref(), &encode(output, args.format))
}

pub(super) fn decrypt(args: &CryptArgs, term: Term) -> Result<(), CliError> {
    let iv = fixed_iv(args, term)?;
    let raw = read_path_or_stdin(args.input.as_deref(), MAX_DATA, What::Data)?;
    let mut body = decode(&raw, args.format)?;
    if let Some(iv) = iv {
        body.splice(0..0, iv);
    }
    let (cipher, keys) = cipher_for(args, false, term)?;
    let mut plain = Vec::new();
    let result = cipher.open_into(&[], &body, &mut plain);
    if args.explain {
        let title = format!(
            "{} body, {} bytes (AES-{}, key fingerprint {})",
            cipher.suite(),
            body.len(),
            cipher.bits(),
            keys.fingerprint()
        );
        let dump = Dump::new(title, &body).spans(layout::body_spans(cipher.suite(), 0, body.len()));
        explain(&dump, args.json, term)?;
        if let Ok(len) = result {
            let title = match plain.len() - len {
                0 => format!("plaintext, {len} bytes"),
                pad => format!("plaintext, {len} bytes + {pad} bytes of PKCS#7 padding"),
            };
            let dump = Dump::new(title, &plain).spans(layout::plaintext_spans(len, plain.len()));
            explain(&dump, args.json, term)?;
        }
    }
    let len = result?;
    write_output(args.out.as_deref(), &plain[..len])
}

fn explain(dump: &Dump, json: bool, term: Term) -> Result<(), CliError> {
    let renderer = Renderer::new().color(term.color(io::stderr().is_terminal())).columns(term.columns());
    let mut err = io::stderr().lock();
    if json { renderer.json(&mut err, dump) } else { renderer.render(&mut err, dump) }
        .map_err(CliError::output)
}

fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<(), CliError> {
    match path {
        Some(p) => fs::write(p, bytes).map_err(|err| {
            CliError::failure(
                format!("cannot write {}: {err}", p.display()),
                "check the directory exists and is writable",
            )
        }),
        None => {
            let mut out = io::stdout().lock();
            out.write_all(bytes).and_then(|()| out.flush()).map_err(CliError::output)
        }
    }
}

/// Encodes ciphertext for output; text formats end with a newline.
pub fn encode(bytes: &[u8], format: Format) -> Vec<u8> {
    match format {
        Format::Raw => bytes.to_vec(),
        Format::Hex => format!("{}\n", hex::encode(bytes)).into_bytes(),
        Format::Base64 => {
            format!("{}\n", base64::engine::general_purpose::STANDARD.encode(bytes)).into_bytes()
        }
    }
}

/// Decodes ciphertext input; whitespace is ignored in the text formats.
pub fn decode(input: &[u8], format: Format) -> Result<Vec<u8>, CliError> {
    let text = || -> Vec<u8> { input.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect() };
    match format {
        Format::Raw => Ok(input.to_vec()),
        Format::Hex => hex::decode(text()).map_err(|e| {
            CliError::usage(
                format!("input is not hex: {e}"),
                "pass the ciphertext as hex digits, or use --format raw|base64",
            )
        }),
        Format::Base64 => base64::engine::general_purpose::STANDARD.decode(text()).map_err(|e| {
            CliError::usage(
                format!("input is not base64: {e}"),
                "pass the ciphertext as base64, or use --format raw|hex",
            )
        }),
    }
}
