// TEMPORARY preview mock (deleted after UI iteration): static dist + a fake API.
import http from 'node:http'; import fs from 'node:fs'; import path from 'node:path';
import { WebSocketServer } from 'ws';
const root = '/work/main/web/dist'; const port = 18932;
const now = Date.now(); const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const agents = [
  { id: 'db-prod-1', status: 'online', last_seen: iso(now - 4000), first_seen: iso(now - 86400e3 * 3), snapshot_count: 5, last_snapshot_at: iso(now - 3600e3) },
  { id: 'web-prod-2', status: 'online', last_seen: iso(now - 12000), first_seen: iso(now - 86400e3 * 2), snapshot_count: 3, last_snapshot_at: iso(now - 7200e3) },
  { id: 'laptop-eve', status: 'offline', last_seen: iso(now - 5400e3), first_seen: iso(now - 86400e3), snapshot_count: 1, last_snapshot_at: iso(now - 80000e3) },
];
const snaps = []; let k = 0;
for (const [a, n] of [['db-prod-1', 5], ['web-prod-2', 3], ['laptop-eve', 1]]) for (let i = 0; i < n; i++) {
  k++; snaps.push({ id: `${a}-2026-11-${String(20 + i).padStart(2, '0')}`, agent_id: a, checksum: 'ab'.repeat(32), size: Math.round((k * 37 % 11 + 1) * 1024 * 1024 * 13.7), metadata: { files: 1200 * k, compression: 'zstd', source: '/srv/data' }, status: k === 4 ? 'pending' : k === 7 ? 'corrupt' : 'available', created_at: iso(now - (10 - k) * 3600e3 * 7), uploaded_at: iso(now - (10 - k) * 3600e3 * 7 + 60e3) });
}
const jobs = [
  { id: 'rj-001', snapshot_id: snaps[0].id, target_agent_id: 'web-prod-2', target_path: null, status: 'completed', created_at: iso(now - 50000e3), updated_at: iso(now - 49900e3) },
  { id: 'rj-002', snapshot_id: snaps[2].id, target_agent_id: 'db-prod-1', target_path: '/restore/x', status: 'failed', created_at: iso(now - 30000e3), updated_at: iso(now - 29700e3) },
  { id: 'rj-003', snapshot_id: snaps[5].id, target_agent_id: 'db-prod-1', target_path: null, status: 'completed', created_at: iso(now - 9000e3), updated_at: iso(now - 8800e3) },
  { id: 'rj-004', snapshot_id: snaps[1].id, target_agent_id: 'web-prod-2', target_path: null, status: 'in_progress', created_at: iso(now - 120e3), updated_at: iso(now - 10e3) },
];
const logs = { 'rj-004': [
  { timestamp: iso(now - 110e3), agent_id: 'web-prod-2', event_type: 'restore_started', message: 'downloading snapshot', metadata: {} },
  { timestamp: iso(now - 10e3), agent_id: 'web-prod-2', event_type: 'restore_in_progress', message: 'extracting', metadata: { bytes_done: 40 * 1024 * 1024, bytes_total: 96 * 1024 * 1024 } } ] };
