// The superuser's setup screens in a real browser (issue 12, §12, §17): registering a programme,
// creating a group of it with a teacher, changing the group's teachers with If-Match (and a 412
// when someone saved meanwhile), entering a weekly schedule slot that creates the lessons and names
// the public holiday it skipped, and the teacher then seeing the group's lessons. Like the other
// files in tests/web: Debian's chromium through playwright-core against the real server and
// database, every page watched for console errors, uncaught exceptions and CSP violations,
// axe-core on each new screen, screenshots at phone and desktop size to EJ_WEB_SHOTS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSession, makeUser } from '../api/lib/fixtures.mjs';
import { call, startStack } from '../api/lib/stack.mjs';
import { DESKTOP, PHONE, WEB_DIR, addDays, axe, launch, openPage, rigaToday, shot, shots, signIn } from './lib/web.mjs';

console.log(`web: screenshots in ${shots}`);
const today = rigaToday();
const isoWeekday = (iso) => new Date(`${iso}T12:00:00Z`).getUTCDay() || 7;
const tag = String(Date.now() % 100000);

let stack, admin, teacher, second, deputy, year, browser, first, holiday;
const problems = [];
const open = (viewport, opts) => openPage(browser, stack, problems, viewport, opts);
const programCode = `KER-${tag}`;
const groupName = `Keramika jauniešiem ${tag}`;

