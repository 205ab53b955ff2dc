//! `cryptolab demo …`: the attacks of [`crate::attacks`] (and the
//! challenges played against their own servers, [`crate::challenge::demo`]),
//! narrated.
//!
//! Every clap type of the demos is here, and nothing else of them: each
//! subcommand turns its flags into the demo's plain `Options` struct and
//! calls its `narrate` in one line. The demo reports [`crate::events`]
//! values; this file picks the observer (text, or JSON lines with `--json`;
//! progress drawn on stderr only when it is a terminal) and turns a
//! [`DemoError`] into the two-line message.

use std::io;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Term;
use crate::attacks::padding_oracle::{self, CapturedAs, Live, LiveError};
use crate::attacks::{
    DemoCtx, DemoError, bitflip, ecb_byte_at_a_time, ecb_image, error_propagation, forward_secrecy, hmac,
    key_search, mitm, nonce_reuse, padding, predictable_iv, replay,
};
use crate::challenge::demo as live;
use crate::events::{Detail, Events, Output};

use super::{CliError, Format, decode};

pub(super) const DEMO_EXAMPLES: &str = "\
Each demo runs in-process with no setup. Bytes differ every run; pass the
printed --seed to repeat a run exactly. --json prints one JSON object per
event (steps, dumps, facts, verdicts) instead of text.

Examples:
  cryptolab demo ecb-image                  a padlock encrypted in ecb, cbc, ctr and gcm: look at them
  cryptolab demo ecb-byte-at-a-time         ecb: a secret behind your input, read byte by byte
  cryptolab demo bitflip                    cbc, ctr: role=guest becomes role=admin, no key needed
  cryptolab demo bitflip --target root
  cryptolab demo hmac                       every tampered field refused; a flawed MAC beaten
  cryptolab demo padding-oracle             the whole plaintext, one yes/no answer at a time
  cryptolab demo replay --seed 7            cbc executes the same transfer twice
  cryptolab demo replay --json              the same, as JSON lines
  cryptolab demo forward-secrecy            a recording, then a stolen key file
  cryptolab demo forward-secrecy --recording rec.jsonl --key-file lab.key
                                            your own recording (proxy --json)
  cryptolab demo mitm                       a key exchange with each side:
                                            --anonymous loses, the key file wins
  cryptolab demo error-propagation          one flipped ciphertext bit: what changes, per suite
  cryptolab demo error-propagation --byte 100 --bit 0
  cryptolab demo padding --len 15 16 17     PKCS#7 in the block suites, none in the stream ones
  cryptolab demo predictable-iv             cbc with chained IVs: a guess confirmed in one query
  cryptolab demo nonce-reuse                one nonce twice: read by XOR, then
                                            by statistics
  cryptolab demo nonce-reuse --mode gcm     both messages accepted, both read
  cryptolab demo key-search                 a key made from a word, found in a
                                            word list (your own: crack key)

Against a live challenge server on a loopback port (cryptolab challenge):
  cryptolab demo ecb-cut-and-paste          role=admin pasted from two profiles
  cryptolab demo cbc-iv-key                 the key, read from one error
  cryptolab demo length-extension           ;admin=true signed without the secret
  cryptolab demo gcm-nonce-reuse            a forged GCM tag, accepted
  cryptolab demo ecb-byte-at-a-time-prefix  the secret behind a prefix
  cryptolab demo timing-leak --delay-ms 20  a MAC found by the clock";

/// `cryptolab demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed for the demo keys and IVs (default: random, printed).
    #[arg(long, global = true, value_name = "N")]
    pub seed: Option<u64>,
    /// Print one JSON object per event (JSON Lines) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The demo to run.
    #[command(subcommand)]
    pub demo: Demo,
}

