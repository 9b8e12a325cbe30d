#!/usr/bin/env python3
"""Deterministic benchmark trees and day-by-day churn (bench/backup, bench/repo).

  tree.py gen ROOT [--size-mib N] [--files N] [--seed S]
      A mixed tree: half the bytes in six large files (three incompressible,
      three text), the rest in N-6 small files (80 % text-like, 20 % random;
      sizes exponential around the mean) below d00..d49/s00..s19.
  tree.py churn ROOT --day D [--percent P] [--seed S]
      One day of ~P % churn (default 2): of the small files, P/4 % each are
      modified in place, appended to, created new; P/8 % each deleted and
      renamed; one large random file gets P/4 % of its bytes rewritten in
      place and one large text file an append of P/4 % of its size.
      Prints one summary line.

Same arguments, same bytes, names and mtimes: nothing reads the clock or the
system's random source. Every file written gets an mtime derived from the
day, so a run is reproducible to the byte (directory mtimes are left alone).
"""
import argparse
import os
import random
import sys

BASE_TIME = 1_700_000_000
CHUNK = 1 << 20


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        vocab = random.Random(f"vocab:{seed}")
        letters = b"abcdefghijklmnopqrstuvwxyz"
        words = [bytes(vocab.choice(letters) for _ in range(vocab.randint(2, 9))) for _ in range(5000)]
        self.words = [w + (b"\n" if i % 12 == 0 else b" ") for i, w in enumerate(words)]

    def random_bytes(self, n):
        return self.rng.randbytes(n)

    def text(self, n):
        out = bytearray()
        while len(out) < n:
            out += b"".join(self.rng.choices(self.words, k=max(16, (n - len(out)) // 5)))
        return bytes(out[:n])

    def content(self, n, binary):
        return self.random_bytes(n) if binary else self.text(n)


def write_file(path, gen, n, binary, mtime):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        for off in range(0, n, CHUNK):
            f.write(gen.content(min(CHUNK, n - off), binary))
    os.utime(path, (mtime, mtime))


def small_path(root, i, name=None):
    return os.path.join(root, f"d{i % 50:02d}", f"s{(i // 50) % 20:02d}", name or f"f{i}.txt")


def gen_tree(root, size_mib, files, seed):
    gen = Gen(seed)
    budget = size_mib * CHUNK
    large = [budget // 8] * 2 + [budget // 16] * 4
    small_n = max(files - len(large), 0)
    avg = (budget - sum(large)) // max(small_n, 1)
    for i, n in enumerate(large):
        write_file(os.path.join(root, "media", f"blob{i}.bin"), gen, n, i % 2 == 0, BASE_TIME + i)
    for i in range(small_n):
        n = max(0, int(gen.rng.expovariate(1 / avg))) if avg else 0
        write_file(small_path(root, i), gen, n, gen.rng.random() >= 0.8, BASE_TIME + 100 + i)


def small_files(root):
    out = []
    for d, _, names in os.walk(root):
        if os.path.basename(d) == "media" and os.path.dirname(d) == root:
            continue
        out += [os.path.join(d, n) for n in names]
    return sorted(out)


def churn(root, day, percent, seed):
    gen = Gen(f"{seed}:day{day}")
    rng = gen.rng
    mtime = BASE_TIME + day * 86400
    files = small_files(root)
    count = lambda share: max(1, round(len(files) * percent / 100 * share))  # noqa: E731
    picked = rng.sample(files, min(len(files), count(0.25) * 2 + count(0.125) * 2))
    cuts = [count(0.25), count(0.25) * 2, count(0.25) * 2 + count(0.125), len(picked)]
    modified, appended, deleted, renamed = (picked[:cuts[0]], picked[cuts[0]:cuts[1]],
                                           picked[cuts[1]:cuts[2]], picked[cuts[2]:cuts[3]])
    changed = 0
    for p in modified:
        size = os.path.getsize(p)
        n = max(1, min(size, rng.randint(64, 4096)))
        with open(p, "r+b") as f:
            f.seek(rng.randint(0, max(0, size - n)))
            f.write(gen.text(n))
        os.utime(p, (mtime, mtime))
        changed += n
    for p in appended:
        n = rng.randint(100, 8192)
        with open(p, "ab") as f:
            f.write(gen.text(n))
        os.utime(p, (mtime, mtime))
        changed += n
    for p in deleted:
        os.remove(p)
    for k, p in enumerate(renamed):
        os.rename(p, os.path.join(os.path.dirname(p), f"renamed-d{day}-{k}-{os.path.basename(p)}"))
    avg = max(1, sum(os.path.getsize(p) for p in modified + appended) // max(1, len(modified + appended)))
    for k in range(count(0.25)):
        n = max(0, int(rng.expovariate(1 / avg)))
        write_file(small_path(root, rng.randrange(1000), f"new-d{day}-{k}.txt"), gen, n, rng.random() >= 0.8, mtime)
        changed += n
    # Large files: part of a random one rewritten in place, a text one grown.
    media = os.path.join(root, "media")
    if os.path.isdir(media):
        blobs = sorted(os.listdir(media))
        binary = os.path.join(media, blobs[(day * 2) % len(blobs)])
        text = os.path.join(media, blobs[(day * 2 + 1) % len(blobs)])
        size = os.path.getsize(binary)
        total = int(size * percent / 400)
        with open(binary, "r+b") as f:
            done = 0
            while done < total:
                n = min(64 * 1024, total - done)
                f.seek(rng.randrange(0, max(1, size - n)))
                f.write(gen.random_bytes(n))
                done += n
        os.utime(binary, (mtime, mtime))
        grow = int(os.path.getsize(text) * percent / 400)
        with open(text, "ab") as f:
            for off in range(0, grow, CHUNK):
                f.write(gen.text(min(CHUNK, grow - off)))
        os.utime(text, (mtime, mtime))
        changed += total + grow
    print(f"churn day {day}: {len(modified)} modified, {len(appended)} appended, {count(0.25)} new, "
          f"{len(deleted)} deleted, {len(renamed)} renamed small files of {len(files)}; "
          f"{changed / CHUNK:.1f} MiB written")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("root")
    g.add_argument("--size-mib", type=int, default=1024)
    g.add_argument("--files", type=int, default=20000)
    g.add_argument("--seed", default="42")
    c = sub.add_parser("churn")
    c.add_argument("root")
    c.add_argument("--day", type=int, required=True)
    c.add_argument("--percent", type=float, default=2.0)
    c.add_argument("--seed", default="42")
    a = ap.parse_args()
    if a.cmd == "gen":
        gen_tree(a.root, a.size_mib, a.files, a.seed)
    else:
        churn(a.root, a.day, a.percent, a.seed)


if __name__ == "__main__":
    sys.exit(main())
