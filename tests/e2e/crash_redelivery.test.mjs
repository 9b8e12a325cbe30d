// Issue 4, scenario 4: agent B is killed (SIGKILL) in the middle of a restore
// and restarted; the orchestrator's lease redelivers the command and the job
// completes with a tree equal to the source.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { manifest, diffManifests, makeSampleTree } from '../support/manifest.mjs';
import { haveBinaries, startAgent, runCli, waitFor, waitForJob } from './helpers.mjs';

describe('restore survives an agent crash', { skip: haveBinaries() ? false : 'fortfail binaries not built' }, () => {
  let orch, a, b, token, dir;
  before(async () => {
    dir = tempDir('ff-e2e-crash-');
    orch = await startOrchestrator({ db: 'sqlite', s3: false, env: { ORCH_COMMAND_LEASE_SECONDS: '3' } });
    a = await startAgent(orch, 'agent-a', dir);
    b = await startAgent(orch, 'agent-b', dir);
    makeSampleTree(a.backupDir, { bigMiB: 1 });
    // Enough incompressible data that the restore takes a while.
    fs.mkdirSync(path.join(a.backupDir, 'bulk'));
    for (let i = 0; i < 48; i++) fs.writeFileSync(path.join(a.backupDir, 'bulk', `f${i}`), randomBytes(2 * 1024 * 1024));
    token = await orch.operatorToken();
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await orch?.stop();
  });

  test('SIGKILL mid-restore, restart, the redelivered command completes', async () => {
    const backup = await runCli(orch, token, ['--json', 'backup', 'agent-a', '--wait', '--timeout', '180']);
    assert.equal(backup.code, 0, `${backup.stderr}\n${a.log}`);
    const snapshotId = JSON.parse(backup.stdout).snapshot_id;

    const created = await orch.api('POST', '/restore-jobs', { token, json: { snapshot_id: snapshotId, target_agent_id: 'agent-b' } });
    assert.equal(created.status, 200, created.text);
    const jobId = created.json.id;
    await waitFor('restore to start on agent B', async () => {
      const j = await orch.api('GET', `/restore-jobs/${jobId}`, { token });
      return j.json?.status === 'in_progress';
    }, { everyMs: 10 });
    await b.kill();
    const midway = await orch.api('GET', `/restore-jobs/${jobId}`, { token });
    assert.equal(midway.json.status, 'in_progress', 'killed before it finished');
    assert.ok(!fs.existsSync(path.join(b.restoreDir, snapshotId)), 'no tree under the final name after the crash');

    b.start();
    const job = await waitForJob(orch, token, 'restore-jobs', jobId, 120000);
    assert.equal(job.status, 'completed', `${JSON.stringify(job.logs)}\n${b.log}`);
    const starts = job.logs.filter((l) => l.event_type === 'restore_started').length;
    assert.ok(starts >= 2, `the command was delivered again (restore_started x${starts})`);
    assert.deepEqual(diffManifests(manifest(a.backupDir), manifest(path.join(b.restoreDir, snapshotId))), []);
  });
});
