// fortfail-agent and the fortfail CLI against a stand-in orchestrator
// (fake_orchestrator.mjs) that speaks the wire contract: backup -> snapshot ->
// restore onto another agent -> equal trees, unknown command types, the agent's
// clean SIGTERM exit, and CLI exit codes. Fast, and independent of the server
// build; the same flows against the real orchestrator are in the other files.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/orchestrator.mjs';
import { manifest, diffManifests, makeSampleTree } from '../support/manifest.mjs';
import { hostileArchive } from '../support/hostile_archive.mjs';
import { startFakeOrchestrator } from './fake_orchestrator.mjs';
import { agentBin, cliBin, startAgent, runCli, uploadSnapshot, waitFor, waitForJob } from './helpers.mjs';

const skip = fs.existsSync(agentBin) && fs.existsSync(cliBin) ? false : 'fortfail-agent / fortfail not built';

describe('agent and CLI against the contract', { skip }, () => {
  let orch, a, b, dir, token;
  before(async () => {
    dir = tempDir('ff-e2e-contract-');
    orch = await startFakeOrchestrator({ leaseSeconds: 5 });
    orch.dir = dir;
    orch.api = async (method, p, { token: t, json, body, headers = {} } = {}) => {
      const h = { ...headers, ...(t ? { authorization: `Bearer ${t}` } : {}) };
      if (json !== undefined) h['content-type'] = 'application/json';
      const r = await fetch(orch.url + p, { method, headers: h, body: json !== undefined ? JSON.stringify(json) : body });
      const text = await r.text();
      let parsed; try { parsed = JSON.parse(text); } catch { /* not json */ }
      return { status: r.status, json: parsed, text };
    };
    // The stand-in speaks the tar contract (no /repository routes).
    a = await startAgent(orch, 'agent-a', dir, { AGENT_BACKUP_FORMAT: 'tar' });
    b = await startAgent(orch, 'agent-b', dir);
    makeSampleTree(a.backupDir, { bigMiB: 4 });
    token = (await orch.api('POST', '/auth/token', { json: { registration_secret: orch.regSecret } })).json.token;
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await orch?.stop();
  });

  test('backup on A, restore on B with --wait: equal trees', async () => {
    const backup = await runCli(orch, token, ['--json', 'backup', 'agent-a', '--wait', '--timeout', '60']);
    assert.equal(backup.code, 0, `${backup.stderr}\n${a.log}`);
    const job = JSON.parse(backup.stdout);
    assert.equal(job.status, 'completed');
    const snap = orch.snapshots.get(job.snapshot_id);
    assert.equal(snap.metadata.compression, 'zstd');
    assert.equal(snap.metadata.file_count, 7);
    assert.deepEqual(snap.metadata.warnings, []);
    // Completion events carry warnings as a list and their count, as restore_completed does.
    const done = [...orch.jobs.values()].find((x) => x.kind === 'backup').job.logs.at(-1);
    assert.equal(done.event_type, 'backup_completed');
    assert.deepEqual(done.metadata.warnings, []);
    assert.equal(done.metadata.warning_count, 0);
    assert.deepEqual(fs.readdirSync(a.spoolDir), [], 'spool emptied after upload');

    const restore = await runCli(orch, token, ['restore', job.snapshot_id, '--to', 'agent-b', '--wait', '--timeout', '60']);
    assert.equal(restore.code, 0, `${restore.stderr}\n${b.log}`);
    assert.deepEqual(diffManifests(manifest(a.backupDir), manifest(path.join(b.restoreDir, job.snapshot_id))), []);
    const rjob = [...orch.jobs.values()].find((x) => x.kind === 'restore').job;
    const types = rjob.logs.map((l) => l.event_type);
    assert.equal(types[0], 'restore_started');
    assert.equal(types.at(-1), 'restore_completed');
    assert.equal(rjob.logs.at(-1).metadata.file_count, 7);
    assert.deepEqual(rjob.logs.at(-1).metadata.warnings, []);
    assert.equal(rjob.logs.at(-1).metadata.warning_count, 0);
  });

  test('a hostile snapshot fails with restore_failed and leaves nothing', async () => {
    await uploadSnapshot(orch, token, { id: 'evil-1', agentId: 'agent-a', bytes: hostileArchive([{ name: 'ok', data: 'x' }, { name: '../../pwned', data: 'y' }]) });
    const r = await runCli(orch, token, ['restore', 'evil-1', '--to', 'agent-b', '--wait', '--timeout', '30']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /unsafe archive entry '\.\.\/\.\.\/pwned'/);
    assert.ok(!fs.existsSync(path.join(dir, 'pwned')) && !fs.existsSync(path.join(path.dirname(dir), 'pwned')));
    assert.ok(!fs.existsSync(path.join(b.restoreDir, 'evil-1')));
  });

  test('corrupted object bytes fail the restore on checksum', async () => {
    const bytes = hostileArchive([{ name: 'ok', data: 'fine' }]);
    await uploadSnapshot(orch, token, { id: 'flip-1', agentId: 'agent-a', bytes });
    orch.objects.get('flip-1')[20] ^= 0xff;
    const r = await runCli(orch, token, ['--json', 'restore', 'flip-1', '--to', 'agent-b', '--wait', '--timeout', '30']);
    assert.equal(r.code, 1);
    const job = JSON.parse(r.stdout);
    assert.match(job.logs.at(-1).message, /checksum mismatch.*nothing was extracted/);
    assert.ok(!fs.existsSync(path.join(b.restoreDir, 'flip-1')));
  });

  test('unknown command types get an error event', async () => {
    orch.queue('agent-b', 'defragment', { job_id: 'weird-1' });
    const e = await waitFor('error event', () => orch.wal.find((r) => r.event === 'agent_event' && r.event_type === 'error'));
    assert.match(e.message, /unknown command type 'defragment'/);
  });

  test('CLI lists and reports errors with exit codes', async () => {
    const snaps = await runCli(orch, token, ['snapshots', '--agent', 'agent-a']);
    assert.equal(snaps.code, 0, snaps.stderr);
    assert.match(snaps.stdout, /^ID\s+AGENT\s+STATUS/m);
    const jobs = await runCli(orch, token, ['jobs']);
    assert.equal(jobs.code, 0, jobs.stderr);
    assert.match(jobs.stdout, /backup/);
    const missing = await runCli(orch, token, ['snapshot', 'show', 'nope']);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /Snapshot not found/);
    const unauth = await runCli(orch, 'x', ['agents']);
    assert.equal(unauth.code, 3);
    const events = await runCli(orch, token, ['--json', 'events', '--since', '0', '--count', '3']);
    assert.equal(events.code, 0, events.stderr);
    assert.equal(events.stdout.trim().split('\n').length, 4);  // connected + 3 records
  });

  test('login stores the token with mode 0600', async () => {
    const cfg = path.join(dir, 'login', 'token');
    const r = await new Promise((resolve) => {
      import('node:child_process').then(({ execFile }) => execFile(cliBin, ['--url', orch.url, '--config', cfg, 'login', '--secret', orch.regSecret],
        (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr })));
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.statSync(cfg).mode & 0o777, 0o600);
    assert.match(r.stdout, /Logged in to/);
  });

  test('SIGTERM stops the agent cleanly', async () => {
    await a.stop();
    assert.equal((await a.exited).code, 0, a.log);
  });
});
