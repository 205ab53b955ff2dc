//! `cryptolab challenge …`: the attacks as live servers with a flag per
//! student ([`crate::challenge`]).
//!
//! ```text
//! cryptolab challenge list [--json]                       every challenge, a line each
//! cryptolab challenge serve NAME [--port P] [--listen ADDR] [--secret FILE] [--student NAME]
//!                              [--authenticated] [--delay-ms MS] [--quiet]
//! cryptolab challenge solve NAME [--target HOST:PORT] [--student NAME]
//! cryptolab challenge check NAME --student NAME FLAG [--secret FILE]
//! cryptolab challenge hint NAME [N]
//! ```

use std::io::{self, Write};
use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::{CliError, Term, block_on};
use crate::challenge::{self, Challenge, Secret, flag};

const CHALLENGE_EXAMPLES: &str = "\
A challenge is an attack's victim as a TCP server with a line protocol
(docs/CHALLENGES.md): attack it with your own script, any language, plain
sockets. What it protects holds a flag for you alone.

Examples:
  cryptolab challenge list
  cryptolab challenge serve padding-oracle --student alice
  cryptolab challenge hint padding-oracle 1
  cryptolab challenge check padding-oracle --student alice 'cryptolab{padding-oracle:…}'
  cryptolab challenge solve padding-oracle --student alice   the built-in solution, for after";

/// `cryptolab challenge …`.
#[derive(Debug, Args)]
#[command(after_help = CHALLENGE_EXAMPLES)]
pub struct ChallengeArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ChallengeCommand,
}

/// The commands under `cryptolab challenge`.
#[derive(Debug, Subcommand)]
pub enum ChallengeCommand {
    /// Every challenge, a line each: difficulty, default port, what it teaches
    List(ListArgs),
    /// Run a challenge's server (one task per connection, bounded)
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// The built-in solution against a running server, narrated (try your own first)
    Solve(SolveArgs),
    /// Check a flag offline, from the instructor secret
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// A ladder of hints, gentlest first
    #[command(
        after_help = "Examples:\n  cryptolab challenge hint cbc-bitflip\n  cryptolab challenge hint cbc-bitflip 3"
    )]
    Hint(HintArgs),
}

const SERVE_EXAMPLES: &str = "\
Without --student, each connection first sends `student NAME` (one server
for a class); with it, every connection protects that student's flag.

Examples:
  cryptolab challenge serve ecb-byte-at-a-time --student alice
  cryptolab challenge serve padding-oracle --port 0 --secret class.secret
  cryptolab challenge serve padding-oracle --authenticated   the variant that refuses the attack
  cryptolab challenge serve padding-oracle --web 8080   watch the requests in a browser";

const CHECK_EXAMPLES: &str = "\
Exit status 0 when the flag is right, 1 when it is wrong (it never says
which part differs), 2 for bad usage.

Example:
  cryptolab challenge check cbc-bitflip --student alice --secret class.secret 'cryptolab{cbc-bitflip:…}'";

/// Arguments of `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// One JSON object per line: {"name","difficulty","port","concept","authenticated_variant"}
    #[arg(long)]
    pub json: bool,
}

/// The instructor secret file.
#[derive(Debug, Args)]
pub struct SecretArg {
    /// The instructor secret: 64 hex digits, mode 0600 (created by serve if missing)
    #[arg(long, value_name = "FILE", default_value = flag::DEFAULT_SECRET_FILE)]
    pub secret: PathBuf,
}

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The challenge (challenge list names them)
    #[arg(value_parser = parse_challenge)]
    pub name: &'static Challenge,
    /// Port to listen on [default: the challenge's own, see list; 0: any free port]
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to listen on; anything but loopback is open to the network
    #[arg(long, default_value = "127.0.0.1")]
    pub listen: IpAddr,
    /// The secret file.
    #[command(flatten)]
    pub secret: SecretArg,
    /// Protect this student's flag on every connection (else each sends `student NAME`)
    #[arg(long, value_name = "NAME", value_parser = parse_student)]
    pub student: Option<String>,
    /// The authenticated variant (a MAC, a fresh nonce, a constant-time compare), which refuses the attack
    #[arg(long)]
    pub authenticated: bool,
    /// timing-leak only, INSECURE: the delay per matching tag byte, in ms [default: 50]
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub delay_ms: Option<u64>,
    /// No line per connection
    #[arg(long)]
    pub quiet: bool,
    /// Stream every connection, request and answer to the browser view on
    /// this port (flags shown with their tag hidden); serves the page if no
    /// view is there yet
    #[arg(long, value_name = "PORT")]
    pub web: Option<u16>,
}

