// Schedule and lessons: weekly slots become the year's lessons, public holidays skipped; single
// lessons, state and deadline, cancellation, substitutes, who sees which lesson
// (RULES.md §12, §13, §15, §17, §20).
// Run alone with: EJ_BIN=build/ejournal node --test tests/api/lessons.test.mjs
//
// States depend on the clock: "planned" lessons are put in a school year far in the future
// (2040/41) and "overdue" ones in a past one (2024/25), so the tests pass on any date.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem } from './lib/assert.mjs';
import { activate, adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';
import { call, startStack } from './lib/stack.mjs';

let stack, admin, teacher, otherTeacher, sub, staff, parent, studentUser, inst, otherInst, future, past;

// Signs in a user created with activate: false, changing the one-time password.
before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  teacher = await makeUser(stack, admin, { roles: ['teacher'] });
  otherTeacher = await makeUser(stack, admin, { roles: ['teacher'] });
  sub = await makeUser(stack, admin, { roles: ['teacher'] });
  staff = await makeUser(stack, admin, { roles: ['staff'] });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Mine'] });
  otherInst = await makeInstitution(stack, admin, { teachers: [otherTeacher.id], students: ['Not Mine'] });
  future = await makeInstitution(stack, admin, { teachers: [teacher.id], starts_on: '2040-09-01', ends_on: '2041-05-31' });
  past = await makeInstitution(stack, admin, { teachers: [teacher.id], starts_on: '2024-09-01', ends_on: '2025-05-31' });
  parent = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  let r = await call(stack, 'PUT', `/students/${inst.students[0].id}/guardians/${parent.id}`, { token: admin.token });
  assert.equal(r.status, 200, r.text);
  await activate(stack, parent);
  studentUser = await makeUser(stack, admin, { roles: ['student'], activate: false });
  r = await call(stack, 'PATCH', `/students/${inst.students[0].id}`, { token: admin.token, body: { user_id: studentUser.id } });
  assert.equal(r.status, 200, r.text);
  await activate(stack, studentUser);
});
after(async () => stack && stack.stop());

const get = (path, token = admin.token) => call(stack, 'GET', path, { token });
const lesson = (groupId, date, starts_at = '15:00', ends_at = '16:30', extra = {}) =>
  post(stack, admin.token, '/lessons', { group_id: groupId, date, starts_at, ends_at, ...extra });
const slot = (groupId, body, token = admin.token) =>
  call(stack, 'POST', `/groups/${groupId}/schedule`, { token, body });

async function listAll(query, token = admin.token) {
  const r = await get(`/lessons?${query}`, token);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}

async function deadlineOf(date) {
  return (await get(`/calendar/deadline?date=${date}`)).body.deadline;
}

