//! `cryptolab tour` — the zero-setup guided run: one message, four suites
//! walked through, every suite in one table.
//!
//! The message has the same 16 bytes twice (`Meet me at noon.` ×2), so the
//! renderer can show what each suite does with a repeated block: ECB repeats
//! it (`ct[1] = ct[0]`), CBC hides it behind a fresh IV, and the authenticated
//! suites add a tag that catches a single flipped bit. Then one table puts
//! every suite side by side — the stream modes too — generated from the
//! suites' own table rows ([`mode_table`]), so a new suite is a new row with
//! no tour code. Then the four suites
//! run over a real loopback connection: the real server and client, in this
//! process, and two classroom wire formats are forged through a keyless
//! proxy. The tour calls the library — it never re-implements a suite or a
//! protocol. Its attack section is the demo registry
//! ([`crate::demos::DEMOS`]): each demo's headline, run for real, so a new
//! demo appears here without a line of tour code (the challenge demos, with
//! servers of their own, are counted in one line). The tour numbers its
//! sections as it prints them.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use rand::CryptoRng;
use tokio::net::TcpStream;

use crate::attacks::DemoCtx;
use crate::demos::DEMOS;
use crate::events::{
    Collector, Detail, Dir, Event, Events, Frame, Observer, Outcome, TextObserver, show_text,
};
use crate::keys::KeyMaterial;
use crate::net::Limits;
use crate::net::client::{self, ConnectOptions};
use crate::net::server::{self, ServeOptions};
use crate::profiles::Flow;
use crate::render::{Renderer, fit};
use crate::session::channel::{NativeKeys, Speak};
use crate::session::handshake::{Config, Psk};
use crate::suite::{Cipher, Garbles, Suite, layout};

/// The tour's message: block 0 and block 1 are the same 16 bytes.
pub const MESSAGE: &[u8] = b"Meet me at noon.Meet me at noon. Bring the map.";

/// The suites the tour walks through one section each, and chats in: the
/// story of the repeated block (ECB repeats it, CBC hides it, a tag catches
/// a flipped bit). Every suite, these and the others, is a row of
/// [`mode_table`].
pub const WALKED: [Suite; 4] = [Suite::Ecb, Suite::Cbc, Suite::CbcHmac, Suite::Gcm];

/// The one mode-comparison table, a row per suite in [`Suite::ALL`], every
/// cell from the suite's row ([`crate::suite::SuiteSpec`]): what starts the
/// body, whether the message is padded, whether tampering is detected, and
/// what one flipped ciphertext bit does to what the receiver reads. At most
/// 80 columns.
pub fn mode_table() -> Vec<String> {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut lines = vec![format!(
        "  {:<10}{:<11}{:<7}{:<5}{}",
        "suite", "iv/nonce", "padded", "MAC", "one flipped ciphertext bit"
    )];
    for suite in Suite::ALL {
        let spec = suite.spec();
        let iv = match spec.iv_len {
            0 => "none".to_string(),
            n => format!("{}({n})", spec.iv_label),
        };
        lines.push(format!(
            "  {:<10}{iv:<11}{:<7}{:<5}{}",
            spec.name,
            yes_no(spec.padded()),
            yes_no(spec.authenticated),
            spec.flip_effect()
        ));
    }
    lines
}

fn heading(w: &mut dyn Write, r: &Renderer, text: &str) -> io::Result<()> {
    writeln!(w)?;
    r.paint(w, Style::new().bold().underline(), text)?;
    writeln!(w)
}

/// The tour's section numbers, counted as the sections are printed: a
/// section added or moved renumbers the rest by itself.
#[derive(Default)]
struct Sections {
    printed: u32,
}

impl Sections {
    /// The next section's heading, numbered.
    fn heading(&mut self, w: &mut dyn Write, r: &Renderer, text: &str) -> io::Result<()> {
        self.printed += 1;
        heading(w, r, &format!("{}. {text}", self.printed))
    }
}

fn insecure(w: &mut dyn Write, r: &Renderer, reason: &str) -> io::Result<()> {
    let line = format!("INSECURE: {reason}");
    let line = fit(&line, r.columns_in_use());
    r.paint(w, Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), "INSECURE")?;
    writeln!(w, "{}", &line["INSECURE".len()..])
}

