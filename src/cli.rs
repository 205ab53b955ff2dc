//! The command tree and one handler per command — no cryptography here.
//!
//! Each handler parses what the user gave (files, flags), calls the library
//! ([`crate::suite`], [`crate::keys`], [`crate::tour`]) and shows the result
//! through the shared [`Renderer`]. Errors become [`CliError`]s: two lines,
//! exit code 2 for bad usage or input.

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use rand::SeedableRng;

use crate::error::CliError;
use crate::keys::{self, KeyMaterial, KeyOrigin, KeySpec};
use crate::net::client::{ConnectOptions, End};
use crate::net::server::ServeOptions;
use crate::net::{Limits, NetError, Printer, Show};
use crate::render::{ColorChoice, Dump, Renderer};
use crate::suite::{Cipher, Suite, layout};

/// Inputs larger than this are refused before they are read into memory.
pub const MAX_INPUT: u64 = 1 << 30;

const TOP_EXAMPLES: &str = "\
Examples:
  cryptolab tour                              a guided run of everything (start here)
  cryptolab keygen --bits 256                 write ./cryptolab.key (mode 0600)
  echo hi | cryptolab encrypt --mode gcm --format hex --explain
  cryptolab encrypt --mode cbc --key 2b7e151628aed2a6abf7158809cf4f3c \\
      --iv 000102030405060708090a0b0c0d0e0f --format hex msg.txt

Colour: --color auto|always|never; NO_COLOR is honoured; output is fully
readable without colour.";

/// cryptolab — watch AES work, break the weak modes, see the strong ones refuse.
#[derive(Debug, Parser)]
#[command(name = "cryptolab", version, about, after_help = TOP_EXAMPLES)]
pub struct Cli {
    /// When to use colour in output.
    #[arg(long, value_enum, default_value_t, global = true, value_name = "WHEN")]
    pub color: ColorChoice,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// A short guided run of everything: each suite sealing the same message.
    #[command(
        after_help = "Examples:\n  cryptolab tour\n  cryptolab tour --seed 7 --color never   (the same bytes every run)"
    )]
    Tour(TourArgs),
    /// Generate a key file (AES key + independent HMAC key), mode 0600.
    #[command(
        after_help = "Examples:\n  cryptolab keygen\n  cryptolab keygen --bits 256 --out lab.key\n  cryptolab keygen --force   (replace ./cryptolab.key: the old key is lost)"
    )]
    Keygen(KeygenArgs),
    /// Encrypt a file or stdin in one suite.
    #[command(after_help = ENCRYPT_EXAMPLES)]
    Encrypt(CryptArgs),
    /// Decrypt a file or stdin in one suite.
    #[command(after_help = DECRYPT_EXAMPLES)]
    Decrypt(CryptArgs),
    /// Run an encrypted chat server: many clients, every frame shown.
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Connect to a chat server: type lines to send, see frames arrive.
    #[command(after_help = CONNECT_EXAMPLES)]
    Connect(ConnectArgs),
    /// Attacks that break the weak suites and fail against the strong ones.
    #[command(after_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),
    /// Classical ciphers: encrypt, decrypt, and crack by statistics.
    Classical(crate::classical::ClassicalArgs),
    /// A man in the middle: show every frame both ways, tamper with the client's.
    #[command(after_help = PROXY_EXAMPLES)]
    Proxy(ProxyArgs),
    /// Measure the chat on loopback beside plain TCP (bulk, round trips, scale).
    #[command(
        after_help = "Examples:\n  cryptolab bench\n  cryptolab bench --seconds 1 --clients 1000 --messages 5"
    )]
    Bench(BenchArgs),
}

/// `cryptolab bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Seconds per bulk and round-trip measurement.
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,
    /// Message size for the bulk measurement, in KiB (at most 1023).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..1024))]
    pub bulk_kib: u32,
    /// Concurrent clients in the scale run.
    #[arg(long, default_value_t = 10_000)]
    pub clients: usize,
    /// Messages per client in the scale run.
    #[arg(long, default_value_t = 10)]
    pub messages: usize,
}

const SERVE_EXAMPLES: &str = "\
At the server's prompt: a line goes to every client; /to ID text to one;
/list shows who is connected; /quit says goodbye to all and stops.

Examples:
  cryptolab serve --mode cbc                    (then, elsewhere: cryptolab connect --mode cbc)
  cryptolab serve --mode gcm --echo --quiet     (replies to every message: for scripts)
  cryptolab serve --port 0 --json               (any free port; one JSON object per frame)";

const CONNECT_EXAMPLES: &str = "\
Type a line to send it; `quit` or end of input says goodbye.

