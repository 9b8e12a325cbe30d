// The live event stream: a WebSocket on /ws?token=..., reconnected with
// exponential backoff and jitter. Each reconnect asks for `?since=<last seq>`,
// so the server replays whatever happened while the link was down: no record is
// missed, and one seen twice (replay overlapping live) is dropped by its seq.
import { request } from './api';
import { getState, setState } from './store';
import type { WalRecord } from './types';

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
const INITIAL_HISTORY = 500; // records replayed on the first connect

export class EventLink {
  private ws: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private greeted = false;
  private token = '';
  private holdUntil = 0;

  constructor(private readonly onRecord: (r: WalRecord) => void) {}

  start(token: string): void {
    this.stop();
    this.token = token;
    this.stopped = false;
    setState((s) => ({ link: { ...s.link, state: 'connecting', attempt: 0, retryAt: null } }));
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000, 'signed out');
    setState((s) => ({ link: { ...s.link, state: 'stopped', retryAt: null } }));
  }

  // Test hook: drops the link as a network failure would, and keeps it down for
  // at least `holdMs` so a test can make things happen while it is down.
  dropForTesting(holdMs = 0): void {
    this.holdUntil = Date.now() + holdMs;
    this.ws?.close(4000, 'dropped for testing');
  }

  reconnectNow(): void {
    if (this.stopped || this.ws) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.open();
  }

  private async startSeq(): Promise<number> {
    const last = getState().link.lastSeq;
    if (last > 0) return last;
    // First connect: recent history only, not the whole log since the beginning.
    try {
      const r = await request<{ wal_head?: { seq?: number } }>('GET', '/health/ready', undefined, {
        token: '',
        allowStatus: [503],
      });
      const head = Number(r.data?.wal_head?.seq ?? 0);
      return Math.max(0, head - INITIAL_HISTORY);
    } catch {
      return 0;
    }
  }

  private async open(): Promise<void> {
    const since = await this.startSeq();
    if (this.stopped) return;
    const url = new URL('/ws', window.location.href);
    url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', this.token);
    // Always pass `since`: without it the server streams live records only.
    url.searchParams.set('since', String(since));
    this.greeted = false;
    const ws = new WebSocket(url.toString());
    this.ws = ws;
    ws.onmessage = (m) => {
      if (this.ws !== ws || typeof m.data !== 'string') return;
      let rec: WalRecord;
      try {
        rec = JSON.parse(m.data) as WalRecord;
      } catch {
        return;
      }
      if (rec.event === 'connected') {
        this.greeted = true;
        setState((s) => ({ link: { ...s.link, state: 'live', attempt: 0, retryAt: null } }));
        return;
      }
      if (typeof rec.seq !== 'number') return;
      const link = getState().link;
      if (rec.seq <= link.lastSeq) return;
      setState((s) => ({ link: { ...s.link, lastSeq: rec.seq as number } }));
      this.onRecord(rec);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      // Refused before the greeting: maybe the token is no longer valid. A cheap
      // authenticated request finds out (a 401 signs out and stops this link).
      if (!this.greeted) void request('GET', '/agents').catch(() => {});
      this.schedule();
    };
  }

  private schedule(): void {
    const attempt = getState().link.attempt;
    const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt) * (0.8 + Math.random() * 0.4);
    const delay = Math.max(backoff, this.holdUntil - Date.now());
    setState((s) => ({
      link: { ...s.link, state: 'reconnecting', attempt: attempt + 1, retryAt: Date.now() + delay },
    }));
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) void this.open();
    }, delay);
  }
}
