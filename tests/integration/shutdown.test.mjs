// SIGTERM with an agent long-polling and a WebSocket client connected: the
// parked poll is answered at once, the WebSocket gets a close frame (1001
// going away), and the process exits 0 promptly instead of waiting out the
// poll or the shutdown grace period.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startOrchestrator } from '../support/orchestrator.mjs';
import { openEvents } from '../support/ws.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('shutdown', () => {
  it('answers parked long polls, closes WebSockets with a close frame and exits promptly on SIGTERM', async (t) => {
    const orch = await startOrchestrator();
    try {
      const agentToken = await orch.agentToken('sd-1');
      const op = await orch.operatorToken();
      const ev = await openEvents(`${orch.wsUrl}?token=${op}`);
      await ev.waitFor((m) => m.event === 'connected');
      const closeFrame = new Promise((resolve) => ev.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));

      const pollStarted = Date.now();
      const poll = orch.api('GET', '/agent/sd-1/commands?wait=20', { token: agentToken })
        .then((r) => ({ ...r, at: Date.now() }), (e) => ({ error: e, at: Date.now() }));
      await sleep(500); // the poll is parked by now

      const t0 = Date.now();
      orch.proc.kill('SIGTERM');
      const exited = await Promise.race([orch.exitPromise, sleep(15000).then(() => 'timeout')]);
      const elapsed = Date.now() - t0;
      t.diagnostic(`SIGTERM to exit: ${elapsed} ms`);
      assert.notEqual(exited, 'timeout', 'the orchestrator did not exit within 15 s');
      assert.deepEqual(exited, { code: 0, signal: null }, orch.log);
      assert.ok(elapsed < 5000, `shutdown took ${elapsed} ms`);

      const answered = await poll;
      assert.equal(answered.error, undefined, `the long poll failed: ${answered.error}`);
      assert.equal(answered.status, 200);
      assert.deepEqual(answered.json, []);
      assert.ok(answered.at - pollStarted < 5000, 'the long poll waited out its 20 s');

      const close = await Promise.race([closeFrame, sleep(2000).then(() => 'no close')]);
      assert.notEqual(close, 'no close');
      // 1001 comes in a close frame; a connection dropped without one reads as 1006.
      assert.equal(close.code, 1001);
    } finally {
      orch.kill();
    }
  });
});
