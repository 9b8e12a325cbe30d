// A new agent against an orchestrator that predates POST
// /repository/sessions/{id}/hold (the route holding the packs a file cache
// names): the stand-in (fake_orchestrator.mjs, `refuse`) answers that route
// 404 and forwards everything else to a real orchestrator. The agent falls
// back to looking up every cached chunk: the re-backup of an unchanged tree
// still reads nothing, stores nothing new and restores to its source; the
// same agent against the real orchestrator holds instead of looking up.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { diffManifests, makeSampleTree, manifest } from '../support/manifest.mjs';
import { startFakeOrchestrator } from './fake_orchestrator.mjs';
import { cliBin, haveBinaries, runCli, startAgent } from './helpers.mjs';

const skip = !haveBinaries() ? 'fortfail binaries not built' : false;

describe('repository backups against an orchestrator without the hold route', { skip }, () => {
  let real, fake, agent, token, dir;
  before(async () => {
    dir = tempDir('ff-e2e-repo-compat-');
    real = await startOrchestrator({ db: 'sqlite', env: { ORCH_LOG_LEVEL: 'info' } }); // info: the access log
    fake = await startFakeOrchestrator({ regSecret: real.regSecret, upstream: real.url, refuse: [/^\/repository\/sessions\/[^/]+\/hold$/] });
    const keyFile = path.join(dir, 'agent.key');
    execFileSync(cliBin, ['key', 'generate', '--out', keyFile], { env: { PATH: process.env.PATH } });
    agent = await startAgent(fake, 'agent-compat', dir, { AGENT_KEY_FILE: keyFile, AGENT_STATE_DIR: path.join(dir, 'state'), AGENT_LONG_POLL: '1' });
    makeSampleTree(agent.backupDir, { bigMiB: 3 });
    token = await real.operatorToken();
  });
  after(async () => {
    await agent?.stop();
    await fake?.stop();
    await real?.stop();
  });

  const backup = async () => {
    const logStart = real.log.length;
    const r = await runCli(real, token, ['--json', 'backup', agent.id, '--wait', '--timeout', '60']);
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}\n${agent.log}`);
    const job = JSON.parse(r.stdout);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    const snap = await real.api('GET', `/snapshots/${job.snapshot_id}`, { token });
    assert.equal(snap.status, 200, snap.text);
    const lookups = [...real.log.slice(logStart).matchAll(/method=POST path=\/repository\/sessions\/[^/ ]+\/lookup status=200\b/g)].length;
    return { snap: snap.json, lookups };
  };

  test('the unchanged re-backup looks the cached chunks up, reads nothing and restores', async () => {
    const first = await backup();
    assert.ok(first.snap.stored_bytes > 3 * 1024 * 1024, `the first backup stores the content: ${first.snap.stored_bytes}`);
    const refusedBefore = fake.refused.length;
    const source = manifest(agent.backupDir);
    const again = await backup();
    assert.ok(fake.refused.length > refusedBefore, 'the agent tried the hold route first');
    assert.ok(fake.refused.every((r) => r.startsWith('POST /repository/sessions/')), fake.refused.join(', '));
    assert.ok(again.lookups >= 1, 'the cached chunks were looked up instead');
    // Only trees may be new (the first backup's reads moved files' atimes).
    assert.ok(again.snap.stored_bytes <= 64 * 1024, `almost nothing new was stored: ${again.snap.stored_bytes}`);
    const read = [...agent.log.matchAll(/\d+ bytes \((\d+) read\)/g)].at(-1);
    assert.ok(read, `the agent logs what it read:\n${agent.log}`);
    assert.equal(read[1], '0', `no file was read again: ${read[0]}`);
    const target = path.join(agent.restoreDir, 'compat');
    const r = await runCli(real, token, ['restore', again.snap.id, '--to', agent.id, '--path', target, '--wait', '--timeout', '60']);
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}\n${agent.log}`);
    assert.deepEqual(diffManifests(source, manifest(target)), []);
  });
});
