//! The chat commands — `serve`, `connect`, `proxy`, `bench`: their
//! arguments and the hand-off to [`crate::net`].

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{Args, ValueEnum};
use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc;

use super::Term;
use crate::events::{Detail, Events, Look, Notice, Output, show_text};
use crate::net::Limits;
use crate::net::client::{ConnectOptions, End};
use crate::net::server::ServeOptions;
use crate::profiles::rsa_gcm_json::Identity;
use crate::profiles::{Flow, Format, FormatKeys, Wire};
use crate::session::channel::{NativeKeys, Speak};
use crate::session::handshake;
use crate::suite::{Cipher, Suite};

use super::input::{MAX_KEY_FILE, What, read_file};
use super::{CliError, KeyArgs, block_on, values, warn_if_readable_by_others};

/// `cryptolab bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Seconds per bulk and round-trip measurement (0.1 to 600).
    #[arg(long, default_value_t = 2.0, value_parser = values::parse_bench_seconds)]
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
    /// Run only the plain TCP echo on 127.0.0.1:PORT (the bench starts it as
    /// a process of its own, the baseline beside `serve`).
    #[arg(long, value_name = "PORT", hide = true)]
    pub plain_echo: Option<u16>,
    /// With --plain-echo: run the echo on tokio instead of blocking threads.
    #[arg(long, hide = true, requires = "plain_echo")]
    pub tokio_echo: bool,
    /// Measure only this part.
    #[arg(long, value_enum, value_name = "PART")]
    pub only: Option<crate::net::bench::Part>,
}

pub(super) const SERVE_EXAMPLES: &str = "\
At the server's prompt: a line goes to every client; /to ID text to one;
/list shows who is connected; /help lists these; /quit says goodbye to all
and stops.

Examples:
  cryptolab serve --mode cbc                    (then, elsewhere: cryptolab connect --mode cbc)
  cryptolab serve --mode gcm --echo --quiet     (replies to every message: for scripts)
  cryptolab serve --port 0 --json               (any free port; one JSON object per frame)
  cryptolab serve --wire b64-iv-ct --key 'text:Sixteen byte key' --echo
                                                (be the server a classroom b64-iv-ct client expects)

With --wire in a lock-step format (b64-iv-ct, b64-ecb, rsa-gcm-json), each
client message waits for the next line you type as its reply (or --echo).
--flow one-way takes one message per connection and closes, as one-way
classroom programs do.";

pub(super) const CONNECT_EXAMPLES: &str = "\
Type a line to send it. Lines that start with '/' are commands, never sent:
/quit ends the session (so do the end of input and, for older scripts, the
session's end word typed alone: /help names it), /help lists the commands,
//text sends a line that starts with '/'.

Examples:
  cryptolab connect --mode cbc
  cryptolab connect --mode gcm 192.0.2.10 5550 --key-file lab.key
  cryptolab connect --mode ecb --send 'YELLOW SUBMARINE'   (one message, one reply, exit)
  cryptolab connect --wire len-iv-ct-hmac --key 'text:Sixteen byte key' --mac-key text:secret
  cryptolab connect --wire raw-cbc-static --static-key-file class.key --send hello
  cryptolab connect --wire rsa-gcm-json           (RSA handshake, then GCM + PSS-signed JSON)

--wire formats (docs/PROTOCOL.md) and how their programs end a session:
len-iv-ct-hmac (full duplex; `quit` ends it locally, it is not sent),
b64-iv-ct and b64-ecb (lock-step; `bye` is sent, and a server's `bye` ends
it), rsa-gcm-json (lock-step; no end word), raw-cbc-static (one-way: one
message per connection). --flow one-way|lock-step|full-duplex chooses another:
  cryptolab connect --wire b64-iv-ct --flow one-way --send hi \\
      --key 'text:Sixteen byte key'";

pub(super) const PROXY_EXAMPLES: &str = "\
Frames from the client are numbered from 1: frames 1 and 2 are the
handshake, 3 the hello, 4 the first message (with --static-keys: 1 the
hello, 2 the first message). Rules:
  flip:FRAME:OFFSET:MASK   XOR byte OFFSET (from the frame's first byte) with MASK (hex)
  replay:FRAME             forward the frame, then send it again
  drop:FRAME               do not forward it
  swap:A:B                 hold frame A until frame B has gone
  truncate:FRAME:LEN       forward only its first LEN bytes

Examples (three terminals):
  cryptolab serve --mode cbc
  cryptolab proxy --tamper flip:4:16:01          (listens on 5551, forwards to 5550)
  cryptolab connect --mode cbc 127.0.0.1 5551    (your first message arrives changed)

With --mitm the proxy runs its own key exchange with each side and re-seals
every frame: it reads (and --rewrite changes) everything when both sides run
--anonymous, and both handshakes fail when they hold the key file.
  cryptolab proxy --mitm --rewrite bob=mallory

With --wire FORMAT the proxy numbers each direction's messages from 1 (in
rsa-gcm-json, 1 and 2 are the handshake) and flip offsets count in the bytes
it shows: base64 and JSON decoded, re-encoded after the change.
  cryptolab proxy --wire b64-iv-ct --tamper flip:1:4:08   (IV byte 4: '1' becomes '9')";

/// `cryptolab proxy`.
#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Port to listen on for clients (0: any free port).
    #[arg(long, default_value_t = 5551, env = "CRYPTOLAB_PROXY_PORT", hide_env_values = true)]
    pub listen: u16,
    /// The real server, HOST:PORT [default: 127.0.0.1:5550, or the port in CRYPTOLAB_PORT].
    #[arg(long, value_name = "HOST:PORT", value_parser = values::parse_host_port)]
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
    /// The wire format between client and server (as for serve and connect).
    #[arg(long, value_enum, default_value = "native", value_name = "FORMAT")]
    pub wire: Wire,
    /// Close a proxied connection when the client or the server sends nothing for this many seconds.
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = values::parse_timeout)]
    pub idle_timeout: Duration,
    /// Wait at most this many seconds for the rest of a frame (or message)
    /// whose first bytes have come; then pass on what came, unparsed.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = values::parse_timeout)]
    pub frame_timeout: Duration,
    /// Be a man in the middle, not a wire tap: run a key exchange with each
    /// side, then open, show and re-seal every message (native frames, or
    /// --wire rsa-gcm-json). Wins against --anonymous and against
    /// rsa-gcm-json's unauthenticated keys; the key file makes both fail.
    #[arg(long, conflicts_with = "tamper")]
    pub mitm: bool,
    /// With --mitm: replace FROM with TO in what the client sends (and TO
    /// with FROM in what comes back). Repeatable.
    #[arg(long, value_name = "FROM=TO", requires = "mitm")]
    pub rewrite: Vec<String>,
    /// MiB of messages still arriving that all connections together may
    /// hold; a connection whose next read would go over it is no longer
    /// parsed: its bytes, held and still to come, are passed on unchanged.
    #[arg(long, value_name = "MIB", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub memory_budget: u32,
    /// Lab attack: whoever connects to PORT (e.g. `demo padding-oracle
    /// --target`) has its frames put into the latest client's session, and
    /// gets the server's notices back. Native frames only.
    #[arg(long, value_name = "PORT", conflicts_with_all = ["mitm", "tamper", "wire"])]
    pub oracle_port: Option<u16>,
    /// Show the frames in a browser too: serve the view on 127.0.0.1:PORT,
    /// or stream to the one already there (`cryptolab web`, `serve --web`).
    #[arg(long, value_name = "PORT")]
    pub web: Option<u16>,
}

