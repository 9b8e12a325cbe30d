// The orchestrator's core API over real sockets, on SQLite and PostgreSQL:
// tokens, authorization, snapshots metadata, restore jobs, commands, events,
// agents, error shapes. Reference: docs/openapi.json (docs/api.md).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startOrchestrator, dbKinds } from '../support/orchestrator.mjs';
import { craftToken, claimsFor } from '../support/jwt.mjs';

const sha = () => randomBytes(32).toString('hex');
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const db of dbKinds()) {
  describe(`core API on ${db}`, () => {
    let orch, op, a1, a2;
    before(async () => {
      orch = await startOrchestrator({ db, env: { ORCH_COMMAND_LEASE_SECONDS: '2' } });
      op = await orch.operatorToken();
      a1 = await orch.agentToken('a1');
      a2 = await orch.agentToken('a2');
    });
    after(async () => { await orch?.stop(); });

    const snapshot = async (agent = 'a1', token = op) => {
      const id = uid('snap');
      const r = await orch.api('POST', '/snapshots', { token, json: { id, agent_id: agent, checksum: sha(), size: 10 } });
      assert.equal(r.status, 200, r.text);
      return id;
    };

    it('serves health, info and JSON 404/405', async () => {
      assert.deepEqual((await orch.api('GET', '/health/live')).json, { status: 'ok' });
      const ready = await orch.api('GET', '/health/ready');
      assert.equal(ready.status, 200);
      assert.equal(ready.json.status, 'ready');
      assert.equal(ready.json.checks.database, 'ok');
      assert.equal(ready.json.checks.wal, 'ok');
      const info = await orch.api('GET', '/');
      assert.equal(info.json.service, 'fortfail-orchestrator');
      assert.ok(info.json.version);
      assert.equal((await orch.api('GET', '/nope', { token: op })).json.detail, 'not found');
      const m = await orch.api('PATCH', '/snapshots', { token: op });
      assert.equal(m.status, 405);
      assert.match(m.headers.get('allow'), /GET/);
    });

    it('mints tokens only for the right secret', async () => {
      const bad = await orch.api('POST', '/auth/token', { json: { registration_secret: 'wrong' } });
      assert.equal(bad.status, 403);
      assert.ok(bad.json.detail);
      const ok = await orch.api('POST', '/auth/token', { json: { registration_secret: orch.regSecret, agent_id: 'a9' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.json.token_type, 'bearer');
      assert.equal(ok.json.expires_in, 604800);
      const badId = await orch.api('POST', '/auth/token', { json: { registration_secret: orch.regSecret, agent_id: '../etc' } });
      assert.equal(badId.status, 422);
      assert.match(badId.json.detail, /agent_id/);
      const missing = await orch.api('POST', '/auth/token', { json: {} });
      assert.equal(missing.status, 422);
      assert.match(missing.json.detail, /registration_secret/);
      const malformed = await orch.api('POST', '/auth/token', { body: '{nope', headers: { 'content-type': 'application/json' } });
      assert.equal(malformed.status, 400);
    });

    it('refuses missing, forged, alg:none and expired tokens with 401', async () => {
      const none = await orch.api('GET', '/agents');
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer');
      const forged = craftToken('not-the-secret', claimsFor());
      const algNone = craftToken('', claimsFor(), { alg: 'none', typ: 'JWT' });
      const expired = craftToken(orch.jwtSecret, claimsFor({ ttl: -10 }));
      for (const t of [forged, algNone, expired, 'garbage']) {
        const r = await orch.api('GET', '/agents', { token: t });
        assert.equal(r.status, 401, t);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer');
      }
      const valid = craftToken(orch.jwtSecret, claimsFor());
      assert.equal((await orch.api('GET', '/agents', { token: valid })).status, 200);
    });

    it('creates, lists and shows snapshot metadata with validation', async () => {
      const id = uid('snap');
      const checksum = sha();
      const r = await orch.api('POST', '/snapshots', { token: a1, json: { id, agent_id: 'a1', checksum, size: 42, metadata: { path: '/srv', n: 1.5 } } });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { id, presigned_url: null, upload_url: `/snapshots/${id}/object`, status: 'pending' });
      const dup = await orch.api('POST', '/snapshots', { token: a1, json: { id, agent_id: 'a1', checksum, size: 42 } });
      assert.equal(dup.status, 409);
      const show = await orch.api('GET', `/snapshots/${id}`, { token: op });
      assert.equal(show.json.checksum, checksum);
      assert.equal(show.json.size, 42);
      assert.deepEqual(show.json.metadata, { path: '/srv', n: 1.5 });
      assert.equal(show.json.status, 'pending');
      assert.match(show.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(show.json.uploaded_at, null);
      for (const [body, field] of [
        [{ id: 'x y', agent_id: 'a1', checksum, size: 1 }, 'id'],
        [{ id: uid('s'), agent_id: 'a1', checksum: 'ABC', size: 1 }, 'checksum'],
        [{ id: uid('s'), agent_id: 'a1', checksum: `zz${checksum.slice(2)}`, size: 1 }, 'checksum'],
        [{ id: uid('s'), agent_id: 'a1', checksum, size: -1 }, 'size'],
        [{ id: uid('s'), agent_id: 'a1', checksum, size: 'big' }, 'size'],
        [{ id: uid('s'), agent_id: 'a1', checksum }, 'size'],
        [{ id: uid('s'), agent_id: 'a1', checksum, size: 1, metadata: [1] }, 'metadata'],
      ]) {
        const bad = await orch.api('POST', '/snapshots', { token: op, json: body });
        assert.equal(bad.status, 422, JSON.stringify(body));
        assert.match(bad.json.detail, new RegExp(field));
      }
      assert.equal((await orch.api('GET', '/snapshots/unknown-id', { token: op })).status, 404);
      assert.equal((await orch.api('GET', '/snapshots/bad%20id', { token: op })).status, 422);
    });

    it('scopes snapshots to their agent', async () => {
      const other = await orch.api('POST', '/snapshots', { token: a2, json: { id: uid('s'), agent_id: 'a1', checksum: sha(), size: 1 } });
      assert.equal(other.status, 403);
      const id = await snapshot('a1', a1);
      assert.equal((await orch.api('GET', `/snapshots/${id}`, { token: a2 })).status, 403);
      assert.equal((await orch.api('GET', `/snapshots/${id}`, { token: a1 })).status, 200);
      const list = await orch.api('GET', '/snapshots', { token: a2 });
      assert.equal(list.status, 200);
      assert.ok(list.json.every((s) => s.agent_id === 'a2'));
      assert.equal((await orch.api('GET', '/snapshots?agent_id=a1', { token: a2 })).status, 403);
    });

    it('paginates and filters snapshot lists', async () => {
      const agent = uid('pg');
      const tok = await orch.agentToken(agent);
      for (let i = 0; i < 5; i++) await snapshot(agent, tok);
      const page = await orch.api('GET', `/snapshots?agent_id=${agent}&limit=2&offset=1`, { token: op });
      assert.equal(page.status, 200);
      assert.equal(page.json.length, 2);
      assert.equal(page.headers.get('x-total-count'), '5');
      const pending = await orch.api('GET', `/snapshots?agent_id=${agent}&status=pending`, { token: op });
      assert.equal(pending.json.length, 5);
      assert.equal((await orch.api('GET', `/snapshots?agent_id=${agent}&status=available`, { token: op })).json.length, 0);
      assert.equal((await orch.api('GET', '/snapshots?limit=0', { token: op })).status, 422);
      assert.equal((await orch.api('GET', '/snapshots?status=weird', { token: op })).status, 422);
    });

    it('creates restore jobs that queue one command for the target', async () => {
      const snap = await snapshot('a1');
      // A job for an agent that never registered is refused, naming it.
      const unknown = await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: 'a3' } });
      assert.equal(unknown.status, 404, unknown.text);
      assert.match(unknown.json.detail, /agent a3/);
      const a3 = await orch.agentToken('a3');
      const r = await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: 'a3' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.kind, 'restore');
      assert.equal(r.json.status, 'pending');
      assert.equal(r.json.snapshot_id, snap);
      assert.equal(r.json.target_agent_id, 'a3');
      assert.ok(r.json.id && r.json.created_at);
      const cmds = await orch.api('GET', '/agent/a3/commands', { token: a3 });
      assert.equal(cmds.status, 200);
      assert.equal(cmds.json.length, 1);
      assert.equal(cmds.json[0].command_type, 'restore');
      assert.equal(cmds.json[0].payload.snapshot_id, snap);
      assert.equal(cmds.json[0].payload.job_id, r.json.id);
      assert.deepEqual((await orch.api('GET', '/agent/a3/commands', { token: a3 })).json, [], 'leased commands are not handed out twice');
      const job = await orch.api('GET', `/restore-jobs/${r.json.id}`, { token: op });
      assert.equal(job.json.status, 'pending');
      assert.deepEqual(job.json.logs, []);
      assert.ok(job.json.updated_at);
      assert.equal((await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: 'no-such', target_agent_id: 'a3' } })).status, 404);
      assert.equal((await orch.api('POST', '/restore-jobs', { token: a1, json: { snapshot_id: snap, target_agent_id: 'a1' } })).status, 403);
      assert.equal((await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap } })).status, 422);
      assert.equal((await orch.api('GET', '/restore-jobs/nope', { token: op })).status, 404);
      const list = await orch.api('GET', '/restore-jobs?target_agent_id=a3&status=pending', { token: op });
      assert.ok(list.json.some((j) => j.id === r.json.id));
      assert.ok(Number(list.headers.get('x-total-count')) >= 1);
    });

    it('redelivers a leased command when no event arrives before the lease ends', async () => {
      const agent = uid('lease');
      const tok = await orch.agentToken(agent);
      const snap = await snapshot('a1');
      const job = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: agent } })).json;
      const first = await orch.api('GET', `/agent/${agent}/commands`, { token: tok });
      assert.equal(first.json.length, 1);
      assert.equal(first.json[0].delivery, 1);
      await sleep(2300);
      const again = await orch.api('GET', `/agent/${agent}/commands`, { token: tok });
      assert.equal(again.json.length, 1, 'redelivered after the lease');
      assert.equal(again.json[0].id, first.json[0].id);
      assert.equal(again.json[0].delivery, 2);
      // An event keeps the lease alive; a finished job's command is never redelivered.
      await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: job.id, event_type: 'restore_completed', message: 'done' } });
      await sleep(2300);
      assert.deepEqual((await orch.api('GET', `/agent/${agent}/commands`, { token: tok })).json, []);
    });

    it('applies the seed event mapping and keeps finished jobs final', async () => {
      const agent = uid('ev');
      const tok = await orch.agentToken(agent);
      const snap = await snapshot('a1');
      const job = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: agent } })).json;
      const post = (json, token = tok, who = agent) => orch.api('POST', `/agent/${who}/events`, { token, json });
      const ok = await post({ job_id: job.id, event_type: 'restore_started', message: 'starting' });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json, { status: 'ok' });
      assert.equal((await orch.api('GET', `/restore-jobs/${job.id}`, { token: op })).json.status, 'in_progress');
      await post({ job_id: job.id, event_type: 'restore_in_progress', message: 'half', metadata: { bytes_done: 5, bytes_total: 10 } });
      await post({ job_id: job.id, event_type: 'restore_success', message: 'done' });
      const done = (await orch.api('GET', `/restore-jobs/${job.id}`, { token: tok })).json;
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.logs.map((l) => l.event_type), ['restore_started', 'restore_in_progress', 'restore_success']);
      assert.deepEqual(done.logs[1].metadata, { bytes_done: 5, bytes_total: 10 });
      assert.equal(done.logs[0].agent_id, agent);
      assert.ok(done.logs[0].timestamp);
      assert.equal((await post({ job_id: job.id, event_type: 'restore_failed', message: 'late' })).status, 409);
      assert.equal((await orch.api('GET', `/restore-jobs/${job.id}`, { token: op })).json.status, 'completed');

      const job2 = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: agent } })).json;
      await post({ job_id: job2.id, event_type: 'error', message: 'disk full' });
      assert.equal((await orch.api('GET', `/restore-jobs/${job2.id}`, { token: op })).json.status, 'failed');
      assert.equal((await post({ job_id: 'no-such-job', event_type: 'restore_started', message: '' })).status, 404);
      assert.equal((await post({ event_type: 'bad type!', message: '' })).status, 422);
      assert.equal((await post({ message: 'no type' })).status, 422);
      assert.equal((await post({ event_type: 'heartbeat', message: 'no job' })).status, 200);
    });

    it('forbids agents from touching other agents', async () => {
      assert.equal((await orch.api('GET', '/agent/a1/commands', { token: a2 })).status, 403);
      assert.equal((await orch.api('POST', '/agent/a1/events', { token: a2, json: { event_type: 'x', message: '' } })).status, 403);
      const snap = await snapshot('a1');
      const job = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: 'a1' } })).json;
      // a2 posting on its own path about a1's job.
      const foreign = await orch.api('POST', '/agent/a2/events', { token: a2, json: { job_id: job.id, event_type: 'restore_completed', message: 'x' } });
      assert.equal(foreign.status, 403);
      assert.equal((await orch.api('GET', `/restore-jobs/${job.id}`, { token: a2 })).status, 403);
      assert.equal((await orch.api('GET', `/restore-jobs/${job.id}`, { token: op })).json.status, 'pending');
      assert.equal((await orch.api('GET', '/agent/bad%20id/commands', { token: op })).status, 422);
      assert.equal((await orch.api('DELETE', `/snapshots/${snap}`, { token: a1 })).status, 403);
    });

    it('lists agents with last_seen and online status', async () => {
      const agent = uid('seen');
      const tok = await orch.agentToken(agent);
      await orch.api('GET', `/agent/${agent}/commands`, { token: tok });
      const r = await orch.api('GET', '/agents', { token: op });
      assert.equal(r.status, 200);
      const me = r.json.find((a) => a.id === agent);
      assert.ok(me, 'agent listed');
      assert.equal(me.status, 'online');
      assert.ok(Date.now() - Date.parse(me.last_seen) < 10000);
      const own = await orch.api('GET', '/agents', { token: tok });
      assert.deepEqual(own.json.map((a) => a.id), [agent]);
    });

    it('pages the agent list only when asked', async () => {
      for (let i = 0; i < 3; i++) await orch.agentToken(uid('page'));
      const all = await orch.api('GET', '/agents', { token: op });
      const total = Number(all.headers.get('x-total-count'));
      assert.equal(total, all.json.length);
      assert.ok(total >= 3);
      const first = await orch.api('GET', '/agents?limit=2', { token: op });
      assert.deepEqual(first.json.map((a) => a.id), all.json.slice(0, 2).map((a) => a.id));
      assert.equal(first.headers.get('x-total-count'), String(total));
      const rest = await orch.api('GET', `/agents?offset=2&limit=1000`, { token: op });
      assert.deepEqual(rest.json.map((a) => a.id), all.json.slice(2).map((a) => a.id));
      assert.equal((await orch.api('GET', '/agents?limit=0', { token: op })).status, 422);
      assert.equal((await orch.api('GET', '/agents?offset=-1', { token: op })).status, 422);
    });

    it('long polls for commands and wakes when a job is queued', async () => {
      const agent = uid('lp');
      const tok = await orch.agentToken(agent);
      const snap = await snapshot('a1');
      const t0 = Date.now();
      const poll = orch.api('GET', `/agent/${agent}/commands?wait=10`, { token: tok });
      await sleep(300);
      await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: agent } });
      const r = await poll;
      assert.equal(r.json.length, 1);
      assert.ok(Date.now() - t0 < 3000, `woke in ${Date.now() - t0} ms`);
      const t1 = Date.now();
      const empty = await orch.api('GET', `/agent/${agent}/commands?wait=1`, { token: tok });
      assert.deepEqual(empty.json, []);
      assert.ok(Date.now() - t1 >= 900, 'waited for the deadline');
      assert.equal((await orch.api('GET', `/agent/${agent}/commands?wait=x`, { token: tok })).status, 422);
    });

    it('deletes snapshots only when no active restore job uses them', async () => {
      const snap = await snapshot('a1');
      const agent = uid('del');
      const tok = await orch.agentToken(agent);
      const job = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: agent } })).json;
      assert.equal((await orch.api('DELETE', `/snapshots/${snap}`, { token: op })).status, 409);
      await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: job.id, event_type: 'restore_failed', message: 'x' } });
      assert.equal((await orch.api('DELETE', `/snapshots/${snap}`, { token: op })).status, 204);
      assert.equal((await orch.api('GET', `/snapshots/${snap}`, { token: op })).status, 404);
      assert.equal((await orch.api('DELETE', `/snapshots/${snap}`, { token: op })).status, 404);
    });

    it('limits body size', async () => {
      const big = JSON.stringify({ id: 'x', agent_id: 'a1', checksum: sha(), size: 1, metadata: { pad: 'x'.repeat(2 * 1024 * 1024) } });
      const r = await orch.api('POST', '/snapshots', { token: op, body: big, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 413);
    });
  });
}

describe('token minting rate limit', () => {
  let orch;
  before(async () => { orch = await startOrchestrator({ env: { ORCH_TOKEN_RATE_BURST: '3', ORCH_TOKEN_RATE_PER_SECOND: '0.1' } }); });
  after(async () => { await orch?.stop(); });
  it('answers 429 with Retry-After past the burst', async () => {
    const codes = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await orch.api('POST', '/auth/token', { json: { registration_secret: 'wrong' } });
      codes.push(last.status);
    }
    assert.deepEqual(codes, [403, 403, 403, 429, 429]);
    assert.ok(Number(last.headers.get('retry-after')) >= 1);
  });
});
