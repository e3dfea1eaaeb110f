// Journal entries and absences: topics and attendance, deadlines and extensions, substitutes,
// absence reasons, parents' absence reports, a student's attendance (RULES.md §13, §14, §15, §18,
// §20). Run alone with: EJ_BIN=build/ejournal node --test tests/api/journal.test.mjs
//
// Entries depend on the clock. The main school year runs from 120 days before today (in Riga) to
// 60 days after it: "recent" lessons (yesterday or the day before, whichever is no public holiday)
// are inside their deadline, lessons a month ago are past it, lessons next week have not started.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem } from './lib/assert.mjs';
import { activate, adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';
import { addDays, rigaDay } from './lib/riga.mjs';
import { call, randomHex, startStack } from './lib/stack.mjs';

let stack, admin, teacher, teacher2, sub, staff, director, parent, otherParent, studentUser, inst;
let A, B, C; // students of inst: A is parent's child (and studentUser), C is otherParent's

const today = rigaDay(0);

async function linkGuardian(studentId, guardian) {
  const r = await call(stack, 'PUT', `/students/${studentId}/guardians/${guardian.id}`, { token: admin.token });
  assert.equal(r.status, 200, r.text);
}

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  teacher = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Ilze Kalna' });
  teacher2 = await makeUser(stack, admin, { roles: ['teacher'] });
  sub = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Aizvietotājs' });
  staff = await makeUser(stack, admin, { roles: ['staff'] });
  director = await makeUser(stack, admin, { roles: ['director'] });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna', 'Bruno', 'Cēsis'],
    starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
  [A, B, C] = inst.students;
  parent = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  otherParent = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  await linkGuardian(A.id, parent);
  await linkGuardian(C.id, otherParent);
  await activate(stack, parent);
  await activate(stack, otherParent);
  studentUser = await makeUser(stack, admin, { roles: ['student'], activate: false });
  const r = await call(stack, 'PATCH', `/students/${A.id}`, { token: admin.token, body: { user_id: studentUser.id } });
  assert.equal(r.status, 200, r.text);
  await activate(stack, studentUser);
});
after(async () => stack && stack.stop());

const get = (path, token = admin.token) => call(stack, 'GET', path, { token });
const put = (path, body, token = admin.token, headers = {}) => call(stack, 'PUT', path, { token, body, headers });
const entry = (lessonId, body, token = admin.token, headers = {}) => put(`/lessons/${lessonId}/entry`, body, token, headers);
const everyone = (students, status = 'present') => students.map((s) => ({ student_id: s.id, status }));

let groupNo = 0;
// A new group of inst's school year with these teachers and students (enrolled from the year's start).
async function makeGroup(teacherIds, students = [A, B, C]) {
  const g = await post(stack, admin.token, '/groups', { program_id: inst.program.id, school_year_id: inst.year.id,
    name: `Journal ${++groupNo} ${randomHex(2)}`, teacher_ids: teacherIds });
  for (const s of students) {
    await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: s.id, starts_on: inst.year.starts_on });
  }
  return g;
}

// A lesson of group g on date, or the nearest earlier date that is no public holiday.
async function lessonOn(g, date, starts_at = '15:00', ends_at = '16:30') {
  for (let i = 0; i < 7; i++) {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: g.id, date: addDays(date, -i), starts_at, ends_at } });
    if (r.status === 201) return r.body;
    assert.ok(r.status === 422 && r.body.code === 'public_holiday', r.text);
  }
  throw new Error('no lesson date found');
}

// A lesson that has started and is still inside its deadline (yesterday or a little earlier).
async function recentLesson(g, starts_at = '15:00', ends_at = '16:30') {
  for (let back = 1; back < 8; back++) {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: g.id, date: addDays(today, -back), starts_at, ends_at } });
    if (r.status === 201 && Date.parse(r.body.deadline) > Date.now() + 10 * 60_000) return r.body;
    assert.ok(r.status === 201 || (r.status === 422 && r.body.code === 'public_holiday'), r.text);
  }
  throw new Error('no recent lesson inside its deadline');
}

const pastLesson = (g, starts_at, ends_at) => lessonOn(g, addDays(today, -30), starts_at, ends_at);
const futureLesson = (g, starts_at, ends_at) => lessonOn(g, addDays(today, 7), starts_at, ends_at);

async function version(lessonId) {
  return (await get(`/lessons/${lessonId}`)).body.version;
}
async function auditOf(lessonId) {
  return stack.query(`SELECT action, actor_id, before, after FROM audit_log
    WHERE entity = 'lesson' AND entity_id = '${lessonId}' ORDER BY id`);
}

