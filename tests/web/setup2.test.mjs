// The superuser's setup screens, second part, in a real browser (issue 12, §12, §17): changing a
// programme (PATCH /programs/{id} with If-Match; a taken code said by its field; a stale edit,
// changed through the API in between, shows the current values and saves on the retry without
// undoing the other change), and a single lesson outside the schedule on a group's page (POST
// /lessons: it appears in the group's lessons; a public holiday is refused naming the holiday, a
// lesson already there is named and linked, a date outside the school year is said by the field).
// Like the other files in tests/web: Debian's chromium through playwright-core against the real
// server and database, every page watched for console errors, uncaught exceptions and CSP
// violations, axe-core on each new state, screenshots at phone and desktop size to EJ_WEB_SHOTS,
// and the API calls each new screen makes into measurements-setup2.json there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { adminSession, makeUser } from '../api/lib/fixtures.mjs';
import { call, startStack } from '../api/lib/stack.mjs';
import { DESKTOP, PHONE, WEB_DIR, addDays, axe, launch, openPage, rigaToday, shot, shots, signIn } from './lib/web.mjs';

console.log(`web: screenshots in ${shots}`);
const today = rigaToday();
const tag = String(Date.now() % 100000);
const code = `KER-${tag}`;
const otherCode = `GLEZ-${tag}`;
const groupName = `Keramika pusaudžiem ${tag}`;

let stack, admin, deputy, teacher, year, program, group, browser, free, holiday;
const problems = [];
const perScreen = {};
const open = (viewport, opts) => openPage(browser, stack, problems, viewport, opts);
const lv = (page, iso) => page.evaluate((d) => new Date(`${d}T12:00:00Z`).toLocaleDateString('lv-LV',
  { weekday: 'short', day: 'numeric', month: 'long', timeZone: 'UTC' }), iso);

// Every /api/v1 request the page makes (query values blanked), for the measurements.
function recorder(page) {
  const calls = [];
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.pathname.startsWith('/api/v1/')) calls.push(`${req.method()} ${u.pathname.replace(/\/\d+(?=\/|$)/g, '/{id}')}${u.search.replace(/=[^&]*/g, '=')}`);
  });
  return calls;
}
async function measured(page, calls, name, action) {
  calls.length = 0;
  await action();
  await page.waitForLoadState('networkidle');
  perScreen[name] = [...calls];
}

