// The real agent enrolls: it spends the one-time code once, keeps its own
// secret 0600 in AGENT_STATE_DIR, mints with it after a restart (the code gone),
// and stops at once when an admin revokes it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { startAgent, waitFor } from './helpers.mjs';

describe('agent enrollment', () => {
  let orch, admin, dir;
  before(async () => {
    dir = tempDir('ff-enroll-');
    orch = await startOrchestrator({ env: { ORCH_OPERATOR_SECRET: 'o'.repeat(40), ORCH_REG_SECRET_ENABLED: '0' } });
    admin = (await orch.api('POST', '/auth/token', { json: { registration_secret: 'o'.repeat(40) } })).json.token;
  });
  after(async () => { await orch?.stop(); });

  it('exchanges the code once, keeps the secret 0600, and works again after a restart', async () => {
    const code = (await orch.api('POST', '/agents/enr-1/enrollment', { token: admin, json: {} })).json.enrollment_code;
    const stateDir = path.join(dir, 'state');
    const agent = await startAgent(orch, 'enr-1', dir, { AGENT_REG_SECRET: '', AGENT_STATE_DIR: stateDir, AGENT_ENROLLMENT_CODE: code });
    try {
      await waitFor('the agent to poll', async () => {
        const r = await orch.api('GET', '/agents', { token: admin });
        return r.json.some((a) => a.id === 'enr-1');
      }, { timeoutMs: 20000 });
      const file = path.join(stateDir, 'agent_secret');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const secret = fs.readFileSync(file, 'utf8').trim();
      assert.match(secret, /^ffa_/);
      assert.ok(!agent.log.includes(secret), 'the secret is not logged');
      assert.ok(!agent.log.includes(code), 'the code is not logged');
      await agent.stop();

      // The code is spent; the stored secret carries the restart.
      assert.equal((await orch.api('POST', '/auth/enroll', { json: { agent_id: 'enr-1', enrollment_code: code } })).status, 403);
      const before = (await orch.api('GET', '/agents', { token: admin })).json.find((a) => a.id === 'enr-1').last_seen;
      await new Promise((r) => setTimeout(r, 1100));
      agent.start();
      await waitFor('the agent to poll again', async () => {
        const r = await orch.api('GET', '/agents', { token: admin });
        return r.json.find((a) => a.id === 'enr-1').last_seen !== before;
      }, { timeoutMs: 20000 });
      assert.match(agent.log, /already enrolled/);

      // Revoked: its token stops working and its secret mints nothing.
      assert.equal((await orch.api('POST', '/agents/enr-1/revoke', { token: admin, json: {} })).status, 200);
      const r = await orch.api('POST', '/auth/token', { json: { agent_id: 'enr-1', agent_secret: secret } });
      assert.equal(r.status, 403);
      await waitFor('the agent to report the refusal', async () => /refused the agent secret/.test(agent.log), { timeoutMs: 20000 });
    } finally {
      await agent.stop();
    }
  });

  it('refuses a secret file others may read', async () => {
    const stateDir = path.join(dir, 'loose');
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, 'agent_secret'), 'ffa_x\n', { mode: 0o644 });
    fs.chmodSync(path.join(stateDir, 'agent_secret'), 0o644);
    const agent = await startAgent(orch, 'enr-2', dir, { AGENT_REG_SECRET: '', AGENT_STATE_DIR: stateDir });
    const exit = await agent.exited;
    assert.equal(exit.code, 2, agent.log);
    assert.match(agent.log, /must be readable by its owner only/);
  });
});
