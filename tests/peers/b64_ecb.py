"""Test peer for the classroom "b64-ecb" AES chat format.

Every message is base64(AES-ECB ciphertext), PKCS#7, no IV and no framing at all;
AES-128/192/256 by key length. Lock-step; the client ends with "bye".
An independent test peer for cryptolab (written without cryptolab's code).

Opt-in flag (the default is the lock-step chat above):
  --bye-after N   server: reply to N messages as usual, then answer the next one with
                  "bye" (its operator typed it), print DONE bye and close.
"""
import base64
import binascii

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from peerlib import REPLY_TIMEOUT, PeerError, emit, emit_recv, parse_args, run_client, serve

BYE = b"bye"


def encrypt(key, plaintext):
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()   # no IV: same block, same output
    return base64.b64encode(enc.update(padded) + enc.finalize())


def decrypt(key, text):
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise PeerError("bad base64")
    if not raw or len(raw) % 16:
        raise PeerError(f"bad length {len(raw)}")
    dec = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
    padded = dec.update(raw) + dec.finalize()
    try:
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise PeerError("bad padding")


def add_options(p):
    p.add_argument("--bye-after", type=int, metavar="N",
                   help="server: answer message N+1 with bye, then close")


def main():
    args = parse_args(__doc__, key=True, options=add_options)
    if len(args.key) not in (16, 24, 32):
        args.error("--key must be 16, 24 or 32 bytes")
    if args.bye_after is not None and (args.role == "client" or args.bye_after < 0):
        args.error("--bye-after N is a server flag and needs N >= 0")
    key = args.key

    def parse(buf, final):
        return decrypt(key, buf), len(buf)   # a message is "complete" once it decrypts

    def parse_reply(buf, final):
        if buf.startswith(b"ERROR:"):
            raise PeerError("peer said: " + buf[6:].decode(errors="replace").strip())
        return parse(buf, final)


    def handle(conn):
        answered = 0   # replies sent, for --bye-after
        while True:
            try:
                plaintext = conn.recv_message(parse)
            except PeerError as err:
                emit("ERROR", err)
                try:   # the classic mistake: tell the sender what went wrong, in clear
                    conn.send(f"ERROR: {err}".encode())
                except OSError:
                    return
                answered += 1
                continue
            if plaintext is None:
                return
            emit_recv(plaintext)
            if answered == args.bye_after:
                # Its operator types "bye" as the reply to this message; then it closes.
                conn.send(encrypt(key, BYE))
                emit("DONE", "bye")
                return
            conn.send(encrypt(key, BYE if plaintext == BYE else b"ok:" + plaintext))
            if plaintext == BYE:
                return
            answered += 1

    def talk(conn):
        for msg in args.messages + [BYE]:
            conn.send(encrypt(key, msg))
            reply = conn.recv_message(parse_reply, REPLY_TIMEOUT)
            if reply is None:
                if msg == BYE:
                    return
                raise PeerError("connection closed")
            emit_recv(reply)

    if args.role == "server":
        serve(args, handle)
    else:
        run_client(args, talk)


if __name__ == "__main__":
    main()
