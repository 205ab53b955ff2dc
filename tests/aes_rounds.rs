//! `cryptolab aes` and `src/aes_rounds.rs` — AES-128 round by round —
//! against the published worked examples of FIPS-197, "Advanced Encryption
//! Standard (AES)", NIST, 2001 (updated 2023),
//! <https://doi.org/10.6028/NIST.FIPS.197-upd1>:
//!
//! - Appendix A.1, the key expansion of `2b7e1516 28aed2a6 abf71588 09cf4f3c`:
//!   all 44 words, and the RotWord/SubWord/Rcon rows of its table;
//! - Appendix B, the cipher example (input `3243f6a8…`): the state at the
//!   start of every round and after each of its steps, and every round key
//!   — the grids transcribed column by column, i.e. in byte order;
//! - Appendix C.1, the AES-128 example vector
//!   (`000102…0f`, `00112233…ff` → `69c4e0d8 6a7b0430 d8cdb780 70b4c55a`).
//!
//! Then: the output equals the `aes` crate's for random keys and blocks; the
//! avalanche counts are the Hamming distance of the two states and reach
//! ≥ 40 bits by round 2; and the command line (80 columns, `--json` events,
//! two-line errors with exit code 2). Failures print hex.

mod common;

use aes::Aes128;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use cryptolab::aes_rounds::{self, Block, Flip, Step};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};

use common::{Lab, assert_error};

fn h(s: &str) -> Block {
    hex::decode(s).expect("vector is hex").try_into().expect("16 bytes")
}

fn hx(b: &Block) -> String {
    hex::encode(b)
}

const B_KEY: &str = "2b7e151628aed2a6abf7158809cf4f3c";
const B_INPUT: &str = "3243f6a8885a308d313198a2e0370734";
const B_OUTPUT: &str = "3925841d02dc09fbdc118597196a0b32";

// ── Appendix A.1: key expansion ─────────────────────────────────────────

/// Appendix A.1: w[0..43], four words (one round key) per entry.
const A1_ROUND_KEYS: [&str; 11] = [
    "2b7e151628aed2a6abf7158809cf4f3c",
    "a0fafe1788542cb123a339392a6c7605",
    "f2c295f27a96b9435935807a7359f67f",
    "3d80477d4716fe3e1e237e446d7a883b",
    "ef44a541a8525b7fb671253bdb0bad00",
    "d4d1c6f87c839d87caf2b8bc11f915bc",
    "6d88a37a110b3efddbf98641ca0093fd",
    "4e54f70e5f5fc9f384a64fb24ea6dc4f",
    "ead27321b58dbad2312bf5607f8d292f",
    "ac7766f319fadc2128d12941575c006e",
    "d014f9a8c9ee2589e13f0cc8b6630ca6",
];

/// Rows of Appendix A.1's table for i a multiple of 4: i, temp, after
/// RotWord, after SubWord, Rcon[i/Nk], after XOR with Rcon.
const A1_ROWS: [(usize, &str, &str, &str, &str, &str); 4] = [
    (4, "09cf4f3c", "cf4f3c09", "8a84eb01", "01000000", "8b84eb01"),
    (8, "2a6c7605", "6c76052a", "50386be5", "02000000", "52386be5"),
    (36, "7f8d292f", "8d292f7f", "5da515d2", "1b000000", "46a515d2"),
    (40, "575c006e", "5c006e57", "4a639f5b", "36000000", "7c639f5b"),
];

#[test]
fn appendix_a1_key_expansion() {
    let t = aes_rounds::trace(&h(B_KEY), &h(B_INPUT)).expect("checked trace");
    for (r, expected) in A1_ROUND_KEYS.iter().enumerate() {
        assert_eq!(hx(&t.schedule.round_key(r)), *expected, "round key {r}");
        assert_eq!(hx(&t.rounds[r].round_key), *expected, "round {r} adds round key {r}");
        for c in 0..4 {
            assert_eq!(
                hex::encode(t.schedule.words[4 * r + c]),
                expected[8 * c..8 * c + 8],
                "w[{}]",
                4 * r + c
            );
        }
    }
    assert_eq!(t.schedule.expansions.len(), 10, "w[4], w[8], …, w[40]");
    for (i, temp, rot, sub, rcon, after) in A1_ROWS {
        let e = t.schedule.expansions.iter().find(|e| e.i == i).expect("a row for i");
        let got = [e.temp, e.rot_word, e.sub_word, e.rcon, e.after_rcon].map(hex::encode);
        assert_eq!(got, [temp, rot, sub, rcon, after], "A.1 row i = {i}");
    }
}