describe('§12 §17 the schedule: weekly slots become lessons, public holidays skipped', () => {
  const body = { weekday: 3, starts_at: '15:00', ends_at: '16:30', room: '101',
    valid_from: '2026-11-01', valid_to: '2026-11-30' };
  let first;

  test('§17 a weekly slot across a holiday skips it: Wednesdays of November 2026 without the 18th', async () => {
    const r = await slot(inst.group.id, body);
    assert.equal(r.status, 201, r.text);
    first = r.body;
    assert.equal(r.body.lessons_created, 3);
    assert.equal(r.body.skipped.length, 1);
    assert.equal(r.body.skipped[0].date, '2026-11-18');
    assert.equal(r.body.skipped[0].reason, 'public_holiday');
    assert.equal(typeof r.body.skipped[0].name, 'string');
    assert.deepEqual(
      { weekday: r.body.slot.weekday, starts_at: r.body.slot.starts_at, ends_at: r.body.slot.ends_at,
        room: r.body.slot.room, hours: r.body.slot.hours, group_id: r.body.slot.group_id },
      { weekday: 3, starts_at: '15:00', ends_at: '16:30', room: '101', hours: 2, group_id: inst.group.id },
    );
    const items = await listAll(`group_id=${inst.group.id}&from=2026-11-01&to=2026-11-30`);
    assert.deepEqual(items.map((l) => l.date), ['2026-11-04', '2026-11-11', '2026-11-25']);
    for (const l of items) {
      assert.equal(l.hours, 2);
      assert.equal(l.slot_id, r.body.slot.id);
      assert.equal(l.room, '101');
      assert.equal(l.teacher_id, teacher.id);
      assert.deepEqual(l.teacher_ids, [teacher.id]);
      assert.equal(l.deadline, await deadlineOf(l.date));
    }
    const audit = await stack.query(`SELECT action FROM audit_log WHERE entity = 'schedule_slot' AND entity_id = '${r.body.slot.id}'`);
    assert.deepEqual(audit, [{ action: 'schedule.create' }]);
  });

  test('§12 posting the same slot twice creates nothing twice', async () => {
    const [[before]] = await stack.psql(`SELECT count(*) FROM lessons WHERE group_id = ${inst.group.id}`);
    const r = await slot(inst.group.id, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.slot.id, first.slot.id);
    assert.equal(r.body.lessons_created, 0);
    assert.deepEqual(r.body.skipped.map((s) => [s.date, s.reason]), [
      ['2026-11-04', 'lesson_exists'], ['2026-11-11', 'lesson_exists'],
      ['2026-11-18', 'public_holiday'], ['2026-11-25', 'lesson_exists']]);
    const [[after]] = await stack.psql(`SELECT count(*) FROM lessons WHERE group_id = ${inst.group.id}`);
    assert.equal(after, before);
    const [[slots]] = await stack.psql(`SELECT count(*) FROM schedule_slots WHERE group_id = ${inst.group.id}`);
    assert.equal(slots, '1');
    // The same weekday, start and dates with another end is a different slot: a conflict.
    const c = await slot(inst.group.id, { ...body, ends_at: '17:00' });
    assertProblem(c, 409, 'slot_exists');
    assert.equal(c.body.slot.id, first.slot.id);
    // A slot whose times overlap the existing lessons creates none on those dates.
    const o = await slot(inst.group.id, { ...body, starts_at: '16:00', ends_at: '17:00' });
    assert.equal(o.status, 201, o.text);
    assert.equal(o.body.lessons_created, 0);
    // The schedule lists both slots.
    const s = await get(`/groups/${inst.group.id}/schedule`, teacher.token);
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.body.items.map((x) => x.id), [first.slot.id, o.body.slot.id]);
    assert.equal(s.body.items[0].lessons, 3);
    assert.equal(s.body.next, null);
  });

  test('§12 the same slot posted twice at once still creates its lessons once', async () => {
    const g = await makeInstitution(stack, admin, { teachers: [teacher.id] });
    const b = { weekday: 4, starts_at: '14:00', ends_at: '15:30', valid_from: '2026-09-01', valid_to: '2026-12-31' };
    const rs = await Promise.all([slot(g.group.id, b), slot(g.group.id, b), slot(g.group.id, b)]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 200, 201], rs.map((r) => r.text).join('\n'));
    assert.equal(new Set(rs.map((r) => r.body.slot.id)).size, 1);
    const created = rs.reduce((n, r) => n + r.body.lessons_created, 0);
    const [[count]] = await stack.psql(`SELECT count(*) FROM lessons WHERE group_id = ${g.group.id}`);
    assert.equal(Number(count), created);
    assert.ok(created >= 15, `created ${created}`);
  });

  test('§12 one slot gives the whole school year of lessons (Mondays, without Easter Monday 2027)', async () => {
    const g = await makeInstitution(stack, admin, { teachers: [teacher.id] });
    const r = await slot(g.group.id, { weekday: 1, starts_at: '09:00', ends_at: '09:45',
      valid_from: '2026-09-01', valid_to: '2027-05-31' });
    assert.equal(r.status, 201, r.text);
    const mondays = [];
    for (let d = new Date(Date.UTC(2026, 8, 1)); d <= new Date(Date.UTC(2027, 4, 31)); d.setUTCDate(d.getUTCDate() + 1)) {
      if (d.getUTCDay() === 1) mondays.push(d.toISOString().slice(0, 10));
    }
    assert.deepEqual(r.body.skipped.map((s) => s.date), ['2027-03-29']);
    assert.equal(r.body.lessons_created, mondays.length - 1);
    assert.equal(r.body.slot.hours, 1);
    const items = await listAll(`group_id=${g.group.id}&limit=500`);
    assert.deepEqual(items.map((l) => l.date), mondays.filter((d) => d !== '2027-03-29'));
  });

  test('§12 schedule input is checked: types 400, values 422, unknown group 404', async () => {
    const ok = { weekday: 2, starts_at: '10:00', ends_at: '11:00', valid_from: '2026-09-01', valid_to: '2026-12-31' };
    const cases = [
      [{ ...ok, extra: true }, 400, 'unknown_field', 'extra'],
      [{ ...ok, weekday: '2' }, 400, 'invalid_field', 'weekday'],
      [{ ...ok, starts_at: 1000 }, 400, 'invalid_field', 'starts_at'],
      [{ ...ok, weekday: 0 }, 422, 'validation_failed', 'weekday'],
      [{ ...ok, weekday: 8 }, 422, 'validation_failed', 'weekday'],
      [{ ...ok, starts_at: '24:00' }, 422, 'validation_failed', 'starts_at'],
      [{ ...ok, ends_at: '10:00' }, 422, 'validation_failed', 'ends_at'],
      [{ ...ok, ends_at: '09:00' }, 422, 'validation_failed', 'ends_at'],
      [{ ...ok, valid_to: '2026-08-31' }, 422, 'validation_failed', 'valid_to'],
      [{ ...ok, valid_from: '2026-02-30' }, 422, 'validation_failed', 'valid_from'],
      [{ ...ok, valid_from: '2026-08-01' }, 422, 'validation_failed', 'valid_from'],
      [{ ...ok, valid_to: '2027-06-30' }, 422, 'validation_failed', 'valid_to'],
      [{ ...ok, room: ' ' }, 422, 'validation_failed', 'room'],
      [{ weekday: 2 }, 422, 'validation_failed', 'starts_at'],
    ];
    for (const [b, status, code, field] of cases) {
      const r = await slot(inst.group.id, b);
      assertProblem(r, status, code);
      assert.equal(r.body.errors[0].field, field, JSON.stringify(b));
    }
    assertProblem(await slot(99999999, ok), 404, 'not_found');
    assertProblem(await slot('abc', ok), 404, 'not_found');
    assertProblem(await get('/groups/99999999/schedule'), 404, 'not_found');
  });
});

