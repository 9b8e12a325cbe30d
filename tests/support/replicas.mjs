// Two orchestrator replicas on one database and one bucket, behind haproxy
// running deploy/haproxy.cfg as shipped (only its FF_* addresses are set):
//
//   const c = await startReplicas({ databaseUrl, env: { S3_ENDPOINT } });
//   c.replicas[0|1]              // startOrchestrator() handles: kill(), restart(), api()
//   c.url, c.wsUrl, c.api(...)   // through haproxy
//   await c.serverStates()       // { 'orchestrator-1': 'UP', 'orchestrator-2': 'DOWN', ... }
//   await c.waitForStates({ 'orchestrator-1': 'UP', 'orchestrator-2': 'UP' })
//   await c.stop()
//
// retryingApi(api) wraps an api() as a client that retries a failed request
// (connection error, 502/503/504, no answer within 10 s) after 200 ms.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startOrchestrator, apiClient, freePort } from './orchestrator.mjs';
import { until } from './outages.mjs';

const root = path.resolve(import.meta.dirname, '../..');
export const haproxyCfg = path.join(root, 'deploy/haproxy.cfg');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// haproxy in the foreground (-db) in front of `upstreams` (host:port each),
// once it answers /health/ready through itself.
export async function startHaproxy(upstreams) {
  const port = await freePort();
  const statsPort = await freePort();
  const env = {
    PATH: process.env.PATH,
    FF_HAPROXY_BIND: `127.0.0.1:${port}`,
    FF_HAPROXY_STATS_BIND: `127.0.0.1:${statsPort}`,
    ...Object.fromEntries(upstreams.map((u, i) => [`FF_REPLICA_${i + 1}`, u])),
  };
  const proc = spawn('haproxy', ['-f', haproxyCfg, '-db'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const hp = {
    proc,
    url: `http://127.0.0.1:${port}`,
    statsUrl: `http://127.0.0.1:${statsPort}/stats`,
    log: '',
    exited: null,
  };
  proc.stdout.on('data', (d) => { hp.log += d; });
  proc.stderr.on('data', (d) => { hp.log += d; });
  const exitPromise = new Promise((resolve) => proc.on('exit', (code, signal) => { hp.exited = { code, signal }; resolve(); }));
  hp.api = apiClient(hp.url);
  // Server name -> haproxy's status column (UP, DOWN, "UP 1/2", no check, ...).
  hp.serverStates = async () => {
    const csv = await (await fetch(`${hp.statsUrl};csv`)).text();
    const [head, ...rows] = csv.split('\n').filter(Boolean);
    const cols = head.replace(/^# /, '').split(',');
    const at = (name) => cols.indexOf(name);
    return Object.fromEntries(rows.map((r) => r.split(','))
      .filter((f) => f[at('pxname')] === 'orchestrators' && f[at('svname')] !== 'BACKEND')
      .map((f) => [f[at('svname')], f[at('status')]]));
  };
  hp.stop = async () => {
    if (hp.exited) return;
    proc.kill('SIGTERM');
    await exitPromise;
  };
  try {
    await until('haproxy to answer /health/ready', async () => {
      if (hp.exited) throw new Error(`haproxy exited (${JSON.stringify(hp.exited)}):\n${hp.log}`);
      try {
        const r = await fetch(`${hp.url}/health/ready`);
        return { ok: r.status === 200, status: r.status };
      } catch (e) {
        return { ok: false, error: e.message };
      }
    }, 15000);
  } catch (e) {
    await hp.stop();  // a live child would keep the test process running
    throw e;
  }
  return hp;
}

export async function startReplicas({ databaseUrl, env = {}, s3 = true } = {}) {
  // One identity for the whole service: a token minted by either replica is
  // accepted by the other, and both use one bucket.
  const shared = {
    databaseUrl,
    s3,
    jwtSecret: `jwt-${randomBytes(24).toString('hex')}`,
    regSecret: `reg-${randomBytes(12).toString('hex')}`,
  };
  const bucket = `ff-${randomBytes(5).toString('hex')}`;
  const replicas = await Promise.all([1, 2].map((i) => startOrchestrator({
    ...shared,
    env: { S3_BUCKET: bucket, ORCH_TRUSTED_PROXIES: '127.0.0.1', ...env, ORCH_REPLICA_ID: `orchestrator-${i}` },
  })));
  const stopReplicas = () => Promise.all(replicas.map((r) => r.stop()));
  let haproxy;
  try {
    haproxy = await startHaproxy(replicas.map((r) => `127.0.0.1:${r.port}`));
  } catch (e) {
    await stopReplicas();
    throw e;
  }
  const c = {
    replicas,
    haproxy,
    bucket,
    regSecret: shared.regSecret,
    url: haproxy.url,
    wsUrl: `${haproxy.url.replace(/^http/, 'ws')}/ws`,
    api: haproxy.api,
    serverStates: haproxy.serverStates,
    // Tokens are minted by a replica directly: through haproxy every client has
    // haproxy's address, and the per-address mint limit would count them together.
    operatorToken: () => replicas[0].operatorToken(),
    agentToken: (id) => replicas[0].agentToken(id),
  };
  c.waitForStates = (want, ms = 15000) => until(`haproxy to see ${JSON.stringify(want)}`, async () => {
    const got = await c.serverStates();
    return { ok: Object.entries(want).every(([k, v]) => got[k] === v), got };
  }, ms);
  c.stop = async () => {
    await haproxy.stop();
    await stopReplicas();
  };
  try {
    await c.waitForStates({ 'orchestrator-1': 'UP', 'orchestrator-2': 'UP' });
  } catch (e) {
    await c.stop();
    throw e;
  }
  return c;
}

const retryable = (status) => status === 502 || status === 503 || status === 504;

// A client that retries as agents do: a failed attempt (connection error,
// 502/503/504, or no answer within 10 s) is tried again after 200 ms, up to
// `deadlineMs` after the first. Returns the last response with the attempts:
// { status, json, ..., attempts: [{ status, replica, retryAfter | error, ms }], failures }.
// onAttempt(attempt) sees each attempt as it ends (a retry loop can last long).
export function retryingApi(api, { deadlineMs = 15000, onAttempt = () => {} } = {}) {
  return async (method, p, opts = {}) => {
    const t0 = Date.now();
    const attempts = [];
    for (;;) {
      const start = Date.now();
      let r;
      try {
        r = await api(method, p, { ...opts, signal: AbortSignal.timeout(10000) });
        attempts.push({ status: r.status, replica: r.headers.get('x-fortfail-replica'), retryAfter: r.headers.get('retry-after'), ms: Date.now() - start });
      } catch (e) {
        attempts.push({ error: e.cause?.code || e.name || e.message, ms: Date.now() - start });
      }
      onAttempt(attempts.at(-1));
      if (r && !retryable(r.status)) return { ...r, attempts, failures: attempts.length - 1, ms: Date.now() - t0 };
      if (Date.now() - t0 > deadlineMs) {
        return { ...(r || { status: 0 }), attempts, failures: attempts.length, ms: Date.now() - t0, gaveUp: true };
      }
      await sleep(200);
    }
  };
}
