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
//!
//! **Two replays the sequence number cannot stop**, run in cbc-hmac and gcm
//! through the real [`Channel`] of `serve`/`connect`:
//! - *Across connections*: the attacker opens a new connection and sends the
//!   recorded hello and transfer, seq 0 and 1, which is exactly what a new
//!   connection expects. With `--static-keys` (one long-term key for every
//!   connection) the bank executes the transfer again. With the handshake the
//!   attacker must first replay Alice's ClientHello and Finished; the bank's
//!   ServerHello is fresh, so the recorded Finished no longer verifies, and
//!   even frames that got that far would be under the old connection's keys.
//! - *Reflection*: the attacker sends the bank's own frames back to it. The
//!   bank's hello and its echo of the transfer are seq 0 and 1 — what the bank
//!   expects from Alice. With one key for both directions they open, and the
//!   bank executes its own echo. With the handshake each direction has its
//!   own key, and the reflected frames fail their tag.

use std::sync::Arc;

use super::{DemoCtx, DemoError, broken_if};
use crate::keys::KeyMaterial;
use crate::render::Dump;
use crate::session::channel::{Channel, Inbound, NativeKeys, Received, Side, Speak};
use crate::session::handshake::{self, Keying};
use crate::session::loopback;
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

/// The two replays the sequence number cannot stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Alice's recorded frames, sent on a new connection.
    AcrossConnections,
    /// The bank's own frames, sent back to it.
    Reflection,
}

impl Replay {
    /// How it is named in the verdicts.
    pub const fn name(self) -> &'static str {
        match self {
            Replay::AcrossConnections => "across connections",
            Replay::Reflection => "reflection",
        }
    }
}

/// How `keying` speaks `suite` with the demo keys.
pub(super) fn speak(suite: Suite, keys: &KeyMaterial, keying: Keying, seed: u64) -> Speak {
    let native = match keying {
        Keying::Static => NativeKeys::Static(Arc::new(
            Cipher::new(suite, &keys.enc, keys.mac()).expect("demo keys are valid"),
        )),
        Keying::Handshake | Keying::Anonymous => {
            let psk = (keying == Keying::Handshake).then(|| Arc::new(handshake::Psk::new(keys)));
            NativeKeys::Handshake(handshake::Config { suite, psk, aes_len: keys.enc.len() })
        }
    };
    Speak::Native { keys: native, seed: Some(seed) }
}

/// The bank's side of a new connection.
fn bank(suite: Suite, keys: &KeyMaterial, keying: Keying, seed: u64) -> Channel {
    Channel::new(&speak(suite, keys, keying, seed), Side::Server, "alice", BANK_HELLO)
        .expect("demo keys are valid")
}

/// What the bank's hello says.
const BANK_HELLO: &[u8] = b"bank: hello alice";

/// Alice's connection to the bank, its handshake run in memory.
fn connect(suite: Suite, keys: &KeyMaterial, keying: Keying, seed: u64) -> loopback::Pair {
    let alice = speak(suite, keys, keying, seed);
    let bank = speak(suite, keys, keying, seed ^ 1);
    loopback::connect(&alice, &bank, b"alice", BANK_HELLO).expect("the demo's own two sides agree")
}

