// A small WebSocket test client: collects messages and waits for matching ones.
import WebSocket from 'ws';

export function openEvents(url, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages = [];
    const waiters = [];
    const timer = setTimeout(() => reject(new Error('ws open timeout')), timeoutMs);
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      messages.push(msg);
      for (const w of [...waiters]) {
        if (w.pred(msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(msg);
        }
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`ws refused: ${res.statusCode}`), { statusCode: res.statusCode }));
    });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
    ws.on('open', () => {
      clearTimeout(timer);
      resolve({
        ws,
        messages,
        closed: new Promise((r) => ws.on('close', (code) => r(code))),
        waitFor(pred, ms = 3000) {
          const found = messages.find(pred);
          if (found) return Promise.resolve(found);
          return new Promise((res, rej) => {
            const w = { pred, resolve: res };
            waiters.push(w);
            setTimeout(() => {
              const i = waiters.indexOf(w);
              if (i >= 0) { waiters.splice(i, 1); rej(new Error(`ws: no matching message within ${ms} ms; got ${JSON.stringify(messages.map((m) => m.event))}`)); }
            }, ms);
          });
        },
        close() { ws.close(); },
      });
    });
  });
}
