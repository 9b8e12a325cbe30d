// Seed fidelity: each request a hand-written seed client makes, and the shape
// the seed orchestrator answered it with (service info keys, the WebSocket
// greeting, `restore_job_created` fields, live-only /ws without `since`,
// agents sorted by id, upper-case checksums, S3_KEY_PREFIX for a seed bucket).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, dbKinds, orchestratorBin, tempDir } from '../support/orchestrator.mjs';
import { openEvents } from '../support/ws.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function walRecords(p) {
  return fs.readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

for (const db of dbKinds()) {
  describe(`seed fidelity on ${db}`, () => {
    let orch, op;
    before(async () => {
      orch = await startOrchestrator({ db });
      op = await orch.operatorToken();
    });
    after(async () => { await orch?.stop(); });

    it('GET / has the seed keys docs, control_ui, websocket, and our links', async () => {
      const r = await orch.api('GET', '/');
      assert.equal(r.status, 200);
      for (const k of ['service', 'version', 'docs', 'control_ui', 'websocket', 'links']) {
        assert.ok(k in r.json, `missing ${k}`);
      }
      assert.equal(r.json.docs, '/docs');
      assert.equal(r.json.control_ui, '/control');
      assert.match(r.json.websocket, /^\/ws\b/);
      assert.equal(typeof r.json.links, 'object');
      // Each advertised path is served.
      for (const p of [r.json.docs, r.json.control_ui]) {
        assert.notEqual((await orch.api('GET', p)).status, 404, p);
      }
    });

    it('greets a WebSocket with the seed message field', async () => {
      const ev = await openEvents(`${orch.wsUrl}?token=${op}`);
      const hello = await ev.waitFor((m) => m.event === 'connected');
      assert.equal(typeof hello.message, 'string');
      assert.ok(hello.message.length > 0);
      assert.equal(hello.role, 'admin');
      assert.equal(typeof hello.since, 'number');
      ev.close();
    });

    it('records restore_job_created with target_agent_id as well as agent_id', async () => {
      const agent = uid('tgt');
      const at = await orch.agentToken(agent);
      const bytes = randomBytes(64);
      const id = uid('snap');
      const c = await orch.api('POST', '/snapshots', { token: at, json: { id, agent_id: agent, checksum: sha(bytes), size: bytes.length } });
      assert.equal(c.status, 200, c.text);
      const ev = await openEvents(`${orch.wsUrl}?token=${op}`);
      await ev.waitFor((m) => m.event === 'connected');
      const j = await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: id, target_agent_id: agent } });
      assert.equal(j.status, 200, j.text);
      const live = await ev.waitFor((m) => m.event === 'restore_job_created' && m.job_id === j.json.id);
      assert.equal(live.target_agent_id, agent);
      assert.equal(live.agent_id, agent);
      const inWal = walRecords(orch.walPath).find((r) => r.event === 'restore_job_created' && r.job_id === j.json.id);
      assert.equal(inWal.target_agent_id, agent);
      assert.equal(inWal.agent_id, agent);
      ev.close();
    });

    it('streams live records only without since, and replays then streams with since', async () => {
      const agent = uid('live');
      const tok = await orch.agentToken(agent);
      const before = uid('before');
      assert.equal((await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { event_type: 'heartbeat', message: before } })).status, 200);
      const head = walRecords(orch.walPath).at(-1).seq;

      const live = await openEvents(`${orch.wsUrl}?token=${op}`);
      const hello = await live.waitFor((m) => m.event === 'connected');
      assert.ok(hello.since >= head, `greeting since ${hello.since} < head ${head}`);
      const replayed = await openEvents(`${orch.wsUrl}?token=${op}&since=0`);
      await replayed.waitFor((m) => m.message === before);

      const after = uid('after');
      assert.equal((await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { event_type: 'heartbeat', message: after } })).status, 200);
      await live.waitFor((m) => m.message === after);
      await replayed.waitFor((m) => m.message === after);
      await sleep(100);
      const seqs = live.messages.filter((m) => m.seq).map((m) => m.seq);
      assert.ok(seqs.every((s) => s > hello.since), `live-only stream sent old records: ${seqs}`);
      assert.ok(!live.messages.some((m) => m.message === before), 'a record from before the connection was replayed');
      // With since=0: the whole log, in order, without gaps.
      const all = replayed.messages.filter((m) => m.seq).map((m) => m.seq);
      assert.equal(all[0], 1);
      for (let i = 1; i < all.length; i++) assert.equal(all[i], all[i - 1] + 1);
      live.close();
      replayed.close();
    });

    it('lists agents sorted by id', async () => {
      const base = uid('sort');
      for (const suffix of ['c', 'A', 'b', '0', 'a']) await orch.agentToken(`${base}-${suffix}`);
      const r = await orch.api('GET', '/agents', { token: op });
      assert.equal(r.status, 200);
      const ids = r.json.map((a) => a.id);
      const sorted = [...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      assert.deepEqual(ids, sorted);
      assert.ok(ids.includes(`${base}-A`) && ids.includes(`${base}-0`));
      // A page keeps the order.
      const page = await orch.api('GET', '/agents?limit=2&offset=1', { token: op });
      assert.deepEqual(page.json.map((a) => a.id), sorted.slice(1, 3));
    });

    it('accepts upper- and mixed-case checksums (lower-cased), refuses non-hex', async () => {
      const agent = uid('ck');
      const at = await orch.agentToken(agent);
      const bytes = randomBytes(2048);
      const id = uid('snap');
      const upper = sha(bytes).toUpperCase();
      const c = await orch.api('POST', '/snapshots', { token: at, json: { id, agent_id: agent, checksum: upper, size: bytes.length } });
      assert.equal(c.status, 200, c.text);
      const up = await orch.api('PUT', `/snapshots/${id}/object`, { token: at, body: bytes });
      assert.equal(up.status, 200, up.text);
      assert.equal((await orch.api('GET', `/snapshots/${id}`, { token: op })).json.checksum, sha(bytes));
      // The seed's multipart upload of a snapshot registered with an upper-case digest.
      const id2 = uid('snap');
      const c2 = await orch.api('POST', '/snapshots', { token: at, json: { id: id2, agent_id: agent, checksum: upper, size: bytes.length } });
      assert.equal(c2.status, 200, c2.text);
      const form = new FormData();
      form.append('file', new Blob([bytes]), `${id2}.tar`);
      const mp = await fetch(`${orch.url}/snapshots/${id2}/object`, { method: 'POST', body: form, headers: { authorization: `Bearer ${at}` } });
      assert.equal(mp.status, 200, await mp.text());

      const mixed = sha(bytes).replace(/[a-f]/, (ch) => ch.toUpperCase());
      assert.notEqual(mixed, sha(bytes));
      const id3 = uid('snap');
      const c3 = await orch.api('POST', '/snapshots', { token: at, json: { id: id3, agent_id: agent, checksum: mixed, size: bytes.length } });
      assert.equal(c3.status, 200, c3.text);
      assert.equal(c3.json.checksum ?? (await orch.api('GET', `/snapshots/${id3}`, { token: op })).json.checksum, sha(bytes));
      for (const checksum of [`${upper.slice(0, 63)}G`, upper.slice(1)]) {
        const r = await orch.api('POST', '/snapshots', { token: at, json: { id: uid('bad'), agent_id: agent, checksum, size: 1 } });
        assert.equal(r.status, 422, `${checksum}: ${r.text}`);
        assert.match(r.json.detail, /checksum/);
      }
    });
  });
}

