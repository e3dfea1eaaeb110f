// The bulk import in the change feed (issue 11, §19): POST /imports/enrollments writes its audit
// records through the audit helper like every other write, so each student, enrollment and
// guardian link it creates gets one audit record and one upsert in GET /changes, in the import's
// own transaction; a dry run writes neither; a second identical import changes and writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSession, makeInstitution, makeUser } from './lib/fixtures.mjs';
import { call, randomHex, startStack } from './lib/stack.mjs';

let stack, admin, sync, teacher, guardian, inst;

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  sync = await makeUser(stack, admin, { roles: ['integration'] });
  teacher = await makeUser(stack, admin, { roles: ['teacher'] });
  guardian = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id] });
});
after(async () => stack && stack.stop());

const latest = async () => {
  const r = await call(stack, 'GET', '/changes/bounds', { token: sync.token });
  assert.equal(r.status, 200, r.text);
  return r.body.latest;
};
const changesAfter = async (cursor) => {
  const r = await call(stack, 'GET', `/changes?after=${cursor}&limit=500`, { token: sync.token });
  assert.equal(r.status, 200, r.text);
  return r.body.items;
};
const counts = async () => (await stack.query(`SELECT
  (SELECT count(*) FROM audit_log WHERE action <> 'read') AS audit,
  (SELECT count(*) FROM changes) AS changes, (SELECT count(*) FROM students) AS students,
  (SELECT count(*) FROM enrollments) AS enrollments`))[0];
const importRows = (body, query = '') => call(stack, 'POST', `/imports/enrollments${query}`, { token: admin.token, body });

describe('issue 11 the bulk import in the change feed', () => {
  const t = randomHex(3);
  let body;
  before(() => {
    body = { rows: [
      { student: { full_name: `Imports Anna ${t}`, birth_date: '2015-01-02', external_id: `EK-A-${t}` },
        group_id: inst.group.id, starts_on: '2026-09-01', guardian_ids: [guardian.id] },
      { student: { full_name: `Imports Jānis ${t}`, birth_date: '2015-03-04' }, group_id: inst.group.id, starts_on: '2026-09-01' },
    ] };
  });

  test('issue 11 a dry run of an import adds no change and no audit record', async () => {
    const from = await latest();
    const before = await counts();
    const r = await importRows(body, '?dry_run=true');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.dry_run, true);
    assert.equal(r.body.students_created, 2);
    assert.deepEqual(await changesAfter(from), []);
    assert.equal(await latest(), from);
    assert.deepEqual(await counts(), before);
  });

  test('issue 11 §19 an import\'s students, enrollments and guardian link are each one audit record and one upsert in GET /changes, with their representation', async () => {
    const from = await latest();
    const before = await counts();
    const r = await importRows(body);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.students_created, 2);
    assert.equal(r.body.guardian_links_created, 1);
    const studentIds = r.body.rows.map((row) => row.student_id).sort((a, b) => a - b);
    const enrollmentIds = r.body.enrollments.map((e) => e.id).sort((a, b) => a - b);
    assert.equal(enrollmentIds.length, 2);

    const items = await changesAfter(from);
    assert.deepEqual(items.map((c) => `${c.entity}:${c.id}:${c.op}`), [
      ...studentIds.map((id) => `student:${id}:upsert`),
      ...enrollmentIds.map((id) => `enrollment:${id}:upsert`),
      'guardian_link:null:upsert',
    ]);
    const cursors = items.map((c) => Number(c.cursor));
    assert.deepEqual(cursors, cursors.map((_, i) => Number(from) + 1 + i), 'one commit, consecutive positions');
    assert.equal(await latest(), String(Number(from) + items.length));
    // each carries the entity's representation as GET shows it to the superuser
    for (const c of items.filter((x) => x.entity !== 'guardian_link')) {
      const path = c.entity === 'student' ? `/students/${c.id}` : `/enrollments/${c.id}`;
      const shown = await call(stack, 'GET', path, { token: admin.token });
      assert.equal(shown.status, 200, shown.text);
      assert.deepEqual(c.data, shown.body, `${c.entity} ${c.id}`);
    }
    const anna = items.find((c) => c.entity === 'student' && c.data.full_name === `Imports Anna ${t}`);
    assert.equal(anna.external_id, `EK-A-${t}`);
    const link = items.at(-1);
    assert.deepEqual(link.data, { student_id: anna.id, guardian_id: guardian.id,
      student_external_id: `EK-A-${t}`, guardian_external_id: null });

    // one audit record per changed entity, written as every other write's (actor, request id)
    const after = await counts();
    assert.equal(after.audit - before.audit, items.length);
    for (const id of studentIds) {
      const a = await call(stack, 'GET', `/audit?entity=student&entity_id=${id}`, { token: admin.token });
      assert.equal(a.status, 200, a.text);
      const created = a.body.items.filter((i) => i.action === 'student.create');
      assert.equal(created.length, 1, a.text);
      assert.equal(created[0].actor_id, admin.id);
      assert.match(created[0].request_id, /.+/);
      assert.equal(created[0].after.id, id);
    }
  });

  test('issue 11 the same import again changes nothing and writes nothing', async () => {
    const from = await latest();
    const before = await counts();
    const r = await importRows(body);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.students_created, 0);
    assert.equal(r.body.guardian_links_created, 0);
    assert.deepEqual(r.body.enrollments, []);
    assert.deepEqual(r.body.rows.map((row) => row.enrollment), ['left', 'left']);
    assert.deepEqual(await changesAfter(from), []);
    assert.equal(await latest(), from);
    assert.deepEqual(await counts(), before);
  });

  test('§20 a teacher\'s read of an imported student is still audited as a read, and is no change', async () => {
    const [row] = (await stack.query(`SELECT id FROM students WHERE external_id = 'EK-A-${t}'`));
    const from = await latest();
    const reads = async () => Number((await stack.query(`SELECT count(*) AS n FROM audit_log
      WHERE action = 'read' AND entity_id = '${row.id}' AND actor_id = ${teacher.id}`))[0].n);
    const before = await reads();
    const r = await call(stack, 'GET', `/students/${row.id}`, { token: teacher.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(await reads(), before + 1);
    assert.deepEqual(await changesAfter(from), []);
  });
});
