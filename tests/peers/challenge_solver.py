#!/usr/bin/env python3
"""A student's solver for two cryptolab challenges, written from
docs/CHALLENGES.md alone, with nothing but Python's standard library (no
cryptolab code, no crypto package): it shows that the protocol is usable
from a student's own program.

    challenge_solver.py ecb-byte-at-a-time HOST PORT STUDENT
    challenge_solver.py padding-oracle HOST PORT STUDENT

Prints the flag it recovered on the last line: `flag: cryptolab{...}`.
"""

import re
import socket
import sys


class Conn:
    """One request line out, one answer line back."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.file = self.sock.makefile("rwb")
        self.requests = 0

    def ask(self, line):
        self.file.write(line.encode("ascii") + b"\n")
        self.file.flush()
        self.requests += 1
        answer = self.file.readline()
        if not answer.endswith(b"\n"):
            raise SystemExit("the server closed the connection")
        return answer.decode("ascii").rstrip("\r\n")


def ecb_byte_at_a_time(conn):
    def encrypt(data):
        answer = conn.ask("encrypt " + data.hex() if data else "encrypt")
        return bytes.fromhex(answer)

    empty = len(encrypt(b""))
    i = 1
    while len(encrypt(b"A" * i)) == empty:
        i += 1
    secret_len = empty - i
    blocks = encrypt(b"A" * 48)
    assert blocks[16:32] == blocks[32:48], "not ECB"
    order = b" etaoinsrhldcumfpgwybvkxjqzETAOINSRHLDCUMFPGWYBVKXJQZ.,;:=_{}-0123456789"
    order += bytes(b for b in range(256) if b not in order)
    secret = b""
    while len(secret) < secret_len:
        k = len(secret)
        pad = b"A" * (15 - k % 16)
        target = encrypt(pad)[k // 16 * 16 : k // 16 * 16 + 16]
        known = (pad + secret)[-15:]
        for g in order:
            if encrypt(known + bytes([g]))[:16] == target:
                secret += bytes([g])
                break
        else:
            raise SystemExit("no byte matched at %d" % k)
    return secret


def padding_oracle(conn):
    body = bytes.fromhex(conn.ask("message"))
    blocks = [body[i : i + 16] for i in range(0, len(body), 16)]

    def valid(data):
        answer = conn.ask("check " + data.hex())
        if answer not in ("valid", "invalid padding"):
            raise SystemExit("unexpected answer: " + answer)
        return answer == "valid"

    plain = b""
    for n in range(1, len(blocks)):
        prev, cur = blocks[n - 1], blocks[n]
        inter = [0] * 16
        for k in range(15, -1, -1):
            pad = 16 - k
            for g in range(256):
                x = bytearray(16)
                for j in range(k + 1, 16):
                    x[j] = inter[j] ^ pad
                x[k] = g
                if not valid(bytes(x) + cur):
                    continue
                if k == 15:
                    # 02 02 (or longer) by luck? Change byte 14 and ask again.
                    x[14] ^= 0xFF
                    if not valid(bytes(x) + cur):
                        continue
                inter[k] = g ^ pad
                break
            else:
                raise SystemExit("no padding signal at block %d byte %d" % (n, k))
        plain += bytes(i ^ p for i, p in zip(inter, prev))
    return plain[: -plain[-1]]


def main():
    name, host, port, student = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    conn = Conn(host, port)
    answer = conn.ask("student " + student)
    assert answer.startswith("ok"), answer
    secret = {"ecb-byte-at-a-time": ecb_byte_at_a_time, "padding-oracle": padding_oracle}[name](conn)
    text = secret.decode("ascii", "replace")
    print("secret:", text)
    print("requests:", conn.requests)
    print("flag:", re.search(r"cryptolab\{[^}]*\}", text).group(0))


if __name__ == "__main__":
    main()
