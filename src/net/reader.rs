//! Whole messages out of a byte stream, for every channel — bounded by size,
//! by time, and by what has actually arrived.
//!
//! TCP delivers bytes, not messages: a frame may arrive in pieces, or two in
//! one read. [`Reader::next`] gathers bytes into its own buffer until the
//! channel's [`Framing`] finds a whole message: a native frame (its header
//! says the length, checked against the limit before anything waits for the
//! body), or a classroom format's message
//! ([`crate::profiles::next_message`]). The buffer grows only as bytes
//! arrive, never to a length a peer claims.
//!
//! Three bounds, so one hostile or slow peer costs only its own connection:
//! a message may be at most `max_body` bytes; once its first byte is in it
//! must be whole within the frame timeout (a one-byte-per-second peer is cut
//! off); and a connection with nothing to say for the idle timeout is
//! closed. Formats without framing end a message when the sender goes quiet
//! for [`SETTLE`] (or the stream ends).
//!
//! `next` is cancel-safe: everything read is kept in the reader, and so is
//! when the current message started, so a `select!` that drops it midway
//! (a broadcast to send) loses nothing and resets no timer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};

use super::{Limits, NetError};
use crate::profiles::{Next, ProfileError, next_message};
use crate::session::channel::{ChannelError, Framing};
use crate::session::handshake;
use crate::wire::{self, HEADER_LEN};

/// How long an unframed message may pause before what has arrived is taken
/// as the whole message.
pub const SETTLE: Duration = Duration::from_secs(1);

/// How much the buffer may grow per read: memory follows bytes received.
const READ_CHUNK: usize = 16 * 1024;
/// The first read into an empty buffer.
const FIRST_READ: usize = 2 * 1024;
/// The most an empty buffer keeps between messages.
const IDLE_KEEP: usize = 4 * 1024;
/// The process-wide budget for message buffers, unless set otherwise.
pub const DEFAULT_BUDGET: usize = 256 << 20;

/// Every `Reader`'s buffer is charged to one budget for the process (a
/// server's, or a proxy's): many connections each sending part of a large
/// message cannot together take more than it. A reader whose next read
/// would go over is refused ([`NetError::Budget`]) and gives its bytes back.
struct Budget {
    limit: AtomicUsize,
    used: AtomicUsize,
}

static BUDGET: Budget = Budget { limit: AtomicUsize::new(DEFAULT_BUDGET), used: AtomicUsize::new(0) };

/// Sets the process's budget for buffered message bytes (`--memory-budget`).
pub fn set_budget(bytes: usize) {
    BUDGET.limit.store(bytes, Ordering::Relaxed);
}

/// Bytes of message buffers the process holds now (for tests and the bench).
pub fn budget_used() -> usize {
    BUDGET.used.load(Ordering::Relaxed)
}

impl Budget {
    /// Takes `n` bytes if they fit.
    fn take(&self, n: usize) -> bool {
        let limit = self.limit.load(Ordering::Relaxed);
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(n).filter(|&total| total <= limit)
            })
            .is_ok()
    }

    fn give(&self, n: usize) {
        self.used.fetch_sub(n, Ordering::Relaxed);
    }
}

/// One message read, or why not.
#[derive(Debug)]
pub enum Got {
    /// A message's bytes as they were on the wire; `note` reports an ambiguity.
    Message(Vec<u8>, Option<String>),
    /// Bytes that are not a message, and why ([`NetError::is_fatal`] says
    /// whether the stream can still be read).
    Bad(NetError, Vec<u8>),
    /// The peer closed the connection between messages.
    End,
}

/// What the buffer holds, as the framing sees it.
enum Parsed {
    Message { range: std::ops::Range<usize>, consumed: usize, note: Option<String> },
    NeedMore,
    Bad(NetError, usize),
}

/// Reads whole messages from a byte stream.
pub struct Reader<R> {
    rd: R,
    buf: Vec<u8>,
    eof: bool,
    limits: Limits,
    /// When the message now arriving started (its first non-blank byte).
    started: Option<Instant>,
    /// With [`Reader::recording`]: every byte that has left the buffer since
    /// the last [`Reader::take_recorded`], and where in them the last
    /// message lies.
    recorded: Option<(Vec<u8>, Option<std::ops::Range<usize>>)>,
    /// The buffer capacity charged to the process's budget.
    charged: Charged,
}

/// Bytes charged to the budget, given back when the reader goes.
struct Charged(usize);

impl Drop for Charged {
    fn drop(&mut self) {
        BUDGET.give(self.0);
    }
}

