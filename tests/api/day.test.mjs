// A teacher's day (issue 15): GET /lessons?date= (one Riga day), ?teacher_id=me (the lessons the
// caller conducts), the state `due` (started, not recorded, deadline not passed), group and
// programme names on lessons, and unknown query parameters refused on every operation.
// Run alone with: bash scripts/test.sh tests/api/day.test.mjs
//
// Clock: the main school year runs from 120 days before today (Riga) to 60 days after, as in
// journal.test.mjs; fixed dates for filters that do not depend on the clock are in 2040.
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { assertProblem } from './lib/assert.mjs';
import { activate, adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';
import { operationQueryParams } from './lib/queryparams.mjs';
import { call, repoRoot, startStack } from './lib/stack.mjs';

let stack, admin, teacher, sub, director, guardian, inst, future;

const rigaToday = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Riga' });
const addDays = (iso, n) => {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const today = rigaToday();

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  teacher = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Ilze Kalna' });
  sub = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Aizvietotājs' });
  director = await makeUser(stack, admin, { roles: ['director'] });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna'],
    starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
  future = await makeInstitution(stack, admin, { teachers: [teacher.id], starts_on: '2040-09-01', ends_on: '2041-05-31' });
  guardian = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  const r = await call(stack, 'PUT', `/students/${inst.students[0].id}/guardians/${guardian.id}`, { token: admin.token });
  assert.equal(r.status, 200, r.text);
  await activate(stack, guardian);
});
after(async () => stack && stack.stop());

const get = (p, token = admin.token) => call(stack, 'GET', p, { token });

