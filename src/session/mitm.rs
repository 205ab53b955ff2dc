//! The man in the middle's side of the protocol, sans-I/O: frames in,
//! frames out ([`Mallory`]). It is the middle layer's only attacker: a
//! protocol party, like [`super::channel::Channel`], that the proxy
//! (`proxy --mitm`, [`crate::net::proxy`]) runs between two sockets and the
//! demo ([`crate::attacks::mitm`]) between two in-process channels.
//!
//! For `rsa-gcm-json` ([`Mallory::for_format`]) she swaps RSA public keys
//! the same way: the client gets her PEM as the server's, the server gets
//! it as the client's; she unwraps the client's session key, wraps one of
//! her own for the server, and re-signs every message with her key. Only a
//! fingerprint compared out of band shows it.
//!
//! When the client's ClientHello arrives, Mallory answers it with her own
//! X25519 key and sends the server a ClientHello of her own: two handshakes.
//! She mirrors what the client asked for (suite, AES size, mode); for the key
//! file's mode she has no key file, so she uses a guess, and the Finished
//! MACs fail at both ends. With `--anonymous` both handshakes succeed, and
//! she opens every frame with one side's keys, reads it, rewrites it
//! ([`Rewrite`]) and seals it again with the other side's.

use std::sync::Arc;

use rand::Rng;

use super::channel::{Channel, ChannelError, Framing, NativeKeys, Received, Side, Speak};
use super::handshake::{self, Config, Psk};
use super::loopback::{Endpoint, Taken, replies};
use crate::keys::KeyMaterial;
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

/// One of her two sides (the client's, the server's).
type Half = Endpoint;

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
    /// Mallory on cryptolab's native frames, changing what `rewrite` says.
    pub fn new(rewrite: Vec<Rewrite>) -> Self {
        Mallory { rewrite, state: State::Start }
    }

    /// Mallory on a classroom format with a key exchange of its own
    /// (`rsa-gcm-json`): `speak` holds her own RSA key, which she gives each
    /// side as the other's. The step is her first message to the server.
    ///
    /// # Errors
    /// Keys that do not fit the format.
    pub fn for_format(speak: &Speak, rewrite: Vec<Rewrite>) -> Result<(Self, Step), String> {
        let front = Channel::new(speak, Side::Server, "client", b"")?;
        let mut back = Channel::new(speak, Side::Client, "server", b"")?;
        let step = Step {
            to_server: back.start().into_iter().map(|w| w.bytes).collect(),
            said: vec!["took over the key exchange: our own public key to each side".into()],
            ..Step::default()
        };
        let state = State::Running {
            front: Endpoint::Handshaking(front),
            back: Endpoint::Handshaking(back),
            held_client: Vec::new(),
            held_server: Vec::new(),
        };
        Ok((Mallory { rewrite, state }, step))
    }

    /// How to find the next message from the client.
    pub fn client_framing(&self) -> Framing {
        match &self.state {
            State::Start => Framing::Handshake,
            State::Running { front, .. } => front.framing(),
            State::Done => Framing::Native,
        }
    }

    /// How to find the next message from the server.
    pub fn server_framing(&self) -> Framing {
        match &self.state {
            State::Start => Framing::Handshake,
            State::Running { back, .. } => back.framing(),
            State::Done => Framing::Native,
        }
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
                let gone = |h: &Half| matches!(h, Endpoint::Gone);
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
        // A ClientHello, asking for an AES size that exists: her own
        // session keys will have that size.
        let hello = wire::decode_frame(frame, u32::MAX).ok().filter(|(h, b)| {
            h.kind == Kind::Handshake
                && b.len() == handshake::CLIENT_HELLO_LEN
                && b[0] == 1
                && matches!(b[2], 16 | 24 | 32)
        });
        let Some((header, body)) = hello else {
            step.end = Some(
                "the client sent no valid ClientHello (--static-keys?): without a handshake \
                 to take over there is nothing to read"
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
                    "took over the handshake: our own X25519 key to each side ({})",
                    if body[1] == 1 { "key file mode: we lack it" } else { "--anonymous" }
                ));
                self.state = State::Running {
                    front: Endpoint::Handshaking(front),
                    back: Endpoint::Handshaking(back),
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
            step.said.push("both handshakes done: every frame passes through us in clear".into());
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
    let was_ready = src.is_ready();
    let received = match src.take(frame) {
        Ok(Taken::Handshake(sent)) => {
            if from_client {
                step.to_client.extend(sent)
            } else {
                step.to_server.extend(sent)
            }
            return true;
        }
        Ok(Taken::Opened(received)) => received,
        Err(e) if was_ready => {
            step.end = Some(format!("a frame from the {from} did not open: {e}"));
            return false;
        }
        Err(e) => {
            fail(step, from, &e, from_client);
            return false;
        }
    };
    // Held back until both sides are ready (see `from_client`), so `dst` is.
    let Some(dst_out) = dst.outbound() else { return true };
    let sealed = match received {
        Received::Hello(t) => dst_out.hello(&t).map(|w| w.bytes),
        Received::Message(t) => {
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
        Received::End(_) => dst_out.end().map(|w| w.bytes),
        Received::Notice(_) | Received::Handshake { .. } => None,
    };
    if let Some(bytes) = sealed {
        if from_client { step.to_server.push(bytes) } else { step.to_client.push(bytes) }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::Suite;
    use crate::wire::HEADER_LEN;

    fn client_hello(aes: u8) -> Vec<u8> {
        let config = Config { suite: Suite::Gcm, psk: None, aes_len: 16 };
        let mut hello = handshake::ClientStart::new(config, &mut rand::rng()).hello().to_vec();
        hello[HEADER_LEN + 2] = aes;
        hello
    }

    #[test]
    fn a_client_hello_for_no_real_aes_size_ends_her_without_a_panic() {
        for aes in [0, 17, 255] {
            let mut m = Mallory::new(Vec::new());
            let step = m.from_client(&client_hello(aes));
            assert!(step.end.is_some() && step.to_server.is_empty(), "aes byte {aes}");
        }
    }

    #[test]
    fn garbage_from_either_side_ends_her_without_a_panic() {
        let mut m = Mallory::new(Vec::new());
        assert!(m.from_server(b"hello").end.is_some());
        let mut m = Mallory::new(Vec::new());
        let step = m.from_client(&client_hello(16));
        assert_eq!((step.to_client.len(), step.to_server.len()), (1, 1), "her ServerHello and ClientHello");
        let step = m.from_client(b"\x01\x04\x05\x00 not a frame at all");
        assert!(step.end.is_some(), "{step:?}");
    }

    #[test]
    fn replace_swaps_every_occurrence() {
        assert_eq!(replace(b"bob pays bob", b"bob", b"mallory"), b"mallory pays mallory");
        assert_eq!(replace(b"no match", b"bob", b"x"), b"no match");
    }
}
