// The contract between the server and openapi.yaml (issue 9), and three small findings of the
// review: cursors that leak nothing (#9), audited reads of accounts (#10, §20), names that must
// show (names). Every response these tests (and all the others) receive is also validated against
// openapi.yaml by tests/openapi/validate-responses.mjs after the API tests (scripts/test.sh);
// the first test here proves that validator fails on drift.
//
// Run alone with: EJ_BIN=build/ejournal node --test tests/api/contract.test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { activate, adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';
import { call, login, randomHex, repoRoot, startStack } from './lib/stack.mjs';

const execFileP = promisify(execFile);

let stack, admin;
before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});
after(async () => stack && stack.stop());

const get = (p, token = admin.token) => call(stack, 'GET', p, { token });
const rigaToday = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Riga' });
const addDays = (iso, n) => {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const today = rigaToday();

function assertProblem(r, status, code, field) {
  assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status}: ${r.text}`);
  assert.equal(r.body.code, code, r.text);
  assert.equal(r.body.status, status, `the problem's status is the HTTP status: ${r.text}`);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  if (field) assert.ok((r.body.errors || []).some((e) => e.field === field), `errors name ${field}: ${r.text}`);
}

// A lesson of group g on the first day from `offset` days ahead that takes one (no public holiday).
async function lessonFrom(g, offset, starts_at = '15:00', ends_at = '16:00') {
  for (let i = 0; i < 20; i++) {
    const date = addDays(today, offset + i);
    const r = await call(stack, 'POST', '/lessons', { token: admin.token, body: { group_id: g.id, date, starts_at, ends_at } });
    if (r.status === 201) return r.body;
    assert.equal(r.body.code, 'public_holiday', r.text);
  }
  throw new Error('no day without a public holiday in 20 days');
}

// --- the validator itself ----------------------------------------------------------------------

