// The demo institution has a history and something to record on day one (issue 15): past lessons
// recorded with topics, absences with and without reasons, an applied and a pending absence
// report, a substitute and an extension; and each teacher can sign in with the printed one-time
// password and record a lesson that ended yesterday, at whatever hour the demo is loaded.
// Run alone with: bash scripts/test.sh tests/api/demo.test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { adminSession } from './lib/fixtures.mjs';
import { call, login, repoRoot, startStack } from './lib/stack.mjs';

const SCRIPT = path.join(repoRoot, 'scripts', 'demo-data.mjs');
const TIMEOUT_MS = Number(process.env.EJ_DEMO_TIMEOUT_MS || 120_000);

function load(stack) {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, stack.base, 'admin', stack.adminPassword], { timeout: TIMEOUT_MS },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 'killed') : 0, stdout, stderr }));
  });
}

let stack, admin, out;
const accounts = new Map();
before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  out = await load(stack);
  for (const m of out.stdout.matchAll(/^ {2}(\S+)\s+(\S+)\s+(\S+)$/gm)) accounts.set(m[1], { roles: m[2], initial: m[3] });
});
after(async () => stack && stack.stop());

const get = (p, token = admin.token) => call(stack, 'GET', p, { token });

async function signIn(username) {
  const a = accounts.get(username);
  assert.ok(a, `${username} is among the printed accounts: ${out.stdout}`);
  const first = await login(stack, username, a.initial);
  assert.equal(first.status, 200, first.text);
  const ch = await call(stack, 'POST', '/auth/password', { token: first.body.access_token,
    body: { current_password: a.initial, new_password: `demo ${username} 2026` } });
  assert.equal(ch.status, 200, ch.text);
  return ch.body.access_token;
}

describe('issue 15 the demo institution', () => {
  test('issue 15 it loads, prints the accounts, and a second run changes nothing', async () => {
    assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
    for (const u of ['anna.berzina', 'peteris.kalns', 'janis.berzs', 'maris.ozols', 'direktore']) assert.ok(accounts.has(u), u);
    const again = await load(stack);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already loaded/);
  });

  test('issue 15 it has a history: recorded lessons with topics, absences with and without reasons, reports applied and pending, a substitute, an extension', async () => {
    const recorded = (await get('/lessons?state=recorded&limit=500')).body.items;
    assert.ok(recorded.length >= 2, `${recorded.length} recorded lessons`);
    assert.ok(recorded.every((l) => l.topic && l.attendance.length > 0));
    const rows = recorded.flatMap((l) => l.attendance);
    assert.ok(rows.some((a) => a.status === 'absent' && a.reason), 'an absence with a reason');
    assert.ok(rows.some((a) => a.status === 'absent' && !a.reason), 'an absence without one');
    const reports = (await get('/absence-reports?limit=500')).body.items;
    assert.ok(reports.some((r) => r.status === 'applied' && r.absences_with_reason > 0), 'an applied report');
    assert.ok(reports.some((r) => r.status === 'pending'), 'a pending report');
    const all = (await get('/lessons?limit=500')).body.items;
    assert.ok(all.some((l) => l.substitute_teacher_id), 'a substitute lesson');
    assert.ok(all.some((l) => l.extension), 'an extension');
  });

  test('issue 15 each teacher can record a lesson on day one: teacher_id=me&state=due is not empty and the entry is accepted', async () => {
    for (const username of ['anna.berzina', 'peteris.kalns', 'janis.berzs']) {
      const token = await signIn(username);
      const due = (await get('/lessons?teacher_id=me&state=due', token)).body.items;
      // Inside its own deadline (not only under the demo's extension).
      const l = due.find((x) => Date.parse(x.deadline) > Date.now());
      assert.ok(l, `${username} has a lesson to record now: ${JSON.stringify(due)}`);
      const form = await get(`/lessons/${l.id}/entry`, token);
      assert.equal(form.status, 200, form.text);
      const r = await call(stack, 'PUT', `/lessons/${l.id}/entry`, { token, headers: { 'if-match': form.headers.get('etag') },
        body: { topic: 'Pirmā diena', attendance: form.body.enrolled.map((s) => ({ student_id: s.student_id, status: 'present' })) } });
      assert.equal(r.status, 200, `${username}: ${r.text}`);
      assert.equal(r.body.late, false, 'inside its deadline');
    }
  });

  test('issue 15 a guardian sees their child\'s journal: recorded lessons and attendance', async () => {
    const token = await signIn('maris.ozols');
    const me = (await get('/me', token)).body;
    assert.ok(me.children.length >= 1);
    const att = await get(`/students/${me.children[0].id}/attendance`, token);
    assert.equal(att.status, 200, att.text);
    assert.ok(att.body.items.length >= 1, 'the child has attendance');
  });
});
