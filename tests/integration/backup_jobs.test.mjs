// Backup jobs over the real API: creation queues a `backup` command for the
// agent; its events move the job and the completion names the snapshot.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startOrchestrator, dbKinds } from '../support/orchestrator.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

for (const db of dbKinds()) {
  describe(`backup jobs on ${db}`, () => {
    let orch, op;
    before(async () => {
      orch = await startOrchestrator({ db });
      op = await orch.operatorToken();
    });
    after(async () => { await orch?.stop(); });

    it('queues a backup command and records the produced snapshot', async () => {
      const agent = uid('bk');
      const tok = await orch.agentToken(agent);
      const created = await orch.api('POST', '/backup-jobs', { token: op, json: { agent_id: agent, paths: ['/srv/data'] } });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.json.status, 'pending');
      assert.deepEqual(created.json.paths, ['/srv/data']);
      assert.equal(created.json.snapshot_id, null);
      const cmds = (await orch.api('GET', `/agent/${agent}/commands`, { token: tok })).json;
      assert.equal(cmds.length, 1);
      assert.equal(cmds[0].command_type, 'backup');
      assert.equal(cmds[0].payload.job_id, created.json.id);
      assert.deepEqual(cmds[0].payload.paths, ['/srv/data']);
      const post = (json) => orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: created.json.id, message: '', ...json } });
      assert.equal((await post({ event_type: 'backup_started' })).status, 200);
      assert.equal((await orch.api('GET', `/backup-jobs/${created.json.id}`, { token: op })).json.status, 'in_progress');
      assert.equal((await post({ event_type: 'backup_completed', snapshot_id: 'snap-from-backup' })).status, 200);
      const done = (await orch.api('GET', `/backup-jobs/${created.json.id}`, { token: tok })).json;
      assert.equal(done.status, 'completed');
      assert.equal(done.snapshot_id, 'snap-from-backup');
      assert.deepEqual(done.logs.map((l) => l.event_type), ['backup_started', 'backup_completed']);
      assert.equal((await post({ event_type: 'backup_failed' })).status, 409);
      const list = await orch.api('GET', `/backup-jobs?agent_id=${agent}`, { token: op });
      assert.deepEqual(list.json.map((j) => j.id), [created.json.id]);
      assert.equal(list.headers.get('x-total-count'), '1');
    });

    it('checks who may create and read backup jobs', async () => {
      const tok = await orch.agentToken('bk-a');
      const other = await orch.agentToken('bk-b');
      assert.equal((await orch.api('POST', '/backup-jobs', { token: tok, json: { agent_id: 'bk-a' } })).status, 403);
      assert.equal((await orch.api('POST', '/backup-jobs', { token: op, json: {} })).status, 422);
      assert.equal((await orch.api('POST', '/backup-jobs', { token: op, json: { agent_id: 'bk-a', paths: 'x' } })).status, 422);
      const job = (await orch.api('POST', '/backup-jobs', { token: op, json: { agent_id: 'bk-a' } })).json;
      assert.deepEqual(job.paths, []);
      assert.equal((await orch.api('GET', `/backup-jobs/${job.id}`, { token: other })).status, 403);
      assert.equal((await orch.api('GET', '/backup-jobs/nope', { token: op })).status, 404);
      const foreign = await orch.api('POST', '/agent/bk-b/events', { token: other, json: { job_id: job.id, event_type: 'backup_completed', message: '' } });
      assert.equal(foreign.status, 403);
    });
  });
}
