// Defaults that do not surprise: started by hand without WAL_PATH, the
// orchestrator keeps its WAL beside its SQLite database (or in ORCH_DATA_DIR
// with PostgreSQL), never in /data at the filesystem root.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';

const records = (p) => fs.readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('WAL_PATH unset', () => {
  it('puts the WAL beside the SQLite database file', async () => {
    const dir = tempDir();
    const dbDir = path.join(dir, 'db-here');
    fs.mkdirSync(dbDir);
    const orch = await startOrchestrator({
      dir,
      databaseUrl: `sqlite:///${path.join(dbDir, 'orchestrator.db')}`,
      env: { WAL_PATH: undefined, ORCH_LOG_LEVEL: 'info' },
    });
    try {
      await orch.agentToken('wal-default');
      const wal = path.join(dbDir, 'orchestrator_wal.log');
      assert.ok(fs.existsSync(wal), `no WAL at ${wal}:\n${orch.log}`);
      assert.ok(records(wal).some((r) => r.event === 'token_minted' && r.agent_id === 'wal-default'));
      assert.ok(!fs.existsSync(path.join(orch.dataDir, 'orchestrator_wal.log')));
      assert.match(orch.log, new RegExp(`wal: ${wal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    } finally { await orch.stop(); }
  });

  it('puts the WAL in ORCH_DATA_DIR with PostgreSQL', { skip: !process.env.FF_TEST_PG_URL && 'FF_TEST_PG_URL not set' }, async () => {
    const orch = await startOrchestrator({ db: 'postgres', env: { WAL_PATH: undefined } });
    try {
      await orch.agentToken('wal-default-pg');
      const wal = path.join(orch.dataDir, 'orchestrator_wal.log');
      assert.ok(fs.existsSync(wal), `no WAL at ${wal}:\n${orch.log}`);
      assert.ok(records(wal).some((r) => r.event === 'token_minted' && r.agent_id === 'wal-default-pg'));
    } finally { await orch.stop(); }
  });

  it('refuses WAL_PATH set but empty with one line', async () => {
    await assert.rejects(startOrchestrator({ env: { WAL_PATH: '' } }), /configuration: WAL_PATH: must not be empty/);
  });
});
