//! The many-time pad: reading messages that share one keystream, with no
//! known plaintext at all.
//!
//! A stream mode (ctr, ofb — and gcm, whose body is ctr) encrypts by
//! `C = P ⊕ KS`, where the keystream `KS` depends only on the key and the
//! IV or nonce (SP 800-38A §6.4–6.5, SP 800-38D §7.1). Send many messages
//! under one key and one nonce and every one of them is XORed with the same
//! `KS`: byte `j` of every ciphertext was XORed with the same byte `KS_j`.
//! Line the ciphertexts up and each *column* is a single-byte XOR cipher —
//! 256 possible keys, and many samples of English to judge them by. This is
//! the Venona break, and cryptopals set 3, challenges 19 and 20.
//!
//! # How [`recover`] reads them
//!
//! 1. **Column by column.** For every column `j` and every byte `k`, XOR the
//!    column with `k` and score the result under a model of English bytes
//!    ([`Model`]: how often a byte is a letter, a space, punctuation, …; the
//!    letters weighted by the project's English letter frequencies,
//!    [`crate::classical::english`]). The best `k` is the column's guess of
//!    `KS_j`. With twenty messages this is right for nearly every column;
//!    where only one or two messages are that long, it is a guess.
//! 2. **Refine.** Column scores look at one byte at a time, so they cannot
//!    tell `Q` from `q` in `quick` (both letters) nor `d` from `t` at the
//!    end of `worl?`. The refinement scores whole messages instead: each
//!    byte given the one before (a capital after `. `, a space after a
//!    letter) and each letter given the three letters before it (the
//!    project's quadgram table turned into P(d | abc)), and how a message
//!    ends (a full stop more often than a space). It changes one
//!    column at a time to whichever byte makes all the messages most
//!    English, and repeats until nothing changes (coordinate ascent).
//!
//! Each column's **confidence** is the probability the model gives the
//! chosen byte against the other candidates (all 256 where few messages
//! reach the column; where six or more do, the eight the column stage
//! ranked best — the rest are far less likely), the other columns held
//! fixed: near 1 where
//! twenty letters agree, near chance where one message goes on alone.
//!
//! Nothing here knows the key or the plaintexts: the attack sees only the
//! ciphertexts. `docs/CLASSICAL.md` measures it on held-out English
//! (`examples/nonce_reuse_accuracy.rs`).

use std::sync::OnceLock;

use crate::classical::english;

/// How a byte is judged: what kind of byte it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// `a`–`z`.
    Lower,
    /// `A`–`Z`.
    Upper,
    /// ` `.
    Space,
    /// `0`–`9`.
    Digit,
    /// Printable ASCII punctuation.
    Punct,
    /// A byte of 0x80 and above (UTF-8 beyond ASCII).
    High,
    /// A control byte: 0x00–0x1f and 0x7f.
    Control,
}

impl Class {
    const COUNT: usize = 7;

    fn of(b: u8) -> Class {
        match b {
            b'a'..=b'z' => Class::Lower,
            b'A'..=b'Z' => Class::Upper,
            b' ' => Class::Space,
            b'0'..=b'9' => Class::Digit,
            0x21..=0x7e => Class::Punct,
            0x80..=0xff => Class::High,
            0x00..=0x1f | 0x7f => Class::Control,
        }
    }

    fn index(self) -> usize {
        match self {
            Class::Lower => 0,
            Class::Upper => 1,
            Class::Space => 2,
            Class::Digit => 3,
            Class::Punct => 4,
            Class::High => 5,
            Class::Control => 6,
        }
    }
}

/// Where a byte stands, as far as the byte model cares: what came just
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// The first byte of a message.
    Start,
    /// After a letter.
    AfterLetter,
    /// After a space that follows `.`, `!` or `?`.
    AfterSentence,
    /// After any other space.
    AfterSpace,
    /// After punctuation, a digit or anything else.
    AfterOther,
    /// No context: the average over English prose (the column stage).
    Any,
}

impl Context {
    const ALL: [Context; 6] = [
        Context::Start,
        Context::AfterLetter,
        Context::AfterSentence,
        Context::AfterSpace,
        Context::AfterOther,
        Context::Any,
    ];

    fn index(self) -> usize {
        match self {
            Context::Start => 0,
            Context::AfterLetter => 1,
            Context::AfterSentence => 2,
            Context::AfterSpace => 3,
            Context::AfterOther => 4,
            Context::Any => 5,
        }
    }

