// Snapshots: a sortable, filterable table, a detail view, and the restore and
// delete actions.
import { useEffect, useState } from 'preact/hooks';

import { formatBytes, formatDate, toMillis } from '../format';
import { href, navigate } from '../router';
import { may, roleHint, tokenRole } from '../role';
import type { Route } from '../router';
import { ENCRYPTION_WARNING, fileCount, isEncrypted, logicalSize, snapshotFormat, storedBytes } from '../snapshot';
import type { State } from '../store';
import type { Snapshot, SnapshotStatus } from '../types';
import { DeleteDialog, RestoreDialog } from './Dialogs';
import { Badge, Empty, EncryptionBadge, PageHeader, RelTime } from './common';
import { ProveButtons } from './Prove';

type SortKey = 'id' | 'agent_id' | 'status' | 'format' | 'files' | 'logical' | 'stored' | 'created_at';
type Action = { kind: 'restore' | 'delete'; snapshot: Snapshot } | null;

const COLUMNS: { key: SortKey; label: string; cls?: string }[] = [
  { key: 'id', label: 'Snapshot' },
  { key: 'agent_id', label: 'Agent' },
  { key: 'status', label: 'Status' },
  { key: 'format', label: 'Format' },
  { key: 'files', label: 'Files', cls: 'num' },
  { key: 'logical', label: 'Size', cls: 'num' },
  { key: 'stored', label: 'Stored', cls: 'num' },
  { key: 'created_at', label: 'Created' },
];
const NUMERIC = new Set<SortKey>(['files', 'logical', 'stored', 'created_at']);

// Unknown numbers sort below every known one.
const byNumber = (a: number | null, b: number | null): number => (a ?? -1) - (b ?? -1);

function compare(a: Snapshot, b: Snapshot, key: SortKey): number {
  switch (key) {
    case 'files':
      return byNumber(fileCount(a), fileCount(b));
    case 'logical':
      return byNumber(logicalSize(a), logicalSize(b));
    case 'stored':
      return byNumber(storedBytes(a), storedBytes(b));
    case 'created_at':
      return toMillis(a.created_at) - toMillis(b.created_at);
    case 'format':
      return formatLabel(a).localeCompare(formatLabel(b));
    default:
      return String(a[key]).localeCompare(String(b[key]));
  }
}

const formatLabel = (s: Snapshot): string => `${snapshotFormat(s)} ${isEncrypted(s) ? 'encrypted' : 'not encrypted'}`;

function Bytes({ n, unknown }: { n: number | null; unknown: string }) {
  if (n === null) return <span class="muted" title={unknown}>—</span>;
  return <span title={`${n.toLocaleString('en')} bytes`}>{formatBytes(n)}</span>;
}

const count = (n: number | null): string => (n === null ? '—' : n.toLocaleString('en'));

export function SnapshotsPage({ state, route }: { state: State; route: Route }) {
  const id = route.parts[1];
  if (id) return <SnapshotDetail state={state} id={id} />;
  return <SnapshotList state={state} route={route} />;
}

