// Integration (issue 11): external ids on users, students, programmes and groups; the bulk import
// by external id (the same file twice creates nothing the second time, a dry run nothing at all);
// the hours report (§15) and the group journal as JSON, CSV and a printable page; the integration
// role's least privilege and its audited reads (§20). SPEC.md "Integration", "Reports and exports".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem } from './lib/assert.mjs';
import { adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';
import { addDays, rigaDay } from './lib/riga.mjs';
import { call, randomHex, startStack } from './lib/stack.mjs';

let stack, admin, teacher, sub, other, staff, director, sync, inst;
const today = rigaDay(0);

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  teacher = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Ilze Kalna' });
  sub = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Aivars Aizvietotājs' });
  other = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Cits Skolotājs' });
  staff = await makeUser(stack, admin, { roles: ['staff'] });
  director = await makeUser(stack, admin, { roles: ['director'] });
  sync = await makeUser(stack, admin, { roles: ['integration'] });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna Ābele', 'Bruno Bērziņš'],
    starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
});
after(async () => stack && stack.stop());

const get = (path, token = admin.token, headers = {}) => call(stack, 'GET', path, { token, headers });
const tag = () => randomHex(4);

// A lesson of group g on a past date (no public holiday), recorded by the superuser.
async function recordedLesson(g, daysBack, { topic = 'Tēma', starts_at = '15:00', ends_at = '16:30', substitute,
  attendance } = {}) {
  let lesson;
  for (let i = 0; i < 7 && !lesson; i++) {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: g.id, date: addDays(today, -daysBack - i), starts_at, ends_at } });
    if (r.status === 201) lesson = r.body;
    else assert.ok(r.status === 422 && r.body.code === 'public_holiday', r.text);
  }
  if (substitute) {
    const s = await call(stack, 'PUT', `/lessons/${lesson.id}/substitute`, { token: admin.token, body: { teacher_id: substitute.id } });
    assert.equal(s.status, 200, s.text);
  }
  const e = await call(stack, 'PUT', `/lessons/${lesson.id}/entry`, { token: admin.token,
    body: { topic, attendance: attendance || inst.students.map((s) => ({ student_id: s.id, status: 'present' })) } });
  assert.equal(e.status, 200, e.text);
  return e.body;
}

describe('issue 11 external ids', () => {
  test('issue 11 external_id is set by the superuser, shown, filterable; a duplicate is 409 external_id_taken', async () => {
    const x = `EK-${tag()}`;
    const s = await post(stack, admin.token, '/students', { full_name: 'Ext Kid', birth_date: '2014-01-01', external_id: x });
    assert.equal(s.external_id, x);
    assert.equal((await get(`/students/${s.id}`)).body.external_id, x);
    const list = await get(`/students?external_id=${encodeURIComponent(x)}`);
    assert.deepEqual(list.body.items.map((i) => i.id), [s.id]);
    assertProblem(await call(stack, 'POST', '/students', { token: admin.token,
      body: { full_name: 'Other', external_id: x } }), 409, 'external_id_taken');
    // the same value on another entity type is no conflict: unique per type
    const p = await post(stack, admin.token, '/programs', { code: `C${tag()}`, name: 'Ext', external_id: x });
    assert.equal(p.external_id, x);
    assert.deepEqual((await get(`/programs?external_id=${encodeURIComponent(x)}`)).body.items.map((i) => i.id), [p.id]);
    const g = await post(stack, admin.token, '/groups', { program_id: p.id, school_year_id: inst.year.id, name: `G ${tag()}`,
      external_id: x });
    assert.equal(g.external_id, x);
    assert.deepEqual((await get(`/groups?external_id=${encodeURIComponent(x)}`)).body.items.map((i) => i.id), [g.id]);
    const u = await call(stack, 'POST', '/users', { token: admin.token,
      body: { username: `ext${tag()}`, full_name: 'Ext User', roles: ['guardian'], external_id: x } });
    assert.equal(u.status, 201, u.text);
    assert.equal(u.body.external_id, x);
    assert.deepEqual((await get(`/users?external_id=${encodeURIComponent(x)}`)).body.items.map((i) => i.id), [u.body.id]);
    assertProblem(await call(stack, 'POST', '/users', { token: admin.token,
      body: { username: `ext${tag()}`, full_name: 'Ext User 2', roles: ['guardian'], external_id: x } }), 409, 'external_id_taken');
    // PATCH onto a taken one is 409 too and changes nothing; clearing it with null works
    const s2 = await post(stack, admin.token, '/students', { full_name: 'Second', external_id: `EK-${tag()}` });
    assertProblem(await call(stack, 'PATCH', `/students/${s2.id}`, { token: admin.token, body: { external_id: x } }),
      409, 'external_id_taken');
    const cleared = await call(stack, 'PATCH', `/students/${s2.id}`, { token: admin.token, body: { external_id: null } });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.external_id, null);
    // 1-64 characters, no control characters, no space at either end
    for (const bad of ['', ' lead', 'a\u0007b', 'x'.repeat(65)]) {
      const r = await call(stack, 'POST', '/students', { token: admin.token, body: { full_name: 'Bad', external_id: bad } });
      assert.ok(r.status === 422 || r.status === 400, `${JSON.stringify(bad)}: ${r.status} ${r.text}`);
    }
    // only the superuser sets it
    assertProblem(await call(stack, 'PATCH', `/students/${s.id}`, { token: teacher.token, body: { external_id: 'mine' } }),
      403, 'forbidden');
  });
});

