// The actions that change things: restore a snapshot, delete one, start a backup.
import { useState } from 'preact/hooks';

import type { ComponentChildren } from 'preact';
import { ApiError, errorText, request } from '../api';
import { refreshSoon } from '../data';
import { formatBytes, formatDate } from '../format';
import { href, navigate } from '../router';
import { snapshotFormat, storedBytes } from '../snapshot';
import { toast } from '../store';
import type { Agent, BackupJob, RestoreJob, Snapshot } from '../types';
import { Modal } from './common';

function defaultTarget(snapshot: Snapshot, agents: Agent[]): string {
  const own = agents.find((a) => a.id === snapshot.agent_id);
  if (own?.status === 'online') return own.id;
  return agents.find((a) => a.status === 'online')?.id ?? own?.id ?? agents[0]?.id ?? '';
}

export function RestoreDialog({ snapshot, agents, onClose }: { snapshot: Snapshot; agents: Agent[]; onClose: () => void }) {
  const [target, setTarget] = useState(() => defaultTarget(snapshot, agents));
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const sorted = agents.slice().sort((a, b) => (a.status === b.status ? a.id.localeCompare(b.id) : a.status === 'online' ? -1 : 1));
  const chosen = agents.find((a) => a.id === target);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string> = { snapshot_id: snapshot.id, target_agent_id: target };
      if (path.trim()) body.target_path = path.trim();
      const r = await request<RestoreJob>('POST', '/restore-jobs', body);
      toast('ok', `Restore job ${r.data.id} created: ${snapshot.id} → ${target}`);
      refreshSoon('restore');
      onClose();
      navigate(href('jobs', 'restore', r.data.id));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <Modal title={`Restore snapshot ${snapshot.id}`} onClose={onClose}>
      <form class="stack" onSubmit={submit}>
        <p class="muted">
          {formatBytes(snapshot.size)} from <strong>{snapshot.agent_id}</strong>, taken {formatDate(snapshot.created_at)}.{' '}
          {snapshotFormat(snapshot) === 'repository'
            ? 'The target agent fetches its packs, checks every chunk and writes the files; an encrypted snapshot needs the same repository key on the target.'
            : 'The target agent downloads it, checks its SHA-256 and extracts it.'}
        </p>
        {agents.length === 0 ? (
          <p class="notice notice-warn">No agent is known yet, so there is nowhere to restore to.</p>
        ) : (
          <>
            <label for="restore-target">Target agent</label>
            <select id="restore-target" value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)} required>
              {sorted.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.id} ({a.status})
                </option>
              ))}
            </select>
            {chosen?.status === 'offline' && (
              <p class="hint warn">This agent is offline: the job waits until it polls again.</p>
            )}
            <label for="restore-path">
              Target path <span class="muted">(optional)</span>
            </label>
            <input
              id="restore-path"
              type="text"
              value={path}
              onInput={(e) => setPath((e.target as HTMLInputElement).value)}
              placeholder={`default: RESTORE_DIR/${snapshot.id} on the agent`}
              maxLength={4096}
            />
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
          <button class="btn btn-primary" type="submit" disabled={busy || !target}>
            {busy ? 'Starting…' : 'Start restore'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

// Asks before deleting something for good; `remove` does it. A refusal stays
// in the dialog (a 409 as "Not deleted: …"), a success closes it.
export function ConfirmDeleteDialog({
  title,
  what,
  remove,
  onClose,
  children,
}: {
  title: string;
  what: string; // "snapshot", "webhook": the button says "Delete <what>"
  remove: () => Promise<void>;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await remove();
      onClose();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 409 ? `Not deleted: ${err.detail}` : errorText(err));
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onClose={onClose}>
      <form class="stack" onSubmit={submit}>
        <p>{children}</p>
        {error && (
          <p class="notice notice-bad" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={onClose}>
            Keep it
          </button>
          <button class="btn btn-danger" type="submit" disabled={busy}>
            {busy ? 'Deleting…' : `Delete ${what}`}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function DeleteDialog({ snapshot, onClose, onDeleted }: { snapshot: Snapshot; onClose: () => void; onDeleted?: () => void }) {
  const remove = async () => {
    await request('DELETE', `/snapshots/${encodeURIComponent(snapshot.id)}`);
    toast('ok', `Snapshot ${snapshot.id} deleted`);
    refreshSoon('snapshots', 'agents');
    onDeleted?.();
  };
  return (
    <ConfirmDeleteDialog title={`Delete snapshot ${snapshot.id}?`} what="snapshot" remove={remove} onClose={onClose}>
      {snapshotFormat(snapshot) === 'repository'
        ? `This removes the snapshot and its references to packs for good; garbage collection (fortfail gc) then frees what no other snapshot shares (this backup added ${formatBytes(storedBytes(snapshot) ?? 0)}).`
        : `This removes the snapshot's metadata and its ${formatBytes(snapshot.size)} of stored bytes for good.`}{' '}
      It cannot be restored afterwards.
    </ConfirmDeleteDialog>
  );
}

export function BackupDialog({ agents, onClose }: { agents: Agent[]; onClose: () => void }) {
  const [agent, setAgent] = useState(() => agents.find((a) => a.status === 'online')?.id ?? agents[0]?.id ?? '');
  const [paths, setPaths] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const list = pathLines(paths);
      const body: Record<string, unknown> = { agent_id: agent };
      if (list.length) body.paths = list;
      const r = await request<BackupJob>('POST', '/backup-jobs', body);
      toast('ok', `Backup job ${r.data.id} created on ${agent}`);
      refreshSoon('backup');
      onClose();
      navigate(href('jobs', 'backup', r.data.id));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Modal title="Back up an agent" onClose={onClose}>
      <form class="stack" onSubmit={submit}>
        <AgentSelect id="backup-agent" agents={agents} value={agent} onChange={setAgent} />
        <PathsInput id="backup-paths" rows={3} value={paths} onChange={setPaths} />
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
            {busy ? 'Starting…' : 'Start backup'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

// The agent field of the backup and schedule dialogs.
export function AgentSelect({ id, agents, value, onChange }: { id: string; agents: Agent[]; value: string; onChange: (id: string) => void }) {
  return (
    <>
      <label for={id}>Agent</label>
      <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)} required>
        {agents.map((a) => (
          <option key={a.id} value={a.id}>
            {a.id} ({a.status})
          </option>
        ))}
      </select>
    </>
  );
}

// Backup paths, one per line (none: the agent's BACKUP_DIR); pathLines() reads them.
export function PathsInput({ id, rows, value, onChange }: { id: string; rows: number; value: string; onChange: (v: string) => void }) {
  return (
    <>
      <label for={id}>
        Paths <span class="muted">(optional, one per line)</span>
      </label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        onInput={(e) => onChange((e.target as HTMLTextAreaElement).value)}
        placeholder="default: the agent's BACKUP_DIR"
      />
    </>
  );
}

export const pathLines = (text: string): string[] =>
  text
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
