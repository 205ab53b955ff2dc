//! The solver's side of the challenge protocol: send one request line, read
//! one answer line. All a built-in solution may use, exactly what a
//! student's script has: a socket.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::SolveError;

/// The longest answer line read (a longer one is a protocol error).
const MAX_ANSWER: usize = 64 * 1024;

/// A connection to a challenge server.
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    requests: u64,
    target: String,
    student: Option<String>,
}

impl Client {
    /// Connects to `target` (`HOST:PORT`) and, if `student` is given, sends
    /// `student NAME` first.
    pub fn connect(target: &str, student: Option<&str>) -> Result<Self, SolveError> {
        let stream = TcpStream::connect(target)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let writer = stream.try_clone()?;
        let mut client = Client {
            reader: BufReader::new(stream),
            writer,
            requests: 0,
            target: target.to_string(),
            student: student.map(str::to_string),
        };
        if let Some(name) = student {
            let answer = client.ask(&format!("student {name}"))?;
            if !answer.starts_with("ok") {
                return Err(SolveError::Protocol(crate::events::visible(&answer)));
            }
            client.requests = 0;
        }
        Ok(client)
    }

    /// Sends one request line and returns the answer line (without its
    /// newline). An `error: …` answer is returned as it is.
    pub fn ask(&mut self, request: &str) -> Result<String, SolveError> {
        self.writer.write_all(format!("{request}\n").as_bytes())?;
        self.requests += 1;
        let mut line = Vec::new();
        let n = (&mut self.reader).take(MAX_ANSWER as u64 + 1).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Err(
                io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection").into()
            );
        }
        if line.last() != Some(&b'\n') {
            return Err(SolveError::Protocol(format!("an answer longer than {MAX_ANSWER} bytes")));
        }
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        String::from_utf8(line).map_err(|_| SolveError::Protocol("an answer that is not text".into()))
    }

    /// Sends `verb HEX(bytes)` and decodes a hex answer.
    pub fn ask_hex(&mut self, verb: &str, bytes: &[u8]) -> Result<Vec<u8>, SolveError> {
        let answer = self.ask(&format!("{verb} {}", hex::encode(bytes)))?;
        hex::decode(&answer).map_err(|_| SolveError::Protocol(crate::events::visible(&answer)))
    }

    /// The server's address, as connected to.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The student this connection said it was, if it said.
    pub fn student(&self) -> Option<&str> {
        self.student.as_deref()
    }

    /// Requests sent so far (not counting `student`).
    pub fn requests(&self) -> u64 {
        self.requests
    }
}