/// Arguments of `solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// The challenge.
    #[arg(value_parser = parse_challenge)]
    pub name: &'static Challenge,
    /// The server [default: 127.0.0.1 and the challenge's own port]
    #[arg(long, value_name = "HOST:PORT")]
    pub target: Option<String>,
    /// Send `student NAME` first (needed unless the server runs with --student)
    #[arg(long, value_name = "NAME", value_parser = parse_student)]
    pub student: Option<String>,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The challenge.
    #[arg(value_parser = parse_challenge)]
    pub name: &'static Challenge,
    /// Whose flag it should be
    #[arg(long, value_name = "NAME", value_parser = parse_student)]
    pub student: String,
    /// The flag, cryptolab{…}
    pub flag: String,
    /// The secret file.
    #[command(flatten)]
    pub secret: SecretArg,
}

/// Arguments of `hint`.
#[derive(Debug, Args)]
pub struct HintArgs {
    /// The challenge.
    #[arg(value_parser = parse_challenge)]
    pub name: &'static Challenge,
    /// Which hint, from 1 [default: 1]
    #[arg(value_name = "N")]
    pub n: Option<usize>,
}

fn parse_challenge(s: &str) -> Result<&'static Challenge, String> {
    challenge::find(s).ok_or_else(|| format!("no challenge `{s}`; the challenges are {}", challenge::names()))
}

fn parse_student(s: &str) -> Result<String, String> {
    flag::check_student(s).map(str::to_string).map_err(|e| e.to_string())
}

/// The port a challenge listens on by default: 7100 and up, in list order.
pub fn default_port(c: &Challenge) -> u16 {
    let index = challenge::CHALLENGES.iter().position(|x| x.name == c.name).unwrap_or(0);
    7100 + index as u16
}

/// Runs `cryptolab challenge …`.
pub(super) fn challenge(args: &ChallengeArgs, term: Term) -> Result<(), CliError> {
    match &args.command {
        ChallengeCommand::List(a) => list(a),
        ChallengeCommand::Serve(a) => serve(a),
        ChallengeCommand::Solve(a) => solve(a, term.columns()),
        ChallengeCommand::Check(a) => check(a),
        ChallengeCommand::Hint(a) => hint(a),
    }
}

#[derive(Serialize)]
struct ListJson<'a> {
    name: &'a str,
    difficulty: u8,
    port: u16,
    concept: &'a str,
    authenticated_variant: bool,
}

fn list(args: &ListArgs) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    let mut s = String::new();
    let name_width = challenge::CHALLENGES.iter().map(|c| c.name.len()).max().unwrap_or(9);
    if !args.json {
        s.push_str(&format!(
            "{:<w$} {:<5} {:<5} what it teaches\n",
            "challenge",
            "level",
            "port",
            w = name_width
        ));
    }
    for c in challenge::CHALLENGES {
        if args.json {
            let row = ListJson {
                name: c.name,
                difficulty: c.difficulty,
                port: default_port(c),
                concept: c.concept,
                authenticated_variant: c.has_authenticated,
            };
            s.push_str(&serde_json::to_string(&row).expect("strings and numbers serialise"));
            s.push('\n');
        } else {
            // The last column wraps under itself.
            let head = format!(
                "{:<w$} {:<5} {:<5} ",
                c.name,
                "*".repeat(c.difficulty as usize),
                default_port(c),
                w = name_width
            );
            let indent = " ".repeat(head.len());
            let concept = crate::render::wrap(c.concept, 80, &indent);
            s.push_str(&head);
            s.push_str(&concept[indent.len()..]);
            s.push('\n');
        }
    }
    if !args.json {
        s.push_str("level: * first steps, ** some work, *** hard. cryptolab challenge hint NAME\n");
    }
    out.write_all(s.as_bytes()).map_err(CliError::output)
}

fn secret_error(e: flag::FlagError) -> CliError {
    match &e {
        flag::FlagError::Io { err, .. } if err.kind() == io::ErrorKind::NotFound => CliError::usage(
            e.to_string(),
            "use the --secret file the servers ran with (serve creates it on first use)",
        ),
        flag::FlagError::Io { .. } => {
            CliError::failure(e.to_string(), "check the file's permissions and the directory")
        }
        flag::FlagError::Malformed { .. } | flag::FlagError::Student { .. } => CliError::usage(
            e.to_string(),
            "a secret file holds 64 hex digits; serve creates one if it is missing",
        ),
    }
}