/// Options shared by the chat commands.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The cipher suite (both sides must agree).
    #[arg(long, short, value_parser = super::values::SuiteParser, default_value = "gcm")]
    pub mode: Suite,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub keys: KeyArgs,
    /// Show only the text of messages, no frame dumps.
    #[arg(long, short, conflicts_with = "json")]
    pub quiet: bool,
    /// The conversation: one line per frame (its title and text), no dumps.
    #[arg(long, short, conflicts_with_all = ["json", "quiet"])]
    pub compact: bool,
    /// One JSON object per frame and per event.
    #[arg(long)]
    pub json: bool,
    /// Largest frame body accepted, in bytes (checked before allocating);
    /// at least 64, what a hello and a short message need.
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = crate::wire::DEFAULT_MAX_BODY,
        value_parser = clap::value_parser!(u32).range(64..)
    )]
    pub max_frame: u32,
    /// Close a connection with no frame for this many seconds.
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = values::parse_timeout)]
    pub idle_timeout: Duration,
    /// Close a connection whose frame does not complete within this many
    /// seconds, or that does not take what is written to it within as long
    /// (a peer that does not read).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = values::parse_timeout)]
    pub frame_timeout: Duration,
    /// Speak a classroom program's wire format instead of cryptolab's frames
    /// (docs/PROTOCOL.md, "Classroom formats"); --mode is then the format's.
    #[arg(long, value_enum, default_value = "native", value_name = "FORMAT")]
    pub wire: Wire,
    /// raw-cbc-static: the 32-byte binary file holding the AES-128 key, then the fixed IV.
    #[arg(long, value_name = "FILE")]
    pub static_key_file: Option<PathBuf>,
    /// rsa-gcm-json: this side's RSA private key, PKCS#8 PEM [default: a fresh RSA-2048 key].
    #[arg(long, value_name = "FILE")]
    pub rsa_key: Option<PathBuf>,
    /// Who speaks when, for a --wire format: one-way (one message per
    /// connection, no reply expected), lock-step (a message, its reply,
    /// repeat) or full-duplex (either side, any time) [default: the format's
    /// own, as its programs do it: docs/PROTOCOL.md].
    #[arg(long, value_enum, value_name = "FLOW")]
    pub flow: Option<FlowArg>,
    /// INSECURE: no handshake — the key file's key seals every frame of every
    /// connection, both ways (replay across connections, reflection, no
    /// forward secrecy). Both sides must use it.
    #[arg(long, conflicts_with = "anonymous")]
    pub static_keys: bool,
    /// INSECURE: the X25519 handshake without the key file — encrypted, but
    /// not authenticated (a man in the middle reads everything). Both sides
    /// must use it; the session key size is --bits (default 128).
    #[arg(long, conflicts_with_all = ["key", "key_file", "mac_key"])]
    pub anonymous: bool,
}

