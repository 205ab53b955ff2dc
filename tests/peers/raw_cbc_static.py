"""Test peer for the classroom "raw-cbc-static" AES chat format.

Raw AES-128-CBC ciphertext (PKCS#7), no framing; key and IV are FIXED and come from
a 32-byte key file (key then IV). One message per connection, ended by EOF.
An independent test peer for cryptolab (written without cryptolab's code).
"""
import socket

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from peerlib import REPLY_TIMEOUT, PeerError, emit_recv, parse_args, run_client, serve


def encrypt(key, iv, plaintext):
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(padded) + enc.finalize()


def decrypt(key, iv, ct):
    if not ct or len(ct) % 16:
        raise PeerError(f"bad length {len(ct)}")
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = dec.update(ct) + dec.finalize()
    try:
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise PeerError("bad padding")


def main():
    args = parse_args(__doc__, key_file=True)
    try:
        with open(args.key_file, "rb") as f:
            material = f.read()
    except OSError as err:
        args.error(f"cannot read --key-file: {err}")
    if len(material) != 32:
        args.error(f"--key-file must hold exactly 32 bytes, not {len(material)}")
    key, iv = material[:16], material[16:]   # the same IV for every message: the mistake
    if args.role == "client" and len(args.messages) != 1:
        args.error("the client sends exactly one MSG_HEX")

    def handle(conn):
        ct = conn.recv_all(REPLY_TIMEOUT)   # the client signals the end with shutdown(SHUT_WR)
        if not ct:
            return   # connected and left without a message: nothing to report
        plaintext = decrypt(key, iv, ct)   # on error: ERROR line, close, no reply
        emit_recv(plaintext)
        conn.send(encrypt(key, iv, b"ok:" + plaintext))

    def talk(conn):
        conn.send(encrypt(key, iv, args.messages[0]))
        conn.sock.shutdown(socket.SHUT_WR)
        reply = conn.recv_all(REPLY_TIMEOUT)
        if reply:
            emit_recv(decrypt(key, iv, reply))

    if args.role == "server":
        serve(args, handle)
    else:
        run_client(args, talk)


if __name__ == "__main__":
    main()