async function ids(query, token = admin.token) {
  const r = await get(`/lessons?${query}`, token);
  assert.equal(r.status, 200, r.text);
  return r.body.items.map((l) => l.id);
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

let groupNo = 0;
async function makeGroup(institution, teacherIds) {
  return post(stack, admin.token, '/groups', { program_id: institution.program.id,
    school_year_id: institution.year.id, name: `Day ${++groupNo}`, teacher_ids: teacherIds });
}

describe('issue 15 the teacher\'s day: GET /lessons filters', () => {
  test('issue 15 ?date= is one Riga day: a lesson at 00:30 Riga time (22:30 UTC the day before) is on its own date', async () => {
    const g = await makeGroup(future, [teacher.id]);
    const before = await lessonOn(g, '2040-10-09');
    const early = await lessonOn(g, '2040-10-10', '00:30', '01:15');
    const late = await lessonOn(g, '2040-10-10', '23:00', '23:45');
    const next = await lessonOn(g, '2040-10-11');
    assert.equal(early.date, '2040-10-10');
    assert.deepEqual(await ids(`group_id=${g.id}&date=2040-10-10`), [early.id, late.id]);
    assert.deepEqual(await ids(`group_id=${g.id}&date=2040-10-09`), [before.id]);
    assert.deepEqual(await ids(`group_id=${g.id}&date=2040-10-11`), [next.id]);
    assert.deepEqual(await ids(`group_id=${g.id}&date=2040-10-12`), []);
    // date is one day: not together with from or to; and it must be a real date.
    for (const q of ['date=2040-10-10&from=2040-10-01', 'date=2040-10-10&to=2040-10-31', 'date=2040-02-30', 'date=today']) {
      assertProblem(await get(`/lessons?${q}`), 400, 'invalid_query');
    }
  });

  test('issue 15 ?teacher_id=me: the lessons the caller conducts (their groups\' without a substitute, and those they substitute)', async () => {
    const mine = await makeGroup(future, [teacher.id]);
    const subs = await makeGroup(future, [sub.id]);
    const own = await lessonOn(mine, '2040-11-06');
    const covered = await lessonOn(mine, '2040-11-07');
    const theirs = await lessonOn(subs, '2040-11-08');
    const r = await call(stack, 'PUT', `/lessons/${covered.id}/substitute`, { token: admin.token, body: { teacher_id: sub.id } });
    assert.equal(r.status, 200, r.text);
    const window = 'from=2040-11-01&to=2040-11-30';
    assert.deepEqual(await ids(`teacher_id=me&${window}`, teacher.token), [own.id]);
    assert.deepEqual(await ids(`teacher_id=me&${window}`, sub.token), [covered.id, theirs.id]);
    // The same meaning for an id, e.g. the superuser looking at a teacher's day.
    assert.deepEqual(await ids(`teacher_id=${teacher.id}&${window}`), [own.id]);
    assert.deepEqual(await ids(`teacher_id=${sub.id}&${window}`), [covered.id, theirs.id]);
    // `me` of someone who conducts nothing: an empty day, not an error.
    assert.deepEqual(await ids(`teacher_id=me&${window}`, director.token), []);
    for (const q of ['teacher_id=you', 'teacher_id=ME', 'teacher_id=0']) {
      assertProblem(await get(`/lessons?${q}`), 400, 'invalid_query');
    }
  });

  test('issue 15 state=due: started, not recorded, deadline (or extension) not passed; planned has not started', async () => {
    const g = await makeGroup(inst, [teacher.id]);
    await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: inst.students[0].id, starts_on: inst.year.starts_on });
    const due = await recentLesson(g);
    const planned = await lessonOn(g, addDays(today, 7));
    const overdue = await lessonOn(g, addDays(today, -30));
    const extended = await lessonOn(g, addDays(today, -30), '10:00', '11:00');
    const recorded = await lessonOn(g, addDays(today, -30), '12:00', '13:00');
    assert.equal(due.state, 'due');
    assert.equal(planned.state, 'planned');
    assert.equal(overdue.state, 'overdue');
    let r = await call(stack, 'POST', `/lessons/${extended.id}/extension`, { token: admin.token,
      body: { until: addDays(today, 2), reason: 'Slimība' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.state, 'due', 'an extension in force makes an overdue lesson due again');
    r = await call(stack, 'PUT', `/lessons/${recorded.id}/entry`, { token: admin.token,
      body: { topic: 'T', attendance: [{ student_id: inst.students[0].id, status: 'present' }] } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await get(`/lessons/${due.id}`)).body.state, 'due');
    const q = `group_id=${g.id}`;
    assert.deepEqual((await ids(`${q}&state=due`)).sort(), [due.id, extended.id].sort());
    assert.deepEqual(await ids(`${q}&state=planned`), [planned.id]);
    assert.deepEqual(await ids(`${q}&state=overdue`), [overdue.id]);
    assert.deepEqual(await ids(`${q}&state=recorded`), [recorded.id]);
    // The teacher's "to record now".
    const now = await ids('teacher_id=me&state=due&limit=500', teacher.token);
    assert.ok(now.includes(due.id) && now.includes(extended.id), JSON.stringify(now));
    assert.ok(!now.includes(planned.id) && !now.includes(overdue.id) && !now.includes(recorded.id));
    assertProblem(await get('/lessons?state=to_record'), 400, 'invalid_query');
  });

  test('issue 15 lessons carry group_name, program_id and program_name, read with the lesson (a rename shows at once)', async () => {
    const g = await makeGroup(future, [teacher.id]);
    const l = await lessonOn(g, '2040-12-04');
    assert.equal(l.group_name, g.name);
    assert.equal(l.program_id, future.program.id);
    assert.equal(l.program_name, 'Keramika');
    const listed = (await get(`/lessons?group_id=${g.id}`, teacher.token)).body.items[0];
    assert.equal(listed.group_name, g.name);
    assert.equal(listed.program_name, 'Keramika');
    const r = await call(stack, 'PATCH', `/programs/${future.program.id}`, { token: admin.token, body: { name: 'Keramika un glezniecība' } });
    assert.equal(r.status, 200, r.text);
    const shown = await get(`/lessons/${l.id}`, teacher.token);
    assert.equal(shown.body.program_name, 'Keramika un glezniecība');
    assert.equal(shown.body.version, l.version, 'names are shown with the lesson, not part of its version');
    await call(stack, 'PATCH', `/programs/${future.program.id}`, { token: admin.token, body: { name: 'Keramika' } });
  });
});

// ---- unknown query parameters ----------------------------------------------------------------

const OPS = operationQueryParams(path.join(repoRoot, 'openapi.yaml'));

// api/queries.c's table, read as text: {"operationId", NAMES("a", "b", PAGE)}.
function cTable() {
  const src = fs.readFileSync(path.join(repoRoot, 'api', 'queries.c'), 'utf8');
  const out = new Map();
  for (const m of src.matchAll(/\{"(\w+)", NAMES\(([^)]*)\)\}/g)) {
    out.set(m[1], m[2].split(',').map((s) => s.trim()).flatMap((s) => (s === 'PAGE' ? ['limit', 'after'] : [JSON.parse(s)])));
  }
  return out;
}

