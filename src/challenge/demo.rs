//! The challenges as narrated demos: `cryptolab demo ecb-cut-and-paste`,
//! `cbc-iv-key`, `length-extension`, `gcm-nonce-reuse`,
//! `ecb-byte-at-a-time-prefix` and `timing-leak`.
//!
//! Each demo is the challenge played out in front of the student, for real:
//!
//! 1. **Setup.** The challenge's own server ([`super::server`]) starts on a
//!    free loopback port, exactly as `cryptolab challenge serve NAME` runs
//!    it, with an instructor secret drawn from the demo's seed (so
//!    `--seed N` repeats the run) and the student `demo`.
//! 2. **Attack.** The challenge's built-in solution talks to it over TCP
//!    through [`super::client`] — one request line, one answer line, all a
//!    student's script has. Its narration is the demo's narration.
//! 3. **Verify.** BROKEN only if the flag it recovered is the one the
//!    secret gives that student ([`super::check`], constant time). Where the
//!    challenge has an authenticated variant (`serve --authenticated`), the
//!    same solution runs against that server too, and REFUSED is said only
//!    when the solution itself reports that the attack failed.
//!
//! The attack mathematics lives where the challenge's docs point: the
//! challenge file (cut-and-paste, IV = key, timing) or
//! [`crate::attacks`] (length extension, the GCM forbidden attack, ECB
//! byte-at-a-time). Nothing here knows a key: it holds the instructor
//! secret only to check the flag at the end.

use std::time::Duration;

use rand::RngExt;
use serde_json::json;

use super::client::Client;
use super::{Challenge, Secret, SolveError, server};
use crate::attacks::{DemoCtx, DemoEntry, DemoError, broken_if};

/// The student the demo plays.
const STUDENT: &str = "demo";

/// One challenge demo: the challenge, and what its two servers are called in
/// the verdicts.
pub struct Live {
    /// The challenge played.
    pub challenge: &'static Challenge,
    /// The weak server's subject (`ecb`, `SHA-256(secret ‖ m)`).
    pub weak: &'static str,
    /// The authenticated variant's subject, if the challenge has one.
    pub strong: Option<&'static str>,
    /// The title line.
    pub title: &'static str,
    /// What stops the attack, said after it (one or two sentences).
    pub stops: &'static str,
}

/// `demo ecb-cut-and-paste`.
pub const CUT_AND_PASTE: Live = Live {
    challenge: &super::ecb_cut_and_paste::CHALLENGE,
    weak: "ecb profile",
    strong: None,
    title: "Demo: ECB cut-and-paste — role=admin spliced from two profiles",
    stops: "What stops it: a MAC or an AEAD over the whole message (cbc-hmac, gcm) binds every block to its \
            place; and a server never encrypts a user's input under the key that guards what it trusts.",
};

/// `demo cbc-iv-key`.
pub const IV_KEY: Live = Live {
    challenge: &super::cbc_iv_key::CHALLENGE,
    weak: "cbc, IV = key",
    strong: None,
    title: "Demo: CBC with the key as IV — the key read from one error message",
    stops: "What stops it: a random IV per message, sent with it (SP 800-38A, Appendix C), and errors that never \
            quote decrypted bytes.",
};

/// `demo length-extension`.
pub const LENGTH_EXTENSION: Live = Live {
    challenge: &super::length_extension::CHALLENGE,
    weak: "SHA-256(secret ‖ m)",
    strong: Some("HMAC-SHA256"),
    title: "Demo: length extension — ;admin=true appended to a signed message",
    stops: "What stops it: HMAC (RFC 2104) hashes the message inside a second, keyed hash, so no digest it \
            gives away is a state to go on from.",
};

/// `demo gcm-nonce-reuse`.
pub const GCM_NONCE_REUSE: Live = Live {
    challenge: &super::gcm_nonce_reuse::CHALLENGE,
    weak: "gcm, repeated nonce",
    strong: Some("gcm, fresh nonce"),
    title: "Demo: GCM nonce reuse — the forbidden attack forges a tag (Joux, 2006)",
    stops: "What stops it: a nonce never used twice under one key (SP 800-38D §8); a fresh random 96-bit nonce \
            per message, or a counter.",
};