/// The demos: one variant per row of [`crate::demos::DEMOS`], named and
/// described by that row.
#[derive(Debug, Subcommand)]
pub enum Demo {
    /// [`crate::attacks::ecb_image`].
    #[command(name = ecb_image::DEMO.name, about = ecb_image::DEMO.about, long_about = None)]
    EcbImage(EcbImageArgs),
    /// [`crate::attacks::ecb_byte_at_a_time`].
    #[command(name = ecb_byte_at_a_time::DEMO.name, about = ecb_byte_at_a_time::DEMO.about, long_about = None)]
    EcbByteAtATime,
    /// [`crate::attacks::bitflip`].
    #[command(name = bitflip::DEMO.name, about = bitflip::DEMO.about, long_about = None)]
    Bitflip(BitflipArgs),
    /// [`crate::attacks::hmac`].
    #[command(name = hmac::DEMO.name, about = hmac::DEMO.about, long_about = None)]
    Hmac,
    /// [`crate::attacks::padding_oracle`].
    #[command(name = padding_oracle::DEMO.name, about = padding_oracle::DEMO.about, long_about = None)]
    PaddingOracle(PaddingOracleArgs),
    /// [`crate::attacks::replay`].
    #[command(name = replay::DEMO.name, about = replay::DEMO.about, long_about = None)]
    Replay,
    /// [`crate::attacks::error_propagation`].
    #[command(name = error_propagation::DEMO.name, about = error_propagation::DEMO.about, long_about = None)]
    ErrorPropagation(ErrorPropagationArgs),
    /// [`crate::attacks::padding`].
    #[command(name = padding::DEMO.name, about = padding::DEMO.about, long_about = None)]
    Padding(PaddingArgs),
    /// [`crate::attacks::predictable_iv`].
    #[command(name = predictable_iv::DEMO.name, about = predictable_iv::DEMO.about, long_about = None)]
    PredictableIv,
    /// [`crate::attacks::nonce_reuse`].
    #[command(name = nonce_reuse::DEMO.name, about = nonce_reuse::DEMO.about, long_about = None)]
    NonceReuse(NonceReuseDemoArgs),
    /// [`crate::attacks::key_search`].
    #[command(name = key_search::DEMO.name, about = key_search::DEMO.about, long_about = None)]
    KeySearch,
    /// [`crate::attacks::mitm`].
    #[command(name = mitm::DEMO.name, about = mitm::DEMO.about, long_about = None)]
    Mitm,
    /// [`crate::attacks::forward_secrecy`].
    #[command(name = forward_secrecy::DEMO.name, about = forward_secrecy::DEMO.about, long_about = None)]
    ForwardSecrecy(ForwardSecrecyArgs),
    /// [`crate::challenge::demo::CUT_AND_PASTE`].
    #[command(name = live::DEMOS[0].name, about = live::DEMOS[0].about, long_about = None)]
    EcbCutAndPaste,
    /// [`crate::challenge::demo::IV_KEY`].
    #[command(name = live::DEMOS[1].name, about = live::DEMOS[1].about, long_about = None)]
    CbcIvKey,
    /// [`crate::challenge::demo::LENGTH_EXTENSION`].
    #[command(name = live::DEMOS[2].name, about = live::DEMOS[2].about, long_about = None)]
    LengthExtension,
    /// [`crate::challenge::demo::GCM_NONCE_REUSE`].
    #[command(name = live::DEMOS[3].name, about = live::DEMOS[3].about, long_about = None)]
    GcmNonceReuse,
    /// [`crate::challenge::demo::PREFIX`].
    #[command(name = live::DEMOS[4].name, about = live::DEMOS[4].about, long_about = None)]
    EcbByteAtATimePrefix,
    /// [`crate::challenge::demo::TIMING_LEAK`].
    #[command(name = live::DEMOS[5].name, about = live::DEMOS[5].about, long_about = None)]
    TimingLeak(TimingLeakArgs),
}

/// `cryptolab demo timing-leak`.
#[derive(Debug, Args)]
pub struct TimingLeakArgs {
    /// INSECURE: the server's wait per matching tag byte, in ms (its default: 50)
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub delay_ms: Option<u64>,
}

/// `cryptolab demo forward-secrecy`.
#[derive(Debug, Args)]
pub struct ForwardSecrecyArgs {
    /// A recorded session: the JSON lines of `cryptolab proxy --json` (its
    /// `frame` events); opened with the key file below instead of the demo's.
    #[arg(long, value_name = "FILE")]
    pub recording: Option<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub keys: super::KeyArgs,
}

/// `cryptolab demo nonce-reuse`.
#[derive(Debug, Args)]
pub struct NonceReuseDemoArgs {
    /// Only this suite: ctr, ofb, cfb or gcm (default: all four).
    #[arg(long, value_enum, value_name = "SUITE")]
    pub mode: Option<crate::suite::Suite>,
}

