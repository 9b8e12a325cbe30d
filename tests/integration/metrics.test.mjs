// GET /metrics over real sockets: access (operator token, or open with
// ORCH_METRICS_PUBLIC=1), the exposition parsed by a strict 0.0.4 parser
// (tests/support/prom_text.mjs, itself checked against broken inputs here),
// every documented family present, and the families moving under load.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startOrchestrator, dbKinds } from '../support/orchestrator.mjs';
import { craftToken } from '../support/jwt.mjs';
import { openEvents } from '../support/ws.mjs';
import { parsePromText, sampleValue } from '../support/prom_text.mjs';
import { until } from '../support/outages.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

const FAMILIES = {
  fortfail_http_requests_total: 'counter',
  fortfail_http_request_duration_seconds: 'histogram',
  fortfail_wal_append_duration_seconds: 'histogram',
  fortfail_wal_fsync_duration_seconds: 'histogram',
  fortfail_wal_records_written_total: 'counter',
  fortfail_jobs: 'gauge',
  fortfail_snapshots: 'gauge',
  fortfail_stored_bytes: 'gauge',
  fortfail_agents: 'gauge',
  fortfail_agent_last_backup_age_seconds: 'gauge',
  fortfail_websocket_clients: 'gauge',
  fortfail_websocket_dropped_messages_total: 'counter',
  fortfail_alerts_dropped_total: 'counter',
  fortfail_object_store_errors_total: 'counter',
  fortfail_metrics_collector_errors_total: 'counter',
};

function roleToken(orch, role) {
  const now = Math.floor(Date.now() / 1000);
  return craftToken(orch.jwtSecret, { sub: `key:${role}`, role, iat: now, exp: now + 3600, iss: 'fortfail', jti: uid('j'), rv: 2 });
}

const waitFor = (fn, what, ms = 8000) => until(what, fn, ms);

describe('prometheus text parser (test support)', () => {
  const good = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 2\n' +
    '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3.5\nh_count 2\n';
  it('accepts a well-formed exposition', () => {
    const f = parsePromText(good);
    assert.equal(sampleValue(f, 'a_total', { x: '1' }), 2);
    assert.equal(sampleValue(f, 'h_count'), 2);
  });
  for (const [what, text] of [
    ['a missing final newline', good.slice(0, -1)],
    ['an unescaped quote', 'a{x="q"q"} 1\n'],
    ['a bad escape', 'a{x="\\t"} 1\n'],
    ['a bad metric name', '1a 1\n'],
    ['a duplicate series', 'a 1\na 2\n'],
    ['non-contiguous samples', 'a 1\nb 1\na{x="1"} 1\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['non-cumulative buckets', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf differing from _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n'],
    ['a negative counter', '# TYPE c counter\nc -1\n'],
    ['a bad value', 'a one\n'],
  ]) {
    it(`refuses ${what}`, () => assert.throws(() => parsePromText(text)));
  }
});