/// `demo ecb-byte-at-a-time-prefix`.
pub const PREFIX: Live = Live {
    challenge: &super::ecb_byte_at_a_time::PREFIX_CHALLENGE,
    weak: "ecb behind a prefix",
    strong: None,
    title: "Demo: ECB byte-at-a-time behind a random prefix of unknown length",
    stops: "What stops it: the same as without a prefix: any mode with a fresh IV or nonce (cryptolab demo \
            ecb-byte-at-a-time runs that).",
};

/// `demo timing-leak`.
pub const TIMING_LEAK: Live = Live {
    challenge: &super::timing_leak::CHALLENGE,
    weak: "byte-by-byte compare",
    strong: Some("constant-time compare"),
    title: "Demo: a timing leak — a valid MAC found by the clock alone",
    stops: "What stops it: comparing MACs in constant time (subtle::ConstantTimeEq here), so a wrong tag takes \
            as long whichever byte is wrong.",
};

/// The registry rows, in the order of [`super::CHALLENGES`].
pub const DEMOS: [DemoEntry; 6] = [
    DemoEntry {
        name: super::ecb_cut_and_paste::NAME,
        about: "ecb: role=admin pasted from the blocks of two profiles (a live server)",
        headline: |ctx| headline(ctx, &CUT_AND_PASTE),
        tour: false,
    },
    DemoEntry {
        name: super::cbc_iv_key::NAME,
        about: "cbc with the key as IV: the key read from one error message (a live server)",
        headline: |ctx| headline(ctx, &IV_KEY),
        tour: false,
    },
    DemoEntry {
        name: super::length_extension::NAME,
        about: "SHA-256(secret || m) extended without the secret; HMAC refuses (a live server)",
        headline: |ctx| headline(ctx, &LENGTH_EXTENSION),
        tour: false,
    },
    DemoEntry {
        name: super::gcm_nonce_reuse::NAME,
        about: "gcm with a repeated nonce: H recovered, a tag forged and accepted (a live server)",
        headline: |ctx| headline(ctx, &GCM_NONCE_REUSE),
        tour: false,
    },
    DemoEntry {
        name: super::ecb_byte_at_a_time::PREFIX_NAME,
        about: "ecb byte-at-a-time behind a prefix of unknown length (a live server)",
        headline: |ctx| headline(ctx, &PREFIX),
        tour: false,
    },
    DemoEntry {
        name: super::timing_leak::NAME,
        about: "a MAC compared byte by byte: a valid tag by timing alone (a live server)",
        headline: |ctx| headline(ctx, &TIMING_LEAK),
        tour: false,
    },
];

/// The demo's settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// timing-leak's delay per matching byte (`--delay-ms`); the server's
    /// default if `None`.
    pub delay: Option<Duration>,
}

/// The narrated demo (`cryptolab demo NAME`).
pub fn narrate(ctx: &mut DemoCtx, live: &Live, opts: &Options) -> Result<(), DemoError> {
    let secret = demo_secret(ctx);
    let c = live.challenge;
    ctx.fact(
        "seed",
        json!({ "seed": ctx.seed() }),
        format!("(instructor secret from seed {}; --seed {} repeats this run)\n", ctx.seed(), ctx.seed()),
    );
    ctx.title(live.title);
    ctx.step(format!("The victim (INSECURE, on purpose): {}.", c.concept));
    let weak = Server::start(c, &secret, false, opts.delay)?;
    ctx.say(format!(
        "Its server runs as `cryptolab challenge serve {}` would, on {}. Everything below goes through that \
         socket, one request line and one answer line at a time: what a student's script has, and nothing else.",
        c.name, weak.target
    ));
    ctx.step("The attack (the built-in solution, `challenge solve`):");
    let flag = attack(ctx, live, &weak, &secret, true)?;
    drop(weak);
    if let Some(flag) = flag {
        ctx.fact(
            "flag",
            json!({ "flag": flag }),
            format!("flag: {flag} (checked against the secret: right)"),
        );
    }
    if let Some(strong) = live.strong {
        ctx.step(format!("The same attack against `serve --authenticated` ({strong}):"));
        let server = Server::start(c, &secret, true, opts.delay)?;
        attack(ctx, live, &server, &secret, false)?;
    }
    ctx.say(live.stops);
    ctx.say(format!(
        "Now with your own code: `cryptolab challenge serve {}` (docs/CHALLENGES.md), and for hints `cryptolab \
         challenge hint {} 1`.",
        c.name, c.name
    ));
    Ok(())
}

