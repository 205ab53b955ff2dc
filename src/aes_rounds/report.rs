//! The AES trace as events: what `cryptolab aes` prints and what the
//! browser view's AES page draws, from one [`Trace`] or [`Avalanche`] that
//! [`super::trace`] / [`super::avalanche`] have already checked against the
//! `aes` crate.
//!
//! Each round is one `round` fact: the state after each step as hex in
//! JSON, and as 4×4 grids (drawn by [`crate::render::grid`]) in its text;
//! the key expansion is a `key-schedule` fact, the result an `output` fact
//! carrying the line `checked against the aes crate: equal`. Every text
//! line fits 80 columns.

use serde_json::{Value, json};

use super::{self as aes_rounds, Avalanche, BLOCK_BITS, Block, Flip, ROUNDS, Round, Step, Trace};
use crate::events::{Event, Events, Fact};
use crate::render::grid::{self, Grid};

/// FIPS-197 Appendix B's cipher key, the default `--key`.
pub const APPENDIX_B_KEY: &str = "2b7e151628aed2a6abf7158809cf4f3c";
/// FIPS-197 Appendix B's input, the default `--block`.
pub const APPENDIX_B_INPUT: &str = "3243f6a8885a308d313198a2e0370734";

/// Published examples this view recognises, so the output can say which
/// page to compare it with: (source, key, input).
const KNOWN: &[(&str, &str, &str)] = &[
    ("FIPS-197 Appendix B", APPENDIX_B_KEY, APPENDIX_B_INPUT),
    ("FIPS-197 Appendix C.1", "000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff"),
];

fn fact(events: &Events, name: &'static str, value: Value, text: String) {
    events.emit(Event::Fact(Fact { name, value, text }));
}

fn known(key: &Block, input: &Block) -> Option<&'static str> {
    let (key, input) = (hex::encode(key), hex::encode(input));
    KNOWN.iter().find(|(_, k, i)| *k == key && *i == input).map(|(source, _, _)| *source)
}

// ── One block, round by round ────────────────────────────────────────────

/// Reports one block's trace: the key expansion, a `round` fact per round
/// (the state after each step), the output and the check against the crate.
pub fn trace(events: &Events, t: &Trace) {
    events.emit(Event::Title("AES-128 inside one block, round by round (FIPS-197)".into()));
    let mut text = format!("key    {}\ninput  {}", hex::encode(t.key), hex::encode(t.input));
    if let Some(source) = known(&t.key, &t.input) {
        text.push_str(&format!("\n{source}'s key and input: compare each round with its table."));
    }
    let value = json!({ "key": hex::encode(t.key), "input": hex::encode(t.input), "source": known(&t.key, &t.input) });
    fact(events, "block", value, text);

    key_schedule(events, t);

    events.emit(Event::Step("The rounds (FIPS-197 §5.1)".into()));
    let mut say = String::from(
        "Each grid is the state as FIPS-197 draws it: the 16 bytes run down the\n\
         columns (byte i at row i mod 4, column i div 4). A round's steps:",
    );
    for step in Step::ALL {
        say.push_str(&format!("\n  {:<12} {}  {}", step.name(), step.section(), step.does()));
    }
    say.push_str("\nRound 0 is AddRoundKey alone; the last round has no MixColumns.");
    events.emit(Event::Say(say));

    for round in &t.rounds {
        let heading = match round.number {
            0 => "Round 0: the input ⊕ round key 0".to_string(),
            ROUNDS => format!("Round {ROUNDS}, the last: no MixColumns"),
            n => format!("Round {n}"),
        };
        events.emit(Event::Step(heading));
        fact(events, "round", round_json(round), round_grids(round));
    }

    events.emit(Event::Step("Output".into()));
    let out = hex::encode(t.output);
    let value = json!({ "output": out, "aes_crate": out, "equal": true });
    fact(
        events,
        "output",
        value,
        format!("output  {out}  (the ciphertext)\nchecked against the aes crate: equal"),
    );
}

