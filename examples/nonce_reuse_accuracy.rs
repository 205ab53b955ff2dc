//! How much of a set of messages the many-time-pad attack reads, by number
//! of messages and message length.
//!
//! For each cell of the table this draws `messages` runs of whole words,
//! each from the start of a sentence, from the *held-out* English text (`data/english/heldout.txt`: paragraphs left
//! out of the statistics tables, so the attack is measured on English it has
//! never seen; runs of spaces and line breaks become one space), encrypts
//! them all in ctr under one random key and ONE nonce — the mistake — with
//! the `ctr` crate through [`cryptolab::suite::Cipher`], hands only the
//! ciphertexts to [`cryptolab::attacks::many_time_pad::recover`] and counts
//! the bytes of the recovered plaintexts that equal the truth (case and
//! punctuation included), after the column stage alone and after refining.
//!
//! A "length" of `40+` draws each message's length uniformly from 40–80
//! bytes, as a real set of messages is ragged; a single number is every
//! message's length (cut at a word end at or after it). Everything is
//! seeded, so two runs print the same table. Run it in release mode:
//!
//! ```text
//! cargo run --release --example nonce_reuse_accuracy
//! cargo run --release --example nonce_reuse_accuracy -- --trials 50 --messages 20 --lengths 40+
//! ```
//!
//! It prints a Markdown table; `docs/CLASSICAL.md` holds the latest one.

use std::time::Instant;

use clap::Parser;
use cryptolab::attacks::many_time_pad::{accuracy, recover};
use cryptolab::suite::{Cipher, Suite};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};

/// Held-out English, never used to build the tables.
const HELD_OUT: &str = include_str!("../data/english/heldout.txt");

#[derive(Parser, Debug)]
#[command(about = "Accuracy of the many-time-pad attack, as a Markdown table")]
struct Args {
    /// Trials per cell.
    #[arg(long, default_value_t = 20)]
    trials: usize,
    /// Numbers of messages (default: 5,10,20,40).
    #[arg(long, value_delimiter = ',')]
    messages: Vec<usize>,
    /// Message lengths in bytes; `40+` means 40–80 at random (default: 20,40+,60,100).
    #[arg(long, value_delimiter = ',')]
    lengths: Vec<String>,
}

fn main() {
    let args = Args::parse();
    let messages = if args.messages.is_empty() { vec![5, 10, 20, 40] } else { args.messages.clone() };
    let lengths: Vec<String> = if args.lengths.is_empty() {
        ["20", "40+", "60", "100"].map(String::from).to_vec()
    } else {
        args.lengths.clone()
    };
    let corpus = Corpus::new(HELD_OUT);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2026);
    println!(
        "| messages | length (bytes) | trials | bytes right, column stage | bytes right, refined | \
         trials ≥ 95 % | time per set (mean) |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for &n in &messages {
        for len in &lengths {
            let (mut col, mut fin, mut total, mut good) = (0usize, 0usize, 0usize, 0usize);
            let started = Instant::now();
            for _ in 0..args.trials {
                let texts: Vec<&str> =
                    (0..n).map(|_| corpus.sample(length(len, &mut rng), &mut rng)).collect();
                let mut key = [0u8; 16];
                rng.fill_bytes(&mut key);
                let mut nonce = [0u8; 16];
                rng.fill_bytes(&mut nonce);
                let cipher = Cipher::new(Suite::Ctr, &key, None).expect("a 16-byte key");
                let bodies: Vec<Vec<u8>> = texts
                    .iter()
                    .map(|t| {
                        let mut body = Vec::new();
                        cipher.seal_with_iv(&[], t.as_bytes(), &nonce, &mut body).expect("a 16-byte nonce");
                        body.split_off(nonce.len())
                    })
                    .collect();
                let cts: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
                let truth: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
                let r = recover(&cts, |_| {});
                let column_stage: Vec<Vec<u8>> = cts
                    .iter()
                    .map(|c| cryptolab::attacks::many_time_pad::xor(c, &r.column_keystream))
                    .collect();
                let (c_right, t) = accuracy(&column_stage, &truth);
                let (f_right, _) = accuracy(&r.plaintexts, &truth);
                col += c_right;
                fin += f_right;
                total += t;
                if f_right as f64 >= 0.95 * t as f64 {
                    good += 1;
                }
            }
            let pct = |k: usize| format!("{:.1} %", 100.0 * k as f64 / total.max(1) as f64);
            println!(
                "| {n} | {len} | {} | {} | {} | {:.0} % | {:.1} ms |",
                args.trials,
                pct(col),
                pct(fin),
                100.0 * good as f64 / args.trials.max(1) as f64,
                started.elapsed().as_secs_f64() * 1000.0 / args.trials.max(1) as f64
            );
        }
    }
}

/// A message length for the column `len`: a number, or 40–80 for `40+`.
fn length(len: &str, rng: &mut Xoshiro256PlusPlus) -> usize {
    match len.strip_suffix('+') {
        Some(min) => {
            let min: usize = min.parse().expect("a length like 40+");
            rng.random_range(min..=2 * min)
        }
        None => len.parse().expect("a length in bytes"),
    }
}

/// The held-out text with every run of whitespace made one space, the
/// places where words begin, and those where sentences begin.
struct Corpus {
    text: String,
    word_starts: Vec<usize>,
    sentence_starts: Vec<usize>,
}

impl Corpus {
    fn new(raw: &str) -> Self {
        let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut word_starts = vec![0];
        word_starts.extend(text.match_indices(' ').map(|(i, _)| i + 1));
        let sentence_starts = word_starts
            .iter()
            .copied()
            .filter(|&s| s == 0 || matches!(text.as_bytes()[s - 2], b'.' | b'!' | b'?'))
            .collect();
        Corpus { text, word_starts, sentence_starts }
    }

    /// Whole words from the start of a random sentence (a message starts
    /// where a sentence does): `n` bytes, or a few more to end the last
    /// word; sentences may run on into the next.
    fn sample(&self, n: usize, rng: &mut Xoshiro256PlusPlus) -> &str {
        let usable = self.sentence_starts.partition_point(|&s| s + n + 40 <= self.text.len());
        let start = self.sentence_starts[rng.random_range(0..usable)];
        let end = self.word_starts[self.word_starts.partition_point(|&s| s <= start + n)] - 1;
        &self.text[start..end]
    }
}
