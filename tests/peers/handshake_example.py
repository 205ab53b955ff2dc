"""The worked example of docs/PROTOCOL.md ("The handshake"), computed without
cryptolab's code: X25519, HKDF-SHA256 and HMAC from the `cryptography`
package, the framing and the key schedule written out here from the
document. Prints one `name = hex` line per value; tests/handshake.rs checks
that cryptolab computes the same lines and that the document shows them.
"""

import hashlib
import hmac
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

H = lambda b: hashlib.sha256(b).digest()


def extract(salt, ikm):
    # RFC 5869 §2.2: HKDF-Extract is HMAC(salt, IKM).
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def expand_label(secret, label, context, length):
    # RFC 8446 §7.1 HKDF-Expand-Label, prefix "cryptolab " instead of "tls13 ".
    full = b"cryptolab " + label.encode()
    info = struct.pack(">H", length) + bytes([len(full)]) + full + bytes([len(context)]) + context
    return HKDFExpand(hashes.SHA256(), length, info).derive(secret)


def frame(seq, body, suite=4):
    # version 1, suite (4 = gcm), kind 5 (handshake), flags 0, seq, length.
    return bytes([1, suite, 5, 0]) + struct.pack(">QI", seq, len(body)) + body


enc = bytes(range(16))
mac = bytes(range(0x10, 0x30))
psk = struct.pack(">H", len(enc)) + enc + struct.pack(">H", len(mac)) + mac
client_secret = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
server_secret = bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
client_random = bytes(range(0x00, 0x20))
server_random = bytes(range(0x20, 0x40))

c_priv = X25519PrivateKey.from_private_bytes(client_secret)
s_priv = X25519PrivateKey.from_private_bytes(server_secret)
raw = lambda k: k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
c_pub, s_pub = raw(c_priv), raw(s_priv)
dhe = c_priv.exchange(s_priv.public_key())

zeros = bytes(32)
early = extract(zeros, psk)
handshake = extract(expand_label(early, "derived", H(b""), 32), dhe)
master = extract(expand_label(handshake, "derived", H(b""), 32), zeros)

ch = frame(0, bytes([1, 1, 16]) + client_random + c_pub)
sh_unfinished = frame(0, bytes([2]) + server_random + s_pub + zeros)[:-32]
s_fin = hmac.new(expand_label(handshake, "s finished", b"", 32), H(ch + sh_unfinished), hashlib.sha256).digest()
sh = sh_unfinished + s_fin
th = H(ch + sh)
c_fin = hmac.new(expand_label(handshake, "c finished", b"", 32), th, hashlib.sha256).digest()
fin = frame(1, bytes([3]) + c_fin)
c_traffic = expand_label(master, "c ap traffic", th, 32)
s_traffic = expand_label(master, "s ap traffic", th, 32)

for name, value in [
    ("client_hello", ch),
    ("server_hello", sh),
    ("client_finished", fin),
    ("dhe", dhe),
    ("early", early),
    ("handshake", handshake),
    ("master", master),
    ("c_traffic", c_traffic),
    ("s_traffic", s_traffic),
    ("c_key", expand_label(c_traffic, "key", b"", 16)),
    ("s_key", expand_label(s_traffic, "key", b"", 16)),
]:
    print(f"{name} = {value.hex()}")