// ── Appendix B: the cipher example, round by round ──────────────────────

/// One row of Appendix B: start of round, after SubBytes, after ShiftRows,
/// after MixColumns (none in round 10), round key value.
struct BRow {
    start: &'static str,
    sub_bytes: &'static str,
    shift_rows: &'static str,
    mix_columns: Option<&'static str>,
    round_key: &'static str,
}

const fn row(
    start: &'static str,
    sub_bytes: &'static str,
    shift_rows: &'static str,
    mix_columns: Option<&'static str>,
    round_key: &'static str,
) -> BRow {
    BRow { start, sub_bytes, shift_rows, mix_columns, round_key }
}

/// Appendix B, rounds 1 to 10 (index 0 is round 1).
const APPENDIX_B: [BRow; 10] = [
    row(
        "193de3bea0f4e22b9ac68d2ae9f84808",
        "d42711aee0bf98f1b8b45de51e415230",
        "d4bf5d30e0b452aeb84111f11e2798e5",
        Some("046681e5e0cb199a48f8d37a2806264c"),
        "a0fafe1788542cb123a339392a6c7605",
    ),
    row(
        "a49c7ff2689f352b6b5bea43026a5049",
        "49ded28945db96f17f39871a7702533b",
        "49db873b453953897f02d2f177de961a",
        Some("584dcaf11b4b5aacdbe7caa81b6bb0e5"),
        "f2c295f27a96b9435935807a7359f67f",
    ),
    row(
        "aa8f5f0361dde3ef82d24ad26832469a",
        "ac73cf7befc111df13b5d6b545235ab8",
        "acc1d6b8efb55a7b1323cfdf457311b5",
        Some("75ec0993200b633353c0cf7cbb25d0dc"),
        "3d80477d4716fe3e1e237e446d7a883b",
    ),
    row(
        "486c4eee671d9d0d4de3b138d65f58e7",
        "52502f2885a45ed7e311c807f6cf6a94",
        "52a4c89485116a28e3cf2fd7f6505e07",
        Some("0fd6daa9603138bf6fc0106b5eb31301"),
        "ef44a541a8525b7fb671253bdb0bad00",
    ),
    row(
        "e0927fe8c86363c0d9b1355085b8be01",
        "e14fd29be8fbfbba35c89653976cae7c",
        "e1fb967ce8c8ae9b356cd2ba974ffb53",
        Some("25d1a9adbd11d168b63a338e4c4cc0b0"),
        "d4d1c6f87c839d87caf2b8bc11f915bc",
    ),
    row(
        "f1006f55c1924cef7cc88b325db5d50c",
        "a163a8fc784f29df10e83d234cd503fe",
        "a14f3dfe78e803fc10d5a8df4c632923",
        Some("4b868d6d2c4a8980339df4e837d218d8"),
        "6d88a37a110b3efddbf98641ca0093fd",
    ),
    row(
        "260e2e173d41b77de86472a9fdd28b25",
        "f7ab31f02783a9ff9b4340d354b53d3f",
        "f783403f27433df09bb531ff54aba9d3",
        Some("1415b5bf461615ec274656d7342ad843"),
        "4e54f70e5f5fc9f384a64fb24ea6dc4f",
    ),
    row(
        "5a4142b11949dc1fa3e019657a8c040c",
        "be832cc8d43b86c00ae1d44dda64f2fe",
        "be3bd4fed4e1f2c80a642cc0da83864d",
        Some("00512fd1b1c889ff54766dcdfa1b99ea"),
        "ead27321b58dbad2312bf5607f8d292f",
    ),
    row(
        "ea835cf00445332d655d98ad8596b0c5",
        "87ec4a8cf26ec3d84d4c46959790e7a6",
        "876e46a6f24ce78c4d904ad897ecc395",
        Some("473794ed40d4e4a5a3703aa64c9f42bc"),
        "ac7766f319fadc2128d12941575c006e",
    ),
    row(
        "eb40f21e592e38848ba113e71bc342d2",
        "e9098972cb31075f3d327d94af2e2cb5",
        "e9317db5cb322c723d2e895faf090794",
        None,
        "d014f9a8c9ee2589e13f0cc8b6630ca6",
    ),
];