/// `--flow`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowArg {
    /// One message per connection, no reply expected.
    OneWay,
    /// A message, its reply, repeat.
    LockStep,
    /// Either side, any time.
    FullDuplex,
}

impl From<FlowArg> for Flow {
    fn from(f: FlowArg) -> Flow {
        match f {
            FlowArg::OneWay => Flow::OneWay,
            FlowArg::LockStep => Flow::LockStep,
            FlowArg::FullDuplex => Flow::FullDuplex,
        }
    }
}

/// The events hub for `--json` / `--quiet` / full dumps, written to stdout,
/// coloured only for full dumps on a terminal (serve, connect and proxy share it).
fn events(json: bool, quiet: bool, compact: bool, term: Term) -> Arc<Events> {
    let output = output(json, quiet, compact);
    Events::to(output.observer(Box::new(io::stdout()), Look { progress: false, ..term.look() }))
}

/// The output `--json`, `--quiet` and `--compact` choose.
fn output(json: bool, quiet: bool, compact: bool) -> Output {
    if json {
        Output::Json
    } else if quiet {
        Output::Text(Detail::Quiet)
    } else if compact {
        Output::Text(Detail::Conversation)
    } else {
        Output::Text(Detail::Full)
    }
}

/// [`events`], and with `--web PORT` the browser view too: this program
/// becomes the view on 127.0.0.1:PORT, or streams to the one already there.
/// Inside the runtime (the view is served on it).
async fn events_with_web(
    (json, quiet, compact): (bool, bool, bool),
    term: Term,
    web: Option<u16>,
    source: &'static str,
) -> Result<Arc<Events>, CliError> {
    let Some(port) = web else { return Ok(events(json, quiet, compact, term)) };
    let attached = crate::web::attach(port, source).await.map_err(|e| {
        CliError::usage(
            e.to_string(),
            "choose another --web port, or start the view first: cryptolab web --port PORT",
        )
    })?;
    let output = output(json, quiet, compact);
    let hub = Events::new()
        .with(output.observer(Box::new(io::stdout()), Look { progress: false, ..term.look() }))
        .with(attached.observer);
    let hub = Arc::new(hub);
    hub.notice(Notice::Info, attached.line);
    Ok(hub)
}

impl ChatArgs {
    fn events(&self, term: Term) -> Arc<Events> {
        events(self.json, self.quiet, self.compact, term)
    }

    /// The flow: `--flow`, or what `speak` does by default. cryptolab's own
    /// frames are always full duplex.
    fn flow(&self, speak: &Speak) -> Result<Flow, CliError> {
        match (self.flow.map(Flow::from), speak) {
            (None, _) => Ok(speak.flow()),
            (Some(Flow::FullDuplex), Speak::Native { .. }) => Ok(Flow::FullDuplex),
            (Some(f), Speak::Native { .. }) => Err(CliError::usage(
                format!("--flow {} is for the --wire formats", f.name()),
                "cryptolab's own frames are full duplex: drop --flow, or choose a --wire format",
            )),
            (Some(f), Speak::Format { .. }) => Ok(f),
        }
    }

    fn limits(&self) -> Limits {
        Limits { max_body: self.max_frame, idle: self.idle_timeout, frame: self.frame_timeout }
    }

