// ORCH_TRUSTED_PROXIES: behind haproxy every client arrives from haproxy's
// address, so the per-address token-mint limit would lump a whole fleet
// together. X-Forwarded-For names the client, but only when the peer is a
// trusted proxy: anyone else could write any address into it.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOrchestrator } from '../support/orchestrator.mjs';

const limits = { ORCH_TOKEN_RATE_BURST: '2', ORCH_TOKEN_RATE_PER_SECOND: '0.001', ORCH_LOG_LEVEL: 'info' };

async function mint(orch, forwardedFor) {
  const r = await orch.api('POST', '/auth/token', {
    json: { registration_secret: orch.regSecret, agent_id: 'xff-agent' },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
  return r.status;
}

describe('X-Forwarded-For', () => {
  const started = [];
  after(async () => { for (const o of started) await o.stop(); });

  it('limits token mints per forwarded client when the peer is a trusted proxy', async () => {
    const orch = await startOrchestrator({ env: { ...limits, ORCH_TRUSTED_PROXIES: '127.0.0.1, ::1' } });
    started.push(orch);
    assert.deepEqual([await mint(orch, '198.51.100.1'), await mint(orch, '198.51.100.1'), await mint(orch, '198.51.100.1')], [200, 200, 429]);
    assert.equal(await mint(orch, '198.51.100.2'), 200, 'another client behind the proxy has its own budget');
    // A spoofed entry left of what the proxy appended is not believed.
    assert.equal(await mint(orch, '198.51.100.2, 198.51.100.1'), 429);
    assert.match(orch.log, /client=198\.51\.100\.2 method=POST path=\/auth\/token/);
  });

  it('ignores the header from peers that are not trusted', async () => {
    const orch = await startOrchestrator({ env: limits });
    started.push(orch);
    assert.deepEqual([await mint(orch, '198.51.100.1'), await mint(orch, '198.51.100.2'), await mint(orch, '198.51.100.3')], [200, 200, 429]);
    assert.doesNotMatch(orch.log, /client=198\.51\.100/);
  });

  it('refuses a malformed ORCH_TRUSTED_PROXIES at start, naming the entry', async () => {
    await assert.rejects(startOrchestrator({ env: { ORCH_TRUSTED_PROXIES: '10.0.0.0/8, haproxy.local' } }),
      /ORCH_TRUSTED_PROXIES: 'haproxy\.local' is not an IP address or CIDR range/);
  });
});
