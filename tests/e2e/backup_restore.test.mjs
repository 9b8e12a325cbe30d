// Issue 4, scenarios 1 and 2: agent A backs up a generated tree, an operator
// restores it onto agent B with `fortfail restore --wait`, and the restored
// tree equals the source (content hashes, modes, mtimes, link targets).
// Run on s3rver + SQLite, on the local embedded store + PostgreSQL.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { manifest, diffManifests, makeSampleTree } from '../support/manifest.mjs';
import { haveBinaries, startAgent, runCli } from './helpers.mjs';

const configs = [
  { name: 's3rver + sqlite', db: 'sqlite', s3: true },
  { name: 'local store + postgres', db: 'postgres', s3: false },
];

for (const cfg of configs) {
  const skip = !haveBinaries() ? 'fortfail binaries not built'
    : cfg.s3 && !process.env.FF_TEST_S3_ENDPOINT ? 'FF_TEST_S3_ENDPOINT not set'
    : cfg.db === 'postgres' && !process.env.FF_TEST_PG_URL ? 'FF_TEST_PG_URL not set' : false;

  describe(`backup on A, restore on B (${cfg.name})`, { skip }, () => {
    let orch, a, b, token, dir;
    before(async () => {
      dir = tempDir('ff-e2e-br-');
      orch = await startOrchestrator({ db: cfg.db, s3: cfg.s3 });
      a = await startAgent(orch, 'agent-a', dir);
      b = await startAgent(orch, 'agent-b', dir);
      makeSampleTree(a.backupDir, { bigMiB: 5 });
      token = await orch.operatorToken();
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      await orch?.stop();
    });

    test('restored tree equals the source', async () => {
      const backup = await runCli(orch, token, ['--json', 'backup', 'agent-a', '--wait', '--timeout', '120']);
      assert.equal(backup.code, 0, `backup failed: ${backup.stderr}\n${a.log}`);
      const job = JSON.parse(backup.stdout);
      assert.equal(job.status, 'completed');
      const snapshotId = job.snapshot_id;
      assert.ok(snapshotId, 'backup job records its snapshot id');

      const show = await runCli(orch, token, ['--json', 'snapshot', 'show', snapshotId]);
      assert.equal(show.code, 0, show.stderr);
      const snap = JSON.parse(show.stdout);
      assert.equal(snap.status, 'available');
      assert.equal(snap.metadata.compression, 'zstd');
      assert.equal(snap.metadata.source_path, a.backupDir);
      assert.equal(snap.metadata.file_count, 7);

      const restore = await runCli(orch, token, ['restore', snapshotId, '--to', 'agent-b', '--wait', '--timeout', '120']);
      assert.equal(restore.code, 0, `restore failed: ${restore.stderr}\n${b.log}`);
      assert.match(restore.stdout, /restore completed/);

      const restored = path.join(b.restoreDir, snapshotId);
      assert.deepEqual(diffManifests(manifest(a.backupDir), manifest(restored)), []);

      const jobs = await runCli(orch, token, ['--json', 'jobs']);
      assert.equal(jobs.code, 0, jobs.stderr);
      const kinds = JSON.parse(jobs.stdout).map((j) => j.kind).sort();
      assert.deepEqual(kinds, ['backup', 'restore']);
    });

    test('restore to an explicit path, then again over it (idempotent)', async () => {
      const list = await runCli(orch, token, ['--json', 'snapshots', '--agent', 'agent-a']);
      assert.equal(list.code, 0, list.stderr);
      const [snap] = JSON.parse(list.stdout);
      const target = path.join(b.restoreDir, 'explicit', 'place');
      for (let i = 0; i < 2; i++) {
        const r = await runCli(orch, token, ['restore', snap.id, '--to', 'agent-b', '--path', target, '--wait']);
        assert.equal(r.code, 0, `${r.stderr}\n${b.log}`);
        assert.deepEqual(diffManifests(manifest(a.backupDir), manifest(target)), []);
      }
    });
  });
}
