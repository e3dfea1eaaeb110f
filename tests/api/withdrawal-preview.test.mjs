// Whose access a withdrawal would end, before it is made (RULES.md §11; issue 12: the web client's
// withdrawal form shows it while the superuser decides). GET /enrollments/{id}/withdrawal-preview.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { adminSession, makeInstitution, makeUser } from './lib/fixtures.mjs';
import { call, startStack } from './lib/stack.mjs';

let stack, admin;
before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});
after(async () => stack && stack.stop());

const get = (path, token = admin.token) => call(stack, 'GET', path, { token });

test('§11 issue 12 the withdrawal preview names exactly whose access the withdrawal then ends, and changes nothing', async () => {
  const teacher = await makeUser(stack, admin, { roles: ['teacher'] });
  const inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Viens', 'Divi'] });
  const [one, two] = inst.students;
  const studentUser = await makeUser(stack, admin, { roles: ['student'], full_name: 'Viens Pats', activate: false });
  const onlyParent = await makeUser(stack, admin, { roles: ['guardian'], full_name: 'Tikai Viena', activate: false });
  const twoKids = await makeUser(stack, admin, { roles: ['guardian'], full_name: 'Abu Vecāks', activate: false });
  // A guardian who also teaches keeps access through the teacher role.
  const teachingParent = await makeUser(stack, admin, { roles: ['guardian', 'teacher'], full_name: 'Skolotāja Māte' });
  let r = await call(stack, 'PATCH', `/students/${one.id}`, { token: admin.token, body: { user_id: studentUser.id } });
  assert.equal(r.status, 200, r.text);
  for (const [sid, g] of [[one.id, onlyParent], [one.id, twoKids], [two.id, twoKids], [one.id, teachingParent]]) {
    r = await call(stack, 'PUT', `/students/${sid}/guardians/${g.id}`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
  }

  r = await get(`/enrollments/${one.enrollment.id}/withdrawal-preview`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.enrollment_id, one.enrollment.id);
  assert.equal(r.body.withdrawn, false);
  const expected = [
    { user_id: studentUser.id, full_name: 'Viens Pats', as: 'student' },
    { user_id: onlyParent.id, full_name: 'Tikai Viena', as: 'guardian' },
  ].sort((a, b) => a.user_id - b.user_id);
  assert.deepEqual(r.body.access_ends, expected, 'not the guardian with another child, not the teaching guardian');
  const still = await get(`/enrollments/${one.enrollment.id}`);
  assert.equal(still.body.status, 'active', 'the preview changes nothing');

  const w = await call(stack, 'POST', `/enrollments/${one.enrollment.id}/withdraw`, { token: admin.token,
    body: { application_date: '2026-10-01', effective_on: '2026-10-05' } });
  assert.equal(w.status, 200, w.text);
  assert.deepEqual([...w.body.revoked_user_ids].sort((a, b) => a - b), expected.map((x) => x.user_id), 'the preview said exactly this');

  r = await get(`/enrollments/${one.enrollment.id}/withdrawal-preview`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.withdrawn, r.body.access_ends], [true, []]);

  // The second child's withdrawal now ends the two-children guardian's access.
  r = await get(`/enrollments/${two.enrollment.id}/withdrawal-preview`);
  assert.deepEqual(r.body.access_ends, [{ user_id: twoKids.id, full_name: 'Abu Vecāks', as: 'guardian' }]);
});

test('§11 §20 issue 12 the withdrawal preview is the superuser\'s only; an unknown enrollment is 404', async () => {
  const teacher = await makeUser(stack, admin, { roles: ['teacher'] });
  const inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Trīs'] });
  const r = await get(`/enrollments/${inst.students[0].enrollment.id}/withdrawal-preview`, teacher.token);
  assert.equal(r.status, 403);
  assert.equal(r.body.code, 'forbidden');
  const missing = await get('/enrollments/999999999/withdrawal-preview');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'not_found');
  const extra = await get(`/enrollments/${inst.students[0].enrollment.id}/withdrawal-preview?x=1`);
  assert.equal(extra.status, 400);
  assert.equal(extra.body.code, 'unknown_parameter');
});