let seq = 40; const wal = []; const clients = new Set();
const rec = (event, f) => { const r = { seq: ++seq, timestamp: iso(Date.now()), event, ...f }; wal.push(r); for (const c of clients) c.send(JSON.stringify(r)); return r; };
for (let i = 0; i < 12; i++) rec(['token_minted', 'command_dispatched', 'agent_event', 'snapshot_uploaded'][i % 4], { agent_id: agents[i % 3].id, role: 'agent', job_id: 'rj-004', snapshot_id: snaps[i % 9].id, size: 123456789, command_type: 'restore', event_type: 'restore_in_progress', message: 'extracting', metadata: { bytes_done: i * 8 * 1048576, bytes_total: 96 * 1048576 } });

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };
const json = (res, code, body, h = {}) => { res.writeHead(code, { 'content-type': 'application/json', ...h }); res.end(JSON.stringify(body)); };
const srv = http.createServer(async (req, res) => {
  const u = new URL(req.url, 'http://x'); let p = u.pathname;
  let body = ''; for await (const c of req) body += c;
  if (p.startsWith('/control') || p.startsWith('/docs') || p === '/openapi.json') {
    if (p === '/control' || p === '/control/') p = '/control/index.html'; if (p === '/docs' || p === '/docs/') p = '/docs/index.html';
    const f = path.join(root, p); if (!fs.existsSync(f)) return json(res, 404, { detail: 'not found' });
    res.writeHead(200, { 'content-type': types[path.extname(f)] }); return res.end(fs.readFileSync(f));
  }
  if (p === '/health/ready') return json(res, 200, { status: 'ready', checks: {}, wal_head: { seq, hash: 'x' } });
  if (p === '/auth/token') return JSON.parse(body || '{}').registration_secret === 'secret' ? json(res, 200, { token: 'a.b.c', expires_in: 1, token_type: 'bearer' }) : json(res, 403, { detail: 'invalid registration secret' });
  if (p === '/__event') { const b = JSON.parse(body); if (b.job_id && b.event_type) { (logs[b.job_id] ??= []).push({ timestamp: iso(Date.now()), agent_id: b.agent_id, event_type: b.event_type, message: b.message, metadata: b.metadata ?? {} }); } rec(b.event ?? 'agent_event', b); if (b.status) { const j = jobs.find((x) => x.id === b.job_id); const from = j.status; j.status = b.status; j.updated_at = iso(Date.now()); rec('job_status_changed', { kind: 'restore', job_id: j.id, agent_id: j.target_agent_id, from, status: b.status }); } return json(res, 200, { status: 'ok' }); }
  if (req.headers.authorization !== 'Bearer a.b.c') return json(res, 401, { detail: 'bad token' }, { 'www-authenticate': 'Bearer' });
  if (p === '/agents') return json(res, 200, agents);
  if (p === '/snapshots') return json(res, 200, snaps, { 'x-total-count': snaps.length });
  if (p === '/restore-jobs' && req.method === 'GET') return json(res, 200, jobs, { 'x-total-count': jobs.length });
  if (p === '/restore-jobs' && req.method === 'POST') { const b = JSON.parse(body); const j = { id: `rj-${100 + jobs.length}`, snapshot_id: b.snapshot_id, target_agent_id: b.target_agent_id, target_path: b.target_path ?? null, status: 'pending', created_at: iso(Date.now()), updated_at: iso(Date.now()) }; jobs.unshift(j); rec('restore_job_created', { job_id: j.id, snapshot_id: j.snapshot_id, agent_id: j.target_agent_id, status: 'pending' }); return json(res, 200, j); }
  const m = p.match(/^\/restore-jobs\/(.+)$/); if (m) { const j = jobs.find((x) => x.id === m[1]); return j ? json(res, 200, { ...j, logs: logs[j.id] ?? [] }) : json(res, 404, { detail: 'nope' }); }
  const d = p.match(/^\/snapshots\/(.+)$/); if (d && req.method === 'DELETE') { const i = snaps.findIndex((s) => s.id === d[1]); snaps.splice(i, 1); rec('snapshot_deleted', { snapshot_id: d[1] }); res.writeHead(204); return res.end(); }
  json(res, 404, { detail: 'not found' });
});
const wss = new WebSocketServer({ noServer: true });
srv.on('upgrade', (req, sock, head) => { const u = new URL(req.url, 'http://x'); if (u.searchParams.get('token') !== 'a.b.c') { sock.end('HTTP/1.1 401 Unauthorized\r\n\r\n'); return; }
  wss.handleUpgrade(req, sock, head, (ws) => { const since = Number(u.searchParams.get('since') || 0); ws.send(JSON.stringify({ event: 'connected', role: 'operator', since })); for (const r of wal) if (r.seq > since) ws.send(JSON.stringify(r)); clients.add(ws); ws.on('close', () => clients.delete(ws)); }); });
srv.listen(port, '127.0.0.1', () => console.log('mock on', port));