function SnapshotList({ state, route }: { state: State; route: Route }) {
  const [agent, setAgent] = useState(route.query.get('agent') ?? '');
  const [status, setStatus] = useState<SnapshotStatus | ''>((route.query.get('status') as SnapshotStatus) ?? '');
  const [text, setText] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'created_at', desc: true });
  const [action, setAction] = useState<Action>(null);
  useEffect(() => setAgent(route.query.get('agent') ?? ''), [route.query.get('agent')]);

  const { snapshots, agents, now } = state;
  const agentIds = [...new Set([...agents.map((a) => a.id), ...snapshots.map((s) => s.agent_id)])].sort();
  const q = text.trim().toLowerCase();
  const rows = snapshots
    .filter((s) => (!agent || s.agent_id === agent) && (!status || s.status === status))
    .filter((s) => !q || s.id.toLowerCase().includes(q) || s.agent_id.toLowerCase().includes(q))
    .sort((a, b) => (sort.desc ? -1 : 1) * compare(a, b, sort.key));
  const filtered = rows.length !== snapshots.length;

  return (
    <>
      <PageHeader
        title="Snapshots"
        sub="Backups the agents uploaded. Pick one and restore it onto any agent."
      />
      <div class="toolbar" role="search" aria-label="Filter snapshots">
        <div class="field">
          <label for="snap-agent">Agent</label>
          <select id="snap-agent" value={agent} onChange={(e) => setAgent((e.target as HTMLSelectElement).value)}>
            <option value="">All agents</option>
            {agentIds.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="snap-status">Status</label>
          <select id="snap-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as SnapshotStatus | '')}>
            <option value="">Any status</option>
            <option value="available">available</option>
            <option value="pending">pending</option>
            <option value="corrupt">corrupt</option>
          </select>
        </div>
        <div class="field grow">
          <label for="snap-search">Search</label>
          <input id="snap-search" type="search" placeholder="Snapshot or agent id" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </div>
        <p class="toolbar-count muted" aria-live="polite">
          {filtered ? `${rows.length} of ${snapshots.length}` : snapshots.length} snapshot{snapshots.length === 1 ? '' : 's'}
          {state.snapshotsTotal > snapshots.length ? ` (first ${snapshots.length} of ${state.snapshotsTotal} loaded)` : ''}
        </p>
      </div>
      <section class="card flush">
        {rows.length === 0 ? (
          <Empty title={snapshots.length ? 'No snapshot matches these filters' : 'No snapshots yet'}>
            {snapshots.length ? null : 'Snapshots appear here when an agent backs up (POST /snapshots).'}
          </Empty>
        ) : (
          <table class="table responsive" aria-label="Snapshots">
            <thead>
              <tr>
                {COLUMNS.map((c) => {
                  const active = sort.key === c.key;
                  return (
                    <th key={c.key} scope="col" class={c.cls} aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
                      <button
                        type="button"
                        class="sort"
                        onClick={() => setSort({ key: c.key, desc: active ? !sort.desc : NUMERIC.has(c.key) })}
                      >
                        {c.label}
                        <span class="sort-icon" aria-hidden="true">
                          {active ? (sort.desc ? '▼' : '▲') : '↕'}
                        </span>
                      </button>
                    </th>
                  );
                })}
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id} data-snapshot={s.id}>
                  <th scope="row" data-label="Snapshot" class="mono">
                    <a href={href('snapshots', s.id)}>{s.id}</a>
                  </th>
                  <td data-label="Agent" class="mono">
                    {s.agent_id}
                  </td>
                  <td data-label="Status">
                    <Badge status={s.status} />
                  </td>
                  <td data-label="Format">
                    <span class="snap-format">
                      {snapshotFormat(s)} <EncryptionBadge snapshot={s} />
                    </span>
                  </td>
                  <td data-label="Files" class="num">
                    {count(fileCount(s))}
                  </td>
                  <td data-label="Size" class="num">
                    <Bytes n={logicalSize(s)} unknown="the agent did not record the size of what it backed up" />
                  </td>
                  <td data-label="Stored" class="num">
                    <Bytes n={storedBytes(s)} unknown="this orchestrator does not report what the backup added" />
                  </td>
                  <td data-label="Created">
                    <RelTime iso={s.created_at} now={now} />
                  </td>
                  <td data-label="" class="actions">
                    <button
                      type="button"
                      class="btn btn-small btn-primary"
                      disabled={s.status === 'corrupt' || !may(tokenRole(state.token), 'operator')}
                      title={
                        s.status === 'corrupt'
                          ? 'A corrupt snapshot cannot be restored'
                          : may(tokenRole(state.token), 'operator')
                            ? undefined
                            : roleHint('operator')
                      }
                      aria-label={`Restore snapshot ${s.id}`}
                      onClick={() => setAction({ kind: 'restore', snapshot: s })}
                    >
                      Restore…
                    </button>
                    <button
                      type="button"
                      class="btn btn-small btn-ghost-danger"
                      disabled={!may(tokenRole(state.token), 'admin')}
                      title={may(tokenRole(state.token), 'admin') ? undefined : roleHint('admin')}
                      aria-label={`Delete snapshot ${s.id}`}
                      onClick={() => setAction({ kind: 'delete', snapshot: s })}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {action?.kind === 'restore' && <RestoreDialog snapshot={action.snapshot} agents={agents} onClose={() => setAction(null)} />}
      {action?.kind === 'delete' && <DeleteDialog snapshot={action.snapshot} onClose={() => setAction(null)} />}
    </>
  );
}

function SnapshotDetail({ state, id }: { state: State; id: string }) {
  const [action, setAction] = useState<Action>(null);
  const s = state.snapshots.find((x) => x.id === id);
  const jobs = state.restoreJobs.filter((j) => j.snapshot_id === id);
  if (!s) {
    return (
      <>
        <PageHeader title={`Snapshot ${id}`} />
        <Empty title={state.loaded ? 'This snapshot does not exist (any more).' : 'Loading…'}>
          <a href={href('snapshots')}>Back to all snapshots</a>
        </Empty>
      </>
    );
  }
  const meta = Object.keys(s.metadata ?? {}).length ? JSON.stringify(s.metadata, null, 2) : null;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href('snapshots')}>Snapshots</a> <span aria-hidden="true">/</span> <span aria-current="page">{s.id}</span>
      </nav>
      <PageHeader title={`Snapshot ${s.id}`}>
        <button
          type="button"
          class="btn btn-primary"
          disabled={s.status === 'corrupt' || !may(tokenRole(state.token), 'operator')}
          title={may(tokenRole(state.token), 'operator') ? undefined : roleHint('operator')}
          onClick={() => setAction({ kind: 'restore', snapshot: s })}
        >
          Restore to an agent…
        </button>
        <ProveButtons state={state} scope={{ snapshot_id: s.id }} disabled={s.status !== 'available'} />
        <button
          type="button"
          class="btn btn-ghost-danger"
          disabled={!may(tokenRole(state.token), 'admin')}
          title={may(tokenRole(state.token), 'admin') ? undefined : roleHint('admin')}
          onClick={() => setAction({ kind: 'delete', snapshot: s })}
        >
          Delete…
        </button>
      </PageHeader>
      <div class="grid-2">
        <section class="card" aria-labelledby="snap-facts">
          <h2 id="snap-facts" class="card-title">
            Details
          </h2>
          <dl class="facts">
            <dt>Status</dt>
            <dd>
              <Badge status={s.status} />
              {s.status === 'pending' && <span class="muted small"> waiting for its bytes to be uploaded and verified</span>}
            </dd>
            <dt>Agent</dt>
            <dd class="mono">{s.agent_id}</dd>
            <dt>Format</dt>
            <dd>
              {snapshotFormat(s) === 'repository' ? 'repository (deduplicated packs)' : 'tar (one tar.zst object)'}
            </dd>
            <dt>Encryption</dt>
            <dd>
              <EncryptionBadge snapshot={s} />
              {isEncrypted(s) ? (
                s.repository_id && <span class="muted small mono"> key {s.repository_id}</span>
              ) : (
                <p class="hint warn">{ENCRYPTION_WARNING}</p>
              )}
            </dd>
            <dt>Files</dt>
            <dd>{count(fileCount(s))}</dd>
            <dt>Size</dt>
            <dd>
              <FactBytes n={logicalSize(s)} />
            </dd>
            <dt>Stored</dt>
            <dd>
              <FactBytes n={storedBytes(s)} />
              <span class="muted small"> added by this backup</span>
            </dd>
            <dt>Created</dt>
            <dd>
              {formatDate(s.created_at)} (<RelTime iso={s.created_at} now={state.now} />)
            </dd>
            <dt>Uploaded</dt>
            <dd>{s.uploaded_at ? formatDate(s.uploaded_at) : <span class="muted">not yet</span>}</dd>
            <dt>Verified</dt>
            <dd>
              {s.verified_at ? formatDate(s.verified_at) : <span class="muted">not yet (a verify job re-reads the stored bytes)</span>}
            </dd>
            <dt>Proven restorable</dt>
            <dd>
              {s.proven_restorable_at ? (
                formatDate(s.proven_restorable_at)
              ) : (
                <span class="muted">not yet (a drill restores it into scratch and checks every file)</span>
              )}
            </dd>
            <dt>{snapshotFormat(s) === 'repository' ? 'Root tree' : 'SHA-256'}</dt>
            <dd class="mono break">{s.root ?? s.checksum}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="snap-meta">
          <h2 id="snap-meta" class="card-title">
            Metadata
          </h2>
          {meta ? <pre class="code">{meta}</pre> : <p class="muted">The agent recorded no metadata.</p>}
        </section>
      </div>
      <section class="card" aria-labelledby="snap-jobs">
        <h2 id="snap-jobs" class="card-title">
          Restores of this snapshot
        </h2>
        {jobs.length === 0 ? (
          <p class="muted">Never restored.</p>
        ) : (
          <ul class="list">
            {jobs.map((j) => (
              <li key={j.id} class="list-item list-row">
                <a href={href('jobs', 'restore', j.id)}>{j.id}</a>
                <span>→ {j.target_agent_id}</span>
                <Badge status={j.status} />
                <RelTime iso={j.created_at} now={state.now} />
              </li>
            ))}
          </ul>
        )}
      </section>
      {action?.kind === 'restore' && <RestoreDialog snapshot={s} agents={state.agents} onClose={() => setAction(null)} />}
      {action?.kind === 'delete' && (
        <DeleteDialog snapshot={s} onClose={() => setAction(null)} onDeleted={() => navigate(href('snapshots'))} />
      )}
    </>
  );
}

function FactBytes({ n }: { n: number | null }) {
  if (n === null) return <span class="muted">not recorded</span>;
  return (
    <>
      {formatBytes(n)} <span class="muted">({n.toLocaleString('en')} bytes)</span>
    </>
  );
}
