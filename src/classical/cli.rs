//! `cryptolab classical …`: the command-line face of the classical ciphers.
//!
//! The argument tree (clap derive) and one handler per command. Handlers
//! read the input, call the cipher modules, and print; they hold no
//! cryptography of their own. The command tree:
//!
//! ```text
//! cryptolab classical caesar|mono|transposition|vigenere            narrated demo
//! cryptolab classical <cipher> encrypt|decrypt --key K [TEXT | --in FILE] [--json]
//! cryptolab classical <cipher> crack [TEXT | --in FILE] [--json] [--seed N]
//! cryptolab classical freq     [TEXT | --in FILE]                    bar chart vs English
//! cryptolab classical identify [TEXT | --in FILE]                    which cipher was it?
//! ```
//!
//! Output goes to the `out` writer given to [`run`]; warnings (a text too
//! short to crack reliably) go to standard error, and so does the progress
//! line of a monoalphabetic crack, but only when standard error is a
//! terminal. Colour is optional decoration: every line reads the same
//! without it. [`tour_section`] is the classical part of `cryptolab tour`.

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

use anstyle::{AnsiColor, Style};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use super::{
    ClassicalError, MonoKey, TranspositionKey, VigenereKey, analysis, caesar, checked_letters, english,
    letter, letter_indices, mono, transposition, vigenere,
};

const CLASSICAL_EXAMPLES: &str = "\
Examples:
  cryptolab classical caesar                        a narrated demo: encrypt, crack, explain
  cryptolab classical caesar encrypt --key 3 \"attack at dawn\"
  cryptolab classical mono crack --in secret.txt --seed 1
  cryptolab classical transposition encrypt --key ZEBRAS \"we are discovered\"
  cryptolab classical vigenere decrypt --key LEMON \"LXFOPV EF RNHR\"
  cryptolab classical freq --in secret.txt          letter frequencies beside English
  cryptolab classical identify --in secret.txt      which cipher made this?";

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
    #[command(after_help = "Example:\n  cryptolab classical freq \"Wkh txlfn eurzq ira\"")]
    Freq(InputArgs),
    /// Guess which of these ciphers produced a ciphertext, with the reasoning
    #[command(after_help = "Example:\n  cryptolab classical identify --in secret.txt")]
    Identify(InputArgs),
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
    /// Recover the key and the plaintext without knowing the key
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
    /// Print JSON: {"cipher","key","plaintext","score"}
    #[arg(long)]
    pub json: bool,
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
    /// Reads the text and names it for error messages.
    fn read(&self) -> Result<(String, String), ClassicalError> {
        if !self.text.is_empty() {
            return Ok((self.text.join(" "), "the text".to_string()));
        }
        if let Some(path) = &self.input_file {
            let shown = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|e| ClassicalError::ReadFile {
                path: shown.clone(),
                reason: io_reason(&e),
                source: e,
            })?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let source = io::Error::new(io::ErrorKind::InvalidData, e);
                ClassicalError::ReadFile {
                    path: shown.clone(),
                    reason: "it is not UTF-8 text".to_string(),
                    source,
                }
            })?;
            return Ok((text, format!("file `{shown}`")));
        }
        let stdin = io::stdin();
        if stdin.is_terminal() {
            return Err(ClassicalError::NoInput);
        }
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text).map_err(|source| ClassicalError::ReadStdin { source })?;
        Ok((text, "standard input".to_string()))
    }
}

/// A short human reason for a failed file read.
fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => e.to_string(),
    }
}

/// The four ciphers, for dispatch and for names in output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cipher {
    Caesar,
    Mono,
    Transposition,
    Vigenere,
}

impl Cipher {
    /// The name used in commands and JSON.
    fn id(self) -> &'static str {
        match self {
            Cipher::Caesar => "caesar",
            Cipher::Mono => "mono",
            Cipher::Transposition => "transposition",
            Cipher::Vigenere => "vigenere",
        }
    }

    /// The name used in prose.
    fn title(self) -> &'static str {
        match self {
            Cipher::Caesar => "Caesar",
            Cipher::Mono => "Monoalphabetic substitution",
            Cipher::Transposition => "Columnar transposition",
            Cipher::Vigenere => "Vigenère",
        }
    }

    /// Letters needed for a reliable crack.
    fn reliable_letters(self) -> usize {
        match self {
            Cipher::Caesar => caesar::RELIABLE_LETTERS,
            Cipher::Mono => mono::RELIABLE_LETTERS,
            Cipher::Transposition => transposition::RELIABLE_LETTERS,
            Cipher::Vigenere => vigenere::RELIABLE_LETTERS,
        }
    }
}

