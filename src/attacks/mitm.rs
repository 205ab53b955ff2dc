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
//! [`Mallory`] is sans-I/O: frames in, frames out. `proxy --mitm` runs it
//! between two sockets; [`narrate`] between two in-process channels.

use std::sync::Arc;

use rand::Rng;

use super::{DemoCtx, DemoError, broken_if};
use crate::keys::KeyMaterial;
use crate::session::channel::{Channel, ChannelError, Inbound, NativeKeys, Outbound, Received, Side, Speak};
use crate::session::handshake::{self, Config, Keying, Psk};
use crate::session::loopback::replies;
use crate::suite::Suite;
use crate::wire::{self, Kind};

/// A text substitution Mallory applies: `from` → `to` on the way to the
/// server, and back (`to` → `from`) on the way to the client, so that echoes
/// look untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// What to find.
    pub from: Vec<u8>,
    /// What to put instead.
    pub to: Vec<u8>,
}

impl std::str::FromStr for Rewrite {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once('=') {
            Some((from, to)) if !from.is_empty() => {
                Ok(Rewrite { from: from.as_bytes().to_vec(), to: to.as_bytes().to_vec() })
            }
            Some(_) | None => Err(format!("`{s}` is not FROM=TO (FROM not empty)")),
        }
    }
}

