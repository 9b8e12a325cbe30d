// Issue 14: verify jobs and restore drills with real processes — the
// orchestrator (s3rver as the object store), fortfail-agent and the CLI.
// A drill of a good snapshot sets proven_restorable_at (snapshot) and
// last_proven_restorable_at (agent) and leaves no files behind; a drill of a
// snapshot whose stored bytes were damaged fails, raises drill.failed and
// leaves no files either; a verify job finds the flipped byte and marks the
// snapshot corrupt, and finds an intact one intact.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startOrchestrator, tempDir } from '../support/orchestrator.mjs';
import { makeSampleTree } from '../support/manifest.mjs';
import { haveBinaries, startAgent, runCli, findFiles, waitFor, waitForJob } from './helpers.mjs';

const skip = !haveBinaries() ? 'fortfail binaries not built'
  : !process.env.FF_TEST_S3_ENDPOINT || !process.env.FF_TEST_TMP ? 's3rver not started (scripts/test.sh)' : false;

// Every regular file below `dir`, relative.
function filesBelow(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isDirectory()) out.push(path.relative(dir, path.join(e.parentPath ?? e.path, e.name)));
  }
  return out;
}

function flipByte(file, at) {
  const fd = fs.openSync(file, 'r+');
  const one = Buffer.alloc(1);
  fs.readSync(fd, one, 0, 1, at);
  one[0] ^= 0xff;
  fs.writeSync(fd, one, 0, 1, at);
  fs.closeSync(fd);
}

