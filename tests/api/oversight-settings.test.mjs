// Settings (§22), absence reason codes (§14, §22), closing a school year (§18) and the students'
// personal files (§18, §20): issue 10.
// Run alone with: bash scripts/test.sh tests/api/oversight-settings.test.mjs
//
// The main school year runs from 120 days before today (in Riga) to 60 days after it; the year that
// gets closed has its own groups, lessons and entries, so closing it touches nothing else here.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { assertProblem } from './lib/assert.mjs';
import { activate, adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';
import { addDays, rigaDay } from './lib/riga.mjs';
import { call, randomHex, startStack } from './lib/stack.mjs';

let stack, admin, director, teacher, staff, parent, otherParent, inst;
const today = rigaDay(0);

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  director = await makeUser(stack, admin, { roles: ['director'], full_name: 'Direktore Zariņa' });
  teacher = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Ilze Kalna' });
  staff = await makeUser(stack, admin, { roles: ['staff'] });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna', 'Bruno'],
    starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
  parent = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  otherParent = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
});
after(async () => stack && stack.stop());

const get = (path, token = admin.token, headers = {}) => call(stack, 'GET', path, { token, headers });
const patch = (path, body, token = admin.token, headers = {}) => call(stack, 'PATCH', path, { token, body, headers });
const send = (method, path, body, token = admin.token, headers = {}) => call(stack, method, path, { token, body, headers });

// Signs in an account made with activate: false (a guardian who has a child enrolled by now).
// A lesson of group g on date, or the nearest earlier date that is no public holiday.
async function lessonOn(g, date, starts_at = '15:00', ends_at = '16:30') {
  for (let i = 0; i < 7; i++) {
    const r = await send('POST', '/lessons', { group_id: g.id, date: addDays(date, -i), starts_at, ends_at });
    if (r.status === 201) return r.body;
    assert.ok(r.status === 422 && r.body.code === 'public_holiday', r.text);
  }
  throw new Error('no lesson date found');
}

const settingsVersion = async () => (await get('/settings')).body.version;

