// Issue 14 (cancel, correct refusals, CLI paging) with a real orchestrator and
// real agents: a pending job's command is withdrawn, a running restore stops
// at the agent's next event and leaves nothing behind, a finished job cannot
// be cancelled, jobs for agents that never registered are refused, a backup
// of a missing path fails with the reason, and `--all` lists every agent.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { haveBinaries, startAgent, runCli, waitFor, waitForAgent, waitForJob, sleep } from './helpers.mjs';

// A TCP proxy to `port` that sends the orchestrator's answers at about
// `bytesPerSecond` in all (every connection together): restores through it
// take seconds, whatever the machine. Small answers (events) pass at once.
function slowProxy(port, bytesPerSecond) {
  const sockets = new Set();
  const start = Date.now();
  let sent = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk) => {
      client.write(chunk);
      sent += chunk.length;
      const ahead = (sent / bytesPerSecond) * 1000 - (Date.now() - start);
      if (ahead > 0) {
        upstream.pause();
        setTimeout(() => upstream.resume(), ahead);
      }
    });
    upstream.on('end', () => client.end());
    for (const s of [client, upstream]) {
      s.on('error', () => { client.destroy(); upstream.destroy(); });
      s.on('close', () => sockets.delete(s));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => { for (const s of sockets) s.destroy(); server.close(); },
  })));
}

const entriesBelow = (root) => (fs.existsSync(root) ? fs.readdirSync(root) : []);

