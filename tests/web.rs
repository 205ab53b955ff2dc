//! The browser view, for real: `cryptolab web`, a real `serve`, `proxy` and
//! `connect` streaming to it with `--web PORT`, and the page driven in
//! headless Chromium through ChromeDriver (WebDriver, W3C), with no network
//! beyond loopback. `.ci/run` installs Debian's `chromium` and
//! `chromium-driver`, and Firefox ESR with geckodriver for the same checks
//! in Firefox. The page must show the proxy's flipped byte marked on
//! the exact byte and the server's reaction beside it: `pay 90 to bob` in
//! cbc, the rejection in cbc-hmac. Every demo tab is driven and its result
//! compared with what the library (and the `aes` crate) computes; lab 19's
//! claims are checked on the page it describes; a challenge server's
//! requests appear with flags hidden. Screenshots go to
//! `target/web-screenshots/`.
//!
//! The HTTP checks (a foreign `Host`, a cross-site `Origin`, an event feed
//! without its header) run against the same binary over plain sockets.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use support::chat::*;

/// `cryptolab web --port 0`; returns it and its port.
fn view() -> (Proc, u16) {
    let p = Proc::spawn(&["web", "--port", "0"]);
    let text = p.wait_for("web view: open http://127.0.0.1:");
    let port = text.split("http://127.0.0.1:").nth(1).unwrap();
    let port = port[..port.find('/').unwrap()].parse().unwrap();
    (p, port)
}

/// One HTTP/1.1 request; returns the status line's code, the head and the
/// body (read to its Content-Length: ChromeDriver keeps connections open).
fn http(port: u16, head: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut all = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        if let Some(split) = all.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&all[..split]).to_string();
            let length = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok())?
            });
            if let Some(length) = length
                && all.len() >= split + 4 + length
            {
                let code = head.split(' ').nth(1).unwrap().parse().unwrap();
                return (code, head, all[split + 4..split + 4 + length].to_vec());
            }
        }
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            let split = all.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
            let head = String::from_utf8_lossy(&all[..split]).to_string();
            let code = head.split(' ').nth(1).unwrap().parse().unwrap();
            return (code, head, all[split + 4..].to_vec());
        }
        all.extend_from_slice(&buf[..n]);
    }
}

fn get(port: u16, path: &str, extra: &str) -> (u16, String, Vec<u8>) {
    http(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: close\r\n\r\n"),
        b"",
    )
}

#[test]
fn the_view_refuses_foreign_hosts_cross_site_requests_and_unmarked_feeds() {
    let (_view, port) = view();
    let (code, head, body) = get(port, "/", "");
    assert_eq!(code, 200);
    assert!(
        head.to_ascii_lowercase().contains("content-security-policy: default-src 'none'; script-src 'self'")
    );
    assert!(String::from_utf8_lossy(&body).contains("/assets/app.js"));
    assert_eq!(get(port, "/assets/app.js", "").0, 200);
    assert_eq!(get(port, "/assets/../Cargo.toml", "").0, 404);
    assert_eq!(get(port, "/assets/secret.key", "").0, 404);
    // DNS rebinding: the right socket, a foreign name.
    let rebinding = http(port, "GET / HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n", b"");
    assert_eq!(rebinding.0, 421);
    // A page elsewhere reading the events, or feeding fake ones.
    assert_eq!(get(port, "/events", "Origin: http://evil.example\r\n").0, 403);
    let line = b"{\"event\":\"notice\",\"message\":\"forged\",\"kind\":\"info\"}\n";
    let feed = |extra: &str| {
        http(
            port,
            &format!(
                "POST /ingest?source=serve HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Content-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                line.len()
            ),
            line,
        )
    };
    assert_eq!(feed("").0, 403, "no X-Cryptolab-Feed header");
    assert_eq!(feed("X-Cryptolab-Feed: 1\r\nOrigin: http://127.0.0.1\r\n").0, 403, "sent by a page");
    let ok = feed("X-Cryptolab-Feed: 1\r\n");
    assert_eq!((ok.0, String::from_utf8_lossy(&ok.2).trim()), (200, "1 events"));
    // Garbage and an over-long line are skipped, the next line is taken.
    let mut junk = b"not json\n\xff\xfe\n".to_vec();
    junk.extend(vec![b'x'; 300 * 1024]);
    junk.extend(b"\n{\"event\":\"notice\",\"message\":\"after\",\"kind\":\"info\"}\n");
    let (code, _, body) = http(
        port,
        &format!(
            "POST /ingest?source=proxy HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Cryptolab-Feed: 1\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            junk.len()
        ),
        &junk,
    );
    assert_eq!((code, String::from_utf8_lossy(&body).trim()), (200, "1 events"));
}

