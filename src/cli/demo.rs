//! `cryptolab demo …`: the attacks of [`crate::attacks`], narrated.

use std::io::{self, IsTerminal, Write};

use clap::{Args, Subcommand};
use rand::SeedableRng;

use crate::keys::KeyMaterial;
use crate::render::{ColorChoice, Dump, Renderer};
use crate::suite::{Suite, layout};

use super::{CliError, Format, decode};

pub(super) const DEMO_EXAMPLES: &str = "\
Each demo runs in-process with no setup. Bytes differ every run; pass the
printed --seed to repeat a run exactly.

Examples:
  cryptolab demo ecb-image                  a padlock encrypted in ecb, cbc and gcm: look at them
  cryptolab demo bitflip                    cbc: role=guest becomes role=admin, no key needed
  cryptolab demo bitflip --target root
  cryptolab demo hmac                       every tampered field refused; a flawed MAC beaten
  cryptolab demo padding-oracle             the whole plaintext, one yes/no answer at a time
  cryptolab demo replay --seed 7            cbc executes the same transfer twice";

/// `cryptolab demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed for the demo keys and IVs (default: random, printed).
    #[arg(long, global = true, value_name = "N")]
    pub seed: Option<u64>,
    /// The demo to run.
    #[command(subcommand)]
    pub demo: Demo,
}

/// The demos.
#[derive(Debug, Subcommand)]
pub enum Demo {
    /// CBC bit-flipping: change an encrypted record without the key.
    Bitflip {
        /// The role to forge (1–9 ASCII characters, no `;` or `=`).
        #[arg(long, default_value = "admin")]
        target: String,
    },
    /// Tamper with each field of cbc-hmac and gcm frames; beat a flawed MAC.
    Hmac,
    /// Decrypt CBC with a server that reports bad padding.
    PaddingOracle {
        /// The secret the victim sends (in-process demo).
        #[arg(long, default_value = "Meet me at the old mill at nine. Bring the key, and tell no one.")]
        message: String,
        /// Attack a live `serve --mode cbc --leak-padding-errors` at HOST:PORT instead.
        #[arg(long, value_name = "HOST:PORT", requires = "frame")]
        target: Option<String>,
        /// The captured cbc frame to decrypt, in hex (e.g. from `cryptolab proxy --json`);
        /// with `--wire b64-iv-ct`, the captured message as its base64 text.
        #[arg(long, value_name = "HEX|BASE64", requires = "target")]
        frame: Option<String>,
        /// The target speaks this format: `native` (`serve --leak-padding-errors`) or
        /// `b64-iv-ct` (a classroom server that answers `ERROR: bad padding`).
        #[arg(long, value_enum, default_value = "native", value_name = "FORMAT", requires = "target")]
        wire: crate::profiles::Wire,
    },
    /// Replay a captured frame: accepted twice in cbc, refused in cbc-hmac and gcm.
    Replay,
    /// Encrypt a picture's pixels in ecb, cbc and gcm; see what ECB leaks.
    EcbImage(crate::attacks::ecb_image::EcbImageArgs),
}

pub(super) fn demo(args: &DemoArgs, color: ColorChoice) -> Result<(), CliError> {
    use crate::attacks::{bitflip, ecb_image, hmac, padding_oracle, replay};

    if let Demo::EcbImage(image_args) = &args.demo {
        // This demo has its own --seed and writes files; it reports on its own.
        let mut out = io::stdout().lock();
        ecb_image::run(image_args, &mut out, color.enabled(io::stdout().is_terminal()))?;
        return out.flush().map_err(CliError::output);
    }

    let seed = args.seed.unwrap_or_else(|| rand::random::<u64>() >> 16);
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(seed);
    let keys = KeyMaterial::generate(128, &mut rng);
    let renderer = Renderer::new().color(color.enabled(io::stdout().is_terminal()));
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "(demo keys from seed {seed}, fingerprint {}; --seed {seed} repeats this run)\n",
        keys.fingerprint()
    )
    .map_err(CliError::output)?;
    // The in-process demos only compute and write: their io::Errors are the output's.
    match &args.demo {
        Demo::Bitflip { target } => {
            let plan = bitflip::Plan::new(target)?;
            bitflip::narrate(&mut out, &renderer, &keys, &plan, &mut rng).map_err(CliError::output)?;
        }
        Demo::Hmac => hmac::narrate(&mut out, &renderer, &keys, seed).map_err(CliError::output)?,
        Demo::PaddingOracle { target: Some(target), frame: Some(frame), wire, .. } => {
            live_padding_oracle(&mut out, &renderer, target, frame, *wire)?
        }
        Demo::PaddingOracle { message, .. } => {
            let live = io::stderr().is_terminal();
            padding_oracle::narrate(&mut out, &renderer, &keys, message.as_bytes(), &mut rng, live)
                .map_err(CliError::output)?
        }
        Demo::Replay => replay::narrate(&mut out, &renderer, &keys, seed).map_err(CliError::output)?,
        Demo::EcbImage(_) => unreachable!("handled above"),
    }
    out.flush().map_err(CliError::output)
}

