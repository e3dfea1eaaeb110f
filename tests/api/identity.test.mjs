// Identity and access (RULES §6–§11, SPEC "Auth" and "Users"): login, one-time passwords, the
// password policy, refresh rotation, logout, login records, throttling, revocation and the users API.
// Run alone with: node --test tests/api/identity.test.mjs   (EJ_BIN=build-c-asan/ejournal to pick a binary)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, serveAgain, login, call, randomHex, repoRoot, haltServer } from './lib/stack.mjs';
import { rigaDay } from './lib/riga.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


const show = (r) => `${r.status} ${typeof r.body === 'string' ? r.body.slice(0, 300) : JSON.stringify(r.body)}`;
const freshPassword = () => `Fresh-${randomHex(10)}`;

function assertProblem(r, status, code, what = '') {
  assert.equal(r.status, status, `${what} expected ${status} ${code}, got ${show(r)}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/, `${what} content type`);
  assert.equal(r.body.code, code, `${what} code: ${show(r)}`);
}

// POST /users as the superuser; returns the 201 body (with initial_password). Asserts 201.
async function createUser(s, admin, fields = {}) {
  const username = fields.username || `u${randomHex(5)}`;
  const body = { full_name: `User ${username}`, roles: ['teacher'], ...fields, username };
  const r = await call(s, 'POST', '/users', { token: admin, body });
  assert.equal(r.status, 201, `create ${username}: ${show(r)}`);
  return r.body;
}

// Signs in with the one-time password and sets a password of the user's own; returns
// { id, username, password, token, refresh }.
async function activate(s, user) {
  const first = await login(s, user.username, user.initial_password);
  assert.equal(first.status, 200, `first login of ${user.username}: ${show(first)}`);
  const password = freshPassword();
  const ch = await call(s, 'POST', '/auth/password', {
    token: first.body.access_token,
    body: { current_password: user.initial_password, new_password: password },
  });
  assert.equal(ch.status, 200, `password change of ${user.username}: ${show(ch)}`);
  return { id: user.id, username: user.username, password, token: ch.body.access_token, refresh: ch.body.refresh_token };
}

async function newActiveUser(s, admin, fields = {}) {
  return activate(s, await createUser(s, admin, fields));
}

const me = (s, token) => call(s, 'GET', '/me', { token });
const refresh = (s, token) => call(s, 'POST', '/auth/refresh', { body: { refresh_token: token } });

function median(xs) {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.floor(a.length / 2)];
}

describe('identity: login, sessions and the users API', () => {
  let s;
  let admin; // access token of the superuser
  let adminId;

  before(async () => {
    s = await startStack({});
    const r = await login(s, s.superuser, s.adminPassword);
    assert.equal(r.status, 200, show(r));
    admin = r.body.access_token;
    adminId = r.body.user.id;
  });
  after(async () => {
    await s?.stop();
  });

  // --- login ------------------------------------------------------------------------------------

  test('§6 login returns {access_token, token_type "Bearer", expires_in ≤ 900, refresh_token, user}', async () => {
    const r = await login(s, s.superuser, s.adminPassword);
    assert.equal(r.status, 200, show(r));
    const b = r.body;
    assert.equal(typeof b.access_token, 'string');
    assert.equal(b.access_token.split('.').length, 3, 'access token is a compact JWT');
    assert.equal(b.token_type, 'Bearer');
    assert.ok(Number.isInteger(b.expires_in) && b.expires_in > 0 && b.expires_in <= 900, `expires_in ${b.expires_in}`);
    assert.equal(typeof b.refresh_token, 'string');
    assert.ok(b.refresh_token.length >= 32);
    assert.equal(b.user.username, s.superuser);
    assert.deepEqual(b.user.roles, ['superuser']);
    assert.equal(b.user.must_change_password, false);
    assert.equal(b.user.id, adminId);
    assert.ok(!('password_hash' in b.user) && !JSON.stringify(b).includes('$argon2'), 'no hash in the reply');
    assert.equal((await me(s, b.access_token)).status, 200, 'the access token works');
  });

  test('§9 an unknown user and a wrong password get the same 401 body (code, title, detail)', async () => {
    const u = await createUser(s, admin, { roles: ['staff'] });
    const unknown = await login(s, `nobody-${randomHex(4)}`, 'Some-password-1234');
    const wrong = await login(s, u.username, 'Some-password-1234');
    assertProblem(unknown, 401, 'invalid_credentials', 'unknown user:');
    assertProblem(wrong, 401, 'invalid_credentials', 'wrong password:');
    for (const k of ['type', 'title', 'status', 'detail', 'code']) {
      assert.equal(unknown.body[k], wrong.body[k], `${k} differs: ${JSON.stringify(unknown.body)} vs ${JSON.stringify(wrong.body)}`);
    }
    assert.deepEqual(Object.keys(unknown.body).sort(), Object.keys(wrong.body).sort(), 'the same fields');
  });

  test('§9 an unknown user and a wrong password take similar time (both do the argon2 work)', async () => {
    const victim = await createUser(s, admin, { roles: ['staff'] });
    const tUnknown = [];
    const tWrong = [];
    // 4 failures: under the pair threshold of 5, so no lock interferes.
    for (let i = 0; i < 4; i++) {
      let t = performance.now();
      const a = await login(s, `ghost-${randomHex(5)}`, `Wrong-password-${i}-xx`);
      tUnknown.push(performance.now() - t);
      t = performance.now();
      const b = await login(s, victim.username, `Wrong-password-${i}-xx`);
      tWrong.push(performance.now() - t);
      assert.equal(a.status, 401, show(a));
      assert.equal(b.status, 401, show(b));
    }
    const mu = median(tUnknown);
    const mw = median(tWrong);
    console.log(`login timing: unknown user median ${mu.toFixed(1)} ms ${JSON.stringify(tUnknown.map(Math.round))}, wrong password median ${mw.toFixed(1)} ms ${JSON.stringify(tWrong.map(Math.round))}`);
    assert.ok(mu >= 0.3 * mw, `unknown user (${mu.toFixed(1)} ms) is much faster than a wrong password (${mw.toFixed(1)} ms): usernames can be probed`);
    assert.ok(mw >= 0.3 * mu, `wrong password (${mw.toFixed(1)} ms) is much faster than an unknown user (${mu.toFixed(1)} ms)`);
  });

  test('§11 a revoked user: wrong password → 401 invalid_credentials, right password → 403 access_revoked', async () => {
    const u = await newActiveUser(s, admin, { roles: ['teacher'] });
    const rv = await call(s, 'POST', `/users/${u.id}/revoke`, { token: admin, body: { reason: 'left' } });
    assert.equal(rv.status, 200, show(rv));
    assertProblem(await login(s, u.username, 'Not-the-password-1'), 401, 'invalid_credentials', 'wrong password:');
    const right = await login(s, u.username, u.password);
    assertProblem(right, 403, 'access_revoked', 'right password:');
    assert.ok(!('access_token' in right.body), 'no token for a revoked user');
  });

  test('§7 employment_start in the future → 403 access_revoked on login (and only after the right password)', async () => {
    const u = await createUser(s, admin, { roles: ['teacher'], employment_start: '2099-09-01' });
    assert.equal(u.access, 'pending');
    assertProblem(await login(s, u.username, 'Not-the-password-1'), 401, 'invalid_credentials', 'wrong password:');
    const r = await login(s, u.username, u.initial_password);
    assertProblem(r, 403, 'access_revoked', 'pending employee:');
    assert.ok(!('access_token' in r.body));
  });

  test('§11 employment_end in the past (PATCH) → the user\'s existing token is refused on the next request', async () => {
    const u = await newActiveUser(s, admin, { roles: ['teacher'], employment_start: '2020-01-01' });
    assert.equal((await me(s, u.token)).status, 200);
    const g = await call(s, 'GET', `/users/${u.id}`, { token: admin });
    const p = await call(s, 'PATCH', `/users/${u.id}`, {
      token: admin, body: { employment_end: '2021-06-30' }, headers: { 'if-match': g.headers.get('etag') },
    });
    assert.equal(p.status, 200, show(p));
    assert.equal(p.body.access, 'ended');
    assertProblem(await me(s, u.token), 401, 'invalid_token', 'token after employment_end:');
    assertProblem(await refresh(s, u.refresh), 401, 'invalid_refresh_token', 'refresh after employment_end:');
    assertProblem(await login(s, u.username, u.password), 403, 'access_revoked', 'login after employment_end:');
  });

  test('§11 POST /users/{id}/revoke → the user\'s unexpired token is refused on the next request, and login → 403', async () => {
    const u = await newActiveUser(s, admin, { roles: ['teacher'] });
    assert.equal((await me(s, u.token)).status, 200);
    const rv = await call(s, 'POST', `/users/${u.id}/revoke`, { token: admin, body: { reason: 'employment ended' } });
    assert.equal(rv.status, 200, show(rv));
    assert.equal(rv.body.access, 'revoked');
    assertProblem(await me(s, u.token), 401, 'invalid_token', 'revoked user\'s token:');
    assertProblem(await refresh(s, u.refresh), 401, 'invalid_refresh_token', 'revoked user\'s refresh token:');
    assertProblem(await login(s, u.username, u.password), 403, 'access_revoked', 'login:');
  });

  test('§11 reinstate → login works again (tokens from before the revocation stay dead)', async () => {
    const u = await newActiveUser(s, admin, { roles: ['teacher'] });
    assert.equal((await call(s, 'POST', `/users/${u.id}/revoke`, { token: admin, body: { reason: 'x' } })).status, 200);
    assertProblem(await login(s, u.username, u.password), 403, 'access_revoked');
    const ri = await call(s, 'POST', `/users/${u.id}/reinstate`, { token: admin });
    assert.equal(ri.status, 200, show(ri));
    assert.equal(ri.body.access, 'active');
    const r = await login(s, u.username, u.password);
    assert.equal(r.status, 200, show(r));
    assert.equal((await me(s, r.body.access_token)).status, 200);
    assertProblem(await me(s, u.token), 401, 'invalid_token', 'a token from before the revocation:');
  });

  test('§7 §11 employment dates are Riga calendar days, inclusive: start today and end today → active; ended yesterday → 403', async () => {
    const day = rigaDay; // n calendar days from today, in Riga
    const today = await createUser(s, admin, { roles: ['teacher'], employment_start: day(0), employment_end: day(0) });
    assert.equal(today.access, 'active', `start and end today (${day(0)}): ${today.access}`);
    assert.equal((await login(s, today.username, today.initial_password)).status, 200);
    const ended = await createUser(s, admin, { roles: ['teacher'], employment_start: day(-30), employment_end: day(-1) });
    assert.equal(ended.access, 'ended');
    assertProblem(await login(s, ended.username, ended.initial_password), 403, 'access_revoked', 'ended yesterday:');
    const tomorrow = await createUser(s, admin, { roles: ['teacher'], employment_start: day(1) });
    assert.equal(tomorrow.access, 'pending');
    assertProblem(await login(s, tomorrow.username, tomorrow.initial_password), 403, 'access_revoked', 'starts tomorrow:');
  });

  test('SPEC roles are read from the database on every request: a role removed by PATCH is gone on the next request', async () => {
    const d = await newActiveUser(s, admin, { roles: ['director'] });
    assert.equal((await call(s, 'GET', '/users', { token: d.token })).status, 200, 'a director reads users');
    const p = await call(s, 'PATCH', `/users/${d.id}`, { token: admin, body: { roles: ['staff'] } });
    assert.equal(p.status, 200, show(p));
    assertProblem(await call(s, 'GET', '/users', { token: d.token }), 403, 'forbidden', 'the same token after the role is removed:');
    const m = await me(s, d.token);
    assert.deepEqual(m.body.roles, ['staff']);
  });

  test('§9 reset-password ends the user\'s sessions and issues a new one-time password', async () => {
    const u = await newActiveUser(s, admin, { roles: ['teacher'] });
    const r = await call(s, 'POST', `/users/${u.id}/reset-password`, { token: admin });
    assert.equal(r.status, 200, show(r));
    assert.equal(typeof r.body.initial_password, 'string');
    assert.equal(r.body.user.must_change_password, true);
    assertProblem(await me(s, u.token), 401, 'invalid_token', 'the user\'s token after the reset:');
    assertProblem(await refresh(s, u.refresh), 401, 'invalid_refresh_token', 'the user\'s refresh token after the reset:');
    assertProblem(await login(s, u.username, u.password), 401, 'invalid_credentials', 'the old password:');
    const l = await login(s, u.username, r.body.initial_password);
    assert.equal(l.status, 200, show(l));
    assert.equal(l.body.user.must_change_password, true);
    const audit = await s.query(`SELECT before::text AS b, after::text AS a FROM audit_log WHERE action = 'user.reset_password' AND entity_id = '${u.id}'`);
    assert.equal(audit.length, 1);
    assert.ok(!JSON.stringify(audit).includes(r.body.initial_password) && !/argon2/.test(JSON.stringify(audit)), 'no password in the audit log');
  });

  // --- passwords --------------------------------------------------------------------------------

  test('§10 a password change ends every other session (access and refresh tokens); the caller gets new working tokens', async () => {
    const u = await newActiveUser(s, admin, { roles: ['teacher'] });
    const a = await login(s, u.username, u.password); // session A: changes the password
    const b = await login(s, u.username, u.password); // session B: must die
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    const next = freshPassword();
    const ch = await call(s, 'POST', '/auth/password', {
      token: a.body.access_token, body: { current_password: u.password, new_password: next },
    });
    assert.equal(ch.status, 200, show(ch));
    assert.equal(ch.body.token_type, 'Bearer');
    assertProblem(await me(s, b.body.access_token), 401, 'invalid_token', 'other session\'s access token:');
    assertProblem(await refresh(s, b.body.refresh_token), 401, 'invalid_refresh_token', 'other session\'s refresh token:');
    assertProblem(await me(s, u.token), 401, 'invalid_token', 'the first session\'s access token:');
    // The caller's new pair works; its old pair is replaced.
    const m = await me(s, ch.body.access_token);
    assert.equal(m.status, 200, show(m));
    assertProblem(await refresh(s, a.body.refresh_token), 401, 'invalid_refresh_token', 'caller\'s old refresh token:');
    const rf = await refresh(s, ch.body.refresh_token);
    assert.equal(rf.status, 200, `caller's new refresh token: ${show(rf)}`);
    // The old password no longer logs in; the new one does.
    assertProblem(await login(s, u.username, u.password), 401, 'invalid_credentials', 'old password:');
    assert.equal((await login(s, u.username, next)).status, 200);
  });

  test('§9 one-time password: must_change_password, every route but /auth/* and GET /me → 403 password_change_required, until POST /auth/password', async () => {
    const u = await createUser(s, admin, { roles: ['superuser'] });
    assert.equal(typeof u.initial_password, 'string');
    const first = await login(s, u.username, u.initial_password);
    assert.equal(first.status, 200, show(first));
    assert.equal(first.body.user.must_change_password, true);
    const t = first.body.access_token;
    const m = await me(s, t);
    assert.equal(m.status, 200, `GET /me is allowed: ${show(m)}`);
    assert.equal(m.body.must_change_password, true);
    for (const [method, p, body] of [
      ['GET', '/me/logins'], ['GET', '/users'], ['GET', `/users/${adminId}`],
      ['POST', '/users', { username: `x${randomHex(4)}`, full_name: 'X', roles: ['staff'] }],
      ['POST', '/users/999999/reset-password'],
    ]) {
      assertProblem(await call(s, method, p, { token: t, body }), 403, 'password_change_required', `${method} ${p}:`);
    }
    // /auth/* stays open: refresh works (the new token is still under the one-time password).
    const rf = await refresh(s, first.body.refresh_token);
    assert.equal(rf.status, 200, `refresh: ${show(rf)}`);
    assertProblem(await call(s, 'GET', '/users', { token: rf.body.access_token }), 403, 'password_change_required', 'refreshed token:');
    const next = freshPassword();
    const ch = await call(s, 'POST', '/auth/password', {
      token: rf.body.access_token, body: { current_password: u.initial_password, new_password: next },
    });
    assert.equal(ch.status, 200, show(ch));
    assert.equal(ch.body.user.must_change_password, false);
    const list = await call(s, 'GET', '/users', { token: ch.body.access_token });
    assert.equal(list.status, 200, `after the change: ${show(list)}`);
    assert.equal((await call(s, 'GET', '/me/logins', { token: ch.body.access_token })).status, 200);
    assert.equal((await me(s, ch.body.access_token)).body.must_change_password, false);
    // The one-time password is spent.
    assertProblem(await login(s, u.username, u.initial_password), 401, 'invalid_credentials', 'initial password again:');
  });

  test('§9 password policy: 11 characters, the username, a common password → 422 weak_password', async () => {
    const username = `policy.user.${randomHex(2)}`; // ≥ 12 characters, so only the username rule refuses it
    const u = await createUser(s, admin, { username, roles: ['staff'] });
    const first = await login(s, username, u.initial_password);
    assert.equal(first.status, 200);
    const tryPw = (pw) => call(s, 'POST', '/auth/password', {
      token: first.body.access_token, body: { current_password: u.initial_password, new_password: pw },
    });
    const common = '1q2w3e4r5t6y';
    const list = fs.readFileSync(path.join(repoRoot, 'api/auth/common-passwords.txt'), 'utf8').split('\n');
    assert.ok(list.includes(common), 'the chosen common password is in api/auth/common-passwords.txt');
    for (const [pw, why] of [
      ['Abcdefgh-1x', '11 characters'], [username, 'equals the username'],
      [username.toUpperCase(), 'the username in capitals'], [common, 'a common password'],
    ]) {
      const r = await tryPw(pw);
      assertProblem(r, 422, 'weak_password', `${why}:`);
      assert.ok(Array.isArray(r.body.errors) && r.body.errors.some((e) => e.field === 'new_password'), `${why}: errors names new_password: ${show(r)}`);
    }
    // None of these took effect: the one-time password still logs in, and a good one is accepted.
    const ok = await tryPw(`Abcdefgh-12x`);
    assert.equal(ok.status, 200, `12 characters: ${show(ok)}`);
  });

  // --- refresh and logout -----------------------------------------------------------------------

  test('§10 refresh rotation: a new pair; reusing the old refresh token → 401 refresh_token_reused and the whole login ends; another login survives', async () => {
    const u = await newActiveUser(s, admin, { roles: ['teacher'] });
    const l1 = await login(s, u.username, u.password);
    const l2 = await login(s, u.username, u.password);
    const r1 = await refresh(s, l1.body.refresh_token);
    assert.equal(r1.status, 200, show(r1));
    assert.notEqual(r1.body.refresh_token, l1.body.refresh_token);
    assert.notEqual(r1.body.access_token, l1.body.access_token);
    assert.equal(r1.body.token_type, 'Bearer');
    assert.ok(r1.body.expires_in <= 900);
    assert.equal((await me(s, r1.body.access_token)).status, 200);
    // The old token again: reuse.
    assertProblem(await refresh(s, l1.body.refresh_token), 401, 'refresh_token_reused', 'reused refresh token:');
    // The whole family ended: the newer refresh token and its access token are dead too.
    const r2 = await refresh(s, r1.body.refresh_token);
    assert.equal(r2.status, 401, `newer refresh token of the same login: ${show(r2)}`);
    assertProblem(await me(s, r1.body.access_token), 401, 'invalid_token', 'access token of the ended login:');
    // Another login of the same user is untouched.
    assert.equal((await me(s, l2.body.access_token)).status, 200);
    assert.equal((await refresh(s, l2.body.refresh_token)).status, 200);
    // Garbage is 401 too.
    assertProblem(await refresh(s, `ejr_${'0'.repeat(64)}`), 401, 'invalid_refresh_token');
    assertProblem(await refresh(s, 'not-a-token'), 401, 'invalid_refresh_token');
  });

  test('§10 logout ends that session\'s access and refresh tokens; the user\'s other sessions stay', async () => {
    const u = await newActiveUser(s, admin, { roles: ['teacher'] });
    const a = await login(s, u.username, u.password);
    const b = await login(s, u.username, u.password);
    const out = await call(s, 'POST', '/auth/logout', { token: a.body.access_token });
    assert.equal(out.status, 204, show(out));
    assertProblem(await me(s, a.body.access_token), 401, 'invalid_token', 'logged-out access token:');
    assertProblem(await refresh(s, a.body.refresh_token), 401, 'invalid_refresh_token', 'logged-out refresh token:');
    assert.equal((await me(s, b.body.access_token)).status, 200, 'another session');
    assert.equal((await me(s, u.token)).status, 200, 'another session');
  });

  test('§10 logout {everywhere: true} ends every session of the user', async () => {
    const u = await newActiveUser(s, admin, { roles: ['teacher'] });
    const a = await login(s, u.username, u.password);
    const b = await login(s, u.username, u.password);
    const out = await call(s, 'POST', '/auth/logout', { token: a.body.access_token, body: { everywhere: true } });
    assert.equal(out.status, 204, show(out));
    for (const [t, what] of [[a.body.access_token, 'A'], [b.body.access_token, 'B'], [u.token, 'first']]) {
      assertProblem(await me(s, t), 401, 'invalid_token', `session ${what}:`);
    }
    assertProblem(await refresh(s, b.body.refresh_token), 401, 'invalid_refresh_token', 'B refresh:');
    assert.equal((await login(s, u.username, u.password)).status, 200, 'a new login works');
    // Other users are not affected.
    assert.equal((await me(s, admin)).status, 200);
  });

  test('§10 GET /me/logins shows the caller\'s recent attempts with outcome and user agent, never another user\'s', async () => {
    const a = await newActiveUser(s, admin, { roles: ['teacher'] });
    const b = await newActiveUser(s, admin, { roles: ['teacher'] });
    const tag = randomHex(4);
    const loginUA = (username, password, ua) =>
      call(s, 'POST', '/auth/login', { body: { username, password }, headers: { 'user-agent': ua } });
    assert.equal((await loginUA(a.username, 'Wrong-password-xyz', `A-wrong-${tag}`)).status, 401);
    const ok = await loginUA(a.username, a.password, `A-ok-${tag}`);
    assert.equal(ok.status, 200);
    assert.equal((await loginUA(b.username, 'Wrong-password-xyz', `B-wrong-${tag}`)).status, 401);
    assert.equal((await loginUA(b.username, b.password, `B-ok-${tag}`)).status, 200);

    const r = await call(s, 'GET', '/me/logins', { token: ok.body.access_token });
    assert.equal(r.status, 200, show(r));
    assert.ok(Array.isArray(r.body.items), show(r));
    assert.ok('next' in r.body);
    const items = r.body.items;
    const wrong = items.find((i) => i.user_agent === `A-wrong-${tag}`);
    const good = items.find((i) => i.user_agent === `A-ok-${tag}`);
    assert.ok(wrong, `the failed attempt is listed: ${JSON.stringify(items)}`);
    assert.equal(wrong.outcome, 'invalid_credentials');
    assert.ok(good, 'the successful attempt is listed');
    assert.equal(good.outcome, 'success');
    assert.ok(typeof good.at === 'string' && /Z$/.test(good.at), `at is RFC 3339 UTC: ${good.at}`);
    assert.ok(items.indexOf(good) < items.indexOf(wrong), 'newest first');
    const text = JSON.stringify(r.body);
    assert.ok(!text.includes(`B-wrong-${tag}`) && !text.includes(`B-ok-${tag}`), `another user's attempts are listed: ${text}`);
    assert.ok(!text.includes('password'), 'no password in the records');
    // Paging: limit=1 gives one item and a cursor to the next.
    const p1 = await call(s, 'GET', '/me/logins?limit=1', { token: ok.body.access_token });
    assert.equal(p1.body.items.length, 1);
    assert.ok(p1.body.next, 'a next cursor');
    const p2 = await call(s, 'GET', `/me/logins?limit=1&after=${encodeURIComponent(p1.body.next)}`, { token: ok.body.access_token });
    assert.equal(p2.status, 200, show(p2));
    assert.equal(p2.body.items.length, 1);
    assert.notEqual(p2.body.items[0].id, p1.body.items[0].id);
  });

  test('§9 throttling: 5 wrong passwords → the 6th attempt is 429 too_many_attempts with Retry-After even with the right password; after Retry-After seconds it works', async () => {
    const u = await newActiveUser(s, admin, { roles: ['teacher'] });
    for (let i = 1; i <= 5; i++) {
      assertProblem(await login(s, u.username, `Wrong-password-${i}-x`), 401, 'invalid_credentials', `failure ${i}:`);
    }
    const locked = await login(s, u.username, u.password);
    assertProblem(locked, 429, 'too_many_attempts', '6th attempt with the right password:');
    const wait = Number(locked.headers.get('retry-after'));
    assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 2, `Retry-After ${locked.headers.get('retry-after')} (first lock is 1 s)`);
    assert.ok(!('access_token' in locked.body));
    // The lock is in PostgreSQL.
    const rows = await s.psql(`SELECT key, failures, locked_until > now() FROM login_throttle WHERE key LIKE '%${u.username}%' ORDER BY key`);
    const pair = rows.find((r) => r[0] === `pair:${u.username}|127.0.0.1`);
    assert.ok(pair, `login_throttle has the pair row: ${JSON.stringify(rows)}`);
    assert.equal(pair[1], '5');
    await sleep(wait * 1000 + 100);
    const r = await login(s, u.username, u.password);
    assert.equal(r.status, 200, `after Retry-After: ${show(r)}`);
    // A correct password clears both counters.
    const left = await s.psql(`SELECT key FROM login_throttle WHERE key LIKE '%${u.username}%'`);
    assert.deepEqual(left, [], 'the counters are cleared');
    // Other users are not throttled by it.
    assert.equal((await login(s, s.superuser, s.adminPassword)).status, 200);
  });

  // --- the users API ----------------------------------------------------------------------------

  test('§6 POST /users → 201 with Location, ETag and a one-time initial_password; GET shows no password; the audit row holds no secret', async () => {
    const username = `new.${randomHex(4)}`;
    const r = await call(s, 'POST', '/users', {
      token: admin, body: { username, full_name: 'Jānis Bērziņš', roles: ['teacher', 'guardian'], email: 'janis@example.lv' },
    });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.headers.get('location'), `/api/v1/users/${r.body.id}`);
    assert.match(r.headers.get('etag') || '', /^"[^"]+"$/, 'an ETag');
    assert.equal(typeof r.body.initial_password, 'string');
    assert.ok(r.body.initial_password.length >= 12);
    assert.equal(r.body.username, username);
    assert.equal(r.body.full_name, 'Jānis Bērziņš');
    assert.deepEqual([...r.body.roles].sort(), ['guardian', 'teacher']);
    assert.equal(r.body.must_change_password, true);
    assert.ok(!('password_hash' in r.body));
    const g = await call(s, 'GET', `/users/${r.body.id}`, { token: admin });
    assert.equal(g.status, 200, show(g));
    assert.ok(!('initial_password' in g.body), 'GET shows no initial_password');
    assert.ok(!g.text.includes(r.body.initial_password) && !g.text.includes('$argon2'));
    assert.equal(g.headers.get('etag'), r.headers.get('etag'));
    const audit = await s.query(`SELECT action, actor_id, before::text AS before, after::text AS after FROM audit_log WHERE entity = 'user' AND entity_id = '${r.body.id}' AND action = 'user.create'`);
    assert.equal(audit.length, 1, `one audit row: ${JSON.stringify(audit)}`);
    assert.equal(audit[0].actor_id, adminId);
    const all = JSON.stringify(audit[0]);
    assert.ok(audit[0].after && audit[0].after.includes(username), 'after holds the user');
    assert.ok(!all.includes(r.body.initial_password), 'the initial password is in the audit log');
    assert.ok(!/argon2|password_hash|initial_password/.test(all), `a password or hash is in the audit log: ${all}`);
  });

  test('§6 a duplicate username → 409 username_taken', async () => {
    const u = await createUser(s, admin, { roles: ['staff'] });
    const r = await call(s, 'POST', '/users', { token: admin, body: { username: u.username, full_name: 'Again', roles: ['staff'] } });
    assertProblem(r, 409, 'username_taken');
  });

  test('§6 invalid roles → 422', async () => {
    for (const roles of [['wizard'], [], ['teacher', 'root']]) {
      const r = await call(s, 'POST', '/users', { token: admin, body: { username: `r${randomHex(4)}`, full_name: 'R', roles } });
      assert.equal(r.status, 422, `roles ${JSON.stringify(roles)}: ${show(r)}`);
      assert.ok(Array.isArray(r.body.errors) && r.body.errors.some((e) => e.field === 'roles'), `errors names roles: ${show(r)}`);
    }
  });

  test('§6 an unknown field → 400 unknown_field', async () => {
    const r = await call(s, 'POST', '/users', {
      token: admin, body: { username: `f${randomHex(4)}`, full_name: 'F', roles: ['staff'], password: 'Chosen-by-me-123' },
    });
    assertProblem(r, 400, 'unknown_field');
  });

  test('§6 GET /users filters by ?role= ?q= ?access= and pages with limit/after', async () => {
    const tag = `zq${randomHex(3)}`;
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createUser(s, admin, { username: `${tag}.${i}`, full_name: `Lister ${i}`, roles: i === 2 ? ['director'] : ['staff'] }));
    assert.equal((await call(s, 'POST', `/users/${made[1].id}/revoke`, { token: admin, body: { reason: 'test' } })).status, 200);
    const names = async (qs) => {
      const r = await call(s, 'GET', `/users?${qs}`, { token: admin });
      assert.equal(r.status, 200, `${qs}: ${show(r)}`);
      return r.body.items.map((u) => u.username).sort();
    };
    assert.deepEqual(await names(`q=${tag}`), [`${tag}.0`, `${tag}.1`, `${tag}.2`]);
    assert.deepEqual(await names(`q=${tag}&role=staff`), [`${tag}.0`, `${tag}.1`]);
    assert.deepEqual(await names(`q=${tag}&role=director`), [`${tag}.2`]);
    assert.deepEqual(await names(`q=${tag}&role=teacher`), []);
    assert.deepEqual(await names(`q=${tag}&access=revoked`), [`${tag}.1`]);
    assert.deepEqual(await names(`q=${tag}&access=active`), [`${tag}.0`, `${tag}.2`]);
    assert.deepEqual(await names(`q=${tag.toUpperCase()}`), [`${tag}.0`, `${tag}.1`, `${tag}.2`], 'q is case-insensitive');
    assert.ok((await names('q=Lister')).length >= 3, 'q searches full names');
    // Pagination.
    const p1 = await call(s, 'GET', `/users?q=${tag}&limit=1`, { token: admin });
    assert.equal(p1.status, 200);
    assert.equal(p1.body.items.length, 1);
    assert.equal(typeof p1.body.next, 'string', `next cursor: ${show(p1)}`);
    const p2 = await call(s, 'GET', `/users?q=${tag}&limit=1&after=${encodeURIComponent(p1.body.next)}`, { token: admin });
    assert.equal(p2.status, 200, show(p2));
    assert.equal(p2.body.items.length, 1);
    assert.notEqual(p2.body.items[0].id, p1.body.items[0].id);
    const p3 = await call(s, 'GET', `/users?q=${tag}&limit=2&after=${encodeURIComponent(p2.body.next)}`, { token: admin });
    assert.deepEqual(p3.body.items.map((u) => u.id), [made[2].id]);
    assert.equal(p3.body.next, null, 'the last page has next null');
    // Bad filters.
    assert.equal((await call(s, 'GET', '/users?role=wizard', { token: admin })).status, 400);
    assert.equal((await call(s, 'GET', '/users?limit=501', { token: admin })).status, 400);
  });

  test('PATCH /users/{id} with a stale If-Match → 412 precondition_failed and nothing changed; with the current ETag → 200 and a new ETag', async () => {
    const u = await createUser(s, admin, { roles: ['staff'], full_name: 'Before Name' });
    const g = await call(s, 'GET', `/users/${u.id}`, { token: admin });
    const etag = g.headers.get('etag');
    const ok1 = await call(s, 'PATCH', `/users/${u.id}`, { token: admin, body: { full_name: 'Second Name' }, headers: { 'if-match': etag } });
    assert.equal(ok1.status, 200, show(ok1));
    const etag2 = ok1.headers.get('etag');
    assert.ok(etag2 && etag2 !== etag, `a new ETag: ${etag} → ${etag2}`);
    assert.equal(ok1.body.full_name, 'Second Name');
    // The stale ETag now.
    const stale = await call(s, 'PATCH', `/users/${u.id}`, { token: admin, body: { full_name: 'Lost Update', phone: '+371 20000000' }, headers: { 'if-match': etag } });
    assertProblem(stale, 412, 'precondition_failed', 'stale If-Match:');
    const after = await call(s, 'GET', `/users/${u.id}`, { token: admin });
    assert.equal(after.body.full_name, 'Second Name', 'nothing changed');
    assert.equal(after.body.phone, null);
    assert.equal(after.headers.get('etag'), etag2);
    const audits = await s.psql(`SELECT count(*) FROM audit_log WHERE entity = 'user' AND entity_id = '${u.id}' AND action = 'user.update'`);
    assert.equal(audits[0][0], '1', 'one update audited');
  });

  test('§11 revoking oneself → 409 cannot_revoke_self', async () => {
    const r = await call(s, 'POST', `/users/${adminId}/revoke`, { token: admin, body: { reason: 'oops' } });
    assertProblem(r, 409, 'cannot_revoke_self');
    assert.equal((await me(s, admin)).status, 200, 'still signed in');
  });

  test('Idempotency-Key on POST /users: the same key and body twice → one user; the replay equals the first response but withholds initial_password', async () => {
    const key = `idem-${randomHex(8)}`;
    const body = { username: `idem.${randomHex(4)}`, full_name: 'Idem Potent', roles: ['staff'] };
    const first = await call(s, 'POST', '/users', { token: admin, body, headers: { 'idempotency-key': key } });
    assert.equal(first.status, 201, show(first));
    assert.equal(typeof first.body.initial_password, 'string');
    const second = await call(s, 'POST', '/users', { token: admin, body, headers: { 'idempotency-key': key } });
    assert.equal(second.status, 201, `replay: ${show(second)}`);
    assert.ok(!('initial_password' in second.body), 'the one-time password is not shown again');
    const { initial_password: _, ...firstRest } = first.body;
    assert.deepEqual(second.body, firstRest, 'the replay is the first response');
    assert.equal(second.headers.get('location'), first.headers.get('location'));
    const n = await s.psql(`SELECT count(*) FROM users WHERE username = '${body.username}'`);
    assert.equal(n[0][0], '1', 'one user');
    const a = await s.psql(`SELECT count(*) FROM audit_log WHERE action = 'user.create' AND entity_id = '${first.body.id}'`);
    assert.equal(a[0][0], '1', 'one audit row');
  });

  test('Idempotency-Key replay of POST /users carries the first response\'s ETag', async () => {
    const key = `idem-${randomHex(8)}`;
    const body = { username: `idem.${randomHex(4)}`, full_name: 'Idem Etag', roles: ['staff'] };
    const first = await call(s, 'POST', '/users', { token: admin, body, headers: { 'idempotency-key': key } });
    assert.equal(first.status, 201, show(first));
    const second = await call(s, 'POST', '/users', { token: admin, body, headers: { 'idempotency-key': key } });
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('etag'), first.headers.get('etag'), 'the replay has the same ETag');
  });

  test('Idempotency-Key reused with a different body → 422 idempotency_key_reused, nothing created', async () => {
    const key = `idem-${randomHex(8)}`;
    const u1 = `idem.${randomHex(4)}`;
    const u2 = `idem.${randomHex(4)}`;
    const first = await call(s, 'POST', '/users', { token: admin, body: { username: u1, full_name: 'One', roles: ['staff'] }, headers: { 'idempotency-key': key } });
    assert.equal(first.status, 201);
    const r = await call(s, 'POST', '/users', { token: admin, body: { username: u2, full_name: 'Two', roles: ['staff'] }, headers: { 'idempotency-key': key } });
    assertProblem(r, 422, 'idempotency_key_reused');
    const n = await s.psql(`SELECT count(*) FROM users WHERE username = '${u2}'`);
    assert.equal(n[0][0], '0');
  });

  test('GET /api/v1/users/999999 → 404', async () => {
    assertProblem(await call(s, 'GET', '/users/999999', { token: admin }), 404, 'not_found');
  });

  test('§6 §8 a teacher\'s token on GET /users → 403 forbidden', async () => {
    const t = await newActiveUser(s, admin, { roles: ['teacher'] });
    assertProblem(await call(s, 'GET', '/users', { token: t.token }), 403, 'forbidden');
    assertProblem(await call(s, 'POST', '/users', { token: t.token, body: { username: `t${randomHex(3)}`, full_name: 'T', roles: ['superuser'] } }), 403, 'forbidden', 'teacher creating a superuser:');
    assertProblem(await call(s, 'GET', '/users', {}), 401, 'unauthenticated', 'no token:');
  });
});

