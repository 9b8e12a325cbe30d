// Two orchestrator replicas on one PostgreSQL database and one bucket, behind
// haproxy running deploy/haproxy.cfg, with faults injected under load (real
// processes throughout):
// - routing: both replicas serve, share agents, and /ws upgrades through haproxy;
// - a long poll through haproxy lasts its whole wait;
// - kill -9 of a replica while agents post events: clients retry onto the other
//   replica, every acknowledged event is kept, every job finishes, haproxy takes
//   the dead replica out and puts it back once restarted;
// - PostgreSQL stopped and started: 503 + Retry-After meanwhile, recovery
//   without restarting a replica, nothing acknowledged lost;
// - s3rver stopped and started during uploads: 503 + Retry-After meanwhile, then
//   the uploads succeed, no snapshot `available` without its bytes;
// - a WAL on a full file system (a 256 KiB tmpfs): writes are refused, not
//   acknowledged unrecorded.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, orchestratorBin, freePort, tempDir } from '../support/orchestrator.mjs';
import { startS3rver, privatePostgres, until, assertUnavailable } from '../support/outages.mjs';
import { startReplicas, retryingApi, haproxyCfg } from '../support/replicas.mjs';
import { openEvents } from '../support/ws.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ok2xx = (s) => s >= 200 && s < 300;
const bothUp = { 'orchestrator-1': 'UP', 'orchestrator-2': 'UP' };

// Which replicas answered `n` requests through haproxy.
async function answeringReplicas(api, n = 12) {
  const seen = new Set();
  for (let i = 0; i < n; i++) seen.add((await api('GET', '/health/live')).headers.get('x-fortfail-replica'));
  return seen;
}

// How often each message appears in a job's log, read from one replica.
async function logCounts(orch, token, jobId) {
  const r = await orch.api('GET', `/restore-jobs/${jobId}`, { token });
  assert.equal(r.status, 200, r.text);
  const counts = new Map();
  for (const l of r.json.logs) counts.set(l.message, (counts.get(l.message) || 0) + 1);
  return { job: r.json, counts };
}

// Runs step() again and again in the background; the returned stop() waits for
// the step under way and rethrows the error that ended the loop, if any.
function repeatUntilStopped(step) {
  let stopped = false;
  const done = (async () => { while (!stopped) await step(); })().catch((e) => e);
  return async () => {
    stopped = true;
    const e = await done;
    if (e) throw e;
  };
}

// Every item of a paged list (`limit`/`offset`), oldest page last.
async function listAll(api, p, token) {
  const items = [];
  for (;;) {
    const r = await api('GET', `${p}${p.includes('?') ? '&' : '?'}limit=100&offset=${items.length}`, { token });
    assert.equal(r.status, 200, r.text);
    items.push(...r.json);
    if (r.json.length < 100) return items;
  }
}

// A pending snapshot of `agent` and a restore job onto it.
async function restoreJob(api, op, agent, agentTok) {
  const snap = uid('snap');
  const s = await api('POST', '/snapshots', { token: agentTok, json: { id: snap, agent_id: agent, checksum: sha(snap), size: 1 } });
  assert.equal(s.status, 200, s.text);
  const j = await api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: agent } });
  assert.equal(j.status, 200, j.text);
  return j.json.id;
}

