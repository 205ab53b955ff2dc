//! Forward secrecy: a recorded session, then the key file leaks.
//!
//! **Setup.** Alice and her bank talk in gcm; an eavesdropper records every
//! byte. Months later the key file is stolen (a backup, a laptop).
//!
//! **Attack.** With the key file the eavesdropper opens the recording. With
//! `--static-keys` that key sealed every frame, so every frame opens: the
//! whole conversation, read long after it happened. With the handshake the
//! frames were sealed with keys from the key schedule
//! ([`crate::session::handshake`]), whose input includes the X25519 shared
//! secret `dhe`. The recording holds both public keys, but `dhe` needs one of
//! the two ephemeral secrets, which never left their side and were wiped when
//! the handshake ended. The key file gives the attacker `early` and nothing
//! after it; the frames do not open.
//!
//! **Verify.** The attack is [`read_recording`]: it knows only the recorded
//! bytes and the key file, and reports every frame that opened. BROKEN when it
//! reads back exactly what Alice and the bank said; REFUSED when not one
//! sealed frame opens. The same function reads a real recording, made with
//! `cryptolab proxy --json` (`--recording FILE`).
//!
//! Forward secrecy is RFC 8446 §E.1's "forward secret with respect to
//! long-term keys"; TLS 1.3 dropped its non-DHE key exchanges for it.

use std::sync::Arc;

use super::{DemoCtx, DemoError, broken_if};
use crate::keys::KeyMaterial;
use crate::session::handshake::Keying;
use crate::session::loopback;
use crate::suite::{Cipher, Suite};
use crate::wire::{self, HEADER_LEN, Kind};

/// What Alice and the bank say in the recorded session.
pub const SAID: [&str; 3] = ["the vault code is 7291", "noted: 7291", "see you at noon"];

/// What a recording gave up to someone holding the key file.
#[derive(Debug, Default)]
pub struct Reading {
    /// Sealed frames in the recording (hello, message, goodbye).
    pub sealed: usize,
    /// The text of each one that opened with the key file, in order.
    pub opened: Vec<String>,
    /// Handshake frames in the recording (their keys came from X25519).
    pub handshake: usize,
}

/// The attack: open every frame of `frames` with the key file's own keys, as
/// `--static-keys` sealed them. Nothing else is known: not the X25519
/// secrets, not the session keys.
pub fn read_recording(suite_of: impl Fn(Suite) -> Option<Cipher>, frames: &[Vec<u8>]) -> Reading {
    let mut reading = Reading::default();
    for frame in frames {
        let Ok((header, body)) = wire::decode_frame(frame, u32::MAX) else { continue };
        match header.kind {
            Kind::Handshake => reading.handshake += 1,
            Kind::Notice => {}
            Kind::Hello | Kind::Message | Kind::Goodbye => {
                reading.sealed += 1;
                let opened = suite_of(header.suite).and_then(|c| c.open(&frame[..HEADER_LEN], body).ok());
                if let Some(text) = opened {
                    reading.opened.push(String::from_utf8_lossy(&text).into_owned());
                }
            }
        }
    }
    reading
}

/// The key file's keys in `suite`, if they fit it.
pub fn key_file_cipher(keys: &KeyMaterial) -> impl Fn(Suite) -> Option<Cipher> + '_ {
    move |suite| Cipher::new(suite, &keys.enc, keys.mac()).ok()
}

/// Records a session in `suite` with `keying`: every frame both sides sent.
pub fn record(suite: Suite, keys: &KeyMaterial, keying: Keying, seed: u64) -> Vec<Vec<u8>> {
    let alice = super::replay::speak(suite, keys, keying, seed);
    let bank = super::replay::speak(suite, keys, keying, seed ^ 1);
    let mut pair = loopback::connect(&alice, &bank, b"alice", b"bank: hello alice")
        .expect("the demo's own two sides agree");
    let mut wire = pair.client_sent.clone();
    wire.extend(pair.server_sent.iter().cloned());
    let rng = &mut rand::rng();
    let (alice_out, bank_out) = (&mut pair.client.1, &mut pair.server.1);
    for (i, text) in SAID.iter().enumerate() {
        let out = if i == 1 { &mut *bank_out } else { &mut *alice_out };
        wire.push(out.message(text.as_bytes(), rng).bytes);
    }
    wire
}

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "forward-secrecy",
    about: "Record a session, then steal the key file: read with --static-keys, not with the handshake",
    headline,
    tour: true,
};

/// The settings of `cryptolab demo forward-secrecy`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A real recording (`proxy --json` lines, as frames) and the key file
    /// that leaked, instead of the in-process session.
    pub recording: Option<(Vec<Vec<u8>>, Arc<KeyMaterial>)>,
}