/// What the bank makes of one frame: the text it accepted, or why not.
fn delivered(bank: &mut Inbound, frame: &[u8]) -> Result<String, String> {
    match bank.open(frame) {
        Ok(Received::Message(t) | Received::Hello(t)) => Ok(String::from_utf8_lossy(&t).into_owned()),
        Ok(Received::End(_) | Received::Notice(_) | Received::Handshake { .. }) => {
            Err("not a message".into())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// What a replay beyond one connection did.
#[derive(Debug)]
pub struct Beyond {
    /// The bank's deliveries, in order.
    pub deliveries: Vec<Delivery>,
    /// Whether the bank executed `transfer 100 to bob` from the attacker.
    pub executed: bool,
}

/// Runs `replay` in `suite` with `keying` (`--static-keys` or the
/// handshake), through the real [`Channel`] of `serve` and `connect`.
pub fn run_beyond(replay: Replay, suite: Suite, keys: &KeyMaterial, keying: Keying, seed: u64) -> Beyond {
    let mut conn = connect(suite, keys, keying, seed);
    let mut out = Vec::new();
    let mut executed = false;
    match replay {
        Replay::AcrossConnections => {
            for hello in std::mem::take(&mut conn.to_server) {
                let result = delivered(&mut conn.server.0, &hello);
                out.push(Delivery { what: "alice: hello (connection 1)", frame: hello, result });
            }
            let transfer = conn.client.1.message(CAPTURED.as_bytes(), &mut rand::rng()).bytes;
            conn.client_sent.push(transfer.clone());
            let result = delivered(&mut conn.server.0, &transfer);
            out.push(Delivery {
                what: "alice: the transfer (connection 1), recorded",
                frame: transfer,
                result,
            });
            // Connection 2: the attacker plays back everything Alice sent.
            let mut bank = bank(suite, keys, keying, seed ^ 2);
            let mut frames = std::mem::take(&mut conn.client_sent).into_iter();
            while !bank.is_ready() {
                let Some(frame) = frames.next() else { break };
                match bank.handshake(&frame) {
                    Ok((next, _)) => bank = next,
                    Err(e) => {
                        let what = "attacker: alice's handshake (connection 2)";
                        out.push(Delivery { what, frame, result: Err(e.to_string()) });
                        return Beyond { deliveries: out, executed };
                    }
                }
            }
            let Ok((mut bank_in, _)) = bank.split() else { return Beyond { deliveries: out, executed } };
            for frame in frames {
                let result = delivered(&mut bank_in, &frame);
                let refused = result.is_err();
                executed |= result.as_deref() == Ok(CAPTURED);
                out.push(Delivery { what: "attacker: alice's frame (connection 2)", frame, result });
                if refused {
                    break; // the connection closes at the first refusal
                }
            }
        }
        Replay::Reflection => {
            // The bank says hello and passes a line to Alice; the attacker
            // drops Alice's frames and sends the bank its own instead.
            let told = conn.server.1.message(CAPTURED.as_bytes(), &mut rand::rng()).bytes;
            let mut frames = std::mem::take(&mut conn.to_client);
            frames.push(told);
            for frame in frames {
                let result = delivered(&mut conn.server.0, &frame);
                let refused = result.is_err();
                executed |= result.as_deref() == Ok(CAPTURED);
                out.push(Delivery { what: "attacker: the bank's own frame, sent back", frame, result });
                if refused {
                    break;
                }
            }
        }
    }
    Beyond { deliveries: out, executed }
}

/// How many times the bank executed the transfer.
pub fn transfers(deliveries: &[Delivery]) -> usize {
    deliveries.iter().filter(|d| d.result.as_deref() == Ok(CAPTURED)).count()
}

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "replay",
    about: "Replay a captured frame: within a connection, across connections, reflected",
    headline,
    tour: true,
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
                        .spans(wire::frame_spans(&h, f.len()))
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
    beyond(ctx);
    Ok(())
}

/// The replays the sequence number cannot stop, with and without the
/// handshake, in the authenticated suites.
fn beyond(ctx: &mut DemoCtx) {
    let intro = [
        (
            Replay::AcrossConnections,
            "The attacker opens a new connection and sends what Alice sent on hers: \
             hello (seq 0) and the transfer (seq 1), which is what a new connection \
             expects.",
        ),
        (
            Replay::Reflection,
            "The attacker drops Alice's frames and sends the bank its own: its hello \
             (seq 0) and a line it passed to Alice (seq 1), \"transfer 100 to bob\".",
        ),
    ];
    for (replay, what) in intro {
        ctx.step(format!("{} (cbc-hmac and gcm)", replay.name()));
        ctx.say(crate::render::wrap(what, 78, ""));
        for suite in [Suite::CbcHmac, Suite::Gcm] {
            for keying in [Keying::Static, Keying::Handshake] {
                let run = run_beyond(replay, suite, &ctx.keys, keying, ctx.seed());
                let how = match keying {
                    Keying::Static => "--static-keys",
                    Keying::Handshake | Keying::Anonymous => "handshake",
                };
                let lines: Vec<String> = run
                    .deliveries
                    .iter()
                    .map(|d| {
                        let said = match &d.result {
                            Ok(text) => format!("accepted: \"{text}\""),
                            Err(e) => format!("refused: {e}"),
                        };
                        format!("  {}\n{}", d.what, crate::render::wrap(&said, 78, "      "))
                    })
                    .collect();
                ctx.say(format!("{suite}, {how}:\n{}", lines.join("\n")));
                let outcome = if run.executed {
                    format!("{suite}, {how}: the attacker's copy was executed")
                } else {
                    format!("{suite}, {how}: the attacker's copy was refused")
                };
                ctx.verdict(
                    DEMO.name,
                    format!("{suite} {} {how}", replay.name()),
                    broken_if(run.executed),
                    outcome,
                );
            }
        }
    }
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