describe('§13 §15 PUT /lessons/{id}/entry', () => {
  let g;
  before(async () => {
    g = await makeGroup([teacher.id]);
  });

  test('§13 the group\'s teacher records the topic and attendance; the lesson shows the entry', async () => {
    const l = await recentLesson(g);
    assert.equal(l.state, 'due', 'started, not recorded, inside its deadline (issue 15: was planned)');
    const r = await entry(l.id, { topic: 'Māla trauki', attendance: [
      { student_id: A.id, status: 'present' }, { student_id: B.id, status: 'absent' }, { student_id: C.id, status: 'late' }] },
    teacher.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('etag'), `"v${r.body.version}"`);
    const shown = await get(`/lessons/${l.id}`);
    assert.equal(shown.status, 200);
    for (const body of [r.body, shown.body]) {
      assert.equal(body.state, 'recorded');
      assert.equal(body.topic, 'Māla trauki');
      assert.equal(body.conducted_by, teacher.id);
      assert.equal(body.late, false);
      assert.match(body.recorded_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const byId = Object.fromEntries(body.attendance.map((a) => [a.student_id, a]));
      assert.deepEqual(Object.keys(byId).map(Number).sort((x, y) => x - y), [A.id, B.id, C.id].sort((x, y) => x - y));
      assert.equal(byId[A.id].status, 'present');
      assert.equal(byId[B.id].status, 'absent');
      assert.equal(byId[C.id].status, 'late');
      for (const a of body.attendance) assert.equal(a.reason, null);
    }
  });

  test('§13 the attendance covers exactly the students enrolled on the lesson\'s date; otherwise 422 student_not_enrolled with the lists', async () => {
    const g = await makeGroup([teacher.id]);
    const l = await recentLesson(g, '17:00', '18:00');
    // Enrolled after the lesson's date, and withdrawn effective on it: not expected. Withdrawn
    // effective the day after: still expected.
    const later = await post(stack, admin.token, '/students', { full_name: 'Vēlāk' });
    await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: later.id, starts_on: addDays(l.date, 1) });
    const gone = await post(stack, admin.token, '/students', { full_name: 'Aizgājis' });
    const goneE = await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: gone.id, starts_on: inst.year.starts_on });
    let r = await call(stack, 'POST', `/enrollments/${goneE.id}/withdraw`, { token: admin.token,
      body: { application_date: addDays(l.date, -3), effective_on: l.date } });
    assert.equal(r.status, 200, r.text);
    const leaving = await post(stack, admin.token, '/students', { full_name: 'Vēl te' });
    const leavingE = await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: leaving.id, starts_on: inst.year.starts_on });
    r = await call(stack, 'POST', `/enrollments/${leavingE.id}/withdraw`, { token: admin.token,
      body: { application_date: l.date, effective_on: addDays(l.date, 1) } });
    assert.equal(r.status, 200, r.text);
    const v0 = await version(l.id);

    // Missing one (leaving) and naming two who are not enrolled then (later, gone).
    r = await entry(l.id, { topic: 'T', attendance: everyone([A, B, C, later, gone]) }, teacher.token);
    assertProblem(r, 422, 'student_not_enrolled');
    assert.deepEqual(r.body.missing, [leaving.id]);
    assert.deepEqual(r.body.unexpected, [later.id, gone.id].sort((x, y) => x - y));
    assert.ok(r.body.errors.length === 3 && r.body.errors.every((e) => e.field === 'attendance'));
    // A stranger from another group.
    r = await entry(l.id, { topic: 'T', attendance: everyone([A, B, C, leaving, { id: 999999 }]) }, teacher.token);
    assertProblem(r, 422, 'student_not_enrolled');
    assert.deepEqual(r.body.unexpected, [999999]);
    assert.deepEqual(r.body.missing, []);
    assert.equal(await version(l.id), v0, 'nothing changed');

    r = await entry(l.id, { topic: 'T', attendance: everyone([A, B, C, leaving]) }, teacher.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.attendance.length, 4);
  });

  test('§14 a teacher\'s body with a reason is refused 403 reason_requires_superuser and changes nothing', async () => {
    const l = await recentLesson(g, '08:00', '09:00');
    const v0 = await version(l.id);
    const audit0 = (await auditOf(l.id)).length;
    const bodies = [
      { topic: 'T', attendance: [...everyone([A, B]), { student_id: C.id, status: 'absent', reason: 'illness' }] },
      { topic: 'T', attendance: [...everyone([A, B]), { student_id: C.id, status: 'absent', reason: null }] },
      { topic: 'T', reason_code: 'illness', attendance: everyone([A, B, C]) },
      { topic: 'T', attendance: everyone([A, B, C]), extra: { deep: [{ reason: 'x' }] } }, // before the unknown-field check
    ];
    for (const body of bodies) {
      const r = await entry(l.id, body, teacher.token);
      assertProblem(r, 403, 'reason_requires_superuser');
    }
    assert.equal(await version(l.id), v0);
    assert.equal((await auditOf(l.id)).length, audit0);
    assert.equal((await get(`/lessons/${l.id}`)).body.state, 'due');
  });

  test('§13 no entry before the lesson has started: 409 lesson_not_started, for the superuser too', async () => {
    const l = await futureLesson(g);
    for (const token of [teacher.token, admin.token]) {
      const r = await entry(l.id, { topic: 'T', attendance: everyone([A, B, C]) }, token);
      assertProblem(r, 409, 'lesson_not_started');
      assert.equal(r.body.starts, (await stack.psql(`SELECT utc(lesson_starts(l)) FROM lessons l WHERE id = ${l.id}`))[0][0]);
    }
  });

  test('§13 after the deadline the teacher is refused 409 entry_deadline_passed naming the deadline; the superuser records, marked late', async () => {
    const l = await pastLesson(g);
    assert.equal(l.state, 'overdue');
    let r = await entry(l.id, { topic: 'T', attendance: everyone([A, B, C]) }, teacher.token);
    assertProblem(r, 409, 'entry_deadline_passed');
    assert.equal(r.body.deadline, l.deadline);
    assert.match(r.body.detail, / 23:59:59 \(UTC\+0[23]:00\)/, 'the deadline in Riga time (issue 15)');
    r = await entry(l.id, { topic: 'Ierakstīja vietnieks', attendance: everyone([A, B, C]) }, admin.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.late, true);
    assert.equal(r.body.state, 'recorded');
    assert.equal(r.body.conducted_by, teacher.id, 'the group\'s teacher conducted it');
    // The superuser corrects it any time; still late (the flag describes the first entry).
    r = await entry(l.id, { topic: 'Labots', attendance: everyone([A, B, C], 'absent') }, admin.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.topic, 'Labots');
    assert.equal(r.body.late, true);
  });

  test('§13 an extension lets the teacher record until its end; such an entry is late: true', async () => {
    const l = await pastLesson(g, '10:00', '11:00');
    const until = addDays(today, 2);
    let r = await call(stack, 'POST', `/lessons/${l.id}/extension`, { token: admin.token,
      body: { until, reason: 'Skolotāja slimoja' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.extension.reason, 'Skolotāja slimoja');
    assert.equal(r.body.extension.granted_by, admin.id);
    assert.equal(r.body.extension.until, (await stack.psql(
      `SELECT utc(('${until}'::date + time '23:59:59') AT TIME ZONE 'Europe/Riga')`))[0][0]);
    assert.equal(r.body.deadline, l.deadline, 'the deadline itself is unchanged');
    assert.equal(r.body.state, 'due', 'not overdue while the extension runs: due (issue 15)');
    r = await entry(l.id, { topic: 'Vēlāk', attendance: everyone([A, B, C]) }, teacher.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.late, true);
    assert.equal(r.body.conducted_by, teacher.id);
    // Once the extension has ended the teacher is refused again, naming both.
    await stack.psql(`UPDATE lessons SET extension_until = now() - interval '1 minute' WHERE id = ${l.id}`);
    r = await entry(l.id, { topic: 'Vēl vēlāk', attendance: everyone([A, B, C]) }, teacher.token);
    assertProblem(r, 409, 'entry_deadline_passed');
    assert.equal(r.body.deadline, l.deadline);
    assert.ok(r.body.extension_until);
  });

  test('§13 an entry within the deadline is not late, and an overdue lesson with an ended extension is overdue', async () => {
    const l = await pastLesson(g, '12:00', '13:00');
    let r = await call(stack, 'POST', `/lessons/${l.id}/extension`, { token: admin.token,
      body: { until: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'), reason: 'x' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.state, 'due');
    await stack.psql(`UPDATE lessons SET extension_until = now() - interval '1 minute' WHERE id = ${l.id}`);
    assert.equal((await get(`/lessons/${l.id}`)).body.state, 'overdue');
  });

  test('§13 extensions: superuser only, until after now and the deadline, a reason, a lesson not cancelled', async () => {
    const l = await pastLesson(g, '13:00', '14:00');
    const ext = (body, token = admin.token) => call(stack, 'POST', `/lessons/${l.id}/extension`, { token, body });
    assertProblem(await ext({ until: addDays(today, 1), reason: 'x' }, teacher.token), 403, 'forbidden');
    let r = await ext({ until: addDays(today, -1), reason: 'x' });
    assertProblem(r, 422, 'validation_failed');
    assert.equal(r.body.errors[0].field, 'until');
    const fut = await futureLesson(g, '07:00', '08:00');
    r = await call(stack, 'POST', `/lessons/${fut.id}/extension`, { token: admin.token, body: { until: fut.date, reason: 'x' } });
    assertProblem(r, 422, 'validation_failed'); // not after the deadline
    for (const until of ['tomorrow', '2026-02-30', '2026-11-30T25:00:00Z', '2026-11-30T10:00:00', '2026-11-30 10:00:00Z']) {
      r = await ext({ until, reason: 'x' });
      assertProblem(r, 422, 'validation_failed');
    }
    assertProblem(await ext({ until: addDays(today, 1), reason: '  ' }), 422, 'validation_failed');
    assertProblem(await ext({ until: addDays(today, 1) }), 422, 'validation_failed');
    assertProblem(await ext({ until: 5, reason: 'x' }), 400, 'invalid_field');
    assertProblem(await ext({ until: addDays(today, 1), reason: 'x', extra: 1 }), 400, 'unknown_field');
    r = await call(stack, 'POST', `/lessons/${l.id}/cancel`, { token: admin.token, body: { reason: 'Slimība' } });
    assert.equal(r.status, 200, r.text);
    assertProblem(await ext({ until: addDays(today, 1), reason: 'x' }), 409, 'lesson_cancelled');
    assertProblem(await call(stack, 'POST', '/lessons/999999/extension', { token: admin.token,
      body: { until: addDays(today, 1), reason: 'x' } }), 404, 'not_found');
  });

  test('§13 a cancelled lesson takes no entry: 409 lesson_cancelled', async () => {
    const l = await recentLesson(g, '19:00', '20:00');
    const r = await call(stack, 'POST', `/lessons/${l.id}/cancel`, { token: admin.token, body: { reason: 'Remonts' } });
    assert.equal(r.status, 200, r.text);
    for (const token of [teacher.token, admin.token]) {
      assertProblem(await entry(l.id, { topic: 'T', attendance: everyone([A, B, C]) }, token), 409, 'lesson_cancelled');
    }
  });

  test('§18 a closed school year is read-only: 409 school_year_closed', async () => {
    const old = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Vecs'],
      starts_on: addDays(today, -300), ends_on: addDays(today, -200) });
    const l = await lessonOn(old.group, addDays(today, -250));
    let r = await call(stack, 'POST', `/school-years/${old.year.id}/close`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    for (const token of [teacher.token, admin.token]) {
      assertProblem(await entry(l.id, { topic: 'T', attendance: everyone(old.students) }, token), 409, 'school_year_closed');
    }
    r = await call(stack, 'POST', `/lessons/${l.id}/extension`, { token: admin.token, body: { until: addDays(today, 1), reason: 'x' } });
    assertProblem(r, 409, 'school_year_closed');
  });

  test('§13 the conducting teacher corrects the entry until the deadline; every version is in the audit trail', async () => {
    const l = await recentLesson(g, '20:00', '21:00');
    let r = await entry(l.id, { topic: 'Pirmā', attendance: everyone([A, B, C]) }, teacher.token);
    assert.equal(r.status, 200, r.text);
    const first = r.body;
    r = await entry(l.id, { topic: 'Otrā', attendance: [...everyone([A, B]), { student_id: C.id, status: 'absent' }] }, teacher.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.topic, 'Otrā');
    assert.equal(r.body.version, first.version + 1);
    assert.equal(r.body.recorded_at, first.recorded_at, 'recorded_at is the first entry\'s');
    const audit = (await auditOf(l.id)).filter((a) => a.action.startsWith('lesson.entry'));
    assert.deepEqual(audit.map((a) => a.action), ['lesson.entry', 'lesson.entry_update']);
    assert.equal(audit[0].before.topic, null);
    assert.equal(audit[0].after.topic, 'Pirmā');
    assert.equal(audit[1].before.topic, 'Pirmā');
    assert.equal(audit[1].after.topic, 'Otrā');
    assert.equal(audit[1].after.attendance.find((a) => a.student_id === C.id).status, 'absent');
    assert.ok(audit.every((a) => a.actor_id === teacher.id));
  });

  test('§13 ETag and If-Match: a stale If-Match is 412 and nothing is overwritten', async () => {
    const l = await recentLesson(g, '06:00', '07:00');
    let r = await get(`/lessons/${l.id}`, teacher.token);
    const etag = r.headers.get('etag');
    assert.equal(etag, `"v${r.body.version}"`);
    r = await entry(l.id, { topic: 'Viens', attendance: everyone([A, B, C]) }, teacher.token, { 'if-match': etag });
    assert.equal(r.status, 200, r.text);
    const newTag = r.headers.get('etag');
    assert.notEqual(newTag, etag);
    r = await entry(l.id, { topic: 'Divi', attendance: everyone([A, B, C]) }, admin.token, { 'if-match': etag });
    assertProblem(r, 412, 'precondition_failed');
    assert.equal((await get(`/lessons/${l.id}`)).body.topic, 'Viens');
    r = await entry(l.id, { topic: 'Trīs', attendance: everyone([A, B, C]) }, teacher.token, { 'if-match': '"nonsense"' });
    assertProblem(r, 412, 'precondition_failed');
    r = await entry(l.id, { topic: 'Divi', attendance: everyone([A, B, C]) }, teacher.token, { 'if-match': newTag });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.topic, 'Divi');
  });

  test('§13 two editors with the same If-Match at once: one wins, the other gets 412', async () => {
    const l = await recentLesson(g, '04:00', '05:00');
    const tag = (await get(`/lessons/${l.id}`)).headers.get('etag');
    const [x, y] = await Promise.all([
      entry(l.id, { topic: 'Skolotāja', attendance: everyone([A, B, C]) }, teacher.token, { 'if-match': tag }),
      entry(l.id, { topic: 'Vietniece', attendance: everyone([A, B, C], 'absent') }, admin.token, { 'if-match': tag }),
    ]);
    assert.deepEqual([x.status, y.status].sort(), [200, 412], `${x.text} ${y.text}`);
    const winner = x.status === 200 ? x.body : y.body;
    const now = (await get(`/lessons/${l.id}`)).body;
    assert.equal(now.topic, winner.topic);
    assert.equal(now.version, winner.version);
    assert.equal((await auditOf(l.id)).filter((a) => a.action.startsWith('lesson.entry')).length, 1);
  });

  test('§13 bad input is refused: wrong types and unknown fields 400, invalid values 422', async () => {
    const l = await recentLesson(g, '21:00', '22:00');
    const cases = [
      [{ topic: 5, attendance: [] }, 400, 'invalid_field'],
      [{ topic: 'T', attendance: {} }, 400, 'invalid_field'],
      [{ topic: 'T', attendance: everyone([A, B, C]), mood: 'good' }, 400, 'unknown_field'],
      [{ topic: 'T', attendance: [{ student_id: A.id, status: 'present', mark: 10 }] }, 400, 'unknown_field'],
      [{ topic: 'T', attendance: [{ student_id: String(A.id), status: 'present' }] }, 400, 'invalid_field'],
      [{ topic: 'T', attendance: ['x'] }, 400, 'malformed_json'],
      [{ attendance: everyone([A, B, C]) }, 422, 'validation_failed'],
      [{ topic: '   ', attendance: everyone([A, B, C]) }, 422, 'validation_failed'],
      [{ topic: 'x'.repeat(2001), attendance: everyone([A, B, C]) }, 422, 'validation_failed'],
      [{ topic: 'T' }, 422, 'validation_failed'],
      [{ topic: 'T', attendance: [{ student_id: A.id, status: 'sick' }, ...everyone([B, C])] }, 422, 'validation_failed'],
      [{ topic: 'T', attendance: [{ student_id: A.id }, ...everyone([B, C])] }, 422, 'validation_failed'],
      [{ topic: 'T', attendance: [...everyone([A, B, C]), { student_id: A.id, status: 'absent' }] }, 422, 'validation_failed'],
      [{ topic: 'T', attendance: [{ student_id: -1, status: 'present' }] }, 422, 'validation_failed'],
      [{ topic: 'T', attendance: everyone([A, B, C]), conducted_by: teacher.id }, 403, 'forbidden'],
    ];
    for (const [body, status, code] of cases) {
      const r = await entry(l.id, body, teacher.token);
      assertProblem(r, status, code);
    }
    let r = await entry(l.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'sick' }, ...everyone([B, C])] }, teacher.token);
    assert.equal(r.body.errors[0].field, 'attendance[0].status');
    r = await call(stack, 'PUT', `/lessons/${l.id}/entry`, { token: teacher.token, rawBody: '{"topic":', headers: { 'content-type': 'application/json' } });
    assertProblem(r, 400, 'malformed_json');
    r = await call(stack, 'PUT', `/lessons/${l.id}/entry`, { token: teacher.token, rawBody: 'topic=x', headers: { 'content-type': 'text/plain' } });
    assertProblem(r, 415, 'unsupported_media_type');
    assertProblem(await entry('abc', { topic: 'T', attendance: [] }, teacher.token), 404, 'not_found');
    assertProblem(await entry(999999, { topic: 'T', attendance: [] }, admin.token), 404, 'not_found');
    // The superuser's body: a reason only on an absence or a late arrival, and a known code.
    r = await entry(l.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'present', reason: 'illness' }, ...everyone([B, C])] });
    assertProblem(r, 422, 'validation_failed');
    r = await entry(l.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'absent', reason: 'flu' }, ...everyone([B, C])] });
    assertProblem(r, 422, 'validation_failed');
    r = await entry(l.id, { topic: 'T', attendance: everyone([A, B, C]), conducted_by: staff.id });
    assertProblem(r, 422, 'validation_failed');
    assert.equal(r.body.errors[0].field, 'conducted_by');
    assert.equal((await get(`/lessons/${l.id}`)).body.state, 'due', 'nothing was recorded');
  });

  test('§20 only the superuser and teachers may record; a teacher of another group gets 404', async () => {
    const l = await recentLesson(g, '22:00', '23:00');
    for (const u of [staff, director, parent, studentUser]) {
      assertProblem(await entry(l.id, { topic: 'T', attendance: everyone([A, B, C]) }, u.token), 403, 'forbidden');
    }
    assertProblem(await entry(l.id, { topic: 'T', attendance: everyone([A, B, C]) }, teacher2.token), 404, 'not_found');
    assert.equal((await call(stack, 'PUT', `/lessons/${l.id}/entry`, { body: { topic: 'T', attendance: [] } })).status, 401);
  });

  test('§13 the superuser\'s entry may mark reasons on absences and late arrivals', async () => {
    const l = await recentLesson(g, '05:00', '06:00');
    const r = await entry(l.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'absent', reason: 'illness' },
      { student_id: B.id, status: 'late', reason: 'family' }, { student_id: C.id, status: 'absent' }] });
    assert.equal(r.status, 200, r.text);
    const byId = Object.fromEntries(r.body.attendance.map((a) => [a.student_id, a]));
    assert.equal(byId[A.id].reason, 'illness');
    assert.equal(byId[B.id].reason, 'family');
    assert.equal(byId[C.id].reason, null);
    assert.equal(r.body.conducted_by, teacher.id);
    // The teacher's later correction keeps the reasons of those still absent or late; marking
    // present a student whose absence has a reason is the superuser's (409 reason_set, below).
    const t = await entry(l.id, { topic: 'T2', attendance: [{ student_id: A.id, status: 'late' },
      { student_id: B.id, status: 'absent' }, { student_id: C.id, status: 'present' }] }, teacher.token);
    assert.equal(t.status, 200, t.text);
    const after = Object.fromEntries(t.body.attendance.map((a) => [a.student_id, a]));
    assert.equal(after[A.id].reason, 'illness');
    assert.equal(after[B.id].reason, 'family');
    assert.equal(after[C.id].reason, null, 'present: no reason');
  });
});

