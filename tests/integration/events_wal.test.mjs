// The live event stream (/ws) and the write-ahead audit log: delivery within a
// second, ?since= replay, agent scoping, secrets never written, `wal verify`,
// and no acknowledged event lost to kill -9.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startOrchestrator, dbKinds, orchestratorBin, freePort, tempDir } from '../support/orchestrator.mjs';
import { openEvents } from '../support/ws.mjs';

const sha = () => randomBytes(32).toString('hex');
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

function walRecords(path) {
  return fs.readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function walVerify(path) {
  return spawnSync(orchestratorBin, ['wal', 'verify', path], { encoding: 'utf8' });
}

for (const db of dbKinds()) {
  describe(`events and WAL on ${db}`, () => {
    let orch, op;
    before(async () => {
      orch = await startOrchestrator({ db });
      op = await orch.operatorToken();
    });
    after(async () => { await orch?.stop(); });

    it('refuses a WebSocket without a valid token', async () => {
      await assert.rejects(openEvents(orch.wsUrl), (e) => e.statusCode === 401);
      await assert.rejects(openEvents(`${orch.wsUrl}?token=forged.token.x`), (e) => e.statusCode === 401);
    });

    it('streams an event caused by a POST within a second, in seq order', async () => {
      const ev = await openEvents(`${orch.wsUrl}?token=${op}`);
      const hello = await ev.waitFor((m) => m.event === 'connected');
      assert.equal(hello.role, 'admin'); // the registration secret's operator token holds every right
      const agent = uid('ws');
      const tok = await orch.agentToken(agent);
      const marker = uid('msg');
      const t0 = Date.now();
      const r = await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { event_type: 'heartbeat', message: marker } });
      assert.equal(r.status, 200);
      const got = await ev.waitFor((m) => m.event === 'agent_event' && m.message === marker, 1000);
      assert.ok(Date.now() - t0 < 1000);
      assert.equal(got.agent_id, agent);
      assert.ok(got.seq > 0 && got.hash && got.prev_hash && got.timestamp);
      const seqs = ev.messages.filter((m) => m.seq).map((m) => m.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
      for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, 'no gaps for operators');
      ev.close();
    });

    it('replays from ?since= and then continues live without gaps', async () => {
      const records = walRecords(orch.walPath);
      const since = records[records.length - 3].seq;
      const ev = await openEvents(`${orch.wsUrl}?token=${op}&since=${since}`);
      const marker = uid('live');
      const agent = uid('rp');
      const tok = await orch.agentToken(agent);
      await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { event_type: 'heartbeat', message: marker } });
      await ev.waitFor((m) => m.message === marker);
      const seqs = ev.messages.filter((m) => m.seq).map((m) => m.seq);
      assert.equal(seqs[0], since + 1);
      for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1);
      ev.close();
    });

    it('shows agent tokens only their own records', async () => {
      const mine = uid('own');
      const other = uid('oth');
      const tMine = await orch.agentToken(mine);
      const tOther = await orch.agentToken(other);
      const ev = await openEvents(`${orch.wsUrl}?token=${tMine}&since=0`);
      const m1 = uid('m');
      const m2 = uid('m');
      await orch.api('POST', `/agent/${other}/events`, { token: tOther, json: { event_type: 'heartbeat', message: m2 } });
      await orch.api('POST', `/agent/${mine}/events`, { token: tMine, json: { event_type: 'heartbeat', message: m1 } });
      await ev.waitFor((m) => m.message === m1);
      assert.ok(ev.messages.filter((m) => m.seq).every((m) => m.agent_id === mine));
      assert.ok(!ev.messages.some((m) => m.message === m2));
      ev.close();
    });

    it('writes a verifiable hash chain with every state change and no secrets', async () => {
      const snap = uid('s');
      await orch.api('POST', '/snapshots', { token: op, json: { id: snap, agent_id: 'w1', checksum: sha(), size: 3 } });
      const job = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: 'w1' } })).json;
      const w1 = await orch.agentToken('w1');
      await orch.api('GET', '/agent/w1/commands', { token: w1 });
      await orch.api('POST', '/agent/w1/events', { token: w1, json: { job_id: job.id, event_type: 'restore_started', message: 'go' } });
      const records = walRecords(orch.walPath);
      const events = new Set(records.map((r) => r.event));
      for (const e of ['token_minted', 'snapshot_created', 'restore_job_created', 'command_dispatched', 'agent_event', 'job_status_changed']) {
        assert.ok(events.has(e), `WAL has ${e}`);
      }
      records.forEach((r, i) => {
        assert.equal(r.seq, i + 1);
        assert.equal(r.prev_hash, i === 0 ? '0'.repeat(64) : records[i - 1].hash);
      });
      const text = fs.readFileSync(orch.walPath, 'utf8');
      for (const secret of [orch.regSecret, orch.jwtSecret, op, w1]) assert.ok(!text.includes(secret), 'no secret in the WAL');
      const v = walVerify(orch.walPath);
      assert.equal(v.status, 0, v.stdout + v.stderr);
    });

    it('wal verify names the first broken record', async () => {
      const copy = `${orch.walPath}.tampered`;
      const lines = fs.readFileSync(orch.walPath, 'utf8').split('\n');
      lines[2] = lines[2].replace('"seq":3', '"seq":33');
      fs.writeFileSync(copy, lines.join('\n'));
      const v = walVerify(copy);
      assert.notEqual(v.status, 0);
      assert.match(v.stdout + v.stderr, /3/);
    });
  });
}