    /// The keys for a classroom format, checked against what it needs.
    fn format_keys(&self, format: Format) -> Result<FormatKeys, CliError> {
        let keys = match format {
            Format::RawCbcStatic => {
                let path = self.static_key_file.as_ref().ok_or_else(|| {
                    CliError::usage(
                        "raw-cbc-static needs --static-key-file FILE",
                        "the file holds 32 bytes: the AES-128 key, then the fixed IV",
                    )
                })?;
                let bytes = read_file(path, 32, What::KeyFile)?;
                let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
                    CliError::usage(
                        format!("{}: {} bytes, raw-cbc-static needs exactly 32", path.display(), b.len()),
                        "16 bytes of AES-128 key, then 16 bytes of IV, binary (not hex)",
                    )
                })?;
                warn_if_readable_by_others(path);
                let (key, iv) = bytes.split_at(16);
                FormatKeys::Aes { key: key.to_vec(), mac: None, iv: Some(iv.try_into().expect("16 bytes")) }
            }
            Format::RsaGcmJson => {
                let identity = match &self.rsa_key {
                    Some(path) => {
                        // The PEM text is the private key: wiped once parsed.
                        let text = String::from_utf8(read_file(path, MAX_KEY_FILE, What::KeyFile)?)
                            .map(zeroize::Zeroizing::new)
                            .map_err(|_| {
                                CliError::usage(
                                    format!("{}: not a text file", path.display()),
                                    "give a PKCS#8 PEM private key",
                                )
                            })?;
                        let identity = Identity::from_pkcs8_pem(&text).map_err(|e| {
                            CliError::usage(
                                format!("{}: {e}", path.display()),
                                "make one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`",
                            )
                        })?;
                        warn_if_readable_by_others(path);
                        identity
                    }
                    None => Identity::generate(&mut rand::rng()),
                };
                FormatKeys::Rsa(Arc::new(identity))
            }
            Format::LenIvCtHmac | Format::B64IvCt | Format::B64Ecb => {
                let keys = self.keys.load(false)?;
                FormatKeys::Aes { key: keys.enc.clone(), mac: keys.mac.clone(), iv: None }
            }
        };
        if let FormatKeys::Aes { .. } = keys {
            crate::profiles::Codec::new(format, &keys).map_err(|e| {
                CliError::usage(
                    e,
                    format!(
                        "the keys must match the program you talk to; see `cryptolab serve --help` for {}",
                        format.name()
                    ),
                )
            })?;
        }
        Ok(keys)
    }

    /// The line saying which keys a format session uses (fingerprints only).
    fn format_key_line(keys: &FormatKeys) -> String {
        match keys {
            FormatKeys::Rsa(me) => format!("RSA-2048 key, fingerprint {}", me.fingerprint()),
            FormatKeys::Aes { key, mac, .. } => {
                let m = crate::keys::KeyMaterial { enc: key.clone(), mac: mac.clone() };
                format!("AES-{} key, fingerprint {}", key.len() * 8, m.fingerprint())
            }
        }
    }

    /// What this side speaks, with its keys, and the words that name them
    /// (`cbc, AES-128, key 626f…` or `b64-iv-ct, AES-128 key 626f…`).
    fn speak(&self, may_create: bool) -> Result<(Speak, String), CliError> {
        match self.wire {
            Wire::Native if self.anonymous => {
                let bits = self.keys.bits.unwrap_or(128);
                let config =
                    handshake::Config { suite: self.mode, psk: None, aes_len: usize::from(bits / 8) };
                let line = format!("{}, AES-{bits}, no key file (--anonymous)", self.mode);
                Ok((Speak::Native { keys: NativeKeys::Handshake(config), seed: None }, line))
            }
            Wire::Native => {
                let keys = self.keys.load(may_create)?;
                let line =
                    format!("{}, AES-{}, key fingerprint {}", self.mode, keys.bits(), keys.fingerprint());
                let native = if self.static_keys {
                    NativeKeys::Static(Arc::new(Cipher::new(self.mode, &keys.enc, keys.mac())?))
                } else {
                    let psk = Some(Arc::new(handshake::Psk::new(&keys)));
                    NativeKeys::Handshake(handshake::Config {
                        suite: self.mode,
                        psk,
                        aes_len: keys.enc.len(),
                    })
                };
                Ok((Speak::Native { keys: native, seed: None }, line))
            }
            Wire::Format(_) if self.static_keys || self.anonymous => Err(CliError::usage(
                "--static-keys and --anonymous are for cryptolab's own frames",
                "a classroom --wire format has its own keys; drop the flag",
            )),
            Wire::Format(format) => {
                let keys = self.format_keys(format)?;
                let line = format!("{}, {}", format.name(), Self::format_key_line(&keys));
                Ok((Speak::Format { format, keys }, line))
            }
        }
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
    #[arg(long, default_value_t = 5550, env = "CRYPTOLAB_PORT", hide_env_values = true)]
    pub port: u16,
    /// Reply to every message with the same text (for scripts, labs, benchmarks).
    #[arg(long)]
    pub echo: bool,
    /// INSECURE, for the padding-oracle lab (cbc/ecb only): tell each client
    /// whether its frame was accepted, or why not — bad padding included.
    #[arg(long)]
    pub leak_padding_errors: bool,
    /// MiB of messages still arriving that all clients together may hold;
    /// a client whose next read would go over it is closed.
    #[arg(long, value_name = "MIB", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub memory_budget: u32,
    /// Show the frames in a browser too: serve the view on 127.0.0.1:PORT,
    /// or stream to the one already there (`cryptolab web`, `proxy --web`).
    #[arg(long, value_name = "PORT")]
    pub web: Option<u16>,
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
    #[arg(default_value_t = 5550, env = "CRYPTOLAB_PORT", hide_env_values = true)]
    pub port: u16,
    /// Name sent in the hello frame.
    #[arg(long, default_value = "client")]
    pub name: String,
    /// Send a message and wait for its reply, then exit (0 on success).
    /// Repeatable: the messages go in order, each after the last one's reply.
    #[arg(long, value_name = "TEXT")]
    pub send: Vec<String>,
    /// How long --send waits for the reply, in seconds.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = values::parse_timeout)]
    pub timeout: Duration,
}

