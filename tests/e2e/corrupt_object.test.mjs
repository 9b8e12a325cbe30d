// Issue 4, scenario 5: a snapshot whose bytes were altered in the bucket. The
// restore fails on the checksum before anything is extracted.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { makeSampleTree } from '../support/manifest.mjs';
import { haveBinaries, startAgent, runCli, findFiles } from './helpers.mjs';

const skip = !haveBinaries() ? 'fortfail binaries not built'
  : !process.env.FF_TEST_S3_ENDPOINT || !process.env.FF_TEST_TMP ? 's3rver not started (scripts/test.sh)' : false;

describe('altered object in the bucket', { skip }, () => {
  let orch, a, b, token, dir;
  before(async () => {
    dir = tempDir('ff-e2e-corrupt-');
    orch = await startOrchestrator({ db: 'sqlite', s3: true });
    // A tar snapshot is one object to alter; packs are covered by repository.test.mjs.
    a = await startAgent(orch, 'agent-a', dir, { AGENT_BACKUP_FORMAT: 'tar' });
    b = await startAgent(orch, 'agent-b', dir);
    makeSampleTree(a.backupDir, { bigMiB: 2 });
    token = await orch.operatorToken();
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await orch?.stop();
  });

  test('restore fails on checksum, nothing extracted', async () => {
    const backup = await runCli(orch, token, ['--json', 'backup', 'agent-a', '--wait']);
    assert.equal(backup.code, 0, `${backup.stderr}\n${a.log}`);
    const snapshotId = JSON.parse(backup.stdout).snapshot_id;
    const snap = (await orch.api('GET', `/snapshots/${snapshotId}`, { token })).json;

    // s3rver keeps each object as a file below <dir>/<bucket>/.
    const bucketDir = path.join(process.env.FF_TEST_TMP, 's3', orch.env.S3_BUCKET);
    const objects = findFiles(bucketDir, snapshotId).filter((p) => fs.statSync(p).size === snap.size);
    assert.equal(objects.length, 1, `the object file in ${bucketDir}`);
    const fd = fs.openSync(objects[0], 'r+');
    const at = Math.floor(snap.size / 2);
    const one = Buffer.alloc(1);
    fs.readSync(fd, one, 0, 1, at);
    one[0] ^= 0xff;
    fs.writeSync(fd, one, 0, 1, at);
    fs.closeSync(fd);

    const r = await runCli(orch, token, ['--json', 'restore', snapshotId, '--to', 'agent-b', '--wait', '--timeout', '60']);
    assert.notEqual(r.code, 0);
    const job = JSON.parse(r.stdout);
    assert.equal(job.status, 'failed');
    const failed = job.logs.find((l) => l.event_type === 'restore_failed');
    assert.ok(failed, 'a restore_failed event');
    assert.match(failed.message, /checksum|integrity|mismatch|corrupt/i, failed.message);
    assert.ok(!fs.existsSync(path.join(b.restoreDir, snapshotId)), 'nothing under the final name');
    assert.deepEqual(fs.readdirSync(b.restoreDir).filter((n) => n.includes('ff-partial')), [], 'no temporary tree left');
    assert.ok(!b.log.includes('restored '), 'nothing was extracted');
  });
});
