// Restore drills, the agent's side (issue 14): the real fortfail-agent gets a
// `drill` command from the stand-in orchestrator (fake_orchestrator.mjs),
// restores the snapshot into <AGENT_DRILL_DIR>/<job_id>, proves it and removes
// it again.
//   - repository format with a key: the snapshot lives in a real orchestrator,
//     the stand-in forwards everything but the drill (its `upstream` mode).
//     A good snapshot ends in drill_completed with every file verified by its
//     backup hash; a pack damaged in the store ends in drill_failed naming it.
//   - a drill cancelled mid-way (409 job_status cancelled) stops silently.
//   - tar format against the stand-in alone: the proof is the archive's
//     checksum (per_file_hashes false); a damaged object fails the drill; a
//     restore may not target the drill directory; a drill killed mid-way
//     leaves a scratch directory the restarted agent removes, and the
//     redelivered command starts over and completes.
// In every case the drill directory is empty afterwards and the restore
// directory holds nothing but it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { makeSampleTree } from '../support/manifest.mjs';
import { startFakeOrchestrator } from './fake_orchestrator.mjs';
import { cliBin, haveBinaries, listTree, runCli, startAgent, waitFor, waitForAgent } from './helpers.mjs';

const skip = !haveBinaries() ? 'fortfail binaries not built' : false;
const SAMPLE_FILES = 7; // makeSampleTree's regular files, the hard link included

// Queues a drill on `fake` and resolves the finished job.
async function runDrill(fake, agent, snapshotId, options) {
  const job = fake.drill(agent.id, snapshotId, options);
  await waitFor(`drill ${job.id} to finish`, () => ['completed', 'failed'].includes(job.status), { timeoutMs: 120000 });
  return job;
}

// Flips one byte in the middle of `file`.
function damage(file) {
  const fd = fs.openSync(file, 'r+');
  const at = Math.floor(fs.fstatSync(fd).size / 2);
  const one = Buffer.alloc(1);
  fs.readSync(fd, one, 0, 1, at);
  one[0] ^= 0xff;
  fs.writeSync(fd, one, 0, 1, at);
  fs.closeSync(fd);
}

function largestFile(root) {
  let best = null;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && (!best || fs.statSync(p).size > best.size)) best = { path: p, size: fs.statSync(p).size };
    }
  };
  walk(root);
  return best.path;
}

function assertNothingLeft(agent) {
  const drillDir = path.join(agent.restoreDir, '.fortfail-drills');
  assert.deepEqual(fs.readdirSync(drillDir), [], 'the drill directory is empty');
  assert.deepEqual(listTree(agent.restoreDir), ['.fortfail-drills'], 'nothing else in RESTORE_DIR');
  assert.equal(fs.statSync(drillDir).mode & 0o777, 0o700);
}

describe('restore drills of repository snapshots (real orchestrator behind the stand-in)', { skip }, () => {
  let real, fake, agent, token, dir, snapshotId;
  before(async () => {
    dir = tempDir('ff-e2e-drill-repo-');
    real = await startOrchestrator({ db: 'sqlite' });
    fake = await startFakeOrchestrator({ regSecret: real.regSecret, upstream: real.url });
    const keyFile = path.join(dir, 'agent.key');
    execFileSync(cliBin, ['key', 'generate', '--out', keyFile], { env: { PATH: process.env.PATH } });
    agent = await startAgent(fake, 'agent-d', dir, { AGENT_KEY_FILE: keyFile, AGENT_STATE_DIR: path.join(dir, 'state'), AGENT_LONG_POLL: '1' });
    makeSampleTree(agent.backupDir, { bigMiB: 5 });
    token = await real.operatorToken();
    real.dir = dir;
    await waitForAgent(real, token, 'agent-d');  // a backup for an unregistered agent is refused
    const backup = await runCli(real, token, ['--json', 'backup', 'agent-d', '--wait', '--timeout', '60']);
    assert.equal(backup.code, 0, `${backup.stderr}\n${agent.log}`);
    snapshotId = JSON.parse(backup.stdout).snapshot_id;
  });
  after(async () => {
    await agent?.stop();
    await fake?.stop();
    await real?.stop();
  });

  test('a good snapshot: drill_started … drill_completed, every file verified, nothing left', async () => {
    const job = await runDrill(fake, agent, snapshotId);
    const types = job.logs.map((l) => l.event_type);
    assert.equal(job.status, 'completed', `${JSON.stringify(job.logs, null, 1)}\n${agent.log}`);
    assert.equal(types[0], 'drill_started');
    assert.equal(types.at(-1), 'drill_completed');
    assert.ok(types.slice(1, -1).every((t) => t === 'drill_in_progress'), types.join(','));
    const m = job.logs.at(-1).metadata;
    assert.equal(m.files_checked, SAMPLE_FILES);
    assert.equal(m.files_verified, SAMPLE_FILES);
    assert.equal(m.per_file_hashes, true);
    assert.equal(m.format, 'repository-v1');
    assert.equal(m.scratch_removed, true);
    assert.equal(m.symlinks_checked, 3);
    assert.ok(m.bytes_verified > 5 * 1024 * 1024, String(m.bytes_verified));
    assert.equal(typeof m.duration_ms, 'number');
    assertNothingLeft(agent);
  });

  test('a drill cancelled while it runs stops, reports nothing more and leaves nothing', async () => {
    const job = fake.drill(agent.id, snapshotId, { onEvent: (e) => (e.event_type === 'drill_in_progress' ? 'cancel' : undefined) });
    await waitFor('the agent to give the cancelled drill up', () => /drill job \S+ stopped after its cancel/.test(agent.log));
    assert.equal(job.status, 'cancelled');
    assert.deepEqual(job.logs.map((l) => l.event_type), ['drill_started']);
    assertNothingLeft(agent);
  });

  test('a pack damaged in the store: drill_failed naming it, nothing left', async () => {
    damage(largestFile(real.dataDir)); // the pack holding big.bin's chunks
    const job = await runDrill(fake, agent, snapshotId);
    assert.equal(job.status, 'failed', agent.log);
    const failed = job.logs.at(-1);
    assert.equal(failed.event_type, 'drill_failed');
    assert.match(failed.message, /pack [0-9a-f]{64}/, failed.message);
    assert.match(failed.metadata.first_mismatch, /^(pack|tree) [0-9a-f]{64}/);
    assert.equal(failed.metadata.mismatches, 1);
    assert.equal(failed.metadata.scratch_removed, true);
    assertNothingLeft(agent);
  });
});

