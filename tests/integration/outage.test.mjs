// Dependencies going away and the orchestrator dying mid-upload:
// - the object store (a private s3rver) stopped mid-test: uploads, downloads
//   and /health/ready answer 503 with Retry-After, and service comes back by
//   itself once the store is restarted, without restarting the orchestrator;
// - the database (a private PostgreSQL) stopped mid-test: the same for
//   database-backed routes;
// - the orchestrator killed (SIGKILL) while bytes of an upload are in flight,
//   on the local store and on s3rver: after a restart the snapshot is still
//   `pending`, its object is absent, a download answers 409, and a fresh
//   upload of the right bytes then succeeds.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startOrchestrator, freePort, tempDir } from '../support/orchestrator.mjs';
import { startS3rver, privatePostgres, until, assertUnavailable } from '../support/outages.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
describe('object store outage (private s3rver stopped and restarted)', () => {
  let s3, orch, op, agent, port, dir;
  before(async () => {
    port = await freePort();
    dir = tempDir('ff-s3-outage-');
    s3 = await startS3rver(port, dir);
    orch = await startOrchestrator({
      s3: true,
      env: { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_PART_SIZE_BYTES: String(5 * 1024 * 1024) },
    });
    op = await orch.operatorToken();
    agent = await orch.agentToken('outage-agent');
  });
  after(async () => {
    await orch?.stop();
    await s3?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const register = async (bytes) => {
    const id = uid('out');
    const r = await orch.api('POST', '/snapshots', { token: agent, json: { id, agent_id: 'outage-agent', checksum: sha(bytes), size: bytes.length } });
    assert.equal(r.status, 200, r.text);
    return id;
  };
  const put = (id, body) => orch.api('PUT', `/snapshots/${id}/object`, { token: agent, body });

  it('answers 503 with Retry-After while the store is down and recovers by itself', async () => {
    const before = randomBytes(6 * 1024 * 1024);
    const kept = await register(before);
    assert.equal((await put(kept, before)).status, 200);

    await s3.kill();

    const ready = await orch.api('GET', '/health/ready');
    assertUnavailable(ready, '/health/ready');
    assert.notEqual(ready.json.checks.storage, 'ok', ready.text);
    assert.equal(ready.json.checks.database, 'ok', ready.text);

    const small = randomBytes(1000);
    const smallId = await register(small);  // metadata only: the database is fine
    assertUnavailable(await put(smallId, small), 'small upload');
    const big = randomBytes(7 * 1024 * 1024);  // multipart path
    const bigId = await register(big);
    assertUnavailable(await put(bigId, big), 'multipart upload');
    assertUnavailable(await orch.api('GET', `/snapshots/${kept}/object`, { token: op }), 'download');
    for (const id of [smallId, bigId]) {
      assert.equal((await orch.api('GET', `/snapshots/${id}`, { token: op })).json.status, 'pending');
    }
    // Everything that does not need the store still works.
    assert.equal((await orch.api('GET', '/snapshots', { token: op })).status, 200);
    assert.equal((await orch.api('GET', '/health/live')).status, 200);

    s3 = await startS3rver(port, dir);

    await until('ready again', async () => {
      const r = await orch.api('GET', '/health/ready');
      return { ok: r.status === 200, status: r.status, text: r.text };
    });
    const up = await put(bigId, big);
    assert.equal(up.status, 200, up.text);
    assert.equal((await put(smallId, small)).status, 200);
    const got = await fetch(`${orch.url}/snapshots/${kept}/object`, { headers: { authorization: `Bearer ${op}` } });
    assert.equal(got.status, 200);
    assert.equal(sha(Buffer.from(await got.arrayBuffer())), sha(before));
    const back = await fetch(`${orch.url}/snapshots/${bigId}/object`, { headers: { authorization: `Bearer ${op}` } });
    assert.equal(sha(Buffer.from(await back.arrayBuffer())), sha(big));
  });
});

describe('database outage (private PostgreSQL stopped and restarted)', () => {
  let pg, orch, op, agent;
  before(async () => {
    pg = await privatePostgres();
    orch = await startOrchestrator({ databaseUrl: pg.url });
    op = await orch.operatorToken();
    agent = await orch.agentToken('db-agent');
  });
  after(async () => {
    await orch?.stop();
    pg?.remove();
  });

  it('answers 503 with Retry-After while the database is down and recovers by itself', async () => {
    const bytes = randomBytes(100);
    const id = uid('db');
    const created = await orch.api('POST', '/snapshots', { token: agent, json: { id, agent_id: 'db-agent', checksum: sha(bytes), size: bytes.length } });
    assert.equal(created.status, 200, created.text);

    pg.stop();

    const ready = await orch.api('GET', '/health/ready');
    assertUnavailable(ready, '/health/ready');
    assert.notEqual(ready.json.checks.database, 'ok', ready.text);
    assertUnavailable(await orch.api('GET', `/snapshots/${id}`, { token: op }), 'GET snapshot');
    assertUnavailable(await orch.api('GET', '/restore-jobs', { token: op }), 'GET restore-jobs');
    assertUnavailable(await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: id, target_agent_id: 'db-agent' } }), 'POST restore-jobs');
    assertUnavailable(await orch.api('GET', '/agent/db-agent/commands', { token: agent }), 'agent poll');
    // Tokens need no database.
    assert.equal((await orch.api('POST', '/auth/token', { json: { registration_secret: orch.regSecret } })).status, 200);

    pg.start();

    await until('ready again', async () => {
      const r = await orch.api('GET', '/health/ready');
      return { ok: r.status === 200, status: r.status, text: r.text };
    });
    const got = await orch.api('GET', `/snapshots/${id}`, { token: op });
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.id, id);
    const job = await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: id, target_agent_id: 'db-agent' } });
    assert.equal(job.status, 200, job.text);  // the database takes writes again
    const listed = await orch.api('GET', '/restore-jobs', { token: op });
    assert.ok(listed.json.some((j) => j.id === job.json.id));
  });
});