describe('two replicas behind haproxy', () => {
  let pg, s3, s3Port, s3Dir, c, op;
  before(async () => {
    pg = await privatePostgres();
    s3Port = await freePort();
    s3Dir = tempDir('ff-replicas-s3-');
    s3 = await startS3rver(s3Port, s3Dir);
    c = await startReplicas({
      databaseUrl: pg.url,
      env: {
        S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
        // The load below is a few agents posting as fast as they can.
        ORCH_AGENT_EVENTS_PER_SECOND: '10000',
        ORCH_AGENT_EVENT_BURST: '10000',
        ORCH_TOKEN_RATE_BURST: '1000',
        // A command leased by a poll whose answer died with its replica comes back soon.
        ORCH_COMMAND_LEASE_SECONDS: '3',
      },
    });
    op = await c.operatorToken();
  });
  after(async () => {
    await c?.stop();
    await s3?.kill();
    pg?.remove();
    if (s3Dir) fs.rmSync(s3Dir, { recursive: true, force: true });
  });
  // Each test starts from a healthy pair, whatever the previous one left.
  beforeEach(async () => {
    if (!c) return;
    for (const r of c.replicas) if (r.exited) await r.launch();
    await c.waitForStates(bothUp);
  });

  it('routes to both replicas, shares agents between them and upgrades /ws', async () => {
    assert.deepEqual([...(await answeringReplicas(c.api))].sort(), ['orchestrator-1', 'orchestrator-2']);

    // An agent that registers with one replica is known to the other.
    const agent = uid('reg');
    const tok = await c.replicas[0].agentToken(agent);
    assert.equal((await c.replicas[0].api('POST', `/agent/${agent}/events`, { token: tok, json: { event_type: 'heartbeat' } })).status, 200);
    const agents = await c.replicas[1].api('GET', '/agents', { token: op });
    assert.ok(agents.json.some((a) => a.id === agent), agents.text);
    const viaProxy = await c.api('GET', '/agents', { token: op });
    assert.ok(viaProxy.json.some((a) => a.id === agent));
    assert.match(viaProxy.headers.get('x-fortfail-replica'), /^orchestrator-[12]$/);

    const ev = await openEvents(`${c.wsUrl}?token=${op}`);
    const hello = await ev.waitFor((m) => m.event === 'connected');
    assert.equal(hello.role, 'admin');
    ev.close();
  });

  it('keeps a long poll through haproxy open for its whole wait', async () => {
    // The file's timeouts outlast the longest wait a replica grants.
    const cfg = fs.readFileSync(haproxyCfg, 'utf8');
    const help = execFileSync(orchestratorBin, ['--help'], { encoding: 'utf8' });
    const maxWait = Number(help.match(/ORCH_MAX_LONG_POLL_SECONDS \(default: (\d+)\)/)[1]);
    const seconds = (name) => {
      const m = cfg.match(new RegExp(`^\\s*timeout ${name} (\\d+)(s|m|h)\\s*$`, 'm'));
      assert.ok(m, `timeout ${name} in ${haproxyCfg}`);
      return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2]];
    };
    assert.ok(seconds('server') > maxWait && seconds('client') > maxWait, `timeouts vs ORCH_MAX_LONG_POLL_SECONDS ${maxWait}`);
    assert.ok(seconds('tunnel') >= 3600, 'WebSockets stay open an hour idle');

    const agent = uid('poll');
    const tok = await c.agentToken(agent);
    const t0 = Date.now();
    const r = await c.api('GET', `/agent/${agent}/commands?wait=5`, { token: tok });
    const ms = Date.now() - t0;
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, []);
    assert.ok(ms >= 4500 && ms < 8000, `answered after ${ms} ms`);
  });

  it('wakes a long poll parked on one replica when a command is created on the other', async () => {
      const agent = uid('wake');
      const tok = await c.replicas[1].agentToken(agent);
      const poll = c.replicas[1].api('GET', `/agent/${agent}/commands?wait=3`, { token: tok });
      await sleep(300);
      const t0 = Date.now();
      const job = await restoreJob(c.replicas[0].api, op, agent, tok);
      const r = await poll;
      assert.equal(r.json?.[0]?.payload?.job_id, job, r.text);
      assert.ok(Date.now() - t0 < 1000, `woken after ${Date.now() - t0} ms`);
    });

  it('streams to a WebSocket on one replica what an agent posted to the other', async () => {
      const ev = await openEvents(`${c.replicas[1].wsUrl}?token=${op}`);
      await ev.waitFor((m) => m.event === 'connected');
      const agent = uid('stream');
      const tok = await c.replicas[0].agentToken(agent);
      const marker = uid('m');
      await c.replicas[0].api('POST', `/agent/${agent}/events`, { token: tok, json: { event_type: 'heartbeat', message: marker } });
      try {
        await ev.waitFor((m) => m.message === marker, 1500);
      } finally {
        ev.close();
      }
    });

  it('loses nothing acknowledged when a replica is killed under load', async (t) => {
    const agents = await Promise.all([0, 1, 2, 3].map(async (i) => {
      const id = uid(`load${i}`);
      return { id, tok: await c.agentToken(id), jobs: [], done: new Set() };
    }));
    for (const a of agents) {
      for (let j = 0; j < 5; j++) a.jobs.push(await restoreJob(c.api, op, a.id, a.tok));
    }
    const call = retryingApi(c.api);
    const sent = [];      // every event: { job, message, res }
    const requests = [];  // every request, polls included
    const request = async (...args) => {
      const started = Date.now();
      const res = await call(...args);
      requests.push({ started, res, what: `${args[0]} ${args[1]}` });
      return res;
    };
    const post = async (a, job, eventType, message) => {
      const res = await request('POST', `/agent/${a.id}/events`, { token: a.tok, json: { job_id: job, event_type: eventType, message } });
      sent.push({ job, message, res, eventType });
      return res;
    };
    // An agent: polls its commands and runs each restore job once: started,
    // 30 progress events ~40 ms apart, completed.
    const runAgent = async (a) => {
      const deadline = Date.now() + 25000;
      while (a.done.size < a.jobs.length && Date.now() < deadline) {
        const poll = await request('GET', `/agent/${a.id}/commands?wait=1`, { token: a.tok });
        for (const cmd of poll.status === 200 ? poll.json : []) {
          const job = cmd.payload.job_id;
          if (a.done.has(job)) continue;
          await post(a, job, 'restore_started', `${job}-start`);
          for (let i = 0; i < 30; i++) {
            await post(a, job, 'restore_in_progress', `${job}-p${i}`);
            await sleep(40);
          }
          await post(a, job, 'restore_completed', `${job}-done`);
          a.done.add(job);
        }
      }
    };
    const load = Promise.all(agents.map(runAgent));
    // 4 agents x 5 jobs x 32 events, about 7 s: the kill comes a quarter of the
    // way in, leaving time for haproxy to take the victim out under load.
    await until('a quarter of the 640 events acknowledged', async () => ({ ok: sent.length >= 160 }), 15000);
    const victim = c.replicas[0];
    await victim.kill();
    const killedAt = Date.now();
    const marked = await c.waitForStates({ 'orchestrator-1': 'DOWN', 'orchestrator-2': 'UP' }, 10000);
    const downAfter = Date.now() - killedAt;
    await load;
    const retried = requests.filter((r) => r.res.failures > 0);
    t.diagnostic(`${requests.length} requests, ${retried.length} retried (${retried.map((r) => JSON.stringify(r.res.attempts)).join(' ')}); victim marked down ${downAfter} ms after the kill`);

    // Every request succeeded in the end, after a retry or two at most.
    for (const { res, what } of requests) {
      const finishedJob = res.status === 409 && res.json?.job_status === 'completed';  // a retried `completed`
      assert.ok(ok2xx(res.status) || finishedJob, `${what}: ${res.status} ${res.text} after ${JSON.stringify(res.attempts)}`);
      assert.ok(res.failures <= 2 && res.ms < 5000, `${what}: ${JSON.stringify(res.attempts)}`);
    }
    // Once haproxy marked the victim down, every answer came from the survivor.
    const late = requests.filter((r) => r.started > killedAt + downAfter + 100).flatMap((r) => r.res.attempts);
    assert.ok(late.length > 0, 'requests after the victim was marked down');
    assert.deepEqual([...new Set(late.map((x) => x.replica))], ['orchestrator-2']);
    assert.ok(downAfter < 5000, `marked down ${downAfter} ms after the kill (${JSON.stringify(marked.got)})`);

    // The survivor has every acknowledged event; a duplicate only where the
    // client retried after a failure (the server may have committed first).
    const survivor = c.replicas[1];
    for (const a of agents) {
      assert.deepEqual([...a.done].sort(), [...a.jobs].sort(), `${a.id} got every command`);
      for (const job of a.jobs) {
        const { job: detail, counts } = await logCounts(survivor, op, job);
        assert.equal(detail.status, 'completed', job);
        for (const e of sent.filter((x) => x.job === job)) {
          const n = counts.get(e.message) || 0;
          assert.ok(n >= 1, `acknowledged ${e.message} missing`);
          assert.ok(n === 1 || e.res.failures > 0, `${e.message} recorded ${n} times without a retry`);
        }
      }
    }
    // The victim's WAL chain survived kill -9.
    const verify = spawnSync(orchestratorBin, ['wal', 'verify', victim.walPath], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);

    // Restarted, it is taken back and serves again.
    await victim.restart();
    await c.waitForStates(bothUp);
    assert.ok((await answeringReplicas(c.api)).has('orchestrator-1'));
    assert.equal((await logCounts(victim, op, agents[0].jobs[0])).job.status, 'completed');

    // And in the global event stream, replayed from either replica: every
    // acknowledged event, in one gap-free order (docs/architecture.md, Replicas).
    // The replay comes in seq order, which need not be the order in which the
    // answers arrived (two answers of one shipped batch may cross on the way
    // back): wait until the replay holds every acknowledged event, or 10 s.
    const acked = sent.filter((e) => ok2xx(e.res.status));
    for (const r of c.replicas) {
      const ev = await openEvents(`${r.wsUrl}?token=${op}&since=0`);
      try {
        const streamedNow = () => new Set(ev.messages.filter((m) => m.seq && m.event === 'agent_event').map((m) => m.message));
        const missingNow = () => { const s = streamedNow(); return acked.filter((e) => !s.has(e.message)); };
        const deadline = Date.now() + 10000;
        while (missingNow().length > 0 && Date.now() < deadline) await sleep(50);
        const records = ev.messages.filter((m) => m.seq);
        records.forEach((m, i) => assert.equal(m.seq, i + 1, 'gap-free from 1'));
        const missing = missingNow();
        assert.deepEqual(missing.map((e) => e.message), [], 'acknowledged but not in the global stream');
      } finally {
        ev.close();
      }
    }
  });

  it('answers 503 with Retry-After while PostgreSQL is down and recovers without a restart', async (t) => {
    const agent = uid('pgout');
    const tok = await c.agentToken(agent);
    const job = await restoreJob(c.api, op, agent, tok);
    // Load: events posted without retries, each answer recorded.
    const answers = [];
    const stopLoad = repeatUntilStopped(async () => {
      const t0 = Date.now();
      const message = `pg-${answers.length}`;
      let r;
      try {
        r = await c.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: job, event_type: 'restore_in_progress', message }, signal: AbortSignal.timeout(10000) });
      } catch (e) {
        r = { status: 0, text: e.message, headers: new Headers() };
      }
      answers.push({ message, status: r.status, text: r.text, retryAfter: r.headers.get('retry-after'), ms: Date.now() - t0 });
      await sleep(50);
    });
    try {
      await until('events acknowledged before the outage', async () => ({ ok: answers.filter((a) => a.status === 200).length >= 5 }));
      pg.stop();
      try {
        await c.waitForStates({ 'orchestrator-1': 'DOWN', 'orchestrator-2': 'DOWN' }, 10000);
        // Through haproxy, and from each replica: the replica's own 503.
        for (const api of [c.api, c.replicas[0].api, c.replicas[1].api]) {
          assertUnavailable(await api('GET', '/health/ready'), '/health/ready');
          assertUnavailable(await api('GET', '/restore-jobs', { token: op }), 'GET /restore-jobs');
          assertUnavailable(await api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: job, event_type: 'restore_in_progress' } }), 'POST event');
        }
        // What needs no database still works through haproxy.
        const minted = await c.api('POST', '/auth/token', { json: { registration_secret: c.regSecret } });
        assert.equal(minted.status, 200, minted.text);
      } finally {
        pg.start();
      }
      await c.waitForStates(bothUp, 30000);
      for (const r of c.replicas) assert.equal((await r.api('GET', '/restore-jobs', { token: op })).status, 200);
      await until('events acknowledged after the outage', async () => ({ ok: answers.slice(-3).every((a) => a.status === 200) }));
    } finally {
      await stopLoad();
    }

    t.diagnostic(`${answers.length} events posted: ${answers.filter((a) => a.status === 503).length} refused with 503, slowest answer ${Math.max(...answers.map((a) => a.ms))} ms`);
    for (const a of answers) {
      assert.ok(a.status === 200 || (a.status === 503 && Number(a.retryAfter) > 0), `${a.message}: ${a.status} ${a.text}`);
      assert.ok(a.ms < 10000, `${a.message}: answered after ${a.ms} ms`);
    }
    assert.ok(answers.some((a) => a.status === 503), 'some events were refused during the outage');
    for (const r of c.replicas) {
      const { counts } = await logCounts(r, op, job);
      const lost = answers.filter((a) => a.status === 200 && !counts.has(a.message)).map((a) => a.message);
      assert.deepEqual(lost, [], 'acknowledged but lost');
    }
  });

  it('answers uploads 503 with Retry-After while s3rver is down; no snapshot available without its bytes', async (t) => {
    const agent = uid('s3out');
    const tok = await c.agentToken(agent);
    const refusals = [];  // 503s the uploader saw, as they happen
    const call = retryingApi(c.api, { deadlineMs: 30000, onAttempt: (a) => { if (a.status === 503) refusals.push(a); } });
    const uploads = [];   // { id, bytes, res }
    // An agent uploading 300 KiB snapshots one after another, each retried until stored.
    const stopUploads = repeatUntilStopped(async () => {
      const bytes = randomBytes(300 * 1024);
      const id = uid('s3o');
      const reg = await call('POST', '/snapshots', { token: tok, json: { id, agent_id: agent, checksum: sha(bytes), size: bytes.length } });
      assert.equal(reg.status, 200, reg.text);
      uploads.push({ id, bytes, res: await call('PUT', `/snapshots/${id}/object`, { token: tok, body: bytes }) });
      await sleep(50);
    });
    try {
      await until('uploads before the outage', async () => ({ ok: uploads.length >= 3 }));
      await s3.kill();
      try {
        await c.waitForStates({ 'orchestrator-1': 'DOWN', 'orchestrator-2': 'DOWN' }, 10000);
        const bytes = randomBytes(1000);
        const id = uid('s3d');
        assert.equal((await c.api('POST', '/snapshots', { token: tok, json: { id, agent_id: agent, checksum: sha(bytes), size: bytes.length } })).status, 200);
        assertUnavailable(await c.api('PUT', `/snapshots/${id}/object`, { token: tok, body: bytes }), 'upload through haproxy');
        assertUnavailable(await c.api('GET', `/snapshots/${uploads[0].id}/object`, { token: op }), 'download through haproxy');
        assert.equal((await c.api('GET', `/snapshots/${id}`, { token: op })).json.status, 'pending');
        await until('the uploader to be refused', async () => ({ ok: refusals.length > 0 }));
      } finally {
        s3 = await startS3rver(s3Port, s3Dir);
      }
      await c.waitForStates(bothUp, 30000);
      const before = uploads.length;
      await until('uploads after the outage', async () => ({ ok: uploads.length >= before + 2 }));
    } finally {
      await stopUploads();
    }

    t.diagnostic(`${uploads.length} uploads, ${refusals.length} attempts refused with 503 while s3rver was down`);
    assert.deepEqual(refusals.filter((a) => !(Number(a.retryAfter) > 0)), [], 'every 503 carries Retry-After');
    for (const { id, res } of uploads) assert.equal(res.status, 200, `${id}: ${res.status} ${res.text} ${JSON.stringify(res.attempts)}`);
    // Every snapshot the database calls available has its bytes, from either replica.
    const listed = await listAll(c.api, `/snapshots?agent_id=${agent}`, op);
    const available = listed.filter((s) => s.status === 'available').map((s) => s.id);
    assert.deepEqual(available.sort(), uploads.map((u) => u.id).sort());
    for (const [i, { id, bytes }] of uploads.entries()) {
      const r = await fetch(`${c.replicas[i % 2].url}/snapshots/${id}/object`, { headers: { authorization: `Bearer ${op}` } });
      assert.equal(r.status, 200, id);
      assert.equal(sha(Buffer.from(await r.arrayBuffer())), sha(bytes), id);
    }
  });
});

