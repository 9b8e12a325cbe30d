// Overview: the system at a glance — who is online, what is stored, what runs.
import type { ComponentChildren } from 'preact';

import { formatBytes, formatDuration, toMillis } from '../format';
import { href } from '../router';
import { isEncrypted, logicalSize, storedBytes } from '../snapshot';
import type { State } from '../store';
import type { Job } from '../types';
import { JobDurationChart, StoredBytesChart } from './Charts';
import { describeRecord, describeTokens, eventTone, groupTokens } from './Events';
import { Badge, Empty, PageHeader, ProgressBar, RelTime } from './common';

function count<T>(items: T[], pred: (t: T) => boolean): number {
  let n = 0;
  for (const i of items) if (pred(i)) n++;
  return n;
}

function Stat({ title, value, detail, link, linkText }: { title: string; value: string; detail: ComponentChildren; link: string; linkText: string }) {
  return (
    <section class="card stat" aria-label={title}>
      <h2 class="stat-title">{title}</h2>
      <p class="stat-value">{value}</p>
      <div class="stat-detail">{detail}</div>
      <a class="stat-link" href={link}>
        {linkText} →
      </a>
    </section>
  );
}

export function Overview({ state, jobs }: { state: State; jobs: Job[] }) {
  const { agents, snapshots, now } = state;
  const online = count(agents, (a) => a.status === 'online');
  const available = snapshots.filter((s) => s.status === 'available');
  const stored = available.reduce((n, s) => n + (storedBytes(s) ?? 0), 0);
  const logical = available.reduce((n, s) => n + (logicalSize(s) ?? 0), 0);
  const unencrypted = count(available, (s) => !isEncrypted(s));
  const active = jobs.filter((j) => j.status === 'pending' || j.status === 'in_progress');
  const finished = jobs.filter((j) => j.status === 'completed' || j.status === 'failed');
  // Runs of sign-ins (token minted) fold into one line, as on the Events page.
  const recent = groupTokens(state.events.slice(-200).reverse()).slice(0, 8);
  const byStatus = (st: string) => count(jobs, (j) => j.status === st);

  return (
    <>
      <PageHeader title="Overview" sub="The state of this orchestrator, updated live.">
        <a class="btn btn-primary" href={href('snapshots')}>
          Restore a snapshot
        </a>
      </PageHeader>

      {agents.length === 0 && (
        <p class="notice notice-info">
          No agent has contacted this orchestrator yet. Start <code>fortfail-agent</code> with{' '}
          <code>ORCHESTRATOR_URL={window.location.origin}</code> and the registration secret; it appears here as soon as it
          polls.
        </p>
      )}

      <div class="stats">
        <Stat
          title="Agents"
          value={`${online} online`}
          detail={
            <>
              <Badge status="offline" label={`${agents.length - online} offline`} />
              <span class="muted">
                of {agents.length} agent{agents.length === 1 ? '' : 's'}
              </span>
            </>
          }
          link={href('agents')}
          linkText="All agents"
        />
        <Stat
          title="Snapshots"
          value={String(state.snapshotsTotal)}
          detail={
            <>
              <Badge status="available" label={`${available.length} available`} />{' '}
              <Badge status="pending" label={`${count(snapshots, (s) => s.status === 'pending')} pending`} />{' '}
              <Badge status="corrupt" label={`${count(snapshots, (s) => s.status === 'corrupt')} corrupt`} />
            </>
          }
          link={href('snapshots')}
          linkText="Browse snapshots"
        />
        <Stat
          title="Jobs"
          value={active.length ? `${active.length} running` : 'idle'}
          detail={
            <>
              <Badge status="pending" label={`${byStatus('pending')} pending`} />{' '}
              <Badge status="in_progress" label={`${byStatus('in_progress')} in progress`} />{' '}
              <Badge status="completed" label={`${byStatus('completed')} completed`} />{' '}
              <Badge status="failed" label={`${byStatus('failed')} failed`} />
            </>
          }
          link={href('jobs')}
          linkText="All jobs"
        />
        <Stat
          title="Bytes stored"
          value={formatBytes(stored)}
          detail={
            <>
              <span class="muted">
                added by {available.length} available snapshot{available.length === 1 ? '' : 's'}
                {logical > stored ? ` holding ${formatBytes(logical)} of files` : ''}
              </span>
              {unencrypted > 0 && <Badge status="not_encrypted" label={`${unencrypted} not encrypted`} />}
            </>
          }
          link={href('snapshots')}
          linkText="Snapshots"
        />
      </div>

      <div class="grid-2">
        <section class="card" aria-labelledby="chart-bytes">
          <h2 id="chart-bytes" class="card-title">
            Snapshot bytes over time
          </h2>
          <StoredBytesChart snapshots={snapshots} />
        </section>
        <section class="card" aria-labelledby="chart-durations">
          <h2 id="chart-durations" class="card-title">
            Job durations
            {finished.length > 0 && (
              <span class="card-sub">
                median{' '}
                {formatDuration(
                  median(finished.map((j) => (toMillis(j.updated_at) - toMillis(j.created_at)) / 1000)),
                )}
              </span>
            )}
          </h2>
          <JobDurationChart jobs={jobs} />
        </section>
      </div>

      <div class="grid-2">
        <section class="card" aria-labelledby="active-jobs">
          <h2 id="active-jobs" class="card-title">
            Running jobs
          </h2>
          {active.length === 0 ? (
            <Empty title="Nothing running">Start a restore from the Snapshots page.</Empty>
          ) : (
            <ul class="list">
              {active.slice(0, 6).map((j) => (
                <li key={`${j.kind}:${j.id}`} class="list-item">
                  <div class="list-row">
                    <a href={href('jobs', j.kind, j.id)}>
                      {j.kind} {j.id}
                    </a>
                    <Badge status={j.status} />
                  </div>
                  <div class="muted small">
                    {j.kind === 'restore' ? `snapshot ${j.snapshot_id} → ${j.agent_id}` : `on ${j.agent_id}`} · started{' '}
                    <RelTime iso={j.created_at} now={now} />
                  </div>
                  <ProgressBar progress={state.progress[j.id]} label={`Progress of ${j.kind} job ${j.id}`} />
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="recent-events">
          <h2 id="recent-events" class="card-title">
            Recent events <a class="card-link" href={href('events')}>All events →</a>
          </h2>
          {recent.length === 0 ? (
            <Empty title="No events yet">Everything that changes shows up here as it happens.</Empty>
          ) : (
            <ul class="list compact">
              {recent.map((row) =>
                row.kind === 'tokens' ? (
                  <li key={`tokens-${row.recs[0].seq}`} class="list-item event-line">
                    <span class="tag tag-muted">token minted ×{row.recs.length}</span>
                    <span class="event-text">{describeTokens(row.recs)}</span>
                    <RelTime iso={row.recs[0].timestamp} now={now} />
                  </li>
                ) : (
                  <li key={row.rec.seq} class="list-item event-line">
                    <span class={`tag tag-${eventTone(row.rec)}`}>{row.rec.event.replace(/_/g, ' ')}</span>
                    <span class="event-text">{describeRecord(row.rec)}</span>
                    <RelTime iso={row.rec.timestamp} now={now} />
                  </li>
                ),
              )}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

function median(xs: number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return Number.NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
