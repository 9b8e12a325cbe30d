// The live events feed: every WAL record streamed on /ws, newest first.
import { useState } from 'preact/hooks';

import { formatBytes, formatDate, formatTime, percent } from '../format';
import { link } from '../data';
import { href } from '../router';
import type { State } from '../store';
import type { WalRecord } from '../types';
import { Empty, PageHeader } from './common';

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function describeRecord(r: WalRecord): string {
  const agent = str(r.agent_id);
  const job = str(r.job_id);
  const snap = str(r.snapshot_id);
  switch (r.event) {
    case 'token_minted':
      return r.role === 'agent' ? `Agent ${agent} signed in` : 'Operator signed in';
    case 'agent_registered':
      return `Agent ${agent} registered`;
    case 'snapshot_created':
      return `Snapshot ${snap} registered by ${agent} (${formatBytes(Number(r.size))})`;
    case 'snapshot_uploaded':
      return `Snapshot ${snap} uploaded (${formatBytes(Number(r.size))})`;
    case 'snapshot_verified':
      return `Snapshot ${snap} verified`;
    case 'snapshot_corrupt':
      return `Snapshot ${snap} is corrupt: its bytes do not match the checksum`;
    case 'snapshot_deleted':
      return `Snapshot ${snap} deleted`;
    case 'restore_job_created':
      return `Restore job ${job} created: snapshot ${snap} → ${agent}`;
    case 'backup_job_created':
      return `Backup job ${job} created for ${agent}`;
    case 'command_dispatched':
      return `Sent the ${str(r.command_type) || 'job'} command for job ${job} to ${agent}`;
    case 'command_redelivered':
      return `Sent the ${str(r.command_type) || 'job'} command for job ${job} to ${agent} again (delivery ${str(r.delivery)}, the lease ran out)`;
    case 'agent_event': {
      const md = (r.metadata ?? {}) as Record<string, unknown>;
      const done = Number(md.bytes_done);
      const total = Number(md.bytes_total);
      const progress =
        Number.isFinite(done) && Number.isFinite(total) && total > 0
          ? ` (${Math.round(percent(done, total))}% of ${formatBytes(total)})`
          : '';
      const msg = str(r.message);
      return `${agent}: ${str(r.event_type)}${job ? ` on job ${job}` : ''}${msg ? ` — ${msg}` : ''}${progress}`;
    }
    case 'job_status_changed':
      return `${cap(str(r.kind) || 'job')} job ${job}: ${str(r.from).replace(/_/g, ' ')} → ${str(r.status).replace(/_/g, ' ')}`;
    default: {
      const parts = [agent && `agent ${agent}`, job && `job ${job}`, snap && `snapshot ${snap}`, str(r.status)];
      return parts.filter(Boolean).join(', ') || r.event;
    }
  }
}

export function eventTone(r: WalRecord): string {
  const t = `${r.event} ${str(r.event_type)} ${str(r.status)}`;
  if (/corrupt|fail|error/.test(t)) return 'bad';
  if (/completed|success|verified|uploaded/.test(t)) return 'ok';
  if (r.event === 'agent_event' || r.event.startsWith('command_')) return 'info';
  if (r.event.includes('created')) return 'accent';
  return 'muted';
}

// Feed rows: one per record, except that a run of consecutive "token minted"
// records (every panel or agent sign-in writes one) folds into one row until opened.
export type FeedRow = { kind: 'record'; rec: WalRecord } | { kind: 'tokens'; recs: WalRecord[] };

export function groupTokens(newestFirst: WalRecord[], open: ReadonlySet<number> = new Set()): FeedRow[] {
  const rows: FeedRow[] = [];
  for (const rec of newestFirst) {
    const prev = rows[rows.length - 1];
    if (rec.event === 'token_minted' && prev?.kind === 'tokens') prev.recs.push(rec);
    else if (rec.event === 'token_minted' && prev?.kind === 'record' && prev.rec.event === 'token_minted') {
      rows[rows.length - 1] = { kind: 'tokens', recs: [prev.rec, rec] };
    } else rows.push({ kind: 'record', rec });
  }
  // Opened runs (keyed by their oldest record) show every record again.
  return rows.flatMap((r) =>
    r.kind === 'tokens' && open.has(r.recs[r.recs.length - 1].seq ?? -1) ? r.recs.map((rec) => ({ kind: 'record' as const, rec })) : [r],
  );
}

export function describeTokens(recs: WalRecord[]): string {
  const agents = recs.filter((r) => r.role === 'agent').length;
  const people = recs.length - agents;
  const parts = [people && `${people} sign-in${people === 1 ? '' : 's'} to the panel or API`, agents && (agents === 1 ? '1 by an agent' : `${agents} by agents`)];
  return `${recs.length} tokens minted (${parts.filter(Boolean).join(', ')})`;
}

