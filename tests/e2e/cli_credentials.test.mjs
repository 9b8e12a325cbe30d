// `fortfail api-key create|list|revoke`, `fortfail login --api-key` and
// `fortfail agent enroll|revoke` against the real orchestrator.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOrchestrator } from '../support/orchestrator.mjs';
import { runCli } from './helpers.mjs';

describe('fortfail credentials commands', () => {
  let orch, admin;
  before(async () => {
    orch = await startOrchestrator({});
    admin = await orch.operatorToken();
  });
  after(async () => { await orch?.stop(); });

  it('creates, lists, logs in with and revokes an API key', async () => {
    const created = await runCli(orch, admin, ['--json', 'api-key', 'create', 'ops-bot', '--role', 'operator']);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout);
    assert.equal(key.role, 'operator');
    assert.match(key.key, /^ffk_/);

    const list = await runCli(orch, admin, ['api-key', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /ops-bot\s+operator/);
    assert.ok(!list.stdout.includes(key.key));

    const login = await runCli(orch, '', ['login', '--api-key', key.key]);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, / as operator /);

    // A viewer may not create keys: exit 3 (not authorized).
    const viewerKey = JSON.parse((await runCli(orch, admin, ['--json', 'api-key', 'create', 'ro', '--role', 'viewer'])).stdout);
    const viewerTok = (await orch.api('POST', '/auth/token', { json: { api_key: viewerKey.key } })).json.token;
    const denied = await runCli(orch, viewerTok, ['api-key', 'list']);
    assert.equal(denied.code, 3, denied.stderr);

    const revoked = await runCli(orch, admin, ['api-key', 'revoke', key.id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const again = await runCli(orch, '', ['login', '--api-key', key.key]);
    assert.equal(again.code, 3, again.stderr);
    assert.match(again.stderr, /refused the API key/);
  });

  it('enrolls and revokes an agent', async () => {
    const enrolled = await runCli(orch, admin, ['--json', 'agent', 'enroll', 'cli-agent']);
    assert.equal(enrolled.code, 0, enrolled.stderr);
    const code = JSON.parse(enrolled.stdout).enrollment_code;
    const ex = await orch.api('POST', '/auth/enroll', { json: { agent_id: 'cli-agent', enrollment_code: code } });
    assert.equal(ex.status, 200);
    const revoked = await runCli(orch, admin, ['agent', 'revoke', 'cli-agent']);
    assert.equal(revoked.code, 0, revoked.stderr);
    const mint = await orch.api('POST', '/auth/token', { json: { agent_id: 'cli-agent', agent_secret: ex.json.agent_secret } });
    assert.equal(mint.status, 403);
  });
});
