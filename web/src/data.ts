// Loading the lists, and folding live records into the state. Records update
// what they can at once (job status, progress, log lines), then ask for a
// debounced refresh of the affected lists so the tables converge on the server.
import { ApiError, listAll, request } from './api';
import { EventLink } from './live';
import { addSample } from './progress';
import { MAX_EVENTS, getState, setState } from './store';
import type { Progress } from './store';
import type { Agent, BackupJob, JobKind, JobLog, JobStatus, RestoreJob, Snapshot, WalRecord } from './types';

type Key = 'agents' | 'snapshots' | 'restore' | 'backup';

let backupSupported = true; // false once GET /backup-jobs answered 404
const watched = new Map<string, JobKind>(); // job details on screen

export async function refreshAgents(): Promise<void> {
  const r = await request<Agent[]>('GET', '/agents');
  setState({ agents: Array.isArray(r.data) ? r.data : [] });
}

export async function refreshSnapshots(): Promise<void> {
  const r = await listAll<Snapshot>('/snapshots');
  setState({ snapshots: r.items, snapshotsTotal: r.total });
}

export async function refreshRestoreJobs(): Promise<void> {
  const r = await listAll<RestoreJob>('/restore-jobs');
  setState({ restoreJobs: r.items, restoreJobsTotal: r.total });
  await loadActiveDetails(r.items.filter((j) => j.status === 'in_progress').map((j) => ['restore', j.id]));
}

export async function refreshBackupJobs(): Promise<void> {
  if (!backupSupported) return;
  try {
    const r = await listAll<BackupJob>('/backup-jobs');
    setState({ backupJobs: r.items, backupJobsTotal: r.total });
    await loadActiveDetails(r.items.filter((j) => j.status === 'in_progress').map((j) => ['backup', j.id]));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
      backupSupported = false; // an orchestrator without backup jobs
      setState({ backupJobs: null });
      return;
    }
    throw e;
  }
}

// Progress of running jobs comes from their logs when no live event told us yet.
async function loadActiveDetails(jobs: [JobKind, string][]): Promise<void> {
  const progress = getState().progress;
  const missing = jobs.filter(([, id]) => !progress[id]).slice(0, 10);
  await Promise.all(missing.map(([kind, id]) => loadJobDetail(kind, id).catch(() => {})));
}

const jobPath = (kind: JobKind, id: string) => `/${kind}-jobs/${encodeURIComponent(id)}`;

export async function loadJobDetail(kind: JobKind, id: string): Promise<RestoreJob | BackupJob> {
  const r = await request<RestoreJob | BackupJob>('GET', jobPath(kind, id));
  const job = r.data;
  const logs = job.logs ?? [];
  setState((s) => {
    const patch: Partial<typeof s> = { logs: { ...s.logs, [id]: logs } };
    // The live records' fold is kept while the log agrees with it: their times are
    // more precise than the log's, which matters for the rate over short spans.
    const p = progressFromLogs(logs);
    const cur = s.progress[id];
    if (p && (!cur || cur.done !== p.done || cur.total !== p.total)) patch.progress = { ...s.progress, [id]: p };
    const last = logs[logs.length - 1];
    if (last) patch.lastMessage = { ...s.lastMessage, [id]: last.message || last.event_type };
    if (kind === 'restore') {
      patch.restoreJobs = upsert(s.restoreJobs, { ...(job as RestoreJob), logs: undefined });
    } else if (s.backupJobs) {
      patch.backupJobs = upsert(s.backupJobs, { ...(job as BackupJob), logs: undefined });
    }
    return patch;
  });
  return job;
}

function upsert<T extends { id: string }>(list: T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  if (i < 0) return [item, ...list];
  const copy = list.slice();
  copy[i] = item;
  return copy;
}

// The job's progress after one more log line (unchanged when it has no progress).
function withLog(prev: Progress | undefined, log: JobLog): Progress | undefined {
  const m = (log.metadata ?? {}) as Record<string, unknown>;
  const done = Number(m.bytes_done);
  const total = Number(m.bytes_total);
  if (!Number.isFinite(done) || !Number.isFinite(total) || total <= 0) return prev;
  return addSample(prev, done, total, log.timestamp);
}

const progressFromLogs = (logs: JobLog[]): Progress | undefined => logs.reduce<Progress | undefined>(withLog, undefined);

