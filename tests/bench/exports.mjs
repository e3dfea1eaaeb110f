// Issue 11 exports, measured (never asserted): a group of 20 students with 60 recorded lessons;
// GET /groups/{id}/journal as JSON, CSV and HTML, and GET /reports/hours, 100 requests each, one
// at a time, against the normal build; GET /readyz and GET /lessons?group_id (the same lessons
// through the existing list) beside them for scale. Run: EJ_BIN=build/ejournal node tests/bench/exports.mjs
import { adminSession, makeInstitution, post } from '../api/lib/fixtures.mjs';
import { addDays, rigaDay } from '../api/lib/riga.mjs';
import { call, startStack } from '../api/lib/stack.mjs';

const stack = await startStack();
try {
  const admin = await adminSession(stack);
  const today = rigaDay(0);
  const names = Array.from({ length: 20 }, (_, i) => `Student ${i}`);
  const inst = await makeInstitution(stack, admin, { students: names, starts_on: addDays(today, -200), ends_on: addDays(today, 60) });
  const teacher = await call(stack, 'POST', '/users', { token: admin.token, body: { username: 'benchteacher', full_name: 'T', roles: ['teacher'] } });
  await call(stack, 'PATCH', `/groups/${inst.group.id}`, { token: admin.token, body: { teacher_ids: [teacher.body.id] } });
  let made = 0;
  for (let d = 1; made < 60 && d < 190; d++) {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token, body: { group_id: inst.group.id, date: addDays(today, -d), starts_at: '15:00', ends_at: '16:30' } });
    if (r.status !== 201) continue;
    const e = await call(stack, 'PUT', `/lessons/${r.body.id}/entry`, { token: admin.token,
      body: { topic: `Topic ${d}`, attendance: inst.students.map((s, i) => ({ student_id: s.id, status: i % 7 ? 'present' : 'absent' })) } });
    if (e.status === 200) made++;
  }
  const time = async (label, path, accept) => {
    const ms = [];
    let bytes = 0;
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      const r = await call(stack, 'GET', path, { token: admin.token, headers: accept ? { accept } : {} });
      ms.push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`${label}: ${r.status} ${r.text.slice(0, 200)}`);
      bytes = r.text.length;
    }
    ms.sort((a, b) => a - b);
    console.log(`${label.padEnd(22)} median ${ms[50].toFixed(1)} ms, p99 ${ms[98].toFixed(1)} ms, ${bytes} chars`);
  };
  console.log(`# ${made} recorded lessons x ${names.length} students`);
  await time('readyz (baseline)', `${stack.base}/readyz`);
  await time('lessons list (same)', `/lessons?group_id=${inst.group.id}&limit=500`);
  await time('journal JSON', `/groups/${inst.group.id}/journal`);
  await time('journal CSV', `/groups/${inst.group.id}/journal`, 'text/csv');
  await time('journal HTML', `/groups/${inst.group.id}/journal`, 'text/html');
  await time('hours JSON', `/reports/hours?from=${addDays(today, -200)}&to=${today}`);
  await time('hours CSV', `/reports/hours?from=${addDays(today, -200)}&to=${today}`, 'text/csv');
} finally {
  await stack.stop();
}
