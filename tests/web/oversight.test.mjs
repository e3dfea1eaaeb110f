// The web client's oversight screens in a real browser (issue 12, with issue 10's endpoints):
// proposals (§23) filed by a guardian and decided by the director, the guardian's view of a child's
// access log (§20), the director's settings (§22, §13). Like browser.test.mjs: Debian's chromium
// through playwright-core against the real server and database, every page watched for console
// errors, uncaught exceptions and CSP violations, axe-core on each screen, screenshots at phone and
// desktop size to EJ_WEB_SHOTS. A file of its own so each file stays within its time bound.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSession, makeInstitution, makeUser } from '../api/lib/fixtures.mjs';
import { call, startStack } from '../api/lib/stack.mjs';
import { DESKTOP, PHONE, WEB_DIR, addDays, axe, launch, lessonInsideDeadline, openPage, rigaToday, shot, shots, signIn } from './lib/web.mjs';

console.log(`web: screenshots in ${shots}`);
const today = rigaToday();

let stack, admin, teacher, parent, parent3, inst, later, browser;
const problems = [];
const open = (viewport, opts) => openPage(browser, stack, problems, viewport, opts);

// A guardian linked to a child who is enrolled: the first sign-in and the password change (§9).
async function guardianOf(studentId, full_name, password) {
  const g = await makeUser(stack, admin, { roles: ['guardian'], full_name, activate: false });
  const link = await call(stack, 'PUT', `/students/${studentId}/guardians/${g.id}`, { token: admin.token });
  assert.equal(link.status, 200, link.text);
  const first = await call(stack, 'POST', '/auth/login', { body: { username: g.username, password: g.initial } });
  assert.equal(first.status, 200, first.text);
  const ch = await call(stack, 'POST', '/auth/password', { token: first.body.access_token,
    body: { current_password: g.initial, new_password: password } });
  assert.equal(ch.status, 200, ch.text);
  return { ...g, password };
}

before(async () => {
  stack = await startStack({ env: { EJ_WEB_DIR: WEB_DIR } });
  admin = await adminSession(stack);
  teacher = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Ilze Kalniņa' });
  await makeUser(stack, admin, { roles: ['superuser'], full_name: 'Dace Ozoliņa' });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna Bērziņa', 'Bruno Ozols', 'Cēsis Liepa'],
    starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
  parent = await guardianOf(inst.students[0].id, 'Māra Bērziņa', 'Māras parole 2026');
  parent3 = await guardianOf(inst.students[2].id, 'Rasma Liepa', 'Rasmas parole 2026');
  // The teacher records a lesson of the last days (inside its deadline): a change in Anna's log.
  const recent = await lessonInsideDeadline(stack, admin, inst, today);
  const form = await call(stack, 'GET', `/lessons/${recent.id}/entry`, { token: teacher.token });
  assert.equal(form.status, 200, form.text);
  const rec = await call(stack, 'PUT', `/lessons/${recent.id}/entry`, { token: teacher.token, headers: { 'If-Match': form.headers.get('etag') },
    body: { topic: 'Māla trauku veidošana', attendance: inst.students.map((s) => ({ student_id: s.id, status: 'present' })) } });
  assert.equal(rec.status, 200, rec.text);
  // A lesson in the coming days, not recorded: the settings test moves its deadline.
  for (let ahead = 1; ahead < 9 && !later; ahead++) {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: inst.group.id, date: addDays(today, ahead), starts_at: '10:00', ends_at: '11:30', room: '12' } });
    if (r.status === 201) later = r.body;
    else assert.ok(r.status === 422 && r.body.code === 'public_holiday', r.text);
  }
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (stack) await stack.stop();
});

