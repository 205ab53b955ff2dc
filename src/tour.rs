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
//! ([`crate::attacks::DEMOS`]): each demo's headline, run for real, so a new
//! demo appears here without a line of tour code. The tour numbers its
//! sections as it prints them.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use rand::CryptoRng;
use tokio::net::TcpStream;

use crate::attacks::{DEMOS, DemoCtx};
use crate::events::{Collector, Detail, Dir, Event, Events, TextObserver, show_text};
use crate::keys::KeyMaterial;
use crate::net::Limits;
use crate::net::client::{self, ConnectOptions};
use crate::net::server::{self, ServeOptions};
use crate::profiles::Flow;
use crate::render::{Dump, Renderer};
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
    r.paint(w, Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), "INSECURE")?;
    writeln!(w, ": {reason}")
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
    writeln!(w, "AES-{} with {origin} (fingerprint {}).", keys.bits(), keys.fingerprint())?;

    let mut sections = Sections::default();
    sections.heading(w, r, "The message")?;
    writeln!(
        w,
        "{} bytes; blocks pt[0] and pt[1] are the same 16 bytes. Watch what each suite does with them.",
        MESSAGE.len()
    )?;
    let padded = crate::suite::pkcs7::pad(MESSAGE);
    r.render(
        w,
        &Dump::new("plaintext, PKCS#7-padded", &padded)
            .spans(layout::plaintext_spans(MESSAGE.len(), padded.len())),
    )?;

    for suite in WALKED {
        let cipher = Cipher::new(suite, &keys.enc, keys.mac()).map_err(io::Error::other)?;
        let body = cipher.seal(&[], MESSAGE, rng);
        sections.heading(w, r, suite.name())?;
        if let Some(reason) = suite.insecure_reason() {
            insecure(w, r, reason)?;
        }
        let title = format!("{suite} body, {} bytes", body.len());
        r.render(w, &Dump::new(title, &body).spans(layout::body_spans(suite, 0, body.len())))?;
        let spec = suite.spec();
        writeln!(w, "→ {} ({})", spec.explain, spec.standard)?;
        if spec.authenticated {
            let mut tampered = body.clone();
            let at = spec.iv_len;
            tampered[at] ^= 0x01;
            let verdict = match cipher.open(&[], &tampered) {
                Ok(_) => "accepted (this should never happen)".to_string(),
                Err(e) => e.to_string(),
            };
            writeln!(w, "  Flip one bit of ct[0] (byte {at}) and open it: {verdict}.")?;
        }
    }

    sections.heading(w, r, "Every suite side by side")?;
    writeln!(w, "The four above and the stream modes of SP 800-38A (`encrypt --mode ctr --explain`):")?;
    for line in mode_table() {
        writeln!(w, "{line}")?;
    }
    let names = |keep: fn(&crate::suite::SuiteSpec) -> bool| {
        Suite::ALL.iter().filter(|s| keep(s.spec())).map(|s| s.name()).collect::<Vec<_>>().join(" and ")
    };
    let exact = names(|s| !s.authenticated && s.garbles == Garbles::Nothing);
    writeln!(w, "→ Without a MAC no edit is noticed for what it is: in {exact} a flipped bit lands exactly")?;
    writeln!(
        w,
        "  where the attacker put it (cryptolab demo bitflip). Only {} notice.",
        names(|s| s.authenticated)
    )?;

    chat(w, r, &mut sections, keys, chat_seed)?;

    attacks(w, r, &mut sections, keys, rng)?;

    sections.heading(w, r, "Before AES: the classical ciphers, broken by statistics")?;
    let seed = chat_seed.unwrap_or_else(|| rng.next_u64());
    crate::classical::tour_section(w, r.is_color(), seed)?;

    classroom(w, r, &mut sections)?;

    heading(w, r, "Next")?;
    writeln!(w, "  cryptolab encrypt --mode ecb --explain FILE   see your own data's blocks")?;
    writeln!(w, "  cryptolab serve --mode cbc                    then, in another terminal:")?;
    writeln!(w, "  cryptolab connect --mode cbc                  chat, and watch every frame")?;
    writeln!(
        w,
        "  cryptolab classical mono                      a substitution cipher, cracked by its quadgrams"
    )?;
    writeln!(w, "  cryptolab keygen --bits 256                   a key file of your own (mode 0600)")?;
    writeln!(w, "  cryptolab connect --wire b64-iv-ct --key …    talk to a classmate's AES program")?;
    writeln!(w, "  cryptolab --help                              every command, with examples")?;
    Ok(())
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
/// (`connect --send`) on a free loopback port, once per suite.
fn chat(
    w: &mut dyn Write,
    r: &Renderer,
    sections: &mut Sections,
    keys: &KeyMaterial,
    seed: Option<u64>,
) -> io::Result<()> {
    sections.heading(w, r, "Over the wire: a real chat on 127.0.0.1")?;
    writeln!(w, "A server and a client in this process, on a free loopback port. Every frame is a 16-byte")?;
    writeln!(w, "header (docs/PROTOCOL.md) and the suite's body; the server echoes what the client sends.")?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    for (i, suite) in WALKED.into_iter().enumerate() {
        let psk = Some(Arc::new(Psk::new(keys)));
        let native = NativeKeys::Handshake(Config { suite, psk, aes_len: keys.enc.len() });
        let page = Arc::new(Mutex::new(Vec::new()));
        let seed = seed.map(|s| s.wrapping_add(1000 * i as u64));
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
            let shown = TextObserver::new(Detail::Messages, *r, Box::new(Page(page.clone())));
            let opts = ConnectOptions {
                speak: Speak::Native { keys: native, seed },
                flow: Flow::FullDuplex,
                name: "tour".into(),
                script: true,
                timeout: Duration::from_secs(5),
                limits: Limits::default(),
            };
            client::connect(stream, opts, one_line("Meet me at noon."), Events::to(Arc::new(shown))).await
        })?;
        writeln!(w)?;
        r.paint(w, Style::new().bold(), &format!("{suite}:"))?;
        writeln!(w)?;
        w.write_all(&page.lock().unwrap_or_else(|e| e.into_inner()))?;
        if !matches!(end, client::End::Done) {
            writeln!(w, "  (the exchange did not complete)")?;
        }
    }
    writeln!(w, "→ In ecb the echo repeats the client's blocks exactly (in#2 = out#2). In cbc and gcm")?;
    writeln!(w, "  every frame has a fresh IV/nonce; in cbc-hmac and gcm the tag also covers the header.")?;
    Ok(())
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
    writeln!(w, "cryptolab speaks five ad-hoc formats of classroom programs (docs/PROTOCOL.md, lab 10).")?;
    writeln!(w, "Two of them here, with the text key a class would use, through a keyless proxy that flips")?;
    writeln!(w, "bit 0x08 of IV byte 4 in the client's first message ('1' → '9' if CBC lets it):")?;
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
        writeln!(w)?;
        r.paint(w, Style::new().bold(), &format!("{}:", format.name()))?;
        writeln!(w, " {}", format.spec().weakness)?;
        writeln!(w, "  client sent:    pay 10 to bob")?;
        match (read, refused) {
            (Some(text), _) => {
                writeln!(w, "  server read:    {text}")?;
                if text == "pay 90 to bob" {
                    writeln!(w, "  BROKEN: the server accepted a message nobody with the key wrote")?;
                } else {
                    writeln!(w, "  (the flip did not reach the server as planned)")?;
                }
            }
            (None, Some(why)) => {
                writeln!(w, "  server refused: {why}")?;
                writeln!(w, "  REFUSED: the HMAC over IV ‖ ciphertext caught the flip")?;
            }
            (None, None) => writeln!(w, "  (the exchange did not complete: {end:?})")?,
        }
    }
    writeln!(
        w,
        "→ The MAC stops forgery, but len-iv-ct-hmac's MAC covers no sequence number: lab 10 replays"
    )?;
    writeln!(w, "  a message past it, and decrypts a b64-iv-ct message from the server's error replies.")?;
    Ok(())
}

/// The attacks: each demo of the registry ([`crate::attacks::DEMOS`]) runs
/// its headline for real — a line or two and its verdicts — reported as
/// events and rendered by a [`TextObserver`] into the tour's page.
fn attacks<R: CryptoRng + ?Sized>(
    w: &mut dyn Write,
    r: &Renderer,
    sections: &mut Sections,
    keys: &KeyMaterial,
    rng: &mut R,
) -> io::Result<()> {
    sections.heading(w, r, "Breaking the weak suites (cryptolab demo …)")?;
    let page = Arc::new(Mutex::new(Vec::new()));
    let text = TextObserver::new(Detail::Full, *r, Box::new(Page(page.clone())));
    let mut ctx = DemoCtx::with_keys(Events::to(Arc::new(text)), keys.clone(), rng.next_u64());
    for demo in DEMOS {
        (demo.headline)(&mut ctx).map_err(io::Error::other)?;
        w.write_all(&std::mem::take(&mut *page.lock().unwrap_or_else(|e| e.into_inner())))?;
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
