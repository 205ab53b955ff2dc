//! What English looks like, in numbers: letter frequencies and quadgram
//! log-probabilities.
//!
//! Every attack in this module asks the same question — "how much does this
//! candidate plaintext look like English?" — and answers it with these
//! tables:
//!
//! * **Letter frequencies**: E is about 12 % of English letters, Z about
//!   0.1 %. Enough to break Caesar (χ², see [`super::analysis`]) and to
//!   recognise a text that was only transposed.
//! * **Quadgram log-probabilities**: for each run of four letters (`TION`,
//!   `THER`, `QXZJ`, …) the base-10 logarithm of its probability in English.
//!   A candidate plaintext's *fitness* is the sum over all its overlapping
//!   quadgrams. Quadgrams capture spelling (`Q` is followed by `U`, `TH` is
//!   common) well enough to tell English from near-English, which is what
//!   hill climbing needs.
//! * **Word edges**: how often each pair of letters begins and ends a word,
//!   which helps the transposition crack choose between a plaintext and the
//!   same plaintext rotated by a few letters.
//!
//! The tables are committed in `data/english/` and compiled into the binary
//! with `include_str!`: nothing is downloaded at run time. They were counted
//! by `scripts/english_stats.py` from Ambrose Bierce's *The Devil's
//! Dictionary* (1911, public domain), leaving out every 10th paragraph so the
//! accuracy benchmark can test on English the tables have never seen
//! (`data/english/SOURCE.md` gives the details).
//!
//! # From counts to log-probabilities
//! The quadgram file lists only the quadgrams that occur, with their counts.
//! For a quadgram seen `c` times among `N`, log P = log10(c / N). A quadgram
//! never seen in the source is not impossible in English (the source is one
//! book of ~250 000 letters), so it gets a *floor*: the probability of a
//! quadgram seen [`UNSEEN_COUNT`] times. The table is expanded once, on first
//! use, into a dense array of 26⁴ = 456 976 `f32` values (1.8 MB) so that
//! scoring is a single array lookup per quadgram.

use std::sync::OnceLock;

/// The committed letter counts, `L COUNT` per line.
const LETTERS_TXT: &str = include_str!("../../data/english/letters.txt");

/// The committed letter-pair counts, `AB COUNT BEGINS ENDS` per line.
const EDGES_TXT: &str = include_str!("../../data/english/edges.txt");

/// The committed quadgram counts, `QUAD COUNT` per line, observed ones only.
const QUADGRAMS_TXT: &str = include_str!("../../data/english/quadgrams.txt");

/// Number of possible quadgrams: 26⁴.
pub const QUADGRAM_SPACE: usize = 26 * 26 * 26 * 26;

/// The pseudo-count given to a quadgram that never occurs in the source text.
///
/// Below 1 because "never seen in 250 000 letters" is rarer than "seen once";
/// not far below, because a small source misses many real English
/// quadgrams and a harsh floor would punish a correct plaintext for one
/// unusual word. (0.1–0.3 did best among 0.01–1 in the accuracy benchmark.)
pub const UNSEEN_COUNT: f64 = 0.3;

/// Index of a quadgram (letters as 0–25) in the dense table.
#[inline]
pub fn quadgram_index(a: u8, b: u8, c: u8, d: u8) -> usize {
    ((a as usize * 26 + b as usize) * 26 + c as usize) * 26 + d as usize
}

/// The data lines of a committed table: blank lines and `#` comments skipped,
/// each line split into its key and its numbers.
fn table_lines(text: &'static str) -> impl Iterator<Item = (&'static str, Vec<u64>)> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(|l| {
        let mut fields = l.split_whitespace();
        let key = fields.next().expect("committed English table: a key on every line");
        let numbers =
            fields.map(|n| n.parse().expect("committed English table: counts are integers")).collect();
        (key, numbers)
    })
}