async function startReceiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${server.address().port}/hook`, close: () => new Promise((r) => server.close(r)) };
}

describe('verify jobs and restore drills', { skip }, () => {
  let orch, a, b, token, dir, receiver, bucketDir;
  before(async () => {
    dir = tempDir('ff-e2e-verification-');
    orch = await startOrchestrator({ db: 'sqlite', s3: true });
    a = await startAgent(orch, 'agent-a', dir);
    b = await startAgent(orch, 'agent-b', dir, { AGENT_BACKUP_FORMAT: 'tar' });
    makeSampleTree(a.backupDir, { bigMiB: 2 });
    makeSampleTree(b.backupDir, { bigMiB: 1 });
    token = await orch.operatorToken();
    receiver = await startReceiver();
    const hook = await orch.api('POST', '/webhooks', {
      token, json: { url: receiver.url, events: ['drill.failed', 'snapshot.corrupt'], secret: 'verification-test-secret' },
    });
    assert.equal(hook.status, 201, hook.text);
    bucketDir = path.join(process.env.FF_TEST_TMP, 's3', orch.env.S3_BUCKET);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await orch?.stop();
    await receiver?.close();
  });

  const backup = async (agent) => {
    const r = await runCli(orch, token, ['--json', 'backup', agent, '--wait']);
    assert.equal(r.code, 0, `${r.stderr}`);
    return JSON.parse(r.stdout).snapshot_id;
  };

  test('a drill of a good snapshot proves it and its agent, and leaves nothing behind', async () => {
    const snapshotId = await backup('agent-a');
    const before = (await orch.api('GET', '/agents', { token })).json.find((x) => x.id === 'agent-a');
    assert.equal(before.last_proven_restorable_at, null);

    const r = await runCli(orch, token, ['--json', 'drill', '--agent', 'agent-a', '--wait', '--timeout', '120']);
    assert.equal(r.code, 0, `${r.stderr}\n${a.log.slice(-3000)}`);
    const drill = JSON.parse(r.stdout);
    assert.equal(drill.kind, 'drill');
    assert.equal(drill.status, 'completed');
    assert.equal(drill.snapshot_id, snapshotId);
    assert.ok(drill.result.files_verified > 0, JSON.stringify(drill.result));
    assert.equal(drill.result.files_verified, drill.result.files_checked);

    const snap = (await orch.api('GET', `/snapshots/${snapshotId}`, { token })).json;
    assert.ok(snap.proven_restorable_at, 'snapshot proven_restorable_at');
    const agent = (await orch.api('GET', '/agents', { token })).json.find((x) => x.id === 'agent-a');
    assert.equal(agent.last_proven_restorable_at, snap.proven_restorable_at);
    // The scratch tree is gone and no real restore target was touched.
    assert.deepEqual(filesBelow(a.restoreDir), []);
    const listed = await runCli(orch, token, ['agents']);
    assert.match(listed.stdout, /PROVEN RESTORABLE/);
    // Drills have their own collection; restores do not list them.
    const restores = (await orch.api('GET', '/restore-jobs', { token })).json;
    assert.ok(!restores.some((j) => j.id === drill.id));
    assert.ok((await orch.api('GET', '/drills', { token })).json.some((j) => j.id === drill.id));
  });

  test('a verify job finds an intact snapshot intact and sets verified_at', async () => {
    const snapshotId = await backup('agent-b');
    const r = await runCli(orch, token, ['--json', 'verify', '--snapshot', snapshotId, '--wait']);
    assert.equal(r.code, 0, r.stderr);
    const job = JSON.parse(r.stdout);
    assert.equal(job.kind, 'verify');
    assert.equal(job.result.snapshots_intact, 1);
    assert.ok(job.result.bytes_read > 0);
    const snap = (await orch.api('GET', `/snapshots/${snapshotId}`, { token })).json;
    assert.ok(snap.verified_at);
    assert.equal(snap.status, 'available');
  });

  test('a byte flipped in a stored object: the verify job marks the snapshot corrupt and alerts', async () => {
    const snapshotId = await backup('agent-b');
    const snap = (await orch.api('GET', `/snapshots/${snapshotId}`, { token })).json;
    const objects = findFiles(bucketDir, snapshotId)
      .filter((p) => p.endsWith('._S3rver_object') && fs.statSync(p).size === snap.size);
    assert.equal(objects.length, 1);
    flipByte(objects[0], Math.floor(snap.size / 2));
    const r = await runCli(orch, token, ['--json', 'verify', '--agent', 'agent-b', '--wait']);
    assert.equal(r.code, 1, 'a corrupt snapshot makes `fortfail verify --wait` exit 1');
    const job = JSON.parse(r.stdout);
    assert.deepEqual(job.result.corrupt_snapshot_ids, [snapshotId]);
    assert.match(job.result.first_problem, /checksum mismatch/);
    assert.equal((await orch.api('GET', `/snapshots/${snapshotId}`, { token })).json.status, 'corrupt');
    await waitFor('snapshot.corrupt alert', () =>
      receiver.got.some((g) => g.event === 'snapshot.corrupt' && JSON.stringify(g).includes(snapshotId)));
    // A corrupt snapshot is not drilled.
    const refused = await orch.api('POST', '/drills', { token, json: { snapshot_id: snapshotId } });
    assert.equal(refused.status, 409, refused.text);
  });

  test('a drill of a damaged snapshot fails, alerts drill.failed and leaves nothing behind', async () => {
    const snapshotId = await backup('agent-a');
    // Damage every pack the snapshot references that the earlier backup did not
    // also hold: flip one byte in the middle of each pack file in the bucket.
    // s3rver keeps an object "k" as k._S3rver_object (next to its metadata files).
    const packs = findFiles(bucketDir, 'packs').filter((p) => p.endsWith('._S3rver_object'));
    assert.ok(packs.length > 0, `packs in ${bucketDir}`);
    for (const p of packs) flipByte(p, Math.floor(fs.statSync(p).size / 2));
    const r = await runCli(orch, token, ['--json', 'drill', '--snapshot', snapshotId, '--wait', '--timeout', '120']);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const drill = JSON.parse(r.stdout);
    assert.equal(drill.status, 'failed');
    await waitFor('drill.failed alert', () => receiver.got.some((g) => g.event === 'drill.failed'));
    assert.deepEqual(filesBelow(a.restoreDir), []);
    const snap = (await orch.api('GET', `/snapshots/${snapshotId}`, { token })).json;
    assert.equal(snap.proven_restorable_at, null);
  });

  test('requests are checked', async () => {
    const both = await orch.api('POST', '/drills', { token, json: { snapshot_id: 'x', agent_id: 'agent-a' } });
    assert.equal(both.status, 422);
    const unknown = await orch.api('POST', '/drills', { token, json: { agent_id: 'never-registered' } });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.detail, /never-registered/);
    const subset = await orch.api('POST', '/verify-jobs', { token, json: { subset_percent: 0 } });
    assert.equal(subset.status, 422);
    const agentToken = await orch.agentToken('agent-a');
    assert.equal((await orch.api('POST', '/verify-jobs', { token: agentToken, json: {} })).status, 403);
    assert.equal((await orch.api('GET', '/verify-jobs', { token: agentToken })).status, 403);
  });
});