/// Checks round `r` (1 ..= 10) of the Appendix B trace, step by step.
fn check_appendix_b_round(r: usize) {
    let t = aes_rounds::trace(&h(B_KEY), &h(B_INPUT)).expect("checked trace");
    let (round, want) = (&t.rounds[r], &APPENDIX_B[r - 1]);
    assert_eq!(round.number, r);
    let after = |step| round.after(step).map(hx);
    assert_eq!(hx(&round.start), want.start, "round {r}: start of round");
    assert_eq!(after(Step::SubBytes).as_deref(), Some(want.sub_bytes), "round {r}: after SubBytes");
    assert_eq!(after(Step::ShiftRows).as_deref(), Some(want.shift_rows), "round {r}: after ShiftRows");
    assert_eq!(after(Step::MixColumns).as_deref(), want.mix_columns, "round {r}: after MixColumns");
    assert_eq!(hx(&round.round_key), want.round_key, "round {r}: round key value");
    // The state after AddRoundKey is the next row's start (or the output).
    let next = APPENDIX_B.get(r).map_or(B_OUTPUT, |n| n.start);
    assert_eq!(hx(round.end()), next, "round {r}: after AddRoundKey");
    let steps: Vec<Step> = round.steps.iter().map(|(s, _)| *s).collect();
    assert_eq!(steps, Step::of_round(r), "round {r}: its steps, in order");
}

#[test]
fn appendix_b_round_1() {
    check_appendix_b_round(1);
}

#[test]
fn appendix_b_round_2() {
    check_appendix_b_round(2);
}

#[test]
fn appendix_b_round_10_has_no_mix_columns() {
    check_appendix_b_round(10);
}

#[test]
fn appendix_b_every_round_and_round_0() {
    for r in 1..=10 {
        check_appendix_b_round(r);
    }
    let t = aes_rounds::trace(&h(B_KEY), &h(B_INPUT)).expect("checked trace");
    let r0 = &t.rounds[0];
    assert_eq!(hx(&r0.start), B_INPUT, "round 0 starts from the input");
    assert_eq!(r0.steps.len(), 1, "round 0 is AddRoundKey alone");
    assert_eq!(hx(r0.end()), APPENDIX_B[0].start);
    assert_eq!(hx(&t.output), B_OUTPUT, "Appendix B's output");
    assert_eq!(t.rounds.len(), 11);
}

// ── Appendix C.1 ────────────────────────────────────────────────────────

#[test]
fn appendix_c1_aes128_example_vector() {
    let t = aes_rounds::trace(&h("000102030405060708090a0b0c0d0e0f"), &h("00112233445566778899aabbccddeeff"))
        .expect("checked trace");
    assert_eq!(hx(&t.output), "69c4e0d86a7b0430d8cdb78070b4c55a");
    // C.1's first rows: round[ 1].start and round[10].k_sch.
    assert_eq!(hx(&t.rounds[1].start), "00102030405060708090a0b0c0d0e0f0");
    assert_eq!(hx(&t.rounds[10].round_key), "13111d7fe3944a17f307a78b4d2b30c5");
}

// ── The aes crate agrees, always ────────────────────────────────────────

