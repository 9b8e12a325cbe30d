// Jobs: restore and backup jobs with live status, progress and log lines.
import { useEffect, useState } from 'preact/hooks';

import { ApiError, request } from '../api';
import { loadJobDetail, watchJob } from '../data';
import { formatBytes, formatDate, formatDuration, formatTime, toMillis } from '../format';
import { href } from '../router';
import { may, roleHint, tokenRole } from '../role';
import type { Route } from '../router';
import type { State } from '../store';
import { isFinished } from '../types';
import type { Job, JobKind, JobLog, JobStatus } from '../types';
import { BackupDialog } from './Dialogs';
import { Badge, Empty, PageHeader, ProgressBar, RelTime } from './common';

function duration(j: Job, now: number): string {
  const start = toMillis(j.created_at);
  const end = isFinished(j.status) ? toMillis(j.updated_at) : Math.max(now, Date.now());
  return formatDuration((end - start) / 1000);
}

export function JobsPage({ state, jobs, route }: { state: State; jobs: Job[]; route: Route }) {
  const kind = route.parts[1] as JobKind | undefined;
  const id = route.parts[2];
  if ((kind === 'restore' || kind === 'backup') && id) return <JobDetail state={state} jobs={jobs} kind={kind} id={id} />;
  return <JobList state={state} jobs={jobs} />;
}

