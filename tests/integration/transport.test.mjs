// Transport and browser hardening (issue 13) against the real binary:
// - TLS: 1.2 offers only ECDHE + AEAD suites (AES128-SHA and ECDHE CBC are
//   refused), TLS 1.0/1.1 are refused, TLS 1.3 works; checked with
//   `openssl s_client` against a cert generated here.
// - ORCH_ENV=production refuses a short or shared registration secret and
//   plain HTTP without ORCH_BEHIND_TLS_PROXY=1, one line per problem, and starts
//   with good settings (own TLS, or behind a TLS proxy).
// - /control and /docs carry CSP, frame, nosniff and referrer headers; HSTS
//   only when served over HTTPS (own TLS or ORCH_BEHIND_TLS_PROXY=1).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { freePort, orchestratorBin, startOrchestrator, tempDir } from '../support/orchestrator.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const secret = (prefix) => `${prefix}-${randomBytes(24).toString('hex')}`; // 52+ characters

// A self-signed RSA certificate for 127.0.0.1.
function selfSignedCert(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  return { cert, key, pem: fs.readFileSync(cert) };
}

function baseEnv(dir, port, extra = {}) {
  return {
    PATH: process.env.PATH,
    ORCH_LISTEN: `127.0.0.1:${port}`,
    ORCH_JWT_SECRET: secret('jwt'),
    ORCH_REG_SECRET: secret('reg'),
    ORCH_OPERATOR_SECRET: secret('op'),
    DATABASE_URL: `sqlite:///${path.join(dir, 'orchestrator.db')}`,
    WAL_PATH: path.join(dir, 'wal.log'),
    ORCH_DATA_DIR: path.join(dir, 'data'),
    ORCH_LOG_LEVEL: 'warn',
    ...extra,
  };
}

function httpsGet(port, p, ca) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: p, ca }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

// Starts the orchestrator with TLS and waits until /health/live answers over HTTPS.
async function startTls(env, port, ca) {
  const proc = spawn(orchestratorBin, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exited = null;
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  const exit = new Promise((resolve) => proc.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`orchestrator exited early (${JSON.stringify(exited)}):\n${log}`);
    try {
      if ((await httpsGet(port, '/health/live', ca)).status === 200) {
        return { proc, log: () => log, stop: async () => { proc.kill('SIGTERM'); return exit; } };
      }
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`orchestrator did not start over TLS:\n${log}`);
}

// One TLS handshake with openssl s_client; { ok, cipher, protocol, out }.
function handshake(port, args) {
  const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args],
    { input: '', encoding: 'utf8', timeout: 15000 });
  const out = `${r.stdout}\n${r.stderr}`;
  const cipher = /Cipher is (\S+)/.exec(out)?.[1] ?? null;
  const protocol = /Protocol\s*:\s*(\S+)/.exec(out)?.[1] ?? /New, (TLSv[\d.]+), Cipher/.exec(out)?.[1] ?? null;
  return { ok: r.status === 0 && cipher !== null && cipher !== '(NONE)', cipher, protocol, out };
}

function assertBrowserHeaders(headers, where) {
  const csp = headers['content-security-policy'];
  assert.ok(csp, `${where}: Content-Security-Policy`);
  assert.match(csp, /frame-ancestors 'none'/, where);
  assert.match(csp, /script-src 'self'(;|$)/, `${where}: scripts only from this origin, none inline`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, where);
  assert.equal(headers['x-frame-options'], 'DENY', where);
  assert.equal(headers['x-content-type-options'], 'nosniff', where);
  assert.equal(headers['referrer-policy'], 'no-referrer', where);
}

const browserPaths = ['/control', '/control/', '/docs', '/docs/', '/docs/docs.js'];

describe('TLS policy', { timeout: 120000 }, () => {
  let orch, port, tls;
  before(async () => {
    const dir = tempDir('ff-tls-');
    tls = selfSignedCert(dir);
    port = await freePort();
    orch = await startTls(baseEnv(dir, port, { ORCH_TLS_CERT: tls.cert, ORCH_TLS_KEY: tls.key }), port, tls.pem);
  });
  after(async () => { await orch?.stop(); });

  it('refuses AES128-SHA and ECDHE with CBC on TLS 1.2', () => {
    for (const cipher of ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384']) {
      const h = handshake(port, ['-tls1_2', '-cipher', cipher]);
      assert.equal(h.ok, false, `${cipher} must be refused:\n${h.out}`);
    }
  });

  it('accepts ECDHE with AES-GCM and ChaCha20-Poly1305 on TLS 1.2', () => {
    for (const cipher of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
      const h = handshake(port, ['-tls1_2', '-cipher', cipher]);
      assert.equal(h.ok, true, `${cipher} must be accepted:\n${h.out}`);
      assert.equal(h.cipher, cipher);
    }
  });

  it('accepts TLS 1.3 and refuses TLS 1.1', () => {
    const v13 = handshake(port, ['-tls1_3']);
    assert.equal(v13.ok, true, v13.out);
    assert.match(v13.cipher, /^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/);
    // The client may itself refuse TLS 1.1 at its default security level;
    // either way no TLS 1.1 session comes up.
    const v11 = handshake(port, ['-tls1_1', '-cipher', 'ALL:@SECLEVEL=0']);
    assert.equal(v11.ok, false, v11.out);
  });

  it('sends HSTS and the browser headers over TLS', async () => {
    for (const p of browserPaths) {
      const r = await httpsGet(port, p, tls.pem);
      assert.equal(r.status, 200, p);
      assertBrowserHeaders(r.headers, p);
      assert.equal(r.headers['strict-transport-security'], 'max-age=31536000', p);
    }
    const api = await httpsGet(port, '/health/live', tls.pem);
    assert.equal(api.headers['strict-transport-security'], 'max-age=31536000', 'API answers too');
  });
});