describe('§15 substitutes', () => {
  test('§15 the assigned substitute records; the group\'s own teacher is refused; the lesson shows who conducted it', async () => {
    const g = await makeGroup([teacher.id]);
    const l = await recentLesson(g);
    let r = await put(`/lessons/${l.id}/substitute`, { teacher_id: sub.id });
    assert.equal(r.status, 200, r.text);
    r = await entry(l.id, { topic: 'Aizvietoja', attendance: everyone([A, B, C]) }, teacher.token);
    assertProblem(r, 403, 'not_conducting_teacher');
    assert.equal(r.body.substitute_teacher_id, sub.id);
    assert.equal((await get(`/lessons/${l.id}`)).body.state, 'due');
    r = await entry(l.id, { topic: 'Aizvietoja', attendance: everyone([A, B, C]) }, sub.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.conducted_by, sub.id);
    assert.equal(r.body.substitute_teacher_id, sub.id);
    const shown = await get(`/lessons/${l.id}`, teacher.token);
    assert.equal(shown.body.conducted_by, sub.id);
    assert.equal(shown.body.topic, 'Aizvietoja');
    // The substitute of one lesson is nobody's teacher elsewhere in the group.
    const other = await recentLesson(g, '18:00', '19:00');
    assertProblem(await entry(other.id, { topic: 'T', attendance: everyone([A, B, C]) }, sub.token), 404, 'not_found');
    // The superuser recording a substituted lesson names the substitute.
    const third = await recentLesson(g, '07:00', '08:00');
    r = await put(`/lessons/${third.id}/substitute`, { teacher_id: sub.id });
    assert.equal(r.status, 200, r.text);
    r = await entry(third.id, { topic: 'T', attendance: everyone([A, B, C]) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.conducted_by, sub.id);
  });

  test('§15 of a group with two teachers either records, and the entry names who did', async () => {
    const g = await makeGroup([teacher.id, teacher2.id]);
    const l = await recentLesson(g);
    const r = await entry(l.id, { topic: 'Kopā', attendance: everyone([A, B, C]) }, teacher2.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.conducted_by, teacher2.id);
  });
});

describe('§13 overdue lessons', () => {
  test('§13 a lesson past its deadline with no entry is overdue in every listing', async () => {
    const g = await makeGroup([teacher.id]);
    const l = await pastLesson(g);
    const recorded = await pastLesson(g, '09:00', '10:00');
    assert.equal((await entry(recorded.id, { topic: 'T', attendance: everyone([A, B, C]) })).status, 200);
    assert.equal((await get(`/lessons/${l.id}`)).body.state, 'overdue');
    assert.equal((await get(`/lessons/${l.id}/entry`)).body.state, 'overdue');
    const overdue = (await get(`/lessons?group_id=${g.id}&state=overdue`, teacher.token)).body.items.map((x) => x.id);
    assert.deepEqual(overdue, [l.id]);
    const all = (await get(`/lessons?group_id=${g.id}`, teacher.token)).body.items;
    assert.equal(all.find((x) => x.id === l.id).state, 'overdue');
    assert.equal(all.find((x) => x.id === recorded.id).state, 'recorded');
    const mine = (await get(`/lessons?teacher_id=${teacher.id}&state=overdue&limit=500`, teacher.token)).body.items;
    assert.ok(mine.some((x) => x.id === l.id));
  });
});

describe('§14 absence reasons', () => {
  let g, l;
  before(async () => {
    g = await makeGroup([teacher.id]);
    l = await recentLesson(g);
    const r = await entry(l.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'absent' },
      { student_id: B.id, status: 'present' }, { student_id: C.id, status: 'late' }] }, teacher.token);
    assert.equal(r.status, 200, r.text);
  });
  const reason = (sid, body, token = admin.token, headers = {}) => put(`/lessons/${l.id}/attendance/${sid}/reason`, body, token, headers);

  test('§14 GET /absence-reasons lists the codes from the settings: illness, family, other_excused, unexcused', async () => {
    for (const u of [admin, teacher, parent, staff]) {
      const r = await get('/absence-reasons', u.token);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.items.map((x) => x.code), ['illness', 'family', 'other_excused', 'unexcused']);
      assert.equal(r.body.next, null);
      assert.equal(r.body.items.find((x) => x.code === 'unexcused').excused, false);
    }
  });

  test('§14 only the superuser sets an absence reason; the lesson\'s ETag moves', async () => {
    assertProblem(await reason(A.id, { reason_code: 'illness' }, teacher.token), 403, 'forbidden');
    assertProblem(await reason(A.id, { reason_code: 'illness' }, parent.token), 403, 'forbidden');
    const v0 = await version(l.id);
    let r = await reason(A.id, { reason_code: 'illness', note: 'zvanīja māte' }, admin.token, { 'if-match': `"v${v0}"` });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('etag'), `"v${v0 + 1}"`);
    const a = r.body.attendance.find((x) => x.student_id === A.id);
    assert.equal(a.reason, 'illness');
    assert.equal(a.reason_note, 'zvanīja māte');
    r = await reason(C.id, { reason_code: 'unexcused' }, admin.token, { 'if-match': `"v${v0}"` });
    assertProblem(r, 412, 'precondition_failed');
    r = await reason(C.id, { reason_code: 'unexcused' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.attendance.find((x) => x.student_id === C.id).reason, 'unexcused');
    const audit = (await auditOf(l.id)).filter((x) => x.action === 'lesson.absence_reason');
    assert.equal(audit.length, 2);
    // Cleared with null.
    r = await reason(C.id, { reason_code: null });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.attendance.find((x) => x.student_id === C.id).reason, null);
  });

  test('§14 a reason needs an absence: present 409, no such row 404, unknown code 422, bad body 400', async () => {
    assertProblem(await reason(B.id, { reason_code: 'illness' }), 409, 'student_present');
    assertProblem(await reason(999999, { reason_code: 'illness' }), 404, 'not_found');
    assertProblem(await put(`/lessons/999999/attendance/${A.id}/reason`, { reason_code: 'illness' }), 404, 'not_found');
    let r = await reason(A.id, { reason_code: 'flu' });
    assertProblem(r, 422, 'validation_failed');
    assert.equal(r.body.errors[0].field, 'reason_code');
    assertProblem(await reason(A.id, {}), 422, 'validation_failed');
    assertProblem(await reason(A.id, { reason_code: null, note: 'x' }), 422, 'validation_failed');
    assertProblem(await reason(A.id, { reason_code: 1 }), 400, 'invalid_field');
    assertProblem(await reason(A.id, { reason_code: 'illness', diagnosis: 'flu' }), 400, 'unknown_field');
  });
});

