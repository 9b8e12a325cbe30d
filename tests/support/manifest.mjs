// Tree manifests for end-to-end tests: every entry below a root with its type,
// permission bits, mtime (nanoseconds), size, SHA-256 of the content, symlink
// target and hard-link grouping, so that two trees compare with one deepEqual.
//   import { manifest, diffManifests } from '../support/manifest.mjs';
//   assert.deepEqual(diffManifests(manifest(src), manifest(dst)), []);
// The root itself is described by its mode only: its mtime changes whenever
// an entry is created in it.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

function hashFile(p) {
  const h = createHash('sha256');
  const fd = fs.openSync(p, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

export function manifest(root) {
  const out = {};
  const inodes = new Map();  // ino -> first path, for hard links
  const walk = (rel) => {
    const p = rel === '.' ? root : path.join(root, rel);
    const st = fs.lstatSync(p, { bigint: true });
    const mode = Number(st.mode & 0o7777n).toString(8).padStart(4, '0');
    let e;
    if (st.isDirectory()) {
      e = { type: 'dir', mode };
      if (rel !== '.') e.mtime = st.mtimeNs.toString();
    } else if (st.isSymbolicLink()) {
      e = { type: 'symlink', target: fs.readlinkSync(p) };
    } else if (st.isFile()) {
      e = { type: 'file', mode, size: Number(st.size), sha256: hashFile(p), mtime: st.mtimeNs.toString() };
      if (st.nlink > 1n) {
        const key = st.ino.toString();
        if (!inodes.has(key)) inodes.set(key, rel);
        e.linkGroup = inodes.get(key);
      }
    } else {
      e = { type: 'other', mode };
    }
    out[rel] = e;
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) walk(rel === '.' ? name : path.join(rel, name));
    }
  };
  walk('.');
  return out;
}

// Human-readable differences between two manifests; [] when equal.
export function diffManifests(a, b) {
  const diffs = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!(k in a)) diffs.push(`only in second: ${k}`);
    else if (!(k in b)) diffs.push(`only in first: ${k}`);
    else if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) {
      diffs.push(`${k}: ${JSON.stringify(a[k])} != ${JSON.stringify(b[k])}`);
    }
  }
  return diffs;
}

// Builds the tree issue 4 asks for: nested and empty dirs, 0-byte and
// multi-MiB files, symlinks, a hard link, unicode and space names, modes
// 0600/0755 and set mtimes. `bigMiB` sizes the largest file.
export function makeSampleTree(root, { bigMiB = 3 } = {}) {
  const rnd = (n) => randomBytes(n);
  const mk = (p) => fs.mkdirSync(path.join(root, p), { recursive: true });
  const wr = (p, data, mode) => {
    fs.writeFileSync(path.join(root, p), data);
    if (mode !== undefined) fs.chmodSync(path.join(root, p), mode);
  };
  mk('docs/nested/deeper');
  mk('empty');
  mk('empty too/inner');
  mk('ünïcødé dir ✓');
  wr('zero-bytes', '');
  wr('docs/readme.txt', 'hello fortfail\n', 0o600);
  wr('docs/run.sh', '#!/bin/sh\necho hi\n', 0o755);
  wr('docs/nested/big.bin', rnd(bigMiB * 1024 * 1024 + 123));
  wr('docs/nested/deeper/with space.txt', 'spaces in names\n');
  wr('ünïcødé dir ✓/naïve – résumé.txt', 'unicode\n', 0o644);
  fs.symlinkSync('docs/readme.txt', path.join(root, 'link-to-readme'));
  fs.symlinkSync('/nonexistent/target', path.join(root, 'dangling-link'));
  fs.symlinkSync('nested', path.join(root, 'docs/dir-link'));
  fs.linkSync(path.join(root, 'docs/readme.txt'), path.join(root, 'hard-link.txt'));
  const t = (p, s) => fs.lutimesSync(path.join(root, p), s, s);
  t('docs/readme.txt', 1_600_000_000.25);
  t('docs/run.sh', 1_500_000_000);
  t('zero-bytes', 1_400_000_000);
  t('docs/nested/big.bin', 1_300_000_000);
  t('link-to-readme', 1_200_000_000);
  t('docs/nested/deeper', 1_100_000_000);
  t('empty', 1_100_000_001);
  fs.chmodSync(path.join(root, 'docs/nested'), 0o750);
  t('docs/nested', 1_100_000_002);
  t('docs', 1_100_000_003);
}