pub(super) fn proxy(args: &ProxyArgs, term: Term) -> Result<(), CliError> {
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
    crate::net::reader::set_budget((args.memory_budget as usize) << 20);
    block_on(async {
        let events = events_with_web((args.json, args.quiet, false), term, args.web, "proxy").await?;
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.listen));
        let listener = crate::net::server::listen(addr).map_err(|e| {
            CliError::usage(
                format!("cannot listen on {addr}: {e}"),
                "choose another --listen port (0 picks a free one)",
            )
        })?;
        let local = listener.local_addr().map_err(no_local_addr)?;
        events.notice(Notice::Listening, format!("proxy listening on {local}, forwarding to {upstream}"));
        for rule in &rules {
            events.notice(Notice::Rule, format!("tamper rule: {rule}"));
        }
        if let Wire::Format(format) = args.wire {
            format_banner(&events, format);
        }
        let limits = Limits { idle: args.idle_timeout, frame: args.frame_timeout, ..Limits::default() };
        let rewrite = args
            .rewrite
            .iter()
            .map(|r| r.parse())
            .collect::<Result<Vec<crate::session::mitm::Rewrite>, _>>()
            .map_err(|e| CliError::usage(format!("--rewrite {e}"), "write --rewrite bob=mallory"))?;
        let mitm = match (args.mitm, args.wire) {
            (false, _) => None,
            (true, Wire::Native) => Some(crate::net::proxy::MitmSpeak::Native),
            (true, Wire::Format(Format::RsaGcmJson)) => {
                // Her own RSA key, one for every connection.
                let keys = FormatKeys::Rsa(Arc::new(Identity::generate(&mut rand::rng())));
                Some(crate::net::proxy::MitmSpeak::Format(Speak::Format { format: Format::RsaGcmJson, keys }))
            }
            (true, Wire::Format(f)) => {
                return Err(CliError::usage(
                    format!("--mitm takes over a key exchange, and {} has none", f.name()),
                    "use --mitm with native frames or --wire rsa-gcm-json; --tamper for the others",
                ));
            }
        };
        if let Some(speak) = &mitm {
            let whose = match speak {
                crate::net::proxy::MitmSpeak::Format(Speak::Format { keys: FormatKeys::Rsa(me), .. }) => {
                    format!("RSA key, fingerprint {}", me.fingerprint())
                }
                crate::net::proxy::MitmSpeak::Native | crate::net::proxy::MitmSpeak::Format(_) => {
                    "X25519 keys".to_string()
                }
            };
            events.notice(Notice::Info, format!("--mitm: key exchanges taken over, with its own {whose}"));
        }
        let oracle = match args.oracle_port {
            None => None,
            Some(port) => {
                let at = std::net::SocketAddr::from(([127, 0, 0, 1], port));
                let l = crate::net::server::listen(at).map_err(|e| {
                    CliError::usage(format!("cannot listen on {at}: {e}"), "choose another --oracle-port")
                })?;
                let local = l.local_addr().map_err(no_local_addr)?;
                events.notice(
                    Notice::Insecure,
                    format!("INSECURE: attackers on {local} are let into the latest session"),
                );
                Some(l)
            }
        };
        let opts = crate::net::proxy::ProxyOptions {
            wire: args.wire,
            upstream,
            rules,
            limits,
            mitm,
            rewrite,
            oracle,
        };
        crate::net::proxy::proxy(listener, opts, events).await.map_err(stopped("the proxy"))?;
        Ok(())
    })
}

/// `cryptolab web`.
#[derive(Debug, Args)]
pub struct WebArgs {
    /// Port to serve the page on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address lets every
    /// machine that can reach it watch every frame: use with care.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub listen: std::net::IpAddr,
}

/// `cryptolab web`'s examples.
pub const WEB_EXAMPLES: &str = "\
The page shows the frames of every program given --web PORT: the first one
to start serves the page (or `cryptolab web` does), the others stream their
events to it, so the proxy's changed bytes and the server's reaction are
side by side. Open the URL it prints in a browser (tested in Chromium and
Firefox).

Its other tabs run demos in the page: the ECB picture (choose your own
image), bit-flipping, the padding oracle step by step, AES round by round
and a hands-on substitution solver — the same code as `cryptolab demo`.

Examples:
  cryptolab web                                    the page on 127.0.0.1:8080
  cryptolab serve --mode cbc --echo --web 8080     the server's frames
  cryptolab proxy --tamper flip:4:20:08 --web 8080 the proxy's, changes marked
  cryptolab connect --mode cbc 127.0.0.1 5551      type: pay 10 to bob
  cryptolab challenge serve cbc-bitflip --web 8080 a class's requests
Then open http://127.0.0.1:8080/; a tab can be linked to: /#ecb /#bitflip
/#oracle /#aes /#solver.";