describe('§22 GET/PATCH /settings', () => {
  test('§22 every signed-in user reads the settings, with the defaults and an ETag', async () => {
    for (const token of [teacher.token, staff.token, director.token, admin.token]) {
      const r = await get('/settings', token);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.entry_deadline_working_days, 2);
      assert.equal(r.body.required_quality_reviews, 3);
      assert.equal(r.headers.get('etag'), `"v${r.body.version}"`);
      assert.deepEqual(Object.keys(r.body), ['institution_name', 'institution_address',
        'entry_deadline_working_days', 'required_quality_reviews', 'version', 'updated_at']);
    }
    assert.equal((await call(stack, 'GET', '/settings')).status, 401);
  });

  test('§22 a teacher\'s (and staff\'s) PATCH /settings is 403 and changes nothing', async () => {
    const v = await settingsVersion();
    assertProblem(await patch('/settings', { entry_deadline_working_days: 5 }, teacher.token), 403, 'forbidden');
    assertProblem(await patch('/settings', { institution_name: 'X' }, staff.token), 403, 'forbidden');
    assert.equal(await settingsVersion(), v);
    assert.equal((await get('/settings')).body.entry_deadline_working_days, 2);
  });

  test('§22 entry_deadline_working_days 0 and 11 are 422, so are reviews 13 and -1; wrong types 400; nothing changes', async () => {
    const v = await settingsVersion();
    for (const [body, field] of [[{ entry_deadline_working_days: 0 }, 'entry_deadline_working_days'],
      [{ entry_deadline_working_days: 11 }, 'entry_deadline_working_days'],
      [{ required_quality_reviews: 13 }, 'required_quality_reviews'],
      [{ required_quality_reviews: -1 }, 'required_quality_reviews'],
      [{ institution_name: '   ' }, 'institution_name']]) {
      const r = await patch('/settings', body, director.token);
      assertProblem(r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].field, field, r.text);
    }
    assertProblem(await patch('/settings', { entry_deadline_working_days: 2.5 }, director.token), 400, 'invalid_field');
    assertProblem(await patch('/settings', { entry_deadline_working_days: '3' }, director.token), 400, 'invalid_field');
    assertProblem(await patch('/settings', { deadline_days: 3 }, director.token), 400, 'unknown_field');
    assert.equal(await settingsVersion(), v);
  });

  test('§22 the director names the institution; If-Match is honoured (412 on a stale one); the change is audited with before and after', async () => {
    const first = await get('/settings', director.token);
    let r = await patch('/settings', { institution_name: 'Ventspils Jaunrades nams', institution_address: 'Lielā iela 1, Ventspils' },
      director.token, { 'if-match': first.headers.get('etag') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.institution_name, 'Ventspils Jaunrades nams');
    assert.equal(r.body.institution_address, 'Lielā iela 1, Ventspils');
    assert.equal(r.body.version, first.body.version + 1);
    assert.equal(r.body.deadlines_changed, 0);
    assert.equal(r.headers.get('etag'), `"v${first.body.version + 1}"`);
    r = await patch('/settings', { required_quality_reviews: 4 }, director.token, { 'if-match': first.headers.get('etag') });
    assertProblem(r, 412, 'precondition_failed');
    assert.equal((await get('/settings', teacher.token)).body.institution_name, 'Ventspils Jaunrades nams');
    const audit = await stack.query(`SELECT actor_id, before, after FROM audit_log
      WHERE action = 'settings.update' ORDER BY id DESC LIMIT 1`);
    assert.equal(Number(audit[0].actor_id), director.id);
    assert.equal(audit[0].before.institution_name, null);
    assert.equal(audit[0].after.institution_name, 'Ventspils Jaunrades nams');
  });

  test('§22 §13 the director sets the deadline days to 3: a lesson not yet recorded moves at once; a recorded one and an extension keep theirs', async () => {
    const g = await post(stack, admin.token, '/groups', { program_id: inst.program.id, school_year_id: inst.year.id,
      name: `Deadlines ${randomHex(2)}`, teacher_ids: [teacher.id] });
    await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: inst.students[0].id, starts_on: inst.year.starts_on });
    const planned = await lessonOn(g, addDays(today, 14), '10:00', '11:30');
    const recorded = await lessonOn(g, addDays(today, -20), '10:00', '11:30');
    const extended = await lessonOn(g, addDays(today, -30), '10:00', '11:30');
    let r = await send('PUT', `/lessons/${recorded.id}/entry`, { topic: 'Glazūra',
      attendance: [{ student_id: inst.students[0].id, status: 'present' }] });
    assert.equal(r.status, 200, r.text);
    const until = new Date(Date.now() + 5 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    r = await send('POST', `/lessons/${extended.id}/extension`, { until, reason: 'Slimības lapa' });
    assert.equal(r.status, 200, r.text);
    const deadlineAt = async (date) => (await get(`/calendar/deadline?date=${date}`)).body;
    const before2 = await deadlineAt(planned.date);
    assert.equal(before2.working_days, 2);
    assert.equal(planned.deadline, before2.deadline);
    const recordedBefore = (await get(`/lessons/${recorded.id}`)).body;

    r = await patch('/settings', { entry_deadline_working_days: 3 }, director.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.entry_deadline_working_days, 3);
    assert.ok(r.body.deadlines_changed >= 2, r.text); // at least `planned` and `extended`
    const now3 = await deadlineAt(planned.date);
    assert.equal(now3.working_days, 3);
    assert.ok(Date.parse(now3.deadline) > Date.parse(before2.deadline), `${now3.deadline} after ${before2.deadline}`);
    // The lesson not yet recorded follows the new number at once, with a new version (ETag).
    const p = (await get(`/lessons/${planned.id}`)).body;
    assert.equal(p.deadline, now3.deadline);
    assert.equal(p.version, planned.version + 1);
    // A recorded lesson keeps the deadline its entry was judged by.
    const rec = (await get(`/lessons/${recorded.id}`)).body;
    assert.equal(rec.deadline, recordedBefore.deadline);
    assert.equal(rec.version, recordedBefore.version);
    // An extension keeps its end; the unrecorded lesson's own deadline moves.
    const ext = (await get(`/lessons/${extended.id}`)).body;
    assert.equal(ext.extension.until, until);
    assert.equal(ext.deadline, (await deadlineAt(extended.date)).deadline);
    // A lesson created now gets the new number too.
    const fresh = await lessonOn(g, addDays(today, 21), '10:00', '11:30');
    assert.equal(fresh.deadline, (await deadlineAt(fresh.date)).deadline);

    r = await patch('/settings', { entry_deadline_working_days: 2 }, admin.token);
    assert.equal(r.status, 200, r.text);
    assert.equal((await get(`/lessons/${planned.id}`)).body.deadline, before2.deadline);
  });
});

