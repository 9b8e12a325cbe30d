// Launches the real fortfail-orchestrator binary for integration, end-to-end and
// browser tests: a free port on 127.0.0.1, a private temp dir for the SQLite
// database / local object store / WAL, or a fresh PostgreSQL database on the
// server scripts/test.sh started (FF_TEST_PG_URL), or s3rver (FF_TEST_S3_ENDPOINT).
//
//   const orch = await startOrchestrator({ db: 'sqlite' | 'postgres', s3: false, env: {}, wrap: [] });
//   orch.url, orch.wsUrl, orch.regSecret, orch.jwtSecret, orch.walPath, orch.dataDir
//   await orch.operatorToken(); await orch.agentToken('a1');
//   await orch.api('GET', '/agents', { token, json, body, headers }) -> { status, headers, json, text }
//   await orch.stop(); orch.kill(); await orch.restart();
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const binDir = process.env.FF_BIN_DIR || path.resolve(import.meta.dirname, '../../build/bin');
export const orchestratorBin = path.join(binDir, 'fortfail-orchestrator');

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix = 'ff-it-') {
  const base = process.env.FF_TEST_TMP || os.tmpdir();
  return fs.mkdtempSync(path.join(base, prefix));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A fresh database on the test PostgreSQL server; returns its URL.
export function freshPostgresDatabase() {
  const base = process.env.FF_TEST_PG_URL;
  if (!base) throw new Error('FF_TEST_PG_URL is not set (scripts/test.sh starts PostgreSQL)');
  const name = `ff_${randomBytes(6).toString('hex')}`;
  execFileSync('psql', [base, '-qc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export const dbKinds = () => ['sqlite', 'postgres'];

// api(method, path, { token, json, body, headers, signal }) against one base URL
// (an orchestrator, or a proxy in front of several).
export function apiClient(baseUrl) {
  return async (method, p, { token, json, body, headers = {}, signal } = {}) => {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload = body;
    if (json !== undefined) {
      h['content-type'] = 'application/json';
      payload = JSON.stringify(json);
    }
    const r = await fetch(baseUrl + p, { method, headers: h, body: payload, signal });
    const text = await r.text();
    let parsed;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    return { status: r.status, headers: r.headers, json: parsed, text };
  };
}

export async function startOrchestrator(opts = {}) {
  const dir = opts.dir || tempDir();
  const port = opts.port || (await freePort());
  const regSecret = opts.regSecret || `reg-${randomBytes(12).toString('hex')}`;
  const jwtSecret = opts.jwtSecret || `jwt-${randomBytes(24).toString('hex')}`;
  let databaseUrl = opts.databaseUrl;
  if (!databaseUrl) {
    databaseUrl = opts.db === 'postgres' ? freshPostgresDatabase() : `sqlite:///${path.join(dir, 'orchestrator.db')}`;
  }
  const env = {
    PATH: process.env.PATH,
    ORCH_LISTEN: `127.0.0.1:${port}`,
    ORCH_JWT_SECRET: jwtSecret,
    ORCH_REG_SECRET: regSecret,
    DATABASE_URL: databaseUrl,
    WAL_PATH: path.join(dir, 'wal.log'),
    ORCH_DATA_DIR: path.join(dir, 'data'),
    ORCH_LOG_LEVEL: process.env.ORCH_LOG_LEVEL || 'warn',
    ...(process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: process.env.ASAN_OPTIONS } : {}),
    ...(opts.s3
      ? {
          S3_ENDPOINT: process.env.FF_TEST_S3_ENDPOINT,
          S3_ACCESS_KEY: 'S3RVER',
          S3_SECRET_KEY: 'S3RVER',
          S3_BUCKET: `ff-${randomBytes(5).toString('hex')}`,
        }
      : {}),
    ...(opts.env || {}),
  };
  const orch = {
    dir, port, env, regSecret, jwtSecret, databaseUrl,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    walPath: env.WAL_PATH,
    dataDir: env.ORCH_DATA_DIR,
    proc: null,
    log: '',
  };

  orch.launch = async () => {
    orch.log = '';
    orch.exited = null;
    // opts.wrap: a command line to run the binary under (e.g. ['prlimit', '--nofile=128:128', '--']).
    const argv = [...(opts.wrap || []), orchestratorBin, ...(opts.args || [])];
    const proc = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    orch.proc = proc;
    proc.stdout.on('data', (d) => { orch.log += d; });
    proc.stderr.on('data', (d) => { orch.log += d; });
    orch.exitPromise = new Promise((resolve) => proc.on('exit', (code, signal) => {
      orch.exited = { code, signal };
      resolve(orch.exited);
    }));
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (orch.exited) throw new Error(`orchestrator exited early (${JSON.stringify(orch.exited)}):\n${orch.log}`);
      try {
        const r = await fetch(`${orch.url}/health/live`);
        if (r.status === 200) return orch;
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    throw new Error(`orchestrator did not start:\n${orch.log}`);
  };

  orch.api = apiClient(orch.url);

  // Operator tokens come from ORCH_OPERATOR_SECRET where it is set (the
  // registration secret then mints agent tokens only).
  const operatorSecret = opts.env?.ORCH_OPERATOR_SECRET || regSecret;
  orch.mint = async (agentId) => {
    const r = await orch.api('POST', '/auth/token', {
      json: agentId ? { registration_secret: regSecret, agent_id: agentId } : { registration_secret: operatorSecret },
    });
    if (r.status !== 200) throw new Error(`token mint failed: ${r.status} ${r.text}`);
    return r.json.token;
  };
  orch.operatorToken = () => orch.mint(undefined);
  orch.agentToken = (agentId) => orch.mint(agentId);

  orch.stop = async () => {
    if (!orch.proc || orch.exited) return orch.exited;
    orch.proc.kill('SIGTERM');
    const t = setTimeout(() => orch.proc.kill('SIGKILL'), 10000);
    const r = await orch.exitPromise;
    clearTimeout(t);
    return r;
  };
  orch.kill = async () => {
    if (!orch.proc || orch.exited) return orch.exited;
    orch.proc.kill('SIGKILL');
    return orch.exitPromise;
  };
  orch.restart = async () => {
    await orch.stop();
    return orch.launch();
  };

  await orch.launch();
  return orch;
}
