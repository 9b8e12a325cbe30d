// The HTTP client shared by the fleet generator's processes: Node's built-in
// `http` with keep-alive agents, timings on one clock every process shares.
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

// Milliseconds since the epoch, sub-millisecond, comparable across processes.
export const now = () => performance.timeOrigin + performance.now();

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A keep-alive pool: `sockets` connections at most to one orchestrator.
// TCP keepalive probes start after 60 s idle, as FortFail's agent has them
// (libcurl's default): Node's default of 1 s would send a probe every second
// on every parked long poll, 15,000 probes and acknowledgements a second at
// 15,000 agents, a kernel load no real fleet puts on the orchestrator.
// `localAddress`: the address its connections come from (default: the
// kernel's choice).
export const pool = (sockets, localAddress) =>
  new http.Agent({ keepAlive: true, keepAliveMsecs: 60000, maxSockets: sockets, maxFreeSockets: sockets,
    ...(localAddress ? { localAddress } : {}) });

// One request. Resolves { status, json, text, t0, t1 } (t1 when the whole
// body has arrived); rejects on a network error or after timeoutMs.
export function request(base, method, path, { agent, token, json, body, type, timeoutMs = 60000 } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    headers['content-type'] = 'application/json';
  } else if (body !== undefined) {
    headers['content-type'] = type || 'application/octet-stream';
  }
  if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload);
  return new Promise((resolve, reject) => {
    const t0 = now();
    const req = http.request(`${base}${path}`, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const t1 = now();
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = null;
        if ((res.headers['content-type'] || '').includes('json')) {
          try { parsed = JSON.parse(text); } catch { /* kept as text */ }
        }
        resolve({ status: res.statusCode, json: parsed, text, t0, t1 });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

// How late a process's event loop runs its callbacks (busy, or short of CPU):
// latencies measured in that process include it. stop() gives p99 and max in
// ms since the last reset(). The histogram holds the whole timer interval,
// so the interval is taken off.
export function loopLag() {
  const resolution = 10;
  const h = monitorEventLoopDelay({ resolution });
  h.enable();
  const ms = (ns) => Math.max(0, ns / 1e6 - resolution);
  return { reset: () => h.reset(), read: () => ({ p99: ms(h.percentile(99)), max: ms(h.max) }) };
}

// Percentiles of an array of numbers (sorted here), nearest-rank.
export function summary(values) {
  const v = Float64Array.from(values).sort();
  const at = (p) => (v.length ? v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))] : NaN);
  return { count: v.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: v.length ? v[v.length - 1] : NaN };
}