function concrete(p) {
  return p.replace('{date}', '2030-01-07').replace(/\{[a-z_]+\}/g, '1');
}

// A caller the operation lets through (its first role of x-roles we have a user for).
function tokenFor(op) {
  if (!op.roles || op.roles.includes('superuser')) return admin.token;
  if (op.roles.includes('teacher')) return teacher.token;
  if (op.roles.includes('guardian')) return guardian.token;
  throw new Error(`no test user for ${op.operationId} (${op.roles})`);
}

function send(op, query) {
  const withBody = ['POST', 'PUT', 'PATCH'].includes(op.method);
  return call(stack, op.method, `${stack.api.replace(/\/api\/v1$/, '')}${concrete(op.path)}?${query}`, {
    token: tokenFor(op), ...(withBody ? { body: {} } : {}) });
}

describe('issue 15 unknown query parameters are refused, on every operation', () => {
  test('issue 15 the table of query parameters (api/queries.c) is openapi.yaml\'s, operation by operation', () => {
    const table = cTable();
    assert.ok(OPS.length >= 60, `read ${OPS.length} operations from openapi.yaml`);
    for (const op of OPS) {
      assert.ok(op.operationId, `${op.method} ${op.path} has an operationId`);
      assert.deepEqual([...(table.get(op.operationId) || [])].sort(), [...op.query].sort(), `${op.operationId}'s query parameters`);
    }
    for (const id of table.keys()) assert.ok(OPS.some((o) => o.operationId === id), `${id} is in openapi.yaml`);
  });

  test('issue 15 every operation answers 400 unknown_parameter naming the parameter, and accepts the ones it declares', async () => {
    for (const op of OPS) {
      const url = (q) => `${op.method} ${op.path}?${q}`;
      let r = await send(op, 'colour=blue');
      assertProblem(r, 400, 'unknown_parameter');
      assert.equal(r.body.parameter, 'colour', url('colour=blue'));
      assert.ok(r.body.detail.includes("'colour'"), r.body.detail);
      assert.deepEqual([...r.body.allowed].sort(), [...op.query].sort(), url('colour=blue'));
      // Each declared parameter passes the check (the unknown one after it is what is named).
      for (const name of op.query) {
        r = await send(op, `${name}=1&colour=blue`);
        assertProblem(r, 400, 'unknown_parameter');
        assert.equal(r.body.parameter, 'colour', `${url(name)}: ${r.text}`);
      }
    }
  });

  test('issue 15 list routes: a misspelt filter is 400, not a silently unfiltered list', async () => {
    const lists = OPS.filter((o) => o.method === 'GET' && o.query.includes('limit'));
    assert.ok(lists.length >= 10, `${lists.length} list operations`);
    for (const op of lists) {
      const r = await send(op, 'limt=5');
      assertProblem(r, 400, 'unknown_parameter');
      assert.equal(r.body.parameter, 'limt');
      assert.equal(r.body.errors[0].field, 'limt');
    }
    // The issue's own case: ?date= was ignored, and now is a filter; ?day= is refused.
    assertProblem(await get('/lessons?day=2026-12-01'), 400, 'unknown_parameter');
  });

  test('issue 15 a parameter given twice is 400 duplicate_parameter; odd names are shown safely; empty segments are fine', async () => {
    let r = await get('/lessons?date=2040-10-10&date=2040-10-11');
    assertProblem(r, 400, 'duplicate_parameter');
    assert.equal(r.body.parameter, 'date');
    r = await get('/lessons?limit=5&&limit=6');
    assertProblem(r, 400, 'duplicate_parameter');
    r = await get('/lessons?%C3%A9t%C3%A9=1');
    assertProblem(r, 400, 'unknown_parameter');
    assert.match(r.body.parameter, /^[\x21-\x7e]+$/);
    r = await get(`/lessons?${'x'.repeat(300)}=1`);
    assertProblem(r, 400, 'unknown_parameter');
    assert.ok(r.body.parameter.length <= 43, r.body.parameter);
    r = await get('/lessons?&limit=5&');
    assert.equal(r.status, 200, r.text);
    // Refused before anything happens: logout with a stray parameter does not log out.
    r = await call(stack, 'POST', '/auth/logout?all=true', { token: admin.token });
    assertProblem(r, 400, 'unknown_parameter');
    assert.equal((await get('/me')).status, 200);
  });
});

