//! The challenge servers, attacked over real TCP: every built-in solution
//! recovers its flag and `challenge check` accepts it; another student's
//! flag and a wrong one are refused; the authenticated variants refuse the
//! same attack; a Python solver written from docs/CHALLENGES.md alone, with
//! only the standard library, solves two of them; bad requests get one
//! error line and the connection stays usable.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cryptolab"));
    c.env("NO_COLOR", "1").env("COLUMNS", "80");
    c
}

fn run(args: &[&str], dir: &Path) -> Output {
    bin().args(args).current_dir(dir).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A running `challenge serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    /// Everything it printed before the port (the banner).
    banner: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(name: &str, dir: &Path, extra: &[&str]) -> Server {
    let child = bin()
        .args(["challenge", "serve", name, "--port", "0", "--secret", "class.secret", "--quiet"])
        .args(extra)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Owned by the guard at once, so a failed assertion still kills it.
    let mut server = Server { child, port: 0, banner: String::new() };
    let mut out = BufReader::new(server.child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "the server ended: {}", server.banner);
        server.banner.push_str(&line);
        if let Some(at) = line.find("listening on 127.0.0.1:") {
            let rest = &line[at + "listening on 127.0.0.1:".len()..];
            server.port = rest.split(' ').next().unwrap().parse().unwrap();
            // Keep reading its output so it never blocks on a full pipe.
            std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
            return server;
        }
    }
}

fn flag_in(text: &str) -> String {
    let line =
        text.lines().find_map(|l| l.strip_prefix("flag: ")).unwrap_or_else(|| panic!("no flag in:\n{text}"));
    line.to_string()
}

fn check(dir: &Path, name: &str, student: &str, flag: &str) -> Output {
    run(&["challenge", "check", name, "--student", student, "--secret", "class.secret", flag], dir)
}

#[test]
fn every_built_in_solution_gets_a_flag_that_check_accepts_and_only_for_its_student() {
    for c in cryptolab::challenge::CHALLENGES {
        let dir = tempfile::tempdir().unwrap();
        let server = serve(c.name, dir.path(), &[]);
        assert!(server.banner.starts_with("note: created the instructor secret class.secret (mode 0600)"));
        assert!(server.banner.contains("each connection sends `student NAME` first"), "{}", server.banner);
        assert!(server.banner.contains("\nINSECURE, on purpose: "), "{}", server.banner);
        let target = format!("127.0.0.1:{}", server.port);
        let o = run(&["challenge", "solve", c.name, "--target", &target, "--student", "alice"], dir.path());
        assert!(o.status.success(), "{}: {}{}", c.name, stdout(&o), stderr(&o));
        let flag = flag_in(&stdout(&o));
        assert!(flag.starts_with(&format!("cryptolab{{{}:", c.name)), "{flag}");
        assert!(stdout(&o).lines().all(|l| l.chars().count() <= 80), "{}", stdout(&o));
        let ok = check(dir.path(), c.name, "alice", &flag);
        assert!(ok.status.success(), "{}: {}", c.name, stderr(&ok));
        assert!(stdout(&ok).starts_with("right: "), "{}", stdout(&ok));
        // Bob's flag is not Alice's, and a changed flag is wrong, saying no more.
        for (student, flag) in [("bob", flag.clone()), ("alice", flag.replace(':', ":0"))] {
            let no = check(dir.path(), c.name, student, &flag);
            assert_eq!(no.status.code(), Some(1), "{}: {}", c.name, stdout(&no));
            assert!(stderr(&no).contains("wrong: not "), "{}", stderr(&no));
        }
        // The secret was created for the class, readable by its owner only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("class.secret")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
    }
}

#[test]
fn the_authenticated_variants_refuse_the_same_attack() {
    let with_variant: Vec<&str> =
        cryptolab::challenge::CHALLENGES.iter().filter(|c| c.has_authenticated).map(|c| c.name).collect();
    assert_eq!(
        with_variant,
        [
            "cbc-bitflip",
            "padding-oracle",
            "ctr-bitflip",
            "length-extension",
            "gcm-nonce-reuse",
            "timing-leak"
        ]
    );
    for name in with_variant {
        let dir = tempfile::tempdir().unwrap();
        let server = serve(name, dir.path(), &["--authenticated", "--student", "alice"]);
        assert!(server.banner.contains("authenticated variant: listening on"), "{}", server.banner);
        assert!(!server.banner.contains("INSECURE"), "{}", server.banner);
        let target = format!("127.0.0.1:{}", server.port);
        let o = run(&["challenge", "solve", name, "--target", &target], dir.path());
        assert_eq!(o.status.code(), Some(1), "{name}: {}{}", stdout(&o), stderr(&o));
        assert!(stderr(&o).contains("REFUSED"), "{name}: {}", stderr(&o));
        assert!(!stdout(&o).contains("flag: "), "{name}: {}", stdout(&o));
    }
}

#[test]
fn a_python_solver_written_from_the_docs_gets_the_flags() {
    for name in ["ecb-byte-at-a-time", "padding-oracle"] {
        let dir = tempfile::tempdir().unwrap();
        let server = serve(name, dir.path(), &[]);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/challenge_solver.py");
        let o = Command::new(support::peers::python())
            .arg(&script)
            .args([name, "127.0.0.1", &server.port.to_string(), "carol"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{name}: {}{}", stdout(&o), stderr(&o));
        let flag = flag_in(&stdout(&o));
        let ok = check(dir.path(), name, "carol", &flag);
        assert!(ok.status.success(), "{name}: {flag}: {}", stderr(&ok));
    }
}

/// A raw connection: send bytes, read one answer line.
struct Raw {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Raw {
    fn connect(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        Raw { stream, reader }
    }

    fn send(&mut self, bytes: &[u8]) -> String {
        self.stream.write_all(bytes).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        line
    }
}

#[test]
fn bad_requests_get_one_error_line_and_the_connection_stays_usable() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve("padding-oracle", dir.path(), &[]);
    let mut c = Raw::connect(server.port);
    // Before `student`: no flag to protect yet.
    assert!(c.send(b"message\n").starts_with("error: send `student NAME` first"));
    assert!(c.send(b"student bad name\n").starts_with("error: the student name"));
    assert_eq!(c.send(b"student alice\n"), "ok: flags for alice\n");
    for (request, says) in [
        (&b"\n"[..], "error: an empty request"),
        (b"check zz\n", "error: not hex"),
        (b"check\n", "error: expected hex bytes"),
        (b"\xff\xfe binary\n", "error: a request is text"),
        (b"frobnicate \x1b[31m\n", "error: unknown request `frobnicate`"),
        (b"check 00\n", "error: a ciphertext is the IV and whole 16-byte blocks"),
    ] {
        let answer = c.send(request);
        assert!(answer.starts_with(says), "{request:?}: {answer}");
        assert!(!answer.contains('\x1b'), "{answer:?}");
        assert_eq!(answer.matches('\n').count(), 1, "{answer:?}");
    }
    let zeros = format!("check {}\n", "00".repeat(32));
    let answer = c.send(zeros.as_bytes());
    assert!(answer == "valid\n" || answer == "invalid padding\n", "{answer}");
    // Still usable: a real answer after all that.
    let message = c.send(b"message\r\n");
    assert!(hex::decode(message.trim_end()).is_ok_and(|b| b.len() >= 48), "{message}");
    let help = c.send(b"help\n");
    assert!(help.starts_with("requests: help; student NAME; message"), "{help}");
}

#[test]
fn a_request_over_the_limit_closes_the_connection_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve("ecb-byte-at-a-time", dir.path(), &["--student", "alice"]);
    let mut c = Raw::connect(server.port);
    let long = vec![b'a'; cryptolab::challenge::server::MAX_LINE + 100];
    let answer = c.send(&long);
    assert!(answer.starts_with("error: a request over 16384 bytes; closing"), "{answer}");
    let mut rest = Vec::new();
    let _ = c.reader.read_to_end(&mut rest);
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    // The server goes on serving others.
    let mut d = Raw::connect(server.port);
    assert!(hex::decode(d.send(b"encrypt 41\n").trim_end()).is_ok());
}

#[test]
fn a_request_of_exactly_the_limit_is_answered_whatever_its_line_ending() {
    use cryptolab::challenge::server::MAX_LINE;
    let dir = tempfile::tempdir().unwrap();
    let server = serve("ecb-byte-at-a-time", dir.path(), &["--student", "alice"]);
    // The limit is the request's own bytes: the `\r\n` a telnet or `nc -C`
    // client ends it with does not count.
    let request = |len: usize| format!("encrypt {}", "4".repeat(len - "encrypt ".len()));
    for ending in ["\n", "\r\n"] {
        let mut c = Raw::connect(server.port);
        // Read as a request (too much to encrypt), and the connection stays.
        let answer = c.send(format!("{}{ending}", request(MAX_LINE)).as_bytes());
        assert!(answer.starts_with("error: at most 4096 bytes"), "{ending:?}: {answer}");
        assert!(c.send(b"help\n").starts_with("requests: "), "{ending:?}");
        let mut c = Raw::connect(server.port);
        let answer = c.send(format!("{}{ending}", request(MAX_LINE + 2)).as_bytes());
        assert!(answer.starts_with("error: a request over 16384 bytes; closing"), "{ending:?}: {answer}");
    }
}

#[test]
fn one_address_cannot_take_every_connection() {
    use cryptolab::challenge::server::MAX_PER_ADDRESS;
    let dir = tempfile::tempdir().unwrap();
    let server = serve("ecb-byte-at-a-time", dir.path(), &["--student", "alice"]);
    // Each one answered, so each has been accepted and counted.
    let mut held: Vec<TcpStream> = (0..MAX_PER_ADDRESS)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            s.write_all(b"encrypt 41\n").unwrap();
            let mut answer = [0u8; 1];
            s.read_exact(&mut answer).unwrap();
            s
        })
        .collect();
    let mut over = Raw::connect(server.port);
    let mut line = String::new();
    over.reader.read_line(&mut line).unwrap();
    assert_eq!(
        line,
        format!("error: {MAX_PER_ADDRESS} connections from your address already; close some first\n")
    );
    // One closed, one more is served (once the server has seen the close).
    held.pop();
    let mut served = false;
    for _ in 0..100 {
        let mut c = Raw::connect(server.port);
        c.stream.write_all(b"encrypt 41\n").unwrap();
        let mut answer = String::new();
        let _ = c.reader.read_line(&mut answer);
        if hex::decode(answer.trim_end()).is_ok_and(|b| !b.is_empty()) {
            served = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(served);
}

#[test]
fn a_server_for_one_student_serves_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve("ecb-byte-at-a-time", dir.path(), &["--student", "alice"]);
    let mut c = Raw::connect(server.port);
    let answer = c.send(b"student bob\n");
    assert_eq!(answer, "error: this server protects only alice's flag (it runs with --student)\n");
    assert_eq!(c.send(b"student alice\n"), "ok: flags for alice\n");
    assert!(hex::decode(c.send(b"encrypt 41\n").trim_end()).is_ok());
}

#[test]
fn list_hint_and_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["challenge", "list"], dir.path());
    assert!(o.status.success());
    let text = stdout(&o);
    for c in cryptolab::challenge::CHALLENGES {
        assert!(text.contains(c.name), "{text}");
    }
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    let o = run(&["challenge", "list", "--json"], dir.path());
    let first: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(first["name"], "ecb-byte-at-a-time");
    assert_eq!(first["port"], 7100);

    let o = run(&["challenge", "hint", "cbc-bitflip"], dir.path());
    assert!(stdout(&o).starts_with("hint 1 of 5: "), "{}", stdout(&o));
    assert!(stdout(&o).contains("next: cryptolab challenge hint cbc-bitflip 2"), "{}", stdout(&o));
    let o = run(&["challenge", "hint", "cbc-bitflip", "9"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("hints 1 to 5, not 9"), "{}", stderr(&o));

    let o = run(&["challenge", "serve", "ecb-cut"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the challenges are ecb-byte-at-a-time, cbc-bitflip, padding-oracle"),
        "{}",
        stderr(&o)
    );
    let o = run(&["challenge", "serve", "cbc-bitflip", "--delay-ms", "5"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--delay-ms is for timing-leak, not cbc-bitflip"), "{}", stderr(&o));
    // check never invents a secret: a missing file is an error, not a new secret.
    let o = check(dir.path(), "cbc-bitflip", "alice", "cryptolab{cbc-bitflip:00}");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!dir.path().join("class.secret").exists());
}

#[test]
fn the_secret_file_is_never_quoted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("class.secret"), "nj9YeLDRWV+S+Lok8PTMgA-not-hex\n").unwrap();
    let o = check(dir.path(), "cbc-bitflip", "alice", "cryptolab{cbc-bitflip:00}");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not 64 hex digits"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("nj9YeLDRWV"), "{}", stderr(&o));
}

#[test]
fn the_ecb_byte_at_a_time_demo_reads_the_whole_secret_through_the_oracle() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["demo", "ecb-byte-at-a-time", "--json", "--seed", "3"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let events: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let secret = events.iter().find(|e| e["name"] == "secret").expect("a secret fact");
    assert_eq!(secret["value"]["secret"], cryptolab::attacks::ecb_byte_at_a_time::SECRET);
    // English first: far fewer than the 128 tries a byte takes on average in order.
    assert!(secret["value"]["per_byte"].as_f64().unwrap() < 40.0, "{secret}");
    let verdicts: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["event"] == "verdict")
        .map(|e| (e["subject"].as_str().unwrap().to_string(), e["outcome"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(verdicts[0], ("ecb".to_string(), "broken".to_string()));
    assert!(verdicts[1..].iter().all(|(_, o)| o == "refused"), "{verdicts:?}");
    assert_eq!(verdicts.len(), 7, "{verdicts:?}");
}
