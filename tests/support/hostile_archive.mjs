// Hostile tar archives for the restore safety tests, written by a tiny ustar
// writer (no dependency): entries may have any name, including "../x" and
// absolute paths, and symlinks may point anywhere.
//   import { hostileArchive } from '../support/hostile_archive.mjs';
//   const bytes = hostileArchive([{ name: '../evil', data: 'x' }, { name: 'l', symlink: '/tmp' }]);
// Output is gzip-compressed (the agent reads zstd and gzip tars).
import zlib from 'node:zlib';

function header({ name, size = 0, type = '0', linkname = '', mode = 0o644 }) {
  const b = Buffer.alloc(512);
  const put = (str, off, len) => b.write(str, off, Math.min(Buffer.byteLength(str), len), 'utf8');
  const oct = (n, off, len) => put(n.toString(8).padStart(len - 1, '0') + '\0', off, len);
  if (Buffer.byteLength(name) > 100) throw new Error(`name too long for ustar: ${name}`);
  put(name, 0, 100);
  oct(mode, 100, 8);
  oct(0, 108, 8);
  oct(0, 116, 8);
  oct(size, 124, 12);
  oct(1_600_000_000, 136, 12);
  b.fill(' ', 148, 156);
  put(type, 156, 1);
  put(linkname, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const x of b) sum += x;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return b;
}

// entries: { name, data?: string|Buffer } (file), { name, dir: true },
// { name, symlink: target }, { name, hardlink: target }.
export function hostileArchive(entries) {
  const parts = [];
  for (const e of entries) {
    if (e.dir) parts.push(header({ name: e.name, type: '5', mode: 0o755 }));
    else if (e.symlink !== undefined) parts.push(header({ name: e.name, type: '2', linkname: e.symlink, mode: 0o777 }));
    else if (e.hardlink !== undefined) parts.push(header({ name: e.name, type: '1', linkname: e.hardlink }));
    else {
      const data = Buffer.from(e.data ?? '');
      parts.push(header({ name: e.name, size: data.length }));
      parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(parts));
}

// A zstd frame written by hand: `parts` are Buffers (stored as raw blocks) or
// { zeros: n } runs (stored as RLE blocks, 4 bytes per 128 KiB). No
// dependency on a zstd library or binary.
export function zstdFrame(parts) {
  const kBlock = 128 * 1024;  // Block_Maximum_Size for a 128 KiB window
  const blocks = [];
  const block = (type, size, body) => {
    const h = Buffer.alloc(3);
    h.writeUIntLE((size << 3) | (type << 1), 0, 3);
    blocks.push(h, body);
  };
  for (const p of parts) {
    if (Buffer.isBuffer(p)) {
      for (let off = 0; off < p.length; off += kBlock) {
        const chunk = p.subarray(off, Math.min(off + kBlock, p.length));
        block(0, chunk.length, chunk);
      }
    } else {
      for (let left = p.zeros; left > 0; left -= kBlock) block(1, Math.min(left, kBlock), Buffer.alloc(1));
    }
  }
  blocks[blocks.length - 2][0] |= 1;  // Last_Block bit of the final block's header
  // Magic, then a frame header without content size: window descriptor 2^17.
  return Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]), ...blocks]);
}

// A decompression bomb: a zstd tar of a few KiB holding `fine.txt` and one
// file of `bytes` zero bytes (a multiple of 512).
export function zstdBomb(bytes, name = 'zeros') {
  const fine = Buffer.from('ok');
  return zstdFrame([
    header({ name: 'fine.txt', size: fine.length }),
    Buffer.concat([fine, Buffer.alloc(510)]),
    header({ name, size: bytes }),
    { zeros: bytes + 1024 },  // the content, then the end-of-archive blocks
  ]);
}
