// Quality reviews of the entries (RULES.md §16, SPEC.md "Quality reviews"): reviews recorded with
// findings; GET /reports/entry-quality with on-time / late / missing / extension / substitution
// counts per teacher and in total (hand-computed below on a seeded year), the reviews done against
// the number required (the setting, 3 by default) and the thirds of the year still lacking one;
// the same rows as CSV.
//
// "On time" needs a lesson recorded before its deadline whose deadline has since passed: the test
// records two lessons inside their deadline, then moves their deadline into the past in the
// database, as the passing of two working days would.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem } from './lib/assert.mjs';
import { adminSession, makeUser } from './lib/fixtures.mjs';
import { addDays, rigaDay } from './lib/riga.mjs';
import { call, startStack } from './lib/stack.mjs';

let stack, admin, director, T1, T2, T3, T4, guardian, year, otherYear, G1, G2, S1, S2;
const L = {};
const today = rigaDay(0);
const yearStart = addDays(today, -120);
const get = (path, token = admin.token, headers = {}) => call(stack, 'GET', path, { token, headers });
const post = (path, body, token = admin.token) => call(stack, 'POST', path, { token, body });

async function ok(promise, status = 201) {
  const r = await promise;
  assert.equal(r.status, status, r.text);
  return r.body;
}

// A lesson of g on date (or the nearest earlier day that is no public holiday).
async function lessonOn(g, date, starts_at, ends_at) {
  for (let i = 0; i < 7; i++) {
    const r = await post('/lessons', { group_id: g.id, date: addDays(date, -i), starts_at, ends_at });
    if (r.status === 201) return r.body;
    assert.ok(r.status === 422 && r.body.code === 'public_holiday', r.text);
  }
  throw new Error('no lesson date found');
}
// A lesson that has started and is still inside its deadline.
async function recentLesson(g, starts_at) {
  for (let back = 1; back < 8; back++) {
    const r = await post('/lessons', { group_id: g.id, date: addDays(today, -back), starts_at, ends_at: '18:00' });
    if (r.status === 201 && Date.parse(r.body.deadline) > Date.now() + 10 * 60_000) return r.body;
    assert.ok(r.status === 201 || (r.status === 422 && r.body.code === 'public_holiday'), r.text);
  }
  throw new Error('no recent lesson inside its deadline');
}
const entry = (lesson, students, token = admin.token) => call(stack, 'PUT', `/lessons/${lesson.id}/entry`, { token,
  body: { topic: 'Tēma', attendance: students.map((s) => ({ student_id: s.id, status: 'present' })) } });

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  director = await makeUser(stack, admin, { roles: ['director'] });
  T1 = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Aija Pirmā' });
  T2 = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Baiba Otrā' });
  T3 = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Cilda Trešā' });
  T4 = await makeUser(stack, admin, { roles: ['teacher'], full_name: '=HYPERLINK("http://x","y")', activate: false });
  guardian = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  year = await ok(post('/school-years', { name: 'Q 2026', starts_on: yearStart, ends_on: addDays(today, 60) }));
  otherYear = await ok(post('/school-years', { name: 'Q other', starts_on: addDays(today, 400), ends_on: addDays(today, 700) }));
  const program = await ok(post('/programs', { code: 'QP', name: 'Keramika' }));
  G1 = await ok(post('/groups', { program_id: program.id, school_year_id: year.id, name: 'G1', teacher_ids: [T1.id] }));
  G2 = await ok(post('/groups', { program_id: program.id, school_year_id: year.id, name: 'G2', teacher_ids: [T2.id] }));
  await ok(post('/groups', { program_id: program.id, school_year_id: year.id, name: 'G3', teacher_ids: [T3.id, T4.id] }));
  const G9 = await ok(post('/groups', { program_id: program.id, school_year_id: otherYear.id, name: 'G9', teacher_ids: [T1.id] }));
  L.other = await lessonOn(G9, addDays(today, 450), '09:00', '10:00');
  S1 = await ok(post('/students', { full_name: 'Skolēns Viens' }));
  S2 = await ok(post('/students', { full_name: 'Skolēns Divi' }));
  await ok(post(`/groups/${G1.id}/enrollments`, { student_id: S1.id, starts_on: yearStart }));
  await ok(post(`/groups/${G2.id}/enrollments`, { student_id: S2.id, starts_on: yearStart }));

  const month = addDays(today, -30);
  // T1's group: L1 recorded late by the superuser, L2 missing, L3 late under an extension, L4 on
  // time, L5 in the future, L6 cancelled.
  L.l1 = await lessonOn(G1, month, '09:00', '10:00');
  await ok(entry(L.l1, [S1]), 200);
  L.l2 = await lessonOn(G1, month, '10:00', '11:00');
  L.l3 = await lessonOn(G1, month, '11:00', '12:00');
  await ok(post(`/lessons/${L.l3.id}/extension`, { until: addDays(today, 1), reason: 'Slimoja' }), 200);
  await ok(entry(L.l3, [S1], T1.token), 200);
  L.l4 = await recentLesson(G1, '16:00');
  await ok(entry(L.l4, [S1], T1.token), 200);
  L.l5 = await lessonOn(G1, addDays(today, 7), '09:00', '10:00');
  L.l6 = await lessonOn(G1, month, '12:00', '13:00');
  await ok(post(`/lessons/${L.l6.id}/cancel`, { reason: 'Ekskursija' }), 200);
  // T2's group: M1 substituted by T1 and recorded late by the superuser, M2 missing, M3 on time,
  // M4 substituted by T1 and missing.
  L.m1 = await lessonOn(G2, month, '09:00', '10:00');
  await ok(call(stack, 'PUT', `/lessons/${L.m1.id}/substitute`, { token: admin.token, body: { teacher_id: T1.id } }), 200);
  await ok(entry(L.m1, [S2]), 200);
  L.m2 = await lessonOn(G2, month, '10:00', '11:00');
  L.m3 = await recentLesson(G2, '16:00');
  await ok(entry(L.m3, [S2], T2.token), 200);
  L.m4 = await lessonOn(G2, month, '11:00', '12:00');
  await ok(call(stack, 'PUT', `/lessons/${L.m4.id}/substitute`, { token: admin.token, body: { teacher_id: T1.id } }), 200);
  await stack.psql(`UPDATE lessons SET deadline = now() - interval '1 minute' WHERE id IN (${L.l4.id}, ${L.m3.id})`);
});
after(async () => stack && stack.stop());

