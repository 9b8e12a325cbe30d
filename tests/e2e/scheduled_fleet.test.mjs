// Issue 14's "done means" with real processes: an operator sets one backup
// schedule with retention and one drill schedule for an agent, and from then
// on nobody lifts a finger. The orchestrator queues the backups every 10 s,
// the real agent takes them, retention after each completed backup keeps
// exactly the newest two (restic's keep_last), the deletions are in the WAL
// with their reason and are followed by garbage collection, and the drill
// schedule proves the agent restorable (last_proven_restorable_at).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { makeSampleTree } from '../support/manifest.mjs';
import { haveBinaries, startAgent, waitFor, waitForAgent } from './helpers.mjs';

const skip = !haveBinaries() ? 'fortfail binaries not built' : false;

const walRecords = (orch) =>
  fs.readFileSync(orch.walPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('schedules run the fleet on their own', { skip, timeout: 240000 }, () => {
  let orch, agent, token, dir;
  before(async () => {
    dir = tempDir('ff-e2e-scheduled-');
    orch = await startOrchestrator({ db: 'sqlite' });
    agent = await startAgent(orch, 'agent-sched', dir);
    makeSampleTree(agent.backupDir, { bigMiB: 1 });
    token = await orch.operatorToken();
    await waitForAgent(orch, token, 'agent-sched');
  });
  after(async () => {
    await agent?.stop();
    await orch?.stop();
  });

  test('interval backups with keep_last 2, then gc; a drill schedule proves the agent', async () => {
    const backups = await orch.api('POST', '/schedules', {
      token, json: { agent_id: 'agent-sched', kind: 'backup', interval_seconds: 10, retention: { keep_last: 2 } },
    });
    assert.equal(backups.status, 201, backups.text);
    const drills = await orch.api('POST', '/schedules', {
      token, json: { agent_id: 'agent-sched', kind: 'drill', interval_seconds: 15 },
    });
    assert.equal(drills.status, 201, drills.text);

    // Something changes between backups, so each one is its own snapshot.
    let round = 0;
    const churn = setInterval(() => {
      fs.writeFileSync(path.join(agent.backupDir, `churn-${round++}.txt`), `round ${round} ${Date.now()}\n`);
    }, 3000);
    try {
      // Three completed scheduled backups, and retention applied after the
      // latest: the agent's snapshots are exactly the newest two.
      const settled = await waitFor('three scheduled backups and retention after the latest', async () => {
        const jobs = (await orch.api('GET', '/backup-jobs?agent_id=agent-sched&status=completed&limit=100', { token })).json;
        if (jobs.length < 3) return null;
        const schedule = (await orch.api('GET', `/schedules/${backups.json.id}`, { token })).json;
        const newestJob = jobs[0];
        if (schedule.last_job_id !== newestJob.id) return null; // a newer run is under way
        const snaps = (await orch.api('GET', '/snapshots?agent_id=agent-sched&limit=100', { token })).json
          .filter((s) => s.agent_id === 'agent-sched');
        const want = jobs.slice(0, 2).map((j) => j.snapshot_id).sort();
        const have = snaps.map((s) => s.id).sort();
        return JSON.stringify(have) === JSON.stringify(want) ? { jobs, snaps } : null;
      }, { timeoutMs: 150000, everyMs: 500 });
      assert.equal(settled.snaps.length, 2);

      // Every snapshot retention removed is in the WAL with its reason, and
      // garbage collection ran after it.
      const removedIds = settled.jobs.slice(2).map((j) => j.snapshot_id);
      await waitFor('the WAL records retention and gc', () => {
        const wal = walRecords(orch);
        const deleted = wal.filter((r) => r.event === 'snapshot_deleted' && r.reason === 'retention');
        const gcAfter = wal.some((r) => r.event === 'gc_completed');
        return removedIds.every((id) => deleted.some((r) => r.snapshot_id === id)) && gcAfter;
      });
      const deletion = walRecords(orch).find((r) => r.event === 'snapshot_deleted' && r.reason === 'retention');
      assert.deepEqual(deletion.policy, { keep_last: 2 });
      assert.match(deletion.applied_by, new RegExp(`schedule ${backups.json.id}`));

      // The drill schedule has proven the agent restorable.
      const proven = await waitFor('a scheduled drill proves the agent', async () => {
        const a = (await orch.api('GET', '/agents', { token })).json.find((x) => x.id === 'agent-sched');
        return a?.last_proven_restorable_at ? a : null;
      }, { timeoutMs: 90000, everyMs: 500 });
      assert.ok(Date.parse(proven.last_proven_restorable_at) > 0);
      const drillSchedule = (await orch.api('GET', `/schedules/${drills.json.id}`, { token })).json;
      assert.ok(drillSchedule.last_job_id, JSON.stringify(drillSchedule));
      const drillJobs = (await orch.api('GET', '/drills', { token })).json;
      assert.ok(drillJobs.some((j) => j.status === 'completed'), JSON.stringify(drillJobs));
    } finally {
      clearInterval(churn);
      await orch.api('DELETE', `/schedules/${backups.json.id}`, { token });
      await orch.api('DELETE', `/schedules/${drills.json.id}`, { token });
    }
    // Once the last drill has finished, none left files behind in the restore
    // target (the drills' scratch root, RESTORE_DIR/.fortfail-drills, stays empty).
    await waitFor('every drill finished', async () =>
      (await orch.api('GET', '/drills', { token })).json.every((j) => ['completed', 'failed', 'cancelled'].includes(j.status)));
    const files = fs.readdirSync(agent.restoreDir, { withFileTypes: true, recursive: true }).filter((e) => !e.isDirectory());
    assert.deepEqual(files.map((e) => e.name), []);
  });
});
