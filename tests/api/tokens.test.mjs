// Access tokens (SPEC Conventions "Authentication", RULES §9–§11): every forged, altered, expired or
// misused token is refused with 401, and the server stays up after each.
// Run alone with: node --test tests/api/tokens.test.mjs   (EJ_BIN=build-c-asan/ejournal to pick a binary)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startStack, serveAgain, raw, login, call, randomHex, haltServer } from './lib/stack.mjs';
import { forge, kidOf, decode } from './lib/jwt.mjs';


const now = () => Math.floor(Date.now() / 1000);

// GET /api/v1/me with exactly this Authorization value; returns { status, body }.
async function me(base, authorization) {
  const headers = authorization === undefined ? {} : { authorization };
  const res = await fetch(`${base}/api/v1/me`, { headers });
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, body, headers: res.headers };
}

async function assertAlive(base, what) {
  const res = await fetch(`${base}/healthz`);
  await res.arrayBuffer();
  assert.equal(res.status, 200, `GET /healthz after ${what}: ${res.status}`);
}

// The token is refused with 401 (problem+json with an auth code) and /healthz still answers 200.
async function assertRefused(s, token, what) {
  const r = await me(s.base, `Bearer ${token}`);
  assert.equal(r.status, 401, `${what}: expected 401, got ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/, `${what}: content type`);
  assert.ok(['invalid_token', 'unauthenticated'].includes(r.body.code) || (what === 'expired' && r.body.code === 'token_expired'),
    `${what}: code ${r.body.code}`);
  await assertAlive(s.base, what);
}

describe('tokens: forged, altered and misused access tokens', () => {
  const SECRET = `cur-${randomHex(24)}`; // the server's key: its raw bytes are the HMAC key
  const KID = kidOf(SECRET);
  let s;
  let real; // a server-issued access token of admin
  let claims; // its payload
  let refreshToken;
  let otherId; // another user's id, for a tampered sub

  // Signs the claims of the real token, with changes, using the server's key and kid (HS256).
  const resign = (changes = {}, header = {}) =>
    forge({ alg: 'HS256', typ: 'JWT', kid: KID, ...header }, { ...claims, ...changes }, SECRET);

  before(async () => {
    s = await startStack({ env: { EJ_JWT_SECRET: SECRET } });
    const r = await login(s, s.superuser, s.adminPassword);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    real = r.body.access_token;
    refreshToken = r.body.refresh_token;
    claims = decode(real).payload;
    const u = await call(s, 'POST', '/users', {
      token: real,
      body: { username: 'other', full_name: 'Other User', roles: ['director'] },
    });
    assert.equal(u.status, 201, JSON.stringify(u.body));
    otherId = u.body.id;
  });
  after(async () => {
    await s?.stop();
  });

  test('the server issues HS256 tokens with kid = first 16 hex of SHA-256(key) and the documented claims', () => {
    const { header, payload } = decode(real);
    assert.equal(header.alg, 'HS256');
    assert.equal(header.kid, KID);
    assert.equal(payload.iss, 'ejournal');
    assert.equal(payload.aud, 'ejournal-api');
    assert.equal(payload.token_use, 'access');
    for (const k of ['sub', 'iat', 'exp', 'jti', 'tv', 'sid']) assert.ok(k in payload, `claim ${k} missing`);
    assert.ok(payload.exp - payload.iat <= 900, `lifetime ${payload.exp - payload.iat} s`);
  });

  test('control: the forger re-signing the real claims with the real key and kid is accepted (so the refusals below are about the one change each makes)', async () => {
    const r = await me(s.base, `Bearer ${resign()}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.username, s.superuser);
  });

  test('§9 alg "none" (no signature) → 401', async () => {
    await assertRefused(s, forge({ alg: 'none', typ: 'JWT', kid: KID }, claims, SECRET), 'alg none');
    await assertRefused(s, forge({ alg: 'none', typ: 'JWT' }, claims, SECRET), 'alg none without kid');
  });

  test('§9 HS384 signed with the right secret → 401 (only HS256)', async () => {
    await assertRefused(s, forge({ alg: 'HS384', typ: 'JWT', kid: KID }, claims, SECRET), 'HS384');
  });

  test('§9 HS512 signed with the right secret → 401 (only HS256)', async () => {
    await assertRefused(s, forge({ alg: 'HS512', typ: 'JWT', kid: KID }, claims, SECRET), 'HS512');
  });

  test('§9 RS256/HS256 confusion: header alg RS256 but HMAC-signed with a public key → 401', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    const t = forge({ alg: 'RS256', typ: 'JWT', kid: KID }, claims, pem, { signAlg: 'HS256' });
    await assertRefused(s, t, 'RS256 header, HMAC with a public key');
    // The same header, HMAC-signed with the real secret: still not HS256 → refused.
    const t2 = forge({ alg: 'RS256', typ: 'JWT', kid: KID }, claims, SECRET, { signAlg: 'HS256' });
    await assertRefused(s, t2, 'RS256 header, HMAC with the real secret');
  });

  test('§9 HS256 with the real kid but signed with a different key → 401', async () => {
    const t = forge({ alg: 'HS256', typ: 'JWT', kid: KID }, claims, `other-${randomHex(24)}`);
    await assertRefused(s, t, 'real kid, other key');
  });

  test('§9 a wrong key (signed with another key, kid of that key) → 401', async () => {
    const other = `wrong-${randomHex(24)}`;
    await assertRefused(s, forge({ alg: 'HS256', typ: 'JWT', kid: kidOf(other) }, claims, other), 'wrong key');
  });

  test('§9 an unknown kid, signature made with the real key → 401', async () => {
    await assertRefused(s, resign({}, { kid: '0123456789abcdef' }), 'unknown kid');
  });

  test('§9 no kid in the header, signature made with the real key → 401', async () => {
    await assertRefused(s, forge({ alg: 'HS256', typ: 'JWT' }, claims, SECRET), 'no kid');
  });

  test('§9 a tampered payload (sub changed, signature kept) → 401', async () => {
    const [h, , sig] = real.split('.');
    const p = Buffer.from(JSON.stringify({ ...claims, sub: String(otherId) })).toString('base64url');
    await assertRefused(s, `${h}.${p}.${sig}`, 'tampered sub');
  });

  test('§11 an expired token (exp in the past, signed with the real key and kid) → 401 token_expired (issue 15: refresh, not sign in)', async () => {
    const expired = resign({ iat: now() - 400, exp: now() - 5 });
    await assertRefused(s, expired, 'expired');
    const r = await me(s.base, `Bearer ${expired}`);
    assert.equal(r.body.code, 'token_expired', JSON.stringify(r.body));
    assert.equal(r.headers.get('www-authenticate'),
      'Bearer realm="ejournal", error="invalid_token", error_description="The access token expired"');
  });

  test('§9 iat an hour in the future (signed with the real key and kid) → 401', async () => {
    await assertRefused(s, resign({ iat: now() + 3600, exp: now() + 3600 + 600 }), 'iat in the future');
  });

  test('§9 a lifetime over 900 s (+60 s skew), signed with the real key → 401', async () => {
    await assertRefused(s, resign({ iat: now() - 10, exp: now() + 3600 }), 'exp an hour ahead');
  });

  test('§9 a refresh token used as an access token → 401', async () => {
    await assertRefused(s, refreshToken, 'refresh token as bearer');
  });

  test('§9 a JWT with token_use "refresh" (signed with the real key) → 401', async () => {
    await assertRefused(s, resign({ token_use: 'refresh' }), 'token_use refresh');
  });

  test('§9 wrong iss → 401', async () => {
    await assertRefused(s, resign({ iss: 'someone-else' }), 'wrong iss');
  });

  test('§9 wrong aud → 401', async () => {
    await assertRefused(s, resign({ aud: 'another-api' }), 'wrong aud');
  });

  test('§9 an empty bearer ("Authorization: Bearer ") and a token without a scheme → 401', async () => {
    for (const value of ['Bearer ', 'Bearer', 'Bearer    ', real, `Basic ${Buffer.from('admin:x').toString('base64')}`]) {
      const req = `GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${value}\r\nConnection: close\r\n\r\n`;
      const r = await raw(s.port, req);
      assert.equal(r.status, 401, `Authorization: ${JSON.stringify(value.slice(0, 30))} → ${r.status}: ${r.body.slice(0, 200)}`);
      await assertAlive(s.base, `Authorization: ${value.slice(0, 20)}`);
    }
    const none = await me(s.base, undefined);
    assert.equal(none.status, 401, 'no Authorization header at all');
    assert.equal(none.body.code, 'unauthenticated');
  });

  test('§9 a 150 KiB token → 401 (not a crash, not 400/431)', async () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: KID })).toString('base64url');
    const big = `${h}.${'A'.repeat(150 * 1024)}.${'B'.repeat(43)}`;
    const req = `GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${big}\r\nConnection: close\r\n\r\n`;
    const r = await raw(s.port, req, { timeoutMs: 15_000 });
    assert.equal(r.status, 401, `150 KiB token → ${r.status} (timedOut=${r.timedOut}, error=${r.error?.code}): ${r.text.slice(0, 300)}`);
    await assertAlive(s.base, '150 KiB token');
    // And one correctly signed just over the 4096-character bound.
    const pad = resign({ pad: 'x'.repeat(4200) });
    await assertRefused(s, pad, 'a correctly signed token of over 4096 characters');
  });

  test('§9 garbage that is not a JWT (three dots, bad base64url, JSON header array) → 401', async () => {
    const arr = Buffer.from('["HS256"]').toString('base64url');
    for (const t of ['a.b.c.d', '%%%.***.$$$', `${arr}.${arr}.${arr}`, '..', '.', 'x']) await assertRefused(s, t, `token ${t}`);
  });
});