// Sends the first `sent` bytes of a `total`-byte upload and leaves the request
// open; resolves once the bytes are written to the socket.
function startPartialUpload(orch, token, id, total, sent) {
  const req = http.request(`${orch.url}/snapshots/${id}/object`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-length': String(total), 'content-type': 'application/octet-stream' },
  });
  req.on('error', () => { /* the server dies under it */ });
  req.on('response', (r) => r.resume());
  return new Promise((resolve) => req.write(randomBytes(sent), () => resolve(req)));
}

const part = { S3_PART_SIZE_BYTES: String(5 * 1024 * 1024) };
for (const store of [
  { name: 'local store', s3: false, env: part },
  { name: 's3 (streaming PUT)', s3: true, env: part },
  { name: 's3 (multipart)', s3: true, env: { ...part, S3_STREAM_PUT_MAX_BYTES: '0' } },
]) {
  describe(`orchestrator killed mid-upload on ${store.name}`, () => {
    let orch;
    before(async () => {
      if (store.s3 && !process.env.FF_TEST_S3_ENDPOINT) return;
      orch = await startOrchestrator({ s3: store.s3, env: store.env });
    });
    after(async () => { await orch?.stop(); });

    it('leaves the snapshot pending and its object absent after a restart', async (t) => {
      if (!orch) return t.skip('FF_TEST_S3_ENDPOINT is not set');
      const agent = await orch.agentToken('crash-agent');
      const total = 24 * 1024 * 1024;
      const bytes = randomBytes(total);
      const id = uid('crash');
      const r = await orch.api('POST', '/snapshots', { token: agent, json: { id, agent_id: 'crash-agent', checksum: sha(bytes), size: total } });
      assert.equal(r.status, 200, r.text);

      // 12 MiB of 24 sent: two 5 MiB parts are up (multipart), or s3rver holds
      // the first 12 MiB of the streaming PUT under the real key.
      const req = await startPartialUpload(orch, agent, id, total, 12 * 1024 * 1024);
      await sleep(500);
      orch.kill();
      await orch.exitPromise;
      req.destroy();
      await orch.restart();

      const op = await orch.operatorToken();
      const meta = await orch.api('GET', `/snapshots/${id}`, { token: op });
      assert.equal(meta.json.status, 'pending', meta.text);
      const dl = await orch.api('GET', `/snapshots/${id}/object`, { token: op });
      assert.equal(dl.status, 409, dl.text);
      if (!store.s3) {
        // Nothing under a real name, and the staging area was swept at start-up.
        const objects = fs.readdirSync(orch.dataDir, { recursive: true })
          .filter((f) => String(f).includes(id) && fs.statSync(path.join(orch.dataDir, String(f))).isFile());
        assert.deepEqual(objects, []);
        const tmp = path.join(orch.dataDir, 'objects', '.tmp');
        if (fs.existsSync(tmp)) assert.deepEqual(fs.readdirSync(tmp), []);
      }
      // A verification sweep finds no object to verify: still pending.
      await sleep(200);
      assert.equal((await orch.api('GET', `/snapshots/${id}`, { token: op })).json.status, 'pending');

      const again = await orch.api('PUT', `/snapshots/${id}/object`, { token: agent, body: bytes });
      assert.equal(again.status, 200, again.text);
      assert.equal((await orch.api('GET', `/snapshots/${id}`, { token: op })).json.status, 'available');
    });
  });
}
