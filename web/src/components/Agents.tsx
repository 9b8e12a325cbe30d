// Agents: who is online, when each was last seen, and what it has stored; an
// admin can create a one-time enrollment code for an agent here.
import { useState } from 'preact/hooks';

import { ApiError, request } from '../api';
import { may, roleHint, tokenRole } from '../role';
import { href } from '../router';
import type { State } from '../store';
import type { Snapshot } from '../types';
import { Badge, Empty, PageHeader, RelTime } from './common';
import { ProveButtons, ProvenAt } from './Prove';

interface Enrollment {
  agent_id: string;
  enrollment_code: string;
  expires_at: string;
}

// Admin only: POST /agents/{id}/enrollment, then shows the code once.
function EnrollForm({ state }: { state: State }) {
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Enrollment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const allowed = may(tokenRole(state.token), 'admin');
  const submit = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await request<Enrollment>('POST', `/agents/${encodeURIComponent(id.trim())}/enrollment`, {});
      setResult(r.data);
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="stack">
      <form
        class="toolbar"
        aria-label="Enroll an agent"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) void submit();
        }}
      >
        <label for="enroll-id" class="sr-only">
          Agent id to enroll
        </label>
        <input id="enroll-id" value={id} placeholder="agent id" onInput={(e) => setId((e.target as HTMLInputElement).value)} />
        <button class="btn" type="submit" disabled={busy || !id.trim() || !allowed} title={allowed ? undefined : roleHint('admin')}>
          Enroll agent…
        </button>
      </form>
      {error && (
        <p class="notice notice-bad" role="alert">
          {error}
        </p>
      )}
      {result && (
        <p class="notice" role="status">
          One-time code for <span class="mono">{result.agent_id}</span> (until {result.expires_at}): <code>{result.enrollment_code}</code>. Start
          the agent with <code>AGENT_ENROLLMENT_CODE</code> set to it; it is not shown again.
        </p>
      )}
    </div>
  );
}

export function AgentsPage({ state }: { state: State }) {
  const { agents, snapshots, now } = state;
  const byAgent = new Map<string, Snapshot[]>();
  for (const s of snapshots) {
    const l = byAgent.get(s.agent_id) ?? [];
    l.push(s);
    byAgent.set(s.agent_id, l);
  }
  const sorted = agents.slice().sort((a, b) => (a.status === b.status ? a.id.localeCompare(b.id) : a.status === 'online' ? -1 : 1));
  const online = agents.filter((a) => a.status === 'online').length;
  return (
    <>
      <PageHeader
        title="Agents"
        sub={`${agents.length} agent${agents.length === 1 ? '' : 's'}, ${online} online. An agent is offline when it has not polled for a while.`}
      >
        <EnrollForm state={state} />
      </PageHeader>
      <section class="card flush">
        {agents.length === 0 ? (
          <Empty title="No agents yet">
            Start <code>fortfail-agent</code> with <code>ORCHESTRATOR_URL={window.location.origin}</code>; it shows up here when it
            first polls.
          </Empty>
        ) : (
          <table class="table responsive" aria-label="Agents">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Status</th>
                <th scope="col">Last seen</th>
                <th scope="col" class="num">
                  Snapshots
                </th>
                <th scope="col">Last snapshot</th>
                <th scope="col" title="When a restore drill last restored one of its snapshots and checked every file">
                  Proven restorable
                </th>
                <th scope="col" class="hide-narrow">First seen</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((a) => {
                const own = byAgent.get(a.id) ?? [];
                const countSnaps = a.snapshot_count ?? own.length;
                const lastSnap =
                  a.last_snapshot_at ?? own.reduce<string | null>((m, s) => (!m || s.created_at > m ? s.created_at : m), null);
                return (
                  <tr key={a.id} data-agent={a.id}>
                    <th scope="row" data-label="Agent" class="mono">
                      {a.id}
                    </th>
                    <td data-label="Status">
                      <Badge status={a.status} />
                    </td>
                    <td data-label="Last seen">
                      <RelTime iso={a.last_seen} now={now} />
                    </td>
                    <td data-label="Snapshots" class="num">
                      {countSnaps}
                    </td>
                    <td data-label="Last snapshot">
                      {lastSnap ? <RelTime iso={lastSnap} now={now} /> : <span class="muted">none</span>}
                    </td>
                    <td data-label="Proven restorable">
                      <ProvenAt iso={a.last_proven_restorable_at} now={now} />
                    </td>
                    <td data-label="First seen" class="hide-narrow">
                      {a.first_seen ? <RelTime iso={a.first_seen} now={now} /> : <span class="muted">—</span>}
                    </td>
                    <td data-label="" class="actions">
                      <a class="btn btn-small" href={`${href('snapshots')}?agent=${encodeURIComponent(a.id)}`} aria-label={`Snapshots of ${a.id}`}>
                        Snapshots
                      </a>{' '}
                      <ProveButtons state={state} scope={{ agent_id: a.id }} disabled={countSnaps === 0} />
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
