// Bounded input (issue #13): hostile bodies from an agent token cannot crash
// the orchestrator, commit a change without its WAL record, flood the WAL,
// declare absurd sizes, grow a job's log without end, or starve the health
// probes by exhausting file descriptors.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { startOrchestrator } from '../support/orchestrator.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const sha = () => randomBytes(32).toString('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const walRecords = (orch) =>
  fs.readFileSync(orch.walPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const dbs = process.env.FF_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

for (const db of dbs) {
  describe(`bounded input on ${db}`, () => {
    let orch, op;
    before(async () => {
      orch = await startOrchestrator({ db, env: { ORCH_MAX_JOB_EVENTS: '10', ORCH_AGENT_QUOTA_BYTES: '1000' } });
      op = await orch.operatorToken();
    });
    after(async () => { await orch?.stop(); });

    const snapshot = async (agent, token, size = 10) => {
      const id = uid('s');
      const r = await orch.api('POST', '/snapshots', { token, json: { id, agent_id: agent, checksum: sha(), size } });
      assert.equal(r.status, 200, r.text);
      return id;
    };

    it('refuses JSON nested past 64 levels with 422 and stays up', async () => {
      const agent = uid('deep');
      const tok = await orch.agentToken(agent);
      const deep = '['.repeat(100000) + ']'.repeat(100000);
      const body = `{"event_type":"info","message":"x","metadata":{"a":${deep}}}`;
      assert.ok(body.length > 200000);
      const r = await orch.api('POST', `/agent/${agent}/events`, { token: tok, body, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 422, r.text);
      assert.match(r.json.detail, /64/);
      const snap = await orch.api('POST', '/snapshots', {
        token: tok,
        body: `{"id":"${uid('s')}","agent_id":"${agent}","checksum":"${sha()}","size":1,"metadata":{"a":${deep}}}`,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(snap.status, 422, snap.text);
      // 64 levels in all (the body object is one of them) is still fine.
      const ok = await orch.api('POST', `/agent/${agent}/events`, {
        token: tok,
        body: `{"event_type":"info","message":"x","metadata":{"a":${'['.repeat(62)}${']'.repeat(62)}}}`,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(orch.exited, null);
      assert.equal((await orch.api('GET', '/health/live')).status, 200);
      assert.equal((await orch.api('GET', '/health/ready')).status, 200);
    });

    it('changes nothing when an event is too long once escaped, and commits it with its record otherwise', async () => {
      const agent = uid('esc');
      const tok = await orch.agentToken(agent);
      const snap = await snapshot('owner', await orch.agentToken('owner'));
      const job = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: agent } })).json;
      const post = (json) => orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: job.id, ...json } });
      assert.equal((await post({ event_type: 'restore_started', message: 'go' })).status, 200);
      // 16 KiB of control characters: 96 KiB once JSON-escaped, over the WAL's 64 KiB line.
      const long = await post({ event_type: 'restore_completed', message: '\u0001'.repeat(16 * 1024) });
      assert.equal(long.status, 422, long.text);
      assert.match(long.json.detail, /message/);
      const still = (await orch.api('GET', `/restore-jobs/${job.id}`, { token: op })).json;
      assert.equal(still.status, 'in_progress');
      assert.deepEqual(still.logs.map((l) => l.event_type), ['restore_started']);
      const done = await post({ event_type: 'restore_completed', message: 'ok' });
      assert.equal(done.status, 200, done.text);
      const records = walRecords(orch).filter((r) => r.job_id === job.id);
      assert.deepEqual(records.filter((r) => r.event === 'agent_event').map((r) => r.event_type), ['restore_started', 'restore_completed']);
      assert.ok(records.some((r) => r.event === 'job_status_changed' && r.status === 'completed'));
    });

    it('refuses a backup job whose paths are too long once stored, creating nothing', async () => {
      const agent = uid('paths');
      const paths = Array.from({ length: 256 }, (_, i) => `/srv/${i}/${'p'.repeat(4000)}`);
      const r = await orch.api('POST', '/backup-jobs', { token: op, json: { agent_id: agent, paths } });
      assert.equal(r.status, 422, r.text);
      assert.match(r.json.detail, /paths/);
      const list = await orch.api('GET', `/backup-jobs?agent_id=${agent}`, { token: op });
      assert.equal(list.headers.get('x-total-count'), '0');
      assert.ok(!walRecords(orch).some((rec) => rec.agent_id === agent));
      // Valid paths, but an agent that never registered: 404 naming it.
      const unknown = await orch.api('POST', '/backup-jobs', { token: op, json: { agent_id: agent, paths: ['/srv/a'] } });
      assert.equal(unknown.status, 404, unknown.text);
      assert.match(unknown.json.detail, new RegExp(agent));
      await orch.agentToken(agent);
      assert.equal((await orch.api('POST', '/backup-jobs', { token: op, json: { agent_id: agent, paths: ['/srv/a'] } })).status, 200);
    });

    it('caps declared sizes and an agent\'s stored bytes', async () => {
      const agent = uid('size');
      const tok = await orch.agentToken(agent);
      const huge = await orch.api('POST', '/snapshots', { token: tok, json: { id: uid('s'), agent_id: agent, checksum: sha(), size: 2 ** 40 } });
      assert.equal(huge.status, 422, huge.text);
      assert.match(huge.json.detail, /ORCH_MAX_OBJECT_BYTES/);
      await snapshot(agent, tok, 600);
      const over = await orch.api('POST', '/snapshots', { token: tok, json: { id: uid('s'), agent_id: agent, checksum: sha(), size: 600 } });
      assert.equal(over.status, 413, over.text);
      assert.match(over.json.detail, /ORCH_AGENT_QUOTA_BYTES/);
      await snapshot(agent, tok, 400);
    });

    it('caps a job\'s log, still takes its terminal event, and pages the logs', async () => {
      const agent = uid('cap');
      const tok = await orch.agentToken(agent);
      const snap = await snapshot('owner', await orch.agentToken('owner'));
      const job = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: agent } })).json;
      const post = (json) => orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: job.id, message: '', ...json } });
      assert.equal((await post({ event_type: 'restore_started' })).status, 200);
      for (let i = 0; i < 9; i++) assert.equal((await post({ event_type: 'restore_in_progress', message: `${i}` })).status, 200);
      const over = await post({ event_type: 'restore_in_progress', message: 'one too many' });
      assert.equal(over.status, 409, over.text);
      assert.match(over.json.detail, /ORCH_MAX_JOB_EVENTS/);
      assert.equal((await post({ event_type: 'restore_completed', message: 'done' })).status, 200);
      const full = await orch.api('GET', `/restore-jobs/${job.id}`, { token: op });
      assert.equal(full.json.status, 'completed');
      assert.equal(full.json.logs.length, 11);
      assert.equal(full.headers.get('x-logs-total-count'), '11');
      const page = await orch.api('GET', `/restore-jobs/${job.id}?logs_offset=2&logs_limit=3`, { token: op });
      assert.deepEqual(page.json.logs.map((l) => l.message), ['1', '2', '3']);
      assert.equal(page.headers.get('x-logs-total-count'), '11');
      assert.equal((await orch.api('GET', `/restore-jobs/${job.id}?logs_limit=0`, { token: op })).status, 422);
      const bj = (await orch.api('POST', '/backup-jobs', { token: op, json: { agent_id: agent } })).json;
      const bpage = await orch.api('GET', `/backup-jobs/${bj.id}?logs_limit=1`, { token: op });
      assert.equal(bpage.status, 200);
      assert.deepEqual(bpage.json.logs, []);
    });
  });
}

