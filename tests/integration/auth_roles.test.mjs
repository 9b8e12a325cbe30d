// Credentials, roles and revocation over real sockets:
// - every operation of docs/openapi.json against every role, as the spec's
//   `x-fortfail-access` declares it (viewer denied writes with 403, agents
//   denied people's routes, no token 401);
// - ORCH_OPERATOR_SECRET: the registration secret then mints agent tokens only;
//   production refuses to start without a long, distinct operator secret;
// - named API keys: created by an admin, exchanged for a token of their role,
//   revoked at once on HTTP and on an open WebSocket;
// - a WebSocket closes when its token expires;
// - ORCH_JWT_SECRET_PREVIOUS verifies tokens of the previous secret;
// - per-agent enrollment: one-time code, own secret, revocation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { startOrchestrator, dbKinds, orchestratorBin, freePort, tempDir } from '../support/orchestrator.mjs';
import { craftToken } from '../support/jwt.mjs';
import { openEvents } from '../support/ws.mjs';

const spec = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/openapi.json'), 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete'];
const RANK = { viewer: 1, operator: 2, admin: 3 };
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

function roleToken(orch, role, sub) {
  const now = Math.floor(Date.now() / 1000);
  return craftToken(orch.jwtSecret, { sub, role, iat: now, exp: now + 3600, iss: 'fortfail', jti: uid('j'), rv: 2 });
}

// Resolves when the socket closes: { code, reason }.
function closeOf(ws) {
  return new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

for (const db of dbKinds()) {
  describe(`roles over every documented route on ${db}`, () => {
    let orch;
    before(async () => { orch = await startOrchestrator({ db }); });
    after(async () => { await orch?.stop(); });

    it('allows each role exactly what the spec declares', async () => {
      const agentId = uid('self');
      const tokens = {
        viewer: roleToken(orch, 'viewer', 'key:v'),
        operator: roleToken(orch, 'operator', 'key:o'),
        admin: roleToken(orch, 'admin', 'key:a'),
        agent: roleToken(orch, 'agent', agentId),
      };
      let checked = 0;
      for (const [p, item] of Object.entries(spec.paths)) {
        for (const m of METHODS.filter((x) => item[x])) {
          const op = item[m];
          const method = m.toUpperCase();
          if (p === '/ws' || (op.security && op.security.length === 0)) continue;
          const access = op['x-fortfail-access'];
          assert.ok(access && RANK[access.role], `${method} ${p}: x-fortfail-access.role`);
          // Agents act on their own id; anything else names nothing that exists.
          const url = p.replace('/agent/{id}', `/agent/${agentId}`).replace('{id}', uid('none'));
          const body = method === 'GET' || method === 'DELETE' ? undefined : {};
          const anon = await orch.api(method, url, { json: body });
          assert.equal(anon.status, 401, `${method} ${p} without a token`);
          for (const [role, token] of Object.entries(tokens)) {
            const allowed = role === 'agent' ? access.agent === true : RANK[role] >= RANK[access.role];
            const r = await orch.api(method, url, { token, json: body });
            const where = `${method} ${p} as ${role}: ${r.status} ${r.text}`;
            if (allowed) {
              assert.ok(r.status !== 401 && r.status !== 403, where);
            } else {
              assert.equal(r.status, 403, where);
              assert.match(r.json.detail, role === 'agent' ? /agent tokens may not/ : new RegExp(`role ${role} may not`), where);
            }
            checked++;
          }
        }
      }
      assert.ok(checked >= 4 * 20, `checked ${checked}`);
    });

    it('keeps legacy operator tokens (no rv claim) working as admin', async () => {
      const now = Math.floor(Date.now() / 1000);
      const legacy = craftToken(orch.jwtSecret, { sub: 'operator', role: 'operator', iat: now, exp: now + 60, iss: 'fortfail', jti: 'x' });
      const r = await orch.api('GET', '/api-keys', { token: legacy });
      assert.equal(r.status, 200, r.text);
    });

    it('lets a viewer open the event stream', async () => {
      const ev = await openEvents(`${orch.wsUrl}?token=${roleToken(orch, 'viewer', 'key:v')}`);
      const hello = await ev.waitFor((m) => m.event === 'connected');
      assert.equal(hello.role, 'viewer');
      ev.close();
    });
  });
}

describe('ORCH_OPERATOR_SECRET', () => {
  let orch;
  const operatorSecret = `op-${randomBytes(24).toString('hex')}`;
  before(async () => { orch = await startOrchestrator({ env: { ORCH_OPERATOR_SECRET: operatorSecret } }); });
  after(async () => { await orch?.stop(); });

  it('mints admin tokens only with the operator secret; the registration secret mints agent tokens only', async () => {
    const byReg = await orch.api('POST', '/auth/token', { json: { registration_secret: orch.regSecret } });
    assert.equal(byReg.status, 403, byReg.text);
    const byOp = await orch.api('POST', '/auth/token', { json: { registration_secret: operatorSecret } });
    assert.equal(byOp.status, 200, byOp.text);
    assert.equal(byOp.json.role, 'admin');
    const agentByOp = await orch.api('POST', '/auth/token', { json: { registration_secret: operatorSecret, agent_id: 'a1' } });
    assert.equal(agentByOp.status, 403);
    const agent = await orch.api('POST', '/auth/token', { json: { registration_secret: orch.regSecret, agent_id: 'a1' } });
    assert.equal(agent.status, 200);
    assert.equal(agent.json.role, 'agent');
  });

  it('warns at start without it (development)', async () => {
    const dev = await startOrchestrator({});
    try {
      await new Promise((r) => setTimeout(r, 200));
      assert.match(dev.log, /ORCH_OPERATOR_SECRET is not set/);
    } finally { await dev.stop(); }
  });
});

describe('production start-up refusals', () => {
  const base = () => ({
    PATH: process.env.PATH,
    ORCH_ENV: 'production',
    ORCH_BEHIND_TLS_PROXY: '1',
    ORCH_JWT_SECRET: 'j'.repeat(40),
    ORCH_REG_SECRET: 'r'.repeat(40),
    DATABASE_URL: 'sqlite://:memory:',
    WAL_PATH: path.join(tempDir(), 'wal.log'),
    ORCH_DATA_DIR: tempDir(),
    ORCH_LISTEN: '127.0.0.1:0',
  });
  for (const [what, extra, says] of [
    ['no operator secret', {}, /ORCH_OPERATOR_SECRET: required in production/],
    ['a short one', { ORCH_OPERATOR_SECRET: 'o'.repeat(31) }, /ORCH_OPERATOR_SECRET: must be at least 32/],
    ['the JWT secret', { ORCH_OPERATOR_SECRET: 'j'.repeat(40) }, /must differ from ORCH_JWT_SECRET/],
    ['the registration secret', { ORCH_OPERATOR_SECRET: 'r'.repeat(40) }, /must differ from ORCH_REG_SECRET/],
    ['the previous JWT secret', { ORCH_OPERATOR_SECRET: 'p'.repeat(40), ORCH_JWT_SECRET_PREVIOUS: 'p'.repeat(40) }, /must differ from ORCH_JWT_SECRET_PREVIOUS/],
  ]) {
    it(`refuses ${what}`, () => {
      const r = spawnSync(orchestratorBin, [], { env: { ...base(), ...extra }, encoding: 'utf8', timeout: 10000 });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, says);
    });
  }
});

