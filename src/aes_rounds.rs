//! AES-128 inside one block, round by round — FIPS-197 written out **for
//! display only**.
//!
//! > **The one exception to "never hand-roll AES".** Everywhere else in
//! > cryptolab the `aes` crate (RustCrypto) encrypts. This file exists only so
//! > that `cryptolab aes` can *show* what happens inside one block: it never
//! > encrypts anything else — no message, no frame, no demo goes through it —
//! > and nothing outside this file can call its round functions (they are
//! > private; the only way in is [`trace`]). **Every run checks its final
//! > block against the `aes` crate** (`Aes128::encrypt_block`) and refuses
//! > to show a result that differs: [`trace`] returns
//! > [`RoundsError::Mismatch`] — an error, never a panic, never a wrong
//! > picture.
//! >
//! > Hazmat, twice over: it is not constant-time (the S-box is a table
//! > indexed by secret bytes, the cache-timing leak real implementations
//! > avoid), and its output shows the key and every round key. Use it on
//! > textbook and lab keys only.
//!
//! # The cipher, FIPS-197 with Nk = 4 key words and Nr = 10 rounds
//!
//! ```text
//! state = input ⊕ round key 0                           round 0: AddRoundKey only
//! round 1 … 9:  SubBytes → ShiftRows → MixColumns → AddRoundKey(round key r)
//! round 10:     SubBytes → ShiftRows →              AddRoundKey(round key 10)
//! output = state
//! ```
//!
//! The state is 4×4 bytes, filled **column by column** (§3.4): input byte
//! `in[i]` is `s[i mod 4][i div 4]`, so a block is its four columns one after
//! the other. Appendix B's input `32 43 f6 a8 88 5a 30 8d 31 31 98 a2 e0 37
//! 07 34` is drawn
//!
//! ```text
//! 32 88 31 e0      row 0: in[0] in[4] in[8]  in[12]
//! 43 5a 31 37      row 1: in[1] in[5] in[9]  in[13]
//! f6 30 98 07      row 2: in[2] in[6] in[10] in[14]
//! a8 8d a2 34      row 3: in[3] in[7] in[11] in[15]
//! ```
//!
//! - [`Step::SubBytes`] (§5.1.1): every byte replaced through one fixed
//!   table, the S-box (Figure 7) — the multiplicative inverse in GF(2⁸)
//!   followed by an affine map, the only non-linear step.
//! - [`Step::ShiftRows`] (§5.1.2): row `r` rotated left by `r` bytes, so
//!   each column's bytes go to four different columns.
//! - [`Step::MixColumns`] (§5.1.3): each column, as a polynomial over
//!   GF(2⁸), multiplied by `{03}x³ + {01}x² + {01}x + {02}` modulo `x⁴ + 1`:
//!   one changed byte changes the whole column. Multiplying by `{02}` is
//!   [`xtime`] — shift left, and reduce by `{1b}` if a bit fell off.
//! - [`Step::AddRoundKey`] (§5.1.4): the round key XORed in.
//!
//! The key expansion (§5.2) makes 44 words `w[0..43]`; round key `r` is
//! `w[4r..4r+3]`, its four columns. `w[0..3]` is the key; after that
//! `w[i] = w[i−4] ⊕ temp`, where `temp = w[i−1]` — except for every fourth
//! word, where `temp = SubWord(RotWord(w[i−1])) ⊕ Rcon[i/4]` ([`Expansion`]).
//!
//! The result is data, a [`Trace`]: the round keys, and the state before
//! and after each step of each round. [`avalanche`] runs two traces whose
//! input (or key) differ in one bit, for the round-by-round bit counts.

pub mod report;

use aes::Aes128;
use aes::cipher::{BlockCipherEncrypt, KeyInit};

/// A 16-byte block: the input, the output, a round key, or the state
/// between two steps. Byte `i` is row `i mod 4`, column `i div 4` (§3.4).
pub type Block = [u8; 16];

