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
//! - [`crack`] / [`crack_json`]: a crack's evidence table, key, score, how
//!   sure it is, and the plaintext (or, when not sure, the candidates and a
//!   labelled best guess); [`crack_failure`]: the error of a failed crack;
//! - [`keyed_json`], [`text_line`]: what `encrypt`/`decrypt` print;
//! - [`progress_line`]: the message beside a substitution crack's progress bar;
//! - [`freq`]: the letter-frequency bar chart beside English, in [`FreqOrder`];
//! - [`fn@identify`]: which cipher was it, with the clues, every cipher tried,
//!   and how sure the verdict is (the trials are [`super::identify`]'s).
//!
//! The narrated demos and the tour's section are in [`super::demo`].

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use super::cipher::{Cracked, Keyed};
use super::identify::{self, Identification};
use super::verdict::Confidence;
use super::{analysis, caesar, english, fill_letters, letter, mono, transposition, vigenere};
pub(super) use crate::render::{first_chars, wrap};

/// What a quadgram score means, printed beside every score.
pub(super) const SCORE_NOTE: &str = "(mean log10 per quadgram: English ≈ -4.2, random ≈ -5.8)";

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
    confidence: &'a str,
    margin: f64,
    evidence: f64,
    rival: &'a str,
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

/// The JSON line of `crack --json`: `{"cipher","key","plaintext","score",
/// "confidence","margin","evidence","rival"}` — the score to three
/// decimals, the margin and evidence (log10 units, see
/// [`super::verdict`]) to two; `rival` is the runner-up's label or
/// `chance`. A failed crack's `plaintext` is its best attempt, not English.
pub fn crack_json(c: &Cracked) -> String {
    let v = c.verdict();
    let json = serde_json::to_string(&CrackJson {
        cipher: c.cipher().id(),
        key: c.key(),
        plaintext: c.plaintext(),
        score: round(c.score(), 1000.0),
        confidence: v.confidence.id(),
        margin: round(v.margin, 100.0),
        evidence: round(v.evidence, 100.0),
        rival: v.rival.as_ref().map_or("chance", |r| r.label.as_str()),
    })
    .expect("strings and numbers serialise");
    json + "\n"
}