    /// The context of the byte at `pos` of `text`.
    fn at(text: &[u8], pos: usize) -> Context {
        let Some(pos) = pos.checked_sub(1) else { return Context::Start };
        match Class::of(text[pos]) {
            Class::Lower | Class::Upper => Context::AfterLetter,
            Class::Space => match pos.checked_sub(1).map(|p| text[p]) {
                Some(b'.' | b'!' | b'?') => Context::AfterSentence,
                _ => Context::AfterSpace,
            },
            Class::Digit | Class::Punct | Class::High | Class::Control => Context::AfterOther,
        }
    }

    /// How likely each class is in this context, in the order of
    /// [`Class::index`]. Rough shares for English prose (a word is about
    /// 4.7 letters, so about one letter in five is followed by a space or a
    /// mark; sentences start with a capital); each row sums to 1.
    fn class_shares(self) -> [f64; Class::COUNT] {
        //                        lower  upper  space  digit  punct  high   control
        match self {
            Context::Start => [0.250, 0.550, 0.020, 0.030, 0.140, 0.009, 0.001],
            Context::AfterLetter => [0.770, 0.010, 0.170, 0.002, 0.046, 0.0015, 0.0005],
            Context::AfterSentence => [0.050, 0.850, 0.020, 0.020, 0.050, 0.009, 0.001],
            Context::AfterSpace => [0.860, 0.090, 0.003, 0.010, 0.030, 0.006, 0.001],
            Context::AfterOther => [0.200, 0.050, 0.550, 0.050, 0.140, 0.009, 0.001],
            Context::Any => [0.775, 0.025, 0.170, 0.002, 0.026, 0.0015, 0.0005],
        }
    }
}

/// How likely a message is to end after byte `b`: often after `.`, `?`,
/// `!` or a closing quote or bracket; rarely after a letter or digit;
/// almost never after a space. (Rough shares; only their ratios matter.)
fn end_share(b: u8) -> f64 {
    match Class::of(b) {
        Class::Punct if matches!(b, b'.' | b'?' | b'!' | b'"' | b')') => 0.3,
        Class::Punct => 0.02,
        Class::Lower | Class::Upper | Class::Digit => 0.01,
        Class::Space => 0.0005,
        Class::High | Class::Control => 0.005,
    }
}

/// The relative weights of the punctuation marks: `,` and `.` most, then
/// apostrophes, hyphens and quotes; every other mark rarely.
fn punct_weight(b: u8) -> f64 {
    match b {
        b',' => 30.0,
        b'.' => 25.0,
        b'\'' | b'-' => 8.0,
        b'"' => 6.0,
        b';' | b':' | b'!' | b'?' => 3.0,
        b'(' | b')' => 2.0,
        _ => 0.3,
    }
}

/// A model of English text as bytes: `ln P(byte | context)`, with letters
/// weighted by English letter frequencies, plus the four-letter conditional
/// `ln P(d | a b c)` from the quadgram table.
pub struct Model {
    /// `ln P(b | context)` for every context and byte, letters by their
    /// single-letter frequency.
    byte: Vec<[f32; 256]>,
    /// `ln P(class)` for every context (letters then add their own share).
    class: Vec<[f32; Class::COUNT]>,
    /// `ln P(letter)` among letters.
    letter: [f32; 26],
    /// `ln P(d | abc)`, indexed like the quadgram table.
    next_letter: Vec<f32>,
}

