"""Test peer for the classroom "b64-iv-ct" AES chat format.

Every message is base64(IV(16) || AES-CBC ciphertext), PKCS#7, no framing at all;
AES-128/192/256 by key length. Lock-step; the client ends with "bye".
An independent test peer for cryptolab (written without cryptolab's code).
"""
import base64
import binascii
import os

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from peerlib import REPLY_TIMEOUT, PeerError, emit, emit_recv, parse_args, run_client, serve

BYE = b"bye"


def encrypt(key, plaintext):
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + enc.update(padded) + enc.finalize())


def decrypt(key, text):
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise PeerError("bad base64")
    if len(raw) < 32 or len(raw) % 16:
        raise PeerError(f"bad length {len(raw)}")
    dec = Cipher(algorithms.AES(key), modes.CBC(raw[:16])).decryptor()
    padded = dec.update(raw[16:]) + dec.finalize()
    try:
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise PeerError("bad padding")


def main():
    args = parse_args(__doc__, key=True)
    if len(args.key) not in (16, 24, 32):
        args.error("--key must be 16, 24 or 32 bytes")
    key = args.key

    def parse(buf, final):
        # A message is complete once it is whole base64 of whole blocks; bad
        # padding is then an answer at once (recv(4096) and decrypt, as in class).
        try:
            return decrypt(key, buf), len(buf)
        except PeerError as err:
            if str(err) == "bad padding":
                return err, len(buf)
            raise

    def parse_reply(buf, final):
        if buf.startswith(b"ERROR:"):
            raise PeerError("peer said: " + buf[6:].decode(errors="replace").strip())
        return parse(buf, final)

    def handle(conn):
        while True:
            try:
                plaintext = conn.recv_message(parse)
            except PeerError as err:
                emit("ERROR", err)
                try:   # the classic mistake: tell the sender what went wrong, in clear
                    conn.send(f"ERROR: {err}".encode())
                except OSError:
                    return
                continue
            if plaintext is None:
                return
            if isinstance(plaintext, PeerError):
                emit("ERROR", plaintext)
                conn.send(f"ERROR: {plaintext}".encode())   # the padding oracle
                continue
            emit_recv(plaintext)
            conn.send(encrypt(key, BYE if plaintext == BYE else b"ok:" + plaintext))
            if plaintext == BYE:
                return

    def talk(conn):
        for msg in args.messages + [BYE]:
            conn.send(encrypt(key, msg))
            reply = conn.recv_message(parse_reply, REPLY_TIMEOUT)
            if reply is None:
                if msg == BYE:
                    return
                raise PeerError("connection closed")
            if isinstance(reply, PeerError):
                raise reply
            emit_recv(reply)

    if args.role == "server":
        serve(args, handle)
    else:
        run_client(args, talk)


if __name__ == "__main__":
    main()