describe('issue 11 bulk import by external id', () => {
  test('issue 11 the same external-id import twice: the second run creates nothing and says what it matched and left', async () => {
    const t = tag();
    const g = await post(stack, admin.token, '/groups', { program_id: inst.program.id, school_year_id: inst.year.id,
      name: `Imp ${t}`, external_id: `GRP-${t}`, teacher_ids: [teacher.id] });
    const parent = await call(stack, 'POST', '/users', { token: admin.token,
      body: { username: `par${t}`, full_name: 'Parent Ext', roles: ['guardian'], external_id: `PAR-${t}` } });
    assert.equal(parent.status, 201, parent.text);
    const rows = [
      { student: { full_name: 'Imp One', external_id: `STU1-${t}` }, group_external_id: `GRP-${t}`,
        guardian_external_ids: [`PAR-${t}`], starts_on: inst.year.starts_on },
      { student: { full_name: 'Imp Two', birth_date: '2015-05-05', external_id: `STU2-${t}` }, group_external_id: `GRP-${t}`,
        starts_on: inst.year.starts_on },
    ];
    const count = () => stack.query(`SELECT (SELECT count(*) FROM students) AS s, (SELECT count(*) FROM enrollments) AS e,
      (SELECT count(*) FROM student_guardians) AS l`);
    const first = await call(stack, 'POST', '/imports/enrollments', { token: admin.token, body: { rows } });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.students_created, 2);
    assert.equal(first.body.enrollments.length, 2);
    assert.equal(first.body.guardian_links_created, 1);
    assert.deepEqual(first.body.rows.map((r) => [r.row, r.student, r.enrollment]), [[0, 'created', 'created'], [1, 'created', 'created']]);
    const after1 = await count();
    const second = await call(stack, 'POST', '/imports/enrollments', { token: admin.token, body: { rows } });
    assert.equal(second.status, 201, second.text);
    assert.equal(second.body.students_created, 0);
    assert.deepEqual(second.body.enrollments, []);
    assert.equal(second.body.guardian_links_created, 0);
    assert.equal(second.body.enrollments_left, 2);
    assert.deepEqual(second.body.rows.map((r) => [r.row, r.student, r.enrollment]), [[0, 'matched', 'left'], [1, 'matched', 'left']]);
    assert.deepEqual(second.body.rows.map((r) => r.enrollment_id), first.body.rows.map((r) => r.enrollment_id));
    assert.deepEqual(await count(), after1);
    const s1 = await get(`/students?external_id=STU1-${t}`);
    assert.equal(s1.body.items[0].full_name, 'Imp One');
    // a row naming an existing student by student_external_id
    const third = await call(stack, 'POST', '/imports/enrollments', { token: admin.token, body: { rows: [
      { student_external_id: `STU1-${t}`, group_id: inst.group.id, starts_on: inst.year.starts_on }] } });
    assert.equal(third.status, 201, third.text);
    assert.equal(third.body.rows[0].student, 'given');
    assert.equal(third.body.rows[0].student_id, s1.body.items[0].id);
  });

  test('issue 11 unknown external ids are named per row and nothing is created', async () => {
    const before = await stack.query('SELECT (SELECT count(*) FROM students) AS s, (SELECT count(*) FROM enrollments) AS e');
    const r = await call(stack, 'POST', '/imports/enrollments', { token: admin.token, body: { rows: [
      { student: { full_name: 'Fine', external_id: `NEW-${tag()}` }, group_id: inst.group.id, starts_on: inst.year.starts_on },
      { student_external_id: 'NOBODY', group_id: inst.group.id, starts_on: inst.year.starts_on },
      { student: { full_name: 'No group', external_id: `NEW-${tag()}` }, group_external_id: 'NO-GROUP', starts_on: inst.year.starts_on },
      { student: { full_name: 'No parent', external_id: `NEW-${tag()}` }, group_id: inst.group.id,
        guardian_external_ids: ['NO-PARENT'], starts_on: inst.year.starts_on },
    ] } });
    assertProblem(r, 422, 'import_invalid');
    assert.deepEqual(r.body.errors.map((e) => [e.row, e.field]),
      [[1, 'student_external_id'], [2, 'group_external_id'], [3, 'guardian_external_ids']]);
    // rows of the wrong shape are named before anything is looked up
    const shape = await call(stack, 'POST', '/imports/enrollments', { token: admin.token, body: { rows: [
      { student: { full_name: 'No date' }, group_id: inst.group.id, starts_on: inst.year.starts_on },
      { student_id: 1, group_id: inst.group.id, group_external_id: 'X', starts_on: inst.year.starts_on },
      { student_id: 1, student_external_id: 'X', group_id: inst.group.id, starts_on: inst.year.starts_on },
    ] } });
    assertProblem(shape, 422, 'import_invalid');
    assert.deepEqual(shape.body.errors.map((e) => [e.row, e.field]), [[0, 'student'], [1, 'group_id'], [2, 'student']]);
    assert.deepEqual(await stack.query('SELECT (SELECT count(*) FROM students) AS s, (SELECT count(*) FROM enrollments) AS e'), before);
  });

  test('issue 11 a dry run reports what would change and changes nothing', async () => {
    const t = tag();
    const before = await stack.query(`SELECT (SELECT count(*) FROM students) AS s, (SELECT count(*) FROM enrollments) AS e,
      (SELECT count(*) FROM audit_log WHERE action <> 'read') AS a`);
    const rows = [{ student: { full_name: 'Dry Kid', external_id: `DRY-${t}` }, group_id: inst.group.id, starts_on: inst.year.starts_on }];
    const r = await call(stack, 'POST', '/imports/enrollments?dry_run=true', { token: admin.token, body: { rows },
      headers: { 'idempotency-key': `dry-${t}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.dry_run, true);
    assert.equal(r.body.students_created, 1);
    assert.deepEqual(r.body.rows.map((x) => [x.student, x.enrollment]), [['created', 'created']]);
    const after = await stack.query(`SELECT (SELECT count(*) FROM students) AS s, (SELECT count(*) FROM enrollments) AS e,
      (SELECT count(*) FROM audit_log WHERE action <> 'read') AS a`);
    assert.deepEqual(after, before);
    // the dry run left no idempotency record behind: the real run with the same key really runs
    const real = await call(stack, 'POST', '/imports/enrollments', { token: admin.token, body: { rows },
      headers: { 'idempotency-key': `dry-${t}-real` } });
    assert.equal(real.status, 201, real.text);
    assert.equal(real.body.dry_run, false);
    assert.equal(real.body.students_created, 1);
  });
});

describe('issue 11 GET /reports/hours', () => {
  test('issue 11 §15 the hours report counts a substitute\'s lesson for the substitute; a teacher sees only their own', async () => {
    const g = await post(stack, admin.token, '/groups', { program_id: inst.program.id, school_year_id: inst.year.id,
      name: `Hours ${tag()}`, teacher_ids: [teacher.id], external_id: `H-${tag()}` });
    for (const s of inst.students) {
      await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: s.id, starts_on: inst.year.starts_on });
    }
    await recordedLesson(g, 20, { starts_at: '15:00', ends_at: '16:30' });               // 2 academic hours, the teacher
    await recordedLesson(g, 30, { starts_at: '15:00', ends_at: '15:45' });               // 1 hour, the teacher
    await recordedLesson(g, 40, { starts_at: '10:00', ends_at: '11:30', substitute: sub }); // 2 hours, the substitute
    const from = addDays(today, -60), to = today;
    const r = await get(`/reports/hours?from=${from}&to=${to}`);
    assert.equal(r.status, 200, r.text);
    const row = (id) => r.body.teachers.find((t) => t.teacher_id === id)?.groups.find((x) => x.group_id === g.id);
    assert.deepEqual(row(teacher.id) && [row(teacher.id).lessons, row(teacher.id).hours, row(teacher.id).substitute_lessons],
      [2, 3, 0]);
    assert.deepEqual(row(sub.id) && [row(sub.id).lessons, row(sub.id).hours, row(sub.id).substitute_lessons,
      row(sub.id).substitute_hours], [1, 2, 1, 2]);
    // the teacher sees their own row only, and may not ask for another's
    const own = await get(`/reports/hours?from=${from}&to=${to}`, teacher.token);
    assert.equal(own.status, 200, own.text);
    assert.deepEqual(own.body.teachers.map((t) => t.teacher_id), [teacher.id]);
    assertProblem(await get(`/reports/hours?from=${from}&to=${to}&teacher_id=${sub.id}`, teacher.token), 403, 'forbidden');
    const subOwn = await get(`/reports/hours?from=${from}&to=${to}`, sub.token);
    assert.deepEqual(subOwn.body.teachers.map((t) => t.teacher_id), [sub.id]);
    assert.deepEqual((await get(`/reports/hours?from=${from}&to=${to}`, other.token)).body.teachers, []);
    // the director and the integration account read everyone's; staff do not
    assert.equal((await get(`/reports/hours?from=${from}&to=${to}&teacher_id=${sub.id}`, director.token)).body.teachers.length, 1);
    assert.equal((await get(`/reports/hours?from=${from}&to=${to}`, sync.token)).status, 200);
    assertProblem(await get(`/reports/hours?from=${from}&to=${to}`, staff.token), 403, 'forbidden');
    // CSV: a header row, one row per teacher and group
    const csv = await get(`/reports/hours?from=${from}&to=${to}&teacher_id=${sub.id}`, admin.token, { accept: 'text/csv' });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    const lines = csv.text.split('\r\n');
    assert.equal(lines[0], 'teacher_id,teacher_name,teacher_external_id,group_id,group_name,group_external_id,program_name,lessons,hours,substitute_lessons,substitute_hours');
    assert.ok(lines.some((l) => l.startsWith(`${sub.id},Aivars Aizvietotājs,,${g.id},`) && l.endsWith(',1,2,1,2')), csv.text);
    // a range is required and bounded
    assertProblem(await get('/reports/hours?from=2026-01-01'), 400, 'invalid_query');
    assertProblem(await get(`/reports/hours?from=${to}&to=${from}`), 400, 'invalid_query');
    assertProblem(await get('/reports/hours?from=2020-01-01&to=2026-01-01'), 400, 'invalid_query');
  });
});

describe('issue 11 GET /groups/{id}/journal', () => {
  let g, hostile, formula;
  before(async () => {
    g = await post(stack, admin.token, '/groups', { program_id: inst.program.id, school_year_id: inst.year.id,
      name: `Žurnāls <b>${tag()}</b>`, teacher_ids: [teacher.id] });
    for (const s of inst.students) {
      await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: s.id, starts_on: inst.year.starts_on });
    }
    const [a, b] = inst.students;
    formula = await recordedLesson(g, 10, { topic: '=HYPERLINK("http://evil.example","click")',
      attendance: [{ student_id: a.id, status: 'present' }, { student_id: b.id, status: 'absent' }] });
    hostile = await recordedLesson(g, 20, { topic: '<script>alert(1)</script><img src=x onerror=alert(2)> & "q"' });
  });

  test('issue 11 the journal as JSON: lessons in date order, each student\'s attendance', async () => {
    const r = await get(`/groups/${g.id}/journal?from=${addDays(today, -60)}&to=${today}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.group.id, g.id);
    assert.deepEqual(r.body.lessons.map((l) => l.id), [hostile.id, formula.id]);
    assert.equal(r.body.lessons[0].teacher_id, teacher.id);
    assert.equal(r.body.attendance_included, true);
    const bruno = r.body.students.find((s) => s.id === inst.students[1].id);
    assert.deepEqual(bruno.attendance.find((a) => a.lesson_id === formula.id).status, 'absent');
    // without a range: the whole school year
    const all = await get(`/groups/${g.id}/journal`);
    assert.equal(all.body.from, inst.year.starts_on);
    assert.equal(all.body.to, inst.year.ends_on);
  });

  test('issue 11 the CSV journal neutralises a topic that starts with =', async () => {
    const r = await get(`/groups/${g.id}/journal`, admin.token, { accept: 'text/csv' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    const lines = r.text.split('\r\n');
    assert.match(lines[0], /^lesson_id,date,starts_at,ends_at,hours,state,topic,teacher,/);
    const row = lines.find((l) => l.startsWith(`${formula.id},`) && l.includes(`,${inst.students[1].full_name},`));
    assert.ok(row, r.text);
    assert.ok(row.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`), row);
    assert.ok(row.endsWith(',absent,'), row);
    assert.ok(!/(^|,)=/.test(r.text.replace(/"[^"]*"/g, '')), 'no cell starts with =');
    // one row per student and lesson, plus the header and the final line end
    assert.equal(lines.length, 1 + 2 * 2 + 1);
  });

  test('issue 11 the printable journal escapes a hostile topic and allows nothing to run or load', async () => {
    const r = await get(`/groups/${g.id}/journal`, admin.token, { accept: 'text/html' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|script-src/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(r.text.startsWith('<!DOCTYPE html>'));
    assert.doesNotMatch(r.text, /<script|<img|onerror=alert\(2\)>/i);
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &quot;q&quot;'));
    assert.ok(r.text.includes('Žurnāls &lt;b&gt;'));
    assert.doesNotMatch(r.text, /(src|href)=["']?(https?:)?\/\//i);
  });

  test('issue 11 §8 §20 who reads the journal: staff without absences, a family not at all, others\' teachers 404', async () => {
    const s = await get(`/groups/${g.id}/journal`, staff.token);
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.attendance_included, false);
    assert.ok(s.body.students.every((x) => !('attendance' in x)));
    const csv = await get(`/groups/${g.id}/journal`, staff.token, { accept: 'text/csv' });
    assert.ok(!csv.text.includes('absent'), csv.text);
    assertProblem(await get(`/groups/${g.id}/journal`, other.token), 404, 'not_found');
    const t = await get(`/groups/${g.id}/journal`, teacher.token);
    assert.equal(t.body.attendance_included, true);
    // a guardian of a child in this group (so with access) still gets no group's journal
    const guardian = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
    const link = await call(stack, 'PUT', `/students/${inst.students[0].id}/guardians/${guardian.id}`, { token: admin.token });
    assert.equal(link.status, 200, link.text);
    const first = await call(stack, 'POST', '/auth/login', { body: { username: guardian.username, password: guardian.initial } });
    assert.equal(first.status, 200, first.text);
    const ch = await call(stack, 'POST', '/auth/password', { token: first.body.access_token,
      body: { current_password: guardian.initial, new_password: `pw-${guardian.username}-12345` } });
    assert.equal(ch.status, 200, ch.text);
    guardian.token = ch.body.access_token;
    assertProblem(await get(`/groups/${g.id}/journal`, guardian.token), 403, 'forbidden');
  });
});

describe('issue 11 the integration role: least privilege, audited reads', () => {
  test('issue 11 §20 the integration account reads the exports, audited, and nothing behind people\'s own views', async () => {
    const r = await get(`/groups/${inst.group.id}/journal`, sync.token, { accept: 'text/csv' });
    assert.equal(r.status, 200, r.text);
    const audits = await stack.query(`SELECT action, entity FROM audit_log WHERE actor_id = ${sync.id} AND action = 'read'`);
    assert.ok(audits.some((a) => a.entity === 'getGroupJournal'), JSON.stringify(audits));
    for (const path of ['/students', `/students/${inst.students[0].id}`, '/lessons', '/users', `/groups/${inst.group.id}`,
      `/groups/${inst.group.id}/enrollments`, '/absence-reports']) {
      assertProblem(await get(path, sync.token), 403, 'forbidden');
    }
    for (const [method, path, body] of [
      ['POST', '/imports/enrollments', { rows: [] }],
      ['POST', '/students', { full_name: 'X' }],
      ['PATCH', `/groups/${inst.group.id}`, { external_id: 'X' }],
    ]) {
      assertProblem(await call(stack, method, path, { token: sync.token, body }), 403, 'forbidden');
    }
  });
});