impl Model {
    /// The one model, built on first use from the committed English tables.
    pub fn english() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(Model::build)
    }

    fn build() -> Model {
        let freq = english::letter_frequencies();
        let letter = freq.map(|p| p.ln() as f32);
        let punct_total: f64 =
            (0x21u8..=0x7e).filter(|b| Class::of(*b) == Class::Punct).map(punct_weight).sum();
        let control_weight = |b: u8| if matches!(b, b'\n' | b'\t') { 10.0 } else { 1.0 };
        let control_total: f64 =
            (0u8..=0xff).filter(|b| Class::of(*b) == Class::Control).map(control_weight).sum();
        let within = |b: u8| -> f64 {
            match Class::of(b) {
                Class::Lower => freq[(b - b'a') as usize],
                Class::Upper => freq[(b - b'A') as usize],
                Class::Space => 1.0,
                Class::Digit => 0.1,
                Class::Punct => punct_weight(b) / punct_total,
                Class::High => 1.0 / 128.0,
                Class::Control => control_weight(b) / control_total,
            }
        };
        let mut byte = Vec::new();
        let mut class = Vec::new();
        for ctx in Context::ALL {
            let shares = ctx.class_shares();
            class.push(shares.map(|s| s.ln() as f32));
            let mut row = [0f32; 256];
            for (b, slot) in row.iter_mut().enumerate() {
                let b = b as u8;
                *slot = (shares[Class::of(b).index()] * within(b)).ln() as f32;
            }
            byte.push(row);
        }
        // P(d | abc) = Q(abcd) / Σ_x Q(abcx), from the quadgram log10 table.
        let quad = english::quadgram_log_probs();
        let mut next_letter = vec![0f32; english::QUADGRAM_SPACE];
        for (abc, chunk) in quad.chunks(26).enumerate() {
            let total: f64 = chunk.iter().map(|l| 10f64.powf(f64::from(*l))).sum();
            let ln_total = total.ln();
            for (d, l) in chunk.iter().enumerate() {
                next_letter[abc * 26 + d] = (f64::from(*l) * std::f64::consts::LN_10 - ln_total) as f32;
            }
        }
        Model { byte, class, letter, next_letter }
    }

    /// The column stage's score of one byte: `ln P(b)` with no context,
    /// or as the first byte of a message.
    fn column_score(&self, b: u8, first: bool) -> f32 {
        let ctx = if first { Context::Start } else { Context::Any };
        self.byte[ctx.index()][b as usize]
    }

    /// The log-likelihood of a whole text: each byte given the one before,
    /// each letter given the three letters before it (case ignored), and
    /// where it ends (a full stop likelier than a space).
    pub fn text_score(&self, text: &[u8]) -> f32 {
        self.window_score(text, 0..text.len())
    }

    /// The part of [`Model::text_score`] that the bytes at `window` add
    /// (each judged in its context, which may reach before the window).
    /// Changing one byte changes only the terms of the window
    /// [`influence`] gives, so the refinement rescores just that.
    fn window_score(&self, text: &[u8], window: std::ops::Range<usize>) -> f32 {
        let mut score = 0.0;
        // The last three letters before the window, as 0–25 (letters only:
        // spaces and marks are skipped, as in the quadgram table).
        let mut last = [0u8; 3];
        let mut seen = 0usize;
        for &b in text[..window.start].iter().rev() {
            if b.is_ascii_alphabetic() {
                last[2 - seen] = b.to_ascii_lowercase() - b'a';
                seen += 1;
                if seen == 3 {
                    break;
                }
            }
        }
        let end = text.len();
        for pos in window {
            let b = text[pos];
            let ends = if pos + 1 == end { end_share(b) } else { 1.0 - end_share(b) };
            score += ends.ln() as f32;
            let ctx = Context::at(text, pos).index();
            let class = Class::of(b);
            match class {
                Class::Lower | Class::Upper => {
                    let l = b.to_ascii_lowercase() - b'a';
                    score += self.class[ctx][class.index()];
                    score += if seen >= 3 {
                        self.next_letter[english::quadgram_index(last[0], last[1], last[2], l)]
                    } else {
                        self.letter[l as usize]
                    };
                    last = [last[1], last[2], l];
                    seen += 1;
                }
                Class::Space | Class::Digit | Class::Punct | Class::High | Class::Control => {
                    score += self.byte[ctx][b as usize];
                }
            }
        }
        score
    }
}

/// The positions of `text` whose terms in [`Model::text_score`] depend on
/// byte `j`: `j` itself, the next two bytes (their context reads byte `j`),
/// and every byte up to the third letter after `j` (the letters whose
/// three-letter history may include byte `j`). The letters after `j` do not
/// change with byte `j`, so the window is the same for every candidate.
fn influence(text: &[u8], j: usize) -> std::ops::Range<usize> {
    let mut letters = 0;
    let mut end = j + 1;
    while end < text.len() && (letters < 3 || end < j + 3) {
        if text[end].is_ascii_alphabetic() {
            letters += 1;
        }
        end += 1;
    }
    j..end.min(text.len())
}

/// One column's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// How many ciphertexts reach this column.
    pub samples: usize,
    /// The model's probability that the chosen keystream byte is right,
    /// against the column's other candidates (the other columns held fixed).
    pub confidence: f64,
}

/// What [`recover`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    /// The keystream guessed, as long as the longest ciphertext.
    pub keystream: Vec<u8>,
    /// The keystream after the column stage alone (before refining).
    pub column_keystream: Vec<u8>,
    /// Each ciphertext XORed with [`Recovery::keystream`].
    pub plaintexts: Vec<Vec<u8>>,
    /// One entry per keystream byte.
    pub columns: Vec<Column>,
    /// Refinement passes made (the last changed nothing).
    pub passes: usize,
}

