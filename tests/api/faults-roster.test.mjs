// issue 14 bug 1, for the roster's and the users' writes (store/roster.c, store/users.c): every
// audit insert fails, so each write fails at its last step, after the store has built the row
// it would return. The answer is 500 internal_error without an ETag, nothing changes, and the
// server frees what it built: scripts/test.sh runs the API tests against the ASan+LeakSanitizer
// binary, and a leak makes the server's exit at stack.stop() fail.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startStack } from './lib/stack.mjs';
import { adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';

let stack;
let admin;
let inst;
let guardian;
let teacher;

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  inst = await makeInstitution(stack, admin, { students: ['Anna Bērziņa'] });
  guardian = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  teacher = await makeUser(stack, admin, { roles: ['teacher'], activate: false });
  const link = await call(stack, 'PUT', `/students/${inst.students[0].id}/guardians/${guardian.id}`, { token: admin.token });
  assert.equal(link.status, 200, link.text);
});

after(async () => {
  if (stack) await stack.stop();
});

const state = async () => (await stack.query(`SELECT
  (SELECT count(*) FROM enrollments) AS enrollments,
  (SELECT count(*) FROM enrollments WHERE withdrawn_at IS NOT NULL) AS withdrawn,
  (SELECT count(*) FROM students) AS students,
  (SELECT count(*) FROM student_guardians) AS links,
  (SELECT count(*) FROM school_years WHERE closed_at IS NOT NULL) AS closed,
  (SELECT max(version) FROM users) AS user_version,
  (SELECT count(*) FROM users WHERE revoked_at IS NOT NULL) AS revoked,
  (SELECT count(*) FROM audit_log) AS audit`))[0];

test('issue 14 roster and user writes whose audit record fails answer 500 without an ETag, change nothing, leak nothing', async () => {
  const other = await post(stack, admin.token, '/students', { full_name: 'Ilze Kalna', birth_date: '2014-05-02' });
  const enrollment = inst.students[0].enrollment;
  const before = await state();
  await stack.psql(`CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit refused (fault injection)'; END $$;
    CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW
    WHEN (NEW.action <> 'read') EXECUTE FUNCTION test_refuse_audit()`);
  const writes = [
    ['POST', `/groups/${inst.group.id}/enrollments`, { student_id: other.id, starts_on: '2026-09-01' }],
    ['POST', `/enrollments/${enrollment.id}/withdraw`, { application_date: '2026-10-01', effective_on: '2026-10-02' }],
    ['PUT', `/students/${other.id}/guardians/${guardian.id}`],
    ['DELETE', `/students/${inst.students[0].id}/guardians/${guardian.id}`],
    ['POST', `/school-years/${inst.year.id}/close`],
    ['PATCH', `/users/${teacher.id}`, { full_name: 'Renamed Teacher' }],
    ['POST', `/users/${teacher.id}/reset-password`],
    ['POST', `/users/${teacher.id}/revoke`, { reason: 'fault' }],
    ['POST', '/imports/enrollments', { rows: [{ student: { full_name: 'Jauns Skolēns', birth_date: '2015-01-01' },
      group_id: inst.group.id, starts_on: '2026-09-01' }] }],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [method, path, body] of writes) {
      const r = await call(stack, method, path, { token: admin.token, body });
      assert.equal(r.status, 500, `${method} ${path}: ${r.status} ${r.text}`);
      assert.equal(r.body.code, 'internal_error', `${method} ${path}`);
      assert.equal(r.headers.get('etag'), null, `${method} ${path}: an ETag for a row that was not stored`);
    }
  }
  await stack.psql('DROP TRIGGER test_refuse_audit ON audit_log; DROP FUNCTION test_refuse_audit()');
  assert.deepEqual(await state(), before);
  assert.ok(stack.alive());
  // The same write succeeds once the audit trail takes records again.
  const ok = await call(stack, 'POST', `/groups/${inst.group.id}/enrollments`,
    { token: admin.token, body: { student_id: other.id, starts_on: '2026-09-01' } });
  assert.equal(ok.status, 201, ok.text);
  assert.match(ok.headers.get('etag') || '', /^"v\d+"$/);

  await stack.stop(); // exit code 0: LeakSanitizer found nothing
  assert.doesNotMatch(stack.rawLogs(), /LeakSanitizer/);
});