/// Runs `cryptolab classical …`, writing the results to `out`. `color` says
/// whether ANSI colour may be used.
pub fn run(args: &ClassicalArgs, out: &mut dyn Write, color: bool) -> Result<(), ClassicalError> {
    let paint = Paint(color);
    match &args.command {
        ClassicalCommand::Caesar(a) => cipher_command(Cipher::Caesar, a, out, paint),
        ClassicalCommand::Mono(a) => cipher_command(Cipher::Mono, a, out, paint),
        ClassicalCommand::Transposition(a) => cipher_command(Cipher::Transposition, a, out, paint),
        ClassicalCommand::Vigenere(a) => cipher_command(Cipher::Vigenere, a, out, paint),
        ClassicalCommand::Freq(input) => {
            let (text, name) = input.read()?;
            let letters = checked_letters(&text, &name)?;
            write!(out, "{}", freq_report(&letters, paint))?;
            Ok(())
        }
        ClassicalCommand::Identify(input) => {
            let (text, name) = input.read()?;
            let letters = checked_letters(&text, &name)?;
            write!(out, "{}", identify_report(&letters, paint))?;
            Ok(())
        }
    }
}

fn cipher_command(
    cipher: Cipher,
    args: &CipherArgs,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<(), ClassicalError> {
    let seed = args.seed.unwrap_or_else(|| rand::rng().random());
    match &args.action {
        None => {
            write!(out, "{}", demo(cipher, seed, paint))?;
            Ok(())
        }
        Some(Action::Encrypt(k)) => keyed(cipher, k, true, out),
        Some(Action::Decrypt(k)) => keyed(cipher, k, false, out),
        Some(Action::Crack(c)) => crack_command(cipher, c, seed, out, paint),
    }
}

/// A parsed key of any cipher.
enum Key {
    Caesar(u8),
    Mono(MonoKey),
    Transposition(TranspositionKey),
    Vigenere(VigenereKey),
}

impl Key {
    fn parse(cipher: Cipher, key: &str) -> Result<Key, ClassicalError> {
        Ok(match cipher {
            Cipher::Caesar => Key::Caesar(caesar::parse_key(key)?),
            Cipher::Mono => Key::Mono(MonoKey::parse(key)?),
            Cipher::Transposition => Key::Transposition(TranspositionKey::parse(key)?),
            Cipher::Vigenere => Key::Vigenere(VigenereKey::parse(key)?),
        })
    }

    /// The key in the form `--key` accepts.
    fn shown(&self) -> String {
        match self {
            Key::Caesar(s) => s.to_string(),
            Key::Mono(k) => k.to_string(),
            Key::Transposition(k) => k.to_string(),
            Key::Vigenere(k) => k.to_string(),
        }
    }
}

#[derive(Serialize)]
struct EncryptJson<'a> {
    cipher: &'a str,
    key: String,
    ciphertext: &'a str,
}

#[derive(Serialize)]
struct DecryptJson<'a> {
    cipher: &'a str,
    key: String,
    plaintext: &'a str,
}

#[derive(Serialize)]
struct CrackJson<'a> {
    cipher: &'a str,
    key: String,
    plaintext: &'a str,
    score: f64,
}

