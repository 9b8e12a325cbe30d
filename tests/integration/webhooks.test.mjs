// Alert webhooks over real sockets: registration (operator only, exact event
// names, the secret never returned, logged or written to the WAL), signed
// deliveries to a real HTTP receiver for a failed job and a corrupt snapshot,
// retries with the last status and error recorded, agent.offline, and a
// dead or slow receiver never slowing the API.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { startOrchestrator, dbKinds, binDir } from '../support/orchestrator.mjs';
import { craftToken } from '../support/jwt.mjs';
import { startReceiver } from '../support/webhook_receiver.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function roleToken(orch, role) {
  const now = Math.floor(Date.now() / 1000);
  return craftToken(orch.jwtSecret, { sub: `key:${role}`, role, iat: now, exp: now + 3600, iss: 'fortfail', jti: uid('j'), rv: 2 });
}

// Accepts connections and never answers: a receiver that hangs.
async function startBlackHole() {
  const sockets = [];
  const server = net.createServer((s) => { sockets.push(s); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/slow`,
    accepted: () => sockets.length,
    close: () => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(r)); },
  };
}

async function waitFor(fn, what, ms = 10000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

const verify = (secret, d) => {
  const expected = 'sha256=' + createHmac('sha256', secret).update(d.body).digest('hex');
  assert.equal(d.headers['x-fortfail-signature'], expected);
  assert.equal(d.headers['content-type'], 'application/json');
  assert.equal(d.headers['x-fortfail-event'], d.json.event);
  assert.equal(d.headers['x-fortfail-delivery'], d.json.id);
};

for (const db of dbKinds()) {
  describe(`webhooks on ${db}`, () => {
    let orch, op, receiver;
    const secret = `whsecret-${randomBytes(12).toString('hex')}`;
    before(async () => {
      orch = await startOrchestrator({ db, env: { ORCH_LOG_LEVEL: 'info', ORCH_AGENT_OFFLINE_ALERT_SECONDS: '2' } });
      op = await orch.operatorToken();
      receiver = await startReceiver();
    });
    after(async () => {
      await orch?.stop();
      await receiver?.close();
      // The secret never reaches the log or the WAL.
      if (orch) {
        assert.ok(!orch.log.includes(secret), 'secret in the log');
        assert.ok(!fs.readFileSync(orch.walPath, 'utf8').includes(secret), 'secret in the WAL');
      }
    });

    it('registers, lists, shows and deletes webhooks; operators only; the secret is never shown', async () => {
      const body = { url: receiver.url, events: ['backup.missed', 'drill.failed'], secret };
      assert.equal((await orch.api('POST', '/webhooks', { json: body })).status, 401);
      assert.equal((await orch.api('POST', '/webhooks', { token: roleToken(orch, 'viewer'), json: body })).status, 403);
      assert.equal((await orch.api('GET', '/webhooks', { token: await orch.agentToken(uid('ag')) })).status, 403);
      const created = await orch.api('POST', '/webhooks', { token: roleToken(orch, 'operator'), json: body });
      assert.equal(created.status, 201, created.text);
      assert.match(created.json.id, /^wh-[0-9a-f]{16}$/);
      assert.deepEqual(created.json.events, ['backup.missed', 'drill.failed']);
      assert.equal(created.json.last_status, null);
      assert.equal(created.json.last_error, null);
      assert.equal(created.json.last_delivery_at, null);
      const list = await orch.api('GET', '/webhooks', { token: op });
      const shown = await orch.api('GET', `/webhooks/${created.json.id}`, { token: op });
      for (const text of [created.text, list.text, shown.text]) assert.ok(!text.includes(secret));
      assert.ok(list.json.some((w) => w.id === created.json.id));
      assert.equal(shown.json.url, receiver.url);
      assert.equal((await orch.api('DELETE', `/webhooks/${created.json.id}`, { token: op })).status, 200);
      assert.equal((await orch.api('GET', `/webhooks/${created.json.id}`, { token: op })).status, 404);
      assert.equal((await orch.api('DELETE', `/webhooks/${created.json.id}`, { token: op })).status, 404);
    });

    it('refuses unknown event names (400, naming it) and bad settings (422)', async () => {
      const bad = await orch.api('POST', '/webhooks', { token: op, json: { url: receiver.url, events: ['job.failed', 'job.exploded'], secret } });
      assert.equal(bad.status, 400);
      assert.match(bad.json.detail, /job\.exploded/);
      for (const [json, field] of [
        [{ url: 'ftp://x/', events: ['job.failed'], secret }, 'url'],
        [{ url: 'http://', events: ['job.failed'], secret }, 'url'],
        [{ url: receiver.url, events: [], secret }, 'events'],
        [{ url: receiver.url, events: 'job.failed', secret }, 'events'],
        [{ url: receiver.url, events: ['job.failed', 'job.failed'], secret }, 'events'],
        [{ url: receiver.url, events: ['job.failed'], secret: 'short' }, 'secret'],
        [{ url: receiver.url, events: ['job.failed'] }, 'secret'],
      ]) {
        const r = await orch.api('POST', '/webhooks', { token: op, json });
        assert.equal(r.status, 422, `${JSON.stringify(json)}: ${r.text}`);
        assert.match(r.json.detail, new RegExp(field));
      }
    });

    it('delivers signed job.failed and snapshot.corrupt, and records the delivery', async () => {
      const hook = (await orch.api('POST', '/webhooks', { token: op, json: { url: receiver.url, events: ['job.failed', 'snapshot.corrupt'], secret } })).json;
      const agent = uid('wa');
      const tok = await orch.agentToken(agent);
      // A failed restore job.
      const bytes = randomBytes(100);
      const sha = (b) => createHash('sha256').update(b).digest('hex');
      const good = uid('ws');
      await orch.api('POST', '/snapshots', { token: tok, json: { id: good, agent_id: agent, checksum: sha(bytes), size: bytes.length } });
      assert.ok((await orch.api('PUT', `/snapshots/${good}/object`, { token: tok, body: bytes })).status < 300);
      const job = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: good, target_agent_id: agent } })).json;
      assert.equal((await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: job.id, event_type: 'restore_failed', message: 'disk full' } })).status, 200);
      const failed = await waitFor(() => receiver.got.find((d) => d.json.event === 'job.failed' && d.json.data.job_id === job.id), 'job.failed');
      verify(secret, failed);
      assert.equal(failed.json.data.kind, 'restore');
      assert.equal(failed.json.data.agent_id, agent);
      assert.equal(failed.json.data.status, 'failed');
      assert.match(failed.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      // A failed backup job too.
      const bj = (await orch.api('POST', '/backup-jobs', { token: op, json: { agent_id: agent, paths: ['/srv'] } })).json;
      await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: bj.id, event_type: 'backup_failed', message: 'no space' } });
      const bfailed = await waitFor(() => receiver.got.find((d) => d.json.event === 'job.failed' && d.json.data.job_id === bj.id), 'backup job.failed');
      verify(secret, bfailed);
      assert.equal(bfailed.json.data.kind, 'backup');

      // A corrupt snapshot: bytes that do not match, found by verification
      // (tests/e2e/corrupt_object.test.mjs alters an S3 object; here the
      // local store's file is written behind the orchestrator's back).
      const bad = uid('wc');
      await orch.api('POST', '/snapshots', { token: tok, json: { id: bad, agent_id: agent, checksum: sha(bytes), size: bytes.length } });
      const file = path.join(orch.dataDir, 'objects', 'snapshots', bad);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, randomBytes(bytes.length));
      assert.equal((await orch.api('GET', `/snapshots/${bad}/object`, { token: op })).status, 409);
      assert.equal((await orch.api('GET', `/snapshots/${bad}`, { token: op })).json.status, 'corrupt');
      const corrupt = await waitFor(() => receiver.got.find((d) => d.json.event === 'snapshot.corrupt' && d.json.data.snapshot_id === bad), 'snapshot.corrupt');
      verify(secret, corrupt);
      assert.equal(corrupt.json.data.agent_id, agent);
      assert.equal(corrupt.json.data.expected_checksum, sha(bytes));

      const shown = await waitFor(async () => {
        const w = (await orch.api('GET', `/webhooks/${hook.id}`, { token: op })).json;
        return w.deliveries >= 3 ? w : null;
      }, 'deliveries recorded');
      assert.equal(shown.last_status, 200);
      assert.equal(shown.last_error, null);
      assert.match(shown.last_delivery_at, /^\d{4}-/);
      await orch.api('DELETE', `/webhooks/${hook.id}`, { token: op });
    });

    it('retries a failing receiver with backoff and records the last error', async () => {
      const flaky = await startReceiver((n) => (n === 1 ? 503 : 200));
      try {
        const hook = (await orch.api('POST', '/webhooks', { token: op, json: { url: flaky.url, events: ['job.failed'], secret } })).json;
        const agent = uid('wr');
        const tok = await orch.agentToken(agent);
        const bj = (await orch.api('POST', '/backup-jobs', { token: op, json: { agent_id: agent, paths: ['/srv'] } })).json;
        await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: bj.id, event_type: 'backup_failed', message: 'x' } });
        const first = await waitFor(async () => {
          const w = (await orch.api('GET', `/webhooks/${hook.id}`, { token: op })).json;
          return w.failures === 1 ? w : null;
        }, 'a failed attempt');
        assert.equal(first.last_status, 503);
        assert.equal(first.last_error, 'HTTP 503');
        await waitFor(() => flaky.got.length >= 2, 'the retry');
        assert.equal(flaky.got[1].body, flaky.got[0].body, 'the retry sends the same delivery');
        assert.equal(flaky.got[1].headers['x-fortfail-delivery'], flaky.got[0].headers['x-fortfail-delivery']);
        const after = await waitFor(async () => {
          const w = (await orch.api('GET', `/webhooks/${hook.id}`, { token: op })).json;
          return w.deliveries === 1 ? w : null;
        }, 'the retry recorded');
        assert.equal(after.last_status, 200);
        assert.equal(after.last_error, null);
        await orch.api('DELETE', `/webhooks/${hook.id}`, { token: op });
      } finally {
        await flaky.close();
      }
    });

    it('fires agent.offline once per offline period', async () => {
      const hook = (await orch.api('POST', '/webhooks', { token: op, json: { url: receiver.url, events: ['agent.offline'], secret } })).json;
      const agent = uid('wo');
      await orch.agentToken(agent);
      const offline = await waitFor(() => receiver.got.find((d) => d.json.event === 'agent.offline' && d.json.data.agent_id === agent), 'agent.offline', 15000);
      verify(secret, offline);
      assert.equal(offline.json.data.threshold_seconds, 2);
      await sleep(2500);
      assert.equal(receiver.got.filter((d) => d.json.event === 'agent.offline' && d.json.data.agent_id === agent).length, 1);
      await orch.api('DELETE', `/webhooks/${hook.id}`, { token: op });
    });

    it('fortfail webhook add | list | rm', { skip: !fs.existsSync(path.join(binDir, 'fortfail')) && 'fortfail not built' }, () => {
      const cli = (...args) => spawnSync(path.join(binDir, 'fortfail'), ['--url', orch.url, ...args], {
        env: { PATH: process.env.PATH, FORTFAIL_TOKEN: op, FORTFAIL_CONFIG: path.join(orch.dir, 'cli-token') },
        encoding: 'utf8',
        timeout: 20000,
      });
      const file = path.join(orch.dir, 'hook.secret');
      fs.writeFileSync(file, `${secret}\n`);
      const added = cli('--json', 'webhook', 'add', receiver.url, '-e', 'job.failed', '-e', 'agent.offline', '--secret-file', file);
      assert.equal(added.status, 0, added.stderr);
      const hook = JSON.parse(added.stdout);
      assert.deepEqual(hook.events, ['job.failed', 'agent.offline']);
      assert.equal(hook.secret, undefined);
      const generated = cli('--json', 'webhook', 'add', receiver.url, '-e', 'drill.failed');
      assert.equal(generated.status, 0, generated.stderr);
      const gen = JSON.parse(generated.stdout);
      assert.match(gen.secret, /^whs_[A-Za-z0-9_-]{43}=?$/, 'a generated secret is printed once');
      const bad = cli('webhook', 'add', receiver.url, '-e', 'job.exploded');
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /job\.exploded/);
      const list = cli('webhook', 'list');
      assert.equal(list.status, 0, list.stderr);
      assert.match(list.stdout, new RegExp(hook.id));
      assert.match(list.stdout, /job\.failed,agent\.offline/);
      assert.ok(!list.stdout.includes(secret));
      for (const id of [hook.id, gen.id]) {
        const rm = cli('webhook', 'rm', id);
        assert.equal(rm.status, 0, rm.stderr);
        assert.match(rm.stdout, new RegExp(`Removed webhook ${id}`));
      }
      assert.equal(cli('webhook', 'rm', hook.id).status === 0, false);
    });

    it('a dead or hanging receiver does not slow the API', async (t) => {
      const hole = await startBlackHole();
      const dead = await startReceiver();
      const deadUrl = dead.url;
      await dead.close();  // connection refused from now on
      try {
        const hooks = [];
        for (const url of [hole.url, deadUrl]) {
          hooks.push((await orch.api('POST', '/webhooks', { token: op, json: { url, events: ['job.failed'], secret } })).json);
        }
        const agent = uid('wd');
        const tok = await orch.agentToken(agent);
        // Baseline, then the same calls while deliveries hang.
        const timeJobs = async (n) => {
          const started = Date.now();
          for (let i = 0; i < n; i++) {
            const bj = (await orch.api('POST', '/backup-jobs', { token: op, json: { agent_id: agent, paths: ['/srv'] } })).json;
            const r = await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: bj.id, event_type: 'backup_failed', message: 'x' } });
            assert.equal(r.status, 200);
          }
          return Date.now() - started;
        };
        const elapsed = await timeJobs(20);
        await waitFor(() => hole.accepted() > 0, 'a delivery to the hanging receiver');
        const during = await timeJobs(20);
        // Each delivery attempt may hang for 5 s; 20 failed jobs would take
        // minutes if the API waited for them.
        t.diagnostic(`20 failing jobs: ${elapsed} ms before, ${during} ms while a receiver hangs`);
        assert.ok(during < 4000, `20 failing jobs took ${during} ms while a receiver hangs (before: ${elapsed} ms)`);
        const start = Date.now();
        assert.equal((await orch.api('GET', '/webhooks', { token: op })).status, 200);
        assert.ok(Date.now() - start < 1000);
        for (const h of hooks) await orch.api('DELETE', `/webhooks/${h.id}`, { token: op });
      } finally {
        await hole.close();
      }
    });
  });
}
