// issue 14 TSan: the server built with -fsanitize=thread (build-tsan/, stage tsan of
// scripts/test.sh) under a bounded concurrent load that makes its worker threads share everything
// they share: the database pool (fewer connections than requests in flight), the password-hash
// slots, the throttle and address budget, the metrics, the log, the route table and the
// configuration. Reads, writes racing on one row with If-Match (one wins, the rest 412), logins,
// refreshes, bad requests and 404s, all at once. ThreadSanitizer stops the server at the first
// data race or lock-order inversion (halt_on_error=1), so every test below would fail, and
// stop() requires exit code 0 (TSan exits 66 after any report).
//
//   EJ_BIN=build-tsan/ejournal TSAN_OPTIONS=halt_on_error=1 node --test tests/tsan/concurrency.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { adminSession, makeUser } from '../api/lib/fixtures.mjs';
import { call, login, startStack } from '../api/lib/stack.mjs';

const ROUNDS = Number(process.env.EJ_TSAN_ROUNDS || 6);
const WIDTH = 24; // requests in flight per round

let stack, admin, teachers;

before(async () => {
  stack = await startStack({
    env: { EJ_THREADS: '16', EJ_DB_CONNECTIONS: '3', EJ_HASH_CONCURRENCY: '2', EJ_HASH_WAIT_MS: '30000' },
  });
  admin = await adminSession(stack);
  teachers = [];
  for (let i = 0; i < 3; i++) teachers.push(await makeUser(stack, admin, { roles: ['teacher'] }));
});
after(async () => stack && stack.stop());

function mixed(round, target, etag) {
  const t = teachers[round % teachers.length];
  const reqs = [];
  for (let i = 0; i < WIDTH; i++) {
    switch (i % 8) {
      case 0: reqs.push(call(stack, 'GET', '/me', { token: t.token })); break;
      case 1: reqs.push(call(stack, 'GET', '/users?limit=5', { token: admin.token })); break;
      case 2: reqs.push(call(stack, 'PATCH', `/users/${target.id}`, {
        token: admin.token, headers: { 'If-Match': etag }, body: { full_name: `Name ${round}-${i}` },
      })); break;
      case 3: reqs.push(call(stack, 'GET', '/school-years', { token: t.token })); break;
      case 4: reqs.push(call(stack, 'GET', '/users/999999999', { token: admin.token })); break;
      case 5: reqs.push(call(stack, 'POST', '/users', {
        token: admin.token, headers: { 'content-type': 'application/json' }, rawBody: '{"username":',
      })); break;
      case 6: reqs.push(fetch(`${stack.base}/metrics`).then(async (r) => ({ status: r.status, text: await r.text() }))); break;
      case 7: reqs.push(i < 16 ? login(stack, t.username, t.password) : call(stack, 'GET', '/me', { token: 'not-a-token' })); break;
    }
  }
  return Promise.all(reqs);
}

test('issue 14 TSan: concurrent reads, racing If-Match writes, logins and bad requests find no data race, and every answer is the one it should be', async () => {
  const target = teachers[0];
  for (let round = 0; round < ROUNDS; round++) {
    const cur = await call(stack, 'GET', `/users/${target.id}`, { token: admin.token });
    assert.equal(cur.status, 200, cur.text);
    const rs = await mixed(round, target, cur.headers.get('etag'));
    const by = (k) => rs.filter((_, i) => i % 8 === k);
    for (const r of by(0)) assert.equal(r.status, 200, r.text);
    for (const r of by(1)) assert.equal(r.status, 200, r.text);
    // One writer wins the row's version; every other gets 412 (never two winners, never a 500).
    const writes = by(2).map((r) => r.status).sort();
    assert.deepEqual(writes, [200, ...Array(writes.length - 1).fill(412)], JSON.stringify(writes));
    for (const r of by(3)) assert.equal(r.status, 200, r.text);
    for (const r of by(4)) assert.equal(r.status, 404, r.text);
    for (const r of by(5)) assert.equal(r.status, 400, r.text);
    for (const r of by(6)) assert.equal(r.status, 200);
    for (const r of by(7)) assert.ok([200, 401, 503].includes(r.status), `login or bad token: ${r.status} ${r.text}`);
  }
  assert.ok(stack.alive(), 'the server is still up');
});

test('issue 14 TSan: refreshes of different logins at once, and the same refresh token twice at once (one wins, the family ends)', async () => {
  const fresh = [];
  for (const t of teachers) {
    const r = await login(stack, t.username, t.password);
    assert.equal(r.status, 200, r.text);
    fresh.push(r.body.refresh_token);
  }
  const rs = await Promise.all(fresh.flatMap((rt) => [0, 1].map(() =>
    call(stack, 'POST', '/auth/refresh', { body: { refresh_token: rt } }))));
  for (let k = 0; k < fresh.length; k++) {
    const pair = [rs[2 * k].status, rs[2 * k + 1].status].sort();
    assert.equal(pair[0], 200, `one refresh of login ${k} wins: ${pair}`);
    assert.equal(pair[1], 401, `the other is refused: ${pair}`);
  }
  assert.ok(stack.alive());
});
