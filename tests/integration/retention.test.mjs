// Retention over the real API (docs/retention.md): POST /prune with keep_last
// on two agents, dry run first, then for real; a snapshot a pending restore
// job uses is kept and reported; pending snapshots are left alone; each
// deletion's WAL record carries the policy; roles and bad bodies are refused;
// `fortfail forget --dry-run` prints the same decisions. The calendar rules
// (hourly .. yearly) are covered with simulated time in
// tests/unit/core/retention_test.cc: created_at cannot be set through the API.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { binDir, dbKinds, startOrchestrator } from '../support/orchestrator.mjs';
import { craftToken } from '../support/jwt.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

function roleToken(orch, role, sub) {
  const now = Math.floor(Date.now() / 1000);
  return craftToken(orch.jwtSecret, { sub, role, iat: now, exp: now + 3600, iss: 'fortfail', jti: uid('j'), rv: 2 });
}

const ids = (list) => list.map((s) => s.id);

for (const db of dbKinds()) {
  describe(`retention (POST /prune) on ${db}`, () => {
    let orch, op;
    before(async () => {
      orch = await startOrchestrator({ db });
      op = await orch.operatorToken();
    });
    after(async () => { await orch?.stop(); });

    // An available snapshot: registered, then its bytes uploaded.
    async function snapshot(agent, token, id) {
      const body = Buffer.from(`bytes of ${id}`);
      const checksum = createHash('sha256').update(body).digest('hex');
      const r = await orch.api('POST', '/snapshots', { token, json: { id, agent_id: agent, checksum, size: body.length } });
      assert.equal(r.status, 200, r.text);
      const put = await orch.api('PUT', `/snapshots/${id}/object`, { token, body, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(put.status, 200, put.text);
      return id;
    }

    async function available(agent) {
      const r = await orch.api('GET', `/snapshots?agent_id=${agent}&status=available`, { token: op });
      assert.equal(r.status, 200, r.text);
      return ids(r.json).sort();
    }

    it('keeps the newest per agent, spares snapshots in use, and audits each deletion', async () => {
      const a = uid('ra');
      const b = uid('rb');
      const ta = await orch.agentToken(a);
      const tb = await orch.agentToken(b);
      // Created in sequence: a-1 is the oldest (equal times order by id, the same way).
      for (let i = 1; i <= 5; i++) await snapshot(a, ta, `${a}-${i}`);
      for (let i = 1; i <= 3; i++) await snapshot(b, tb, `${b}-${i}`);
      // Pending: neither counted nor deleted.
      const pending = `${a}-9-pending`;
      assert.equal((await orch.api('POST', '/snapshots', { token: ta, json: { id: pending, agent_id: a, checksum: 'a'.repeat(64), size: 1 } })).status, 200);
      // A pending restore job pins a-1.
      const target = uid('rt');
      await orch.agentToken(target);
      const job = await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: `${a}-1`, target_agent_id: target } });
      assert.equal(job.status, 200, job.text);

      const body = { retention: { keep_last: 2 } };
      const dry = await orch.api('POST', '/prune', { token: op, json: { ...body, dry_run: true } });
      assert.equal(dry.status, 200, dry.text);
      assert.equal(dry.json.dry_run, true);
      assert.deepEqual(dry.json.retention, { keep_last: 2 });
      const expectA = (r) => {
        const ra = r.agents.find((x) => x.agent_id === a);
        assert.deepEqual(ra.kept.map((s) => [s.id, s.reasons]), [
          [`${a}-5`, ['last 1']], [`${a}-4`, ['last 2']], [`${a}-1`, ['in use by a running job']]]);
        assert.deepEqual(ids(ra.removed), [`${a}-3`, `${a}-2`]);
        assert.equal(ra.removed[0].reasons, undefined);
        assert.match(ra.removed[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        const rb = r.agents.find((x) => x.agent_id === b);
        assert.deepEqual(ids(rb.kept), [`${b}-3`, `${b}-2`]);
        assert.deepEqual(ids(rb.removed), [`${b}-1`]);
      };
      expectA(dry.json);
      assert.ok(dry.json.removed_count >= 3 && dry.json.kept_count >= 5, dry.text);
      assert.deepEqual(await available(a), [1, 2, 3, 4, 5].map((i) => `${a}-${i}`));
      assert.deepEqual(await available(b), [1, 2, 3].map((i) => `${b}-${i}`));

      if (fs.existsSync(path.join(binDir, 'fortfail'))) {
        const cli = spawnSync(path.join(binDir, 'fortfail'), ['--url', orch.url, 'forget', '--agent', a, '--keep-last', '2', '--dry-run'], {
          env: { PATH: process.env.PATH, FORTFAIL_TOKEN: op, FORTFAIL_CONFIG: path.join(orch.dir, 'cli-token') },
          encoding: 'utf8',
          timeout: 20000,
        });
        assert.equal(cli.status, 0, cli.stderr);
        assert.match(cli.stdout, new RegExp(`agent ${a}: keep 3, would remove 2`));
        assert.match(cli.stdout, new RegExp(`keep +${a}-5 .*last 1`));
        assert.match(cli.stdout, new RegExp(`keep +${a}-1 .*in use by a running job`));
        assert.match(cli.stdout, new RegExp(`would remove +${a}-3 `));
        assert.match(cli.stdout, /Total: kept 3, would remove 2 \(dry run: nothing was deleted\)/);
        assert.deepEqual(await available(a), [1, 2, 3, 4, 5].map((i) => `${a}-${i}`));
      }

      const real = await orch.api('POST', '/prune', { token: op, json: body });
      assert.equal(real.status, 200, real.text);
      assert.equal(real.json.dry_run, false);
      expectA(real.json);
      assert.deepEqual(await available(a), [1, 4, 5].map((i) => `${a}-${i}`));
      assert.deepEqual(await available(b), [2, 3].map((i) => `${b}-${i}`));
      const still = await orch.api('GET', `/snapshots/${pending}`, { token: op });
      assert.equal(still.json.status, 'pending');

      const deleted = fs.readFileSync(orch.walPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
        .filter((r) => r.event === 'snapshot_deleted' && [a, b].includes(r.agent_id));
      assert.deepEqual(deleted.map((r) => r.snapshot_id).sort(), [`${a}-2`, `${a}-3`, `${b}-1`].sort());
      for (const r of deleted) {
        assert.equal(r.reason, 'retention');
        assert.deepEqual(r.policy, { keep_last: 2 });
        assert.equal(r.applied_by, 'prune by operator');
      }

      // One agent only; the pinned snapshot goes once its job is cancelled.
      assert.equal((await orch.api('POST', `/restore-jobs/${job.json.id}/cancel`, { token: op })).status, 200);
      const one = await orch.api('POST', '/prune', { token: op, json: { agent_id: a, retention: { keep_last: 2 } } });
      assert.equal(one.status, 200, one.text);
      assert.deepEqual(one.json.agents.map((x) => x.agent_id), [a]);
      assert.deepEqual(ids(one.json.agents[0].removed), [`${a}-1`]);
      assert.deepEqual([one.json.kept_count, one.json.removed_count], [2, 1]);
      assert.deepEqual(await available(a), [4, 5].map((i) => `${a}-${i}`));
      assert.deepEqual(await available(b), [2, 3].map((i) => `${b}-${i}`));
    });

    it('refuses other roles and bad bodies, naming the problem', async () => {
      const ok = { retention: { keep_last: 1 }, dry_run: true };
      for (const token of [roleToken(orch, 'viewer', 'key:v'), roleToken(orch, 'agent', 'some-agent')]) {
        assert.equal((await orch.api('POST', '/prune', { token, json: ok })).status, 403);
      }
      assert.equal((await orch.api('POST', '/prune', { token: roleToken(orch, 'operator', 'key:o'), json: ok })).status, 200);
      const malformed = await orch.api('POST', '/prune', { token: op, body: '{"retention":', headers: { 'content-type': 'application/json' } });
      assert.equal(malformed.status, 400, malformed.text);
      for (const [json, detail] of [
        [{}, /retention: field required/],
        [{ retention: {} }, /at least one keep_\* rule/],
        [{ retention: { keep_last: 0, keep_daily: 0 } }, /at least one keep_\* rule/],
        [{ retention: { keep_lsat: 3 } }, /retention\.keep_lsat: unknown rule/],
        [{ retention: { keep_daily: -1 } }, /retention\.keep_daily: must be an integer >= 0/],
        [{ retention: { keep_daily: '7' } }, /retention\.keep_daily: must be an integer >= 0/],
        [{ retention: [1] }, /retention: must be an object/],
        [{ keep_last: 3 }, /keep_last: retention rules go inside "retention"/],
        [{ retention: { keep_last: 1 }, force: true }, /force: unknown field/],
        [{ retention: { keep_last: 1 }, dry_run: 'yes' }, /dry_run/],
        [{ retention: { keep_last: 1 }, agent_id: 'no such/agent' }, /agent_id/],
      ]) {
        const r = await orch.api('POST', '/prune', { token: op, json });
        assert.equal(r.status, 422, `${JSON.stringify(json)}: ${r.text}`);
        assert.match(r.json.detail, detail);
      }
      const unknown = await orch.api('POST', '/prune', { token: op, json: { ...ok, agent_id: uid('never') } });
      assert.equal(unknown.status, 404, unknown.text);
    });
  });
}