fn serve(args: &ServeArgs) -> Result<(), CliError> {
    let c = args.name;
    if args.authenticated && !c.has_authenticated {
        return Err(CliError::usage(
            format!("{} has no authenticated variant", c.name),
            "leave out --authenticated (challenge list --json says which have one)",
        ));
    }
    if args.delay_ms.is_some() && c.name != challenge::timing_leak::NAME {
        return Err(CliError::usage(
            format!("--delay-ms is for timing-leak, not {}", c.name),
            "leave out --delay-ms",
        ));
    }
    let (secret, created) = Secret::load_or_create(&args.secret.secret).map_err(secret_error)?;
    if created {
        println!(
            "note: created the instructor secret {} (mode 0600); `challenge check` needs it",
            args.secret.secret.display()
        );
    } else if crate::keys::is_too_open(&args.secret.secret) {
        eprintln!(
            "warning: {} is readable by other users, who could make every flag; run `chmod 600 {}`",
            args.secret.secret.display(),
            args.secret.secret.display()
        );
    }
    if !args.listen.is_loopback() {
        eprintln!(
            "warning: listening on {}, not loopback: anyone who can reach this machine can attack it",
            args.listen
        );
    }
    let port = args.port.unwrap_or_else(|| default_port(c));
    block_on(async move {
        let events = match args.web {
            None => None,
            Some(port) => {
                let attached = crate::web::attach(port, "challenge").await.map_err(|e| {
                    CliError::usage(
                        e.to_string(),
                        "choose another --web port, or start the view first: cryptolab web --port PORT",
                    )
                })?;
                println!("{}", attached.line);
                Some(std::sync::Arc::new(crate::events::Events::new().with(attached.observer)))
            }
        };
        let config = challenge::server::Config {
            challenge: c,
            secret,
            student: args.student.clone(),
            authenticated: args.authenticated,
            delay: args.delay_ms.map(std::time::Duration::from_millis),
            log: if args.quiet { Box::new(|_: &str| {}) } else { Box::new(|line: &str| println!("{line}")) },
            events,
        };
        let listener = crate::net::server::listen((args.listen, port).into()).map_err(|e| {
            CliError::usage(
                format!("cannot listen on {}:{port}: {e}", args.listen),
                "choose another --port (0 picks a free one)",
            )
        })?;
        let addr = listener.local_addr().map_err(|e| CliError::failure(e.to_string(), "try again"))?;
        let whose = match &args.student {
            Some(s) => format!("flags for {s}"),
            None => "each connection sends `student NAME` first".to_string(),
        };
        let variant = if args.authenticated { ", authenticated variant" } else { "" };
        if !args.authenticated {
            println!("INSECURE, on purpose: {}", c.concept);
        }
        println!("challenge {}{variant}: listening on {addr} ({whose})", c.name);
        println!("protocol: one request per line; send `help` for the requests (docs/CHALLENGES.md)");
        let _ = io::stdout().flush();
        challenge::server::serve(listener, config)
            .await
            .map_err(|e| CliError::failure(format!("the challenge server stopped: {e}"), "start it again"))
    })
}

fn solve(args: &SolveArgs, columns: usize) -> Result<(), CliError> {
    let c = args.name;
    let target = args.target.clone().unwrap_or_else(|| format!("127.0.0.1:{}", default_port(c)));
    let unreachable = |e: challenge::SolveError| {
        CliError::failure(
            format!("{}: {e}", target),
            format!("is `cryptolab challenge serve {}` running there?", c.name),
        )
    };
    let mut client =
        challenge::client::Client::connect(&target, args.student.as_deref()).map_err(unreachable)?;
    println!("solving {} at {target} (the built-in solution)", c.name);
    let mut say = |line: &str| {
        println!("{}", crate::render::fit(line, columns));
    };
    match (c.solve)(&mut client, &mut say) {
        Ok(solved) => {
            println!("{} requests in all", solved.requests);
            println!("flag: {}", solved.flag);
            Ok(())
        }
        Err(challenge::SolveError::Refused(why)) => {
            Err(CliError::not_found(why, "the authenticated variant refuses this attack; that is its lesson"))
        }
        Err(challenge::SolveError::Protocol(why)) if why.starts_with("error: send `student") => {
            Err(CliError::usage(why, "pass --student NAME (the server serves a class)"))
        }
        Err(e) => {
            Err(CliError::failure(format!("{target}: {e}"), "check that the server is the challenge named"))
        }
    }
}

fn check(args: &CheckArgs) -> Result<(), CliError> {
    let secret = Secret::load(&args.secret.secret).map_err(secret_error)?;
    if challenge::check(&secret, args.name.name, &args.student, &args.flag) {
        println!("right: that is {}'s flag for {}", args.student, args.name.name);
        Ok(())
    } else {
        Err(CliError::not_found(
            format!("wrong: not {}'s flag for {}", args.student, args.name.name),
            "check the challenge, the student's name and the secret file",
        ))
    }
}

fn hint(args: &HintArgs) -> Result<(), CliError> {
    let c = args.name;
    let n = args.n.unwrap_or(1);
    let total = c.hints.len();
    if n == 0 || n > total {
        return Err(CliError::usage(
            format!("{} has hints 1 to {total}, not {n}", c.name),
            format!("cryptolab challenge hint {} 1", c.name),
        ));
    }
    let text = format!("hint {n} of {total}: {}", c.hints[n - 1]);
    let mut s = crate::render::wrap_hanging(&text, 80, "", "  ");
    s.push('\n');
    if n < total {
        s.push_str(&format!("next: cryptolab challenge hint {} {}\n", c.name, n + 1));
    }
    io::stdout().lock().write_all(s.as_bytes()).map_err(CliError::output)
}
