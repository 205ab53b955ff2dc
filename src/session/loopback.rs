//! Two channels talking in memory: a client's and a server's
//! [`Channel`], each one's frames handed to the other as the sockets would,
//! until the handshake is done on both sides. No socket, no clock — so the
//! demos can run a real session of `serve` and `connect` (the same code, the
//! same frames) and keep every byte an eavesdropper would record.

use super::channel::{Channel, ChannelError, Framing, Inbound, Outbound, Received, Side, Speak};

/// One connection, its handshake done.
pub struct Pair {
    /// The client's halves.
    pub client: (Inbound, Outbound),
    /// The server's halves.
    pub server: (Inbound, Outbound),
    /// Every frame the client sent, in order (handshake and hello included).
    pub client_sent: Vec<Vec<u8>>,
    /// Every frame the server sent, in order.
    pub server_sent: Vec<Vec<u8>>,
    /// Sent to the server after its handshake, not yet opened (the client's hello).
    pub to_server: Vec<Vec<u8>>,
    /// Sent to the client after its handshake, not yet opened (the server's hello).
    pub to_client: Vec<Vec<u8>>,
}

/// One side of a connection, fed its peer's frames one at a time: in its
/// handshake, then established. What both the demos' endpoints and a man in
/// the middle's two halves are.
pub enum Endpoint {
    /// The handshake runs.
    Handshaking(Channel),
    /// Established: the two halves.
    Ready(Inbound, Outbound),
    /// Refused: nothing more is taken.
    Gone,
}

/// What one frame did to an [`Endpoint`].
pub enum Taken {
    /// A handshake step: the frames to send back.
    Handshake(Vec<Vec<u8>>),
    /// An established endpoint opened it.
    Opened(Received),
}

impl Endpoint {
    /// Whether it is established.
    pub fn is_ready(&self) -> bool {
        matches!(self, Endpoint::Ready(..))
    }

    /// Whether its handshake still runs.
    pub fn is_handshaking(&self) -> bool {
        matches!(self, Endpoint::Handshaking(_))
    }

    /// How to find its next incoming frame.
    pub fn framing(&self) -> Framing {
        match self {
            Endpoint::Handshaking(ch) => ch.framing(),
            Endpoint::Ready(inb, _) => inb.framing(),
            Endpoint::Gone => Framing::Native,
        }
    }

    /// The sending half, once established.
    pub fn outbound(&mut self) -> Option<&mut Outbound> {
        match self {
            Endpoint::Ready(_, out) => Some(out),
            Endpoint::Handshaking(_) | Endpoint::Gone => None,
        }
    }

    /// Takes one frame from the peer. A refusal leaves it [`Endpoint::Gone`]
    /// (the error carries the alert to send, if any); a frame to a gone
    /// endpoint is nothing.
    ///
    /// # Errors
    /// The handshake or the frame was refused.
    pub fn take(&mut self, frame: &[u8]) -> Result<Taken, ChannelError> {
        match std::mem::replace(self, Endpoint::Gone) {
            Endpoint::Handshaking(ch) => {
                let (ch, got) = ch.handshake(frame)?;
                *self = match ch.split() {
                    Ok((i, o)) => Endpoint::Ready(i, o),
                    Err(ch) => Endpoint::Handshaking(*ch),
                };
                Ok(Taken::Handshake(replies(got)))
            }
            Endpoint::Ready(mut inb, out) => {
                let got = inb.open(frame)?;
                *self = Endpoint::Ready(inb, out);
                Ok(Taken::Opened(got))
            }
            Endpoint::Gone => Ok(Taken::Handshake(Vec::new())),
        }
    }
}

/// The frames a handshake step asks to send (none for anything else).
pub fn replies(got: Received) -> Vec<Vec<u8>> {
    match got {
        Received::Handshake { replies, .. } => replies.into_iter().map(|w| w.bytes).collect(),
        Received::Hello(_) | Received::Message(_) | Received::End(_) | Received::Notice(_) => Vec::new(),
    }
}

/// Connects `client` to `server` in memory; each side's sealed hello says
/// `client_hello` / `server_hello`.
///
/// # Errors
/// A side refused the other's handshake (different keys, suites, modes), or
/// keys that do not fit (as [`Channel::new`]).
pub fn connect(
    client: &Speak,
    server: &Speak,
    client_hello: &[u8],
    server_hello: &[u8],
) -> Result<Pair, String> {
    let mut c = Channel::new(client, Side::Client, "server", client_hello)?;
    let mut s = Channel::new(server, Side::Server, "client", server_hello)?;
    let mut to_server: Vec<Vec<u8>> = c.start().into_iter().map(|w| w.bytes).collect();
    let mut to_client: Vec<Vec<u8>> = s.start().into_iter().map(|w| w.bytes).collect();
    let mut client_sent = to_server.clone();
    let mut server_sent = to_client.clone();
    let refused = |e: ChannelError| e.to_string();
    while !s.is_ready() && !to_server.is_empty() {
        let (next, got) = s.handshake(&to_server.remove(0)).map_err(refused)?;
        s = next;
        let sent = replies(got);
        server_sent.extend(sent.iter().cloned());
        to_client.extend(sent);
        while !c.is_ready() && !to_client.is_empty() {
            let (next, got) = c.handshake(&to_client.remove(0)).map_err(refused)?;
            c = next;
            let sent = replies(got);
            client_sent.extend(sent.iter().cloned());
            to_server.extend(sent);
        }
    }
    let (Ok(client), Ok(server)) = (c.split(), s.split()) else {
        return Err("the handshake did not finish".into());
    };
    Ok(Pair { client, server, client_sent, server_sent, to_server, to_client })
}
