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
//!
//! The timeouts cost almost nothing per message: each reader keeps one
//! timer (`Deadline`) that is moved only when a deadline comes *earlier*
//! than the one it is set for. A later deadline (the idle timeout, pushed
//! on by every message) leaves it alone; when it fires early the reader
//! looks at the clock and sets it again. A connection exchanging thousands
//! of messages a second so touches the runtime's timer wheel about once per
//! idle timeout instead of twice per message (`docs/PERFORMANCE.md`).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::Sleep;

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
    /// The one timer behind every wait.
    deadline: Deadline,
}

/// One timer for a reader's waits, set lazily: [`Deadline::within`] moves it
/// only to an earlier instant, and a timer that fires before the deadline it
/// now serves is set again. Every deadline is still kept to the timer's
/// precision, and a wait whose future is ready at once never touches it.
#[derive(Default)]
pub(crate) struct Deadline {
    timer: Option<Pin<Box<Sleep>>>,
}

impl Deadline {
    /// Runs `fut` until it finishes (`Some`) or `wait` from now passes (`None`).
    pub(crate) async fn within<F: Future>(&mut self, wait: Duration, fut: F) -> Option<F::Output> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut fut = std::pin::pin!(fut);
        // A future that is ready at once needs no timer.
        if let Poll::Ready(out) = std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await {
            return Some(out);
        }
        loop {
            let timer = self.set_by(deadline);
            tokio::select! {
                biased;
                out = &mut fut => return Some(out),
                () = timer => {
                    if tokio::time::Instant::now() >= deadline {
                        return None;
                    }
                }
            }
        }
    }

    /// The timer, firing no later than `deadline` (possibly earlier).
    fn set_by(&mut self, deadline: tokio::time::Instant) -> Pin<&mut Sleep> {
        let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.deadline() > deadline || timer.is_elapsed() {
            timer.as_mut().reset(deadline);
        }
        timer.as_mut()
    }
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
        Reader {
            rd,
            buf: Vec::new(),
            eof: false,
            limits,
            started: None,
            recorded: None,
            charged: Charged(0),
            deadline: Deadline::default(),
        }
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
                    if let Some((rec, at)) = self.recorded.as_mut() {
                        *at = Some(rec.len() + range.start..rec.len() + range.end);
                    }
                    self.record(consumed);
                    let bytes = if range.start == 0 && consumed == self.buf.len() {
                        // The message is all the buffer holds (the usual
                        // case, one message per read): the buffer itself is
                        // handed over, no copy, and a connection waiting
                        // for its next message holds no buffer at all.
                        let mut bytes = std::mem::take(&mut self.buf);
                        bytes.truncate(range.end);
                        self.charge();
                        bytes
                    } else {
                        let bytes = self.buf[range].to_vec();
                        self.buf.drain(..consumed);
                        if self.buf.is_empty() && self.buf.capacity() > IDLE_KEEP {
                            // Between messages a connection keeps little: ten
                            // thousand idle clients must not each hold a large
                            // message's buffer.
                            self.buf = Vec::new();
                            self.charge();
                        }
                        bytes
                    };
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
                // the process (and not the connections within it). What it
                // holds goes back with the error, so that a relay can pass
                // it on (the proxy loses no byte); its memory leaves the
                // budget now and the heap when the caller drops it.
                let held = self.take_all();
                self.charge();
                self.eof = true;
                self.started = None;
                let limit = BUDGET.limit.load(Ordering::Relaxed);
                return Ok(Got::Bad(NetError::Budget(limit), held));
            }
            match self.deadline.within(wait, self.rd.read_buf(&mut self.buf)).await {
                Some(Ok(0)) => self.eof = true,
                Some(Ok(_)) => {
                    settled = false;
                    if self.started.is_none() && !self.blank(text) {
                        self.started = Some(Instant::now());
                    }
                }
                Some(Err(e)) => return Err(NetError::Io(e)),
                None if self.started.is_none() => return Err(NetError::Idle(self.limits.idle.as_secs())),
                None => settled = true,
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

#[cfg(test)]
mod tests {
    use super::Deadline;
    use std::time::Duration;
    use tokio::time::{Instant, sleep};

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test]
    async fn a_wait_times_out_at_its_deadline_and_not_before() {
        let mut d = Deadline::default();
        let start = Instant::now();
        assert_eq!(d.within(200 * MS, std::future::pending::<()>()).await, None);
        let took = start.elapsed();
        assert!(took >= 200 * MS && took < 5000 * MS, "{took:?}");
    }

    #[tokio::test]
    async fn an_earlier_deadline_moves_the_timer_forward() {
        let mut d = Deadline::default();
        // The timer is set for 10 s from now…
        assert_eq!(d.within(10_000 * MS, sleep(30 * MS)).await, Some(()));
        // …and a 200 ms wait must not last 10 s.
        let start = Instant::now();
        assert_eq!(d.within(200 * MS, std::future::pending::<()>()).await, None);
        let took = start.elapsed();
        assert!(took >= 200 * MS && took < 5000 * MS, "{took:?}");
    }

    #[tokio::test]
    async fn a_timer_set_for_an_earlier_deadline_does_not_cut_a_later_one_short() {
        let mut d = Deadline::default();
        // The timer is set for 100 ms from now; the next wait is for 400 ms.
        assert_eq!(d.within(100 * MS, sleep(20 * MS)).await, Some(()));
        let start = Instant::now();
        assert_eq!(d.within(400 * MS, std::future::pending::<()>()).await, None);
        assert!(start.elapsed() >= 400 * MS, "{:?}", start.elapsed());
        // A stream of messages, each well within its own 150 ms, outlasts
        // the first deadline many times over: none of them times out.
        let start = Instant::now();
        for _ in 0..12 {
            assert_eq!(d.within(150 * MS, sleep(40 * MS)).await, Some(()));
        }
        assert!(start.elapsed() >= 480 * MS);
    }

    /// Two sealed native frames.
    fn frames() -> (Vec<u8>, Vec<u8>) {
        use crate::session::Sealer;
        use crate::suite::{Cipher, Suite};
        use crate::wire::Kind;
        let cipher = std::sync::Arc::new(Cipher::new(Suite::Gcm, &[7; 16], None).unwrap());
        let mut sealer = Sealer::new(cipher);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        sealer.seal_into(Kind::Hello, b"hello", &mut a);
        sealer.seal_into(Kind::Message, b"a message", &mut b);
        (a, b)
    }

    #[tokio::test]
    async fn a_message_that_is_the_whole_buffer_is_handed_over_and_nothing_is_kept() {
        use super::{Got, Reader};
        use crate::session::channel::Framing;
        let (a, b) = frames();
        // One frame per read (as a client that waits for each reply sends):
        // the reader hands its buffer over and holds nothing between them.
        let mut reader = Reader::new(&a[..], crate::net::Limits::default());
        let Got::Message(got, None) = reader.next(&Framing::Native).await.unwrap() else { panic!() };
        assert_eq!(got, a);
        assert_eq!((reader.buf.capacity(), reader.charged.0), (0, 0));
        assert!(matches!(reader.next(&Framing::Native).await.unwrap(), Got::End));
        // Two frames in one read: the first is copied out, the second stays
        // in the buffer until it is taken.
        let both = [a.clone(), b.clone()].concat();
        let mut reader = Reader::new(&both[..], crate::net::Limits::default());
        let Got::Message(got, None) = reader.next(&Framing::Native).await.unwrap() else { panic!() };
        assert_eq!(got, a);
        assert_eq!(reader.buf, b);
        assert!(reader.charged.0 > 0);
        let Got::Message(got, None) = reader.next(&Framing::Native).await.unwrap() else { panic!() };
        assert_eq!(got, b);
        assert_eq!((reader.buf.capacity(), reader.charged.0), (0, 0));
    }

    #[tokio::test]
    async fn a_ready_future_never_sets_the_timer() {
        let mut d = Deadline::default();
        assert_eq!(d.within(100 * MS, async { 7 }).await, Some(7));
        assert!(d.timer.is_none());
    }
}