pub(super) fn web(args: &WebArgs) -> Result<(), CliError> {
    block_on(async {
        let addr = std::net::SocketAddr::new(args.listen, args.port);
        let listener = crate::web::bind(addr).await.map_err(|e| {
            CliError::usage(
                format!("cannot listen on {addr}: {e}"),
                "choose another --port (0 picks a free one)",
            )
        })?;
        let local = listener.local_addr().map_err(no_local_addr)?;
        if !args.listen.is_loopback() {
            eprintln!(
                "warning: the view listens on {local}: anyone who can reach it sees every frame sent to it"
            );
        }
        let site = crate::web::Site { addr: local };
        println!("web view: open {}", site.url());
        println!("  then give --web {} to serve and proxy; Ctrl-C ends it", local.port());
        crate::web::serve(listener, crate::web::Hub::new()).await.map_err(stopped("the web view"))
    })
}

pub(super) fn bench(args: &BenchArgs) -> Result<(), CliError> {
    if let Some(port) = args.plain_echo {
        return crate::net::bench::plain_echo(port, args.tokio_echo).map_err(|e| {
            CliError::usage(format!("cannot listen on 127.0.0.1:{port}: {e}"), "choose another port")
        });
    }
    let cfg = crate::net::bench::BenchConfig {
        seconds: args.seconds,
        bulk_size: args.bulk_kib as usize * 1024,
        clients: args.clients,
        messages: args.messages,
        only: args.only,
        exe: std::env::current_exe().map_err(|e| {
            CliError::failure(
                format!("cannot find this program's own path: {e}"),
                "the bench starts copies of itself; run it from an installed or built binary",
            )
        })?,
    };
    block_on(async {
        // Each table is printed as soon as it is measured; a failed write to
        // standard output (a closed pipe) is told apart from a failed bench.
        let mut out = ReportOut { out: io::stdout().lock(), failed: None };
        let result = crate::net::bench::run(&cfg, &mut out).await;
        if let Some(e) = out.failed {
            return Err(CliError::output(e));
        }
        result.map_err(|e| {
            CliError::failure(
                format!("the benchmark failed: {e}"),
                "it runs servers and clients on 127.0.0.1; with many --clients, raise `ulimit -n`",
            )
        })
    })
}

/// Standard output that remembers its first failure.
struct ReportOut<'a> {
    out: io::StdoutLock<'a>,
    failed: Option<io::Error>,
}

impl io::Write for ReportOut<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf).inspect_err(|e| self.failed = Some(io::Error::new(e.kind(), e.to_string())))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush().inspect_err(|e| self.failed = Some(io::Error::new(e.kind(), e.to_string())))
    }
}

/// The lines a session prints first: INSECURE and why, and a format's weakness.
fn banner(events: &Events, speak: &Speak) {
    match speak {
        Speak::Native { keys, .. } => {
            if let Some(reason) = keys.suite().insecure_reason() {
                events.notice(Notice::Insecure, format!("INSECURE: {reason}"));
            }
            if let Some(reason) = keys.keying().insecure_reason() {
                events.notice(Notice::Insecure, format!("INSECURE: {reason}"));
            }
        }
        Speak::Format { format, .. } => format_banner(events, *format),
    }
}

fn format_banner(events: &Events, format: Format) {
    let spec = format.spec();
    if let Some(reason) = spec.insecure {
        events.notice(Notice::Insecure, format!("INSECURE: {reason}"));
    }
    events.notice(Notice::Weakness, format!("{}: {}", spec.name, spec.weakness));
}

/// What [`stdin_lines`] does with a line over its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overlong {
    /// Skip it with a warning and go on (the server's console).
    Skip,
    /// Stop reading: the channel closes, as at the end of input, and the
    /// returned flag says why (`connect`: the session ends there).
    Stop,
}

/// Lines typed at the terminal, handed to the library as a stream. A line
/// longer than `max` bytes is not sent and not buffered (memory follows the
/// cap, not the input): it is skipped or ends the stream, as `overlong`
/// says. The flag is set when a line ended the stream.
fn stdin_lines(max: usize, overlong: Overlong) -> (mpsc::Receiver<Vec<u8>>, Arc<AtomicBool>) {
    let (tx, rx) = mpsc::channel(64);
    let stopped = Arc::new(AtomicBool::new(false));
    let flag = stopped.clone();
    tokio::spawn(async move {
        let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
        let mut line = Vec::new();
        let mut too_long = false;
        while let Ok(buf) = stdin.fill_buf().await {
            if buf.is_empty() {
                if !line.is_empty() && !too_long {
                    let _ = tx.send(std::mem::take(&mut line)).await;
                }
                break;
            }
            let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(at) => (&buf[..at], Some(at + 1)),
                None => (buf, None),
            };
            if !too_long {
                if line.len() + chunk.len() > max {
                    too_long = true;
                    line.clear();
                    if overlong == Overlong::Stop {
                        // The rest of the line is never read: it may not end.
                        flag.store(true, Ordering::SeqCst);
                        break;
                    }
                } else {
                    line.extend_from_slice(chunk);
                }
            }
            let used = done.unwrap_or(buf.len());
            stdin.consume(used);
            if done.is_some() {
                if too_long {
                    eprintln!("warning: a line over the {max}-byte message limit was not sent");
                } else {
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    if tx.send(std::mem::take(&mut line)).await.is_err() {
                        break;
                    }
                }
                too_long = false;
            }
        }
    });
    (rx, stopped)
}

