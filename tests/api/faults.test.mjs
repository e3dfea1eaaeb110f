// issue 14: fault injection, by triggers the tests add to a stack's database.
// - Every audit insert fails, so each write fails at its last step, after the store has built the
//   row it would return: the answer is 500 internal_error, nothing changes, and the server frees
//   what it built (scripts/test.sh runs the API tests against the ASan+LeakSanitizer binary: a
//   leaked row makes the server's exit at stack.stop() fail, and LeakSanitizer's report would be
//   in its log).
// - A login's record fails under keep_changes: the COMMIT that follows answers ROLLBACK, which is
//   a failure, not a commit (api/store/db.c ej_db_commit).
// - The server's prepared statements vanish (DEALLOCATE ALL on its connection, as a pooler in
//   transaction mode would make happen): they are prepared again, and the connection goes on.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startStack } from './lib/stack.mjs';
import { adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';

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

test('issue 14 COMMIT of a transaction a failed statement aborted (tag ROLLBACK) is a failure: 500, logged, nothing taken for kept', async () => {
  const s = await startStack();
  try {
    const a = await adminSession(s);
    const u = await makeUser(s, a, { roles: ['teacher'] });
    // The login's record of a wrong password fails; the handler keeps its changes (the record
    // must stay), so the pipeline commits a transaction that is already aborted.
    await s.psql(`CREATE FUNCTION test_refuse_login_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'login record refused (fault injection)'; END $$;
      CREATE TRIGGER test_refuse_login_record BEFORE INSERT ON login_attempts FOR EACH ROW
      WHEN (NEW.outcome = 'invalid_credentials') EXECUTE FUNCTION test_refuse_login_record()`);
    const r = await call(s, 'POST', '/auth/login', { body: { username: u.username, password: 'wrong-password-123' } });
    assert.equal(r.status, 500, r.text);
    assert.equal(r.body.code, 'internal_error');
    const line = await s.waitForLog((o) => o.msg === 'transaction rolled back at commit');
    assert.equal(line.tag, 'ROLLBACK');
    assert.equal(line.request_id, r.headers.get('x-request-id'));
    // The connection is fine afterwards.
    const ok = await call(s, 'POST', '/auth/login', { body: { username: u.username, password: u.password } });
    assert.equal(ok.status, 200, ok.text);
  } finally {
    await s.stop();
  }
});

test('issue 14 prepared statements that vanish (SQLSTATE 26000) are prepared again: the request and the ones after it are answered', async () => {
  const s = await startStack({ env: { EJ_DB_CONNECTIONS: '1' } }); // one connection: every request uses it
  try {
    const a = await adminSession(s);
    const st = await post(s, a.token, '/students', { full_name: 'Ilze Kalna', birth_date: '2014-03-01' });
    // An employee's read of a student is audited (§20) outside a transaction; the trigger on
    // that insert deallocates every prepared statement of the connection, once.
    await s.psql(`CREATE TABLE test_vanish (armed boolean NOT NULL); INSERT INTO test_vanish VALUES (true);
      CREATE FUNCTION test_vanish() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF (SELECT armed FROM test_vanish) THEN
          UPDATE test_vanish SET armed = false;
          EXECUTE 'DEALLOCATE ALL';
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER test_vanish AFTER INSERT ON audit_log FOR EACH ROW
      WHEN (NEW.action = 'read') EXECUTE FUNCTION test_vanish()`);
    const first = await call(s, 'GET', `/students/${st.id}`, { token: a.token });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(await s.psql('SELECT armed FROM test_vanish'), [['f']]);
    // Every statement the connection had prepared is gone now; the next ones find that out.
    for (let i = 0; i < 3; i++) {
      const r = await call(s, 'GET', `/students/${st.id}`, { token: a.token });
      assert.equal(r.status, 200, `read ${i} after the statements vanished: ${r.text}`);
    }
    const me = await call(s, 'GET', '/me', { token: a.token });
    assert.equal(me.status, 200, me.text);
    const w = await call(s, 'POST', '/programs', { token: a.token, body: { code: 'VANISH', name: 'Vanish' } });
    assert.equal(w.status, 201, w.text);
    await s.waitForLog((o) => o.msg === 'prepared statements vanished; preparing them again');
  } finally {
    await s.stop();
  }
});