/// A 4-byte word of the key schedule. `w[i]` is column `i mod 4` of round
/// key `i div 4`.
pub type Word = [u8; 4];

/// Rounds in AES-128 (Nr, FIPS-197 Figure 4). Round 0 is the initial
/// AddRoundKey, so a trace has `ROUNDS + 1` rounds and round keys.
pub const ROUNDS: usize = 10;

/// Words in the expanded key: Nb·(Nr + 1) = 4 · 11 = 44 (§5.2).
pub const WORDS: usize = 4 * (ROUNDS + 1);

/// Bits in a block: what [`bits_differ`] counts out of.
pub const BLOCK_BITS: usize = 128;

/// The S-box, FIPS-197 §5.1.1, Figure 7: `SBOX[0x19] = 0xd4` is row `1`,
/// column `9`. Each entry is the inverse of its index in GF(2⁸) (0 for 0)
/// put through the affine map of equation 5.1 — `sbox_is_inverse_then_affine`
/// in the tests below rebuilds the table from that definition.
#[rustfmt::skip] // the table's 16 × 16 layout is Figure 7's
const SBOX: [u8; 256] = [
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76, // 0_
    0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0, // 1_
    0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15, // 2_
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75, // 3_
    0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84, // 4_
    0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf, // 5_
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8, // 6_
    0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2, // 7_
    0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73, // 8_
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb, // 9_
    0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79, // a_
    0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08, // b_
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a, // c_
    0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e, // d_
    0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf, // e_
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16, // f_
];

/// One of the four steps a round is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// §5.1.1: every byte through the S-box.
    SubBytes,
    /// §5.1.2: row `r` rotated left by `r` bytes.
    ShiftRows,
    /// §5.1.3: each column multiplied by a fixed polynomial.
    MixColumns,
    /// §5.1.4: the round key XORed in.
    AddRoundKey,
}

impl Step {
    /// Every step, in the order a full round applies them.
    pub const ALL: [Step; 4] = [Step::SubBytes, Step::ShiftRows, Step::MixColumns, Step::AddRoundKey];

    /// Its name in FIPS-197 (`SubBytes`), also its JSON name.
    pub const fn name(self) -> &'static str {
        match self {
            Step::SubBytes => "SubBytes",
            Step::ShiftRows => "ShiftRows",
            Step::MixColumns => "MixColumns",
            Step::AddRoundKey => "AddRoundKey",
        }
    }

    /// Where FIPS-197 defines it.
    pub const fn section(self) -> &'static str {
        match self {
            Step::SubBytes => "§5.1.1",
            Step::ShiftRows => "§5.1.2",
            Step::MixColumns => "§5.1.3",
            Step::AddRoundKey => "§5.1.4",
        }
    }

    /// What it does, in a few words.
    pub const fn does(self) -> &'static str {
        match self {
            Step::SubBytes => "every byte through the S-box (Figure 7)",
            Step::ShiftRows => "row r rotated left by r bytes",
            Step::MixColumns => "each column times {03}x³+{01}x²+{01}x+{02}",
            Step::AddRoundKey => "the round key XORed in",
        }
    }

    /// The steps of round `round` (0 ..= [`ROUNDS`]): round 0 is
    /// AddRoundKey alone, the last round has no MixColumns (§5.1).
    pub fn of_round(round: usize) -> &'static [Step] {
        match round {
            0 => &Step::ALL[3..],
            ROUNDS => &[Step::SubBytes, Step::ShiftRows, Step::AddRoundKey],
            _ => &Step::ALL,
        }
    }
}

/// One round: the state it starts from, its round key, and the state after
/// each of its steps, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Its number, 0 ..= [`ROUNDS`].
    pub number: usize,
    /// The state before its first step (round 0: the input). FIPS-197
    /// Appendix B's column "Start of Round".
    pub start: Block,
    /// The round key its AddRoundKey adds: `w[4r..4r+3]`.
    pub round_key: Block,
    /// The state after each step, in the order of [`Step::of_round`].
    pub steps: Vec<(Step, Block)>,
}

