// Replicas sharing one PostgreSQL database, without a load balancer: what one
// replica does reaches the other (docs/architecture.md "Replicas"):
// - a long poll parked on B wakes within a second when a job for its agent is
//   created on A (LISTEN/NOTIFY wake-ups);
// - a WebSocket on B streams what agents post to A within a second, every
//   record with one global, gap-free seq naming its replica and WAL seq;
// - `since` resumes on the other replica without gap or duplicate;
// - a replica restarted after records reached its WAL but not the stream
//   ships them at start (catch-up), and the WAL records name their replica.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startOrchestrator, freshPostgresDatabase } from '../support/orchestrator.mjs';
import { openEvents } from '../support/ws.mjs';
import { startReceiver } from '../support/webhook_receiver.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha = () => createHash('sha256').update(randomBytes(8)).digest('hex');

describe('replicas on one PostgreSQL database', () => {
  let a, b, op;
  before(async () => {
    const databaseUrl = freshPostgresDatabase();
    const shared = { databaseUrl, regSecret: `reg-${randomBytes(12).toString('hex')}`, jwtSecret: `jwt-${randomBytes(24).toString('hex')}` };
    a = await startOrchestrator({ ...shared, env: { ORCH_REPLICA_ID: 'replica-a' } });
    b = await startOrchestrator({ ...shared, env: { ORCH_REPLICA_ID: 'replica-b' } });
    op = await a.operatorToken();
  });
  after(async () => { await a?.stop(); await b?.stop(); });

  const snapshot = async (agent) => {
    const id = uid('snap');
    const r = await a.api('POST', '/snapshots', { token: op, json: { id, agent_id: agent, checksum: sha(), size: 10 } });
    assert.equal(r.status, 200, r.text);
    return id;
  };

  it('wakes a long poll on B within a second when A creates its job', async () => {
    const agent = uid('lp');
    const tok = await b.agentToken(agent);
    const snap = await snapshot(agent);
    const poll = b.api('GET', `/agent/${agent}/commands?wait=20`, { token: tok });
    await sleep(500); // parked on B
    const t0 = Date.now();
    const job = await a.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: agent } });
    assert.equal(job.status, 200, job.text);
    const r = await poll;
    const ms = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.equal(r.json.length, 1);
    assert.equal(r.json[0].payload.job_id, job.json.id);
    assert.ok(ms < 1000, `woke after ${ms} ms`);
    // Job status is the database's, whichever replica answers.
    const onB = await b.api('GET', `/restore-jobs/${job.json.id}`, { token: op });
    assert.equal(onB.json.status, (await a.api('GET', `/restore-jobs/${job.json.id}`, { token: op })).json.status);
  });

  it('streams records posted to A on a WebSocket of B, in one gap-free order', async () => {
    const ev = await openEvents(`${b.wsUrl}?token=${op}`);
    const hello = await ev.waitFor((m) => m.event === 'connected');
    const agent = uid('ws');
    const tokA = await a.agentToken(agent);
    // Quotes, backslashes, control characters and non-ASCII survive the trip
    // through the stream (its batches travel as one PostgreSQL text[]).
    const marker = `${uid('msg')} "quoted" back\\slash {braces}, tab\t é ✓`;
    const t0 = Date.now();
    const posted = await a.api('POST', `/agent/${agent}/events`, { token: tokA, json: { event_type: 'heartbeat', message: marker } });
    assert.equal(posted.status, 200, posted.text);
    const got = await ev.waitFor((m) => m.event === 'agent_event' && m.message === marker, 1000);
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(got.replica, 'replica-a');
    assert.ok(got.wal_seq > 0);
    // Records of both replicas, numbered one after the other.
    const marker2 = uid('msg');
    const tokB = await b.agentToken(agent);
    await b.api('POST', `/agent/${agent}/events`, { token: tokB, json: { event_type: 'heartbeat', message: marker2 } });
    const got2 = await ev.waitFor((m) => m.message === marker2, 1000);
    assert.equal(got2.replica, 'replica-b');
    const seqs = ev.messages.filter((m) => m.seq).map((m) => m.seq);
    assert.equal(seqs[0], hello.since + 1);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, 'no gaps, no duplicates');
    ev.close();
  });

  it('resumes with since on the other replica without gap or duplicate', async () => {
    const onA = await openEvents(`${a.wsUrl}?token=${op}`);
    const agent = uid('rs');
    const tok = await a.agentToken(agent);
    const markers = [];
    for (let i = 0; i < 5; i++) {
      markers.push(uid('m'));
      const r = await (i % 2 ? b : a).api('POST', `/agent/${agent}/events`, { token: tok, json: { event_type: 'heartbeat', message: markers[i] } });
      assert.equal(r.status, 200);
    }
    await onA.waitFor((m) => m.message === markers[4], 2000);
    const seen = onA.messages.filter((m) => m.seq);
    const cut = seen.findIndex((m) => m.message === markers[1]);
    const since = seen[cut].seq;
    onA.close();
    // Reconnect to B from the middle: the rest arrives once each, then live.
    const onB = await openEvents(`${b.wsUrl}?token=${op}&since=${since}`);
    const live = uid('live');
    await b.api('POST', `/agent/${agent}/events`, { token: tok, json: { event_type: 'heartbeat', message: live } });
    await onB.waitFor((m) => m.message === live, 2000);
    const resumed = onB.messages.filter((m) => m.seq);
    assert.equal(resumed[0].seq, since + 1);
    for (let i = 1; i < resumed.length; i++) assert.equal(resumed[i].seq, resumed[i - 1].seq + 1);
    assert.deepEqual(resumed.filter((m) => markers.includes(m.message)).map((m) => m.message), markers.slice(2));
    // The same records, byte for byte, from either replica.
    assert.deepEqual(resumed.slice(0, 3).map((m) => JSON.stringify(m)), seen.slice(cut + 1, cut + 4).map((m) => JSON.stringify(m)));
    onB.close();
  });

  it('names the replica in its WAL records and ships what a crash left behind', async () => {
    const walLines = () => fs.readFileSync(a.walPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(walLines().every((r) => r.replica === 'replica-a'));
    // Records that reached A's WAL but not the stream (a crash between the two):
    // removed from the stream by hand, they are shipped again at restart.
    await a.stop();
    const lastWal = walLines().at(-1).seq;
    execFileSync('psql', [a.databaseUrl, '-qc',
      `DELETE FROM event_stream WHERE replica = 'replica-a' AND wal_seq > ${lastWal - 3}`]);
    await a.restart();
    const ev = await openEvents(`${b.wsUrl}?token=${op}&since=0`);
    await sleep(500);
    const replayed = ev.messages.filter((m) => m.replica === 'replica-a').map((m) => m.wal_seq);
    for (let s = lastWal - 2; s <= lastWal; s++) assert.ok(replayed.includes(s), `WAL record ${s} shipped again`);
    assert.equal(new Set(replayed).size, replayed.length, 'each WAL record once');
    ev.close();
  });
});