/// The padding-oracle attack against a live leaky server, on a captured frame.
fn live_padding_oracle(
    out: &mut dyn Write,
    r: &Renderer,
    target: &str,
    frame_hex: &str,
    wire: crate::profiles::Wire,
) -> Result<(), CliError> {
    use crate::attacks::padding_oracle;
    use crate::net::oracle::{Base64Oracle, RemoteOracle};
    use crate::profiles::Wire;

    let unreachable =
        |e: io::Error, hint: &str| CliError::failure(format!("cannot reach {target}: {e}"), hint);
    /// One oracle question: does this forged IV ‖ block have valid padding?
    type Ask = Box<dyn FnMut(&[u8]) -> io::Result<bool>>;
    let (body, mut ask): (Vec<u8>, Ask) = match wire {
        Wire::Native => {
            let frame = decode(frame_hex.as_bytes(), Format::Hex)?;
            let (header, body) =
                crate::wire::decode_frame(&frame, crate::wire::DEFAULT_MAX_BODY).map_err(|e| {
                    CliError::usage(format!("--frame is not a whole frame: {e}"), "copy the frame's full hex")
                })?;
            if header.suite != Suite::Cbc {
                return Err(CliError::usage(
                    format!("--frame is a {} frame", header.suite),
                    "the padding oracle attacks cbc; authenticated suites give no padding signal",
                ));
            }
            let mut oracle = RemoteOracle::connect(target, Suite::Cbc).map_err(|e| {
                unreachable(e, "is `cryptolab serve --mode cbc --leak-padding-errors` running there?")
            })?;
            writeln!(
                out,
                "Live padding oracle against {target}: frame seq {} ({} bytes), no key.",
                header.seq,
                frame.len()
            )
            .map_err(CliError::output)?;
            (body.to_vec(), Box::new(move |q: &[u8]| oracle.ask(q)))
        }
        Wire::Format(crate::profiles::Format::B64IvCt) => {
            let body = crate::profiles::decode_b64(frame_hex.as_bytes()).map_err(|e| {
                CliError::usage(
                    format!("--frame: {e}"),
                    "give the captured message's base64 text, as on the wire",
                )
            })?;
            let mut oracle = Base64Oracle::connect(target).map_err(|e| {
                unreachable(e, "is the b64-iv-ct server (or a proxy in front of it) running there?")
            })?;
            writeln!(
                out,
                "Live padding oracle against the b64-iv-ct server at {target}: a {}-byte message, no key.",
                body.len()
            )
            .map_err(CliError::output)?;
            (body, Box::new(move |q: &[u8]| oracle.ask(q)))
        }
        other => {
            return Err(CliError::usage(
                format!("no padding oracle for --wire {}", other.name()),
                "the live attack speaks native (cbc) and b64-iv-ct",
            ));
        }
    };
    let body = &body[..];
    let mut failure = None;
    let result = padding_oracle::attack(
        body,
        |forged| match ask(forged) {
            Ok(answer) => answer,
            Err(e) => {
                failure.get_or_insert(e);
                false
            }
        },
        |_| {},
    );
    if let Some(e) = failure {
        return Err(CliError::failure(
            format!("connection to {target} failed during the attack: {e}"),
            "the server closed or stopped answering; restart it and capture a fresh --frame",
        ));
    }
    match result {
        Ok(rec) => {
            let dump = Dump::new("recovered over the network, without the key", &rec.padded)
                .spans(layout::plaintext_spans(rec.message().len(), rec.padded.len()));
            r.render(out, &dump).map_err(CliError::output)?;
            writeln!(
                out,
                "  BROKEN recovered \"{}\" with {} queries to the server, {:.1} per byte.",
                String::from_utf8_lossy(rec.message()),
                rec.queries,
                rec.per_byte()
            )
        }
        Err(e) => writeln!(out, "  REFUSED {e}"),
    }
    .map_err(CliError::output)
}
