//! Runs the worksheets that start servers (listed in `tests/labs.rs`): every `$ cryptolab …` line in a
//! ```` ```console ```` block is executed from the repository root. A line
//! ending in ` &` starts a server in the background (stopped when the next
//! server starts, or at the end); any other line runs to completion and its
//! output must match the lines under it — `...` skips lines, `[..]` skips the
//! rest of a line, `? N` gives the expected exit code. All commands get a free
//! port through `CRYPTOLAB_PORT`, so a worksheet cannot drift from the program.

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

fn args(command: &str) -> Vec<String> {
    shlex_split(command).into_iter().skip(1).collect()
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

fn start_server(command: &str, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .args(args(command.trim_end_matches('&').trim()))
        .env("CRYPTOLAB_PORT", port.to_string())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("listening on") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("server started");
    child
}

#[test]
fn lab_02_chat() {
    let text = std::fs::read_to_string("labs/02-chat.md").unwrap();
    let steps = steps(&text);
    assert!(steps.len() >= 8, "the worksheet has its commands");
    let mut server: Option<Child> = None;
    for step in &steps {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if step.command.ends_with('&') {
            if let Some(mut old) = server.take() {
                let _ = old.kill();
                let _ = old.wait();
            }
            server = Some(start_server(&step.command, port));
            continue;
        }
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
            .args(args(&step.command))
            .env("CRYPTOLAB_PORT", current_port(&server).to_string())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(start.elapsed() < Duration::from_secs(15));
        let combined =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let lines: Vec<&str> = combined.lines().collect();
        assert_eq!(out.status.code(), Some(step.status), "$ {}\n{combined}", step.command);
        assert!(
            matches(&step.expected, &lines),
            "$ {}\n--- expected ---\n{}\n--- got ---\n{combined}",
            step.command,
            step.expected.join("\n")
        );
    }
    if let Some(mut s) = server {
        let _ = s.kill();
        let _ = s.wait();
    }
}

/// The port the running server was started on (read back from its environment).
fn current_port(server: &Option<Child>) -> u16 {
    let child = server.as_ref().expect("a server runs before the first client");
    let environ = std::fs::read(format!("/proc/{}/environ", child.id())).unwrap();
    environ
        .split(|&b| b == 0)
        .find_map(|kv| kv.strip_prefix(b"CRYPTOLAB_PORT="))
        .and_then(|p| std::str::from_utf8(p).ok()?.parse().ok())
        .expect("server has CRYPTOLAB_PORT")
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