Examples:
  cryptolab connect --mode cbc
  cryptolab connect --mode gcm 192.0.2.10 5550 --key-file lab.key
  cryptolab connect --mode ecb --send 'YELLOW SUBMARINE'   (one message, one reply, exit)";

const DEMO_EXAMPLES: &str = "\
Each demo runs in-process with no setup. Bytes differ every run; pass the
printed --seed to repeat a run exactly.

Examples:
  cryptolab demo ecb-image                  a padlock encrypted in ecb, cbc and gcm: look at them
  cryptolab demo bitflip                    cbc: role=guest becomes role=admin, no key needed
  cryptolab demo bitflip --target root
  cryptolab demo hmac                       every tampered field refused; a flawed MAC beaten
  cryptolab demo padding-oracle             the whole plaintext, one yes/no answer at a time
  cryptolab demo replay --seed 7            cbc executes the same transfer twice";

const PROXY_EXAMPLES: &str = "\
Frames from the client are numbered from 1 (frame 1 is the hello). Rules:
  flip:FRAME:OFFSET:MASK   XOR byte OFFSET (from the frame's first byte) with MASK (hex)
  replay:FRAME             forward the frame, then send it again
  drop:FRAME               do not forward it
  swap:A:B                 hold frame A until frame B has gone
  truncate:FRAME:LEN       forward only its first LEN bytes

Examples (three terminals):
  cryptolab serve --mode cbc
  cryptolab proxy --tamper flip:2:16:01          (listens on 5551, forwards to 5550)
  cryptolab connect --mode cbc 127.0.0.1 5551    (your second message arrives changed)";

/// `cryptolab proxy`.
#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Port to listen on for clients (0: any free port).
    #[arg(long, default_value_t = 5551, env = "CRYPTOLAB_PROXY_PORT")]
    pub listen: u16,
    /// The real server, HOST:PORT [default: 127.0.0.1:5550, or the port in CRYPTOLAB_PORT].
    #[arg(long, value_name = "HOST:PORT")]
    pub upstream: Option<String>,
    /// A tamper rule (repeatable); see below.
    #[arg(long, value_name = "RULE")]
    pub tamper: Vec<String>,
    /// Show only events and tamper lines, no frame dumps.
    #[arg(long, short, conflicts_with = "json")]
    pub quiet: bool,
    /// One JSON object per frame and per event.
    #[arg(long)]
    pub json: bool,
}

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
        /// The captured cbc frame to decrypt, in hex (e.g. from `cryptolab proxy --json`).
        #[arg(long, value_name = "HEX", requires = "target")]
        frame: Option<String>,
    },
    /// Replay a captured frame: accepted twice in cbc, refused in cbc-hmac and gcm.
    Replay,
    /// Encrypt a picture's pixels in ecb, cbc and gcm; see what ECB leaks.
    EcbImage(crate::attacks::ecb_image::EcbImageArgs),
}

/// Options shared by the chat commands.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The cipher suite (both sides must agree).
    #[arg(long, short, value_enum, default_value = "gcm")]
    pub mode: Suite,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub keys: KeyArgs,
    /// Show only the text of messages, no frame dumps.
    #[arg(long, short, conflicts_with = "json")]
    pub quiet: bool,
    /// One JSON object per frame and per event.
    #[arg(long)]
    pub json: bool,
    /// Largest frame body accepted, in bytes (checked before allocating).
    #[arg(long, value_name = "BYTES", default_value_t = crate::wire::DEFAULT_MAX_BODY)]
    pub max_frame: u32,
    /// Close a connection with no frame for this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub idle_timeout: u64,
    /// Close a connection whose frame does not complete within this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub frame_timeout: u64,
}

impl ChatArgs {
    fn printer(&self, color: ColorChoice) -> Arc<Printer> {
        let show = if self.json {
            Show::Json
        } else if self.quiet {
            Show::Quiet
        } else {
            Show::Full
        };
        let renderer = Renderer::new().color(color.enabled(io::stdout().is_terminal()) && show == Show::Full);
        Arc::new(Printer::new(show, renderer))
    }

    fn limits(&self) -> Limits {
        Limits {
            max_body: self.max_frame,
            idle: Duration::from_secs(self.idle_timeout.max(1)),
            frame: Duration::from_secs(self.frame_timeout.max(1)),
        }
    }

    fn cipher(&self, may_create: bool) -> Result<(Arc<Cipher>, KeyMaterial), CliError> {
        let keys = self.keys.load(may_create)?;
        let cipher = Cipher::new(self.mode, &keys.enc, keys.mac())?;
        Ok((Arc::new(cipher), keys))
    }
}

