// Calendar: Latvian public holidays, one-off holidays, transferred days off and working days,
// entry deadlines (RULES.md §13, §17).
// Run alone with: EJ_BIN=build/ejournal node --test tests/api/calendar.test.mjs
//
// Every test that adds a calendar entry removes it again: the calendar is shared by the whole
// database, and each test uses dates of its own.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem } from './lib/assert.mjs';
import { adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';
import { call, startStack } from './lib/stack.mjs';

let stack, admin, teacher;
before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  teacher = await makeUser(stack, admin, { roles: ['teacher'] });
});
after(async () => stack && stack.stop());

const get = (path, token = admin.token) => call(stack, 'GET', path, { token });
const del = (path, token = admin.token) => call(stack, 'DELETE', path, { token });

async function deadline(date, token = admin.token) {
  const r = await get(`/calendar/deadline?date=${date}`, token);
  assert.equal(r.status, 200, r.text);
  return r.body.deadline;
}

describe('§13 entry deadlines: the end of the 2nd working day after the lesson, Riga time, in UTC', () => {
  test('§13 a lesson on Thursday 30 April 2026 is due 2026-05-06T20:59:59Z (1 and 4 May are holidays)', async () => {
    const r = await get('/calendar/deadline?date=2026-04-30', teacher.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      { date: r.body.date, deadline: r.body.deadline, due_date: r.body.due_date, working_days: r.body.working_days },
      { date: '2026-04-30', deadline: '2026-05-06T20:59:59Z', due_date: '2026-05-06', working_days: 2 },
    );
  });

  test('§13 winter time is UTC+2, summer time UTC+3, across both daylight-saving changes', async () => {
    assert.equal(await deadline('2026-01-08'), '2026-01-12T21:59:59Z'); // Thu → Fri, Mon (winter)
    assert.equal(await deadline('2026-03-26'), '2026-03-30T20:59:59Z'); // clocks go forward on 29 March
    assert.equal(await deadline('2026-10-22'), '2026-10-26T21:59:59Z'); // clocks go back on 25 October
    assert.equal(await deadline('2026-07-15'), '2026-07-17T20:59:59Z'); // Wed → Thu, Fri (summer)
  });

  test('§13 weekends and holidays are skipped: a lesson on 17 November 2026 is due on 20 November', async () => {
    // Tue 17 → Wed 18 is the Proclamation Day holiday → Thu 19 (1), Fri 20 (2).
    assert.equal(await deadline('2026-11-17'), '2026-11-20T21:59:59Z');
    // Wed 23 Dec → 24, 25 are holidays, then the weekend, 28 Dec (1), 29 Dec (2).
    assert.equal(await deadline('2026-12-23'), '2026-12-29T21:59:59Z');
  });

  test('§13 a deadline query needs a real date', async () => {
    for (const q of ['', '?date=', '?date=2026-02-30', '?date=30.04.2026', '?date=2026-4-30']) {
      assertProblem(await get(`/calendar/deadline${q}`), 400, 'invalid_query');
    }
    const r = await call(stack, 'GET', '/calendar/deadline?date=2026-04-30');
    assert.equal(r.status, 401);
  });
});

describe('§17 public holidays by law', () => {
  test('§17 the 2026 holidays include Easter-based days, 4 May and 18 November, marked law', async () => {
    const r = await get('/calendar/holidays?year=2026', teacher.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.next, null);
    const byDate = Object.fromEntries(r.body.items.map((h) => [h.date, h]));
    for (const d of ['2026-01-01', '2026-04-03', '2026-04-05', '2026-04-06', '2026-05-01', '2026-05-04',
      '2026-06-23', '2026-06-24', '2026-11-18', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31']) {
      assert.ok(byDate[d], `${d} missing from ${JSON.stringify(r.body.items.map((h) => h.date))}`);
      assert.equal(byDate[d].source, 'law');
      assert.equal(byDate[d].kind, 'holiday');
      assert.equal(typeof byDate[d].name, 'string');
    }
    assert.equal(byDate['2026-11-19'], undefined);
    const dates = r.body.items.map((h) => h.date);
    assert.deepEqual(dates, [...dates].sort(), 'sorted by date');
  });

  test('§17 18 November 2028 is a Saturday: Monday 20 November is the day off', async () => {
    const r = await get('/calendar/holidays?year=2028');
    const h = r.body.items.find((x) => x.date === '2028-11-20');
    assert.ok(h, JSON.stringify(r.body.items));
    assert.equal(h.source, 'law');
  });

  test('§17 the year must be a year', async () => {
    for (const q of ['?year=abc', '?year=20266', '?year=1800', '?year=']) {
      assertProblem(await get(`/calendar/holidays${q}`), 400, 'invalid_query');
    }
    // Without ?year= this year is listed.
    const r = await get('/calendar/holidays');
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length >= 14);
  });

  test('§17 a holiday set by law cannot be deleted', async () => {
    assertProblem(await del('/calendar/holidays/2026-11-18'), 409, 'law_holiday');
    assertProblem(await del('/calendar/holidays/2026-11-17'), 404, 'not_found');
    assertProblem(await del('/calendar/holidays/not-a-date'), 404, 'not_found');
  });
});

