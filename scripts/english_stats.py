#!/usr/bin/env python3
"""Build cryptolab's English statistics tables from public-domain text.

The classical crackers score candidate plaintexts by how English they look.
They need two tables, and this script is the only place those tables come from:

* ``data/english/letters.txt``    -- how often each letter A-Z occurs;
* ``data/english/quadgrams.txt``  -- how often each run of four letters occurs
                                     (only the runs that occur at all);
* ``data/english/edges.txt``      -- how often each pair of letters occurs, and
                                     how often it begins and ends a word;

plus ``data/english/heldout.txt``, the part of the text that was kept *out*
of the tables so the accuracy benchmark can test on English the tables have
never seen.

Source: Ambrose Bierce, *The Devil's Dictionary* (1911), public domain, as
shipped by Debian's ``dict-devil`` package (a dictd ``.dz`` file, which is a
gzip file with an index in its header, so ``gzip`` reads it as is).

Method, so anyone can check it:

1. Read the text and drop the distributor's header: everything before the
   line ``PREFACE`` (the book's own first word).
2. Split it into paragraphs at blank lines.  Every 10th paragraph (the 10th,
   20th, ...) is *held out*: written to ``heldout.txt`` and not counted.
3. In each remaining paragraph keep only the letters A-Z (upper-cased; every
   other character is dropped), and count single letters and every window of
   four consecutive letters.  Windows do not cross paragraph boundaries.
   Also count every pair of consecutive letters, and the first two and the
   last two letters of every word (a word is a maximal run of letters).
4. Write the counts as plain ``KEY COUNT`` lines, sorted by key.

Usage (standard library only, deterministic output):

    apt-get install dict-devil
    python3 scripts/english_stats.py [--source PATH] [--out DIR]
"""

import argparse
import collections
import gzip
import os
import re

DEFAULT_SOURCE = "/usr/share/dictd/devil.dict.dz"
HELD_OUT_EVERY = 10  # every 10th paragraph is held out of the tables

SOURCE_NOTE = (
    "Ambrose Bierce, The Devil's Dictionary (1911), public domain; "
    "Debian package dict-devil"
)


def read_source(path):
    opener = gzip.open if path.endswith(".gz") or path.endswith(".dz") else open
    with opener(path, "rb") as f:
        text = f.read().decode("ascii")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "PREFACE")
    return "\n".join(lines[start:])


def paragraphs(text):
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def letters_only(paragraph):
    return re.sub(r"[^A-Z]", "", paragraph.upper())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=DEFAULT_SOURCE)
    parser.add_argument(
        "--out",
        default=os.path.join(os.path.dirname(__file__), "..", "data", "english"),
    )
    args = parser.parse_args()

    paras = paragraphs(read_source(args.source))
    train, held = [], []
    for i, p in enumerate(paras, start=1):
        (held if i % HELD_OUT_EVERY == 0 else train).append(p)

    letters = collections.Counter()
    quads = collections.Counter()
    pairs = collections.Counter()
    pair_initial = collections.Counter()
    pair_final = collections.Counter()
    for p in train:
        for word in re.findall(r"[A-Z]+", p.upper()):
            if len(word) >= 2:
                pair_initial[word[:2]] += 1
                pair_final[word[-2:]] += 1
        s = letters_only(p)
        letters.update(s)
        quads.update(s[i : i + 4] for i in range(len(s) - 3))
        pairs.update(s[i : i + 2] for i in range(len(s) - 1))

    os.makedirs(args.out, exist_ok=True)
    n_letters = sum(letters.values())
    n_quads = sum(quads.values())

    with open(os.path.join(args.out, "letters.txt"), "w", newline="\n") as f:
        f.write("# Letter counts: %s.\n" % SOURCE_NOTE)
        f.write("# Made by scripts/english_stats.py from %d training paragraphs; "
                "%d letters.\n" % (len(train), n_letters))
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            f.write("%s %d\n" % (c, letters[c]))

    with open(os.path.join(args.out, "quadgrams.txt"), "w", newline="\n") as f:
        f.write("# Quadgram counts: %s.\n" % SOURCE_NOTE)
        f.write("# Made by scripts/english_stats.py; %d quadgrams, %d distinct; "
                "unseen quadgrams are absent.\n" % (n_quads, len(quads)))
        for q in sorted(quads):
            f.write("%s %d\n" % (q, quads[q]))

    with open(os.path.join(args.out, "edges.txt"), "w", newline="\n") as f:
        f.write("# Letter pairs at word edges: %s.\n" % SOURCE_NOTE)
        f.write("# Made by scripts/english_stats.py. Columns: pair, count anywhere, "
                "times it begins a word, times it ends a word.\n")
        for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
                q = a + b
                f.write("%s %d %d %d\n" % (q, pairs[q], pair_initial[q], pair_final[q]))

    with open(os.path.join(args.out, "heldout.txt"), "w", newline="\n") as f:
        f.write("\n\n".join(held))
        f.write("\n")

    print("%d paragraphs: %d for the tables, %d held out" % (len(paras), len(train), len(held)))
    print("%d letters, %d quadgrams (%d distinct)" % (n_letters, n_quads, len(quads)))


if __name__ == "__main__":
    main()