/// Writes `text` fitted to the renderer's width.
fn say(w: &mut dyn Write, r: &Renderer, text: &str) -> io::Result<()> {
    writeln!(w, "{}", fit(text, r.columns_in_use()))
}

/// Runs the tour, writing to `w`. `origin` says where the keys came from;
/// `chat_seed` (with demo keys only) makes the chat's IVs and nonces reproducible.
pub fn run<R: CryptoRng + ?Sized>(
    w: &mut dyn Write,
    r: &Renderer,
    keys: &KeyMaterial,
    origin: &str,
    rng: &mut R,
    chat_seed: Option<u64>,
) -> io::Result<()> {
    r.paint(w, Style::new().bold(), "cryptolab tour — symmetric cryptography, run for real")?;
    writeln!(w)?;
    say(w, r, &format!("AES-{} with {origin} (key fingerprint {}).", keys.bits(), keys.fingerprint()))?;

    let mut sections = Sections::default();
    sections.heading(w, r, "One message, four suites")?;
    let ecb_block = cross_section(w, r, keys, rng)?;

    sections.heading(w, r, "Every suite side by side")?;
    say(w, r, "All seven, the stream modes of SP 800-38A too (try `encrypt --mode ctr --explain`):")?;
    for line in mode_table() {
        writeln!(w, "{line}")?;
    }
    let names = |keep: fn(&crate::suite::SuiteSpec) -> bool| {
        Suite::ALL.iter().filter(|s| keep(s.spec())).map(|s| s.name()).collect::<Vec<_>>().join(" and ")
    };
    let exact = names(|s| !s.authenticated && s.garbles == Garbles::Nothing);
    let only = names(|s| s.authenticated);
    say(
        w,
        r,
        &format!(
            "→ Without a MAC no edit is noticed for what it is: in {exact} a flipped bit lands exactly \
             where the attacker put it (cryptolab demo bitflip). Only {only} notice."
        ),
    )?;

    chat(w, r, &mut sections, keys, chat_seed, &ecb_block)?;

    attacks(w, r, &mut sections, keys, rng)?;

    sections.heading(w, r, "Before AES: the classical ciphers, broken by statistics")?;
    let seed = chat_seed.unwrap_or_else(|| rng.next_u64());
    crate::classical::tour_section(w, seed)?;

    classroom(w, r, &mut sections)?;

    heading(w, r, "Next")?;
    for (command, what) in NEXT {
        say(w, r, &format!("  {command:<45}{what}"))?;
    }
    Ok(())
}

/// The tour's last words: what to run next.
const NEXT: [(&str, &str); 6] = [
    ("cryptolab serve --mode cbc", "then, in another terminal:"),
    ("cryptolab connect --mode cbc", "chat, and watch every frame"),
    ("cryptolab demo padding-oracle --step", "an attack, byte by byte"),
    ("cryptolab encrypt --mode ecb --explain FILE", "your own file's blocks, labelled"),
    ("cryptolab classical mono", "a substitution cipher, cracked"),
    ("cryptolab --help", "every command, with examples"),
];

