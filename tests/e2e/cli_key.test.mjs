// `fortfail key generate --out FILE` as a real process: purely local (no
// orchestrator is running), writes a 0600 key file, never overwrites one.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers.mjs';

describe('fortfail key generate', () => {
  let dir, local;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cli-key-'));
    // Nothing listens on port 1: the command must not need an orchestrator.
    local = { url: 'http://127.0.0.1:1', dir };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a mode 0600 key file, prints its id, and refuses to overwrite it', async () => {
    const file = path.join(dir, 'repo.key');
    const made = await runCli(local, '', ['key', 'generate', '--out', file]);
    assert.equal(made.code, 0, made.stderr);
    const key = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(key.format, 'fortfail-repository-key');
    assert.match(key.key_id, /^[0-9a-f]{32}$/);
    assert.ok(made.stdout.includes(`key id: ${key.key_id}`), made.stdout);
    assert.ok(!made.stdout.includes(key.master_key) && !made.stderr.includes(key.master_key));
    assert.match(made.stderr, /losing it loses every backup/);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    const before = fs.readFileSync(file, 'utf8');
    const again = await runCli(local, '', ['key', 'generate', '--out', file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });
});
