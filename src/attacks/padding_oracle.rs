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
//! [`crate::events::Event::Progress`] after every recovered byte (the block
//! being recovered, `·` for the bytes not found yet); with
//! [`Options::live`] it attacks a real server instead, over the sockets of
//! [`crate::net::oracle`], with nothing but a captured message.
//! [`attack_watched`] reports every query and every byte found ([`Watch`]):
//! each becomes a fact (`query`, `byte`) — data only for `--json` — and with
//! [`Options::step`] the demo narrates every byte around them — the forged
//! byte's formula, the tail set from the intermediate bytes already found
//! (`02 02` at byte 14), the query that said yes as a dump with the guessed
//! byte and the tail marked, `D(C)[k] = C'[k] ⊕ pad`, `P[k] = D(C)[k] ⊕
//! C_{i−1}[k]`, and the check that throws out a false yes at byte 15.
//! [`headline`] is the tour's two-verdict version.

use super::{DemoCtx, DemoError, broken_if};
use crate::events::Outcome::{Broken, Refused};
use crate::net::oracle::{Base64Oracle, RemoteOracle};
use crate::profiles::{Format, Wire};
use crate::render::Dump;
use crate::suite::pkcs7::BLOCK;
use crate::suite::{Suite, layout, victims};
use serde_json::json;

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
    /// Plaintext recovered so far: every block before the current one, then
    /// the bytes of the current block found so far (its last bytes: the
    /// attack works from byte 15 down), padding included.
    pub recovered: &'a [u8],
    /// Bytes to recover in all.
    pub total: usize,
    /// Oracle queries so far.
    pub queries: u64,
}

impl Progress<'_> {
    /// The block being recovered (from 0), and its 16 bytes as text with
    /// `unknown` in place of the bytes not found yet, so that each byte
    /// keeps its place as the others arrive (bytes that are not printable
    /// ASCII are shown as `.`).
    pub fn block_so_far(&self, unknown: char) -> (usize, String) {
        let block = self.recovered.len().saturating_sub(1) / BLOCK;
        let tail = &self.recovered[(block * BLOCK).min(self.recovered.len())..];
        let missing: String = std::iter::repeat_n(unknown, BLOCK - tail.len()).collect();
        (block, format!("{missing}{}", crate::render::ascii(tail, '.')))
    }
}

/// One question the attack put to the oracle.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// Its number in the attack, from 1.
    pub n: u64,
    /// The ciphertext block attacked (`ct[block]`, from 0).
    pub block: usize,
    /// The byte of it being found (15 first, down to 0).
    pub byte: usize,
    /// The padding wanted: the forged plaintext must end in `pad` bytes of
    /// value `pad` (`01`, `02 02`, …).
    pub pad: u8,
    /// The plaintext byte this query guesses.
    pub guess: u8,
    /// What was sent: the forged block `C'` ‖ the attacked block.
    pub sent: &'a [u8],
    /// The oracle's answer: the padding was valid.
    pub valid: bool,
    /// This is the check after a yes at byte 15 (`C'[14]` changed): a yes
    /// that survives it came from `01`, not from a longer padding.
    pub check: bool,
}

impl Query<'_> {
    /// The forged block `C'`.
    pub fn forged(&self) -> &[u8] {
        &self.sent[..BLOCK]
    }
}

/// One plaintext byte, found.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    /// The ciphertext block (`ct[block]`, from 0).
    pub block: usize,
    /// The byte of it.
    pub byte: usize,
    /// The padding the query that said yes made: `pad` bytes of `pad`.
    pub pad: u8,
    /// That query: `C'` ‖ the attacked block.
    pub sent: &'a [u8],
    /// The intermediate byte `D_K(C)[byte] = C'[byte] ⊕ pad`.
    pub intermediate: u8,
    /// The byte at the same place in the block before (`C_{i−1}`, the IV
    /// for block 0).
    pub previous: u8,
    /// The plaintext byte: `intermediate ⊕ previous`.
    pub plain: u8,
    /// The intermediate bytes of this block known so far (`byte..16`).
    pub known: &'a [u8],
    /// The values of `C'[15]` whose yes the check showed false (byte 15
    /// only): each made a longer valid padding than `01`.
    pub false_yes: &'a [u8],
    /// Queries this byte took.
    pub queries: u64,
    /// Queries so far in all.
    pub total: u64,
}