describe('§17 single lessons', () => {
  test('§17 a lesson on 18 November is refused with 422 public_holiday', async () => {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: inst.group.id, date: '2026-11-18', starts_at: '15:00', ends_at: '16:30' } });
    assertProblem(r, 422, 'public_holiday');
    assert.equal(r.body.date, '2026-11-18');
    assert.equal(typeof r.body.holiday, 'string');
    // Easter Monday and a weekend-transferred day are holidays too.
    assertProblem(await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: future.group.id, date: '2041-04-22', starts_at: '15:00', ends_at: '16:30' } }), 422, 'public_holiday');
  });

  test('§12 a single lesson: hours in academic hours (45 min), its deadline, state planned', async () => {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: future.group.id, date: '2040-10-03', starts_at: '10:00', ends_at: '11:30', room: 'Zāle' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('location'), `/api/v1/lessons/${r.body.id}`);
    assert.equal(r.headers.get('etag'), `"v${r.body.version}"`);
    const l = r.body;
    assert.deepEqual(
      { group_id: l.group_id, date: l.date, starts_at: l.starts_at, ends_at: l.ends_at, hours: l.hours, room: l.room,
        state: l.state, teacher_id: l.teacher_id, substitute_teacher_id: l.substitute_teacher_id, topic: l.topic,
        conducted_by: l.conducted_by, recorded_at: l.recorded_at, late: l.late, attendance: l.attendance, slot_id: l.slot_id },
      { group_id: future.group.id, date: '2040-10-03', starts_at: '10:00', ends_at: '11:30', hours: 2, room: 'Zāle',
        state: 'planned', teacher_id: teacher.id, substitute_teacher_id: null, topic: null,
        conducted_by: null, recorded_at: null, late: false, attendance: [], slot_id: null },
    );
    assert.equal(l.deadline, await deadlineOf('2040-10-03'));
    assert.equal(l.deadline, '2040-10-05T20:59:59Z'); // Wed → Thu, Fri, summer time
    assert.equal((await lesson(future.group.id, '2040-10-04', '10:00', '11:00')).hours, 1.33);
    assert.equal((await lesson(future.group.id, '2040-10-04', '12:00', '12:45')).hours, 1);
    assert.equal((await lesson(future.group.id, '2040-10-04', '13:00', '13:50')).hours, 1.11);
    const g = await get(`/lessons/${l.id}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body, l);
    assert.equal(g.headers.get('etag'), `"v${l.version}"`);
    const audit = await stack.query(`SELECT action FROM audit_log WHERE entity = 'lesson' AND entity_id = '${l.id}'`);
    assert.deepEqual(audit, [{ action: 'lesson.create' }]);
  });

  test('§12 one lesson per group and time: the same start 409 lesson_exists, an overlap 409 lesson_overlaps', async () => {
    const l = await lesson(future.group.id, '2040-10-09', '15:00', '16:30');
    let r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: future.group.id, date: '2040-10-09', starts_at: '15:00', ends_at: '15:45' } });
    assertProblem(r, 409, 'lesson_exists');
    assert.equal(r.body.lesson_id, l.id);
    r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: future.group.id, date: '2040-10-09', starts_at: '16:00', ends_at: '17:00' } });
    assertProblem(r, 409, 'lesson_overlaps');
    // Back to back is fine, and another group at the same time too.
    await lesson(future.group.id, '2040-10-09', '16:30', '17:15');
    await lesson(otherInst.group.id, '2026-12-01', '15:00', '16:30');
  });

  test('§12 single lesson input is checked', async () => {
    const ok = { group_id: future.group.id, date: '2040-11-06', starts_at: '10:00', ends_at: '11:00' };
    const cases = [
      [{ ...ok, teacher_id: 1 }, 400, 'unknown_field', 'teacher_id'],
      [{ ...ok, group_id: String(future.group.id) }, 400, 'invalid_field', 'group_id'],
      [{ ...ok, date: '06.11.2040' }, 422, 'validation_failed', 'date'],
      [{ ...ok, ends_at: '09:59' }, 422, 'validation_failed', 'ends_at'],
      [{ ...ok, group_id: 0 }, 422, 'validation_failed', 'group_id'],
      [{ ...ok, group_id: 99999999 }, 422, 'validation_failed', 'group_id'],
      [{ ...ok, date: '2041-06-01' }, 422, 'validation_failed', 'date'],
      [{ group_id: future.group.id }, 422, 'validation_failed', 'date'],
    ];
    for (const [b, status, code, field] of cases) {
      const r = await call(stack, 'POST', '/lessons', { token: admin.token, body: b });
      assertProblem(r, status, code);
      assert.equal(r.body.errors[0].field, field, JSON.stringify(b));
    }
  });

  test('§12 only the superuser enters lessons, schedules, cancellations and substitutes', async () => {
    const l = await lesson(future.group.id, '2040-11-13');
    for (const who of [teacher, staff, parent]) {
      for (const [method, path, body] of [
        ['POST', '/lessons', { group_id: future.group.id, date: '2040-11-14', starts_at: '10:00', ends_at: '11:00' }],
        ['POST', `/groups/${future.group.id}/schedule`, { weekday: 1, starts_at: '10:00', ends_at: '11:00', valid_from: '2040-09-01', valid_to: '2040-09-30' }],
        ['POST', `/lessons/${l.id}/cancel`, { reason: 'x' }],
        ['PUT', `/lessons/${l.id}/substitute`, { teacher_id: sub.id }],
        ['DELETE', `/lessons/${l.id}/substitute`],
      ]) {
        assertProblem(await call(stack, method, path, { token: who.token, body }), 403, 'forbidden');
      }
    }
  });
});

describe('§13 lesson state and the GET /lessons filters', () => {
  let overdue, recorded, cancelled, planned;
  before(async () => {
    overdue = await lesson(past.group.id, '2024-10-01');
    recorded = await lesson(past.group.id, '2024-10-08');
    cancelled = await lesson(past.group.id, '2024-10-15');
    planned = await lesson(future.group.id, '2040-12-04');
    // Entries come with issue 6: record one directly.
    await stack.psql(`UPDATE lessons SET topic = 'Māla veidošana', conducted_by = ${teacher.id},
      recorded_at = '2024-10-08 18:00+03' WHERE id = ${recorded.id}`);
    const r = await call(stack, 'POST', `/lessons/${cancelled.id}/cancel`, { token: admin.token, body: { reason: 'Skolotāja slima' } });
    assert.equal(r.status, 200, r.text);
  });

  test('§13 a lesson past its deadline with no entry is overdue; recorded once an entry exists', async () => {
    assert.equal(overdue.state, 'overdue');
    assert.equal(overdue.deadline, '2024-10-03T20:59:59Z');
    const r = await get(`/lessons/${recorded.id}`);
    assert.equal(r.body.state, 'recorded');
    assert.equal(r.body.topic, 'Māla veidošana');
    assert.equal(r.body.conducted_by, teacher.id);
    assert.equal(r.body.recorded_at, '2024-10-08T15:00:00Z');
    assert.equal((await get(`/lessons/${cancelled.id}`)).body.state, 'cancelled');
    assert.equal(planned.state, 'planned');
  });

  test('§13 ?state= filters planned, recorded, overdue and cancelled', async () => {
    const ids = async (q) => (await listAll(q)).map((l) => l.id);
    const groups = `group_id=${past.group.id}`;
    assert.deepEqual(await ids(`${groups}&state=overdue`), [overdue.id]);
    assert.deepEqual(await ids(`${groups}&state=recorded`), [recorded.id]);
    assert.deepEqual(await ids(`${groups}&state=cancelled`), [cancelled.id]);
    assert.deepEqual(await ids(`${groups}&state=planned`), []);
    assert.ok((await ids(`group_id=${future.group.id}&state=planned`)).includes(planned.id));
    for (const l of await listAll('state=overdue&limit=500')) assert.equal(l.state, 'overdue');
  });

  test('§13 ?from= ?to= ?teacher_id= filter; pages follow date order with a cursor', async () => {
    const items = await listAll(`group_id=${past.group.id}&from=2024-10-02&to=2024-10-15`);
    assert.deepEqual(items.map((l) => l.id), [recorded.id, cancelled.id]);
    assert.deepEqual((await listAll(`teacher_id=${otherTeacher.id}&from=2024-01-01&to=2024-12-31`)), []);
    assert.equal((await listAll(`teacher_id=${teacher.id}&from=2024-10-01&to=2024-10-31`)).length, 3);
    const p1 = await get(`/lessons?group_id=${past.group.id}&limit=2`);
    assert.deepEqual(p1.body.items.map((l) => l.id), [overdue.id, recorded.id]);
    assert.equal(p1.body.next, String(recorded.id));
    const p2 = await get(`/lessons?group_id=${past.group.id}&limit=2&after=${p1.body.next}`);
    assert.deepEqual(p2.body.items.map((l) => l.id), [cancelled.id]);
    assert.equal(p2.body.next, null);
  });

  test('§13 bad filters are 400 invalid_query', async () => {
    for (const q of ['state=done', 'from=2024-13-01', 'to=yesterday', 'group_id=abc', 'teacher_id=-1',
      'group_id=0', 'limit=0', 'limit=501', 'after=x']) {
      assertProblem(await get(`/lessons?${q}`), 400, 'invalid_query');
    }
  });
});

describe('§12 cancelling a lesson', () => {
  test('§12 a lesson is cancelled with a reason, once, and never once recorded', async () => {
    const l = await lesson(future.group.id, '2040-12-11');
    assertProblem(await call(stack, 'POST', `/lessons/${l.id}/cancel`, { token: admin.token, body: {} }), 422, 'validation_failed');
    assertProblem(await call(stack, 'POST', `/lessons/${l.id}/cancel`, { token: admin.token, body: { reason: ' ' } }), 422, 'validation_failed');
    assertProblem(await call(stack, 'POST', `/lessons/${l.id}/cancel`, { token: admin.token, body: { reason: 1 } }), 400, 'invalid_field');
    const r = await call(stack, 'POST', `/lessons/${l.id}/cancel`, { token: admin.token, body: { reason: 'Telpa remontā' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.state, 'cancelled');
    assert.equal(r.body.cancel_reason, 'Telpa remontā');
    assert.match(r.body.cancelled_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assertProblem(await call(stack, 'POST', `/lessons/${l.id}/cancel`, { token: admin.token, body: { reason: 'again' } }), 409, 'lesson_cancelled');
    const audit = await stack.query(`SELECT action, before->>'state' AS b, after->>'state' AS a FROM audit_log
      WHERE entity = 'lesson' AND entity_id = '${l.id}' ORDER BY id`);
    assert.deepEqual(audit, [{ action: 'lesson.create', b: null, a: 'planned' }, { action: 'lesson.cancel', b: 'planned', a: 'cancelled' }]);

    const rec = await lesson(future.group.id, '2040-12-12');
    await stack.psql(`UPDATE lessons SET recorded_at = now(), topic = 't' WHERE id = ${rec.id}`);
    assertProblem(await call(stack, 'POST', `/lessons/${rec.id}/cancel`, { token: admin.token, body: { reason: 'x' } }), 409, 'lesson_recorded');
    assertProblem(await call(stack, 'POST', '/lessons/99999999/cancel', { token: admin.token, body: { reason: 'x' } }), 404, 'not_found');
  });
});

describe('§15 substitutes', () => {
  test('§15 the superuser assigns a substitute teacher, who then sees the lesson; removing them hides it again', async () => {
    const l = await lesson(otherInst.group.id, '2026-12-02');
    assertProblem(await get(`/lessons/${l.id}`, sub.token), 404, 'not_found');
    const r = await call(stack, 'PUT', `/lessons/${l.id}/substitute`, { token: admin.token,
      body: { teacher_id: sub.id }, headers: { 'if-match': `"v${l.version}"` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.substitute_teacher_id, sub.id);
    assert.equal(r.body.teacher_id, otherTeacher.id);
    assert.equal(r.headers.get('etag'), `"v${l.version + 1}"`);
    const seen = await get(`/lessons/${l.id}`, sub.token);
    assert.equal(seen.status, 200);
    assert.deepEqual((await listAll('', sub.token)).map((x) => x.id), [l.id]);
    assert.deepEqual((await listAll(`teacher_id=${sub.id}`)).map((x) => x.id), [l.id]);
    // The substitute does not see the rest of that group.
    assertProblem(await get(`/groups/${otherInst.group.id}/schedule`, sub.token), 404, 'not_found');
    // Assigning the same substitute again changes nothing.
    const again = await call(stack, 'PUT', `/lessons/${l.id}/substitute`, { token: admin.token, body: { teacher_id: sub.id } });
    assert.equal(again.body.version, r.body.version);
    // A stale If-Match is refused.
    assertProblem(await call(stack, 'PUT', `/lessons/${l.id}/substitute`, { token: admin.token,
      body: { teacher_id: teacher.id }, headers: { 'if-match': `"v${l.version}"` } }), 412, 'precondition_failed');
    const d = await call(stack, 'DELETE', `/lessons/${l.id}/substitute`, { token: admin.token });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.body.substitute_teacher_id, null);
    assertProblem(await get(`/lessons/${l.id}`, sub.token), 404, 'not_found');
    const audit = await stack.query(`SELECT action FROM audit_log WHERE entity = 'lesson' AND entity_id = '${l.id}' ORDER BY id`);
    assert.deepEqual(audit.map((a) => a.action), ['lesson.create', 'lesson.substitute', 'lesson.substitute_remove']);
  });

  test('§15 a substitute is an active teacher who does not teach the group', async () => {
    const l = await lesson(otherInst.group.id, '2026-12-03');
    const put = (body) => call(stack, 'PUT', `/lessons/${l.id}/substitute`, { token: admin.token, body });
    let r = await put({ teacher_id: otherTeacher.id });
    assertProblem(r, 422, 'substitute_is_group_teacher');
    assert.equal(r.body.errors[0].field, 'teacher_id');
    for (const id of [parent.id, staff.id, 99999999]) {
      r = await put({ teacher_id: id });
      assertProblem(r, 422, 'not_a_teacher');
    }
    assertProblem(await put({ teacher_id: 'x' }), 400, 'invalid_field');
    assertProblem(await put({ teacher_id: 0 }), 422, 'validation_failed');
    assertProblem(await put({}), 422, 'validation_failed');
    assertProblem(await put({ teacher_id: sub.id, extra: 1 }), 400, 'unknown_field');
    assertProblem(await call(stack, 'PUT', '/lessons/99999999/substitute', { token: admin.token, body: { teacher_id: sub.id } }), 404, 'not_found');
  });

  test('§15 no substitute once the lesson is recorded or cancelled', async () => {
    const rec = await lesson(otherInst.group.id, '2026-12-04');
    await stack.psql(`UPDATE lessons SET recorded_at = now(), topic = 't' WHERE id = ${rec.id}`);
    assertProblem(await call(stack, 'PUT', `/lessons/${rec.id}/substitute`, { token: admin.token,
      body: { teacher_id: sub.id } }), 409, 'lesson_recorded');
    assertProblem(await call(stack, 'DELETE', `/lessons/${rec.id}/substitute`, { token: admin.token }), 409, 'lesson_recorded');
    const can = await lesson(otherInst.group.id, '2026-12-07');
    await post(stack, admin.token, `/lessons/${can.id}/cancel`, { reason: 'x' }, 200);
    assertProblem(await call(stack, 'PUT', `/lessons/${can.id}/substitute`, { token: admin.token,
      body: { teacher_id: sub.id } }), 409, 'lesson_cancelled');
  });
});

describe('§20 who sees which lessons', () => {
  let mine, theirs;
  before(async () => {
    mine = await lesson(inst.group.id, '2026-12-08');
    theirs = await lesson(otherInst.group.id, '2026-12-08');
  });

  test('§20 a teacher sees their groups\' lessons; another group\'s lesson is 404', async () => {
    assert.equal((await get(`/lessons/${mine.id}`, teacher.token)).status, 200);
    assertProblem(await get(`/lessons/${theirs.id}`, teacher.token), 404, 'not_found');
    const items = await listAll('from=2026-12-08&to=2026-12-08', teacher.token);
    assert.deepEqual(items.map((l) => l.id), [mine.id]);
    // Filtering by someone else's group shows nothing rather than an error.
    assert.deepEqual(await listAll(`group_id=${otherInst.group.id}`, teacher.token), []);
    assertProblem(await get(`/groups/${otherInst.group.id}/schedule`, teacher.token), 404, 'not_found');
  });

  test('§20 a guardian sees only their children\'s groups\' lessons; a student their own', async () => {
    for (const who of [parent, studentUser]) {
      assert.equal((await get(`/lessons/${mine.id}`, who.token)).status, 200);
      assertProblem(await get(`/lessons/${theirs.id}`, who.token), 404, 'not_found');
      const groups = new Set((await listAll('limit=500', who.token)).map((l) => l.group_id));
      assert.deepEqual([...groups], [inst.group.id]);
      assert.equal((await get(`/groups/${inst.group.id}/schedule`, who.token)).status, 200);
      assertProblem(await get(`/groups/${otherInst.group.id}/schedule`, who.token), 404, 'not_found');
    }
  });

  test('§8 staff and the director see every lesson', async () => {
    const director = await makeUser(stack, admin, { roles: ['director'] });
    for (const who of [staff, director]) {
      const items = await listAll('from=2026-12-08&to=2026-12-08', who.token);
      assert.deepEqual(items.map((l) => l.id).sort(), [mine.id, theirs.id].sort());
    }
  });
});

describe('§17 a one-off holiday on a date that already has lessons', () => {
  test('§17 refused with 409 lessons_on_date unless ?cancel_lessons=true, which cancels the planned ones', async () => {
    const l = await lesson(future.group.id, '2041-01-09');
    const body = { date: '2041-01-09', name: 'Valsts sēru diena' };
    let r = await call(stack, 'POST', '/calendar/holidays', { token: admin.token, body });
    assertProblem(r, 409, 'lessons_on_date');
    assert.deepEqual(r.body.lessons.map((x) => x.id), [l.id]);
    assert.equal((await get(`/lessons/${l.id}`)).body.state, 'planned');
    r = await call(stack, 'POST', '/calendar/holidays?cancel_lessons=true', { token: admin.token, body });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body.cancelled_lessons, [l.id]);
    const c = await get(`/lessons/${l.id}`);
    assert.equal(c.body.state, 'cancelled');
    assert.equal(c.body.cancel_reason, 'Svētku diena: Valsts sēru diena');
    // No new lesson on it now; deleting the holiday does not bring the cancelled lesson back.
    assertProblem(await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: future.group.id, date: '2041-01-09', starts_at: '10:00', ends_at: '11:00' } }), 422, 'public_holiday');
    assert.equal((await call(stack, 'DELETE', '/calendar/holidays/2041-01-09', { token: admin.token })).status, 204);
    assert.equal((await get(`/lessons/${l.id}`)).body.state, 'cancelled');
  });

  test('§17 a recorded lesson on the date refuses the holiday: 409 lessons_recorded_on_date', async () => {
    const l = await lesson(future.group.id, '2041-01-16');
    await stack.psql(`UPDATE lessons SET recorded_at = now(), topic = 't' WHERE id = ${l.id}`);
    const r = await call(stack, 'POST', '/calendar/holidays?cancel_lessons=true', { token: admin.token,
      body: { date: '2041-01-16', name: 'x' } });
    assertProblem(r, 409, 'lessons_recorded_on_date');
    assert.deepEqual(r.body.lessons.map((x) => [x.id, x.state]), [[l.id, 'recorded']]);
    const [[n]] = await stack.psql("SELECT count(*) FROM calendar_entries WHERE date = '2041-01-16'");
    assert.equal(n, '0');
  });

  test('§17 a transferred day off is no public holiday: lessons may be held on it', async () => {
    await post(stack, admin.token, '/calendar/holidays', { date: '2041-01-18', name: 'Brīvdiena', kind: 'day_off' });
    const l = await lesson(future.group.id, '2041-01-18');
    assert.equal(l.date, '2041-01-18');
    assert.equal((await call(stack, 'DELETE', '/calendar/holidays/2041-01-18', { token: admin.token })).status, 204);
  });
});

describe('§18 a closed school year is read-only', () => {
  test('§18 no schedule, lesson, cancellation or substitute in a closed year: 409 school_year_closed', async () => {
    const g = await makeInstitution(stack, admin, { teachers: [teacher.id], starts_on: '2039-09-01', ends_on: '2040-05-31' });
    const l = await lesson(g.group.id, '2039-10-04');
    const c = await call(stack, 'POST', `/school-years/${g.year.id}/close`, { token: admin.token });
    assert.equal(c.status, 200, c.text);
    assertProblem(await slot(g.group.id, { weekday: 2, starts_at: '10:00', ends_at: '11:00',
      valid_from: '2039-09-01', valid_to: '2039-12-31' }), 409, 'school_year_closed');
    assertProblem(await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: g.group.id, date: '2039-10-05', starts_at: '10:00', ends_at: '11:00' } }), 409, 'school_year_closed');
    assertProblem(await call(stack, 'POST', `/lessons/${l.id}/cancel`, { token: admin.token, body: { reason: 'x' } }), 409, 'school_year_closed');
    assertProblem(await call(stack, 'PUT', `/lessons/${l.id}/substitute`, { token: admin.token, body: { teacher_id: sub.id } }), 409, 'school_year_closed');
    // Still readable.
    assert.equal((await get(`/lessons/${l.id}`, teacher.token)).status, 200);
  });
});
