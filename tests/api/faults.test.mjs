// issue 14: fault injection. A trigger makes every audit insert fail, so each write fails at its
// last step, after the store has built the row it would return: the answer is 500
// internal_error, nothing changes, and the server frees what it built (scripts/test.sh runs the
// API tests against the ASan+LeakSanitizer binary: a leaked row makes the server's exit at
// stack.stop() fail, and LeakSanitizer's report would be in its log).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startStack } from './lib/stack.mjs';
import { adminSession, makeInstitution, post } from './lib/fixtures.mjs';

let stack;
let admin;
let inst;
let student;
let lessonId;
let reportId;
let requestId;

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  inst = await makeInstitution(stack, admin);
  student = await post(stack, admin.token, '/students', { full_name: 'Anna Bērziņa', birth_date: '2014-03-01' });
  // A lesson, a pending absence report and a pending extension request, written directly: this
  // file tests what the writes on them do when the audit trail refuses the record.
  [[lessonId]] = await stack.psql(`INSERT INTO lessons (group_id, date, starts_at, ends_at, deadline)
    VALUES (${inst.group.id}, '2026-09-07', '09:00', '10:00', '2026-09-09T21:59:59Z') RETURNING id`);
  [[reportId]] = await stack.psql(`INSERT INTO absence_reports (student_id, from_date, to_date, reason_code,
    channel, filed_by) VALUES (${student.id}, '2026-09-07', '2026-09-08', 'illness', 'paper', ${admin.id}) RETURNING id`);
  [[requestId]] = await stack.psql(`INSERT INTO extension_requests (lesson_id, requested_by, reason)
    VALUES (${lessonId}, ${admin.id}, 'Slims') RETURNING id`);
});

after(async () => {
  if (stack) await stack.stop();
});

const counts = async () => (await stack.query(`SELECT (SELECT count(*) FROM programs) AS programs,
  (SELECT count(*) FROM school_years) AS years, (SELECT count(*) FROM groups) AS groups,
  (SELECT count(*) FROM students) AS students, (SELECT count(*) FROM users) AS users,
  (SELECT max(version) FROM programs) AS program_version, (SELECT max(version) FROM groups) AS group_version,
  (SELECT max(version) FROM students) AS student_version,
  (SELECT status FROM absence_reports WHERE id = ${reportId}) AS report,
  (SELECT status FROM extension_requests WHERE id = ${requestId}) AS request,
  (SELECT count(*) FROM audit_log) AS audit`))[0];

test('issue 14 a write whose audit record fails answers 500, changes nothing, and leaks nothing (create, change, group create/update, report reject, request decline)', async () => {
  const before = await counts();
  await stack.psql(`CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit refused (fault injection)'; END $$;
    CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW
    WHEN (NEW.action <> 'read') EXECUTE FUNCTION test_refuse_audit()`);
  const v1 = { 'If-Match': '"v1"' };
  const writes = [
    ['POST', '/programs', { code: 'FAULT', name: 'Faults' }],
    ['PATCH', `/programs/${inst.program.id}`, { name: 'Renamed' }, v1],
    ['POST', '/school-years', { name: 'Fault year', starts_on: '2030-09-01', ends_on: '2031-05-31' }],
    ['POST', '/groups', { program_id: inst.program.id, school_year_id: inst.year.id, name: 'Fault group', teacher_ids: [] }],
    ['PATCH', `/groups/${inst.group.id}`, { name: 'Renamed group' }, v1],
    ['POST', '/students', { full_name: 'Fault Student' }],
    ['PATCH', `/students/${student.id}`, { full_name: 'Renamed Student' }, v1],
    ['POST', '/users', { username: 'faultuser', full_name: 'Fault User', roles: ['teacher'] }],
    ['POST', `/absence-reports/${reportId}/reject`, { note: 'Nav pamatots' }],
    ['POST', `/extension-requests/${requestId}/decline`, { note: 'Nē' }],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [method, path, body, headers] of writes) {
      const r = await call(stack, method, path, { token: admin.token, body, headers });
      assert.equal(r.status, 500, `${method} ${path}: ${r.status} ${r.text}`);
      assert.equal(r.body.code, 'internal_error', `${method} ${path}`);
      assert.equal(r.headers.get('etag'), null, `${method} ${path}: an ETag for a row that was not stored`);
    }
  }
  await stack.psql('DROP TRIGGER test_refuse_audit ON audit_log; DROP FUNCTION test_refuse_audit()');
  assert.deepEqual(await counts(), before);
  assert.ok(stack.alive());
  // The same writes succeed once the audit trail takes records again.
  const ok = await call(stack, 'POST', '/programs', { token: admin.token, body: { code: 'FAULT', name: 'Faults' } });
  assert.equal(ok.status, 201, ok.text);

  await stack.stop(); // exit code 0: LeakSanitizer found nothing
  assert.doesNotMatch(stack.rawLogs(), /LeakSanitizer/);
});