before(async () => {
  stack = await startStack({ env: { EJ_WEB_DIR: WEB_DIR } });
  admin = await adminSession(stack);
  deputy = await makeUser(stack, admin, { roles: ['superuser'], full_name: 'Dace Ozoliņa' });
  teacher = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Māra Liepiņa' });
  // A school year around today long enough to hold a public holiday of the law whatever the date.
  const y = await call(stack, 'POST', '/school-years', { token: admin.token,
    body: { name: `Gads ${tag}`, starts_on: addDays(today, -180), ends_on: addDays(today, 180) } });
  assert.equal(y.status, 201, y.text);
  year = y.body;
  const p = await call(stack, 'POST', '/programs', { token: admin.token, body: { code, name: 'Keramika', description: 'Darbs ar mālu.' } });
  assert.equal(p.status, 201, p.text);
  program = p.body;
  const p2 = await call(stack, 'POST', '/programs', { token: admin.token, body: { code: otherCode, name: 'Glezniecība' } });
  assert.equal(p2.status, 201, p2.text);
  const g = await call(stack, 'POST', '/groups', { token: admin.token,
    body: { program_id: program.id, school_year_id: year.id, name: groupName, teacher_ids: [teacher.id] } });
  assert.equal(g.status, 201, g.text);
  group = g.body;
  // The law's public holidays in the year (by their names), and the first day after today that is none.
  const names = new Map();
  for (const yy of new Set([year.starts_on.slice(0, 4), year.ends_on.slice(0, 4)])) {
    const r = await call(stack, 'GET', `/calendar/holidays?year=${yy}`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    for (const x of r.body.items) if (x.kind === 'holiday' && x.name && x.date >= year.starts_on && x.date <= year.ends_on) names.set(x.date, x.name);
  }
  holiday = [...names.entries()].sort(([a], [b]) => a.localeCompare(b)).find(([d]) => d > today) || [...names.entries()][0];
  assert.ok(holiday, `a public holiday in ${year.starts_on}..${year.ends_on}`);
  for (let d = 1; d <= 10 && !free; d++) if (!names.has(addDays(today, d))) free = addDays(today, d);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (stack) await stack.stop();
});

describe('issue 12 web client, changing a programme and a single lesson, in chromium', () => {
  test('issue 12 §12 the superuser renames a programme and the list shows it; a taken code is said by the field and changes nothing', async () => {
    const { context, page } = await open(DESKTOP, { expectFailures: true });
    const calls = recorder(page);
    await signIn(page, deputy.username, deputy.password);
    await page.getByRole('heading', { name: 'Šodienas darbi' }).waitFor();
    const list = page.getByRole('list', { name: 'Programmu saraksts' });
    await measured(page, calls, 'programmes', async () => {
      await page.getByRole('link', { name: 'Programmas' }).click();
      await list.getByText('Keramika', { exact: true }).waitFor();
    });
    const form = page.getByRole('form', { name: 'Mainīt programmu Keramika' });
    await measured(page, calls, 'programmes: open the change form', async () => {
      await list.getByRole('button', { name: 'Mainīt programmu Keramika' }).click();
      await form.waitFor();
    });
    assert.equal(await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent), 'Kods', 'the form opens with the focus on its first field');
    assert.equal(await form.getByLabel('Programmas nosaukums').inputValue(), 'Keramika');
    assert.equal(await form.getByLabel('Apraksts (nav obligāts)').inputValue(), 'Darbs ar mālu.');
    await axe(page, 'changing a programme desktop');
    await shot(page, 'program-change-desktop');

    // A taken code: said under the code field (named by it), nothing changes.
    await form.getByLabel('Kods').fill(otherCode);
    await form.getByRole('button', { name: 'Saglabāt' }).click();
    const taken = form.getByRole('alert').filter({ hasText: `Kods ${otherCode} jau ir citai programmai.` });
    await taken.waitFor();
    const described = await form.getByLabel('Kods').getAttribute('aria-describedby');
    assert.ok(described.split(' ').includes(await taken.getAttribute('id')), `the code field names its error: ${described}`);
    assert.equal(await form.getByLabel('Kods').getAttribute('aria-invalid'), 'true');
    assert.equal((await call(stack, 'GET', `/programs/${program.id}`, { token: admin.token })).body.code, code, 'the refused change changed nothing');
    await axe(page, 'a programme code taken desktop');
    await shot(page, 'program-code-taken-desktop');

    // The rename: only the name is sent, with If-Match; the list shows the new name.
    await form.getByLabel('Kods').fill(code);
    await form.getByLabel('Programmas nosaukums').fill('Keramika un porcelāns');
    await measured(page, calls, 'programmes: save a change', async () => {
      await form.getByRole('button', { name: 'Saglabāt' }).click();
      await page.getByText(`Programma Keramika un porcelāns (${code}) saglabāta.`).waitFor();
    });
    await list.getByText('Keramika un porcelāns', { exact: true }).waitFor();
    assert.equal(await list.getByText('Keramika', { exact: true }).count(), 0);
    const saved = await call(stack, 'GET', `/programs/${program.id}`, { token: admin.token });
    assert.deepEqual([saved.body.code, saved.body.name, saved.body.description, saved.body.version],
      [code, 'Keramika un porcelāns', 'Darbs ar mālu.', program.version + 1]);
    assert.deepEqual(perScreen['programmes: save a change'].filter((c) => !c.startsWith('GET')), ['PATCH /api/v1/programs/{id}']);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('issue 12 §12 a stale programme edit (changed through the API in between) shows the current values, changes nothing, and the retry keeps the other change', async () => {
    const { context, page } = await open(DESKTOP, { expectFailures: true });
    const calls = recorder(page);
    await signIn(page, deputy.username, deputy.password);
    await page.getByRole('link', { name: 'Programmas' }).click();
    const list = page.getByRole('list', { name: 'Programmu saraksts' });
    await list.getByRole('button', { name: 'Mainīt programmu Keramika un porcelāns' }).click();
    const form = page.getByRole('form', { name: 'Mainīt programmu Keramika un porcelāns' });
    await form.getByLabel('Apraksts (nav obligāts)').fill('Darbs ar mālu un glazūrām, 2 stundas nedēļā.');
    // Someone else renames it meanwhile.
    const before = await call(stack, 'GET', `/programs/${program.id}`, { token: admin.token });
    const other = await call(stack, 'PATCH', `/programs/${program.id}`, { token: admin.token,
      headers: { 'If-Match': before.headers.get('etag') }, body: { name: 'Keramika (B)' } });
    assert.equal(other.status, 200, other.text);
    await measured(page, calls, 'programmes: a stale save (412)', async () => {
      await form.getByRole('button', { name: 'Saglabāt' }).click();
      await form.getByRole('alert').filter({ hasText: 'Kāds šo programmu jau mainīja' }).waitFor();
    });
    const now = form.getByRole('alert').filter({ hasText: 'Kāds šo programmu jau mainīja' });
    await now.getByText('Keramika (B)').waitFor();
    const stale = await call(stack, 'GET', `/programs/${program.id}`, { token: admin.token });
    assert.deepEqual([stale.body.name, stale.body.description], ['Keramika (B)', 'Darbs ar mālu.'], 'the stale save changed nothing');
    assert.ok(perScreen['programmes: a stale save (412)'].includes('PATCH /api/v1/programs/{id}'));
    // What was typed stays; the field not touched takes the current value.
    assert.equal(await form.getByLabel('Apraksts (nav obligāts)').inputValue(), 'Darbs ar mālu un glazūrām, 2 stundas nedēļā.');
    assert.equal(await form.getByLabel('Programmas nosaukums').inputValue(), 'Keramika (B)');
    await axe(page, 'a stale programme edit desktop');
    await shot(page, 'program-stale-desktop');
    await form.getByRole('button', { name: 'Saglabāt' }).click();
    await page.getByText(`Programma Keramika (B) (${code}) saglabāta.`).waitFor();
    const done = (await call(stack, 'GET', `/programs/${program.id}`, { token: admin.token })).body;
    assert.deepEqual([done.name, done.description], ['Keramika (B)', 'Darbs ar mālu un glazūrām, 2 stundas nedēļā.']);
    await list.getByText('Darbs ar mālu un glazūrām, 2 stundas nedēļā.').waitFor();
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('issue 12 §12 §17 the superuser adds a single lesson and sees it in the group\'s lessons; a holiday is refused by its name, a lesson already there is named and linked, a date outside the year is said', async () => {
    assert.ok(free, 'a day without a holiday in the coming ten days');
    const { context, page } = await open(DESKTOP, { expectFailures: true });
    const calls = recorder(page);
    await signIn(page, deputy.username, deputy.password);
    await page.getByRole('heading', { name: 'Šodienas darbi' }).waitFor();
    const card = page.getByRole('region', { name: groupName });
    const form = card.getByRole('form', { name: 'Atsevišķa nodarbība' });
    await page.goto(`${stack.base}/#/groups/${group.id}`);
    await page.getByRole('heading', { name: 'Jauns nodarbību laiks' }).waitFor();
    await measured(page, calls, 'a group\'s lessons', async () => {
      await page.getByRole('link', { name: 'Grupas nodarbības un atsevišķa nodarbība' }).click();
      await form.waitFor();
    });
    await page.getByRole('heading', { level: 1, name: 'Grupas nodarbības' }).waitFor();
    assert.equal(await page.getByRole('link', { name: `Grupa ${groupName}` }).getAttribute('href'), `#/groups/${group.id}`);
    await card.getByText('No šī datuma nodarbību nav.').waitFor();
    await form.getByLabel('Nodarbības datums').fill(free);
    await form.getByLabel('Nodarbība sākas').fill('15:00');
    await form.getByLabel('Nodarbība beidzas').fill('16:30');
    await form.getByLabel('Telpa šai nodarbībai (nav obligāta)').fill('Keramikas darbnīca');
    await axe(page, 'a group with the single-lesson form desktop');
    await measured(page, calls, 'a group: add a single lesson', async () => {
      await form.getByRole('button', { name: 'Pievienot nodarbību' }).click();
      await card.getByRole('status').filter({ hasText: /^Nodarbība .* pievienota\.$/ }).waitFor();
    });
    const lessons = (await call(stack, 'GET', `/lessons?group_id=${group.id}`, { token: admin.token })).body.items;
    assert.equal(lessons.length, 1, JSON.stringify(lessons));
    const lesson = lessons[0];
    assert.deepEqual([lesson.date, lesson.starts_at.slice(0, 5), lesson.ends_at.slice(0, 5), lesson.room, lesson.slot_id],
      [free, '15:00', '16:30', 'Keramikas darbnīca', null]);
    const shownDate = await lv(page, free);
    const item = card.getByRole('list', { name: 'Grupas nodarbību saraksts' }).getByRole('listitem');
    assert.equal(await item.count(), 1);
    await item.getByRole('link', { name: `${shownDate} 15:00–16:30` }).waitFor();
    const text = await item.textContent();
    for (const s of ['telpa Keramikas darbnīca', 'ārpus grafika', 'jauna', 'plānota']) assert.ok(text.includes(s), `${s} in ${text}`);
    assert.deepEqual(perScreen['a group: add a single lesson'], ['POST /api/v1/lessons', 'GET /api/v1/lessons?group_id=&from=&limit=']);
    await axe(page, 'a single lesson added desktop');
    await shot(page, 'group-lesson-added-desktop');

    // Overlapping it: refused, the lesson there named by its date and time and linked.
    await form.getByLabel('Nodarbība sākas').fill('16:00');
    await form.getByLabel('Nodarbība beidzas').fill('17:00');
    await measured(page, calls, 'a group: a lesson overlapping (409)', async () => {
      await form.getByRole('button', { name: 'Pievienot nodarbību' }).click();
      await form.getByRole('alert').filter({ hasText: 'pārklājas' }).waitFor();
    });
    const overlap = form.getByRole('alert').filter({ hasText: 'Grupai šajā laikā jau ir nodarbība, kas pārklājas ar šo:' });
    assert.equal(await overlap.getByRole('link', { name: `${shownDate} 15:00–16:30` }).getAttribute('href'), `#/lesson/${lesson.id}`);
    await axe(page, 'a lesson overlapping desktop');
    await shot(page, 'group-lesson-overlaps-desktop');
    // Starting at the same time: lesson_exists, named the same way.
    await form.getByLabel('Nodarbība sākas').fill('15:00');
    await form.getByLabel('Nodarbība beidzas').fill('16:00');
    await form.getByRole('button', { name: 'Pievienot nodarbību' }).click();
    const exists = form.getByRole('alert').filter({ hasText: 'Grupai šajā laikā jau sākas nodarbība:' });
    assert.equal(await exists.getByRole('link', { name: `${shownDate} 15:00–16:30` }).getAttribute('href'), `#/lesson/${lesson.id}`);

    // A public holiday: refused, by its name, under the date.
    const [hday, hname] = holiday;
    await form.getByLabel('Nodarbības datums').fill(hday);
    await form.getByLabel('Nodarbība sākas').fill('10:00');
    await form.getByLabel('Nodarbība beidzas').fill('11:30');
    await form.getByRole('button', { name: 'Pievienot nodarbību' }).click();
    const said = form.getByRole('alert').filter({ hasText: `${await lv(page, hday)} ir svētku diena: ${hname}.` });
    await said.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent), 'Nodarbības datums', 'the focus is on the date');
    await axe(page, 'a lesson on a public holiday desktop');
    await shot(page, 'group-lesson-holiday-desktop');

    // A date outside the group's school year.
    await form.getByLabel('Nodarbības datums').fill(addDays(year.ends_on, 1));
    await form.getByRole('button', { name: 'Pievienot nodarbību' }).click();
    await form.getByRole('alert').filter({ hasText: `Datums nav grupas mācību gadā Gads ${tag}` }).waitFor();
    assert.equal((await call(stack, 'GET', `/lessons?group_id=${group.id}`, { token: admin.token })).body.items.length, 1, 'the refused lessons made nothing');

    // The link opens the lesson.
    await card.getByRole('list', { name: 'Grupas nodarbību saraksts' }).getByRole('link').click();
    await page.waitForURL(`**/#/lesson/${lesson.id}`);
    await page.getByText(groupName).first().waitFor();
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('issue 12 the new states at phone size (360 px up): keyboard, axe-core, screenshots; the API calls each new screen makes', async () => {
    const { context, page } = await open(PHONE, { expectFailures: true });
    await signIn(page, deputy.username, deputy.password);
    await page.getByRole('heading', { name: 'Šodienas darbi' }).waitFor();
    await page.getByRole('link', { name: 'Programmas' }).click();
    const list = page.getByRole('list', { name: 'Programmu saraksts' });
    // Keyboard: Enter on "change" opens the form with the focus in it, Escape closes it and the
    // focus is back on the button.
    const change = list.getByRole('button', { name: 'Mainīt programmu Keramika (B)' });
    await change.focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: 'Mainīt programmu Keramika (B)' });
    await form.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent), 'Kods');
    await axe(page, 'changing a programme phone');
    await shot(page, 'program-change-phone');
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Mainīt programmu Keramika (B)');

    await page.goto(`${stack.base}/#/grouplessons/${group.id}`);
    const card = page.getByRole('region', { name: groupName });
    const lform = card.getByRole('form', { name: 'Atsevišķa nodarbība' });
    await card.getByRole('list', { name: 'Grupas nodarbību saraksts' }).getByRole('link').first().waitFor();
    await axe(page, 'a group with its lessons phone');
    await shot(page, 'group-lessons-phone');
    await lform.getByLabel('Nodarbības datums').fill(holiday[0]);
    await lform.getByRole('button', { name: 'Pievienot nodarbību' }).click();
    await lform.getByRole('alert').filter({ hasText: holiday[1] }).waitFor();
    await axe(page, 'a lesson on a public holiday phone');
    await shot(page, 'group-lesson-holiday-phone');
    await context.close();

    fs.writeFileSync(path.join(shots, 'measurements-setup2.json'), `${JSON.stringify({ api_calls: perScreen }, null, 2)}\n`);
    console.log(`web: measurements (setup2) ${JSON.stringify(perScreen)}`);
    assert.deepEqual(perScreen.programmes?.sort(), ['GET /api/v1/groups?limit=', 'GET /api/v1/programs?limit='], 'the programmes screen reads 2');
    assert.deepEqual(perScreen['programmes: open the change form'], ['GET /api/v1/programs/{id}']);
    assert.deepEqual(perScreen['a group\'s lessons'].sort(), ['GET /api/v1/groups/{id}', 'GET /api/v1/lessons?group_id=&from=&limit=', 'GET /api/v1/school-years?limit=']);
    for (const [name, calls] of Object.entries(perScreen)) assert.ok(calls.length <= 6, `${name}: ${calls.join(', ')}`);
    assert.deepEqual(problems, []);
  });
});