describe('tokens: key rotation (EJ_JWT_PREVIOUS_SECRETS)', () => {
  const OLD = `old-${randomHex(24)}`;
  const NEW = `new-${randomHex(24)}`;
  const UNRELATED = `unrelated-${randomHex(24)}`;
  let s;
  let srv; // the current server on s's database
  let oldIssued; // a token the server issued while OLD was its key
  let claims;

  before(async () => {
    s = await startStack({ env: { EJ_JWT_SECRET: OLD } });
    const r = await login(s, s.superuser, s.adminPassword);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    oldIssued = r.body.access_token;
    claims = decode(oldIssued).payload;
    assert.equal(decode(oldIssued).header.kid, kidOf(OLD));
    await haltServer(s); // the database stays for the servers below
  });
  after(async () => {
    await srv?.stop().catch(() => {});
    await s?.stop();
  });

  test('§10 a token signed with a key listed in EJ_JWT_PREVIOUS_SECRETS is accepted; new tokens use the current key', async () => {
    srv = await serveAgain(s, { EJ_JWT_SECRET: NEW, EJ_JWT_PREVIOUS_SECRETS: `${UNRELATED},${OLD}` });
    const issued = await me(srv.base, `Bearer ${oldIssued}`);
    assert.equal(issued.status, 200, `token issued under the old key: ${JSON.stringify(issued.body)}`);
    const forged = forge({ alg: 'HS256', typ: 'JWT', kid: kidOf(OLD) }, { ...claims, jti: randomHex(16) }, OLD);
    const f = await me(srv.base, `Bearer ${forged}`);
    assert.equal(f.status, 200, `token signed with the old key: ${JSON.stringify(f.body)}`);
    // The old key signs only under its own kid: old key with the new kid is a bad signature.
    const mixed = forge({ alg: 'HS256', typ: 'JWT', kid: kidOf(NEW) }, claims, OLD);
    assert.equal((await me(srv.base, `Bearer ${mixed}`)).status, 401, 'old key under the new kid');
    const r = await call({ api: srv.api }, 'POST', '/auth/login', { body: { username: s.superuser, password: s.adminPassword } });
    assert.equal(r.status, 200);
    assert.equal(decode(r.body.access_token).header.kid, kidOf(NEW), 'new tokens carry the new kid');
    await srv.stop();
    srv = null;
  });

  test('§10 once the old key is removed from EJ_JWT_PREVIOUS_SECRETS, its tokens are refused (and current ones still work)', async () => {
    srv = await serveAgain(s, { EJ_JWT_SECRET: NEW });
    assert.equal((await me(srv.base, `Bearer ${oldIssued}`)).status, 401, 'token issued under the removed key');
    const forged = forge({ alg: 'HS256', typ: 'JWT', kid: kidOf(OLD) }, claims, OLD);
    assert.equal((await me(srv.base, `Bearer ${forged}`)).status, 401, 'token signed with the removed key');
    await assertAlive(srv.base, 'removed key');
    const r = await call({ api: srv.api }, 'POST', '/auth/login', { body: { username: s.superuser, password: s.adminPassword } });
    assert.equal(r.status, 200);
    assert.equal((await me(srv.base, `Bearer ${r.body.access_token}`)).status, 200, 'a token signed with the current key');
    await srv.stop();
    srv = null;
  });
});