impl<R: AsyncRead + Unpin> Reader<R> {
    /// A reader over `rd`; `limits.max_body` bounds a message.
    pub fn new(rd: R, limits: Limits) -> Self {
        Reader { rd, buf: Vec::new(), eof: false, limits, started: None, recorded: None, charged: Charged(0) }
    }

    /// The same reader, keeping every byte it takes off the stream — the
    /// whitespace between text messages, a message's line end, bytes that are
    /// not a message — for a relay that must pass the stream on exactly
    /// (the proxy). Read them with [`Reader::take_recorded`].
    pub fn recording(mut self) -> Self {
        self.recorded = Some((Vec::new(), None));
        self
    }

    /// The bytes taken off the stream since the last call (with
    /// [`Reader::recording`]; empty otherwise), and where the last message
    /// returned lies in them.
    pub fn take_recorded(&mut self) -> (Vec<u8>, Option<std::ops::Range<usize>>) {
        match self.recorded.as_mut() {
            Some(rec) => std::mem::take(rec),
            None => (Vec::new(), None),
        }
    }

    /// Notes that the first `n` bytes of the buffer leave it.
    fn record(&mut self, n: usize) {
        if let Some((bytes, _)) = self.recorded.as_mut() {
            bytes.extend_from_slice(&self.buf[..n.min(self.buf.len())]);
        }
    }

    /// Takes the whole buffer (bytes that are not a message).
    fn take_all(&mut self) -> Vec<u8> {
        self.record(self.buf.len());
        std::mem::take(&mut self.buf)
    }

    /// Drops whitespace between messages, keeping the buffer's capacity for
    /// the next read (this runs between every two messages).
    fn discard_blank(&mut self) {
        self.record(self.buf.len());
        self.buf.clear();
    }

    /// Whether bytes of a message are waiting in the buffer.
    fn blank(&self, text: bool) -> bool {
        if text { self.buf.iter().all(u8::is_ascii_whitespace) } else { self.buf.is_empty() }
    }

    fn parse(&self, framing: &Framing, settled: bool) -> Parsed {
        match framing {
            Framing::Format(expect, codec) => {
                match next_message(
                    *expect,
                    &self.buf,
                    settled,
                    codec.as_deref(),
                    self.limits.max_body as usize,
                ) {
                    Next::Message { range, consumed, note } => Parsed::Message { range, consumed, note },
                    Next::NeedMore => Parsed::NeedMore,
                    Next::Bad { error, consumed } => {
                        Parsed::Bad(NetError::Channel(ChannelError::Format(error)), consumed)
                    }
                }
            }
            Framing::Handshake => match wire::take_frame(&self.buf, handshake::MAX_BODY) {
                Ok(Some((_, _, used))) => Parsed::Message { range: 0..used, consumed: used, note: None },
                Ok(None) => Parsed::NeedMore,
                Err(e) => Parsed::Bad(NetError::Wire(e), self.buf.len()),
            },
            Framing::Native => match wire::take_frame(&self.buf, self.limits.max_body) {
                Ok(Some((_, _, used))) => Parsed::Message { range: 0..used, consumed: used, note: None },
                Ok(None) => Parsed::NeedMore,
                Err(e) => Parsed::Bad(NetError::Wire(e), self.buf.len()),
            },
        }
    }

    /// Why the bytes left at the end of the stream are not a whole message.
    fn cut_short(&self, framing: &Framing) -> NetError {
        match framing {
            Framing::Format(..) => NetError::Channel(ChannelError::Format(ProfileError::Truncated(format!(
                "the connection closed after {} bytes of a message",
                self.buf.len()
            )))),
            Framing::Native | Framing::Handshake => {
                let need = match self.buf.first_chunk::<HEADER_LEN>() {
                    None => HEADER_LEN,
                    Some(head) => {
                        HEADER_LEN + wire::Header::decode(head, u32::MAX).map_or(0, |h| h.len as usize)
                    }
                };
                NetError::ClosedMidFrame { have: self.buf.len(), need }
            }
        }
    }

    fn take_bad(&mut self, error: NetError, consumed: usize) -> Got {
        self.record(consumed);
        let bytes: Vec<u8> = self.buf.drain(..consumed.min(self.buf.len())).collect();
        if error.is_fatal() {
            self.eof = true; // the stream is out of step: stop reading it
        }
        self.started = None;
        Got::Bad(error, bytes)
    }