describe('§14 §22 absence reason codes, managed by the director and the superuser', () => {
  let g, lesson, student;
  before(async () => {
    g = await post(stack, admin.token, '/groups', { program_id: inst.program.id, school_year_id: inst.year.id,
      name: `Reasons ${randomHex(2)}`, teacher_ids: [teacher.id] });
    student = inst.students[1];
    await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: student.id, starts_on: inst.year.starts_on });
    lesson = await lessonOn(g, addDays(today, -10), '12:00', '13:30');
    const r = await send('PUT', `/lessons/${lesson.id}/entry`, { topic: 'Ritms',
      attendance: [{ student_id: student.id, status: 'absent', reason: 'family' }] });
    assert.equal(r.status, 200, r.text);
  });

  test('§22 the director adds a code (201, Location, ETag); the same code again is 409; a malformed one 422; a teacher 403', async () => {
    let r = await send('POST', '/absence-reasons', { code: 'competition', name: 'Sacensības', excused: true }, director.token);
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body, { code: 'competition', name: 'Sacensības', excused: true, active: true, version: 1 });
    assert.equal(r.headers.get('location'), '/api/v1/absence-reasons/competition');
    assert.equal(r.headers.get('etag'), '"v1"');
    r = await get('/absence-reasons/competition', teacher.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.name, 'Sacensības');
    assertProblem(await send('POST', '/absence-reasons', { code: 'competition', name: 'Cits', excused: false }, admin.token),
      409, 'absence_reason_exists');
    for (const code of ['Competition', '1st', 'a-b', '', 'x'.repeat(41)]) {
      r = await send('POST', '/absence-reasons', { code, name: 'N', excused: true }, director.token);
      assert.ok(r.status === 422 || r.status === 400, r.text);
    }
    assertProblem(await send('POST', '/absence-reasons', { code: 'teachers_own', name: 'N', excused: true }, teacher.token), 403, 'forbidden');
    const list = (await get('/absence-reasons', staff.token)).body.items.map((c) => c.code);
    assert.deepEqual(list, ['illness', 'family', 'other_excused', 'unexcused', 'competition']);
    const audit = await stack.query(`SELECT action, after FROM audit_log WHERE entity = 'absence_reason'
      AND entity_id = 'competition' ORDER BY id`);
    assert.deepEqual(audit.map((a) => a.action), ['absence_reason.create']);
  });

  test('§22 rename and mark excused or not (If-Match honoured); a code in use keeps what excused means (409 absence_reason_in_use)', async () => {
    let r = await get('/absence-reasons/competition');
    const etag = r.headers.get('etag');
    r = await patch('/absence-reasons/competition', { name: 'Sacensības, koncerti', excused: false }, director.token, { 'if-match': etag });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { code: 'competition', name: 'Sacensības, koncerti', excused: false, active: true, version: 2 });
    assertProblem(await patch('/absence-reasons/competition', { name: 'X' }, director.token, { 'if-match': etag }), 412, 'precondition_failed');
    assertProblem(await patch('/absence-reasons/family', { excused: false }, director.token), 409, 'absence_reason_in_use');
    r = await patch('/absence-reasons/family', { name: 'Ģimenes apstākļi (rīkojums)' }, admin.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.excused, true);
    assertProblem(await patch('/absence-reasons/nosuch', { name: 'X' }, director.token), 404, 'not_found');
    assertProblem(await patch('/absence-reasons/family', { name: 'X' }, teacher.token), 403, 'forbidden');
    assertProblem(await patch('/absence-reasons/family', { code: 'fam' }, director.token), 400, 'unknown_field');
  });

  test('§14 §22 a code in use is made inactive, never deleted: it stays on old absences, and is 422 for new reasons and reports', async () => {
    let r = await patch('/absence-reasons/family', { active: false }, director.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.active, false);
    assert.equal((await call(stack, 'DELETE', '/absence-reasons/family', { token: admin.token })).status, 405);
    // Still readable, listed, and on the old absence.
    assert.equal((await get('/absence-reasons')).body.items.find((c) => c.code === 'family').active, false);
    const row = (await get(`/lessons/${lesson.id}`)).body.attendance.find((a) => a.student_id === student.id);
    assert.equal(row.reason, 'family');
    const att = (await get(`/students/${student.id}/attendance`)).body;
    assert.ok(att.items.some((i) => i.lesson_id === lesson.id && i.reason === 'family'), JSON.stringify(att.items));
    // Not for new reasons.
    r = await send('PUT', `/lessons/${lesson.id}/attendance/${student.id}/reason`, { reason_code: 'family' });
    assertProblem(r, 422, 'validation_failed');
    r = await send('POST', '/absence-reports', { student_id: student.id, from_date: today, to_date: today,
      reason_code: 'family', channel: 'phone' });
    assertProblem(r, 422, 'validation_failed');
    assert.equal(r.body.errors[0].field, 'reason_code');
    // Active again: usable again.
    r = await patch('/absence-reasons/family', { active: true }, director.token);
    assert.equal(r.status, 200, r.text);
    r = await send('PUT', `/lessons/${lesson.id}/attendance/${student.id}/reason`, { reason_code: 'family' });
    assert.equal(r.status, 200, r.text);
    assert.equal((await stack.query(`SELECT count(*)::int AS n FROM absence_reasons WHERE code = 'family'`))[0].n, 1);
  });
});

