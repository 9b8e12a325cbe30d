// Alerts: the webhooks the orchestrator POSTs signed messages to (docs/alerts.md).
// Operators and admins manage them; the page only says so to other roles.
import { useState } from 'preact/hooks';

import { errorText, request } from '../api';
import { formatDate } from '../format';
import { may, roleHint, tokenRole } from '../role';
import type { State } from '../store';
import { toast } from '../store';
import { WEBHOOK_EVENTS } from '../types';
import type { Webhook, WebhookEvent } from '../types';
import { Badge, Empty, Modal, PageHeader, RelTime, useList } from './common';
import { ConfirmDeleteDialog } from './Dialogs';

const EVENT_HELP: Record<WebhookEvent, string> = {
  'job.failed': 'a restore or backup job failed',
  'snapshot.corrupt': "a snapshot's bytes do not match its checksum",
  'agent.offline': 'an agent has not been seen for ORCH_AGENT_OFFLINE_ALERT_SECONDS',
  'backup.missed': 'a scheduled backup did not run',
  'drill.failed': 'a restore drill failed',
};

export function AlertsPage({ state }: { state: State }) {
  const allowed = may(tokenRole(state.token), 'operator');
  const { items: hooks, error, load } = useList<Webhook>('/webhooks', allowed, state.token);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Webhook | null>(null);

  const header = (
    <PageHeader title="Alerts" sub="Webhooks the orchestrator POSTs a signed JSON message to when something needs a person.">
      <button
        type="button"
        class="btn btn-primary"
        onClick={() => setAdding(true)}
        disabled={!allowed}
        title={allowed ? undefined : roleHint('operator')}
      >
        Add webhook…
      </button>
    </PageHeader>
  );
  if (!allowed) {
    return (
      <>
        {header}
        <Empty title={roleHint('operator')}>Operators and admins manage alert webhooks.</Empty>
      </>
    );
  }
  return (
    <>
      {header}
      {error && (
        <p class="notice notice-bad" role="alert">
          Could not load the webhooks: {error}{' '}
          <button type="button" class="btn btn-small" onClick={() => void load()}>
            Retry
          </button>
        </p>
      )}
      <section class="card flush" aria-label="Webhooks">
        {hooks === null ? (
          <Empty title={error ? 'Not loaded' : 'Loading…'} />
        ) : hooks.length === 0 ? (
          <Empty title="No webhooks yet">Add one to hear about failed jobs, corrupt snapshots and silent agents.</Empty>
        ) : (
          <table class="table responsive" aria-label="Webhooks">
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Last status</th>
                <th scope="col">Last error</th>
                <th scope="col">Last delivery</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {hooks.map((h) => (
                <tr key={h.id} data-webhook={h.id}>
                  <th scope="row" data-label="URL" class="mono ids">
                    {h.url}
                  </th>
                  <td data-label="Events" class="wrap">
                    {h.events.join(', ')}
                  </td>
                  <td data-label="Last status">
                    {h.last_status === null ? (
                      <span class="muted">{h.last_delivery_at ? 'not reached' : 'none yet'}</span>
                    ) : (
                      <Badge status={h.last_status >= 200 && h.last_status < 300 ? 'completed' : 'failed'} label={String(h.last_status)} />
                    )}
                  </td>
                  <td data-label="Last error" class="wrap">
                    {h.last_error ?? <span class="muted">—</span>}
                  </td>
                  <td data-label="Last delivery">
                    <RelTime iso={h.last_delivery_at} now={state.now} />
                    {h.deliveries + h.failures > 0 && (
                      <span class="muted small">
                        {' '}
                        ({h.deliveries} ok, {h.failures} failed)
                      </span>
                    )}
                  </td>
                  <td data-label="Actions" class="actions">
                    <button type="button" class="btn btn-small btn-danger" aria-label={`Delete webhook ${h.url}`} onClick={() => setRemoving(h)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {adding && <AddWebhookDialog onClose={() => setAdding(false)} onAdded={() => void load()} />}
      {removing && <DeleteWebhookDialog hook={removing} onClose={() => setRemoving(null)} onDeleted={() => void load()} />}
    </>
  );
}

function AddWebhookDialog({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['job.failed', 'snapshot.corrupt', 'agent.offline']);
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = (ev: WebhookEvent, on: boolean) =>
    setEvents((cur) => (on ? WEBHOOK_EVENTS.filter((x) => x === ev || cur.includes(x)) : cur.filter((x) => x !== ev)));
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await request<Webhook>('POST', '/webhooks', { url: url.trim(), events, secret });
      toast('ok', `Webhook ${r.data.id} added`);
      onClose();
      onAdded();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Modal title="Add a webhook" onClose={onClose}>
      <form class="stack" onSubmit={submit}>
        <label for="webhook-url">URL</label>
        <input
          id="webhook-url"
          type="text"
          inputMode="url"
          value={url}
          onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
          placeholder="https://hooks.example/fortfail"
          maxLength={2048}
          required
        />
        <fieldset class="checks">
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((ev) => (
            <label key={ev} class="check">
              <input type="checkbox" checked={events.includes(ev)} onChange={(e) => toggle(ev, (e.target as HTMLInputElement).checked)} />
              <span class="mono">{ev}</span> <span class="muted small">{EVENT_HELP[ev]}</span>
            </label>
          ))}
        </fieldset>
        <label for="webhook-secret">
          Secret <span class="muted">(16 to 256 characters; signs each delivery, never shown again)</span>
        </label>
        <input
          id="webhook-secret"
          type="password"
          autoComplete="new-password"
          value={secret}
          onInput={(e) => setSecret((e.target as HTMLInputElement).value)}
          required
        />
        {error && (
          <p class="notice notice-bad" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={onClose}>
            Cancel
          </button>
          <button class="btn btn-primary" type="submit" disabled={busy || !url.trim() || events.length === 0}>
            {busy ? 'Adding…' : 'Add webhook'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteWebhookDialog({ hook, onClose, onDeleted }: { hook: Webhook; onClose: () => void; onDeleted: () => void }) {
  const remove = async () => {
    await request('DELETE', `/webhooks/${encodeURIComponent(hook.id)}`);
    toast('ok', `Webhook ${hook.id} deleted`);
    onDeleted();
  };
  return (
    <ConfirmDeleteDialog title="Delete this webhook?" what="webhook" remove={remove} onClose={onClose}>
      Deliveries to <span class="mono ids">{hook.url}</span> stop, pending retries included. Added {formatDate(hook.created_at)}.
    </ConfirmDeleteDialog>
  );
}
