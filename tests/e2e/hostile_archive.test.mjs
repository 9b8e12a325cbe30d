// Issue 4, scenario 3: hostile archives uploaded as snapshots. Each restore
// fails with a clear restore_failed and nothing is written outside the target
// (nor left under the target's final name).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { hostileArchive } from '../support/hostile_archive.mjs';
import { haveBinaries, startAgent, runCli, uploadSnapshot, listTree } from './helpers.mjs';

describe('hostile archives are refused', { skip: haveBinaries() ? false : 'fortfail binaries not built' }, () => {
  let orch, b, token, dir, outside;
  before(async () => {
    dir = tempDir('ff-e2e-hostile-');
    outside = path.join(dir, 'outside');
    fs.mkdirSync(outside);
    orch = await startOrchestrator({ db: 'sqlite', s3: false });
    b = await startAgent(orch, 'agent-b', dir);
    token = await orch.operatorToken();
  });
  after(async () => {
    await b?.stop();
    await orch?.stop();
  });

  const cases = (absTarget) => [
    { id: 'hostile-dotdot', entries: [{ name: 'fine.txt', data: 'ok' }, { name: '../../../outside/dotdot.txt', data: 'evil' }] },
    { id: 'hostile-absolute', entries: [{ name: 'fine.txt', data: 'ok' }, { name: absTarget, data: 'evil' }] },
    { id: 'hostile-symlink', entries: [
      { name: 'fine.txt', data: 'ok' },
      { name: 'escape', symlink: outside },
      { name: 'escape/through-link.txt', data: 'evil' },
    ] },
    { id: 'hostile-hardlink', entries: [{ name: 'h', hardlink: '../../../outside/victim' }] },
  ];

  test('every hostile archive fails its restore and writes nothing outside', async () => {
    fs.writeFileSync(path.join(outside, 'victim'), 'victim');
    const before = listTree(dir).filter((p) => !p.startsWith('agent-b-'));
    for (const c of cases(path.join(outside, 'absolute.txt'))) {
      const id = `${c.id}-${Math.random().toString(16).slice(2, 8)}`;
      await uploadSnapshot(orch, token, { id, agentId: 'agent-a', bytes: hostileArchive(c.entries) });
      const r = await runCli(orch, token, ['--json', 'restore', id, '--to', 'agent-b', '--wait', '--timeout', '60']);
      assert.notEqual(r.code, 0, `${c.id}: restore must fail`);
      const job = JSON.parse(r.stdout);
      assert.equal(job.status, 'failed', c.id);
      const failed = job.logs.find((l) => l.event_type === 'restore_failed');
      assert.ok(failed, `${c.id}: a restore_failed event`);
      assert.match(failed.message, /unsafe|refused|outside/i, `${c.id}: clear reason, got "${failed.message}"`);
      assert.ok(!fs.existsSync(path.join(b.restoreDir, id)), `${c.id}: no tree under the final name`);
      assert.deepEqual(fs.readdirSync(b.restoreDir).filter((n) => n.includes(id)), [], `${c.id}: no leftovers`);
    }
    assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'victim');
    assert.deepEqual(listTree(dir).filter((p) => !p.startsWith('agent-b-')), before);
  });
});