/// `text` with every `from` replaced by `to`.
fn replace(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// What one frame made Mallory do.
#[derive(Debug, Default)]
pub struct Step {
    /// Frames to send to the client.
    pub to_client: Vec<Vec<u8>>,
    /// Frames to send to the server.
    pub to_server: Vec<Vec<u8>>,
    /// What she read and changed, one line each.
    pub said: Vec<String>,
    /// The connection ends, and why.
    pub end: Option<String>,
}

enum Half {
    Handshaking(Channel),
    Ready(Inbound, Outbound),
    /// Refused (or being handled): nothing more from this side.
    Gone,
}

impl Half {
    fn is_ready(&self) -> bool {
        matches!(self, Half::Ready(..))
    }

    fn is_handshaking(&self) -> bool {
        matches!(self, Half::Handshaking(_))
    }
}

// One per proxied connection, replaced a few times per frame: boxing the
// halves would save nothing that matters.
#[allow(clippy::large_enum_variant)]
enum State {
    /// Waiting for the client's ClientHello.
    Start,
    /// Both handshakes under way (frames that arrive early are held).
    Running { front: Half, back: Half, held_client: Vec<Vec<u8>>, held_server: Vec<Vec<u8>> },
    /// Over.
    Done,
}

/// The man in the middle of one connection.
pub struct Mallory {
    rewrite: Vec<Rewrite>,
    state: State,
}

impl Mallory {
    /// Mallory, changing what `rewrite` says.
    pub fn new(rewrite: Vec<Rewrite>) -> Self {
        Mallory { rewrite, state: State::Start }
    }

    /// Whether both of her handshakes are done.
    pub fn is_relaying(&self) -> bool {
        matches!(&self.state, State::Running { front, back, .. } if front.is_ready() && back.is_ready())
    }

    /// Whether nothing more can pass: a side refused, and the other's
    /// handshake is no longer running (it gets to refuse too, first).
    pub fn is_over(&self) -> bool {
        match &self.state {
            State::Start => false,
            State::Done => true,
            State::Running { front, back, .. } => {
                let gone = |h: &Half| matches!(h, Half::Gone);
                (gone(front) && !back.is_handshaking()) || (gone(back) && !front.is_handshaking())
            }
        }
    }

    /// A frame from the client.
    pub fn from_client(&mut self, frame: &[u8]) -> Step {
        let mut step = Step::default();
        match std::mem::replace(&mut self.state, State::Done) {
            State::Start => self.start(frame, &mut step),
            State::Running { front, back, mut held_client, held_server } => {
                if front.is_ready() && !back.is_ready() {
                    held_client.push(frame.to_vec());
                    self.state = State::Running { front, back, held_client, held_server };
                } else {
                    self.run(front, back, held_client, held_server, Some(frame), None, &mut step);
                }
            }
            State::Done => {}
        }
        step
    }

    /// A frame from the server.
    pub fn from_server(&mut self, frame: &[u8]) -> Step {
        let mut step = Step::default();
        match std::mem::replace(&mut self.state, State::Done) {
            State::Start => step.end = Some("the server spoke first: it runs with --static-keys".into()),
            State::Running { front, back, held_client, mut held_server } => {
                if back.is_ready() && !front.is_ready() {
                    held_server.push(frame.to_vec());
                    self.state = State::Running { front, back, held_client, held_server };
                } else {
                    self.run(front, back, held_client, held_server, None, Some(frame), &mut step);
                }
            }
            State::Done => {}
        }
        step
    }

    /// The client's ClientHello: answer it, and start her own with the server.
    fn start(&mut self, frame: &[u8], step: &mut Step) {
        let hello = wire::decode_frame(frame, u32::MAX).ok().filter(|(h, b)| {
            h.kind == Kind::Handshake && b.len() == handshake::CLIENT_HELLO_LEN && b[0] == 1
        });
        let Some((header, body)) = hello else {
            step.end = Some(
                "the client sent no ClientHello (--static-keys?): without a handshake to \
                 take over there is nothing to read"
                    .into(),
            );
            return;
        };
        // Mirror what the client asked for: the suite, the AES size, and the
        // mode. For the key file's mode she has no key file: she guesses one.
        let psk = (body[1] == 1).then(|| {
            let mut guess = KeyMaterial { enc: vec![0; usize::from(body[2])], mac: Some(vec![0; 32]) };
            rand::rng().fill_bytes(&mut guess.enc);
            Arc::new(Psk::new(&guess))
        });
        let config = Config { suite: header.suite, psk, aes_len: usize::from(body[2]) };
        let speak = Speak::Native { keys: NativeKeys::Handshake(config), seed: None };
        let channel = |side, peer| Channel::new(&speak, side, peer, b"").map(Channel::without_hello);
        let (Ok(front), Ok(mut back)) = (channel(Side::Server, "client"), channel(Side::Client, "server"))
        else {
            step.end =
                Some(format!("the client's ClientHello asks for AES-{}: no such AES", body[2] as usize * 8));
            return;
        };
        step.to_server.extend(back.start().into_iter().map(|w| w.bytes));
        match front.handshake(frame) {
            Ok((front, got)) => {
                step.to_client.extend(replies(got));
                step.said.push(format!(
                    "took over the handshake: our own X25519 key to the client and to the server ({})",
                    if body[1] == 1 { "the key file's mode: we do not have it" } else { "--anonymous" }
                ));
                self.state = State::Running {
                    front: Half::Handshaking(front),
                    back: Half::Handshaking(back),
                    held_client: Vec::new(),
                    held_server: Vec::new(),
                };
            }
            Err(e) => fail(step, "client", &e, true),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        mut front: Half,
        mut back: Half,
        held_client: Vec<Vec<u8>>,
        held_server: Vec<Vec<u8>>,
        from_client: Option<&[u8]>,
        from_server: Option<&[u8]>,
        step: &mut Step,
    ) {
        let rewrite = self.rewrite.clone();
        let was_relaying = front.is_ready() && back.is_ready();
        let ok = match (from_client, from_server) {
            (Some(f), _) => take(&mut front, &mut back, f, true, &rewrite, step),
            (None, Some(f)) => take(&mut back, &mut front, f, false, &rewrite, step),
            (None, None) => true,
        };
        if !ok {
            // That side is gone; the other's handshake may still run (and
            // refuse in its turn). A relay that fails ends both.
            if was_relaying {
                return;
            }
            self.state = State::Running { front, back, held_client, held_server };
            return;
        }
        self.state = State::Running { front, back, held_client: Vec::new(), held_server: Vec::new() };
        if self.is_relaying() && !was_relaying {
            step.said.push("both handshakes done: every frame now passes through us in clear".into());
        }
        // Frames held while the other side's handshake ran.
        if self.is_relaying() {
            for f in held_client {
                let s = self.from_client(&f);
                merge(step, s);
            }
            for f in held_server {
                let s = self.from_server(&f);
                merge(step, s);
            }
        } else if let State::Running { held_client: hc, held_server: hs, .. } = &mut self.state {
            *hc = held_client;
            *hs = held_server;
        }
    }
}

fn merge(step: &mut Step, other: Step) {
    step.to_client.extend(other.to_client);
    step.to_server.extend(other.to_server);
    step.said.extend(other.said);
    if step.end.is_none() {
        step.end = other.end;
    }
}

/// A refusal: the alert to the side that sent it, and the end.
fn fail(step: &mut Step, from: &str, e: &ChannelError, client: bool) {
    if let Some(alert) = e.alert() {
        if client { step.to_client.push(alert.bytes) } else { step.to_server.push(alert.bytes) }
    }
    step.end = Some(format!("the {from}'s {e}"));
}

/// One frame from `src`'s peer (the client if `from_client`): through its
/// handshake, or opened, read, rewritten and sealed again for the other side.
fn take(
    src: &mut Half,
    dst: &mut Half,
    frame: &[u8],
    from_client: bool,
    rewrite: &[Rewrite],
    step: &mut Step,
) -> bool {
    let (from, to) = if from_client { ("client", "server") } else { ("server", "client") };
    match std::mem::replace(src, Half::Gone) {
        Half::Handshaking(ch) => match ch.handshake(frame) {
            Ok((ch, got)) => {
                let sent = replies(got);
                if from_client {
                    step.to_client.extend(sent)
                } else {
                    step.to_server.extend(sent)
                }
                *src = match ch.split() {
                    Ok((i, o)) => Half::Ready(i, o),
                    Err(ch) => Half::Handshaking(*ch),
                };
                true
            }
            Err(e) => {
                fail(step, from, &e, from_client);
                false
            }
        },
        Half::Ready(mut inb, outb) => {
            let Half::Ready(_, dst_out) = dst else {
                *src = Half::Ready(inb, outb);
                return true;
            };
            let sealed = match inb.open(frame) {
                Ok(Received::Hello(t)) => dst_out.hello(&t).map(|w| w.bytes),
                Ok(Received::Message(t)) => {
                    let mut changed = t.clone();
                    for r in rewrite {
                        changed = if from_client {
                            replace(&changed, &r.from, &r.to)
                        } else {
                            replace(&changed, &r.to, &r.from)
                        };
                    }
                    let shown = |b: &[u8]| crate::events::visible(&crate::events::show_text(b));
                    step.said.push(if changed == t {
                        format!("{from} → {to}: read \"{}\"", shown(&t))
                    } else {
                        format!("{from} → {to}: read \"{}\", sent on as \"{}\"", shown(&t), shown(&changed))
                    });
                    Some(dst_out.message(&changed, &mut rand::rng()).bytes)
                }
                Ok(Received::End(_)) => dst_out.end().map(|w| w.bytes),
                Ok(Received::Notice(_) | Received::Handshake { .. }) => None,
                Err(e) => {
                    step.end = Some(format!("a frame from the {from} did not open: {e}"));
                    return false;
                }
            };
            if let Some(bytes) = sealed {
                if from_client { step.to_server.push(bytes) } else { step.to_client.push(bytes) }
            }
            *src = Half::Ready(inb, outb);
            true
        }
        Half::Gone => false,
    }
}

/// This demo's row in the registry ([`super::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "mitm",
    about: "A man in the middle runs a key exchange with each side: wins against --anonymous, not the key file",
    headline,
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

enum Peer {
    Hand(Channel),
    Ready(Inbound, Outbound),
    Refused,
}

impl Peer {
    /// Takes one frame; returns what it sends back, and a message it accepted.
    fn take(&mut self, frame: &[u8], refused: &mut Option<String>) -> (Vec<Vec<u8>>, Option<String>) {
        match std::mem::replace(self, Peer::Refused) {
            Peer::Hand(ch) => match ch.handshake(frame) {
                Ok((ch, got)) => {
                    let out = replies(got);
                    *self = match ch.split() {
                        Ok((i, o)) => Peer::Ready(i, o),
                        Err(ch) => Peer::Hand(*ch),
                    };
                    (out, None)
                }
                Err(e) => {
                    *refused = Some(e.to_string());
                    (e.alert().into_iter().map(|w| w.bytes).collect(), None)
                }
            },
            Peer::Ready(mut i, o) => {
                let got = match i.open(frame) {
                    Ok(Received::Message(t)) => Some(String::from_utf8_lossy(&t).into_owned()),
                    Ok(_) => None,
                    Err(e) => {
                        *refused = Some(e.to_string());
                        return (Vec::new(), None);
                    }
                };
                *self = Peer::Ready(i, o);
                (Vec::new(), got)
            }
            Peer::Refused => (Vec::new(), None),
        }
    }

    fn send(&mut self, text: &str) -> Vec<Vec<u8>> {
        match self {
            Peer::Ready(_, o) => vec![o.message(text.as_bytes(), &mut rand::rng()).bytes],
            Peer::Hand(_) | Peer::Refused => Vec::new(),
        }
    }
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
    let mut alice = Peer::Hand(Channel::new(&speak(), Side::Client, "bank", b"alice").expect("demo keys"));
    let mut bank =
        Peer::Hand(Channel::new(&speak(), Side::Server, "alice", b"bank: hello alice").expect("demo keys"));
    let rewrite = Rewrite { from: b"bob".to_vec(), to: b"mallory".to_vec() };
    let mut mallory = Mallory::new(vec![rewrite]);
    let mut out = Outcome::default();
    let start = |p: &mut Peer| match p {
        Peer::Hand(ch) => ch.start().into_iter().map(|w| w.bytes).collect(),
        Peer::Ready(..) | Peer::Refused => Vec::new(),
    };
    let (mut a2m, mut b2m) = (start(&mut alice), start(&mut bank));
    let (mut m2a, mut m2b): (Vec<Vec<u8>>, Vec<Vec<u8>>) = (Vec::new(), Vec::new());
    let mut sent = false;
    for _ in 0..64 {
        if a2m.is_empty() && b2m.is_empty() && m2a.is_empty() && m2b.is_empty() {
            match (&alice, sent) {
                (Peer::Ready(..), false) => {
                    a2m = alice.send("pay 10 to bob");
                    sent = true;
                }
                _ => break,
            }
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
            let (back, got) = bank.take(&f, &mut out.bank_refused);
            b2m.extend(back);
            if let Some(text) = got {
                b2m.extend(bank.send(&format!("done: {text}")));
                out.bank_got.push(text);
            }
        }
        for f in std::mem::take(&mut m2a) {
            let (back, got) = alice.take(&f, &mut out.alice_refused);
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
