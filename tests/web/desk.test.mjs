// The web client's desk screens in a real browser (issue 12): the superuser's school years (§12,
// §18), students and guardians (§4, §11), the calendar (§13, §17), and the director's landing
// screen, the entry quality (§16), and the audit search (§19, §20). Like browser.test.mjs: Debian's
// chromium through playwright-core against the real server and database, every page watched for
// console errors, uncaught exceptions and CSP violations, axe-core on each screen, screenshots at
// phone and desktop size to EJ_WEB_SHOTS. Run by the `web` stage of scripts/test.sh, a file of its
// own so each stays within its time bound.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { adminSession, makeInstitution, makeUser } from '../api/lib/fixtures.mjs';
import { call, startStack } from '../api/lib/stack.mjs';
import { DESKTOP, PHONE, WEB_DIR, addDays, axe, launch, lessonsPastDeadline, openPage, rigaToday, shot, shots, signIn } from './lib/web.mjs';

console.log(`web: screenshots in ${shots}`);
const today = rigaToday();

let stack, admin, teacher, deputy, inst, browser;
const problems = [];
const open = (viewport, opts) => openPage(browser, stack, problems, viewport, opts);

before(async () => {
  stack = await startStack({ env: { EJ_WEB_DIR: WEB_DIR } });
  admin = await adminSession(stack);
  teacher = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Ilze Kalniņa' });
  deputy = await makeUser(stack, admin, { roles: ['superuser'], full_name: 'Dace Ozoliņa' });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna Bērziņa', 'Bruno Ozols'],
    starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
  // Lessons whose entry deadline has passed, one recorded late by the superuser and one not, so the
  // quality report has something to count.
  await lessonsPastDeadline(stack, admin, inst, today);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (stack) await stack.stop();
});

