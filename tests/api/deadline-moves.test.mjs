// Deadlines that move (issue 10, §13, §19, §22): a calendar change or a new number of deadline
// days moves the deadlines of the lessons not yet recorded; each moved lesson is audited
// (lesson.deadline, before and after) and appears once in the change feed (GET /changes) with its
// new deadline. A recorded lesson keeps the deadline it was judged by, a cancelled one its own.
// Run alone with: bash scripts/test.sh tests/api/deadline-moves.test.mjs
//
// The dates are fixed in the school year 2025/26 (in the past: lessons there may be recorded by the
// superuser at once); early February and March 2026 have no public holiday in Latvia, and Riga is
// on winter time (UTC+2), so a deadline ends at 21:59:59Z.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';
import { call, startStack } from './lib/stack.mjs';

let stack, admin, sync, teacher, inst;

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  sync = await makeUser(stack, admin, { roles: ['integration'] });
  teacher = await makeUser(stack, admin, { roles: ['teacher'] });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna'],
    yearName: 'Deadlines 2025/26', starts_on: '2025-09-01', ends_on: '2026-05-31' });
});
after(async () => stack && stack.stop());

const send = (method, path, body, token = admin.token) => call(stack, method, path, { token, body });
const get = (path, token = admin.token) => call(stack, 'GET', path, { token });

async function latest() {
  const r = await get('/changes/bounds', sync.token);
  assert.equal(r.status, 200, r.text);
  return r.body.latest;
}

// Every change after `cursor` (bounded: the test makes a few dozen).
async function drain(cursor) {
  const items = [];
  for (let i = 0; i < 50; i++) {
    const r = await get(`/changes?after=${cursor}&limit=500`, sync.token);
    assert.equal(r.status, 200, r.text);
    items.push(...r.body.items);
    cursor = r.body.next;
    if (r.body.items.length < 500) return items;
  }
  throw new Error('feed did not end');
}

const lessonUpserts = (items, id) => items.filter((c) => c.entity === 'lesson' && c.id === id && c.op === 'upsert');

// The newest audit record of a lesson.
async function lastAudit(id) {
  const r = await get(`/audit?entity=lesson&entity_id=${id}&limit=1`);
  assert.equal(r.status, 200, r.text);
  return r.body.items[0];
}

async function lesson(date, starts_at) {
  return post(stack, admin.token, '/lessons', { group_id: inst.group.id, date, starts_at, ends_at: `${starts_at.slice(0, 2)}:45` });
}