impl Recovery {
    /// The mean confidence over every ciphertext byte (columns weighted by
    /// how many ciphertexts reach them).
    pub fn mean_confidence(&self) -> f64 {
        let bytes: usize = self.columns.iter().map(|c| c.samples).sum();
        if bytes == 0 {
            return 0.0;
        }
        self.columns.iter().map(|c| c.confidence * c.samples as f64).sum::<f64>() / bytes as f64
    }
}

/// Where [`recover`] is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The column stage is done.
    Columns,
    /// Refinement pass `n` is done; `changed` columns moved in it.
    Pass {
        /// The pass, from 1.
        n: usize,
        /// How many columns changed in it.
        changed: usize,
    },
    /// Confidences computed: the end.
    Done,
}

/// The most refinement passes (each changes only what improves the score,
/// so it stops by itself well before this).
pub const MAX_PASSES: usize = 12;

/// Columns reached by at least this many ciphertexts are refined over their
/// best few column-stage candidates only; sparser columns over all 256.
const DENSE: usize = 6;

/// How many column-stage candidates a dense column keeps.
const KEEP: usize = 8;

/// Recovers messages that share one keystream, from their ciphertexts
/// alone (see the module page). `progress` hears each stage as it ends.
pub fn recover(ciphertexts: &[&[u8]], mut progress: impl FnMut(Stage)) -> Recovery {
    let model = Model::english();
    let width = ciphertexts.iter().map(|c| c.len()).max().unwrap_or(0);
    let column = |j: usize| ciphertexts.iter().filter_map(move |c| c.get(j).copied());
    let samples: Vec<usize> = (0..width).map(|j| column(j).count()).collect();

    // 1. Column by column: the best single-byte XOR key under the byte model.
    let mut candidates: Vec<Vec<u8>> = Vec::with_capacity(width);
    for (j, &n) in samples.iter().enumerate() {
        let mut scored: Vec<(f32, u8)> =
            (0..=255u8).map(|k| (column(j).map(|c| model.column_score(c ^ k, j == 0)).sum(), k)).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let keep = if n >= DENSE { KEEP } else { 256 };
        candidates.push(scored.iter().take(keep).map(|&(_, k)| k).collect());
    }
    let column_keystream: Vec<u8> = candidates.iter().map(|c| c[0]).collect();
    progress(Stage::Columns);

    // 2. Refine: one column at a time, the byte that makes the messages most
    //    English as wholes.
    let mut keystream = column_keystream.clone();
    let mut plaintexts: Vec<Vec<u8>> = ciphertexts.iter().map(|c| xor(c, &keystream)).collect();
    let mut passes = 0;
    while passes < MAX_PASSES {
        passes += 1;
        let mut changed = 0;
        for (j, cands) in candidates.iter().enumerate() {
            let scores =
                column_scores(model, ciphertexts, &mut plaintexts, j, keystream[j], cands.iter().copied());
            let best = best_byte(&scores, keystream[j]);
            if best != keystream[j] {
                set_column(ciphertexts, &mut plaintexts, j, best);
                keystream[j] = best;
                changed += 1;
            }
        }
        progress(Stage::Pass { n: passes, changed });
        if changed == 0 {
            break;
        }
    }

    // Confidence: the chosen byte's share of the probability over the
    // column's candidates.
    let columns = (0..width)
        .map(|j| {
            let cands = candidates[j].iter().copied();
            let scores = column_scores(model, ciphertexts, &mut plaintexts, j, keystream[j], cands);
            let top = scores.iter().map(|s| s.0).fold(f32::NEG_INFINITY, f32::max);
            let total: f64 = scores.iter().map(|s| f64::from(s.0 - top).exp()).sum();
            let chosen = scores.iter().find(|s| s.1 == keystream[j]).map_or(f32::NEG_INFINITY, |s| s.0);
            Column { samples: samples[j], confidence: f64::from(chosen - top).exp() / total }
        })
        .collect();
    progress(Stage::Done);
    Recovery { keystream, column_keystream, plaintexts, columns, passes }
}

/// `data ⊕ keystream`, as long as `data` (the keystream is at least as long).
pub fn xor(data: &[u8], keystream: &[u8]) -> Vec<u8> {
    data.iter().zip(keystream).map(|(d, k)| d ^ k).collect()
}

/// Sets keystream byte `j` to `k` in every plaintext that reaches column `j`.
fn set_column(ciphertexts: &[&[u8]], plaintexts: &mut [Vec<u8>], j: usize, k: u8) {
    for (c, p) in ciphertexts.iter().zip(plaintexts.iter_mut()) {
        if let Some(&b) = c.get(j) {
            p[j] = b ^ k;
        }
    }
}