/// English letter frequencies, as proportions summing to 1, `A` first.
pub fn letter_frequencies() -> &'static [f64; 26] {
    static FREQ: OnceLock<[f64; 26]> = OnceLock::new();
    FREQ.get_or_init(|| {
        let mut counts = [0u64; 26];
        for (key, numbers) in table_lines(LETTERS_TXT) {
            let b = key.as_bytes();
            assert!(b.len() == 1 && b[0].is_ascii_uppercase(), "bad letter `{key}`");
            counts[(b[0] - b'A') as usize] = numbers[0];
        }
        let total: u64 = counts.iter().sum();
        counts.map(|c| c as f64 / total as f64)
    })
}

/// How much more (or less) likely each pair of letters is to *begin* and to
/// *end* a word than to occur anywhere: base-10 log-odds, `(begin, end)`,
/// indexed `26·first + second`.
///
/// A message begins with the start of a word and ends with the end of one,
/// so these tell a plaintext from the same plaintext rotated by a few
/// letters — which, for some keys, a transposition crack must choose between
/// (see [`super::transposition`]). `TH` begins many words and `ED` ends
/// many; `NG` never begins one.
pub fn pair_edge_log_odds() -> &'static (Vec<f32>, Vec<f32>) {
    static ODDS: OnceLock<(Vec<f32>, Vec<f32>)> = OnceLock::new();
    ODDS.get_or_init(|| {
        let mut counts = vec![[0u64; 3]; 26 * 26];
        for (key, numbers) in table_lines(EDGES_TXT) {
            let b = key.as_bytes();
            assert!(
                b.len() == 2 && b.iter().all(u8::is_ascii_uppercase) && numbers.len() == 3,
                "bad pair line `{key}`"
            );
            counts[(b[0] - b'A') as usize * 26 + (b[1] - b'A') as usize] =
                [numbers[0], numbers[1], numbers[2]];
        }
        let total = |c: usize| counts.iter().map(|row| row[c]).sum::<u64>() as f64;
        let (all, begin, end) = (total(0), total(1), total(2));
        // Half a count for pairs never seen, so no odds are infinite.
        let odds = |row: &[u64; 3], c: usize, n: f64| {
            (((row[c] as f64 + 0.5) / n) / ((row[0] as f64 + 0.5) / all)).log10() as f32
        };
        (
            counts.iter().map(|row| odds(row, 1, begin)).collect(),
            counts.iter().map(|row| odds(row, 2, end)).collect(),
        )
    })
}

/// The index of coincidence of English: the chance that two letters drawn
/// at random from English text are the same, Σ pᵢ² (about 0.066).
pub fn english_ioc() -> f64 {
    letter_frequencies().iter().map(|p| p * p).sum()
}

/// The index of coincidence of uniformly random letters: 1/26 ≈ 0.0385.
pub const RANDOM_IOC: f64 = 1.0 / 26.0;

/// The dense quadgram table: `table[quadgram_index(a, b, c, d)]` is the
/// base-10 log-probability of the quadgram `abcd` in English.
pub fn quadgram_log_probs() -> &'static [f32] {
    static TABLE: OnceLock<Vec<f32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let counts: Vec<(usize, u64)> = table_lines(QUADGRAMS_TXT)
            .map(|(key, numbers)| {
                let b = key.as_bytes();
                assert!(b.len() == 4 && b.iter().all(u8::is_ascii_uppercase), "bad quadgram `{key}`");
                let i = quadgram_index(b[0] - b'A', b[1] - b'A', b[2] - b'A', b[3] - b'A');
                (i, numbers[0])
            })
            .collect();
        let total: u64 = counts.iter().map(|&(_, c)| c).sum();
        let total = total as f64;
        let floor = (UNSEEN_COUNT / total).log10() as f32;
        let mut table = vec![floor; QUADGRAM_SPACE];
        for (i, c) in counts {
            table[i] = (c as f64 / total).log10() as f32;
        }
        table
    })
}

