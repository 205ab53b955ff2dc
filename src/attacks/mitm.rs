//! The man in the middle: two key exchanges, one with each side.
//!
//! **Setup.** Alice connects to her bank, and Mallory sits on the path (a
//! router, a Wi-Fi access point: `cryptolab proxy --mitm`).
//!
//! **Attack.** When Alice's ClientHello arrives, Mallory answers it herself
//! with her own X25519 key, and sends the bank a ClientHello of her own. Two
//! handshakes: Alice ↔ Mallory and Mallory ↔ bank. Mallory then opens every
//! frame with one side's keys, reads it, changes it if she likes
//! (`pay 10 to bob` becomes `pay 10 to mallory`), and seals it again with
//! the other side's.
//!
//! **Verify.** With `--anonymous` (an X25519 exchange that nothing
//! authenticates) both handshakes succeed: Alice and the bank each see a
//! valid handshake and valid frames, and the bank executes Mallory's
//! version. BROKEN, checked by what the bank accepted. With the key file the
//! Finished MACs are keyed by it (`psk` in the key schedule): Mallory does
//! not have it, so her ServerHello's Finished fails at Alice and the bank's
//! fails at her; both ends say `handshake failed` before any message.
//! REFUSED. This is why TLS authenticates its key exchange (a certificate's
//! signature, or a PSK binder: RFC 8446 §4.4.3, §4.2.11).
//!
//! Mallory herself is [`crate::session::mitm::Mallory`], sans-I/O: frames
//! in, frames out. `proxy --mitm` runs her between two sockets; [`narrate`]
//! between two in-process channels.

use std::sync::Arc;

use super::{DemoCtx, DemoError, broken_if};
use crate::keys::KeyMaterial;
use crate::session::channel::{Channel, NativeKeys, Received, Side, Speak};
use crate::session::handshake::{Config, Keying, Psk};
use crate::session::loopback::{Endpoint, Taken};
use crate::session::mitm::{Mallory, Rewrite};
use crate::suite::Suite;

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "mitm",
    about: "A man in the middle runs a key exchange with each side: wins against --anonymous, not the key file",
    headline,
    tour: true,
};

/// The settings of `cryptolab demo mitm` (none yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {}

/// What the bank accepted, what Alice got back, and what ended it.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Messages the bank accepted from "Alice".
    pub bank_got: Vec<String>,
    /// Messages Alice accepted from "the bank".
    pub alice_got: Vec<String>,
    /// Mallory's lines.
    pub said: Vec<String>,
    /// Why Alice's side ended, if it did.
    pub alice_refused: Option<String>,
    /// Why the bank's side ended, if it did.
    pub bank_refused: Option<String>,
}

/// One frame to Alice or the bank: what it sends back, and the message it
/// accepted, if it was one. A refusal is written to `refused`.
fn deliver(p: &mut Endpoint, frame: &[u8], refused: &mut Option<String>) -> (Vec<Vec<u8>>, Option<String>) {
    match p.take(frame) {
        Ok(Taken::Handshake(out)) => (out, None),
        Ok(Taken::Opened(Received::Message(t))) => {
            (Vec::new(), Some(String::from_utf8_lossy(&t).into_owned()))
        }
        Ok(Taken::Opened(_)) => (Vec::new(), None),
        Err(e) => {
            *refused = Some(e.to_string());
            (e.alert().into_iter().map(|w| w.bytes).collect(), None)
        }
    }
}

/// `text` sealed by an established endpoint (nothing before that).
fn send(p: &mut Endpoint, text: &str) -> Vec<Vec<u8>> {
    p.outbound().map(|o| vec![o.message(text.as_bytes(), &mut rand::rng()).bytes]).unwrap_or_default()
}