/// `cryptolab serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub chat: ChatArgs,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 5550, env = "CRYPTOLAB_PORT")]
    pub port: u16,
    /// Reply to every message with the same text (for scripts, labs, benchmarks).
    #[arg(long)]
    pub echo: bool,
    /// INSECURE, for the padding-oracle lab (cbc/ecb only): tell each client
    /// whether its frame was accepted, or why not — bad padding included.
    #[arg(long)]
    pub leak_padding_errors: bool,
}

/// `cryptolab connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub chat: ChatArgs,
    /// Server host.
    #[arg(default_value = "127.0.0.1")]
    pub host: String,
    /// Server port.
    #[arg(default_value_t = 5550, env = "CRYPTOLAB_PORT")]
    pub port: u16,
    /// Name sent in the hello frame.
    #[arg(long, default_value = "client")]
    pub name: String,
    /// Send one message, print the reply, exit (0 on success).
    #[arg(long, value_name = "TEXT")]
    pub send: Option<String>,
    /// How long --send waits for the reply, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub timeout: u64,
}

const ENCRYPT_EXAMPLES: &str = "\
Output: the body of the suite — ecb: ct; cbc: iv‖ct; cbc-hmac: iv‖ct‖tag;
gcm: nonce‖ct‖tag. With --iv (cbc only) the IV is not written, as with
`openssl enc -K … -iv …`.

Examples:
  echo 'attack at dawn' | cryptolab encrypt --mode gcm --format hex
  cryptolab encrypt --mode ecb --explain photo.ppm -o photo.ecb
  cryptolab encrypt --mode cbc --key text:'Sixteen byte key' --format base64 msg.txt
  cryptolab encrypt --mode cbc --key 2b7e151628aed2a6abf7158809cf4f3c \\
      --iv 000102030405060708090a0b0c0d0e0f --format hex msg.txt
      (byte for byte what `openssl enc -aes-128-cbc -K … -iv … | xxd -p` prints)";

const DECRYPT_EXAMPLES: &str = "\
Input: the body written by `cryptolab encrypt` in the same --mode and --format
(with --iv for cbc: the ciphertext alone, as openssl writes it).

Examples:
  cryptolab encrypt --mode gcm msg.txt | cryptolab decrypt --mode gcm
  cryptolab decrypt --mode cbc --format hex --explain msg.hex
  openssl enc -aes-128-cbc -K $K -iv $IV -in msg.txt | cryptolab decrypt --mode cbc --key $K --iv $IV";

/// Where keys come from; shared by every command that needs a key.
#[derive(Debug, Args, Clone, Default)]
pub struct KeyArgs {
    /// Read keys from FILE [default: ./cryptolab.key].
    #[arg(long, value_name = "FILE", conflicts_with = "key")]
    pub key_file: Option<PathBuf>,
    /// AES key as hex (32/48/64 digits) or text:LITERAL (16/24/32 characters).
    /// Visible to other users in the process list: prefer a key file.
    #[arg(long, value_name = "HEX|text:…")]
    pub key: Option<String>,
    /// HMAC key for cbc-hmac, hex or text:LITERAL (any length).
    #[arg(long, value_name = "HEX|text:…")]
    pub mac_key: Option<String>,
    /// AES key size for new keys (and checked against given keys).
    #[arg(long, value_parser = parse_bits, value_name = "128|192|256")]
    pub bits: Option<u16>,
}

impl KeyArgs {
    fn spec(&self) -> KeySpec {
        KeySpec {
            key_file: self.key_file.clone(),
            key: self.key.clone(),
            mac_key: self.mac_key.clone(),
            bits: self.bits,
        }
    }

    /// Resolves the keys, telling the user (one line on stderr) if a key
    /// file was created or is readable by others.
    pub fn load(&self, may_create: bool) -> Result<KeyMaterial, CliError> {
        let (keys, origin) = self.spec().resolve(may_create)?;
        match origin {
            KeyOrigin::Created(path) => eprintln!(
                "created key file {} (AES-{} + HMAC-SHA256 keys, fingerprint {}, mode 0600)",
                path.display(),
                keys.bits(),
                keys.fingerprint()
            ),
            KeyOrigin::File(path) if keys::is_too_open(&path) => eprintln!(
                "warning: key file {} is readable by other users; run `chmod 600 {}`",
                path.display(),
                path.display()
            ),
            _ => {}
        }
        Ok(keys)
    }
}

fn parse_bits(s: &str) -> Result<u16, String> {
    match s {
        "128" | "192" | "256" => Ok(s.parse().expect("matched digits")),
        _ => Err(format!("'{s}' is not an AES key size (expected 128, 192 or 256)")),
    }
}