describe('§17 one-off holidays, days off and working days added by the superuser', () => {
  test('§17 a one-off holiday is listed as custom, moves deadlines, and can be deleted again', async () => {
    assert.equal(await deadline('2027-02-03'), '2027-02-05T21:59:59Z'); // Wed → Thu, Fri
    const r = await call(stack, 'POST', '/calendar/holidays', { token: admin.token,
      body: { date: '2027-02-04', name: 'Hokeja bronzas diena' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('location'), '/api/v1/calendar/holidays/2027-02-04');
    assert.deepEqual(
      { date: r.body.date, name: r.body.name, source: r.body.source, kind: r.body.kind, new: r.body.new_public_holidays },
      { date: '2027-02-04', name: 'Hokeja bronzas diena', source: 'custom', kind: 'holiday', new: ['2027-02-04'] },
    );
    assert.equal(await deadline('2027-02-03'), '2027-02-08T21:59:59Z'); // Fri, (weekend), Mon
    const list = await get('/calendar/holidays?year=2027');
    assert.deepEqual(list.body.items.find((h) => h.date === '2027-02-04'),
      { date: '2027-02-04', name: 'Hokeja bronzas diena', source: 'custom', kind: 'holiday' });
    // The same date twice, or a law holiday, is a conflict.
    assertProblem(await call(stack, 'POST', '/calendar/holidays', { token: admin.token,
      body: { date: '2027-02-04', name: 'again' } }), 409, 'calendar_entry_exists');
    assertProblem(await call(stack, 'POST', '/calendar/holidays', { token: admin.token,
      body: { date: '2026-11-18', name: 'again' } }), 409, 'already_holiday');
    const audit = await stack.query("SELECT action FROM audit_log WHERE entity = 'calendar_entry' ORDER BY id DESC LIMIT 1");
    assert.deepEqual(audit, [{ action: 'calendar.holiday.add' }]);

    const d = await del('/calendar/holidays/2027-02-04');
    assert.equal(d.status, 204, d.text);
    assert.equal(await deadline('2027-02-03'), '2027-02-05T21:59:59Z');
    assertProblem(await del('/calendar/holidays/2027-02-04'), 404, 'not_found');
    const audit2 = await stack.query("SELECT action FROM audit_log WHERE entity = 'calendar_entry' ORDER BY id DESC LIMIT 1");
    assert.deepEqual(audit2, [{ action: 'calendar.holiday.delete' }]);
  });

  test('§17 a one-off holiday on a Sunday with weekend_rule gives Monday off (Song and Dance Festival, 9 July 2023)', async () => {
    const r = await post(stack, admin.token, '/calendar/holidays',
      { date: '2023-07-09', name: 'Dziesmu un deju svētku noslēguma diena', weekend_rule: true });
    assert.equal(r.weekend_rule, true);
    assert.deepEqual(r.new_public_holidays, ['2023-07-09', '2023-07-10']);
    const list = await get('/calendar/holidays?year=2023');
    const mon = list.body.items.find((h) => h.date === '2023-07-10');
    assert.ok(mon, JSON.stringify(list.body.items));
    assert.equal(mon.source, 'custom');
    assert.equal(await deadline('2023-07-06'), '2023-07-11T20:59:59Z'); // Thu → Fri, (Mon off), Tue
    assert.equal((await del('/calendar/holidays/2023-07-09')).status, 204);
    assert.equal(await deadline('2023-07-06'), '2023-07-10T20:59:59Z');
  });

  test('§13 a transferred day off is not a working day, but not a public holiday either', async () => {
    assert.equal(await deadline('2027-03-04'), '2027-03-08T21:59:59Z'); // Thu → Fri, Mon
    const r = await post(stack, admin.token, '/calendar/holidays',
      { date: '2027-03-05', name: 'Pārcelta darba diena', kind: 'day_off' });
    assert.equal(r.kind, 'day_off');
    assert.deepEqual(r.new_public_holidays, []);
    assert.equal(await deadline('2027-03-04'), '2027-03-09T21:59:59Z'); // Mon, Tue
    const list = await get('/calendar/holidays?year=2027');
    assert.equal(list.body.items.find((h) => h.date === '2027-03-05').kind, 'day_off');
    // A day off on a day that is not a working day is pointless.
    assertProblem(await call(stack, 'POST', '/calendar/holidays', { token: admin.token,
      body: { date: '2027-03-06', name: 'Sestdiena', kind: 'day_off' } }), 409, 'not_a_working_day');
    assert.equal((await del('/calendar/holidays/2027-03-05')).status, 204);
  });

  test('§13 a transferred working day (a Saturday) counts towards the deadline', async () => {
    assert.equal(await deadline('2027-01-07'), '2027-01-11T21:59:59Z'); // Thu → Fri, Mon
    const r = await call(stack, 'POST', '/calendar/working-days', { token: admin.token,
      body: { date: '2027-01-09', note: 'Pārcelta darba diena (MK rīkojums)' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('location'), '/api/v1/calendar/working-days/2027-01-09');
    assert.equal(r.body.note, 'Pārcelta darba diena (MK rīkojums)');
    assert.equal(await deadline('2027-01-07'), '2027-01-09T21:59:59Z'); // Fri, Sat
    const list = await get('/calendar/working-days?year=2027', teacher.token);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((w) => w.date), ['2027-01-09']);
    assert.equal(list.body.next, null);
    assert.deepEqual((await get('/calendar/working-days?year=2026')).body.items, []);
    // Conflicts: the same date, an ordinary weekday, a public holiday.
    assertProblem(await call(stack, 'POST', '/calendar/working-days', { token: admin.token,
      body: { date: '2027-01-09' } }), 409, 'calendar_entry_exists');
    assertProblem(await call(stack, 'POST', '/calendar/working-days', { token: admin.token,
      body: { date: '2027-01-12' } }), 409, 'already_working_day');
    assertProblem(await call(stack, 'POST', '/calendar/working-days', { token: admin.token,
      body: { date: '2026-11-18' } }), 409, 'already_holiday');
    assert.equal((await del('/calendar/working-days/2027-01-09')).status, 204);
    assertProblem(await del('/calendar/working-days/2027-01-09'), 404, 'not_found');
    assert.equal(await deadline('2027-01-07'), '2027-01-11T21:59:59Z');
  });

  test('§13 calendar changes recompute the deadlines of the lessons they move', async () => {
    const inst = await makeInstitution(stack, admin, { teachers: [teacher.id] });
    const lesson = await post(stack, admin.token, '/lessons',
      { group_id: inst.group.id, date: '2027-04-15', starts_at: '15:00', ends_at: '16:30' });
    assert.equal(lesson.deadline, '2027-04-19T20:59:59Z'); // Thu → Fri, Mon
    const h = await post(stack, admin.token, '/calendar/holidays', { date: '2027-04-19', name: 'Vienreizēja brīvdiena' });
    assert.ok(h.deadlines_changed >= 1, JSON.stringify(h));
    let r = await get(`/lessons/${lesson.id}`);
    assert.equal(r.body.deadline, '2027-04-20T20:59:59Z');
    assert.equal(r.body.version, lesson.version + 1);
    assert.equal((await del('/calendar/holidays/2027-04-19')).status, 204);
    r = await get(`/lessons/${lesson.id}`);
    assert.equal(r.body.deadline, '2027-04-19T20:59:59Z');
  });
});

describe('§17 only the superuser changes the calendar; input is checked', () => {
  test('§17 a teacher may read the calendar but not change it', async () => {
    for (const [method, path, body] of [
      ['POST', '/calendar/holidays', { date: '2027-05-05', name: 'x' }],
      ['DELETE', '/calendar/holidays/2027-05-05'],
      ['POST', '/calendar/working-days', { date: '2027-05-08' }],
      ['DELETE', '/calendar/working-days/2027-05-08'],
    ]) {
      const r = await call(stack, method, path, { token: teacher.token, body });
      assertProblem(r, 403, 'forbidden');
    }
    assert.equal((await get('/calendar/holidays?year=2027', teacher.token)).status, 200);
    assert.equal((await call(stack, 'GET', '/calendar/holidays')).status, 401);
  });

  test('§17 bad holiday bodies: unknown fields and wrong types 400, invalid values 422', async () => {
    const cases = [
      [{ date: '2027-05-05', name: 'x', extra: 1 }, 400, 'unknown_field', 'extra'],
      [{ date: 20270505, name: 'x' }, 400, 'invalid_field', 'date'],
      [{ date: '2027-05-05', name: 5 }, 400, 'invalid_field', 'name'],
      [{ date: '2027-05-05', name: 'x', weekend_rule: 'yes' }, 400, 'invalid_field', 'weekend_rule'],
      [{ date: '2027-02-30', name: 'x' }, 422, 'validation_failed', 'date'],
      [{ date: '2027-05-05' }, 422, 'validation_failed', 'name'],
      [{ date: '2027-05-05', name: '   ' }, 422, 'validation_failed', 'name'],
      [{ date: '2027-05-05', name: 'x', kind: 'festival' }, 422, 'validation_failed', 'kind'],
      [{ date: '2027-05-05', name: 'x', kind: 'day_off', weekend_rule: true }, 422, 'validation_failed', 'weekend_rule'],
      [{ date: '2027-05-05', name: 'x'.repeat(201) }, 422, 'validation_failed', 'name'],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await call(stack, 'POST', '/calendar/holidays', { token: admin.token, body });
      assertProblem(r, status, code);
      assert.equal(r.body.errors[0].field, field, JSON.stringify(body));
    }
    const r = await call(stack, 'POST', '/calendar/holidays?cancel_lessons=maybe', { token: admin.token,
      body: { date: '2027-05-05', name: 'x' } });
    assertProblem(r, 400, 'invalid_query');
    const w = await call(stack, 'POST', '/calendar/working-days', { token: admin.token,
      body: { date: '2027-05-08', note: 'x', name: 'y' } });
    assertProblem(w, 400, 'unknown_field');
    const [[n]] = await stack.psql('SELECT count(*) FROM calendar_entries');
    assert.equal(n, '0');
  });
});
