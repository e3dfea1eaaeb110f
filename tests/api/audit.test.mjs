// The audit trail, read (RULES.md §19–§21, SPEC.md "Audit"): GET /audit for the superuser and the
// director, with before and after of every change and the `read` records of employees' reads of
// students' data, newest first with a keyset cursor; GET /students/{id}/access-log for the data
// subject (GDPR art. 15), by role only for the family. Nobody changes an audit record.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem } from './lib/assert.mjs';
import { activate, adminSession, makeInstitution, makeUser } from './lib/fixtures.mjs';
import { addDays, rigaDay } from './lib/riga.mjs';
import { call, startStack } from './lib/stack.mjs';

let stack, admin, teacher, director, staff, parent, otherParent, studentUser, inst, A, C, lesson;
const today = rigaDay(0);
const get = (path, token = admin.token) => call(stack, 'GET', path, { token });

// A lesson of the group that has started and is inside its deadline.
async function recentLesson(g) {
  for (let back = 1; back < 8; back++) {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: g.id, date: addDays(today, -back), starts_at: '15:00', ends_at: '16:30' } });
    if (r.status === 201 && Date.parse(r.body.deadline) > Date.now() + 10 * 60_000) return r.body;
    assert.ok(r.status === 201 || (r.status === 422 && r.body.code === 'public_holiday'), r.text);
  }
  throw new Error('no recent lesson inside its deadline');
}

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  teacher = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Ilze Kalniņa', username: `ilze${Date.now() % 100000}` });
  director = await makeUser(stack, admin, { roles: ['director'], full_name: 'Direktore Dace' });
  staff = await makeUser(stack, admin, { roles: ['staff'] });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna', 'Cēsis'],
    starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
  [A, C] = inst.students;
  parent = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  otherParent = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  for (const [s, g] of [[A, parent], [C, otherParent]]) {
    const r = await call(stack, 'PUT', `/students/${s.id}/guardians/${g.id}`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
  }
  await activate(stack, parent);
  await activate(stack, otherParent);
  studentUser = await makeUser(stack, admin, { roles: ['student'], activate: false });
  const r = await call(stack, 'PATCH', `/students/${A.id}`, { token: admin.token, body: { user_id: studentUser.id } });
  assert.equal(r.status, 200, r.text);
  await activate(stack, studentUser);
  lesson = await recentLesson(inst.group);
});
after(async () => stack && stack.stop());

