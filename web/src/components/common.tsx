// Small building blocks shared by the views.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';

import { errorText, request } from '../api';
import { formatBytes, formatDate, formatDuration, percent, relativeTime, statusLabel } from '../format';
import { transferRate } from '../progress';
import { ENCRYPTION_WARNING, isEncrypted } from '../snapshot';
import type { Progress } from '../store';
import type { Snapshot } from '../types';

const TONE: Record<string, string> = {
  online: 'ok',
  available: 'ok',
  completed: 'ok',
  offline: 'muted',
  pending: 'warn',
  in_progress: 'info',
  corrupt: 'bad',
  failed: 'bad',
  cancelled: 'muted',
  encrypted: 'ok',
  not_encrypted: 'warn',
};

export function Badge({ status, label, title }: { status: string; label?: string; title?: string }) {
  return (
    <span class={`badge badge-${TONE[status] ?? 'muted'}`} data-status={status} title={title}>
      <span class="badge-dot" aria-hidden="true" />
      {label ?? statusLabel(status)}
    </span>
  );
}

// "encrypted", or "not encrypted" marked as a warning (the text says it, not only the colour).
export function EncryptionBadge({ snapshot }: { snapshot: Snapshot }) {
  return isEncrypted(snapshot) ? (
    <Badge status="encrypted" label="encrypted" title="Encrypted by the agent: the orchestrator and the store never see its plaintext" />
  ) : (
    <Badge status="not_encrypted" label="not encrypted" title={ENCRYPTION_WARNING} />
  );
}

export function RelTime({ iso, now }: { iso: string | null | undefined; now: number }) {
  if (!iso) return <span class="muted">never</span>;
  return (
    <time dateTime={iso} title={formatDate(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}

export function ProgressBar({ progress, label, tone }: { progress: Progress | undefined; label: string; tone?: 'ok' | 'bad' }) {
  if (!progress) return null;
  const pct = percent(progress.done, progress.total);
  // Rate and time left while it runs (a finished bar says how it ended instead).
  const speed = tone ? null : transferRate(progress);
  return (
    <div class="progress-wrap">
      <div
        class="progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
        aria-valuetext={`${Math.round(pct)}% (${formatBytes(progress.done)} of ${formatBytes(progress.total)})`}
      >
        <div class={`progress-fill${tone ? ` progress-${tone}` : ''}`} style={{ width: `${pct.toFixed(1)}%` }} />
      </div>
      <span class="progress-text">
        {Math.round(pct)}% · {formatBytes(progress.done)} / {formatBytes(progress.total)}
        {speed && (
          <span class="progress-rate" data-testid="progress-rate">
            {' '}
            · {formatBytes(speed.rate)}/s · {progress.done >= progress.total ? 'finishing' : `about ${formatDuration(speed.eta)} left`}
          </span>
        )}
      </span>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}

export function PageHeader({ title, sub, children }: { title: string; sub?: string; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <div>
        <h1>{title}</h1>
        {sub && <p class="page-sub">{sub}</p>}
      </div>
      {children && <div class="page-actions">{children}</div>}
    </div>
  );
}

// A modal <dialog>: focus is trapped by the browser, Escape closes it.
export function Modal({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (!d.open) d.showModal();
    const onCloseEvent = () => closeRef.current();
    d.addEventListener('close', onCloseEvent);
    return () => {
      d.removeEventListener('close', onCloseEvent);
      if (d.open) d.close();
    };
  }, []);
  return (
    <dialog ref={ref} class="modal" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </dialog>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span class="spinner" role="status" aria-label={label}>
      <span aria-hidden="true" />
    </span>
  );
}

// An unpaged list the panel reads itself (webhooks, schedules): null until the
// first answer; loaded when `enabled`, again when the token changes and, with
// `everyMs`, that often. `load` reloads it (after an add or a delete).
export function useList<T>(path: string, enabled: boolean, token: string | null, everyMs = 0) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    try {
      const r = await request<T[]>('GET', path);
      setItems(Array.isArray(r.data) ? r.data : []);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    if (!enabled) return undefined;
    void load();
    if (everyMs <= 0) return undefined;
    const timer = window.setInterval(() => void load(), everyMs);
    return () => window.clearInterval(timer);
  }, [enabled, token, path]);
  return { items, error, load };
}
