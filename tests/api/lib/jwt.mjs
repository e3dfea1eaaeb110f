// A tiny JWT forger for the token tests (node:crypto only): signs any header and payload with
// HS256 / HS384 / HS512, or none, so a test can build exactly the token it wants to be refused.
//
//   import { kidOf, forge, decode } from './lib/jwt.mjs';
//   const t = forge({ alg: 'HS256', kid: kidOf(secret), typ: 'JWT' }, { sub: '1', ... }, secret);
//
// The server's kid is the first 16 hex digits of SHA-256 over the key's bytes (api/core/config.c).
import { createHash, createHmac } from 'node:crypto';

export function b64url(input) {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(typeof input === 'string' ? input : JSON.stringify(input));
  return buf.toString('base64url');
}

export function kidOf(secret) {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

const HMAC = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

// Signs header.payload. `signAlg` picks the HMAC actually used (default: header.alg), so a test can
// claim one algorithm and sign with another; 'none' (or an alg with no HMAC, e.g. RS256, without
// signAlg) gives an empty signature.
export function forge(header, payload, key, { signAlg } = {}) {
  const h = typeof header === 'string' ? header : b64url(header);
  const p = typeof payload === 'string' ? payload : b64url(payload);
  const input = `${h}.${p}`;
  const alg = signAlg || header.alg;
  const hash = HMAC[alg];
  if (!hash) return `${input}.`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

// { header, payload, signature } of a compact JWT, without verifying anything.
export function decode(token) {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
    signature: s,
  };
}
