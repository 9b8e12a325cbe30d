// Schedules over real sockets (docs/schedules.md): CRUD with validation that
// names the field, 404 for an unknown agent, viewers read but may not write;
// an interval backup schedule queues a backup command for an online agent on
// time and moves next_run_at on, and an offline agent gets a missed run.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startOrchestrator, dbKinds, binDir } from '../support/orchestrator.mjs';
import { craftToken } from '../support/jwt.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function roleToken(orch, role) {
  const now = Math.floor(Date.now() / 1000);
  return craftToken(orch.jwtSecret, { sub: `key:${role}`, role, iat: now, exp: now + 3600, iss: 'fortfail', jti: uid('j'), rv: 2 });
}

async function waitFor(fn, what, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v;
    await sleep(200);
  }
  assert.fail(`timed out waiting for ${what}`);
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

for (const db of dbKinds()) {
  describe(`schedules on ${db}`, () => {
    let orch, op;
    const online = uid('on');
    const offline = uid('off');
    const tokens = {};
    const received = [];
    let polling = true;
    let poller;

    before(async () => {
      orch = await startOrchestrator({ db, env: { ORCH_AGENT_OFFLINE_SECONDS: '3' } });
      op = await orch.operatorToken();
      for (const a of [online, offline]) {
        tokens[a] = await orch.agentToken(a);
        const r = await orch.api('GET', `/agent/${a}/commands`, { token: tokens[a] });
        assert.equal(r.status, 200);
      }
      // The online agent keeps polling, as a real one does, and keeps the
      // commands it gets; the offline one never comes back.
      poller = (async () => {
        while (polling) {
          const r = await orch.api('GET', `/agent/${online}/commands`, { token: tokens[online] });
          if (r.status === 200) received.push(...r.json);
          await sleep(500);
        }
      })();
    });

    after(async () => {
      polling = false;
      await poller;
      await orch?.stop();
    });

    it('creates, shows, lists, patches and deletes a schedule', async () => {
      const created = await orch.api('POST', '/schedules', {
        token: op,
        json: { agent_id: online, kind: 'backup', cron: '0 3 * * *', paths: ['/srv/www'], retention: { keep_daily: 7, keep_last: 2 } },
      });
      assert.equal(created.status, 201, created.text);
      const s = created.json;
      assert.match(s.id, /^sch-/);
      assert.equal(s.agent_id, online);
      assert.equal(s.kind, 'backup');
      assert.equal(s.cron, '0 3 * * *');
      assert.equal(s.interval_seconds, null);
      assert.deepEqual(s.paths, ['/srv/www']);
      assert.deepEqual(s.retention, { keep_daily: 7, keep_last: 2 });
      assert.equal(s.enabled, true);
      assert.match(s.next_run_at, RFC3339);
      assert.match(s.next_run_at, /T03:00:00Z$/);
      assert.equal(s.last_run_at, null);
      assert.equal(s.last_status, null);

      const shown = await orch.api('GET', `/schedules/${s.id}`, { token: op });
      assert.equal(shown.status, 200);
      assert.deepEqual(shown.json, s);
      const list = await orch.api('GET', '/schedules', { token: op });
      assert.equal(list.status, 200);
      assert.ok(list.json.some((x) => x.id === s.id));

      const patched = await orch.api('PATCH', `/schedules/${s.id}`, { token: op, json: { interval_seconds: 3600, retention: null, enabled: false } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.json.cron, null);
      assert.equal(patched.json.interval_seconds, 3600);
      assert.equal(patched.json.retention, null);
      assert.deepEqual(patched.json.paths, ['/srv/www']);
      assert.equal(patched.json.enabled, false);
      const bad = await orch.api('PATCH', `/schedules/${s.id}`, { token: op, json: { interval_seconds: 5 } });
      assert.equal(bad.status, 422);
      assert.match(bad.json.detail, /^interval_seconds:/);

      const gone = await orch.api('DELETE', `/schedules/${s.id}`, { token: op });
      assert.equal(gone.status, 200);
      assert.deepEqual(gone.json, { id: s.id, status: 'deleted' });
      assert.equal((await orch.api('GET', `/schedules/${s.id}`, { token: op })).status, 404);
      assert.equal((await orch.api('DELETE', `/schedules/${s.id}`, { token: op })).status, 404);
      assert.equal((await orch.api('PATCH', `/schedules/${s.id}`, { token: op, json: { enabled: true } })).status, 404);

      const wal = fs.readFileSync(orch.walPath, 'utf8');
      for (const e of ['schedule_created', 'schedule_updated', 'schedule_deleted']) {
        assert.match(wal, new RegExp(`"event":"${e}"[^\\n]*"schedule_id":"${s.id}"|"schedule_id":"${s.id}"[^\\n]*"event":"${e}"`));
      }
    });

    it('refuses bad fields with a message naming the field', async () => {
      const cases = [
        [{ kind: 'backup', interval_seconds: 60 }, /^agent_id:/],
        [{ agent_id: online, kind: 'restore', interval_seconds: 60 }, /^kind:/],
        [{ agent_id: online, kind: 'backup' }, /^cron:/],
        [{ agent_id: online, kind: 'backup', cron: '* * * * *', interval_seconds: 60 }, /^cron:/],
        [{ agent_id: online, kind: 'backup', cron: '0 24 * * *' }, /^cron: hour:/],
        [{ agent_id: online, kind: 'backup', cron: '0 0 * *' }, /^cron:/],
        [{ agent_id: online, kind: 'backup', interval_seconds: 9 }, /^interval_seconds:/],
        [{ agent_id: online, kind: 'backup', interval_seconds: 10.5 }, /^interval_seconds:/],
        [{ agent_id: online, kind: 'backup', interval_seconds: 60, paths: 'x' }, /^paths:/],
        [{ agent_id: online, kind: 'backup', interval_seconds: 60, paths: [''] }, /^paths:/],
        [{ agent_id: online, kind: 'backup', interval_seconds: 60, retention: { keep_forever: 1 } }, /^retention:/],
        [{ agent_id: online, kind: 'backup', interval_seconds: 60, retention: { keep_last: -1 } }, /^retention:/],
        [{ agent_id: online, kind: 'backup', interval_seconds: 60, retention: {} }, /^retention:/],
        [{ agent_id: online, kind: 'backup', interval_seconds: 60, target_agent_id: offline }, /^target_agent_id:/],
        [{ agent_id: online, kind: 'verify', interval_seconds: 60, paths: ['/x'] }, /^paths:/],
      ];
      for (const [json, field] of cases) {
        const r = await orch.api('POST', '/schedules', { token: op, json });
        assert.equal(r.status, 422, `${JSON.stringify(json)}: ${r.text}`);
        assert.match(r.json.detail, field, JSON.stringify(json));
      }
      const malformed = await orch.api('POST', '/schedules', { token: op, body: '{', headers: { 'content-type': 'application/json' } });
      assert.equal(malformed.status, 400);
    });

    it('answers 404 naming an unknown agent or target agent', async () => {
      const ghost = uid('ghost');
      const r = await orch.api('POST', '/schedules', { token: op, json: { agent_id: ghost, kind: 'backup', interval_seconds: 60 } });
      assert.equal(r.status, 404);
      assert.match(r.json.detail, new RegExp(ghost));
      const drill = await orch.api('POST', '/schedules', {
        token: op,
        json: { agent_id: online, kind: 'drill', cron: '0 4 * * 0', target_agent_id: ghost },
      });
      assert.equal(drill.status, 404);
      assert.match(drill.json.detail, new RegExp(ghost));
    });

    it('lets viewers read and refuses their writes with 403', async () => {
      const viewer = roleToken(orch, 'viewer');
      const created = await orch.api('POST', '/schedules', { token: op, json: { agent_id: online, kind: 'backup', cron: '0 5 * * 1-5' } });
      assert.equal(created.status, 201);
      const id = created.json.id;
      assert.equal((await orch.api('GET', '/schedules', { token: viewer })).status, 200);
      assert.equal((await orch.api('GET', `/schedules/${id}`, { token: viewer })).status, 200);
      const json = { agent_id: online, kind: 'backup', interval_seconds: 60 };
      assert.equal((await orch.api('POST', '/schedules', { token: viewer, json })).status, 403);
      assert.equal((await orch.api('PATCH', `/schedules/${id}`, { token: viewer, json: { enabled: false } })).status, 403);
      assert.equal((await orch.api('DELETE', `/schedules/${id}`, { token: viewer })).status, 403);
      assert.equal((await orch.api('GET', '/schedules', { token: tokens[online] })).status, 403);
      assert.equal((await orch.api('DELETE', `/schedules/${id}`, { token: op })).status, 200);
    });

    it('fortfail schedule add | list | rm', { skip: !fs.existsSync(path.join(binDir, 'fortfail')) && 'fortfail not built' }, () => {
      const cli = (...args) => spawnSync(path.join(binDir, 'fortfail'), ['--url', orch.url, ...args], {
        env: { PATH: process.env.PATH, FORTFAIL_TOKEN: op, FORTFAIL_CONFIG: path.join(orch.dir, 'cli-token') },
        encoding: 'utf8',
        timeout: 20000,
      });
      const added = cli('--json', 'schedule', 'add', '--agent', online, '--cron', '15 2 * * 1-5', '--path', '/srv/a', '--path', '/srv/b',
        '--keep-last', '3', '--keep-daily', '7');
      assert.equal(added.status, 0, added.stderr);
      const s = JSON.parse(added.stdout);
      assert.equal(s.cron, '15 2 * * 1-5');
      assert.deepEqual(s.paths, ['/srv/a', '/srv/b']);
      assert.deepEqual(s.retention, { keep_last: 3, keep_daily: 7 });
      const every = cli('schedule', 'add', '--agent', online, '--every', '600', '--kind', 'verify');
      assert.equal(every.status, 0, every.stderr);
      assert.match(every.stdout, /Added schedule sch-\S+ \(verify of /);
      const bad = cli('schedule', 'add', '--agent', online, '--every', '5');
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /interval_seconds/);
      const neither = cli('schedule', 'add', '--agent', online);
      assert.notEqual(neither.status, 0);
      const list = cli('schedule', 'list');
      assert.equal(list.status, 0, list.stderr);
      assert.match(list.stdout, new RegExp(s.id));
      assert.match(list.stdout, /cron 15 2 \* \* 1-5/);
      assert.match(list.stdout, /every 600s/);
      const listed = JSON.parse(cli('--json', 'schedule', 'list').stdout);
      for (const x of listed) {
        const rm = cli('schedule', 'rm', x.id);
        assert.equal(rm.status, 0, rm.stderr);
        assert.match(rm.stdout, new RegExp(`Removed schedule ${x.id}`));
      }
      assert.notEqual(cli('schedule', 'rm', s.id).status, 0);
    });

    it('queues a backup on time for an online agent and records a missed run for an offline one', async () => {
      const mk = async (agent) => {
        const r = await orch.api('POST', '/schedules', { token: op, json: { agent_id: agent, kind: 'backup', interval_seconds: 10, paths: ['/data'] } });
        assert.equal(r.status, 201, r.text);
        return r.json;
      };
      const start = Date.now();
      const [on, off] = await Promise.all([mk(online), mk(offline)]);
      const firstNext = Date.parse(on.next_run_at);
      assert.ok(Math.abs(firstNext - (start + 10000)) < 2500, `next_run_at ${on.next_run_at} is not about 10 s from now`);

      const ran = await waitFor(async () => {
        const s = (await orch.api('GET', `/schedules/${on.id}`, { token: op })).json;
        return s.last_status ? s : null;
      }, 'the online agent\'s scheduled backup', 15000);
      assert.equal(ran.last_status, 'ok', JSON.stringify(ran));
      // On time by the orchestrator's own clock: within about a tick.
      const late = Date.parse(ran.last_run_at) - firstNext;
      assert.ok(late >= 0 && late < 2500, `ran ${late} ms after next_run_at`);
      assert.match(ran.last_job_id, /^bj-/);
      assert.ok(Date.parse(ran.next_run_at) > firstNext, 'next_run_at moved on');
      assert.equal(Date.parse(ran.next_run_at) - firstNext, 10000);

      const job = await orch.api('GET', `/backup-jobs/${ran.last_job_id}`, { token: op });
      assert.equal(job.status, 200);
      assert.equal(job.json.agent_id, online);
      const cmd = await waitFor(() => received.find((c) => c.job_id === ran.last_job_id), 'the backup command', 3000);
      assert.equal(cmd.command_type, 'backup');
      assert.deepEqual(cmd.payload.paths, ['/data']);

      const missed = await waitFor(async () => {
        const s = (await orch.api('GET', `/schedules/${off.id}`, { token: op })).json;
        return s.last_status ? s : null;
      }, 'the offline agent\'s missed run', 5000);
      assert.equal(missed.last_status, 'missed');
      assert.equal(missed.last_error, 'agent offline');
      assert.equal(missed.last_job_id, null);
      const offJobs = await orch.api('GET', `/backup-jobs?agent_id=${offline}`, { token: op });
      assert.equal(offJobs.json.length, 0);
      const wal = fs.readFileSync(orch.walPath, 'utf8');
      assert.match(wal, new RegExp(`"event":"schedule_missed"[^\\n]*"schedule_id":"${off.id}"|"schedule_id":"${off.id}"[^\\n]*"event":"schedule_missed"`));
      assert.match(wal, new RegExp(`"event":"schedule_run"`));

      for (const s of [on, off]) assert.equal((await orch.api('DELETE', `/schedules/${s.id}`, { token: op })).status, 200);
    });
  });
}