/// The message sealed by each walked suite, one row per block: the same
/// block in every suite side by side, so ECB's repeat, CBC's chain and the
/// tags show in a dozen lines. Then one flipped bit for each tag. Returns
/// ecb's first block, which the chat section compares with its own.
fn cross_section<R: CryptoRng + ?Sized>(
    w: &mut dyn Write,
    r: &Renderer,
    keys: &KeyMaterial,
    rng: &mut R,
) -> io::Result<Vec<u8>> {
    say(
        w,
        r,
        &format!(
            "\"Meet me at noon.\" twice and \" Bring the map.\" ({} bytes; · is the pad 01), \
             sealed by each suite; the first 4 bytes of each block (=0: the same as block 0):",
            MESSAGE.len()
        ),
    )?;
    let mut bodies = Vec::new();
    for suite in WALKED {
        let cipher = Cipher::new(suite, &keys.enc, keys.mac()).map_err(io::Error::other)?;
        let body = cipher.seal(&[], MESSAGE, rng);
        bodies.push((suite, cipher, body));
    }
    let cell = |suite: Suite, body: &[u8], label: &str| -> String {
        let spans = layout::body_spans(suite, 0, body.len());
        let Some(span) = spans.iter().find(|s| s.label == label || (label == "iv" && s.label == "nonce"))
        else {
            return "—".to_string();
        };
        let bytes = &body[span.range.clone()];
        let mut text = format!("{}…", hex::encode(&bytes[..bytes.len().min(4)]));
        let first = spans.iter().find(|s| s.label == "ct[0]").map(|s| &body[s.range.clone()]);
        if label != "ct[0]" && label.starts_with("ct[") && first == Some(bytes) {
            text.push_str("=0");
        }
        text
    };
    let mut head = format!("  {:<7}{:<18}", "block", "plaintext");
    for (suite, ..) in &bodies {
        head.push_str(&format!("{:<12}", suite.name()));
    }
    writeln!(w, "{}", head.trim_end())?;
    let padded = crate::suite::pkcs7::pad(MESSAGE);
    let rows: [(&str, &str, String); 5] = [
        ("iv", "iv or nonce", String::new()),
        ("ct[0]", "0", crate::render::ascii(&padded[..16], '·')),
        ("ct[1]", "1", crate::render::ascii(&padded[16..32], '·')),
        ("ct[2]", "2", crate::render::ascii(&padded[32..], '·')),
        ("tag", "tag", String::new()),
    ];
    for (label, name, plain) in rows {
        let shown = if plain.is_empty() { String::new() } else { format!("{plain:<18}") };
        let mut line = if plain.is_empty() { format!("  {name:<25}") } else { format!("  {name:<7}{shown}") };
        for (suite, _, body) in &bodies {
            line.push_str(&format!("{:<12}", cell(*suite, body, label)));
        }
        writeln!(w, "{}", line.trim_end())?;
    }
    let mut tagged = Vec::new();
    for (suite, cipher, body) in &bodies {
        let spec = suite.spec();
        if let Some(reason) = suite.insecure_reason() {
            insecure(w, r, &format!("{reason} ({})", spec.standard))?;
        } else {
            let mut tampered = body.clone();
            tampered[spec.iv_len] ^= 0x01;
            let verdict = match cipher.open(&[], &tampered) {
                Ok(_) => "accepted (this should never happen)".to_string(),
                Err(e) => e.to_string(),
            };
            tagged.push(format!("{suite} ({}): {verdict}", spec.standard));
        }
    }
    say(w, r, &format!("→ One bit of ct[0] flipped in {}.", tagged.join("; ")))?;
    let ecb = bodies.iter().find(|(s, ..)| *s == Suite::Ecb).map(|(_, _, b)| b.as_slice()).unwrap_or(&[]);
    Ok(ecb[..ecb.len().min(16)].to_vec())
}

/// A `Write` into a shared buffer: the chat printers' page, copied into the
/// tour's output once each exchange is over.
struct Page(Arc<Mutex<Vec<u8>>>);