function JobList({ state, jobs }: { state: State; jobs: Job[] }) {
  const [kind, setKind] = useState<JobKind | ''>('');
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [backup, setBackup] = useState(false);
  const backupSupported = state.backupJobs !== null;
  const rows = jobs.filter((j) => (!kind || j.kind === kind) && (!status || j.status === status));
  return (
    <>
      <PageHeader
        title="Jobs"
        sub={
          backupSupported
            ? 'Restores and backups, newest first. Progress and log lines arrive live from the agents.'
            : 'Restores, newest first. Progress and log lines arrive live from the agents.'
        }
      >
        <a class="btn" href={href('snapshots')}>
          New restore…
        </a>
        {backupSupported && (
          <button
            type="button"
            class="btn btn-primary"
            onClick={() => setBackup(true)}
            disabled={state.agents.length === 0 || !may(tokenRole(state.token), 'operator')}
            title={may(tokenRole(state.token), 'operator') ? undefined : roleHint('operator')}
          >
            New backup…
          </button>
        )}
      </PageHeader>
      <div class="toolbar" role="search" aria-label="Filter jobs">
        {backupSupported && (
          <div class="field">
            <label for="job-kind">Kind</label>
            <select id="job-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as JobKind | '')}>
              <option value="">Restores and backups</option>
              <option value="restore">Restores</option>
              <option value="backup">Backups</option>
            </select>
          </div>
        )}
        <div class="field">
          <label for="job-status">Status</label>
          <select id="job-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as JobStatus | '')}>
            <option value="">Any status</option>
            <option value="pending">pending</option>
            <option value="in_progress">in progress</option>
            <option value="completed">completed</option>
            <option value="failed">failed</option>
            <option value="cancelled">cancelled</option>
          </select>
        </div>
        <p class="toolbar-count muted">
          {rows.length} job{rows.length === 1 ? '' : 's'}
        </p>
      </div>
      <section class="card flush">
        {rows.length === 0 ? (
          <Empty title={jobs.length ? 'No job matches these filters' : 'No jobs yet'}>
            {jobs.length ? null : (
              <>
                Start one from the <a href={href('snapshots')}>Snapshots</a> page: pick a snapshot, then “Restore…”.
              </>
            )}
          </Empty>
        ) : (
          <table class="table responsive" aria-label="Jobs">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">What</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((j) => (
                <tr key={`${j.kind}:${j.id}`} data-job={j.id}>
                  <th scope="row" data-label="Job" class="mono">
                    <span class={`kind kind-${j.kind}`}>{j.kind}</span> <a href={href('jobs', j.kind, j.id)}>{j.id}</a>
                  </th>
                  <td data-label="What" class="wrap">
                    {j.kind === 'restore' ? (
                      <>
                        <a href={href('snapshots', j.snapshot_id ?? '')} class="mono">
                          {j.snapshot_id}
                        </a>{' '}
                        → <span class="mono">{j.agent_id}</span>
                      </>
                    ) : (
                      <>
                        <span class="mono">{j.agent_id}</span>
                        {j.snapshot_id && (
                          <>
                            {' '}
                            → <a href={href('snapshots', j.snapshot_id)}>{j.snapshot_id}</a>
                          </>
                        )}
                      </>
                    )}
                  </td>
                  <td data-label="Status">
                    <Badge status={j.status} />
                  </td>
                  <td data-label="Progress" class="progress-cell">
                    {j.status === 'in_progress' && state.progress[j.id] ? (
                      <ProgressBar progress={state.progress[j.id]} label={`Progress of ${j.kind} job ${j.id}`} />
                    ) : (
                      <span class="muted small">{state.lastMessage[j.id] ?? (j.status === 'pending' ? 'waiting for the agent' : '')}</span>
                    )}
                  </td>
                  <td data-label="Started">
                    <RelTime iso={j.created_at} now={state.now} />
                  </td>
                  <td data-label="Duration">{duration(j, state.now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {backup && <BackupDialog agents={state.agents} onClose={() => setBackup(false)} />}
    </>
  );
}

// POST /{kind}-jobs/{id}/cancel: a pending job's command is withdrawn; a
// running one stops when its agent next reports.
function CancelButton({ state, kind, id, onError }: { state: State; kind: JobKind; id: string; onError: (e: string | null) => void }) {
  const [busy, setBusy] = useState(false);
  const allowed = may(tokenRole(state.token), 'operator');
  const cancel = async () => {
    setBusy(true);
    onError(null);
    try {
      await request('POST', `/${kind}-jobs/${encodeURIComponent(id)}/cancel`, {});
      await loadJobDetail(kind, id);
    } catch (e) {
      onError(e instanceof ApiError ? e.detail : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      class="btn btn-danger"
      data-testid="cancel-job"
      onClick={cancel}
      disabled={busy || !allowed}
      title={allowed ? 'Cancel this job: a queued command is withdrawn, a running agent stops at its next report' : roleHint('operator')}
    >
      {busy ? 'Cancelling…' : 'Cancel job'}
    </button>
  );
}

// Where a finished restore went, as its completion event says (`path`), for
// jobs created without a target path.
function restoredTo(logs: JobLog[]): string | null {
  for (let i = logs.length - 1; i >= 0; i--) {
    const l = logs[i];
    const path = (l.metadata as Record<string, unknown> | undefined)?.path;
    if (/^restore_(completed|success)$/.test(l.event_type) && typeof path === 'string' && path) return path;
  }
  return null;
}

function JobDetail({ state, jobs, kind, id }: { state: State; jobs: Job[]; kind: JobKind; id: string }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setError(null);
    loadJobDetail(kind, id).catch((e) => setError(e instanceof ApiError ? e.detail : String(e)));
    return watchJob(kind, id);
  }, [kind, id]);
  const j = jobs.find((x) => x.kind === kind && x.id === id);
  const logs = state.logs[id] ?? [];
  const progress = state.progress[id];
  const restoredPath = kind === 'restore' ? restoredTo(logs) : null;
  const crumbs = (
    <nav class="crumbs" aria-label="Breadcrumb">
      <a href={href('jobs')}>Jobs</a> <span aria-hidden="true">/</span> <span aria-current="page">{id}</span>
    </nav>
  );
  if (!j) {
    return (
      <>
        {crumbs}
        <PageHeader title={`${kind === 'restore' ? 'Restore' : 'Backup'} job ${id}`} />
        <Empty title={error ?? 'Loading…'} />
      </>
    );
  }
  return (
    <>
      {crumbs}
      <div class="page-header">
        <div class="title-row">
          <h1>{`${kind === 'restore' ? 'Restore' : 'Backup'} job ${id}`}</h1>
          <span class="job-status" data-testid="job-status" aria-live="polite">
            <Badge status={j.status} />
          </span>
          {(j.status === 'pending' || j.status === 'in_progress') && <CancelButton state={state} kind={kind} id={id} onError={setError} />}
        </div>
        {error && j && (
          <p class="notice notice-bad" role="alert">
            {error}
          </p>
        )}
      </div>
      <section class="card" aria-labelledby="job-progress">
        <h2 id="job-progress" class="card-title">
          {j.status === 'completed'
            ? 'Completed'
            : j.status === 'failed'
              ? 'Failed'
              : j.status === 'cancelled'
                ? 'Cancelled'
                : j.status === 'pending'
                  ? 'Waiting for the agent to pick it up'
                  : 'In progress'}
          <span class="card-sub">{duration(j, state.now)}</span>
        </h2>
        {progress ? (
          <ProgressBar
            progress={j.status === 'completed' ? { ...progress, done: progress.total } : progress}
            label={`Progress of ${kind} job ${id}`}
            tone={j.status === 'completed' ? 'ok' : j.status === 'failed' ? 'bad' : undefined}
          />
        ) : (
          <p class="muted">
            {j.status === 'pending'
              ? `The command is queued for ${j.agent_id}; it starts when the agent next polls.`
              : 'No progress reported.'}
          </p>
        )}
        <dl class="facts">
          {kind === 'restore' ? (
            <>
              <dt>Snapshot</dt>
              <dd class="mono">
                <a href={href('snapshots', j.snapshot_id ?? '')}>{j.snapshot_id}</a>
              </dd>
              <dt>Target agent</dt>
              <dd class="mono">{j.agent_id}</dd>
              <dt>Target path</dt>
              <dd class="mono ids" data-testid="target-path">
                {j.target_path ??
                  (restoredPath !== null ? (
                    <>
                      {restoredPath} <span class="muted">(the agent's default)</span>
                    </>
                  ) : (
                    <span class="muted">agent default (RESTORE_DIR/{j.snapshot_id})</span>
                  ))}
              </dd>
            </>
          ) : (
            <>
              <dt>Agent</dt>
              <dd class="mono">{j.agent_id}</dd>
              <dt>Paths</dt>
              <dd class="mono">{j.paths.length ? j.paths.join(', ') : <span class="muted">agent default (BACKUP_DIR)</span>}</dd>
              <dt>Snapshot</dt>
              <dd class="mono">{j.snapshot_id ? <a href={href('snapshots', j.snapshot_id)}>{j.snapshot_id}</a> : <span class="muted">not yet</span>}</dd>
            </>
          )}
          <dt>Created</dt>
          <dd>{formatDate(j.created_at)}</dd>
          <dt>Updated</dt>
          <dd>{formatDate(j.updated_at)}</dd>
        </dl>
      </section>
      <section class="card flush" aria-labelledby="job-log">
        <h2 id="job-log" class="card-title pad">
          Log <span class="card-sub">{logs.length} line{logs.length === 1 ? '' : 's'}, live</span>
        </h2>
        {logs.length === 0 ? (
          <Empty title="No events from the agent yet" />
        ) : (
          <div role="log" aria-live="polite" aria-label={`Log of ${kind} job ${id}`}>
          <ol class="log">
            {logs.map((l, i) => {
              const md = l.metadata ?? {};
              const done = Number((md as Record<string, unknown>).bytes_done);
              const total = Number((md as Record<string, unknown>).bytes_total);
              return (
                <li key={i} class="log-line" data-event-type={l.event_type}>
                  <time dateTime={l.timestamp} title={formatDate(l.timestamp)}>
                    {formatTime(l.timestamp)}
                  </time>
                  <span class={`tag tag-${/fail|error/.test(l.event_type) ? 'bad' : /complete|success/.test(l.event_type) ? 'ok' : 'info'}`}>
                    {l.event_type}
                  </span>
                  <span class="log-msg">
                    {l.message}
                    {Number.isFinite(done) && Number.isFinite(total) && total > 0 && (
                      <span class="muted">
                        {' '}
                        ({formatBytes(done)} / {formatBytes(total)})
                      </span>
                    )}
                  </span>
                </li>
              );
            })}
          </ol>
          </div>
        )}
      </section>
    </>
  );
}