impl Round {
    /// The state after `step`, if this round has that step.
    pub fn after(&self, step: Step) -> Option<&Block> {
        self.steps.iter().find(|(s, _)| *s == step).map(|(_, b)| b)
    }

    /// The state at the end of the round (after its AddRoundKey): the next
    /// round's start, or the output.
    pub fn end(&self) -> &Block {
        &self.steps.last().expect("every round ends with AddRoundKey").1
    }
}

/// How `w[i]` is made for `i` a multiple of 4 (≥ 4), the words that go
/// through RotWord, SubWord and Rcon — one row of FIPS-197 Appendix A.1's
/// table. (The other words are just `w[i−4] ⊕ w[i−1]`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expansion {
    /// The word's index: 4, 8, …, 40.
    pub i: usize,
    /// `w[i−1]`.
    pub temp: Word,
    /// After RotWord: `[a0,a1,a2,a3]` → `[a1,a2,a3,a0]`.
    pub rot_word: Word,
    /// After SubWord: the S-box on each byte.
    pub sub_word: Word,
    /// `Rcon[i/4] = [x^(i/4−1), 0, 0, 0]`, powers of x = `{02}` in GF(2⁸).
    pub rcon: Word,
    /// After XOR with Rcon; then `w[i] = w[i−4] ⊕` this.
    pub after_rcon: Word,
}

/// The expanded key (§5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySchedule {
    /// `w[0..43]`.
    pub words: [Word; WORDS],
    /// The ten words made through RotWord/SubWord/Rcon: `w[4]`, `w[8]`, …, `w[40]`.
    pub expansions: Vec<Expansion>,
}

impl KeySchedule {
    /// Round key `r` (0 ..= [`ROUNDS`]): `w[4r] ‖ w[4r+1] ‖ w[4r+2] ‖ w[4r+3]`,
    /// the state's four columns.
    pub fn round_key(&self, r: usize) -> Block {
        let mut key = [0; 16];
        for (c, column) in key.chunks_exact_mut(4).enumerate() {
            column.copy_from_slice(&self.words[4 * r + c]);
        }
        key
    }
}

/// One block encrypted step by step, and checked against the `aes` crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The AES-128 key.
    pub key: Block,
    /// The input block (the plaintext).
    pub input: Block,
    /// The key expansion.
    pub schedule: KeySchedule,
    /// Rounds 0 ..= 10, in order.
    pub rounds: Vec<Round>,
    /// The output block (the ciphertext), equal to `Aes128::encrypt_block`'s.
    pub output: Block,
}

/// What can go wrong in this view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoundsError {
    /// The written-out rounds ended in a different block than the `aes`
    /// crate: a bug in this file. Nothing is shown.
    #[error(
        "the round-by-round AES gave {} but the aes crate gives {}: not shown",
        hex::encode(ours),
        hex::encode(crate_says)
    )]
    Mismatch {
        /// Our final block.
        ours: Block,
        /// `Aes128::encrypt_block`'s.
        crate_says: Block,
    },
    /// A bit number outside the 128 bits of a block.
    #[error("there is no bit {bit} in a 16-byte block (bits are numbered 0 to 127)")]
    NoSuchBit {
        /// The number asked for.
        bit: usize,
    },
}

impl RoundsError {
    /// The second line of the message: what to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            RoundsError::Mismatch { .. } => {
                "this is a bug in src/aes_rounds.rs, not in your input: please report it with the --key and --block used"
            }
            RoundsError::NoSuchBit { .. } => "give a bit number from 0 (the first bit of the hex) to 127",
        }
    }
}