impl Write for Page {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The chat section: the real server (`serve --echo`) and the real client
/// (`connect --send`) on a free loopback port, once per suite. The gcm
/// exchange is shown in full, handshake and all; the others in a line each.
fn chat(
    w: &mut dyn Write,
    r: &Renderer,
    sections: &mut Sections,
    keys: &KeyMaterial,
    seed: Option<u64>,
    ecb_block: &[u8],
) -> io::Result<()> {
    sections.heading(w, r, "Over the wire: a real chat on 127.0.0.1")?;
    say(
        w,
        r,
        "The real server and client on a loopback port; the server echoes. A frame is a 16-byte \
         header (docs/PROTOCOL.md) and a body. In gcm, the client's frames:",
    )?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut others = Vec::new();
    let mut chat_block = None;
    for (i, suite) in [Suite::Gcm, Suite::Ecb, Suite::Cbc, Suite::CbcHmac].into_iter().enumerate() {
        let psk = Some(Arc::new(Psk::new(keys)));
        let native = NativeKeys::Handshake(Config { suite, psk, aes_len: keys.enc.len() });
        let seen = Collector::new();
        let seed = seed.map(|s| s.wrapping_add(1000 * i as u64));
        // ecb gets the message with the repeated block: one frame shows it.
        let text = if suite == Suite::Ecb { "Meet me at noon.Meet me at noon." } else { "Meet me at noon." };
        let end = rt.block_on(async {
            let listener = server::listen(SocketAddr::from(([127, 0, 0, 1], 0)))?;
            let port = listener.local_addr()?.port();
            let opts = ServeOptions {
                speak: Speak::Native { keys: native.clone(), seed: seed.map(|s| s ^ 0x5e5e) },
                flow: Flow::FullDuplex,
                echo: true,
                limits: Limits::default(),
                leak_padding: false,
            };
            tokio::spawn(server::serve(listener, opts, None, Arc::new(Events::new())));
            let stream = TcpStream::connect(("127.0.0.1", port)).await?;
            let opts = ConnectOptions {
                speak: Speak::Native { keys: native, seed },
                flow: Flow::FullDuplex,
                name: "tour".into(),
                script: true,
                timeout: Duration::from_secs(5),
                limits: Limits::default(),
            };
            client::connect(stream, opts, one_line(text), Events::to(seen.clone())).await
        })?;
        let frames: Vec<Frame> = seen
            .events()
            .into_iter()
            .filter_map(|e| if let Event::Frame(f) = e { Some(f) } else { None })
            .collect();
        if !matches!(end, client::End::Done) || !frames.iter().any(|f| f.is_message) {
            say(w, r, &format!("  {suite}: the exchange did not complete"))?;
            continue;
        }
        if suite == Suite::Ecb {
            chat_block = frames.iter().find(|f| f.dir == Dir::Out && f.is_message).and_then(|f| {
                let ct = f.spans.iter().find(|s| s.label == "ct[0]")?;
                Some(f.bytes[ct.range.clone()].to_vec())
            });
        }
        if suite == Suite::Gcm {
            exchange_in_full(w, r, &frames)?;
        } else {
            others.push(summary(suite, &frames));
        }
    }
    say(w, r, "The client's message in the others (each echo under the server's own key):")?;
    for line in others {
        say(w, r, &line)?;
    }
    // Compared, not assumed: the same block under the key file (section 1)
    // and under this connection's ecb key.
    let hex4 = |b: &[u8]| format!("{}…", hex::encode(&b[..b.len().min(4)]));
    match chat_block {
        Some(b) if b != ecb_block => say(
            w,
            r,
            &format!(
                "→ ecb's ct[0] here is {}, not section 1's {}: same block, same key file, but \
                 the handshake gave each connection and direction its own keys.",
                hex4(&b),
                hex4(ecb_block)
            ),
        ),
        Some(b) => say(w, r, &format!("→ ecb's ct[0] here is {}, as in section 1: the same key.", hex4(&b))),
        None => Ok(()),
    }
}

/// The gcm exchange: the handshake frames as one line each, explained, then
/// the message frame's every byte, and the echo.
fn exchange_in_full(w: &mut dyn Write, r: &Renderer, frames: &[Frame]) -> io::Result<()> {
    let message = frames.iter().position(|f| f.is_message).unwrap_or(frames.len());
    for f in &frames[..message] {
        say(w, r, &format!("  {}", Event::Frame(f.clone()).line()))?;
    }
    let n = frames[..message].iter().filter(|f| f.dir == Dir::Out).count() + 1;
    say(
        w,
        r,
        &format!(
            "→ The handshake: each side sends a fresh random and an X25519 key, then a MAC over \
             all sent so far with the key file, proving it holds the same file; HKDF-SHA256 derives \
             keys for each direction of this connection (RFC 8446 §7.1). The hello (seq 0) carries \
             the client's name under them; the message is out#{n}:"
        ),
    )?;
    let page = Arc::new(Mutex::new(Vec::new()));
    let full = TextObserver::new(Detail::Full, *r, Box::new(Page(page.clone())));
    let mut echoed = None;
    for f in &frames[message..] {
        if f.dir == Dir::Out && f.is_message {
            full.observe(&Event::Frame(f.clone()));
        } else if f.dir == Dir::In && f.is_message && echoed.is_none() {
            echoed = Some(f.clone());
        }
    }
    w.write_all(&page.lock().unwrap_or_else(|e| e.into_inner()))?;
    if let Some(f) = echoed {
        let text = f.text.as_deref().map(show_text).unwrap_or_default();
        say(w, r, &format!("  {}: \"{}\"", Event::Frame(f.clone()).line(), crate::events::visible(&text)))?;
    }
    Ok(())
}

/// One line for a suite's exchange: the client's message frame's size and
/// fields, and what its blocks show.
fn summary(suite: Suite, frames: &[Frame]) -> String {
    let Some(f) = frames.iter().find(|f| f.dir == Dir::Out && f.is_message) else {
        return format!("  {:<9} no message frame", suite.name());
    };
    let fields: Vec<&str> = f
        .spans
        .iter()
        .filter(|s| s.range.start >= crate::wire::HEADER_LEN && !s.label.is_empty())
        .map(|s| s.label.as_str())
        .collect();
    let repeated = f
        .spans
        .iter()
        .filter(|s| s.label.starts_with("ct["))
        .map(|s| &f.bytes[s.range.clone()])
        .collect::<Vec<_>>();
    let repeat = repeated.len() > 1 && repeated[1] == repeated[0];
    format!(
        "  {:<9} {} bytes: header {}{}",
        suite.name(),
        f.bytes.len(),
        fields.join(" "),
        if repeat { "; ct[1] = ct[0], in one frame" } else { "" }
    )
}

/// The one line a scripted client sends.
fn one_line(text: &str) -> tokio::sync::mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let _ = tx.try_send(text.as_bytes().to_vec());
    rx
}

