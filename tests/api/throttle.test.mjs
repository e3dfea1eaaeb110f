// Logins under attack (issue 9 #3, #4, #6, #7, #11): the per-address budget for password-hashing
// requests, the fair wait for a hashing slot, EJ_TRUSTED_PROXIES, attempts counted before hashing,
// throttled attempts aggregated, `ejournal prune`, and long multi-byte usernames.
//
// Clients come from distinct loopback addresses (127.0.0.2, 127.0.0.3, ...): Linux routes all of
// 127.0.0.0/8 to lo, and http.request's localAddress binds the socket to one of them.
// Run alone with: node --test tests/api/throttle.test.mjs
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { startStack, serveAgain, randomHex, freePort } from './lib/stack.mjs';
import { adminSession, makeUser } from './lib/fixtures.mjs';

const show = (r) => `${r.status} ${typeof r.body === 'string' ? r.body.slice(0, 300) : JSON.stringify(r.body)}`;

// One request on a fresh connection from localAddress (default 127.0.0.1). Resolves with
// { status, headers, body } (body parsed when JSON); never rejects: a socket error is status 0.
function req(port, method, path, { body, headers = {}, from = '127.0.0.1', token, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const h = { ...headers };
    if (payload !== undefined) {
      h['content-type'] = 'application/json';
      h['content-length'] = Buffer.byteLength(payload);
    }
    if (token) h.authorization = `Bearer ${token}`;
    const r = http.request({ host: '127.0.0.1', port, method, path: `/api/v1${path}`, headers: h, localAddress: from, agent: false, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed = text;
        try {
          parsed = text === '' ? null : JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode, headers: res.headers, body: parsed });
      });
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', (e) => resolve({ status: 0, headers: {}, body: String(e) }));
    if (payload !== undefined) r.write(payload);
    r.end();
  });
}

const loginFrom = (port, from, username, password, headers = {}) =>
  req(port, 'POST', '/auth/login', { from, body: { username, password }, headers });

function assertProblem(r, status, code, what = '') {
  assert.equal(r.status, status, `${what} expected ${status} ${code}, got ${show(r)}`);
  assert.match(r.headers['content-type'] || '', /^application\/problem\+json/, `${what} content type`);
  assert.equal(r.body.code, code, `${what} code: ${show(r)}`);
}

function assertRetryAfter(r, what = '') {
  const w = Number(r.headers['retry-after']);
  assert.ok(Number.isInteger(w) && w >= 1, `${what} Retry-After: ${r.headers['retry-after']}`);
  return w;
}

const count = (xs, pred) => xs.filter(pred).length;