    /// The next message, found by `framing`.
    ///
    /// # Errors
    /// Socket errors, and [`NetError::Idle`] when nothing arrives for the
    /// idle timeout.
    pub async fn next(&mut self, framing: &Framing) -> Result<Got, NetError> {
        let (text, settles) = match framing {
            Framing::Native | Framing::Handshake => (false, false),
            Framing::Format(expect, _) => (expect.is_text(), expect.settles()),
        };
        let max = self.limits.max_body as usize;
        let mut settled = self.eof;
        if self.started.is_none() && !self.blank(text) {
            self.started = Some(Instant::now());
        }
        loop {
            match self.parse(framing, settled) {
                Parsed::Message { range, consumed, note } => {
                    let bytes = self.buf[range.clone()].to_vec();
                    if let Some((rec, at)) = self.recorded.as_mut() {
                        *at = Some(rec.len() + range.start..rec.len() + range.end);
                    }
                    self.record(consumed);
                    self.buf.drain(..consumed);
                    if self.buf.is_empty() && self.buf.capacity() > IDLE_KEEP {
                        // Between messages a connection keeps little: ten
                        // thousand idle clients must not each hold a large
                        // message's buffer.
                        self.buf = Vec::new();
                        self.charge();
                    }
                    self.started = (!self.blank(text)).then(Instant::now);
                    return Ok(Got::Message(bytes, note));
                }
                Parsed::Bad(error, consumed) => return Ok(self.take_bad(error, consumed)),
                Parsed::NeedMore => {}
            }
            if self.eof {
                if self.blank(text) {
                    self.discard_blank();
                    return Ok(Got::End);
                }
                if settled {
                    let error = self.cut_short(framing);
                    let n = self.buf.len();
                    return Ok(self.take_bad(error, n));
                }
                settled = true;
                continue;
            }
            let wait = match self.started {
                None => self.limits.idle,
                Some(t) => {
                    let left = self.limits.frame.saturating_sub(t.elapsed());
                    if left.is_zero() {
                        let secs = self.limits.frame.as_secs();
                        let error = match framing {
                            Framing::Native | Framing::Handshake => NetError::SlowFrame(secs),
                            Framing::Format(..) => {
                                NetError::Channel(ChannelError::Format(ProfileError::Truncated(format!(
                                    "{} bytes, and no more for {secs} s",
                                    self.buf.len()
                                ))))
                            }
                        };
                        self.eof = true;
                        self.started = None;
                        return Ok(Got::Bad(error, self.take_all()));
                    }
                    if settles && !settled { SETTLE.min(left) } else { left }
                }
            };
            if self.blank(text) {
                self.discard_blank();
            }
            // A safety net under the framings' own limits: no buffer grows
            // past one message (base64 at 4/3) and a read's worth.
            if self.buf.len() > max / 3 * 4 + HEADER_LEN + 64 * 1024 {
                let len = self.buf.len();
                let error = NetError::Channel(ChannelError::Format(ProfileError::TooLong { len, max }));
                self.eof = true;
                return Ok(Got::Bad(error, self.take_all()));
            }
            // A first read of a small size (most messages are small); a
            // message that turns out larger grows the buffer a chunk at a
            // time, as its bytes arrive.
            self.buf.reserve(if self.buf.is_empty() { FIRST_READ } else { READ_CHUNK });
            if !self.charge() {
                // Over the process's budget: this connection gives way, not
                // the process (and not the connections within it).
                self.buf = Vec::new();
                self.charge();
                self.eof = true;
                let limit = BUDGET.limit.load(Ordering::Relaxed);
                return Ok(Got::Bad(NetError::Budget(limit), Vec::new()));
            }
            match tokio::time::timeout(wait, self.rd.read_buf(&mut self.buf)).await {
                Ok(Ok(0)) => self.eof = true,
                Ok(Ok(_)) => {
                    settled = false;
                    if self.started.is_none() && !self.blank(text) {
                        self.started = Some(Instant::now());
                    }
                }
                Ok(Err(e)) => return Err(NetError::Io(e)),
                Err(_) if self.started.is_none() => return Err(NetError::Idle(self.limits.idle.as_secs())),
                Err(_) => settled = true,
            }
        }
    }

    /// Charges the buffer's capacity to the budget (or gives back what it no
    /// longer holds); `false` when the budget cannot cover it.
    fn charge(&mut self) -> bool {
        let cap = self.buf.capacity();
        let charged = self.charged.0;
        if cap > charged {
            if !BUDGET.take(cap - charged) {
                return false;
            }
        } else {
            BUDGET.give(charged - cap);
        }
        self.charged.0 = cap;
        true
    }

    /// The stream underneath (to drain it before closing).
    pub fn stream(&mut self) -> &mut R {
        &mut self.rd
    }

    /// The stream and whatever was read but not taken as a message.
    pub fn into_parts(self) -> (R, Vec<u8>) {
        (self.rd, self.buf)
    }
}