describe('issue 12 web client, desk screens, in chromium', () => {
  test('issue 12 school years (§12, §18): the superuser registers one, closing it asks first, and the closed year is read-only', async () => {
    const { context, page } = await open(DESKTOP, { expectFailures: true });
    await signIn(page, deputy.username, deputy.password);
    await page.getByRole('link', { name: 'Mācību gadi' }).click();
    await page.getByRole('heading', { name: 'Jauns mācību gads' }).waitFor();
    const name = `2040/2041-${Date.now() % 100000}`;
    await page.getByLabel('Nosaukums').fill(name);
    await page.getByLabel('Sākas').fill('2040-09-01');
    await page.getByLabel('Beidzas').fill('2040-08-31');
    await page.getByRole('button', { name: 'Reģistrēt mācību gadu' }).click();
    await page.getByRole('alert').filter({ hasText: 'Beigu datumam jābūt pēc sākuma datuma.' }).waitFor();
    await page.getByLabel('Beidzas').fill('2041-06-30');
    await page.getByRole('button', { name: 'Reģistrēt mācību gadu' }).click();
    await page.getByText(`Mācību gads ${name} reģistrēts.`).waitFor();
    const years = await call(stack, 'GET', '/school-years?limit=500', { token: admin.token });
    const made = years.body.items.find((y) => y.name === name);
    assert.ok(made, years.text);
    assert.equal(made.starts_on, '2040-09-01');
    assert.equal(made.closed, false);
    const row = page.getByRole('listitem').filter({ hasText: name });
    await row.getByText('atvērts').waitFor();
    await row.getByRole('button', { name: `Slēgt mācību gadu ${name}` }).click();
    await row.getByText(/tā žurnāls kļūst tikai lasāms uz visiem laikiem \(§18\)/).waitFor();
    await axe(page, 'school years close desktop');
    await shot(page, 'years-close-desktop');
    await row.getByRole('button', { name: 'Atcelt' }).click();
    assert.equal((await call(stack, 'GET', `/school-years/${made.id}`, { token: admin.token })).body.closed, false, 'cancel closes nothing');
    await row.getByRole('button', { name: `Slēgt mācību gadu ${name}` }).click();
    await row.getByRole('button', { name: `Jā, slēgt ${name}` }).click();
    await page.getByText(`Mācību gads ${name} slēgts: tā žurnāls tagad ir tikai lasāms (§18).`).waitFor();
    await page.getByRole('listitem').filter({ hasText: name }).getByText('slēgts', { exact: true }).waitFor();
    const closed = await call(stack, 'GET', `/school-years/${made.id}`, { token: admin.token });
    assert.equal(closed.body.closed, true);
    assert.ok(closed.body.closed_at);
    const group = await call(stack, 'POST', '/groups', { token: admin.token,
      body: { program_id: inst.program.id, school_year_id: made.id, name: 'Slēgtā gada grupa', teacher_ids: [] } });
    assert.equal(group.status, 409, group.text);
    assert.equal(group.body.code, 'school_year_closed');
    assert.equal(await page.getByRole('button', { name: `Slēgt mācību gadu ${name}` }).count(), 0, 'a closed year offers no close');
    await page.setViewportSize(PHONE);
    await axe(page, 'school years phone');
    await shot(page, 'years-phone');
    await context.close();
  });

  test('issue 12 students (§4, §11, §12): register, search, edit with If-Match, link a guardian and unlink (naming §11)', async () => {
    const guardian = await makeUser(stack, admin, { roles: ['guardian'], full_name: 'Ieva Kalēja', activate: false });
    const { context, page } = await open(PHONE, { expectFailures: true });
    await signIn(page, deputy.username, deputy.password);
    await page.getByRole('link', { name: 'Audzēkņi' }).click();
    await page.getByRole('heading', { name: 'Reģistrēt audzēkni' }).waitFor();
    await page.getByRole('button', { name: 'Reģistrēt', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Ierakstiet audzēkņa vārdu un uzvārdu.' }).waitFor();
    await page.getByLabel('Vārds un uzvārds').fill('Dārta Kalēja');
    await page.getByLabel('Dzimšanas datums').fill('2015-04-12');
    await page.getByRole('button', { name: 'Reģistrēt', exact: true }).click();
    await page.getByRole('heading', { name: 'Dārta Kalēja', level: 1 }).waitFor();
    const found = await call(stack, 'GET', `/students?q=${encodeURIComponent('Dārta Kal')}`, { token: admin.token });
    assert.equal(found.body.items.length, 1, found.text);
    const darta = found.body.items[0];
    assert.equal(darta.birth_date, '2015-04-12');
    await page.getByLabel('Dzimšanas datums').fill('2015-04-21');
    await page.getByRole('button', { name: 'Saglabāt' }).click();
    await page.getByText('Audzēkņa dati saglabāti.').waitFor();
    let now = await call(stack, 'GET', `/students/${darta.id}`, { token: admin.token });
    assert.equal(now.body.birth_date, '2015-04-21');
    assert.equal(now.body.version, darta.version + 1);
    // Someone else changes her meanwhile: this page's ETag is stale, the save is refused (412).
    const other = await call(stack, 'PATCH', `/students/${darta.id}`, { token: admin.token, headers: { 'If-Match': now.headers.get('etag') },
      body: { external_id: `ext-${darta.id}` } });
    assert.equal(other.status, 200, other.text);
    await page.getByLabel('Vārds un uzvārds').fill('Dārta Kalēja-Liepa');
    await page.getByRole('button', { name: 'Saglabāt' }).click();
    await page.getByRole('alert').filter({ hasText: 'Kāds audzēkņa datus jau mainīja.' }).waitFor();
    assert.equal((await call(stack, 'GET', `/students/${darta.id}`, { token: admin.token })).body.full_name, 'Dārta Kalēja', 'nothing overwritten');
    await page.getByRole('button', { name: 'Ielādēt pašreizējos' }).click();
    await page.getByLabel('Ārējais identifikators').waitFor();
    assert.equal(await page.getByLabel('Ārējais identifikators').inputValue(), `ext-${darta.id}`);

    await page.getByRole('button', { name: 'Piesaistīt vecāku' }).click();
    await page.getByRole('alert').filter({ hasText: 'Izvēlieties vecāka kontu.' }).waitFor();
    await page.getByLabel('Vecāka konts').selectOption({ label: `Ieva Kalēja (${guardian.username})` });
    await page.getByRole('button', { name: 'Piesaistīt vecāku' }).click();
    await page.getByText('Ieva Kalēja tagad ir Dārta Kalēja vecāks.').waitFor();
    let g = await call(stack, 'GET', `/students/${darta.id}/guardians`, { token: admin.token });
    assert.deepEqual(g.body.items.map((x) => x.user_id), [guardian.id]);
    await axe(page, 'student phone');
    await shot(page, 'student-phone');
    await page.getByRole('button', { name: 'Atsaistīt vecāku: Ieva Kalēja' }).click();
    await page.getByText(/Ja Ieva Kalēja nav cita bērna ar aktīvu uzņemšanu, viņa piekļuve e-žurnālam beigsies nekavējoties \(§11\)/).waitFor();
    await page.getByRole('button', { name: 'Jā, atsaistīt' }).click();
    await page.getByText('Ieva Kalēja vairs nav Dārta Kalēja vecāks.').waitFor();
    g = await call(stack, 'GET', `/students/${darta.id}/guardians`, { token: admin.token });
    assert.deepEqual(g.body.items, []);

    await page.getByRole('link', { name: 'Visi audzēkņi' }).click();
    await page.getByLabel('Meklēt pēc vārda').fill('dārta');
    await page.getByRole('button', { name: 'Meklēt' }).click();
    const list = page.getByRole('list', { name: 'Atrastie audzēkņi' });
    await list.getByRole('link', { name: 'Dārta Kalēja' }).waitFor();
    assert.equal(await list.getByRole('listitem').count(), 1, 'the search narrows the list');
    await axe(page, 'students phone');
    await shot(page, 'students-phone');
    await page.setViewportSize(DESKTOP);
    await axe(page, 'students desktop');
    await shot(page, 'students-desktop');
    await context.close();
  });

  test('issue 12 the calendar (§13, §17): a holiday on a day with lessons names them, cancels them when confirmed; a working day; deleting', async () => {
    // A lesson some weeks ahead, inside the school year, on a day that is not a holiday.
    let lesson = null;
    for (let ahead = 38; ahead < 50 && !lesson; ahead++) {
      const d = addDays(today, ahead);
      const wd = new Date(`${d}T12:00:00Z`).getUTCDay();
      if (wd === 0 || wd === 6) continue;
      const r = await call(stack, 'POST', '/lessons', { token: admin.token, body: { group_id: inst.group.id, date: d, starts_at: '12:00', ends_at: '13:30' } });
      if (r.status === 201) lesson = r.body;
      else assert.ok(r.status === 422 && r.body.code === 'public_holiday', r.text);
    }
    assert.ok(lesson, 'a lesson date');
    const year = lesson.date.slice(0, 4);
    const { context, page } = await open(DESKTOP, { expectFailures: true });
    await signIn(page, deputy.username, deputy.password);
    await page.getByRole('link', { name: 'Kalendārs' }).click();
    await page.getByRole('heading', { name: `Kalendārs ${today.slice(0, 4)}` }).waitFor();
    await page.getByText('nosaka likums').first().waitFor();
    assert.ok(await page.getByText('nosaka likums').count() >= 10, 'the law\'s holidays of the year are listed');
    await page.goto(`${stack.base}/#/calendar/${year}`);
    await page.getByRole('heading', { name: `Kalendārs ${year}` }).waitFor();
    const holidayForm = page.getByRole('form', { name: 'Pievienot svētku dienu vai brīvdienu' });
    await holidayForm.getByLabel('Datums').fill(lesson.date);
    await holidayForm.getByLabel('Nosaukums').fill('Saeimas noteikta svētku diena');
    await holidayForm.getByRole('button', { name: 'Pievienot' }).click();
    await holidayForm.getByText('Šajā dienā ir nodarbības (1). Pievienojot svētku dienu, tās tiks atceltas:').waitFor();
    await holidayForm.getByText(`12:00 · ${inst.group.name}`).waitFor();
    assert.equal((await call(stack, 'GET', `/calendar/holidays/${lesson.date}`, { token: admin.token })).status, 404, 'refused: nothing added yet');
    await axe(page, 'calendar lessons in the way desktop');
    await shot(page, 'calendar-conflict-desktop');
    await holidayForm.getByRole('button', { name: 'Pievienot un atcelt nodarbības (1)' }).click();
    await page.getByText(/^Pievienots: Saeimas noteikta svētku diena\. Svētku dienas: .+\. Atceltas nodarbības: 1\. Mainīti ierakstu termiņi: \d+\.$/).waitFor();
    const cancelled = await call(stack, 'GET', `/lessons/${lesson.id}`, { token: admin.token });
    assert.equal(cancelled.body.state, 'cancelled', 'the lesson on the new holiday is cancelled (§17)');
    const hol = await call(stack, 'GET', `/calendar/holidays/${lesson.date}`, { token: admin.token });
    assert.equal(hol.status, 200);
    assert.equal(hol.body.source, 'custom');

    // A transferred working day: the Saturday after the holiday.
    let sat = lesson.date;
    while (new Date(`${sat}T12:00:00Z`).getUTCDay() !== 6) sat = addDays(sat, 1);
    const wdForm = page.getByRole('form', { name: 'Pievienot pārceltu darba dienu' });
    await wdForm.getByLabel('Datums').fill(sat);
    await wdForm.getByLabel('Piezīme').fill('Atstrādā pārcelto dienu');
    await wdForm.getByRole('button', { name: 'Pievienot' }).click();
    await page.getByText(/^Darba diena .+ pievienota\. Mainīti ierakstu termiņi: \d+\.$/).waitFor();
    const wd = await call(stack, 'GET', `/calendar/working-days/${sat}`, { token: admin.token });
    assert.equal(wd.status, 200, wd.text);
    assert.equal(wd.body.note, 'Atstrādā pārcelto dienu');
    await page.getByRole('listitem').filter({ hasText: 'Atstrādā pārcelto dienu' }).waitFor();
    await page.setViewportSize(PHONE);
    await axe(page, 'calendar phone');
    await shot(page, 'calendar-phone');
    await page.setViewportSize(DESKTOP);
    await shot(page, 'calendar-desktop');

    // Deleting both: the law's holidays offer no delete.
    const holRow = page.getByRole('listitem').filter({ hasText: 'Saeimas noteikta svētku diena' });
    await holRow.getByRole('button', { name: /^Dzēst: Saeimas noteikta svētku diena/ }).click();
    await holRow.getByRole('button', { name: 'Jā, dzēst' }).click();
    await page.getByText('Dzēsts: Saeimas noteikta svētku diena.').waitFor();
    assert.equal((await call(stack, 'GET', `/calendar/holidays/${lesson.date}`, { token: admin.token })).status, 404);
    const wdRow = page.getByRole('listitem').filter({ hasText: 'Atstrādā pārcelto dienu' });
    await wdRow.getByRole('button', { name: /^Dzēst: darba diena/ }).click();
    await wdRow.getByRole('button', { name: 'Jā, dzēst' }).click();
    await page.getByText(/^Dzēsts: darba diena /).waitFor();
    assert.equal((await call(stack, 'GET', `/calendar/working-days/${sat}`, { token: admin.token })).status, 404);
    const lawRow = page.getByRole('listitem').filter({ hasText: 'nosaka likums' }).first();
    assert.equal(await lawRow.getByRole('button').count(), 0, 'a law holiday has no delete');
    await context.close();
  });

  test('issue 12 the director lands on the entry quality (§16): the report matches the API, a review is recorded; the audit search finds it (§19)', async () => {
    const director = await makeUser(stack, admin, { roles: ['director'], full_name: 'Aina Zariņa' });
    const report = await call(stack, 'GET', `/reports/entry-quality?school_year_id=${inst.year.id}`, { token: admin.token });
    assert.equal(report.status, 200, report.text);
    const mine = report.body.teachers.find((r) => r.teacher_id === teacher.id);
    assert.ok(mine && mine.due > 0, report.text);
    const { context, page } = await open(DESKTOP);
    await signIn(page, director.username, director.password);
    await page.getByRole('heading', { name: 'Ierakstu kvalitāte', level: 1 }).waitFor();
    assert.match(page.url(), /#\/quality$/, 'the director lands on their work, not on the account screen');
    await page.getByLabel('Mācību gads').selectOption({ label: inst.year.name });
    await page.getByRole('button', { name: 'Atvērt' }).click();
    await page.getByRole('heading', { name: `Skolotāji: ${inst.year.name}` }).waitFor();
    const tr = page.getByRole('row', { name: /^Ilze Kalniņa/ });
    const cells = await tr.getByRole('cell').allTextContents();
    assert.deepEqual(cells.map(Number), ['due', 'on_time', 'late', 'missing', 'extensions', 'substitutions'].map((c) => mine[c]));
    const totals = await page.getByRole('row', { name: /^Kopā/ }).getByRole('cell').allTextContents();
    assert.equal(Number(totals[0]), report.body.totals.due);
    await page.getByText(`veiktas ${report.body.reviews.done} no ${report.body.reviews.required}`).waitFor();

    await page.getByRole('button', { name: 'Ierakstīt pārbaudi' }).click();
    await page.getByRole('alert').filter({ hasText: 'Ierakstiet datumu un kopsavilkumu.' }).waitFor();
    await page.getByLabel('Kopsavilkums').fill('Pārbaudīti decembra ieraksti: tēmas aizpildītas.');
    await page.getByRole('button', { name: 'Pievienot konstatējumu' }).click();
    await page.getByLabel('Par skolotāju').selectOption({ label: 'Ilze Kalniņa' });
    await page.getByLabel('Konstatējums').fill('Viena nodarbība nav ierakstīta laikā.');
    await axe(page, 'entry quality desktop');
    await shot(page, 'quality-desktop');
    await page.getByRole('button', { name: 'Ierakstīt pārbaudi' }).click();
    await page.getByText(/^Pārbaude \(.+\) ierakstīta\.$/).waitFor();
    const reviews = await call(stack, 'GET', `/quality-reviews?school_year_id=${inst.year.id}`, { token: admin.token });
    const done = reviews.body.items.find((r) => r.reviewed_by === director.id);
    assert.ok(done, reviews.text);
    assert.equal(done.summary, 'Pārbaudīti decembra ieraksti: tēmas aizpildītas.');
    assert.deepEqual(done.findings.map((f) => [f.teacher_id, f.note]), [[teacher.id, 'Viena nodarbība nav ierakstīta laikā.']]);
    await page.getByText(`veiktas ${report.body.reviews.done + 1} no ${report.body.reviews.required}`).waitFor();
    await page.getByText('Ilze Kalniņa: ').first().waitFor();
    await page.setViewportSize(PHONE);
    await axe(page, 'entry quality phone');
    await shot(page, 'quality-phone');

    await page.getByRole('link', { name: 'Audits' }).click();
    await page.getByRole('heading', { name: 'Audits', level: 1 }).waitFor();
    await page.getByLabel('Kas', { exact: true }).selectOption({ label: `Aina Zariņa (${director.username})` });
    await page.getByLabel('Ko', { exact: true }).selectOption({ label: 'kvalitātes pārbaude' });
    await page.getByRole('button', { name: 'Meklēt' }).click();
    const hit = page.getByRole('listitem').filter({ hasText: 'quality_review.create' });
    await hit.filter({ hasText: `kvalitātes pārbaude #${done.id}` }).waitFor();
    assert.equal(await page.getByRole('listitem').filter({ hasText: 'quality_review.create' }).count(), 1, 'only her one review');
    await hit.getByText('Sīkāk').click();
    await hit.getByText('Pārbaudīti decembra ieraksti: tēmas aizpildītas.', { exact: false }).first().waitFor();
    await axe(page, 'audit phone');
    await shot(page, 'audit-phone');
    // Reads of a student's data are found as well (§20).
    await page.getByLabel('Kas', { exact: true }).selectOption({ label: 'Jebkurš' });
    await page.getByLabel('Ko', { exact: true }).selectOption({ label: 'lasīja: audzēkņa dati' });
    await page.getByRole('button', { name: 'Meklēt' }).click();
    await page.getByRole('listitem').filter({ hasText: 'lasīja' }).first().waitFor();
    const reads = await call(stack, 'GET', '/audit?entity=getStudent&limit=5', { token: admin.token });
    assert.ok(reads.body.items.length > 0, reads.text);
    await page.setViewportSize(DESKTOP);
    await axe(page, 'audit desktop');
    await shot(page, 'audit-desktop');
    const trail = await call(stack, 'GET', `/audit?actor_id=${director.id}&action=read&entity=listAudit`, { token: admin.token });
    assert.ok(trail.status === 200 && trail.body.items.length >= 2, `the director's searches are themselves recorded: ${trail.text}`);
    await context.close();
  });

  test('issue 12 measured (desk screens): API calls per screen, none grows with the number of records', async () => {
    const d = await open(DESKTOP);
    const calls = [];
    d.page.on('request', (req) => {
      const u = new URL(req.url());
      if (u.pathname.startsWith('/api/v1/')) calls.push(`${req.method()} ${u.pathname}${u.search.replace(/=[^&]*/g, '=')}`);
    });
    const perScreen = {};
    const visit = async (name, action, ready) => {
      calls.length = 0;
      await action();
      await ready();
      await d.page.waitForLoadState('networkidle');
      perScreen[name] = [...calls];
    };
    await signIn(d.page, deputy.username, deputy.password);
    await d.page.getByRole('heading', { name: 'Šodienas darbi' }).waitFor();
    await d.page.waitForLoadState('networkidle');
    const menu = d.page.getByRole('navigation', { name: 'Galvenā izvēlne' });
    await visit('students', () => menu.getByRole('link', { name: 'Audzēkņi' }).click(),
      () => d.page.getByRole('list', { name: 'Atrastie audzēkņi' }).getByRole('link').first().waitFor());
    await visit('a student', () => d.page.getByRole('list', { name: 'Atrastie audzēkņi' }).getByRole('link').first().click(),
      () => d.page.getByRole('heading', { name: /^Vecāki \(likumiskie pārstāvji\)/ }).waitFor());
    await visit('school years', () => menu.getByRole('link', { name: 'Mācību gadi' }).click(),
      () => d.page.getByRole('list', { name: 'Mācību gadi' }).waitFor());
    await visit('calendar', () => menu.getByRole('link', { name: 'Kalendārs' }).click(),
      () => d.page.getByRole('heading', { name: /^Svētku dienas un brīvdienas/ }).waitFor());
    await visit('entry quality', () => menu.getByRole('link', { name: 'Ierakstu kvalitāte' }).click(),
      () => d.page.getByRole('heading', { name: /^Skolotāji: / }).waitFor());
    await visit('audit', () => menu.getByRole('link', { name: 'Audits' }).click(),
      () => d.page.locator('details').first().waitFor());
    await d.context.close();
    const director = await makeUser(stack, admin, { roles: ['director'], full_name: 'Laima Ābele' });
    const g = await open(DESKTOP);
    const gcalls = [];
    g.page.on('request', (req) => {
      const u = new URL(req.url());
      if (u.pathname.startsWith('/api/v1/')) gcalls.push(`${req.method()} ${u.pathname}${u.search.replace(/=[^&]*/g, '=')}`);
    });
    await signIn(g.page, director.username, director.password);
    await g.page.getByRole('heading', { name: /^Skolotāji: / }).waitFor();
    await g.page.waitForLoadState('networkidle');
    perScreen['director sign in → entry quality'] = gcalls;
    await g.context.close();
    fs.writeFileSync(path.join(shots, 'measurements-desk.json'), `${JSON.stringify({ api_calls: perScreen }, null, 2)}\n`);
    console.log(`web: measurements (desk) ${JSON.stringify(perScreen)}`);
    for (const [name, list] of Object.entries(perScreen)) assert.ok(list.length <= 4, `${name}: ${list.join(', ')}`);
  });

  test('issue 12 desk screens: no console errors, uncaught exceptions or CSP violations on any page', () => {
    assert.deepEqual(problems, []);
  });
});