/// Narrates the demo.
pub fn narrate(ctx: &mut DemoCtx, opts: &Options) -> Result<(), DemoError> {
    if let Some((frames, keys)) = &opts.recording {
        return narrate_recording(ctx, frames, keys);
    }
    ctx.announce_keys();
    ctx.title("Demo: forward secrecy — a recorded session, and a stolen key file");
    ctx.say(crate::render::wrap(
        "Alice and her bank talk in gcm while an eavesdropper records every byte. \
         Later the key file is stolen. The eavesdropper opens each recorded frame \
         with it.",
        78,
        "",
    ));
    for keying in [Keying::Static, Keying::Handshake] {
        let frames = record(Suite::Gcm, &ctx.keys, keying, ctx.seed());
        let reading = read_recording(key_file_cipher(&ctx.keys), &frames);
        let how = how(keying);
        ctx.step(format!("gcm, {how}: {} frames recorded", frames.len()));
        report(ctx, &reading);
        let read_all = SAID.iter().all(|s| reading.opened.iter().any(|o| o == s));
        let text = if read_all {
            format!("gcm, {how}: the whole recording read with the stolen key file")
        } else {
            format!(
                "gcm, {how}: {} of {} sealed frames opened with the key file",
                reading.opened.len(),
                reading.sealed
            )
        };
        ctx.verdict(DEMO.name, format!("gcm {how}"), broken_if(read_all), text);
        if keying == Keying::Handshake && !reading.opened.is_empty() {
            // Never expected: say so rather than claim secrecy.
            ctx.say("(some frames opened: this is not forward secret)");
        }
    }
    ctx.say(crate::render::wrap(
        "With the handshake the key file gives the eavesdropper the schedule's first \
         secret (early) and nothing after it: the next step mixes in X25519(secret, \
         public key), and both secrets were wiped when the handshake ended. See \
         docs/PROTOCOL.md, \"The handshake\".",
        78,
        "",
    ));
    Ok(())
}

fn how(keying: Keying) -> &'static str {
    match keying {
        Keying::Static => "--static-keys",
        Keying::Handshake => "handshake",
        Keying::Anonymous => "--anonymous",
    }
}

fn report(ctx: &mut DemoCtx, reading: &Reading) {
    let mut lines = vec![format!(
        "  {} handshake frames, {} sealed frames; opened with the key file: {}",
        reading.handshake,
        reading.sealed,
        reading.opened.len()
    )];
    for text in &reading.opened {
        lines.push(format!(
            "    read: {}",
            crate::events::visible(&crate::events::show_text(text.as_bytes()))
        ));
    }
    ctx.say(lines.join("\n"));
}

/// A real recording: what the key file opens.
fn narrate_recording(ctx: &mut DemoCtx, frames: &[Vec<u8>], keys: &KeyMaterial) -> Result<(), DemoError> {
    ctx.title("Forward secrecy: a recorded session, opened with a key file");
    let reading = read_recording(key_file_cipher(keys), frames);
    ctx.step(format!("{} frames in the recording, key file {}", frames.len(), keys.fingerprint()));
    report(ctx, &reading);
    if reading.sealed == 0 {
        return Err(RecordingError::NoFrames.into());
    }
    if reading.opened.is_empty() && reading.handshake == 0 {
        return Err(RecordingError::WrongKey.into());
    }
    let broken = !reading.opened.is_empty();
    let text = if broken {
        format!(
            "recording: {} of {} sealed frames read with the key file",
            reading.opened.len(),
            reading.sealed
        )
    } else {
        format!("recording: none of {} sealed frames opened (X25519 session keys)", reading.sealed)
    };
    ctx.verdict(DEMO.name, "recording", broken_if(broken), text);
    Ok(())
}

/// Why a recording cannot be judged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordingError {
    /// No sealed native frame in it.
    #[error("the recording holds no sealed frame")]
    NoFrames,
    /// Nothing opened, and there was no handshake: the key is not the one.
    #[error("no frame opened and the recording has no handshake: this is not the session's key file")]
    WrongKey,
}

impl RecordingError {
    /// What to try.
    pub fn hint(&self) -> &'static str {
        match self {
            RecordingError::NoFrames => {
                "record with `cryptolab proxy --json > rec.jsonl` while a session runs through it"
            }
            RecordingError::WrongKey => "give the key file the server and client used (--key-file)",
        }
    }
}

/// The tour's version: both keyings, one verdict each.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    ctx.say("forward-secrecy: a recorded gcm session, opened later with the stolen key file.");
    for keying in [Keying::Static, Keying::Handshake] {
        let frames = record(Suite::Gcm, &ctx.keys, keying, ctx.seed());
        let reading = read_recording(key_file_cipher(&ctx.keys), &frames);
        let read_all = SAID.iter().all(|s| reading.opened.iter().any(|o| o == s));
        let how = how(keying);
        ctx.verdict(
            DEMO.name,
            format!("gcm {how}"),
            broken_if(read_all),
            format!("gcm, {how}: {} of {} sealed frames read", reading.opened.len(), reading.sealed),
        );
    }
    Ok(())
}