/// `cryptolab tour`.
#[derive(Debug, Args)]
pub struct TourArgs {
    /// Derive demo keys and IVs from this seed: the same bytes every run
    /// (and ./cryptolab.key is neither read nor created).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// `cryptolab keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// AES key size.
    #[arg(long, value_parser = parse_bits, default_value = "128", value_name = "128|192|256")]
    pub bits: u16,
    /// Where to write the key file.
    #[arg(long, short, value_name = "FILE", default_value = keys::DEFAULT_KEY_FILE)]
    pub out: PathBuf,
    /// Replace an existing file (its old key is lost).
    #[arg(long)]
    pub force: bool,
}

/// How ciphertext is written (encrypt) or read (decrypt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Bytes as they are.
    Raw,
    /// Lower-case hex, one line (whitespace ignored on input, so `xxd -p` output reads back).
    Hex,
    /// Standard base64 with padding, one line (whitespace ignored on input).
    Base64,
}

/// `cryptolab encrypt` / `cryptolab decrypt`.
#[derive(Debug, Args)]
pub struct CryptArgs {
    /// The cipher suite.
    #[arg(long, short, value_enum, default_value = "gcm")]
    pub mode: Suite,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub keys: KeyArgs,
    /// Fixed IV, 32 hex digits (cbc only) — INSECURE, for reproducing
    /// textbook vectors and openssl output; the IV is then not part of the output.
    #[arg(long, value_name = "HEX")]
    pub iv: Option<String>,
    /// Encoding of the ciphertext.
    #[arg(long, short, value_enum, default_value = "raw")]
    pub format: Format,
    /// Also show the annotated dump of what was produced (on stderr).
    #[arg(long)]
    pub explain: bool,
    /// With --explain: the dump as JSON lines instead of text.
    #[arg(long, requires = "explain")]
    pub json: bool,
    /// Write the result to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Input file; stdin when absent or `-`.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let color = cli.color;
    match cli.command {
        Command::Tour(args) => tour(&args, color),
        Command::Keygen(args) => keygen(&args),
        Command::Encrypt(args) => encrypt(&args, color),
        Command::Decrypt(args) => decrypt(&args, color),
        Command::Serve(args) => serve(&args, color),
        Command::Connect(args) => connect(&args, color),
        Command::Bench(args) => bench(&args),
        Command::Classical(args) => classical(&args, color),
        Command::Demo(args) => demo(&args, color),
        Command::Proxy(args) => proxy(&args, color),
    }
}

fn proxy(args: &ProxyArgs, color: ColorChoice) -> Result<(), CliError> {
    let upstream = args.upstream.clone().unwrap_or_else(|| {
        let port = std::env::var("CRYPTOLAB_PORT").ok().and_then(|p| p.parse::<u16>().ok()).unwrap_or(5550);
        format!("127.0.0.1:{port}")
    });
    let rules = args
        .tamper
        .iter()
        .map(|r| r.parse())
        .collect::<Result<Vec<crate::net::rules::Rule>, _>>()
        .map_err(|e| CliError::usage(e.to_string(), "see `cryptolab proxy --help` for the rule forms"))?;
    let show = if args.json {
        Show::Json
    } else if args.quiet {
        Show::Quiet
    } else {
        Show::Full
    };
    let renderer = Renderer::new().color(color.enabled(io::stdout().is_terminal()) && show == Show::Full);
    let printer = Arc::new(Printer::new(show, renderer));
    block_on(async {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.listen));
        let listener = crate::net::server::listen(addr).map_err(|e| {
            CliError::usage(
                format!("cannot listen on {addr}: {e}"),
                "choose another --listen port (0 picks a free one)",
            )
        })?;
        let local = listener.local_addr()?;
        printer.event("listening", &format!("proxy listening on {local}, forwarding to {upstream}"));
        for rule in &rules {
            printer.event("rule", &format!("tamper rule: {rule}"));
        }
        let opts =
            crate::net::proxy::ProxyOptions { upstream: upstream.clone(), rules, limits: Limits::default() };
        crate::net::proxy::proxy(listener, opts, printer).await?;
        Ok(())
    })
}

