// Deterministic trees and day-by-day churn for the repository-format tests
// (issue 12): the same seed always gives the same names, bytes, modes and
// mtimes, so a failure can be replayed.
//   import { pseudoRandom, makeChurnTree, churn, writeBulk } from '../support/churn.mjs';
//   makeChurnTree(root, { marker });   // text, binaries, a symlink, a hard link,
//                                      // empty dirs, modes, a sparse file
//   churn(root, round);                // modified (in place, mtime kept too),
//                                      // appended, new, deleted, renamed files,
//                                      // mode bits, link retargets, sparse writes
// Nothing here reads the clock or Math.random.
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const MiB = 1024 * 1024;
const BASE_TIME = 1_700_000_000; // seconds; every mtime written here is BASE_TIME + something

// `n` pseudo-random bytes determined by `seed` (AES-128-CTR keystream): incompressible.
export function pseudoRandom(seed, n) {
  const key = createHash('sha256').update(String(seed)).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(n)), cipher.final()]);
}

// A small deterministic generator of integers, for choices.
function chooser(seed) {
  const bytes = pseudoRandom(`choices:${seed}`, 4096);
  let i = 0;
  return (n) => {
    const v = bytes.readUInt32LE(i % 4092);
    i += 4;
    return v % n;
  };
}

const WORDS = ['backup', 'restore', 'agent', 'orchestrator', 'pack', 'chunk', 'tree', 'snapshot', 'key', 'index',
  'deduplicate', 'encrypt', 'stream', 'verify', 'range', 'lease', 'retention', 'bucket', 'zstd', 'journal'];

// `n` bytes of text-like (compressible) content determined by `seed`.
export function pseudoText(seed, n) {
  const r = pseudoRandom(`text:${seed}`, Math.ceil(n / 4) + 16);
  const out = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const w = WORDS[r[i % r.length] % WORDS.length] + ((i + 1) % 12 === 0 ? '\n' : ' ');
    out.push(w);
    len += w.length;
  }
  return Buffer.from(out.join('')).subarray(0, n);
}

const at = (root, rel) => path.join(root, rel);
const stamp = (root, rel, seconds) => fs.lutimesSync(at(root, rel), seconds, seconds);
const write = (root, rel, data, mode = 0o644) => {
  fs.mkdirSync(path.dirname(at(root, rel)), { recursive: true });
  fs.writeFileSync(at(root, rel), data);
  fs.chmodSync(at(root, rel), mode);
};

export const SPARSE_BYTES = 32 * MiB;

// The tree of day 0 (about 10 MiB of content plus a 32 MiB sparse file).
// `marker`, when given, is embedded in the middle of random bytes in one file
// (secret/marker.bin) and in that directory's name of a second file.
export function makeChurnTree(root, { seed = 'tree', marker = null } = {}) {
  fs.mkdirSync(root, { recursive: true });
  for (let i = 0; i < 40; i++) write(root, `docs/f${String(i).padStart(3, '0')}.txt`, pseudoText(`${seed}:doc${i}`, 1024 + ((i * 2713) % 20000)));
  for (let i = 0; i < 20; i++) {
    write(root, `bin/b${String(i).padStart(2, '0')}.dat`, pseudoRandom(`${seed}:bin${i}`, 8192 + ((i * 9973) % 200000)), i % 3 ? 0o644 : 0o755);
  }
  write(root, 'big/blob0.bin', pseudoRandom(`${seed}:blob0`, 6 * MiB));
  write(root, 'big/log.txt', pseudoText(`${seed}:log`, MiB));
  write(root, 'private/only-owner.txt', pseudoText(`${seed}:private`, 3000), 0o600);
  write(root, 'private/group.txt', pseudoText(`${seed}:group`, 3000), 0o640);
  write(root, 'zero-bytes', Buffer.alloc(0));
  fs.chmodSync(at(root, 'private'), 0o750);
  fs.mkdirSync(at(root, 'empty'));
  fs.mkdirSync(at(root, 'empty2/inner'), { recursive: true });
  fs.mkdirSync(at(root, 'links'));
  fs.symlinkSync('../docs/f000.txt', at(root, 'links/current'));
  fs.symlinkSync('/nonexistent/target', at(root, 'links/dangling'));
  fs.linkSync(at(root, 'docs/f001.txt'), at(root, 'links/hard.txt'));
  // Sparse: data at the start, at 10 MiB and at the end, holes between.
  const fd = fs.openSync(at(root, 'sparse.img'), 'w');
  fs.writeSync(fd, pseudoRandom(`${seed}:sparse0`, 65536), 0, 65536, 0);
  fs.writeSync(fd, pseudoRandom(`${seed}:sparse1`, 65536), 0, 65536, 10 * MiB);
  fs.writeSync(fd, pseudoRandom(`${seed}:sparse2`, 4096), 0, 4096, SPARSE_BYTES - 4096);
  fs.closeSync(fd);
  if (marker) {
    const m = Buffer.from(marker);
    write(root, 'secret/marker.bin', Buffer.concat([pseudoRandom(`${seed}:m1`, 40000), m, pseudoRandom(`${seed}:m2`, 40000)]));
    write(root, `secret/${marker}.txt`, pseudoText(`${seed}:named`, 500));
  }
  stampAll(root, 0);
}

