// Sign in: an API key (its role) or the operator secret (admin) mints a token, or an existing token
// is pasted. Either way the token is checked against the API before it is kept
// (in sessionStorage: this tab only, gone when the tab closes).
import { useState } from 'preact/hooks';

import { ApiError, mintOperatorToken, request } from '../api';
import { saveToken, setState } from '../store';

async function accept(token: string): Promise<void> {
  await request('GET', '/agents', undefined, { token });
  saveToken(token);
  setState({ token, signInMessage: null, loaded: false, loadError: null });
}

function describe(e: unknown, what: 'secret' | 'token'): string {
  if (e instanceof ApiError) {
    if (e.status === 403 && what === 'secret') return 'The orchestrator refused that secret or API key (wrong, or revoked).';
    if (e.status === 401) return 'The orchestrator does not accept this token (expired, or signed with another secret).';
    if (e.status === 429) return 'Too many attempts. Wait a moment and try again.';
    return e.detail;
  }
  return String(e);
}

export function SignIn({ message }: { message: string | null }) {
  const [secret, setSecret] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (what: 'secret' | 'token') => {
    setBusy(true);
    setError(null);
    try {
      await accept(what === 'secret' ? await mintOperatorToken(secret) : token.trim());
    } catch (e) {
      setError(describe(e, what));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" aria-labelledby="signin-title">
      <div class="signin-card">
        <div class="brand brand-large">
          <Logo />
          <span>FortFail</span>
        </div>
        <h1 id="signin-title">Sign in to the control panel</h1>
        <p class="muted">
          Watch agents, snapshots and jobs live, and restore a snapshot onto any agent.
        </p>
        {message && (
          <p class="notice notice-warn" role="status">
            {message}
          </p>
        )}
        {error && (
          <p class="notice notice-bad" role="alert">
            {error}
          </p>
        )}
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (secret) void run('secret');
          }}
        >
          <label for="reg-secret">API key or operator secret</label>
          <input
            id="reg-secret"
            type="password"
            autocomplete="current-password"
            value={secret}
            onInput={(e) => setSecret((e.target as HTMLInputElement).value)}
            placeholder="ffk_… or ORCH_OPERATOR_SECRET"
            required
          />
          <p class="hint">Mints a token for this browser tab: an API key&apos;s role, or admin with the operator secret.</p>
          <button class="btn btn-primary" type="submit" disabled={busy || !secret}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <div class="divider" role="separator">
          <span>or</span>
        </div>
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (token.trim()) void run('token');
          }}
        >
          <label for="paste-token">Paste a token</label>
          <textarea
            id="paste-token"
            rows={3}
            value={token}
            onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)}
            placeholder="eyJhbGciOiJIUzI1NiIs…"
            spellcheck={false}
          />
          <button class="btn" type="submit" disabled={busy || !token.trim()}>
            Use this token
          </button>
        </form>
        <p class="hint center">
          New here? The API is documented at <a href="/docs">/docs</a>.
        </p>
      </div>
    </main>
  );
}

export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <path d="M16 2 4 6.5v8.2c0 7.3 5 12.9 12 15.3 7-2.4 12-8 12-15.3V6.5Z" fill="currentColor" />
      <path
        d="m11 16.2 3.6 3.6 6.9-7.3"
        fill="none"
        stroke="#fff"
        stroke-width="2.8"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}