/// What `connect` prints when it starts, for a person at the keyboard.
pub(super) const CLIENT_HINT: &str =
    "type a line and press Enter to send it; /help for commands; /quit ends the session";

/// The client's `/help`, naming this session's end word (the format's
/// table row says it: [`Speak::end_word`]).
fn client_help(end_word: Option<&str>) -> String {
    let except =
        end_word.map_or(String::new(), |w| format!(", except '{w}' alone, which ends it as /quit does"));
    format!(
        "commands: /quit ends the session (end of input does too); /help shows this; //text sends \
         a line that starts with '/'. Only the server lists clients (/list at its console). \
         Anything else you type is encrypted and sent{except}."
    )
}

/// The lines typed at `connect`, as the session is to get them. A line
/// starting with `/` is a command, never sent as text: `/quit` becomes the
/// session's end word (`end_word`: the format's, or none, where the end of
/// input ends it), `/help` and `/list` are answered here, and `//text`
/// sends `/text`.
fn client_commands(
    mut typed: mpsc::Receiver<Vec<u8>>,
    end_word: Option<&'static str>,
    events: Arc<Events>,
) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        while let Some(line) = typed.recv().await {
            let send = match line.as_slice() {
                b"/quit" => match end_word {
                    Some(word) => Some(word.as_bytes().to_vec()),
                    None => break,
                },
                b"/help" => {
                    events.notice(Notice::Console, client_help(end_word));
                    None
                }
                b"/list" => {
                    events.notice(Notice::Console, "only the server lists its clients: /list at its console");
                    None
                }
                [b'/', b'/', ..] => Some(line[1..].to_vec()),
                [b'/', ..] => {
                    let shown = show_text(&line);
                    events.notice(
                        Notice::Error,
                        format!("unknown command '{shown}', not sent (/help lists them; //text sends /text)"),
                    );
                    None
                }
                _ => Some(line),
            };
            if let Some(line) = send
                && tx.send(line).await.is_err()
            {
                break;
            }
        }
    });
    rx
}

/// `connect` refused a line too long for one message.
fn too_long(what: String) -> CliError {
    CliError::usage(
        format!("{what}; nothing after it was sent"),
        "split it into shorter lines, or raise --max-frame on both sides (the server refuses a longer message)",
    )
}

/// `connect` saw the server close instead of replying; what such a server
/// may be doing (the format's row says).
fn closed_without_reply(target: &str, format: Option<Format>) -> CliError {
    let hint =
        format.map_or("the server may have refused the message: see its log", |f| f.spec().closed_hint);
    CliError::failure(format!("{target} closed the connection without replying"), hint)
}

/// `connect` waited in vain for a reply; why a server of this format may
/// not answer (the format's row says).
fn no_reply_hint(format: Option<Format>) -> &'static str {
    format.map_or("does the server run with --echo? raise --timeout", |f| f.spec().silent_hint)
}

/// `connect --send` waited `t` for a reply in vain.
fn no_reply(target: &str, t: Duration, hint: impl Into<String>) -> CliError {
    CliError::failure(format!("no reply from {target} within {} s", t.as_secs()), hint)
}

/// The address a listener got (for `--port 0`), or why not.
fn no_local_addr(e: io::Error) -> CliError {
    CliError::failure(
        format!("cannot read the address being listened on: {e}"),
        "the system refused to report the listening socket's address; try again",
    )
}

/// A server or proxy that ended with a socket error: a failure, not an output error.
fn stopped(who: &'static str) -> impl FnOnce(io::Error) -> CliError {
    move |e| CliError::failure(format!("{who} stopped: {e}"), "a network error ended it; see the lines above")
}

/// Connects within 10 s, or says why not.
async fn connect_tcp(target: &str) -> Result<tokio::net::TcpStream, CliError> {
    let unreachable = |e: String| {
        CliError::failure(
            format!("cannot reach {target}: {e}"),
            "is the server running there? check the host and port",
        )
    };
    tokio::time::timeout(Duration::from_secs(10), tokio::net::TcpStream::connect(target))
        .await
        .map_err(|_| unreachable("no answer within 10 s".into()))?
        .map_err(|e| unreachable(e.to_string()))
}

