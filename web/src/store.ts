// The app's state: one object, replaced (never mutated) on each change, and a
// hook that re-renders a component when it changes. Notifications are batched so
// a burst of live events costs one render.
import { useEffect, useState } from 'preact/hooks';

import type { Agent, BackupJob, JobLog, RestoreJob, Snapshot, WalRecord } from './types';

export const TOKEN_KEY = 'fortfail.token';
export const MAX_EVENTS = 1000;

export interface Progress {
  done: number;
  total: number;
  at: string; // the latest sample's time
  firstDone: number; // the first sample of this transfer (progress.ts)
  firstAt: string;
}

export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'info';
  text: string;
}

export interface State {
  token: string | null;
  signInMessage: string | null;
  loaded: boolean;
  loadError: string | null;
  agents: Agent[];
  snapshots: Snapshot[];
  snapshotsTotal: number;
  restoreJobs: RestoreJob[];
  restoreJobsTotal: number;
  backupJobs: BackupJob[] | null; // null: this orchestrator has no backup jobs
  backupJobsTotal: number;
  logs: Record<string, JobLog[]>; // by job id, for jobs whose detail was loaded
  progress: Record<string, Progress>; // by job id, from progress events
  lastMessage: Record<string, string>; // by job id: the latest log line
  events: WalRecord[]; // oldest first, at most MAX_EVENTS
  link: { state: LinkState; lastSeq: number; attempt: number; retryAt: number | null };
  toasts: Toast[];
  now: number; // ticks so relative times stay fresh
}

function storedToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export const initialState = (): State => ({
  token: storedToken(),
  signInMessage: null,
  loaded: false,
  loadError: null,
  agents: [],
  snapshots: [],
  snapshotsTotal: 0,
  restoreJobs: [],
  restoreJobsTotal: 0,
  backupJobs: null,
  backupJobsTotal: 0,
  logs: {},
  progress: {},
  lastMessage: {},
  events: [],
  link: { state: 'stopped', lastSeq: 0, attempt: 0, retryAt: null },
  toasts: [],
  now: Date.now(),
});

let state: State = initialState();
const listeners = new Set<() => void>();
let scheduled = false;

export const getState = (): State => state;

export function setState(patch: Partial<State> | ((s: State) => Partial<State>)): void {
  const p = typeof patch === 'function' ? patch(state) : patch;
  state = { ...state, ...p };
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    for (const l of [...listeners]) l();
  }, 0);
}

export function useAppState(): State {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return state;
}

let toastSeq = 0;
export function toast(kind: Toast['kind'], text: string, ms = 6000): void {
  const id = ++toastSeq;
  setState((s) => ({ toasts: [...s.toasts, { id, kind, text }].slice(-4) }));
  setTimeout(() => setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })), ms);
}

export function saveToken(token: string | null): void {
  try {
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lives in memory only */
  }
}