describe('§14 absence reports', () => {
  let g, l1, l2, l3, l4;
  let report;
  before(async () => {
    g = await makeGroup([teacher.id]);
    // Four lessons on four days a few weeks back (recorded by the superuser: deadlines passed).
    l1 = await lessonOn(g, addDays(today, -24));
    l2 = await lessonOn(g, addDays(today, -22), '10:00', '11:00');
    l3 = await lessonOn(g, addDays(today, -15), '11:00', '12:00'); // outside the report's range
    l4 = await lessonOn(g, addDays(today, -20), '12:00', '13:00'); // recorded after the report is applied
    let r = await entry(l1.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'absent' },
      { student_id: B.id, status: 'absent' }, { student_id: C.id, status: 'present' }] });
    assert.equal(r.status, 200, r.text);
    r = await entry(l2.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'late' },
      { student_id: B.id, status: 'present' }, { student_id: C.id, status: 'absent' }] });
    assert.equal(r.status, 200, r.text);
    r = await entry(l3.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'absent' },
      { student_id: B.id, status: 'present' }, { student_id: C.id, status: 'present' }] });
    assert.equal(r.status, 200, r.text);
  });
  const reasonOf = (body, sid) => body.attendance.find((a) => a.student_id === sid).reason;

  test('§14 a guardian files a report for their own child; the guardian sees its state', async () => {
    const r = await call(stack, 'POST', '/absence-reports', { token: parent.token,
      body: { student_id: A.id, from_date: l1.date, to_date: addDays(l1.date, 5), reason_code: 'illness', comment: 'Bija slima' } });
    assert.equal(r.status, 201, r.text);
    report = r.body;
    assert.equal(report.status, 'pending');
    assert.equal(report.channel, 'online');
    assert.equal(report.guardian_id, parent.id);
    assert.equal(report.filed_by, parent.id);
    assert.equal(r.headers.get('location'), `/api/v1/absence-reports/${report.id}`);
    const list = await get('/absence-reports', parent.token);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((x) => x.id), [report.id]);
    const one = await get(`/absence-reports/${report.id}`, parent.token);
    assert.equal(one.body.status, 'pending');
    // The child sees it too; another family, a teacher and staff do not.
    assert.equal((await get(`/absence-reports/${report.id}`, studentUser.token)).status, 200);
    assertProblem(await get(`/absence-reports/${report.id}`, otherParent.token), 404, 'not_found');
    assert.deepEqual((await get('/absence-reports', otherParent.token)).body.items, []);
    assertProblem(await get('/absence-reports', teacher.token), 403, 'forbidden');
    assertProblem(await get('/absence-reports', staff.token), 403, 'forbidden');
    assert.equal((await get(`/absence-reports/${report.id}`, director.token)).status, 200);
  });

  test('§14 a report applied by the superuser sets the reason on the matching absences, on an absence recorded later in its range, and on nobody else\'s', async () => {
    assertProblem(await call(stack, 'POST', `/absence-reports/${report.id}/apply`, { token: parent.token }), 403, 'forbidden');
    const v2 = await version(l2.id);
    let r = await call(stack, 'POST', `/absence-reports/${report.id}/apply`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.report.status, 'applied');
    assert.equal(r.body.report.decided_by, admin.id);
    assert.deepEqual(r.body.applied.map((x) => x.lesson_id), [l1.id, l2.id]);
    assert.deepEqual(r.body.kept, []);
    assert.equal(r.body.report.absences_with_reason, 2);
    assert.equal(await version(l2.id), v2 + 1, 'the lesson\'s ETag moves');

    let x = (await get(`/lessons/${l1.id}`)).body;
    assert.equal(reasonOf(x, A.id), 'illness');
    assert.equal(x.attendance.find((a) => a.student_id === A.id).reason_report_id, report.id);
    assert.equal(reasonOf(x, B.id), null, 'a classmate absent the same day keeps no reason');
    x = (await get(`/lessons/${l2.id}`)).body;
    assert.equal(reasonOf(x, A.id), 'illness', 'a late arrival in the range too');
    assert.equal(reasonOf(x, C.id), null);
    x = (await get(`/lessons/${l3.id}`)).body;
    assert.equal(reasonOf(x, A.id), null, 'outside the range');

    // An absence recorded later inside the range takes the report's reason; a classmate's does not.
    r = await entry(l4.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'absent' },
      { student_id: B.id, status: 'absent' }, { student_id: C.id, status: 'present' }] });
    assert.equal(r.status, 200, r.text);
    assert.equal(reasonOf(r.body, A.id), 'illness');
    assert.equal(r.body.attendance.find((a) => a.student_id === A.id).reason_report_id, report.id);
    assert.equal(reasonOf(r.body, B.id), null);
    // A correction that turns her present drops the reason; absent again, it comes back.
    r = await entry(l4.id, { topic: 'T', attendance: everyone([A, B, C]) });
    assert.equal(reasonOf(r.body, A.id), null);
    r = await entry(l4.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'absent' },
      { student_id: B.id, status: 'absent' }, { student_id: C.id, status: 'present' }] });
    assert.equal(reasonOf(r.body, A.id), 'illness');
    assert.equal(reasonOf(r.body, B.id), null);

    // The guardian sees the state.
    const seen = await get(`/absence-reports/${report.id}`, parent.token);
    assert.equal(seen.body.status, 'applied');
    assert.deepEqual((await get('/absence-reports?status=applied', parent.token)).body.items.map((y) => y.id), [report.id]);
    assert.deepEqual((await get('/absence-reports?status=pending', parent.token)).body.items, []);
    // Applying or rejecting again is a conflict.
    assertProblem(await call(stack, 'POST', `/absence-reports/${report.id}/apply`, { token: admin.token }), 409, 'report_not_pending');
    assertProblem(await call(stack, 'POST', `/absence-reports/${report.id}/reject`, { token: admin.token, body: { note: 'x' } }),
      409, 'report_not_pending');
    const audit = await stack.query(`SELECT action FROM audit_log WHERE entity = 'absence_report' AND entity_id = '${report.id}' ORDER BY id`);
    assert.deepEqual(audit.map((a) => a.action), ['absence_report.create', 'absence_report.apply']);
  });

  test('§14 a report keeps reasons already set (listed as kept)', async () => {
    // B was absent on l1 and l4 (no reason yet); give l1's a reason first.
    let r = await put(`/lessons/${l1.id}/attendance/${B.id}/reason`, { reason_code: 'unexcused' });
    assert.equal(r.status, 200, r.text);
    r = await call(stack, 'POST', '/absence-reports', { token: admin.token,
      body: { student_id: B.id, from_date: l1.date, to_date: l4.date, reason_code: 'family', channel: 'phone' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.channel, 'phone');
    assert.equal(r.body.guardian_id, null);
    r = await call(stack, 'POST', `/absence-reports/${r.body.id}/apply`, { token: admin.token, headers: { 'idempotency-key': 'apply-b' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.applied.map((x) => x.lesson_id), [l4.id]);
    assert.deepEqual(r.body.kept.map((x) => [x.lesson_id, x.reason]), [[l1.id, 'unexcused']]);
    const again = await call(stack, 'POST', `/absence-reports/${r.body.report.id}/apply`, { token: admin.token, headers: { 'idempotency-key': 'apply-b' } });
    assert.equal(again.status, 200, 'the same Idempotency-Key replays the first answer');
    assert.deepEqual(again.body, r.body);
    assert.equal(reasonOf((await get(`/lessons/${l1.id}`)).body, B.id), 'unexcused');
    assert.equal(reasonOf((await get(`/lessons/${l4.id}`)).body, B.id), 'family');
  });

  test('§14 the superuser rejects a report with a note; the guardian sees it', async () => {
    let r = await call(stack, 'POST', '/absence-reports', { token: parent.token,
      body: { student_id: A.id, from_date: l3.date, to_date: l3.date, reason_code: 'family' } });
    assert.equal(r.status, 201, r.text);
    const id = r.body.id;
    assertProblem(await call(stack, 'POST', `/absence-reports/${id}/reject`, { token: admin.token, body: {} }), 422, 'validation_failed');
    assertProblem(await call(stack, 'POST', `/absence-reports/${id}/reject`, { token: admin.token, body: { note: ' ' } }), 422, 'validation_failed');
    r = await call(stack, 'POST', `/absence-reports/${id}/reject`, { token: admin.token, body: { note: 'Nodarbība notika' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'rejected');
    const seen = (await get(`/absence-reports/${id}`, parent.token)).body;
    assert.equal(seen.status, 'rejected');
    assert.equal(seen.decision_note, 'Nodarbība notika');
    assert.equal(reasonOf((await get(`/lessons/${l3.id}`)).body, A.id), null, 'a rejected report sets nothing');
    assertProblem(await call(stack, 'POST', `/absence-reports/${id}/apply`, { token: admin.token }), 409, 'report_not_pending');
    assertProblem(await call(stack, 'POST', '/absence-reports/999999/apply', { token: admin.token }), 404, 'not_found');
  });

  test('§14 §20 a guardian files only for their own children; the superuser files on a guardian\'s behalf', async () => {
    const body = (extra) => ({ student_id: A.id, from_date: l1.date, to_date: l1.date, reason_code: 'illness', ...extra });
    // Another family's child and a child who does not exist get the same answer.
    let r = await call(stack, 'POST', '/absence-reports', { token: otherParent.token, body: body() });
    assertProblem(r, 422, 'validation_failed');
    assert.equal(r.body.errors[0].field, 'student_id');
    const nobody = await call(stack, 'POST', '/absence-reports', { token: otherParent.token, body: body({ student_id: 999999 }) });
    assert.equal(nobody.status, 422);
    assert.equal(nobody.body.detail, r.body.detail);
    for (const u of [teacher, staff, director, studentUser]) {
      assertProblem(await call(stack, 'POST', '/absence-reports', { token: u.token, body: body() }), 403, 'forbidden');
    }
    assertProblem(await call(stack, 'POST', '/absence-reports', { token: parent.token, body: body({ channel: 'paper' }) }), 403, 'forbidden');
    assertProblem(await call(stack, 'POST', '/absence-reports', { token: parent.token, body: body({ guardian_id: parent.id }) }), 403, 'forbidden');
    // On paper, from the child's guardian; guardian_id must be one of the child's.
    r = await call(stack, 'POST', '/absence-reports', { token: admin.token, body: body({ guardian_id: parent.id }) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.channel, 'paper');
    assert.equal(r.body.guardian_id, parent.id);
    assert.equal(r.body.filed_by, admin.id);
    assert.ok((await get('/absence-reports?status=pending', parent.token)).body.items.some((x) => x.id === r.body.id));
    r = await call(stack, 'POST', '/absence-reports', { token: admin.token, body: body({ guardian_id: otherParent.id }) });
    assertProblem(r, 422, 'validation_failed');
    assert.equal(r.body.errors[0].field, 'guardian_id');
  });

  test('§14 report input: dates in order and within a year, a known code, no unknown fields', async () => {
    const post_ = (b) => call(stack, 'POST', '/absence-reports', { token: parent.token, body: b });
    const ok = { student_id: A.id, from_date: l1.date, to_date: l1.date, reason_code: 'illness' };
    let r = await post_({ ...ok, to_date: addDays(l1.date, -1) });
    assertProblem(r, 422, 'validation_failed');
    assert.equal(r.body.errors[0].field, 'to_date');
    assertProblem(await post_({ ...ok, to_date: addDays(l1.date, 400) }), 422, 'validation_failed');
    r = await post_({ ...ok, reason_code: 'influenza' });
    assertProblem(r, 422, 'validation_failed');
    assert.equal(r.body.errors[0].field, 'reason_code');
    assertProblem(await post_({ ...ok, diagnosis: 'x' }), 400, 'unknown_field');
    assertProblem(await post_({ ...ok, from_date: '2026-02-30' }), 422, 'validation_failed');
    assertProblem(await post_({ ...ok, student_id: 'x' }), 400, 'invalid_field');
    assertProblem(await post_({ ...ok, comment: 'x'.repeat(501) }), 422, 'validation_failed');
    assertProblem(await get('/absence-reports?status=done', parent.token), 400, 'invalid_query');
    assertProblem(await get('/absence-reports?student_id=x', parent.token), 400, 'invalid_query');
  });
});

describe('§14 §20 GET /students/{id}/attendance', () => {
  let g1, g2, l1, l2, l3;
  before(async () => {
    g1 = await makeGroup([teacher.id], [A, B]);
    g2 = await makeGroup([teacher2.id], [A, C]);
    l1 = await lessonOn(g1, addDays(today, -60));
    l2 = await lessonOn(g1, addDays(today, -58), '10:00', '11:30');
    l3 = await lessonOn(g2, addDays(today, -56));
    let r = await entry(l1.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'absent', reason: 'illness' },
      { student_id: B.id, status: 'present' }] });
    assert.equal(r.status, 200, r.text);
    r = await entry(l2.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'absent' }, { student_id: B.id, status: 'late' }] });
    assert.equal(r.status, 200, r.text);
    r = await entry(l3.id, { topic: 'T', attendance: [{ student_id: A.id, status: 'late', reason: 'family' },
      { student_id: C.id, status: 'absent' }] });
    assert.equal(r.status, 200, r.text);
  });
  const range = () => `from=${addDays(today, -70)}&to=${addDays(today, -50)}`;

  test('§14 the student\'s attendance with a summary by reason, for the student, their guardians, the superuser and the director', async () => {
    for (const u of [admin, director, parent, studentUser]) {
      const r = await get(`/students/${A.id}/attendance?${range()}`, u.token);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.student_id, A.id);
      assert.deepEqual(r.body.items.map((x) => x.lesson_id), [l1.id, l2.id, l3.id]);
      const s = r.body.summary;
      assert.equal(s.lessons, 3);
      assert.equal(s.absent, 2);
      assert.equal(s.late, 1);
      assert.equal(s.present, 0);
      assert.equal(s.absent_hours, 4); // 90 + 90 minutes = 4 academic hours
      const by = Object.fromEntries(s.by_reason.map((x) => [x.reason_code, x]));
      assert.deepEqual([by.illness.absent, by.illness.late], [1, 0]);
      assert.deepEqual([by.family.absent, by.family.late], [0, 1]);
      assert.deepEqual([by.null.absent, by.null.late], [1, 0]);
      assert.equal(by.unexcused.absent, 0);
    }
    const narrow = await get(`/students/${A.id}/attendance?from=${l2.date}&to=${l2.date}`);
    assert.deepEqual(narrow.body.items.map((x) => x.lesson_id), [l2.id]);
    assert.equal(narrow.body.from, l2.date);
  });

  test('§20 a teacher sees the lessons of the groups they teach only', async () => {
    let r = await get(`/students/${A.id}/attendance?${range()}`, teacher.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items.map((x) => x.lesson_id), [l1.id, l2.id]);
    assert.equal(r.body.summary.lessons, 2);
    r = await get(`/students/${A.id}/attendance?${range()}`, teacher2.token);
    assert.deepEqual(r.body.items.map((x) => x.lesson_id), [l3.id]);
    // A student in none of the teacher's groups.
    const stranger = await post(stack, admin.token, '/students', { full_name: 'Svešs' });
    assertProblem(await get(`/students/${stranger.id}/attendance`, teacher.token), 404, 'not_found');
  });

  test('§20 another family, staff and strangers get nothing: 404 or 403', async () => {
    assertProblem(await get(`/students/${A.id}/attendance`, otherParent.token), 404, 'not_found');
    assertProblem(await get(`/students/${C.id}/attendance`, parent.token), 404, 'not_found');
    assertProblem(await get(`/students/${C.id}/attendance`, studentUser.token), 404, 'not_found');
    assertProblem(await get(`/students/${A.id}/attendance`, staff.token), 403, 'forbidden');
    assertProblem(await get('/students/999999/attendance'), 404, 'not_found');
    assertProblem(await get(`/students/${A.id}/attendance?from=2026-13-01`), 400, 'invalid_query');
    assertProblem(await get(`/students/${A.id}/attendance?from=2026-11-02&to=2026-11-01`), 400, 'invalid_query');
  });

  test('§20 GET /lessons/{id}/entry shows a guardian only their child\'s row, staff no attendance', async () => {
    let r = await get(`/lessons/${l3.id}/entry`, parent.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.attendance.map((a) => a.student_id), [A.id]);
    assert.equal(r.body.attendance[0].reason, 'family');
    assert.equal(r.body.extension, null);
    r = await get(`/lessons/${l3.id}/entry`, otherParent.token);
    assert.deepEqual(r.body.attendance.map((a) => a.student_id), [C.id]);
    r = await get(`/lessons/${l3.id}/entry`, studentUser.token);
    assert.deepEqual(r.body.attendance.map((a) => a.student_id), [A.id]);
    r = await get(`/lessons/${l3.id}/entry`, staff.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.attendance, []);
    r = await get(`/lessons/${l3.id}/entry`, teacher2.token);
    assert.equal(r.body.attendance.length, 2);
    assert.equal(r.headers.get('etag'), `"v${r.body.version}"`);
    assertProblem(await get(`/lessons/${l3.id}/entry`, teacher.token), 404, 'not_found');
  });

  test('§20 GET /lessons/{id} and GET /lessons show a guardian only their child\'s attendance, staff none', async () => {
    let r = await get(`/lessons/${l3.id}`, parent.token);
    assert.deepEqual(r.body.attendance.map((a) => a.student_id), [A.id]);
    r = await get(`/lessons/${l3.id}`, staff.token);
    assert.deepEqual(r.body.attendance, []);
    r = await get(`/lessons?group_id=${g2.id}`, parent.token);
    assert.deepEqual(r.body.items.find((x) => x.id === l3.id).attendance.map((a) => a.student_id), [A.id]);
  });
});

