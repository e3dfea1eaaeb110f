// The reference sync client (issue 11, SPEC "Clients"): `clients/sync/ejournal-sync pull` against the
// real server: pull twice (nothing repeated), killed at random moments and run again (nothing lost
// or doubled), 429/503 with Retry-After, token refresh, one clear line on 401/403, CSV formulas
// neutralised. Run alone with: EJ_BIN=build/ejournal node --test tests/api/sync.test.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { adminSession, makeUser, post } from './lib/fixtures.mjs';
import { call, login, randomHex, repoRoot, startStack } from './lib/stack.mjs';

const CLIENT = path.join(repoRoot, 'clients', 'sync', 'ejournal-sync');
const RUN_TIMEOUT_MS = 60_000;

let stack, admin, sync, teacher, tmp, pwFile;

// Runs the client; resolves with { code, signal, stdout, stderr }. killAfterMs: SIGKILL it then.
function run(args, { killAfterMs, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(CLIENT, args, { env: { ...process.env, EJ_SYNC_MAX_WAIT: '2', ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const guard = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    const killer = killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : null;
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (killer) clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const pullArgs = (name, extra = []) => ['pull', '--api', stack.api, '--user', sync.username,
  '--password-file', pwFile, '--state', path.join(tmp, `${name}.state`), '--out', path.join(tmp, name), ...extra];

function jsonl(dir, entity) {
  const f = path.join(dir, `${entity}.jsonl`);
  if (!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// Every change in the folder's JSON-lines files, in cursor order.
function allChanges(dir) {
  const out = [];
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.jsonl')) out.push(...jsonl(dir, f.slice(0, -6)));
  return out.sort((a, b) => Number(a.cursor) - Number(b.cursor));
}

function csvRows(dir, entity) {
  // The rows are simple enough here (no quoted newlines) to split by CRLF.
  return fs.readFileSync(path.join(dir, `${entity}.csv`), 'utf8').split('\r\n').filter(Boolean);
}

async function bounds() {
  const r = await call(stack, 'GET', '/changes/bounds', { token: admin.token });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function students(n, prefix = 'S') {
  for (let i = 0; i < n; i++) await post(stack, admin.token, '/students', { full_name: `${prefix}${i} ${randomHex(2)}`, birth_date: '2015-01-02' });
}

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  sync = await makeUser(stack, admin, { roles: ['integration'] });
  teacher = await makeUser(stack, admin, { roles: ['teacher'] });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ejournal-sync-'));
  pwFile = path.join(tmp, 'password');
  fs.writeFileSync(pwFile, `${sync.password}\n`, { mode: 0o600 });
  await students(30);
});
after(async () => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (stack) await stack.stop();
});

describe('issue 11 ejournal-sync pull', () => {
  test('issue 11 sync pull twice: every change once in JSON lines and CSV per entity, nothing repeated; new changes are appended', async () => {
    let r = await run(pullArgs('twice', ['--page-size', '7']));
    assert.equal(r.code, 0, r.stderr);
    const dir = path.join(tmp, 'twice');
    const b = await bounds();
    let got = allChanges(dir);
    assert.deepEqual(got.map((c) => Number(c.cursor)), Array.from({ length: Number(b.latest) }, (_, i) => i + 1));
    assert.match(r.stdout, new RegExp(`pulled ${got.length} changes .*cursor ${b.latest}`));
    const st = JSON.parse(fs.readFileSync(path.join(tmp, 'twice.state'), 'utf8'));
    assert.equal(st.cursor, b.latest);
    const studentsCsv = csvRows(dir, 'student');
    const header = studentsCsv[0].split(',');
    assert.deepEqual(header.slice(0, 5), ['cursor', 'committed_at', 'op', 'id', 'external_id']);
    assert.ok(header.includes('full_name') && header.at(-1) === 'other', studentsCsv[0]);
    assert.equal(studentsCsv.length - 1, jsonl(dir, 'student').length);
    const snapshot = fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);

    r = await run(pullArgs('twice'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pulled 0 changes; cursor/);
    assert.deepEqual(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]), snapshot, 'nothing repeated');

    await students(2, 'Later');
    r = await run(pullArgs('twice'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pulled 2 changes \(student 2\)/);
    got = allChanges(dir);
    assert.equal(new Set(got.map((c) => c.cursor)).size, got.length);
    assert.equal(got.length, Number((await bounds()).latest));
  });

  test('issue 11 sync pull killed at random moments and run again neither loses nor repeats a change', async () => {
    await students(60, 'K');
    const name = 'killed';
    let killed = 0, finished = false;
    for (let i = 0; i < 60 && !finished; i++) {
      const r = await run(pullArgs(name, ['--page-size', '2']), { killAfterMs: 150 + Math.floor(Math.random() * 400) });
      if (r.signal === 'SIGKILL') killed++;
      else {
        assert.equal(r.code, 0, r.stderr);
        finished = killed >= 3; // keep going until it was interrupted a few times
        if (!finished) await students(15, `K${i}-`); // more to pull, so the next run is killed again
      }
    }
    assert.ok(killed >= 3, `killed mid-run ${killed} times`);
    const r = await run(pullArgs(name));
    assert.equal(r.code, 0, r.stderr);
    const dir = path.join(tmp, name);
    const got = allChanges(dir);
    const latest = Number((await bounds()).latest);
    assert.deepEqual(got.map((c) => Number(c.cursor)), Array.from({ length: latest }, (_, i) => i + 1),
      'every change exactly once');
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.csv'))) {
      const entity = f.slice(0, -4);
      assert.equal(csvRows(dir, entity).length - 1, jsonl(dir, entity).length, `${f}: one row per change`);
    }
  });

  test('issue 11 sync pull honours 429 and 503 Retry-After', async () => {
    let refused = 0;
    const target = new URL(stack.api);
    const proxy = http.createServer((req, res) => {
      if (req.url.includes('/changes') && refused < 2) {
        refused++;
        const status = refused === 1 ? 503 : 429;
        res.writeHead(status, { 'content-type': 'application/problem+json', 'retry-after': '1' });
        res.end(JSON.stringify({ status, code: status === 503 ? 'busy' : 'too_many_attempts', detail: 'later' }));
        return;
      }
      const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (ur) => {
        res.writeHead(ur.statusCode, ur.headers);
        ur.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise((res) => proxy.listen(0, '127.0.0.1', res));
    try {
      const api = `http://127.0.0.1:${proxy.address().port}/api/v1`;
      const started = Date.now();
      const r = await run(['pull', '--api', api, '--user', sync.username, '--password-file', pwFile,
        '--state', path.join(tmp, 'retry.state'), '--out', path.join(tmp, 'retry')]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(refused, 2);
      assert.match(r.stderr, /503, retrying in 1 s/);
      assert.match(r.stderr, /429, retrying in 1 s/);
      assert.ok(Date.now() - started >= 2000, 'waited as told');
      assert.equal(allChanges(path.join(tmp, 'retry')).length, Number((await bounds()).latest));
    } finally {
      proxy.close();
    }
  });

  test('issue 11 sync pull refreshes its token and writes the new one back', async () => {
    const l = await login(stack, sync.username, sync.password);
    assert.equal(l.status, 200, l.text);
    const tokenFile = path.join(tmp, 'token.json');
    // an access token that no longer works, and a good refresh token
    fs.writeFileSync(tokenFile, JSON.stringify({ access_token: 'expired.garbage.token', refresh_token: l.body.refresh_token }));
    const r = await run(['pull', '--api', stack.api, '--token-file', tokenFile, '--state', path.join(tmp, 'tok.state'), '--out', path.join(tmp, 'tok')]);
    assert.equal(r.code, 0, r.stderr);
    const saved = JSON.parse(fs.readFileSync(tokenFile, 'utf8'));
    assert.notEqual(saved.refresh_token, l.body.refresh_token, 'the rotated refresh token was saved');
    const me = await call(stack, 'GET', '/me', { token: saved.access_token });
    assert.equal(me.status, 200);
    assert.equal(me.body.id ?? me.body.user?.id, sync.id);
  });

  test('issue 11 sync pull exits non-zero with one clear line on 401 and 403, and leaves the state alone', async () => {
    const bad = path.join(tmp, 'bad-token');
    fs.writeFileSync(bad, 'not-a-token\n');
    let r = await run(['pull', '--api', stack.api, '--token-file', bad, '--state', path.join(tmp, 'e.state'), '--out', path.join(tmp, 'e')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^ejournal-sync: not signed in \(401 /);
    assert.ok(!fs.existsSync(path.join(tmp, 'e.state')));

    const tpw = path.join(tmp, 'teacher-pw');
    fs.writeFileSync(tpw, `${teacher.password}\n`);
    r = await run(['pull', '--api', stack.api, '--user', teacher.username, '--password-file', tpw, '--state', path.join(tmp, 'e.state'), '--out', path.join(tmp, 'e')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^ejournal-sync: not allowed \(403 forbidden: /);
    assert.ok(!fs.existsSync(path.join(tmp, 'e.state')));

    fs.writeFileSync(tpw, 'wrong password\n');
    r = await run(['pull', '--api', stack.api, '--user', teacher.username, '--password-file', tpw, '--state', path.join(tmp, 'e.state'), '--out', path.join(tmp, 'e')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ejournal-sync: sign-in as \S+ refused: 401 invalid_credentials/);
  });

  test('issue 11 sync pull neutralises spreadsheet formulas in its CSV', async () => {
    const s = await post(stack, admin.token, '/students', { full_name: '=HYPERLINK("http://x.example","klik")', birth_date: '2015-01-02' });
    const r = await run(pullArgs('twice'));
    assert.equal(r.code, 0, r.stderr);
    const rows = csvRows(path.join(tmp, 'twice'), 'student');
    const row = rows.find((l) => l.split(',')[3] === String(s.id));
    assert.ok(row, rows.join('\n'));
    assert.match(row, /,"'=HYPERLINK\(""http:\/\/x\.example"",""klik""\)",/);
    assert.equal(jsonl(path.join(tmp, 'twice'), 'student').at(-1).data.full_name, s.full_name, 'JSON lines keep the value');
  });
});
