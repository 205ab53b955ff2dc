//! Accuracy and speed of the classical crackers, by ciphertext length.
//!
//! For each cipher and each length (letters only: 50, 100, 200, 400, 800
//! letters; Caesar also 20–40), this draws plaintexts from the *held-out*
//! English text (`data/english/heldout.txt`: paragraphs of the source book
//! that were left out of the statistics tables, so the crackers are tested
//! on English they have never seen), encrypts each with a fresh random key,
//! cracks it, and checks the result against the truth:
//!
//! * Caesar — the shift is exactly right.
//! * monoalphabetic — the share of plaintext letters recovered correctly;
//!   counted a success at ≥ 95 % (and reported at ≥ 99 %).
//! * transposition — random key of 2–10 columns (`--widths`, with
//!   `--max-width` for keys wider than the crack's default 12); the
//!   plaintext is exactly right.
//! * Vigenère — random key of 2–12 random letters; the key is exactly right
//!   (or, for a key that repeats itself, the same key written once).
//! * identify — one of plain text, Caesar, mono, transposition (2–10
//!   columns) or Vigenère (2–12 letters) at random; the verdict names it
//!   (with the right shift or key length).
//!
//! Every crack and verdict also says how sure it is (`verdict.rs`): sure,
//! likely, or not a result (too short to tell, too close to call, failed).
//! The table counts how often the verdict is *honest* — right, or it said
//! it could not tell — and how often it claimed (sure or likely) an answer
//! that was wrong. A length written `50-100` draws each sample's length
//! from that range. `--margins FILE` writes every trial's margin and
//! outcome, one CSV line each, to choose the thresholds from.
//!
//! Everything is seeded, so two runs print the same rates (the times vary
//! with the machine). Run it in release mode:
//!
//! ```text
//! cargo run --release --example classical_accuracy            # everything, 50 trials
//! cargo run --release --example classical_accuracy -- --cipher mono --trials 200
//! cargo run --release --example classical_accuracy -- --lengths 50-100 --trials 300
//! ```
//!
//! It prints a Markdown table; `docs/CLASSICAL.md` holds the latest one.

use std::io::Write as _;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use cryptolab::classical::identify::{self, Guess};
use cryptolab::classical::{
    MonoKey, TranspositionKey, Verdict, VigenereKey, caesar, letter_indices, mono, transposition, vigenere,
};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// Held-out English, never used to build the tables.
const HELD_OUT: &str = include_str!("../data/english/heldout.txt");

#[derive(Parser, Debug)]
#[command(about = "Accuracy and speed of the classical crackers, as a Markdown table")]
struct Args {
    /// Trials per cipher and length.
    #[arg(long, default_value_t = 50)]
    trials: usize,
    /// Which cipher to measure.
    #[arg(long, value_enum, default_value_t = Which::All)]
    cipher: Which,
    /// Ciphertext lengths in letters, or ranges such as 50-100 (default:
    /// 50-100,50,100,200,400,800).
    #[arg(long, value_delimiter = ',', value_parser = parse_length)]
    lengths: Vec<Length>,
    /// Transposition: key widths to draw from (default 2-10).
    #[arg(long, value_parser = parse_length_any, default_value = "2-10")]
    widths: Length,
    /// Transposition: the widest key the crack searches (default: the
    /// crack's own).
    #[arg(long)]
    max_width: Option<usize>,
    /// Write every trial's verdict as a CSV line (cipher, letters,
    /// confidence, margin, evidence, right) to FILE.
    #[arg(long, value_name = "FILE")]
    margins: Option<std::path::PathBuf>,
    /// Mono: annealing steps per restart (default: the library's).
    #[arg(long)]
    mono_steps: Option<usize>,
    /// Mono: starting temperature per letter (default: the library's).
    #[arg(long)]
    mono_temperature: Option<f64>,
    /// Mono: most restarts (default: the library's).
    #[arg(long)]
    mono_restarts: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Which {
    All,
    Caesar,
    Mono,
    Transposition,
    Vigenere,
    Identify,
}

/// A sample length: exactly `lo` letters, or drawn from `lo..=hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Length {
    lo: usize,
    hi: usize,
}

impl std::fmt::Display for Length {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.lo == self.hi { write!(f, "{}", self.lo) } else { write!(f, "{}–{}", self.lo, self.hi) }
    }
}