describe('issue 9: logins under attack', () => {
  let s;
  let admin;
  const SECRET = randomHex(32);
  const extra = []; // servers started with serveAgain, stopped at the end

  // Another server on the same database with other settings (the budget is per process).
  async function server(env) {
    const srv = await serveAgain(s, { EJ_JWT_SECRET: SECRET, ...env });
    extra.push(srv);
    return srv;
  }

  before(async () => {
    // The main stack: a generous budget, so the tests below that are not about it never meet it.
    // A generous wait for a hashing slot too: this machine may be shared and slow.
    s = await startStack({ env: { EJ_JWT_SECRET: SECRET, EJ_THREADS: '24', EJ_ADDRESS_HASH_BUDGET: '100000', EJ_HASH_WAIT_MS: '20000' } });
    admin = await adminSession(s);
  });
  after(async () => {
    for (const srv of extra) await srv.stop().catch(() => {});
    await s?.stop();
  });

  test('issue 9 #3 login flood: 8 clients posting wrong passwords for ever-new usernames from one address; 20 correct logins from another address still succeed', async () => {
    const v = await makeUser(s, admin, { roles: ['teacher'] });
    // One hashing slot makes the flood as strong as it can be; the default budget is far higher
    // than 30/min, a small one keeps the test short.
    // (a wait for a slot of 5 s rather than the default 2 s: the machine may be shared and slow)
    const srv = await server({ EJ_THREADS: '24', EJ_HASH_CONCURRENCY: '1', EJ_ADDRESS_HASH_BUDGET: '30', EJ_HASH_WAIT_MS: '5000' });
    let stop = false;
    const started = Date.now();
    const flood = [];
    const flooders = Array.from({ length: 8 }, async (_, i) => {
      for (let n = 0; !stop && n < 2000; n++) {
        flood.push(await loginFrom(srv.port, '127.0.0.2', `nobody-${i}-${n}-${randomHex(3)}`, 'Wrong-password-123'));
      }
    });
    // Let the flood start before the correct logins.
    while (flood.length < 16) await new Promise((r) => setTimeout(r, 20));
    const good = [];
    for (let i = 0; i < 20; i++) good.push(await loginFrom(srv.port, '127.0.0.3', v.username, v.password));
    stop = true;
    await Promise.all(flooders);
    const ok = count(good, (r) => r.status === 200);
    assert.ok(ok >= 18, `${ok} of 20 correct logins succeeded: ${good.filter((r) => r.status !== 200).map(show).join('; ')}`);
    // The flood was cut by the budget: cheap 429s with Retry-After, not hashing.
    const limited = flood.filter((r) => r.status === 429);
    assert.ok(limited.length > flood.length / 2, `of ${flood.length} flood requests ${limited.length} got 429`);
    for (const r of limited.slice(0, 5)) {
      assertProblem(r, 429, 'too_many_attempts', 'flood:');
      assertRetryAfter(r, 'flood:');
    }
    // At most its budget was hashed: 30 at once, then one per 2 s.
    const hashed = count(flood, (r) => r.status === 401);
    const allowed = 30 + Math.ceil((Date.now() - started) / 2000) + 1;
    assert.ok(hashed <= allowed, `the flood had ${hashed} attempts hashed, its budget allows ${allowed}`);
  });

  test('issue 9 #3 the per-address budget answers 429 too_many_attempts with Retry-After before any database work, and only for that address', async () => {
    const v = await makeUser(s, admin, { roles: ['teacher'] });
    const srv = await server({ EJ_ADDRESS_HASH_BUDGET: '3' }); // 3 at once, then one per 20 s
    for (let i = 0; i < 3; i++) assert.equal((await loginFrom(srv.port, '127.0.0.4', v.username, `Wrong-pw-${i}-xxxx`)).status, 401);
    const before = await s.psql(`SELECT count(*) FROM login_attempts WHERE username = '${v.username}'`);
    const over = await loginFrom(srv.port, '127.0.0.4', v.username, v.password);
    assertProblem(over, 429, 'too_many_attempts', 'over budget:');
    const w = assertRetryAfter(over, 'over budget:');
    assert.ok(w >= 10 && w <= 20, `Retry-After ${w} (one token per 20 s)`);
    // The refusal wrote nothing and hashed nothing.
    assert.deepEqual(await s.psql(`SELECT count(*) FROM login_attempts WHERE username = '${v.username}'`), before);
    // The same budget covers every hashing route: a password change too, even before authentication.
    assertProblem(await req(srv.port, 'POST', '/auth/password', { from: '127.0.0.4', body: { current_password: 'x', new_password: 'y' } }), 429, 'too_many_attempts', 'password change over budget:');
    // Another address has its own budget.
    assert.equal((await loginFrom(srv.port, '127.0.0.5', v.username, v.password)).status, 200);
    // Invalid setting: one line naming it.
    const bad = await runServe(s, { EJ_ADDRESS_HASH_BUDGET: 'lots' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /EJ_ADDRESS_HASH_BUDGET/);
  });

  test('issue 9 #3 a login that finds every hashing slot taken waits its turn (FIFO) instead of an immediate 503; past EJ_HASH_WAIT_MS it gets 503 busy with Retry-After', async () => {
    const users = [];
    for (let i = 0; i < 5; i++) users.push(await makeUser(s, admin, { roles: ['teacher'] }));
    // One slot, five correct logins at once from five addresses: all wait and succeed (before:
    // all but the first got 503 busy at once). The wait bound is generous for a loaded machine.
    const patient = await server({ EJ_HASH_CONCURRENCY: '1', EJ_HASH_WAIT_MS: '20000' });
    const all = await Promise.all(users.map((u, i) => loginFrom(patient.port, `127.0.1.${i + 1}`, u.username, u.password)));
    assert.deepEqual(all.map((r) => r.status), [200, 200, 200, 200, 200], all.map(show).join('; '));
    // A wait of 1 ms: among 12 logins at once some give up, each with 503 busy and Retry-After.
    const hasty = await server({ EJ_THREADS: '16', EJ_HASH_CONCURRENCY: '1', EJ_HASH_WAIT_MS: '1' });
    let busy = [];
    for (let round = 0; round < 3 && busy.length === 0; round++) {
      const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => loginFrom(hasty.port, `127.0.2.${i + 1}`, users[i % 5].username, users[i % 5].password)));
      for (const r of rs) assert.ok(r.status === 200 || r.status === 503, show(r));
      busy = rs.filter((r) => r.status === 503);
    }
    assert.ok(busy.length > 0, 'no login gave up waiting');
    for (const r of busy) {
      assertProblem(r, 503, 'busy');
      assertRetryAfter(r, 'busy:');
    }
  });

  test('issue 9 #4 with EJ_TRUSTED_PROXIES=127.0.0.1 X-Forwarded-For tells clients apart for throttling, the budget and the records; from elsewhere, or without the setting, it is ignored', async () => {
    const v = await makeUser(s, admin, { roles: ['teacher'] });
    const proxied = await server({ EJ_TRUSTED_PROXIES: '127.0.0.1, ::1', EJ_ADDRESS_HASH_BUDGET: '100000' });
    const xff = (a) => ({ 'x-forwarded-for': a });
    // Five wrong passwords from 198.51.100.1 (behind the proxy) lock that pair...
    for (let i = 0; i < 5; i++) {
      assert.equal((await loginFrom(proxied.port, '127.0.0.1', v.username, `Wrong-${i}-xxxxxx`, xff(`6.6.6.6, 198.51.100.1`))).status, 401);
    }
    assertProblem(await loginFrom(proxied.port, '127.0.0.1', v.username, v.password, xff('198.51.100.1')), 429, 'too_many_attempts', 'the locked client:');
    // ...but not the owner at 198.51.100.2 behind the same proxy.
    const ok = await loginFrom(proxied.port, '127.0.0.1', v.username, v.password, xff('198.51.100.2'));
    assert.equal(ok.status, 200, show(ok));
    const logins = await req(proxied.port, 'GET', '/me/logins?limit=20', { token: ok.body.access_token });
    const addrs = new Set(logins.body.items.map((i) => i.address));
    assert.ok(addrs.has('198.51.100.1') && addrs.has('198.51.100.2'), `recorded addresses: ${[...addrs]}`);
    assert.ok(!addrs.has('6.6.6.6'), 'a forged entry left of the client is not believed');
    const rows = await s.psql(`SELECT key FROM login_throttle WHERE key LIKE 'pair:${v.username}|%' ORDER BY key`);
    assert.deepEqual(rows, [[`pair:${v.username}|198.51.100.1`]]);

    // A peer that is not a trusted proxy: its X-Forwarded-For is ignored.
    const w = await makeUser(s, admin, { roles: ['teacher'] });
    for (let i = 0; i < 5; i++) {
      assert.equal((await loginFrom(proxied.port, '127.0.0.7', w.username, `Wrong-${i}-xxxxxx`, xff(`203.0.113.${i}`))).status, 401);
    }
    assertProblem(await loginFrom(proxied.port, '127.0.0.7', w.username, w.password, xff('203.0.113.99')), 429, 'too_many_attempts', 'forged from an untrusted peer:');
    assert.deepEqual(await s.psql(`SELECT key FROM login_throttle WHERE key LIKE 'pair:${w.username}|%'`), [[`pair:${w.username}|127.0.0.7`]]);

    // Behind the proxy, a malformed X-Forwarded-For counts as the proxy's own address.
    const m = await makeUser(s, admin, { roles: ['teacher'] });
    assert.equal((await loginFrom(proxied.port, '127.0.0.1', m.username, 'Wrong-xxxxxxxxx', xff('198.51.100.9:4711'))).status, 401);
    assert.deepEqual(await s.psql(`SELECT key FROM login_throttle WHERE key LIKE 'pair:${m.username}|%'`), [[`pair:${m.username}|127.0.0.1`]]);

    // The budget is per client behind the proxy.
    const tight = await server({ EJ_TRUSTED_PROXIES: '127.0.0.0/8', EJ_ADDRESS_HASH_BUDGET: '2' });
    const n = await makeUser(s, admin, { roles: ['teacher'] });
    assert.equal((await loginFrom(tight.port, '127.0.0.1', n.username, n.password, xff('192.0.2.1'))).status, 200);
    assert.equal((await loginFrom(tight.port, '127.0.0.1', n.username, n.password, xff('192.0.2.1'))).status, 200);
    assertProblem(await loginFrom(tight.port, '127.0.0.1', n.username, n.password, xff('192.0.2.1')), 429, 'too_many_attempts', 'budget of 192.0.2.1:');
    assert.equal((await loginFrom(tight.port, '127.0.0.1', n.username, n.password, xff('192.0.2.2'))).status, 200, 'another client behind the proxy');

    // Without the setting a forged X-Forwarded-For changes nothing.
    const plain = await server({ EJ_ADDRESS_HASH_BUDGET: '100000' });
    const x = await makeUser(s, admin, { roles: ['teacher'] });
    for (let i = 0; i < 5; i++) {
      assert.equal((await loginFrom(plain.port, '127.0.0.8', x.username, `Wrong-${i}-xxxxxx`, xff(`198.51.100.${i + 20}`))).status, 401);
    }
    assertProblem(await loginFrom(plain.port, '127.0.0.8', x.username, x.password, xff('198.51.100.99')), 429, 'too_many_attempts', 'forged without the setting:');
    assert.deepEqual(await s.psql(`SELECT DISTINCT address FROM login_attempts WHERE username = '${x.username}' AND outcome <> 'success'`), [['127.0.0.8']]);
  });

  test('issue 9 #4 an invalid EJ_TRUSTED_PROXIES stops the server with one line naming it', async () => {
    for (const value of ['banana', '10.0.0.0/33', '127.0.0.1,,::1', '127.0.0.1:8080']) {
      const r = await runServe(s, { EJ_TRUSTED_PROXIES: value });
      assert.equal(r.code, 1, `EJ_TRUSTED_PROXIES=${value}: exit ${r.code}, ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^ejournal: configuration: EJ_TRUSTED_PROXIES /);
    }
  });

  test('issue 9 #7 16 parallel wrong passwords (EJ_HASH_CONCURRENCY=16): at most 5 are checked against the hash, the rest are 429', async () => {
    const v = await makeUser(s, admin, { roles: ['teacher'] });
    const srv = await server({ EJ_THREADS: '32', EJ_HASH_CONCURRENCY: '16', EJ_ADDRESS_HASH_BUDGET: '100000' });
    const started = Date.now();
    const rs = await Promise.all(Array.from({ length: 16 }, (_, i) => loginFrom(srv.port, '127.0.0.9', v.username, `Wrong-parallel-${i}`)));
    const seconds = (Date.now() - started) / 1000;
    const hashed = count(rs, (r) => r.status === 401);
    const refused = count(rs, (r) => r.status === 429);
    assert.equal(hashed + refused, 16, rs.map(show).join('; '));
    // §9: the 5th failure locks the pair for 1 s, each further one doubles the wait, so a 6th
    // check needs the 1 s lock to have run out, a 7th 2 s more, ...: within T seconds at most
    // 5 + floor(log2(T + 1)) can be checked (5 while the burst takes under a second; a loaded
    // machine that takes longer legitimately lets the lock run out in between).
    const limit = 5 + Math.floor(Math.log2(seconds + 1));
    assert.ok(hashed <= limit, `${hashed} of 16 parallel wrong passwords were checked in ${seconds} s (limit ${limit})`);
    assert.ok(hashed >= 1);
    const [[failures]] = await s.psql(`SELECT failures FROM login_throttle WHERE key = 'pair:${v.username}|127.0.0.9'`);
    assert.equal(Number(failures), hashed, 'every checked attempt was counted, no other');
  });

  test('§9 a lock lasts its full time from the answer: the failure that sets it starts it again once its password is found wrong, so the hashing does not shorten the wait', async () => {
    const v = await makeUser(s, admin, { roles: ['teacher'] });
    for (let i = 1; i <= 5; i++) {
      const r = await loginFrom(s.port, '127.0.0.12', v.username, `Wrong-full-wait-${i}`);
      assert.equal(r.status, 401, show(r));
    }
    // The 5th failure's record and its lock are written after its hash, in one transaction (one
    // now()): the lock ends a full second after the record, not a second after the count that came
    // before the hash.
    const rows = await s.psql(`SELECT extract(epoch FROM t.locked_until - a.at) >= 1, t.failures
      FROM login_throttle t, (SELECT max(at) AS at FROM login_attempts WHERE username = '${v.username}'
      AND address = '127.0.0.12' AND outcome = 'invalid_credentials') a
      WHERE t.key = 'pair:${v.username}|127.0.0.12'`);
    assert.deepEqual(rows, [['t', '5']], 'the 1 s lock runs from the 5th failure\'s answer');
  });

  test('issue 9 #7 password changes: a wrong current password is counted before the check; a right one with a weak new password is not counted', async () => {
    const v = await makeUser(s, admin, { roles: ['teacher'] });
    const change = (current, next) => req(s.port, 'POST', '/auth/password', { from: '127.0.0.11', token: v.token, body: { current_password: current, new_password: next } });
    for (let i = 0; i < 6; i++) assertProblem(await change(v.password, 'short'), 422, 'weak_password', `weak ${i + 1}:`);
    assertProblem(await change(v.password, v.password), 422, 'weak_password', 'the same password:');
    assert.deepEqual(await s.psql(`SELECT key FROM login_throttle WHERE key = 'pair:${v.username}|127.0.0.11'`), [], 'a right current password leaves no count');
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => change(`Wrong-current-${i}`, `New-password-${i}-xyz`)));
    assert.equal(count(rs, (r) => r.status === 403), 5, rs.map(show).join('; '));
    assert.equal(count(rs, (r) => r.status === 429), 3, rs.map(show).join('; '));
    for (const r of rs.filter((x) => x.status === 403)) assert.equal(r.body.code, 'current_password_incorrect');
  });

  test('issue 9 #6 throttled attempts are aggregated (one row per account, address and minute, with a count); the owner still sees them and their own logins in /me/logins', async () => {
    const v = await makeUser(s, admin, { roles: ['teacher'] });
    const mine = await loginFrom(s.port, '127.0.0.1', v.username, v.password, { 'user-agent': 'owner-browser' });
    assert.equal(mine.status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await loginFrom(s.port, '127.0.0.10', v.username, `Wrong-${i}-xxxxxx`)).status, 401);
    // Keep the pair locked for the whole flood (the first lock lasts 1 s).
    await s.psql(`UPDATE login_throttle SET locked_until = now() + interval '1 hour' WHERE key = 'pair:${v.username}|127.0.0.10'`);
    const N = 300;
    let sent = 0;
    const rs = [];
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (sent < N) {
        sent++;
        rs.push(await loginFrom(s.port, '127.0.0.10', v.username, v.password));
      }
    }));
    assert.equal(count(rs, (r) => r.status === 429), N, `all ${N} throttled: ${rs.filter((r) => r.status !== 429).map(show).slice(0, 3)}`);
    const rows = await s.query(`SELECT attempts FROM login_attempts WHERE username = '${v.username}' AND outcome = 'throttled'`);
    assert.ok(rows.length >= 1 && rows.length <= 3, `${rows.length} rows for ${N} throttled attempts`);
    assert.equal(rows.reduce((a, r) => a + r.attempts, 0), N, 'the rows count every attempt');
    // The owner's page of recent logins: the throttled attempts (with their count) and their own login.
    const page = await req(s.port, 'GET', '/me/logins?limit=10', { token: mine.body.access_token });
    assert.equal(page.status, 200, show(page));
    const thr = page.body.items.filter((i) => i.outcome === 'throttled');
    assert.ok(thr.length >= 1, JSON.stringify(page.body.items));
    assert.equal(thr.reduce((a, i) => a + i.attempts, 0), N);
    assert.ok(thr.every((i) => i.address === '127.0.0.10' && typeof i.last_at === 'string' && i.last_at >= i.at));
    const own = page.body.items.find((i) => i.outcome === 'success' && i.user_agent === 'owner-browser');
    assert.ok(own, `the owner's own login is still on the first page: ${JSON.stringify(page.body.items)}`);
    assert.equal(own.attempts, 1);
  });

  test('issue 9 #6 `ejournal prune` removes old login attempts, dead throttle rows and expired idempotency keys; journal and audit data are never pruned', async () => {
    const tag = randomHex(4);
    await s.psql(`INSERT INTO login_attempts (at, username, address, outcome) VALUES
      (now() - interval '100 days', 'old-${tag}', '192.0.2.1', 'invalid_credentials'),
      (now() - interval '40 days', 'mid-${tag}', '192.0.2.1', 'success'),
      (now() - interval '1 day', 'new-${tag}', '192.0.2.1', 'invalid_credentials')`);
    await s.psql(`INSERT INTO login_throttle (key, failures, updated_at, locked_until) VALUES
      ('pair:dead-${tag}|192.0.2.1', 3, now() - interval '2 hours', NULL),
      ('pair:done-${tag}|192.0.2.1', 9, now() - interval '2 hours', now() - interval '1 hour'),
      ('pair:live-${tag}|192.0.2.1', 2, now() - interval '10 minutes', NULL),
      ('pair:locked-${tag}|192.0.2.1', 7, now() - interval '2 hours', now() + interval '1 hour')`);
    await s.psql(`INSERT INTO idempotency_keys (user_id, key, request_hash, status, created_at) VALUES
      (${admin.id}, 'old-${tag}', 'x', 201, now() - interval '2 days'),
      (${admin.id}, 'new-${tag}', 'x', 201, now() - interval '1 hour')`);
    // An ancient audit record: the audit trail is kept for ever.
    await s.psql(`INSERT INTO audit_log (at, actor_id, action, entity, entity_id) VALUES (now() - interval '3000 days', NULL, 'test.ancient', 'test', '${tag}')`);
    const others = async () => {
      const tables = await s.psql(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('login_attempts', 'login_throttle', 'idempotency_keys') ORDER BY 1`);
      const out = {};
      for (const [t] of tables) out[t] = (await s.psql(`SELECT count(*) FROM ${t}`))[0][0];
      return out;
    };
    const beforeOthers = await others();
    assert.ok(Number(beforeOthers.audit_log) > 1 && 'lesson_attendance' in beforeOthers, JSON.stringify(beforeOthers));

    const r = await runCli(s, ['prune'], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pruned \d+ login attempts older than 90 days, \d+ throttle rows, \d+ idempotency keys/);
    const names = async (sql) => (await s.psql(sql)).map((x) => x[0]).sort();
    assert.deepEqual(await names(`SELECT username FROM login_attempts WHERE username LIKE '%-${tag}'`), [`mid-${tag}`, `new-${tag}`]);
    assert.deepEqual(await names(`SELECT key FROM login_throttle WHERE key LIKE '%-${tag}|%'`), [`pair:live-${tag}|192.0.2.1`, `pair:locked-${tag}|192.0.2.1`]);
    assert.deepEqual(await names(`SELECT key FROM idempotency_keys WHERE key LIKE '%-${tag}'`), [`new-${tag}`]);
    assert.deepEqual(await others(), beforeOthers, 'no other table changed');
    assert.deepEqual(await s.psql(`SELECT action FROM audit_log WHERE entity_id = '${tag}'`), [['test.ancient']]);

    // A shorter retention; an invalid one is refused with one line naming it.
    const short = await runCli(s, ['prune'], { EJ_LOGIN_RETENTION_DAYS: '30' });
    assert.equal(short.code, 0, short.stderr);
    assert.deepEqual(await names(`SELECT username FROM login_attempts WHERE username LIKE '%-${tag}'`), [`new-${tag}`]);
    const bad = await runCli(s, ['prune'], { EJ_LOGIN_RETENTION_DAYS: '0' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^ejournal: configuration: EJ_LOGIN_RETENTION_DAYS /);
    // Twice in a row is fine and removes nothing more.
    const again = await runCli(s, ['prune'], { EJ_LOGIN_RETENTION_DAYS: '30' });
    assert.match(again.stdout, /pruned 0 login attempts/);
  });

  test('issue 9 #11 a 128-character multi-byte username gets 401 invalid_credentials like any unknown user, and is counted by the throttle', async () => {
    for (const ch of ['ā', '€', '😀']) {
      const username = ch.repeat(128); // 256, 384 and 512 bytes
      const from = `127.0.3.${ch.length + Buffer.byteLength(ch)}`;
      for (let i = 0; i < 5; i++) {
        assertProblem(await loginFrom(s.port, from, username, `Wrong-${i}-xxxxxx`), 401, 'invalid_credentials', `${ch} x128, attempt ${i + 1}:`);
      }
      assertProblem(await loginFrom(s.port, from, username, 'Wrong-6-xxxxxx'), 429, 'too_many_attempts', `${ch} x128, 6th:`);
      const rows = await s.query(`SELECT username, failures FROM login_attempts a JOIN login_throttle t ON t.key = 'pair:' || a.username || '|${from}' WHERE a.address = '${from}' LIMIT 1`);
      assert.equal(rows.length, 1, `${ch}: a record and a throttle row for the whole username`);
      assert.equal(rows[0].username, username);
      assert.equal(rows[0].failures, 5);
    }
    // 129 characters is over the documented limit: 422 as before.
    assertProblem(await loginFrom(s.port, '127.0.3.99', 'ā'.repeat(129), 'Wrong-xxxxxxxx'), 422, 'validation_failed', '129 characters:');
  });
});

// Runs `ejournal <args>` on the stack's database; resolves with { code, stdout, stderr }.
function runCli(s, args, env) {
  return new Promise((resolve) => {
    const e = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EJ_')) e[k] = v;
    const child = spawn(s.bin, args, { env: { ...e, EJ_DATABASE_URL: s.dbUrl, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// `ejournal serve` with a setting that must stop it at start-up.
async function runServe(s, env) {
  const port = await freePort();
  return runCli(s, ['serve'], { EJ_JWT_SECRET: randomHex(32), EJ_LISTEN: `127.0.0.1:${port}`, ...env });
}
