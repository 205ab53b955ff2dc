#!/usr/bin/env python3
"""Suite performance table for docs/PERFORMANCE.md, from one run.

Runs `cargo bench --bench suites` (criterion) and `openssl speed` for the same
algorithms and sizes, then rewrites the block between the markers
`<!-- suites:begin -->` and `<!-- suites:end -->` in docs/PERFORMANCE.md.

Usage: python3 scripts/perf_table.py [--no-bench]   (--no-bench reuses target/criterion)
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = ["ecb", "cbc", "ctr", "cfb", "ofb", "cbc-hmac", "gcm"]
SIZES = [64, 16384]
OPENSSL = {  # (suite, dir) -> openssl speed arguments (None: derived)
    ("ecb", "seal"): ["-evp", "aes-128-ecb"],
    ("ecb", "open"): ["-evp", "aes-128-ecb", "-decrypt"],
    ("cbc", "seal"): ["-evp", "aes-128-cbc"],
    ("cbc", "open"): ["-evp", "aes-128-cbc", "-decrypt"],
    ("ctr", "seal"): ["-evp", "aes-128-ctr"],
    ("ctr", "open"): ["-evp", "aes-128-ctr", "-decrypt"],
    ("cfb", "seal"): ["-evp", "aes-128-cfb"],
    ("cfb", "open"): ["-evp", "aes-128-cfb", "-decrypt"],
    ("ofb", "seal"): ["-evp", "aes-128-ofb"],
    ("ofb", "open"): ["-evp", "aes-128-ofb", "-decrypt"],
    ("gcm", "seal"): ["-evp", "aes-128-gcm"],
    ("gcm", "open"): ["-evp", "aes-128-gcm", "-decrypt"],
    ("hmac", "-"): ["-hmac", "sha256"],
}


def criterion_ns(suite, direction, impl, size):
    group = f"{suite}_{direction}"
    path = os.path.join(ROOT, "target", "criterion", group, impl, str(size), "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def openssl_gbps(args, size):
    out = subprocess.run(
        ["openssl", "speed", "-seconds", "1", "-bytes", str(size)] + args,
        capture_output=True, text=True, check=True).stdout
    last = out.strip().splitlines()[-1]
    value = re.findall(r"([\d.]+)k", last)[-1]
    return float(value) * 1000 / 1e9


def main():
    if "--no-bench" not in sys.argv:
        subprocess.run(["cargo", "bench", "--bench", "suites"], cwd=ROOT, check=True)
    ssl = {}
    for key, args in OPENSSL.items():
        for size in SIZES:
            ssl[key + (size,)] = openssl_gbps(args, size)
    cpu = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    flags = open("/proc/cpuinfo").read()
    feats = [f for f in ["aes", "vaes", "vpclmulqdq", "sha_ni", "avx512f"] if re.search(rf"\b{f}\b", flags)]
    ssl_ver = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"Measured {datetime.date.today()} on {cpu} ({os.cpu_count()} cores; {' '.join(feats)}), "
        f"{platform.system()} {platform.machine()}, {ssl_ver}; AES-128, median of criterion samples.",
        "",
        "| suite | op | size | raw crates GB/s | cryptolab GB/s | cryptolab / raw | openssl speed GB/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for suite in SUITES:
        for direction in ["seal", "open"]:
            for size in SIZES:
                raw = size / criterion_ns(suite, direction, "raw", size)
                ours = size / criterion_ns(suite, direction, "cryptolab", size)
                if suite == "cbc-hmac":
                    cbc = ssl[("cbc", direction, size)]
                    hmac = ssl[("hmac", "-", size)]
                    ref = 1 / (1 / cbc + 1 / hmac)
                    ref_s = f"{ref:.2f} (cbc ∘ hmac)"
                else:
                    ref_s = f"{ssl[(suite, direction, size)]:.2f}"
                lines.append(
                    f"| {suite} | {direction} | {size} B | {raw:.2f} | {ours:.2f} | {ours / raw * 100:.0f} % | {ref_s} |")
    table = "\n".join(lines)
    path = os.path.join(ROOT, "docs", "PERFORMANCE.md")
    doc = open(path).read()
    new = re.sub(r"(<!-- suites:begin -->\n).*?(\n<!-- suites:end -->)",
                 lambda m: m.group(1) + table + m.group(2), doc, flags=re.S)
    open(path, "w").write(new)
    print(table)


if __name__ == "__main__":
    main()
