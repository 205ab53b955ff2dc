//! What the classical commands say: the reports, as text, built by pure
//! functions.
//!
//! Every function here *returns* its text (or JSON line); the caller decides
//! where it goes — the command line writes it to standard output, a test
//! compares it whole. Nothing here reads input, prints, or asks whether it
//! runs on a terminal: `color` says whether ANSI colour may be used, and the
//! text reads the same without it (labels carry the meaning, colour only
//! decorates).
//!
//! - [`crack`] / [`crack_json`]: a crack's evidence table, key, score and plaintext;
//! - [`keyed_json`], [`text_line`]: what `encrypt`/`decrypt` print;
//! - [`progress_line`]: the monoalphabetic annealing's progress, for a status line;
//! - [`freq`]: the letter-frequency bar chart beside English;
//! - [`identify`]: which cipher was it, with the reasoning.
//!
//! The narrated demos and the tour's section are in [`super::demo`].

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use super::cipher::{Cracked, Keyed};
use super::{analysis, caesar, english, letter, mono, transposition, vigenere};
pub(super) use crate::render::{first_chars, wrap};

/// What a quadgram score means, printed beside every score.
pub(super) const SCORE_NOTE: &str =
    "(mean quadgram log10-probability: English ≈ -4.2, random letters ≈ -5.8)";

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

/// A text followed by exactly one newline (a file's own final newline is
/// not doubled): how `encrypt` and `decrypt` print their result.
pub fn text_line(text: &str) -> String {
    if text.ends_with('\n') { text.to_string() } else { format!("{text}\n") }
}

/// The JSON line of `encrypt --json` (`{"cipher","key","ciphertext"}`) or,
/// when not `encrypting`, `decrypt --json` (`{"cipher","key","plaintext"}`).
pub fn keyed_json(keyed: &Keyed, result: &str, encrypting: bool) -> String {
    let (cipher, key) = (keyed.cipher().id(), keyed.shown());
    let json = if encrypting {
        serde_json::to_string(&EncryptJson { cipher, key, ciphertext: result })
    } else {
        serde_json::to_string(&DecryptJson { cipher, key, plaintext: result })
    }
    .expect("strings serialise");
    json + "\n"
}

/// The JSON line of `crack --json`: `{"cipher","key","plaintext","score"}`,
/// the score rounded to three decimals.
pub fn crack_json(c: &Cracked) -> String {
    let json = serde_json::to_string(&CrackJson {
        cipher: c.cipher().id(),
        key: c.key(),
        plaintext: c.plaintext(),
        score: round3(c.score()),
    })
    .expect("strings and numbers serialise");
    json + "\n"
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The report of a crack: the evidence (every shift ranked, the annealing,
/// the widths or the periods), then the key, the score and the plaintext.
pub fn crack(c: &Cracked, color: bool) -> String {
    let paint = Paint(color);
    let mut s = match c {
        Cracked::Caesar(c) => caesar_table(&c.ranking, c.shift, c.ranking.len(), paint),
        Cracked::Mono { crack, seed } => {
            let mut s = String::new();
            let _ = writeln!(
                s,
                "Hill climbing on quadgram scores: {} restart{} (seed {seed}).",
                crack.restarts,
                if crack.restarts == 1 { "" } else { "s" }
            );
            let _ = writeln!(s, "plain  ABCDEFGHIJKLMNOPQRSTUVWXYZ");
            let _ = writeln!(s, "cipher {}", crack.key);
            s
        }
        Cracked::Transposition(c) => width_table(c, paint),
        Cracked::Vigenere(c) => period_table(c, paint),
    };
    let _ = writeln!(s, "{} {}", paint.label("key:"), c.key());
    let _ = writeln!(s, "{} {:.3} {}", paint.label("score:"), c.score(), SCORE_NOTE);
    let _ = writeln!(s, "{}", paint.label("plaintext:"));
    s + &text_line(c.plaintext())
}

/// One status line for a running monoalphabetic crack (no newline: the
/// caller redraws it in place).
pub fn progress_line(p: &mono::MonoProgress) -> String {
    format!(
        "simulated annealing: restart {}/{} · best score {:.3} · reached by {} restart{}",
        p.restart,
        p.max_restarts,
        p.best_fitness,
        p.agreeing,
        if p.agreeing == 1 { "" } else { "s" }
    )
}

// ---------------------------------------------------------------------------
// The evidence tables (also used by the narrated demos)

/// The ranked χ² table of a Caesar crack (top `rows` rows).
pub(super) fn caesar_table(ranking: &[caesar::ShiftScore], chosen: u8, rows: usize, paint: Paint) -> String {
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

/// The best column order per width of a transposition crack.
pub(super) fn width_table(c: &transposition::TranspositionCrack, paint: Paint) -> String {
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

/// The statistics per period of a Vigenère crack.
pub(super) fn period_table(c: &vigenere::VigenereCrack, paint: Paint) -> String {
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

/// `freq`: the letter-frequency bar chart of `letters` (indices 0–25)
/// beside English, with χ² and the index of coincidence.
pub fn freq(letters: &[u8], color: bool) -> String {
    let paint = Paint(color);
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

/// `identify`: which of the four ciphers most likely produced `letters`,
/// as numbered reasons, a verdict and the command to try next.
pub fn identify(letters: &[u8], color: bool) -> String {
    let paint = Paint(color);
    let (verdict, reasons) = diagnose(letters);
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

/// The reasoning of `identify`: each statistic, and what it rules in or out.
fn diagnose(letters: &[u8]) -> (Verdict, Vec<String>) {
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
                    "Taking every {} letter gives columns with IoC {:.4}: English-like, so the key repeats every {p} letters \
                     (Kasiski: {} repeated-trigram distance{} divisible by {p}).",
                    ordinal(p),
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
// Text helpers

/// Appends `text` word-wrapped to 78 columns, then a newline.
pub(super) fn para(s: &mut String, text: &str) {
    s.push_str(&wrap(text, 78, ""));
    s.push('\n');
}

/// English's `n` commonest letters, commonest first.
pub(super) fn english_order(n: usize) -> String {
    let f = english::letter_frequencies();
    let mut order: Vec<u8> = (0..26).collect();
    order.sort_by(|&a, &b| f[b as usize].total_cmp(&f[a as usize]));
    order.iter().take(n).map(|&l| letter(l)).collect()
}

/// Optional colour: labels carry the meaning, colour only decorates.
#[derive(Debug, Clone, Copy)]
pub(super) struct Paint(pub(super) bool);

impl Paint {
    fn styled(self, style: Style, text: &str) -> String {
        if self.0 { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_string() }
    }

    pub(super) fn title(self, text: &str) -> String {
        self.styled(Style::new().bold(), text)
    }

    pub(super) fn label(self, text: &str) -> String {
        self.styled(Style::new().bold(), text)
    }

    pub(super) fn good(self, text: &str) -> String {
        self.styled(Style::new().fg_color(Some(AnsiColor::Green.into())), text)
    }

    pub(super) fn accent(self, text: &str) -> String {
        self.styled(Style::new().fg_color(Some(AnsiColor::Cyan.into())), text)
    }
}

/// `2nd`, `3rd`, `4th`, `11th`, `21st`: an English ordinal.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