fn keyed(
    cipher: Cipher,
    args: &KeyedArgs,
    encrypting: bool,
    out: &mut dyn Write,
) -> Result<(), ClassicalError> {
    let action = if encrypting { "encrypt" } else { "decrypt" };
    let key_text = args.key.as_deref().ok_or(ClassicalError::MissingKey { cipher: cipher.id(), action })?;
    if let Some(ch) = args.pad {
        if cipher != Cipher::Transposition {
            return Err(ClassicalError::PadNotTransposition { cipher: cipher.id() });
        }
        if !ch.is_ascii_alphabetic() {
            return Err(ClassicalError::PadCharacter { ch });
        }
    }
    let key = Key::parse(cipher, key_text)?;
    let (text, name) = args.input.read()?;
    let letters = checked_letters(&text, &name)?;
    let result = match (&key, encrypting) {
        (Key::Caesar(s), true) => caesar::encrypt(&text, *s),
        (Key::Caesar(s), false) => caesar::decrypt(&text, *s),
        (Key::Mono(k), true) => mono::encrypt(&text, k),
        (Key::Mono(k), false) => mono::decrypt(&text, k),
        (Key::Transposition(k), true) => transposition::encrypt(&text, k, args.pad),
        (Key::Transposition(k), false) => match args.pad {
            Some(pad) => {
                if letters.len() % k.width() != 0 {
                    return Err(ClassicalError::NotPadded {
                        input: name,
                        letters: letters.len(),
                        width: k.width(),
                    });
                }
                transposition::strip_padding(&transposition::decrypt(&text, k), pad, k.width())
            }
            None => transposition::decrypt(&text, k),
        },
        (Key::Vigenere(k), true) => vigenere::encrypt(&text, k),
        (Key::Vigenere(k), false) => vigenere::decrypt(&text, k),
    };
    if args.json {
        let json = if encrypting {
            serde_json::to_string(&EncryptJson { cipher: cipher.id(), key: key.shown(), ciphertext: &result })
        } else {
            serde_json::to_string(&DecryptJson { cipher: cipher.id(), key: key.shown(), plaintext: &result })
        }
        .expect("strings and numbers serialise");
        writeln!(out, "{json}")?;
    } else {
        write_text_line(out, &result)?;
    }
    Ok(())
}

/// Writes a text followed by exactly one newline (a file's own final
/// newline is not doubled).
fn write_text_line(out: &mut dyn Write, text: &str) -> io::Result<()> {
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn warn_if_short(cipher: Cipher, letters: usize) {
    let reliable = cipher.reliable_letters();
    if letters < reliable {
        eprintln!(
            "warning: the ciphertext has only {letters} letters; a {} crack is reliable from about {reliable} letters, \
             so the result may be wrong",
            cipher.id()
        );
    }
}

fn crack_command(
    cipher: Cipher,
    args: &CrackArgs,
    seed: u64,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<(), ClassicalError> {
    let (text, name) = args.input.read()?;
    let letters = checked_letters(&text, &name)?;
    warn_if_short(cipher, letters.len());
    let mut report = String::new();
    let (key, plaintext, score) = match cipher {
        Cipher::Caesar => {
            let c = caesar::crack(&text)?;
            if !args.json {
                report = caesar_table(&c.ranking, c.shift, c.ranking.len(), paint);
            }
            (c.shift.to_string(), c.plaintext, c.score)
        }
        Cipher::Mono => {
            let c = mono_crack_with_progress(&text, seed)?;
            if !args.json {
                let _ = writeln!(
                    report,
                    "Hill climbing on quadgram scores: {} restart{} (seed {seed}).",
                    c.restarts,
                    if c.restarts == 1 { "" } else { "s" }
                );
                let _ = writeln!(report, "plain  ABCDEFGHIJKLMNOPQRSTUVWXYZ");
                let _ = writeln!(report, "cipher {}", c.key);
            }
            (c.key.to_string(), c.plaintext, c.score)
        }
        Cipher::Transposition => {
            let c = transposition::crack(&text, seed)?;
            if !args.json {
                report = width_table(&c, paint);
            }
            (c.key.to_string(), c.plaintext, c.score)
        }
        Cipher::Vigenere => {
            let c = vigenere::crack(&text)?;
            if !args.json {
                report = period_table(&c, paint);
            }
            (c.key.to_string(), c.plaintext, c.score)
        }
    };
    if args.json {
        let json = serde_json::to_string(&CrackJson {
            cipher: cipher.id(),
            key,
            plaintext: &plaintext,
            score: round3(score),
        })
        .expect("strings and numbers serialise");
        writeln!(out, "{json}")?;
        return Ok(());
    }
    out.write_all(report.as_bytes())?;
    writeln!(out, "{} {key}", paint.label("key:"))?;
    writeln!(out, "{} {:.3} {}", paint.label("score:"), score, SCORE_NOTE)?;
    writeln!(out, "{}", paint.label("plaintext:"))?;
    write_text_line(out, &plaintext)?;
    Ok(())
}

const SCORE_NOTE: &str = "(mean quadgram log10-probability: English ≈ -4.2, random letters ≈ -5.8)";

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A mono crack with a progress line on standard error when it is a terminal.
fn mono_crack_with_progress(text: &str, seed: u64) -> Result<mono::MonoCrack, ClassicalError> {
    let show = io::stderr().is_terminal();
    let result = mono::crack_with(text, seed, &mono::CrackSettings::default(), &mut |p| {
        if show {
            eprint!(
                "\rhill climbing: restart {}/{} · best score {:.3} · reached by {} restart{}   ",
                p.restart,
                p.max_restarts,
                p.best_fitness,
                p.agreeing,
                if p.agreeing == 1 { "" } else { "s" }
            );
        }
    });
    if show {
        eprint!("\r{:78}\r", "");
    }
    result
}

/// The ranked χ² table of a Caesar crack (top `rows` rows).
fn caesar_table(ranking: &[caesar::ShiftScore], chosen: u8, rows: usize, paint: Paint) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "χ² of the letter counts against English, for each shift (lower is more English):");
    let _ = writeln!(s, "  rank  shift        χ²   fitness");
    for (i, r) in ranking.iter().take(rows).enumerate() {
        let line = format!(
            "  {:>4}  {:>2} ({})  {:>8.1}  {:>8.3}",
            i + 1,
            r.shift,
            letter(r.shift),
            r.chi_squared,
            r.fitness
        );
        if r.shift == chosen {
            let _ = writeln!(s, "{}  ← chosen", paint.good(&line));
        } else {
            let _ = writeln!(s, "{line}");
        }
    }
    s
}