// One orchestrator (SQLite; no haproxy needed) whose WAL is on a 256 KiB tmpfs
// filled up to a few KiB: the tests below run in order on that state.
describe('WAL on a full file system', () => {
  let mnt, orch, op, tok, job, mountError = '';
  const agent = uid('full');
  const acked = [];    // messages of the events answered 2xx
  const refused = [];  // { status, text, retryAfter } of those that were not
  const walVerify = () => spawnSync(orchestratorBin, ['wal', 'verify', orch.walPath], { encoding: 'utf8' });
  const post = (message) => orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: job, event_type: 'restore_in_progress', message } });
  const skipUnmounted = (t) => {
    if (orch) return false;
    t.skip(`tmpfs mount not permitted: ${mountError}`);
    return true;
  };

  before(async () => {
    mnt = tempDir('ff-walfull-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (e) {
      mountError = String(e.stderr || e.message).trim();
      fs.rmSync(mnt, { recursive: true, force: true });
      mnt = undefined;
      return;
    }
    orch = await startOrchestrator({ env: { WAL_PATH: path.join(mnt, 'wal.log'), ORCH_AGENT_EVENTS_PER_SECOND: '10000', ORCH_AGENT_EVENT_BURST: '10000' } });
    op = await orch.operatorToken();
    tok = await orch.agentToken(agent);
    job = await restoreJob(orch.api, op, agent, tok);
    // Leave a few KiB: room for a handful of records, then ENOSPC.
    const { bavail, bsize } = fs.statfsSync(mnt);
    fs.writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - 6 * 1024)));
  });
  after(async () => {
    await orch?.stop();
    if (mnt) {
      execFileSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('refuses writes it cannot record with 503 and keeps every acknowledged one', async (t) => {
    if (skipUnmounted(t)) return;
    for (let i = 0; i < 400 && refused.length < 3; i++) {
      const message = `full-${i}-${'x'.repeat(200)}`;
      const r = await post(message);
      if (ok2xx(r.status)) acked.push(message);
      else refused.push({ status: r.status, text: r.text, retryAfter: r.headers.get('retry-after') });
    }
    t.diagnostic(`acknowledged ${acked.length} events, then ${JSON.stringify(refused)}`);
    assert.ok(acked.length > 0, 'some events fit');
    assert.ok(refused.length > 0, 'the full WAL refused writes');
    for (const r of refused) {
      assert.equal(r.status, 503, `${r.status} ${r.text}`);
      assert.ok(Number(r.retryAfter) > 0, 'Retry-After');
    }
    const { counts } = await logCounts(orch, op, job);
    assert.deepEqual(acked.filter((m) => !counts.has(m)), [], 'acknowledged but not in the job log');
    const wal = fs.readFileSync(orch.walPath, 'utf8');
    assert.deepEqual(acked.filter((m) => !wal.includes(m)), [], 'acknowledged but not in the WAL');
  });

  // By design (docs/architecture.md, Durability): after a failed append what
  // reached the disk is unknown, so the writer refuses every later append and
  // readiness says why, until a restart's WAL check cuts the torn tail.
  it('keeps refusing, and says why on /health/ready, until restarted', async (t) => {
    if (skipUnmounted(t)) return;
    fs.rmSync(path.join(mnt, 'filler'));
    const r = await post(uid('freed'));
    assert.equal(r.status, 503, r.text);
    const ready = await orch.api('GET', '/health/ready');
    assert.equal(ready.status, 503, ready.text);
    assert.match(ready.json.checks.wal, /No space left on device/);
  });

  it('after a restart, verifies and still holds every acknowledged event', async (t) => {
    if (skipUnmounted(t)) return;
    fs.rmSync(path.join(mnt, 'filler'), { force: true });
    await orch.restart();
    const v = walVerify();
    assert.equal(v.status, 0, v.stdout + v.stderr);
    const wal = fs.readFileSync(orch.walPath, 'utf8');
    assert.deepEqual(acked.filter((m) => !wal.includes(m)), [], 'acknowledged but not in the WAL');
    const { counts } = await logCounts(orch, op, job);
    assert.deepEqual(acked.filter((m) => !counts.has(m)), [], 'acknowledged but not in the job log');
    assert.equal((await post(uid('restarted'))).status, 200, 'writes are taken again');
  });
});
