// Issue 13: the agent confines what it touches. With the real orchestrator
// and agents: a restore's target_path that escapes (absolute outside the
// restore roots, "..", through a symlink an earlier restore left) ends
// restore_failed and writes nothing outside; a backup path through a symlink
// ends backup_failed; setuid bits are dropped; a zstd bomb stops at the
// declared size or the agent's cap and leaves nothing behind.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { hostileArchive, zstdBomb } from '../support/hostile_archive.mjs';
import { haveBinaries, startAgent, runCli, uploadSnapshot, listTree } from './helpers.mjs';

const rid = (p) => `${p}-${Math.random().toString(16).slice(2, 8)}`;

describe('agents confine what they touch', { skip: haveBinaries() ? false : 'fortfail binaries not built' }, () => {
  let orch, a, b, c, token, dir, outside, extraRoot;
  before(async () => {
    dir = tempDir('ff-e2e-confine-');
    outside = path.join(dir, 'outside');
    extraRoot = path.join(dir, 'extra-root');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside secret');
    orch = await startOrchestrator({ db: 'sqlite', s3: false });
    a = await startAgent(orch, 'agent-a', dir);
    b = await startAgent(orch, 'agent-b', dir, { AGENT_RESTORE_ROOTS: extraRoot });
    c = await startAgent(orch, 'agent-c', dir, { AGENT_MAX_RESTORE_BYTES: String(32 << 20), AGENT_KEEP_SETID: '1' });
    token = await orch.operatorToken();
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await c?.stop();
    await orch?.stop();
  });

  // Restores `id` onto `agent` (optionally at `target`); returns the finished job.
  async function restore(id, agent, target) {
    const args = ['--json', 'restore', id, '--to', agent.id, '--wait', '--timeout', '60'];
    if (target !== undefined) args.push('--path', target);
    const r = await runCli(orch, token, args);
    const job = JSON.parse(r.stdout);
    return { code: r.code, job, failed: job.logs?.find((l) => l.event_type === 'restore_failed') };
  }

  const outsideTree = () => listTree(outside);

  test('target_path escapes end restore_failed and write nothing outside', async () => {
    const id = rid('plain');
    await uploadSnapshot(orch, token, { id, agentId: 'agent-a', bytes: hostileArchive([{ name: 'f.txt', data: 'x' }]) });
    const before = outsideTree();
    const cases = [
      { target: path.join(outside, 'abs'), rule: /outside RESTORE_DIR and AGENT_RESTORE_ROOTS/ },
      { target: '../outside/dotdot', rule: /'\.\.' components are not allowed/ },
      { target: `${b.restoreDir}/../outside/dotdot2`, rule: /'\.\.' components are not allowed/ },
      { target: `${extraRoot}-sibling/x`, rule: /outside RESTORE_DIR/ },
    ];
    for (const k of cases) {
      const { code, job, failed } = await restore(id, b, k.target);
      assert.notEqual(code, 0, `${k.target}: must fail`);
      assert.equal(job.status, 'failed', k.target);
      assert.ok(failed, `${k.target}: a restore_failed event`);
      assert.match(failed.message, /refused/, k.target);
      assert.match(failed.message, k.rule, `${k.target}: got "${failed.message}"`);
    }
    assert.deepEqual(outsideTree(), before);
    assert.ok(!fs.existsSync(`${extraRoot}-sibling`));
    // An allowed extra root works.
    const ok = await restore(id, b, path.join(extraRoot, 'app', 'v1'));
    assert.equal(ok.job.status, 'completed', JSON.stringify(ok.job.logs));
    assert.equal(fs.readFileSync(path.join(extraRoot, 'app', 'v1', 'f.txt'), 'utf8'), 'x');
  });

  test("a symlink left by an earlier restore is never followed", async () => {
    // First restore: a tree holding a symlink that points outside (allowed as a link).
    const first = rid('with-link');
    await uploadSnapshot(orch, token, { id: first, agentId: 'agent-a', bytes: hostileArchive([
      { name: 'ok.txt', data: 'ok' }, { name: 'esc', symlink: outside },
    ]) });
    const r1 = await restore(first, b, 'earlier');
    assert.equal(r1.job.status, 'completed', JSON.stringify(r1.job.logs));
    assert.equal(fs.readlinkSync(path.join(b.restoreDir, 'earlier', 'esc')), outside);

    const second = rid('second');
    await uploadSnapshot(orch, token, { id: second, agentId: 'agent-a', bytes: hostileArchive([{ name: 'planted.txt', data: 'evil' }]) });
    const before = outsideTree();
    for (const target of ['earlier/esc/planted', path.join(b.restoreDir, 'earlier', 'esc', 'deeper', 'planted'), 'earlier/esc']) {
      const { job, failed } = await restore(second, b, target);
      assert.equal(job.status, 'failed', target);
      assert.ok(failed, `${target}: a restore_failed event`);
      assert.match(failed.message, /refused.*symlink/, `${target}: got "${failed.message}"`);
      assert.ok(!failed.message.includes(b.restoreDir), `no host path beyond the operator's: ${failed.message}`);
    }
    assert.deepEqual(outsideTree(), before);
  });

  test('a backup path through a symlink ends backup_failed and archives nothing outside', async () => {
    fs.symlinkSync(outside, path.join(a.backupDir, 'lnk'));
    fs.mkdirSync(path.join(a.backupDir, 'real'));
    fs.writeFileSync(path.join(a.backupDir, 'real', 'inside.txt'), 'inside');
    const r = await runCli(orch, token, ['--json', 'backup', 'agent-a', '--path', 'lnk/secret.txt', '--wait', '--timeout', '60']);
    assert.notEqual(r.code, 0, `backup must fail: ${r.stdout}`);
    const job = JSON.parse(r.stdout);
    assert.equal(job.status, 'failed');
    const failed = job.logs.find((l) => l.event_type === 'backup_failed');
    assert.ok(failed, 'a backup_failed event');
    assert.match(failed.message, /refused.*symlink/, failed.message);
    assert.ok(!job.snapshot_id, 'no snapshot');

    // The whole tree: the link travels as a link, the outside file does not.
    const all = await runCli(orch, token, ['--json', 'backup', 'agent-a', '--wait', '--timeout', '60']);
    assert.equal(all.code, 0, all.stderr);
    const snap = JSON.parse(all.stdout).snapshot_id;
    const back = await restore(snap, b, 'whole');
    assert.equal(back.job.status, 'completed', JSON.stringify(back.job.logs));
    assert.equal(fs.readlinkSync(path.join(b.restoreDir, 'whole', 'lnk')), outside);
    assert.equal(fs.readFileSync(path.join(b.restoreDir, 'whole', 'real', 'inside.txt'), 'utf8'), 'inside');
    assert.ok(!listTree(path.join(b.restoreDir, 'whole')).some((p) => p.includes('secret')));
    fs.unlinkSync(path.join(a.backupDir, 'lnk'));
  });

  test('setuid and setgid bits are dropped unless the agent keeps them', async () => {
    const tool = path.join(a.backupDir, 'suid-tool');
    fs.writeFileSync(tool, '#!/bin/sh\n');
    fs.chmodSync(tool, 0o6755);
    const bk = await runCli(orch, token, ['--json', 'backup', 'agent-a', '--path', 'suid-tool', '--wait', '--timeout', '60']);
    assert.equal(bk.code, 0, bk.stderr);
    const snap = JSON.parse(bk.stdout).snapshot_id;
    const dropped = await restore(snap, b, 'setid');
    assert.equal(dropped.job.status, 'completed', JSON.stringify(dropped.job.logs));
    assert.equal(fs.statSync(path.join(b.restoreDir, 'setid', 'suid-tool')).mode & 0o7777, 0o755);
    const kept = await restore(snap, c, 'setid');
    assert.equal(kept.job.status, 'completed', JSON.stringify(kept.job.logs));
    assert.equal(fs.statSync(path.join(c.restoreDir, 'setid', 'suid-tool')).mode & 0o4000, 0o4000);
    fs.unlinkSync(tool);
  });

  test('a zstd bomb fails cleanly at the declared size or the agent cap', async () => {
    const bomb = zstdBomb(300 * 1024 * 1024);
    assert.ok(bomb.length < 16 * 1024, `bomb is ${bomb.length} bytes`);
    const cases = [
      // Declared like a real backup of a 2-byte file: the declaration is the limit.
      { agent: b, metadata: { byte_count: 2, file_count: 2, dir_count: 0, symlink_count: 0 }, rule: /declared/ },
      // Nothing declared: the agent's AGENT_MAX_RESTORE_BYTES (32 MiB on agent-c).
      { agent: c, metadata: {}, rule: /AGENT_MAX_RESTORE_BYTES/ },
    ];
    for (const k of cases) {
      const id = rid('bomb');
      await uploadSnapshot(orch, token, { id, agentId: 'agent-a', bytes: bomb, metadata: k.metadata });
      const { job, failed } = await restore(id, k.agent);
      assert.equal(job.status, 'failed', k.agent.id);
      assert.ok(failed, 'a restore_failed event');
      assert.match(failed.message, /exceed/, failed.message);
      assert.match(failed.message, k.rule, failed.message);
      assert.deepEqual(fs.readdirSync(k.agent.restoreDir).filter((n) => n.includes(id)), [], 'nothing left behind');
    }
  });
});