describe('§19 GET /audit', () => {
  test('§19 a teacher\'s entry and its correction appear with before and after, newest first, with the actor\'s name', async () => {
    let r = await call(stack, 'PUT', `/lessons/${lesson.id}/entry`, { token: teacher.token,
      body: { topic: 'Māla krūzes', attendance: [{ student_id: A.id, status: 'present' }, { student_id: C.id, status: 'absent' }] } });
    assert.equal(r.status, 200, r.text);
    r = await call(stack, 'PUT', `/lessons/${lesson.id}/entry`, { token: teacher.token,
      body: { topic: 'Māla krūzes un šķīvji', attendance: [{ student_id: A.id, status: 'present' }, { student_id: C.id, status: 'late' }] } });
    assert.equal(r.status, 200, r.text);

    r = await get(`/audit?entity=lesson&entity_id=${lesson.id}`, director.token);
    assert.equal(r.status, 200, r.text);
    const [correction, entry, created] = r.body.items;
    assert.deepEqual(r.body.items.map((i) => i.action), ['lesson.entry_update', 'lesson.entry', 'lesson.create']);
    assert.deepEqual(Object.keys(correction), ['id', 'at', 'actor_id', 'actor', 'actor_username', 'action', 'entity',
      'entity_id', 'before', 'after', 'request_id'], 'a stable field order, id first');
    assert.ok(correction.id > entry.id && entry.id > created.id, 'newest first');
    for (const i of [correction, entry]) {
      assert.equal(i.actor_id, teacher.id);
      assert.equal(i.actor, 'Ilze Kalniņa');
      assert.equal(i.actor_username, teacher.username);
      assert.equal(i.entity, 'lesson');
      assert.equal(i.entity_id, lesson.id);
      assert.match(i.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.match(i.request_id, /.+/);
    }
    assert.equal(entry.before.topic, null);
    assert.equal(entry.after.topic, 'Māla krūzes');
    assert.equal(correction.before.topic, 'Māla krūzes');
    assert.equal(correction.after.topic, 'Māla krūzes un šķīvji');
    const statusOf = (doc) => doc.attendance.find((a) => a.student_id === C.id).status;
    assert.equal(statusOf(correction.before), 'absent');
    assert.equal(statusOf(correction.after), 'late');
    assert.equal(created.actor_id, admin.id);
  });

  test('§20 a guardian\'s, a teacher\'s, a staff member\'s and a student\'s GET /audit are 403', async () => {
    for (const u of [parent, teacher, staff, studentUser]) assertProblem(await get('/audit', u.token), 403, 'forbidden');
    assert.equal((await call(stack, 'GET', '/audit')).status, 401);
  });

  test('§19 filters by actor, action and day; pages newest first through a cursor without overlap', async () => {
    let r = await get(`/audit?actor_id=${teacher.id}&action=lesson.entry`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.length >= 1);
    assert.ok(r.body.items.every((i) => i.actor_id === teacher.id && i.action === 'lesson.entry'));
    r = await get(`/audit?entity=lesson&entity_id=${lesson.id}&from=${today}&to=${today}`);
    assert.equal(r.body.items.length, 3, r.text);
    r = await get(`/audit?entity=lesson&entity_id=${lesson.id}&to=${addDays(today, -1)}`);
    assert.equal(r.body.items.length, 0, 'nothing was recorded before today');

    const all = (await get('/audit?limit=500')).body.items;
    assert.ok(all.length > 10);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].at >= all[i].at, 'newest first');
    const seen = [];
    let next = null;
    for (let page = 0; page < 100; page++) {
      r = await get(`/audit?limit=4${next ? `&after=${next}` : ''}`);
      assert.equal(r.status, 200, r.text);
      seen.push(...r.body.items.map((i) => i.id));
      next = r.body.next;
      if (!next) break;
    }
    // Pages are read while the reads themselves are audited: every id of the first listing is
    // seen exactly once, in the same order.
    const older = seen.filter((id) => id <= all[0].id);
    assert.deepEqual(older, all.map((i) => i.id));
  });

  test('§19 bad filters are 400 and name the problem', async () => {
    assertProblem(await get('/audit?entity_id=5'), 400, 'invalid_query');
    assertProblem(await get('/audit?from=2026-13-01'), 400, 'invalid_query');
    assertProblem(await get('/audit?from=2026-10-02&to=2026-10-01'), 400, 'invalid_query');
    assertProblem(await get('/audit?entity=les%20son'), 400, 'invalid_query');
    assertProblem(await get('/audit?actor=1'), 400, 'unknown_parameter');
    assertProblem(await get('/audit?after=x'), 400, 'invalid_query');
  });

  test('§19 the trail is append-only: no route changes it, and the database refuses UPDATE and DELETE', async () => {
    const [first] = (await get('/audit?limit=1')).body.items;
    assert.equal((await call(stack, 'DELETE', '/audit', { token: admin.token })).status, 405);
    assert.equal((await call(stack, 'PATCH', '/audit', { token: admin.token, body: {} })).status, 405);
    assert.equal((await call(stack, 'DELETE', `/audit/${first.id}`, { token: admin.token })).status, 404);
    await assert.rejects(stack.psql(`UPDATE audit_log SET action = 'x' WHERE id = ${first.id}`), /append-only/);
    await assert.rejects(stack.psql(`DELETE FROM audit_log WHERE id = ${first.id}`), /append-only/);
    await assert.rejects(stack.psql('TRUNCATE audit_log'), /append-only/);
    const [again] = await stack.query(`SELECT action FROM audit_log WHERE id = ${first.id}`);
    assert.equal(again.action, first.action);
  });

  test('§20 reading the trail is itself recorded (it holds students\' data)', async () => {
    const r = await get('/audit?limit=1', director.token);
    assert.equal(r.status, 200);
    const mine = (await get(`/audit?actor_id=${director.id}&action=read&entity=listAudit`)).body.items;
    assert.ok(mine.length >= 1, 'the director\'s read of /audit is in the trail');
    assert.equal(mine[0].after.path, '/api/v1/audit');
  });
});