// Keeps a job's detail (full log) fresh while it is on screen.
export function watchJob(kind: JobKind, id: string): () => void {
  watched.set(id, kind);
  return () => watched.delete(id);
}

export async function loadAll(): Promise<void> {
  try {
    await Promise.all([refreshAgents(), refreshSnapshots(), refreshRestoreJobs(), refreshBackupJobs()]);
    setState({ loaded: true, loadError: null });
  } catch (e) {
    if (!getState().token) return;
    setState({ loaded: true, loadError: e instanceof Error ? e.message : String(e) });
  }
}

// --- debounced refreshes
const pending = new Set<Key | `job:${string}`>();
let timer: ReturnType<typeof setTimeout> | null = null;

export function refreshSoon(...keys: (Key | `job:${string}`)[]): void {
  for (const k of keys) pending.add(k);
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    const keys = [...pending];
    pending.clear();
    if (!getState().token) return;
    const work: Promise<unknown>[] = [];
    for (const k of keys) {
      if (k === 'agents') work.push(refreshAgents());
      else if (k === 'snapshots') work.push(refreshSnapshots());
      else if (k === 'restore') work.push(refreshRestoreJobs());
      else if (k === 'backup') work.push(refreshBackupJobs());
      else {
        const id = k.slice(4);
        const kind = watched.get(id);
        if (kind) work.push(loadJobDetail(kind, id));
      }
    }
    void Promise.allSettled(work);
  }, 300);
}

const FINAL: JobStatus[] = ['completed', 'failed', 'cancelled'];

function setJobStatus(kind: string | undefined, id: string, status: JobStatus, at?: string): void {
  setState((s) => {
    const patch: Partial<typeof s> = {};
    const apply = <T extends { id: string; status: JobStatus; updated_at?: string }>(list: T[]) =>
      list.map((j) =>
        j.id === id && !FINAL.includes(j.status) ? { ...j, status, updated_at: at ?? j.updated_at } : j,
      );
    if (kind !== 'backup') patch.restoreJobs = apply(s.restoreJobs);
    if (kind !== 'restore' && s.backupJobs) patch.backupJobs = apply(s.backupJobs);
    return patch;
  });
}

const JOB_STATUSES: JobStatus[] = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'];

export function applyRecord(rec: WalRecord): void {
  setState((s) => ({ events: s.events.length >= MAX_EVENTS ? [...s.events.slice(1 - MAX_EVENTS), rec] : [...s.events, rec] }));
  const job = typeof rec.job_id === 'string' ? rec.job_id : null;
  switch (rec.event) {
    case 'agent_event': {
      if (job) {
        const log: JobLog = {
          timestamp: rec.timestamp ?? new Date().toISOString(),
          agent_id: rec.agent_id ?? '',
          event_type: rec.event_type ?? '',
          message: rec.message ?? '',
          metadata: (rec.metadata as Record<string, unknown>) ?? {},
        };
        setState((s) => {
          const p = withLog(s.progress[job], log);
          return {
            logs: s.logs[job] ? { ...s.logs, [job]: [...s.logs[job], log] } : s.logs,
            progress: p ? { ...s.progress, [job]: p } : s.progress,
            lastMessage: { ...s.lastMessage, [job]: log.message || log.event_type },
          };
        });
        refreshSoon(`job:${job}`);
      }
      refreshSoon('agents');
      break;
    }
    case 'job_status_changed':
      if (job && JOB_STATUSES.includes(rec.status as JobStatus)) {
        setJobStatus(rec.kind, job, rec.status as JobStatus, rec.timestamp);
      }
      refreshSoon(rec.kind === 'backup' ? 'backup' : 'restore');
      if (job) refreshSoon(`job:${job}`);
      break;
    case 'restore_job_created':
      refreshSoon('restore');
      break;
    case 'backup_job_created':
      refreshSoon('backup');
      break;
    case 'token_minted':
    case 'agent_registered':
    case 'command_dispatched':
    case 'command_redelivered':
      refreshSoon('agents');
      break;
    default:
      if (rec.event.startsWith('snapshot_')) refreshSoon('snapshots', 'agents');
      else if (rec.event.startsWith('backup_')) refreshSoon('backup');
      else if (job) refreshSoon('restore', 'backup');
  }
}

export const link = new EventLink(applyRecord);