// ---- times for people in Riga local time ------------------------------------------------------

// An instant as the server should show it to people, computed here with the platform's tzdata
// (the server has none): "2026-12-01 15:00 (UTC+02:00)", seconds only when not zero.
function rigaText(iso) {
  const d = new Date(iso);
  const local = d.toLocaleString('sv-SE', { timeZone: 'Europe/Riga', hourCycle: 'h23' });
  const offset = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Riga', timeZoneName: 'longOffset' })
    .formatToParts(d).find((p) => p.type === 'timeZoneName').value.replace('GMT', 'UTC');
  const [date, time] = local.split(' ');
  return `${date} ${time.endsWith(':00') ? time.slice(0, 5) : time} (${offset})`;
}
const UTC_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/;

describe('issue 15 times in messages are Riga local time with the offset; fields stay RFC 3339 UTC', () => {
  let g;
  before(async () => {
    g = await makeGroup(inst, [teacher.id]);
    await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: inst.students[0].id, starts_on: inst.year.starts_on });
  });
  const body = () => ({ topic: 'T', attendance: [{ student_id: inst.students[0].id, status: 'present' }] });

  test('issue 15 lesson_not_started says when the lesson starts as the timetable shows it', async () => {
    const l = await lessonOn(g, addDays(today, 7), '15:00', '16:30');
    const r = await call(stack, 'PUT', `/lessons/${l.id}/entry`, { token: teacher.token, body: body() });
    assertProblem(r, 409, 'lesson_not_started');
    assert.match(r.body.starts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'the field stays UTC');
    assert.equal(rigaText(r.body.starts).slice(0, 16), `${l.date} 15:00`);
    assert.ok(r.body.detail.includes(`starts at ${rigaText(r.body.starts)}`), r.body.detail);
    assert.doesNotMatch(r.body.detail, UTC_INSTANT);
  });

  test('issue 15 entry_deadline_passed gives the deadline (and an ended extension) in Riga time', async () => {
    const l = await lessonOn(g, addDays(today, -30), '10:00', '11:00');
    let r = await call(stack, 'PUT', `/lessons/${l.id}/entry`, { token: teacher.token, body: body() });
    assertProblem(r, 409, 'entry_deadline_passed');
    assert.equal(r.body.deadline, l.deadline);
    assert.match(r.body.deadline, /Z$/);
    assert.ok(r.body.detail.includes(`was ${rigaText(l.deadline)}`), `${r.body.detail} / ${rigaText(l.deadline)}`);
    assert.match(r.body.detail, / 23:59:59 \(UTC\+0[23]:00\)/);
    assert.doesNotMatch(r.body.detail, UTC_INSTANT);
    // With an extension that has ended: both instants in Riga time.
    r = await call(stack, 'POST', `/lessons/${l.id}/extension`, { token: admin.token, body: { until: addDays(today, 1), reason: 'x' } });
    assert.equal(r.status, 200, r.text);
    await stack.psql(`UPDATE lessons SET extension_until = '2026-03-29T00:30:00Z' WHERE id = ${l.id}`);
    r = await call(stack, 'PUT', `/lessons/${l.id}/entry`, { token: teacher.token, body: body() });
    assertProblem(r, 409, 'entry_deadline_passed');
    assert.equal(r.body.extension_until, '2026-03-29T00:30:00Z');
    assert.ok(r.body.detail.includes('its extension ended at 2026-03-29 02:30 (UTC+02:00)'), r.body.detail);
    assert.doesNotMatch(r.body.detail, UTC_INSTANT);
  });

  test('issue 15 an extension before the deadline is refused naming the deadline in Riga time', async () => {
    const l = await lessonOn(g, addDays(today, 7), '12:00', '13:00');
    const r = await call(stack, 'POST', `/lessons/${l.id}/extension`, { token: admin.token, body: { until: addDays(today, 7), reason: 'x' } });
    assertProblem(r, 422, 'validation_failed');
    assert.ok(r.body.detail.includes(rigaText(l.deadline)), r.body.detail);
    assert.doesNotMatch(r.body.detail, UTC_INSTANT);
  });
});

