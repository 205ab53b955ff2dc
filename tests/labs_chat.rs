//! Runs the worksheets that start servers (cryptolab's, or the Python
//! classroom programs in `tests/peers/`) (listed in `tests/labs.rs`): every `$ cryptolab …` line in a
//! ```` ```console ```` block is executed from the repository root. A line
//! ending in ` &` starts a server in the background (stopped when the next
//! server starts, or at the end); any other line runs to completion and its
//! output must match the lines under it — `...` skips lines, `[..]` skips the
//! rest of a line, `? N` gives the expected exit code. All commands get a free
//! port through `CRYPTOLAB_PORT`, so a worksheet cannot drift from the program.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use std::time::{Duration, Instant};

struct Step {
    command: String,
    status: i32,
    expected: Vec<String>,
}

fn steps(markdown: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut in_console = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_console = line.trim() == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            steps.push(Step { command: cmd.to_string(), status: 0, expected: Vec::new() });
        } else if let (Some(code), Some(step)) = (line.strip_prefix("? "), steps.last_mut()) {
            step.status = code.trim().parse().expect("exit code");
        } else if let Some(step) = steps.last_mut() {
            step.expected.push(line.to_string());
        }
    }
    steps
}

fn line_matches(pattern: &str, line: &str) -> bool {
    match pattern.split_once("[..]") {
        None => pattern == line,
        Some((head, tail)) => {
            line.starts_with(head) && line.len() >= head.len() && line_matches_tail(tail, &line[head.len()..])
        }
    }
}

fn line_matches_tail(pattern: &str, rest: &str) -> bool {
    if pattern.is_empty() {
        return true;
    }
    (0..=rest.len()).filter(|&i| rest.is_char_boundary(i)).any(|i| line_matches(pattern, &rest[i..]))
}

/// Matches output lines against expected lines with `...` wildcards.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => (0..=actual.len()).any(|i| matches(rest, &actual[i..])),
        Some((first, rest)) => {
            !actual.is_empty() && line_matches(first, actual[0]) && matches(rest, &actual[1..])
        }
    }
}

/// Free ports standing in for 5550 (server), 5551 (proxy) and 5552 (a
/// browser view's `--web` port).
#[derive(Clone, Copy)]
struct Ports {
    server: u16,
    proxy: u16,
    web: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The command for a worksheet line: `cryptolab …`, or `python3 tests/peers/…`
/// (a classroom program, run by the Python the peer tests use).
fn command(line: &str, ports: Ports) -> Command {
    let words = shlex_split(line.trim_end_matches('&').trim());
    let mut cmd = match words[0].as_str() {
        "cryptolab" => Command::new(env!("CARGO_BIN_EXE_cryptolab")),
        "python3" => Command::new(support::peers::python()),
        other => panic!("worksheets run cryptolab and python3, not {other}"),
    };
    for arg in words.into_iter().skip(1) {
        // A port alone (`5550`) or at the end of an address (`127.0.0.1:5551`).
        let arg = match arg.rsplit_once(':').map_or(("", arg.as_str()), |(h, p)| (h, p)) {
            (head, "5550") => format!("{head}{}{}", if head.is_empty() { "" } else { ":" }, ports.server),
            (head, "5551") => format!("{head}{}{}", if head.is_empty() { "" } else { ":" }, ports.proxy),
            (head, "5552") => format!("{head}{}{}", if head.is_empty() { "" } else { ":" }, ports.web),
            _ => arg,
        };
        cmd.arg(arg);
    }
    cmd.env("CRYPTOLAB_PORT", ports.server.to_string())
        .env("CRYPTOLAB_PROXY_PORT", ports.proxy.to_string())
        .env("NO_COLOR", "1");
    cmd
}

/// A small shell-words splitter: spaces separate, double quotes group.
fn shlex_split(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

fn start_background(line: &str, ports: Ports) -> Child {
    let mut child = command(line, ports)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("listening on") || line.starts_with("LISTENING ") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(10)).unwrap_or_else(|_| panic!("`{line}` did not start listening"));
    child
}

fn stop(background: &mut Vec<Child>) {
    for mut c in background.drain(..) {
        let _ = c.kill();
        let _ = c.wait();
    }
}

fn run_worksheet(path: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let steps = steps(&text);
    assert!(steps.len() >= 4, "{path} has its commands");
    // Killed on the way out, a failed step included: a server left running
    // would hold the test's inherited file descriptors open.
    let mut guard = Background(Vec::new());
    let background = &mut guard.0;
    let mut ports = Ports { server: free_port(), proxy: free_port(), web: free_port() };
    for step in &steps {
        if step.command.ends_with('&') {
            if step.command.starts_with("cryptolab serve")
                || step.command.starts_with("cryptolab challenge serve")
                || step.command.contains(" server ")
            {
                stop(background);
                ports = Ports { server: free_port(), proxy: free_port(), web: free_port() };
            }
            background.push(start_background(&step.command, ports));
            continue;
        }
        let start = Instant::now();
        let out = command(&step.command, ports).stdin(Stdio::null()).output().unwrap();
        assert!(start.elapsed() < Duration::from_secs(15));
        let combined =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let lines: Vec<&str> = combined.lines().collect();
        assert_eq!(out.status.code(), Some(step.status), "{path}\n$ {}\n{combined}", step.command);
        assert!(
            matches(&step.expected, &lines),
            "{path}\n$ {}\n--- expected ---\n{}\n--- got ---\n{combined}",
            step.command,
            step.expected.join("\n")
        );
    }
    stop(background);
}

struct Background(Vec<Child>);

impl Drop for Background {
    fn drop(&mut self) {
        stop(&mut self.0);
    }
}

#[test]
fn lab_19_browser_view() {
    run_worksheet("labs/19-browser-view.md");
}

#[test]
fn lab_02_chat() {
    run_worksheet("labs/02-chat.md");
}

#[test]
fn lab_09_proxy() {
    run_worksheet("labs/09-proxy.md");
}

#[test]
fn lab_17_key_exchange() {
    run_worksheet("labs/17-key-exchange.md");
}

#[test]
fn lab_10_classroom_formats() {
    run_worksheet("labs/10-classroom-formats.md");
}

#[test]
fn matcher_wildcards_work() {
    let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(&e(&["a", "...", "z"]), &["a", "b", "c", "z"]));
    assert!(matches(&e(&["a[..]"]), &["abc"]));
    assert!(matches(&e(&["x [..] y"]), &["x 123 y"]));
    assert!(!matches(&e(&["a", "z"]), &["a", "b", "z"]));
    assert!(!matches(&e(&["x [..] y"]), &["x 123 z"]));
    assert_eq!(shlex_split(r#"a --send "two words" b"#), ["a", "--send", "two words", "b"]);
}

#[test]
fn lab_18_challenges() {
    run_worksheet("labs/18-challenges.md");
}
