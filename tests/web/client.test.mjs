// The web client's session-5 slice in a real browser (issue 12): the director's entry-quality report
// downloaded as CSV (a bearer-token fetch saved through a blob: URL under the strict CSP), "my logins"
// beyond the last ten (following `next`), and the client served from another static host (the API
// base from <meta name="ejournal-api">, CORS by EJ_CORS_ORIGINS). Like the other files: Debian's
// chromium through playwright-core against the real server and database, every page watched for
// console errors, uncaught exceptions and CSP violations, axe-core on each new state. Run by the
// `web` stage of scripts/test.sh (a file of its own, under its 5-minute bound).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { adminSession, makeInstitution, makeUser } from '../api/lib/fixtures.mjs';
import { call, login, startStack } from '../api/lib/stack.mjs';
import { DESKTOP, PHONE, STEP_MS, WEB_DIR, addDays, axe, launch, lessonInsideDeadline, lessonsPastDeadline, openPage, rigaToday, shot, shots, signIn } from './lib/web.mjs';

console.log(`web: screenshots in ${shots}`);
const today = rigaToday();

let stack, admin, teacher, director, inst, browser, recent, overdue;
let allowedHost, refusedHost;
const problems = [];
const open = (viewport, opts) => openPage(browser, stack, problems, viewport, opts);

// Another static host for clients/web, as a deployment would have one: only the folder's files (no
// traversal), its own CSP whose connect-src names the API's origin, and index.html with the
// <meta name="ejournal-api"> rewritten to the API (the URL is known once the stack runs: `api()`).
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
function staticHost(api) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.resolve(WEB_DIR, rel);
    const type = TYPES[path.extname(file)];
    if (!file.startsWith(WEB_DIR + path.sep) || !type || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    let body = fs.readFileSync(file);
    if (rel === 'index.html') {
      const html = body.toString('utf8');
      const meta = '<meta name="ejournal-api" content="/api/v1">';
      assert.ok(html.includes(meta), 'index.html carries the ejournal-api meta tag to rewrite');
      body = Buffer.from(html.replace(meta, `<meta name="ejournal-api" content="${api()}">`));
    }
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Security-Policy': `default-src 'self'; connect-src 'self' ${new URL(api()).origin}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const origin = `http://127.0.0.1:${server.address().port}`;
    resolve({ origin, close: () => new Promise((r) => server.close(r)) });
  }));
}

// A page on another host, watched like openPage's; `allow` lists console lines this test expects.
async function openAt(origin, viewport, allow = []) {
  const context = await browser.newContext({ viewport, locale: 'lv-LV', timezoneId: 'Europe/Riga' });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  const seen = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && !/Content.Security.Policy/i.test(msg.text())) return;
    seen.push(msg.text());
    if (!allow.some((re) => re.test(msg.text()))) problems.push(`${page.url()}: console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: uncaught: ${e.message}`));
  await page.goto(`${origin}/`);
  return { context, page, seen };
}

before(async () => {
  // The hosts first: the stack's EJ_CORS_ORIGINS names the allowed one; neither names the refused.
  allowedHost = await staticHost(() => stack.api);
  refusedHost = await staticHost(() => stack.api);
  stack = await startStack({ nginx: false, env: { EJ_WEB_DIR: WEB_DIR, EJ_CORS_ORIGINS: allowedHost.origin } });
  admin = await adminSession(stack);
  teacher = await makeUser(stack, admin, { roles: ['teacher'], full_name: 'Ilze Kalniņa' });
  director = await makeUser(stack, admin, { roles: ['director'], full_name: 'Aina Zariņa' });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna Bērziņa', 'Bruno Ozols'],
    starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
  // Two lessons whose entry deadline has passed (one recorded late by the superuser, one not: the
  // report counts them) and one still inside its deadline, for the teacher on the other host.
  overdue = (await lessonsPastDeadline(stack, admin, inst, today))[1];
  recent = await lessonInsideDeadline(stack, admin, inst, today, '10:00', '11:30');
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (stack) await stack.stop();
  await allowedHost?.close();
  await refusedHost?.close();
});

