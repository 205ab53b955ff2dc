"""Test peer for the classroom "rsa-gcm-json" chat format.

Handshake: client PEM public key, server PEM public key, then an AES-256 key wrapped
with RSA-OAEP(SHA-256). Messages: JSON {nonce, ciphertext (AES-GCM), signature (RSA-PSS
over the plaintext)}. Lock-step. No end word: the client just closes the connection
(a "bye" that arrives is still answered with "bye" and the close, as some servers do).
An independent test peer for cryptolab (written without cryptolab's code).

Opt-in flag (the default is the lock-step chat above):
  --one-recv   server: after the handshake, each message is ONE recv(65536) given whole
               to json.loads; any JSON error ("Extra data": two messages) closes the connection.
"""
import base64
import json
import os

from cryptography.exceptions import InvalidSignature, InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from peerlib import REPLY_TIMEOUT, PeerError, emit, emit_recv, parse_args, run_client, serve

BYE = b"bye"
PEM_END = b"-----END PUBLIC KEY-----"
FIELDS = ("nonce", "ciphertext", "signature")
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
PSS_SIGN = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)


def pss_verify(public_key):
    """PSS with the maximum salt length, checked exactly (emLen - hLen - 2)."""
    salt = (public_key.key_size + 6) // 8 - 32 - 2
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt)


def pem_of(private_key):
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def parse_pem(buf, final):
    """Complete once the END line and its newline are here (or after a silence)."""
    end = buf.find(PEM_END)
    if end >= 0 and buf[end + len(PEM_END):].startswith(b"\n"):
        used = end + len(PEM_END) + 1
    elif final:
        used = len(buf)
    else:
        raise PeerError("incomplete PEM")
    try:
        key = serialization.load_pem_public_key(buf[:used])
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise PeerError("not a PEM public key")
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size != 2048:
        raise PeerError("not an RSA-2048 public key")
    return key, used


def parse_json(buf, final):
    """One JSON object; surrounding whitespace is fine."""
    skipped = len(buf) - len(buf.lstrip())
    try:
        text = buf[skipped:].decode("utf-8")
        obj, end = json.JSONDecoder().raw_decode(text)
    except ValueError:   # covers UnicodeDecodeError and JSONDecodeError
        raise PeerError("bad json")
    if not isinstance(obj, dict):
        raise PeerError("bad json")
    return obj, skipped + len(text[:end].encode("utf-8"))


def seal(aes, my_key, plaintext):
    nonce = os.urandom(12)
    msg = {
        "nonce": nonce,
        "ciphertext": aes.encrypt(nonce, plaintext, None),   # ciphertext || 16-byte tag
        "signature": my_key.sign(plaintext, PSS_SIGN, hashes.SHA256()),
    }
    return json.dumps({k: base64.b64encode(v).decode() for k, v in msg.items()}).encode()


def open_msg(aes, peer_key, obj):
    if not all(isinstance(obj.get(k), str) for k in FIELDS):
        raise PeerError("bad json: need string fields " + ", ".join(FIELDS))
    try:
        nonce, ct, sig = (base64.b64decode(obj[k], validate=True) for k in FIELDS)
    except ValueError:
        raise PeerError("bad base64")
    if len(nonce) != 12:
        raise PeerError(f"bad nonce length {len(nonce)}")
    try:
        plaintext = aes.decrypt(nonce, ct, None)
    except InvalidTag:
        raise PeerError("bad gcm tag")
    try:
        peer_key.verify(sig, plaintext, pss_verify(peer_key), hashes.SHA256())
    except InvalidSignature:
        raise PeerError("bad signature")
    return plaintext


def add_options(p):
    p.add_argument("--one-recv", action="store_true",
                   help="server: one recv() per message, given whole to json.loads")


def main():
    args = parse_args(__doc__, options=add_options)
    if args.one_recv and args.role == "client":
        args.error("--one-recv is a server flag")
    my_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def server_handshake(conn):
        """(client's public key, AESGCM), or None if the client left at once."""
        peer_key = conn.recv_message(parse_pem)   # handshake errors close the connection
        if peer_key is None:
            return None
        conn.send(pem_of(my_key))
        wrapped = conn.recv_exact(256)
        if len(wrapped) < 256:
            raise PeerError("truncated")
        try:
            session_key = my_key.decrypt(wrapped, OAEP)
        except ValueError:
            raise PeerError("bad oaep")
        if len(session_key) != 32:
            raise PeerError(f"bad AES key length {len(session_key)}")
        return peer_key, AESGCM(session_key)

    def refuse(conn, err):
        """Report a bad message and answer it with an error; False if the peer is gone."""
        emit("ERROR", err)
        try:
            conn.send(json.dumps({"error": str(err)}).encode())
        except OSError:
            return False
        return True

    def answer(conn, peer_key, aes, obj):
        """Open one message and reply to it; False once the session is over."""
        try:
            if not isinstance(obj, dict):
                raise PeerError("bad json")
            plaintext = open_msg(aes, peer_key, obj)
        except PeerError as err:
            return refuse(conn, err)
        emit_recv(plaintext)
        conn.send(seal(aes, my_key, BYE if plaintext == BYE else b"ok:" + plaintext))
        return plaintext != BYE

    def handle(conn):
        keys = server_handshake(conn)
        if keys is None:
            return
        peer_key, aes = keys
        while True:
            try:
                obj = conn.recv_message(parse_json)
            except PeerError as err:
                if not refuse(conn, err):
                    return
                continue
            if obj is None or not answer(conn, peer_key, aes, obj):
                return

    def handle_one_recv(conn):
        keys = server_handshake(conn)
        if keys is None:
            return
        peer_key, aes = keys
        while True:
            data = conn.recv_once()   # data = sock.recv(65536): one recv is one message
            if not data:
                return
            try:
                obj = json.loads(data)
            except ValueError as err:   # "Extra data: ..." when two messages came at once
                emit("ERROR", err)
                return   # the student's program dies here, and the connection with it
            if not answer(conn, peer_key, aes, obj):
                return

    def talk(conn):
        conn.send(pem_of(my_key))
        server_key = conn.recv_message(parse_pem, REPLY_TIMEOUT)
        if server_key is None:
            raise PeerError("connection closed")
        session_key = os.urandom(32)
        conn.send(server_key.encrypt(session_key, OAEP))
        aes = AESGCM(session_key)
        for msg in args.messages:
            conn.send(seal(aes, my_key, msg))
            obj = conn.recv_message(parse_json, REPLY_TIMEOUT)
            if obj is None:
                raise PeerError("connection closed")
            if "error" in obj:
                raise PeerError(f"peer said: {obj['error']}")
            emit_recv(open_msg(aes, server_key, obj))

    if args.role == "server":
        serve(args, handle_one_recv if args.one_recv else handle)
    else:
        run_client(args, talk)


if __name__ == "__main__":
    main()