/// Encrypts `input` under `key` step by step and returns every
/// intermediate value — after checking that the output equals
/// `Aes128::encrypt_block`'s. A trace that would differ is never returned.
pub fn trace(key: &Block, input: &Block) -> Result<Trace, RoundsError> {
    let schedule = expand_key(key);
    let mut rounds = Vec::with_capacity(ROUNDS + 1);
    let mut state = *input;
    for number in 0..=ROUNDS {
        let start = state;
        let round_key = schedule.round_key(number);
        let steps = Step::of_round(number)
            .iter()
            .map(|&step| {
                match step {
                    Step::SubBytes => sub_bytes(&mut state),
                    Step::ShiftRows => shift_rows(&mut state),
                    Step::MixColumns => mix_columns(&mut state),
                    Step::AddRoundKey => add_round_key(&mut state, &round_key),
                }
                (step, state)
            })
            .collect();
        rounds.push(Round { number, start, round_key, steps });
    }
    checked(Trace { key: *key, input: *input, schedule, rounds, output: state })
}

/// Returns `trace` if its output is what the `aes` crate computes for its
/// key and input, else [`RoundsError::Mismatch`].
fn checked(trace: Trace) -> Result<Trace, RoundsError> {
    let crate_says = aes_crate_encrypt(&trace.key, &trace.input);
    if trace.output == crate_says {
        Ok(trace)
    } else {
        Err(RoundsError::Mismatch { ours: trace.output, crate_says })
    }
}

/// The reference: one block through RustCrypto's `Aes128`.
fn aes_crate_encrypt(key: &Block, input: &Block) -> Block {
    let cipher = Aes128::new(&(*key).into());
    let mut block = (*input).into();
    cipher.encrypt_block(&mut block);
    block.into()
}

// ── The four steps (§5.1) ────────────────────────────────────────────────

/// SubBytes (§5.1.1): each byte through the S-box.
fn sub_bytes(state: &mut Block) {
    for b in state.iter_mut() {
        *b = SBOX[usize::from(*b)];
    }
}

/// ShiftRows (§5.1.2): `s'[r][c] = s[r][(c + r) mod 4]` — row 0 stays, row
/// 1 moves one byte left, row 2 two, row 3 three. Byte `(r, c)` is
/// `state[r + 4c]`.
fn shift_rows(state: &mut Block) {
    let before = *state;
    for r in 0..4 {
        for c in 0..4 {
            state[r + 4 * c] = before[r + 4 * ((c + r) % 4)];
        }
    }
}

/// Multiplication by x = `{02}` in GF(2⁸) (§4.2.1): shift left one bit; if
/// the bit shifted out was set, reduce by the AES polynomial
/// `x⁸ + x⁴ + x³ + x + 1` — which leaves `{1b}` to XOR in.
pub const fn xtime(b: u8) -> u8 {
    (b << 1) ^ if b & 0x80 != 0 { 0x1b } else { 0 }
}

/// MixColumns (§5.1.3), equation 5.6, for each column `(s0, s1, s2, s3)`:
///
/// ```text
/// s0' = {02}·s0 ⊕ {03}·s1 ⊕      s2 ⊕      s3
/// s1' =      s0 ⊕ {02}·s1 ⊕ {03}·s2 ⊕      s3
/// s2' =      s0 ⊕      s1 ⊕ {02}·s2 ⊕ {03}·s3
/// s3' = {03}·s0 ⊕      s1 ⊕      s2 ⊕ {02}·s3
/// ```
///
/// with `{02}·a = xtime(a)` and `{03}·a = xtime(a) ⊕ a`.
fn mix_columns(state: &mut Block) {
    let mul3 = |a: u8| xtime(a) ^ a;
    for column in state.chunks_exact_mut(4) {
        let [s0, s1, s2, s3] = [column[0], column[1], column[2], column[3]];
        column[0] = xtime(s0) ^ mul3(s1) ^ s2 ^ s3;
        column[1] = s0 ^ xtime(s1) ^ mul3(s2) ^ s3;
        column[2] = s0 ^ s1 ^ xtime(s2) ^ mul3(s3);
        column[3] = mul3(s0) ^ s1 ^ s2 ^ xtime(s3);
    }
}

