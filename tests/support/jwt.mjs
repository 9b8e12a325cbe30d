// Crafts JWTs for negative tests (expired, forged, alg:none) with node:crypto.
import { createHmac } from 'node:crypto';

const b64 = (s) => Buffer.from(s).toString('base64url');

export function craftToken(secret, claims, header = { alg: 'HS256', typ: 'JWT' }) {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  if (header.alg === 'none') return `${input}.`;
  const sig = createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${sig}`;
}

export function claimsFor({ sub = 'operator', role = 'operator', ttl = 3600 } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { sub, role, iat: now, exp: now + ttl, iss: 'fortfail', jti: 'test' };
}