/// Alice sends `pay 10 to bob` and the bank echoes what it executed, with
/// Mallory in the middle rewriting `bob` to `mallory`; `keying` is both
/// ends' (`--anonymous` or the key file).
pub fn run(suite: Suite, keys: &KeyMaterial, keying: Keying) -> Outcome {
    let speak = || {
        let psk = (keying == Keying::Handshake).then(|| Arc::new(Psk::new(keys)));
        Speak::Native {
            keys: NativeKeys::Handshake(Config { suite, psk, aes_len: keys.enc.len() }),
            seed: None,
        }
    };
    let mut alice =
        Endpoint::Handshaking(Channel::new(&speak(), Side::Client, "bank", b"alice").expect("demo keys"));
    let mut bank = Endpoint::Handshaking(
        Channel::new(&speak(), Side::Server, "alice", b"bank: hello alice").expect("demo keys"),
    );
    let rewrite = Rewrite { from: b"bob".to_vec(), to: b"mallory".to_vec() };
    let mut mallory = Mallory::new(vec![rewrite]);
    let mut out = Outcome::default();
    let start = |p: &mut Endpoint| match p {
        Endpoint::Handshaking(ch) => ch.start().into_iter().map(|w| w.bytes).collect(),
        Endpoint::Ready(..) | Endpoint::Gone => Vec::new(),
    };
    let (mut a2m, mut b2m) = (start(&mut alice), start(&mut bank));
    let (mut m2a, mut m2b): (Vec<Vec<u8>>, Vec<Vec<u8>>) = (Vec::new(), Vec::new());
    let mut sent = false;
    for _ in 0..64 {
        if a2m.is_empty() && b2m.is_empty() && m2a.is_empty() && m2b.is_empty() {
            if !alice.is_ready() || sent {
                break;
            }
            a2m = send(&mut alice, "pay 10 to bob");
            sent = true;
        }
        for f in std::mem::take(&mut a2m) {
            let s = mallory.from_client(&f);
            out.said.extend(s.said);
            m2a.extend(s.to_client);
            m2b.extend(s.to_server);
        }
        for f in std::mem::take(&mut b2m) {
            let s = mallory.from_server(&f);
            out.said.extend(s.said);
            m2a.extend(s.to_client);
            m2b.extend(s.to_server);
        }
        for f in std::mem::take(&mut m2b) {
            let (back, got) = deliver(&mut bank, &f, &mut out.bank_refused);
            b2m.extend(back);
            if let Some(text) = got {
                b2m.extend(send(&mut bank, &format!("done: {text}")));
                out.bank_got.push(text);
            }
        }
        for f in std::mem::take(&mut m2a) {
            let (back, got) = deliver(&mut alice, &f, &mut out.alice_refused);
            a2m.extend(back);
            out.alice_got.extend(got);
        }
    }
    out
}

/// Narrates the demo.
pub fn narrate(ctx: &mut DemoCtx, _opts: &Options) -> Result<(), DemoError> {
    ctx.announce_keys();
    ctx.title("Demo: the man in the middle — a key exchange with each side");
    ctx.say(crate::render::wrap(
        "Alice sends her bank \"pay 10 to bob\" in gcm. Mallory, on the path, answers \
         Alice's ClientHello with her own X25519 key and sends the bank a ClientHello \
         of her own, then relays: open, read, change \"bob\" to \"mallory\", seal again.",
        78,
        "",
    ));
    for keying in [Keying::Anonymous, Keying::Handshake] {
        let how = how(keying);
        let o = run(Suite::Gcm, &ctx.keys, keying);
        ctx.step(format!("gcm, {how}"));
        let mut lines: Vec<String> = o.said.iter().map(|l| format!("mallory: {l}")).collect();
        lines.extend(o.bank_got.iter().map(|t| format!("the bank executed: \"{t}\"")));
        lines.extend(o.alice_got.iter().map(|t| format!("alice was told: \"{t}\"")));
        for (who, why) in [("alice", &o.alice_refused), ("the bank", &o.bank_refused)] {
            if let Some(why) = why {
                lines.push(format!("{who}: {why}"));
            }
        }
        ctx.say(lines.iter().map(|l| crate::render::wrap(l, 78, "  ")).collect::<Vec<_>>().join("\n"));
        let (broken, text) = verdict(&o, how);
        ctx.verdict(DEMO.name, format!("gcm {how}"), broken_if(broken), text);
    }
    Ok(())
}

/// BROKEN when the bank executed Mallory's version and Alice saw her own;
/// REFUSED when both sides refused the handshake and nothing was executed.
fn verdict(o: &Outcome, how: &str) -> (bool, String) {
    let changed = o.bank_got.iter().any(|t| t == "pay 10 to mallory");
    let unaware = o.alice_got.iter().any(|t| t == "done: pay 10 to bob");
    if changed && unaware {
        (true, format!("gcm, {how}: the bank paid mallory, Alice was told bob"))
    } else {
        let both = o.alice_refused.is_some() && o.bank_refused.is_some();
        let said =
            if both { "both ends refused the handshake" } else { "the message did not get through changed" };
        (false, format!("gcm, {how}: {said}, nothing executed"))
    }
}

fn how(keying: Keying) -> &'static str {
    match keying {
        Keying::Anonymous => "--anonymous",
        Keying::Handshake => "key file",
        Keying::Static => "--static-keys",
    }
}

/// The tour's version.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    ctx.say("mitm: a key exchange with each side, \"bob\" rewritten to \"mallory\" on the way.");
    for keying in [Keying::Anonymous, Keying::Handshake] {
        let o = run(Suite::Gcm, &ctx.keys, keying);
        let how = how(keying);
        let (broken, text) = verdict(&o, how);
        ctx.verdict(DEMO.name, format!("gcm {how}"), broken_if(broken), text);
    }
    Ok(())
}