fn key_schedule(events: &Events, t: &Trace) {
    events.emit(Event::Step("Key expansion (FIPS-197 §5.2)".into()));
    events.emit(Event::Say(
        "44 words w[0..43]; round key r is w[4r..4r+3], the columns of its grid.\n\
         w[0..3] is the key, then w[i] = w[i-4] ⊕ w[i-1] — except that for every\n\
         fourth word, w[i-1] first goes through RotWord (bytes rotated one left),\n\
         SubWord (each byte through the S-box) and ⊕ Rcon, which are shown: they\n\
         make w[4r] from w[4r-1], the last word of the row above."
            .into(),
    ));
    let s = &t.schedule;
    let w = |word: &aes_rounds::Word| hex::encode(word);
    let mut lines = vec![format!(
        "  {:<3} {:<9} {:<9} {:<9} {:<9} {:<9} {:<9} {}",
        "r", "w[4r]", "w[4r+1]", "w[4r+2]", "w[4r+3]", "RotWord", "SubWord", "Rcon"
    )];
    for r in 0..=ROUNDS {
        let words = &s.words[4 * r..4 * r + 4];
        let mut line =
            format!("  {r:<3} {}  {}  {}  {}", w(&words[0]), w(&words[1]), w(&words[2]), w(&words[3]));
        if let Some(e) = s.expansions.iter().find(|e| e.i == 4 * r) {
            line.push_str(&format!("  {}  {}  {}", w(&e.rot_word), w(&e.sub_word), w(&e.rcon)));
        }
        lines.push(line);
    }
    let expansions: Vec<Value> = s
        .expansions
        .iter()
        .map(|e| {
            json!({
                "i": e.i,
                "temp": w(&e.temp),
                "rot_word": w(&e.rot_word),
                "sub_word": w(&e.sub_word),
                "rcon": w(&e.rcon),
                "after_rcon": w(&e.after_rcon),
            })
        })
        .collect();
    let round_keys: Vec<String> = (0..=ROUNDS).map(|r| hex::encode(s.round_key(r))).collect();
    let value = json!({
        "words": s.words.iter().map(w).collect::<Vec<_>>(),
        "round_keys": round_keys,
        "expansions": expansions,
    });
    fact(events, "key-schedule", value, lines.join("\n"));
}

/// The round as grids: where it starts, the state after each step, with
/// the round key just before the AddRoundKey that adds it.
fn round_grids(round: &Round) -> String {
    let start = if round.number == 0 { "input" } else { "start" };
    let mut grids = vec![Grid::bytes(start, &round.start)];
    for (step, state) in &round.steps {
        if *step == Step::AddRoundKey {
            grids.push(Grid::bytes(format!("round key {}", round.number), &round.round_key));
        }
        grids.push(Grid::bytes(step.name(), state));
    }
    grid::side_by_side(&grids, 2)
}

fn round_json(round: &Round) -> Value {
    let steps: Vec<Value> = round
        .steps
        .iter()
        .map(|(step, state)| json!({ "step": step.name(), "state": hex::encode(state) }))
        .collect();
    json!({
        "round": round.number,
        "start": hex::encode(round.start),
        "round_key": hex::encode(round.round_key),
        "steps": steps,
        "end": hex::encode(round.end()),
    })
}

// ── The avalanche ────────────────────────────────────────────────────────

/// Columns of the bar: one `#` per 2 bits, so 128 bits fill 64.
const BAR: usize = BLOCK_BITS / 2;

