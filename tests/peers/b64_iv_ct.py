"""Test peer for the classroom "b64-iv-ct" AES chat format.

Every message is base64(IV(16) || AES-CBC ciphertext), PKCS#7, no framing at all;
AES-128/192/256 by key length. Lock-step; the client ends with "bye".
An independent test peer for cryptolab (written without cryptolab's code).

Opt-in flags (the default is the lock-step chat above):
  --one-way               server: one message per connection, no reply, then close;
                          client: send the one MSG_HEX, close without reading a reply.
  --answer-everything HEX server: answer every message, good or bad, with HEX encrypted;
                          errors are only printed here, so there is no padding signal.
  --bye-after N           server: reply to N messages as usual, then answer the next one with
                          "bye" (its operator typed it), print DONE bye and close.
  --one-recv              server: each message is ONE recv(65536), all of it given to
                          base64.b64decode (what follows "=" padding is silently lost).
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
    return decrypt_raw(key, raw)


def b64decode_loose(data):
    """base64.b64decode(data) as classroom programs call it, without validate=True:
    stray characters are skipped and whatever follows "=" padding is silently lost."""
    try:
        return base64.b64decode(data)
    except binascii.Error:
        raise PeerError("bad base64")


def decrypt_raw(key, raw):
    """IV || ciphertext (already out of base64) -> plaintext."""
    if len(raw) < 32 or len(raw) % 16:
        raise PeerError(f"bad length {len(raw)}")
    dec = Cipher(algorithms.AES(key), modes.CBC(raw[:16])).decryptor()
    padded = dec.update(raw[16:]) + dec.finalize()
    try:
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise PeerError("bad padding")


def add_options(p):
    group = p.add_mutually_exclusive_group()
    group.add_argument("--one-way", action="store_true",
                       help="one message per connection and no reply")
    group.add_argument("--answer-everything", type=bytes.fromhex, metavar="HEX",
                       help="server: answer every message with this plaintext")
    group.add_argument("--bye-after", type=int, metavar="N",
                       help="server: answer message N+1 with bye, then close")
    group.add_argument("--one-recv", action="store_true",
                       help="server: one recv() per message, decoded whole")


def main():
    args = parse_args(__doc__, key=True, options=add_options)
    if len(args.key) not in (16, 24, 32):
        args.error("--key must be 16, 24 or 32 bytes")
    if args.role == "client":
        if args.answer_everything is not None or args.bye_after is not None or args.one_recv:
            args.error("--answer-everything, --bye-after and --one-recv are server flags")
        if args.one_way and len(args.messages) != 1:
            args.error("the --one-way client sends exactly one MSG_HEX")
    if args.bye_after is not None and args.bye_after < 0:
        args.error("--bye-after N needs N >= 0")
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

    def parse_whole(buf, final):
        # Complete only once it decrypts; after a silence or EOF the error stands.
        return decrypt(key, buf), len(buf)

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
            if isinstance(plaintext, PeerError):
                emit("ERROR", plaintext)
                conn.send(f"ERROR: {plaintext}".encode())   # the padding oracle
                answered += 1
                continue
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

    def handle_one_way(conn):
        # One message, no reply, hang up: the sender is not listening anyway.
        try:
            plaintext = conn.recv_message(parse_whole)
        except PeerError as err:
            emit("ERROR", err)
            return
        if plaintext is not None:
            emit_recv(plaintext)

    def handle_answer_everything(conn):
        # The operator types the same line whatever arrived: nothing leaks on the wire.
        while True:
            try:
                plaintext = conn.recv_message(parse)
            except PeerError as err:   # bad base64, bad length
                plaintext = err
            if plaintext is None:
                return
            if isinstance(plaintext, PeerError):
                emit("ERROR", plaintext)   # printed here only
            else:
                emit_recv(plaintext)
            try:
                conn.send(encrypt(key, args.answer_everything))
            except OSError:
                return

    def handle_one_recv(conn):
        # data = sock.recv(65536); base64.b64decode(data): one recv is one message.
        while True:
            data = conn.recv_once()
            if not data:
                return
            try:
                plaintext = decrypt_raw(key, b64decode_loose(data))
            except PeerError as err:
                emit("ERROR", err)
                conn.send(f"ERROR: {err}".encode())   # the padding oracle, as by default
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

    def talk_one_way(conn):
        conn.send(encrypt(key, args.messages[0]))   # and hang up, reading nothing

    if args.role == "server":
        if args.one_way:
            serve(args, handle_one_way)
        elif args.answer_everything is not None:
            serve(args, handle_answer_everything)
        elif args.one_recv:
            serve(args, handle_one_recv)
        else:
            serve(args, handle)
    else:
        run_client(args, talk_one_way if args.one_way else talk)


if __name__ == "__main__":
    main()
