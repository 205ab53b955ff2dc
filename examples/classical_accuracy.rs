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
//! * transposition — random key of 2–10 columns; the plaintext is exactly
//!   right.
//! * Vigenère — random key of 2–12 random letters; the key is exactly right.
//!
//! Everything is seeded, so two runs print the same rates (the times vary
//! with the machine). Run it in release mode:
//!
//! ```text
//! cargo run --release --example classical_accuracy            # everything, 50 trials
//! cargo run --release --example classical_accuracy -- --cipher mono --trials 200
//! ```
//!
//! It prints a Markdown table; `docs/CLASSICAL.md` holds the latest one.

use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use cryptolab::classical::{MonoKey, TranspositionKey, VigenereKey, caesar, mono, transposition, vigenere};
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
    /// Ciphertext lengths in letters (default: 50,100,200,400,800).
    #[arg(long, value_delimiter = ',')]
    lengths: Vec<usize>,
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
}

/// One row of the table.
struct Row {
    cipher: &'static str,
    letters: usize,
    trials: usize,
    successes: usize,
    /// A second, stricter success count where it means something.
    strict: Option<usize>,
    mean_right: f64,
    times: Vec<Duration>,
}

fn main() {
    let args = Args::parse();
    let corpus = Corpus::new(HELD_OUT);
    let lengths = if args.lengths.is_empty() { vec![50, 100, 200, 400, 800] } else { args.lengths.clone() };
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

    let mut rows = Vec::new();
    let run = |w: Which| args.cipher == Which::All || args.cipher == w;
    if run(Which::Caesar) {
        let mut caesar_lengths = vec![20, 30, 40];
        caesar_lengths.extend(lengths.iter().filter(|&&n| n > 40));
        for &n in &caesar_lengths {
            rows.push(measure("Caesar", n, args.trials, &corpus, |pt, rng| {
                let shift = rng.random_range(0..26u8);
                let ct = caesar::encrypt(pt, shift);
                let start = Instant::now();
                let got = caesar::crack(&ct).expect("ciphertext has letters");
                let ok = got.shift == shift;
                (start.elapsed(), ok, None, if ok { 1.0 } else { 0.0 })
            }));
        }
    }
    if run(Which::Mono) {
        for &n in &lengths {
            rows.push(measure("mono", n, args.trials, &corpus, |pt, rng| {
                let key = MonoKey::random(rng);
                let ct = mono::encrypt(pt, &key);
                let seed = rng.random::<u64>();
                let start = Instant::now();
                let got = mono::crack_with(&ct, seed, &settings, &mut |_| {}).expect("has letters");
                let elapsed = start.elapsed();
                let right = letters_right(pt, &got.plaintext);
                (elapsed, right >= 0.95, Some(right >= 0.99), right)
            }));
        }
    }
    if run(Which::Transposition) {
        for &n in &lengths {
            rows.push(measure("transposition", n, args.trials, &corpus, |pt, rng| {
                let width = rng.random_range(2..=10usize);
                let key = TranspositionKey::random(width, rng);
                let ct = transposition::encrypt(pt, &key, None);
                let seed = rng.random::<u64>();
                let start = Instant::now();
                let got = transposition::crack(&ct, seed).expect("has letters");
                let elapsed = start.elapsed();
                let ok = got.plaintext == pt;
                // The one way to fail that is not the search's fault (see
                // `Corpus`): the plaintext, rotated by a few letters.
                let rotated = !ok && format!("{pt}{pt}").contains(&got.plaintext);
                (elapsed, ok, Some(ok || rotated), letters_right(pt, &got.plaintext))
            }));
        }
    }
    if run(Which::Vigenere) {
        for &n in &lengths {
            rows.push(measure("Vigenère", n, args.trials, &corpus, |pt, rng| {
                let len = rng.random_range(2..=12usize);
                let key = VigenereKey::from_shifts((0..len).map(|_| rng.random_range(0..26u8)).collect());
                let ct = vigenere::encrypt(pt, &key);
                let start = Instant::now();
                let got = vigenere::crack(&ct).expect("has letters");
                let elapsed = start.elapsed();
                let ok = got.key == key;
                (elapsed, ok, None, letters_right(pt, &got.plaintext))
            }));
        }
    }
    print_table(&rows);
}

/// Runs `trials` cracks of `n`-letter plaintexts; `trial` returns
/// (time, success, strict success, share of letters right).
fn measure(
    cipher: &'static str,
    n: usize,
    trials: usize,
    corpus: &Corpus,
    mut trial: impl FnMut(&str, &mut Xoshiro256PlusPlus) -> (Duration, bool, Option<bool>, f64),
) -> Row {
    // The seed depends on the cipher and length only, so rows are reproducible
    // one by one.
    let seed = cipher.bytes().fold(n as u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut row = Row {
        cipher,
        letters: n,
        trials,
        successes: 0,
        strict: None,
        mean_right: 0.0,
        times: Vec::with_capacity(trials),
    };
    for _ in 0..trials {
        let pt = corpus.sample(n, &mut rng);
        let (time, ok, strict, right) = trial(pt, &mut rng);
        row.times.push(time);
        row.successes += ok as usize;
        if let Some(s) = strict {
            *row.strict.get_or_insert(0) += s as usize;
        }
        row.mean_right += right / trials as f64;
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
                _ => ("key exact", None),
            };
            println!();
            print!("| {} | letters | trials | {success} |", r.cipher);
            if let Some(s) = strict {
                print!(" {s} |");
            }
            println!(" letters right (mean) | time per crack (mean) | slowest |");
            println!("|---|---:|---:|---:|{}---:|---:|---:|", if strict.is_some() { "---:|" } else { "" });
        }
        let pct = |k: usize| format!("{:.0} %", 100.0 * k as f64 / r.trials as f64);
        let mean = r.times.iter().sum::<Duration>() / r.trials.max(1) as u32;
        let max = r.times.iter().max().copied().unwrap_or_default();
        print!("| | {} | {} | {} |", r.letters, r.trials, pct(r.successes));
        if let Some(k) = r.strict {
            print!(" {} |", pct(k));
        }
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