describe('browser headers over plain HTTP', { timeout: 60000 }, () => {
  let orch;
  before(async () => { orch = await startOrchestrator({}); });
  after(async () => { await orch?.stop(); });

  it('sends CSP, frame, nosniff and referrer headers on /control and /docs, and no HSTS', async () => {
    for (const p of browserPaths) {
      const r = await fetch(orch.url + p);
      assert.equal(r.status, 200, p);
      assertBrowserHeaders(Object.fromEntries(r.headers), p);
      assert.equal(r.headers.get('strict-transport-security'), null, `${p}: no HSTS over plain HTTP`);
    }
  });

  it('keeps the docs page free of localStorage and inline script', async () => {
    const page = await (await fetch(`${orch.url}/docs`)).text();
    assert.doesNotMatch(page, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script> in /docs');
    const script = await (await fetch(`${orch.url}/docs/docs.js`)).text();
    assert.doesNotMatch(script, /localStorage\s*\.|persistAuthorization:\s*true/);
    const panel = await (await fetch(`${orch.url}/control`)).text();
    assert.doesNotMatch(panel, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script> in /control');
  });
});

describe('ORCH_ENV=production', { timeout: 120000 }, () => {
  const refuse = (env) => {
    const dir = tempDir('ff-prod-');
    const r = spawnSync(orchestratorBin, [], { env: baseEnv(dir, 1, { ORCH_ENV: 'production', ...env }), encoding: 'utf8', timeout: 20000 });
    assert.notEqual(r.status, 0, `must refuse to start:\n${r.stderr}`);
    return r.stderr.trim().split('\n');
  };
  const proxied = { ORCH_BEHIND_TLS_PROXY: '1' };

  it('refuses a registration secret shorter than 32 characters', () => {
    for (const short of ['x', 'r'.repeat(31)]) {
      const lines = refuse({ ...proxied, ORCH_REG_SECRET: short });
      assert.deepEqual(lines, ['fortfail-orchestrator: configuration: ORCH_REG_SECRET: must be at least 32 characters in production']);
    }
  });

  it('refuses a registration secret equal to the JWT secret, without printing it', () => {
    const shared = secret('shared');
    const lines = refuse({ ...proxied, ORCH_REG_SECRET: shared, ORCH_JWT_SECRET: shared });
    assert.deepEqual(lines, ['fortfail-orchestrator: configuration: ORCH_REG_SECRET: must differ from ORCH_JWT_SECRET in production']);
    assert.ok(!lines.join('\n').includes(shared));
  });

  it('refuses plain HTTP unless ORCH_BEHIND_TLS_PROXY=1', () => {
    for (const env of [{}, { ORCH_BEHIND_TLS_PROXY: '0' }]) {
      const lines = refuse(env);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0], /^fortfail-orchestrator: configuration: ORCH_TLS_CERT: plain HTTP is refused in production.*ORCH_BEHIND_TLS_PROXY=1/);
    }
  });

  it('names every problem on its own line', () => {
    const lines = refuse({ ORCH_REG_SECRET: 'short', ORCH_JWT_SECRET: 'short' });
    assert.equal(lines.length, 4, lines.join('\n'));
    for (const l of lines) assert.match(l, /^fortfail-orchestrator: configuration: (ORCH_JWT_SECRET|ORCH_REG_SECRET|ORCH_TLS_CERT): /);
  });

  it('starts behind a TLS proxy, and sends HSTS', async () => {
    const orch = await startOrchestrator({ regSecret: secret('reg'), env: { ORCH_ENV: 'production', ORCH_OPERATOR_SECRET: secret('op'), ...proxied } });
    try {
      const r = await fetch(`${orch.url}/control`);
      assert.equal(r.status, 200);
      assertBrowserHeaders(Object.fromEntries(r.headers), '/control');
      assert.equal(r.headers.get('strict-transport-security'), 'max-age=31536000');
      assert.ok(await orch.operatorToken());
    } finally {
      assert.equal((await orch.stop()).code, 0, orch.log);
    }
  });

  it('starts with its own TLS', async () => {
    const dir = tempDir('ff-prod-tls-');
    const tls = selfSignedCert(dir);
    const port = await freePort();
    const orch = await startTls(baseEnv(dir, port, { ORCH_ENV: 'production', ORCH_TLS_CERT: tls.cert, ORCH_TLS_KEY: tls.key }), port, tls.pem);
    const exit = await orch.stop();
    assert.equal(exit.code, 0, orch.log());
  });
});