describe('§18 a closed school year: every write into its journal is 409 school_year_closed, reads keep working', () => {
  let year, g, g2, s1, s2, lessons, open, reqId, enr2, personalBefore;
  const DETAIL = 'The school year is closed; its journal is read-only (§18).';
  before(async () => {
    // The year to close: from 100 days ago to 30 days ahead, so it has past lessons with entries.
    const tag = randomHex(2);
    year = await post(stack, admin.token, '/school-years', { name: `Slēdzamais ${tag}`,
      starts_on: addDays(today, -100), ends_on: addDays(today, 30) });
    const program = await post(stack, admin.token, '/programs', { code: `C${tag}`, name: 'Koris' });
    // A hostile name, for the page's escaping.
    g = await post(stack, admin.token, '/groups', { program_id: program.id, school_year_id: year.id,
      name: `Koris </td><img src=x onerror=alert(1)> ${tag}`, teacher_ids: [teacher.id] });
    g2 = await post(stack, admin.token, '/groups', { program_id: program.id, school_year_id: year.id,
      name: `Ansamblis ${tag}`, teacher_ids: [teacher.id] });
    s1 = await post(stack, admin.token, '/students', { full_name: '<script>alert(1)</script> & "Ēriks"', birth_date: '2013-05-04' });
    s2 = await post(stack, admin.token, '/students', { full_name: 'Zane Otrā', birth_date: '2013-06-01' });
    for (const s of [s1, s2]) {
      await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: s.id, starts_on: year.starts_on });
    }
    await post(stack, admin.token, `/groups/${g2.id}/enrollments`, { student_id: s1.id, starts_on: year.starts_on });
    enr2 = await post(stack, admin.token, `/groups/${g2.id}/enrollments`, { student_id: s2.id, starts_on: year.starts_on });
    let r = await send('PUT', `/students/${s1.id}/guardians/${parent.id}`);
    assert.equal(r.status, 200, r.text);
    r = await send('PUT', `/students/${s2.id}/guardians/${otherParent.id}`);
    assert.equal(r.status, 200, r.text);
    await activate(stack, parent);
    await activate(stack, otherParent);
    // Five recorded lessons (each on its own date), hand-counted below for s1:
    //   90 min present · 60 min absent (illness, excused) · 90 min late (family) ·
    //   45 min absent (no reason) · 90 min absent (unexcused).
    const plan = [['16:00', '17:30', 'present', null], ['16:00', '17:00', 'absent', 'illness'],
      ['16:00', '17:30', 'late', 'family'], ['16:00', '16:45', 'absent', null], ['16:00', '17:30', 'absent', 'unexcused']];
    lessons = [];
    for (let i = 0; i < plan.length; i++) {
      const [from, to, status, reason] = plan[i];
      const l = await lessonOn(g, addDays(today, -80 + i * 9), from, to);
      const row = { student_id: s1.id, status };
      if (reason) row.reason = reason;
      r = await send('PUT', `/lessons/${l.id}/entry`, { topic: `Tēma ${i + 1}`, attendance: [row, { student_id: s2.id, status: 'present' }] });
      assert.equal(r.status, 200, r.text);
      lessons.push(r.body);
    }
    // Not recorded: one past (its deadline passed: a teacher asks for an extension), one ahead.
    const past = await lessonOn(g, addDays(today, -20), '16:00', '17:30');
    r = await send('POST', `/lessons/${past.id}/extension-requests`, { reason: 'Biju slima' }, teacher.token);
    assert.equal(r.status, 201, r.text);
    reqId = r.body.id;
    open = await lessonOn(g, addDays(today, 10), '16:00', '17:30');
    open.past = past;
    personalBefore = (await get(`/students/${s1.id}/personal-file?school_year_id=${year.id}`)).body;
    r = await send('POST', `/school-years/${year.id}/close`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.closed, true);
  });

  test('§18 every write route into the closed year answers 409 school_year_closed, with one wording, and changes nothing', async () => {
    const before = await stack.query(`SELECT count(*)::int AS n FROM audit_log WHERE action <> 'read'`);
    const versions = async () => (await stack.query(`SELECT id, version FROM lessons WHERE group_id IN (${g.id}, ${g2.id}) ORDER BY id`));
    const v0 = await versions();
    const l = lessons[1];
    const writes = [
      ['POST', '/groups', { program_id: g.program_id, school_year_id: year.id, name: 'Jauna' }],
      ['PATCH', `/groups/${g.id}`, { name: 'Pārdēvēta' }],
      ['POST', `/groups/${g.id}/enrollments`, { student_id: inst.students[0].id, starts_on: year.starts_on }],
      ['POST', `/enrollments/${enr2.id}/withdraw`, { application_date: today, effective_on: today }],
      ['POST', '/imports/enrollments', { rows: [{ student_id: inst.students[0].id, group_id: g2.id, starts_on: year.starts_on }] }],
      ['POST', `/groups/${g.id}/schedule`, { weekday: 3, starts_at: '18:00', ends_at: '19:00', valid_from: year.starts_on, valid_to: year.ends_on }],
      ['POST', '/lessons', { group_id: g.id, date: addDays(open.date, 1), starts_at: '18:00', ends_at: '19:00' }],
      ['POST', `/lessons/${open.id}/cancel`, { reason: 'Slimība' }],
      ['PUT', `/lessons/${open.id}/substitute`, { teacher_id: teacher.id }],
      ['DELETE', `/lessons/${open.id}/substitute`, undefined],
      ['PUT', `/lessons/${l.id}/entry`, { topic: 'Labots', attendance: [{ student_id: s1.id, status: 'present' }, { student_id: s2.id, status: 'present' }] }],
      ['PUT', `/lessons/${l.id}/attendance/${s1.id}/reason`, { reason_code: 'family' }],
      ['POST', `/lessons/${open.past.id}/extension`, { until: addDays(today, 3), reason: 'Vēlreiz' }],
      ['POST', `/extension-requests/${reqId}/grant`, { until: addDays(today, 3) }],
      ['POST', `/extension-requests/${reqId}/decline`, { note: 'Gads slēgts' }],
    ];
    for (const [method, path, body] of writes) {
      const r = await send(method, path, body);
      assertProblem(r, 409, 'school_year_closed');
      assert.equal(r.body.detail, DETAIL, `${method} ${path}`);
    }
    // The teacher's own writes too: the entry and the request for an extension.
    let r = await send('PUT', `/lessons/${l.id}/entry`, { topic: 'Labots', attendance: [{ student_id: s1.id, status: 'present' },
      { student_id: s2.id, status: 'present' }] }, teacher.token);
    assertProblem(r, 409, 'school_year_closed');
    r = await send('POST', `/lessons/${open.past.id}/extension-requests`, { reason: 'Vēl' }, teacher.token);
    assertProblem(r, 409, 'school_year_closed');
    assert.equal(r.body.detail, DETAIL);
    r = await send('POST', '/imports/enrollments', { rows: [{ student_id: inst.students[0].id, group_id: inst.group.id, starts_on: inst.year.starts_on },
      { student_id: inst.students[0].id, group_id: g2.id, starts_on: year.starts_on }] });
    assertProblem(r, 409, 'school_year_closed');
    assert.deepEqual(r.body.errors, [{ row: 1, field: 'group_id', message: 'the group\'s school year is closed' }]);
    // Nothing changed: no audit record, no lesson's version moved.
    assert.deepEqual(await stack.query(`SELECT count(*)::int AS n FROM audit_log WHERE action <> 'read'`), before);
    assert.deepEqual(await versions(), v0);
  });

  test('§18 reads of the closed year keep working (200)', async () => {
    for (const path of [`/school-years/${year.id}`, `/groups/${g.id}`, `/groups/${g.id}/enrollments`, `/groups/${g.id}/schedule`,
      `/lessons?group_id=${g.id}`, `/lessons/${lessons[0].id}`, `/lessons/${lessons[0].id}/entry`,
      `/students/${s1.id}/attendance`, `/enrollments/${enr2.id}`, `/extension-requests/${reqId}`,
      `/students/${s1.id}/personal-file?school_year_id=${year.id}`]) {
      const r = await get(path);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
    }
    assert.equal((await get(`/lessons/${lessons[0].id}`, teacher.token)).status, 200);
    assert.equal((await get(`/students/${s1.id}/personal-file?school_year_id=${year.id}`, parent.token)).status, 200);
  });

  test('§18 §22 a settings change moves no deadline of a closed year', async () => {
    const d0 = (await get(`/lessons/${open.id}`)).body;
    let r = await patch('/settings', { entry_deadline_working_days: 5 }, director.token);
    assert.equal(r.status, 200, r.text);
    assert.equal((await get(`/lessons/${open.id}`)).body.deadline, d0.deadline);
    r = await patch('/settings', { entry_deadline_working_days: 2 }, director.token);
    assert.equal(r.status, 200, r.text);
  });

  test('§18 the personal file sums each group\'s attendance as the entries say (hand-computed)', async () => {
    const r = await get(`/students/${s1.id}/personal-file?school_year_id=${year.id}`, director.token);
    assert.equal(r.status, 200, r.text);
    const f = r.body;
    assert.deepEqual(f.student, { id: s1.id, full_name: s1.full_name, birth_date: '2013-05-04' });
    assert.deepEqual(f.guardians.map((x) => x.id), [parent.id]);
    assert.equal(f.school_year.id, year.id);
    assert.equal(f.school_year.closed, true);
    assert.equal(f.institution.name, 'Ventspils Jaunrades nams');
    assert.deepEqual(f.enrollments.map((e) => [e.group.id, e.program.code, e.starts_on, e.withdrawal]).sort(),
      [[g.id, f.enrollments[0].program.code, year.starts_on, null], [g2.id, f.enrollments[0].program.code, year.starts_on, null]].sort());
    const byGroup = Object.fromEntries(f.attendance.map((a) => [a.group_id, a]));
    // 5 lessons: 1 present, 1 late, 3 absent (illness = excused; no reason and unexcused = unexcused).
    // Hours: 90 min = 2, 60 min = 1.33, 45 min = 1 academic hours; attended = present + late = 2 + 2.
    assert.deepEqual(byGroup[g.id], {
      group_id: g.id, group_name: g.name, lessons: 5, present: 1, late: 1, absent: 3, excused: 1, unexcused: 2,
      without_reason: 1,
      by_reason: [
        { reason_code: 'illness', name: 'Slimība', excused: true, absent: 1, late: 0 },
        { reason_code: 'family', name: 'Ģimenes apstākļi (rīkojums)', excused: true, absent: 0, late: 1 },
        { reason_code: 'unexcused', name: 'Neattaisnots kavējums', excused: false, absent: 1, late: 0 },
      ],
      hours: 8.33, hours_attended: 4,
    });
    // A group with nothing recorded is there, with zeros.
    assert.deepEqual(byGroup[g2.id], { group_id: g2.id, group_name: g2.name, lessons: 0, present: 0, late: 0, absent: 0,
      excused: 0, unexcused: 0, without_reason: 0, by_reason: [], hours: 0, hours_attended: 0 });
    // The other student's file counts only their own rows.
    const other = (await get(`/students/${s2.id}/personal-file?school_year_id=${year.id}`)).body;
    const og = other.attendance.find((a) => a.group_id === g.id);
    assert.deepEqual([og.lessons, og.present, og.absent, og.hours_attended], [5, 5, 0, 8.33]);
    // Closing changed nothing in it.
    assert.deepEqual(personalBefore.attendance, f.attendance);
    // The main year's file of s1 is empty: no enrollment there.
    const main = (await get(`/students/${s1.id}/personal-file?school_year_id=${inst.year.id}`)).body;
    assert.deepEqual([main.enrollments, main.attendance], [[], []]);
  });

  test('§18 §20 who reads a personal file: superuser, director, the student\'s guardians (not another family: 404); a teacher and staff 403; an employee\'s read is audited', async () => {
    const path = `/students/${s1.id}/personal-file?school_year_id=${year.id}`;
    assert.equal((await get(path, parent.token)).status, 200);
    assertProblem(await get(path, otherParent.token), 404, 'not_found');
    assertProblem(await get(path, teacher.token), 403, 'forbidden');
    assertProblem(await get(path, staff.token), 403, 'forbidden');
    assertProblem(await get(`/students/${s1.id}/personal-file`, director.token), 400, 'invalid_query');
    assertProblem(await get(`/students/${s1.id}/personal-file?school_year_id=99999999`, director.token), 404, 'not_found');
    assertProblem(await get(`/students/${s1.id}/personal-file?school_year_id=${year.id}&x=1`, director.token), 400, 'unknown_parameter');
    const n = async (actor) => (await stack.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'read'
      AND entity = 'getPersonalFile' AND entity_id = '${s1.id}' AND actor_id = ${actor}`))[0].n;
    const before = await n(director.id);
    assert.equal((await get(path, director.token)).status, 200);
    assert.equal(await n(director.id), before + 1);
    assert.equal((await get(path, director.token, { accept: 'text/html' })).status, 200);
    assert.equal(await n(director.id), before + 2);
    assert.equal(await n(parent.id), 0); // a guardian's own read is not an employee's (§20)
  });

  test('§18 Accept: text/html gives a printable page: A4, every text escaped (a hostile name), no script, no external resource, a strict CSP', async () => {
    const r = await get(`/students/${s1.id}/personal-file?school_year_id=${year.id}`, parent.token,
      { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    const html = r.text;
    assert.ok(html.startsWith('<!DOCTYPE html>'), html.slice(0, 80));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Ēriks&quot;'), 'the student name, escaped');
    assert.ok(html.includes('&lt;/td&gt;&lt;img src=x onerror=alert(1)&gt;'), 'the group name, escaped');
    // Every tag the page has is one of a few plain ones, with plain attributes: no script, no
    // handler, nothing loaded from anywhere (no src, href, url(...)).
    const tags = [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)];
    assert.ok(tags.length > 50, 'the page has its tags');
    const TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'p', 'br', 'h1', 'h2', 'h3', 'section',
      'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'footer']);
    for (const [tag, name, attrs] of tags) {
      assert.ok(TAGS.has(name.toLowerCase()), `unexpected tag ${tag}`);
      assert.match(attrs, /^(\s+[a-z-]+="[^"<>]*")*\s*$/, `attributes of ${tag}`);
      for (const [, attr] of attrs.matchAll(/([a-z-]+)="[^"]*"/g)) {
        assert.ok(['lang', 'charset', 'name', 'content', 'class', 'colspan'].includes(attr), `unexpected attribute in ${tag}`);
      }
    }
    assert.doesNotMatch(html, /url\(|@import|javascript:/i);
    assert.match(html, /@page\{size:A4/);
    assert.ok(html.includes('Ventspils Jaunrades nams'));
    assert.ok(html.includes('8.33'));
    const csp = r.headers.get('content-security-policy');
    const style = html.match(/<style>([\s\S]*?)<\/style>/)[1];
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    assert.equal(csp, `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    // JSON unless HTML is asked for (and not refused).
    for (const accept of ['application/json', '*/*', 'text/html;q=0, application/json']) {
      const j = await get(`/students/${s1.id}/personal-file?school_year_id=${year.id}`, parent.token, { accept });
      assert.match(j.headers.get('content-type'), /^application\/json/, accept);
      assert.equal(j.headers.get('content-security-policy'), null);
    }
  });
});