for (const db of dbKinds()) {
  describe(`API keys and revocation on ${db}`, () => {
    let orch, admin;
    before(async () => {
      orch = await startOrchestrator({ db });
      admin = await orch.operatorToken();
    });
    after(async () => { await orch?.stop(); });

    it('creates a key shown once, exchanges it for a token of its role, and revokes it at once', async () => {
      const created = await orch.api('POST', '/api-keys', { token: admin, json: { name: 'ci-viewer', role: 'viewer' } });
      assert.equal(created.status, 201, created.text);
      assert.match(created.json.key, /^ffk_/);
      const list = await orch.api('GET', '/api-keys', { token: admin });
      const row = list.json.find((k) => k.id === created.json.id);
      assert.equal(row.role, 'viewer');
      assert.equal(row.key, undefined);
      assert.ok(!list.text.includes(created.json.key));

      const minted = await orch.api('POST', '/auth/token', { json: { api_key: created.json.key } });
      assert.equal(minted.status, 200, minted.text);
      assert.equal(minted.json.role, 'viewer');
      const tok = minted.json.token;
      assert.equal((await orch.api('GET', '/snapshots', { token: tok })).status, 200);
      const write = await orch.api('POST', '/backup-jobs', { token: tok, json: { agent_id: 'a1' } });
      assert.equal(write.status, 403);

      const ev = await openEvents(`${orch.wsUrl}?token=${tok}`);
      await ev.waitFor((m) => m.event === 'connected');
      const closed = closeOf(ev.ws);

      const revoked = await orch.api('DELETE', `/api-keys/${created.json.id}`, { token: admin });
      assert.equal(revoked.status, 200, revoked.text);
      const after = await orch.api('GET', '/snapshots', { token: tok });
      assert.equal(after.status, 401);
      assert.match(after.json.detail, /token revoked/);
      const again = await orch.api('POST', '/auth/token', { json: { api_key: created.json.key } });
      assert.equal(again.status, 403);
      const c = await Promise.race([closed, new Promise((r) => setTimeout(() => r('timeout'), 2000))]);
      assert.deepEqual(c, { code: 1008, reason: 'token revoked' });
      // Still refused after a restart (the set is loaded from the database).
      await orch.restart();
      assert.equal((await orch.api('GET', '/snapshots', { token: tok })).status, 401);
    });

    it('refuses bad key requests clearly', async () => {
      const bad = await orch.api('POST', '/api-keys', { token: admin, json: { name: 'x', role: 'root' } });
      assert.equal(bad.status, 422);
      const agentRole = await orch.api('POST', '/api-keys', { token: admin, json: { name: 'x', role: 'agent' } });
      assert.equal(agentRole.status, 422);
      assert.equal((await orch.api('DELETE', '/api-keys/key-nope', { token: admin })).status, 404);
      assert.equal((await orch.api('POST', '/auth/token', { json: { api_key: 'ffk_nope' } })).status, 403);
    });

    it('enrolls an agent once, mints with its own secret only, and revokes it', async () => {
      const id = uid('enr');
      const e = await orch.api('POST', `/agents/${id}/enrollment`, { token: admin, json: {} });
      assert.equal(e.status, 201, e.text);
      const ex = await orch.api('POST', '/auth/enroll', { json: { agent_id: id, enrollment_code: e.json.enrollment_code } });
      assert.equal(ex.status, 200, ex.text);
      const twice = await orch.api('POST', '/auth/enroll', { json: { agent_id: id, enrollment_code: e.json.enrollment_code } });
      assert.equal(twice.status, 403);
      const own = await orch.api('POST', '/auth/token', { json: { agent_id: id, agent_secret: ex.json.agent_secret } });
      assert.equal(own.status, 200, own.text);
      const other = await orch.api('POST', '/auth/token', { json: { agent_id: 'someone-else', agent_secret: ex.json.agent_secret } });
      assert.equal(other.status, 403);
      const shared = await orch.api('POST', '/auth/token', { json: { agent_id: id, registration_secret: orch.regSecret } });
      assert.equal(shared.status, 403, 'an enrolled agent no longer answers to the shared secret');
      const tok = own.json.token;
      assert.equal((await orch.api('GET', `/agent/${id}/commands`, { token: tok })).status, 200);

      const ev = await openEvents(`${orch.wsUrl}?token=${tok}`);
      await ev.waitFor((m) => m.event === 'connected');
      const closed = closeOf(ev.ws);
      const rv = await orch.api('POST', `/agents/${id}/revoke`, { token: admin, json: {} });
      assert.equal(rv.status, 200, rv.text);
      assert.equal((await orch.api('GET', `/agent/${id}/commands`, { token: tok })).status, 401);
      assert.equal((await orch.api('POST', '/auth/token', { json: { agent_id: id, agent_secret: ex.json.agent_secret } })).status, 403);
      assert.equal((await orch.api('POST', '/auth/token', { json: { agent_id: id, registration_secret: orch.regSecret } })).status, 403);
      assert.deepEqual(await closed, { code: 1008, reason: 'token revoked' });
      // The seed's way (shared secret, never enrolled) still works for other agents.
      assert.equal((await orch.api('POST', '/auth/token', { json: { agent_id: uid('seed'), registration_secret: orch.regSecret } })).status, 200);
    });
  });
}

