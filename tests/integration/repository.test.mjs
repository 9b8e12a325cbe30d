// The repository-format protocol (docs/repository-format.md) over real
// sockets with hand-made packs: the orchestrator never parses pack bytes, so
// any bytes do; blob ids are the SHA-256 of each blob's bytes (plain, as an
// agent without a key computes them) and a pack's id the SHA-256 of all its
// bytes. Covers sessions, lookups, announcements, uploads, commits, snapshot
// fields, locates and ranged pack reads; who may do what; per-agent plain
// namespaces and shared keyed ones; ORCH_REQUIRE_ENCRYPTION; and GC.
// Runs on SQLite and PostgreSQL (when FF_TEST_PG_URL is set), on the local
// store and on s3rver (when FF_TEST_S3_ENDPOINT is set).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startOrchestrator } from '../support/orchestrator.mjs';
import fs from 'node:fs';
import { craftToken } from '../support/jwt.mjs';
import { cliBin, runCli } from '../e2e/helpers.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const keyId = () => randomBytes(16).toString('hex');

const dbs = process.env.FF_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
const stores = [{ name: 'local store', s3: false }];
if (process.env.FF_TEST_S3_ENDPOINT) stores.push({ name: 's3rver', s3: true });

function roleToken(orch, role, sub) {
  const now = Math.floor(Date.now() / 1000);
  return craftToken(orch.jwtSecret, { sub, role, iat: now, exp: now + 3600, iss: 'fortfail', jti: uid('j'), rv: 2 });
}

// A pack of random blobs: { id, bytes, blobs: [{ id, type, offset, length }], parts }.
function makePack(sizes = [300, 500, 200]) {
  const parts = sizes.map((n) => randomBytes(n));
  const blobs = [];
  let offset = 0;
  for (const p of parts) {
    blobs.push({ id: sha(p), type: 'data', offset, length: p.length });
    offset += p.length;
  }
  const bytes = Buffer.concat(parts);
  return { id: sha(bytes), bytes, blobs, parts };
}

// The protocol's calls for one token.
function client(orch, token) {
  return {
    token,
    session: (agentId, repositoryId = null) => orch.api('POST', '/repository/sessions', {
      token, json: { agent_id: agentId, repository_id: repositoryId, encrypted: repositoryId !== null },
    }),
    lookup: (sid, ids) => orch.api('POST', `/repository/sessions/${sid}/lookup`, { token, json: { ids } }),
    hold: (sid, packs) => orch.api('POST', `/repository/sessions/${sid}/hold`, { token, json: { packs } }),
    announce: (sid, pack) => orch.api('POST', '/packs', {
      token, json: { session_id: sid, id: pack.id, size: pack.bytes.length, blobs: pack.blobs },
    }),
    put: (pack, body = pack.bytes) => orch.api('PUT', `/packs/${pack.id}/object`, {
      token, body, headers: { 'content-type': 'application/octet-stream' },
    }),
    commit: (sid, snapshotId, root, metadata = {}) => orch.api('POST', `/repository/sessions/${sid}/commit`, {
      token, json: { snapshot_id: snapshotId, root, metadata },
    }),
    abort: (sid) => orch.api('POST', `/repository/sessions/${sid}/abort`, { token, json: {} }),
    locate: (snapshotId, ids) => orch.api('POST', `/snapshots/${snapshotId}/locate`, { token, json: { ids } }),
    getPack: (id, range) => orch.api('GET', `/packs/${id}/object`, { token, headers: range ? { range } : {} }),
    gc: (json) => orch.api('POST', '/repository/gc', { token, json }),
  };
}

// Session, announce, upload and commit of one pack: the snapshot view.
async function backup(c, agentId, { repositoryId = null, pack = makePack(), metadata = {} } = {}) {
  const s = await c.session(agentId, repositoryId);
  assert.equal(s.status, 200, s.text);
  const a = await c.announce(s.json.id, pack);
  assert.equal(a.status, 200, a.text);
  if (a.json.status === 'pending') assert.equal((await c.put(pack)).status, 200);
  const done = await c.commit(s.json.id, uid('snap'), pack.blobs[0].id, metadata);
  assert.equal(done.status, 200, done.text);
  return { snapshot: done.json, pack, session: s.json };
}