describe('§16 quality reviews', () => {
  test('§16 the director and the superuser record reviews with findings; names beside ids; audited', async () => {
    let r = await post('/quality-reviews', { school_year_id: year.id, reviewed_on: addDays(yearStart, 10),
      summary: 'Pirmā pārbaude', findings: [{ lesson_id: L.l2.id, teacher_id: T1.id, note: 'Nav ieraksta' }, { note: 'Kopumā labi' }] },
    director.token);
    assert.equal(r.status, 201, r.text);
    const review = r.body;
    assert.deepEqual(Object.keys(review), ['id', 'school_year_id', 'school_year_name', 'reviewed_on', 'summary',
      'reviewed_by', 'reviewed_by_name', 'findings', 'created_at']);
    assert.equal(review.school_year_name, 'Q 2026');
    assert.equal(review.reviewed_by, director.id);
    assert.equal(r.headers.get('location'), `/api/v1/quality-reviews/${review.id}`);
    assert.deepEqual(review.findings[0], { lesson_id: L.l2.id, lesson_date: L.l2.date, lesson_starts_at: '10:00',
      group_id: G1.id, group_name: 'G1', teacher_id: T1.id, teacher_name: 'Aija Pirmā', note: 'Nav ieraksta' });
    assert.equal(review.findings[1].lesson_id, null);
    assert.equal(review.findings[1].note, 'Kopumā labi');
    assert.deepEqual((await get(`/quality-reviews/${review.id}`, director.token)).body, review);
    r = await post('/quality-reviews', { school_year_id: year.id, reviewed_on: addDays(yearStart, 90), summary: 'Otrā' });
    assert.equal(r.status, 201, r.text);
    const list = await get(`/quality-reviews?school_year_id=${year.id}`, director.token);
    assert.deepEqual(list.body.items.map((i) => i.id), [review.id, r.body.id]);
    assert.equal((await get(`/quality-reviews?school_year_id=${otherYear.id}`)).body.items.length, 0);
    const audit = await get(`/audit?entity=quality_review&entity_id=${review.id}`);
    assert.equal(audit.body.items[0].action, 'quality_review.create');
    assert.equal(audit.body.items[0].after.summary, 'Pirmā pārbaude');
  });

  test('§16 bad reviews are refused and change nothing; a teacher may not record or read them', async () => {
    const n0 = (await stack.query('SELECT count(*)::int AS n FROM quality_reviews'))[0].n;
    const base = { school_year_id: year.id, reviewed_on: today, summary: 'S' };
    const cases = [
      [{ ...base, reviewed_on: addDays(today, 1) }, 'reviewed_on'],
      [{ ...base, reviewed_on: addDays(yearStart, -1) }, 'reviewed_on'],
      [{ ...base, school_year_id: 999999 }, 'school_year_id'],
      [{ ...base, summary: ' ' }, 'summary'],
      [{ ...base, findings: [{ note: 'ok' }, { lesson_id: L.other.id, note: 'x' }] }, 'findings[1].lesson_id'],
      [{ ...base, findings: [{ teacher_id: director.id, note: 'x' }] }, 'findings[0].teacher_id'],
      [{ ...base, findings: [{ note: '' }] }, 'findings[0].note'],
      [{ ...base, findings: [{ lesson_id: 0, note: 'x' }] }, 'findings[0].lesson_id'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/quality-reviews', body);
      assertProblem(r, 422, 'validation_failed');
      assert.deepEqual(r.body.errors.map((e) => e.field), [field], r.text);
    }
    assertProblem(await post('/quality-reviews', { ...base, extra: 1 }), 400, 'unknown_field');
    assertProblem(await post('/quality-reviews', base, T1.token), 403, 'forbidden');
    assertProblem(await get('/quality-reviews', T1.token), 403, 'forbidden');
    assertProblem(await get('/quality-reviews/999999'), 404, 'not_found');
    assert.equal((await stack.query('SELECT count(*)::int AS n FROM quality_reviews'))[0].n, n0);
  });
});

describe('§16 GET /reports/entry-quality', () => {
  test('§16 §15 on a seeded year: hand-computed counts per teacher and in total, reviews done vs 3, the third lacking one', async () => {
    const r = await get(`/reports/entry-quality?school_year_id=${year.id}`, director.token);
    assert.equal(r.status, 200, r.text);
    const rep = r.body;
    assert.deepEqual(Object.keys(rep), ['school_year_id', 'school_year_name', 'from', 'to', 'reviews', 'totals', 'teachers']);
    const counts = (row) => [row.due, row.on_time, row.late, row.missing, row.extensions, row.substitutions];
    const byId = Object.fromEntries(rep.teachers.map((t) => [t.teacher_id, t]));
    // T1: L1 late (superuser), L2 missing, L3 late + extension, L4 on time, M1 late as substitute,
    // M4 missing as substitute; L5 not due, L6 cancelled, the other year's lesson not counted.
    assert.deepEqual(counts(byId[T1.id]), [6, 1, 3, 2, 1, 2]);
    assert.equal(byId[T1.id].full_name, 'Aija Pirmā');
    // T2: M2 missing, M3 on time (M1 and M4 went to the substitute).
    assert.deepEqual(counts(byId[T2.id]), [2, 1, 0, 1, 0, 0]);
    // T3 and T4 teach a group without lessons: rows of zeros.
    assert.deepEqual(counts(byId[T3.id]), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(counts(byId[T4.id]), [0, 0, 0, 0, 0, 0]);
    assert.equal(rep.teachers.length, 4);
    assert.deepEqual(counts(rep.totals), [8, 2, 3, 3, 1, 2]);
    assert.deepEqual(Object.keys(rep.teachers[0]), ['teacher_id', 'full_name', 'due', 'on_time', 'late', 'missing',
      'extensions', 'substitutions']);
    // Reviews: 2 done of 3; the year's 181 days split 60 / 60 / 61; reviews on day 10 and day 90.
    assert.equal(rep.reviews.done, 2);
    assert.equal(rep.reviews.required, 3);
    assert.deepEqual(rep.reviews.thirds, [
      { third: 1, starts_on: yearStart, ends_on: addDays(yearStart, 59), ended: true, reviews: 1 },
      { third: 2, starts_on: addDays(yearStart, 60), ends_on: addDays(yearStart, 119), ended: true, reviews: 1 },
      { third: 3, starts_on: addDays(yearStart, 120), ends_on: addDays(yearStart, 180), ended: false, reviews: 0 },
    ]);
    assert.deepEqual(rep.reviews.thirds_without_review, [3]);
  });

  test('§16 §22 the number required is the setting required_quality_reviews when it is set', async () => {
    // Written as PATCH /settings (§22) would store it; restored to the default after.
    await stack.psql(`INSERT INTO settings (key, value) VALUES ('required_quality_reviews', '4')
      ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`);
    try {
      const r = await get(`/reports/entry-quality?school_year_id=${year.id}`, director.token);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.body.reviews.done, r.body.reviews.required], [2, 4]);
    } finally {
      await stack.psql(`UPDATE settings SET value = '3' WHERE key = 'required_quality_reviews'`);
    }
    assert.equal((await get(`/reports/entry-quality?school_year_id=${year.id}`)).body.reviews.required, 3);
  });

  test('§16 from/to narrow the lessons; bad queries are 400; unknown years 404; teachers and guardians 403', async () => {
    let r = await get(`/reports/entry-quality?school_year_id=${year.id}&to=${addDays(today, -60)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.to, addDays(today, -60));
    assert.equal(r.body.totals.due, 0);
    r = await get(`/reports/entry-quality?school_year_id=${year.id}&from=${addDays(today, -8)}`);
    assert.deepEqual([r.body.totals.due, r.body.totals.on_time], [2, 2], 'only L4 and M3 are this recent');
    assertProblem(await get('/reports/entry-quality'), 400, 'invalid_query');
    assertProblem(await get(`/reports/entry-quality?school_year_id=${year.id}&from=${today}&to=${addDays(today, -1)}`), 400, 'invalid_query');
    assertProblem(await get(`/reports/entry-quality?school_year_id=${year.id}&teacher=1`), 400, 'unknown_parameter');
    assertProblem(await get('/reports/entry-quality?school_year_id=999999'), 404, 'not_found');
    assertProblem(await get(`/reports/entry-quality?school_year_id=${year.id}`, T1.token), 403, 'forbidden');
  });

  test('§16 Accept: text/csv gives the teachers\' rows as RFC 4180 CSV, UTF-8, with a header row and formulas neutralised', async () => {
    const r = await get(`/reports/entry-quality?school_year_id=${year.id}`, director.token, { accept: 'text/csv' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    const bytes = Buffer.from(await (await fetch(`${stack.api}/reports/entry-quality?school_year_id=${year.id}`,
      { headers: { authorization: `Bearer ${director.token}`, accept: 'text/csv' } })).arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark');
    const text = bytes.subarray(3).toString('utf8');
    assert.ok(text.endsWith('\r\n'));
    const lines = text.slice(0, -2).split('\r\n');
    assert.equal(lines[0], 'teacher_id,full_name,due,on_time,late,missing,extensions,substitutions');
    assert.equal(lines.length, 5);
    assert.ok(lines.includes(`${T1.id},Aija Pirmā,6,1,3,2,1,2`), text);
    assert.ok(lines.includes(`${T2.id},Baiba Otrā,2,1,0,1,0,0`), text);
    assert.ok(lines.includes(`${T4.id},"'=HYPERLINK(""http://x"",""y"")",0,0,0,0,0,0`), text);
    // JSON stays the default, and q=0 refuses CSV.
    const j = await get(`/reports/entry-quality?school_year_id=${year.id}`, director.token, { accept: 'text/csv;q=0, application/json' });
    assert.match(j.headers.get('content-type'), /^application\/json/);
  });
});