fn parse_length(s: &str) -> Result<Length, String> {
    let l = parse_length_any(s)?;
    if l.lo < 4 {
        return Err(format!("`{s}`: a length is at least 4 letters"));
    }
    Ok(l)
}

fn parse_length_any(s: &str) -> Result<Length, String> {
    let number = |t: &str| t.trim().parse::<usize>().map_err(|e| format!("`{t}`: {e}"));
    let (lo, hi) = match s.split_once('-') {
        Some((a, b)) => (number(a)?, number(b)?),
        None => (number(s)?, number(s)?),
    };
    if lo < 2 || hi < lo {
        return Err(format!("`{s}`: at least 2, and a range runs low-high"));
    }
    Ok(Length { lo, hi })
}

/// What one trial found.
struct Outcome {
    time: Duration,
    /// The answer is right.
    ok: bool,
    /// A second, stricter (or looser) test where it means something.
    strict: Option<bool>,
    /// Share of letters right.
    right: f64,
    /// The verdict on the answer.
    verdict: Verdict,
}

/// One row of the table.
struct Row {
    cipher: &'static str,
    letters: Length,
    trials: usize,
    successes: usize,
    /// A second, stricter success count where it means something.
    strict: Option<usize>,
    mean_right: f64,
    /// Right, or said it could not tell.
    honest: usize,
    /// Said sure or likely, and was wrong.
    claimed_wrong: usize,
    /// Said sure or likely.
    claimed: usize,
    times: Vec<Duration>,
}