for (const db of dbs) {
  for (const store of stores) {
    describe(`repository protocol on ${db}, ${store.name}`, () => {
      let orch, a, b, op, viewer;
      const A = uid('agent-a');
      const B = uid('agent-b');
      before(async () => {
        orch = await startOrchestrator({ db, s3: store.s3 });
        a = client(orch, await orch.agentToken(A));
        b = client(orch, await orch.agentToken(B));
        op = client(orch, await orch.operatorToken());
        viewer = client(orch, roleToken(orch, 'viewer', 'key:v'));
      });
      after(async () => { await orch?.stop(); });

      it('backs up a pack, commits a snapshot and reads it back by range', async () => {
        const pack = makePack();
        const ids = pack.blobs.map((x) => x.id);
        const s = await a.session(A);
        assert.equal(s.status, 200, s.text);
        assert.equal(s.json.agent_id, A);
        assert.equal(s.json.repository, `agent:${A}`);
        assert.equal(s.json.encrypted, false);
        assert.ok(Date.parse(s.json.expires_at) > Date.now());
        const sid = s.json.id;

        const none = await a.lookup(sid, ids);
        assert.equal(none.status, 200, none.text);
        assert.deepEqual(none.json, { known: {} });

        const ann = await a.announce(sid, pack);
        assert.equal(ann.status, 200, ann.text);
        assert.equal(ann.json.id, pack.id);
        assert.equal(ann.json.status, 'pending');
        assert.equal(ann.json.upload_url, `/packs/${pack.id}/object`);
        assert.equal(ann.json.presigned_url === null, !store.s3);

        const up = await a.put(pack);
        assert.equal(up.status, 200, up.text);
        assert.deepEqual(up.json, { status: 'uploaded', pack_id: pack.id, size: pack.bytes.length, checksum: pack.id });

        const known = await a.lookup(sid, [...ids, sha(randomBytes(8))]);
        assert.equal(known.status, 200, known.text);
        assert.deepEqual(known.json.known, Object.fromEntries(ids.map((id) => [id, pack.id])));

        const snapId = uid('snap');
        const root = ids[1];
        const meta = { file_count: 3, dir_count: 1, byte_count: 1000, source_path: '/data', warnings: [], agent_version: 'test' };
        const done = await a.commit(sid, snapId, root, meta);
        assert.equal(done.status, 200, done.text);
        const expected = {
          id: snapId, agent_id: A, status: 'available', format: 'repository-v1', encrypted: false,
          repository_id: null, root, checksum: root, size: 1000, logical_size: 1000,
          stored_bytes: pack.bytes.length, file_count: 3,
        };
        for (const [k, v] of Object.entries(expected)) assert.deepEqual(done.json[k], v, k);
        const shown = await orch.api('GET', `/snapshots/${snapId}`, { token: await orch.operatorToken() });
        assert.equal(shown.status, 200, shown.text);
        for (const [k, v] of Object.entries(expected)) assert.deepEqual(shown.json[k], v, `GET ${k}`);
        assert.deepEqual(shown.json.metadata, meta);

        // The session is closed by the commit.
        assert.equal((await a.lookup(sid, ids)).status, 409);

        const loc = await a.locate(snapId, [ids[2], ids[0], sha(Buffer.from('missing'))]);
        assert.equal(loc.status, 200, loc.text);
        assert.deepEqual(loc.json.missing, [sha(Buffer.from('missing'))]);
        const at = loc.json.locations[ids[2]];
        assert.deepEqual(at, { pack: pack.id, offset: pack.blobs[2].offset, length: pack.blobs[2].length });
        assert.deepEqual(loc.json.locations[ids[0]], { pack: pack.id, offset: 0, length: pack.blobs[0].length });

        const part = await fetch(`${orch.url}/packs/${pack.id}/object`, {
          headers: { authorization: `Bearer ${await orch.agentToken(A)}`, range: `bytes=${at.offset}-${at.offset + at.length - 1}` },
        });
        assert.equal(part.status, 206);
        const got = Buffer.from(await part.arrayBuffer());
        assert.equal(sha(got), ids[2]);
        assert.equal(part.headers.get('content-range'), `bytes ${at.offset}-${at.offset + at.length - 1}/${pack.bytes.length}`);
        const whole = await fetch(`${orch.url}/packs/${pack.id}/object`, { headers: { authorization: `Bearer ${await orch.operatorToken()}` } });
        assert.equal(whole.status, 200);
        assert.equal(sha(Buffer.from(await whole.arrayBuffer())), pack.id);

        const tar = await orch.api('GET', `/snapshots/${snapId}/object`, { token: await orch.operatorToken() });
        assert.equal(tar.status, 409, tar.text);
        assert.match(tar.json.detail, /packs/);
      });

      it('holds the available packs a file cache names, and only those', async () => {
        const { snapshot, pack } = await backup(a, A);
        const pending = makePack();
        const s = await a.session(A);
        const sid = s.json.id;
        assert.equal((await a.announce(sid, pending)).status, 200);
        const unknown = sha(randomBytes(8));
        const held = await a.hold(sid, [unknown, pending.id, pack.id]);
        assert.equal(held.status, 200, held.text);
        assert.deepEqual(held.json, { held: [pack.id] }, 'pending and unknown packs are not held');
        // Held, the pack is referenced by the new snapshot even with its first
        // snapshot deleted, and GC at grace 0 leaves it.
        assert.equal((await a.put(pending)).status, 200);
        assert.equal((await orch.api('DELETE', `/snapshots/${snapshot.id}`, { token: await orch.operatorToken() })).status, 204);
        const gc = await op.gc({ grace_seconds: 0 });
        assert.equal(gc.status, 200, gc.text);
        const done = await a.commit(sid, uid('snap'), pack.blobs[0].id);
        assert.equal(done.status, 200, done.text);
        const loc = await a.locate(done.json.id, [pack.blobs[0].id]);
        assert.deepEqual(loc.json.locations[pack.blobs[0].id].pack, pack.id);
        assert.equal((await a.getPack(pack.id)).status, 200);

        assert.equal((await a.hold(sid, [pack.id])).status, 409, 'the session is closed');
        const s2 = await a.session(A);
        assert.equal((await b.hold(s2.json.id, [pack.id])).status, 403, "another agent's session");
        const sb = await b.session(B);
        assert.deepEqual((await b.hold(sb.json.id, [pack.id])).json, { held: [] }, 'another namespace');
        const bad = await a.hold(s2.json.id, ['NOT-HEX']);
        assert.equal(bad.status, 422, bad.text);
        assert.match(bad.json.detail, /^packs: /);
        const missing = await orch.api('POST', `/repository/sessions/${s2.json.id}/hold`, { token: a.token, json: {} });
        assert.equal(missing.status, 422, missing.text);
        assert.equal((await a.hold(s2.json.id, Array(10001).fill(pack.id))).status, 422);
      });

      it('refuses a pack whose bytes do not hash to its id and keeps it out of lookups', async () => {
        const pack = makePack();
        const s = await a.session(A);
        assert.equal((await a.announce(s.json.id, pack)).status, 200);
        const bad = Buffer.from(pack.bytes);
        bad[7] ^= 1;
        const up = await a.put(pack, bad);
        assert.equal(up.status, 400, up.text);
        assert.equal(up.json.detail, `Checksum mismatch: expected ${pack.id}, got ${sha(bad)}`);
        assert.deepEqual((await a.lookup(s.json.id, [pack.blobs[0].id])).json, { known: {} });
        const commit = await a.commit(s.json.id, uid('snap'), pack.blobs[0].id);
        assert.equal(commit.status, 409, commit.text);
        assert.match(commit.json.detail, new RegExp(pack.id));
        assert.equal((await a.put(pack)).status, 200, 'a good upload afterwards is taken');
        assert.equal((await a.commit(s.json.id, uid('snap'), pack.blobs[0].id)).status, 200);
      });

      it('verifies a pack uploaded to its presigned URL', { skip: store.s3 ? false : 'presigned PUTs need S3' }, async () => {
        const pack = makePack();
        const s = await a.session(A);
        const ann = await a.announce(s.json.id, pack);
        assert.match(ann.json.presigned_url, /X-Amz-Signature=/);
        const complete = () => orch.api('POST', `/packs/${pack.id}/complete`, { token: a.token });
        assert.equal((await complete()).status, 409, 'nothing uploaded yet');
        const bad = Buffer.from(pack.bytes);
        bad[0] ^= 1;
        assert.equal((await fetch(ann.json.presigned_url, { method: 'PUT', body: bad })).status, 200);
        const refused = await complete();
        assert.equal(refused.status, 400, refused.text);
        assert.match(refused.json.detail, /Checksum mismatch/);
        assert.equal((await fetch(ann.json.presigned_url, { method: 'PUT', body: pack.bytes })).status, 200);
        const ok = await complete();
        assert.equal(ok.status, 200, ok.text);
        assert.deepEqual(ok.json, { status: 'available', pack_id: pack.id, size: pack.bytes.length, checksum: pack.id });
        const known = await a.lookup(s.json.id, [pack.blobs[0].id]);
        assert.deepEqual(known.json.known, { [pack.blobs[0].id]: pack.id });
        assert.equal((await a.commit(s.json.id, uid('snap'), pack.blobs[0].id)).status, 200);
      });

      it("keeps other agents out of a session, its packs and its snapshot", async () => {
        const { snapshot, pack } = await backup(a, A);
        const s = await a.session(A);
        const sid = s.json.id;
        const ids = pack.blobs.map((x) => x.id);
        assert.equal((await b.lookup(sid, ids)).status, 403);
        assert.equal((await b.commit(sid, uid('snap'), ids[0])).status, 403);
        assert.equal((await b.abort(sid)).status, 403);
        assert.equal((await b.announce(sid, makePack())).status, 403);
        assert.equal((await b.getPack(pack.id)).status, 403);
        assert.equal((await b.locate(snapshot.id, ids)).status, 403);
        assert.equal((await b.session(A)).status, 403, 'a session for another agent');
        // Plain namespaces are per agent: B cannot test for A's content.
        const sb = await b.session(B);
        assert.equal(sb.json.repository, `agent:${B}`);
        assert.deepEqual((await b.lookup(sb.json.id, ids)).json, { known: {} });
        // The viewer reads, the operator too.
        assert.equal((await viewer.locate(snapshot.id, ids)).status, 200);
        assert.equal((await viewer.getPack(pack.id)).status, 200);
        assert.equal((await viewer.session(A)).status, 403);
        assert.equal((await a.abort(sid)).status, 204);
      });

      it('shares a keyed namespace between agents holding the same key', async () => {
        const key = keyId();
        const { snapshot, pack } = await backup(a, A, { repositoryId: key });
        assert.equal(snapshot.encrypted, true);
        assert.equal(snapshot.repository_id, key);
        const s = await b.session(B, key);
        assert.equal(s.status, 200, s.text);
        assert.equal(s.json.repository, key);
        const ids = pack.blobs.map((x) => x.id);
        const known = await b.lookup(s.json.id, ids);
        assert.deepEqual(known.json.known, Object.fromEntries(ids.map((id) => [id, pack.id])));
        const again = await b.announce(s.json.id, pack);
        assert.equal(again.json.status, 'available', 'nothing to upload');
        const mine = await b.commit(s.json.id, uid('snap'), ids[0]);
        assert.equal(mine.status, 200, mine.text);
        assert.equal(mine.json.stored_bytes, 0, 'B added nothing');
        // encrypted must match repository_id.
        const wrong = await orch.api('POST', '/repository/sessions', {
          token: await orch.agentToken(B), json: { agent_id: B, repository_id: key, encrypted: false },
        });
        assert.equal(wrong.status, 422, wrong.text);
      });

      it('derives logical size and file count of tar snapshots from their metadata', async () => {
        const token = await orch.agentToken(A);
        const bytes = randomBytes(64);
        const id = uid('tar');
        const r = await orch.api('POST', '/snapshots', {
          token, json: { id, agent_id: A, checksum: sha(bytes), size: bytes.length, metadata: { byte_count: 5000, file_count: 7 } },
        });
        assert.equal(r.status, 200, r.text);
        const s = await orch.api('GET', `/snapshots/${id}`, { token });
        const want = { format: 'tar', encrypted: false, repository_id: null, root: null, logical_size: 5000, stored_bytes: 64, file_count: 7 };
        for (const [k, v] of Object.entries(want)) assert.deepEqual(s.json[k], v, k);
      });
    });

    describe(`repository GC on ${db}, ${store.name}`, () => {
      let orch, a, admin, viewer;
      const A = uid('agent-gc');
      before(async () => {
        orch = await startOrchestrator({ db, s3: store.s3 });
        a = client(orch, await orch.agentToken(A));
        admin = client(orch, await orch.operatorToken());
        viewer = client(orch, roleToken(orch, 'viewer', 'key:v'));
      });
      after(async () => { await orch?.stop(); });

      it('deletes only packs nothing references or holds, and reports the bytes freed', async () => {
        // An aborted backup's pack: unreferenced, held by nobody.
        const lost = makePack([1000, 24]);
        const s1 = await a.session(A);
        await a.announce(s1.json.id, lost);
        assert.equal((await a.put(lost)).status, 200);
        assert.equal((await a.abort(s1.json.id)).status, 204);
        // A running backup's pack: held.
        const held = makePack([700]);
        const s2 = await a.session(A);
        await a.announce(s2.json.id, held);
        assert.equal((await a.put(held)).status, 200);

        assert.equal((await viewer.gc({ grace_seconds: 0 })).status, 403);
        const young = await admin.gc({});
        assert.equal(young.status, 200, young.text);
        assert.deepEqual(young.json, { packs_deleted: 0, bytes_freed: 0, packs_kept_held: 1, packs_kept_young: 1, dry_run: false });
        const dry = await admin.gc({ grace_seconds: 0, dry_run: true });
        assert.deepEqual(dry.json, { packs_deleted: 1, bytes_freed: 1024, packs_kept_held: 1, packs_kept_young: 0, dry_run: true });
        const gc = await admin.gc({ grace_seconds: 0 });
        assert.equal(gc.status, 200, gc.text);
        assert.deepEqual(gc.json, { packs_deleted: 1, bytes_freed: 1024, packs_kept_held: 1, packs_kept_young: 0, dry_run: false });
        assert.equal((await admin.getPack(lost.id)).status, 404);
        assert.equal((await admin.getPack(held.id)).status, 200, 'a held pack survives --grace 0');

        // Committed: referenced, survives; the snapshot deleted: collected.
        const done = await a.commit(s2.json.id, uid('snap'), held.blobs[0].id);
        assert.equal(done.status, 200, done.text);
        const kept = await admin.gc({ grace_seconds: 0 });
        assert.equal(kept.json.packs_deleted, 0);
        assert.equal((await admin.getPack(held.id)).status, 200);
        const del = await orch.api('DELETE', `/snapshots/${done.json.id}`, { token: await orch.operatorToken() });
        assert.equal(del.status, 204, del.text);
        const freed = await admin.gc({ grace_seconds: 0 });
        assert.deepEqual(freed.json, { packs_deleted: 1, bytes_freed: 700, packs_kept_held: 0, packs_kept_young: 0, dry_run: false });
        assert.equal((await admin.getPack(held.id)).status, 404);
      });

      it('runs from the CLI: fortfail gc [--grace S] [--dry-run]', { skip: fs.existsSync(cliBin) ? false : 'fortfail not built' }, async () => {
        const s = await a.session(A);
        const pack = makePack([333]);
        await a.announce(s.json.id, pack);
        await a.put(pack);
        await a.abort(s.json.id);
        const token = await orch.operatorToken();
        const dry = await runCli(orch, token, ['--json', 'gc', '--grace', '0', '--dry-run']);
        assert.equal(dry.code, 0, dry.stderr);
        assert.deepEqual(JSON.parse(dry.stdout), { packs_deleted: 1, bytes_freed: 333, packs_kept_held: 0, packs_kept_young: 0, dry_run: true });
        const done = await runCli(orch, token, ['gc', '--grace', '0']);
        assert.equal(done.code, 0, done.stderr);
        assert.match(done.stdout, /Deleted 1 packs, .*\(333 bytes\) freed/);
        assert.equal((await admin.getPack(pack.id)).status, 404);
      });
    });
  }

  describe(`ORCH_REQUIRE_ENCRYPTION and ORCH_AGENT_QUOTA_BYTES on ${db}`, () => {
    let orch, a;
    const A = uid('agent-enc');
    before(async () => {
      orch = await startOrchestrator({ db, env: { ORCH_REQUIRE_ENCRYPTION: '1', ORCH_AGENT_QUOTA_BYTES: '1500' } });
      a = client(orch, await orch.agentToken(A));
    });
    after(async () => { await orch?.stop(); });

    const refusal = 'ORCH_REQUIRE_ENCRYPTION is set: this orchestrator refuses unencrypted snapshots (give the agent a key with AGENT_KEY_FILE)';

    it('refuses unencrypted sessions and tar snapshots, takes encrypted ones', async () => {
      const plain = await a.session(A);
      assert.equal(plain.status, 422, plain.text);
      assert.equal(plain.json.detail, refusal);
      const bytes = randomBytes(10);
      const tar = await orch.api('POST', '/snapshots', {
        token: await orch.agentToken(A), json: { id: uid('tar'), agent_id: A, checksum: sha(bytes), size: 10 },
      });
      assert.equal(tar.status, 422, tar.text);
      assert.equal(tar.json.detail, refusal);
      const { snapshot } = await backup(a, A, { repositoryId: keyId() });
      assert.equal(snapshot.encrypted, true);
    });

    it('counts announced pack bytes toward the agent quota', async () => {
      const Q = uid('agent-quota');
      const q = client(orch, await orch.agentToken(Q));
      const s = await q.session(Q, keyId());
      assert.equal((await q.announce(s.json.id, makePack([1000]))).status, 200);
      const over = await q.announce(s.json.id, makePack([600]));
      assert.equal(over.status, 413, over.text);
      assert.match(over.json.detail, /ORCH_AGENT_QUOTA_BYTES/);
    });
  });
}