// Entries below root get a fixed mtime (children first, so directory times
// stick), distinct per entry, in eighths of a second (exact in a double).
// `dirsOnly`: only directories (after churn, whose file times are chosen).
function stampAll(root, round, { dirsOnly = false } = {}) {
  const entries = [];
  const walk = (rel) => {
    for (const e of fs.readdirSync(at(root, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      if (!dirsOnly || e.isDirectory()) entries.push(r);
    }
  };
  walk('');
  entries.forEach((r, i) => stamp(root, r, BASE_TIME + round * 86400 + i * 7 + 0.25 + (i % 4) * 0.125));
}

function regularFiles(root, dir) {
  return fs.readdirSync(at(root, dir)).sort().map((n) => `${dir}/${n}`).filter((r) => fs.lstatSync(at(root, r)).isFile());
}

// One day of churn (round >= 1). Changes about a tenth of the small files and
// a bit of the large ones; returns the list of what it did (for messages).
export function churn(root, round) {
  const pick = chooser(`churn:${round}`);
  const did = [];
  const docs = () => regularFiles(root, 'docs');
  const bins = () => regularFiles(root, 'bin');

  // Modified in place, same size, and the old mtime put back: only ctime tells.
  const sneaky = docs()[pick(docs().length)];
  const before = fs.statSync(at(root, sneaky));
  const fd = fs.openSync(at(root, sneaky), 'r+');
  fs.writeSync(fd, Buffer.from(`~round ${round} was here~`), 0, null, Math.floor(before.size / 2));
  fs.closeSync(fd);
  fs.utimesSync(at(root, sneaky), before.atime, before.mtime);
  did.push(`modified in place (mtime kept) ${sneaky}`);

  // Modified: a block in the middle of a binary rewritten.
  const bin = bins()[pick(bins().length)];
  const size = fs.statSync(at(root, bin)).size;
  const fb = fs.openSync(at(root, bin), 'r+');
  fs.writeSync(fb, pseudoRandom(`mod:${round}`, Math.min(4096, size)), 0, null, Math.max(0, Math.floor(size / 2) - 2048));
  fs.closeSync(fb);
  did.push(`modified ${bin}`);

  fs.appendFileSync(at(root, 'big/log.txt'), pseudoText(`append:${round}`, 8192));
  did.push('appended big/log.txt');

  const gone = docs().filter((r) => !['docs/f000.txt', 'docs/f001.txt', 'docs/hard-again.txt'].includes(r));
  const victim = gone[pick(gone.length)];
  fs.rmSync(at(root, victim));
  did.push(`deleted ${victim}`);

  const movable = bins().filter((r) => r !== bin);
  const moved = movable[pick(movable.length)];
  fs.renameSync(at(root, moved), at(root, `bin/renamed-r${round}-${path.basename(moved)}`));
  did.push(`renamed ${moved}`);

  for (let k = 0; k < 2; k++) write(root, `docs/new-r${round}-${k}.txt`, pseudoText(`new:${round}:${k}`, 2000 + k * 5000));
  write(root, `bin/new-r${round}.dat`, pseudoRandom(`newbin:${round}`, 30000));
  did.push('3 new files');

  const chm = bins()[pick(bins().length)];
  fs.chmodSync(at(root, chm), (fs.statSync(at(root, chm)).mode & 0o111) ? 0o640 : 0o750);
  did.push(`chmod ${chm}`);

  // Once each: the special entries change.
  const extra = {
    3: () => fs.linkSync(at(root, 'docs/f001.txt'), at(root, 'docs/hard-again.txt')),
    4: () => fs.mkdirSync(at(root, `empty-r${round}`)),
    5: () => {
      const fs5 = fs.openSync(at(root, 'sparse.img'), 'r+');
      fs.writeSync(fs5, pseudoRandom('sparse-r5', 4096), 0, 4096, 20 * MiB);
      fs.closeSync(fs5);
      stamp(root, 'sparse.img', BASE_TIME + round * 86400 + 0.75);
    },
    6: () => fs.rmSync(at(root, 'docs/hard-again.txt')),
    7: () => fs.rmdirSync(at(root, 'empty2/inner')),
    8: () => fs.chmodSync(at(root, 'private'), 0o700),
  };
  fs.rmSync(at(root, 'links/current'));
  fs.symlinkSync(`../docs/f00${round % 2}.txt`, at(root, 'links/current'));
  did.push('links/current retargeted');
  if (extra[round]) {
    extra[round]();
    did.push(`special change of round ${round}`);
  }
  // New mtimes only for what changed (the sneaky file keeps its old one).
  for (const r of [bin, 'big/log.txt', `docs/new-r${round}-0.txt`, `docs/new-r${round}-1.txt`, `bin/new-r${round}.dat`]) {
    stamp(root, r, BASE_TIME + round * 86400 + 0.5);
  }
  stampAll(root, round, { dirsOnly: true });
  return did;
}

// `mib` MiB of incompressible files under root/dir (4 MiB each), for backups
// that must take a while.
export function writeBulk(root, dir, mib, seed) {
  fs.mkdirSync(at(root, dir), { recursive: true });
  for (let i = 0; i * 4 < mib; i++) write(root, `${dir}/part${String(i).padStart(3, '0')}.bin`, pseudoRandom(`${seed}:${i}`, 4 * MiB));
}

// Every file below `dir` that contains `needle` (a Buffer or string).
export function filesContaining(dir, needle) {
  const n = Buffer.from(needle);
  const hits = [];
  const walk = (d) => {
    let entries;
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.readFileSync(p).includes(n)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}