/// The quadgram table as a *letter model*: `table[quadgram_index(a, b, c,
/// d)]` is log10 P(d | abc), the chance that `d` follows `abc` in English,
/// Q(abcd) / Σₓ Q(abcx).
///
/// Summing these over a text gives a true log-probability of the text (an
/// order-3 Markov chain; see [`trigram_log_probs`] for its first three
/// letters), which the quadgram *fitness* is not: fitness counts each
/// letter in four overlapping quadgrams. Only a true log-probability can be
/// weighed against the size of a key space, which is what the verdicts of
/// [`super::verdict`] do.
pub fn next_letter_log_probs() -> &'static [f32] {
    static TABLE: OnceLock<Vec<f32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let quad = quadgram_log_probs();
        quad.chunks(26)
            .flat_map(|row| {
                let sum: f64 = row.iter().map(|&q| 10f64.powf(f64::from(q))).sum();
                let log_sum = sum.log10() as f32;
                row.iter().map(move |&q| q - log_sum)
            })
            .collect()
    })
}

/// log10 P(abc) for every trigram, indexed `(a·26 + b)·26 + c`: the
/// quadgram table summed over its last letter (and renormalised, since the
/// floor of unseen quadgrams adds a little probability).
pub fn trigram_log_probs() -> &'static [f32] {
    static TABLE: OnceLock<Vec<f32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let quad = quadgram_log_probs();
        let sums: Vec<f64> =
            quad.chunks(26).map(|row| row.iter().map(|&q| 10f64.powf(f64::from(q))).sum()).collect();
        let total: f64 = sums.iter().sum();
        sums.iter().map(|&p| (p / total).log10() as f32).collect()
    })
}

/// The log-probability an unseen quadgram gets (the table's floor).
pub fn unseen_log_prob() -> f32 {
    let t = quadgram_log_probs();
    t.iter().copied().fold(f32::INFINITY, f32::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_frequencies_sum_to_one_and_e_is_commonest() {
        let f = letter_frequencies();
        assert!((f.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let e = f[4];
        assert!(f.iter().all(|&p| p <= e));
    }

    #[test]
    fn common_quadgrams_outscore_impossible_ones() {
        let t = quadgram_log_probs();
        let idx = |s: &[u8; 4]| quadgram_index(s[0] - b'A', s[1] - b'A', s[2] - b'A', s[3] - b'A');
        assert!(t[idx(b"TION")] > t[idx(b"QXZJ")]);
        assert!(t[idx(b"THER")] > -3.5);
        assert_eq!(t[idx(b"QXZJ")], unseen_log_prob());
    }

    #[test]
    fn th_begins_words_and_ed_ends_them() {
        let (begin, end) = pair_edge_log_odds();
        let pair = |s: &[u8; 2]| (s[0] - b'A') as usize * 26 + (s[1] - b'A') as usize;
        assert!(begin[pair(b"TH")] > 0.0 && end[pair(b"ED")] > 0.0);
        assert!(begin[pair(b"NG")] < 0.0 && end[pair(b"TH")] < end[pair(b"ED")]);
    }

    #[test]
    fn the_letter_model_is_a_probability_distribution() {
        let next = next_letter_log_probs();
        let after_the: f64 = (0..26).map(|d| 10f64.powf(f64::from(next[quadgram_index(19, 7, 4, d)]))).sum();
        assert!((after_the - 1.0).abs() < 1e-4, "{after_the}");
        let tri: f64 = trigram_log_probs().iter().map(|&p| 10f64.powf(f64::from(p))).sum();
        assert!((tri - 1.0).abs() < 1e-4, "{tri}");
        // E after EQU (equal, sequel) and M after THE are far likelier than
        // Z and Q.
        let idx = |s: &[u8; 4]| quadgram_index(s[0] - b'A', s[1] - b'A', s[2] - b'A', s[3] - b'A');
        assert!(next[idx(b"EQUE")] > next[idx(b"EQUZ")] + 1.0);
        assert!(next[idx(b"THEM")] > next[idx(b"THEQ")] + 1.0);
    }

    #[test]
    fn english_ioc_is_near_textbook_value() {
        let ioc = english_ioc();
        assert!((0.062..0.070).contains(&ioc), "{ioc}");
    }
}