fn main() {
    let args = Args::parse();
    let corpus = Corpus::new(HELD_OUT);
    let lengths: Vec<Length> = if args.lengths.is_empty() {
        ["50-100", "50", "100", "200", "400", "800"].iter().map(|s| parse_length(s).expect("valid")).collect()
    } else {
        args.lengths.clone()
    };
    let mut margins = args.margins.as_ref().map(|p| std::fs::File::create(p).expect("margins file"));
    let mut settings = mono::CrackSettings::default();
    if let Some(s) = args.mono_steps {
        settings.steps = s;
    }
    if let Some(t) = args.mono_temperature {
        settings.temperature_per_letter = t;
    }
    if let Some(r) = args.mono_restarts {
        settings.max_restarts = r;
    }

    let mut transposition_settings = transposition::CrackSettings::default();
    if let Some(w) = args.max_width {
        transposition_settings.max_width = w;
    }
    let mut rows = Vec::new();
    let run = |w: Which| args.cipher == Which::All || args.cipher == w;
    if run(Which::Caesar) {
        // Caesar is easy: by default it is also measured on 20–40 letters.
        let mut caesar_lengths = lengths.clone();
        if args.lengths.is_empty() {
            caesar_lengths.splice(1..1, [20, 30, 40].map(|n| Length { lo: n, hi: n }));
        }
        for &n in &caesar_lengths {
            rows.push(measure("Caesar", n, args.trials, &corpus, &mut margins, |pt, rng| {
                let shift = rng.random_range(0..26u8);
                let ct = caesar::encrypt(pt, shift);
                let start = Instant::now();
                let got = caesar::crack(&ct).expect("ciphertext has letters");
                let ok = got.shift == shift;
                Outcome {
                    time: start.elapsed(),
                    ok,
                    strict: None,
                    right: f64::from(u8::from(ok)),
                    verdict: got.verdict,
                }
            }));
        }
    }
    if run(Which::Mono) {
        for &n in &lengths {
            rows.push(measure("mono", n, args.trials, &corpus, &mut margins, |pt, rng| {
                let key = MonoKey::random(rng);
                let ct = mono::encrypt(pt, &key);
                let seed = rng.random::<u64>();
                let start = Instant::now();
                let got = mono::crack_with(&ct, seed, &settings, &mut |_| {}).expect("has letters");
                let time = start.elapsed();
                let right = letters_right(pt, &got.plaintext);
                Outcome { time, ok: right >= 0.95, strict: Some(right >= 0.99), right, verdict: got.verdict }
            }));
        }
    }
    if run(Which::Transposition) {
        for &n in &lengths {
            rows.push(measure("transposition", n, args.trials, &corpus, &mut margins, |pt, rng| {
                let width = rng.random_range(args.widths.lo..=args.widths.hi);
                let key = TranspositionKey::random(width, rng);
                let ct = transposition::encrypt(pt, &key, None);
                let seed = rng.random::<u64>();
                let start = Instant::now();
                let got = transposition::crack_with(&ct, seed, &transposition_settings).expect("has letters");
                let time = start.elapsed();
                let ok = got.plaintext == pt;
                // The one way to fail that is not the search's fault (see
                // `Corpus`): the plaintext, rotated by a few letters.
                let rotated = !ok && format!("{pt}{pt}").contains(&got.plaintext);
                let right = letters_right(pt, &got.plaintext);
                Outcome { time, ok, strict: Some(ok || rotated), right, verdict: got.verdict }
            }));
        }
    }
    if run(Which::Vigenere) {
        for &n in &lengths {
            rows.push(measure("Vigenère", n, args.trials, &corpus, &mut margins, |pt, rng| {
                let len = rng.random_range(2..=12usize);
                let key = VigenereKey::from_shifts((0..len).map(|_| rng.random_range(0..26u8)).collect());
                let ct = vigenere::encrypt(pt, &key);
                let start = Instant::now();
                let got = vigenere::crack(&ct).expect("has letters");
                let time = start.elapsed();
                let right = letters_right(pt, &got.plaintext);
                // A random key can repeat itself (`XYXY`): the crack then
                // gives it written once, the same key.
                let ok = got.key == key || got.plaintext == pt;
                Outcome { time, ok, strict: None, right, verdict: got.verdict }
            }));
        }
    }
    if run(Which::Identify) {
        for &n in &lengths {
            rows.push(measure("identify", n, args.trials, &corpus, &mut margins, |pt, rng| {
                let (ct, truth) = match rng.random_range(0..5u8) {
                    0 => (pt.to_string(), Guess::Plaintext),
                    1 => {
                        let shift = rng.random_range(1..26u8);
                        (caesar::encrypt(pt, shift), Guess::Caesar(shift))
                    }
                    2 => (mono::encrypt(pt, &MonoKey::random(rng)), Guess::Mono),
                    3 => {
                        let key = TranspositionKey::random(rng.random_range(2..=10usize), rng);
                        (transposition::encrypt(pt, &key, None), Guess::Transposition)
                    }
                    _ => {
                        let len = rng.random_range(2..=12usize);
                        let key =
                            VigenereKey::from_shifts((0..len).map(|_| rng.random_range(0..26u8)).collect());
                        (vigenere::encrypt(pt, &key), Guess::Vigenere(len))
                    }
                };
                let start = Instant::now();
                let got = identify::identify(&letter_indices(&ct));
                let time = start.elapsed();
                let ok = got.guess == truth;
                // Right about the cipher, if not about its shift or key length.
                let kind = |g: Guess| std::mem::discriminant(&g);
                let cipher_ok = kind(got.guess) == kind(truth);
                Outcome {
                    time,
                    ok,
                    strict: Some(cipher_ok),
                    right: f64::from(u8::from(ok)),
                    verdict: got.verdict,
                }
            }));
        }
    }
    print_table(&rows);
}

