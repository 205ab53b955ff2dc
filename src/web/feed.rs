//! Streaming a program's events to a browser view in another process.
//!
//! `serve --web 8080` binds 8080 and is the view itself. A second program
//! given the same port (`proxy --web 8080`) finds it taken and becomes a
//! [`Feed`]: it opens one HTTP/1.1 request to the view,
//! `POST /ingest?source=proxy` with `Transfer-Encoding: chunked`, and writes
//! each event as one JSON line in one chunk, for as long as it runs. The
//! view puts them beside its own, so one page shows the proxy's tampering
//! and the server's reaction together.
//!
//! A program must never wait for its audience: events go through a bounded
//! queue ([`QUEUE`]); when the view reads too slowly, or has gone, events
//! are dropped (and counted) rather than slowing the server down.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::events::{Event, Observer};

/// Events waiting to be sent.
pub const QUEUE: usize = 8192;

/// The observer that streams to another process's view.
pub struct Feed {
    queue: mpsc::Sender<String>,
    dropped: Arc<AtomicU64>,
}

impl Feed {
    /// Events dropped so far (the view was slow, or gone).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl Observer for Feed {
    fn observe(&self, event: &Event) {
        let mut v = event.to_json();
        super::cut_to_size(&mut v);
        if self.queue.try_send(v.to_string()).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Why a feed could not start.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// Nothing answered, or the connection failed.
    #[error("cannot reach a web view at 127.0.0.1:{port}: {err}")]
    Connect {
        /// The port.
        port: u16,
        /// What failed.
        err: std::io::Error,
    },
    /// Something answered that is not a cryptolab view.
    #[error("127.0.0.1:{port} is in use, but not by a cryptolab web view ({status})")]
    NotAView {
        /// The port.
        port: u16,
        /// What it said.
        status: String,
    },
}

/// Connects to the view on 127.0.0.1:`port` and starts streaming; must be
/// called inside a tokio runtime. `source` is `serve` or `proxy`.
pub async fn connect(port: u16, source: &'static str) -> Result<Arc<Feed>, FeedError> {
    let fail = |err| FeedError::Connect { port, err };
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.map_err(fail)?;
    let head = format!(
        "POST /ingest?source={source} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Cryptolab-Feed: 1\r\n\
         Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    // An empty line first. A view answers only when the feed ends, so any
    // answer now, or a connection closed on us, is a refusal or not a view.
    let sent = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(b"1\r\n\n\r\n").await
    }
    .await;
    let (read, mut write) = stream.into_split();
    let early = tokio::time::timeout(std::time::Duration::from_millis(300), async {
        let mut line = String::new();
        let mut reader = BufReader::new(read);
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => "it closed the connection".to_string(),
            Ok(_) => line.trim().to_string(),
        }
    })
    .await;
    match (early, sent) {
        (Ok(status), _) => return Err(FeedError::NotAView { port, status }),
        (Err(_), Err(e)) => return Err(FeedError::NotAView { port, status: e.to_string() }),
        (Err(_), Ok(())) => {}
    }
    let (queue, mut rx) = mpsc::channel::<String>(QUEUE);
    let dropped = Arc::new(AtomicU64::new(0));
    tokio::spawn(async move {
        while let Some(mut line) = rx.recv().await {
            line.push('\n');
            let chunk = format!("{:x}\r\n{line}\r\n", line.len());
            if write.write_all(chunk.as_bytes()).await.is_err() {
                // The view has gone: the queue fills and later events are
                // counted as dropped.
                return;
            }
        }
        let _ = write.write_all(b"0\r\n\r\n").await;
    });
    Ok(Arc::new(Feed { queue, dropped }))
}
