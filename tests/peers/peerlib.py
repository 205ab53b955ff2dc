"""Shared helpers for the cryptolab classroom test peers.

Command-line parsing, the one-line stdout protocol and small socket helpers.
Part of a set of independent test peers for cryptolab (written without cryptolab's code).
"""
import argparse
import socket
import sys
import threading

IDLE = 1.0             # seconds of silence that ends an unframed message
REPLY_TIMEOUT = 10.0   # how long a client waits for a reply

_print_lock = threading.Lock()


class PeerError(Exception):
    """A protocol or crypto failure; str(err) is the one-line reason."""


def emit(*words):
    """Print one event line (LISTENING/RECV/ERROR/DONE) and flush at once."""
    line = " ".join(str(w) for w in words).replace("\r", " ").replace("\n", " ")
    with _print_lock:
        print(line, flush=True)


def emit_recv(plaintext):
    emit("RECV", plaintext.hex() or "-")   # "-" marks the empty message


def _message(text):
    try:
        return b"" if text == "-" else bytes.fromhex(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not hex: {text!r}")


def _hex_key(text):
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not hex: {text!r}")


def parse_args(description, key=False, mac_key=False, key_file=False, options=None):
    """Parse `server|client --port P [key options] [--host H] [MSG_HEX...]`.

    options(parser), if given, adds the peer's own opt-in flags.
    """
    p = argparse.ArgumentParser(description=description)
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    if key:
        p.add_argument("--key", type=_hex_key, required=True, help="AES key as hex")
    if mac_key:
        p.add_argument("--mac-key", required=True, help="HMAC key as UTF-8 text")
    if key_file:
        p.add_argument("--key-file", required=True, help="32 bytes: key then IV")
    if options:
        options(p)
    p.add_argument("messages", nargs="*", type=_message, metavar="MSG_HEX",
                   help="plaintext as hex, '-' for the empty message")
    args = p.parse_intermixed_args()
    if args.role == "server" and args.messages:
        p.error("the server takes no messages")
    if mac_key:
        args.mac_key = args.mac_key.encode("utf-8")
    args.error = p.error
    return args


class Conn:
    """A socket plus a receive buffer, so nothing read ahead is lost."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)   # every message goes out in ONE sendall

    def _recv(self, timeout):
        """One recv: bytes, b"" on EOF, or None on timeout."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(65536)
        except socket.timeout:
            return None
        except ConnectionResetError:
            return b""

    def recv_once(self):
        """Exactly one recv, as classroom programs do: bytes, or b"" on EOF.

        Bytes already read ahead (say, during a handshake) count as that recv.
        """
        if self.buf:
            data, self.buf = self.buf, b""
            return data
        return self._recv(None)

    def recv_exact(self, n, timeout=None):
        """Exactly n bytes, or fewer if EOF comes first. Raises on timeout."""
        while len(self.buf) < n:
            chunk = self._recv(timeout)
            if chunk is None:
                raise PeerError("timeout")
            if not chunk:
                break
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def recv_all(self, timeout):
        """Everything until EOF."""
        while True:
            chunk = self._recv(timeout)
            if chunk is None:
                raise PeerError("timeout")
            if not chunk:
                data, self.buf = self.buf, b""
                return data
            self.buf += chunk

    def recv_message(self, parse, timeout=None):
        """Read one unframed message.

        parse(buf, final) returns (value, bytes_used) or raises PeerError.
        While data keeps coming a failed parse just means "wait for more";
        after IDLE seconds of silence (or EOF) the last error is final.
        Returns None on a clean EOF; raises PeerError("timeout") if nothing came.
        """
        wait = timeout
        while True:
            if self.buf.strip():
                try:
                    value, used = parse(self.buf, False)
                    self.buf = self.buf[used:]
                    return value
                except PeerError:
                    pass
            chunk = self._recv(wait)
            if chunk:
                self.buf += chunk
                if self.buf.strip():
                    wait = IDLE
                continue
            if not self.buf.strip():
                if chunk is None:
                    raise PeerError("timeout")
                return None
            buf, self.buf = self.buf, b""    # drop the bad bytes whatever happens
            value, used = parse(buf, True)
            self.buf = buf[used:]
            return value


def serve(args, handle):
    """Listen on host:port and run handle(conn) in a thread per client, forever."""
    listener = socket.create_server((args.host, args.port))
    emit("LISTENING", listener.getsockname()[1])

    def run(sock):
        with sock:
            try:
                handle(Conn(sock))
            except PeerError as err:
                emit("ERROR", err)
            except OSError as err:
                emit("ERROR", f"socket: {err}")

    try:
        while True:
            sock, _ = listener.accept()
            threading.Thread(target=run, args=(sock,), daemon=True).start()
    except KeyboardInterrupt:
        pass


def run_client(args, talk):
    """Connect, run talk(conn), then print DONE (exit 0) or ERROR (exit 1)."""
    try:
        sock = socket.create_connection((args.host, args.port), timeout=REPLY_TIMEOUT)
    except OSError as err:
        emit("ERROR", f"connect failed: {err}")
        sys.exit(1)
    with sock:
        try:
            talk(Conn(sock))
        except PeerError as err:
            emit("ERROR", err)
            sys.exit(1)
        except OSError as err:
            emit("ERROR", f"socket: {err}")
            sys.exit(1)
    emit("DONE")
    sys.exit(0)
