// issue 14: text cut to a fixed buffer is cut at a character (api/core/utf8.c). Half a UTF-8
// character is invalid: Jansson would not pack the problem (a 400 without a body) and PostgreSQL
// would not store it (SQLSTATE 22021, a 422 for a valid request).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startStack } from './lib/stack.mjs';
import { adminSession, makeInstitution, post } from './lib/fixtures.mjs';

let stack;
let admin;

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});

after(async () => {
  if (stack) await stack.stop();
});

function assertProblemBody(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/);
  assert.ok(r.body && typeof r.body === 'object', `no problem body: ${JSON.stringify(r.text)}`);
  assert.equal(r.body.code, code, r.text);
  assert.equal(r.body.status, status);
  assert.equal(typeof r.body.detail, 'string');
  assert.ok(r.body.detail.length > 0);
}

test('issue 14 an unknown field named "€"×200 gets a 400 unknown_field with a body, the name quoted capped at a character', async () => {
  const name = '€'.repeat(200); // 600 bytes: more than the problem's detail buffer
  const r = await call(stack, 'POST', '/programs', { token: admin.token, body: { [name]: 1, code: 'X', name: 'Y' } });
  assertProblemBody(r, 400, 'unknown_field');
  const shown = `${'€'.repeat(33)}…`; // 99 of the 100 bytes: the 34th € would not fit whole
  assert.equal(r.body.detail, `Unknown field '${shown}'.`);
  assert.deepEqual(r.body.errors, [{ field: shown, message: 'is not a field of this resource' }]);
  // Four-byte characters, cut the same way; a short name is quoted whole.
  const r2 = await call(stack, 'POST', '/programs', { token: admin.token, body: { ['😀'.repeat(100)]: 1 } });
  assertProblemBody(r2, 400, 'unknown_field');
  assert.equal(r2.body.errors[0].field, `${'😀'.repeat(25)}…`);
  const r4 = await call(stack, 'POST', '/programs', { token: admin.token, body: { ['ē'.repeat(300)]: true } });
  assertProblemBody(r4, 400, 'unknown_field');
  assert.equal(r4.body.errors[0].field, `${'ē'.repeat(50)}…`);
  const r3 = await call(stack, 'POST', '/programs', { token: admin.token, body: { nāme: 1 } });
  assert.equal(r3.body.detail, "Unknown field 'nāme'.");
});

test('issue 14 §17 a 200-character holiday name with ?cancel_lessons=true over a lesson: 201, the lesson cancelled with the whole name', async () => {
  const inst = await makeInstitution(stack, admin, { starts_on: '2041-09-01', ends_on: '2042-05-31' });
  const lesson = await post(stack, admin.token, '/lessons',
    { group_id: inst.group.id, date: '2041-10-08', starts_at: '10:00', ends_at: '11:00' });
  const name = 'Ā'.repeat(200); // 400 bytes: the cancel reason's old 300-byte buffer cut it in half
  const r = await call(stack, 'POST', '/calendar/holidays?cancel_lessons=true', { token: admin.token,
    body: { date: '2041-10-08', name } });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body.cancelled_lessons, [lesson.id]);
  const l = await call(stack, 'GET', `/lessons/${lesson.id}`, { token: admin.token });
  assert.equal(l.body.state, 'cancelled');
  assert.equal(l.body.cancel_reason, `Svētku diena: ${name}`);
});