fn width_table(c: &transposition::TranspositionCrack, paint: Paint) -> String {
    let mut s = String::new();
    let _ =
        writeln!(s, "Best column order for each key width, scored by quadgrams (higher is more English):");
    let _ = writeln!(s, "  width   fitness  best order");
    for w in &c.widths {
        let line = format!("  {:>5}  {:>8.3}  {}", w.width, w.fitness, w.key);
        if w.key == c.key {
            let _ = writeln!(s, "{}  ← chosen", paint.good(&line));
        } else {
            let _ = writeln!(s, "{line}");
        }
    }
    s
}

fn period_table(c: &vigenere::VigenereCrack, paint: Paint) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Key length: index of coincidence of every n-th letter (English ≈ {:.3}, random ≈ {:.3}),",
        english::english_ioc(),
        english::RANDOM_IOC
    );
    let _ = writeln!(s, "Kasiski votes, and the best key of that length after quadgram refinement:");
    let _ = writeln!(s, "  length    IoC  Kasiski   fitness  key");
    for p in &c.periods {
        let line =
            format!("  {:>6}  {:.3}  {:>7}  {:>8.3}  {}", p.period, p.ioc, p.kasiski, p.fitness, p.key);
        if p.period == c.key.len() {
            let _ = writeln!(s, "{}  ← chosen", paint.good(&line));
        } else {
            let _ = writeln!(s, "{line}");
        }
    }
    s
}

// ---------------------------------------------------------------------------
// freq and identify

/// The letter-frequency bar chart with χ² and IoC.
fn freq_report(letters: &[u8], paint: Paint) -> String {
    let counts = analysis::letter_counts(letters);
    let n = letters.len();
    let english = english::letter_frequencies();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Letter frequencies of the text ({n} letter{}) beside English:",
        if n == 1 { "" } else { "s" }
    );
    let _ = writeln!(s, "        text                            English");
    // The longest bar, text or English, is BAR_WIDTH blocks; both share the scale.
    let props: Vec<f64> = counts.iter().map(|&c| c as f64 / n as f64).collect();
    let top = props.iter().chain(english.iter()).copied().fold(0.0, f64::max);
    let bar = |p: f64| "█".repeat((p / top * BAR_WIDTH as f64).round() as usize);
    for l in 0..26u8 {
        let (p, e) = (props[l as usize], english[l as usize]);
        let line = format!(
            "  {} {:>5.1}% {} {:>5.1}% {}",
            letter(l),
            100.0 * p,
            paint.accent(&pad_to(&bar(p), BAR_WIDTH)),
            100.0 * e,
            bar(e)
        );
        let _ = writeln!(s, "{}", line.trim_end());
    }
    let chi = analysis::chi_squared(&counts);
    let ioc = analysis::index_of_coincidence(&counts);
    let _ = writeln!(
        s,
        "{} {chi:.1}  (lower is more English-like; for a few hundred letters of English, under about 60)",
        paint.label("χ² against English:")
    );
    let _ = writeln!(
        s,
        "{} {ioc:.4}  (English ≈ {:.3}, random letters ≈ {:.3})",
        paint.label("index of coincidence:"),
        english::english_ioc(),
        english::RANDOM_IOC
    );
    s
}