fn aes_crate(key: &Block, input: &Block) -> Block {
    let mut block = (*input).into();
    Aes128::new(&(*key).into()).encrypt_block(&mut block);
    block.into()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_output_is_the_aes_crates(key in any::<[u8; 16]>(), input in any::<[u8; 16]>()) {
        let t = aes_rounds::trace(&key, &input).expect("our rounds agree with the aes crate");
        prop_assert_eq!(hx(&t.output), hx(&aes_crate(&key, &input)));
        prop_assert_eq!(hx(t.rounds[10].end()), hx(&t.output));
    }

    #[test]
    fn every_round_starts_where_the_last_ended(key in any::<[u8; 16]>(), input in any::<[u8; 16]>()) {
        let t = aes_rounds::trace(&key, &input).unwrap();
        for r in 1..=10 {
            prop_assert_eq!(hx(&t.rounds[r].start), hx(t.rounds[r - 1].end()));
        }
    }
}

// ── The avalanche ───────────────────────────────────────────────────────

fn xor_weight(a: &Block, b: &Block) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

#[test]
fn one_flipped_bit_changes_at_least_40_bits_by_round_2() {
    for seed in 1..=8u64 {
        let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(seed);
        let (key, input): (Block, Block) = (rng.random(), rng.random());
        let bit = rng.random_range(0..128);
        for flip in [Flip::Input(bit), Flip::Key(bit)] {
            let av = aes_rounds::avalanche(&key, &input, flip).expect("checked traces");
            let after = av.after_rounds();
            assert_eq!(after.len(), 11);
            for (r, n) in after.iter().enumerate() {
                let want = xor_weight(av.a.rounds[r].end(), av.b.rounds[r].end());
                assert_eq!(*n, want, "seed {seed} {flip:?} round {r}: the Hamming distance of the states");
            }
            assert!(after[2] >= 40, "seed {seed} {flip:?}: only {} bits differ after round 2", after[2]);
            assert_eq!(av.output_bits(), xor_weight(&av.a.output, &av.b.output));
            assert_eq!(
                hx(&av.b.output),
                hx(&aes_crate(&av.b.key, &av.b.input)),
                "the flipped trace is checked too"
            );
        }
    }
}

#[test]
fn a_flipped_input_bit_differs_in_one_bit_then_one_byte_then_one_column() {
    let av = aes_rounds::avalanche(&h(B_KEY), &h(B_INPUT), Flip::Input(0)).unwrap();
    assert_eq!(hx(&av.b.input), "b243f6a8885a308d313198a2e0370734", "bit 0 is the top bit of byte 0");
    assert_eq!(av.input_bits(), 1);
    assert_eq!(av.after_rounds()[0], 1, "AddRoundKey adds the same key to both");
    let round1 = &av.after_steps(1);
    let bytes = |r: usize, step| {
        let (a, b) = (av.a.rounds[r].after(step).unwrap(), av.b.rounds[r].after(step).unwrap());
        aes_rounds::bytes_differ(a, b).iter().filter(|d| **d).count()
    };
    assert_eq!(round1.len(), 4);
    assert_eq!(bytes(1, Step::SubBytes), 1);
    assert_eq!(bytes(1, Step::MixColumns), 4, "MixColumns spreads the byte over its column");
    assert_eq!(bytes(2, Step::MixColumns), 16, "after two rounds every byte differs");
    assert!(av.round_key_bits().iter().all(|&k| k == 0), "the same key on both sides");
}

#[test]
fn a_flipped_key_bit_spreads_through_the_key_expansion() {
    let av = aes_rounds::avalanche(&h(B_KEY), &h(B_INPUT), Flip::Key(127)).unwrap();
    assert_eq!(hx(&av.b.key), "2b7e151628aed2a6abf7158809cf4f3d");
    assert_eq!(av.input_bits(), 0);
    assert_eq!(av.round_key_bits()[0], 1);
    assert!(av.round_key_bits()[10] > 20, "{:?}", av.round_key_bits());
    assert!(aes_rounds::avalanche(&h(B_KEY), &h(B_INPUT), Flip::Input(128)).is_err(), "no bit 128");
}

// ── The command line ────────────────────────────────────────────────────

fn run_ok(args: &[&str]) -> String {
    let out = Lab::new().run(args, b"");
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    assert!(out.stderr.is_empty(), "{args:?}: {}", out.stderr);
    out.text()
}