/// Reports an avalanche: the bits that differ after each round, the spread
/// through rounds 1 and 2 step by step, and the two outputs.
pub fn avalanche(events: &Events, av: &Avalanche) {
    let (a, b) = (&av.a, &av.b);
    let bit = av.flip.bit();
    let (what, flipped_from, flipped_to) = match av.flip {
        Flip::Input(_) => ("input", &a.input, &b.input),
        Flip::Key(_) => ("key", &a.key, &b.key),
    };
    events.emit(Event::Title(format!("AES-128 avalanche: one {what} bit flipped")));
    let byte = bit / 8;
    let note =
        format!("bit {bit} flipped (byte {byte}: {:02x} → {:02x})", flipped_from[byte], flipped_to[byte]);
    let text = match av.flip {
        Flip::Input(_) => format!(
            "key      {}\ninput a  {}\ninput b  {}  {note}",
            hex::encode(a.key),
            hex::encode(a.input),
            hex::encode(b.input)
        ),
        Flip::Key(_) => format!(
            "key a    {}\nkey b    {}  {note}\ninput    {}",
            hex::encode(a.key),
            hex::encode(b.key),
            hex::encode(a.input)
        ),
    };
    let value = json!({
        "flip": what,
        "bit": bit,
        "key_a": hex::encode(a.key),
        "key_b": hex::encode(b.key),
        "input_a": hex::encode(a.input),
        "input_b": hex::encode(b.input),
    });
    fact(events, "pair", value, text);
    events.emit(Event::Say(
        "Both go through the same ten rounds. Bit 0 is the first (top) bit of the\n\
         first byte, as FIPS-197 §3.3 numbers them."
            .into(),
    ));

    events.emit(Event::Step(format!("State bits that differ after each round, of {BLOCK_BITS}")));
    events.emit(Event::Say(format!(
        "One # is 2 bits; the | marks {}, half of them — what two unrelated blocks\n\
         differ by, on average.",
        BLOCK_BITS / 2
    )));
    let after = av.after_rounds();
    let keys = av.round_key_bits();
    let row = |label: &str, n: u32| {
        let filled = (n as usize).div_ceil(2);
        format!("  {label:<8}{n:>4}  {}", grid::bar(filled, BAR, Some(BAR / 2))).trim_end().to_string()
    };
    let mut lines = vec![format!("  {:<8}{:>4}", "state", "bits")];
    lines.push(row("input", av.input_bits()));
    for (r, n) in after.iter().enumerate() {
        lines.push(row(&format!("round {r}"), *n));
    }
    let rounds: Vec<Value> = after
        .iter()
        .zip(&keys)
        .enumerate()
        .map(|(r, (n, k))| json!({ "round": r, "bits": n, "round_key_bits": k }))
        .collect();
    let value = json!({ "input_bits": av.input_bits(), "rounds": rounds, "of": BLOCK_BITS });
    fact(events, "avalanche", value, lines.join("\n"));
    if let Flip::Key(_) = av.flip {
        events.emit(Event::Say(format!(
            "The key expansion spreads the key bit too: the round keys differ in\n\
             {} bits (round 1), {} (round 2) … {} (round 10).",
            keys[1], keys[2], keys[ROUNDS]
        )));
    }

    for r in 1..=2 {
        events.emit(Event::Step(format!("Round {r}: which bytes differ (x), step by step")));
        let (ra, rb) = (&a.rounds[r], &b.rounds[r]);
        let start_bits = aes_rounds::bits_differ(&ra.start, &rb.start);
        let mut grids = vec![
            Grid::marks("start", &aes_rounds::bytes_differ(&ra.start, &rb.start)).sublabel(bits(start_bits)),
        ];
        let mut steps = Vec::new();
        for ((step, x), (_, y)) in ra.steps.iter().zip(&rb.steps) {
            let n = aes_rounds::bits_differ(x, y);
            grids.push(Grid::marks(step.name(), &aes_rounds::bytes_differ(x, y)).sublabel(bits(n)));
            steps.push(json!({ "step": step.name(), "bits": n, "bytes": aes_rounds::bytes_differ(x, y).iter().filter(|d| **d).count() }));
        }
        let value = json!({ "round": r, "start_bits": start_bits, "steps": steps });
        fact(events, "spread", value, grid::side_by_side(&grids, 2));
    }
    events.emit(Event::Say(
        "SubBytes keeps a difference inside its byte, ShiftRows moves bytes to\n\
         other columns, MixColumns spreads one byte over its whole column: after\n\
         two rounds every byte of the state depends on the flipped bit."
            .into(),
    ));

    events.emit(Event::Step("Output".into()));
    let (oa, ob) = (hex::encode(a.output), hex::encode(b.output));
    let distance = av.output_bits();
    let value =
        json!({ "output_a": oa, "output_b": ob, "bits": distance, "of": BLOCK_BITS, "aes_crate": "equal" });
    fact(
        events,
        "outputs",
        value,
        format!(
            "output a  {oa}\noutput b  {ob}\n{distance} of {BLOCK_BITS} bits differ (the Hamming distance)\n\
             checked against the aes crate: equal (both)"
        ),
    );
}

fn bits(n: u32) -> String {
    if n == 1 { "1 bit".into() } else { format!("{n} bits") }
}