/// `cryptolab demo error-propagation`.
#[derive(Debug, Args)]
pub struct ErrorPropagationArgs {
    /// The ciphertext byte to flip, counted from the first byte after the IV or nonce.
    #[arg(long, value_name = "N", default_value_t = error_propagation::DEFAULT_BYTE)]
    pub byte: usize,
    /// Which bit of it: 0 (0x01) to 7 (0x80).
    #[arg(long, value_name = "B", default_value_t = error_propagation::DEFAULT_BIT)]
    pub bit: u64,
}

/// `cryptolab demo padding`.
#[derive(Debug, Args)]
pub struct PaddingArgs {
    /// Message lengths to show, in bytes (default: 5 10 16 20 32).
    #[arg(long = "len", value_name = "N", num_args = 1..)]
    pub lens: Vec<usize>,
}

/// `cryptolab demo bitflip`.
#[derive(Debug, Args)]
#[command(after_help = BITFLIP_EXAMPLES)]
pub struct BitflipArgs {
    /// The role to forge (1–9 ASCII characters, no `;` or `=`).
    #[arg(long, default_value = "admin")]
    pub target: String,
    /// Your own mask instead: the first body byte it changes (0 is the IV's
    /// first byte; the ciphertext starts at 16), in the cbc and ctr bodies.
    #[arg(long, value_name = "N", requires = "delta", conflicts_with = "target")]
    pub offset: Option<usize>,
    /// The mask Δ in hex, XORed into the body from --offset on (e.g. 06 or 0612).
    #[arg(long, value_name = "HEX", requires = "offset", conflicts_with = "target")]
    pub delta: Option<String>,
}

const BITFLIP_EXAMPLES: &str = "\
Examples:
  cryptolab demo bitflip                          role=guest becomes role=admin
  cryptolab demo bitflip --target root            another role
  cryptolab demo bitflip --offset 38 --delta 06   your own mask: body byte 38 ⊕ 06";

impl BitflipArgs {
    /// The options: the role to forge, or the mask, checked.
    fn options(&self) -> Result<bitflip::Options, CliError> {
        let mask = match (self.offset, &self.delta) {
            (Some(offset), Some(delta)) => {
                Some(bitflip::Mask::parse(offset, delta).map_err(|e| demo_error(DemoError::from(e)))?)
            }
            (None, None) | (Some(_), None) | (None, Some(_)) => None,
        };
        Ok(bitflip::Options { target: self.target.clone(), mask })
    }
}

/// `cryptolab demo padding-oracle`.
#[derive(Debug, Args)]
#[command(after_help = PADDING_ORACLE_EXAMPLES)]
pub struct PaddingOracleArgs {
    /// The secret the victim sends (in-process demo).
    #[arg(long, default_value = padding_oracle::DEFAULT_MESSAGE)]
    pub message: String,
    /// Attack a live `serve --mode cbc --leak-padding-errors` at HOST:PORT
    /// instead: a `--static-keys` server, or a `proxy --oracle-port` in the
    /// victim's session (the frame must be under that session's key).
    #[arg(long, value_name = "HOST:PORT", requires = "frame")]
    pub target: Option<String>,
    /// The captured cbc frame to decrypt, in hex (e.g. from `cryptolab proxy --json`);
    /// with `--wire b64-iv-ct`, the captured message as its base64 text.
    #[arg(long, value_name = "HEX|BASE64", requires = "target")]
    pub frame: Option<String>,
    /// The target speaks this format: `native` (`serve --leak-padding-errors`) or
    /// `b64-iv-ct` (a classroom server that answers `ERROR: bad padding`).
    #[arg(long, value_enum, default_value = "native", value_name = "FORMAT", requires = "target")]
    pub wire: OracleWire,
    /// Show every byte's work: each query, the forged block of the query
    /// that said yes, the intermediate byte D(C) and the plaintext byte.
    /// Long: a short --message suits it.
    #[arg(long)]
    pub step: bool,
    /// Pause this many milliseconds after every query, to watch it (0–2000).
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 0,
        value_parser = clap::value_parser!(u64).range(0..=MAX_DELAY_MS)
    )]
    pub delay: u64,
}

/// The longest `--delay`, in milliseconds.
const MAX_DELAY_MS: u64 = padding_oracle::MAX_DELAY.as_millis() as u64;