fn assert_fits_80_columns(args: &[&str], text: &str) {
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "{args:?}: a line of {} columns:\n{line}", line.chars().count());
        assert_eq!(line, line.trim_end(), "{args:?}: trailing spaces:\n{line:?}");
    }
}

#[test]
fn the_default_run_is_appendix_b_and_fits_80_columns() {
    let text = run_ok(&["aes"]);
    assert!(text.contains(&format!("output  {B_OUTPUT}")), "{text}");
    assert!(text.contains("\nchecked against the aes crate: equal\n"), "{text}");
    assert!(text.contains("FIPS-197 Appendix B's key and input"), "{text}");
    // Appendix B's round 1, as its page draws it.
    assert!(text.contains(
        "  start        SubBytes     ShiftRows    MixColumns   round key 1  AddRoundKey\n\
         \x20 19 a0 9a e9  d4 e0 b8 1e  d4 e0 b8 1e  04 e0 48 28  a0 88 23 2a  a4 68 6b 02\n\
         \x20 3d f4 c6 f8  27 bf b4 41  bf b4 41 27  66 cb f8 06  fa 54 a3 6c  9c 9f 5b 6a\n\
         \x20 e3 e2 8d 48  11 98 5d 52  5d 52 11 98  81 19 d3 26  fe 2c 39 76  7f 35 ea 50\n\
         \x20 be 2b 2a 08  ae f1 e5 30  30 ae f1 e5  e5 9a 7a 4c  17 b1 39 05  f2 2b 43 49\n"
    ));
    assert!(text.contains("  10  d014f9a8  c9ee2589  e13f0cc8  b6630ca6  5c006e57  4a639f5b  36000000\n"));
    assert_eq!(text.matches("\n\nRound ").count(), 11, "rounds 0 to 10");
    assert_fits_80_columns(&["aes"], &text);
}

#[test]
fn every_view_fits_80_columns() {
    let c1 =
        ["aes", "--key", "000102030405060708090a0b0c0d0e0f", "--block", "00112233445566778899aabbccddeeff"];
    let text = run_ok(&c1);
    assert!(text.contains("output  69c4e0d86a7b0430d8cdb78070b4c55a"), "{text}");
    assert!(text.contains("FIPS-197 Appendix C.1's key and input"), "{text}");
    for args in [
        &c1[..],
        &["aes", "--key", "text:Sixteen byte key", "--block", "text:ATTACK AT DAWN!!"],
        &["aes", "--avalanche"],
        &["aes", "--avalanche", "--bit", "127"],
        &["aes", "--avalanche", "--key-bit", "0"],
        &["aes", "--key", "ffffffffffffffffffffffffffffffff", "--avalanche", "--key-bit", "64"],
    ] {
        assert_fits_80_columns(args, &run_ok(args));
    }
}

#[test]
fn avalanche_shows_the_counts_per_round_and_the_distance() {
    let text = run_ok(&["aes", "--avalanche"]);
    let av = aes_rounds::avalanche(&h(B_KEY), &h(B_INPUT), Flip::Input(0)).unwrap();
    for (r, n) in av.after_rounds().iter().enumerate() {
        let label = format!("round {r}");
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("  {label:<8}")))
            .unwrap_or_else(|| panic!("no row for {label}:\n{text}"));
        assert!(line.starts_with(&format!("  {label:<8}{n:>4}  ")), "{line}");
        assert_eq!(line.matches('#').count(), (*n as usize).div_ceil(2), "{line}");
    }
    assert!(text.contains("input b  b243f6a8885a308d313198a2e0370734  bit 0 flipped (byte 0: 32 → b2)"));
    assert!(text.contains(&format!("output a  {B_OUTPUT}\noutput b  {}\n", hx(&av.b.output))));
    assert!(text.contains(&format!("\n{} of 128 bits differ (the Hamming distance)\n", av.output_bits())));
    assert!(text.contains("\nchecked against the aes crate: equal (both)\n"));
}

