// Proving backups from the panel: start a restore drill or a verify job for
// one snapshot or one agent (docs/verification.md). The buttons need the
// operator role; the outcome shows up in the job's log and on the Agents
// page's "Proven restorable" column once the job ends.
import { useState } from 'preact/hooks';

import { errorText, request } from '../api';
import { may, roleHint, tokenRole } from '../role';
import type { State } from '../store';
import { RelTime } from './common';

type Scope = { snapshot_id: string } | { agent_id: string };

interface StartedJob {
  id: string;
  kind: 'drill' | 'verify';
  snapshot_id: string | null;
  target_agent_id: string | null;
}

export function ProveButtons({ state, scope, disabled }: { state: State; scope: Scope; disabled?: boolean }) {
  const [busy, setBusy] = useState(false);
  const [started, setStarted] = useState<StartedJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const allowed = may(tokenRole(state.token), 'operator');
  const start = async (path: '/drills' | '/verify-jobs') => {
    setBusy(true);
    setError(null);
    setStarted(null);
    try {
      const body = path === '/verify-jobs' ? { ...scope, read_data: true } : scope;
      const r = await request<StartedJob>('POST', path, body);
      setStarted(r.data);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const hint = allowed ? undefined : roleHint('operator');
  return (
    <span class="prove">
      <button
        type="button"
        class="btn btn-small"
        disabled={busy || disabled || !allowed}
        title={hint ?? 'Restore into scratch on the agent and check every file'}
        onClick={() => void start('/drills')}
      >
        Drill
      </button>
      <button
        type="button"
        class="btn btn-small"
        disabled={busy || disabled || !allowed}
        title={hint ?? 'Re-read the stored bytes and check their checksums'}
        onClick={() => void start('/verify-jobs')}
      >
        Verify
      </button>
      {error && (
        <span class="notice notice-bad small" role="alert">
          {error}
        </span>
      )}
      {started && (
        <span class="notice small" role="status">
          {started.kind === 'drill' ? 'Drill' : 'Verify job'} <span class="mono">{started.id}</span> queued
          {started.snapshot_id ? (
            <>
              {' '}
              for <span class="mono">{started.snapshot_id}</span>
            </>
          ) : null}
          .
        </span>
      )}
    </span>
  );
}

// When the agent's data was last proven restorable by a drill, or a warning.
export function ProvenAt({ iso, now }: { iso: string | null | undefined; now: number }) {
  if (!iso) return <span class="muted warn-text">never</span>;
  return <RelTime iso={iso} now={now} />;
}