for (const db of dbKinds()) {
  describe(`GET /metrics on ${db}`, () => {
    let orch, op;
    before(async () => {
      orch = await startOrchestrator({ db });
      op = await orch.operatorToken();
    });
    after(async () => { await orch?.stop(); });

    const scrape = async (token = op) => {
      const r = await orch.api('GET', '/metrics', { token });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      return parsePromText(r.text);
    };

    it('needs an operator token unless ORCH_METRICS_PUBLIC=1', async () => {
      assert.equal((await orch.api('GET', '/metrics')).status, 401);
      assert.equal((await orch.api('GET', '/metrics', { token: roleToken(orch, 'viewer') })).status, 403);
      assert.equal((await orch.api('GET', '/metrics', { token: await orch.agentToken(uid('ag')) })).status, 403);
      await scrape(roleToken(orch, 'operator'));
    });

    it('exposes every documented family with its type', async () => {
      const f = await scrape();
      for (const [name, type] of Object.entries(FAMILIES)) {
        assert.ok(f.has(name), `family ${name} missing`);
        assert.equal(f.get(name).type, type, name);
        assert.ok(f.get(name).help, `${name} has no HELP`);
      }
    });

    it('moves under load, labelled by route pattern rather than path', async () => {
      const before = await scrape();
      const agent = uid('m');
      const tok = await orch.agentToken(agent);
      const body = randomBytes(1000);
      const checksum = createHash('sha256').update(body).digest('hex');
      const snaps = [];
      for (let i = 0; i < 3; i++) {
        const id = uid('msnap');
        assert.equal((await orch.api('POST', '/snapshots', { token: tok, json: { id, agent_id: agent, checksum, size: body.length } })).status, 200);
        const put = await orch.api('PUT', `/snapshots/${id}/object`, { token: tok, body, headers: { 'content-type': 'application/octet-stream' } });
        assert.ok(put.status < 300, put.text);
        snaps.push(id);
      }
      const N = 25;
      await Promise.all(Array.from({ length: N }, (_, i) => orch.api('GET', `/snapshots/${snaps[i % 3]}`, { token: op })));
      const job = await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snaps[0], target_agent_id: agent } });
      assert.equal(job.status, 200, job.text);
      assert.equal((await orch.api('POST', `/agent/${agent}/events`, { token: tok, json: { job_id: job.json.id, event_type: 'restore_failed', message: 'disk full' } })).status, 200);
      const ev = await openEvents(`${orch.wsUrl}?token=${op}`);
      try {
        const after = await scrape();
        const route = { method: 'GET', route: '/snapshots/{id}', status: '200' };
        const count = (f) => sampleValue(f, 'fortfail_http_requests_total', route) ?? 0;
        assert.equal(count(after) - count(before), N);
        const hcount = (f) => sampleValue(f, 'fortfail_http_request_duration_seconds_count', route) ?? 0;
        assert.equal(hcount(after) - hcount(before), N);
        // No series carries a raw path.
        for (const s of after.get('fortfail_http_requests_total').samples) {
          assert.ok(!snaps.some((id) => s.labels.route.includes(id)), s.labels.route);
        }
        const walBefore = sampleValue(before, 'fortfail_wal_records_written_total');
        assert.ok(sampleValue(after, 'fortfail_wal_records_written_total') >= walBefore + 8);
        assert.ok(sampleValue(after, 'fortfail_wal_fsync_duration_seconds_count') > sampleValue(before, 'fortfail_wal_fsync_duration_seconds_count'));
        assert.ok(sampleValue(after, 'fortfail_wal_append_duration_seconds_count') >= sampleValue(before, 'fortfail_wal_append_duration_seconds_count') + 8);
        assert.equal(sampleValue(after, 'fortfail_websocket_clients'), 1);
      } finally {
        ev.ws.close();
      }
      // Database gauges are cached for ~2 s: wait for them to catch up.
      await waitFor(async () => {
        const f = await scrape();
        const v = {
          failed: sampleValue(f, 'fortfail_jobs', { kind: 'restore', status: 'failed' }),
          available: sampleValue(f, 'fortfail_snapshots', { status: 'available' }),
          bytes: sampleValue(f, 'fortfail_stored_bytes', { kind: 'snapshot', status: 'available' }),
          online: sampleValue(f, 'fortfail_agents', { state: 'online' }),
          age: sampleValue(f, 'fortfail_agent_last_backup_age_seconds', { agent_id: agent }),
          ws: sampleValue(f, 'fortfail_websocket_clients'),
        };
        v.ok = v.failed === 1 && v.available === 3 && v.bytes === 3000 && v.online >= 1 &&
          v.age >= 0 && v.age < 60 && v.ws === 0;
        return v;
      }, 'database gauges');
    });
  });
}

describe('GET /metrics with ORCH_METRICS_PUBLIC=1', () => {
  let orch;
  before(async () => { orch = await startOrchestrator({ env: { ORCH_METRICS_PUBLIC: '1' } }); });
  after(async () => { await orch?.stop(); });
  it('answers without a token', async () => {
    const r = await orch.api('GET', '/metrics');
    assert.equal(r.status, 200, r.text);
    assert.ok(parsePromText(r.text).has('fortfail_http_requests_total'));
  });
});
