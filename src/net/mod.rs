//! The network side: one server, one client and one proxy, for cryptolab's
//! own frames and for every classroom format — sockets live here and
//! nowhere else.
//!
//! What is spoken on a connection is a [`crate::session::channel::Channel`]
//! (pure protocol state); this module moves its messages over TCP:
//! [`reader::Reader`] finds whole messages in the byte stream (bounded by
//! size, idle and frame timeouts), [`server`] serves many clients with one
//! task each, [`client`] is `connect`, [`proxy`] is the keyless man in the
//! middle with its tamper [`rules`]. One function per flow (full duplex,
//! lock-step, one-way) serves every channel. Everything they report is an
//! [`crate::events::Event`]; none of them prints.
//!
//! Reading is bounded three ways, so one hostile or slow peer costs only its
//! own connection: the length is checked before anything waits for the body,
//! a started message must finish within the frame timeout (a
//! one-byte-per-second client is cut off), and a connection with no message
//! for the idle timeout is closed.

pub mod bench;
pub mod client;
mod inbox;
pub mod oracle;
pub mod proxy;
pub mod reader;
pub mod rules;
pub mod server;

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::session::channel::ChannelError;
use crate::wire::{self, HEADER_LEN, Header, WireError};

/// Why a connection was closed or a message refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The frame is malformed; the stream cannot be trusted after it.
    #[error("{0}")]
    Wire(#[from] WireError),
    /// The peer closed the connection in the middle of a frame.
    #[error("connection closed mid-frame after {have} of {need} bytes")]
    ClosedMidFrame {
        /// Bytes received.
        have: usize,
        /// Bytes the frame needed.
        need: usize,
    },
    /// No frame started within the idle timeout.
    #[error("idle for {0} s with no frame")]
    Idle(u64),
    /// A frame was started but not finished within the frame timeout.
    #[error("frame not completed within {0} s (too slow)")]
    SlowFrame(u64),
    /// The message was read, but refused (or a format's bytes are not one).
    #[error("{0}")]
    Channel(#[from] ChannelError),
    /// The process's budget for buffered messages is spent (`--memory-budget`).
    #[error("the memory budget for arriving messages ({} MiB, --memory-budget) is spent", .0 >> 20)]
    Budget(usize),
    /// A socket error.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// What was wrong with the `n`th message received from `peer`: the
    /// reason a session ends, with the frame it ended at.
    #[error("{unit} {n} from {peer}: {error}")]
    At {
        /// `frame`, or `message` in a classroom format.
        unit: &'static str,
        /// Its number, counting from 1 (as the dumps do).
        n: u64,
        /// Who sent it (`server`).
        peer: &'static str,
        /// What was wrong.
        error: Box<NetError>,
    },
}

impl NetError {
    /// Whether the stream can still be read after this: a bad message in a
    /// delimited format can be skipped; a bad native frame, a bad length
    /// prefix or a timeout cannot.
    pub fn is_fatal(&self) -> bool {
        match self {
            NetError::Channel(ChannelError::Format(e)) => e.is_fatal(),
            NetError::Channel(ChannelError::Open(_) | ChannelError::Handshake { .. })
            | NetError::Wire(_)
            | NetError::ClosedMidFrame { .. }
            | NetError::Idle(_)
            | NetError::SlowFrame(_)
            | NetError::Budget(_)
            | NetError::Io(_) => true,
            NetError::At { error, .. } => error.is_fatal(),
        }
    }

    /// The error itself, without the frame it was found at.
    pub fn reason(&self) -> &NetError {
        if let NetError::At { error, .. } = self { error.reason() } else { self }
    }
}

impl From<crate::session::OpenError> for NetError {
    fn from(e: crate::session::OpenError) -> Self {
        NetError::Channel(ChannelError::Open(e))
    }
}

/// Limits on reading from a peer.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest body accepted (checked before allocating).
    pub max_body: u32,
    /// A connection with no frame for this long is closed.
    pub idle: Duration,
    /// A frame must arrive whole within this long once its first byte is in.
    pub frame: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: wire::DEFAULT_MAX_BODY,
            idle: Duration::from_secs(300),
            frame: Duration::from_secs(10),
        }
    }
}

/// Reads one whole frame (header + body). `Ok(None)` on a clean close
/// between frames.
pub async fn read_frame<R: AsyncRead + Unpin>(
    r: &mut R,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, NetError> {
    let mut frame = Vec::new();
    Ok(read_frame_into(r, limits, &mut frame).await?.then_some(frame))
}

/// Reads one whole frame into `frame` (resized; a reused buffer costs no
/// allocation). `Ok(false)` on a clean close between frames.
pub async fn read_frame_into<R: AsyncRead + Unpin>(
    r: &mut R,
    limits: &Limits,
    frame: &mut Vec<u8>,
) -> Result<bool, NetError> {
    let mut head = [0u8; HEADER_LEN];
    let first = tokio::time::timeout(limits.idle, r.read(&mut head[..1]))
        .await
        .map_err(|_| NetError::Idle(limits.idle.as_secs()))??;
    if first == 0 {
        return Ok(false);
    }
    let rest = async {
        let mut have = 1;
        while have < HEADER_LEN {
            match r.read(&mut head[have..]).await? {
                0 => return Err(NetError::ClosedMidFrame { have, need: HEADER_LEN }),
                n => have += n,
            }
        }
        // The length is checked here, before the body buffer is sized.
        let header = Header::decode(&head, limits.max_body)?;
        let need = HEADER_LEN + header.len as usize;
        frame.resize(need, 0);
        frame[..HEADER_LEN].copy_from_slice(&head);
        while have < need {
            match r.read(&mut frame[have..]).await? {
                0 => return Err(NetError::ClosedMidFrame { have, need }),
                n => have += n,
            }
        }
        Ok(true)
    };
    tokio::time::timeout(limits.frame, rest).await.map_err(|_| NetError::SlowFrame(limits.frame.as_secs()))?
}