describe('crash safety', () => {
  for (const db of dbKinds()) {
    it(`keeps every acknowledged event after kill -9 (${db})`, async () => {
      const orch = await startOrchestrator({ db });
      try {
        const op = await orch.operatorToken();
        const snap = uid('s');
        await orch.api('POST', '/snapshots', { token: op, json: { id: snap, agent_id: 'k1', checksum: sha(), size: 1 } });
        const job = (await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: 'k1' } })).json;
        const tok = await orch.agentToken('k1');
        const acked = [];
        let stop = false;
        const worker = async (w) => {
          for (let i = 0; !stop; i++) {
            const message = `w${w}-${i}`;
            try {
              const r = await orch.api('POST', '/agent/k1/events', { token: tok, json: { job_id: job.id, event_type: 'restore_in_progress', message } });
              if (r.status === 200) acked.push(message);
            } catch { return; }
          }
        };
        const workers = Array.from({ length: 8 }, (_, w) => worker(w));
        await new Promise((r) => setTimeout(r, 700));
        await orch.kill();
        stop = true;
        await Promise.all(workers);
        assert.ok(acked.length > 20, `acknowledged ${acked.length}`);
        const v = walVerify(orch.walPath);
        assert.equal(v.status, 0, `wal verify after kill -9: ${v.stdout}${v.stderr}`);
        await orch.launch();
        const inWal = new Set(walRecords(orch.walPath).filter((r) => r.event === 'agent_event').map((r) => r.message));
        const logs = (await orch.api('GET', `/restore-jobs/${job.id}`, { token: op })).json.logs;
        const inDb = new Set(logs.map((l) => l.message));
        for (const m of acked) {
          assert.ok(inWal.has(m), `acknowledged ${m} is in the WAL`);
          assert.ok(inDb.has(m), `acknowledged ${m} is in the database`);
        }
        // The restarted server continues the chain.
        await orch.api('POST', '/agent/k1/events', { token: tok, json: { event_type: 'heartbeat', message: 'after' } });
        assert.equal(walVerify(orch.walPath).status, 0);
      } finally {
        await orch.stop();
      }
    });
  }

  it('shuts down gracefully on SIGTERM and exits 0', async () => {
    const orch = await startOrchestrator({});
    const r = await orch.stop();
    assert.equal(r.code, 0, orch.log);
  });

  it('refuses to start with one clear line on bad configuration', () => {
    const r = spawnSync(orchestratorBin, [], { env: { ORCH_LISTEN: 'nope', PATH: process.env.PATH }, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ORCH_LISTEN/);
    const prod = spawnSync(orchestratorBin, [], { env: { ORCH_ENV: 'production', PATH: process.env.PATH }, encoding: 'utf8' });
    assert.notEqual(prod.status, 0);
    assert.match(prod.stderr, /ORCH_JWT_SECRET/);
  });

  it('refuses a second orchestrator on the same SQLite file, and the first keeps serving', async () => {
    const first = await startOrchestrator({});
    try {
      const other = tempDir();
      const second = spawnSync(orchestratorBin, [], {
        env: {
          ...first.env,
          ORCH_LISTEN: `127.0.0.1:${await freePort()}`,
          WAL_PATH: path.join(other, 'wal.log'),
          ORCH_DATA_DIR: path.join(other, 'data'),
        },
        encoding: 'utf8',
        timeout: 30000,
      });
      assert.notEqual(second.status, 0, second.stderr);
      assert.match(second.stderr, /DATABASE_URL: .*locked by another process.*PostgreSQL/);
      const token = await first.operatorToken();
      const r = await first.api('GET', '/restore-jobs', { token });
      assert.equal(r.status, 200);
    } finally {
      await first.stop();
    }
    // Once the first has exited, the file opens again.
    const again = await startOrchestrator({ dir: first.dir, databaseUrl: first.databaseUrl });
    await again.stop();
  });
});

void execFileSync;
