//! A padding oracle over the network: the attacker's side of
//! `serve --leak-padding-errors`, and of a classroom `b64-iv-ct` server that
//! answers a bad message with `ERROR: bad padding` ([`Base64Oracle`]).
//!
//! The attacker has no key. They send forged frames: a header they write
//! themselves (the header is not authenticated in cbc), then a forged body
//! `X ‖ C_i`. The leaky server answers each one with a notice: `ok` or
//! `bad padding: …`. [`RemoteOracle::ask`] turns that into the yes/no that
//! [`crate::attacks::padding_oracle::attack`] needs. It also keeps the
//! sequence number the server expects, which advances only when a forged frame
//! happens to be accepted.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::suite::Suite;
use crate::wire::{self, HEADER_LEN, Header, Kind};

/// A connection to a leaky server, used as a yes/no oracle.
pub struct RemoteOracle {
    stream: TcpStream,
    suite: Suite,
    next_seq: u64,
    buf: Vec<u8>,
}

impl RemoteOracle {
    /// Connects and reads the server's hello (which the attacker cannot
    /// open). Only a `--static-keys` server sends one first; a server that
    /// runs the handshake waits for a ClientHello, and after 2 s of silence
    /// this gives up with [`io::ErrorKind::TimedOut`].
    pub fn connect(target: &str, suite: Suite) -> io::Result<Self> {
        let stream = TcpStream::connect(target)?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream.set_nodelay(true)?;
        let mut oracle = RemoteOracle { stream, suite, next_seq: 0, buf: Vec::new() };
        oracle.read_frame().map_err(|e| {
            if e.kind() == io::ErrorKind::WouldBlock { io::Error::new(io::ErrorKind::TimedOut, e) } else { e }
        })?;
        oracle.stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        Ok(oracle)
    }

    fn read_frame(&mut self) -> io::Result<Header> {
        let mut head = [0u8; HEADER_LEN];
        self.stream.read_exact(&mut head)?;
        let header = Header::decode(&head, wire::DEFAULT_MAX_BODY).map_err(io::Error::other)?;
        self.buf.resize(header.len as usize, 0);
        self.stream.read_exact(&mut self.buf)?;
        Ok(header)
    }

    /// Sends `body` as the next frame; `true` unless the server says the
    /// padding was bad.
    pub fn ask(&mut self, body: &[u8]) -> io::Result<bool> {
        let kind = if self.next_seq == 0 { Kind::Hello } else { Kind::Message };
        let header = Header { suite: self.suite, kind, seq: self.next_seq, len: body.len() as u32 };
        let mut frame = header.encode().to_vec();
        frame.extend_from_slice(body);
        self.stream.write_all(&frame)?;
        loop {
            if self.read_frame()?.kind != Kind::Notice {
                continue; // an echo of an accepted forgery: not the answer
            }
            let text = String::from_utf8_lossy(&self.buf);
            if text == "ok" {
                self.next_seq += 1;
                return Ok(true);
            }
            return Ok(!text.starts_with("bad padding"));
        }
    }
}

/// A connection to a classroom `b64-iv-ct` server that answers each message:
/// an encrypted reply when it decrypted, `ERROR: bad padding` in clear when
/// the padding was wrong. That answer is the whole oracle.
pub struct Base64Oracle {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Base64Oracle {
    /// Connects (the format has no handshake).
    pub fn connect(target: &str) -> io::Result<Self> {
        let stream = TcpStream::connect(target)?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.set_nodelay(true)?;
        Ok(Base64Oracle { stream, buf: Vec::new() })
    }

    /// Sends `body` (forged IV ‖ block) as base64; `true` unless the server
    /// says the padding was bad.
    pub fn ask(&mut self, body: &[u8]) -> io::Result<bool> {
        use base64::Engine as _;
        let text = base64::engine::general_purpose::STANDARD.encode(body);
        self.stream.write_all(text.as_bytes())?;
        self.buf.clear();
        let mut chunk = [0u8; 4096];
        loop {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
            let plain = self.buf.starts_with(b"ERROR");
            if plain {
                let said = String::from_utf8_lossy(&self.buf).to_lowercase();
                return Ok(!said.contains("padding"));
            }
            // An encrypted reply: whole once its base64 is.
            if self.buf.len().is_multiple_of(4) {
                return Ok(true);
            }
        }
    }
}