describe('fixes from the review of this session', () => {
  test('§15 the substitute learns from GET /lessons/{id}/entry whom to record; others do not get the list', async () => {
    const g = await makeGroup([teacher.id]);
    const l = await recentLesson(g, '06:00', '07:00');
    let r = await put(`/lessons/${l.id}/substitute`, { teacher_id: sub.id });
    assert.equal(r.status, 200, r.text);
    r = await get(`/lessons/${l.id}/entry`, sub.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.enrolled.map((e) => e.student_id).sort(), [A.id, B.id, C.id].sort());
    // With that list the substitute records the lesson in one go.
    const rec = await entry(l.id, { topic: 'Aizvietošana', attendance: r.body.enrolled.map((e) => ({ student_id: e.student_id, status: 'present' })) }, sub.token);
    assert.equal(rec.status, 200, rec.text);
    assert.equal(rec.body.conducted_by, sub.id);
    // The group's own teacher (not conducting while a substitute is assigned), a guardian and staff: no list.
    for (const u of [teacher, parent, staff]) {
      const v = await get(`/lessons/${l.id}/entry`, u.token);
      assert.equal(v.status, 200, v.text);
      assert.equal(v.body.enrolled, undefined, u.username);
    }
    assert.equal((await get(`/lessons/${l.id}/entry`)).body.enrolled.length, 3);
  });

  test('§14 a teacher cannot drop a reason by marking the student present (409 reason_set)', async () => {
    const g = await makeGroup([teacher.id]);
    const l = await recentLesson(g, '12:00', '13:00');
    let r = await entry(l.id, { topic: 'T', attendance: [
      { student_id: A.id, status: 'absent' }, { student_id: B.id, status: 'present' }, { student_id: C.id, status: 'present' }] },
    teacher.token);
    assert.equal(r.status, 200, r.text);
    r = await put(`/lessons/${l.id}/attendance/${A.id}/reason`, { reason_code: 'illness', note: 'ārsta zīme' });
    assert.equal(r.status, 200, r.text);
    r = await entry(l.id, { topic: 'T', attendance: everyone([A, B, C]) }, teacher.token);
    assertProblem(r, 409, 'reason_set');
    assert.deepEqual(r.body.student_ids, [A.id]);
    const shown = await get(`/lessons/${l.id}`);
    const row = shown.body.attendance.find((a) => a.student_id === A.id);
    assert.equal(row.status, 'absent');
    assert.equal(row.reason, 'illness');
    // The superuser may.
    r = await entry(l.id, { topic: 'T', attendance: everyone([A, B, C]) });
    assert.equal(r.status, 200, r.text);
  });

  test('§20 a teacher who is also a guardian does not see the extension reason of a colleague\'s lesson', async () => {
    const teacherParent = await makeUser(stack, admin, { roles: ['teacher', 'guardian'] });
    await linkGuardian(B.id, teacherParent);
    const g = await makeGroup([teacher.id]);
    const l = await pastLesson(g, '08:00', '09:00');
    const r = await call(stack, 'POST', `/lessons/${l.id}/extension`, { token: admin.token,
      body: { until: addDays(today, 2), reason: 'Kolēģe slimoja (privāti)' } });
    assert.equal(r.status, 200, r.text);
    const seen = await get(`/lessons/${l.id}`, teacherParent.token);
    assert.equal(seen.status, 200, seen.text);
    assert.equal(seen.body.extension, null);
    assert.deepEqual(seen.body.attendance.map((a) => a.student_id).filter((id) => id !== B.id), []);
    const own = await get(`/lessons/${l.id}`, teacher.token);
    assert.equal(own.body.extension.reason, 'Kolēģe slimoja (privāti)');
  });
});