fn round(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

/// The report of a crack: the evidence (every shift ranked, the annealing,
/// the widths or the periods), then the key, the score, how sure the crack
/// is, and the plaintext — or, when the crack is not sure, its candidates
/// and best guess, labelled as such; when it failed, the start of its best
/// attempt, labelled as not English.
pub fn crack(c: &Cracked, color: bool) -> String {
    let paint = Paint(color);
    let mut s = match c {
        Cracked::Caesar(c) => caesar_table(&c.ranking, c.shift, c.ranking.len(), paint),
        Cracked::Mono { crack, seed } => {
            let mut s = String::new();
            let _ = writeln!(
                s,
                "Simulated annealing on quadgram scores: {} restart{} (seed {seed}).",
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
    let v = c.verdict();
    let _ = writeln!(s, "{} {}", paint.label("key:"), c.key());
    let _ = writeln!(s, "{} {:.3} {}", paint.label("score:"), c.score(), SCORE_NOTE);
    labelled(&mut s, paint, "confidence:", &v.summary());
    let letters = super::letter_indices(c.plaintext()).len();
    match v.confidence {
        Confidence::Sure | Confidence::Likely => {
            let _ = writeln!(s, "{}", paint.label("plaintext:"));
            s.push_str(&text_line(c.plaintext()));
        }
        Confidence::TooShort | Confidence::Ambiguous => {
            let why = match (&v.rival, v.confidence) {
                (Some(r), Confidence::TooShort) => format!(
                    "{letters} letters are too few to tell: {} fits nearly as well. More ciphertext would settle it.",
                    r.label
                ),
                (Some(r), _) => format!("{} fits nearly as well, so this cannot be told apart.", r.label),
                (None, _) => format!(
                    "{letters} letters are too few for the right key to stand out from chance. More ciphertext \
                     would settle it."
                ),
            };
            para(&mut s, &why);
            if let Some(r) = &v.rival {
                let _ = writeln!(s, "{}", paint.label("candidates:"));
                let shown = fill_letters(c.plaintext(), &r.decryption);
                let labels = [first_chars(&c.key_label(), 40), first_chars(&r.label, 40)];
                let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
                for (label, text) in labels.iter().zip([c.plaintext().to_string(), shown]) {
                    let room = 76 - width - 2;
                    let _ = writeln!(s, "  {label:<width$}  {}", first_chars(&one_line(&text), room));
                }
            }
            let _ = writeln!(s, "{}", paint.label("best guess (not a sure result):"));
            s.push_str(&text_line(c.plaintext()));
        }
        Confidence::Failed => {
            para(
                &mut s,
                &format!(
                    "The crack failed: at {letters} letters a right key would stand out, and the best found reads \
                     no more like English than chance does."
                ),
            );
            let _ = writeln!(s, "{}", paint.label("best attempt (not English), its start:"));
            let _ = writeln!(s, "{}", first_chars(&one_line(c.plaintext()), 76));
        }
    }
    s
}

/// Why a crack failed and what to try, as the two lines of an error (each
/// fits 80 columns after `cryptolab: ` and `  hint: `), or `None` when it
/// did not fail.
pub fn crack_failure(c: &Cracked) -> Option<(String, String)> {
    if c.verdict().confidence != Confidence::Failed {
        return None;
    }
    const IDENTIFY: &str = "`cryptolab classical identify`";
    Some(match c {
        Cracked::Caesar(_) => (
            "Caesar crack failed: no shift reads as English".to_string(),
            format!("not a Caesar? try {IDENTIFY}"),
        ),
        Cracked::Mono { .. } => (
            "mono crack failed: the best alphabet found does not read as English".to_string(),
            format!("try another --seed, or {IDENTIFY}"),
        ),
        Cracked::Transposition(t) => {
            let widest = t.widths.last().map_or(2, |w| w.width);
            let hint = if widest < transposition::MAX_WIDTH {
                format!(
                    "a wider key? try --max-width {}; or {IDENTIFY}",
                    (widest * 2).min(transposition::MAX_WIDTH)
                )
            } else {
                format!("another cipher? try {IDENTIFY}")
            };
            (format!("transposition crack failed: no width from 2 to {widest} reads as English"), hint)
        }
        Cracked::Vigenere(v) => (
            format!("Vigenère crack failed: no key length from 1 to {} reads as English", v.periods.len()),
            format!("a longer key, or another cipher? try {IDENTIFY}"),
        ),
    })
}

/// `label text`, word-wrapped to 78 columns, the label in bold when colour
/// is on.
fn labelled(s: &mut String, paint: Paint, label: &str, text: &str) {
    let wrapped = wrap(&format!("{label} {text}"), 78, "");
    s.push_str(&paint.label(label));
    s.push_str(&wrapped[label.len()..]);
    s.push('\n');
}

/// `text` with every run of whitespace made one space, for one-line previews.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The message beside a running substitution crack's progress bar (the
/// bar itself counts the restarts).
pub fn progress_line(p: &mono::MonoProgress) -> String {
    format!(
        "annealing: best score {:.3}, reached by {} restart{}",
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
    let _ = writeln!(s, "χ² of the letter counts against English, per shift (lower is more English):");
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
    para(
        &mut s,
        "Best column order for each key width: its fitness (quadgrams, higher is more English) and its \
         support (fit to English less the price of a key that wide; the highest wins):",
    );
    let _ = writeln!(s, "  width   fitness   support  best order");
    for w in &c.widths {
        let line = format!("  {:>5}  {:>8.3}  {:>8.1}  {}", w.width, w.fitness, w.support, w.key);
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
    para(
        &mut s,
        &format!(
            "For each key length: the index of coincidence of every n-th letter (English ≈ {:.3}, random \
             ≈ {:.3}), Kasiski votes, the best key of that length after quadgram refinement, its fitness, \
             and its support (fit to English less the price of a key that long; the highest wins):",
            english::english_ioc(),
            english::RANDOM_IOC
        ),
    );
    let _ = writeln!(s, "  length    IoC  Kasiski   fitness   support  key");
    for p in &c.periods {
        let line = format!(
            "  {:>6}  {:.3}  {:>7}  {:>8.3}  {:>8.1}  {}",
            p.period, p.ioc, p.kasiski, p.fitness, p.support, p.key
        );
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

/// The order of the rows of `freq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FreqOrder {
    /// A to Z, each letter beside English's share of the same letter.
    #[default]
    Letter,
    /// The text's commonest letter first, beside English's commonest
    /// (E, T, A, …): the first guess at a substitution, row by row.
    Count,
}

/// `freq`: the letter-frequency bar chart of `letters` (indices 0–25)
/// beside English, with χ² and the index of coincidence.
pub fn freq(letters: &[u8], order: FreqOrder, color: bool) -> String {
    let paint = Paint(color);
    let counts = analysis::letter_counts(letters);
    let n = letters.len();
    let english = english::letter_frequencies();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Letter frequencies of the text ({n} letter{}) beside English{}:",
        if n == 1 { "" } else { "s" },
        if order == FreqOrder::Count { ", commonest first" } else { "" }
    );
    // The longest bar, text or English, is BAR_WIDTH blocks; both share the scale.
    let props: Vec<f64> = counts.iter().map(|&c| c as f64 / n as f64).collect();
    let top = props.iter().chain(english.iter()).copied().fold(0.0, f64::max);
    let bar = |p: f64| "█".repeat((p / top * BAR_WIDTH as f64).round() as usize);
    let by_count = |shares: &[f64]| {
        let mut order: Vec<u8> = (0..26).collect();
        // Stable: equal shares stay in alphabetical order.
        order.sort_by(|&a, &b| shares[b as usize].total_cmp(&shares[a as usize]));
        order
    };
    let rows: Vec<(u8, u8)> = match order {
        FreqOrder::Letter => (0..26u8).map(|l| (l, l)).collect(),
        FreqOrder::Count => by_count(&props).into_iter().zip(by_count(english)).collect(),
    };
    match order {
        FreqOrder::Letter => {
            let _ = writeln!(s, "        text                            English");
        }
        FreqOrder::Count => {
            let _ = writeln!(s, "        text                              English");
        }
    }
    for (l, e) in rows {
        let (p, q) = (props[l as usize], english[e as usize]);
        let english_letter = match order {
            FreqOrder::Letter => String::new(),
            FreqOrder::Count => format!("{} ", letter(e)),
        };
        let line = format!(
            "  {} {:>5.1}% {} {english_letter}{:>5.1}% {}",
            letter(l),
            100.0 * p,
            paint.accent(&pad_to(&bar(p), BAR_WIDTH)),
            100.0 * q,
            bar(q)
        );
        let _ = writeln!(s, "{}", line.trim_end());
    }
    let chi = analysis::chi_squared(&counts);
    let ioc = analysis::index_of_coincidence(&counts);
    let _ = writeln!(
        s,
        "{} {chi:.1}  (lower is more English; English text: under ~60)",
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

/// How many ciphers an undecided `identify` names as candidates.
const CANDIDATES: usize = 3;

/// `identify`: which of the four ciphers most likely produced `letters`,
/// as numbered reasons (the clues, then every cipher tried), a verdict
/// with how sure it is, and the command to try next.
pub fn identify(letters: &[u8], color: bool) -> String {
    let paint = Paint(color);
    let id = identify::identify(letters);
    let mut reasons = vec![ioc_clue(&id), chi_clue(&id)];
    reasons.push(format!(
        "Each cipher was cracked, and each best decryption weighed by its support: its fit to English less \
         the price of its key (log10 units, higher is better; chance, no key at all, scores {:.1}):",
        id.chance
    ));
    let mut s = String::new();
    for (i, r) in reasons.iter().enumerate() {
        let wrapped = wrap(r, 78, "   ");
        let _ = writeln!(s, "{}.{}", i + 1, &wrapped[2..]);
    }
    let _ = writeln!(s, "   {:>8}  {:<36}  decryption", "support", "cipher (key found)");
    for t in &id.trials {
        let name = first_chars(&t.candidate.label, 36);
        let _ = writeln!(s, "   {:>8.1}  {name:<36}  {}", t.candidate.support(), first_chars(&t.preview, 24));
    }
    let v = &id.verdict;
    match v.confidence {
        Confidence::Sure | Confidence::Likely => {
            let _ = writeln!(s, "{} {}", paint.label("Verdict:"), id.guess.name());
            labelled(&mut s, paint, "Confidence:", &v.summary());
            if let Some(c) = id.guess.command() {
                let _ = writeln!(s, "Next: cryptolab classical {c} crack --in FILE (or TEXT)");
            }
        }
        Confidence::TooShort | Confidence::Ambiguous => {
            let _ = writeln!(s, "{} {}", paint.label("Verdict:"), v.confidence.words());
            labelled(&mut s, paint, "Confidence:", &v.summary());
            // The best trial of each cipher, best supported first, up to
            // three: what a student should try, in that order.
            let mut top: Vec<&identify::Trial> = Vec::new();
            for t in &id.trials {
                if top.len() < CANDIDATES && top.iter().all(|u| u.guess.command() != t.guess.command()) {
                    top.push(t);
                }
            }
            let names: Vec<String> = top
                .iter()
                .map(|t| format!("{} (support {:.1})", t.guess.name(), t.candidate.support()))
                .collect();
            para(
                &mut s,
                &format!(
                    "Candidates, best supported first: {}. More ciphertext would settle it.",
                    names.join("; ")
                ),
            );
            let commands: Vec<&str> = top.iter().filter_map(|t| t.guess.command()).collect();
            if !commands.is_empty() {
                let _ = writeln!(s, "Next: try cryptolab classical {} crack", commands.join(" crack, then "));
            }
        }
        Confidence::Failed => {
            let _ = writeln!(
                s,
                "{} none of these ciphers: no decryption reads as English better than chance",
                paint.label("Verdict:")
            );
            labelled(&mut s, paint, "Confidence:", &v.summary());
            if id.transposition_skipped.is_none() {
                para(
                    &mut s,
                    &format!(
                        "The transposition search went up to {} columns; a wider key is searched by \
                         `cryptolab classical transposition crack --max-width N`.",
                        transposition::DEFAULT_MAX_WIDTH
                    ),
                );
            }
        }
    }
    s
}

/// The index-of-coincidence clue, with how far it can stray at this length.
fn ioc_clue(id: &Identification) -> String {
    let english = english::english_ioc();
    let z = (english - id.ioc) / id.ioc_spread.max(1e-9);
    let reading = if z <= 1.5 {
        "English-like: one alphabet, most likely (a Caesar, a substitution, a transposition, or no cipher)"
    } else if z <= 3.0 {
        "between English and random letters: on its own it does not decide between one alphabet and several"
    } else {
        "flatter than English: several alphabets in turn (a Vigenère), or random letters"
    };
    format!(
        "{} letters; index of coincidence {:.4} (English ≈ {english:.3}, which at this length strays by \
         about ± {:.3}; random letters ≈ {:.3}). That is {reading}.",
        id.letters,
        id.ioc,
        id.ioc_spread,
        english::RANDOM_IOC
    )
}

/// The χ² clue: are these English's own letters?
fn chi_clue(id: &Identification) -> String {
    match id.transposition_skipped {
        Some(why) if id.chi_squared > identify::TRANSPOSITION_CHI => format!(
            "χ² against English's letter counts is {:.1} (English text stays under {:.0}): {why}, so it is \
             not a transposition (its search was skipped).",
            id.chi_squared,
            identify::TRANSPOSITION_CHI
        ),
        Some(why) => format!(
            "χ² against English's letter counts is {:.1}: English's own letters, and {why} (so the \
             transposition search was skipped).",
            id.chi_squared
        ),
        None => format!(
            "χ² against English's letter counts is {:.1} (English text stays under {:.0}): these may be \
             English's own letters, as a transposition or no cipher would leave them.",
            id.chi_squared,
            identify::TRANSPOSITION_CHI
        ),
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
