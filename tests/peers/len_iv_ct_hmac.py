"""Test peer for the classroom "len-iv-ct-hmac" AES chat format.

Every message: 4-byte big-endian length N, then IV(16) || AES-128-CBC ciphertext
|| HMAC-SHA256(IV || ciphertext). Full duplex; the client ends locally on "quit" (it is
not sent: the client closes). The server still ends a session on a "quit" that arrives.
An independent test peer for cryptolab (written without cryptolab's code).

Opt-in flag (by default a bad HMAC is reported and the server carries on):
  --close-on-bad-mac   server: on a bad HMAC, print ERROR and close the connection at once.
"""
import hashlib
import hmac
import os
import struct
import time

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from peerlib import REPLY_TIMEOUT, PeerError, emit, emit_recv, parse_args, run_client, serve

MAX_LEN = 1 << 20   # refuse frames above 1 MiB
QUIT = b"quit"


def seal(key, mac_key, plaintext):
    """Plaintext -> complete frame (length prefix included)."""
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    data = iv + enc.update(padded) + enc.finalize()
    body = data + hmac.new(mac_key, data, hashlib.sha256).digest()
    return struct.pack(">I", len(body)) + body


def open_body(key, mac_key, body):
    """Frame body -> plaintext. Checks the HMAC before touching the ciphertext."""
    if len(body) < 16 + 32:
        raise PeerError(f"bad length {len(body)}")
    data, tag = body[:-32], body[-32:]
    if not hmac.compare_digest(tag, hmac.new(mac_key, data, hashlib.sha256).digest()):
        raise PeerError("bad hmac")
    iv, ct = data[:16], data[16:]
    if not ct or len(ct) % 16:
        raise PeerError(f"bad length {len(body)}")
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = dec.update(ct) + dec.finalize()
    try:
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise PeerError("bad padding")


def read_frame(conn, timeout=None):
    """The next frame body, or None on a clean EOF between frames."""
    head = conn.recv_exact(4, timeout)
    if not head:
        return None
    if len(head) < 4:
        raise PeerError("truncated")
    (n,) = struct.unpack(">I", head)
    if n > MAX_LEN:
        raise PeerError(f"length {n} too large")
    body = conn.recv_exact(n, timeout)
    if len(body) < n:
        raise PeerError("truncated")
    return body


def add_options(p):
    p.add_argument("--close-on-bad-mac", action="store_true",
                   help="server: hang up at once on a bad HMAC")


def main():
    args = parse_args(__doc__, key=True, mac_key=True, options=add_options)
    if len(args.key) != 16:
        args.error("--key must be 16 bytes (AES-128)")
    if args.close_on_bad_mac and args.role == "client":
        args.error("--close-on-bad-mac is a server flag")
    key, mac_key = args.key, args.mac_key

    def handle(conn):
        while True:
            body = read_frame(conn)   # too large / truncated: raise, connection closes
            if body is None:
                return
            try:
                plaintext = open_body(key, mac_key, body)
            except PeerError as err:   # bad hmac / padding: report, keep going
                emit("ERROR", err)
                if args.close_on_bad_mac and str(err) == "bad hmac":
                    return   # ...unless told to hang up on a forged frame
                continue
            emit_recv(plaintext)
            if plaintext == QUIT:
                return
            conn.send(seal(key, mac_key, b"ok:" + plaintext))

    def talk(conn):
        for msg in args.messages:
            conn.send(seal(key, mac_key, msg))
        deadline = time.monotonic() + REPLY_TIMEOUT
        for _ in args.messages:
            body = read_frame(conn, max(deadline - time.monotonic(), 0.01))
            if body is None:
                raise PeerError("connection closed")
            emit_recv(open_body(key, mac_key, body))
        # Like the classroom clients: `quit` ends the program locally, it is
        # not sent; the server sees the connection close.

    if args.role == "server":
        serve(args, handle)
    else:
        run_client(args, talk)


if __name__ == "__main__":
    main()
