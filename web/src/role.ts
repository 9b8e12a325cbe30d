// The signed-in role, read from the token's claims (not verified here: the
// orchestrator decides; this only hides what it would refuse with 403).
// Tokens minted before roles existed say "operator" without `rv` and hold every right.
export type Role = 'viewer' | 'operator' | 'admin' | 'agent';

const RANK: Record<Role, number> = { agent: 0, viewer: 1, operator: 2, admin: 3 };

export function tokenRole(token: string | null): Role | null {
  if (!token) return null;
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { role?: string; rv?: number };
    if (claims.role === 'operator' && claims.rv === undefined) return 'admin';
    if (claims.role && claims.role in RANK) return claims.role as Role;
  } catch {
    /* not a JWT we can read: let the server decide */
  }
  return null;
}

// Whether `role` may take an action needing `least` (unknown roles: yes, the server decides).
export function may(role: Role | null, least: 'viewer' | 'operator' | 'admin'): boolean {
  if (role === null) return true;
  if (role === 'agent') return false;
  return RANK[role] >= RANK[least];
}

export const roleHint = (least: string) => `Needs the ${least} role`;