describe('issue 12 web client (session 5), in chromium', () => {
  test('issue 12 the director downloads the entry-quality report (§16) as CSV: same rows as the JSON report, under the strict CSP', async () => {
    const report = await call(stack, 'GET', `/reports/entry-quality?school_year_id=${inst.year.id}`, { token: director.token });
    assert.equal(report.status, 200, report.text);
    const mine = report.body.teachers.find((r) => r.teacher_id === teacher.id);
    assert.ok(mine && mine.due === 2 && mine.late === 1 && mine.missing === 1, report.text);
    const { context, page } = await open(DESKTOP, { expectFailures: true });
    await signIn(page, director.username, director.password);
    await page.getByRole('heading', { name: 'Ierakstu kvalitāte', level: 1 }).waitFor();
    await page.getByLabel('Mācību gads').selectOption({ label: inst.year.name });
    await page.getByRole('button', { name: 'Atvērt' }).click();
    await page.getByRole('heading', { name: `Skolotāji: ${inst.year.name}` }).waitFor();
    const csvCalls = [];
    page.on('request', (req) => {
      if (req.url().includes('/reports/entry-quality')) csvCalls.push({ accept: req.headers().accept, auth: Boolean(req.headers().authorization) });
    });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Lejupielādēt CSV' }).click()]);
    const file = `ierakstu-kvalitate-${inst.year.name.replace(/[^0-9A-Za-z]+/g, '-').replace(/^-|-$/g, '')}.csv`;
    assert.equal(download.suggestedFilename(), file);
    assert.match(download.url(), /^blob:/, 'saved from an object URL');
    const text = fs.readFileSync(await download.path(), 'utf8');
    assert.ok(text.startsWith('\uFEFF'), 'UTF-8 with a byte-order mark, as the API sends it');
    const lines = text.slice(1).split('\r\n');
    assert.equal(lines[0], 'teacher_id,full_name,due,on_time,late,missing,extensions,substitutions');
    const row = lines.find((l) => l.startsWith(`${teacher.id},`));
    assert.equal(row, [teacher.id, 'Ilze Kalniņa', ...['due', 'on_time', 'late', 'missing', 'extensions', 'substitutions'].map((c) => mine[c])].join(','));
    assert.equal(lines.filter((l) => l !== '').length, report.body.teachers.length + 1, 'a row per teacher of the JSON report');
    assert.deepEqual(csvCalls, [{ accept: 'text/csv', auth: true }], 'one call, Accept: text/csv with the bearer token');
    await page.getByRole('status').filter({ hasText: `Atskaite lejupielādēta: ${file}.` }).waitFor();
    await axe(page, 'entry quality csv downloaded desktop');
    await shot(page, 'quality-csv-desktop');
    // A refusal (problem+json) is shown like any other: the real server's 404 for a year that is not there.
    await page.route('**/api/v1/reports/entry-quality*', (route) => route.continue({ url: route.request().url().replace(/school_year_id=\d+/, 'school_year_id=987654') }));
    await page.getByRole('button', { name: 'Lejupielādēt CSV' }).click();
    await page.getByRole('alert').filter({ hasText: 'Nav atrasts.' }).waitFor();
    await page.unroute('**/api/v1/reports/entry-quality*');
    await page.setViewportSize(PHONE);
    await axe(page, 'entry quality csv refused phone');
    await shot(page, 'quality-csv-refused-phone');
    await context.close();
  });

  test('issue 12 my logins (§10) beyond the last ten: "show older" follows next and appends, then is gone', async () => {
    const u = await makeUser(stack, admin, { roles: ['staff'], full_name: 'Zane Liepiņa' });
    // Wrong passwords in threes, each followed by the right one, which clears the count (§9: the
    // pair would lock after five), so none is throttled and every attempt is its own record.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) assert.equal((await login(stack, u.username, 'not the password')).status, 401);
      assert.equal((await login(stack, u.username, u.password)).status, 200);
    }
    const { context, page } = await open(PHONE);
    await signIn(page, u.username, u.password);
    await page.getByRole('heading', { name: 'Konts', level: 1 }).waitFor();
    const all = await call(stack, 'GET', '/me/logins?limit=100', { token: u.token });
    assert.equal(all.status, 200, all.text);
    assert.ok(all.body.items.length > 10 && all.body.items.length <= 20, all.text);
    assert.equal(all.body.next, null);
    const list = page.getByRole('region', { name: 'Pēdējās pieteikšanās' }).getByRole('listitem');
    const older = page.getByRole('button', { name: 'Rādīt vecākas' });
    await older.waitFor();
    assert.equal(await list.count(), 10);
    await axe(page, 'account logins phone');
    await older.click();
    await older.waitFor({ state: 'hidden' });
    assert.equal(await list.count(), all.body.items.length, 'the older ones appended, nothing twice');
    const shown = await list.evaluateAll((li) => li.map((x) => x.textContent));
    const failed = all.body.items.filter((l) => l.outcome !== 'success').length;
    assert.equal(failed, 9, 'the nine wrong passwords, none throttled');
    assert.equal(shown.filter((x) => x.includes('neveiksmīga')).length, failed);
    const focused = await page.evaluate(() => document.activeElement?.textContent || '');
    assert.equal(focused, shown[10], 'focus on the first older one');
    await axe(page, 'account logins older phone');
    await shot(page, 'account-logins-older-phone');
    await page.setViewportSize(DESKTOP);
    await shot(page, 'account-logins-older-desktop');
    await context.close();
  });

  test('issue 12 the client served from another static host: the API from <meta name="ejournal-api">, CORS by EJ_CORS_ORIGINS; the teacher records a lesson', async () => {
    const { context, page } = await openAt(allowedHost.origin, PHONE, [/Failed to load resource: the server responded with a status of (401|429)/]);
    const apiCalls = [];
    page.on('request', (req) => {
      if (req.url().includes('/api/v1/')) apiCalls.push(req.url());
    });
    await signIn(page, teacher.username, teacher.password);
    await page.getByRole('heading', { name: 'Manas nodarbības' }).waitFor();
    await page.getByRole('heading', { name: /Nokavēti ieraksti/ }).waitFor();
    await page.locator(`a[href="#/lesson/${overdue.id}"]`).waitFor();
    assert.ok(apiCalls.length > 0 && apiCalls.every((u) => u.startsWith(`${stack.api}/`)), `every call to the API's origin: ${apiCalls.join(' ')}`);
    await axe(page, 'lessons from another host phone');
    await shot(page, 'other-host-lessons-phone');
    // The entry: its ETag read across origins (exposed), the save sent with If-Match (allowed).
    await page.locator(`a[href="#/lesson/${recent.id}"]`).click();
    await page.getByLabel('Tēma').fill('Virpošana');
    await page.getByRole('button', { name: 'Visi klātesoši' }).click();
    await page.getByRole('button', { name: 'Saglabāt ierakstu' }).click();
    await page.getByText('Ieraksts saglabāts.').waitFor();
    const r = await call(stack, 'GET', `/lessons/${recent.id}`, { token: admin.token });
    assert.equal(r.body.state, 'recorded');
    assert.equal(r.body.topic, 'Virpošana');
    // Every header the client sends is allowed (the preflight of a POST with all of them), every one
    // it reads is exposed: X-Request-Id, ETag (above, and here), Retry-After (a throttled sign-in).
    const locked = await makeUser(stack, admin, { roles: ['teacher'], activate: false });
    const seen = await page.evaluate(async ([api, lessonId, token, username]) => {
      const res = await fetch(`${api}/auth/password`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer x',
        'If-Match': '"v1"', 'Idempotency-Key': 'k-1', 'X-Request-Id': 'cors-check-1' }, body: '{}' });
      const entry = await fetch(`${api}/lessons/${lessonId}/entry`, { headers: { Authorization: `Bearer ${token}` } });
      let throttled = null;
      for (let i = 0; i < 8 && !throttled; i++) {
        const l = await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username, password: 'wrong' }) });
        if (l.status === 429) throttled = l.headers.get('Retry-After');
      }
      return { status: res.status, id: res.headers.get('X-Request-Id'), type: res.headers.get('Content-Type'),
        entry: entry.status, etag: entry.headers.get('ETag'), throttled };
    }, [stack.api, recent.id, teacher.token, locked.username]);
    assert.equal(seen.status, 401);
    assert.equal(seen.id, 'cors-check-1', 'X-Request-Id exposed');
    assert.match(seen.type, /application\/problem\+json/);
    assert.equal(seen.entry, 200);
    assert.match(seen.etag || '', /^"/, 'ETag exposed');
    assert.match(seen.throttled || '', /^[1-9][0-9]*$/, 'Retry-After exposed');
    await context.close();
  });

  test('issue 12 another static host that EJ_CORS_ORIGINS does not list: signing in says the server refuses this site, it does not hang', async () => {
    const cors = /blocked by CORS policy/;
    const { context, page, seen } = await openAt(refusedHost.origin, PHONE, [cors, /Failed to load resource/]);
    await signIn(page, teacher.username, teacher.password);
    const alert = page.getByRole('alert').filter({ hasText: `Nevar sazināties ar serveri ${new URL(stack.api).origin}` });
    await alert.waitFor();
    assert.match(await alert.textContent(), /neatļauj šīs vietnes adresi \(CORS\)/);
    assert.ok(seen.some((l) => cors.test(l)), `the browser refused it for CORS: ${seen.join(' | ')}`);
    assert.equal(await page.getByRole('button', { name: 'Pieteikties' }).isEnabled(), true, 'the form is usable again');
    await axe(page, 'sign in refused by CORS phone');
    await shot(page, 'other-host-cors-refused-phone');
    await context.close();
  });

  test('issue 12 session 5 screens: no console errors, uncaught exceptions or CSP violations on any page', () => {
    assert.deepEqual(problems, []);
  });
});