#[test]
fn a_second_program_on_a_port_that_is_not_a_view_says_so() {
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = other.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in other.incoming() {
            let Ok(mut s) = s else { break };
            let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let mut srv =
        Proc::spawn(&["serve", "--port", "0", "--key", KEY, "--mac-key", MAC, "--web", &port.to_string()]);
    assert_eq!(srv.wait_exit(), 2);
    let text = srv.text();
    assert!(text.contains(&format!("127.0.0.1:{port} is in use, but not by a cryptolab web view")), "{text}");
}

// ───────────────────────────── the browser ─────────────────────────────

/// A headless Chromium session through ChromeDriver.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Headless Chromium through Debian's ChromeDriver.
    fn start() -> Browser {
        let exe = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .expect("chromedriver not found: install Debian's chromium and chromium-driver (.ci/run does)");
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args },
        }}});
        Browser::session(&exe, &[], caps, profile)
    }

    /// Headless Firefox ESR through geckodriver, if both are installed
    /// (`.ci/run` installs them); `None` otherwise.
    fn firefox() -> Option<Browser> {
        let exe = std::env::var_os("GECKODRIVER")
            .map(PathBuf::from)
            .into_iter()
            .chain(
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                    .map(|d| d.join("geckodriver")),
            )
            .chain(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/geckodriver")))
            .find(|p| p.exists())?;
        let binary = ["/usr/bin/firefox-esr", "/usr/bin/firefox"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())?;
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "firefox",
            "moz:firefoxOptions": { "binary": binary, "args": ["-headless", "-width=1280", "-height=900"],
                "prefs": { "network.proxy.type": 0, "app.update.enabled": false,
                    "browser.shell.checkDefaultBrowser": false } },
        }}});
        Some(Browser::session(&exe, &["--host", "127.0.0.1"], caps, profile))
    }

    /// Starts the driver `exe` on a free port and opens a session with `caps`.
    fn session(exe: &std::path::Path, extra: &[&str], caps: Value, profile: tempfile::TempDir) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(exe)
            .arg(format!("--port={port}"))
            .args(extra)
            .env("TMPDIR", profile.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "{} did not start", exe.display());
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut b = Browser { driver, port, session: String::new(), _profile: profile };
        let answer = b.call("POST", "/session", Some(&caps));
        b.session =
            answer["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}")).to_string();
        b
    }

    /// One WebDriver command; returns its `value`.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        let (_, _, answer) = http(self.port, &head, body.as_bytes());
        let v: Value = serde_json::from_slice(&answer)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&answer)));
        v["value"].clone()
    }

    fn at(&self, path: &str) -> String {
        format!("/session/{}{path}", self.session)
    }

    fn open(&self, url: &str) {
        self.call("POST", &self.at("/url"), Some(&json!({ "url": url })));
    }

    fn script(&self, js: &str) -> Value {
        self.call("POST", &self.at("/execute/sync"), Some(&json!({ "script": js, "args": [] })))
    }

    /// Runs `js` until it returns something other than null or false.
    fn wait_for(&self, js: &str) -> Value {
        let start = Instant::now();
        loop {
            let v = self.script(js);
            if !(v.is_null() || v == json!(false)) {
                return v;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "the page never gave: {js}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A real click on the first element `css` selects.
    fn click(&self, css: &str) {
        let el =
            self.call("POST", &self.at("/element"), Some(&json!({ "using": "css selector", "value": css })));
        let id = el
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("element")
            .to_string();
        self.call("POST", &self.at(&format!("/element/{id}/click")), Some(&json!({})));
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        let b64 = self.call("GET", &self.at("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap()).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let at = self.at("");
            let _ = std::panic::catch_unwind(|| self.call("DELETE", &at, None));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The proxy's changed frame as the page holds it, once the page has the
/// server's reaction to it: `[index, reaction kind, reaction text]`.
const CHANGED: &str = "const c = window.cryptolab; if (!c) return null;
    const i = c.frames.findIndex(f => f.source === 'proxy' && f.marks.length > 0);
    if (i < 0) return null; const r = c.reaction(c.frames[i]); if (!r) return null;
    return [i, r.kind, r.text, c.frames[i].hex, c.frames[i].marks, r.frame.hex];";

/// serve, a flipping proxy and connect on one view; returns what connect printed.
fn run_session(web: u16, mode: &str, extra: &[&str]) -> (Proc, Proc, String) {
    let w = web.to_string();
    let mut args = vec!["--echo", "--quiet", "--web", &w];
    args.extend(extra);
    let (srv, port) = server(mode, &args);
    let (px, pport) = proxy(port, &["--quiet", "--tamper", "flip:4:20:08", "--web", &w]);
    let mut c = client(mode, pport, &["--quiet", "--send", "pay 10 to bob"]);
    c.wait_exit();
    (srv, px, c.text())
}

#[test]
fn the_page_shows_the_flipped_byte_and_the_servers_reaction() {
    live_flip(&Browser::start(), "");
}

/// The flip through the proxy, seen in `browser`; screenshots named with `tag`.
fn live_flip(browser: &Browser, tag: &str) {
    // cbc: the flip goes through, and the server reads `pay 90`.
    let (_view, web) = view();
    let (_srv, _px, said) = run_session(web, "cbc", &[]);
    assert!(said.contains("server: pay 90 to bob"), "{said}");
    browser.open(&format!("http://127.0.0.1:{web}/"));
    let found = browser.wait_for(CHANGED);
    assert_eq!(found[1], "accepted", "{found}");
    assert!(found[2].as_str().unwrap().contains("read: pay 90 to bob"), "{found}");
    assert_eq!(found[3], found[5], "the server's frame is the proxy's, byte for byte");
    assert_eq!(found[4], json!([[20, 21]]), "byte 20 (IV byte 4) is the one marked");
    // Choose it with a real click, then read what the page draws.
    let index = found[0].as_u64().unwrap();
    browser.script(&format!("window.cryptolab.select({index}); return true;"));
    browser.wait_for(&format!("return document.querySelector('.row[data-index=\"{index}\"]') !== null"));
    browser.click(&format!(".row[data-index=\"{index}\"]"));
    let drawn = browser.wait_for(
        "const m = document.querySelectorAll('#grid .b.marked');
         const r = document.querySelector('#reaction .accepted');
         if (m.length !== 1 || !r) return null;
         return [m[0].textContent, m[0].closest('.field').dataset.label, r.textContent,
                 document.getElementById('detail-title').textContent];",
    );
    let hex = found[3].as_str().unwrap();
    assert_eq!(drawn[0], &hex[40..42], "the marked cell shows byte 20");
    assert_eq!(drawn[1], "iv");
    assert!(drawn[2].as_str().unwrap().contains("pay 90 to bob"), "{drawn}");
    assert!(drawn[3].as_str().unwrap().contains("changed"), "{drawn}");
    browser.screenshot(&format!("live-cbc{tag}.png"));

    // cbc-hmac: the same flip, and the server rejects the frame.
    let (_view2, web2) = view();
    let (_srv2, _px2, said) = run_session(web2, "cbc-hmac", &[]);
    assert!(!said.contains("pay"), "{said}");
    browser.open(&format!("http://127.0.0.1:{web2}/"));
    let found = browser.wait_for(CHANGED);
    assert_eq!(found[1], "rejected", "{found}");
    assert!(found[2].as_str().unwrap().contains("wrong key or tampered frame"), "{found}");
    let index = found[0].as_u64().unwrap();
    browser.script(&format!("window.cryptolab.select({index}); return true;"));
    let drawn = browser
        .wait_for("const r = document.querySelector('#reaction .rejected'); return r && r.textContent;");
    assert!(drawn.as_str().unwrap().contains("tampered"), "{drawn}");
    browser.screenshot(&format!("live-cbc-hmac{tag}.png"));
}

/// Measures the page under 1,000 frames a second (not run by default; its
/// figures are in docs/PERFORMANCE.md): `cargo test --release --test web --
/// --ignored --nocapture`. It asserts only what must hold whatever the
/// machine: every frame arrives, and the list stays windowed.
#[test]
#[ignore]
fn measure_a_thousand_frames_a_second() {
    let browser = Browser::start();
    let (_view, web) = view();
    browser.open(&format!("http://127.0.0.1:{web}/"));
    browser.wait_for("return window.cryptolab && window.cryptolab.stats && document.getElementById('status').textContent === 'live'");
    let frame = json!({ "event": "frame", "message": "a gcm message", "dir": "in", "peer": "client 1", "n": 1,
        "hex": "01060200000000000000000100000030".to_string() + &"ab".repeat(48),
        "spans": [
            { "label": "version", "kind": "header", "offset": 0, "len": 1, "hex": "01", "same_as": null, "note": "v1" },
            { "label": "length", "kind": "length", "offset": 12, "len": 4, "hex": "00000030", "same_as": null, "note": null },
            { "label": "nonce", "kind": "nonce", "offset": 16, "len": 12, "hex": "ab".repeat(12), "same_as": null, "note": null },
            { "label": "ct", "kind": "ciphertext", "offset": 28, "len": 20, "hex": "ab".repeat(20), "same_as": null, "note": null },
            { "label": "tag", "kind": "tag", "offset": 48, "len": 16, "hex": "ab".repeat(16), "same_as": null, "note": "GCM tag" },
        ], "marks": [], "is_message": true, "text": "hello", "format": "native", "suite": "gcm", "kind": "message", "seq": 1 });
    let line = format!("{frame}\n");
    let (seconds, per_tick, tick) = (5u32, 10usize, Duration::from_millis(10));
    let total = seconds as usize * 100 * per_tick;
    browser.script("window.cryptolab.resetStats(); return true;");
    let mut s = TcpStream::connect(("127.0.0.1", web)).unwrap();
    write!(s, "POST /ingest?source=serve HTTP/1.1\r\nHost: 127.0.0.1:{web}\r\nX-Cryptolab-Feed: 1\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
    let start = Instant::now();
    for i in 0..seconds * 100 {
        let chunk = line.repeat(per_tick);
        write!(s, "{:x}\r\n{chunk}\r\n", chunk.len()).unwrap();
        let due = start + tick * (i + 1);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    let sent_in = start.elapsed();
    let got = browser.wait_for(&format!(
        "const c = window.cryptolab; return c.frames.length >= {total} && [c.frames.length, c.stats.maxGap, c.stats.longGaps, c.stats.draws, document.querySelectorAll('.row').length];"
    ));
    let all_in = start.elapsed();
    write!(s, "0\r\n\r\n").unwrap();
    println!(
        "sent {total} frames in {:.2} s ({:.0}/s); the page had all {} after {:.2} s; \
         longest gap between animation frames {} ms, gaps over 50 ms: {}, redraws: {}, rows in the DOM: {}",
        sent_in.as_secs_f64(),
        total as f64 / sent_in.as_secs_f64(),
        got[0],
        all_in.as_secs_f64(),
        got[1],
        got[2],
        got[3],
        got[4]
    );
    assert_eq!(got[0], total);
    assert!(got[4].as_u64().unwrap() < 100, "the list is windowed: {got}");
}

// ───────────────────────────── the demo pages ─────────────────────────────

/// A POST to the view's API with a JSON body (and any extra header lines).
fn post(port: u16, path: &str, ty: &str, body: &[u8], extra: &str) -> (u16, String, Value) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {ty}\r\nContent-Length: {}\r\n\
         {extra}Connection: close\r\n\r\n",
        body.len()
    );
    let (code, head, body) = http(port, &head, body);
    (code, head, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[test]
fn the_demo_api_checks_type_size_origin_and_rate() {
    let (_view, port) = view();
    let aes =
        json!({ "key": "2b7e151628aed2a6abf7158809cf4f3c", "block": "3243f6a8885a308d313198a2e0370734" });
    let body = aes.to_string();
    // A form post (text/plain) is what a foreign page can send without asking: refused.
    let (code, _, answer) = post(port, "/api/aes", "text/plain", body.as_bytes(), "");
    assert_eq!(code, 415, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("application/json"), "{answer}");
    // A foreign Origin is refused before anything runs.
    let (code, _, _) =
        post(port, "/api/aes", "application/json", body.as_bytes(), "Origin: http://evil.example\r\n");
    assert_eq!(code, 403);
    // Bounds: a secret longer than the page attacks, a key that is not 16 bytes, a body over the limit.
    let long = json!({ "message": "x".repeat(97) }).to_string();
    let (code, _, answer) = post(port, "/api/padding-oracle", "application/json", long.as_bytes(), "");
    assert_eq!(code, 400, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("97 bytes"), "{answer}");
    let short = json!({ "key": "2b7e", "block": "3243f6a8885a308d313198a2e0370734" }).to_string();
    let (code, _, answer) = post(port, "/api/aes", "application/json", short.as_bytes(), "");
    assert_eq!(code, 400, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("2 bytes"), "{answer}");
    let huge = vec![b' '; 70 * 1024];
    let (code, _, _) = post(port, "/api/bitflip", "application/json", &huge, "");
    assert_eq!(code, 413);
    let garbage = b"\x89PNG\r\n\x1a\nnot a picture at all";
    let (code, _, answer) = post(port, "/api/ecb-picture", "application/octet-stream", garbage, "");
    assert_eq!(code, 400, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("the picture sent"), "{answer}");
    // The rate: a burst of 10 runs, then 2 a second; 25 at once cannot all run.
    let mut limited = 0;
    for _ in 0..25 {
        let (code, head, answer) = post(port, "/api/aes", "application/json", body.as_bytes(), "");
        match code {
            200 => assert!(answer["events"].as_array().is_some_and(|e| !e.is_empty())),
            429 => {
                assert!(head.to_ascii_lowercase().contains("retry-after: 1"), "{head}");
                limited += 1;
            }
            other => panic!("status {other}: {answer}"),
        }
    }
    assert!(limited > 0, "25 runs at once were all allowed");
}

/// Text the solver is given, and the held-out text its key must then read.
const SOLVER_TEXT: &str = "It was the best of times and the worst of times. The students who sat in the \
    back of the room had learned that a cipher which only replaces each letter with another one keeps the \
    shape of every word, and that the commonest letters of the ciphertext stand for the commonest letters of \
    the language. With a few hundred letters the rest falls into place: the short words first, then the \
    endings, and at last the rare letters that turn up only in long words. Nobody needs the key when the \
    text itself gives it away, which is why the old newspapers printed such puzzles for their readers to \
    solve over breakfast, and why no serious message has been sent this way for a very long time.";
const HELD_OUT: &str = "meet the others at the old station when the train leaves at seven";

/// The letters of `text`, upper case.
fn letters(text: &str) -> Vec<u8> {
    text.bytes().filter(u8::is_ascii_alphabetic).map(|b| b.to_ascii_uppercase()).collect()
}

#[test]
fn the_demo_pages_draw_what_the_library_computed() {
    demo_pages(&Browser::start(), "");
}

/// Both tests again in Firefox ESR, when it and geckodriver are installed
/// (`.ci/run` installs both; elsewhere the test says it skipped).
#[test]
fn the_same_in_firefox() {
    let Some(browser) = Browser::firefox() else {
        // CI sets this, so a failed install cannot pass unnoticed.
        assert!(
            std::env::var_os("CRYPTOLAB_REQUIRE_FIREFOX").is_none(),
            "CRYPTOLAB_REQUIRE_FIREFOX is set, but firefox-esr or geckodriver is missing"
        );
        eprintln!("skipped: firefox-esr or geckodriver is not installed (.ci/run installs them)");
        return;
    };
    live_flip(&browser, "-firefox");
    demo_pages(&browser, "-firefox");
}

/// Every demo tab, driven in `browser`; screenshots named with `tag`.
fn demo_pages(browser: &Browser, tag: &str) {
    let (_view, web) = view();
    let base = format!("http://127.0.0.1:{web}/");
    browser.open(&format!("{base}#ecb"));
    let status = browser
        .wait_for("const s = document.getElementById('status').textContent; return s === 'live' && s;");
    assert_eq!(status, "live", "the event stream opened before any event");

    // ECB picture: five pictures; the ECB one repeats blocks, the others are noise.
    browser.click("#ecb-run");
    let srcs = browser.wait_for(
        "const imgs = [...document.querySelectorAll('#ecb-out img')];
         if (imgs.length !== 5 || !imgs.every(i => i.complete && i.naturalWidth > 0)) return null;
         return imgs.map(i => [i.dataset.mode, i.src]);",
    );
    let mut fractions = std::collections::HashMap::new();
    for pair in srcs.as_array().unwrap() {
        let (mode, src) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        let png = base64::engine::general_purpose::STANDARD
            .decode(src.strip_prefix("data:image/png;base64,").unwrap())
            .unwrap();
        let rgb = image::load_from_memory(&png).unwrap().into_rgb8().into_raw();
        let blocks: Vec<&[u8]> = rgb.chunks_exact(16).collect();
        let distinct: std::collections::HashSet<&[u8]> = blocks.iter().copied().collect();
        fractions.insert(mode.to_string(), 1.0 - distinct.len() as f64 / blocks.len() as f64);
    }
    assert!(fractions["ecb"] > 0.9, "{fractions:?}");
    assert!(
        (fractions["ecb"] - fractions["original"]).abs() < 1e-9,
        "ECB repeats exactly where the picture does"
    );
    for mode in ["cbc", "ctr", "gcm"] {
        assert_eq!(fractions[mode], 0.0, "{mode}: {fractions:?}");
    }
    let caption = browser.script("return document.querySelector('.p-ecb figcaption').textContent");
    assert!(caption.as_str().unwrap().contains("blocks repeat"), "{caption}");
    browser.screenshot(&format!("demo-ecb-picture{tag}.png"));

    // AES round by round: a random key and block typed in; the page's final
    // state, read cell by cell, is what the aes crate computes.
    use aes::cipher::{BlockCipherEncrypt, KeyInit};
    let (key, block): ([u8; 16], [u8; 16]) = (rand::random(), rand::random());
    let mut want = aes::Block::from(block);
    aes::Aes128::new(&key.into()).encrypt_block(&mut want);
    browser.script("document.getElementById('tab-aes').click(); return true;");
    browser.script(&format!(
        "document.getElementById('aes-key').value = '{}'; document.getElementById('aes-block').value = '{}';
         return true;",
        hex::encode(key),
        hex::encode(block)
    ));
    browser.click("#aes-run");
    let drawn = browser.wait_for(
        "const s = document.querySelector('.aes-round[data-round=\"10\"] .state[data-step=\"AddRoundKey\"]');
         if (!s) return null;
         const cells = [...s.querySelectorAll('.cell')];
         cells.sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
         return cells.map(c => c.textContent).join('');",
    );
    assert_eq!(drawn, hex::encode(want), "the last state drawn is the aes crate's ciphertext");
    let rounds = browser.script("return document.querySelectorAll('.aes-round').length");
    assert_eq!(rounds, 11);
    browser.script("document.querySelector('.aes-round[data-round=\"1\"]').scrollIntoView(); return true;");
    browser.screenshot(&format!("demo-aes-rounds{tag}.png"));
    // The avalanche: the bars are the bit counts the library reports.
    browser.script("document.getElementById('aes-avalanche').checked = true; document.getElementById('aes-bit').value = '5'; return true;");
    browser.click("#aes-run");
    let bars = browser.wait_for(
        "const rows = [...document.querySelectorAll('.avalanche .bar-label')].map(r => r.textContent);
         return rows.length === 12 ? rows : null;",
    );
    let av = cryptolab::aes_rounds::avalanche(&key, &block, cryptolab::aes_rounds::Flip::Input(5)).unwrap();
    let mut want = vec![format!("input: {} bits", av.input_bits())];
    want.extend(av.after_rounds().iter().enumerate().map(|(r, n)| format!("round {r}: {n} bits")));
    assert_eq!(bars, json!(want));

    // Bit-flipping: the forged role in cbc, the refusals in cbc-hmac and gcm.
    browser.script("document.getElementById('tab-bitflip').click(); document.getElementById('bitflip-target').value = 'root'; return true;");
    browser.click("#bitflip-run");
    let verdicts = browser.wait_for(
        "const v = [...document.querySelectorAll('#bitflip-events .verdict')].map(p => p.textContent);
         return v.length >= 4 ? v : null;",
    );
    let verdicts: Vec<&str> = verdicts.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(verdicts.iter().any(|v| v.starts_with("BROKEN") && v.contains("role=root")), "{verdicts:?}");
    for suite in ["cbc-hmac", "gcm"] {
        assert!(verdicts.iter().any(|v| v.starts_with(&format!("REFUSED {suite}"))), "{verdicts:?}");
    }
    browser.screenshot(&format!("demo-bitflip{tag}.png"));

    // Padding oracle step by step: one query, one byte, then the whole secret.
    let secret = "Attack at dawn; bring rope.";
    browser.script(&format!(
        "document.getElementById('tab-oracle').click(); document.getElementById('oracle-message').value = '{secret}';
         return true;"
    ));
    browser.click("#oracle-run");
    let first = browser.wait_for(
        "const p = document.getElementById('oracle-plain').textContent; return p.length ? p : null;",
    );
    // The first byte found is the last of the first block: 15 unknown, then it.
    let want_first = format!("{}{}", "·".repeat(15), &secret[15..16]);
    assert_eq!(first, want_first.as_str(), "after the first byte");
    browser.click("#oracle-next");
    let answer = browser.script("return document.getElementById('oracle-answer').textContent");
    assert!(answer.as_str().unwrap().starts_with("query "), "{answer}");
    browser.click("#oracle-end");
    let plain = browser.script("return document.getElementById('oracle-plain').textContent");
    let plain = plain.as_str().unwrap();
    assert!(plain.starts_with(secret), "recovered {plain:?}");
    assert_eq!(plain.len(), 32, "the padded length: {plain:?}");
    let broken = browser.script(
        "return [...document.querySelectorAll('#oracle-log .verdict')].map(p => p.textContent).join(' | ')",
    );
    assert!(
        broken.as_str().unwrap().contains("BROKEN cbc: recovered 32 bytes, exactly the secret"),
        "{broken}"
    );
    assert!(broken.as_str().unwrap().contains("REFUSED cbc-hmac"), "{broken}");
    browser.screenshot(&format!("demo-padding-oracle{tag}.png"));

    // The substitution solver: its suggested key, taken into the page's
    // mapping, reads a held-out text encrypted under the same key.
    let counts = letters(SOLVER_TEXT);
    for l in letters(HELD_OUT) {
        let n = counts.iter().filter(|&&c| c == l).count();
        assert!(n >= 5, "the held-out text's {} occurs {n} times in the text given", l as char);
    }
    let key = cryptolab::classical::mono::MonoKey::random(&mut rand::rng());
    let given = cryptolab::classical::mono::encrypt(SOLVER_TEXT, &key);
    let held_out = cryptolab::classical::mono::encrypt(HELD_OUT, &key);
    browser.script(&format!(
        "document.getElementById('tab-solver').click(); const t = document.getElementById('solver-ct');
         t.value = {}; t.dispatchEvent(new Event('input')); return true;",
        json!(given)
    ));
    browser.click("#solver-suggest");
    browser.wait_for("return !document.getElementById('solver-use').disabled");
    browser.click("#solver-use");
    let mapping = browser.script("return window.cryptolab.solver.mapping.join('')");
    let mapping: Vec<u8> = mapping.as_str().unwrap().bytes().collect();
    assert_eq!(mapping.len(), 26, "{mapping:?}");
    let read: String = held_out
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                (mapping[(c as u8 - b'a') as usize] as char).to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect();
    assert_eq!(read, HELD_OUT, "the suggested key reads the held-out text");
    let shown = browser.script("return document.getElementById('solver-plain').textContent");
    assert!(shown.as_str().unwrap().starts_with("It was the best of times"), "{shown}");
    let suggestion = browser.script("return document.getElementById('solver-suggestion').textContent");
    assert!(suggestion.as_str().unwrap().contains("fitness"), "{suggestion}");
    // A student's own assignment: choose cipher letter of plain 'e', type 'x'; the swap keeps a permutation.
    let cipher_e = key.cipher_alphabet()[4];
    browser.click(&format!("#solver-keys button[data-cipher=\"{}\"]", (b'A' + cipher_e) as char));
    browser.script(
        "document.getElementById('solver-letters').querySelectorAll('button')[23].click(); return true;",
    );
    let after = browser.script("return window.cryptolab.solver.mapping.join('')");
    let after = after.as_str().unwrap();
    assert_eq!(after.as_bytes()[cipher_e as usize], b'X', "{after}");
    let mut sorted: Vec<u8> = after.bytes().collect();
    sorted.sort_unstable();
    assert_eq!(sorted, (b'A'..=b'Z').collect::<Vec<_>>(), "a swap, not a duplicate: {after}");
    browser.click("#solver-use");
    browser.screenshot(&format!("demo-substitution{tag}.png"));
}

/// The `$ cryptolab …` lines of the `n`th console block of a worksheet, split
/// into words, with free ports for 5550, 5551 and 5552 (as tests/labs_chat.rs).
fn worksheet_block(path: &str, n: usize, ports: [u16; 3]) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let block = text.split("```console\n").nth(n + 1).unwrap().split("```").next().unwrap();
    block
        .lines()
        .filter_map(|l| l.strip_prefix("$ cryptolab "))
        .map(|l| {
            let mut words = Vec::new();
            for (i, part) in l.trim_end_matches('&').trim().split('"').enumerate() {
                if i % 2 == 1 {
                    words.push(part.to_string());
                } else {
                    words.extend(part.split_whitespace().map(str::to_string));
                }
            }
            words
                .into_iter()
                .map(|w| {
                    let mut w = w;
                    for (from, to) in ["5550", "5551", "5552"].iter().zip(ports) {
                        if w == *from || w.ends_with(&format!(":{from}")) {
                            w = format!("{}{to}", &w[..w.len() - 4]);
                        }
                    }
                    w
                })
                .collect()
        })
        .collect()
}

/// Runs one of the worksheet's blocks: two programs in the background, then
/// the client. Returns the background programs and the port of the page.
fn run_worksheet_block(n: usize) -> (Vec<Proc>, u16) {
    let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let ports = [free(), free(), free()];
    let lines = worksheet_block("labs/19-browser-view.md", n, ports);
    assert_eq!(lines.len(), 3, "{lines:?}");
    // As tests/labs_chat.rs runs worksheets: the ports in the environment too.
    let exe: &std::path::Path = env!("CARGO_BIN_EXE_cryptolab").as_ref();
    let vars = [("CRYPTOLAB_PORT", ports[0].to_string()), ("CRYPTOLAB_PROXY_PORT", ports[1].to_string())];
    let mut background = Vec::new();
    for words in &lines[..2] {
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let p = Proc::spawn_env(exe, &args, &vars);
        p.wait_for("listening on");
        background.push(p);
    }
    let args: Vec<&str> = lines[2].iter().map(String::as_str).collect();
    let mut client = Proc::spawn_env(exe, &args, &vars);
    client.wait_exit();
    (background, ports[2])
}

#[test]
fn lab_19_what_the_page_shows() {
    let browser = Browser::start();
    let (_programs, web) = run_worksheet_block(0);
    browser.open(&format!("http://127.0.0.1:{web}/"));
    let found = browser.wait_for(CHANGED);
    let index = found[0].as_u64().unwrap();
    let title = browser.script(&format!("return window.cryptolab.title(window.cryptolab.frames[{index}])"));
    assert!(title.as_str().unwrap().starts_with("proxy: ⇄ client 1 → server #4 "), "{title}");
    assert!(title.as_str().unwrap().contains("changed"), "{title}");
    browser.script(&format!("window.cryptolab.select({index}); return true;"));
    let drawn = browser.wait_for(
        "const m = document.querySelectorAll('#grid .b.marked');
         const r = document.querySelector('#reaction .verdict');
         if (!r) return null;
         return [[...document.querySelectorAll('#grid .field')].map(f => f.dataset.label), m.length,
                 m[0].title, r.className, r.textContent];",
    );
    let labels: Vec<&str> = drawn[0].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(
        labels[..8],
        ["version", "suite", "kind", "flags", "seq", "length", "iv", "ct[0]"],
        "{labels:?}"
    );
    assert_eq!(drawn[1], 1, "exactly one byte outlined");
    assert!(drawn[2].as_str().unwrap().starts_with("byte 20 · iv"), "{drawn}");
    assert_eq!(drawn[3], "verdict accepted");
    assert_eq!(drawn[4], "serve read: pay 90 to bob");

    let (_programs, web) = run_worksheet_block(1);
    browser.open(&format!("http://127.0.0.1:{web}/"));
    let found = browser.wait_for(CHANGED);
    assert_eq!(found[4], json!([[20, 21]]));
    assert_eq!(found[1], "rejected");
    let text = found[2].as_str().unwrap();
    assert!(
        text.starts_with("serve rejected it: ") && text.contains("wrong key or tampered frame"),
        "{text}"
    );
}

#[test]
fn a_challenge_server_streams_its_requests_to_the_page_with_flags_hidden() {
    let browser = Browser::start();
    let (_view, web) = view();
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("class.secret");
    let secret = secret.to_str().unwrap();
    let w = web.to_string();
    let srv =
        Proc::spawn(&["challenge", "serve", "cbc-bitflip", "--port", "0", "--secret", secret, "--web", &w]);
    let said = srv.wait_for("listening on 127.0.0.1:");
    assert!(said.contains(&format!("events go to the view at http://127.0.0.1:{web}/")), "{said}");
    let port = said.split("listening on 127.0.0.1:").nth(1).unwrap();
    let port: String = port.chars().take_while(char::is_ascii_digit).collect();
    let target = format!("127.0.0.1:{port}");
    let mut solve =
        Proc::spawn(&["challenge", "solve", "cbc-bitflip", "--target", &target, "--student", "alice"]);
    assert_eq!(solve.wait_exit(), 0, "{}", solve.text());
    let flag = solve.text();
    let flag = &flag[flag.find("cryptolab{").expect("the solve prints the flag")..];
    let flag = &flag[..=flag.find('}').unwrap()];
    // A student who pastes their flag into a request: hidden on the page too.
    let mut raw = TcpStream::connect(target.as_str()).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    raw.write_all(format!("{flag}\n").as_bytes()).unwrap();
    let mut answer = [0u8; 512];
    assert!(raw.read(&mut answer).unwrap() > 0);
    drop(raw);
    browser.open(&format!("http://127.0.0.1:{web}/"));
    let texts = browser.wait_for(
        "const c = window.cryptolab; if (!c) return null;
         const f = c.frames.filter(f => f.source === 'challenge');
         const left = c.notices.filter(n => n.source === 'challenge' && n.event === 'left').length;
         return f.length >= 8 && left >= 2 ? f.map(f => [f.dir, f.summary, f.text]) : null;",
    );
    let all = texts.to_string();
    assert!(!all.contains(flag), "the flag {flag} is on the page: {all}");
    assert!(all.contains("cryptolab{cbc-bitflip:…}"), "{all}");
    assert!(texts[0][0] == "in" && texts[0][1].as_str().unwrap().starts_with("request "), "{texts}");
    assert!(texts[1][0] == "out" && texts[1][1].as_str().unwrap().starts_with("answer "), "{texts}");
    browser.screenshot("challenge-live.png");
}

#[test]
fn ecb_blocks_repeated_across_frames_are_linked() {
    let browser = Browser::start();
    let (_view, web) = view();
    let w = web.to_string();
    let (_srv, port) = server("ecb", &["--echo", "--quiet", "--web", &w]);
    let mut c = client("ecb", port, &["--quiet"]);
    c.wait_for("connected to");
    // Two messages whose first 16 bytes are equal: the same ECB block in two frames.
    c.say("YELLOW SUBMARINE, first");
    c.wait_for("server: YELLOW SUBMARINE, first");
    c.say("YELLOW SUBMARINE, second");
    c.wait_for("server: YELLOW SUBMARINE, second");
    browser.open(&format!("http://127.0.0.1:{web}/"));
    let index = browser.wait_for(
        "const c = window.cryptolab; if (!c) return null;
         const m = c.frames.map((f, i) => [f, i]).filter(([f]) => f.dir === 'in' && f.text && f.text.startsWith('YELLOW'));
         if (m.length < 2) return null;
         const [f, i] = m[1];
         const s = f.spans.find(s => s.label === 'ct[0]');
         return c.alsoIn(f, s) ? i : null;",
    );
    browser.script(&format!("window.cryptolab.select({index}); return true;"));
    let label = browser.wait_for(
        "const f = document.querySelector('#grid .field[data-label=\"ct[0]\"]');
         return f && f.classList.contains('repeat') ? f.querySelector('.label').textContent : null;",
    );
    assert!(label.as_str().unwrap().starts_with("ct[0] · also in frame client 1 #"), "{label}");
    let other = browser.script(
        "return document.querySelector('#grid .field[data-label=\"ct[1]\"]').classList.contains('repeat')",
    );
    assert_eq!(other, false, "the blocks that differ are not linked");
}