/// The compact run: the attack against each server, one verdict each.
pub fn headline(ctx: &mut DemoCtx, live: &Live) -> Result<(), DemoError> {
    let secret = demo_secret(ctx);
    let weak = Server::start(live.challenge, &secret, false, None)?;
    attack(ctx, live, &weak, &secret, false)?;
    drop(weak);
    if live.strong.is_some() {
        let strong = Server::start(live.challenge, &secret, true, None)?;
        attack(ctx, live, &strong, &secret, false)?;
    }
    Ok(())
}

/// The instructor secret of this run: 32 bytes from the demo's seeded
/// generator.
fn demo_secret(ctx: &mut DemoCtx) -> Secret {
    let mut bytes = [0u8; 32];
    ctx.rng.fill(&mut bytes);
    Secret::from_bytes(bytes)
}

/// Runs the solution against `server` and gives its verdict; returns the
/// flag if it was recovered and checked.
fn attack(
    ctx: &mut DemoCtx,
    live: &Live,
    server: &Server,
    secret: &Secret,
    narrated: bool,
) -> Result<Option<String>, DemoError> {
    let c = live.challenge;
    let subject = if server.authenticated { live.strong.unwrap_or(live.weak) } else { live.weak };
    let mut client = Client::connect(&server.target, Some(STUDENT)).map_err(|e| failed(c, &e))?;
    let mut lines = Vec::new();
    let result = (c.solve)(&mut client, &mut |line: &str| lines.push(line.to_string()));
    if narrated {
        for line in &lines {
            ctx.say(line.clone());
        }
    }
    match result {
        Ok(solved) => {
            let right = super::check(secret, c.name, STUDENT, &solved.flag);
            let text = if right {
                format!(
                    "{subject}: the flag read through the socket in {} requests, and it is right.",
                    solved.requests
                )
            } else {
                format!("{subject}: the attack ended with a flag that is not the student's.")
            };
            ctx.verdict(c.name, subject, broken_if(right), text);
            Ok(right.then_some(solved.flag))
        }
        Err(SolveError::Refused(why)) => {
            ctx.verdict(
                c.name,
                subject,
                broken_if(false),
                format!("{subject}: {}", why.trim_start_matches("REFUSED: ")),
            );
            Ok(None)
        }
        Err(e) => Err(failed(c, &e)),
    }
}

fn failed(c: &Challenge, e: &SolveError) -> DemoError {
    DemoError::Challenge(format!("{}: {e}", c.name))
}

/// A challenge server on a free loopback port, for as long as this lives.
struct Server {
    runtime: Option<tokio::runtime::Runtime>,
    target: String,
    authenticated: bool,
}

impl Server {
    fn start(
        challenge: &'static Challenge,
        secret: &Secret,
        authenticated: bool,
        delay: Option<Duration>,
    ) -> Result<Self, DemoError> {
        let io = |e: std::io::Error| DemoError::Challenge(format!("{}: its server: {e}", challenge.name));
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().map_err(io)?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).map_err(io)?;
        let target = listener.local_addr().map_err(io)?.to_string();
        let config = server::Config {
            challenge,
            secret: secret.clone(),
            student: Some(STUDENT.to_string()),
            authenticated,
            delay,
            log: Box::new(|_: &str| {}),
            events: None,
        };
        runtime.spawn(async move {
            let _ = server::serve(listener, config).await;
        });
        Ok(Server { runtime: Some(runtime), target, authenticated })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Not a blocking drop: the demo may itself run inside a runtime.
            runtime.shutdown_background();
        }
    }
}
