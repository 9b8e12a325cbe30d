// The orchestrator's REST API, with the session's bearer token. A 401 ends the
// session: the token is dropped and the sign-in screen comes back.
import { getState, initialState, saveToken, setState } from './store';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

type Listener = (reason: string) => void;
let onSignedOut: Listener = () => {};
export const setSignOutHandler = (l: Listener): void => {
  onSignedOut = l;
};

export function signOut(message: string | null): void {
  saveToken(null);
  onSignedOut(message ?? '');
  setState({ ...initialState(), token: null, signInMessage: message });
}

// What to show for a failed request: the server's detail, else the error itself.
export const errorText = (e: unknown): string => (e instanceof ApiError ? e.detail : String(e));

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
  status: number;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: { token?: string; allowStatus?: number[] } = {},
): Promise<ApiResponse<T>> {
  const token = opts.token ?? getState().token;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let r: Response;
  try {
    r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'The orchestrator cannot be reached.');
  }
  const text = await r.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (r.ok || opts.allowStatus?.includes(r.status)) return { data: data as T, headers: r.headers, status: r.status };
  const detail =
    data && typeof data === 'object' && typeof (data as { detail?: unknown }).detail === 'string'
      ? (data as { detail: string }).detail
      : `${r.status} ${r.statusText}`;
  // Only the session's own token ends the session; an explicit one is just checked.
  if (r.status === 401 && opts.token === undefined) {
    signOut('Your session ended: the orchestrator no longer accepts this token. Sign in again.');
  }
  throw new ApiError(r.status, detail);
}

// Every item of a paginated list (at most `cap`), and the server's total.
export async function listAll<T>(path: string, cap = 10000): Promise<{ items: T[]; total: number }> {
  const items: T[] = [];
  const sep = path.includes('?') ? '&' : '?';
  let total = 0;
  for (let offset = 0; offset < cap; offset += 1000) {
    const r = await request<T[]>('GET', `${path}${sep}limit=1000&offset=${offset}`);
    const page = Array.isArray(r.data) ? r.data : [];
    items.push(...page);
    total = Number(r.headers.get('x-total-count') ?? items.length);
    if (page.length < 1000 || items.length >= total) break;
  }
  return { items, total: Math.max(total, items.length) };
}

// A named API key (they start with "ffk_") mints a token of its role; anything
// else is taken as the operator secret (an admin token).
export async function mintOperatorToken(secretOrKey: string): Promise<string> {
  const body = secretOrKey.startsWith('ffk_') ? { api_key: secretOrKey } : { registration_secret: secretOrKey };
  const r = await request<{ token: string }>('POST', '/auth/token', body, { token: '' });
  return r.data.token;
}