fn demo(args: &DemoArgs, color: ColorChoice) -> Result<(), CliError> {
    use crate::attacks::{bitflip, ecb_image, hmac, padding_oracle, replay};

    if let Demo::EcbImage(image_args) = &args.demo {
        // This demo has its own --seed and writes files; it reports on its own.
        let mut out = io::stdout().lock();
        ecb_image::run(image_args, &mut out, color.enabled(io::stdout().is_terminal())).map_err(
            |e| match e.io_kind() {
                Some(kind) => CliError::from(io::Error::new(kind, e.to_string())),
                None => {
                    let hint = e.hint();
                    CliError::usage(e.to_string(), hint)
                }
            },
        )?;
        out.flush()?;
        return Ok(());
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
    )?;
    match &args.demo {
        Demo::Bitflip { target } => {
            let plan = bitflip::Plan::new(target).map_err(|e| {
                CliError::usage(
                    e.to_string(),
                    "choose a role of 1–9 ASCII characters without `;` or `=`, e.g. --target admin",
                )
            })?;
            bitflip::narrate(&mut out, &renderer, &keys, &plan, &mut rng)?;
        }
        Demo::Hmac => hmac::narrate(&mut out, &renderer, &keys, seed)?,
        Demo::PaddingOracle { target: Some(target), frame: Some(frame), .. } => {
            live_padding_oracle(&mut out, &renderer, target, frame)?
        }
        Demo::PaddingOracle { message, .. } => {
            let live = io::stderr().is_terminal();
            padding_oracle::narrate(&mut out, &renderer, &keys, message.as_bytes(), &mut rng, live)?
        }
        Demo::Replay => replay::narrate(&mut out, &renderer, &keys, seed)?,
        Demo::EcbImage(_) => unreachable!("handled above"),
    }
    out.flush()?;
    Ok(())
}

/// The padding-oracle attack against a live leaky server, on a captured frame.
fn live_padding_oracle(
    out: &mut dyn Write,
    r: &Renderer,
    target: &str,
    frame_hex: &str,
) -> Result<(), CliError> {
    use crate::attacks::padding_oracle;
    use crate::net::oracle::RemoteOracle;

    let frame = decode(frame_hex.as_bytes(), Format::Hex)?;
    let (header, body) = crate::wire::decode_frame(&frame, crate::wire::DEFAULT_MAX_BODY).map_err(|e| {
        CliError::usage(format!("--frame is not a whole frame: {e}"), "copy the frame's full hex")
    })?;
    if header.suite != Suite::Cbc {
        return Err(CliError::usage(
            format!("--frame is a {} frame", header.suite),
            "the padding oracle attacks cbc; authenticated suites give no padding signal",
        ));
    }
    let mut oracle = RemoteOracle::connect(target, Suite::Cbc).map_err(|e| CliError {
        what: format!("cannot reach {target}: {e}"),
        hint: Some("is `cryptolab serve --mode cbc --leak-padding-errors` running there?".into()),
        code: crate::error::EXIT_FAILURE,
        io_kind: None,
    })?;
    writeln!(
        out,
        "Live padding oracle against {target}: frame seq {} ({} bytes), no key.",
        header.seq,
        frame.len()
    )?;
    let mut failure = None;
    let result = padding_oracle::attack(
        body,
        |forged| match oracle.ask(forged) {
            Ok(answer) => answer,
            Err(e) => {
                failure.get_or_insert(e);
                false
            }
        },
        |_| {},
    );
    if let Some(e) = failure {
        return Err(CliError::from(io::Error::other(format!(
            "connection to {target} failed during the attack: {e}"
        ))));
    }
    match result {
        Ok(rec) => {
            let dump = Dump::new("recovered over the network, without the key", &rec.padded)
                .spans(layout::plaintext_spans(rec.message().len(), rec.padded.len()));
            r.render(out, &dump)?;
            writeln!(
                out,
                "  BROKEN recovered \"{}\" with {} queries to the server, {:.1} per byte.",
                String::from_utf8_lossy(rec.message()),
                rec.queries,
                rec.per_byte()
            )?;
        }
        Err(e) => writeln!(out, "  REFUSED {e}")?,
    }
    Ok(())
}

fn classical(args: &crate::classical::ClassicalArgs, color: ColorChoice) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    crate::classical::run(args, &mut out, color.enabled(io::stdout().is_terminal())).map_err(|e| match e
        .io_kind()
    {
        Some(kind) => CliError::from(io::Error::new(kind, e.to_string())),
        None => {
            let hint = e.hint();
            CliError::usage(e.to_string(), hint)
        }
    })?;
    out.flush()?;
    Ok(())
}

fn bench(args: &BenchArgs) -> Result<(), CliError> {
    let cfg = crate::net::bench::BenchConfig {
        seconds: args.seconds.max(0.1),
        bulk_size: args.bulk_kib as usize * 1024,
        clients: args.clients,
        messages: args.messages,
        exe: std::env::current_exe()?,
    };
    block_on(async {
        let mut report = Vec::new();
        crate::net::bench::run(&cfg, &mut report).await?;
        io::stdout().lock().write_all(&report)?;
        Ok(())
    })
}