describe('token expiry and rotation', () => {
  it('closes a WebSocket when its token expires and answers 401 on HTTP', async () => {
    const orch = await startOrchestrator({ env: { ORCH_TOKEN_TTL_SECONDS: '2' } });
    try {
      const tok = await orch.operatorToken();
      const ev = await openEvents(`${orch.wsUrl}?token=${tok}`);
      await ev.waitFor((m) => m.event === 'connected');
      const closed = closeOf(ev.ws);
      const c = await Promise.race([closed, new Promise((r) => setTimeout(() => r('timeout'), 5000))]);
      assert.deepEqual(c, { code: 1008, reason: 'token expired' });
      const r = await orch.api('GET', '/agents', { token: tok });
      assert.equal(r.status, 401);
    } finally { await orch.stop(); }
  });

  it('accepts tokens of ORCH_JWT_SECRET_PREVIOUS during a rotation, and not after', async () => {
    const dir = tempDir();
    const port = await freePort();
    const oldSecret = `old-${randomBytes(20).toString('hex')}`;
    const first = await startOrchestrator({ dir, port, jwtSecret: oldSecret });
    const oldToken = await first.operatorToken();
    await first.stop();
    const rotating = await startOrchestrator({ dir, port, regSecret: first.regSecret, env: { ORCH_JWT_SECRET_PREVIOUS: oldSecret } });
    try {
      assert.equal((await rotating.api('GET', '/agents', { token: oldToken })).status, 200);
      const fresh = await rotating.operatorToken();
      const parts = fresh.split('.');
      const expect = craftToken(rotating.jwtSecret, JSON.parse(Buffer.from(parts[1], 'base64url').toString()));
      assert.equal(fresh, expect, 'new tokens are signed with the current secret');
    } finally { await rotating.stop(); }
    const done = await startOrchestrator({ dir, port, regSecret: first.regSecret });
    try {
      assert.equal((await done.api('GET', '/agents', { token: oldToken })).status, 401);
    } finally { await done.stop(); }
  });
});