describe('issue 13 lessons rendered by the server from plain SQL', () => {
  // The lesson's fields in reading order: the same on every route (enrolled is added by GET .../entry).
  const ORDER = ['id', 'date', 'starts_at', 'ends_at', 'hours', 'state', 'group_id', 'group_name', 'program_id',
    'program_name', 'teacher_id', 'teacher_ids', 'substitute_teacher_id', 'room', 'topic', 'conducted_by',
    'recorded_at', 'late', 'deadline', 'extension', 'cancelled_at', 'cancel_reason', 'slot_id', 'attendance',
    'version', 'created_at', 'updated_at'];
  let g, l;
  before(async () => {
    g = await makeGroup([teacher.id]);
    l = await recentLesson(g, '05:00', '05:45');
  });

  test('issue 13 a lesson has one field order on every route, id first, then what and when', async () => {
    const bodies = { 'POST /lessons': l };
    let r = await entry(l.id, { topic: 'Secība', attendance: everyone([A, B, C]) }, teacher.token);
    assert.equal(r.status, 200, r.text);
    bodies['PUT .../entry'] = r.body;
    bodies['GET /lessons/{id}'] = (await get(`/lessons/${l.id}`)).body;
    r = await get(`/lessons?group_id=${g.id}`);
    assert.equal(r.status, 200, r.text);
    bodies['GET /lessons'] = r.body.items.find((x) => x.id === l.id);
    const entryView = (await get(`/lessons/${l.id}/entry`)).body;
    assert.deepEqual(Object.keys(entryView), [...ORDER, 'enrolled']);
    const other = await futureLesson(g, '05:00', '05:45');
    r = await call(stack, 'POST', `/lessons/${other.id}/cancel`, { token: admin.token, body: { reason: 'Secība' } });
    assert.equal(r.status, 200, r.text);
    bodies['POST .../cancel'] = r.body;
    for (const [route, body] of Object.entries(bodies)) assert.deepEqual(Object.keys(body), ORDER, route);
    assert.deepEqual(Object.keys(bodies['GET /lessons/{id}'].attendance[0]),
      ['student_id', 'student_name', 'status', 'reason', 'reason_note', 'reason_report_id']);
    // 45 minutes are one academic hour: an integer, as before
    assert.equal(bodies['GET /lessons/{id}'].hours, 1);
  });

  test('issue 13 §20 one rule for who sees which attendance rows: one lesson, the list, the entry', async () => {
    const ids = (body) => body.attendance.map((a) => a.student_id).sort((x, y) => x - y);
    const all = [A.id, B.id, C.id].sort((x, y) => x - y);
    const cases = [[admin, all], [teacher, all], [director, all], [parent, [A.id]], [otherParent, [C.id]],
      [studentUser, [A.id]], [staff, []]];
    for (const [u, want] of cases) {
      const one = await get(`/lessons/${l.id}`, u.token);
      assert.equal(one.status, 200, `${u.username}: ${one.text}`);
      const list = await get(`/lessons?group_id=${g.id}&from=${l.date}&to=${l.date}`, u.token);
      assert.equal(list.status, 200, `${u.username}: ${list.text}`);
      const inList = list.body.items.find((x) => x.id === l.id);
      const ent = await get(`/lessons/${l.id}/entry`, u.token);
      assert.equal(ent.status, 200, `${u.username}: ${ent.text}`);
      for (const body of [one.body, inList, ent.body]) assert.deepEqual(ids(body), want, u.username);
    }
    // a teacher who does not teach the group does not see its lesson at all
    assert.equal((await get(`/lessons/${l.id}`, teacher2.token)).status, 404);
  });

  test('issue 13 §20 an employee\'s read of lessons is recorded by the read itself; a guardian\'s and a 404 are not', async () => {
    const [[mark]] = await stack.psql('SELECT coalesce(max(id), 0) FROM audit_log');
    const reads = async () => stack.query(`SELECT actor_id, entity, entity_id, after FROM audit_log
      WHERE id > ${mark} AND action = 'read' ORDER BY id`);
    assert.equal((await get(`/lessons/${l.id}`)).status, 200);
    assert.equal((await get(`/lessons?group_id=${g.id}&from=2040-01-01&to=2040-01-02`, director.token)).status, 200);
    assert.equal((await get(`/lessons/${l.id}/entry`, teacher.token)).status, 200);
    assert.equal((await get('/lessons/999999999')).status, 404);
    assert.equal((await get(`/lessons/${l.id}`, parent.token)).status, 200);
    assert.deepEqual((await reads()).map((x) => [x.actor_id, x.entity, x.entity_id]), [
      [admin.id, 'getLesson', String(l.id)],
      [director.id, 'listLessons', null],
      [teacher.id, 'getLessonEntry', String(l.id)],
    ]);
    const [one, list] = await reads();
    assert.equal(one.after.path, `/api/v1/lessons/${l.id}`);
    assert.equal(list.after.query, `group_id=${g.id}&from=2040-01-01&to=2040-01-02`);
  });

  test('issue 13 an entry sent again rewrites only the attendance rows that change, and is audited', async () => {
    const body = { topic: 'Atkārtoti', attendance: everyone([A, B, C]) };
    let r = await entry(l.id, body);
    assert.equal(r.status, 200, r.text);
    const rows = async () => Object.fromEntries((await stack.psql(
      `SELECT student_id, xmin FROM lesson_attendance WHERE lesson_id = ${l.id}`)).map(([s, x]) => [s, x]));
    const first = await rows();
    const v = r.body.version;
    const audits = (await auditOf(l.id)).length;
    r = await entry(l.id, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.version, v + 1, 'the lesson itself is written');
    assert.deepEqual(await rows(), first, 'no attendance row rewritten');
    assert.equal((await auditOf(l.id)).length, audits + 1);
    r = await entry(l.id, { ...body, attendance: [{ student_id: A.id, status: 'present' },
      { student_id: B.id, status: 'absent' }, { student_id: C.id, status: 'present' }] });
    assert.equal(r.status, 200, r.text);
    const after = await rows();
    assert.notEqual(after[String(B.id)], first[String(B.id)], 'the changed row is written');
    assert.equal(after[String(A.id)], first[String(A.id)]);
    assert.equal(after[String(C.id)], first[String(C.id)]);
    assert.equal(r.body.attendance.find((a) => a.student_id === B.id).status, 'absent');
  });
});