/// Runs `fut` on a fresh tokio runtime. The runtime is then shut down without
/// waiting: a task blocked reading the terminal (stdin) must not keep the
/// program alive after the chat has ended.
fn block_on<T>(fut: impl std::future::Future<Output = Result<T, CliError>>) -> Result<T, CliError> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let result = rt.block_on(fut);
    rt.shutdown_background();
    result
}

/// The lines both chat programs print first: the INSECURE banner, if any.
fn chat_banner(printer: &Printer, suite: Suite) {
    if let Some(reason) = suite.insecure_reason() {
        printer.event("insecure", &format!("INSECURE: {reason}"));
    }
}

fn serve(args: &ServeArgs, color: ColorChoice) -> Result<(), CliError> {
    if args.leak_padding_errors && args.chat.mode.is_authenticated() {
        return Err(CliError::usage(
            format!("--leak-padding-errors is for cbc and ecb, not {}", args.chat.mode),
            "the authenticated suites check the tag before the padding: there is nothing to leak",
        ));
    }
    let (cipher, keys) = args.chat.cipher(true)?;
    let printer = args.chat.printer(color);
    block_on(async {
        let listener = crate::net::server::listen((args.bind, args.port).into()).map_err(|e| {
            CliError::usage(
                format!("cannot listen on {}:{}: {e}", args.bind, args.port),
                "choose another --port (0 picks a free one), or stop the program using it",
            )
        })?;
        let addr = listener.local_addr()?;
        chat_banner(&printer, cipher.suite());
        if args.leak_padding_errors {
            printer.event(
                "insecure",
                "INSECURE: --leak-padding-errors tells every client why its frame failed: a padding oracle",
            );
        }
        printer.event(
            "listening",
            &format!(
                "listening on {addr} ({}, AES-{}, key {})",
                cipher.suite(),
                cipher.bits(),
                keys.fingerprint()
            ),
        );
        let opts = ServeOptions {
            cipher,
            echo: args.echo,
            limits: args.chat.limits(),
            console: true,
            seed: None,
            leak_padding: args.leak_padding_errors,
        };
        crate::net::server::serve(listener, opts, printer).await?;
        Ok(())
    })
}

fn connect(args: &ConnectArgs, color: ColorChoice) -> Result<(), CliError> {
    let (cipher, keys) = args.chat.cipher(false)?;
    let printer = args.chat.printer(color);
    let target = format!("{}:{}", args.host, args.port);
    let end = block_on(async {
        let unreachable = |e: String| CliError {
            what: format!("cannot reach {target}: {e}"),
            hint: Some("is `cryptolab serve` running there? check the host and port".into()),
            code: crate::error::EXIT_FAILURE,
            io_kind: None,
        };
        let stream = tokio::time::timeout(Duration::from_secs(10), tokio::net::TcpStream::connect(&target))
            .await
            .map_err(|_| unreachable("no answer within 10 s".into()))?
            .map_err(|e| unreachable(e.to_string()))?;
        chat_banner(&printer, cipher.suite());
        printer.event(
            "connected",
            &format!(
                "connected to {target} ({}, AES-{}, key {})",
                cipher.suite(),
                cipher.bits(),
                keys.fingerprint()
            ),
        );
        let opts = ConnectOptions {
            cipher,
            name: args.name.clone(),
            send: args.send.clone(),
            timeout: Duration::from_secs(args.timeout),
            limits: args.chat.limits(),
            seed: None,
        };
        // A socket error is not stdout's broken pipe (which `main` treats as
        // success): it ends the session with status 1 and says so.
        crate::net::client::connect(stream, opts, printer).await.map_err(|e| CliError {
            what: format!("connection to {target} lost: {e}"),
            hint: Some("the server (or something on the way) closed the connection".into()),
            code: crate::error::EXIT_FAILURE,
            io_kind: None,
        })
    })?;
    match end {
        End::Done => Ok(()),
        End::ClosedWithoutReply => Err(CliError {
            what: format!("{target} closed the connection without replying"),
            hint: Some("the server may have refused the message: see its log".into()),
            code: crate::error::EXIT_FAILURE,
            io_kind: None,
        }),
        End::NoReply(t) => Err(CliError {
            what: format!("no reply from {target} within {} s", t.as_secs()),
            hint: Some("does the server run with --echo? raise --timeout".into()),
            code: crate::error::EXIT_FAILURE,
            io_kind: None,
        }),
        End::Refused(e) => {
            let hint = match &e {
                NetError::SuiteMismatch { .. } => "start both sides with the same --mode",
                NetError::Crypto(_) => {
                    "both sides need the same key: compare the fingerprints they print at start"
                }
                _ => "the server sent something this client cannot accept",
            };
            Err(CliError::usage(e.to_string(), hint))
        }
    }
}