describe('issue 9 responses: a response that does not match openapi.yaml fails the run', () => {
  const rec = (o) => JSON.stringify({ file: 'x', headers: { 'content-type': 'application/json', 'x-request-id': 'r1' }, ...o });
  const problem = (status, code, extra = {}) => JSON.stringify({ type: `https://ejournal.example/problems/${code}`,
    title: 'T', status, detail: 'd', code, ...extra });
  const ph = { 'content-type': 'application/problem+json', 'x-request-id': 'r1' };

  async function validate(lines) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-validate-'));
    try {
      fs.writeFileSync(path.join(dir, 'responses-1.jsonl'), `${lines.join('\n')}\n`);
      try {
        const { stdout } = await execFileP('bash', [path.join(repoRoot, 'tests/openapi/validate.sh'), dir], { maxBuffer: 8 << 20 });
        return { code: 0, out: stdout };
      } catch (e) {
        return { code: e.code, out: `${e.stdout}${e.stderr}` };
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('issue 9 responses: matching responses pass; each kind of drift is reported and exits 1', async () => {
    const good = [
      rec({ method: 'GET', url: '/healthz', status: 200, body: '{"status":"ok"}' }),
      rec({ method: 'GET', url: '/api/v1/users/7', status: 404, headers: ph, body: problem(404, 'not_found') }),
      rec({ method: 'GET', url: '/api/v1/nope', status: 404, headers: ph, body: problem(404, 'not_found') }),
      rec({ method: 'POST', url: '/api/v1/absence-reports/1/apply', status: 409, headers: ph,
        body: problem(409, 'report_not_pending', { report_status: 'applied' }) }),
    ];
    const ok = await validate(good);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /validate-responses: 4 checked, 0 mismatches/);

    const bad = await validate([...good,
      // the report's state written over the problem's status (issue 9)
      rec({ method: 'POST', url: '/api/v1/absence-reports/1/reject', status: 409, headers: ph,
        body: problem(409, 'report_not_pending', { status: 'applied' }) }),
      // a field the schema does not describe
      rec({ method: 'POST', url: '/api/v1/lessons', status: 409, headers: ph, body: problem(409, 'lesson_exists', { lesson_idx: 1 }) }),
      // a status the operation does not document
      rec({ method: 'GET', url: '/healthz', status: 418, body: '{}' }),
      // no X-Request-Id
      rec({ method: 'GET', url: '/readyz', status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ready"}' }),
      // a wrong Content-Type, a missing ETag, an enum value that is not one
      rec({ method: 'GET', url: '/api/v1/me', status: 200, headers: { 'content-type': 'text/plain', 'x-request-id': 'r' }, body: 'hi' }),
      rec({ method: 'GET', url: '/api/v1/school-years/1', status: 200,
        body: JSON.stringify({ id: 1, name: 'x', starts_on: '2026-09-01', ends_on: '2027-05-31', closed_at: null, version: 1, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }) }),
      // a code the response's description does not name (an integration account on a lesson route)
      rec({ method: 'GET', url: '/api/v1/calendar/holidays', status: 403, headers: ph, body: problem(403, 'forbidden') }),
      // a path the description does not have, answered 200
      rec({ method: 'GET', url: '/api/v1/%6De', status: 200, body: '{}' }),
      // a code under a status that ErrorCode's table does not list it under
      rec({ method: 'GET', url: '/api/v1/users', status: 400, headers: ph, body: problem(400, 'not_found') }),
    ]);
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /rejectAbsenceReport 409: body\/status must be integer/);
    assert.match(bad.out, /rejectAbsenceReport 409: body must have required property 'report_status'/);
    assert.match(bad.out, /createLesson 409: body\/lesson_idx is not described in the schema/);
    assert.match(bad.out, /getHealth 418: status 418 is not documented/);
    assert.match(bad.out, /getReady 200: header x-request-id missing/);
    assert.match(bad.out, /getMe 200: Content-Type text\/plain is not documented/);
    assert.match(bad.out, /getSchoolYear 200: header etag missing/);
    assert.match(bad.out, /listHolidays 403: code forbidden is not named in this response's description/);
    assert.match(bad.out, /\(no operation\) 200: no such path in the description/);
    assert.match(bad.out, /listUsers 400: code not_found is not in ErrorCode's table under 400/);
    assert.match(bad.out, /validate-responses: 13 checked, 9 mismatches/);
  });
});

// --- B: the known mismatches -------------------------------------------------------------------

describe('issue 9 contract: what the server sends is what openapi.yaml says', () => {
  let inst, teacher, parent, child;
  before(async () => {
    teacher = await makeUser(stack, admin, { roles: ['teacher'] });
    inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna', 'Bruno'],
      starts_on: addDays(today, -60), ends_on: addDays(today, 90) });
    child = inst.students[0];
    parent = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
    const r = await call(stack, 'PUT', `/students/${child.id}/guardians/${parent.id}`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    await activate(stack, parent);
  });

  test('issue 9 report_not_pending: the problem\'s status stays the HTTP status; the report\'s state is in report_status', async () => {
    const file = (from) => call(stack, 'POST', '/absence-reports', { token: parent.token,
      body: { student_id: child.id, from_date: from, to_date: from, reason_code: 'illness' } });
    let r = await file(addDays(today, -3));
    assert.equal(r.status, 201, r.text);
    const applied = r.body;
    r = await file(addDays(today, -2));
    assert.equal(r.status, 201, r.text);
    const rejected = r.body;
    assert.equal((await call(stack, 'POST', `/absence-reports/${applied.id}/apply`, { token: admin.token })).status, 200);
    assert.equal((await call(stack, 'POST', `/absence-reports/${rejected.id}/reject`, { token: admin.token, body: { note: 'no' } })).status, 200);
    for (const [report, state] of [[applied, 'applied'], [rejected, 'rejected']]) {
      for (const [verb, body] of [['apply', undefined], ['reject', { note: 'again' }]]) {
        r = await call(stack, 'POST', `/absence-reports/${report.id}/${verb}`, { token: admin.token, body });
        assertProblem(r, 409, 'report_not_pending');
        assert.equal(r.body.report_status, state, r.text);
      }
    }
  });

  test('issue 9 PATCH /groups/{id}: teacher_ids that keeps a current teacher (the whole list sent back) → 200', async () => {
    const t2 = await makeUser(stack, admin, { roles: ['teacher'], activate: false });
    const g = await post(stack, admin.token, '/groups', { program_id: inst.program.id, school_year_id: inst.year.id,
      name: `Edit ${randomHex(3)}`, teacher_ids: [teacher.id] });
    let r = await get(`/groups/${g.id}`);
    // The edit form sends back what it read, unchanged: no conflict.
    r = await call(stack, 'PATCH', `/groups/${g.id}`, { token: admin.token, headers: { 'if-match': r.headers.get('etag') },
      body: { name: r.body.name, teacher_ids: r.body.teachers.map((t) => t.id) } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.teachers.map((t) => t.id), [teacher.id]);
    // Keeping one and adding one, then keeping only the new one.
    r = await call(stack, 'PATCH', `/groups/${g.id}`, { token: admin.token, body: { teacher_ids: [teacher.id, t2.id, t2.id] } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.teachers.map((t) => t.id).sort((a, b) => a - b), [teacher.id, t2.id].sort((a, b) => a - b));
    r = await call(stack, 'PATCH', `/groups/${g.id}`, { token: admin.token, body: { teacher_ids: [t2.id] } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.teachers.map((t) => t.id), [t2.id]);
    r = await call(stack, 'PATCH', `/groups/${g.id}`, { token: admin.token, body: { teacher_ids: [] } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.teachers, []);
  });

  test('issue 9 Location: the Location of addHoliday and addWorkingDay can be read (GET), and is gone after DELETE', async () => {
    // A Saturday about two years ahead for the working day, a weekday for the day off.
    let sat = addDays(today, 700);
    while (new Date(`${sat}T12:00:00Z`).getUTCDay() !== 6) sat = addDays(sat, 1);
    const wed = addDays(sat, 4);
    let r = await call(stack, 'POST', '/calendar/working-days', { token: admin.token, body: { date: sat, note: 'Pārceltā darba diena' } });
    assert.equal(r.status, 201, r.text);
    const wl = r.headers.get('location');
    assert.equal(wl, `/api/v1/calendar/working-days/${sat}`);
    r = await call(stack, 'GET', `${stack.base}${wl}`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.body.date, r.body.note], [sat, 'Pārceltā darba diena']);
    r = await call(stack, 'POST', '/calendar/holidays', { token: admin.token, body: { date: wed, name: 'Brīvdiena', kind: 'day_off' } });
    assert.equal(r.status, 201, r.text);
    const hl = r.headers.get('location');
    assert.equal(hl, `/api/v1/calendar/holidays/${wed}`);
    r = await call(stack, 'GET', `${stack.base}${hl}`, { token: parent.token }); // any role reads the calendar
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { date: wed, name: 'Brīvdiena', source: 'custom', kind: 'day_off' });
    // A holiday set by law reads the same way; a plain day is 404.
    const year = Number(today.slice(0, 4)) + 1;
    r = await get(`/calendar/holidays/${year}-11-18`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.body.source, r.body.kind], ['law', 'holiday']);
    assertProblem(await get(`/calendar/holidays/${addDays(wed, 1)}`), 404, 'not_found');
    assertProblem(await get(`/calendar/working-days/${wed}`), 404, 'not_found');
    assertProblem(await get('/calendar/holidays/2026-02-30'), 404, 'not_found');
    assert.equal((await call(stack, 'DELETE', wl.replace('/api/v1', ''), { token: admin.token })).status, 204);
    assert.equal((await call(stack, 'DELETE', hl.replace('/api/v1', ''), { token: admin.token })).status, 204);
    assertProblem(await get(wl.replace('/api/v1', '')), 404, 'not_found');
    assertProblem(await get(hl.replace('/api/v1', '')), 404, 'not_found');
  });

  test('issue 9 access: a guardian whose child is not yet enrolled is pending (not ended); enrolled → active; withdrawn → ended', async () => {
    const s = await post(stack, admin.token, '/students', { full_name: 'Vēl Nav', birth_date: '2015-01-01' });
    const g = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
    assert.equal((await call(stack, 'PUT', `/students/${s.id}/guardians/${g.id}`, { token: admin.token })).status, 200);
    let r = await login(stack, g.username, g.initial);
    assertProblem(r, 403, 'access_revoked');
    assert.equal(r.body.access, 'pending', r.text);
    assert.equal((await get(`/users/${g.id}`)).body.access, 'pending');
    const e = await post(stack, admin.token, `/groups/${inst.group.id}/enrollments`, { student_id: s.id, starts_on: today });
    assert.equal((await get(`/users/${g.id}`)).body.access, 'active');
    assert.equal((await login(stack, g.username, g.initial)).status, 200);
    r = await call(stack, 'POST', `/enrollments/${e.id}/withdraw`, { token: admin.token,
      body: { application_date: today, effective_on: today, note: 'Pārceļas' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await get(`/users/${g.id}`)).body.access, 'ended');
    r = await login(stack, g.username, g.initial);
    assertProblem(r, 403, 'access_revoked');
    assert.equal(r.body.access, 'ended', r.text);
    // A student account without any enrollment is pending too.
    const su = await makeUser(stack, admin, { roles: ['student'], activate: false });
    assert.equal((await get(`/users/${su.id}`)).body.access, 'pending');
  });

  test('issue 9 staff read a withdrawn enrollment without its note (§8), which the schema allows', async () => {
    const staff = await makeUser(stack, admin, { roles: ['staff'] });
    const s = await post(stack, admin.token, '/students', { full_name: 'Iet Prom', birth_date: '2015-01-01' });
    const e = await post(stack, admin.token, `/groups/${inst.group.id}/enrollments`, { student_id: s.id, starts_on: addDays(today, -10) });
    assert.equal((await call(stack, 'POST', `/enrollments/${e.id}/withdraw`, { token: admin.token,
      body: { application_date: today, effective_on: today, note: 'Ģimenes iemesli' } })).status, 200);
    const mine = await get(`/enrollments/${e.id}`);
    assert.equal(mine.body.withdrawal.note, 'Ģimenes iemesli');
    const theirs = await get(`/enrollments/${e.id}`, staff.token);
    assert.equal(theirs.status, 200, theirs.text);
    assert.ok(theirs.body.withdrawal && !('note' in theirs.body.withdrawal), theirs.text);
  });

  test('issue 9 the integration account gets 403 forbidden on the lesson routes (documented there)', async () => {
    const sync = await makeUser(stack, admin, { roles: ['integration'] });
    const lesson = await lessonFrom(inst.group, 3);
    for (const p of ['/lessons', `/lessons/${lesson.id}`, `/groups/${inst.group.id}/schedule`, `/lessons/${lesson.id}/entry`]) {
      assertProblem(await get(p, sync.token), 403, 'forbidden');
    }
  });

  test('issue 9 an error carries no ETag: PATCH /users/{id} with a stale If-Match → 412 without one', async () => {
    const u = await makeUser(stack, admin, { roles: ['teacher'], activate: false });
    const r = await call(stack, 'PATCH', `/users/${u.id}`, { token: admin.token, headers: { 'if-match': '"v999"' }, body: { phone: '1' } });
    assertProblem(r, 412, 'precondition_failed');
    assert.equal(r.headers.get('etag'), null);
  });

  test('issue 9 every response carries X-Request-Id, the caller\'s when valid', async () => {
    for (const [p, token] of [['/healthz'], ['/api/v1/me', admin.token], ['/api/v1/nope'], ['/api/v1/users/999999', admin.token]]) {
      const r = await call(stack, 'GET', `${stack.base}${p}`, { token, headers: { 'x-request-id': 'trace-1.2:3' } });
      assert.equal(r.headers.get('x-request-id'), 'trace-1.2:3', p);
    }
  });

  // --- C #9: cursors -----------------------------------------------------------------------------

  test('issue 9 #9 a cursor naming a lesson the guardian cannot see ends the list as a lesson that does not exist does', async () => {
    // A group the child is not in, with a lesson before every lesson of the child's group.
    const hidden = await post(stack, admin.token, '/groups', { program_id: inst.program.id, school_year_id: inst.year.id,
      name: `Hidden ${randomHex(3)}`, teacher_ids: [] });
    const secret = await lessonFrom(hidden, 10, '09:00', '10:00');
    const own1 = await lessonFrom(inst.group, 20, '09:00', '10:00');
    const own2 = await lessonFrom(inst.group, 25, '09:00', '10:00');
    const visible = (await get('/lessons?limit=500', parent.token)).body.items.map((l) => l.id);
    assert.ok(visible.includes(own1.id) && visible.includes(own2.id) && !visible.includes(secret.id));
    assertProblem(await get(`/lessons/${secret.id}`, parent.token), 404, 'not_found');

    const none = await get('/lessons?after=999999999', parent.token);
    assert.equal(none.status, 200, none.text);
    const leak = await get(`/lessons?after=${secret.id}`, parent.token);
    assert.equal(leak.status, 200, leak.text);
    assert.deepEqual(leak.body, none.body, 'the hidden lesson\'s cursor must answer as a missing one does');
    assert.deepEqual(leak.body.items, []);
    // The superuser, who sees it, pages on from it.
    const su = await get(`/lessons?after=${secret.id}&group_id=${inst.group.id}`);
    assert.ok(su.body.items.some((l) => l.id === own1.id), su.text);
    // The guardian's own cursors still page through their lessons.
    const first = await get('/lessons?limit=1', parent.token);
    assert.equal(first.body.items.length, 1);
    const next = await get(`/lessons?limit=500&after=${first.body.next}`, parent.token);
    assert.deepEqual([first.body.items[0].id, ...next.body.items.map((l) => l.id)], visible);
  });

  test('issue 9 #9 the other lists page by id alone: a hidden id as cursor answers as any number there does', async () => {
    // Another family's report, a group and a student the guardian cannot see.
    const other = await post(stack, admin.token, '/students', { full_name: 'Cits Bērns', birth_date: '2014-01-01' });
    const otherGroup = await post(stack, admin.token, '/groups', { program_id: inst.program.id, school_year_id: inst.year.id,
      name: `Other ${randomHex(3)}`, teacher_ids: [] });
    for (const [list, hiddenId] of [['/students', other.id], ['/groups', otherGroup.id]]) {
      const a = await get(`${list}?after=${hiddenId}`, parent.token);
      const b = await get(`${list}?after=${hiddenId - 1}`, parent.token);
      assert.equal(a.status, 200, a.text);
      // Only rows with a larger id than the cursor: a hidden row changes nothing either way.
      assert.deepEqual(a.body.items.map((x) => x.id), b.body.items.map((x) => x.id).filter((id) => id > hiddenId));
    }
  });

  // --- C #10: audited reads of accounts --------------------------------------------------------

  test('issue 9 #10 §20 the director\'s and the superuser\'s reads of accounts (GET /users, /users/{id}) are in the audit log', async () => {
    const director = await makeUser(stack, admin, { roles: ['director'] });
    const g = await makeUser(stack, admin, { roles: ['guardian'], email: 'vecaks@example.invalid', phone: '+371 20000000', activate: false });
    const [[mark]] = await stack.psql('SELECT coalesce(max(id), 0) FROM audit_log');
    assert.equal((await get('/users?role=guardian', director.token)).status, 200);
    assert.equal((await get(`/users/${g.id}`, director.token)).status, 200);
    assert.equal((await get(`/users/${g.id}`)).status, 200);
    const rows = await stack.query(`SELECT actor_id, entity, entity_id, after->>'path' AS path, after->>'query' AS query
      FROM audit_log WHERE id > ${mark} AND action = 'read' AND entity IN ('listUsers', 'getUser') ORDER BY id`);
    assert.deepEqual(rows.map((x) => [x.actor_id, x.entity, x.entity_id, x.path]), [
      [director.id, 'listUsers', null, '/api/v1/users'],
      [director.id, 'getUser', String(g.id), `/api/v1/users/${g.id}`],
      [admin.id, 'getUser', String(g.id), `/api/v1/users/${g.id}`],
    ]);
    assert.equal(rows[0].query, 'role=guardian');
  });
});

// --- C: names ----------------------------------------------------------------------------------

describe('issue 9 names: every name must contain a visible character', () => {
  const INVISIBLE = ['', '   ', '\t\n', '\u00a0', '\u200b', '\u202e', '\u200b\u200e \u2066\u2069', '\ufeff', '\u3164', '\u00ad'];
  let inst, student, user;
  before(async () => {
    inst = await makeInstitution(stack, admin, { students: ['Esošais'] });
    student = inst.students[0];
    user = await makeUser(stack, admin, { roles: ['teacher'], activate: false });
  });

  const counts = async () => (await stack.query(`SELECT (SELECT count(*) FROM users) u, (SELECT count(*) FROM students) s,
    (SELECT count(*) FROM programs) p, (SELECT count(*) FROM groups) g, (SELECT count(*) FROM school_years) y,
    (SELECT count(*) FROM calendar_entries) c, (SELECT count(*) FROM enrollments) e`))[0];

  test('issue 9 names: blank or invisible names are 422 validation_failed naming the field, and change nothing', async () => {
    const before = await counts();
    const versions = async () => (await stack.query(`SELECT (SELECT version FROM users WHERE id = ${user.id}) u,
      (SELECT version FROM students WHERE id = ${student.id}) s, (SELECT version FROM programs WHERE id = ${inst.program.id}) p,
      (SELECT version FROM groups WHERE id = ${inst.group.id}) g`))[0];
    const v0 = await versions();
    for (const bad of INVISIBLE) {
      const tag = randomHex(3);
      const cases = [
        ['POST', '/users', { username: `n${tag}`, full_name: bad, roles: ['teacher'] }, 'full_name'],
        ['PATCH', `/users/${user.id}`, { full_name: bad }, 'full_name'],
        ['POST', '/students', { full_name: bad }, 'full_name'],
        ['PATCH', `/students/${student.id}`, { full_name: bad }, 'full_name'],
        ['POST', '/programs', { code: `C${tag}`, name: bad }, 'name'],
        ['PATCH', `/programs/${inst.program.id}`, { name: bad }, 'name'],
        ['POST', '/groups', { program_id: inst.program.id, school_year_id: inst.year.id, name: bad }, 'name'],
        ['PATCH', `/groups/${inst.group.id}`, { name: bad }, 'name'],
        ['POST', '/school-years', { name: bad, starts_on: '2030-09-01', ends_on: '2031-05-31' }, 'name'],
        ['POST', '/calendar/holidays', { date: '2031-03-04', name: bad }, 'name'],
      ];
      for (const [method, p, body, field] of cases) {
        const r = await call(stack, method, p, { token: admin.token, body });
        assertProblem(r, 422, 'validation_failed', field);
        assert.match(r.body.errors.find((e) => e.field === field).message, /visible character/, `${method} ${p} ${JSON.stringify(bad)}`);
      }
      // A bulk registration names the row and the field.
      const r = await call(stack, 'POST', '/imports/enrollments', { token: admin.token,
        body: { rows: [{ student: { full_name: bad, birth_date: '2015-05-05' }, group_id: inst.group.id, starts_on: '2026-09-01' }] } });
      assertProblem(r, 422, 'import_invalid');
      assert.ok(r.body.errors.some((e) => e.row === 0 && e.field === 'full_name'), r.text);
    }
    assert.deepEqual(await counts(), before, 'nothing was created');
    assert.deepEqual(await versions(), v0, 'nothing was changed');
  });

  test('issue 9 names: names in any script are accepted, also with a direction mark or a zero-width space in them', async () => {
    for (const name of ['Ēriks Ūdris', 'Анна', '\u202eAnna', 'A\u200bB', 'Ø']) {
      const r = await call(stack, 'POST', '/students', { token: admin.token, body: { full_name: name } });
      assert.equal(r.status, 201, `${JSON.stringify(name)}: ${r.text}`);
      assert.equal(r.body.full_name, name);
    }
  });
});
