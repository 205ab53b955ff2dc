//! The chat commands — `serve`, `connect`, `proxy`, `bench`: their
//! arguments and the hand-off to [`crate::net`].

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::error::CliError;
use crate::keys::KeyMaterial;
use crate::net::client::{ConnectOptions, End};
use crate::net::server::ServeOptions;
use crate::net::{Limits, NetError, Printer, Show};
use crate::render::{ColorChoice, Renderer};
use crate::suite::{Cipher, Suite};

use super::{KeyArgs, block_on};

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

pub(super) const SERVE_EXAMPLES: &str = "\
At the server's prompt: a line goes to every client; /to ID text to one;
/list shows who is connected; /quit says goodbye to all and stops.

Examples:
  cryptolab serve --mode cbc                    (then, elsewhere: cryptolab connect --mode cbc)
  cryptolab serve --mode gcm --echo --quiet     (replies to every message: for scripts)
  cryptolab serve --port 0 --json               (any free port; one JSON object per frame)";

pub(super) const CONNECT_EXAMPLES: &str = "\
Type a line to send it; `quit` or end of input says goodbye.

Examples:
  cryptolab connect --mode cbc
  cryptolab connect --mode gcm 192.0.2.10 5550 --key-file lab.key
  cryptolab connect --mode ecb --send 'YELLOW SUBMARINE'   (one message, one reply, exit)";

pub(super) const PROXY_EXAMPLES: &str = "\
Frames from the client are numbered from 1 (frame 1 is the hello). Rules:
  flip:FRAME:OFFSET:MASK   XOR byte OFFSET (from the frame's first byte) with MASK (hex)
  replay:FRAME             forward the frame, then send it again
  drop:FRAME               do not forward it
  swap:A:B                 hold frame A until frame B has gone
  truncate:FRAME:LEN       forward only its first LEN bytes

Examples (three terminals):
  cryptolab serve --mode cbc
  cryptolab proxy --tamper flip:2:16:01          (listens on 5551, forwards to 5550)
  cryptolab connect --mode cbc 127.0.0.1 5551    (your first message arrives changed)";

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

/// The printer for `--json` / `--quiet` / full dumps, coloured only for full
/// dumps on a terminal (serve, connect and proxy share it).
fn printer(json: bool, quiet: bool, color: ColorChoice) -> Arc<Printer> {
    let show = if json {
        Show::Json
    } else if quiet {
        Show::Quiet
    } else {
        Show::Full
    };
    let renderer = Renderer::new().color(color.enabled(io::stdout().is_terminal()) && show == Show::Full);
    Arc::new(Printer::new(show, renderer))
}

impl ChatArgs {
    fn printer(&self, color: ColorChoice) -> Arc<Printer> {
        printer(self.json, self.quiet, color)
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

pub(super) fn proxy(args: &ProxyArgs, color: ColorChoice) -> Result<(), CliError> {
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
    let printer = printer(args.json, args.quiet, color);
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

pub(super) fn bench(args: &BenchArgs) -> Result<(), CliError> {
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

/// The lines both chat programs print first: the INSECURE banner, if any.
fn chat_banner(printer: &Printer, suite: Suite) {
    if let Some(reason) = suite.insecure_reason() {
        printer.event("insecure", &format!("INSECURE: {reason}"));
    }
}

pub(super) fn serve(args: &ServeArgs, color: ColorChoice) -> Result<(), CliError> {
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

pub(super) fn connect(args: &ConnectArgs, color: ColorChoice) -> Result<(), CliError> {
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
