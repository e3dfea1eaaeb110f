// Loads a small demo institution through the API (so everything is validated
// and audited like real work): the school year around today, two programmes,
// two groups with their teachers and weekly schedules, six students with
// guardians, and a history (issue 15): past lessons recorded with topics,
// absences with and without reasons, an applied and a pending absence report,
// a substitute, an extension; and for each teacher a lesson that ended
// yesterday (Riga), inside its deadline, so they can record it on day one at
// any hour. Past entries are recorded by the superuser while loading, so they
// are marked late (§13: an entry after the deadline).
// Idempotent: does nothing if the demo programme already exists.
//
//   node scripts/demo-data.mjs http://127.0.0.1:8080 admin PASSWORD
// Prints the one-time passwords of the demo accounts (changed at first login).

const [base, username, password] = process.argv.slice(2);
if (!password) {
  console.error('usage: node scripts/demo-data.mjs BASE_URL USERNAME PASSWORD');
  process.exit(2);
}
const api = `${base}/api/v1`;
let token;

async function call(method, path, body) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return data;
}

const login = await fetch(`${api}/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username, password }),
});
if (login.status !== 200) throw new Error(`login as ${username}: ${login.status} ${await login.text()}`);
token = (await login.json()).access_token;

const programs = await call('GET', '/programs?limit=500');
if (programs.items.some((p) => p.code === 'DEMO-KER')) {
  console.log('demo institution already loaded');
  process.exit(0);
}

const accounts = [];
async function user(username, full_name, roles, extra = {}) {
  const u = await call('POST', '/users', { username, full_name, roles, ...extra });
  accounts.push([username, roles.join(','), u.initial_password]);
  return u;
}

// Today in Riga, and the school year around it: 1 September to 31 May, or to
// 31 August when loaded in the summer, so the demo has a today at any date.
const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Riga' });
const addDays = (iso, n) => {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const [ty, tm] = today.split('-').map(Number);
const startYear = tm >= 9 ? ty : ty - 1;
const yearStart = `${startYear}-09-01`;
const yearEnd = tm >= 6 && tm <= 8 ? `${ty}-08-31` : `${startYear + 1}-05-31`;
const year = await call('POST', '/school-years', { name: `${startYear}/${startYear + 1}`, starts_on: yearStart, ends_on: yearEnd });
const anna = await user('anna.berzina', 'Anna Bērziņa', ['teacher'], { employment_start: '2020-09-01' });
const peteris = await user('peteris.kalns', 'Pēteris Kalns', ['teacher'], { employment_start: '2024-09-01' });
await user('ilze.lietvede', 'Ilze Liepa', ['staff']);
await user('direktore', 'Dace Ozola', ['director']);
const parents = [
  await user('maris.ozols', 'Māris Ozols', ['guardian'], { phone: '+371 20000001' }),
  await user('liga.kalnina', 'Līga Kalniņa', ['guardian'], { email: 'liga@example.lv' }),
  await user('janis.berzs', 'Jānis Bērzs', ['guardian', 'teacher'], { employment_start: '2025-09-01' }),
];
const ker = await call('POST', '/programs', { code: 'DEMO-KER', name: 'Keramika', description: 'Keramikas studija' });
const dej = await call('POST', '/programs', { code: 'DEMO-DEJ', name: 'Tautas dejas' });
const g1 = await call('POST', '/groups', { program_id: ker.id, school_year_id: year.id, name: 'Keramika 1', teacher_ids: [anna.id] });
const g2 = await call('POST', '/groups', { program_id: dej.id, school_year_id: year.id, name: 'Tautas dejas, jaunākā grupa', teacher_ids: [peteris.id] });

const kids = [
  ['Elza Ozola', '2014-02-11', 0, g1.id], ['Roberts Ozols', '2016-07-30', 0, g2.id],
  ['Marta Kalniņa', '2013-11-05', 1, g1.id], ['Kārlis Kalniņš', '2015-04-21', 1, g2.id],
  ['Anete Bērza', '2014-09-09', 2, g1.id], ['Toms Bērzs', '2017-01-17', 2, g2.id],
];
await call('POST', '/imports/enrollments', {
  rows: kids.map(([full_name, birth_date, parent, group_id]) => ({
    student: { full_name, birth_date }, group_id, starts_on: yearStart,
    guardians_informed_on: yearStart, guardian_ids: [parents[parent].id],
  })),
});
const s1 = await call('POST', `/groups/${g1.id}/schedule`,
  { weekday: 2, starts_at: '15:00', ends_at: '16:30', room: '12', valid_from: yearStart, valid_to: yearEnd });
const s2 = await call('POST', `/groups/${g2.id}/schedule`,
  { weekday: 4, starts_at: '17:00', ends_at: '18:30', room: 'Zāle', valid_from: yearStart, valid_to: yearEnd });

// ---- history -----------------------------------------------------------------------------------
const topics = ['Māla īpašības', 'Trauku veidošana', 'Glazūra', 'Apdedzināšana', 'Reljefs', 'Figūras',
  'Soļi un ritms', 'Polka', 'Rotaļas', 'Kadriļa', 'Sadancis', 'Gatavošanās koncertam'];
const reports = [];
let recorded = 0;
for (const [g, teacher] of [[g1, anna], [g2, peteris]]) {
  const past = (await call('GET', `/lessons?group_id=${g.id}&state=overdue&limit=500`)).items;
  // All past lessons but the newest, which keeps its chance of an extension below.
  for (const [i, l] of past.slice(0, -1).entries()) {
    const form = await call('GET', `/lessons/${l.id}/entry`);
    const attendance = form.enrolled.map((s, k) => ({ student_id: s.student_id,
      status: (i + k) % 7 === 3 ? 'absent' : (i + k) % 11 === 5 ? 'late' : 'present' }));
    await call('PUT', `/lessons/${l.id}/entry`, { topic: topics[(i + (g === g2 ? 6 : 0)) % topics.length], attendance,
      conducted_by: teacher.id });
    recorded++;
    for (const a of attendance.filter((x) => x.status === 'absent')) reports.push({ student_id: a.student_id, date: l.date, lesson: l.id });
  }
  // The newest past lesson: its teacher may record it after all (one extension, §13).
  const last = past[past.length - 1];
  if (last && g === g1) {
    await call('POST', `/lessons/${last.id}/extension`, { until: addDays(today, 2), reason: 'Skolotāja slimoja' });
  }
}
// Absences: one gets a reason from a guardian's report applied by the superuser, one a reason set
// directly (a phone call), the others keep none; one report for next week waits (pending).
const parentByName = new Map(kids.map(([name, , parent]) => [name, parents[parent].id]));
const students = (await call('GET', '/students?limit=500')).items;
const guardianOfStudent = (sid) => parentByName.get(students.find((x) => x.id === sid)?.full_name);
if (reports[0]) {
  const r = reports[0];
  const rep = await call('POST', '/absence-reports', { student_id: r.student_id, from_date: r.date, to_date: r.date,
    reason_code: 'illness', comment: 'Saaukstējās', guardian_id: guardianOfStudent(r.student_id) ?? null, channel: 'paper' });
  await call('POST', `/absence-reports/${rep.id}/apply`);
}
if (reports[1]) {
  await call('PUT', `/lessons/${reports[1].lesson}/attendance/${reports[1].student_id}/reason`,
    { reason_code: 'family', note: 'Tēvs piezvanīja' });
}
const pendingFor = students.find((x) => x.full_name === 'Elza Ozola');
if (pendingFor) {
  await call('POST', '/absence-reports', { student_id: pendingFor.id, from_date: addDays(today, 7), to_date: addDays(today, 8),
    reason_code: 'family', comment: 'Ģimenes brauciens', guardian_id: parents[0].id, channel: 'phone' });
}
// For each teacher a lesson that ended yesterday (or the last day before it that is no public
// holiday), inside its deadline: Anna's and Pēteris's groups, and Jānis substituting for Pēteris.
async function lessonBefore(group, starts_at, ends_at) {
  for (let back = 1; back <= 7; back++) {
    const date = addDays(today, -back);
    if (date < yearStart) break;
    const res = await fetch(`${api}/lessons`, { method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ group_id: group.id, date, starts_at, ends_at, room: 'Studija' }) });
    const body = await res.json();
    if (res.status === 201) return body;
    if (res.status !== 201 && body.code !== 'public_holiday' && body.code !== 'lesson_overlaps') {
      throw new Error(`POST /lessons: ${res.status} ${JSON.stringify(body)}`);
    }
  }
  return null;
}
const due = [await lessonBefore(g1, '10:00', '11:30'), await lessonBefore(g2, '12:00', '13:30')];
const covered = await lessonBefore(g2, '09:00', '09:45');
if (covered) await call('PUT', `/lessons/${covered.id}/substitute`, { teacher_id: parents[2].id });

console.log(`demo institution loaded: 2 groups, 6 students, ${s1.lessons_created + s2.lessons_created} lessons`);
console.log(`  history: ${recorded} past lessons recorded (by the superuser while loading, so late), absences with`
  + ' and without reasons, an applied and a pending absence report, one extension');
console.log(`  to record now (state due): ${[...due, covered].filter(Boolean).length} lessons of yesterday, one each for`
  + ' anna.berzina, peteris.kalns and janis.berzs (substitute)');
console.log('demo accounts (one-time passwords, changed at first login):');
for (const [u, roles, pw] of accounts) console.log(`  ${u.padEnd(16)} ${roles.padEnd(17)} ${pw}`);