fn tour(args: &TourArgs, color: ColorChoice) -> Result<(), CliError> {
    let renderer = Renderer::new().color(color.enabled(io::stdout().is_terminal()));
    let mut out = io::stdout().lock();
    match args.seed {
        Some(seed) => {
            let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(seed);
            let keys = KeyMaterial::generate(128, &mut rng);
            let origin = format!("demo keys derived from --seed {seed}");
            crate::tour::run(&mut out, &renderer, &keys, &origin, &mut rng, Some(seed))?;
        }
        None => {
            let keys = KeyArgs::default().load(true)?;
            let origin = format!("keys from {}", keys::DEFAULT_KEY_FILE);
            crate::tour::run(&mut out, &renderer, &keys, &origin, &mut rand::rng(), None)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn keygen(args: &KeygenArgs) -> Result<(), CliError> {
    let keys = KeyMaterial::generate(args.bits, &mut rand::rng());
    keys::write_key_file(&args.out, &keys, args.force)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "wrote {} (AES-{} key + HMAC-SHA256 key, fingerprint {}, mode 0600)",
        args.out.display(),
        args.bits,
        keys.fingerprint()
    )?;
    Ok(())
}

/// Builds the cipher, warning on stderr when the suite is INSECURE.
fn cipher_for(args: &CryptArgs, may_create: bool) -> Result<(Cipher, KeyMaterial), CliError> {
    let keys = args.keys.load(may_create)?;
    let cipher = Cipher::new(args.mode, &keys.enc, keys.mac())?;
    if let Some(reason) = args.mode.insecure_reason() {
        eprintln!("warning: INSECURE: {reason}");
    }
    Ok((cipher, keys))
}

/// Parses `--iv`, allowed only for cbc.
fn fixed_iv(args: &CryptArgs) -> Result<Option<[u8; 16]>, CliError> {
    let Some(text) = &args.iv else { return Ok(None) };
    if args.mode != Suite::Cbc {
        return Err(CliError::usage(
            format!("--iv is for --mode cbc only, not {}", args.mode),
            match args.mode {
                Suite::Gcm => "gcm draws a fresh nonce per message: reusing one breaks GCM completely",
                Suite::Ecb => "ecb has no IV",
                _ => "cbc-hmac draws a fresh IV per message; drop --iv",
            },
        ));
    }
    let hint = "give the IV as 32 hex digits (16 bytes), e.g. 000102030405060708090a0b0c0d0e0f";
    let bytes = keys::parse_key_value(text, "--iv").map_err(|e| CliError::usage(e.to_string(), hint))?;
    let iv: [u8; 16] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| CliError::usage(format!("--iv is {} bytes; expected 16", bytes.len()), hint))?;
    eprintln!(
        "warning: INSECURE: a fixed IV (--iv) makes equal messages encrypt equally; use it only to reproduce vectors or openssl output"
    );
    Ok(Some(iv))
}

fn encrypt(args: &CryptArgs, color: ColorChoice) -> Result<(), CliError> {
    let iv = fixed_iv(args)?;
    let input = read_input(args.input.as_deref())?;
    let (cipher, keys) = cipher_for(args, true)?;
    let mut body = Vec::new();
    match iv {
        Some(iv) => cipher.seal_with_iv(&[], &input, &iv, &mut body)?,
        None => cipher.seal_into(&[], &input, &mut rand::rng(), &mut body),
    }
    if args.explain {
        let title = format!(
            "{} body, {} bytes (AES-{}, key {}) for a {}-byte message",
            cipher.suite(),
            body.len(),
            cipher.bits(),
            keys.fingerprint(),
            input.len()
        );
        let dump = Dump::new(title, &body).spans(layout::body_spans(cipher.suite(), 0, body.len()));
        explain(&dump, args.json, color)?;
    }
    // With a fixed IV the IV travels out of band, as with `openssl enc -iv`.
    let output = if iv.is_some() { &body[16..] } else { &body[..] };
    write_output(args.out.as_deref(), &encode(output, args.format))
}

fn decrypt(args: &CryptArgs, color: ColorChoice) -> Result<(), CliError> {
    let iv = fixed_iv(args)?;
    let raw = read_input(args.input.as_deref())?;
    let mut body = decode(&raw, args.format)?;
    if let Some(iv) = iv {
        body.splice(0..0, iv);
    }
    let (cipher, keys) = cipher_for(args, false)?;
    let mut plain = Vec::new();
    let result = cipher.open_into(&[], &body, &mut plain);
    if args.explain {
        let title = format!(
            "{} body, {} bytes (AES-{}, key {})",
            cipher.suite(),
            body.len(),
            cipher.bits(),
            keys.fingerprint()
        );
        let dump = Dump::new(title, &body).spans(layout::body_spans(cipher.suite(), 0, body.len()));
        explain(&dump, args.json, color)?;
        if let Ok(len) = result {
            let title = match plain.len() - len {
                0 => format!("plaintext, {len} bytes"),
                pad => format!("plaintext, {len} bytes + {pad} bytes of PKCS#7 padding"),
            };
            let dump = Dump::new(title, &plain).spans(layout::plaintext_spans(len, plain.len()));
            explain(&dump, args.json, color)?;
        }
    }
    let len = result?;
    write_output(args.out.as_deref(), &plain[..len])
}

fn explain(dump: &Dump, json: bool, color: ColorChoice) -> Result<(), CliError> {
    let renderer = Renderer::new().color(color.enabled(io::stderr().is_terminal()));
    let mut err = io::stderr().lock();
    if json {
        renderer.json(&mut err, dump)?
    } else {
        renderer.render(&mut err, dump)?
    }
    Ok(())
}

/// Reads a file (or stdin for `None`/`-`), refusing inputs over [`MAX_INPUT`]
/// before reading them.
pub fn read_input(path: Option<&Path>) -> Result<Vec<u8>, CliError> {
    let too_big = |what: String| {
        CliError::usage(
            format!("{what} is larger than the 1 GiB limit"),
            "split the input into smaller files",
        )
    };
    match path {
        None => {
            read_limited(io::stdin().lock(), "stdin").map_err(|e| e.unwrap_or_else(|| too_big(name_of(path))))
        }
        Some(p) if p.as_os_str() == "-" => {
            read_limited(io::stdin().lock(), "stdin").map_err(|e| e.unwrap_or_else(|| too_big(name_of(path))))
        }
        Some(p) => {
            let unreadable = |err: io::Error| {
                CliError::usage(
                    format!("cannot read input file {}: {err}", p.display()),
                    "check the path and its permissions",
                )
            };
            let meta = fs::metadata(p).map_err(unreadable)?;
            if meta.is_dir() {
                return Err(unreadable(io::Error::other("it is a directory")));
            }
            if meta.len() > MAX_INPUT {
                return Err(too_big(format!("input file {}", p.display())));
            }
            let file = fs::File::open(p).map_err(unreadable)?;
            read_limited(file, &p.display().to_string())
                .map_err(|e| e.unwrap_or_else(|| too_big(name_of(path))))
        }
    }
}

fn name_of(path: Option<&Path>) -> String {
    match path {
        Some(p) if p.as_os_str() != "-" => format!("input file {}", p.display()),
        _ => "stdin".into(),
    }
}

/// Reads at most [`MAX_INPUT`] bytes; `Err(None)` means the limit was exceeded.
fn read_limited(reader: impl Read, name: &str) -> Result<Vec<u8>, Option<CliError>> {
    let mut buf = Vec::new();
    reader
        .take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .map_err(|err| Some(CliError::usage(format!("cannot read {name}: {err}"), "check the input")))?;
    if buf.len() as u64 > MAX_INPUT { Err(None) } else { Ok(buf) }
}

fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<(), CliError> {
    match path {
        Some(p) => fs::write(p, bytes).map_err(|err| CliError {
            what: format!("cannot write {}: {err}", p.display()),
            hint: Some("check the directory exists and is writable".into()),
            ..CliError::from(err)
        }),
        None => {
            let mut out = io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// Encodes ciphertext for output; text formats end with a newline.
pub fn encode(bytes: &[u8], format: Format) -> Vec<u8> {
    match format {
        Format::Raw => bytes.to_vec(),
        Format::Hex => format!("{}\n", hex::encode(bytes)).into_bytes(),
        Format::Base64 => {
            format!("{}\n", base64::engine::general_purpose::STANDARD.encode(bytes)).into_bytes()
        }
    }
}

/// Decodes ciphertext input; whitespace is ignored in the text formats.
pub fn decode(input: &[u8], format: Format) -> Result<Vec<u8>, CliError> {
    let text = || -> Vec<u8> { input.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect() };
    match format {
        Format::Raw => Ok(input.to_vec()),
        Format::Hex => hex::decode(text()).map_err(|e| {
            CliError::usage(
                format!("input is not hex: {e}"),
                "pass the ciphertext as hex digits, or use --format raw|base64",
            )
        }),
        Format::Base64 => base64::engine::general_purpose::STANDARD.decode(text()).map_err(|e| {
            CliError::usage(
                format!("input is not base64: {e}"),
                "pass the ciphertext as base64, or use --format raw|hex",
            )
        }),
    }
}