describe('§20 GET /students/{id}/access-log (GDPR art. 15)', () => {
  test('§20 a teacher\'s read of a student shows in that guardian\'s access log by role, without the teacher\'s name or username', async () => {
    let r = await get(`/students/${A.id}`, teacher.token);
    assert.equal(r.status, 200, r.text);
    const readAt = Date.now();

    r = await get(`/students/${A.id}/access-log`, parent.token);
    assert.equal(r.status, 200, r.text);
    const read = r.body.items.find((i) => i.kind === 'read' && i.operation === 'getStudent');
    assert.ok(read, `the read is listed: ${r.text}`);
    assert.deepEqual(Object.keys(read), ['id', 'at', 'kind', 'operation', 'entity', 'entity_id', 'actor_roles',
      'actor_id', 'actor']);
    assert.deepEqual(read.actor_roles, ['teacher']);
    assert.equal(read.actor, null);
    assert.equal(read.actor_id, null);
    assert.equal(read.entity, 'student');
    assert.equal(read.entity_id, A.id);
    assert.ok(Math.abs(Date.parse(read.at) - readAt) < 120_000);
    assert.ok(!r.text.includes(teacher.username), 'no username');
    assert.ok(!r.text.includes('Kalniņa') && !r.text.includes('Ilze'), 'no name');
    assert.ok(!r.text.includes(String(teacher.id) + ',"actor"'), 'no actor id');
    // The teacher's entry, which holds the child's attendance, is a change by a teacher.
    const change = r.body.items.find((i) => i.kind === 'change' && i.operation === 'lesson.entry');
    assert.ok(change, r.text);
    assert.equal(change.entity, 'lesson');
    assert.equal(change.entity_id, lesson.id);
    assert.deepEqual(change.actor_roles, ['teacher']);
    assert.ok(!('before' in change) && !('after' in change), 'no other child\'s data');
    // Newest first.
    for (let i = 1; i < r.body.items.length; i++) assert.ok(r.body.items[i - 1].at >= r.body.items[i].at);
  });

  test('§20 the student sees their own log; the director and the superuser see names too', async () => {
    let r = await get(`/students/${A.id}/access-log`, studentUser.token);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.some((i) => i.operation === 'getStudent' && i.actor === null));
    for (const u of [director, admin]) {
      r = await get(`/students/${A.id}/access-log`, u.token);
      assert.equal(r.status, 200, r.text);
      const read = r.body.items.find((i) => i.kind === 'read' && i.operation === 'getStudent');
      assert.equal(read.actor, 'Ilze Kalniņa');
      assert.equal(read.actor_id, teacher.id);
    }
  });

  test('§20 another family\'s log is 404; a teacher\'s is 403; a page is bounded and continues by cursor', async () => {
    assertProblem(await get(`/students/${C.id}/access-log`, parent.token), 404, 'not_found');
    assertProblem(await get(`/students/${A.id}/access-log`, otherParent.token), 404, 'not_found');
    assertProblem(await get('/students/999999/access-log', parent.token), 404, 'not_found');
    assertProblem(await get(`/students/${A.id}/access-log`, teacher.token), 403, 'forbidden');
    const all = (await get(`/students/${A.id}/access-log?limit=500`, parent.token)).body.items;
    assert.ok(all.length >= 3);
    const first = await get(`/students/${A.id}/access-log?limit=2`, parent.token);
    assert.equal(first.body.items.length, 2);
    const second = await get(`/students/${A.id}/access-log?limit=2&after=${first.body.next}`, parent.token);
    assert.deepEqual([...first.body.items, ...second.body.items].map((i) => i.id), all.slice(0, 4).map((i) => i.id));
    assertProblem(await get(`/students/${A.id}/access-log?actor_id=1`, parent.token), 400, 'unknown_parameter');
  });
});
