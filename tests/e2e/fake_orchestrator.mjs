// A small in-process stand-in for the orchestrator, speaking the wire contract
// (docs/openapi.json, backup jobs included) closely enough to drive
// fortfail-agent and the fortfail CLI without the real server: tokens, snapshots
// with streamed object upload/download (Range), restore and backup jobs,
// leased commands with long poll, agent events, and the /ws event stream.
// Used by agent_contract.test.mjs; the real-server scenarios live beside it.
// drill(agentId, snapshotId) queues a restore drill as the orchestrator will.
// `refuse` (path regexes) makes it answer 404 for routes an older
// orchestrator lacks; `refused` lists the requests it turned away.
// With `upstream` (a real orchestrator's URL) it only adds drills: everything
// else (tokens, snapshots, the repository routes, its own jobs' commands and
// events) is forwarded, so an agent can drill a snapshot the real server holds.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { WebSocketServer } from 'ws';

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

export async function startFakeOrchestrator({ regSecret = 'reg', leaseSeconds = 30, tokenTtl = 3600, upstream = null, refuse = [] } = {}) {
  const snapshots = new Map(); const objects = new Map();
  const jobs = new Map(); const commands = []; const wal = []; const wsClients = new Set();
  const waiters = new Set();
  const refused = [];
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const record = (event, fields) => {
    const r = { seq: wal.length + 1, timestamp: now(), event, ...fields };
    wal.push(r);
    for (const ws of wsClients) ws.send(JSON.stringify(r));
  };
  const mint = (claims) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + tokenTtl })}.sig`;
  const claimsOf = (req) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization || '');
    if (!m) return null;
    try { return JSON.parse(Buffer.from(m[1].split('.')[1], 'base64url')); } catch { return null; }
  };
  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const readBody = (req) => new Promise((resolve) => {
    const chunks = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => resolve(Buffer.concat(chunks)));
  });
  const queue = (agentId, command_type, payload) => {
    commands.push({ id: `cmd-${randomBytes(6).toString('hex')}`, agent_id: agentId, command_type, payload, leased_until: 0, done: false, job_id: payload.job_id });
    for (const w of waiters) w();
  };
  // The command and job a drill gets: the restore payload plus drill: true, never a target_path.
  // `onEvent(event)` sees each of the drill's events as it arrives; returning
  // 'cancel' cancels the job there (that event is answered 409 cancelled).
  const drill = (agentId, snapshotId, { onEvent } = {}) => {
    const id = `job-${randomBytes(6).toString('hex')}`;
    const job = { id, kind: 'drill', snapshot_id: snapshotId, target_agent_id: agentId, status: 'pending', created_at: now(), updated_at: now(), logs: [] };
    jobs.set(id, { kind: 'drill', job, onEvent });
    const s = snapshots.get(snapshotId) ?? {};
    queue(agentId, 'drill', { job_id: id, snapshot_id: snapshotId, checksum: s.checksum, size: s.size, format: s.metadata?.format ?? 'tar', drill: true });
    return job;
  };
  const forward = (req, res, body) => new Promise((resolve) => {
    const u = new URL(req.url, upstream);
    const headers = { ...req.headers, host: u.host, 'content-length': body.length };
    delete headers['transfer-encoding'];
    const up = http.request(u, { method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
      r.on('end', resolve);
    });
    up.on('error', () => { send(res, 502, { detail: 'upstream unreachable' }); resolve(); });
    up.end(body);
  });
  const due = (agentId) => commands.filter((c) => c.agent_id === agentId && !c.done && c.leased_until <= Date.now());
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    const body = await readBody(req);
    const json = () => { try { return JSON.parse(body.toString() || '{}'); } catch { return null; } };
    // `refuse`: paths an older orchestrator lacks (regexes), answered 404 as
    // an unknown route; `refused` counts them.
    if (refuse.some((r) => r.test(p))) {
      refused.push(`${req.method} ${p}`);
      return send(res, 404, { detail: 'Not Found' });
    }
    if (upstream) {
      const polled = /^\/agent\/([^/]+)\/commands$/.exec(p);
      const posted = /^\/agent\/[^/]+\/events$/.test(p) && req.method === 'POST';
      if (!(polled && due(polled[1]).length) && !(posted && jobs.has(json()?.job_id))) return forward(req, res, body);
    }
    if (p === '/health/live' || p === '/health/ready') return send(res, 200, { status: 'ok' });
    if (p === '/auth/token' && req.method === 'POST') {
      const j = json();
      if (j?.registration_secret !== regSecret) return send(res, 403, { detail: 'Invalid registration secret' });
      return send(res, 200, { token: mint(j.agent_id ? { sub: j.agent_id, role: 'agent' } : { sub: 'operator', role: 'operator' }), expires_in: tokenTtl, token_type: 'bearer' });
    }
    const who = claimsOf(req);
    if (!who) return send(res, 401, { detail: 'Not authenticated' }, { 'www-authenticate': 'Bearer' });
    let m;
    if (p === '/snapshots' && req.method === 'POST') {
      const j = json();
      if (snapshots.has(j.id)) return send(res, 409, { detail: 'Snapshot already exists' });
      snapshots.set(j.id, { id: j.id, agent_id: j.agent_id, checksum: j.checksum, size: j.size, metadata: j.metadata ?? {}, status: 'pending', created_at: now(), uploaded_at: null });
      record('snapshot_created', { snapshot_id: j.id });
      return send(res, 200, { id: j.id, presigned_url: null, upload_url: `/snapshots/${j.id}/object`, status: 'pending' });
    }
    if (p === '/snapshots' && req.method === 'GET') {
      return send(res, 200, [...snapshots.values()].filter((s) => !url.searchParams.get('agent_id') || s.agent_id === url.searchParams.get('agent_id')));
    }
    if ((m = /^\/snapshots\/([^/]+)\/object$/.exec(p))) {
      const s = snapshots.get(m[1]);
      if (!s) return send(res, 404, { detail: 'Snapshot not found' });
      if (req.method === 'PUT') {
        if (s.status === 'available') return send(res, 409, { detail: 'already uploaded' });
        const got = createHash('sha256').update(body).digest('hex');
        if (got !== s.checksum || body.length !== s.size) return send(res, 400, { detail: `Checksum mismatch: expected ${s.checksum}, got ${got}` });
        objects.set(s.id, body); s.status = 'available'; s.uploaded_at = now();
        record('snapshot_uploaded', { snapshot_id: s.id });
        return send(res, 200, { status: 'uploaded', snapshot_id: s.id, size: body.length, checksum: got });
      }
      if (s.status !== 'available') return send(res, 409, { detail: 'Snapshot not available' });
      let data = objects.get(s.id);
      const range = /^bytes=(\d+)-$/.exec(req.headers.range || '');
      const status = range ? 206 : 200;
      if (range) data = data.subarray(Number(range[1]));
      res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': data.length, etag: `"${s.checksum}"` });
      return res.end(data);
    }
    if ((m = /^\/snapshots\/([^/]+)$/.exec(p))) {
      const s = snapshots.get(m[1]);
      return s ? send(res, 200, s) : send(res, 404, { detail: 'Snapshot not found' });
    }
    if ((p === '/restore-jobs' || p === '/backup-jobs') && req.method === 'POST') {
      const j = json();
      const kind = p === '/restore-jobs' ? 'restore' : 'backup';
      if (kind === 'restore' && !snapshots.has(j.snapshot_id)) return send(res, 404, { detail: 'Snapshot not found' });
      const id = `job-${randomBytes(6).toString('hex')}`;
      const job = kind === 'restore'
        ? { id, snapshot_id: j.snapshot_id, target_agent_id: j.target_agent_id, status: 'pending', created_at: now(), updated_at: now(), logs: [] }
        : { id, agent_id: j.agent_id, paths: j.paths ?? null, status: 'pending', snapshot_id: null, created_at: now(), updated_at: now(), logs: [] };
      jobs.set(id, { kind, job });
      record(`${kind}_job_created`, { job_id: id });
      queue(kind === 'restore' ? j.target_agent_id : j.agent_id, kind,
        kind === 'restore' ? { snapshot_id: j.snapshot_id, job_id: id, ...(j.target_path ? { target_path: j.target_path } : {}) } : { job_id: id, ...(j.paths ? { paths: j.paths } : {}) });
      const { logs, ...view } = job;
      return send(res, 200, view);
    }
    if (p === '/restore-jobs' || p === '/backup-jobs') {
      const kind = p === '/restore-jobs' ? 'restore' : 'backup';
      return send(res, 200, [...jobs.values()].filter((x) => x.kind === kind).map((x) => x.job));
    }
    if ((m = /^\/(restore|backup)-jobs\/([^/]+)$/.exec(p))) {
      const x = jobs.get(m[2]);
      return x && x.kind === m[1] ? send(res, 200, x.job) : send(res, 404, { detail: 'Job not found' });
    }
    if (p === '/agents') return send(res, 200, [...new Set(commands.map((c) => c.agent_id))].map((id) => ({ id, status: 'online', last_seen: now() })));
    if ((m = /^\/agent\/([^/]+)\/commands$/.exec(p))) {
      if (who.role === 'agent' && who.sub !== m[1]) return send(res, 403, { detail: 'Not your agent' });
      const wait = Math.min(Number(url.searchParams.get('wait') || 0), 20);
      let list = due(m[1]);
      if (!list.length && wait > 0) {
        await new Promise((resolve) => {
          const w = () => { waiters.delete(w); clearTimeout(t); resolve(); };
          const t = setTimeout(w, wait * 1000); waiters.add(w);
          const poll = setInterval(() => { if (due(m[1]).length) { clearInterval(poll); w(); } }, 200);
          setTimeout(() => clearInterval(poll), wait * 1000 + 10);
        });
        list = due(m[1]);
      }
      for (const c of list) c.leased_until = Date.now() + leaseSeconds * 1000;
      return send(res, 200, list.map(({ id, command_type, payload }) => ({ id, command_type, payload })));
    }
    if ((m = /^\/agent\/([^/]+)\/events$/.exec(p)) && req.method === 'POST') {
      const e = json();
      record('agent_event', { agent_id: m[1], ...e });
      const x = e.job_id && jobs.get(e.job_id);
      if (x) {
        if (x.onEvent?.(e) === 'cancel') x.job.status = 'cancelled'; // an operator's cancel, seen at this event
        if (x.job.status === 'cancelled') return send(res, 409, { detail: 'Job was cancelled', job_status: 'cancelled' });
        if (['completed', 'failed'].includes(x.job.status)) return send(res, 409, { detail: 'Job already finished' });
        x.job.logs.push({ timestamp: now(), agent_id: m[1], event_type: e.event_type, message: e.message, metadata: e.metadata ?? null });
        const t = e.event_type;
        if (/_(started|in_progress)$/.test(t)) x.job.status = 'in_progress';
        if (/_(completed|success)$/.test(t)) { x.job.status = 'completed'; if (e.snapshot_id && x.kind === 'backup') x.job.snapshot_id = e.snapshot_id; }
        if (/_failed$/.test(t) || t === 'error') x.job.status = 'failed';
        x.job.updated_at = now();
        for (const c of commands) {
          if (c.job_id === e.job_id) {
            if (['completed', 'failed'].includes(x.job.status)) c.done = true;
            else c.leased_until = Date.now() + leaseSeconds * 1000;
          }
        }
      }
      return send(res, 200, { status: 'ok' });
    }
    return send(res, 404, { detail: 'Not found' });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname !== '/ws' || !url.searchParams.get('token')) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ event: 'connected' }));
      const since = Number(url.searchParams.get('since') ?? -1);
      if (since >= 0) for (const r of wal.filter((r) => r.seq > since)) ws.send(JSON.stringify(r));
      wsClients.add(ws);
      ws.on('close', () => wsClients.delete(ws));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`, regSecret, snapshots, objects, jobs, commands, wal, refused,
    queue, drill,
    stop: () => new Promise((r) => { for (const ws of wsClients) ws.terminate(); server.closeAllConnections(); server.close(r); }),
  };
}