// ---- extension requests and the withdrawal of absence reports ---------------------------------

const auditActions = async (entity, id) => (await stack.query(`SELECT action, actor_id FROM audit_log
  WHERE entity = '${entity}' AND entity_id = '${id}' ORDER BY id`));

describe('issue 15 §13 POST /lessons/{id}/extension-requests: the teacher asks, the superuser grants or declines', () => {
  let g, student;
  before(async () => {
    g = await makeGroup(inst, [teacher.id]);
    student = inst.students[0];
    await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: student.id, starts_on: inst.year.starts_on });
  });
  const ask = (lessonId, body, token = teacher.token, headers = {}) =>
    call(stack, 'POST', `/lessons/${lessonId}/extension-requests`, { token, body, headers });

  test('issue 15 the conducting teacher asks with a reason; one pending request per lesson; granting gives the lesson its extension and the teacher records it', async () => {
    const l = await lessonOn(g, addDays(today, -30), '09:00', '10:00');
    let r = await call(stack, 'PUT', `/lessons/${l.id}/entry`, { token: teacher.token,
      body: { topic: 'T', attendance: [{ student_id: student.id, status: 'present' }] } });
    assertProblem(r, 409, 'entry_deadline_passed');
    assert.ok(r.body.detail.includes(`/lessons/${l.id}/extension-requests`), r.body.detail);
    r = await ask(l.id, { reason: 'Biju slima' });
    assert.equal(r.status, 201, r.text);
    const req = r.body;
    assert.equal(r.headers.get('location'), `/api/v1/extension-requests/${req.id}`);
    assert.equal(r.headers.get('etag'), `"v${req.version}"`);
    assert.deepEqual({ lesson_id: req.lesson_id, requested_by: req.requested_by, reason: req.reason, status: req.status,
      until: req.until, group_name: req.group_name, lesson_date: req.lesson_date, deadline: req.deadline, requested_by_name: req.requested_by_name },
    { lesson_id: l.id, requested_by: teacher.id, reason: 'Biju slima', status: 'pending', until: null,
      group_name: g.name, lesson_date: l.date, deadline: l.deadline, requested_by_name: 'Ilze Kalna' });
    r = await ask(l.id, { reason: 'Vēlreiz' });
    assertProblem(r, 409, 'extension_request_pending');
    assert.equal(r.body.request_id, req.id);
    // The teacher sees their request and its state; the superuser's to-do list has it.
    assert.deepEqual((await get('/extension-requests', teacher.token)).body.items.map((x) => x.id), [req.id]);
    assert.equal((await get(`/extension-requests/${req.id}`, teacher.token)).body.status, 'pending');
    assert.ok((await get('/extension-requests?status=pending')).body.items.some((x) => x.id === req.id));
    assert.deepEqual((await get(`/extension-requests?lesson_id=${l.id}`)).body.items.map((x) => x.id), [req.id]);
    // Another teacher sees none of it; only the superuser decides.
    assert.deepEqual((await get('/extension-requests', sub.token)).body.items, []);
    assertProblem(await get(`/extension-requests/${req.id}`, sub.token), 404, 'not_found');
    assertProblem(await call(stack, 'POST', `/extension-requests/${req.id}/grant`, { token: teacher.token, body: { until: addDays(today, 2) } }), 403, 'forbidden');
    // An until before the deadline is refused and the request stays pending.
    r = await call(stack, 'POST', `/extension-requests/${req.id}/grant`, { token: admin.token, body: { until: l.date } });
    assertProblem(r, 422, 'validation_failed');
    assert.equal((await get(`/extension-requests/${req.id}`)).body.status, 'pending');
    r = await call(stack, 'POST', `/extension-requests/${req.id}/grant`, { token: admin.token, body: { until: addDays(today, 2) } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'granted');
    assert.equal(r.body.decided_by, admin.id);
    const lesson = (await get(`/lessons/${l.id}`, teacher.token)).body;
    assert.equal(lesson.state, 'due');
    assert.equal(lesson.extension.until, r.body.until);
    assert.equal(lesson.extension.reason, 'Biju slima');
    assert.equal((await get(`/extension-requests/${req.id}`, teacher.token)).body.status, 'granted');
    assertProblem(await call(stack, 'POST', `/extension-requests/${req.id}/grant`, { token: admin.token, body: { until: addDays(today, 3) } }),
      409, 'extension_request_not_pending');
    // While the extension runs, asking again makes no sense: record.
    r = await ask(l.id, { reason: 'x' });
    assertProblem(r, 409, 'extension_in_force');
    assert.equal(r.body.extension_until, lesson.extension.until);
    r = await call(stack, 'PUT', `/lessons/${l.id}/entry`, { token: teacher.token,
      body: { topic: 'Vēlāk', attendance: [{ student_id: student.id, status: 'present' }] } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.late, true);
    assert.deepEqual((await auditActions('extension_request', req.id)).map((a) => [a.action, a.actor_id]),
      [['extension_request.create', teacher.id], ['extension_request.grant', admin.id]]);
    assert.ok((await auditActions('lesson', l.id)).some((a) => a.action === 'lesson.extension' && a.actor_id === admin.id));
  });

  test('issue 15 the superuser declines with a note the teacher sees; the lesson is unchanged', async () => {
    const l = await lessonOn(g, addDays(today, -30), '11:00', '12:00');
    let r = await ask(l.id, { reason: 'Aizmirsu' });
    assert.equal(r.status, 201, r.text);
    const id = r.body.id;
    assertProblem(await call(stack, 'POST', `/extension-requests/${id}/decline`, { token: admin.token, body: { note: '  ' } }), 422, 'validation_failed');
    r = await call(stack, 'POST', `/extension-requests/${id}/decline`, { token: admin.token, body: { note: 'Par vēlu' } });
    assert.equal(r.status, 200, r.text);
    const seen = (await get(`/extension-requests/${id}`, teacher.token)).body;
    assert.equal(seen.status, 'declined');
    assert.equal(seen.decision_note, 'Par vēlu');
    const lesson = (await get(`/lessons/${l.id}`)).body;
    assert.equal(lesson.extension, null);
    assert.equal(lesson.state, 'overdue');
    assertProblem(await call(stack, 'POST', `/extension-requests/${id}/decline`, { token: admin.token, body: { note: 'x' } }), 409, 'extension_request_not_pending');
    assert.deepEqual((await get(`/extension-requests?status=declined&lesson_id=${l.id}`, teacher.token)).body.items.map((x) => x.id), [id]);
    // A new request after a decision is allowed.
    r = await ask(l.id, { reason: 'Lūdzu vēlreiz' });
    assert.equal(r.status, 201, r.text);
  });

  test('issue 15 who may ask: only the conducting teacher (the substitute when one is assigned), with a reason', async () => {
    const l = await recentLesson(g, '17:00', '18:00');
    let r = await call(stack, 'PUT', `/lessons/${l.id}/substitute`, { token: admin.token, body: { teacher_id: sub.id } });
    assert.equal(r.status, 200, r.text);
    assertProblem(await ask(l.id, { reason: 'x' }), 403, 'not_conducting_teacher');
    r = await ask(l.id, { reason: 'Aizvietoju' }, sub.token);
    assert.equal(r.status, 201, r.text);
    const other = await lessonOn(g, addDays(today, -30), '13:00', '14:00');
    assertProblem(await ask(other.id, { reason: 'x' }, sub.token), 404, 'not_found');
    assertProblem(await ask(other.id, { reason: 'x' }, admin.token), 403, 'forbidden');
    assertProblem(await ask(other.id, { reason: ' ' }), 422, 'validation_failed');
    assertProblem(await ask(other.id, {}), 422, 'validation_failed');
    assertProblem(await ask(other.id, { reason: 'x', until: '2030-01-01' }), 400, 'unknown_field');
    r = await call(stack, 'POST', `/lessons/${other.id}/cancel`, { token: admin.token, body: { reason: 'Slims' } });
    assert.equal(r.status, 200, r.text);
    assertProblem(await ask(other.id, { reason: 'x' }), 409, 'lesson_cancelled');
    assertProblem(await get('/extension-requests?status=open'), 400, 'invalid_query');
  });
});

