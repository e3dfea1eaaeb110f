// What the browser test files share (issue 12): Debian's chromium through playwright-core, the
// page watchers (console errors, uncaught exceptions, CSP violations), axe-core, the width check
// (nothing wider than the screen, also at 360 px) and the screenshots folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { call, repoRoot } from '../../api/lib/stack.mjs';

const modules = process.env.EJ_WEB_NODE_MODULES || path.join(repoRoot, 'build-web', 'node_modules');
const require = createRequire(path.join(modules, 'noop.js'));
const { chromium } = require('playwright-core');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.EJ_CHROMIUM || '/usr/bin/chromium';
export const STEP_MS = Number(process.env.EJ_WEB_STEP_MS || 15000);
export const WEB_DIR = path.join(repoRoot, 'clients', 'web');

export const shots = process.env.EJ_WEB_SHOTS || fs.mkdtempSync(path.join(os.tmpdir(), 'ejournal-web-shots-'));
fs.mkdirSync(shots, { recursive: true });

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export const rigaToday = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Riga' });
export const addDays = (iso, n) => {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Playwright gives every launch a fresh temporary profile (its own --user-data-dir).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
}

// A fresh context (no storage) with the watchers on, at the stack's root. Expected refusals of API
// calls the test provokes show up as "Failed to load resource" console lines: those are allowed when
// `expectFailures` is set, nothing else is. What the watchers see goes into `problems`.
export async function openPage(browser, stack, problems, viewport, { expectFailures = false } = {}) {
  const context = await browser.newContext({ viewport, locale: 'lv-LV', timezoneId: 'Europe/Riga' });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && !/Content.Security.Policy/i.test(msg.text())) return;
    const text = msg.text();
    const apiFailure = /Failed to load resource/.test(text) && /\/api\/v1\//.test(msg.location().url || '');
    const offline = /ERR_INTERNET_DISCONNECTED/.test(text);
    if (expectFailures && (apiFailure || offline)) return;
    problems.push(`${page.url()}: console: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: uncaught: ${e.message}`));
  await page.goto(stack.base + '/');
  return { context, page };
}

// axe-core, evaluated through the DevTools protocol (the page's CSP forbids injected scripts, rightly).
export async function axe(page, name) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `axe on ${name}: ${JSON.stringify(bad, null, 1)}`);
  await fits(page, name);
}

// Nothing wider than the screen (no sideways scrolling on a phone), also at 360 px.
export async function fits(page, name) {
  const original = page.viewportSize();
  for (const width of original.width < 500 ? [original.width, 360] : [original.width]) {
    await page.setViewportSize({ width, height: original.height });
    const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    assert.ok(w.scroll <= w.inner, `${name} at ${width} px: the page is ${w.scroll} px wide`);
  }
  await page.setViewportSize(original);
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

export async function signIn(page, username, password) {
  await page.getByLabel('Lietotājvārds').fill(username);
  await page.getByLabel('Parole', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Pieteikties' }).click();
}

// Two lessons of the group whose entry deadline has passed, 30 to 44 days back (public holidays
// skipped), the first recorded late by the superuser (topic 'Glazēšana', everyone present) and the
// second not: something for the entry-quality report to count. Returns both.
export async function lessonsPastDeadline(stack, admin, inst, today) {
  const past = [];
  for (let back = 30; back < 45 && past.length < 2; back++) {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: inst.group.id, date: addDays(today, -back), starts_at: '15:00', ends_at: '16:30' } });
    if (r.status === 201) past.push(r.body);
    else assert.ok(r.status === 422 && r.body.code === 'public_holiday', r.text);
  }
  assert.equal(past.length, 2);
  const got = await call(stack, 'GET', `/lessons/${past[0].id}/entry`, { token: admin.token });
  assert.equal(got.status, 200, got.text);
  const rec = await call(stack, 'PUT', `/lessons/${past[0].id}/entry`, { token: admin.token, headers: { 'If-Match': got.headers.get('etag') },
    body: { topic: 'Glazēšana', attendance: inst.students.map((s) => ({ student_id: s.id, status: 'present' })) } });
  assert.equal(rec.status, 200, rec.text);
  return past;
}

// A lesson of the group 1 to 8 days back whose entry deadline is still more than half an hour
// away (days whose lesson is already outside it are left behind, as are public holidays).
export async function lessonInsideDeadline(stack, admin, inst, today, starts_at = '15:00', ends_at = '16:30') {
  for (let back = 1; back < 9; back++) {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: inst.group.id, date: addDays(today, -back), starts_at, ends_at } });
    if (r.status === 201 && Date.parse(r.body.deadline) > Date.now() + 30 * 60_000) return r.body;
    assert.ok(r.status === 201 || (r.status === 422 && r.body.code === 'public_holiday'), r.text);
  }
  assert.fail('no lesson of the last eight days is inside its entry deadline');
}
