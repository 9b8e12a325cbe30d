// ORCH_LOG_FORMAT: the text format stays the default; json writes one JSON
// object per line, the access log included (with its fields, never the
// query string); any other value stops the orchestrator with one clear line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startOrchestrator, orchestratorBin, tempDir } from '../support/orchestrator.mjs';

const lines = (log) => log.split('\n').filter((l) => l.length > 0);

describe('ORCH_LOG_FORMAT', () => {
  it('json: every line is one JSON object, access lines carry their fields', async () => {
    const orch = await startOrchestrator({ env: { ORCH_LOG_FORMAT: 'json', ORCH_LOG_LEVEL: 'info' } });
    const op = await orch.operatorToken();
    assert.equal((await orch.api('GET', '/agents?limit=5', { token: op })).status, 200);
    assert.equal((await orch.api('GET', '/no/such/path')).status, 404);
    await orch.stop();
    const parsed = lines(orch.log).map((l) => {
      try { return JSON.parse(l); } catch { assert.fail(`not JSON: ${l}`); }
    });
    assert.ok(parsed.length >= 4, orch.log);
    for (const p of parsed) {
      assert.match(p.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(['trace', 'debug', 'info', 'warning', 'error', 'critical'].includes(p.level), p.level);
      assert.ok(typeof p.message === 'string' || p.event === 'access', JSON.stringify(p));
    }
    assert.ok(parsed.some((p) => /listening on/.test(p.message ?? '')));
    const agents = parsed.find((p) => p.event === 'access' && p.path === '/agents');
    assert.ok(agents, orch.log);
    assert.equal(agents.method, 'GET');
    assert.equal(agents.status, 200);
    assert.equal(agents.route, '/agents');
    assert.equal(typeof agents.ms, 'number');
    assert.equal(typeof agents.bytes, 'number');
    assert.ok(agents.id && agents.client);
    const missing = parsed.find((p) => p.event === 'access' && p.path === '/no/such/path');
    assert.equal(missing.status, 404);
    assert.equal(missing.route, undefined);
    assert.ok(!orch.log.includes(op), 'a token reached the log');
  });

  it('text stays the default format', async () => {
    const orch = await startOrchestrator({ env: { ORCH_LOG_LEVEL: 'info' } });
    assert.equal((await orch.api('GET', '/health/live')).status, 200);
    await orch.stop();
    const ls = lines(orch.log);
    assert.ok(ls.length >= 3);
    for (const l of ls) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ /);
    assert.ok(ls.some((l) => /access id=\S+ client=\S+ method=GET path=\/health\/live status=200 /.test(l)), orch.log);
  });

  it('refuses an unknown format with one line naming the variable', () => {
    const dir = tempDir();
    const r = spawnSync(orchestratorBin, [], {
      env: { PATH: process.env.PATH, ORCH_LOG_FORMAT: 'xml', WAL_PATH: `${dir}/wal.log`, DATABASE_URL: `sqlite:///${dir}/db.sqlite`, ORCH_DATA_DIR: `${dir}/data`, ORCH_LISTEN: '127.0.0.1:0' },
      encoding: 'utf8',
      timeout: 10000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^fortfail-orchestrator: configuration: ORCH_LOG_FORMAT: expected text or json\n$/);
  });
});