/// Two classroom wire formats (`--wire`), each with the real server, a
/// keyless proxy flipping IV byte 4, and the real client. What the server
/// did is read from its events (a frame it opened, or a rejection).
fn classroom(w: &mut dyn Write, r: &Renderer, sections: &mut Sections) -> io::Result<()> {
    use crate::net::proxy::{self, ProxyOptions};
    use crate::profiles::{Format, FormatKeys, Wire};

    sections.heading(w, r, "Classroom formats: speaking students' own AES programs (--wire)")?;
    say(
        w,
        r,
        "Five formats of classroom programs (docs/PROTOCOL.md, lab 10); two here, through a \
         keyless proxy flipping bit 0x08 of IV byte 4 ('1' → '9' if CBC lets it):",
    )?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    for (format, flip) in [(Format::B64IvCt, "flip:1:4:08"), (Format::LenIvCtHmac, "flip:1:8:08")] {
        let keys = FormatKeys::Aes {
            key: b"Sixteen byte key".to_vec(),
            mac: Some(b"class mac key".to_vec()),
            iv: None,
        };
        let server_saw = Collector::new();
        let end = rt.block_on(async {
            let listener = server::listen(SocketAddr::from(([127, 0, 0, 1], 0)))?;
            let upstream = format!("127.0.0.1:{}", listener.local_addr()?.port());
            let speak = Speak::Format { format, keys };
            let opts = ServeOptions {
                speak: speak.clone(),
                flow: speak.flow(),
                echo: true,
                limits: Limits::default(),
                leak_padding: false,
            };
            tokio::spawn(server::serve(listener, opts, None, Events::to(server_saw.clone())));
            let listener = server::listen(SocketAddr::from(([127, 0, 0, 1], 0)))?;
            let port = listener.local_addr()?.port();
            let rules = vec![flip.parse().map_err(io::Error::other)?];
            let opts = ProxyOptions {
                wire: Wire::Format(format),
                upstream,
                rules,
                limits: Limits::default(),
                mitm: None,
                rewrite: Vec::new(),
                oracle: None,
            };
            tokio::spawn(proxy::proxy(listener, opts, Arc::new(Events::new())));
            let stream = TcpStream::connect(("127.0.0.1", port)).await?;
            let opts = ConnectOptions {
                flow: speak.flow(),
                speak,
                name: String::new(),
                script: true,
                timeout: Duration::from_millis(300),
                limits: Limits::default(),
            };
            client::connect(stream, opts, one_line("pay 10 to bob"), Arc::new(Events::new())).await
        })?;
        let seen = server_saw.events();
        let read = seen.iter().find_map(|e| {
            let Event::Frame(f) = e else { return None };
            (f.dir == Dir::In && f.is_message && f.n == 1).then(|| f.text.as_deref().map(show_text))?
        });
        let refused = seen.iter().find_map(|e| {
            let Event::Rejected { reason, n: 1, .. } = e else { return None };
            Some(reason.clone())
        });
        // One line for what was sent and what became of it, one for the verdict.
        let name = format.name();
        match (read, refused) {
            (Some(text), _) => {
                let text = crate::events::visible(&text);
                say(w, r, &format!("  {name}: sent \"pay 10 to bob\", the server read \"{text}\""))?;
                if text == "pay 90 to bob" {
                    say(w, r, "    BROKEN: the server accepted a message nobody with the key wrote")?;
                } else {
                    say(w, r, "    (the flip did not reach the server as planned)")?;
                }
            }
            (None, Some(why)) => {
                let why = crate::events::visible(&why);
                say(w, r, &format!("  {name}: sent \"pay 10 to bob\", the server refused: {why}"))?;
                say(w, r, "    REFUSED: the HMAC over IV ‖ ciphertext caught the flip")?;
            }
            (None, None) => say(w, r, &format!("  {name}: the exchange did not complete: {end:?}"))?,
        }
    }
    say(
        w,
        r,
        "→ Yet len-iv-ct-hmac's MAC covers no sequence number: lab 10 replays a message past it, \
         and reads b64-iv-ct from the server's error replies.",
    )
}