describe('issue 15 §14 POST /absence-reports/{id}/withdraw: a guardian withdraws their own pending report', () => {
  let parent, coParent, stranger, child, other;
  before(async () => {
    const family = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Bērns', 'Cits'],
      starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
    [child, other] = family.students;
    parent = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
    coParent = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
    stranger = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
    for (const [s, u] of [[child, parent], [child, coParent], [other, stranger]]) {
      const r = await call(stack, 'PUT', `/students/${s.id}/guardians/${u.id}`, { token: admin.token });
      assert.equal(r.status, 200, r.text);
    }
    for (const u of [parent, coParent, stranger]) await activate(stack, u);
  });
  const report = () => post(stack, parent.token, '/absence-reports',
    { student_id: child.id, from_date: today, to_date: today, reason_code: 'illness' });
  const withdraw = (id, token, body) => call(stack, 'POST', `/absence-reports/${id}/withdraw`, { token, body });

  test('issue 15 the guardian who filed it withdraws it; then it is withdrawn and nobody can apply it', async () => {
    const rep = await report();
    assert.equal(rep.status, 'pending');
    let r = await withdraw(rep.id, parent.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'withdrawn');
    assert.equal(r.body.decided_by, parent.id);
    assert.ok(r.body.decided_at);
    assert.equal(r.headers.get('etag'), `"v${r.body.version}"`);
    assert.equal((await get(`/absence-reports/${rep.id}`, parent.token)).body.status, 'withdrawn');
    r = await withdraw(rep.id, parent.token);
    assertProblem(r, 409, 'report_not_pending');
    assert.equal(r.body.report_status, 'withdrawn');
    assertProblem(await call(stack, 'POST', `/absence-reports/${rep.id}/apply`, { token: admin.token }), 409, 'report_not_pending');
    assert.ok((await get('/absence-reports?status=withdrawn', parent.token)).body.items.some((x) => x.id === rep.id));
    assert.deepEqual((await auditActions('absence_report', rep.id)).map((a) => [a.action, a.actor_id]).slice(-1),
      [['absence_report.withdraw', parent.id]]);
  });

  test('issue 15 only its own guardian: another guardian of the child 403, a stranger 404, staff roles 403; applied ones stay', async () => {
    const rep = await report();
    assertProblem(await withdraw(rep.id, coParent.token), 403, 'forbidden');
    assertProblem(await withdraw(rep.id, stranger.token), 404, 'not_found');
    assertProblem(await withdraw(rep.id, admin.token), 403, 'forbidden');
    assertProblem(await withdraw(rep.id, teacher.token), 403, 'forbidden');
    assertProblem(await withdraw(rep.id, parent.token, { note: 'x' }), 400, 'unknown_field');
    assert.equal((await get(`/absence-reports/${rep.id}`)).body.status, 'pending', 'nothing changed');
    const r = await call(stack, 'POST', `/absence-reports/${rep.id}/apply`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    assertProblem(await withdraw(rep.id, parent.token, {}), 409, 'report_not_pending');
  });
});

// ---- the smaller points ---------------------------------------------------------------------

describe('issue 15 smaller points: messages that say what is wrong', () => {
  test('issue 15 an unquoted If-Match (v2, 2) or a weak one is 412 saying the ETag goes with its quotes; nothing changes', async () => {
    const prog = await post(stack, admin.token, '/programs', { code: `IM${Date.now() % 100000}`, name: 'If-Match' });
    for (const [value, hint] of [['v1', '"v1"'], ['1', '"v1"'], ['W/"v1"', 'W/']]) {
      const r = await call(stack, 'PATCH', `/programs/${prog.id}`, { token: admin.token, body: { name: 'Changed' },
        headers: { 'if-match': value } });
      assertProblem(r, 412, 'precondition_failed');
      assert.ok(r.body.detail.includes(hint), `${value}: ${r.body.detail}`);
    }
    assert.match((await call(stack, 'PATCH', `/programs/${prog.id}`, { token: admin.token, body: { name: 'Changed' },
      headers: { 'if-match': 'v1' } })).body.detail, /quotes/);
    assert.equal((await get(`/programs/${prog.id}`)).body.name, 'If-Match');
    const r = await call(stack, 'PATCH', `/programs/${prog.id}`, { token: admin.token, body: { name: 'Changed' },
      headers: { 'if-match': '"v1"' } });
    assert.equal(r.status, 200, r.text);
  });

  test('issue 15 GET /calendar/deadline without date says it is required; a bad date says it must be a real date', async () => {
    let r = await get('/calendar/deadline');
    assertProblem(r, 400, 'invalid_query');
    assert.match(r.body.detail, /date is required/);
    r = await get('/calendar/deadline?date=2026-02-30');
    assertProblem(r, 400, 'invalid_query');
    assert.match(r.body.detail, /real date/);
  });
});

describe('issue 15 smaller points: tokens and the log', () => {
  test('issue 15 a refused access token gets WWW-Authenticate error="invalid_token" with a description; no token, a bare challenge', async () => {
    let r = await call(stack, 'GET', '/me', { token: 'not-a-token' });
    assertProblem(r, 401, 'invalid_token');
    assert.equal(r.headers.get('www-authenticate'),
      'Bearer realm="ejournal", error="invalid_token", error_description="The access token is invalid"');
    r = await call(stack, 'GET', '/me');
    assertProblem(r, 401, 'unauthenticated');
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="ejournal"');
    // A login refused is no Bearer-token matter either.
    r = await call(stack, 'POST', '/auth/login', { body: { username: 'admin', password: 'wrong password here' } });
    assert.equal(r.status, 401, r.text);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="ejournal"');
  });

  test('issue 15 duration_ms is logged to the microsecond, not with 17 digits', async () => {
    const id = `dur-${Date.now()}`;
    const r = await call(stack, 'GET', `${stack.base}/healthz`, { headers: { 'x-request-id': id } });
    assert.equal(r.status, 200);
    await stack.waitForLog((o) => o.request_id === id && o.msg === 'request');
    const line = stack.rawLogs().split('\n').find((l) => l.includes(`"request_id":"${id}"`));
    const m = /"duration_ms":([0-9.eE+-]+)/.exec(line);
    assert.ok(m, line);
    const decimals = (m[1].split('.')[1] || '').length;
    assert.ok(decimals <= 3 && !/e/i.test(m[1]), `duration_ms ${m[1]}`);
  });
});