pub(super) fn serve(args: &ServeArgs, term: Term) -> Result<(), CliError> {
    let chat = &args.chat;
    if args.leak_padding_errors {
        if chat.wire != Wire::Native {
            return Err(CliError::usage(
                "--leak-padding-errors is for cryptolab's own frames",
                "the classroom formats leak what their programs leak: run the peer server, or drop --wire",
            ));
        }
        if !chat.mode.spec().has_padding_oracle() {
            let leaky: Vec<&str> =
                Suite::ALL.iter().filter(|s| s.spec().has_padding_oracle()).map(|s| s.name()).collect();
            return Err(CliError::usage(
                format!("--leak-padding-errors is for {}, not {}", leaky.join(" and "), chat.mode),
                if chat.mode.spec().padded() {
                    "the authenticated suites check the tag before the padding: there is nothing to leak"
                } else {
                    "a stream mode has no padding: there is nothing to leak"
                },
            ));
        }
    }
    let (speak, key_line) = chat.speak(true)?;
    let flow = chat.flow(&speak)?;
    crate::net::reader::set_budget((args.memory_budget as usize) << 20);
    block_on(async {
        let events = events_with_web((chat.json, chat.quiet, chat.compact), term, args.web, "serve").await?;
        let listener = crate::net::server::listen((args.bind, args.port).into()).map_err(|e| {
            CliError::usage(
                format!("cannot listen on {}:{}: {e}", args.bind, args.port),
                "choose another --port (0 picks a free one), or stop the program using it",
            )
        })?;
        let addr = listener.local_addr().map_err(no_local_addr)?;
        banner(&events, &speak);
        if args.leak_padding_errors {
            events.notice(
                Notice::Insecure,
                "INSECURE: --leak-padding-errors tells every client why its frame failed: a padding oracle",
            );
        }
        events.notice(Notice::Listening, format!("listening on {addr} ({key_line})"));
        let opts = ServeOptions {
            flow,
            speak,
            echo: args.echo,
            limits: chat.limits(),
            leak_padding: args.leak_padding_errors,
        };
        let (console, _) = stdin_lines(chat.max_frame as usize, Overlong::Skip);
        crate::net::server::serve(listener, opts, Some(console), events)
            .await
            .map_err(stopped("the server"))?;
        Ok(())
    })
}

pub(super) fn connect(args: &ConnectArgs, term: Term) -> Result<(), CliError> {
    let chat = &args.chat;
    let (speak, key_line) = chat.speak(false)?;
    let events = chat.events(term);
    let target = format!("{}:{}", args.host, args.port);
    let format = match chat.wire {
        Wire::Native => None,
        Wire::Format(f) => Some(f),
    };
    let flow = chat.flow(&speak)?;
    if args.send.len() > 1 && flow == Flow::OneWay {
        return Err(CliError::usage(
            "a one-way flow sends one message per connection: give --send once",
            "run connect once per message",
        ));
    }
    // Read with a cap a little over the limit: a line just over it still
    // reaches the session, which says exactly how long its message would be.
    let cap = chat.max_frame as usize + 64;
    let mut stopped = None;
    let end = block_on(async {
        let stream = connect_tcp(&target).await?;
        banner(&events, &speak);
        events.notice(Notice::Connected, format!("connected to {target} ({key_line})"));
        let opts = ConnectOptions {
            speak,
            flow,
            name: args.name.clone(),
            script: !args.send.is_empty(),
            timeout: args.timeout,
            limits: chat.limits(),
        };
        let lines = if args.send.is_empty() {
            events.notice(Notice::Console, CLIENT_HINT);
            let end_word = opts.speak.end_word();
            let (lines, flag) = stdin_lines(cap, Overlong::Stop);
            stopped = Some(flag);
            client_commands(lines, end_word, events.clone())
        } else {
            let (tx, rx) = mpsc::channel(args.send.len());
            for text in &args.send {
                let _ = tx.try_send(text.clone().into_bytes());
            }
            rx
        };
        // A socket error is not stdout's broken pipe (which `main` treats as
        // success): it ends the session with status 1 and says so.
        crate::net::client::connect(stream, opts, lines, events).await.map_err(|e| {
            CliError::failure(
                format!("connection to {target} lost: {e}"),
                "the server (or something on the way) closed the connection",
            )
        })
    })?;
    match end {
        End::Done if stopped.is_some_and(|f| f.load(Ordering::SeqCst)) => Err(too_long(format!(
            "a line of more than {cap} bytes is too long to send (--max-frame is {})",
            chat.max_frame
        ))),
        End::Done => Ok(()),
        End::TooLong { len, need, max } => Err(too_long(format!(
            "a {len}-byte line is too long to send: its message would be {need} bytes, over the {max}-byte limit (--max-frame)"
        ))),
        End::ClosedWithoutReply => Err(closed_without_reply(&target, format)),
        End::NoReply(t) => Err(no_reply(&target, t, no_reply_hint(format))),
        End::Refused(e) => {
            let hint = match (e.reason(), format) {
                (crate::net::NetError::Channel(crate::session::channel::ChannelError::Open(o)), _) => {
                    o.hint().to_string()
                }
                (
                    crate::net::NetError::Channel(crate::session::channel::ChannelError::Handshake {
                        error,
                        ..
                    }),
                    _,
                ) => error.hint().to_string(),
                (
                    crate::net::NetError::Channel(crate::session::channel::ChannelError::Format(p)),
                    Some(f),
                ) => p.hint(f),
                (_, Some(f)) => format!("does the server speak {}?", f.name()),
                (_, None) => "the server sent something this client cannot accept".to_string(),
            };
            let what = match format {
                Some(_) => format!("from {target}: {e}"),
                None => e.to_string(),
            };
            Err(CliError::usage(what, hint))
        }
    }
}
