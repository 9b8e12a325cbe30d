// The orchestrator's own view of a run, from GET /metrics (docs/metrics.md):
// its request-duration and WAL histograms, read before and after, so what the
// server spent can be told from what the generator and the network added.
import { request } from './http.mjs';

const HISTOGRAMS = {
  http: 'fortfail_http_request_duration_seconds',
  wal_append: 'fortfail_wal_append_duration_seconds',
  wal_fsync: 'fortfail_wal_fsync_duration_seconds',
};

// { "<name> <series>": { le -> cumulative count } } of the histograms above;
// http series are keyed by method and route (statuses summed).
export async function scrape(url, token) {
  const r = await request(url, 'GET', '/metrics', { token });
  if (r.status !== 200) return null;
  const out = {};
  for (const line of r.text.split('\n')) {
    for (const [name, metric] of Object.entries(HISTOGRAMS)) {
      if (!line.startsWith(`${metric}_bucket`)) continue;
      const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const key = name === 'http' ? `${labels.method} ${labels.route}` : name;
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      const h = (out[key] ||= {});
      h[le] = (h[le] || 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return out;
}

// Per series between two scrapes (summed over orchestrators): count, the
// bucket bound under which 99 % fell, and the share over `slowMs`.
export function compare(befores, afters, slowMs) {
  const delta = {};
  afters.forEach((after, i) => {
    for (const [key, h] of Object.entries(after || {})) {
      const d = (delta[key] ||= {});
      for (const [le, n] of Object.entries(h)) d[le] = (d[le] || 0) + n - (befores[i]?.[key]?.[le] || 0);
    }
  });
  const rows = {};
  for (const [key, h] of Object.entries(delta)) {
    const les = Object.keys(h).map(Number).sort((a, b) => a - b);
    const count = h[Infinity] || 0;
    if (!count) continue;
    const p99 = les.find((le) => h[le] >= 0.99 * count);
    const under = les.filter((le) => le <= slowMs / 1000).pop();
    // Past the last finite bucket: "> that bucket".
    const finite = les.filter(Number.isFinite).pop();
    rows[key] = { count, p99UpToMs: Number.isFinite(p99) ? p99 * 1000 : `> ${finite * 1000}`, slowShare: under === undefined ? 1 : 1 - h[under] / count };
  }
  return rows;
}
