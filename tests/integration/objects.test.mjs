// Snapshot bytes through the real orchestrator: streamed PUT and multipart
// uploads verified against the declared SHA-256 and size, downloads with
// ranges, deletion, and presigned uploads verified to available or corrupt.
// Runs on the embedded local store and on s3rver.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startOrchestrator } from '../support/orchestrator.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

// A 5 MiB part size puts the larger objects above it: on S3 they go up as one
// streaming PUT by default, and as multipart uploads with streaming PUTs off.
const part = { S3_PART_SIZE_BYTES: String(5 * 1024 * 1024) };
const stores = [{ name: 'local store', s3: false, env: part }];
if (process.env.FF_TEST_S3_ENDPOINT) {
  stores.push({ name: 's3 (streaming PUT)', s3: true, env: part });
  stores.push({ name: 's3 (multipart)', s3: true, env: { ...part, S3_STREAM_PUT_MAX_BYTES: '0' } });
}

for (const store of stores) {
  describe(`snapshot objects on ${store.name}`, () => {
    let orch, op, agent;
    before(async () => {
      orch = await startOrchestrator({ s3: store.s3, env: store.env });
      op = await orch.operatorToken();
      agent = await orch.agentToken('obj-agent');
    });
    after(async () => { await orch?.stop(); });

    const register = async (bytes, id = uid('snap')) => {
      const r = await orch.api('POST', '/snapshots', { token: agent, json: { id, agent_id: 'obj-agent', checksum: sha(bytes), size: bytes.length } });
      assert.equal(r.status, 200, r.text);
      return { id, created: r.json };
    };
    const put = (id, body, token = agent) => orch.api('PUT', `/snapshots/${id}/object`, { token, body, headers: { 'content-type': 'application/octet-stream' } });

    for (const size of [0, 1, 5 * 1024 * 1024 + 1, 64 * 1024 * 1024]) {
      it(`round trips ${size} bytes through PUT`, async () => {
        const bytes = randomBytes(size);
        const { id } = await register(bytes);
        const up = await put(id, bytes);
        assert.equal(up.status, 200, up.text);
        assert.deepEqual(up.json, { status: 'uploaded', snapshot_id: id, size, checksum: sha(bytes) });
        const meta = await orch.api('GET', `/snapshots/${id}`, { token: op });
        assert.equal(meta.json.status, 'available');
        assert.ok(meta.json.uploaded_at);
        const r = await fetch(`${orch.url}/snapshots/${id}/object`, { headers: { authorization: `Bearer ${op}` } });
        assert.equal(r.status, 200);
        const got = Buffer.from(await r.arrayBuffer());
        assert.equal(got.length, size);
        assert.equal(sha(got), sha(bytes));
        assert.equal(r.headers.get('etag'), `"${sha(bytes)}"`);
        assert.equal(r.headers.get('content-length'), String(size));
        assert.equal(r.headers.get('content-disposition'), `attachment; filename="${id}.tar"`);
      });
    }

    it('accepts the seed multipart upload with field "file"', async () => {
      const bytes = randomBytes(300 * 1024);
      const { id } = await register(bytes);
      const form = new FormData();
      form.append('note', 'ignored');
      form.append('file', new Blob([bytes]), `${id}.tar`);
      const r = await fetch(`${orch.url}/snapshots/${id}/object`, { method: 'POST', body: form, headers: { authorization: `Bearer ${agent}` } });
      const body = await r.json();
      assert.equal(r.status, 200, JSON.stringify(body));
      assert.equal(body.status, 'uploaded');
      const got = Buffer.from(await (await fetch(`${orch.url}/snapshots/${id}/object`, { headers: { authorization: `Bearer ${op}` } })).arrayBuffer());
      assert.ok(got.equals(bytes));
    });

    it('rejects a checksum mismatch with the seed message and stores nothing', async () => {
      const bytes = randomBytes(1000);
      const { id } = await register(bytes);
      const wrong = Buffer.from(bytes);
      wrong[10] ^= 1;
      const r = await put(id, wrong);
      assert.equal(r.status, 400);
      assert.equal(r.json.detail, `Checksum mismatch: expected ${sha(bytes)}, got ${sha(wrong)}`);
      assert.equal((await orch.api('GET', `/snapshots/${id}`, { token: op })).json.status, 'pending');
      assert.equal((await orch.api('GET', `/snapshots/${id}/object`, { token: op })).status, 409);
      const form = new FormData();
      form.append('file', new Blob([wrong]), 'x.tar');
      const mp = await fetch(`${orch.url}/snapshots/${id}/object`, { method: 'POST', body: form, headers: { authorization: `Bearer ${agent}` } });
      assert.equal(mp.status, 400);
      // The right bytes still go in afterwards.
      assert.equal((await put(id, bytes)).status, 200);
    });

    it('cuts off bodies larger than the declared size with 413', async () => {
      const bytes = randomBytes(1000);
      const { id } = await register(bytes);
      const r = await put(id, Buffer.concat([bytes, Buffer.from('extra')]));
      assert.equal(r.status, 413);
      const short = await put(id, bytes.subarray(0, 999));
      assert.equal(short.status, 400);
      assert.equal((await orch.api('GET', `/snapshots/${id}`, { token: op })).json.status, 'pending');
    });

    it('keeps bytes immutable: a second upload is 409', async () => {
      const bytes = randomBytes(100);
      const { id } = await register(bytes);
      assert.equal((await put(id, bytes)).status, 200);
      assert.equal((await put(id, bytes)).status, 409);
    });

    it('serves single ranges with 206 and refuses unsatisfiable ones with 416', async () => {
      const bytes = randomBytes(10000);
      const { id } = await register(bytes);
      await put(id, bytes);
      const get = (range) => fetch(`${orch.url}/snapshots/${id}/object`, { headers: { authorization: `Bearer ${op}`, range } });
      let r = await get('bytes=100-199');
      assert.equal(r.status, 206);
      assert.equal(r.headers.get('content-range'), 'bytes 100-199/10000');
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes.subarray(100, 200)));
      r = await get('bytes=-10');
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes.subarray(9990)));
      r = await get('bytes=9000-');
      assert.equal(Buffer.from(await r.arrayBuffer()).length, 1000);
      r = await get('bytes=20000-20010');
      assert.equal(r.status, 416);
      assert.equal(r.headers.get('content-range'), 'bytes */10000');
    });

    it('guards uploads and downloads by agent', async () => {
      const bytes = randomBytes(10);
      const { id } = await register(bytes);
      const other = await orch.agentToken('someone-else');
      assert.equal((await put(id, bytes, other)).status, 403);
      await put(id, bytes);
      assert.equal((await orch.api('GET', `/snapshots/${id}/object`, { token: other })).status, 403);
      // A restore job targeting the other agent lets it download.
      await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: id, target_agent_id: 'someone-else' } });
      assert.equal((await orch.api('GET', `/snapshots/${id}/object`, { token: other })).status, 200);
      assert.equal((await orch.api('GET', '/snapshots/nope/object', { token: op })).status, 404);
      assert.equal((await orch.api('PUT', '/snapshots/nope/object', { token: op, body: 'x' })).status, 404);
    });

    it('deletes the object with the snapshot', async () => {
      const bytes = randomBytes(50);
      const { id } = await register(bytes);
      await put(id, bytes);
      assert.equal((await orch.api('DELETE', `/snapshots/${id}`, { token: op })).status, 204);
      assert.equal((await orch.api('GET', `/snapshots/${id}/object`, { token: op })).status, 404);
    });

    if (store.s3) {
      it('returns a presigned PUT and verifies what arrives through it', async () => {
        const bytes = randomBytes(4096);
        const { id, created } = await register(bytes);
        assert.match(created.presigned_url, /^http:\/\/127\.0\.0\.1:\d+\/.*X-Amz-Signature=/);
        const up = await fetch(created.presigned_url, { method: 'PUT', body: bytes });
        assert.equal(up.status, 200, await up.text());
        const r = await fetch(`${orch.url}/snapshots/${id}/object`, { headers: { authorization: `Bearer ${op}` } });
        assert.equal(r.status, 200);
        assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes));
        assert.equal((await orch.api('GET', `/snapshots/${id}`, { token: op })).json.status, 'available');

        const bad = await register(randomBytes(64));
        await fetch(bad.created.presigned_url, { method: 'PUT', body: randomBytes(64) });
        assert.equal((await orch.api('GET', `/snapshots/${bad.id}/object`, { token: op })).status, 409);
        assert.equal((await orch.api('GET', `/snapshots/${bad.id}`, { token: op })).json.status, 'corrupt');
        const job = await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: bad.id, target_agent_id: 'obj-agent' } });
        assert.equal(job.status, 409);
      });

      it('keeps a presigned upload with too few bytes pending, one with too many corrupt', async () => {
        const bytes = randomBytes(8192);
        const short = await register(bytes);
        await fetch(short.created.presigned_url, { method: 'PUT', body: bytes.subarray(0, 5000) });
        assert.equal((await orch.api('GET', `/snapshots/${short.id}/object`, { token: op })).status, 409);
        assert.equal((await orch.api('GET', `/snapshots/${short.id}`, { token: op })).json.status, 'pending');
        // The whole upload replaces the partial one.
        await fetch(short.created.presigned_url, { method: 'PUT', body: bytes });
        const r = await fetch(`${orch.url}/snapshots/${short.id}/object`, { headers: { authorization: `Bearer ${op}` } });
        assert.equal(r.status, 200);
        assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes));

        const long = await register(bytes);
        await fetch(long.created.presigned_url, { method: 'PUT', body: Buffer.concat([bytes, Buffer.from('x')]) });
        assert.equal((await orch.api('GET', `/snapshots/${long.id}/object`, { token: op })).status, 409);
        assert.equal((await orch.api('GET', `/snapshots/${long.id}`, { token: op })).json.status, 'corrupt');
      });
    } else {
      it('has no presigned URL on the local store', async () => {
        const { created } = await register(randomBytes(1));
        assert.equal(created.presigned_url, null);
      });
    }

    it('reports storage in readiness', async () => {
      const r = await orch.api('GET', '/health/ready');
      assert.equal(r.json.checks.storage, 'ok');
    });
  });
}
