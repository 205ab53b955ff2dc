//! The narrated demos (`cryptolab classical caesar|mono|transposition|vigenere`
//! without an action) and the classical section of `cryptolab tour`.
//!
//! Each demo encrypts a public-domain passage with a random key drawn from
//! a seed, then breaks it step by step, saying which statistic gave the key
//! away — the same [`super::report`] tables the `crack` command prints.
//! Pure: [`narrate`] returns the text; [`tour_section`] writes to the
//! caller's writer.

use std::fmt::Write as _;
use std::io::{self, Write};

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use super::cipher::Cipher;
use super::report::{
    Paint, SCORE_NOTE, caesar_table, english_order, first_chars, para, period_table, width_table, wrap,
};
use super::{
    MonoKey, TranspositionKey, VigenereKey, analysis, caesar, english, letter, letter_indices, mono,
    transposition, vigenere,
};

/// A short passage for the Caesar demo (Ambrose Bierce, *The Devil's
/// Dictionary*, 1911, public domain).
const SHORT_SAMPLE: &str = "Cynic: a blackguard whose faulty vision sees things as they are, \
not as they ought to be.";

/// A longer passage for the other demos, about 400 letters (same source).
pub const LONG_SAMPLE: &str = "Calamity: a more than commonly plain and unmistakable reminder that \
the affairs of this life are not of our own ordering. Calamities are of two kinds: misfortune to \
ourselves, and good fortune to others. Consult: to seek another's disapproval of a course already \
decided on. Contempt: the feeling of a prudent man for an enemy who is too formidable safely to be \
opposed. Future: that period of time in which our affairs prosper, our friends are true and our \
happiness is assured.";

/// The narrated demo of `cryptolab classical <cipher>`: a passage encrypted
/// with a random key drawn from `seed`, then cracked in front of the reader
/// with the statistic that gives it away. The same `seed` gives the same text.
pub fn narrate(cipher: Cipher, seed: u64, color: bool) -> String {
    let paint = Paint(color);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut s = String::new();
    let _ = writeln!(s, "{} — a demo (--seed {seed} repeats it)", paint.title(cipher.title()));
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
            let _ = writeln!(s, "{} {}", paint.label("confidence:"), c.verdict.summary());
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
            let _ = writeln!(s, "{}", wrap(&format!("confidence: {}", c.verdict.summary()), 78, ""));
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
            let _ = writeln!(s, "{}", wrap(&format!("confidence: {}", c.verdict.summary()), 78, ""));
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
                    "Length {} has the most support: its columns look like English, and no longer key fits \
                     well enough to pay for its extra letters. Each column is then a Caesar.",
                    c.key.len()
                ),
            );
            let _ = writeln!(s, "{}", wrap(&format!("confidence: {}", c.verdict.summary()), 78, ""));
            let _ = writeln!(s, "{} {}", paint.label("key:"), c.key);
            let _ = writeln!(s, "{}", wrap(&c.plaintext, 76, "  "));
        }
    }
    s
}

/// The classical section of `cryptolab tour`: a Caesar and a substitution
/// broken in front of the reader, with the statistic that gave each away.
/// Deterministic for a given `seed`; ten lines within 80 columns; well under a second.
pub fn tour_section(out: &mut dyn Write, seed: u64) -> io::Result<()> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut s = String::new();
    let shift = rng.random_range(1..26u8);
    let ct = caesar::encrypt(SHORT_SAMPLE, shift);
    let _ = writeln!(s, "Caesar, shift {shift}: \"{}\"", first_chars(&ct, 44));
    let c = caesar::crack(&ct).expect("the sample has letters");
    let _ = writeln!(
        s,
        "  All 26 shifts tried: {} fits English letter counts best (χ² {:.1}; next {:.1}):",
        c.shift, c.ranking[0].chi_squared, c.ranking[1].chi_squared
    );
    let _ = writeln!(s, "  \"{}\"", first_chars(&c.plaintext, 66));
    let key = MonoKey::random(&mut rng);
    let ct = mono::encrypt(LONG_SAMPLE, &key);
    let _ = writeln!(s, "Substitution, one of 26! ≈ 4·10²⁶ alphabets ({key}):");
    let _ = writeln!(s, "  \"{}\"", first_chars(&ct, 66));
    let m = mono::crack(&ct, rng.random()).expect("the sample has letters");
    let right =
        letter_indices(LONG_SAMPLE).iter().zip(letter_indices(&m.plaintext)).filter(|(a, b)| *a == b).count();
    let total = letter_indices(LONG_SAMPLE).len();
    let _ = writeln!(
        s,
        "  Simulated annealing on quadgrams ({} restarts): {:.2} per quadgram (English",
        m.restarts, m.score
    );
    let _ = writeln!(s, "  ≈ -4.2), {right} of {total} letters right: \"{}\"", first_chars(&m.plaintext, 30));
    let _ = writeln!(s, "  Neither hides the language's statistics (a modern cipher must look like");
    let _ = writeln!(s, "  noise). More: cryptolab classical caesar | mono | transposition | vigenere");
    out.write_all(s.as_bytes())
}
