// ejournal-sync push-roster (issue 11, SPEC.md "Clients"): an E-klase roster export (CSV) pushed
// through POST /imports/enrollments by external id, against the real server: a dry run changes
// nothing, the push registers the rows, a second push of the same file creates nothing, and a
// file with one bad row names that row's line and creates nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { adminSession, post } from './lib/fixtures.mjs';
import { call, randomHex, repoRoot, startStack } from './lib/stack.mjs';

const CLIENT = path.join(repoRoot, 'clients', 'sync', 'ejournal-sync');
let stack, admin, dir, pwFile, group, t;

// Runs the client to its end (at most 60 s); resolves { code, stdout, stderr }.
function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(CLIENT, args, { env: { ...process.env, EJ_SYNC_MAX_WAIT: '2' } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timed out: ${stderr}`)); }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

const counts = async () => (await stack.query(`SELECT (SELECT count(*) FROM students) AS s,
  (SELECT count(*) FROM enrollments) AS e, (SELECT count(*) FROM student_guardians) AS l,
  (SELECT count(*) FROM audit_log WHERE action <> 'read') AS a`))[0];
const push = (file, ...extra) => run(['push-roster', '--api', stack.api, '--user', 'admin', '--password-file', pwFile, file, ...extra]);

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-push-'));
  pwFile = path.join(dir, 'password');
  fs.writeFileSync(pwFile, `${stack.adminPassword}\n`, { mode: 0o600 });
  t = randomHex(3);
  const year = await post(stack, admin.token, '/school-years', { name: `Y ${t}`, starts_on: '2026-09-01', ends_on: '2027-05-31' });
  const program = await post(stack, admin.token, '/programs', { code: `P${t}`, name: 'Dejas' });
  group = await post(stack, admin.token, '/groups', { program_id: program.id, school_year_id: year.id, name: `Dejas ${t}`,
    external_id: `EK-G-${t}` });
  const parent = await call(stack, 'POST', '/users', { token: admin.token,
    body: { username: `par${t}`, full_name: 'Māra Ozola', roles: ['guardian'], external_id: `EK-P-${t}` } });
  assert.equal(parent.status, 201, parent.text);
});
after(async () => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (stack) await stack.stop();
});

// The shape of an E-klase export: Latvian headers, ; as delimiter, dates as DD.MM.YYYY, a BOM.
const roster = (rows) => `\ufeffSkolēna ID;Vārds;Uzvārds;Dzimšanas datums;Grupas ID;Grupa;Vecāku ID;Sākuma datums\r\n${
  rows.map((r) => r.join(';')).join('\r\n')}\r\n`;

describe('issue 11 ejournal-sync push-roster', () => {
  test('issue 11 push-roster: a dry run changes nothing, the push registers, the same file again creates nothing', async () => {
    const file = path.join(dir, 'roster.csv');
    fs.writeFileSync(file, roster([
      [`EK-S1-${t}`, 'Anna', 'Ozola', '03.04.2015', `EK-G-${t}`, 'Dejas', `EK-P-${t}`, '01.09.2026'],
      [`EK-S2-${t}`, 'Jānis', 'Kalniņš', '2014-12-31', `EK-G-${t}`, 'Dejas', '', '01.09.2026'],
    ]));
    const before0 = await counts();
    const dry = await push(file, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /roster\.csv:2: student EK-S1-\w+ \(Anna Ozola\): would be created; enrollment in group EK-G-\w+: would be created, 1 guardian link\(s\) would be created/);
    assert.match(dry.stdout, /dry run: nothing was changed/);
    assert.deepEqual(await counts(), before0);

    const real = await push(file);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /students created: 2, enrollments created: 2, left: 0, guardian links created: 1/);
    const after1 = await counts();
    assert.equal(Number(after1.s) - Number(before0.s), 2);
    assert.equal(Number(after1.e) - Number(before0.e), 2);
    const s1 = (await call(stack, 'GET', `/students?external_id=EK-S1-${t}`, { token: admin.token })).body.items[0];
    assert.equal(s1.full_name, 'Anna Ozola');
    assert.equal(s1.birth_date, '2015-04-03');
    const enrolled = await call(stack, 'GET', `/groups/${group.id}/enrollments`, { token: admin.token });
    assert.equal(enrolled.body.items.length, 2);

    const again = await push(file);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /roster\.csv:3: student EK-S2-\w+ \(Jānis Kalniņš\): matched; enrollment in group EK-G-\w+: left \(already enrolled\)/);
    assert.match(again.stdout, /students created: 0, enrollments created: 0, left: 2, guardian links created: 0/);
    assert.deepEqual(await counts(), after1);
  });

  test('issue 11 push-roster with one bad row names the row and creates nothing', async () => {
    const before0 = await counts();
    // checked by the client: a date that is no date, on line 3
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, roster([
      [`EK-S3-${t}`, 'Ilze', 'Liepa', '01.02.2015', `EK-G-${t}`, 'Dejas', '', '01.09.2026'],
      [`EK-S4-${t}`, 'Pēteris', 'Bērziņš', '31.02.2015', `EK-G-${t}`, 'Dejas', '', '01.09.2026'],
      [`EK-S5-${t}`, 'Zane', 'Ābola', '05.05.2015', `EK-G-${t}`, 'Dejas', '', '01.09.2026'],
    ]));
    const r = await push(file);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /bad\.csv:3: birth_date '31\.02\.2015' is not a date/);
    assert.doesNotMatch(r.stderr, /bad\.csv:[24]:/);
    assert.deepEqual(await counts(), before0);
    // checked by the server: a group no one has, on line 4
    const file2 = path.join(dir, 'bad2.csv');
    fs.writeFileSync(file2, roster([
      [`EK-S3-${t}`, 'Ilze', 'Liepa', '01.02.2015', `EK-G-${t}`, 'Dejas', '', '01.09.2026'],
      [`EK-S4-${t}`, 'Pēteris', 'Bērziņš', '28.02.2015', `EK-G-${t}`, 'Dejas', '', '01.09.2026'],
      [`EK-S5-${t}`, 'Zane', 'Ābola', '05.05.2015', 'EK-G-NOWHERE', 'Nekur', '', '01.09.2026'],
    ]));
    const r2 = await push(file2);
    assert.equal(r2.code, 1, r2.stdout);
    assert.match(r2.stderr, /bad2\.csv:4: group_external_id: no such group/);
    assert.match(r2.stderr, /nothing changed/);
    assert.deepEqual(await counts(), before0);
    // a file without the columns it needs is refused at its header
    const file3 = path.join(dir, 'bad3.csv');
    fs.writeFileSync(file3, 'Vārds;Uzvārds\r\nA;B\r\n');
    const r3 = await push(file3);
    assert.equal(r3.code, 1);
    assert.match(r3.stderr, /bad3\.csv:1: the header has no column for student_id, group_id/);
  });
});