describe('jobs: cancel, refusals, paging', { skip: haveBinaries() ? false : 'fortfail binaries not built' }, () => {
  let orch, a, b, proxy, token, dir, snapshotId;
  before(async () => {
    dir = tempDir('ff-e2e-cancel-');
    orch = await startOrchestrator({ db: 'sqlite', s3: false });
    token = await orch.operatorToken();
    a = await startAgent(orch, 'agent-a', dir);
    // 24 MiB of incompressible data through a 2 MiB/s link: about 12 s of restore.
    fs.mkdirSync(path.join(a.backupDir, 'bulk'));
    for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(a.backupDir, 'bulk', `f${i}`), randomBytes(2 * 1024 * 1024));
    proxy = await slowProxy(orch.port, 2 * 1024 * 1024);
    b = await startAgent(orch, 'agent-b', dir, { ORCHESTRATOR_URL: proxy.url });
    // A job for an agent that has not registered yet is refused (404): wait for both.
    await waitForAgent(orch, token, 'agent-a');
    await waitForAgent(orch, token, 'agent-b');
    const backup = await runCli(orch, token, ['--json', 'backup', 'agent-a', '--wait', '--timeout', '180']);
    assert.equal(backup.code, 0, `${backup.stderr}\n${a.log}`);
    snapshotId = JSON.parse(backup.stdout).snapshot_id;
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    proxy?.close();
    await orch?.stop();
  });

  test('a job for an agent that never registered is refused with 404 naming it', async () => {
    const r = await orch.api('POST', '/restore-jobs', { token, json: { snapshot_id: snapshotId, target_agent_id: 'nobody-here' } });
    assert.equal(r.status, 404, r.text);
    assert.match(r.json.detail, /nobody-here/);
    const bj = await orch.api('POST', '/backup-jobs', { token, json: { agent_id: 'ghost-agent' } });
    assert.equal(bj.status, 404, bj.text);
    assert.match(bj.json.detail, /ghost-agent/);
    const cli = await runCli(orch, token, ['backup', 'ghost-agent']);
    assert.equal(cli.code, 4, cli.stderr);
  });

  test('cancel of a pending job withdraws its command; the agent never receives it', async () => {
    // Registered (seen once), not running.
    const idleToken = await orch.agentToken('agent-idle');
    const created = await orch.api('POST', '/backup-jobs', { token, json: { agent_id: 'agent-idle' } });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.kind, 'backup');
    const cancel = await runCli(orch, token, ['--json', 'cancel', created.json.id]);
    assert.equal(cancel.code, 0, cancel.stderr);
    const out = JSON.parse(cancel.stdout);
    assert.equal(out.status, 'cancelled');
    assert.equal(out.kind, 'backup');
    assert.equal(out.previous_status, 'pending');
    assert.equal(out.agent_notified, 'withdrawn');
    const cmds = await orch.api('GET', '/agent/agent-idle/commands', { token: idleToken });
    assert.equal(cmds.status, 200, cmds.text);
    assert.deepEqual(cmds.json, []);
    // The agent starts later and still gets nothing.
    const idle = await startAgent(orch, 'agent-idle', dir);
    await sleep(2500);
    await idle.stop();
    assert.doesNotMatch(idle.log, new RegExp(created.json.id));
    const job = await orch.api('GET', `/backup-jobs/${created.json.id}`, { token });
    assert.equal(job.json.status, 'cancelled');
    // One log line, the cancel's own: the agent never posted anything.
    assert.deepEqual(job.json.logs.map((l) => l.event_type), ['job_cancelled']);
    assert.match(job.json.logs[0].message, /cancelled by an operator \(was pending\)/);
    const wal = fs.readFileSync(orch.walPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const rec = wal.find((r) => r.event === 'job_cancelled' && r.job_id === created.json.id);
    assert.ok(rec, 'job_cancelled in the WAL');
    assert.equal(rec.kind, 'backup');
    assert.equal(rec.agent_notified, 'withdrawn');
  });

  test('cancel of a running restore: the agent stops at its next event and leaves nothing behind', async () => {
    const created = await orch.api('POST', '/restore-jobs', { token, json: { snapshot_id: snapshotId, target_agent_id: 'agent-b' } });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.kind, 'restore');
    const jobId = created.json.id;
    await waitFor('restore to start on agent B', async () => {
      const j = await orch.api('GET', `/restore-jobs/${jobId}`, { token });
      return j.json?.status === 'in_progress';
    }, { everyMs: 20 });
    // The snapshot is pinned while the job runs.
    const pinned = await orch.api('DELETE', `/snapshots/${snapshotId}`, { token });
    assert.equal(pinned.status, 409, pinned.text);
    const cancel = await orch.api('POST', `/restore-jobs/${jobId}/cancel`, { token });
    assert.equal(cancel.status, 200, cancel.text);
    assert.equal(cancel.json.status, 'cancelled');
    assert.equal(cancel.json.previous_status, 'in_progress');
    assert.equal(cancel.json.agent_notified, 'at_next_event');
    await waitFor('agent B to stop the job', async () => /stopped after its cancel/.test(b.log), { timeoutMs: 30000 });
    const job = await orch.api('GET', `/restore-jobs/${jobId}`, { token });
    assert.equal(job.json.status, 'cancelled');
    const types = job.json.logs.map((l) => l.event_type);
    assert.ok(!types.includes('restore_completed') && !types.includes('restore_failed'), types.join(','));
    // Nothing partial: no tree under the final name, no temporary tree, no spool file.
    assert.deepEqual(entriesBelow(b.restoreDir), []);
    assert.deepEqual(entriesBelow(b.spoolDir).filter((n) => n.includes(jobId)), []);
    // Not retried: still nothing a few seconds later.
    await sleep(2000);
    assert.deepEqual(entriesBelow(b.restoreDir), []);
    // Cancelling released the pin (the snapshot is deleted at the end).
    const again = await orch.api('POST', `/restore-jobs/${jobId}/cancel`, { token });
    assert.equal(again.status, 409, again.text);
  });

  test('cancel of a finished job is 409, of an unknown one 404', async () => {
    const jobs = await orch.api('GET', '/backup-jobs?status=completed', { token });
    assert.ok(jobs.json.length >= 1, jobs.text);
    const done = await orch.api('POST', `/backup-jobs/${jobs.json[0].id}/cancel`, { token });
    assert.equal(done.status, 409, done.text);
    assert.match(done.json.detail, /completed/);
    const cli = await runCli(orch, token, ['cancel', jobs.json[0].id]);
    assert.equal(cli.code, 1, cli.stderr);
    const unknown = await orch.api('POST', '/restore-jobs/rj-does-not-exist/cancel', { token });
    assert.equal(unknown.status, 404, unknown.text);
    const cliUnknown = await runCli(orch, token, ['cancel', 'rj-does-not-exist']);
    assert.equal(cliUnknown.code, 4, cliUnknown.stderr);
  });

  test('a backup of a path that does not exist fails with the reason (repository and tar)', async () => {
    const repo = await runCli(orch, token, ['backup', 'agent-a', '--path', 'no/such/dir', '--wait', '--timeout', '60']);
    assert.equal(repo.code, 1, repo.stderr);
    assert.match(repo.stderr, /failed: .*no\/such\/dir.*does not exist/);
    const tarAgent = await startAgent(orch, 'agent-tar', dir, { AGENT_BACKUP_FORMAT: 'tar' });
    try {
      await waitForAgent(orch, token, 'agent-tar');
      const created = await orch.api('POST', '/backup-jobs', { token, json: { agent_id: 'agent-tar', paths: ['missing'] } });
      assert.equal(created.status, 200, created.text);
      const job = await waitForJob(orch, token, 'backup-jobs', created.json.id, 60000);
      assert.equal(job.status, 'failed', tarAgent.log);
      const failed = job.logs.find((l) => l.event_type === 'backup_failed');
      assert.ok(failed, JSON.stringify(job.logs));
      assert.match(failed.message, /'missing' does not exist/);
      assert.equal(job.snapshot_id, null);
    } finally {
      await tarAgent.stop();
    }
  });

  test('the snapshot a cancelled restore used can be deleted', async () => {
    const del = await orch.api('DELETE', `/snapshots/${snapshotId}`, { token });
    assert.ok(del.status === 200 || del.status === 204, del.text);
  });

  test('CLI lists page: 100 by default with a note, --all returns 130 of 130', async () => {
    const known = (await orch.api('GET', '/agents', { token })).json.length;
    for (let i = known; i < 130; i++) {
      const r = await orch.api('GET', `/agent/fleet-${String(i).padStart(3, '0')}/commands`, { token });
      assert.equal(r.status, 200, r.text);
    }
    const first = await runCli(orch, token, ['--json', 'agents']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).length, 100);
    assert.match(first.stderr, /showing 100 of 130; use --all/);
    const all = await runCli(orch, token, ['--json', 'agents', '--all']);
    assert.equal(all.code, 0, all.stderr);
    const ids = JSON.parse(all.stdout).map((x) => x.id);
    assert.equal(ids.length, 130);
    assert.equal(new Set(ids).size, 130);
    assert.doesNotMatch(all.stderr, /showing/);
    const some = await runCli(orch, token, ['--json', 'agents', '--limit', '7']);
    assert.equal(JSON.parse(some.stdout).length, 7);
    assert.match(some.stderr, /showing 7 of 130/);
    const jobs = await runCli(orch, token, ['--json', 'jobs', '--all']);
    assert.equal(jobs.code, 0, jobs.stderr);
    const listed = JSON.parse(jobs.stdout);
    assert.ok(listed.every((j) => j.kind === 'restore' || j.kind === 'backup'));
    assert.ok(listed.some((j) => j.status === 'cancelled'));
  });
});