const PADDING_ORACLE_EXAMPLES: &str = "\
Examples:
  cryptolab demo padding-oracle                   the whole secret, yes/no by yes/no
  cryptolab demo padding-oracle --step --message 'Attack at dawn' --delay 300
                                                  every byte's work, slowly
  cryptolab demo padding-oracle --json            one event per query and per byte
  cryptolab demo padding-oracle --target 127.0.0.1:5552 --frame HEX
                                                  a live server (see lab 07)";

/// `--wire` of `demo padding-oracle`: any format's name parses, but
/// `--help` shows only those with a padding oracle to ask (native and
/// b64-iv-ct); the others are refused with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OracleWire(pub crate::profiles::Wire);

impl clap::ValueEnum for OracleWire {
    fn value_variants<'a>() -> &'a [Self] {
        use crate::profiles::Wire;
        const ALL: [OracleWire; Wire::ALL.len()] = {
            let mut all = [OracleWire(Wire::Native); Wire::ALL.len()];
            let mut i = 0;
            while i < all.len() {
                all[i] = OracleWire(Wire::ALL[i]);
                i += 1;
            }
            all
        };
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let shown = padding_oracle::captured_as(self.0).is_some();
        self.0.to_possible_value().map(|v| v.hide(!shown))
    }
}

const ECB_IMAGE_EXAMPLES: &str = "\
Examples:
  cryptolab demo ecb-image                        the built-in padlock → ./ecb-image-out/
  cryptolab demo ecb-image --seed 1 --out lab     the same key and IVs every run
  cryptolab demo ecb-image photo.jpg --out photo  your own picture (PNG, JPEG, BMP, PNM)
  cryptolab demo ecb-image --json                 paths, size and repeat counts as JSON
Output: original.png, ecb.png, cbc.png and comparison.png (the three side by side).";

/// `cryptolab demo ecb-image`: encrypt a picture's pixels in ECB, CBC and
/// GCM mode and look at the ciphertext.
#[derive(Debug, Args)]
#[command(after_help = ECB_IMAGE_EXAMPLES)]
pub struct EcbImageArgs {
    /// The picture: PNG, JPEG, BMP or PNM (PPM, PGM, PBM, PAM); palette and
    /// greyscale pictures are converted. Default: a built-in padlock
    #[arg(value_name = "IMAGE")]
    pub image: Option<PathBuf>,
    /// Directory for the PNGs (created if missing; files in it are replaced)
    #[arg(long, value_name = "DIR", default_value = "ecb-image-out")]
    pub out: PathBuf,
    /// Refuse pictures with more pixels than this, before decoding them
    #[arg(long, value_name = "N", default_value_t = ecb_image::DEFAULT_MAX_PIXELS)]
    pub max_pixels: u64,
}

pub(super) fn demo(args: &DemoArgs, term: Term) -> Result<(), CliError> {
    let output = if args.json { Output::Json } else { Output::Text(Detail::Full) };
    let observer = output.observer(Box::new(io::stdout()), term.look());
    let ctx = &mut DemoCtx::new(Events::to(observer), args.seed);
    match &args.demo {
        Demo::EcbImage(a) => ecb_image::narrate(ctx, &a.options()),
        Demo::EcbByteAtATime => ecb_byte_at_a_time::narrate(ctx, &ecb_byte_at_a_time::Options::default()),
        Demo::Bitflip(a) => bitflip::narrate(ctx, &a.options()?),
        Demo::Hmac => hmac::narrate(ctx, &hmac::Options::default()),
        Demo::PaddingOracle(a) => padding_oracle::narrate(ctx, &a.options()?),
        Demo::Replay => replay::narrate(ctx, &replay::Options::default()),
        Demo::ForwardSecrecy(a) => forward_secrecy::narrate(ctx, &a.options()?),
        Demo::Mitm => mitm::narrate(ctx, &mitm::Options::default()),
        Demo::ErrorPropagation(a) => {
            error_propagation::narrate(ctx, &error_propagation::Options { byte: a.byte, bit: a.bit })
        }
        Demo::Padding(a) => padding::narrate(ctx, &a.options()),
        Demo::PredictableIv => predictable_iv::narrate(ctx, &predictable_iv::Options::default()),
        Demo::NonceReuse(a) => nonce_reuse::narrate(ctx, &nonce_reuse::Options { mode: a.mode }),
        Demo::KeySearch => key_search::narrate(ctx, &key_search::Options::default()),
        Demo::EcbCutAndPaste => live::narrate(ctx, &live::CUT_AND_PASTE, &live::Options::default()),
        Demo::CbcIvKey => live::narrate(ctx, &live::IV_KEY, &live::Options::default()),
        Demo::LengthExtension => live::narrate(ctx, &live::LENGTH_EXTENSION, &live::Options::default()),
        Demo::GcmNonceReuse => live::narrate(ctx, &live::GCM_NONCE_REUSE, &live::Options::default()),
        Demo::EcbByteAtATimePrefix => live::narrate(ctx, &live::PREFIX, &live::Options::default()),
        Demo::TimingLeak(a) => live::narrate(
            ctx,
            &live::TIMING_LEAK,
            &live::Options { delay: a.delay_ms.map(std::time::Duration::from_millis) },
        ),
    }
    .map_err(demo_error)
}

