#!/usr/bin/env python3
"""An independent writer of the repository format, from docs/repository-format.md
alone (Python's hmac/hashlib, the `cryptography` package's AES-GCM and the zstd
command line), so the C++ reader is checked against the document and not only
against its own writer.

Writes tests/unit/repo/fixtures/{plain,keyed}_{raw,zstd}.pack (read by
format_oracle_test.cc) and the same packs as seeds of fuzz/corpus/repo_pack/.
The key is the counting master 00 01 .. 1f; nonces are fixed so the files are
reproducible. Run from the repository root: python3 tests/unit/repo/format_oracle.py
"""
import hashlib
import hmac
import struct
import subprocess

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def hkdf(ikm, info, length):
    # RFC 5869 with no salt (HashLen zero bytes).
    prk = hmac.new(b'\0' * 32, ikm, hashlib.sha256).digest()
    t, okm, i = b'', b'', 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm += t
        i += 1
    return okm[:length]


MASTER = bytes(range(32))
ID_KEY = hkdf(MASTER, b'fortfail chunk-id v1', 32)
ENC_KEY = hkdf(MASTER, b'fortfail encrypt v1', 32)
BLOBS = [(1, b'hello world\n' * 20), (2, b'{"nodes":[]}'), (1, b'')]


def zstd(data):
    return subprocess.run(['zstd', '-q', '-c', '-3'], input=data, capture_output=True,
                          check=True).stdout


def pack(blobs, keyed, compress):
    out = b'FFPK' + bytes([1, 1 if keyed else 0, 0, 0]) + b'\x5a' * 16  # salt
    entries = b''
    for i, (blob_type, plain) in enumerate(blobs):
        if keyed:
            blob_id = hmac.new(ID_KEY, plain, hashlib.sha256).digest()
        else:
            blob_id = hashlib.sha256(plain).digest()
        body = b'\x01' + zstd(plain) if compress and plain else b'\x00' + plain
        if keyed:
            nonce = bytes([i]) * 12
            aad = b'FFB1' + bytes([blob_type]) + blob_id
            sealed = nonce + AESGCM(ENC_KEY).encrypt(nonce, body, aad)
        else:
            sealed = body
        entries += bytes([blob_type]) + blob_id + struct.pack('<QI', len(out), len(sealed)) + b'\0'
        out += sealed
    header = b'\x00' + entries
    if keyed:
        nonce = b'\x7f' * 12
        header = nonce + AESGCM(ENC_KEY).encrypt(nonce, header, b'FFH1')
    return out + header + struct.pack('<I', len(header)) + b'FFPKEND1'


for kind in ('plain', 'keyed'):
    for compression in ('raw', 'zstd'):
        data = pack(BLOBS, kind == 'keyed', compression == 'zstd')
        for path in (f'tests/unit/repo/fixtures/{kind}_{compression}.pack',
                     f'fuzz/corpus/repo_pack/{kind}_{compression}'):
            with open(path, 'wb') as f:
                f.write(data)
