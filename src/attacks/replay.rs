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

use crate::keys::KeyMaterial;
use crate::net::{Opener, Sealer};
use crate::suite::{Cipher, Suite};
use crate::wire::Kind;

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

/// Narrates the demo: the deliveries in each suite, and what the bank did.
pub fn narrate(
    w: &mut dyn std::io::Write,
    r: &crate::render::Renderer,
    keys: &KeyMaterial,
    seed: u64,
) -> std::io::Result<()> {
    use crate::render::Dump;
    use crate::wire;

    super::title(w, r, "Demo: replay — the same frame, sent again")?;
    for suite in [Suite::Cbc, Suite::CbcHmac, Suite::Gcm] {
        let deliveries = run(suite, keys, seed);
        super::step(
            w,
            r,
            &format!(
                "{suite}{}",
                suite.insecure_reason().map(|_| " (INSECURE: header not authenticated)").unwrap_or("")
            ),
        )?;
        if suite == Suite::Cbc {
            let f = &deliveries[4].frame;
            if let Ok((h, _)) = wire::decode_frame(f, u32::MAX) {
                r.render(
                    w,
                    &Dump::new("the replayed frame, seq rewritten (byte 11 marked)", f)
                        .spans(wire::frame_spans(&h, f.len()))
                        .mark(11..12),
                )?;
            }
        }
        for d in &deliveries {
            let said = match &d.result {
                Ok(text) => format!("accepted: \"{text}\""),
                Err(e) => format!("refused: {e}"),
            };
            writeln!(w, "  {:55} {said}", d.what)?;
        }
        let n = transfers(&deliveries);
        super::verdict(
            w,
            r,
            n > 1,
            &format!("{suite}: \"{CAPTURED}\" executed {n} time{}.", if n == 1 { "" } else { "s" }),
        )?;
    }
    Ok(())
}