describe('per-agent event rate', () => {
  let orch;
  before(async () => {
    orch = await startOrchestrator({ env: { ORCH_AGENT_EVENT_BURST: '20', ORCH_AGENT_EVENTS_PER_SECOND: '2' } });
  });
  after(async () => { await orch?.stop(); });

  it('answers a flooding agent 429 with Retry-After, leaves other agents alone, and takes terminal events', async () => {
    const flooder = uid('flood');
    const tok = await orch.agentToken(flooder);
    const op = await orch.operatorToken();
    const snap = uid('s');
    assert.equal((await orch.api('POST', '/snapshots', { token: tok, json: { id: snap, agent_id: flooder, checksum: sha(), size: 1 } })).status, 200);
    const job = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: flooder } })).json;
    const walBefore = fs.statSync(orch.walPath).size;
    const statuses = [];
    let limited;
    for (let i = 0; i < 60; i++) {
      const r = await orch.api('POST', `/agent/${flooder}/events`, { token: tok, json: { event_type: 'info', message: 'x'.repeat(1000) } });
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    assert.ok(statuses.filter((s) => s === 200).length <= 22, statuses.join(','));
    assert.ok(limited, 'the flood was limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.match(limited.json.detail, /ORCH_AGENT_EVENTS_PER_SECOND/);
    assert.ok(fs.statSync(orch.walPath).size - walBefore < 22 * 1400, 'the WAL grew only by the accepted events');
    const other = uid('calm');
    const otherTok = await orch.agentToken(other);
    assert.equal((await orch.api('POST', `/agent/${other}/events`, { token: otherTok, json: { event_type: 'info', message: 'hi' } })).status, 200);
    // The job's terminal event is taken even while the agent is limited.
    const done = await orch.api('POST', `/agent/${flooder}/events`, { token: tok, json: { job_id: job.id, event_type: 'restore_completed', message: 'done' } });
    assert.equal(done.status, 200, done.text);
    assert.equal((await orch.api('GET', `/restore-jobs/${job.id}`, { token: op })).json.status, 'completed');
  });
});

