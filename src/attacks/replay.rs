//! Replay: sending a captured frame again.
//!
//! **Setup.** Alice's client sends her bank `transfer 100 to bob` as frame
//! seq 1 on the chat protocol ([`crate::wire`]). An attacker on the path keeps
//! a copy of the bytes.
//!
//! **Attack.** Later, after Alice's next message, the attacker sends the
//! copy again. The receiver now expects seq 3 and sees seq 1, so the naive
//! replay is caught by the sequence check, in every suite. But the attacker
//! can rewrite the header. In `cbc` (and `ecb`) nothing authenticates it, so
//! setting byte 11 to 3 makes the old frame the expected one:
//!
//! ```text
//! header (16 bytes, unauthenticated in cbc)  body = IV ‖ C   (unchanged)
//! 01 02 02 00 | 00 00 00 00 00 00 00 01→03 | len
//! ```
//!
//! **Verify.** cbc: the bank executes `transfer 100 to bob` twice. cbc-hmac and
//! gcm authenticate the header, sequence number included (it is the MAC
//! input / the GCM associated data). The rewritten frame fails its tag, and the
//! untouched one fails the sequence check. Either way it is refused.

use std::sync::Arc;

use super::{DemoCtx, DemoError, broken_if};
use crate::keys::KeyMaterial;
use crate::render::Dump;
use crate::session::{Opener, Sealer};
use crate::suite::{Cipher, Suite};
use crate::wire::{self, Kind};

/// The captured message.
pub const CAPTURED: &str = "transfer 100 to bob";

/// One delivery to the bank: which frame, and what the bank made of it.
#[derive(Debug)]
pub struct Delivery {
    /// What this delivery is, in words.
    pub what: &'static str,
    /// The frame as sent.
    pub frame: Vec<u8>,
    /// The message the bank accepted, or why it refused.
    pub result: Result<String, String>,
}

/// Runs the scenario in `suite`: Alice's three frames, then the attacker's
/// two replays (as captured, and with the sequence number rewritten).
pub fn run(suite: Suite, keys: &KeyMaterial, seed: u64) -> Vec<Delivery> {
    let cipher = Arc::new(Cipher::new(suite, &keys.enc, keys.mac()).expect("demo keys are valid"));
    let mut alice = Sealer::seeded(cipher.clone(), seed);
    let mut bank = Opener::new(cipher, "alice".into(), "the bank speaks");
    let mut out = Vec::new();
    let mut deliver = |what, frame: Vec<u8>| {
        let result = bank
            .open(&frame)
            .map(|o| String::from_utf8_lossy(&o.text).into_owned())
            .map_err(|e| e.to_string());
        out.push(Delivery { what, frame, result });
    };
    deliver("alice: hello (seq 0)", alice.seal(Kind::Hello, b"alice"));
    let captured = alice.seal(Kind::Message, CAPTURED.as_bytes());
    deliver("alice: the transfer (seq 1), captured by the attacker", captured.clone());
    deliver("alice: next message (seq 2)", alice.seal(Kind::Message, b"balance?"));
    deliver("attacker: the captured frame, as it was", captured.clone());
    let mut rewritten = captured;
    rewritten[11] = 3; // seq 1 → 3, the number the bank expects next
    deliver("attacker: the captured frame, seq rewritten to 3", rewritten);
    out
}

/// How many times the bank executed the transfer.
pub fn transfers(deliveries: &[Delivery]) -> usize {
    deliveries.iter().filter(|d| d.result.as_deref() == Ok(CAPTURED)).count()
}

/// This demo's row in the registry ([`super::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "replay",
    about: "Replay a captured frame: accepted twice in cbc, refused in cbc-hmac and gcm",
    headline,
};

/// The settings of `cryptolab demo replay` (none yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {}

/// "1 time", "2 times".
fn times(n: usize) -> String {
    format!("{n} time{}", if n == 1 { "" } else { "s" })
}

/// Narrates the demo: the deliveries in each suite, and what the bank did.
pub fn narrate(ctx: &mut DemoCtx, _opts: &Options) -> Result<(), DemoError> {
    ctx.announce_keys();
    ctx.title("Demo: replay — the same frame, sent again");
    for suite in [Suite::Cbc, Suite::CbcHmac, Suite::Gcm] {
        let deliveries = run(suite, &ctx.keys, ctx.seed());
        ctx.step(format!(
            "{suite}{}",
            suite.insecure_reason().map(|_| " (INSECURE: header not authenticated)").unwrap_or("")
        ));
        if suite == Suite::Cbc {
            let f = &deliveries[4].frame;
            if let Ok((h, _)) = wire::decode_frame(f, u32::MAX) {
                ctx.dump(
                    Dump::new("the replayed frame, seq rewritten (byte 11 marked)", f)
                        .spans(wire::frame_spans(&h, f))
                        .mark(11..12),
                );
            }
        }
        let lines: Vec<String> = deliveries
            .iter()
            .map(|d| {
                let said = match &d.result {
                    Ok(text) => format!("accepted: \"{text}\""),
                    Err(e) => format!("refused: {e}"),
                };
                format!("  {:55} {said}", d.what)
            })
            .collect();
        ctx.say(lines.join("\n"));
        let n = transfers(&deliveries);
        ctx.verdict(
            DEMO.name,
            suite.name(),
            broken_if(n > 1),
            format!("{suite}: \"{CAPTURED}\" executed {}.", times(n)),
        );
    }
    Ok(())
}

/// The tour's version: how many times the bank executed the transfer, per suite.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    ctx.say(format!(
        "replay: the captured frame \"{CAPTURED}\", sent again with its sequence number edited."
    ));
    for suite in [Suite::Cbc, Suite::CbcHmac, Suite::Gcm] {
        let n = transfers(&run(suite, &ctx.keys, ctx.seed()));
        let why = if suite.spec().authenticated { " (the tag covers the sequence number)" } else { "" };
        ctx.verdict(
            DEMO.name,
            suite.name(),
            broken_if(n > 1),
            format!("{suite}: executed {}{why}", times(n)),
        );
    }
    Ok(())
}
