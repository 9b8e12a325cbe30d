// Schedules: backups (and verify jobs, drills) the orchestrator runs on its
// own (docs/schedules.md). Everyone sees them; operators add and delete them.
import { useState } from 'preact/hooks';

import { errorText, request } from '../api';
import { formatDate, formatDuration } from '../format';
import { may, roleHint, tokenRole } from '../role';
import type { State } from '../store';
import { toast } from '../store';
import { RETENTION_KEYS, SCHEDULE_KINDS } from '../types';
import type { Agent, RetentionKey, Schedule, ScheduleKind } from '../types';
import { Badge, Empty, Modal, PageHeader, RelTime, useList } from './common';
import { AgentSelect, ConfirmDeleteDialog, PathsInput, pathLines } from './Dialogs';

const LAST_STATUS_BADGE: Record<string, string> = { ok: 'completed', missed: 'failed', failed: 'failed' };

// Whole days, hours or minutes as such ("every 6 h"), anything else as formatDuration says it.
const every = (secs: number): string => {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['min', 60]] as const) {
    if (secs >= size && secs % size === 0) return `every ${secs / size} ${unit}`;
  }
  return `every ${formatDuration(secs)}`;
};

const timing = (s: Schedule): string => (s.cron !== null ? `cron ${s.cron} (UTC)` : every(s.interval_seconds ?? 0));

const retentionText = (s: Schedule): string =>
  s.retention
    ? Object.entries(s.retention)
        .map(([k, v]) => `${k.replace('keep_', '')} ${v}`)
        .join(', ')
    : '';