function recordLink(r: WalRecord): string | null {
  const job = str(r.job_id);
  if (job) {
    const kind = r.kind === 'backup' || str(r.event_type).startsWith('backup') || r.event.startsWith('backup') ? 'backup' : 'restore';
    return href('jobs', kind, job);
  }
  const snap = str(r.snapshot_id);
  if (snap && r.event !== 'snapshot_deleted') return href('snapshots', snap);
  return null;
}

export function LinkStatus({ state }: { state: State }) {
  const l = state.link;
  if (l.state === 'live') {
    return (
      <span class="live live-ok" role="status" title={`Live events connected; last record #${l.lastSeq}`}>
        <span class="live-dot" aria-hidden="true" /> Live
      </span>
    );
  }
  const text = l.state === 'reconnecting' ? 'Reconnecting…' : 'Connecting…';
  const title =
    l.state === 'reconnecting'
      ? `The live event stream is down (attempt ${l.attempt}); it resumes where it left off.`
      : 'Connecting to the live event stream.';
  return (
    <span class="live live-warn" role="status" title={title}>
      <span class="live-dot" aria-hidden="true" /> {text}
    </span>
  );
}

export function EventsPage({ state }: { state: State }) {
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const f = filter.trim().toLowerCase();
  const matching = state.events
    .slice()
    .reverse()
    .filter((r) => !f || `${r.event} ${describeRecord(r)}`.toLowerCase().includes(f));
  // A filter shows each match on its own row.
  const rows: FeedRow[] = (f ? matching.map((rec) => ({ kind: 'record' as const, rec })) : groupTokens(matching, open)).slice(0, 300);
  const l = state.link;
  return (
    <>
      <PageHeader title="Live events" sub="Every change the orchestrator records in its write-ahead log, as it happens.">
        <label class="sr-only" for="event-filter">
          Filter events
        </label>
        <input
          id="event-filter"
          type="search"
          placeholder="Filter: agent, job, event…"
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
        />
      </PageHeader>
      <p class="muted small link-line">
        <LinkStatus state={state} /> {l.lastSeq > 0 && <span>Last record #{l.lastSeq}.</span>}{' '}
        {l.state === 'reconnecting' && (
          <button class="btn btn-small" type="button" onClick={() => link.reconnectNow()}>
            Reconnect now
          </button>
        )}
      </p>
      <section class="card flush" aria-label="Event feed">
        {rows.length === 0 ? (
          <Empty title={f ? 'No event matches the filter' : 'Waiting for events'}>
            {f ? null : 'Agents polling, snapshots arriving and jobs moving all show up here.'}
          </Empty>
        ) : (
          <table class="table responsive events-table" aria-label="Events, newest first">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">What happened</th>
              </tr>
            </thead>
            <tbody aria-live="polite" aria-relevant="additions" data-testid="event-feed">
              {rows.map((row) => {
                if (row.kind === 'tokens') {
                  const newest = row.recs[0];
                  const oldest = row.recs[row.recs.length - 1];
                  return (
                    <tr key={`tokens-${oldest.seq}`} data-seq={newest.seq} data-seq-from={oldest.seq} data-event="token_minted" data-count={row.recs.length}>
                      <td data-label="#" class="num muted">
                        {oldest.seq}–{newest.seq}
                      </td>
                      <td data-label="Time">
                        <time dateTime={newest.timestamp} title={`${formatDate(oldest.timestamp)} to ${formatDate(newest.timestamp)}`}>
                          {formatTime(newest.timestamp)}
                        </time>
                      </td>
                      <td data-label="Event">
                        <span class="tag tag-muted">token minted ×{row.recs.length}</span>
                      </td>
                      <td data-label="What happened" class="wrap">
                        {describeTokens(row.recs)}{' '}
                        <button
                          type="button"
                          class="btn btn-small"
                          onClick={() => setOpen((o) => new Set(o).add(oldest.seq ?? -1))}
                          aria-label={`Show the ${row.recs.length} tokens minted, records ${oldest.seq} to ${newest.seq}`}
                        >
                          Show
                        </button>
                      </td>
                    </tr>
                  );
                }
                const r = row.rec;
                const to = recordLink(r);
                return (
                  <tr key={r.seq} data-seq={r.seq} data-event={r.event}>
                    <td data-label="#" class="num muted">
                      {r.seq}
                    </td>
                    <td data-label="Time">
                      <time dateTime={r.timestamp} title={formatDate(r.timestamp)}>
                        {formatTime(r.timestamp)}
                      </time>
                    </td>
                    <td data-label="Event">
                      <span class={`tag tag-${eventTone(r)}`}>{r.event.replace(/_/g, ' ')}</span>
                    </td>
                    <td data-label="What happened" class="wrap">
                      {describeRecord(r)}
                      {to && (
                        <>
                          {' '}
                          <a class="row-link" href={to} aria-label={`Open ${to.startsWith('#/jobs') ? 'job' : 'snapshot'} of event ${r.seq}`}>
                            open →
                          </a>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