describe('identity: throttling state lives in PostgreSQL', () => {
  let s;
  let srv;
  const SECRET = `thr-${randomHex(24)}`;

  before(async () => {
    s = await startStack({ env: { EJ_JWT_SECRET: SECRET } });
  });
  after(async () => {
    await srv?.stop().catch(() => {});
    await s?.stop();
  });

  test('§9 each further failure doubles the wait (1, 2, 4, 8 s); the lock is seen by another server on the database and outlives the server that set it', async () => {
    const a = await login(s, s.superuser, s.adminPassword);
    const user = await createUser(s, a.body.access_token, { roles: ['teacher'] });
    const u = await activate(s, user);
    const attempt = (base, password) => call({ api: `${base}/api/v1` }, 'POST', '/auth/login', { body: { username: u.username, password } });
    for (let i = 1; i <= 5; i++) assert.equal((await attempt(s.base, `Wrong-pw-${i}-xxxx`)).status, 401);
    const waits = [];
    for (let round = 0; round < 4; round++) {
      const locked = await attempt(s.base, u.password);
      assertProblem(locked, 429, 'too_many_attempts', `round ${round}:`);
      const w = Number(locked.headers.get('retry-after'));
      waits.push(w);
      if (round === 3) break;
      await sleep(w * 1000 + 100);
      assert.equal((await attempt(s.base, `Wrong-again-${round}-xx`)).status, 401, 'a failure after the lock ends');
    }
    assert.deepEqual(waits, [1, 2, 4, 8], `Retry-After doubles: ${JSON.stringify(waits)}`);
    const lockedAt = Date.now();
    // A second server on the same database sees the 8 s lock at once...
    srv = await serveAgain(s, { EJ_JWT_SECRET: SECRET });
    assertProblem(await attempt(srv.base, u.password), 429, 'too_many_attempts', 'on a second server:');
    // ...and still after the server that set it has exited.
    await haltServer(s);
    const still = await attempt(srv.base, u.password);
    const elapsed = (Date.now() - lockedAt) / 1000;
    assert.ok(elapsed < 7, `the restart took ${elapsed.toFixed(1)} s: too slow to check an 8 s lock`);
    assertProblem(still, 429, 'too_many_attempts', 'after the first server exited:');
    const w = Number(still.headers.get('retry-after'));
    assert.ok(w >= 1 && w <= 8, `Retry-After after the restart: ${w}`);
    const rows = await s.psql(`SELECT failures, locked_until > now() FROM login_throttle WHERE key = 'pair:${u.username}|127.0.0.1'`);
    assert.deepEqual(rows, [['8', 't']], 'eight failures counted, locked');
  });
});