describe('issue 10 deadlines that move are audited and in the change feed', () => {
  test('§19 §13 a holiday moves an unrecorded lesson\'s deadline: audited with before and after, once in GET /changes with the new deadline; recorded and cancelled lessons keep theirs', async () => {
    const open = await lesson('2026-02-03', '10:00');
    const recorded = await lesson('2026-02-03', '11:00');
    const cancelled = await lesson('2026-02-03', '12:00');
    assert.equal(open.deadline, '2026-02-05T21:59:59Z'); // Tue → Wed, Thu
    let r = await send('PUT', `/lessons/${recorded.id}/entry`, { topic: 'Māla sagatavošana',
      attendance: [{ student_id: inst.students[0].id, status: 'present' }] });
    assert.equal(r.status, 200, r.text);
    const recordedBefore = r.body;
    r = await send('POST', `/lessons/${cancelled.id}/cancel`, { reason: 'Telpa aizņemta' });
    assert.equal(r.status, 200, r.text);
    const cancelledBefore = r.body;

    const from = await latest();
    r = await send('POST', '/calendar/holidays', { date: '2026-02-04', name: 'Skolas jubileja' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.deadlines_changed, 1, r.text); // only the open lesson
    const moved = (await get(`/lessons/${open.id}`)).body;
    assert.equal(moved.deadline, '2026-02-06T21:59:59Z'); // Tue → Thu, Fri
    assert.equal(moved.version, open.version + 1);

    // §19: the move is attributable, with the deadline before and after
    const a = await lastAudit(open.id);
    assert.equal(a.action, 'lesson.deadline');
    assert.equal(a.actor_id, admin.id);
    assert.deepEqual(a.before, { deadline: '2026-02-05T21:59:59Z', version: open.version });
    assert.deepEqual(a.after, { deadline: '2026-02-06T21:59:59Z', version: open.version + 1 });

    // the feed: the calendar entry, then one upsert of the moved lesson as GET shows it
    const items = await drain(from);
    assert.equal(items[0].entity, 'calendar_entry');
    const ups = lessonUpserts(items, open.id);
    assert.equal(ups.length, 1, JSON.stringify(items.map((c) => `${c.entity}:${c.id}`)));
    assert.equal(ups[0].data.deadline, '2026-02-06T21:59:59Z');
    assert.deepEqual({ ...ups[0].data, state: null }, { ...moved, state: null });

    // the recorded lesson was judged by its deadline and keeps it; the cancelled one too
    for (const [l, was] of [[recorded, recordedBefore], [cancelled, cancelledBefore]]) {
      const now = (await get(`/lessons/${l.id}`)).body;
      assert.equal(now.deadline, '2026-02-05T21:59:59Z');
      assert.equal(now.version, was.version);
      assert.equal(lessonUpserts(items, l.id).length, 0);
      assert.notEqual((await lastAudit(l.id)).action, 'lesson.deadline');
    }

    // deleting the holiday moves it back, audited and in the feed again
    const from2 = await latest();
    r = await send('DELETE', '/calendar/holidays/2026-02-04');
    assert.equal(r.status, 204, r.text);
    const back = await lastAudit(open.id);
    assert.equal(back.action, 'lesson.deadline');
    assert.equal(back.before.deadline, '2026-02-06T21:59:59Z');
    assert.equal(back.after.deadline, '2026-02-05T21:59:59Z');
    const items2 = await drain(from2);
    assert.deepEqual(lessonUpserts(items2, open.id).map((c) => c.data.deadline), ['2026-02-05T21:59:59Z']);
    assert.equal(lessonUpserts(items2, recorded.id).length, 0);
  });

  test('§19 §13 a transferred working day moves deadlines back: audited and in the feed', async () => {
    const l = await lesson('2026-02-13', '10:00'); // Fri → Mon, Tue
    assert.equal(l.deadline, '2026-02-17T21:59:59Z');
    const from = await latest();
    let r = await send('POST', '/calendar/working-days', { date: '2026-02-14', note: 'Pārceltā darba diena' });
    assert.equal(r.status, 201, r.text);
    assert.ok(r.body.deadlines_changed >= 1, r.text);
    const a = await lastAudit(l.id);
    assert.equal(a.action, 'lesson.deadline');
    assert.deepEqual([a.before.deadline, a.after.deadline], ['2026-02-17T21:59:59Z', '2026-02-16T21:59:59Z']); // Sat, Mon
    const ups = lessonUpserts(await drain(from), l.id);
    assert.deepEqual(ups.map((c) => c.data.deadline), ['2026-02-16T21:59:59Z']);
    r = await send('DELETE', '/calendar/working-days/2026-02-14');
    assert.equal(r.status, 204, r.text);
    assert.equal((await get(`/lessons/${l.id}`)).body.deadline, '2026-02-17T21:59:59Z');
  });

  test('§22 §19 a new number of deadline days moves each unrecorded lesson once in GET /changes, each audited; a recorded one stays out', async () => {
    const open = await lesson('2026-03-03', '10:00');
    const recorded = await lesson('2026-03-03', '11:00');
    assert.equal(open.deadline, '2026-03-05T21:59:59Z'); // Tue → Wed, Thu
    let r = await send('PUT', `/lessons/${recorded.id}/entry`, { topic: 'Apdedzināšana',
      attendance: [{ student_id: inst.students[0].id, status: 'present' }] });
    assert.equal(r.status, 200, r.text);

    const from = await latest();
    r = await send('PATCH', '/settings', { entry_deadline_working_days: 3 });
    assert.equal(r.status, 200, r.text);
    const changed = r.body.deadlines_changed;
    try {
      const items = await drain(from);
      assert.equal(items[0].entity, 'settings');
      const lessons = items.filter((c) => c.entity === 'lesson');
      assert.equal(lessons.length, changed, 'one upsert per moved lesson');
      assert.equal(new Set(lessons.map((c) => c.id)).size, changed);
      const ups = lessonUpserts(items, open.id);
      assert.equal(ups.length, 1);
      assert.equal(ups[0].data.deadline, '2026-03-06T21:59:59Z'); // Wed, Thu, Fri
      assert.equal(lessonUpserts(items, recorded.id).length, 0);
      const a = await lastAudit(open.id);
      assert.equal(a.action, 'lesson.deadline');
      assert.equal(a.actor_id, admin.id);
      assert.deepEqual([a.before.deadline, a.after.deadline], ['2026-03-05T21:59:59Z', '2026-03-06T21:59:59Z']);
      // every lesson in the feed has its audit record of the move
      for (const c of lessons) assert.equal((await lastAudit(c.id)).action, 'lesson.deadline');
      assert.notEqual((await lastAudit(recorded.id)).action, 'lesson.deadline');
    } finally {
      r = await send('PATCH', '/settings', { entry_deadline_working_days: 2 });
      assert.equal(r.status, 200, r.text);
    }
    assert.equal((await get(`/lessons/${open.id}`)).body.deadline, '2026-03-05T21:59:59Z');
  });
});