describe('issue 12 web client, oversight screens, in chromium', () => {
  test('issue 12 proposals (§23): the guardian files one, the director declines it with a response, the guardian reads the response', async () => {
    const director = await makeUser(stack, admin, { roles: ['director'], full_name: 'Velta Krūmiņa' });
    const { context, page } = await open(PHONE);
    await signIn(page, parent3.username, parent3.password);
    await page.getByRole('link', { name: 'Priekšlikumi' }).click();
    await page.getByRole('heading', { name: 'Priekšlikumi noteikumu maiņai' }).waitFor();
    await page.getByText('Vēl nav neviena priekšlikuma.').waitFor();
    await page.getByRole('button', { name: 'Iesniegt priekšlikumu' }).click();
    await page.getByRole('alert').filter({ hasText: 'Uzrakstiet priekšlikumu.' }).waitFor();
    await page.getByLabel('Noteikumu punkts').selectOption({ label: '§14' });
    await page.getByLabel('Priekšlikums', { exact: true }).fill('Kavējuma zīmi varētu iesniegt arī nedēļu vēlāk.');
    await page.getByRole('button', { name: 'Iesniegt priekšlikumu' }).click();
    await page.getByText('Priekšlikums iesniegts.').waitFor();
    const mine = page.getByRole('region', { name: /Mani priekšlikumi/ });
    await mine.getByText('Kavējuma zīmi varētu iesniegt arī nedēļu vēlāk.').waitFor();
    await mine.getByText('gaida lēmumu').waitFor();
    assert.equal(await mine.getByRole('button', { name: /^Izlemt/ }).count(), 0, 'a guardian does not decide');
    const all = await call(stack, 'GET', '/proposals', { token: admin.token });
    const filed = all.body.items.filter((p) => p.author_id === parent3.id);
    assert.equal(filed.length, 1, all.text);
    assert.equal(filed[0].paragraph, 14);
    assert.equal(filed[0].status, 'open');
    await axe(page, 'proposals guardian phone');
    await shot(page, 'proposals-guardian-phone');
    await context.close();

    const d = await open(DESKTOP);
    await signIn(d.page, director.username, director.password);
    await d.page.getByRole('link', { name: 'Priekšlikumi' }).click();
    const list = d.page.getByRole('region', { name: /Visi priekšlikumi/ });
    await list.getByText(/^Rasma Liepa, /).waitFor();
    await list.getByRole('button', { name: `Izlemt priekšlikumu #${filed[0].id}: Rasma Liepa` }).click();
    await list.getByLabel('Lēmums').selectOption({ label: 'noraidīts' });
    await list.getByRole('button', { name: 'Saglabāt lēmumu' }).click();
    await list.getByRole('alert').filter({ hasText: 'Uzrakstiet atbildi.' }).waitFor();
    await list.getByLabel('Atbilde iesniedzējam').fill('§14 prasa zīmi trīs darba dienās; termiņu nemainām.');
    await axe(d.page, 'proposals director decide desktop');
    await shot(d.page, 'proposals-director-desktop');
    await list.getByRole('button', { name: 'Saglabāt lēmumu' }).click();
    await d.page.getByText(`Priekšlikums #${filed[0].id}: noraidīts.`).waitFor();
    assert.equal(await list.getByRole('button', { name: /^Izlemt/ }).count(), 0, 'a decided proposal is not decided again');
    const got = await call(stack, 'GET', `/proposals/${filed[0].id}`, { token: admin.token });
    assert.equal(got.body.status, 'declined');
    assert.equal(got.body.decided_by, director.id);
    assert.equal(got.body.response, '§14 prasa zīmi trīs darba dienās; termiņu nemainām.');
    await d.context.close();

    const g = await open(PHONE);
    await signIn(g.page, parent3.username, parent3.password);
    await g.page.getByRole('link', { name: 'Priekšlikumi' }).click();
    const back = g.page.getByRole('region', { name: /Mani priekšlikumi/ });
    await back.getByText('noraidīts', { exact: true }).waitFor();
    await back.getByText('§14 prasa zīmi trīs darba dienās; termiņu nemainām.').waitFor();
    await back.getByText(/Atbilde \(Velta Krūmiņa, /).waitFor();
    await axe(g.page, 'proposals guardian answered phone');
    await shot(g.page, 'proposals-answered-phone');
    await g.page.setViewportSize(DESKTOP);
    await shot(g.page, 'proposals-answered-desktop');
    await g.context.close();
  });

  test('issue 12 the guardian reads the child\'s access log (§20): who by role read or changed the data, and when, without names', async () => {
    const anna = inst.students[0].id;
    const seen = await call(stack, 'GET', `/students/${anna}`, { token: admin.token }); // a read by the superuser, logged
    assert.equal(seen.status, 200, seen.text);
    const log = await call(stack, 'GET', `/students/${anna}/access-log?limit=50`, { token: admin.token });
    assert.ok(log.body.items.some((x) => x.kind === 'change' && x.actor_roles.includes('teacher')), 'the teacher\'s entries are in the log');
    const { context, page } = await open(PHONE);
    await signIn(page, parent.username, parent.password);
    await page.getByRole('heading', { name: 'Mani bērni' }).waitFor();
    await page.getByRole('link', { name: 'Kas skatīja vai mainīja datus: Anna Bērziņa' }).click();
    await page.getByRole('heading', { name: 'Kas skatīja vai mainīja: Anna Bērziņa' }).waitFor();
    const rows = page.getByRole('region', { name: 'Piekļuves ieraksti' }).getByRole('listitem');
    await rows.filter({ hasText: 'skolotājs' }).filter({ hasText: 'mainīja' }).first().waitFor();
    await rows.filter({ hasText: 'direktora vietnieks' }).filter({ hasText: 'audzēkņa dati' }).filter({ hasText: 'skatīja' }).first().waitFor();
    assert.ok(await rows.count() >= Math.min(50, log.body.items.length), 'every record of the first page is listed');
    assert.equal(await page.getByText('Ilze Kalniņa').count(), 0, 'the family sees roles, not names');
    assert.equal(await page.getByText('Dace Ozoliņa').count(), 0, 'the family sees roles, not names');
    await axe(page, 'access log phone');
    await shot(page, 'access-log-phone');
    await page.setViewportSize(DESKTOP);
    await axe(page, 'access log desktop');
    await shot(page, 'access-log-desktop');
    await context.close();
  });

  test('issue 12 the director\'s settings (§22, §13): a new number of working days moves the open deadlines, says how many; a stale save is refused (412)', async () => {
    const director = await makeUser(stack, admin, { roles: ['director'], full_name: 'Gunta Priede' });
    const before = await call(stack, 'GET', '/settings', { token: admin.token });
    assert.equal(before.status, 200, before.text);
    const days = before.body.entry_deadline_working_days;
    const next = days === 10 ? 9 : days + 1;
    const laterBefore = (await call(stack, 'GET', `/lessons/${later.id}`, { token: admin.token })).body;
    const { context, page } = await open(PHONE, { expectFailures: true });
    try {
      await signIn(page, director.username, director.password);
      await page.getByRole('link', { name: 'Iestatījumi' }).click();
      const daysBox = page.getByLabel('Darba dienas nodarbības ierakstam');
      await daysBox.waitFor();
      assert.equal(await daysBox.inputValue(), String(days));
      await axe(page, 'settings phone');
      await shot(page, 'settings-phone');
      await daysBox.fill('11');
      await page.getByRole('button', { name: 'Saglabāt' }).click();
      await page.getByRole('alert').filter({ hasText: 'Darba dienām jābūt veselam skaitlim no 1 līdz 10.' }).waitFor();
      assert.equal((await call(stack, 'GET', '/settings', { token: admin.token })).body.version, before.body.version, 'nothing saved');
      await daysBox.fill(String(next));
      await page.getByLabel('Iestādes nosaukums').fill('Rīgas Mākslas skola');
      await page.getByRole('button', { name: 'Saglabāt' }).click();
      const saidMoved = page.getByText(/Iestatījumi saglabāti\. Jauns ieraksta termiņš nodarbībām: (\d+)\./);
      await saidMoved.waitFor();
      const moved = Number((await saidMoved.textContent()).match(/: (\d+)\./)[1]);
      assert.ok(moved >= 1, 'the coming lesson is not recorded: its deadline moves');
      const after = await call(stack, 'GET', '/settings', { token: admin.token });
      assert.equal(after.body.entry_deadline_working_days, next);
      assert.equal(after.body.institution_name, 'Rīgas Mākslas skola');
      const laterAfter = (await call(stack, 'GET', `/lessons/${later.id}`, { token: admin.token })).body;
      assert.notEqual(laterAfter.deadline, laterBefore.deadline, 'the unrecorded lesson got the new deadline');
      assert.equal(await daysBox.inputValue(), String(next));

      // Someone else saves meanwhile: this screen's ETag is stale, the save is refused, nothing lost.
      const other = await call(stack, 'PATCH', '/settings', { token: admin.token, headers: { 'If-Match': after.headers.get('etag') },
        body: { required_quality_reviews: after.body.required_quality_reviews === 12 ? 11 : after.body.required_quality_reviews + 1 } });
      assert.equal(other.status, 200, other.text);
      await page.getByLabel('Iestādes adrese').fill('Kr. Barona iela 1, Rīga');
      await page.getByRole('button', { name: 'Saglabāt' }).click();
      await page.getByRole('alert').filter({ hasText: 'Kāds iestatījumus jau mainīja.' }).waitFor();
      assert.equal((await call(stack, 'GET', '/settings', { token: admin.token })).body.institution_address, after.body.institution_address);
      await page.getByRole('button', { name: 'Ielādēt pašreizējos' }).click();
      await page.getByLabel('Kvalitātes pārbaudes mācību gadā').waitFor();
      assert.equal(await page.getByLabel('Kvalitātes pārbaudes mācību gadā').inputValue(), String(other.body.required_quality_reviews));
      await page.setViewportSize(DESKTOP);
      await axe(page, 'settings desktop');
      await shot(page, 'settings-desktop');
    } finally {
      // Back to the deadline rule the other tests were written for.
      const now = await call(stack, 'GET', '/settings', { token: admin.token });
      const back = await call(stack, 'PATCH', '/settings', { token: admin.token, headers: { 'If-Match': now.headers.get('etag') },
        body: { entry_deadline_working_days: days, required_quality_reviews: before.body.required_quality_reviews } });
      assert.equal(back.status, 200, back.text);
      await context.close();
    }
  });

  test('issue 12 oversight screens: no console errors, uncaught exceptions or CSP violations on any page', () => {
    assert.deepEqual(problems, []);
  });
});
