// Loads a small demo institution through the API (so everything is validated
// and audited like real work): a school year, two programmes, two groups with
// their teachers and weekly schedules, six students with guardians.
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

const year = await call('POST', '/school-years', { name: '2026/2027', starts_on: '2026-09-01', ends_on: '2027-05-31' });
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
    student: { full_name, birth_date }, group_id, starts_on: '2026-09-01',
    guardians_informed_on: '2026-09-01', guardian_ids: [parents[parent].id],
  })),
});
const s1 = await call('POST', `/groups/${g1.id}/schedule`,
  { weekday: 2, starts_at: '15:00', ends_at: '16:30', room: '12', valid_from: '2026-09-01', valid_to: '2027-05-31' });
const s2 = await call('POST', `/groups/${g2.id}/schedule`,
  { weekday: 4, starts_at: '17:00', ends_at: '18:30', room: 'Zāle', valid_from: '2026-09-01', valid_to: '2027-05-31' });

console.log(`demo institution loaded: 2 groups, 6 students, ${s1.lessons_created + s2.lessons_created} lessons`);
console.log('demo accounts (one-time passwords, changed at first login):');
for (const [u, roles, pw] of accounts) console.log(`  ${u.padEnd(16)} ${roles.padEnd(17)} ${pw}`);