/// AddRoundKey (§5.1.4): the round key XORed into the state, byte by byte.
fn add_round_key(state: &mut Block, round_key: &Block) {
    for (s, k) in state.iter_mut().zip(round_key) {
        *s ^= k;
    }
}

// ── The key expansion (§5.2) ─────────────────────────────────────────────

/// KeyExpansion (§5.2, Figure 11) for Nk = 4: `w[0..3]` is the key, then
/// `w[i] = w[i−4] ⊕ temp`, with `temp = SubWord(RotWord(w[i−1])) ⊕ Rcon[i/4]`
/// when `i` is a multiple of 4, else `temp = w[i−1]`.
fn expand_key(key: &Block) -> KeySchedule {
    let mut words = [[0u8; 4]; WORDS];
    for (i, word) in key.chunks_exact(4).enumerate() {
        words[i].copy_from_slice(word);
    }
    let mut expansions = Vec::with_capacity(ROUNDS);
    let mut rcon = 0x01; // x^0; times x (xtime) for each round key
    for i in 4..WORDS {
        let mut temp = words[i - 1];
        if i % 4 == 0 {
            let rot_word = [temp[1], temp[2], temp[3], temp[0]];
            let sub_word = rot_word.map(|b| SBOX[usize::from(b)]);
            let rcon_word = [rcon, 0, 0, 0];
            let after_rcon = xor_words(sub_word, rcon_word);
            expansions.push(Expansion { i, temp, rot_word, sub_word, rcon: rcon_word, after_rcon });
            temp = after_rcon;
            rcon = xtime(rcon);
        }
        words[i] = xor_words(words[i - 4], temp);
    }
    KeySchedule { words, expansions }
}

fn xor_words(a: Word, b: Word) -> Word {
    [a[0] ^ b[0], a[1] ^ b[1], a[2] ^ b[2], a[3] ^ b[3]]
}

// ── The avalanche ────────────────────────────────────────────────────────

/// Which bit an avalanche flips, numbered as FIPS-197 §3.3 numbers input
/// bits: bit 0 is the most significant bit of byte 0 (the first hex digit's
/// top bit), bit 127 the least significant bit of byte 15.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flip {
    /// A bit of the input block.
    Input(usize),
    /// A bit of the key.
    Key(usize),
}

impl Flip {
    /// The bit's number.
    pub const fn bit(self) -> usize {
        match self {
            Flip::Input(bit) | Flip::Key(bit) => bit,
        }
    }
}

/// `block` with bit `bit` flipped (FIPS-197 §3.3 numbering, see [`Flip`]).
pub fn flip_bit(block: &Block, bit: usize) -> Result<Block, RoundsError> {
    if bit >= BLOCK_BITS {
        return Err(RoundsError::NoSuchBit { bit });
    }
    let mut out = *block;
    out[bit / 8] ^= 0x80 >> (bit % 8);
    Ok(out)
}

/// How many of the 128 bits differ between `a` and `b`: the Hamming
/// distance, the number of 1 bits in `a ⊕ b`.
pub fn bits_differ(a: &Block, b: &Block) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// Which of the 16 bytes differ between `a` and `b`.
pub fn bytes_differ(a: &Block, b: &Block) -> [bool; 16] {
    std::array::from_fn(|i| a[i] != b[i])
}

/// Two traces that differ in one bit of the input or of the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avalanche {
    /// The bit that was flipped.
    pub flip: Flip,
    /// The trace of the key and block as given.
    pub a: Trace,
    /// The trace with the one bit flipped.
    pub b: Trace,
}

/// Runs [`trace`] twice: as given, and with the bit of `flip` flipped.
pub fn avalanche(key: &Block, input: &Block, flip: Flip) -> Result<Avalanche, RoundsError> {
    let (key_b, input_b) = match flip {
        Flip::Input(bit) => (*key, flip_bit(input, bit)?),
        Flip::Key(bit) => (flip_bit(key, bit)?, *input),
    };
    Ok(Avalanche { flip, a: trace(key, input)?, b: trace(&key_b, &input_b)? })
}