// Opens `n` TCP connections that never send anything.
async function openIdle(port, n) {
  const sockets = [];
  await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.on('connect', resolve);
    s.on('close', resolve);
    sockets.push(s);
  })));
  return sockets;
}

// One request on a fresh connection (fetch would reuse a pooled one opened
// before the limit was hit), written `writeDelayMs` after connecting; rejects
// after a second.
function timedGet(port, path, writeDelayMs = 0) {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`GET ${path}: no answer within 1 s`)); }, 1000);
    s.on('connect', () => setTimeout(() => s.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`), writeDelayMs));
    s.on('data', (d) => { data += d; });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('end', () => {
      clearTimeout(timer);
      s.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1]);
      const retryAfter = /\r\nretry-after: *(\d+)/i.exec(data)?.[1] ?? null;
      resolve({ status, ms: Date.now() - start, retryAfter, text: data });
    });
  });
}

for (const [name, env] of [
  ['the connection cap derived from RLIMIT_NOFILE', {}],
  ['descriptor exhaustion (cap above the fd limit)', { ORCH_MAX_CONNECTIONS: '100000' }],
]) {
  describe(`health under ${name}`, () => {
    let orch;
    const sockets = [];
    before(async () => {
      orch = await startOrchestrator({ wrap: ['prlimit', '--nofile=128:128', '--'], env });
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await orch?.stop();
    });

    it('keeps answering health probes within a second with a small log', async () => {
      sockets.push(...(await openIdle(orch.port, 400)));
      await sleep(300);
      const logBefore = orch.log.length;
      for (let i = 0; i < 6; i++) {
        const live = await timedGet(orch.port, '/health/live');
        assert.equal(live.status, 200, live.text);
        assert.ok(live.ms < 1000, `answered in ${live.ms} ms`);
        const ready = await timedGet(orch.port, '/health/ready');
        assert.equal(ready.status, 200, ready.text);
        // A probe slow to write after connecting (a loaded prober) is not
        // mistaken for an idle connection.
        const slow = await timedGet(orch.port, '/health/ready', 60);
        assert.equal(slow.status, 200, slow.text);
        sockets.push(...(await openIdle(orch.port, 20)));
        await sleep(200);
      }
      // Anything but a probe is told to come back later.
      const other = await timedGet(orch.port, '/');
      assert.equal(other.status, 503);
      assert.equal(other.retryAfter, '1');
      assert.equal(orch.exited, null);
      assert.ok(orch.log.length - logBefore < 4000, `log grew by ${orch.log.length - logBefore} bytes:\n${orch.log.slice(-2000)}`);
      // Once the idle connections go, everything is served again.
      for (const s of sockets.splice(0)) s.destroy();
      await sleep(500);
      assert.equal((await timedGet(orch.port, '/')).status, 200);
    });
  });
}
