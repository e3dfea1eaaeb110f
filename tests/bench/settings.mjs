// Benchmark (not a test; prints figures): §22 PATCH /settings with a new number of deadline days
// over a year of lessons for 50 groups (each group twice a week, ~35 weeks: ~3500 lessons, half
// of them recorded), and §18 GET /students/{id}/personal-file (JSON and HTML) for a student in
// 5 groups with a year of entries. Release binary recommended: EJ_BIN=build/ejournal.
//   node tests/bench/settings.mjs
import { adminSession, makeInstitution, post } from '../api/lib/fixtures.mjs';
import { call, startStack } from '../api/lib/stack.mjs';

const stack = await startStack();
try {
  const admin = await adminSession(stack);
  const inst = await makeInstitution(stack, admin, { students: ['Bench Student'], starts_on: '2026-09-01', ends_on: '2027-05-31' });
  const student = inst.students[0];
  // 49 more groups of the year; the student in 4 of them too (5 with inst.group).
  for (let i = 1; i < 50; i++) {
    const g = await post(stack, admin.token, '/groups', { program_id: inst.program.id, school_year_id: inst.year.id, name: `Bench ${i}` });
    if (i < 5) await post(stack, admin.token, `/groups/${g.id}/enrollments`, { student_id: student.id, starts_on: '2026-09-01' });
  }
  // Lessons straight into the table (the API would make them one by one): Tuesdays and Thursdays.
  await stack.psql(`INSERT INTO lessons (group_id, date, starts_at, ends_at, deadline)
    SELECT g.id, d::date, '15:00', '16:30', d + interval '3 days'
    FROM groups g, generate_series('2026-09-01'::date, '2027-05-31'::date, interval '1 day') d
    WHERE g.school_year_id = ${inst.year.id} AND extract(isodow FROM d) IN (2, 4)`);
  // Half of them recorded (those before today), the student's rows with a mix of statuses.
  await stack.psql(`UPDATE lessons SET recorded_at = now(), topic = 'T' WHERE date < current_date`);
  await stack.psql(`INSERT INTO lesson_attendance (lesson_id, student_id, status, reason_code)
    SELECT l.id, ${student.id}, (ARRAY['present','absent','late'])[1 + l.id % 3],
      CASE WHEN l.id % 3 = 1 THEN (ARRAY['illness','family',NULL,'unexcused'])[1 + l.id % 4] END
    FROM lessons l JOIN enrollments e ON e.group_id = l.group_id AND e.student_id = ${student.id}
    WHERE l.recorded_at IS NOT NULL`);
  const [[lessons, open]] = await stack.psql(`SELECT count(*), count(*) FILTER (WHERE recorded_at IS NULL) FROM lessons`);
  console.log(`lessons: ${lessons} (${open} not recorded)`);
  const times = async (label, n, fn) => {
    const ms = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = await fn(i);
      ms.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`${label}: ${r.status} ${r.text}`);
    }
    ms.sort((a, b) => a - b);
    const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(1);
    console.log(`${label}: n=${n} p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${ms[ms.length - 1].toFixed(1)} ms`);
  };
  await times('PATCH /settings entry_deadline_working_days 2<->3 (moves every unrecorded lesson)', 20,
    (i) => call(stack, 'PATCH', '/settings', { token: admin.token, body: { entry_deadline_working_days: 2 + ((i + 1) % 2) } }));
  const path = `/students/${student.id}/personal-file?school_year_id=${inst.year.id}`;
  await times('GET personal-file (JSON)', 100, () => call(stack, 'GET', path, { token: admin.token }));
  await times('GET personal-file (text/html)', 100, () => call(stack, 'GET', path, { token: admin.token, headers: { accept: 'text/html' } }));
} finally {
  await stack.stop();
}