/// Width of the longest bar in the `freq` chart.
const BAR_WIDTH: usize = 24;

/// Pads a string of block characters to `width` columns with spaces.
fn pad_to(bar: &str, width: usize) -> String {
    let len = bar.chars().count();
    if len >= width { bar.chars().take(width).collect() } else { format!("{bar}{}", " ".repeat(width - len)) }
}

/// Fitness above this reads as English (English ≈ −4.2, random letters ≈ −5.8).
const ENGLISH_FITNESS: f64 = -5.0;
/// An IoC above this keeps English's single-alphabet statistics.
const MONO_IOC: f64 = 0.055;

/// What `identify` concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Plaintext,
    Caesar(u8),
    Mono,
    Transposition,
    Vigenere(usize),
    Unknown,
}

fn identify_report(letters: &[u8], paint: Paint) -> String {
    let (verdict, reasons) = identify(letters);
    let mut s = String::new();
    for (i, r) in reasons.iter().enumerate() {
        let wrapped = wrap(r, 78, "   ");
        let _ = writeln!(s, "{}.{}", i + 1, &wrapped[2..]);
    }
    let (text, cmd) = match verdict {
        Verdict::Plaintext => ("not encrypted (it already reads as English)".to_string(), None),
        Verdict::Caesar(k) => (format!("Caesar, shift {k}"), Some("caesar")),
        Verdict::Mono => ("monoalphabetic substitution".to_string(), Some("mono")),
        Verdict::Transposition => ("transposition".to_string(), Some("transposition")),
        Verdict::Vigenere(m) => (format!("Vigenère, key length {m}"), Some("vigenere")),
        Verdict::Unknown => {
            ("none of these ciphers (or too short to tell): the letters look random".to_string(), None)
        }
    };
    let _ = writeln!(s, "{} {text}", paint.label("Verdict:"));
    if let Some(c) = cmd {
        let _ = writeln!(s, "Next: cryptolab classical {c} crack --in FILE (or TEXT)");
    }
    if letters.len() < 100 {
        let _ = writeln!(
            s,
            "(Only {} letters: statistics this short are shaky; 100 or more are better.)",
            letters.len()
        );
    }
    s
}