export function SchedulesPage({ state }: { state: State }) {
  const canWrite = may(tokenRole(state.token), 'operator');
  // Runs happen on the server's clock: look again now and then.
  const { items: schedules, error, load } = useList<Schedule>('/schedules', true, state.token, 15000);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Schedule | null>(null);

  return (
    <>
      <PageHeader title="Schedules" sub="Backups, verify jobs and restore drills the orchestrator starts on its own, on a UTC cron or every N seconds.">
        <button
          type="button"
          class="btn btn-primary"
          onClick={() => setAdding(true)}
          disabled={!canWrite}
          title={canWrite ? undefined : roleHint('operator')}
        >
          Add schedule…
        </button>
      </PageHeader>
      {error && (
        <p class="notice notice-bad" role="alert">
          Could not load the schedules: {error}{' '}
          <button type="button" class="btn btn-small" onClick={() => void load()}>
            Retry
          </button>
        </p>
      )}
      <section class="card flush" aria-label="Schedules">
        {schedules === null ? (
          <Empty title={error ? 'Not loaded' : 'Loading…'} />
        ) : schedules.length === 0 ? (
          <Empty title="No schedules yet">Add one so backups happen without anyone asking.</Empty>
        ) : (
          <table class="table responsive" aria-label="Schedules">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Kind</th>
                <th scope="col">When</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {schedules.map((s) => (
                <tr key={s.id} data-schedule={s.id}>
                  <th scope="row" data-label="Agent" class="mono ids">
                    {s.agent_id}
                    {s.target_agent_id && <span class="muted small"> → {s.target_agent_id}</span>}
                  </th>
                  <td data-label="Kind">
                    {s.kind}
                    {retentionText(s) && <div class="muted small">keep {retentionText(s)}</div>}
                  </td>
                  <td data-label="When" class="wrap">
                    <span class="mono">{timing(s)}</span>
                    {s.paths && s.paths.length > 0 && <div class="muted small mono">{s.paths.join(', ')}</div>}
                  </td>
                  <td data-label="Next run">
                    {s.enabled ? <span title={formatDate(s.next_run_at)}>{formatDate(s.next_run_at)}</span> : <span class="muted">disabled</span>}
                  </td>
                  <td data-label="Last run" class="wrap">
                    {s.last_run_at === null ? (
                      <span class="muted">not yet</span>
                    ) : (
                      <>
                        <Badge status={LAST_STATUS_BADGE[s.last_status ?? ''] ?? 'pending'} label={s.last_status ?? 'unknown'} />{' '}
                        <RelTime iso={s.last_run_at} now={state.now} />
                        {s.last_error && <div class="muted small">{s.last_error}</div>}
                      </>
                    )}
                  </td>
                  <td data-label="Actions" class="actions">
                    {canWrite && (
                      <button type="button" class="btn btn-small btn-danger" aria-label={`Delete schedule ${s.id}`} onClick={() => setRemoving(s)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {adding && <AddScheduleDialog agents={state.agents} onClose={() => setAdding(false)} onAdded={() => void load()} />}
      {removing && <DeleteScheduleDialog schedule={removing} onClose={() => setRemoving(null)} onDeleted={() => void load()} />}
    </>
  );
}

function AddScheduleDialog({ agents, onClose, onAdded }: { agents: Agent[]; onClose: () => void; onAdded: () => void }) {
  const [agent, setAgent] = useState(agents[0]?.id ?? '');
  const [kind, setKind] = useState<ScheduleKind>('backup');
  const [target, setTarget] = useState(''); // drills: '' is the agent itself
  const [mode, setMode] = useState<'cron' | 'interval'>('cron');
  const [cron, setCron] = useState('0 3 * * *');
  const [every, setEvery] = useState('3600');
  const [paths, setPaths] = useState('');
  const [keep, setKeep] = useState<Partial<Record<RetentionKey, string>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: Record<string, unknown> = { agent_id: agent, kind };
    if (mode === 'cron') body.cron = cron.trim();
    else body.interval_seconds = Number(every);
    const list = pathLines(paths);
    if (kind === 'backup' && list.length > 0) body.paths = list;
    const retention: Record<string, number> = {};
    for (const k of RETENTION_KEYS) if (keep[k]?.trim()) retention[k] = Number(keep[k]);
    if (kind === 'backup' && Object.keys(retention).length > 0) body.retention = retention;
    if (kind === 'drill' && target && target !== agent) body.target_agent_id = target;
    try {
      const r = await request<Schedule>('POST', '/schedules', body);
      toast('ok', `Schedule ${r.data.id} added; next run ${formatDate(r.data.next_run_at)}`);
      onClose();
      onAdded();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Modal title="Add a schedule" onClose={onClose}>
      <form class="stack" onSubmit={submit}>
        <AgentSelect id="schedule-agent" agents={agents} value={agent} onChange={setAgent} />
        <label for="schedule-kind">Kind</label>
        <select id="schedule-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as ScheduleKind)}>
          {SCHEDULE_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <fieldset class="checks">
          <legend>When</legend>
          <label class="check">
            <input type="radio" name="schedule-mode" checked={mode === 'cron'} onChange={() => setMode('cron')} /> Cron (5 fields, UTC)
          </label>
          <label class="check">
            <input type="radio" name="schedule-mode" checked={mode === 'interval'} onChange={() => setMode('interval')} /> Every N seconds
          </label>
        </fieldset>
        {mode === 'cron' ? (
          <>
            <label for="schedule-cron">Cron expression</label>
            <input id="schedule-cron" class="mono" type="text" value={cron} onInput={(e) => setCron((e.target as HTMLInputElement).value)} required />
          </>
        ) : (
          <>
            <label for="schedule-interval">Seconds between runs (at least 10)</label>
            <input
              id="schedule-interval"
              type="number"
              min={10}
              value={every}
              onInput={(e) => setEvery((e.target as HTMLInputElement).value)}
              required
            />
          </>
        )}
        {kind === 'drill' && (
          <>
            <label for="schedule-target">Restore drill runs on</label>
            <select id="schedule-target" value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
              <option value="">the same agent</option>
              {agents
                .filter((a) => a.id !== agent)
                .map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.id} ({a.status})
                  </option>
                ))}
            </select>
          </>
        )}
        {kind === 'backup' && (
          <>
            <PathsInput id="schedule-paths" rows={2} value={paths} onChange={setPaths} />
            <fieldset class="checks">
              <legend>
                Retention <span class="muted">(optional; applied after each successful backup)</span>
              </legend>
              {RETENTION_KEYS.map((k) => (
                <label key={k} class="check">
                  <span class="mono">{k}</span>{' '}
                  <input
                    type="number"
                    min={0}
                    value={keep[k] ?? ''}
                    aria-label={k}
                    onInput={(e) => setKeep((cur) => ({ ...cur, [k]: (e.target as HTMLInputElement).value }))}
                  />
                </label>
              ))}
            </fieldset>
          </>
        )}
        {error && (
          <p class="notice notice-bad" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={onClose}>
            Cancel
          </button>
          <button class="btn btn-primary" type="submit" disabled={busy || !agent}>
            {busy ? 'Adding…' : 'Add schedule'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteScheduleDialog({ schedule, onClose, onDeleted }: { schedule: Schedule; onClose: () => void; onDeleted: () => void }) {
  const remove = async () => {
    await request('DELETE', `/schedules/${encodeURIComponent(schedule.id)}`);
    toast('ok', `Schedule ${schedule.id} deleted`);
    onDeleted();
  };
  return (
    <ConfirmDeleteDialog title="Delete this schedule?" what="schedule" remove={remove} onClose={onClose}>
      The {schedule.kind} of <span class="mono ids">{schedule.agent_id}</span> ({timing(schedule)}) runs no more; jobs it already started go on.
    </ConfirmDeleteDialog>
  );
}