describe('restore drills of tar snapshots (stand-in orchestrator)', { skip }, () => {
  let fake, agent, token, dir;
  before(async () => {
    dir = tempDir('ff-e2e-drill-tar-');
    fake = await startFakeOrchestrator({ leaseSeconds: 5 });
    fake.dir = dir;
    agent = await startAgent(fake, 'agent-t', dir, { AGENT_BACKUP_FORMAT: 'tar', AGENT_LONG_POLL: '1' });
    makeSampleTree(agent.backupDir, { bigMiB: 2 });
    const r = await fetch(`${fake.url}/auth/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ registration_secret: fake.regSecret }),
    });
    token = (await r.json()).token;
  });
  after(async () => {
    await agent?.stop();
    await fake?.stop();
  });

  test('a good tar snapshot is proven by its checksum; a damaged one fails; nothing left', async () => {
    const backup = await runCli(fake, token, ['--json', 'backup', 'agent-t', '--wait', '--timeout', '60']);
    assert.equal(backup.code, 0, `${backup.stderr}\n${agent.log}`);
    const snapshotId = JSON.parse(backup.stdout).snapshot_id;

    const good = await runDrill(fake, agent, snapshotId);
    assert.equal(good.status, 'completed', agent.log);
    const m = good.logs.at(-1).metadata;
    assert.equal(good.logs.at(-1).event_type, 'drill_completed');
    assert.equal(m.per_file_hashes, false);
    assert.equal(m.files_checked, SAMPLE_FILES);
    assert.equal(m.format, 'tar');
    assert.equal(m.bytes_verified, fake.snapshots.get(snapshotId).size);
    assertNothingLeft(agent);
    assert.deepEqual(fs.readdirSync(agent.spoolDir), [], 'the archive was never spooled outside the drill');

    const stored = fake.objects.get(snapshotId);
    stored[Math.floor(stored.length / 2)] ^= 0xff;
    const bad = await runDrill(fake, agent, snapshotId);
    assert.equal(bad.status, 'failed', agent.log);
    const failed = bad.logs.at(-1);
    assert.equal(failed.event_type, 'drill_failed');
    assert.match(failed.message, /checksum mismatch/);
    assert.equal(failed.metadata.first_mismatch, 'checksum mismatch');
    assert.equal(failed.metadata.scratch_removed, true);
    assertNothingLeft(agent);

    // The drill directory is the drills' alone: a restore may not land in it.
    const r = await fetch(`${fake.url}/restore-jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ snapshot_id: snapshotId, target_agent_id: agent.id, target_path: '.fortfail-drills/x' }),
    });
    const restore = fake.jobs.get((await r.json()).id).job;
    await waitFor('the restore to fail', () => restore.status === 'failed');
    assert.match(restore.logs.at(-1).message, /inside AGENT_DRILL_DIR/);
    assertNothingLeft(agent);
  });

  test('a drill killed mid-way: the restarted agent removes the leftover, the redelivered drill starts over', async () => {
    makeSampleTree(path.join(agent.backupDir, 'again'), { bigMiB: 2 });
    const backup = await runCli(fake, token, ['--json', 'backup', 'agent-t', '--wait', '--timeout', '60']);
    assert.equal(backup.code, 0, `${backup.stderr}\n${agent.log}`);
    const snapshotId = JSON.parse(backup.stdout).snapshot_id;
    let killed = false;
    const job = fake.drill(agent.id, snapshotId, {
      onEvent: (e) => {
        if (!killed && e.event_type === 'drill_in_progress') {
          killed = true;
          agent.proc.kill('SIGKILL');
        }
      },
    });
    await waitFor('the kill', () => killed);
    await agent.exited;
    const scratch = path.join(agent.restoreDir, '.fortfail-drills', job.id);
    assert.ok(fs.existsSync(scratch), 'the crash left the scratch directory');
    agent.log = '';
    agent.start();
    await waitFor('the redelivered drill', () => ['completed', 'failed'].includes(job.status), { timeoutMs: 60000 });
    assert.match(agent.log, /removed the leftover of an interrupted drill/);
    assert.equal(job.status, 'completed', agent.log);
    assert.equal(job.logs.at(-1).metadata.files_checked, 2 * SAMPLE_FILES);
    assertNothingLeft(agent);
  });
});