// S3_KEY_PREFIX: where snapshot objects live in the bucket. s3rver keeps the
// object "a/b" as <FF_TEST_S3_DIR>/<bucket>/a/b._S3rver_object.
describe('S3_KEY_PREFIX', () => {
  const s3 = !!process.env.FF_TEST_S3_ENDPOINT;
  const s3Dir = process.env.FF_TEST_S3_DIR;
  const objectFile = (orch, key) => path.join(s3Dir, orch.env.S3_BUCKET, `${key}._S3rver_object`);

  async function storeOne(orch) {
    const agent = uid('pfx');
    const at = await orch.agentToken(agent);
    const bytes = randomBytes(4096);
    const id = uid('snap');
    const c = await orch.api('POST', '/snapshots', { token: at, json: { id, agent_id: agent, checksum: sha(bytes), size: bytes.length } });
    assert.equal(c.status, 200, c.text);
    const up = await orch.api('PUT', `/snapshots/${id}/object`, { token: at, body: bytes });
    assert.equal(up.status, 200, up.text);
    return { id, bytes };
  }
  async function download(orch, id) {
    const op = await orch.operatorToken();
    const r = await fetch(`${orch.url}/snapshots/${id}/object`, { headers: { authorization: `Bearer ${op}` } });
    return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()) };
  }

  for (const [prefix, label] of [[undefined, 'default snapshots/'], ['', 'empty (a seed bucket)'], ['tenant-1/objs-', 'a custom prefix']]) {
    it(`keeps snapshot objects at <prefix><id>: ${label}`, { skip: !s3 && 'FF_TEST_S3_ENDPOINT not set' }, async () => {
      const env = prefix === undefined ? {} : { S3_KEY_PREFIX: prefix };
      const orch = await startOrchestrator({ s3: true, env });
      try {
        const { id, bytes } = await storeOne(orch);
        const got = await download(orch, id);
        assert.equal(got.status, 200);
        assert.ok(got.bytes.equals(bytes));
        if (s3Dir) {
          const key = `${prefix ?? 'snapshots/'}${id}`;
          assert.ok(fs.existsSync(objectFile(orch, key)), `no object at key ${key}`);
          if (prefix !== undefined) assert.ok(!fs.existsSync(objectFile(orch, `snapshots/${id}`)));
        }
      } finally { await orch.stop(); }
    });
  }

  it('serves objects written at <id> only with the prefix that wrote them', { skip: !s3 && 'FF_TEST_S3_ENDPOINT not set' }, async () => {
    const orch = await startOrchestrator({ s3: true, env: { S3_KEY_PREFIX: '' } });
    try {
      const { id, bytes } = await storeOne(orch);
      // The same database and bucket under the default layout: the object is not at snapshots/<id>.
      delete orch.env.S3_KEY_PREFIX;
      await orch.restart();
      assert.equal((await download(orch, id)).status, 500);
      orch.env.S3_KEY_PREFIX = '';
      await orch.restart();
      const got = await download(orch, id);
      assert.equal(got.status, 200);
      assert.ok(got.bytes.equals(bytes));
    } finally { await orch.stop(); }
  });

  it('refuses a prefix that is absolute or climbs, with one line naming the variable', () => {
    for (const bad of ['/snapshots/', '../up/', 'a/../b/']) {
      const dir = tempDir();
      const r = spawnSync(orchestratorBin, [], {
        encoding: 'utf8',
        timeout: 10000,
        env: {
          PATH: process.env.PATH,
          ORCH_LISTEN: '127.0.0.1:0',
          DATABASE_URL: `sqlite:///${path.join(dir, 'o.db')}`,
          WAL_PATH: path.join(dir, 'wal.log'),
          ORCH_DATA_DIR: path.join(dir, 'data'),
          S3_KEY_PREFIX: bad,
        },
      });
      assert.equal(r.status, 1, `${bad}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /S3_KEY_PREFIX: must not/);
    }
  });
});