#[test]
fn json_has_a_fact_per_round_with_the_state_hex() {
    let text = run_ok(&["aes", "--json"]);
    let t = aes_rounds::trace(&h(B_KEY), &h(B_INPUT)).unwrap();
    let events: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    let rounds: Vec<&serde_json::Value> = events.iter().filter(|e| e["name"] == "round").collect();
    assert_eq!(rounds.len(), 11);
    for (r, e) in rounds.iter().enumerate() {
        assert_eq!(e["event"], "fact");
        let v = &e["value"];
        assert_eq!(v["round"], r);
        assert_eq!(v["start"], hx(&t.rounds[r].start));
        assert_eq!(v["round_key"], A1_ROUND_KEYS[r]);
        assert_eq!(v["end"], hx(t.rounds[r].end()));
        let steps = v["steps"].as_array().unwrap();
        assert_eq!(steps.len(), t.rounds[r].steps.len());
        for (s, (step, state)) in steps.iter().zip(&t.rounds[r].steps) {
            assert_eq!(s["step"], step.name());
            assert_eq!(s["state"], hx(state));
        }
    }
    let output = events.iter().find(|e| e["name"] == "output").expect("an output fact");
    assert_eq!(output["value"]["output"], B_OUTPUT);
    assert_eq!(output["value"]["equal"], true);
    let kinds: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert!(kinds.iter().all(|k| ["title", "step", "say", "fact"].contains(k)), "{kinds:?}");
}

#[test]
fn bad_keys_and_blocks_are_two_line_errors() {
    let lab = Lab::new();
    let hint = "give 32 hex digits (16 bytes), or text: and 16 characters";
    let cases: [(&[&str], &str, &str); 7] = [
        (&["--key", "000102"], "--key is 3 bytes; expected 16 (AES-128)", hint),
        (&["--key", "text:short"], "--key is 5 bytes; expected 16 (AES-128)", hint),
        (
            &["--key", "2b7e151628aed2a6abf7158809cf4f3g"],
            "--key is not hex: digit 32 is not 0-9 or a-f",
            hint,
        ),
        (&["--block", "00112233"], "--block is 4 bytes; expected 16 (one AES block)", hint),
        (&["--block", "text:attack at dawn"], "--block is 14 bytes; expected 16 (one AES block)", hint),
        (&["--block", "0011223"], "--block is not hex: an odd number of hex digits", hint),
        (
            &["--key", "000102030405060708090a0b0c0d0e0f1011121314151617"],
            "--key is 24 bytes, an AES-192 key; this view is AES-128 only",
            "give a 16-byte key (32 hex digits); AES-192/256 run the same steps, in 12/14 rounds",
        ),
    ];
    for (args, what, hint) in cases {
        let out = lab.run(&[&["aes"][..], args].concat(), b"");
        assert_error(&out, what, hint);
        assert_eq!(out.stderr.lines().count(), 2, "{args:?}: two lines: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: nothing shown");
    }
    let k256 = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
    let out = lab.run(&["aes", "--key", k256], b"");
    assert_error(
        &out,
        "--key is 32 bytes, an AES-256 key; this view is AES-128 only",
        "give a 16-byte key (32 hex digits); AES-192/256 run the same steps, in 12/14 rounds",
    );
    for args in [
        &["aes", "--avalanche", "--bit", "128"][..],
        &["aes", "--bit", "3"],
        &["aes", "--avalanche", "--bit", "1", "--key-bit", "2"],
    ] {
        let out = lab.run(args, b"");
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    }
}

#[test]
fn help_names_aes_128_only_and_has_examples() {
    let text = run_ok(&["aes", "--help"]);
    assert!(text.contains("AES-128 only"), "{text}");
    // Our part of the page (clap lays out the options).
    let ours = &text[text.find("AES-128 only (10 rounds)").expect("the notes after the options")..];
    assert_fits_80_columns(&["aes", "--help"], ours);
    assert!(text.contains("Examples:\n  cryptolab aes "), "{text}");
    assert!(text.contains("cryptolab aes --avalanche"), "{text}");
    assert!(text.contains("checks the final block against the aes crate"), "{text}");
    assert!(run_ok(&["--help"]).contains("  aes "), "listed among the commands");
}