fn identify(letters: &[u8]) -> (Verdict, Vec<String>) {
    let counts = analysis::letter_counts(letters);
    let n = letters.len();
    let ioc = analysis::index_of_coincidence(&counts);
    let mut reasons = vec![format!(
        "{n} letters; index of coincidence {ioc:.4} (English ≈ {:.3}, random letters ≈ {:.3}).",
        english::english_ioc(),
        english::RANDOM_IOC
    )];
    if ioc >= MONO_IOC {
        reasons.push(
            "That is English-like, so one alphabet was used throughout: a Caesar, a substitution, \
             a transposition, or no cipher at all."
                .to_string(),
        );
        let fitness = analysis::fitness(letters);
        if fitness > ENGLISH_FITNESS {
            reasons.push(format!(
                "The letters as they stand score {fitness:.2} per quadgram (English ≈ -4.2): they already spell English."
            ));
            return (Verdict::Plaintext, reasons);
        }
        let (best_shift, best_fit) = (0..26u8)
            .map(|k| {
                let back: Vec<u8> = letters.iter().map(|&l| (l + 26 - k) % 26).collect();
                (k, analysis::fitness(&back))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("26 shifts");
        if best_fit > ENGLISH_FITNESS {
            reasons.push(format!(
                "Shifted back by {best_shift} the letters score {best_fit:.2} per quadgram: English, so a Caesar shift."
            ));
            return (Verdict::Caesar(best_shift), reasons);
        }
        let chi = analysis::chi_squared(&counts);
        let chi_limit = 30.0 + 0.12 * n as f64;
        reasons.push(format!(
            "No shift makes it read as English (best {best_fit:.2} per quadgram), so it is not a Caesar."
        ));
        if chi < chi_limit {
            reasons.push(format!(
                "Its letters are English's own letters (χ² {chi:.1} against English, under {chi_limit:.0}) in the wrong order: a transposition."
            ));
            (Verdict::Transposition, reasons)
        } else {
            reasons.push(format!(
                "Its letter counts are English's shape under other names (χ² {chi:.1} against English as they stand): a substitution."
            ));
            (Verdict::Mono, reasons)
        }
    } else {
        reasons.push(
            "That is flatter than English: several alphabets in turn (Vigenère), or random letters."
                .to_string(),
        );
        let max_period = vigenere::MAX_PERIOD.min(n / 4);
        let votes = analysis::kasiski(letters, max_period.max(2));
        let found = (2..=max_period).find(|&p| analysis::periodic_ioc(letters, p) >= MONO_IOC);
        match found {
            Some(p) => {
                reasons.push(format!(
                    "Taking every {p}th letter gives columns with IoC {:.4}: English-like, so the key repeats every {p} letters \
                     (Kasiski: {} repeated-trigram distance{} divisible by {p}).",
                    analysis::periodic_ioc(letters, p),
                    votes.get(p).copied().unwrap_or(0),
                    if votes.get(p).copied().unwrap_or(0) == 1 { "" } else { "s" }
                ));
                (Verdict::Vigenere(p), reasons)
            }
            None => {
                reasons.push(format!(
                    "No period from 2 to {max_period} gives English-like columns, so it is not a Vigenère with a key that short."
                ));
                (Verdict::Unknown, reasons)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Narrated demos and the tour

/// A short passage for the Caesar demo (Ambrose Bierce, *The Devil's
/// Dictionary*, 1911, public domain).
const SHORT_SAMPLE: &str = "Cynic: a blackguard whose faulty vision sees things as they are, \
not as they ought to be.";

/// A longer passage for the other demos, about 400 letters (same source).
const LONG_SAMPLE: &str = "Calamity: a more than commonly plain and unmistakable reminder that \
the affairs of this life are not of our own ordering. Calamities are of two kinds: misfortune to \
ourselves, and good fortune to others. Consult: to seek another's disapproval of a course already \
decided on. Contempt: the feeling of a prudent man for an enemy who is too formidable safely to be \
opposed. Future: that period of time in which our affairs prosper, our friends are true and our \
happiness is assured.";

fn demo(cipher: Cipher, seed: u64, paint: Paint) -> String {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — a demo (seed {seed}; run with --seed {seed} to see it again)",
        paint.title(cipher.title())
    );
    let _ = writeln!(s);
    let sample = if cipher == Cipher::Caesar { SHORT_SAMPLE } else { LONG_SAMPLE };
    let _ = writeln!(s, "The plaintext, from Ambrose Bierce's The Devil's Dictionary:");
    let _ = writeln!(s, "{}", wrap(sample, 76, "  "));
    let _ = writeln!(s);
    match cipher {
        Cipher::Caesar => {
            let shift = rng.random_range(1..26u8);
            let ct = caesar::encrypt(sample, shift);
            let _ = writeln!(s, "Encrypted with a random shift, {shift} (A→{}):", letter(shift));
            let _ = writeln!(s, "{}", wrap(&ct, 76, "  "));
            let _ = writeln!(s);
            let c = caesar::crack(&ct).expect("the sample has letters");
            let _ = writeln!(s, "Cracking it without the key: the attacker tries all 26 shifts.");
            s.push_str(&caesar_table(&c.ranking, c.shift, 5, paint));
            let _ = writeln!(s, "  … 21 more, all far worse.");
            let _ = writeln!(s);
            para(
                &mut s,
                &format!(
                    "Shifted back by {}, the letter counts match English best (χ² {:.1}; the runner-up scores {:.1}).",
                    c.shift, c.ranking[0].chi_squared, c.ranking[1].chi_squared
                ),
            );
            let _ = writeln!(s, "{} {} — the plaintext:", paint.label("key:"), c.shift);
            let _ = writeln!(s, "{}", wrap(&c.plaintext, 76, "  "));
        }
        Cipher::Mono => {
            let key = MonoKey::random(&mut rng);
            let ct = mono::encrypt(sample, &key);
            let _ = writeln!(s, "Encrypted with a random substitution alphabet:");
            let _ = writeln!(s, "  plain  ABCDEFGHIJKLMNOPQRSTUVWXYZ");
            let _ = writeln!(s, "  cipher {key}");
            let _ = writeln!(s, "{}", wrap(&ct, 76, "  "));
            let _ = writeln!(s);
            let letters = letter_indices(&ct);
            let counts = analysis::letter_counts(&letters);
            let mut order: Vec<u8> = (0..26).collect();
            order.sort_by_key(|&c| std::cmp::Reverse(counts[c as usize]));
            let top: String = order.iter().take(6).map(|&c| letter(c)).collect();
            para(
                &mut s,
                &format!(
                    "Its commonest letters are {top} (English: {}), and its index of coincidence is {:.3}, \
                     English's own ({:.3}): one alphabet, disguised. 26! keys are too many to try, so the \
                     crack climbs: swap two letters of a guessed key, keep the swap if the text scores more \
                     like English (quadgrams such as TION, THER), and restart from fresh guesses.",
                    english_order(6),
                    analysis::index_of_coincidence(&counts),
                    english::english_ioc()
                ),
            );
            let c = mono::crack(&ct, rng.random()).expect("the sample has letters");
            let _ = writeln!(s);
            let _ = writeln!(s, "After {} restarts:", c.restarts);
            let _ = writeln!(s, "  plain  ABCDEFGHIJKLMNOPQRSTUVWXYZ");
            let _ = writeln!(s, "  cipher {}   (letters absent from the text are guesses)", c.key);
            let _ = writeln!(s, "{} {:.3} {SCORE_NOTE}", paint.label("score:"), c.score);
            let _ = writeln!(s, "{}", wrap(&c.plaintext, 76, "  "));
        }
        Cipher::Transposition => {
            let width = rng.random_range(5..=8usize);
            let key = TranspositionKey::random(width, &mut rng);
            let ct = transposition::encrypt(sample, &key, None);
            let _ = writeln!(s, "Written in rows of {width}, read out column by column in the order {key}:");
            let letters: Vec<char> = letter_indices(sample).iter().map(|&l| letter(l)).collect();
            for row in letters.chunks(width).take(3) {
                let _ =
                    writeln!(s, "  {}", row.iter().map(|c| format!("{c} ")).collect::<String>().trim_end());
            }
            let _ = writeln!(s, "  … ({} rows in all)", letters.len().div_ceil(width));
            let _ = writeln!(s, "The ciphertext keeps the text's shape; only the letters moved:");
            let _ = writeln!(s, "{}", wrap(&ct, 76, "  "));
            let _ = writeln!(s);
            let ct_letters = letter_indices(&ct);
            let chi = analysis::chi_squared(&analysis::letter_counts(&ct_letters));
            para(
                &mut s,
                &format!(
                    "Its letters are English's own (χ² {chi:.1} against English): nothing was substituted, \
                     only moved. The crack tries every width from 2 to 12 and, for each, the column order \
                     whose text scores best on quadgrams (every order up to 7 columns; hill climbing above):"
                ),
            );
            let c = transposition::crack(&ct, rng.random()).expect("the sample has letters");
            s.push_str(&width_table(&c, paint));
            let _ = writeln!(s, "{} {}", paint.label("key:"), c.key);
            let _ = writeln!(s, "{}", wrap(&c.plaintext, 76, "  "));
        }
        Cipher::Vigenere => {
            let len = rng.random_range(4..=7usize);
            let key = VigenereKey::from_shifts((0..len).map(|_| rng.random_range(0..26u8)).collect());
            let ct = vigenere::encrypt(sample, &key);
            let _ = writeln!(s, "Encrypted with the random key {key}:");
            let _ = writeln!(s, "{}", wrap(&ct, 76, "  "));
            let _ = writeln!(s);
            let letters = letter_indices(&ct);
            para(
                &mut s,
                &format!(
                    "Its index of coincidence is {:.3}, flatter than English ({:.3}): several alphabets in turn.",
                    analysis::index_of_coincidence(&analysis::letter_counts(&letters)),
                    english::english_ioc()
                ),
            );
            let c = vigenere::crack(&ct).expect("the sample has letters");
            let mut shown = c.clone();
            shown.periods.truncate(12);
            s.push_str(&period_table(&shown, paint));
            para(
                &mut s,
                &format!(
                    "Length {} is the first whose columns look like English; each column is then a Caesar.",
                    c.key.len()
                ),
            );
            let _ = writeln!(s, "{} {}", paint.label("key:"), c.key);
            let _ = writeln!(s, "{}", wrap(&c.plaintext, 76, "  "));
        }
    }
    s
}

/// The classical section of `cryptolab tour`: a Caesar and a substitution
/// broken in front of the reader, with the statistic that gave each away.
/// Deterministic for a given `seed`; about 20 lines; well under a second.
pub fn tour_section(out: &mut dyn Write, color: bool, seed: u64) -> io::Result<()> {
    let paint = Paint(color);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut s = String::new();
    let _ = writeln!(s, "{}", paint.title("Classical ciphers: the statistics give them away"));
    let shift = rng.random_range(1..26u8);
    let ct = caesar::encrypt(SHORT_SAMPLE, shift);
    let _ = writeln!(s, "Caesar, shift {shift}:");
    let _ = writeln!(s, "{}", wrap(&ct, 76, "  "));
    let c = caesar::crack(&ct).expect("the sample has letters");
    let _ = writeln!(
        s,
        "  All 26 shifts tried: {} gives English letter counts (χ² {:.1}; next best {:.1}):",
        c.shift, c.ranking[0].chi_squared, c.ranking[1].chi_squared
    );
    let _ = writeln!(s, "{}", wrap(&c.plaintext, 76, "  "));
    let key = MonoKey::random(&mut rng);
    let ct = mono::encrypt(LONG_SAMPLE, &key);
    let _ = writeln!(s, "Substitution with a random alphabet ({key}), 26! ≈ 4·10²⁶ keys:");
    let _ = writeln!(s, "{}", wrap(&first_chars(&ct, 150), 76, "  "));
    let m = mono::crack(&ct, rng.random()).expect("the sample has letters");
    let right =
        letter_indices(LONG_SAMPLE).iter().zip(letter_indices(&m.plaintext)).filter(|(a, b)| *a == b).count();
    let total = letter_indices(LONG_SAMPLE).len();
    let _ = writeln!(
        s,
        "  Hill climbing on quadgram scores ({} restarts) reaches {:.2} per quadgram",
        m.restarts, m.score
    );
    let _ = writeln!(s, "  (English ≈ -4.2) and reads {right} of {total} letters right:");
    let _ = writeln!(s, "{}", wrap(&first_chars(&m.plaintext, 150), 76, "  "));
    let _ =
        writeln!(s, "  Neither cipher hides the language's statistics; modern ciphers must look like noise.");
    let _ = writeln!(s, "  More: cryptolab classical caesar | mono | transposition | vigenere");
    out.write_all(s.as_bytes())
}

/// Appends `text` word-wrapped to 78 columns, then a newline.
fn para(s: &mut String, text: &str) {
    s.push_str(&wrap(text, 78, ""));
    s.push('\n');
}

/// English's `n` commonest letters, commonest first.
fn english_order(n: usize) -> String {
    let f = english::letter_frequencies();
    let mut order: Vec<u8> = (0..26).collect();
    order.sort_by(|&a, &b| f[b as usize].total_cmp(&f[a as usize]));
    order.iter().take(n).map(|&l| letter(l)).collect()
}

/// The first `n` characters and an ellipsis, if the text is longer.
fn first_chars(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let cut: String = text.chars().take(n).collect();
        format!("{} …", cut.trim_end())
    }
}

/// Word-wraps `text` to `width` columns, each line starting with `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width - indent.len() {
            lines.push(format!("{indent}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!("{indent}{line}"));
    }
    lines.join("\n")
}

/// Optional colour: labels carry the meaning, colour only decorates.
#[derive(Debug, Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn styled(self, style: Style, text: &str) -> String {
        if self.0 { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_string() }
    }

    fn title(self, text: &str) -> String {
        self.styled(Style::new().bold(), text)
    }

    fn label(self, text: &str) -> String {
        self.styled(Style::new().bold(), text)
    }

    fn good(self, text: &str) -> String {
        self.styled(Style::new().fg_color(Some(AnsiColor::Green.into())), text)
    }

    fn accent(self, text: &str) -> String {
        self.styled(Style::new().fg_color(Some(AnsiColor::Cyan.into())), text)
    }
}