/// What the attack reports as it goes ([`attack_watched`]).
#[derive(Debug, Clone, Copy)]
pub enum Watch<'a> {
    /// A query and its answer.
    Query(Query<'a>),
    /// A byte found.
    Found(Found<'a>),
    /// The plaintext so far, after each byte.
    Progress(Progress<'a>),
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
    oracle: impl FnMut(&[u8]) -> bool,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Recovery, OracleError> {
    attack_watched(body, oracle, |w| {
        if let Watch::Progress(p) = w {
            progress(p);
        }
    })
}

/// [`attack`], reporting every query and every byte found to `watch` as
/// well as the progress.
pub fn attack_watched(
    body: &[u8],
    mut oracle: impl FnMut(&[u8]) -> bool,
    mut watch: impl FnMut(Watch<'_>),
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
            let before = queries;
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
            let mut false_yes = Vec::new();
            for guess in order {
                x[k] = guess ^ prev[k] ^ p;
                query[..BLOCK].copy_from_slice(&x);
                queries += 1;
                let valid = oracle(&query);
                let asked =
                    Query { n: queries, block: i, byte: k, pad: p, guess, sent: &query, valid, check: false };
                watch(Watch::Query(asked));
                if !valid {
                    continue;
                }
                if k == BLOCK - 1 {
                    // Rule out a valid `02 02` (or longer) ending by changing byte 14.
                    query[BLOCK - 2] ^= 0xff;
                    queries += 1;
                    let still_valid = oracle(&query);
                    let check = Query {
                        n: queries,
                        block: i,
                        byte: k,
                        pad: p,
                        guess,
                        sent: &query,
                        valid: still_valid,
                        check: true,
                    };
                    watch(Watch::Query(check));
                    query[BLOCK - 2] ^= 0xff;
                    if !still_valid {
                        false_yes.push(x[k]);
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
            watch(Watch::Found(Found {
                block: i,
                byte: k,
                pad: p,
                sent: &query,
                intermediate: inter[k],
                previous: prev[k],
                plain: guess,
                known: &inter[k..],
                false_yes: &false_yes,
                queries: queries - before,
                total: queries,
            }));
            let mut shown = padded.clone();
            shown.extend(&plain[k..]);
            watch(Watch::Progress(Progress { recovered: &shown, total: blocks * BLOCK, queries }));
        }
        padded.extend_from_slice(&plain);
    }
    Ok(Recovery { padded, queries })
}

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "padding-oracle",
    about: "Decrypt CBC with a server that reports bad padding",
    headline,
    tour: true,
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
    /// Show every byte's work (`--step`): each query, the forged block of
    /// the query that said yes, the intermediate byte and the plaintext byte.
    pub step: bool,
    /// A pause after every query, so a person can watch (`--delay`; at most
    /// [`MAX_DELAY`]).
    pub delay: std::time::Duration,
}

/// The longest pause `--delay` may ask for between queries.
pub const MAX_DELAY: std::time::Duration = std::time::Duration::from_secs(2);

impl Default for Options {
    fn default() -> Self {
        Options {
            message: DEFAULT_MESSAGE.as_bytes().to_vec(),
            live: None,
            step: false,
            delay: std::time::Duration::ZERO,
        }
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

/// Reports the attack's progress after each byte: the queries so far and
/// the block being recovered, with `·` for the bytes not found yet (drawn
/// on a terminal as one line, redrawn).
fn report_progress(ctx: &DemoCtx, p: Progress<'_>) {
    let done = p.recovered.len();
    let bar: String = (0..10).map(|i| if i * p.total < 10 * done { '#' } else { '.' }).collect();
    let (block, text) = p.block_so_far(UNKNOWN);
    ctx.progress(
        DEMO.name,
        done as u64,
        p.total as u64,
        format!("[{bar}] {} queries: pt[{block}] |{text}|", p.queries),
    );
}

/// Where a byte of the plaintext is not known yet.
pub const UNKNOWN: char = '·';

/// A padding as it is written: `01`, `02 02`, `03 03 03`, …, `6 × 06`.
fn pad_text(p: u8) -> String {
    if p <= 5 { vec![format!("{p:02x}"); usize::from(p)].join(" ") } else { format!("{p} × {p:02x}") }
}

/// A guessed plaintext byte: the character, quoted, or its hex.
fn guess_text(b: u8) -> String {
    if (0x20..0x7f).contains(&b) { format!("'{}'", b as char) } else { format!("{b:02x}") }
}

/// What the demo shows of the attack as it runs ([`Watch`]): the progress
/// line, and a fact per query and per byte (data only, without text, unless
/// [`Options::step`]: every observer gets the same events, and text shows
/// them only when asked); with `step` the narration of every byte around them — the
/// formula of the forged byte, the tail set from the intermediate bytes
/// found, the query that said yes as a dump.
struct Reporter<'c> {
    ctx: &'c DemoCtx,
    /// The captured body, IV ‖ ciphertext (the previous blocks' bytes).
    body: &'c [u8],
    step: bool,
    delay: std::time::Duration,
    /// The byte whose heading was shown last: (block, byte).
    heading: Option<(usize, usize)>,
    /// The last progress: bytes done, of how many.
    last: (usize, usize),
}

impl<'c> Reporter<'c> {
    fn new(ctx: &'c DemoCtx, body: &'c [u8], opts: &Options) -> Self {
        Reporter { ctx, body, step: opts.step, delay: opts.delay.min(MAX_DELAY), heading: None, last: (0, 0) }
    }

    fn see(&mut self, w: Watch<'_>) {
        match w {
            Watch::Query(q) => {
                self.query(&q);
                if !self.delay.is_zero() {
                    std::thread::sleep(self.delay);
                }
            }
            Watch::Found(f) => self.found(&f),
            Watch::Progress(p) => {
                self.last = (p.recovered.len(), p.total);
                report_progress(self.ctx, p);
            }
        }
    }

    /// `iv` or `ct[i−1]`: the block before `ct[block]`.
    fn previous(block: usize) -> String {
        if block == 0 { "iv".to_string() } else { format!("ct[{}]", block - 1) }
    }

    /// The heading of a byte (and of its block, at byte 15), before its first query.
    fn heading(&mut self, q: &Query<'_>) {
        if !self.step || self.heading == Some((q.block, q.byte)) {
            return;
        }
        self.heading = Some((q.block, q.byte));
        let (b, k, p) = (q.block, q.byte, q.pad);
        let prev = Self::previous(b);
        if k == BLOCK - 1 {
            let blocks = self.body.len() / BLOCK - 1;
            self.ctx.step(format!("Block {} of {blocks}: pt[{b}] = D(ct[{b}]) ⊕ {prev}", b + 1));
            self.ctx.say(format!(
                "   Each query is C' ‖ ct[{b}]. The server decrypts it to P' = D(C) ⊕ C',\n   \
                 with D(C) = D_K(ct[{b}]), and says only whether P' ends in valid padding."
            ));
        }
        self.ctx.step(format!("ct[{b}], byte {k}: find the C'[{k}] that makes P' end in {}", pad_text(p)));
        let c_prev = self.body[b * BLOCK + k];
        self.ctx.say(format!(
            "   A guess g of P[{k}] sets C'[{k}] = g ⊕ {prev}[{k}] ⊕ {p:02x} = g ⊕ {:02x}",
            c_prev ^ p
        ));
        let tail = match p {
            1 => "   No tail yet: C'[0 to 14] = 00, and the right g makes P'[15] = 01.".to_string(),
            2 => {
                let d = q.forged()[BLOCK - 1] ^ 2;
                format!(
                    "   The tail, from D(C)[15] found: C'[15] = D(C)[15] ⊕ 02 = {d:02x} ⊕ 02 = {:02x},\n   \
                     so P'[15] = 02; the right g makes P'[14] = 02 too: P' ends 02 02.",
                    d ^ 2
                )
            }
            _ => format!(
                "   The tail, from the D(C) bytes found: C'[j] = D(C)[j] ⊕ {p:02x} for j = {} to 15,\n   \
                 so those P'[j] = {p:02x}; the right g makes P' end in {}.",
                k + 1,
                pad_text(p)
            ),
        };
        self.ctx.say(tail);
    }

    fn query(&mut self, q: &Query<'_>) {
        self.heading(q);
        let k = q.byte;
        let text = if !self.step {
            String::new()
        } else if q.check {
            let said =
                if q.valid { "still valid: P' ends in 01" } else { "bad padding: that yes was not 01" };
            format!("  query {}: check, C'[14] = {:02x} (was 00): {said}", q.n, q.forged()[BLOCK - 2])
        } else {
            let said = if q.valid { "valid padding" } else { "bad padding" };
            format!("  query {}: g = {}, C'[{k}] = {:02x}: {said}", q.n, guess_text(q.guess), q.forged()[k])
        };
        self.ctx.fact(
            "query",
            json!({
                "n": q.n,
                "block": q.block,
                "byte": k,
                "pad": q.pad,
                "guess": q.guess,
                "forged": hex::encode(q.forged()),
                "valid": q.valid,
                "check": q.check,
            }),
            text,
        );
        if self.step && q.check && !q.valid {
            self.ctx.say(
                "   A false yes: with C'[14] = 00, P'[14] = D(C)[14] happened to make a longer\n   \
                 valid padding (02 02, or 03 03 03, …) with that C'[15]. Guessing goes on.",
            );
        }
    }

    fn found(&mut self, f: &Found<'_>) {
        let (b, k, p) = (f.block, f.byte, f.pad);
        let c = f.sent[k];
        if self.step {
            let tail = match k {
                15 => String::new(),
                14 => ", C'[15] (the tail)".to_string(),
                _ => format!(", C'[{} to 15] (the tail)", k + 1),
            };
            self.ctx.dump(
                Dump::new(format!("the yes: C' ‖ ct[{b}]; marked: C'[{k}] (the guess){tail}"), f.sent)
                    .spans([
                        crate::render::Span::new("C'", crate::render::SpanKind::Iv, 0..BLOCK),
                        crate::render::Span::new(
                            format!("ct[{b}]"),
                            crate::render::SpanKind::Ciphertext,
                            BLOCK..2 * BLOCK,
                        ),
                    ])
                    .mark(k..BLOCK),
            );
        }
        let mut lines = Vec::new();
        for &fy in f.false_yes {
            let v = f.intermediate ^ fy;
            lines.push(format!(
                "  The false yes, C'[15] = {fy:02x}: P'[15] = D(C)[15] ⊕ {fy:02x} = {v:02x}, so P' \
                 ended {}.",
                pad_text(v)
            ));
        }
        lines.push(format!(
            "  D(C)[{k}] = C'[{k}] ⊕ {p:02x} = {c:02x} ⊕ {p:02x} = {:02x}: P' ended {}",
            f.intermediate,
            pad_text(p)
        ));
        let shown =
            if (0x20..0x7f).contains(&f.plain) { format!(" '{}'", f.plain as char) } else { String::new() };
        lines.push(format!(
            "  P[{k}] = D(C)[{k}] ⊕ {}[{k}] = {:02x} ⊕ {:02x} = {:02x}{shown} ({} quer{}, {} in all)",
            Self::previous(b),
            f.intermediate,
            f.previous,
            f.plain,
            f.queries,
            if f.queries == 1 { "y" } else { "ies" },
            f.total
        ));
        // P[j] = D(C)[j] ⊕ C_{i−1}[j] for the bytes found, a placeholder before them.
        let so_far: String = (0..BLOCK)
            .map(|j| if j < k { UNKNOWN } else { ascii_char(f.known[j - k] ^ self.body[b * BLOCK + j]) })
            .collect();
        lines.push(format!("  pt[{b}] so far |{so_far}|"));
        self.ctx.fact(
            "byte",
            json!({
                "block": b,
                "byte": k,
                "pad": p,
                "forged": hex::encode(&f.sent[..BLOCK]),
                "intermediate": f.intermediate,
                "previous": f.previous,
                "plaintext": f.plain,
                "false_yes": f.false_yes,
                "queries": f.queries,
                "total_queries": f.total,
            }),
            if self.step { lines.join("\n") } else { String::new() },
        );
    }
}

/// A byte as one character of text: printable ASCII as it is, else `.`.
fn ascii_char(b: u8) -> char {
    crate::render::ascii(&[b], '.').chars().next().unwrap_or('.')
}

/// Narrates the demo: a vulnerable cbc server (in-process), the attack with
/// its progress (with [`Options::step`], every byte's work), the result and
/// its cost; then the same attack against cbc-hmac. With [`Options::live`],
/// the attack on a live server instead.
pub fn narrate(ctx: &mut DemoCtx, opts: &Options) -> Result<(), DemoError> {
    if let Some(live) = &opts.live {
        return narrate_live(ctx, live, opts);
    }
    let secret = &opts.message[..];
    ctx.announce_keys();
    ctx.title("Demo: the padding oracle — decrypting CBC without the key");
    let server = ctx.cipher(Suite::Cbc);
    let body = server.seal(&[], secret, &mut ctx.rng);
    ctx.step("1. A captured cbc body. Its server says when the padding is bad (INSECURE).");
    ctx.dump(Dump::new("captured", &body).spans(layout::body_spans(Suite::Cbc, 0, body.len())));
    ctx.step("2. The attack: forge the block before each target block, one byte at a time.");
    ctx.say(
        "   The oracle answers only yes/no: \"was the padding valid?\". Guesses go in\n   \
         English order (Vaudenay, 2002).",
    );
    let mut reporter = Reporter::new(ctx, &body, opts);
    let result = attack_watched(&body, |forged| victims::padding_check(&server, forged), |w| reporter.see(w));
    if opts.step {
        ctx.step("The whole plaintext, found byte by byte.");
    }
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
fn narrate_live(ctx: &mut DemoCtx, live: &Live, opts: &Options) -> Result<(), DemoError> {
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
    let failure = std::cell::RefCell::new(None);
    let mut reporter = Reporter::new(ctx, &body, opts);
    let result = attack_watched(
        &body,
        |forged| match ask(forged) {
            Ok(answer) => answer,
            Err(e) => {
                failure.borrow_mut().get_or_insert(e);
                false
            }
        },
        |w| {
            // Once the connection failed, every answer is a made-up no: not shown.
            if failure.borrow().is_none() {
                reporter.see(w);
            }
        },
    );
    let last = reporter.last;
    if last.0 < last.1 {
        // The attack stopped early: end the progress line.
        ctx.progress(DEMO.name, last.1 as u64, last.1 as u64, "stopped");
    }
    if let Some(err) = failure.into_inner() {
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

    use aes::cipher::KeyInit;
    use rand::SeedableRng;

    use crate::suite::{Cipher, ecb, pkcs7};

    /// D_K of every block of `ct`, by the suite's own ecb decryption.
    fn real_intermediate(key: &[u8; 16], ct: &[u8]) -> Vec<u8> {
        let aes = aes::Aes128::new_from_slice(key).unwrap();
        let mut out = vec![0u8; ct.len()];
        ecb::decrypt_raw(&aes, ct, &mut out);
        out
    }

    #[test]
    fn every_byte_found_carries_the_real_intermediate_and_plaintext() {
        let key = [0x2b; 16];
        let cipher = Cipher::new(Suite::Cbc, &key, None).unwrap();
        let secret = b"Meet me at noon. Bring the map.";
        let body = cipher.seal(&[], secret, &mut rand::rngs::ChaCha20Rng::seed_from_u64(3));
        let real = real_intermediate(&key, &body[BLOCK..]);
        let padded = pkcs7::pad(secret);
        let (mut found, mut asked) = (0usize, 0u64);
        let rec = attack_watched(
            &body,
            |q| victims::padding_check(&cipher, q),
            |w| match w {
                Watch::Found(f) => {
                    let at = f.block * BLOCK + f.byte;
                    assert_eq!(f.intermediate, real[at], "D_K(C)[{}] of block {}", f.byte, f.block);
                    assert_eq!(f.sent[f.byte] ^ f.pad, f.intermediate);
                    assert_eq!(f.previous, body[at], "the byte of the block before");
                    assert_eq!(f.plain, padded[at]);
                    assert_eq!(f.known, &real[at..(f.block + 1) * BLOCK]);
                    // The query that said yes really ends in `pad` bytes of `pad`.
                    for j in f.byte..BLOCK {
                        assert_eq!(f.sent[j] ^ real[f.block * BLOCK + j], f.pad, "byte {j}");
                    }
                    assert_eq!(&f.sent[BLOCK..], &body[(f.block + 1) * BLOCK..(f.block + 2) * BLOCK]);
                    found += 1;
                }
                Watch::Query(q) => {
                    asked += 1;
                    assert_eq!(q.n, asked, "queries are numbered in order");
                    assert_eq!(q.valid, victims::padding_check(&cipher, q.sent), "the answer reported");
                }
                Watch::Progress(_) => {}
            },
        )
        .unwrap();
        assert_eq!(rec.padded, padded);
        assert_eq!(found, padded.len(), "one report per byte");
        assert_eq!(asked, rec.queries, "one report per query");
    }

    #[test]
    fn a_false_yes_at_byte_15_is_caught_by_the_check() {
        // A block whose D_K(C)[14] is 02: with C'[14] = 00, the guess that
        // makes P'[15] = 02 makes the valid padding 02 02 — a yes that is not 01.
        let key = [0x2b; 16];
        let (c, d) = (0u64..)
            .map(|n| {
                let mut c = [0u8; BLOCK];
                c[..8].copy_from_slice(&n.to_le_bytes());
                let d = real_intermediate(&key, &c);
                (c, d)
            })
            .find(|(_, d)| d[14] == 2)
            .unwrap();
        // The IV that makes this block "Attack at dawn" and its padding 02 02:
        // the pad guesses come first, and 01 (P'[15] = 02) before 02.
        let padded = pkcs7::pad(b"Attack at dawn");
        let iv: Vec<u8> = d.iter().zip(&padded).map(|(a, b)| a ^ b).collect();
        let body = [iv, c.to_vec()].concat();
        let cipher = Cipher::new(Suite::Cbc, &key, None).unwrap();
        assert_eq!(cipher.open(&[], &body).unwrap(), b"Attack at dawn");
        let (mut checks, mut false_yes) = (Vec::new(), Vec::new());
        let rec = attack_watched(
            &body,
            |q| victims::padding_check(&cipher, q),
            |w| match w {
                Watch::Query(q) if q.check => checks.push((q.n, q.valid)),
                Watch::Found(f) if f.byte == BLOCK - 1 => false_yes = f.false_yes.to_vec(),
                Watch::Query(_) | Watch::Found(_) | Watch::Progress(_) => {}
            },
        )
        .unwrap();
        assert_eq!(checks, [(2, false), (4, true)], "the first yes fails its check, the second passes");
        assert_eq!(false_yes.len(), 1);
        assert_eq!(false_yes[0] ^ d[15], 2, "the false yes had made P'[15] = 02");
        assert_eq!(rec.message(), b"Attack at dawn");
    }

    #[test]
    fn the_block_so_far_keeps_every_byte_in_its_place() {
        let shown = |recovered: &[u8]| Progress { recovered, total: 32, queries: 0 }.block_so_far('_');
        assert_eq!(shown(b"e."), (0, "______________e.".to_string()));
        let mut first = [b'a'; 16].to_vec();
        first.extend(b"xyz");
        assert_eq!(shown(&first), (1, "_____________xyz".to_string()));
        assert_eq!(shown(&[b'a'; 16]), (0, "aaaaaaaaaaaaaaaa".to_string()));
    }

    #[test]
    fn malformed_body_is_refused() {
        assert_eq!(attack(&[0u8; 20], |_| true, |_| {}), Err(OracleError::Shape(20)));
        assert_eq!(attack(&[0u8; 16], |_| true, |_| {}), Err(OracleError::Shape(16)));
    }
}