/// The score of every candidate for column `j`: the sum, over the
/// messages that reach it, of the terms byte `j` can change
/// ([`influence`]) — enough to compare candidates, since every other term
/// is the same for all of them. The plaintexts are left as they were, with
/// keystream byte `current`.
fn column_scores(
    model: &Model,
    ciphertexts: &[&[u8]],
    plaintexts: &mut [Vec<u8>],
    j: usize,
    current: u8,
    cands: impl Iterator<Item = u8>,
) -> Vec<(f32, u8)> {
    let windows: Vec<(usize, std::ops::Range<usize>)> = plaintexts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.len() > j)
        .map(|(i, p)| (i, influence(p, j)))
        .collect();
    let scores = cands
        .map(|k| {
            set_column(ciphertexts, plaintexts, j, k);
            let s = windows.iter().map(|(i, w)| model.window_score(&plaintexts[*i], w.clone())).sum();
            (s, k)
        })
        .collect();
    set_column(ciphertexts, plaintexts, j, current);
    scores
}

/// The best-scoring candidate (ties: `current`, then the earlier one).
fn best_byte(scores: &[(f32, u8)], current: u8) -> u8 {
    let mut best = (current, scores.iter().find(|s| s.1 == current).map_or(f32::NEG_INFINITY, |s| s.0));
    for &(s, k) in scores {
        if s > best.1 {
            best = (k, s);
        }
    }
    best.0
}

/// The share of bytes of `recovered` equal to `truth`, over all messages
/// (both lists in the same order; lengths as the ciphertexts').
pub fn accuracy(recovered: &[Vec<u8>], truth: &[&[u8]]) -> (usize, usize) {
    let mut right = 0;
    let mut total = 0;
    for (r, t) in recovered.iter().zip(truth) {
        total += t.len();
        right += r.iter().zip(t.iter()).filter(|(a, b)| a == b).count();
    }
    (right, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_outscores_its_own_case_flips_and_shifts() {
        let m = Model::english();
        let text = b"Call me Ishmael. Some years ago, never mind how long precisely.";
        let flipped: Vec<u8> = text.iter().map(|b| b ^ 0x20).collect();
        let shifted: Vec<u8> = text.iter().map(|b| b ^ 0x01).collect();
        assert!(m.text_score(text) > m.text_score(&flipped));
        assert!(m.text_score(text) > m.text_score(&shifted));
        assert!(m.text_score(b"the world") > m.text_score(b"the worlt"));
    }

    #[test]
    fn every_context_row_is_a_distribution() {
        for ctx in Context::ALL {
            let sum: f64 = ctx.class_shares().iter().sum();
            assert!((sum - 1.0).abs() < 1e-9, "{ctx:?}: {sum}");
            let m = Model::english();
            let p: f64 = m.byte[ctx.index()].iter().map(|l| f64::from(*l).exp()).sum();
            assert!((p - 1.0).abs() < 1e-3, "{ctx:?}: {p}");
        }
        let m = Model::english();
        let p: f64 =
            (0..26).map(|d| f64::from(m.next_letter[english::quadgram_index(19, 7, 4, d)]).exp()).sum();
        assert!((p - 1.0).abs() < 1e-3, "P(· | THE) sums to {p}");
    }

    #[test]
    fn the_contexts_are_read_from_the_byte_before() {
        let t = b"Hi. So, a b";
        assert_eq!(Context::at(t, 0), Context::Start);
        assert_eq!(Context::at(t, 1), Context::AfterLetter);
        assert_eq!(Context::at(t, 4), Context::AfterSentence);
        assert_eq!(Context::at(t, 7), Context::AfterOther);
        assert_eq!(Context::at(t, 10), Context::AfterSpace);
    }

    #[test]
    fn a_window_scores_what_a_whole_text_would() {
        let m = Model::english();
        let text = b"It is a way I have. Of driving off the spleen!".to_vec();
        for j in 0..text.len() {
            for b in [b'#', b'q', b' '] {
                let w = influence(&text, j);
                let mut other = text.clone();
                other[j] = b;
                let whole = m.text_score(&text) - m.text_score(&other);
                let window = m.window_score(&text, w.clone()) - m.window_score(&other, w);
                assert!((whole - window).abs() < 1e-3, "byte {j} → {b}: {whole} vs {window}");
            }
        }
    }

    #[test]
    fn an_empty_set_recovers_nothing() {
        let r = recover(&[], |_| {});
        assert!(r.keystream.is_empty() && r.plaintexts.is_empty() && r.columns.is_empty());
    }
}
