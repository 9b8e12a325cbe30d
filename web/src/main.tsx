// FortFail control panel: sign in, then overview, agents, snapshots, jobs and
// the live events feed, kept current by the /ws stream.
import { render } from 'preact';
import { useEffect, useMemo } from 'preact/hooks';

import { setSignOutHandler, signOut } from './api';
import { link, loadAll, refreshAgents, refreshSoon } from './data';
import { AgentsPage } from './components/Agents';
import { AlertsPage } from './components/Alerts';
import { EventsPage, LinkStatus } from './components/Events';
import { JobsPage } from './components/Jobs';
import { Overview } from './components/Overview';
import { Logo, SignIn } from './components/SignIn';
import { SchedulesPage } from './components/Schedules';
import { SnapshotsPage } from './components/Snapshots';
import { Spinner } from './components/common';
import { may, tokenRole } from './role';
import { href, useRoute } from './router';
import { getState, setState, useAppState } from './store';
import type { State } from './store';
import { backupAsJob, restoreAsJob } from './types';
import type { Job } from './types';
import './styles.css';

const PAGES = [
  { key: 'overview', label: 'Overview' },
  { key: 'agents', label: 'Agents' },
  { key: 'snapshots', label: 'Snapshots' },
  { key: 'jobs', label: 'Jobs' },
  { key: 'schedules', label: 'Schedules' },
  { key: 'events', label: 'Events' },
  { key: 'alerts', label: 'Alerts' }, // operators and admins only
] as const;

setSignOutHandler(() => link.stop());

function allJobs(s: State): Job[] {
  const jobs = [...s.restoreJobs.map(restoreAsJob), ...(s.backupJobs ?? []).map(backupAsJob)];
  return jobs.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}

function Shell({ state }: { state: State }) {
  const route = useRoute();
  const page = route.parts[0] ?? 'overview';
  const jobs = useMemo(() => allJobs(state), [state.restoreJobs, state.backupJobs]);
  const current = PAGES.find((p) => p.key === page)?.label ?? 'Not found';
  useEffect(() => {
    document.title = `${current} · FortFail`;
  }, [current]);
  const running = jobs.filter((j) => j.status === 'in_progress' || j.status === 'pending').length;

  let body;
  if (!state.loaded) {
    body = (
      <div class="loading">
        <Spinner label="Loading" /> Loading…
      </div>
    );
  } else if (page === 'overview') body = <Overview state={state} jobs={jobs} />;
  else if (page === 'agents') body = <AgentsPage state={state} />;
  else if (page === 'snapshots') body = <SnapshotsPage state={state} route={route} />;
  else if (page === 'jobs') body = <JobsPage state={state} jobs={jobs} route={route} />;
  else if (page === 'schedules') body = <SchedulesPage state={state} />;
  else if (page === 'events') body = <EventsPage state={state} />;
  else if (page === 'alerts') body = <AlertsPage state={state} />;
  else body = <p>Nothing here. <a href={href('overview')}>Go to the overview</a>.</p>;

  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          // The fragment is the router's: move focus without navigating.
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href('overview')} aria-label="FortFail overview">
          <Logo />
          <span>FortFail</span>
        </a>
        <nav class="nav" aria-label="Main">
          {PAGES.filter((p) => p.key !== 'alerts' || may(tokenRole(state.token), 'operator')).map((p) => (
            <a key={p.key} href={href(p.key)} aria-current={p.key === page ? 'page' : undefined}>
              {p.label}
              {p.key === 'jobs' && running > 0 && (
                <span class="nav-count" aria-label={`${running} running`}>
                  {running}
                </span>
              )}
            </a>
          ))}
        </nav>
        <div class="topbar-right">
          <LinkStatus state={state} />
          <span class="role-badge" title="The role of this session's token">
            {tokenRole(state.token) ?? 'unknown role'}
          </span>
          <a class="topbar-link" href="/docs">
            API docs
          </a>
          <button type="button" class="btn btn-small btn-on-dark" onClick={() => signOut(null)}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="content" tabIndex={-1}>
        {state.loadError && (
          <p class="notice notice-bad" role="alert">
            Could not load everything: {state.loadError}{' '}
            <button type="button" class="btn btn-small" onClick={() => void loadAll()}>
              Retry
            </button>
          </p>
        )}
        {body}
      </main>
      <div class="toasts" role="status" aria-live="polite">
        {state.toasts.map((t) => (
          <div key={t.id} class={`toast toast-${t.kind}`}>
            {t.text}
          </div>
        ))}
      </div>
    </>
  );
}

function App() {
  const state = useAppState();
  const token = state.token;
  useEffect(() => {
    if (!token) return;
    // The live link starts once the token proved good (a 401 signs out first);
    // it replays recent history, so nothing that happened meanwhile is missed.
    void loadAll().then(() => {
      if (getState().token === token) link.start(token);
    });
    const tick = setInterval(() => setState({ now: Date.now() }), 5000);
    // Online/offline follows time, not events: re-read the agents now and then,
    // and everything once a minute in case a refresh failed.
    const agents = setInterval(() => void refreshAgents().catch(() => {}), 15000);
    const all = setInterval(() => refreshSoon('agents', 'snapshots', 'restore', 'backup'), 60000);
    return () => {
      clearInterval(tick);
      clearInterval(agents);
      clearInterval(all);
      link.stop();
    };
  }, [token]);
  if (!token) return <SignIn message={state.signInMessage} />;
  return <Shell state={state} />;
}

// For browser tests: drop the live link as a network failure would.
(window as unknown as { __fortfail: unknown }).__fortfail = {
  dropLink: (holdMs = 0) => link.dropForTesting(holdMs),
  state: () => getState(),
};

const root = document.getElementById('app');
if (root) render(<App />, root);