before(async () => {
  stack = await startStack({ env: { EJ_WEB_DIR: WEB_DIR } });
  admin = await adminSession(stack);
  teacher = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Māra Liepiņa' });
  second = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Jānis Kalns' });
  deputy = await makeUser(stack, admin, { roles: ['superuser'], full_name: 'Dace Ozoliņa' });
  const y = await call(stack, 'POST', '/school-years', { token: admin.token,
    body: { name: `Gads ${tag}`, starts_on: addDays(today, -30), ends_on: addDays(today, 90) } });
  assert.equal(y.status, 201, y.text);
  year = y.body;
  // The slot's first date: the first day of the coming week that is no public holiday (so the
  // teacher's "not started yet" list has it); a one-off holiday a week later, which the slot skips.
  const holidays = new Map();
  for (const yy of new Set([today.slice(0, 4), addDays(today, 30).slice(0, 4)])) {
    const r = await call(stack, 'GET', `/calendar/holidays?year=${yy}`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    for (const x of r.body.items) if (x.kind === 'holiday') holidays.set(x.date, x.name);
  }
  for (let d = 1; d <= 6 && !first; d++) if (!holidays.has(addDays(today, d))) first = addDays(today, d);
  assert.ok(first, 'a day without a holiday in the coming week');
  holiday = addDays(first, 7);
  if (!holidays.has(holiday)) {
    const r = await call(stack, 'POST', '/calendar/holidays', { token: admin.token, body: { date: holiday, name: 'Skolas svētki' } });
    assert.equal(r.status, 201, r.text);
  }
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (stack) await stack.stop();
});

describe('issue 12 web client, programmes, groups and the schedule, in chromium', () => {
  test('issue 12 §12 the superuser registers a programme, creates a group with a teacher, enters a weekly slot (lessons created, the holiday skipped, §17), and the teacher sees the lessons', async () => {
    const { context, page } = await open(DESKTOP, { expectFailures: true });
    await signIn(page, deputy.username, deputy.password);

    // A programme.
    await page.getByRole('link', { name: 'Programmas' }).click();
    await page.getByRole('heading', { name: 'Jauna programma' }).waitFor();
    await page.getByRole('button', { name: 'Reģistrēt programmu' }).click();
    await page.getByRole('alert').filter({ hasText: 'Aizpildiet obligātos laukus.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent), 'Kods', 'the first empty field has the focus');
    assert.equal((await call(stack, 'GET', '/programs?limit=500', { token: admin.token })).body.items.length, 0, 'an empty form registers nothing');
    await page.getByLabel('Kods').fill(programCode);
    await page.getByLabel('Programmas nosaukums').fill('Keramika');
    await page.getByLabel('Apraksts (nav obligāts)').fill('Darbs ar mālu, 2 stundas nedēļā.');
    await page.getByRole('button', { name: 'Reģistrēt programmu' }).click();
    await page.getByText(`Programma Keramika (${programCode}) reģistrēta.`).waitFor();
    const programs = (await call(stack, 'GET', '/programs?limit=500', { token: admin.token })).body.items;
    assert.deepEqual(programs.map((p) => [p.code, p.name, p.description]), [[programCode, 'Keramika', 'Darbs ar mālu, 2 stundas nedēļā.']]);
    const program = programs[0];
    await page.getByRole('list', { name: 'Programmu saraksts' }).getByText('Grupas: 0').waitFor();
    // The same code again is refused with its own sentence, and nothing new is made.
    await page.getByLabel('Kods').fill(programCode);
    await page.getByLabel('Programmas nosaukums').fill('Cita keramika');
    await page.getByRole('button', { name: 'Reģistrēt programmu' }).click();
    await page.getByRole('alert').filter({ hasText: 'Programma ar šo kodu jau ir.' }).waitFor();
    assert.equal((await call(stack, 'GET', '/programs?limit=500', { token: admin.token })).body.items.length, 1);
    await axe(page, 'programmes desktop');
    await shot(page, 'programs-desktop');

    // A group of it in the school year, with its teacher.
    await page.getByRole('link', { name: 'Grupas' }).click();
    await page.getByRole('heading', { name: 'Jauna grupa' }).waitFor();
    await page.getByLabel('Programma', { exact: true }).selectOption(String(program.id));
    await page.getByLabel('Mācību gads').selectOption(String(year.id));
    await page.getByLabel('Grupas nosaukums').fill(groupName);
    await page.getByLabel('Māra Liepiņa').check();
    await axe(page, 'groups with the new-group form desktop');
    await shot(page, 'groups-new-desktop');
    await page.getByRole('button', { name: 'Izveidot grupu' }).click();
    await page.getByText(`Grupa ${groupName} izveidota.`).waitFor();
    await page.getByRole('heading', { name: 'Nedēļas nodarbību laiki' }).waitFor();
    const groups = (await call(stack, 'GET', '/groups?limit=500', { token: admin.token })).body.items;
    assert.equal(groups.length, 1, JSON.stringify(groups));
    const group = groups[0];
    assert.deepEqual([group.name, group.program_id, group.school_year_id, group.teacher_ids], [groupName, program.id, year.id, [teacher.id]]);
    assert.ok(page.url().endsWith(`#/groups/${group.id}`), page.url());

    // A weekly slot: the lessons are created, the one-off holiday is skipped and named.
    const weekday = isoWeekday(first);
    const validTo = addDays(first, 14);
    await page.getByLabel('Nedēļas diena').selectOption(String(weekday));
    await page.getByLabel('Sākums', { exact: true }).fill('15:00');
    await page.getByLabel('Beigas', { exact: true }).fill('14:00');
    await page.getByLabel('Telpa (nav obligāta)').fill('12');
    await page.getByLabel('Spēkā no').fill(first);
    await page.getByLabel('Spēkā līdz').fill(validTo);
    await page.getByRole('button', { name: 'Izveidot nodarbības' }).click();
    await page.getByRole('alert').filter({ hasText: 'Beigām jābūt pēc sākuma.' }).waitFor();
    assert.equal((await call(stack, 'GET', `/groups/${group.id}/schedule`, { token: admin.token })).body.items.length, 0, 'a refused slot makes nothing');
    await page.getByLabel('Beigas', { exact: true }).fill('16:30');
    await page.getByRole('button', { name: 'Izveidot nodarbības' }).click();
    const result = page.getByRole('status').filter({ hasText: /Nodarbību laiks .* izveidots\./ });
    await result.waitFor();
    const slots = (await call(stack, 'GET', `/groups/${group.id}/schedule`, { token: admin.token })).body.items;
    assert.equal(slots.length, 1, JSON.stringify(slots));
    const slot = slots[0];
    assert.deepEqual([slot.weekday, slot.starts_at, slot.ends_at, slot.room, slot.valid_from, slot.valid_to],
      [weekday, '15:00', '16:30', '12', first, validTo]);
    assert.ok(slot.lessons >= 1 && slot.lessons <= 2, JSON.stringify(slot));
    const text = await result.textContent();
    assert.ok(text.includes(`Izveidotās nodarbības: ${slot.lessons}.`), text);
    assert.ok(text.includes('Izlaistas svētku dienas (§17):'), text);
    // The skipped date is listed (by date; the server names a one-off holiday by its own name).
    const shownDate = await page.evaluate((iso) => new Date(`${iso}T12:00:00Z`).toLocaleDateString('lv-LV',
      { weekday: 'short', day: 'numeric', month: 'long', timeZone: 'UTC' }), holiday);
    await result.getByRole('listitem').filter({ hasText: shownDate }).waitFor();
    const lessons = (await call(stack, 'GET', `/lessons?group_id=${group.id}&limit=500`, { token: admin.token })).body.items;
    assert.equal(lessons.length, slot.lessons);
    assert.ok(!lessons.some((l) => l.date === holiday), 'no lesson on the holiday');
    assert.ok(lessons.some((l) => l.date === first), 'a lesson on the first date');
    await page.getByRole('region', { name: /Nedēļas nodarbību laiki/ }).getByText(`Izveidotās nodarbības: ${slot.lessons}`).waitFor();
    await axe(page, 'a group with its schedule desktop');
    await shot(page, 'group-schedule-desktop');

    // Changing the teachers: PATCH with If-Match; then someone else saves meanwhile, and the next
    // save here is refused (412) with a reload offered, and changes nothing.
    const card = page.getByRole('region', { name: 'Grupas dati' });
    const edit = card.getByRole('form', { name: 'Grupas dati' });
    await card.getByText('Skolotāji: Māra Liepiņa').waitFor();
    await card.getByRole('button', { name: 'Mainīt grupu' }).click();
    await edit.getByLabel('Jānis Kalns').check();
    await axe(page, 'changing a group desktop');
    await shot(page, 'group-change-desktop');
    await edit.getByRole('button', { name: 'Saglabāt' }).click();
    await page.getByText(`Grupa ${groupName} saglabāta.`).waitFor();
    const g2 = await call(stack, 'GET', `/groups/${group.id}`, { token: admin.token });
    assert.deepEqual([...g2.body.teacher_ids].sort((a, b) => a - b), [teacher.id, second.id].sort((a, b) => a - b));
    const other = await call(stack, 'PATCH', `/groups/${group.id}`, { token: admin.token, headers: { 'If-Match': g2.headers.get('etag') },
      body: { name: `${groupName} (A)` } });
    assert.equal(other.status, 200, other.text);
    await card.getByText('Skolotāji: Māra Liepiņa, Jānis Kalns').or(card.getByText('Skolotāji: Jānis Kalns, Māra Liepiņa')).waitFor();
    await card.getByRole('button', { name: 'Mainīt grupu' }).click();
    await edit.getByLabel('Jānis Kalns').uncheck();
    await edit.getByRole('button', { name: 'Saglabāt' }).click();
    await edit.getByRole('alert').filter({ hasText: 'Kāds grupu jau mainīja.' }).waitFor();
    const g3 = (await call(stack, 'GET', `/groups/${group.id}`, { token: admin.token })).body;
    assert.equal(g3.teacher_ids.length, 2, 'the stale save changed nothing');
    await edit.getByRole('button', { name: 'Ielādēt pašreizējos' }).click();
    await page.getByRole('heading', { name: `${groupName} (A)` }).waitFor();
    await context.close();

    // The teacher sees the group's lessons: the first one under "not started yet".
    const tp = await open(PHONE);
    await signIn(tp.page, teacher.username, teacher.password);
    const upcoming = tp.page.getByRole('region', { name: /Vēl nav sākušās/ });
    await upcoming.getByRole('link', { name: new RegExp(`${groupName} \\(A\\)`) }).first().waitFor();
    const shown = await upcoming.getByRole('link').filter({ hasText: groupName }).count();
    assert.equal(shown, lessons.filter((l) => l.date <= addDays(today, 7)).length);
    await upcoming.getByText('15:00–16:30 · telpa 12').first().waitFor();
    await axe(tp.page, 'the teacher sees the new group\'s lessons phone');
    await shot(tp.page, 'teacher-new-group-lessons-phone');
    await tp.context.close();
    assert.deepEqual(problems, []);
  });

  test('issue 12 the programme, group and schedule screens at phone size (360 px up): axe-core, screenshots', async () => {
    const { context, page } = await open(PHONE);
    await signIn(page, deputy.username, deputy.password);
    await page.getByRole('link', { name: 'Programmas' }).click();
    await page.getByRole('list', { name: 'Programmu saraksts' }).getByText(programCode).waitFor();
    await axe(page, 'programmes phone');
    await shot(page, 'programs-phone');
    await page.getByRole('link', { name: 'Grupas' }).click();
    await page.getByRole('heading', { name: 'Jauna grupa' }).waitFor();
    await page.getByRole('list', { name: 'Grupu saraksts' }).getByText(`Keramika · Gads ${tag}`).waitFor();
    await axe(page, 'groups phone');
    await shot(page, 'groups-new-phone');
    await page.getByRole('list', { name: 'Grupu saraksts' }).getByRole('link', { name: `${groupName} (A)` }).click();
    await page.getByRole('heading', { name: 'Jauns nodarbību laiks' }).waitFor();
    // Keyboard: from the weekday select, Tab reaches the start time (a labelled control each).
    await page.getByLabel('Nedēļas diena').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent), 'Sākums');
    await axe(page, 'a group with its schedule phone');
    await shot(page, 'group-schedule-phone');
    await context.close();
    assert.deepEqual(problems, []);
  });
});