describe('singletons across replicas', () => {
  let a, b, op, receiver;
  const replicas = () => [a, b];
  before(async () => {
    receiver = await startReceiver();
    const databaseUrl = freshPostgresDatabase();
    const shared = { databaseUrl, regSecret: `reg-${randomBytes(12).toString('hex')}`, jwtSecret: `jwt-${randomBytes(24).toString('hex')}` };
    const env = (id) => ({ ORCH_REPLICA_ID: id, ORCH_LOG_LEVEL: 'info', ORCH_AGENT_OFFLINE_ALERT_SECONDS: '2' });
    a = await startOrchestrator({ ...shared, env: env('single-a') });
    b = await startOrchestrator({ ...shared, env: env('single-b') });
    op = await a.operatorToken();
    const hook = await a.api('POST', '/webhooks', { token: op, json: { url: receiver.url, events: ['agent.offline'], secret: 'whsec-replicas-0123456789' } });
    assert.equal(hook.status, 201, hook.text);
  });
  after(async () => { await a?.stop(); await b?.stop(); await receiver?.close(); });

  const offlineAlerts = (agent) => receiver.got.filter((d) => d.json.event === 'agent.offline' && d.json.data.agent_id === agent);
  const leader = () => replicas().find((r) => /singleton agent-offline-alerts: this replica runs it now/.test(r.log));

  async function alertOnce(via) {
    const agent = uid('off');
    await via.agentToken(agent);
    const deadline = Date.now() + 15000;
    while (offlineAlerts(agent).length === 0 && Date.now() < deadline) await sleep(100);
    assert.equal(offlineAlerts(agent).length, 1, 'alerted');
    await sleep(3000); // the other replica had time to alert as well, and must not
    assert.equal(offlineAlerts(agent).length, 1, 'alerted once, by one replica');
  }

  it('sends agent.offline from one replica only, and the other takes over when it dies', async () => {
    await alertOnce(a);
    const first = leader();
    assert.ok(first, 'one replica holds the offline check');
    const other = first === a ? b : a;
    assert.doesNotMatch(other.log, /singleton agent-offline-alerts: this replica runs it now/);
    await first.kill(); // SIGKILL: its session ends, and with it the lock
    await alertOnce(other);
    assert.match(other.log, /singleton agent-offline-alerts: this replica runs it now/);
    if (first === a) await a.restart(); else await b.restart();
  });
});