/// A demo's error as the user sees it: bad input is a usage error (exit 2),
/// a network or machine failure a failure (exit 1); both with the hint.
fn demo_error(e: DemoError) -> CliError {
    if e.is_failure() {
        CliError::failure(e.to_string(), e.hint())
    } else {
        CliError::usage(e.to_string(), e.hint())
    }
}

impl EcbImageArgs {
    fn options(&self) -> ecb_image::Options {
        ecb_image::Options { image: self.image.clone(), out: self.out.clone(), max_pixels: self.max_pixels }
    }
}

/// The largest recording read (a `proxy --json` log of a long session).
const MAX_RECORDING: u64 = 64 << 20;

impl ForwardSecrecyArgs {
    /// The options: the recording's frames and the key file, if given.
    fn options(&self) -> Result<forward_secrecy::Options, CliError> {
        let Some(path) = &self.recording else { return Ok(forward_secrecy::Options::default()) };
        let text = super::input::read_file(path, MAX_RECORDING, super::input::What::Recording)?;
        let frames = recorded_frames(&text).map_err(|(line, why)| {
            CliError::usage(
                format!("{}: line {line}: {why}", path.display()),
                "give the output of `cryptolab proxy --json` unchanged",
            )
        })?;
        let keys = self.keys.load(false)?;
        Ok(forward_secrecy::Options { recording: Some((frames, std::sync::Arc::new(keys))) })
    }
}

/// The frames of a `proxy --json` recording: the `hex` of each `frame`
/// event (other events are skipped). Errors name the line (from 1).
fn recorded_frames(text: &[u8]) -> Result<Vec<Vec<u8>>, (usize, String)> {
    let mut frames = Vec::new();
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_slice(line).map_err(|e| (i + 1, format!("not a JSON object ({e})")))?;
        if value["event"] != "frame" {
            continue;
        }
        let hex = value["hex"].as_str().ok_or((i + 1, "a frame event without \"hex\"".to_string()))?;
        frames.push(hex::decode(hex).map_err(|e| (i + 1, format!("\"hex\" is not hex ({e})")))?);
    }
    Ok(frames)
}

impl PaddingArgs {
    /// The options: the lengths given, or the default ones.
    fn options(&self) -> padding::Options {
        if self.lens.is_empty() {
            padding::Options::default()
        } else {
            padding::Options { lens: self.lens.clone() }
        }
    }
}

impl PaddingOracleArgs {
    /// The options, with `--frame` decoded as the target's format writes it.
    fn options(&self) -> Result<padding_oracle::Options, CliError> {
        let message = self.message.as_bytes().to_vec();
        let watch = padding_oracle::Options {
            message,
            live: None,
            step: self.step,
            delay: std::time::Duration::from_millis(self.delay),
        };
        let (Some(target), Some(frame)) = (&self.target, &self.frame) else {
            return Ok(watch);
        };
        let wire = self.wire.0;
        let captured = match padding_oracle::captured_as(wire) {
            Some(CapturedAs::Hex) => decode(frame.as_bytes(), Format::Hex)?,
            Some(CapturedAs::Base64) => crate::profiles::decode_b64(frame.as_bytes()).map_err(|e| {
                CliError::usage(
                    format!("--frame: {e}"),
                    "give the captured message's base64 text, as on the wire",
                )
            })?,
            None => return Err(demo_error(LiveError::NoOracle(wire).into())),
        };
        let live = Live { target: target.clone(), wire, captured };
        Ok(padding_oracle::Options { live: Some(live), ..watch })
    }
}