impl Avalanche {
    /// Bits that differ between the two inputs (1 when an input bit was flipped, else 0).
    pub fn input_bits(&self) -> u32 {
        bits_differ(&self.a.input, &self.b.input)
    }

    /// Bits that differ in the state at the end of each round, 0 ..= 10.
    pub fn after_rounds(&self) -> Vec<u32> {
        self.pairs().map(|(a, b)| bits_differ(a.end(), b.end())).collect()
    }

    /// Bits that differ between the two round keys of each round, 0 ..= 10.
    pub fn round_key_bits(&self) -> Vec<u32> {
        self.pairs().map(|(a, b)| bits_differ(&a.round_key, &b.round_key)).collect()
    }

    /// Bits that differ after each step of round `round`.
    pub fn after_steps(&self, round: usize) -> Vec<(Step, u32)> {
        let (a, b) = (&self.a.rounds[round], &self.b.rounds[round]);
        a.steps.iter().zip(&b.steps).map(|((step, x), (_, y))| (*step, bits_differ(x, y))).collect()
    }

    /// Bits that differ between the two outputs.
    pub fn output_bits(&self) -> u32 {
        bits_differ(&self.a.output, &self.b.output)
    }

    fn pairs(&self) -> impl Iterator<Item = (&Round, &Round)> {
        self.a.rounds.iter().zip(&self.b.rounds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Multiplication in GF(2⁸) the slow way: shift and add (§4.2).
    fn gf_mul(mut a: u8, mut b: u8) -> u8 {
        let mut product = 0;
        while b != 0 {
            if b & 1 != 0 {
                product ^= a;
            }
            a = xtime(a);
            b >>= 1;
        }
        product
    }

    #[test]
    fn sbox_is_inverse_then_affine() {
        // §5.1.1: b = the inverse of x (0 for 0), then
        // b'_i = b_i ⊕ b_(i+4) ⊕ b_(i+5) ⊕ b_(i+6) ⊕ b_(i+7) ⊕ c_i, c = {63}.
        for x in 0..=255u8 {
            let inverse = (1..=255u8).find(|&y| gf_mul(x, y) == 1).unwrap_or(0);
            let b = inverse;
            let affine = b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63;
            assert_eq!(SBOX[usize::from(x)], affine, "S-box entry {x:02x}");
        }
    }

    #[test]
    fn xtime_matches_section_4_2_1() {
        // §4.2.1: {57}·{02} = {ae}, ·{04} = {47}, ·{08} = {8e}, ·{10} = {07}.
        assert_eq!(xtime(0x57), 0xae);
        assert_eq!(xtime(0xae), 0x47);
        assert_eq!(xtime(0x47), 0x8e);
        assert_eq!(xtime(0x8e), 0x07);
        assert_eq!(gf_mul(0x57, 0x13), 0xfe);
    }

    #[test]
    fn a_trace_that_differs_from_the_aes_crate_is_refused() {
        let good = trace(&[0; 16], &[0; 16]).expect("zero key and block");
        let mut bad = good.clone();
        bad.output[0] ^= 1;
        let err = checked(bad).expect_err("a tampered output is refused");
        assert!(matches!(err, RoundsError::Mismatch { crate_says, .. } if crate_says == good.output));
        assert!(err.to_string().contains("not shown"), "{err}");
    }

    #[test]
    fn bit_zero_is_the_top_bit_of_byte_zero() {
        assert_eq!(flip_bit(&[0; 16], 0).unwrap()[0], 0x80);
        assert_eq!(flip_bit(&[0; 16], 127).unwrap()[15], 0x01);
        assert_eq!(flip_bit(&[0; 16], 128), Err(RoundsError::NoSuchBit { bit: 128 }));
    }
}