/// The attacks: each demo of the registry ([`crate::demos::DEMOS`]) marked
/// for the tour runs its headline for real, and the tour prints its
/// verdicts, one demo to a line or two; the challenge demos, which start
/// servers of their own, are counted in one line. `cryptolab demo NAME`
/// tells the whole story.
fn attacks<R: CryptoRng + ?Sized>(
    w: &mut dyn Write,
    r: &Renderer,
    sections: &mut Sections,
    keys: &KeyMaterial,
    rng: &mut R,
) -> io::Result<()> {
    sections.heading(w, r, "Breaking the weak suites (cryptolab demo NAME)")?;
    say(w, r, "Each demo's headline, run for real (BROKEN only where the result was checked):")?;
    let seen = Collector::new();
    let mut ctx = DemoCtx::with_keys(Events::to(seen.clone()), keys.clone(), rng.next_u64());
    let mut before = 0;
    let width = DEMOS.iter().filter(|d| d.tour).map(|d| d.name.len()).max().unwrap_or(0);
    for demo in DEMOS.iter().filter(|d| d.tour) {
        (demo.headline)(&mut ctx).map_err(io::Error::other)?;
        let verdicts = seen.verdicts();
        let verdicts = &verdicts[before..];
        before += verdicts.len();
        let mut words = Vec::new();
        for outcome in [Outcome::Broken, Outcome::Refused] {
            let subjects: Vec<&str> =
                verdicts.iter().filter(|v| v.outcome == outcome).map(|v| v.subject.as_str()).collect();
            if !subjects.is_empty() {
                words.push(format!("{} {}", outcome.word(), subjects.join(", ")));
            }
        }
        let verdict =
            if words.is_empty() { String::from("(a measurement, no verdict)") } else { words.join("; ") };
        say(w, r, &format!("  {:<width$} {verdict}", demo.name))?;
    }
    let live = DEMOS.iter().filter(|d| !d.tour).count();
    if live > 0 {
        say(
            w,
            r,
            &format!("→ {live} more each break a live challenge server over TCP (cryptolab demo --help)."),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mode_table_has_a_row_per_suite_within_80_columns() {
        let table = mode_table();
        assert_eq!(table.len(), 1 + Suite::ALL.len());
        for (line, suite) in table[1..].iter().zip(Suite::ALL) {
            assert!(line.starts_with(&format!("  {suite} ")), "{line}");
        }
        for line in &table {
            assert!(line.chars().count() <= 80, "{} columns: {line}", line.chars().count());
        }
    }
}