/// Runs `trials` cracks of plaintexts of `n` letters (a few more: whole
/// words); `trial` cracks one and says what it found.
fn measure(
    cipher: &'static str,
    n: Length,
    trials: usize,
    corpus: &Corpus,
    margins: &mut Option<std::fs::File>,
    mut trial: impl FnMut(&str, &mut Xoshiro256PlusPlus) -> Outcome,
) -> Row {
    // The seed depends on the cipher and length only, so rows are reproducible
    // one by one.
    let seed = cipher
        .bytes()
        .fold((n.lo as u64) ^ ((n.hi as u64) << 20), |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut row = Row {
        cipher,
        letters: n,
        trials,
        successes: 0,
        strict: None,
        mean_right: 0.0,
        honest: 0,
        claimed_wrong: 0,
        claimed: 0,
        times: Vec::with_capacity(trials),
    };
    for _ in 0..trials {
        let len = rng.random_range(n.lo..=n.hi);
        let pt = corpus.sample(len, &mut rng);
        let o = trial(pt, &mut rng);
        let claimed = o.verdict.confidence.is_result();
        row.times.push(o.time);
        row.successes += usize::from(o.ok);
        row.honest += usize::from(o.ok || !claimed);
        row.claimed += usize::from(claimed);
        row.claimed_wrong += usize::from(claimed && !o.ok);
        if let Some(s) = o.strict {
            *row.strict.get_or_insert(0) += usize::from(s);
        }
        row.mean_right += o.right / trials as f64;
        if let Some(f) = margins {
            let v = &o.verdict;
            writeln!(
                f,
                "{cipher},{},{},{:.2},{:.2},{}",
                pt.len(),
                v.confidence.id(),
                v.margin,
                v.evidence,
                u8::from(o.ok)
            )
            .expect("margins file");
        }
    }
    row
}

/// The held-out text as upper-case letters, with the places where words
/// begin. A sample is a run of whole words, as a real message is: it starts
/// at a word and ends at the end of a word, so it has `n` letters or a few
/// more. (Cutting mid-word would make some transposition keys ambiguous:
/// for some keys, rotating the column order turns the plaintext into the
/// same plaintext rotated by one letter, and then only the first and last
/// letters can tell which was meant.)
struct Corpus {
    letters: String,
    word_starts: Vec<usize>,
}

impl Corpus {
    fn new(text: &str) -> Self {
        let mut letters = String::new();
        let mut word_starts = Vec::new();
        let mut in_word = false;
        for ch in text.chars() {
            if ch.is_ascii_alphabetic() {
                if !in_word {
                    word_starts.push(letters.len());
                }
                letters.push(ch.to_ascii_uppercase());
            }
            in_word = ch.is_ascii_alphabetic() || ch == '\'' || ch == '-';
        }
        word_starts.push(letters.len());
        Corpus { letters, word_starts }
    }

    /// Whole words from a random place, `n` letters or a few more.
    fn sample(&self, n: usize, rng: &mut Xoshiro256PlusPlus) -> &str {
        let usable = self.word_starts.partition_point(|&s| s + n + 30 <= self.letters.len());
        let start = self.word_starts[rng.random_range(0..usable)];
        let end = self.word_starts[self.word_starts.partition_point(|&s| s < start + n)];
        &self.letters[start..end]
    }
}

/// Share of positions where the two texts have the same letter.
fn letters_right(truth: &str, got: &str) -> f64 {
    let same = truth.bytes().zip(got.bytes()).filter(|(a, b)| a.eq_ignore_ascii_case(b)).count();
    same as f64 / truth.len().max(1) as f64
}

fn print_table(rows: &[Row]) {
    let mut last = "";
    for r in rows {
        if r.cipher != last {
            last = r.cipher;
            let (success, strict) = match r.cipher {
                "Caesar" => ("shift right", None),
                "mono" => ("≥ 95 % of letters right", Some("≥ 99 % of letters right")),
                "transposition" => ("plaintext exact", Some("exact up to a rotation")),
                "identify" => ("verdict right", Some("cipher right")),
                _ => ("key exact", None),
            };
            println!();
            print!("| {} | letters | trials | {success} |", r.cipher);
            if let Some(s) = strict {
                print!(" {s} |");
            }
            print!(" honest: right, or says unsure | claimed (sure or likely) | claimed and wrong |");
            println!(" letters right (mean) | time (mean) | slowest |");
            println!(
                "|---|---:|---:|---:|{}---:|---:|---:|---:|---:|---:|",
                if strict.is_some() { "---:|" } else { "" }
            );
        }
        let pct = |k: usize| format!("{:.0} %", 100.0 * k as f64 / r.trials as f64);
        let mean = r.times.iter().sum::<Duration>() / r.trials.max(1) as u32;
        let max = r.times.iter().max().copied().unwrap_or_default();
        print!("| | {} | {} | {} |", r.letters, r.trials, pct(r.successes));
        if let Some(k) = r.strict {
            print!(" {} |", pct(k));
        }
        print!(" {} | {} | {} |", pct(r.honest), pct(r.claimed), pct(r.claimed_wrong));
        println!(" {:.1} % | {} | {} |", 100.0 * r.mean_right, fmt_time(mean), fmt_time(max));
    }
}

fn fmt_time(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else if us < 1e6 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}
