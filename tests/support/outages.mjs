// Dependencies the fault tests stop and start again under a running
// orchestrator, and the checks they share:
//   const s3 = await startS3rver(port, dir); await s3.kill();    // same port and dir again later
//   const pg = await privatePostgres(); pg.url; pg.stop(); pg.start(); pg.remove();
//   await until('what', async () => ({ ok, ...details }), ms);
//   assertUnavailable(response, 'what');  // 503 + Retry-After + detail
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, tempDir } from './orchestrator.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A private s3rver that can be stopped and started again on the same port and directory.
export async function startS3rver(port, dir) {
  const proc = spawn(process.execPath, [path.join(root, 'tests/support/s3rver.mjs'), '--port', String(port), '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${out}`)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      if (out.includes('listening')) { clearTimeout(timer); resolve(); }
    });
    proc.stderr.on('data', (d) => { out += d; });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`s3rver exited ${code}: ${out}`)); });
  });
  proc.removeAllListeners('exit');
  const exited = new Promise((r) => proc.on('exit', r));
  return { proc, kill: async () => { proc.kill('SIGKILL'); await exited; } };
}

// A private PostgreSQL server (scripts/services/postgres.sh) on its own port and
// data directory, so stopping it touches no other test's database.
export async function privatePostgres() {
  const script = path.join(root, 'scripts/services/postgres.sh');
  const dir = tempDir('ff-pg-private-');
  const port = await freePort();
  const run = (cmd) => execFileSync('bash', [script, cmd, dir, String(port)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const pg = {
    dir,
    port,
    url: '',
    start() { pg.url = run('start').split('\n').pop(); return pg.url; },
    stop() { run('stop'); },
    remove() {
      try { run('stop'); } catch { /* already stopped */ }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  pg.start();
  return pg;
}

// Polls fn until it returns { ok: true, ... }; fails naming `what` and the last answer.
export async function until(what, fn, ms = 20000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last.ok) return last;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
}

export function assertUnavailable(r, what) {
  assert.equal(r.status, 503, `${what}: ${r.status} ${r.text}`);
  assert.ok(Number(r.headers.get('retry-after')) > 0, `${what}: Retry-After missing`);
  assert.ok(r.json?.detail, `${what}: no detail`);
}
