// The agent started the seed's way (only the seed's variables: ORCHESTRATOR_URL,
// AGENT_ID, AGENT_REG_SECRET, BACKUP_DIR, RESTORE_DIR) backs up once at start,
// as the seed agent did; BACKUP_ON_START=0 turns that off; a missing
// BACKUP_DIR stops it at once with one line saying so.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { agentBin, haveBinaries, sleep, startAgent, waitFor } from './helpers.mjs';

const skip = haveBinaries() ? false : 'binaries not built';

describe('the seed agent behaviour', { skip }, () => {
  let orch, op, dir;
  before(async () => {
    dir = tempDir('ff-seed-agent-');
    orch = await startOrchestrator();
    op = await orch.operatorToken();
  });
  after(async () => { await orch?.stop(); });

  const snapshotsOf = async (agentId) =>
    (await orch.api('GET', `/snapshots?agent_id=${agentId}`, { token: op })).json;

  it('backs up once at start when started with the seed variables only', async () => {
    const backupDir = path.join(dir, 'seed-1-backup');
    fs.mkdirSync(backupDir, { recursive: true });
    fs.writeFileSync(path.join(backupDir, 'hello.txt'), 'hello from the seed agent\n');
    // BACKUP_ON_START undefined: the helper's "0" is dropped, the default applies.
    const agent = await startAgent(orch, 'seed-1', dir, { BACKUP_ON_START: undefined });
    try {
      const snaps = await waitFor('a snapshot taken at start', async () => {
        const s = await snapshotsOf('seed-1');
        return s.some((x) => x.status === 'available') ? s : null;
      }, { timeoutMs: 30000 });
      assert.equal(snaps.length, 1, JSON.stringify(snaps));
      assert.match(agent.log, /once at start/);
      // Only once: polling afterwards takes no further backup.
      await sleep(2500);
      assert.equal((await snapshotsOf('seed-1')).length, 1);
    } finally { await agent.stop(); }
  });

  it('takes no backup at start with BACKUP_ON_START=0', async () => {
    const agent = await startAgent(orch, 'seed-2', dir, { BACKUP_ON_START: '0' });
    try {
      await waitFor('the agent to poll', async () => {
        const r = await orch.api('GET', '/agents', { token: op });
        return r.json.some((a) => a.id === 'seed-2');
      }, { timeoutMs: 20000 });
      await sleep(2500);
      assert.deepEqual(await snapshotsOf('seed-2'), []);
    } finally { await agent.stop(); }
  });

  it('exits 2 with one line when BACKUP_DIR does not exist, or is a file, or BACKUP_ON_START is not 0/1', () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    const cases = [
      [{ BACKUP_DIR: path.join(dir, 'no-such-dir') }, /^fortfail-agent: BACKUP_DIR \S+no-such-dir does not exist: create it/],
      [{ BACKUP_DIR: file }, /^fortfail-agent: BACKUP_DIR \S+a-file is not a directory$/],
      [{ BACKUP_DIR: dir, BACKUP_ON_START: 'maybe' }, /^fortfail-agent: BACKUP_ON_START must be 1 or 0/],
    ];
    for (const [env, want] of cases) {
      const r = spawnSync(agentBin, [], {
        encoding: 'utf8',
        timeout: 10000,
        env: {
          PATH: process.env.PATH,
          ORCHESTRATOR_URL: orch.url,
          AGENT_ID: 'seed-3',
          AGENT_REG_SECRET: orch.regSecret,
          RESTORE_DIR: path.join(dir, 'seed-3-restore'),
          ...env,
        },
      });
      assert.equal(r.status, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], want);
    }
  });
});
